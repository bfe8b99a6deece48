/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* credential.c - the one credential check
 *
 * Every path on which a client proves that it is an identity of warden's
 * database comes here and nowhere else: a simple bind (warden.c), a SASL
 * bind (sasl.c: PLAIN's password is checked here, EXTERNAL and GSSAPI
 * arrive proven by their mechanism), and the old password of a Password
 * Modify (pwgen.c), which tells whether a password is right as a bind
 * does.  What one path refuses, every path refuses, and each counts
 * toward the lockout alike.
 *
 * The order is the policy:
 *
 *  1. the lockout engine admits the attempt: the policy entry exists, the
 *     user exists and has a password, the client's address is not
 *     throttled, the account is not locked, and failures counted plus
 *     attempts under way stay under pwdMaxFailure (the attempt is claimed
 *     before anything is verified);
 *  2. the access rules allow the identity on the system the client is;
 *  3. the credential: the password, and the one-time code of a user who
 *     must give one (totp.c); a proven identity has no password, and is
 *     refused when a code is asked of it, since its mechanism cannot
 *     carry one;
 *  4. the outcome is counted (a verified wrong credential only).
 *
 * A refusal in 1 or 2 compares the credential with the user's stored
 * password all the same and throws the result away: every refusal costs
 * one password check, so the time of an answer tells neither that an
 * account is locked nor whether the password was right where the user
 * may not log in.
 */

#include "warden.h"
#include "core.h"
#include "lockout.h"
#include "password.h"
#include "mfa.h"
#include "access.h"
#include "audit.h"

int
warden_password_check( Operation *op, Entry *e, struct berval *pw )
{
	Attribute *a = e ? attr_find( e->e_attrs,
		slap_schema.si_ad_userPassword ) : NULL;
	const char *text = NULL;

	if ( !a ) return -1;
	return slap_passwd_check( op, e, a, pw, &text ) == 0;
}

/* The work of a password check, its result thrown away. */
static void
credential_sham( Operation *op, slap_overinst *on, warden_subject *ws )
{
	BackendInfo *bi = op->o_bd->bd_info;
	Entry *e = NULL;
	int rc = -1;

	if ( ws->ws_proven ) return;
	if ( ws->ws_found && ws->ws_has_password ) {
		op->o_bd->bd_info = (BackendInfo *)on->on_info;
		if ( be_entry_get_rw( op, &op->o_req_ndn, NULL, NULL, 0, &e ) ==
				LDAP_SUCCESS && e )
			rc = warden_password_check( op, e, &op->orb_cred );
		if ( e ) be_entry_release_r( op, e );
		op->o_bd->bd_info = bi;
	}
	if ( rc < 0 ) warden_lockout_decoy( on, &op->orb_cred );
}

/* The password of a user without a one-time code. */
static int
credential_password( Operation *op, slap_overinst *on, warden_subject *ws )
{
	BackendInfo *bi = op->o_bd->bd_info;
	Entry *e = NULL;
	int ok = 0;

	ws->ws_verified = 1;
	/* a rootdn with an entry: the configured password counts too */
	if ( be_isroot_dn( op->o_bd, &op->o_req_ndn ) &&
		!BER_BVISEMPTY( &op->o_bd->be_rootpw ) && be_isroot_pw( op ) )
		return LDAP_SUCCESS;
	op->o_bd->bd_info = (BackendInfo *)on->on_info;
	if ( be_entry_get_rw( op, &op->o_req_ndn, NULL, NULL, 0, &e ) ==
			LDAP_SUCCESS && e )
		ok = warden_password_check( op, e, &op->orb_cred ) > 0;
	if ( e ) be_entry_release_r( op, e );
	op->o_bd->bd_info = bi;
	if ( ok ) return LDAP_SUCCESS;
	ws->ws_reason = "invalid credentials";
	return LDAP_INVALID_CREDENTIALS;
}

int
warden_credential_check( Operation *op, slap_overinst *on,
	warden_subject *ws )
{
	warden_info *wi = on->on_bi.bi_private;
	char why[SLAP_TEXT_BUFLEN];
	int rc;

	rc = warden_lockout_admit( op, on, ws );
	if ( rc != LDAP_SUCCESS ) {
		credential_sham( op, on, ws );
		goto done;
	}

	if ( !warden_access_check( op, on, why, sizeof( why ) ) ) {
		credential_sham( op, on, ws );
		Debug( LDAP_DEBUG_STATS, "warden: bind of \"%s\" from %s "
			"refused: not a member of a group allowed there (%s)\n",
			op->o_req_dn.bv_val, op->o_conn->c_peer_name.bv_val ?
			op->o_conn->c_peer_name.bv_val : "?", why );
		ws->ws_reason = "not allowed on this system";
		rc = LDAP_INVALID_CREDENTIALS;
		goto done;
	}

	if ( ws->ws_proven ) {
		if ( warden_mfa_applies( op, on, ws ) ) {
			Debug( LDAP_DEBUG_STATS, "warden: %s bind of \"%s\" "
				"refused: a one-time code is required, and the "
				"mechanism cannot carry one\n", ws->ws_mech,
				op->o_req_dn.bv_val );
			ws->ws_reason = "one-time code required; the mechanism "
				"cannot carry one";
			rc = LDAP_INVALID_CREDENTIALS;
		}
		goto done;
	}
	/* a user with a token meets the wrong-code limit before anything
	 * is checked (lockout.h) */
	if ( ws->ws_has_token &&
		( rc = warden_code_guard_bind( op, on, ws ) ) != SLAP_CB_CONTINUE ) {
		credential_sham( op, on, ws );
		goto done;
	}
	rc = warden_totp_bind( op, on, ws );
	if ( ws->ws_code_checked )
		warden_code_guard_checked( op, on, ws, ws->ws_code_rc,
			ws->ws_code_pw_ok, ws->ws_otp_period );
	/* a code reused for a password change: this connection may do
	 * nothing else (pwreset.c) */
	if ( rc == LDAP_SUCCESS && ws->ws_code_reused )
		warden_reset_restrict_conn( on->on_bi.bi_private, op->o_conn,
			&op->o_req_ndn, WARDEN_RESTRICT_REUSE );
	if ( rc == SLAP_CB_CONTINUE )
		rc = credential_password( op, on, ws );
	else if ( rc != LDAP_SUCCESS && !ws->ws_verified )
		credential_sham( op, on, ws );	/* refused before any check */

done:
	warden_lockout_settle( op, on, ws, rc );
	/* a right password that has expired is no guess, and was counted
	 * as a success; it is refused now, past its grace logins */
	if ( rc == LDAP_SUCCESS && ws->ws_verified && !ws->ws_proven &&
		!ws->ws_changing )
		rc = warden_password_expiry( op, on, ws );
	/* recorded at most daily: put off rather than hold the bind while the
	 * trail cannot take its record */
	if ( rc == LDAP_SUCCESS && warden_lockout_last_success_due( on, ws ) &&
		!warden_audit_failing_now( on ) )
		warden_lockout_last_success( op, on, ws );
	/* what the lockout engine learnt of the store, for the next bind of
	 * this DN: also after a Password Modify's old password or a SASL
	 * bind, whose failures a later success must clear */
	if ( ws->ws_store_clean && !ws->ws_cached_clean )
		warden_subjcache_mark_clean( wi->wi_subjects, op->o_req_ndn.bv_val,
			op->o_req_ndn.bv_len, ws->ws_cache_gen );
	if ( ws->ws_store_dirty )
		warden_subjcache_mark_dirty( wi->wi_subjects,
			op->o_req_ndn.bv_val, op->o_req_ndn.bv_len );
	return rc;
}

int
warden_credential_check_as( Operation *op, BackendDB *be, slap_overinst *on,
	struct berval *ndn, struct berval *cred, const char *mech, int flags,
	warden_subject *ws )
{
	Operation op2 = *op;
	BackendDB db = *be;
	SlapReply rs2 = { REP_RESULT };
	int rc;

	memset( ws, 0, sizeof( *ws ) );
	/* as the overlay stack does: a private copy of the database */
	db.bd_info = (BackendInfo *)on;
	op2.o_bd = &db;
	op2.o_tag = LDAP_REQ_BIND;
	op2.o_callback = NULL;
	op2.o_req_dn = *ndn;
	op2.o_req_ndn = *ndn;
	op2.orb_method = ( flags & WARDEN_CRED_SASL ) ? LDAP_AUTH_SASL :
		LDAP_AUTH_SIMPLE;
	BER_BVZERO( &op2.orb_mech );
	BER_BVZERO( &op2.orb_edn );
	if ( cred ) op2.orb_cred = *cred;
	else BER_BVZERO( &op2.orb_cred );
	ws->ws_proven = !cred;
	ws->ws_own_session = !!( flags & WARDEN_CRED_OWN_SESSION );
	ws->ws_changing = !!( flags & WARDEN_CRED_CHANGE );
	ws->ws_mech = mech;
	warden_subject_load( &op2, on, ws );
	if ( !ws->ws_found && be_isroot_dn( be, ndn ) )
		rc = LDAP_SUCCESS;	/* the configuration's rootdn */
	else
		rc = warden_credential_check( &op2, on, ws );
	rs2.sr_err = rc;
	warden_audit_bind( &op2, &rs2, on, ws );
	return rc;
}

int
warden_credential_refuse( Operation *op, SlapReply *rs, slap_overinst *on,
	warden_subject *ws )
{
	warden_info *wi = on->on_bi.bi_private;
	BackendInfo *bi = op->o_bd->bd_info;
	LDAPControl *ctrls[3] = { NULL, NULL, NULL };
	int n = 0;

	if ( ws->ws_locked && wi->wi_expose_lock && warden_ppolicy_requested( op ) )
		ctrls[n] = warden_ppolicy_response( op, WARDEN_PP_ACCOUNT_LOCKED );
	else if ( ws->ws_expiry == WARDEN_EXPIRY_EXPIRED &&
		warden_ppolicy_requested( op ) )
		ctrls[n] = warden_ppolicy_response( op, WARDEN_PP_PASSWORD_EXPIRED );
	if ( ctrls[n] ) n++;
	/* the obsolete Netscape control, whether or not the client asked
	 * for draft-behera's: only the expired password is said, a lock
	 * is not (ppolicy.la sends it for any refusal of its own) */
	if ( ws->ws_expiry == WARDEN_EXPIRY_EXPIRED && wi->wi_send_netscape )
		ctrls[n++] = warden_netscape_response( op, 1, 0 );
	rs->sr_err = LDAP_INVALID_CREDENTIALS;
	rs->sr_text = ws->ws_text;
	rs->sr_ctrls = n ? ctrls : NULL;
	op->o_bd->bd_info = (BackendInfo *)on->on_info;
	send_ldap_result( op, rs );
	op->o_bd->bd_info = bi;
	rs->sr_ctrls = NULL;
	rs->sr_text = NULL;
	while ( n-- > 0 ) op->o_tmpfree( ctrls[n], op->o_tmpmemctx );
	return LDAP_INVALID_CREDENTIALS;
}

slap_overinst *
warden_instance( BackendDB *be )
{
	slap_overinst *on;

	if ( !be || !overlay_is_over( be ) ) return NULL;
	for ( on = ( (slap_overinfo *)be->bd_info->bi_private )->oi_list; on;
			on = on->on_next ) {
		if ( !strcmp( on->on_bi.bi_type, "warden" ) ) return on;
	}
	return NULL;
}
