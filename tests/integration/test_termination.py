# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""Immediate termination (issue 18): wardenctl user disable/enable, and
sessions already open -- a connection bound as a user who is then
disabled, locked or deleted gets no further operation answered on the
database; each is refused with unwillingToPerform (53) from the moment of
the change, and the refusal is recorded -- while other users' sessions and
the rootdn's go on; a user enabled again may act again."""
import subprocess
import time

import ldap
import pytest

from conftest import ROOTDN, ROOTPW, SUFFIX, USERPW, user_dn
from test_audit import find, merged, records, start_audit
from test_lockout import WARDENCTL, bind
from test_replication import in_sync, pair, start_pair, warden_conf  # noqa: F401 (fixture)

DISABLED = b"000001010000Z"


def session(s, u):
    c = s.conn(user_dn(u), USERPW)
    c.search_s(user_dn(u), ldap.SCOPE_BASE, attrlist=["uid"])     # it works
    return c


def refused(c, u, what):
    with pytest.raises(ldap.UNWILLING_TO_PERFORM) as ex:
        c.search_s(user_dn(u), ldap.SCOPE_BASE, attrlist=["uid"])
    assert what in ex.value.args[0].get("info", ""), ex.value
    with pytest.raises(ldap.UNWILLING_TO_PERFORM):
        c.modify_s(user_dn(u), [(ldap.MOD_REPLACE, "description", [b"still here"])])
    with pytest.raises(ldap.UNWILLING_TO_PERFORM):
        c.compare_s(user_dn(u), "uid", u.encode())
    with pytest.raises(ldap.UNWILLING_TO_PERFORM):
        c.passwd_s(user_dn(u), USERPW, "Brand-New-Pass-77!")


def test_disabled_users_open_session_is_cut_off(slapd):
    a, audit = start_audit(slapd)
    alice, bob = session(slapd, "alice"), session(slapd, "bob")
    a.modify_s(user_dn("alice"), [(ldap.MOD_REPLACE, "pwdAccountLockedTime", [DISABLED])])
    refused(alice, "alice", "disabled")
    # bob's session, and the administrator's, go on
    bob.search_s(user_dn("bob"), ldap.SCOPE_BASE, attrlist=["uid"])
    a.search_s(user_dn("alice"), ldap.SCOPE_BASE, attrlist=["uid"])
    # a new bind is refused too (as a locked account)
    assert bind(slapd, "alice", USERPW)[0] == 49
    time.sleep(0.3)
    recs = records(audit)
    got = find(recs, **{"event.action": "search", "event.category": "session",
                        "event.outcome": "failure", "ldap.result": 53,
                        "user.name": user_dn("alice")})
    assert got and "disabled" in got[0]["event.reason"], got
    mods = [r for r in find(recs, **{"event.action": "modify", "ldap.dn": user_dn("alice"),
                                     "ldap.result": 53})]
    assert mods, "the refused modify has no record"
    # enabled again: the same connection may act again, and alice may bind
    a.modify_s(user_dn("alice"), [(ldap.MOD_DELETE, "pwdAccountLockedTime", None)])
    alice.search_s(user_dn("alice"), ldap.SCOPE_BASE, attrlist=["uid"])
    assert bind(slapd, "alice", USERPW)[0] == 0


def test_session_of_a_user_locked_by_failures_is_cut_off(slapd):
    a, _ = start_audit(slapd)
    carol = session(slapd, "carol")
    for i in range(3):
        assert bind(slapd, "carol", f"Wrong-password-{i}")[0] == 49
    assert a.search_s(user_dn("carol"), ldap.SCOPE_BASE,
                      attrlist=["pwdAccountLockedTime"])[0][1].get("pwdAccountLockedTime")
    refused(carol, "carol", "locked")


def test_deleted_users_session_is_cut_off(slapd):
    a, _ = start_audit(slapd)
    bob = session(slapd, "bob")
    a.delete_s(user_dn("bob"))
    with pytest.raises(ldap.UNWILLING_TO_PERFORM) as ex:
        bob.search_s(SUFFIX, ldap.SCOPE_BASE, attrlist=["dc"])
    assert "no longer exists" in ex.value.args[0].get("info", "")


def test_renamed_users_session_is_cut_off(slapd):
    a, _ = start_audit(slapd)
    bob = session(slapd, "bob")
    a.rename_s(user_dn("bob"), "uid=robert")
    with pytest.raises(ldap.UNWILLING_TO_PERFORM):
        bob.search_s(SUFFIX, ldap.SCOPE_BASE, attrlist=["dc"])
    # the entry under its new name binds anew
    c = ldap.initialize(slapd.uri)
    c.simple_bind_s(f"uid=robert,ou=people,{SUFFIX}", USERPW)
    c.search_s(SUFFIX, ldap.SCOPE_BASE, attrlist=["dc"])


def test_many_sessions_of_one_user_all_end(slapd):
    a, _ = start_audit(slapd)
    conns = [session(slapd, "alice") for _ in range(20)]
    other = session(slapd, "bob")
    a.modify_s(user_dn("alice"), [(ldap.MOD_REPLACE, "pwdAccountLockedTime", [DISABLED])])
    for c in conns:
        with pytest.raises(ldap.UNWILLING_TO_PERFORM):
            c.search_s(user_dn("alice"), ldap.SCOPE_BASE, attrlist=["uid"])
    other.search_s(user_dn("bob"), ldap.SCOPE_BASE, attrlist=["uid"])


def wardenctl(s, *args, who=(ROOTDN, ROOTPW)):
    return subprocess.run([WARDENCTL, "-H", s.uri, "-D", who[0], "-w", who[1], "user", *args],
                          capture_output=True, text=True, timeout=60)


def disabled_attrs(s, u):
    return s.admin().search_s(user_dn(u), ldap.SCOPE_BASE, attrlist=[
        "pwdAccountLockedTime", "wardenDisabledReason", "wardenDisabledBy",
        "wardenDisabledTime"])[0][1]


def test_wardenctl_user_disable_and_enable(slapd):
    a, audit = start_audit(slapd)
    a.add_s(f"cn=staff,{SUFFIX}", [("objectClass", [b"groupOfNames"]), ("cn", [b"staff"]),
                                   ("member", [user_dn("alice").encode()])])
    alice = session(slapd, "alice")
    before = time.time()
    p = wardenctl(slapd, "disable", "--reason", "left the company", user_dn("alice"))
    assert p.returncode == 0 and p.stdout == f"disabled {user_dn('alice')}\n", p.stdout + p.stderr
    st = disabled_attrs(slapd, "alice")
    assert st["pwdAccountLockedTime"] == [DISABLED]
    assert st["wardenDisabledReason"] == [b"left the company"]
    assert st["wardenDisabledBy"] == [ROOTDN.encode()]
    ocs = a.search_s(user_dn("alice"), ldap.SCOPE_BASE, attrlist=["objectClass"])[0][1]
    assert b"wardenAccount" in ocs["objectClass"]
    when = time.mktime(time.strptime(st["wardenDisabledTime"][0].decode(), "%Y%m%d%H%M%SZ")) - \
        time.timezone
    assert before - 2 <= when <= time.time() + 2, st
    # refused at the next bind, and the open session ends
    assert bind(slapd, "alice", USERPW)[0] == 49
    refused(alice, "alice", "disabled")
    # removed from nothing: the group keeps her, for an audit
    g = a.search_s(f"cn=staff,{SUFFIX}", ldap.SCOPE_BASE, attrlist=["member"])[0][1]
    assert g["member"] == [user_dn("alice").encode()]
    # the trail holds the change whole: the lock, who, why
    time.sleep(0.3)
    recs = [r for r in merged(records(audit)) if r.get("event.action") == "modify" and
            r.get("ldap.dn") == user_dn("alice") and r.get("ldap.result") == 0]
    text = json_text(recs)
    assert "000001010000Z" in text and "wardenDisabledBy" in text and "left the company" in text
    # enabled again: lock, reason, who and when are gone; she binds
    p = wardenctl(slapd, "enable", user_dn("alice"))
    assert p.returncode == 0 and p.stdout == f"enabled {user_dn('alice')}\n", p.stdout + p.stderr
    assert disabled_attrs(slapd, "alice") == {}
    ocs = a.search_s(user_dn("alice"), ldap.SCOPE_BASE, attrlist=["objectClass"])[0][1]
    assert b"wardenAccount" not in ocs["objectClass"]
    assert bind(slapd, "alice", USERPW)[0] == 0


def json_text(recs):
    import json
    return "\n".join(json.dumps(r) for r in recs)


def test_who_disabled_cannot_be_forged(slapd):
    a, _ = start_audit(slapd)
    # no client (the rootdn aside) writes who or when, not even on an add
    bob = slapd.conn(user_dn("bob"), USERPW)
    for attr, val in (("wardenDisabledBy", user_dn("carol").encode()),
                      ("wardenDisabledTime", b"20260101000000Z")):
        with pytest.raises(ldap.CONSTRAINT_VIOLATION) as ex:
            bob.modify_s(user_dn("bob"), [(ldap.MOD_ADD, "objectClass", [b"wardenAccount"]),
                                          (ldap.MOD_REPLACE, attr, [val])])
        assert "set by warden" in ex.value.args[0]["info"]
    # a user may not disable or enable anyone, themselves included
    bob = slapd.conn(user_dn("bob"), USERPW)
    with pytest.raises(ldap.INSUFFICIENT_ACCESS):
        bob.modify_s(user_dn("bob"), [(ldap.MOD_REPLACE, "wardenDisabledReason", [b"x"])])
    p = wardenctl(slapd, "disable", user_dn("carol"), who=(user_dn("bob"), USERPW))
    assert p.returncode == 1 and "disable" in p.stderr, p.stdout + p.stderr
    assert "pwdAccountLockedTime" not in disabled_attrs(slapd, "carol")


def test_wardenctl_user_usage_and_missing_entry(slapd):
    start_audit(slapd)
    for args in ((), ("disable",), ("enable", "--reason", "x", user_dn("bob")), ("frob", "x")):
        p = wardenctl(slapd, *args)
        assert p.returncode == 2 and "usage" in p.stderr, (args, p.stderr)
    p = wardenctl(slapd, "disable", f"uid=nobody,ou=people,{SUFFIX}")
    assert p.returncode == 1 and "no such entry" in p.stderr, p.stderr


def test_disable_reaches_the_consumer(pair):
    p, c = pair
    from test_replication import base_entries, POLICY_ATTRS
    from test_lockout import POLICY
    import ldap.modlist
    start_pair(p, c, warden_conf(p, overlays="overlay syncprov\nsyncprov-checkpoint 100 1\n"))
    a = p.admin()
    base_entries(a)
    a.add_s(POLICY, ldap.modlist.addModlist(POLICY_ATTRS))
    assert in_sync(p, c)
    on_consumer = c.conn(user_dn("alice"), USERPW)
    r = wardenctl(p, "disable", "--reason", "terminated", user_dn("alice"))
    assert r.returncode == 0, r.stderr
    assert in_sync(p, c)
    assert disabled_attrs(c, "alice") == disabled_attrs(p, "alice")
    assert bind(c, "alice", USERPW)[0] == 49
    # the replicated disable ends her session on the consumer too
    with pytest.raises(ldap.UNWILLING_TO_PERFORM):
        on_consumer.search_s(user_dn("alice"), ldap.SCOPE_BASE, attrlist=["uid"])


def test_sasl_sessions_are_cut_off_too(slapd):
    """Sessions bound by SASL (EXTERNAL over ldapi, mapped to alice, and
    PLAIN) end as a simple bind's do: the rule follows the identity the
    connection has, not how it got it."""
    import ldap.sasl
    from test_credential_paths import have_sasl_mech, start_sasl
    a, _ = start_sasl(slapd)
    ext = ldap.initialize(slapd.ldapi)
    ext.sasl_external_bind_s()
    assert ext.whoami_s() == f"dn:{user_dn('alice')}"
    assert have_sasl_mech("PLAIN"), "libsasl2-modules (contrib/install-deps.sh)"
    plain = ldap.initialize(slapd.uri)
    plain.set_option(ldap.OPT_X_SASL_SECPROPS, "none")      # PLAIN over loopback
    plain.sasl_interactive_bind_s("", ldap.sasl.sasl(
        {ldap.sasl.CB_AUTHNAME: "alice", ldap.sasl.CB_PASS: USERPW}, "PLAIN"))
    assert plain.whoami_s() == f"dn:{user_dn('alice')}"
    a.modify_s(user_dn("alice"), [(ldap.MOD_REPLACE, "pwdAccountLockedTime", [DISABLED])])
    for c in (ext, plain):
        refused(c, "alice", "disabled")
    # and a new EXTERNAL bind is refused as a locked account's
    c = ldap.initialize(slapd.ldapi)
    with pytest.raises(ldap.INVALID_CREDENTIALS):
        c.sasl_external_bind_s()
