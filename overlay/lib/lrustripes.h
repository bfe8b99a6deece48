/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* lrustripes.h - 64 tables (lrutab.h), each behind its own mutex
 *
 * What the bind caches (subjcache.h, accesscache.h) share: a key's hash
 * picks a stripe; the stripe's mutex guards its table and a generation
 * the cache may use; the cap is shared evenly by the stripes, so a cache
 * may hold up to 63 entries more than it, and a stripe may evict a little
 * before the whole cache is full.  A stripe's table doubles under its own
 * mutex, stalling only that stripe's users.  The nodes are malloc'd by
 * the cache; the functions here that drop nodes free() them.
 */
#ifndef WARDEN_LRUSTRIPES_H
#define WARDEN_LRUSTRIPES_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "lrutab.h"

#define WARDEN_LRU_STRIPES	64

typedef struct warden_lru_stripe {
	pthread_mutex_t	st_mutex;
	uint64_t	st_gen;		/* the cache's, under st_mutex */
	warden_lrutab	st_tab;
} warden_lru_stripe;

/** Sets up WARDEN_LRU_STRIPES stripes with room for initial nodes in all
 * and a cap of max (each at least one per stripe).
 * @return 0, -1 when out of memory (nothing is left to free) */
int warden_lru_stripes_init( warden_lru_stripe *s, size_t initial,
	size_t max );

/** Frees every node held, the tables and the mutexes. */
void warden_lru_stripes_destroy( warden_lru_stripe *s );

/** The stripe of a hash. */
static inline warden_lru_stripe *
warden_lru_stripe_of( warden_lru_stripe *s, uint64_t hash )
{
	return &s[hash % WARDEN_LRU_STRIPES];
}

/** Frees every node of one stripe; its mutex held by the caller. */
void warden_lru_stripe_clear( warden_lru_stripe *st );

/** Changes the cap; a lower one frees the least recently used at once. */
void warden_lru_stripes_set_max( warden_lru_stripe *s, size_t max );

/** Nodes held in all stripes. */
size_t warden_lru_stripes_count( warden_lru_stripe *s );

#endif /* WARDEN_LRUSTRIPES_H */
