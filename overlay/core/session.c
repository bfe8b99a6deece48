/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* session.c - sessions of identities that are no longer allowed
 *
 * A bind is checked once; the connection then acts as the identity it
 * proved for as long as it stays open.  When that identity is disabled,
 * locked or deleted, what it holds open must stop with it: from the
 * moment of the change, every operation on the database from a connection
 * bound as that DN is refused with unwillingToPerform and recorded.
 *
 * The check must cost nothing on the path of every operation, so each
 * connection slot (by c_conn_idx) keeps a hash of the identity it was last
 * seen with and a flag.  A write that disables, locks or deletes an entry
 * flags the slots whose hash is that entry's DN's; a flagged slot, or one
 * seen with a new identity, confirms from the entry itself (its lock, or
 * its absence) once, then clears the flag or refuses.  Stale flags (a hash
 * collision, a lock lifted since) cost one entry read.
 */

#include "warden.h"
#include "core.h"
#include "lockout.h"
#include "audit.h"
#include "fnv.h"

typedef struct warden_session_slot {
	uint64_t	ss_dn;		/* hash of the identity; 0: none seen */
	int		ss_check;	/* confirm at the next operation */
} warden_session_slot;

struct warden_sessions {
	warden_session_slot	*se_slot;	/* dtblsize of them */
	int			se_n;
};

static uint64_t
session_hash( struct berval *ndn )
{
	uint64_t h = warden_hash( ndn->bv_val, ndn->bv_len );

	return h ? h : 1;
}

int
warden_sessions_open( warden_info *wi )
{
	if ( wi->wi_sessions ) return 0;
	wi->wi_sessions = ch_calloc( 1, sizeof( *wi->wi_sessions ) );
	wi->wi_sessions->se_n = dtblsize;
	wi->wi_sessions->se_slot = ch_calloc( dtblsize,
		sizeof( warden_session_slot ) );
	return 0;
}

void
warden_sessions_close( warden_info *wi )
{
	if ( !wi->wi_sessions ) return;
	ch_free( wi->wi_sessions->se_slot );
	ch_free( wi->wi_sessions );
	wi->wi_sessions = NULL;
}

static warden_session_slot *
session_slot( warden_info *wi, Connection *c )
{
	if ( !wi->wi_sessions || !c || c->c_conn_idx < 0 ||
		c->c_conn_idx >= wi->wi_sessions->se_n )
		return NULL;
	return &wi->wi_sessions->se_slot[c->c_conn_idx];
}

void
warden_sessions_conn_destroy( warden_info *wi, Connection *c )
{
	warden_session_slot *s = session_slot( wi, c );

	if ( !s ) return;
	__atomic_store_n( &s->ss_dn, 0, __ATOMIC_SEQ_CST );
	__atomic_store_n( &s->ss_check, 0, __ATOMIC_SEQ_CST );
}

/* Flags the connections bound as ndn.  The write that disabled, locked or
 * deleted ndn is committed before this runs, so a connection that misses
 * the flag (it records its identity meanwhile) reads the change itself. */
static void
session_flag( warden_info *wi, struct berval *ndn )
{
	uint64_t h = session_hash( ndn );
	int i;

	if ( !wi->wi_sessions ) return;
	for ( i = 0; i < wi->wi_sessions->se_n; i++ ) {
		warden_session_slot *s = &wi->wi_sessions->se_slot[i];

		if ( __atomic_load_n( &s->ss_dn, __ATOMIC_SEQ_CST ) == h )
			__atomic_store_n( &s->ss_check, 1, __ATOMIC_SEQ_CST );
	}
}

void
warden_sessions_end( slap_overinst *on, struct berval *ndn )
{
	warden_info *wi = on->on_bi.bi_private;
	int i;

	if ( ndn ) {
		session_flag( wi, ndn );
		return;
	}
	if ( !wi->wi_sessions ) return;
	for ( i = 0; i < wi->wi_sessions->se_n; i++ ) {
		warden_session_slot *s = &wi->wi_sessions->se_slot[i];

		if ( __atomic_load_n( &s->ss_dn, __ATOMIC_SEQ_CST ) )
			__atomic_store_n( &s->ss_check, 1, __ATOMIC_SEQ_CST );
	}
}

/* Whether a modify sets a lock (pwdAccountLockedTime gets a value). */
static int
session_locks( Operation *op )
{
	Modifications *m;

	for ( m = op->orm_modlist; m; m = m->sml_next ) {
		if ( m->sml_desc != warden_pwd.ad_pwdAccountLockedTime ) continue;
		if ( ( m->sml_op == LDAP_MOD_ADD ||
			m->sml_op == LDAP_MOD_REPLACE ) && m->sml_numvals > 0 )
			return 1;
	}
	return 0;
}

void
warden_sessions_written( Operation *op, slap_overinst *on )
{
	warden_info *wi = on->on_bi.bi_private;

	switch ( op->o_tag ) {
	case LDAP_REQ_DELETE:
	case LDAP_REQ_MODRDN:
		/* the DN a connection is bound as no longer names an entry */
		session_flag( wi, &op->o_req_ndn );
		break;
	case LDAP_REQ_MODIFY:
		if ( session_locks( op ) ) session_flag( wi, &op->o_req_ndn );
		break;
	default:
		break;
	}
}

/* Why the identity of the connection may no longer act, from its entry:
 * NULL when it may. */
static const char *
session_refusal( Operation *op, slap_overinst *on, struct berval *ndn )
{
	Operation op2 = *op;
	warden_subject ws;
	warden_time until;

	memset( &ws, 0, sizeof( ws ) );
	op2.o_req_dn = *ndn;
	op2.o_req_ndn = *ndn;
	warden_subject_load( &op2, on, &ws );
	if ( !ws.ws_found )
		return "warden: the account of this connection no longer exists";
	if ( ws.ws_entry_locked == -1 )
		return "warden: the account of this connection is disabled";
	/* the entry, the store and (several providers) the others' locks */
	if ( warden_lockout_lock_end( &op2, on, &ws, &until ) )
		return "warden: the account of this connection is locked";
	return NULL;
}

int
warden_sessions_check( Operation *op, SlapReply *rs, slap_overinst *on )
{
	warden_info *wi = on->on_bi.bi_private;
	Connection *c = op->o_conn;
	warden_session_slot *s = session_slot( wi, c );
	struct berval ndn;
	const char *why;
	uint64_t h;

	if ( !s || BER_BVISEMPTY( &c->c_ndn ) || warden_is_internal( op ) ||
		warden_is_replicated( op ) )
		return SLAP_CB_CONTINUE;
	/* the identity must be of this database, and not its rootdn */
	if ( !dnIsSuffix( &c->c_ndn, &op->o_bd->be_nsuffix[0] ) ||
		be_isroot_dn( op->o_bd, &c->c_ndn ) )
		return SLAP_CB_CONTINUE;
	h = session_hash( &c->c_ndn );
	if ( __atomic_load_n( &s->ss_dn, __ATOMIC_SEQ_CST ) == h &&
		!__atomic_load_n( &s->ss_check, __ATOMIC_SEQ_CST ) )
		return SLAP_CB_CONTINUE;
	/* a new identity on this connection, or a flagged one: confirm.
	 * The identity is recorded before the entry is read (see
	 * session_flag()). */
	__atomic_store_n( &s->ss_dn, h, __ATOMIC_SEQ_CST );
	__atomic_store_n( &s->ss_check, 0, __ATOMIC_SEQ_CST );
	ber_dupbv_x( &ndn, &c->c_ndn, op->o_tmpmemctx );
	why = session_refusal( op, on, &ndn );
	if ( why ) {
		/* refused until the identity changes or the entry allows it */
		__atomic_store_n( &s->ss_check, 1, __ATOMIC_SEQ_CST );
		Debug( LDAP_DEBUG_STATS, "warden: operation of conn=%lu as "
			"\"%s\" refused: %s\n", op->o_connid, ndn.bv_val, why );
	}
	op->o_tmpfree( ndn.bv_val, op->o_tmpmemctx );
	if ( !why ) return SLAP_CB_CONTINUE;
	/* a write's refusal is recorded with the write (warden_write_rules) */
	if ( op->o_tag == LDAP_REQ_SEARCH || op->o_tag == LDAP_REQ_COMPARE ||
		op->o_tag == LDAP_REQ_EXTENDED )
		warden_audit_refusal( op, on, LDAP_UNWILLING_TO_PERFORM, why );
	return warden_refuse( op, rs, on, LDAP_UNWILLING_TO_PERFORM, why );
}
