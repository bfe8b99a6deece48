/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* sasl.c - SASL binds to identities of a warden database
 *
 * slapd runs SASL binds in its frontend: a database's bind never sees
 * them.  Left alone, SASL PLAIN would check a password that warden never
 * counts, of a locked user, a user who must give a one-time code, or a
 * user the systems' access rules refuse.  So warden takes over the
 * frontend's bind (once, for all its instances) and:
 *
 * - PLAIN: maps the authentication identity to a DN as slapd's SASL
 *   would (the connection's default realm, authz-regexp), and when the DN
 *   is in a warden database, passes the password, with the code after it
 *   for a user with a token, to the one credential check, exactly as a
 *   simple bind; it answers the bind itself and SASL never sees it;
 * - LOGIN: refused when the user name maps into a warden database, before
 *   the password is sent;
 * - every other password mechanism (DIGEST-MD5, CRAM-MD5, SCRAM-*, NTLM,
 *   OTP, ...) needs the stored secret, which slapd looks up with a search
 *   of the database during the bind: warden_sasl_search() hides the
 *   passwords of warden's entries from that search, so these mechanisms
 *   fail for them whatever the password (no oracle), with a log line and
 *   an audit record;
 * - a mechanism that proves the identity without a password (EXTERNAL,
 *   GSSAPI): its success passes the credential check without a password
 *   (lockout, access rules; refused when a one-time code is asked of the
 *   user) and is turned into invalidCredentials when refused.  A password
 *   mechanism that succeeds all the same (its password checked outside
 *   the directory, by saslauthd or sasldb) is refused likewise.
 *
 * Each outcome gets an audit record with the mechanism.
 */

#include <sasl/sasl.h>

#include "warden.h"
#include "core.h"
#include "audit.h"

static BI_op_bind *sasl_orig_bind;
static int sasl_users;

static int
sasl_mech_is( struct berval *mech, const char *name )
{
	struct berval bv;

	ber_str2bv( name, 0, 0, &bv );
	return !BER_BVISNULL( mech ) && !ber_bvstrcasecmp( mech, &bv );
}

/* Mechanisms that prove an identity without a password. */
static int
sasl_mech_proves( struct berval *mech )
{
	return sasl_mech_is( mech, "EXTERNAL" ) || sasl_mech_is( mech, "GSSAPI" ) ||
		sasl_mech_is( mech, "GSS-SPNEGO" ) ||
		( !BER_BVISNULL( mech ) && mech->bv_len > 4 &&
		  !strncasecmp( mech->bv_val, "GS2-", 4 ) );
}

/* The DN that slapd's SASL would give the user name id. */
static int
sasl_map( Operation *op, struct berval *id, int flags, struct berval *dn )
{
	const char *realm = NULL;

	BER_BVZERO( dn );
	if ( op->o_conn->c_sasl_authctx )
		sasl_getprop( op->o_conn->c_sasl_authctx, SASL_DEFUSERREALM,
			(const void **)&realm );
	if ( slap_sasl_getdn( op->o_conn, op, id, (char *)realm, dn, flags ) !=
			LDAP_SUCCESS || BER_BVISEMPTY( dn ) ) {
		if ( dn->bv_val ) op->o_tmpfree( dn->bv_val, op->o_tmpmemctx );
		BER_BVZERO( dn );
		return -1;
	}
	return 0;
}

/* The warden instance whose database holds ndn and protects it (not a
 * rootdn whose password is in the configuration). */
static slap_overinst *
sasl_protector( struct berval *ndn, BackendDB **bep )
{
	BackendDB *be = select_backend( ndn, 0 );
	slap_overinst *on = warden_instance( be );
	warden_info *wi;

	if ( !on || !( wi = on->on_bi.bi_private ) || !wi->wi_open ) return NULL;
	if ( be_isroot_dn( be, ndn ) && !wi->wi_lock_rootdn ) return NULL;
	*bep = be;
	return on;
}

/* The audit record of a SASL bind that warden refused without a check. */
static void
sasl_audit( Operation *op, slap_overinst *on, struct berval *ndn,
	warden_subject *ws, SlapReply *rs )
{
	Operation op2 = *op;

	op2.o_tag = LDAP_REQ_BIND;
	op2.orb_method = LDAP_AUTH_SASL;
	op2.o_req_dn = *ndn;
	op2.o_req_ndn = *ndn;
	warden_audit_bind( &op2, rs, on, ws );
}

/* Records the connection's mechanism for slapd's bind callback, as the
 * frontend's SASL branch does. */
static void
sasl_set_mech( Operation *op )
{
	ldap_pvt_thread_mutex_lock( &op->o_conn->c_mutex );
	if ( !BER_BVISNULL( &op->o_conn->c_sasl_bind_mech ) )
		ch_free( op->o_conn->c_sasl_bind_mech.bv_val );
	ber_dupbv( &op->o_conn->c_sasl_bind_mech, &op->orb_mech );
	op->o_conn->c_sasl_bindop = op;
	ldap_pvt_thread_mutex_unlock( &op->o_conn->c_mutex );
}

/* The credential check of ndn, for a SASL bind op; records the outcome.
 * cred NULL: the mechanism proved the identity. */
static int
sasl_check( Operation *op, BackendDB *be, slap_overinst *on,
	struct berval *ndn, struct berval *cred, warden_subject *ws )
{
	SlapReply rs2 = { REP_RESULT };

	if ( cred || sasl_mech_proves( &op->orb_mech ) )
		return warden_credential_check_as( op, be, on, ndn, cred,
			op->orb_mech.bv_val, WARDEN_CRED_SASL, ws );
	/* a password checked by saslauthd or sasldb, not by warden */
	memset( ws, 0, sizeof( *ws ) );
	Debug( LDAP_DEBUG_ANY, "warden: SASL %s bind of \"%s\" refused: the "
		"mechanism checked a password outside warden (use a simple bind "
		"or SASL PLAIN)\n", op->orb_mech.bv_val, ndn->bv_val );
	ws->ws_mech = op->orb_mech.bv_val;
	ws->ws_reason = "SASL mechanism checks passwords outside warden";
	rs2.sr_err = LDAP_INVALID_CREDENTIALS;
	sasl_audit( op, on, ndn, ws, &rs2 );
	return LDAP_INVALID_CREDENTIALS;
}

/* SASL PLAIN: authzid NUL authcid NUL password. */
static int
sasl_plain( Operation *op, SlapReply *rs )
{
	struct berval authz, authc, pw, dn = BER_BVNULL, zdn = BER_BVNULL;
	char *cred = op->orb_cred.bv_val, *end = cred + op->orb_cred.bv_len;
	char *nul1, *nul2, *id = NULL;
	warden_subject ws;
	slap_overinst *on;
	BackendDB *be;
	int rc = SLAP_CB_CONTINUE;

	/* no initial response: the credentials come in the next step */
	if ( BER_BVISEMPTY( &op->orb_cred ) ) return SLAP_CB_CONTINUE;
	if ( !( nul1 = memchr( cred, '\0', end - cred ) ) ||
		!( nul2 = memchr( nul1 + 1, '\0', end - nul1 - 1 ) ) )
		return SLAP_CB_CONTINUE;	/* malformed: SASL refuses it */
	authz.bv_val = cred;
	authz.bv_len = nul1 - cred;
	authc.bv_len = nul2 - nul1 - 1;
	pw.bv_val = nul2 + 1;
	pw.bv_len = end - nul2 - 1;
	if ( !authc.bv_len || memchr( pw.bv_val, '\0', pw.bv_len ) )
		return SLAP_CB_CONTINUE;
	/* slap_sasl_getdn() wants it NUL-terminated */
	id = op->o_tmpalloc( authc.bv_len + 1, op->o_tmpmemctx );
	memcpy( id, nul1 + 1, authc.bv_len );
	id[authc.bv_len] = '\0';
	authc.bv_val = id;

	if ( backend_check_restrictions( op, rs, &op->orb_mech ) != LDAP_SUCCESS ) {
		send_ldap_result( op, rs );
		rc = rs->sr_err;
		goto done;
	}
	sasl_set_mech( op );
	if ( sasl_map( op, &authc, SLAP_GETDN_AUTHCID, &dn ) ||
		!( on = sasl_protector( &dn, &be ) ) )
		goto done;	/* not warden's: slapd's SASL as ever */

	/* warden-require-tls: before the password is looked at */
	rc = warden_transit_refuse( op, rs, on, &op->orb_mech );
	if ( rc != SLAP_CB_CONTINUE ) goto done;
	rc = sasl_check( op, be, on, &dn, &pw, &ws );
	if ( rc != LDAP_SUCCESS ) {
		send_ldap_error( op, rs, LDAP_INVALID_CREDENTIALS, ws.ws_text );
		rc = rs->sr_err;
		goto done;
	}
	if ( authz.bv_len ) {
		struct berval zid;

		zid.bv_len = authz.bv_len;
		zid.bv_val = op->o_tmpalloc( zid.bv_len + 1, op->o_tmpmemctx );
		memcpy( zid.bv_val, authz.bv_val, zid.bv_len );
		zid.bv_val[zid.bv_len] = '\0';
		rc = sasl_map( op, &zid, SLAP_GETDN_AUTHZID, &zdn ) ? -1 :
			slap_sasl_authorized( op, &dn, &zdn );
		op->o_tmpfree( zid.bv_val, op->o_tmpmemctx );
		if ( rc != LDAP_SUCCESS ) {
			send_ldap_error( op, rs, LDAP_INSUFFICIENT_ACCESS,
				"not authorized to assume that identity" );
			rc = rs->sr_err;
			goto done;
		}
	}
	/* answered as slapd's SASL answers a success: the frontend's bind
	 * callback takes the identity from orb_edn */
	op->orb_edn = BER_BVISNULL( &zdn ) ? dn : zdn;
	if ( !BER_BVISNULL( &zdn ) ) {
		op->o_tmpfree( dn.bv_val, op->o_tmpmemctx );
		BER_BVZERO( &zdn );
	}
	BER_BVZERO( &dn );
	op->orb_ssf = 0;
	rs->sr_err = LDAP_SUCCESS;
	rs->sr_sasldata = NULL;
	send_ldap_sasl( op, rs );
	rc = LDAP_SUCCESS;

done:
	if ( rc == SLAP_CB_CONTINUE ) {
		/* slapd's SASL records the mechanism again */
		ldap_pvt_thread_mutex_lock( &op->o_conn->c_mutex );
		if ( !BER_BVISNULL( &op->o_conn->c_sasl_bind_mech ) &&
			!op->o_conn->c_sasl_bind_in_progress ) {
			ch_free( op->o_conn->c_sasl_bind_mech.bv_val );
			BER_BVZERO( &op->o_conn->c_sasl_bind_mech );
		}
		ldap_pvt_thread_mutex_unlock( &op->o_conn->c_mutex );
	}
	if ( dn.bv_val ) op->o_tmpfree( dn.bv_val, op->o_tmpmemctx );
	if ( zdn.bv_val ) op->o_tmpfree( zdn.bv_val, op->o_tmpmemctx );
	op->o_tmpfree( id, op->o_tmpmemctx );
	return rc;
}

/* SASL LOGIN sends the user name, then the password: refused at the
 * name when it is warden's. */
static int
sasl_login( Operation *op, SlapReply *rs )
{
	struct berval name, dn;
	slap_overinst *on;
	BackendDB *be;
	int rc = SLAP_CB_CONTINUE;

	if ( !op->o_conn->c_sasl_bind_in_progress ||
		BER_BVISEMPTY( &op->orb_cred ) ||
		memchr( op->orb_cred.bv_val, '\0', op->orb_cred.bv_len ) )
		return SLAP_CB_CONTINUE;
	ber_dupbv_x( &name, &op->orb_cred, op->o_tmpmemctx );
	if ( !sasl_map( op, &name, SLAP_GETDN_AUTHCID, &dn ) ) {
		if ( ( on = sasl_protector( &dn, &be ) ) ) {
			SlapReply rs2 = { REP_RESULT };
			warden_subject ws;

			Debug( LDAP_DEBUG_ANY, "warden: SASL LOGIN bind of \"%s\" "
				"refused: use a simple bind or SASL PLAIN\n",
				dn.bv_val );
			memset( &ws, 0, sizeof( ws ) );
			ws.ws_mech = "LOGIN";
			ws.ws_reason = "SASL mechanism not supported for "
				"warden's entries";
			rs2.sr_err = LDAP_INVALID_CREDENTIALS;
			sasl_audit( op, on, &dn, &ws, &rs2 );
			send_ldap_error( op, rs, LDAP_INVALID_CREDENTIALS, NULL );
			rc = rs->sr_err;
		}
		op->o_tmpfree( dn.bv_val, op->o_tmpmemctx );
	}
	op->o_tmpfree( name.bv_val, op->o_tmpmemctx );
	return rc;
}

/* The end of a SASL exchange that slapd ran: a success for one of
 * warden's identities passes the check, or becomes a refusal. */
static int
sasl_response( Operation *op, SlapReply *rs )
{
	warden_subject ws;
	slap_overinst *on;
	BackendDB *be;

	if ( rs->sr_type != REP_SASL || rs->sr_err != LDAP_SUCCESS ||
		BER_BVISEMPTY( &op->orb_edn ) )
		return SLAP_CB_CONTINUE;
	if ( !( on = sasl_protector( &op->orb_edn, &be ) ) )
		return SLAP_CB_CONTINUE;
	if ( sasl_check( op, be, on, &op->orb_edn, NULL, &ws ) != LDAP_SUCCESS ) {
		rs->sr_err = LDAP_INVALID_CREDENTIALS;
		rs->sr_text = ws.ws_text;
		rs->sr_sasldata = NULL;
	}
	return SLAP_CB_CONTINUE;
}

static int
sasl_fe_bind( Operation *op, SlapReply *rs )
{
	slap_callback cb, **scp;
	int rc;

	if ( op->orb_method != LDAP_AUTH_SASL || op->o_protocol < LDAP_VERSION3 ||
		BER_BVISEMPTY( &op->orb_mech ) )
		return sasl_orig_bind( op, rs );
	if ( sasl_mech_is( &op->orb_mech, "PLAIN" ) ) {
		rc = sasl_plain( op, rs );
		if ( rc != SLAP_CB_CONTINUE ) return rc;
	} else if ( sasl_mech_is( &op->orb_mech, "LOGIN" ) ) {
		rc = sasl_login( op, rs );
		if ( rc != SLAP_CB_CONTINUE ) return rc;
	}
	memset( &cb, 0, sizeof( cb ) );
	cb.sc_response = sasl_response;
	cb.sc_next = op->o_callback;
	op->o_callback = &cb;
	rc = sasl_orig_bind( op, rs );
	for ( scp = &op->o_callback; *scp; scp = &(*scp)->sc_next ) {
		if ( *scp == &cb ) {
			*scp = cb.sc_next;
			break;
		}
	}
	return rc;
}

int
warden_sasl_init( void )
{
	if ( sasl_users++ ) return 0;
	sasl_orig_bind = frontendDB->bd_info->bi_op_bind;
	frontendDB->bd_info->bi_op_bind = sasl_fe_bind;
	return 0;
}

void
warden_sasl_release( void )
{
	if ( --sasl_users > 0 ) return;
	if ( frontendDB->bd_info->bi_op_bind == sasl_fe_bind )
		frontendDB->bd_info->bi_op_bind = sasl_orig_bind;
}

/* --- the secret lookup of the other password mechanisms -------------- */

static int
sasl_hide_response( Operation *op, SlapReply *rs )
{
	slap_overinst *on = op->o_callback->sc_private;
	Attribute **ap, *a;

	if ( rs->sr_type != REP_SEARCH || !rs->sr_entry ||
		!attr_find( rs->sr_entry->e_attrs, slap_schema.si_ad_userPassword ) )
		return SLAP_CB_CONTINUE;
	/* the rootdn keeps what slapd gives it */
	if ( be_isroot_dn( op->o_bd, &rs->sr_entry->e_nname ) &&
		!( (warden_info *)on->on_bi.bi_private )->wi_lock_rootdn )
		return SLAP_CB_CONTINUE;
	rs_entry2modifiable( op, rs, on );
	for ( ap = &rs->sr_entry->e_attrs; ( a = *ap ); ) {
		if ( a->a_desc == slap_schema.si_ad_userPassword ) {
			*ap = a->a_next;
			attr_free( a );
		} else {
			ap = &a->a_next;
		}
	}
	{
		SlapReply rs2 = { REP_RESULT };
		warden_subject ws;

		memset( &ws, 0, sizeof( ws ) );
		ws.ws_mech = op->o_conn->c_sasl_bind_mech.bv_val ?
			op->o_conn->c_sasl_bind_mech.bv_val : "SASL";
		ws.ws_reason = "SASL mechanism not supported for warden's entries";
		Debug( LDAP_DEBUG_ANY, "warden: SASL %s bind of \"%s\" refused: "
			"the mechanism needs the stored password; use a simple "
			"bind or SASL PLAIN\n", ws.ws_mech,
			rs->sr_entry->e_name.bv_val );
		rs2.sr_err = LDAP_INVALID_CREDENTIALS;
		sasl_audit( op, on, &rs->sr_entry->e_nname, &ws, &rs2 );
	}
	return SLAP_CB_CONTINUE;
}

static int
sasl_hide_cleanup( Operation *op, SlapReply *rs )
{
	slap_callback *cb = op->o_callback;

	if ( rs->sr_type == REP_RESULT ) {
		op->o_callback = cb->sc_next;
		op->o_tmpfree( cb, op->o_tmpmemctx );
	}
	return SLAP_CB_CONTINUE;
}

int
warden_sasl_search( Operation *op, SlapReply *rs, slap_overinst *on )
{
	Connection *c = op->o_conn;
	slap_callback *cb;

	/* slapd's lookup of a SASL secret shares the bind's header */
	if ( !op->o_is_auth_check || !c || !c->c_sasl_bindop ||
		op->o_hdr != c->c_sasl_bindop->o_hdr )
		return SLAP_CB_CONTINUE;
	cb = op->o_tmpcalloc( 1, sizeof( *cb ), op->o_tmpmemctx );
	cb->sc_response = sasl_hide_response;
	cb->sc_cleanup = sasl_hide_cleanup;
	cb->sc_private = on;
	cb->sc_next = op->o_callback;
	op->o_callback = cb;
	return SLAP_CB_CONTINUE;
}
