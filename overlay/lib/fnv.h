/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* fnv.h - the hashes of warden's in-memory tables
 *
 * For picking a slot or a stripe, never for anything an attacker must not
 * forge: a table that an attacker fills (the throttle) starts from a
 * secret and mixes the result further (throttle.c).
 */
#ifndef WARDEN_FNV_H
#define WARDEN_FNV_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/** The FNV-1a offset basis: the start of a hash. */
#define WARDEN_FNV_BASIS	14695981039346656037ULL

/** Hashes n bytes at p into h (WARDEN_FNV_BASIS for a new hash, or the
 * result of an earlier call to continue it). */
static inline uint64_t
warden_fnv1a( uint64_t h, const void *p, size_t n )
{
	const unsigned char *c = p;

	while ( n-- ) {
		h ^= *c++;
		h *= 1099511628211ULL;
	}
	return h;
}

/** Hashes n bytes at p, eight at a time: what the bind path hashes (DNs,
 * entryUUIDs) on every bind, where FNV-1a's byte at a time costs about
 * five instructions a byte.  Every bit of the result depends on every
 * byte (the final mix), so that its low bits can pick a stripe and its
 * high bits a bucket. */
static inline uint64_t
warden_hash( const void *p, size_t n )
{
	const unsigned char *c = p;
	uint64_t h = WARDEN_FNV_BASIS ^ n, w;

	for ( ; n >= 8; n -= 8, c += 8 ) {
		memcpy( &w, c, 8 );
		h = ( h ^ w ) * 0x9E3779B97F4A7C15ULL;
		h ^= h >> 29;
	}
	if ( n ) {
		w = 0;
		memcpy( &w, c, n );
		h = ( h ^ w ) * 0x9E3779B97F4A7C15ULL;
	}
	/* MurmurHash3's finaliser */
	h ^= h >> 33;
	h *= 0xFF51AFD7ED558CCDULL;
	h ^= h >> 33;
	h *= 0xC4CEB9FE1A85EC53ULL;
	h ^= h >> 33;
	return h;
}

#endif /* WARDEN_FNV_H */
