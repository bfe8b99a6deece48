/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/** @file lockrule.h
 * @brief Lockout's decisions at bind, without slapd
 *
 * The lockout engine (overlay/lockout) reads the account's state from the
 * store and its entry, then asks these; they only decide.  Pure: no
 * locks, no memory, no clock (now is given), so that the unit tests can
 * state every case.
 */
#ifndef WARDEN_LOCKRULE_H
#define WARDEN_LOCKRULE_H

#include <time.h>

#include "lockstate.h"

/** warden_lockrule_locked()'s answers */
#define WARDEN_LOCKRULE_OPEN	0	/**< not locked */
#define WARDEN_LOCKRULE_STORE	1	/**< locked by the store's state */
#define WARDEN_LOCKRULE_ENTRY	2	/**< locked by pwdAccountLockedTime */
#define WARDEN_LOCKRULE_PEER	3	/**< locked by another provider */

/** Whether an account is locked at now.
 *
 * The store's lock decides first, then another provider's lock (several
 * providers, peers.h).  Then pwdAccountLockedTime in the entry:
 * "000001010000Z" (entry_locked -1) locks until an administrator unlocks,
 * whatever the policy; a time locks under a policy with pwdLockout, for
 * pwdLockoutDuration from that time (0: until unlocked) -- but only when
 * the store knows of no lock as recent (a replica sees the provider's lock
 * only in the entry; an administrator may set it by hand; a lock the store
 * has lifted since is not brought back by its entry's stamp).
 * @param[in] st	the store's state (all zero when it holds none)
 * @param[in] found	whether the store holds a record
 * @param[in] entry_locked	pwdAccountLockedTime: 0 none, -1 permanent,
 *	else seconds since the epoch
 * @param[in] peer_locked	when another provider's lock that holds now
 *	began (microseconds), or 0
 * @param[in] lp	the lockout policy, or NULL when no policy applies
 * @param[in] now	microseconds since the epoch
 * @return WARDEN_LOCKRULE_OPEN, _STORE, _PEER or _ENTRY */
int warden_lockrule_locked( const warden_lock_state *st, int found,
	time_t entry_locked, warden_time peer_locked,
	const warden_lock_policy *lp, warden_time now );

/** Whether pwdAccountLockedTime alone locks the account at now:
 * "000001010000Z" (-1) whatever the policy; a time, under a policy with
 * pwdLockout, for pwdLockoutDuration from it (0: until unlocked).
 * @param[in] lp	the lockout policy, or NULL when no policy applies
 * @return 1 or 0 */
int warden_lockrule_entry_locks( time_t entry_locked,
	const warden_lock_policy *lp, warden_time now );

/** Whether an account is dormant at now (pwdMaxIdle): no successful bind
 * for lp_max_idle.  Its activity is the latest of its last successful bind
 * (pwdLastSuccess), its last password change (pwdChangedTime: an
 * administrator's reset brings it back) and its creation (createTimestamp:
 * a new account counts from there); an account with none of them is not
 * dormant.
 * @param[in] last_active	that latest time, seconds since the epoch; 0 none
 * @param[in] lp	the lockout policy, or NULL when no policy applies
 * @param[in] now	microseconds since the epoch
 * @return 1 dormant, 0 not */
int warden_lockrule_dormant( time_t last_active, const warden_lock_policy *lp,
	warden_time now );

/** Whether one more attempt may have its credential verified: the
 * failures that count at now (warden_lock_counting(), plus others: those
 * other providers counted since the latest reset) and the attempts under
 * way (pending) stay below pwdMaxFailure (at most WARDEN_FAIL_MAX).
 * A policy lowered below the count admits one attempt at a time: the next
 * failure locks.  Without pwdLockout or pwdMaxFailure every attempt is
 * admitted.
 * @return 1 admitted, 0 refused */
int warden_lockrule_admits( const warden_lock_state *st,
	const warden_lock_policy *lp, unsigned others, unsigned pending,
	warden_time now );

#endif /* WARDEN_LOCKRULE_H */
