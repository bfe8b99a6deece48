# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""wardenctl banned build / check: the banned-password index from the
command line, without slapd.  Exit status of check: 0 not banned, 1 banned,
2 error; the password is never printed."""
import os
import pty
import select
import subprocess
import time

import pytest

WARDENCTL = os.environ.get("WARDENCTL", "")

pytestmark = pytest.mark.skipif(not WARDENCTL, reason="WARDENCTL is not set")

LIST = "password\nletmein\n123456\r\nqwerty\n\n#secret#\nPassword\n"


def ctl(*args, stdin=b""):
    return subprocess.run([WARDENCTL, *args], input=stdin, capture_output=True,
                          timeout=60)


def check(index, pw):
    """Runs check with pw on stdin; asserts the password is not echoed."""
    p = ctl("banned", "check", str(index), stdin=pw.encode() + b"\n")
    for out in (p.stdout, p.stderr):
        # the messages' own words aside
        out = out.replace(b"banned-password", b"").replace(b"this password", b"")
        assert pw.encode() not in out
    return p


@pytest.fixture
def index(workdir):
    lst = workdir / "list.txt"
    lst.write_text(LIST)
    idx = workdir / "banned.idx"
    p = ctl("banned", "build", str(lst), str(idx))
    assert p.returncode == 0, p.stderr
    # password, letmein, 123456, qwerty, secret: duplicates and empty lines go
    assert p.stdout == b"5 entries\n"
    return idx


def test_build_from_file_and_check(index):
    assert (index.stat().st_mode & 0o777) == 0o644
    assert not list(index.parent.glob("*.tmp.*"))
    for pw in ("P@ssw0rd1!", "password", "Password2024", "L3tm3In!", "123456", "secret"):
        p = check(index, pw)
        assert p.returncode == 1, (pw, p.stdout, p.stderr)
        assert b"banned" in p.stdout and b"not banned" not in p.stdout
    for pw in ("Tr0ub4dor&3-xK9v", "1234567", "correct horse battery staple"):
        p = check(index, pw)
        assert p.returncode == 0, (pw, p.stdout, p.stderr)
        assert p.stdout == b"not banned\n"


def test_build_from_stdin(workdir):
    idx = workdir / "from-stdin.idx"
    p = ctl("banned", "build", "-", str(idx), stdin=b"Winter2024!\r\nhunter2\n")
    assert p.returncode == 0, p.stderr
    assert p.stdout == b"2 entries\n"
    assert check(idx, "winter").returncode == 1
    assert check(idx, "HUNTER").returncode == 1
    assert check(idx, "summer").returncode == 0
    # an empty list is a valid index that bans nothing
    p = ctl("banned", "build", "-", str(idx), stdin=b"")
    assert p.returncode == 0 and p.stdout == b"0 entries\n"
    assert check(idx, "hunter2").returncode == 0


def test_rebuild_replaces(index):
    assert check(index, "qwerty").returncode == 1
    p = ctl("banned", "build", "-", str(index), stdin=b"dragon\n")
    assert p.returncode == 0, p.stderr
    assert check(index, "qwerty").returncode == 0
    assert check(index, "Dr@g0n").returncode == 1


def test_check_reads_only_the_first_line_and_crlf(index):
    p = ctl("banned", "check", str(index), stdin=b"password\r\nsomething else\n")
    assert p.returncode == 1
    # without a final newline
    p = ctl("banned", "check", str(index), stdin=b"Tr0ub4dor&3")
    assert p.returncode == 0


def test_check_without_password(index):
    p = ctl("banned", "check", str(index), stdin=b"")
    assert p.returncode == 2
    assert b"no password" in p.stderr


def test_missing_and_corrupt_index(workdir, index):
    p = check(workdir / "nonexistent.idx", "password")
    assert p.returncode == 2
    assert b"cannot open" in p.stderr and b"nonexistent.idx" in p.stderr

    bad = workdir / "bad.idx"
    bad.write_bytes(b"password\n123456\n")
    p = check(bad, "password")
    assert p.returncode == 2
    assert b"not a banned-password index" in p.stderr

    data = index.read_bytes()
    bad.write_bytes(data[:-3])
    p = check(bad, "password")
    assert p.returncode == 2
    assert b"truncated" in p.stderr

    broken = bytearray(data)
    broken[64 + 8:64 + 16] = (1 << 40).to_bytes(8, "little")
    bad.write_bytes(bytes(broken))
    p = check(bad, "password")
    assert p.returncode == 2
    assert b"offset of key 1 out of range" in p.stderr


def test_build_errors(workdir):
    p = ctl("banned", "build", str(workdir / "no-such-list"), str(workdir / "x.idx"))
    assert p.returncode == 2
    assert b"no-such-list" in p.stderr
    assert not (workdir / "x.idx").exists()
    p = ctl("banned", "build", "-", str(workdir / "no-dir" / "x.idx"), stdin=b"a\n")
    assert p.returncode == 2
    assert b"cannot create" in p.stderr


def test_usage(workdir):
    for args in (["banned"], ["banned", "build", "-"], ["banned", "check"],
                 ["banned", "frob", "x"], ["banned", "check", "a", "b"]):
        p = ctl(*args)
        assert p.returncode == 2, args
        assert b"banned build LIST INDEX" in p.stderr
        assert b"banned check INDEX" in p.stderr


def test_check_on_a_terminal_does_not_echo(index):
    """On a terminal the password is read with echo off: what the terminal
    shows holds the prompt but not the password."""
    pw = b"P@ssw0rd1!"
    master, slave = pty.openpty()
    try:
        p = subprocess.Popen([WARDENCTL, "banned", "check", str(index)], stdin=slave,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        os.close(slave)
        slave = -1
        # type only once echo is off: wait for the prompt
        prompt = b""
        deadline = time.monotonic() + 30
        while b"Password: " not in prompt and time.monotonic() < deadline:
            r, _, _ = select.select([p.stderr], [], [], 1)
            if r:
                prompt += os.read(p.stderr.fileno(), 100)
        assert b"Password: " in prompt
        os.write(master, pw + b"\n")
        out, err = p.communicate(timeout=30)
        shown = b""
        while select.select([master], [], [], 0.2)[0]:
            try:
                chunk = os.read(master, 1024)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
        assert p.returncode == 1, (out, err)
        assert b"banned" in out
        assert pw not in shown + out + err + prompt
    finally:
        os.close(master)
        if slave >= 0:
            os.close(slave)
