# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""Wrong one-time codes (issue 13): every distinct wrong code counts toward
lockout (only the same credential within one time step counts once), and,
whatever the password policy, an account that sent warden-code-max-failure
wrong codes is refused unchecked for a delay that doubles up to
warden-code-max-delay, kept across a restart, ended by a right code or an
administrator's unlock.  Codes from oathtool."""
import os
import subprocess
import time

import ldap
import ldap.modlist

from conftest import ROOTDN, ROOTPW, SUFFIX, USERPW, user_dn
from test_lockout import POLICY, bind, start, state
from test_totp import SEEDS, code, enrol, key_file

REFUSED_LOG = "refused unchecked:"


def start_codes(s, policy=None, extra="", users=("alice", "bob", "carol")):
    return start(s, policy, users=users,
                 extra=f"warden-key-file {key_file(s)}\n{extra}")


def wrong_codes(seed, n, period=30):
    """n different codes that no step from 3 before now to 6 after accepts."""
    now = time.time()
    right = {code_at(seed, now + k * period, period) for k in range(-3, 7)}
    out = []
    while len(out) < n:
        c = f"{int.from_bytes(os.urandom(4), 'big') % 10**6:06d}"
        if c not in right and c not in out:
            out.append(c)
    return out


def code_at(seed, at, period=30):
    if period == 30:
        return code(seed, at)
    return subprocess.run(["oathtool", "--totp", "-s", str(period), "-N", f"@{int(at)}",
                           seed.hex()], capture_output=True, text=True,
                          check=True).stdout.strip()


def wait_for_step_start(period, room):
    """Waits, if need be, until `room` seconds are left in the step."""
    left = period - time.time() % period
    if left < room:
        time.sleep(left + 0.05)


def refusals_logged(s):
    return s.log_text().count(REFUSED_LOG)


# -- every distinct wrong code counts toward lockout -------------------------

def test_repeated_wrong_codes_lock_once_their_step_has_passed(slapd):
    # right password, the same 4 wrong codes over and over: each code is a
    # new guess in each time step (it may be the right one then)
    a = start_codes(slapd, {"pwdMaxFailure": "5"})
    params = f"cn=totp2,ou=policies,{SUFFIX}"
    a.add_s(params, ldap.modlist.addModlist({
        "objectClass": [b"device", b"oathTOTPParams"], "cn": [b"totp2"], "oathOTPLength": [b"6"],
        "oathHMACAlgorithm": [b"1.2.840.113549.2.7"],
        "oathTOTPTimeStepPeriod": [b"2"]}))
    seed = enrol(slapd, "alice")
    a.modify_s(user_dn("alice"), [(ldap.MOD_ADD, "oathTOTPParams", [params.encode()])])
    four = wrong_codes(seed, 4, period=2)
    for rnd in range(3):
        step = int(time.time()) // 2
        for c in four:
            assert bind(slapd, "alice", USERPW + c)[0] == 49
        if rnd == 0:
            assert state(slapd, "alice")["wardenFailureCount"] == ["4"]
        # the next round in a later step
        time.sleep(max(0.0, (step + 1) * 2 - time.time()) + 0.05)
    st = state(slapd, "alice")
    assert st["wardenFailureCount"] == ["5"], st
    assert "pwdAccountLockedTime" in st, st
    # locked: the right code is refused too
    assert bind(slapd, "alice", USERPW + code_at(seed, time.time(), 2))[0] == 49


def test_same_credential_in_one_step_counts_once(slapd):
    start_codes(slapd, {"pwdMaxFailure": "5"})
    seed = enrol(slapd, "alice")
    wait_for_step_start(30, 4)
    # the same wrong password, no code: once
    for _ in range(4):
        assert bind(slapd, "alice", "Wrong-pass-1")[0] == 49
    assert state(slapd, "alice")["wardenFailureCount"] == ["1"]
    # the same password and wrong code, byte for byte, in one step: once
    w = wrong_codes(seed, 2)
    for _ in range(3):
        assert bind(slapd, "alice", USERPW + w[0])[0] == 49
    assert state(slapd, "alice")["wardenFailureCount"] == ["2"]
    # another code: another failure
    assert bind(slapd, "alice", USERPW + w[1])[0] == 49
    assert state(slapd, "alice")["wardenFailureCount"] == ["3"]


# -- wrong codes without a lockout policy ------------------------------------

def test_wrong_codes_delay_the_account_without_lockout(slapd):
    start_codes(slapd, {"pwdLockout": "FALSE"})
    seed = enrol(slapd, "alice")
    enrol(slapd, "bob")
    w = wrong_codes(seed, 5)
    # five wrong codes, with and without the right password
    for c in w[:3]:
        assert bind(slapd, "alice", USERPW + c)[0] == 49
    for c in w[3:]:
        assert bind(slapd, "alice", "Wrong-pass-1" + c)[0] == 49
    t5 = time.time()
    right = code(seed)
    # within the delay (1 s): the right password and code are refused,
    # unchecked, and the refusal is logged once with the time left
    assert bind(slapd, "alice", USERPW + right)[0] == 49
    assert bind(slapd, "alice", USERPW + right)[0] == 49
    assert time.time() - t5 < 1.0, "too slow to test a one-second delay"
    assert refusals_logged(slapd) == 1
    assert "5 wrong one-time codes; the next attempt is allowed in 0." in slapd.log_text()
    assert right not in slapd.log_text() and USERPW not in slapd.log_text()
    # other accounts are not affected
    assert bind(slapd, "bob", USERPW + code(SEEDS["bob"]))[0] == 0
    # after the delay, the same code (it was not used) is accepted
    time.sleep(max(0.0, t5 + 1.1 - time.time()))
    assert bind(slapd, "alice", USERPW + right)[0] == 0
    # that success cleared the count: four more wrong codes do not delay
    for c in w[:4]:
        assert bind(slapd, "alice", USERPW + c)[0] == 49
    assert bind(slapd, "alice", USERPW + code(seed, time.time() + 30))[0] == 0


def test_wrong_codes_delay_the_account_without_any_policy(slapd):
    start_codes(slapd)
    slapd.stop()
    slapd.write_conf(slapd.conf.read_text().replace(f"warden-default-policy {POLICY}\n", ""))
    slapd.start()
    seed = enrol(slapd, "alice")
    for c in wrong_codes(seed, 5):
        assert bind(slapd, "alice", USERPW + c)[0] == 49
    assert bind(slapd, "alice", USERPW + code(seed))[0] == 49
    # no policy: nothing was counted toward lockout
    assert "pwdAccountLockedTime" not in state(slapd, "alice")


def test_delay_doubles_to_the_cap_and_survives_a_restart(slapd):
    start_codes(slapd, {"pwdLockout": "FALSE"},
                extra="warden-code-max-failure 2\nwarden-code-max-delay 2\n")
    seed = enrol(slapd, "alice")
    w = wrong_codes(seed, 4)
    assert bind(slapd, "alice", USERPW + w[0])[0] == 49
    assert bind(slapd, "alice", USERPW + w[1])[0] == 49
    t = time.time()                       # 2 of 2: 1 s
    slapd.restart()
    time.sleep(max(0.0, t + 1.1 - time.time()))
    # the third wrong code: 2 s; had the restart forgotten the first two,
    # it would be the first and the right code would pass
    assert bind(slapd, "alice", USERPW + w[2])[0] == 49
    t = time.time()
    assert bind(slapd, "alice", USERPW + code(seed))[0] == 49
    time.sleep(max(0.0, t + 2.1 - time.time()))
    # the fourth: 4 s, capped at 2
    assert bind(slapd, "alice", USERPW + w[3])[0] == 49
    t = time.time()
    assert bind(slapd, "alice", USERPW + code(seed))[0] == 49
    time.sleep(max(0.0, t + 2.1 - time.time()))
    assert bind(slapd, "alice", USERPW + code(seed))[0] == 0
    assert "4 wrong one-time codes for" in slapd.log_text()


def test_unlock_ends_the_delay(slapd):
    start_codes(slapd, {"pwdLockout": "FALSE"}, extra="warden-code-max-failure 1\n")
    seed = enrol(slapd, "alice")
    for c, delay in zip(wrong_codes(seed, 3), (1, 2, 4)):
        assert bind(slapd, "alice", USERPW + c)[0] == 49
        t = time.time()
        if delay < 4:
            time.sleep(delay + 0.05)
    assert bind(slapd, "alice", USERPW + code(seed))[0] == 49      # 4 s
    p = subprocess.run(["ldapmodify", "-x", "-H", slapd.uri, "-D", ROOTDN, "-w", ROOTPW],
                       input=f"dn: {user_dn('alice')}\nchangetype: modify\n"
                             "replace: pwdAccountLockedTime\n",
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert bind(slapd, "alice", USERPW + code(seed))[0] == 0
    assert time.time() - t < 4, "too slow to tell"


def test_code_guard_settings_in_cn_config(slapd):
    start_codes(slapd, {"pwdLockout": "FALSE"})
    seed = enrol(slapd, "alice")
    dn = "olcOverlay={0}warden,olcDatabase={1}mdb,cn=config"
    slapd.stop()
    # slapd.conf -> slapd.d, as an administrator converts
    d = slapd.dir / "slapd.d"
    d.mkdir(mode=0o700)
    p = subprocess.run(["slaptest", "-f", str(slapd.conf), "-F", str(d)],
                       capture_output=True, text=True, env=slapd.env(), timeout=60)
    assert p.returncode == 0, p.stderr
    slapd.confdir, slapd.conf = d, None
    slapd.start()

    def mod(attr, value):
        return slapd.ldapmodify(f"dn: {dn}\nchangetype: modify\nreplace: {attr}\n"
                                f"{attr}: {value}\n")

    for attr, bad, text in [
            ("olcWardenCodeMaxFailure", "1001", "is not a number of wrong codes from 0"),
            ("olcWardenCodeMaxDelay", "0", "is not a delay in seconds from 1 to 86400"),
            ("olcWardenCodeMaxDelay", "86401", "is not a delay in seconds from 1 to 86400"),
            ("olcWardenThrottleIPv6Prefix", "129", "is not an IPv6 prefix length from 16 to 128"),
            ("olcWardenThrottleIPv6Prefix", "8", "is not an IPv6 prefix length from 16 to 128")]:
        rc, out = mod(attr, bad)
        assert rc != 0 and text in out, (attr, bad, out)
    rc, out = mod("olcWardenCodeMaxFailure", "1")
    assert rc == 0, out
    rc, out = mod("olcWardenThrottleIPv6Prefix", "56")
    assert rc == 0, out
    res = slapd.config().search_s(dn, ldap.SCOPE_BASE, attrlist=[
        "olcWardenCodeMaxFailure", "olcWardenCodeMaxDelay", "olcWardenThrottleIPv6Prefix"])
    assert res[0][1] == {"olcWardenCodeMaxFailure": [b"1"],
                         "olcWardenThrottleIPv6Prefix": [b"56"]}, res
    # live: one wrong code delays now
    assert bind(slapd, "alice", USERPW + wrong_codes(seed, 1)[0])[0] == 49
    assert bind(slapd, "alice", USERPW + code(seed))[0] == 49
    # 0 turns the limit off
    rc, out = mod("olcWardenCodeMaxFailure", "0")
    assert rc == 0, out
    assert bind(slapd, "alice", USERPW + code(seed))[0] == 0
