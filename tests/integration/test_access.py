# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""Group-based access at bind: a user may bind from a system (matched by
the client's address) only as a member of a group allowed there; systems
matching nothing follow warden-access-default; refusals are 49, with the
reason in the log only for the right password."""
import ldap
import ldap.modlist
import pytest

from conftest import SUFFIX, USERPW, user_dn
from test_lockout import bind, start

SYS = f"ou=systems,{SUFFIX}"
GRP = f"ou=groups,{SUFFIX}"


def group(a, cn, members, kind="groupOfNames"):
    attr = {"groupOfNames": "member", "groupOfUniqueNames": "uniqueMember",
            "posixGroup": "memberUid"}[kind]
    entry = {"objectClass": [kind.encode()], "cn": [cn.encode()],
             attr: [m.encode() for m in members]}
    if kind == "posixGroup":
        entry["gidNumber"] = [b"20000"]
    a.add_s(f"cn={cn},{GRP}", ldap.modlist.addModlist(entry))
    return f"cn={cn},{GRP}"


def system(a, cn, networks, groups, extra_oc=()):
    a.add_s(f"cn={cn},{SYS}", ldap.modlist.addModlist({
        "objectClass": [b"device", b"wardenSystem", *extra_oc], "cn": [cn.encode()],
        "wardenNetwork": [n.encode() for n in networks],
        "wardenAllowedGroup": [g.encode() for g in groups]}))
    return f"cn={cn},{SYS}"


def start_access(s, default="allow", extra="", policy=None):
    a = start(s, policy, users=("alice", "bob", "carol"),
              extra=f"warden-access-default {default}\n{extra}")
    for ou in ("systems", "groups"):
        a.add_s(f"ou={ou},{SUFFIX}", [("objectClass", [b"organizationalUnit"]),
                                      ("ou", [ou.encode()])])
    return a


def test_only_members_of_allowed_groups_bind_from_a_system(slapd):
    a = start_access(slapd, policy={"pwdMaxFailure": "3"})
    ops = group(a, "ops", [user_dn("alice"), f"cn=nobody,{SUFFIX}"])
    web = group(a, "web-users", [ops])                 # nested: alice via ops
    system(a, "web01", ["127.0.0.0/8"], [web])
    assert bind(slapd, "alice", USERPW)[0] == 0
    assert bind(slapd, "bob", USERPW)[0] == 49
    log = slapd.log_text()
    assert f'bind of "{user_dn("bob")}" from IP=127.0.0.1' in log
    assert "not a member of a group allowed there (cn=web01" in log
    # decided before the password is looked at: a wrong password gets and
    # logs the same refusal, so neither the answer nor the log tells
    # whether the password was right
    before = log.count("not a member of a group allowed there")
    assert bind(slapd, "carol", "wrong-password")[0] == 49
    assert slapd.log_text().count("not a member of a group allowed there") == before + 1
    # refusals there do not lock the account, right password or not
    for pw in (USERPW, "wrong-1", USERPW, "wrong-2"):
        assert bind(slapd, "bob", pw)[0] == 49
    r = a.search_s(user_dn("bob"), ldap.SCOPE_BASE, attrlist=["pwdAccountLockedTime"])
    assert "pwdAccountLockedTime" not in r[0][1]
    # a membership change counts at the next bind
    a.modify_s(web, [(ldap.MOD_ADD, "member", [user_dn("bob").encode()])])
    assert bind(slapd, "bob", USERPW)[0] == 0
    a.modify_s(ops, [(ldap.MOD_DELETE, "member", [user_dn("alice").encode()])])
    assert bind(slapd, "alice", USERPW)[0] == 49
    # a deleted group grants nothing
    a.delete_s(web)
    assert bind(slapd, "bob", USERPW)[0] == 49


def test_default_deny_and_exempt_service_accounts(slapd):
    a = start_access(slapd, default="deny",
                     extra=f"warden-access-exempt {user_dn('carol')}\n")
    system(a, "far", ["10.0.0.0/8"], [group(a, "any", [user_dn("alice")])])
    # 127.0.0.1 matches no system
    assert bind(slapd, "alice", USERPW)[0] == 49
    assert "no system entry matches the client" in slapd.log_text()
    assert bind(slapd, "carol", USERPW)[0] == 0
    # the system's network is changed to include us
    a.modify_s(f"cn=far,{SYS}", [(ldap.MOD_ADD, "wardenNetwork", [b"127.0.0.1"])])
    assert bind(slapd, "alice", USERPW)[0] == 0
    assert bind(slapd, "bob", USERPW)[0] == 49


def test_system_groups_unique_and_posix_groups(slapd):
    a = start_access(slapd)
    web = system(a, "web02", ["127.0.0.1/32"], [])
    a.add_s(f"cn=servers,{SYS}", ldap.modlist.addModlist({
        "objectClass": [b"groupOfNames", b"wardenSystemGroup"], "cn": [b"servers"],
        "member": [web.encode()],
        "wardenAllowedGroup": [group(a, "admins", [user_dn("bob")], "groupOfUniqueNames").encode(),
                               group(a, "unix", ["carol"], "posixGroup").encode()]}))
    assert bind(slapd, "bob", USERPW)[0] == 0
    assert bind(slapd, "carol", USERPW)[0] == 0
    assert bind(slapd, "alice", USERPW)[0] == 49


def test_group_cycles_end(slapd):
    a = start_access(slapd)
    g1 = f"cn=g1,{GRP}"
    g2 = group(a, "g2", [g1])
    group(a, "g1", [g2])
    system(a, "db01", ["127.0.0.1"], [g1])
    assert bind(slapd, "alice", USERPW)[0] == 49


@pytest.mark.parametrize("attr,value,text", [
    ("wardenNetwork", "10.0.0.1/8", "bits set beyond the /8 prefix"),
    ("wardenNetwork", "10.0.0.0/40", "prefix length must be 0 to 32"),
    ("wardenNetwork", "web.example.org", "is not an IPv4 or IPv6 address"),
    ("wardenCertSubject", "not a dn", "not a DN"),
])
def test_malformed_matchers_refused_when_written(slapd, attr, value, text):
    a = start_access(slapd)
    dn = system(a, "x", ["192.0.2.0/24"], [])
    with pytest.raises(ldap.CONSTRAINT_VIOLATION) as ex:
        a.modify_s(dn, [(ldap.MOD_ADD, attr, [value.encode()])])
    assert text in ex.value.args[0]["info"] and attr in ex.value.args[0]["info"]
    with pytest.raises(ldap.CONSTRAINT_VIOLATION):
        a.add_s(f"cn=y,{SYS}", ldap.modlist.addModlist({
            "objectClass": [b"device", b"wardenSystem"], "cn": [b"y"], attr: [value.encode()]}))


def test_access_default_config(slapd):
    slapd.write_conf(slapd.base_conf([__import__("conftest").MODULE]) + slapd.mdb_conf() +
                     f"overlay warden\nwarden-state-dir {slapd.state}\nwarden-access-default maybe\n")
    assert slapd.start(expect_failure=True) != 0
    assert '"maybe" is neither allow nor deny' in slapd.log_text()


def test_with_the_memberof_overlay(slapd):
    a = start(slapd, None, users=("alice", "bob"), modules=("memberof.la",),
              extra="warden-access-default deny\noverlay memberof\n")
    for ou in ("systems", "groups"):
        a.add_s(f"ou={ou},{SUFFIX}", [("objectClass", [b"organizationalUnit"]),
                                      ("ou", [ou.encode()])])
    web = group(a, "web", [user_dn("alice")])
    system(a, "web03", ["127.0.0.1"], [web])
    r = a.search_s(user_dn("alice"), ldap.SCOPE_BASE, attrlist=["memberOf"])
    assert r[0][1]["memberOf"] == [web.encode()]
    assert bind(slapd, "alice", USERPW)[0] == 0
    assert bind(slapd, "bob", USERPW)[0] == 49
