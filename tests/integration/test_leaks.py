# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""valgrind finds no leak that warden owns: slapd runs under memcheck while
the overlay is configured, reconfigured live (also with refused values),
serves binds and is shut down."""
import os
import shutil

import pytest

from conftest import MODULE, PRELOAD, SUFFIX, USERPW, user_dn

pytestmark = pytest.mark.skipif(bool(PRELOAD) or not shutil.which("valgrind"),
                                reason="valgrind cannot run a sanitizer build")

KEY = "k1 " + "12" * 32 + "\n"


def test_no_leak_owned_by_warden(slapd):
    vlog = slapd.dir / "valgrind.log"
    slapd.wrapper = ["valgrind", "--leak-check=full", "--show-leak-kinds=definite,indirect",
                     "--keep-debuginfo=yes", "--num-callers=40", f"--log-file={vlog}"]
    key = slapd.dir / "k.key"
    key.write_text(KEY)
    os.chmod(key, 0o600)
    slapd.write_conf(slapd.base_conf([MODULE]) + slapd.mdb_conf() +
                     f"overlay warden\nwarden-state-dir {slapd.state}\nwarden-key-file {key}\n"
                     f"warden-audit-file {slapd.dir}/audit.log\n"
                     f"warden-default-policy cn=default,{SUFFIX}\n")
    slapd.start(timeout=180)
    slapd.add_users()
    slapd.admin().add_s(f"cn=default,{SUFFIX}", [
        ("objectClass", [b"device", b"pwdPolicy"]), ("cn", [b"default"]),
        ("pwdAttribute", [b"userPassword"]), ("pwdLockout", [b"TRUE"]),
        ("pwdMaxFailure", [b"3"])])
    for i in range(2):
        try:
            slapd.conn(user_dn("alice"), f"wrong-{i}")
        except Exception:
            pass
    for _ in range(5):
        slapd.conn(user_dn("alice"), USERPW).unbind_s()

    dn = "olcOverlay={0}warden,olcDatabase={1}mdb,cn=config"
    state2 = slapd.mkdir("state2")
    changes = [
        f"replace: olcWardenKeyFile\nolcWardenKeyFile: {key}\n",
        f"replace: olcWardenKeyFile\nolcWardenKeyFile: {slapd.dir}/none\n",      # refused
        f"replace: olcWardenAuditFile\nolcWardenAuditFile: {slapd.dir}/audit2.log\n",
        f"replace: olcWardenAuditFile\nolcWardenAuditFile: {slapd.dir}/x/a.log\n",  # refused
        f"replace: olcWardenStateDir\nolcWardenStateDir: {state2}\n",
        "replace: olcWardenStateDir\nolcWardenStateDir: relative\n",              # refused
        f"replace: olcWardenDefaultPolicy\nolcWardenDefaultPolicy: cn=p2,{SUFFIX}\n",
        "replace: olcWardenDefaultPolicy\nolcWardenDefaultPolicy: cn=x,dc=other\n",  # refused
        "delete: olcWardenKeyFile\n",
        "delete: olcWardenAuditFile\n",
        "delete: olcWardenDefaultPolicy\n",
    ]
    refused = 0
    for ch in changes:
        rc, out = slapd.ldapmodify(f"dn: {dn}\nchangetype: modify\n{ch}")
        refused += rc != 0
    assert refused == 4
    slapd.conn(user_dn("bob"), USERPW).unbind_s()
    slapd.stop()

    text = vlog.read_text(errors="replace")
    assert "LEAK SUMMARY" in text or "All heap blocks were freed" in text, text[-2000:]
    ours = []
    # Each loss record is a paragraph starting "N bytes in M blocks are ...".
    block = []
    for line in text.splitlines() + [""]:
        body = line.split("== ", 1)[1] if "== " in line else ""
        if not body.strip():
            if block and any("lost in loss record" in b for b in block) and \
                    any("warden" in b or "store.c" in b or "keyring.c" in b for b in block):
                ours.append("\n".join(block))
            block = []
        else:
            block.append(body)
    assert not ours, "leaks in warden:\n\n" + "\n\n".join(ours[:5])
