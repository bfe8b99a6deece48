# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""SSH key logins through real clients (issue 19): sssd on two hosts
(network namespaces, as test_access_clients.py makes them) with its ssh
responder, and a real sshd on host A whose only source of keys is
AuthorizedKeysCommand /usr/bin/sss_ssh_authorizedkeys (run as nobody).
ssh logs in from here with keys made by ssh-keygen.

    system A  10.201.a.0/30   web-admins: alice, carol (disabled), dave
    system B  10.201.b.2      db-admins: bob

alice logs in on A by key; bob (not allowed on A), carol (disabled) and
dave after his key was removed are refused; sss_ssh_authorizedkeys on B
shows bob's key and not alice's.  sssd's user entries expire after a
second (entry_cache_timeout = 1, README: SSH public keys), so a change
counts at the next lookup."""
import os
import subprocess
import time

import ldap
import pytest

from clients import Daemon, NetnsHost, Sssd, netns_available, sssd_available, wait_until
from conftest import SUFFIX, user_dn
from test_access_clients import SERVICE_DN, SERVICE_PW, directory, group, system
from clients import TLS
from test_ssh_keys import add_key, keygen, ldapmodify

SSHD = "/usr/sbin/sshd"
PORT = 2222
_missing = ", ".join(m for m in (sssd_available(), netns_available(),
                                 None if os.path.exists(SSHD) else "openssh-server",
                                 None if os.path.exists("/usr/bin/sss_ssh_authorizedkeys")
                                 else "sssd-common (sss_ssh_authorizedkeys)") if m)
pytestmark = pytest.mark.skipif(bool(_missing), reason=f"not installed: {_missing}")


def sssd(workdir, uri, tls, netns):
    opts = {"ldap_uri": uri, "ldap_search_base": SUFFIX,
            "ldap_default_bind_dn": SERVICE_DN, "ldap_default_authtok": SERVICE_PW,
            "ldap_id_use_start_tls": "true", "ldap_tls_reqcert": "demand",
            "ldap_tls_cacert": tls.ca, "access_provider": "permit",
            "entry_cache_timeout": "1", "refresh_expired_interval": "0"}
    return Sssd(workdir, opts, netns=netns, services="nss, pam, ssh",
                sections="[nss]\nmemcache_timeout = 0\n\n[ssh]\n")


def ssh(key, user, host):
    p = subprocess.run(["ssh", "-F", "none", "-i", str(key), "-o", "IdentitiesOnly=yes",
                        "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
                        "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=10",
                        "-p", str(PORT), f"{user}@{host}", "echo", "logged-in"],
                       capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout + p.stderr


def test_key_logins_follow_access_and_state(slapd, workdir):
    hosts = {"A": NetnsHost("a"), "B": NetnsHost("b")}
    clients, sshd = {}, None
    os.makedirs("/run/sshd", mode=0o755, exist_ok=True)     # sshd's privilege separation
    try:
        for h in hosts.values():
            h.create()
        slapd.more_urls = [f"ldap://{h.server}:{slapd.port}/" for h in hosts.values()]
        tls = TLS(workdir / "tls", ips=[h.server for h in hosts.values()])
        a = directory(slapd, tls)
        for u, uid in (("dave", 10003),):
            a.add_s(user_dn(u), [("objectClass", [b"inetOrgPerson", b"posixAccount"]),
                                 ("uid", [u.encode()]), ("cn", [u.encode()]),
                                 ("sn", [u.encode()]), ("uidNumber", [str(uid).encode()]),
                                 ("gidNumber", [b"10000"]),
                                 ("homeDirectory", [f"/home/{u}".encode()])])
        web = group(a, "web-admins", [user_dn(u) for u in ("alice", "carol", "dave")])
        db = group(a, "db-admins", [user_dn("bob")])
        net_a = hosts["A"].server.rsplit(".", 1)[0] + ".0/30"
        system(a, "host-a", [web], networks=[net_a])
        system(a, "host-b", [db], networks=[hosts["B"].addr])
        d = workdir / "keys"
        d.mkdir()
        keys = {u: keygen(d, "ed25519", name=u) for u in ("alice", "bob", "carol", "dave")}
        for u, (line, _) in keys.items():
            rc, out = add_key(slapd, u, line)
            assert rc == 0, out
        a.modify_s(user_dn("carol"), [(ldap.MOD_REPLACE, "pwdAccountLockedTime",
                                       [b"000001010000Z"])])

        for name, h in hosts.items():
            clients[name] = sssd(workdir / name, f"ldap://{h.server}:{slapd.port}", tls, h.name)
            clients[name].start(ready_user="alice")
        ha, ca = hosts["A"], clients["A"]
        sd = workdir / "sshd"
        sd.mkdir()
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
                        str(sd / "host_key")], check=True)
        (sd / "sshd_config").write_text(
            f"Port {PORT}\nListenAddress {ha.addr}\nHostKey {sd}/host_key\nPidFile none\n"
            "UsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
            "PubkeyAuthentication yes\nAuthorizedKeysFile none\n"
            "AuthorizedKeysCommand /usr/bin/sss_ssh_authorizedkeys %u\n"
            "AuthorizedKeysCommandUser nobody\nStrictModes no\nLogLevel DEBUG1\n")
        sshd = Daemon(ca.command([SSHD, "-D", "-e", "-f", str(sd / "sshd_config")]),
                      sd / "sshd.log")
        sshd.start()
        wait_until(lambda: "Server listening" in sd.joinpath("sshd.log").read_text(),
                   15, "sshd listening", sshd.tail)
        diag = lambda: f"\n--- sshd:\n{sshd.tail(30)}\n--- sssd A:\n{ca.tail(30)}" \
                       f"\n--- slapd:\n{slapd.tail(30)}"

        rc, out = ssh(d / "alice", "alice", ha.addr)
        assert rc == 0 and "logged-in" in out, out + diag()
        for u in ("bob", "carol"):
            rc, out = ssh(d / u, u, ha.addr)
            assert rc == 255 and "Permission denied" in out, u + out + diag()
        rc, out = ssh(d / "dave", "dave", ha.addr)
        assert rc == 0, out + diag()
        rc, out = ldapmodify(slapd, f"dn: {user_dn('dave')}\nchangetype: modify\n"
                             "delete: sshPublicKey\n")
        assert rc == 0, out
        time.sleep(2)                       # sssd's entry expires (1 s)
        rc, out = ssh(d / "dave", "dave", ha.addr)
        assert rc == 255 and "Permission denied" in out, out + diag()
        # alice leaves web-admins: refused at the next lookup
        a.modify_s(web, [(ldap.MOD_DELETE, "member", [user_dn("alice").encode()])])
        time.sleep(2)
        rc, out = ssh(d / "alice", "alice", ha.addr)
        assert rc == 255, out + diag()

        # what host B may see: bob's key, not alice's
        cb = clients["B"]
        shown = cb.run(["sss_ssh_authorizedkeys", "bob"])
        assert keys["bob"][0].split()[1] in shown.stdout, shown.stdout + shown.stderr + cb.tail()
        shown = cb.run(["sss_ssh_authorizedkeys", "alice"])
        assert keys["alice"][0].split()[1] not in shown.stdout, shown.stdout
        # and host A no longer alice's either, while her entry stays visible
        assert ca.getent("passwd", "alice").returncode == 0
        assert not slapd.sanitizer_reports()
    finally:
        try:
            if sshd:
                sshd.stop()
            for c in clients.values():
                c.stop()
        finally:
            for h in hosts.values():
                h.destroy()
