/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* fuzz_banned.c - the banned-password index (overlay/lib/banned.h): a file
 * of the input opened as an index (warden_banned_open must refuse anything
 * not written by the builder, and never read out of bounds), and a list of
 * the input built into an index in which every line is then found.
 *
 * Input: a selector byte, then the index file or the list. */

#include "banned.h"
#include "fuzz.h"
#include "quality.h"

static void
check_index( const uint8_t *data, size_t size )
{
	warden_banned *bl = NULL;
	char msg[512];
	const char *path = fuzz_file( "index", data, size );
	static const char *const probes[] = { "", "a", "password", "123456",
		"P@ssw0rd1!", "zzzzzzzz", "\xff\xfe", NULL };
	int i, rc;

	msg[0] = '\0';
	if ( warden_banned_open( path, &bl, msg, sizeof( msg ) ) ) {
		FUZZ_ASSERT( !bl && msg[0] );
		return;
	}
	FUZZ_ASSERT( bl );
	for ( i = 0; probes[i]; i++ ) {
		rc = warden_banned_contains( bl, probes[i], strlen( probes[i] ) );
		FUZZ_ASSERT( rc == 0 || rc == 1 );
	}
	/* pieces of the file itself as passwords */
	for ( i = 0; i + 8 <= (int)size && i < 4096; i += 8 ) {
		rc = warden_banned_contains( bl, (const char *)data + i,
			size - i < 40 ? size - i : 40 );
		FUZZ_ASSERT( rc == 0 || rc == 1 );
	}
	FUZZ_ASSERT( !warden_banned_changed( bl, path ) );
	warden_banned_close( bl );
}

static void
check_build( const uint8_t *data, size_t size )
{
	warden_banned *bl = NULL;
	char msg[512], path[256];
	size_t count = 0, n;
	FILE *in;
	fuzz_in lines = { data, size };
	const uint8_t *p;

	if ( !size ) return;
	snprintf( path, sizeof( path ), "%s/built.idx", fuzz_dir() );
	in = fmemopen( (void *)data, size, "r" );
	if ( !in ) abort();
	msg[0] = '\0';
	if ( warden_banned_build( in, path, &count, msg, sizeof( msg ) ) ) {
		fclose( in );
		FUZZ_ASSERT( msg[0] );
		return;
	}
	fclose( in );
	if ( warden_banned_open( path, &bl, msg, sizeof( msg ) ) ) {
		fprintf( stderr, "the builder's index does not open: %s\n", msg );
		abort();
	}
	FUZZ_ASSERT( warden_banned_count( bl ) == count );
	/* every line of the list is banned, but for keys with a NUL */
	while ( lines.n ) {
		char *line, *key;
		size_t klen;

		n = fuzz_piece( &lines, '\n', &p );
		if ( n && p[n - 1] == '\r' ) n--;
		line = fuzz_dup( p, n );
		key = malloc( n + 1 );
		if ( !key ) abort();
		klen = warden_quality_normalize( line, n, key );
		if ( !klen ) klen = n;
		if ( n && !memchr( line, '\0', n ) &&
			warden_banned_contains( bl, line, n ) != 1 ) {
			fprintf( stderr, "line of %zu bytes (key %zu) not found\n", n, klen );
			abort();
		}
		free( key );
		free( line );
	}
	warden_banned_close( bl );
}

int
LLVMFuzzerTestOneInput( const uint8_t *data, size_t size )
{
	if ( !size ) return 0;
	if ( data[0] & 1 ) check_build( data + 1, size - 1 );
	else check_index( data + 1, size - 1 );
	return 0;
}
