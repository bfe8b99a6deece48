# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""No way around warden (issue 13): every path that can tell whether a
password is right passes the one credential check.  SASL PLAIN gets what a
simple bind gets; mechanisms that need the stored secret never verify
warden's entries; EXTERNAL passes lockout, access and MFA; Password Modify's
old password counts like a bind; compares and filters on secrets are
refused; concurrent guesses never exceed pwdMaxFailure verifications."""
import os
import random
import subprocess
import threading
import time

import ldap
import pytest

from conftest import PEERCRED_ROOT, PRELOAD, ROOTDN, ROOTPW, SUFFIX, USERPW, user_dn
from test_audit import KEY, find, records
from test_lockout import bind, start, state
from test_totp import code, enrol

# SASL names of both forms ("uid=kate,cn=plain,cn=auth" and with a realm),
# and root over ldapi, map into the suffix (EXTERNAL as "alice").
SASL_CONF = (
    'authz-regexp "^uid=([^,]*),(cn=[^,]*,)?cn=[^,]*,cn=auth$" '
    f'"uid=$1,ou=people,{SUFFIX}"\n'
    f'authz-regexp "^{PEERCRED_ROOT.replace("+", "[+]")}$" "{user_dn("alice")}"\n'
    "sasl-secprops none\n")
CLEAR = "Clear-pass-2026!"


def have_sasl_mech(mech):
    return any(os.path.exists(f"/usr/lib/x86_64-linux-gnu/sasl2/lib{m}.so")
               for m in (mech.lower(), mech.lower().replace("-", "")))


def start_sasl(s, policy=None, extra="", **kw):
    key = s.dir / "warden.key"
    key.write_text(KEY)
    os.chmod(key, 0o600)
    audit = s.dir / "audit.log"
    a = start(s, {"pwdMaxFailure": "3", **(policy or {})}, global_extra=SASL_CONF,
              extra=f"warden-key-file {key}\nwarden-audit-file {audit}\n"
                    f"warden-audit-aggregate 0\n{extra}", **kw)   # a record per bind
    return a, audit


def sasl_bind(s, mech, user, pw, uri=None):
    """(exit code, output) of ldapwhoami with a SASL mechanism."""
    p = subprocess.run(["ldapwhoami", "-H", uri or s.uri, "-Y", mech, "-U", user,
                        "-w", pw, "-O", "none"],
                       capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout + p.stderr


def failures(s, u):
    return int(state(s, u).get("wardenFailureCount", ["0"])[0])


def test_sasl_plain_gets_what_a_simple_bind_gets(slapd):
    a, audit = start_sasl(slapd)
    rc, out = sasl_bind(slapd, "PLAIN", "alice", USERPW)
    assert rc == 0 and f"dn:{user_dn('alice')}" in out, out
    # a wrong password is counted, as at a simple bind
    rc, out = sasl_bind(slapd, "PLAIN", "bob", "Wrong-pass-1")
    assert rc != 0 and "Invalid credentials (49)" in out, out
    assert failures(slapd, "bob") == 1
    # locked by PLAIN guesses: refused with the right password, everywhere
    sasl_bind(slapd, "PLAIN", "bob", "Wrong-pass-2")
    sasl_bind(slapd, "PLAIN", "bob", "Wrong-pass-3")
    assert "pwdAccountLockedTime" in state(slapd, "bob")
    rc, out = sasl_bind(slapd, "PLAIN", "bob", USERPW)
    assert rc != 0 and "(49)" in out, out
    assert bind(slapd, "bob", USERPW)[0] == 49
    # a user with a token: the password alone fails, password + code works
    seed = enrol(slapd, "carol")
    rc, out = sasl_bind(slapd, "PLAIN", "carol", USERPW)
    assert rc != 0 and "(49)" in out, out
    rc, out = sasl_bind(slapd, "PLAIN", "carol", USERPW + code(seed))
    assert rc == 0 and f"dn:{user_dn('carol')}" in out, out
    recs = records(audit)
    plain = find(recs, **{"event.action": "bind", "ldap.bind.mechanism": "PLAIN"})
    assert [r["event.outcome"] for r in plain if r.get("user.target.name", "").startswith(
        "uid=alice") or "alice" in str(r)][:1] == ["success"], plain
    assert any(r.get("ldap.bind.mfa") == "totp" for r in plain), plain
    assert sum(1 for r in plain if r["event.outcome"] == "failure") >= 4, plain


def test_sasl_plain_follows_the_access_rules(slapd):
    a, _ = start_sasl(slapd)
    a.add_s(f"cn=ops,{SUFFIX}", [("objectClass", [b"groupOfNames"]), ("cn", [b"ops"]),
                                 ("member", [user_dn("alice").encode()])])
    a.add_s(f"cn=here,{SUFFIX}", [("objectClass", [b"device", b"wardenSystem"]),
                                  ("cn", [b"here"]), ("wardenNetwork", [b"127.0.0.0/8"]),
                                  ("wardenAllowedGroup", [f"cn=ops,{SUFFIX}".encode()])])
    assert sasl_bind(slapd, "PLAIN", "alice", USERPW)[0] == 0
    rc, out = sasl_bind(slapd, "PLAIN", "bob", USERPW)
    assert rc != 0 and "(49)" in out, out
    assert "not a member of a group allowed there" in slapd.log_text()


@pytest.mark.skipif(not have_sasl_mech("DIGEST-MD5"), reason="libsasl2-modules not installed")
@pytest.mark.parametrize("mech", ["DIGEST-MD5", "CRAM-MD5"])
def test_secret_mechanisms_never_verify_wardens_entries(slapd, mech):
    a, audit = start_sasl(slapd)
    # passwords in clear, as migrated data has them before the first bind,
    # and Debian's default ACLs: anonymous reads entries, authenticates
    # with userPassword
    slapd.stop()
    slapd.conf.write_text(slapd.conf.read_text().replace(
        "access to * by self write by users read by * none",
        "access to * by self write by * read"))
    ldif = "".join(
        f"dn: uid={u},ou=people,{SUFFIX}\nobjectClass: inetOrgPerson\nuid: {u}\n"
        f"cn: {u}\nsn: {u}\nuserPassword: {CLEAR}\n\n" for u in ("kate", "dave"))
    p = subprocess.run(["slapadd", "-f", str(slapd.conf), "-b", SUFFIX], input=ldif,
                       capture_output=True, text=True, env=slapd.env(), timeout=60)
    assert p.returncode == 0, p.stderr
    slapd.start()
    rc, out = sasl_bind(slapd, mech, "kate", CLEAR)
    assert rc != 0, out
    # right and wrong look alike: nothing to guess with
    rc2, out2 = sasl_bind(slapd, mech, "dave", "Wrong-pass-1")
    assert rc2 == rc
    log = slapd.log_text()
    assert f"warden: SASL {mech} bind of" in log and "needs the stored password" in log
    recs = find(records(audit), **{"event.action": "bind", "ldap.bind.mechanism": mech})
    assert recs and all(r["event.outcome"] == "failure" for r in recs), recs
    # the same password through PLAIN is checked by warden and works
    assert sasl_bind(slapd, "PLAIN", "kate", CLEAR)[0] == 0


def test_sasl_external_passes_lockout_access_and_mfa(slapd):
    a, audit = start_sasl(slapd)
    c = ldap.initialize(slapd.ldapi)
    c.sasl_external_bind_s()
    assert c.whoami_s() == f"dn:{user_dn('alice')}"
    c.unbind_s()
    # locked: EXTERNAL is refused too
    for i in range(3):
        assert bind(slapd, "alice", f"Wrong-pass-{i}")[0] == 49
    c = ldap.initialize(slapd.ldapi)
    with pytest.raises(ldap.INVALID_CREDENTIALS):
        c.sasl_external_bind_s()
    a.modify_s(user_dn("alice"), [(ldap.MOD_DELETE, "pwdAccountLockedTime", None)])
    c = ldap.initialize(slapd.ldapi)
    c.sasl_external_bind_s()
    c.unbind_s()
    # a user who must give a code: EXTERNAL cannot carry one
    enrol(slapd, "alice")
    c = ldap.initialize(slapd.ldapi)
    with pytest.raises(ldap.INVALID_CREDENTIALS):
        c.sasl_external_bind_s()
    deadline = time.time() + 10     # the last record may follow the answer
    while True:
        recs = find(records(audit), **{"event.action": "bind", "ldap.bind.mechanism": "EXTERNAL"})
        if len(recs) >= 4 or time.time() > deadline:
            break
        time.sleep(0.05)
    assert [r["event.outcome"] for r in recs] == ["success", "failure", "success", "failure"], recs
    assert recs[-1]["event.reason"].startswith("one-time code required"), recs[-1]


def passwd(s, who, pw, old, new, target=None):
    c = ldap.initialize(s.uri)
    c.simple_bind_s(user_dn(who), pw)
    try:
        c.passwd_s(user_dn(target or who), old, new)
        return 0
    except ldap.UNWILLING_TO_PERFORM:
        return 53
    except ldap.LDAPError as e:
        return e.args[0].get("result", -1)
    finally:
        c.unbind_s()


def test_password_modify_old_password_counts_like_a_bind(slapd):
    a, audit = start_sasl(slapd, {"pwdMaxFailure": "3"})
    # a successful bind clears failures, as with ppolicy: one session
    c = ldap.initialize(slapd.uri)
    c.simple_bind_s(user_dn("alice"), USERPW)
    for i in range(2):
        with pytest.raises(ldap.UNWILLING_TO_PERFORM):
            c.passwd_s(user_dn("alice"), f"Wrong-old-{i}", "New-pass-2026-x!")
    assert failures(slapd, "alice") == 2
    with pytest.raises(ldap.LDAPError):
        c.passwd_s(user_dn("alice"), "Wrong-old-3", "New-pass-2026-x!")
    c.unbind_s()
    # three wrong old passwords locked the account: the right one no longer binds
    assert "pwdAccountLockedTime" in state(slapd, "alice")
    assert bind(slapd, "alice", USERPW)[0] == 49
    # and the failures of a Password Modify are cleared by a successful
    # bind as a bind's are (the subject cache learnt of them)
    a.modify_s(user_dn("alice"), [(ldap.MOD_DELETE, "pwdAccountLockedTime", None)])
    assert passwd(slapd, "alice", USERPW, "Wrong-old-4", "New-pass-2026-x!") == 53
    assert failures(slapd, "alice") == 1
    assert bind(slapd, "alice", USERPW)[0] == 0
    assert failures(slapd, "alice") == 0
    recs = find(records(audit), **{"ldap.bind.mechanism": "password-modify"})
    assert len(recs) == 4 and all(r["event.outcome"] == "failure" for r in recs), recs


def test_password_modify_checks_the_code_after_the_old_password(slapd):
    start_sasl(slapd, {"pwdMaxFailure": "5"}, extra="")
    seed = enrol(slapd, "carol")
    c0 = code(seed)
    c = ldap.initialize(slapd.uri)
    c.simple_bind_s(user_dn("carol"), USERPW + c0)
    wrong = f"{(int(c0) + 1) % 1000000:06d}"
    with pytest.raises(ldap.UNWILLING_TO_PERFORM):
        c.passwd_s(user_dn("carol"), USERPW + wrong, "New-pass-2026-y!")
    assert failures(slapd, "carol") == 1
    # the code this session logged in with is right with the old password
    c.passwd_s(user_dn("carol"), USERPW + c0, "New-pass-2026-y!")
    c.unbind_s()


def test_compare_and_filters_on_secrets_are_refused(slapd):
    a = start(slapd, db_extra="")
    slapd.stop()
    conf = slapd.conf.read_text().replace(
        "access to attrs=userPassword by self write by anonymous auth by * none",
        "access to attrs=userPassword by self write by anonymous auth by * compare")
    slapd.conf.write_text(conf)
    slapd.start()
    u = slapd.conn(user_dn("bob"), USERPW)
    with pytest.raises(ldap.UNWILLING_TO_PERFORM):
        u.compare_s(user_dn("alice"), "userPassword", USERPW.encode())
    with pytest.raises(ldap.UNWILLING_TO_PERFORM):
        u.search_s(SUFFIX, ldap.SCOPE_SUBTREE, "(&(uid=alice)(userPassword=x*))")
    # presence says nothing of the value
    u.search_s(SUFFIX, ldap.SCOPE_SUBTREE, "(userPassword=*)")
    # the rootdn keeps its tools
    slapd.admin().search_s(SUFFIX, ldap.SCOPE_SUBTREE, "(userPassword=x*)")


def test_concurrent_guesses_verify_at_most_max_failure(slapd):
    a, audit = start_sasl(slapd, {"pwdMaxFailure": "5", "pwdLockoutDuration": "0"})
    results = []

    def guess(i):
        results.append(bind(slapd, "alice", f"Wrong-pass-{i:03d}")[0])

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(49) == 60
    time.sleep(0.3)
    recs = [r for r in find(records(audit), **{"event.action": "bind"})
            if "alice" in r.get("user.target.name", str(r))]
    verified = [r for r in recs if r.get("event.reason") == "invalid credentials"]
    assert len(recs) == 60, len(recs)
    assert len(verified) <= 5, [r.get("event.reason") for r in recs]
    assert "pwdAccountLockedTime" in state(slapd, "alice")
    assert bind(slapd, "alice", USERPW)[0] == 49


def test_mfa_grace_starts_at_the_first_right_password(slapd):
    start_sasl(slapd, {"wardenMFARequired": "TRUE", "wardenMFAGracePeriod": "2"})
    # a stranger's wrong guess does not start the user's grace period
    assert bind(slapd, "alice", "Wrong-pass-1")[0] == 49
    time.sleep(2.5)
    assert bind(slapd, "alice", USERPW)[0] == 0       # grace starts now
    time.sleep(2.5)
    assert bind(slapd, "alice", USERPW)[0] == 49      # and has ended


def timed_binds(s, kinds, n):
    """Median time of n binds per kind, the kinds interleaved in a fresh
    random order each round so that a burst of load elsewhere on the
    machine falls on every kind alike rather than on whichever ran then."""
    times = {k: [] for k in kinds}
    order = list(kinds)
    for _ in range(n):
        random.shuffle(order)
        for k in order:
            dn, pw = kinds[k]
            c = ldap.initialize(s.uri)
            t = time.perf_counter()
            try:
                c.simple_bind_s(dn, pw)
            except ldap.INVALID_CREDENTIALS:
                pass
            times[k].append(time.perf_counter() - t)
            c.unbind_s()
    return {k: sorted(v)[len(v) // 2] for k, v in times.items()}


@pytest.mark.skipif(bool(PRELOAD), reason="timing under AddressSanitizer is the "
                    "sanitizer's, not warden's: measured in the normal build")
def test_refusals_take_the_same_time(slapd):
    """With warden-lockout-expose off, a refusal's time does not tell why:
    medians of 200 binds per kind, passwords hashed with {ARGON2} so that
    a check that is skipped would show."""
    key = slapd.dir / "warden.key"
    key.write_text(KEY)
    os.chmod(key, 0o600)
    a = start(slapd, {"pwdMaxFailure": "3", "pwdLockoutDuration": "0"},
              modules=("argon2.la",), users=("alice", "bob", "carol", "dave"),
              conf_extra="password-hash {ARGON2}\n",
              extra=f"warden-key-file {key}\nwarden-lockout-expose off\n")
    for u in ("alice", "bob", "carol", "dave"):          # rehashed to {ARGON2}
        assert bind(slapd, u, USERPW)[0] == 0
    assert b"{ARGON2}" in a.search_s(user_dn("alice"), ldap.SCOPE_BASE,
                                      attrlist=["userPassword"])[0][1]["userPassword"][0]
    a.add_s(f"cn=ops,{SUFFIX}", [("objectClass", [b"groupOfNames"]), ("cn", [b"ops"]),
                                 ("member", [user_dn(u).encode() for u in ("alice", "bob", "dave")])])
    a.add_s(f"cn=here,{SUFFIX}", [("objectClass", [b"device", b"wardenSystem"]),
                                  ("cn", [b"here"]), ("wardenNetwork", [b"127.0.0.0/8"]),
                                  ("wardenAllowedGroup", [f"cn=ops,{SUFFIX}".encode()])])
    seed = enrol(slapd, "dave", seed=os.urandom(20))
    for i in range(3):
        bind(slapd, "bob", f"Wrong-pass-{i}")
    assert "pwdAccountLockedTime" in state(slapd, "bob")
    c = code(seed)
    wrong_code = f"{(int(c) + 500000) % 1000000:06d}"
    n = 200
    kinds = {
        "wrong password": (user_dn("alice"), "Wrong-pass-x"),
        "locked": (user_dn("bob"), USERPW),
        "unknown user": (f"uid=nobody,ou=people,{SUFFIX}", USERPW),
        "not allowed, right password": (user_dn("carol"), USERPW),
        "not allowed, wrong password": (user_dn("carol"), "Wrong-pass-x"),
        "wrong code": (user_dn("dave"), USERPW + wrong_code),
    }
    # alice's guesses must not lock her mid-measurement: one wrong
    # password repeated counts once
    med = timed_binds(slapd, kinds, n)
    base = med["wrong password"]
    report = ", ".join(f"{k}: {v * 1000:.2f} ms" for k, v in med.items())
    print("refusal medians: " + report)
    assert base > 0.002, "argon2 too fast to measure anything: " + report
    for k, v in med.items():
        assert abs(v - base) <= max(0.0015, 0.25 * base), report



def test_large_credentials_are_refused_and_counted_once(slapd):
    """A password of 200 KiB (under slapd's 256 KiB limit for a request
    of a client not yet bound) is checked, refused and counted like any
    other, by simple bind, SASL PLAIN and Password Modify; a repeat counts
    once; what is larger slapd itself refuses, before warden sees it."""
    start_sasl(slapd, users=("alice", "bob", "carol", "dave"))
    big = "x" * (200 * 1024)
    assert bind(slapd, "alice", big)[0] == 49
    assert bind(slapd, "alice", big)[0] == 49
    assert failures(slapd, "alice") == 1
    pwfile = slapd.dir / "big.pw"
    pwfile.write_text("y" * (200 * 1024))
    p = subprocess.run(["ldapwhoami", "-H", slapd.uri, "-Y", "PLAIN", "-U", "bob",
                        "-y", str(pwfile), "-O", "none"],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 49, p.stdout + p.stderr
    assert failures(slapd, "bob") == 1
    assert passwd(slapd, "carol", USERPW, "z" * (200 * 1024), "New-pass-2026!x") == 53
    assert failures(slapd, "carol") == 1
    with pytest.raises(ldap.SERVER_DOWN):
        bind(slapd, "dave", "w" * (1024 * 1024))
    assert failures(slapd, "dave") == 0
    assert bind(slapd, "alice", USERPW)[0] == 0
