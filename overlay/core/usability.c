/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* usability.c - the Account Usability control (1.3.6.1.4.1.42.2.27.9.5.8)
 *
 * Sun's draft, as slapd 2.5's ppolicy.la answers it: a search asks with
 * the request control (no value), and each entry returned that a password
 * policy governs carries the response control: available, with the
 * seconds before it expires (-1: never), or not available, saying why
 * (inactive, reset, expired, grace logins left, seconds before unlock).
 * `ldapsearch -E accountUsability` prints it.
 *
 * The answer is warden's own, from the state a bind decides with: the
 * store's lock, other providers' locks and pwdAccountLockedTime
 * (warden_lockout_lock_end()), pwdMaxIdle (warden_lockrule_dormant()),
 * pwdMaxAge and grace logins (expiry.h), pwdReset; overlay/lib/usability.h
 * decides.  It tells lockout state, so only identities that may see that
 * state get it (warden_lockout_may_see(): the rootdn, the admin, helpdesk
 * and auditor roles, manage access to pwdAccountLockedTime); anyone else
 * gets the entries without it, and no error.
 *
 * ppolicy.la registers the control when it loads; warden registers it
 * only when it is absent and otherwise reads the flag ppolicy.la's parser
 * sets.  Each warden database declares the control (overlay_register_
 * control()), so that a critical request is accepted there, and refused
 * with unavailableCriticalExtension by databases that do not answer it.
 * Where ppolicy.la is an overlay of the same database it answers the
 * control, and warden does not: two answers for one entry would disagree.
 */

#include "warden.h"
#include "core.h"
#include "lockout.h"
#include "lockrule.h"
#include "clock.h"
#include "usability.h"

static int warden_usability_cid = -1;

static int
usability_parse( Operation *op, SlapReply *rs, LDAPControl *ctrl )
{
	if ( !BER_BVISNULL( &ctrl->ldctl_value ) ) {
		rs->sr_text = "account usability control value not absent";
		return LDAP_PROTOCOL_ERROR;
	}
	op->o_ctrlflag[warden_usability_cid] = ctrl->ldctl_iscritical ?
		SLAP_CONTROL_CRITICAL : SLAP_CONTROL_NONCRITICAL;
	return LDAP_SUCCESS;
}

int
warden_usability_init( void )
{
	int rc;

	if ( warden_usability_cid >= 0 ) return 0;
	if ( slap_find_control_id( LDAP_CONTROL_X_ACCOUNT_USABILITY,
			&warden_usability_cid ) == LDAP_SUCCESS )
		return 0;
	rc = register_supported_control( LDAP_CONTROL_X_ACCOUNT_USABILITY,
		SLAP_CTRL_SEARCH, NULL, usability_parse, &warden_usability_cid );
	if ( rc != LDAP_SUCCESS ) {
		Debug( LDAP_DEBUG_ANY, "warden: cannot register the account "
			"usability control (%d)\n", rc );
		warden_usability_cid = -1;
	}
	return rc;
}

int
warden_usability_open( BackendDB *be, warden_info *wi )
{
	if ( wi->wi_usability_registered ) return 0;
	if ( overlay_register_control( be, LDAP_CONTROL_X_ACCOUNT_USABILITY ) )
		return -1;
	wi->wi_usability_registered = 1;
	return 0;
}

void
warden_usability_close( BackendDB *be, warden_info *wi )
{
	if ( !wi->wi_usability_registered ) return;
	overlay_unregister_control( be, LDAP_CONTROL_X_ACCOUNT_USABILITY );
	wi->wi_usability_registered = 0;
}

/* A GeneralizedTime in seconds, or -1. */
static long long
usability_time( struct berval *bv )
{
	struct lutil_tm tm;
	struct lutil_timet tt;

	if ( lutil_parsetime( bv->bv_val, &tm ) ) return -1;
	lutil_tm2time( &tm, &tt );
	return (long long)tt.tt_sec;
}

/* The control's value, BER as ppolicy.la encodes it:
 *	CHOICE { available [0] INTEGER,
 *		 notAvailable [1] SEQUENCE { inactive [0] BOOLEAN,
 *			reset [1] BOOLEAN, expired [2] BOOLEAN,
 *			remainingGrace [3] INTEGER, untilUnlock [4] INTEGER } }
 * In op memory; NULL when it cannot be encoded. */
static LDAPControl *
usability_control( Operation *op, const warden_usability *u )
{
	BerElementBuffer berbuf;
	BerElement *ber = (BerElement *)&berbuf;
	struct berval bv = BER_BVNULL;
	LDAPControl *c = NULL;
	int ok;

#define USABILITY_INT( v ) \
	( (ber_int_t)( (v) > 0x7fffffffLL ? 0x7fffffffLL : (v) ) )
	ber_init2( ber, NULL, LBER_USE_DER );
	if ( u->u_available ) {
		ok = ber_put_int( ber, USABILITY_INT( u->u_expire ),
			LDAP_TAG_X_ACCOUNT_USABILITY_AVAILABLE ) >= 0;
	} else {
		ok = ber_start_seq( ber,
				LDAP_TAG_X_ACCOUNT_USABILITY_NOT_AVAILABLE ) >= 0 &&
			ber_put_boolean( ber, u->u_inactive,
				LDAP_TAG_X_ACCOUNT_USABILITY_INACTIVE ) >= 0 &&
			ber_put_boolean( ber, u->u_reset,
				LDAP_TAG_X_ACCOUNT_USABILITY_RESET ) >= 0 &&
			ber_put_boolean( ber, u->u_expired,
				LDAP_TAG_X_ACCOUNT_USABILITY_EXPIRED ) >= 0 &&
			ber_put_int( ber, USABILITY_INT( u->u_grace ),
				LDAP_TAG_X_ACCOUNT_USABILITY_REMAINING_GRACE ) >= 0 &&
			ber_put_int( ber, USABILITY_INT( u->u_unlock ),
				LDAP_TAG_X_ACCOUNT_USABILITY_UNTIL_UNLOCK ) >= 0 &&
			ber_put_seq( ber ) >= 0;
	}
#undef USABILITY_INT
	if ( !ok || ber_flatten2( ber, &bv, 0 ) < 0 ) goto done;
	c = op->o_tmpalloc( sizeof( *c ) + bv.bv_len, op->o_tmpmemctx );
	c->ldctl_oid = LDAP_CONTROL_X_ACCOUNT_USABILITY;
	c->ldctl_iscritical = 0;
	c->ldctl_value.bv_val = (char *)&c[1];
	c->ldctl_value.bv_len = bv.bv_len;
	AC_MEMCPY( c->ldctl_value.bv_val, bv.bv_val, bv.bv_len );

done:
	ber_free_buf( ber );
	return c;
}

/* Adds c to the entry's controls.  The result owns the array and every
 * control in it (REP_CTRLS_MUSTBEFREED: slap_send_search_entry() frees
 * them with the entry); controls someone else owns are copied first. */
static void
usability_add( Operation *op, SlapReply *rs, LDAPControl *c )
{
	LDAPControl **ctrls, *copy;
	int i, n = 0, owned = !!( rs->sr_flags & REP_CTRLS_MUSTBEFREED );

	if ( rs->sr_ctrls )
		for ( ; rs->sr_ctrls[n]; n++ )
			;
	ctrls = op->o_tmpalloc( ( n + 2 ) * sizeof( *ctrls ), op->o_tmpmemctx );
	for ( i = 0; i < n; i++ ) {
		if ( owned ) {
			ctrls[i] = rs->sr_ctrls[i];
			continue;
		}
		copy = op->o_tmpalloc( sizeof( *copy ) +
			rs->sr_ctrls[i]->ldctl_value.bv_len, op->o_tmpmemctx );
		*copy = *rs->sr_ctrls[i];
		if ( !BER_BVISNULL( &copy->ldctl_value ) ) {
			copy->ldctl_value.bv_val = (char *)&copy[1];
			AC_MEMCPY( copy->ldctl_value.bv_val,
				rs->sr_ctrls[i]->ldctl_value.bv_val,
				copy->ldctl_value.bv_len );
		}
		ctrls[i] = copy;
	}
	ctrls[n] = c;
	ctrls[n + 1] = NULL;
	if ( owned ) op->o_tmpfree( rs->sr_ctrls, op->o_tmpmemctx );
	rs->sr_ctrls = ctrls;
	rs->sr_flags |= REP_CTRLS_MUSTBEFREED;
}

/* What warden knows of the entry's account, for usability.h. */
static int
usability_decide( Operation *op, slap_overinst *on, Entry *entry,
	warden_usability *u )
{
	warden_info *wi = on->on_bi.bi_private;
	warden_usability_in in;
	warden_subject ws;
	Operation op2 = *op;
	warden_time until, now = warden_clock_us();
	warden_lock_policy *lp;
	Entry *e;
	Attribute *a;
	int governed = 0;

	memset( &ws, 0, sizeof( ws ) );
	memset( &in, 0, sizeof( in ) );
	op2.o_req_dn = entry->e_name;
	op2.o_req_ndn = entry->e_nname;
	warden_subject_load( &op2, on, &ws );
	/* an entry without a password is no account; warden's binds do
	 * not look at a rootdn's entry unless warden-lock-rootdn is on */
	if ( !ws.ws_found || !ws.ws_has_password ||
		ws.ws_policy_state == WARDEN_POLICY_NONE ||
		( be_isroot_dn( op->o_bd, &entry->e_nname ) &&
		  !wi->wi_lock_rootdn ) )
		goto done;
	governed = 1;
	in.ui_now = now / WARDEN_SEC;
	in.ui_unlock_at = -1;
	in.ui_idle_end = -1;
	in.ui_changed = -1;
	if ( ws.ws_policy_state == WARDEN_POLICY_MISSING ) {
		/* its binds are refused until the policy entry exists */
		in.ui_locked = 1;
		goto decide;
	}
	lp = &ws.ws_policy.wp_lock;
	if ( warden_lockout_lock_end( &op2, on, &ws, &until ) ) {
		in.ui_locked = 1;
		/* what is left, rounded up: sleeping that long sees it
		 * unlocked */
		if ( until != WARDEN_FOREVER )
			in.ui_unlock_at = in.ui_now + ( until > now ?
				( until - now + WARDEN_SEC - 1 ) / WARDEN_SEC : 0 );
	}
	in.ui_dormant = warden_lockrule_dormant( ws.ws_last_active, lp, now );
	if ( lp->lp_max_idle > 0 && ws.ws_last_active > 0 )
		in.ui_idle_end = (long long)ws.ws_last_active +
			lp->lp_max_idle / WARDEN_SEC;
	in.ui_reset = ws.ws_reset && ws.ws_policy.wp_must_change;
	/* expiry as warden_password_expiry() decides it at bind */
	if ( ws.ws_policy.wp_expiry.ep_max_age > 0 &&
		warden_pwd.ad_pwdGraceUseTime ) {
		in.ui_expiry = ws.ws_policy.wp_expiry;
		if ( ( e = warden_entry_get( op, on, &entry->e_nname ) ) ) {
			if ( ( a = attr_find( e->e_attrs,
					warden_pwd.ad_pwdChangedTime ) ) )
				in.ui_changed = usability_time( &a->a_nvals[0] );
			if ( ( a = attr_find( e->e_attrs,
					warden_pwd.ad_pwdGraceUseTime ) ) )
				in.ui_grace_used = a->a_numvals;
			warden_entry_release( op, on, e );
		}
	}

decide:
	warden_usability_decide( &in, u );
done:
	if ( ws.ws_policy.wp_mfa_groups )
		ber_bvarray_free_x( ws.ws_policy.wp_mfa_groups, op->o_tmpmemctx );
	return governed;
}

static int
usability_entry( Operation *op, SlapReply *rs )
{
	slap_overinst *on = op->o_callback->sc_private;
	BackendInfo *bi = op->o_bd->bd_info;
	warden_usability u;
	LDAPControl *c;

	if ( rs->sr_type != REP_SEARCH || !rs->sr_entry )
		return SLAP_CB_CONTINUE;
	op->o_bd->bd_info = (BackendInfo *)on;
	/* the lockout state's readers only; others see the entry alone */
	if ( warden_lockout_may_see( op, on, rs->sr_entry ) &&
		usability_decide( op, on, rs->sr_entry, &u ) &&
		( c = usability_control( op, &u ) ) )
		usability_add( op, rs, c );
	op->o_bd->bd_info = bi;
	return SLAP_CB_CONTINUE;
}

static int
usability_cleanup( Operation *op, SlapReply *rs )
{
	slap_callback *sc = op->o_callback;

	if ( rs->sr_type != REP_RESULT ) return SLAP_CB_CONTINUE;
	/* slap_cleanup_play() repairs the list */
	op->o_callback = sc->sc_next;
	op->o_tmpfree( sc, op->o_tmpmemctx );
	return SLAP_CB_CONTINUE;
}

void
warden_usability_search( Operation *op, slap_overinst *on )
{
	slap_callback *sc;

	if ( warden_usability_cid < 0 ||
		op->o_ctrlflag[warden_usability_cid] == SLAP_CONTROL_NONE ||
		warden_is_internal( op ) ||
		overlay_is_inst( op->o_bd, "ppolicy" ) )
		return;
	sc = op->o_tmpcalloc( 1, sizeof( *sc ), op->o_tmpmemctx );
	sc->sc_response = usability_entry;
	sc->sc_cleanup = usability_cleanup;
	sc->sc_private = on;
	overlay_callback_after_backover( op, sc, 1 );
}
