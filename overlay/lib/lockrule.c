/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* lockrule.c - lockout's decisions at bind (lockrule.h) */

#include "lockrule.h"
#include "clock.h"

int
warden_lockrule_entry_locks( time_t entry_locked, const warden_lock_policy *lp,
	warden_time now )
{
	if ( entry_locked == -1 ) return 1;
	if ( entry_locked == 0 ) return 0;
	if ( !lp || !lp->lp_lockout ) return 0;
	if ( lp->lp_duration == 0 ) return 1;
	return (warden_time)entry_locked * WARDEN_SEC + lp->lp_duration > now;
}

int
warden_lockrule_locked( const warden_lock_state *st, int found,
	time_t entry_locked, warden_time peer_locked,
	const warden_lock_policy *lp, warden_time now )
{
	if ( warden_lock_is_locked( st, now ) ) return WARDEN_LOCKRULE_STORE;
	if ( peer_locked ) return WARDEN_LOCKRULE_PEER;
	if ( entry_locked == -1 ) return WARDEN_LOCKRULE_ENTRY;
	if ( ( !found || st->ls_last_lock == 0 ||
		st->ls_last_lock < (warden_time)entry_locked * WARDEN_SEC ) &&
		warden_lockrule_entry_locks( entry_locked, lp, now ) )
		return WARDEN_LOCKRULE_ENTRY;
	return WARDEN_LOCKRULE_OPEN;
}

int
warden_lockrule_dormant( time_t last_active, const warden_lock_policy *lp,
	warden_time now )
{
	if ( !lp || lp->lp_max_idle <= 0 || last_active <= 0 ) return 0;
	return now - (warden_time)last_active * WARDEN_SEC > lp->lp_max_idle;
}

int
warden_lockrule_admits( const warden_lock_state *st,
	const warden_lock_policy *lp, unsigned others, unsigned pending,
	warden_time now )
{
	unsigned counting, max;

	if ( !lp->lp_lockout || !lp->lp_max_failure ) return 1;
	max = lp->lp_max_failure < WARDEN_FAIL_MAX ? lp->lp_max_failure :
		WARDEN_FAIL_MAX;
	counting = warden_lock_counting( st, lp, now ) + others;
	if ( counting >= max ) counting = max - 1;
	return counting + pending < max;
}
