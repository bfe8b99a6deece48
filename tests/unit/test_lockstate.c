/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* Lockout state in the LMDB store (backend/lockstate.c): every documented
 * behaviour of lockstate.h, the record format, and exact counting under
 * concurrent failures. */

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lmdb.h>

#include "lockstate.h"
#include "suites.h"

#define LS_SEC		((warden_time)1000000)
#define LS_DAY		( 86400 * LS_SEC )
#define LS_YEAR		( 365 * LS_DAY )
#define LS_T0		( (warden_time)1700000000 * LS_SEC )

static char ls_msg[512];
static const unsigned char ls_u1[WARDEN_UUID_LEN] =
	{ 0x6f, 0x1c, 0x2a, 0x3b, 0x4c, 0x5d, 0x4e, 0x7f, 0x80, 0x91, 0xa2, 0xb3, 0xc4, 0xd5, 0xe6, 0xf7 };
static const unsigned char ls_u2[WARDEN_UUID_LEN] =
	{ 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x47, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00 };

static warden_lock_policy
ls_policy( unsigned max, warden_time interval, warden_time duration )
{
	warden_lock_policy lp;

	memset( &lp, 0, sizeof( lp ) );
	lp.lp_lockout = 1;
	lp.lp_max_failure = max;
	lp.lp_interval = interval;
	lp.lp_duration = duration;
	return lp;
}

static warden_store *
ls_open( char **dir )
{
	warden_store *st = NULL;

	*dir = tu_tmpdir();
	ck_assert_int_eq( warden_store_open( *dir, &st, ls_msg, sizeof( ls_msg ) ), 0 );
	return st;
}

static void
ls_close( warden_store *st, char *dir )
{
	warden_store_close( st );
	tu_rmtree( dir );
	free( dir );
}

/* The id of the store's last committed transaction: unchanged means
 * nothing was written. */
static size_t
ls_txnid( warden_store *st )
{
	MDB_envinfo info;

	ck_assert_int_eq( mdb_env_info( warden_store_env( st ), &info ), 0 );
	return info.me_last_txnid;
}

static void
ls_fail( warden_store *st, const unsigned char *uuid, const warden_lock_policy *lp,
	warden_time now, warden_lock_state *s, int *locked )
{
	ck_assert_int_eq( warden_lock_fail( st, uuid, lp, now, s, locked,
		ls_msg, sizeof( ls_msg ) ), 0 );
}

static void
ls_put_raw( warden_store *st, const unsigned char *uuid, const void *data,
	size_t size )
{
	MDB_txn *txn;
	MDB_val k, v;

	k.mv_size = WARDEN_UUID_LEN;
	k.mv_data = (void *)uuid;
	v.mv_size = size;
	v.mv_data = (void *)data;
	ck_assert_int_eq( mdb_txn_begin( warden_store_env( st ), NULL, 0, &txn ), 0 );
	ck_assert_int_eq( mdb_put( txn, warden_store_lock_dbi( st ), &k, &v, 0 ), 0 );
	ck_assert_int_eq( mdb_txn_commit( txn ), 0 );
}

/* Copies the raw record of uuid into buf; returns its size, 0 if none. */
static size_t
ls_get_raw( warden_store *st, const unsigned char *uuid, unsigned char *buf,
	size_t len )
{
	MDB_txn *txn;
	MDB_val k, v;
	size_t n = 0;
	int rc;

	k.mv_size = WARDEN_UUID_LEN;
	k.mv_data = (void *)uuid;
	ck_assert_int_eq( mdb_txn_begin( warden_store_env( st ), NULL, MDB_RDONLY, &txn ), 0 );
	rc = mdb_get( txn, warden_store_lock_dbi( st ), &k, &v );
	if ( rc == 0 ) {
		ck_assert_uint_le( v.mv_size, len );
		memcpy( buf, v.mv_data, v.mv_size );
		n = v.mv_size;
	} else {
		ck_assert_int_eq( rc, MDB_NOTFOUND );
	}
	mdb_txn_abort( txn );
	return n;
}

static uint64_t
ls_le64( const unsigned char *p )
{
	uint64_t u = 0;
	int i;

	for ( i = 7; i >= 0; i-- ) u = u << 8 | p[i];
	return u;
}

START_TEST( ls_is_locked_is_pure_arithmetic )
{
	warden_lock_state s;

	memset( &s, 0, sizeof( s ) );
	ck_assert( !warden_lock_is_locked( &s, LS_T0 ) );
	/* locked_until without locked_at is no lock */
	s.ls_locked_until = LS_T0 + LS_SEC;
	ck_assert( !warden_lock_is_locked( &s, LS_T0 ) );
	s.ls_locked_at = LS_T0 - LS_SEC;
	ck_assert( warden_lock_is_locked( &s, LS_T0 ) );
	ck_assert( warden_lock_is_locked( &s, LS_T0 + LS_SEC - 1 ) );
	ck_assert( !warden_lock_is_locked( &s, LS_T0 + LS_SEC ) );
	s.ls_locked_until = WARDEN_FOREVER;
	ck_assert( warden_lock_is_locked( &s, LS_T0 + 1000 * LS_YEAR ) );
}
END_TEST

START_TEST( ls_duration_backoff_growth_cap_reset )
{
	warden_lock_policy lp = ls_policy( 3, 0, 60 * LS_SEC );
	warden_time last = LS_T0 - LS_SEC;

	/* no back-off: 0 and 1 both mean none */
	ck_assert_int_eq( warden_lock_duration( &lp, 0, 0, LS_T0 ), 60 * LS_SEC );
	ck_assert_int_eq( warden_lock_duration( &lp, 7, last, LS_T0 ), 60 * LS_SEC );
	lp.lp_backoff = 1;
	ck_assert_int_eq( warden_lock_duration( &lp, 7, last, LS_T0 ), 60 * LS_SEC );

	/* growth: duration * backoff^nlocks */
	lp.lp_backoff = 2;
	ck_assert_int_eq( warden_lock_duration( &lp, 0, 0, LS_T0 ), 60 * LS_SEC );
	ck_assert_int_eq( warden_lock_duration( &lp, 1, last, LS_T0 ), 120 * LS_SEC );
	ck_assert_int_eq( warden_lock_duration( &lp, 2, last, LS_T0 ), 240 * LS_SEC );
	ck_assert_int_eq( warden_lock_duration( &lp, 3, last, LS_T0 ), 480 * LS_SEC );
	lp.lp_backoff = 10;
	ck_assert_int_eq( warden_lock_duration( &lp, 4, last, LS_T0 ), 600000 * LS_SEC );

	/* cap */
	lp.lp_max_duration = 1000 * LS_SEC;
	ck_assert_int_eq( warden_lock_duration( &lp, 2, last, LS_T0 ), 1000 * LS_SEC );
	ck_assert_int_eq( warden_lock_duration( &lp, 1, last, LS_T0 ), 600 * LS_SEC );
	/* the cap bounds a duration even without back-off */
	lp.lp_max_duration = 30 * LS_SEC;
	ck_assert_int_eq( warden_lock_duration( &lp, 0, 0, LS_T0 ), 30 * LS_SEC );
	lp.lp_max_duration = 0;

	/* reset: earlier locks forgotten once lp_backoff_reset has passed
	 * since the last one, not a microsecond before */
	lp.lp_backoff = 2;
	lp.lp_backoff_reset = LS_DAY;
	ck_assert_int_eq( warden_lock_duration( &lp, 3, LS_T0 - LS_DAY + 1, LS_T0 ), 480 * LS_SEC );
	ck_assert_int_eq( warden_lock_duration( &lp, 3, LS_T0 - LS_DAY, LS_T0 ), 60 * LS_SEC );
	ck_assert_int_eq( warden_lock_duration( &lp, 3, LS_T0 - LS_YEAR, LS_T0 ), 60 * LS_SEC );
	/* a last lock after now (clock set back) has not aged */
	ck_assert_int_eq( warden_lock_duration( &lp, 3, LS_T0 + LS_YEAR, LS_T0 ), 480 * LS_SEC );
	/* without a reset time, history is kept forever */
	lp.lp_backoff_reset = 0;
	ck_assert_int_eq( warden_lock_duration( &lp, 3, LS_T0 - 50 * LS_YEAR, LS_T0 ), 480 * LS_SEC );
}
END_TEST

START_TEST( ls_duration_forever_and_saturation )
{
	warden_lock_policy lp = ls_policy( 3, 0, 0 );

	/* 0: until an administrator unlocks; no cap or back-off changes that */
	ck_assert_int_eq( warden_lock_duration( &lp, 0, 0, LS_T0 ), WARDEN_FOREVER );
	lp.lp_backoff = 10;
	lp.lp_max_duration = LS_DAY;
	ck_assert_int_eq( warden_lock_duration( &lp, 5, LS_T0, LS_T0 ), WARDEN_FOREVER );
	lp.lp_duration = -5;
	ck_assert_int_eq( warden_lock_duration( &lp, 0, 0, LS_T0 ), WARDEN_FOREVER );

	/* a year, times ten per lock, thousands of locks: saturates */
	lp.lp_duration = LS_YEAR;
	lp.lp_max_duration = 0;
	ck_assert_int_eq( warden_lock_duration( &lp, 1, LS_T0, LS_T0 ), 10 * LS_YEAR );
	ck_assert_int_eq( warden_lock_duration( &lp, 5000, LS_T0, LS_T0 ), WARDEN_FOREVER );
	ck_assert_int_eq( warden_lock_duration( &lp, UINT_MAX, LS_T0, LS_T0 ), WARDEN_FOREVER );
	/* just below the limit, then over it by one multiplication */
	lp.lp_duration = WARDEN_FOREVER / 2;
	lp.lp_backoff = 2;
	ck_assert_int_eq( warden_lock_duration( &lp, 1, LS_T0, LS_T0 ), WARDEN_FOREVER / 2 * 2 );
	lp.lp_duration = WARDEN_FOREVER / 2 + 1;
	ck_assert_int_eq( warden_lock_duration( &lp, 1, LS_T0, LS_T0 ), WARDEN_FOREVER );
	/* capped, it saturates to the cap */
	lp.lp_duration = LS_YEAR;
	lp.lp_backoff = 10;
	lp.lp_max_duration = 30 * LS_DAY;
	ck_assert_int_eq( warden_lock_duration( &lp, 5000, LS_T0, LS_T0 ), 30 * LS_DAY );
	ck_assert_int_eq( warden_lock_duration( &lp, UINT_MAX, LS_T0, LS_T0 ), 30 * LS_DAY );
}
END_TEST

START_TEST( ls_get_without_record )
{
	char *dir;
	warden_store *st = ls_open( &dir );
	warden_lock_state s;

	memset( &s, 0xa5, sizeof( s ) );
	ck_assert_int_eq( warden_lock_get( st, ls_u1, &s, ls_msg, sizeof( ls_msg ) ),
		WARDEN_LOCK_NOTFOUND );
	ck_assert_uint_eq( s.ls_nfail, 0 );
	ck_assert_int_eq( s.ls_locked_at, 0 );
	ck_assert_int_eq( s.ls_locked_until, 0 );
	ck_assert_uint_eq( s.ls_nlocks, 0 );
	ck_assert_int_eq( s.ls_last_lock, 0 );
	ck_assert_int_eq( s.ls_last_success, 0 );
	ck_assert_int_eq( s.ls_fail[0], 0 );
	ls_close( st, dir );
}
END_TEST

START_TEST( ls_locks_at_max_failure )
{
	char *dir;
	warden_store *st = ls_open( &dir );
	warden_lock_policy lp = ls_policy( 3, 0, 60 * LS_SEC );
	warden_lock_state s, g;
	int locked = -1;

	ls_fail( st, ls_u1, &lp, LS_T0, &s, &locked );
	ck_assert_int_eq( locked, 0 );
	ck_assert_uint_eq( s.ls_nfail, 1 );
	ck_assert_int_eq( s.ls_fail[0], LS_T0 );
	ls_fail( st, ls_u1, &lp, LS_T0 + 1, &s, &locked );
	ck_assert_int_eq( locked, 0 );
	ck_assert( !warden_lock_is_locked( &s, LS_T0 + 1 ) );
	ls_fail( st, ls_u1, &lp, LS_T0 + 2, &s, &locked );
	ck_assert_int_eq( locked, 1 );
	ck_assert_uint_eq( s.ls_nfail, 3 );
	ck_assert_int_eq( s.ls_locked_at, LS_T0 + 2 );
	ck_assert_int_eq( s.ls_locked_until, LS_T0 + 2 + 60 * LS_SEC );
	ck_assert_uint_eq( s.ls_nlocks, 1 );
	ck_assert_int_eq( s.ls_last_lock, LS_T0 + 2 );
	ck_assert( warden_lock_is_locked( &s, LS_T0 + 3 ) );

	/* what was returned is what was stored, and it outlives the store */
	warden_store_close( st );
	ck_assert_int_eq( warden_store_open( dir, &st, ls_msg, sizeof( ls_msg ) ), 0 );
	ck_assert_int_eq( warden_lock_get( st, ls_u1, &g, ls_msg, sizeof( ls_msg ) ), 0 );
	ck_assert_int_eq( memcmp( &g, &s, sizeof( s ) ), 0 );
	/* the other user is untouched; NULL outputs are allowed */
	ck_assert_int_eq( warden_lock_get( st, ls_u2, &g, ls_msg, sizeof( ls_msg ) ),
		WARDEN_LOCK_NOTFOUND );
	ck_assert_int_eq( warden_lock_fail( st, ls_u2, &lp, LS_T0, NULL, NULL,
		ls_msg, sizeof( ls_msg ) ), 0 );
	ck_assert_int_eq( warden_lock_get( st, ls_u2, &g, ls_msg, sizeof( ls_msg ) ), 0 );
	ck_assert_uint_eq( g.ls_nfail, 1 );
	ls_close( st, dir );
}
END_TEST

START_TEST( ls_failure_while_locked_not_counted )
{
	char *dir;
	warden_store *st = ls_open( &dir );
	warden_lock_policy lp = ls_policy( 2, 0, 60 * LS_SEC );
	warden_lock_state s, before;
	size_t txn;
	int locked = -1;

	ls_fail( st, ls_u1, &lp, LS_T0, &s, &locked );
	ls_fail( st, ls_u1, &lp, LS_T0 + LS_SEC, &before, &locked );
	ck_assert_int_eq( locked, 1 );
	txn = ls_txnid( st );
	/* up to the last microsecond of the lock: not counted, not extended,
	 * nothing written */
	ls_fail( st, ls_u1, &lp, LS_T0 + 2 * LS_SEC, &s, &locked );
	ck_assert_int_eq( locked, 0 );
	ck_assert_int_eq( memcmp( &s, &before, sizeof( s ) ), 0 );
	ls_fail( st, ls_u1, &lp, before.ls_locked_until - 1, &s, &locked );
	ck_assert_int_eq( locked, 0 );
	ck_assert_int_eq( memcmp( &s, &before, sizeof( s ) ), 0 );
	ck_assert_uint_eq( ls_txnid( st ), txn );
	ck_assert_int_eq( warden_lock_get( st, ls_u1, &s, ls_msg, sizeof( ls_msg ) ), 0 );
	ck_assert_int_eq( memcmp( &s, &before, sizeof( s ) ), 0 );
	ls_close( st, dir );
}
END_TEST

START_TEST( ls_expired_lock_ends_and_counts_fresh )
{
	char *dir;
	warden_store *st = ls_open( &dir );
	warden_lock_policy lp = ls_policy( 2, 0, 60 * LS_SEC );
	warden_lock_state s;
	warden_time until, t;
	int locked = -1;

	lp.lp_backoff = 3;
	ls_fail( st, ls_u1, &lp, LS_T0, &s, &locked );
	ls_fail( st, ls_u1, &lp, LS_T0 + 1, &s, &locked );
	ck_assert_int_eq( locked, 1 );
	until = s.ls_locked_until;
	ck_assert_int_eq( until, LS_T0 + 1 + 60 * LS_SEC );

	/* at locked_until the lock is over: this failure is the first of a
	 * new count, the old ones are forgotten, the lock history is kept */
	ls_fail( st, ls_u1, &lp, until, &s, &locked );
	ck_assert_int_eq( locked, 0 );
	ck_assert_uint_eq( s.ls_nfail, 1 );
	ck_assert_int_eq( s.ls_fail[0], until );
	ck_assert_int_eq( s.ls_locked_at, 0 );
	ck_assert_int_eq( s.ls_locked_until, 0 );
	ck_assert_uint_eq( s.ls_nlocks, 1 );
	ck_assert_int_eq( s.ls_last_lock, LS_T0 + 1 );

	/* the second lock is backed off: 60 s * 3 */
	t = until + LS_SEC;
	ls_fail( st, ls_u1, &lp, t, &s, &locked );
	ck_assert_int_eq( locked, 1 );
	ck_assert_uint_eq( s.ls_nlocks, 2 );
	ck_assert_int_eq( s.ls_last_lock, t );
	ck_assert_int_eq( s.ls_locked_until, t + 180 * LS_SEC );
	ls_close( st, dir );
}
END_TEST

START_TEST( ls_interval_expiry )
{
	char *dir;
	warden_store *st = ls_open( &dir );
	warden_lock_policy lp = ls_policy( 3, 10 * LS_SEC, 60 * LS_SEC );
	warden_lock_state s;
	int locked = -1;

	ls_fail( st, ls_u1, &lp, LS_T0, &s, &locked );
	ls_fail( st, ls_u1, &lp, LS_T0 + 5 * LS_SEC, &s, &locked );
	/* the first is exactly lp_interval old: it no longer counts */
	ls_fail( st, ls_u1, &lp, LS_T0 + 10 * LS_SEC, &s, &locked );
	ck_assert_int_eq( locked, 0 );
	ck_assert_uint_eq( s.ls_nfail, 2 );
	ck_assert_int_eq( s.ls_fail[0], LS_T0 + 5 * LS_SEC );
	ck_assert_int_eq( s.ls_fail[1], LS_T0 + 10 * LS_SEC );
	/* one microsecond younger than the interval still counts */
	ls_fail( st, ls_u1, &lp, LS_T0 + 15 * LS_SEC - 1, &s, &locked );
	ck_assert_int_eq( locked, 1 );
	ck_assert_uint_eq( s.ls_nfail, 3 );
	ls_close( st, dir );

	/* interval 0: failures count until a success, however old */
	st = ls_open( &dir );
	lp.lp_interval = 0;
	ls_fail( st, ls_u1, &lp, LS_T0, &s, &locked );
	ls_fail( st, ls_u1, &lp, LS_T0 + LS_YEAR, &s, &locked );
	ck_assert_int_eq( locked, 0 );
	ls_fail( st, ls_u1, &lp, LS_T0 + 2 * LS_YEAR, &s, &locked );
	ck_assert_int_eq( locked, 1 );
	ck_assert_uint_eq( s.ls_nfail, 3 );
	ls_close( st, dir );
}
END_TEST

START_TEST( ls_failure_list_and_limits )
{
	char *dir;
	warden_store *st = ls_open( &dir );
	warden_lock_policy lp = ls_policy( 3, 0, 60 * LS_SEC );
	warden_lock_state s;
	int locked = -1, i;

	/* lp_lockout off: counted, never locked, the newest 64 kept */
	lp.lp_lockout = 0;
	for ( i = 0; i < WARDEN_FAIL_MAX + 6; i++ ) {
		ls_fail( st, ls_u1, &lp, LS_T0 + i, &s, &locked );
		ck_assert_int_eq( locked, 0 );
	}
	ck_assert_uint_eq( s.ls_nfail, WARDEN_FAIL_MAX );
	ck_assert_int_eq( s.ls_fail[0], LS_T0 + 6 );
	ck_assert_int_eq( s.ls_fail[WARDEN_FAIL_MAX - 1], LS_T0 + WARDEN_FAIL_MAX + 5 );
	ck_assert_uint_eq( s.ls_nlocks, 0 );

	/* lp_max_failure 0: never */
	lp.lp_lockout = 1;
	lp.lp_max_failure = 0;
	for ( i = 0; i < WARDEN_FAIL_MAX + 2; i++ ) {
		ls_fail( st, ls_u2, &lp, LS_T0 + i, &s, &locked );
		ck_assert_int_eq( locked, 0 );
	}
	ck_assert_uint_eq( s.ls_nlocks, 0 );
	ck_assert_int_eq( warden_lock_purge( st, ls_u1, ls_msg, sizeof( ls_msg ) ), 0 );
	ck_assert_int_eq( warden_lock_purge( st, ls_u2, ls_msg, sizeof( ls_msg ) ), 0 );

	/* above WARDEN_FAIL_MAX: locks at it */
	lp.lp_max_failure = 100;
	for ( i = 1; i <= WARDEN_FAIL_MAX; i++ ) {
		ls_fail( st, ls_u1, &lp, LS_T0 + i, &s, &locked );
		ck_assert_int_eq( locked, i == WARDEN_FAIL_MAX );
	}

	/* a policy lowered below a user's count locks at the next failure */
	lp.lp_max_failure = 10;
	for ( i = 0; i < 5; i++ ) ls_fail( st, ls_u2, &lp, LS_T0 + i, &s, &locked );
	ck_assert_int_eq( locked, 0 );
	lp.lp_max_failure = 3;
	ls_fail( st, ls_u2, &lp, LS_T0 + 5, &s, &locked );
	ck_assert_int_eq( locked, 1 );
	ck_assert_uint_eq( s.ls_nfail, 6 );
	ls_close( st, dir );
}
END_TEST

START_TEST( ls_lock_until_unlocked )
{
	char *dir;
	warden_store *st = ls_open( &dir );
	warden_lock_policy lp = ls_policy( 1, 0, 0 );
	warden_lock_state s;
	int locked = -1;

	ls_fail( st, ls_u1, &lp, LS_T0, &s, &locked );
	ck_assert_int_eq( locked, 1 );
	ck_assert_int_eq( s.ls_locked_until, WARDEN_FOREVER );
	ls_fail( st, ls_u1, &lp, LS_T0 + 100 * LS_YEAR, &s, &locked );
	ck_assert_int_eq( locked, 0 );
	ck_assert( warden_lock_is_locked( &s, LS_T0 + 100 * LS_YEAR ) );
	/* a duration that would end after the end of time is forever too */
	lp.lp_duration = WARDEN_FOREVER - 1;
	ls_fail( st, ls_u2, &lp, LS_T0, &s, &locked );
	ck_assert_int_eq( locked, 1 );
	ck_assert_int_eq( s.ls_locked_until, WARDEN_FOREVER );
	ck_assert_int_eq( warden_lock_unlock( st, ls_u1, ls_msg, sizeof( ls_msg ) ), 0 );
	ck_assert_int_eq( warden_lock_get( st, ls_u1, &s, ls_msg, sizeof( ls_msg ) ), 0 );
	ck_assert( !warden_lock_is_locked( &s, LS_T0 + 1 ) );
	ls_close( st, dir );
}
END_TEST

START_TEST( ls_success_clears_failures )
{
	char *dir;
	warden_store *st = ls_open( &dir );
	warden_lock_policy lp = ls_policy( 3, 0, 60 * LS_SEC );
	warden_lock_state s;
	int locked, wrote = -1;

	ls_fail( st, ls_u1, &lp, LS_T0, &s, &locked );
	ls_fail( st, ls_u1, &lp, LS_T0 + 1, &s, &locked );
	ck_assert_int_eq( warden_lock_success( st, ls_u1, LS_T0 + 2, &wrote,
		ls_msg, sizeof( ls_msg ) ), 0 );
	ck_assert_int_eq( wrote, 1 );
	ck_assert_int_eq( warden_lock_get( st, ls_u1, &s, ls_msg, sizeof( ls_msg ) ), 0 );
	ck_assert_uint_eq( s.ls_nfail, 0 );
	ck_assert_int_eq( s.ls_last_success, LS_T0 + 2 );
	ck_assert_int_eq( s.ls_locked_at, 0 );
	/* the count starts again from zero */
	ls_fail( st, ls_u1, &lp, LS_T0 + 3, &s, &locked );
	ls_fail( st, ls_u1, &lp, LS_T0 + 4, &s, &locked );
	ck_assert_int_eq( locked, 0 );
	ck_assert_uint_eq( s.ls_nfail, 2 );
	ck_assert_int_eq( s.ls_last_success, LS_T0 + 2 );
	ls_close( st, dir );
}
END_TEST

START_TEST( ls_success_with_nothing_to_clear_writes_nothing )
{
	char *dir;
	warden_store *st = ls_open( &dir );
	warden_lock_policy lp = ls_policy( 3, 0, 60 * LS_SEC );
	warden_lock_state s;
	size_t txn;
	int locked, wrote = -1;

	/* no record */
	txn = ls_txnid( st );
	ck_assert_int_eq( warden_lock_success( st, ls_u1, LS_T0, &wrote,
		ls_msg, sizeof( ls_msg ) ), 0 );
	ck_assert_int_eq( wrote, 0 );
	ck_assert_int_eq( warden_lock_success( st, ls_u1, LS_T0, NULL,
		ls_msg, sizeof( ls_msg ) ), 0 );
	ck_assert_uint_eq( ls_txnid( st ), txn );
	ck_assert_int_eq( warden_lock_get( st, ls_u1, &s, ls_msg, sizeof( ls_msg ) ),
		WARDEN_LOCK_NOTFOUND );

	/* a record without failures and without lock: last_success stays */
	ls_fail( st, ls_u1, &lp, LS_T0 + 1, &s, &locked );
	ck_assert_int_eq( warden_lock_success( st, ls_u1, LS_T0 + 2, &wrote,
		ls_msg, sizeof( ls_msg ) ), 0 );
	ck_assert_int_eq( wrote, 1 );
	txn = ls_txnid( st );
	wrote = -1;
	ck_assert_int_eq( warden_lock_success( st, ls_u1, LS_T0 + 3, &wrote,
		ls_msg, sizeof( ls_msg ) ), 0 );
	ck_assert_int_eq( wrote, 0 );
	ck_assert_uint_eq( ls_txnid( st ), txn );
	ck_assert_int_eq( warden_lock_get( st, ls_u1, &s, ls_msg, sizeof( ls_msg ) ), 0 );
	ck_assert_int_eq( s.ls_last_success, LS_T0 + 2 );
	ls_close( st, dir );
}
END_TEST

START_TEST( ls_success_while_locked_changes_nothing )
{
	char *dir;
	warden_store *st = ls_open( &dir );
	warden_lock_policy lp = ls_policy( 1, 0, 60 * LS_SEC );
	warden_lock_state s, before;
	size_t txn;
	int locked, wrote = -1;

	ls_fail( st, ls_u1, &lp, LS_T0, &before, &locked );
	ck_assert_int_eq( locked, 1 );
	txn = ls_txnid( st );
	ck_assert_int_eq( warden_lock_success( st, ls_u1, LS_T0 + LS_SEC, &wrote,
		ls_msg, sizeof( ls_msg ) ), 0 );
	ck_assert_int_eq( wrote, 0 );
	ck_assert_uint_eq( ls_txnid( st ), txn );
	ck_assert_int_eq( warden_lock_get( st, ls_u1, &s, ls_msg, sizeof( ls_msg ) ), 0 );
	ck_assert_int_eq( memcmp( &s, &before, sizeof( s ) ), 0 );
	ls_close( st, dir );
}
END_TEST

START_TEST( ls_success_after_expired_lock )
{
	char *dir;
	warden_store *st = ls_open( &dir );
	warden_lock_policy lp = ls_policy( 1, 0, 60 * LS_SEC );
	warden_lock_state s;
	int locked, wrote = -1;

	ls_fail( st, ls_u1, &lp, LS_T0, &s, &locked );
	ck_assert_int_eq( warden_lock_success( st, ls_u1, s.ls_locked_until, &wrote,
		ls_msg, sizeof( ls_msg ) ), 0 );
	ck_assert_int_eq( wrote, 1 );
	ck_assert_int_eq( warden_lock_get( st, ls_u1, &s, ls_msg, sizeof( ls_msg ) ), 0 );
	ck_assert_uint_eq( s.ls_nfail, 0 );
	ck_assert_int_eq( s.ls_locked_at, 0 );
	ck_assert_int_eq( s.ls_locked_until, 0 );
	ck_assert_int_eq( s.ls_last_success, LS_T0 + 60 * LS_SEC );
	/* back-off history is not a success's to clear */
	ck_assert_uint_eq( s.ls_nlocks, 1 );
	ck_assert_int_eq( s.ls_last_lock, LS_T0 );
	ls_close( st, dir );
}
END_TEST

START_TEST( ls_unlock_keeps_history )
{
	char *dir;
	warden_store *st = ls_open( &dir );
	warden_lock_policy lp = ls_policy( 2, 0, 0 );
	warden_lock_state s;
	size_t txn;
	int locked, wrote;

	ck_assert_int_eq( warden_lock_unlock( st, ls_u1, ls_msg, sizeof( ls_msg ) ),
		WARDEN_LOCK_NOTFOUND );
	ls_fail( st, ls_u1, &lp, LS_T0, &s, &locked );
	ck_assert_int_eq( warden_lock_success( st, ls_u1, LS_T0 + 1, &wrote,
		ls_msg, sizeof( ls_msg ) ), 0 );
	ls_fail( st, ls_u1, &lp, LS_T0 + 2, &s, &locked );
	ls_fail( st, ls_u1, &lp, LS_T0 + 3, &s, &locked );
	ck_assert_int_eq( locked, 1 );

	ck_assert_int_eq( warden_lock_unlock( st, ls_u1, ls_msg, sizeof( ls_msg ) ), 0 );
	ck_assert_int_eq( warden_lock_get( st, ls_u1, &s, ls_msg, sizeof( ls_msg ) ), 0 );
	ck_assert( !warden_lock_is_locked( &s, LS_T0 + 4 ) );
	ck_assert_uint_eq( s.ls_nfail, 0 );
	ck_assert_int_eq( s.ls_locked_at, 0 );
	ck_assert_int_eq( s.ls_locked_until, 0 );
	ck_assert_uint_eq( s.ls_nlocks, 1 );
	ck_assert_int_eq( s.ls_last_lock, LS_T0 + 3 );
	ck_assert_int_eq( s.ls_last_success, LS_T0 + 1 );

	/* nothing left to unlock: says so, writes nothing */
	txn = ls_txnid( st );
	ck_assert_int_eq( warden_lock_unlock( st, ls_u1, ls_msg, sizeof( ls_msg ) ),
		WARDEN_LOCK_NOTFOUND );
	ck_assert_uint_eq( ls_txnid( st ), txn );

	/* failures without a lock are unlocked too; with no history left the
	 * record goes */
	lp.lp_max_failure = 5;
	ls_fail( st, ls_u2, &lp, LS_T0, &s, &locked );
	ck_assert_int_eq( warden_lock_unlock( st, ls_u2, ls_msg, sizeof( ls_msg ) ), 0 );
	ck_assert_int_eq( warden_lock_get( st, ls_u2, &s, ls_msg, sizeof( ls_msg ) ),
		WARDEN_LOCK_NOTFOUND );
	ls_close( st, dir );
}
END_TEST

START_TEST( ls_purge_removes )
{
	char *dir;
	warden_store *st = ls_open( &dir );
	warden_lock_policy lp = ls_policy( 1, 0, 0 );
	warden_lock_state s;
	int locked;

	ck_assert_int_eq( warden_lock_purge( st, ls_u1, ls_msg, sizeof( ls_msg ) ),
		WARDEN_LOCK_NOTFOUND );
	ls_fail( st, ls_u1, &lp, LS_T0, &s, &locked );
	ls_fail( st, ls_u2, &lp, LS_T0, &s, &locked );
	ck_assert_int_eq( warden_lock_purge( st, ls_u1, ls_msg, sizeof( ls_msg ) ), 0 );
	ck_assert_int_eq( warden_lock_get( st, ls_u1, &s, ls_msg, sizeof( ls_msg ) ),
		WARDEN_LOCK_NOTFOUND );
	ck_assert_int_eq( warden_lock_purge( st, ls_u1, ls_msg, sizeof( ls_msg ) ),
		WARDEN_LOCK_NOTFOUND );
	/* everything gone: the next failure starts a new history */
	lp.lp_max_failure = 3;
	ls_fail( st, ls_u1, &lp, LS_T0 + 1, &s, &locked );
	ck_assert_uint_eq( s.ls_nfail, 1 );
	ck_assert_uint_eq( s.ls_nlocks, 0 );
	ck_assert_int_eq( warden_lock_get( st, ls_u2, &s, ls_msg, sizeof( ls_msg ) ), 0 );
	ck_assert_uint_eq( s.ls_nlocks, 1 );
	ls_close( st, dir );
}
END_TEST

START_TEST( ls_record_layout )
{
	char *dir;
	warden_store *st = ls_open( &dir );
	warden_lock_policy lp = ls_policy( 2, 0, 60 * LS_SEC );
	warden_lock_state s;
	unsigned char rec[1024];
	size_t n;
	int locked;

	ls_fail( st, ls_u1, &lp, LS_T0, &s, &locked );
	ls_fail( st, ls_u1, &lp, LS_T0 + 7, &s, &locked );
	n = ls_get_raw( st, ls_u1, rec, sizeof( rec ) );
	/* version 1, nfail, two zero bytes, nlocks (LE32), four LE64 times,
	 * then the failure times */
	ck_assert_uint_eq( n, 40 + 2 * 8 );
	ck_assert_uint_eq( rec[0], 1 );
	ck_assert_uint_eq( rec[1], 2 );
	ck_assert_uint_eq( rec[2], 0 );
	ck_assert_uint_eq( rec[3], 0 );
	ck_assert_uint_eq( rec[4], 1 );
	ck_assert_uint_eq( rec[5] | rec[6] | rec[7], 0 );
	ck_assert( ls_le64( rec + 8 ) == (uint64_t)( LS_T0 + 7 ) );
	ck_assert( ls_le64( rec + 16 ) == (uint64_t)( LS_T0 + 7 + 60 * LS_SEC ) );
	ck_assert( ls_le64( rec + 24 ) == (uint64_t)( LS_T0 + 7 ) );
	ck_assert( ls_le64( rec + 32 ) == 0 );
	ck_assert( ls_le64( rec + 40 ) == (uint64_t)LS_T0 );
	ck_assert( ls_le64( rec + 48 ) == (uint64_t)( LS_T0 + 7 ) );
	ls_close( st, dir );
}
END_TEST

/* Every operation that reads a record refuses one that is not of the
 * format; purge, which does not read it, removes it. */
static void
ls_check_corrupt( const void *rec, size_t size )
{
	char *dir;
	warden_store *st = ls_open( &dir );
	warden_lock_policy lp = ls_policy( 1, 0, 0 );
	warden_lock_state s;
	int locked = -1, wrote = -1;

	ls_put_raw( st, ls_u1, rec, size );
	ck_assert_int_eq( warden_lock_get( st, ls_u1, &s, ls_msg, sizeof( ls_msg ) ), -1 );
	ck_assert_str_eq( ls_msg, "corrupt lockout record" );
	ck_assert_uint_eq( s.ls_nfail, 0 );
	ck_assert_int_eq( s.ls_locked_at, 0 );
	ls_msg[0] = '\0';
	ck_assert_int_eq( warden_lock_fail( st, ls_u1, &lp, LS_T0, &s, &locked,
		ls_msg, sizeof( ls_msg ) ), -1 );
	ck_assert_str_eq( ls_msg, "corrupt lockout record" );
	ck_assert_int_eq( locked, 0 );
	ls_msg[0] = '\0';
	ck_assert_int_eq( warden_lock_success( st, ls_u1, LS_T0, &wrote,
		ls_msg, sizeof( ls_msg ) ), -1 );
	ck_assert_str_eq( ls_msg, "corrupt lockout record" );
	ck_assert_int_eq( wrote, 0 );
	ls_msg[0] = '\0';
	ck_assert_int_eq( warden_lock_unlock( st, ls_u1, ls_msg, sizeof( ls_msg ) ), -1 );
	ck_assert_str_eq( ls_msg, "corrupt lockout record" );
	/* the record was left as it was */
	ck_assert_int_eq( warden_lock_get( st, ls_u1, &s, ls_msg, sizeof( ls_msg ) ), -1 );
	ck_assert_int_eq( warden_lock_purge( st, ls_u1, ls_msg, sizeof( ls_msg ) ), 0 );
	ck_assert_int_eq( warden_lock_get( st, ls_u1, &s, ls_msg, sizeof( ls_msg ) ),
		WARDEN_LOCK_NOTFOUND );
	ls_close( st, dir );
}

START_TEST( ls_corrupt_record_detected )
{
	unsigned char rec[40 + 8 * ( WARDEN_FAIL_MAX + 1 )];

	ls_check_corrupt( "junk!", 5 );
	ls_check_corrupt( "", 0 );
	memset( rec, 0xff, sizeof( rec ) );
	ls_check_corrupt( rec, sizeof( rec ) );

	/* a well formed version 1 record with one failure ... */
	memset( rec, 0, sizeof( rec ) );
	rec[0] = 1;
	rec[1] = 1;
	/* ... of another version */
	rec[0] = 2;
	ls_check_corrupt( rec, 48 );
	rec[0] = 1;
	/* ... with a size that does not match nfail */
	ls_check_corrupt( rec, 40 );
	ls_check_corrupt( rec, 56 );
	/* ... with reserved bytes set */
	rec[2] = 1;
	ls_check_corrupt( rec, 48 );
	rec[2] = 0;
	/* ... or more failures than a record holds */
	rec[1] = WARDEN_FAIL_MAX + 1;
	ls_check_corrupt( rec, sizeof( rec ) );
}
END_TEST

START_TEST( ls_invalid_time_refused )
{
	char *dir;
	warden_store *st = ls_open( &dir );
	warden_lock_policy lp = ls_policy( 1, 0, 0 );
	int wrote = -1, locked = -1;

	/* 0 is "none" in the record: a time of 0 could not be stored */
	ck_assert_int_eq( warden_lock_fail( st, ls_u1, &lp, 0, NULL, &locked,
		ls_msg, sizeof( ls_msg ) ), -1 );
	ck_assert_int_eq( locked, 0 );
	ck_assert_ptr_nonnull( strstr( ls_msg, "invalid time" ) );
	ck_assert_int_eq( warden_lock_success( st, ls_u1, -1, &wrote,
		ls_msg, sizeof( ls_msg ) ), -1 );
	ck_assert_int_eq( wrote, 0 );
	ls_close( st, dir );
}
END_TEST

#define LS_THREADS	8
#define LS_PER_THREAD	50

typedef struct ls_storm {
	warden_store		*st;
	warden_lock_policy	lp;
	pthread_barrier_t	go;
	/* per call: the state returned and whether it locked */
	warden_lock_state	out[LS_THREADS][LS_PER_THREAD];
	int			locked[LS_THREADS][LS_PER_THREAD];
	int			rc[LS_THREADS][LS_PER_THREAD];
} ls_storm;

typedef struct ls_storm_arg {
	ls_storm	*storm;
	int		id;
} ls_storm_arg;

static void *
ls_storm_thread( void *arg )
{
	ls_storm_arg *a = arg;
	ls_storm *s = a->storm;
	char m[256];
	int i;

	pthread_barrier_wait( &s->go );
	for ( i = 0; i < LS_PER_THREAD; i++ ) {
		s->rc[a->id][i] = warden_lock_fail( s->st, ls_u1, &s->lp, LS_T0 + i,
			&s->out[a->id][i], &s->locked[a->id][i], m, sizeof( m ) );
	}
	return NULL;
}

/* 400 failures from 8 threads at once: every one is counted exactly once
 * until the lock, exactly one locks, and none after it counts. */
static void
ls_storm_run( unsigned max_failure, unsigned expect_at )
{
	char *dir;
	ls_storm *s = calloc( 1, sizeof( *s ) );
	ls_storm_arg args[LS_THREADS];
	pthread_t tid[LS_THREADS];
	int seen[WARDEN_FAIL_MAX + 1];
	warden_lock_state g;
	int i, j, nlocked = 0, nafter = 0;

	ck_assert_ptr_nonnull( s );
	memset( seen, 0, sizeof( seen ) );
	s->st = ls_open( &dir );
	s->lp = ls_policy( max_failure, 0, LS_DAY );
	pthread_barrier_init( &s->go, NULL, LS_THREADS );
	for ( i = 0; i < LS_THREADS; i++ ) {
		args[i].storm = s;
		args[i].id = i;
		ck_assert_int_eq( pthread_create( &tid[i], NULL, ls_storm_thread, &args[i] ), 0 );
	}
	for ( i = 0; i < LS_THREADS; i++ ) pthread_join( tid[i], NULL );
	pthread_barrier_destroy( &s->go );

	for ( i = 0; i < LS_THREADS; i++ ) {
		for ( j = 0; j < LS_PER_THREAD; j++ ) {
			warden_lock_state *o = &s->out[i][j];

			ck_assert_int_eq( s->rc[i][j], 0 );
			if ( s->locked[i][j] ) {
				nlocked++;
				ck_assert_uint_eq( o->ls_nfail, expect_at );
			} else if ( warden_lock_is_locked( o, LS_T0 + j ) ) {
				/* refused while locked: the state at the lock */
				nafter++;
				ck_assert_uint_eq( o->ls_nfail, expect_at );
			} else {
				ck_assert_uint_ge( o->ls_nfail, 1 );
				ck_assert_uint_lt( o->ls_nfail, expect_at );
				seen[o->ls_nfail]++;
			}
		}
	}
	ck_assert_int_eq( nlocked, 1 );
	/* counts 1 .. expect_at-1 each returned to exactly one caller */
	for ( i = 1; i < (int)expect_at; i++ ) ck_assert_int_eq( seen[i], 1 );
	ck_assert_int_eq( nafter, LS_THREADS * LS_PER_THREAD - (int)expect_at );
	ck_assert_int_eq( warden_lock_get( s->st, ls_u1, &g, ls_msg, sizeof( ls_msg ) ), 0 );
	ck_assert_uint_eq( g.ls_nfail, expect_at );
	ck_assert_uint_eq( g.ls_nlocks, 1 );
	ls_close( s->st, dir );
	free( s );
}

START_TEST( ls_concurrent_failures_lock_exactly_once )
{
	ls_storm_run( 50, 50 );
	/* 100 is above WARDEN_FAIL_MAX: the lock comes at the 64th */
	ls_storm_run( 100, WARDEN_FAIL_MAX );
}
END_TEST

Suite *
lockstate_suite( void )
{
	Suite *s = suite_create( "lockstate" );
	TCase *tc = tcase_create( "pure" );

	tcase_add_test( tc, ls_is_locked_is_pure_arithmetic );
	tcase_add_test( tc, ls_duration_backoff_growth_cap_reset );
	tcase_add_test( tc, ls_duration_forever_and_saturation );
	suite_add_tcase( s, tc );

	tc = tcase_create( "store" );
	tcase_add_test( tc, ls_get_without_record );
	tcase_add_test( tc, ls_locks_at_max_failure );
	tcase_add_test( tc, ls_failure_while_locked_not_counted );
	tcase_add_test( tc, ls_expired_lock_ends_and_counts_fresh );
	tcase_add_test( tc, ls_interval_expiry );
	tcase_add_test( tc, ls_failure_list_and_limits );
	tcase_add_test( tc, ls_lock_until_unlocked );
	tcase_add_test( tc, ls_success_clears_failures );
	tcase_add_test( tc, ls_success_with_nothing_to_clear_writes_nothing );
	tcase_add_test( tc, ls_success_while_locked_changes_nothing );
	tcase_add_test( tc, ls_success_after_expired_lock );
	tcase_add_test( tc, ls_unlock_keeps_history );
	tcase_add_test( tc, ls_purge_removes );
	tcase_add_test( tc, ls_record_layout );
	tcase_add_test( tc, ls_corrupt_record_detected );
	tcase_add_test( tc, ls_invalid_time_refused );
	tcase_add_test( tc, ls_concurrent_failures_lock_exactly_once );
	suite_add_tcase( s, tc );
	return s;
}
