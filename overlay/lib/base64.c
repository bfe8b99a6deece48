/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* base64.c - RFC 4648 base64, strict on input */

#include "base64.h"

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
warden_base64_len( size_t n )
{
	return ( n + 2 ) / 3 * 4;
}

void
warden_base64_encode( const void *in, size_t n, char *out )
{
	const unsigned char *s = in;
	unsigned long v;
	size_t i;

	for ( i = 0; i + 3 <= n; i += 3 ) {
		v = (unsigned long)s[i] << 16 | (unsigned long)s[i + 1] << 8 |
			s[i + 2];
		*out++ = b64_alphabet[v >> 18];
		*out++ = b64_alphabet[( v >> 12 ) & 63];
		*out++ = b64_alphabet[( v >> 6 ) & 63];
		*out++ = b64_alphabet[v & 63];
	}
	if ( i < n ) {
		v = (unsigned long)s[i] << 16;
		if ( i + 1 < n ) v |= (unsigned long)s[i + 1] << 8;
		*out++ = b64_alphabet[v >> 18];
		*out++ = b64_alphabet[( v >> 12 ) & 63];
		*out++ = i + 1 < n ? b64_alphabet[( v >> 6 ) & 63] : '=';
		*out++ = '=';
	}
}

static int
b64_value( unsigned char c )
{
	if ( c >= 'A' && c <= 'Z' ) return c - 'A';
	if ( c >= 'a' && c <= 'z' ) return c - 'a' + 26;
	if ( c >= '0' && c <= '9' ) return c - '0' + 52;
	if ( c == '+' ) return 62;
	if ( c == '/' ) return 63;
	return -1;
}

long
warden_base64_decode( const char *in, size_t n, unsigned char *out,
	size_t outsize )
{
	size_t i, o = 0;
	int a, b, c, d, pad;

	if ( n == 0 || n % 4 ) return -1;
	for ( i = 0; i < n; i += 4 ) {
		pad = 0;
		if ( i + 4 == n ) {
			if ( in[i + 3] == '=' ) pad++;
			if ( pad && in[i + 2] == '=' ) pad++;
		}
		a = b64_value( (unsigned char)in[i] );
		b = b64_value( (unsigned char)in[i + 1] );
		c = pad >= 2 ? 0 : b64_value( (unsigned char)in[i + 2] );
		d = pad >= 1 ? 0 : b64_value( (unsigned char)in[i + 3] );
		if ( a < 0 || b < 0 || c < 0 || d < 0 ) return -1;
		/* the bits past the data are zero: one text per blob */
		if ( ( pad == 2 && ( b & 15 ) ) || ( pad == 1 && ( c & 3 ) ) )
			return -1;
		if ( o + 3 - pad > outsize ) return -1;
		out[o++] = (unsigned char)( a << 2 | b >> 4 );
		if ( pad < 2 ) out[o++] = (unsigned char)( ( b & 15 ) << 4 | c >> 2 );
		if ( pad < 1 ) out[o++] = (unsigned char)( ( c & 3 ) << 6 | d );
	}
	return (long)o;
}
