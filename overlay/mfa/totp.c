/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* totp.c - the one-time code engine: TOTP and HOTP at simple bind
 *
 * A user whose entry names a token (oathTOTPToken or oathHOTPToken, the
 * OATH-LDAP model of otp.la) binds with the password followed by the
 * current code.  warden judges such a bind itself: it checks the password
 * with slapd's own check and the code with liboath, both always, and
 * answers invalidCredentials when either is wrong, without saying which.
 * The backend never sees the bind: slapd records a bind's identity before
 * any response callback runs, so a verdict given after the backend's
 * success could not be taken back.
 *
 * A code is accepted once: the check of the step against the last one
 * used and the write of the new one are one transaction of warden's
 * store (backend/otpstate.h); LMDB's single writer lets one of any number
 * of concurrent binds with one code through.  The check reads the larger
 * of the store's step and the token entry's (oathTOTPLastTimeStep,
 * oathHOTPCounter), so either record refuses a used code.
 *
 * One flush per successful bind, never two.  The store's commit survives
 * the death of slapd (kill -9) without one: it is in the page cache.  A
 * crash of the whole system (power loss) keeps only what was flushed, so
 * before the answer exactly one of the two records is flushed:
 *	- where the step must reach other servers (warden_state_replicates():
 *	  a consumer, a replicated database, warden-code-provider), it is
 *	  written to the token entry, as otp.la does, so that it replicates
 *	  and other servers refuse the code.  When that write is durable when
 *	  it returns (warden_state_durable(): back-mdb's commit with its
 *	  fsync, or the provider's), it is the flushed record and the store
 *	  commits without a flush (warden_otpstate_take()); after a power
 *	  loss the entry's step refuses the code even if the store lost it.
 *	  If the write fails on a server that writes itself, the store is
 *	  flushed instead before the answer;
 *	- otherwise (a server that does not replicate, or a database that
 *	  commits without flushing) only the store's record is flushed
 *	  (warden_otpstate_advance(): a group commit, one fdatasync shared by
 *	  the binds that wait together), and a server that does not
 *	  replicate writes nothing into the entry: nothing else reads it, and
 *	  the back-mdb write (its fsync, its indexes, an entry rewritten)
 *	  cost more than the rest of the bind together.  Its
 *	  oathTOTPLastTimeStep then stays as it was (the wrapping of a raw
 *	  seed, below, still writes it); the store is the record, kept
 *	  across restarts, purged with the entry.
 *
 * Secrets are kept wrapped (overlay/lib/secret.h) under the key file's active
 * key, bound to the token entry's entryUUID.  A cleartext oathSecret in an
 * add or modify is wrapped before it reaches the database (tokenwrite.c);
 * a raw secret left by otp.la works and is wrapped at its first successful
 * use.  A recovery code may stand in for a code (recoverycode.c), and a
 * password change through PAM may use a code again (reuse.c).
 */

#include <openssl/crypto.h>

#include "warden.h"
#include "mfa.h"
#include "mfaint.h"
#include "clock.h"
#include "totpcalc.h"
#include "secret.h"
#include "otpstate.h"
#include "recovery.h"
#include "mfarule.h"

#define TOTP_MAX_DRIFT	20	/* steps followed: 10 minutes at 30 s */
/* warden_otpstate index of the start of a user's enrolment grace */
#define TOTP_GRACE_IDX	255

enum { TOTP_NONE = 0, TOTP_TOTP, TOTP_HOTP };

typedef struct totp_token {
	int			tt_kind;
	struct berval		tt_ndn;		/* the token entry */
	unsigned char		tt_uuid[WARDEN_UUID_LEN];
	warden_totp_params	tt_totp;
	warden_hotp_params	tt_hotp;
	unsigned		tt_digits;
	unsigned char		tt_seed[WARDEN_SECRET_MAX];
	size_t			tt_seedlen;
	int			tt_rewrap;	/* raw, or under an old key */
	int64_t			tt_entry_last;	/* the step in the entry */
	int64_t			tt_entry_drift;
} totp_token;


static long
totp_attr_long( Entry *e, AttributeDescription *ad, long dflt )
{
	Attribute *a = e ? attr_find( e->e_attrs, ad ) : NULL;
	char *end;
	long v;

	if ( !a || !a->a_vals[0].bv_len ) return dflt;
	v = strtol( a->a_vals[0].bv_val, &end, 10 );
	return *end ? dflt : v;
}

/* The token's parameters from its params entry, else otp.la's usual
 * values: SHA-1, 6 digits, 30 s, one step either side. */
static int
totp_params( Operation *op, slap_overinst *on, Entry *token, totp_token *tt,
	char *msg, size_t len )
{
	AttributeDescription *ad = tt->tt_kind == TOTP_TOTP ?
		warden_oath.ad_totpParams : warden_oath.ad_hotpParams;
	Attribute *a = attr_find( token->e_attrs, ad );
	warden_otp_alg alg = WARDEN_OTP_SHA1;
	Entry *p = NULL;
	long digits, period, window, lookahead;
	int rc = 0;

	if ( a ) {
		p = warden_entry_get( op, on, &a->a_nvals[0] );
		if ( !p ) {
			snprintf( msg, len, "the token's parameters entry \"%s\" "
				"does not exist", a->a_vals[0].bv_val );
			return -1;
		}
	}
	digits = totp_attr_long( p, warden_oath.ad_otpLength, 6 );
	period = totp_attr_long( p, warden_oath.ad_totpPeriod,
		WARDEN_TOTP_PERIOD_DEFAULT );
	window = totp_attr_long( p, warden_oath.ad_totpWindow,
		WARDEN_TOTP_WINDOW_DEFAULT );
	lookahead = totp_attr_long( p, warden_oath.ad_hotpLookAhead, 10 );
	if ( p && ( a = attr_find( p->e_attrs, warden_oath.ad_hmacAlgorithm ) ) )
		rc = warden_otp_alg_from_oid( a->a_vals[0].bv_val,
			a->a_vals[0].bv_len, &alg, msg, len );
	warden_entry_release( op, on, p );
	if ( rc ) return -1;
	if ( digits < WARDEN_OTP_DIGITS_MIN || digits > WARDEN_OTP_DIGITS_MAX ||
		period < 1 || period > WARDEN_TOTP_PERIOD_MAX ||
		window < 0 || window > WARDEN_TOTP_WINDOW_MAX ||
		lookahead < 0 || lookahead > WARDEN_HOTP_LOOKAHEAD_MAX ) {
		snprintf( msg, len, "the token's parameters are out of range "
			"(oathOTPLength %ld, period %ld, window %ld, look-ahead %ld)",
			digits, period, window, lookahead );
		return -1;
	}
	tt->tt_digits = digits;
	tt->tt_totp.tp_alg = alg;
	tt->tt_totp.tp_digits = digits;
	tt->tt_totp.tp_period = period;
	tt->tt_totp.tp_window = window;
	tt->tt_totp.tp_max_drift = TOTP_MAX_DRIFT;
	tt->tt_hotp.hp_alg = alg;
	tt->tt_hotp.hp_digits = digits;
	tt->tt_hotp.hp_lookahead = lookahead;
	return 0;
}

/* The token the user entry e names, with its secret unwrapped.
 * @return 0 (tt_kind TOTP_NONE when there is none) or -1 with msg */
static int
totp_load( Operation *op, slap_overinst *on, Entry *e, totp_token *tt,
	char *msg, size_t len )
{
	warden_info *wi = on->on_bi.bi_private;
	Attribute *a;
	Entry *token = NULL;
	int rc = -1;

	memset( tt, 0, sizeof( *tt ) );
	if ( ( a = attr_find( e->e_attrs, warden_oath.ad_totpToken ) ) )
		tt->tt_kind = TOTP_TOTP;
	else if ( ( a = attr_find( e->e_attrs, warden_oath.ad_hotpToken ) ) )
		tt->tt_kind = TOTP_HOTP;
	else
		return 0;
	ber_dupbv_x( &tt->tt_ndn, &a->a_nvals[0], op->o_tmpmemctx );
	token = dn_match( &tt->tt_ndn, &e->e_nname ) ? e :
		warden_entry_get( op, on, &tt->tt_ndn );
	if ( !token ) {
		snprintf( msg, len, "the token entry \"%s\" does not exist",
			a->a_vals[0].bv_val );
		goto done;
	}
	a = attr_find( token->e_attrs, slap_schema.si_ad_entryUUID );
	if ( !a || a->a_nvals[0].bv_len != WARDEN_UUID_LEN ) {
		snprintf( msg, len, "the token entry has no entryUUID" );
		goto done;
	}
	memcpy( tt->tt_uuid, a->a_nvals[0].bv_val, WARDEN_UUID_LEN );
	if ( totp_params( op, on, token, tt, msg, len ) ) goto done;
	if ( tt->tt_kind == TOTP_TOTP ) {
		tt->tt_entry_last = totp_attr_long( token,
			warden_oath.ad_totpLastStep, WARDEN_OTP_NONE );
		tt->tt_entry_drift = totp_attr_long( token,
			warden_oath.ad_totpDrift, 0 );
	} else {
		tt->tt_entry_last = totp_attr_long( token,
			warden_oath.ad_hotpCounter, WARDEN_OTP_NONE );
	}

	a = attr_find( token->e_attrs, warden_oath.ad_secret );
	if ( !a || !a->a_vals[0].bv_len ) {
		snprintf( msg, len, "the token has no oathSecret" );
		goto done;
	}
	if ( warden_secret_is_wrapped( a->a_vals[0].bv_val, a->a_vals[0].bv_len ) ) {
		char id[WARDEN_KEY_ID_MAX + 1];

		if ( warden_secret_unwrap( wi->wi_keys, a->a_vals[0].bv_val,
				a->a_vals[0].bv_len, tt->tt_uuid, WARDEN_UUID_LEN,
				tt->tt_seed, &tt->tt_seedlen, msg, len ) !=
				WARDEN_SECRET_OK )
			goto done;
		tt->tt_rewrap = wi->wi_keys && !warden_secret_key_id(
			a->a_vals[0].bv_val, a->a_vals[0].bv_len, id, msg, len ) &&
			strcmp( id, wi->wi_keys->wr_keys[0].wk_id );
	} else {
		/* a raw secret left by otp.la */
		if ( a->a_vals[0].bv_len > WARDEN_SECRET_MAX ) {
			snprintf( msg, len, "the token's oathSecret is too long" );
			goto done;
		}
		memcpy( tt->tt_seed, a->a_vals[0].bv_val, a->a_vals[0].bv_len );
		tt->tt_seedlen = a->a_vals[0].bv_len;
		tt->tt_rewrap = wi->wi_keys != NULL;
	}
	rc = 0;

done:
	if ( token && token != e ) warden_entry_release( op, on, token );
	return rc;
}

static void
totp_wipe( Operation *op, totp_token *tt )
{
	OPENSSL_cleanse( tt->tt_seed, sizeof( tt->tt_seed ) );
	if ( tt->tt_ndn.bv_val ) op->o_tmpfree( tt->tt_ndn.bv_val, op->o_tmpmemctx );
	BER_BVZERO( &tt->tt_ndn );
}

/* Writes the used step (and drift) to the token entry, and wraps a raw
 * secret or one under an old key, so that it replicates (on a consumer:
 * the step is forwarded to the provider, forward.c).
 * @return the result code */
static int
totp_record( Operation *op, slap_overinst *on, totp_token *tt, int64_t step,
	int64_t drift )
{
	warden_info *wi = on->on_bi.bi_private;
	Modifications mods[3], *m = mods;
	char stepbuf[32], driftbuf[32], wrapped[256], msg[SLAP_TEXT_BUFLEN];
	struct berval sv[2], dv[2], wv[2];
	size_t wlen = 0;
	int n = 0, rc;

	memset( mods, 0, sizeof( mods ) );
	sv[0].bv_val = stepbuf;
	sv[0].bv_len = snprintf( stepbuf, sizeof( stepbuf ), "%lld",
		(long long)step );
	BER_BVZERO( &sv[1] );
	mods[n].sml_desc = tt->tt_kind == TOTP_TOTP ?
		warden_oath.ad_totpLastStep : warden_oath.ad_hotpCounter;
	mods[n].sml_values = sv;
	n++;
	if ( tt->tt_kind == TOTP_TOTP ) {
		dv[0].bv_val = driftbuf;
		dv[0].bv_len = snprintf( driftbuf, sizeof( driftbuf ), "%lld",
			(long long)drift );
		BER_BVZERO( &dv[1] );
		mods[n].sml_desc = warden_oath.ad_totpDrift;
		mods[n].sml_values = dv;
		n++;
	}
	if ( tt->tt_rewrap && warden_secret_wrap( wi->wi_keys, tt->tt_seed,
			tt->tt_seedlen, tt->tt_uuid, WARDEN_UUID_LEN, wrapped,
			sizeof( wrapped ), &wlen, msg, sizeof( msg ) ) ==
			WARDEN_SECRET_OK ) {
		wv[0].bv_val = wrapped;
		wv[0].bv_len = wlen;
		BER_BVZERO( &wv[1] );
		mods[n].sml_desc = warden_oath.ad_secret;
		mods[n].sml_values = wv;
		n++;
	}
	for ( m = mods; m < mods + n; m++ ) {
		m->sml_op = LDAP_MOD_REPLACE;
		m->sml_flags = SLAP_MOD_INTERNAL;
		m->sml_type = m->sml_desc->ad_cname;
		m->sml_numvals = 1;
		m->sml_next = m + 1 < mods + n ? m + 1 : NULL;
	}

	rc = warden_state_write( op, on, &tt->tt_ndn, mods );
	OPENSSL_cleanse( wrapped, sizeof( wrapped ) );
	if ( rc != LDAP_SUCCESS )
		Debug( LDAP_DEBUG_ANY, "warden: cannot record the one-time code "
			"step in \"%s\": result %d\n", tt->tt_ndn.bv_val, rc );
	return rc;
}

/* Checks the code against the token; 0 and the step on a match. */
static int
totp_check_code( slap_overinst *on, totp_token *tt, const char *code,
	int64_t *step, int64_t *drift, char *msg, size_t len )
{
	warden_info *wi = on->on_bi.bi_private;
	warden_otp_state st;
	int64_t last;
	int rc;

	rc = warden_otpstate_get( wi->wi_store, tt->tt_uuid, 0, &st, msg, len );
	if ( rc < 0 ) return -1;
	last = st.os_last > tt->tt_entry_last ? st.os_last : tt->tt_entry_last;
	if ( tt->tt_kind == TOTP_TOTP )
		return warden_totp_verify( &tt->tt_totp, tt->tt_seed,
			tt->tt_seedlen, code, tt->tt_digits, slap_get_time(), last,
			rc == 0 ? st.os_drift : tt->tt_entry_drift, step, drift,
			msg, len );
	*drift = 0;
	return warden_hotp_verify( &tt->tt_hotp, tt->tt_seed, tt->tt_seedlen,
		code, tt->tt_digits, last, step, msg, len );
}

/* The MFA settings of the policy that applies to the subject. */
static void
totp_rule( warden_subject *ws, warden_mfa_rule *r )
{
	r->mr_policy = ws->ws_policy_state == WARDEN_POLICY_FOUND;
	r->mr_required = ws->ws_policy.wp_mfa_required;
	r->mr_ngroups = ws->ws_policy.wp_mfa_group_n;
	r->mr_grace = ws->ws_policy.wp_mfa_grace;
}

/* Whether the policy requires MFA of a user without a token
 * (mfarule.h: wardenMFARequired, or a member of a wardenMFAGroup; a group
 * walk that gives up counts as a member). */
static int
totp_policy_requires( Operation *op, slap_overinst *on, warden_subject *ws,
	Entry *e )
{
	warden_policy *p = &ws->ws_policy;
	warden_mfa_rule r;
	Attribute *a;
	int required, member = 0, limit = 0;

	totp_rule( ws, &r );
	if ( warden_mfarule_needs_groups( &r ) ) {
		a = attr_find( e->e_attrs, slap_schema.si_ad_uid );
		member = warden_group_member( op, on, &e->e_nname,
			a ? &a->a_nvals[0] : NULL, p->wp_mfa_groups,
			p->wp_mfa_group_n, &limit );
	}
	required = warden_mfarule_required( &r, member, limit );
	/* not known to be outside the MFA groups: inside (fail closed) */
	if ( required && !member && limit )
		Debug( LDAP_DEBUG_ANY, "warden: \"%s\" is taken for a member of "
			"a wardenMFAGroup: its groups were not all followed\n",
			op->o_req_dn.bv_val );
	return required;
}

/* Whether a required user without a token is still in the grace period;
 * start: the period begins now if it has not (a right password only). */
static int
totp_in_grace( Operation *op, slap_overinst *on, warden_subject *ws,
	int start )
{
	warden_info *wi = on->on_bi.bi_private;
	warden_policy *p = &ws->ws_policy;
	warden_mfa_rule r;
	warden_otp_state st;
	time_t now = slap_get_time(), begun = now;
	char msg[SLAP_TEXT_BUFLEN];
	int rc;

	if ( !p->wp_mfa_grace || !ws->ws_has_uuid || !wi->wi_store ) return 0;
	rc = warden_otpstate_get( wi->wi_store, ws->ws_uuid, TOTP_GRACE_IDX,
		&st, msg, sizeof( msg ) );
	if ( rc == WARDEN_OTPSTATE_NOTFOUND ) {
		if ( !start ) return 0;
		rc = warden_otpstate_advance( wi->wi_store, ws->ws_uuid,
			TOTP_GRACE_IDX, now, 0, warden_clock_us(), msg, sizeof( msg ) );
	} else if ( rc == 0 ) {
		begun = (time_t)st.os_last;
	}
	if ( rc < 0 ) {
		Debug( LDAP_DEBUG_ANY, "warden: %s\n", msg );
		return 0;
	}
	totp_rule( ws, &r );
	if ( !warden_mfarule_in_grace( &r, begun, now ) ) return 0;
	Debug( LDAP_DEBUG_STATS, "warden: \"%s\" must enrol a one-time code "
		"token within %ld seconds\n", op->o_req_dn.bv_val,
		(long)( begun + p->wp_mfa_grace - now ) );
	return 1;
}

/* A user without a token: refused when the policy requires MFA of them,
 * unless still in the grace period that began at their first right
 * password. */
static int
totp_required( Operation *op, slap_overinst *on, warden_subject *ws )
{
	warden_mfa_rule r;
	Entry *e;
	int pw_ok;

	totp_rule( ws, &r );
	if ( !warden_mfarule_policy_asks( &r ) ) return SLAP_CB_CONTINUE;
	e = warden_entry_get( op, on, &op->o_req_ndn );
	if ( !e ) return SLAP_CB_CONTINUE;
	if ( !totp_policy_requires( op, on, ws, e ) ) {
		warden_entry_release( op, on, e );
		return SLAP_CB_CONTINUE;
	}
	pw_ok = warden_password_check( op, e, &op->orb_cred ) > 0;
	warden_entry_release( op, on, e );
	ws->ws_verified = 1;
	if ( !pw_ok ) {
		ws->ws_reason = "invalid credentials";
		return LDAP_INVALID_CREDENTIALS;
	}
	/* the grace period starts at the first right password, never at
	 * somebody else's guess */
	if ( totp_in_grace( op, on, ws, 1 ) ) {
		ws->ws_mfa = "none (enrolment grace period)";
		return LDAP_SUCCESS;
	}
	Debug( LDAP_DEBUG_STATS, "warden: bind of \"%s\" refused: "
		"multi-factor authentication required, no token\n",
		op->o_req_dn.bv_val );
	/* the reason only to who knows the password */
	ws->ws_reason = "one-time code token enrolment required";
	ws->ws_text = "multi-factor authentication is required: enrolment of "
		"a one-time code token is required first (ask an administrator)";
	return LDAP_INVALID_CREDENTIALS;
}

int
warden_mfa_applies( Operation *op, slap_overinst *on, warden_subject *ws )
{
	warden_mfa_rule r;
	Entry *e;
	int required;

	totp_rule( ws, &r );
	if ( ws->ws_has_token || !warden_mfarule_policy_asks( &r ) )
		return warden_mfarule_code_asked( ws->ws_has_token, 0, 0 );
	e = warden_entry_get( op, on, &op->o_req_ndn );
	/* gone: the caller refuses it anyway */
	if ( !e ) return 1;
	required = totp_policy_requires( op, on, ws, e );
	warden_entry_release( op, on, e );
	return warden_mfarule_code_asked( 0, required,
		required && totp_in_grace( op, on, ws, 0 ) );
}

int
warden_totp_bind( Operation *op, slap_overinst *on, warden_subject *ws )
{
	warden_info *wi = on->on_bi.bi_private;
	struct berval pw;
	const char *code = NULL, *why = "wrong";
	char msg[SLAP_TEXT_BUFLEN];
	totp_token tt;
	Entry *e;
	Attribute *a;
	int64_t step = 0, drift = 0;
	size_t pwlen = 0;
	const char *tt_kind_name;
	int pw_ok = 0, code_rc = -1, rc, write_entry, entry_durable;

	if ( !ws->ws_has_token ) return totp_required( op, on, ws );
	e = warden_entry_get( op, on, &op->o_req_ndn );
	if ( !e ) return SLAP_CB_CONTINUE;	/* gone since: the backend says so */
	msg[0] = '\0';
	if ( totp_load( op, on, e, &tt, msg, sizeof( msg ) ) ) {
		Debug( LDAP_DEBUG_ANY, "warden: bind of \"%s\" refused: cannot use "
			"its one-time code token: %s\n", op->o_req_dn.bv_val, msg );
		why = NULL;
		goto refuse;
	}
	if ( tt.tt_kind == TOTP_NONE ) {
		/* the token went away since the subject was cached */
		warden_entry_release( op, on, e );
		totp_wipe( op, &tt );
		return SLAP_CB_CONTINUE;
	}

	a = attr_find( e->e_attrs, warden_ad.ad_recoveryCode );
	if ( a && !warden_recovery_split( op->orb_cred.bv_val,
			op->orb_cred.bv_len, &pwlen, &code ) ) {
		if ( warden_totp_recovery( op, on, ws, e, a, pwlen, code, &pw_ok ) ) {
			why = NULL;
			goto refuse;
		}
		warden_entry_release( op, on, e );
		totp_wipe( op, &tt );
		return LDAP_SUCCESS;
	}

	rc = warden_otp_split( op->orb_cred.bv_val, op->orb_cred.bv_len,
		tt.tt_digits, &pwlen, &code );
	pw.bv_val = op->orb_cred.bv_val;
	pw.bv_len = rc == 0 ? pwlen : op->orb_cred.bv_len;
	/* both checks, always: the time taken does not say which failed */
	pw_ok = warden_password_check( op, e, &pw ) > 0;
	ws->ws_verified = 1;
	if ( rc == 0 ) {
		code_rc = totp_check_code( on, &tt, code, &step, &drift, msg,
			sizeof( msg ) );
	} else {
		why = rc == WARDEN_SPLIT_SHORT ? "missing" : "malformed";
	}
	/* for the wrong-code limit, which the credential check applies */
	ws->ws_code_checked = 1;
	ws->ws_code_rc = code_rc;
	ws->ws_code_pw_ok = pw_ok;
	ws->ws_otp_period = tt.tt_kind == TOTP_TOTP ? tt.tt_totp.tp_period : 0;
	if ( code_rc < 0 && rc == 0 ) {
		Debug( LDAP_DEBUG_ANY, "warden: bind of \"%s\" refused: %s\n",
			op->o_req_dn.bv_val, msg );
		why = NULL;
	} else if ( code_rc == WARDEN_OTP_REPLAYED ) {
		why = "replayed";
	}
	if ( pw_ok && code_rc == WARDEN_OTP_REPLAYED && ws->ws_own_session ) {
		/* the old password of a Password Modify on a connection that
		 * this code logged in: right, and nothing new to take */
		warden_entry_release( op, on, e );
		totp_wipe( op, &tt );
		ws->ws_password_len = pwlen;
		ws->ws_mfa = "one-time code of this session";
		return LDAP_SUCCESS;
	}
	if ( pw_ok && code_rc == WARDEN_OTP_REPLAYED &&
		warden_totp_reuse_granted( on, op ) )
		goto reuse;
	if ( !pw_ok || code_rc != 0 ) goto refuse;

	/* the password and the code are right: take the step, once, made
	 * durable by one flush (see the header): the entry's commit when the
	 * step goes there and that commit is flushed, else the store's */
	write_entry = tt.tt_rewrap ||
		warden_state_replicates( op, on, &tt.tt_ndn );
	entry_durable = write_entry &&
		warden_state_durable( op, on, &tt.tt_ndn );
	if ( entry_durable )
		rc = warden_otpstate_take( wi->wi_store, tt.tt_uuid, 0, step,
			drift, warden_clock_us(), msg, sizeof( msg ) );
	else
		rc = warden_otpstate_advance( wi->wi_store, tt.tt_uuid, 0, step,
			drift, warden_clock_us(), msg, sizeof( msg ) );
	if ( rc ) {
		if ( rc < 0 ) {
			Debug( LDAP_DEBUG_ANY, "warden: bind of \"%s\" refused: "
				"%s\n", op->o_req_dn.bv_val, msg );
			why = NULL;
		} else if ( warden_totp_reuse_granted( on, op ) ) {
			goto reuse;	/* a concurrent bind took it */
		} else {
			why = "replayed";
		}
		goto refuse;
	}
	warden_entry_release( op, on, e );
	e = NULL;
	tt_kind_name = tt.tt_kind == TOTP_TOTP ? "totp" : "hotp";
	/* a consumer that cannot tell its provider refuses: the code
	 * would be good there, and on every other consumer (fail closed);
	 * so does a provider whose code provider did not take the step
	 * (warden-code-provider: it was used elsewhere, or it cannot be
	 * reached) */
	if ( write_entry &&
		totp_record( op, on, &tt, step, drift ) != LDAP_SUCCESS ) {
		if ( warden_is_consumer( op ) || wi->wi_code_provider ) {
			ws->ws_verified = 0;	/* no wrong credential: not counted */
			ws->ws_text = "the one-time code cannot be recorded on "
				"the provider now; try another server";
			why = "unrecorded";
			goto refuse;
		}
		/* the entry did not take it: the store's copy is the
		 * durable one after all */
		if ( entry_durable && warden_store_flush( wi->wi_store, msg,
				sizeof( msg ) ) ) {
			Debug( LDAP_DEBUG_ANY, "warden: bind of \"%s\" refused: "
				"%s\n", op->o_req_dn.bv_val, msg );
			why = NULL;
			goto refuse;
		}
	}
	totp_wipe( op, &tt );
	/* a first use that must change the password (pwreset.c) leaves
	 * the forced change its two binds */
	warden_totp_reuse_remember( on, op, ws->ws_reset &&
		ws->ws_policy_state == WARDEN_POLICY_FOUND &&
		ws->ws_policy.wp_must_change ? TOTP_REUSE_MAX_RESET :
		TOTP_REUSE_MAX );
	ws->ws_password_len = pwlen;
	ws->ws_mfa = tt_kind_name;
	Debug( LDAP_DEBUG_STATS, "warden: \"%s\" bound with a one-time code\n",
		op->o_req_dn.bv_val );
	return LDAP_SUCCESS;

reuse:
	warden_entry_release( op, on, e );
	totp_wipe( op, &tt );
	ws->ws_password_len = pwlen;
	ws->ws_mfa = "reused one-time code (password change only)";
	ws->ws_code_reused = 1;		/* changeAfterReset in the result */
	Debug( LDAP_DEBUG_STATS, "warden: \"%s\" reused a one-time code: "
		"this connection may only change the password\n",
		op->o_req_dn.bv_val );
	return LDAP_SUCCESS;

refuse:
	if ( e ) warden_entry_release( op, on, e );
	totp_wipe( op, &tt );
	if ( !pw_ok ) ws->ws_reason = "invalid credentials";
	else if ( !why ) ws->ws_reason = "one-time code token unusable";
	else if ( !strcmp( why, "replayed" ) ) ws->ws_reason = "replayed one-time code";
	else if ( !strcmp( why, "missing" ) ) ws->ws_reason = "missing one-time code";
	else if ( !strcmp( why, "malformed" ) ) ws->ws_reason = "malformed one-time code";
	else if ( !strcmp( why, "unrecorded" ) )
		ws->ws_reason = "one-time code step not recorded on the provider";
	else ws->ws_reason = "wrong one-time code";
	if ( why && pw_ok )
		Debug( LDAP_DEBUG_STATS, "warden: bind of \"%s\" refused: %s "
			"one-time code\n", op->o_req_dn.bv_val, why );
	return LDAP_INVALID_CREDENTIALS;
}

