# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""A user changing their password through PAM, as `passwd` on a Linux host
does, sees warden's refusal: which rule the new password breaks and what to
do.  Both clients a Debian host uses: nslcd with pam_ldap (nss-pam-ldapd)
and sssd with pam_sss, each driven by `pamtester chauthtok` run as the user
(current password, new password, new password again on stdin).

What each client shows of the server's diagnostic message (verified; the
prefix is the client's own text):

  nslcd/pam_ldap  "password change failed: <message>"  (PAM_ERROR_MSG,
                  stderr), then pamtester: "Permission denied"
  sssd/pam_sss    "Password change failed. Server message: <message>"
                  (PAM_TEXT_INFO, stdout), then pamtester: "Authentication
                  token is no longer valid; new one required"

The PAM stack of the test service holds the client's module alone (no
pam_pwquality, no pam_unix: not the host's common-password), and slapd's
log shows each refusal as its own constraintViolation with the same text:
the message checked is warden's.  Clients run with private configuration
in a mount namespace (clients.py); the host's files are checked unchanged.
"""
import re

import ldap
import pytest

from clients import (PAM_SERVICE, TLS, Nslcd, Sssd, host_snapshot, host_sssd_running,
                     nslcd_available, snapshot_diff, sssd_available)
from conftest import SUFFIX, USERPW, slappasswd, user_dn
from test_lockout import POLICY, start
from test_quality import RULES

SERVICE_DN = f"cn=pamclient,{SUFFIX}"
SERVICE_PW = "pamclient-lookup-pw-1"
GOOD_PW = "Correct-Horse-Battery-9"

# How each client introduces the server's diagnostic message.
SHOWN = {"nslcd": "password change failed: ",
         "sssd": "Password change failed. Server message: "}
# pamtester's last line: the PAM error each module returns for the refusal.
PAM_ERROR = {"nslcd": "pamtester: Permission denied",
             "sssd": "pamtester: Authentication token is no longer valid; new one required"}
MODULE = {"nslcd": "pam_ldap.so", "sssd": "pam_sss.so"}
# Password Modify requests per change: nslcd sends one without the old
# password and, when that fails, one with it; sssd sends one.
ATTEMPTS = {"nslcd": 2, "sssd": 1}

# New passwords for alice and warden's whole message for each (RULES:
# at least 12 characters, 3 classes; uid, cn and sn are "alice").
WEAK = [
    ("Short-1", "the password must contain at least 12 characters"),
    ("alllowercaseletters", "the password must mix at least 3 of: lower-case letters, "
                            "upper-case letters, digits, other characters"),
    ("Alice-is-my-name-9", "the password contains your user name or a part of your "
                           "name; choose one unrelated to you"),
]

HOST_PATHS = {"nslcd": ["/etc/nsswitch.conf", "/etc/pam.d", "/etc/nslcd.conf", "/run/nslcd"],
              "sssd": ["/etc/nsswitch.conf", "/etc/pam.d", "/etc/sssd", "/var/lib/sss",
                       "/run/sssd.pid"]}


def _client(kind, slapd, workdir, tls):
    uri = slapd.uri.rstrip("/")
    if kind == "nslcd":
        return Nslcd(workdir, uri, SUFFIX, cacert=tls.ca, options=[
            ("binddn", SERVICE_DN), ("bindpw", SERVICE_PW),
            ("ssl", "start_tls"), ("tls_reqcert", "demand")])
    return Sssd(workdir, {
        "ldap_uri": uri, "ldap_search_base": SUFFIX,
        "ldap_default_bind_dn": SERVICE_DN, "ldap_default_authtok": SERVICE_PW,
        "ldap_id_use_start_tls": "true", "ldap_tls_reqcert": "demand",
        "ldap_tls_cacert": tls.ca,
        "ldap_access_order": "ppolicy", "ldap_pwdlockout_dn": POLICY})


def _param(kind, missing):
    return pytest.param(kind, id=kind, marks=pytest.mark.skipif(
        missing is not None, reason=f"{kind}: not installed: {missing}"))


@pytest.fixture(params=[_param("nslcd", nslcd_available()),
                        _param("sssd", sssd_available())])
def pam_host(request, slapd, workdir):
    """slapd with warden's quality rules and StartTLS, alice and bob as
    posixAccounts, a service account for the client's lookups, and the
    client (nslcd or sssd) running against it."""
    kind = request.param
    paths = HOST_PATHS[kind]
    if kind == "sssd" and host_sssd_running():
        paths = [p for p in paths if not p.startswith(("/var/", "/run/"))]
    before = host_snapshot(paths)
    tls = TLS(workdir / "tls")
    a = start(slapd, RULES, users=("alice", "bob"), global_extra=tls.slapd_conf())
    a.add_s(f"cn=staff,{SUFFIX}", [("objectClass", [b"posixGroup"]), ("cn", [b"staff"]),
                                   ("gidNumber", [b"10000"]),
                                   ("memberUid", [b"alice", b"bob"])])
    a.add_s(SERVICE_DN, [("objectClass", [b"organizationalRole", b"simpleSecurityObject"]),
                         ("cn", [b"pamclient"]),
                         ("userPassword", [slappasswd(SERVICE_PW).encode()])])
    a.unbind_s()
    client = _client(kind, slapd, workdir, tls)
    # the service's stack is the client's module alone: nothing else
    # (pam_pwquality above all) can refuse or word the refusal
    stack = (client.ns.root / "etc/pam.d" / PAM_SERVICE).read_text()
    modules = {l.split()[2] for l in stack.splitlines() if l.strip()}
    assert modules == {MODULE[kind], "pam_permit.so"}, stack
    try:
        client.start(ready_user="alice")
        yield kind, slapd, client
    finally:
        client.stop()
    changed = snapshot_diff(before, host_snapshot(paths))
    assert not changed, f"the host's files changed: {changed}"


def refusals(slapd, message):
    """How many operations slapd answered constraintViolation with message."""
    return len(re.findall(rf"RESULT .*err=19 .*text={re.escape(message)}$",
                          slapd.log_text(), re.M))


def binds(slapd, pw):
    try:
        slapd.conn(user_dn("alice"), pw).unbind_s()
        return True
    except ldap.INVALID_CREDENTIALS:
        return False


def test_chauthtok_shows_wardens_refusal_then_accepts_a_good_password(pam_host):
    kind, slapd, client = pam_host
    diag = client.tail
    # alice as the host sees her (NSS through the client): her own uid and
    # gid are what pamtester runs as, as `passwd` would
    ent = client.getent("passwd", "alice")
    assert ent.returncode == 0, ent.stdout + ent.stderr + diag()
    uid, gid = (int(x) for x in ent.stdout.split(":")[2:4])

    for new, message in WEAK:
        rc, out = client.chauthtok("alice", uid, gid, USERPW, new)
        assert rc != 0, f"{new!r} was accepted:\n{out}"
        # warden's whole message, after the client's prefix, ending the line
        assert SHOWN[kind] + message + "\n" in out, out + diag()
        assert out.rstrip().endswith(PAM_ERROR[kind]), out
        # refused by slapd (warden), with that text, for each request
        assert refusals(slapd, message) == ATTEMPTS[kind], slapd.tail()
        # and nothing changed
        assert binds(slapd, USERPW) and not binds(slapd, new)

    # a good password: changed, and from now on it is the password
    rc, out = client.chauthtok("alice", uid, gid, USERPW, GOOD_PW)
    assert rc == 0 and "authentication token altered successfully" in out, out + diag()
    rc, out = client.pam("alice", GOOD_PW, ops=("authenticate",))
    assert rc == 0 and "successfully authenticated" in out, out + diag()
    rc, out = client.pam("alice", USERPW, ops=("authenticate",))
    assert rc != 0 and "Authentication failure" in out, out + diag()
    assert binds(slapd, GOOD_PW) and not binds(slapd, USERPW)
