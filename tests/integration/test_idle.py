# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""Dormant accounts (issue 18): pwdMaxIdle refuses an account without a
successful bind for that long, as a lock does (49, accountLocked), until
an administrator unlocks it (wardenctl user enable) or resets its
password.  The last successful bind is recorded as pwdLastSuccess at most
once per warden-lastbind-precision (default a day), not at every bind.
The clock is the entry's: pwdLastSuccess, pwdChangedTime and
createTimestamp are set in the past by the rootdn with the Relax control."""
import subprocess
import time

import ldap
import pytest

from conftest import ROOTDN, ROOTPW, USERPW, user_dn
from test_expiry import RELAX, gentime, pp_bind
from test_lockout import WARDENCTL, bind, start

DAY = 86400


def attrs(s, u, *names):
    r = s.admin().search_s(user_dn(u), ldap.SCOPE_BASE, attrlist=list(names))
    return {k: [v.decode() for v in vals] for k, vals in r[0][1].items()}


def set_times(s, u, **ago):
    """Sets pwdLastSuccess, pwdChangedTime or createTimestamp to that many
    seconds ago (None: removes it)."""
    mods = []
    for name, secs in ago.items():
        vals = None if secs is None else [gentime(time.time() - secs)]
        mods.append((ldap.MOD_REPLACE, name, vals))
    s.admin().modify_ext_s(user_dn(u), mods, serverctrls=[RELAX])


def last_success(s, u):
    return attrs(s, u, "pwdLastSuccess").get("pwdLastSuccess", [None])[0]


def recorded(s, u, than=None, timeout=5.0):
    """pwdLastSuccess once it is there (and differs from than): warden
    writes it just after the bind, from a task of slapd's pool."""
    end = time.time() + timeout
    while True:
        v = last_success(s, u)
        if (v is not None and v != than) or time.time() > end:
            return v
        time.sleep(0.02)


def settled():
    """Long enough for a write queued by a bind to have been made."""
    time.sleep(0.5)


def old_user(s, u, idle):
    """u created, its password set and its last bind idle seconds ago."""
    set_times(s, u, createTimestamp=idle + 10 * DAY, pwdChangedTime=idle + 5 * DAY,
              pwdLastSuccess=idle)


def test_last_success_is_recorded_once_per_day(slapd):
    start(slapd)
    assert last_success(slapd, "alice") is None
    assert bind(slapd, "alice", USERPW)[0] == 0
    first = recorded(slapd, "alice")
    assert first and abs(time.mktime(time.strptime(first, "%Y%m%d%H%M%SZ")) -
                         time.mktime(time.gmtime())) < 60
    csn = attrs(slapd, "alice", "entryCSN")["entryCSN"]
    for _ in range(5):
        assert bind(slapd, "alice", USERPW)[0] == 0
    # no write per bind
    settled()
    assert attrs(slapd, "alice", "entryCSN")["entryCSN"] == csn
    # a recorded bind older than the precision is recorded again ...
    set_times(slapd, "alice", pwdLastSuccess=DAY + 60)
    stale = last_success(slapd, "alice")
    assert bind(slapd, "alice", USERPW)[0] == 0
    assert recorded(slapd, "alice", than=stale) >= first
    # ... one younger is not
    set_times(slapd, "alice", pwdLastSuccess=3600)
    kept = last_success(slapd, "alice")
    assert bind(slapd, "alice", USERPW)[0] == 0
    settled()
    assert last_success(slapd, "alice") == kept
    # a failed bind records nothing
    set_times(slapd, "bob", pwdLastSuccess=None)
    assert bind(slapd, "bob", "wrong-password")[0] == 49
    settled()
    assert last_success(slapd, "bob") is None


def test_precision_is_configurable(slapd):
    start(slapd, extra="warden-lastbind-precision 60\n")
    set_times(slapd, "alice", pwdLastSuccess=120)
    old = last_success(slapd, "alice")
    assert bind(slapd, "alice", USERPW)[0] == 0
    assert recorded(slapd, "alice", than=old) > old


def test_precision_zero_records_nothing(slapd):
    start(slapd, extra="warden-lastbind-precision 0\n")
    assert bind(slapd, "alice", USERPW)[0] == 0
    settled()
    assert last_success(slapd, "alice") is None


def test_precision_out_of_range_is_refused(slapd):
    from test_lockout import MODULE
    slapd.write_conf(slapd.base_conf([MODULE]) + slapd.mdb_conf() +
                     f"overlay warden\nwarden-state-dir {slapd.state}\n"
                     "warden-lastbind-precision 99999999\n")
    p = subprocess.run(["slaptest", "-f", str(slapd.conf)], capture_output=True,
                       text=True, env=slapd.env(), timeout=60)
    assert p.returncode != 0
    assert "99999999 is not a precision in seconds from 0 (off) to 31536000" in p.stderr


def test_dormant_account_is_refused_as_locked(slapd):
    start(slapd, {"pwdMaxIdle": str(30 * DAY)})
    old_user(slapd, "alice", 31 * DAY)
    old_user(slapd, "bob", 29 * DAY)
    # refused with the right password, the ppolicy control says locked
    assert bind(slapd, "alice", USERPW)[0] == 49
    assert pp_bind(slapd, "alice") == (49, {"error": 1})
    # a wrong password gets the same answer: no oracle
    assert pp_bind(slapd, "alice", "Wrong-Password-123") == (49, {"error": 1})
    # not dormant yet
    assert bind(slapd, "bob", USERPW)[0] == 0
    assert "dormant" in slapd.log_text() or "pwdMaxIdle" in slapd.log_text()


def test_new_account_counts_from_its_creation(slapd):
    start(slapd, {"pwdMaxIdle": str(30 * DAY)})
    # never bound, password never changed: created 31 days ago
    set_times(slapd, "alice", createTimestamp=31 * DAY, pwdLastSuccess=None,
              pwdChangedTime=None)
    assert bind(slapd, "alice", USERPW)[0] == 49
    # created 29 days ago: still good
    set_times(slapd, "bob", createTimestamp=29 * DAY, pwdLastSuccess=None,
              pwdChangedTime=None)
    assert bind(slapd, "bob", USERPW)[0] == 0


def test_administrator_enables_a_dormant_account(slapd):
    start(slapd, {"pwdMaxIdle": str(30 * DAY)})
    old_user(slapd, "alice", 40 * DAY)
    old_user(slapd, "bob", 40 * DAY)
    assert bind(slapd, "alice", USERPW)[0] == 49
    p = subprocess.run([WARDENCTL, "-H", slapd.uri, "-D", ROOTDN, "-w", ROOTPW, "user",
                        "enable", user_dn("alice")], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    assert bind(slapd, "alice", USERPW)[0] == 0
    # a password reset by an administrator enables it too
    assert bind(slapd, "bob", USERPW)[0] == 49
    slapd.admin().modify_s(user_dn("bob"), [(ldap.MOD_REPLACE, "userPassword",
                                             [b"Juniper-Glacier-Sonnet-71"])])
    assert bind(slapd, "bob", "Juniper-Glacier-Sonnet-71")[0] == 0


def test_sasl_external_of_a_dormant_account_is_refused(slapd):
    """The rule holds for every mechanism: ldapi EXTERNAL mapped to the
    user is refused as a simple bind is."""
    from test_credential_paths import start_sasl
    start_sasl(slapd, {"pwdMaxIdle": str(30 * DAY)})
    c = ldap.initialize(slapd.ldapi)
    c.sasl_external_bind_s()
    assert c.whoami_s() == "dn:" + user_dn("alice")
    c.unbind_s()
    old_user(slapd, "alice", 31 * DAY)
    c = ldap.initialize(slapd.ldapi)
    try:
        with pytest.raises(ldap.INVALID_CREDENTIALS):
            c.sasl_external_bind_s()
    finally:
        c.unbind_s()


def test_first_binds_at_once_record_one_write(slapd):
    """20 simultaneous first binds of the day of one user: each succeeds,
    and pwdLastSuccess is written once, after the binds (a pool task, not
    the binds themselves), as warden's own audited change; a restart
    right after keeps it."""
    import threading
    from test_audit import find, merged, records, start_audit
    # pwdMaxFailure 3: the attempts beyond three wait for those under
    # way (README: One credential check), and all succeed
    _, audit = start_audit(slapd, policy={"pwdMaxFailure": "3"})
    set_times(slapd, "alice", pwdLastSuccess=None)
    results = []

    def one():
        results.append(bind(slapd, "alice", USERPW)[0])

    threads = [threading.Thread(target=one) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == [0] * 20
    first = recorded(slapd, "alice")
    assert first
    settled()
    slapd.stop()
    writes = [r for r in find(merged(records(audit)), **{
        "event.action": "modify", "ldap.dn": user_dn("alice"),
        "warden.internal": True})
        if r["ldap.changes"][0]["attr"] == "pwdLastSuccess"]
    assert len(writes) == 1, writes
    slapd.start()
    assert last_success(slapd, "alice") == first
