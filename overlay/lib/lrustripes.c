/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* lrustripes.c - 64 tables (lrutab.h), each behind its own mutex */

#include <stdlib.h>

#include "lrustripes.h"

/* a stripe's share of a cap, never below one */
static size_t
lss_share( size_t max )
{
	size_t per = ( max + WARDEN_LRU_STRIPES - 1 ) / WARDEN_LRU_STRIPES;

	return per ? per : 1;
}

int
warden_lru_stripes_init( warden_lru_stripe *s, size_t initial, size_t max )
{
	unsigned i;

	for ( i = 0; i < WARDEN_LRU_STRIPES; i++ ) {
		s[i].st_gen = 0;
		if ( warden_lrutab_init( &s[i].st_tab, lss_share( initial ),
				lss_share( max ) ) ) {
			while ( i-- > 0 ) {
				warden_lrutab_destroy( &s[i].st_tab );
				pthread_mutex_destroy( &s[i].st_mutex );
			}
			return -1;
		}
		pthread_mutex_init( &s[i].st_mutex, NULL );
	}
	return 0;
}

void
warden_lru_stripe_clear( warden_lru_stripe *st )
{
	warden_lru_node *n;

	while ( ( n = warden_lrutab_pop( &st->st_tab ) ) ) free( n );
}

void
warden_lru_stripes_destroy( warden_lru_stripe *s )
{
	unsigned i;

	for ( i = 0; i < WARDEN_LRU_STRIPES; i++ ) {
		warden_lru_stripe_clear( &s[i] );
		warden_lrutab_destroy( &s[i].st_tab );
		pthread_mutex_destroy( &s[i].st_mutex );
	}
}

void
warden_lru_stripes_set_max( warden_lru_stripe *s, size_t max )
{
	unsigned i;

	for ( i = 0; i < WARDEN_LRU_STRIPES; i++ ) {
		warden_lru_node *n;

		pthread_mutex_lock( &s[i].st_mutex );
		warden_lrutab_set_max( &s[i].st_tab, lss_share( max ) );
		while ( ( n = warden_lrutab_over( &s[i].st_tab ) ) ) free( n );
		pthread_mutex_unlock( &s[i].st_mutex );
	}
}

size_t
warden_lru_stripes_count( warden_lru_stripe *s )
{
	size_t n = 0;
	unsigned i;

	for ( i = 0; i < WARDEN_LRU_STRIPES; i++ ) {
		pthread_mutex_lock( &s[i].st_mutex );
		n += s[i].st_tab.lt_count;
		pthread_mutex_unlock( &s[i].st_mutex );
	}
	return n;
}
