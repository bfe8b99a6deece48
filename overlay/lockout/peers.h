/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* peers.h - lockout across several providers (multi-provider replication)
 *
 * Each provider S publishes its lockout facts about a user (its recent
 * failure times, its last reset, its current lock) in an entry that only
 * S writes:
 *
 *	wardenUUID=<entryUUID in hex>,cn=warden-state-<serverID>,<suffix>
 *
 * syncrepl copies it to the other servers, which mirror it into their
 * store (peerstate.h) as it arrives, so a bind reads the mirror and never
 * searches.  A user's count is every server's failures after the latest
 * reset or lock of any server; each server locks on that count, and a
 * lock or reset of one server holds on all.  No two servers ever write
 * the same entry, so syncrepl never has to choose between two changes of
 * one entry ("dn_callback : new entry is older than ours"): in this mode
 * warden writes neither failures nor locks into the user's entry, and
 * presents a lock as pwdAccountLockedTime when it is read.
 *
 * This header is the lockout folder's own; what the core calls is in
 * lockout.h.
 *
 * Publishing is for multi-provider databases (SLAP_MULTIPROVIDER with a
 * serverID); reading the mirror is for every database that replicates
 * (consumers honour the providers' locks too).  Elsewhere every function
 * does nothing.
 */
#ifndef WARDEN_PEERS_H
#define WARDEN_PEERS_H

#include "warden.h"
#include "lockout.h"
#include "peerstate.h"

/** After a failure it counted, a server verifies no other password of
 * that user until it has published it and this long has passed
 * (microseconds): simultaneous guesses on K servers then count at most
 * pwdMaxFailure + K - 1 as long as replication takes less than this. */
#define WARDEN_PEERS_SETTLE	((warden_time)250000)

/** An instance's publications: the stripes that keep one publication of
 * a user at a time, the failures just published, and the state entries'
 * schema.  Per instance: two databases with warden share none of it. */
typedef struct warden_peers warden_peers;

/** Makes (from warden_lockout_new(), at db_init) and frees an instance's
 * publications; free takes NULL.  Allocated with ch_* (never NULL). */
warden_peers *warden_peers_new( void );
void warden_peers_free( warden_peers *pe );

/** The instance's publications, held by its lockout engine (lockout.c);
 * NULL when it has none. */
warden_peers *warden_lockout_peers( slap_overinst *on );

/** Whether a failure of the user is being published here, or was less
 * than WARDEN_PEERS_SETTLE ago. */
int warden_peers_settling( slap_overinst *on, const unsigned char *uuid,
	warden_time now );

/** Whether this database publishes its facts (multi-provider). */
int warden_peers_multi( Operation *op );
/** Whether this database reads other servers' facts (it replicates). */
int warden_peers_shadow( Operation *op );

/** The other servers' facts about a user, given its own state st.
 * Zeroed (and 0 returned) when the database does not replicate.
 * @return 0 or -1 (msg) */
int warden_peers_view( Operation *op, slap_overinst *on,
	const unsigned char *uuid, const warden_lock_state *st,
	const warden_lock_policy *lp, warden_time now, warden_peer_view *v,
	char *msg, size_t len );

/** warden_lock_fail() counting the other servers' failures as well: the
 * failure locks when all of them together reach lp_max_failure. */
int warden_peers_fail( Operation *op, slap_overinst *on,
	const unsigned char *uuid, const warden_lock_policy *lp,
	warden_time now, warden_lock_state *st, int *locked_now,
	char *msg, size_t len );

/** Locks a user whose failures on all servers together reached
 * pwdMaxFailure without any one server locking, and publishes it. */
void warden_peers_lock( Operation *op, slap_overinst *on,
	const unsigned char *uuid, const warden_lock_policy *lp,
	warden_time now );

/** Publishes this server's facts about a user as its store holds them;
 * reset > 0: with a reset at that time (a success or an unlock).  One
 * write when they changed, none otherwise; never called with a lock
 * held. */
void warden_peers_publish( Operation *op, slap_overinst *on,
	const unsigned char *uuid, warden_time reset );

/** An unlock (delete of pwdAccountLockedTime) of a user whose lock is
 * not in its entry is not refused with noSuchAttribute. */
void warden_peers_unlock_mods( Operation *op, Modifications *ml );

#endif /* WARDEN_PEERS_H */
