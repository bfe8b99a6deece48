/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* internal.c - what every capability needs of slapd: warden's own
 * searches and writes (through the whole overlay stack, as the rootdn),
 * whether an operation is warden's own or replicated, the one way to
 * refuse a request, and the client's address.
 */

#include "warden.h"

/* Internal operations warden issues carry this callback private data, so
 * that warden's own hooks let them through. */
static char warden_internal_marker;

/* The response handler of warden's internal operations.  Not
 * slap_null_cb: ppolicy.la and warden take slap_null_cb with private data
 * for the Password Modify operation's request. */
static int
warden_internal_cb( Operation *op, SlapReply *rs )
{
	return 0;
}

void
warden_internal_search( Operation *op, slap_overinst *on, Filter *f,
	AttributeName *attrs, slap_callback *cb )
{
	Operation op2 = *op;
	SlapReply r2 = { REP_RESULT };
	BackendInfo *bi = op->o_bd->bd_info;

	op2.o_tag = LDAP_REQ_SEARCH;
	op2.o_callback = cb;
	op2.o_dn = op->o_bd->be_rootdn;
	op2.o_ndn = op->o_bd->be_rootndn;
	op2.o_req_dn = op->o_bd->be_suffix[0];
	op2.o_req_ndn = op->o_bd->be_nsuffix[0];
	op2.ors_scope = LDAP_SCOPE_SUBTREE;
	op2.ors_deref = LDAP_DEREF_NEVER;
	op2.ors_limit = NULL;
	op2.ors_slimit = SLAP_NO_LIMIT;
	op2.ors_tlimit = SLAP_NO_LIMIT;
	op2.ors_attrsonly = 0;
	op2.ors_attrs = attrs;
	op2.ors_filter = f;
	filter2bv_x( op, f, &op2.ors_filterstr );
	op2.o_managedsait = SLAP_CONTROL_CRITICAL;
	memset( op2.o_ctrlflag, 0, sizeof( op2.o_ctrlflag ) );
	op2.o_bd->bd_info = (BackendInfo *)on->on_info;
	op2.o_bd->be_search( &op2, &r2 );
	op->o_bd->bd_info = bi;
	op->o_tmpfree( op2.ors_filterstr.bv_val, op->o_tmpmemctx );
}

/* A write of warden's own made from op: the rootdn, and nothing of op's
 * own change -- no CSN and no controls.  op may be a replicated change
 * (a user's delete applied by syncrepl) whose CSN and sync cookie, kept,
 * would make this write look like the other server's (syncprov would not
 * send it back there), or a client's write with an assertion. */
static void
internal_write_op( Operation *op, slap_overinst *on, Operation *op2,
	slap_callback *cb, void **ctrls )
{
	*op2 = *op;
	memset( cb, 0, sizeof( *cb ) );
	cb->sc_response = warden_internal_cb;
	cb->sc_private = &warden_internal_marker;
	op2->o_callback = cb;
	op2->o_dn = op->o_bd->be_rootdn;
	op2->o_ndn = op->o_bd->be_rootndn;
	op2->o_managedsait = SLAP_CONTROL_NONE;
	BER_BVZERO( &op2->o_csn );
	memset( ctrls, 0, SLAP_MAX_CIDS * sizeof( void * ) );
	op2->o_controls = ctrls;
	memset( op2->o_ctrlflag, 0, sizeof( op2->o_ctrlflag ) );
	op2->o_dont_replicate = 0;
	/* through the whole overlay stack, so that syncprov replicates it */
	op2->o_bd->bd_info = (BackendInfo *)on->on_info;
}

int
warden_internal_write( Operation *op, slap_overinst *on, struct berval *ndn,
	Modifications *mods )
{
	Operation op2;
	SlapReply r2 = { REP_RESULT };
	BackendInfo *bi = op->o_bd->bd_info;
	slap_callback cb;
	void *ctrls[SLAP_MAX_CIDS];
	Modifications *last;

	internal_write_op( op, on, &op2, &cb, ctrls );
	op2.o_req_dn = *ndn;
	op2.o_req_ndn = *ndn;
	if ( mods ) {
		for ( last = mods; last->sml_next; last = last->sml_next )
			;
		op2.o_tag = LDAP_REQ_MODIFY;
		op2.orm_modlist = mods;
		op2.orm_no_opattrs = 0;
		op2.orm_increment = 0;
		op2.o_bd->be_modify( &op2, &r2 );
		/* what the backend appended (modifiersName, entryCSN, ...) is
		 * its allocation, not the caller's */
		if ( last->sml_next ) {
			slap_mods_free( last->sml_next, 1 );
			last->sml_next = NULL;
		}
	} else {
		op2.o_tag = LDAP_REQ_DELETE;
		op2.o_bd->be_delete( &op2, &r2 );
	}
	op->o_bd->bd_info = bi;
	if ( r2.sr_ref ) ber_bvarray_free_x( r2.sr_ref, op->o_tmpmemctx );
	return r2.sr_err;
}

/* n values into a new NULL-terminated array, in ch_ memory */
static BerVarray
internal_vals_dup( const struct berval *vals, unsigned n )
{
	BerVarray out = ch_calloc( n + 1, sizeof( struct berval ) );
	unsigned i;

	for ( i = 0; i < n; i++ )
		ber_dupbv( &out[i], (struct berval *)&vals[i] );
	return out;
}

void
warden_mod_append( Operation *op, int mop, AttributeDescription *ad,
	const struct berval *vals, const struct berval *nvals, unsigned n )
{
	Modifications *m, **tail;

	for ( tail = &op->orm_modlist; *tail; tail = &( *tail )->sml_next )
		;
	m = ch_calloc( 1, sizeof( *m ) );
	m->sml_op = mop;
	m->sml_flags = SLAP_MOD_INTERNAL;
	m->sml_desc = ad;
	m->sml_type = ad->ad_cname;
	if ( vals && n ) {
		m->sml_numvals = n;
		m->sml_values = internal_vals_dup( vals, n );
		if ( nvals )
			m->sml_nvalues = internal_vals_dup( nvals, n );
		else if ( ad->ad_type->sat_equality &&
			ad->ad_type->sat_equality->smr_normalize )
			m->sml_nvalues = internal_vals_dup( vals, n );
	}
	*tail = m;
}

int
warden_internal_add( Operation *op, slap_overinst *on, Entry *e )
{
	Operation op2;
	SlapReply r2 = { REP_RESULT };
	BackendInfo *bi = op->o_bd->bd_info;
	slap_callback cb;
	void *ctrls[SLAP_MAX_CIDS];

	internal_write_op( op, on, &op2, &cb, ctrls );
	op2.o_tag = LDAP_REQ_ADD;
	op2.o_req_dn = e->e_name;
	op2.o_req_ndn = e->e_nname;
	op2.ora_e = e;
	op2.ora_modlist = NULL;
	op2.o_bd->be_add( &op2, &r2 );
	/* as syncrepl does: the backend may have taken another entry */
	if ( r2.sr_err == LDAP_SUCCESS && op2.ora_e == e )
		be_entry_release_w( &op2, e );
	else
		entry_free( e );
	op->o_bd->bd_info = bi;
	if ( r2.sr_ref ) ber_bvarray_free_x( r2.sr_ref, op->o_tmpmemctx );
	return r2.sr_err;
}

int
warden_is_internal( Operation *op )
{
	slap_callback *sc;

	for ( sc = op->o_callback; sc; sc = sc->sc_next ) {
		if ( sc->sc_private == &warden_internal_marker ) return 1;
	}
	return 0;
}

int
warden_refuse( Operation *op, SlapReply *rs, slap_overinst *on, int code,
	const char *text )
{
	BackendInfo *bi = op->o_bd->bd_info;
	char *copy = NULL;

	if ( text ) {
		size_t n = strlen( text ) + 1;

		copy = op->o_tmpalloc( n, op->o_tmpmemctx );
		memcpy( copy, text, n );
	}
	op->o_bd->bd_info = (BackendInfo *)on->on_info;
	send_ldap_error( op, rs, code, copy );
	op->o_bd->bd_info = bi;
	rs->sr_text = NULL;
	return code;
}

int
warden_is_replicated( Operation *op )
{
	return be_shadow_update( op ) || be_isupdate( op );
}

int
warden_replication_rid( Operation *op )
{
	return SLAP_SYNC_SHADOW( op->o_bd ) &&
		SLAPD_SYNC_IS_SYNCCONN( op->o_connid ) ?
		(int)op->o_connid : 0;	/* SLAPD_SYNC_RID2SYNCCONN(rid) is rid */
}

void
warden_client_host( Operation *op, char *buf, size_t len )
{
	const char *peer = op->o_conn && op->o_conn->c_peer_name.bv_val ?
		op->o_conn->c_peer_name.bv_val : "";
	char *colon;

	snprintf( buf, len, "%s", peer );
	if ( strncmp( buf, "IP=", 3 ) ) return;
	colon = strrchr( buf, ':' );
	/* IPv4 "IP=a.b.c.d:port", IPv6 "IP=[::1]:port" */
	if ( colon && ( buf[3] != '[' || colon[-1] == ']' ) ) *colon = '\0';
}

Entry *
warden_entry_get( Operation *op, slap_overinst *on, struct berval *ndn )
{
	BackendInfo *bi = op->o_bd->bd_info;
	Entry *e = NULL;

	op->o_bd->bd_info = (BackendInfo *)on->on_info;
	if ( be_entry_get_rw( op, ndn, NULL, NULL, 0, &e ) != LDAP_SUCCESS )
		e = NULL;
	op->o_bd->bd_info = bi;
	return e;
}

void
warden_entry_release( Operation *op, slap_overinst *on, Entry *e )
{
	BackendInfo *bi = op->o_bd->bd_info;

	if ( !e ) return;
	op->o_bd->bd_info = (BackendInfo *)on->on_info;
	be_entry_release_r( op, e );
	op->o_bd->bd_info = bi;
}
