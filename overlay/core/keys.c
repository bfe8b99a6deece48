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
 * Keys left out must not be found another way either: a search filter,
 * a compare or an assertion control (RFC 4528) that tests sshPublicKey
 * answers as if the entry had none.  The backend judges filters against
 * its own entries, so a filter that tests the keys goes down relaxed
 * (keys_filter_rewrite(): every test of sshPublicKey replaced by the value
 * that lets the most entries through) and the client's filter is tried
 * again on each entry as the system is served it, keys left out or not;
 * an entry it does not match is not sent.  A compare, or an assertion on
 * a compare or a search's base, is answered from the entry as served
 * (slap_compare_entry(), as back-mdb does; an assertion's tests of
 * sshPublicKey decided on it).
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

/* Takes the keys out of an entry of warden's own (a copy). */
static void
keys_strip( Entry *e )
{
	Attribute *a, **ap;

	for ( ap = &e->e_attrs; *ap; ) {
		a = *ap;
		if ( warden_ssh_is_key( a->a_desc ) ) {
			*ap = a->a_next;
			a->a_next = NULL;
			attr_free( a );
		} else {
			ap = &a->a_next;
		}
	}
}

static int
keys_held( Entry *e )
{
	Attribute *a;

	for ( a = e->e_attrs; a; a = a->a_next ) {
		if ( warden_ssh_is_key( a->a_desc ) ) return 1;
	}
	return 0;
}

/* Whether op's identity is served every key: the rootdn, replication (a
 * consumer must keep every key), warden itself, the administrators. */
static int
keys_sees_all( Operation *op, slap_overinst *on )
{
	return be_isroot( op ) || op->o_sync || warden_is_internal( op ) ||
		warden_role_holds( op, on, WARDEN_ROLE_ADMIN, NULL, NULL );
}

/* Whether a filter tests sshPublicKey.  An extensible match without an
 * attribute tests every attribute, the keys too. */
static int
keys_filter_mentions( Filter *f )
{
	Filter *l;

	if ( !f ) return 0;
	switch ( f->f_choice & SLAPD_FILTER_MASK ) {
	case LDAP_FILTER_AND:
	case LDAP_FILTER_OR:
		for ( l = f->f_list; l; l = l->f_next ) {
			if ( keys_filter_mentions( l ) ) return 1;
		}
		return 0;
	case LDAP_FILTER_NOT:
		return keys_filter_mentions( f->f_not );
	case LDAP_FILTER_PRESENT:
		return warden_ssh_is_key( f->f_desc );
	case LDAP_FILTER_EQUALITY:
	case LDAP_FILTER_GE:
	case LDAP_FILTER_LE:
	case LDAP_FILTER_APPROX:
		return warden_ssh_is_key( f->f_av_desc );
	case LDAP_FILTER_SUBSTRINGS:
		return warden_ssh_is_key( f->f_sub_desc );
	case LDAP_FILTER_EXT:
		return !f->f_mr_desc || warden_ssh_is_key( f->f_mr_desc );
	default:
		return 0;
	}
}

/* With e NULL: a copy of f (op memory) for the backend, which sees every
 * key: each test of sshPublicKey becomes true, or false under an odd
 * number of NOTs.  An AND, an OR and an even number of NOTs only let more
 * through when a test gives more, an odd number of NOTs when it gives
 * less: so whatever the keys of an entry are taken to be, the copy
 * matches it whenever f does, and keys_response() tries f itself on the
 * entry as served.
 * With e: a copy for that entry as served, each test of sshPublicKey
 * replaced by its result on e. */
static Filter *
keys_filter_rewrite( Operation *op, Filter *f, Entry *e, int positive )
{
	Filter *n, *l, **tail;

	if ( !keys_filter_mentions( f ) )
		return filter_dup( f, op->o_tmpmemctx );
	n = op->o_tmpcalloc( 1, sizeof( *n ), op->o_tmpmemctx );
	switch ( f->f_choice & SLAPD_FILTER_MASK ) {
	case LDAP_FILTER_AND:
	case LDAP_FILTER_OR:
		n->f_choice = f->f_choice;
		tail = &n->f_list;
		for ( l = f->f_list; l; l = l->f_next ) {
			*tail = keys_filter_rewrite( op, l, e, positive );
			tail = &(*tail)->f_next;
		}
		break;
	case LDAP_FILTER_NOT:
		n->f_choice = f->f_choice;
		n->f_not = keys_filter_rewrite( op, f->f_not, e, !positive );
		break;
	default:
		n->f_choice = SLAPD_FILTER_COMPUTED;
		if ( e )
			n->f_result = test_filter( op, e, f );
		else
			n->f_result = positive ? LDAP_COMPARE_TRUE :
				LDAP_COMPARE_FALSE;
		break;
	}
	return n;
}

/* The entry ndn as op's identity is served it when that leaves its keys
 * out: a copy without them (entry_free() it); NULL when there is no such
 * entry, it holds no key, or its keys are served.  A referral is left to
 * the backend (it answers with the referral, never the entry). */
static Entry *
keys_hidden_entry( Operation *op, slap_overinst *on, struct berval *ndn )
{
	Entry *e = warden_entry_get( op, on, ndn ), *copy = NULL;
	const char *why;

	if ( !e ) return NULL;
	if ( keys_held( e ) && ( get_manageDSAit( op ) || !is_entry_referral( e ) ) )
		copy = entry_dup( e );
	/* released before the decision, which may search */
	warden_entry_release( op, on, e );
	if ( !copy ) return NULL;
	why = keys_refusal( op, on, copy );
	if ( !why ) {
		entry_free( copy );
		return NULL;
	}
	Debug( LDAP_DEBUG_STATS2, "warden: conn=%lu op=%lu: the SSH keys of "
		"\"%s\" left out: %s\n", op->o_connid, op->o_opid,
		copy->e_name.bv_val, why );
	keys_strip( copy );
	return copy;
}

/* What a search carries to its entries and its end, in op memory. */
typedef struct keys_search_ctx {
	slap_callback	kc_cb;
	slap_overinst	*kc_on;
	/* the client's filter, when the backend has a relaxed copy */
	Filter		*kc_filter;
	struct berval	kc_filterstr;
	/* the client's assertion, when the backend has one decided on the
	 * base entry as served */
	Filter		*kc_assertion;
} keys_search_ctx;

static int
keys_response( Operation *op, SlapReply *rs )
{
	keys_search_ctx *kc = op->o_callback->sc_private;
	slap_overinst *on = kc->kc_on;
	const char *why;

	if ( rs->sr_type != REP_SEARCH || !rs->sr_entry ) return SLAP_CB_CONTINUE;
	if ( keys_held( rs->sr_entry ) &&
		( why = keys_refusal( op, on, rs->sr_entry ) ) ) {
		Debug( LDAP_DEBUG_STATS2, "warden: conn=%lu op=%lu: the SSH keys "
			"of \"%s\" left out: %s\n", op->o_connid, op->o_opid,
			rs->sr_entry->e_name.bv_val, why );
		/* a copy of the entry, never the backend's */
		rs_entry2modifiable( op, rs, on );
		keys_strip( rs->sr_entry );
	}
	/* the backend matched the relaxed filter: the client's must match
	 * the entry as it is served */
	if ( kc->kc_filter &&
		test_filter( op, rs->sr_entry, kc->kc_filter ) != LDAP_COMPARE_TRUE ) {
		rs_flush_entry( op, rs, on );
		return LDAP_SUCCESS;	/* not sent */
	}
	return SLAP_CB_CONTINUE;
}

static int
keys_cleanup( Operation *op, SlapReply *rs )
{
	keys_search_ctx *kc = op->o_callback->sc_private;
	slap_callback **scp;

	if ( rs->sr_type != REP_RESULT ) return SLAP_CB_CONTINUE;
	if ( kc->kc_filter ) {
		op->o_tmpfree( op->ors_filterstr.bv_val, op->o_tmpmemctx );
		filter_free_x( op, op->ors_filter, 1 );
		op->ors_filter = kc->kc_filter;
		op->ors_filterstr = kc->kc_filterstr;
	}
	if ( kc->kc_assertion ) {
		filter_free_x( op, get_assertion( op ), 1 );
		op->o_assertion = kc->kc_assertion;
	}
	for ( scp = &op->o_callback; *scp; scp = &(*scp)->sc_next ) {
		if ( *scp == &kc->kc_cb ) {
			*scp = kc->kc_cb.sc_next;
			break;
		}
	}
	op->o_tmpfree( kc, op->o_tmpmemctx );
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

static int
keys_asserted( Operation *op )
{
	return get_assert( op ) && keys_filter_mentions( get_assertion( op ) );
}

int
warden_keys_search( Operation *op, SlapReply *rs, slap_overinst *on )
{
	keys_search_ctx *kc;
	int filtered, asserted;

	(void)rs;
	if ( !warden_ssh.ad_sshPublicKey ) return SLAP_CB_CONTINUE;
	filtered = keys_filter_mentions( op->ors_filter );
	asserted = keys_asserted( op );
	if ( !filtered && !asserted && !keys_requested( op ) )
		return SLAP_CB_CONTINUE;
	if ( keys_sees_all( op, on ) ) return SLAP_CB_CONTINUE;
	kc = op->o_tmpcalloc( 1, sizeof( *kc ), op->o_tmpmemctx );
	kc->kc_on = on;
	if ( asserted ) {
		/* the assertion applies to the base entry alone */
		Entry *e = keys_hidden_entry( op, on, &op->o_req_ndn );

		if ( e ) {
			kc->kc_assertion = get_assertion( op );
			op->o_assertion = keys_filter_rewrite( op,
				kc->kc_assertion, e, 1 );
			entry_free( e );
		}
	}
	if ( filtered ) {
		kc->kc_filter = op->ors_filter;
		kc->kc_filterstr = op->ors_filterstr;
		op->ors_filter = keys_filter_rewrite( op, kc->kc_filter, NULL, 1 );
		filter2bv_x( op, op->ors_filter, &op->ors_filterstr );
	}
	kc->kc_cb.sc_response = keys_response;
	kc->kc_cb.sc_cleanup = keys_cleanup;
	kc->kc_cb.sc_private = kc;
	kc->kc_cb.sc_next = op->o_callback;
	op->o_callback = &kc->kc_cb;
	return SLAP_CB_CONTINUE;
}

int
warden_keys_compare( Operation *op, SlapReply *rs, slap_overinst *on )
{
	BackendInfo *bi = op->o_bd->bd_info;
	Entry *e;

	if ( !warden_ssh.ad_sshPublicKey ) return SLAP_CB_CONTINUE;
	if ( !warden_ssh_is_key( op->orc_ava->aa_desc ) && !keys_asserted( op ) )
		return SLAP_CB_CONTINUE;
	if ( keys_sees_all( op, on ) ) return SLAP_CB_CONTINUE;
	e = keys_hidden_entry( op, on, &op->o_req_ndn );
	if ( !e ) return SLAP_CB_CONTINUE;
	/* back-mdb's answer (ACL, assertion, the attribute, disclose) from
	 * the entry as served */
	rs->sr_err = slap_compare_entry( op, e, op->orc_ava );
	entry_free( e );
	op->o_bd->bd_info = (BackendInfo *)on->on_info;
	send_ldap_result( op, rs );
	op->o_bd->bd_info = bi;
	if ( rs->sr_err == LDAP_COMPARE_TRUE || rs->sr_err == LDAP_COMPARE_FALSE )
		return LDAP_SUCCESS;
	return rs->sr_err;
}
