"""A user locked by warden is refused through sssd (pam_sss), as a Linux
host logging users in against the directory sees it; an unlocked user logs
in.  sssd, its configuration, nsswitch.conf and PAM run in a private mount
namespace: the host's /etc is not touched."""
import os
import shutil
import signal
import subprocess
import time

import ldap
import pytest

from conftest import ROOTDN, ROOTPW, SUFFIX, USERPW, user_dn
from test_lockout import start, state

pytestmark = pytest.mark.skipif(
    not (shutil.which("sssd") and shutil.which("pamtester") and shutil.which("unshare")),
    reason="sssd, pamtester or unshare not installed")

SSS_DB = "/var/lib/sss/db"
SSS_MC = "/var/lib/sss/mc"      # libnss_sss reads this without asking sssd


def private_etc(w, slapd):
    etc = w / "etc"
    (etc / "sssd" / "conf.d").mkdir(parents=True)
    shutil.copytree("/etc/pam.d", etc / "pam.d")
    (etc / "nsswitch.conf").write_text(
        "passwd: files sss\ngroup: files sss\nshadow: files sss\n")
    (etc / "pam.d" / "wardentest").write_text(
        "auth required pam_sss.so\naccount required pam_sss.so\n"
        "password required pam_deny.so\nsession required pam_permit.so\n")
    conf = etc / "sssd" / "sssd.conf"
    conf.write_text(f"""[sssd]
services = nss, pam
domains = warden

[nss]
memcache_timeout = 0

[pam]

[domain/warden]
id_provider = ldap
auth_provider = ldap
access_provider = ldap
ldap_uri = {slapd.uri}
ldap_search_base = {SUFFIX}
ldap_schema = rfc2307
ldap_default_bind_dn = {ROOTDN}
ldap_default_authtok = {ROOTPW}
ldap_access_order = ppolicy
ldap_pwdlockout_dn = cn=default,ou=policies,{SUFFIX}
ldap_id_use_start_tls = true
ldap_tls_reqcert = demand
ldap_tls_cacert = {w}/tls/ca.pem
cache_credentials = false
entry_cache_timeout = 1
""")
    os.chmod(conf, 0o600)
    return etc


def in_ns(etc, cmd, **kw):
    """Runs cmd with the private /etc files bind-mounted over the host's."""
    script = ('for f in nsswitch.conf pam.d sssd; do '
              'mount --bind "$W/$f" "/etc/$f" || exit 99; done; exec "$@"')
    return ["unshare", "-m", "sh", "-c", script, "sh", *cmd], dict(os.environ, W=str(etc))


def pam(etc, user, password):
    cmd, env = in_ns(etc, ["pamtester", "wardentest", user, "authenticate", "acct_mgmt"])
    p = subprocess.run(cmd, input=password + "\n", capture_output=True, text=True,
                       env=env, timeout=60)
    return p.returncode, p.stdout + p.stderr


def make_tls(w):
    """A throw-away CA and a server certificate for 127.0.0.1."""
    tls = w / "tls"
    tls.mkdir()

    def ossl(*args):
        subprocess.run(["openssl", *args], cwd=tls, check=True, capture_output=True)
    ossl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key",
         "-out", "ca.pem", "-days", "2", "-subj", "/CN=warden test CA")
    ossl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key",
         "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    (tls / "ext").write_text("subjectAltName=IP:127.0.0.1\n")
    ossl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
         "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext")
    return (f"TLSCACertificateFile {tls}/ca.pem\nTLSCertificateFile {tls}/server.pem\n"
            f"TLSCertificateKeyFile {tls}/server.key\n")


@pytest.fixture
def sssd_host(slapd, workdir):
    start(slapd, users=("alice", "bob"), global_extra=make_tls(workdir))
    slapd.admin().add_s(f"cn=staff,{SUFFIX}", [("objectClass", [b"posixGroup"]),
                                               ("cn", [b"staff"]), ("gidNumber", [b"10000"])])
    saved = {d: workdir / ("sss-saved" + d.replace("/", "-")) for d in (SSS_DB, SSS_MC)}
    for d, keep in saved.items():
        if os.path.isdir(d):
            shutil.copytree(d, keep)
            for f in os.listdir(d):
                os.unlink(os.path.join(d, f))
    etc = private_etc(workdir, slapd)
    log = open(workdir / "sssd.log", "w")
    cmd, env = in_ns(etc, ["sssd", "-i", "-d", "4", "--logger=stderr"])
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.time() + 40
        while True:
            r = subprocess.run(["getent", "-s", "sss", "passwd", "alice"],
                               capture_output=True, text=True)
            if r.returncode == 0 and "alice" in r.stdout:
                break
            assert proc.poll() is None, (workdir / "sssd.log").read_text()[-3000:]
            assert time.time() < deadline, "sssd did not answer: " + \
                (workdir / "sssd.log").read_text()[-3000:]
            time.sleep(0.3)
        yield slapd, etc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        log.close()
        for d, keep in saved.items():
            if os.path.isdir(d):
                for f in os.listdir(d):
                    os.unlink(os.path.join(d, f))
                if keep.exists():
                    for f in os.listdir(keep):
                        shutil.copy2(keep / f, d)


def test_locked_user_is_refused_through_sssd(sssd_host):
    slapd, etc = sssd_host
    rc, out = pam(etc, "alice", USERPW)
    assert rc == 0, out
    for i in range(3):
        rc, out = pam(etc, "bob", f"wrong-{i}")
        assert rc != 0, out
    st = state(slapd, "bob")
    assert st["wardenFailureCount"] == ["3"] and "pwdAccountLockedTime" in st
    # the right password no longer logs bob in
    rc, out = pam(etc, "bob", USERPW)
    assert rc != 0, out
    assert "Authentication failure" in out or "authenticate" in out
    # unlocked by an administrator, bob logs in again
    slapd.admin().modify_s(user_dn("bob"), [(ldap.MOD_DELETE, "pwdAccountLockedTime", None)])
    time.sleep(1.2)   # entry_cache_timeout
    rc, out = pam(etc, "bob", USERPW)
    assert rc == 0, out
