/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* What wardenctl totp shows (contrib/otpauth.c): base32 against RFC 4648,
 * otpauth:// URIs, and QR modules drawn with half blocks and as pixels. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otpauth.h"
#include "suites.h"

START_TEST( base32_rfc4648 )
{
	/* RFC 4648, section 10, without the padding */
	static const struct { const char *in, *out; } v[] = {
		{ "", "" }, { "f", "MY" }, { "fo", "MZXQ" }, { "foo", "MZXW6" },
		{ "foob", "MZXW6YQ" }, { "fooba", "MZXW6YTB" },
		{ "foobar", "MZXW6YTBOI" },
	};
	/* RFC 6238's SHA-1 seed, as Google Authenticator's examples have it */
	static const unsigned char seed[] = "12345678901234567890";
	char out[64];
	size_t i;

	for ( i = 0; i < sizeof( v ) / sizeof( v[0] ); i++ ) {
		ck_assert_uint_eq( warden_base32_encode( (const unsigned char *)v[i].in,
			strlen( v[i].in ), out, sizeof( out ) ), strlen( v[i].out ) );
		ck_assert_str_eq( out, v[i].out );
	}
	ck_assert_uint_eq( warden_base32_encode( seed, 20, out, sizeof( out ) ), 32 );
	ck_assert_str_eq( out, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" );
	ck_assert_uint_eq( WARDEN_BASE32_LEN( 20 ), 32 );
	ck_assert_uint_eq( WARDEN_BASE32_LEN( 1 ), 2 );
	/* too small: nothing, and an empty string */
	ck_assert_uint_eq( warden_base32_encode( seed, 20, out, 32 ), 0 );
	ck_assert_str_eq( out, "" );
}
END_TEST

START_TEST( uri )
{
	warden_otpauth a = { "example.org", "alice", "GEZDGNBV", "SHA1", 6, 30 };
	char out[256];

	ck_assert_int_gt( warden_otpauth_uri( &a, out, sizeof( out ) ), 0 );
	ck_assert_str_eq( out, "otpauth://totp/example.org:alice?secret=GEZDGNBV"
		"&issuer=example.org&algorithm=SHA1&digits=6&period=30" );
	/* everything but unreserved characters is percent-encoded */
	a.oa_issuer = "ACME Co & Sons";
	a.oa_account = "j.doe@x/y?z=1";
	a.oa_algorithm = "SHA512";
	a.oa_digits = 8;
	a.oa_period = 60;
	ck_assert_int_eq( warden_otpauth_uri( &a, out, sizeof( out ) ),
		(int)strlen( out ) );
	ck_assert_str_eq( out, "otpauth://totp/ACME%20Co%20%26%20Sons:"
		"j.doe%40x%2Fy%3Fz%3D1?secret=GEZDGNBV&issuer=ACME%20Co%20%26%20Sons"
		"&algorithm=SHA512&digits=8&period=60" );
	/* UTF-8 byte by byte */
	a.oa_issuer = "Zürich";
	a.oa_account = "bob";
	ck_assert_int_gt( warden_otpauth_uri( &a, out, sizeof( out ) ), 0 );
	ck_assert_ptr_nonnull( strstr( out, "totp/Z%C3%BCrich:bob?" ) );
	/* a colon in the issuer would split the label */
	a.oa_issuer = "a:b";
	ck_assert_int_eq( warden_otpauth_uri( &a, out, sizeof( out ) ), -1 );
	ck_assert_str_eq( out, "" );
	/* too long: nothing of the secret is left behind */
	a.oa_issuer = "example.org";
	ck_assert_int_eq( warden_otpauth_uri( &a, out, 60 ), -1 );
	ck_assert_ptr_null( memchr( out, 'G', 60 ) );
	ck_assert_int_eq( warden_otpauth_uri( &a, out, 0 ), -1 );
}
END_TEST

START_TEST( qr_text )
{
	/* 3x3: dark diagonal */
	static const unsigned char m[9] = { 1, 0, 0, 0, 1, 0, 0, 0, 1 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream( &buf, &len );

	ck_assert_ptr_nonnull( f );
	warden_qr_text( f, m, 3, 1, 0 );
	fclose( f );
	/* rows -1..3 (5 rows): lines (-1,0) (1,2) (3,below) */
#define F "\xe2\x96\x88"	/* both light */
#define U "\xe2\x96\x80"	/* top light */
#define L "\xe2\x96\x84"	/* bottom light */
	ck_assert_str_eq( buf,
		F U F F F "\n"
		F F L U F "\n"
		U U U U U "\n" );
	free( buf );

	buf = NULL;
	f = open_memstream( &buf, &len );
	warden_qr_text( f, m, 3, 0, 1 );
	fclose( f );
	ck_assert_str_eq( buf,
		"\033[37;40m" L U F "\033[0m\n"
		"\033[37;40m" U U " " "\033[0m\n" );
	free( buf );
#undef F
#undef U
#undef L
}
END_TEST

START_TEST( qr_pixels )
{
	static const unsigned char m[4] = { 1, 0, 0, 1 };
	unsigned char px[( 2 + 2 ) * 2 * ( 2 + 2 ) * 2];
	int x, y, side = 8;

	warden_qr_pixels( m, 2, 1, 2, px );
	for ( y = 0; y < side; y++ )
		for ( x = 0; x < side; x++ ) {
			int mx = x / 2 - 1, my = y / 2 - 1;
			int dark = mx >= 0 && mx < 2 && my >= 0 && my < 2 &&
				mx == my;

			ck_assert_int_eq( px[y * side + x], dark ? 0 : 255 );
		}
}
END_TEST

Suite *
otpauth_suite( void )
{
	Suite *s = suite_create( "otpauth" );
	TCase *tc = tcase_create( "otpauth" );

	tcase_add_test( tc, base32_rfc4648 );
	tcase_add_test( tc, uri );
	tcase_add_test( tc, qr_text );
	tcase_add_test( tc, qr_pixels );
	suite_add_tcase( s, tc );
	return s;
}
