/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* fuzz_keyring.c - warden-key-file (warden_keyring_load): the input is the
 * file's content */

#include "fuzz.h"
#include "keyring.h"

int
LLVMFuzzerTestOneInput( const uint8_t *data, size_t size )
{
	warden_keyring *ring = NULL;
	const char *path = fuzz_file( "keys", data, size );
	char msg[1024];
	int i, j;

	msg[0] = '\0';
	if ( warden_keyring_load( path, &ring, msg, sizeof( msg ) ) ) {
		FUZZ_ASSERT( msg[0] && strlen( msg ) < sizeof( msg ) );
		warden_keyring_free( ring );
		return 0;
	}
	FUZZ_ASSERT( ring && ring->wr_count >= 1 && ring->wr_count <= WARDEN_KEYS_MAX );
	for ( i = 0; i < ring->wr_count; i++ ) {
		const char *id = ring->wr_keys[i].wk_id;
		size_t n = strnlen( id, WARDEN_KEY_ID_MAX + 1 );

		/* ids: non-empty, terminated, unique, found by name */
		FUZZ_ASSERT( n >= 1 && n <= WARDEN_KEY_ID_MAX );
		FUZZ_ASSERT( warden_keyring_find( ring, id ) == &ring->wr_keys[i] );
		for ( j = 0; j < i; j++ )
			FUZZ_ASSERT( strcmp( id, ring->wr_keys[j].wk_id ) );
		/* and present in the file */
		FUZZ_ASSERT( memmem( data, size, id, n ) );
	}
	warden_keyring_free( ring );
	return 0;
}
