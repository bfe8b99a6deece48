/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* The access decisions: whole-key matches, generations, growth, the cap,
 * and a change racing a decision from other threads. */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accesscache.h"
#include "suites.h"

/* the key access.c builds: DN, NUL, the places of the deciding systems */
static size_t
key_of( char *buf, size_t size, int user, const unsigned *sys, int nsys )
{
	int n = snprintf( buf, size, "uid=u%d,ou=people,dc=x", user );
	size_t len = (size_t)n + 1;
	int i;

	for ( i = 0; i < nsys; i++ ) {
		memcpy( buf + len, &sys[i], sizeof( sys[i] ) );
		len += sizeof( sys[i] );
	}
	return len;
}

START_TEST( decisions_by_whole_key )
{
	warden_accesscache *c = warden_accesscache_new( 64, 1024 );
	unsigned one = 1, two = 2;
	char k[128];
	size_t len;
	uint64_t gen;

	len = key_of( k, sizeof( k ), 1, &one, 1 );
	ck_assert_int_eq( warden_accesscache_get( c, k, len, &gen ), -1 );
	warden_accesscache_put( c, k, len, 1, gen );
	ck_assert_int_eq( warden_accesscache_get( c, k, len, &gen ), 1 );
	/* the same user from another system is another decision */
	len = key_of( k, sizeof( k ), 1, &two, 1 );
	ck_assert_int_eq( warden_accesscache_get( c, k, len, &gen ), -1 );
	warden_accesscache_put( c, k, len, 0, gen );
	ck_assert_int_eq( warden_accesscache_get( c, k, len, &gen ), 0 );
	/* a key that is a prefix of another is not it */
	ck_assert_int_eq( warden_accesscache_get( c, k, len - 1, &gen ), -1 );
	ck_assert_uint_eq( warden_accesscache_count( c ), 2 );
	warden_accesscache_free( c );
}
END_TEST

START_TEST( change_forgets_and_races_lose )
{
	warden_accesscache *c = warden_accesscache_new( 64, 1024 );
	unsigned one = 1;
	char k[128];
	size_t len = key_of( k, sizeof( k ), 7, &one, 1 );
	uint64_t gen, gen2;

	warden_accesscache_get( c, k, len, &gen );
	warden_accesscache_put( c, k, len, 1, gen );
	warden_accesscache_forget( c );	/* a group changed */
	ck_assert_int_eq( warden_accesscache_get( c, k, len, &gen ), -1 );
	/* the stale one was freed when met */
	ck_assert_uint_eq( warden_accesscache_count( c ), 0 );

	/* decided before a change, stored after it: never served */
	warden_accesscache_get( c, k, len, &gen );
	warden_accesscache_forget( c );
	warden_accesscache_put( c, k, len, 1, gen );
	ck_assert_int_eq( warden_accesscache_get( c, k, len, &gen2 ), -1 );
	warden_accesscache_put( c, k, len, 0, gen2 );
	ck_assert_int_eq( warden_accesscache_get( c, k, len, &gen2 ), 0 );
	warden_accesscache_free( c );
}
END_TEST

START_TEST( grows_to_every_user_then_cap )
{
	warden_accesscache *c = warden_accesscache_new( 64, 2000000 );
	unsigned sys[2] = { 3, 9 };
	char k[128];
	size_t len;
	uint64_t gen;
	int i, hits = 0;

	for ( i = 0; i < 200000; i++ ) {
		len = key_of( k, sizeof( k ), i, sys, 2 );
		ck_assert_int_eq( warden_accesscache_get( c, k, len, &gen ), -1 );
		warden_accesscache_put( c, k, len, i & 1, gen );
	}
	ck_assert_uint_eq( warden_accesscache_count( c ), 200000 );
	for ( i = 0; i < 200000; i++ ) {
		len = key_of( k, sizeof( k ), i, sys, 2 );
		hits += warden_accesscache_get( c, k, len, &gen ) == ( i & 1 );
	}
	ck_assert_int_eq( hits, 200000 );

	/* a lower cap evicts at once, the least recently used first */
	warden_accesscache_set_max( c, 6400 );
	ck_assert_uint_le( warden_accesscache_count( c ), 6400 );
	ck_assert_uint_gt( warden_accesscache_count( c ), 6000 );
	len = key_of( k, sizeof( k ), 199999, sys, 2 );
	ck_assert_int_eq( warden_accesscache_get( c, k, len, &gen ), 1 );
	len = key_of( k, sizeof( k ), 0, sys, 2 );
	ck_assert_int_eq( warden_accesscache_get( c, k, len, &gen ), -1 );
	/* the cap has a floor: one per stripe */
	warden_accesscache_set_max( c, 1 );
	ck_assert_uint_le( warden_accesscache_count( c ), WARDEN_ACCESSCACHE_MIN );
	warden_accesscache_free( c );
}
END_TEST

/* Threads decide "allowed" for users while another revokes: after the
 * last revocation, no thread may find an allowed decision it stored
 * with a generation read before it. */
typedef struct race_arg {
	warden_accesscache	*c;
	volatile int		*stop;
	int			base;
} race_arg;

static void *
race_decider( void *p )
{
	race_arg *a = p;
	char k[128];
	int i = 0;

	while ( !*a->stop ) {
		uint64_t gen;
		size_t len = key_of( k, sizeof( k ), a->base + ( i++ % 500 ),
			NULL, 0 );

		if ( warden_accesscache_get( a->c, k, len, &gen ) < 0 )
			warden_accesscache_put( a->c, k, len, 1, gen );
	}
	return NULL;
}

START_TEST( concurrent_change_is_never_undone )
{
	warden_accesscache *c = warden_accesscache_new( 64, 4096 );
	volatile int stop = 0;
	pthread_t t[4];
	race_arg a[4];
	char k[128];
	uint64_t gen;
	int i, stale = 0;

	for ( i = 0; i < 4; i++ ) {
		a[i].c = c;
		a[i].stop = &stop;
		a[i].base = i * 500;
		ck_assert_int_eq( pthread_create( &t[i], NULL, race_decider,
			&a[i] ), 0 );
	}
	for ( i = 0; i < 2000; i++ ) warden_accesscache_forget( c );
	stop = 1;
	for ( i = 0; i < 4; i++ ) pthread_join( t[i], NULL );
	/* every decision held is either of the last generation (stored
	 * after the last change) or a miss */
	warden_accesscache_forget( c );
	for ( i = 0; i < 2000; i++ ) {
		size_t len = key_of( k, sizeof( k ), i, NULL, 0 );

		stale += warden_accesscache_get( c, k, len, &gen ) >= 0;
	}
	ck_assert_int_eq( stale, 0 );
	warden_accesscache_free( c );
}
END_TEST

START_TEST( node_size_is_what_it_holds )
{
	ck_assert_uint_le( warden_accesscache_node_size( 0 ), 64 );
	ck_assert_uint_eq( warden_accesscache_node_size( 45 ) -
		warden_accesscache_node_size( 0 ), 45 );
}
END_TEST

Suite *
accesscache_suite( void )
{
	Suite *s = suite_create( "accesscache" );
	TCase *tc = tcase_create( "cache" );

	tcase_set_timeout( tc, 60 );
	tcase_add_test( tc, decisions_by_whole_key );
	tcase_add_test( tc, change_forgets_and_races_lose );
	tcase_add_test( tc, grows_to_every_user_then_cap );
	tcase_add_test( tc, concurrent_change_is_never_undone );
	tcase_add_test( tc, node_size_is_what_it_holds );
	suite_add_tcase( s, tc );
	return s;
}
