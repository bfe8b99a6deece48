/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* Wrong one-time codes per account (backend/codestate.c): the delay
 * (doubling from one second after the limit, capped, overflow-safe), the
 * counting, one claim per delay among concurrent binds, the once-per-delay
 * note, the record format, survival of a reopen, and that a purge of the
 * entry removes it. */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lmdb.h>

#include "codestate.h"
#include "otpstate.h"
#include "suites.h"

#define CS_SEC		((warden_time)1000000)
#define CS_T0		( (warden_time)1700000000 * CS_SEC )
#define CS_CAP		( 900 * CS_SEC )
#define CS_THREADS	16

static char cs_msg[512];
static const unsigned char cs_u1[WARDEN_UUID_LEN] =
	{ 0x11, 0x1c, 0x2a, 0x3b, 0x4c, 0x5d, 0x4e, 0x7f, 0x80, 0x91, 0xa2, 0xb3, 0xc4, 0xd5, 0xe6, 0xf7 };
static const unsigned char cs_u2[WARDEN_UUID_LEN] =
	{ 0x11, 0x1c, 0x2a, 0x3b, 0x4c, 0x5d, 0x4e, 0x7f, 0x80, 0x91, 0xa2, 0xb3, 0xc4, 0xd5, 0xe6, 0xf8 };

static warden_store *
cs_open( const char *dir )
{
	warden_store *st = NULL;

	ck_assert_int_eq( warden_store_open( dir, &st, cs_msg, sizeof( cs_msg ) ), 0 );
	return st;
}

START_TEST( delay_doubles_to_the_cap )
{
	/* none below the limit; 1 s at it; then 2, 4, 8, ... */
	ck_assert_int_eq( warden_code_delay( 0, 5, CS_CAP ), 0 );
	ck_assert_int_eq( warden_code_delay( 4, 5, CS_CAP ), 0 );
	ck_assert_int_eq( warden_code_delay( 5, 5, CS_CAP ), 1 * CS_SEC );
	ck_assert_int_eq( warden_code_delay( 6, 5, CS_CAP ), 2 * CS_SEC );
	ck_assert_int_eq( warden_code_delay( 7, 5, CS_CAP ), 4 * CS_SEC );
	ck_assert_int_eq( warden_code_delay( 14, 5, CS_CAP ), 512 * CS_SEC );
	/* 1024 s would pass 900: the cap, from there on */
	ck_assert_int_eq( warden_code_delay( 15, 5, CS_CAP ), CS_CAP );
	ck_assert_int_eq( warden_code_delay( 16, 5, CS_CAP ), CS_CAP );
	/* no overflow however many */
	ck_assert_int_eq( warden_code_delay( UINT32_MAX, 5, CS_CAP ), CS_CAP );
	ck_assert_int_eq( warden_code_delay( UINT32_MAX, 1, INT64_MAX ), INT64_MAX );
	ck_assert_int_eq( warden_code_delay( 100, 1, INT64_MAX ), INT64_MAX );
	ck_assert_int_eq( warden_code_delay( 40, 1, INT64_MAX ), CS_SEC << 39 );
	/* a cap below one second is the delay itself */
	ck_assert_int_eq( warden_code_delay( 5, 5, CS_SEC / 2 ), CS_SEC / 2 );
	/* limit 0: off; no cap: no delay */
	ck_assert_int_eq( warden_code_delay( 1000, 0, CS_CAP ), 0 );
	ck_assert_int_eq( warden_code_delay( 1000, 5, 0 ), 0 );
	/* limit 1: the first wrong code already delays */
	ck_assert_int_eq( warden_code_delay( 1, 1, CS_CAP ), CS_SEC );
}
END_TEST

START_TEST( next_attempt )
{
	warden_code_state st = { 4, CS_T0, 0 };

	ck_assert_int_eq( warden_code_next( &st, 5, CS_CAP ), 0 );
	st.cs_nfail = 6;
	ck_assert_int_eq( warden_code_next( &st, 5, CS_CAP ), CS_T0 + 2 * CS_SEC );
	/* no overflow past the end of time */
	st.cs_last_fail = INT64_MAX - CS_SEC;
	ck_assert_int_eq( warden_code_next( &st, 5, CS_CAP ), INT64_MAX );
}
END_TEST

START_TEST( fail_counts_and_clear_forgets )
{
	char *dir = tu_tmpdir();
	warden_store *st = cs_open( dir );
	warden_code_state s;
	unsigned i;

	ck_assert_int_eq( warden_codestate_get( st, cs_u1, &s, cs_msg, sizeof( cs_msg ) ),
		WARDEN_CODESTATE_NOTFOUND );
	ck_assert_uint_eq( s.cs_nfail, 0 );
	for ( i = 1; i <= 7; i++ ) {
		ck_assert_int_eq( warden_codestate_fail( st, cs_u1, CS_T0 + i, &s,
			cs_msg, sizeof( cs_msg ) ), 0 );
		ck_assert_uint_eq( s.cs_nfail, i );
		ck_assert_int_eq( s.cs_last_fail, CS_T0 + i );
	}
	/* a clock that went back does not move the delay's start back */
	ck_assert_int_eq( warden_codestate_fail( st, cs_u1, CS_T0 - CS_SEC, &s,
		cs_msg, sizeof( cs_msg ) ), 0 );
	ck_assert_uint_eq( s.cs_nfail, 8 );
	ck_assert_int_eq( s.cs_last_fail, CS_T0 + 7 );
	/* another account is another count */
	ck_assert_int_eq( warden_codestate_get( st, cs_u2, &s, cs_msg, sizeof( cs_msg ) ),
		WARDEN_CODESTATE_NOTFOUND );
	ck_assert_int_eq( warden_codestate_clear( st, cs_u1, cs_msg, sizeof( cs_msg ) ), 0 );
	ck_assert_int_eq( warden_codestate_get( st, cs_u1, &s, cs_msg, sizeof( cs_msg ) ),
		WARDEN_CODESTATE_NOTFOUND );
	ck_assert_int_eq( warden_codestate_clear( st, cs_u1, cs_msg, sizeof( cs_msg ) ),
		WARDEN_CODESTATE_NOTFOUND );
	ck_assert_int_eq( warden_codestate_fail( st, cs_u1, 0, &s, cs_msg,
		sizeof( cs_msg ) ), -1 );
	warden_store_close( st );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

START_TEST( claim_only_after_the_delay )
{
	char *dir = tu_tmpdir();
	warden_store *st = cs_open( dir );
	warden_code_state s;
	unsigned i;

	for ( i = 0; i < 5; i++ )
		ck_assert_int_eq( warden_codestate_fail( st, cs_u1, CS_T0, &s,
			cs_msg, sizeof( cs_msg ) ), 0 );
	/* 5 of 5: 1 s from CS_T0 */
	ck_assert_int_eq( warden_codestate_claim( st, cs_u1, CS_T0 + CS_SEC - 1, 5,
		CS_CAP, &s, cs_msg, sizeof( cs_msg ) ), WARDEN_CODESTATE_DELAYED );
	ck_assert_uint_eq( s.cs_nfail, 5 );
	ck_assert_int_eq( warden_codestate_claim( st, cs_u1, CS_T0 + CS_SEC, 5,
		CS_CAP, &s, cs_msg, sizeof( cs_msg ) ), 0 );
	/* claimed: counted as the sixth, the delay now 2 s from then */
	ck_assert_uint_eq( s.cs_nfail, 6 );
	ck_assert_int_eq( s.cs_last_fail, CS_T0 + CS_SEC );
	ck_assert_int_eq( warden_codestate_claim( st, cs_u1, CS_T0 + 3 * CS_SEC - 1,
		5, CS_CAP, &s, cs_msg, sizeof( cs_msg ) ), WARDEN_CODESTATE_DELAYED );
	ck_assert_int_eq( warden_codestate_claim( st, cs_u1, CS_T0 + 3 * CS_SEC,
		5, CS_CAP, &s, cs_msg, sizeof( cs_msg ) ), 0 );
	ck_assert_uint_eq( s.cs_nfail, 7 );
	warden_store_close( st );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

typedef struct cs_claimer {
	warden_store	*st;
	pthread_barrier_t *go;
	int		rc;
} cs_claimer;

static void *
cs_claim_thread( void *arg )
{
	cs_claimer *c = arg;
	warden_code_state s;
	char msg[256];

	pthread_barrier_wait( c->go );
	c->rc = warden_codestate_claim( c->st, cs_u1, CS_T0 + 10 * CS_SEC, 5,
		CS_CAP, &s, msg, sizeof( msg ) );
	return NULL;
}

START_TEST( one_claim_among_concurrent_binds )
{
	char *dir = tu_tmpdir();
	warden_store *st = cs_open( dir );
	pthread_barrier_t go;
	pthread_t th[CS_THREADS];
	cs_claimer c[CS_THREADS];
	warden_code_state s;
	int i, won = 0, delayed = 0;

	for ( i = 0; i < 5; i++ )
		warden_codestate_fail( st, cs_u1, CS_T0, &s, cs_msg, sizeof( cs_msg ) );
	pthread_barrier_init( &go, NULL, CS_THREADS );
	for ( i = 0; i < CS_THREADS; i++ ) {
		c[i].st = st;
		c[i].go = &go;
		ck_assert_int_eq( pthread_create( &th[i], NULL, cs_claim_thread, &c[i] ), 0 );
	}
	for ( i = 0; i < CS_THREADS; i++ ) {
		pthread_join( th[i], NULL );
		won += c[i].rc == 0;
		delayed += c[i].rc == WARDEN_CODESTATE_DELAYED;
	}
	pthread_barrier_destroy( &go );
	ck_assert_int_eq( won, 1 );
	ck_assert_int_eq( delayed, CS_THREADS - 1 );
	warden_codestate_get( st, cs_u1, &s, cs_msg, sizeof( cs_msg ) );
	ck_assert_uint_eq( s.cs_nfail, 6 );
	warden_store_close( st );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

START_TEST( noted_once_per_delay )
{
	char *dir = tu_tmpdir();
	warden_store *st = cs_open( dir );
	warden_code_state s;
	unsigned i;

	ck_assert_int_eq( warden_codestate_note( st, cs_u1, CS_T0, cs_msg,
		sizeof( cs_msg ) ), WARDEN_CODESTATE_NOTFOUND );
	for ( i = 0; i < 5; i++ )
		warden_codestate_fail( st, cs_u1, CS_T0, &s, cs_msg, sizeof( cs_msg ) );
	ck_assert_int_eq( warden_codestate_note( st, cs_u1, CS_T0, cs_msg,
		sizeof( cs_msg ) ), 0 );
	ck_assert_int_eq( warden_codestate_note( st, cs_u1, CS_T0, cs_msg,
		sizeof( cs_msg ) ), WARDEN_CODESTATE_NOTED );
	warden_codestate_get( st, cs_u1, &s, cs_msg, sizeof( cs_msg ) );
	ck_assert_int_eq( s.cs_noted, CS_T0 );
	ck_assert_uint_eq( s.cs_nfail, 5 );
	/* a note about an older delay changes nothing */
	warden_codestate_fail( st, cs_u1, CS_T0 + CS_SEC, &s, cs_msg, sizeof( cs_msg ) );
	ck_assert_int_eq( warden_codestate_note( st, cs_u1, CS_T0, cs_msg,
		sizeof( cs_msg ) ), WARDEN_CODESTATE_NOTED );
	/* the next delay is noted again */
	ck_assert_int_eq( warden_codestate_note( st, cs_u1, CS_T0 + CS_SEC, cs_msg,
		sizeof( cs_msg ) ), 0 );
	warden_store_close( st );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

START_TEST( record_format_and_reopen )
{
	char *dir = tu_tmpdir();
	warden_store *st = cs_open( dir );
	unsigned char k[WARDEN_UUID_LEN + 1];
	MDB_val key = { sizeof( k ), k }, val;
	MDB_txn *txn;
	warden_code_state s;
	static const unsigned char want[24] = {
		1, 0, 0, 0, 2, 0, 0, 0,
		0x00, 0x40, 0x1e, 0x18, 0x24, 0x0a, 0x06, 0x00,
		0, 0, 0, 0, 0, 0, 0, 0 };
	unsigned char bad[24];

	warden_codestate_fail( st, cs_u1, CS_T0, &s, cs_msg, sizeof( cs_msg ) );
	warden_codestate_fail( st, cs_u1, CS_T0, &s, cs_msg, sizeof( cs_msg ) );
	memcpy( k, cs_u1, WARDEN_UUID_LEN );
	k[WARDEN_UUID_LEN] = WARDEN_CODESTATE_IDX;
	ck_assert_int_eq( mdb_txn_begin( warden_store_env( st ), NULL, MDB_RDONLY, &txn ), 0 );
	ck_assert_int_eq( mdb_get( txn, warden_store_otp_dbi( st ), &key, &val ), 0 );
	ck_assert_uint_eq( val.mv_size, sizeof( want ) );
	ck_assert_mem_eq( val.mv_data, want, sizeof( want ) );
	mdb_txn_abort( txn );

	/* kept across a reopen */
	warden_store_close( st );
	st = cs_open( dir );
	ck_assert_int_eq( warden_codestate_get( st, cs_u1, &s, cs_msg, sizeof( cs_msg ) ), 0 );
	ck_assert_uint_eq( s.cs_nfail, 2 );
	ck_assert_int_eq( s.cs_last_fail, CS_T0 );

	/* a record of another format is refused by every reader, and cleared */
	memcpy( bad, want, sizeof( bad ) );
	bad[1] = 1;
	val.mv_size = sizeof( bad );
	val.mv_data = bad;
	ck_assert_int_eq( mdb_txn_begin( warden_store_env( st ), NULL, 0, &txn ), 0 );
	ck_assert_int_eq( mdb_put( txn, warden_store_otp_dbi( st ), &key, &val, 0 ), 0 );
	ck_assert_int_eq( mdb_txn_commit( txn ), 0 );
	ck_assert_int_eq( warden_codestate_get( st, cs_u1, &s, cs_msg, sizeof( cs_msg ) ), -1 );
	ck_assert_str_eq( cs_msg, "corrupt wrong-code record" );
	ck_assert_int_eq( warden_codestate_fail( st, cs_u1, CS_T0, &s, cs_msg,
		sizeof( cs_msg ) ), -1 );
	ck_assert_int_eq( warden_codestate_claim( st, cs_u1, CS_T0, 5, CS_CAP, &s,
		cs_msg, sizeof( cs_msg ) ), -1 );
	ck_assert_int_eq( warden_codestate_clear( st, cs_u1, cs_msg, sizeof( cs_msg ) ), 0 );
	ck_assert_int_eq( warden_codestate_get( st, cs_u1, &s, cs_msg, sizeof( cs_msg ) ),
		WARDEN_CODESTATE_NOTFOUND );
	warden_store_close( st );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

START_TEST( purged_with_the_entry_apart_from_the_token_step )
{
	char *dir = tu_tmpdir();
	warden_store *st = cs_open( dir );
	warden_code_state s;
	warden_otp_state o;

	/* a user entry that is its own token: step (index 0) and wrong codes */
	ck_assert_int_eq( warden_otpstate_advance( st, cs_u1, 0, 100, 0, CS_T0,
		cs_msg, sizeof( cs_msg ) ), 0 );
	warden_codestate_fail( st, cs_u1, CS_T0, &s, cs_msg, sizeof( cs_msg ) );
	warden_codestate_fail( st, cs_u2, CS_T0, &s, cs_msg, sizeof( cs_msg ) );
	/* neither disturbs the other */
	ck_assert_int_eq( warden_otpstate_get( st, cs_u1, 0, &o, cs_msg, sizeof( cs_msg ) ), 0 );
	ck_assert_int_eq( o.os_last, 100 );
	ck_assert_int_eq( warden_codestate_clear( st, cs_u1, cs_msg, sizeof( cs_msg ) ), 0 );
	ck_assert_int_eq( warden_otpstate_get( st, cs_u1, 0, &o, cs_msg, sizeof( cs_msg ) ), 0 );
	warden_codestate_fail( st, cs_u1, CS_T0, &s, cs_msg, sizeof( cs_msg ) );
	/* deleting the entry purges both, and only its own */
	ck_assert_int_eq( warden_otpstate_purge( st, cs_u1, cs_msg, sizeof( cs_msg ) ), 0 );
	ck_assert_int_eq( warden_codestate_get( st, cs_u1, &s, cs_msg, sizeof( cs_msg ) ),
		WARDEN_CODESTATE_NOTFOUND );
	ck_assert_int_eq( warden_otpstate_get( st, cs_u1, 0, &o, cs_msg, sizeof( cs_msg ) ),
		WARDEN_OTPSTATE_NOTFOUND );
	ck_assert_int_eq( warden_codestate_get( st, cs_u2, &s, cs_msg, sizeof( cs_msg ) ), 0 );
	ck_assert_uint_eq( s.cs_nfail, 1 );
	warden_store_close( st );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

Suite *
codestate_suite( void )
{
	Suite *s = suite_create( "codestate" );
	TCase *tc = tcase_create( "core" );

	tcase_add_test( tc, delay_doubles_to_the_cap );
	tcase_add_test( tc, next_attempt );
	tcase_add_test( tc, fail_counts_and_clear_forgets );
	tcase_add_test( tc, claim_only_after_the_delay );
	tcase_add_test( tc, one_claim_among_concurrent_binds );
	tcase_add_test( tc, noted_once_per_delay );
	tcase_add_test( tc, record_format_and_reopen );
	tcase_add_test( tc, purged_with_the_entry_apart_from_the_token_step );
	suite_add_tcase( s, tc );
	return s;
}
