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

--workers connections run at once.  It stops after --seconds and fails
(exit 1) on a crash (slapd gone), a hang (no answer to a plain bind within
--hang seconds), a sanitizer report in slapd's log, or an audit trail that
no longer verifies (wardenctl audit verify) at the end.  The inputs of the last connections before a failure are kept
in --out (last-N.bin: the bytes each sent), with slapd's log.

    python3 tests/fuzz/protocol.py --seconds 300 --out DIR [--seed N]
"""
import argparse
import collections
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "integration"))

from conftest import (PRELOAD, ROOTDN, ROOTPW, SUFFIX, USERPW, Slapd,  # noqa: E402
                      user_dn)

WARDENCTL = os.environ.get("WARDENCTL", "")

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
        if r.random() < 0.3:
            # a password change of a user's own kind: replace userPassword
            return tlv(0x66, octets(r.choice([user_dn("alice"), user_dn("carol"),
                                               self.fz_dn()])) + seq(seq(
                ber_int(r.choice([2, 2, 0, 1]), 0x0a),
                seq(octets(r.choice(["userPassword", "userPassword", "oathSecret",
                                     "pwdAccountLockedTime"])),
                    tlv(0x31, octets(self.blob()))))))
        changes = []
        for _ in range(r.choice([0, 1, 1, 2, 3, 8])):
            op = r.choice([0, 1, 2, 3, 2, 1, 0, 7, -1])
            changes.append(seq(ber_int(op, 0x0a), self.attribute()))
        return tlv(0x66, octets(self.dn()) + seq(*changes))

    def fz_dn(self):
        return f"uid=fz{self.r.randint(0, 99)},ou=people,{SUFFIX}"

    def add(self):
        r = self.r
        if r.random() < 0.5:
            # a valid entry, often with a password: quality, hashing, history
            u = self.fz_dn()
            attrs = [seq(octets("objectClass"), tlv(0x31, octets("inetOrgPerson"))),
                     seq(octets("sn"), tlv(0x31, octets("x"))),
                     seq(octets("cn"), tlv(0x31, octets("x"))),
                     seq(octets("uid"), tlv(0x31, octets(u[4:u.index(",")])))]
            if r.random() < 0.8:
                attrs.append(seq(octets("userPassword"), tlv(0x31, b"".join(
                    octets(self.blob()) for _ in range(r.choice([1, 1, 1, 2]))))))
            if r.random() < 0.3:
                attrs.append(self.attribute())
            return tlv(0x68, octets(u) + seq(*attrs))
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
        # the fixed users mostly keep their names, so that binds as them go on
        target = self.fz_dn() if r.random() < 0.7 else self.dn()
        body = octets(target) + octets(rdn) + tlv(0x01, r.choice([b"\x00", b"\xff"]))
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
        return octets(self.fz_dn() if self.r.random() < 0.8 else self.dn(), 0x4a)

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
                code = b[m + 2]
                # other (80) to a bind is Cyrus SASL's answer to a
                # malformed exchange (SASL_BADPROT, "SASL(-5): bad
                # protocol"), slapd's own; told apart from any other
                if tag == 0x61 and code == 80 and b"SASL(" in b[m:end]:
                    code = "80:sasl"
                out.append((tag, code))
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


class Run:
    """What the workers share."""

    def __init__(self, keep):
        self.lock = threading.Lock()
        self.failure = None
        self.recent = collections.deque(maxlen=keep)
        self.results = collections.Counter()
        self.conns = self.msgs = 0


def one_connection(s, rnd, gen, run):
    sent = []
    got = b""
    try:
        c = socket.create_connection(("127.0.0.1", s.port), timeout=5)
    except OSError as e:
        with run.lock:
            run.failure = run.failure or f"cannot connect: {e}"
        return
    n = 0
    with c:
        who = rnd.choice(["anon", "alice", "carol", "root", "root"])
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
            n += 1
            if rnd.random() < 0.3:
                got += read_some(c, 0.02)
        got += read_some(c, 0.1)
    with run.lock:
        run.recent.append(sent)
        run.conns += 1
        run.msgs += n
        for tag, code in result_codes(got):
            run.results[(OPNAMES.get(tag, hex(tag)), code)] += 1


def worker(s, seed, deadline, run):
    rnd = random.Random(seed)
    gen = Gen(rnd)
    while time.time() < deadline and not run.failure:
        one_connection(s, rnd, gen, run)


class LogScan:
    """Sanitizer reports in slapd's log, read from where the last look
    stopped."""

    def __init__(self, path):
        self.path = path
        self.at = 0

    def reports(self):
        try:
            with open(self.path, "rb") as f:
                f.seek(self.at)
                text = f.read()
        except OSError:
            return []
        self.at += len(text)
        return [l for l in text.decode(errors="replace").splitlines()
                if "ERROR: AddressSanitizer" in l or "runtime error:" in l
                or "ERROR: LeakSanitizer" in l]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=300)
    ap.add_argument("--out", default="fuzz-out/protocol")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--hang", type=float, default=20)
    ap.add_argument("--workers", type=int, default=4, help="connections at once")
    ap.add_argument("--keep", type=int, default=20, help="connections kept for a failure")
    a = ap.parse_args()
    seed = a.seed if a.seed is not None else int.from_bytes(os.urandom(4), "big")
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    base = Path(tempfile.mkdtemp(prefix="wdn-protofuzz-", dir="/tmp"))
    os.chmod(base, 0o700)
    print(f"protocol fuzz: seed {seed}, {a.seconds:.0f} s, {a.workers} workers, sanitizers "
          f"{'on' if PRELOAD else 'off'}, work {base}", flush=True)
    s = start_slapd(base)
    scan = LogScan(s.log)
    run = Run(a.keep)
    reports = []
    deadline = time.time() + a.seconds
    threads = [threading.Thread(target=worker, args=(s, seed * 1000 + i, deadline, run),
                                daemon=True) for i in range(a.workers)]
    try:
        for t in threads:
            t.start()
        last_alive = time.time()
        while time.time() < deadline and not run.failure:
            time.sleep(1)
            reports += scan.reports()
            if s.proc.poll() is not None:
                run.failure = f"slapd exited with {s.proc.returncode}"
            elif reports:
                run.failure = "sanitizer report"
            elif time.time() - last_alive > 10:
                if not alive(s, a.hang):
                    run.failure = f"no answer to a bind within {a.hang:.0f} s (hang)"
                last_alive = time.time()
        for t in threads:
            t.join(a.hang + 10)
        if not run.failure and not alive(s, a.hang):
            run.failure = f"no answer to a bind within {a.hang:.0f} s (hang)"
    finally:
        s.stop()
    reports += scan.reports()
    if not run.failure and reports:
        run.failure = "sanitizer report"
    # no change escapes the trail: the chain slapd wrote still verifies
    audit = s.dir / "audit.log"
    if not run.failure and WARDENCTL and audit.exists():
        p = subprocess.run([WARDENCTL, "audit", "verify", "--key-file",
                            str(s.dir / "warden.key"), str(audit)],
                           capture_output=True, text=True, timeout=300)
        print("protocol fuzz: audit trail: " + (p.stdout + p.stderr).strip(), flush=True)
        if p.returncode != 0:
            run.failure = "the audit trail does not verify"
    print(f"protocol fuzz: {run.conns} connections, {run.msgs} requests; results "
          "(operation:code count): " + " ".join(
              f"{op}:{code}={n}" for (op, code), n in sorted(
                  run.results.items(), key=lambda kv: (kv[0][0], str(kv[0][1]).zfill(8)))),
          flush=True)
    if run.failure:
        recent = list(run.recent)
        for i, sent in enumerate(recent):
            (out / f"last-{len(recent) - i}.bin").write_bytes(b"".join(sent))
        shutil.copy(s.log, out / "slapd.log")
        if audit.exists():
            shutil.copy(audit, out / "audit.log")
        print(f"protocol fuzz: FAILED: {run.failure} (seed {seed}); the last {len(recent)} "
              f"connections' bytes and slapd's log are in {out}", flush=True)
        for line in reports[:10]:
            print("  " + line)
        print(s.tail(40))
        return 1
    shutil.rmtree(base, ignore_errors=True)
    print("protocol fuzz: no crash, hang or sanitizer report", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
