/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* store.c - warden's LMDB state store */

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lmdb.h>

#include "store.h"

struct warden_store {
	MDB_env		*ws_env;
	MDB_dbi		ws_meta;
	MDB_dbi		ws_lock;	/* lockout records, see lockstate.c */
	MDB_dbi		ws_otp;		/* one-time code records, see otpstate.c */
	MDB_dbi		ws_peer;	/* other providers' lockout facts, see peerstate.c */
	dev_t		ws_dev;
	ino_t		ws_ino;
	/* group commit (warden_store_flush()): a flush covers every commit
	 * that came before it began, so the threads that wait while one runs
	 * share the next one */
	pthread_mutex_t	ws_flush_mutex;
	pthread_cond_t	ws_flush_cond;
	unsigned long	ws_flush_ticket;	/* last ticket given */
	unsigned long	ws_flush_done;		/* tickets up to this: on disk */
	unsigned long	ws_flush_failed;	/* tickets up to this: flush failed */
	int		ws_flush_err;		/* ...with this LMDB error */
	int		ws_flushing;		/* a thread is flushing now */
	unsigned long	ws_flushes;		/* fdatasyncs done (for tests) */
	char		*ws_dir;
	warden_store	*ws_next;
};

/* Stores open in this process, to refuse a second open of one environment
 * (LMDB's locks are per process: a second open would corrupt the store). */
static pthread_mutex_t store_open_mutex = PTHREAD_MUTEX_INITIALIZER;
static warden_store *store_open_list;

static const char store_format_key[] = "format";

static int
store_check_format( warden_store *st, char *msg, size_t len )
{
	MDB_txn *txn = NULL;
	MDB_val key, data;
	char want[16];
	int rc;

	snprintf( want, sizeof( want ), "%d", WARDEN_STORE_FORMAT );
	rc = mdb_txn_begin( st->ws_env, NULL, 0, &txn );
	if ( rc ) goto fail;
	rc = mdb_dbi_open( txn, "meta", MDB_CREATE, &st->ws_meta );
	if ( rc ) goto fail;
	key.mv_data = (void *)store_format_key;
	key.mv_size = sizeof( store_format_key ) - 1;
	rc = mdb_get( txn, st->ws_meta, &key, &data );
	if ( rc == MDB_NOTFOUND ) {
		data.mv_data = want;
		data.mv_size = strlen( want );
		rc = mdb_put( txn, st->ws_meta, &key, &data, 0 );
		if ( rc ) goto fail;
	} else if ( rc ) {
		goto fail;
	} else if ( data.mv_size != strlen( want ) ||
		memcmp( data.mv_data, want, data.mv_size ) ) {
		snprintf( msg, len, "\"%s\" holds a state store of format %.*s; "
			"this warden reads format %s", st->ws_dir,
			(int)( data.mv_size < 8 ? data.mv_size : 8 ),
			(char *)data.mv_data, want );
		mdb_txn_abort( txn );
		return -1;
	}
	/* Opened here, once: mdb_dbi_open() must not run in concurrent
	 * transactions, and bind-time callers run many at once.  Created only
	 * after the format check, so a refused store is not written to. */
	rc = mdb_dbi_open( txn, "lock", MDB_CREATE, &st->ws_lock );
	if ( rc ) goto fail;
	/* added after format 1 was released: a store without it gains it
	 * here, and a warden that does not know it leaves it alone */
	rc = mdb_dbi_open( txn, "otp", MDB_CREATE, &st->ws_otp );
	if ( rc ) goto fail;
	/* the same for the mirror of other providers' lockout facts */
	rc = mdb_dbi_open( txn, "peer", MDB_CREATE, &st->ws_peer );
	if ( rc ) goto fail;
	rc = mdb_txn_commit( txn );
	txn = NULL;
	if ( rc ) goto fail;
	return 0;

fail:
	if ( txn ) mdb_txn_abort( txn );
	snprintf( msg, len, "state store in \"%s\": %s", st->ws_dir,
		mdb_strerror( rc ) );
	return -1;
}

/* Takes st off the list of open stores. */
static void
store_unlist( warden_store *st )
{
	warden_store **pp;

	pthread_mutex_lock( &store_open_mutex );
	for ( pp = &store_open_list; *pp; pp = &(*pp)->ws_next ) {
		if ( *pp == st ) {
			*pp = st->ws_next;
			break;
		}
	}
	pthread_mutex_unlock( &store_open_mutex );
}

int
warden_store_open( const char *dir, warden_store **storep,
	char *msg, size_t len )
{
	warden_store *st = NULL, *o;
	struct stat sb;
	int rc, listed = 0;

	*storep = NULL;
	if ( stat( dir, &sb ) < 0 ) {
		snprintf( msg, len, "cannot use \"%s\": %s", dir, strerror( errno ) );
		goto fail;
	}
	st = calloc( 1, sizeof( *st ) );
	if ( !st || !( st->ws_dir = strdup( dir ) ) ) {
		snprintf( msg, len, "out of memory" );
		goto fail;
	}
	st->ws_dev = sb.st_dev;
	st->ws_ino = sb.st_ino;
	pthread_mutex_init( &st->ws_flush_mutex, NULL );
	pthread_cond_init( &st->ws_flush_cond, NULL );

	pthread_mutex_lock( &store_open_mutex );
	for ( o = store_open_list; o; o = o->ws_next ) {
		if ( o->ws_dev == st->ws_dev && o->ws_ino == st->ws_ino ) break;
	}
	if ( !o ) {
		st->ws_next = store_open_list;
		store_open_list = st;
		listed = 1;
	}
	pthread_mutex_unlock( &store_open_mutex );
	if ( !listed ) {
		snprintf( msg, len, "\"%s\" is already the state directory of "
			"another warden instance in this slapd; give each database "
			"its own", dir );
		goto fail;
	}

	rc = mdb_env_create( &st->ws_env );
	if ( !rc ) rc = mdb_env_set_maxdbs( st->ws_env, 8 );
	if ( !rc ) rc = mdb_env_set_mapsize( st->ws_env, WARDEN_STORE_MAPSIZE );
	/* MDB_NOTLS: slapd's pool threads serve many operations each.
	 * MDB_NOSYNC: a commit reaches the page cache, which survives the
	 * death of slapd (kill -9); warden_store_sync() flushes it to disk
	 * every second instead of once per failed bind. */
	if ( !rc ) rc = mdb_env_open( st->ws_env, dir, MDB_NOTLS | MDB_NOSYNC, 0600 );
	if ( rc ) {
		snprintf( msg, len, "cannot open the state store in \"%s\": %s",
			dir, mdb_strerror( rc ) );
		goto fail;
	}
	if ( store_check_format( st, msg, len ) ) goto fail;
	*storep = st;
	return 0;

fail:
	if ( st ) {
		if ( listed ) store_unlist( st );
		if ( st->ws_env ) mdb_env_close( st->ws_env );
		pthread_cond_destroy( &st->ws_flush_cond );
		pthread_mutex_destroy( &st->ws_flush_mutex );
		free( st->ws_dir );
		free( st );
	}
	return -1;
}

void
warden_store_close( warden_store *st )
{
	if ( !st ) return;
	store_unlist( st );
	if ( st->ws_env ) {
		mdb_env_sync( st->ws_env, 1 );
		mdb_env_close( st->ws_env );
	}
	pthread_cond_destroy( &st->ws_flush_cond );
	pthread_mutex_destroy( &st->ws_flush_mutex );
	free( st->ws_dir );
	free( st );
}

int
warden_store_sync( warden_store *st, char *msg, size_t len )
{
	return warden_store_flush( st, msg, len );
}

/* Group commit.  A caller takes a ticket after its commit; a flush that
 * begins after the ticket was taken covers the commit (mdb_env_sync()
 * writes out everything committed so far, the meta page included), one
 * that began before may not.  So a caller waits while another flush runs,
 * then either finds its ticket covered by the flush that ran meanwhile or
 * flushes itself, for every ticket given so far.  Under load, one
 * fdatasync serves all the binds that committed while the previous one
 * ran, and no thread is added: the first waiter that finds no flush
 * running does it. */
int
warden_store_flush( warden_store *st, char *msg, size_t len )
{
	unsigned long mine, target;
	int rc = 0;

	pthread_mutex_lock( &st->ws_flush_mutex );
	mine = ++st->ws_flush_ticket;
	for ( ;; ) {
		if ( st->ws_flush_done >= mine ) break;
		if ( st->ws_flush_failed >= mine ) {
			rc = st->ws_flush_err;
			break;
		}
		if ( st->ws_flushing ) {
			pthread_cond_wait( &st->ws_flush_cond, &st->ws_flush_mutex );
			continue;
		}
		st->ws_flushing = 1;
		target = st->ws_flush_ticket;
		pthread_mutex_unlock( &st->ws_flush_mutex );
		rc = mdb_env_sync( st->ws_env, 1 );
		pthread_mutex_lock( &st->ws_flush_mutex );
		st->ws_flushing = 0;
		st->ws_flushes++;
		if ( rc ) {
			st->ws_flush_failed = target;
			st->ws_flush_err = rc;
		} else {
			st->ws_flush_done = target;
		}
		pthread_cond_broadcast( &st->ws_flush_cond );
	}
	pthread_mutex_unlock( &st->ws_flush_mutex );
	if ( rc ) {
		snprintf( msg, len, "cannot flush the state store in \"%s\": %s",
			st->ws_dir, mdb_strerror( rc ) );
		return -1;
	}
	return 0;
}

unsigned long
warden_store_flushes( warden_store *st )
{
	unsigned long n;

	pthread_mutex_lock( &st->ws_flush_mutex );
	n = st->ws_flushes;
	pthread_mutex_unlock( &st->ws_flush_mutex );
	return n;
}

int
warden_store_probe( warden_store *st, char *msg, size_t len )
{
	MDB_txn *txn = NULL;
	MDB_val key, data;
	char want[16];
	int rc;

	snprintf( want, sizeof( want ), "%d", WARDEN_STORE_FORMAT );
	key.mv_data = (void *)store_format_key;
	key.mv_size = sizeof( store_format_key ) - 1;
	data.mv_data = want;
	data.mv_size = strlen( want );
	rc = mdb_txn_begin( st->ws_env, NULL, 0, &txn );
	if ( !rc ) rc = mdb_put( txn, st->ws_meta, &key, &data, 0 );
	if ( !rc ) {
		rc = mdb_txn_commit( txn );
		txn = NULL;
	}
	if ( txn ) mdb_txn_abort( txn );
	if ( rc ) {
		snprintf( msg, len, "state store in \"%s\": %s", st->ws_dir,
			mdb_strerror( rc ) );
		return -1;
	}
	return 0;
}

const char *
warden_store_dir( const warden_store *st )
{
	return st->ws_dir;
}

MDB_env *
warden_store_env( warden_store *st )
{
	return st->ws_env;
}

MDB_dbi
warden_store_lock_dbi( const warden_store *st )
{
	return st->ws_lock;
}

MDB_dbi
warden_store_otp_dbi( const warden_store *st )
{
	return st->ws_otp;
}

MDB_dbi
warden_store_peer_dbi( const warden_store *st )
{
	return st->ws_peer;
}

int
warden_store_del( warden_store *store, MDB_dbi dbi, const void *key,
	size_t keylen, const char *what, char *msg, size_t len )
{
	MDB_txn *txn = NULL;
	MDB_val k;
	int rc = -1, mrc;

	k.mv_size = keylen;
	k.mv_data = (void *)key;
	mrc = mdb_txn_begin( warden_store_env( store ), NULL, 0, &txn );
	if ( mrc ) goto fail;
	mrc = mdb_del( txn, dbi, &k, NULL );
	if ( mrc == MDB_NOTFOUND ) {
		rc = 1;
		goto done;
	}
	if ( mrc ) goto fail;
	mrc = mdb_txn_commit( txn );
	txn = NULL;
	if ( mrc ) goto fail;
	rc = 0;
	goto done;

fail:
	snprintf( msg, len, "%s: %s", what, mdb_strerror( mrc ) );
done:
	if ( txn ) mdb_txn_abort( txn );
	return rc;
}

int
warden_store_purge( warden_store *store, MDB_dbi dbi, const void *first,
	size_t keylen, size_t prefixlen, const char *what, char *msg,
	size_t len )
{
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val key, data;
	int rc = -1, mrc, n = 0;

	mrc = mdb_txn_begin( warden_store_env( store ), NULL, 0, &txn );
	if ( mrc ) goto fail;
	mrc = mdb_cursor_open( txn, dbi, &cur );
	if ( mrc ) goto fail;
	/* seek again after each delete rather than rely on where a delete
	 * leaves the cursor */
	for ( ;; ) {
		key.mv_size = keylen;
		key.mv_data = (void *)first;
		mrc = mdb_cursor_get( cur, &key, &data, MDB_SET_RANGE );
		if ( mrc == MDB_NOTFOUND ) break;
		if ( mrc ) goto fail;
		if ( key.mv_size != keylen ||
			memcmp( key.mv_data, first, prefixlen ) )
			break;
		mrc = mdb_cursor_del( cur, 0 );
		if ( mrc ) goto fail;
		n++;
	}
	mdb_cursor_close( cur );
	cur = NULL;
	if ( n ) {
		mrc = mdb_txn_commit( txn );
		txn = NULL;
		if ( mrc ) goto fail;
	}
	rc = n;
	goto done;

fail:
	snprintf( msg, len, "%s: %s", what, mdb_strerror( mrc ) );
done:
	if ( cur ) mdb_cursor_close( cur );
	if ( txn ) mdb_txn_abort( txn );
	return rc;
}

int
warden_store_view( warden_store *store, MDB_dbi dbi, const void *key,
	size_t keylen, warden_store_view_fn *view, void *arg,
	const char *what, char *msg, size_t len )
{
	MDB_txn *txn = NULL;
	MDB_val k, v;
	int rc = -1, mrc;

	k.mv_size = keylen;
	k.mv_data = (void *)key;
	mrc = mdb_txn_begin( warden_store_env( store ), NULL, MDB_RDONLY, &txn );
	if ( mrc ) goto fail;
	mrc = mdb_get( txn, dbi, &k, &v );
	if ( mrc && mrc != MDB_NOTFOUND ) goto fail;
	rc = view( mrc ? NULL : &v, arg, msg, len );
	goto done;

fail:
	snprintf( msg, len, "%s: %s", what, mdb_strerror( mrc ) );
done:
	if ( txn ) mdb_txn_abort( txn );
	return rc;
}

/* warden_store_update()'s first look, in a read-only transaction */
typedef struct store_peek {
	warden_store_change_fn	*sp_change;
	void			*sp_arg;
} store_peek;

static int
store_peek_view( const MDB_val *cur, void *arg, char *msg, size_t len )
{
	store_peek *sp = arg;
	MDB_val out = { 0, NULL };

	return sp->sp_change( cur, &out, sp->sp_arg, msg, len );
}

int
warden_store_update( warden_store *store, MDB_dbi dbi, const void *key,
	size_t keylen, int flags, warden_store_change_fn *change, void *arg,
	const char *what, char *msg, size_t len )
{
	MDB_env *env = warden_store_env( store );
	MDB_txn *txn = NULL;
	MDB_val k, v, out = { 0, NULL };
	int rc = -1, mrc;

	if ( flags & WARDEN_STORE_PEEK ) {
		store_peek sp = { change, arg };

		rc = warden_store_view( store, dbi, key, keylen, store_peek_view,
			&sp, what, msg, len );
		if ( rc <= WARDEN_STORE_KEEP ) return rc;
		rc = -1;
	}
	k.mv_size = keylen;
	k.mv_data = (void *)key;
	mrc = mdb_txn_begin( env, NULL, 0, &txn );
	if ( mrc ) goto fail;
	mrc = mdb_get( txn, dbi, &k, &v );
	if ( mrc && mrc != MDB_NOTFOUND ) goto fail;
	rc = change( mrc ? NULL : &v, &out, arg, msg, len );
	if ( rc == WARDEN_STORE_PUT ) {
		mrc = mdb_put( txn, dbi, &k, &out, 0 );
	} else if ( rc == WARDEN_STORE_DEL ) {
		mrc = mdb_del( txn, dbi, &k, NULL );
		if ( mrc == MDB_NOTFOUND ) mrc = 0;
	} else {
		goto done;	/* kept, or refused by change: nothing to commit */
	}
	if ( mrc ) goto fail;
	mrc = mdb_txn_commit( txn );
	txn = NULL;
	if ( mrc ) goto fail;
	if ( flags & WARDEN_STORE_SYNC ) {
		char why[160];

		if ( warden_store_flush( store, why, sizeof( why ) ) ) {
			snprintf( msg, len, "%s: the change was committed but could "
				"not be flushed to disk: %s", what, why );
			rc = -1;
		}
	}
	goto done;

fail:
	snprintf( msg, len, "%s: %s", what, mdb_strerror( mrc ) );
	rc = -1;
done:
	if ( txn ) mdb_txn_abort( txn );
	return rc;
}
