/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* The LMDB state store: creation, exclusivity, format check. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lmdb.h>

#include "store.h"
#include "suites.h"

static char msg[512];

START_TEST( opens_creates_private_files )
{
	char *d = tu_tmpdir();
	char p[4200];
	warden_store *st = NULL;
	struct stat sb;

	ck_assert_int_eq( warden_store_open( d, &st, msg, sizeof( msg ) ), 0 );
	ck_assert_str_eq( warden_store_dir( st ), d );
	snprintf( p, sizeof( p ), "%s/data.mdb", d );
	ck_assert_int_eq( stat( p, &sb ), 0 );
	ck_assert_int_eq( sb.st_mode & 0777, 0600 );
	warden_store_close( st );
	/* and again, now that it exists */
	ck_assert_int_eq( warden_store_open( d, &st, msg, sizeof( msg ) ), 0 );
	warden_store_close( st );
	tu_rmtree( d );
	free( d );
}
END_TEST

START_TEST( refuses_second_open_in_process )
{
	char *d = tu_tmpdir();
	char p[4200];
	warden_store *a = NULL, *b = NULL;

	ck_assert_int_eq( warden_store_open( d, &a, msg, sizeof( msg ) ), 0 );
	/* the same directory by another name */
	snprintf( p, sizeof( p ), "%s/.", d );
	ck_assert_int_eq( warden_store_open( p, &b, msg, sizeof( msg ) ), -1 );
	ck_assert_ptr_null( b );
	ck_assert_ptr_nonnull( strstr( msg, "already the state directory" ) );
	warden_store_close( a );
	ck_assert_int_eq( warden_store_open( p, &b, msg, sizeof( msg ) ), 0 );
	warden_store_close( b );
	tu_rmtree( d );
	free( d );
}
END_TEST

START_TEST( refuses_other_format )
{
	char *d = tu_tmpdir();
	warden_store *st = NULL;
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { 6, "format" }, v = { 2, "99" };

	ck_assert_int_eq( mdb_env_create( &env ), 0 );
	mdb_env_set_maxdbs( env, 8 );
	ck_assert_int_eq( mdb_env_open( env, d, 0, 0600 ), 0 );
	ck_assert_int_eq( mdb_txn_begin( env, NULL, 0, &txn ), 0 );
	ck_assert_int_eq( mdb_dbi_open( txn, "meta", MDB_CREATE, &dbi ), 0 );
	ck_assert_int_eq( mdb_put( txn, dbi, &k, &v, 0 ), 0 );
	ck_assert_int_eq( mdb_txn_commit( txn ), 0 );
	mdb_env_close( env );

	ck_assert_int_eq( warden_store_open( d, &st, msg, sizeof( msg ) ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "format 99" ) );
	/* the refused store is released: a retry gives the same answer */
	ck_assert_int_eq( warden_store_open( d, &st, msg, sizeof( msg ) ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "format 99" ) );
	tu_rmtree( d );
	free( d );
}
END_TEST

START_TEST( refuses_missing_dir )
{
	warden_store *st = NULL;

	ck_assert_int_eq( warden_store_open( "/nonexistent/warden", &st, msg, sizeof( msg ) ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "No such file" ) );
}
END_TEST

Suite *
store_suite( void )
{
	Suite *s = suite_create( "store" );
	TCase *tc = tcase_create( "environment" );

	tcase_add_test( tc, opens_creates_private_files );
	tcase_add_test( tc, refuses_second_open_in_process );
	tcase_add_test( tc, refuses_other_format );
	tcase_add_test( tc, refuses_missing_dir );
	suite_add_tcase( s, tc );
	return s;
}
