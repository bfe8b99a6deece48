# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""No cleartext password anywhere: after passwords were set by add, modify
and Password Modify, generated, refused, guessed wrong, kept in history and
rehashed at bind, none of them is in the database files, warden's state
store, slapcat's output, slapd's log or the audit file."""
import base64
import os
import subprocess

import ldap
import ldap.modlist
import pytest

import conftest
from conftest import ROOTDN, ROOTPW, SUFFIX, USERPW, slappasswd, user_dn
from test_lockout import start
from test_quality import RULES, ldappasswd, ldapmodify


def test_no_cleartext_password_reaches_disk_or_logs(slapd, monkeypatch):
    # stats, stats2 and trace: more than a production slapd logs
    monkeypatch.setattr(conftest, "DEBUG_LEVEL", str(1 | 256 | 512))
    audit = slapd.dir / "audit.log"
    start(slapd, {**RULES, "pwdInHistory": "3"}, users=("alice", "bob", "carol"),
          modules=("argon2.la",), extra=f"warden-audit-file {audit}\n")
    secrets = {
        "added": "Added-Secret-Phrase-8101",
        "replaced": "Replaced-Secret-Phrase-8102",
        "exop": "Exop-Secret-Phrase-8103",
        "history": "History-Secret-Phrase-8104",
        "refused": "Qz8#refused",
        "wrong": "Wrong-Guess-Secret-8105",
        "rehashed": "Rehashed-Secret-Phrase-8106",
    }
    a = slapd.admin()
    dave = f"uid=dave,ou=people,{SUFFIX}"
    a.add_s(dave, ldap.modlist.addModlist({
        "objectClass": [b"inetOrgPerson"], "uid": [b"dave"], "cn": [b"dave"],
        "sn": [b"d"], "userPassword": [secrets["added"].encode()]}))
    rc, out = ldapmodify(slapd, ROOTDN, ROOTPW, f"dn: {user_dn('alice')}\nchangetype: modify\n"
                         f"replace: userPassword\nuserPassword: {secrets['replaced']}\n")
    assert rc == 0, out
    rc, out = ldappasswd(slapd, user_dn("bob"), USERPW, secrets["history"])
    assert rc == 0, out
    rc, out = ldappasswd(slapd, user_dn("bob"), secrets["history"], secrets["exop"])
    assert rc == 0, out
    rc, out = ldappasswd(slapd, user_dn("bob"), secrets["exop"], secrets["refused"])
    assert rc != 0 and "at least 12 characters" in out, out
    rc, out = ldappasswd(slapd, user_dn("bob"), secrets["exop"], secrets["history"])
    assert rc != 0 and "used before" in out, out
    with pytest.raises(ldap.INVALID_CREDENTIALS):
        slapd.conn(user_dn("carol"), secrets["wrong"])
    # a weak hash set by the rootdn (migration), replaced at the next bind
    a.modify_s(user_dn("carol"), [(ldap.MOD_REPLACE, "userPassword",
                                   [slappasswd(secrets["rehashed"]).encode()])])
    assert slapd.conn(user_dn("carol"), secrets["rehashed"]).whoami_s()
    assert a.search_s(user_dn("carol"), ldap.SCOPE_BASE, attrlist=["userPassword"])[0][1][
        "userPassword"][0].startswith(b"{ARGON2}")
    _, resp = a.passwd_s(user_dn("alice"), None, None, extract_newpw=True)
    secrets["generated"] = resp.genPasswd.decode()
    a.unbind_s()
    slapd.stop()

    dump = subprocess.run(["slapcat", "-f", str(slapd.conf), "-b", SUFFIX],
                          capture_output=True, env=slapd.env(), timeout=60).stdout
    files = {"slapcat": dump}
    for root, _, names in os.walk(slapd.dir):
        for n in names:
            p = os.path.join(root, n)
            if os.path.isfile(p) and not os.path.islink(p):
                with open(p, "rb") as f:
                    files[p] = f.read()
    assert any(p.endswith("data.mdb") for p in files)
    assert str(slapd.log) in files and str(audit) in files
    leaks = []
    for what, pw in secrets.items():
        forms = {pw.encode(), base64.b64encode(pw.encode()).rstrip(b"=")}
        for name, content in files.items():
            if any(f in content for f in forms):
                leaks.append(f"{what} password in {name}")
    assert not leaks, leaks
