# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""Audit across servers (issue 17): each server keeps its own chain, and
wardenctl audit export --trail merges the trails of a provider and its
consumer into one time-ordered stream, each record with its origin, after
verifying every chain; a trail that does not verify exports nothing."""
import json
import subprocess
import time

import ldap
import ldap.modlist

from conftest import USERPW, user_dn
from test_lockout import POLICY, WARDENCTL
from test_replication import (POLICY_ATTRS, base_entries, in_sync, pair,  # noqa: F401
                              start_pair, warden_conf)


def export(*args):
    return subprocess.run([WARDENCTL, "audit", "export", *args], capture_output=True,
                          text=True, timeout=60)


def lines(path):
    return [json.loads(x) for x in path.read_text().splitlines()]


def test_trails_of_two_servers_merged_in_time_order(pair):
    p, c = pair
    start_pair(p, c, warden_conf(p, overlays="overlay syncprov\nsyncprov-checkpoint 100 1\n"))
    a = p.admin()
    base_entries(a)
    a.add_s(POLICY, ldap.modlist.addModlist(POLICY_ATTRS))
    assert in_sync(p, c)
    for i in range(3):
        p.conn(user_dn("alice"), USERPW)
        c.conn(user_dn("bob"), USERPW)
        a.modify_s(user_dn("bob"), [(ldap.MOD_REPLACE, "description", [f"d{i}".encode()])])
    assert in_sync(p, c)
    time.sleep(0.5)                    # the results queued after the changes
    key = str(p.dir / "warden.key")
    trails = [f"provider={p.dir / 'audit.log'}", f"consumer={c.dir / 'audit.log'}"]
    r = export("--key-file", key, "--trail", trails[0], "--trail", trails[1])
    assert r.returncode == 0, r.stderr
    out = [json.loads(x) for x in r.stdout.splitlines()]
    np, nc = len(lines(p.dir / "audit.log")), len(lines(c.dir / "audit.log"))
    assert len(out) == np + nc
    assert {x["warden.origin"] for x in out} == {"provider", "consumer"}
    assert sum(x["warden.origin"] == "consumer" for x in out) == nc
    # in time order across the servers: each record of one server comes
    # before the next of the other that is later.  Within one trail, chain
    # order wins: records stamped by concurrent threads (a bind's, and the
    # pwdLastSuccess a pool task writes after it) may be microseconds out
    # of time order there, and the merge keeps the chain.
    for x, y in zip(out, out[1:]):
        if x["warden.origin"] != y["warden.origin"]:
            assert x["@timestamp"] <= y["@timestamp"], ("not in time order", x, y)
    # each server's records in their chain's order, with their chain members
    for origin in ("provider", "consumer"):
        seqs = [x["warden.seq"] for x in out if x["warden.origin"] == origin]
        assert seqs == sorted(seqs) and all("warden.hash" in x for x in out)
    # the consumer applied the provider's changes: marked, with its origin
    rep = [x for x in out if x.get("ldap.replicated")]
    assert rep and all(x["warden.origin"] == "consumer" for x in rep)
    # both servers' binds, filtered
    r = export("--key-file", key, "--action", "bind", "--trail", trails[0], "--trail", trails[1])
    binds = [json.loads(x) for x in r.stdout.splitlines()]
    assert r.returncode == 0 and binds and all(x["event.action"] == "bind" for x in binds)
    assert {x["warden.origin"] for x in binds} == {"provider", "consumer"}
    # pseudonymized, merged
    r = export("--key-file", key, "--pseudonymize", "--trail", trails[0], "--trail", trails[1])
    assert r.returncode == 0, r.stderr
    assert "alice" not in r.stdout and "bob" not in r.stdout
    assert all(json.loads(x)["warden.pseudonymized"] for x in r.stdout.splitlines())

    # one edited record on the consumer: nothing is exported
    text = (c.dir / "audit.log").read_text().replace('"event.action":"bind"',
                                                     '"event.action":"bonk"', 1)
    (c.dir / "audit.log").write_text(text)
    r = export("--key-file", key, "--trail", trails[0], "--trail", trails[1])
    assert r.returncode == 1 and r.stdout == "", r.stdout
    assert "consumer:" in r.stderr and "edited" in r.stderr, r.stderr


def test_trail_option_usage(tmp_path):
    f = tmp_path / "a.log"
    f.write_text("")
    for args in (["--trail", "nofile"], ["--trail", "=x"], ["--trail", f"a={f}", str(f)]):
        r = export(*args)
        assert r.returncode == 2, (args, r.stderr)
    r = subprocess.run([WARDENCTL, "audit", "verify", "--trail", f"a={f}"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
