# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""Password quality on every way a password is set: add, modify and the
Password Modify extended operation, refused with constraintViolation, a
message that says what to fix, and the ppolicy response control's error."""
import os
import subprocess

import conftest
import ldap
import ldap.modlist
import pytest
from ldap.controls.ppolicy import PasswordPolicyControl

from conftest import BUILDDIR, MODULE, ROOTDN, ROOTPW, SUFFIX, USERPW, slappasswd, user_dn
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


# --- secure by default: a policy of draft-behera's attributes alone -------

# What most directories have: a pwdPolicy entry without wardenPolicy.
STANDARD = {"pwdMinLength": "12"}
SEQUENCE = "must not contain a sequence (like abcd, 4321 or qwer) longer than 4 characters"
REPEAT = "must not repeat a character more than 3 times in a row"
COMMON = "the password is a commonly used password; choose another"
HIDDEN = ("the password is based on a dictionary word hidden behind digits, symbols "
          "or look-alike characters (such as @ for a or 0 for o); choose one that is not")


def passwd_error(c, dn, old, new):
    """(exception class name, info, ppolicy errors) of a refused Password
    Modify, or None when it succeeded."""
    try:
        c.passwd_s(dn, old, new, serverctrls=[PasswordPolicyControl()])
        return None
    except ldap.LDAPError as e:
        errors = []
        for oid, _, value in e.args[0].get("ctrls", []):
            if oid == PasswordPolicyControl.controlType:
                pc = PasswordPolicyControl()
                pc.decodeControlValue(value)
                errors.append(pc.error)
        return type(e).__name__, e.args[0].get("info", ""), errors


def standard_policy_only(s):
    oc = s.admin().search_s(POLICY, ldap.SCOPE_BASE, attrlist=["objectClass"])[0][1]["objectClass"]
    assert b"wardenPolicy" not in oc and not any(
        k.startswith("warden") for k in s.admin().search_s(POLICY, ldap.SCOPE_BASE)[0][1])


def overlay_dn(s):
    return s.config().search_s("cn=config", ldap.SCOPE_SUBTREE,
                               "(objectClass=olcWardenConfig)", ["dn"])[0][0]


@pytest.mark.parametrize("new,message", [
    ("Xk#abcde-9wQz", SEQUENCE),        # the alphabet
    ("Xk#EDCBA-9wQz", SEQUENCE),        # backwards
    ("Rv#54321-bNq!", SEQUENCE),        # digits, descending
    ("Mz#qwert-7pLv", SEQUENCE),        # a keyboard row
    ("Gh#7aaaa-Lq2w", REPEAT),          # a run of 4
    ("password1234", COMMON),           # cracklib alone lets these three through
    ("Summer2024!!", COMMON),
    ("Winniethepooh-2024", COMMON),     # on the default banned list only
])
def test_standard_policy_refuses_the_obvious(slapd, new, message):
    start(slapd, STANDARD)
    standard_policy_only(slapd)
    alice = user_dn("alice")
    err = passwd_error(slapd.conn(alice, USERPW), alice, USERPW, new)
    assert err == ("CONSTRAINT_VIOLATION", err[1], [5]), err
    assert message in err[1], err
    rc, out = ldapmodify(slapd, ROOTDN, ROOTPW, f"dn: {alice}\nchangetype: modify\n"
                                                f"replace: userPassword\nuserPassword: {new}\n")
    assert rc == 19 and message in out, out
    assert slapd.conn(alice, USERPW).whoami_s()


def test_standard_policy_accepts_a_strong_password(slapd):
    start(slapd, STANDARD)
    alice = user_dn("alice")
    # four in a row, three of a kind, a word among others: all fine
    for old, new in ((USERPW, "Glacier-Orbit-73x"), ("Glacier-Orbit-73x", "abcd-Kettle-777-qZ")):
        assert passwd_error(slapd.conn(alice, old), alice, old, new) is None
    assert slapd.conn(alice, "abcd-Kettle-777-qZ").whoami_s()


@pytest.mark.parametrize("new", ["password1234", "Summer2024!!", "P@ssw0rd-2024!", "Footb@ll-2024"])
def test_dictionary_word_behind_digits_and_symbols_refused(slapd, new):
    # no banned list at all: the dictionary alone refuses them
    start(slapd, STANDARD, extra="warden-banned-list none\n")
    bob = user_dn("bob")
    err = passwd_error(slapd.conn(bob, USERPW), bob, USERPW, new)
    assert err == ("CONSTRAINT_VIOLATION", HIDDEN, [5]), err
    # the policy may turn the dictionary off, and then nothing refuses it
    slapd.admin().modify_s(POLICY, [(ldap.MOD_ADD, "objectClass", [b"wardenPolicy"]),
                                    (ldap.MOD_ADD, "wardenCheckDictionary", [b"FALSE"])])
    assert passwd_error(slapd.conn(bob, USERPW), bob, USERPW, new) is None


def test_default_banned_list_turned_off_and_on_live(slapd):
    start(slapd, STANDARD)
    bob, dn = user_dn("bob"), overlay_dn(slapd)
    c = slapd.conn(bob, USERPW)
    # on the default list, and nothing else refuses it
    err = passwd_error(c, bob, USERPW, "HarryPotter#2024")
    assert err == ("CONSTRAINT_VIOLATION", COMMON, [5]), err
    assert "olcWardenBannedList" not in slapd.config().search_s(dn, ldap.SCOPE_BASE)[0][1]
    rc, out = slapd.ldapmodify(f"dn: {dn}\nchangetype: modify\n"
                               "replace: olcWardenBannedList\nolcWardenBannedList: none\n")
    assert rc == 0, out
    assert slapd.config().search_s(dn, ldap.SCOPE_BASE)[0][1]["olcWardenBannedList"] == [b"none"]
    assert passwd_error(c, bob, USERPW, "HarryPotter#2024") is None
    # without the setting, the default list again
    rc, out = slapd.ldapmodify(f"dn: {dn}\nchangetype: modify\ndelete: olcWardenBannedList\n")
    assert rc == 0, out
    c = slapd.conn(bob, "HarryPotter#2024")
    err = passwd_error(c, bob, "HarryPotter#2024", "Winniethepooh-2024")
    assert err == ("CONSTRAINT_VIOLATION", COMMON, [5]), err


def compiled_default():
    p = subprocess.run(["make", "-s", "--no-print-directory", "-C", str(BUILDDIR),
                        "--eval=warden-print-pkgdatadir: ; @echo $(pkgdatadir)",
                        "warden-print-pkgdatadir"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return p.stdout.strip() + "/banned.idx"


def test_missing_default_banned_list_refuses_to_start(slapd, monkeypatch):
    conf = (slapd.base_conf([MODULE]) + slapd.mdb_conf() +
            f"overlay warden\nwarden-state-dir {slapd.state}\n")
    missing = slapd.dir / "nowhere" / "banned.idx"
    monkeypatch.setattr(conftest, "BANNED_DEFAULT", str(missing))
    slapd.write_conf(conf)
    assert slapd.start(expect_failure=True) != 0
    log = slapd.log_text()
    assert ("install the default banned-password list (make install) or set "
            f"warden-banned-list to an index or none: cannot open \"{missing}\"") in log, slapd.tail()
    # the module's own default: the package data directory
    monkeypatch.setattr(conftest, "BANNED_DEFAULT", "")
    installed = compiled_default()
    if not os.path.exists(installed):
        assert slapd.start(expect_failure=True) != 0
        assert f"or none: cannot open \"{installed}\"" in slapd.log_text(), slapd.tail()
    # "none": no list, nothing to miss
    monkeypatch.setattr(conftest, "BANNED_DEFAULT", str(missing))
    # (before warden-state-dir, which opens the default list: issue 14)
    slapd.write_conf(conf.replace("warden-state-dir", "warden-banned-list none\nwarden-state-dir"))
    slapd.start()
    assert slapd.config().search_s(overlay_dn(slapd), ldap.SCOPE_BASE)[0][1][
        "olcWardenBannedList"] == [b"none"]


def test_dictionary_under_concurrent_changes(slapd):
    """100 password changes at once from 10 connections, dictionary words
    (whole and hidden) mixed with strong passwords: each judged as alone
    (cracklib's one dictionary per process, kept in memory, under its
    mutex), no refusal for the wrong reason, slapd still answering."""
    import threading
    start(slapd, STANDARD, extra="warden-banned-list none\n")
    weak = ["sunflowers12", "password1234", "Summer2024!!", "P@ssw0rd-2024!",
            "Footb@ll-2024"]
    results, lock = [], threading.Lock()

    def worker(t):
        c = ldap.initialize(slapd.uri)
        c.simple_bind_s(ROOTDN, ROOTPW)
        for i in range(10):
            if (t + i) % 2:
                new, want = weak[(t + i) % len(weak)], "CONSTRAINT_VIOLATION"
            else:
                new, want = f"Kq7#vW2p!x{t}Zr{i}", None
            try:
                c.passwd_s(user_dn("bob"), None, new)
                got = None
            except ldap.CONSTRAINT_VIOLATION as e:
                got = "CONSTRAINT_VIOLATION"
                if "dictionary word" not in e.args[0].get("info", ""):
                    got = "wrong reason: " + e.args[0].get("info", "")
            with lock:
                results.append((new, want, got))
        c.unbind_s()

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(results) == 100
    wrong = [r for r in results if r[1] != r[2]]
    assert not wrong, wrong
    assert slapd.admin().whoami_s()
