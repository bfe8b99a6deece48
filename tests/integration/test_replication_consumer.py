# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""Read-only consumers (issue 17): warden never writes into a consumer's
replica.  The lock and the used one-time code step are forwarded to the
provider through updateref and the chain overlay, so they hold on the
provider and on every other consumer; with the provider unreachable the
consumer keeps the lock in its own store and refuses code binds.  A
provider without warden gets nothing but standard attributes."""
import os
import re
import time

import ldap
import ldap.modlist
import pytest

from conftest import MODULE, ROOTDN, ROOTPW, SUFFIX, USERPW, Slapd, user_dn
from test_lockout import POLICY, STATE_ATTRS, bind
from test_replication import (ACL, INDEXES, POLICY_ATTRS, SYNCREPL, base_entries, csn,
                              entry, in_sync, plain_conf, warden_conf)
from test_totp import code

PROVIDER_SID = 1
SEED = bytes(range(1, 21))


@pytest.fixture
def nodes(workdir):
    made = []

    def make(name):
        made.append(Slapd(workdir / name))
        return made[-1]

    yield make
    for n in made:
        n.stop()
    for n in made:
        reports = n.sanitizer_reports()
        assert not reports, "sanitizer reported:\n" + "\n".join(reports[:20])


def chain(uri, timeout=10):
    """The frontend's chain overlay, which follows the consumer's update
    referral to the provider (slapo-chain(5))."""
    return ("database frontend\noverlay chain\n"
            f"chain-uri {uri}\n"
            f'chain-idassert-bind bindmethod=simple binddn="{ROOTDN}" '
            f"credentials={ROOTPW} mode=self\n"
            f"chain-network-timeout 3\nchain-timeout {timeout}\n"
            "chain-return-error TRUE\n")


def with_sid(conf, sid):
    """serverID in the global part, before the first database."""
    return conf.replace("database ", f"serverID {sid}\ndatabase ", 1)


def provider_conf(p):
    return with_sid(warden_conf(p, overlays="overlay syncprov\nsyncprov-checkpoint 100 1\n"),
                    PROVIDER_SID)


def consumer_conf(c, p, sid, forward=None, with_chain=True, forward_to=None, timeout=10):
    """A warden consumer of p with its own serverID, so that a change it
    made itself would show in its CSNs; it forwards to p, or forward_to."""
    to = forward_to or p.uri
    conf = with_sid(warden_conf(c, db_extra=SYNCREPL.format(uri=p.uri) +
                                f"updateref {to}\n"), sid)
    conf = conf.replace(f"moduleload {MODULE}\n",
                        f"moduleload back_ldap.la\nmoduleload {MODULE}\n")
    if with_chain:
        # before the database: the frontend's section
        conf = conf.replace("database mdb\n", chain(to, timeout) + "database mdb\n", 1)
    if forward is not None:
        conf += f"warden-forward-updates {forward}\n"
    return conf


def start_consumer(c, p, sid, **kw):
    c.write_conf(consumer_conf(c, p, sid, **kw))
    c.start()


def setup_provider(p, conf, token=True, plain=False, policy=None):
    p.write_conf(conf)
    p.start()
    a = p.admin()
    base_entries(a)
    attrs = {**POLICY_ATTRS, "pwdLockoutDuration": [b"300"],
             "pwdFailureCountInterval": [b"300"], **(policy or {})}
    if plain:
        attrs["objectClass"] = [b"device", b"pwdPolicy"]
    a.add_s(POLICY, ldap.modlist.addModlist(attrs))
    if token:
        a.modify_s(user_dn("alice"), [
            (ldap.MOD_ADD, "objectClass", [b"oathTOTPUser", b"oathTOTPToken"]),
            (ldap.MOD_ADD, "oathTOTPToken", [user_dn("alice").encode()]),
            (ldap.MOD_ADD, "oathSecret", [SEED])])
    return a


def sync(p, *cs):
    for c in cs:
        assert in_sync(p, c), f"{c.dir.name} did not catch up:\n" + c.tail(30)


def csns_of(s, dn):
    e = entry(s, dn)
    return [v.decode() for v in e.get("entryCSN", [])]


def own_csns(c, sid):
    """CSNs on c that c's own serverID made: a change c wrote itself."""
    mine = f"#{sid:03x}#"
    vals = []
    for dn, attrs in c.admin().search_s(SUFFIX, ldap.SCOPE_SUBTREE, "(objectClass=*)",
                                        ["entryCSN", "contextCSN"]):
        for k in ("entryCSN", "contextCSN"):
            vals += [(dn, k, v.decode()) for v in attrs.get(k, [])]
    return [v for v in vals if mine in v[2]]


def stored(s, dn):
    """The entry as stored: without the state warden shows from its own
    store (operational, computed on each server)."""
    return {k: v for k, v in entry(s, dn).items()
            if k not in STATE_ATTRS or k == "pwdAccountLockedTime"}


def locked_time(s, u):
    return entry(s, user_dn(u)).get("pwdAccountLockedTime")


def wait_for(pred, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.1)
    return pred()


def totp_bind(s, pw_code):
    return bind(s, "alice", pw_code)[0]


def fresh_code():
    """A code with at least 5 s of its 30 s step left, and the step."""
    now = time.time()
    if now % 30 > 25:
        time.sleep(30 - now % 30 + 0.2)
        now = time.time()
    return code(SEED, at=now), int(now // 30)


def test_lock_on_a_consumer_holds_on_the_provider_and_the_other_consumer(nodes):
    p, c1, c2 = nodes("p"), nodes("c1"), nodes("c2")
    a = setup_provider(p, provider_conf(p), token=False)
    start_consumer(c1, p, 2)
    start_consumer(c2, p, 3)
    sync(p, c1, c2)
    before = locked_time(p, "bob")
    assert before is None
    for i in range(3):
        assert bind(c1, "bob", f"wrong-{i}")[0] == 49
    # the provider holds the lock at once: the consumer told it before
    # answering the third failure
    assert locked_time(p, "bob"), "the lock did not reach the provider:\n" + c1.tail(30)
    assert bind(p, "bob", USERPW)[0] == 49
    sync(p, c1, c2)
    assert bind(c2, "bob", USERPW)[0] == 49
    assert bind(c1, "bob", USERPW)[0] == 49
    # the replicas are the provider's, byte for byte: nothing the
    # consumers wrote themselves, no CSN of theirs
    assert not own_csns(c1, 2), own_csns(c1, 2)
    assert not own_csns(c2, 3), own_csns(c2, 3)
    for c in (c1, c2):
        assert stored(c, user_dn("bob")) == stored(p, user_dn("bob"))
    assert all(f"#{PROVIDER_SID:03x}#" in v for v in csns_of(c1, user_dn("bob")))
    # an unrelated change on the provider does not remove the lock
    a.modify_s(user_dn("bob"), [(ldap.MOD_REPLACE, "description", [b"moved desks"])])
    sync(p, c1, c2)
    for s in (p, c1, c2):
        assert bind(s, "bob", USERPW)[0] == 49, s.dir.name
        assert locked_time(s, "bob"), s.dir.name
    # an administrator's unlock on the provider frees the user everywhere
    a.modify_s(user_dn("bob"), [(ldap.MOD_DELETE, "pwdAccountLockedTime", None)])
    sync(p, c1, c2)
    for s in (c1, c2, p):
        assert bind(s, "bob", USERPW)[0] == 0, s.dir.name
    assert not own_csns(c1, 2) and not own_csns(c2, 3)


def test_code_used_on_a_consumer_is_refused_everywhere_else(nodes):
    p, c1, c2 = nodes("p"), nodes("c1"), nodes("c2")
    setup_provider(p, provider_conf(p))
    start_consumer(c1, p, 2)
    start_consumer(c2, p, 3)
    sync(p, c1, c2)
    otp, step = fresh_code()
    assert totp_bind(c1, USERPW + otp) == 0, c1.tail(30)
    # the provider took the step before the consumer answered
    pe = entry(p, user_dn("alice"))
    assert pe.get("oathTOTPLastTimeStep") == [str(step).encode()], pe
    assert totp_bind(p, USERPW + otp) == 49
    sync(p, c1, c2)
    assert totp_bind(c2, USERPW + otp) == 49
    assert totp_bind(c1, USERPW + otp) == 49
    # a code used on the provider, then at once on a consumer: refused
    # there too, whether or not the step has reached it (the forward
    # holds only above the provider's step)
    otp, step = fresh_code()
    while step <= int(entry(p, user_dn("alice"))["oathTOTPLastTimeStep"][0]):
        time.sleep(1)
        otp, step = fresh_code()
    assert totp_bind(p, USERPW + otp) == 0
    assert totp_bind(c2, USERPW + otp) == 49
    sync(p, c1, c2)
    assert not own_csns(c1, 2) and not own_csns(c2, 3)
    for c in (c1, c2):
        assert stored(c, user_dn("alice")) == stored(p, user_dn("alice"))
    # the consumer never wraps or rewrites the secret: the provider's
    # wrapped value, as it sent it
    assert entry(c1, user_dn("alice"))["oathSecret"][0].startswith(b"{")


def test_hotp_counter_used_on_a_consumer_is_refused_everywhere_else(nodes):
    p, c1, c2 = nodes("p"), nodes("c1"), nodes("c2")
    a = setup_provider(p, provider_conf(p), token=False)
    a.modify_s(user_dn("bob"), [
        (ldap.MOD_ADD, "objectClass", [b"oathHOTPUser", b"oathHOTPToken"]),
        (ldap.MOD_ADD, "oathHOTPToken", [user_dn("bob").encode()]),
        (ldap.MOD_ADD, "oathSecret", [SEED])])
    start_consumer(c1, p, 2)
    start_consumer(c2, p, 3)
    sync(p, c1, c2)
    first = USERPW + code(SEED, hotp_counter=0)
    assert bind(c1, "bob", first)[0] == 0, c1.tail(30)
    assert entry(p, user_dn("bob"))["oathHOTPCounter"] == [b"0"]
    assert bind(p, "bob", first)[0] == 49
    sync(p, c1, c2)
    assert bind(c2, "bob", first)[0] == 49
    # a later counter on the other consumer, then an earlier one on the
    # first: the earlier one is refused (counters only grow)
    assert bind(c2, "bob", USERPW + code(SEED, hotp_counter=3))[0] == 0
    assert bind(c1, "bob", USERPW + code(SEED, hotp_counter=2))[0] == 49
    sync(p, c1, c2)
    assert entry(p, user_dn("bob"))["oathHOTPCounter"] == [b"3"]
    # logins one after another on one consumer, faster than its own
    # last counter comes back to it by replication: each one is good
    for n in range(4, 14):
        assert bind(c1, "bob", USERPW + code(SEED, hotp_counter=n))[0] == 0, n
    assert entry(p, user_dn("bob"))["oathHOTPCounter"] == [b"13"]
    assert not own_csns(c1, 2) and not own_csns(c2, 3)


def test_provider_unreachable_fails_closed(nodes):
    p, c = nodes("p"), nodes("c")
    setup_provider(p, provider_conf(p))
    start_consumer(c, p, 2)
    sync(p, c)
    p.stop()
    # a code cannot be recorded on the provider: refused, though right
    otp, down_step = fresh_code()
    assert totp_bind(c, USERPW + otp) == 49
    assert "cannot forward oathTOTPLastTimeStep" in c.log_text()
    # a right code is no wrong credential: nothing counted toward lockout
    assert "wardenFailureCount" not in entry(c, user_dn("alice"))
    # the lock holds on the consumer, in warden's own store
    for i in range(3):
        assert bind(c, "bob", f"wrong-{i}")[0] == 49
    assert bind(c, "bob", USERPW)[0] == 49
    assert "cannot forward pwdAccountLockedTime" in c.log_text()
    # nothing was written into the replica meanwhile; the lock held in
    # the store is shown to the consumer's clients all the same
    assert not own_csns(c, 2)
    assert locked_time(c, "bob") is not None
    # the provider back: the next attempt on the consumer forwards the
    # lock it holds
    p.start()
    sync(p, c)

    def reforwarded():
        assert bind(c, "bob", USERPW)[0] == 49
        return locked_time(p, "bob")
    # (forwards pause for 5 s after one that found the provider down)
    assert wait_for(reforwarded, timeout=20), c.tail(30)
    assert bind(p, "bob", USERPW)[0] == 49
    # and codes work again (from the next step: the refused one's step
    # is spent on the consumer)
    otp, step = fresh_code()
    while step <= down_step:
        time.sleep(1)
        otp, step = fresh_code()
    assert totp_bind(c, USERPW + otp) == 0, c.tail(30)
    sync(p, c)
    assert not own_csns(c, 2)


def test_without_chain_nothing_is_written_and_codes_are_refused(nodes):
    """A consumer that cannot forward (no chain overlay: its own update
    referral comes back) is told so in the log and still fails closed."""
    p, c = nodes("p"), nodes("c")
    setup_provider(p, provider_conf(p))
    start_consumer(c, p, 2, with_chain=False)
    sync(p, c)
    otp, _ = fresh_code()
    assert totp_bind(c, USERPW + otp) == 49
    for i in range(3):
        assert bind(c, "bob", f"wrong-{i}")[0] == 49
    assert bind(c, "bob", USERPW)[0] == 49
    assert "chain overlay" in c.log_text()
    assert not own_csns(c, 2) and locked_time(c, "bob") is not None


def test_forward_updates_off_keeps_state_local(nodes):
    p, c = nodes("p"), nodes("c")
    setup_provider(p, provider_conf(p))
    start_consumer(c, p, 2, forward="off")
    sync(p, c)
    for i in range(3):
        assert bind(c, "bob", f"wrong-{i}")[0] == 49
    assert bind(c, "bob", USERPW)[0] == 49          # held in the store
    otp, _ = fresh_code()
    assert totp_bind(c, USERPW + otp) == 0
    assert totp_bind(c, USERPW + otp) == 49          # replay, on this consumer
    assert locked_time(p, "bob") is None             # not shared: documented
    # not written into the replica, shown to the consumer's clients
    assert not own_csns(c, 2) and locked_time(c, "bob") is not None


@pytest.mark.parametrize("ppolicy", [True, False], ids=["ppolicy", "schema-only"])
def test_plain_provider_gets_standard_attributes_only(nodes, ppolicy):
    p, c1, c2 = nodes("p"), nodes("c1"), nodes("c2")
    # ppolicy.la and otp.la for their schema (existing infrastructure)
    conf = with_sid(plain_conf(p), PROVIDER_SID).replace(
        "moduleload ppolicy.la\n", "moduleload ppolicy.la\nmoduleload otp.la\n")
    if ppolicy:
        conf += f'overlay ppolicy\nppolicy_default "{POLICY}"\n'
    setup_provider(p, conf, plain=True)
    start_consumer(c1, p, 2)
    start_consumer(c2, p, 3)
    sync(p, c1, c2)
    mark = len(p.log_text())
    for i in range(3):
        assert bind(c1, "bob", f"wrong-{i}")[0] == 49
    assert locked_time(p, "bob"), c1.tail(30)
    # what reached the provider: one modify of pwdAccountLockedTime
    mods = re.findall(r"MOD attr=(\S+)", p.log_text()[mark:])
    assert mods == ["pwdAccountLockedTime"], mods
    if ppolicy:
        assert bind(p, "bob", USERPW)[0] == 49
    sync(p, c1, c2)
    assert bind(c2, "bob", USERPW)[0] == 49
    assert bind(c1, "bob", USERPW)[0] == 49
    assert not own_csns(c1, 2) and not own_csns(c2, 3)
    assert stored(c1, user_dn("bob")) == stored(p, user_dn("bob"))
    # a code: the raw seed otp.la's way, checked by the consumer, never
    # wrapped there; only the step goes to the provider
    mark = len(p.log_text())
    otp, step = fresh_code()
    assert totp_bind(c1, USERPW + otp) == 0, c1.tail(30)
    assert entry(p, user_dn("alice"))["oathTOTPLastTimeStep"] == [str(step).encode()]
    mods = set(re.findall(r"MOD attr=(.+)", p.log_text()[mark:])[0].split())
    assert mods <= {"oathTOTPLastTimeStep", "oathTOTPTimeStepDrift"}, mods
    sync(p, c1, c2)
    assert totp_bind(c2, USERPW + otp) == 49
    for s in (p, c1, c2):
        assert entry(s, user_dn("alice"))["oathSecret"] == [SEED], s.dir.name
    assert not own_csns(c1, 2) and not own_csns(c2, 3)


def test_forward_updates_setting(nodes):
    """olcWardenForwardUpdates: on by default, set live, a bad value
    refused with the running value kept, persisted; in slapd.conf too."""
    from test_cnconfig import config_ldif, modify, overlay_attrs, replace
    s = nodes("s")
    s.load_config_ldif(config_ldif(s, with_warden=True))
    s.start()
    assert "olcWardenForwardUpdates" not in overlay_attrs(s) or \
        overlay_attrs(s)["olcWardenForwardUpdates"] == ["TRUE"]
    rc, out = modify(s, replace("olcWardenForwardUpdates", "FALSE"))
    assert rc == 0, out
    rc, out = modify(s, replace("olcWardenForwardUpdates", "maybe"))
    assert rc != 0, out
    assert overlay_attrs(s)["olcWardenForwardUpdates"] == ["FALSE"]
    s.restart()
    assert overlay_attrs(s)["olcWardenForwardUpdates"] == ["FALSE"]
    s.stop()
    t = nodes("t")
    t.write_conf(warden_conf(t) + "warden-forward-updates maybe\n")
    assert t.start(expect_failure=True) != 0
    assert "warden-forward-updates" in t.log_text()


def test_provider_takes_a_forwarded_step_in_its_store(nodes):
    """A forwarded step is taken in the provider's store in the same
    transaction its own binds use: a step the provider has seen is
    refused (no race between a bind there and a forward), a new one is
    then spent there too."""
    p = nodes("p")
    a = setup_provider(p, provider_conf(p))
    otp, step = fresh_code()
    assert totp_bind(p, USERPW + otp) == 0
    with pytest.raises(ldap.CONSTRAINT_VIOLATION):
        a.modify_s(user_dn("alice"), [
            (ldap.MOD_DELETE, "oathTOTPLastTimeStep", [str(step).encode()]),
            (ldap.MOD_ADD, "oathTOTPLastTimeStep", [str(step).encode()])])
    a.modify_s(user_dn("alice"), [
        (ldap.MOD_DELETE, "oathTOTPLastTimeStep", [str(step).encode()]),
        (ldap.MOD_ADD, "oathTOTPLastTimeStep", [str(step + 1).encode()])])
    # the next step's code is spent, though the entry lost the value
    a.modify_s(user_dn("alice"), [(ldap.MOD_DELETE, "oathTOTPLastTimeStep", None)])
    assert totp_bind(p, USERPW + code(SEED, at=(step + 1) * 30 + 1)) == 49


def test_provider_refuses_a_counter_not_above_its_own(nodes):
    """The forwarded counter holds only above the provider's value (the
    assertion control), whatever the replica holds: here a consumer that
    never receives the counters, of a provider without warden."""
    p, c = nodes("p"), nodes("c")
    conf = with_sid(plain_conf(p), PROVIDER_SID).replace(
        "moduleload ppolicy.la\n", "moduleload ppolicy.la\nmoduleload otp.la\n")
    a = setup_provider(p, conf, token=False, plain=True)
    a.modify_s(user_dn("bob"), [
        (ldap.MOD_ADD, "objectClass", [b"oathHOTPUser", b"oathHOTPToken"]),
        (ldap.MOD_ADD, "oathHOTPToken", [user_dn("bob").encode()]),
        (ldap.MOD_ADD, "oathSecret", [SEED])])
    conf = consumer_conf(c, p, 2).replace(
        "syncrepl rid=007 ", 'syncrepl rid=007 exattrs="oathHOTPCounter,oathTOTPLastTimeStep" ')
    c.write_conf(conf)
    c.start()
    sync(p, c)
    assert bind(c, "bob", USERPW + code(SEED, hotp_counter=0))[0] == 0, c.tail(30)
    assert entry(p, user_dn("bob"))["oathHOTPCounter"] == [b"0"]
    # another server took counter 5
    a.modify_s(user_dn("bob"), [(ldap.MOD_REPLACE, "oathHOTPCounter", [b"5"])])
    sync(p, c)
    assert "oathHOTPCounter" not in entry(c, user_dn("bob"))
    assert bind(c, "bob", USERPW + code(SEED, hotp_counter=3))[0] == 49
    assert re.search(r"cannot forward oathHOTPCounter .* result 122", c.log_text())
    assert entry(p, user_dn("bob"))["oathHOTPCounter"] == [b"5"]
    assert bind(c, "bob", USERPW + code(SEED, hotp_counter=6))[0] == 0
    assert entry(p, user_dn("bob"))["oathHOTPCounter"] == [b"6"]


def test_grace_logins_are_counted_on_the_provider(nodes):
    """pwdGraceUseTime of a grace login on a consumer is forwarded: the
    grace logins of all servers count against one pwdGraceAuthNLimit; a
    consumer that cannot tell its provider grants none."""
    from test_expiry import DAY, changed, graces, pp_bind
    p, c1, c2 = nodes("p"), nodes("c1"), nodes("c2")
    setup_provider(p, provider_conf(p), token=False,
                   policy={"pwdMaxAge": [str(90 * DAY).encode()],
                           "pwdGraceAuthNLimit": [b"2"]})
    changed(p, "bob", 91 * DAY)
    start_consumer(c1, p, 2)
    start_consumer(c2, p, 3)
    sync(p, c1, c2)
    assert pp_bind(c1, "bob") == (0, {"graceAuthNsRemaining": 1})
    assert len(graces(p, "bob")) == 1, c1.tail(20)
    sync(p, c1, c2)
    assert pp_bind(c2, "bob") == (0, {"graceAuthNsRemaining": 0})
    assert len(graces(p, "bob")) == 2
    sync(p, c1, c2)
    assert pp_bind(c1, "bob")[0] == 49
    assert pp_bind(p, "bob")[0] == 49
    assert not own_csns(c1, 2) and not own_csns(c2, 3)
    # the provider down: no grace login is granted
    changed(p, "alice", 91 * DAY)
    sync(p, c1)
    p.stop()
    assert pp_bind(c1, "alice")[0] == 49
    assert "cannot forward pwdGraceUseTime" in c1.log_text()
    assert not own_csns(c1, 2)


def test_a_provider_that_does_not_answer_holds_up_one_bind_only(nodes):
    """A provider host that takes connections and never answers: the first
    forward waits chain-timeout, then forwards fail at once for a while, so
    binds do not queue up behind it (each a slapd thread)."""
    import socket
    from conftest import free_port
    p, c = nodes("p"), nodes("c")
    setup_provider(p, provider_conf(p), token=False)
    hole = socket.socket()
    hole.bind(("127.0.0.1", free_port()))
    hole.listen(64)                     # never accepted, never answered
    try:
        uri = "ldap://127.0.0.1:%d/" % hole.getsockname()[1]
        c.write_conf(consumer_conf(c, p, 2, forward_to=uri, timeout=2))
        c.start()
        sync(p, c)
        times = []
        for i in range(6):
            t = time.time()
            assert bind(c, "bob", f"wrong-{i}")[0] == 49
            times.append(time.time() - t)
        # the third failure locks: its forward waits, the next do not
        assert times[2] >= 1.5, times
        assert all(t < 1.0 for t in times[3:]), times
        assert bind(c, "bob", USERPW)[0] == 49       # the lock holds here
        assert "not tried: it was unreachable" in c.log_text()
        assert not own_csns(c, 2)
    finally:
        hole.close()


def test_shipped_consumer_example(nodes, workdir):
    """contrib/examples/warden-consumer.conf, its paths and names pointed at
    the test's, over StartTLS: a lock and a used code reach the provider."""
    from clients import TLS
    from conftest import SRCDIR, slappasswd
    from test_audit import KEY
    tls = TLS(workdir / "tls")
    p, c = nodes("p"), nodes("c")
    setup_provider(p, with_sid(warden_conf(p, extra_global=tls.slapd_conf(),
                                           overlays="overlay syncprov\nsyncprov-checkpoint 100 1\n"),
                               PROVIDER_SID))
    key = c.dir / "warden.key"
    key.write_text(KEY)
    os.chmod(key, 0o600)
    text = (SRCDIR / "contrib" / "examples" / "warden-consumer.conf").read_text()
    for a, b in [("/etc/ldap/tls/ca.pem", str(tls.ca)), ("/run/slapd", str(c.dir)),
                 ("/var/lib/ldap/warden", str(c.state)), ("/var/lib/ldap", str(c.db)),
                 ("/etc/ldap/warden.key", str(key)), ("moduleload\twarden.la", f"moduleload\t{MODULE}"),
                 ("ldap://ldap1.example.org/", p.uri),
                 ("cn=replicator,dc=example,dc=org", ROOTDN),
                 ("credentials=secret", f"credentials={ROOTPW}"),
                 ("dc=example,dc=org", SUFFIX)]:
        assert a in text, a
        text = text.replace(a, b)
    c.write_conf(with_sid(text, 2) + f"rootpw {slappasswd(ROOTPW)}\n")
    c.start()
    sync(p, c)
    for i in range(3):
        assert bind(c, "bob", f"wrong-{i}")[0] == 49
    assert locked_time(p, "bob"), c.tail(30)
    otp, step = fresh_code()
    assert totp_bind(c, USERPW + otp) == 0, c.tail(30)
    assert entry(p, user_dn("alice"))["oathTOTPLastTimeStep"] == [str(step).encode()]
    assert totp_bind(p, USERPW + otp) == 49
    sync(p, c)
    assert not own_csns(c, 2)
