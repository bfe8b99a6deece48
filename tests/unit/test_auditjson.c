/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* The audit records' JSON writer (overlay/lib/auditjson.c): escaping of every
 * control character, invalid UTF-8, embedded NULs, base64, the builder. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auditjson.h"
#include "suites.h"

/* The escaped form of len bytes, as a NUL-terminated string to compare. */
static const char *
esc( warden_buf *b, const char *s, size_t len )
{
	warden_buf_reset( b );
	ck_assert_int_eq( warden_json_escape( b, s, len ), 0 );
	ck_assert_uint_eq( strlen( b->wb_data ), b->wb_len );
	return b->wb_data;
}

/* What any escaped output must be: quoted, valid UTF-8, no raw control
 * character or line break, every backslash a valid escape.  Returns the
 * offset of the first wrong byte, or -1.  (Plain tests: a ck_assert per
 * byte costs Check a message to its parent.) */
static long
bad_json_string( const warden_buf *b )
{
	const unsigned char *p = (const unsigned char *)b->wb_data;
	size_t i, n = b->wb_len;
	int k;

	if ( n < 2 || p[0] != '"' || p[n - 1] != '"' ) return 0;
	if ( !warden_utf8_valid( b->wb_data, n ) ) return 0;
	for ( i = 1; i < n - 1; i++ ) {
		if ( p[i] < 0x20 || p[i] == 0x7f || p[i] == '"' ) return i;
		if ( p[i] != '\\' ) continue;
		i++;
		if ( !p[i] || !strchr( "\"\\/bfnrtu", p[i] ) ) return i;
		if ( p[i] == 'u' ) {
			for ( k = 1; k <= 4; k++ )
				if ( !p[i + k] || !strchr( "0123456789abcdef", p[i + k] ) )
					return i;
			i += 4;
		}
	}
	return -1;
}

static void
assert_valid_json_string( const warden_buf *b )
{
	long bad = bad_json_string( b );

	ck_assert_msg( bad < 0, "not a valid JSON string at %ld: %s", bad, b->wb_data );
}

START_TEST( control_chars )
{
	static const char *const short_esc[32] = {
		[8] = "\\b", [9] = "\\t", [10] = "\\n", [12] = "\\f", [13] = "\\r" };
	warden_buf b;
	char in, want[16];
	int c;

	warden_buf_init( &b );
	for ( c = 0; c < 32; c++ ) {
		in = (char)c;
		if ( short_esc[c] )
			snprintf( want, sizeof( want ), "\"%s\"", short_esc[c] );
		else
			snprintf( want, sizeof( want ), "\"\\u%04x\"", c );
		ck_assert_str_eq( esc( &b, &in, 1 ), want );
	}
	ck_assert_str_eq( esc( &b, "\x7f", 1 ), "\"\\u007f\"" );
	ck_assert_str_eq( esc( &b, "a\"b\\c/d", 7 ), "\"a\\\"b\\\\c/d\"" );
	/* JavaScript's line separators */
	ck_assert_str_eq( esc( &b, "x\xe2\x80\xa8y\xe2\x80\xa9", 8 ),
		"\"x\\u2028y\\u2029\"" );
	warden_buf_free( &b );
}
END_TEST

START_TEST( embedded_nul )
{
	warden_buf b;

	warden_buf_init( &b );
	ck_assert_str_eq( esc( &b, "a\0b\0", 4 ), "\"a\\u0000b\\u0000\"" );
	ck_assert_uint_eq( b.wb_len, 16 );
	ck_assert_str_eq( esc( &b, "", 0 ), "\"\"" );
	warden_buf_free( &b );
}
END_TEST

START_TEST( utf8_kept )
{
	warden_buf b;
	const char *s = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbf \xf4\x8f\xbf\xbf";

	warden_buf_init( &b );
	ck_assert( warden_utf8_valid( s, strlen( s ) ) );
	esc( &b, s, strlen( s ) );
	ck_assert_uint_eq( b.wb_len, strlen( s ) + 2 );
	ck_assert( !memcmp( b.wb_data + 1, s, strlen( s ) ) );
	warden_buf_free( &b );
}
END_TEST

#define FFFD "\xef\xbf\xbd"

START_TEST( utf8_invalid )
{
	static const struct { const char *in; size_t len; const char *out; } t[] = {
		{ "\x80", 1, "\"" FFFD "\"" },			/* lone continuation */
		{ "\xbf\x80", 2, "\"" FFFD FFFD "\"" },
		{ "\xc3", 1, "\"" FFFD "\"" },			/* truncated */
		{ "\xc3x", 2, "\"" FFFD "x\"" },
		{ "\xe2\x82", 2, "\"" FFFD "\"" },		/* one maximal subpart */
		{ "\xe2\x82x", 3, "\"" FFFD "x\"" },
		{ "\xf0\x9f\x98", 3, "\"" FFFD "\"" },
		{ "\xc0\xaf", 2, "\"" FFFD FFFD "\"" },		/* overlong '/' */
		{ "\xe0\x80\xaf", 3, "\"" FFFD FFFD FFFD "\"" },	/* overlong */
		{ "\xed\xa0\x80", 3, "\"" FFFD FFFD FFFD "\"" },	/* surrogate */
		{ "\xf4\x90\x80\x80", 4, "\"" FFFD FFFD FFFD FFFD "\"" },	/* > 10FFFF */
		{ "\xf5\x80", 2, "\"" FFFD FFFD "\"" },
		{ "\xff\xfe", 2, "\"" FFFD FFFD "\"" },
		{ "a\xe2\x82\xac\x80z", 6, "\"a\xe2\x82\xac" FFFD "z\"" },
	};
	warden_buf b;
	size_t i;

	warden_buf_init( &b );
	for ( i = 0; i < sizeof( t ) / sizeof( t[0] ); i++ ) {
		ck_assert_msg( !warden_utf8_valid( t[i].in, t[i].len ), "case %zu", i );
		ck_assert_msg( !strcmp( esc( &b, t[i].in, t[i].len ), t[i].out ),
			"case %zu: %s", i, b.wb_data );
	}
	warden_buf_free( &b );
}
END_TEST

/* Whatever the bytes, the output is a valid JSON string. */
START_TEST( random_bytes )
{
	warden_buf b;
	char in[64];
	int round, i, n;

	srandom( 8 );
	warden_buf_init( &b );
	for ( round = 0; round < 20000; round++ ) {
		n = random() % sizeof( in );
		for ( i = 0; i < n; i++ ) {
			/* favour the interesting bytes */
			long r = random();

			in[i] = (char)( r % 3 == 0 ? 0x80 + r % 0x80 :
				r % 3 == 1 ? r % 0x20 : r & 0xff );
		}
		warden_buf_reset( &b );
		if ( warden_json_escape( &b, in, n ) || bad_json_string( &b ) >= 0 )
			assert_valid_json_string( &b );
	}
	warden_buf_free( &b );
}
END_TEST

START_TEST( base64 )
{
	static const char *const v[][2] = {
		{ "", "\"\"" }, { "f", "\"Zg==\"" }, { "fo", "\"Zm8=\"" },
		{ "foo", "\"Zm9v\"" }, { "foob", "\"Zm9vYg==\"" },
		{ "fooba", "\"Zm9vYmE=\"" }, { "foobar", "\"Zm9vYmFy\"" } };
	unsigned char bin[] = { 0, 0xff, 0xfe, 0x10, 0 };
	warden_buf b;
	size_t i;

	warden_buf_init( &b );
	for ( i = 0; i < sizeof( v ) / sizeof( v[0] ); i++ ) {
		warden_buf_reset( &b );
		ck_assert_int_eq( warden_json_base64( &b, v[i][0], strlen( v[i][0] ) ), 0 );
		ck_assert_str_eq( b.wb_data, v[i][1] );
	}
	warden_buf_reset( &b );
	warden_json_base64( &b, bin, sizeof( bin ) );
	ck_assert_str_eq( b.wb_data, "\"AP/+EAA=\"" );
	warden_buf_free( &b );
}
END_TEST

START_TEST( builder )
{
	struct timespec ts = { 1700000000, 123456789 };
	warden_buf b;

	warden_buf_init( &b );
	warden_json_begin_object( &b );
	warden_json_key( &b, "@timestamp" );
	warden_json_time( &b, &ts );
	warden_json_key( &b, "event.action" );
	warden_json_cstr( &b, "modify" );
	warden_json_key( &b, "source.port" );
	warden_json_int( &b, -41234 );
	warden_json_key( &b, "n" );
	warden_json_uint( &b, 18446744073709551615ULL );
	warden_json_key( &b, "ok" );
	warden_json_bool( &b, 1 );
	warden_json_key( &b, "no" );
	warden_json_bool( &b, 0 );
	warden_json_key( &b, "nil" );
	warden_json_cstr( &b, NULL );
	warden_json_key( &b, "ldap.changes" );
	warden_json_begin_array( &b );
	warden_json_begin_object( &b );
	warden_json_key( &b, "op" );
	warden_json_cstr( &b, "replace" );
	warden_json_key( &b, "values" );
	warden_json_begin_array( &b );
	warden_json_str( &b, "a\nb", 3 );
	warden_json_base64( &b, "\0", 1 );
	warden_json_end_array( &b );
	warden_json_end_object( &b );
	warden_json_raw( &b, "[1,2]", 5 );
	warden_json_begin_array( &b );
	warden_json_end_array( &b );
	warden_json_end_array( &b );
	warden_json_key( &b, "k\"ey" );
	warden_json_begin_object( &b );
	warden_json_end_object( &b );
	warden_json_end_object( &b );
	ck_assert( !warden_buf_failed( &b ) );
	ck_assert_str_eq( b.wb_data,
		"{\"@timestamp\":\"2023-11-14T22:13:20.123456Z\","
		"\"event.action\":\"modify\",\"source.port\":-41234,"
		"\"n\":18446744073709551615,\"ok\":true,\"no\":false,\"nil\":null,"
		"\"ldap.changes\":[{\"op\":\"replace\",\"values\":[\"a\\nb\",\"AA==\"]},"
		"[1,2],[]],\"k\\\"ey\":{}}" );

	/* reset keeps the memory and starts over */
	warden_buf_reset( &b );
	ck_assert_uint_eq( b.wb_len, 0 );
	ck_assert_int_eq( warden_json_begin_array( &b ), 0 );
	ck_assert_int_eq( warden_json_end_array( &b ), 0 );
	ck_assert_str_eq( b.wb_data, "[]" );
	warden_buf_free( &b );
}
END_TEST

START_TEST( builder_misuse )
{
	warden_buf b;
	int i;

	/* a value where a key is due */
	warden_buf_init( &b );
	warden_json_begin_object( &b );
	ck_assert_int_eq( warden_json_int( &b, 1 ), -1 );
	ck_assert( warden_buf_failed( &b ) );
	/* sticky */
	ck_assert_int_eq( warden_json_key( &b, "a" ), -1 );
	warden_buf_free( &b );

	/* a key in an array, or at the top */
	warden_json_begin_array( &b );
	ck_assert_int_eq( warden_json_key( &b, "a" ), -1 );
	warden_buf_free( &b );
	ck_assert_int_eq( warden_json_key( &b, "a" ), -1 );
	warden_buf_free( &b );

	/* the wrong closer, a key without a value, two values at the top */
	warden_json_begin_object( &b );
	ck_assert_int_eq( warden_json_end_array( &b ), -1 );
	warden_buf_free( &b );
	warden_json_begin_object( &b );
	warden_json_key( &b, "a" );
	ck_assert_int_eq( warden_json_end_object( &b ), -1 );
	warden_buf_free( &b );
	warden_json_int( &b, 1 );
	ck_assert_int_eq( warden_json_int( &b, 2 ), -1 );
	warden_buf_free( &b );

	/* too deep */
	for ( i = 0; i < WARDEN_JSON_DEPTH; i++ )
		ck_assert_int_eq( warden_json_begin_array( &b ), 0 );
	ck_assert_int_eq( warden_json_begin_array( &b ), -1 );
	warden_buf_free( &b );
}
END_TEST

/* found by tests/fuzz/fuzz_auditjson: a time whose year has no four
 * digits (tm_year + 1900 overflowed an int for the largest) is refused,
 * never written in a form wardenctl cannot read back */
START_TEST( time_range )
{
	static const struct { time_t sec; long nsec; int ok; } t[] = {
		{ 0, 0, 1 },
		{ 253402300799LL, 999999999, 1 },	/* 9999-12-31T23:59:59 */
		{ 253402300800LL, 0, 0 },		/* 10000-01-01 */
		{ -62167219200LL, 0, 1 },		/* 0000-01-01 */
		{ -62167219201LL, 0, 0 },
		{ 67768036191676799LL, 0, 0 },		/* year 2147485547 */
		{ 1700000000, -1, 0 },
		{ 1700000000, 1000000000L, 0 },
	};
	struct timespec ts;
	warden_buf b;
	size_t i;

	for ( i = 0; i < sizeof( t ) / sizeof( t[0] ); i++ ) {
		ts.tv_sec = t[i].sec;
		ts.tv_nsec = t[i].nsec;
		warden_buf_init( &b );
		ck_assert_int_eq( warden_json_time( &b, &ts ), t[i].ok ? 0 : -1 );
		if ( t[i].ok ) ck_assert_uint_eq( b.wb_len, 29 );
		warden_buf_free( &b );
	}
}
END_TEST

START_TEST( big_value )
{
	size_t n = 1 << 20, i;
	char *s = malloc( n );
	warden_buf b;

	for ( i = 0; i < n; i++ ) s[i] = "ab\n\"\xc3\xa9"[i % 6];
	warden_buf_init( &b );
	esc( &b, s, n );
	assert_valid_json_string( &b );
	warden_buf_free( &b );
	free( s );
}
END_TEST


/* warden_json_bounded(): up to max as it is, longer as length, SHA-256
 * and head, the head cut at a character */
START_TEST( bounded )
{
	warden_buf b;
	char *v = malloc( 70000 );
	const char *sha_abc =
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

	memset( v, 'x', 70000 );
	warden_buf_init( &b );
	ck_assert_int_eq( warden_json_bounded( &b, "abc", 3, 3, 0 ), 0 );
	ck_assert_str_eq( b.wb_data, "\"abc\"" );
	warden_buf_reset( &b );
	ck_assert_int_eq( warden_json_bounded( &b, "abc", 3, 2, 0 ), 0 );
	ck_assert_str_eq( b.wb_data, "{\"truncated\":true,\"len\":3,\"sha256\":\""
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\","
		"\"head\":\"abc\"}" );
	(void)sha_abc;
	/* binary: base64 when short, no head when long */
	warden_buf_reset( &b );
	warden_json_bounded( &b, "\xff\xfe", 2, 10, 1 );
	ck_assert_str_eq( b.wb_data, "{\"base64\":\"//4=\"}" );
	warden_buf_reset( &b );
	warden_json_bounded( &b, "\xff\xfe", 2, 1, 1 );
	ck_assert_ptr_null( strstr( b.wb_data, "head" ) );
	/* the head stops before a character cut in two: 63 'x' and a 2-byte one */
	v[63] = '\xc3';
	v[64] = '\xa9';
	warden_buf_reset( &b );
	warden_json_bounded( &b, v, 70000, 65536, 1 );
	ck_assert_ptr_nonnull( strstr( b.wb_data, "\"len\":70000" ) );
	ck_assert_ptr_nonnull( strstr( b.wb_data, "\"head\":\"xxx" ) );
	ck_assert_ptr_null( strstr( b.wb_data, "\xc3" ) );
	ck_assert_uint_lt( b.wb_len, 300 );
	ck_assert( !warden_buf_failed( &b ) );
	warden_buf_free( &b );
	free( v );
}
END_TEST

Suite *
auditjson_suite( void )
{
	Suite *s = suite_create( "auditjson" );
	TCase *tc = tcase_create( "core" );

	tcase_add_test( tc, control_chars );
	tcase_add_test( tc, embedded_nul );
	tcase_add_test( tc, utf8_kept );
	tcase_add_test( tc, utf8_invalid );
	tcase_add_test( tc, random_bytes );
	tcase_add_test( tc, base64 );
	tcase_add_test( tc, builder );
	tcase_add_test( tc, builder_misuse );
	tcase_add_test( tc, time_range );
	tcase_add_test( tc, big_value );
	tcase_add_test( tc, bounded );
	suite_add_tcase( s, tc );
	return s;
}
