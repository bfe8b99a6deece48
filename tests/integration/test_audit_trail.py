# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""The trail never loses a change (issue 15): a change is recorded before
it is made or not made; oversized values and DNs are recorded in a bounded
form; a full disk refuses or delays changes before they are committed,
also with oversized values (test_audit.py runs its kill -9 and full-disk
tests with oversized values too); checkpoints; repeated failures."""
import hashlib
import os
import subprocess
import threading
import time

import ldap
import ldap.modlist
import pytest

from conftest import ROOTDN, ROOTPW, SUFFIX, USERPW, user_dn
from test_audit import KEY, find, merged, mount_tmpfs, records, start_audit
from test_lockout import bind, start

GROUPS = f"ou=groups,{SUFFIX}"
ADMINS = f"cn=warden-admins,{GROUPS}"
VALUE_MAX = 64 * 1024          # audit.c AUDIT_VALUE_MAX
DN_MAX = 1024                  # audit.c AUDIT_DN_MAX


def verify(s, audit, *extra):
    p = subprocess.run([os.environ["WARDENCTL"], "audit", "verify", "--key-file",
                        str(s.dir / "warden.key"), *map(str, extra), str(audit)],
                       capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout + p.stderr


def bounded(v):
    return {"truncated": True, "len": len(v), "sha256": hashlib.sha256(v).hexdigest()}


def admins_group(a):
    a.add_s(GROUPS, [("objectClass", [b"organizationalUnit"]), ("ou", [b"groups"])])
    a.add_s(ADMINS, ldap.modlist.addModlist({
        "objectClass": [b"groupOfNames"], "cn": [b"warden-admins"],
        "member": [user_dn("alice").encode()]}))


def test_oversized_value_is_recorded_bounded(slapd):
    # 3 MiB of control characters, 6 bytes each once escaped: an 18 MiB
    # record, which the trail used to drop with a log line
    a, audit = start_audit(slapd, extra=f"warden-admin-group {ADMINS}\n")
    admins_group(a)
    big = b"\x01" * (3 * 1024 * 1024)
    a.modify_s(ADMINS, [(ldap.MOD_ADD, "member", [user_dn("carol").encode()]),
                        (ldap.MOD_REPLACE, "description", [big])])
    a.modify_s(ADMINS, [(ldap.MOD_REPLACE, "description", [b"x" * VALUE_MAX])])
    slapd.stop()
    assert max(len(line) for line in audit.read_bytes().splitlines()) < 200 * 1024
    recs = find(merged(records(audit)), **{"event.action": "modify", "ldap.dn": ADMINS})
    assert len(recs) == 2, recs
    ch = {c["attr"]: c for c in recs[0]["ldap.changes"]}
    assert ch["member"]["values"] == [user_dn("carol")]
    v = ch["description"]["values"][0]
    assert {k: v[k] for k in ("truncated", "len", "sha256")} == bounded(big)
    assert v["head"] == "\x01" * 64
    assert recs[0]["event.outcome"] == "success"
    # a value of exactly the bound is written whole
    assert recs[1]["ldap.changes"][0]["values"] == ["x" * VALUE_MAX]
    rc, out = verify(slapd, audit)
    assert rc == 0, out


def test_long_dns_are_bounded_in_bind_records(slapd):
    a, audit = start_audit(slapd)
    long_dn = "uid=" + "a" * 8000 + ",ou=people," + SUFFIX
    c = ldap.initialize(slapd.uri)
    with pytest.raises(ldap.INVALID_CREDENTIALS):
        c.simple_bind_s(long_dn, "whatever")
    edge = "uid=" + "b" * (DN_MAX - len(",ou=people," + SUFFIX) - 4) + ",ou=people," + SUFFIX
    assert len(edge) == DN_MAX
    with pytest.raises(ldap.INVALID_CREDENTIALS):
        c.simple_bind_s(edge, "whatever")
    slapd.stop()
    recs = find(records(audit), **{"event.action": "bind"})
    long_rec = [r for r in recs if isinstance(r["ldap.dn"], dict)]
    assert len(long_rec) == 1
    r = long_rec[0]
    assert r["ldap.dn"]["truncated"] is True and r["ldap.dn"]["len"] == len(long_dn)
    assert r["ldap.dn"]["sha256"] == hashlib.sha256(long_dn.encode()).hexdigest()
    assert r["user.name"] == r["ldap.dn"]
    assert len(r["ldap.dn"]["head"]) == 64
    assert len(find(recs, **{"ldap.dn": edge})) == 1
    line = next(x for x in audit.read_bytes().splitlines() if b'"truncated"' in x)
    assert len(line) < 1500


def test_many_large_values_stay_bounded(slapd):
    """Past 1 MiB of changes every value over 128 bytes is bounded, past
    2 MiB the rest is summed up: no entry makes a record too long to write."""
    a, audit = start_audit(slapd, global_extra="sockbuf_max_incoming_auth 67108864\n")
    n = 20000
    vals = [(b"%05d" % i) + b"v" * 300 for i in range(n)]     # 6 MB
    a.add_s(f"cn=big,{SUFFIX}", [("objectClass", [b"device"]), ("cn", [b"big"]),
                                ("description", vals)])
    slapd.stop()
    line = max(audit.read_bytes().splitlines(), key=len)
    assert len(line) < 3 * 1024 * 1024
    r = find(merged(records(audit)), **{"event.action": "add", "ldap.dn": f"cn=big,{SUFFIX}"})[0]
    assert r["event.outcome"] == "success"
    d = next(c for c in r["ldap.changes"] if c["attr"] == "description")["values"]
    whole = [v for v in d if isinstance(v, str)]
    assert whole and whole[0] == vals[0].decode()
    assert any(isinstance(v, dict) and "sha256" in v and "values" not in v for v in d)
    rest = d[-1]
    assert rest["truncated"] is True and rest["values"] >= 1
    assert len(whole) + sum(1 for v in d if isinstance(v, dict) and "values" not in v) \
        + rest["values"] == n
    h = hashlib.sha256()
    for v in vals[n - rest["values"]:]:
        h.update(len(v).to_bytes(8, "big") + v)
    assert rest["sha256"] == h.hexdigest()


def test_intent_is_on_disk_before_the_change_is_made(slapd):
    """The intent record comes before the database commits: a change is
    never in the directory without its record, whatever happens after."""
    a, audit = start_audit(slapd)
    a.modify_s(user_dn("alice"), [(ldap.MOD_REPLACE, "description", [b"one"])])
    slapd.stop()
    recs = records(audit)
    mods = find(recs, **{"event.action": "modify", "ldap.dn": user_dn("alice")})
    assert [r.get("warden.phase") for r in mods] == ["intent", "result"]
    intent, result = mods
    assert intent["event.outcome"] == "unknown" and "ldap.result" not in intent
    assert intent["ldap.changes"][0]["values"] == ["one"]
    assert result["event.outcome"] == "success" and result["ldap.result"] == 0
    assert result["warden.intent.seq"] == intent["warden.seq"]
    assert "ldap.changes" not in result
    assert result["ldap.conn"] == intent["ldap.conn"] and result["ldap.op"] == intent["ldap.op"]


def test_a_change_the_database_refuses_has_its_intent_and_the_refusal(slapd):
    a, audit = start_audit(slapd)
    with pytest.raises(ldap.NO_SUCH_OBJECT):
        a.modify_s(f"uid=nobody,ou=people,{SUFFIX}",
                   [(ldap.MOD_REPLACE, "description", [b"x"])])
    slapd.stop()
    r = find(merged(records(audit)), **{"ldap.dn": f"uid=nobody,ou=people,{SUFFIX}"})
    assert len(r) == 1 and r[0]["ldap.result"] == 32 and r[0]["event.outcome"] == "failure"
    assert r[0]["ldap.changes"][0]["values"] == ["x"]


def fill(d, filler, size):
    with open(filler, "wb") as f:
        try:
            f.write(b"x" * size)
        except OSError:
            pass


@pytest.mark.parametrize("value", [b"small", b"\x02" * (VALUE_MAX + 1000)],
                         ids=["small", "oversized"])
def test_full_disk_refused_change_is_not_made(slapd, value):
    """warden-audit-overflow refuse: every change is either recorded and
    made, or refused and not made, also the one that finds the disk full
    (its record used to fail after the commit: made, acknowledged, and
    not recorded)."""
    d = mount_tmpfs(slapd.dir / "small", "256k")
    try:
        key = slapd.dir / "warden.key"
        key.write_text(KEY)
        os.chmod(key, 0o600)
        a = start(slapd, {"pwdMaxFailure": "3"},
                  extra=f"warden-key-file {key}\nwarden-audit-file {d}/audit.log\n"
                        "warden-audit-overflow refuse\n")
        made, refused = [], []
        filled = False
        for i in range(400):
            v = b"%d-" % i + value
            try:
                a.modify_s(user_dn("alice"), [(ldap.MOD_REPLACE, "description", [v])])
                made.append(v)
            except ldap.UNAVAILABLE as e:
                assert "audit trail cannot be written" in e.args[0]["info"]
                got = a.search_s(user_dn("alice"), ldap.SCOPE_BASE, attrlist=["description"])
                assert got[0][1]["description"] != [v], "refused and made"
                refused.append(v)
                if len(refused) >= 5:
                    break
            if not filled and i == 2:
                fill(d, d / "filler", 300 * 1024)
                filled = True
        assert refused, "never refused"
        (d / "filler").unlink()
        deadline = time.time() + 15
        while True:
            try:
                a.modify_s(user_dn("alice"), [(ldap.MOD_REPLACE, "description", [b"after"])])
                made.append(b"after")
                break
            except ldap.UNAVAILABLE:
                assert time.time() < deadline, "still refused"
                time.sleep(0.5)
        slapd.stop()
        recs = merged(records(d / "audit.log"))
        seen = []
        for r in find(recs, **{"event.action": "modify", "ldap.dn": user_dn("alice")}):
            if r.get("event.outcome") != "success" or r.get("warden.internal"):
                continue
            v = r["ldap.changes"][0]["values"][0]
            seen.append(v["sha256"] if isinstance(v, dict) else v)
        want = [hashlib.sha256(v).hexdigest() if len(v) > VALUE_MAX else v.decode()
                for v in made]
        assert [w for w in want if w not in seen] == [], "made without a record"
    finally:
        if slapd.proc:
            slapd.stop()
        subprocess.run(["umount", "-l", str(d)])


def test_full_disk_oversized_change_waits_by_default(slapd):
    d = mount_tmpfs(slapd.dir / "small", "128k")
    try:
        key = slapd.dir / "warden.key"
        key.write_text(KEY)
        os.chmod(key, 0o600)
        a = start(slapd, {"pwdMaxFailure": "3"},
                  extra=f"warden-key-file {key}\nwarden-audit-file {d}/audit.log\n")
        fill(d, d / "filler", 200 * 1024)
        done = []
        big = b"\x03" * (1024 * 1024)

        def change():
            c = slapd.conn(ROOTDN, ROOTPW)
            c.modify_s(user_dn("alice"), [(ldap.MOD_REPLACE, "description", [big])])
            done.append(time.time())

        t = threading.Thread(target=change)
        t.start()
        time.sleep(1.5)
        assert not done, "the change was acknowledged without its record"
        # not made either: its intent is not written yet
        got = a.search_s(user_dn("alice"), ldap.SCOPE_BASE, attrlist=["description"])
        assert got[0][1].get("description") != [big]
        (d / "filler").unlink()
        t.join(20)
        assert done, "the writer did not recover"
        slapd.stop()
        r = find(merged(records(d / "audit.log")), **{"event.action": "modify",
                                                      "ldap.dn": user_dn("alice")})
        assert r and {k: r[-1]["ldap.changes"][0]["values"][0][k]
                      for k in ("truncated", "len", "sha256")} == bounded(big)
    finally:
        if slapd.proc:
            slapd.stop()
        subprocess.run(["umount", "-l", str(d)])


# --- checkpoints -----------------------------------------------------------

def test_checkpoint_shows_records_cut_off_the_end(slapd):
    cp = slapd.dir / "audit.checkpoint"
    a, audit = start_audit(slapd, extra=f"warden-audit-checkpoint {cp}\n")
    for i in range(60):
        a.modify_s(user_dn("alice"), [(ldap.MOD_REPLACE, "description", [b"v%d" % i])])
    time.sleep(2.5)
    # while slapd runs: at most a second behind
    assert b'"event.action":"audit-checkpoint"' in cp.read_bytes()
    rc, out = verify(slapd, audit, "--checkpoint", cp)
    assert rc == 0, out
    slapd.stop()
    last = records(audit)[-1]["warden.seq"]
    assert f'"warden.seq":{last},'.encode() in cp.read_bytes()     # the close's
    rc, out = verify(slapd, audit, "--checkpoint", cp)
    assert rc == 0 and f"checkpoint verified: seq {last}" in out, out
    # delete the last 50 records: the chain still verifies, the checkpoint does not
    lines = audit.read_bytes().splitlines(True)
    audit.write_bytes(b"".join(lines[:-50]))
    assert verify(slapd, audit)[0] == 0
    rc, out = verify(slapd, audit, "--checkpoint", cp)
    assert rc == 1 and "truncated: the trail ends at seq" in out, out
    # slapd does not write a checkpoint over the evidence: it refuses to start
    assert slapd.start(expect_failure=True) != 0
    assert "before its last checkpoint" in slapd.log_text()
    # emptied: fails too, and without the checkpoint unless --allow-empty
    audit.write_bytes(b"")
    assert verify(slapd, audit)[0] == 1
    assert verify(slapd, audit, "--allow-empty")[0] == 0
    assert verify(slapd, audit, "--allow-empty", "--checkpoint", cp)[0] == 1


def test_checkpoint_needs_the_key_file(slapd):
    cp = slapd.dir / "audit.checkpoint"
    slapd.write_conf(slapd.base_conf([os.environ["WARDEN_MODULE"]]) + slapd.mdb_conf() +
                     f"overlay warden\nwarden-state-dir {slapd.state}\n"
                     f"warden-audit-file {slapd.dir}/audit.log\nwarden-audit-checkpoint {cp}\n")
    assert slapd.start(expect_failure=True) != 0
    assert "warden-audit-checkpoint needs warden-key-file" in slapd.log_text()


def test_checkpoint_and_aggregate_live_in_cn_config(slapd):
    from test_cnconfig import config_ldif, delete, modify, overlay_attrs, replace
    from test_cnconfig import KEY as CKEY
    slapd.load_config_ldif(config_ldif(slapd, with_warden=True))
    slapd.start()
    slapd.add_users()
    key = slapd.dir / "warden.key"
    key.write_text(CKEY)
    os.chmod(key, 0o600)
    audit, cp = slapd.dir / "audit.log", slapd.dir / "audit.cp"
    rc, out = modify(slapd, f"add: olcWardenKeyFile\nolcWardenKeyFile: {key}\n")
    assert rc == 0, out
    rc, out = modify(slapd, f"add: olcWardenAuditFile\nolcWardenAuditFile: {audit}\n")
    assert rc == 0, out
    rc, out = modify(slapd, f"add: olcWardenAuditCheckpoint\nolcWardenAuditCheckpoint: {cp}\n")
    assert rc == 0, out
    rc, out = modify(slapd, replace("olcWardenAuditCheckpoint", f"{slapd.dir}/no/cp"))
    assert rc == 80 and "does not exist" in out, out
    rc, out = modify(slapd, replace("olcWardenAuditCheckpoint", audit))
    assert rc == 80 and "another file than the trail" in out, out
    for bad in ("3601", "-1", "x"):
        rc, out = modify(slapd, replace("olcWardenAuditAggregate", bad))
        assert rc in (19, 21, 80), out
    rc, out = modify(slapd, replace("olcWardenAuditAggregate", "30"))
    assert rc == 0, out
    assert overlay_attrs(slapd)["olcWardenAuditAggregate"] == ["30"]
    slapd.admin().modify_s(user_dn("alice"), [(ldap.MOD_REPLACE, "description", [b"x"])])
    time.sleep(2)
    rc, out = verify(slapd, audit, "--checkpoint", cp)
    assert rc == 0 and "checkpoint verified" in out, out
    slapd.restart()
    attrs = overlay_attrs(slapd)
    assert attrs["olcWardenAuditCheckpoint"] == [str(cp)]
    assert attrs["olcWardenAuditAggregate"] == ["30"]
    rc, out = modify(slapd, delete("olcWardenAuditCheckpoint"))
    assert rc == 0, out
    rc, out = modify(slapd, delete("olcWardenAuditAggregate"))
    assert rc == 0, out
    assert "olcWardenAuditCheckpoint" not in overlay_attrs(slapd)


# --- repeated failures ----------------------------------------------------------

def total_failures(recs, dn, reason):
    return sum(r.get("event.count", 0) + (0 if r.get("warden.aggregated") else 1)
               for r in find(recs, **{"event.action": "bind", "ldap.dn": dn,
                                      "event.reason": reason}))


def test_repeated_locked_binds_are_one_record_with_their_count(slapd):
    a, audit = start_audit(slapd, extra="warden-audit-aggregate 2\n")
    for i in range(3):
        assert bind(slapd, "bob", f"wrong-{i}")[0] == 49
    c = ldap.initialize(slapd.uri)
    n = 0
    t0 = time.time()
    while time.time() - t0 < 3.5:           # two intervals and a half
        with pytest.raises(ldap.INVALID_CREDENTIALS):
            c.simple_bind_s(user_dn("bob"), USERPW)
        n += 1
    assert n > 100
    slapd.stop()                               # ends the last burst, counted
    recs = records(audit)
    locked = find(recs, **{"event.action": "bind", "ldap.dn": user_dn("bob"),
                           "event.reason": "account locked"})
    agg = [r for r in locked if r.get("warden.aggregated")]
    # a burst per interval: its first written at once, the rest as one record
    assert 2 <= len(agg) <= 3 and len(locked) <= 6, [r.get("event.count") for r in locked]
    assert total_failures(recs, user_dn("bob"), "account locked") == n
    assert total_failures(recs, user_dn("bob"), "invalid credentials") == 3
    r = agg[0]
    assert r["event.count"] >= 1 and r["event.start"] <= r["event.end"]
    assert r["source.ip"] == "127.0.0.1" and r["ldap.result"] == 49
    rc, out = verify(slapd, audit)
    assert rc == 0, out


def test_aggregate_zero_writes_every_failure(slapd):
    a, audit = start_audit(slapd, extra="warden-audit-aggregate 0\n")
    for i in range(5):
        assert bind(slapd, "bob", f"wrong-{i}")[0] == 49
    slapd.stop()
    recs = find(records(audit), **{"event.action": "bind", "ldap.dn": user_dn("bob")})
    assert len(recs) == 5 and not any(r.get("warden.aggregated") for r in recs)


@pytest.mark.skipif(not os.environ.get("WARDEN_FLOOD"), reason="a measurement: WARDEN_FLOOD=1")
@pytest.mark.parametrize("interval", ["10", "0"])
def test_flood_rate(slapd, interval):
    """The trail's write rate under a bind flood (README, "Repeated
    failures"): 4 connections re-bind as a locked account for 20 s.
    WARDEN_FLOOD=1 /work/itest.sh BUILD -k test_flood_rate -s"""
    import multiprocessing
    a, audit = start_audit(slapd, extra=f"warden-audit-aggregate {interval}\n")
    for i in range(3):
        assert bind(slapd, "bob", f"wrong-{i}")[0] == 49
    time.sleep(1)
    size0, n0 = audit.stat().st_size, len(audit.read_bytes().splitlines())
    secs = 20

    def flood(q):
        c = ldap.initialize(slapd.uri)
        n, t0 = 0, time.time()
        while time.time() - t0 < secs:
            try:
                c.simple_bind_s(user_dn("bob"), USERPW)
            except ldap.INVALID_CREDENTIALS:
                n += 1
        q.put(n)

    q = multiprocessing.Queue()
    ps = [multiprocessing.Process(target=flood, args=(q,)) for _ in range(4)]
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    binds = sum(q.get() for _ in ps)
    time.sleep(1.5)
    size1, n1 = audit.stat().st_size, len(audit.read_bytes().splitlines())
    print(f"\nflood interval={interval}: {binds} binds in {secs}s ({binds / secs:.0f}/s); "
          f"trail +{n1 - n0} records ({(n1 - n0) / secs:.2f}/s), "
          f"+{size1 - size0} bytes ({(size1 - size0) / secs:.0f} B/s)")
    slapd.stop()
    recs = records(audit)
    assert total_failures(recs, user_dn("bob"), "account locked") == binds


def test_aggregation_is_on_by_default(slapd):
    a, audit = start_audit(slapd, {"pwdMaxFailure": "0"})
    for i in range(5):
        assert bind(slapd, "bob", f"wrong-{i}")[0] == 49
    slapd.stop()
    recs = find(records(audit), **{"event.action": "bind", "ldap.dn": user_dn("bob")})
    assert len(recs) == 2, recs
    assert recs[1]["warden.aggregated"] is True and recs[1]["event.count"] == 4
    assert total_failures(recs, user_dn("bob"), "invalid credentials") == 5
