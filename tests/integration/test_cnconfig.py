# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""warden configured live through cn=config over ldapi, as root: loaded
without a restart, every attribute set, replaced and deleted live, bad
values refused with a result code and a diagnostic while the running
configuration stays unchanged, and everything persisted in slapd.d."""
import os
import stat
import subprocess

import ldap
import pytest

from conftest import (MODULE, SRCDIR, SUFFIX, USERPW, PEERCRED_ROOT, ROOTPW,
                      slappasswd, user_dn)

KEY = "k1 " + "cd" * 32 + "\n"
OVERLAY_DN = "olcOverlay={0}warden,olcDatabase={1}mdb,cn=config"


def config_ldif(s, with_warden):
    modules = "olcModuleLoad: {0}back_mdb.la\n"
    if with_warden:
        modules += f"olcModuleLoad: {{1}}{MODULE}\n"
    schemas = "".join(f"include: file:///etc/ldap/schema/{n}.ldif\n\n"
                      for n in ("core", "cosine", "inetorgperson", "nis"))
    ldif = f"""dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: {s.dir}/slapd.pid
olcArgsFile: {s.dir}/slapd.args

dn: cn=module{{0}},cn=config
objectClass: olcModuleList
cn: module{{0}}
olcModulePath: /usr/lib/ldap
{modules}
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
olcRootDN: cn=admin,{SUFFIX}
olcRootPW: {slappasswd(ROOTPW)}
olcDbDirectory: {s.db}
olcDbMaxSize: 104857600
"""
    if with_warden:
        ldif += f"""
dn: {OVERLAY_DN}
objectClass: olcOverlayConfig
objectClass: olcWardenConfig
olcOverlay: {{0}}warden
olcWardenStateDir: {s.state}
"""
    return ldif


def overlay_attrs(s):
    res = s.config().search_s(OVERLAY_DN, ldap.SCOPE_BASE)
    return {k: [v.decode() for v in vals] for k, vals in res[0][1].items()
            if k.startswith("olcWarden")}


def modify(s, *changes):
    """One ldapmodify request on the overlay entry; returns (rc, output)."""
    body = f"dn: {OVERLAY_DN}\nchangetype: modify\n" + "-\n".join(changes)
    return s.ldapmodify(body)


def replace(attr, value):
    return f"replace: {attr}\n{attr}: {value}\n"


def delete(attr):
    return f"delete: {attr}\n"


def test_live_load_then_persisted(slapd):
    slapd.load_config_ldif(config_ldif(slapd, with_warden=False))
    slapd.start()
    slapd.add_users()

    rc, out = slapd.ldapmodify(f"dn: cn=module{{0}},cn=config\nchangetype: modify\n"
                               f"add: olcModuleLoad\nolcModuleLoad: {MODULE}\n")
    assert rc == 0, out

    # The class requires the state directory.
    rc, out = slapd.ldapmodify(
        "dn: olcOverlay=warden,olcDatabase={1}mdb,cn=config\n"
        "objectClass: olcOverlayConfig\nobjectClass: olcWardenConfig\n"
        "olcOverlay: warden\n", add=True)
    assert rc == 65, out
    assert "olcWardenStateDir" in out

    rc, out = slapd.ldapmodify(
        "dn: olcOverlay=warden,olcDatabase={1}mdb,cn=config\n"
        "objectClass: olcOverlayConfig\nobjectClass: olcWardenConfig\n"
        f"olcOverlay: warden\nolcWardenStateDir: {slapd.state}\n", add=True)
    assert rc == 0, out
    # Opened at once, without a restart.
    assert (slapd.state / "data.mdb").exists()
    assert slapd.conn(user_dn("alice"), USERPW).whoami_s() == "dn:" + user_dn("alice")

    slapd.restart()
    assert overlay_attrs(slapd) == {"olcWardenStateDir": [str(slapd.state)]}
    assert slapd.conn(user_dn("alice"), USERPW).whoami_s() == "dn:" + user_dn("alice")
    with pytest.raises(ldap.INVALID_CREDENTIALS):
        slapd.conn(user_dn("alice"), "not-the-password")


def test_live_bad_state_dir_in_new_overlay_is_refused(slapd):
    slapd.load_config_ldif(config_ldif(slapd, with_warden=False))
    slapd.start()
    rc, out = slapd.ldapmodify(f"dn: cn=module{{0}},cn=config\nchangetype: modify\n"
                               f"add: olcModuleLoad\nolcModuleLoad: {MODULE}\n")
    assert rc == 0, out
    rc, out = slapd.ldapmodify(
        "dn: olcOverlay=warden,olcDatabase={1}mdb,cn=config\n"
        "objectClass: olcOverlayConfig\nobjectClass: olcWardenConfig\n"
        f"olcOverlay: warden\nolcWardenStateDir: {slapd.dir}/missing\n", add=True)
    assert rc != 0, out
    assert "No such file or directory" in out
    res = slapd.config().search_s("olcDatabase={1}mdb,cn=config", ldap.SCOPE_ONELEVEL)
    assert res == []


@pytest.fixture
def live(slapd):
    slapd.load_config_ldif(config_ldif(slapd, with_warden=True))
    slapd.start()
    slapd.add_users()
    return slapd


def test_state_dir_live(live):
    s = live
    new = s.mkdir("state2")
    rc, out = modify(s, replace("olcWardenStateDir", new))
    assert rc == 0, out
    assert (new / "data.mdb").exists()
    assert overlay_attrs(s)["olcWardenStateDir"] == [str(new)]

    for bad, text in [("relative", 'olcWardenStateDir: "relative" is not an absolute path'),
                      (f"{s.dir}/none", "No such file or directory"),
                      (str(s.dir / "slapd.log"), "is not a directory")]:
        rc, out = modify(s, replace("olcWardenStateDir", bad))
        assert rc == 80, out
        assert text in out
        assert overlay_attrs(s)["olcWardenStateDir"] == [str(new)]

    shared = s.mkdir("shared", 0o777)
    os.chmod(shared, 0o777)
    rc, out = modify(s, replace("olcWardenStateDir", shared))
    assert rc == 80 and "writable by group or others (mode 0777)" in out, out

    # Required: it cannot be deleted, only replaced.
    rc, out = modify(s, delete("olcWardenStateDir"))
    assert rc == 65, out
    assert overlay_attrs(s)["olcWardenStateDir"] == [str(new)]

    # The store stays usable after refusals: replacing with the same
    # directory reopens it.
    rc, out = modify(s, replace("olcWardenStateDir", new))
    assert rc == 0, out
    s.restart()
    assert overlay_attrs(s)["olcWardenStateDir"] == [str(new)]


def test_key_file_live(live):
    s = live
    good = s.dir / "warden.key"
    good.write_text(KEY)
    os.chmod(good, 0o600)
    rc, out = modify(s, f"add: olcWardenKeyFile\nolcWardenKeyFile: {good}\n")
    assert rc == 0, out
    assert overlay_attrs(s)["olcWardenKeyFile"] == [str(good)]

    loose = s.dir / "loose.key"
    loose.write_text(KEY)
    os.chmod(loose, 0o640)
    bad = s.dir / "bad.key"
    bad.write_text("k1 1234\n")
    os.chmod(bad, 0o600)
    for path, text in [(loose, "accessible by group or others (mode 0640)"),
                       (bad, "line 1: the key must be exactly 64 hex digits"),
                       (s.dir / "none.key", "cannot open"),
                       (s.dir, "is not a regular file")]:
        rc, out = modify(s, replace("olcWardenKeyFile", path))
        assert rc == 80, out
        assert f"olcWardenKeyFile: " in out and text in out, out
        assert "1234" not in out.replace(str(s.dir), "")
        assert overlay_attrs(s)["olcWardenKeyFile"] == [str(good)]

    rotated = s.dir / "rotated.key"
    rotated.write_text("k2 " + "ef" * 32 + "\n" + KEY)
    os.chmod(rotated, 0o400)
    rc, out = modify(s, replace("olcWardenKeyFile", rotated))
    assert rc == 0, out
    s.restart()
    assert overlay_attrs(s)["olcWardenKeyFile"] == [str(rotated)]
    rc, out = modify(s, delete("olcWardenKeyFile"))
    assert rc == 0, out
    assert "olcWardenKeyFile" not in overlay_attrs(s)
    s.restart()
    assert "olcWardenKeyFile" not in overlay_attrs(s)


def test_audit_file_live(live):
    s = live
    logs = s.mkdir("logs")
    first = logs / "audit.log"
    rc, out = modify(s, f"add: olcWardenAuditFile\nolcWardenAuditFile: {first}\n")
    assert rc == 0, out
    # Created at once, private.
    assert stat.S_IMODE(os.stat(first).st_mode) == 0o600

    (logs / "real.log").write_text("")
    os.symlink(logs / "real.log", logs / "link.log")
    os.mkfifo(logs / "fifo")
    for path, text in [(logs / "link.log", "is a symbolic link"),
                       (logs / "fifo", "is not a regular file"),
                       (s.dir / "nodir" / "a.log", "does not exist"),
                       ("audit.log", "is not an absolute path")]:
        rc, out = modify(s, replace("olcWardenAuditFile", path))
        assert rc == 80, out
        assert "olcWardenAuditFile: " in out and text in out, out
        assert overlay_attrs(s)["olcWardenAuditFile"] == [str(first)]

    second = logs / "audit2.log"
    rc, out = modify(s, replace("olcWardenAuditFile", second))
    assert rc == 0, out
    assert stat.S_IMODE(os.stat(second).st_mode) == 0o600
    s.restart()
    assert overlay_attrs(s)["olcWardenAuditFile"] == [str(second)]
    rc, out = modify(s, delete("olcWardenAuditFile"))
    assert rc == 0, out
    assert "olcWardenAuditFile" not in overlay_attrs(s)


def test_default_policy_live(live):
    s = live
    dn = f"cn=default,ou=policies,{SUFFIX}"
    rc, out = modify(s, f"add: olcWardenDefaultPolicy\nolcWardenDefaultPolicy: {dn}\n")
    assert rc == 0, out
    assert overlay_attrs(s)["olcWardenDefaultPolicy"] == [dn]

    rc, out = modify(s, replace("olcWardenDefaultPolicy", "cn=default,dc=other,dc=test"))
    assert rc == 80, out
    assert "olcWardenDefaultPolicy: \"cn=default,dc=other,dc=test\" is not within this database's suffix" in out
    rc, out = modify(s, replace("olcWardenDefaultPolicy", "this is not a DN"))
    assert rc == 21, out
    assert overlay_attrs(s)["olcWardenDefaultPolicy"] == [dn]

    other = f"cn=strict,ou=policies,{SUFFIX}"
    rc, out = modify(s, replace("olcWardenDefaultPolicy", other))
    assert rc == 0, out
    s.restart()
    assert overlay_attrs(s)["olcWardenDefaultPolicy"] == [other]
    rc, out = modify(s, delete("olcWardenDefaultPolicy"))
    assert rc == 0, out
    assert "olcWardenDefaultPolicy" not in overlay_attrs(s)


def test_refused_change_is_not_half_applied(live):
    s = live
    good = s.dir / "warden.key"
    good.write_text(KEY)
    os.chmod(good, 0o600)
    before = overlay_attrs(s)
    rc, out = modify(s, f"add: olcWardenKeyFile\nolcWardenKeyFile: {good}\n",
                     f"add: olcWardenAuditFile\nolcWardenAuditFile: {s.dir}/nodir/a.log\n")
    assert rc == 80, out
    assert overlay_attrs(s) == before
    s.restart()
    assert overlay_attrs(s) == before


def test_bind_unchanged_through_live_overlay(live):
    s = live
    c = s.conn(user_dn("bob"), USERPW)
    assert c.whoami_s() == "dn:" + user_dn("bob")
    with pytest.raises(ldap.INVALID_CREDENTIALS):
        s.conn(user_dn("bob"), USERPW + "x")
    # Anonymous and rootdn binds too.
    assert s.conn().whoami_s() == ""
    assert s.admin().whoami_s() == f"dn:cn=admin,{SUFFIX}"


def test_banned_list_live(live):
    s = live
    lst = s.dir / "banned.txt"
    lst.write_text("password\nletmein\n")
    good = s.dir / "banned.idx"
    p = subprocess.run([os.environ["WARDENCTL"], "banned", "build", str(lst), str(good)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    rc, out = modify(s, f"add: olcWardenBannedList\nolcWardenBannedList: {good}\n")
    assert rc == 0, out
    corrupt = s.dir / "corrupt.idx"
    corrupt.write_bytes(good.read_bytes()[:20])
    for path, text in [("relative.idx", "is not an absolute path"),
                       (s.dir / "none.idx", "none.idx"),
                       (corrupt, "corrupt.idx")]:
        rc, out = modify(s, replace("olcWardenBannedList", path))
        assert rc == 80, out
        assert "olcWardenBannedList: " in out and text in out, out
        assert overlay_attrs(s)["olcWardenBannedList"] == [str(good)]
    s.restart()
    assert overlay_attrs(s)["olcWardenBannedList"] == [str(good)]
    rc, out = modify(s, delete("olcWardenBannedList"))
    assert rc == 0, out
    assert "olcWardenBannedList" not in overlay_attrs(s)


def test_access_settings_live(live):
    s = live
    rc, out = modify(s, replace("olcWardenAccessDefault", "deny"))
    assert rc == 0, out
    assert overlay_attrs(s)["olcWardenAccessDefault"] == ["deny"]
    rc, out = modify(s, replace("olcWardenAccessDefault", "sometimes"))
    assert rc == 80 and "neither allow nor deny" in out, out
    assert overlay_attrs(s)["olcWardenAccessDefault"] == ["deny"]
    one, two = f"cn=nslcd,{SUFFIX}", f"cn=sssd,{SUFFIX}"
    rc, out = modify(s, f"add: olcWardenAccessExempt\nolcWardenAccessExempt: {one}\n"
                        f"olcWardenAccessExempt: {two}\n")
    assert rc == 0, out
    rc, out = modify(s, f"add: olcWardenAccessExempt\nolcWardenAccessExempt: not a dn\n")
    assert rc != 0, out
    rc, out = modify(s, f"delete: olcWardenAccessExempt\nolcWardenAccessExempt: {one}\n")
    assert rc == 0, out
    s.restart()
    attrs = overlay_attrs(s)
    assert attrs["olcWardenAccessExempt"] == [two]
    assert attrs["olcWardenAccessDefault"] == ["deny"]
