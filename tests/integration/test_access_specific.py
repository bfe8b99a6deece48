# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""Overlapping systems (issue 13): when several wardenSystem entries match
a connection, the most specific decides -- a client certificate over a
single address over a narrower range over a broader one -- and only its
allowed groups count; equally specific systems add up.  Clients bind from
other loopback addresses (127.0.0.9, ...) with ldap-utils'
SOCKET_BIND_ADDRESSES."""
import os
import re
import subprocess

import ldap
import pytest

from clients import TLS
from conftest import SUFFIX, USERPW, user_dn
from test_access import SYS, group, system
from test_lockout import start


def start_access(s, default="deny", conf_extra=""):
    a = start(s, None, users=("alice", "bob", "carol"), conf_extra=conf_extra,
              extra=f"warden-access-default {default}\n")
    for ou in ("systems", "groups"):
        a.add_s(f"ou={ou},{SUFFIX}", [("objectClass", [b"organizationalUnit"]),
                                      ("ou", [ou.encode()])])
    return a


def whoami(s, u, pw=USERPW, source="127.0.0.1", tls=None, cert=None):
    """Result code of a simple bind by ldapwhoami from a local source
    address (optionally over StartTLS, with a client certificate)."""
    env = dict(os.environ, LDAPSOCKET_BIND_ADDRESSES=source)
    cmd = ["ldapwhoami", "-x", "-H", s.uri, "-D", user_dn(u), "-w", pw, "-o", "nettimeout=10"]
    if tls:
        env["LDAPTLS_CACERT"] = str(tls.ca)
        env["LDAPTLS_REQCERT"] = "demand"
        if cert:
            env["LDAPTLS_CERT"], env["LDAPTLS_KEY"] = str(cert[0]), str(cert[1])
        cmd.append("-ZZ")
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=30)
    if p.returncode == 0:
        return 0
    m = re.search(r"\((\d+)\)", p.stderr)
    assert m, p.stderr
    return int(m.group(1))


def refused_from(s, u):
    """(address, why) of the access refusals of u in the log."""
    return re.findall(rf'bind of "{re.escape(user_dn(u))}" from IP=([0-9.]+):\d+ refused: '
                      r"not a member of a group allowed there \(([^)]*)\)", s.log_text())


def test_host_system_not_widened_by_a_broad_range(slapd):
    a = start_access(slapd, default="deny")
    staff = group(a, "staff", [user_dn("alice"), user_dn("bob")])
    admins = group(a, "admins", [user_dn("carol")])
    system(a, "lan", ["127.0.0.0/8"], [staff])
    db09 = system(a, "db09", ["127.0.0.9"], [admins])

    # the host's own entry decides there: staff may not log in
    assert whoami(slapd, "alice", source="127.0.0.9") == 49
    assert refused_from(slapd, "alice") == [("127.0.0.9", db09)], slapd.tail()
    assert whoami(slapd, "carol", source="127.0.0.9") == 0
    # elsewhere in the range, the range decides
    assert whoami(slapd, "alice", source="127.0.0.1") == 0
    assert whoami(slapd, "carol", source="127.0.0.1") == 49
    # a decision kept for alice at .9 does not outlive the host's entry
    assert whoami(slapd, "alice", source="127.0.0.9") == 49
    a.delete_s(db09)
    assert whoami(slapd, "alice", source="127.0.0.9") == 0
    assert whoami(slapd, "carol", source="127.0.0.9") == 49


def test_narrower_range_beats_broader_and_ties_add_up(slapd):
    a = start_access(slapd, default="deny")
    staff = group(a, "staff", [user_dn("alice")])
    rack = group(a, "rack", [user_dn("bob")])
    admins = group(a, "admins", [user_dn("carol")])
    system(a, "lan", ["127.0.0.0/8"], [staff])
    r1 = system(a, "rack1", ["127.0.0.0/24"], [rack])
    # a /24 over the /8
    assert whoami(slapd, "alice", source="127.0.0.5") == 49
    assert refused_from(slapd, "alice") == [("127.0.0.5", r1)]
    assert whoami(slapd, "bob", source="127.0.0.5") == 0
    # outside the /24, the /8
    assert whoami(slapd, "alice", source="127.0.1.5") == 0
    assert whoami(slapd, "bob", source="127.0.1.5") == 49
    # a second /24 system for the same range: both count
    system(a, "rack1-ops", ["127.0.0.0/24"], [admins])
    assert whoami(slapd, "bob", source="127.0.0.5") == 0
    assert whoami(slapd, "carol", source="127.0.0.5") == 0
    assert whoami(slapd, "alice", source="127.0.0.5") == 49
    # a system's most specific network is what counts for it
    a.modify_s(f"cn=lan,{SYS}", [(ldap.MOD_ADD, "wardenNetwork", [b"127.0.0.5"])])
    assert whoami(slapd, "alice", source="127.0.0.5") == 0
    assert whoami(slapd, "bob", source="127.0.0.5") == 49
    assert whoami(slapd, "bob", source="127.0.0.6") == 0


def test_certificate_beats_the_address(slapd, workdir):
    tls = TLS(workdir / "tls")
    cert = tls.client_cert("kiosk", "/O=Example/CN=kiosk01")
    a = start_access(slapd, default="deny",
                     conf_extra=tls.slapd_conf() + "TLSVerifyClient allow\n")
    staff = group(a, "staff", [user_dn("alice"), user_dn("bob")])
    kiosk_users = group(a, "kiosk-users", [user_dn("carol")])
    system(a, "host9", ["127.0.0.9"], [staff])
    kiosk = system(a, "kiosk01", ["192.0.2.0/24"], [kiosk_users])
    a.modify_s(kiosk, [(ldap.MOD_ADD, "wardenCertSubject", [b"cn=kiosk01,o=Example"])])
    # with the certificate, from the host's very address: the kiosk decides
    assert whoami(slapd, "carol", source="127.0.0.9", tls=tls, cert=cert) == 0
    assert whoami(slapd, "alice", source="127.0.0.9", tls=tls, cert=cert) == 49
    assert refused_from(slapd, "alice") == [("127.0.0.9", kiosk)], slapd.tail()
    # without it, the address
    assert whoami(slapd, "alice", source="127.0.0.9", tls=tls) == 0
    assert whoami(slapd, "carol", source="127.0.0.9", tls=tls) == 49
