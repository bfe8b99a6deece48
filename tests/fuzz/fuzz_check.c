/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* fuzz_check.c - wardenctl check (contrib/wardenctl-check.c): LDIF as
 * slapcat writes it (folded lines, base64 values, comments), and the
 * verdict on each value: a userPassword is "hashed" only when it is
 * {SCHEME}rest with a scheme of letters, digits and ._+- (no NUL).
 *
 * The command's file is compiled in here, so that its static reader can
 * be given a stream of the input.
 *
 * Input: a selector byte, then the LDIF (or attribute NUL value). */

#include <ctype.h>

#include "fuzz.h"
#include "wardenctl-check.c"

int
LLVMFuzzerInitialize( int *argc, char ***argv )
{
	/* the command's report is not looked at */
	if ( !freopen( "/dev/null", "w", stdout ) ) abort();
	return 0;
}

static void
check_value( const char *attr, size_t alen, const unsigned char *v, size_t vlen )
{
	const char *why = wc_check_value( attr, alen, v, vlen );
	size_t i;

	if ( why || alen != 12 || strncasecmp( attr, "userPassword", 12 ) ) return;
	/* passed as hashed: {SCHEME}rest */
	FUZZ_ASSERT( vlen >= 3 && v[0] == '{' );
	for ( i = 1; i < vlen && v[i] != '}'; i++ )
		FUZZ_ASSERT( isalnum( v[i] ) || ( v[i] && strchr( "._+-", v[i] ) ) );
	FUZZ_ASSERT( i > 1 && i < vlen - 1 );
	FUZZ_ASSERT( !( i == 10 && !strncasecmp( (const char *)v + 1, "CLEARTEXT", 9 ) ) );
}

int
LLVMFuzzerTestOneInput( const uint8_t *data, size_t size )
{
	fuzz_in in = { data, size };
	unsigned sel = fuzz_byte( &in );
	long found = 0;

	if ( sel & 1 ) {
		const uint8_t *a;
		size_t alen = fuzz_piece( &in, '\0', &a );
		char *attr = fuzz_dup( a, alen ), *val = fuzz_dup( in.p, in.n );

		check_value( attr, alen, (const unsigned char *)val, in.n );
		free( attr );
		free( val );
	} else if ( in.n ) {
		char *buf = fuzz_dup( in.p, in.n );
		FILE *f = fmemopen( buf, in.n, "r" );

		if ( !f ) abort();
		(void)wc_check_file( f, "fuzz", &found );
		fclose( f );
		free( buf );
		FUZZ_ASSERT( found >= 0 );
	}
	return 0;
}
