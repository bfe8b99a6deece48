# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""A signed release: make release (with make dist in place of distcheck's
full build and test run, RELEASE_CHECK=dist) signs the tarball and the
.deb with a throw-away key; README's "Verifying a release" commands, run
as written by someone who has only the release directory, accept it; a
changed byte in either artefact is refused by sha256sum -c and by gpg
--verify, and so is a signature by another key."""
import os
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from conftest import SRCDIR, BUILDDIR

VERSION = re.search(r"^VERSION = (\S+)$", (BUILDDIR / "Makefile").read_text(), re.M).group(1)
ARCH = subprocess.run(["dpkg-architecture", "-qDEB_HOST_ARCH"], capture_output=True,
                      text=True, check=True).stdout.strip()
TARBALL = f"warden-{VERSION}.tar.gz"
DEB = f"warden_{VERSION}_{ARCH}.deb"


def run(cmd, env=None, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 1800)
    return subprocess.run(cmd, env=env, **kw)


def gnupg(home: Path):
    """An environment with a keyring of its own."""
    home.mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "WARDEN_SIGNING_KEY")}
    env["GNUPGHOME"] = str(home)
    return env


def new_key(env, uid):
    p = run(["gpg", "--batch", "--passphrase", "", "--quick-gen-key", uid,
             "ed25519", "sign", "never"], env=env)
    assert p.returncode == 0, p.stderr
    p = run(["gpg", "--batch", "--with-colons", "--list-secret-keys", uid], env=env, check=True)
    return re.search(r"^fpr:+([0-9A-F]{40}):", p.stdout, re.M).group(1)


def flip_byte(path: Path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def verify_commands():
    text = (SRCDIR / "README.md").read_text()
    m = re.search(r"^## Verifying a release\n(.*?)(?=^## )", text, re.S | re.M)
    assert m, "README.md has no section Verifying a release"
    cmds = [l[4:] for l in m.group(1).split("\n") if l.startswith("    ")]
    assert cmds and cmds[0].startswith("gpg --import"), cmds
    return [c.replace("0.1.0", VERSION).replace("_amd64", f"_{ARCH}") for c in cmds]


@pytest.fixture(scope="module")
def release(machine_lock, deb, tmp_path_factory):
    """make release with a throw-away key; the release directory and the
    key's fingerprint."""
    base = tmp_path_factory.mktemp("release")
    env = gnupg(base / "signer")
    fpr = new_key(env, "warden release test <release@warden.invalid>")
    # What someone downloads: the directory alone.
    got = base / "download"
    # the package the deb fixture built here (make deb) is not built again
    reuse = deb.name == f"warden_{VERSION}_{ARCH}.deb" and deb.parent == BUILDDIR
    p = run(["make", "-s", "-C", str(BUILDDIR), "release", "RELEASE_CHECK=dist",
             *(["RELEASE_DEB=:"] if reuse else []),
             f"RELEASE_DIR={got}", f"WARDEN_SIGNING_KEY={fpr}"], env=env)
    assert p.returncode == 0, f"make release failed:\n{p.stdout}\n{p.stderr}"
    return got, fpr


def test_release_holds_signed_artefacts(release):
    rel, fpr = release
    names = sorted(p.name for p in rel.iterdir())
    assert names == sorted([TARBALL, TARBALL + ".sha256", TARBALL + ".asc",
                            DEB, DEB + ".sha256", DEB + ".asc",
                            "warden-release-key.asc"]), names
    for f in (TARBALL, DEB):
        assert (rel / (f + ".sha256")).read_text().endswith(f"  {f}\n")
        assert (rel / (f + ".asc")).read_text().startswith("-----BEGIN PGP SIGNATURE-----")
    # The tarball is the source, nothing of a build.
    with tarfile.open(rel / TARBALL) as t:
        members = t.getnames()
    top = f"warden-{VERSION}/"
    for f in ("debian/rules", "debian/control", "doc/wardenctl.8", "contrib/release.sh",
              "contrib/deb.sh", "tests/package/test_package.py", "configure"):
        assert top + f in members, f
    junk = [m for m in members if re.search(r"(\.o|\.lo|/\.deps|/\.libs|__pycache__|results\.xml)$", m)]
    assert not junk, junk
    # Every file of the repository (EXTRA_DIST lags behind new files).
    git = subprocess.run(["git", "-C", str(SRCDIR), "ls-files"], capture_output=True, text=True)
    if git.returncode == 0:
        missing = [f for f in git.stdout.split()
                   if top + f not in members and not f.endswith(".gitignore")]
        assert not missing, f"not in {TARBALL} (Makefile.am EXTRA_DIST): {missing}"


def test_readme_verification_accepts_the_release(release, tmp_path):
    rel, fpr = release
    env = gnupg(tmp_path / "user")
    outs = []
    for cmd in verify_commands():
        p = run(["bash", "-c", cmd], env=env, cwd=rel)
        assert p.returncode == 0, f"{cmd}:\n{p.stdout}{p.stderr}"
        outs.append(p.stdout + p.stderr)
    text = "\n".join(outs)
    assert fpr in text.replace(" ", ""), "gpg --fingerprint shows the release key"
    assert f"{TARBALL}: OK" in text and f"{DEB}: OK" in text, text
    assert text.count("Good signature from") == 2, text


@pytest.mark.parametrize("artefact", [TARBALL, DEB])
def test_tampered_artefact_is_refused(release, tmp_path, artefact):
    rel, fpr = release
    env = gnupg(tmp_path / "user")
    got = tmp_path / "got"
    shutil.copytree(rel, got)
    p = run(["gpg", "--batch", "--import", "warden-release-key.asc"], env=env, cwd=got)
    assert p.returncode == 0, p.stderr
    ok = run(["gpg", "--batch", "--verify", artefact + ".asc", artefact], env=env, cwd=got)
    assert ok.returncode == 0, ok.stderr     # the same check passes untampered

    flip_byte(got / artefact)
    p = run(["sha256sum", "-c", artefact + ".sha256"], cwd=got)
    assert p.returncode != 0 and f"{artefact}: FAILED" in p.stdout, p.stdout + p.stderr
    p = run(["gpg", "--batch", "--verify", artefact + ".asc", artefact], env=env, cwd=got)
    assert p.returncode != 0 and "BAD signature" in p.stderr, p.stderr

    # Whoever changed it cannot sign it in the release key's name either.
    other = gnupg(tmp_path / "other")
    new_key(other, "someone else <mallory@warden.invalid>")
    p = run(["gpg", "--batch", "--yes", "--armor", "--detach-sign", "--output",
             artefact + ".asc", artefact], env=other, cwd=got)
    assert p.returncode == 0, p.stderr
    p = run(["gpg", "--batch", "--verify", artefact + ".asc", artefact], env=env, cwd=got)
    assert p.returncode != 0 and "No public key" in p.stderr, p.stderr


def test_release_needs_a_key(tmp_path):
    env = gnupg(tmp_path / "empty")
    f = tmp_path / "x.tar.gz"
    f.write_bytes(b"x")
    p = run(["sh", str(SRCDIR / "contrib" / "release.sh"), str(f)], env=env)
    assert p.returncode == 2 and "no signing key" in p.stderr, p.stderr
    p = run(["sh", str(SRCDIR / "contrib" / "release.sh"), "--key", "nobody@warden.invalid",
             str(f)], env=env)
    assert p.returncode == 2 and "no secret key" in p.stderr, p.stderr
    assert sorted(x.name for x in tmp_path.iterdir()) == ["empty", "x.tar.gz"], "nothing written"
    # make release refuses before its long part
    p = run(["make", "-s", "-C", str(BUILDDIR), "release"], env=env, timeout=60)
    assert p.returncode != 0 and "WARDEN_SIGNING_KEY" in p.stderr, p.stderr
