/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* subjcache.h - what binds need to know about an entry, cached by DN
 *
 * Every simple bind would otherwise read the target entry twice: once for
 * warden (its entryUUID, lock time and policy) and once for the backend's
 * password check.  warden keeps what it needs per normalized DN in memory.
 * Every write through the database (its own operations and replication
 * alike) passes the overlay, which drops the DN it touches, or everything
 * for renames and deletes; a generation per stripe keeps a bind that read
 * the entry before such a write from caching what it read.  Safe from
 * many threads.
 *
 * Sized by use: it starts small and grows with the distinct DNs that bind
 * (lrutab.h: the buckets double under a stripe's mutex), up to a cap
 * (warden-cache-max-entries); past the cap the least recently used DN of
 * its stripe goes.  The cap is shared evenly by 64 stripes, so the cache
 * may hold up to 63 DNs more than it, and a stripe may evict a little
 * before the whole cache is full.  Memory per DN:
 * warden_subjcache_node_size() plus malloc's overhead plus one or two
 * buckets (WARDEN_LRUTAB_BUCKET each).
 */
#ifndef WARDEN_SUBJCACHE_H
#define WARDEN_SUBJCACHE_H

#include <stddef.h>
#include <stdint.h>

#define WARDEN_SC_FOUND		0x01	/* the entry exists */
#define WARDEN_SC_PASSWORD	0x02	/* ... with a userPassword */
#define WARDEN_SC_UUID		0x04	/* ... and an entryUUID */
#define WARDEN_SC_CLEAN		0x08	/* the store holds no failure or lock */
#define WARDEN_SC_RESET		0x10	/* pwdReset: TRUE */
#define WARDEN_SC_WEAKHASH	0x20	/* a userPassword value to rehash */
#define WARDEN_SC_TOKEN		0x40	/* names a one-time code token */
#define WARDEN_SC_POLICY_MAX	256	/* longer policy DNs are not cached */

typedef struct warden_subj_rec {
	unsigned	sr_flags;
	unsigned char	sr_uuid[16];
	int64_t		sr_entry_locked;	/* as warden_subject's */
	int64_t		sr_last_success;	/* pwdLastSuccess, seconds; 0 none */
	int64_t		sr_last_active;		/* the latest of that,
						 * pwdChangedTime, createTimestamp */
	size_t		sr_policy_len;		/* 0: none named in the entry */
	char		sr_policy[WARDEN_SC_POLICY_MAX];
} warden_subj_rec;

typedef struct warden_subjcache warden_subjcache;

/* The smallest cap: one DN per stripe. */
#define WARDEN_SUBJCACHE_MIN	64

/** @param[in] initial DNs it has room for at first, before growing
 * @param[in] max the cap (raised to WARDEN_SUBJCACHE_MIN)
 * @return NULL when out of memory */
warden_subjcache *warden_subjcache_new( size_t initial, size_t max );
void warden_subjcache_free( warden_subjcache *c );

/** Changes the cap (raised to WARDEN_SUBJCACHE_MIN); a lower one evicts
 * the least recently used DNs at once. */
void warden_subjcache_set_max( warden_subjcache *c, size_t max );

/** DNs held now (for tests and measurements). */
size_t warden_subjcache_count( warden_subjcache *c );

/** Bytes malloc is asked for per cached DN of these lengths (the node;
 * the buckets and malloc's own overhead come on top). */
size_t warden_subjcache_node_size( size_t ndn_len, size_t policy_len );

/** Looks up a DN.  On a miss, *gen receives what warden_subjcache_put()
 * needs to tell whether a write intervened.
 * @return 1 and *rec filled on a hit, 0 on a miss */
int warden_subjcache_get( warden_subjcache *c, const char *ndn, size_t len,
	warden_subj_rec *rec, uint64_t *gen );

/** Stores what a bind read, unless the DN was written since the
 * warden_subjcache_get() that returned gen. */
void warden_subjcache_put( warden_subjcache *c, const char *ndn, size_t len,
	const warden_subj_rec *rec, uint64_t gen );

/** Sets WARDEN_SC_CLEAN of a cached DN, unless the DN's stripe was written
 * (a failure recorded: warden_subjcache_invalidate()) since the
 * warden_subjcache_get() that returned gen; no effect on a miss. */
void warden_subjcache_mark_clean( warden_subjcache *c, const char *ndn,
	size_t len, uint64_t gen );

/** Clears WARDEN_SC_CLEAN of a DN (a failure was recorded) and makes
 * pending warden_subjcache_mark_clean() calls of its stripe fail, keeping
 * the rest of what is cached. */
void warden_subjcache_mark_dirty( warden_subjcache *c, const char *ndn,
	size_t len );

/** Sets the last successful bind of a cached DN (no effect on a miss):
 * recorded for the entry, to be written there shortly. */
void warden_subjcache_set_last_success( warden_subjcache *c, const char *ndn,
	size_t len, int64_t when );

/** Drops a DN (before and after a write to it). */
void warden_subjcache_invalidate( warden_subjcache *c, const char *ndn,
	size_t len );

/** Drops everything (renames and deletes, which may move or remove a
 * subtree). */
void warden_subjcache_flush( warden_subjcache *c );

#endif /* WARDEN_SUBJCACHE_H */
