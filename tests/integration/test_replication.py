# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""Replication (issue 17): a change that syncrepl applies reaches the
database exactly as its provider sent it -- no quality rule, no hashing,
no wrapping, no stamp -- and is recorded as replicated, with the rid it
came by.  Entries stay byte-identical across servers, and a consumer of a
provider without warden finishes its refresh whatever the provider holds."""
import os
import re
import time

import ldap
import ldap.modlist
import pytest

from conftest import MODULE, ROOTDN, ROOTPW, SCHEMA_DIR, SUFFIX, USERPW, Slapd, slappasswd, user_dn
from test_audit import KEY, find, records
from test_lockout import POLICY

SYNCREPL = ('syncrepl rid=007 provider={uri} type=refreshAndPersist retry="1 +" '
            f'searchbase="{SUFFIX}" bindmethod=simple binddn="{ROOTDN}" '
            f'credentials={ROOTPW}\n')
INDEXES = "index objectClass eq\nindex entryCSN,entryUUID eq\n"
ACL = ("access to attrs=userPassword by self write by anonymous auth by * none\n"
       "access to * by self write by users read by * none\n")
POLICY_ATTRS = {"objectClass": [b"device", b"pwdPolicy", b"wardenPolicy"],
                "cn": [b"default"], "pwdAttribute": [b"userPassword"],
                "pwdMinLength": [b"12"], "pwdCheckQuality": [b"2"],
                "pwdInHistory": [b"3"], "pwdMaxFailure": [b"3"], "pwdLockout": [b"TRUE"]}


@pytest.fixture
def pair(workdir):
    nodes = [Slapd(workdir / "s"), Slapd(workdir / "c")]
    yield nodes
    for n in nodes:
        n.stop()
    for n in nodes:
        reports = n.sanitizer_reports()
        assert not reports, "sanitizer reported:\n" + "\n".join(reports[:20])


def warden_conf(s, extra_global="", db_extra="", overlays=""):
    key = s.dir / "warden.key"
    key.write_text(KEY)           # the same key on every node
    os.chmod(key, 0o600)
    return (s.base_conf(["syncprov.la", MODULE]) + extra_global +
            s.mdb_conf(extra=INDEXES + db_extra) + overlays + ACL +
            f"overlay warden\nwarden-state-dir {s.state}\nwarden-key-file {key}\n"
            f"warden-audit-file {s.dir / 'audit.log'}\nwarden-default-policy {POLICY}\n")


def plain_conf(s):
    """A provider without warden: ppolicy.la for the policy schema."""
    lines = [f"include {SCHEMA_DIR}/{x}.schema" for x in ("core", "cosine", "inetorgperson", "nis")]
    lines += [f"pidfile {s.dir}/slapd.pid", f"argsfile {s.dir}/slapd.args",
              "modulepath /usr/lib/ldap", "moduleload back_mdb.la", "moduleload syncprov.la",
              "moduleload ppolicy.la"]
    return ("\n".join(lines) + "\n" + s.mdb_conf(extra=INDEXES) +
            "overlay syncprov\nsyncprov-checkpoint 100 1\n" + ACL)


def csn(s):
    r = s.admin().search_s(SUFFIX, ldap.SCOPE_BASE, attrlist=["contextCSN"])
    return r[0][1].get("contextCSN")


def in_sync(p, c, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if csn(p) and csn(p) == csn(c):
                return True
        except ldap.LDAPError:
            pass
        time.sleep(0.1)
    return False


def entry(s, dn):
    """Every attribute, operational ones too, as the rootdn reads them."""
    return s.admin().search_s(dn, ldap.SCOPE_BASE, attrlist=["*", "+"])[0][1]


def base_entries(a, users=("alice", "bob")):
    a.add_s(SUFFIX, [("objectClass", [b"dcObject", b"organization"]),
                     ("dc", [b"example"]), ("o", [b"example"])])
    for ou in ("people", "policies"):
        a.add_s(f"ou={ou},{SUFFIX}", [("objectClass", [b"organizationalUnit"]),
                                      ("ou", [ou.encode()])])
    for u in users:
        a.add_s(user_dn(u), ldap.modlist.addModlist({
            "objectClass": [b"inetOrgPerson"], "uid": [u.encode()], "cn": [u.encode()],
            "sn": [u.encode()], "userPassword": [slappasswd(USERPW).encode()]}))


def start_pair(p, c, provider_conf):
    p.write_conf(provider_conf)
    p.start()
    c.write_conf(warden_conf(c, db_extra=SYNCREPL.format(uri=p.uri)))
    c.start()


def test_replicated_changes_arrive_as_the_provider_sent_them(pair):
    p, c = pair
    start_pair(p, c, warden_conf(p, overlays="overlay syncprov\nsyncprov-checkpoint 100 1\n"))
    a = p.admin()
    base_entries(a)
    a.add_s(POLICY, ldap.modlist.addModlist(POLICY_ATTRS))
    # a password change as the user: the provider's warden hashes it,
    # stamps pwdChangedTime and keeps the old one in pwdHistory
    u = p.conn(user_dn("alice"), USERPW)
    u.passwd_s(user_dn("alice"), USERPW, "Qx7#vLm2!pTz9w")
    time.sleep(1.1)      # a second change in another second of pwdChangedTime
    u = p.conn(user_dn("alice"), "Qx7#vLm2!pTz9w")
    u.modify_s(user_dn("alice"), [(ldap.MOD_REPLACE, "userPassword", [b"Rz8$kWn3@qYb4j"])])
    assert in_sync(p, c), "the consumer did not catch up"
    pe, ce = entry(p, user_dn("alice")), entry(c, user_dn("alice"))
    for attr in ("userPassword", "pwdChangedTime", "pwdHistory", "entryCSN"):
        assert pe.get(attr) == ce.get(attr), (attr, pe.get(attr), ce.get(attr))
    assert len(ce["pwdHistory"]) == 2
    # the replicated password works on the consumer
    c.conn(user_dn("alice"), "Rz8$kWn3@qYb4j")
    # the consumer's trail marks what syncrepl applied, with its rid
    recs = records(c.dir / "audit.log")
    rep = find(recs, **{"ldap.replicated": True})
    assert rep and all(r.get("ldap.replication.rid") == 7 for r in rep)
    assert find(rep, **{"event.action": "modify", "ldap.dn": user_dn("alice")})
    assert not any("Rz8$kWn3" in l for l in (c.dir / "audit.log").read_text().splitlines())
    # nothing the consumer's own clients do is marked
    assert not find(recs, **{"event.action": "bind", "ldap.replicated": True})


def test_consumer_of_a_plain_provider_finishes_its_refresh(pair):
    p, c = pair
    start_pair(p, c, plain_conf(p))
    a = p.admin()
    base_entries(a)
    a.add_s(POLICY, ldap.modlist.addModlist(
        {k: v for k, v in POLICY_ATTRS.items() if k != "objectClass"} |
        {"objectClass": [b"device", b"pwdPolicy"]}))
    # what the consumer's own rules would refuse or change: a short
    # password in clear, and a second value
    a.add_s(user_dn("carol"), ldap.modlist.addModlist({
        "objectClass": [b"inetOrgPerson"], "uid": [b"carol"], "cn": [b"carol"],
        "sn": [b"c"], "userPassword": [b"short", b"other"]}))
    a.modify_s(user_dn("bob"), [(ldap.MOD_REPLACE, "userPassword", [b"abc"])])
    assert in_sync(p, c), "the consumer did not finish its refresh:\n" + c.tail(30)
    for u in ("alice", "bob", "carol"):
        assert entry(p, user_dn(u)) == entry(c, user_dn(u)), u
    assert sorted(entry(c, user_dn("carol"))["userPassword"]) == [b"other", b"short"]
    # refused changes show as "rc 19 retrying" (-101 is the provider not
    # having the suffix yet, before the first add)
    assert not re.search(r"rc [1-9][0-9]* retrying", c.log_text())
