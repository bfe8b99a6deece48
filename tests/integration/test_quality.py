"""Password quality on every way a password is set: add, modify and the
Password Modify extended operation, refused with constraintViolation, a
message that says what to fix, and the ppolicy response control's error."""
import subprocess

import ldap
import ldap.modlist
import pytest
from ldap.controls.ppolicy import PasswordPolicyControl

from conftest import ROOTDN, ROOTPW, SUFFIX, USERPW, slappasswd, user_dn
from test_lockout import POLICY, start

RULES = {"pwdMinLength": "12", "pwdMaxLength": "64", "pwdCheckQuality": "2",
         "wardenMinClasses": "3", "wardenMaxRepeat": "3", "wardenMaxSequence": "4",
         "pwdMaxFailure": "50"}


def ldappasswd(s, who, pw, new, target=None):
    cmd = ["ldappasswd", "-x", "-H", s.uri, "-D", who, "-w", pw, "-s", new]
    if target:
        cmd.append(target)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout + p.stderr


def ldapmodify(s, who, pw, ldif):
    p = subprocess.run(["ldapmodify", "-x", "-H", s.uri, "-D", who, "-w", pw],
                       input=ldif, capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout + p.stderr


@pytest.mark.parametrize("new,message", [
    ("Short-1", "the password must contain at least 12 characters"),
    ("alllowercaseletters", "the password must mix at least 3 of"),
    ("Aaaaa-long-enough-1", "must not repeat a character more than 3 times"),
    ("Xabcde-long-enough-1", "must not contain a sequence"),
    ("Alice-is-my-name-9", "the password contains your user name"),
    ("x" * 30 + "Y1-" + "z" * 40, "the password must contain at most 64 characters"),
])
def test_weak_passwords_refused_on_every_path(slapd, new, message):
    start(slapd, RULES)
    # the user, with ldappasswd (Password Modify)
    rc, out = ldappasswd(slapd, user_dn("alice"), USERPW, new)
    assert rc != 0 and "Constraint violation (19)" in out, out
    assert message in out
    # an administrator, with ldapmodify
    rc, out = ldapmodify(slapd, ROOTDN, ROOTPW, f"dn: {user_dn('alice')}\nchangetype: modify\n"
                                                f"replace: userPassword\nuserPassword: {new}\n")
    assert rc == 19, out
    assert message in out
    # an add
    a = slapd.admin()
    with pytest.raises(ldap.CONSTRAINT_VIOLATION) as ex:
        a.add_s(f"uid=newbie,ou=people,{SUFFIX}", ldap.modlist.addModlist({
            "objectClass": [b"inetOrgPerson"], "uid": [b"newbie"], "cn": [b"Alice"],
            "sn": [b"n"], "userPassword": [new.encode()]}))
    assert message in ex.value.args[0]["info"]
    # nothing changed
    assert slapd.conn(user_dn("alice"), USERPW).whoami_s()


def test_strong_password_accepted_on_every_path(slapd):
    start(slapd, RULES)
    rc, out = ldappasswd(slapd, user_dn("alice"), USERPW, "Correct-Horse-Battery-9")
    assert rc == 0, out
    assert slapd.conn(user_dn("alice"), "Correct-Horse-Battery-9").whoami_s()
    rc, out = ldapmodify(slapd, ROOTDN, ROOTPW, f"dn: {user_dn('bob')}\nchangetype: modify\n"
                                                "replace: userPassword\nuserPassword: Tr0ub4dor&3-xyz\n")
    assert rc == 0, out


def test_ppolicy_control_errors(slapd):
    start(slapd, RULES)
    c = slapd.conn(user_dn("alice"), USERPW)
    for new, err in (("Short-1", 6), ("alllowercaseletters", 5)):
        with pytest.raises(ldap.CONSTRAINT_VIOLATION) as ex:
            c.passwd_s(user_dn("alice"), USERPW, new, serverctrls=[PasswordPolicyControl()])
        ctrls = ex.value.args[0].get("ctrls", [])
        errors = []
        for oid, crit, value in ctrls:
            if oid == PasswordPolicyControl.controlType:
                pc = PasswordPolicyControl()
                pc.decodeControlValue(value)
                errors.append(pc.error)
        assert errors == [err], (new, ctrls)
    with pytest.raises(ldap.CONSTRAINT_VIOLATION) as ex:
        c.modify_ext_s(user_dn("alice"), [(ldap.MOD_REPLACE, "userPassword", [b"tiny"])],
                       serverctrls=[PasswordPolicyControl()])
    assert ex.value.args[0].get("ctrls"), "no response control on modify"


def test_prehashed_refused_for_users_allowed_for_rootdn(slapd):
    start(slapd, RULES)
    hashed = slappasswd("weak").encode()
    c = slapd.conn(user_dn("alice"), USERPW)
    with pytest.raises(ldap.CONSTRAINT_VIOLATION) as ex:
        c.modify_s(user_dn("alice"), [(ldap.MOD_REPLACE, "userPassword", [hashed])])
    assert "a hashed password cannot be checked" in ex.value.args[0]["info"]
    # migration: the rootdn may set a hash
    slapd.admin().modify_s(user_dn("bob"), [(ldap.MOD_REPLACE, "userPassword", [hashed])])
    assert slapd.conn(user_dn("bob"), "weak").whoami_s()


def test_prehashed_refused_for_users_whatever_the_policy(slapd):
    start(slapd, {**RULES, "pwdCheckQuality": "1"})
    c = slapd.conn(user_dn("alice"), USERPW)
    with pytest.raises(ldap.CONSTRAINT_VIOLATION) as ex:
        c.modify_s(user_dn("alice"), [(ldap.MOD_REPLACE, "userPassword",
                                       [slappasswd("weak").encode()])])
    assert "a hashed password cannot be checked" in ex.value.args[0]["info"]
    slapd.admin().modify_s(user_dn("bob"), [(ldap.MOD_REPLACE, "userPassword",
                                             [slappasswd("weak").encode()])])


def test_invalid_utf8_refused(slapd):
    start(slapd, RULES)
    c = slapd.conn(user_dn("alice"), USERPW)
    with pytest.raises(ldap.CONSTRAINT_VIOLATION) as ex:
        c.passwd_s(user_dn("alice"), USERPW, b"Bad-\xc3-utf8-pass-1")
    assert "not valid UTF-8" in ex.value.args[0]["info"]


def test_cleartext_is_hashed_before_it_reaches_the_database(slapd):
    start(slapd, RULES, users=("alice",), modules=("argon2.la",))
    secret = "Unique-Secret-Phrase-4711"
    rc, out = ldapmodify(slapd, ROOTDN, ROOTPW, f"dn: {user_dn('alice')}\nchangetype: modify\n"
                                                f"replace: userPassword\nuserPassword: {secret}\n")
    assert rc == 0, out
    a = slapd.admin()
    a.add_s(f"uid=carl,ou=people,{SUFFIX}", ldap.modlist.addModlist({
        "objectClass": [b"inetOrgPerson"], "uid": [b"carl"], "cn": [b"carl"],
        "sn": [b"c"], "userPassword": [(secret + "-2").encode()]}))
    for dn in (user_dn("alice"), f"uid=carl,ou=people,{SUFFIX}"):
        v = a.search_s(dn, ldap.SCOPE_BASE, attrlist=["userPassword"])[0][1]["userPassword"][0]
        # argon2.la is loaded and no password-hash is configured: {ARGON2}
        assert v.startswith(b"{ARGON2}"), v[:20]
    assert slapd.conn(user_dn("alice"), secret).whoami_s()
    assert slapd.conn(f"uid=carl,ou=people,{SUFFIX}", secret + "-2").whoami_s()
    dump = subprocess.run(["slapcat", "-f", str(slapd.conf), "-b", SUFFIX],
                          capture_output=True, env=slapd.env(), timeout=60).stdout
    assert secret.encode() not in dump
    assert secret.encode() not in (slapd.db / "data.mdb").read_bytes()


def test_pwd_changed_time_set_on_every_path(slapd):
    start(slapd, RULES)
    a = slapd.admin()

    def changed(dn):
        r = a.search_s(dn, ldap.SCOPE_BASE, attrlist=["pwdChangedTime"])[0][1]
        return r.get("pwdChangedTime")

    assert changed(user_dn("alice")) is not None     # added with a password
    rc, out = ldappasswd(slapd, user_dn("bob"), USERPW, "Another-Good-Phrase-77")
    assert rc == 0, out
    assert changed(user_dn("bob")) is not None
    rc, out = ldapmodify(slapd, ROOTDN, ROOTPW, f"dn: {user_dn('carol')}\nchangetype: modify\n"
                                                "replace: userPassword\nuserPassword: Third-Good-Phrase-88\n")
    assert rc == 0, out
    assert changed(user_dn("carol")) is not None
    # a modify without a password change leaves it alone
    before = changed(user_dn("carol"))
    a.modify_s(user_dn("carol"), [(ldap.MOD_REPLACE, "description", [b"x"])])
    assert changed(user_dn("carol")) == before
