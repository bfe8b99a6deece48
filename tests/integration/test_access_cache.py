# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""The bind caches at their cap (warden-cache-max-entries): more users
than the caches hold still get the right decision at every bind, a group
change counts at the very next bind whether a user's decision was kept or
evicted, and the cap is set in slapd.conf or live in cn=config, with bad
values refused."""
import ldap
import ldap.modlist

from conftest import SUFFIX, USERPW, slappasswd, user_dn
from test_access import group, start_access, system

OVERLAY_DN = "olcOverlay={0}warden,olcDatabase={1}mdb,cn=config"
N = 300             # users: several times the smallest cap


def add_many(a, n):
    hashed = slappasswd(USERPW).encode()
    for i in range(n):
        u = f"m{i}"
        a.add_s(user_dn(u), ldap.modlist.addModlist({
            "objectClass": [b"inetOrgPerson"], "uid": [u.encode()],
            "cn": [u.encode()], "sn": [u.encode()], "userPassword": [hashed]}))


def binds(slapd, users):
    """{user: result code} of a rebind per user on one connection."""
    c = ldap.initialize(slapd.uri)
    out = {}
    for u in users:
        try:
            c.simple_bind_s(user_dn(u), USERPW)
            out[u] = 0
        except ldap.INVALID_CREDENTIALS:
            out[u] = 49
    c.unbind_s()
    return out


def cap(slapd):
    r = slapd.config().search_s(OVERLAY_DN, ldap.SCOPE_BASE,
                                attrlist=["olcWardenCacheMaxEntries"])
    return r[0][1].get("olcWardenCacheMaxEntries")


def set_cap(slapd, value):
    return slapd.ldapmodify(f"dn: {OVERLAY_DN}\nchangetype: modify\n"
                            f"replace: olcWardenCacheMaxEntries\n"
                            f"olcWardenCacheMaxEntries: {value}\n")


def test_more_users_than_the_cap(slapd):
    a = start_access(slapd, extra="warden-cache-max-entries 64\n")
    assert cap(slapd) == [b"64"]
    add_many(a, N)
    users = [f"m{i}" for i in range(N)]
    allowed = set(users[::2])
    web = group(a, "web", [user_dn(u) for u in sorted(allowed)])
    system(a, "web01", ["127.0.0.1"], [web])
    want = {u: 0 if u in allowed else 49 for u in users}
    # twice: the second pass meets evicted decisions and kept ones
    assert binds(slapd, users) == want
    assert binds(slapd, users) == want
    # the most recently decided (kept) and the first (evicted) change alike
    gone, newcomer = users[-2], users[1]
    a.modify_s(web, [(ldap.MOD_DELETE, "member", [user_dn(gone).encode()]),
                     (ldap.MOD_ADD, "member", [user_dn(newcomer).encode()])])
    want[gone], want[newcomer] = 49, 0
    assert binds(slapd, [gone, newcomer, users[0], users[3]]) == {
        gone: 49, newcomer: 0, users[0]: 0, users[3]: 49}
    assert binds(slapd, users) == want


def test_cap_live_and_bad_values(slapd):
    a = start_access(slapd)
    assert cap(slapd) is None                   # the default is not shown
    add_many(a, 100)
    users = [f"m{i}" for i in range(100)]
    web = group(a, "web", [user_dn(u) for u in users[:50]])
    system(a, "web01", ["127.0.0.1"], [web])
    want = {u: 0 if i < 50 else 49 for i, u in enumerate(users)}
    assert binds(slapd, users) == want
    # lowered live below what is held: evicts, decisions stay right
    rc, out = set_cap(slapd, 64)
    assert rc == 0, out
    assert cap(slapd) == [b"64"]
    a.modify_s(web, [(ldap.MOD_DELETE, "member", [user_dn(users[49]).encode()])])
    want[users[49]] = 49
    assert binds(slapd, users) == want
    for value in ("63", "0", "1073741825", "-1", "lots"):
        rc, out = set_cap(slapd, value)
        assert rc != 0, (value, out)
        if value in ("63", "0", "1073741825"):
            assert f"{value} is not a number of users from 64 to 1073741824" in out, out
    assert cap(slapd) == [b"64"]
    # deleting the setting brings the default back
    rc, out = slapd.ldapmodify(f"dn: {OVERLAY_DN}\nchangetype: modify\n"
                               "delete: olcWardenCacheMaxEntries\n")
    assert rc == 0, out
    assert cap(slapd) is None
    assert binds(slapd, users) == want
    slapd.stop()
    slapd.write_conf(slapd.conf.read_text() + "warden-cache-max-entries 10\n")
    assert slapd.start(expect_failure=True) != 0
    assert ("warden-cache-max-entries: 10 is not a number of users from 64 to "
            "1073741824") in slapd.log_text()
