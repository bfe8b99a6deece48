# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""wardenctl totp enroll / reset / remove / recovery over ldapi as root:
binds with the password and a code oathtool makes from the printed
otpauth:// URI, the secret wrapped at rest, the QR code on the terminal and
in the PNG (the same modules), recovery codes stored only hashed, and the
refusals with their exit statuses (1 the directory refuses, 2 usage or
local error)."""
import base64
import hashlib
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import time
import urllib.parse
import zlib

import ldap
import ldap.modlist
import pytest

from conftest import ROOTDN, SUFFIX, USERPW, user_dn
from test_lockout import bind, start
from test_totp import start_totp

WARDENCTL = os.environ.get("WARDENCTL", "")

pytestmark = pytest.mark.skipif(not WARDENCTL, reason="WARDENCTL is not set")

# Root over ldapi administers the database, as the rootdn.
ROOT_IS_ADMIN = ('authz-regexp "^gidNumber=0.uidNumber=0,cn=peercred,cn=external,cn=auth$" '
                 f'"{ROOTDN}"\n')
CODE_RE = re.compile(r"^[2-9a-km-np-z]{5}-[2-9a-km-np-z]{5}$")
STORED_RE = re.compile(r"^\{WARDENRC1\}(\d+)\$(\d+)\$([0-9a-f]{32})\$([0-9a-f]{64})$")
PERIOD = 30


def begin(s, **kw):
    return start_totp(s, global_extra=ROOT_IS_ADMIN, **kw)


def ctl(s, *args, ldap_opts=None):
    cmd = [WARDENCTL, *(ldap_opts or ["-H", s.ldapi]), "totp", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def ok(p):
    assert p.returncode == 0, f"exit {p.returncode}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}"
    return p


def parse(out):
    """(uri, its query, the recovery codes printed)."""
    uri = [l for l in out.splitlines() if l.startswith("otpauth://")]
    assert len(uri) == 1, out
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(uri[0]).query))
    codes = re.findall(r"^\s*\d+\. (\S+)$", out, re.M)
    return uri[0], q, codes


def totp(secret, at=None, alg="sha1", digits=6, period=PERIOD):
    cmd = ["oathtool", f"--totp={alg}", "-d", str(digits), "-s", str(period), "-b", secret]
    if at is not None:
        cmd += ["-N", f"@{int(at)}"]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()


def entry(s, u, attrs=None):
    return s.admin().search_s(user_dn(u), ldap.SCOPE_BASE, attrlist=attrs or ["*"])[0][1]


def classes(e):
    return {v.decode().lower() for v in e.get("objectClass", [])}


def raw_seed(secret):
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


# --- reading what wardenctl drew ---------------------------------------------

def png_gray(path):
    """Decodes an 8-bit grey, non-interlaced PNG (what wardenctl writes),
    checking the signature and every chunk's CRC; returns rows of bytes."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, ihdr, seen_end = 8, b"", None, False
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        crc, = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind}"
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            seen_end = True
        pos += 12 + n
    assert seen_end and ihdr
    w, h, depth, ctype, _, _, interlace = ihdr
    assert (depth, ctype, interlace) == (8, 0, 0)
    raw = zlib.decompress(idat)
    assert len(raw) == h * (w + 1)
    rows, prev = [], bytearray(w)
    for y in range(h):
        f, line = raw[y * (w + 1)], bytearray(raw[y * (w + 1) + 1:(y + 1) * (w + 1)])
        for x in range(w):
            a = line[x - 1] if x else 0
            b, c = prev[x], prev[x - 1] if x else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
            else:
                assert f == 0
        rows.append(bytes(line))
        prev = line
    return rows


def png_modules(path, scale=8):
    """The modules of the PNG, quiet zone included: 1 light, 0 dark; every
    pixel of a module must agree."""
    rows = png_gray(path)
    n = len(rows) // scale
    assert len(rows) == n * scale and len(rows[0]) == n * scale
    mods = []
    for my in range(n):
        line = []
        for mx in range(n):
            block = {rows[my * scale + dy][mx * scale + dx]
                     for dy in range(scale) for dx in range(scale)}
            assert block in ({0}, {255}), block
            line.append(1 if block == {255} else 0)
        mods.append(line)
    return mods


HALF = {"\u2588": (1, 1), "\u2580": (1, 0), "\u2584": (0, 1), " ": (0, 0)}


def text_modules(out):
    """The modules of the QR code drawn on stdout (two rows a line)."""
    lines = [l for l in out.splitlines() if l and set(l) <= set(HALF)]
    assert lines, out
    mods = []
    for l in lines:
        mods.append([HALF[ch][0] for ch in l])
        mods.append([HALF[ch][1] for ch in l])
    # an odd number of rows: the last half line is background
    assert not any(mods[-1])
    return mods[:-1]


# --- tests -----------------------------------------------------------------------

def test_enroll_bind_png_and_wrapped_secret(slapd):
    begin(slapd)
    png = slapd.dir / "alice.png"
    p = ok(ctl(slapd, "enroll", "--png", str(png), user_dn("alice")))
    first = p.stdout.splitlines()[0]
    assert first == f"{user_dn('alice')}: enrolled (TOTP, SHA1, 6 digits, 30 s)"
    uri, q, codes = parse(p.stdout)
    assert uri.startswith("otpauth://totp/example.test:alice?secret=")
    assert q["issuer"] == "example.test"
    assert (q["algorithm"], q["digits"], q["period"]) == ("SHA1", "6", "30")
    secret = q["secret"]
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)          # 20 bytes, no padding
    assert f"secret: {' '.join(secret[i:i + 4] for i in range(0, 32, 4))}" in p.stdout
    assert len(codes) == 10
    assert f"QR code: {png}" in p.stdout

    # the password alone is refused now; with the code it binds
    assert bind(slapd, "alice", USERPW)[0] == 49
    assert bind(slapd, "alice", USERPW + totp(secret))[0] == 0

    e = entry(slapd, "alice")
    assert {"oathtotpuser", "oathtotptoken", "wardenmfauser"} <= classes(e)
    assert e["oathTOTPToken"] == [user_dn("alice").encode()]
    stored = e["oathSecret"][0]
    assert stored.startswith(b"{WARDEN1}") and raw_seed(secret) not in stored
    assert secret.encode() not in stored

    # the PNG: private, valid, and the same code as the terminal's
    assert png.stat().st_mode & 0o777 == 0o600
    assert not list(slapd.dir.glob("alice.png.*"))        # no temporary left
    mods = png_modules(png)
    assert mods == text_modules(p.stdout)
    assert len(mods) in range(21 + 8, 177 + 8, 4)         # a QR version, quiet zone of 4
    assert all(v == 1 for v in mods[0] + mods[-1])
    if shutil.which("zbarimg"):
        z = subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True, text=True)
        assert z.stdout.strip() == uri


def test_enroll_refuses_the_enrolled_unless_forced(slapd):
    begin(slapd)
    p = ok(ctl(slapd, "enroll", "--no-qr", user_dn("alice")))
    assert "\u2588" not in p.stdout
    old = parse(p.stdout)[1]["secret"]
    stored = entry(slapd, "alice", ["oathSecret"])["oathSecret"]
    p = ctl(slapd, "enroll", user_dn("alice"))
    assert p.returncode == 1 and p.stdout == ""
    assert "already enrolled" in p.stderr and "--force" in p.stderr
    assert entry(slapd, "alice", ["oathSecret"])["oathSecret"] == stored

    # --force, with stdout on a terminal: the QR code is coloured white on
    # black, so that it reads right on any terminal
    master, slave = pty.openpty()
    proc = subprocess.Popen([WARDENCTL, "-H", slapd.ldapi, "totp", "enroll", "--force",
                             "--issuer", "ACME Corp", user_dn("alice")],
                            stdout=slave, stderr=subprocess.PIPE)
    os.close(slave)
    out = b""
    while True:
        r, _, _ = select.select([master], [], [], 60)
        try:
            chunk = os.read(master, 65536) if r else b""
        except OSError:
            chunk = b""
        if not chunk:
            break
        out += chunk
    os.close(master)
    assert proc.wait(60) == 0, proc.stderr.read()
    proc.stderr.close()
    out = out.decode()
    assert "\033[37;40m" in out
    uri, q, _ = parse(out.replace("\r", ""))
    assert uri.startswith("otpauth://totp/ACME%20Corp:alice?") and q["issuer"] == "ACME Corp"
    new = q["secret"]
    assert new != old
    now = time.time()
    assert bind(slapd, "alice", USERPW + totp(old, now + PERIOD))[0] == 49
    assert bind(slapd, "alice", USERPW + totp(new, now))[0] == 0


def test_reset_old_secret_fails_new_one_works_at_once(slapd):
    begin(slapd)
    p = ok(ctl(slapd, "enroll", "--no-qr", user_dn("alice")))
    old, old_codes = parse(p.stdout)[1]["secret"], parse(p.stdout)[2]
    now = time.time()
    assert bind(slapd, "alice", USERPW + totp(old, now))[0] == 0
    assert bind(slapd, "alice", USERPW + totp(old, now))[0] == 49    # used

    p = ok(ctl(slapd, "reset", "--no-qr", user_dn("alice")))
    assert p.stdout.splitlines()[0] == \
        f"{user_dn('alice')}: new secret (TOTP, SHA1, 6 digits, 30 s)"
    _, q, codes = parse(p.stdout)
    new = q["secret"]
    assert new != old and len(codes) == 10 and not set(codes) & set(old_codes)
    # the old secret's next code is refused; the new secret works at once,
    # in the step just used with the old one: the steps started anew
    assert "oathTOTPLastTimeStep" not in entry(slapd, "alice", ["oathTOTPLastTimeStep"])
    assert bind(slapd, "alice", USERPW + totp(old, now + PERIOD))[0] == 49
    c = totp(new, now)
    assert bind(slapd, "alice", USERPW + c)[0] == 0
    assert bind(slapd, "alice", USERPW + c)[0] == 49          # once
    assert bind(slapd, "alice", USERPW + totp(new, now + PERIOD))[0] == 0


def test_remove_makes_the_password_enough_again(slapd):
    begin(slapd)
    ok(ctl(slapd, "enroll", "--no-qr", user_dn("alice")))
    assert bind(slapd, "alice", USERPW)[0] == 49
    p = ok(ctl(slapd, "remove", user_dn("alice")))
    assert p.stdout.startswith(f"{user_dn('alice')}: TOTP removed")
    assert bind(slapd, "alice", USERPW)[0] == 0
    e = entry(slapd, "alice", ["*", "+"])
    assert not classes(e) & {"oathtotpuser", "oathtotptoken", "wardenmfauser"}
    for a in ("oathSecret", "oathTOTPToken", "oathTOTPParams", "wardenRecoveryCode",
              "oathTOTPLastTimeStep", "oathTOTPTimeStepDrift"):
        assert a not in e
    # nothing left to remove, reset, or issue codes for
    for cmd in ("remove", "reset", "recovery"):
        p = ctl(slapd, cmd, user_dn("alice"))
        assert p.returncode == 1 and "is not enrolled" in p.stderr, (cmd, p.stderr)
        assert f"wardenctl totp enroll {user_dn('alice')}" in p.stderr


def test_recovery_codes_stored_hashed_and_reissued(slapd):
    begin(slapd)
    p = ok(ctl(slapd, "enroll", "--no-qr", user_dn("alice")))
    secret, codes = parse(p.stdout)[1]["secret"], parse(p.stdout)[2]
    assert "recovery codes, each usable once in place of a one-time code" in p.stdout

    def check(codes):
        assert len(codes) == 10 and len(set(codes)) == 10
        assert all(CODE_RE.match(c) for c in codes), codes
        stored = entry(slapd, "alice", ["wardenRecoveryCode"])["wardenRecoveryCode"]
        assert len(stored) == 10 and len(set(stored)) == 10
        blob = b"\n".join(stored).lower()
        parts = {}
        for v in stored:
            m = STORED_RE.match(v.decode())
            assert m, v
            parts[int(m.group(1))] = m.groups()[1:]
        assert sorted(parts) == list(range(10))
        for i, c in enumerate(codes):
            assert c.encode() not in blob and c.replace("-", "").encode() not in blob
            it, salt, h = parts[i]
            assert hashlib.pbkdf2_hmac("sha256", c.replace("-", "").encode(),
                                       bytes.fromhex(salt), int(it)).hex() == h
        assert len({salt for _, salt, _ in parts.values()}) == 1   # one salt a set
        return stored

    first = check(codes)
    p = ok(ctl(slapd, "recovery", user_dn("alice")))
    assert p.stdout.startswith(f"{user_dn('alice')}: new recovery codes;")
    assert "otpauth://" not in p.stdout
    again = re.findall(r"^\s*\d+\. (\S+)$", p.stdout, re.M)
    assert not set(again) & set(codes)
    second = check(again)
    assert not set(first) & set(second)
    # the token is untouched
    assert bind(slapd, "alice", USERPW + totp(secret))[0] == 0


def test_params_entry(slapd):
    a = begin(slapd)
    params = f"cn=totp8,ou=policies,{SUFFIX}"
    a.add_s(params, ldap.modlist.addModlist({
        "objectClass": [b"device", b"oathTOTPParams"], "cn": [b"totp8"],
        "oathOTPLength": [b"8"], "oathHMACAlgorithm": [b"1.2.840.113549.2.9"],
        "oathTOTPTimeStepPeriod": [b"60"]}))
    p = ok(ctl(slapd, "enroll", "--no-qr", "--params", params, user_dn("alice")))
    assert "(TOTP, SHA256, 8 digits, 60 s)" in p.stdout
    _, q, _ = parse(p.stdout)
    assert (q["algorithm"], q["digits"], q["period"]) == ("SHA256", "8", "60")
    assert entry(slapd, "alice", ["oathTOTPParams"])["oathTOTPParams"] == [params.encode()]
    assert bind(slapd, "alice", USERPW + totp(q["secret"], alg="sha256", digits=8,
                                              period=60))[0] == 0
    # reset keeps them
    p = ok(ctl(slapd, "reset", "--no-qr", user_dn("alice")))
    assert "&algorithm=SHA256&digits=8&period=60" in parse(p.stdout)[0]

    # a parameters entry that is missing, or that warden could not use
    p = ctl(slapd, "enroll", "--params", f"cn=nope,{SUFFIX}", user_dn("bob"))
    assert p.returncode == 1 and f"parameters entry cn=nope,{SUFFIX}: no such entry" in p.stderr
    bad = f"cn=sha384,ou=policies,{SUFFIX}"
    a.add_s(bad, ldap.modlist.addModlist({
        "objectClass": [b"device", b"oathTOTPParams"], "cn": [b"sha384"],
        "oathOTPLength": [b"6"], "oathHMACAlgorithm": [b"1.2.840.113549.2.10"],
        "oathTOTPTimeStepPeriod": [b"30"]}))
    p = ctl(slapd, "enroll", "--params", bad, user_dn("bob"))
    assert p.returncode == 1 and "is not supported" in p.stderr
    assert "oathTOTPToken" not in entry(slapd, "bob", ["oathTOTPToken"])
    assert bind(slapd, "bob", USERPW)[0] == 0


def test_refusals_and_exit_statuses(slapd):
    begin(slapd)
    # no such entry
    p = ctl(slapd, "enroll", f"uid=nobody,ou=people,{SUFFIX}")
    assert p.returncode == 1 and f"uid=nobody,ou=people,{SUFFIX}: no such entry" in p.stderr
    # a user may read alice but not enrol her
    p = ctl(slapd, "enroll", user_dn("alice"),
            ldap_opts=["-H", slapd.uri, "-D", user_dn("bob"), "-w", USERPW])
    assert p.returncode == 1 and "insufficient access" in p.stderr, p.stderr
    assert p.stdout == ""
    assert "oathSecret" not in entry(slapd, "alice", ["oathSecret"])
    assert bind(slapd, "alice", USERPW)[0] == 0
    # a PNG that cannot be written: nothing changes
    p = ctl(slapd, "enroll", "--png", str(slapd.dir / "no" / "such.png"), user_dn("alice"))
    assert p.returncode == 2 and "such.png" in p.stderr and p.stdout == ""
    assert "oathTOTPToken" not in entry(slapd, "alice", ["oathTOTPToken"])
    # usage
    for args in (["enroll"], ["frob", user_dn("alice")], ["remove", "--force", user_dn("alice")],
                 ["enroll", "--issuer", "a:b", user_dn("alice")], ["enroll", "--png"],
                 ["reset", "--params", "cn=x", user_dn("alice")]):
        p = ctl(slapd, *args)
        assert p.returncode == 2 and "usage:" in p.stderr, args
    # an HOTP token is not wardenctl's to change (it shares oathSecret);
    # recovery codes are the user's, whatever the token
    slapd.admin().modify_s(user_dn("carol"), [
        (ldap.MOD_ADD, "objectClass", [b"oathHOTPUser", b"oathHOTPToken"]),
        (ldap.MOD_ADD, "oathHOTPToken", [user_dn("carol").encode()]),
        (ldap.MOD_ADD, "oathSecret", [os.urandom(20)])])
    stored = entry(slapd, "carol", ["oathSecret"])["oathSecret"]
    for args in (["enroll", "--force"], ["reset"], ["remove"]):
        p = ctl(slapd, *args, user_dn("carol"))
        assert p.returncode == 1 and "has an HOTP token" in p.stderr, args
    assert entry(slapd, "carol", ["oathSecret"])["oathSecret"] == stored
    p = ok(ctl(slapd, "recovery", user_dn("carol")))
    assert len(entry(slapd, "carol", ["wardenRecoveryCode"])["wardenRecoveryCode"]) == 10


def test_without_a_key_file_the_secret_is_refused(slapd):
    start(slapd, global_extra=ROOT_IS_ADMIN)
    p = ctl(slapd, "enroll", user_dn("alice"))
    assert p.returncode == 1 and "warden-key-file is not set" in p.stderr
    assert p.stdout == ""
    assert "oathTOTPToken" not in entry(slapd, "alice", ["oathTOTPToken"])


def test_token_in_an_entry_of_its_own(slapd):
    """A slapo-otp style token entry: reset gives it the new secret and the
    user the recovery codes; remove leaves it, and says so."""
    a = begin(slapd)
    a.add_s(f"ou=tokens,{SUFFIX}", [("objectClass", [b"organizationalUnit"]),
                                     ("ou", [b"tokens"])])
    tok = f"cn=carol-phone,ou=tokens,{SUFFIX}"
    a.add_s(tok, ldap.modlist.addModlist({
        "objectClass": [b"device", b"oathTOTPToken"], "cn": [b"carol-phone"]}))
    # (an add with oathSecret is refused: warden binds the wrapped secret
    # to the entryUUID, which an add does not have yet when warden sees it)
    a.modify_s(tok, [(ldap.MOD_ADD, "oathSecret", [os.urandom(20)])])
    a.modify_s(user_dn("carol"), [
        (ldap.MOD_ADD, "objectClass", [b"oathTOTPUser"]),
        (ldap.MOD_ADD, "oathTOTPToken", [tok.encode()])])
    before = a.search_s(tok, ldap.SCOPE_BASE, attrlist=["oathSecret"])[0][1]["oathSecret"]

    p = ok(ctl(slapd, "reset", "--no-qr", user_dn("carol")))
    assert f"token entry: {tok}" in p.stdout
    _, q, codes = parse(p.stdout)
    assert len(codes) == 10
    after = a.search_s(tok, ldap.SCOPE_BASE, attrlist=["oathSecret"])[0][1]["oathSecret"]
    assert after != before and after[0].startswith(b"{WARDEN1}")
    e = entry(slapd, "carol")
    assert len(e["wardenRecoveryCode"]) == 10 and "oathSecret" not in e
    assert e["oathTOTPToken"] == [tok.encode()]
    assert bind(slapd, "carol", USERPW + totp(q["secret"]))[0] == 0

    p = ok(ctl(slapd, "remove", user_dn("carol")))
    assert f"the token entry {tok} is left as it is" in p.stderr
    assert bind(slapd, "carol", USERPW)[0] == 0
    assert a.search_s(tok, ldap.SCOPE_BASE, attrlist=["oathSecret"])[0][1]["oathSecret"]
