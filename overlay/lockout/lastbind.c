/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* lastbind.c - pwdLastSuccess written after the bind, by a pool task */

#include "warden.h"
#include "lastbind.h"

typedef struct lastbind_item {
	struct lastbind_item	*li_next;
	time_t			li_when;
	struct berval		li_ndn;		/* follows the item */
} lastbind_item;

struct warden_lastbind {
	ldap_pvt_thread_mutex_t	lb_mutex;
	lastbind_item		*lb_head, **lb_tail;
	unsigned		lb_n;
	int			lb_running;	/* a writer task is submitted */
	int			lb_stopped;	/* the database closed */
	int			lb_orphan;	/* freed: the task frees it */
	slap_overinst		*lb_on;
	struct berval		lb_suffix;	/* finds the database */
};

warden_lastbind *
warden_lastbind_new( void )
{
	warden_lastbind *lb = ch_calloc( 1, sizeof( *lb ) );

	ldap_pvt_thread_mutex_init( &lb->lb_mutex );
	lb->lb_tail = &lb->lb_head;
	return lb;
}

/* Takes the whole queue out (under the mutex). */
static lastbind_item *
lastbind_take( warden_lastbind *lb )
{
	lastbind_item *all = lb->lb_head;

	lb->lb_head = NULL;
	lb->lb_tail = &lb->lb_head;
	lb->lb_n = 0;
	return all;
}

static void
lastbind_drop( lastbind_item *it )
{
	lastbind_item *next;

	for ( ; it; it = next ) {
		next = it->li_next;
		ch_free( it );
	}
}

static void
lastbind_destroy( warden_lastbind *lb )
{
	lastbind_drop( lastbind_take( lb ) );
	ch_free( lb->lb_suffix.bv_val );
	ldap_pvt_thread_mutex_destroy( &lb->lb_mutex );
	ch_free( lb );
}

void
warden_lastbind_free( warden_lastbind *lb )
{
	int running;

	if ( !lb ) return;
	ldap_pvt_thread_mutex_lock( &lb->lb_mutex );
	lb->lb_stopped = 1;
	running = lb->lb_running;
	/* a task still pending (the pool was paused when the database
	 * closed) runs later: it frees the queue then */
	if ( running ) lb->lb_orphan = 1;
	ldap_pvt_thread_mutex_unlock( &lb->lb_mutex );
	if ( !running ) lastbind_destroy( lb );
}

void
warden_lastbind_mod( Modifications *mod, struct berval *vals, char *buf,
	time_t when )
{
	vals[0].bv_val = buf;
	vals[0].bv_len = LDAP_LUTIL_GENTIME_BUFSIZE;
	slap_timestamp( &when, &vals[0] );
	BER_BVZERO( &vals[1] );
	memset( mod, 0, sizeof( *mod ) );
	mod->sml_op = LDAP_MOD_REPLACE;
	mod->sml_desc = slap_schema.si_ad_pwdLastSuccess;
	mod->sml_type = mod->sml_desc->ad_cname;
	mod->sml_flags = SLAP_MOD_INTERNAL;
	mod->sml_values = vals;
	mod->sml_nvalues = vals;
	mod->sml_numvals = 1;
}

/* Whether the entry already records a bind recent enough: binds of one
 * user that read the entry at the same time each queue it, and the first
 * write answers the others. */
static int
lastbind_recorded( Operation *op, slap_overinst *on, lastbind_item *it )
{
	warden_info *wi = on->on_bi.bi_private;
	Entry *e = warden_entry_get( op, on, &it->li_ndn );
	Attribute *a;
	time_t last = 0;

	if ( !e ) return 1;		/* gone: nothing to record */
	a = attr_find( e->e_attrs, slap_schema.si_ad_pwdLastSuccess );
	if ( a ) last = warden_parse_time( &a->a_nvals[0] );
	warden_entry_release( op, on, e );
	return last && it->li_when >= last &&
		it->li_when - last < (time_t)wi->wi_lastbind_precision;
}

/* The writer: a connection of its own, the database as the overlay sees
 * it (a copy, since the internal write sets bd_info), one modify per DN
 * until the queue is empty. */
static void *
lastbind_task( void *ctx, void *arg )
{
	warden_lastbind *lb = arg;
	Connection conn = { 0 };
	OperationBuffer opbuf;
	Operation *op;
	BackendDB *be, db;
	lastbind_item *batch, *it;

	connection_fake_init2( &conn, &opbuf, ctx, 0 );
	op = &opbuf.ob_op;
	ldap_pvt_thread_mutex_lock( &lb->lb_mutex );
	be = lb->lb_stopped ? NULL : select_backend( &lb->lb_suffix, 0 );
	ldap_pvt_thread_mutex_unlock( &lb->lb_mutex );
	if ( be ) {
		db = *be;
		db.bd_info = (BackendInfo *)lb->lb_on;
		op->o_bd = &db;
		op->o_dn = be->be_rootdn;
		op->o_ndn = be->be_rootndn;
	}
	for ( ;; ) {
		int stopped, orphan;

		ldap_pvt_thread_mutex_lock( &lb->lb_mutex );
		batch = lastbind_take( lb );
		stopped = lb->lb_stopped;
		orphan = lb->lb_orphan;
		if ( !batch ) lb->lb_running = 0;
		ldap_pvt_thread_mutex_unlock( &lb->lb_mutex );
		if ( orphan ) {
			/* the instance is gone: nothing of it may be used */
			lastbind_drop( batch );
			lastbind_destroy( lb );
			break;
		}
		if ( !batch ) break;
		for ( it = batch; be && !stopped && it; it = it->li_next ) {
			char buf[LDAP_LUTIL_GENTIME_BUFSIZE];
			struct berval vals[2];
			Modifications mod;
			int rc;

			if ( lastbind_recorded( op, lb->lb_on, it ) ) continue;
			warden_lastbind_mod( &mod, vals, buf, it->li_when );
			rc = warden_internal_write( op, lb->lb_on, &it->li_ndn, &mod );
			/* an entry deleted since its bind has nothing to record */
			if ( rc != LDAP_SUCCESS && rc != LDAP_NO_SUCH_OBJECT )
				Debug( LDAP_DEBUG_ANY, "warden: cannot record the "
					"last successful bind of \"%s\" "
					"(pwdLastSuccess): result %d\n",
					it->li_ndn.bv_val, rc );
		}
		lastbind_drop( batch );
	}
	return NULL;
}

int
warden_lastbind_defer( warden_lastbind *lb, Operation *op, slap_overinst *on,
	struct berval *ndn, time_t when )
{
	lastbind_item *it;
	int rc = -1;

	if ( !op->o_bd || !op->o_bd->be_nsuffix ) return -1;
	it = ch_malloc( sizeof( *it ) + ndn->bv_len + 1 );
	it->li_next = NULL;
	it->li_when = when;
	it->li_ndn.bv_val = (char *)( it + 1 );
	it->li_ndn.bv_len = ndn->bv_len;
	memcpy( it->li_ndn.bv_val, ndn->bv_val, ndn->bv_len + 1 );

	ldap_pvt_thread_mutex_lock( &lb->lb_mutex );
	if ( lb->lb_stopped || lb->lb_n >= WARDEN_LASTBIND_MAX ) goto done;
	if ( !lb->lb_suffix.bv_val ) {
		ber_dupbv( &lb->lb_suffix, &op->o_bd->be_nsuffix[0] );
		lb->lb_on = on;
	}
	if ( !lb->lb_running ) {
		if ( ldap_pvt_thread_pool_submit( &connection_pool, lastbind_task,
				lb ) )
			goto done;
		lb->lb_running = 1;
	}
	*lb->lb_tail = it;
	lb->lb_tail = &it->li_next;
	lb->lb_n++;
	it = NULL;
	rc = 0;

done:
	ldap_pvt_thread_mutex_unlock( &lb->lb_mutex );
	if ( it ) ch_free( it );
	return rc;
}

void
warden_lastbind_stop( warden_lastbind *lb )
{
	lastbind_item *left;
	unsigned n;

	if ( !lb ) return;
	ldap_pvt_thread_mutex_lock( &lb->lb_mutex );
	/* a running task empties the queue and ends; a task not started
	 * because the pool is paused (cn=config) cannot be waited for, and
	 * will find the database stopped */
	while ( lb->lb_running && !lb->lb_stopped &&
			!ldap_pvt_thread_pool_pausing( &connection_pool ) ) {
		ldap_pvt_thread_mutex_unlock( &lb->lb_mutex );
		ldap_pvt_thread_yield();
		ldap_pvt_thread_mutex_lock( &lb->lb_mutex );
	}
	lb->lb_stopped = 1;
	n = lb->lb_n;
	left = lastbind_take( lb );
	ldap_pvt_thread_mutex_unlock( &lb->lb_mutex );
	if ( n )
		Debug( LDAP_DEBUG_ANY, "warden: %u last successful binds "
			"(pwdLastSuccess) not recorded: the database closed "
			"first; those users' next binds record them\n", n );
	lastbind_drop( left );
}

void
warden_lastbind_start( warden_lastbind *lb )
{
	if ( !lb ) return;
	ldap_pvt_thread_mutex_lock( &lb->lb_mutex );
	lb->lb_stopped = 0;
	ldap_pvt_thread_mutex_unlock( &lb->lb_mutex );
}
