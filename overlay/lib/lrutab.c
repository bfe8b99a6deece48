/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* lrutab.c - a hash table that grows up to a cap, then evicts the least
 * recently used (lrutab.h) */

#include <stdlib.h>

#include "lrutab.h"

/* The bucket of a hash: the high bits of a multiplicative mix, so that a
 * caller that chose its stripe by the low bits of the same hash still
 * spreads over every bucket. */
static size_t
lt_index( const warden_lrutab *t, uint64_t hash )
{
	uint64_t m = hash * 0x9E3779B97F4A7C15ULL;

	if ( t->lt_nbuckets == 1 ) return 0;
	return (size_t)( m >> ( 64 - __builtin_ctzll( t->lt_nbuckets ) ) );
}

static size_t
lt_pow2( size_t n )
{
	size_t p = 1;

	while ( p < n && p < ( (size_t)1 << 40 ) ) p <<= 1;
	return p;
}

int
warden_lrutab_init( warden_lrutab *t, size_t buckets, size_t max )
{
	t->lt_nbuckets = lt_pow2( buckets ? buckets : 1 );
	t->lt_buckets = calloc( t->lt_nbuckets, sizeof( *t->lt_buckets ) );
	t->lt_count = 0;
	t->lt_max = max ? max : 1;
	t->lt_ring.ln_newer = t->lt_ring.ln_older = &t->lt_ring;
	t->lt_ring.ln_chain = NULL;
	t->lt_ring.ln_hash = 0;
	if ( !t->lt_buckets ) {
		t->lt_nbuckets = 0;
		return -1;
	}
	return 0;
}

void
warden_lrutab_destroy( warden_lrutab *t )
{
	free( t->lt_buckets );
	t->lt_buckets = NULL;
	t->lt_nbuckets = 0;
	t->lt_count = 0;
	t->lt_ring.ln_newer = t->lt_ring.ln_older = &t->lt_ring;
}

warden_lru_node *
warden_lrutab_find( warden_lrutab *t, uint64_t hash, warden_lru_node *next )
{
	warden_lru_node *n;

	if ( !t->lt_nbuckets ) return NULL;
	n = next ? next->ln_chain : t->lt_buckets[lt_index( t, hash )];
	for ( ; n; n = n->ln_chain ) {
		if ( n->ln_hash == hash ) return n;
	}
	return NULL;
}

static void
lt_unuse( warden_lru_node *n )
{
	n->ln_newer->ln_older = n->ln_older;
	n->ln_older->ln_newer = n->ln_newer;
}

/* as the newest: just older than the ring's head */
static void
lt_use( warden_lrutab *t, warden_lru_node *n )
{
	n->ln_newer = &t->lt_ring;
	n->ln_older = t->lt_ring.ln_older;
	t->lt_ring.ln_older->ln_newer = n;
	t->lt_ring.ln_older = n;
}

void
warden_lrutab_touch( warden_lrutab *t, warden_lru_node *n )
{
	if ( t->lt_ring.ln_older == n ) return;	/* the newest already */
	lt_unuse( n );
	lt_use( t, n );
}

/* Twice the buckets, every node relinked; a failed allocation keeps the
 * table as it was. */
static void
lt_grow( warden_lrutab *t )
{
	warden_lru_node **old = t->lt_buckets, *n, *next;
	size_t i, oldn = t->lt_nbuckets;

	t->lt_buckets = calloc( oldn * 2, sizeof( *t->lt_buckets ) );
	if ( !t->lt_buckets ) {
		t->lt_buckets = old;
		return;
	}
	t->lt_nbuckets = oldn * 2;
	for ( i = 0; i < oldn; i++ ) {
		for ( n = old[i]; n; n = next ) {
			size_t b = lt_index( t, n->ln_hash );

			next = n->ln_chain;
			n->ln_chain = t->lt_buckets[b];
			t->lt_buckets[b] = n;
		}
	}
	free( old );
}

warden_lru_node *
warden_lrutab_insert( warden_lrutab *t, warden_lru_node *n )
{
	size_t b;

	if ( !t->lt_nbuckets ) return n;	/* never set up: not kept */
	/* a chain about one node long; never more buckets than the cap
	 * needs */
	if ( t->lt_count >= t->lt_nbuckets && t->lt_nbuckets < t->lt_max )
		lt_grow( t );
	b = lt_index( t, n->ln_hash );
	n->ln_chain = t->lt_buckets[b];
	t->lt_buckets[b] = n;
	lt_use( t, n );
	t->lt_count++;
	return warden_lrutab_over( t );
}

void
warden_lrutab_remove( warden_lrutab *t, warden_lru_node *n )
{
	warden_lru_node **p = &t->lt_buckets[lt_index( t, n->ln_hash )];

	while ( *p && *p != n ) p = &( *p )->ln_chain;
	if ( !*p ) return;	/* not held */
	*p = n->ln_chain;
	n->ln_chain = NULL;
	lt_unuse( n );
	t->lt_count--;
}

warden_lru_node *
warden_lrutab_pop( warden_lrutab *t )
{
	warden_lru_node *n = t->lt_ring.ln_newer;

	if ( n == &t->lt_ring ) return NULL;
	warden_lrutab_remove( t, n );
	return n;
}

void
warden_lrutab_set_max( warden_lrutab *t, size_t max )
{
	t->lt_max = max ? max : 1;
}

warden_lru_node *
warden_lrutab_over( warden_lrutab *t )
{
	return t->lt_count > t->lt_max ? warden_lrutab_pop( t ) : NULL;
}
