/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* The growing table under the bind caches: growth, exact least recently
 * used eviction at the cap, collisions, a lowered cap; and the hash that
 * picks their stripes and buckets. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fnv.h"
#include "lrutab.h"
#include "lrustripes.h"
#include "suites.h"

typedef struct node {
	warden_lru_node	n_lru;
	int		n_key;
} node;

static node *
node_new( int key, uint64_t hash )
{
	node *n = calloc( 1, sizeof( *n ) );

	ck_assert_ptr_nonnull( n );
	n->n_key = key;
	n->n_lru.ln_hash = hash;
	return n;
}

static node *
find( warden_lrutab *t, int key, uint64_t hash )
{
	warden_lru_node *n = NULL;

	while ( ( n = warden_lrutab_find( t, hash, n ) ) ) {
		if ( ( (node *)n )->n_key == key ) return (node *)n;
	}
	return NULL;
}

static uint64_t
hash_of( int key )
{
	/* spread, as fnv1a's would be */
	uint64_t h = (uint64_t)key * 0xff51afd7ed558ccdULL;

	return h ^ ( h >> 29 );
}

static void
drain( warden_lrutab *t )
{
	warden_lru_node *n;

	while ( ( n = warden_lrutab_pop( t ) ) ) free( n );
	warden_lrutab_destroy( t );
}

START_TEST( grows_with_what_it_holds )
{
	warden_lrutab t;
	int i, found = 0;

	ck_assert_int_eq( warden_lrutab_init( &t, 4, 1000000 ), 0 );
	ck_assert_uint_eq( t.lt_nbuckets, 4 );
	for ( i = 0; i < 100000; i++ ) {
		ck_assert_ptr_null( warden_lrutab_insert( &t,
			&node_new( i, hash_of( i ) )->n_lru ) );
	}
	ck_assert_uint_eq( t.lt_count, 100000 );
	/* doubled as it filled: never fewer buckets than nodes' half,
	 * never more than twice the nodes */
	ck_assert_uint_ge( t.lt_nbuckets, 65536 );
	ck_assert_uint_le( t.lt_nbuckets, 131072 );
	for ( i = 0; i < 100000; i++ ) found += !!find( &t, i, hash_of( i ) );
	ck_assert_int_eq( found, 100000 );
	ck_assert_ptr_null( find( &t, 100000, hash_of( 100000 ) ) );
	drain( &t );
}
END_TEST

START_TEST( cap_evicts_least_recently_used )
{
	warden_lrutab t;
	warden_lru_node *gone;
	int i;

	ck_assert_int_eq( warden_lrutab_init( &t, 1, 10 ), 0 );
	for ( i = 0; i < 10; i++ )
		ck_assert_ptr_null( warden_lrutab_insert( &t,
			&node_new( i, hash_of( i ) )->n_lru ) );
	/* no more buckets than the cap needs */
	ck_assert_uint_le( t.lt_nbuckets, 16 );
	/* 0 used again: 1 is now the oldest */
	warden_lrutab_touch( &t, &find( &t, 0, hash_of( 0 ) )->n_lru );
	gone = warden_lrutab_insert( &t, &node_new( 10, hash_of( 10 ) )->n_lru );
	ck_assert_ptr_nonnull( gone );
	ck_assert_int_eq( ( (node *)gone )->n_key, 1 );
	free( gone );
	gone = warden_lrutab_insert( &t, &node_new( 11, hash_of( 11 ) )->n_lru );
	ck_assert_int_eq( ( (node *)gone )->n_key, 2 );
	free( gone );
	ck_assert_uint_eq( t.lt_count, 10 );
	ck_assert_ptr_nonnull( find( &t, 0, hash_of( 0 ) ) );
	ck_assert_ptr_null( find( &t, 1, hash_of( 1 ) ) );
	ck_assert_ptr_nonnull( find( &t, 11, hash_of( 11 ) ) );
	drain( &t );
}
END_TEST

START_TEST( same_hash_and_removal )
{
	warden_lrutab t;
	node *a, *b, *c;

	ck_assert_int_eq( warden_lrutab_init( &t, 8, 100 ), 0 );
	a = node_new( 1, 42 );
	b = node_new( 2, 42 );
	c = node_new( 3, 42 );
	warden_lrutab_insert( &t, &a->n_lru );
	warden_lrutab_insert( &t, &b->n_lru );
	warden_lrutab_insert( &t, &c->n_lru );
	ck_assert_ptr_eq( find( &t, 1, 42 ), a );
	ck_assert_ptr_eq( find( &t, 2, 42 ), b );
	ck_assert_ptr_eq( find( &t, 3, 42 ), c );
	warden_lrutab_remove( &t, &b->n_lru );
	free( b );
	ck_assert_ptr_null( find( &t, 2, 42 ) );
	ck_assert_ptr_eq( find( &t, 3, 42 ), c );
	ck_assert_uint_eq( t.lt_count, 2 );
	/* the order of use survives removals: a is the oldest */
	ck_assert_ptr_eq( warden_lrutab_pop( &t ), &a->n_lru );
	free( a );
	ck_assert_ptr_eq( warden_lrutab_pop( &t ), &c->n_lru );
	free( c );
	ck_assert_ptr_null( warden_lrutab_pop( &t ) );
	warden_lrutab_destroy( &t );
}
END_TEST

START_TEST( lowered_cap_evicts_oldest )
{
	warden_lrutab t;
	warden_lru_node *gone;
	int i, n = 0;

	ck_assert_int_eq( warden_lrutab_init( &t, 1, 1000 ), 0 );
	for ( i = 0; i < 1000; i++ )
		warden_lrutab_insert( &t, &node_new( i, hash_of( i ) )->n_lru );
	warden_lrutab_set_max( &t, 100 );
	while ( ( gone = warden_lrutab_over( &t ) ) ) {
		/* the oldest first, in order */
		ck_assert_int_eq( ( (node *)gone )->n_key, n++ );
		free( gone );
	}
	ck_assert_int_eq( n, 900 );
	ck_assert_uint_eq( t.lt_count, 100 );
	ck_assert_ptr_nonnull( find( &t, 999, hash_of( 999 ) ) );
	ck_assert_ptr_null( find( &t, 899, hash_of( 899 ) ) );
	/* raised again: grows again */
	warden_lrutab_set_max( &t, 5000 );
	for ( i = 1000; i < 5000; i++ )
		ck_assert_ptr_null( warden_lrutab_insert( &t,
			&node_new( i, hash_of( i ) )->n_lru ) );
	ck_assert_uint_eq( t.lt_count, 4100 );
	drain( &t );
}
END_TEST

/* DNs that differ in a few digits in their middle (what a directory's
 * users are) fill the stripes (low bits) and the buckets (high bits)
 * evenly, as the bind caches need. */
START_TEST( hash_spreads_dns )
{
	enum { N = 64000, BUCKETS = 16384 };
	static unsigned stripe[WARDEN_LRU_STRIPES], bucket[BUCKETS];
	char dn[64];
	unsigned i, lo = N, hi = 0, most = 0;

	memset( stripe, 0, sizeof( stripe ) );
	memset( bucket, 0, sizeof( bucket ) );
	for ( i = 0; i < N; i++ ) {
		int n = snprintf( dn, sizeof( dn ),
			"uid=user%06u,ou=people,dc=example,dc=com", i );
		uint64_t h = warden_hash( dn, (size_t)n );

		stripe[h % WARDEN_LRU_STRIPES]++;
		bucket[h >> 50]++;
	}
	for ( i = 0; i < WARDEN_LRU_STRIPES; i++ ) {
		if ( stripe[i] < lo ) lo = stripe[i];
		if ( stripe[i] > hi ) hi = stripe[i];
	}
	for ( i = 0; i < BUCKETS; i++ )
		if ( bucket[i] > most ) most = bucket[i];
	/* 1,000 a stripe expected; about 4 a bucket */
	ck_assert_uint_ge( lo, 850 );
	ck_assert_uint_le( hi, 1150 );
	ck_assert_uint_le( most, 20 );
}
END_TEST

/* Every byte counts, in the words and in the tail, and so does the
 * length: a change of any one bit gives another hash. */
START_TEST( hash_every_byte_counts )
{
	unsigned char buf[40];
	size_t len, i;
	int bit;

	for ( i = 0; i < sizeof( buf ); i++ ) buf[i] = (unsigned char)( i * 7 );
	for ( len = 1; len <= sizeof( buf ); len++ ) {
		uint64_t h = warden_hash( buf, len );

		for ( i = 0; i < len; i++ ) {
			for ( bit = 0; bit < 8; bit++ ) {
				buf[i] ^= (unsigned char)( 1 << bit );
				ck_assert( warden_hash( buf, len ) != h );
				buf[i] ^= (unsigned char)( 1 << bit );
			}
		}
		ck_assert( warden_hash( buf, len ) == h );
	}
	/* a NUL more is another key */
	ck_assert( warden_hash( "abc", 3 ) != warden_hash( "abc", 4 ) );
	ck_assert( warden_hash( "", 0 ) != warden_hash( "", 1 ) );
}
END_TEST

Suite *
lrutab_suite( void )
{
	Suite *s = suite_create( "lrutab" );
	TCase *tc = tcase_create( "table" );

	tcase_add_test( tc, grows_with_what_it_holds );
	tcase_add_test( tc, cap_evicts_least_recently_used );
	tcase_add_test( tc, same_hash_and_removal );
	tcase_add_test( tc, lowered_cap_evicts_oldest );
	tcase_add_test( tc, hash_spreads_dns );
	tcase_add_test( tc, hash_every_byte_counts );
	suite_add_tcase( s, tc );
	return s;
}
