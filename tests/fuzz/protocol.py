#!/usr/bin/python3
# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""The protocol fuzzer (README: Fuzzing): a live slapd with warden (started as
tests/integration/conftest.py starts one, from the build the environment
names: make fuzz-protocol in build-asan runs it on the sanitizer build) gets
random and malformed LDAP requests, written as raw BER here: simple and SASL
binds (PLAIN, and mechanisms that do not exist), modifies, adds, modrdns,
Password Modify (RFC 3062) and the password policy control, with extreme
and malformed values (huge, empty, NULs, invalid UTF-8, digits where a
one-time code goes, secrets in RDNs, attribute options, bad BER lengths),
some whole and some mutated byte by byte, anonymously and bound as a user
with a TOTP token, as a plain user and as the rootdn.

It stops after --seconds and fails (exit 1) on a crash (slapd gone), a hang
(no answer to a plain bind within --hang seconds) or a sanitizer report in
slapd's log.  The inputs of the last connections before a failure are kept
in --out (last-N.bin: the bytes each sent), with slapd's log.

    python3 tests/fuzz/protocol.py --seconds 300 --out DIR [--seed N]
"""
import argparse
import os
import random
import shutil
import socket
import struct
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "integration"))

from conftest import (PRELOAD, ROOTDN, ROOTPW, SUFFIX, USERPW, Slapd,  # noqa: E402
                      user_dn)

# --- BER -------------------------------------------------------------------


def blen(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def tlv(tag, content):
    return bytes([tag]) + blen(len(content)) + content


def ber_int(v, tag=0x02):
    if v == 0:
        return tlv(tag, b"\x00")
    n = (v.bit_length() + 8) // 8
    return tlv(tag, v.to_bytes(n, "big", signed=True))


def octets(s, tag=0x04):
    return tlv(tag, s if isinstance(s, bytes) else s.encode())


def seq(*parts, tag=0x30):
    return tlv(tag, b"".join(parts))


def ldap_message(msgid, op, controls=None):
    body = ber_int(msgid) + op
    if controls:
        body += tlv(0xa0, b"".join(controls))
    return tlv(0x30, body)


def control(oid, critical=False, value=None):
    c = octets(oid)
    if critical:
        c += tlv(0x01, b"\xff")
    if value is not None:
        c += octets(value)
    return seq(c)


PPOLICY = "1.3.6.1.4.1.42.2.27.8.5.1"
PASSWD_MODIFY = "1.3.6.1.4.1.4203.1.11.1"
WHOAMI = "1.3.6.1.4.1.4203.1.11.3"

# --- values ----------------------------------------------------------------

ATTRS = ["userPassword", "userPassword;lang-en", "userPassword;binary",
         "oathSecret", "oathTOTPToken", "oathHOTPToken", "oathTOTPParams",
         "oathHOTPCounter", "oathToken", "wardenRecoveryCode", "pwdPolicySubentry",
         "pwdAccountLockedTime", "pwdReset", "pwdHistory", "pwdFailureTime",
         "pwdMaxFailure", "pwdMinLength", "pwdMaxLength", "pwdLockoutDuration",
         "pwdCheckQuality", "wardenLockoutBackoff", "wardenMinClasses",
         "wardenSystem", "wardenNetwork", "wardenAllowGroup", "wardenPolicy",
         "objectClass", "member", "description", "cn", "sn", "uid", "mail",
         "USERPASSWORD", "2.5.4.35", "x-unknown", "", ";", "userPassword;"]
OBJECTCLASSES = [b"pwdPolicy", b"wardenPolicy", b"wardenSystem", b"oathTOTPUser",
                 b"oathTOTPToken", b"oathHOTPToken", b"device", b"inetOrgPerson",
                 b"top", b"nonexistent"]


class Gen:
    def __init__(self, rnd):
        self.r = rnd

    def blob(self, maxlen=64):
        r = self.r
        n = r.choice([0, 1, 2, 6, 8, 11, 16, 20, r.randint(0, maxlen)])
        kind = r.randint(0, 5)
        if kind == 0:
            return bytes(r.getrandbits(8) for _ in range(n))
        if kind == 1:
            return "".join(r.choice("0123456789") for _ in range(n)).encode()
        if kind == 2:
            return (USERPW + "".join(r.choice("0123456789") for _ in range(r.choice([6, 8, 5, 9])))).encode()
        if kind == 3:
            return r.choice([b"\x00", b"\xff\xfe", b"\xc0\x80", b"\xed\xa0\x80", b"%s%n",
                             b"{CRYPT}$\x00$", b"{SSHA}", b"{WARDEN1}k1:", b"-",
                             b"abcde-fghjk", USERPW.encode() + b"7k3qm-x9t2p"]) * r.randint(1, 4)
        if kind == 4:
            return r.choice([b"-1", b"0", b"2147483648", b"99999999999999999999",
                             b"-9223372036854775809", b"3", b"TRUE", b"", b" 5", b"+5",
                             b"20260101000000Z", b"000001010000Z", b"ldap://x/"])
        return b"A" * r.choice([255, 256, 4096, 65536, 300000])

    def dn(self):
        r = self.r
        return r.choice([
            user_dn("alice"), user_dn("bob"), user_dn("carol"), ROOTDN, SUFFIX, "",
            "cn=Default,ou=policies," + SUFFIX, "uid=nobody,ou=people," + SUFFIX,
            "uid=alice+userPassword=x,ou=people," + SUFFIX, "not a dn", "=,=,=",
            "uid=" + "a" * r.choice([100, 5000, 70000]) + "," + SUFFIX,
            "uid=\\00,ou=people," + SUFFIX, "uid=alice,ou=people," + SUFFIX + "\x00x",
            "cn=config", "cn=Monitor", "uid=alice,ou=people,dc=EXAMPLE, dc=test"])

    def attr(self):
        return self.r.choice(ATTRS)

    def values(self, a):
        r = self.r
        if a == "objectClass" and r.random() < 0.7:
            return [r.choice(OBJECTCLASSES) for _ in range(r.randint(1, 3))]
        if a == "pwdPolicySubentry" and r.random() < 0.5:
            return [self.dn().encode()]
        return [self.blob() for _ in range(r.choice([0, 1, 1, 1, 2, 3, 40]))]

    def attribute(self):
        a = self.attr()
        return seq(octets(a), tlv(0x31, b"".join(octets(v) for v in self.values(a))))

    # -- requests -------------------------------------------------------------
    def bind_simple(self):
        r = self.r
        u = r.choice(["alice", "bob", "carol", None])
        name = user_dn(u) if u else self.dn()
        pw = self.blob()
        return tlv(0x60, ber_int(r.choice([3, 3, 3, 2, 1, 0, 127, 128, -1, 2**40])) +
                   octets(name) + octets(pw, 0x80))

    def bind_sasl(self):
        r = self.r
        mech = r.choice(["PLAIN", "PLAIN", "EXTERNAL", "GSSAPI", "DIGEST-MD5",
                         "CRAM-MD5", "SCRAM-SHA-1", "NOPE", "", "plain", "P" * 300])
        u = r.choice(["alice", "bob", "carol", "admin", "", "\x00", "a" * 400])
        cred = r.choice([
            b"\x00" + u.encode() + b"\x00" + self.blob(),
            u.encode() + b"\x00" + u.encode() + b"\x00" + self.blob(),
            b"\x00\x00", b"", self.blob(), b"\x00" + u.encode() + b"\x00" + USERPW.encode()])
        sasl = octets(mech)
        if r.random() < 0.9:
            sasl += octets(cred)
        return tlv(0x60, ber_int(3) + octets(r.choice(["", self.dn()])) + tlv(0xa3, sasl))

    def modify(self):
        r = self.r
        changes = []
        for _ in range(r.choice([0, 1, 1, 2, 3, 8])):
            op = r.choice([0, 1, 2, 3, 2, 1, 0, 7, -1])
            changes.append(seq(ber_int(op, 0x0a), self.attribute()))
        return tlv(0x66, octets(self.dn()) + seq(*changes))

    def add(self):
        r = self.r
        attrs = [self.attribute() for _ in range(r.randint(0, 5))]
        if r.random() < 0.7:
            attrs.append(seq(octets("objectClass"), tlv(0x31, octets("inetOrgPerson"))))
            attrs.append(seq(octets("sn"), tlv(0x31, octets("x"))))
            attrs.append(seq(octets("cn"), tlv(0x31, octets("x"))))
        name = r.choice([f"uid=fz{r.randint(0, 999)},ou=people,{SUFFIX}", self.dn(),
                         f"userPassword=weak,ou=people,{SUFFIX}"])
        return tlv(0x68, octets(name) + seq(*attrs))

    def modrdn(self):
        r = self.r
        rdn = r.choice(["uid=alice2", "userPassword=weakpw+uid=carol", "userPassword=x",
                        "oathSecret=abc", "pwdAccountLockedTime=20260101000000Z",
                        "uid=carol+userPassword;lang-en=a", "cn=" + "x" * 3000, "", "=",
                        "uid=bob", "pwdPolicySubentry=cn=x"])
        body = octets(self.dn()) + octets(rdn) + tlv(0x01, r.choice([b"\x00", b"\xff"]))
        if r.random() < 0.3:
            body += octets(self.dn(), 0x80)
        return tlv(0x6c, body)

    def passwd_modify(self):
        r = self.r
        inner = b""
        if r.random() < 0.6:
            inner += octets(r.choice([user_dn("alice"), user_dn("carol"), self.dn()]), 0x80)
        if r.random() < 0.7:
            inner += octets(r.choice([USERPW.encode(), self.blob()]), 0x81)
        if r.random() < 0.6:
            inner += octets(self.blob(), 0x82)
        value = seq(inner)
        if r.random() < 0.2:
            value = self.mutate(value)
        return tlv(0x77, octets(PASSWD_MODIFY, 0x80) + octets(value, 0x81))

    def other_ext(self):
        r = self.r
        oid = r.choice([WHOAMI, "1.3.6.1.4.1.1466.20037", "1.2.3", ""])
        body = octets(oid, 0x80)
        if r.random() < 0.5:
            body += octets(self.blob(), 0x81)
        return tlv(0x77, body)

    def compare(self):
        return tlv(0x6e, octets(self.dn()) + seq(octets(self.attr()), octets(self.blob())))

    def delete(self):
        return octets(self.dn(), 0x4a)

    def controls(self):
        r = self.r
        if r.random() < 0.7:
            return None
        cs = [control(PPOLICY, r.random() < 0.3, self.blob(8) if r.random() < 0.2 else None)]
        if r.random() < 0.3:
            cs.append(control(r.choice(["1.2.3.4", "2.16.840.1.113730.3.4.2",
                                        "1.3.6.1.1.13.1"]), r.random() < 0.5,
                              self.blob(16)))
        return cs

    def mutate(self, b):
        r = self.r
        b = bytearray(b)
        for _ in range(r.randint(1, 4)):
            if not b:
                break
            k = r.randint(0, 4)
            i = r.randrange(len(b))
            if k == 0:
                b[i] ^= 1 << r.randint(0, 7)
            elif k == 1:
                b[i] = r.choice([0x00, 0x7f, 0x80, 0x81, 0x84, 0xff])
            elif k == 2:
                del b[i:i + r.randint(1, 8)]
            elif k == 3:
                b[i:i] = bytes(r.getrandbits(8) for _ in range(r.randint(1, 8)))
            else:
                b = b[:i]
        return bytes(b)

    def request(self, msgid):
        r = self.r
        op = r.choice([self.bind_simple, self.bind_simple, self.bind_sasl, self.modify,
                       self.modify, self.add, self.modrdn, self.passwd_modify,
                       self.passwd_modify, self.other_ext, self.compare, self.delete])()
        msg = ldap_message(msgid, op, self.controls())
        if r.random() < 0.15:
            msg = self.mutate(msg)
        return msg


def good_bind(msgid, dn, pw):
    return ldap_message(msgid, tlv(0x60, ber_int(3) + octets(dn) + octets(pw, 0x80)))


def read_some(sock, timeout):
    """Reads what the server sends until it is quiet for timeout seconds."""
    sock.settimeout(timeout)
    got = b""
    try:
        while True:
            d = sock.recv(65536)
            if not d:
                break
            got += d
    except (socket.timeout, OSError):
        pass
    return got


def ber_len(b, i):
    """(length, index after it) of the BER length at b[i]."""
    n = b[i]
    if n < 0x80:
        return n, i + 1
    k = n & 0x7f
    return int.from_bytes(b[i + 1:i + 1 + k], "big"), i + 1 + k


def result_codes(b):
    """(operation tag, resultCode) of each LDAPResult in what was read."""
    out = []
    i = 0
    try:
        while i < len(b) and b[i] == 0x30:
            n, j = ber_len(b, i + 1)
            end = j + n
            _, k = ber_len(b, j + 1)          # messageID
            k += b[j + 1] if b[j + 1] < 0x80 else 0
            tag = b[k]
            _, m = ber_len(b, k + 1)
            if tag in (0x61, 0x65, 0x67, 0x69, 0x6b, 0x6d, 0x6f, 0x78) and b[m] == 0x0a:
                out.append((tag, b[m + 2]))
            i = end
    except IndexError:
        pass
    return out


OPNAMES = {0x61: "bind", 0x67: "modify", 0x69: "add", 0x6b: "delete", 0x6d: "modrdn",
           0x6f: "compare", 0x78: "extended", 0x65: "search"}


def alive(s, hang):
    """A plain bind answered within hang seconds."""
    try:
        with socket.create_connection(("127.0.0.1", s.port), timeout=hang) as c:
            c.settimeout(hang)
            c.sendall(good_bind(1, ROOTDN, ROOTPW))
            resp = c.recv(4096)
            return resp[:1] == b"\x30" and b"\x61" in resp
    except OSError:
        return False


# --- the run ---------------------------------------------------------------


def start_slapd(base):
    from test_lockout import start
    from test_totp import SEEDS, enrol, key_file
    s = Slapd(base / "s")
    audit = s.dir / "audit.log"
    start(s, {"pwdMaxFailure": "1000", "pwdMinLength": "8", "pwdInHistory": "3",
              "pwdCheckQuality": "2", "wardenMinClasses": "2"},
          global_extra=('authz-regexp "^uid=([^,]*),(cn=[^,]*,)?cn=[^,]*,cn=auth$" '
                        f'"uid=$1,ou=people,{SUFFIX}"\nsasl-secprops none\n'),
          extra=f"warden-key-file {key_file(s)}\nwarden-audit-file {audit}\n"
                "warden-audit-aggregate 0\n")
    enrol(s, "carol", SEEDS["carol"])
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=300)
    ap.add_argument("--out", default="fuzz-out/protocol")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--hang", type=float, default=20)
    ap.add_argument("--keep", type=int, default=20, help="connections kept for a failure")
    a = ap.parse_args()
    seed = a.seed if a.seed is not None else int.from_bytes(os.urandom(4), "big")
    rnd = random.Random(seed)
    gen = Gen(rnd)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    base = Path(tempfile.mkdtemp(prefix="wdn-protofuzz-", dir="/tmp"))
    os.chmod(base, 0o700)
    print(f"protocol fuzz: seed {seed}, {a.seconds:.0f} s, sanitizers "
          f"{'on' if PRELOAD else 'off'}, work {base}", flush=True)
    s = start_slapd(base)
    recent = []
    results = {}
    conns = msgs = 0
    failure = None
    deadline = time.time() + a.seconds
    try:
        while time.time() < deadline and not failure:
            sent = []
            try:
                c = socket.create_connection(("127.0.0.1", s.port), timeout=5)
            except OSError as e:
                failure = f"cannot connect: {e}"
                break
            got = b""
            with c:
                who = rnd.choice(["anon", "anon", "alice", "carol", "root"])
                if who != "anon":
                    dn, pw = {"alice": (user_dn("alice"), USERPW),
                              "carol": (user_dn("carol"), USERPW),
                              "root": (ROOTDN, ROOTPW)}[who]
                    m = good_bind(1, dn, pw)
                    sent.append(m)
                    try:
                        c.sendall(m)
                    except OSError:
                        pass
                for i in range(rnd.randint(1, 12)):
                    m = gen.request(i + 2)
                    sent.append(m)
                    try:
                        c.sendall(m)
                    except OSError:
                        break
                    msgs += 1
                    if rnd.random() < 0.5:
                        got += read_some(c, 0.05)
                got += read_some(c, 0.2)
            for tag, code in result_codes(got):
                key = (OPNAMES.get(tag, hex(tag)), code)
                results[key] = results.get(key, 0) + 1
            conns += 1
            recent.append(sent)
            del recent[:-a.keep]
            if s.proc.poll() is not None:
                failure = f"slapd exited with {s.proc.returncode}"
            elif s.sanitizer_reports():
                failure = "sanitizer report"
            elif conns % 25 == 0 and not alive(s, a.hang):
                failure = f"no answer to a bind within {a.hang:.0f} s (hang)"
        if not failure and not alive(s, a.hang):
            failure = f"no answer to a bind within {a.hang:.0f} s (hang)"
    finally:
        s.stop()
    if not failure and s.sanitizer_reports():
        failure = "sanitizer report"
    print(f"protocol fuzz: {conns} connections, {msgs} requests; results "
          "(operation:code count): " + " ".join(
              f"{op}:{code}={n}" for (op, code), n in sorted(results.items())), flush=True)
    if failure:
        for i, sent in enumerate(recent):
            (out / f"last-{len(recent) - i}.bin").write_bytes(b"".join(sent))
        shutil.copy(s.log, out / "slapd.log")
        print(f"protocol fuzz: FAILED: {failure} (seed {seed}); the last {len(recent)} "
              f"connections' bytes and slapd's log are in {out}", flush=True)
        for line in s.sanitizer_reports()[:10]:
            print("  " + line)
        print(s.tail(40))
        return 1
    shutil.rmtree(base, ignore_errors=True)
    print("protocol fuzz: no crash, hang or sanitizer report", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
