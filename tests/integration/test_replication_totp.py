# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""One code, two providers (issue 17): with multi-provider replication a
code used on one provider is refused on the other once the used time step
has replicated (oathTOTPLastTimeStep, ~0.1 s on loopback); sent to both at
once, both may accept it.  The test measures that window, the figure the
README quotes, and checks that a code is refused on the other provider
well after it."""
import os
import statistics
import threading
import time

import ldap
import ldap.modlist
import pytest

from conftest import ROOTDN, ROOTPW, SUFFIX, USERPW, Slapd, slappasswd, user_dn
from test_lockout import POLICY
from test_replication import INDEXES, POLICY_ATTRS, in_sync
from test_totp import KEY, code

USERS = [f"u{i:02d}" for i in range(24)]
SEEDS = {u: bytes([i + 1]) * 4 + os.urandom(16) for i, u in enumerate(USERS)}


def mpr_conf(s, sid, peer_uri):
    key = s.dir / "warden.key"
    key.write_text(KEY)               # the same key on both providers
    os.chmod(key, 0o600)
    sync = (f'syncrepl rid=00{sid} provider={peer_uri} type=refreshAndPersist '
            f'retry="1 +" searchbase="{SUFFIX}" bindmethod=simple binddn="{ROOTDN}" '
            f'credentials={ROOTPW}\nmultiprovider on\n')
    return (s.base_conf(["syncprov.la", __import__("conftest").MODULE]).replace(
        "database config", f"serverID {sid}\ndatabase config", 1) +
        s.mdb_conf(extra=INDEXES + sync) + "overlay syncprov\nsyncprov-checkpoint 100 1\n" +
        "access to attrs=userPassword by self write by anonymous auth by * none\n"
        "access to * by self write by users read by * none\n"
        f"overlay warden\nwarden-state-dir {s.state}\nwarden-key-file {key}\n"
        f"warden-default-policy {POLICY}\n")


@pytest.fixture
def providers(workdir):
    a, b = Slapd(workdir / "a"), Slapd(workdir / "b")
    try:
        a.write_conf(mpr_conf(a, 1, b.uri))
        b.write_conf(mpr_conf(b, 2, a.uri))
        a.start()
        b.start()
        c = a.admin()
        c.add_s(SUFFIX, [("objectClass", [b"dcObject", b"organization"]),
                         ("dc", [b"example"]), ("o", [b"example"])])
        for ou in ("people", "policies"):
            c.add_s(f"ou={ou},{SUFFIX}", [("objectClass", [b"organizationalUnit"]),
                                          ("ou", [ou.encode()])])
        c.add_s(POLICY, ldap.modlist.addModlist({**POLICY_ATTRS, "pwdMaxFailure": [b"10"]}))
        hashed = slappasswd(USERPW).encode()
        for u in USERS:
            c.add_s(user_dn(u), ldap.modlist.addModlist({
                "objectClass": [b"inetOrgPerson", b"oathTOTPUser", b"oathTOTPToken"],
                "uid": [u.encode()], "cn": [u.encode()], "sn": [u.encode()],
                "userPassword": [hashed], "oathTOTPToken": [user_dn(u).encode()],
                "oathSecret": [SEEDS[u]]}))
        assert in_sync(a, b), "the providers did not converge"
        yield a, b
    finally:
        b.stop()
        a.stop()


def try_bind(s, u, cred):
    c = ldap.initialize(s.uri)
    c.set_option(ldap.OPT_NETWORK_TIMEOUT, 10)
    try:
        c.simple_bind_s(user_dn(u), cred)
        return 0
    except ldap.INVALID_CREDENTIALS:
        return 49
    finally:
        c.unbind_s()


def test_code_used_on_one_provider_is_refused_on_the_other(providers):
    a, b = providers
    u = USERS[0]
    cred = USERPW + code(SEEDS[u])
    assert try_bind(a, u, cred) == 0
    time.sleep(1.0)                    # well after replication
    assert try_bind(b, u, cred) == 49
    assert try_bind(a, u, cred) == 49


def test_replay_window_between_providers(providers):
    """For each delay, a fresh user's code is used on a, then after the
    delay on b: the window is the longest delay at which b still accepts.
    Printed for the README; checked only to be short."""
    a, b = providers
    delays = [0.0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5]
    accepted = {}
    users = iter(USERS[1:])
    for d in delays:
        for _ in range(2):
            u = next(users)
            cred = USERPW + code(SEEDS[u])
            assert try_bind(a, u, cred) == 0
            if d:
                time.sleep(d)
            accepted.setdefault(d, []).append(try_bind(b, u, cred) == 0)
    # the same code sent to both at once
    u = next(users)
    cred = USERPW + code(SEEDS[u])
    results = {}
    go = threading.Barrier(2)

    def one(s):
        go.wait()
        results[s.uri] = try_bind(s, u, cred)
    ts = [threading.Thread(target=one, args=(s,)) for s in (a, b)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    time.sleep(1.0)
    older = sum(s.log_text().count("new entry is older than ours") for s in (a, b))
    print("replay window (delay s: accepted on the other provider):",
          {d: sum(v) for d, v in accepted.items()}, "at once:", results,
          "older-than-ours:", older)
    # within half a second of its use a code is refused everywhere
    assert not any(accepted[0.5]), accepted
    assert not any(accepted[0.2]), accepted
    assert 0 in results.values()
