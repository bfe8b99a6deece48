/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* cidr.c - client addresses and the networks systems are matched by */

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cidr.h"

static const unsigned char cidr_mapped[12] =
	{ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

static int
cidr_addr( const char *s, warden_cidr *out )
{
	memset( out, 0, sizeof( *out ) );
	if ( inet_pton( AF_INET, s, out->wc_addr ) == 1 ) {
		out->wc_family = 4;
		out->wc_bits = 32;
		return 0;
	}
	if ( inet_pton( AF_INET6, s, out->wc_addr ) == 1 ) {
		/* an IPv4 client on an IPv6 socket */
		if ( !memcmp( out->wc_addr, cidr_mapped, 12 ) ) {
			memmove( out->wc_addr, out->wc_addr + 12, 4 );
			memset( out->wc_addr + 4, 0, 12 );
			out->wc_family = 4;
			out->wc_bits = 32;
		} else {
			out->wc_family = 6;
			out->wc_bits = 128;
		}
		return 0;
	}
	return -1;
}

int
warden_cidr_parse( const char *s, size_t len, warden_cidr *out, char *msg,
	size_t msglen )
{
	char buf[64], *slash, *end;
	unsigned max, i;
	long bits;

	/* a NUL would end the text early: "10.0.0.0\0/8" is not 10.0.0.0 */
	if ( len == 0 || len >= sizeof( buf ) || memchr( s, '\0', len ) ) {
		snprintf( msg, msglen, "not an address or CIDR range" );
		return -1;
	}
	memcpy( buf, s, len );
	buf[len] = '\0';
	slash = strchr( buf, '/' );
	if ( slash ) *slash = '\0';
	if ( cidr_addr( buf, out ) ) {
		snprintf( msg, msglen, "\"%s\" is not an IPv4 or IPv6 address",
			buf );
		return -1;
	}
	max = out->wc_family == 4 ? 32 : 128;
	if ( slash ) {
		/* digits only: strtol would also take " 24", "+24" and "-0" */
		bits = strtol( slash + 1, &end, 10 );
		if ( !slash[1] || *end || strspn( slash + 1, "0123456789" ) !=
				strlen( slash + 1 ) || strlen( slash + 1 ) > 3 ||
				bits < 0 || bits > (long)max ) {
			snprintf( msg, msglen, "the prefix length must be 0 to %u",
				max );
			return -1;
		}
		out->wc_bits = bits;
	}
	for ( i = out->wc_bits; i < max; i++ ) {
		if ( out->wc_addr[i / 8] & ( 0x80 >> ( i % 8 ) ) ) {
			snprintf( msg, msglen, "the address has bits set beyond "
				"the /%u prefix (give the network address)",
				out->wc_bits );
			return -1;
		}
	}
	return 0;
}

int
warden_peer_host( const char *peer, char *host, size_t hostlen,
	const char **port )
{
	const char *p, *end;
	size_t n;

	if ( port ) *port = NULL;
	if ( strncmp( peer, "IP=", 3 ) ) return -1;
	p = peer + 3;
	if ( *p == '[' ) {
		end = strchr( p, ']' );
		if ( !end ) return -1;
		if ( port && end[1] == ':' ) *port = end + 2;
		n = end - p - 1;
		p++;
	} else {
		end = strrchr( p, ':' );
		if ( port && end ) *port = end + 1;
		n = end ? (size_t)( end - p ) : strlen( p );
	}
	if ( n >= hostlen ) return -1;
	memcpy( host, p, n );
	host[n] = '\0';
	return 0;
}

int
warden_cidr_peer( const char *peer, warden_cidr *out )
{
	char buf[64];

	if ( warden_peer_host( peer, buf, sizeof( buf ), NULL ) ) return -1;
	return cidr_addr( buf, out );
}

int
warden_cidr_contains( const warden_cidr *range, const warden_cidr *addr )
{
	unsigned full, rest;

	if ( range->wc_family != addr->wc_family ) return 0;
	full = range->wc_bits / 8;
	rest = range->wc_bits % 8;
	if ( memcmp( range->wc_addr, addr->wc_addr, full ) ) return 0;
	if ( rest ) {
		unsigned char mask = (unsigned char)( 0xff << ( 8 - rest ) );

		if ( ( range->wc_addr[full] & mask ) != ( addr->wc_addr[full] & mask ) )
			return 0;
	}
	return 1;
}

int
warden_cidr_best_match( const warden_cidr *ranges, int n,
	const warden_cidr *addr )
{
	int i, best = -1;

	for ( i = 0; i < n; i++ ) {
		if ( (int)ranges[i].wc_bits > best &&
			warden_cidr_contains( &ranges[i], addr ) )
			best = (int)ranges[i].wc_bits;
	}
	return best;
}
