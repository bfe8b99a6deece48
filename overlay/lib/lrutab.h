/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* lrutab.h - a hash table that grows with what it holds, up to a cap,
 * and then lets the least recently used entry go
 *
 * The bind caches (the subject cache, subjcache.h, and the access
 * decisions of overlay/access) must hold every active user, whether there
 * are a thousand or a million, without being sized in advance: a fixed
 * table sized for a thousand makes nearly every bind miss at a hundred
 * thousand, one sized for a million wastes memory on a small directory.
 * This table starts small, doubles its buckets when it holds more entries
 * than buckets (so a chain stays about one node long), and past its cap
 * gives back the entry least recently used, exactly.
 *
 * The nodes are the caller's (intrusive): a caller embeds a
 * warden_lru_node as the first member of its own entry, computes the
 * hash and compares its own key; the table links, finds by hash, orders
 * by use, grows and picks what to evict.  It never allocates a node nor
 * frees one (eviction hands the node back), so it knows nothing of keys.
 * It takes no lock: each caller holds its own around every call (a stripe
 * of the caller's, so that a doubling stalls only that stripe's users).
 * A doubling that cannot allocate leaves the table as it was (longer
 * chains, still correct).
 */
#ifndef WARDEN_LRUTAB_H
#define WARDEN_LRUTAB_H

#include <stddef.h>
#include <stdint.h>

typedef struct warden_lru_node {
	struct warden_lru_node	*ln_chain;	/* next in its bucket */
	struct warden_lru_node	*ln_newer;	/* use order, a ring through */
	struct warden_lru_node	*ln_older;	/* ... the table's lt_ring */
	uint64_t		ln_hash;
} warden_lru_node;

typedef struct warden_lrutab {
	warden_lru_node	**lt_buckets;
	size_t		lt_nbuckets;	/* a power of two */
	size_t		lt_count;	/* nodes held */
	size_t		lt_max;		/* the cap: at most this many */
	warden_lru_node	lt_ring;	/* newest is lt_ring.ln_older */
} warden_lrutab;

/* The table's own memory per bucket; a table holding n nodes has from
 * n to 2n buckets (n/2 to n just after a cap was lowered). */
#define WARDEN_LRUTAB_BUCKET	sizeof( warden_lru_node * )

/** Sets up an empty table.
 * @param[in] buckets first size (rounded up to a power of two, >= 1)
 * @param[in] max the cap (>= 1)
 * @return 0, -1 when out of memory */
int warden_lrutab_init( warden_lrutab *t, size_t buckets, size_t max );

/** Frees the buckets; the nodes still held are the caller's: take them
 * out first with warden_lrutab_pop() (or free them all by another list). */
void warden_lrutab_destroy( warden_lrutab *t );

/** The first node held with this hash, or with next != NULL, the one
 * after next with the same hash; NULL when there is none.  The caller
 * compares its key and calls again on a mismatch. */
warden_lru_node *warden_lrutab_find( warden_lrutab *t, uint64_t hash,
	warden_lru_node *next );

/** Marks a node held as the most recently used. */
void warden_lrutab_touch( warden_lrutab *t, warden_lru_node *n );

/** Adds a node (its ln_hash set by the caller) as the most recently used,
 * doubling the buckets first when the table holds as many nodes as
 * buckets.
 * @return NULL, or when the table then holds more than its cap, the least
 * recently used node, taken out: the caller frees it. */
warden_lru_node *warden_lrutab_insert( warden_lrutab *t, warden_lru_node *n );

/** Takes a node held out of the table; the caller frees it. */
void warden_lrutab_remove( warden_lrutab *t, warden_lru_node *n );

/** Takes out and returns the least recently used node; NULL when empty. */
warden_lru_node *warden_lrutab_pop( warden_lrutab *t );

/** Changes the cap.  Nothing is evicted here: call warden_lrutab_over()
 * until it returns NULL and free what it returns. */
void warden_lrutab_set_max( warden_lrutab *t, size_t max );

/** The least recently used node, taken out, while the table holds more
 * than its cap; else NULL. */
warden_lru_node *warden_lrutab_over( warden_lrutab *t );

#endif /* WARDEN_LRUTAB_H */
