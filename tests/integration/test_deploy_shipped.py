# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""Every shipped configuration as Debian runs it (issue 14): the README's
slapd.conf, contrib/examples/slapd.conf and the demo's cn=config are made
into a slapd.d (slaptest -f ... -F ..., slapadd -n0 for the demo), and a
Debian slapd.d gets the README's live steps, or contrib/examples' LDIFs; then the ACLs of
contrib/examples/acl.conf are added live over ldapi, slapd restarts and
answers binds, warden counting a failure in its store.  All of it as root
and as openldap:openldap."""
import os
import pwd
import re
import subprocess
import textwrap
from pathlib import Path

import ldap
import pytest

from clients import TLS
from conftest import MODULE, SRCDIR, PEERCRED_ROOT, Slapd, slappasswd
from test_deploy_user import UserSlapd

SUFFIX = "dc=example,dc=org"
ROOTDN = "cn=admin," + SUFFIX
ROOTPW = "Shipped-root-1"
ALICE = "uid=alice,ou=people," + SUFFIX
ALICEPW = "Alice-shipped-2026!"
KEY = "k1 " + "4d" * 32 + "\n"
README = (SRCDIR / "README.md").read_text()
EX = SRCDIR / "contrib" / "examples"


def readme_block(after):
    """The indented code block that follows the paragraph containing after."""
    tail = README[README.index(after):]
    m = re.search(r"\n\n((?:    .*\n|\n)+)", tail)
    return textwrap.dedent(m.group(1)).strip("\n") + "\n"


def acl_values():
    """contrib/examples/acl.conf as olcAccess values."""
    rules, cur = [], None
    for line in (EX / "acl.conf").read_text().splitlines():
        line = line.split("#", 1)[0].rstrip()
        if line.startswith("access "):
            cur = [line[len("access "):]]
            rules.append(cur)
        elif line.strip() and cur is not None:
            cur.append(line.strip())
    return [" ".join(r) for r in rules]


class Env:
    def __init__(self, s, user):
        self.s, self.user = s, user
        self.key = s.dir / "warden.key"
        self.key.write_text(KEY)
        os.chmod(self.key, 0o600)
        self.logs = s.mkdir("log", 0o750)
        self.tls = TLS(s.dir / "tls")
        self.owner = "openldap:openldap" if user == "openldap" else "root:root"

    def paths(self, text):
        s = self.s
        for a, b in [("/etc/ldap/tls", str(self.tls.dir)), ("/var/lib/ldap/warden", str(s.state)),
                     ("/var/lib/ldap", str(s.db)), ("/etc/ldap/warden.key", str(self.key)),
                     ("/var/log/slapd", str(self.logs)), ("/run/slapd", str(s.dir))]:
            text = text.replace(a, b)
        return text

    def chown_all(self):
        if self.user != "openldap":
            return
        pw = pwd.getpwnam("openldap")
        for root, dirs, files in os.walk(self.s.dir):
            for n in [root] + [os.path.join(root, f) for f in files + dirs]:
                if n.endswith("slapd.log"):
                    continue
                os.lchown(n, pw.pw_uid, pw.pw_gid)


def globals_conf(env):
    s = env.s
    return "".join(f"include /etc/ldap/schema/{n}.schema\n"
                   for n in ("core", "cosine", "inetorgperson", "nis")) + \
        f"pidfile {s.dir}/slapd.pid\nargsfile {s.dir}/slapd.args\n"


def from_readme(env):
    s = env.s
    snippet = readme_block("warden is configured per database. In `slapd.conf`")
    snippet = snippet.replace("moduleload warden.la", f"moduleload {MODULE}").replace(
        "    ...\n", "").replace("...\n",
        f"rootdn {ROOTDN}\nrootpw {slappasswd(ROOTPW)}\ndirectory /var/lib/ldap\n")
    return globals_conf(env) + env.paths(snippet) + \
        f'database config\naccess to * by dn.exact="{PEERCRED_ROOT}" manage by * none\n'


def from_examples(env):
    conf = env.paths((EX / "slapd.conf").read_text()).replace(
        "moduleload\twarden.la", f"moduleload\t{MODULE}")
    return conf + f"rootpw {slappasswd(ROOTPW)}\n" + \
        f'database config\naccess to * by dn.exact="{PEERCRED_ROOT}" manage by * none\n'


def to_slapd_d(env, conf):
    s = env.s
    f = s.dir / "slapd.conf"
    f.write_text(conf)
    s.confdir = s.dir / "slapd.d"
    s.confdir.mkdir(mode=0o700)
    # slaptest (without -u, which converts nothing) opens the databases
    # read-only: an existing deployment has them; make this one's
    (s.dir / "empty.ldif").write_text("")
    for cmd in (["slapadd", "-f", str(f), "-b", SUFFIX, "-l", str(s.dir / "empty.ldif")],
                ["slaptest", "-u", "-f", str(f)],
                ["slaptest", "-f", str(f), "-F", str(s.confdir)]):
        p = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                           env=s.env(), timeout=60)
        assert p.returncode == 0, cmd[0] + ": " + p.stdout + p.stderr
    s.conf = None


def demo(env):
    s = env.s
    (s.dir / "banned.txt").write_text("Password123!\n")
    subprocess.run([os.environ["WARDENCTL"], "banned", "build", str(s.dir / "banned.txt"),
                    str(s.dir / "banned.idx")], check=True, capture_output=True)
    os.symlink(s.state, s.dir / "statelink")   # (the demo's names, our directories)
    ldif = (SRCDIR / "contrib/demo/config.ldif.in").read_text()
    ldif = ldif.replace("@DEMO@/state", str(s.state)).replace("@DEMO@/db", str(s.db)).replace(
        "@DEMO@/tls", str(env.tls.dir)).replace("@DEMO@/warden.key", str(env.key)).replace(
        "@DEMO@/audit.log", str(env.logs / "audit.log")).replace("@DEMO@", str(s.dir)).replace(
        "@ROOTPW@", slappasswd(ROOTPW)).replace("{2}warden.la", "{2}" + MODULE)
    s.load_config_ldif(ldif)


def debian_live(env):
    """Debian's slapd.d without warden, then the README's live steps."""
    from test_deploy_config import debian_slapd_d
    s = env.s
    ldif = re.sub(r"olcRootPW: .*", "olcRootPW: " + slappasswd(ROOTPW),
                  debian_slapd_d(s).replace("dc=example,dc=test", SUFFIX))
    s.load_config_ldif(ldif)
    env.live_steps = True


def run_live_steps(env):
    s = env.s
    steps = readme_block("Live, through `cn=config` (as root over ldapi)")
    state = s.dir / "warden"
    steps = steps.replace("/var/lib/ldap/warden", str(state)).replace(
        "ldapi:///", s.ldapi).replace("olcModuleLoad: warden.la", f"olcModuleLoad: {MODULE}").replace(
        "openldap:openldap", env.owner)
    p = subprocess.run(["sh", "-e"], input=steps, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, steps + p.stdout + p.stderr
    assert (state / "data.mdb").exists()
    # and the default policy, as the Reference describes it
    rc, out = s.ldapmodify("dn: olcOverlay={0}warden,olcDatabase={1}mdb,cn=config\n"
                           "changetype: modify\nadd: olcWardenDefaultPolicy\n"
                           f"olcWardenDefaultPolicy: cn=default,ou=policies,{SUFFIX}\n")
    assert rc == 0, out


def examples_live(env):
    """Debian's slapd.d, then contrib/examples' LDIFs for ldapmodify/ldapadd."""
    debian_live(env)
    env.live_steps = "examples"


def run_example_ldifs(env):
    s = env.s
    for name, add in (("warden-module.ldif", False), ("warden-overlay.ldif", True)):
        text = env.paths((EX / name).read_text()).replace(
            "olcModuleLoad: warden.la", f"olcModuleLoad: {MODULE}")
        rc, out = s.ldapmodify(text, add=add)
        assert rc == 0, name + ": " + out


CONFIGS = {"examples-live": examples_live,
           "readme": lambda e: to_slapd_d(e, from_readme(e)),
           "examples": lambda e: to_slapd_d(e, from_examples(e)),
           "demo": demo, "debian-live": debian_live}


def admin(s):
    c = ldap.initialize(s.ldapi)
    c.simple_bind_s(ROOTDN, ROOTPW)
    return c


@pytest.mark.parametrize("user", ["root", "openldap"])
@pytest.mark.parametrize("config", list(CONFIGS))
def test_shipped_configuration(workdir, config, user):
    if user == "openldap":
        os.chmod(workdir, 0o711)
    s = (UserSlapd if user == "openldap" else Slapd)(workdir / "s")
    env = Env(s, user)
    try:
        CONFIGS[config](env)
        env.chown_all()
        s.start()
        if getattr(env, "live_steps", False) == "examples":
            run_example_ldifs(env)
        elif getattr(env, "live_steps", False):
            run_live_steps(env)
        # the example ACLs, live, on the database
        rc, out = s.ldapmodify("dn: olcDatabase={1}mdb,cn=config\nchangetype: modify\n"
                               "replace: olcAccess\n" +
                               "".join(f"olcAccess: {{{i}}}{v}\n" for i, v in enumerate(acl_values())))
        assert rc == 0, out
        a = admin(s)
        a.add_s(SUFFIX, [("objectClass", [b"dcObject", b"organization"]), ("dc", [b"example"]),
                         ("o", [b"Example"])])
        p = subprocess.run(["ldapadd", "-x", "-H", s.ldapi, "-D", ROOTDN, "-w", ROOTPW, "-f",
                            str(EX / "default-policy.ldif")], capture_output=True, text=True,
                           timeout=60)
        assert p.returncode == 0, p.stdout + p.stderr
        a.add_s("ou=people," + SUFFIX, [("objectClass", [b"organizationalUnit"]), ("ou", [b"people"])])
        a.add_s(ALICE, [("objectClass", [b"inetOrgPerson"]), ("uid", [b"alice"]), ("cn", [b"alice"]),
                        ("sn", [b"alice"]), ("userPassword", [slappasswd(ALICEPW).encode()])])
        s.restart()
        c = ldap.initialize(s.ldapi)
        c.simple_bind_s(ALICE, ALICEPW)
        assert c.whoami_s() == "dn:" + ALICE
        with pytest.raises(ldap.INVALID_CREDENTIALS):
            ldap.initialize(s.ldapi).simple_bind_s(ALICE, "Not-the-password-1")
        res = admin(s).search_s(ALICE, ldap.SCOPE_BASE, attrlist=["wardenFailureCount"])
        assert res[0][1].get("wardenFailureCount") == [b"1"], res
        acl = s.config().search_s("olcDatabase={1}mdb,cn=config", ldap.SCOPE_BASE,
                                attrlist=["olcAccess"])
        assert any(b"oathSecret" in v for v in acl[0][1]["olcAccess"])
    finally:
        s.stop()
