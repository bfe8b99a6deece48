/* The lockout state store, the spraying throttle and the repeated-password
 * memory: pure logic, no slapd. */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lmdb.h>

#include "lockstate.h"
#include "throttle.h"
#include "dedup.h"
#include "suites.h"

#define SEC	((warden_time)1000000)

static char msg[512];
static const unsigned char U1[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
static const unsigned char U2[16] = { 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9 };

static warden_lock_policy
policy( unsigned max, warden_time interval, warden_time duration )
{
	warden_lock_policy lp;

	memset( &lp, 0, sizeof( lp ) );
	lp.lp_lockout = 1;
	lp.lp_max_failure = max;
	lp.lp_interval = interval;
	lp.lp_duration = duration;
	lp.lp_backoff = 1;
	return lp;
}

static warden_store *
open_store( char **dir )
{
	warden_store *st = NULL;

	*dir = tu_tmpdir();
	ck_assert_int_eq( warden_store_open( *dir, &st, msg, sizeof( msg ) ), 0 );
	return st;
}

static void
close_store( warden_store *st, char *dir )
{
	warden_store_close( st );
	tu_rmtree( dir );
	free( dir );
}

START_TEST( locks_at_exactly_n )
{
	char *dir;
	warden_store *st = open_store( &dir );
	warden_lock_policy lp = policy( 3, 300 * SEC, 60 * SEC );
	warden_lock_state s;
	warden_time now = 1700000000 * SEC;
	int locked = -1, i;

	ck_assert_int_eq( warden_lock_get( st, U1, &s, msg, sizeof( msg ) ), WARDEN_LOCK_NOTFOUND );
	for ( i = 0; i < 2; i++ ) {
		ck_assert_int_eq( warden_lock_fail( st, U1, &lp, now + i, &s, &locked, msg, sizeof( msg ) ), 0 );
		ck_assert_int_eq( locked, 0 );
	}
	ck_assert_int_eq( s.ls_nfail, 2 );
	ck_assert_int_eq( warden_lock_fail( st, U1, &lp, now + 2, &s, &locked, msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( locked, 1 );
	ck_assert( warden_lock_is_locked( &s, now + 3 ) );
	ck_assert_int_eq( s.ls_nlocks, 1 );
	ck_assert( s.ls_locked_until == now + 2 + 60 * SEC );
	/* while locked: not counted, not extended; a success changes nothing */
	ck_assert_int_eq( warden_lock_fail( st, U1, &lp, now + 10, &s, &locked, msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( locked, 0 );
	ck_assert_int_eq( s.ls_nfail, 3 );
	ck_assert( s.ls_locked_until == now + 2 + 60 * SEC );
	ck_assert_int_eq( warden_lock_success( st, U1, now + 11, NULL, msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( warden_lock_get( st, U1, &s, msg, sizeof( msg ) ), 0 );
	ck_assert( warden_lock_is_locked( &s, now + 12 ) );
	/* the lock ends; the next failure counts afresh */
	ck_assert( !warden_lock_is_locked( &s, now + 2 + 60 * SEC ) );
	ck_assert_int_eq( warden_lock_fail( st, U1, &lp, now + 61 * SEC, &s, &locked, msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( s.ls_nfail, 1 );
	ck_assert_int_eq( locked, 0 );
	/* others untouched */
	ck_assert_int_eq( warden_lock_get( st, U2, &s, msg, sizeof( msg ) ), WARDEN_LOCK_NOTFOUND );
	close_store( st, dir );
}
END_TEST

START_TEST( interval_drops_old_failures )
{
	char *dir;
	warden_store *st = open_store( &dir );
	warden_lock_policy lp = policy( 3, 10 * SEC, 0 );
	warden_lock_state s;
	warden_time now = 1700000000 * SEC;
	int locked;

	warden_lock_fail( st, U1, &lp, now, &s, &locked, msg, sizeof( msg ) );
	warden_lock_fail( st, U1, &lp, now + 1 * SEC, &s, &locked, msg, sizeof( msg ) );
	warden_lock_fail( st, U1, &lp, now + 12 * SEC, &s, &locked, msg, sizeof( msg ) );
	ck_assert_int_eq( s.ls_nfail, 1 );
	ck_assert_int_eq( locked, 0 );
	warden_lock_fail( st, U1, &lp, now + 13 * SEC, &s, &locked, msg, sizeof( msg ) );
	warden_lock_fail( st, U1, &lp, now + 14 * SEC, &s, &locked, msg, sizeof( msg ) );
	ck_assert_int_eq( locked, 1 );
	/* duration 0: until unlocked */
	ck_assert( s.ls_locked_until == WARDEN_FOREVER );
	ck_assert( warden_lock_is_locked( &s, now + 1000000 * SEC ) );
	ck_assert_int_eq( warden_lock_unlock( st, U1, msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( warden_lock_get( st, U1, &s, msg, sizeof( msg ) ), 0 );
	ck_assert( !warden_lock_is_locked( &s, now + 15 * SEC ) );
	ck_assert_int_eq( s.ls_nfail, 0 );
	ck_assert_int_eq( s.ls_nlocks, 1 );	/* back-off history kept */
	close_store( st, dir );
}
END_TEST

START_TEST( success_without_failures_writes_nothing )
{
	char *dir;
	warden_store *st = open_store( &dir );
	warden_lock_policy lp = policy( 5, 0, 0 );
	warden_lock_state s;
	MDB_envinfo before, after;
	int wrote = -1, locked;

	mdb_env_info( warden_store_env( st ), &before );
	ck_assert_int_eq( warden_lock_success( st, U1, 5 * SEC, &wrote, msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( wrote, 0 );
	mdb_env_info( warden_store_env( st ), &after );
	ck_assert_uint_eq( before.me_last_txnid, after.me_last_txnid );

	warden_lock_fail( st, U1, &lp, 6 * SEC, &s, &locked, msg, sizeof( msg ) );
	ck_assert_int_eq( warden_lock_success( st, U1, 7 * SEC, &wrote, msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( wrote, 1 );
	warden_lock_get( st, U1, &s, msg, sizeof( msg ) );
	ck_assert_int_eq( s.ls_nfail, 0 );
	ck_assert( s.ls_last_success == 7 * SEC );
	mdb_env_info( warden_store_env( st ), &before );
	ck_assert_int_eq( warden_lock_success( st, U1, 8 * SEC, &wrote, msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( wrote, 0 );
	mdb_env_info( warden_store_env( st ), &after );
	ck_assert_uint_eq( before.me_last_txnid, after.me_last_txnid );

	ck_assert_int_eq( warden_lock_purge( st, U1, msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( warden_lock_get( st, U1, &s, msg, sizeof( msg ) ), WARDEN_LOCK_NOTFOUND );
	ck_assert_int_eq( warden_lock_purge( st, U1, msg, sizeof( msg ) ), WARDEN_LOCK_NOTFOUND );
	close_store( st, dir );
}
END_TEST

START_TEST( backoff_grows_caps_and_resets )
{
	warden_lock_policy lp = policy( 3, 0, 10 * SEC );

	lp.lp_backoff = 2;
	lp.lp_max_duration = 50 * SEC;
	lp.lp_backoff_reset = 1000 * SEC;
	ck_assert( warden_lock_duration( &lp, 0, 0, 100 * SEC ) == 10 * SEC );
	ck_assert( warden_lock_duration( &lp, 1, 90 * SEC, 100 * SEC ) == 20 * SEC );
	ck_assert( warden_lock_duration( &lp, 2, 90 * SEC, 100 * SEC ) == 40 * SEC );
	ck_assert( warden_lock_duration( &lp, 3, 90 * SEC, 100 * SEC ) == 50 * SEC );
	ck_assert( warden_lock_duration( &lp, 3000, 90 * SEC, 100 * SEC ) == 50 * SEC );
	/* forgotten after the reset time */
	ck_assert( warden_lock_duration( &lp, 3, 90 * SEC, 2000 * SEC ) == 10 * SEC );
	/* no cap: saturates rather than overflows */
	lp.lp_max_duration = 0;
	ck_assert( warden_lock_duration( &lp, 5000, 90 * SEC, 100 * SEC ) > 0 );
	lp.lp_duration = 0;
	ck_assert( warden_lock_duration( &lp, 2, 0, 100 * SEC ) == WARDEN_FOREVER );
}
END_TEST

START_TEST( corrupt_record_detected )
{
	char *dir;
	warden_store *st = open_store( &dir );
	warden_lock_state s;
	MDB_txn *txn;
	MDB_val k = { 16, (void *)U1 }, v = { 5, "junk!" };

	ck_assert_int_eq( mdb_txn_begin( warden_store_env( st ), NULL, 0, &txn ), 0 );
	ck_assert_int_eq( mdb_put( txn, warden_store_lock_dbi( st ), &k, &v, 0 ), 0 );
	ck_assert_int_eq( mdb_txn_commit( txn ), 0 );
	ck_assert_int_eq( warden_lock_get( st, U1, &s, msg, sizeof( msg ) ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "corrupt lockout record" ) );
	close_store( st, dir );
}
END_TEST

struct storm {
	warden_store	*st;
	int		locks;
	pthread_mutex_t	mu;
};

static void *
storm_thread( void *arg )
{
	struct storm *s = arg;
	warden_lock_policy lp = policy( 100, 0, 600 * SEC );
	char m[256];
	int i, locked;

	for ( i = 0; i < 50; i++ ) {
		ck_assert_int_eq( warden_lock_fail( s->st, U2, &lp, 1700000000 * SEC + i,
			NULL, &locked, m, sizeof( m ) ), 0 );
		if ( locked ) {
			pthread_mutex_lock( &s->mu );
			s->locks++;
			pthread_mutex_unlock( &s->mu );
		}
	}
	return NULL;
}

START_TEST( concurrent_failures_lock_once_at_n )
{
	char *dir;
	struct storm s = { NULL, 0, PTHREAD_MUTEX_INITIALIZER };
	pthread_t t[8];
	warden_lock_state ls;
	int i;

	s.st = open_store( &dir );
	for ( i = 0; i < 8; i++ ) pthread_create( &t[i], NULL, storm_thread, &s );
	for ( i = 0; i < 8; i++ ) pthread_join( t[i], NULL );
	ck_assert_int_eq( s.locks, 1 );
	warden_lock_get( s.st, U2, &ls, msg, sizeof( msg ) );
	ck_assert_int_eq( ls.ls_nlocks, 1 );
	ck_assert_int_le( ls.ls_nfail, WARDEN_FAIL_MAX );
	close_store( s.st, dir );
}
END_TEST

START_TEST( throttle_counts_per_address_without_port )
{
	warden_throttle *t = warden_throttle_new( 64 );
	int64_t now = 1700000000LL * SEC, w = 60 * SEC;
	unsigned n = 0;
	int i;

	for ( i = 0; i < 5; i++ )
		n = warden_throttle_fail( t, i % 2 ? "IP=10.9.8.7:4001" : "IP=10.9.8.7:5123", now + i, w );
	ck_assert_uint_eq( n, 5 );
	ck_assert_uint_eq( warden_throttle_count( t, "IP=10.9.8.7:9", now + 10, w ), 5 );
	ck_assert_uint_eq( warden_throttle_count( t, "IP=10.9.8.6:9", now + 10, w ), 0 );
	ck_assert_uint_eq( warden_throttle_count( t, "IP=[::1]:9", now, w ), 0 );
	warden_throttle_fail( t, "IP=[::1]:77", now, w );
	ck_assert_uint_eq( warden_throttle_count( t, "IP=[::1]:78", now, w ), 1 );
	/* two windows later, forgotten */
	ck_assert_uint_eq( warden_throttle_count( t, "IP=10.9.8.7:9", now + 3 * w, w ), 0 );
	warden_throttle_free( t );
}
END_TEST

START_TEST( dedup_same_password_once_per_window )
{
	warden_dedup *d = warden_dedup_new( 64 );
	int64_t now = 1700000000LL * SEC, w = 300 * SEC;

	ck_assert_ptr_nonnull( d );
	ck_assert_int_eq( warden_dedup_seen( d, U1, "typo", 4, now, w ), 0 );
	ck_assert_int_eq( warden_dedup_seen( d, U1, "typo", 4, now + 1, w ), 1 );
	/* another user, another password: new */
	ck_assert_int_eq( warden_dedup_seen( d, U2, "typo", 4, now + 2, w ), 0 );
	ck_assert_int_eq( warden_dedup_seen( d, U1, "typo2", 5, now + 3, w ), 0 );
	/* after the window: counts again */
	ck_assert_int_eq( warden_dedup_seen( d, U1, "typo", 4, now + w + 10, w ), 0 );
	/* a success forgets */
	warden_dedup_forget( d, U1 );
	ck_assert_int_eq( warden_dedup_seen( d, U1, "typo2", 5, now + w + 11, w ), 0 );
	warden_dedup_free( d );
}
END_TEST

START_TEST( dedup_keeps_four_per_user )
{
	warden_dedup *d = warden_dedup_new( 64 );
	int64_t now = 1700000000LL * SEC, w = 300 * SEC;
	char pw[16];
	int i;

	for ( i = 0; i < 5; i++ ) {
		snprintf( pw, sizeof( pw ), "pw%d", i );
		ck_assert_int_eq( warden_dedup_seen( d, U1, pw, strlen( pw ), now + i, w ), 0 );
	}
	/* the oldest (pw0) was replaced; pw1..pw4 remembered */
	ck_assert_int_eq( warden_dedup_seen( d, U1, "pw4", 3, now + 10, w ), 1 );
	ck_assert_int_eq( warden_dedup_seen( d, U1, "pw1", 3, now + 11, w ), 1 );
	ck_assert_int_eq( warden_dedup_seen( d, U1, "pw0", 3, now + 12, w ), 0 );
	warden_dedup_free( d );
}
END_TEST

Suite *
lockout_state_suite( void )
{
	Suite *s = suite_create( "lockout" );
	TCase *tc = tcase_create( "state, throttle, dedup" );

	tcase_add_test( tc, locks_at_exactly_n );
	tcase_add_test( tc, interval_drops_old_failures );
	tcase_add_test( tc, success_without_failures_writes_nothing );
	tcase_add_test( tc, backoff_grows_caps_and_resets );
	tcase_add_test( tc, corrupt_record_detected );
	tcase_add_test( tc, concurrent_failures_lock_once_at_n );
	tcase_add_test( tc, throttle_counts_per_address_without_port );
	tcase_add_test( tc, dedup_same_password_once_per_window );
	tcase_add_test( tc, dedup_keeps_four_per_user );
	suite_add_tcase( s, tc );
	return s;
}
