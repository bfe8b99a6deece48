# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""The Debian package: what it holds, and README's "Install on Debian" run
as written, on this machine: apt installs the .deb, the live cn=config
steps load warden into a slapd configured as Debian configures it
(/usr/share/slapd/slapd.init.ldif, run as openldap:openldap, the system
/usr/sbin/slapd and /usr/lib/ldap/warden.la) but with its own slapd.d,
database and listeners; an upgrade keeps the state and the configuration;
remove keeps the state, purge deletes it.

Every indented command of README's section is run.  Substituted, and only
that: ldapi:/// by the test slapd's socket (the system's is not ours),
-W (a password prompt) by -w and the rootdn's password, 'make -C build
deb' by the build the fixture made the same way, and 'apt install' by
'apt-get install -y' (no questions).
"""
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
import urllib.parse
import pwd
import random
from pathlib import Path

import pytest

from conftest import SRCDIR, BUILDDIR, dpkg_version, repack

SLAPD = "/usr/sbin/slapd"
STATE = Path("/var/lib/ldap/warden")
KEY = Path("/etc/ldap/warden.key")
SUFFIX = "dc=example,dc=org"
ROOTDN = "cn=admin," + SUFFIX
ROOTPW = "Debian-admin-2026!"
APT = ["apt-get", "install", "-y", "-q", "-o", "DPkg::Lock::Timeout=600"]


def run(cmd, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 600)
    return subprocess.run(cmd, **kw)


def free_port():
    for _ in range(200):
        port = random.randint(20000, 32000)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port")


def readme_blocks(section):
    """The indented code blocks of README.md's section, each a list of
    lines without the indentation."""
    text = (SRCDIR / "README.md").read_text()
    m = re.search(r"^## " + re.escape(section) + r"\n(.*?)(?=^## )", text, re.S | re.M)
    assert m, f"README.md has no section {section!r}"
    blocks, cur = [], None
    for line in m.group(1).split("\n"):
        if line.startswith("    "):
            if cur is None:
                cur = []
                blocks.append(cur)
            cur.append(line[4:])
        elif line.strip() == "" and cur is not None:
            cur.append("")
        else:
            cur = None
    for b in blocks:
        while b and b[-1] == "":
            b.pop()
    return blocks


class DebianSlapd:
    """The system slapd with a cn=config made as Debian's postinst makes it
    from slapd.init.ldif, in a directory of its own, run as openldap."""

    def __init__(self, base: Path):
        self.dir = base
        self.confdir = base / "slapd.d"
        self.db = base / "db"
        self.port = free_port()
        self.sock = base / "ldapi"
        self.ldapi = "ldapi://" + urllib.parse.quote(str(self.sock), safe="")
        self.log = base / "slapd.log"
        self.proc = None

    def create(self):
        self.confdir.mkdir(mode=0o700)
        self.db.mkdir(mode=0o700)
        hashed = run(["slappasswd", "-h", "{SSHA}", "-s", ROOTPW], check=True).stdout.strip()
        init = Path("/usr/share/slapd/slapd.init.ldif").read_text()
        for a, b in [("@SUFFIX@", SUFFIX), ("@PASSWORD@", hashed),
                     ("olcDbDirectory: /var/lib/ldap", f"olcDbDirectory: {self.db}"),
                     ("/var/run/slapd/", f"{self.dir}/")]:
            assert a in init, f"slapd.init.ldif has no {a}"
            init = init.replace(a, b)
        (self.dir / "init.ldif").write_text(init)
        # Debian's postinst adds the suffix's entry the same way.
        (self.dir / "base.ldif").write_text(
            f"dn: {SUFFIX}\nobjectClass: top\nobjectClass: dcObject\n"
            "objectClass: organization\no: Example\ndc: example\n")
        for n, f in (("0", "init.ldif"), ("1", "base.ldif")):
            p = run(["slapadd", "-q", f"-n{n}", "-F", str(self.confdir), "-l", str(self.dir / f)])
            assert p.returncode == 0, f"slapadd -n{n}: {p.stdout}{p.stderr}"
        run(["chown", "-R", "openldap:openldap", str(self.dir)], check=True)

    def env(self):
        # Nothing of the build tree: the module must find the package's
        # banned list at the path it was compiled with.
        return {k: v for k, v in os.environ.items()
                if not k.startswith("WARDEN_") and k not in ("LD_PRELOAD", "LD_LIBRARY_PATH")}

    def start(self):
        with open(self.log, "a") as logf:
            logf.write(f"==== start\n")
            logf.flush()
            self.proc = subprocess.Popen(
                [SLAPD, "-d", "256", "-u", "openldap", "-g", "openldap",
                 "-F", str(self.confdir), "-h", f"ldap://127.0.0.1:{self.port}/ {self.ldapi}"],
                stdout=logf, stderr=subprocess.STDOUT, env=self.env())
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                self.proc = None
                raise AssertionError("slapd exited at start:\n" + self.tail())
            if self.sock.exists() and run(["ldapwhoami", "-x", "-H", self.ldapi],
                                          timeout=10).returncode == 0:
                return
            time.sleep(0.2)
        raise AssertionError("slapd did not answer:\n" + self.tail())

    def stop(self):
        if not self.proc:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None

    def restart(self):
        self.stop()
        self.start()

    def tail(self, n=40):
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])


def localize(block, s, deb):
    """README's commands, for this machine's test slapd (module docstring)."""
    text = "\n".join(block)
    text = text.replace("ldapi:///", s.ldapi)
    text = re.sub(r" -W( |$)", f" -w '{ROOTPW}'\\1", text, flags=re.M)
    text = text.replace("make -C build deb", f": built by the fixture: make -C {BUILDDIR} deb")
    text = text.replace("apt install ./build/warden_*_amd64.deb", " ".join(APT) + f" {deb}")
    return text


def sh(script, expect_ok=True):
    p = run(["bash", "-e", "-c", script], env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    out = p.stdout + p.stderr
    if expect_ok:
        assert p.returncode == 0, f"failed ({p.returncode}):\n{script}\n---\n{out}"
    return p.returncode, out


def owner_mode(path):
    st = path.stat()
    return pwd.getpwuid(st.st_uid).pw_name, stat.S_IMODE(st.st_mode)


def purge():
    if dpkg_version("warden") or run(["dpkg-query", "-W", "warden"]).returncode == 0:
        p = run(["dpkg", "--purge", "warden"])
        assert p.returncode == 0, p.stdout + p.stderr


def test_deb_holds_what_debian_needs(deb):
    """The files, the exact slapd dependency, no lintian error."""
    listing = run(["dpkg-deb", "-c", str(deb)], check=True).stdout
    files = {l.split()[-1].lstrip(".") for l in listing.splitlines()}
    for f in ("/usr/lib/ldap/warden.so", "/usr/lib/ldap/warden.la",
              "/etc/ldap/schema/warden.schema", "/etc/ldap/schema/warden.ldif",
              "/usr/sbin/wardenctl", "/usr/share/man/man5/slapo-warden.5.gz",
              "/usr/share/man/man8/wardenctl.8.gz", "/usr/share/warden/banned.idx",
              "/usr/share/doc/warden/examples/slapd.conf",
              "/usr/share/doc/warden/examples/warden-overlay.ldif",
              "/usr/share/doc/warden/examples/acl.conf",
              "/usr/share/doc/warden/copyright"):
        assert f in files, f"{f} not in {deb.name}:\n{listing}"
    assert not any(f.startswith("/usr/lib/debug") for f in files), listing
    assert re.match(r"warden_[0-9][^_]*_amd64\.deb$", deb.name), deb.name
    slapd = run(["dpkg-query", "-W", "-f=${Version}", "slapd"], check=True).stdout
    depends = run(["dpkg-deb", "-f", str(deb), "Depends"], check=True).stdout
    assert f"slapd (= {slapd})" in depends, depends
    la = run(["dpkg-deb", "--fsys-tarfile", str(deb)], capture_output=True, text=False).stdout
    assert b"dependency_libs=''" in la
    p = run(["lintian", "--fail-on", "error", str(deb)])
    assert p.returncode == 0, p.stdout + p.stderr
    assert not re.search(r"^E: ", p.stdout, re.M), p.stdout


def test_install_live_steps_upgrade_remove_purge(deb):
    blocks = readme_blocks("Install on Debian")
    assert len(blocks) == 5, "README's Install on Debian changed: run every block here"
    assert blocks[0] == ["make -C build deb", "apt install ./build/warden_*_amd64.deb"], blocks[0]

    base = Path(tempfile.mkdtemp(prefix="wdn-pkg-", dir="/tmp"))
    saved = {}
    s = DebianSlapd(base)
    installed = dpkg_version("warden")
    assert not installed, (f"warden {installed} is installed on this machine; this test "
                           "installs and purges its own: dpkg --purge warden first")
    try:
        # Another warden's state or key on this machine: put it aside.
        for p in (STATE, KEY):
            if p.exists():
                saved[p] = p.with_name(p.name + f".wdn-test-{os.getpid()}")
                p.rename(saved[p])

        # -- install ------------------------------------------------------
        sh(localize(blocks[0], s, deb))
        version = dpkg_version("warden")
        assert version, "warden is not installed"
        assert owner_mode(STATE) == ("openldap", 0o700)
        assert owner_mode(KEY) == ("openldap", 0o600)
        key = KEY.read_text()
        assert re.fullmatch(r"key-\d{8} [0-9a-f]{64}\n", key), "the key file's format"
        assert Path("/usr/share/warden/banned.idx").is_file()

        # -- the live steps, on Debian's configuration --------------------
        s.create()
        s.start()
        sh(localize(blocks[1], s, deb))
        sh(localize(blocks[2], s, deb))
        rc, out = sh(localize(blocks[3], s, deb), expect_ok=False)
        assert rc != 0 and "commonly used password" in out, out
        rc, out = sh(localize(blocks[4], s, deb))
        assert f"dn:uid=alice,{SUFFIX}" in out, out
        assert re.search(r"^failures:\s+1$", out, re.M), out
        assert (STATE / "data.mdb").exists()
        conf = run(["ldapsearch", "-Q", "-LLL", "-Y", "EXTERNAL", "-H", s.ldapi, "-b",
                    "cn=config", "(objectClass=olcWardenConfig)"], check=True).stdout
        assert "olcWardenKeyFile: /etc/ldap/warden.key" in conf, conf

        # -- a restart (a reboot) -----------------------------------------
        s.restart()
        status = ["wardenctl", "-H", s.ldapi, "-D", ROOTDN, "-w", ROOTPW,
                  "lockout", "status", f"uid=alice,{SUFFIX}"]
        out = run(status, check=True).stdout
        assert re.search(r"^failures:\s+1$", out, re.M), out

        # -- an upgrade: the same package as a newer version --------------
        newer = repack(deb, version + "+upgrade1")
        schema_before = Path("/etc/ldap/schema/warden.ldif").read_bytes()
        p = run(APT + [str(newer)], env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        assert p.returncode == 0, p.stdout + p.stderr
        assert "restart" in p.stdout + p.stderr, "postinst says to restart slapd"
        assert dpkg_version("warden") == version + "+upgrade1"
        assert KEY.read_text() == key, "the upgrade changed the key file"
        assert owner_mode(STATE) == ("openldap", 0o700)
        assert (STATE / "data.mdb").exists()
        assert Path("/etc/ldap/schema/warden.ldif").read_bytes() == schema_before
        s.restart()
        out = run(status, check=True).stdout
        assert re.search(r"^failures:\s+1$", out, re.M), "state kept across the upgrade:\n" + out
        p = run(["ldapwhoami", "-x", "-H", s.ldapi, "-D", f"uid=alice,{SUFFIX}",
                 "-w", "Larch-Tundra-Quiet-42"])
        assert p.returncode == 0, p.stdout + p.stderr + s.tail()
        conf2 = run(["ldapsearch", "-Q", "-LLL", "-Y", "EXTERNAL", "-H", s.ldapi, "-b",
                     "cn=config", "(objectClass=olcWardenConfig)"], check=True).stdout
        assert conf2 == conf, "cn=config changed across the upgrade"
        s.stop()

        # -- remove keeps the state, purge deletes it ---------------------
        p = run(["apt-get", "remove", "-y", "-q", "-o", "DPkg::Lock::Timeout=600", "warden"],
                env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        assert p.returncode == 0, p.stdout + p.stderr
        assert not Path("/usr/lib/ldap/warden.so").exists()
        assert (STATE / "data.mdb").exists() and KEY.read_text() == key
        p = run(["dpkg", "--purge", "warden"])
        assert p.returncode == 0, p.stdout + p.stderr
        assert not STATE.exists(), "purge left the state directory"
        assert KEY.read_text() == key, "purge deleted the key file"
        assert run(["dpkg-query", "-W", "warden"]).returncode != 0
    finally:
        s.stop()
        purge()
        if KEY.exists():
            KEY.unlink()    # made by the package in this test
        shutil.rmtree(STATE, ignore_errors=True)
        for p, b in saved.items():
            b.rename(p)
        for f in BUILDDIR.glob("warden_*+upgrade1_*"):
            f.unlink()
        if not os.environ.get("WARDEN_KEEP"):
            shutil.rmtree(base, ignore_errors=True)
