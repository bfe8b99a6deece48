# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""Passwords protected in transit (warden-require-tls): a bind with a
password over a connection without TLS or ldapi is refused with
confidentialityRequired before the password is looked at; over StartTLS
and ldapi it goes on as before.  And what a host's clients actually send:
loopback traffic captured with tcpdump while nslcd and sssd log a user in
over StartTLS holds no password, where a plain simple bind's does."""
import json
import select
import signal
import subprocess
import time

import ldap
import pytest

from clients import (TLS, Nslcd, Sssd, host_sssd_running, nslcd_available,
                     sssd_available)
from conftest import ROOTDN, ROOTPW, SUFFIX, USERPW, slappasswd, user_dn
from test_lockout import start, state

OVERLAY_DN = "olcOverlay={0}warden,olcDatabase={1}mdb,cn=config"
TEXT = "warden requires TLS (StartTLS or ldaps) or ldapi for binds with a password"
SERVICE_DN = f"cn=nssclient,{SUFFIX}"
SERVICE_PW = "nssclient-Lookup-pw-7"


def require_tls(s, on):
    rc, out = s.ldapmodify(f"dn: {OVERLAY_DN}\nchangetype: modify\nreplace: olcWardenRequireTLS\n"
                           f"olcWardenRequireTLS: {'TRUE' if on else 'FALSE'}\n")
    assert rc == 0, out


def ldapi_admin(s):
    c = ldap.initialize(s.ldapi)
    c.simple_bind_s(ROOTDN, ROOTPW)
    return c


def plain_bind(s, dn, pw):
    """(result code, diagnostic message) of a simple bind over plain ldap://."""
    c = ldap.initialize(s.uri)
    c.set_option(ldap.OPT_NETWORK_TIMEOUT, 10)
    try:
        c.simple_bind_s(dn, pw)
        return 0, ""
    except ldap.LDAPError as e:
        return e.args[0]["result"], e.args[0].get("info", "")
    finally:
        c.unbind_s()


def starttls_bind(s, dn, pw, tls):
    c = ldap.initialize(s.uri)
    c.set_option(ldap.OPT_X_TLS_CACERTFILE, str(tls.ca))
    c.set_option(ldap.OPT_X_TLS_REQUIRE_CERT, ldap.OPT_X_TLS_DEMAND)
    c.set_option(ldap.OPT_X_TLS_NEWCTX, 0)
    c.start_tls_s()
    c.simple_bind_s(dn, pw)
    who = c.whoami_s()
    c.unbind_s()
    return who


def test_password_binds_need_tls_or_ldapi(slapd, workdir):
    tls = TLS(workdir / "tls")
    audit = slapd.dir / "audit.log"
    start(slapd, global_extra=tls.slapd_conf(),
          extra=f"warden-audit-file {audit}\nwarden-audit-aggregate 0\n")  # a record per bind
    # off by default: a plain bind works
    assert plain_bind(slapd, user_dn("alice"), USERPW) == (0, "")
    rc, out = slapd.ldapmodify(f"dn: {OVERLAY_DN}\nchangetype: modify\n"
                               "replace: olcWardenRequireTLS\nolcWardenRequireTLS: maybe\n")
    assert rc != 0, out
    require_tls(slapd, True)

    # over plain ldap: refused before the password is checked, right or
    # wrong, so nothing counts toward lockout (pwdMaxFailure is 3)
    assert plain_bind(slapd, user_dn("alice"), USERPW) == (13, TEXT)
    for i in range(5):
        assert plain_bind(slapd, user_dn("bob"), f"wrong-{i}") == (13, TEXT)
    assert plain_bind(slapd, ROOTDN, ROOTPW) == (13, TEXT)
    # unknown users too: no one learns which DNs exist
    assert plain_bind(slapd, user_dn("nobody"), "x") == (13, TEXT)
    st = state(slapd_ldapi(slapd), "bob")
    assert "wardenFailureCount" not in st and "pwdAccountLockedTime" not in st, st
    # anonymous binds are not affected
    c = ldap.initialize(slapd.uri)
    c.simple_bind_s("", "")
    assert c.whoami_s() == ""
    c.unbind_s()

    # over StartTLS and ldapi: as before, and bob is not locked
    assert starttls_bind(slapd, user_dn("alice"), USERPW, tls) == "dn:" + user_dn("alice")
    assert starttls_bind(slapd, user_dn("bob"), USERPW, tls) == "dn:" + user_dn("bob")
    with pytest.raises(ldap.INVALID_CREDENTIALS):
        starttls_bind(slapd, user_dn("bob"), "wrong-over-tls", tls)
    c = ldap.initialize(slapd.ldapi)
    c.simple_bind_s(user_dn("carol"), USERPW)
    assert c.whoami_s() == "dn:" + user_dn("carol")
    c.unbind_s()
    assert state(slapd_ldapi(slapd), "bob")["wardenFailureCount"] == ["1"]

    # slapd's log says why, without the password
    log = slapd.log_text()
    assert f'warden: bind of "{user_dn("alice")}" from IP=127.0.0.1:' in log
    assert "refused: a password over a connection without TLS" in log
    assert USERPW not in log and ROOTPW not in log
    # the audit trail records each refusal as a refused bind
    recs = [json.loads(l) for l in audit.read_text().splitlines()]
    refused = [r for r in recs if r.get("event.action") == "bind" and
               r.get("event.reason") == "confidentiality required"]
    assert len(refused) == 8, refused
    assert all(r["ldap.result"] == 13 and r["event.outcome"] == "failure" for r in refused)
    assert {r["user.name"] if "user.name" in r else r.get("ldap.dn") for r in refused} >= \
        {user_dn("alice")}, refused

    # read back through cn=config; off again: plain binds work again
    cfg = slapd.config()
    got = cfg.search_s(OVERLAY_DN, ldap.SCOPE_BASE, attrlist=["olcWardenRequireTLS"])
    assert got[0][1]["olcWardenRequireTLS"] == [b"TRUE"]
    cfg.unbind_s()
    require_tls(slapd, False)
    assert plain_bind(slapd, user_dn("alice"), USERPW) == (0, "")


def slapd_ldapi(s):
    """The same slapd, its admin() over ldapi (plain binds are refused)."""
    class Via:
        def admin(self):
            return ldapi_admin(s)
    return Via()


def test_require_tls_in_slapd_conf(slapd, workdir):
    tls = TLS(workdir / "tls")
    start(slapd, global_extra=tls.slapd_conf())
    slapd.stop()
    conf = slapd.conf.read_text()
    slapd.write_conf(conf + "warden-require-tls maybe\n")
    assert slapd.start(expect_failure=True) != 0
    slapd.write_conf(conf + "warden-require-tls on\n")
    slapd.start()
    assert plain_bind(slapd, user_dn("alice"), USERPW) == (13, TEXT)
    assert starttls_bind(slapd, user_dn("alice"), USERPW, tls) == "dn:" + user_dn("alice")


# -- what goes over the wire --------------------------------------------------

class Capture:
    """tcpdump of the loopback traffic to or from a TCP port, written to a
    file; bytes() once stopped.  --immediate-mode: otherwise libpcap hands
    packets over in blocks, and those of the last block are lost when
    tcpdump is stopped."""

    def __init__(self, path, port):
        self.path = path
        self.port = port
        self.proc = None

    def __enter__(self):
        self.proc = subprocess.Popen(
            ["tcpdump", "-i", "lo", "--immediate-mode", "-U", "-n", "-s", "0", "-w", str(self.path),
             f"tcp port {self.port}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        err = b""
        while b"listening on" not in err:
            assert self.proc.poll() is None, f"tcpdump exited: {err.decode()}"
            assert time.monotonic() < deadline, f"tcpdump not listening: {err.decode()}"
            if select.select([self.proc.stderr], [], [], 0.2)[0]:
                err += self.proc.stderr.read1(4096)
        return self

    def __exit__(self, *exc):
        time.sleep(0.3)         # the last segments of the session
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self.proc.stderr.close()

    def bytes(self):
        return self.path.read_bytes()


def _client(kind, slapd, workdir, tls):
    uri = slapd.uri.rstrip("/")
    if kind == "nslcd":
        return Nslcd(workdir, uri, SUFFIX, cacert=tls.ca,
                     options=[("binddn", SERVICE_DN), ("bindpw", SERVICE_PW),
                              ("ssl", "start_tls"), ("tls_reqcert", "demand")])
    return Sssd(workdir, {
        "ldap_uri": uri, "ldap_search_base": SUFFIX,
        "ldap_default_bind_dn": SERVICE_DN, "ldap_default_authtok": SERVICE_PW,
        "ldap_id_use_start_tls": "true", "ldap_tls_reqcert": "demand",
        "ldap_tls_cacert": tls.ca, "access_provider": "permit"})


_missing = {"nslcd": nslcd_available(), "sssd": sssd_available()}


@pytest.mark.skipif(not __import__("shutil").which("tcpdump"), reason="tcpdump not installed")
@pytest.mark.parametrize("kind", [
    pytest.param(k, marks=pytest.mark.skipif(_missing[k] is not None,
                                             reason=f"{k}: {_missing[k]}"))
    for k in ("nslcd", "sssd")])
def test_no_password_on_the_wire(kind, slapd, workdir):
    """A login through the client over StartTLS, with warden-require-tls
    on: the capture holds the StartTLS request and TLS records, never the
    user's or the service account's password.  The control: a plain
    simple bind, captured the same way, shows the password in clear."""
    if kind == "sssd" and host_sssd_running():
        pytest.skip("the host runs its own sssd")
    tls = TLS(workdir / "tls")
    a = start(slapd, global_extra=tls.slapd_conf())
    a.add_s(f"cn=staff,{SUFFIX}", [("objectClass", [b"posixGroup"]), ("cn", [b"staff"]),
                                   ("gidNumber", [b"10000"]),
                                   ("memberUid", [b"alice", b"bob"])])
    a.add_s(SERVICE_DN, [("objectClass", [b"organizationalRole", b"simpleSecurityObject"]),
                         ("cn", [b"nssclient"]),
                         ("userPassword", [slappasswd(SERVICE_PW).encode()])])
    a.unbind_s()

    # the control: without the setting, a plain simple bind sends the
    # password as it is
    with Capture(workdir / "plain.pcap", slapd.port) as cap:
        assert plain_bind(slapd, user_dn("bob"), USERPW) == (0, "")
    assert cap.bytes().count(USERPW.encode()) == 1

    require_tls(slapd, True)
    client = _client(kind, slapd, workdir, tls)
    try:
        with Capture(workdir / "login.pcap", slapd.port) as cap:
            client.start(ready_user="alice")
            rc, out = client.pam("alice", USERPW)
            assert rc == 0 and "successfully authenticated" in out, out + client.tail()
            rc, out = client.pam("alice", "Wrong-pass-on-the-wire-1")
            assert rc != 0, out
    finally:
        client.stop()
    data = cap.bytes()
    # the capture saw the client's connections: StartTLS requests
    assert data.count(b"1.3.6.1.4.1.1466.20037") >= 2, len(data)
    for secret in (USERPW, SERVICE_PW, "Wrong-pass-on-the-wire-1"):
        assert secret.encode() not in data, f"{secret} in the capture"
    # and slapd saw the login: a successful bind of alice over TLS
    log = slapd.log_text()
    assert f'BIND dn="{user_dn("alice")}" method=128' in log
    assert "refused: a password over a connection without TLS" not in log
