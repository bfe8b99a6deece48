# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""wardenctl report (issue 18): every user's MFA, password age and expiry,
last bind, dormant, disabled and locked state, hash scheme, raw seeds and
roles, as text, JSON lines and CSV, over LDAP with the paged results
control.  The directory is loaded with slapadd (a cleartext password, a
weak hash and a raw seed can only get in that way: warden hashes and wraps
whatever comes over LDAP), with times in the past; then a seed is enrolled
(wrapped), a user disabled with wardenctl and one locked by failed binds,
and one pwdLastSuccess moved with the Relax control."""
import base64
import csv
import io
import json
import os
import subprocess
import time

import ldap
import pytest

from conftest import (MODULE, PEERCRED_ROOT, ROOTDN, ROOTPW, SUFFIX, USERPW,
                      slappasswd, user_dn)
from test_expiry import RELAX, gentime
from test_lockout import WARDENCTL, bind
from test_totp import enrol, key_file

DAY = 86400
POLICY = f"cn=default,ou=policies,{SUFFIX}"
STRICT = f"cn=strict,ou=policies,{SUFFIX}"
GROUP = {r: f"cn={r}s,ou=groups,{SUFFIX}" for r in ("admin", "helpdesk", "auditor")}
MFA_GROUP = f"cn=mfa,ou=groups,{SUFFIX}"
MFA_TEAM = f"cn=mfa-team,ou=groups,{SUFFIX}"
TEAM = f"cn=audit-team,ou=groups,{SUFFIX}"
TOKEN = f"cn=dave-token,ou=tokens,{SUFFIX}"
CLEAR = "Hank-clear-2026!"
TEXT_FMT = "{:<16} {:<4} {:<3} {:<15} {:>5} {:<10} {:<10} {:<21} {:<28} {}"
ROLE_OPTS = ["--admin-group", GROUP["admin"], "--helpdesk-group", GROUP["helpdesk"],
             "--auditor-group", GROUP["auditor"], "--default-policy", POLICY]


def acls():
    admins = GROUP["admin"]
    return (f'access to * by dn.exact="{PEERCRED_ROOT}" manage by * break\n'
            f'access to attrs=userPassword by group.exact="{admins}" read '
            "by self =w by anonymous auth by * none\n"
            f'access to attrs=oathSecret,wardenRecoveryCode by group.exact="{admins}" read '
            "by * none\n"
            "access to * by self write by users read by * none\n")


def conf(s, db_extra=""):
    return (s.base_conf([MODULE]) + s.mdb_conf(extra=db_extra) + acls() +
            f"overlay warden\nwarden-state-dir {s.state}\nwarden-key-file {key_file(s)}\n"
            f"warden-default-policy {POLICY}\n"
            f"warden-admin-group {GROUP['admin']}\nwarden-helpdesk-group {GROUP['helpdesk']}\n"
            f"warden-auditor-group {GROUP['auditor']}\n")


def entry(dn, **attrs):
    lines = [f"dn: {dn}"]
    for k, vals in attrs.items():
        for v in (vals if isinstance(vals, list) else [vals]):
            if isinstance(v, bytes):
                lines.append(f"{k}:: {base64.b64encode(v).decode()}")
            else:
                lines.append(f"{k}: {v}")
    return "\n".join(lines) + "\n\n"


def user(u, i, now, pw=None, changed=10 * DAY, created=400 * DAY, success=7200, **more):
    a = {"objectClass": ["inetOrgPerson", "posixAccount"], "uid": u, "cn": u, "sn": u,
         "uidNumber": str(10000 + i), "gidNumber": "10000", "homeDirectory": f"/home/{u}",
         "userPassword": pw or HASHED, "createTimestamp": gentime(now - created).decode()}
    if changed is not None:
        a["pwdChangedTime"] = gentime(now - changed).decode()
    if success is not None:
        a["pwdLastSuccess"] = gentime(now - success).decode()
    a.update(more)
    return entry(user_dn(u), **a)


HASHED = None


def directory(now, extra_users=0):
    """The LDIF of the test directory; times relative to now."""
    global HASHED
    HASHED = HASHED or slappasswd(USERPW)
    md5 = subprocess.run(["slappasswd", "-h", "{MD5}", "-s", USERPW], check=True,
                         capture_output=True, text=True).stdout.strip()
    out = entry(SUFFIX, objectClass=["dcObject", "organization"], dc="example", o="Example")
    for ou in ("people", "policies", "groups", "tokens"):
        out += entry(f"ou={ou},{SUFFIX}", objectClass="organizationalUnit", ou=ou)
    out += entry(POLICY, objectClass=["device", "pwdPolicy", "wardenPolicy"], cn="default",
                 pwdAttribute="userPassword", pwdMaxAge=str(90 * DAY),
                 pwdExpireWarning=str(7 * DAY), pwdGraceAuthNLimit="2",
                 pwdMaxIdle=str(60 * DAY), pwdLockout="TRUE", pwdMaxFailure="3",
                 pwdLockoutDuration="300", wardenMFAGroup=MFA_GROUP)
    out += entry(STRICT, objectClass=["device", "pwdPolicy", "wardenPolicy"], cn="strict",
                 pwdAttribute="userPassword", pwdMaxAge=str(30 * DAY),
                 wardenMFARequired="TRUE")
    out += entry(GROUP["admin"], objectClass="groupOfNames", cn="admins",
                 member=user_dn("alice"))
    out += entry(GROUP["helpdesk"], objectClass="groupOfUniqueNames", cn="helpdesks",
                 uniqueMember=user_dn("bob") + "#'0101'B")
    # nested groups (a cycle too), a DN written in other case
    out += entry(GROUP["auditor"], objectClass="groupOfNames", cn="auditors",
                 member=TEAM)
    out += entry(TEAM, objectClass="groupOfNames", cn="audit-team",
                 member=[user_dn("audrey").upper().replace("UID=", "uid="), GROUP["auditor"]])
    out += entry(MFA_GROUP, objectClass="groupOfNames", cn="mfa",
                 member=[user_dn("carol"), MFA_TEAM])
    out += entry(MFA_TEAM, objectClass="groupOfUniqueNames", cn="mfa-team",
                 uniqueMember=user_dn("dave"))
    out += entry(TOKEN, objectClass=["device", "oathTOTPToken"], cn="dave-token",
                 oathSecret=os.urandom(20))
    out += user("alice", 0, now)
    # expired 10 days ago, 2 grace logins left; last seen 10 days ago
    out += user("bob", 1, now, changed=100 * DAY, success=10 * DAY)
    # expires in 5 days (warning); never bound; in the MFA group, no token
    out += user("carol", 2, now, changed=85 * DAY, success=None)
    # a weak hash, a raw seed in a token entry of its own
    out += user("dave", 3, now, pw=md5, objectClass=["inetOrgPerson", "posixAccount",
                                                     "oathTOTPUser"], oathTOTPToken=TOKEN)
    # dormant: last activity 65 days ago
    out += user("erin", 4, now, changed=70 * DAY, success=65 * DAY)
    out += user("frank", 5, now)
    out += user("gina", 6, now)
    # a cleartext password; the strict policy (MFA required, 30 days)
    out += user("hank", 7, now, pw=CLEAR, pwdPolicySubentry=STRICT)
    out += user("audrey", 8, now)
    # expired, its grace logins used
    out += user("ivan", 9, now, changed=100 * DAY, success=None,
                pwdGraceUseTime=[gentime(now - 3 * DAY).decode(),
                                 gentime(now - 2 * DAY).decode()])
    out += user("judy", 10, now)
    for i in range(extra_users):
        out += user(f"user{i:04d}", 100 + i, now)
    return out


def load(s, now, db_extra="", extra_users=0):
    s.write_conf(conf(s, db_extra))
    p = subprocess.run(["slapadd", "-q", "-f", str(s.conf), "-b", SUFFIX],
                       input=directory(now, extra_users), capture_output=True, text=True,
                       env=s.env(), timeout=300)
    assert p.returncode == 0, p.stderr
    s.start()


def prepare(s):
    now = int(time.time())
    load(s, now)
    a = s.admin()
    enrol(s, "alice")                                   # wrapped by warden
    p = wardenctl(s, "user", "disable", "--reason", "left the company", user_dn("frank"))
    assert p.returncode == 0, p.stderr
    for i in range(3):
        assert bind(s, "gina", f"wrong-{i}")[0] == 49
    # the rootdn moves a last bind with the Relax control
    a.modify_ext_s(user_dn("audrey"), [(ldap.MOD_REPLACE, "pwdLastSuccess",
                                        [gentime(now - 3600)])], serverctrls=[RELAX])
    return now


def wardenctl(s, *args, who=(ROOTDN, ROOTPW), uri=None):
    cred = ["-Y", "EXTERNAL"] if who is None else ["-D", who[0], "-w", who[1]]
    return subprocess.run([WARDENCTL, "-H", uri or s.uri, *cred, *args],
                          capture_output=True, text=True, timeout=600)


def date(t):
    return time.strftime("%Y-%m-%d", time.gmtime(t))


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def expected(now, locked_at, auditor=False):
    """Each user's record as the JSON format gives it (without @timestamp);
    auditor: as an identity that reads no userPassword or oathSecret."""
    def rec(u, *, roles=(), mfa=None, req=False, by=None, raw=0, scheme="{SSHA}",
            clear=False, weak=False, changed=10 * DAY, status="ok", grace=None,
            success=7200, created=400 * DAY, dormant=False, disabled=None, locked=False,
            policy=POLICY):
        ch = now - changed if changed is not None else None
        last = now - success if success is not None else None
        active = max(t for t in (ch, last, now - created) if t is not None)
        if auditor:
            scheme, clear, weak = None, False, False
            raw = None if mfa else raw
        return {
            "event.kind": "state", "event.module": "warden", "event.dataset": "warden.report",
            "user.id": user_dn(u), "user.name": u, "user.roles": list(roles),
            "warden.policy": policy, "warden.mfa.enrolled": mfa is not None,
            "warden.mfa.method": mfa, "warden.mfa.required": req,
            "warden.mfa.required_by": by, "warden.mfa.raw_seeds": raw,
            "warden.password.scheme": scheme, "warden.password.cleartext": clear,
            "warden.password.weak": weak, "warden.password.changed": iso(ch),
            "warden.password.age_days": changed // DAY,
            "warden.password.expires": iso(ch + (30 if policy == STRICT else 90) * DAY),
            "warden.password.status": status, "warden.password.grace_remaining": grace,
            "warden.account.last_success": iso(last) if last else None,
            "warden.account.last_active": iso(active), "warden.account.dormant": dormant,
            "warden.account.disabled": disabled is not None,
            "warden.account.disabled_reason": disabled,
            "warden.account.locked": locked,
            "warden.account.locked_since": iso(locked_at) if locked else None,
            "warden.account.locked_until": iso(locked_at + 300) if locked else None,
        }
    return [
        rec("alice", roles=["admin"], mfa="totp", req=True, by="token"),
        rec("bob", roles=["helpdesk"], changed=100 * DAY, status="grace", grace=2,
            success=10 * DAY),
        # never bound, its password changed 85 days ago: dormant too
        rec("carol", req=True, by="group", changed=85 * DAY, status="warning", success=None,
            dormant=True),
        rec("dave", mfa="totp", req=True, by="group", raw=1, scheme="{MD5}", weak=True),
        rec("erin", changed=70 * DAY, success=65 * DAY, dormant=True),
        rec("frank", disabled="left the company"),
        rec("gina", locked=True),
        rec("hank", req=True, by="policy", scheme="cleartext", clear=True, policy=STRICT),
        rec("audrey", roles=["auditor"], success=3600),
        rec("ivan", changed=100 * DAY, status="expired", success=None, dormant=True),
        rec("judy"),
    ]


TOTALS = {"users": 11, "mfa_enrolled": 2, "mfa_required": 4, "mfa_missing": 2,
          "expired": 2, "grace": 1, "dormant": 3, "disabled": 1, "locked": 1,
          "cleartext": 1, "weak_hash": 1, "raw_seeds": 1, "raw_seed_users": 1,
          "role.admin": 1, "role.helpdesk": 1, "role.auditor": 1}


def locked_time(s):
    v = s.admin().search_s(user_dn("gina"), ldap.SCOPE_BASE,
                           attrlist=["pwdAccountLockedTime"])[0][1]["pwdAccountLockedTime"][0]
    return int(time.mktime(time.strptime(v.decode(), "%Y%m%d%H%M%SZ")) - time.timezone)


def parse_json(out):
    lines = [json.loads(l) for l in out.splitlines()]
    for l in lines:
        assert l.pop("@timestamp")
    return lines[:-1], lines[-1]


def check_json(p, now, locked_at, auditor=False, totals=TOTALS):
    assert p.returncode == 0, p.stderr
    users, tot = parse_json(p.stdout)
    want = expected(now, locked_at, auditor)
    by_dn = {u["user.id"]: u for u in users}
    assert len(users) == len(want) == len(by_dn)
    for w in want:
        assert by_dn[w["user.id"]] == w, w["user.id"]
    t = {k[len("warden.report."):]: v for k, v in tot.items() if k.startswith("warden.report.")}
    assert t.pop("complete") is True
    assert tot["event.kind"] == "metric" and tot["event.dataset"] == "warden.report.totals"
    assert t == totals


def test_report_json_as_rootdn(slapd):
    now = prepare(slapd)
    p = wardenctl(slapd, "report", "--format", "json", *ROLE_OPTS)
    check_json(p, now, locked_time(slapd))
    assert p.stderr == ""
    # no secret in the output: the cleartext password, the raw seed
    assert CLEAR not in p.stdout


def test_report_reads_warden_config_over_ldapi(slapd):
    """Root over ldapi reads the role groups and the default policy from
    cn=config; the base is the root DSE's namingContexts."""
    now = prepare(slapd)
    p = wardenctl(slapd, "report", "--format", "json", who=None, uri=slapd.ldapi)
    check_json(p, now, locked_time(slapd))


def test_report_text(slapd):
    now = prepare(slapd)
    locked_at = locked_time(slapd)
    p = wardenctl(slapd, "report", *ROLE_OPTS)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0] == TEXT_FMT.format("USER", "MFA", "REQ", "HASH", "AGE", "EXPIRES",
                                       "LAST BIND", "ROLES", "FLAGS", "DN")
    flags = {"bob": "grace", "carol": "dormant,expiring,no-mfa", "dave": "weak-hash,raw-seed",
             "erin": "dormant", "frank": "disabled", "gina": "locked",
             "hank": "cleartext,no-mfa", "ivan": "dormant,expired"}
    want = []
    for r in expected(now, locked_at):
        u = r["user.name"]
        want.append(TEXT_FMT.format(
            u, r["warden.mfa.method"] or "-", "yes" if r["warden.mfa.required"] else "no",
            r["warden.password.scheme"], f"{r['warden.password.age_days']}d",
            r["warden.password.expires"][:10],
            r["warden.account.last_success"][:10] if r["warden.account.last_success"]
            else "never", ",".join(r["user.roles"]) or "-", flags.get(u, "-"),
            user_dn(u)))
    assert sorted(lines[1:12]) == sorted(want)
    assert lines[12] == ""
    assert lines[13:] == [
        "users                     11",
        "MFA enrolled              2",
        "MFA required              4",
        "  required, not enrolled  2",
        "passwords expired         2",
        "  in grace                1",
        "dormant                   3",
        "disabled                  1",
        "locked                    1",
        "cleartext passwords       1",
        "weak hashes               1",
        "raw TOTP seeds            1",
        "  users holding them      1",
        "role admin                1",
        "role helpdesk             1",
        "role auditor              1",
    ]


def test_report_csv(slapd):
    now = prepare(slapd)
    p = wardenctl(slapd, "report", "--format", "csv", *ROLE_OPTS)
    assert p.returncode == 0, p.stderr
    rows = list(csv.reader(io.StringIO(p.stdout)))
    assert rows[0] == [
        "dn", "user", "roles", "policy", "mfa_enrolled", "mfa_method", "mfa_required",
        "raw_seeds", "password_scheme", "cleartext", "weak_hash", "password_changed",
        "password_age_days", "password_expires", "password_status", "grace_remaining",
        "last_success", "last_active", "dormant", "disabled", "disabled_reason", "locked",
        "locked_since"]
    b = lambda v: "true" if v else "false"      # noqa: E731
    s = lambda v: "" if v is None else str(v)   # noqa: E731
    want = [[r["user.id"], r["user.name"], ";".join(r["user.roles"]), r["warden.policy"],
             b(r["warden.mfa.enrolled"]), s(r["warden.mfa.method"]),
             b(r["warden.mfa.required"]), s(r["warden.mfa.raw_seeds"]),
             r["warden.password.scheme"], b(r["warden.password.cleartext"]),
             b(r["warden.password.weak"]), r["warden.password.changed"],
             str(r["warden.password.age_days"]), r["warden.password.expires"],
             r["warden.password.status"], s(r["warden.password.grace_remaining"]),
             s(r["warden.account.last_success"]), r["warden.account.last_active"],
             b(r["warden.account.dormant"]), b(r["warden.account.disabled"]),
             s(r["warden.account.disabled_reason"]), b(r["warden.account.locked"]),
             s(r["warden.account.locked_since"])]
            for r in expected(now, locked_time(slapd))]
    assert sorted(rows[1:]) == sorted(want)


def test_report_as_auditor(slapd):
    """An auditor (not an administrator) gets the report; what it may not
    read (userPassword, oathSecret) is not shown, and it is told so."""
    now = prepare(slapd)
    p = wardenctl(slapd, "report", "--format", "json", *ROLE_OPTS,
                  who=(user_dn("audrey"), USERPW))
    check_json(p, now, locked_time(slapd), auditor=True,
               totals={**TOTALS, "cleartext": 0, "weak_hash": 0, "raw_seeds": 0,
                       "raw_seed_users": 0})
    assert "no userPassword value is readable" in p.stderr
    assert "the oathSecret of 2 tokens is not readable" in p.stderr
    # an ordinary user is no auditor: warden shows it no lock state
    p = wardenctl(slapd, "report", "--format", "json", *ROLE_OPTS,
                  who=(user_dn("judy"), USERPW))
    assert p.returncode == 0, p.stderr
    users, _ = parse_json(p.stdout)
    assert not [u for u in users if u["warden.account.locked_until"]]


def test_report_usage_and_errors(slapd):
    prepare(slapd)
    p = wardenctl(slapd, "report", "--format", "xml")
    assert p.returncode == 2 and "usage" in p.stderr
    p = wardenctl(slapd, "report", "--admin-group", "not a DN")
    assert p.returncode == 2 and '"not a DN" is not a DN' in p.stderr, p.stderr
    p = wardenctl(slapd, "report", "--page-size", "0")
    assert p.returncode == 2 and "usage" in p.stderr
    p = wardenctl(slapd, "report", "extra")
    assert p.returncode == 2 and "usage" in p.stderr
    # a base that does not exist: refused, not an empty report
    p = wardenctl(slapd, "report", "--base", f"ou=nowhere,{SUFFIX}")
    assert p.returncode == 1 and "No such object" in p.stderr, p.stdout + p.stderr
    # a policy that cannot be read: said, and its users under no policy
    p = wardenctl(slapd, "report", "--format", "json", "--default-policy",
                  f"cn=missing,ou=policies,{SUFFIX}")
    assert p.returncode == 0, p.stderr
    assert f'policy "cn=missing,ou=policies,{SUFFIX}": No such object' in p.stderr, p.stderr
    users, _ = parse_json(p.stdout)
    bob = [u for u in users if u["user.name"] == "bob"][0]
    assert bob["warden.password.status"] == "ok" and bob["warden.password.expires"] is None
    p = wardenctl(slapd, "report", who=(user_dn("carol"), "wrong-password"))
    assert p.returncode == 1 and "bind" in p.stderr


@pytest.mark.parametrize("prtotal", [True, False])
def test_report_pages_past_the_size_limit(slapd, prtotal):
    """120 more users than sizelimit 50: the auditor's paged report gets
    them all when paged searches may return more (size.prtotal), and says
    the report is incomplete (exit 1) when they may not."""
    now = int(time.time())
    limit = "sizelimit size.soft=50 size.hard=50" + (" size.prtotal=unlimited" if prtotal else "")
    load(slapd, now, db_extra=limit + "\n", extra_users=120)
    # the limit holds for a search without paging
    c = slapd.conn(user_dn("audrey"), USERPW)
    with pytest.raises(ldap.SIZELIMIT_EXCEEDED):
        c.search_s(SUFFIX, ldap.SCOPE_SUBTREE, "(objectClass=person)", ["uid"])
    p = wardenctl(slapd, "report", "--format", "json", "--page-size", "40", *ROLE_OPTS,
                  who=(user_dn("audrey"), USERPW))
    users, tot = parse_json(p.stdout)
    if prtotal:
        assert p.returncode == 0, p.stderr
        assert len(users) == 131 == tot["warden.report.users"]
        assert len({u["user.id"] for u in users}) == 131
        assert tot["warden.report.complete"] is True
        # progress on standard error only when it is a terminal (script(1)
        # gives it one): a count after each page, wiped at the end
        out = slapd.dir / "report.json"
        cmd = " ".join([WARDENCTL, "-H", slapd.uri, "-D", user_dn("audrey"), "-w", USERPW,
                        "report", "--format", "json", "--page-size", "40", *ROLE_OPTS])
        t = subprocess.run(["script", "-qec", f"{cmd} > {out}", "/dev/null"],
                           capture_output=True, timeout=120)
        assert t.returncode == 0, t.stdout
        assert b"\rwardenctl report: 40 users\r" in t.stdout, t.stdout
        assert b"\rwardenctl report: 131 users\r" + b" " * 40 + b"\r" in t.stdout, t.stdout
        assert len(out.read_text().splitlines()) == 132
        assert "\r" not in p.stderr and "131 users" not in p.stderr
    else:
        assert p.returncode == 1
        assert "size.prtotal" in p.stderr and "incomplete" in p.stderr
        assert tot["warden.report.complete"] is False
        assert len(users) == 50
