/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* otpauth.c - otpauth:// URIs and QR codes drawn for a terminal */

#include <string.h>

#include "otpauth.h"

size_t
warden_base32_encode( const unsigned char *in, size_t n, char *out,
	size_t outlen )
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	size_t i, o = 0;
	unsigned buf = 0;
	int bits = 0;

	if ( outlen < WARDEN_BASE32_LEN( n ) + 1 ) {
		if ( outlen ) out[0] = '\0';
		return 0;
	}
	for ( i = 0; i < n; i++ ) {
		buf = ( buf << 8 ) | in[i];
		bits += 8;
		while ( bits >= 5 ) {
			out[o++] = alphabet[( buf >> ( bits - 5 ) ) & 31];
			bits -= 5;
		}
	}
	if ( bits ) out[o++] = alphabet[( buf << ( 5 - bits ) ) & 31];
	out[o] = '\0';
	return o;
}

/* Appends s percent-encoded; returns the new length, or -1 when full. */
static int
oa_put_encoded( char *out, size_t outlen, size_t o, const char *s )
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	for ( p = (const unsigned char *)s; *p; p++ ) {
		int plain = ( *p >= 'A' && *p <= 'Z' ) || ( *p >= 'a' && *p <= 'z' ) ||
			( *p >= '0' && *p <= '9' ) || strchr( "-._~", *p );

		if ( o + ( plain ? 1 : 3 ) >= outlen ) return -1;
		if ( plain ) {
			out[o++] = (char)*p;
		} else {
			out[o++] = '%';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		}
	}
	out[o] = '\0';
	return (int)o;
}

static int
oa_put( char *out, size_t outlen, size_t o, const char *s )
{
	size_t n = strlen( s );

	if ( o + n >= outlen ) return -1;
	memcpy( out + o, s, n + 1 );
	return (int)( o + n );
}

int
warden_otpauth_uri( const warden_otpauth *a, char *out, size_t outlen )
{
	char num[64];
	int o = 0;

	if ( !outlen ) return -1;
	out[0] = '\0';
	/* the label is ISSUER:ACCOUNT; an encoded colon in the issuer would
	 * be read back as the separator by some apps */
	if ( strchr( a->oa_issuer, ':' ) ) return -1;
	snprintf( num, sizeof( num ), "&digits=%u&period=%u", a->oa_digits,
		a->oa_period );
	if ( ( o = oa_put( out, outlen, o, "otpauth://totp/" ) ) < 0 ||
		( o = oa_put_encoded( out, outlen, o, a->oa_issuer ) ) < 0 ||
		( o = oa_put( out, outlen, o, ":" ) ) < 0 ||
		( o = oa_put_encoded( out, outlen, o, a->oa_account ) ) < 0 ||
		( o = oa_put( out, outlen, o, "?secret=" ) ) < 0 ||
		( o = oa_put( out, outlen, o, a->oa_secret ) ) < 0 ||
		( o = oa_put( out, outlen, o, "&issuer=" ) ) < 0 ||
		( o = oa_put_encoded( out, outlen, o, a->oa_issuer ) ) < 0 ||
		( o = oa_put( out, outlen, o, "&algorithm=" ) ) < 0 ||
		( o = oa_put( out, outlen, o, a->oa_algorithm ) ) < 0 ||
		( o = oa_put( out, outlen, o, num ) ) < 0 ) {
		/* a part of the secret may be in out already */
		memset( out, 0, outlen );
		return -1;
	}
	return o;
}

/* Whether the module at (x, y) is light; the quiet zone is. */
static int
qr_light( const unsigned char *modules, int width, int x, int y )
{
	if ( x < 0 || y < 0 || x >= width || y >= width ) return 1;
	return !( modules[y * width + x] & 1 );
}

void
warden_qr_text( FILE *f, const unsigned char *modules, int width,
	int margin, int ansi )
{
	/* indexed by top light + 2 * bottom light */
	static const char *const cell[4] = {
		" ",			/* both dark */
		"\xe2\x96\x80",		/* U+2580 upper half block */
		"\xe2\x96\x84",		/* U+2584 lower half block */
		"\xe2\x96\x88"		/* U+2588 full block */
	};
	int x, y;

	for ( y = -margin; y < width + margin; y += 2 ) {
		if ( ansi ) fputs( "\033[37;40m", f );
		for ( x = -margin; x < width + margin; x++ ) {
			int top = qr_light( modules, width, x, y );
			/* QR codes have an odd number of rows: the last
			 * line's lower half is below the quiet zone, drawn as
			 * background */
			int bottom = y + 1 < width + margin ?
				qr_light( modules, width, x, y + 1 ) : 0;

			fputs( cell[top + 2 * bottom], f );
		}
		if ( ansi ) fputs( "\033[0m", f );
		fputc( '\n', f );
	}
}

void
warden_qr_pixels( const unsigned char *modules, int width, int margin,
	int scale, unsigned char *pixels )
{
	int side = ( width + 2 * margin ) * scale, x, y;

	for ( y = 0; y < side; y++ )
		for ( x = 0; x < side; x++ )
			pixels[(size_t)y * side + x] = qr_light( modules, width,
				x / scale - margin, y / scale - margin ) ? 255 : 0;
}
