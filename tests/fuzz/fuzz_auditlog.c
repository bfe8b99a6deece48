/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* fuzz_auditlog.c - the audit trail's chain members at the end of a line
 * (warden_audit_parse) and signed checkpoints (warden_audit_checkpoint_parse,
 * and its round trip with warden_audit_checkpoint_format)
 *
 * Input: a selector byte, then the line (or a sequence number and a hash
 * for the round trip). */

#include <time.h>

#include "auditlog.h"
#include "fuzz.h"

static unsigned char keys[2][WARDEN_AUDIT_HASH_LEN];

int
LLVMFuzzerInitialize( int *argc, char ***argv )
{
	static const unsigned char master[32] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	if ( warden_audit_derive_key( master, sizeof( master ),
			WARDEN_AUDIT_LABEL_CHECKPOINT, keys[0] ) ||
		warden_audit_derive_key( master, 16, WARDEN_AUDIT_LABEL_CHECKPOINT,
			keys[1] ) ) abort();
	return 0;
}

static void
check_parse( const char *line, size_t len )
{
	warden_audit_link l;
	char hex[2 * WARDEN_AUDIT_HASH_LEN + 1];
	uint64_t seq;
	unsigned char h[WARDEN_AUDIT_HASH_LEN];
	int rc;

	if ( !warden_audit_parse( line, len, &l ) ) {
		/* the body is a prefix of the line, and the hashes are in it */
		FUZZ_ASSERT( l.al_body < len );
		warden_audit_hex( l.al_hash, hex );
		FUZZ_ASSERT( memmem( line, len, hex, 64 ) );
		warden_audit_hex( l.al_prev, hex );
		FUZZ_ASSERT( memmem( line, l.al_body + 1, hex, 64 ) );
		FUZZ_ASSERT( line[len - 1] == '}' );
	}
	rc = warden_audit_checkpoint_parse(
		(const unsigned char (*)[WARDEN_AUDIT_HASH_LEN])keys, 2, line, len,
		&seq, h );
	FUZZ_ASSERT( rc == 0 || rc == -1 || rc == -2 );
}

static void
check_checkpoint( fuzz_in *in )
{
	uint64_t seq = fuzz_u64( in ), got = 0;
	unsigned char hash[WARDEN_AUDIT_HASH_LEN], back[WARDEN_AUDIT_HASH_LEN];
	struct timespec ts;
	char line[WARDEN_AUDIT_CHECKPOINT_MAX];
	int n, k = fuzz_byte( in ) & 1;
	size_t i;

	for ( i = 0; i < sizeof( hash ); i++ ) hash[i] = fuzz_byte( in );
	ts.tv_sec = (time_t)( fuzz_u64( in ) % 253402300800ULL );
	ts.tv_nsec = (long)( fuzz_u64( in ) % 1000000000ULL );
	n = warden_audit_checkpoint_format( keys[k], seq, hash, &ts, line,
		sizeof( line ) );
	FUZZ_ASSERT( n > 0 && (size_t)n < sizeof( line ) && line[n - 1] == '\n' );
	FUZZ_ASSERT( warden_audit_checkpoint_parse(
		(const unsigned char (*)[WARDEN_AUDIT_HASH_LEN])keys, 2, line, n,
		&got, back ) == 0 );
	FUZZ_ASSERT( got == seq && !memcmp( back, hash, sizeof( hash ) ) );
	/* one bit changed anywhere, and it no longer verifies */
	if ( in->n ) {
		size_t at = fuzz_byte( in ) % ( n - 1 );
		unsigned bit = fuzz_byte( in ) % 7;

		line[at] ^= (char)( 1 << bit );
		FUZZ_ASSERT( warden_audit_checkpoint_parse(
			(const unsigned char (*)[WARDEN_AUDIT_HASH_LEN])keys, 2, line,
			n, &got, back ) != 0 );
	}
}

int
LLVMFuzzerTestOneInput( const uint8_t *data, size_t size )
{
	fuzz_in in = { data, size };
	unsigned sel = fuzz_byte( &in );
	char *line;

	if ( sel & 1 ) {
		check_checkpoint( &in );
	} else {
		line = fuzz_dup( in.p, in.n );
		check_parse( line, in.n );
		free( line );
	}
	return 0;
}
