/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* usability.c - what the Account Usability control says (usability.h) */

#include "usability.h"

void
warden_usability_decide( const warden_usability_in *in, warden_usability *out )
{
	const warden_expiry_policy *p = &in->ui_expiry;
	long long value = 0, left = -1, age, idle;
	warden_expiry_state state;

	out->u_available = 0;
	out->u_expire = -1;
	out->u_inactive = 0;
	out->u_reset = 0;
	out->u_expired = 0;
	out->u_grace = -1;
	out->u_unlock = -1;

	state = warden_expiry_decide( p, in->ui_changed, in->ui_grace_used,
		in->ui_now, &value );
	switch ( state ) {
	case WARDEN_EXPIRY_GRACE:
		/* value is what is left after the grace login a bind would
		 * take now; the control tells what is left before it */
		out->u_expired = 1;
		out->u_grace = value + 1;
		break;
	case WARDEN_EXPIRY_EXPIRED:
		out->u_expired = 1;
		out->u_grace = p->ep_grace_limit > 0 ? 0 : -1;
		break;
	default:
		if ( p->ep_max_age > 0 && in->ui_changed >= 0 ) {
			/* as warden_expiry_decide(): a time from the future
			 * is a new password */
			age = in->ui_now > in->ui_changed ?
				in->ui_now - in->ui_changed : 0;
			left = p->ep_max_age - age;
		}
		break;
	}
	if ( in->ui_dormant ) {
		out->u_expired = 1;
	} else if ( in->ui_idle_end >= 0 ) {
		idle = in->ui_idle_end - in->ui_now;
		if ( idle < 0 ) idle = 0;
		if ( left < 0 || idle < left ) left = idle;
	}
	if ( in->ui_locked ) {
		out->u_inactive = 1;
		if ( in->ui_unlock_at >= 0 )
			out->u_unlock = in->ui_unlock_at > in->ui_now ?
				in->ui_unlock_at - in->ui_now : 0;
	}
	if ( in->ui_reset ) out->u_reset = 1;
	if ( !out->u_inactive && !out->u_reset && !out->u_expired ) {
		out->u_available = 1;
		out->u_expire = left;
	}
}
