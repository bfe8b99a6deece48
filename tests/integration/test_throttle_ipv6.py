# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""The source-address throttle counts an IPv6 client by its prefix (issue
13): whoever holds a /64 can bind from any of its addresses.  slapd listens
on an IPv6 address of a veth link to a network namespace (clients.NetnsHost)
that holds several addresses, two of them in one /64 and one in another;
ldapwhoami binds from a chosen one (libldap's SOCKET_BIND_ADDRESSES, from
the environment).  The namespace and the link are removed afterwards."""
import os
import random
import subprocess

import pytest

from clients import NetnsHost, client_env, netns_available
from conftest import USERPW, user_dn
from test_lockout import start

pytestmark = pytest.mark.skipif(netns_available() is not None or not os.path.exists(
    "/proc/net/if_inet6"), reason="needs iproute2 and IPv6")


def whoami(host, server6, port, src, u, pw):
    """ldapwhoami from the namespace, bound to address src: its exit code
    (0 success, 49 invalid credentials)."""
    env = client_env()
    env["LDAPSOCKET_BIND_ADDRESSES"] = src
    p = subprocess.run(["ip", "netns", "exec", host.name, "ldapwhoami", "-x",
                        "-H", f"ldap://[{server6}]:{port}/", "-D", user_dn(u), "-w", pw],
                       capture_output=True, text=True, env=env, timeout=30)
    assert p.returncode in (0, 49), p.stdout + p.stderr
    return p.returncode


@pytest.fixture
def link(slapd):
    """(NetnsHost, server address, {name: client address}): prefix A
    holds the server, a1 and a2; prefix B the server's second address and
    b1."""
    h = NetnsHost("6")
    net = "2001:db8:%x:%x" % (os.getpid() & 0xffff, random.randrange(0, 0xff00))
    other = net[:net.rfind(":") + 1] + "%x" % (int(net[net.rfind(":") + 1:], 16) + 1)
    addrs = {"a1": f"{net}::2", "a2": f"{net}:0:ffff:0:7", "b1": f"{other}::2"}
    try:
        h.create()
        for a in (f"{net}::1/64", f"{other}::1/64"):
            h._ip("-6", "addr", "add", a, "dev", h.veth, "nodad")
        for a in addrs.values():
            h._ip("-n", h.name, "-6", "addr", "add", f"{a}/64", "dev", h.peer, "nodad")
        yield h, f"{net}::1", addrs
    finally:
        slapd.stop()
        h.destroy()


def test_ipv6_client_counted_by_its_64(slapd, link):
    host, server6, addrs = link
    slapd.more_urls = [f"ldap://[{server6}]:{slapd.port}/"]
    users = [f"user{i}" for i in range(5)]
    start(slapd, {"wardenSourceMaxFailure": "3", "wardenSourceFailureInterval": "300",
                  "pwdMaxFailure": "10"}, users=users)
    b = lambda src, u, pw: whoami(host, server6, slapd.port, addrs[src], u, pw)  # noqa: E731
    assert b("a1", users[0], USERPW) == 0
    # spraying from one address of the /64 ...
    for u in users[:3]:
        assert b("a1", u, "Spring2026!") == 49
    assert f"IP=[{addrs['a1']}]" in slapd.log_text()
    # ... and another address of it is the same client: refused, even with
    # the right password
    assert b("a2", users[4], USERPW) == 49
    assert "password spraying" in slapd.log_text()
    # another /64 is another client
    assert b("b1", users[4], USERPW) == 0
    # counted by address once the prefix is 128 (live, through cn=config)
    rc, out = slapd.ldapmodify(
        "dn: olcOverlay={0}warden,olcDatabase={1}mdb,cn=config\nchangetype: modify\n"
        "replace: olcWardenThrottleIPv6Prefix\nolcWardenThrottleIPv6Prefix: 128\n")
    assert rc == 0, out
    assert b("a2", users[4], USERPW) == 0
