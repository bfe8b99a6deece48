/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* fuzz_cidr.c - network values of the configuration and of access
 * entries (warden_cidr_parse), slapd's peer names (warden_peer_host,
 * warden_cidr_peer), and listener URLs (warden_url_check, warden_url_same)
 *
 * Input: selector byte, then the value. */

#include <arpa/inet.h>

#include "cidr.h"
#include "fuzz.h"
#include "transitrule.h"

static int
prefix_digits_only( const char *s, size_t len )
{
	const char *slash = memchr( s, '/', len );
	size_t i, n;

	if ( !slash ) return 1;
	n = len - ( slash + 1 - s );
	if ( n < 1 || n > 3 ) return 0;
	for ( i = 0; i < n; i++ )
		if ( slash[1 + i] < '0' || slash[1 + i] > '9' ) return 0;
	return 1;
}

static void
check_cidr( const char *s, size_t len )
{
	warden_cidr c, again, peer;
	char msg[256], text[INET6_ADDRSTRLEN + 8], name[INET6_ADDRSTRLEN + 16];
	unsigned char net[16];
	unsigned i, max;

	msg[0] = '\0';
	if ( warden_cidr_parse( s, len, &c, msg, sizeof( msg ) ) ) {
		FUZZ_ASSERT( msg[0] );
		return;
	}
	/* what was accepted: no NUL, an address, digits after the slash */
	FUZZ_ASSERT( !memchr( s, '\0', len ) );
	FUZZ_ASSERT( prefix_digits_only( s, len ) );
	FUZZ_ASSERT( c.wc_family == 4 || c.wc_family == 6 );
	max = c.wc_family == 4 ? 32 : 128;
	FUZZ_ASSERT( c.wc_bits <= max );
	for ( i = c.wc_bits; i < max; i++ )
		FUZZ_ASSERT( !( c.wc_addr[i / 8] & ( 0x80 >> ( i % 8 ) ) ) );
	/* the canonical form reads back the same */
	memcpy( net, c.wc_addr, 16 );
	FUZZ_ASSERT( inet_ntop( c.wc_family == 4 ? AF_INET : AF_INET6, net,
		text, INET6_ADDRSTRLEN ) );
	snprintf( text + strlen( text ), 8, "/%u", c.wc_bits );
	FUZZ_ASSERT( !warden_cidr_parse( text, strlen( text ), &again, msg,
		sizeof( msg ) ) );
	FUZZ_ASSERT( again.wc_family == c.wc_family && again.wc_bits == c.wc_bits &&
		!memcmp( again.wc_addr, c.wc_addr, 16 ) );
	/* the range holds its own network address, as a peer name */
	inet_ntop( c.wc_family == 4 ? AF_INET : AF_INET6, net, text,
		INET6_ADDRSTRLEN );
	snprintf( name, sizeof( name ), c.wc_family == 4 ? "IP=%s:389" :
		"IP=[%s]:389", text );
	FUZZ_ASSERT( !warden_cidr_peer( name, &peer ) );
	FUZZ_ASSERT( warden_cidr_contains( &c, &peer ) );
	FUZZ_ASSERT( warden_cidr_best_match( &c, 1, &peer ) == (int)c.wc_bits );
}

static void
check_peer( const char *s )
{
	char host[64];
	const char *port = NULL;
	warden_cidr c;

	if ( !warden_peer_host( s, host, sizeof( host ), &port ) ) {
		FUZZ_ASSERT( strlen( host ) < sizeof( host ) );
		if ( port ) FUZZ_ASSERT( port > s && port <= s + strlen( s ) );
	}
	if ( !warden_cidr_peer( s, &c ) )
		FUZZ_ASSERT( c.wc_family == 4 || c.wc_family == 6 );
	(void)warden_transit_protected( 0, 0, 0, s, strlen( s ) );
}

static void
check_url( const char *s, size_t len, const char *t, size_t tlen )
{
	char msg[256];

	msg[0] = '\0';
	if ( warden_url_check( s, len, msg, sizeof( msg ) ) ) {
		FUZZ_ASSERT( msg[0] );
	} else {
		FUZZ_ASSERT( !memchr( s, '\0', len ) );
		/* the same listener as itself */
		FUZZ_ASSERT( warden_url_same( s, len, s, len ) );
	}
	FUZZ_ASSERT( warden_url_same( s, len, t, tlen ) ==
		warden_url_same( t, tlen, s, len ) );
	(void)warden_transit_sends_password( s, len );
}

int
LLVMFuzzerTestOneInput( const uint8_t *data, size_t size )
{
	fuzz_in in = { data, size };
	unsigned sel = fuzz_byte( &in );
	const uint8_t *a, *b;
	size_t alen, blen;
	char *s, *t;

	switch ( sel % 3 ) {
	case 0:
		s = fuzz_dup( in.p, in.n );
		check_cidr( s, in.n );
		free( s );
		break;
	case 1:
		s = fuzz_dup( in.p, in.n );
		check_peer( s );
		free( s );
		break;
	default:
		alen = fuzz_piece( &in, ' ', &a );
		blen = fuzz_piece( &in, ' ', &b );
		s = fuzz_dup( a, alen );
		t = fuzz_dup( b, blen );
		check_url( s, alen, t, blen );
		free( s );
		free( t );
	}
	return 0;
}
