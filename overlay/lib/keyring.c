/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* keyring.c - loading warden-key-file */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "keyring.h"
#include "hex.h"
#include "validate.h"

#define KEYFILE_MAX	65536

/* a key file is typed by people: either case */
static int
keyring_hexval( int c )
{
	return warden_hex_digit( c, 1 );
}

static int
keyring_idchar( int c )
{
	return ( c >= '0' && c <= '9' ) || ( c >= 'a' && c <= 'z' ) ||
		( c >= 'A' && c <= 'Z' ) || c == '-' || c == '_' || c == '.';
}

/* Parses one non-comment line "ID HEX" into key. */
static int
keyring_parse_line( char *line, int lineno, warden_key *key,
	char *msg, size_t len )
{
	char *p = line, *id, *hex;
	size_t idlen, hexlen, i;

	while ( *p == ' ' || *p == '\t' ) p++;
	id = p;
	while ( keyring_idchar( (unsigned char)*p ) ) p++;
	idlen = p - id;
	if ( idlen == 0 || ( *p != ' ' && *p != '\t' ) ) {
		snprintf( msg, len, "line %d: expected a key id "
			"(letters, digits, '-', '_', '.') followed by blanks and "
			"64 hex digits", lineno );
		return -1;
	}
	if ( idlen > WARDEN_KEY_ID_MAX ) {
		snprintf( msg, len, "line %d: key id is longer than %d characters",
			lineno, WARDEN_KEY_ID_MAX );
		return -1;
	}
	while ( *p == ' ' || *p == '\t' ) p++;
	hex = p;
	while ( keyring_hexval( (unsigned char)*p ) >= 0 ) p++;
	hexlen = p - hex;
	while ( *p == ' ' || *p == '\t' || *p == '\r' ) p++;
	if ( *p != '\0' || hexlen != 2 * WARDEN_KEY_LEN ) {
		snprintf( msg, len, "line %d: the key must be exactly %d hex "
			"digits (%d bytes; 'openssl rand -hex %d' makes one)",
			lineno, 2 * WARDEN_KEY_LEN, WARDEN_KEY_LEN, WARDEN_KEY_LEN );
		return -1;
	}
	memcpy( key->wk_id, id, idlen );
	key->wk_id[idlen] = '\0';
	for ( i = 0; i < WARDEN_KEY_LEN; i++ ) {
		key->wk_key[i] = keyring_hexval( (unsigned char)hex[2*i] ) << 4 |
			keyring_hexval( (unsigned char)hex[2*i + 1] );
	}
	return 0;
}

int
warden_keyring_load( const char *path, warden_keyring **ringp,
	char *msg, size_t len )
{
	warden_keyring *ring = NULL;
	struct stat st;
	char *buf = NULL, *line, *next;
	ssize_t n;
	size_t got = 0;
	int fd = -1, rc = -1, lineno = 0, i;

	*ringp = NULL;
	if ( path[0] != '/' ) {
		snprintf( msg, len, "\"%s\" is not an absolute path", path );
		goto done;
	}
	fd = open( path, O_RDONLY | O_CLOEXEC | O_NONBLOCK );
	if ( fd < 0 ) {
		int err = errno;
		char who[160], owner[160];

		warden_slapd_user( who, sizeof( who ), owner, sizeof( owner ) );
		if ( err == EACCES )
			snprintf( msg, len, "cannot open \"%s\": %s; slapd's user "
				"(%s) reads it, and no one else may: chown %s %s && "
				"chmod 600 %s", path, strerror( err ), who, owner,
				path, path );
		else if ( err == ENOENT )
			snprintf( msg, len, "cannot open \"%s\": %s; create it: "
				"(umask 077; echo \"k1 $(openssl rand -hex 32)\" > %s) "
				"&& chown %s %s", path, strerror( err ), path, owner,
				path );
		else
			snprintf( msg, len, "cannot open \"%s\": %s", path,
				strerror( err ) );
		goto done;
	}
	if ( fstat( fd, &st ) < 0 ) {
		snprintf( msg, len, "cannot stat \"%s\": %s", path, strerror( errno ) );
		goto done;
	}
	if ( !S_ISREG( st.st_mode ) ) {
		snprintf( msg, len, "\"%s\" is not a regular file", path );
		goto done;
	}
	if ( st.st_mode & ( S_IRWXG | S_IRWXO ) ) {
		snprintf( msg, len, "\"%s\" is accessible by group or others "
			"(mode %04o); it holds secret keys: chmod 600 it",
			path, (unsigned)( st.st_mode & 07777 ) );
		goto done;
	}
	if ( st.st_uid != geteuid() && st.st_uid != 0 ) {
		char who[160], owner[160];

		warden_slapd_user( who, sizeof( who ), owner, sizeof( owner ) );
		snprintf( msg, len, "\"%s\" is owned by uid %u, not by slapd's "
			"user (%s) or root: chown %s %s", path, (unsigned)st.st_uid,
			who, owner, path );
		goto done;
	}
	if ( st.st_size > KEYFILE_MAX ) {
		snprintf( msg, len, "\"%s\" is larger than %d bytes", path, KEYFILE_MAX );
		goto done;
	}

	buf = malloc( KEYFILE_MAX + 1 );
	ring = calloc( 1, sizeof( *ring ) );
	if ( !buf || !ring ) {
		snprintf( msg, len, "out of memory" );
		goto done;
	}
	*ringp = ring;
	while ( got < KEYFILE_MAX &&
		( n = read( fd, buf + got, KEYFILE_MAX - got ) ) != 0 ) {
		if ( n < 0 ) {
			if ( errno == EINTR ) continue;
			snprintf( msg, len, "cannot read \"%s\": %s", path,
				strerror( errno ) );
			goto done;
		}
		got += n;
	}
	buf[got] = '\0';
	if ( memchr( buf, '\0', got ) ) {
		snprintf( msg, len, "\"%s\" is not a text file", path );
		goto done;
	}

	for ( line = buf; line && *line; line = next ) {
		char *p;

		lineno++;
		next = strchr( line, '\n' );
		if ( next ) *next++ = '\0';
		for ( p = line; *p == ' ' || *p == '\t' || *p == '\r'; p++ )
			;
		if ( *p == '\0' || *p == '#' ) continue;
		if ( ring->wr_count == WARDEN_KEYS_MAX ) {
			snprintf( msg, len, "\"%s\": more than %d keys", path,
				WARDEN_KEYS_MAX );
			goto done;
		}
		if ( keyring_parse_line( p, lineno, &ring->wr_keys[ring->wr_count],
				msg, len ) ) {
			goto done;
		}
		for ( i = 0; i < ring->wr_count; i++ ) {
			if ( !strcmp( ring->wr_keys[i].wk_id,
					ring->wr_keys[ring->wr_count].wk_id ) ) {
				snprintf( msg, len, "line %d: key id \"%s\" is used twice",
					lineno, ring->wr_keys[i].wk_id );
				goto done;
			}
		}
		ring->wr_count++;
	}
	if ( ring->wr_count == 0 ) {
		snprintf( msg, len, "\"%s\" holds no key; add a line "
			"\"ID HEX\" with 64 hex digits ('openssl rand -hex %d')",
			path, WARDEN_KEY_LEN );
		goto done;
	}
	rc = 0;

done:
	if ( buf ) {
		OPENSSL_cleanse( buf, KEYFILE_MAX + 1 );
		free( buf );
	}
	if ( fd >= 0 ) close( fd );
	if ( rc && !*ringp ) free( ring );
	return rc;
}

const warden_key *
warden_keyring_find( const warden_keyring *ring, const char *id )
{
	int i;

	for ( i = 0; ring && i < ring->wr_count; i++ ) {
		if ( !strcmp( ring->wr_keys[i].wk_id, id ) )
			return &ring->wr_keys[i];
	}
	return NULL;
}

void
warden_keyring_free( warden_keyring *ring )
{
	if ( !ring ) return;
	OPENSSL_cleanse( ring, sizeof( *ring ) );
	free( ring );
}
