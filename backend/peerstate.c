/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* peerstate.c - the lockout facts of every provider, mirrored per user
 *
 * Records in the store's "peer" database.  Key: the 16-byte entryUUID and
 * the serverID, 2 bytes big-endian.  Value, version 1, little-endian:
 *
 *	offset	size	field
 *	0	1	version, PEER_REC_VERSION
 *	1	1	nfail, 0 .. WARDEN_FAIL_MAX
 *	2	2	zero (reserved)
 *	4	8	reset
 *	12	8	locked_at
 *	20	8	locked_until
 *	28	8*nfail	failure times, oldest first
 *
 * Read back only when version and size agree exactly, as lockstate.c.
 */

#include <stdio.h>
#include <string.h>

#include <lmdb.h>

#include "peerstate.h"
#include "codec.h"

#define PEER_REC_VERSION	1
#define PEER_REC_HEAD		28
#define PEER_REC_MAX		( PEER_REC_HEAD + 8 * WARDEN_FAIL_MAX )
#define PEER_KEY_LEN		( WARDEN_UUID_LEN + 2 )

static void
peer_key( unsigned char *k, const unsigned char *uuid, unsigned sid )
{
	memcpy( k, uuid, WARDEN_UUID_LEN );
	k[WARDEN_UUID_LEN] = (unsigned char)( sid >> 8 );
	k[WARDEN_UUID_LEN + 1] = (unsigned char)sid;
}

static size_t
peer_encode( const warden_peer_rec *r, unsigned char *buf )
{
	unsigned n = r->pr_nfail > WARDEN_FAIL_MAX ? WARDEN_FAIL_MAX : r->pr_nfail;

	warden_rec_head_put( buf, PEER_REC_VERSION, n );
	warden_put64( buf + 4, r->pr_reset );
	warden_put64( buf + 12, r->pr_locked_at );
	warden_put64( buf + 20, r->pr_locked_until );
	warden_put64_n( buf + PEER_REC_HEAD, r->pr_fail, n );
	return PEER_REC_HEAD + 8 * n;
}

static int
peer_decode( const MDB_val *key, const MDB_val *data, warden_peer_rec *r )
{
	const unsigned char *p = data->mv_data, *k = key->mv_data;
	int n;

	memset( r, 0, sizeof( *r ) );
	if ( key->mv_size != PEER_KEY_LEN ) return -1;
	n = warden_rec_head_check( p, data->mv_size, PEER_REC_VERSION,
		PEER_REC_HEAD, WARDEN_FAIL_MAX );
	if ( n < 0 ) return -1;
	r->pr_sid = (unsigned)k[WARDEN_UUID_LEN] << 8 | k[WARDEN_UUID_LEN + 1];
	r->pr_nfail = (unsigned)n;
	r->pr_reset = warden_get64( p + 4 );
	r->pr_locked_at = warden_get64( p + 12 );
	r->pr_locked_until = warden_get64( p + 20 );
	warden_get64_n( r->pr_fail, p + PEER_REC_HEAD, r->pr_nfail );
	return 0;
}

void
warden_peer_view_of( const warden_peer_rec *recs, unsigned n,
	unsigned own_sid, warden_time own_last_lock,
	const warden_lock_policy *lp, warden_time now, warden_peer_view *v )
{
	unsigned i, j;

	memset( v, 0, sizeof( *v ) );
	v->pv_base = own_last_lock;
	for ( i = 0; i < n; i++ ) {
		if ( recs[i].pr_reset > v->pv_reset ) v->pv_reset = recs[i].pr_reset;
		if ( recs[i].pr_locked_at > v->pv_base )
			v->pv_base = recs[i].pr_locked_at;
	}
	if ( v->pv_reset > v->pv_base ) v->pv_base = v->pv_reset;
	for ( i = 0; i < n; i++ ) {
		const warden_peer_rec *r = &recs[i];

		if ( r->pr_sid == own_sid ) continue;
		/* a lock that no reset has ended since it began */
		if ( r->pr_locked_at && r->pr_locked_at > v->pv_reset &&
			now < r->pr_locked_until &&
			r->pr_locked_until > v->pv_locked_until ) {
			v->pv_locked_at = r->pr_locked_at;
			v->pv_locked_until = r->pr_locked_until;
		}
		for ( j = 0; j < r->pr_nfail; j++ ) {
			if ( r->pr_fail[j] <= v->pv_base ) continue;
			if ( lp->lp_interval > 0 &&
				warden_time_elapsed( r->pr_fail[j], now, lp->lp_interval ) )
				continue;
			v->pv_count++;
		}
	}
}

int
warden_peer_same( const warden_peer_rec *a, const warden_peer_rec *b )
{
	unsigned i;

	if ( a->pr_reset != b->pr_reset || a->pr_locked_at != b->pr_locked_at ||
		a->pr_locked_until != b->pr_locked_until ||
		a->pr_nfail != b->pr_nfail )
		return 0;
	for ( i = 0; i < a->pr_nfail && i < WARDEN_FAIL_MAX; i++ )
		if ( a->pr_fail[i] != b->pr_fail[i] ) return 0;
	return 1;
}

static void
peer_lmdb_msg( int rc, char *msg, size_t len )
{
	snprintf( msg, len, "peer lockout state: %s", mdb_strerror( rc ) );
}

static const char peer_what[] = "peer lockout state";

typedef struct peer_io {
	const warden_peer_rec	*pi_in;		/* put */
	unsigned char		pi_buf[PEER_REC_MAX];
	warden_peer_rec		*pi_out;	/* get */
	unsigned		pi_sid;
} peer_io;

static int
peer_put_change( const MDB_val *cur, MDB_val *out, void *arg, char *msg,
	size_t len )
{
	peer_io *pi = arg;

	(void)cur; (void)msg; (void)len;
	out->mv_size = peer_encode( pi->pi_in, pi->pi_buf );
	out->mv_data = pi->pi_buf;
	return WARDEN_STORE_PUT;
}

int
warden_peer_put( warden_store *store, const unsigned char *uuid,
	const warden_peer_rec *rec, char *msg, size_t len )
{
	unsigned char k[PEER_KEY_LEN];
	peer_io pi;

	peer_key( k, uuid, rec->pr_sid );
	pi.pi_in = rec;
	return warden_store_update( store, warden_store_peer_dbi( store ), k,
		sizeof( k ), 0, peer_put_change, &pi, peer_what, msg, len ) < 0 ?
		-1 : 0;
}

static int
peer_get_view( const MDB_val *cur, void *arg, char *msg, size_t len )
{
	peer_io *pi = arg;
	MDB_val key;

	if ( !cur ) return WARDEN_LOCK_NOTFOUND;
	/* peer_decode() reads the server ID from the key */
	key.mv_size = PEER_KEY_LEN;
	key.mv_data = pi->pi_buf;
	if ( peer_decode( &key, cur, pi->pi_out ) ) {
		pi->pi_out->pr_sid = pi->pi_sid;
		snprintf( msg, len, "corrupt peer lockout record" );
		return -1;
	}
	return 0;
}

int
warden_peer_get( warden_store *store, const unsigned char *uuid,
	unsigned sid, warden_peer_rec *rec, char *msg, size_t len )
{
	peer_io pi;

	memset( rec, 0, sizeof( *rec ) );
	rec->pr_sid = sid;
	peer_key( pi.pi_buf, uuid, sid );
	pi.pi_out = rec;
	pi.pi_sid = sid;
	return warden_store_view( store, warden_store_peer_dbi( store ),
		pi.pi_buf, PEER_KEY_LEN, peer_get_view, &pi, peer_what, msg, len );
}

int
warden_peer_list( warden_store *store, const unsigned char *uuid,
	warden_peer_rec *recs, unsigned max, unsigned *n, char *msg, size_t len )
{
	unsigned char k[PEER_KEY_LEN];
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val key, data;
	int mrc, rc = -1;

	*n = 0;
	peer_key( k, uuid, 0 );
	key.mv_size = sizeof( k );
	key.mv_data = k;
	mrc = mdb_txn_begin( warden_store_env( store ), NULL, MDB_RDONLY, &txn );
	if ( mrc ) goto fail;
	mrc = mdb_cursor_open( txn, warden_store_peer_dbi( store ), &cur );
	if ( mrc ) goto fail;
	for ( mrc = mdb_cursor_get( cur, &key, &data, MDB_SET_RANGE );
		!mrc && *n < max;
		mrc = mdb_cursor_get( cur, &key, &data, MDB_NEXT ) ) {
		if ( key.mv_size != PEER_KEY_LEN ||
			memcmp( key.mv_data, uuid, WARDEN_UUID_LEN ) )
			break;
		/* a record of another layout is skipped, not half read */
		if ( !peer_decode( &key, &data, &recs[*n] ) ) ( *n )++;
	}
	if ( mrc && mrc != MDB_NOTFOUND ) goto fail;
	rc = 0;
	goto done;
fail:
	peer_lmdb_msg( mrc, msg, len );
done:
	if ( cur ) mdb_cursor_close( cur );
	if ( txn ) mdb_txn_abort( txn );
	return rc;
}

int
warden_peer_del( warden_store *store, const unsigned char *uuid,
	unsigned sid, char *msg, size_t len )
{
	unsigned char k[PEER_KEY_LEN];

	peer_key( k, uuid, sid );
	return warden_store_del( store, warden_store_peer_dbi( store ), k,
		sizeof( k ), peer_what, msg, len );
}

int
warden_peer_purge( warden_store *store, const unsigned char *uuid,
	char *msg, size_t len )
{
	unsigned char k[PEER_KEY_LEN];

	peer_key( k, uuid, 0 );
	return warden_store_purge( store, warden_store_peer_dbi( store ), k,
		sizeof( k ), WARDEN_UUID_LEN, peer_what, msg, len ) < 0 ? -1 : 0;
}
