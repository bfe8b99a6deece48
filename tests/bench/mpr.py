#!/usr/bin/python3
# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""The failed-bind storm on two providers (issue 17): two slapd with
warden that replicate each other (multiprovider, syncrepl on loopback)
against two with ppolicy.la configured alike, in the same run, on the
same data.  wbench's bind-fail-spread runs against both providers of a
pair at once (an attacker who spreads wrong passwords over users and over
servers), on a fresh slice of users each repetition, alternating the
pairs.  Prints per repetition and as medians: failed binds answered per
second (both servers together), slapd CPU per failed bind (both servers'
user+system time), and the DIT writes replication carried (the entries
changed, read from each server's contextCSN-ordered changes), with the
ratios warden / ppolicy.

    make -C build bench-mpr BENCH_MPR_ARGS="--users 4000 --reps 5 --duration 4"
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
import ldap  # noqa: E402
import ldap.modlist  # noqa: E402

from conftest import MODULE, ROOTDN, ROOTPW, SUFFIX, Slapd, slappasswd  # noqa: E402

WBENCH = os.environ.get("WBENCH", "")
POLICY = f"cn=default,ou=policies,{SUFFIX}"
PEOPLE = f"ou=people,{SUFFIX}"
USERPW = "Bench-pass-2026!"
MAX_FAILURE = 5
INDEXES = "index objectClass eq\nindex entryCSN,entryUUID eq\nindex uid eq\n"
ACL = ("access to attrs=userPassword by self write by anonymous auth by * none\n"
       "access to * by self write by users read by * none\n")


class Quiet(Slapd):
    """No debug output: logging would cost both stacks alike."""

    def cmd(self):
        c = super().cmd()
        c[c.index("-d") + 1] = "0"
        return c


def conf(s, sid, peer, stack):
    sync = (f'syncrepl rid={100 + peer.sid:03d} provider={peer.uri} '
            f'type=refreshAndPersist retry="1 +" searchbase="{SUFFIX}" '
            f'bindmethod=simple binddn="{ROOTDN}" credentials={ROOTPW}\n')
    if stack == "warden":
        mods, overlay = ["syncprov.la", MODULE], (
            f"overlay warden\nwarden-state-dir {s.state}\n"
            f"warden-default-policy {POLICY}\n")
    else:
        mods, overlay = ["syncprov.la", "ppolicy.la"], (
            f"overlay ppolicy\nppolicy_default {POLICY}\nppolicy_use_lockout\n")
    return (s.base_conf(mods) + f"serverID {sid}\n" + s.mdb_conf(extra=INDEXES) + sync +
            "multiprovider on\noverlay syncprov\nsyncprov-checkpoint 100 1\n" + ACL +
            overlay)


def csn(s):
    r = s.admin().search_s(SUFFIX, ldap.SCOPE_BASE, attrlist=["contextCSN"])
    return sorted(r[0][1].get("contextCSN", []))


def converge(nodes, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if csn(nodes[0]) and csn(nodes[0]) == csn(nodes[1]):
                return
        except ldap.LDAPError:
            pass
        time.sleep(0.2)
    raise SystemExit("mpr: the providers did not converge")


def populate(a, users):
    a.add_s(SUFFIX, [("objectClass", [b"dcObject", b"organization"]),
                     ("dc", [b"example"]), ("o", [b"example"])])
    for ou in ("people", "policies"):
        a.add_s(f"ou={ou},{SUFFIX}", [("objectClass", [b"organizationalUnit"]),
                                      ("ou", [ou.encode()])])
    a.add_s(POLICY, [("objectClass", [b"device", b"pwdPolicy"]), ("cn", [b"default"]),
                     ("pwdAttribute", [b"userPassword"]),
                     ("pwdMaxFailure", [str(MAX_FAILURE).encode()]),
                     ("pwdLockout", [b"TRUE"]), ("pwdLockoutDuration", [b"600"]),
                     ("pwdFailureCountInterval", [b"600"])])
    hashed = slappasswd(USERPW).encode()
    pending = []
    for i in range(users):
        u = f"u{i}".encode()
        pending.append(a.add(f"uid=u{i},{PEOPLE}", ldap.modlist.addModlist({
            "objectClass": [b"inetOrgPerson"], "uid": [u], "cn": [u], "sn": [u],
            "userPassword": [hashed]})))
        if len(pending) >= 200:
            for m in pending:
                a.result(m)
            pending = []
    for m in pending:
        a.result(m)


def start_pair(base, stack, users):
    nodes = [Quiet(base / f"{stack}{i + 1}") for i in range(2)]
    for i, n in enumerate(nodes):
        n.sid = i + 1
    for n in nodes:
        n.write_conf(conf(n, n.sid, nodes[1 - nodes.index(n)], stack))
    for n in nodes:
        n.start()
    populate(nodes[0].admin(), users)
    converge(nodes)
    return nodes


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def storm(nodes, first, n, duration, threads, conns):
    cpu0 = sum(cpu_seconds(x.proc.pid) for x in nodes)
    procs = [subprocess.Popen(
        [WBENCH, "-W", "bind-fail-spread", "-H", x.uri, "-b", f"uid=u%d,{PEOPLE}",
         "-x", "wrong-password", "-o", str(first), "-n", str(n), "-d", str(duration),
         "-t", str(threads), "-c", str(conns), "-r"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for x in nodes]
    outs = [p.communicate(timeout=duration + 120) for p in procs]
    cpu = sum(cpu_seconds(x.proc.pid) for x in nodes) - cpu0
    ops = errors = 0
    elapsed = 0.0
    for p, (out, err) in zip(procs, outs):
        if p.returncode != 0:
            raise SystemExit(f"mpr: wbench failed: {err}")
        kv = dict(f.split("=", 1) for f in out.split() if "=" in f)
        ops += int(kv["ops"])
        errors += int(kv["errors"])
        elapsed = max(elapsed, float(kv["elapsed"]))
    return ops, errors, elapsed, cpu


def writes(nodes, stack):
    """Entries the storm left written on the first server: users whose
    entry holds ppolicy's failure state, or warden's per-server state
    entries (the users' own entries are not written in this mode)."""
    a = nodes[0].admin()
    if stack == "warden":
        flt, base = "(objectClass=wardenUserState)", SUFFIX
    else:
        flt, base = "(pwdFailureTime=*)", PEOPLE
    try:
        return len(a.search_s(base, ldap.SCOPE_SUBTREE, flt, ["1.1"]))
    except ldap.LDAPError:
        return -1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--users", type=int, default=2000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--duration", type=float, default=4)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--conns", type=int, default=4)
    a = ap.parse_args()
    if not WBENCH or not MODULE:
        raise SystemExit("mpr: run through make bench-mpr (WBENCH, WARDEN_MODULE)")
    base = Path(tempfile.mkdtemp(prefix="wdn-bench-mpr-", dir="/tmp"))
    slice_ = a.users // a.reps
    pairs = {}
    res = {"warden": [], "ppolicy": []}
    try:
        for stack in ("warden", "ppolicy"):
            pairs[stack] = start_pair(base, stack, a.users)
        print(f"mpr: {a.users} users, pwdMaxFailure {MAX_FAILURE}, {a.reps} repetitions of "
              f"{a.duration:g} s on {slice_} users each, wbench -t {a.threads} -c {a.conns} "
              "against both providers of a pair at once", flush=True)
        for rep in range(a.reps):
            order = ("warden", "ppolicy") if rep % 2 == 0 else ("ppolicy", "warden")
            for stack in order:
                ops, errors, elapsed, cpu = storm(pairs[stack], rep * slice_, slice_,
                                                  a.duration, a.threads, a.conns)
                res[stack].append((ops / elapsed, cpu / max(ops, 1) * 1e6))
                print(f"rep {rep + 1} {stack:8s} failed binds/s {ops / elapsed:9.0f}  "
                      f"errors {errors}  CPU/bind {cpu / max(ops, 1) * 1e6:7.1f} us", flush=True)
        for stack in ("warden", "ppolicy"):
            converge(pairs[stack])
        w = {k: writes(pairs[k], k) for k in pairs}
        med = {k: (statistics.median(x[0] for x in v), statistics.median(x[1] for x in v))
               for k, v in res.items()}
        print(f"median   warden   failed binds/s {med['warden'][0]:9.0f}  CPU/bind "
              f"{med['warden'][1]:7.1f} us  entries written {w['warden']}")
        print(f"median   ppolicy  failed binds/s {med['ppolicy'][0]:9.0f}  CPU/bind "
              f"{med['ppolicy'][1]:7.1f} us  entries written {w['ppolicy']}")
        worst = min(x[0] for x in res["warden"]) / max(x[0] for x in res["ppolicy"])
        print(f"ratio warden/ppolicy: throughput {med['warden'][0] / med['ppolicy'][0]:.2f}x "
              f"(worst repetition against best {worst:.2f}x), CPU per failed bind "
              f"{med['warden'][1] / med['ppolicy'][1]:.2f}x")
    finally:
        for nodes in pairs.values():
            for n in nodes:
                n.stop()
        subprocess.run(["rm", "-rf", str(base)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
