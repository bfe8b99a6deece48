# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""The audit trail: one JSON record for every change and every bind
outcome, with the fields an auditor and a SIEM need, secrets redacted,
chained, durable."""
import json
import os
import subprocess

import ldap
import ldap.modlist
import pytest

from conftest import ROOTDN, ROOTPW, SUFFIX, USERPW, user_dn
from test_lockout import bind, start
from test_quality import ldappasswd

KEY = "k1 " + "6e" * 32 + "\n"


def start_audit(s, policy=None, extra="", **kw):
    key = s.dir / "warden.key"
    key.write_text(KEY)
    os.chmod(key, 0o600)
    audit = s.dir / "audit.log"
    a = start(s, {"pwdMaxFailure": "3", **(policy or {})},
              extra=f"warden-key-file {key}\nwarden-audit-file {audit}\n{extra}", **kw)
    return a, audit


def records(path, flush_s=None):
    out = []
    for line in path.read_text().splitlines():
        out.append(json.loads(line))
    return out


def find(recs, **want):
    return [r for r in recs if all(r.get(k) == v for k, v in want.items())]


def merged(recs):
    """A change that reached the database has an intent record (written
    before it) and a result record: here as one, the intent's fields with
    the result's over them.  Intents without a result stay as they are."""
    by_seq = {r["warden.seq"]: r for r in recs}
    used, out = set(), []
    for n, r in enumerate(recs):
        if r.get("warden.phase") != "result":
            continue
        i = by_seq.get(r.get("warden.intent.seq"))
        if i is None:       # async: the last open intent of the operation
            i = next((x for x in reversed(recs[:n]) if x.get("warden.phase") == "intent"
                      and x["warden.seq"] not in used and
                      all(x.get(k) == r.get(k) for k in ("ldap.conn", "ldap.op",
                                                           "event.action"))), None)
        if i is not None:
            used.add(i["warden.seq"])
            r.update({k: v for k, v in i.items() if k not in r})
    for r in recs:
        if r["warden.seq"] not in used:
            out.append(r)
    return out


def test_changes_and_binds_are_recorded_with_their_fields(slapd):
    a, audit = start_audit(slapd)
    dn = f"uid=dave,ou=people,{SUFFIX}"
    a.add_s(dn, ldap.modlist.addModlist({
        "objectClass": [b"inetOrgPerson"], "uid": [b"dave"], "cn": [b"dave"], "sn": [b"d"],
        "userPassword": [b"Secret-Added-9912"], "jpegPhoto": [b"\xff\xd8\xff\x00binary"]}))
    a.modify_s(dn, [(ldap.MOD_REPLACE, "description", [b"line one"])])
    a.rename_s(dn, "uid=david", delold=1)
    dn = f"uid=david,ou=people,{SUFFIX}"
    rc, out = ldappasswd(slapd, ROOTDN, ROOTPW, "Secret-Changed-4471", dn)
    assert rc == 0, out
    a.delete_s(dn)
    assert bind(slapd, "alice", USERPW)[0] == 0
    assert bind(slapd, "alice", "wrong-1")[0] == 49
    slapd.stop()                                   # flushes the queue
    raw = records(audit)
    recs = merged([dict(r) for r in raw])
    text = audit.read_text()
    assert "Secret-Added-9912" not in text and "Secret-Changed-4471" not in text

    add = find(recs, **{"event.action": "add", "ldap.dn": f"uid=dave,ou=people,{SUFFIX}"})
    assert len(add) == 1
    r = add[0]
    assert r["event.outcome"] == "success" and r["ldap.result"] == 0
    assert r["user.name"] == ROOTDN and r["source.ip"] == "127.0.0.1"
    assert isinstance(r["source.port"], int) and r["@timestamp"].endswith("Z")
    ch = {c["attr"]: c for c in r["ldap.changes"]}
    assert ch["userPassword"]["redacted"] == 1 and "values" not in ch["userPassword"]
    assert ch["cn"]["values"] == ["dave"]
    assert "base64" in ch["jpegPhoto"]["values"][0]
    mod = find(recs, **{"event.action": "modify", "ldap.dn": f"uid=dave,ou=people,{SUFFIX}"})
    assert len(mod) == 1 and mod[0]["ldap.changes"][0]["values"] == ["line one"]
    ren = find(recs, **{"event.action": "modrdn"})
    assert len(ren) == 1 and ren[0]["ldap.new_rdn"] == "uid=david"
    pw = find(recs, **{"event.action": "password-modify"})
    assert len(pw) == 1 and pw[0]["ldap.dn"] == dn and pw[0]["event.outcome"] == "success"
    assert len(find(recs, **{"event.action": "delete", "ldap.dn": dn})) == 1
    ok = find(recs, **{"event.action": "bind", "ldap.dn": user_dn("alice"), "event.outcome": "success"})
    assert len(ok) == 1 and ok[0]["ldap.bind.mfa"] == "none"
    assert ok[0]["user.name"] == user_dn("alice")
    bad = find(recs, **{"event.action": "bind", "ldap.dn": user_dn("alice"), "event.outcome": "failure"})
    assert len(bad) == 1 and bad[0]["ldap.result"] == 49
    assert bad[0]["event.reason"] == "invalid credentials"
    # the chain: consecutive sequence numbers, each links the one before
    for prev, cur in zip(raw, raw[1:]):
        assert cur["warden.seq"] == prev["warden.seq"] + 1
        assert cur["warden.prev"] == prev["warden.hash"]


def test_refusals_and_warden_changes_are_recorded(slapd):
    a, audit = start_audit(slapd, {"pwdMinLength": "12"})
    for i in range(3):
        assert bind(slapd, "bob", f"wrong-{i}")[0] == 49
    assert bind(slapd, "bob", USERPW)[0] == 49            # locked
    c = slapd.conn(user_dn("alice"), USERPW)
    with pytest.raises(ldap.CONSTRAINT_VIOLATION):
        c.modify_s(user_dn("alice"), [(ldap.MOD_REPLACE, "userPassword", [b"short"])])
    slapd.stop()
    recs = merged(records(audit))
    locked = find(recs, **{"event.action": "bind", "event.reason": "account locked"})
    assert len(locked) == 1 and locked[0]["ldap.dn"] == user_dn("bob")
    lockwrite = find(recs, **{"event.action": "modify", "warden.internal": True,
                              "ldap.dn": user_dn("bob")})
    assert lockwrite and lockwrite[0]["ldap.changes"][0]["attr"] == "pwdAccountLockedTime"
    # (alice's bind recorded pwdLastSuccess, warden's own change)
    refused = [r for r in find(recs, **{"event.action": "modify", "ldap.dn": user_dn("alice")})
               if not r.get("warden.internal")]
    assert len(refused) == 1 and refused[0]["ldap.result"] == 19
    assert refused[0]["event.outcome"] == "failure"
    assert "at least 12 characters" in refused[0]["ldap.message"]
    assert refused[0]["ldap.changes"][0]["redacted"] == 1


def ldapexop(s, *args, who=ROOTDN, pw=ROOTPW):
    p = subprocess.run(["ldapexop", "-x", "-H", s.uri, "-D", who, "-w", pw, *args],
                       capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout + p.stderr


def test_other_extended_operations_are_recorded(slapd):
    # dds (RFC 2589 dynamic objects) answers its Refresh operation in the
    # database, below warden
    a, audit = start_audit(slapd, modules=("dds.la",),
                           db_extra="overlay dds\ndds-max-ttl 1d\ndds-default-ttl 1h\n")
    dn = f"cn=session1,{SUFFIX}"
    a.add_s(dn, [("objectClass", [b"device", b"dynamicObject"]), ("cn", [b"session1"])])
    rc, out = ldapexop(slapd, "refresh", dn, "600")
    assert rc == 0, out
    rc, out = ldapexop(slapd, "refresh", dn, "99999999")      # over dds-max-ttl
    assert rc != 0, out
    # Password Modify refused before any identity is known: recorded too
    p = subprocess.run(["ldappasswd", "-x", "-H", slapd.uri, "-s", "New-Pass-7731-x",
                        user_dn("alice")], capture_output=True, text=True, timeout=30)
    assert p.returncode != 0
    slapd.stop()
    recs = merged(records(audit))
    ref = find(recs, **{"event.action": "refresh"})
    assert [r["event.outcome"] for r in ref] == ["success", "failure"], ref
    assert ref[0]["ldap.oid"] == "1.3.6.1.4.1.1466.101.119.1"
    assert ref[0]["user.name"] == ROOTDN and ref[0]["ldap.result"] == 0
    assert ref[1]["ldap.result"] != 0 and ref[1]["ldap.message"]
    anon = find(recs, **{"event.action": "password-modify", "ldap.dn": user_dn("alice")})
    assert len(anon) == 1 and anon[0]["event.outcome"] == "failure", anon
    assert anon[0]["user.name"] == "" and anon[0]["ldap.result"] == 8
    assert "New-Pass-7731-x" not in audit.read_text()


def test_redact_setting(slapd):
    a, audit = start_audit(slapd, extra="warden-audit-redact description\n")
    a.modify_s(user_dn("alice"), [(ldap.MOD_REPLACE, "description", [b"private note"])])
    slapd.stop()
    assert "private note" not in audit.read_text()
    r = find(merged(records(audit)), **{"event.action": "modify", "ldap.dn": user_dn("alice")})
    assert r[0]["ldap.changes"][0]["redacted"] == 1


VALUE_MAX = 64 * 1024       # audit.c: longer values are recorded bounded
SIZES = {"small": b"", "oversized": b"\x05" * (VALUE_MAX + 1)}


def as_recorded(v):
    """A value as the trail holds it: itself, or its SHA-256 when bounded."""
    import hashlib
    return hashlib.sha256(v).hexdigest() if len(v) > VALUE_MAX else v.decode()


def recorded(x):
    return x["sha256"] if isinstance(x, dict) else x


@pytest.mark.parametrize("size", SIZES)
def test_kill9_under_concurrent_modifies_loses_no_acknowledged_record(slapd, size):
    import signal
    import threading
    import time
    a, audit = start_audit(slapd)
    acked, stop = [], threading.Event()

    def worker(t):
        c = slapd.conn(ROOTDN, ROOTPW)
        i = 0
        while not stop.is_set():
            v = f"t{t}-{i}".encode() + SIZES[size]
            try:
                c.modify_s(user_dn("alice" if t % 2 else "bob"),
                           [(ldap.MOD_REPLACE, "description", [v])])
            except ldap.LDAPError:
                return
            acked.append(as_recorded(v))
            i += 1

    ts = [threading.Thread(target=worker, args=(t,)) for t in range(8)]
    for t in ts:
        t.start()
    time.sleep(1.5)
    os.kill(slapd.proc.pid, signal.SIGKILL)
    slapd.proc.wait(10)
    slapd.proc = None
    stop.set()
    for t in ts:
        t.join()
    assert len(acked) > 50
    slapd.start()                       # repairs a torn tail, continues the chain
    slapd.stop()
    recs = records(audit)
    seen = {recorded(r["ldap.changes"][0]["values"][0]) for r in recs
            if r.get("event.action") == "modify" and r.get("ldap.changes")
            and r["ldap.changes"][0]["attr"] == "description"}
    missing = [v for v in acked if v not in seen]
    assert not missing, missing[:5]
    for prev, cur in zip(recs, recs[1:]):
        assert cur["warden.seq"] == prev["warden.seq"] + 1
        assert cur["warden.prev"] == prev["warden.hash"]


def mount_tmpfs(path, size):
    path.mkdir(mode=0o700, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a small tmpfs")
    import subprocess
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs",
                    str(path)], check=True)
    return path


@pytest.mark.parametrize("size", SIZES)
def test_full_disk_refuses_changes_when_configured(slapd, size):
    import subprocess
    d = mount_tmpfs(slapd.dir / "small", "256k")
    try:
        key = slapd.dir / "warden.key"
        key.write_text(KEY)
        os.chmod(key, 0o600)
        a = start(slapd, {"pwdMaxFailure": "3"},
                  extra=f"warden-key-file {key}\nwarden-audit-file {d}/audit.log\n"
                        "warden-audit-overflow refuse\n")
        filler = d / "filler"
        with open(filler, "wb") as f:
            try:
                f.write(b"x" * (300 * 1024))
            except OSError:
                pass
        big = b"y" * 4000 + SIZES[size]
        refused = None
        for i in range(200):
            v = big + str(i).encode()
            try:
                a.modify_s(user_dn("alice"), [(ldap.MOD_REPLACE, "description", [v])])
            except ldap.UNAVAILABLE as e:
                refused = e
                # refused before it was made
                got = a.search_s(user_dn("alice"), ldap.SCOPE_BASE, attrlist=["description"])
                assert got[0][1].get("description") != [v]
                break
        assert refused is not None, "never refused"
        assert "audit trail cannot be written" in refused.args[0]["info"]
        # room again: changes go through again
        filler.unlink()
        import time
        deadline = time.time() + 15
        while True:
            try:
                a.modify_s(user_dn("alice"), [(ldap.MOD_REPLACE, "description", [b"after"])])
                break
            except ldap.UNAVAILABLE:
                assert time.time() < deadline, "still refused"
                time.sleep(0.5)
        slapd.stop()
        recs = records(d / "audit.log")
        assert find(merged(recs), **{"event.action": "modify"})[-1]["ldap.changes"][0]["values"] \
            == ["after"]
    finally:
        if slapd.proc:
            slapd.stop()
        subprocess.run(["umount", "-l", str(d)])


@pytest.mark.parametrize("size", SIZES)
def test_full_disk_makes_writers_wait_by_default(slapd, size):
    import subprocess
    import threading
    import time
    d = mount_tmpfs(slapd.dir / "small", "128k")
    try:
        key = slapd.dir / "warden.key"
        key.write_text(KEY)
        os.chmod(key, 0o600)
        a = start(slapd, {"pwdMaxFailure": "3"},
                  extra=f"warden-key-file {key}\nwarden-audit-file {d}/audit.log\n")
        filler = d / "filler"
        with open(filler, "wb") as f:
            try:
                f.write(b"x" * (200 * 1024))
            except OSError:
                pass
        done = []

        value = b"z" * 8000 + SIZES[size]

        def change():
            c = slapd.conn(ROOTDN, ROOTPW)
            c.modify_s(user_dn("alice"), [(ldap.MOD_REPLACE, "description", [value])])
            done.append(time.time())

        t = threading.Thread(target=change)
        t.start()
        time.sleep(1.5)
        assert not done, "the change was acknowledged without its record"
        # reads go on meanwhile
        assert slapd.conn(user_dn("bob"), USERPW).whoami_s()
        filler.unlink()
        t.join(20)
        assert done, "the writer did not recover"
        slapd.stop()
        mods = find(merged(records(d / "audit.log")), **{"event.action": "modify"})
        assert recorded(mods[-1]["ldap.changes"][0]["values"][0]) == as_recorded(value)
    finally:
        if slapd.proc:
            slapd.stop()
        subprocess.run(["umount", "-l", str(d)])


def test_rotation_continues_the_chain(slapd):
    a, audit = start_audit(slapd)
    a.modify_s(user_dn("alice"), [(ldap.MOD_REPLACE, "description", [b"before"])])
    os.rename(audit, str(audit) + ".1")
    a.modify_s(user_dn("alice"), [(ldap.MOD_REPLACE, "description", [b"after"])])
    slapd.stop()
    old = records(audit.with_name("audit.log.1"))
    new = records(audit)
    assert oct(os.stat(audit).st_mode & 0o777) == "0o600"
    assert new[0]["warden.prev"] == old[-1]["warden.hash"]
    assert new[0]["warden.seq"] == old[-1]["warden.seq"] + 1
    # the result of "before" may follow the rename: merged across both files
    after = [r for r in find(merged(old + new), **{"event.action": "modify"})
             if r["ldap.changes"][0]["values"] == ["after"]]
    assert len(after) == 1 and after[0]["event.outcome"] == "success"
    assert after[0]["warden.seq"] > old[-1]["warden.seq"]


def test_wardenctl_verifies_the_trail_slapd_wrote_and_finds_an_edit(slapd):
    import subprocess
    a, audit = start_audit(slapd)
    for i in range(5):
        a.modify_s(user_dn("alice"), [(ldap.MOD_REPLACE, "description", [f"v{i}".encode()])])
    assert bind(slapd, "bob", USERPW)[0] == 0
    os.rename(audit, str(audit) + ".1")
    a.modify_s(user_dn("alice"), [(ldap.MOD_REPLACE, "description", [b"after"])])
    slapd.stop()
    ctl = os.environ["WARDENCTL"]
    files = [str(audit) + ".1", str(audit)]
    p = subprocess.run([ctl, "audit", "verify", "--key-file", str(slapd.dir / "warden.key"), *files],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "records verified" in p.stdout
    # an edit of one value is found at its record
    lines = audit.with_name("audit.log.1").read_text().splitlines(True)
    i = next(n for n, l in enumerate(lines) if '"v2"' in l)
    lines[i] = lines[i].replace('"v2"', '"v9"')
    audit.with_name("audit.log.1").write_text("".join(lines))
    p = subprocess.run([ctl, "audit", "verify", "--key-file", str(slapd.dir / "warden.key"), *files],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 1
    assert f"audit.log.1:{i + 1}" in p.stdout + p.stderr


def test_bind_reasons_for_codes_and_systems(slapd):
    from test_totp import code, enrol
    a, audit = start_audit(slapd)
    seed = enrol(slapd, "alice")
    cred = USERPW + code(seed)
    assert bind(slapd, "alice", cred)[0] == 0
    assert bind(slapd, "alice", cred)[0] == 49
    assert bind(slapd, "alice", USERPW)[0] == 49
    assert bind(slapd, "alice", USERPW + "000000")[0] in (0, 49)
    for ou in ("systems", "groups"):
        a.add_s(f"ou={ou},{SUFFIX}", [("objectClass", [b"organizationalUnit"]),
                                      ("ou", [ou.encode()])])
    a.add_s(f"cn=g,ou=groups,{SUFFIX}", ldap.modlist.addModlist({
        "objectClass": [b"groupOfNames"], "cn": [b"g"], "member": [user_dn("carol").encode()]}))
    a.add_s(f"cn=s,ou=systems,{SUFFIX}", ldap.modlist.addModlist({
        "objectClass": [b"device", b"wardenSystem"], "cn": [b"s"],
        "wardenNetwork": [b"127.0.0.0/8"], "wardenAllowedGroup": [f"cn=g,ou=groups,{SUFFIX}".encode()]}))
    assert bind(slapd, "bob", USERPW)[0] == 49
    slapd.stop()
    recs = find(records(audit), **{"event.action": "bind"})
    alice = [r for r in recs if r["ldap.dn"] == user_dn("alice")]
    assert alice[0]["event.outcome"] == "success" and alice[0]["ldap.bind.mfa"] == "totp"
    assert alice[1]["event.reason"] == "replayed one-time code"
    assert alice[2]["event.reason"] == "malformed one-time code"
    bob = [r for r in recs if r["ldap.dn"] == user_dn("bob")]
    assert bob[-1]["event.reason"] == "not allowed on this system"
    assert cred not in audit.read_text()
