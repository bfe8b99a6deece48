# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""The rest of the password policy: history, minimum age, who may change a
password, resets that must be followed by a change, generated passwords,
the dictionary, the banned list, and weak hashes replaced at bind."""
import os
import subprocess
import time

import ldap
import pytest
from ldap.controls.ppolicy import PasswordPolicyControl

from conftest import ROOTDN, ROOTPW, SUFFIX, USERPW, user_dn
from test_lockout import start
from test_quality import RULES, ldappasswd, ldapmodify

WARDENCTL = os.environ.get("WARDENCTL", "")


def pp_errors(ctrls):
    """The ppolicy errors in a result's controls: raw (oid, crit, value)
    tuples from an exception, or decoded controls from result3()."""
    errs = []
    for c in ctrls or []:
        if isinstance(c, PasswordPolicyControl):
            pc = c
        elif c[0] == PasswordPolicyControl.controlType:
            pc = PasswordPolicyControl()
            pc.decodeControlValue(c[2])
        else:
            continue
        errs.append(getattr(pc, "error", None))
    return [e for e in errs if e is not None]


def passwd_error(c, dn, old, new):
    """(exception class name, info, ppolicy errors) of a refused Password
    Modify, or None when it succeeded."""
    try:
        c.passwd_s(dn, old, new, serverctrls=[PasswordPolicyControl()])
        return None
    except ldap.LDAPError as e:
        return type(e).__name__, e.args[0].get("info", ""), pp_errors(e.args[0].get("ctrls"))


def attrs(s, dn, *names):
    r = s.admin().search_s(dn, ldap.SCOPE_BASE, attrlist=list(names))[0][1]
    return {k: [v.decode() for v in vals] for k, vals in r.items()}


def test_history_refuses_recent_passwords_and_stores_hashes(slapd):
    start(slapd, {**RULES, "pwdInHistory": "2"})
    bob = user_dn("bob")
    seq = [USERPW, "Maple-Syrup-42x", "Ocean-Breeze-73q", "Quiet-Forest-58k"]
    for old, new in zip(seq, seq[1:]):
        c = slapd.conn(bob, old)
        assert passwd_error(c, bob, old, new) is None
    c = slapd.conn(bob, seq[-1])
    # the current password and the two before it are refused
    for again in seq[1:]:
        err = passwd_error(c, bob, seq[-1], again)
        assert err and err[0] == "CONSTRAINT_VIOLATION", (again, err)
        assert "the password was used before" in err[1]
        assert err[2] == [8]                    # passwordInHistory
    # the oldest has left the history
    assert passwd_error(c, bob, seq[-1], USERPW) is None
    hist = attrs(slapd, bob, "pwdHistory")["pwdHistory"]
    assert len(hist) == 2
    for h in hist:
        t, syntax, n, value = h.split("#", 3)
        assert syntax == "1.3.6.1.4.1.1466.115.121.1.40" and int(n) == len(value)
        assert value.startswith("{SSHA}"), value
        assert not any(p in h for p in seq)
    # an administrator's change is checked against the history too
    rc, out = ldapmodify(slapd, ROOTDN, ROOTPW, f"dn: {bob}\nchangetype: modify\n"
                                                f"replace: userPassword\nuserPassword: {seq[-1]}\n")
    assert rc == 19 and "used before" in out, out


def test_min_age_binds_users_not_administrators(slapd):
    start(slapd, {**RULES, "pwdMinAge": "3600"})
    bob = user_dn("bob")
    # added a moment ago: too young to change
    err = passwd_error(slapd.conn(bob, USERPW), bob, USERPW, "Maple-Syrup-42x")
    assert err[0] == "CONSTRAINT_VIOLATION" and err[2] == [7], err   # passwordTooYoung
    assert "changed too recently; it can be changed again after 20" in err[1]
    rc, out = ldappasswd(slapd, ROOTDN, ROOTPW, "Maple-Syrup-42x", bob)
    assert rc == 0, out
    assert slapd.conn(bob, "Maple-Syrup-42x").whoami_s()


def test_allow_user_change_false(slapd):
    start(slapd, {**RULES, "pwdAllowUserChange": "FALSE"})
    bob = user_dn("bob")
    err = passwd_error(slapd.conn(bob, USERPW), bob, USERPW, "Maple-Syrup-42x")
    assert err[0] == "INSUFFICIENT_ACCESS" and err[2] == [3], err    # passwordModNotAllowed
    assert "does not let users change their own password" in err[1]
    rc, out = ldappasswd(slapd, ROOTDN, ROOTPW, "Maple-Syrup-42x", bob)
    assert rc == 0, out


def test_safe_modify_needs_the_old_password(slapd):
    start(slapd, {**RULES, "pwdSafeModify": "TRUE"})
    bob = user_dn("bob")
    c = slapd.conn(bob, USERPW)
    err = passwd_error(c, bob, None, "Maple-Syrup-42x")
    assert err[0] == "CONSTRAINT_VIOLATION" and err[2] == [4], err   # mustSupplyOldPassword
    assert "give your current password" in err[1]
    with pytest.raises(ldap.CONSTRAINT_VIOLATION):
        c.modify_s(bob, [(ldap.MOD_REPLACE, "userPassword", [b"Maple-Syrup-42x"])])
    c.modify_s(bob, [(ldap.MOD_DELETE, "userPassword", [USERPW.encode()]),
                     (ldap.MOD_ADD, "userPassword", [b"Maple-Syrup-42x"])])
    assert passwd_error(slapd.conn(bob, "Maple-Syrup-42x"), bob, "Maple-Syrup-42x",
                        "Ocean-Breeze-73q") is None


def test_reset_by_administrator_forces_a_change(slapd):
    start(slapd, {**RULES, "pwdMustChange": "TRUE"})
    alice = user_dn("alice")
    rc, out = ldappasswd(slapd, ROOTDN, ROOTPW, "Temporary-Start-58k", alice)
    assert rc == 0, out
    assert attrs(slapd, alice, "pwdReset") == {"pwdReset": ["TRUE"]}

    c = ldap.initialize(slapd.uri)
    msgid = c.simple_bind(alice, "Temporary-Start-58k", serverctrls=[PasswordPolicyControl()])
    _, _, _, ctrls = c.result3(msgid)
    assert pp_errors(ctrls) == [2]               # changeAfterReset
    # only the password change is allowed
    with pytest.raises(ldap.INSUFFICIENT_ACCESS) as ex:
        c.search_s(SUFFIX, ldap.SCOPE_SUBTREE, "(uid=bob)")
    assert "reset by an administrator" in ex.value.args[0]["info"]
    with pytest.raises(ldap.INSUFFICIENT_ACCESS):
        c.modify_s(alice, [(ldap.MOD_REPLACE, "description", [b"x"])])
    with pytest.raises(ldap.INSUFFICIENT_ACCESS):
        c.compare_s(user_dn("bob"), "uid", b"bob")
    # but the own entry may be read (nslcd's login searches it)
    assert c.search_s(alice, ldap.SCOPE_BASE, "(objectClass=*)", ["dn"])[0][0] == alice
    with pytest.raises(ldap.INSUFFICIENT_ACCESS):
        c.search_s(alice, ldap.SCOPE_SUBTREE, "(objectClass=*)", ["dn"])
    c.passwd_s(alice, "Temporary-Start-58k", "Chosen-By-Me-73q")
    # lifted on this connection, and gone from the entry
    assert c.search_s(SUFFIX, ldap.SCOPE_SUBTREE, "(uid=bob)")
    assert "pwdReset" not in attrs(slapd, alice, "pwdReset")
    c.unbind_s()
    c = ldap.initialize(slapd.uri)
    msgid = c.simple_bind(alice, "Chosen-By-Me-73q", serverctrls=[PasswordPolicyControl()])
    _, _, _, ctrls = c.result3(msgid)
    assert pp_errors(ctrls) == []
    # another identity binding on a restricted connection is not restricted
    rc, out = ldappasswd(slapd, ROOTDN, ROOTPW, "Temporary-Again-58k", alice)
    assert rc == 0, out
    c = slapd.conn(alice, "Temporary-Again-58k")
    with pytest.raises(ldap.INSUFFICIENT_ACCESS):
        c.search_s(SUFFIX, ldap.SCOPE_SUBTREE, "(uid=bob)")
    c.simple_bind_s(user_dn("bob"), USERPW)
    assert c.search_s(SUFFIX, ldap.SCOPE_SUBTREE, "(uid=bob)")


def test_generated_password_meets_the_policy(slapd):
    start(slapd, {**RULES, "pwdMinLength": "24", "pwdMaxLength": "64"})
    bob = user_dn("bob")
    # the user asks for one: ldappasswd without -s
    p = subprocess.run(["ldappasswd", "-x", "-H", slapd.uri, "-D", bob, "-w", USERPW],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    new = p.stdout.split("New password:")[1].strip()
    assert len(new) == 24, new
    assert slapd.conn(bob, new).whoami_s()
    # an administrator asks for one for another user, with python-ldap
    a = slapd.admin()
    _, resp = a.passwd_s(user_dn("carol"), None, None, extract_newpw=True)
    gen = resp.genPasswd.decode()
    assert len(gen) == 24 and gen != new
    assert slapd.conn(user_dn("carol"), gen).whoami_s()
    v = attrs(slapd, user_dn("carol"), "userPassword")["userPassword"][0]
    assert v.startswith("{SSHA}") and gen not in v
    # a missing target is still reported by slapd
    with pytest.raises(ldap.NO_SUCH_OBJECT):
        a.passwd_s(f"uid=nobody,ou=people,{SUFFIX}", None, None)


def test_dictionary_words_refused_unless_the_policy_says_otherwise(slapd):
    start(slapd, RULES)
    bob = user_dn("bob")
    err = passwd_error(slapd.conn(bob, USERPW), bob, USERPW, "International9")
    assert err[0] == "CONSTRAINT_VIOLATION" and err[2] == [5], err
    assert "the password is based on a dictionary word" in err[1]
    slapd.admin().modify_s(f"cn=default,ou=policies,{SUFFIX}", [
        (ldap.MOD_ADD, "wardenCheckDictionary", [b"FALSE"])])
    assert passwd_error(slapd.conn(bob, USERPW), bob, USERPW, "International9") is None


def build_index(tmp, words, name="banned.idx"):
    lst = tmp / "banned.txt"
    lst.write_text("".join(w + "\n" for w in words))
    idx = tmp / name
    p = subprocess.run([WARDENCTL, "banned", "build", str(lst), str(idx)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return idx


def test_banned_list_after_normalisation_and_rebuilt_live(slapd):
    idx = build_index(slapd.dir, ["password", "sunflowergarden", "letmein"])
    start(slapd, RULES, conf_extra="", extra=f"warden-banned-list {idx}\n")
    bob = user_dn("bob")
    c = slapd.conn(bob, USERPW)
    for pw in ("Sunfl0werGarden-2026!", "2026-SUNFLOWERGARDEN!", "P@ssw0rd-2026!x"[:-1]):
        err = passwd_error(c, bob, USERPW, pw)
        assert err and err[2] == [5], (pw, err)
        assert "the password is a commonly used password" in err[1]
    assert passwd_error(c, bob, USERPW, "Maple-Syrup-42x") is None
    # wardenctl rebuilds the index; slapd maps the new one within a second
    build_index(slapd.dir, ["password", "ocean-breeze"], name="banned.idx")
    time.sleep(1.5)
    c = slapd.conn(bob, "Maple-Syrup-42x")
    assert passwd_error(c, bob, "Maple-Syrup-42x", "Sunfl0werGarden-2026!") is None
    err = passwd_error(slapd.conn(bob, "Sunfl0werGarden-2026!"), bob,
                       "Sunfl0werGarden-2026!", "Oc3an-Breeze-73!")
    assert err and "commonly used" in err[1], err


def test_banned_list_config_errors(slapd):
    bad = slapd.dir / "bad.idx"
    bad.write_bytes(b"not an index at all")
    start(slapd, RULES)
    slapd.stop()
    slapd.write_conf(slapd.conf.read_text() + f"warden-banned-list {bad}\n")
    assert slapd.start(expect_failure=True) != 0
    assert "warden-banned-list" in slapd.log_text()


def test_weak_hash_replaced_at_successful_bind(slapd):
    start(slapd, RULES, modules=("argon2.la",))
    alice, bob = user_dn("alice"), user_dn("bob")
    before = attrs(slapd, alice, "userPassword", "pwdChangedTime")
    assert before["userPassword"][0].startswith("{SSHA}")
    assert slapd.conn(alice, USERPW).whoami_s()
    after = attrs(slapd, alice, "userPassword", "pwdChangedTime")
    assert after["userPassword"][0].startswith("{ARGON2}"), after
    # slapd's argon2 module pads its value with a NUL and a heap byte
    assert "\x00" not in after["userPassword"][0]
    assert after["pwdChangedTime"] == before["pwdChangedTime"]
    assert slapd.conn(alice, USERPW).whoami_s()
    assert "rehashed the password" in slapd.log_text()
    # a failed bind proves nothing and changes nothing
    with pytest.raises(ldap.INVALID_CREDENTIALS):
        slapd.conn(bob, "not-the-password")
    assert attrs(slapd, bob, "userPassword")["userPassword"][0].startswith("{SSHA}")


def test_password_modify_uses_the_same_scheme_as_other_paths(slapd):
    start(slapd, RULES, modules=("argon2.la",))
    rc, out = ldappasswd(slapd, user_dn("bob"), USERPW, "Maple-Syrup-42x")
    assert rc == 0, out
    v = attrs(slapd, user_dn("bob"), "userPassword")["userPassword"]
    assert len(v) == 1 and v[0].startswith("{ARGON2}") and "\x00" not in v[0], v
    assert slapd.conn(user_dn("bob"), "Maple-Syrup-42x").whoami_s()
