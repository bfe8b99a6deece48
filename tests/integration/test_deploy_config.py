# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""Configuration that survives a restart (issue 14): every attribute and
class warden's ACLs, examples and README name exists when slapd reads any
database's configuration, because warden.la registers them when it loads."""
import re
import subprocess

import ldap
import pytest

from conftest import MODULE, SRCDIR, SUFFIX, ROOTDN, ROOTPW, USERPW, PEERCRED_ROOT, slappasswd, user_dn
from test_deploy_lmdb import config_ldif

# what the example ACLs and the README name, of each schema warden registers
NAMED = ["oathSecret", "oathTOTPToken", "oathHOTPCounter", "oathTOTPLastTimeStep",
         "pwdAccountLockedTime", "pwdHistory", "pwdPolicySubentry", "pwdReset",
         "wardenRecoveryCode", "wardenAllowedGroup", "wardenNetwork"]


def debian_slapd_d(s):
    """cn=config as Debian's postinst makes it: back_mdb in cn=module{0},
    no warden."""
    return config_ldif(s, "mdb-first").split("dn: olcOverlay=")[0].replace(
        f"olcModuleLoad: {{1}}{MODULE}\n", "")


def test_live_acl_on_oath_secret_survives_restart(slapd):
    """The failure of issue 14: module and overlay added live, then an
    olcAccess naming oathSecret; slapd used not to start again."""
    slapd.load_config_ldif(debian_slapd_d(slapd))
    slapd.start()
    slapd.add_users()
    rc, out = slapd.ldapmodify("dn: cn=module{0},cn=config\nchangetype: modify\n"
                               f"add: olcModuleLoad\nolcModuleLoad: {MODULE}\n")
    assert rc == 0, out
    rc, out = slapd.ldapmodify(
        "dn: olcOverlay=warden,olcDatabase={1}mdb,cn=config\n"
        "objectClass: olcOverlayConfig\nobjectClass: olcWardenConfig\n"
        f"olcOverlay: warden\nolcWardenStateDir: {slapd.state}\n", add=True)
    assert rc == 0, out
    rc, out = slapd.ldapmodify(
        "dn: olcDatabase={1}mdb,cn=config\nchangetype: modify\nadd: olcAccess\n"
        f"olcAccess: {{0}}to attrs={','.join(NAMED)} by dn.exact=\"{ROOTDN}\" write by * none\n"
        "olcAccess: {1}to attrs=userPassword by self =w by anonymous auth by * none\n"
        "olcAccess: {2}to * by users read by * none\n"
        "-\nadd: olcDbIndex\nolcDbIndex: oathTOTPToken eq\n")
    assert rc == 0, out
    # the frontend too: read before every other database
    rc, out = slapd.ldapmodify(
        "dn: olcDatabase={-1}frontend,cn=config\nchangetype: modify\nadd: olcAccess\n"
        "olcAccess: {0}to attrs=oathSecret,wardenRecoveryCode by * none\n"
        "olcAccess: {1}to * by * read\n")
    assert rc == 0, out
    slapd.restart()
    assert slapd.conn(user_dn("alice"), USERPW).whoami_s() == "dn:" + user_dn("alice")
    with pytest.raises(ldap.INVALID_CREDENTIALS):
        slapd.conn(user_dn("alice"), "wrong")
    acl = slapd.config().search_s("olcDatabase={1}mdb,cn=config", ldap.SCOPE_BASE,
                                  attrlist=["olcAccess"])[0][1]["olcAccess"]
    assert b"oathSecret" in acl[0]


def test_slapd_conf_names_them_before_the_overlay(slapd):
    """slapd.conf, whatever the order: global ACLs before any database, and
    database ACLs and indexes before the overlay line."""
    acl = f"access to attrs={','.join(NAMED)} by dn.exact=\"{ROOTDN}\" write by * none\n"
    conf = slapd.base_conf([MODULE]).replace("database config", acl + "access to * by * read\ndatabase config")
    conf += slapd.mdb_conf(extra=acl + "access to attrs=userPassword by self =w by anonymous auth by * none\n"
                           "access to * by users read by * none\nindex oathTOTPToken eq\n")
    conf += f"overlay warden\nwarden-state-dir {slapd.state}\n"
    slapd.write_conf(conf)
    p = subprocess.run(["slaptest", "-u", "-f", str(slapd.conf)], capture_output=True, text=True,
                       env=slapd.env(), timeout=60)
    assert p.returncode == 0, p.stderr
    slapd.start()
    slapd.add_users()
    assert slapd.conn(user_dn("bob"), USERPW).whoami_s() == "dn:" + user_dn("bob")


def _tokens(d):
    d = re.sub(r"(MUST|MAY) \( *(\w+) *\)", r"\1 \2", d)
    return sorted(re.findall(r"'[^']*'|\S+", d.replace("(", " ( ").replace(")", " ) ")))


def test_module_registers_what_warden_schema_defines(slapd):
    """The module's definitions (ownschema.c) are warden.schema's."""
    text = re.sub(r"#.*", "", (SRCDIR / "schema/warden.schema").read_text())
    macros = {}
    for n, v in re.findall(r"^objectidentifier\s+(\S+)\s+(\S+)", text, re.M | re.I):
        a, _, b = v.partition(":")
        macros[n] = macros[a] + "." + b if b else v
    want = {}
    for kind, d in re.findall(r"^(attributetype|objectclass)\s+(\(.*?\))\s*$", text, re.I | re.M | re.S):
        d = " ".join(d.split())
        d = re.sub(r"\( (\w+):(\d+) ", lambda m: f"( {macros[m.group(1)]}.{m.group(2)} ", d, count=1)
        want[re.search(r"NAME '(\w+)'", d).group(1)] = _tokens(d)
    slapd.write_conf(slapd.base_conf([MODULE]) + slapd.mdb_conf() +
                     f"overlay warden\nwarden-state-dir {slapd.state}\n")
    slapd.start()
    sub = slapd.admin().search_s("cn=Subschema", ldap.SCOPE_BASE,
                                 attrlist=["attributeTypes", "objectClasses"])[0][1]
    have = {}
    for v in sub["attributeTypes"] + sub["objectClasses"]:
        v = v.decode()
        m = re.search(r"NAME '(\w+)'", v)
        if m and m.group(1) in want:
            have[m.group(1)] = _tokens(v)
    assert len(want) == 35 and have == want


def test_schema_file_beside_the_module_is_refused_clearly(slapd):
    """warden.schema included before moduleload: slaptest -F would make a
    slapd.d that defines the schema twice, which slapd refuses at start;
    so warden refuses it now, saying what to remove."""
    conf = slapd.base_conf([MODULE]).replace(
        "modulepath", f"include {SRCDIR}/schema/warden.schema\nmodulepath")
    slapd.write_conf(conf + slapd.mdb_conf() + f"overlay warden\nwarden-state-dir {slapd.state}\n")
    p = subprocess.run(["slaptest", "-u", "-f", str(slapd.conf)], capture_output=True,
                       text=True, errors="replace", env=slapd.env(), timeout=60)
    assert p.returncode != 0
    assert ("warden: refusing to load: attribute wardenLockoutBackoff "
            "(2.25.179947727423328666749588697632006727387.2.1) is already defined by a "
            "schema file or a cn=schema entry") in p.stderr, p.stderr
    assert "remove that definition" in p.stderr
    assert "a slapd.d would define it twice and slapd would not start" in p.stderr
    assert slapd.start(expect_failure=True) != 0


def test_otp_la_first_then_warden_reuses_its_definitions(slapd):
    """otp.la and ppolicy.la loaded before warden.la: warden reuses their
    definitions, and all three work in one slapd across a restart."""
    slapd.load_config_ldif(config_ldif(slapd, "mdb-first").replace(
        f"olcModuleLoad: {{1}}{MODULE}\n",
        f"olcModuleLoad: {{1}}ppolicy.la\nolcModuleLoad: {{2}}otp.la\nolcModuleLoad: {{3}}{MODULE}\n").replace(
        "olcWardenDefaultPolicy", "#"))
    slapd.start()
    rc, out = slapd.ldapmodify(
        "dn: olcDatabase={1}mdb,cn=config\nchangetype: modify\nadd: olcAccess\n"
        f"olcAccess: {{0}}to attrs={','.join(NAMED)} by * none\nolcAccess: {{1}}to * by * read\n")
    assert rc == 0, out
    slapd.restart()
    slapd.add_users()
    assert slapd.conn(user_dn("alice"), USERPW).whoami_s()
    assert "warden: registered" not in slapd.log_text()


def test_incompatible_definition_of_a_module_refuses_the_load(slapd):
    """A module loaded before warden registered oathSecret differently:
    warden refuses to load, naming the attribute and the difference, and
    registers nothing (the check comes before any registration)."""
    from conftest import BUILDDIR
    clash = BUILDDIR / "tests" / ".libs" / "warden_schemaclash.so"
    if not clash.exists():
        p = subprocess.run(["make", "-s", "-C", str(BUILDDIR), "tests/warden_schemaclash.la"],
                           capture_output=True, text=True, timeout=300)
        assert p.returncode == 0, p.stderr
    slapd.write_conf(slapd.base_conf([str(clash), MODULE]) + slapd.mdb_conf())
    assert slapd.start(expect_failure=True) != 0
    log = slapd.log_text()
    assert ("warden: refusing to load: attribute oathSecret (1.3.6.1.4.1.5427.1.389.4226.4.1) "
            "is already defined differently: its syntax is 1.3.6.1.4.1.1466.115.121.1.15, "
            "warden's is 1.3.6.1.4.1.1466.115.121.1.40; remove that definition") in log, log[-2000:]


def test_refused_live_load_registers_nothing(slapd):
    from conftest import BUILDDIR
    clash = BUILDDIR / "tests" / ".libs" / "warden_schemaclash.so"
    if not clash.exists():
        subprocess.run(["make", "-s", "-C", str(BUILDDIR), "tests/warden_schemaclash.la"],
                       check=True, capture_output=True, timeout=300)
    slapd.load_config_ldif(debian_slapd_d(slapd))
    slapd.start()
    for mod, want in ((clash, 0), (MODULE, 80)):
        rc, out = slapd.ldapmodify("dn: cn=module{0},cn=config\nchangetype: modify\n"
                                   f"add: olcModuleLoad\nolcModuleLoad: {mod}\n")
        assert rc == want, out
    sub = slapd.config().search_s("cn=Subschema", ldap.SCOPE_BASE, attrlist=["attributeTypes"])
    types = b"\n".join(sub[0][1]["attributeTypes"])
    for name in (b"'pwdFailureTime'", b"'oathTOTPToken'", b"'wardenLockoutBackoff'"):
        assert name not in types, name
