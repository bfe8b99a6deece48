/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* transitrule.c - which binds need a protected channel, and listeners
 * (transitrule.h) */

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "transitrule.h"

static int
word_is( const char *s, size_t len, const char *word )
{
	return len == strlen( word ) && !strncasecmp( s, word, len );
}

int
warden_transit_sends_password( const char *mech, size_t len )
{
	if ( !mech ) return 1;
	return !word_is( mech, len, "EXTERNAL" ) && !word_is( mech, len, "GSSAPI" );
}

int
warden_transit_protected( unsigned tls_ssf, unsigned transport_ssf,
	unsigned sasl_ssf, const char *peer, size_t peerlen )
{
	if ( tls_ssf > 0 || transport_ssf > 0 || sasl_ssf > 1 ) return 1;
	/* ldapi with "localSSF 0" still never leaves the machine */
	return peer && peerlen >= 5 && !strncmp( peer, "PATH=", 5 );
}

typedef struct url_parts {
	int		up_scheme;	/* 1 ldap, 2 ldaps, 3 ldapi */
	const char	*up_host;	/* ldapi: the path */
	size_t		up_hostlen;
	unsigned	up_port;
} url_parts;

static int
url_split( const char *u, size_t len, url_parts *p, char *msg, size_t msglen )
{
	static const char *schemes[] = { "ldap://", "ldaps://", "ldapi://" };
	const char *end = u + len, *h, *colon = NULL, *s;
	size_t i;

	memset( p, 0, sizeof( *p ) );
	/* a NUL would end the URL early for anyone reading it as a string */
	if ( memchr( u, '\0', len ) ) {
		snprintf( msg, msglen, "contains a NUL byte" );
		return -1;
	}
	for ( i = 0; i < 3; i++ ) {
		size_t n = strlen( schemes[i] );

		if ( len >= n && !strncasecmp( u, schemes[i], n ) ) {
			p->up_scheme = i + 1;
			u += n;
			break;
		}
	}
	if ( !p->up_scheme ) {
		snprintf( msg, msglen, "is not an ldap://, ldaps:// or ldapi:// URL" );
		return -1;
	}
	if ( end > u && end[-1] == '/' ) end--;
	h = u;
	if ( p->up_scheme == 3 ) {
		if ( memchr( h, '/', end - h ) || memchr( h, '?', end - h ) ) {
			snprintf( msg, msglen, "has more than a socket path "
				"(write the path with %%2F for each /)" );
			return -1;
		}
		p->up_host = h;
		p->up_hostlen = end - h;
		return 0;
	}
	for ( s = h; s < end; s++ ) {
		if ( *s == '/' || *s == '?' ) {
			snprintf( msg, msglen, "has a path, a query or more than "
				"host and port" );
			return -1;
		}
	}
	if ( h < end && *h == '[' ) {
		/* an IPv6 address: [2001:db8::1]:389 */
		const char *rb = memchr( h, ']', end - h );

		if ( !rb || ( rb + 1 < end && rb[1] != ':' ) ) {
			snprintf( msg, msglen, "has a malformed [IPv6] host" );
			return -1;
		}
		if ( rb + 1 < end ) colon = rb + 1;
	} else {
		colon = memchr( h, ':', end - h );
	}
	p->up_host = h;
	p->up_hostlen = ( colon ? colon : end ) - h;
	/* no host: every address, as slapd -h "ldap://:3891/" */
	p->up_port = p->up_scheme == 2 ? 636 : 389;
	if ( colon ) {
		unsigned port = 0;

		if ( colon + 1 == end ) {
			snprintf( msg, msglen, "has an empty port" );
			return -1;
		}
		for ( s = colon + 1; s < end; s++ ) {
			if ( *s < '0' || *s > '9' || ( port = port * 10 + ( *s - '0' ) ) > 65535 ) {
				snprintf( msg, msglen, "has a port that is not a "
					"number from 1 to 65535" );
				return -1;
			}
		}
		if ( !port ) {
			snprintf( msg, msglen, "has port 0" );
			return -1;
		}
		p->up_port = port;
	}
	return 0;
}

int
warden_url_check( const char *url, size_t len, char *msg, size_t msglen )
{
	url_parts p;

	return url_split( url, len, &p, msg, msglen );
}

int
warden_url_same( const char *a, size_t alen, const char *b, size_t blen )
{
	url_parts pa, pb;
	char msg[8];

	if ( url_split( a, alen, &pa, msg, sizeof( msg ) ) ||
		url_split( b, blen, &pb, msg, sizeof( msg ) ) )
		return 0;
	if ( pa.up_scheme != pb.up_scheme || pa.up_port != pb.up_port ||
		pa.up_hostlen != pb.up_hostlen )
		return 0;
	if ( pa.up_scheme == 3 )
		return !memcmp( pa.up_host, pb.up_host, pa.up_hostlen );
	return !strncasecmp( pa.up_host, pb.up_host, pa.up_hostlen );
}
