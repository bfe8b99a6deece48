# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""slaptest -u refuses what slapd refuses at start (issue 14): for each
configuration, slaptest -u passes exactly when slapd starts."""
import os
import subprocess

import pytest

import conftest
from conftest import MODULE

KEY = "k1 " + "3c" * 32 + "\n"


def case(s, what):
    """(text after 'overlay warden') for one configuration."""
    d = s.dir
    sd = f"warden-state-dir {s.state}\n"
    if what == "good":
        return sd
    if what == "no-schema-file":          # the example: now registered by the module
        return sd
    if what == "state-dir-missing":
        return f"warden-state-dir {d}/nope\n"
    if what == "state-dir-relative":
        return "warden-state-dir state\n"
    if what == "state-dir-shared-mode":
        os.chmod(s.state, 0o777)
        return sd
    if what == "key-readable":
        (d / "k").write_text(KEY)
        os.chmod(d / "k", 0o640)
        return sd + f"warden-key-file {d}/k\n"
    if what == "key-missing":
        return sd + f"warden-key-file {d}/none.key\n"
    if what == "audit-dir-missing":
        return sd + f"warden-audit-file {d}/no/audit.log\n"
    if what == "banned-default-missing":
        return sd
    if what == "banned-none-before":
        return "warden-banned-list none\n" + sd
    if what == "policy-outside-suffix":
        return sd + "warden-default-policy cn=p,dc=elsewhere\n"
    raise KeyError(what)


CASES = ["good", "no-schema-file", "state-dir-missing", "state-dir-relative",
         "state-dir-shared-mode", "key-readable", "key-missing", "audit-dir-missing",
         "banned-default-missing", "banned-none-before", "policy-outside-suffix"]


@pytest.mark.parametrize("what", CASES)
def test_slaptest_u_agrees_with_start(slapd, what, monkeypatch):
    if what.startswith("banned-"):
        monkeypatch.setattr(conftest, "BANNED_DEFAULT", str(slapd.dir / "nowhere" / "banned.idx"))
    slapd.write_conf(slapd.base_conf([MODULE]) + slapd.mdb_conf() + "overlay warden\n" +
                     case(slapd, what))
    p = subprocess.run(["slaptest", "-u", "-f", str(slapd.conf)], capture_output=True,
                       text=True, errors="replace", env=slapd.env(), timeout=60)
    started = slapd.start(expect_failure=True) if p.returncode else None
    if p.returncode == 0:
        slapd.start()           # raises when slapd refuses what slaptest -u passed
    else:
        assert started != 0
    ok = what in ("good", "no-schema-file", "banned-none-before")
    assert (p.returncode == 0) == ok, p.stderr


def test_two_instances_one_state_dir_refused_by_slaptest(slapd):
    db2 = slapd.mkdir("db2")
    conf = (slapd.base_conf([MODULE]) +
            slapd.mdb_conf("dc=two,dc=test", db2, f"overlay warden\nwarden-state-dir {slapd.state}\n") +
            slapd.mdb_conf() + f"overlay warden\nwarden-state-dir {slapd.state}\n")
    slapd.write_conf(conf)
    p = subprocess.run(["slaptest", "-u", "-f", str(slapd.conf)], capture_output=True,
                       text=True, errors="replace", env=slapd.env(), timeout=60)
    assert p.returncode != 0
    assert "is already the state directory of another warden instance" in p.stderr
    assert slapd.start(expect_failure=True) != 0


def test_slapcat_works_where_slapd_would_not_start(slapd, monkeypatch):
    """A backup must be possible of a configuration that cannot start (the
    default banned list gone): slapcat does not make slapd's start checks."""
    slapd.write_conf(slapd.base_conf([MODULE]) + slapd.mdb_conf() + "overlay warden\n" +
                     case(slapd, "good"))
    slapd.start()
    slapd.add_users()
    slapd.stop()
    monkeypatch.setattr(conftest, "BANNED_DEFAULT", str(slapd.dir / "nowhere" / "banned.idx"))
    p = subprocess.run(["slapcat", "-f", str(slapd.conf)], capture_output=True, text=True,
                       errors="replace", env=slapd.env(), timeout=60)
    assert p.returncode == 0, p.stderr
    assert "dn: uid=alice" in p.stdout
    p = subprocess.run(["slaptest", "-u", "-f", str(slapd.conf)], capture_output=True,
                       text=True, errors="replace", env=slapd.env(), timeout=60)
    assert p.returncode != 0 and "install the default banned-password list" in p.stderr
