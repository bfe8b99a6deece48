# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""warden.la loads into Debian's slapd from slapd.conf, refuses bad values
with a message naming the directive, and leaves binds unchanged."""
import os
import stat
import subprocess

import ldap
import pytest

from conftest import (MODULE, WRONGVER_MODULE, SUFFIX, USERPW, ROOTDN, ROOTPW,
                      Slapd, user_dn)

KEY = "k1 " + "ab" * 32 + "\n"


def warden_conf(s, extra="", modules=None):
    modules = [MODULE] if modules is None else modules
    return (s.base_conf(modules) + s.mdb_conf() +
            f"overlay warden\nwarden-state-dir {s.state}\n" + extra)


def test_module_exports_only_init_module():
    out = subprocess.run(["nm", "-D", "--defined-only", MODULE],
                         capture_output=True, text=True, check=True).stdout
    names = sorted(l.split()[-1] for l in out.splitlines() if l.strip())
    assert names == ["init_module"], names


def test_loads_from_slapd_conf_and_bind_is_unchanged(slapd):
    keyfile = slapd.dir / "warden.key"
    keyfile.write_text(KEY)
    os.chmod(keyfile, 0o600)
    audit = slapd.dir / "audit.log"
    slapd.write_conf(warden_conf(slapd,
        f"warden-key-file {keyfile}\nwarden-audit-file {audit}\n"
        f"warden-default-policy \"cn=default,ou=policies,{SUFFIX}\"\n"))
    slapd.start()
    slapd.add_users()
    a = slapd.admin()
    a.add_s("ou=policies," + SUFFIX, [("objectClass", [b"organizationalUnit"]),
                                      ("ou", [b"policies"])])
    a.add_s("cn=default,ou=policies," + SUFFIX, [
        ("objectClass", [b"device", b"pwdPolicy"]), ("cn", [b"default"]),
        ("pwdAttribute", [b"userPassword"])])

    # Simple binds behave exactly as without the overlay.
    c = slapd.conn(user_dn("alice"), USERPW)
    assert c.whoami_s() == "dn:" + user_dn("alice")
    with pytest.raises(ldap.INVALID_CREDENTIALS):
        slapd.conn(user_dn("alice"), "wrong")
    with pytest.raises(ldap.INVALID_CREDENTIALS):
        slapd.conn(user_dn("nobody"), USERPW)
    res = c.search_s(SUFFIX, ldap.SCOPE_SUBTREE, "(uid=bob)", ["cn"])
    assert res[0][1]["cn"] == [b"bob"]

    # The state store is open in the state directory, private.
    st = os.stat(slapd.state / "data.mdb")
    assert stat.S_IMODE(st.st_mode) == 0o600
    # The audit file exists, private.
    assert stat.S_IMODE(os.stat(audit).st_mode) == 0o600

    # The configuration shows in cn=config.
    cfg = slapd.config()
    res = cfg.search_s("cn=config", ldap.SCOPE_SUBTREE, "(objectClass=olcWardenConfig)")
    assert len(res) == 1
    dn, attrs = res[0]
    assert dn.startswith("olcOverlay={0}warden,olcDatabase={1}mdb")
    assert attrs["olcWardenStateDir"] == [str(slapd.state).encode()]
    assert attrs["olcWardenKeyFile"] == [str(keyfile).encode()]
    assert attrs["olcWardenAuditFile"] == [str(audit).encode()]
    assert attrs["olcWardenDefaultPolicy"] == [f"cn=default,ou=policies,{SUFFIX}".encode()]


def test_registers_password_policy_schema(slapd):
    slapd.write_conf(warden_conf(slapd))
    slapd.start()
    slapd.add_users()
    a = slapd.admin()
    a.add_s("ou=policies," + SUFFIX, [("objectClass", [b"organizationalUnit"]),
                                      ("ou", [b"policies"])])
    a.add_s("cn=default,ou=policies," + SUFFIX, [
        ("objectClass", [b"device", b"pwdPolicy"]), ("cn", [b"default"]),
        ("pwdAttribute", [b"userPassword"]), ("pwdMaxFailure", [b"5"]),
        ("pwdLockout", [b"TRUE"]), ("pwdMinLength", [b"12"])])
    # The operational attributes sssd and administrators know are there.
    a.modify_s(user_dn("bob"), [(ldap.MOD_ADD, "pwdAccountLockedTime", [b"000001010000Z"])])
    res = a.search_s(user_dn("bob"), ldap.SCOPE_BASE, attrlist=["pwdAccountLockedTime"])
    assert res[0][1]["pwdAccountLockedTime"] == [b"000001010000Z"]
    a.modify_s(user_dn("bob"), [(ldap.MOD_DELETE, "pwdAccountLockedTime", None)])
    sub = a.search_s("cn=Subschema", ldap.SCOPE_BASE, attrlist=["attributeTypes"])
    types = b"\n".join(sub[0][1]["attributeTypes"])
    for name in (b"pwdFailureTime", b"pwdChangedTime", b"pwdHistory", b"pwdReset",
                 b"pwdPolicySubentry"):
        assert b"'" + name + b"'" in types


def peers_conf(slapd, mods):
    db2 = slapd.mkdir("db2")
    return (slapd.base_conf(mods) +
            slapd.mdb_conf("dc=peers,dc=test", db2,
                           "overlay ppolicy\nppolicy_default \"cn=p,dc=peers,dc=test\"\n"
                           "overlay otp\n") +
            slapd.mdb_conf() + f"overlay warden\nwarden-state-dir {slapd.state}\n")


@pytest.mark.parametrize("late", ["ppolicy.la", "otp.la"])
def test_ppolicy_or_otp_after_warden_is_refused_with_the_order(slapd, late):
    """warden registers their schema when it loads (issue 14), and they
    refuse to register it twice: slapd stops, and the log says the order."""
    if late == "otp.la" and os.environ.get("WARDEN_PRELOAD", "").strip():
        # slapd's own register_at() logs the refusal of otp.la's
        # OID-macro definitions from memory at_add() has freed: a
        # use-after-free of slapd that AddressSanitizer reports
        pytest.skip("slapd's register_at error path is a use-after-free under ASan")
    mods = ["ppolicy.la", "otp.la"]
    mods.remove(late)
    slapd.write_conf(peers_conf(slapd, mods + [MODULE, late]))
    assert slapd.start(expect_failure=True) != 0
    log = slapd.log_text()
    assert f"load {'ppolicy.la' if late == 'ppolicy.la' else 'otp.la'}" in log
    assert "before warden.la" in log
    # (otp.la's own message carries garbage bytes: decode leniently)
    p = subprocess.run(["slaptest", "-u", "-f", str(slapd.conf)], capture_output=True,
                       text=True, errors="replace", env=slapd.env(), timeout=60)
    assert p.returncode != 0 and "before warden.la" in p.stderr, p.stderr


def test_coexists_with_ppolicy_and_otp(slapd):
    slapd.write_conf(peers_conf(slapd, ["ppolicy.la", "otp.la", MODULE]))
    slapd.start()
    slapd.add_users()
    assert slapd.conn(user_dn("alice"), USERPW).whoami_s()
    p = slapd.conn("cn=admin,dc=peers,dc=test", "admin-secret-1")
    p.add_s("dc=peers,dc=test", [("objectClass", [b"dcObject", b"organization"]),
                                 ("dc", [b"peers"]), ("o", [b"peers"])])
    p.add_s("cn=p,dc=peers,dc=test", [("objectClass", [b"device", b"pwdPolicy"]),
                                      ("cn", [b"p"]), ("pwdAttribute", [b"userPassword"])])
    p.add_s("cn=tok,dc=peers,dc=test", [("objectClass", [b"device", b"oathTOTPToken"]),
                                        ("cn", [b"tok"])])


def test_refuses_wrong_slapd_version(slapd):
    slapd.write_conf(slapd.base_conf([WRONGVER_MODULE]) + slapd.mdb_conf())
    rc = slapd.start(expect_failure=True)
    assert rc != 0
    log = slapd.log_text()
    assert "warden: refusing to load: built for slapd 0.0.0-warden-test but this is" in log
    assert "rebuild warden against the source of this slapd" in log


def _bad(s, what):
    """Returns (extra config, expected text) for one kind of bad value."""
    d = s.dir
    if what == "state-dir-relative":
        return "warden-state-dir state\n", 'warden-state-dir: "state" is not an absolute path'
    if what == "state-dir-missing":
        return f"warden-state-dir {d}/nope\n", f'warden-state-dir: cannot use "{d}/nope": No such file or directory'
    if what == "state-dir-shared":
        os.chmod(s.state, 0o777)
        return "", "is writable by group or others (mode 0777)"
    if what == "state-dir-not-owned":
        os.chown(s.state, 65534, 65534)
        return "", "is owned by uid 65534"
    if what == "key-file-readable":
        k = d / "k"
        k.write_text(KEY)
        os.chmod(k, 0o644)
        return f"warden-key-file {k}\n", "is accessible by group or others (mode 0644); it holds secret keys: chmod 600 it"
    if what == "key-file-malformed":
        k = d / "k"
        k.write_text("k1 abcdef\n")
        os.chmod(k, 0o600)
        return f"warden-key-file {k}\n", "line 1: the key must be exactly 64 hex digits"
    if what == "key-file-missing":
        return f"warden-key-file {d}/nokey\n", f'warden-key-file: cannot open "{d}/nokey"'
    if what == "audit-dir-missing":
        return f"warden-audit-file {d}/no/audit.log\n", f'warden-audit-file: directory "{d}/no" does not exist'
    if what == "audit-symlink":
        (d / "real.log").write_text("")
        os.symlink(d / "real.log", d / "link.log")
        return f"warden-audit-file {d}/link.log\n", "is a symbolic link; name the file itself"
    if what == "policy-outside-suffix":
        return "warden-default-policy cn=p,dc=elsewhere\n", "warden-default-policy: \"cn=p,dc=elsewhere\" is not within this database's suffix"
    if what == "policy-not-a-dn":
        return "warden-default-policy not-a-dn\n", 'warden-default-policy: "not-a-dn" is not a valid DN'
    raise KeyError(what)


BAD = ["state-dir-relative", "state-dir-missing", "state-dir-shared", "state-dir-not-owned",
       "key-file-readable", "key-file-malformed", "key-file-missing",
       "audit-dir-missing", "audit-symlink", "policy-outside-suffix", "policy-not-a-dn"]


@pytest.mark.parametrize("what", BAD)
def test_bad_value_in_slapd_conf_stops_slapd(slapd, what):
    extra, expected = _bad(slapd, what)
    if what.startswith("state-dir-") and extra:
        conf = slapd.base_conf([MODULE]) + slapd.mdb_conf() + "overlay warden\n" + extra
    else:
        conf = warden_conf(slapd, extra)
    slapd.write_conf(conf)
    rc = slapd.start(expect_failure=True)
    assert rc != 0
    assert expected in slapd.log_text()


def test_state_dir_is_required(slapd):
    slapd.write_conf(slapd.base_conf([MODULE]) + slapd.mdb_conf() + "overlay warden\n")
    assert slapd.start(expect_failure=True) != 0
    assert "warden-state-dir (olcWardenStateDir) is not set" in slapd.log_text()


def test_state_dir_cannot_be_shared_by_two_databases(slapd):
    db2 = slapd.mkdir("db2")
    conf = (slapd.base_conf([MODULE]) +
            slapd.mdb_conf("dc=two,dc=test", db2, f"overlay warden\nwarden-state-dir {slapd.state}\n") +
            slapd.mdb_conf() + f"overlay warden\nwarden-state-dir {slapd.state}\n")
    slapd.write_conf(conf)
    assert slapd.start(expect_failure=True) != 0
    assert "is already the state directory of another warden instance" in slapd.log_text()


def test_refuses_global_overlay(slapd):
    conf = slapd.base_conf([MODULE]).replace(
        "database config", f"overlay warden\nwarden-state-dir {slapd.state}\ndatabase config")
    slapd.write_conf(conf + slapd.mdb_conf())
    assert slapd.start(expect_failure=True) != 0
    assert "warden must be configured on a database" in slapd.log_text()
