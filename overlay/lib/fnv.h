/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* fnv.h - FNV-1a, the hash of warden's in-memory tables
 *
 * For picking a slot or a stripe, never for anything an attacker must not
 * forge: a table that an attacker fills (the throttle) starts from a
 * secret and mixes the result further (throttle.c).
 */
#ifndef WARDEN_FNV_H
#define WARDEN_FNV_H

#include <stddef.h>
#include <stdint.h>

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

#endif /* WARDEN_FNV_H */
