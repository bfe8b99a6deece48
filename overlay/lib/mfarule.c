/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* mfarule.c - MFA's decisions at bind (mfarule.h) */

#include "mfarule.h"

int
warden_mfarule_policy_asks( const warden_mfa_rule *r )
{
	return r->mr_policy && ( r->mr_required || r->mr_ngroups > 0 );
}

int
warden_mfarule_needs_groups( const warden_mfa_rule *r )
{
	return r->mr_policy && !r->mr_required && r->mr_ngroups > 0;
}

int
warden_mfarule_required( const warden_mfa_rule *r, int member,
	int limit_hit )
{
	if ( !r->mr_policy ) return 0;
	if ( r->mr_required ) return 1;
	if ( r->mr_ngroups <= 0 ) return 0;
	return member || limit_hit;
}

int
warden_mfarule_in_grace( const warden_mfa_rule *r, time_t begun,
	time_t now )
{
	return r->mr_grace > 0 && now < begun + r->mr_grace;
}

int
warden_mfarule_code_asked( int has_token, int required, int in_grace )
{
	return has_token || ( required && !in_grace );
}
