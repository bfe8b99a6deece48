# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""Group-based access at bind through real clients (issue 7): nslcd with
pam_ldap and sssd with pam_sss, driven by pamtester, with no client-side
group check at all (nslcd has no pam_authz_search; sssd has
access_provider = permit and no ldap_access_filter).  The server alone
decides from which system a user may log in.

Two hosts with their own addresses: each is a network namespace the test
creates (clients.NetnsHost: `ip netns add`, a veth pair, a /30 of
10.201.0.0/16, no other route), removed afterwards whatever happens.
slapd runs here and listens on the host side of each link (and on
127.0.0.1 for the test's own administration); each host's client daemon
and its pamtester run in that host's namespace (`ip netns exec NS
unshare -m ...`: the network namespace, then the private mount namespace
clients.py always uses), so slapd sees host A's binds come from
10.201.a.2 and host B's from 10.201.b.2.

    system A  wardenNetwork 10.201.a.0/30   wardenAllowedGroup web-admins
              (web-admins has member web-team, web-team has alice)
    system B  wardenNetwork 10.201.b.2      wardenAllowedGroup db-admins (bob)
    warden-access-default deny

alice logs in on A and is refused on B, bob the other way round; after
alice leaves web-team her next login on A is refused.  A refusal looks to
the user like a wrong password ("Authentication failure"); slapd's log
gives the reason and the system.

The clients look users up as a service account (their binddn /
ldap_default_bind_dn), which binds from the same addresses: it is listed
in warden-access-exempt, as README "Access" says service accounts should
be (anonymous lookups would not need that, but the ACLs here give
anonymous nothing).

Client certificates: a system matched only by wardenCertSubject, the
clients on 127.0.0.1 (which no wardenNetwork names).  A client that
presents the system's certificate (nslcd tls_cert/tls_key, sssd
ldap_tls_cert/ldap_tls_key; slapd TLSVerifyClient allow) logs its allowed
user in and refuses another; the same client without the certificate, on
the same address, matches no system and the default (deny) refuses even
the allowed user.
"""
import re

import ldap
import ldap.modlist
import pytest

from clients import (TLS, NetnsHost, Nslcd, Sssd, host_snapshot, host_sssd_running,
                     netns_available, nslcd_available, snapshot_diff, sssd_available)
from conftest import SUFFIX, USERPW, slappasswd, user_dn
from test_lockout import start

SERVICE_DN = f"cn=pamclient,{SUFFIX}"
SERVICE_PW = "pamclient-lookup-pw-1"
SYS = f"ou=systems,{SUFFIX}"
GRP = f"ou=groups,{SUFFIX}"
CERT_SUBJECT = "/O=Example/CN=kiosk01.example.test"     # openssl -subj
CERT_SUBJECT_DN = "cn=kiosk01.example.test,o=Example"   # as wardenCertSubject
REFUSED = "refused: not a member of a group allowed there"
AUTH_ERR = "Authentication failure"

HOST_PATHS = {"nslcd": ["/etc/nsswitch.conf", "/etc/pam.d", "/etc/nslcd.conf", "/run/nslcd"],
              "sssd": ["/etc/nsswitch.conf", "/etc/pam.d", "/etc/sssd", "/var/lib/sss",
                       "/run/sssd.pid"]}

_missing = {"nslcd": nslcd_available(), "sssd": sssd_available()}
_netns_missing = netns_available()


def _kind(kind, netns=False):
    missing = ", ".join(m for m in (_missing[kind], netns and _netns_missing) if m)
    return pytest.param(kind, id=kind, marks=pytest.mark.skipif(
        bool(missing), reason=f"{kind}: not installed: {missing}"))


def client(kind, workdir, uri, tls, netns=None, cert=None):
    """The client daemon of a host: lookups as the service account,
    StartTLS, the CA; no client-side group or access filter."""
    if kind == "nslcd":
        c = Nslcd(workdir, uri, SUFFIX, cacert=tls.ca, client_cert=cert, netns=netns,
                  options=[("binddn", SERVICE_DN), ("bindpw", SERVICE_PW),
                           ("ssl", "start_tls"), ("tls_reqcert", "demand")])
        assert "pam_authz_search" not in c.conf_text
        return c
    opts = {"ldap_uri": uri, "ldap_search_base": SUFFIX,
            "ldap_default_bind_dn": SERVICE_DN, "ldap_default_authtok": SERVICE_PW,
            "ldap_id_use_start_tls": "true", "ldap_tls_reqcert": "demand",
            "ldap_tls_cacert": tls.ca, "access_provider": "permit"}
    if cert:
        opts.update(ldap_tls_cert=cert[0], ldap_tls_key=cert[1])
    c = Sssd(workdir, opts, netns=netns)
    assert "ldap_access_filter" not in c.conf_text
    return c


def directory(slapd, tls, extra_global=""):
    """slapd with warden (access default deny, the service account exempt)
    and StartTLS; alice, bob and carol as posixAccounts in posixGroup
    staff; ou=systems and ou=groups.  Returns the admin connection."""
    a = start(slapd, users=("alice", "bob", "carol"),
              global_extra=tls.slapd_conf() + extra_global,
              extra=f"warden-access-default deny\nwarden-access-exempt {SERVICE_DN}\n")
    a.add_s(f"cn=staff,{SUFFIX}", [("objectClass", [b"posixGroup"]), ("cn", [b"staff"]),
                                   ("gidNumber", [b"10000"]),
                                   ("memberUid", [b"alice", b"bob", b"carol"])])
    a.add_s(SERVICE_DN, [("objectClass", [b"organizationalRole", b"simpleSecurityObject"]),
                         ("cn", [b"pamclient"]),
                         ("userPassword", [slappasswd(SERVICE_PW).encode()])])
    for ou in ("systems", "groups"):
        a.add_s(f"ou={ou},{SUFFIX}", [("objectClass", [b"organizationalUnit"]),
                                      ("ou", [ou.encode()])])
    return a


def group(a, cn, members):
    a.add_s(f"cn={cn},{GRP}", ldap.modlist.addModlist({
        "objectClass": [b"groupOfNames"], "cn": [cn.encode()],
        "member": [m.encode() for m in members]}))
    return f"cn={cn},{GRP}"


def system(a, cn, groups, networks=(), subjects=()):
    entry = {"objectClass": [b"device", b"wardenSystem"], "cn": [cn.encode()],
             "wardenAllowedGroup": [g.encode() for g in groups]}
    if networks:
        entry["wardenNetwork"] = [n.encode() for n in networks]
    if subjects:
        entry["wardenCertSubject"] = [s.encode() for s in subjects]
    a.add_s(f"cn={cn},{SYS}", ldap.modlist.addModlist(entry))
    return f"cn={cn},{SYS}"


def user_binds(slapd, user):
    """[(client address, TLS?, result code)] of the simple binds as user
    (a name, or a DN), in order, from slapd's log (ACCEPT gives a
    connection's peer)."""
    dn = user if "=" in user else user_dn(user)
    text = slapd.log_text()
    peer = dict(re.findall(r"conn=(\d+) fd=\d+ ACCEPT from IP=([0-9a-f.:\[\]]+?):\d+ ", text))
    tls = set(re.findall(r"conn=(\d+) fd=\d+ TLS established", text))
    binds = {}
    for conn, op in re.findall(
            rf'conn=(\d+) op=(\d+) BIND dn="{re.escape(dn)}" method=128', text):
        binds[(conn, op)] = None
    for conn, op, err in re.findall(r"conn=(\d+) op=(\d+) RESULT tag=97 err=(\d+)", text):
        if (conn, op) in binds:
            binds[(conn, op)] = int(err)
    return [(peer.get(c), c in tls, e) for (c, _), e in binds.items()]


def refusals(slapd, user):
    """[(client address, why)] of warden's refusals of user's right password."""
    return re.findall(rf'warden: bind of "{re.escape(user_dn(user))}" from IP=([0-9.]+):\d+ '
                      rf'{REFUSED} \(([^)]*)\)', slapd.log_text())


@pytest.fixture
def host_files():
    """The host's client files are the same after the test."""
    checks = []

    def watch(kind):
        paths = HOST_PATHS[kind]
        if kind == "sssd" and host_sssd_running():
            paths = [p for p in paths if not p.startswith(("/var/", "/run/"))]
        checks.append((paths, host_snapshot(paths)))
    yield watch
    for paths, before in checks:
        changed = snapshot_diff(before, host_snapshot(paths))
        assert not changed, f"the host's files changed: {changed}"


@pytest.fixture
def two_hosts(request, slapd, workdir, host_files):
    """Hosts A and B (network namespaces) each with a client daemon of the
    kind the test is parametrized with, against slapd listening on both
    links; yields (admin connection, {"A": (NetnsHost, client), "B": ...},
    the systems' DNs, web-team's DN).  Clients, links and namespaces are
    removed even when the test or the set-up fails."""
    kind = request.param
    host_files(kind)
    hosts = {"A": NetnsHost("a"), "B": NetnsHost("b")}
    clients = {}
    try:
        for h in hosts.values():
            h.create()              # B's /30 is another: A's is in use now
        slapd.more_urls = [f"ldap://{h.server}:{slapd.port}/" for h in hosts.values()]
        tls = TLS(workdir / "tls", ips=[h.server for h in hosts.values()])
        a = directory(slapd, tls)
        # groupOfNames needs a member: alice can leave and the group stay
        team = group(a, "web-team", [user_dn("alice"), f"cn=nobody,{SUFFIX}"])
        web = group(a, "web-admins", [team])             # alice through web-team
        db = group(a, "db-admins", [user_dn("bob")])
        net_a = hosts["A"].server.rsplit(".", 1)[0] + ".0/30"
        systems = {"A": system(a, "host-a", [web], networks=[net_a]),
                   "B": system(a, "host-b", [db], networks=[hosts["B"].addr])}
        for name, h in hosts.items():
            clients[name] = client(kind, workdir / name, f"ldap://{h.server}:{slapd.port}",
                                   tls, netns=h.name)
        for c in clients.values():
            c.start(ready_user="alice")
        yield a, {n: (hosts[n], clients[n]) for n in hosts}, systems, team
    finally:
        try:
            for c in clients.values():
                c.stop()
        finally:
            for h in hosts.values():
                h.destroy()
    left = [h.name for h in hosts.values() if h.exists()]
    assert not left, f"namespaces or links left: {left}"


def _diag(slapd, *clients):
    return "".join(f"\n--- client:\n{c.tail(30)}" for c in clients) + \
        "\n--- slapd:\n" + slapd.tail(40)


@pytest.mark.parametrize("two_hosts", [_kind("nslcd", True), _kind("sssd", True)],
                         indirect=True)
def test_allowed_group_decides_on_which_host_a_user_logs_in(two_hosts, slapd):
    a, hosts, systems, team = two_hosts
    (ha, ca), (hb, cb) = hosts["A"], hosts["B"]
    diag = lambda: _diag(slapd, ca, cb)

    # both hosts see the users: their daemons bind as the service account
    # from the hosts' addresses, allowed because it is exempt
    for c in (ca, cb):
        for u in ("alice", "bob"):
            r = c.getent("passwd", u)
            assert r.returncode == 0 and r.stdout.startswith(f"{u}:"), r.stdout + diag()
    service = user_binds(slapd, SERVICE_DN)
    assert {b[0] for b in service} == {ha.addr, hb.addr}, service
    assert all(b[1:] == (True, 0) for b in service), service

    expect = [("alice", "A", True), ("alice", "B", False),
              ("bob", "B", True), ("bob", "A", False)]
    for user, where, ok in expect:
        rc, out = hosts[where][1].pam(user, USERPW)
        if ok:
            assert rc == 0, f"{user} on {where}: {out}{diag()}"
        else:
            # refused as a failed authentication, not as the server unreachable
            assert rc != 0 and AUTH_ERR in out, f"{user} on {where}: {out}{diag()}"

    # slapd saw each login from the host's own address, over StartTLS
    assert user_binds(slapd, "alice") == [(ha.addr, True, 0), (hb.addr, True, 49)], \
        user_binds(slapd, "alice")
    assert user_binds(slapd, "bob") == [(hb.addr, True, 0), (ha.addr, True, 49)], \
        user_binds(slapd, "bob")
    # and logged why, naming the system
    assert refusals(slapd, "alice") == [(hb.addr, systems["B"])], slapd.tail()
    assert refusals(slapd, "bob") == [(ha.addr, systems["A"])], slapd.tail()

    # alice leaves web-team: her next login on A is refused
    a.modify_s(team, [(ldap.MOD_DELETE, "member", [user_dn("alice").encode()])])
    rc, out = ca.pam("alice", USERPW)
    assert rc != 0 and AUTH_ERR in out, out + diag()
    assert refusals(slapd, "alice")[-1] == (ha.addr, systems["A"]), slapd.tail()
    # bob is not affected
    rc, out = cb.pam("bob", USERPW)
    assert rc == 0, out + diag()


@pytest.fixture
def cert_clients(request, slapd, workdir, host_files):
    """slapd on 127.0.0.1 with TLSVerifyClient allow; system kiosk01
    matched only by its certificate's subject, allowing kiosk-users
    (carol); two clients of the parametrized kind on 127.0.0.1, one
    presenting kiosk01's certificate, one none.  Yields (with cert,
    without, the system's DN)."""
    kind = request.param
    host_files(kind)
    tls = TLS(workdir / "tls")
    cert = tls.client_cert("kiosk01", CERT_SUBJECT)
    a = directory(slapd, tls, "TLSVerifyClient allow\n")
    dn = system(a, "kiosk01", [group(a, "kiosk-users", [user_dn("carol")])],
                subjects=[CERT_SUBJECT_DN])
    a.unbind_s()
    uri = slapd.uri.rstrip("/")
    with_cert = client(kind, workdir / "cert", uri, tls, cert=cert)
    without = client(kind, workdir / "nocert", uri, tls)
    try:
        with_cert.start(ready_user="carol")
        without.start(ready_user="carol")
        yield with_cert, without, dn
    finally:
        try:
            with_cert.stop()
        finally:
            without.stop()


@pytest.mark.parametrize("cert_clients", [_kind("nslcd"), _kind("sssd")], indirect=True)
def test_system_matched_by_client_certificate(cert_clients, slapd):
    with_cert, without, dn = cert_clients
    diag = lambda: _diag(slapd, with_cert, without)

    rc, out = with_cert.pam("carol", USERPW)
    assert rc == 0, out + diag()
    rc, out = with_cert.pam("alice", USERPW)
    assert rc != 0 and AUTH_ERR in out, out + diag()
    assert refusals(slapd, "alice") == [("127.0.0.1", dn)], slapd.tail()

    # same address, no certificate: no system matches, the default denies
    rc, out = without.pam("carol", USERPW)
    assert rc != 0 and AUTH_ERR in out, out + diag()
    assert refusals(slapd, "carol") == [("127.0.0.1", "no system entry matches the client")], \
        slapd.tail()
    assert [b[2] for b in user_binds(slapd, "carol")] == [0, 49]
    assert all(b[:2] == ("127.0.0.1", True) for b in user_binds(slapd, "carol"))
