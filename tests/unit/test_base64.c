/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* base64: RFC 4648's vectors both ways, and every text that is not the
 * one text of its blob refused. */

#include <string.h>

#include "base64.h"
#include "suites.h"

START_TEST( rfc4648_vectors )
{
	static const char *const plain[] = { "", "f", "fo", "foo", "foob",
		"fooba", "foobar" };
	static const char *const coded[] = { "", "Zg==", "Zm8=", "Zm9v",
		"Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	unsigned char out[16];
	char text[16];
	int i;

	for ( i = 0; i < 7; i++ ) {
		size_t n = strlen( plain[i] );

		ck_assert_uint_eq( warden_base64_len( n ), strlen( coded[i] ) );
		memset( text, 0, sizeof( text ) );
		warden_base64_encode( plain[i], n, text );
		ck_assert_str_eq( text, coded[i] );
		if ( !n ) continue;
		ck_assert_int_eq( warden_base64_decode( coded[i],
			strlen( coded[i] ), out, sizeof( out ) ), (long)n );
		ck_assert( !memcmp( out, plain[i], n ) );
	}
}
END_TEST

START_TEST( strict_decoding )
{
	static const char *const bad[] = {
		"",		/* nothing */
		"Zm9",		/* not whole quanta */
		"Zm9v\n",	/* a line break */
		"Zm 9",		/* a blank */
		"Zh==",		/* bits set past the data ("Zg==") */
		"Zm9=",		/* likewise ("Zm8=") */
		"Z===",		/* too much padding */
		"=m9v",		/* padding first */
		"Zm=v",		/* padding inside */
		"Zg==Zg==",	/* padding before the end */
		"Zm9-",		/* the URL alphabet */
		NULL };
	unsigned char out[16];
	int i;

	for ( i = 0; bad[i]; i++ )
		ck_assert_msg( warden_base64_decode( bad[i], strlen( bad[i] ),
			out, sizeof( out ) ) == -1, "\"%s\" decoded", bad[i] );
	/* no more than outsize bytes are written */
	ck_assert_int_eq( warden_base64_decode( "Zm9vYmFy", 8, out, 5 ), -1 );
	ck_assert_int_eq( warden_base64_decode( "Zm9vYmFy", 8, out, 6 ), 6 );
}
END_TEST

Suite *
base64_suite( void )
{
	Suite *s = suite_create( "base64" );
	TCase *tc = tcase_create( "strict" );

	tcase_add_test( tc, rfc4648_vectors );
	tcase_add_test( tc, strict_decoding );
	suite_add_tcase( s, tc );
	return s;
}
