/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* fuzz.h - what the libFuzzer harnesses of tests/fuzz share
 *
 * Each harness is one fuzz_NAME.c with LLVMFuzzerTestOneInput, built only
 * in a build configured with --enable-fuzz and CC=clang (README: Fuzzing).
 * A harness calls warden's pure functions (overlay/lib, backend, contrib's
 * parsers) and checks what must hold of their results with FUZZ_ASSERT,
 * which aborts: libFuzzer then keeps the input as a crash. */
#ifndef WARDEN_FUZZ_H
#define WARDEN_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput( const uint8_t *data, size_t size );
int LLVMFuzzerInitialize( int *argc, char ***argv );

#define FUZZ_ASSERT( c ) do { \
	if ( !( c ) ) { \
		fprintf( stderr, "%s:%d: FUZZ_ASSERT( %s ) failed\n", \
			__FILE__, __LINE__, #c ); \
		abort(); \
	} } while ( 0 )

/* Input taken apart from the front: small numbers, then pieces. */
typedef struct fuzz_in {
	const uint8_t	*p;
	size_t		n;
} fuzz_in;

static inline unsigned
fuzz_byte( fuzz_in *in )
{
	unsigned c;

	if ( !in->n ) return 0;
	c = *in->p++;
	in->n--;
	return c;
}

static inline uint64_t
fuzz_u64( fuzz_in *in )
{
	uint64_t v = 0;
	int i;

	for ( i = 0; i < 8; i++ ) v = v << 8 | fuzz_byte( in );
	return v;
}

/* The next piece: up to the next byte sep (consumed), or the rest. */
static inline size_t
fuzz_piece( fuzz_in *in, int sep, const uint8_t **piece )
{
	const uint8_t *e = in->n ? memchr( in->p, sep, in->n ) : NULL;
	size_t len = e ? (size_t)( e - in->p ) : in->n;

	*piece = in->p;
	in->p += len;
	in->n -= len;
	if ( e ) {
		in->p++;
		in->n--;
	}
	return len;
}

/* A malloc()ed copy with a NUL after it (so that ASan sees any read past
 * len as the overflow it is, and C-string callers get a terminator). */
static inline char *
fuzz_dup( const void *p, size_t len )
{
	char *s = malloc( len + 1 );

	if ( !s ) abort();
	if ( len ) memcpy( s, p, len );
	s[len] = '\0';
	return s;
}

static char fuzz_dir_path[64];

/* Removes the private directory and its files when the run ends. */
static inline void
fuzz_dir_remove( void )
{
	DIR *d = opendir( fuzz_dir_path );
	struct dirent *e;
	char path[512];

	if ( !d ) return;
	while ( ( e = readdir( d ) ) ) {
		if ( e->d_name[0] == '.' ) continue;
		snprintf( path, sizeof( path ), "%s/%s", fuzz_dir_path, e->d_name );
		unlink( path );
	}
	closedir( d );
	rmdir( fuzz_dir_path );
}

/* A private directory for files a parser reads by path, made once. */
static inline const char *
fuzz_dir( void )
{
	char *dir = fuzz_dir_path;

	if ( !dir[0] ) {
		const char *base = getenv( "TMPDIR" );

		snprintf( dir, sizeof( fuzz_dir_path ), "%s/wfuzz.XXXXXX",
			base && strlen( base ) < 40 ? base : "/tmp" );
		if ( !mkdtemp( dir ) ) abort();
		atexit( fuzz_dir_remove );
	}
	return dir;
}

/* Writes len bytes to the file name in fuzz_dir() (mode 0600), returns its
 * path (static storage per name slot). */
static inline const char *
fuzz_file( const char *name, const void *p, size_t len )
{
	static char paths[4][128];
	static int next;
	char *path = paths[next++ & 3];
	int fd;

	snprintf( path, 128, "%s/%s", fuzz_dir(), name );
	unlink( path );
	fd = open( path, O_WRONLY | O_CREAT | O_EXCL, 0600 );
	if ( fd < 0 ) abort();
	if ( len && write( fd, p, len ) != (ssize_t)len ) abort();
	close( fd );
	return path;
}

#endif /* WARDEN_FUZZ_H */
