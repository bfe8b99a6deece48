# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""AppArmor (issue 14): Debian 12's slapd is not confined (its package
ships no profile); for profiles that confine slapd (Ubuntu's, or one of
your own) contrib/apparmor/slapd-warden allows every path warden uses at
its documented defaults.  The container has no AppArmor in its kernel, so
the rules are checked by apparmor_parser (compiled, not loaded) and
matched against the documented paths here; enforcement is not tested."""
import re
import shutil
import subprocess

import pytest

from conftest import SRCDIR

RULES = SRCDIR / "contrib/apparmor/slapd-warden"
EX = SRCDIR / "contrib/examples"


def setting(name):
    m = re.search(rf"^{name}\s+(\S+)", (EX / "slapd.conf").read_text(), re.M)
    return m.group(1)


def glob_re(g):
    out, i = "", 0
    while i < len(g):
        c = g[i]
        if g.startswith("**", i):
            out, i = out + ".*", i + 2
            continue
        if c == "*":
            out += "[^/]*"
        elif c == "?":
            out += "[^/]"
        elif c == "{":
            j = g.index("}", i)
            out += "(" + "|".join(re.escape(a) for a in g[i + 1:j].split(",")) + ")"
            i = j
        else:
            out += re.escape(c)
        i += 1
    return re.compile(out + r"\Z")


def rules():
    out = []
    for line in RULES.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        m = re.fullmatch(r"(/\S*)\s+([rwkmlix]+),", line)
        if m:
            out.append((glob_re(m.group(1)), set(m.group(2))))
    return out


def allowed(path, perms):
    have = set()
    for rx, p in rules():
        if rx.match(path):
            have |= p
    return set(perms) <= have


def test_debian_slapd_ships_no_profile():
    files = subprocess.run(["dpkg", "-L", "slapd"], capture_output=True, text=True,
                           check=True).stdout
    assert "apparmor" not in files, "slapd now ships a profile: check it against slapd-warden"


def test_documented_paths_are_allowed():
    state, key, audit = setting("warden-state-dir"), setting("warden-key-file"), setting("warden-audit-file")
    assert (state, key, audit) == ("/var/lib/ldap/warden", "/etc/ldap/warden.key",
                                   "/var/log/slapd/warden-audit.log")
    overlay = (EX / "warden-overlay.ldif").read_text()
    for v in (state, key, audit):
        assert v in overlay
    need = {
        "/usr/lib/ldap/warden.so": "mr",
        f"{state}/": "r", f"{state}/data.mdb": "rwk", f"{state}/lock.mdb": "rwk",
        key: "r",
        audit.rsplit("/", 1)[0] + "/": "r", audit: "rw", audit + ".1": "r",
        "/usr/share/warden/banned.idx": "r", "/usr/local/share/warden/banned.idx": "r",
        "/var/cache/cracklib/cracklib_dict.pwd": "r",
    }
    for path, perms in need.items():
        assert allowed(path, perms), (path, perms)
    # and nothing broader than warden's own files
    assert not allowed("/var/log/syslog", "r")
    assert not allowed("/etc/shadow", "r")
    assert not allowed("/var/lib/ldap/data.mdb", "w")


@pytest.mark.skipif(not shutil.which("apparmor_parser"), reason="apparmor_parser not installed")
def test_apparmor_parser_compiles_a_profile_with_the_rules(tmp_path):
    prof = tmp_path / "usr.sbin.slapd"
    prof.write_text("abi <abi/3.0>,\n#include <tunables/global>\n"
                    "profile slapd-warden-test /usr/sbin/slapd {\n"
                    "  #include <abstractions/base>\n"
                    f'  #include "{RULES}"\n}}\n')
    p = subprocess.run(["apparmor_parser", "-Q", "-T", "-K", str(prof)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    p = subprocess.run(["apparmor_parser", "-p", str(prof)], capture_output=True,
                       text=True, timeout=60)
    assert "/var/log/slapd/warden-audit.log rw," in p.stdout
