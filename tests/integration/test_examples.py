# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""The example configurations in contrib/examples work as documented, and
make install puts the module, schema and manual where slapd looks."""
import os
import re
import subprocess

import ldap
import pytest

from clients import TLS
from conftest import BUILDDIR, MODULE, SRCDIR, PEERCRED_ROOT, slappasswd
from test_cnconfig import config_ldif

EX = SRCDIR / "contrib" / "examples"
KEY = "k1 " + "5a" * 32 + "\n"


def localize(text, s):
    """Points the example's system paths into the test's directory."""
    key = s.dir / "warden.key"
    key.write_text(KEY)
    os.chmod(key, 0o600)
    logs = s.mkdir("log")
    TLS(s.dir / "tls")
    for a, b in [("/etc/ldap/tls", str(s.dir / "tls")),
                 ("/var/lib/ldap/warden", str(s.state)), ("/var/lib/ldap", str(s.db)),
                 ("/etc/ldap/warden.key", str(key)), ("/var/log/slapd", str(logs)),
                 ("/run/slapd", str(s.dir)), ("olcModuleLoad: warden.la", f"olcModuleLoad: {MODULE}")]:
        text = text.replace(a, b)
    return text


def test_example_slapd_conf(slapd):
    conf = localize((EX / "slapd.conf").read_text(), slapd)
    conf = conf.replace("moduleload\twarden.la", f"moduleload\t{MODULE}")
    conf += f"rootpw {slappasswd('Example-root-1')}\n"
    conf += f'database config\naccess to * by dn.exact="{PEERCRED_ROOT}" manage by * none\n'
    slapd.write_conf(conf)
    p = subprocess.run(["slaptest", "-u", "-f", str(slapd.conf)], capture_output=True,
                       text=True, env=slapd.env(), timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    slapd.start()
    # passwords only over TLS or ldapi
    with pytest.raises(ldap.CONFIDENTIALITY_REQUIRED):
        slapd.conn("cn=admin,dc=example,dc=org", "Example-root-1")
    c = ldap.initialize(slapd.ldapi)
    c.simple_bind_s("cn=admin,dc=example,dc=org", "Example-root-1")
    c.add_s("dc=example,dc=org", [("objectClass", [b"dcObject", b"organization"]),
                                  ("dc", [b"example"]), ("o", [b"Example"])])
    p = subprocess.run(["ldapadd", "-x", "-H", slapd.ldapi, "-D", "cn=admin,dc=example,dc=org",
                        "-w", "Example-root-1", "-f", str(EX / "default-policy.ldif")],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    assert (slapd.state / "data.mdb").exists()
    assert (slapd.dir / "log" / "warden-audit.log").exists()


def test_example_ldifs_live(slapd):
    base = config_ldif(slapd, with_warden=False).replace(
        f"include: file://{SRCDIR}/schema/warden.ldif\n", "").replace(
        "dc=example,dc=test", "dc=example,dc=org")
    slapd.load_config_ldif(base)
    slapd.start()
    rc, out = slapd.ldapmodify(localize((EX / "warden-module.ldif").read_text(), slapd))
    assert rc == 0, out
    rc, out = slapd.ldapmodify(localize((EX / "warden-overlay.ldif").read_text(), slapd), add=True)
    assert rc == 0, out
    res = slapd.config().search_s("cn=config", ldap.SCOPE_SUBTREE, "(objectClass=olcWardenConfig)")
    assert res[0][1]["olcWardenStateDir"] == [str(slapd.state).encode()]
    assert res[0][1]["olcWardenRequireTLS"] == [b"TRUE"]


def test_make_install_layout(tmp_path):
    p = subprocess.run(["make", "-s", "-C", str(BUILDDIR), "install", f"DESTDIR={tmp_path}"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    # the configured directories (make distcheck gives others)
    mk = (BUILDDIR / "Makefile").read_text()
    moduledir, schemadir = (re.search(rf"^{v} = (.*)$", mk, re.M).group(1).lstrip("/")
                            for v in ("moduledir", "schemadir"))
    for f in (f"{moduledir}/warden.so", f"{moduledir}/warden.la",
              f"{schemadir}/warden.schema", f"{schemadir}/warden.ldif"):
        assert (tmp_path / f).exists(), f
    mans = list(tmp_path.rglob("slapo-warden.5"))
    assert mans, "man page not installed"
    # the default banned-password index, where the module looks for it
    p = subprocess.run(["make", "-s", "--no-print-directory", "-C", str(BUILDDIR),
                        "--eval=warden-print-pkgdatadir: ; @echo $(pkgdatadir)",
                        "warden-print-pkgdatadir"], capture_output=True, text=True, timeout=60)
    idx = tmp_path / (p.stdout.strip().lstrip("/") + "/banned.idx")
    assert idx.is_file(), list(tmp_path.rglob("banned.idx"))
    assert idx.stat().st_mode & 0o777 == 0o644
    assert p.stdout.strip() + "/banned.idx" in (tmp_path / moduledir / "warden.so").read_bytes().decode(
        "latin-1")
    for pw, rc in (("P@ssw0rd1!", 1), ("Glacier-Orbit-73x", 0)):
        assert subprocess.run([os.environ["WARDENCTL"], "banned", "check", str(idx)],
                              input=pw + "\n", capture_output=True, text=True,
                              timeout=30).returncode == rc, pw
