/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* schemareg.c - every schema definition warden needs, registered at load
 *
 * slapd reads a database's ACLs, limits and indexes before the overlays of
 * that database, and in cn=config every database after all modules are
 * loaded.  Definitions registered when the overlay is configured came too
 * late for an olcAccess naming oathSecret: slapd accepted it live and then
 * did not start again ("unknown attr oathSecret in to clause").  So the
 * module registers everything its ACLs, examples and README name when it
 * is loaded (init_module), as ppolicy.la and otp.la do: the draft-behera
 * password policy schema, the OATH-LDAP schema and warden's own.
 *
 * A definition that a module registered already (ppolicy.la or otp.la
 * loaded before warden.la) is reused when it is compatible: the same OID,
 * syntax (or superior), equality rule, single-valuedness, usage and
 * user-modifiability; else warden refuses to load, naming the attribute,
 * what differs and what to do.  A definition from a schema file or a
 * cn=schema entry is refused (schemareg_from_file()).
 * ppolicy.la and otp.la refuse to register anything twice, so they must
 * be loaded before warden.la; warden says so when it registered their
 * definitions itself.
 */

#include "warden.h"
#include "core.h"
#include "mfa.h"

/* Set while warden_schema_register() checks every definition before it
 * registers any: a refused load must leave slapd's schema as it was. */
static int schemareg_dryrun;

/* A definition read from a schema file or a cn=schema entry would stand
 * beside warden's after a restart from slapd.d (or slaptest -F): slapd
 * loads every module before it reads schema entries, and then refuses the
 * entry as a duplicate and does not start.  So it is refused now. */
static void
schemareg_from_file( char *msg, size_t len, const char *kind,
	const char *name, const char *oid )
{
	snprintf( msg, len, "%s %s (%s) is already defined by a schema file or "
		"a cn=schema entry (warden.schema, warden.ldif or a copy); "
		"warden.la registers it itself when it loads: remove that "
		"definition (the include line, or the schema entry) - with both, "
		"a slapd.d would define it twice and slapd would not start",
		kind, name, oid );
}

/* Whether an existing attribute type is one warden can use for its own
 * definition; if not, says what differs in why. */
static int
schemareg_at_compatible( AttributeType *at, LDAPAttributeType *want,
	char *why, size_t len )
{
	if ( strcmp( at->sat_oid, want->at_oid ) ) {
		snprintf( why, len, "its OID is %s, warden's is %s",
			at->sat_oid, want->at_oid );
		return 0;
	}
	if ( want->at_syntax_oid ) {
		if ( !at->sat_syntax || strcmp( at->sat_syntax->ssyn_oid,
				want->at_syntax_oid ) ) {
			snprintf( why, len, "its syntax is %s, warden's is %s",
				at->sat_syntax ? at->sat_syntax->ssyn_oid : "none",
				want->at_syntax_oid );
			return 0;
		}
	} else if ( want->at_sup_oid ) {
		AttributeType *sup = at_find( want->at_sup_oid );

		if ( !sup || at->sat_sup != sup ) {
			snprintf( why, len, "its superior is %s, warden's is %s",
				at->sat_sup ? at->sat_sup->sat_cname.bv_val : "none",
				want->at_sup_oid );
			return 0;
		}
	}
	if ( want->at_equality_oid ) {
		MatchingRule *mr = mr_find( want->at_equality_oid );

		if ( !mr || !at->sat_equality ||
			strcmp( at->sat_equality->smr_oid, mr->smr_oid ) ) {
			snprintf( why, len, "its equality rule is %s, warden's is %s",
				at->sat_equality ?
					at->sat_equality->smr_bvoid.bv_val : "none",
				want->at_equality_oid );
			return 0;
		}
	}
	if ( !at->sat_single_value != !want->at_single_value ) {
		snprintf( why, len, "it is %s, warden's is %s",
			at->sat_single_value ? "single-valued" : "multi-valued",
			want->at_single_value ? "single-valued" : "multi-valued" );
		return 0;
	}
	if ( at->sat_usage != want->at_usage ) {
		snprintf( why, len, "its USAGE is %d, warden's is %d",
			at->sat_usage, want->at_usage );
		return 0;
	}
	if ( !at->sat_no_user_mod != !want->at_no_user_mod ) {
		snprintf( why, len, "it is %s, warden's is %s",
			at->sat_no_user_mod ? "NO-USER-MODIFICATION" : "user-modifiable",
			want->at_no_user_mod ? "NO-USER-MODIFICATION" : "user-modifiable" );
		return 0;
	}
	return 1;
}

int
warden_schema_define_at( const char *def, AttributeDescription **adp,
	int *registered, char *msg, size_t len )
{
	LDAPAttributeType *want;
	AttributeType *at;
	AttributeDescription *ad = NULL;
	const char *err;
	char why[256];
	int code, rc = -1;

	want = ldap_str2attributetype( def, &code, &err, LDAP_SCHEMA_ALLOW_ALL );
	if ( !want || !want->at_names || !want->at_names[0] ) {
		snprintf( msg, len, "cannot parse warden's own definition "
			"\"%.80s\": %s", def, want ? "no NAME" :
			ldap_scherr2str( code ) );
		goto done;
	}
	at = at_find( want->at_names[0] );
	if ( !at ) at = at_find( want->at_oid );
	if ( at && !( at->sat_flags & SLAP_AT_HARDCODE ) ) {
		schemareg_from_file( msg, len, "attribute", want->at_names[0],
			want->at_oid );
		goto done;
	}
	if ( at ) {
		if ( !schemareg_at_compatible( at, want, why, sizeof( why ) ) ) {
			snprintf( msg, len, "attribute %s (%s) is already "
				"defined differently: %s; remove that definition (a "
				"schema file or module loaded before warden.la) or "
				"make it identical to warden's", want->at_names[0],
				want->at_oid, why );
			goto done;
		}
		if ( strcasecmp( at->sat_cname.bv_val, want->at_names[0] ) ) {
			snprintf( msg, len, "OID %s is already attribute %s, not "
				"%s; remove that definition (a schema file or module "
				"loaded before warden.la)", want->at_oid,
				at->sat_cname.bv_val, want->at_names[0] );
			goto done;
		}
		code = slap_str2ad( want->at_names[0], &ad, &err );
	} else if ( schemareg_dryrun ) {
		code = 0;
	} else {
		code = register_at( def, &ad, 0 );
		if ( code == 0 ) ( *registered )++;
	}
	if ( code ) {
		snprintf( msg, len, "cannot register attribute %s (code %d)",
			want->at_names[0], code );
		goto done;
	}
	if ( adp ) *adp = ad;
	rc = 0;

done:
	if ( want ) ldap_attributetype_free( want );
	return rc;
}

int
warden_schema_define_oc( const char *def, ObjectClass **ocp, int *registered,
	char *msg, size_t len )
{
	LDAPObjectClass *want;
	ObjectClass *oc;
	const char *err;
	int code, rc = -1;

	want = ldap_str2objectclass( def, &code, &err, LDAP_SCHEMA_ALLOW_ALL );
	if ( !want || !want->oc_names || !want->oc_names[0] ) {
		snprintf( msg, len, "cannot parse warden's own definition "
			"\"%.80s\": %s", def, want ? "no NAME" :
			ldap_scherr2str( code ) );
		goto done;
	}
	oc = oc_find( want->oc_names[0] );
	if ( !oc ) oc = oc_find( want->oc_oid );
	if ( oc && !( oc->soc_flags & SLAP_OC_HARDCODE ) ) {
		schemareg_from_file( msg, len, "object class", want->oc_names[0],
			want->oc_oid );
		goto done;
	}
	if ( oc ) {
		if ( strcmp( oc->soc_oid, want->oc_oid ) ||
			oc->soc_kind != want->oc_kind ||
			strcasecmp( oc->soc_cname.bv_val, want->oc_names[0] ) ) {
			snprintf( msg, len, "object class %s (%s) is already "
				"defined differently (%s, OID %s, kind %d; warden's: "
				"kind %d); remove that definition (a schema file or "
				"module loaded before warden.la) or make it identical "
				"to warden's", want->oc_names[0], want->oc_oid,
				oc->soc_cname.bv_val, oc->soc_oid, oc->soc_kind,
				want->oc_kind );
			goto done;
		}
	} else if ( !schemareg_dryrun ) {
		code = register_oc( def, &oc, 0 );
		if ( code ) {
			snprintf( msg, len, "cannot register object class %s "
				"(code %d)", want->oc_names[0], code );
			goto done;
		}
		( *registered )++;
	}
	if ( ocp ) *ocp = oc;
	rc = 0;

done:
	if ( want ) ldap_objectclass_free( want );
	return rc;
}

static int
schemareg_all( int *pwd, int *oath, int *own, char *msg, size_t len )
{
	int i;

	if ( warden_pwd_schema_register( pwd, msg, len ) ) return -1;
	if ( warden_oath_schema_register( oath, msg, len ) ) return -1;
	for ( i = 0; warden_own_ats[i].name; i++ ) {
		if ( warden_schema_define_at( warden_own_ats[i].def, NULL, own,
				msg, len ) )
			return -1;
	}
	for ( i = 0; warden_own_ocs[i].name; i++ ) {
		if ( warden_schema_define_oc( warden_own_ocs[i].def, NULL, own,
				msg, len ) )
			return -1;
	}
	return 0;
}

int
warden_schema_register( char *msg, size_t len )
{
	int pwd = 0, oath = 0, own = 0;

	schemareg_dryrun = 1;
	if ( schemareg_all( &pwd, &oath, &own, msg, len ) ) {
		schemareg_dryrun = 0;
		return -1;
	}
	schemareg_dryrun = 0;
	if ( schemareg_all( &pwd, &oath, &own, msg, len ) ) return -1;
	if ( pwd || oath ) {
		/* ppolicy.la and otp.la cannot load after this: say so
		 * where slapd will report their failure. */
		Debug( LDAP_DEBUG_ANY, "warden: registered %s%s%s; load "
			"%s%s%s, if this slapd uses %s, before warden.la\n",
			pwd ? "the password policy schema of ppolicy.la" : "",
			pwd && oath ? " and " : "",
			oath ? "the OATH-LDAP schema of otp.la" : "",
			pwd ? "ppolicy.la" : "", pwd && oath ? " and " : "",
			oath ? "otp.la" : "", pwd && oath ? "them" : "it" );
	}
	Debug( LDAP_DEBUG_CONFIG, "warden: schema registered at load (%d "
		"password policy, %d OATH-LDAP, %d warden definitions new)\n",
		pwd, oath, own );
	return 0;
}
