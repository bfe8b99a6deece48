# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""wardenctl audit verify / tail / export on trails written by the real
writer (tests/audit/wauditgen, overlay/lib/auditlog.c), no slapd involved.

The chain is also recomputed here in Python from the description in
overlay/lib/auditlog.h alone (canonical form, genesis, HKDF key derivation), so
the header stays the specification.
"""
import hashlib
import hmac
import json
import os
import re
import secrets
import subprocess
from pathlib import Path

import pytest

WARDENCTL = os.environ.get("WARDENCTL", "")
WAUDITGEN = os.environ.get("WAUDITGEN", "")

pytestmark = pytest.mark.skipif(not WARDENCTL or not WAUDITGEN,
                                reason="WARDENCTL or WAUDITGEN is not set")

EPOCH = 1700000000          # 2023-11-14T22:13:20Z, wauditgen's default
LINE = re.compile(rb'^(\{.*"warden\.seq":(\d+),"warden\.prev":"([0-9a-f]{64})")'
                  rb',"warden\.hash":"([0-9a-f]{64})"\}$')


def gen(path, n, *args):
    p = subprocess.run([WAUDITGEN, *args, "-n", str(n), str(path)],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return p


def ctl(*args):
    return subprocess.run([WARDENCTL, "audit", *map(str, args)],
                          capture_output=True, text=True)


def key_file(path, *keys):
    """A key file (overlay/lib/keyring.h) with the given 32-byte keys, the
    first active."""
    path.write_text("".join(f"k{i} {k.hex()}\n" for i, k in enumerate(keys)))
    path.chmod(0o600)
    return path


def hkdf(master, label):
    """HKDF-SHA-256 (RFC 5869), empty salt, 32 bytes: overlay/lib/auditlog.h's
    warden_audit_derive_key()."""
    prk = hmac.new(bytes(32), master, hashlib.sha256).digest()
    return hmac.new(prk, label + b"\x01", hashlib.sha256).digest()


def py_verify(paths, key=None):
    """The chain as auditlog.h describes it; returns the record count."""
    prev, seq, n = bytes(32), 0, 0
    for path in paths:
        data = Path(path).read_bytes()
        assert data.endswith(b"\n")
        for line in data.split(b"\n")[:-1]:
            m = LINE.match(line)
            assert m, line
            canon = m.group(1) + b"}"
            if key:
                h = hmac.new(key, prev + canon, hashlib.sha256).digest()
            else:
                h = hashlib.sha256(prev + canon).digest()
            assert h.hex() == m.group(4).decode()
            assert bytes.fromhex(m.group(3).decode()) == prev
            assert int(m.group(2)) == seq + 1
            prev, seq, n = h, seq + 1, n + 1
    return n


@pytest.fixture
def trail(tmp_path):
    """40 records, written in the order of test.i (one thread)."""
    path = tmp_path / "audit.log"
    gen(path, 40)
    return path


def lines_of(path):
    return path.read_bytes().split(b"\n")[:-1]


def write_lines(path, lines):
    path.write_bytes(b"".join(line + b"\n" for line in lines))


# --- the format ---------------------------------------------------------------

def test_format_and_independent_chain(trail):
    assert (trail.stat().st_mode & 0o777) == 0o600
    assert py_verify([trail]) == 40
    recs = [json.loads(line) for line in lines_of(trail)]
    assert [r["warden.seq"] for r in recs] == list(range(1, 41))
    assert recs[0]["warden.prev"] == "0" * 64
    # every record valid JSON in UTF-8, whatever the values held
    mods = [r for r in recs if r["event.action"] == "modify"]
    assert mods
    odd = mods[0]["ldap.changes"][0]["values"][0]
    assert odd == 'line\nbreak "q" \\ \x01 \ufffd\ufffd caf\u00e9'
    assert mods[0]["ldap.changes"][1]["values_base64"] == ["/9j/4AAQ"]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", r["@timestamp"])
               for r in recs)


def test_verify_ok(trail):
    p = ctl("verify", trail)
    assert p.returncode == 0, p.stdout + p.stderr
    last = json.loads(lines_of(trail)[-1])
    assert p.stdout.strip() == (f"40 records verified; last seq 40, "
                                f"hash {last['warden.hash']}")


def test_concurrent_writers_verify(tmp_path):
    log = tmp_path / "audit.log"
    gen(log, 400, "-t", "8")
    p = ctl("verify", log)
    assert p.returncode == 0, p.stdout
    assert sorted(json.loads(x)["test.i"] for x in lines_of(log)) == list(range(400))
    gen(log, 100, "-a", "-t", "4")      # asynchronous
    assert ctl("verify", log).stdout.startswith("500 records verified")


# --- tampering ---------------------------------------------------------------

def edit_byte(lines, i):
    # a value inside the record, not its chain members
    lines[i] = lines[i].replace(b'"event.kind":"event"', b'"event.kind":"evenT"', 1)


def forge(lines, i):
    """Edit a record and recompute its own hash, as someone without a key
    can: the next record's link breaks."""
    m = LINE.match(lines[i])
    body = m.group(1).replace(b"uid=user", b"uid=userX", 1)
    prev = bytes.fromhex(m.group(3).decode())
    h = hashlib.sha256(prev + body + b"}").hexdigest().encode()
    lines[i] = body + b',"warden.hash":"' + h + b'"}'


@pytest.mark.parametrize("how,line,seq,what", [
    ("edit", 17, 17, "edited"),
    ("edit_seq", 17, 99, "edited"),
    ("delete", 17, 18, "missing: the record with seq 17"),
    ("delete2", 17, 19, "missing: the records with seq 17 to 18"),
    ("swap", 17, 18, "reordered: seq 17 was expected here and comes later, at"),
    ("move_back", 5, 6, "reordered: seq 5 was expected here and comes later, at"),
    ("truncate", 40, 40, "torn: the last line has no end of line"),
    ("cut_middle", 12, 12, "torn or edited: not a complete audit record"),
    ("forge", 18, 18, "broken link"),
    ("dup", 21, 20, "reordered: seq 20 comes after seq 20"),
])
def test_tampering_detected(trail, how, line, seq, what):
    ls = lines_of(trail)
    i = line - 1
    raw = None
    if how == "edit":
        edit_byte(ls, i)
    elif how == "edit_seq":
        ls[i] = ls[i].replace(b'"warden.seq":17,', b'"warden.seq":99,')
    elif how == "delete":
        del ls[i]
    elif how == "delete2":
        del ls[i:i + 2]
    elif how == "swap":
        ls[i], ls[i + 1] = ls[i + 1], ls[i]
    elif how == "move_back":
        ls.insert(30, ls.pop(4))       # record 5 moved to after record 31
    elif how == "truncate":
        raw = b"".join(x + b"\n" for x in ls)[:-30]
    elif how == "cut_middle":
        ls[i] = ls[i][:-40]
    elif how == "forge":
        forge(ls, i - 1)
    elif how == "dup":
        ls.insert(20, ls[19])
    if raw is not None:
        trail.write_bytes(raw)
    else:
        write_lines(trail, ls)
    p = ctl("verify", trail)
    assert p.returncode == 1, p.stdout + p.stderr
    first = p.stdout.splitlines()[0]
    assert first.startswith(f"{trail}:{line}: seq {seq}: "), first
    assert what in first, first


# --- rotation and restarts ------------------------------------------------------

def test_rotation_chain(tmp_path):
    log = tmp_path / "audit.log"
    one, two = tmp_path / "audit.log.1", tmp_path / "audit.log.2"
    gen(log, 10)
    os.rename(log, one)
    gen(log, 10)                    # starts on an empty file: continues .1
    os.rename(one, two)
    os.rename(log, one)
    gen(log, 5, "-t", "2")
    files = [two, one, log]
    assert py_verify(files) == 25
    p = ctl("verify", *files)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.startswith("25 records verified; last seq 25")

    # out of order
    p = ctl("verify", one, two, log)
    assert p.returncode == 1
    assert f"{two}:1: seq 1: a new trail begins here" in p.stdout

    # only the newer files: accepted, with a note
    p = ctl("verify", one, log)
    assert p.returncode == 0
    assert "chain starts at seq 11" in p.stderr

    # the last record of a rotated file deleted: found at the next file
    ls = lines_of(one)
    write_lines(one, ls[:-1])
    p = ctl("verify", *files)
    assert p.returncode == 1
    assert p.stdout.startswith(f"{log}:1: seq 21: missing: the record with seq 20")


def test_torn_tail_repaired_by_writer(tmp_path):
    log = tmp_path / "audit.log"
    gen(log, 5)
    torn = b'{"@timestamp":"2023-11-14T22:13:25'
    with open(log, "ab") as f:
        f.write(torn)                   # a crash in the middle of a write
    assert ctl("verify", log).returncode == 1
    gen(log, 2)
    p = ctl("verify", log)
    assert p.returncode == 0, p.stdout
    recs = [json.loads(x) for x in lines_of(log)]
    assert len(recs) == 8
    marker = recs[5]
    assert marker["event.action"] == "audit-torn-tail"
    assert marker["warden.torn.bytes"] == len(torn)
    assert marker["warden.torn.sha256"] == hashlib.sha256(torn).hexdigest()


def test_kill_loses_no_acknowledged_record(tmp_path):
    """kill -9 of the writing process under 8 concurrent writers: every
    record whose write returned is in the file, the next open repairs a
    torn tail, and the chain verifies."""
    import signal
    import time
    log = tmp_path / "audit.log"
    for _ in range(3):
        p = subprocess.Popen([WAUDITGEN, "-p", "-t", "8", "-n", "1000000", str(log)],
                             stdout=subprocess.PIPE)
        time.sleep(0.7)
        p.send_signal(signal.SIGKILL)
        out, _ = p.communicate()
        acked = [tuple(map(int, x.split()[1:])) for x in out.decode().splitlines()
                 if x.startswith("ack ")]
        assert len(acked) > 50
        gen(log, 0)                     # reopens: cuts a torn tail, if any
        recs = {}
        for x in lines_of(log):
            r = json.loads(x)
            recs[r["warden.seq"]] = r
        for i, seq in acked:
            assert seq in recs, f"acknowledged seq {seq} missing"
            assert recs[seq]["test.i"] == i
        p = ctl("verify", log)
        assert p.returncode == 0, p.stdout


# --- keys -------------------------------------------------------------------------

def test_keyed_chain(tmp_path):
    k1, k2 = secrets.token_bytes(32), secrets.token_bytes(32)
    kf = key_file(tmp_path / "keys", k1)
    log = tmp_path / "audit.log"
    gen(log, 10, "-k", kf)
    assert py_verify([log], hkdf(k1, b"warden audit chain")) == 10

    p = ctl("verify", "--key-file", kf, log)
    assert p.returncode == 0, p.stdout + p.stderr
    p = ctl("verify", log)
    assert p.returncode == 1
    assert "seq 1: edited" in p.stdout and "give --key-file" in p.stdout
    other = key_file(tmp_path / "other", k2)
    assert ctl("verify", "--key-file", other, log).returncode == 1

    # a forged record with a recomputed plain hash does not pass
    ls = lines_of(log)
    forge(ls, 4)
    write_lines(log, ls)
    p = ctl("verify", "--key-file", kf, log)
    assert p.returncode == 1
    assert p.stdout.startswith(f"{log}:5: seq 5: edited")


def test_key_rotation(tmp_path):
    k1, k2 = secrets.token_bytes(32), secrets.token_bytes(32)
    old = key_file(tmp_path / "old", k1)
    new = key_file(tmp_path / "new", k2, k1)      # k2 active, k1 kept
    log = tmp_path / "audit.log"
    gen(log, 5, "-k", old)
    gen(log, 5, "-k", new)
    p = ctl("verify", "--key-file", new, log)
    assert p.returncode == 0, p.stdout
    assert ctl("verify", "--key-file", old, log).returncode == 1


# --- tail and export ------------------------------------------------------------------

def seqs(out):
    return [json.loads(x)["test.i"] for x in out.splitlines()]


def test_tail_filters(trail):
    p = ctl("tail", trail)
    assert p.returncode == 0
    assert seqs(p.stdout) == list(range(30, 40))
    assert seqs(ctl("tail", "-n", "3", trail).stdout) == [37, 38, 39]
    assert seqs(ctl("tail", "-n", "2", "--action", "delete", trail).stdout) == [34, 38]
    assert seqs(ctl("tail", "-n", "100", "--action", "add,BIND", trail).stdout) == \
        [i for i in range(40) if i % 4 in (0, 3)]
    # i % 3 == 1 is user1's entry; i % 5 == 1 is user1 acting
    assert seqs(ctl("tail", "-n", "100", "--dn", "UID=user1, ou=people,dc=example,dc=test",
                    trail).stdout) == [i for i in range(40) if i % 3 == 1 or i % 5 == 1]
    assert seqs(ctl("tail", "-n", "100", "--dn", "ou=people,dc=example,dc=test",
                    trail).stdout) == list(range(40))
    assert ctl("tail", "--dn", "dc=other", trail).stdout == ""
    # since inclusive, until exclusive; @timestamp is EPOCH + i s
    assert seqs(ctl("tail", "-n", "100", "--since", "2023-11-14T22:13:30",
                    "--until", "2023-11-14 22:13:35Z", trail).stdout) == [10, 11, 12, 13, 14]
    assert seqs(ctl("tail", "-n", "100", "--since", "2023-11-14T22:13:59.5",
                    trail).stdout) == [i for i in range(40) if i >= 40]  # 40 s span: none
    assert seqs(ctl("tail", "-n", "100", "--until", "2023-11-14T22:13:22",
                    trail).stdout) == [0, 1]
    assert ctl("tail", "--since", "1d", trail).stdout == ""      # all from 2023
    assert len(seqs(ctl("tail", "--until", "1d", trail).stdout)) == 10
    assert ctl("tail", "--since", "yesterday", trail).returncode == 2


def test_export_filters_and_files(tmp_path):
    log = tmp_path / "audit.log"
    gen(log, 10)
    os.rename(log, tmp_path / "audit.log.1")
    gen(log, 10, "-s", str(EPOCH + 10))
    p = ctl("export", "--action", "modify", tmp_path / "audit.log.1", log)
    assert p.returncode == 0
    assert seqs(p.stdout) == [1, 5, 9, 1, 5, 9]
    # the lines as they are: they still verify when nothing is filtered
    out = tmp_path / "all.jsonl"
    out.write_text(ctl("export", tmp_path / "audit.log.1", log).stdout)
    assert ctl("verify", out).returncode == 0


def test_export_pseudonymized(tmp_path, trail):
    kf = key_file(tmp_path / "keys", secrets.token_bytes(32))
    p = ctl("export", "--pseudonymize", "--key-file", kf, trail)
    assert p.returncode == 0, p.stderr
    text = p.stdout
    # no direct identifiers left: DNs, addresses, attribute values
    for needle in ("uid=user", "192.0.2.", "dc=example", "line\\nbreak", "/9j/4AAQ"):
        assert needle not in text
    recs = [json.loads(x) for x in text.splitlines()]
    assert len(recs) == 40
    for r in recs:
        assert "warden.hash" not in r and "warden.prev" not in r
        assert r["warden.pseudonymized"] is True
        for f in ("user.name", "ldap.dn", "source.ip"):
            assert re.fullmatch(r"pseudo:[0-9a-f]{32}", r[f])
        assert isinstance(r["source.port"], int)      # not an identifier
    # the same identity, the same pseudonym: user0's entry (i % 3 == 0) is
    # the one user0 (i % 5 == 0) acts as at i = 0, 15, 30
    assert recs[0]["ldap.dn"] == recs[0]["user.name"] == recs[15]["user.name"]
    assert recs[0]["ldap.dn"] != recs[1]["ldap.dn"]
    mod = recs[1]["ldap.changes"]
    assert mod[0]["op"] == "replace" and mod[0]["attr"] == "description"
    assert re.fullmatch(r"pseudo:[0-9a-f]{32}", mod[0]["values"][0])
    # the pseudonym is the documented HMAC
    master = bytes.fromhex(kf.read_text().split()[1])
    pk = hkdf(master, b"warden audit pseudonym")
    want = hmac.new(pk, b"uid=user0,ou=people,dc=example,dc=test",
                    hashlib.sha256).hexdigest()[:32]
    assert recs[0]["user.name"] == "pseudo:" + want
    # another key, other pseudonyms; exported records do not verify
    kf2 = key_file(tmp_path / "keys2", secrets.token_bytes(32))
    other = json.loads(ctl("export", "--pseudonymize", "--key-file", kf2,
                           trail).stdout.splitlines()[0])
    assert other["user.name"] != recs[0]["user.name"]
    out = tmp_path / "pseudo.jsonl"
    out.write_text(text)
    assert ctl("verify", out).returncode == 1
    # a key is required
    assert ctl("export", "--pseudonymize", trail).returncode == 2


def test_unreadable_lines_reported(tmp_path, trail):
    with open(trail, "ab") as f:
        f.write(b"not json\n")
    p = ctl("export", trail)
    assert p.returncode == 1
    assert f"{trail}:41: not a complete JSON record; skipped" in p.stderr
    assert len(p.stdout.splitlines()) == 40


def test_usage_errors(trail):
    assert ctl("verify").returncode == 2
    assert ctl("verify", "--action", "add", trail).returncode == 2
    assert ctl("tail", trail, trail).returncode == 2
    assert ctl("frobnicate", trail).returncode == 2
    assert ctl("verify", "/nonexistent/audit.log").returncode == 2
    p = ctl("-h")
    assert p.returncode == 2 or "usage" in p.stdout


# Found by tests/fuzz/fuzz_wardenctl: a filtered field of another JSON type
# than string (an edited file) made tail and export crash (SIGSEGV); it is
# now as good as absent.
@pytest.mark.parametrize("field,value", [
    ("@timestamp", "5"), ("@timestamp", "null"), ("@timestamp", "[1]"),
    ("event.action", "{}"), ("event.action", "true"), ("ldap.dn", "7"),
    ("user.name", "[\"uid=a\"]")])
@pytest.mark.parametrize("cmd", ["tail", "export"])
def test_filtered_field_of_another_type(tmp_path, cmd, field, value):
    f = tmp_path / "edited.log"
    f.write_text('{"%s":%s,"event.action":"add"}\n' % (field, value)
                 if field != "event.action" else '{"%s":%s}\n' % (field, value))
    for flt in (["--since", "2020-01-01"], ["--until", "1d"],
                ["--action", "add"], ["--dn", "dc=test"]):
        p = ctl(cmd, *flt, f)
        assert p.returncode == 0, (flt, p.returncode, p.stderr)
        # only a record with a string action "add" passes the action filter
        passes = flt[0] == "--action" and field != "event.action"
        assert (p.stdout != "") == passes, (flt, p.stdout)


# Found by tests/fuzz/fuzz_wardenctl: times are read digit by digit (sscanf
# took blanks and signs), and an age too large for the clock is refused
# (it overflowed, undefined behaviour).
@pytest.mark.parametrize("when", [
    "+026-01-01", "2026- 1- 1", " 2026-01-01", "2026-01-01T 1:00",
    "2026-01-01T01:-1", "2026-01-01 01:00:+1", "-5d", "+5d", " 5d", "5 d",
    "99999999999999999d", "9223372036854775807s", "5", "2026"])
def test_times_are_strict(trail, when):
    p = ctl("tail", "--since", when, trail)
    assert p.returncode == 2, (when, p.stdout)
    assert "not a time" in p.stderr


def test_times_accepted(trail):
    for when in ("2023-11-14", "2023-11-14T22:13", "2023-11-14 22:13:30Z",
                 "2023-11-14T22:13:59.5", "30s", "2h", "3650000d"):
        assert ctl("tail", "--since", when, trail).returncode == 0, when


LINE_MAX = 16 * 1024 * 1024 + 256      # auditlog.h WARDEN_AUDIT_LINE_MAX


def bounded(*args, mem_kb=300000, timeout=20):
    """wardenctl audit under a 300 MB address space limit.  The sanitizer
    build's wardenctl reserves terabytes of shadow memory at start, so
    there the limit is left out: what it reads is bounded in the normal
    build, and the answer is checked in both."""
    import resource

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (mem_kb * 1024, mem_kb * 1024))
    sanitized = bool(os.environ.get("WARDEN_PRELOAD", "").strip())
    return subprocess.run([WARDENCTL, "audit", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout,
                          preexec_fn=None if sanitized else limit)


@pytest.mark.parametrize("cmd", [("verify",), ("tail",), ("export",)])
def test_endless_line_is_refused_with_bounded_memory(cmd):
    # /dev/zero is one endless line: read up to the longest record, then refused
    p = bounded(*cmd, "/dev/zero")
    assert p.returncode == 1, p.stdout + p.stderr
    assert f"/dev/zero:1: a line longer than {LINE_MAX} bytes: not an audit record" \
        in p.stderr


# Found by tests/fuzz/fuzz_wardenctl: tail allocated its ring of N records
# before reading any (a large -n failed, or took memory it never used), and
# its index arithmetic overflowed for -n near LONG_MAX.
@pytest.mark.parametrize("n", [39, 40, 41, 10**12, 2**63 - 1])
def test_tail_count_costs_only_the_records_kept(trail, n):
    p = bounded("tail", "-n", n, trail)
    assert p.returncode == 0, p.stderr
    want = lines_of(trail)[-n:]
    assert p.stdout.splitlines() == [l.decode() for l in want]


def test_line_just_over_the_bound_after_good_records(tmp_path, trail):
    with open(trail, "ab") as f:
        f.write(b"{" + b"x" * LINE_MAX + b"}\n")
    p = bounded("verify", trail)
    assert p.returncode == 1, p.stdout + p.stderr
    assert f"{trail}:41: a line longer than {LINE_MAX} bytes" in p.stderr
    assert "40 records verified before it" in p.stdout


CP = re.compile(rb'^(\{"@timestamp":"[0-9T:.Z-]+","event\.action":"audit-checkpoint",'
                rb'"warden\.seq":(\d+),"warden\.hash":"([0-9a-f]{64})")'
                rb',"warden\.mac":"([0-9a-f]{64})"\}\n$')


@pytest.fixture
def cptrail(tmp_path):
    """100 records with a checkpoint, keyed."""
    k = key_file(tmp_path / "k", secrets.token_bytes(32))
    log, cp = tmp_path / "audit.log", tmp_path / "audit.checkpoint"
    gen(log, 100, "-k", k, "-c", cp)
    return log, cp, k


def test_checkpoint_format_and_signature(cptrail):
    log, cp, k = cptrail
    m = CP.match(cp.read_bytes())
    assert m, cp.read_bytes()
    master = bytes.fromhex(k.read_text().split()[1])
    ck = hkdf(master, b"warden audit checkpoint")
    assert hmac.new(ck, m.group(1) + b"}", hashlib.sha256).hexdigest() == m.group(4).decode()
    last = LINE.match(log.read_bytes().splitlines()[-1])
    assert int(m.group(2)) == 100 and m.group(3) == last.group(4)
    # the chain key is another one: a checkpoint is no record
    assert hkdf(master, b"warden audit chain") != ck
    assert oct(cp.stat().st_mode & 0o777) == "0o600"
    assert not cp.with_name(cp.name + ".tmp").exists()


def test_checkpoint_finds_records_cut_off_the_end(cptrail):
    log, cp, k = cptrail
    p = ctl("verify", "--key-file", k, "--checkpoint", cp, log)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "checkpoint verified: seq 100" in p.stdout
    lines = lines_of(log)
    write_lines(log, lines[:-50])
    # the chain alone cannot tell
    assert ctl("verify", "--key-file", k, log).returncode == 0
    p = ctl("verify", "--key", k, "--checkpoint", cp, log)
    assert p.returncode == 1, p.stdout + p.stderr
    assert "truncated: the trail ends at seq 50, before its checkpoint (seq 100" in p.stdout
    # emptied
    log.write_bytes(b"")
    assert ctl("verify", "--key-file", k, log).returncode == 1
    assert "--allow-empty" in ctl("verify", "--key-file", k, log).stdout
    assert ctl("verify", "--allow-empty", "--key-file", k, log).returncode == 0
    p = ctl("verify", "--allow-empty", "--key-file", k, "--checkpoint", cp, log)
    assert p.returncode == 1 and "truncated: the trail ends with no record" in p.stdout


def test_checkpoint_of_another_trail_or_forged(cptrail, tmp_path):
    log, cp, k = cptrail
    # the same key, another trail of the same length: seq 100 differs
    other = tmp_path / "other.log"
    gen(other, 100, "-k", k, "-s", "1600000000")
    p = ctl("verify", "--key-file", k, "--checkpoint", cp, other)
    assert p.returncode == 1 and "not the record of the checkpoint" in p.stdout
    # a checkpoint edited to claim less
    data = cp.read_bytes().replace(b'"warden.seq":100', b'"warden.seq":10')
    cp.write_bytes(data)
    p = ctl("verify", "--key-file", k, "--checkpoint", cp, log)
    assert p.returncode == 1 and "signature does not verify" in p.stdout
    cp.write_bytes(b"garbage\n")
    assert "not a warden audit checkpoint" in ctl(
        "verify", "--key-file", k, "--checkpoint", cp, log).stdout
    # needs the key file
    assert ctl("verify", "--checkpoint", cp, log).returncode == 2


def test_writer_refuses_a_trail_cut_before_its_checkpoint(cptrail):
    log, cp, k = cptrail
    before = cp.read_bytes()
    write_lines(log, lines_of(log)[:-5])
    p = subprocess.run([WAUDITGEN, "-k", k, "-c", cp, "-n", "1", str(log)],
                       capture_output=True, text=True)
    assert p.returncode != 0
    assert "ends at seq 95, before its last checkpoint (seq 100" in p.stderr
    assert cp.read_bytes() == before          # the evidence is kept
    # appended to as it is, the checkpoint moves on
    write_lines(log, lines_of(log))
    cp.unlink()
    gen(log, 3, "-k", k, "-c", cp)
    assert b'"warden.seq":98,' in cp.read_bytes()
    assert ctl("verify", "--key-file", k, "--checkpoint", cp, log).returncode == 0
