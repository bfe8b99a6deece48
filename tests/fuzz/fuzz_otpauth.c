/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* fuzz_otpauth.c - what wardenctl totp shows a user enrolling a token
 * (contrib/otpauth.h): base32 of a seed (decoded back by RFC 4648's rules
 * here), the otpauth:// URI of any issuer and account (read back: the
 * label and the parameters must come out as they went in, nothing may
 * break out of its field), and the QR code's drawing of any module matrix.
 *
 * Input: a selector byte; then the seed, or issuer NUL account NUL
 * (digits, period and the rest), or a width byte and the modules. */

#include "fuzz.h"
#include "otpauth.h"

static int
b32val( int c )
{
	if ( c >= 'A' && c <= 'Z' ) return c - 'A';
	if ( c >= '2' && c <= '7' ) return c - '2' + 26;
	return -1;
}

static void
check_base32( const uint8_t *seed, size_t n, size_t outlen )
{
	char *out = malloc( outlen ? outlen : 1 );
	unsigned char *back;
	size_t len, i, bits = 0, got = 0;
	unsigned acc = 0;

	if ( !out ) abort();
	len = warden_base32_encode( seed, n, out, outlen );
	if ( outlen < WARDEN_BASE32_LEN( n ) + 1 ) {
		FUZZ_ASSERT( len == 0 && ( !outlen || out[0] == '\0' ) );
		free( out );
		return;
	}
	FUZZ_ASSERT( len == WARDEN_BASE32_LEN( n ) && out[len] == '\0' );
	back = malloc( n + 1 );
	if ( !back ) abort();
	for ( i = 0; i < len; i++ ) {
		int v = b32val( out[i] );

		FUZZ_ASSERT( v >= 0 );
		acc = ( acc << 5 ) | (unsigned)v;
		bits += 5;
		if ( bits >= 8 ) {
			bits -= 8;
			FUZZ_ASSERT( got < n );
			back[got++] = (unsigned char)( acc >> bits );
		}
	}
	/* the bits left over are the padding, zero */
	FUZZ_ASSERT( bits < 5 && !( acc & ( ( 1u << bits ) - 1 ) ) );
	FUZZ_ASSERT( got == n && !memcmp( back, seed, n ) );
	free( back );
	free( out );
}

static int
unhex( int c )
{
	if ( c >= '0' && c <= '9' ) return c - '0';
	if ( c >= 'A' && c <= 'F' ) return c - 'A' + 10;
	return -1;
}

/* Percent-decodes s[0 .. n) into out; only unreserved characters may be
 * left as they are. */
static size_t
decode( const char *s, size_t n, char *out )
{
	size_t i, o = 0;

	for ( i = 0; i < n; i++ ) {
		if ( s[i] == '%' ) {
			FUZZ_ASSERT( i + 2 < n + 1 && unhex( s[i + 1] ) >= 0 &&
				unhex( s[i + 2] ) >= 0 );
			out[o++] = (char)( unhex( s[i + 1] ) << 4 | unhex( s[i + 2] ) );
			i += 2;
		} else {
			FUZZ_ASSERT( ( s[i] >= 'A' && s[i] <= 'Z' ) ||
				( s[i] >= 'a' && s[i] <= 'z' ) ||
				( s[i] >= '0' && s[i] <= '9' ) || strchr( "-._~", s[i] ) );
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return o;
}

static void
check_uri( fuzz_in *in )
{
	const uint8_t *ip, *ap;
	size_t ilen = fuzz_piece( in, '\0', &ip ), alen = fuzz_piece( in, '\0', &ap );
	char *issuer = fuzz_dup( ip, ilen ), *account = fuzz_dup( ap, alen );
	char secret[] = "JBSWY3DPEHPK3PXP", *out, *q, *label, *dec;
	warden_otpauth a;
	size_t outlen = fuzz_byte( in ) * 16 + 1;
	int n;

	a.oa_issuer = issuer;
	a.oa_account = account;
	a.oa_secret = secret;
	a.oa_algorithm = ( fuzz_byte( in ) & 1 ) ? "SHA256" : "SHA1";
	a.oa_digits = fuzz_byte( in );
	a.oa_period = (unsigned)fuzz_u64( in );
	out = malloc( outlen );
	if ( !out ) abort();
	n = warden_otpauth_uri( &a, out, outlen );
	if ( n < 0 ) {
		/* nothing of the secret is left behind */
		FUZZ_ASSERT( !memmem( out, outlen, "JBSWY", 5 ) );
		goto done;
	}
	FUZZ_ASSERT( !strchr( issuer, ':' ) );	/* refused */
	FUZZ_ASSERT( (size_t)n == strlen( out ) && (size_t)n < outlen );
	FUZZ_ASSERT( !strncmp( out, "otpauth://totp/", 15 ) );
	label = out + 15;
	q = strchr( label, '?' );
	FUZZ_ASSERT( q );
	dec = malloc( strlen( out ) + 1 );
	if ( !dec ) abort();
	/* ISSUER ':' ACCOUNT, each decoded to what was given */
	{
		char *colon = memchr( label, ':', q - label );
		size_t dl;

		FUZZ_ASSERT( colon );
		dl = decode( label, colon - label, dec );
		FUZZ_ASSERT( dl == strlen( issuer ) && !memcmp( dec, issuer, dl ) );
		dl = decode( colon + 1, q - colon - 1, dec );
		FUZZ_ASSERT( dl == strlen( account ) && !memcmp( dec, account, dl ) );
	}
	/* the parameters: exactly these, the secret unchanged */
	FUZZ_ASSERT( !strncmp( q, "?secret=JBSWY3DPEHPK3PXP&issuer=", 32 ) );
	{
		char *amp = strchr( q + 32, '&' );
		char num[64];
		size_t dl;

		FUZZ_ASSERT( amp );
		dl = decode( q + 32, amp - q - 32, dec );
		FUZZ_ASSERT( dl == strlen( issuer ) && !memcmp( dec, issuer, dl ) );
		snprintf( num, sizeof( num ), "&algorithm=%s&digits=%u&period=%u",
			a.oa_algorithm, a.oa_digits, a.oa_period );
		FUZZ_ASSERT( !strcmp( amp, num ) );
	}
	free( dec );
done:
	free( out );
	free( issuer );
	free( account );
}

static void
check_qr( fuzz_in *in )
{
	int width = (int)( fuzz_byte( in ) % 50 ) + 1;
	int margin = (int)( fuzz_byte( in ) % 5 );
	int scale = (int)( fuzz_byte( in ) % 4 ) + 1;
	int ansi = (int)( fuzz_byte( in ) & 1 );
	size_t cells = (size_t)width * width, side;
	unsigned char *m = calloc( cells, 1 ), *px;
	FILE *f = fopen( "/dev/null", "w" );

	if ( !m || !f ) abort();
	memcpy( m, in->p, in->n < cells ? in->n : cells );
	warden_qr_text( f, m, width, margin, ansi );
	side = (size_t)( width + 2 * margin ) * scale;
	px = malloc( side * side );
	if ( !px ) abort();
	warden_qr_pixels( m, width, margin, scale, px );
	free( px );
	free( m );
	fclose( f );
}

int
LLVMFuzzerTestOneInput( const uint8_t *data, size_t size )
{
	fuzz_in in = { data, size };
	unsigned sel = fuzz_byte( &in );

	switch ( sel % 3 ) {
	case 0: {
		size_t outlen = fuzz_byte( &in ) * 2;
		uint8_t *seed = (uint8_t *)fuzz_dup( in.p, in.n );

		check_base32( seed, in.n, ( sel & 0x80 ) ? outlen :
			WARDEN_BASE32_LEN( in.n ) + 1 );
		free( seed );
		break;
	}
	case 1:
		check_uri( &in );
		break;
	default:
		check_qr( &in );
	}
	return 0;
}
