/* Password quality rules. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quality.h"
#include "suites.h"

static char msg[256];

static warden_quality_result
check( const warden_quality_policy *qp, const char *pw, const char *const *who )
{
	msg[0] = '\0';
	return warden_quality_check( qp, pw, strlen( pw ), who, msg, sizeof( msg ) );
}

START_TEST( utf8_length )
{
	ck_assert_int_eq( warden_utf8_length( "abc", 3 ), 3 );
	ck_assert_int_eq( warden_utf8_length( "\xc3\xa9t\xc3\xa9", 5 ), 3 );		/* été */
	ck_assert_int_eq( warden_utf8_length( "\xf0\x9f\x94\x91", 4 ), 1 );		/* key emoji */
	ck_assert_int_eq( warden_utf8_length( "\xc3", 1 ), -1 );			/* truncated */
	ck_assert_int_eq( warden_utf8_length( "\xc0\xaf", 2 ), -1 );			/* overlong */
	ck_assert_int_eq( warden_utf8_length( "\xed\xa0\x80", 3 ), -1 );		/* surrogate */
	ck_assert_int_eq( warden_utf8_length( "\xf4\x90\x80\x80", 4 ), -1 );		/* > U+10FFFF */
	ck_assert_int_eq( warden_utf8_length( "a\0b", 3 ), -1 );
	ck_assert_int_eq( warden_utf8_length( "\xff", 1 ), -1 );
}
END_TEST

START_TEST( length_in_characters )
{
	warden_quality_policy qp = { .qp_min_length = 12, .qp_max_length = 64 };

	ck_assert_int_eq( check( &qp, "short-one", NULL ), WARDEN_Q_TOO_SHORT );
	ck_assert_str_eq( msg, "the password must contain at least 12 characters" );
	/* 11 characters in 22 bytes is still too short */
	ck_assert_int_eq( check( &qp, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", NULL ), WARDEN_Q_TOO_SHORT );
	ck_assert_int_eq( check( &qp, "long-enough-now", NULL ), WARDEN_Q_OK );
	ck_assert_int_eq( check( &qp, "x1234567890123456789012345678901234567890123456789012345678901234", NULL ),
		WARDEN_Q_TOO_LONG );
	ck_assert_ptr_nonnull( strstr( msg, "at most 64" ) );
	ck_assert_int_eq( check( &qp, "bad-\xc3-utf8-here", NULL ), WARDEN_Q_BAD_UTF8 );
}
END_TEST

START_TEST( classes )
{
	warden_quality_policy qp = { .qp_min_classes = 3 };
	warden_quality_policy per = { .qp_min_digit = 2, .qp_min_other = 1 };

	ck_assert_int_eq( check( &qp, "alllowercase", NULL ), WARDEN_Q_CLASSES );
	ck_assert_int_eq( check( &qp, "lowerUPPER", NULL ), WARDEN_Q_CLASSES );
	ck_assert_int_eq( check( &qp, "lowerUPPER9", NULL ), WARDEN_Q_OK );
	/* a non-ASCII letter counts once as "other", not per byte */
	ck_assert_int_eq( check( &qp, "lower\xc3\xa9UPPER", NULL ), WARDEN_Q_OK );
	ck_assert_int_eq( check( &per, "abc1-def", NULL ), WARDEN_Q_CLASSES );
	ck_assert_str_eq( msg, "the password must contain at least 2 digits" );
	ck_assert_int_eq( check( &per, "abc12def", NULL ), WARDEN_Q_CLASSES );
	ck_assert_int_eq( check( &per, "abc12def!", NULL ), WARDEN_Q_OK );
}
END_TEST

START_TEST( repeats_and_sequences )
{
	warden_quality_policy qp = { .qp_max_repeat = 2, .qp_max_sequence = 3 };

	ck_assert_int_eq( check( &qp, "Paaassword-ok", NULL ), WARDEN_Q_REPEAT );
	ck_assert_int_eq( check( &qp, "Paassword-ok", NULL ), WARDEN_Q_OK );
	ck_assert_int_eq( check( &qp, "xxABCDxx-z", NULL ), WARDEN_Q_SEQUENCE );
	ck_assert_int_eq( check( &qp, "zz-4321-zz", NULL ), WARDEN_Q_SEQUENCE );
	ck_assert_int_eq( check( &qp, "my-qwer-pw", NULL ), WARDEN_Q_SEQUENCE );
	ck_assert_int_eq( check( &qp, "lkjh-back", NULL ), WARDEN_Q_SEQUENCE );	/* row, backwards */
	ck_assert_int_eq( check( &qp, "890-top-row", NULL ), WARDEN_Q_OK );	/* 3 is allowed */
	ck_assert_int_eq( check( &qp, "7890-top", NULL ), WARDEN_Q_SEQUENCE );
	ck_assert_int_eq( check( &qp, "Tr0ub4dor&3", NULL ), WARDEN_Q_OK );
}
END_TEST

START_TEST( personal_words )
{
	warden_quality_policy qp = { 0 };
	const char *who[] = { "jsmith", "John Smith", "Smith", "John", "jo", NULL };

	ck_assert_int_eq( check( &qp, "my-JSmith-2026", who ), WARDEN_Q_PERSONAL );
	ck_assert_str_eq( msg, "the password contains your user name or a part "
		"of your name; choose one unrelated to you" );
	ck_assert_int_eq( check( &qp, "htimS!!2026", who ), WARDEN_Q_PERSONAL );	/* reversed */
	ck_assert_int_eq( check( &qp, "xxjohnxx", who ), WARDEN_Q_PERSONAL );
	/* two-letter values are ignored */
	ck_assert_int_eq( check( &qp, "journey-42-go", who ), WARDEN_Q_OK );
	ck_assert_ptr_null( strstr( msg, "journey" ) );
}
END_TEST

START_TEST( normalize_for_banned_list )
{
	char out[64];

	ck_assert_int_eq( warden_quality_normalize( "P@ssw0rd1!", 10, out ), 8 );
	ck_assert_str_eq( out, "password" );
	warden_quality_normalize( "password", 8, out );
	ck_assert_str_eq( out, "password" );
	warden_quality_normalize( "123Summer2026!", 14, out );
	ck_assert_str_eq( out, "summer" );
	warden_quality_normalize( "summer", 6, out );
	ck_assert_str_eq( out, "summer" );
	warden_quality_normalize( "$3cr37", 6, out );
	ck_assert_str_eq( out, "cr" );
	warden_quality_normalize( "S3cr3t", 6, out );
	ck_assert_str_eq( out, "secret" );
	ck_assert_int_eq( warden_quality_normalize( "2026!!", 6, out ), 0 );
	warden_quality_normalize( "Lo11ipop", 8, out );
	ck_assert_str_eq( out, "ioiiipop" );
	warden_quality_normalize( "lollipop", 8, out );
	ck_assert_str_eq( out, "ioiiipop" );
	warden_quality_normalize( "\xc3\xa9t\xc3\xa9", 5, out );
	ck_assert_str_eq( out, "\xc3\xa9t\xc3\xa9" );
}
END_TEST

Suite *
quality_suite( void )
{
	Suite *s = suite_create( "quality" );
	TCase *tc = tcase_create( "rules" );

	tcase_add_test( tc, utf8_length );
	tcase_add_test( tc, length_in_characters );
	tcase_add_test( tc, classes );
	tcase_add_test( tc, repeats_and_sequences );
	tcase_add_test( tc, personal_words );
	tcase_add_test( tc, normalize_for_banned_list );
	suite_add_tcase( s, tc );
	return s;
}
