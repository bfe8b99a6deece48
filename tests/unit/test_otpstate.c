/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* One-time code state in the LMDB store (backend/otpstate.c): check and
 * advance, exactly one winner among concurrent uses of one code, state
 * kept across a reopen, recovery code bits, the record format, purging. */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lmdb.h>

#include "otpstate.h"
#include "suites.h"

#define OS_SEC		((warden_time)1000000)
#define OS_T0		( (warden_time)1700000000 * OS_SEC )
#define OS_STEP		((int64_t)56666666)
#define OS_THREADS	20

static char os_msg[512];
static const unsigned char tok1[WARDEN_UUID_LEN] =
	{ 0x6f, 0x1c, 0x2a, 0x3b, 0x4c, 0x5d, 0x4e, 0x7f, 0x80, 0x91, 0xa2, 0xb3, 0xc4, 0xd5, 0xe6, 0xf7 };
static const unsigned char tok2[WARDEN_UUID_LEN] =
	{ 0x6f, 0x1c, 0x2a, 0x3b, 0x4c, 0x5d, 0x4e, 0x7f, 0x80, 0x91, 0xa2, 0xb3, 0xc4, 0xd5, 0xe6, 0xf8 };

static warden_store *
os_open( const char *dir )
{
	warden_store *st = NULL;

	ck_assert_int_eq( warden_store_open( dir, &st, os_msg, sizeof( os_msg ) ), 0 );
	return st;
}

static int
os_advance( warden_store *st, const unsigned char *uuid, unsigned idx,
	int64_t step, int64_t drift, warden_time now )
{
	return warden_otpstate_advance( st, uuid, idx, step, drift, now,
		os_msg, sizeof( os_msg ) );
}

static void
os_get( warden_store *st, const unsigned char *uuid, unsigned idx, int want,
	warden_otp_state *s )
{
	ck_assert_int_eq( warden_otpstate_get( st, uuid, idx, s, os_msg,
		sizeof( os_msg ) ), want );
}

static void
os_put_raw( warden_store *st, const unsigned char *uuid, unsigned idx,
	const void *data, size_t size )
{
	unsigned char k[WARDEN_UUID_LEN + 1];
	MDB_val key = { sizeof( k ), k }, val = { size, (void *)data };
	MDB_txn *txn;

	memcpy( k, uuid, WARDEN_UUID_LEN );
	k[WARDEN_UUID_LEN] = (unsigned char)idx;
	ck_assert_int_eq( mdb_txn_begin( warden_store_env( st ), NULL, 0, &txn ), 0 );
	ck_assert_int_eq( mdb_put( txn, warden_store_otp_dbi( st ), &key, &val, 0 ), 0 );
	ck_assert_int_eq( mdb_txn_commit( txn ), 0 );
}

START_TEST( advance )
{
	char *dir = tu_tmpdir();
	warden_store *st = os_open( dir );
	warden_otp_state s;

	os_get( st, tok1, 0, WARDEN_OTPSTATE_NOTFOUND, &s );
	ck_assert_int_eq( s.os_last, -1 );
	ck_assert_int_eq( s.os_drift, 0 );
	ck_assert_int_eq( s.os_last_success, 0 );

	ck_assert_int_eq( os_advance( st, tok1, 0, OS_STEP, 2, OS_T0 ), 0 );
	os_get( st, tok1, 0, 0, &s );
	ck_assert_int_eq( s.os_last, OS_STEP );
	ck_assert_int_eq( s.os_drift, 2 );
	ck_assert_int_eq( s.os_last_success, OS_T0 );
	/* the same step, or an earlier one: refused, nothing changes */
	ck_assert_int_eq( os_advance( st, tok1, 0, OS_STEP, 0, OS_T0 + 1 ),
		WARDEN_OTPSTATE_USED );
	ck_assert_int_eq( os_advance( st, tok1, 0, OS_STEP - 1, 0, OS_T0 + 1 ),
		WARDEN_OTPSTATE_USED );
	os_get( st, tok1, 0, 0, &s );
	ck_assert_int_eq( s.os_drift, 2 );
	ck_assert_int_eq( s.os_last_success, OS_T0 );
	/* a later one */
	ck_assert_int_eq( os_advance( st, tok1, 0, OS_STEP + 1, -1, OS_T0 + 30 * OS_SEC ), 0 );
	os_get( st, tok1, 0, 0, &s );
	ck_assert_int_eq( s.os_last, OS_STEP + 1 );
	ck_assert_int_eq( s.os_drift, -1 );
	/* HOTP counter 0 is a step like any other */
	ck_assert_int_eq( os_advance( st, tok1, 1, 0, 0, OS_T0 ), 0 );
	ck_assert_int_eq( os_advance( st, tok1, 1, 0, 0, OS_T0 ), WARDEN_OTPSTATE_USED );
	/* keys are independent: another index, another token */
	ck_assert_int_eq( os_advance( st, tok1, 2, OS_STEP, 0, OS_T0 ), 0 );
	ck_assert_int_eq( os_advance( st, tok2, 0, OS_STEP, 0, OS_T0 ), 0 );
	/* invalid arguments */
	ck_assert_int_eq( os_advance( st, tok1, 0, -1, 0, OS_T0 ), -1 );
	ck_assert_int_eq( os_advance( st, tok1, 0, OS_STEP + 5, 0, 0 ), -1 );
	ck_assert_int_eq( os_advance( st, tok1, 256, OS_STEP + 5, 0, OS_T0 ), -1 );
	ck_assert_ptr_nonnull( strstr( os_msg, "invalid index" ) );
	ck_assert_int_eq( warden_otpstate_get( st, tok1, 256, &s, os_msg,
		sizeof( os_msg ) ), -1 );

	warden_store_close( st );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

typedef struct os_race {
	warden_store		*st;
	pthread_barrier_t	*go;
	int64_t			step;
	int			recovery;
	int			rc;
} os_race;

static void *
os_racer( void *arg )
{
	os_race *r = arg;
	char m[256];

	pthread_barrier_wait( r->go );
	if ( r->recovery == 2 )
		r->rc = warden_otpstate_take( r->st, tok1, 0, r->step, 0, OS_T0,
			m, sizeof( m ) );
	else if ( r->recovery )
		r->rc = warden_otpstate_use_recovery( r->st, tok1, 0, 77, 4, 10,
			OS_T0, NULL, m, sizeof( m ) );
	else
		r->rc = warden_otpstate_advance( r->st, tok1, 0, r->step, 0, OS_T0,
			m, sizeof( m ) );
	return NULL;
}

/* 20 binds with one valid code at once: one is accepted */
static void
os_race_round( warden_store *st, int64_t step, int recovery )
{
	pthread_t th[OS_THREADS];
	os_race r[OS_THREADS];
	pthread_barrier_t go;
	int i, won = 0, used = 0;

	ck_assert_int_eq( pthread_barrier_init( &go, NULL, OS_THREADS ), 0 );
	for ( i = 0; i < OS_THREADS; i++ ) {
		r[i].st = st;
		r[i].go = &go;
		r[i].step = step;
		r[i].recovery = recovery;
		r[i].rc = -99;
		ck_assert_int_eq( pthread_create( &th[i], NULL, os_racer, &r[i] ), 0 );
	}
	for ( i = 0; i < OS_THREADS; i++ ) {
		pthread_join( th[i], NULL );
		won += r[i].rc == 0;
		used += r[i].rc == WARDEN_OTPSTATE_USED;
	}
	pthread_barrier_destroy( &go );
	ck_assert_int_eq( won, 1 );
	ck_assert_int_eq( used, OS_THREADS - 1 );
}

START_TEST( concurrent_one_winner )
{
	char *dir = tu_tmpdir();
	warden_store *st = os_open( dir );
	warden_otp_state s;
	int round;

	for ( round = 0; round < 10; round++ )
		os_race_round( st, OS_STEP + round, 0 );
	os_get( st, tok1, 0, 0, &s );
	ck_assert_int_eq( s.os_last, OS_STEP + 9 );
	os_race_round( st, 0, 1 );
	os_get( st, tok1, 0, 0, &s );
	ck_assert_uint_eq( s.os_recovery_used, 1u << 4 );
	/* without the flush (totp.c, where the entry's commit is the
	 * flushed record): the same single winner */
	for ( round = 10; round < 15; round++ )
		os_race_round( st, OS_STEP + round, 2 );
	os_get( st, tok1, 0, 0, &s );
	ck_assert_int_eq( s.os_last, OS_STEP + 14 );
	warden_store_close( st );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

/* advance flushes once per accepted step, take and refusals never; a
 * taken step is used up for both, and kept when the store closes */
START_TEST( take_commits_without_flush )
{
	char *dir = tu_tmpdir();
	warden_store *st = os_open( dir );
	warden_otp_state s;
	unsigned long f0 = warden_store_flushes( st );

	ck_assert_int_eq( warden_otpstate_take( st, tok1, 0, OS_STEP, 3, OS_T0,
		os_msg, sizeof( os_msg ) ), 0 );
	ck_assert_uint_eq( warden_store_flushes( st ), f0 );
	ck_assert_int_eq( warden_otpstate_take( st, tok1, 0, OS_STEP, 0, OS_T0,
		os_msg, sizeof( os_msg ) ), WARDEN_OTPSTATE_USED );
	ck_assert_int_eq( os_advance( st, tok1, 0, OS_STEP, 0, OS_T0 ),
		WARDEN_OTPSTATE_USED );
	ck_assert_uint_eq( warden_store_flushes( st ), f0 );
	ck_assert_int_eq( os_advance( st, tok1, 0, OS_STEP + 1, 0, OS_T0 ), 0 );
	ck_assert_uint_eq( warden_store_flushes( st ), f0 + 1 );
	ck_assert_int_eq( warden_otpstate_take( st, tok1, 0, OS_STEP + 1, 0,
		OS_T0, os_msg, sizeof( os_msg ) ), WARDEN_OTPSTATE_USED );
	ck_assert_int_eq( warden_otpstate_take( st, tok1, 0, -1, 0, OS_T0,
		os_msg, sizeof( os_msg ) ), -1 );
	ck_assert_int_eq( warden_otpstate_take( st, tok2, 0, OS_STEP + 7, 2,
		OS_T0, os_msg, sizeof( os_msg ) ), 0 );
	warden_store_close( st );
	st = os_open( dir );
	os_get( st, tok2, 0, 0, &s );
	ck_assert_int_eq( s.os_last, OS_STEP + 7 );
	ck_assert_int_eq( s.os_drift, 2 );
	warden_store_close( st );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

START_TEST( survives_reopen )
{
	char *dir = tu_tmpdir();
	warden_store *st = os_open( dir );
	warden_otp_state s;

	ck_assert_int_eq( os_advance( st, tok1, 0, OS_STEP, 3, OS_T0 ), 0 );
	ck_assert_int_eq( warden_otpstate_use_recovery( st, tok2, 0, 0x1234, 9, 10,
		OS_T0, NULL, os_msg, sizeof( os_msg ) ), 0 );
	warden_store_close( st );

	st = os_open( dir );
	ck_assert_int_eq( os_advance( st, tok1, 0, OS_STEP, 0, OS_T0 ),
		WARDEN_OTPSTATE_USED );
	ck_assert_int_eq( warden_otpstate_use_recovery( st, tok2, 0, 0x1234, 9, 10,
		OS_T0, NULL, os_msg, sizeof( os_msg ) ), WARDEN_OTPSTATE_USED );
	os_get( st, tok1, 0, 0, &s );
	ck_assert_int_eq( s.os_last, OS_STEP );
	ck_assert_int_eq( s.os_drift, 3 );
	warden_store_close( st );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

START_TEST( recovery_bits )
{
	char *dir = tu_tmpdir();
	warden_store *st = os_open( dir );
	warden_otp_state s;
	unsigned left = 99;

	ck_assert_int_eq( warden_otpstate_use_recovery( st, tok1, 0, 7, 0, 10,
		OS_T0, &left, os_msg, sizeof( os_msg ) ), 0 );
	ck_assert_uint_eq( left, 9 );
	ck_assert_int_eq( warden_otpstate_use_recovery( st, tok1, 0, 7, 9, 10,
		OS_T0 + 1, &left, os_msg, sizeof( os_msg ) ), 0 );
	ck_assert_uint_eq( left, 8 );
	ck_assert_int_eq( warden_otpstate_use_recovery( st, tok1, 0, 7, 9, 10,
		OS_T0 + 2, &left, os_msg, sizeof( os_msg ) ), WARDEN_OTPSTATE_USED );
	ck_assert_uint_eq( left, 0 );
	os_get( st, tok1, 0, 0, &s );
	ck_assert_uint_eq( s.os_recovery_used, 1u | 1u << 9 );
	ck_assert( s.os_recovery_set == 7 );
	ck_assert_int_eq( s.os_last_success, OS_T0 + 1 );
	/* recovery codes leave the step alone, and the other way round */
	ck_assert_int_eq( s.os_last, -1 );
	ck_assert_int_eq( os_advance( st, tok1, 0, OS_STEP, 0, OS_T0 + 3 ), 0 );
	os_get( st, tok1, 0, 0, &s );
	ck_assert_uint_eq( s.os_recovery_used, 1u | 1u << 9 );
	/* a new set starts clean */
	ck_assert_int_eq( warden_otpstate_use_recovery( st, tok1, 0, 8, 9, 10,
		OS_T0 + 4, &left, os_msg, sizeof( os_msg ) ), 0 );
	ck_assert_uint_eq( left, 9 );
	os_get( st, tok1, 0, 0, &s );
	ck_assert_uint_eq( s.os_recovery_used, 1u << 9 );
	ck_assert_int_eq( s.os_last, OS_STEP );
	/* the highest index; invalid ones */
	ck_assert_int_eq( warden_otpstate_use_recovery( st, tok1, 0, 8, 31, 32,
		OS_T0 + 5, &left, os_msg, sizeof( os_msg ) ), 0 );
	ck_assert_uint_eq( left, 30 );
	ck_assert_int_eq( warden_otpstate_use_recovery( st, tok1, 0, 8, 32, 32,
		OS_T0, &left, os_msg, sizeof( os_msg ) ), -1 );
	ck_assert_int_eq( warden_otpstate_use_recovery( st, tok1, 0, 8, 1, 33,
		OS_T0, &left, os_msg, sizeof( os_msg ) ), -1 );
	ck_assert_int_eq( warden_otpstate_use_recovery( st, tok1, 0, 8, 1, 10,
		0, &left, os_msg, sizeof( os_msg ) ), -1 );
	warden_store_close( st );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

START_TEST( record_format )
{
	char *dir = tu_tmpdir();
	warden_store *st = os_open( dir );
	unsigned char k[WARDEN_UUID_LEN + 1], want[40] = { 0 };
	MDB_val key = { sizeof( k ), k }, val;
	MDB_txn *txn;
	warden_otp_state s;
	unsigned char bad[40];

	ck_assert_int_eq( os_advance( st, tok1, 3, 0x0102030405LL, -2,
		0x1122334455667788LL ), 0 );
	ck_assert_int_eq( warden_otpstate_use_recovery( st, tok1, 3, 0xa1a2a3a4a5a6a7a8ULL,
		8, 10, 0x1122334455667788LL, NULL, os_msg, sizeof( os_msg ) ), 0 );
	memcpy( k, tok1, WARDEN_UUID_LEN );
	k[WARDEN_UUID_LEN] = 3;
	ck_assert_int_eq( mdb_txn_begin( warden_store_env( st ), NULL, MDB_RDONLY, &txn ), 0 );
	ck_assert_int_eq( mdb_get( txn, warden_store_otp_dbi( st ), &key, &val ), 0 );
	want[0] = 1;					/* version */
	want[5] = 0x01;					/* bit 8 */
	want[8] = 0x05; want[9] = 0x04; want[10] = 0x03; want[11] = 0x02; want[12] = 0x01;
	memset( want + 16, 0xff, 8 );			/* -2 */
	want[16] = 0xfe;
	want[24] = 0xa8; want[25] = 0xa7; want[26] = 0xa6; want[27] = 0xa5;
	want[28] = 0xa4; want[29] = 0xa3; want[30] = 0xa2; want[31] = 0xa1;
	want[32] = 0x88; want[33] = 0x77; want[34] = 0x66; want[35] = 0x55;
	want[36] = 0x44; want[37] = 0x33; want[38] = 0x22; want[39] = 0x11;
	ck_assert_uint_eq( val.mv_size, sizeof( want ) );
	ck_assert_int_eq( memcmp( val.mv_data, want, sizeof( want ) ), 0 );
	mdb_txn_abort( txn );

	/* records of another shape are refused by everything that reads */
	memcpy( bad, want, sizeof( bad ) );
	bad[0] = 2;
	os_put_raw( st, tok2, 0, bad, sizeof( bad ) );
	os_get( st, tok2, 0, -1, &s );
	ck_assert_str_eq( os_msg, "corrupt one-time code record" );
	ck_assert_int_eq( s.os_last, -1 );
	ck_assert_int_eq( os_advance( st, tok2, 0, OS_STEP, 0, OS_T0 ), -1 );
	ck_assert_int_eq( warden_otpstate_use_recovery( st, tok2, 0, 1, 1, 10, OS_T0,
		NULL, os_msg, sizeof( os_msg ) ), -1 );
	os_put_raw( st, tok2, 0, want, sizeof( want ) - 1 );
	os_get( st, tok2, 0, -1, &s );
	memcpy( bad, want, sizeof( bad ) );
	bad[2] = 1;
	os_put_raw( st, tok2, 0, bad, sizeof( bad ) );
	os_get( st, tok2, 0, -1, &s );
	memcpy( bad, want, sizeof( bad ) );
	memset( bad + 8, 0xff, 8 );
	bad[8] = 0xfe;					/* last -2 */
	os_put_raw( st, tok2, 0, bad, sizeof( bad ) );
	os_get( st, tok2, 0, -1, &s );
	/* and a purge removes them */
	ck_assert_int_eq( warden_otpstate_purge( st, tok2, os_msg, sizeof( os_msg ) ), 0 );
	os_get( st, tok2, 0, WARDEN_OTPSTATE_NOTFOUND, &s );

	warden_store_close( st );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

START_TEST( reset_and_purge )
{
	/* neighbours of tok1 in key order, which a purge must not touch */
	unsigned char lo[WARDEN_UUID_LEN], hi[WARDEN_UUID_LEN];
	char *dir = tu_tmpdir();
	warden_store *st = os_open( dir );
	warden_otp_state s;
	unsigned i;

	memcpy( lo, tok1, sizeof( lo ) );
	lo[15]--;
	memcpy( hi, tok1, sizeof( hi ) );
	hi[15]++;			/* that is tok2 */
	ck_assert_int_eq( memcmp( hi, tok2, sizeof( hi ) ), 0 );
	ck_assert_int_eq( os_advance( st, lo, 255, OS_STEP, 0, OS_T0 ), 0 );
	ck_assert_int_eq( os_advance( st, tok2, 0, OS_STEP, 0, OS_T0 ), 0 );
	for ( i = 0; i < 256; i += 51 )
		ck_assert_int_eq( os_advance( st, tok1, i, OS_STEP, 0, OS_T0 ), 0 );

	/* reset: one index */
	ck_assert_int_eq( warden_otpstate_reset( st, tok1, 51, os_msg, sizeof( os_msg ) ), 0 );
	os_get( st, tok1, 51, WARDEN_OTPSTATE_NOTFOUND, &s );
	os_get( st, tok1, 0, 0, &s );
	ck_assert_int_eq( warden_otpstate_reset( st, tok1, 51, os_msg, sizeof( os_msg ) ),
		WARDEN_OTPSTATE_NOTFOUND );
	/* the step starts anew after a reset */
	ck_assert_int_eq( os_advance( st, tok1, 51, OS_STEP - 100, 0, OS_T0 ), 0 );

	/* purge: every index of the entry, nothing else */
	ck_assert_int_eq( warden_otpstate_purge( st, tok1, os_msg, sizeof( os_msg ) ), 0 );
	for ( i = 0; i < 256; i++ ) os_get( st, tok1, i, WARDEN_OTPSTATE_NOTFOUND, &s );
	os_get( st, lo, 255, 0, &s );
	os_get( st, tok2, 0, 0, &s );
	ck_assert_int_eq( warden_otpstate_purge( st, tok1, os_msg, sizeof( os_msg ) ),
		WARDEN_OTPSTATE_NOTFOUND );
	/* the last key of the database */
	ck_assert_int_eq( warden_otpstate_purge( st, tok2, os_msg, sizeof( os_msg ) ), 0 );
	os_get( st, lo, 255, 0, &s );

	warden_store_close( st );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

/* A store written before the "otp" database existed gains it when
 * opened. */
START_TEST( older_store_gains_dbi )
{
	char *dir = tu_tmpdir();
	warden_store *st;
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { 6, "format" }, v = { 1, "1" };

	ck_assert_int_eq( mdb_env_create( &env ), 0 );
	mdb_env_set_maxdbs( env, 8 );
	ck_assert_int_eq( mdb_env_open( env, dir, 0, 0600 ), 0 );
	ck_assert_int_eq( mdb_txn_begin( env, NULL, 0, &txn ), 0 );
	ck_assert_int_eq( mdb_dbi_open( txn, "meta", MDB_CREATE, &dbi ), 0 );
	ck_assert_int_eq( mdb_put( txn, dbi, &k, &v, 0 ), 0 );
	ck_assert_int_eq( mdb_dbi_open( txn, "lock", MDB_CREATE, &dbi ), 0 );
	ck_assert_int_eq( mdb_txn_commit( txn ), 0 );
	mdb_env_close( env );

	st = os_open( dir );
	ck_assert_int_eq( os_advance( st, tok1, 0, OS_STEP, 0, OS_T0 ), 0 );
	warden_store_close( st );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

Suite *
otpstate_suite( void )
{
	Suite *s = suite_create( "otpstate" );
	TCase *tc = tcase_create( "store" );

	tcase_add_test( tc, advance );
	tcase_add_test( tc, concurrent_one_winner );
	tcase_add_test( tc, take_commits_without_flush );
	tcase_add_test( tc, survives_reopen );
	tcase_add_test( tc, recovery_bits );
	tcase_add_test( tc, record_format );
	tcase_add_test( tc, reset_and_purge );
	tcase_add_test( tc, older_store_gains_dbi );
	suite_add_tcase( s, tc );
	return s;
}
