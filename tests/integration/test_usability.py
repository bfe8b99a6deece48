# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""The Account Usability control (1.3.6.1.4.1.42.2.27.9.5.8) and the
obsolete Netscape password controls (warden-send-netscape-controls), as
slapd 2.5's ppolicy.la answers them and as OpenLDAP's test022-ppolicy reads
them: through the output of the real `ldapsearch -E accountUsability`
(seconds_before_unlock=N, expire=N) and of a bind's "PasswordExpiring"
line, and decoded with python-ldap.  The clock is the entry's: times are
set in the past by the rootdn with the Relax control, nothing sleeps."""
import re
import subprocess
import time

import ldap
import pytest
from ldap.controls import LDAPControl, RequestControl, ResponseControl

from conftest import MODULE, ROOTDN, ROOTPW, SUFFIX, USERPW, user_dn
from test_expiry import RELAX, changed, gentime
from test_lockout import POLICY, fails, start
from test_idle import old_user

USABILITY = "1.3.6.1.4.1.42.2.27.9.5.8"
NS_EXPIRED = "2.16.840.1.113730.3.4.4"
NS_EXPIRING = "2.16.840.1.113730.3.4.5"
DAY = 86400


def usability_out(s, target, who=ROOTDN, pw=ROOTPW, critical=False, base=None):
    """(exit code, the accountUsability line of `ldapsearch -E
    accountUsability -b target 1.1`, whole output)."""
    p = subprocess.run(["ldapsearch", "-LLL", "-x", "-H", s.uri, "-D", who, "-w", pw,
                        "-E", ("!" if critical else "") + "accountUsability",
                        "-b", base if base is not None else target, "-s", "base", "1.1"],
                       capture_output=True, text=True, timeout=60)
    out = p.stdout + p.stderr
    lines = [l for l in out.splitlines() if "accountUsability" in l]
    return p.returncode, (lines[0] if lines else None), out


def ber_tlv(b, i):
    tag, i = b[i], i + 1
    n = b[i]
    i += 1
    if n & 0x80:
        k = n & 0x7f
        n = int.from_bytes(b[i:i + k], "big")
        i += k
    return tag, b[i:i + n], i + n


def ber_int(v):
    return int.from_bytes(v, "big", signed=True)


def decode_usability(value):
    """The control's value as ldap_parse_accountusability_control() sees
    it: {"available": seconds} or {"inactive", "reset", "expired",
    "grace", "unlock"}."""
    tag, v, end = ber_tlv(value, 0)
    assert end == len(value)
    if tag == 0x80:
        return {"available": ber_int(v)}
    assert tag == 0xa1, hex(tag)
    got, i = {}, 0
    names = {0x80: "inactive", 0x81: "reset", 0x82: "expired", 0x83: "grace",
             0x84: "unlock"}
    while i < len(v):
        t, x, i = ber_tlv(v, i)
        got[names[t]] = bool(x[0]) if t in (0x80, 0x81, 0x82) else ber_int(x)
    return got


class Usability(RequestControl):
    controlType = USABILITY

    def __init__(self, critical=False):
        RequestControl.__init__(self, USABILITY, critical, None)

    def encodeControlValue(self):
        return None


class UsabilityResponse(ResponseControl):
    controlType = USABILITY

    def decodeControlValue(self, encoded):
        self.value = decode_usability(encoded)


class NetscapeResponse(ResponseControl):
    """Either Netscape control: its value, a decimal string."""
    def decodeControlValue(self, encoded):
        self.value = encoded


RESPONSES = {USABILITY: UsabilityResponse, NS_EXPIRED: NetscapeResponse,
             NS_EXPIRING: NetscapeResponse}


def usability(s, u, conn=None, critical=False):
    """The decoded control of u's entry in a base search, or None."""
    c = conn or s.admin()
    msgid = c.search_ext(user_dn(u), ldap.SCOPE_BASE, attrlist=["1.1"],
                         serverctrls=[Usability(critical)])
    found = []
    while True:
        rtype, data, _, _, _, _ = c.result4(msgid, all=0, add_ctrls=1,
                                            resp_ctrl_classes=RESPONSES)
        if rtype == ldap.RES_SEARCH_RESULT:
            break
        for entry in data:
            found += [ctrl.value for ctrl in entry[2] if ctrl.controlType == USABILITY]
    assert len(found) <= 1, found
    return found[0] if found else None


def test_locked_user_shows_seconds_before_unlock(slapd):
    start(slapd, {"pwdLockoutDuration": "300"})
    rc, line, out = usability_out(slapd, user_dn("alice"))
    assert rc == 0 and line == "# accountUsability: available and does not expire", out
    fails(slapd, "alice", 3)
    rc, line, out = usability_out(slapd, user_dn("alice"))
    assert rc == 0, out
    m = re.fullmatch(r"# accountUsability: not available \(inactive\) "
                     r"seconds_before_unlock=(\d+)", line or "")
    assert m and 295 <= int(m.group(1)) <= 300, out
    # test022's own parse of the same output
    got = subprocess.run(["sed", "-n", "-e", r"s/.*seconds_before_unlock=\(\d*\)/\1/p"],
                         input=out, capture_output=True, text=True).stdout.strip()
    assert got == m.group(1)
    u = usability(slapd, "alice")
    assert u["inactive"] and not u["reset"] and not u["expired"], u
    assert u["grace"] == -1 and 295 <= u["unlock"] <= 300, u
    # a lock until an administrator unlocks: inactive, no end
    slapd.admin().modify_s(user_dn("bob"), [(ldap.MOD_REPLACE, "pwdAccountLockedTime",
                                             [b"000001010000Z"])])
    rc, line, out = usability_out(slapd, user_dn("bob"))
    assert line == "# accountUsability: not available (inactive)", out
    assert usability(slapd, "bob") == {"inactive": True, "reset": False, "expired": False,
                                       "grace": -1, "unlock": -1}
    # an unlock makes it available again
    slapd.admin().modify_s(user_dn("alice"), [(ldap.MOD_DELETE, "pwdAccountLockedTime",
                                               None)])
    assert usability(slapd, "alice") == {"available": -1}


def test_fresh_password_expire_follows_pwdmaxage(slapd):
    start(slapd, {"pwdMaxAge": str(90 * DAY), "pwdExpireWarning": str(7 * DAY)})
    changed(slapd, "alice", 10 * DAY)
    rc, line, out = usability_out(slapd, user_dn("alice"))
    m = re.fullmatch(r"# accountUsability: available expire=(\d+)", line or "")
    assert rc == 0 and m, out
    assert 80 * DAY - 60 <= int(m.group(1)) <= 80 * DAY, out
    got = subprocess.run(["sed", "-n", "-e", r"s/.*expire=\(\d*\)/\1/p"],
                         input=out, capture_output=True, text=True).stdout.strip()
    assert got == m.group(1)
    # a password just set (pwdChangedTime now): the whole pwdMaxAge
    slapd.admin().modify_s(user_dn("bob"), [(ldap.MOD_REPLACE, "userPassword",
                                             [b"Juniper-Glacier-Sonnet-71"])])
    u = usability(slapd, "bob")
    assert 90 * DAY - 60 <= u["available"] <= 90 * DAY, u
    # entries that are no account (no password) get no control
    rc, line, out = usability_out(slapd, "ou=people," + SUFFIX)
    assert rc == 0 and line is None, out


def test_expired_with_grace_shows_remaining_grace_logins(slapd):
    start(slapd, {"pwdMaxAge": str(90 * DAY), "pwdGraceAuthNLimit": "3"})
    changed(slapd, "alice", 91 * DAY)
    rc, line, out = usability_out(slapd, user_dn("alice"))
    assert line == "# accountUsability: not available (expired) grace=3", out
    slapd.conn(user_dn("alice"), USERPW)            # one grace login
    rc, line, out = usability_out(slapd, user_dn("alice"))
    assert line == "# accountUsability: not available (expired) grace=2", out
    assert usability(slapd, "alice") == {"inactive": False, "reset": False,
                                         "expired": True, "grace": 2, "unlock": -1}
    # without grace logins: expired, and grace is left out
    slapd.admin().modify_s(POLICY, [(ldap.MOD_DELETE, "pwdGraceAuthNLimit", None)])
    rc, line, out = usability_out(slapd, user_dn("alice"))
    assert line == "# accountUsability: not available (expired)", out


def test_reset_shows_reset(slapd):
    start(slapd, {"pwdMustChange": "TRUE"})
    slapd.admin().modify_s(user_dn("alice"), [(ldap.MOD_REPLACE, "pwdReset", [b"TRUE"])])
    rc, line, out = usability_out(slapd, user_dn("alice"))
    assert line == "# accountUsability: not available (reset)", out
    # reset and locked: both
    fails(slapd, "alice", 3)
    u = usability(slapd, "alice")
    assert u["reset"] and u["inactive"] and 0 < u["unlock"] <= 300, u
    # pwdReset under a policy without pwdMustChange binds as usual
    slapd.admin().modify_s(user_dn("bob"), [(ldap.MOD_REPLACE, "pwdReset", [b"TRUE"])])
    slapd.admin().modify_s(POLICY, [(ldap.MOD_DELETE, "pwdMustChange", None)])
    assert usability(slapd, "bob") == {"available": -1}


def test_dormant_user_is_not_available(slapd):
    start(slapd, {"pwdMaxIdle": str(30 * DAY)})
    old_user(slapd, "alice", 31 * DAY)
    old_user(slapd, "bob", 29 * DAY)
    rc, line, out = usability_out(slapd, user_dn("alice"))
    assert line == "# accountUsability: not available (expired)", out
    # bob turns dormant in a day: that is when he expires
    u = usability(slapd, "bob")
    assert DAY - 60 <= u["available"] <= DAY, u


def test_only_lockout_readers_get_the_control(slapd):
    g = f"ou=groups,{SUFFIX}"
    start(slapd, {"pwdLockoutDuration": "300"}, users=("alice", "bob", "carol", "dave"),
          extra=f"warden-helpdesk-group cn=helpdesk,{g}\n")
    a = slapd.admin()
    a.add_s(g, [("objectClass", [b"organizationalUnit"]), ("ou", [b"groups"])])
    a.add_s(f"cn=helpdesk,{g}", [("objectClass", [b"groupOfNames"]), ("cn", [b"helpdesk"]),
                                 ("member", [user_dn("dave").encode()])])
    fails(slapd, "alice", 3)
    # the helpdesk sees it
    rc, line, out = usability_out(slapd, user_dn("alice"), user_dn("dave"), USERPW)
    assert rc == 0 and line and "seconds_before_unlock=" in line, out
    # a user reads the entry, and gets no control and no error, even
    # when asking critically, for another's entry or its own
    for target, critical in ((user_dn("alice"), False), (user_dn("alice"), True),
                             (user_dn("bob"), True)):
        rc, line, out = usability_out(slapd, target, user_dn("bob"), USERPW,
                                      critical=critical)
        assert rc == 0 and line is None and f"dn: {target}" in out, out
    assert usability(slapd, "alice", slapd.conn(user_dn("carol"), USERPW),
                     critical=True) is None


def test_critical_control_is_supported_where_warden_answers(slapd):
    start(slapd)
    root = slapd.admin().search_s("", ldap.SCOPE_BASE, attrlist=["supportedControl"])
    ctrls = [v.decode() for v in root[0][1]["supportedControl"]]
    assert USABILITY in ctrls and NS_EXPIRED in ctrls and NS_EXPIRING in ctrls
    rc, line, out = usability_out(slapd, user_dn("alice"), critical=True)
    assert rc == 0 and line == "# accountUsability: available and does not expire", out
    # the root DSE is not warden's database: a critical request is refused there
    rc, line, out = usability_out(slapd, "", critical=True)
    assert rc == 12 and "Critical extension is unavailable" in out, out
    # a value is a protocol error, as with ppolicy.la
    c = slapd.admin()
    with pytest.raises(ldap.PROTOCOL_ERROR):
        c.search_ext_s(user_dn("alice"), ldap.SCOPE_BASE, attrlist=["1.1"],
                       serverctrls=[LDAPControl(USABILITY, False, encodedControlValue=b"x")])


def test_beside_ppolicy_la_the_control_is_answered_once(slapd):
    """ppolicy.la loaded (its module registers the control first): warden
    reads its parser's flag and answers on its own database."""
    start(slapd, {"pwdLockoutDuration": "300"}, modules=("ppolicy.la",))
    assert "cannot register the account usability" not in slapd.log_text()
    fails(slapd, "alice", 3)
    u = usability(slapd, "alice", critical=True)
    assert u["inactive"] and 295 <= u["unlock"] <= 300, u


def bind_out(s, u, pw=USERPW, ppolicy=False):
    """(exit code, output) of `ldapsearch` bound as u: what it prints of
    the bind's controls."""
    cmd = ["ldapsearch", "-x", "-H", s.uri, "-D", user_dn(u), "-w", pw,
           "-b", SUFFIX, "-s", "base", "1.1"]
    if ppolicy:
        cmd[1:1] = ["-e", "ppolicy"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout + p.stderr


def netscape(s, on):
    rc, out = s.ldapmodify("dn: olcOverlay={0}warden,olcDatabase={1}mdb,cn=config\n"
                           "changetype: modify\nreplace: olcWardenSendNetscapeControls\n"
                           f"olcWardenSendNetscapeControls: {'TRUE' if on else 'FALSE'}\n")
    assert rc == 0, out


def bind_ctrls(s, u, pw=USERPW):
    """(result code, {oid: value}) of a python-ldap bind."""
    c = ldap.initialize(s.uri)
    try:
        msgid = c.simple_bind(user_dn(u), pw)
        try:
            _, _, _, ctrls, _, _ = c.result4(msgid, resp_ctrl_classes=RESPONSES)
            return 0, {x.controlType: x.value for x in ctrls}
        except ldap.INVALID_CREDENTIALS as e:
            return 49, {oid: v for oid, _, v in e.args[0].get("ctrls", [])}
    finally:
        c.unbind_s()


def test_netscape_expiring_control_only_when_on(slapd):
    start(slapd, {"pwdMaxAge": str(90 * DAY), "pwdExpireWarning": str(7 * DAY)})
    changed(slapd, "alice", 85 * DAY)
    # off by default
    rc, out = bind_out(slapd, "alice")
    assert rc == 0 and "PasswordExpiring" not in out and NS_EXPIRING not in out, out
    assert bind_ctrls(slapd, "alice") == (0, {})
    netscape(slapd, True)
    rc, out = bind_out(slapd, "alice")
    m = re.search(r"# PasswordExpiring control seconds=(\d+)", out)
    assert rc == 0 and m and 5 * DAY - 60 <= int(m.group(1)) <= 5 * DAY, out
    rc, got = bind_ctrls(slapd, "alice")
    assert rc == 0 and list(got) == [NS_EXPIRING], got
    assert 5 * DAY - 60 <= int(got[NS_EXPIRING].decode()) <= 5 * DAY
    # with the password policy request control as well: both are sent
    rc, out = bind_out(slapd, "alice", ppolicy=True)
    assert rc == 0 and "PasswordExpiring control" in out and \
        "Password expires in" in out, out
    # a password far from its end: nothing
    changed(slapd, "alice", 10 * DAY)
    rc, out = bind_out(slapd, "alice")
    assert rc == 0 and "PasswordExpiring" not in out, out
    netscape(slapd, False)
    changed(slapd, "alice", 85 * DAY)
    rc, out = bind_out(slapd, "alice")
    assert rc == 0 and "PasswordExpiring" not in out, out


def test_netscape_expired_control_on_refusal(slapd):
    start(slapd, {"pwdMaxAge": str(90 * DAY)},
          extra="warden-send-netscape-controls on\n")
    changed(slapd, "alice", 91 * DAY)
    rc, out = bind_out(slapd, "alice")
    assert rc == 49 and "# PasswordExpired control" in out, out
    rc, got = bind_ctrls(slapd, "alice")
    assert rc == 49 and got == {NS_EXPIRED: b"0"}, got
    # a wrong password is only wrong: no control says anything of it
    rc, out = bind_out(slapd, "alice", "Wrong-Password-1")
    assert rc == 49 and "PasswordExpired" not in out, out
    # nor does a lock
    fails(slapd, "bob", 3)
    rc, out = bind_out(slapd, "bob")
    assert rc == 49 and "PasswordExpired" not in out, out


def test_netscape_expired_control_on_grace_login_and_reset(slapd):
    """As ppolicy.la: a bind that succeeds but must change the password (a
    grace login, or after an administrator's reset) gets passwordExpired."""
    start(slapd, {"pwdMaxAge": str(90 * DAY), "pwdGraceAuthNLimit": "2",
                  "pwdMustChange": "TRUE"}, extra="warden-send-netscape-controls on\n")
    changed(slapd, "alice", 91 * DAY)
    rc, out = bind_out(slapd, "alice")
    assert rc == 0 and "# PasswordExpired control" in out, out
    slapd.admin().modify_s(user_dn("bob"), [(ldap.MOD_REPLACE, "pwdReset", [b"TRUE"])])
    assert bind_ctrls(slapd, "bob") == (0, {NS_EXPIRED: b"0"})


def test_netscape_setting_in_config(slapd):
    start(slapd)
    c = slapd.config()
    dn = "olcOverlay={0}warden,olcDatabase={1}mdb,cn=config"
    r = c.search_s(dn, ldap.SCOPE_BASE, attrlist=["olcWardenSendNetscapeControls"])
    assert r[0][1]["olcWardenSendNetscapeControls"] == [b"FALSE"]
    netscape(slapd, True)
    r = c.search_s(dn, ldap.SCOPE_BASE, attrlist=["olcWardenSendNetscapeControls"])
    assert r[0][1]["olcWardenSendNetscapeControls"] == [b"TRUE"]
    rc, out = slapd.ldapmodify(f"dn: {dn}\nchangetype: modify\n"
                               "replace: olcWardenSendNetscapeControls\n"
                               "olcWardenSendNetscapeControls: maybe\n")
    assert rc != 0, out
    # a bad value in slapd.conf stops the server
    slapd.stop()
    slapd.write_conf(slapd.conf.read_text() + "warden-send-netscape-controls maybe\n")
    slapd.start(expect_failure=True)


def test_lock_on_another_provider(workdir):
    """Several providers: failures counted on two of them lock the user,
    and each provider's answer says so, with the lock's end."""
    from test_replication_mpr import MAX, bind as mpr_bind, start_mpr
    nodes = start_mpr(workdir, 2)
    try:
        a, b = nodes
        for i, s in enumerate((a, b, a)[:MAX]):
            assert mpr_bind(s, "alice", f"wrong-{i}") == 49
            time.sleep(0.3)
        for s in (a, b):
            deadline = time.time() + 10
            while not (usability(s, "alice") or {}).get("inactive"):
                assert time.time() < deadline, f"{s.dir.name}: {usability(s, 'alice')}"
                time.sleep(0.05)
            u = usability(s, "alice")
            assert 0 < u["unlock"] <= 300 and not u["expired"], u
            rc, line, out = usability_out(s, user_dn("alice"))
            assert re.fullmatch(r"# accountUsability: not available \(inactive\) "
                                r"seconds_before_unlock=\d+", line or ""), out
        assert usability(b, "bob") == {"available": -1}
    finally:
        for n in nodes:
            n.stop()
        for n in nodes:
            assert not n.sanitizer_reports()
