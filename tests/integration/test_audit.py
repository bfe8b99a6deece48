"""The audit trail: one JSON record for every change and every bind
outcome, with the fields an auditor and a SIEM need, secrets redacted,
chained, durable."""
import json
import os

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
    recs = records(audit)
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
    bad = find(recs, **{"event.action": "bind", "ldap.dn": user_dn("alice"), "event.outcome": "failure"})
    assert len(bad) == 1 and bad[0]["ldap.result"] == 49
    assert bad[0]["event.reason"] == "invalid credentials"
    # the chain: consecutive sequence numbers, each links the one before
    for prev, cur in zip(recs, recs[1:]):
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
    recs = records(audit)
    locked = find(recs, **{"event.action": "bind", "event.reason": "account locked"})
    assert len(locked) == 1 and locked[0]["ldap.dn"] == user_dn("bob")
    lockwrite = find(recs, **{"event.action": "modify", "warden.internal": True,
                              "ldap.dn": user_dn("bob")})
    assert lockwrite and lockwrite[0]["ldap.changes"][0]["attr"] == "pwdAccountLockedTime"
    refused = find(recs, **{"event.action": "modify", "ldap.dn": user_dn("alice")})
    assert len(refused) == 1 and refused[0]["ldap.result"] == 19
    assert refused[0]["event.outcome"] == "failure"
    assert "at least 12 characters" in refused[0]["ldap.message"]
    assert refused[0]["ldap.changes"][0]["redacted"] == 1


def test_redact_setting(slapd):
    a, audit = start_audit(slapd, extra="warden-audit-redact description\n")
    a.modify_s(user_dn("alice"), [(ldap.MOD_REPLACE, "description", [b"private note"])])
    slapd.stop()
    assert "private note" not in audit.read_text()
    r = find(records(audit), **{"event.action": "modify", "ldap.dn": user_dn("alice")})
    assert r[0]["ldap.changes"][0]["redacted"] == 1
