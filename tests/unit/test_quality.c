/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
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

/* A policy entry that names none of warden's attributes: what
 * policy_parse() gives it. */
START_TEST( default_repeats_and_sequences )
{
	warden_quality_policy qp = { .qp_min_length = 12,
		.qp_max_repeat = WARDEN_Q_DEFAULT_MAX_REPEAT,
		.qp_max_sequence = WARDEN_Q_DEFAULT_MAX_SEQUENCE };

	/* sequences of 5: alphabet, digits, keyboard rows, both ways */
	ck_assert_int_eq( check( &qp, "Xk#abcde-9wQz", NULL ), WARDEN_Q_SEQUENCE );
	ck_assert_str_eq( msg, "the password must not contain a sequence (like "
		"abcd, 4321 or qwer) longer than 4 characters" );
	ck_assert_int_eq( check( &qp, "Xk#EDCBA-9wQz", NULL ), WARDEN_Q_SEQUENCE );
	ck_assert_int_eq( check( &qp, "Xk#-12345-wQz", NULL ), WARDEN_Q_SEQUENCE );
	ck_assert_int_eq( check( &qp, "Xk#-54321-wQz", NULL ), WARDEN_Q_SEQUENCE );
	ck_assert_int_eq( check( &qp, "Mz#qwert-7pLv", NULL ), WARDEN_Q_SEQUENCE );
	ck_assert_int_eq( check( &qp, "Mz#trewq-7pLv", NULL ), WARDEN_Q_SEQUENCE );
	ck_assert_int_eq( check( &qp, "Mz#asdfg-7pLv", NULL ), WARDEN_Q_SEQUENCE );
	ck_assert_int_eq( check( &qp, "Mz#zxcvb-7pLv", NULL ), WARDEN_Q_SEQUENCE );
	ck_assert_int_eq( check( &qp, "Mz#-67890-pLv", NULL ), WARDEN_Q_SEQUENCE );
	/* four in a row is allowed */
	ck_assert_int_eq( check( &qp, "Xk#abcd-9wQzm", NULL ), WARDEN_Q_OK );
	ck_assert_int_eq( check( &qp, "Xk#4321-9wQzm", NULL ), WARDEN_Q_OK );
	/* runs of 4 are refused, of 3 allowed */
	ck_assert_int_eq( check( &qp, "Gh#7aaaa-Lq2w", NULL ), WARDEN_Q_REPEAT );
	ck_assert_str_eq( msg, "the password must not repeat a character "
		"more than 3 times in a row" );
	ck_assert_int_eq( check( &qp, "Gh#7----Lq2w", NULL ), WARDEN_Q_REPEAT );
	ck_assert_int_eq( check( &qp, "Gh#7aaa-Lq2w", NULL ), WARDEN_Q_OK );
	ck_assert_int_eq( check( &qp, "Correct-Horse-Battery-9", NULL ), WARDEN_Q_OK );
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

START_TEST( unmask_for_dictionary )
{
	char out[64];

	ck_assert_int_eq( warden_quality_unmask( "Summer2024!!", 12, out ), 6 );
	ck_assert_str_eq( out, "summer" );
	warden_quality_unmask( "password1234", 12, out );
	ck_assert_str_eq( out, "password" );
	warden_quality_unmask( "P@ssw0rd1!", 10, out );
	ck_assert_str_eq( out, "password" );
	/* l stays l (the banned list's key would make it "footbaii") */
	warden_quality_unmask( "Footb@ll-2024", 13, out );
	ck_assert_str_eq( out, "football" );
	/* 1 inside is left to cracklib, which tries it as i and as l */
	warden_quality_unmask( "W1nter-2024", 11, out );
	ck_assert_str_eq( out, "w1nter" );
	warden_quality_unmask( "Sunsh!ne#77", 11, out );
	ck_assert_str_eq( out, "sunshine" );
	warden_quality_unmask( "$3cr37", 6, out );
	ck_assert_str_eq( out, "cr" );
	warden_quality_unmask( "4ever-Dr4g0n5", 13, out );
	ck_assert_str_eq( out, "ever-dragon" );
	ck_assert_int_eq( warden_quality_unmask( "2026-!!-77", 10, out ), 0 );
	ck_assert_str_eq( out, "" );
	warden_quality_unmask( "\xc3\xa9t\xc3\xa9" "2024", 9, out );
	ck_assert_str_eq( out, "\xc3\xa9t\xc3\xa9" );
}
END_TEST

START_TEST( hash_ranks )
{
#define R( v ) warden_hash_rank( (v), strlen( v ) )
	ck_assert_int_eq( R( "secret" ), 0 );
	ck_assert_int_eq( R( "{CLEARTEXT}secret" ), 0 );
	ck_assert_int_eq( R( "{MD5}Xr4ilOzQ4PCOq3aQ0qbuaQ==" ), 1 );
	ck_assert_int_eq( R( "{sha}abc" ), 1 );
	ck_assert_int_eq( R( "{CRYPT}abJnggxhB/yWI" ), 1 );		/* DES */
	ck_assert_int_eq( R( "{CRYPT}$1$salt$hash" ), 1 );		/* MD5-crypt */
	ck_assert_int_eq( R( "{CRYPT}$6$salt$hash" ), 3 );		/* SHA512-crypt */
	ck_assert_int_eq( R( "{CRYPT}$y$j9T$salt$hash" ), 3 );		/* yescrypt */
	ck_assert_int_eq( R( "{SSHA}abcdef" ), 2 );
	ck_assert_int_eq( R( "{SSHA512}abcdef" ), 2 );
	ck_assert_int_eq( R( "{PBKDF2-SHA512}10000$a$b" ), 3 );
	ck_assert_int_eq( R( "{ARGON2}$argon2id$v=19$m=65536,t=2,p=1$a$b" ), 4 );
	ck_assert_int_eq( R( "{TOTP1}xyz" ), -1 );
	ck_assert_int_eq( R( "{unterminated" ), 0 );
	ck_assert_int_eq( warden_hash_rank( "", 0 ), 0 );
	/* found by tests/fuzz/fuzz_credential: a NUL after "{CRYPT}$" is no
	 * modern crypt id (strchr found the terminator) */
	ck_assert_int_eq( warden_hash_rank( "{CRYPT}$\0$abcdef", 14 ), 1 );
	ck_assert_int_eq( warden_hash_rank( "{CRYPT}$\0babcdef", 14 ), 1 );
#undef R
}
END_TEST

static unsigned q_counter;

/* deterministic "random" bytes, so every path is taken */
static int
q_fake_random( unsigned char *buf, size_t len )
{
	size_t i;

	for ( i = 0; i < len; i++ ) buf[i] = (unsigned char)( q_counter++ * 97 + 13 );
	return 0;
}

static int
q_failing_random( unsigned char *buf, size_t len )
{
	return -1;
}

START_TEST( generated_passwords )
{
	warden_quality_policy qp = { .qp_min_length = 12, .qp_min_classes = 4,
		.qp_max_repeat = 2, .qp_max_sequence = 3 };
	char out[128];
	size_t n;
	int i;

	for ( i = 0; i < 200; i++ ) {
		n = warden_quality_generate( &qp, q_fake_random, out, sizeof( out ) );
		ck_assert_uint_eq( n, WARDEN_GEN_LENGTH );
		ck_assert_uint_eq( strlen( out ), n );
		ck_assert_int_eq( check( &qp, out, NULL ), WARDEN_Q_OK );
		ck_assert_ptr_null( strpbrk( out, "l1IO0 " ) );
	}
	/* a long minimum wins over the default length */
	qp.qp_min_length = 40;
	n = warden_quality_generate( &qp, q_fake_random, out, sizeof( out ) );
	ck_assert_uint_eq( n, 40 );
	/* a maximum below the default length */
	qp.qp_min_length = 8;
	qp.qp_max_length = 10;
	ck_assert_uint_eq( warden_quality_generate( &qp, q_fake_random, out,
		sizeof( out ) ), 10 );
	/* per-class minimums are met */
	memset( &qp, 0, sizeof( qp ) );
	qp.qp_min_digit = 6;
	qp.qp_min_other = 5;
	n = warden_quality_generate( &qp, q_fake_random, out, sizeof( out ) );
	ck_assert_int_eq( check( &qp, out, NULL ), WARDEN_Q_OK );
	/* impossible: more required characters than the maximum length */
	qp.qp_max_length = 8;
	ck_assert_uint_eq( warden_quality_generate( &qp, q_fake_random, out,
		sizeof( out ) ), 0 );
	/* no room, no randomness */
	memset( &qp, 0, sizeof( qp ) );
	ck_assert_uint_eq( warden_quality_generate( &qp, q_fake_random, out, 8 ), 0 );
	ck_assert_uint_eq( warden_quality_generate( &qp, q_failing_random, out,
		sizeof( out ) ), 0 );
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
	tcase_add_test( tc, default_repeats_and_sequences );
	tcase_add_test( tc, personal_words );
	tcase_add_test( tc, normalize_for_banned_list );
	tcase_add_test( tc, unmask_for_dictionary );
	tcase_add_test( tc, hash_ranks );
	tcase_add_test( tc, generated_passwords );
	suite_add_tcase( s, tc );
	return s;
}
