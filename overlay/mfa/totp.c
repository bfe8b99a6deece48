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
 * store, flushed before the answer (backend/otpstate.h).  The step is also
 * written to the token entry (oathTOTPLastTimeStep, oathHOTPCounter), as
 * otp.la does, so that it replicates and other servers refuse the code.
 *
 * Secrets are kept wrapped (overlay/lib/secret.h) under the key file's active
 * key, bound to the token entry's entryUUID.  A cleartext oathSecret in an
 * add or modify is wrapped before it reaches the database; a raw secret
 * left by otp.la works and is wrapped at its first successful use.
 */


#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "warden.h"
#include "clock.h"
#include "totpcalc.h"
#include "secret.h"
#include "otpstate.h"
#include "recovery.h"
#include "validate.h"
#include "transitrule.h"

#define TOTP_MAX_DRIFT	20	/* steps followed: 10 minutes at 30 s */
/* warden_otpstate index of the start of a user's enrolment grace */
#define TOTP_GRACE_IDX	255

enum { TOTP_NONE = 0, TOTP_TOTP, TOTP_HOTP };

/* Password changes through PAM (nslcd, sssd) bind twice with what the
 * user typed: once to check it (pam_sm_chauthtok's preliminary check),
 * then, after the user has typed the new password, once more on a new
 * connection to change it (Password Modify); a script typing all answers
 * at once makes the two binds a few milliseconds apart.  The second bind
 * presents a code already used.
 *
 * At bind time that second bind is byte for byte what a replay of the
 * first is (measured: nslcd with pam_authc_search NONE sends STARTTLS,
 * BIND, then UNBIND for pam_authenticate and PASSMOD for the change;
 * sssd sends STARTTLS, a rootDSE search, BIND, then UNBIND or PASSMOD),
 * and both clients let pam_authenticate succeed whenever the bind
 * succeeds or says the password must change (sssd, also when the bind
 * fails with passwordExpired).  So no answer to the bind can let the
 * change through and fail a replayed login.  What differs is where the
 * client sends it: sssd sends both binds of a password change to
 * ldap_chpass_uri, and nslcd's pam_authenticate (pam_authc_search BASE,
 * its default) searches its own entry after binding, which a connection
 * limited to a password change refuses.  Hence the rule: a code may be
 * reused only on a listener warden-code-reuse-listener names (none:
 * never), and
 *
 * - by the same DN with the same password and code (an HMAC of both is
 *   kept, under a key made at start, never the credential), from the same
 *   client address, within TOTP_REUSE_TIME of its first use;
 * - only when that first use was there too (a login elsewhere leaves
 *   nothing to reuse), or was itself a bind limited to changing the
 *   password (pwdReset under pwdMustChange: a first login that must
 *   change the password, whose forced change through sssd binds twice
 *   more, check and change, on ldap_chpass_uri);
 * - once; twice after such a must-change first use;
 * - and the connection that reuses it may then only change its own
 *   password, also after the change (pwreset.c), and is told so as a
 *   reset user is: changeAfterReset in the password policy response
 *   control, when requested.
 *
 * Why once: a login program that sees "must change" forces a change,
 * which binds again with the replayed credential; a second reuse would
 * let a replay set a new password.  The cost: a user who logs in and
 * then runs passwd with the same code (same time step) is refused at the
 * change and retries with the next code. */
#define TOTP_REUSE_SLOTS	256
#define TOTP_REUSE_TIME		((warden_time)120 * 1000000)	/* 2 min */
#define TOTP_REUSE_MAX		1	/* after an ordinary first use */
#define TOTP_REUSE_MAX_RESET	2	/* after a first use that must change */

typedef struct totp_reuse_slot {
	unsigned char	rs_mac[32];	/* HMAC of DN and credential */
	char		rs_addr[64];
	warden_time	rs_time;	/* first use */
	int		rs_uses;
	int		rs_max;		/* reuses allowed */
} totp_reuse_slot;

struct warden_totp_reuse {
	ldap_pvt_thread_mutex_t	tr_mutex;
	EVP_MAC			*tr_mac;	/* fetched once: fetching costs */
	unsigned char		tr_key[32];
	unsigned		tr_next;
	totp_reuse_slot		tr_slots[TOTP_REUSE_SLOTS];
};

static warden_time
totp_now_us( void )
{
	return warden_clock_us();
}

int
warden_totp_open( warden_info *wi )
{
	struct warden_totp_reuse *tr;

	if ( wi->wi_totp_reuse ) return 0;
	tr = ch_calloc( 1, sizeof( *tr ) );
	if ( RAND_bytes( tr->tr_key, sizeof( tr->tr_key ) ) != 1 ||
		!( tr->tr_mac = EVP_MAC_fetch( NULL, "HMAC", NULL ) ) ) {
		ch_free( tr );
		return -1;
	}
	ldap_pvt_thread_mutex_init( &tr->tr_mutex );
	wi->wi_totp_reuse = tr;
	return 0;
}

void
warden_totp_close( warden_info *wi )
{
	struct warden_totp_reuse *tr = wi->wi_totp_reuse;

	if ( !tr ) return;
	ldap_pvt_thread_mutex_destroy( &tr->tr_mutex );
	EVP_MAC_free( tr->tr_mac );
	OPENSSL_cleanse( tr, sizeof( *tr ) );
	ch_free( tr );
	wi->wi_totp_reuse = NULL;
}

/* Keyed: the table must not become a list of what users typed. */
static int
totp_reuse_mac( struct warden_totp_reuse *tr, Operation *op,
	unsigned char *mac )
{
	EVP_MAC_CTX *ctx = EVP_MAC_CTX_new( tr->tr_mac );
	OSSL_PARAM params[2];
	size_t n = 0;
	int rc = -1;

	params[0] = OSSL_PARAM_construct_utf8_string( "digest", "SHA256", 0 );
	params[1] = OSSL_PARAM_construct_end();
	if ( ctx && EVP_MAC_init( ctx, tr->tr_key, sizeof( tr->tr_key ), params ) &&
		EVP_MAC_update( ctx, (unsigned char *)op->o_req_ndn.bv_val,
			op->o_req_ndn.bv_len + 1 ) &&
		EVP_MAC_update( ctx, (unsigned char *)op->orb_cred.bv_val,
			op->orb_cred.bv_len ) &&
		EVP_MAC_final( ctx, mac, &n, 32 ) && n == 32 )
		rc = 0;
	EVP_MAC_CTX_free( ctx );
	return rc;
}

/* Whether the connection came in on a listener warden-code-reuse-listener
 * names. */
static int
totp_reuse_listener( warden_info *wi, Connection *c )
{
	int i;

	if ( !wi->wi_reuse_listeners ) return 0;
	if ( !c || !c->c_listener || BER_BVISEMPTY( &c->c_listener_url ) )
		return 0;
	for ( i = 0; wi->wi_reuse_listeners[i].bv_val; i++ ) {
		if ( warden_url_same( wi->wi_reuse_listeners[i].bv_val,
				wi->wi_reuse_listeners[i].bv_len,
				c->c_listener_url.bv_val, c->c_listener_url.bv_len ) )
			return 1;
	}
	return 0;
}

static void
totp_reuse_remember( slap_overinst *on, Operation *op, int max )
{
	warden_info *wi = on->on_bi.bi_private;
	struct warden_totp_reuse *tr = wi->wi_totp_reuse;
	totp_reuse_slot *sl;
	unsigned char mac[32];

	/* A login on a listener without reuse leaves nothing to reuse; a
	 * first use that must change a reset password is no login. */
	if ( max == TOTP_REUSE_MAX && !totp_reuse_listener( wi, op->o_conn ) )
		return;
	if ( !tr || totp_reuse_mac( tr, op, mac ) ) return;
	ldap_pvt_thread_mutex_lock( &tr->tr_mutex );
	sl = &tr->tr_slots[tr->tr_next++ % TOTP_REUSE_SLOTS];
	memcpy( sl->rs_mac, mac, sizeof( mac ) );
	warden_client_host( op, sl->rs_addr, sizeof( sl->rs_addr ) );
	sl->rs_time = totp_now_us();
	sl->rs_uses = 0;
	sl->rs_max = max;
	ldap_pvt_thread_mutex_unlock( &tr->tr_mutex );
}

/* Whether this bind may reuse a code accepted before (see above). */
static int
totp_reuse_granted( slap_overinst *on, Operation *op )
{
	warden_info *wi = on->on_bi.bi_private;
	struct warden_totp_reuse *tr = wi->wi_totp_reuse;
	unsigned char mac[32];
	char host[64];
	warden_time now = totp_now_us();
	int i, ok = 0;

	if ( !tr || !totp_reuse_listener( wi, op->o_conn ) ||
		totp_reuse_mac( tr, op, mac ) )
		return 0;
	warden_client_host( op, host, sizeof( host ) );
	ldap_pvt_thread_mutex_lock( &tr->tr_mutex );
	for ( i = 0; i < TOTP_REUSE_SLOTS && !ok; i++ ) {
		totp_reuse_slot *sl = &tr->tr_slots[i];

		if ( sl->rs_time && now - sl->rs_time <= TOTP_REUSE_TIME &&
			sl->rs_uses < sl->rs_max &&
			!CRYPTO_memcmp( sl->rs_mac, mac, sizeof( mac ) ) &&
			!strcmp( sl->rs_addr, host ) ) {
			sl->rs_uses++;
			ok = 1;
		}
	}
	ldap_pvt_thread_mutex_unlock( &tr->tr_mutex );
	OPENSSL_cleanse( mac, sizeof( mac ) );
	return ok;
}

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


static Entry *
totp_get( Operation *op, slap_overinst *on, struct berval *ndn )
{
	BackendInfo *bi = op->o_bd->bd_info;
	Entry *e = NULL;

	op->o_bd->bd_info = (BackendInfo *)on->on_info;
	if ( be_entry_get_rw( op, ndn, NULL, NULL, 0, &e ) != LDAP_SUCCESS )
		e = NULL;
	op->o_bd->bd_info = bi;
	return e;
}

static void
totp_release( Operation *op, slap_overinst *on, Entry *e )
{
	BackendInfo *bi = op->o_bd->bd_info;

	if ( !e ) return;
	op->o_bd->bd_info = (BackendInfo *)on->on_info;
	be_entry_release_r( op, e );
	op->o_bd->bd_info = bi;
}

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
		p = totp_get( op, on, &a->a_nvals[0] );
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
	totp_release( op, on, p );
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
		totp_get( op, on, &tt->tt_ndn );
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
	if ( token && token != e ) totp_release( op, on, token );
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
 * secret or one under an old key, so that it replicates. */
static void
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

	rc = warden_internal_write( op, on, &tt->tt_ndn, mods );
	OPENSSL_cleanse( wrapped, sizeof( wrapped ) );
	if ( rc != LDAP_SUCCESS )
		Debug( LDAP_DEBUG_ANY, "warden: cannot record the one-time code "
			"step in \"%s\": result %d\n", tt->tt_ndn.bv_val, rc );
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

/* Whether the policy requires MFA of a user without a token
 * (wardenMFARequired, or a member of a wardenMFAGroup; a group walk that
 * gives up counts as a member). */
static int
totp_policy_requires( Operation *op, slap_overinst *on, warden_subject *ws,
	Entry *e )
{
	warden_policy *p = &ws->ws_policy;
	Attribute *a;
	int required, limit = 0;

	if ( ws->ws_policy_state != WARDEN_POLICY_FOUND ) return 0;
	if ( p->wp_mfa_required ) return 1;
	if ( !p->wp_mfa_group_n ) return 0;
	a = attr_find( e->e_attrs, slap_schema.si_ad_uid );
	required = warden_group_member( op, on, &e->e_nname,
		a ? &a->a_nvals[0] : NULL, p->wp_mfa_groups, p->wp_mfa_group_n,
		&limit );
	/* not known to be outside the MFA groups: inside (fail closed) */
	if ( !required && limit ) {
		required = 1;
		Debug( LDAP_DEBUG_ANY, "warden: \"%s\" is taken for a member of "
			"a wardenMFAGroup: its groups were not all followed\n",
			op->o_req_dn.bv_val );
	}
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
			TOTP_GRACE_IDX, now, 0, totp_now_us(), msg, sizeof( msg ) );
	} else if ( rc == 0 ) {
		begun = (time_t)st.os_last;
	}
	if ( rc < 0 ) {
		Debug( LDAP_DEBUG_ANY, "warden: %s\n", msg );
		return 0;
	}
	if ( now >= begun + p->wp_mfa_grace ) return 0;
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
	warden_policy *p = &ws->ws_policy;
	Entry *e;
	int pw_ok;

	if ( ws->ws_policy_state != WARDEN_POLICY_FOUND ||
		( !p->wp_mfa_required && !p->wp_mfa_group_n ) )
		return SLAP_CB_CONTINUE;
	e = totp_get( op, on, &op->o_req_ndn );
	if ( !e ) return SLAP_CB_CONTINUE;
	if ( !totp_policy_requires( op, on, ws, e ) ) {
		totp_release( op, on, e );
		return SLAP_CB_CONTINUE;
	}
	pw_ok = warden_password_check( op, e, &op->orb_cred ) > 0;
	totp_release( op, on, e );
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
	Entry *e;
	int required;

	if ( ws->ws_has_token ) return 1;
	if ( ws->ws_policy_state != WARDEN_POLICY_FOUND ||
		( !ws->ws_policy.wp_mfa_required && !ws->ws_policy.wp_mfa_group_n ) )
		return 0;
	e = totp_get( op, on, &op->o_req_ndn );
	/* gone: the caller refuses it anyway */
	if ( !e ) return 1;
	required = totp_policy_requires( op, on, ws, e );
	totp_release( op, on, e );
	return required && !totp_in_grace( op, on, ws, 0 );
}

/* Password + recovery code ("xxxxx-xxxxx"), in place of a one-time code.
 * @return 0 accepted, 1 refused */
static int
totp_recovery( Operation *op, slap_overinst *on, warden_subject *ws,
	Entry *e, Attribute *codes, size_t pwlen, const char *code, int *pw_ok )
{
	warden_info *wi = on->on_bi.bi_private;
	const char *stored[32];
	size_t storedlen[32];
	char msg[SLAP_TEXT_BUFLEN];
	struct berval pw = { pwlen, op->orb_cred.bv_val };
	uint64_t set_id = 0;
	unsigned remaining = 0, i, n = 0;
	int index = 0, rc;

	*pw_ok = warden_password_check( op, e, &pw ) > 0;
	ws->ws_verified = 1;
	for ( i = 0; i < codes->a_numvals && n < 32; i++, n++ ) {
		stored[n] = codes->a_vals[i].bv_val;
		storedlen[n] = codes->a_vals[i].bv_len;
	}
	rc = warden_recovery_verify( code, op->orb_cred.bv_len - pwlen, stored,
		storedlen, n, &index, &set_id, msg, sizeof( msg ) );
	if ( rc < 0 )
		Debug( LDAP_DEBUG_ANY, "warden: recovery codes of \"%s\": %s\n",
			op->o_req_dn.bv_val, msg );
	if ( rc || !*pw_ok || !ws->ws_has_uuid ) return 1;
	rc = warden_otpstate_use_recovery( wi->wi_store, ws->ws_uuid, 0, set_id,
		index, WARDEN_RECOVERY_COUNT, totp_now_us(), &remaining, msg,
		sizeof( msg ) );
	if ( rc ) {
		if ( rc < 0 ) Debug( LDAP_DEBUG_ANY, "warden: %s\n", msg );
		else Debug( LDAP_DEBUG_STATS, "warden: bind of \"%s\" refused: "
			"recovery code used before\n", op->o_req_dn.bv_val );
		return 1;
	}
	Debug( LDAP_DEBUG_STATS, "warden: \"%s\" bound with a recovery code "
		"(%u left)\n", op->o_req_dn.bv_val, remaining );
	ws->ws_mfa = "recovery code";
	ws->ws_password_len = pwlen;
	return 0;
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
	int pw_ok = 0, code_rc = -1, rc;

	if ( !ws->ws_has_token ) return totp_required( op, on, ws );
	e = totp_get( op, on, &op->o_req_ndn );
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
		totp_release( op, on, e );
		totp_wipe( op, &tt );
		return SLAP_CB_CONTINUE;
	}

	a = attr_find( e->e_attrs, warden_ad.ad_recoveryCode );
	if ( a && !warden_recovery_split( op->orb_cred.bv_val,
			op->orb_cred.bv_len, &pwlen, &code ) ) {
		if ( totp_recovery( op, on, ws, e, a, pwlen, code, &pw_ok ) ) {
			why = NULL;
			goto refuse;
		}
		totp_release( op, on, e );
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
		totp_release( op, on, e );
		totp_wipe( op, &tt );
		ws->ws_password_len = pwlen;
		ws->ws_mfa = "one-time code of this session";
		return LDAP_SUCCESS;
	}
	if ( pw_ok && code_rc == WARDEN_OTP_REPLAYED &&
		totp_reuse_granted( on, op ) )
		goto reuse;
	if ( !pw_ok || code_rc != 0 ) goto refuse;

	/* the password and the code are right: take the step, once */
	rc = warden_otpstate_advance( wi->wi_store, tt.tt_uuid, 0, step, drift,
		totp_now_us(), msg, sizeof( msg ) );
	if ( rc ) {
		if ( rc < 0 ) {
			Debug( LDAP_DEBUG_ANY, "warden: bind of \"%s\" refused: "
				"%s\n", op->o_req_dn.bv_val, msg );
			why = NULL;
		} else if ( totp_reuse_granted( on, op ) ) {
			goto reuse;	/* a concurrent bind took it */
		} else {
			why = "replayed";
		}
		goto refuse;
	}
	totp_release( op, on, e );
	e = NULL;
	tt_kind_name = tt.tt_kind == TOTP_TOTP ? "totp" : "hotp";
	totp_record( op, on, &tt, step, drift );
	totp_wipe( op, &tt );
	/* a first use that must change the password (pwreset.c) leaves
	 * the forced change its two binds */
	totp_reuse_remember( on, op, ws->ws_reset &&
		ws->ws_policy_state == WARDEN_POLICY_FOUND &&
		ws->ws_policy.wp_must_change ? TOTP_REUSE_MAX_RESET :
		TOTP_REUSE_MAX );
	ws->ws_password_len = pwlen;
	ws->ws_mfa = tt_kind_name;
	Debug( LDAP_DEBUG_STATS, "warden: \"%s\" bound with a one-time code\n",
		op->o_req_dn.bv_val );
	return LDAP_SUCCESS;

reuse:
	totp_release( op, on, e );
	totp_wipe( op, &tt );
	ws->ws_password_len = pwlen;
	ws->ws_mfa = "reused one-time code (password change only)";
	ws->ws_code_reused = 1;		/* changeAfterReset in the result */
	Debug( LDAP_DEBUG_STATS, "warden: \"%s\" reused a one-time code: "
		"this connection may only change the password\n",
		op->o_req_dn.bv_val );
	return LDAP_SUCCESS;

refuse:
	if ( e ) totp_release( op, on, e );
	totp_wipe( op, &tt );
	if ( !pw_ok ) ws->ws_reason = "invalid credentials";
	else if ( !why ) ws->ws_reason = "one-time code token unusable";
	else if ( !strcmp( why, "replayed" ) ) ws->ws_reason = "replayed one-time code";
	else if ( !strcmp( why, "missing" ) ) ws->ws_reason = "missing one-time code";
	else if ( !strcmp( why, "malformed" ) ) ws->ws_reason = "malformed one-time code";
	else ws->ws_reason = "wrong one-time code";
	if ( why && pw_ok )
		Debug( LDAP_DEBUG_STATS, "warden: bind of \"%s\" refused: %s "
			"one-time code\n", op->o_req_dn.bv_val, why );
	return LDAP_INVALID_CREDENTIALS;
}

/* A diagnostic message in op memory (the result is sent before the
 * operation ends). */
static const char *
totp_text( Operation *op, const char *prefix, const char *msg )
{
	size_t lp = strlen( prefix ), lm = strlen( msg );
	char *text = op->o_tmpalloc( lp + lm + 1, op->o_tmpmemctx );

	memcpy( text, prefix, lp );
	memcpy( text + lp, msg, lm + 1 );
	return text;
}

/* Checks the seeds of one oathSecret value list (RFC 4226: 128 bits at
 * least, wrapped or not) and wraps the cleartext ones. */
static int
totp_wrap_values( Operation *op, SlapReply *rs, slap_overinst *on,
	const unsigned char *uuid, BerVarray vals, BerVarray nvals, unsigned n )
{
	warden_info *wi = on->on_bi.bi_private;
	char wrapped[256], msg[SLAP_TEXT_BUFLEN];
	size_t wlen;
	unsigned i;

	for ( i = 0; i < n; i++ ) {
		size_t seedlen = vals[i].bv_len;

		/* A wrapped value written by an administrator (copied from
		 * another server) holds a ciphertext as long as its seed. */
		if ( warden_secret_is_wrapped( vals[i].bv_val, vals[i].bv_len ) &&
			warden_secret_seed_len( vals[i].bv_val, vals[i].bv_len,
				&seedlen, msg, sizeof( msg ) ) != WARDEN_SECRET_OK ) {
			rs->sr_err = LDAP_CONSTRAINT_VIOLATION;
			rs->sr_text = totp_text( op, "oathSecret: ", msg );
			goto fail;
		}
		if ( warden_seed_length_check( seedlen, msg, sizeof( msg ) ) ) {
			rs->sr_err = LDAP_CONSTRAINT_VIOLATION;
			rs->sr_text = totp_text( op, "", msg );
			goto fail;
		}
		if ( warden_secret_is_wrapped( vals[i].bv_val, vals[i].bv_len ) )
			continue;
		if ( !wi->wi_keys ) {
			rs->sr_err = LDAP_UNWILLING_TO_PERFORM;
			rs->sr_text = "warden-key-file is not set: a TOTP secret "
				"would be stored in clear";
			goto fail;
		}
		if ( !uuid ) {
			rs->sr_err = LDAP_UNWILLING_TO_PERFORM;
			rs->sr_text = "the entry has no entryUUID to bind its "
				"TOTP secret to";
			goto fail;
		}
		if ( warden_secret_wrap( wi->wi_keys,
				(const unsigned char *)vals[i].bv_val, vals[i].bv_len,
				uuid, WARDEN_UUID_LEN, wrapped, sizeof( wrapped ),
				&wlen, msg, sizeof( msg ) ) != WARDEN_SECRET_OK ) {
			Debug( LDAP_DEBUG_ANY, "warden: cannot wrap a TOTP secret: "
				"%s\n", msg );
			rs->sr_err = LDAP_CONSTRAINT_VIOLATION;
			rs->sr_text = "the TOTP secret cannot be stored (empty or "
				"longer than 128 bytes?)";
			goto fail;
		}
		OPENSSL_cleanse( vals[i].bv_val, vals[i].bv_len );
		ch_free( vals[i].bv_val );
		ber_str2bv( wrapped, wlen, 1, &vals[i] );
		if ( nvals && nvals != vals ) {
			OPENSSL_cleanse( nvals[i].bv_val, nvals[i].bv_len );
			ch_free( nvals[i].bv_val );
			ber_str2bv( wrapped, wlen, 1, &nvals[i] );
		}
		OPENSSL_cleanse( wrapped, sizeof( wrapped ) );
	}
	return SLAP_CB_CONTINUE;

fail:
	{
		BackendInfo *bi = op->o_bd->bd_info;
		int code = rs->sr_err;

		op->o_bd->bd_info = (BackendInfo *)on->on_info;
		send_ldap_result( op, rs );
		op->o_bd->bd_info = bi;
		rs->sr_text = NULL;
		return code;
	}
}

int
warden_totp_write( Operation *op, SlapReply *rs, slap_overinst *on,
	int *secret_changed )
{
	unsigned char uuid[WARDEN_UUID_LEN];
	Modifications *m;
	Attribute *a, *u;
	int have_uuid = 0, rc;

	*secret_changed = 0;
	/* a replica keeps what its provider sends */
	if ( warden_is_replicated( op ) ) return SLAP_CB_CONTINUE;
	if ( op->o_tag == LDAP_REQ_ADD ) {
		a = attr_find( op->ora_e->e_attrs, warden_oath.ad_secret );
		if ( !a ) return SLAP_CB_CONTINUE;
		u = attr_find( op->ora_e->e_attrs,
			slap_schema.si_ad_entryUUID );
		if ( !u ) {
			/* The backend gives an entry its entryUUID after the
			 * overlays; the secret must be bound to it now.  The
			 * backend keeps one that is there (as slap_add_opattrs). */
			char uuidbuf[LDAP_LUTIL_UUIDSTR_BUFSIZE];
			struct berval tmp;

			tmp.bv_len = lutil_uuidstr( uuidbuf, sizeof( uuidbuf ) );
			tmp.bv_val = uuidbuf;
			attr_merge_normalize_one( op->ora_e,
				slap_schema.si_ad_entryUUID, &tmp, op->o_tmpmemctx );
			u = attr_find( op->ora_e->e_attrs,
				slap_schema.si_ad_entryUUID );
		}
		if ( u && u->a_nvals[0].bv_len == WARDEN_UUID_LEN ) {
			memcpy( uuid, u->a_nvals[0].bv_val, WARDEN_UUID_LEN );
			have_uuid = 1;
		}
		return totp_wrap_values( op, rs, on, have_uuid ? uuid : NULL,
			a->a_vals, a->a_nvals, a->a_numvals );
	}
	if ( op->o_tag != LDAP_REQ_MODIFY ) return SLAP_CB_CONTINUE;
	for ( m = op->orm_modlist; m; m = m->sml_next ) {
		if ( m->sml_desc != warden_oath.ad_secret ) continue;
		*secret_changed = 1;
		if ( m->sml_op != LDAP_MOD_ADD && m->sml_op != LDAP_MOD_REPLACE )
			continue;
		if ( !have_uuid ) {
			Entry *e = totp_get( op, on, &op->o_req_ndn );

			a = e ? attr_find( e->e_attrs, slap_schema.si_ad_entryUUID ) :
				NULL;
			if ( a && a->a_nvals[0].bv_len == WARDEN_UUID_LEN ) {
				memcpy( uuid, a->a_nvals[0].bv_val, WARDEN_UUID_LEN );
				have_uuid = 1;
			}
			totp_release( op, on, e );
		}
		rc = totp_wrap_values( op, rs, on, have_uuid ? uuid : NULL,
			m->sml_values, m->sml_nvalues, m->sml_numvals );
		if ( rc != SLAP_CB_CONTINUE ) return rc;
	}
	return SLAP_CB_CONTINUE;
}

void
warden_totp_forget( slap_overinst *on, const unsigned char *uuid, int purge )
{
	warden_info *wi = on->on_bi.bi_private;
	char msg[SLAP_TEXT_BUFLEN];
	int rc;

	if ( !wi->wi_store ) return;
	if ( purge ) {
		rc = warden_otpstate_purge( wi->wi_store, uuid, msg, sizeof( msg ) );
	} else {
		/* The steps start anew with the new secret; the recovery codes
		 * used stay used (a user entry that is its own token keeps
		 * both in one record). */
		warden_otp_state st;
		unsigned i;

		rc = warden_otpstate_get( wi->wi_store, uuid, 0, &st, msg,
			sizeof( msg ) );
		if ( rc == 0 )
			rc = warden_otpstate_reset( wi->wi_store, uuid, 0, msg,
				sizeof( msg ) );
		for ( i = 0; rc == 0 && i <= WARDEN_OTPSTATE_RECOVERY_MAX; i++ ) {
			if ( st.os_recovery_used & ( 1U << i ) )
				rc = warden_otpstate_use_recovery( wi->wi_store, uuid,
					0, st.os_recovery_set, i, 32, totp_now_us(),
					NULL, msg, sizeof( msg ) );
		}
		if ( rc == WARDEN_OTPSTATE_NOTFOUND ) rc = 0;
	}
	if ( rc < 0 )
		Debug( LDAP_DEBUG_ANY, "warden: cannot forget one-time code "
			"state: %s\n", msg );
}

BerVarray
warden_totp_tokens_of( Operation *op, slap_overinst *on )
{
	AttributeDescription *ads[2] = { warden_oath.ad_totpToken,
		warden_oath.ad_hotpToken };
	BerVarray tokens = NULL;
	Entry *e = totp_get( op, on, &op->o_req_ndn );
	unsigned i, j;

	for ( i = 0; e && i < 2; i++ ) {
		Attribute *a = attr_find( e->e_attrs, ads[i] );

		for ( j = 0; a && j < a->a_numvals; j++ ) {
			if ( !dn_match( &a->a_nvals[j], &e->e_nname ) )
				ber_bvarray_add_x( &tokens, ber_dupbv_x( NULL,
					&a->a_nvals[j], op->o_tmpmemctx ),
					op->o_tmpmemctx );
		}
	}
	totp_release( op, on, e );
	return tokens;
}

void
warden_totp_delete_tokens( Operation *op, slap_overinst *on, BerVarray tokens )
{
	int i, rc;

	for ( i = 0; tokens && tokens[i].bv_val; i++ ) {
		rc = warden_internal_write( op, on, &tokens[i], NULL );
		if ( rc != LDAP_SUCCESS && rc != LDAP_NO_SUCH_OBJECT )
			Debug( LDAP_DEBUG_ANY, "warden: cannot delete the token "
				"entry \"%s\" of a deleted user: result %d\n",
				tokens[i].bv_val, rc );
	}
}
