/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* subjcache.c - what binds need to know about an entry, cached by DN
 *
 * The stripes of lrustripes.h, chosen by the DN's hash; a stripe's
 * generation is bumped by every write to one of its DNs.
 */

#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "subjcache.h"
#include "lrustripes.h"
#include "fnv.h"

/* One cached DN: the record without its fixed policy buffer, then the DN
 * and the policy DN, each as long as it is (SUBJCACHE_NODE_SIZE). */
typedef struct sc_node {
	warden_lru_node	sn_lru;		/* first: the table's */
	int64_t		sn_entry_locked;
	int64_t		sn_last_success;
	int64_t		sn_last_active;
	unsigned char	sn_uuid[16];
	unsigned	sn_flags;
	uint32_t	sn_len;		/* of the DN */
	uint16_t	sn_policy_len;
	char		sn_key[];	/* DN, NUL, policy DN (not terminated) */
} sc_node;

typedef warden_lru_stripe sc_stripe;

struct warden_subjcache {
	sc_stripe	sc_stripes[WARDEN_LRU_STRIPES];
};

size_t
warden_subjcache_node_size( size_t ndn_len, size_t policy_len )
{
	return offsetof( sc_node, sn_key ) + ndn_len + 1 + policy_len;
}

static uint64_t
sc_hash( const char *s, size_t len )
{
	return warden_hash( s, len );
}

warden_subjcache *
warden_subjcache_new( size_t initial, size_t max )
{
	warden_subjcache *c = calloc( 1, sizeof( *c ) );

	if ( !c ) return NULL;
	if ( max < WARDEN_SUBJCACHE_MIN ) max = WARDEN_SUBJCACHE_MIN;
	if ( warden_lru_stripes_init( c->sc_stripes, initial, max ) ) {
		free( c );
		return NULL;
	}
	return c;
}

void
warden_subjcache_free( warden_subjcache *c )
{
	if ( !c ) return;
	warden_lru_stripes_destroy( c->sc_stripes );
	free( c );
}

static sc_node *
sc_find( sc_stripe *st, uint64_t h, const char *ndn, size_t len )
{
	warden_lru_node *n = NULL;

	while ( ( n = warden_lrutab_find( &st->st_tab, h, n ) ) ) {
		sc_node *s = (sc_node *)n;

		if ( s->sn_len == len && !memcmp( s->sn_key, ndn, len ) )
			return s;
	}
	return NULL;
}

static sc_stripe *
sc_stripe_of( warden_subjcache *c, uint64_t h )
{
	return warden_lru_stripe_of( c->sc_stripes, h );
}

int
warden_subjcache_get( warden_subjcache *c, const char *ndn, size_t len,
	warden_subj_rec *rec, uint64_t *gen )
{
	uint64_t h = sc_hash( ndn, len );
	sc_stripe *st = sc_stripe_of( c, h );
	sc_node *s;
	int hit = 0;

	pthread_mutex_lock( &st->st_mutex );
	s = sc_find( st, h, ndn, len );
	if ( s ) {
		warden_lrutab_touch( &st->st_tab, &s->sn_lru );
		rec->sr_flags = s->sn_flags;
		memcpy( rec->sr_uuid, s->sn_uuid, sizeof( rec->sr_uuid ) );
		rec->sr_entry_locked = s->sn_entry_locked;
		rec->sr_last_success = s->sn_last_success;
		rec->sr_last_active = s->sn_last_active;
		/* the policy DN only as long as it is */
		rec->sr_policy_len = s->sn_policy_len;
		memcpy( rec->sr_policy, s->sn_key + s->sn_len + 1,
			s->sn_policy_len );
		hit = 1;
	}
	*gen = st->st_gen;
	pthread_mutex_unlock( &st->st_mutex );
	return hit;
}

void
warden_subjcache_put( warden_subjcache *c, const char *ndn, size_t len,
	const warden_subj_rec *rec, uint64_t gen )
{
	uint64_t h = sc_hash( ndn, len );
	sc_stripe *st = sc_stripe_of( c, h );
	size_t plen = rec->sr_policy_len;
	sc_node *s, *old;
	warden_lru_node *gone = NULL;

	/* a policy DN too long is read again at each bind (subject.c) */
	if ( plen >= WARDEN_SC_POLICY_MAX || len > UINT32_MAX ) return;
	/* allocated before the lock: only the linking is under it */
	if ( !( s = malloc( warden_subjcache_node_size( len, plen ) ) ) )
		return;
	s->sn_lru.ln_hash = h;
	s->sn_flags = rec->sr_flags;
	memcpy( s->sn_uuid, rec->sr_uuid, sizeof( s->sn_uuid ) );
	s->sn_entry_locked = rec->sr_entry_locked;
	s->sn_last_success = rec->sr_last_success;
	s->sn_last_active = rec->sr_last_active;
	s->sn_len = (uint32_t)len;
	s->sn_policy_len = (uint16_t)plen;
	memcpy( s->sn_key, ndn, len );
	s->sn_key[len] = '\0';
	memcpy( s->sn_key + len + 1, rec->sr_policy, plen );

	pthread_mutex_lock( &st->st_mutex );
	if ( st->st_gen != gen ) {	/* written meanwhile */
		gone = &s->sn_lru;
		goto done;
	}
	/* another bind of the same DN got there first: ours replaces it */
	if ( ( old = sc_find( st, h, ndn, len ) ) ) {
		warden_lrutab_remove( &st->st_tab, &old->sn_lru );
		free( old );
	}
	gone = warden_lrutab_insert( &st->st_tab, &s->sn_lru );

done:
	pthread_mutex_unlock( &st->st_mutex );
	free( gone );
}

void
warden_subjcache_mark_clean( warden_subjcache *c, const char *ndn, size_t len,
	uint64_t gen )
{
	uint64_t h = sc_hash( ndn, len );
	sc_stripe *st = sc_stripe_of( c, h );
	sc_node *s;

	pthread_mutex_lock( &st->st_mutex );
	if ( st->st_gen == gen && ( s = sc_find( st, h, ndn, len ) ) )
		s->sn_flags |= WARDEN_SC_CLEAN;
	pthread_mutex_unlock( &st->st_mutex );
}

void
warden_subjcache_mark_dirty( warden_subjcache *c, const char *ndn, size_t len )
{
	uint64_t h = sc_hash( ndn, len );
	sc_stripe *st = sc_stripe_of( c, h );
	sc_node *s;

	pthread_mutex_lock( &st->st_mutex );
	st->st_gen++;
	if ( ( s = sc_find( st, h, ndn, len ) ) )
		s->sn_flags &= ~WARDEN_SC_CLEAN;
	pthread_mutex_unlock( &st->st_mutex );
}

void
warden_subjcache_set_last_success( warden_subjcache *c, const char *ndn,
	size_t len, int64_t when )
{
	uint64_t h = sc_hash( ndn, len );
	sc_stripe *st = sc_stripe_of( c, h );
	sc_node *s;

	pthread_mutex_lock( &st->st_mutex );
	if ( ( s = sc_find( st, h, ndn, len ) ) ) {
		s->sn_last_success = when;
		if ( when > s->sn_last_active ) s->sn_last_active = when;
	}
	pthread_mutex_unlock( &st->st_mutex );
}

void
warden_subjcache_invalidate( warden_subjcache *c, const char *ndn, size_t len )
{
	uint64_t h = sc_hash( ndn, len );
	sc_stripe *st = sc_stripe_of( c, h );
	sc_node *s;

	pthread_mutex_lock( &st->st_mutex );
	st->st_gen++;
	if ( ( s = sc_find( st, h, ndn, len ) ) ) {
		warden_lrutab_remove( &st->st_tab, &s->sn_lru );
		free( s );
	}
	pthread_mutex_unlock( &st->st_mutex );
}

void
warden_subjcache_flush( warden_subjcache *c )
{
	unsigned i;

	for ( i = 0; i < WARDEN_LRU_STRIPES; i++ ) {
		pthread_mutex_lock( &c->sc_stripes[i].st_mutex );
		c->sc_stripes[i].st_gen++;
		warden_lru_stripe_clear( &c->sc_stripes[i] );
		pthread_mutex_unlock( &c->sc_stripes[i].st_mutex );
	}
}

void
warden_subjcache_set_max( warden_subjcache *c, size_t max )
{
	if ( max < WARDEN_SUBJCACHE_MIN ) max = WARDEN_SUBJCACHE_MIN;
	warden_lru_stripes_set_max( c->sc_stripes, max );
}

size_t
warden_subjcache_count( warden_subjcache *c )
{
	return warden_lru_stripes_count( c->sc_stripes );
}
