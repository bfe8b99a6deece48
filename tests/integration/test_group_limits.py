# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""Bounded group walks fail closed (issue 13): the walk that finds a
user's nested groups stops at warden-group-depth levels and
warden-group-max groups; a walk stopped there counts the user as a member
of an MFA group (MFA required) and as a member of no allowed group
(access refused), and says so in the log.  A direct membership is found
however many other groups the user is in."""
import ldap
import ldap.modlist
import pytest

from conftest import MODULE, SUFFIX, USERPW, user_dn
from test_access import GRP, group, system
from test_lockout import POLICY, bind, start

MFA_TEXT = "multi-factor authentication is required"


def ous(a):
    for ou in ("systems", "groups"):
        a.add_s(f"ou={ou},{SUFFIX}", [("objectClass", [b"organizationalUnit"]),
                                      ("ou", [ou.encode()])])


def many_groups(a, n, members, prefix="other"):
    """n groups of their own, each naming members."""
    for i in range(n):
        group(a, f"{prefix}{i:03d}", members)


def bind_info(s, u, pw=USERPW):
    """(result code, diagnostic message) of one simple bind."""
    c = ldap.initialize(s.uri)
    try:
        c.simple_bind_s(user_dn(u), pw)
        return 0, ""
    except ldap.INVALID_CREDENTIALS as e:
        return 49, e.args[0].get("info", "")
    finally:
        c.unbind_s()


def start_mfa(s, extra=""):
    a = start(s, {"wardenMFAGroup": f"cn=mfa,{GRP}"}, extra=extra)
    ous(a)
    return a


def test_direct_mfa_member_among_300_groups_needs_a_code(slapd):
    a = start_mfa(slapd)
    many_groups(a, 300, [user_dn("alice"), user_dn("bob")])
    # added last: the walk's searches return it after the 300 others
    group(a, "mfa", [user_dn("alice")])
    assert bind_info(slapd, "alice") == (49, MFA_TEXT + ": enrolment of a one-time code "
                                         "token is required first (ask an administrator)")
    assert bind(slapd, "bob", USERPW)[0] == 49
    # bob is in the 300 only: more than warden-group-max, so not known
    # to be outside the MFA group -- taken as inside
    assert f'"{user_dn("bob")}" is taken for a member of a wardenMFAGroup' in slapd.log_text()
    assert (f'the groups of "{user_dn("bob")}" were not all followed: more than '
            f"warden-group-max (256 groups)") in slapd.log_text()
    # carol, in no group at all, is not asked for a code
    assert bind(slapd, "carol", USERPW)[0] == 0


def test_mfa_walk_beyond_the_depth_fails_closed(slapd):
    a = start_mfa(slapd, extra="warden-group-depth 2\n")
    g1 = group(a, "g1", [user_dn("alice")])
    g2 = group(a, "g2", [g1])
    group(a, "g3", [g2])                          # alice's groups go 3 deep
    group(a, "other", [user_dn("bob")])
    group(a, "mfa", [f"cn=nobody,{SUFFIX}"])
    # alice is in no MFA group, but her walk did not end: fail closed
    code, info = bind_info(slapd, "alice")
    assert (code, MFA_TEXT in info) == (49, True)
    assert (f'the groups of "{user_dn("alice")}" were not all followed: they nest deeper '
            f"than warden-group-depth (2 levels)") in slapd.log_text()
    # bob's walk ended: no MFA for him
    assert bind(slapd, "bob", USERPW)[0] == 0


def start_access(s, extra=""):
    a = start(s, None, extra=f"warden-access-default deny\n{extra}")
    ous(a)
    return a


def test_direct_access_member_among_300_groups_binds(slapd):
    a = start_access(slapd)
    many_groups(a, 300, [user_dn("alice")])
    ops = group(a, "ops", [user_dn("alice")])
    system(a, "web01", ["127.0.0.0/8"], [ops])
    assert bind(slapd, "alice", USERPW)[0] == 0
    assert bind(slapd, "bob", USERPW)[0] == 49


def test_access_beyond_the_limits_is_refused_and_logged(slapd):
    a = start_access(slapd, extra="warden-group-depth 2\nwarden-group-max 16\n")
    g1 = group(a, "g1", [user_dn("alice"), user_dn("carol")])
    g2 = group(a, "g2", [g1])
    g3 = group(a, "g3", [g2, user_dn("bob")])     # alice 3 deep, bob direct
    web = system(a, "web01", ["127.0.0.0/8"], [g3])
    assert bind(slapd, "bob", USERPW)[0] == 0
    assert bind(slapd, "alice", USERPW)[0] == 49
    log = slapd.log_text()
    assert (f'the groups of "{user_dn("alice")}" were not all followed: they nest deeper '
            f"than warden-group-depth (2 levels)") in log
    assert (f'bind of "{user_dn("alice")}" from IP=127.0.0.1') in log
    assert (f"not a member of a group allowed there ({web}; its groups were not all "
            "followed (warden-group-depth, warden-group-max))") in log
    # one level more through cn=config: reachable, and the refusal kept
    # for her is forgotten
    rc, out = slapd.ldapmodify("dn: olcOverlay={0}warden,olcDatabase={1}mdb,cn=config\n"
                               "changetype: modify\nreplace: olcWardenGroupDepth\n"
                               "olcWardenGroupDepth: 3\n")
    assert rc == 0, out
    assert bind(slapd, "alice", USERPW)[0] == 0
    # more groups than warden-group-max at the first level: refused too,
    # though the allowed group is within the depth
    many_groups(a, 20, [user_dn("carol")])
    assert bind(slapd, "carol", USERPW)[0] == 49
    assert (f'the groups of "{user_dn("carol")}" were not all followed: more than '
            f"warden-group-max (16 groups)") in slapd.log_text()


def test_group_limit_settings(slapd):
    slapd.write_conf(slapd.base_conf([MODULE]) + slapd.mdb_conf() +
                     f"overlay warden\nwarden-state-dir {slapd.state}\n"
                     "warden-group-depth 5\nwarden-group-max 1000\n")
    slapd.start()
    c = slapd.config()
    r = c.search_s("olcOverlay={0}warden,olcDatabase={1}mdb,cn=config", ldap.SCOPE_BASE,
                   attrlist=["olcWardenGroupDepth", "olcWardenGroupMax"])[0][1]
    assert r == {"olcWardenGroupDepth": [b"5"], "olcWardenGroupMax": [b"1000"]}
    for attr, value, allowed in (("olcWardenGroupDepth", "0", "1 to 64"),
                                 ("olcWardenGroupDepth", "65", "1 to 64"),
                                 ("olcWardenGroupMax", "-3", "1 to 65536")):
        rc, out = slapd.ldapmodify("dn: olcOverlay={0}warden,olcDatabase={1}mdb,cn=config\n"
                                   f"changetype: modify\nreplace: {attr}\n{attr}: {value}\n")
        assert rc != 0 and f"{value} is out of range: allowed {allowed}" in out, out
    # deleting a setting brings its default back
    rc, out = slapd.ldapmodify("dn: olcOverlay={0}warden,olcDatabase={1}mdb,cn=config\n"
                               "changetype: modify\ndelete: olcWardenGroupMax\n")
    assert rc == 0, out
    slapd.stop()
    slapd.write_conf(slapd.conf.read_text().replace("warden-group-max 1000",
                                                    "warden-group-max 0"))
    assert slapd.start(expect_failure=True) != 0
    assert "warden-group-max: 0 is out of range: allowed 1 to 65536" in slapd.log_text()


def test_roles_beyond_the_limits_grant_nothing(slapd):
    """A role group reached only past warden-group-depth grants no role;
    a direct member of the same group keeps it."""
    from test_roles import start_roles
    write_conf = slapd.write_conf
    slapd.write_conf = lambda text: write_conf(text + "warden-group-depth 2\n")
    a = start_roles(slapd)
    g1 = group(a, "g1", [user_dn("carol")])
    g2 = group(a, "g2", [g1])
    a.modify_s(f"cn=admins,{GRP}", [(ldap.MOD_ADD, "member", [g2.encode()])])
    policy = [(ldap.MOD_REPLACE, "pwdMaxFailure", [b"4"])]
    carol = slapd.conn(user_dn("carol"), USERPW)
    with pytest.raises(ldap.INSUFFICIENT_ACCESS) as ex:
        carol.modify_s(POLICY, policy)      # admins -> g2 -> g1 -> carol: 3 levels
    assert "only warden administrators" in ex.value.args[0]["info"]
    assert (f'the groups of "{user_dn("carol")}" were not all followed: they nest deeper '
            f"than warden-group-depth (2 levels)") in slapd.log_text()
    slapd.conn(user_dn("erin"), USERPW).modify_s(POLICY, policy)   # a direct member
    rc, out = slapd.ldapmodify("dn: olcOverlay={0}warden,olcDatabase={1}mdb,cn=config\n"
                               "changetype: modify\nreplace: olcWardenGroupDepth\n"
                               "olcWardenGroupDepth: 3\n")
    assert rc == 0, out
    slapd.conn(user_dn("carol"), USERPW).modify_s(POLICY, policy)
