/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* fuzz_policy.c - the integer attributes of a password policy entry
 * (durations in seconds, counts, lengths: warden_policy_*), checked when
 * written and read when stored, and slapd's version string
 * (warden_version_matches)
 *
 * Input: a selector byte, an attribute name, a space, the value. */

#include <errno.h>
#include <limits.h>

#include "fuzz.h"
#include "validate.h"

/* An LDAP Integer by another way: '-'? digits, saturating. */
static int
ref_parse( const char *s, size_t len, long long *out )
{
	char *end;
	size_t i = s[0] == '-' ? 1 : 0;

	if ( i == len ) return -1;
	for ( ; i < len; i++ ) if ( s[i] < '0' || s[i] > '9' ) return -1;
	errno = 0;
	*out = strtoll( s, &end, 10 );
	FUZZ_ASSERT( end == s + len );
	return 0;
}

static void
check_value( const warden_policy_range *r, const char *v, size_t len )
{
	char msg[512];
	long long got, want;
	int prc, rrc, bad = -1;
	long long read;

	prc = warden_policy_int_parse( v, len, &got );
	rrc = ref_parse( v, len, &want );
	FUZZ_ASSERT( prc == rrc );
	if ( !prc ) FUZZ_ASSERT( got == want );
	if ( !r ) return;
	msg[0] = '\0';
	read = warden_policy_value_read( r, v, len, &bad );
	FUZZ_ASSERT( bad == 0 || bad == 1 );
	/* whatever is stored, what is used is in range */
	FUZZ_ASSERT( read >= r->pr_min && read <= r->pr_max );
	if ( !warden_policy_value_check( r, v, len, msg, sizeof( msg ) ) ) {
		FUZZ_ASSERT( !prc && got >= r->pr_min && got <= r->pr_max );
		FUZZ_ASSERT( !bad && read == got );
	} else {
		FUZZ_ASSERT( msg[0] && bad );
		FUZZ_ASSERT( strlen( msg ) < sizeof( msg ) );
	}
}

int
LLVMFuzzerTestOneInput( const uint8_t *data, size_t size )
{
	fuzz_in in = { data, size };
	unsigned sel = fuzz_byte( &in );
	const uint8_t *name, *val;
	size_t nlen, vlen;
	char *n, *v, msg[256];
	const warden_policy_range *r;
	long long a, b;

	nlen = fuzz_piece( &in, ' ', &name );
	val = in.p;
	vlen = in.n;
	n = fuzz_dup( name, nlen );
	v = fuzz_dup( val, vlen );
	switch ( sel % 4 ) {
	case 0:
		/* a name of the table, or whatever was given */
		r = warden_policy_range_at( (int)( ( sel >> 2 ) % 32 ) );
		if ( !r ) r = warden_policy_range_find( n, nlen );
		else FUZZ_ASSERT( warden_policy_range_find( r->pr_name,
			strlen( r->pr_name ) ) == r );
		check_value( r, v, vlen );
		break;
	case 1:
		r = warden_policy_range_find( n, nlen );
		if ( r ) FUZZ_ASSERT( strlen( r->pr_name ) == nlen &&
			!strncasecmp( r->pr_name, n, nlen ) );
		check_value( r, v, vlen );
		break;
	case 2:
		if ( !warden_policy_int_parse( n, nlen, &a ) &&
			!warden_policy_int_parse( v, vlen, &b ) ) {
			int rc = warden_policy_lengths_check( a, b, msg, sizeof( msg ) );

			FUZZ_ASSERT( rc == 0 || rc == -1 );
			if ( a >= 0 && b > 0 && a > b ) FUZZ_ASSERT( rc == -1 );
		}
		(void)warden_seed_length_check( vlen, msg, sizeof( msg ) );
		break;
	default:
		/* slapd's version string against a version built for */
		if ( warden_version_matches( v, n ) )
			FUZZ_ASSERT( nlen && strstr( v, n ) );
	}
	free( n );
	free( v );
	return 0;
}
