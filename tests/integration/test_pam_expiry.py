# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""Password expiry through PAM (issue 18), with both clients a Debian host
uses (nslcd/pam_ldap and sssd/pam_sss): a login near the end of the
password's life shows the client's warning, and a login with an expired
password that has grace logins left is made to change it (pamtester
authenticate, acct_mgmt and chauthtok, as the user), after which the new
password logs in without a warning."""
import re

import ldap

from conftest import USERPW
from test_expiry import changed, graces
from test_lockout import POLICY
from test_pam_chauthtok import GOOD_PW, binds, pam_host  # noqa: F401 (fixture)

DAY = 86400
# What each client shows (verified): the warning, and a grace login.
WARNING = {"nslcd": r"Password will expire in [45] days\n",
           "sssd": r"Your password will expire in [45] day\(s\)\.\n"}
GRACE = {"nslcd": "Password expired, 2 grace logins left\n",
         "sssd": "Your password has expired. You have 2 grace login(s) remaining.\n"}


def policy(slapd, **attrs):
    slapd.admin().modify_s(POLICY, [(ldap.MOD_REPLACE, k, [str(v).encode()])
                                    for k, v in attrs.items()])


def test_expiry_warning_at_login(pam_host):
    kind, slapd, client = pam_host
    policy(slapd, pwdMaxAge=90 * DAY, pwdExpireWarning=7 * DAY)
    changed(slapd, "alice", 85 * DAY)
    rc, out = client.pam("alice", USERPW, ops=("authenticate", "acct_mgmt"))
    assert rc == 0, out + client.tail()
    assert re.search(WARNING[kind], out), out
    # bob's password is new: no warning
    rc, out = client.pam("bob", USERPW, ops=("authenticate", "acct_mgmt"))
    assert rc == 0 and "expire" not in out.lower(), out


def test_expired_password_must_be_changed_at_login(pam_host):
    kind, slapd, client = pam_host
    policy(slapd, pwdMaxAge=90 * DAY, pwdGraceAuthNLimit=3)
    changed(slapd, "alice", 91 * DAY)
    ent = client.getent("passwd", "alice")
    uid, gid = (int(x) for x in ent.stdout.split(":")[2:4])
    rc, out = client.pam("alice", ops=("authenticate", "acct_mgmt", "chauthtok"),
                         answers=[USERPW, USERPW, GOOD_PW, GOOD_PW], uid=uid, gid=gid)
    assert rc == 0, out + client.tail()
    assert GRACE[kind] in out, out
    assert "authentication token altered successfully" in out, out
    assert binds(slapd, GOOD_PW) and not binds(slapd, USERPW)
    assert graces(slapd, "alice") == []
    # the new password logs in, with nothing to say
    rc, out = client.pam("alice", GOOD_PW, ops=("authenticate", "acct_mgmt"))
    assert rc == 0 and "expire" not in out.lower(), out
