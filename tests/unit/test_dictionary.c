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
	tcase_add_test( tc, missing_dictionary );
	suite_add_tcase( s, tc );
	return s;
}
