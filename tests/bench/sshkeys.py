#!/usr/bin/python3
# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""The cost of serving SSH keys only where a user may log in (issue 19):
wbench -W search-keys (a user's entry with uid and sshPublicKey, base
scope, as sssd asks) against slapd without warden and with it, N users each
with an Ed25519 key, half of them in the group the one system (127.0.0.1)
allows, searched as a service account (warden-access-exempt).  Runs both
slapds alternately, REPS times each, and prints operations per second.

usage: WARDEN_BUILDDIR=build tests/bench/sshkeys.py [N [SECONDS [REPS]]]"""
import base64
import os
import re
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "integration"))
BUILD = Path(os.environ.get("WARDEN_BUILDDIR", HERE.parents[1] / "build")).resolve()
os.environ.setdefault("WARDEN_MODULE", str(BUILD / ".libs" / "warden.so"))
os.environ.setdefault("WARDEN_BANNED_DEFAULT", str(BUILD / "banned.idx"))
import conftest                                           # noqa: E402
from conftest import MODULE, ROOTDN, ROOTPW, SUFFIX, Slapd, slappasswd   # noqa: E402

LPK = ("attributetype ( 1.3.6.1.4.1.24552.500.1.1.1.13 NAME 'sshPublicKey' "
       "EQUALITY octetStringMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 )\n"
       "objectclass ( 1.3.6.1.4.1.24552.500.1.1.2.0 NAME 'ldapPublicKey' SUP top "
       "AUXILIARY MAY ( sshPublicKey $ uid ) )\n")
PW = "Bench-pass-2026!"


def key(i):
    s = lambda b: struct.pack(">I", len(b)) + b
    blob = s(b"ssh-ed25519") + s(os.urandom(32))
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} u{i}@bench"


def ldif(n):
    out = [f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: x\n",
           f"dn: ou=people,{SUFFIX}\nobjectClass: organizationalUnit\nou: people\n",
           f"dn: cn=svc,{SUFFIX}\nobjectClass: organizationalRole\n"
           f"objectClass: simpleSecurityObject\ncn: svc\nuserPassword: {slappasswd(PW)}\n"]
    for i in range(n):
        out.append(f"dn: uid=u{i},ou=people,{SUFFIX}\nobjectClass: inetOrgPerson\n"
                   f"objectClass: posixAccount\nobjectClass: ldapPublicKey\nuid: u{i}\n"
                   f"cn: u{i}\nsn: u{i}\nuidNumber: {10000 + i}\ngidNumber: 10000\n"
                   f"homeDirectory: /home/u{i}\nsshPublicKey: {key(i)}\n")
    members = "".join(f"member: uid=u{i},ou=people,{SUFFIX}\n" for i in range(0, n, 2))
    out.append(f"dn: cn=ssh-users,{SUFFIX}\nobjectClass: groupOfNames\ncn: ssh-users\n{members}")
    out.append(f"dn: cn=bench-host,{SUFFIX}\nobjectClass: device\nobjectClass: wardenSystem\n"
               f"cn: bench-host\nwardenNetwork: 127.0.0.1\n"
               f"wardenAllowedGroup: cn=ssh-users,{SUFFIX}\n")
    return "\n".join(out)


def slapd(base, warden, n):
    s = Slapd(base)
    acl = "access to * by users read by * auth\n"
    if warden:
        s.write_conf(s.base_conf([MODULE]) + s.mdb_conf() + acl +
                     f"overlay warden\nwarden-state-dir {s.state}\n"
                     f"warden-access-exempt cn=svc,{SUFFIX}\n")
    else:
        # the same entries without warden: its system attributes as plain ones
        (base / "lpk.schema").write_text(
            LPK + "attributetype ( 1.3.6.1.4.1.99999.2 NAME 'wardenNetwork' SUP name )\n"
            "attributetype ( 1.3.6.1.4.1.99999.3 NAME 'wardenAllowedGroup' "
            "SUP distinguishedName )\nobjectclass ( 1.3.6.1.4.1.99999.1 NAME "
            "'wardenSystem' AUXILIARY MAY ( cn $ wardenNetwork $ wardenAllowedGroup ) )\n")
        conf = s.base_conf().replace("pidfile", f"include {base}/lpk.schema\npidfile", 1)
        s.write_conf(conf + s.mdb_conf() + acl)
    data = base / "data.ldif"
    data.write_text(ldif(n))
    subprocess.run(["slapadd", "-q", "-f", str(s.conf), "-l", str(data)], check=True)
    s.start()
    return s


def run(s, n, secs):
    p = subprocess.run([str(BUILD / "tests/bench/wbench"), "-W", "search-keys", "-H", s.uri,
                        "-D", f"cn=svc,{SUFFIX}", "-w", PW,
                        "-b", f"uid=u%d,ou=people,{SUFFIX}", "-n", str(n), "-t", "2",
                        "-c", "2", "-d", str(secs), "-r"],
                       capture_output=True, text=True, timeout=secs + 60)
    m = re.search(r"ops_s=([0-9.]+)", p.stdout)
    assert m, p.stdout + p.stderr
    return float(m.group(1)), p.stdout


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    secs = float(sys.argv[2]) if len(sys.argv) > 2 else 5
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    with tempfile.TemporaryDirectory() as d:
        servers = {"bare": slapd(Path(d) / "bare", False, n),
                   "warden": slapd(Path(d) / "warden", True, n)}
        try:
            # half the keys are served by warden: check once
            got = subprocess.run(["ldapsearch", "-LLL", "-x", "-H", servers["warden"].uri,
                                  "-D", f"cn=svc,{SUFFIX}", "-w", PW, "-b",
                                  f"ou=people,{SUFFIX}", "sshPublicKey"],
                                 capture_output=True, text=True).stdout
            print(f"warden serves {got.count('sshPublicKey:')} keys of "
                  f"{got.count('dn: ')} entries returned (sizelimit)")
            res = {k: [] for k in servers}
            for _ in range(reps):
                for k, s in servers.items():
                    res[k].append(run(s, n, secs)[0])
            for k, v in res.items():
                print(f"{k:7s} search-keys ops/s: " + " ".join(f"{x:.0f}" for x in v) +
                      f"  median {sorted(v)[len(v) // 2]:.0f}")
        finally:
            for s in servers.values():
                s.stop()


if __name__ == "__main__":
    main()
