/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/** @file mfarule.h
 * @brief MFA's decisions at bind, without slapd: is a code required
 *
 * The one-time code engine (overlay/mfa) reads the user's token, policy
 * and groups and the grace period's start; these only decide.  Pure: no
 * locks, no memory, no clock (now is given).
 */
#ifndef WARDEN_MFARULE_H
#define WARDEN_MFARULE_H

#include <time.h>

/** The MFA settings of the password policy that applies to a user. */
typedef struct warden_mfa_rule {
	int	mr_policy;	/**< a policy applies (found) */
	int	mr_required;	/**< wardenMFARequired */
	int	mr_ngroups;	/**< how many wardenMFAGroup values */
	time_t	mr_grace;	/**< wardenMFAGracePeriod, seconds; 0 none */
} warden_mfa_rule;

/** Whether the policy may require MFA of anyone (wardenMFARequired or a
 * wardenMFAGroup): when not, nobody without a token is asked for a code,
 * and nothing about the user need be read. */
int warden_mfarule_policy_asks( const warden_mfa_rule *r );

/** Whether the user's groups decide (so that the caller walks them only
 * then): a policy with MFA groups and without wardenMFARequired. */
int warden_mfarule_needs_groups( const warden_mfa_rule *r );

/** Whether the policy requires MFA of the user: wardenMFARequired, or a
 * member of a wardenMFAGroup.  A group walk that stopped at a limit
 * (limit_hit) counts as a member: not known to be outside, so inside
 * (fail closed, as a requirement must).
 * @param[in] member	the walk found the user in one of the groups
 *	(ignored unless warden_mfarule_needs_groups())
 * @return 1 or 0 */
int warden_mfarule_required( const warden_mfa_rule *r, int member,
	int limit_hit );

/** Whether the enrolment grace period still runs at now for a required
 * user without a token, begun at begun (both seconds since the epoch).
 * @return 1 or 0 (no grace period: 0) */
int warden_mfarule_in_grace( const warden_mfa_rule *r, time_t begun,
	time_t now );

/** Whether a one-time code is asked of the user at bind: a token, or MFA
 * required of them and the grace period over.
 * @return 1 or 0 */
int warden_mfarule_code_asked( int has_token, int required, int in_grace );

#endif /* WARDEN_MFARULE_H */
