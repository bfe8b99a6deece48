/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* subjcache.c - what binds need to know about an entry, cached by DN */

#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "subjcache.h"
#include "fnv.h"

#define SC_STRIPES	64
#define SC_WAYS		8	/* slots searched per DN within a stripe */

typedef struct sc_slot {
	char		*ss_ndn;	/* NULL: free */
	size_t		ss_len;
	uint64_t	ss_hash;
	uint64_t	ss_stamp;
	warden_subj_rec	ss_rec;
} sc_slot;

typedef struct sc_stripe {
	pthread_mutex_t	st_mutex;
	uint64_t	st_gen;
	uint64_t	st_clock;
	unsigned	st_nslots;
	sc_slot		*st_slots;
} sc_stripe;

struct warden_subjcache {
	sc_stripe	sc_stripes[SC_STRIPES];
};

static uint64_t
sc_hash( const char *s, size_t len )
{
	return warden_fnv1a( WARDEN_FNV_BASIS, s, len );
}

warden_subjcache *
warden_subjcache_new( unsigned slots )
{
	warden_subjcache *c = calloc( 1, sizeof( *c ) );
	unsigned i, per;

	if ( !c ) return NULL;
	if ( slots < 64 ) slots = 64;
	per = ( slots + SC_STRIPES - 1 ) / SC_STRIPES;
	if ( per < SC_WAYS ) per = SC_WAYS;
	/* every mutex first: warden_subjcache_free() destroys them all */
	for ( i = 0; i < SC_STRIPES; i++ )
		pthread_mutex_init( &c->sc_stripes[i].st_mutex, NULL );
	for ( i = 0; i < SC_STRIPES; i++ ) {
		c->sc_stripes[i].st_nslots = per;
		c->sc_stripes[i].st_slots = calloc( per, sizeof( sc_slot ) );
		if ( !c->sc_stripes[i].st_slots ) goto fail;
	}
	return c;

fail:
	warden_subjcache_free( c );
	return NULL;
}

static void
sc_clear( sc_stripe *st )
{
	unsigned i;

	for ( i = 0; i < st->st_nslots; i++ ) {
		free( st->st_slots[i].ss_ndn );
		st->st_slots[i].ss_ndn = NULL;
	}
}

void
warden_subjcache_free( warden_subjcache *c )
{
	unsigned i;

	if ( !c ) return;
	for ( i = 0; i < SC_STRIPES; i++ ) {
		if ( c->sc_stripes[i].st_slots ) sc_clear( &c->sc_stripes[i] );
		free( c->sc_stripes[i].st_slots );
		pthread_mutex_destroy( &c->sc_stripes[i].st_mutex );
	}
	free( c );
}

/* The slots a hash may occupy: SC_WAYS consecutive ones from its home. */
static sc_slot *
sc_find( sc_stripe *st, uint64_t h, const char *ndn, size_t len )
{
	unsigned i, home = (unsigned)( ( h >> 8 ) % st->st_nslots );

	for ( i = 0; i < SC_WAYS; i++ ) {
		sc_slot *s = &st->st_slots[( home + i ) % st->st_nslots];

		if ( s->ss_ndn && s->ss_hash == h && s->ss_len == len &&
			!memcmp( s->ss_ndn, ndn, len ) )
			return s;
	}
	return NULL;
}

static sc_stripe *
sc_stripe_of( warden_subjcache *c, uint64_t h )
{
	return &c->sc_stripes[h % SC_STRIPES];
}

int
warden_subjcache_get( warden_subjcache *c, const char *ndn, size_t len,
	warden_subj_rec *rec, uint64_t *gen )
{
	uint64_t h = sc_hash( ndn, len );
	sc_stripe *st = sc_stripe_of( c, h );
	sc_slot *s;
	int hit = 0;

	pthread_mutex_lock( &st->st_mutex );
	s = sc_find( st, h, ndn, len );
	if ( s ) {
		s->ss_stamp = ++st->st_clock;
		/* the policy DN only as long as it is */
		memcpy( rec, &s->ss_rec, offsetof( warden_subj_rec, sr_policy ) );
		if ( s->ss_rec.sr_policy_len &&
			s->ss_rec.sr_policy_len < WARDEN_SC_POLICY_MAX )
			memcpy( rec->sr_policy, s->ss_rec.sr_policy,
				s->ss_rec.sr_policy_len );
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
	unsigned i, home;
	sc_slot *s, *victim = NULL;
	char *copy;

	if ( !( copy = malloc( len + 1 ) ) ) return;
	memcpy( copy, ndn, len );
	copy[len] = '\0';

	pthread_mutex_lock( &st->st_mutex );
	if ( st->st_gen != gen ) goto done;	/* written meanwhile */
	if ( ( s = sc_find( st, h, ndn, len ) ) ) {
		s->ss_rec = *rec;
		s->ss_stamp = ++st->st_clock;
		goto done;
	}
	home = (unsigned)( ( h >> 8 ) % st->st_nslots );
	for ( i = 0; i < SC_WAYS; i++ ) {
		s = &st->st_slots[( home + i ) % st->st_nslots];
		if ( !s->ss_ndn ) {
			victim = s;
			break;
		}
		if ( !victim || s->ss_stamp < victim->ss_stamp ) victim = s;
	}
	free( victim->ss_ndn );
	victim->ss_ndn = copy;
	copy = NULL;
	victim->ss_len = len;
	victim->ss_hash = h;
	victim->ss_stamp = ++st->st_clock;
	victim->ss_rec = *rec;

done:
	pthread_mutex_unlock( &st->st_mutex );
	free( copy );
}

void
warden_subjcache_mark_clean( warden_subjcache *c, const char *ndn, size_t len,
	uint64_t gen )
{
	uint64_t h = sc_hash( ndn, len );
	sc_stripe *st = sc_stripe_of( c, h );
	sc_slot *s;

	pthread_mutex_lock( &st->st_mutex );
	if ( st->st_gen == gen && ( s = sc_find( st, h, ndn, len ) ) )
		s->ss_rec.sr_flags |= WARDEN_SC_CLEAN;
	pthread_mutex_unlock( &st->st_mutex );
}

void
warden_subjcache_mark_dirty( warden_subjcache *c, const char *ndn, size_t len )
{
	uint64_t h = sc_hash( ndn, len );
	sc_stripe *st = sc_stripe_of( c, h );
	sc_slot *s;

	pthread_mutex_lock( &st->st_mutex );
	st->st_gen++;
	if ( ( s = sc_find( st, h, ndn, len ) ) )
		s->ss_rec.sr_flags &= ~WARDEN_SC_CLEAN;
	pthread_mutex_unlock( &st->st_mutex );
}

void
warden_subjcache_invalidate( warden_subjcache *c, const char *ndn, size_t len )
{
	uint64_t h = sc_hash( ndn, len );
	sc_stripe *st = sc_stripe_of( c, h );
	sc_slot *s;

	pthread_mutex_lock( &st->st_mutex );
	st->st_gen++;
	if ( ( s = sc_find( st, h, ndn, len ) ) ) {
		free( s->ss_ndn );
		s->ss_ndn = NULL;
	}
	pthread_mutex_unlock( &st->st_mutex );
}

void
warden_subjcache_flush( warden_subjcache *c )
{
	unsigned i;

	for ( i = 0; i < SC_STRIPES; i++ ) {
		pthread_mutex_lock( &c->sc_stripes[i].st_mutex );
		c->sc_stripes[i].st_gen++;
		sc_clear( &c->sc_stripes[i] );
		pthread_mutex_unlock( &c->sc_stripes[i].st_mutex );
	}
}
