# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""Administrative roles over warden's own state: the helpdesk unlocks and
enrols, auditors read, administrators change policies and systems, and
nobody else does, however generous the ACLs."""
import os

import ldap
import ldap.modlist
import pytest

from conftest import MODULE, SUFFIX, USERPW, user_dn
from test_lockout import POLICY

KEY = "k1 " + "4d" * 32 + "\n"
USERS = ("alice", "bob", "carol", "dave", "erin")
GROUPS = {"helpdesk": "bob", "auditors": "dave", "admins": "erin"}


def start_roles(s):
    key = s.dir / "warden.key"
    key.write_text(KEY)
    os.chmod(key, 0o600)
    g = f"ou=groups,{SUFFIX}"
    s.write_conf(s.base_conf([MODULE]) + s.mdb_conf() +
                 # ACLs that let every user write everything: warden's
                 # roles are what stands in the way
                 "access to attrs=userPassword by self write by anonymous auth by * none\n"
                 "access to * by users write by * none\n"
                 f"overlay warden\nwarden-state-dir {s.state}\nwarden-key-file {key}\n"
                 f"warden-default-policy {POLICY}\n"
                 f"warden-helpdesk-group cn=helpdesk,{g}\n"
                 f"warden-auditor-group cn=auditors,{g}\n"
                 f"warden-admin-group cn=admins,{g}\n")
    s.start()
    s.add_users(USERS)
    a = s.admin()
    for ou in ("policies", "groups"):
        a.add_s(f"ou={ou},{SUFFIX}", [("objectClass", [b"organizationalUnit"]),
                                      ("ou", [ou.encode()])])
    a.add_s(POLICY, [("objectClass", [b"device", b"pwdPolicy"]), ("cn", [b"default"]),
                     ("pwdAttribute", [b"userPassword"]), ("pwdMaxFailure", [b"2"]),
                     ("pwdLockout", [b"TRUE"])])
    for cn, u in GROUPS.items():
        a.add_s(f"cn={cn},{g}", ldap.modlist.addModlist({
            "objectClass": [b"groupOfNames"], "cn": [cn.encode()],
            "member": [user_dn(u).encode()]}))
    return a


def lock(s, u):
    for i in range(2):
        c = ldap.initialize(s.uri)
        with pytest.raises(ldap.INVALID_CREDENTIALS):
            c.simple_bind_s(user_dn(u), f"wrong-{i}")


def state_attrs(c, u):
    r = c.search_s(user_dn(u), ldap.SCOPE_BASE, attrlist=["wardenFailureCount",
                                                          "pwdAccountLockedTime"])
    return r[0][1]


def test_roles(slapd):
    start_roles(slapd)
    lock(slapd, "alice")
    conn = {u: slapd.conn(user_dn(u), USERPW) for u in ("bob", "carol", "dave", "erin")}
    unlock = [(ldap.MOD_DELETE, "pwdAccountLockedTime", None)]
    seed = [(ldap.MOD_ADD, "objectClass", [b"oathTOTPUser", b"oathTOTPToken"]),
            (ldap.MOD_ADD, "oathTOTPToken", [user_dn("alice").encode()]),
            (ldap.MOD_ADD, "oathSecret", [os.urandom(20)])]
    policy = [(ldap.MOD_REPLACE, "pwdMaxFailure", [b"5"])]

    # carol: no role; the ACLs would let her
    with pytest.raises(ldap.INSUFFICIENT_ACCESS) as ex:
        conn["carol"].modify_s(user_dn("alice"), unlock)
    assert "helpdesk" in ex.value.args[0]["info"]
    with pytest.raises(ldap.INSUFFICIENT_ACCESS):
        conn["carol"].modify_s(user_dn("alice"), seed)
    with pytest.raises(ldap.INSUFFICIENT_ACCESS):       # her own security state
        conn["carol"].modify_s(user_dn("carol"), [(ldap.MOD_ADD, "oathSecret", [b"x" * 20])])
    with pytest.raises(ldap.INSUFFICIENT_ACCESS) as ex:
        conn["carol"].modify_s(POLICY, policy)
    assert "only warden administrators" in ex.value.args[0]["info"]
    assert "wardenFailureCount" not in state_attrs(conn["carol"], "alice")

    # dave: auditor, reads only
    assert state_attrs(conn["dave"], "alice")["wardenFailureCount"] == [b"2"]
    with pytest.raises(ldap.INSUFFICIENT_ACCESS):
        conn["dave"].modify_s(user_dn("alice"), unlock)

    # bob: helpdesk, unlocks and enrols, but not policies
    assert "wardenFailureCount" in state_attrs(conn["bob"], "alice")
    conn["bob"].modify_s(user_dn("alice"), unlock)
    assert "pwdAccountLockedTime" not in state_attrs(conn["bob"], "alice")
    conn["bob"].modify_s(user_dn("alice"), seed)
    with pytest.raises(ldap.INSUFFICIENT_ACCESS):
        conn["bob"].modify_s(POLICY, policy)

    # erin: administrator
    conn["erin"].modify_s(POLICY, policy)
    conn["erin"].modify_s(user_dn("carol"), [(ldap.MOD_ADD, "objectClass", [b"oathTOTPUser", b"oathTOTPToken"]),
                                             (ldap.MOD_ADD, "oathTOTPToken", [user_dn("carol").encode()]),
                                             (ldap.MOD_ADD, "oathSecret", [os.urandom(20)])])
    # leaving the helpdesk takes the role away at once
    conn["erin"].modify_s(f"cn=helpdesk,ou=groups,{SUFFIX}", [
        (ldap.MOD_REPLACE, "member", [user_dn("erin").encode()])])
    lock(slapd, "dave")
    with pytest.raises(ldap.INSUFFICIENT_ACCESS):
        conn["bob"].modify_s(user_dn("dave"), unlock)


def test_example_acls_give_least_privilege(slapd):
    from conftest import SRCDIR
    acl = (SRCDIR / "contrib/examples/acl.conf").read_text().replace("dc=example,dc=org", SUFFIX)
    key = slapd.dir / "warden.key"
    key.write_text(KEY)
    os.chmod(key, 0o600)
    g = f"ou=groups,{SUFFIX}"
    slapd.write_conf(slapd.base_conf([MODULE]) + slapd.mdb_conf() +
                     f"overlay warden\nwarden-state-dir {slapd.state}\nwarden-key-file {key}\n"
                     f"warden-default-policy {POLICY}\n"
                     f"warden-helpdesk-group cn=warden-helpdesk,{g}\n"
                     f"warden-auditor-group cn=warden-auditors,{g}\n"
                     f"warden-admin-group cn=warden-admins,{g}\n" + acl)
    slapd.start()
    slapd.add_users(USERS)
    a = slapd.admin()
    for ou in ("policies", "groups"):
        a.add_s(f"ou={ou},{SUFFIX}", [("objectClass", [b"organizationalUnit"]), ("ou", [ou.encode()])])
    a.add_s(POLICY, [("objectClass", [b"device", b"pwdPolicy"]), ("cn", [b"default"]),
                     ("pwdAttribute", [b"userPassword"]), ("pwdMaxFailure", [b"2"]),
                     ("pwdLockout", [b"TRUE"])])
    for cn, u in {"warden-helpdesk": "bob", "warden-auditors": "dave", "warden-admins": "erin"}.items():
        a.add_s(f"cn={cn},{g}", ldap.modlist.addModlist({
            "objectClass": [b"groupOfNames"], "cn": [cn.encode()], "member": [user_dn(u).encode()]}))
    lock(slapd, "alice")
    conn = {u: slapd.conn(user_dn(u), USERPW) for u in ("bob", "carol", "dave", "erin")}
    # a user cannot join a group or change the policy
    with pytest.raises(ldap.INSUFFICIENT_ACCESS):
        conn["carol"].modify_s(f"cn=warden-admins,{g}", [(ldap.MOD_ADD, "member", [user_dn("carol").encode()])])
    with pytest.raises(ldap.INSUFFICIENT_ACCESS):
        conn["carol"].modify_s(POLICY, [(ldap.MOD_REPLACE, "pwdMaxFailure", [b"9"])])
    # the helpdesk unlocks and enrols
    conn["bob"].modify_s(user_dn("alice"), [(ldap.MOD_DELETE, "pwdAccountLockedTime", None)])
    conn["bob"].modify_s(user_dn("alice"), [
        (ldap.MOD_ADD, "objectClass", [b"oathTOTPUser", b"oathTOTPToken"]),
        (ldap.MOD_ADD, "oathTOTPToken", [user_dn("alice").encode()]),
        (ldap.MOD_ADD, "oathSecret", [os.urandom(20)])])
    # nobody reads the secret, not even the helpdesk or the auditors
    for u in ("bob", "dave", "carol"):
        r = conn[u].search_s(user_dn("alice"), ldap.SCOPE_BASE, attrlist=["oathSecret", "oathTOTPToken"])
        assert "oathSecret" not in r[0][1]
    # auditors read warden's state, the administrator changes the policy
    assert "wardenFailureCount" in state_attrs(conn["dave"], "alice")
    assert "wardenFailureCount" not in state_attrs(conn["carol"], "alice")
    conn["erin"].modify_s(POLICY, [(ldap.MOD_REPLACE, "pwdMaxFailure", [b"5"])])
