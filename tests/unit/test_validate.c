/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* Validation of configuration values: state dir, audit file, version. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include "validate.h"
#include "suites.h"

static char msg[512];

START_TEST( state_dir_accepts_private_dir )
{
	char *d = tu_tmpdir();

	ck_assert_int_eq( warden_check_state_dir( d, msg, sizeof( msg ) ), 0 );
	tu_rmtree( d );
	free( d );
}
END_TEST

START_TEST( state_dir_refusals )
{
	char *d = tu_tmpdir();
	char p[4200];

	ck_assert_int_eq( warden_check_state_dir( "relative/dir", msg, sizeof( msg ) ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "not an absolute path" ) );

	snprintf( p, sizeof( p ), "%s/missing", d );
	ck_assert_int_eq( warden_check_state_dir( p, msg, sizeof( msg ) ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "No such file or directory" ) );

	snprintf( p, sizeof( p ), "%s/file", d );
	tu_write( p, "x", 0600 );
	ck_assert_int_eq( warden_check_state_dir( p, msg, sizeof( msg ) ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "is not a directory" ) );

	chmod( d, 0770 );
	ck_assert_int_eq( warden_check_state_dir( d, msg, sizeof( msg ) ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "writable by group or others" ) );
	ck_assert_ptr_nonnull( strstr( msg, "0770" ) );
	tu_rmtree( d );
	free( d );
}
END_TEST

START_TEST( audit_file_created_private_and_appending )
{
	char *d = tu_tmpdir();
	char p[4200];
	struct stat st;
	int fd;

	snprintf( p, sizeof( p ), "%s/audit.log", d );
	ck_assert_int_eq( warden_check_audit_path( p, msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( stat( p, &st ), -1 );	/* checking creates nothing */
	ck_assert_int_eq( warden_open_audit_file( p, &fd, msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( fstat( fd, &st ), 0 );
	ck_assert_int_eq( st.st_mode & 07777, 0600 );
	ck_assert_int_ne( fcntl( fd, F_GETFL ) & O_APPEND, 0 );
	ck_assert_int_ne( fcntl( fd, F_GETFD ) & FD_CLOEXEC, 0 );
	close( fd );
	tu_rmtree( d );
	free( d );
}
END_TEST

START_TEST( audit_file_refusals )
{
	char *d = tu_tmpdir();
	char p[4200], t[4200];
	int fd = 42;

	ck_assert_int_eq( warden_open_audit_file( "audit.log", &fd, msg, sizeof( msg ) ), -1 );
	ck_assert_int_eq( fd, -1 );
	ck_assert_ptr_nonnull( strstr( msg, "not an absolute path" ) );

	snprintf( p, sizeof( p ), "%s/nodir/audit.log", d );
	ck_assert_int_eq( warden_open_audit_file( p, &fd, msg, sizeof( msg ) ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "does not exist" ) );

	snprintf( p, sizeof( p ), "%s/", d );
	ck_assert_int_eq( warden_check_audit_path( p, msg, sizeof( msg ) ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "names a directory" ) );

	snprintf( t, sizeof( t ), "%s/target", d );
	tu_write( t, "", 0600 );
	snprintf( p, sizeof( p ), "%s/link", d );
	ck_assert_int_eq( symlink( t, p ), 0 );
	ck_assert_int_eq( warden_open_audit_file( p, &fd, msg, sizeof( msg ) ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "symbolic link" ) );

	snprintf( p, sizeof( p ), "%s/fifo", d );
	ck_assert_int_eq( mkfifo( p, 0600 ), 0 );
	ck_assert_int_eq( warden_open_audit_file( p, &fd, msg, sizeof( msg ) ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "not a regular file" ) );

	snprintf( p, sizeof( p ), "%s/shared.log", d );
	tu_write( p, "", 0666 );
	ck_assert_int_eq( warden_open_audit_file( p, &fd, msg, sizeof( msg ) ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "writable by group or others" ) );
	tu_rmtree( d );
	free( d );
}
END_TEST

START_TEST( version_match_is_exact )
{
	const char *vs = "@(#) $OpenLDAP: slapd 2.5.13+dfsg-5 (Feb  8 2023 01:56:12) $\n"
		"\tDebian OpenLDAP Maintainers\n";

	ck_assert_int_eq( warden_version_matches( vs, "2.5.13+dfsg-5" ), 1 );
	ck_assert_int_eq( warden_version_matches( vs, "2.5.13" ), 0 );
	ck_assert_int_eq( warden_version_matches( vs, "2.5.13+dfsg-5+b1" ), 0 );
	ck_assert_int_eq( warden_version_matches( vs, "2.6.10+dfsg-1" ), 0 );
	ck_assert_int_eq( warden_version_matches( vs, "" ), 0 );
	ck_assert_int_eq( warden_version_matches( NULL, "2.5.13" ), 0 );
	ck_assert_int_eq( warden_version_matches(
		"@(#) $OpenLDAP: slapd 2.5.13 (Jan 1 2023) $", "2.5.13" ), 1 );
}
END_TEST

START_TEST( policy_values_in_range )
{
	const warden_policy_range *r;
	int i, bad;

	r = warden_policy_range_find( "PWDMAXFAILURE", 13 );
	ck_assert_ptr_nonnull( r );
	ck_assert_str_eq( r->pr_name, "pwdMaxFailure" );
	ck_assert_ptr_null( warden_policy_range_find( "pwdLockout", 10 ) );
	ck_assert_ptr_null( warden_policy_range_find( "pwdMaxFailur", 12 ) );
	ck_assert_ptr_null( warden_policy_range_find( "oathSecret", 10 ) );

	ck_assert_int_eq( warden_policy_value_check( r, "0", 1, msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( warden_policy_value_check( r, "5", 1, msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( warden_policy_value_check( r, "2147483647", 10, msg,
		sizeof( msg ) ), 0 );
	ck_assert_int_eq( warden_policy_value_check( r, "-1", 2, msg, sizeof( msg ) ), -1 );
	ck_assert_str_eq( msg, "pwdMaxFailure: -1 is out of range: allowed 0 to "
		"2147483647 (0: never lock)" );
	ck_assert_int_eq( warden_policy_value_check( r, "2147483648", 10, msg,
		sizeof( msg ) ), -1 );
	ck_assert_int_eq( warden_policy_value_check( r, "99999999999999999999999",
		23, msg, sizeof( msg ) ), -1 );
	ck_assert_int_eq( warden_policy_value_check( r, "-99999999999999999999999",
		24, msg, sizeof( msg ) ), -1 );
	ck_assert_int_eq( warden_policy_value_check( r, "3x", 2, msg, sizeof( msg ) ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "not an integer" ) );
	ck_assert_int_eq( warden_policy_value_check( r, "-", 1, msg, sizeof( msg ) ), -1 );
	ck_assert_int_eq( warden_policy_value_check( r, "", 0, msg, sizeof( msg ) ), -1 );

	r = warden_policy_range_find( "pwdCheckQuality", 15 );
	ck_assert_int_eq( warden_policy_value_check( r, "2", 1, msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( warden_policy_value_check( r, "3", 1, msg, sizeof( msg ) ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "pwdCheckQuality: 3 is out of range: allowed 0 to 2" ) );
	r = warden_policy_range_find( "wardenLockoutBackoff", 20 );
	ck_assert_int_eq( warden_policy_value_check( r, "0", 1, msg, sizeof( msg ) ), -1 );
	ck_assert_int_eq( warden_policy_value_check( r, "1", 1, msg, sizeof( msg ) ), 0 );
	r = warden_policy_range_find( "wardenMinClasses", 16 );
	ck_assert_int_eq( warden_policy_value_check( r, "5", 1, msg, sizeof( msg ) ), -1 );

	/* every row: its ends pass, one past them does not, and what a bad
	 * stored value reads as is itself in range */
	for ( i = 0; ( r = warden_policy_range_at( i ) ); i++ ) {
		char t[32];
		int n;

		ck_assert( r->pr_min <= r->pr_max );
		ck_assert( r->pr_below >= r->pr_min && r->pr_below <= r->pr_max );
		ck_assert( r->pr_above >= r->pr_min && r->pr_above <= r->pr_max );
		n = snprintf( t, sizeof( t ), "%lld", r->pr_min );
		ck_assert_int_eq( warden_policy_value_check( r, t, n, msg, sizeof( msg ) ), 0 );
		n = snprintf( t, sizeof( t ), "%lld", r->pr_max );
		ck_assert_int_eq( warden_policy_value_check( r, t, n, msg, sizeof( msg ) ), 0 );
		n = snprintf( t, sizeof( t ), "%lld", r->pr_min - 1 );
		ck_assert_int_eq( warden_policy_value_check( r, t, n, msg, sizeof( msg ) ), -1 );
		ck_assert_ptr_nonnull( strstr( msg, r->pr_name ) );
		ck_assert_ptr_nonnull( strstr( msg, "allowed" ) );
		ck_assert_int_eq( warden_policy_value_read( r, t, n, &bad ), r->pr_below );
		ck_assert_int_eq( bad, 1 );
		n = snprintf( t, sizeof( t ), "%lld", r->pr_max + 1 );
		ck_assert_int_eq( warden_policy_value_check( r, t, n, msg, sizeof( msg ) ), -1 );
		ck_assert_int_eq( warden_policy_value_read( r, t, n, &bad ), r->pr_above );
		ck_assert_int_eq( bad, 1 );
	}
	ck_assert_int_ge( i, 24 );
}
END_TEST

START_TEST( policy_values_stored )
{
	const warden_policy_range *r;
	int bad;

	/* a stored -1 is not "never lock" */
	r = warden_policy_range_find( "pwdMaxFailure", 13 );
	ck_assert_int_eq( warden_policy_value_read( r, "-1", 2, &bad ), 1 );
	ck_assert_int_eq( bad, 1 );
	ck_assert_int_eq( warden_policy_value_read( r, "0", 1, &bad ), 0 );
	ck_assert_int_eq( bad, 0 );
	ck_assert_int_eq( warden_policy_value_read( r, "7", 1, &bad ), 7 );
	ck_assert_int_eq( bad, 0 );
	ck_assert_int_eq( warden_policy_value_read( r, "junk", 4, &bad ), 1 );
	ck_assert_int_eq( bad, 1 );
	/* nor does a negative source limit switch the throttle off */
	r = warden_policy_range_find( "wardenSourceMaxFailure", 22 );
	ck_assert_int_eq( warden_policy_value_read( r, "-5", 2, &bad ), 1 );
	/* a negative duration is until unlocked, as 0 is */
	r = warden_policy_range_find( "pwdLockoutDuration", 18 );
	ck_assert_int_eq( warden_policy_value_read( r, "-300", 4, &bad ), 0 );
	ck_assert_int_eq( bad, 1 );
	/* no grace for a negative grace period */
	r = warden_policy_range_find( "wardenMFAGracePeriod", 20 );
	ck_assert_int_eq( warden_policy_value_read( r, "-1", 2, &bad ), 0 );
	r = warden_policy_range_find( "pwdCheckQuality", 15 );
	ck_assert_int_eq( warden_policy_value_read( r, "-1", 2, &bad ), 2 );
	ck_assert_int_eq( warden_policy_value_read( r, "9", 1, &bad ), 2 );
}
END_TEST

START_TEST( policy_lengths_and_seeds )
{
	ck_assert_int_eq( warden_policy_lengths_check( 8, 64, msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( warden_policy_lengths_check( 8, 8, msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( warden_policy_lengths_check( 12, 0, msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( warden_policy_lengths_check( -1, 4, msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( warden_policy_lengths_check( 12, -1, msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( warden_policy_lengths_check( 12, 8, msg, sizeof( msg ) ), -1 );
	ck_assert_str_eq( msg, "pwdMinLength (12) is greater than pwdMaxLength (8): "
		"no password could be set" );
	ck_assert_int_eq( warden_seed_length_check( 16, msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( warden_seed_length_check( 64, msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( warden_seed_length_check( 15, msg, sizeof( msg ) ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "15 bytes" ) );
	ck_assert_ptr_nonnull( strstr( msg, "128 bits" ) );
	ck_assert_int_eq( warden_seed_length_check( 1, msg, sizeof( msg ) ), -1 );
	ck_assert_int_eq( warden_seed_length_check( 0, msg, sizeof( msg ) ), -1 );
}
END_TEST

Suite *
validate_suite( void )
{
	Suite *s = suite_create( "validate" );
	TCase *tc = tcase_create( "config values" );

	tcase_add_test( tc, state_dir_accepts_private_dir );
	tcase_add_test( tc, state_dir_refusals );
	tcase_add_test( tc, audit_file_created_private_and_appending );
	tcase_add_test( tc, audit_file_refusals );
	tcase_add_test( tc, version_match_is_exact );
	tcase_add_test( tc, policy_values_in_range );
	tcase_add_test( tc, policy_values_stored );
	tcase_add_test( tc, policy_lengths_and_seeds );
	suite_add_tcase( s, tc );
	return s;
}
