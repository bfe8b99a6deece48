# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""TOTP and HOTP at bind: the password followed by the code, checked with
codes from oathtool; replay refused (also under concurrency and across a
restart); failures count toward lockout; secrets wrapped at rest; raw
secrets of an otp.la deployment keep working and get wrapped."""
import base64
import os
import signal
import subprocess
import threading
import time

import ldap
import ldap.modlist
import pytest
from ldap.controls.ppolicy import PasswordPolicyControl

from conftest import ROOTDN, SUFFIX, USERPW, free_port, user_dn
from test_lockout import bind, start, state

KEY = "k1 " + "3c" * 32 + "\n"
SEEDS = {u: bytes([i + 1]) * 3 + os.urandom(17) for i, u in enumerate(("alice", "bob", "carol"))}


def key_file(s):
    p = s.dir / "warden.key"
    p.write_text(KEY)
    os.chmod(p, 0o600)
    return p


def code(seed, at=None, hotp_counter=None, digits=6):
    cmd = ["oathtool", "-d", str(digits)]
    if hotp_counter is not None:
        cmd += ["--hotp", "-c", str(hotp_counter)]
    else:
        cmd += ["--totp"]
        if at is not None:
            cmd += ["-N", f"@{int(at)}"]
    return subprocess.run(cmd + [seed.hex()], capture_output=True, text=True,
                          check=True).stdout.strip()


def enrol(s, u, seed=None, kind="TOTP"):
    """Makes the user entry its own token, as otp.la allows."""
    seed = seed or SEEDS[u]
    s.admin().modify_s(user_dn(u), [
        (ldap.MOD_ADD, "objectClass", [f"oath{kind}User".encode(), f"oath{kind}Token".encode()]),
        (ldap.MOD_ADD, f"oath{kind}Token", [user_dn(u).encode()]),
        (ldap.MOD_ADD, "oathSecret", [seed])])
    return seed


def start_totp(s, policy=None, users=("alice", "bob", "carol"), extra="", **kw):
    a = start(s, {"pwdMaxFailure": "5", **(policy or {})}, users=users,
              extra=f"warden-key-file {key_file(s)}\n{extra}", **kw)
    return a


def stored_secret(s, u):
    return s.admin().search_s(user_dn(u), ldap.SCOPE_BASE, attrlist=["oathSecret"])[0][1][
        "oathSecret"][0]


def test_password_and_code_once(slapd):
    start_totp(slapd)
    seed = enrol(slapd, "alice")
    c = code(seed)
    assert bind(slapd, "alice", USERPW + c)[0] == 0
    assert bind(slapd, "alice", USERPW + c)[0] == 49          # replay
    assert bind(slapd, "alice", USERPW)[0] == 49              # password alone
    assert bind(slapd, "alice", "Wrong-pass-1" + code(seed))[0] == 49
    assert bind(slapd, "alice", USERPW + "12345x")[0] == 49   # not digits
    assert bind(slapd, "alice", c)[0] == 49                   # code alone
    # users without a token are not affected
    assert bind(slapd, "bob", USERPW)[0] == 0
    log = slapd.log_text()
    assert "replayed one-time code" in log
    assert c not in log and USERPW not in log


def test_secret_wrapped_at_rest(slapd):
    start_totp(slapd)
    seed = enrol(slapd, "alice")
    v = stored_secret(slapd, "alice")
    assert v.startswith(b"{WARDEN1}k1$") and seed not in v
    slapd.stop()
    dump = subprocess.run(["slapcat", "-f", str(slapd.conf), "-b", SUFFIX],
                          capture_output=True, env=slapd.env(), timeout=60).stdout
    for blob in (dump, (slapd.db / "data.mdb").read_bytes()):
        assert seed not in blob and base64.b64encode(seed) not in blob
        assert seed.hex().encode() not in blob
    slapd.start()
    assert bind(slapd, "alice", USERPW + code(seed))[0] == 0


def test_replay_refused_after_restart(slapd):
    start_totp(slapd)
    seed = enrol(slapd, "alice")
    c = code(seed)
    assert bind(slapd, "alice", USERPW + c)[0] == 0
    slapd.restart()
    assert bind(slapd, "alice", USERPW + c)[0] == 49


# Where a used step is made durable depends on replication (totp.c): on a
# server that does not replicate, warden's store alone, flushed before the
# answer; with syncprov, the token entry's back-mdb commit (flushed), the
# store committing without a flush.  Both must hold the same guarantee.
MODES = {"standalone": {},
         "replicated": {"modules": ["syncprov.la"], "db_extra": "overlay syncprov\n"}}


def concurrent_binds(s, u, cred, n=20):
    """Result codes of n binds with one credential, released together."""
    results = []
    barrier = threading.Barrier(n)

    def worker():
        c = ldap.initialize(s.uri)
        c.set_option(ldap.OPT_NETWORK_TIMEOUT, 10)
        barrier.wait()
        try:
            c.simple_bind_s(user_dn(u), cred)
            results.append(0)
        except ldap.INVALID_CREDENTIALS:
            results.append(49)
        finally:
            c.unbind_s()

    ts = [threading.Thread(target=worker) for _ in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return sorted(results)


def fresh_step(seed):
    """A code of a step with at least 5 s left, and its time: a test that
    restarts slapd must not see its step end meanwhile (the window would
    still take it, but not an earlier step's)."""
    if 30 - time.time() % 30 < 5:
        time.sleep(30 - time.time() % 30 + 0.1)
    now = time.time()
    return code(seed, now), now


@pytest.mark.parametrize("mode", MODES)
def test_twenty_concurrent_binds_one_code_one_success(slapd, mode):
    start_totp(slapd, **MODES[mode])
    seed = enrol(slapd, "alice")
    assert concurrent_binds(slapd, "alice", USERPW + code(seed)) == [0] + [49] * 19


@pytest.mark.parametrize("mode", MODES)
def test_replay_refused_after_kill_9(slapd, mode):
    """kill -9 right after the one success: the used step survives in the
    page cache (the store's commit) and, replicated, in the entry."""
    start_totp(slapd, **MODES[mode])
    seed = enrol(slapd, "alice")
    c, now = fresh_step(seed)
    assert concurrent_binds(slapd, "alice", USERPW + c) == [0] + [49] * 19
    slapd.proc.send_signal(signal.SIGKILL)
    slapd.proc.wait(10)
    slapd.proc = None
    slapd.start()
    assert concurrent_binds(slapd, "alice", USERPW + c) == [49] * 20
    # the next step is good, once
    assert concurrent_binds(slapd, "alice", USERPW + code(seed, now + 30)) == [0] + [49] * 19


@pytest.mark.parametrize("mode", MODES)
def test_step_in_the_entry_only_where_it_replicates(slapd, mode):
    """The step goes into oathTOTPLastTimeStep where other servers read it;
    a server that does not replicate keeps it in its store alone."""
    start_totp(slapd, **MODES[mode])
    seed = enrol(slapd, "alice")
    c, now = fresh_step(seed)
    assert bind(slapd, "alice", USERPW + c)[0] == 0
    v = slapd.admin().search_s(user_dn("alice"), ldap.SCOPE_BASE,
                               attrlist=["oathTOTPLastTimeStep"])[0][1]
    if mode == "replicated":
        assert int(v["oathTOTPLastTimeStep"][0]) == int(now) // 30
    else:
        assert "oathTOTPLastTimeStep" not in v
    slapd.restart()
    assert bind(slapd, "alice", USERPW + c)[0] == 49


def test_step_in_the_entry_alone_is_enough(slapd):
    """The replay check reads the entry's step as well as the store's: a
    replicated server whose store lost the step (power loss before the
    store's flush; here the store deleted) still refuses the code."""
    start_totp(slapd, **MODES["replicated"])
    seed = enrol(slapd, "alice")
    c, now = fresh_step(seed)
    assert bind(slapd, "alice", USERPW + c)[0] == 0
    slapd.stop()
    for f in slapd.state.iterdir():
        f.unlink()
    slapd.start()
    assert bind(slapd, "alice", USERPW + c)[0] == 49
    assert bind(slapd, "alice", USERPW + code(seed, now + 30))[0] == 0


def test_window_and_drift(slapd):
    start_totp(slapd)
    now = time.time()
    seed = enrol(slapd, "alice")
    assert bind(slapd, "alice", USERPW + code(seed, now - 30))[0] == 0   # one step back
    seed = enrol(slapd, "bob")
    assert bind(slapd, "bob", USERPW + code(seed, now - 120))[0] == 49   # four steps back
    seed = enrol(slapd, "carol")
    assert bind(slapd, "carol", USERPW + code(seed, now + 30))[0] == 0   # one ahead
    # after a success, an earlier step is refused even inside the window
    assert bind(slapd, "carol", USERPW + code(seed, now))[0] == 49


def test_failed_codes_count_toward_lockout(slapd):
    start_totp(slapd, {"pwdMaxFailure": "3"})
    seed = enrol(slapd, "alice")
    for i in range(3):
        assert bind(slapd, "alice", USERPW + f"{(int(code(seed)) + 1 + i) % 10**6:06d}")[0] == 49
    # locked: the right password and code are refused too
    assert bind(slapd, "alice", USERPW + code(seed))[0] == 49
    res = slapd.admin().search_s(user_dn("alice"), ldap.SCOPE_BASE, attrlist=["pwdAccountLockedTime"])
    assert "pwdAccountLockedTime" in res[0][1]


def test_hotp_token(slapd):
    start_totp(slapd)
    seed = enrol(slapd, "alice", kind="HOTP")
    assert bind(slapd, "alice", USERPW + code(seed, hotp_counter=0))[0] == 0
    assert bind(slapd, "alice", USERPW + code(seed, hotp_counter=0))[0] == 49
    assert bind(slapd, "alice", USERPW + code(seed, hotp_counter=3))[0] == 0   # look-ahead
    assert bind(slapd, "alice", USERPW + code(seed, hotp_counter=2))[0] == 49
    # not replicated: the counter is in warden's store alone (see
    # test_step_in_the_entry_only_where_it_replicates), kept across restarts
    r = slapd.admin().search_s(user_dn("alice"), ldap.SCOPE_BASE, attrlist=["oathHOTPCounter"])
    assert "oathHOTPCounter" not in r[0][1]
    slapd.restart()
    assert bind(slapd, "alice", USERPW + code(seed, hotp_counter=3))[0] == 49
    assert bind(slapd, "alice", USERPW + code(seed, hotp_counter=4))[0] == 0


def test_hotp_counter_in_the_entry_where_it_replicates(slapd):
    start_totp(slapd, **MODES["replicated"])
    seed = enrol(slapd, "alice", kind="HOTP")
    assert bind(slapd, "alice", USERPW + code(seed, hotp_counter=3))[0] == 0
    r = slapd.admin().search_s(user_dn("alice"), ldap.SCOPE_BASE, attrlist=["oathHOTPCounter"])
    assert r[0][1]["oathHOTPCounter"] == [b"3"]


def test_params_entry_sha256_eight_digits(slapd):
    a = start_totp(slapd)
    params = f"cn=totp8,ou=policies,{SUFFIX}"
    a.add_s(params, ldap.modlist.addModlist({
        "objectClass": [b"device", b"oathTOTPParams"], "cn": [b"totp8"],
        "oathOTPLength": [b"8"], "oathHMACAlgorithm": [b"1.2.840.113549.2.9"],
        "oathTOTPTimeStepPeriod": [b"60"]}))
    seed = enrol(slapd, "alice")
    a.modify_s(user_dn("alice"), [(ldap.MOD_ADD, "oathTOTPParams", [params.encode()])])
    c8 = subprocess.run(["oathtool", "--totp=sha256", "-d", "8", "-s", "60", seed.hex()],
                        capture_output=True, text=True, check=True).stdout.strip()
    assert bind(slapd, "alice", USERPW + code(seed))[0] == 49
    assert bind(slapd, "alice", USERPW + c8)[0] == 0


def test_raw_secret_of_otp_la_works_then_is_wrapped(slapd):
    start_totp(slapd, users=("alice",))
    slapd.stop()
    seed = os.urandom(20)
    dn = f"uid=dave,ou=people,{SUFFIX}"
    ldif = (f"dn: {dn}\nobjectClass: inetOrgPerson\nobjectClass: oathTOTPUser\n"
            f"objectClass: oathTOTPToken\nuid: dave\ncn: dave\nsn: d\n"
            f"userPassword: {subprocess.run(['slappasswd', '-s', USERPW], capture_output=True, text=True).stdout.strip()}\n"
            f"oathTOTPToken: {dn}\noathSecret:: {base64.b64encode(seed).decode()}\n")
    p = subprocess.run(["slapadd", "-q", "-f", str(slapd.conf), "-b", SUFFIX],
                       input=ldif, capture_output=True, text=True, env=slapd.env(), timeout=60)
    assert p.returncode == 0, p.stderr
    slapd.start()
    a = slapd.admin()
    assert a.search_s(dn, ldap.SCOPE_BASE, attrlist=["oathSecret"])[0][1]["oathSecret"][0] == seed
    c = ldap.initialize(slapd.uri)
    c.simple_bind_s(dn, USERPW + code(seed))
    v = a.search_s(dn, ldap.SCOPE_BASE, attrlist=["oathSecret", "oathTOTPLastTimeStep"])[0][1]
    assert v["oathSecret"][0].startswith(b"{WARDEN1}k1$")
    assert int(v["oathTOTPLastTimeStep"][0]) == int(time.time()) // 30 or \
        int(v["oathTOTPLastTimeStep"][0]) == int(time.time()) // 30 - 1


def test_missing_key_and_corrupt_secret_refuse_with_a_log_line(slapd):
    start_totp(slapd)
    seed = enrol(slapd, "alice")
    enrol(slapd, "bob")
    # well-formed (a malformed one is refused when written) but not
    # wrapped by this key for this entry
    forged = b"{WARDEN1}k1$" + base64.b64encode(os.urandom(12 + 20 + 16))
    slapd.admin().modify_s(user_dn("bob"), [(ldap.MOD_REPLACE, "oathSecret", [forged])])
    assert bind(slapd, "bob", USERPW + code(SEEDS["bob"]))[0] == 49
    assert "cannot use its one-time code token" in slapd.log_text()
    # without the key file, wrapped secrets cannot be read
    slapd.stop()
    slapd.write_conf(slapd.conf.read_text().replace(f"warden-key-file {slapd.dir}/warden.key\n", ""))
    slapd.start()
    assert bind(slapd, "alice", USERPW + code(seed))[0] == 49
    assert "no key" in slapd.log_text().lower() or "key" in slapd.log_text()
    # and new secrets are not stored in clear
    with pytest.raises(ldap.UNWILLING_TO_PERFORM) as ex:
        enrol(slapd, "carol")
    assert "warden-key-file is not set" in ex.value.args[0]["info"]


def test_new_secret_starts_anew_and_delete_forgets(slapd):
    start_totp(slapd)
    seed = enrol(slapd, "alice")
    assert bind(slapd, "alice", USERPW + code(seed))[0] == 0
    new = os.urandom(20)
    slapd.admin().modify_s(user_dn("alice"), [(ldap.MOD_REPLACE, "oathSecret", [new])])
    assert bind(slapd, "alice", USERPW + code(seed))[0] == 49
    assert bind(slapd, "alice", USERPW + code(new, time.time() + 30))[0] == 0


def recovery_set(codes, iterations=1000):
    """Stored forms of recovery codes, as overlay/lib/recovery.h defines them."""
    import hashlib
    salt = os.urandom(16)
    out = []
    for i, c in enumerate(codes):
        norm = c.replace("-", "").lower().encode()
        h = hashlib.pbkdf2_hmac("sha256", norm, salt, iterations, 32)
        out.append(f"{{WARDENRC1}}{i}${iterations}${salt.hex()}${h.hex()}".encode())
    return out


def test_recovery_code_once_in_place_of_a_code(slapd):
    start_totp(slapd)
    enrol(slapd, "alice")
    codes = ["k7fq2-xm9ab", "abcde-fghij", "23456-789ab"]
    slapd.admin().modify_s(user_dn("alice"), [
        (ldap.MOD_ADD, "objectClass", [b"wardenMFAUser"]),
        (ldap.MOD_ADD, "wardenRecoveryCode", recovery_set(codes))])
    assert bind(slapd, "alice", USERPW + codes[1])[0] == 0
    assert bind(slapd, "alice", USERPW + codes[1])[0] == 49          # once
    assert bind(slapd, "alice", USERPW + codes[0].upper().replace("-", "-"))[0] == 0
    assert bind(slapd, "alice", "Wrong-pass-1" + codes[2])[0] == 49
    assert bind(slapd, "alice", USERPW + "zzzzz-zzzzz")[0] == 49
    assert "bound with a recovery code (9 left)" in slapd.log_text()
    assert codes[1] not in slapd.log_text()
    # a new secret by hand leaves the used codes used
    slapd.admin().modify_s(user_dn("alice"), [(ldap.MOD_REPLACE, "oathSecret", [os.urandom(20)])])
    assert bind(slapd, "alice", USERPW + codes[1])[0] == 49
    assert bind(slapd, "alice", USERPW + codes[2])[0] == 0


def test_mfa_required_by_policy_and_by_nested_group(slapd):
    a = start_totp(slapd, {"wardenMFAGroup": f"cn=admins,ou=groups,{SUFFIX}"})
    a.add_s(f"ou=groups,{SUFFIX}", [("objectClass", [b"organizationalUnit"]), ("ou", [b"groups"])])
    a.add_s(f"cn=admins,ou=groups,{SUFFIX}", ldap.modlist.addModlist({
        "objectClass": [b"groupOfNames"], "cn": [b"admins"],
        "member": [f"cn=ops,ou=groups,{SUFFIX}".encode()]}))
    a.add_s(f"cn=ops,ou=groups,{SUFFIX}", ldap.modlist.addModlist({
        "objectClass": [b"groupOfNames"], "cn": [b"ops"],
        "member": [user_dn("alice").encode()]}))
    # alice is in ops, which is in admins: required, and she has no token
    c = ldap.initialize(slapd.uri)
    with pytest.raises(ldap.INVALID_CREDENTIALS) as ex:
        c.simple_bind_s(user_dn("alice"), USERPW)
    assert "enrolment of a one-time code token is required" in ex.value.args[0].get("info", "")
    # a wrong password does not learn that
    with pytest.raises(ldap.INVALID_CREDENTIALS) as ex:
        c.simple_bind_s(user_dn("alice"), "Wrong-pass-1")
    assert not ex.value.args[0].get("info")
    # bob is in no group
    assert bind(slapd, "bob", USERPW)[0] == 0
    # once enrolled, alice binds with a code
    seed = enrol(slapd, "alice")
    assert bind(slapd, "alice", USERPW + code(seed))[0] == 0
    # a policy that requires MFA of everyone
    a.modify_s(f"cn=default,ou=policies,{SUFFIX}", [
        (ldap.MOD_ADD, "wardenMFARequired", [b"TRUE"])])
    assert bind(slapd, "bob", USERPW)[0] == 49


def test_grace_period_lets_users_enrol_first(slapd):
    start_totp(slapd, {"wardenMFARequired": "TRUE", "wardenMFAGracePeriod": "3"})
    assert bind(slapd, "alice", USERPW)[0] == 0
    assert "must enrol a one-time code token within" in slapd.log_text()
    time.sleep(3.5)
    assert bind(slapd, "alice", USERPW)[0] == 49
    # the grace started at alice's first bind, not bob's
    assert bind(slapd, "bob", USERPW)[0] == 0


def pp_bind(s, u, cred, uri=None):
    """A bind with the password policy request control: (connection, the
    ppolicy errors of the response) or the exception's class."""
    c = ldap.initialize(uri or s.uri)
    try:
        msgid = c.simple_bind(user_dn(u), cred, serverctrls=[PasswordPolicyControl()])
        _, _, _, ctrls = c.result3(msgid)
    except ldap.LDAPError as e:
        return None, type(e)
    return c, [x.error for x in ctrls if isinstance(x, PasswordPolicyControl)]


def reuse_listener(s):
    """A second listener for start_totp(..., extra=...): the one
    warden-code-reuse-listener names.  Returns (its URI, the extra line)."""
    uri = f"ldap://127.0.0.1:{free_port()}/"
    s.more_urls.append(uri)
    return uri, f"warden-code-reuse-listener {uri}\n"


def test_password_change_may_reuse_the_code_once_connection_limited(slapd):
    pw_uri, extra = reuse_listener(slapd)
    start_totp(slapd, extra=extra)
    seed = enrol(slapd, "alice")
    cred = USERPW + code(seed)
    c, errs = pp_bind(slapd, "alice", cred, pw_uri)
    assert errs == []
    # the client binds again with what the user typed, to change the
    # password, once the user has typed the new one (or at once: a script)
    c, errs = pp_bind(slapd, "alice", cred, pw_uri)
    # told as a reset user is: a PAM client makes it "change your password
    # now", not a login
    assert errs == [2], errs                     # changeAfterReset
    with pytest.raises(ldap.INSUFFICIENT_ACCESS) as ex:
        c.search_s(SUFFIX, ldap.SCOPE_SUBTREE, "(uid=bob)")
    assert "reused a one-time code" in ex.value.args[0]["info"]
    # PAM clients send what the user typed as the old password
    c.passwd_s(user_dn("alice"), cred, "Maple-Syrup-42x")
    # still limited after the change: the reuse is no login
    with pytest.raises(ldap.INSUFFICIENT_ACCESS):
        c.search_s(SUFFIX, ldap.SCOPE_SUBTREE, "(uid=bob)")
    c.unbind_s()
    assert "reused a one-time code" in slapd.log_text()


def test_code_reuse_limits(slapd):
    pw_uri, extra = reuse_listener(slapd)
    start_totp(slapd, extra=extra)
    seed = enrol(slapd, "alice")
    cred = USERPW + code(seed)
    # a login on the ordinary listener leaves nothing to reuse, there or
    # on the reuse listener, at once or later
    assert bind(slapd, "alice", cred)[0] == 0
    assert bind(slapd, "alice", cred)[0] == 49
    assert bind(slapd, "alice", cred, uri=pw_uri)[0] == 49
    time.sleep(1.1)
    assert bind(slapd, "alice", cred)[0] == 49
    assert bind(slapd, "alice", cred, uri=pw_uri)[0] == 49

    seed = enrol(slapd, "bob")
    cred = USERPW + code(seed)
    assert bind(slapd, "bob", cred, uri=pw_uri)[0] == 0
    # not on another listener, nor from another address (ldapi is both)
    assert bind(slapd, "bob", cred)[0] == 49
    assert bind(slapd, "bob", cred, uri=slapd.ldapi)[0] == 49
    # one reuse, at once (a script answering passwd's prompts), then no
    # more: a replayed login ("change your password now") cannot be
    # followed by the forced change's bind
    assert bind(slapd, "bob", cred, uri=pw_uri)[0] == 0
    assert bind(slapd, "bob", cred, uri=pw_uri)[0] == 49
    assert "reused a one-time code" in slapd.log_text()


def test_no_reuse_without_a_reuse_listener(slapd):
    start_totp(slapd)
    seed = enrol(slapd, "alice")
    cred = USERPW + code(seed)
    assert bind(slapd, "alice", cred)[0] == 0
    assert bind(slapd, "alice", cred)[0] == 49
    time.sleep(1.1)
    assert bind(slapd, "alice", cred)[0] == 49
    assert "reused a one-time code" not in slapd.log_text()
    # a bad listener URL is refused, naming what to fix
    rc, out = slapd.ldapmodify(
        "dn: olcOverlay={0}warden,olcDatabase={1}mdb,cn=config\nchangetype: modify\n"
        "add: olcWardenCodeReuseListener\nolcWardenCodeReuseListener: 127.0.0.1:3891\n")
    assert rc != 0 and "is not an ldap://, ldaps:// or ldapi:// URL" in out, out
    # set live, read back
    rc, out = slapd.ldapmodify(
        "dn: olcOverlay={0}warden,olcDatabase={1}mdb,cn=config\nchangetype: modify\n"
        f"add: olcWardenCodeReuseListener\nolcWardenCodeReuseListener: {slapd.uri}\n")
    assert rc == 0, out
    cfg = slapd.config()
    got = cfg.search_s("olcOverlay={0}warden,olcDatabase={1}mdb,cn=config", ldap.SCOPE_BASE,
                       attrlist=["olcWardenCodeReuseListener"])
    assert got[0][1]["olcWardenCodeReuseListener"] == [slapd.uri.encode()]
    cred = USERPW + code(seed, time.time() + 30)
    assert bind(slapd, "alice", cred)[0] == 0
    assert bind(slapd, "alice", cred)[0] == 0           # now reused


def test_two_reuses_after_a_first_use_that_must_change(slapd):
    # a first login after a reset must change the password; sssd's forced
    # change binds twice more with what the user typed (check, change),
    # on its ldap_chpass_uri
    pw_uri, extra = reuse_listener(slapd)
    start_totp(slapd, {"pwdMustChange": "TRUE"}, extra=extra)
    seed = enrol(slapd, "alice")
    slapd.admin().passwd_s(user_dn("alice"), None, "Temporary-Start-58k")
    cred = "Temporary-Start-58k" + code(seed)
    c, errs = pp_bind(slapd, "alice", cred)
    assert errs == [2]
    c, errs = pp_bind(slapd, "alice", cred, pw_uri)         # the check
    assert errs == [2]
    c, errs = pp_bind(slapd, "alice", cred, pw_uri)         # the change
    assert errs == [2]
    c.passwd_s(user_dn("alice"), cred, "Chosen-By-Me-73q")
    _, errs = pp_bind(slapd, "alice", cred, pw_uri)
    assert errs is ldap.INVALID_CREDENTIALS
    # the new password, with the next code: an ordinary login
    c, errs = pp_bind(slapd, "alice", "Chosen-By-Me-73q" + code(seed, time.time() + 30))
    assert errs == [] and c.search_s(SUFFIX, ldap.SCOPE_SUBTREE, "(uid=bob)")


def test_old_password_with_code_in_password_modify(slapd):
    start_totp(slapd)
    seed = enrol(slapd, "alice")
    cred = USERPW + code(seed)
    c = slapd.conn(user_dn("alice"), cred)
    with pytest.raises(ldap.UNWILLING_TO_PERFORM):
        c.passwd_s(user_dn("alice"), "Wrong-pass-1" + code(seed), "Maple-Syrup-42x")
    c.passwd_s(user_dn("alice"), cred, "Maple-Syrup-42x")
    assert bind(slapd, "alice", "Maple-Syrup-42x" + code(seed, time.time() + 30))[0] == 0


def test_separate_token_entry_deleted_with_its_user(slapd):
    a = start_totp(slapd)
    a.add_s(f"ou=tokens,{SUFFIX}", [("objectClass", [b"organizationalUnit"]), ("ou", [b"tokens"])])
    tok = f"cn=alice-phone,ou=tokens,{SUFFIX}"
    seed = os.urandom(20)
    a.add_s(tok, ldap.modlist.addModlist({
        "objectClass": [b"device", b"oathTOTPToken"], "cn": [b"alice-phone"],
        "oathSecret": [seed]}))
    a.modify_s(user_dn("alice"), [
        (ldap.MOD_ADD, "objectClass", [b"oathTOTPUser"]),
        (ldap.MOD_ADD, "oathTOTPToken", [tok.encode()])])
    assert a.search_s(tok, ldap.SCOPE_BASE, attrlist=["oathSecret"])[0][1][
        "oathSecret"][0].startswith(b"{WARDEN1}")
    assert bind(slapd, "alice", USERPW + code(seed))[0] == 0
    a.delete_s(user_dn("alice"))
    with pytest.raises(ldap.NO_SUCH_OBJECT):
        a.search_s(tok, ldap.SCOPE_BASE)


def test_success_with_a_code_clears_the_failures(slapd):
    # warden answers a bind with a code itself; its success must still
    # reach the lockout engine (it did not: overlay_op_walk unlinks the
    # callback of an overlay that ends the walk before the frontend sends
    # the success)
    start_totp(slapd, {"pwdMaxFailure": "3"})
    seed = enrol(slapd, "alice")
    now = time.time()
    for i in range(2):
        assert bind(slapd, "alice", f"Wrong-pass-{i}" + code(seed, now))[0] == 49
    assert state(slapd, "alice")["wardenFailureCount"] == ["2"]
    assert bind(slapd, "alice", USERPW + code(seed, now))[0] == 0
    st = state(slapd, "alice")
    assert st["wardenFailureCount"] == ["0"] and "wardenLastSuccess" in st, st
    # two more failures do not lock: the count started again
    for i in range(2, 4):
        assert bind(slapd, "alice", f"Wrong-pass-{i}" + code(seed, now))[0] == 49
    assert bind(slapd, "alice", USERPW + code(seed, now + 30))[0] == 0


def test_reset_password_with_a_code_must_be_changed(slapd):
    # pwdReset binds with a code: changeAfterReset and the restriction,
    # as without a token (they were skipped: the same lost callback)
    start_totp(slapd, {"pwdMustChange": "TRUE"})
    seed = enrol(slapd, "alice")
    slapd.admin().passwd_s(user_dn("alice"), None, "Temporary-Start-58k")
    c = ldap.initialize(slapd.uri)
    msgid = c.simple_bind(user_dn("alice"), "Temporary-Start-58k" + code(seed),
                          serverctrls=[PasswordPolicyControl()])
    _, _, _, ctrls = c.result3(msgid)
    assert [x.error for x in ctrls if isinstance(x, PasswordPolicyControl)] == [2]
    with pytest.raises(ldap.INSUFFICIENT_ACCESS) as ex:
        c.search_s(SUFFIX, ldap.SCOPE_SUBTREE, "(uid=bob)")
    assert "reset by an administrator" in ex.value.args[0]["info"]
    # the old password as typed (with the code) changes it; lifted then
    c.passwd_s(user_dn("alice"), "Temporary-Start-58k" + code(seed), "Chosen-By-Me-73q")
    assert c.search_s(SUFFIX, ldap.SCOPE_SUBTREE, "(uid=bob)")


def test_wardenctl_rewraps_raw_secrets(slapd):
    start_totp(slapd, users=("alice",))
    slapd.stop()
    seed = os.urandom(20)
    dn = f"uid=erin,ou=people,{SUFFIX}"
    ldif = (f"dn: {dn}\nobjectClass: inetOrgPerson\nobjectClass: oathTOTPUser\n"
            f"objectClass: oathTOTPToken\nuid: erin\ncn: erin\nsn: e\n"
            f"oathTOTPToken: {dn}\noathSecret:: {base64.b64encode(seed).decode()}\n")
    p = subprocess.run(["slapadd", "-q", "-f", str(slapd.conf), "-b", SUFFIX],
                       input=ldif, capture_output=True, text=True, env=slapd.env(), timeout=60)
    assert p.returncode == 0, p.stderr
    slapd.start()
    from conftest import ROOTPW
    p = subprocess.run([os.environ["WARDENCTL"], "-H", slapd.uri, "-D", ROOTDN, "-w", ROOTPW,
                        "totp", "rewrap", SUFFIX], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "1 secret(s) wrapped now" in p.stdout
    v = slapd.admin().search_s(dn, ldap.SCOPE_BASE, attrlist=["oathSecret"])[0][1]["oathSecret"][0]
    assert v.startswith(b"{WARDEN1}k1$") and seed not in v
    c = ldap.initialize(slapd.uri)
    with pytest.raises(ldap.INVALID_CREDENTIALS):
        c.simple_bind_s(dn, "no-password" + code(seed))   # erin has no password
