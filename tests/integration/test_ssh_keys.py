# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""SSH public keys (issue 19): every sshPublicKey written is a strong key
of its own (keys made by ssh-keygen, written with ldapmodify), and a
search from a system returns the keys only of the users who may log in
there.  test_ssh_clients.py does the same through sssd and a real sshd."""
import subprocess
import time

import ldap
import pytest

from conftest import ROOTDN, ROOTPW, SUFFIX, USERPW, user_dn
from test_audit import find, merged, records, start_audit
from test_cnconfig import config_ldif, modify, overlay_attrs, replace
from test_lockout import start

GRP = f"ou=groups,{SUFFIX}"
SYS = f"ou=systems,{SUFFIX}"


def keygen(d, kind, bits=None, name=None):
    """A new key pair made by ssh-keygen; (public line, fingerprint as
    ssh-keygen -lf prints it), or None when this ssh-keygen refuses the
    type (DSA is gone from newer OpenSSH)."""
    f = d / (name or f"id_{kind}{bits or ''}")
    args = ["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", f"{f.name}@test", "-f", str(f)]
    if bits:
        args[4:4] = ["-b", str(bits)]
    if subprocess.run(args, capture_output=True).returncode:
        return None
    fp = subprocess.run(["ssh-keygen", "-lf", f"{f}.pub"], capture_output=True,
                        text=True, check=True).stdout.split()[1]
    return (f.parent / f"{f.name}.pub").read_text().strip(), fp


def ldapmodify(slapd, ldif, add=False):
    """ldap-utils' ldapmodify as the rootdn; (exit code, output)."""
    cmd = ["ldapmodify", "-x", "-H", slapd.uri, "-D", ROOTDN, "-w", ROOTPW]
    if add:
        cmd.append("-a")
    p = subprocess.run(cmd, input=ldif, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout + p.stderr


def add_key(slapd, user, line, attr="sshPublicKey", op="add"):
    """Gives user the class (when it lacks it) and the key, with
    ldapmodify; (exit code, output)."""
    ldapmodify(slapd, f"dn: {user_dn(user)}\nchangetype: modify\n"
               "add: objectClass\nobjectClass: ldapPublicKey\n")
    return ldapmodify(slapd, f"dn: {user_dn(user)}\nchangetype: modify\n"
                      f"{op}: {attr}\n{attr}: {line}\n")


def ldapsearch_keys(slapd, who=None, pw=None, uri=None):
    """{uid: [keys]} of the people as who sees them (ldapsearch)."""
    cmd = ["ldapsearch", "-LLL", "-o", "ldif-wrap=no", "-H", uri or slapd.uri,
           "-b", f"ou=people,{SUFFIX}", "(objectClass=posixAccount)", "uid", "sshPublicKey"]
    if who:
        cmd[1:1] = ["-x", "-D", who, "-w", pw]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    keys, uid = {}, None
    for line in out.stdout.splitlines():
        if line.startswith("uid: "):
            uid = line[5:]
            keys.setdefault(uid, [])
        elif line.startswith("sshPublicKey: "):
            keys[uid].append(line[len("sshPublicKey: "):])
    return keys


def test_key_strength_and_format(slapd, workdir):
    a, audit = start_audit(slapd)
    d = workdir / "keys"
    d.mkdir()
    ed = keygen(d, "ed25519")
    rsa2048, rsa4096 = keygen(d, "rsa", 2048), keygen(d, "rsa", 4096)
    ecdsa = keygen(d, "ecdsa", 256)
    dsa = keygen(d, "dsa")

    rc, out = add_key(slapd, "alice", rsa2048[0])
    assert rc == 19 and "RSA keys must have at least 3072 bits; this one has 2048" in out, out
    assert rsa2048[1] in out, out                       # named by its fingerprint
    if dsa:
        rc, out = add_key(slapd, "alice", dsa[0])
        assert rc == 19 and "DSA keys are refused" in out, out
    for bad, why in (("ssh-ed25519", "no key data"),
                     ("ssh-ed25519 AAAA!!!! x", "not valid base64"),
                     ("ssh-foo AAAAC3NzaC1lZDI1NTE5 x", "unknown key type"),
                     (ed[0].replace("AAAA", "AAAB", 1), "not of the type")):
        rc, out = add_key(slapd, "alice", bad)
        assert rc == 19 and why in out, (bad, out)
    # options and comment are kept; RSA 4096, ECDSA and Ed25519 accepted
    for line in (f'from="127.0.0.1",no-pty {ed[0]}', rsa4096[0], ecdsa[0]):
        rc, out = add_key(slapd, "alice", line)
        assert rc == 0, out
    got = a.search_s(user_dn("alice"), ldap.SCOPE_BASE, attrlist=["sshPublicKey"])[0][1]
    assert len(got["sshPublicKey"]) == 3, got

    # a key in a replace, with an attribute option, on an add: judged alike
    rc, out = ldapmodify(slapd, f"dn: {user_dn('bob')}\nchangetype: modify\n"
                               f"add: objectClass\nobjectClass: ldapPublicKey\n-\n"
                               f"replace: sshPublicKey;lang-en\nsshPublicKey;lang-en: "
                               f"{rsa2048[0]}\n")
    assert rc == 19 and "this one has 2048" in out, out
    rc, out = ldapmodify(slapd, f"dn: uid=dave,ou=people,{SUFFIX}\nobjectClass: inetOrgPerson\n"
                               f"objectClass: ldapPublicKey\nuid: dave\ncn: dave\nsn: dave\n"
                               f"sshPublicKey: {rsa2048[0]}\n", add=True)
    assert rc == 19 and "this one has 2048" in out, out
    # the same key on another user: refused, without naming the holder
    rc, out = add_key(slapd, "bob", ed[0].replace(ed[0].split()[-1], "bob@elsewhere"))
    assert rc == 19 and "already another account's" in out and ed[1] in out, out
    assert "alice" not in out, out
    # a key in an RDN would escape every check
    rc, out = ldapmodify(slapd, f"dn: uid=carol,ou=people,{SUFFIX}\nchangetype: modrdn\n"
                               f"newrdn: sshPublicKey={ecdsa[0].split()[1][:20]}\n"
                               "deleteoldrdn: 0\n")
    assert rc != 0 and "may not be in an RDN" in out, out
    # deleting a key is not judged; then bob may take it
    rc, out = ldapmodify(slapd, f"dn: {user_dn('alice')}\nchangetype: modify\n"
                               f"delete: sshPublicKey\nsshPublicKey: {ecdsa[0]}\n")
    assert rc == 0, out
    rc, out = add_key(slapd, "bob", ecdsa[0])
    assert rc == 0, out

    # the audit trail names keys by fingerprint, never whole
    time.sleep(0.5)
    recs = merged(records(audit))
    text = audit.read_text()
    assert ed[0].split()[1] not in text and rsa2048[0].split()[1] not in text
    mods = [c for r in find(recs, **{"event.action": "modify"})
            for c in r.get("ldap.changes", []) if c.get("attr", "").startswith("sshPublicKey")]
    assert any(c.get("keys") == [ecdsa[1]] for c in mods), mods
    assert any(c.get("keys") == [rsa2048[1]] for c in mods), mods   # a refused one too


def test_min_rsa_bits_setting(slapd, workdir):
    """slapd.conf sets it; cn=config changes it live and refuses a bad
    value."""
    start(slapd, extra="warden-ssh-min-rsa-bits 4096\n")
    d = workdir / "keys"
    d.mkdir()
    rsa3072 = keygen(d, "rsa", 3072)
    rc, out = add_key(slapd, "alice", rsa3072[0])
    assert rc == 19 and "at least 4096 bits; this one has 3072" in out, out
    slapd.stop()
    slapd.load_config_ldif(config_ldif(slapd, with_warden=True))
    slapd.start()
    assert "olcWardenSSHMinRSABits" not in overlay_attrs(slapd)     # the default
    rc, out = add_key(slapd, "alice", rsa3072[0])
    assert rc == 0, out
    rc, out = modify(slapd, replace("olcWardenSSHMinRSABits", "1024"))
    assert rc != 0 and "from 2048 to 16384" in out, out
    rc, out = modify(slapd, replace("olcWardenSSHMinRSABits", "4096"))
    assert rc == 0, out
    assert overlay_attrs(slapd)["olcWardenSSHMinRSABits"] == ["4096"]
    rc, out = add_key(slapd, "bob", keygen(d, "rsa", 3072, name="bob")[0])
    assert rc == 19 and "this one has 3072" in out, out


def test_keys_served_only_where_the_user_may_log_in(slapd, workdir):
    """A system matching 127.0.0.1 that allows web-admins: alice's key is
    served, bob's (not a member) and carol's (disabled) are left out of
    entries that stay visible; the rootdn and admins see all."""
    a = start(slapd, users=("alice", "bob", "carol", "erin", "svc"),
              extra=f"warden-admin-group cn=warden-admins,{GRP}\n"
              f"warden-access-exempt {user_dn('svc')}\n"
              f"warden-access-exempt {user_dn('erin')}\n")
    d = workdir / "keys"
    d.mkdir()
    keys = {u: keygen(d, "ed25519", name=u) for u in ("alice", "bob", "carol", "erin")}
    for u, (line, _) in keys.items():
        rc, out = add_key(slapd, u, line)
        assert rc == 0, out
    for ou in ("groups", "systems"):
        a.add_s(f"ou={ou},{SUFFIX}", [("objectClass", [b"organizationalUnit"]),
                                      ("ou", [ou.encode()])])
    a.add_s(f"cn=web-admins,{GRP}", [("objectClass", [b"groupOfNames"]),
                                     ("member", [user_dn(u).encode()
                                                 for u in ("alice", "carol")])])
    a.add_s(f"cn=warden-admins,{GRP}", [("objectClass", [b"groupOfNames"]),
                                        ("member", [user_dn("erin").encode()])])
    # before any system: nothing matches, warden-access-default allow
    assert all(ldapsearch_keys(slapd, user_dn("svc"), USERPW)[u] for u in keys)
    a.add_s(f"cn=here,{SYS}", [("objectClass", [b"device", b"wardenSystem"]),
                               ("wardenNetwork", [b"127.0.0.1"]),
                               ("wardenAllowedGroup", [f"cn=web-admins,{GRP}".encode()])])
    a.modify_s(user_dn("carol"), [(ldap.MOD_REPLACE, "pwdAccountLockedTime",
                                   [b"000001010000Z"])])
    seen = ldapsearch_keys(slapd, user_dn("svc"), USERPW)
    assert set(seen) == {*keys, "svc"}, seen            # every entry visible
    assert seen["alice"] == [keys["alice"][0]], seen
    assert seen["bob"] == [] and seen["carol"] == [], seen
    # an identity warden-access-exempt names may log in anywhere
    assert seen["erin"] == [keys["erin"][0]], seen
    assert seen["svc"] == [], seen
    # anonymous (ACLs allow it nothing here) and a plain read of another
    # attribute list: no keys asked, nothing to decide
    only_uid = a.search_s(f"ou=people,{SUFFIX}", ldap.SCOPE_ONELEVEL, "(uid=bob)", ["cn"])
    assert only_uid and "sshPublicKey" not in only_uid[0][1]
    # the rootdn and an administrator see all
    root = {dn: e for dn, e in a.search_s(f"ou=people,{SUFFIX}", ldap.SCOPE_ONELEVEL,
                                          "(uid=*)", ["sshPublicKey"])}
    assert all(root[user_dn(u)].get("sshPublicKey") for u in keys), root
    admin = ldapsearch_keys(slapd, user_dn("erin"), USERPW)
    assert all(admin[u] for u in keys), admin
    # bob joins: his key is served at the next search; alice leaves: hers not
    a.modify_s(f"cn=web-admins,{GRP}", [(ldap.MOD_ADD, "member", [user_dn("bob").encode()]),
                                       (ldap.MOD_DELETE, "member",
                                        [user_dn("alice").encode()])])
    seen = ldapsearch_keys(slapd, user_dn("svc"), USERPW)
    assert seen["bob"] == [keys["bob"][0]] and seen["alice"] == [], seen
    # the backend's entry was never changed: the rootdn still sees carol's
    got = a.search_s(user_dn("carol"), ldap.SCOPE_BASE, attrlist=["sshPublicKey"])[0][1]
    assert got["sshPublicKey"] == [keys["carol"][0].encode()]
    assert not slapd.sanitizer_reports()


def test_one_key_written_at_once_to_many_users_lands_once(slapd, workdir):
    """The same key sent at the same instant for eight users (four
    modifies of existing entries, four adds of new ones), each on its own
    connection: the duplicate check and the write are one step, so exactly
    one write takes the key and the others are refused with 19.  Without
    that, each search for the key elsewhere ran before any of the writes
    committed and several users got it."""
    a = start(slapd, users=[f"m{i}" for i in range(4)])
    for i in range(4):
        a.modify_s(user_dn(f"m{i}"), [(ldap.MOD_ADD, "objectClass", [b"ldapPublicKey"])])
    d = workdir / "keys"
    d.mkdir()
    conns = []
    for _ in range(8):
        c = ldap.initialize(slapd.uri)
        c.set_option(ldap.OPT_NETWORK_TIMEOUT, 10)
        c.simple_bind_s(ROOTDN, ROOTPW)
        conns.append(c)
    for rnd in range(6):
        line = keygen(d, "ed25519", name=f"race{rnd}")[0]
        blob = " ".join(line.split()[:2])
        sent = []
        # every request is on the wire before the first answer is read
        for i, c in enumerate(conns):
            value = f"{blob} writer{i}@round{rnd}".encode()
            if i < 4:
                sent.append((c, c.modify(user_dn(f"m{i}"), [
                    (ldap.MOD_REPLACE, "sshPublicKey", [value])])))
            else:
                u = f"n{rnd}x{i}"
                sent.append((c, c.add(user_dn(u), [
                    ("objectClass", [b"inetOrgPerson", b"ldapPublicKey"]),
                    ("uid", [u.encode()]), ("cn", [u.encode()]), ("sn", [u.encode()]),
                    ("sshPublicKey", [value])])))
        codes = []
        for c, msgid in sent:
            try:
                c.result(msgid)
                codes.append(0)
            except ldap.CONSTRAINT_VIOLATION as e:
                assert "already another account's" in e.args[0].get("info", ""), e
                codes.append(19)
        assert sorted(codes) == [0] + [19] * 7, (rnd, codes)
        holders = a.search_s(f"ou=people,{SUFFIX}", ldap.SCOPE_ONELEVEL,
                             "(sshPublicKey=*)", ["sshPublicKey"])
        having = [dn for dn, e in holders
                  if any(v.split()[1] == blob.split()[1].encode() for v in e["sshPublicKey"])]
        assert len(having) == 1, (rnd, having)
        # the next round starts with no user holding a key
        for dn in having:
            a.modify_s(dn, [(ldap.MOD_DELETE, "sshPublicKey", None)])
    for c in conns:
        c.unbind_s()
    assert not slapd.sanitizer_reports()


def test_hidden_keys_cannot_be_probed(slapd, workdir):
    """A system that is not served bob's keys (bob may not log in there)
    learns nothing of them through a search filter, a compare or an
    assertion control: each answers as if bob had no sshPublicKey at all,
    as it does for dave, who has none.  alice, allowed there, is served and
    matched as before; the rootdn matches everyone's."""
    a = start(slapd, users=("alice", "bob", "dave", "svc"),
              extra=f"warden-access-exempt {user_dn('svc')}\n")
    d = workdir / "keys"
    d.mkdir()
    keys = {u: keygen(d, "ed25519", name=u)[0] for u in ("alice", "bob")}
    for u, line in keys.items():
        rc, out = add_key(slapd, u, line)
        assert rc == 0, out
    a.modify_s(user_dn("dave"), [(ldap.MOD_ADD, "objectClass", [b"ldapPublicKey"])])
    for ou in ("groups", "systems"):
        a.add_s(f"ou={ou},{SUFFIX}", [("objectClass", [b"organizationalUnit"]),
                                      ("ou", [ou.encode()])])
    a.add_s(f"cn=web-admins,{GRP}", [("objectClass", [b"groupOfNames"]),
                                     ("member", [user_dn("alice").encode()])])
    a.add_s(f"cn=here,{SYS}", [("objectClass", [b"device", b"wardenSystem"]),
                               ("wardenNetwork", [b"127.0.0.1"]),
                               ("wardenAllowedGroup", [f"cn=web-admins,{GRP}".encode()])])
    s = slapd.conn(user_dn("svc"), USERPW)
    people = f"ou=people,{SUFFIX}"

    def uids(conn, flt, attrs=("uid",)):
        return sorted(e["uid"][0].decode() for _, e in
                      conn.search_s(people, ldap.SCOPE_ONELEVEL, flt, list(attrs)))

    # filters: bob's key is neither there nor matched; alice's is
    assert uids(s, "(sshPublicKey=*)") == ["alice"]
    assert uids(s, "(!(sshPublicKey=*))") == ["bob", "dave", "svc"]
    assert uids(s, f"(sshPublicKey={keys['bob']})") == []
    assert uids(s, f"(sshPublicKey={keys['alice']})") == ["alice"]
    assert uids(s, f"(&(uid=bob)(sshPublicKey={keys['bob']}))") == []
    assert uids(s, f"(sshPublicKey:octetStringMatch:={keys['bob']})") == []
    assert uids(s, f"(|(uid=bob)(sshPublicKey={keys['bob']}))") == ["bob"]
    assert uids(s, f"(!(sshPublicKey={keys['bob']}))") == ["alice", "bob", "dave", "svc"]
    # with the keys asked for, and attributes only: the same entries
    assert uids(s, "(sshPublicKey=*)", ("uid", "sshPublicKey")) == ["alice"]
    got = s.search_s(people, ldap.SCOPE_ONELEVEL, "(|(uid=bob)(sshPublicKey=*))",
                     ["uid", "sshPublicKey"], attrsonly=1)
    assert sorted((dn, "sshPublicKey" in e) for dn, e in got) == \
        [(user_dn("alice"), True), (user_dn("bob"), False)], got
    # the rootdn matches every key
    assert uids(a, "(sshPublicKey=*)") == ["alice", "bob"]
    assert uids(a, f"(sshPublicKey={keys['bob']})") == ["bob"]

    # compare: bob's key, right or wrong, is as absent as dave's
    def compare(conn, u, attr, value, ctrls=None):
        try:
            return 6 if conn.compare_ext_s(user_dn(u), attr, value.encode(),
                                           serverctrls=ctrls) else 5
        except ldap.LDAPError as e:
            return e.args[0]["result"]

    assert compare(s, "dave", "sshPublicKey", keys["bob"]) == 16     # noSuchAttribute
    assert compare(s, "bob", "sshPublicKey", keys["bob"]) == 16
    assert compare(s, "bob", "sshPublicKey", keys["alice"]) == 16
    assert compare(s, "alice", "sshPublicKey", keys["alice"]) == 6   # compareTrue
    assert compare(s, "alice", "sshPublicKey", keys["bob"]) == 5     # compareFalse
    assert compare(a, "bob", "sshPublicKey", keys["bob"]) == 6

    # the assertion control (RFC 4528) on a search's base and a compare
    from ldap.controls.libldap import AssertionControl

    def assert_base(conn, u, flt):
        try:
            conn.search_ext_s(user_dn(u), ldap.SCOPE_BASE, "(objectClass=*)", ["uid"],
                              serverctrls=[AssertionControl(True, flt)])
            return 0
        except ldap.ASSERTION_FAILED:
            return 122

    assert assert_base(s, "bob", "(sshPublicKey=*)") == 122
    assert assert_base(s, "dave", "(sshPublicKey=*)") == 122
    assert assert_base(s, "bob", "(!(sshPublicKey=*))") == 0
    assert assert_base(s, "alice", "(sshPublicKey=*)") == 0
    assert assert_base(a, "bob", "(sshPublicKey=*)") == 0
    ctrl = [AssertionControl(True, f"(sshPublicKey={keys['bob']})")]
    assert compare(s, "bob", "uid", "bob", ctrl) == 122
    assert compare(a, "bob", "uid", "bob", ctrl) == 6
    assert not slapd.sanitizer_reports()
