# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""Plain servers in the mix (issue 17): a slapd without warden, configured
as contrib/examples/plain-consumer.conf, replicates a warden provider
whole, serves lookups (nslcd, sssd) and the lock state clients read, and
refuses every user's bind: an MFA user is let in neither with the
password alone nor with password and code, a password-only user not at
all, since that server can enforce none of warden's rules."""
import re

import ldap
import ldap.modlist
import pytest

from clients import TLS, Nslcd, Sssd, nslcd_available, sssd_available
from conftest import ROOTDN, ROOTPW, SRCDIR, SUFFIX, USERPW, Slapd, slappasswd, user_dn
from test_lockout import POLICY
from test_replication import POLICY_ATTRS, entry, in_sync, warden_conf
from test_totp import code

EXAMPLE = SRCDIR / "contrib" / "examples" / "plain-consumer.conf"
SERVICE_DN = f"cn=lookup,ou=services,{SUFFIX}"
SERVICE_PW = "lookup-service-pw-1"
SEED = bytes(range(1, 21))


def plain_consumer_conf(c, provider, tls):
    """The shipped example, its paths and names pointed at the test's."""
    text = EXAMPLE.read_text()
    for a, b in [("/etc/ldap/schema/warden.schema", str(SRCDIR / "schema" / "warden.schema")),
                 ("/etc/ldap/tls/ca.pem", str(tls.ca)), ("/run/slapd", str(c.dir)),
                 ("/var/lib/ldap", str(c.db)), ("ldap://ldap1.example.org/", provider.uri),
                 ("cn=replicator,dc=example,dc=org", ROOTDN),
                 ("credentials=secret", f"credentials={ROOTPW}"),
                 ("dc=example,dc=org", SUFFIX)]:
        assert a in text, a
        text = text.replace(a, b)
    return text + f"rootpw {slappasswd(ROOTPW)}\n"


@pytest.fixture
def mixed(workdir):
    tls = TLS(workdir / "tls")
    p, c = Slapd(workdir / "p"), Slapd(workdir / "c")
    try:
        p.write_conf(warden_conf(p, extra_global=tls.slapd_conf(),
                                 overlays="overlay syncprov\nsyncprov-checkpoint 100 1\n"))
        p.start()
        a = p.admin()
        a.add_s(SUFFIX, [("objectClass", [b"dcObject", b"organization"]),
                         ("dc", [b"example"]), ("o", [b"example"])])
        for ou in ("people", "policies", "services"):
            a.add_s(f"ou={ou},{SUFFIX}", [("objectClass", [b"organizationalUnit"]),
                                          ("ou", [ou.encode()])])
        a.add_s(POLICY, ldap.modlist.addModlist(POLICY_ATTRS))
        for i, u in enumerate(("alice", "bob")):
            a.add_s(user_dn(u), ldap.modlist.addModlist({
                "objectClass": [b"inetOrgPerson", b"posixAccount"], "uid": [u.encode()],
                "cn": [u.encode()], "sn": [u.encode()], "uidNumber": [str(10000 + i).encode()],
                "gidNumber": [b"10000"], "homeDirectory": [f"/home/{u}".encode()],
                "userPassword": [slappasswd(USERPW).encode()]}))
        a.add_s(SERVICE_DN, [("objectClass", [b"organizationalRole", b"simpleSecurityObject"]),
                             ("cn", [b"lookup"]),
                             ("userPassword", [slappasswd(SERVICE_PW).encode()])])
        # alice has a token (wrapped by the provider's warden); bob has none
        a.modify_s(user_dn("alice"), [
            (ldap.MOD_ADD, "objectClass", [b"oathTOTPUser", b"oathTOTPToken"]),
            (ldap.MOD_ADD, "oathTOTPToken", [user_dn("alice").encode()]),
            (ldap.MOD_ADD, "oathSecret", [SEED])])
        c.write_conf(plain_consumer_conf(c, p, tls))
        c.start()
        assert in_sync(p, c), "the plain consumer did not finish its refresh:\n" + c.tail(30)
        yield p, c
    finally:
        c.stop()
        p.stop()


def test_plain_consumer_replicates_warden_data_whole(mixed):
    p, c = mixed
    for dn in (user_dn("alice"), user_dn("bob"), POLICY, SERVICE_DN):
        assert entry(p, dn) == entry(c, dn), dn
    # the seed arrived as the provider keeps it: wrapped, not the raw seed
    secret = entry(c, user_dn("alice"))["oathSecret"][0]
    assert secret != SEED and SEED not in secret
    # refused replicated entries would show as "rc N retrying"
    assert not re.search(r"rc [1-9][0-9]* retrying", c.log_text())


def test_plain_consumer_refuses_every_users_bind(mixed):
    p, c = mixed
    # on the provider: alice needs her code, bob his password
    p.conn(user_dn("alice"), USERPW + code(SEED))
    p.conn(user_dn("bob"), USERPW)
    for who, cred in ((user_dn("alice"), USERPW),                 # the password alone
                      (user_dn("alice"), USERPW + code(SEED)),    # even with a fresh code
                      (user_dn("bob"), USERPW)):
        with pytest.raises(ldap.INVALID_CREDENTIALS):
            c.conn(who, cred)
    # service accounts bind and look users up, lock state included
    s = c.conn(SERVICE_DN, SERVICE_PW)
    r = s.search_s(f"ou=people,{SUFFIX}", ldap.SCOPE_ONELEVEL, "(uid=alice)",
                   ["uid", "uidNumber", "homeDirectory", "oathSecret", "userPassword"])
    assert r and r[0][1]["uid"] == [b"alice"] and r[0][1]["uidNumber"] == [b"10000"]
    assert "oathSecret" not in r[0][1] and "userPassword" not in r[0][1]


def test_lock_made_on_the_provider_is_read_on_the_plain_consumer(mixed):
    p, c = mixed
    for i in range(3):      # three different ones: the same one counts once
        with pytest.raises(ldap.INVALID_CREDENTIALS):
            p.conn(user_dn("bob"), f"Wrong-password-{i}")
    assert entry(p, user_dn("bob")).get("pwdAccountLockedTime")
    assert in_sync(p, c)
    s = c.conn(SERVICE_DN, SERVICE_PW)
    r = s.search_s(user_dn("bob"), ldap.SCOPE_BASE, attrlist=["pwdAccountLockedTime"])
    assert r[0][1].get("pwdAccountLockedTime"), r


@pytest.mark.parametrize("kind", [
    pytest.param("nslcd", marks=pytest.mark.skipif(nslcd_available() is not None,
                                                   reason=f"not installed: {nslcd_available()}")),
    pytest.param("sssd", marks=pytest.mark.skipif(sssd_available() is not None,
                                                  reason=f"not installed: {sssd_available()}"))])
def test_host_lookups_through_the_plain_consumer(mixed, workdir, kind):
    p, c = mixed
    uri = c.uri.rstrip("/")
    if kind == "nslcd":
        client = Nslcd(workdir, uri, SUFFIX, options=[("binddn", SERVICE_DN),
                                                      ("bindpw", SERVICE_PW)])
    else:
        client = Sssd(workdir, {"ldap_uri": uri, "ldap_search_base": SUFFIX,
                                "ldap_default_bind_dn": SERVICE_DN,
                                "ldap_default_authtok": SERVICE_PW,
                                "ldap_id_use_start_tls": "false",
                                "ldap_auth_disable_tls_never_use_in_production": "true",
                                "access_provider": "permit"})
    try:
        client.start(ready_user="alice")
        r = client.getent("passwd", "bob")
        assert r.returncode == 0 and r.stdout.startswith("bob:"), r.stdout + r.stderr
        # a login against the replica is refused, password and code or not
        rc, out = client.pam("alice", USERPW + code(SEED), ops=("authenticate",))
        assert rc != 0, out
        rc, out = client.pam("bob", USERPW, ops=("authenticate",))
        assert rc != 0, out
    finally:
        client.stop()
    # refused by the replica itself (invalidCredentials), not on the way
    log = c.log_text()
    for u in ("alice", "bob"):
        ops = re.findall(rf'conn=(\d+) op=(\d+) BIND dn="{re.escape(user_dn(u))}" method=128',
                         log)
        assert ops, (u, "no bind reached the replica")
        for conn, op in ops:
            assert re.search(rf"conn={conn} op={op} RESULT tag=97 err=49 ", log), (u, conn, op)
