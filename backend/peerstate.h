/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* peerstate.h - the lockout facts of every provider, mirrored per user
 *
 * With several providers (multi-provider replication), each server
 * publishes its own lockout facts about a user -- its recent failure
 * times, the time of its last reset (a success or an unlock there) and
 * its current lock -- in an entry of its own subtree, which syncrepl
 * copies to the others (overlay/lockout/peers.c).  Each server mirrors
 * the entries it receives here, one record per (user, serverID), so that
 * a bind reads them from this store and never searches the directory;
 * the record of the server's own serverID is what it last published.
 *
 * Key: the 16-byte entryUUID and the serverID, 2 bytes big-endian (the
 * records of one user are adjacent).  Times are warden_time microseconds.
 * Functions return 0, WARDEN_LOCK_NOTFOUND where documented, or -1 with a
 * one-line reason in msg.
 */
#ifndef WARDEN_PEERSTATE_H
#define WARDEN_PEERSTATE_H

#include "lockstate.h"

/** serverIDs are 0..4095 (slapd's serverID); records of one user read at
 * once are bounded by this. */
#define WARDEN_PEER_MAX		16

/** One server's facts about one user. */
typedef struct warden_peer_rec {
	unsigned	pr_sid;			/**< the server's serverID */
	warden_time	pr_reset;		/**< its last reset; 0 = none */
	warden_time	pr_locked_at;		/**< its last lock began; 0 = never */
	warden_time	pr_locked_until;	/**< end of that lock, or WARDEN_FOREVER;
						 * 0 once it ended or was unlocked */
	unsigned	pr_nfail;		/**< <= WARDEN_FAIL_MAX */
	warden_time	pr_fail[WARDEN_FAIL_MAX]; /**< its failure times, oldest first */
} warden_peer_rec;

/** What the other servers' facts say about a user at one time. */
typedef struct warden_peer_view {
	warden_time	pv_reset;	/**< the latest reset of any server */
	/** failures at or before this are reset or paid for by a lock: the
	 * latest reset or lock start of any server (this one's too) */
	warden_time	pv_base;
	unsigned	pv_count;	/**< other servers' failures that count */
	/** a lock of another server in force (begun after pv_reset, not
	 * ended): its start and end; 0 = none */
	warden_time	pv_locked_at;
	warden_time	pv_locked_until;
} warden_peer_view;

/** Computes the view of the records recs[0..n) at now for the server
 * own_sid, whose own lock history ends at own_last_lock (0 = none): the
 * failures of the other servers after pv_base and younger than
 * lp_interval (all after pv_base when 0) count.  Pure. */
void warden_peer_view_of( const warden_peer_rec *recs, unsigned n,
	unsigned own_sid, warden_time own_last_lock,
	const warden_lock_policy *lp, warden_time now, warden_peer_view *v );

/** Whether two records say the same.  Pure. */
int warden_peer_same( const warden_peer_rec *a, const warden_peer_rec *b );

/** Stores a server's record for a user (replacing the one it had). */
int warden_peer_put( warden_store *store, const unsigned char *uuid,
	const warden_peer_rec *rec, char *msg, size_t len );

/** Reads one server's record.  @return 0, WARDEN_LOCK_NOTFOUND (rec
 * zeroed but pr_sid), or -1 */
int warden_peer_get( warden_store *store, const unsigned char *uuid,
	unsigned sid, warden_peer_rec *rec, char *msg, size_t len );

/** Reads the records of every server for a user, at most max of them
 * (lowest serverIDs first).  @return 0 (*n may be 0) or -1 */
int warden_peer_list( warden_store *store, const unsigned char *uuid,
	warden_peer_rec *recs, unsigned max, unsigned *n, char *msg, size_t len );

/** Removes one server's record.  @return 0, WARDEN_LOCK_NOTFOUND or -1 */
int warden_peer_del( warden_store *store, const unsigned char *uuid,
	unsigned sid, char *msg, size_t len );

/** Removes the records of every server for a user (its entry was
 * deleted).  @return 0 or -1 */
int warden_peer_purge( warden_store *store, const unsigned char *uuid,
	char *msg, size_t len );

#endif /* WARDEN_PEERSTATE_H */
