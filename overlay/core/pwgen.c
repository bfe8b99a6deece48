/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* pwgen.c - warden's front of the Password Modify operation
 *
 * Two requests need the entry before slapd's handler sees them.  A user
 * with a one-time code token changing the password through PAM sends, as
 * the old password, what was typed at the prompt: the password followed
 * by the code (the bind before has checked the code).  warden drops the
 * code when the rest is the password, so that slapd's check of the old
 * password passes.
 *
 * RFC 3062 lets a client ask the server to choose the new password.
 * slapd's own handler generates 8 characters before any overlay sees the
 * request, which no sensible policy accepts.  warden takes over the
 * handler: when the request names no new password and its target is in a
 * database with warden, it generates one that the user's policy accepts,
 * hands slapd's handler the request with that password (so every check
 * applies as usual) and returns it in the response.
 */

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "warden.h"
#include "core.h"
#include "audit.h"

#define PWGEN_MAX	256

static int pwgen_users;

static int
pwgen_random( unsigned char *buf, size_t len )
{
	return RAND_bytes( buf, (int)len ) == 1 ? 0 : -1;
}

/* A generated password under the entry's policy.
 * @return 0, or -1 when there is no such entry (slapd's handler then
 *	reports it) */
static int
pwgen_target( Operation *op, BackendDB *be, slap_overinst *on,
	struct berval *ndn, char *pw, size_t len, size_t *genlen )
{
	BackendDB db = *be, *bd = op->o_bd;
	struct berval sub = BER_BVNULL;
	warden_policy p;
	Entry *e = NULL;
	Attribute *a;
	int rc = -1;

	*genlen = 0;
	/* as the overlay stack does: a private copy of the database */
	op->o_bd = &db;
	db.bd_info = (BackendInfo *)on->on_info;
	if ( be_entry_get_rw( op, ndn, NULL, NULL, 0, &e ) == LDAP_SUCCESS &&
			e ) {
		rc = 0;
		a = attr_find( e->e_attrs, warden_pwd.ad_pwdPolicySubentry );
		if ( a ) ber_dupbv_x( &sub, &a->a_nvals[0], op->o_tmpmemctx );
		be_entry_release_r( op, e );
	}
	db.bd_info = (BackendInfo *)on;
	if ( rc == 0 ) {
		if ( warden_policy_applying( op, on,
				BER_BVISNULL( &sub ) ? NULL : &sub, &p ) !=
				WARDEN_POLICY_FOUND )
			memset( &p, 0, sizeof( p ) );
		*genlen = warden_quality_generate( &p.wp_quality, pwgen_random,
			pw, len );
		if ( !*genlen ) Debug( LDAP_DEBUG_ANY, "warden: cannot generate a "
			"password that the policy of \"%s\" accepts\n",
			ndn->bv_val );
	}
	if ( sub.bv_val ) op->o_tmpfree( sub.bv_val, op->o_tmpmemctx );
	op->o_bd = bd;
	return rc;
}

static int
pwgen_extop( Operation *op, SlapReply *rs )
{
	struct berval id = BER_BVNULL, old = BER_BVNULL, newpw = BER_BVNULL;
	struct berval ndn = BER_BVNULL, req = BER_BVNULL, gen, *orig;
	BerElementBuffer berbuf;
	BerElement *ber = (BerElement *)&berbuf;
	const char *text = NULL;
	slap_overinst *on;
	BackendDB *be;
	char pw[PWGEN_MAX + 1];
	size_t genlen = 0, oldlen = 0;
	warden_audit_lend lend;
	int rc, want_gen, announced = 0;

	/* no target to name: slapd refuses these as it always has */
	if ( slap_passwd_parse( op->ore_reqdata, &id, &old, &newpw, &text ) !=
			LDAP_SUCCESS ||
		( BER_BVISEMPTY( &op->o_ndn ) && BER_BVISEMPTY( &id ) ) )
		return passwd_extop( op, rs );
	if ( BER_BVISEMPTY( &id ) ) {
		ber_dupbv_x( &ndn, &op->o_ndn, op->o_tmpmemctx );
	} else {
		/* the request's bytes: not NUL-terminated */
		struct berval idz;

		ber_dupbv_x( &idz, &id, op->o_tmpmemctx );
		rc = dnNormalize( 0, NULL, NULL, &idz, &ndn, op->o_tmpmemctx );
		op->o_tmpfree( idz.bv_val, op->o_tmpmemctx );
		if ( rc != LDAP_SUCCESS ) return passwd_extop( op, rs );
	}
	be = select_backend( &ndn, 0 );
	on = warden_instance( be );
	want_gen = BER_BVISEMPTY( &newpw );
	if ( !on ) {
		op->o_tmpfree( ndn.bv_val, op->o_tmpmemctx );
		return passwd_extop( op, rs );
	}
	warden_audit_announce_op( on, &announced );
	/* the modify's intent record: the result below is its result */
	warden_audit_mark_lend( op, &lend );
	ber_init2( ber, NULL, LBER_USE_DER );
	/* anonymous: slapd refuses it, and the trail has the attempt */
	if ( BER_BVISEMPTY( &op->o_ndn ) ) {
		rc = passwd_extop( op, rs );
		goto done;
	}
	/* The old password tells whether a password is right, as a bind
	 * does: it passes the same check, counted, with the one-time code
	 * that a user with a token types after it checked before it is
	 * dropped for slapd's own check. */
	oldlen = old.bv_len;
	if ( !BER_BVISNULL( &old ) ) {
		warden_subject ws;

		rc = warden_credential_check_as( op, be, on, &ndn, &old,
			"password-modify", WARDEN_CRED_CHANGE |
			( dn_match( &ndn, &op->o_ndn ) ? WARDEN_CRED_OWN_SESSION : 0 ),
			&ws );
		if ( rc == LDAP_SUCCESS && ws.ws_password_len )
			oldlen = ws.ws_password_len;
		else if ( rc != LDAP_SUCCESS && ws.ws_found ) {
			rs->sr_err = rc = LDAP_UNWILLING_TO_PERFORM;
			rs->sr_text = ws.ws_text ? ws.ws_text :
				"the old password is not right";
			goto done;
		}
	}
	if ( want_gen ) {
		rc = pwgen_target( op, be, on, &ndn, pw, sizeof( pw ), &genlen );
		if ( rc ) genlen = 0;
	}
	/* nothing to do: slapd's handler as it is */
	if ( !genlen && oldlen == old.bv_len ) {
		rc = passwd_extop( op, rs );
		goto done;
	}
	gen.bv_val = pw;
	gen.bv_len = genlen;
	old.bv_len = oldlen;

	rc = ber_printf( ber, "{" );
	if ( rc >= 0 && !BER_BVISEMPTY( &id ) )
		rc = ber_printf( ber, "tO", LDAP_TAG_EXOP_MODIFY_PASSWD_ID, &id );
	if ( rc >= 0 && !BER_BVISNULL( &old ) )
		rc = ber_printf( ber, "tO", LDAP_TAG_EXOP_MODIFY_PASSWD_OLD, &old );
	if ( rc >= 0 )
		rc = ber_printf( ber, "tON}", LDAP_TAG_EXOP_MODIFY_PASSWD_NEW,
			genlen ? &gen : &newpw );
	if ( rc < 0 || ber_flatten2( ber, &req, 0 ) < 0 ) {
		rs->sr_text = "cannot encode the request";
		rc = LDAP_OTHER;
		goto done;
	}

	orig = op->ore_reqdata;
	op->ore_reqdata = &req;
	rc = passwd_extop( op, rs );
	op->ore_reqdata = orig;
	if ( rc == LDAP_SUCCESS && genlen && !rs->sr_rspdata )
		rs->sr_rspdata = slap_passwd_return( &gen );

done:
	if ( req.bv_val ) OPENSSL_cleanse( req.bv_val, req.bv_len );
	ber_free_buf( ber );
	OPENSSL_cleanse( pw, sizeof( pw ) );
	{
		/* the record of the whole operation; slapd's handler has
		 * cleared the target from the op by now */
		struct berval dn = op->o_req_dn, ndn0 = op->o_req_ndn;

		op->o_req_dn = ndn;
		op->o_req_ndn = ndn;
		warden_audit_mark_return( op, &lend );
		warden_audit_extended( op, on, "password-modify", rc,
			rs->sr_text, &announced, &lend.al_mark );
		op->o_req_dn = dn;
		op->o_req_ndn = ndn0;
	}
	op->o_tmpfree( ndn.bv_val, op->o_tmpmemctx );
	return rc;
}

int
warden_pwgen_init( void )
{
	struct berval oid = BER_BVC( LDAP_EXOP_MODIFY_PASSWD );

	if ( pwgen_users++ ) return 0;
	if ( load_extop2( &oid, SLAP_EXOP_WRITES, pwgen_extop, 1 ) ) {
		Debug( LDAP_DEBUG_ANY, "warden: cannot take over the Password "
			"Modify operation\n" );
		pwgen_users--;
		return -1;
	}
	return 0;
}

void
warden_pwgen_release( void )
{
	struct berval oid = BER_BVC( LDAP_EXOP_MODIFY_PASSWD );

	if ( --pwgen_users > 0 ) return;
	load_extop2( &oid, SLAP_EXOP_WRITES, passwd_extop, 1 );
}
