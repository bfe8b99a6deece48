/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* accesscache.h - the access engine's decisions, kept per user and the
 * systems that decided
 *
 * Deciding whether a user may bind from a system means finding whether
 * the user is in one of the system's groups: an indexed search per group
 * and nesting level (overlay/core/groups.c).  Nothing in that answer
 * changes until a group or a system entry is written, so it is kept: the
 * key is the caller's bytes (the user's normalized DN and the systems
 * that decided), compared whole, never trusted to a hash alone, so two
 * users can never share a decision.
 *
 * Any relevant write calls warden_accesscache_forget(), which bumps one
 * generation (an atomic increment: a change costs nothing however many
 * decisions are kept); a decision of an older generation is a miss and is
 * freed when met.  A decision found before such a write and stored after
 * it is never served: warden_accesscache_put() keeps the generation read
 * by the get that missed.
 *
 * Sized by use as the subject cache (subjcache.h, lrutab.h): 64 stripes,
 * each a mutex and a table that grows with the users that bind, up to its
 * share of the cap; past it the least recently used decision of the
 * stripe goes.  Memory per user: warden_accesscache_node_size() plus
 * malloc's overhead plus one or two buckets (WARDEN_LRUTAB_BUCKET each).
 */
#ifndef WARDEN_ACCESSCACHE_H
#define WARDEN_ACCESSCACHE_H

#include <stddef.h>
#include <stdint.h>

typedef struct warden_accesscache warden_accesscache;

/* The smallest cap: one decision per stripe. */
#define WARDEN_ACCESSCACHE_MIN	64

/** @param[in] initial decisions it has room for at first, before growing
 * @param[in] max the cap (raised to WARDEN_ACCESSCACHE_MIN)
 * @return NULL when out of memory */
warden_accesscache *warden_accesscache_new( size_t initial, size_t max );
void warden_accesscache_free( warden_accesscache *c );

/** Changes the cap (raised to WARDEN_ACCESSCACHE_MIN); a lower one evicts
 * the least recently used decisions at once. */
void warden_accesscache_set_max( warden_accesscache *c, size_t max );

/** Decisions held now, stale ones included (for tests and measurements). */
size_t warden_accesscache_count( warden_accesscache *c );

/** Bytes malloc is asked for per decision with a key of this length. */
size_t warden_accesscache_node_size( size_t keylen );

/** Looks up a decision.  *gen receives the generation to hand to
 * warden_accesscache_put() after a miss.
 * @return 1 (allowed) or 0 (refused) on a hit, -1 on a miss */
int warden_accesscache_get( warden_accesscache *c, const void *key,
	size_t len, uint64_t *gen );

/** Keeps a decision, unless warden_accesscache_forget() was called since
 * the warden_accesscache_get() that returned gen. */
void warden_accesscache_put( warden_accesscache *c, const void *key,
	size_t len, int allowed, uint64_t gen );

/** Makes every decision kept so far a miss (a group or system changed). */
void warden_accesscache_forget( warden_accesscache *c );

#endif /* WARDEN_ACCESSCACHE_H */
