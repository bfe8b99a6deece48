# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
"""schema/warden.schema and schema/warden.ldif say the same, both load
(into a slapd without warden.la, which registers the schema itself), and
all of warden's OIDs are under its own arc."""
import re

from conftest import SRCDIR, MODULE
from test_cnconfig import config_ldif

ARC = "2.25.179947727423328666749588697632006727387"


def schema_defs():
    text = (SRCDIR / "schema/warden.schema").read_text()
    text = re.sub(r"#.*", "", text)
    return sorted(" ".join(l.split()[1:]) for l in text.splitlines()
                  if l.strip().lower().startswith("objectidentifier"))


def ldif_defs():
    text = (SRCDIR / "schema/warden.ldif").read_text()
    return sorted(" ".join(l.split()[1:]) for l in text.splitlines()
                  if l.startswith("olcObjectIdentifier:"))


def schema_types():
    """attributetype/objectclass definitions of warden.schema, whitespace
    normalised."""
    text = re.sub(r"#.*", "", (SRCDIR / "schema/warden.schema").read_text())
    defs = re.findall(r"^(attributetype|objectclass)\s+(\(.*?\))\s*$", text,
                      re.I | re.M | re.S)
    return sorted((k.lower(), " ".join(d.split())) for k, d in defs)


def ldif_types():
    text = (SRCDIR / "schema/warden.ldif").read_text().replace("\n ", "")
    out = []
    for l in text.splitlines():
        m = re.match(r"^olc(AttributeTypes|ObjectClasses): \{\d+\}(.*)$", l)
        if m:
            kind = "attributetype" if m.group(1) == "AttributeTypes" else "objectclass"
            out.append((kind, " ".join(m.group(2).split())))
    return sorted(out)


def test_schema_and_ldif_agree():
    assert schema_defs() == ldif_defs()
    assert schema_defs(), "no definitions"
    assert schema_types() == ldif_types()
    assert any(k == "objectclass" and "wardenPolicy" in d for k, d in schema_types())


def test_oids_under_warden_arc():
    root = [d for d in schema_defs() if d.startswith("WardenRoot ")]
    assert root == [f"WardenRoot {ARC}"]
    for d in schema_defs():
        name, oid = d.split()
        assert oid == ARC or oid.startswith("WardenRoot:"), d
    src = (SRCDIR / "overlay/core/config.c").read_text()
    assert ARC in src
    cfg_oids = re.findall(r'"(\d+(?:\.\d+)+)"', src)
    assert all(o.startswith(ARC) for o in cfg_oids if o.startswith("2.25")), cfg_oids
    assert "OLcfg" not in src, "cn=config OIDs must not use OpenLDAP's arc"


def test_ldif_loads_live_into_cn_config(slapd):
    ldif = config_ldif(slapd, with_warden=False).replace(
        f"include: file://{SRCDIR}/schema/warden.ldif\n", "")
    slapd.load_config_ldif(ldif)
    slapd.start()
    rc, out = slapd.ldapmodify((SRCDIR / "schema/warden.ldif").read_text(), add=True)
    assert rc == 0, out
    res = slapd.config().search_s("cn=schema,cn=config", 1, "(cn=*warden)",
                                  ["olcObjectIdentifier"])
    assert len(res) == 1
    vals = sorted(" ".join(v.decode().split()[0:]).split("}", 1)[-1]
                  for v in res[0][1]["olcObjectIdentifier"])
    assert vals == ldif_defs()
    # for a server without warden.la (a replica): it survives a restart
    slapd.restart()
    assert slapd.config().search_s("cn=schema,cn=config", 1, "(cn=*warden)", ["cn"])
    # warden.la registers the schema itself and refuses to load beside a
    # copy from a schema entry: at the next start slapd would load the
    # module first and then refuse the entry as a duplicate (issue 14)
    rc, out = slapd.ldapmodify(f"dn: cn=module{{0}},cn=config\nchangetype: modify\n"
                               f"add: olcModuleLoad\nolcModuleLoad: {MODULE}\n")
    assert rc != 0, out
    assert "is already defined by a schema file or a cn=schema entry" in slapd.log_text()
    slapd.restart()
