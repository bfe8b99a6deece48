/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* accessrule.c - access's decision at bind (accessrule.h) */

#include <string.h>

#include "accessrule.h"

int
warden_accessrule_specificity( const warden_access_rule *r,
	const warden_cidr *addr )
{
	if ( r->ar_cert ) return WARDEN_ACCESS_SPEC_CERT;
	return addr ? warden_cidr_best_match( r->ar_nets, r->ar_nnets, addr ) :
		-1;
}

int
warden_accessrule_match( const warden_access_rule *rules, int n,
	const warden_cidr *addr, unsigned char *decide )
{
	int i, spec, best = -1, ndecide = 0;

	for ( i = 0; i < n; i++ ) {
		decide[i] = 0;
		spec = warden_accessrule_specificity( &rules[i], addr );
		if ( spec < 0 || spec < best ) continue;
		if ( spec > best ) {
			/* a closer match: the broader ones found so far count
			 * for nothing */
			best = spec;
			memset( decide, 0, (size_t)i );
			ndecide = 0;
		}
		decide[i] = 1;
		ndecide++;
	}
	return ndecide;
}

int
warden_accessrule_allows( int ndecide, int dflt, int member )
{
	return ndecide ? !!member : !!dflt;
}
