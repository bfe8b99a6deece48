/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* What wardenctl check calls a secret stored in the clear
 * (contrib/wardenctl-check.c). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wardenctl.h"
#include "suites.h"

static const char *
why( const char *attr, const char *val )
{
	return wc_check_value( attr, strlen( attr ), (const unsigned char *)val,
		strlen( val ) );
}

START_TEST( passwords )
{
	ck_assert_ptr_null( why( "userPassword", "{SSHA}abcdefgh" ) );
	ck_assert_ptr_null( why( "USERPASSWORD", "{ARGON2}$argon2id$v=19$m=65536" ) );
	ck_assert_ptr_null( why( "userPassword", "{CRYPT}$6$salt$hash" ) );
	ck_assert_ptr_null( why( "userPassword", "{SASL}alice@EXAMPLE.ORG" ) );
	ck_assert_ptr_null( why( "userPassword", "{x-my.scheme+1}v" ) );
	ck_assert_ptr_nonnull( why( "userPassword", "Alice-pass-2026!" ) );
	ck_assert_ptr_nonnull( why( "userPassword", "{CLEARTEXT}secret" ) );
	ck_assert_ptr_nonnull( why( "userPassword", "{cleartext}secret" ) );
	ck_assert_ptr_nonnull( why( "userPassword", "{SSHA}" ) );	/* no value */
	ck_assert_ptr_nonnull( why( "userPassword", "{}x" ) );
	ck_assert_ptr_nonnull( why( "userPassword", "{no space}x" ) );
	ck_assert_ptr_nonnull( why( "userPassword", "" ) );
	ck_assert_ptr_nonnull( strstr( why( "userPassword", "x" ), "cleartext" ) );
	/* found by tests/fuzz/fuzz_check: a NUL in the scheme is no scheme
	 * character (strchr found the terminator) */
	ck_assert_ptr_nonnull( wc_check_value( "userPassword", 12,
		(const unsigned char *)"{SS\0A}abcdef", 13 ) );
}
END_TEST

/* wardenctl check on a file of text; its exit status */
static int
check_text( const char *text )
{
	char path[] = "/tmp/wcheck.XXXXXX", *argv[] = { "check", path, NULL };
	int fd = mkstemp( path ), rc;
	FILE *out;

	ck_assert_int_ge( fd, 0 );
	ck_assert_int_eq( write( fd, text, strlen( text ) ), (int)strlen( text ) );
	close( fd );
	out = freopen( "/dev/null", "w", stdout );
	ck_assert_ptr_nonnull( out );
	rc = wc_check( 2, argv );
	unlink( path );
	return rc;
}

/* found by tests/fuzz/fuzz_check: a DN in base64 that does not decode
 * after another DN freed that one twice (the entry's DN was freed, the
 * error returned before a new one was set, and the end freed it again) */
START_TEST( bad_base64_dn )
{
	ck_assert_int_eq( check_text( "dn: uid=a,dc=example,dc=test\n"
		"userPassword: {SSHA}abcdef\n\n"
		"dn: uid=b,dc=example,dc=test\ndn:: d!!!\n" ), 2 );
	ck_assert_int_eq( check_text( "dn: uid=a,dc=test\ndn:: AAA\n" ), 2 );
	ck_assert_int_eq( check_text( "dn:: dWlkPWE=\nuserPassword: clear\n" ), 1 );
}
END_TEST

START_TEST( seeds_and_codes )
{
	ck_assert_ptr_null( why( "oathSecret", "{WARDEN1}k1$AAAA" ) );
	ck_assert_ptr_nonnull( why( "oathSecret", "0123456789abcdef0123" ) );
	ck_assert_ptr_nonnull( why( "oathsecret", "{WARDEN2}k1$AAAA" ) );
	ck_assert_ptr_nonnull( strstr( why( "oathSecret", "raw" ), "rewrap" ) );
	ck_assert_ptr_null( why( "wardenRecoveryCode", "{WARDENRC1}0$1$ab$cd" ) );
	ck_assert_ptr_nonnull( why( "wardenRecoveryCode", "abcde-fghij" ) );
	/* other attributes are not looked at */
	ck_assert_ptr_null( why( "description", "Alice-pass-2026!" ) );
	ck_assert_ptr_null( why( "userPasswordX", "clear" ) );
	ck_assert_ptr_null( why( "pwdHistory", "20260101000000Z#1.3.6.1.4.1.1466.115.121.1.40#4#pass" ) );
}
END_TEST

Suite *
check_suite( void )
{
	Suite *s = suite_create( "check" );
	TCase *tc = tcase_create( "values" );

	tcase_add_test( tc, passwords );
	tcase_add_test( tc, seeds_and_codes );
	tcase_add_test( tc, bad_base64_dn );
	suite_add_tcase( s, tc );
	return s;
}
