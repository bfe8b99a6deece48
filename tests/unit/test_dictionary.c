/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* The cracklib dictionary check, against Debian's dictionary. */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Builds a dictionary of the given words at dir/dict with cracklib's own
 * packer (cracklib-runtime), into a new file that then replaces the old,
 * as update-cracklib does. */
static void
pack( const char *dir, const char *words )
{
	char cmd[1024];
	int rc;

	snprintf( cmd, sizeof( cmd ), "set -e; cd %s; printf '%s' | "
		"/usr/sbin/cracklib-packer new >/dev/null 2>&1; "
		"for e in pwd pwi hwm; do mv new.$e dict.$e; done", dir, words );
	rc = system( cmd );
	ck_assert_int_eq( rc, 0 );
}

/* The dictionary stays open in memory: a new one written over it counts
 * within a second or two, without a restart. */
START_TEST( replaced_dictionary_is_read_again )
{
	char dir[] = "/tmp/warden-dict-XXXXXX", path[64], msg[256];

	ck_assert_ptr_nonnull( mkdtemp( dir ) );
	snprintf( path, sizeof( path ), "%s/dict", dir );
	pack( dir, "harmonica\nzeppelin\n" );
	ck_assert_int_eq( warden_dictionary_check( path, "Zeppelin42",
		10, msg, sizeof( msg ) ), 1 );
	ck_assert_int_eq( warden_dictionary_check( path, "Quokka42x",
		9, msg, sizeof( msg ) ), 0 );
	pack( dir, "harmonica\nquokka\n" );
	sleep( 2 );
	ck_assert_int_eq( warden_dictionary_check( path, "Quokka42x",
		9, msg, sizeof( msg ) ), 1 );
	ck_assert_int_eq( warden_dictionary_check( path, "Zeppelin42",
		10, msg, sizeof( msg ) ), 0 );
	/* gone: refused as unreadable, not passed */
	snprintf( msg, sizeof( msg ), "rm -rf %s", dir );
	ck_assert_int_eq( system( msg ), 0 );
	sleep( 2 );
	ck_assert_int_eq( warden_dictionary_check( path, "Quokka42x",
		9, msg, sizeof( msg ) ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "update-cracklib" ) );
	/* and the default one opens again after it */
	ck_assert_int_eq( dict( "Password123", msg, sizeof( msg ) ), 1 );
}
END_TEST

/* warden's own lookups (the hidden word) search cracklib's words in
 * memory: every word of a dictionary of several hundred blocks is found,
 * the first and the last too, and no word between two of them is. */
START_TEST( hidden_words_found_across_the_dictionary )
{
	static const char set[] = "acegikmoqsuy";	/* no two a step apart */
	enum { N = 1000 };
	char dir[] = "/tmp/warden-dict-XXXXXX", path[64], msg[256];
	char *words = malloc( N * 10 + 1 ), pw[32];
	int i;

	ck_assert_ptr_nonnull( words );
	ck_assert_ptr_nonnull( mkdtemp( dir ) );
	snprintf( path, sizeof( path ), "%s/dict", dir );
	/* in order: wzw, three letters of set counting up, nrt */
	for ( i = 0; i < N; i++ )
		snprintf( words + i * 10, 11, "wzw%c%c%cnrt\n",
			set[i / 144 % 12], set[i / 12 % 12], set[i % 12] );
	snprintf( pw, sizeof( pw ), "%s/words", dir );
	tu_write( pw, words, 0600 );
	snprintf( msg, sizeof( msg ), "set -e; cd %s; /usr/sbin/cracklib-packer "
		"dict < words >/dev/null 2>&1", dir );
	ck_assert_int_eq( system( msg ), 0 );
	for ( i = 0; i < N; i++ ) {
		/* 2024-wzwXXXnrt-99 hides wzwXXXnrt */
		snprintf( pw, sizeof( pw ), "2024-%.9s-99", words + i * 10 );
		ck_assert_msg( warden_dictionary_check_hidden( path, pw,
			strlen( pw ), msg, sizeof( msg ) ) == 1,
			"word %d (%.9s) not found", i, words + i * 10 );
		/* ...nru sorts between it and the next */
		pw[5 + 8] = 'u';
		ck_assert_msg( warden_dictionary_check_hidden( path, pw,
			strlen( pw ), msg, sizeof( msg ) ) == 0,
			"%s found, not in the dictionary", pw );
	}
	snprintf( msg, sizeof( msg ), "rm -rf %s", dir );
	ck_assert_int_eq( system( msg ), 0 );
	free( words );
}
END_TEST

/* Checks from many threads at once each get their own answer. */
static void *
dict_thread( void *arg )
{
	static const char *const words[] = { "sunflowers", "Kq7#vW2p!xZr",
		"Password123", "Sunflower-Garden-1" };
	static const int want[] = { 1, 0, 1, 0 };
	long wrong = 0;
	char msg[256];
	int i;

	(void)arg;
	for ( i = 0; i < 200; i++ ) {
		const char *w = words[i % 4];

		if ( warden_dictionary_check( NULL, w, strlen( w ), msg,
				sizeof( msg ) ) != want[i % 4] )
			wrong++;
	}
	return (void *)wrong;
}

START_TEST( concurrent_checks )
{
	pthread_t t[4];
	void *wrong;
	int i;

	for ( i = 0; i < 4; i++ )
		ck_assert_int_eq( pthread_create( &t[i], NULL, dict_thread,
			NULL ), 0 );
	for ( i = 0; i < 4; i++ ) {
		pthread_join( t[i], &wrong );
		ck_assert_int_eq( (long)wrong, 0 );
	}
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
	tcase_add_test( tc, replaced_dictionary_is_read_again );
	tcase_add_test( tc, hidden_words_found_across_the_dictionary );
	tcase_add_test( tc, concurrent_checks );
	tcase_set_timeout( tc, 60 );
	suite_add_tcase( s, tc );
	return s;
}
