# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""Lockout on warden's own state store: exact counts, visible to clients as
the ppolicy attributes, unlock by time and by an administrator, back-off,
spraying throttle, no enumeration of accounts, and consistency after
kill -9."""
import os
import signal
import statistics
import subprocess
import threading
import time

import ldap
import ldap.modlist
import pytest
from ldap.controls.ppolicy import PasswordPolicyControl

from conftest import (MODULE, SUFFIX, USERPW, ROOTDN, ROOTPW, PEERCRED_ROOT,
                      slappasswd, user_dn)

WARDENCTL = os.environ.get("WARDENCTL", "")
POLICY = f"cn=default,ou=policies,{SUFFIX}"
STATE_ATTRS = ["wardenFailureCount", "wardenFailureTime", "wardenLockedUntil",
               "wardenLastSuccess", "wardenLockCount", "pwdAccountLockedTime"]


def start(s, policy=None, users=("alice", "bob", "carol"), extra="", conf_extra="",
          modules=(), global_extra="", db_extra=""):
    """slapd with warden, the default policy entry and some users; db_extra
    goes before "overlay warden" (overlays below it)."""
    policy = {"pwdMaxFailure": "3", "pwdLockout": "TRUE", "pwdLockoutDuration": "300",
              "pwdFailureCountInterval": "300", **(policy or {})}
    s.write_conf(global_extra + s.base_conf([*modules, MODULE]) + conf_extra + s.mdb_conf() +
                 "access to attrs=userPassword by self write by anonymous auth by * none\n"
                 "access to * by self write by users read by * none\n" + db_extra +
                 f"overlay warden\nwarden-state-dir {s.state}\n"
                 f"warden-default-policy {POLICY}\n{extra}")
    s.start()
    s.add_users(users)
    a = s.admin()
    a.add_s("ou=policies," + SUFFIX, [("objectClass", [b"organizationalUnit"]),
                                      ("ou", [b"policies"])])
    ocs = [b"device", b"pwdPolicy"]
    if any(k.startswith("warden") for k in policy):
        ocs.append(b"wardenPolicy")
    a.add_s(POLICY, [("objectClass", ocs), ("cn", [b"default"]),
                     ("pwdAttribute", [b"userPassword"])] +
            [(k, [v.encode()]) for k, v in policy.items()])
    return a


def bind(s, u, pw, uri=None):
    """(result code, None) of one simple bind on a new connection."""
    c = ldap.initialize(uri or s.uri)
    c.set_option(ldap.OPT_NETWORK_TIMEOUT, 10)
    try:
        c.simple_bind_s(user_dn(u), pw)
        return 0, None
    except ldap.INVALID_CREDENTIALS:
        return 49, None
    finally:
        c.unbind_s()


def bind_ctrl(s, u, pw):
    """(result code, ppolicy error) with the password policy request control."""
    c = ldap.initialize(s.uri)
    try:
        msgid = c.simple_bind(user_dn(u), pw, serverctrls=[PasswordPolicyControl()])
        try:
            _, _, _, ctrls = c.result3(msgid)
            rc = 0
        except ldap.INVALID_CREDENTIALS as e:
            rc = 49
            ctrls = e.args[0].get("ctrls", [])
        errs = []
        for oid, crit, value in ctrls:
            if oid == PasswordPolicyControl.controlType:
                pc = PasswordPolicyControl()
                pc.decodeControlValue(value)
                errs.append(getattr(pc, "error", None))
        return rc, (errs[0] if errs else None)
    finally:
        c.unbind_s()


def state(s, u):
    a = s.admin()
    res = a.search_s(user_dn(u), ldap.SCOPE_BASE, attrlist=STATE_ATTRS)
    return {k: [v.decode() for v in vals] for k, vals in res[0][1].items()}


def fails(s, u, n, prefix="wrong"):
    for i in range(n):
        assert bind(s, u, f"{prefix}-{i}")[0] == 49


def test_exactly_n_failures_lock(slapd):
    start(slapd)
    fails(slapd, "alice", 2)
    assert state(slapd, "alice")["wardenFailureCount"] == ["2"]
    assert "pwdAccountLockedTime" not in state(slapd, "alice")
    fails(slapd, "alice", 1, "third")
    st = state(slapd, "alice")
    assert st["wardenFailureCount"] == ["3"]
    assert len(st["pwdAccountLockedTime"]) == 1
    assert st["wardenLockCount"] == ["1"]
    # Locked: the right password is refused exactly like a wrong one.
    assert bind(slapd, "alice", USERPW) == (49, None)
    with pytest.raises(ldap.INVALID_CREDENTIALS) as ex:
        slapd.conn(user_dn("alice"), USERPW)
    with pytest.raises(ldap.INVALID_CREDENTIALS) as ex2:
        slapd.conn(user_dn("bob"), "wrong")
    assert ex.value.args[0].get("info", "") == ex2.value.args[0].get("info", "")
    # With the ppolicy request control, the response says accountLocked (1).
    assert bind_ctrl(slapd, "alice", USERPW) == (49, 1)
    # The lock is written once, not per failure.
    t1 = state(slapd, "alice")["pwdAccountLockedTime"]
    fails(slapd, "alice", 2, "more")
    assert state(slapd, "alice")["pwdAccountLockedTime"] == t1
    # Others are unaffected.
    assert bind(slapd, "bob", USERPW)[0] == 0


def test_lock_not_exposed_when_configured(slapd):
    start(slapd, extra="warden-lockout-expose off\n")
    fails(slapd, "alice", 3)
    assert bind_ctrl(slapd, "alice", USERPW) == (49, None)


def test_success_clears_failures_and_writes_nothing_otherwise(slapd):
    start(slapd)
    data = slapd.state / "data.mdb"
    fails(slapd, "alice", 2)
    assert bind(slapd, "alice", USERPW)[0] == 0
    st = state(slapd, "alice")
    assert st["wardenFailureCount"] == ["0"]
    assert "wardenLastSuccess" in st
    fails(slapd, "alice", 2, "again")
    assert bind(slapd, "alice", USERPW)[0] == 0     # 2 + 2 never reached 3
    # A user without failures: binds write nothing to the store.
    before = subprocess.run(["mdb_stat", "-e", str(slapd.state)], capture_output=True,
                            text=True).stdout
    for _ in range(5):
        assert bind(slapd, "bob", USERPW)[0] == 0
    after = subprocess.run(["mdb_stat", "-e", str(slapd.state)], capture_output=True,
                           text=True).stdout
    last = [l for l in before.splitlines() if "Last transaction ID" in l]
    assert last and last == [l for l in after.splitlines() if "Last transaction ID" in l]


def test_same_wrong_password_counts_once(slapd):
    start(slapd)
    for _ in range(10):
        assert bind(slapd, "alice", "typo-password")[0] == 49
    assert state(slapd, "alice")["wardenFailureCount"] == ["1"]
    assert bind(slapd, "alice", USERPW)[0] == 0


def test_concurrent_failures_counted_exactly(slapd):
    users = ["alice", "bob"]
    start(slapd, {"pwdMaxFailure": "60"}, users=users)
    barrier = threading.Barrier(50)
    results = []

    def worker(i, u):
        c = ldap.initialize(slapd.uri)
        barrier.wait()
        try:
            c.simple_bind_s(user_dn(u), f"concurrent-{i}")
        except ldap.INVALID_CREDENTIALS:
            results.append(49)

    for u, expect_locked in (("alice", False),):
        threads = [threading.Thread(target=worker, args=(i, u)) for i in range(50)]
        [t.start() for t in threads]
        [t.join() for t in threads]
    assert len(results) == 50
    st = state(slapd, "alice")
    assert st["wardenFailureCount"] == ["50"]
    assert "pwdAccountLockedTime" not in st
    # 10 more, concurrently: exactly the 60th locks, once.
    barrier2 = threading.Barrier(10)

    def worker2(i):
        c = ldap.initialize(slapd.uri)
        barrier2.wait()
        try:
            c.simple_bind_s(user_dn("alice"), f"second-{i}")
        except ldap.INVALID_CREDENTIALS:
            pass

    threads = [threading.Thread(target=worker2, args=(i,)) for i in range(10)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    st = state(slapd, "alice")
    assert st["wardenFailureCount"] == ["60"]
    assert st["wardenLockCount"] == ["1"]
    assert len(st["pwdAccountLockedTime"]) == 1


def test_fifty_concurrent_connections_lock_at_exactly_n(slapd):
    start(slapd, {"pwdMaxFailure": "20"})
    barrier = threading.Barrier(50)

    def worker(i):
        c = ldap.initialize(slapd.uri)
        barrier.wait()
        try:
            c.simple_bind_s(user_dn("carol"), f"storm-{i}")
        except ldap.INVALID_CREDENTIALS:
            pass

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(50)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    st = state(slapd, "carol")
    # The 20th failure locked; the 30 after it met a locked account and did
    # not count.
    assert st["wardenFailureCount"] == ["20"]
    assert st["wardenLockCount"] == ["1"]
    assert bind(slapd, "carol", USERPW)[0] == 49


def slow_password(s, u, rounds=300000):
    """The user's password under a hash that takes about 75 ms to check
    (sha512-crypt, 300,000 rounds), so that binds at one moment are all
    under way at once (and the waits stay far below their 5 s bound)."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import crypt
    h = crypt.crypt(USERPW, f"$6$rounds={rounds}$wardenslow$")
    s.admin().modify_s(user_dn(u), [(ldap.MOD_REPLACE, "userPassword",
                                     [b"{CRYPT}" + h.encode()])])


def test_simultaneous_right_passwords_all_succeed(slapd):
    """A service account bound from many threads at once: with
    pwdMaxFailure 3, 30 binds with the right password at one moment all
    succeed (those beyond the three under way wait for them), nothing is
    counted, and the account stays open."""
    start(slapd, {"pwdMaxFailure": "3"})
    slow_password(slapd, "alice")
    barrier = threading.Barrier(30)
    results = []

    def worker():
        c = ldap.initialize(slapd.uri)
        c.set_option(ldap.OPT_NETWORK_TIMEOUT, 30)
        barrier.wait()
        try:
            c.simple_bind_s(user_dn("alice"), USERPW)
            results.append(0)
        except ldap.LDAPError as e:
            results.append(repr(e))
        finally:
            c.unbind_s()

    threads = [threading.Thread(target=worker) for _ in range(30)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert results == [0] * 30
    st = state(slapd, "alice")
    assert "wardenFailureCount" not in st or st["wardenFailureCount"] == ["0"]
    assert "pwdAccountLockedTime" not in st


def test_long_queue_of_right_passwords_all_get_in(slapd):
    """40 right passwords at once, each taking half a second to check, with
    pwdMaxFailure 3: the last waits far longer than 5 s in all, but the
    attempts ahead of it keep ending, so none is refused (only a wait in
    which no attempt ends for 5 s is)."""
    start(slapd, {"pwdMaxFailure": "3"})
    slow_password(slapd, "carol", rounds=2000000)
    barrier = threading.Barrier(40)
    results = []

    def worker():
        c = ldap.initialize(slapd.uri)
        c.set_option(ldap.OPT_NETWORK_TIMEOUT, 60)
        barrier.wait()
        try:
            c.simple_bind_s(user_dn("carol"), USERPW)
            results.append(0)
        except ldap.LDAPError as e:
            results.append(repr(e))
        finally:
            c.unbind_s()

    threads = [threading.Thread(target=worker) for _ in range(40)]
    t0 = time.monotonic()
    [t.start() for t in threads]
    [t.join() for t in threads]
    elapsed = time.monotonic() - t0
    assert results == [0] * 40
    # three at a time, half a second each: the queue took longer than
    # one stall bound, so the test met the case it is about
    assert elapsed > 6, elapsed


def test_simultaneous_right_and_wrong_verify_at_most_n_wrong(slapd):
    """15 wrong and 15 right passwords of one account at one moment, with
    pwdMaxFailure 3: never more than 3 failures are counted, the waiting
    never verifies a fourth wrong password, and every bind is answered
    (a success, or 49); the right ones that came before a lock succeed."""
    start(slapd, {"pwdMaxFailure": "3"})
    slow_password(slapd, "bob")
    barrier = threading.Barrier(30)
    results = {"right": [], "wrong": []}

    def worker(kind, i):
        c = ldap.initialize(slapd.uri)
        c.set_option(ldap.OPT_NETWORK_TIMEOUT, 30)
        barrier.wait()
        try:
            c.simple_bind_s(user_dn("bob"),
                            USERPW if kind == "right" else f"wrong-{i}")
            results[kind].append(0)
        except ldap.INVALID_CREDENTIALS:
            results[kind].append(49)
        finally:
            c.unbind_s()

    threads = [threading.Thread(target=worker, args=(k, i))
               for i in range(15) for k in ("right", "wrong")]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(results["right"]) == 15 and len(results["wrong"]) == 15
    assert results["wrong"] == [49] * 15
    st = state(slapd, "bob")
    counted = int(st.get("wardenFailureCount", ["0"])[0])
    assert counted <= 3
    # open unless the three wrong ones came first; either way a right
    # password is refused only once the account is locked
    if counted < 3:
        assert "pwdAccountLockedTime" not in st
        assert bind(slapd, "bob", USERPW)[0] == 0
    else:
        assert len(st["pwdAccountLockedTime"]) == 1


def test_lock_ends_after_duration(slapd):
    start(slapd, {"pwdLockoutDuration": "2"})
    fails(slapd, "alice", 3)
    assert bind(slapd, "alice", USERPW)[0] == 49
    time.sleep(2.2)
    assert bind(slapd, "alice", USERPW)[0] == 0
    st = state(slapd, "alice")
    assert "pwdAccountLockedTime" not in st       # removed once the lock ended
    assert st["wardenFailureCount"] == ["0"]


def test_backoff_doubles_the_lock(slapd):
    start(slapd, {"pwdLockoutDuration": "1", "wardenLockoutBackoff": "3",
                  "wardenLockoutMaxDuration": "100"})

    def locked_for():
        st = state(slapd, "alice")
        until = st["wardenLockedUntil"][0]
        t = time.mktime(time.strptime(until, "%Y%m%d%H%M%SZ")) - time.timezone
        return t - time.time()

    fails(slapd, "alice", 3, "a")
    first = locked_for()
    assert first <= 1.5
    time.sleep(1.2)
    fails(slapd, "alice", 3, "b")
    second = locked_for()
    assert 1.5 < second <= 3.5, second        # 1 s x 3
    assert state(slapd, "alice")["wardenLockCount"] == ["2"]


def test_admin_unlocks_with_plain_ldapmodify(slapd):
    start(slapd, {"pwdLockoutDuration": "0"})         # until unlocked
    fails(slapd, "alice", 3)
    assert bind(slapd, "alice", USERPW)[0] == 49
    st = state(slapd, "alice")
    assert st["wardenLockedUntil"] == ["99991231235959Z"]
    p = subprocess.run(["ldapmodify", "-x", "-H", slapd.uri, "-D", ROOTDN, "-w", ROOTPW],
                       input=f"dn: {user_dn('alice')}\nchangetype: modify\n"
                             "delete: pwdAccountLockedTime\n",
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    st = state(slapd, "alice")
    assert st["wardenFailureCount"] == ["0"] and "wardenLockedUntil" not in st
    assert bind(slapd, "alice", USERPW)[0] == 0


def test_admin_password_reset_ends_a_lock_by_failures(slapd):
    """As with ppolicy: an administrator who sets a locked user's password
    (modify or Password Modify) ends the lock and the failures counted, on
    the entry and in the store; a disabled account stays disabled."""
    start(slapd, {"pwdLockoutDuration": "0"})
    fails(slapd, "alice", 3)
    fails(slapd, "bob", 3)
    fails(slapd, "carol", 2)
    assert "pwdAccountLockedTime" in state(slapd, "alice")
    a = slapd.admin()
    a.modify_s(user_dn("alice"), [(ldap.MOD_REPLACE, "userPassword", [b"Pq7-nV4-sWz"])])
    st = state(slapd, "alice")
    assert "pwdAccountLockedTime" not in st and "wardenLockedUntil" not in st, st
    assert st["wardenFailureCount"] == ["0"], st
    assert bind(slapd, "alice", "Pq7-nV4-sWz")[0] == 0
    # Password Modify, the failures below the threshold go too
    for u in ("bob", "carol"):
        p = subprocess.run(["ldappasswd", "-x", "-H", slapd.uri, "-D", ROOTDN, "-w", ROOTPW,
                            "-s", "Jr3-kX8-vQm", user_dn(u)], capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        assert state(slapd, u).get("wardenFailureCount", ["0"]) == ["0"]
        assert bind(slapd, u, "Jr3-kX8-vQm")[0] == 0
    fails(slapd, "carol", 1, "after")           # 2 + 1 would lock
    assert bind(slapd, "carol", "Jr3-kX8-vQm")[0] == 0
    # disabled, then reset: still refused until enabled
    a.modify_s(user_dn("bob"), [(ldap.MOD_REPLACE, "pwdAccountLockedTime", [b"000001010000Z"])])
    a.modify_s(user_dn("bob"), [(ldap.MOD_REPLACE, "userPassword", [b"Wm5-tH2-cRx"])])
    assert state(slapd, "bob")["pwdAccountLockedTime"] == ["000001010000Z"]
    assert bind(slapd, "bob", "Wm5-tH2-cRx")[0] == 49
    # a user's own change needs no unlock and gives none
    alice = slapd.conn(user_dn("alice"), "Pq7-nV4-sWz")
    fails(slapd, "alice", 2)
    alice.modify_s(user_dn("alice"), [(ldap.MOD_REPLACE, "userPassword", [b"Bx6-qL9-fNe"])])
    assert state(slapd, "alice")["wardenFailureCount"] == ["2"]


def test_users_cannot_change_lock_state(slapd):
    start(slapd)
    fails(slapd, "bob", 3)
    alice = slapd.conn(user_dn("alice"), USERPW)
    # not on others' entries (ACL gives users read), nor on their own
    # (ACL gives self write, warden still refuses)
    for dn in (user_dn("bob"), user_dn("alice")):
        with pytest.raises(ldap.INSUFFICIENT_ACCESS):
            alice.modify_s(dn, [(ldap.MOD_REPLACE, "pwdAccountLockedTime", [b"20200101000000Z"])])
    with pytest.raises(ldap.INSUFFICIENT_ACCESS) as ex:
        alice.modify_s(user_dn("alice"), [(ldap.MOD_REPLACE, "pwdAccountLockedTime", None)])
    assert "only administrators" in ex.value.args[0]["info"]
    with pytest.raises((ldap.CONSTRAINT_VIOLATION, ldap.INSUFFICIENT_ACCESS,
                        ldap.UNWILLING_TO_PERFORM)):
        alice.modify_s(user_dn("alice"), [(ldap.MOD_REPLACE, "pwdFailureTime", [b"20200101000000Z"])])
    # The state is for administrators only.
    res = alice.search_s(user_dn("alice"), ldap.SCOPE_BASE, attrlist=STATE_ATTRS + ["+"])
    assert not any(k.startswith("warden") for k in res[0][1])
    assert state(slapd, "bob")["wardenFailureCount"] == ["3"]


def test_admin_sets_permanent_lock(slapd):
    a = start(slapd)
    a.modify_s(user_dn("bob"), [(ldap.MOD_REPLACE, "pwdAccountLockedTime", [b"000001010000Z"])])
    assert bind(slapd, "bob", USERPW)[0] == 49
    a.modify_s(user_dn("bob"), [(ldap.MOD_DELETE, "pwdAccountLockedTime", None)])
    assert bind(slapd, "bob", USERPW)[0] == 0


def test_spraying_is_throttled_per_address_without_locking_victims(slapd):
    users = [f"user{i}" for i in range(8)]
    start(slapd, {"wardenSourceMaxFailure": "5", "wardenSourceFailureInterval": "60"},
          users=users)
    for u in users[:5]:
        assert bind(slapd, u, "Spring2026!")[0] == 49
    # This address is now refused, even with a right password ...
    assert bind(slapd, users[6], USERPW)[0] == 49
    # ... the victims are not locked ...
    for u in users[:5]:
        st = state(slapd, u)
        assert st["wardenFailureCount"] == ["1"] and "pwdAccountLockedTime" not in st
    # ... and the users bind from elsewhere (here: ldapi).
    assert bind(slapd, users[6], USERPW, uri=slapd.ldapi)[0] == 0


def test_unknown_and_passwordless_refused_alike(slapd):
    a = start(slapd, conf_extra="", modules=("argon2.la",))
    a.modify_s(user_dn("alice"), [(ldap.MOD_REPLACE, "userPassword",
                                   [subprocess.run(["slappasswd", "-o", "module-load=argon2.la",
                                                    "-o", "module-path=/usr/lib/ldap",
                                                    "-h", "{ARGON2}", "-s", USERPW],
                                                   capture_output=True, text=True,
                                                   check=True).stdout.strip().encode()])])
    a.add_s(f"cn=nopw,{SUFFIX}", [("objectClass", [b"person"]), ("cn", [b"nopw"]),
                                  ("sn", [b"nopw"])])
    errs = set()
    for dn in (user_dn("alice"), user_dn("nosuchuser"), f"cn=nopw,{SUFFIX}"):
        with pytest.raises(ldap.INVALID_CREDENTIALS) as ex:
            slapd.conn(dn, "Wrong-password-1")
        errs.add(ex.value.args[0].get("info", ""))
    assert len(errs) == 1

    def medians_ms(dns, pw, n=31):
        """Medians per DN, the binds interleaved so that the machine's
        load weighs on every DN alike."""
        c = ldap.initialize(slapd.uri)
        c.simple_bind_s()
        times = {dn: [] for dn in dns}
        for i in range(n):
            for dn in dns:
                t = time.perf_counter()
                try:
                    c.simple_bind_s(dn, f"{pw}-{i}")
                except ldap.INVALID_CREDENTIALS:
                    pass
                times[dn].append(time.perf_counter() - t)
        return [statistics.median(times[dn]) * 1000 for dn in dns]

    # The user's hash is {ARGON2} (milliseconds); an unknown DN must cost
    # about the same (the default scheme here is {SSHA}, so warden's decoy
    # uses the scheme new passwords get).  Compare against a {SSHA} user.
    a.modify_s(user_dn("bob"), [(ldap.MOD_REPLACE, "userPassword",
                                 [slappasswd(USERPW).encode()])])
    known, unknown = medians_ms([user_dn("bob"), user_dn("nosuchuser")], "x")
    assert unknown > 0.5 * known, (unknown, known)


def test_rootdn_is_never_locked(slapd):
    start(slapd)
    for i in range(6):
        with pytest.raises(ldap.INVALID_CREDENTIALS):
            slapd.conn(ROOTDN, f"bad-{i}")
    assert slapd.admin().whoami_s() == "dn:" + ROOTDN


def test_missing_policy_entry_refuses_the_bind(slapd):
    start(slapd)
    a = slapd.admin()
    a.modify_s(user_dn("alice"), [(ldap.MOD_ADD, "pwdPolicySubentry",
                                   [f"cn=gone,ou=policies,{SUFFIX}".encode()])])
    assert bind(slapd, "alice", USERPW)[0] == 49
    assert "its password policy entry is missing" in slapd.log_text()
    assert bind(slapd, "bob", USERPW)[0] == 0


def test_policy_subentry_and_live_policy_change(slapd):
    a = start(slapd)
    a.add_s(f"cn=strict,ou=policies,{SUFFIX}", [
        ("objectClass", [b"device", b"pwdPolicy"]), ("cn", [b"strict"]),
        ("pwdAttribute", [b"userPassword"]), ("pwdLockout", [b"TRUE"]),
        ("pwdMaxFailure", [b"1"])])
    a.modify_s(user_dn("bob"), [(ldap.MOD_ADD, "pwdPolicySubentry",
                                 [f"cn=strict,ou=policies,{SUFFIX}".encode()])])
    fails(slapd, "bob", 1)
    assert bind(slapd, "bob", USERPW)[0] == 49
    # A change of the default policy applies at once (cache invalidated).
    fails(slapd, "alice", 2)
    a.modify_s(POLICY, [(ldap.MOD_REPLACE, "pwdMaxFailure", [b"2"])])
    fails(slapd, "alice", 1, "x")
    assert bind(slapd, "alice", USERPW)[0] == 49


def test_delete_removes_state(slapd):
    a = start(slapd)
    fails(slapd, "carol", 2)

    def records():
        out = subprocess.run(["mdb_stat", "-s", "lock", str(slapd.state)],
                             capture_output=True, text=True).stdout
        for l in out.splitlines():
            if "Entries:" in l:
                return int(l.split()[-1])
        return 0
    assert records() == 1
    a.delete_s(user_dn("carol"))
    assert records() == 0


def test_wardenctl_status_and_unlock(slapd):
    start(slapd)
    fails(slapd, "alice", 3)
    base = [WARDENCTL, "-H", slapd.uri, "-D", ROOTDN, "-w", ROOTPW, "lockout"]
    p = subprocess.run(base + ["status", user_dn("alice")], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert "failures:       3" in p.stdout and "locked until:" in p.stdout
    assert "locked until:   -" not in p.stdout
    p = subprocess.run(base + ["unlock", user_dn("alice")], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert bind(slapd, "alice", USERPW)[0] == 0
    # over ldapi as root, the default
    p = subprocess.run([WARDENCTL, "-H", slapd.ldapi, "lockout", "status", user_dn("alice")],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    # a non-administrator sees nothing and cannot unlock
    p = subprocess.run([WARDENCTL, "-H", slapd.uri, "-D", user_dn("bob"), "-w", USERPW,
                        "lockout", "unlock", user_dn("alice")], capture_output=True, text=True)
    assert p.returncode != 0 and "only administrators" in p.stderr


def test_kill9_during_failure_storm_keeps_state_consistent(slapd):
    start(slapd, {"pwdMaxFailure": "40"}, users=("alice", "bob"))
    stop = threading.Event()
    sent = []

    def storm(k):
        i = 0
        while not stop.is_set() and i < 400:
            try:
                c = ldap.initialize(slapd.uri)
                c.set_option(ldap.OPT_NETWORK_TIMEOUT, 2)
                c.simple_bind_s(user_dn("alice"), f"kill-{k}-{i}")
            except ldap.LDAPError:
                pass
            sent.append(1)
            i += 1

    threads = [threading.Thread(target=storm, args=(k,)) for k in range(4)]
    [t.start() for t in threads]
    time.sleep(0.4)
    slapd.proc.send_signal(signal.SIGKILL)
    slapd.proc.wait(10)
    slapd.proc = None
    stop.set()
    [t.join() for t in threads]
    slapd.start()
    st = state(slapd, "alice")
    n = int(st.get("wardenFailureCount", ["0"])[0])
    assert 0 < n <= len(sent)
    if n >= 40:
        assert st["wardenLockCount"] == ["1"] and "wardenLockedUntil" in st
    else:
        assert "wardenLockedUntil" not in st
    # and it goes on counting from there
    fails(slapd, "bob", 1)
    assert state(slapd, "bob")["wardenFailureCount"] == ["1"]


def test_corrupt_store_is_a_clear_error(slapd):
    start(slapd)
    fails(slapd, "alice", 1)
    slapd.stop()
    with open(slapd.state / "data.mdb", "r+b") as f:
        f.write(b"\xde\xad\xbe\xef" * 2048)
    assert slapd.start(expect_failure=True) != 0
    assert "cannot open the state store" in slapd.log_text()


def test_full_store_refuses_binds_until_it_records_again(slapd):
    """A state directory that fills up: the failure that cannot be recorded
    is logged, binds are refused (lockout is not skipped), and once there is
    room again binds work."""
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=40k,mode=0700", "tmpfs",
                        str(slapd.state)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")
    try:
        users = [f"f{i}" for i in range(400)]
        start(slapd, {"pwdMaxFailure": "50"}, users=users)
        full = False
        for i, u in enumerate(users):
            bind(slapd, u, f"guess-{i}")
            if "cannot record a failed bind" in slapd.log_text():
                full = True
                break
        assert full, "the store never filled up"
        assert bind(slapd, "f399", USERPW)[0] == 49
        assert "the lockout state cannot be recorded" in slapd.log_text()
        subprocess.run(["mount", "-o", "remount,size=64m", str(slapd.state)], check=True)
        assert bind(slapd, "f399", USERPW)[0] == 0
        assert "the state store records again" in slapd.log_text()
    finally:
        slapd.stop()
        subprocess.run(["umount", str(slapd.state)], capture_output=True)


def test_rootdn_locked_only_when_configured(slapd):
    a = start(slapd, extra="warden-lock-rootdn on\n")
    # a rootdn with an entry of its own (and its password there too)
    a.add_s(ROOTDN, [("objectClass", [b"person"]), ("cn", [b"admin"]), ("sn", [b"admin"]),
                     ("userPassword", [slappasswd(ROOTPW).encode()])])
    for i in range(3):
        with pytest.raises(ldap.INVALID_CREDENTIALS):
            slapd.conn(ROOTDN, f"bad-{i}")
    with pytest.raises(ldap.INVALID_CREDENTIALS):
        slapd.conn(ROOTDN, ROOTPW)
    assert "warden: locked \"cn=admin,dc=example,dc=test\"" in slapd.log_text()
