# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""contrib/logrotate/warden rotates the audit trail while slapd (as
openldap) writes it: no record is lost, the hash chain continues across
the files, also over a restart on a freshly rotated file, and wardenctl
audit verify accepts the set, oldest first (issue 14)."""
import gzip
import json
import os
import re
import subprocess
import threading
import time

import ldap
import pytest

from conftest import SRCDIR, ROOTDN, ROOTPW, user_dn
from test_deploy_user import osl, own, write, KEY  # noqa: F401 (fixture)


def prepare(s):
    logs = s.mkdir("log", 0o750)
    own(logs)
    key = s.dir / "warden.key"
    key.write_text(KEY)
    own(key, 0o600)
    audit = logs / "warden-audit.log"
    write(s, f"warden-state-dir {s.state}\nwarden-key-file {key}\nwarden-audit-file {audit}\n")
    conf = s.dir / "logrotate.conf"
    conf.write_text((SRCDIR / "contrib/logrotate/warden").read_text().replace(
        "/var/log/slapd/warden-audit.log", str(audit)))
    os.chmod(conf, 0o644)
    return audit, key, conf


def rotate(s, conf):
    p = subprocess.run(["logrotate", "-f", "-s", str(s.dir / "logrotate.state"), str(conf)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr


def trail(audit):
    """The files oldest first, decompressed next to them."""
    files = []
    for n in range(20, 0, -1):
        gz = audit.with_name(f"{audit.name}.{n}.gz")
        plain = audit.with_name(f"{audit.name}.{n}")
        if gz.exists():
            out = audit.with_name(f"plain.{n}")
            out.write_bytes(gzip.decompress(gz.read_bytes()))
            files.append(out)
        elif plain.exists():
            files.append(plain)
    return files + [audit]


def run_verify(key, files):
    # as slapd's user, who owns the key file (the README says so)
    for f in files:
        own(f)
    p = subprocess.run(["runuser", "-u", "openldap", "--", os.environ["WARDENCTL"], "audit",
                        "verify", "--key-file", str(key), *map(str, files)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    return p


def verify(s, key, files):
    p = run_verify(key, files)
    assert "records verified" in p.stdout
    return [json.loads(l) for f in files for l in f.read_text().splitlines() if l.strip()]


def test_rotate_while_writing(osl):
    s = osl
    audit, key, conf = prepare(s)
    s.start()
    s.add_users()
    done, sent, errors = threading.Event(), [], []

    def writer():
        c = s.conn(ROOTDN, ROOTPW)
        i = 0
        while not done.is_set():
            try:
                c.modify_s(user_dn("alice"), [(ldap.MOD_REPLACE, "description", [f"d{i}".encode()])])
                sent.append(i)
            except ldap.LDAPError as e:
                errors.append(e)
            i += 1
            time.sleep(0.005)

    t = threading.Thread(target=writer)
    t.start()
    try:
        for _ in range(3):
            time.sleep(0.4)
            rotate(s, conf)
        time.sleep(0.3)
    finally:
        done.set()
        t.join(30)
    assert not errors, errors
    s.stop()
    files = trail(audit)
    assert len(files) == 4, files           # .3.gz .2.gz .1 and the current one
    assert any(f.name.startswith("plain.") for f in files)
    for f in files:
        st = os.stat(f if not f.name.startswith("plain.") else audit)
        assert st.st_uid == s.uid
    recs = verify(s, key, files)
    seqs = [r["warden.seq"] for r in recs]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    # a change's values are in its intent record (written before it)
    values = [r["ldap.changes"][0]["values"][0] for r in recs
              if r.get("event.action") == "modify" and r.get("ldap.dn") == user_dn("alice")
              and r.get("warden.phase") == "intent"]
    assert values == [f"d{i}" for i in sent], "a record was lost or duplicated"
    # each file alone verifies too, and links to the one before: its first
    # record's warden.prev is the last hash verify printed for that one
    last = None
    for f in files:
        if not f.read_text().strip():
            continue
        out = run_verify(key, [f]).stdout
        first = json.loads(f.read_text().splitlines()[0])
        if last:
            assert first["warden.prev"] == last, f
        last = re.search(r"hash ([0-9a-f]{64})", out).group(1)


def test_restart_on_a_freshly_rotated_file(osl):
    """slapd stopped, the trail rotated (logrotate's create leaves an empty
    file), slapd started: the chain continues from warden-audit.log.1."""
    s = osl
    audit, key, conf = prepare(s)
    s.start()
    s.add_users()
    s.admin().modify_s(user_dn("bob"), [(ldap.MOD_REPLACE, "description", [b"one"])])
    s.stop()
    rotate(s, conf)
    assert audit.exists() and audit.stat().st_size == 0
    s.start()
    s.admin().modify_s(user_dn("bob"), [(ldap.MOD_REPLACE, "description", [b"two"])])
    s.stop()
    recs = verify(s, key, trail(audit))
    assert recs[0]["warden.seq"] == 1
