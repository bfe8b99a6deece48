/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* codec.h - the byte order of warden's records on disk
 *
 * Every record of the state store and the banned-password index holds its
 * numbers little-endian, whatever the host, so that a store or an index
 * can be copied between machines.  One definition, used by all of them.
 */
#ifndef WARDEN_CODEC_H
#define WARDEN_CODEC_H

#include <endian.h>
#include <stdint.h>
#include <string.h>

/** Stores v at p (8 bytes, little-endian; p need not be aligned). */
static inline void
warden_put64( unsigned char *p, uint64_t v )
{
	v = htole64( v );
	memcpy( p, &v, sizeof( v ) );
}

/** The 8-byte little-endian number at p. */
static inline uint64_t
warden_get64( const unsigned char *p )
{
	uint64_t v;

	memcpy( &v, p, sizeof( v ) );
	return le64toh( v );
}

/** Stores v at p (4 bytes, little-endian). */
static inline void
warden_put32( unsigned char *p, uint32_t v )
{
	v = htole32( v );
	memcpy( p, &v, sizeof( v ) );
}

/** The 4-byte little-endian number at p. */
static inline uint32_t
warden_get32( const unsigned char *p )
{
	uint32_t v;

	memcpy( &v, p, sizeof( v ) );
	return le32toh( v );
}

/** The n 8-byte little-endian numbers v, from p on. */
static inline void
warden_put64_n( unsigned char *p, const int64_t *v, unsigned n )
{
	unsigned i;

	for ( i = 0; i < n; i++ ) warden_put64( p + 8 * i, (uint64_t)v[i] );
}

/** The n 8-byte little-endian numbers from p on, into v. */
static inline void
warden_get64_n( int64_t *v, const unsigned char *p, unsigned n )
{
	unsigned i;

	for ( i = 0; i < n; i++ ) v[i] = (int64_t)warden_get64( p + 8 * i );
}

/* The lockout records (lockstate.c, peerstate.c) share a layout: byte 0
 * the version, byte 1 the number n of times at the end, bytes 2 and 3
 * zero, the record's own fields up to head, then n 8-byte times. */

/** Writes such a record's first four bytes. */
static inline void
warden_rec_head_put( unsigned char *p, unsigned char version, unsigned n )
{
	p[0] = version;
	p[1] = (unsigned char)n;
	p[2] = p[3] = 0;
}

/** Whether the size bytes at p are such a record of this version, with at
 * most max times, and exactly as long as they say.
 * @return n, or -1: another layout (never half read) */
static inline int
warden_rec_head_check( const unsigned char *p, size_t size,
	unsigned char version, size_t head, unsigned max )
{
	if ( size < head || p[0] != version || p[1] > max || p[2] || p[3] ||
		size != head + 8 * (size_t)p[1] )
		return -1;
	return p[1];
}

#endif /* WARDEN_CODEC_H */
