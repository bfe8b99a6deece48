/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* sshkey.c - parsing and judging OpenSSH public keys (sshkey.h)
 *
 * The blob's layout is RFC 4253 6.6 (ssh-rsa, ssh-dss), RFC 5656 3.1
 * (ecdsa-sha2-*), RFC 8709 (ssh-ed25519) and OpenSSH's PROTOCOL.u2f (the
 * security-key types): a sequence of uint32-length-prefixed strings, the
 * first the type.  The base64 decoder is strict and our own: OpenSSL's
 * EVP_DecodeBlock counts padding as data and skips blanks, and what is
 * hashed for the fingerprint must be exactly the blob.
 */

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "sshkey.h"
#include "base64.h"

static const struct {
	const char		*name;
	warden_sshkey_kind	kind;
	const char		*curve;		/* ECDSA: the curve's name */
	unsigned		bits;
} sshkey_types[] = {
	{ "ssh-rsa", WARDEN_SSHKEY_RSA, NULL, 0 },
	{ "ssh-dss", WARDEN_SSHKEY_DSA, NULL, 0 },
	{ "ecdsa-sha2-nistp256", WARDEN_SSHKEY_ECDSA, "nistp256", 256 },
	{ "ecdsa-sha2-nistp384", WARDEN_SSHKEY_ECDSA, "nistp384", 384 },
	{ "ecdsa-sha2-nistp521", WARDEN_SSHKEY_ECDSA, "nistp521", 521 },
	{ "ssh-ed25519", WARDEN_SSHKEY_ED25519, NULL, 256 },
	{ "sk-ssh-ed25519@openssh.com", WARDEN_SSHKEY_SK_ED25519, NULL, 256 },
	{ "sk-ecdsa-sha2-nistp256@openssh.com", WARDEN_SSHKEY_SK_ECDSA,
		"nistp256", 256 },
	{ NULL, 0, NULL, 0 }
};

static int
sshkey_type( const char *s, size_t len )
{
	int i;

	for ( i = 0; sshkey_types[i].name; i++ ) {
		if ( strlen( sshkey_types[i].name ) == len &&
			!memcmp( sshkey_types[i].name, s, len ) )
			return i;
	}
	return -1;
}

/* Reads the next string of the blob. */
static int
blob_string( const unsigned char **p, size_t *left, const unsigned char **s,
	size_t *len )
{
	uint32_t n;

	if ( *left < 4 ) return -1;
	n = (uint32_t)(*p)[0] << 24 | (uint32_t)(*p)[1] << 16 |
		(uint32_t)(*p)[2] << 8 | (*p)[3];
	if ( n > *left - 4 ) return -1;
	*s = *p + 4;
	*len = n;
	*p += 4 + n;
	*left -= 4 + n;
	return 0;
}

/* The bits of a positive mpint (RFC 4251 5); 0 when it is not one. */
static unsigned
mpint_bits( const unsigned char *s, size_t len )
{
	unsigned bits;
	unsigned char top;

	if ( !len || ( s[0] & 0x80 ) ) return 0;	/* zero or negative */
	/* no needless leading zero byte */
	if ( s[0] == 0 && ( len == 1 || !( s[1] & 0x80 ) ) ) return 0;
	if ( s[0] == 0 ) {
		s++;
		len--;
	}
	if ( len > WARDEN_SSHKEY_MAX_RSA_BITS / 8 + 1 ) return 0;
	bits = (unsigned)( len - 1 ) * 8;
	for ( top = s[0]; top; top >>= 1 ) bits++;
	return bits;
}

/* Reads the blob of type t: every field there, nothing after. */
static int
blob_read( const unsigned char *blob, size_t blen, int t, warden_sshkey *k,
	char *msg, size_t msglen )
{
	const unsigned char *p = blob, *f, *g;
	size_t left = blen, flen, glen;
	const char *name = sshkey_types[t].name;

	if ( blob_string( &p, &left, &f, &flen ) || flen != strlen( name ) ||
		memcmp( f, name, flen ) ) {
		snprintf( msg, msglen, "the key's data is not of the type %s "
			"that precedes it", name );
		return -1;
	}
	k->sk_bits = sshkey_types[t].bits;
	switch ( sshkey_types[t].kind ) {
	case WARDEN_SSHKEY_RSA:
		/* e, n */
		if ( blob_string( &p, &left, &f, &flen ) ||
			blob_string( &p, &left, &g, &glen ) )
			goto truncated;
		if ( !mpint_bits( f, flen ) || !( f[flen - 1] & 1 ) ) {
			snprintf( msg, msglen, "the RSA key's public exponent is "
				"not valid" );
			return -1;
		}
		k->sk_bits = mpint_bits( g, glen );
		if ( !k->sk_bits || k->sk_bits > WARDEN_SSHKEY_MAX_RSA_BITS ) {
			snprintf( msg, msglen, "the RSA key's modulus is not "
				"valid (at most %u bits)", WARDEN_SSHKEY_MAX_RSA_BITS );
			return -1;
		}
		break;
	case WARDEN_SSHKEY_DSA: {
		/* p, q, g, y */
		int i;

		for ( i = 0; i < 4; i++ ) {
			if ( blob_string( &p, &left, &f, &flen ) ) goto truncated;
			if ( !i ) k->sk_bits = mpint_bits( f, flen );
		}
		break;
	}
	case WARDEN_SSHKEY_ECDSA:
	case WARDEN_SSHKEY_SK_ECDSA: {
		const char *curve = sshkey_types[t].curve;
		/* an uncompressed point: 0x04, then x and y */
		size_t want = 1 + 2 * ( ( sshkey_types[t].bits + 7 ) / 8 );

		if ( blob_string( &p, &left, &f, &flen ) ||
			blob_string( &p, &left, &g, &glen ) )
			goto truncated;
		if ( flen != strlen( curve ) || memcmp( f, curve, flen ) ) {
			snprintf( msg, msglen, "the ECDSA key's curve is not the "
				"one its type (%s) names", name );
			return -1;
		}
		if ( glen != want || g[0] != 0x04 ) {
			snprintf( msg, msglen, "the ECDSA key's point is not "
				"valid for %s", curve );
			return -1;
		}
		/* the security key's application ("ssh:") */
		if ( sshkey_types[t].kind == WARDEN_SSHKEY_SK_ECDSA &&
			blob_string( &p, &left, &f, &flen ) )
			goto truncated;
		break;
	}
	case WARDEN_SSHKEY_ED25519:
	case WARDEN_SSHKEY_SK_ED25519:
		if ( blob_string( &p, &left, &f, &flen ) ) goto truncated;
		if ( flen != 32 ) {
			snprintf( msg, msglen, "the Ed25519 key is not 32 bytes" );
			return -1;
		}
		if ( sshkey_types[t].kind == WARDEN_SSHKEY_SK_ED25519 &&
			blob_string( &p, &left, &f, &flen ) )
			goto truncated;
		break;
	}
	if ( left ) {
		snprintf( msg, msglen, "the key's data has %zu bytes too many "
			"for a %s key", left, name );
		return -1;
	}
	return 0;

truncated:
	snprintf( msg, msglen, "the key's data ends too early for a %s key",
		name );
	return -1;
}

static void
fingerprint( warden_sshkey *k, const unsigned char *blob, size_t blen )
{
	unsigned char b64[48];
	unsigned int hlen = 0;
	int n;

	if ( !EVP_Digest( blob, blen, k->sk_hash, &hlen, EVP_sha256(), NULL ) ||
		hlen != 32 ) {
		memset( k->sk_hash, 0, sizeof( k->sk_hash ) );
	}
	n = EVP_EncodeBlock( b64, k->sk_hash, 32 );	/* 44, one '=' */
	while ( n > 0 && b64[n - 1] == '=' ) n--;
	snprintf( k->sk_fingerprint, sizeof( k->sk_fingerprint ), "SHA256:%.*s",
		n, (const char *)b64 );
}

static int
is_blank( char c )
{
	return c == ' ' || c == '\t';
}

int
warden_sshkey_parse( const char *s, size_t len, warden_sshkey *k,
	char *msg, size_t msglen )
{
	unsigned char blob[WARDEN_SSHKEY_MAX_LINE / 4 * 3];
	size_t i = 0, tstart, tlen, bstart, blen;
	long n;
	int t, quoted = 0;

	memset( k, 0, sizeof( *k ) );
	msg[0] = '\0';
	if ( !len ) {
		snprintf( msg, msglen, "the value is empty" );
		return -1;
	}
	if ( len > WARDEN_SSHKEY_MAX_LINE ) {
		snprintf( msg, msglen, "the value is longer than %d bytes",
			WARDEN_SSHKEY_MAX_LINE );
		return -1;
	}
	for ( i = 0; i < len; i++ ) {
		unsigned char c = (unsigned char)s[i];

		if ( ( c < 0x20 && c != '\t' ) || c == 0x7f ) {
			snprintf( msg, msglen, "the value holds a control "
				"character (one key per value, on one line)" );
			return -1;
		}
	}
	i = 0;
	while ( i < len && is_blank( s[i] ) ) i++;
	/* options first, unless it starts with a known type (as sshd reads
	 * authorized_keys) */
	tstart = i;
	while ( i < len && !is_blank( s[i] ) ) i++;
	t = sshkey_type( s + tstart, i - tstart );
	if ( t < 0 ) {
		/* options: up to the first blank outside double quotes */
		i = tstart;
		while ( i < len && ( quoted || !is_blank( s[i] ) ) ) {
			if ( s[i] == '\\' && quoted && i + 1 < len &&
					s[i + 1] == '"' )
				i++;
			else if ( s[i] == '"' )
				quoted = !quoted;
			i++;
		}
		if ( quoted ) {
			snprintf( msg, msglen, "the options have an unterminated "
				"quoted string" );
			return -1;
		}
		k->sk_options = 1;
		while ( i < len && is_blank( s[i] ) ) i++;
		tstart = i;
		while ( i < len && !is_blank( s[i] ) ) i++;
		t = sshkey_type( s + tstart, i - tstart );
		if ( t < 0 ) {
			if ( i == tstart )
				snprintf( msg, msglen, "no key type (as in "
					"\"ssh-ed25519 AAAA... comment\")" );
			else
				snprintf( msg, msglen, "unknown key type \"%.*s\" "
					"(ssh-ed25519, ecdsa-sha2-nistp256/384/521, "
					"ssh-rsa and the security-key types are known)",
					(int)( i - tstart > 40 ? 40 : i - tstart ),
					s + tstart );
			return -1;
		}
	}
	tlen = i - tstart;
	(void)tlen;
	while ( i < len && is_blank( s[i] ) ) i++;
	bstart = i;
	while ( i < len && !is_blank( s[i] ) ) i++;
	blen = i - bstart;
	if ( !blen ) {
		snprintf( msg, msglen, "no key data after the type %s",
			sshkey_types[t].name );
		return -1;
	}
	/* what follows, if anything, is the comment */
	n = warden_base64_decode( s + bstart, blen, blob, sizeof( blob ) );
	if ( n < 0 ) {
		snprintf( msg, msglen, "the key data is not valid base64" );
		return -1;
	}
	k->sk_kind = sshkey_types[t].kind;
	k->sk_type = sshkey_types[t].name;
	if ( blob_read( blob, (size_t)n, t, k, msg, msglen ) ) return -1;
	fingerprint( k, blob, (size_t)n );
	return 0;
}

int
warden_sshkey_strong( const warden_sshkey *k, unsigned min_rsa_bits,
	char *msg, size_t msglen )
{
	msg[0] = '\0';
	switch ( k->sk_kind ) {
	case WARDEN_SSHKEY_DSA:
		snprintf( msg, msglen, "DSA keys are refused (1024 bits, "
			"disabled by OpenSSH since 7.0); use ssh-keygen -t ed25519" );
		return -1;
	case WARDEN_SSHKEY_RSA:
		if ( k->sk_bits < min_rsa_bits ) {
			snprintf( msg, msglen, "RSA keys must have at least %u "
				"bits; this one has %u", min_rsa_bits, k->sk_bits );
			return -1;
		}
		return 0;
	case WARDEN_SSHKEY_ECDSA:
	case WARDEN_SSHKEY_SK_ECDSA:
		if ( k->sk_bits < 256 ) {
			snprintf( msg, msglen, "ECDSA keys must have at least 256 "
				"bits; this one has %u", k->sk_bits );
			return -1;
		}
		return 0;
	case WARDEN_SSHKEY_ED25519:
	case WARDEN_SSHKEY_SK_ED25519:
		return 0;
	}
	snprintf( msg, msglen, "not a parsed key" );
	return -1;
}
