# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""slapd run as Debian runs it, as openldap:openldap (-u/-g, as
/etc/default/slapd sets): the state directory, key file and audit file
with their documented owner and mode work, and each wrong owner or mode
stops slapd with a message naming the fix (issue 14)."""
import os
import pwd
import grp
import stat

import pytest

from conftest import MODULE, USERPW, Slapd, user_dn

USER = "openldap"
KEY = "k1 " + "7e" * 32 + "\n"


class UserSlapd(Slapd):
    """A slapd that drops to openldap:openldap after reading nothing."""

    def cmd(self):
        c = super().cmd()
        i = c.index("-d")
        return c[:i] + ["-u", USER, "-g", USER] + c[i:]


def own(path, mode=None):
    os.chown(path, pwd.getpwnam(USER).pw_uid, grp.getgrnam(USER).gr_gid)
    if mode is not None:
        os.chmod(path, mode)


@pytest.fixture
def osl(workdir):
    os.chmod(workdir, 0o711)
    s = UserSlapd(workdir / "s")
    for p in (s.dir, s.db, s.state):
        own(p)
    s.uid = pwd.getpwnam(USER).pw_uid
    s.who = f"uid {s.uid}, {USER}"
    yield s
    s.stop()


def write(s, extra):
    s.write_conf(s.base_conf([MODULE]) + s.mdb_conf() + "overlay warden\n" + extra)
    own(s.conf, 0o600)


def refused(s, extra, *texts):
    write(s, extra)
    assert s.start(expect_failure=True) != 0
    log = s.log_text()
    for t in texts:
        assert t in log, log[-3000:]


def test_documented_owners_and_modes_work(osl):
    s = osl
    key = s.dir / "warden.key"
    key.write_text(KEY)
    own(key, 0o600)
    logs = s.mkdir("log", 0o750)
    own(logs)
    write(s, f"warden-state-dir {s.state}\nwarden-key-file {key}\n"
             f"warden-audit-file {logs}/warden-audit.log\n")
    s.start()
    s.add_users()
    assert s.conn(user_dn("alice"), USERPW).whoami_s() == "dn:" + user_dn("alice")
    for f in (s.state / "data.mdb", logs / "warden-audit.log"):
        st = os.stat(f)
        assert st.st_uid == s.uid and stat.S_IMODE(st.st_mode) == 0o600, f
    s.restart()
    assert s.conn(user_dn("bob"), USERPW).whoami_s()


def test_state_dir_missing_says_what_to_create(osl):
    d = osl.dir / "warden"
    refused(osl, f"warden-state-dir {d}\n",
            f'warden-state-dir: cannot use "{d}": No such file or directory; create it for '
            f"slapd's user ({osl.who}): mkdir -m 0700 {d} && chown openldap:openldap {d}")


def test_state_dir_of_root_is_not_writable(osl):
    d = osl.mkdir("rootstate", 0o700)
    refused(osl, f"warden-state-dir {d}\n",
            f"warden-state-dir: \"{d}\" is not writable by slapd's user ({osl.who}): "
            f"Permission denied; chown openldap:openldap {d} && chmod 0700 {d}")


def test_state_dir_of_another_user(osl):
    d = osl.mkdir("other", 0o700)
    os.chown(d, 65534, 65534)
    refused(osl, f"warden-state-dir {d}\n",
            f"is owned by uid 65534, not by slapd's user ({osl.who}) or root: "
            f"chown openldap:openldap {d}")


def test_key_file_of_root_cannot_be_read(osl):
    key = osl.dir / "root.key"
    key.write_text(KEY)
    os.chmod(key, 0o600)
    refused(osl, f"warden-state-dir {osl.state}\nwarden-key-file {key}\n",
            f"warden-key-file: cannot open \"{key}\": Permission denied; slapd's user "
            f"({osl.who}) reads it, and no one else may: chown openldap:openldap {key} && "
            f"chmod 600 {key}")


@pytest.mark.parametrize("mode", [0o640, 0o604])
def test_key_file_readable_by_group_or_others_is_refused(osl, mode):
    key = osl.dir / "loose.key"
    key.write_text(KEY)
    own(key, mode)
    refused(osl, f"warden-state-dir {osl.state}\nwarden-key-file {key}\n",
            f"is accessible by group or others (mode {mode:04o}); it holds secret keys: chmod 600 it")


def test_key_file_missing_says_how_to_make_it(osl):
    key = osl.dir / "none.key"
    refused(osl, f"warden-state-dir {osl.state}\nwarden-key-file {key}\n",
            f"cannot open \"{key}\": No such file or directory; create it: (umask 077; "
            f"echo \"k1 $(openssl rand -hex 32)\" > {key}) && chown openldap:openldap {key}")


def test_audit_directory_not_writable(osl):
    logs = osl.mkdir("rootlog", 0o755)
    refused(osl, f"warden-state-dir {osl.state}\nwarden-audit-file {logs}/a.log\n",
            f"warden-audit-file: directory \"{logs}\" is not writable by slapd's user "
            f"({osl.who}), which creates \"{logs}/a.log\" (and a new one after each rotation): "
            f"chown openldap:openldap {logs} && chmod 0750 {logs}")


def test_audit_file_of_root_not_writable(osl):
    logs = osl.mkdir("log2", 0o750)
    own(logs)
    f = logs / "a.log"
    f.write_text("")
    os.chown(f, 0, 0)
    os.chmod(f, 0o600)
    refused(osl, f"warden-state-dir {osl.state}\nwarden-audit-file {f}\n",
            f"warden-audit-file: \"{f}\" is not writable by slapd's user ({osl.who}): "
            f"Permission denied; chown openldap:openldap {f} && chmod 0600 {f}")
