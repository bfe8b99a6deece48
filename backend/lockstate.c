/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* lockstate.c - per-user lockout state in warden's state store
 *
 * A record is stored under the 16-byte entryUUID in the store's "lock"
 * database.  Layout, version 1, every integer little-endian:
 *
 *	offset	size	field
 *	0	1	version, LOCK_REC_VERSION
 *	1	1	nfail, 0 .. WARDEN_FAIL_MAX
 *	2	2	zero (reserved)
 *	4	4	nlocks
 *	8	8	locked_at
 *	16	8	locked_until
 *	24	8	last_lock
 *	32	8	last_success
 *	40	8*nfail	failure times, oldest first
 *
 * Written byte by byte rather than as a struct, so a store does not depend
 * on the compiler's padding or the host's byte order, and read back only
 * when version and size agree exactly: a record of another layout is
 * reported, never half understood.  A record whose every field is zero says
 * nothing a missing record does not, and is deleted instead of stored.
 */

#include <stdio.h>
#include <string.h>

#include <lmdb.h>

#include "lockstate.h"
#include "codec.h"

#define LOCK_REC_VERSION	1
#define LOCK_REC_HEAD		40
#define LOCK_REC_MAX		( LOCK_REC_HEAD + 8 * WARDEN_FAIL_MAX )

static const char lock_corrupt[] = "corrupt lockout record";

static size_t
lock_encode( const warden_lock_state *st, unsigned char *buf )
{
	uint32_t nlocks = st->ls_nlocks > UINT32_MAX ? UINT32_MAX : st->ls_nlocks;

	warden_rec_head_put( buf, LOCK_REC_VERSION, st->ls_nfail );
	warden_put32( buf + 4, nlocks );
	warden_put64( buf + 8, st->ls_locked_at );
	warden_put64( buf + 16, st->ls_locked_until );
	warden_put64( buf + 24, st->ls_last_lock );
	warden_put64( buf + 32, st->ls_last_success );
	warden_put64_n( buf + LOCK_REC_HEAD, st->ls_fail, st->ls_nfail );
	return LOCK_REC_HEAD + 8 * st->ls_nfail;
}

static int
lock_decode( const MDB_val *data, warden_lock_state *st )
{
	const unsigned char *p = data->mv_data;
	int n;

	memset( st, 0, sizeof( *st ) );
	n = warden_rec_head_check( p, data->mv_size, LOCK_REC_VERSION,
		LOCK_REC_HEAD, WARDEN_FAIL_MAX );
	if ( n < 0 ) return -1;
	st->ls_nfail = (unsigned)n;
	st->ls_nlocks = warden_get32( p + 4 );
	st->ls_locked_at = warden_get64( p + 8 );
	st->ls_locked_until = warden_get64( p + 16 );
	st->ls_last_lock = warden_get64( p + 24 );
	st->ls_last_success = warden_get64( p + 32 );
	warden_get64_n( st->ls_fail, p + LOCK_REC_HEAD, st->ls_nfail );
	return 0;
}

/* Whether span has passed from "from" to now.  A time after now (the clock
 * was set back) has not aged at all.  Unsigned differences, because record
 * times are whatever a record holds and now - from may not fit. */
int
warden_time_elapsed( warden_time from, warden_time now, warden_time span )
{
	return from <= now && (uint64_t)now - (uint64_t)from >= (uint64_t)span;
}

static warden_time
lock_add( warden_time t, warden_time d )
{
	return d > WARDEN_FOREVER - t ? WARDEN_FOREVER : t + d;
}

static int
lock_is_empty( const warden_lock_state *st )
{
	return !st->ls_nfail && !st->ls_locked_at && !st->ls_locked_until &&
		!st->ls_nlocks && !st->ls_last_lock && !st->ls_last_success;
}

static const char lock_what[] = "lockout state";

/* A record's value (NULL: none) into st.  Returns 0, WARDEN_LOCK_NOTFOUND
 * (st zeroed) or -1 with msg. */
static int
lock_load( const MDB_val *cur, warden_lock_state *st, char *msg, size_t len )
{
	if ( !cur ) {
		memset( st, 0, sizeof( *st ) );
		return WARDEN_LOCK_NOTFOUND;
	}
	if ( lock_decode( cur, st ) ) {
		snprintf( msg, len, "%s", lock_corrupt );
		return -1;
	}
	return 0;
}

/* st as a change's new value (into buf, LOCK_REC_MAX bytes), or the
 * record deleted when st holds nothing. */
static int
lock_store( const warden_lock_state *st, unsigned char *buf, MDB_val *out )
{
	if ( lock_is_empty( st ) ) return WARDEN_STORE_DEL;
	out->mv_size = lock_encode( st, buf );
	out->mv_data = buf;
	return WARDEN_STORE_PUT;
}

static int
lock_view( const MDB_val *cur, void *arg, char *msg, size_t len )
{
	return lock_load( cur, arg, msg, len );
}

/* Reads a record in a read-only transaction of its own. */
static int
lock_read_once( warden_store *store, const unsigned char *uuid,
	warden_lock_state *st, char *msg, size_t len )
{
	int rc = warden_store_view( store, warden_store_lock_dbi( store ), uuid,
		WARDEN_UUID_LEN, lock_view, st, lock_what, msg, len );

	if ( rc < 0 ) memset( st, 0, sizeof( *st ) );
	return rc;
}

/* A change of one record (warden_store_update()): the state it read and
 * changed, and the buffer of the new value. */
typedef struct lock_change {
	warden_lock_state	lc_st;
	unsigned char		lc_buf[LOCK_REC_MAX];
	const warden_lock_policy *lc_policy;
	warden_time		lc_now;
	int			lc_locked;	/* fail: this failure locked */
	int			lc_rc;		/* unlock: 0 or WARDEN_LOCK_NOTFOUND */
} lock_change;

static int
lock_update( warden_store *store, const unsigned char *uuid, int flags,
	warden_store_change_fn *change, lock_change *lc, char *msg, size_t len )
{
	return warden_store_update( store, warden_store_lock_dbi( store ), uuid,
		WARDEN_UUID_LEN, flags, change, lc, lock_what, msg, len );
}

/* The time checks of the functions that record a time: locked_at and
 * last_success use 0 for "none", so a time of 0 or before would be stored
 * as an absence. */
static int
lock_check_time( warden_time now, char *msg, size_t len )
{
	if ( now > 0 ) return 0;
	snprintf( msg, len, "lockout state: invalid time %lld", (long long)now );
	return -1;
}

/* What a success clears: failures, or a lock that has expired. */
static int
lock_success_clears( const warden_lock_state *st, warden_time now )
{
	if ( warden_lock_is_locked( st, now ) ) return 0;
	return st->ls_nfail > 0 || st->ls_locked_at != 0;
}

unsigned
warden_lock_counting( const warden_lock_state *st,
	const warden_lock_policy *lp, warden_time now )
{
	unsigned i, n = 0;

	/* an expired lock: the failures that caused it are paid for */
	if ( st->ls_locked_at ) return 0;
	if ( lp->lp_interval <= 0 ) return st->ls_nfail;
	for ( i = 0; i < st->ls_nfail; i++ )
		if ( !warden_time_elapsed( st->ls_fail[i], now, lp->lp_interval ) ) n++;
	return n;
}

/* Applies one failure at now to an unlocked state. */
static int
lock_count_failure( warden_lock_state *st, const warden_lock_policy *lp,
	warden_time now )
{
	warden_time d;
	unsigned i, n, limit;

	if ( st->ls_locked_at ) {
		/* the lock has expired: the failures that caused it are paid for */
		st->ls_locked_at = 0;
		st->ls_locked_until = 0;
		st->ls_nfail = 0;
	}
	if ( lp->lp_interval > 0 ) {
		/* every entry is checked rather than stopping at the first young
		 * one: after the clock is set back they may be out of order */
		for ( i = n = 0; i < st->ls_nfail; i++ ) {
			if ( !warden_time_elapsed( st->ls_fail[i], now, lp->lp_interval ) )
				st->ls_fail[n++] = st->ls_fail[i];
		}
		st->ls_nfail = n;
	}
	if ( st->ls_nfail == WARDEN_FAIL_MAX ) {
		memmove( st->ls_fail, st->ls_fail + 1,
			( WARDEN_FAIL_MAX - 1 ) * sizeof( st->ls_fail[0] ) );
		st->ls_nfail--;
	}
	st->ls_fail[st->ls_nfail++] = now;

	limit = lp->lp_max_failure < WARDEN_FAIL_MAX ?
		lp->lp_max_failure : WARDEN_FAIL_MAX;
	/* ">=": a policy lowered below a user's count locks at the next one */
	if ( !lp->lp_lockout || !limit || st->ls_nfail < limit ) return 0;
	d = warden_lock_duration( lp, st->ls_nlocks, st->ls_last_lock, now );
	st->ls_locked_at = now;
	st->ls_locked_until = d == WARDEN_FOREVER ? WARDEN_FOREVER : lock_add( now, d );
	if ( st->ls_nlocks < UINT32_MAX ) st->ls_nlocks++;
	st->ls_last_lock = now;
	return 1;
}

int
warden_lock_is_locked( const warden_lock_state *st, warden_time now )
{
	return st->ls_locked_at != 0 && now < st->ls_locked_until;
}

warden_time
warden_lock_duration( const warden_lock_policy *lp, unsigned nlocks,
	warden_time last_lock, warden_time now )
{
	warden_time d = lp->lp_duration;
	unsigned i, n = nlocks;

	/* 0 is pwdLockoutDuration's "until an administrator unlocks"; a
	 * negative duration means nothing, and locking is its safe reading */
	if ( d <= 0 ) return WARDEN_FOREVER;
	if ( lp->lp_backoff_reset > 0 && last_lock != 0 &&
		warden_time_elapsed( last_lock, now, lp->lp_backoff_reset ) ) {
		n = 0;
	}
	if ( lp->lp_backoff > 1 ) {
		/* at most 63 rounds before saturating, whatever nlocks is */
		for ( i = 0; i < n; i++ ) {
			if ( d > WARDEN_FOREVER / lp->lp_backoff ) {
				d = WARDEN_FOREVER;
				break;
			}
			d *= lp->lp_backoff;
		}
	}
	if ( lp->lp_max_duration > 0 && d > lp->lp_max_duration )
		d = lp->lp_max_duration;
	return d;
}

int
warden_lock_get( warden_store *store, const unsigned char *uuid,
	warden_lock_state *st, char *msg, size_t len )
{
	return lock_read_once( store, uuid, st, msg, len );
}

/* A failure: counted, unless the account is locked already (a locked
 * account under attack takes failure after failure, none of which changes
 * anything: the first look, in a read transaction, answers those without
 * queueing on LMDB's single writer ahead of other users' failures). */
static int
lock_fail_change( const MDB_val *cur, MDB_val *out, void *arg, char *msg,
	size_t len )
{
	lock_change *lc = arg;

	lc->lc_locked = 0;
	if ( lock_load( cur, &lc->lc_st, msg, len ) < 0 ) return -1;
	if ( warden_lock_is_locked( &lc->lc_st, lc->lc_now ) )
		return WARDEN_STORE_KEEP;
	lc->lc_locked = lock_count_failure( &lc->lc_st, lc->lc_policy,
		lc->lc_now );
	return lock_store( &lc->lc_st, lc->lc_buf, out );
}

int
warden_lock_fail( warden_store *store, const unsigned char *uuid,
	const warden_lock_policy *lp, warden_time now,
	warden_lock_state *st, int *locked_now, char *msg, size_t len )
{
	lock_change lc;
	int rc = -1;

	memset( &lc, 0, sizeof( lc ) );
	lc.lc_policy = lp;
	lc.lc_now = now;
	if ( !lock_check_time( now, msg, len ) &&
		lock_update( store, uuid, WARDEN_STORE_PEEK, lock_fail_change,
			&lc, msg, len ) >= 0 )
		rc = 0;
	if ( rc ) {
		memset( &lc.lc_st, 0, sizeof( lc.lc_st ) );
		lc.lc_locked = 0;
	}
	if ( st ) *st = lc.lc_st;
	if ( locked_now ) *locked_now = lc.lc_locked;
	return rc;
}

/* A success: clears failures and an expired lock.  Nearly every success
 * is by a user with nothing to clear: the first look, in a read
 * transaction, neither waits for the writer nor grows the store. */
static int
lock_success_change( const MDB_val *cur, MDB_val *out, void *arg, char *msg,
	size_t len )
{
	lock_change *lc = arg;
	int r = lock_load( cur, &lc->lc_st, msg, len );

	if ( r < 0 ) return -1;
	if ( r == WARDEN_LOCK_NOTFOUND ||
		!lock_success_clears( &lc->lc_st, lc->lc_now ) )
		return WARDEN_STORE_KEEP;
	lc->lc_st.ls_nfail = 0;
	lc->lc_st.ls_locked_at = 0;
	lc->lc_st.ls_locked_until = 0;
	lc->lc_st.ls_last_success = lc->lc_now;
	return lock_store( &lc->lc_st, lc->lc_buf, out );
}

int
warden_lock_success( warden_store *store, const unsigned char *uuid,
	warden_time now, int *wrote, char *msg, size_t len )
{
	lock_change lc;
	int rc = -1;

	memset( &lc, 0, sizeof( lc ) );
	lc.lc_now = now;
	if ( !lock_check_time( now, msg, len ) )
		rc = lock_update( store, uuid, WARDEN_STORE_PEEK,
			lock_success_change, &lc, msg, len );
	if ( wrote ) *wrote = rc > WARDEN_STORE_KEEP;
	return rc < 0 ? -1 : 0;
}

/* An administrator's unlock.  ls_nlocks and ls_last_lock stay: an unlock
 * forgives this lock, not the history the next lock's back-off is
 * computed from. */
static int
lock_unlock_change( const MDB_val *cur, MDB_val *out, void *arg, char *msg,
	size_t len )
{
	lock_change *lc = arg;
	int r = lock_load( cur, &lc->lc_st, msg, len );

	if ( r < 0 ) return -1;
	lc->lc_rc = WARDEN_LOCK_NOTFOUND;
	if ( r == WARDEN_LOCK_NOTFOUND ||
		( !lc->lc_st.ls_nfail && !lc->lc_st.ls_locked_at ) )
		return WARDEN_STORE_KEEP;
	lc->lc_rc = 0;
	lc->lc_st.ls_nfail = 0;
	memset( lc->lc_st.ls_fail, 0, sizeof( lc->lc_st.ls_fail ) );
	lc->lc_st.ls_locked_at = 0;
	lc->lc_st.ls_locked_until = 0;
	return lock_store( &lc->lc_st, lc->lc_buf, out );
}

int
warden_lock_unlock( warden_store *store, const unsigned char *uuid,
	char *msg, size_t len )
{
	lock_change lc;

	memset( &lc, 0, sizeof( lc ) );
	if ( lock_update( store, uuid, 0, lock_unlock_change, &lc, msg,
			len ) < 0 )
		return -1;
	return lc.lc_rc;
}

/* A change of one record by apply(), which changes the state and returns
 * whether it did; nothing is written when it did not.  lc_rc: the load's
 * answer (0 or WARDEN_LOCK_NOTFOUND); lc_locked: whether apply changed it. */
typedef struct lock_apply {
	lock_change	la_lc;
	int		(*la_fn)( warden_lock_state *cur, const void *arg );
	const void	*la_arg;
} lock_apply;

static int
lock_apply_change( const MDB_val *cur, MDB_val *out, void *arg, char *msg,
	size_t len )
{
	lock_apply *la = arg;
	int r = lock_load( cur, &la->la_lc.lc_st, msg, len );

	if ( r < 0 ) return -1;
	la->la_lc.lc_rc = r;
	la->la_lc.lc_locked = la->la_fn( &la->la_lc.lc_st, la->la_arg );
	if ( !la->la_lc.lc_locked ) return WARDEN_STORE_KEEP;
	return lock_store( &la->la_lc.lc_st, la->la_lc.lc_buf, out );
}

static int
lock_rmw( warden_store *store, const unsigned char *uuid,
	int (*apply)( warden_lock_state *cur, const void *arg ), const void *arg,
	warden_lock_state *st, int *changed, char *msg, size_t len )
{
	lock_apply la;
	int rc;

	memset( &la, 0, sizeof( la ) );
	la.la_fn = apply;
	la.la_arg = arg;
	rc = warden_store_update( store, warden_store_lock_dbi( store ), uuid,
		WARDEN_UUID_LEN, WARDEN_STORE_PEEK, lock_apply_change, &la,
		lock_what, msg, len );
	if ( rc < 0 ) {
		memset( &la.la_lc.lc_st, 0, sizeof( la.la_lc.lc_st ) );
		la.la_lc.lc_locked = 0;
	}
	if ( st ) *st = la.la_lc.lc_st;
	if ( changed ) *changed = la.la_lc.lc_locked;
	if ( rc < 0 ) return -1;
	return la.la_lc.lc_locked ? 0 : la.la_lc.lc_rc;
}

struct lock_reset_arg {
	warden_time	at;
	int		unlock;
};

static int
lock_apply_reset( warden_lock_state *cur, const void *arg )
{
	const struct lock_reset_arg *a = arg;
	unsigned i, n;
	int ch = 0;

	for ( i = n = 0; i < cur->ls_nfail; i++ ) {
		if ( cur->ls_fail[i] > a->at ) cur->ls_fail[n++] = cur->ls_fail[i];
	}
	if ( n != cur->ls_nfail ) ch = 1;
	cur->ls_nfail = n;
	if ( a->unlock && cur->ls_locked_at && cur->ls_locked_at <= a->at ) {
		cur->ls_locked_at = 0;
		cur->ls_locked_until = 0;
		ch = 1;
	}
	return ch;
}

int
warden_lock_reset_before( warden_store *store, const unsigned char *uuid,
	warden_time at, int unlock, char *msg, size_t len )
{
	struct lock_reset_arg a = { at, unlock };

	return lock_rmw( store, uuid, lock_apply_reset, &a, NULL, NULL, msg, len );
}

struct lock_force_arg {
	const warden_lock_policy *lp;
	warden_time	now;
};

static int
lock_apply_force( warden_lock_state *cur, const void *arg )
{
	const struct lock_force_arg *a = arg;
	warden_time d;

	if ( warden_lock_is_locked( cur, a->now ) ) return 0;
	d = warden_lock_duration( a->lp, cur->ls_nlocks, cur->ls_last_lock,
		a->now );
	cur->ls_locked_at = a->now;
	cur->ls_locked_until = d == WARDEN_FOREVER ? WARDEN_FOREVER :
		lock_add( a->now, d );
	if ( cur->ls_nlocks < UINT32_MAX ) cur->ls_nlocks++;
	cur->ls_last_lock = a->now;
	return 1;
}

int
warden_lock_force( warden_store *store, const unsigned char *uuid,
	const warden_lock_policy *lp, warden_time now, warden_lock_state *st,
	int *locked_now, char *msg, size_t len )
{
	struct lock_force_arg a = { lp, now };
	int rc;

	if ( lock_check_time( now, msg, len ) ) return -1;
	rc = lock_rmw( store, uuid, lock_apply_force, &a, st, locked_now,
		msg, len );
	return rc < 0 ? -1 : 0;
}

int
warden_lock_purge( warden_store *store, const unsigned char *uuid,
	char *msg, size_t len )
{
	/* 1 is WARDEN_LOCK_NOTFOUND */
	return warden_store_del( store, warden_store_lock_dbi( store ), uuid,
		WARDEN_UUID_LEN, "lockout state", msg, len );
}
