# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""No write escapes warden's rules: a ruled attribute in an RDN, options on
a password, self-service changes of policy and security state under
generous ACLs, and two passwords at once are all refused, with the code
and message an administrator expects; the audit trail never shows a
secret in a DN."""
import os

import ldap
import ldap.modlist
import pytest
from ldap.controls.ppolicy import PasswordPolicyControl

from conftest import MODULE, ROOTDN, ROOTPW, SUFFIX, USERPW, user_dn
from test_audit import find, records
from test_lockout import POLICY

KEY = "k1 " + "7c" * 32 + "\n"
GROUPS = f"ou=groups,{SUFFIX}"
WEAK = f"cn=weak,ou=policies,{SUFFIX}"
STRONG1 = "Glacier-Orbit-73x"
STRONG2 = "Harbor-Lantern-58q"
STRONG3 = "Meadow-Quartz-41v"


def start(s, policy=None, acl=None, roles=False, users=("alice", "bob", "carol", "dave", "erin")):
    """slapd with warden, an audit trail, the default policy and users;
    acl: the database's ACLs (default: everyone writes their own entry,
    reads the rest); roles: helpdesk bob, admin erin."""
    key = s.dir / "warden.key"
    key.write_text(KEY)
    os.chmod(key, 0o600)
    audit = s.dir / "audit.log"
    acl = acl or ("access to attrs=userPassword by self write "
                  f"by group.exact=\"cn=admins,{GROUPS}\" write by anonymous auth by * none\n"
                  "access to * by self write "
                  f"by group.exact=\"cn=admins,{GROUPS}\" write "
                  f"by group.exact=\"cn=helpdesk,{GROUPS}\" write by * read\n")
    extra = ""
    if roles:
        extra = (f"warden-helpdesk-group cn=helpdesk,{GROUPS}\n"
                 f"warden-admin-group cn=admins,{GROUPS}\n")
    # options other than lang- tags exist once configured
    s.write_conf("attributeoptions x- lang-\n" + s.base_conf([MODULE]) + s.mdb_conf() + acl +
                 f"overlay warden\nwarden-state-dir {s.state}\nwarden-key-file {key}\n"
                 f"warden-audit-file {audit}\nwarden-default-policy {POLICY}\n{extra}")
    s.start()
    s.add_users(users)
    a = s.admin()
    for ou in ("policies", "groups"):
        a.add_s(f"ou={ou},{SUFFIX}", [("objectClass", [b"organizationalUnit"]),
                                      ("ou", [ou.encode()])])
    policy = {"pwdMaxFailure": "3", "pwdLockout": "TRUE", **(policy or {})}
    a.add_s(POLICY, [("objectClass", [b"device", b"pwdPolicy", b"wardenPolicy"]),
                     ("cn", [b"default"]), ("pwdAttribute", [b"userPassword"])] +
            [(k, [v.encode()]) for k, v in policy.items()])
    a.add_s(WEAK, [("objectClass", [b"device", b"pwdPolicy"]), ("cn", [b"weak"]),
                   ("pwdAttribute", [b"userPassword"]), ("pwdMinLength", [b"1"])])
    if roles:
        for cn, u in (("helpdesk", "bob"), ("admins", "erin")):
            a.add_s(f"cn={cn},{GROUPS}", ldap.modlist.addModlist({
                "objectClass": [b"groupOfNames"], "cn": [cn.encode()],
                "member": [user_dn(u).encode()]}))
    return a, audit


def info(ex):
    return ex.value.args[0].get("info", "")


# -- 1. ruled attributes in an RDN -------------------------------------------

@pytest.mark.parametrize("attr", ["userPassword", "2.5.4.35", "oathSecret",
                                  "wardenRecoveryCode"])
def test_ruled_attribute_in_new_rdn_refused_even_for_rootdn(slapd, attr):
    a, audit = start(slapd)
    secret = "weakpw-in-rdn-7731"
    with pytest.raises(ldap.CONSTRAINT_VIOLATION) as ex:
        a.rename_s(user_dn("carol"), f"{attr}={secret}+uid=carol", delold=0)
    assert "may not be in an RDN" in info(ex), info(ex)
    # nothing renamed, nothing added to the entry
    r = a.search_s(user_dn("carol"), ldap.SCOPE_BASE, attrlist=["*", "+"])
    assert r and r[0][0] == user_dn("carol")
    assert not any(secret.encode() in v for vs in r[0][1].values() for v in vs)
    slapd.stop()
    text = audit.read_text()
    assert secret not in text
    rec = find(records(audit), **{"event.action": "modrdn", "ldap.result": 19})
    assert len(rec) == 1
    assert "(redacted)" in rec[0]["ldap.new_rdn"] and "uid=carol" in rec[0]["ldap.new_rdn"]


def test_ruled_attribute_in_rdn_of_an_added_entry_refused(slapd):
    a, audit = start(slapd)
    secret = "Strong-Enough-In-Dn-9210"
    dn = f"userPassword={secret}+uid=zed,ou=people,{SUFFIX}"
    with pytest.raises(ldap.CONSTRAINT_VIOLATION) as ex:
        a.add_s(dn, ldap.modlist.addModlist({
            "objectClass": [b"inetOrgPerson"], "uid": [b"zed"], "cn": [b"zed"], "sn": [b"z"],
            "userPassword": [secret.encode()]}))
    assert "userPassword may not be in an RDN" in info(ex)
    carol = slapd.conn(user_dn("carol"), USERPW)
    with pytest.raises(ldap.CONSTRAINT_VIOLATION) as ex:
        carol.rename_s(user_dn("carol"), "pwdReset=FALSE", delold=0)
    assert "pwdReset may not be in an RDN" in info(ex)
    # an ordinary add and rename still work
    a.add_s(f"uid=zed,ou=people,{SUFFIX}", ldap.modlist.addModlist({
        "objectClass": [b"inetOrgPerson"], "uid": [b"zed"], "cn": [b"zed"], "sn": [b"z"]}))
    a.rename_s(f"uid=zed,ou=people,{SUFFIX}", "uid=zeta", delold=1)
    slapd.stop()
    assert secret not in audit.read_text()
    rec = find(records(audit), **{"event.action": "add", "ldap.result": 19})
    assert len(rec) == 1 and "(redacted)" in rec[0]["ldap.dn"], rec


# -- 2. attribute options on passwords and secrets ---------------------------

@pytest.mark.parametrize("attr", ["userPassword;lang-en", "userPassword;x-foo",
                                  "oathSecret;x-foo", "wardenRecoveryCode;x-a"])
def test_options_on_secrets_refused(slapd, attr):
    a, audit = start(slapd)
    base = attr.split(";")[0]
    alice = slapd.conn(user_dn("alice"), USERPW)
    for who in (a, alice):
        for op in (ldap.MOD_ADD, ldap.MOD_REPLACE):
            with pytest.raises(ldap.CONSTRAINT_VIOLATION) as ex:
                who.modify_s(user_dn("alice"), [(op, attr, [b"a"])])
            assert f"{base} may not carry attribute options" in info(ex), info(ex)
    with pytest.raises(ldap.CONSTRAINT_VIOLATION) as ex:
        a.add_s(f"uid=opt,ou=people,{SUFFIX}", ldap.modlist.addModlist({
            "objectClass": [b"inetOrgPerson"], "uid": [b"opt"], "cn": [b"opt"], "sn": [b"o"],
            attr: [b"a"]}))
    assert f"{base} may not carry attribute options" in info(ex)
    r = a.search_s(user_dn("alice"), ldap.SCOPE_BASE, attrlist=[base])
    assert not any(";" in k for k in r[0][1])


def test_compare_and_filter_with_options_refused(slapd):
    start(slapd)
    bob = slapd.conn(user_dn("bob"), USERPW)
    for attr in ("userPassword;lang-en", "userPassword;x-foo", "oathSecret;x-a"):
        with pytest.raises(ldap.UNWILLING_TO_PERFORM):
            bob.compare_s(user_dn("alice"), attr, b"a")
        with pytest.raises(ldap.UNWILLING_TO_PERFORM):
            bob.search_s(f"ou=people,{SUFFIX}", ldap.SCOPE_SUBTREE, f"({attr}=a*)")


# -- 3. self-service escalation ----------------------------------------------

def escalations():
    """Changes of one's own policy or security state."""
    return [
        [(ldap.MOD_ADD, "objectClass", [b"pwdPolicy"]),
         (ldap.MOD_ADD, "pwdAttribute", [b"userPassword"])],
        [(ldap.MOD_ADD, "objectClass", [b"wardenPolicy"])],
        [(ldap.MOD_ADD, "objectClass", [b"wardenSystem"]),
         (ldap.MOD_ADD, "wardenNetwork", [b"127.0.0.1"])],
        [(ldap.MOD_REPLACE, "pwdPolicySubentry", [WEAK.encode()])],
        [(ldap.MOD_REPLACE, "pwdReset", [b"FALSE"])],
    ]


def test_users_cannot_change_their_own_policy_or_state_with_roles(slapd):
    a, _ = start(slapd, {"pwdMustChange": "TRUE"}, roles=True)
    carol = slapd.conn(user_dn("carol"), USERPW)
    for mods in escalations():
        with pytest.raises(ldap.INSUFFICIENT_ACCESS) as ex:
            carol.modify_s(user_dn("carol"), mods)
        assert "only" in info(ex) and ("administrators" in info(ex)), (mods, info(ex))
    # a reset while carol is bound: she cannot drop the mark
    erin = slapd.conn(user_dn("erin"), USERPW)
    erin.modify_s(user_dn("carol"), [(ldap.MOD_REPLACE, "userPassword", [STRONG1.encode()])])
    assert a.search_s(user_dn("carol"), ldap.SCOPE_BASE, attrlist=["pwdReset"])[0][1] == {
        "pwdReset": [b"TRUE"]}
    with pytest.raises(ldap.INSUFFICIENT_ACCESS) as ex:
        carol.modify_s(user_dn("carol"), [(ldap.MOD_DELETE, "pwdReset", None)])
    assert "pwdReset" in info(ex)
    r = a.search_s(user_dn("carol"), ldap.SCOPE_BASE, attrlist=["objectClass", "pwdReset",
                                                                 "pwdPolicySubentry"])[0][1]
    assert r["pwdReset"] == [b"TRUE"] and "pwdPolicySubentry" not in r
    assert not {b"pwdPolicy", b"wardenPolicy", b"wardenSystem"} & set(r["objectClass"])
    # the helpdesk forces a change; administrators choose policies
    bob = slapd.conn(user_dn("bob"), USERPW)
    bob.modify_s(user_dn("dave"), [(ldap.MOD_REPLACE, "pwdReset", [b"TRUE"])])
    with pytest.raises(ldap.INSUFFICIENT_ACCESS):
        bob.modify_s(user_dn("dave"), [(ldap.MOD_REPLACE, "pwdPolicySubentry", [WEAK.encode()])])
    erin.modify_s(user_dn("dave"), [(ldap.MOD_REPLACE, "pwdPolicySubentry", [WEAK.encode()])])
    erin.modify_s(user_dn("dave"), [(ldap.MOD_ADD, "objectClass", [b"wardenPolicy"])])
    # an ordinary change of one's own entry still works
    carol.modify_s(user_dn("carol"), [(ldap.MOD_REPLACE, "description", [b"mine"])])


def test_users_cannot_change_their_own_policy_or_state_without_roles(slapd):
    a, _ = start(slapd)
    carol = slapd.conn(user_dn("carol"), USERPW)
    for mods in escalations():
        with pytest.raises(ldap.INSUFFICIENT_ACCESS):
            carol.modify_s(user_dn("carol"), mods)
    # the rootdn (and whoever the ACLs let, on others' entries) may
    a.modify_s(user_dn("carol"), [(ldap.MOD_REPLACE, "pwdPolicySubentry", [WEAK.encode()])])
    a.modify_s(user_dn("carol"), [(ldap.MOD_REPLACE, "pwdReset", [b"TRUE"])])


# -- 4. one password at a time, passwordTooLong ------------------------------

def test_second_password_refused(slapd):
    acl = ("access to attrs=userPassword by self write by dn.exact=\"%s\" write "
           "by anonymous auth by * none\n"
           "access to * by self write by dn.exact=\"%s\" write by * read\n") % (
               user_dn("erin"), user_dn("erin"))
    a, _ = start(slapd, {"pwdInHistory": "5"}, acl=acl)
    alice = slapd.conn(user_dn("alice"), USERPW)
    erin = slapd.conn(user_dn("erin"), USERPW)
    msg = "only one userPassword value"
    for who, dn in ((alice, user_dn("alice")), (erin, user_dn("bob"))):
        with pytest.raises(ldap.CONSTRAINT_VIOLATION) as ex:
            who.modify_s(dn, [(ldap.MOD_ADD, "userPassword", [STRONG1.encode()])])
        assert msg in info(ex)
        with pytest.raises(ldap.CONSTRAINT_VIOLATION) as ex:
            who.modify_s(dn, [(ldap.MOD_REPLACE, "userPassword",
                               [STRONG1.encode(), STRONG2.encode()])])
        assert msg in info(ex)
    with pytest.raises(ldap.CONSTRAINT_VIOLATION) as ex:
        erin.add_s(f"uid=two,ou=people,{SUFFIX}", ldap.modlist.addModlist({
            "objectClass": [b"inetOrgPerson"], "uid": [b"two"], "cn": [b"two"], "sn": [b"t"],
            "userPassword": [STRONG1.encode(), STRONG2.encode()]}))
    assert msg in info(ex)
    # the old password still the only one
    pw = a.search_s(user_dn("alice"), ldap.SCOPE_BASE, attrlist=["userPassword"])[0][1]
    assert len(pw["userPassword"]) == 1
    # replacing, and delete-then-add, remain one password
    alice.modify_s(user_dn("alice"), [(ldap.MOD_DELETE, "userPassword", [USERPW.encode()]),
                                      (ldap.MOD_ADD, "userPassword", [STRONG1.encode()])])
    erin.modify_s(user_dn("bob"), [(ldap.MOD_REPLACE, "userPassword", [STRONG2.encode()])])
    # the rootdn may (migrations)
    a.modify_s(user_dn("dave"), [(ldap.MOD_ADD, "userPassword", [STRONG3.encode()])])


def test_history_gets_no_duplicates(slapd):
    a, _ = start(slapd, {"pwdInHistory": "5"})
    alice = slapd.conn(user_dn("alice"), USERPW)
    old_hash = a.search_s(user_dn("alice"), ldap.SCOPE_BASE,
                          attrlist=["userPassword"])[0][1]["userPassword"][0]
    alice.passwd_s(user_dn("alice"), USERPW, STRONG1)
    # an administrator puts the old hash back (a migration, a restore)
    a.modify_s(user_dn("alice"), [(ldap.MOD_REPLACE, "userPassword", [old_hash])])
    alice = slapd.conn(user_dn("alice"), USERPW)
    alice.passwd_s(user_dn("alice"), USERPW, STRONG2)
    hist = a.search_s(user_dn("alice"), ldap.SCOPE_BASE,
                      attrlist=["pwdHistory"])[0][1]["pwdHistory"]
    values = [h.split(b"#", 3)[3] for h in hist]
    assert len(values) == len(set(values)) == 2, hist


def test_too_long_password_gets_password_too_long(slapd):
    start(slapd, {"pwdMaxLength": "20"})
    alice = slapd.conn(user_dn("alice"), USERPW)
    new = "Cobalt-Ridge-" + "x7Q" * 5          # 28 characters
    with pytest.raises(ldap.CONSTRAINT_VIOLATION) as ex:
        alice.passwd_s(user_dn("alice"), USERPW, new, serverctrls=[PasswordPolicyControl()])
    errors = []
    for oid, _, value in ex.value.args[0].get("ctrls", []):
        if oid == PasswordPolicyControl.controlType:
            pc = PasswordPolicyControl()
            pc.decodeControlValue(value)
            errors.append(pc.error)
    assert errors == [9], errors                  # passwordTooLong
    assert "at most 20 characters" in info(ex)


# -- 5. the shipped configurations hide secrets from every user -------------

def shipped_acls(which):
    """The database ACLs of a shipped configuration, in slapd.conf form,
    and whether they go after "overlay warden"."""
    from conftest import SRCDIR
    if which == "examples/slapd.conf":
        text = (SRCDIR / "contrib/examples/slapd.conf").read_text()
        db = text[text.index("database\tmdb"):]
        db = db[:db.index("overlay\t")]
        lines, keep = [], False
        for line in db.splitlines():
            if line.startswith("access"):
                keep = True
            elif not line[:1].isspace():
                keep = False
            if keep:
                lines.append(line)
        acl, after = "\n".join(lines) + "\n", False
    elif which == "demo":
        text = (SRCDIR / "contrib/demo/config.ldif.in").read_text()
        db = text[text.index("dn: olcDatabase={1}mdb"):]
        db = db[:db.index("\n\n")]
        acl = "".join("access " + l.split("}", 1)[1] + "\n"
                      for l in db.splitlines() if l.startswith("olcAccess:"))
        after = False
    else:
        acl, after = (SRCDIR / "contrib/examples/acl.conf").read_text(), True
    assert acl.strip()
    return acl.replace("dc=example,dc=org", SUFFIX), after


@pytest.mark.parametrize("which", ["examples/slapd.conf", "demo", "acl.conf"])
def test_shipped_acls_hide_secrets_from_everyone(slapd, which):
    from test_totp import recovery_set
    acl, after = shipped_acls(which)
    key = slapd.dir / "warden.key"
    key.write_text(KEY)
    os.chmod(key, 0o600)
    overlay = (f"overlay warden\nwarden-state-dir {slapd.state}\nwarden-key-file {key}\n"
               f"warden-default-policy {POLICY}\n")
    slapd.write_conf(slapd.base_conf([MODULE]) + slapd.mdb_conf() +
                     (overlay + acl if after else acl + overlay))
    slapd.start()
    slapd.add_users(("alice", "bob"))
    a = slapd.admin()
    a.add_s(f"ou=policies,{SUFFIX}", [("objectClass", [b"organizationalUnit"]),
                                      ("ou", [b"policies"])])
    a.add_s(POLICY, [("objectClass", [b"device", b"pwdPolicy"]), ("cn", [b"default"]),
                     ("pwdAttribute", [b"userPassword"]), ("pwdInHistory", [b"3"])])
    a.passwd_s(user_dn("alice"), None, STRONG1)
    a.passwd_s(user_dn("alice"), None, STRONG2)
    alice = ldap.initialize(slapd.ldapi)     # before her token makes a code necessary
    alice.simple_bind_s(user_dn("alice"), STRONG2)
    a.modify_s(user_dn("alice"), [
        (ldap.MOD_ADD, "objectClass", [b"oathTOTPUser", b"oathTOTPToken", b"wardenMFAUser"]),
        (ldap.MOD_ADD, "oathTOTPToken", [user_dn("alice").encode()]),
        (ldap.MOD_ADD, "oathSecret", [os.urandom(20)]),
        (ldap.MOD_ADD, "wardenRecoveryCode", recovery_set(["k7fq2-xm9ab", "abcde-fghij"]))])
    full = a.search_s(user_dn("alice"), ldap.SCOPE_BASE,
                      attrlist=["pwdHistory", "oathSecret", "wardenRecoveryCode"])[0][1]
    assert set(full) == {"pwdHistory", "oathSecret", "wardenRecoveryCode"}, full
    bob = ldap.initialize(slapd.ldapi)
    bob.simple_bind_s(user_dn("bob"), USERPW)
    r = bob.search_s(user_dn("alice"), ldap.SCOPE_BASE,
                     attrlist=["*", "+", "pwdHistory", "oathSecret", "wardenRecoveryCode",
                               "oathTOTPLastTimeStep", "userPassword"])[0][1]
    leaked = {"pwdHistory", "oathSecret", "wardenRecoveryCode", "userPassword"} & set(r)
    assert not leaked, (which, leaked)
    assert r.get("uid") == [b"alice"]          # the directory stays readable
    # nor does their owner read them: a hash or a wrapped seed is of no use
    # to a user, only to whoever steals their session
    r = alice.search_s(user_dn("alice"), ldap.SCOPE_BASE,
                       attrlist=["*", "+", "pwdHistory", "oathSecret", "wardenRecoveryCode",
                                 "oathTOTPLastTimeStep"])[0][1]
    leaked = {"pwdHistory", "oathSecret", "wardenRecoveryCode", "oathTOTPLastTimeStep"} & set(r)
    assert not leaked, (which, "own", leaked)
    assert r.get("uid") == [b"alice"]
