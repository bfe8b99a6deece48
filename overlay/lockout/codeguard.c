/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* codeguard.c - a limit on wrong one-time codes per account
 *
 * Why per account and in the store: a lockout policy is optional, and the
 * source-address throttle is beaten by many addresses; the code's own
 * space (10^6) is all that is left.  With the delay doubling up to the cap,
 * an attacker who knows the password tries one code per cap (README, TOTP,
 * "Wrong codes").
 *
 * Concurrency: the check before reads the record only.  Once the delay has
 * passed, the attempt is claimed in a write transaction that checks the
 * delay again, so of many binds arriving together when it ends, one is
 * checked and the rest are refused.  Below the limit, concurrent binds are
 * checked and each wrong code counted: a burst can overshoot the limit by
 * the binds in flight, once, and then meets the delay.
 */

#include "lockout.h"
#include "clock.h"
#include "codestate.h"
#include "totpcalc.h"

static warden_time
code_guard_now( void )
{
	return warden_clock_us();
}

/* What a wrong code gets: nothing says that nothing was checked.  Not
 * verified, so lockout does not count it (ws_verified stays 0). */
static int
code_guard_refuse( warden_subject *ws, const char *reason )
{
	ws->ws_reason = reason;
	return LDAP_INVALID_CREDENTIALS;
}

static int
code_guard_faulted( warden_info *wi )
{
	return __atomic_load_n( &wi->wi_code_fault, __ATOMIC_ACQUIRE );
}

static void
code_guard_fault( warden_info *wi, int on )
{
	__atomic_store_n( &wi->wi_code_fault, on, __ATOMIC_RELEASE );
}

int
warden_code_guard_bind( Operation *op, slap_overinst *on, warden_subject *ws )
{
	warden_info *wi = on->on_bi.bi_private;
	unsigned max = wi->wi_code_max_failure;
	warden_time cap = (warden_time)wi->wi_code_max_delay * WARDEN_SEC;
	warden_time now, next, left;
	warden_code_state st;
	char msg[SLAP_TEXT_BUFLEN];
	int rc;

	memset( &ws->ws_code_guard, 0, sizeof( ws->ws_code_guard ) );
	if ( !max || !ws->ws_has_uuid || !wi->wi_store ) return SLAP_CB_CONTINUE;

	if ( code_guard_faulted( wi ) ) {
		/* a wrong code that cannot be counted must not be tried */
		if ( warden_store_probe( wi->wi_store, msg, sizeof( msg ) ) ) {
			Debug( LDAP_DEBUG_ANY, "warden: bind of \"%s\" refused: "
				"wrong one-time codes cannot be recorded: %s\n",
				op->o_req_dn.bv_val, msg );
			return code_guard_refuse( ws,
				"one-time code state unavailable" );
		}
		code_guard_fault( wi, 0 );
		Debug( LDAP_DEBUG_ANY, "warden: the state store records wrong "
			"one-time codes again\n" );
	}

	now = code_guard_now();
	rc = warden_codestate_get( wi->wi_store, ws->ws_uuid, &st, msg,
		sizeof( msg ) );
	if ( rc < 0 ) {
		Debug( LDAP_DEBUG_ANY, "warden: bind of \"%s\" refused: cannot "
			"read its wrong one-time codes: %s\n", op->o_req_dn.bv_val,
			msg );
		return code_guard_refuse( ws,
			"one-time code state unavailable" );
	}
	if ( rc == WARDEN_CODESTATE_NOTFOUND ) return SLAP_CB_CONTINUE;
	ws->ws_code_guard.cg_flags = WARDEN_CG_STATE;
	ws->ws_code_guard.cg_nfail = st.cs_nfail;
	next = warden_code_next( &st, max, cap );
	if ( !next ) return SLAP_CB_CONTINUE;
	if ( now >= next ) {
		rc = warden_codestate_claim( wi->wi_store, ws->ws_uuid, now, max,
			cap, &st, msg, sizeof( msg ) );
		if ( rc == 0 ) {
			ws->ws_code_guard.cg_flags |= WARDEN_CG_CLAIMED;
			ws->ws_code_guard.cg_nfail = st.cs_nfail;
			return SLAP_CB_CONTINUE;
		}
		if ( rc < 0 ) {
			Debug( LDAP_DEBUG_ANY, "warden: bind of \"%s\" refused: "
				"cannot record an attempt after wrong one-time "
				"codes: %s\n", op->o_req_dn.bv_val, msg );
			code_guard_fault( wi, 1 );
			return code_guard_refuse( ws,
				"one-time code state unavailable" );
		}
		/* another bind claimed it meanwhile */
		next = warden_code_next( &st, max, cap );
	}

	/* Within the delay.  Logged once per delay: a stream of refusals
	 * (each in the audit trail) must not flood the log. */
	if ( st.cs_noted != st.cs_last_fail ) {
		rc = warden_codestate_note( wi->wi_store, ws->ws_uuid,
			st.cs_last_fail, msg, sizeof( msg ) );
		left = next > now ? next - now : 0;
		if ( rc == 0 )
			Debug( LDAP_DEBUG_ANY, "warden: bind of \"%s\" refused "
				"unchecked: %u wrong one-time codes; the next attempt "
				"is allowed in %lld.%03lld s\n", op->o_req_dn.bv_val,
				st.cs_nfail, (long long)( left / WARDEN_SEC ),
				(long long)( left % WARDEN_SEC / 1000 ) );
		else if ( rc < 0 )
			Debug( LDAP_DEBUG_ANY, "warden: %s\n", msg );
	}
	return code_guard_refuse( ws,
		"too many wrong one-time codes, delayed" );
}

void
warden_code_guard_checked( Operation *op, slap_overinst *on,
	warden_subject *ws, int code_rc, int pw_ok, unsigned period )
{
	warden_info *wi = on->on_bi.bi_private;
	unsigned max = wi->wi_code_max_failure;
	warden_time cap = (warden_time)wi->wi_code_max_delay * WARDEN_SEC;
	warden_time delay;
	warden_code_state st;
	char msg[SLAP_TEXT_BUFLEN];
	int rc;

	ws->ws_otp_period = period;
	if ( !ws->ws_has_uuid || !wi->wi_store ) return;
	if ( code_rc == 0 && pw_ok ) {
		if ( !( ws->ws_code_guard.cg_flags &
				( WARDEN_CG_STATE | WARDEN_CG_CLAIMED ) ) )
			return;
		if ( warden_codestate_clear( wi->wi_store, ws->ws_uuid, msg,
				sizeof( msg ) ) < 0 )
			Debug( LDAP_DEBUG_ANY, "warden: cannot clear the wrong "
				"one-time codes of \"%s\": %s\n",
				op->o_req_dn.bv_val, msg );
		return;
	}
	if ( code_rc != WARDEN_OTP_MISMATCH || !max ) return;

	if ( ws->ws_code_guard.cg_flags & WARDEN_CG_CLAIMED ) {
		/* counted when claimed */
		st.cs_nfail = ws->ws_code_guard.cg_nfail;
	} else {
		rc = warden_codestate_fail( wi->wi_store, ws->ws_uuid,
			code_guard_now(), &st, msg, sizeof( msg ) );
		if ( rc ) {
			Debug( LDAP_DEBUG_ANY, "warden: cannot record a wrong "
				"one-time code of \"%s\": %s; refusing binds with "
				"codes until the state store records again\n",
				op->o_req_dn.bv_val, msg );
			code_guard_fault( wi, 1 );
			return;
		}
	}
	delay = warden_code_delay( st.cs_nfail, max, cap );
	if ( delay )
		Debug( LDAP_DEBUG_ANY, "warden: %u wrong one-time codes for "
			"\"%s\": its next attempt is refused unchecked for %lld s\n",
			st.cs_nfail, op->o_req_dn.bv_val,
			(long long)( ( delay + WARDEN_SEC - 1 ) / WARDEN_SEC ) );
}

void
warden_code_guard_unlocked( slap_overinst *on, const unsigned char *uuid )
{
	warden_info *wi = on->on_bi.bi_private;
	char msg[SLAP_TEXT_BUFLEN];

	if ( !wi->wi_store ) return;
	if ( warden_codestate_clear( wi->wi_store, uuid, msg, sizeof( msg ) ) < 0 )
		Debug( LDAP_DEBUG_ANY, "warden: unlock: %s\n", msg );
}
