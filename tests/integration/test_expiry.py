# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""Password expiry (issue 18), with ppolicy's attributes: pwdMaxAge,
pwdExpireWarning (timeBeforeExpiration in the response control),
pwdGraceAuthNLimit and pwdGraceExpiry (grace logins, recorded as
pwdGraceUseTime so that every server counts them; then passwordExpired).
The clock is the entry's: pwdChangedTime is set in the past by the rootdn
with the Relax control, nothing sleeps."""
import time

import ldap
from ldap.controls import LDAPControl
from ldap.controls.ppolicy import PasswordPolicyControl

from conftest import USERPW, user_dn
from test_lockout import POLICY, start, state

RELAX = LDAPControl("1.3.6.1.4.1.4203.666.5.12", True)
DAY = 86400
NEW = "Juniper-Glacier-Sonnet-71"


def gentime(t):
    return time.strftime("%Y%m%d%H%M%SZ", time.gmtime(t)).encode()


def changed(s, u, seconds_ago):
    s.admin().modify_ext_s(user_dn(u), [(ldap.MOD_REPLACE, "pwdChangedTime",
                                         [gentime(time.time() - seconds_ago)])],
                           serverctrls=[RELAX])


def pp_bind(s, u, pw=USERPW):
    """(result code, {timeBeforeExpiration, graceAuthNsRemaining, error})"""
    c = ldap.initialize(s.uri)
    try:
        msgid = c.simple_bind(user_dn(u), pw, serverctrls=[PasswordPolicyControl()])
        try:
            _, _, _, ctrls = c.result3(msgid)
            rc = 0
        except ldap.INVALID_CREDENTIALS as e:
            rc, ctrls = 49, e.args[0].get("ctrls", [])
        got = {}
        for ctrl in ctrls:
            if isinstance(ctrl, tuple):     # from an exception: undecoded
                oid, _, value = ctrl
                if oid != PasswordPolicyControl.controlType:
                    continue
                pc = PasswordPolicyControl()
                pc.decodeControlValue(value)
            elif ctrl.controlType == PasswordPolicyControl.controlType:
                pc = ctrl
            else:
                continue
            got = {k: getattr(pc, k) for k in
                   ("timeBeforeExpiration", "graceAuthNsRemaining", "error")
                   if getattr(pc, k, None) is not None}
        return rc, got
    finally:
        c.unbind_s()


def graces(s, u):
    r = s.admin().search_s(user_dn(u), ldap.SCOPE_BASE, attrlist=["pwdGraceUseTime"])
    return r[0][1].get("pwdGraceUseTime", [])


def test_warning_before_expiry(slapd):
    start(slapd, {"pwdMaxAge": str(90 * DAY), "pwdExpireWarning": str(7 * DAY)})
    changed(slapd, "alice", 10 * DAY)
    assert pp_bind(slapd, "alice") == (0, {})
    changed(slapd, "alice", 85 * DAY)
    rc, got = pp_bind(slapd, "alice")
    assert rc == 0 and 5 * DAY - 60 <= got["timeBeforeExpiration"] <= 5 * DAY, got
    # without the request control the bind just succeeds
    slapd.conn(user_dn("alice"), USERPW)


def test_grace_logins_then_expired(slapd):
    start(slapd, {"pwdMaxAge": str(90 * DAY), "pwdGraceAuthNLimit": "2"})
    changed(slapd, "alice", 91 * DAY)
    assert pp_bind(slapd, "alice") == (0, {"graceAuthNsRemaining": 1})
    assert pp_bind(slapd, "alice") == (0, {"graceAuthNsRemaining": 0})
    assert len(graces(slapd, "alice")) == 2
    assert pp_bind(slapd, "alice") == (49, {"error": 0})       # passwordExpired
    assert len(graces(slapd, "alice")) == 2
    # the right password, expired, is no failed guess
    assert state(slapd, "alice").get("wardenFailureCount", ["0"]) == ["0"]
    # a wrong password is still a wrong password
    assert pp_bind(slapd, "alice", "Wrong-Password-1")[0] == 49
    assert state(slapd, "alice")["wardenFailureCount"] == ["1"]


def test_simultaneous_grace_logins_never_exceed_the_limit(slapd):
    """20 binds at once with two grace logins left: two succeed."""
    import threading
    from test_lockout import bind
    start(slapd, {"pwdMaxAge": str(90 * DAY), "pwdGraceAuthNLimit": "2"})
    changed(slapd, "alice", 91 * DAY)
    results = []
    go = threading.Barrier(20)

    def one():
        go.wait()
        results.append(bind(slapd, "alice", USERPW)[0])
    threads = [threading.Thread(target=one) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == [0] * 2 + [49] * 18, results
    assert len(graces(slapd, "alice")) == 2


def test_new_password_ends_expiry_and_grace(slapd):
    start(slapd, {"pwdMaxAge": str(90 * DAY), "pwdGraceAuthNLimit": "3",
                  "pwdExpireWarning": str(7 * DAY)})
    changed(slapd, "alice", 91 * DAY)
    c = ldap.initialize(slapd.uri)
    c.simple_bind_s(user_dn("alice"), USERPW)                   # a grace login
    assert len(graces(slapd, "alice")) == 1
    c.passwd_s(user_dn("alice"), USERPW, NEW)
    assert graces(slapd, "alice") == []
    assert pp_bind(slapd, "alice", NEW) == (0, {})
    # an administrator's reset counts as a change too
    changed(slapd, "alice", 91 * DAY)
    assert pp_bind(slapd, "alice", NEW)[1] == {"graceAuthNsRemaining": 2}
    slapd.admin().passwd_s(user_dn("alice"), None, "Quartz-Meadow-Lantern-58")
    assert graces(slapd, "alice") == []


def test_no_grace_and_grace_expiry(slapd):
    start(slapd, {"pwdMaxAge": str(90 * DAY), "pwdGraceAuthNLimit": "5",
                  "pwdGraceExpiry": str(2 * DAY)})
    changed(slapd, "alice", 91 * DAY)
    assert pp_bind(slapd, "alice")[0] == 0
    changed(slapd, "alice", 93 * DAY)                          # past pwdGraceExpiry
    assert pp_bind(slapd, "alice") == (49, {"error": 0})


def test_no_expiry_without_max_age_or_change_time(slapd):
    a = start(slapd, {"pwdExpireWarning": str(7 * DAY), "pwdGraceAuthNLimit": "1"})
    changed(slapd, "alice", 1000 * DAY)
    assert pp_bind(slapd, "alice") == (0, {})
    # pwdMaxAge set, but an entry without pwdChangedTime never expires
    a.modify_s(POLICY, [(ldap.MOD_ADD, "pwdMaxAge", [str(DAY).encode()])])
    slapd.admin().modify_ext_s(user_dn("bob"), [(ldap.MOD_REPLACE, "pwdChangedTime", [])],
                               serverctrls=[RELAX])
    assert pp_bind(slapd, "bob") == (0, {})
    assert pp_bind(slapd, "alice") == (0, {"graceAuthNsRemaining": 0})
    assert pp_bind(slapd, "alice") == (49, {"error": 0})
