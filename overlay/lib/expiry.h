/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* expiry.h - when a password expires (draft-behera's pwdMaxAge)
 *
 * Pure arithmetic over a policy's ages and an entry's times, shared by the
 * overlay and the unit tests; no slapd.  Times are seconds since the
 * epoch, lengths seconds.
 */
#ifndef WARDEN_EXPIRY_H
#define WARDEN_EXPIRY_H

/** A policy's expiry settings, as its entry holds them. */
typedef struct warden_expiry_policy {
	long long	ep_max_age;	/**< pwdMaxAge; 0: passwords never expire */
	long long	ep_warning;	/**< pwdExpireWarning; 0: no warning */
	long long	ep_grace_limit;	/**< pwdGraceAuthNLimit: binds after expiry */
	long long	ep_grace_expiry; /**< pwdGraceExpiry: how long after expiry
					 * they may be used; 0: no limit */
} warden_expiry_policy;

/** What a successful password check owes to expiry. */
typedef enum warden_expiry_state {
	WARDEN_EXPIRY_OK = 0,	/**< nothing to say */
	WARDEN_EXPIRY_WARN,	/**< expires in *value seconds: tell the client */
	WARDEN_EXPIRY_GRACE,	/**< expired; this bind is a grace login, after
				 * which *value remain: record its use */
	WARDEN_EXPIRY_EXPIRED	/**< expired, no grace left: refuse */
} warden_expiry_state;

/** Decides a bind whose password was right.
 * @param p		the policy
 * @param changed	pwdChangedTime, or -1 when the entry has none (its
 *			password then never expires, as with ppolicy.la)
 * @param grace_used	values of pwdGraceUseTime in the entry
 * @param now		the time of the bind
 * @param value		out: seconds to expiry (WARN), or grace logins left
 *			after this one (GRACE); 0 otherwise
 * @return the state */
warden_expiry_state warden_expiry_decide( const warden_expiry_policy *p,
	long long changed, long long grace_used, long long now,
	long long *value );

#endif /* WARDEN_EXPIRY_H */
