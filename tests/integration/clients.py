# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""Real Linux clients against a test slapd: sssd with pam_sss and
libnss_sss, and nslcd with pam_ldap and libnss_ldap (nss-pam-ldapd), driven
by pamtester and getent, as a host that logs users in against the directory
uses them.

Every client process (the daemon and each command that talks to it) runs in
its own private mount namespace (`unshare -m`, private propagation) in which
private copies are bind-mounted over the host's paths:

  /etc/sssd, /etc/nslcd.conf,                 what the clients read
  /etc/nsswitch.conf, /etc/pam.d
  /var/lib/sss                                sssd's caches, config.ldb,
                                              sockets and memory cache
  /run                                        sssd.pid (sssd daemon only);
                                              nslcd's socket and pid file
                                              in /run/nslcd (nslcd and its
                                              clients)

So the host's /etc and /var/lib/sss are never written and there is nothing
to restore; a host's own sssd, if any, is neither seen nor disturbed.  The
daemon and the commands meet through the same private directories (a UNIX
socket in a bind-mounted directory is the same socket in every namespace).
Needs root (as the tests do) and util-linux's unshare (and setpriv, to run
a command as a user, as a password change must be).

A client may also run as another host: with netns="NAME" its daemon and
commands run in that network namespace (`ip netns exec NAME unshare -m
...`), which NetnsHost creates with a veth pair to the host, so slapd
sees its connections come from the namespace's own address.
"""
import grp
import os
import pwd
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

# mount --bind SRC DST for each pair before "--", then exec the command.
# unshare and sh both exec, so the pid Popen sees is the command's own pid.
_BIND_SCRIPT = ('while [ "$1" != -- ]; do mount --bind "$1" "$2" || exit 99; '
                'shift 2; done; shift; exec "$@"')


def client_env():
    """The environment for client processes: no sanitizer runtime (the
    integration suite may run under one for slapd), messages in English."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS")
           and not k.startswith("LC_") and k != "LANGUAGE"}
    env["LANG"] = env["LC_ALL"] = "C"
    return env


def wait_until(pred, timeout, what, diag=lambda: "", interval=0.1):
    """Polls pred() until it is true; AssertionError after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        if pred():
            return
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what}: not within {timeout}s\n{diag()}")
        time.sleep(interval)


def host_snapshot(paths):
    """(mode with file type, size, mtime, inode) of every file under
    paths: taken before and after a test, shows that it changed nothing."""
    snap = {}

    def one(p):
        try:
            st = os.lstat(p)
        except FileNotFoundError:
            snap[p] = None
            return
        snap[p] = (st.st_mode, st.st_size, st.st_mtime_ns, st.st_ino)

    for top in paths:
        one(top)
        if os.path.isdir(top) and not os.path.islink(top):
            for dirpath, dirnames, filenames in os.walk(top):
                for n in dirnames + filenames:
                    one(os.path.join(dirpath, n))
    return snap


def snapshot_diff(before, after):
    return sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))


class Namespace:
    """Private copies of host paths, bind-mounted over them in a private
    mount namespace for each command run through it."""

    def __init__(self, root: Path, netns=None):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.binds = []             # (private path, host path)
        # ip netns exec execs the command (no fork): the pid stays the daemon's
        self.prefix = ["ip", "netns", "exec", netns] if netns else []

    def _private(self, host):
        assert os.path.lexists(host), f"{host} must exist on the host to bind over it"
        p = self.root / host.lstrip("/")
        p.parent.mkdir(parents=True, exist_ok=True)
        self.binds.append((p, host))
        return p

    def file(self, host, text, mode=0o644):
        p = self._private(host)
        p.write_text(text)
        os.chmod(p, mode)
        return p

    def dir(self, host, mode=0o755, subdirs=()):
        """An empty private directory (with subdirs, each (name, mode))."""
        p = self._private(host)
        p.mkdir(exist_ok=True)
        os.chmod(p, mode)
        for name, m in subdirs:
            (p / name).mkdir(parents=True, exist_ok=True)
            os.chmod(p / name, m)
        return p

    def command(self, argv, binds=None):
        pairs = []
        for src, dst in (self.binds if binds is None else binds):
            pairs += [str(src), dst]
        return [*self.prefix, "unshare", "--mount", "--propagation", "private",
                "sh", "-c", _BIND_SCRIPT, "sh", *pairs, "--", *argv]

    def run(self, argv, input=None, timeout=30, binds=None):
        p = subprocess.run(self.command(argv, binds), input=input, capture_output=True,
                           text=True, env=client_env(), timeout=timeout)
        assert p.returncode != 99, f"bind mounts failed for {argv}: {p.stderr}"
        return p


class Daemon:
    """A foreground daemon in its own process group: stop() sends SIGTERM,
    waits (bounded) for it and every process it forked, then SIGKILLs by
    pid whatever of its group is left."""

    def __init__(self, argv, log: Path):
        self.argv = argv
        self.log = Path(log)
        self.proc = None

    def start(self):
        with open(self.log, "ab") as logf:
            logf.write(("==== " + " ".join(self.argv) + "\n").encode())
            logf.flush()
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=logf,
                                         stderr=subprocess.STDOUT, env=client_env(),
                                         start_new_session=True)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def group(self):
        """Pids of live (non-zombie) processes in the daemon's process group."""
        pids = []
        if self.proc is None:
            return pids
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                stat = Path("/proc", d, "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rfind(")") + 2:].split()
            if fields[0] != "Z" and int(fields[2]) == self.proc.pid:
                pids.append(int(d))
        return pids

    def stop(self, timeout=10):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while (self.proc.poll() is None or self.group()) and time.monotonic() < deadline:
            time.sleep(0.05)
        for pid in self.group():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 5
        while (self.proc.poll() is None or self.group()) and time.monotonic() < deadline:
            time.sleep(0.02)
        left = self.group()
        self.proc = None
        assert not left, f"processes left after SIGKILL: {left}"

    def tail(self, n=60):
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])


def as_user(uid, gid, argv):
    """argv run as uid/gid without supplementary groups (util-linux
    setpriv: no PAM, no name lookup), inside the namespace, after its bind
    mounts (which need root) are made."""
    return ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", *argv]


PAM_SERVICE = "wardentest"
# What a private /etc/pam.d holds besides the service: everything else is
# denied.  The service's password stack is the client's module alone, so
# no pam_pwquality or pam_unix (the host's common-password) ever answers.
PAM_OTHER = ("auth required pam_deny.so\naccount required pam_deny.so\n"
             "password required pam_deny.so\nsession required pam_deny.so\n")


def pam_service(module):
    return (f"auth     required {module}\n"
            f"account  required {module}\n"
            f"password required {module}\n"
            "session  required pam_permit.so\n")


class PamClient:
    """pamtester against the PAM service PAM_SERVICE of a client daemon's
    namespace (the subclass provides run())."""

    def pam(self, user, password=None, ops=("authenticate", "acct_mgmt"), answers=None,
            uid=None, gid=None):
        """pamtester: (exit code, output).  password answers authenticate's
        prompt; answers (a list) answers each prompt in turn.  uid/gid: run
        as that user instead of root.  rc 0 is success; pamtester prints
        the PAM error otherwise, and the module's messages (PAM_ERROR_MSG
        on stderr, PAM_TEXT_INFO on stdout) as they come."""
        if answers is None:
            answers = [] if password is None else [password]
        argv = ["pamtester", "-v", PAM_SERVICE, user, *ops]
        if uid is not None:
            argv = as_user(uid, uid if gid is None else gid, argv)
        p = self.run(argv, input="".join(a + "\n" for a in answers), timeout=30)
        return p.returncode, p.stdout + p.stderr

    def pam_paced(self, user, ops, answers, uid=None, gid=None, timeout=60):
        """pamtester answering each prompt as a person would: answers is a
        list of (prompt, pause, text): wait until the output shows the
        prompt text (its n-th occurrence, for the n-th answer with that
        prompt), pause seconds more (reading, typing), then answer.  The
        module's work for one answer (a bind, say) happens before the next
        prompt, so a pause puts time between the binds the answers cause.
        pamtester may end before the last prompts (a module refusing):
        the answers left are not given.
        Returns (exit code, output, [(seconds since start, prompt)])."""
        argv = ["pamtester", "-v", PAM_SERVICE, user, *ops]
        if uid is not None:
            argv = as_user(uid, uid if gid is None else gid, argv)
        proc = subprocess.Popen(self.command(argv), stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                env=client_env())
        out = bytearray()
        cond = threading.Condition()

        def reader():
            while True:
                b = os.read(proc.stdout.fileno(), 4096)
                with cond:
                    if not b:
                        cond.notify_all()
                        return
                    out.extend(b)
                    cond.notify_all()
        t = threading.Thread(target=reader, daemon=True)
        t.start()
        t0 = time.monotonic()
        deadline = t0 + timeout
        seen = {}
        times = []
        try:
            for prompt, pause, text in answers:
                seen[prompt] = seen.get(prompt, 0) + 1
                with cond:
                    while out.decode(errors="replace").count(prompt) < seen[prompt] \
                            and t.is_alive():
                        if time.monotonic() > deadline:
                            raise AssertionError(
                                f"no prompt {prompt!r} (#{seen[prompt]}) from pamtester:\n"
                                + out.decode(errors="replace"))
                        cond.wait(0.05)
                if out.decode(errors="replace").count(prompt) < seen[prompt]:
                    break               # it ended (gave up) before asking
                times.append((round(time.monotonic() - t0, 3), prompt))
                time.sleep(pause)
                try:
                    proc.stdin.write((text + "\n").encode())
                    proc.stdin.flush()
                except BrokenPipeError:
                    break                   # it gave up before this prompt
            try:
                proc.stdin.close()
            except BrokenPipeError:
                pass
            proc.wait(timeout=max(deadline - time.monotonic(), 1))
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        t.join(5)
        proc.stdout.close()
        assert proc.returncode != 99, f"bind mounts failed: {out.decode(errors='replace')}"
        return proc.returncode, out.decode(errors="replace"), times

    def chauthtok(self, user, uid, gid, old, new, again=None):
        """The user changes their own password, as `passwd` would: pamtester
        chauthtok run as the user (as root, pam_sss refuses and pam_ldap asks
        for an administrator's password), answering the current password,
        the new one and the new one again."""
        return self.pam(user, ops=("chauthtok",), uid=uid, gid=gid,
                        answers=[old, new, new if again is None else again])


# Directories of /var/lib/sss as sssd-common ships them.
SSS_SUBDIRS = [("db", 0o700), ("pipes", 0o755), ("pipes/private", 0o700), ("mc", 0o775),
               ("pubconf", 0o755), ("pubconf/krb5.include.d", 0o755),
               ("gpo_cache", 0o755), ("deskprofile", 0o711), ("secrets", 0o700)]


def _lib(pattern):
    return any(any(Path(d).glob(pattern)) for d in ("/usr/lib", "/lib"))


def sssd_available():
    """None if sssd (sssd-common, sssd-ldap), pam_sss (libpam-sss),
    libnss_sss (libnss-sss), pamtester and unshare are installed, else
    what is missing."""
    missing = [b for b in ("sssd", "pamtester", "unshare", "getent") if not shutil.which(b)]
    for pattern, pkg in (("*/sssd/libsss_ldap.so", "sssd-ldap"),
                         ("*/security/pam_sss.so", "libpam-sss"),
                         ("*/libnss_sss.so.2", "libnss-sss")):
        if not _lib(pattern):
            missing.append(pkg)
    return ", ".join(missing) or None


def host_sssd_running():
    """Whether the host runs its own sssd (then /var/lib/sss changes under
    a test, by no fault of it)."""
    try:
        pid = int(Path("/run/sssd.pid").read_text().split()[0])
        os.kill(pid, 0)
        return True
    except (OSError, ValueError, IndexError):
        return False


class Sssd(PamClient):
    """sssd with one LDAP domain, in a private mount namespace; pamtester
    (PAM service "wardentest": pam_sss only) and getent against it.

    options are the [domain/NAME] lines after the defaults (id, auth, chpass
    and access providers ldap, rfc2307, no credential cache)."""

    def __init__(self, workdir: Path, options: dict, domain="warden", debug_level=6,
                 pam_options=None, netns=None, services="nss, pam", sections=""):
        self.dir = Path(workdir) / "sssd"
        self.domain = domain
        self.ns = Namespace(self.dir / "root", netns)
        opts = {"id_provider": "ldap", "auth_provider": "ldap", "chpass_provider": "ldap",
                "access_provider": "ldap", "ldap_schema": "rfc2307",
                "cache_credentials": "false", "enumerate": "false", **options}
        pam = {"pam_verbosity": "1", **(pam_options or {})}
        self.conf_text = (
            f"[sssd]\nservices = {services}\ndomains = {domain}\n\n{sections or '[nss]'}\n\n"
            "[pam]\n" + "".join(f"{k} = {v}\n" for k, v in pam.items()) +
            f"\n[domain/{domain}]\n" + "".join(f"{k} = {v}\n" for k, v in opts.items()))
        etc_sssd = self.ns.dir("/etc/sssd", 0o711, [("conf.d", 0o755)])
        (etc_sssd / "sssd.conf").write_text(self.conf_text)
        os.chmod(etc_sssd / "sssd.conf", 0o600)         # sssd refuses 0644
        self.ns.file("/etc/nsswitch.conf",
                     "passwd: files sss\ngroup: files sss\nshadow: files sss\n"
                     "hosts: files\n")
        pamd = self.ns.dir("/etc/pam.d", 0o755)
        (pamd / PAM_SERVICE).write_text(pam_service("pam_sss.so"))
        (pamd / "other").write_text(PAM_OTHER)
        self.ns.dir("/var/lib/sss", 0o755, SSS_SUBDIRS)
        self.client_binds = list(self.ns.binds)
        # sssd writes /run/sssd.pid: a private /run for the daemon only.
        self.ns.dir("/run", 0o755)
        self.daemon = Daemon(self.ns.command(
            ["sssd", "-i", f"--debug-level={debug_level}", "--logger=stderr"]),
            self.dir / "sssd.log")

    def start(self, ready_user, timeout=30):
        """Starts sssd and waits until its LDAP backend answers for
        ready_user (its sockets appear before the backend is online)."""
        self.daemon.start()

        def ready():
            assert self.daemon.alive(), "sssd exited:\n" + self.daemon.tail()
            return self.getent("passwd", ready_user).returncode == 0
        wait_until(ready, timeout, f"sssd answering for {ready_user}", self.daemon.tail,
                   interval=0.2)

    def stop(self):
        self.daemon.stop()

    def run(self, argv, input=None, timeout=30):
        """A client command in a namespace with the private /etc and
        /var/lib/sss (not /run: it needs nothing there)."""
        return self.ns.run(argv, input, timeout, self.client_binds)

    def command(self, argv):
        return self.ns.command(argv, self.client_binds)

    def getent(self, db, key):
        return self.run(["getent", "-s", "sss", db, key], timeout=15)

    def tail(self, n=60):
        return self.daemon.tail(n)

    def log_text(self):
        return self.daemon.log.read_text(errors="replace") if self.daemon.log.exists() else ""


def nslcd_available():
    """None if nslcd (with its system user and /etc/nslcd.conf), pam_ldap
    (libpam-ldapd), libnss_ldap (libnss-ldapd), pamtester, unshare and
    setpriv are installed, else what is missing."""
    missing = [b for b in ("nslcd", "pamtester", "unshare", "setpriv", "getent")
               if not shutil.which(b)]
    try:
        pwd.getpwnam("nslcd")
    except KeyError:
        missing.append("nslcd (its system user)")
    if not os.path.exists("/etc/nslcd.conf"):
        missing.append("nslcd (/etc/nslcd.conf)")
    for pattern, pkg in (("*/security/pam_ldap.so", "libpam-ldapd"),
                         ("*/libnss_ldap.so.2", "libnss-ldapd")):
        if not _lib(pattern):
            missing.append(pkg)
    return ", ".join(missing) or None


class Nslcd(PamClient):
    """nslcd (nss-pam-ldapd) with its configuration, nsswitch.conf (passwd,
    group: files ldap), PAM (service "wardentest": pam_ldap only) and /run
    private in a mount namespace; pamtester and getent against it.

    nslcd has no option for its configuration file or socket: the private
    /etc/nslcd.conf and /run (with /run/nslcd, owned by the nslcd user)
    are bind-mounted for the daemon and for every client command.  nslcd
    reads the CA certificate after dropping to its user, so a copy lives in
    the private /run/nslcd rather than in the (root-only) test directory.
    options are nslcd.conf lines (name, value) after uri and base;
    client_cert (certificate, key) is presented in the TLS handshake
    (copies owned by the nslcd user, which reads them)."""

    def __init__(self, workdir: Path, uri, base, options=(), cacert=None, client_cert=None,
                 netns=None):
        self.dir = Path(workdir) / "nslcd"
        self.ns = Namespace(self.dir / "root", netns)
        nslcd_pw = pwd.getpwnam("nslcd")
        nslcd_gid = grp.getgrnam("nslcd").gr_gid
        run = self.ns.dir("/run", 0o755, [("nslcd", 0o755)])
        os.chown(run / "nslcd", nslcd_pw.pw_uid, nslcd_gid)
        lines = [("uid", "nslcd"), ("gid", "nslcd"), ("uri", uri), ("base", base)]
        if cacert:
            shutil.copy(cacert, run / "nslcd" / "ca.pem")
            os.chmod(run / "nslcd" / "ca.pem", 0o644)
            lines.append(("tls_cacertfile", "/run/nslcd/ca.pem"))
        if client_cert:
            for src, name, mode in ((client_cert[0], "client.pem", 0o644),
                                    (client_cert[1], "client.key", 0o600)):
                shutil.copy(src, run / "nslcd" / name)
                os.chown(run / "nslcd" / name, nslcd_pw.pw_uid, nslcd_gid)
                os.chmod(run / "nslcd" / name, mode)
            lines += [("tls_cert", "/run/nslcd/client.pem"),
                      ("tls_key", "/run/nslcd/client.key")]
        lines += list(options)
        self.conf_text = "".join(f"{k} {v}\n" for k, v in lines)
        # may hold bindpw: root:nslcd 0640, as the package installs it
        conf = self.ns.file("/etc/nslcd.conf", self.conf_text, 0o640)
        os.chown(conf, 0, nslcd_gid)
        self.ns.file("/etc/nsswitch.conf",
                     "passwd: files ldap\ngroup: files ldap\nshadow: files ldap\n"
                     "hosts: files\n")
        pamd = self.ns.dir("/etc/pam.d", 0o755)
        (pamd / PAM_SERVICE).write_text(pam_service("pam_ldap.so"))
        (pamd / "other").write_text(PAM_OTHER)
        self.daemon = Daemon(self.ns.command(["nslcd", "-d"]), self.dir / "nslcd.log")

    def start(self, ready_user, timeout=30):
        """Starts nslcd and waits until it answers for ready_user."""
        self.daemon.start()

        def ready():
            assert self.daemon.alive(), "nslcd exited:\n" + self.daemon.tail()
            return self.getent("passwd", ready_user).returncode == 0
        wait_until(ready, timeout, f"nslcd answering for {ready_user}", self.daemon.tail,
                   interval=0.1)

    def stop(self):
        self.daemon.stop()

    def run(self, argv, input=None, timeout=30):
        return self.ns.run(argv, input, timeout)

    def command(self, argv):
        return self.ns.command(argv)

    def getent(self, db, key):
        return self.run(["getent", "-s", "ldap", db, key], timeout=15)

    def tail(self, n=60):
        return self.daemon.tail(n)

    def log_text(self):
        return self.daemon.log.read_text(errors="replace") if self.daemon.log.exists() else ""


class TLS:
    """A throw-away CA and a server certificate for 127.0.0.1 (and the
    addresses in ips, as more subjectAltNames), by openssl; client
    certificates signed by the same CA with client_cert()."""

    def __init__(self, d: Path, cn="127.0.0.1", ips=()):
        self.dir = Path(d)
        self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.ca = self.dir / "ca.pem"
        self.cert = self.dir / "server.pem"
        self.key = self.dir / "server.key"

        ossl = self._ossl
        ossl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key",
             "-out", "ca.pem", "-days", "2", "-subj", "/CN=warden test CA",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        ossl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key",
             "-out", "server.csr", "-subj", f"/CN={cn}")
        (self.dir / "ext").write_text(
            "subjectAltName=" + ",".join(f"IP:{a}" for a in (cn, *ips)) +
            "\nextendedKeyUsage=serverAuth\n"
            "keyUsage=critical,digitalSignature,keyEncipherment\n")
        ossl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext")

    def _ossl(self, *args):
        p = subprocess.run(["openssl", *args], cwd=self.dir, capture_output=True,
                           text=True, timeout=60)
        assert p.returncode == 0, f"openssl {args[0]}: {p.stderr}"

    def client_cert(self, name, subject):
        """(certificate, key) for a TLS client, subject as openssl's -subj
        ("/O=Example/CN=web01"), signed by the CA."""
        self._ossl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key",
                   "-out", f"{name}.csr", "-subj", subject)
        (self.dir / f"{name}.ext").write_text(
            "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n")
        self._ossl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                   "-CAcreateserial", "-out", f"{name}.pem", "-days", "2",
                   "-extfile", f"{name}.ext")
        return self.dir / f"{name}.pem", self.dir / f"{name}.key"

    def slapd_conf(self):
        """Global slapd.conf lines: StartTLS on the ldap:// listener."""
        return (f"TLSCACertificateFile {self.ca}\nTLSCertificateFile {self.cert}\n"
                f"TLSCertificateKeyFile {self.key}\n")


def netns_available():
    """None if iproute2's ip (for network namespaces and veth pairs) is
    installed, else what is missing."""
    return None if shutil.which("ip") else "iproute2"


class NetnsHost:
    """Another host on a point-to-point link: a network namespace with
    one end of a veth pair (address `addr`, and lo), the other end in the
    current namespace (address `server`), a /30 of 10.201.0.0/16 between
    them and no other route, so nothing from it leaves the two namespaces.
    Clients run in it with netns=host.name; slapd listens on `server`.
    create() and destroy() (which also removes what a half-done create
    left)."""

    def __init__(self, tag):
        self.name = f"wdn-{os.getpid()}-{tag}"
        self.veth = f"wv{os.getpid() % 1000000}{tag}"[:15]      # host side
        self.peer = self.veth[:14] + "p"                        # its end
        self.server = self.addr = None

    @staticmethod
    def _ip(*args, check=True):
        p = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)
        assert not check or p.returncode == 0, f"ip {' '.join(args)}: {p.stderr}"
        return p

    @staticmethod
    def _used_subnets():
        out = subprocess.run(["ip", "-4", "-o", "addr", "show"], capture_output=True,
                             text=True, timeout=30).stdout
        return {int(a.split(".")[2]) for a in
                (w for w in out.split() if w.startswith("10.201."))}

    def create(self, octet=None):
        """Creates the namespace and the link; the /30 is 10.201.octet.0,
        if octet is None the first one not in use here from a start that
        depends on the pid (concurrent test runs start apart)."""
        if octet is None:
            used = self._used_subnets()
            start = os.getpid() % 254
            octet = next(o for o in (1 + (start + i) % 254 for i in range(254))
                         if o not in used)
        self.server, self.addr = f"10.201.{octet}.1", f"10.201.{octet}.2"
        try:
            self._ip("netns", "add", self.name)
            self._ip("link", "add", self.veth, "type", "veth", "peer", "name", self.peer)
            self._ip("link", "set", self.peer, "netns", self.name)
            self._ip("addr", "add", f"{self.server}/30", "dev", self.veth)
            self._ip("link", "set", self.veth, "up")
            for args in (("addr", "add", f"{self.addr}/30", "dev", self.peer),
                         ("link", "set", self.peer, "up"), ("link", "set", "lo", "up")):
                self._ip("-n", self.name, *args)
        except BaseException:
            self.destroy()
            raise
        return self

    def destroy(self):
        """Removes the link and the namespace (run after the processes in
        it have ended: a namespace lives on while a process is in it)."""
        self._ip("link", "del", self.veth, check=False)
        self._ip("netns", "del", self.name, check=False)

    def exists(self):
        return (self.name in self._ip("netns", "list", check=False).stdout.split() or
                self._ip("link", "show", self.veth, check=False).returncode == 0)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.destroy()
