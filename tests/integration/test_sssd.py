# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""A user locked by warden is refused through sssd (pam_sss, pamtester), as a
Linux host logging users in against the directory sees it; an unlocked user
logs in.  sssd talks to slapd over StartTLS (a throw-away CA) and binds as a
service account for lookups; it runs with its configuration, nsswitch.conf,
PAM and /var/lib/sss private in a mount namespace (clients.py): the host's
/etc and sssd state are not touched, which the test checks."""
import re
import subprocess

import ldap
import pytest

from clients import (TLS, Sssd, host_snapshot, host_sssd_running, snapshot_diff,
                     sssd_available)
from conftest import ROOTDN, ROOTPW, SUFFIX, USERPW, slappasswd, user_dn
from test_lockout import POLICY, WARDENCTL, start, state

_missing = sssd_available()
pytestmark = pytest.mark.skipif(_missing is not None, reason=f"not installed: {_missing}")

SERVICE_DN = f"cn=sssd,{SUFFIX}"
SERVICE_PW = "sssd-lookup-pw-1"
# What sssd, pam_sss and libnss_sss would touch on the host.  A host's own
# running sssd changes /var/lib/sss by itself: then that is not checked.
HOST_PATHS = ["/etc/nsswitch.conf", "/etc/pam.d", "/etc/sssd", "/var/lib/sss",
              "/run/sssd.pid"]


@pytest.fixture
def sssd_host(slapd, workdir):
    """slapd with warden (lockout after 3 failures) and StartTLS; alice and
    bob as posixAccounts, their group, a service account for sssd's
    lookups; sssd running against it."""
    own = host_sssd_running()
    paths = [p for p in HOST_PATHS if not (own and p.startswith(("/var/", "/run/")))]
    before = host_snapshot(paths)
    tls = TLS(workdir / "tls")
    a = start(slapd, users=("alice", "bob"), global_extra=tls.slapd_conf())
    a.add_s(f"cn=staff,{SUFFIX}", [("objectClass", [b"posixGroup"]), ("cn", [b"staff"]),
                                   ("gidNumber", [b"10000"]),
                                   ("memberUid", [b"alice", b"bob"])])
    a.add_s(SERVICE_DN, [("objectClass", [b"organizationalRole", b"simpleSecurityObject"]),
                         ("cn", [b"sssd"]),
                         ("userPassword", [slappasswd(SERVICE_PW).encode()])])
    a.unbind_s()
    sssd = Sssd(workdir, {
        "ldap_uri": slapd.uri.rstrip("/"),
        "ldap_search_base": SUFFIX,
        "ldap_default_bind_dn": SERVICE_DN,
        "ldap_default_authtok": SERVICE_PW,
        "ldap_id_use_start_tls": "true",
        "ldap_tls_reqcert": "demand",
        "ldap_tls_cacert": tls.ca,
        "ldap_access_order": "ppolicy",
        "ldap_pwdlockout_dn": POLICY,
    })
    try:
        sssd.start(ready_user="alice")
        yield slapd, sssd
    finally:
        sssd.stop()
    changed = snapshot_diff(before, host_snapshot(paths))
    assert not changed, f"the host's files changed: {changed}"


def user_binds(slapd, user):
    """[(conn, result code)] of the simple binds as user, in slapd's log,
    and the set of connections on which TLS was established."""
    text = slapd.log_text()
    tls_conns = set(re.findall(r"conn=(\d+) fd=\d+ TLS established", text))
    binds = {}
    for conn, op in re.findall(
            rf'conn=(\d+) op=(\d+) BIND dn="{re.escape(user_dn(user))}" method=128', text):
        binds[(conn, op)] = None
    for conn, op, err in re.findall(r"conn=(\d+) op=(\d+) RESULT tag=97 err=(\d+)", text):
        if (conn, op) in binds:
            binds[(conn, op)] = int(err)
    return [(c, e) for (c, _), e in binds.items()], tls_conns


def test_locked_user_is_refused_through_sssd(sssd_host):
    slapd, sssd = sssd_host
    diag = sssd.tail
    # sssd sees the users through NSS
    r = sssd.getent("passwd", "bob")
    assert r.stdout.startswith("bob:*:10001:10000:"), r.stdout + r.stderr
    assert sssd.getent("group", "staff").stdout.startswith("staff:*:10000:")

    # (1) alice logs in with her password
    rc, out = sssd.pam("alice", USERPW)
    assert rc == 0, out + diag()

    # (2) three wrong passwords through sssd: one bind each, warden locks bob
    for i in range(3):
        rc, out = sssd.pam("bob", f"wrong-{i}")
        assert rc != 0 and "Authentication failure" in out, out + diag()
    st = state(slapd, "bob")
    assert st.get("wardenFailureCount") == ["3"], st
    assert len(st.get("pwdAccountLockedTime", [])) == 1, st

    # the right password no longer logs bob in; sssd itself still works
    rc, out = sssd.pam("bob", USERPW)
    assert rc != 0, out
    # refused as a failed authentication (PAM_AUTH_ERR), not because sssd
    # could not reach the server (PAM_AUTHINFO_UNAVAIL)
    assert "Authentication failure" in out, out + diag()
    rc, out = sssd.pam("alice", USERPW)
    assert rc == 0, out + diag()

    # each of bob's four logins was one bind, over StartTLS, and slapd
    # refused all four (the last, with the right password, as locked)
    binds, tls_conns = user_binds(slapd, "bob")
    assert len(binds) == 4, binds
    assert all(c in tls_conns for c, _ in binds), (binds, tls_conns)
    assert [e for _, e in binds] == [49, 49, 49, 49], binds

    # (3) account management alone (as after an SSH key login): sssd's
    # ppolicy access check reads the lock warden exposes and denies bob
    rc, out = sssd.pam("bob", ops=("acct_mgmt",))
    assert rc != 0 and "Permission denied" in out, out + diag()
    assert "Access denied by online lookup - account is locked" in sssd.log_text(), diag()
    rc, out = sssd.pam("alice", ops=("acct_mgmt",))
    assert rc == 0, out + diag()

    # an administrator unlocks bob: he logs in again at once
    a = slapd.admin()
    a.modify_s(user_dn("bob"), [(ldap.MOD_DELETE, "pwdAccountLockedTime", None)])
    a.unbind_s()
    assert "pwdAccountLockedTime" not in state(slapd, "bob")
    rc, out = sssd.pam("bob", USERPW)
    assert rc == 0, out + diag()
    rc, out = sssd.pam("bob", ops=("acct_mgmt",))
    assert rc == 0, out + diag()


def test_disabled_user_is_refused_through_sssd(sssd_host):
    """wardenctl user disable: sssd's ppolicy access check refuses account
    management alone (a key-based or cached login) as well as a login with
    the password; enabled again, both pass."""
    slapd, sssd = sssd_host
    diag = sssd.tail
    assert sssd.pam("alice", ops=("acct_mgmt",))[0] == 0
    wc = [WARDENCTL, "-H", slapd.uri, "-D", ROOTDN, "-w", ROOTPW, "user"]
    p = subprocess.run(wc + ["disable", "--reason", "left", user_dn("alice")],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    rc, out = sssd.pam("alice", ops=("acct_mgmt",))
    assert rc != 0 and "Permission denied" in out, out + diag()
    rc, out = sssd.pam("alice", USERPW)
    assert rc != 0, out + diag()
    assert sssd.pam("bob", ops=("acct_mgmt",))[0] == 0, diag()
    p = subprocess.run(wc + ["enable", user_dn("alice")], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    rc, out = sssd.pam("alice", USERPW)
    assert rc == 0, out + diag()
