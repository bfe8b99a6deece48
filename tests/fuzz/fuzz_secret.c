/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* fuzz_secret.c - wrapped OATH seeds ("{WARDEN1}..."): what a stored
 * oathSecret value is read as (warden_secret_is_wrapped, _key_id,
 * _seed_len, _unwrap), and wrap/unwrap round trips
 *
 * Input: a selector byte, a context up to a NUL, then the value (or, for
 * the round trip, the seed). */

#include "fuzz.h"
#include "keyring.h"
#include "secret.h"

static warden_keyring *ring;

int
LLVMFuzzerInitialize( int *argc, char ***argv )
{
	static const char keys[] =
		"# two keys, so that a value may name either\n"
		"k2 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
		"k1 f0e0d0c0b0a090807060504030201000f0e0d0c0b0a090807060504030201000\n";
	char msg[512];

	if ( warden_keyring_load( fuzz_file( "secretkeys", keys, sizeof( keys ) - 1 ),
			&ring, msg, sizeof( msg ) ) ) {
		fprintf( stderr, "fuzz_secret: %s\n", msg );
		abort();
	}
	return 0;
}

static void
check_read( const char *val, size_t len, const char *ctx, size_t ctxlen )
{
	char id[WARDEN_KEY_ID_MAX + 1], msg[512];
	unsigned char seed[WARDEN_SECRET_MAX];
	size_t seedlen = 0, slen = 0;
	warden_secret_rc krc, lrc, urc;

	krc = warden_secret_key_id( val, len, id, msg, sizeof( msg ) );
	if ( krc == WARDEN_SECRET_OK )
		FUZZ_ASSERT( strlen( id ) <= WARDEN_KEY_ID_MAX );
	lrc = warden_secret_seed_len( val, len, &slen, msg, sizeof( msg ) );
	urc = warden_secret_unwrap( ring, val, len, ctx, ctxlen, seed, &seedlen,
		msg, sizeof( msg ) );
	if ( urc == WARDEN_SECRET_OK ) {
		/* a value that opens is of the format through and through */
		FUZZ_ASSERT( warden_secret_is_wrapped( val, len ) );
		FUZZ_ASSERT( krc == WARDEN_SECRET_OK && lrc == WARDEN_SECRET_OK );
		FUZZ_ASSERT( seedlen == slen && seedlen >= 1 &&
			seedlen <= WARDEN_SECRET_MAX );
		FUZZ_ASSERT( warden_keyring_find( ring, id ) );
	}
	FUZZ_ASSERT( urc >= WARDEN_SECRET_OK && urc <= WARDEN_SECRET_FAIL );
}

static void
check_round_trip( const unsigned char *seed, size_t seedlen, const char *ctx,
	size_t ctxlen )
{
	char out[1024], id[WARDEN_KEY_ID_MAX + 1], msg[512];
	unsigned char back[WARDEN_SECRET_MAX];
	size_t outlen = 0, backlen = 0, slen = 0;
	warden_secret_rc rc;

	rc = warden_secret_wrap( ring, seed, seedlen, ctx, ctxlen, out,
		sizeof( out ), &outlen, msg, sizeof( msg ) );
	if ( !seedlen || seedlen > WARDEN_SECRET_MAX ) {
		FUZZ_ASSERT( rc != WARDEN_SECRET_OK );
		return;
	}
	FUZZ_ASSERT( rc == WARDEN_SECRET_OK );
	FUZZ_ASSERT( outlen == strlen( out ) &&
		outlen == warden_secret_wrapped_len( 2, seedlen ) );
	FUZZ_ASSERT( warden_secret_is_wrapped( out, outlen ) );
	FUZZ_ASSERT( warden_secret_key_id( out, outlen, id, msg, sizeof( msg ) ) ==
		WARDEN_SECRET_OK && !strcmp( id, "k2" ) );
	FUZZ_ASSERT( warden_secret_seed_len( out, outlen, &slen, msg,
		sizeof( msg ) ) == WARDEN_SECRET_OK && slen == seedlen );
	FUZZ_ASSERT( warden_secret_unwrap( ring, out, outlen, ctx, ctxlen, back,
		&backlen, msg, sizeof( msg ) ) == WARDEN_SECRET_OK );
	FUZZ_ASSERT( backlen == seedlen && !memcmp( back, seed, seedlen ) );
	/* another entry's context does not open it */
	if ( ctxlen ) FUZZ_ASSERT( warden_secret_unwrap( ring, out, outlen, ctx,
		ctxlen - 1, back, &backlen, msg, sizeof( msg ) ) == WARDEN_SECRET_BADAUTH );
}

int
LLVMFuzzerTestOneInput( const uint8_t *data, size_t size )
{
	fuzz_in in = { data, size };
	unsigned sel = fuzz_byte( &in );
	const uint8_t *ctx;
	size_t ctxlen = fuzz_piece( &in, '\0', &ctx );
	char *c = fuzz_dup( ctx, ctxlen ), *v = fuzz_dup( in.p, in.n );

	if ( sel & 1 ) check_round_trip( (const unsigned char *)v, in.n, c, ctxlen );
	else check_read( v, in.n, c, ctxlen );
	free( c );
	free( v );
	return 0;
}
