# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""warden's LMDB is its own and invisible to other modules: warden.la loads
before or after back_mdb.la, in slapd.conf and in cn=config, and both
back-mdb and warden's state store work (issue 14)."""
import subprocess

import ldap
import pytest

from conftest import MODULE, SUFFIX, ROOTDN, ROOTPW, USERPW, PEERCRED_ROOT, slappasswd, user_dn

POLICY = f"cn=default,ou=policies,{SUFFIX}"


def test_module_has_no_mdb_symbols_and_no_system_liblmdb():
    dyn = subprocess.run(["nm", "-D", MODULE], capture_output=True, text=True, check=True).stdout
    assert not [l for l in dyn.splitlines() if " mdb_" in l], "mdb_* in the dynamic symbol table"
    ldd = subprocess.run(["ldd", MODULE], capture_output=True, text=True, check=True).stdout
    assert "liblmdb" not in ldd, ldd
    # the LMDB inside is the one back-mdb carries (the source tree's)
    assert b"LMDB 0.9.29" in open(MODULE, "rb").read()


def conf(s, order):
    mods = ["back_mdb.la", MODULE] if order == "mdb-first" else [MODULE, "back_mdb.la"]
    lines = [f"include /etc/ldap/schema/{n}.schema" for n in ("core", "cosine", "inetorgperson", "nis")]
    lines += [f"pidfile {s.dir}/slapd.pid", f"argsfile {s.dir}/slapd.args",
              "modulepath /usr/lib/ldap"] + [f"moduleload {m}" for m in mods]
    lines += ["database config", f'access to * by dn.exact="{PEERCRED_ROOT}" manage by * none']
    return ("\n".join(lines) + "\n" + s.mdb_conf() +
            f"overlay warden\nwarden-state-dir {s.state}\nwarden-default-policy \"{POLICY}\"\n")


def config_ldif(s, order):
    mods = ["back_mdb.la", MODULE] if order == "mdb-first" else [MODULE, "back_mdb.la"]
    loads = "".join(f"olcModuleLoad: {{{i}}}{m}\n" for i, m in enumerate(mods))
    schemas = "".join(f"include: file:///etc/ldap/schema/{n}.ldif\n\n"
                      for n in ("core", "cosine", "inetorgperson", "nis"))
    return f"""dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: {s.dir}/slapd.pid
olcArgsFile: {s.dir}/slapd.args

dn: cn=module{{0}},cn=config
objectClass: olcModuleList
cn: module{{0}}
olcModulePath: /usr/lib/ldap
{loads}
dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

{schemas}dn: olcDatabase={{-1}}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {{-1}}frontend

dn: olcDatabase={{0}}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {{0}}config
olcRootDN: {PEERCRED_ROOT}

dn: olcDatabase={{1}}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {{1}}mdb
olcSuffix: {SUFFIX}
olcRootDN: {ROOTDN}
olcRootPW: {slappasswd(ROOTPW)}
olcDbDirectory: {s.db}
olcDbMaxSize: 104857600

dn: olcOverlay={{0}}warden,olcDatabase={{1}}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcWardenConfig
olcOverlay: {{0}}warden
olcWardenStateDir: {s.state}
olcWardenDefaultPolicy: {POLICY}
"""


def check_binds_and_state(s):
    s.add_users()
    a = s.admin()
    a.add_s("ou=policies," + SUFFIX, [("objectClass", [b"organizationalUnit"]), ("ou", [b"policies"])])
    a.add_s(POLICY, [("objectClass", [b"device", b"pwdPolicy"]), ("cn", [b"default"]),
                     ("pwdAttribute", [b"userPassword"]), ("pwdLockout", [b"TRUE"]),
                     ("pwdMaxFailure", [b"3"])])
    assert s.conn(user_dn("alice"), USERPW).whoami_s() == "dn:" + user_dn("alice")
    with pytest.raises(ldap.INVALID_CREDENTIALS):
        s.conn(user_dn("bob"), "wrong-1")
    # the failure is in warden's LMDB store, read back through warden
    res = a.search_s(user_dn("bob"), ldap.SCOPE_BASE, attrlist=["wardenFailureCount"])
    assert res[0][1].get("wardenFailureCount") == [b"1"], res
    assert (s.state / "data.mdb").exists()
    s.restart()
    res = s.admin().search_s(user_dn("bob"), ldap.SCOPE_BASE, attrlist=["wardenFailureCount"])
    assert res[0][1].get("wardenFailureCount") == [b"1"], res
    log = s.log_text()
    assert "version mismatch" not in log, log


@pytest.mark.parametrize("order", ["warden-first", "mdb-first"])
def test_load_order_slapd_conf(slapd, order):
    slapd.write_conf(conf(slapd, order))
    slapd.start()
    check_binds_and_state(slapd)


@pytest.mark.parametrize("order", ["warden-first", "mdb-first"])
def test_load_order_cn_config(slapd, order):
    slapd.load_config_ldif(config_ldif(slapd, order))
    slapd.start()
    check_binds_and_state(slapd)
