/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* The LMDB state store: creation, exclusivity, format check, and the one
 * read-modify-write of a record (warden_store_update()). */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lmdb.h>

#include "store.h"
#include "suites.h"

static char msg[512];

START_TEST( opens_creates_private_files )
{
	char *d = tu_tmpdir();
	char p[4200];
	warden_store *st = NULL;
	struct stat sb;

	ck_assert_int_eq( warden_store_open( d, &st, msg, sizeof( msg ) ), 0 );
	ck_assert_str_eq( warden_store_dir( st ), d );
	snprintf( p, sizeof( p ), "%s/data.mdb", d );
	ck_assert_int_eq( stat( p, &sb ), 0 );
	ck_assert_int_eq( sb.st_mode & 0777, 0600 );
	warden_store_close( st );
	/* and again, now that it exists */
	ck_assert_int_eq( warden_store_open( d, &st, msg, sizeof( msg ) ), 0 );
	warden_store_close( st );
	tu_rmtree( d );
	free( d );
}
END_TEST

START_TEST( refuses_second_open_in_process )
{
	char *d = tu_tmpdir();
	char p[4200];
	warden_store *a = NULL, *b = NULL;

	ck_assert_int_eq( warden_store_open( d, &a, msg, sizeof( msg ) ), 0 );
	/* the same directory by another name */
	snprintf( p, sizeof( p ), "%s/.", d );
	ck_assert_int_eq( warden_store_open( p, &b, msg, sizeof( msg ) ), -1 );
	ck_assert_ptr_null( b );
	ck_assert_ptr_nonnull( strstr( msg, "already the state directory" ) );
	warden_store_close( a );
	ck_assert_int_eq( warden_store_open( p, &b, msg, sizeof( msg ) ), 0 );
	warden_store_close( b );
	tu_rmtree( d );
	free( d );
}
END_TEST

START_TEST( refuses_other_format )
{
	char *d = tu_tmpdir();
	warden_store *st = NULL;
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { 6, "format" }, v = { 2, "99" };

	ck_assert_int_eq( mdb_env_create( &env ), 0 );
	mdb_env_set_maxdbs( env, 8 );
	ck_assert_int_eq( mdb_env_open( env, d, 0, 0600 ), 0 );
	ck_assert_int_eq( mdb_txn_begin( env, NULL, 0, &txn ), 0 );
	ck_assert_int_eq( mdb_dbi_open( txn, "meta", MDB_CREATE, &dbi ), 0 );
	ck_assert_int_eq( mdb_put( txn, dbi, &k, &v, 0 ), 0 );
	ck_assert_int_eq( mdb_txn_commit( txn ), 0 );
	mdb_env_close( env );

	ck_assert_int_eq( warden_store_open( d, &st, msg, sizeof( msg ) ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "format 99" ) );
	/* the refused store is released: a retry gives the same answer */
	ck_assert_int_eq( warden_store_open( d, &st, msg, sizeof( msg ) ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "format 99" ) );
	tu_rmtree( d );
	free( d );
}
END_TEST

START_TEST( refuses_missing_dir )
{
	warden_store *st = NULL;

	ck_assert_int_eq( warden_store_open( "/nonexistent/warden", &st, msg, sizeof( msg ) ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "No such file" ) );
}
END_TEST

/* --- one record: warden_store_view() and warden_store_update() ------- */

/* A counter of 4 bytes, the record the tests change. */
typedef struct counter {
	int		c_calls;	/* how often the change was asked */
	int		c_verdict;	/* what it decides: KEEP, PUT, DEL, -1 */
	int		c_seen;		/* the value it last saw; -1: none */
	uint32_t	c_new;
} counter;

static int
counter_change( const MDB_val *cur, MDB_val *out, void *arg, char *m,
	size_t len )
{
	counter *c = arg;

	c->c_calls++;
	c->c_seen = -1;
	if ( cur ) {
		uint32_t v;

		if ( cur->mv_size != sizeof( v ) ) {
			snprintf( m, len, "bad record" );
			return -1;
		}
		memcpy( &v, cur->mv_data, sizeof( v ) );
		c->c_seen = (int)v;
	}
	if ( c->c_verdict < 0 ) snprintf( m, len, "refused by the change" );
	c->c_new = c->c_seen < 0 ? 1 : (uint32_t)c->c_seen + 1;
	out->mv_data = &c->c_new;
	out->mv_size = sizeof( c->c_new );
	return c->c_verdict;
}

static int
counter_view( const MDB_val *cur, void *arg, char *m, size_t len )
{
	uint32_t v;

	(void)arg;
	if ( !cur ) return 1000;	/* none */
	if ( cur->mv_size != sizeof( v ) ) {
		snprintf( m, len, "bad record" );
		return -1;
	}
	memcpy( &v, cur->mv_data, sizeof( v ) );
	return (int)v;
}

static int
counter_update( warden_store *st, const char *key, int flags, counter *c )
{
	return warden_store_update( st, warden_store_lock_dbi( st ), key,
		strlen( key ), flags, counter_change, c, "test state", msg,
		sizeof( msg ) );
}

static int
counter_get( warden_store *st, const char *key )
{
	return warden_store_view( st, warden_store_lock_dbi( st ), key,
		strlen( key ), counter_view, NULL, "test state", msg,
		sizeof( msg ) );
}

START_TEST( update_puts_keeps_and_deletes )
{
	char *d = tu_tmpdir();
	warden_store *st = NULL;
	counter c = { 0, WARDEN_STORE_PUT, 0, 0 };

	ck_assert_int_eq( warden_store_open( d, &st, msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( counter_get( st, "k" ), 1000 );
	/* none: the change sees NULL, and its value is written */
	ck_assert_int_eq( counter_update( st, "k", 0, &c ), WARDEN_STORE_PUT );
	ck_assert_int_eq( c.c_seen, -1 );
	ck_assert_int_eq( counter_get( st, "k" ), 1 );
	ck_assert_int_eq( counter_update( st, "k", WARDEN_STORE_SYNC, &c ),
		WARDEN_STORE_PUT );
	ck_assert_int_eq( c.c_seen, 1 );
	ck_assert_int_eq( counter_get( st, "k" ), 2 );
	/* kept: nothing is written */
	c.c_verdict = WARDEN_STORE_KEEP;
	ck_assert_int_eq( counter_update( st, "k", 0, &c ), WARDEN_STORE_KEEP );
	ck_assert_int_eq( counter_get( st, "k" ), 2 );
	/* refused by the change: its reason, nothing written */
	c.c_verdict = -1;
	ck_assert_int_eq( counter_update( st, "k", 0, &c ), -1 );
	ck_assert_str_eq( msg, "refused by the change" );
	ck_assert_int_eq( counter_get( st, "k" ), 2 );
	/* deleted; deleting what is not there is no error */
	c.c_verdict = WARDEN_STORE_DEL;
	ck_assert_int_eq( counter_update( st, "k", 0, &c ), WARDEN_STORE_DEL );
	ck_assert_int_eq( counter_get( st, "k" ), 1000 );
	ck_assert_int_eq( counter_update( st, "k", 0, &c ), WARDEN_STORE_DEL );
	ck_assert_int_eq( c.c_seen, -1 );
	/* other keys are not touched */
	c.c_verdict = WARDEN_STORE_PUT;
	ck_assert_int_eq( counter_update( st, "a", 0, &c ), WARDEN_STORE_PUT );
	ck_assert_int_eq( counter_get( st, "k" ), 1000 );
	ck_assert_int_eq( counter_get( st, "a" ), 1 );
	warden_store_close( st );
	tu_rmtree( d );
	free( d );
}
END_TEST

START_TEST( update_peeks_before_writing )
{
	char *d = tu_tmpdir();
	warden_store *st = NULL;
	counter c = { 0, WARDEN_STORE_PUT, 0, 0 };

	ck_assert_int_eq( warden_store_open( d, &st, msg, sizeof( msg ) ), 0 );
	/* a change that writes is asked twice: the look, then the write
	 * transaction, whose value it decides from */
	ck_assert_int_eq( counter_update( st, "k", WARDEN_STORE_PEEK, &c ),
		WARDEN_STORE_PUT );
	ck_assert_int_eq( c.c_calls, 2 );
	ck_assert_int_eq( counter_get( st, "k" ), 1 );
	/* one that keeps the record is asked once: no write transaction */
	c.c_calls = 0;
	c.c_verdict = WARDEN_STORE_KEEP;
	ck_assert_int_eq( counter_update( st, "k", WARDEN_STORE_PEEK, &c ),
		WARDEN_STORE_KEEP );
	ck_assert_int_eq( c.c_calls, 1 );
	/* a refusal at the look ends it too */
	c.c_calls = 0;
	c.c_verdict = -1;
	ck_assert_int_eq( counter_update( st, "k", WARDEN_STORE_PEEK, &c ), -1 );
	ck_assert_int_eq( c.c_calls, 1 );
	ck_assert_int_eq( counter_get( st, "k" ), 1 );
	warden_store_close( st );
	tu_rmtree( d );
	free( d );
}
END_TEST

#define RMW_THREADS	4
#define RMW_EACH	200

typedef struct rmw_arg {
	warden_store	*ra_st;
	int		ra_fail;
	char		ra_msg[256];
} rmw_arg;

static void *
rmw_thread( void *p )
{
	rmw_arg *ra = p;
	int i;

	for ( i = 0; i < RMW_EACH; i++ ) {
		counter c = { 0, WARDEN_STORE_PUT, 0, 0 };

		if ( warden_store_update( ra->ra_st,
				warden_store_lock_dbi( ra->ra_st ), "n", 1,
				WARDEN_STORE_PEEK, counter_change, &c, "test state",
				ra->ra_msg, sizeof( ra->ra_msg ) ) != WARDEN_STORE_PUT )
			ra->ra_fail++;
	}
	return NULL;
}

#define FLUSH_THREADS	8
#define FLUSH_EACH	25

typedef struct flush_arg {
	warden_store	*fa_st;
	int		fa_fail;
	char		fa_msg[256];
} flush_arg;

static void *
flush_thread( void *p )
{
	flush_arg *fa = p;
	int i;

	for ( i = 0; i < FLUSH_EACH; i++ ) {
		counter c = { 0, WARDEN_STORE_PUT, 0, 0 };

		if ( warden_store_update( fa->fa_st,
				warden_store_lock_dbi( fa->fa_st ), "f", 1,
				WARDEN_STORE_SYNC, counter_change, &c, "test state",
				fa->fa_msg, sizeof( fa->fa_msg ) ) != WARDEN_STORE_PUT )
			fa->fa_fail++;
	}
	return NULL;
}

/* group commit: one flush per caller alone, never more than one per
 * caller together, and every caller's change committed */
START_TEST( flush_is_shared )
{
	char *d = tu_tmpdir();
	warden_store *st = NULL;
	pthread_t t[FLUSH_THREADS];
	flush_arg fa[FLUSH_THREADS];
	unsigned long f0;
	int i;

	ck_assert_int_eq( warden_store_open( d, &st, msg, sizeof( msg ) ), 0 );
	f0 = warden_store_flushes( st );
	ck_assert_int_eq( warden_store_flush( st, msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( warden_store_flush( st, msg, sizeof( msg ) ), 0 );
	ck_assert_uint_eq( warden_store_flushes( st ), f0 + 2 );
	f0 = warden_store_flushes( st );
	for ( i = 0; i < FLUSH_THREADS; i++ ) {
		memset( &fa[i], 0, sizeof( fa[i] ) );
		fa[i].fa_st = st;
		ck_assert_int_eq( pthread_create( &t[i], NULL, flush_thread,
			&fa[i] ), 0 );
	}
	for ( i = 0; i < FLUSH_THREADS; i++ ) {
		pthread_join( t[i], NULL );
		ck_assert_msg( !fa[i].fa_fail, "%s", fa[i].fa_msg );
	}
	ck_assert_int_eq( counter_get( st, "f" ), FLUSH_THREADS * FLUSH_EACH );
	ck_assert_uint_le( warden_store_flushes( st ) - f0,
		FLUSH_THREADS * FLUSH_EACH );
	ck_assert_uint_ge( warden_store_flushes( st ) - f0, 1 );
	warden_store_close( st );
	tu_rmtree( d );
	free( d );
}
END_TEST

START_TEST( update_loses_no_concurrent_change )
{
	char *d = tu_tmpdir();
	warden_store *st = NULL;
	pthread_t t[RMW_THREADS];
	rmw_arg ra[RMW_THREADS];
	int i;

	ck_assert_int_eq( warden_store_open( d, &st, msg, sizeof( msg ) ), 0 );
	for ( i = 0; i < RMW_THREADS; i++ ) {
		memset( &ra[i], 0, sizeof( ra[i] ) );
		ra[i].ra_st = st;
		ck_assert_int_eq( pthread_create( &t[i], NULL, rmw_thread,
			&ra[i] ), 0 );
	}
	for ( i = 0; i < RMW_THREADS; i++ ) {
		pthread_join( t[i], NULL );
		ck_assert_msg( !ra[i].ra_fail, "%s", ra[i].ra_msg );
	}
	/* every increment read the value the one before wrote */
	ck_assert_int_eq( counter_get( st, "n" ), RMW_THREADS * RMW_EACH );
	warden_store_close( st );
	tu_rmtree( d );
	free( d );
}
END_TEST

Suite *
store_suite( void )
{
	Suite *s = suite_create( "store" );
	TCase *tc = tcase_create( "environment" );

	tcase_add_test( tc, opens_creates_private_files );
	tcase_add_test( tc, refuses_second_open_in_process );
	tcase_add_test( tc, refuses_other_format );
	tcase_add_test( tc, refuses_missing_dir );
	tcase_add_test( tc, update_puts_keeps_and_deletes );
	tcase_add_test( tc, update_peeks_before_writing );
	tcase_add_test( tc, update_loses_no_concurrent_change );
	tcase_add_test( tc, flush_is_shared );
	suite_add_tcase( s, tc );
	return s;
}
