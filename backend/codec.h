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

#endif /* WARDEN_CODEC_H */
