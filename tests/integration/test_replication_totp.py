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


def start_providers(workdir, b_extra=lambda a: ""):
    """Two providers with the TOTP users; b_extra(a) ends b's
    configuration.  Yields (a, b), both stopped after."""
    a, b = Slapd(workdir / "a"), Slapd(workdir / "b")
    try:
        a.write_conf(mpr_conf(a, 1, b.uri))
        b.write_conf(mpr_conf(b, 2, a.uri) + b_extra(a))
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


@pytest.fixture
def providers(workdir):
    yield from start_providers(workdir)


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


@pytest.fixture
def code_providers(workdir):
    """a decides one-time code steps; b sends them there
    (warden-code-provider)."""
    pw = workdir / "code-provider.pw"
    pw.write_text(ROOTPW + "\n")
    os.chmod(pw, 0o600)
    yield from start_providers(
        workdir, b_extra=lambda a: f'warden-code-provider {a.uri} "{ROOTDN}" {pw}\n')


def at_once(servers, u, cred):
    results = {}
    go = threading.Barrier(len(servers))

    def one(s):
        go.wait()
        results[s.uri] = try_bind(s, u, cred)
    ts = [threading.Thread(target=one, args=(s,)) for s in servers]
    for t in ts:
        t.start()
    for t in ts:
        t.join(30)
    return results


def test_code_provider_makes_one_code_one_login(code_providers):
    """With warden-code-provider a code sent to both providers at the same
    moment logs in once, and one used on either is refused on the other at
    once (no replication window)."""
    a, b = code_providers
    for u in USERS[:8]:
        got = at_once((a, b), u, USERPW + code(SEEDS[u]))
        assert sorted(got.values()) == [0, 49], (u, got)
    u = USERS[8]
    cred = USERPW + code(SEEDS[u])
    assert try_bind(b, u, cred) == 0
    assert try_bind(a, u, cred) == 49            # no delay: a decided
    u = USERS[9]
    cred = USERPW + code(SEEDS[u])
    assert try_bind(a, u, cred) == 0
    assert try_bind(b, u, cred) == 49
    assert "code provider took the one-time code step" in b.log_text()
    time.sleep(1.0)
    older = sum(s.log_text().count("new entry is older than ours") for s in (a, b))
    assert older == 0


def test_code_provider_down_fails_closed(code_providers):
    """While the code provider is down no code bind succeeds on the other
    provider (refused at once, not queued); the password and the rootdn
    still work; once it is back codes work again."""
    a, b = code_providers
    a.stop()
    u = USERS[10]
    t0 = time.time()
    assert try_bind(b, u, USERPW + code(SEEDS[u])) == 49
    assert time.time() - t0 < 8
    assert "did not take the one-time code step" in b.log_text()
    # the next ones fail at once for a while (no thread waits on a dead peer)
    t0 = time.time()
    assert try_bind(b, USERS[11], USERPW + code(SEEDS[USERS[11]])) == 49
    assert time.time() - t0 < 2
    b.admin().whoami_s()
    a.start()
    # (a refused code's step is spent on b: each try is another user's)
    for u in USERS[12:]:
        if try_bind(b, u, USERPW + code(SEEDS[u])) == 0:
            break
        time.sleep(1)
    else:
        pytest.fail("codes are still refused on b:\n" + b.tail(30))


def test_code_provider_settings_are_checked(workdir):
    s = Slapd(workdir / "s")
    base = mpr_conf(s, 1, "ldap://127.0.0.1:9/")
    for line, want in (
            ('warden-code-provider http://x/ "cn=a" /nonexistent\n', "is no ldap:// or ldaps:// URL"),
            ('warden-code-provider ldap://127.0.0.1:9/ "not a dn" /etc/hostname\n', "is not a DN"),
            ('warden-code-provider ldap://127.0.0.1:9/ "cn=a" /nonexistent\n',
             "cannot read the password file")):
        s.write_conf(base + line)
        import subprocess
        p = subprocess.run(["slaptest", "-f", str(s.conf)], capture_output=True, text=True,
                           env=s.env(), timeout=60)
        assert p.returncode != 0 and want in p.stderr, p.stderr
