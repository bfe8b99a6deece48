# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""OpenLDAP's own password policy test, tests/scripts/test022-ppolicy of
the 2.5.13 source, run against warden.la in place of ppolicy.la (issue 18).

The script and its data are in tests/integration/openldap, copied from the
Debian source; `git log -p tests/integration/openldap` shows every change
made to them, and README.md ("OpenLDAP's ppolicy test") lists them with
why.  The script starts its own provider and consumer with Debian's slapd
and ldap-utils, and sleeps as the original does (about 100 s): lockout
duration, pwdMaxAge, pwdMaxIdle and the expiry warning run on the real
clock there."""
import os
import signal
import subprocess

from conftest import BANNED_DEFAULT, MODULE, PRELOAD, SRCDIR, free_port

SANITIZER = ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer")


def test_openldap_test022_ppolicy_passes_with_warden(workdir):
    testdir = workdir / "testrun"
    env = dict(os.environ, SRCDIR=str(SRCDIR / "tests/integration/openldap"),
               TESTDIR=str(testdir), PORT1=str(free_port()), PORT2=str(free_port()),
               WARDEN_MODULE=str(MODULE), WARDEN_PRELOAD=PRELOAD,
               WARDEN_BANNED_DEFAULT=BANNED_DEFAULT)
    script = SRCDIR / "tests/integration/openldap/scripts/test022-ppolicy"
    p = subprocess.Popen(["sh", str(script)], cwd=workdir, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, start_new_session=True)
    try:
        out, _ = p.communicate(timeout=600)
    finally:
        # the script's slapd processes are in its process group
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()
    logs = ""
    for name in ("slapd.1.log", "slapd.2.log", "test.out"):
        f = testdir / name
        if f.exists():
            logs += f"\n--- {name} (tail) ---\n" + "\n".join(
                f.read_text(errors="replace").splitlines()[-60:])
    print(out)
    assert p.returncode == 0 and ">>>>> Test succeeded" in out, out + logs
    for name in ("slapd.1.log", "slapd.2.log"):
        f = testdir / name
        text = f.read_text(errors="replace") if f.exists() else ""
        bad = [l for l in text.splitlines() if any(s in l for s in SANITIZER)]
        assert not bad, f"sanitizer reported in {name}:\n" + "\n".join(bad[:20])
