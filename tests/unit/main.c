/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* Unit tests of warden's pure logic: no slapd involved. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include "suites.h"

char *
tu_tmpdir( void )
{
	char tmpl[] = "/tmp/warden-unit-XXXXXX";
	char *d = mkdtemp( tmpl );

	ck_assert_ptr_nonnull( d );
	chmod( d, 0700 );
	return strdup( d );
}

void
tu_rmtree( const char *dir )
{
	char cmd[4200];

	snprintf( cmd, sizeof( cmd ), "rm -rf '%s'", dir );
	if ( system( cmd ) != 0 ) fprintf( stderr, "cannot remove %s\n", dir );
}

void
tu_write( const char *path, const char *text, int mode )
{
	int fd = open( path, O_WRONLY | O_CREAT | O_TRUNC, mode );

	ck_assert_int_ge( fd, 0 );
	ck_assert_int_eq( write( fd, text, strlen( text ) ), (ssize_t)strlen( text ) );
	close( fd );
	chmod( path, mode );
}

int
main( void )
{
	SRunner *sr = srunner_create( validate_suite() );
	int failed;

	srunner_add_suite( sr, keyring_suite() );
	srunner_add_suite( sr, store_suite() );
	srunner_add_suite( sr, subjcache_suite() );
	srunner_add_suite( sr, base64_suite() );
	srunner_add_suite( sr, accesscache_suite() );
	srunner_add_suite( sr, lrutab_suite() );
	srunner_add_suite( sr, lockstate_suite() );
	srunner_add_suite( sr, peerstate_suite() );
	srunner_add_suite( sr, throttle_suite() );
	srunner_add_suite( sr, dedup_suite() );
	srunner_add_suite( sr, quality_suite() );
	srunner_add_suite( sr, dictionary_suite() );
	srunner_add_suite( sr, cidr_suite() );
	srunner_add_suite( sr, banned_suite() );
	srunner_add_suite( sr, totp_suite() );
	srunner_add_suite( sr, secret_suite() );
	srunner_add_suite( sr, recovery_suite() );
	srunner_add_suite( sr, otpstate_suite() );
	srunner_add_suite( sr, codestate_suite() );
	srunner_add_suite( sr, otpauth_suite() );
	srunner_add_suite( sr, auditjson_suite() );
	srunner_add_suite( sr, auditlog_suite() );
	srunner_add_suite( sr, auditagg_suite() );
	srunner_add_suite( sr, transit_suite() );
	srunner_add_suite( sr, check_suite() );
	srunner_add_suite( sr, rules_suite() );
	srunner_add_suite( sr, expiry_suite() );
	srunner_add_suite( sr, usability_suite() );
	srunner_add_suite( sr, sshkey_suite() );
	srunner_run_all( sr, CK_NORMAL );
	failed = srunner_ntests_failed( sr );
	srunner_free( sr );
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
