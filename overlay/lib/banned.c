/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* banned.c - the banned-password list index (banned.h) */

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include "banned.h"
#include "codec.h"
#include "quality.h"

struct warden_banned {
	const unsigned char	*wb_map;
	size_t		wb_size;
	uint64_t	wb_count;
	const unsigned char	*wb_offsets;	/* N little-endian uint64 */
	const char	*wb_strings;
	dev_t		wb_dev;
	ino_t		wb_ino;
	off_t		wb_fsize;
	struct timespec	wb_mtim;
};

/* Keys up to this many bytes are made on the stack. */
#define BL_STACK_KEY	256

/* Header field offsets (banned.h). */
#define BL_H_VERSION	8
#define BL_H_KEYS	12
#define BL_H_COUNT	16
#define BL_H_OFFSETS	24
#define BL_H_STRINGS	32
#define BL_H_STRLEN	40
#define BL_H_FILELEN	48
#define BL_H_RESERVED	56

/* The key of a password (banned.h) into out, which has len + 1 bytes;
 * the one definition for building and for lookup. */
static size_t
bl_key( const char *pw, size_t len, char *out )
{
	size_t n = warden_quality_normalize( pw, len, out );

	if ( n == 0 && len > 0 ) {
		memcpy( out, pw, len );
		out[len] = '\0';
		n = len;
	}
	return n;
}

/* --- building ------------------------------------------------------------ */

/* The keys of the list, one after the other, each NUL-terminated; offsets
 * rather than pointers while reading, since the area moves as it grows. */
typedef struct bl_keys {
	char		*bk_area;
	size_t		bk_used;
	size_t		bk_size;
	size_t		*bk_off;
	size_t		bk_n;
	size_t		bk_max;
} bl_keys;

/* p grown to hold need elements (cap updated), or NULL, p untouched. */
static void *
bl_grow( void *p, size_t *cap, size_t need, size_t elem )
{
	size_t n = *cap ? *cap : 1024;

	if ( need <= *cap ) return p;
	while ( n < need ) {
		if ( n > SIZE_MAX / 2 / elem ) return NULL;
		n *= 2;
	}
	if ( !( p = realloc( p, n * elem ) ) ) return NULL;
	*cap = n;
	return p;
}

static int
bl_cmp( const void *a, const void *b )
{
	/* strcmp() compares as unsigned char: memcmp() order, as banned.h says */
	return strcmp( *(char *const *)a, *(char *const *)b );
}

/* Writes all of buf, or fails with errno set. */
static int
bl_write( int fd, const void *buf, size_t n )
{
	const char *p = buf;

	while ( n > 0 ) {
		ssize_t w = write( fd, p, n );

		if ( w < 0 ) {
			if ( errno == EINTR ) continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Flushes the directory that holds path, so that the rename is on disk
 * when warden_banned_build() returns. */
static int
bl_sync_dir( const char *path )
{
	const char *slash = strrchr( path, '/' );
	char *dir;
	int fd, rc = 0;

	if ( !slash ) {
		dir = strdup( "." );
	} else if ( slash == path ) {
		dir = strdup( "/" );
	} else {
		dir = strndup( path, (size_t)( slash - path ) );
	}
	if ( !dir ) return -1;
	fd = open( dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC );
	free( dir );
	if ( fd < 0 ) return -1;
	if ( fsync( fd ) < 0 && errno != EINVAL ) rc = -1;
	close( fd );
	return rc;
}

/* Writes the sorted, distinct keys in the format of banned.h to fd. */
static int
bl_write_index( int fd, char **keys, size_t n )
{
	unsigned char hdr[WARDEN_BANNED_HEADER], *tab = NULL;
	uint64_t strlen_total = 0;
	size_t i, tabsz = 64 * 1024, t = 0;
	int rc = -1;

	for ( i = 0; i < n; i++ )
		strlen_total += strlen( keys[i] ) + 1;
	memset( hdr, 0, sizeof( hdr ) );
	memcpy( hdr, WARDEN_BANNED_MAGIC, 8 );
	warden_put32( hdr + BL_H_VERSION, WARDEN_BANNED_VERSION );
	warden_put32( hdr + BL_H_KEYS, WARDEN_BANNED_KEYS );
	warden_put64( hdr + BL_H_COUNT, n );
	warden_put64( hdr + BL_H_OFFSETS, WARDEN_BANNED_HEADER );
	warden_put64( hdr + BL_H_STRINGS, WARDEN_BANNED_HEADER + 8 * (uint64_t)n );
	warden_put64( hdr + BL_H_STRLEN, strlen_total );
	warden_put64( hdr + BL_H_FILELEN,
		WARDEN_BANNED_HEADER + 8 * (uint64_t)n + strlen_total );
	if ( bl_write( fd, hdr, sizeof( hdr ) ) < 0 ) return -1;

	/* the offset table, in chunks */
	if ( !( tab = malloc( tabsz ) ) ) {
		errno = ENOMEM;
		return -1;
	}
	strlen_total = 0;
	for ( i = 0; i < n; i++ ) {
		warden_put64( tab + t, strlen_total );
		t += 8;
		strlen_total += strlen( keys[i] ) + 1;
		if ( t == tabsz ) {
			if ( bl_write( fd, tab, t ) < 0 ) goto done;
			t = 0;
		}
	}
	if ( t && bl_write( fd, tab, t ) < 0 ) goto done;

	/* the strings, gathered into the same buffer */
	t = 0;
	for ( i = 0; i < n; i++ ) {
		size_t l = strlen( keys[i] ) + 1;

		if ( t + l > tabsz ) {
			if ( t && bl_write( fd, tab, t ) < 0 ) goto done;
			t = 0;
		}
		if ( l > tabsz ) {
			if ( bl_write( fd, keys[i], l ) < 0 ) goto done;
			continue;
		}
		memcpy( tab + t, keys[i], l );
		t += l;
	}
	if ( t && bl_write( fd, tab, t ) < 0 ) goto done;
	rc = 0;

done:
	free( tab );
	return rc;
}

int
warden_banned_build( FILE *in, const char *out_path, size_t *count,
	char *msg, size_t len )
{
	bl_keys k = { NULL, 0, 0, NULL, 0, 0 };
	char *line = NULL, **sorted = NULL, *tmp = NULL;
	size_t linecap = 0, i, n = 0, tmplen;
	ssize_t got;
	int fd = -1, rc = -1, err;

	if ( count ) *count = 0;
	for ( ;; ) {
		size_t l, kl;
		void *q;

		errno = 0;
		got = getline( &line, &linecap, in );
		if ( got < 0 ) {
			if ( ferror( in ) ) {
				snprintf( msg, len, "reading the list: %s",
					strerror( errno ? errno : EIO ) );
				goto done;
			}
			break;
		}
		l = (size_t)got;
		if ( l && line[l - 1] == '\n' ) l--;
		if ( l && line[l - 1] == '\r' ) l--;
		if ( l == 0 ) continue;
		if ( !( q = bl_grow( k.bk_area, &k.bk_size, k.bk_used + l + 1, 1 ) ) ) {
			snprintf( msg, len, "out of memory reading the list" );
			goto done;
		}
		k.bk_area = q;
		kl = bl_key( line, l, k.bk_area + k.bk_used );
		if ( memchr( k.bk_area + k.bk_used, '\0', kl ) ) continue;
		if ( !( q = bl_grow( k.bk_off, &k.bk_max, k.bk_n + 1,
				sizeof( *k.bk_off ) ) ) ) {
			snprintf( msg, len, "out of memory reading the list" );
			goto done;
		}
		k.bk_off = q;
		k.bk_off[k.bk_n++] = k.bk_used;
		k.bk_used += kl + 1;
	}

	if ( k.bk_n && !( sorted = malloc( k.bk_n * sizeof( *sorted ) ) ) ) {
		snprintf( msg, len, "out of memory sorting the list" );
		goto done;
	}
	for ( i = 0; i < k.bk_n; i++ )
		sorted[i] = k.bk_area + k.bk_off[i];
	if ( k.bk_n ) qsort( sorted, k.bk_n, sizeof( *sorted ), bl_cmp );
	for ( i = 0; i < k.bk_n; i++ ) {
		if ( n && !strcmp( sorted[n - 1], sorted[i] ) ) continue;
		sorted[n++] = sorted[i];
	}

	tmplen = strlen( out_path ) + 32;
	if ( !( tmp = malloc( tmplen ) ) ) {
		snprintf( msg, len, "out of memory" );
		goto done;
	}
	snprintf( tmp, tmplen, "%s.tmp.%ld", out_path, (long)getpid() );
	/* O_EXCL | O_NOFOLLOW: never write through a link planted at the
	 * temporary name; a leftover of a dead run with our pid goes first */
	fd = open( tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644 );
	if ( fd < 0 && errno == EEXIST && unlink( tmp ) == 0 )
		fd = open( tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644 );
	if ( fd < 0 ) {
		snprintf( msg, len, "cannot create \"%s\": %s", tmp, strerror( errno ) );
		free( tmp );
		tmp = NULL;
		goto done;
	}
	/* 0644 whatever the umask: slapd's user must be able to read it */
	if ( fchmod( fd, 0644 ) < 0 || bl_write_index( fd, sorted, n ) < 0 ||
		fsync( fd ) < 0 ) {
		snprintf( msg, len, "writing \"%s\": %s", tmp, strerror( errno ) );
		goto done;
	}
	err = close( fd );
	fd = -1;
	if ( err < 0 ) {
		snprintf( msg, len, "writing \"%s\": %s", tmp, strerror( errno ) );
		goto done;
	}
	if ( rename( tmp, out_path ) < 0 ) {
		snprintf( msg, len, "cannot rename \"%s\" to \"%s\": %s", tmp,
			out_path, strerror( errno ) );
		goto done;
	}
	free( tmp );
	tmp = NULL;
	if ( bl_sync_dir( out_path ) < 0 ) {
		snprintf( msg, len, "flushing the directory of \"%s\": %s",
			out_path, strerror( errno ) );
		goto done;
	}
	if ( count ) *count = n;
	rc = 0;

done:
	if ( fd >= 0 ) close( fd );
	if ( tmp ) {
		unlink( tmp );
		free( tmp );
	}
	free( line );
	free( sorted );
	free( k.bk_area );
	free( k.bk_off );
	return rc;
}

/* --- reading ------------------------------------------------------------- */

/* Checks a mapped file against the format of banned.h.  Every key is
 * visited, so that a lookup never needs a bounds check. */
static int
bl_check( warden_banned *bl, const char *path, char *msg, size_t len )
{
	const unsigned char *m = bl->wb_map;
	uint64_t n, offs, strs, slen, flen, i, pos = 0;
	const char *prev = NULL;

	if ( bl->wb_size < WARDEN_BANNED_HEADER ||
		memcmp( m, WARDEN_BANNED_MAGIC, 8 ) ) {
		snprintf( msg, len, "\"%s\" is not a banned-password index "
			"(build one with wardenctl banned build)", path );
		return -1;
	}
	if ( warden_get32( m + BL_H_VERSION ) != WARDEN_BANNED_VERSION ) {
		snprintf( msg, len, "\"%s\" is a banned-password index of format "
			"%" PRIu32 "; this warden reads format %d: rebuild it with "
			"wardenctl banned build", path, warden_get32( m + BL_H_VERSION ),
			WARDEN_BANNED_VERSION );
		return -1;
	}
	if ( warden_get32( m + BL_H_KEYS ) != WARDEN_BANNED_KEYS ) {
		snprintf( msg, len, "\"%s\" was built with other normalisation "
			"rules (%" PRIu32 ", this warden has %d): rebuild it with "
			"wardenctl banned build", path, warden_get32( m + BL_H_KEYS ),
			WARDEN_BANNED_KEYS );
		return -1;
	}
	n = warden_get64( m + BL_H_COUNT );
	offs = warden_get64( m + BL_H_OFFSETS );
	strs = warden_get64( m + BL_H_STRINGS );
	slen = warden_get64( m + BL_H_STRLEN );
	flen = warden_get64( m + BL_H_FILELEN );
	if ( flen != bl->wb_size ) {
		snprintf( msg, len, "\"%s\" is %s: %zu bytes, its header says %"
			PRIu64, path, flen > bl->wb_size ? "truncated" : "corrupt",
			bl->wb_size, flen );
		return -1;
	}
	if ( offs != WARDEN_BANNED_HEADER || n > ( flen - offs ) / 8 ||
		strs != offs + 8 * n || slen != flen - strs ||
		warden_get64( m + BL_H_RESERVED ) != 0 ) {
		snprintf( msg, len, "\"%s\" is corrupt: inconsistent header", path );
		return -1;
	}
	/* the keys lie end to end: each offset is where the previous key's NUL
	 * ended, and each key is greater than the one before */
	bl->wb_count = n;
	bl->wb_offsets = m + offs;
	bl->wb_strings = (const char *)m + strs;
	for ( i = 0; i < n; i++ ) {
		const char *s, *nul;

		if ( warden_get64( bl->wb_offsets + 8 * i ) != pos || pos >= slen ) {
			snprintf( msg, len, "\"%s\" is corrupt: offset of key %"
				PRIu64 " out of range", path, i );
			return -1;
		}
		s = bl->wb_strings + pos;
		if ( !( nul = memchr( s, '\0', slen - pos ) ) ) {
			snprintf( msg, len, "\"%s\" is corrupt: key %" PRIu64
				" runs past the end of the file", path, i );
			return -1;
		}
		if ( prev && strcmp( prev, s ) >= 0 ) {
			snprintf( msg, len, "\"%s\" is corrupt: key %" PRIu64
				" is out of order", path, i );
			return -1;
		}
		prev = s;
		pos += (uint64_t)( nul - s ) + 1;
	}
	if ( pos != slen ) {
		snprintf( msg, len, "\"%s\" is corrupt: %" PRIu64 " bytes after "
			"the last key", path, slen - pos );
		return -1;
	}
	return 0;
}

int
warden_banned_open( const char *path, warden_banned **blp,
	char *msg, size_t len )
{
	warden_banned *bl = NULL;
	struct stat sb;
	void *m = MAP_FAILED;
	int fd;

	*blp = NULL;
	fd = open( path, O_RDONLY | O_CLOEXEC );
	if ( fd < 0 ) {
		snprintf( msg, len, "cannot open \"%s\": %s", path, strerror( errno ) );
		goto fail;
	}
	if ( fstat( fd, &sb ) < 0 ) {
		snprintf( msg, len, "cannot examine \"%s\": %s", path, strerror( errno ) );
		goto fail;
	}
	if ( !S_ISREG( sb.st_mode ) ) {
		snprintf( msg, len, "\"%s\" is not a regular file", path );
		goto fail;
	}
	if ( (uint64_t)sb.st_size < WARDEN_BANNED_HEADER ) {
		snprintf( msg, len, "\"%s\" is not a banned-password index "
			"(build one with wardenctl banned build)", path );
		goto fail;
	}
	if ( (uint64_t)sb.st_size > SIZE_MAX ) {
		snprintf( msg, len, "\"%s\" is too large to map", path );
		goto fail;
	}
	m = mmap( NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, fd, 0 );
	if ( m == MAP_FAILED ) {
		snprintf( msg, len, "cannot map \"%s\": %s", path, strerror( errno ) );
		goto fail;
	}
	close( fd );
	fd = -1;
	if ( !( bl = calloc( 1, sizeof( *bl ) ) ) ) {
		snprintf( msg, len, "out of memory" );
		goto fail;
	}
	/* from here warden_banned_close() unmaps it */
	bl->wb_map = m;
	m = MAP_FAILED;
	bl->wb_size = (size_t)sb.st_size;
	bl->wb_dev = sb.st_dev;
	bl->wb_ino = sb.st_ino;
	bl->wb_fsize = sb.st_size;
	bl->wb_mtim = sb.st_mtim;
	if ( bl_check( bl, path, msg, len ) < 0 ) goto fail;
	/* lookups jump about: read-ahead would only evict other pages */
	(void)madvise( (void *)bl->wb_map, bl->wb_size, MADV_RANDOM );
	*blp = bl;
	return 0;

fail:
	if ( fd >= 0 ) close( fd );
	if ( m != MAP_FAILED ) munmap( m, (size_t)sb.st_size );
	warden_banned_close( bl );
	return -1;
}

/* Binary search; bl_check() made every offset and key safe to read. */
static int
bl_find( const warden_banned *bl, const char *key )
{
	uint64_t lo = 0, hi = bl->wb_count;

	while ( lo < hi ) {
		uint64_t mid = lo + ( hi - lo ) / 2;
		int c = strcmp( key,
			bl->wb_strings + warden_get64( bl->wb_offsets + 8 * mid ) );

		if ( c == 0 ) return 1;
		if ( c < 0 )
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

int
warden_banned_contains( const warden_banned *bl, const char *pw, size_t len )
{
	char stack[BL_STACK_KEY], *key = stack;
	size_t kl;
	int found = 0;

	if ( len >= sizeof( stack ) && !( key = malloc( len + 1 ) ) ) return -1;
	kl = bl_key( pw, len, key );
	/* a key with a NUL cannot be in the index (banned.h) */
	if ( kl > 0 && !memchr( key, '\0', kl ) ) found = bl_find( bl, key );
	OPENSSL_cleanse( key, kl + 1 );
	if ( key != stack ) free( key );
	return found;
}

size_t
warden_banned_count( const warden_banned *bl )
{
	return (size_t)bl->wb_count;
}

int
warden_banned_changed( const warden_banned *bl, const char *path )
{
	struct stat sb;

	if ( stat( path, &sb ) < 0 ) return 1;
	return sb.st_dev != bl->wb_dev || sb.st_ino != bl->wb_ino ||
		sb.st_size != bl->wb_fsize ||
		sb.st_mtim.tv_sec != bl->wb_mtim.tv_sec ||
		sb.st_mtim.tv_nsec != bl->wb_mtim.tv_nsec;
}

void
warden_banned_close( warden_banned *bl )
{
	if ( !bl ) return;
	if ( bl->wb_map ) munmap( (void *)bl->wb_map, bl->wb_size );
	free( bl );
}
