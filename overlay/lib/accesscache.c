/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* accesscache.c - the access engine's decisions, kept per user and systems
 *
 * The stripes of lrustripes.h, chosen by the key's hash; one generation
 * for the whole cache, read and bumped atomically, so that a change never
 * walks the stripes.
 */

#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "accesscache.h"
#include "lrustripes.h"
#include "fnv.h"

typedef struct ac_node {
	warden_lru_node	an_lru;		/* first: the table's */
	uint64_t	an_gen;
	uint32_t	an_len;
	unsigned char	an_allowed;
	unsigned char	an_key[];
} ac_node;

typedef warden_lru_stripe ac_stripe;	/* st_gen unused: c_gen is global */

struct warden_accesscache {
	uint64_t	c_gen;		/* atomic */
	ac_stripe	c_stripes[WARDEN_LRU_STRIPES];
};

size_t
warden_accesscache_node_size( size_t keylen )
{
	return offsetof( ac_node, an_key ) + keylen;
}

static uint64_t
ac_gen( warden_accesscache *c )
{
	return __atomic_load_n( &c->c_gen, __ATOMIC_ACQUIRE );
}

warden_accesscache *
warden_accesscache_new( size_t initial, size_t max )
{
	warden_accesscache *c = calloc( 1, sizeof( *c ) );

	if ( !c ) return NULL;
	if ( max < WARDEN_ACCESSCACHE_MIN ) max = WARDEN_ACCESSCACHE_MIN;
	c->c_gen = 1;
	if ( warden_lru_stripes_init( c->c_stripes, initial, max ) ) {
		free( c );
		return NULL;
	}
	return c;
}

void
warden_accesscache_free( warden_accesscache *c )
{
	if ( !c ) return;
	warden_lru_stripes_destroy( c->c_stripes );
	free( c );
}

static ac_node *
ac_find( ac_stripe *st, uint64_t h, const void *key, size_t len )
{
	warden_lru_node *n = NULL;

	while ( ( n = warden_lrutab_find( &st->st_tab, h, n ) ) ) {
		ac_node *a = (ac_node *)n;

		if ( a->an_len == len && !memcmp( a->an_key, key, len ) )
			return a;
	}
	return NULL;
}

int
warden_accesscache_get( warden_accesscache *c, const void *key, size_t len,
	uint64_t *gen )
{
	uint64_t h = warden_hash( key, len );
	ac_stripe *st = warden_lru_stripe_of( c->c_stripes, h );
	ac_node *a, *stale = NULL;
	int allowed = -1;

	/* read before the lookup: a forget() after it makes the put fail */
	*gen = ac_gen( c );
	pthread_mutex_lock( &st->st_mutex );
	if ( ( a = ac_find( st, h, key, len ) ) ) {
		if ( a->an_gen == *gen ) {
			warden_lrutab_touch( &st->st_tab, &a->an_lru );
			allowed = a->an_allowed;
		} else {
			warden_lrutab_remove( &st->st_tab, &a->an_lru );
			stale = a;
		}
	}
	pthread_mutex_unlock( &st->st_mutex );
	free( stale );
	return allowed;
}

void
warden_accesscache_put( warden_accesscache *c, const void *key, size_t len,
	int allowed, uint64_t gen )
{
	uint64_t h = warden_hash( key, len );
	ac_stripe *st = warden_lru_stripe_of( c->c_stripes, h );
	ac_node *a, *old;
	warden_lru_node *gone = NULL;

	if ( len > UINT32_MAX || gen != ac_gen( c ) ) return;
	if ( !( a = malloc( warden_accesscache_node_size( len ) ) ) ) return;
	a->an_lru.ln_hash = h;
	a->an_gen = gen;
	a->an_len = (uint32_t)len;
	a->an_allowed = allowed ? 1 : 0;
	memcpy( a->an_key, key, len );

	pthread_mutex_lock( &st->st_mutex );
	/* a forget() between the check above and here leaves this node of
	 * an old generation: a miss when met */
	if ( ( old = ac_find( st, h, key, len ) ) ) {
		warden_lrutab_remove( &st->st_tab, &old->an_lru );
		free( old );
	}
	gone = warden_lrutab_insert( &st->st_tab, &a->an_lru );
	pthread_mutex_unlock( &st->st_mutex );
	free( gone );
}

void
warden_accesscache_forget( warden_accesscache *c )
{
	__atomic_add_fetch( &c->c_gen, 1, __ATOMIC_ACQ_REL );
}

void
warden_accesscache_set_max( warden_accesscache *c, size_t max )
{
	if ( max < WARDEN_ACCESSCACHE_MIN ) max = WARDEN_ACCESSCACHE_MIN;
	warden_lru_stripes_set_max( c->c_stripes, max );
}

size_t
warden_accesscache_count( warden_accesscache *c )
{
	return warden_lru_stripes_count( c->c_stripes );
}
