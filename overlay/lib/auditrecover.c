/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* auditrecover.c - where the trail left off, when it is opened again */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "auditlog.h"
#include "auditrecover.h"

#define SCAN_CHUNK	65536

/* The offset of the last '\n' before offset 'before', -1 when there is
 * none, -2 on a read error. */
static off_t
find_nl_back( int fd, off_t before )
{
	char buf[SCAN_CHUNK];

	while ( before > 0 ) {
		size_t n = before > SCAN_CHUNK ? SCAN_CHUNK : (size_t)before;
		off_t from = before - n;
		ssize_t r = pread( fd, buf, n, from );

		if ( r != (ssize_t)n ) return -2;
		while ( n-- > 0 )
			if ( buf[n] == '\n' ) return from + (off_t)n;
		before = from;
	}
	return -1;
}

/* The last complete line of a file whose byte end - 1 is '\n', parsed.
 * Returns 0, or -1 with a reason. */
static int
last_record( int fd, off_t end, const char *path, warden_audit_link *l,
	char *msg, size_t len )
{
	off_t nl = find_nl_back( fd, end - 1 ), start = nl + 1;
	size_t n;
	char *line;
	int rc = -1;

	if ( nl == -2 ) {
		snprintf( msg, len, "cannot read \"%s\": %s", path, strerror( errno ) );
		return -1;
	}
	n = end - 1 - start;
	if ( n > WARDEN_AUDIT_RECORD_MAX + 1024 ) {
		snprintf( msg, len, "the last line of \"%s\" is not an audit "
			"record (too long); move the file aside", path );
		return -1;
	}
	if ( !( line = malloc( n + 1 ) ) ) {
		snprintf( msg, len, "out of memory" );
		return -1;
	}
	if ( pread( fd, line, n, start ) != (ssize_t)n ) {
		snprintf( msg, len, "cannot read \"%s\": %s", path, strerror( errno ) );
	} else if ( warden_audit_parse( line, n, l ) ) {
		snprintf( msg, len, "the last line of \"%s\" is not a warden audit "
			"record (another program's file, or edited); move the file "
			"aside, and check it with wardenctl audit verify", path );
	} else {
		rc = 0;
	}
	free( line );
	return rc;
}

/* The chain of PATH.1, if it ends in a record: logrotate may have moved
 * the file while slapd was stopped.  Returns 0 when it was found. */
static int
chain_from_rotated( const char *path, uint64_t *seq, unsigned char *hash )
{
	char p1[4200], msg[256];
	warden_audit_link l;
	struct stat st;
	off_t end;
	int fd, rc = -1;

	if ( snprintf( p1, sizeof( p1 ), "%s.1", path ) >= (int)sizeof( p1 ) )
		return -1;
	if ( ( fd = open( p1, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK ) ) < 0 )
		return -1;
	if ( fstat( fd, &st ) || !S_ISREG( st.st_mode ) || st.st_size == 0 )
		goto done;
	/* a torn line there is ignored: the last complete one counts */
	if ( ( end = find_nl_back( fd, st.st_size ) ) < 0 ) goto done;
	if ( last_record( fd, end + 1, p1, &l, msg, sizeof( msg ) ) ) goto done;
	*seq = l.al_seq;
	memcpy( hash, l.al_hash, WARDEN_AUDIT_HASH_LEN );
	rc = 0;

done:
	close( fd );
	return rc;
}

int
warden_audit_recover( int wfd, const char *path, uint64_t *seq,
	unsigned char *hash, off_t *tornp, unsigned char *torn_hash,
	char *msg, size_t len )
{
	struct stat ws, rs;
	warden_audit_link l;
	off_t size, keep;
	char last;
	int rfd, rc = -1;

	*tornp = 0;
	rfd = open( path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK );
	if ( rfd < 0 ) {
		snprintf( msg, len, "cannot read \"%s\": %s", path,
			strerror( errno ) );
		return -1;
	}
	if ( fstat( wfd, &ws ) || fstat( rfd, &rs ) ||
		ws.st_dev != rs.st_dev || ws.st_ino != rs.st_ino ) {
		snprintf( msg, len, "\"%s\" was replaced while it was opened",
			path );
		goto done;
	}
	size = ws.st_size;
	if ( size > 0 && ( pread( rfd, &last, 1, size - 1 ) != 1 ) ) {
		snprintf( msg, len, "cannot read \"%s\": %s", path,
			strerror( errno ) );
		goto done;
	}
	if ( size > 0 && last != '\n' ) {
		EVP_MD_CTX *md = EVP_MD_CTX_new();
		char buf[SCAN_CHUNK];
		unsigned int hl = 0;
		off_t off;
		int ok;

		if ( ( keep = find_nl_back( rfd, size ) + 1 ) < 0 ) {
			snprintf( msg, len, "cannot read \"%s\": %s", path,
				strerror( errno ) );
			EVP_MD_CTX_free( md );
			goto done;
		}
		ok = md && EVP_DigestInit_ex2( md, EVP_sha256(), NULL );
		for ( off = keep; ok && off < size; ) {
			size_t n = size - off > SCAN_CHUNK ? SCAN_CHUNK : size - off;

			ok = pread( rfd, buf, n, off ) == (ssize_t)n &&
				EVP_DigestUpdate( md, buf, n );
			off += n;
		}
		ok = ok && EVP_DigestFinal_ex( md, torn_hash, &hl );
		EVP_MD_CTX_free( md );
		if ( !ok ) {
			snprintf( msg, len, "cannot read the torn last line of \"%s\"",
				path );
			goto done;
		}
		if ( ftruncate( wfd, keep ) || fdatasync( wfd ) ) {
			snprintf( msg, len, "cannot cut the torn last line off \"%s\": %s",
				path, strerror( errno ) );
			goto done;
		}
		*tornp = size - keep;
		size = keep;
	}
	if ( size > 0 ) {
		if ( last_record( rfd, size, path, &l, msg, len ) ) goto done;
		*seq = l.al_seq;
		memcpy( hash, l.al_hash, WARDEN_AUDIT_HASH_LEN );
	} else if ( chain_from_rotated( path, seq, hash ) ) {
		*seq = 0;
		memset( hash, 0, WARDEN_AUDIT_HASH_LEN );	/* genesis */
	}
	rc = 0;

done:
	close( rfd );
	return rc;
}
