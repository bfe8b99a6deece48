/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* The subject cache: hits, generations, invalidation, eviction. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "subjcache.h"
#include "suites.h"

static warden_subj_rec
rec_of( unsigned flags, unsigned char b )
{
	warden_subj_rec r;

	memset( &r, 0, sizeof( r ) );
	r.sr_flags = flags;
	memset( r.sr_uuid, b, sizeof( r.sr_uuid ) );
	return r;
}

START_TEST( put_get_and_miss )
{
	warden_subjcache *c = warden_subjcache_new( 64, 64 );
	warden_subj_rec r = rec_of( WARDEN_SC_FOUND | WARDEN_SC_UUID, 7 ), out;
	uint64_t gen;
	const char *dn = "uid=alice,ou=people,dc=example,dc=org";

	ck_assert_int_eq( warden_subjcache_get( c, dn, strlen( dn ), &out, &gen ), 0 );
	warden_subjcache_put( c, dn, strlen( dn ), &r, gen );
	ck_assert_int_eq( warden_subjcache_get( c, dn, strlen( dn ), &out, &gen ), 1 );
	ck_assert_int_eq( out.sr_flags, WARDEN_SC_FOUND | WARDEN_SC_UUID );
	ck_assert_int_eq( out.sr_uuid[15], 7 );
	/* a prefix is another DN */
	ck_assert_int_eq( warden_subjcache_get( c, dn, strlen( dn ) - 1, &out, &gen ), 0 );
	warden_subjcache_free( c );
}
END_TEST

START_TEST( write_between_read_and_put_is_not_cached )
{
	warden_subjcache *c = warden_subjcache_new( 64, 64 );
	warden_subj_rec r = rec_of( WARDEN_SC_FOUND, 1 ), out;
	uint64_t gen, gen2;
	const char *dn = "uid=bob,dc=x";

	warden_subjcache_get( c, dn, strlen( dn ), &out, &gen );
	warden_subjcache_invalidate( c, dn, strlen( dn ) );	/* a modify */
	warden_subjcache_put( c, dn, strlen( dn ), &r, gen );
	ck_assert_int_eq( warden_subjcache_get( c, dn, strlen( dn ), &out, &gen2 ), 0 );
	warden_subjcache_put( c, dn, strlen( dn ), &r, gen2 );
	ck_assert_int_eq( warden_subjcache_get( c, dn, strlen( dn ), &out, &gen2 ), 1 );
	warden_subjcache_invalidate( c, dn, strlen( dn ) );
	ck_assert_int_eq( warden_subjcache_get( c, dn, strlen( dn ), &out, &gen2 ), 0 );
	warden_subjcache_free( c );
}
END_TEST

START_TEST( clean_mark_needs_unchanged_generation )
{
	warden_subjcache *c = warden_subjcache_new( 64, 64 );
	warden_subj_rec r = rec_of( WARDEN_SC_FOUND, 1 ), out;
	uint64_t gen, g2;
	const char *dn = "uid=carol,dc=x";

	warden_subjcache_get( c, dn, strlen( dn ), &out, &gen );
	warden_subjcache_put( c, dn, strlen( dn ), &r, gen );
	ck_assert_int_eq( warden_subjcache_get( c, dn, strlen( dn ), &out, &gen ), 1 );
	warden_subjcache_mark_clean( c, dn, strlen( dn ), gen );
	warden_subjcache_get( c, dn, strlen( dn ), &out, &g2 );
	ck_assert( out.sr_flags & WARDEN_SC_CLEAN );

	/* a failure recorded meanwhile: the stale "clean" must not stick */
	warden_subjcache_get( c, dn, strlen( dn ), &out, &gen );
	warden_subjcache_invalidate( c, dn, strlen( dn ) );
	warden_subjcache_put( c, dn, strlen( dn ), &r, gen );	/* refused */
	warden_subjcache_mark_clean( c, dn, strlen( dn ), gen );	/* refused */
	ck_assert_int_eq( warden_subjcache_get( c, dn, strlen( dn ), &out, &g2 ), 0 );

	/* marked dirty: stays cached, no longer clean, pending marks fail */
	warden_subjcache_put( c, dn, strlen( dn ), &r, g2 );
	warden_subjcache_get( c, dn, strlen( dn ), &out, &gen );
	warden_subjcache_mark_clean( c, dn, strlen( dn ), gen );
	warden_subjcache_get( c, dn, strlen( dn ), &out, &gen );
	warden_subjcache_mark_dirty( c, dn, strlen( dn ) );
	warden_subjcache_mark_clean( c, dn, strlen( dn ), gen );
	ck_assert_int_eq( warden_subjcache_get( c, dn, strlen( dn ), &out, &g2 ), 1 );
	ck_assert( !( out.sr_flags & WARDEN_SC_CLEAN ) );
	warden_subjcache_free( c );
}
END_TEST

START_TEST( flush_and_eviction )
{
	warden_subjcache *c = warden_subjcache_new( 64, 64 );
	warden_subj_rec r = rec_of( WARDEN_SC_FOUND, 2 ), out;
	char dn[64];
	uint64_t gen;
	int i, hits = 0;

	for ( i = 0; i < 5000; i++ ) {
		snprintf( dn, sizeof( dn ), "uid=u%d,dc=x", i );
		warden_subjcache_get( c, dn, strlen( dn ), &out, &gen );
		warden_subjcache_put( c, dn, strlen( dn ), &r, gen );
	}
	for ( i = 0; i < 5000; i++ ) {
		snprintf( dn, sizeof( dn ), "uid=u%d,dc=x", i );
		hits += warden_subjcache_get( c, dn, strlen( dn ), &out, &gen );
	}
	/* bounded: at most the cap, and the newest are there */
	ck_assert_int_le( hits, 64 );
	ck_assert_uint_le( warden_subjcache_count( c ), 64 );
	ck_assert_int_gt( hits, 0 );
	snprintf( dn, sizeof( dn ), "uid=u%d,dc=x", 4999 );
	ck_assert_int_eq( warden_subjcache_get( c, dn, strlen( dn ), &out, &gen ), 1 );
	warden_subjcache_flush( c );
	ck_assert_int_eq( warden_subjcache_get( c, dn, strlen( dn ), &out, &gen ), 0 );
	warden_subjcache_free( c );
}
END_TEST

START_TEST( grows_to_every_user_then_cap )
{
	warden_subjcache *c = warden_subjcache_new( 64, 1000000 );
	warden_subj_rec r = rec_of( WARDEN_SC_FOUND | WARDEN_SC_UUID, 3 ), out;
	const char *policy = "cn=default,ou=policies,dc=x";
	char dn[64];
	uint64_t gen;
	int i, hits = 0;

	memcpy( r.sr_policy, policy, strlen( policy ) );
	r.sr_policy_len = strlen( policy );
	for ( i = 0; i < 100000; i++ ) {
		snprintf( dn, sizeof( dn ), "uid=u%d,dc=x", i );
		ck_assert_int_eq( warden_subjcache_get( c, dn, strlen( dn ),
			&out, &gen ), 0 );
		warden_subjcache_put( c, dn, strlen( dn ), &r, gen );
	}
	/* from room for 64 to every one of them */
	ck_assert_uint_eq( warden_subjcache_count( c ), 100000 );
	for ( i = 0; i < 100000; i++ ) {
		snprintf( dn, sizeof( dn ), "uid=u%d,dc=x", i );
		memset( &out, 0, sizeof( out ) );
		if ( warden_subjcache_get( c, dn, strlen( dn ), &out, &gen ) &&
			out.sr_policy_len == strlen( policy ) &&
			!memcmp( out.sr_policy, policy, strlen( policy ) ) &&
			out.sr_uuid[0] == 3 )
			hits++;
	}
	ck_assert_int_eq( hits, 100000 );
	/* a write still drops its DN after the growth */
	snprintf( dn, sizeof( dn ), "uid=u%d,dc=x", 777 );
	warden_subjcache_invalidate( c, dn, strlen( dn ) );
	ck_assert_int_eq( warden_subjcache_get( c, dn, strlen( dn ), &out, &gen ), 0 );

	/* a lower cap evicts at once, the least recently used first */
	warden_subjcache_set_max( c, 6400 );
	ck_assert_uint_le( warden_subjcache_count( c ), 6400 );
	ck_assert_uint_gt( warden_subjcache_count( c ), 6000 );
	snprintf( dn, sizeof( dn ), "uid=u%d,dc=x", 99999 );
	ck_assert_int_eq( warden_subjcache_get( c, dn, strlen( dn ), &out, &gen ), 1 );
	snprintf( dn, sizeof( dn ), "uid=u%d,dc=x", 0 );
	ck_assert_int_eq( warden_subjcache_get( c, dn, strlen( dn ), &out, &gen ), 0 );
	warden_subjcache_free( c );
}
END_TEST

START_TEST( node_size_is_what_it_holds )
{
	/* the fixed part is small: the DNs are kept as long as they are */
	ck_assert_uint_le( warden_subjcache_node_size( 0, 0 ), 96 );
	ck_assert_uint_eq( warden_subjcache_node_size( 40, 30 ) -
		warden_subjcache_node_size( 0, 0 ), 70 );
}
END_TEST

Suite *
subjcache_suite( void )
{
	Suite *s = suite_create( "subjcache" );
	TCase *tc = tcase_create( "cache" );

	tcase_add_test( tc, put_get_and_miss );
	tcase_add_test( tc, write_between_read_and_put_is_not_cached );
	tcase_add_test( tc, clean_mark_needs_unchanged_generation );
	tcase_add_test( tc, flush_and_eviction );
	tcase_add_test( tc, grows_to_every_user_then_cap );
	tcase_add_test( tc, node_size_is_what_it_holds );
	suite_add_tcase( s, tc );
	return s;
}
