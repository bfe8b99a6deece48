/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* Networks of system entries and client addresses. */

#include <string.h>

#include "cidr.h"
#include "suites.h"

static int
in( const char *range, const char *peer )
{
	warden_cidr r, a;
	char msg[128];

	ck_assert_msg( !warden_cidr_parse( range, strlen( range ), &r, msg,
		sizeof( msg ) ), "%s: %s", range, msg );
	ck_assert_int_eq( warden_cidr_peer( peer, &a ), 0 );
	return warden_cidr_contains( &r, &a );
}

START_TEST( ranges_and_peers )
{
	ck_assert( in( "192.0.2.0/24", "IP=192.0.2.7:4711" ) );
	ck_assert( !in( "192.0.2.0/24", "IP=192.0.3.7:4711" ) );
	ck_assert( in( "192.0.2.7", "IP=192.0.2.7:1" ) );
	ck_assert( !in( "192.0.2.7", "IP=192.0.2.8:1" ) );
	ck_assert( in( "10.0.0.0/8", "IP=10.255.1.2:1" ) );
	ck_assert( in( "0.0.0.0/0", "IP=203.0.113.9:1" ) );
	ck_assert( in( "172.16.0.0/12", "IP=172.31.255.255:1" ) );
	ck_assert( !in( "172.16.0.0/12", "IP=172.32.0.0:1" ) );
	ck_assert( in( "2001:db8::/32", "IP=[2001:db8:1::7]:4711" ) );
	ck_assert( !in( "2001:db8::/32", "IP=[2001:db9::7]:4711" ) );
	ck_assert( in( "::1", "IP=[::1]:389" ) );
	/* an IPv4 client on an IPv6 socket */
	ck_assert( in( "127.0.0.0/8", "IP=[::ffff:127.0.0.2]:5000" ) );
	/* families never match each other */
	ck_assert( !in( "::/0", "IP=127.0.0.1:1" ) );
	ck_assert( !in( "0.0.0.0/0", "IP=[::1]:1" ) );
}
END_TEST

START_TEST( malformed )
{
	static const char *bad[] = { "", "300.1.1.1", "192.0.2.0/33",
		"192.0.2.0/", "192.0.2.0/x", "192.0.2.1/24", "2001:db8::/129",
		"host.example.org", "192.0.2.0/-1", "2001:db8::1/64", NULL };
	warden_cidr r, a;
	char msg[128];
	int i;

	for ( i = 0; bad[i]; i++ ) {
		msg[0] = '\0';
		ck_assert_msg( warden_cidr_parse( bad[i], strlen( bad[i] ), &r, msg,
			sizeof( msg ) ) == -1, "%s accepted", bad[i] );
		ck_assert( msg[0] );
	}
	/* found by tests/fuzz/fuzz_cidr: the prefix is digits only, and a
	 * NUL does not end the value early */
	static const char *sloppy[] = { "10.0.0.0/+24", "10.0.0.0/ 24",
		"10.0.0.0/-0", "10.0.0.0/0024", "10.0.0.0/24 ", NULL };

	for ( i = 0; sloppy[i]; i++ )
		ck_assert_msg( warden_cidr_parse( sloppy[i], strlen( sloppy[i] ), &r,
			msg, sizeof( msg ) ) == -1, "%s accepted", sloppy[i] );
	ck_assert_int_eq( warden_cidr_parse( "10.0.0.0\0/24", 12, &r, msg,
		sizeof( msg ) ), -1 );
	ck_assert_int_eq( warden_cidr_parse( "10.0.0.0\0", 9, &r, msg,
		sizeof( msg ) ), -1 );
	ck_assert_int_eq( warden_cidr_parse( "10.0.0.0/08", 11, &r, msg,
		sizeof( msg ) ), 0 );
	ck_assert_int_eq( r.wc_bits, 8 );
	warden_cidr_parse( "192.0.2.1/24", 12, &r, msg, sizeof( msg ) );
	ck_assert_ptr_nonnull( strstr( msg, "network address" ) );
	ck_assert_int_eq( warden_cidr_peer( "PATH=/run/ldapi", &a ), -1 );
	ck_assert_int_eq( warden_cidr_peer( "IP=[::1", &a ), -1 );
}
END_TEST

/* the one reading of slapd's peer name: address and port, both forms */
START_TEST( peer_host_and_port )
{
	char host[64];
	const char *port;

	ck_assert_int_eq( warden_peer_host( "IP=192.0.2.7:4711", host,
		sizeof( host ), &port ), 0 );
	ck_assert_str_eq( host, "192.0.2.7" );
	ck_assert_str_eq( port, "4711" );
	ck_assert_int_eq( warden_peer_host( "IP=[2001:db8::7]:389", host,
		sizeof( host ), &port ), 0 );
	ck_assert_str_eq( host, "2001:db8::7" );
	ck_assert_str_eq( port, "389" );
	ck_assert_int_eq( warden_peer_host( "IP=[::ffff:192.0.2.1]:1", host,
		sizeof( host ), NULL ), 0 );
	ck_assert_str_eq( host, "::ffff:192.0.2.1" );
	ck_assert_int_eq( warden_peer_host( "PATH=/run/ldapi", host,
		sizeof( host ), &port ), -1 );
	ck_assert_ptr_null( port );
	ck_assert_int_eq( warden_peer_host( "IP=[::1", host, sizeof( host ),
		&port ), -1 );
	ck_assert_int_eq( warden_peer_host( "IP=192.0.2.7:1", host, 9, &port ),
		-1 );		/* 9 bytes hold 8 characters, not 9 */
}
END_TEST

START_TEST( most_specific_match )
{
	const char *nets[] = { "127.0.0.0/8", "127.0.0.9", "127.0.0.0/24",
		"10.0.0.0/8", "::1", NULL };
	warden_cidr r[5], a;
	char msg[128];
	int i;

	for ( i = 0; nets[i]; i++ )
		ck_assert_int_eq( warden_cidr_parse( nets[i], strlen( nets[i] ),
			&r[i], msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( warden_cidr_peer( "IP=127.0.0.9:4711", &a ), 0 );
	/* the address itself beats the /24 and the /8, in any order */
	ck_assert_int_eq( warden_cidr_best_match( r, 5, &a ), 32 );
	ck_assert_int_eq( warden_cidr_best_match( r + 2, 3, &a ), 24 );
	ck_assert_int_eq( warden_cidr_best_match( r, 1, &a ), 8 );
	ck_assert_int_eq( warden_cidr_best_match( r + 3, 2, &a ), -1 );
	ck_assert_int_eq( warden_cidr_best_match( r, 0, &a ), -1 );
	ck_assert_int_eq( warden_cidr_peer( "IP=127.0.1.2:4711", &a ), 0 );
	ck_assert_int_eq( warden_cidr_best_match( r, 5, &a ), 8 );
	ck_assert_int_eq( warden_cidr_peer( "IP=[::1]:4711", &a ), 0 );
	ck_assert_int_eq( warden_cidr_best_match( r, 5, &a ), 128 );
}
END_TEST

Suite *
cidr_suite( void )
{
	Suite *s = suite_create( "cidr" );
	TCase *tc = tcase_create( "cidr" );

	tcase_add_test( tc, ranges_and_peers );
	tcase_add_test( tc, malformed );
	tcase_add_test( tc, most_specific_match );
	tcase_add_test( tc, peer_host_and_port );
	suite_add_tcase( s, tc );
	return s;
}
