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
	suite_add_tcase( s, tc );
	return s;
}
