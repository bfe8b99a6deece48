/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* The cracklib dictionary check, against Debian's dictionary. */

#include <stdio.h>
#include <string.h>

#include "dictionary.h"
#include "suites.h"

static int
dict( const char *pw, char *msg, size_t len )
{
	msg[0] = '\0';
	return warden_dictionary_check( NULL, pw, strlen( pw ), msg, len );
}

START_TEST( dictionary_words )
{
	char msg[256];

	ck_assert_msg( warden_dictionary_usable( NULL, msg, sizeof( msg ) ),
		"%s", msg );
	ck_assert_int_eq( dict( "Password123", msg, sizeof( msg ) ), 1 );
	ck_assert_str_eq( msg, "the password is based on a dictionary word; "
		"choose one that is not" );
	ck_assert_ptr_null( strstr( msg, "Password123" ) );
	ck_assert_int_eq( dict( "sunflowers", msg, sizeof( msg ) ), 1 );
	ck_assert_int_eq( dict( "aaaaaaaaaaaa", msg, sizeof( msg ) ), 1 );
	ck_assert_ptr_nonnull( strstr( msg, "too easy to guess" ) );
	ck_assert_int_eq( dict( "Sunflower-Garden-1", msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( dict( "Kq7#vW2p!xZr", msg, sizeof( msg ) ), 0 );
}
END_TEST

static int
hidden( const char *pw, char *msg, size_t len )
{
	msg[0] = '\0';
	return warden_dictionary_check_hidden( NULL, pw, strlen( pw ), msg, len );
}

/* cracklib strips at most three characters from either end: what it
 * passes whole, the unmasked word does not. */
START_TEST( hidden_dictionary_words )
{
	static const char *const weak[] = { "password1234", "Summer2024!!",
		"P@ssw0rd-2024!", "Footb@ll-2024", "2024-Sunsh!ne-99", NULL };
	char msg[256];
	int i;

	for ( i = 0; weak[i]; i++ ) {
		/* the whole password passes cracklib ... */
		ck_assert_msg( dict( weak[i], msg, sizeof( msg ) ) == 0,
			"cracklib refuses %s itself: %s", weak[i], msg );
		/* ... the word it hides does not */
		ck_assert_msg( hidden( weak[i], msg, sizeof( msg ) ) == 1,
			"%s accepted", weak[i] );
		ck_assert_str_eq( msg, "the password is based on a dictionary word "
			"hidden behind digits, symbols or look-alike characters "
			"(such as @ for a or 0 for o); choose one that is not" );
	}
	ck_assert_ptr_null( strstr( msg, "unsh" ) );
	/* not words, or nothing hidden */
	ck_assert_int_eq( hidden( "Correct-Horse-Battery-9", msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( hidden( "Kq7#vW2p!xZr", msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( hidden( "2026-!!-7777", msg, sizeof( msg ) ), 0 );
	/* cracklib's other reasons ("too short") are about the password,
	 * judged whole: "Love" is short, "Love2024!!!!" is not */
	ck_assert_int_eq( hidden( "Love2024!!!!", msg, sizeof( msg ) ), 0 );
	/* a dictionary that cannot be read, only when a lookup is needed */
	ck_assert_int_eq( warden_dictionary_check_hidden( "/nonexistent/dict",
		"Summer2024!!", 12, msg, sizeof( msg ) ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "update-cracklib" ) );
	ck_assert_int_eq( warden_dictionary_check_hidden( "/nonexistent/dict",
		"2026-!!-7777", 12, msg, sizeof( msg ) ), 0 );
}
END_TEST

START_TEST( missing_dictionary )
{
	char msg[256];

	ck_assert_int_eq( warden_dictionary_usable( "/nonexistent/dict", msg,
		sizeof( msg ) ), 0 );
	ck_assert_ptr_nonnull( strstr( msg, "/nonexistent/dict.pwd" ) );
	/* refused cleanly: Debian's cracklib would exit the process */
	ck_assert_int_eq( warden_dictionary_check( "/nonexistent/dict",
		"Password123", 11, msg, sizeof( msg ) ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "update-cracklib" ) );
}
END_TEST

Suite *
dictionary_suite( void )
{
	Suite *s = suite_create( "dictionary" );
	TCase *tc = tcase_create( "cracklib" );

	tcase_add_test( tc, dictionary_words );
	tcase_add_test( tc, hidden_dictionary_words );
	tcase_add_test( tc, missing_dictionary );
	suite_add_tcase( s, tc );
	return s;
}
