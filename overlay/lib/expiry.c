/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* expiry.c - when a password expires (expiry.h) */

#include "expiry.h"

warden_expiry_state
warden_expiry_decide( const warden_expiry_policy *p, long long changed,
	long long grace_used, long long now, long long *value )
{
	long long age, left;

	*value = 0;
	if ( p->ep_max_age <= 0 || changed < 0 ) return WARDEN_EXPIRY_OK;
	/* a clock set back, or a time from another server's future: the
	 * password is new, not older than it can be */
	age = now > changed ? now - changed : 0;
	if ( age <= p->ep_max_age ) {
		left = p->ep_max_age - age;
		if ( p->ep_warning > 0 && left < p->ep_warning ) {
			*value = left;
			return WARDEN_EXPIRY_WARN;
		}
		return WARDEN_EXPIRY_OK;
	}
	if ( p->ep_grace_expiry > 0 && age - p->ep_max_age > p->ep_grace_expiry )
		return WARDEN_EXPIRY_EXPIRED;
	left = p->ep_grace_limit - ( grace_used > 0 ? grace_used : 0 );
	if ( left <= 0 ) return WARDEN_EXPIRY_EXPIRED;
	*value = left - 1;
	return WARDEN_EXPIRY_GRACE;
}
