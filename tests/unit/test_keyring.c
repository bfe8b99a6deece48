/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* Key file parsing and its refusals; no key material in messages. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "keyring.h"
#include "suites.h"

#define K1 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define K2 "FFEEDDCCBBAA99887766554433221100ffeeddccbbaa99887766554433221100"

static char msg[512];

static int
load_text( const char *text, int mode, warden_keyring **ring )
{
	char *d = tu_tmpdir();
	char p[4200];
	int rc;

	snprintf( p, sizeof( p ), "%s/keys", d );
	tu_write( p, text, mode );
	msg[0] = '\0';
	rc = warden_keyring_load( p, ring, msg, sizeof( msg ) );
	tu_rmtree( d );
	free( d );
	return rc;
}

START_TEST( loads_keys_first_is_active )
{
	warden_keyring *ring = NULL;
	const warden_key *k;

	ck_assert_int_eq( load_text( "# rotated 2026-11\n\n"
		"k2026 " K1 "\n  k2025\t" K2 "  \r\n", 0600, &ring ), 0 );
	ck_assert_int_eq( ring->wr_count, 2 );
	ck_assert_str_eq( ring->wr_keys[0].wk_id, "k2026" );
	ck_assert_int_eq( ring->wr_keys[0].wk_key[0], 0x00 );
	ck_assert_int_eq( ring->wr_keys[0].wk_key[31], 0x1f );
	k = warden_keyring_find( ring, "k2025" );
	ck_assert_ptr_nonnull( k );
	ck_assert_int_eq( k->wk_key[0], 0xff );
	ck_assert_int_eq( k->wk_key[31], 0x00 );
	ck_assert_ptr_null( warden_keyring_find( ring, "k2024" ) );
	warden_keyring_free( ring );
}
END_TEST

START_TEST( refuses_loose_permissions )
{
	warden_keyring *ring = NULL;

	ck_assert_int_eq( load_text( "k " K1 "\n", 0640, &ring ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "accessible by group or others" ) );
	ck_assert_ptr_nonnull( strstr( msg, "chmod 600" ) );
	warden_keyring_free( ring );
	ring = NULL;
	ck_assert_int_eq( load_text( "k " K1 "\n", 0604, &ring ), -1 );
	warden_keyring_free( ring );
}
END_TEST

START_TEST( refuses_bad_content_without_echoing_it )
{
	warden_keyring *ring = NULL;
	/* 63 hex digits: one short */
	const char *shortkey = "k " "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1" "\n";

	ck_assert_int_eq( load_text( shortkey, 0600, &ring ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "line 1" ) );
	ck_assert_ptr_nonnull( strstr( msg, "64 hex digits" ) );
	ck_assert_ptr_null( strstr( msg, "0a0b0c" ) );
	warden_keyring_free( ring ); ring = NULL;

	ck_assert_int_eq( load_text( "k " K1 "zz\n", 0600, &ring ), -1 );
	ck_assert_ptr_null( strstr( msg, "0a0b0c" ) );
	warden_keyring_free( ring ); ring = NULL;

	ck_assert_int_eq( load_text( "a " K1 "\n# x\na " K2 "\n", 0600, &ring ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "line 3" ) );
	ck_assert_ptr_nonnull( strstr( msg, "used twice" ) );
	warden_keyring_free( ring ); ring = NULL;

	ck_assert_int_eq( load_text( "# nothing\n\n", 0600, &ring ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "holds no key" ) );
	warden_keyring_free( ring ); ring = NULL;

	ck_assert_int_eq( load_text( K1 "\n", 0600, &ring ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "expected a key id" ) );
	warden_keyring_free( ring ); ring = NULL;

	ck_assert_int_eq( load_text( "k/1 " K1 "\n", 0600, &ring ), -1 );
	warden_keyring_free( ring ); ring = NULL;
}
END_TEST

START_TEST( refuses_non_files )
{
	warden_keyring *ring = NULL;
	char *d = tu_tmpdir();
	char p[4200];

	ck_assert_int_eq( warden_keyring_load( d, &ring, msg, sizeof( msg ) ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "not a regular file" ) );
	warden_keyring_free( ring ); ring = NULL;
	snprintf( p, sizeof( p ), "%s/none", d );
	ck_assert_int_eq( warden_keyring_load( p, &ring, msg, sizeof( msg ) ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "cannot open" ) );
	warden_keyring_free( ring ); ring = NULL;
	ck_assert_int_eq( warden_keyring_load( "keys", &ring, msg, sizeof( msg ) ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "absolute" ) );
	tu_rmtree( d );
	free( d );
}
END_TEST

Suite *
keyring_suite( void )
{
	Suite *s = suite_create( "keyring" );
	TCase *tc = tcase_create( "key file" );

	tcase_add_test( tc, loads_keys_first_is_active );
	tcase_add_test( tc, refuses_loose_permissions );
	tcase_add_test( tc, refuses_bad_content_without_echoing_it );
	tcase_add_test( tc, refuses_non_files );
	suite_add_tcase( s, tc );
	return s;
}
