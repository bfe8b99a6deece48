# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""Backup and restore (issue 14): slapcat and slapadd round-trip users,
wrapped secrets and policies; what a restore does to warden's own store;
wardenctl check finds cleartext passwords and raw seeds in an LDIF (as
slapcat writes it, or as it is about to be slapadded) without printing
them."""
import base64
import os
import shutil
import subprocess

import ldap
import pytest

from conftest import SUFFIX, USERPW, user_dn
from test_lockout import bind
from test_totp import SEEDS, code, enrol, start_totp

WARDENCTL = os.environ.get("WARDENCTL", "")
POLICY = {"pwdMaxFailure": "3", "pwdLockoutDuration": "3600", "wardenMinClasses": "3",
          "pwdMinLength": "12"}


def slapcat(s, out):
    p = subprocess.run(["slapcat", "-f", str(s.conf), "-b", SUFFIX, "-l", str(out)],
                       capture_output=True, text=True, env=s.env(), timeout=60)
    assert p.returncode == 0, p.stderr


def slapadd(s, ldif):
    p = subprocess.run(["slapadd", "-f", str(s.conf), "-b", SUFFIX, "-l", str(ldif)],
                       capture_output=True, text=True, env=s.env(), timeout=60)
    assert p.returncode == 0, p.stderr


def check(*files, stdin=None):
    return subprocess.run([WARDENCTL, "check", *map(str, files)], input=stdin,
                          capture_output=True, text=True, timeout=60)


def wipe(s):
    """A new machine: empty database and state directories."""
    for d in (s.db, s.state):
        shutil.rmtree(d)
        d.mkdir(mode=0o700)


def test_slapcat_slapadd_round_trip(slapd):
    start_totp(slapd, policy=POLICY)
    seed = enrol(slapd, "alice")
    for i in range(3):                  # (a repeated wrong password counts once)
        assert bind(slapd, "bob", f"Wrong-pass-{i}!x")[0] == 49
    assert bind(slapd, "bob", USERPW)[0] == 49                # locked
    slapd.stop()
    dump = slapd.dir / "backup.ldif"
    slapcat(slapd, dump)
    text = dump.read_text()
    assert seed.hex() not in text and base64.b64encode(seed).decode() not in text
    p = check(dump)
    assert p.returncode == 0, p.stdout + p.stderr

    wipe(slapd)
    slapadd(slapd, dump)
    slapd.start()
    # users, their hashed passwords and the wrapped secret came back
    assert bind(slapd, "alice", USERPW + code(seed))[0] == 0
    assert bind(slapd, "alice", USERPW)[0] == 49              # still needs the code
    assert bind(slapd, "carol", USERPW)[0] == 0
    # the lock written into the entry came back with it: bob stays locked
    # although warden's store (counts, lock times) is new and empty
    e = slapd.admin().search_s(user_dn("bob"), ldap.SCOPE_BASE, attrlist=["pwdAccountLockedTime"])
    assert e[0][1].get("pwdAccountLockedTime")
    assert bind(slapd, "bob", USERPW)[0] == 49
    # the policy entry (wardenPolicy) still applies to password changes
    c = slapd.conn(user_dn("carol"), USERPW)
    with pytest.raises(ldap.CONSTRAINT_VIOLATION):
        c.passwd_s(user_dn("carol"), USERPW, "alllowercase12")
    # counting starts anew: three more failures lock carol
    for i in range(3):
        assert bind(slapd, "carol", f"Wrong-pass-{i}!x")[0] == 49
    assert bind(slapd, "carol", USERPW)[0] == 49


def test_check_names_cleartext_and_raw_seeds_after_slapadd(slapd):
    start_totp(slapd)
    slapd.stop()
    dump = slapd.dir / "backup.ldif"
    slapcat(slapd, dump)
    # an LDIF from elsewhere: a cleartext password, otp.la's raw seed, and
    # a recovery code in the clear
    seed = SEEDS["bob"]
    bad = (dump.read_text() + "\n"
           f"dn: uid=dave,ou=people,{SUFFIX}\nobjectClass: inetOrgPerson\nobjectClass: oathTOTPUser\n"
           f"objectClass: oathTOTPToken\nobjectClass: wardenMFAUser\nuid: dave\ncn: dave\nsn: dave\n"
           f"userPassword: Dave-clear-pw-1\noathTOTPToken: uid=dave,ou=people,{SUFFIX}\n"
           f"oathSecret:: {base64.b64encode(seed).decode()}\nwardenRecoveryCode: abcde-fghij\n")
    src = slapd.dir / "import.ldif"
    src.write_text(bad)
    wipe(slapd)
    slapadd(slapd, src)                 # slapadd does not pass through warden
    out = slapd.dir / "after.ldif"
    slapcat(slapd, out)
    p = check(out)
    assert p.returncode == 1, p.stdout + p.stderr
    dave = f"uid=dave,ou=people,{SUFFIX}"
    assert f"{dave}: userPassword holds a cleartext password" in p.stdout
    assert f"{dave}: oathSecret holds a raw (unwrapped) one-time code seed" in p.stdout
    assert f"{dave}: wardenRecoveryCode holds a recovery code that is not hashed" in p.stdout
    assert len(p.stdout.splitlines()) == 3, p.stdout
    for secret in ("Dave-clear-pw-1", "abcde-fghij", seed.hex(), base64.b64encode(seed).decode()):
        assert secret not in p.stdout + p.stderr
    # standard input, and a clean LDIF
    assert check(stdin=out.read_text()).returncode == 1
    assert check(dump).returncode == 0
    assert check(slapd.dir / "missing.ldif").returncode == 2
