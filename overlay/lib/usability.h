/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/** @file usability.h
 * @brief What the Account Usability control says of an account, without
 * slapd
 *
 * Sun's account usability control (1.3.6.1.4.1.42.2.27.9.5.8), as slapd
 * 2.5's ppolicy.la answers it: an account is either available (with the
 * seconds before it expires, or -1) or not available, with why: inactive
 * (locked, with the seconds before it unlocks when that is known), reset
 * (must change the password), expired (the password, or the account as
 * dormant under pwdMaxIdle) and the grace logins left.  The core reads
 * the state with warden's own engines and asks this; it only decides.
 * Pure: no locks, no memory, no clock (now is given).  Times are seconds
 * since the epoch, lengths seconds.
 */
#ifndef WARDEN_USABILITY_H
#define WARDEN_USABILITY_H

#include "expiry.h"

/** What warden knows of an account at now. */
typedef struct warden_usability_in {
	/** the account is locked (store, other providers, the entry's
	 * pwdAccountLockedTime, or a missing policy: binds are refused) */
	int		ui_locked;
	/** when that lock ends, rounded up to the second; -1: until an
	 * administrator unlocks it, or not known */
	long long	ui_unlock_at;
	/** pwdReset TRUE under a policy with pwdMustChange: the next bind
	 * may only change the password */
	int		ui_reset;
	/** dormant under pwdMaxIdle (warden_lockrule_dormant()) */
	int		ui_dormant;
	/** when the account turns dormant (its latest activity plus
	 * pwdMaxIdle); -1: it never does */
	long long	ui_idle_end;
	/** the policy's expiry settings (all zero: passwords never expire) */
	warden_expiry_policy ui_expiry;
	/** pwdChangedTime, or -1 when the entry has none */
	long long	ui_changed;
	/** values of pwdGraceUseTime */
	long long	ui_grace_used;
	long long	ui_now;
} warden_usability_in;

/** The control's value, as ldap_parse_accountusability_control() gives
 * it back. */
typedef struct warden_usability {
	int		u_available;
	/** available: seconds before the password expires or the account
	 * turns dormant, whichever is first; -1: never */
	long long	u_expire;
	/** not available: why */
	int		u_inactive;
	int		u_reset;
	int		u_expired;
	/** grace logins left after expiry; -1: the policy has none */
	long long	u_grace;
	/** seconds before the lock ends; -1: not locked, or no known end */
	long long	u_unlock;
} warden_usability;

/** Decides the control's value.
 *
 * The password expires as warden's bind decides it
 * (warden_expiry_decide()): older than pwdMaxAge; past that, grace
 * logins are what pwdGraceAuthNLimit leaves after the pwdGraceUseTime
 * values, none once pwdGraceExpiry has passed.  A dormant account is
 * reported expired, as ppolicy.la reports pwdMaxIdle.  A lock sets
 * inactive, with the seconds before its end when it has one.  Unlike
 * ppolicy.la, which says reset only beside a lock or an expiry, a reset
 * alone makes the account not available: warden lets its bind do
 * nothing but change the password.
 * @param[in] in	the state
 * @param[out] out	the answer */
void warden_usability_decide( const warden_usability_in *in,
	warden_usability *out );

#endif /* WARDEN_USABILITY_H */
