/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* Which binds need a protected channel; listener URLs. */

#include <string.h>

#include "transitrule.h"
#include "suites.h"

#define S( s )	(s), strlen( s )

START_TEST( mechanisms )
{
	ck_assert( warden_transit_sends_password( NULL, 0 ) );	/* simple */
	ck_assert( warden_transit_sends_password( S( "PLAIN" ) ) );
	ck_assert( warden_transit_sends_password( S( "DIGEST-MD5" ) ) );
	ck_assert( warden_transit_sends_password( S( "SCRAM-SHA-256" ) ) );
	ck_assert( warden_transit_sends_password( S( "CRAM-MD5" ) ) );
	ck_assert( !warden_transit_sends_password( S( "EXTERNAL" ) ) );
	ck_assert( !warden_transit_sends_password( S( "external" ) ) );
	ck_assert( !warden_transit_sends_password( S( "GSSAPI" ) ) );
	/* a prefix or a longer name is another mechanism */
	ck_assert( warden_transit_sends_password( S( "EXTERNALX" ) ) );
	ck_assert( warden_transit_sends_password( "GSSAPI", 3 ) );
	ck_assert( warden_transit_sends_password( S( "" ) ) );
}
END_TEST

START_TEST( channels )
{
	ck_assert( !warden_transit_protected( 0, 0, 0, S( "IP=192.0.2.1:4711" ) ) );
	ck_assert( warden_transit_protected( 256, 0, 0, S( "IP=192.0.2.1:4711" ) ) );
	ck_assert( warden_transit_protected( 0, 71, 0, S( "PATH=/run/ldapi" ) ) );
	/* ldapi with localSSF 0 */
	ck_assert( warden_transit_protected( 0, 0, 0, S( "PATH=/run/ldapi" ) ) );
	/* a SASL layer: integrity alone protects no password */
	ck_assert( !warden_transit_protected( 0, 0, 1, S( "IP=192.0.2.1:1" ) ) );
	ck_assert( warden_transit_protected( 0, 0, 56, S( "IP=192.0.2.1:1" ) ) );
	ck_assert( !warden_transit_protected( 0, 0, 0, NULL, 0 ) );
	ck_assert( !warden_transit_protected( 0, 0, 0, S( "PATH" ) ) );
}
END_TEST

START_TEST( urls )
{
	char msg[128];

	ck_assert( warden_url_same( S( "ldap://127.0.0.1:3891/" ), S( "ldap://127.0.0.1:3891" ) ) );
	ck_assert( warden_url_same( S( "LDAP://LocalHost:389/" ), S( "ldap://localhost" ) ) );
	ck_assert( warden_url_same( S( "ldaps://h/" ), S( "ldaps://h:636" ) ) );
	ck_assert( !warden_url_same( S( "ldaps://h/" ), S( "ldap://h:636" ) ) );
	ck_assert( !warden_url_same( S( "ldap://127.0.0.1:3891/" ), S( "ldap://127.0.0.1:3890/" ) ) );
	ck_assert( !warden_url_same( S( "ldap://127.0.0.1/" ), S( "ldap://127.0.0.2/" ) ) );
	ck_assert( warden_url_same( S( "ldap://[::1]:3891/" ), S( "ldap://[::1]:3891" ) ) );
	ck_assert( !warden_url_same( S( "ldap://[::1]:3891/" ), S( "ldap://[::1]:3892" ) ) );
	ck_assert( warden_url_same( S( "ldapi://%2Frun%2Fslapd%2Fldapi" ),
		S( "ldapi://%2Frun%2Fslapd%2Fldapi/" ) ) );
	ck_assert( !warden_url_same( S( "ldapi://%2Frun%2Fa" ), S( "ldapi://%2Frun%2Fb" ) ) );
	/* not comparable: never the same */
	ck_assert( !warden_url_same( S( "http://h/" ), S( "http://h/" ) ) );

	ck_assert_int_eq( warden_url_check( S( "ldap://127.0.0.1:3891/" ), msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( warden_url_check( S( "ldap://[2001:db8::1]/" ), msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( warden_url_check( S( "ldapi:///" ), msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( warden_url_check( S( "127.0.0.1:3891" ), msg, sizeof( msg ) ), -1 );
	ck_assert_str_eq( msg, "is not an ldap://, ldaps:// or ldapi:// URL" );
	ck_assert_int_eq( warden_url_check( S( "ldap://h:99999/" ), msg, sizeof( msg ) ), -1 );
	ck_assert( strstr( msg, "1 to 65535" ) );
	ck_assert_int_eq( warden_url_check( S( "ldap://h:0/" ), msg, sizeof( msg ) ), -1 );
	ck_assert_int_eq( warden_url_check( S( "ldap://h:/" ), msg, sizeof( msg ) ), -1 );
	ck_assert_int_eq( warden_url_check( S( "ldap://h:38x9/" ), msg, sizeof( msg ) ), -1 );
	/* every address, as slapd -h takes it */
	ck_assert_int_eq( warden_url_check( S( "ldap://:3891/" ), msg, sizeof( msg ) ), 0 );
	ck_assert( warden_url_same( S( "ldap://:3891/" ), S( "ldap://:3891" ) ) );
	ck_assert( !warden_url_same( S( "ldap://:3891/" ), S( "ldap://127.0.0.1:3891/" ) ) );
	ck_assert_int_eq( warden_url_check( S( "ldap://h/dc=x??sub" ), msg, sizeof( msg ) ), -1 );
	ck_assert_int_eq( warden_url_check( S( "ldap://[::1/" ), msg, sizeof( msg ) ), -1 );
	ck_assert_int_eq( warden_url_check( S( "ldapi:///run/ldapi" ), msg, sizeof( msg ) ), -1 );
	ck_assert( strstr( msg, "%2F" ) );
	/* found by tests/fuzz/fuzz_cidr: a NUL inside is refused, not
	 * compared as part of the host */
#define B( s )	(s), sizeof( s ) - 1
	ck_assert_int_eq( warden_url_check( B( "ldap://host.examp\0" "10.0.0.1:389" ), msg,
		sizeof( msg ) ), -1 );
	ck_assert_str_eq( msg, "contains a NUL byte" );
	ck_assert( !warden_url_same( B( "ldapi://%2Frun\0x" ), B( "ldapi://%2Frun\0x" ) ) );
#undef B
}
END_TEST

Suite *
transit_suite( void )
{
	Suite *s = suite_create( "transit" );
	TCase *tc = tcase_create( "rules" );

	tcase_add_test( tc, mechanisms );
	tcase_add_test( tc, channels );
	tcase_add_test( tc, urls );
	suite_add_tcase( s, tc );
	return s;
}
