# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""Policy values checked when written (issue 13): an integer setting of a
password policy entry out of its range, pwdMinLength above pwdMaxLength
and an oathSecret shorter than 128 bits are refused with
constraintViolation (19) and a message naming the attribute and what is
allowed; a value out of range already stored (slapadd, slapmodify, a
provider without warden) is read as the safe value and logged, never as
"off"."""
import base64
import os
import subprocess

import ldap
import ldap.modlist
import pytest

from conftest import SUFFIX, USERPW, user_dn
from test_lockout import POLICY, bind, start, state
from test_totp import code, enrol, start_totp

INT = "2147483647"


def refused(op):
    with pytest.raises(ldap.CONSTRAINT_VIOLATION) as ex:
        op()
    return ex.value.args[0].get("info", "")


def policy(a):
    return {k: [v.decode() for v in vs] for k, vs in
            a.search_s(POLICY, ldap.SCOPE_BASE, attrlist=["*"])[0][1].items()}


@pytest.mark.parametrize("attr,value,allowed", [
    ("pwdMaxFailure", "-1", f"allowed 0 to {INT} (0: never lock)"),
    ("pwdLockoutDuration", "-300", f"allowed 0 to {INT} (seconds; 0: until an administrator unlocks)"),
    ("pwdFailureCountInterval", "-1", f"allowed 0 to {INT}"),
    ("pwdMinLength", "-8", "allowed 0 to 4096"),
    ("pwdMaxLength", "5000", "allowed 0 to 4096"),
    ("pwdInHistory", "-2", "allowed 0 to 1024"),
    ("pwdMinAge", "-1", f"allowed 0 to {INT}"),
    ("pwdMaxAge", "-86400", f"allowed 0 to {INT}"),
    ("pwdGraceAuthNLimit", "-1", f"allowed 0 to {INT}"),
    ("pwdExpireWarning", "-1", f"allowed 0 to {INT}"),
    ("pwdCheckQuality", "3", "allowed 0 to 2"),
    ("pwdMaxFailure", "99999999999", f"allowed 0 to {INT}"),
    ("wardenLockoutBackoff", "0", "allowed 1 to 1000"),
    ("wardenLockoutMaxDuration", "-1", f"allowed 0 to {INT}"),
    ("wardenLockoutBackoffReset", "-1", f"allowed 0 to {INT}"),
    ("wardenSourceMaxFailure", "-1", f"allowed 0 to {INT} (0: off)"),
    ("wardenSourceFailureInterval", "0", f"allowed 1 to {INT}"),
    ("wardenMinClasses", "5", "allowed 0 to 4"),
    ("wardenMinDigit", "-1", "allowed 0 to 4096"),
    ("wardenMaxRepeat", "-1", "allowed 0 to 4096"),
    ("wardenMFAGracePeriod", "-60", f"allowed 0 to {INT}"),
])
def test_out_of_range_refused_on_modify_and_add(slapd, attr, value, allowed):
    a = start(slapd, {"wardenLockoutBackoff": "2"})
    before = policy(a)
    info = refused(lambda: a.modify_s(POLICY, [(ldap.MOD_REPLACE, attr, [value.encode()])]))
    assert info.startswith(f"{attr}: {value} is out of range: {allowed}"), info
    assert policy(a) == before
    # with a good change in the same request: nothing of it is applied
    refused(lambda: a.modify_s(POLICY, [(ldap.MOD_REPLACE, "pwdMaxFailure", [b"7"]),
                                        (ldap.MOD_REPLACE, attr, [value.encode()])]))
    assert policy(a) == before
    entry = {"objectClass": [b"device", b"pwdPolicy", b"wardenPolicy"], "cn": [b"p2"],
             "pwdAttribute": [b"userPassword"], attr: [value.encode()]}
    info = refused(lambda: a.add_s(f"cn=p2,ou=policies,{SUFFIX}", ldap.modlist.addModlist(entry)))
    assert info.startswith(f"{attr}: {value} is out of range")


def test_values_in_range_accepted_and_increments_checked(slapd):
    a = start(slapd)
    a.modify_s(POLICY, [(ldap.MOD_REPLACE, "pwdMaxFailure", [b"0"]),
                        (ldap.MOD_REPLACE, "pwdCheckQuality", [b"2"]),
                        (ldap.MOD_ADD, "pwdMinLength", [b"0"]),
                        (ldap.MOD_REPLACE, "pwdLockoutDuration", [INT.encode()])])
    a.modify_s(POLICY, [(ldap.MOD_REPLACE, "pwdMaxFailure", [b"3"])])
    # an increment is checked by its result
    a.modify_s(POLICY, [(ldap.MOD_INCREMENT, "pwdMaxFailure", [b"-2"])])
    assert policy(a)["pwdMaxFailure"] == ["1"]
    info = refused(lambda: a.modify_s(POLICY, [(ldap.MOD_INCREMENT, "pwdMaxFailure", [b"-2"])]))
    assert info == f"pwdMaxFailure: -1 is out of range: allowed 0 to {INT} (0: never lock)"
    assert policy(a)["pwdMaxFailure"] == ["1"]


def test_min_length_above_max_length_refused(slapd):
    a = start(slapd, {"pwdMaxLength": "10"})
    info = refused(lambda: a.modify_s(POLICY, [(ldap.MOD_REPLACE, "pwdMinLength", [b"20"])]))
    assert info == "pwdMinLength (20) is greater than pwdMaxLength (10): no password could be set"
    # both in one change, either order of the values, and 0 (no maximum)
    a.modify_s(POLICY, [(ldap.MOD_REPLACE, "pwdMinLength", [b"20"]),
                        (ldap.MOD_REPLACE, "pwdMaxLength", [b"30"])])
    refused(lambda: a.modify_s(POLICY, [(ldap.MOD_REPLACE, "pwdMaxLength", [b"19"])]))
    a.modify_s(POLICY, [(ldap.MOD_REPLACE, "pwdMaxLength", [b"0"])])
    a.modify_s(POLICY, [(ldap.MOD_DELETE, "pwdMaxLength", None)])
    assert policy(a)["pwdMinLength"] == ["20"] and "pwdMaxLength" not in policy(a)
    entry = {"objectClass": [b"device", b"pwdPolicy"], "cn": [b"p3"],
             "pwdAttribute": [b"userPassword"], "pwdMinLength": [b"12"],
             "pwdMaxLength": [b"8"]}
    info = refused(lambda: a.add_s(f"cn=p3,ou=policies,{SUFFIX}", ldap.modlist.addModlist(entry)))
    assert "pwdMinLength (12) is greater than pwdMaxLength (8)" in info


def slapmodify(s, ldif):
    """Changes the database offline, past the overlay (as slapadd would)."""
    s.stop()
    p = subprocess.run(["slapmodify", "-q", "-f", str(s.conf), "-b", SUFFIX], input=ldif,
                       capture_output=True, text=True, env=s.env(), timeout=60)
    assert p.returncode == 0, p.stderr
    s.start()


def test_stored_negative_max_failure_still_locks(slapd):
    start(slapd, {"pwdMaxFailure": "3"})
    slapmodify(slapd, f"dn: {POLICY}\nchangetype: modify\nreplace: pwdMaxFailure\n"
                      "pwdMaxFailure: -1\n-\nreplace: pwdCheckQuality\npwdCheckQuality: 7\n")
    # read as 1, not as "never lock": one failure locks
    assert bind(slapd, "alice", "wrong-1")[0] == 49
    st = state(slapd, "alice")
    assert len(st.get("pwdAccountLockedTime", [])) == 1, st
    assert bind(slapd, "alice", USERPW)[0] == 49
    log = slapd.log_text()
    assert (f'policy "{POLICY}": pwdMaxFailure: the stored value -1 is out of range '
            f"(allowed 0 to {INT}); read as 1") in log
    assert "pwdCheckQuality: the stored value 7 is out of range (allowed 0 to 2); read as 2" in log


def forged(seedlen):
    """A well-formed wrapped value holding a seed of seedlen bytes."""
    return b"{WARDEN1}k1$" + base64.b64encode(os.urandom(12 + seedlen + 16))


def test_short_oath_secret_refused(slapd):
    a = start_totp(slapd)
    for n in (1, 8, 15):
        info = refused(lambda: enrol(slapd, "alice", os.urandom(n)))
        assert info == (f"oathSecret: the seed is {n} bytes; at least 16 bytes "
                        "(128 bits, RFC 4226) are required"), info
    # already wrapped: the ciphertext is as long as the seed
    info = refused(lambda: enrol(slapd, "alice", forged(10)))
    assert "the seed is 10 bytes; at least 16 bytes" in info
    info = refused(lambda: enrol(slapd, "alice", b"{WARDEN1}k1$notbase64!!"))
    assert info.startswith("oathSecret: corrupt wrapped secret"), info
    r = a.search_s(user_dn("alice"), ldap.SCOPE_BASE, attrlist=["oathSecret", "objectClass"])
    assert "oathSecret" not in r[0][1]
    # 16 bytes: accepted, wrapped, and usable
    seed = enrol(slapd, "alice", os.urandom(16))
    assert bind(slapd, "alice", USERPW + code(seed))[0] == 0
    # a short seed on replace too, and a good wrapped length passes
    info = refused(lambda: a.modify_s(user_dn("alice"),
                                      [(ldap.MOD_REPLACE, "oathSecret", [os.urandom(10)])]))
    assert "the seed is 10 bytes" in info
    a.modify_s(user_dn("alice"), [(ldap.MOD_REPLACE, "oathSecret", [forged(20)])])
