/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* dedup.h - the same wrong password, repeated, counts once
 *
 * Clients retry, and stacked PAM modules send every typo twice.  warden
 * remembers, per user, keyed digests of the last few wrong credentials
 * (HMAC-SHA-256 under a random key made at start, never the credential
 * itself) with their time, in memory only.  Safe to use from many threads.
 */
#ifndef WARDEN_DEDUP_H
#define WARDEN_DEDUP_H

#include <stddef.h>
#include <stdint.h>

#define WARDEN_DEDUP_PER_USER	4	/**< wrong credentials remembered per user */

typedef struct warden_dedup warden_dedup;

/** Creates a table with a fresh random key (OpenSSL RAND_bytes).
 * @param[in] slots	users tracked at once (at least 16); the least
 *	recently used is evicted
 * @return the table, or NULL (out of memory, no randomness) */
warden_dedup *warden_dedup_new( unsigned slots );

/** Wipes (OPENSSL_cleanse) and frees a table; NULL is allowed. */
void warden_dedup_free( warden_dedup *d );

/** Whether this user already failed with this credential within the
 * window ending at now.  When not, the credential's digest is remembered
 * (the oldest of the user's WARDEN_DEDUP_PER_USER is replaced).
 * @param[in] uuid	16 bytes
 * @param[in] cred	the credential as sent; only its digest is kept
 * @return 1 when seen (the failure should not count again), 0 otherwise
 */
int warden_dedup_seen( warden_dedup *d, const unsigned char *uuid,
	const void *cred, size_t credlen, int64_t now, int64_t window );

/** Forgets a user's credentials (after a success or an unlock). */
void warden_dedup_forget( warden_dedup *d, const unsigned char *uuid );

#endif /* WARDEN_DEDUP_H */
