# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""Integration test fixtures: a real /usr/sbin/slapd with back-mdb and the
built warden module, on 127.0.0.1 and ldapi, in a temporary directory.

Environment (set by 'make check'): WARDEN_MODULE, WARDEN_WRONGVER_MODULE,
WARDEN_SRCDIR, WARDEN_BUILDDIR, WARDEN_PRELOAD (sanitizer runtimes), SLAPD,
WARDEN_BANNED_DEFAULT (the default banned-password index slapd uses without
warden-banned-list; by default the one the build made, not the installed one).
"""
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path

import ldap
import ldap.modlist
import pytest

SLAPD = os.environ.get("SLAPD", "/usr/sbin/slapd")
MODULE = os.environ.get("WARDEN_MODULE", "")
WRONGVER_MODULE = os.environ.get("WARDEN_WRONGVER_MODULE", "")
SRCDIR = Path(os.environ.get("WARDEN_SRCDIR", Path(__file__).resolve().parents[2]))
BUILDDIR = Path(os.environ.get("WARDEN_BUILDDIR", "."))
PRELOAD = os.environ.get("WARDEN_PRELOAD", "").strip()
BANNED_DEFAULT = os.environ.get("WARDEN_BANNED_DEFAULT") or str((BUILDDIR / "banned.idx").resolve())
SCHEMA_DIR = "/etc/ldap/schema"
SUFFIX = "dc=example,dc=test"
ROOTDN = "cn=admin," + SUFFIX
ROOTPW = "admin-secret-1"
USERPW = "Alice-pass-2026!"
PEERCRED_ROOT = "gidNumber=0+uidNumber=0,cn=peercred,cn=external,cn=auth"

# Debug level stats (256): every operation; warden's own messages are
# LDAP_DEBUG_ANY and always shown.
DEBUG_LEVEL = "256"


def slappasswd(secret):
    return subprocess.run(["slappasswd", "-h", "{SSHA}", "-s", secret],
                          check=True, capture_output=True, text=True).stdout.strip()


def free_port():
    """A free TCP port below 32768 (the ephemeral range fills with
    TIME_WAIT sockets under load)."""
    for _ in range(200):
        port = random.randint(20000, 32000)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port")


class Slapd:
    """One slapd process and its files.  Configure with write_conf() (a
    slapd.conf) or load_config_ldif() (slapd.d), then start()."""

    def __init__(self, base: Path):
        self.dir = base
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o700)
        self.db = self.mkdir("db")
        self.state = self.mkdir("state")
        self.port = free_port()
        self.sock = self.dir / "ldapi"
        self.uri = f"ldap://127.0.0.1:{self.port}/"
        self.ldapi = "ldapi://" + urllib.parse.quote(str(self.sock), safe="")
        self.log = self.dir / "slapd.log"
        self.conf = None
        self.confdir = None
        self.proc = None
        self.starts = 0
        self.wrapper = []       # e.g. valgrind and its options
        self.more_urls = []     # more listeners, e.g. ldap://10.201.1.1:PORT/

    def mkdir(self, name, mode=0o700):
        p = self.dir / name
        p.mkdir(parents=True, exist_ok=True)
        os.chmod(p, mode)
        return p

    # -- configuration -----------------------------------------------------
    def base_conf(self, modules=(), schemas=("core", "cosine", "inetorgperson", "nis")):
        # warden.la registers warden's schema when it loads (issue 14)
        lines = [f"include {SCHEMA_DIR}/{s}.schema" for s in schemas]
        lines += [
            f"pidfile {self.dir}/slapd.pid",
            f"argsfile {self.dir}/slapd.args",
            "modulepath /usr/lib/ldap",
            "moduleload back_mdb.la",
        ]
        lines += [f"moduleload {m}" for m in modules]
        lines += [
            "database config",
            f'access to * by dn.exact="{PEERCRED_ROOT}" manage by * none',
        ]
        return "\n".join(lines) + "\n"

    def mdb_conf(self, suffix=SUFFIX, directory=None, extra=""):
        directory = directory or self.db
        return (f"database mdb\nsuffix \"{suffix}\"\nrootdn \"cn=admin,{suffix}\"\n"
                f"rootpw {slappasswd(ROOTPW)}\ndirectory {directory}\nmaxsize 104857600\n"
                f"{extra}")

    def write_conf(self, text):
        self.conf = self.dir / "slapd.conf"
        self.conf.write_text(text)
        self.confdir = None

    def load_config_ldif(self, text):
        """Builds a slapd.d offline from LDIF, as an administrator would."""
        self.confdir = self.dir / "slapd.d"
        shutil.rmtree(self.confdir, ignore_errors=True)
        self.confdir.mkdir(mode=0o700)
        src = self.dir / "config.ldif"
        src.write_text(text)
        p = subprocess.run(["slapadd", "-n0", "-F", str(self.confdir), "-l", str(src)],
                           capture_output=True, text=True, env=self.env(), timeout=60)
        assert p.returncode == 0, f"slapadd -n0 failed:\n{p.stdout}{p.stderr}"
        reports = [l for l in p.stderr.splitlines() if "Sanitizer" in l or "runtime error:" in l]
        assert not reports, "sanitizer reported in slapadd:\n" + p.stderr
        self.conf = None

    # -- process -----------------------------------------------------------
    def env(self):
        env = dict(os.environ)
        env["WARDEN_BANNED_DEFAULT"] = BANNED_DEFAULT
        if PRELOAD:
            env["LD_PRELOAD"] = PRELOAD
            env["ASAN_OPTIONS"] = "detect_leaks=0:abort_on_error=1:symbolize=1"
            env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
        return env

    def cmd(self):
        urls = " ".join([self.uri, *self.more_urls, self.ldapi])
        c = self.wrapper + [SLAPD, "-d", DEBUG_LEVEL, "-h", urls]
        c += ["-F", str(self.confdir)] if self.confdir else ["-f", str(self.conf)]
        return c

    def start(self, expect_failure=False, timeout=30):
        self.starts += 1
        logf = open(self.log, "a")
        logf.write(f"==== start {self.starts}: {' '.join(self.cmd())}\n")
        logf.flush()
        self.proc = subprocess.Popen(self.cmd(), stdout=logf, stderr=subprocess.STDOUT,
                                     env=self.env())
        logf.close()
        deadline = time.time() + timeout
        while time.time() < deadline:
            rc = self.proc.poll()
            if rc is None and self._stopped_but_hanging():
                self.proc.kill()
                self.proc.wait(10)
                rc = 1
            if rc is not None:
                self.proc = None
                if expect_failure:
                    return rc
                raise AssertionError(f"slapd exited with {rc} at start; log:\n{self.tail()}")
            if self.ready():
                if expect_failure:
                    self.stop()
                    raise AssertionError(f"slapd started but should have refused; log:\n{self.tail()}")
                return 0
            time.sleep(0.1)
        self.stop()
        raise AssertionError(f"slapd did not answer within {timeout}s; log:\n{self.tail()}")

    def ready(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return self.sock.exists()
        except OSError:
            return False

    def _stopped_but_hanging(self):
        """Under ASan, slapd can hang in a library destructor (p11-kit)
        after logging "slapd stopped.": its work is done, kill it."""
        text = self.log_text()
        at = text.rfind("slapd stopped.")
        if at < 0 or at < text.rfind("==== start"):
            self._stopped_seen = None
            return False
        if not getattr(self, "_stopped_seen", None):
            self._stopped_seen = time.time()
        return time.time() - self._stopped_seen > 1.0

    def stop(self):
        if not self.proc:
            return
        self.proc.send_signal(signal.SIGTERM)
        deadline = time.time() + (180 if self.wrapper else 30)
        while self.proc.poll() is None and time.time() < deadline:
            if self._stopped_but_hanging():
                break
            time.sleep(0.05)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._stopped_seen = None
        self.proc = None

    def restart(self):
        self.stop()
        self.start()

    def log_text(self):
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def tail(self, n=60):
        return "\n".join(self.log_text().splitlines()[-n:])

    # -- clients -----------------------------------------------------------
    def conn(self, who=None, pw=None):
        c = ldap.initialize(self.uri)
        c.set_option(ldap.OPT_PROTOCOL_VERSION, 3)
        c.set_option(ldap.OPT_NETWORK_TIMEOUT, 10)
        c.set_option(ldap.OPT_TIMEOUT, 30)
        if who:
            c.simple_bind_s(who, pw)
        return c

    def admin(self):
        return self.conn(ROOTDN, ROOTPW)

    def config(self):
        """cn=config as root over ldapi (SASL EXTERNAL)."""
        c = ldap.initialize(self.ldapi)
        c.set_option(ldap.OPT_TIMEOUT, 30)
        c.sasl_external_bind_s()
        return c

    def ldapmodify(self, ldif, add=False):
        """Runs ldap-utils' ldapmodify over ldapi as root; returns
        (exit code, combined output)."""
        cmd = ["ldapadd" if add else "ldapmodify", "-Q", "-Y", "EXTERNAL", "-H", self.ldapi]
        p = subprocess.run(cmd, input=ldif, capture_output=True, text=True, timeout=60)
        return p.returncode, p.stdout + p.stderr

    def add_users(self, users=("alice", "bob")):
        c = self.admin()
        hashed = slappasswd(USERPW)
        c.add_s(SUFFIX, ldap.modlist.addModlist({
            "objectClass": [b"dcObject", b"organization"], "dc": [b"example"],
            "o": [b"Example"]}))
        c.add_s("ou=people," + SUFFIX, ldap.modlist.addModlist({
            "objectClass": [b"organizationalUnit"], "ou": [b"people"]}))
        for i, u in enumerate(users):
            c.add_s(f"uid={u},ou=people,{SUFFIX}", ldap.modlist.addModlist({
                "objectClass": [b"inetOrgPerson", b"posixAccount"],
                "uid": [u.encode()], "cn": [u.encode()], "sn": [u.encode()],
                "uidNumber": [str(10000 + i).encode()], "gidNumber": [b"10000"],
                "homeDirectory": [f"/home/{u}".encode()],
                "userPassword": [hashed.encode()]}))
        c.unbind_s()

    def sanitizer_reports(self):
        text = self.log_text()
        return [l for l in text.splitlines()
                if "ERROR: AddressSanitizer" in l or "runtime error:" in l
                or "ERROR: LeakSanitizer" in l]


def user_dn(u):
    return f"uid={u},ou=people,{SUFFIX}"


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


@pytest.fixture
def workdir(request):
    # Short paths: an ldapi socket path must fit in 108 bytes.
    name = request.node.name.replace("/", "_").replace("[", "-").replace("]", "")[:40]
    d = Path(tempfile.mkdtemp(prefix=f"wdn-{name}-", dir="/tmp"))
    os.chmod(d, 0o700)
    yield d
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.passed:
        shutil.rmtree(d, ignore_errors=True)
    else:
        print(f"\nkept for inspection: {d} (slapd log: {d}/s/slapd.log)")


@pytest.fixture
def slapd(workdir):
    s = Slapd(workdir / "s")
    yield s
    s.stop()
    reports = s.sanitizer_reports()
    assert not reports, "sanitizer reported:\n" + "\n".join(reports[:20])


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    # OpenLDAP's test022-ppolicy mostly sleeps on the real clock: when it
    # is among the tests to run, it starts now and runs beside the others
    # (test_openldap_ppolicy.py); last, so that -k and -m have deselected
    for item in items:
        if item.name == "test_openldap_test022_ppolicy_passes_with_warden" and \
                not item.get_closest_marker("skip"):
            item.module.start()
            break
