/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* dedup.c - the same wrong password, repeated, counts once */

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "dedup.h"

#define DEDUP_KEY_LEN		32
#define DEDUP_DIGEST_LEN	16
#define DEDUP_UUID_LEN		16
#define DEDUP_STRIPES		16
#define DEDUP_WAYS		8	/* slots a user may occupy in a stripe */

typedef struct dedup_user {
	unsigned char	du_uuid[DEDUP_UUID_LEN];
	int		du_used;
	uint64_t	du_stamp;	/* for least-recently-used eviction */
	unsigned char	du_digest[WARDEN_DEDUP_PER_USER][DEDUP_DIGEST_LEN];
	int64_t		du_time[WARDEN_DEDUP_PER_USER];	/* 0: empty */
} dedup_user;

struct warden_dedup {
	unsigned char	wd_key[DEDUP_KEY_LEN];
	EVP_MAC		*wd_mac;
	EVP_MAC_CTX	*wd_keyed;	/* keyed once; each use works on a copy */
	unsigned	wd_per_stripe;
	dedup_user	*wd_users;
	uint64_t	wd_clock[DEDUP_STRIPES];
	pthread_mutex_t	wd_mutex[DEDUP_STRIPES];
};

static int
dedup_key( warden_dedup *d )
{
	OSSL_PARAM params[2];

	params[0] = OSSL_PARAM_construct_utf8_string( OSSL_MAC_PARAM_DIGEST,
		(char *)"SHA256", 0 );
	params[1] = OSSL_PARAM_construct_end();
	return EVP_MAC_init( d->wd_keyed, d->wd_key, sizeof( d->wd_key ), params );
}

warden_dedup *
warden_dedup_new( unsigned slots )
{
	warden_dedup *d;
	unsigned i;

	if ( slots < 16 ) slots = 16;
	d = calloc( 1, sizeof( *d ) );
	if ( !d ) return NULL;
	/* every mutex first: warden_dedup_free() destroys them all */
	for ( i = 0; i < DEDUP_STRIPES; i++ )
		pthread_mutex_init( &d->wd_mutex[i], NULL );
	d->wd_per_stripe = ( slots + DEDUP_STRIPES - 1 ) / DEDUP_STRIPES;
	if ( d->wd_per_stripe < DEDUP_WAYS ) d->wd_per_stripe = DEDUP_WAYS;
	d->wd_users = calloc( (size_t)d->wd_per_stripe * DEDUP_STRIPES,
		sizeof( dedup_user ) );
	d->wd_mac = EVP_MAC_fetch( NULL, "HMAC", NULL );
	if ( d->wd_mac ) d->wd_keyed = EVP_MAC_CTX_new( d->wd_mac );
	if ( !d->wd_users || !d->wd_keyed ||
		RAND_bytes( d->wd_key, sizeof( d->wd_key ) ) != 1 ||
		!dedup_key( d ) ) {
		warden_dedup_free( d );
		return NULL;
	}
	return d;
}

void
warden_dedup_free( warden_dedup *d )
{
	unsigned i;

	if ( !d ) return;
	for ( i = 0; i < DEDUP_STRIPES; i++ )
		pthread_mutex_destroy( &d->wd_mutex[i] );
	if ( d->wd_users )
		OPENSSL_cleanse( d->wd_users, (size_t)d->wd_per_stripe *
			DEDUP_STRIPES * sizeof( dedup_user ) );
	free( d->wd_users );
	EVP_MAC_CTX_free( d->wd_keyed );
	EVP_MAC_free( d->wd_mac );
	OPENSSL_cleanse( d, sizeof( *d ) );
	free( d );
}

/* Mixes all 16 bytes: time-based (v1) entryUUIDs differ in few bytes. */
static uint32_t
dedup_hash( const unsigned char *uuid )
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	int i;

	for ( i = 0; i < DEDUP_UUID_LEN; i++ ) {
		h ^= uuid[i];
		h *= 16777619u;
	}
	return h;
}

static unsigned
dedup_stripe( const unsigned char *uuid )
{
	return dedup_hash( uuid ) % DEDUP_STRIPES;
}

/* The user's slot in a stripe, or NULL; with make, the least recently
 * used slot is taken over.  Called with the stripe's mutex held. */
static dedup_user *
dedup_find( warden_dedup *d, unsigned stripe, const unsigned char *uuid,
	int make )
{
	dedup_user *u = d->wd_users + (size_t)stripe * d->wd_per_stripe;
	dedup_user *victim = NULL, *s;
	unsigned i, home;

	home = ( dedup_hash( uuid ) / DEDUP_STRIPES ) % d->wd_per_stripe;
	for ( i = 0; i < DEDUP_WAYS; i++ ) {
		s = &u[( home + i ) % d->wd_per_stripe];
		if ( s->du_used && !memcmp( s->du_uuid, uuid, DEDUP_UUID_LEN ) ) {
			s->du_stamp = ++d->wd_clock[stripe];
			return s;
		}
		if ( !victim || !s->du_used ||
			( victim->du_used && s->du_stamp < victim->du_stamp ) )
			victim = s;
	}
	if ( !make ) return NULL;
	OPENSSL_cleanse( victim, sizeof( *victim ) );
	memcpy( victim->du_uuid, uuid, DEDUP_UUID_LEN );
	victim->du_used = 1;
	victim->du_stamp = ++d->wd_clock[stripe];
	return victim;
}

int
warden_dedup_seen( warden_dedup *d, const unsigned char *uuid,
	const void *cred, size_t credlen, int64_t now, int64_t window )
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	size_t maclen = 0;
	unsigned stripe = dedup_stripe( uuid ), i, oldest = 0;
	dedup_user *u;
	EVP_MAC_CTX *ctx;
	int seen = 0;

	/* HMAC over uuid || credential: the same password of two users gives
	 * two digests, and nothing here can be reversed without the key.
	 * Copying the keyed context saves the key schedule per call. */
	ctx = EVP_MAC_CTX_dup( d->wd_keyed );
	if ( !ctx || !EVP_MAC_update( ctx, uuid, DEDUP_UUID_LEN ) ||
		!EVP_MAC_update( ctx, cred, credlen ) ||
		!EVP_MAC_final( ctx, mac, &maclen, sizeof( mac ) ) ||
		maclen < DEDUP_DIGEST_LEN ) {
		EVP_MAC_CTX_free( ctx );
		return 0;	/* cannot tell: count it */
	}
	EVP_MAC_CTX_free( ctx );

	pthread_mutex_lock( &d->wd_mutex[stripe] );
	u = dedup_find( d, stripe, uuid, 1 );
	for ( i = 0; i < WARDEN_DEDUP_PER_USER; i++ ) {
		if ( u->du_time[i] && now - u->du_time[i] < window &&
			!CRYPTO_memcmp( u->du_digest[i], mac, DEDUP_DIGEST_LEN ) ) {
			seen = 1;
			break;
		}
		if ( u->du_time[i] < u->du_time[oldest] ) oldest = i;
	}
	if ( !seen ) {
		memcpy( u->du_digest[oldest], mac, DEDUP_DIGEST_LEN );
		u->du_time[oldest] = now ? now : 1;
	}
	pthread_mutex_unlock( &d->wd_mutex[stripe] );
	OPENSSL_cleanse( mac, sizeof( mac ) );
	return seen;
}

void
warden_dedup_forget( warden_dedup *d, const unsigned char *uuid )
{
	unsigned stripe = dedup_stripe( uuid );
	dedup_user *u;

	pthread_mutex_lock( &d->wd_mutex[stripe] );
	u = dedup_find( d, stripe, uuid, 0 );
	if ( u ) OPENSSL_cleanse( u, sizeof( *u ) );
	pthread_mutex_unlock( &d->wd_mutex[stripe] );
}
