/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* writes.c - what no write may carry, whoever makes it
 *
 * Before the roles, the quality rules and the hashing look at an add, a
 * modify or a rename from a client, three rules hold:
 *	- No attribute warden rules (passwords, secrets, the OATH-LDAP token
 *	  attributes, the pwd* and warden* policy and state) names an entry.
 *	  The values of a new RDN become attribute values without passing
 *	  any overlay's modify hook, and the value would stand in clear in
 *	  the DN, in every log and record that names the entry.
 *	- Passwords and secrets carry no attribute options: slapd checks
 *	  "userPassword;lang-en" at bind like userPassword, but warden's rules
 *	  and hashing see only the plain attribute.
 *	- An entry has one password (the rootdn aside): two values are two
 *	  passwords valid at once, as draft-behera and ppolicy.la say.
 *	- wardenDisabledBy and wardenDisabledTime are warden's record of who
 *	  disabled an account and when (the rootdn aside).
 * Replication and warden's own writes carry their provider's decisions
 * and are exempt.  For the audit trail, values of ruled attributes in a
 * DN are replaced by a marker (warden_dn_redact()).
 */

#include "warden.h"
#include "core.h"
#include "lockout.h"

#define WRITES_REDACTED		"(redacted)"

/* Besides userPassword: the password policy (pwd*), warden's own (warden*)
 * and the OATH-LDAP token attributes (oath*), by the start of their names */
static const char *const writes_prefixes[] = { "pwd", "warden", "oath", NULL };

int
warden_ruled_attr( AttributeDescription *ad )
{
	AttributeType *at;
	int i;

	if ( !ad ) return 0;
	at = ad->ad_type;
	if ( is_at_subtype( at, slap_schema.si_ad_userPassword->ad_type ) )
		return 1;
	/* a key in an RDN would pass no check (ssh.c) */
	if ( !strcasecmp( at->sat_cname.bv_val, "sshPublicKey" ) ) return 1;
	for ( i = 0; writes_prefixes[i]; i++ ) {
		size_t n = strlen( writes_prefixes[i] );

		if ( at->sat_cname.bv_len >= n &&
			!strncasecmp( at->sat_cname.bv_val, writes_prefixes[i], n ) )
			return 1;
	}
	return 0;
}

/* wardenDisabledBy and wardenDisabledTime: stamped by warden only. */
static int
writes_stamp_type( AttributeDescription *ad )
{
	AttributeType *at = ad->ad_type;

	return ( warden_ad.ad_disabledBy && at == warden_ad.ad_disabledBy->ad_type ) ||
		( warden_ad.ad_disabledTime &&
		  at == warden_ad.ad_disabledTime->ad_type );
}

/* Attributes whose values are passwords or secrets: no options. */
static int
writes_secret_type( AttributeDescription *ad )
{
	AttributeType *at = ad->ad_type;

	return at == slap_schema.si_ad_userPassword->ad_type ||
		( warden_oath.ad_secret && at == warden_oath.ad_secret->ad_type ) ||
		( warden_ad.ad_recoveryCode &&
		  at == warden_ad.ad_recoveryCode->ad_type );
}

/* The first ruled attribute among an RDN's, or NULL (the frontend has
 * parsed the RDN already). */
static AttributeDescription *
writes_rdn_ruled( Operation *op, struct berval *rdn_bv )
{
	AttributeDescription *found = NULL;
	LDAPRDN rdn = NULL;
	char *next = NULL;
	int i;

	if ( BER_BVISEMPTY( rdn_bv ) ||
		ldap_bv2rdn_x( rdn_bv, &rdn, &next, LDAP_DN_FORMAT_LDAP,
			op->o_tmpmemctx ) != LDAP_SUCCESS )
		return NULL;
	for ( i = 0; rdn[i] && !found; i++ ) {
		AttributeDescription *ad = NULL;
		const char *text;

		if ( slap_bv2ad( &rdn[i]->la_attr, &ad, &text ) == LDAP_SUCCESS &&
			warden_ruled_attr( ad ) )
			found = ad;
	}
	ldap_rdnfree_x( rdn, op->o_tmpmemctx );
	return found;
}


/* How many userPassword values the entry will have after a modify. */
static long
writes_password_count( Operation *op, slap_overinst *on )
{
	BackendInfo *bi = op->o_bd->bd_info;
	AttributeDescription *pw = slap_schema.si_ad_userPassword;
	Modifications *m;
	Entry *e = NULL;
	long n = 0;
	int adds = 0;

	for ( m = op->orm_modlist; m; m = m->sml_next ) {
		if ( m->sml_desc == pw && ( m->sml_flags & SLAP_MOD_INTERNAL ) == 0 &&
			( m->sml_op == LDAP_MOD_ADD || m->sml_op == SLAP_MOD_SOFTADD ||
			  m->sml_op == SLAP_MOD_ADD_IF_NOT_PRESENT ) )
			adds = 1;
	}
	if ( adds ) {
		Attribute *a;

		op->o_bd->bd_info = (BackendInfo *)on->on_info;
		if ( be_entry_get_rw( op, &op->o_req_ndn, NULL, NULL, 0, &e ) ==
				LDAP_SUCCESS && e ) {
			a = attr_find( e->e_attrs, pw );
			if ( a ) n = a->a_numvals;
			be_entry_release_r( op, e );
		}
		op->o_bd->bd_info = bi;
	}
	for ( m = op->orm_modlist; m; m = m->sml_next ) {
		if ( m->sml_desc != pw || ( m->sml_flags & SLAP_MOD_INTERNAL ) )
			continue;
		switch ( m->sml_op ) {
		case LDAP_MOD_ADD:
		case SLAP_MOD_SOFTADD:
		case SLAP_MOD_ADD_IF_NOT_PRESENT:
			n += m->sml_numvals;
			break;
		case LDAP_MOD_REPLACE:
			n = m->sml_numvals;
			break;
		case LDAP_MOD_DELETE:
		case SLAP_MOD_SOFTDEL:
			/* a value that is not there fails the modify anyway */
			n = m->sml_numvals ? n - (long)m->sml_numvals : 0;
			if ( n < 0 ) n = 0;
			break;
		}
	}
	return n;
}

int
warden_writes_check( Operation *op, SlapReply *rs, slap_overinst *on )
{
	char msg[SLAP_TEXT_BUFLEN];
	AttributeDescription *ad = NULL;
	Modifications *m;
	Attribute *a;

	if ( warden_is_internal( op ) || warden_is_replicated( op ) )
		return SLAP_CB_CONTINUE;

	/* the RDN: of the new name, or of the entry added */
	if ( op->o_tag == LDAP_REQ_MODRDN ) {
		ad = writes_rdn_ruled( op, &op->orr_newrdn );
	} else if ( op->o_tag == LDAP_REQ_ADD ) {
		struct berval rdn;

		dnRdn( &op->o_req_dn, &rdn );
		ad = writes_rdn_ruled( op, &rdn );
	}
	if ( ad ) {
		snprintf( msg, sizeof( msg ), "%s may not be in an RDN: warden "
			"rules its values, and a DN is shown to everyone; name "
			"the entry by another attribute",
			ad->ad_type->sat_cname.bv_val );
		Debug( LDAP_DEBUG_STATS, "warden: %s refused: %s in the RDN\n",
			op->o_tag == LDAP_REQ_ADD ? "add" : "rename",
			ad->ad_type->sat_cname.bv_val );
		return warden_refuse( op, rs, on, LDAP_CONSTRAINT_VIOLATION, msg );
	}

	/* options on a password or secret */
	ad = NULL;
	if ( op->o_tag == LDAP_REQ_ADD ) {
		for ( a = op->ora_e->e_attrs; a && !ad; a = a->a_next ) {
			if ( a->a_desc->ad_tags.bv_len && writes_secret_type( a->a_desc ) )
				ad = a->a_desc;
		}
	} else if ( op->o_tag == LDAP_REQ_MODIFY ) {
		for ( m = op->orm_modlist; m && !ad; m = m->sml_next ) {
			/* deleting such values cleans up */
			if ( m->sml_op == LDAP_MOD_DELETE || m->sml_op == SLAP_MOD_SOFTDEL )
				continue;
			if ( m->sml_desc->ad_tags.bv_len && m->sml_numvals &&
				writes_secret_type( m->sml_desc ) )
				ad = m->sml_desc;
		}
	}
	if ( ad ) {
		snprintf( msg, sizeof( msg ), "%s may not carry attribute options "
			"(%s): write the attribute without them",
			ad->ad_type->sat_cname.bv_val, ad->ad_cname.bv_val );
		return warden_refuse( op, rs, on, LDAP_CONSTRAINT_VIOLATION, msg );
	}

	/* who disabled an account, and when, are warden's to say */
	if ( be_isroot( op ) ) return SLAP_CB_CONTINUE;
	ad = NULL;
	if ( op->o_tag == LDAP_REQ_ADD ) {
		for ( a = op->ora_e->e_attrs; a && !ad; a = a->a_next ) {
			if ( writes_stamp_type( a->a_desc ) ) ad = a->a_desc;
		}
	} else if ( op->o_tag == LDAP_REQ_MODIFY ) {
		for ( m = op->orm_modlist; m && !ad; m = m->sml_next ) {
			if ( writes_stamp_type( m->sml_desc ) ) ad = m->sml_desc;
		}
	}
	if ( ad ) {
		snprintf( msg, sizeof( msg ), "%s is set by warden when an "
			"account is disabled (pwdAccountLockedTime: "
			WARDEN_DISABLED_TIME "), never by a client",
			ad->ad_type->sat_cname.bv_val );
		return warden_refuse( op, rs, on, LDAP_CONSTRAINT_VIOLATION, msg );
	}

	/* one password at a time */
	if ( op->o_tag == LDAP_REQ_ADD ) {
		a = attr_find( op->ora_e->e_attrs, slap_schema.si_ad_userPassword );
		if ( !a || a->a_numvals < 2 ) return SLAP_CB_CONTINUE;
	} else if ( op->o_tag != LDAP_REQ_MODIFY ||
			writes_password_count( op, on ) < 2 ) {
		return SLAP_CB_CONTINUE;
	}
	return warden_refuse( op, rs, on, LDAP_CONSTRAINT_VIOLATION,
		"only one userPassword value is allowed; replace the password "
		"instead of adding a second one" );
}

int
warden_dn_redact( struct berval *dn, struct berval *out, void *ctx )
{
	static const struct berval marker = BER_BVC( WRITES_REDACTED );
	LDAPDN ldn = NULL;
	int i, j, found = 0;

	BER_BVZERO( out );
	if ( !dn || BER_BVISEMPTY( dn ) ) return 0;
	if ( ldap_bv2dn_x( dn, &ldn, LDAP_DN_FORMAT_LDAP, ctx ) != LDAP_SUCCESS ||
			!ldn )
		return 0;
	for ( i = 0; ldn[i]; i++ ) {
		for ( j = 0; ldn[i][j]; j++ ) {
			LDAPAVA *ava = ldn[i][j];
			AttributeDescription *ad = NULL;
			const char *text;

			if ( slap_bv2ad( &ava->la_attr, &ad, &text ) != LDAP_SUCCESS ||
				!warden_ruled_attr( ad ) )
				continue;
			if ( ava->la_flags & LDAP_AVA_FREE_VALUE )
				ber_memfree_x( ava->la_value.bv_val, ctx );
			ava->la_value = marker;
			ava->la_flags = LDAP_AVA_STRING;
			found = 1;
		}
	}
	if ( found && ldap_dn2bv_x( ldn, out, LDAP_DN_FORMAT_LDAPV3, ctx ) !=
			LDAP_SUCCESS ) {
		/* nothing of it, rather than the secret */
		BER_BVZERO( out );
		ber_str2bv_x( WRITES_REDACTED, 0, 1, out, ctx );
	}
	ldap_dnfree_x( ldn, ctx );
	return found;
}
