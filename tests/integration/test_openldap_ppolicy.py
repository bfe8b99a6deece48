# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""OpenLDAP's own password policy test, tests/scripts/test022-ppolicy of
the 2.5.13 source, run against warden.la in place of ppolicy.la (issue 18).

The script and its data are in tests/integration/openldap, copied from the
Debian source; `git log -p tests/integration/openldap` shows every change
made to them, and README.md ("OpenLDAP's own ppolicy test") lists them
with why.  The script starts its own provider and consumer with Debian's
slapd and ldap-utils, and sleeps as the original does (about two
minutes): lockout duration, pwdMaxAge, pwdMaxIdle and the expiry warning
run on the real clock there.  So that the suite does not wait those two
minutes, the script starts when the test is collected (conftest.py,
pytest_collection_modifyitems) and runs beside the other tests; the test
collects its result."""
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import BANNED_DEFAULT, MODULE, PRELOAD, SRCDIR, free_port

SANITIZER = ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer")
SCRIPT = SRCDIR / "tests/integration/openldap/scripts/test022-ppolicy"

_run = {}


def start():
    """Starts the script, once; its slapd processes share its process
    group."""
    if _run:
        return
    work = Path(tempfile.mkdtemp(prefix="wdn-test022-", dir="/tmp"))
    os.chmod(work, 0o700)
    testdir = work / "testrun"
    env = dict(os.environ, SRCDIR=str(SRCDIR / "tests/integration/openldap"),
               TESTDIR=str(testdir), PORT1=str(free_port()), PORT2=str(free_port()),
               WARDEN_MODULE=str(MODULE), WARDEN_PRELOAD=PRELOAD,
               WARDEN_BANNED_DEFAULT=BANNED_DEFAULT)
    out = open(work / "script.out", "w+")
    _run.update(work=work, testdir=testdir, out=out, proc=subprocess.Popen(
        ["sh", str(SCRIPT)], cwd=work, env=env, stdout=out,
        stderr=subprocess.STDOUT, start_new_session=True))


def test_openldap_test022_ppolicy_passes_with_warden():
    start()
    p, work, testdir = _run["proc"], _run["work"], _run["testdir"]
    try:
        p.wait(timeout=600)
    finally:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()
    _run["out"].seek(0)
    out = _run["out"].read()
    logs = ""
    for name in ("slapd.1.log", "slapd.2.log", "test.out"):
        f = testdir / name
        if f.exists():
            logs += f"\n--- {name} (tail) ---\n" + "\n".join(
                f.read_text(errors="replace").splitlines()[-60:])
    ok = p.returncode == 0 and ">>>>> Test succeeded" in out
    if not ok:
        print(f"\nkept for inspection: {work}")
    assert ok, out[-6000:] + logs
    for name in ("slapd.1.log", "slapd.2.log"):
        f = testdir / name
        text = f.read_text(errors="replace") if f.exists() else ""
        bad = [l for l in text.splitlines() if any(s in l for s in SANITIZER)]
        assert not bad, f"sanitizer reported in {name}:\n" + "\n".join(bad[:20])
    shutil.rmtree(work, ignore_errors=True)
