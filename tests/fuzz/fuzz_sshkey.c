/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* fuzz_sshkey.c - sshPublicKey values as clients write them
 * (warden_sshkey_parse, warden_sshkey_strong)
 *
 * Input: the value. */

#include "fuzz.h"
#include "sshkey.h"

int
LLVMFuzzerTestOneInput( const uint8_t *data, size_t size )
{
	char *s = fuzz_dup( data, size ), msg[256];
	warden_sshkey k;
	size_t i;
	int rc;

	msg[0] = '\0';
	rc = warden_sshkey_parse( s, size, &k, msg, sizeof( msg ) );
	if ( rc ) {
		FUZZ_ASSERT( rc == -1 && msg[0] );
		goto done;
	}
	/* what was accepted is one line of printable text ... */
	for ( i = 0; i < size; i++ )
		FUZZ_ASSERT( (unsigned char)s[i] >= 0x20 || s[i] == '\t' );
	FUZZ_ASSERT( size <= WARDEN_SSHKEY_MAX_LINE );
	/* ... of a known type, named by its fingerprint */
	FUZZ_ASSERT( k.sk_type && strstr( s, k.sk_type ) );
	FUZZ_ASSERT( !strncmp( k.sk_fingerprint, "SHA256:", 7 ) );
	FUZZ_ASSERT( strlen( k.sk_fingerprint ) == WARDEN_SSHKEY_FP_LEN - 1 );
	FUZZ_ASSERT( k.sk_bits <= WARDEN_SSHKEY_MAX_RSA_BITS );
	rc = warden_sshkey_strong( &k, WARDEN_SSHKEY_MIN_RSA_DEFAULT, msg,
		sizeof( msg ) );
	FUZZ_ASSERT( rc == 0 || ( rc == -1 && msg[0] ) );
	if ( k.sk_kind == WARDEN_SSHKEY_DSA ) FUZZ_ASSERT( rc == -1 );
	if ( k.sk_kind == WARDEN_SSHKEY_ED25519 ) FUZZ_ASSERT( rc == 0 );
done:
	free( s );
	return 0;
}
