# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""One-time codes through the PAM clients a Linux host uses: nslcd with
pam_ldap and sssd with pam_sss, driven by pamtester, against slapd with
warden over StartTLS.  The user types the password followed by the code
at the password prompt; the client binds with it unchanged.

What each client does on the wire (slapd's log, checked below), one new
connection with StartTLS per bind as the user:

  nslcd authenticate   BIND user; SRCH base=user scope=base (its
                       pam_authc_search BASE, the default; none with NONE)
  nslcd chauthtok      check: as authenticate.  Change, on a new
                       connection once the user has typed the new password
                       twice: BIND user; PASSMOD without the old password
                       (the bind proved it); SRCH base=user
                       (objectClass=shadowAccount) for shadowLastChange.
  sssd authenticate    SRCH rootDSE; BIND user; UNBIND
  sssd chauthtok       check: as authenticate.  Change, on a new
                       connection: SRCH rootDSE; BIND user; PASSMOD with
                       the old password (password+code, as typed).

So a password change binds twice with the same password+code, and at bind
time a password change and a login look the same.  warden's rule (totp.c,
above TOTP_REUSE_*): a code may be reused once, 1 s to 2 min after its
first use, by the same DN with the same credential from the same address
(twice if the first use must change a reset password); the connection may
then only change the password, and the bind carries changeAfterReset.  A
replay in the same second is refused; a later replay makes the client say
that the password must be changed, and acct_mgmt fails, so it is no login;
the forced change that a login program would then run needs another reuse
and is refused.

Three client set-ups: nslcd as installed (pam_authc_search BASE), nslcd
with pam_authc_search NONE (what shows "Password must be changed" after a
reset) and sssd.  Clients run with private configuration in a mount
namespace (clients.py); the host's files are checked unchanged.
"""
import os
import re
import time

import ldap
import pytest

from clients import (PAM_SERVICE, TLS, Nslcd, Sssd, host_snapshot, host_sssd_running,
                     nslcd_available, snapshot_diff, sssd_available)
from conftest import SUFFIX, USERPW, free_port, slappasswd, user_dn
from test_lockout import POLICY
from test_totp import code, enrol, start_totp

SERVICE_DN = f"cn=pamclient,{SUFFIX}"
SERVICE_PW = "pamclient-lookup-pw-1"
MFA_POLICY = f"cn=mfa,ou=policies,{SUFFIX}"
RESET_POLICY = f"cn=reset,ou=policies,{SUFFIX}"
NEW_PW = "Maple-Syrup-42x"
TEMP_PW = "Temporary-Start-58k"
ENROLMENT = "enrolment of a one-time code token is required"

MODULE = {"nslcd": "pam_ldap.so", "sssd": "pam_sss.so"}
HOST_PATHS = {"nslcd": ["/etc/nsswitch.conf", "/etc/pam.d", "/etc/nslcd.conf", "/run/nslcd"],
              "sssd": ["/etc/nsswitch.conf", "/etc/pam.d", "/etc/sssd", "/var/lib/sss",
                       "/run/sssd.pid"]}
# chauthtok's prompts: current password, new, new again
PROMPTS = {"nslcd": ["(current) LDAP Password:", "New password:", "Retype new password:"],
           "sssd": ["Current Password:", "New Password:", "Reenter new Password:"]}
# What the client shows when the bind says changeAfterReset, and the PAM
# error of acct_mgmt then (PAM_NEW_AUTHTOK_REQD).
MUST_CHANGE = {"nslcd": "Password must be changed",
               "sssd": "Password expired. Change your password now."}
NEW_AUTHTOK_REQD = "pamtester: Authentication token is no longer valid; new one required"
AUTH_ERR = "pamtester: Authentication failure"

_missing = {"nslcd": nslcd_available(), "sssd": sssd_available()}


def _host(name):
    kind = name.split("-")[0]
    return pytest.param(name, id=name, marks=pytest.mark.skipif(
        _missing[kind] is not None, reason=f"{kind}: not installed: {_missing[kind]}"))


NSLCD, NSLCD_NONE, SSSD = _host("nslcd"), _host("nslcd-authc-none"), _host("sssd")


def _client(name, slapd, workdir, tls, reuse_uri):
    uri = slapd.uri.rstrip("/")
    if name == "nslcd":
        uri = reuse_uri
    if name.startswith("nslcd"):
        opts = [("binddn", SERVICE_DN), ("bindpw", SERVICE_PW),
                ("ssl", "start_tls"), ("tls_reqcert", "demand")]
        if name == "nslcd-authc-none":
            opts.append(("pam_authc_search", "NONE"))
        return Nslcd(workdir, uri, SUFFIX, cacert=tls.ca, options=opts)
    return Sssd(workdir, {
        "ldap_uri": uri, "ldap_search_base": SUFFIX,
        "ldap_default_bind_dn": SERVICE_DN, "ldap_default_authtok": SERVICE_PW,
        "ldap_id_use_start_tls": "true", "ldap_tls_reqcert": "demand",
        "ldap_tls_cacert": tls.ca, "ldap_chpass_uri": reuse_uri,
        "ldap_access_order": "ppolicy", "ldap_pwdlockout_dn": POLICY})


class Host:
    """The client under test, what it is, slapd, and the users' seeds."""

    def __init__(self, name, slapd, client, seeds):
        self.name = name
        self.kind = name.split("-")[0]
        self.slapd = slapd
        self.client = client
        self.seeds = seeds
        self.ids = {}

    def ids_of(self, user):
        """uid and gid as the host sees them (NSS through the client)."""
        if user not in self.ids:
            ent = self.client.getent("passwd", user)
            assert ent.returncode == 0, ent.stdout + ent.stderr + self.client.tail()
            self.ids[user] = tuple(int(x) for x in ent.stdout.split(":")[2:4])
        return self.ids[user]

    def login(self, user, typed, ops=("authenticate", "acct_mgmt")):
        return self.client.pam(user, typed, ops=ops)

    def diag(self):
        return "\n--- client:\n" + self.client.tail(40) + "\n--- slapd:\n" + self.slapd.tail()


@pytest.fixture(params=[NSLCD, NSLCD_NONE, SSSD])
def totp_host(request, slapd, workdir):
    """slapd with warden (a key file for the seeds) and StartTLS;
    posixAccounts alice, bob and dave with a token each (dave under
    pwdMustChange), carol without one under a policy that requires it; a
    service account for the client's lookups; the client running against
    it."""
    name = request.param
    kind = name.split("-")[0]
    paths = HOST_PATHS[kind]
    if kind == "sssd" and host_sssd_running():
        paths = [p for p in paths if not p.startswith(("/var/", "/run/"))]
    before = host_snapshot(paths)
    tls = TLS(workdir / "tls")
    reuse_uri = f"ldap://127.0.0.1:{free_port()}"
    slapd.more_urls.append(reuse_uri + "/")
    a = start_totp(slapd, {"pwdMaxFailure": "10"},
                   users=("alice", "bob", "carol", "dave"), global_extra=tls.slapd_conf(),
                   extra=f"warden-code-reuse-listener {reuse_uri}/\n")
    a.add_s(f"cn=staff,{SUFFIX}", [("objectClass", [b"posixGroup"]), ("cn", [b"staff"]),
                                   ("gidNumber", [b"10000"]),
                                   ("memberUid", [b"alice", b"bob", b"carol", b"dave"])])
    a.add_s(SERVICE_DN, [("objectClass", [b"organizationalRole", b"simpleSecurityObject"]),
                         ("cn", [b"pamclient"]),
                         ("userPassword", [slappasswd(SERVICE_PW).encode()])])
    a.add_s(MFA_POLICY, [("objectClass", [b"device", b"pwdPolicy", b"wardenPolicy"]),
                         ("cn", [b"mfa"]), ("pwdAttribute", [b"userPassword"]),
                         ("wardenMFARequired", [b"TRUE"])])
    a.modify_s(user_dn("carol"), [(ldap.MOD_ADD, "pwdPolicySubentry", [MFA_POLICY.encode()])])
    # dave's password, when an administrator sets it, must be changed
    a.add_s(RESET_POLICY, [("objectClass", [b"device", b"pwdPolicy"]), ("cn", [b"reset"]),
                           ("pwdAttribute", [b"userPassword"]), ("pwdMustChange", [b"TRUE"])])
    a.modify_s(user_dn("dave"), [(ldap.MOD_ADD, "pwdPolicySubentry", [RESET_POLICY.encode()])])
    a.unbind_s()
    seeds = {u: enrol(slapd, u, os.urandom(20)) for u in ("alice", "bob", "dave")}
    client = _client(name, slapd, workdir, tls, reuse_uri)
    stack = (client.ns.root / "etc/pam.d" / PAM_SERVICE).read_text()
    assert {l.split()[2] for l in stack.splitlines() if l.strip()} == \
        {MODULE[kind], "pam_permit.so"}, stack
    try:
        client.start(ready_user="alice")
        host = Host(name, slapd, client, seeds)
        host.reuse_uri = reuse_uri
        yield host
    finally:
        client.stop()
    changed = snapshot_diff(before, host_snapshot(paths))
    assert not changed, f"the host's files changed: {changed}"


# -- slapd's log --------------------------------------------------------------

_LINE = re.compile(r"^\S+ (0x[0-9a-f]+) (.*)$")


def wire(slapd, dn, since=0, settle=3.0):
    """_wire(), once slapd's log shows the result of every bind, Password
    Modify and StartTLS: a thread logs RESULT after it has sent the
    result, so the client may be done (and its UNBIND logged by another
    thread) before that line is written."""
    deadline = time.monotonic() + settle
    while True:
        conns, pending = _wire(slapd, dn, since)
        # the UNBIND too: another thread logs it, maybe a moment later
        done = not pending and all(c and c[-1] == "UNBIND" for c in conns)
        if done or time.monotonic() > deadline:
            return conns
        time.sleep(0.05)


def _wire(slapd, dn, since=0):
    """What slapd saw of each connection on which dn bound, after offset
    `since` of the log: ([[op, ...] per connection, in order], whether a
    result is still to be logged), each op a
    short string: "STARTTLS", "SRCH <base> <scope> <filter> err=N",
    "BIND <uid> err=N (<warden's word>)", "PASSMOD old new err=N",
    "UNBIND".  A search the client abandoned once it had the entry has
    "(no result)" for err=N; abandon requests are left out."""
    text = slapd.log_text()[since:]
    ops = {}             # (conn, op) -> [description, result]
    order = {}           # conn -> [op keys]
    last_bind = {}       # thread -> (conn, op)
    short = lambda d: re.sub(r",ou=people,.*", "", d) if d else "rootDSE"
    for line in text.splitlines():
        m = _LINE.match(line)
        if not m:
            continue
        tid, rest = m.groups()
        w = re.match(r'warden: (?:bind of )?"[^"]*" (.*)$', rest)
        if w and tid in last_bind:
            word = w.group(1)
            for key, phrase in (("code", "bound with a one-time code"),
                                ("reused", "reused a one-time code"),
                                ("replayed", "refused: replayed one-time code"),
                                ("missing", "refused: missing one-time code"),
                                ("malformed", "refused: malformed one-time code"),
                                ("wrong", "refused: wrong one-time code"),
                                ("no token", "multi-factor authentication required")):
                if phrase in word:
                    ops[last_bind.pop(tid)][0] += f" ({key})"
                    break
            continue
        m = re.match(r"conn=(\d+) op=(\d+) (\S+)(?: (.*))?$", rest)
        if not m:
            continue
        conn, op, verb, args = m.group(1), int(m.group(2)), m.group(3), m.group(4) or ""
        key = (conn, op)
        if verb == "STARTTLS":
            ops[key] = ["STARTTLS", None]
        elif verb == "BIND" and "method=128" in args:
            ops[key] = ["BIND " + short(re.search(r'dn="([^"]*)"', args).group(1)), None]
            last_bind[tid] = key
        elif verb == "SRCH" and args.startswith("base="):
            s = re.match(r'base="([^"]*)" scope=(\d) deref=\d filter="(.*)"$', args)
            ops[key] = [f"SRCH {short(s.group(1))} {'base' if s.group(2) == '0' else 'sub'} "
                        f"{s.group(3)}", None]
        elif verb == "PASSMOD":
            ops[key] = ["PASSMOD" + "".join(f" {w}" for w in args.split()[1:]
                                           if w in ("old", "new")), None]
        elif verb == "UNBIND":
            ops[key] = ["UNBIND", "-"]
        elif verb in ("RESULT", "SEARCH") and key in ops:
            ops[key][1] = re.search(r"err=(\d+)", args).group(1)
        else:
            continue
        if key in ops and key not in order.setdefault(conn, []):
            order[conn].append(key)
    bound = [c for c, keys in order.items()
             if any(ops[k][0].startswith("BIND " + short(dn)) for k in keys)]
    bound.sort(key=lambda c: int(c))
    def show(desc, result):
        if result == "-":
            return desc
        if result is None:      # abandoned by the client (nslcd, once it
            return desc + " (no result)"    # has the entry) before its end
        return f"{desc} err={result}"
    pending = any(ops[k][1] is None and not ops[k][0].startswith("SRCH")
                  for c in bound for k in order[c])
    return [[show(*ops[k]) for k in order[c]
             if ops[k][1] is not None or ops[k][0].startswith("SRCH")]
            for c in bound], pending


def log_mark(slapd):
    return len(slapd.log_text())


def squash(seq):
    """For comparing and reading: warden's note after err=N ('BIND uid=x
    (code) err=0' -> 'BIND uid=x err=0 (code)'); a search that succeeded
    or that the client abandoned with its entry in hand (a race: the
    result may be sent first) -> '... ok'."""
    out = []
    for s in seq:
        s = re.sub(r"^(BIND \S+) (\(.*\)) (err=\d+)$", r"\1 \3 \2", s)
        out.append(re.sub(r"^(SRCH .*) (?:err=0|\(no result\))$", r"\1 ok", s))
    return out


def expected_auth(name, user, bind_result):
    """One authentication's connection, as each client makes it."""
    bind = f"BIND uid={user} {bind_result}"
    ok = bind_result.endswith("err=0")
    if name == "nslcd":
        # its own entry, as the user (pam_authc_search BASE)
        srch = f"SRCH uid={user} base (objectClass=*) err=" + \
            ("0" if "(code)" in bind_result else "50")
        return ["STARTTLS err=0", bind] + ([srch] if ok else []) + ["UNBIND"]
    if name == "nslcd-authc-none":
        return ["STARTTLS err=0", bind, "UNBIND"]
    return ["STARTTLS err=0", "SRCH rootDSE base (objectClass=*) err=0", bind, "UNBIND"]


def same(got, want, h):
    """got (as wire() gives it) is want, each squashed; the message shows
    both and the logs."""
    got, want = squash(got), squash(want)
    assert got == want, f"slapd saw:\n  {got}\nexpected:\n  {want}" + h.diag()


# -- tests --------------------------------------------------------------------

def test_login_with_a_code_once(totp_host):
    """Password+code logs in; the same again, at once or later, is no
    login; the password alone is refused; without a token, under a policy
    that requires one, too."""
    h = totp_host
    s, name = h.slapd, h.name
    seed = h.seeds["alice"]
    typed = USERPW + code(seed)

    mark = log_mark(s)
    rc, out = h.login("alice", typed)
    assert rc == 0 and "successfully authenticated" in out and \
        "account management done" in out, out + h.diag()
    rc, out = h.login("alice", typed)
    assert rc != 0 and out.rstrip().endswith(AUTH_ERR), out + h.diag()
    if name == "nslcd":
        # on the reuse listener: the reuse, a connection limited to a
        # password change, whose search of the own entry nslcd's login
        # needs is refused
        replay = "(reused) err=0"
    else:
        replay = "(replayed) err=49"
    same([x for c in wire(s, user_dn("alice"), mark) for x in c],
         expected_auth(name, "alice", "(code) err=0") +
         expected_auth(name, "alice", replay), h)
    # and never again
    mark = log_mark(s)
    rc, out = h.login("alice", typed)
    assert rc != 0 and out.rstrip().endswith(AUTH_ERR), out + h.diag()
    same(wire(s, user_dn("alice"), mark)[0], expected_auth(name, "alice", "(replayed) err=49"), h)

    # the password alone, for a user with a token (its last six
    # characters are no code: "malformed" in slapd's log)
    mark = log_mark(s)
    rc, out = h.login("bob", USERPW)
    assert rc != 0 and out.rstrip().endswith(AUTH_ERR), out + h.diag()
    same(wire(s, user_dn("bob"), mark)[0], expected_auth(name, "bob", "(malformed) err=49"), h)

    # the password alone, without a token, where the policy requires one:
    # slapd says why, to who knows the password; the client logs it for
    # the administrator but shows the user only "Authentication failure"
    mark = log_mark(s)
    rc, out = h.login("carol", USERPW)
    assert rc != 0 and out.rstrip().endswith(AUTH_ERR), out + h.diag()
    assert ENROLMENT not in out, out
    same(wire(s, user_dn("carol"), mark)[0], expected_auth(name, "carol", "(no token) err=49"), h)
    assert re.search(r"RESULT tag=97 err=49 .*text=multi-factor authentication is "
                     rf"required: {ENROLMENT}", s.log_text()[mark:]), s.tail()
    assert ENROLMENT in h.client.log_text(), h.client.tail()
    # a wrong password is not told that
    mark = log_mark(s)
    rc, out = h.login("carol", "Wrong-pass-1")
    assert rc != 0 and ENROLMENT not in s.log_text()[mark:], out


def test_replay_through_authenticate_alone(totp_host):
    """What a screen locker does: pam_authenticate alone, no account
    check.  Someone who saw alice type her password and code replays them
    2 to 5 seconds after her login: refused, through each client."""
    h = totp_host
    s, name = h.slapd, h.name
    seed = h.seeds["alice"]
    typed = USERPW + code(seed)
    rc, out = h.login("alice", typed)
    t0 = time.monotonic()
    assert rc == 0 and "account management done" in out, out + h.diag()
    for at in (2.0, 4.5):
        time.sleep(max(0.0, t0 + at - time.monotonic()))
        mark = log_mark(s)
        rc, out = h.login("alice", typed, ops=("authenticate",))
        assert time.monotonic() - t0 < 5.0
        assert rc != 0 and out.rstrip().endswith(AUTH_ERR) and \
            "successfully authenticated" not in out, out + h.diag()
        if name == "nslcd" and at == 2.0:
            want = "(reused) err=0"     # refused by its own search, as above
        else:
            want = "(replayed) err=49"
        same(wire(s, user_dn("alice"), mark)[0], expected_auth(name, "alice", want), h)


@pytest.mark.parametrize("paced", [True, False], ids=["paced", "at-once"])
@pytest.mark.parametrize("totp_host", [NSLCD, SSSD], indirect=True)
def test_password_change_with_a_code(totp_host, paced):
    """passwd as a person types it (the current password followed by the
    code, then, a moment later, the new password twice) and as a script
    does (all three answers at once).  The check binds with the code (its
    first use), the change binds with it again (the reuse), both on the
    listener warden-code-reuse-listener names (nslcd's uri, sssd's
    ldap_chpass_uri), and changes the password; the new password then
    logs in with the next code, the old one no longer does."""
    h = totp_host
    s, kind = h.slapd, h.kind
    uid, gid = h.ids_of("bob")
    seed = h.seeds["bob"]
    p = PROMPTS[kind]
    mark = log_mark(s)
    if paced:
        rc, out, times = h.client.pam_paced("bob", ("chauthtok",), [
            (p[0], 0.2, USERPW + code(seed)),
            (p[1], 1.5, NEW_PW),                # reading the prompt, typing
            (p[2], 0.3, NEW_PW)], uid=uid, gid=gid)
    else:
        rc, out = h.client.chauthtok("bob", uid, gid, USERPW + code(seed), NEW_PW)
        times = "at once"
    assert rc == 0 and "authentication token altered successfully" in out, \
        f"{out}\n{times}" + h.diag()
    check, change = wire(s, user_dn("bob"), mark)
    if kind == "nslcd":
        same(check, expected_auth("nslcd", "bob", "(code) err=0"), h)
        # without the old password: the bind proved it; then its search
        # for shadowLastChange, refused on the limited connection
        same(change, ["STARTTLS err=0", "BIND uid=bob err=0 (reused)", "PASSMOD new err=0",
                      "SRCH uid=bob base (objectClass=shadowAccount) err=50", "UNBIND"], h)
    else:
        same(check, expected_auth("sssd", "bob", "(code) err=0"), h)
        # with the old password as typed: warden drops the code from it
        same(change, ["STARTTLS err=0", "SRCH rootDSE base (objectClass=*) err=0",
                      "BIND uid=bob err=0 (reused)", "PASSMOD old new err=0", "UNBIND"], h)
    # both on the reuse listener
    conns = re.findall(r"conn=(\d+) fd=\d+ ACCEPT from \S+ \((\S+)\)", s.log_text()[mark:])
    port = h.reuse_uri.rsplit(":", 1)[1]
    bound = {c for c in re.findall(r"conn=(\d+) op=\d+ BIND dn=\"uid=bob,", s.log_text()[mark:])}
    assert bound and all(l.endswith(":" + port) for c, l in conns if c in bound), conns

    nxt = code(seed, time.time() + 30)      # the next time step: not a replay
    rc, out = h.login("bob", USERPW + nxt)
    assert rc != 0 and out.rstrip().endswith(AUTH_ERR), out + h.diag()
    rc, out = h.login("bob", NEW_PW + nxt)
    assert rc == 0 and "account management done" in out, out + h.diag()


@pytest.mark.parametrize("totp_host", [NSLCD_NONE], indirect=True)
def test_nslcd_authc_search_none_has_no_password_change_with_one_code(totp_host):
    """nslcd with pam_authc_search NONE sends the same bytes for a login
    and for the change step of passwd, and its pam_authenticate succeeds
    whenever the bind does: on a listener where codes may be reused, a
    replayed login would pass pam_authenticate.  So it points at one where
    they may not, and a password change with one code is refused at the
    change (the client setting that has both is BASE, nslcd's default)."""
    h = totp_host
    s = h.slapd
    uid, gid = h.ids_of("bob")
    seed = h.seeds["bob"]
    mark = log_mark(s)
    rc, out = h.client.chauthtok("bob", uid, gid, USERPW + code(seed), NEW_PW)
    assert rc != 0 and "altered successfully" not in out, out + h.diag()
    binds = [b for c in wire(s, user_dn("bob"), mark) for b in c if b.startswith("BIND")]
    same(binds, ["BIND uid=bob err=0 (code)", "BIND uid=bob err=49 (replayed)"], h)
    assert "PASSMOD" not in s.log_text()[mark:]


def test_a_replayed_code_cannot_set_a_password(totp_host):
    """Someone on the same host who saw alice type her password and code
    replays them, as a login program would: authenticate, then the forced
    change of an expired password.  Refused: nslcd's login fails its
    search on the limited connection; sssd and nslcd with NONE get no
    reuse on their listener."""
    h = totp_host
    s, name, kind = h.slapd, h.name, h.kind
    seed = h.seeds["alice"]
    typed = USERPW + code(seed)
    rc, out = h.login("alice", typed)
    t0 = time.monotonic()
    assert rc == 0, out + h.diag()
    uid, gid = h.ids_of("alice")
    time.sleep(1.3)
    mark = log_mark(s)
    answers = [("Password:", 0, typed)]
    if kind == "sssd":
        answers.append((PROMPTS[kind][0], 0.1, typed))
    answers += [(PROMPTS[kind][1], 0.1, "Attacker-Pass-91z"),
                (PROMPTS[kind][2], 0.1, "Attacker-Pass-91z")]
    rc, out, _ = h.client.pam_paced(
        "alice", ("authenticate", "chauthtok(PAM_CHANGE_EXPIRED_AUTHTOK)"), answers,
        uid=uid, gid=gid)
    assert time.monotonic() - t0 < 100
    assert rc != 0 and "altered successfully" not in out, out + h.diag()
    assert out.rstrip().endswith(AUTH_ERR) and "successfully authenticated" not in out, out
    binds = [b for c in wire(s, user_dn("alice"), mark) for b in c if b.startswith("BIND")]
    same(binds, ["BIND uid=alice err=0 (reused)" if name == "nslcd" else
                 "BIND uid=alice err=49 (replayed)"], h)
    assert "PASSMOD" not in s.log_text()[mark:]
    nxt = code(seed, time.time() + 30)
    rc, out = h.login("alice", "Attacker-Pass-91z" + nxt)
    assert rc != 0, out
    rc, out = h.login("alice", USERPW + nxt)
    assert rc == 0, out + h.diag()


@pytest.mark.parametrize("totp_host", [NSLCD, SSSD], indirect=True)
def test_first_login_after_a_reset_changes_the_password(totp_host):
    """An administrator set dave's password (pwdReset, pwdMustChange); his
    first login with it and a code must change it, in the same session,
    typing the same code again where the client asks for the current
    password.  nslcd: its search of the own entry is allowed after a
    reset, so it shows "Password must be changed" and changes it on the
    reuse listener; sssd: the change binds twice on ldap_chpass_uri."""
    h = totp_host
    s, kind = h.slapd, h.kind
    seed = h.seeds["dave"]
    a = s.admin()
    a.passwd_s(user_dn("dave"), None, TEMP_PW)
    a.unbind_s()
    uid, gid = h.ids_of("dave")
    typed = TEMP_PW + code(seed)
    answers = [("Password:", 0, typed)]
    if kind == "sssd":
        answers.append((PROMPTS[kind][0], 1.2, typed))
        answers += [(PROMPTS[kind][1], 0.2, NEW_PW), (PROMPTS[kind][2], 0.2, NEW_PW)]
    else:
        answers += [(PROMPTS[kind][1], 1.2, NEW_PW), (PROMPTS[kind][2], 0.2, NEW_PW)]
    mark = log_mark(s)
    rc, out, times = h.client.pam_paced(
        "dave", ("authenticate", "chauthtok(PAM_CHANGE_EXPIRED_AUTHTOK)"), answers,
        uid=uid, gid=gid)
    assert rc == 0 and "altered successfully" in out, f"{out}\n{times}" + h.diag()
    binds = [b for c in wire(s, user_dn("dave"), mark) for b in c
             if b.startswith(("BIND", "PASSMOD"))]
    first = ["BIND uid=dave err=0 (code)"]
    if kind == "sssd":
        same(binds, first + ["BIND uid=dave err=0 (reused)", "BIND uid=dave err=0 (reused)",
                             "PASSMOD old new err=0"], h)
    else:
        same(binds, first + ["BIND uid=dave err=0 (reused)", "PASSMOD new err=0"], h)
    rc, out = h.login("dave", NEW_PW + code(seed, time.time() + 30))
    assert rc == 0 and "account management done" in out, out + h.diag()
