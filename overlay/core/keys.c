/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* keys.c - the SSH keys a system may see
 *
 * A key login never binds to LDAP: sshd asks sssd (AuthorizedKeysCommand
 * sss_ssh_authorizedkeys) for the user's sshPublicKey values and lets in
 * whoever holds one of them.  So the rules of a bind are applied where the
 * keys are read: a search from a system (a wardenSystem matched by the
 * connection's address or client certificate, as for a bind) gets a
 * user's keys only when that user may log in on that system
 * (warden_access_user()) and the account is not disabled, locked, dormant
 * (pwdMaxIdle) or expired (pwdMaxAge, no grace login left).  Otherwise the
 * attribute is left out of the entry, which stays visible: NSS lookups go
 * on working.  A connection that matches no system follows
 * warden-access-default.  The rootdn, warden-admin-group, warden's own
 * searches and replication (the sync control: a consumer must keep every
 * key) see all keys.
 *
 * Each entry returned with keys costs a decision: the access engine's
 * kept decision per user and system, the subject cache, and on several
 * providers a read of the store.  The backend's entry is never changed:
 * one that loses its keys is copied first (rs_entry2modifiable()).
 */

#include "warden.h"
#include "core.h"
#include "lockout.h"
#include "access.h"
#include "ssh.h"
#include "lockrule.h"
#include "clock.h"

/* A GeneralizedTime in seconds, or -1. */
static long long
keys_time( struct berval *bv )
{
	struct lutil_tm tm;
	struct lutil_timet tt;

	if ( lutil_parsetime( bv->bv_val, &tm ) ) return -1;
	lutil_tm2time( &tm, &tt );
	return (long long)tt.tt_sec;
}

/* Why the user of entry e may not log in on op's system by key, or NULL
 * when they may. */
static const char *
keys_refusal( Operation *op, slap_overinst *on, Entry *e )
{
	Operation op2 = *op;
	warden_subject ws;
	warden_policy *p = &ws.ws_policy;
	warden_time until;
	char where[256];
	Attribute *a;

	if ( !warden_access_user( op, on, &e->e_nname, where, sizeof( where ) ) )
		return "not allowed on this system";
	memset( &ws, 0, sizeof( ws ) );
	op2.o_req_dn = e->e_name;
	op2.o_req_ndn = e->e_nname;
	warden_subject_load( &op2, on, &ws );
	if ( !ws.ws_found ) return "no such entry";
	if ( ws.ws_policy_state == WARDEN_POLICY_MISSING )
		return "its password policy entry is missing";
	if ( ws.ws_entry_locked == -1 ) return "disabled";
	/* the entry, the store and (several providers) the others' locks,
	 * as a bind would find them */
	if ( warden_lockout_lock_end( &op2, on, &ws, &until ) )
		return "locked";
	if ( ws.ws_policy_state != WARDEN_POLICY_FOUND ) return NULL;
	if ( warden_lockrule_dormant( ws.ws_last_active, &p->wp_lock,
			warden_clock_us() ) )
		return "dormant (pwdMaxIdle)";
	if ( p->wp_expiry.ep_max_age > 0 && warden_pwd.ad_pwdChangedTime ) {
		long long changed = -1, graces = 0, value;

		a = attr_find( e->e_attrs, warden_pwd.ad_pwdChangedTime );
		if ( a ) changed = keys_time( &a->a_vals[0] );
		if ( warden_pwd.ad_pwdGraceUseTime &&
			( a = attr_find( e->e_attrs, warden_pwd.ad_pwdGraceUseTime ) ) )
			graces = a->a_numvals;
		if ( warden_expiry_decide( &p->wp_expiry, changed, graces,
				(long long)time( NULL ), &value ) == WARDEN_EXPIRY_EXPIRED )
			return "password expired, no grace login left";
	}
	return NULL;
}

static int
keys_response( Operation *op, SlapReply *rs )
{
	slap_overinst *on = op->o_callback->sc_private;
	Attribute *a, **ap;
	const char *why;

	if ( rs->sr_type != REP_SEARCH || !rs->sr_entry ) return SLAP_CB_CONTINUE;
	for ( a = rs->sr_entry->e_attrs; a; a = a->a_next ) {
		if ( warden_ssh_is_key( a->a_desc ) ) break;
	}
	if ( !a ) return SLAP_CB_CONTINUE;
	why = keys_refusal( op, on, rs->sr_entry );
	if ( !why ) return SLAP_CB_CONTINUE;
	Debug( LDAP_DEBUG_STATS2, "warden: conn=%lu op=%lu: the SSH keys of "
		"\"%s\" left out: %s\n", op->o_connid, op->o_opid,
		rs->sr_entry->e_name.bv_val, why );
	/* a copy of the entry, never the backend's */
	rs_entry2modifiable( op, rs, on );
	for ( ap = &rs->sr_entry->e_attrs; *ap; ) {
		a = *ap;
		if ( warden_ssh_is_key( a->a_desc ) ) {
			*ap = a->a_next;
			a->a_next = NULL;
			attr_free( a );
		} else {
			ap = &a->a_next;
		}
	}
	return SLAP_CB_CONTINUE;
}

static int
keys_cleanup( Operation *op, SlapReply *rs )
{
	slap_callback **scp, *sc;

	if ( rs->sr_type != REP_RESULT ) return SLAP_CB_CONTINUE;
	for ( scp = &op->o_callback; *scp; scp = &(*scp)->sc_next ) {
		if ( (*scp)->sc_response == keys_response ) {
			sc = *scp;
			*scp = sc->sc_next;
			op->o_tmpfree( sc, op->o_tmpmemctx );
			break;
		}
	}
	return SLAP_CB_CONTINUE;
}

/* Whether the search may return sshPublicKey (or say that it is there:
 * attrsonly). */
static int
keys_requested( Operation *op )
{
	AttributeName *an = op->ors_attrs;

	if ( !an ) return 1;
	for ( ; an->an_name.bv_val; an++ ) {
		if ( an->an_desc && warden_ssh_is_key( an->an_desc ) ) return 1;
		if ( an->an_oc ) return 1;	/* "@objectClass" */
		if ( bvmatch( &an->an_name, slap_bv_all_user_attrs ) ) return 1;
	}
	return 0;
}

int
warden_keys_search( Operation *op, SlapReply *rs, slap_overinst *on )
{
	slap_callback *sc;

	(void)rs;
	if ( !warden_ssh.ad_sshPublicKey || !keys_requested( op ) )
		return SLAP_CB_CONTINUE;
	if ( be_isroot( op ) || op->o_sync || warden_is_internal( op ) ||
		warden_role_holds( op, on, WARDEN_ROLE_ADMIN, NULL, NULL ) )
		return SLAP_CB_CONTINUE;
	sc = op->o_tmpcalloc( 1, sizeof( *sc ), op->o_tmpmemctx );
	sc->sc_response = keys_response;
	sc->sc_cleanup = keys_cleanup;
	sc->sc_private = on;
	sc->sc_next = op->o_callback;
	op->o_callback = sc;
	return SLAP_CB_CONTINUE;
}
