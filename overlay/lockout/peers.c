/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* peers.c - lockout across several providers (see peers.h)
 *
 * Why entries of its own per server: non-delta syncrepl replicates whole
 * entries and resolves two changes of one entry by entryCSN, dropping the
 * older one ("dn_callback : new entry is older than ours", syncrepl.c).
 * Failures written into the user's entry by two providers at once would
 * lose counts (ppolicy's pwdFailureTime does).  Here each server writes
 * only below cn=warden-state-<its serverID>, so every entry has exactly
 * one writer, replication has nothing to resolve, and the servers agree
 * by merging facts: failures after the latest reset or lock of any
 * server count (peerstate.c, warden_peer_view_of()).
 *
 * What it costs: one DIT write per counted failure (the failure must
 * reach the others), one per reset of a user that had failures, none for
 * a user without failures.  Under spraying the per-address throttle
 * refuses before counting, so an address costs at most its
 * wardenSourceMaxFailure writes per interval.
 */

#include "peers.h"
#include "clock.h"
#include "hex.h"

#define PEERS_STRIPES	64
#define PEERS_PREFIX	"cn=warden-state-"
#define PEERS_UUID_RDN	"wardenUUID="

#define PEERS_RECENT	8

/* An instance's publications (warden_peers_new()). */
struct warden_peers {
	/* One publication of a user at a time: the record written and the
	 * one stored must be the same.  Held across the internal write;
	 * nothing that write runs takes it. */
	ldap_pvt_thread_mutex_t	pe_mutex[PEERS_STRIPES];
	/* Users whose failure this server is publishing or has just
	 * published (the end of the write, or WARDEN_FOREVER while it
	 * runs): their next attempt here waits until the others can have
	 * learnt of it.  A few per stripe, the oldest replaced; its own
	 * mutex, never held across a write. */
	ldap_pvt_thread_mutex_t	pe_recent_mutex[PEERS_STRIPES];
	struct {
		unsigned char	uuid[WARDEN_UUID_LEN];
		warden_time	at;
	} pe_recent[PEERS_STRIPES][PEERS_RECENT];
	/* the state entries' schema, which warden.la registers at load
	 * (ownschema.c); pe_ok: all of it is there */
	AttributeDescription	*pe_uuid, *pe_fail, *pe_reset, *pe_locked_at,
				*pe_locked_until;
	ObjectClass		*pe_server, *pe_user;
	int			pe_ok;
};

warden_peers *
warden_peers_new( void )
{
	warden_peers *pe = ch_calloc( 1, sizeof( *pe ) );
	const char *text;
	unsigned i;

	for ( i = 0; i < PEERS_STRIPES; i++ ) {
		ldap_pvt_thread_mutex_init( &pe->pe_mutex[i] );
		ldap_pvt_thread_mutex_init( &pe->pe_recent_mutex[i] );
	}
	if ( !slap_str2ad( "wardenUUID", &pe->pe_uuid, &text ) &&
		!slap_str2ad( "wardenStateFailure", &pe->pe_fail, &text ) &&
		!slap_str2ad( "wardenStateReset", &pe->pe_reset, &text ) &&
		!slap_str2ad( "wardenStateLockedAt", &pe->pe_locked_at, &text ) &&
		!slap_str2ad( "wardenStateLockedUntil", &pe->pe_locked_until,
			&text ) ) {
		pe->pe_server = oc_find( "wardenServerState" );
		pe->pe_user = oc_find( "wardenUserState" );
		pe->pe_ok = pe->pe_server && pe->pe_user;
	}
	return pe;
}

void
warden_peers_free( warden_peers *pe )
{
	unsigned i;

	if ( !pe ) return;
	for ( i = 0; i < PEERS_STRIPES; i++ ) {
		ldap_pvt_thread_mutex_destroy( &pe->pe_mutex[i] );
		ldap_pvt_thread_mutex_destroy( &pe->pe_recent_mutex[i] );
	}
	ch_free( pe );
}

/* The instance's publications, when its state entries can be written. */
static warden_peers *
peers_ready( slap_overinst *on )
{
	warden_peers *pe = warden_lockout_peers( on );

	return pe && pe->pe_ok ? pe : NULL;
}

static unsigned
peers_stripe( const unsigned char *uuid )
{
	unsigned h = 0, i;

	for ( i = 0; i < WARDEN_UUID_LEN; i++ ) h = h * 31 + uuid[i];
	return h % PEERS_STRIPES;
}

static void
peers_mark( warden_peers *pe, unsigned stripe, const unsigned char *uuid,
	warden_time at )
{
	unsigned i, pick = 0;

	ldap_pvt_thread_mutex_lock( &pe->pe_recent_mutex[stripe] );
	for ( i = 0; i < PEERS_RECENT; i++ ) {
		if ( !memcmp( pe->pe_recent[stripe][i].uuid, uuid, WARDEN_UUID_LEN ) ) {
			pick = i;
			break;
		}
		if ( pe->pe_recent[stripe][i].at < pe->pe_recent[stripe][pick].at )
			pick = i;
	}
	memcpy( pe->pe_recent[stripe][pick].uuid, uuid, WARDEN_UUID_LEN );
	pe->pe_recent[stripe][pick].at = at;
	ldap_pvt_thread_mutex_unlock( &pe->pe_recent_mutex[stripe] );
}

int
warden_peers_settling( slap_overinst *on, const unsigned char *uuid,
	warden_time now )
{
	warden_peers *pe = warden_lockout_peers( on );
	unsigned stripe = peers_stripe( uuid ), i;
	int rc = 0;

	if ( !pe ) return 0;
	ldap_pvt_thread_mutex_lock( &pe->pe_recent_mutex[stripe] );
	for ( i = 0; i < PEERS_RECENT; i++ ) {
		warden_time at = pe->pe_recent[stripe][i].at;

		if ( !at || memcmp( pe->pe_recent[stripe][i].uuid, uuid,
				WARDEN_UUID_LEN ) )
			continue;
		rc = at > now || now - at < WARDEN_PEERS_SETTLE;
		break;
	}
	ldap_pvt_thread_mutex_unlock( &pe->pe_recent_mutex[stripe] );
	return rc;
}

int
warden_peers_multi( Operation *op )
{
	return op->o_bd && SLAP_MULTIPROVIDER( op->o_bd ) && slap_serverID > 0;
}

int
warden_peers_shadow( Operation *op )
{
	return op->o_bd && ( SLAP_SYNC_SHADOW( op->o_bd ) ||
		warden_peers_multi( op ) );
}

/* What a normalized DN is to this module: 0 nothing of it, 1 a server's
 * container (*sid), 2 a user's state entry (*sid, uuid), 3 something
 * else inside a container. */
static int
peers_parse( Operation *op, struct berval *ndn, unsigned *sid,
	unsigned char *uuid )
{
	struct berval *sfx;
	const char *start, *end, *rdn, *p;
	size_t plen = sizeof( PEERS_PREFIX ) - 1, ulen = sizeof( PEERS_UUID_RDN ) - 1;
	unsigned n = 0;

	if ( !op->o_bd || !op->o_bd->be_nsuffix ) return 0;
	sfx = &op->o_bd->be_nsuffix[0];
	if ( BER_BVISEMPTY( sfx ) || ndn->bv_len < sfx->bv_len + 1 + plen + 1 )
		return 0;
	start = ndn->bv_val;
	end = start + ndn->bv_len - sfx->bv_len;
	if ( end[-1] != ',' || memcmp( end, sfx->bv_val, sfx->bv_len ) )
		return 0;
	end--;
	for ( rdn = end; rdn > start && rdn[-1] != ','; rdn-- )
		;
	/* an escaped comma is inside a value: not one of our RDNs */
	if ( rdn > start + 1 && rdn[-2] == '\\' ) return 0;
	if ( (size_t)( end - rdn ) <= plen || strncasecmp( rdn, PEERS_PREFIX, plen ) )
		return 0;
	for ( p = rdn + plen; p < end; p++ ) {
		if ( *p < '0' || *p > '9' || n > 4095 ) return 0;
		n = n * 10 + (unsigned)( *p - '0' );
	}
	if ( n > 4095 ) return 0;
	*sid = n;
	if ( rdn == start ) return 1;
	if ( (size_t)( rdn - 1 - start ) != ulen + 2 * WARDEN_UUID_LEN ||
		strncasecmp( start, PEERS_UUID_RDN, ulen ) ||
		warden_hex_decode( start + ulen, WARDEN_UUID_LEN, uuid ) )
		return 3;
	return 2;
}

/* The normalized DN of this server's container (uuid NULL) or of its
 * state entry for a user, on op memory. */
static int
peers_dn( Operation *op, const unsigned char *uuid, struct berval *ndn )
{
	struct berval *sfx = &op->o_bd->be_nsuffix[0], dn;
	char hex[2 * WARDEN_UUID_LEN + 1];
	size_t n = sfx->bv_len + 64 + sizeof( hex );
	int rc;

	dn.bv_val = op->o_tmpalloc( n, op->o_tmpmemctx );
	if ( uuid ) {
		warden_hex_encode( uuid, WARDEN_UUID_LEN, hex );
		hex[2 * WARDEN_UUID_LEN] = '\0';
		dn.bv_len = snprintf( dn.bv_val, n, PEERS_UUID_RDN "%s,"
			PEERS_PREFIX "%d,%s", hex, slap_serverID, sfx->bv_val );
	} else {
		dn.bv_len = snprintf( dn.bv_val, n, PEERS_PREFIX "%d,%s",
			slap_serverID, sfx->bv_val );
	}
	rc = dnNormalize( 0, NULL, NULL, &dn, ndn, op->o_tmpmemctx );
	op->o_tmpfree( dn.bv_val, op->o_tmpmemctx );
	return rc;
}

static void
peers_num( Operation *op, struct berval *bv, warden_time t )
{
	bv->bv_val = op->o_tmpalloc( 24, op->o_tmpmemctx );
	bv->bv_len = snprintf( bv->bv_val, 24, "%lld", (long long)t );
}

/* The four attributes of a record as REPLACE modifications (an absent
 * fact: no values, which removes the attribute). */
static void
peers_mods( Operation *op, warden_peers *pe, const warden_peer_rec *rec,
	Modifications *mods, BerVarray vals )
{
	struct {
		AttributeDescription *ad;
		warden_time t;
	} one[3] = {
		{ pe->pe_reset, rec->pr_reset },
		{ pe->pe_locked_at, rec->pr_locked_at },
		{ pe->pe_locked_until, rec->pr_locked_until },
	};
	unsigned i, k = 0;

	memset( mods, 0, 4 * sizeof( *mods ) );
	for ( i = 0; i < 4; i++ ) {
		mods[i].sml_op = LDAP_MOD_REPLACE;
		mods[i].sml_flags = SLAP_MOD_INTERNAL;
		mods[i].sml_next = i < 3 ? &mods[i + 1] : NULL;
	}
	mods[0].sml_desc = pe->pe_fail;
	if ( rec->pr_nfail ) {
		mods[0].sml_values = &vals[k];
		for ( i = 0; i < rec->pr_nfail; i++ )
			peers_num( op, &vals[k++], rec->pr_fail[i] );
		BER_BVZERO( &vals[k] );
		k++;
		mods[0].sml_numvals = rec->pr_nfail;
	}
	for ( i = 0; i < 3; i++ ) {
		mods[i + 1].sml_desc = one[i].ad;
		if ( !one[i].t ) continue;
		mods[i + 1].sml_values = &vals[k];
		peers_num( op, &vals[k++], one[i].t );
		BER_BVZERO( &vals[k] );
		k++;
		mods[i + 1].sml_numvals = 1;
	}
	for ( i = 0; i < 4; i++ ) {
		mods[i].sml_type = mods[i].sml_desc->ad_cname;
		mods[i].sml_nvalues = mods[i].sml_values;
	}
}

static void
peers_vals_free( Operation *op, BerVarray vals, unsigned n )
{
	unsigned i;

	for ( i = 0; i < n; i++ )
		if ( vals[i].bv_val ) op->o_tmpfree( vals[i].bv_val, op->o_tmpmemctx );
}

static int
peers_modify( Operation *op, slap_overinst *on, warden_peers *pe,
	struct berval *ndn, const warden_peer_rec *rec )
{
	Modifications mods[4];
	struct berval vals[WARDEN_FAIL_MAX + 8];
	int rc;

	memset( vals, 0, sizeof( vals ) );
	peers_mods( op, pe, rec, mods, vals );
	rc = warden_internal_write( op, on, ndn, mods );
	peers_vals_free( op, vals, WARDEN_FAIL_MAX + 8 );
	return rc;
}

static void
peers_merge_num( Entry *e, AttributeDescription *ad, warden_time t )
{
	char buf[24];
	struct berval bv;

	bv.bv_val = buf;
	bv.bv_len = snprintf( buf, sizeof( buf ), "%lld", (long long)t );
	attr_merge_one( e, ad, &bv, &bv );
}

/* This server's container, cn=warden-state-<serverID>, made on first
 * need. */
static int
peers_add_container( Operation *op, slap_overinst *on, warden_peers *pe,
	struct berval *ndn )
{
	Entry *e = entry_alloc();
	struct berval cn;
	char buf[32];

	ber_dupbv( &e->e_name, ndn );
	ber_dupbv( &e->e_nname, ndn );
	attr_merge_one( e, slap_schema.si_ad_objectClass,
		&pe->pe_server->soc_cname, NULL );
	cn.bv_val = buf;
	cn.bv_len = snprintf( buf, sizeof( buf ), PEERS_PREFIX "%d",
		slap_serverID );
	attr_merge_one( e, slap_schema.si_ad_cn, &cn, &cn );
	return warden_internal_add( op, on, e );
}

static int
peers_add_user( Operation *op, slap_overinst *on, warden_peers *pe,
	struct berval *ndn, const unsigned char *uuid, const warden_peer_rec *rec )
{
	Entry *e = entry_alloc();
	char hex[2 * WARDEN_UUID_LEN];
	struct berval bv = { sizeof( hex ), hex };
	unsigned i;

	warden_hex_encode( uuid, WARDEN_UUID_LEN, hex );
	ber_dupbv( &e->e_name, ndn );
	ber_dupbv( &e->e_nname, ndn );
	attr_merge_one( e, slap_schema.si_ad_objectClass,
		&pe->pe_user->soc_cname, NULL );
	attr_merge_one( e, pe->pe_uuid, &bv, &bv );
	for ( i = 0; i < rec->pr_nfail; i++ )
		peers_merge_num( e, pe->pe_fail, rec->pr_fail[i] );
	if ( rec->pr_reset ) peers_merge_num( e, pe->pe_reset, rec->pr_reset );
	if ( rec->pr_locked_at )
		peers_merge_num( e, pe->pe_locked_at, rec->pr_locked_at );
	if ( rec->pr_locked_until )
		peers_merge_num( e, pe->pe_locked_until, rec->pr_locked_until );
	return warden_internal_add( op, on, e );
}

void
warden_peers_publish( Operation *op, slap_overinst *on,
	const unsigned char *uuid, warden_time reset )
{
	warden_info *wi = on->on_bi.bi_private;
	warden_peers *pe;
	warden_lock_state st;
	warden_peer_rec old, rec;
	struct berval ndn = BER_BVNULL, cndn = BER_BVNULL;
	char msg[256];
	unsigned stripe, i;
	int had, rc;

	if ( !wi->wi_store || !warden_peers_multi( op ) ||
		!( pe = peers_ready( on ) ) )
		return;
	stripe = peers_stripe( uuid );
	/* a failure: the user's next attempt here waits for this write and
	 * for the time replication takes after it */
	if ( !reset ) peers_mark( pe, stripe, uuid, WARDEN_FOREVER );
	ldap_pvt_thread_mutex_lock( &pe->pe_mutex[stripe] );
	if ( warden_lock_get( wi->wi_store, uuid, &st, msg, sizeof( msg ) ) < 0 )
		goto fail;
	had = warden_peer_get( wi->wi_store, uuid, (unsigned)slap_serverID,
		&old, msg, sizeof( msg ) );
	if ( had < 0 ) goto fail;
	memset( &rec, 0, sizeof( rec ) );
	rec.pr_sid = (unsigned)slap_serverID;
	rec.pr_reset = reset > old.pr_reset ? reset : old.pr_reset;
	/* the last lock's start stays published after it ended (its end
	 * then 0): the failures before it are paid for on every server, even
	 * those a server still lists */
	rec.pr_locked_at = st.ls_last_lock;
	if ( st.ls_locked_at ) rec.pr_locked_until = st.ls_locked_until;
	rec.pr_nfail = st.ls_nfail;
	for ( i = 0; i < st.ls_nfail; i++ ) rec.pr_fail[i] = st.ls_fail[i];
	if ( had == 0 && warden_peer_same( &old, &rec ) ) goto done;
	/* nothing to say and nothing said: a user without failures costs
	 * no write */
	if ( had && !rec.pr_nfail && !rec.pr_locked_at && !rec.pr_reset )
		goto done;

	if ( peers_dn( op, uuid, &ndn ) ) {
		snprintf( msg, sizeof( msg ), "cannot form the state entry's DN" );
		goto fail;
	}
	rc = had == 0 ? peers_modify( op, on, pe, &ndn, &rec ) : LDAP_NO_SUCH_OBJECT;
	if ( rc == LDAP_NO_SUCH_OBJECT ) {
		rc = peers_add_user( op, on, pe, &ndn, uuid, &rec );
		if ( rc == LDAP_NO_SUCH_OBJECT && !peers_dn( op, NULL, &cndn ) ) {
			rc = peers_add_container( op, on, pe, &cndn );
			if ( rc == LDAP_SUCCESS || rc == LDAP_ALREADY_EXISTS )
				rc = peers_add_user( op, on, pe, &ndn, uuid, &rec );
		}
	}
	/* the entry is there but the store forgot it */
	if ( rc == LDAP_ALREADY_EXISTS ) rc = peers_modify( op, on, pe, &ndn, &rec );
	if ( rc != LDAP_SUCCESS ) {
		snprintf( msg, sizeof( msg ), "cannot write \"%s\": result %d",
			ndn.bv_val, rc );
		goto fail;
	}
	if ( warden_peer_put( wi->wi_store, uuid, &rec, msg, sizeof( msg ) ) )
		goto fail;
	goto done;

fail:
	Debug( LDAP_DEBUG_ANY, "warden: cannot share the lockout state with "
		"the other providers: %s\n", msg );
done:
	ldap_pvt_thread_mutex_unlock( &pe->pe_mutex[stripe] );
	if ( !reset ) peers_mark( pe, stripe, uuid, warden_clock_us() );
	if ( ndn.bv_val ) op->o_tmpfree( ndn.bv_val, op->o_tmpmemctx );
	if ( cndn.bv_val ) op->o_tmpfree( cndn.bv_val, op->o_tmpmemctx );
}

int
warden_peers_view( Operation *op, slap_overinst *on,
	const unsigned char *uuid, const warden_lock_state *st,
	const warden_lock_policy *lp, warden_time now, warden_peer_view *v,
	char *msg, size_t len )
{
	warden_info *wi = on->on_bi.bi_private;
	warden_peer_rec recs[WARDEN_PEER_MAX];
	unsigned n;

	memset( v, 0, sizeof( *v ) );
	if ( !wi->wi_store || !warden_peers_shadow( op ) ) return 0;
	if ( warden_peer_list( wi->wi_store, uuid, recs, WARDEN_PEER_MAX, &n,
			msg, len ) )
		return -1;
	warden_peer_view_of( recs, n, (unsigned)slap_serverID,
		st->ls_last_lock, lp, now, v );
	return 0;
}

int
warden_peers_fail( Operation *op, slap_overinst *on,
	const unsigned char *uuid, const warden_lock_policy *lp,
	warden_time now, warden_lock_state *st, int *locked_now,
	char *msg, size_t len )
{
	warden_info *wi = on->on_bi.bi_private;
	warden_lock_policy all = *lp;
	warden_lock_state cur;
	warden_peer_view v;

	if ( warden_peers_shadow( op ) ) {
		if ( warden_lock_get( wi->wi_store, uuid, &cur, msg, len ) < 0 ||
			warden_peers_view( op, on, uuid, &cur, lp, now, &v, msg, len ) )
			return -1;
		/* the others' failures count toward this server's limit */
		if ( v.pv_count && all.lp_max_failure )
			all.lp_max_failure = all.lp_max_failure > v.pv_count ?
				all.lp_max_failure - v.pv_count : 1;
	}
	return warden_lock_fail( wi->wi_store, uuid, &all, now, st,
		locked_now, msg, len );
}

void
warden_peers_lock( Operation *op, slap_overinst *on,
	const unsigned char *uuid, const warden_lock_policy *lp,
	warden_time now )
{
	warden_info *wi = on->on_bi.bi_private;
	char msg[256];
	int locked = 0;

	if ( !warden_peers_multi( op ) ) return;
	if ( warden_lock_force( wi->wi_store, uuid, lp, now, NULL, &locked,
			msg, sizeof( msg ) ) ) {
		Debug( LDAP_DEBUG_ANY, "warden: cannot lock \"%s\": %s\n",
			op->o_req_dn.bv_val, msg );
		return;
	}
	if ( locked )
		Debug( LDAP_DEBUG_ANY, "warden: locked \"%s\": its failed binds "
			"on all providers reach pwdMaxFailure\n",
			op->o_req_dn.bv_val );
	warden_peers_publish( op, on, uuid, 0 );
}

void
warden_peers_unlocked( Operation *op, slap_overinst *on,
	const unsigned char *uuid )
{
	warden_peers_publish( op, on, uuid, warden_clock_us() );
}

void
warden_peers_deleted( Operation *op, slap_overinst *on,
	const unsigned char *uuid )
{
	warden_info *wi = on->on_bi.bi_private;
	warden_peer_rec own;
	struct berval ndn = BER_BVNULL;
	char msg[256];
	int had, rc;

	if ( !wi->wi_store || !warden_peers_shadow( op ) ) return;
	had = warden_peer_get( wi->wi_store, uuid, (unsigned)slap_serverID,
		&own, msg, sizeof( msg ) );
	if ( warden_peer_purge( wi->wi_store, uuid, msg, sizeof( msg ) ) )
		Debug( LDAP_DEBUG_ANY, "warden: cannot purge the shared lockout "
			"state of a deleted entry: %s\n", msg );
	/* only the server that wrote a state entry deletes it */
	if ( had || !warden_peers_multi( op ) || !peers_ready( on ) ||
		peers_dn( op, uuid, &ndn ) )
		return;
	rc = warden_internal_write( op, on, &ndn, NULL );
	if ( rc != LDAP_SUCCESS && rc != LDAP_NO_SUCH_OBJECT )
		Debug( LDAP_DEBUG_ANY, "warden: cannot delete \"%s\": result "
			"%d\n", ndn.bv_val, rc );
	op->o_tmpfree( ndn.bv_val, op->o_tmpmemctx );
}

/* A state entry as syncrepl applied it, into rec. */
static int
peers_read( Operation *op, slap_overinst *on, warden_peers *pe,
	warden_peer_rec *rec )
{
	BackendInfo *bi = op->o_bd->bd_info;
	Entry *e = NULL;
	Attribute *a;
	unsigned i;
	int rc = -1;

	op->o_bd->bd_info = (BackendInfo *)on->on_info;
	if ( be_entry_get_rw( op, &op->o_req_ndn, NULL, NULL, 0, &e ) !=
			LDAP_SUCCESS || !e )
		goto done;
	if ( ( a = attr_find( e->e_attrs, pe->pe_fail ) ) ) {
		for ( i = 0; i < a->a_numvals && rec->pr_nfail < WARDEN_FAIL_MAX; i++ )
			rec->pr_fail[rec->pr_nfail++] = strtoll( a->a_vals[i].bv_val,
				NULL, 10 );
	}
	if ( ( a = attr_find( e->e_attrs, pe->pe_reset ) ) )
		rec->pr_reset = strtoll( a->a_vals[0].bv_val, NULL, 10 );
	if ( ( a = attr_find( e->e_attrs, pe->pe_locked_at ) ) )
		rec->pr_locked_at = strtoll( a->a_vals[0].bv_val, NULL, 10 );
	if ( ( a = attr_find( e->e_attrs, pe->pe_locked_until ) ) )
		rec->pr_locked_until = strtoll( a->a_vals[0].bv_val, NULL, 10 );
	be_entry_release_r( op, e );
	rc = 0;
done:
	op->o_bd->bd_info = bi;
	return rc;
}

void
warden_peers_written( Operation *op, SlapReply *rs, slap_overinst *on )
{
	warden_info *wi = on->on_bi.bi_private;
	unsigned char uuid[WARDEN_UUID_LEN];
	warden_peers *pe;
	warden_peer_rec old, rec;
	unsigned sid;
	char msg[256];

	if ( !wi->wi_store || !warden_peers_shadow( op ) ||
		!warden_is_replicated( op ) || !( pe = peers_ready( on ) ) )
		return;
	if ( peers_parse( op, &op->o_req_ndn, &sid, uuid ) != 2 ) return;
	/* what this server published, come back */
	if ( warden_peers_multi( op ) && sid == (unsigned)slap_serverID ) return;
	if ( op->o_tag == LDAP_REQ_DELETE ) {
		if ( warden_peer_del( wi->wi_store, uuid, sid, msg, sizeof( msg ) ) < 0 )
			goto fail;
		return;
	}
	if ( op->o_tag != LDAP_REQ_ADD && op->o_tag != LDAP_REQ_MODIFY ) return;
	memset( &rec, 0, sizeof( rec ) );
	rec.pr_sid = sid;
	if ( peers_read( op, on, pe, &rec ) ) return;
	if ( warden_peer_get( wi->wi_store, uuid, sid, &old, msg, sizeof( msg ) ) < 0 )
		memset( &old, 0, sizeof( old ) );
	if ( warden_peer_put( wi->wi_store, uuid, &rec, msg, sizeof( msg ) ) )
		goto fail;
	/* this server's own failures before another's reset or lock are
	 * reset or paid for; a reset also ends this server's lock */
	if ( rec.pr_reset > old.pr_reset &&
		warden_lock_reset_before( wi->wi_store, uuid, rec.pr_reset, 1,
			msg, sizeof( msg ) ) < 0 )
		goto fail;
	if ( rec.pr_locked_at > old.pr_locked_at ) {
		if ( warden_lock_reset_before( wi->wi_store, uuid,
				rec.pr_locked_at, 0, msg, sizeof( msg ) ) < 0 )
			goto fail;
		/* the state entry names the user by entryUUID only: every
		 * session confirms its identity once */
		warden_sessions_end( on, NULL );
	}
	return;
fail:
	Debug( LDAP_DEBUG_ANY, "warden: cannot mirror \"%s\": %s\n",
		op->o_req_dn.bv_val, msg );
}

void
warden_peers_unlock_mods( Operation *op, Modifications *ml )
{
	Modifications *m;

	if ( !warden_peers_shadow( op ) ) return;
	for ( m = ml; m; m = m->sml_next ) {
		if ( m->sml_desc == warden_pwd.ad_pwdAccountLockedTime &&
			m->sml_op == LDAP_MOD_DELETE && !m->sml_numvals )
			m->sml_op = SLAP_MOD_SOFTDEL;
	}
}

int
warden_peers_write_check( Operation *op, SlapReply *rs, slap_overinst *on )
{
	unsigned char uuid[WARDEN_UUID_LEN];
	unsigned sid;

	if ( !warden_peers_shadow( op ) || be_isroot( op ) ||
		!peers_parse( op, &op->o_req_ndn, &sid, uuid ) )
		return SLAP_CB_CONTINUE;
	return warden_refuse( op, rs, on, LDAP_INSUFFICIENT_ACCESS,
		"warden: the cn=warden-state-* entries hold the providers' "
		"shared lockout state; only warden writes them" );
}

static int
peers_hide_response( Operation *op, SlapReply *rs )
{
	unsigned char uuid[WARDEN_UUID_LEN];
	unsigned sid;

	if ( rs->sr_type == REP_SEARCH && rs->sr_entry &&
		peers_parse( op, &rs->sr_entry->e_nname, &sid, uuid ) )
		return 0;	/* not sent */
	return SLAP_CB_CONTINUE;
}

static int
peers_hide_cleanup( Operation *op, SlapReply *rs )
{
	slap_callback **scp, *sc = op->o_callback;

	if ( rs->sr_type != REP_RESULT ) return SLAP_CB_CONTINUE;
	for ( scp = &op->o_callback; *scp; scp = &(*scp)->sc_next ) {
		if ( (*scp)->sc_response == peers_hide_response ) {
			sc = *scp;
			*scp = sc->sc_next;
			op->o_tmpfree( sc, op->o_tmpmemctx );
			break;
		}
	}
	return SLAP_CB_CONTINUE;
}

int
warden_peers_search( Operation *op, SlapReply *rs, slap_overinst *on )
{
	unsigned char uuid[WARDEN_UUID_LEN];
	unsigned sid;
	slap_callback *sc;

	if ( !op->o_bd->be_nsuffix || !warden_peers_shadow( op ) )
		return SLAP_CB_CONTINUE;
	/* only a search that can reach them: from the suffix or inside */
	if ( !( op->ors_scope != LDAP_SCOPE_BASE &&
			dn_match( &op->o_req_ndn, &op->o_bd->be_nsuffix[0] ) ) &&
		!peers_parse( op, &op->o_req_ndn, &sid, uuid ) )
		return SLAP_CB_CONTINUE;
	/* replication (the sync control) gets them, whoever it binds as */
	if ( be_isroot( op ) || op->o_sync || warden_is_internal( op ) ||
		warden_role_holds( op, on, WARDEN_ROLE_ADMIN | WARDEN_ROLE_AUDITOR,
			NULL, NULL ) )
		return SLAP_CB_CONTINUE;
	sc = op->o_tmpcalloc( 1, sizeof( *sc ), op->o_tmpmemctx );
	sc->sc_response = peers_hide_response;
	sc->sc_cleanup = peers_hide_cleanup;
	sc->sc_next = op->o_callback;
	op->o_callback = sc;
	return SLAP_CB_CONTINUE;
}

int
warden_peers_operational( Operation *op, SlapReply *rs, slap_overinst *on )
{
	warden_info *wi = on->on_bi.bi_private;
	AttributeDescription *ad = warden_pwd.ad_pwdAccountLockedTime;
	warden_lock_policy lp;
	warden_lock_state st;
	warden_peer_view v;
	warden_time now, at = 0;
	Attribute *a, **ap;
	char msg[256], buf[LDAP_LUTIL_GENTIME_BUFSIZE];
	struct berval bv = { sizeof( buf ), buf };
	time_t s;

	if ( !rs->sr_entry || !wi->wi_store || !ad || !warden_peers_shadow( op ) )
		return SLAP_CB_CONTINUE;
	/* never to replication, either side: syncprov would send it as part
	 * of the entry and the other server store it (a lock that no one
	 * ends), and syncrepl would compare its copy with it */
	if ( op->o_sync || SLAPD_SYNC_IS_SYNCCONN( op->o_connid ) )
		return SLAP_CB_CONTINUE;
	if ( !SLAP_OPATTRS( rs->sr_attr_flags ) && !ad_inlist( ad, rs->sr_attrs ) )
		return SLAP_CB_CONTINUE;
	if ( attr_find( rs->sr_entry->e_attrs, ad ) ) return SLAP_CB_CONTINUE;
	for ( a = rs->sr_operational_attrs; a; a = a->a_next )
		if ( a->a_desc == ad ) return SLAP_CB_CONTINUE;
	a = attr_find( rs->sr_entry->e_attrs, slap_schema.si_ad_entryUUID );
	if ( !a || a->a_nvals[0].bv_len != WARDEN_UUID_LEN ) return SLAP_CB_CONTINUE;
	if ( warden_lock_get( wi->wi_store, (unsigned char *)a->a_nvals[0].bv_val,
			&st, msg, sizeof( msg ) ) < 0 )
		return SLAP_CB_CONTINUE;
	now = warden_clock_us();
	memset( &lp, 0, sizeof( lp ) );
	if ( warden_peers_view( op, on, (unsigned char *)a->a_nvals[0].bv_val,
			&st, &lp, now, &v, msg, sizeof( msg ) ) )
		return SLAP_CB_CONTINUE;
	if ( warden_lock_is_locked( &st, now ) ) at = st.ls_locked_at;
	if ( v.pv_locked_at && ( !at || v.pv_locked_at < at ) ) at = v.pv_locked_at;
	if ( !at ) return SLAP_CB_CONTINUE;
	s = (time_t)( at / WARDEN_SEC );
	slap_timestamp( &s, &bv );
	for ( ap = &rs->sr_operational_attrs; *ap; ap = &(*ap)->a_next )
		;
	*ap = attr_alloc( ad );
	attr_valadd( *ap, &bv, &bv, 1 );
	return SLAP_CB_CONTINUE;
}
