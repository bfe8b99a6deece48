/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* lockstate.h - per-user lockout state in warden's state store
 *
 * A user's record is keyed by the 16 bytes of the entry's entryUUID, so a
 * rename keeps the state and a delete can purge it.  Every change is one
 * LMDB write transaction that reads, updates and writes the record: a
 * failure counted by a committed transaction is never lost when slapd dies
 * (the store commits without fsync, see warden_store_sync(): a crash of the
 * whole system can lose the last second), a lock is never half written, and
 * concurrent failures are counted exactly (LMDB serializes writers).
 *
 * Times are microseconds since the Unix epoch (warden_time).  Functions
 * return 0 on success, WARDEN_LOCK_NOTFOUND where documented, or -1 after
 * writing a one-line reason (never a secret) into msg.
 */
#ifndef WARDEN_LOCKSTATE_H
#define WARDEN_LOCKSTATE_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

typedef int64_t warden_time;

#define WARDEN_FOREVER		INT64_MAX	/**< locked until an administrator unlocks */
#define WARDEN_UUID_LEN		16
/** Failure times kept per user.  A pwdMaxFailure above it locks at it. */
#define WARDEN_FAIL_MAX		64
#define WARDEN_LOCK_NOTFOUND	1

/** Whether span has passed from "from" to now.  A time after now (the
 * clock was set back) has not aged at all; the difference is taken
 * unsigned, since a record's times are whatever it holds. */
int warden_time_elapsed( warden_time from, warden_time now, warden_time span );

/** The lockout rules that apply to one user (from its password policy). */
typedef struct warden_lock_policy {
	int		lp_lockout;	/**< pwdLockout: lock at all */
	unsigned	lp_max_failure;	/**< pwdMaxFailure: failures that lock; 0 = never */
	warden_time	lp_interval;	/**< pwdFailureCountInterval: a failure stops
					 * counting when it is this old (now - t >= lp_interval);
					 * 0 = they count until a success */
	warden_time	lp_duration;	/**< pwdLockoutDuration; 0 = until unlocked */
	unsigned	lp_backoff;	/**< each earlier lock multiplies the duration by
					 * this (wardenLockoutBackoff); 0 or 1 = no back-off */
	warden_time	lp_max_duration; /**< cap on the duration, backed off or not;
					 * 0 = none (a lock until unlocked is not capped) */
	warden_time	lp_backoff_reset; /**< earlier locks are forgotten once this long
					 * has passed since the last one (now - last_lock >=
					 * lp_backoff_reset); 0 = never */
	warden_time	lp_max_idle;	/**< pwdMaxIdle: an account without a successful
					 * bind for this long is refused as locked; 0 = never */
} warden_lock_policy;

/** One user's state. */
typedef struct warden_lock_state {
	unsigned	ls_nfail;		/**< failures that count, <= WARDEN_FAIL_MAX */
	warden_time	ls_fail[WARDEN_FAIL_MAX]; /**< their times, oldest first */
	warden_time	ls_locked_at;		/**< when the current lock began; 0 = none */
	warden_time	ls_locked_until;	/**< end of the lock, or WARDEN_FOREVER */
	unsigned	ls_nlocks;		/**< locks so far, for back-off */
	warden_time	ls_last_lock;		/**< when the last lock began; 0 = never */
	warden_time	ls_last_success;	/**< last success that cleared failures; 0 = none */
} warden_lock_state;

/** Whether a state is locked at a time: locked_at set and now < locked_until.
 * Pure; no store access. */
int warden_lock_is_locked( const warden_lock_state *st, warden_time now );

/** The duration of the next lock for a user with nlocks earlier locks (the
 * last one at last_lock) at time now: lp_duration times lp_backoff^n, where
 * n is nlocks, or 0 when lp_backoff_reset has passed since last_lock;
 * capped at lp_max_duration; WARDEN_FOREVER when lp_duration is 0; no
 * overflow.  Pure. */
warden_time warden_lock_duration( const warden_lock_policy *lp, unsigned nlocks,
	warden_time last_lock, warden_time now );

/** The failures of a state that count at now toward lp_max_failure (as
 * the next warden_lock_fail() would see them): none after a lock that
 * has ended, only those younger than lp_interval.  Pure; st is not
 * locked at now. */
unsigned warden_lock_counting( const warden_lock_state *st,
	const warden_lock_policy *lp, warden_time now );

/* A record that is not of this format ("corrupt lockout record") is
 * refused by every function below that reads it, and left as it is;
 * warden_lock_purge(), which does not read it, removes it. */

/** Reads a user's state.
 * @param[in] store	an open store
 * @param[in] uuid	the entry's entryUUID, 16 bytes
 * @param[out] st	the state; zeroed when there is none
 * @return 0, WARDEN_LOCK_NOTFOUND, or -1 (LMDB error, or a record that is
 *	not of this format: "corrupt lockout record")
 */
int warden_lock_get( warden_store *store, const unsigned char *uuid,
	warden_lock_state *st, char *msg, size_t len );

/** Records one failed authentication at now, in one write transaction:
 * an expired lock ends (its failures are forgotten), failures older than
 * lp_interval are dropped, this one is added, and when the count reaches
 * lp_max_failure (with lp_lockout set) the account is locked from now for
 * warden_lock_duration(), ls_nlocks is incremented and ls_last_lock set.
 * A failure while locked is not counted and does not extend the lock.
 * @param[in] now	> 0 (0 means "none" in the record); otherwise -1,
 *	"invalid time"
 * @param[out] st	the state after the change (may be NULL); zeroed on -1
 * @param[out] locked_now	1 when this failure locked the account (may be NULL)
 * @return 0 or -1
 */
int warden_lock_fail( warden_store *store, const unsigned char *uuid,
	const warden_lock_policy *lp, warden_time now,
	warden_lock_state *st, int *locked_now, char *msg, size_t len );

/** Records a successful authentication at now.  Writes nothing when the
 * user has no record or a record without failures and without lock;
 * otherwise clears the failures (and an expired lock) and sets
 * ls_last_success.  A success while locked changes nothing.
 * @param[in] now	> 0, as for warden_lock_fail()
 * @param[out] wrote	1 when a transaction was committed (may be NULL)
 * @return 0 or -1
 */
int warden_lock_success( warden_store *store, const unsigned char *uuid,
	warden_time now, int *wrote, char *msg, size_t len );

/** Administrator unlock: clears failures and the lock; keeps ls_nlocks
 * and ls_last_lock (back-off history) and ls_last_success.
 * @return 0, WARDEN_LOCK_NOTFOUND (nothing to unlock), or -1
 */
int warden_lock_unlock( warden_store *store, const unsigned char *uuid,
	char *msg, size_t len );

/** Another provider's reset or lock at time at (peerstate.h): the
 * failures recorded at or before it are dropped (reset, or paid for by
 * that lock), and with unlock (a reset) a lock that began at or before
 * it ends.  Writes only when that changes the record.
 * @return 0, WARDEN_LOCK_NOTFOUND (no record), or -1
 */
int warden_lock_reset_before( warden_store *store, const unsigned char *uuid,
	warden_time at, int unlock, char *msg, size_t len );

/** Locks a user that is not locked at now, as a failure reaching
 * lp_max_failure would (duration, back-off, ls_nlocks, ls_last_lock):
 * the failures of several providers together reached it.
 * @param[out] st	the state after (may be NULL)
 * @param[out] locked_now	1 when this call locked (may be NULL)
 * @return 0 or -1
 */
int warden_lock_force( warden_store *store, const unsigned char *uuid,
	const warden_lock_policy *lp, warden_time now, warden_lock_state *st,
	int *locked_now, char *msg, size_t len );

/** Removes everything about a user (its entry was deleted).
 * @return 0, WARDEN_LOCK_NOTFOUND, or -1
 */
int warden_lock_purge( warden_store *store, const unsigned char *uuid,
	char *msg, size_t len );

#endif /* WARDEN_LOCKSTATE_H */
