# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""Fixtures of the package and release tests: the .deb that 'make deb'
builds in the build directory, once per run.

Environment (set by 'make check-package'): WARDEN_SRCDIR, WARDEN_BUILDDIR;
WARDEN_DEB, a .deb to test instead of building one.

The tests install the package on this machine: one run at a time (a lock
file), and the package must not be installed by anyone else meanwhile.
"""
import fcntl
import os
import subprocess
from pathlib import Path

import pytest

SRCDIR = Path(os.environ.get("WARDEN_SRCDIR", Path(__file__).resolve().parents[2]))
BUILDDIR = Path(os.environ.get("WARDEN_BUILDDIR", SRCDIR / "build")).resolve()
LOCK = "/run/lock/warden-package-test.lock"


def make_deb(version=None):
    """make -C BUILDDIR deb (README: Install on Debian); with a version,
    a rebuild of the same sources as that version.  Returns the .deb."""
    env = dict(os.environ)
    env.pop("MAKEFLAGS", None)
    env.pop("MFLAGS", None)
    if version:
        env["WARDEN_DEB_VERSION"] = version
    else:
        env.pop("WARDEN_DEB_VERSION", None)
    p = subprocess.run(["make", "-s", "-C", str(BUILDDIR), "deb"], env=env,
                       capture_output=True, text=True, timeout=1800)
    assert p.returncode == 0, f"make deb failed:\n{p.stdout}\n{p.stderr}"
    deb = Path(p.stdout.strip().splitlines()[-1])
    assert deb.is_file() and deb.parent == BUILDDIR, p.stdout
    return deb


def repack(deb, version):
    """deb as another version, its files and maintainer scripts unchanged:
    what an upgrade installs, without building the sources again (that
    took CI minutes; the build itself is tested by make_deb)."""
    work = Path(deb).parent / f"repack-{version}"
    subprocess.run(["rm", "-rf", str(work)], check=True)
    subprocess.run(["dpkg-deb", "-R", str(deb), str(work)], check=True)
    control = work / "DEBIAN" / "control"
    text = control.read_text()
    import re
    text, n = re.subn(r"^Version: .*$", f"Version: {version}", text, flags=re.M)
    assert n == 1, text
    control.write_text(text)
    out = Path(deb).parent / f"warden_{version}_{Path(deb).name.rsplit('_', 1)[1]}"
    subprocess.run(["dpkg-deb", "--root-owner-group", "-b", str(work), str(out)],
                   check=True, capture_output=True)
    subprocess.run(["rm", "-rf", str(work)], check=True)
    return out


@pytest.fixture(scope="session")
def machine_lock():
    """The package tests change this machine's package database: one run
    at a time."""
    with open(LOCK, "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        yield
        fcntl.flock(f, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def deb(machine_lock):
    given = os.environ.get("WARDEN_DEB")
    if given:
        return Path(given).resolve()
    return make_deb()


def dpkg_version(package):
    p = subprocess.run(["dpkg-query", "-W", "-f=${Status} ${Version}", package],
                       capture_output=True, text=True)
    if p.returncode or not p.stdout.startswith("install ok installed"):
        return None
    return p.stdout.split()[-1]
