# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""Lockout across several providers (issue 17, MPR): two and three slapd
instances with warden replicate each other (multiprovider, syncrepl on
loopback).  Failures one after another on alternating servers lock at
exactly pwdMaxFailure; simultaneous failures on K servers count at most
pwdMaxFailure + K - 1; a success or an unlock resets everywhere; warden's
writes never make syncrepl drop a change ("new entry is older than
ours"); a deleted user leaves no state behind; spraying costs at most one
DIT write per counted failure, and the throttle bounds it per address."""
import json
import os
import socket
import statistics
import threading
import time

import ldap
import ldap.modlist
import pytest

from conftest import MODULE, ROOTDN, ROOTPW, SUFFIX, USERPW, Slapd, slappasswd, user_dn
from test_audit import KEY
from test_lockout import POLICY
from test_replication import ACL, INDEXES

MAX = 3
OLDER = "new entry is older than ours"
STATE_FILTER = "(objectClass=wardenUserState)"


class Node(Slapd):
    """A provider whose log has slapd's sync messages too (dn_callback's
    "new entry is older than ours" is LDAP_DEBUG_SYNC)."""

    def cmd(self):
        c = super().cmd()
        c[c.index("-d") + 1] = str(256 + 16384)
        return c


def mpr_conf(s, sid, peers):
    key = s.dir / "warden.key"
    key.write_text(KEY)
    os.chmod(key, 0o600)
    sync = "".join(
        f'syncrepl rid={100 + p.sid:03d} provider={p.uri} type=refreshAndPersist '
        f'retry="1 +" searchbase="{SUFFIX}" bindmethod=simple binddn="{ROOTDN}" '
        f'credentials={ROOTPW}\n' for p in peers)
    return (s.base_conf(["syncprov.la", MODULE]) + f"serverID {sid}\n" +
            s.mdb_conf(extra=INDEXES) + sync +
            "multiprovider on\noverlay syncprov\nsyncprov-checkpoint 100 1\n" + ACL +
            f"overlay warden\nwarden-state-dir {s.state}\nwarden-key-file {key}\n"
            f"warden-audit-file {s.dir / 'audit.log'}\nwarden-audit-aggregate 0\n"
            f"warden-default-policy {POLICY}\n")


def start_mpr(workdir, k, users=("alice", "bob"), policy=None):
    nodes = [Node(workdir / f"n{i + 1}") for i in range(k)]
    for i, n in enumerate(nodes):
        n.sid = i + 1
    for n in nodes:
        n.write_conf(mpr_conf(n, n.sid, [p for p in nodes if p is not n]))
    for n in nodes:
        n.start()
    a = nodes[0].admin()
    a.add_s(SUFFIX, [("objectClass", [b"dcObject", b"organization"]),
                     ("dc", [b"example"]), ("o", [b"example"])])
    for ou in ("people", "policies"):
        a.add_s(f"ou={ou},{SUFFIX}", [("objectClass", [b"organizationalUnit"]),
                                      ("ou", [ou.encode()])])
    hashed = slappasswd(USERPW).encode()
    for u in users:
        a.add_s(user_dn(u), ldap.modlist.addModlist({
            "objectClass": [b"inetOrgPerson"], "uid": [u.encode()], "cn": [u.encode()],
            "sn": [u.encode()], "userPassword": [hashed]}))
    pol = {"pwdMaxFailure": str(MAX), "pwdLockout": "TRUE", "pwdLockoutDuration": "300",
           "pwdFailureCountInterval": "300", **(policy or {})}
    ocs = [b"device", b"pwdPolicy"] + ([b"wardenPolicy"] if any(
        x.startswith("warden") for x in pol) else [])
    a.add_s(POLICY, [("objectClass", ocs), ("cn", [b"default"]),
                     ("pwdAttribute", [b"userPassword"])] +
            [(x, [v.encode()]) for x, v in pol.items()])
    assert in_sync(nodes), "the providers did not converge:\n" + nodes[-1].tail(30)
    # every consumer is past its first refresh once each server has seen
    # an entry each other one wrote (a consumer that connects later does
    # a full refresh, and would be sent older copies of what its own
    # server changed since: "new entry is older than ours")
    for n in nodes:
        n.admin().add_s(f"cn=ready-{n.sid},{SUFFIX}", [
            ("objectClass", [b"device"]), ("cn", [f"ready-{n.sid}".encode()])])
    deadline = time.time() + 30
    while time.time() < deadline:
        if all(len(n.admin().search_s(SUFFIX, ldap.SCOPE_ONELEVEL, "(cn=ready-*)",
                                      ["cn"])) == len(nodes) for n in nodes):
            break
        time.sleep(0.1)
    else:
        pytest.fail("the providers did not all connect to each other")
    assert in_sync(nodes)
    return nodes


@pytest.fixture
def mpr(workdir):
    started = []

    def make(k, **kw):
        nodes = start_mpr(workdir, k, **kw)
        started.extend(nodes)
        return nodes
    yield make
    for n in started:
        n.stop()
    for n in started:
        reports = n.sanitizer_reports()
        assert not reports, "sanitizer reported:\n" + "\n".join(reports[:20])


def csns(s):
    r = s.admin().search_s(SUFFIX, ldap.SCOPE_BASE, attrlist=["contextCSN"])
    return sorted(r[0][1].get("contextCSN", []))


def in_sync(nodes, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            first = csns(nodes[0])
            if first and all(csns(n) == first for n in nodes[1:]):
                return True
        except ldap.LDAPError:
            pass
        time.sleep(0.1)
    return False


def bind(s, u, pw):
    c = ldap.initialize(s.uri)
    c.set_option(ldap.OPT_NETWORK_TIMEOUT, 10)
    try:
        c.simple_bind_s(user_dn(u), pw)
        return 0
    except ldap.INVALID_CREDENTIALS:
        return 49
    finally:
        c.unbind_s()


def audit(s):
    """The node's audit records (stop it first: the trail is queued)."""
    p = s.dir / "audit.log"
    return [json.loads(l) for l in p.read_text().splitlines()] if p.exists() else []


def binds(nodes, u, **want):
    out = []
    for n in nodes:
        out += [r for r in audit(n) if r.get("event.action") == "bind" and
                r.get("ldap.dn") == user_dn(u) and
                all(r.get(k) == v for k, v in want.items())]
    return out


def counted(nodes, u):
    """Wrong passwords that were verified (and so counted)."""
    return len(binds(nodes, u, **{"event.outcome": "failure",
                                  "event.reason": "invalid credentials"}))


def state_entries(s, who=None):
    c = s.admin() if who is None else s.conn(user_dn(who), USERPW)
    return c.search_s(SUFFIX, ldap.SCOPE_SUBTREE, STATE_FILTER, ["*"])


def locked_time(s, u):
    r = s.admin().search_s(user_dn(u), ldap.SCOPE_BASE, attrlist=["pwdAccountLockedTime"])
    return r[0][1].get("pwdAccountLockedTime")


def no_older_entry(nodes):
    for n in nodes:
        assert OLDER not in n.log_text(), f"{n.dir.name}: syncrepl dropped a change"


def test_alternating_failures_lock_at_exactly_max(mpr):
    a, b = mpr(2)
    # one fewer than the limit, alternating: no lock; the right password
    # then resets on both servers
    for i, s in enumerate((a, b)):
        assert bind(s, "alice", f"wrong-a{i}") == 49
        time.sleep(0.3)
    assert bind(a, "alice", USERPW) == 0
    time.sleep(0.3)
    for i, s in enumerate((b, a)):
        assert bind(s, "alice", f"wrong-b{i}") == 49
        time.sleep(0.3)
    # had the first round not been reset everywhere, this would be locked
    assert bind(b, "alice", USERPW) == 0
    assert bind(a, "alice", USERPW) == 0
    time.sleep(0.3)
    # exactly pwdMaxFailure in total, alternating: locked on both
    for i in range(MAX):
        assert bind([a, b][i % 2], "alice", f"wrong-c{i}") == 49
        time.sleep(0.3)
    for s in (a, b):
        assert bind(s, "alice", USERPW) == 49
        assert locked_time(s, "alice"), s.dir.name
    # bob, untouched, is not
    assert bind(a, "bob", USERPW) == 0 and bind(b, "bob", USERPW) == 0
    for s in (a, b):
        s.stop()
    assert counted([a, b], "alice") == 2 * (MAX - 1) + MAX
    for s in (a, b):
        assert binds([s], "alice", **{"event.reason": "account locked"}), s.dir.name
    no_older_entry([a, b])


def test_lock_by_failures_ends_open_sessions_on_every_provider(mpr):
    """The lock is kept outside the entry in this mode, so no write of the
    entry flags the sessions: the provider that locks ends its own, the
    other ends its own as the state entry arrives."""
    a, b = mpr(2)
    sessions = {s: s.conn(user_dn("alice"), USERPW) for s in (a, b)}
    bob = b.conn(user_dn("bob"), USERPW)
    for c in sessions.values():
        c.search_s(user_dn("alice"), ldap.SCOPE_BASE, attrlist=["uid"])
    for i in range(MAX):
        assert bind([a, b][i % 2], "alice", f"wrong-s{i}") == 49
        time.sleep(0.3)
    for s, c in sessions.items():
        with pytest.raises(ldap.UNWILLING_TO_PERFORM) as ex:
            c.search_s(user_dn("alice"), ldap.SCOPE_BASE, attrlist=["uid"])
        assert "locked" in ex.value.args[0].get("info", ""), s.dir.name
    # everyone else's sessions go on
    bob.search_s(user_dn("bob"), ldap.SCOPE_BASE, attrlist=["uid"])
    # unlocked on one provider: the sessions may act again on both
    a.admin().modify_s(user_dn("alice"), [(ldap.MOD_DELETE, "pwdAccountLockedTime", None)])
    time.sleep(0.5)
    for s, c in sessions.items():
        c.search_s(user_dn("alice"), ldap.SCOPE_BASE, attrlist=["uid"])


def test_alternating_on_three_providers_locks_at_exactly_max(mpr):
    nodes = mpr(3)
    for i in range(MAX - 1):
        assert bind(nodes[i % 3], "alice", f"wrong-{i}") == 49
        time.sleep(0.3)
    # one fewer: every server still lets the right password in, and that
    # resets the others
    assert bind(nodes[2], "alice", USERPW) == 0
    time.sleep(0.3)
    for i in range(MAX):
        assert bind(nodes[(i + 1) % 3], "alice", f"wrong-b{i}") == 49
        time.sleep(0.3)
    for s in nodes:
        assert bind(s, "alice", USERPW) == 49, s.dir.name
    for s in nodes:
        s.stop()
    assert counted(nodes, "alice") == 2 * MAX - 1
    no_older_entry(nodes)


def test_unlock_on_one_provider_unlocks_everywhere(mpr):
    a, b = mpr(2)
    for i in range(MAX):
        assert bind([a, b][i % 2], "alice", f"wrong-{i}") == 49
        time.sleep(0.3)
    assert bind(a, "alice", USERPW) == 49 and bind(b, "alice", USERPW) == 49
    # the administrator's unlock on b (the lock is not in the entry: the
    # delete must still succeed)
    b.admin().modify_s(user_dn("alice"), [(ldap.MOD_DELETE, "pwdAccountLockedTime", None)])
    time.sleep(0.5)
    assert bind(a, "alice", USERPW) == 0 and bind(b, "alice", USERPW) == 0
    assert not locked_time(a, "alice") and not locked_time(b, "alice")
    no_older_entry([a, b])


def hammer(nodes, u, seconds):
    """One thread per server, each sending wrong passwords as fast as its
    server answers, all starting together."""
    go = threading.Barrier(len(nodes))
    sent = [0] * len(nodes)

    def run(i, s):
        go.wait()
        end = time.time() + seconds
        while time.time() < end:
            bind(s, u, f"wrong-{i}-{sent[i]}")
            sent[i] += 1
    threads = [threading.Thread(target=run, args=(i, s)) for i, s in enumerate(nodes)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sent


@pytest.mark.parametrize("k", [2, 3])
def test_simultaneous_failures_count_at_most_max_plus_k_minus_1(mpr, k):
    nodes = mpr(k)
    sent = hammer(nodes, "alice", 2.0)
    time.sleep(1.0)
    for s in nodes:
        assert bind(s, "alice", USERPW) == 49, s.dir.name
        assert locked_time(s, "alice"), s.dir.name
    for s in nodes:
        s.stop()
    n = counted(nodes, "alice")
    print(f"\nK={k}: {sum(sent)} wrong passwords sent, {n} verified and counted")
    assert MAX <= n <= MAX + k - 1, (n, sent)
    for s in nodes:
        assert binds([s], "alice", **{"event.reason": "account locked"}), s.dir.name
    no_older_entry(nodes)


def test_concurrent_failures_never_make_syncrepl_drop_a_change(mpr):
    users = [f"u{i}" for i in range(8)]
    a, b = mpr(2, users=users)
    go = threading.Barrier(2 * len(users))

    def run(s, u, tag):
        go.wait()
        for i in range(MAX + 1):
            bind(s, u, f"wrong-{tag}-{i}")
            time.sleep(0.3)
    threads = [threading.Thread(target=run, args=(s, u, t))
               for u in users for s, t in ((a, "a"), (b, "b"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # successes and resets at once on both too
    assert in_sync([a, b])
    for u in users:
        assert bind(a, u, USERPW) == 49 and bind(b, u, USERPW) == 49, u
    assert in_sync([a, b])
    no_older_entry([a, b])


def test_deleted_user_leaves_no_state_and_state_is_hidden(mpr):
    a, b = mpr(2, users=("alice", "bob", "carol"))
    assert bind(a, "bob", "wrong-1") == 49
    time.sleep(0.3)
    assert bind(b, "bob", "wrong-2") == 49
    assert bind(a, "carol", "wrong-3") == 49
    assert in_sync([a, b])
    for s in (a, b):
        got = state_entries(s)
        assert len(got) == 3, (s.dir.name, got)       # bob on a and b, carol on a
        # hidden from anyone but the rootdn and warden's roles
        assert state_entries(s, who="alice") == []
    # nobody but warden writes them
    dn = state_entries(a)[0][0]
    c = a.conn(user_dn("alice"), USERPW)
    with pytest.raises((ldap.INSUFFICIENT_ACCESS, ldap.NO_SUCH_OBJECT)):
        c.delete_s(dn)
    a.admin().delete_s(user_dn("bob"))
    deadline = time.time() + 10
    while time.time() < deadline:
        if all(len(state_entries(s)) == 1 for s in (a, b)):
            break
        time.sleep(0.1)
    for s in (a, b):
        left = state_entries(s)
        assert len(left) == 1 and b"carol" not in left[0][0].encode(), left
    no_older_entry([a, b])


def ber_len(n):
    if n < 128:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def raw_bind(port, dn, pw, src):
    """A simple bind from a chosen loopback address (python-ldap cannot
    choose one): its result code."""
    def tlv(tag, body):
        return bytes([tag]) + ber_len(len(body)) + body
    req = tlv(0x60, tlv(0x02, b"\x03") + tlv(0x04, dn.encode()) + tlv(0x80, pw.encode()))
    msg = tlv(0x30, tlv(0x02, b"\x01") + req)
    with socket.create_connection(("127.0.0.1", port), timeout=10,
                                  source_address=(src, 0)) as so:
        so.sendall(msg)
        data = b""
        while len(data) < 2 or len(data) < 2 + data[1]:
            chunk = so.recv(4096)
            if not chunk:
                break
            data += chunk
    i = data.index(b"\x0a\x01")                  # resultCode ENUMERATED
    return data[i + 2]


def internal_writes(nodes):
    return [r for n in nodes for r in audit(n)
            if r.get("warden.internal") and r.get("event.action") in ("add", "modify")
            and r.get("warden.phase") != "intent" and r.get("event.outcome") == "success"
            and "cn=warden-state-" in r.get("ldap.dn", "")]


@pytest.mark.parametrize("sources", ["one", "many"])
def test_spraying_costs_at_most_one_write_per_counted_failure(mpr, sources):
    users = [f"s{i:02d}" for i in range(40)]
    src_max = 10
    a, b = mpr(2, users=users, policy={"wardenSourceMaxFailure": str(src_max),
                                       "wardenSourceFailureInterval": "300"})
    t0 = time.time()
    for i, u in enumerate(users):
        src = "127.0.0.1" if sources == "one" else f"127.0.{1 + i // 200}.{2 + i % 200}"
        assert raw_bind(a.port, user_dn(u), f"sprayed-{i}", src) == 49
    spent = time.time() - t0
    assert in_sync([a, b])
    shared = len(state_entries(b))
    for s in (a, b):
        s.stop()
    n = sum(counted([a], u) for u in users)
    writes = internal_writes([a])
    per = len(writes) / len(users)
    print(f"\nspraying from {sources} address(es): {len(users)} failed binds in "
          f"{spent:.2f}s, {n} counted, {len(writes)} DIT writes "
          f"({per:.2f} per failed bind, container included)")
    # every counted failure reached the other provider, in one write (and
    # the container once)
    assert shared == n
    assert len(writes) <= n + 1
    if sources == "one":
        assert n == src_max, n             # the throttle refused the rest uncounted
    else:
        assert n == len(users)
    no_older_entry([a, b])


def test_lock_reaches_the_other_provider_fast(mpr):
    """How long a lock on one provider takes to be honoured on the other
    (median and p99 over trials), printed for the README and BENCHMARKS."""
    trials = int(os.environ.get("WARDEN_MPR_TRIALS", "50"))
    users = [f"t{i:02d}" for i in range(trials)]
    a, b = mpr(2, users=users)
    lat = []
    for u in users:
        for i, s in enumerate((a, b, a)):
            assert bind(s, u, f"wrong-{i}") == 49
            if i < MAX - 1:
                time.sleep(0.3)
        t0 = time.monotonic()
        assert locked_time(a, u)
        while not locked_time(b, u):
            if time.monotonic() - t0 > 10:
                pytest.fail(f"{u}: the lock did not reach the other provider")
            time.sleep(0.002)
        lat.append(time.monotonic() - t0)
    lat.sort()
    med = statistics.median(lat)
    p99 = lat[min(len(lat) - 1, int(round(0.99 * (len(lat) - 1))))]
    print(f"\nlock honoured on the other provider after: median {med * 1000:.1f} ms, "
          f"p99 {p99 * 1000:.1f} ms, max {lat[-1] * 1000:.1f} ms ({len(lat)} trials)")
    assert bind(b, users[0], USERPW) == 49
    assert med < 1.0
    no_older_entry([a, b])
