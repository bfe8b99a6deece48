/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* secret.h - OATH secrets wrapped at rest
 *
 * A token's seed (oathSecret) is stored wrapped with AES-256-GCM under a
 * key of the key ring (keyring.h), so that the database files, slapcat
 * output, backups and replicas hold no usable seed.  The wrapped form is
 * printable, and tells itself apart from a raw seed:
 *
 *	{WARDEN1}KEYID$BASE64
 *
 * where KEYID is the identifier of the key in the key file (letters,
 * digits, '-', '_', '.'; never '$') and BASE64 is the standard base64
 * (RFC 4648 section 4, padded, no line breaks) of
 *
 *	nonce (12 random bytes) | ciphertext (as long as the seed) | tag (16)
 *
 * The additional authenticated data binds the value to where it belongs:
 *
 *	"WARDEN1" | len(KEYID) (1 byte) | KEYID | len(context) (4 bytes, big
 *	endian) | context
 *
 * where the context is chosen by the caller and names the entry the value
 * is stored in (its entryUUID, which a rename keeps).  A wrapped value
 * copied into another entry, or relabelled with another key id, fails
 * authentication instead of yielding a seed.
 *
 * Any value that begins with "{WARDEN" is taken for a wrapped one (a raw
 * seed is random bytes; one that begins with those 7 is a 2^-56 chance);
 * a version other than 1 is refused as corrupt, never read as a seed.
 *
 * Functions return WARDEN_SECRET_OK (0) or another warden_secret_rc after
 * writing a one-line reason into msg.  The reason never holds seed or key
 * material, only the key id and what went wrong.  Seeds pass through the
 * caller's buffers only; the caller wipes them (OPENSSL_cleanse) when done.
 */
#ifndef WARDEN_SECRET_H
#define WARDEN_SECRET_H

#include <stddef.h>

#include "keyring.h"

#define WARDEN_SECRET_PREFIX	"{WARDEN1}"
#define WARDEN_SECRET_PREFIX_LEN	( sizeof( WARDEN_SECRET_PREFIX ) - 1 )
#define WARDEN_SECRET_NONCE_LEN	12
#define WARDEN_SECRET_TAG_LEN	16
/** Longest seed wrapped or unwrapped: RFC 4226 asks for 16 bytes at
 * least and 20 are usual; HMAC-SHA-512 seeds are 64. */
#define WARDEN_SECRET_MAX	128

typedef enum warden_secret_rc {
	WARDEN_SECRET_OK = 0,
	WARDEN_SECRET_NOKEY,	/**< no key ring, or the key id is not in it */
	WARDEN_SECRET_CORRUPT,	/**< not of the wrapped format (a bad prefix,
				 * key id or base64, a wrong length) */
	WARDEN_SECRET_BADAUTH,	/**< the GCM tag does not verify: another
				 * key under the same id, a value moved from
				 * another entry, or altered */
	WARDEN_SECRET_FAIL	/**< anything else: an empty or too long seed,
				 * a buffer too small, OpenSSL failing */
} warden_secret_rc;

/** The length of the wrapped form of a seed (without a NUL).
 * @param[in] idlen	length of the key id
 * @param[in] seedlen	length of the seed
 */
size_t warden_secret_wrapped_len( size_t idlen, size_t seedlen );

/** Whether a stored value is a wrapped one (begins with "{WARDEN"), as
 * opposed to a raw seed left by slapo-otp or written by hand.  Looks at
 * the prefix only; warden_secret_unwrap() checks the rest. */
int warden_secret_is_wrapped( const char *val, size_t vallen );

/** The key id of a wrapped value, to tell whether it is wrapped under the
 * active key (and, if not, should be wrapped again).
 * @param[out] id	WARDEN_KEY_ID_MAX + 1 bytes; NUL-terminated
 * @return WARDEN_SECRET_OK or WARDEN_SECRET_CORRUPT
 */
warden_secret_rc warden_secret_key_id( const char *val, size_t vallen,
	char *id, char *msg, size_t len );

/** The length of the seed a wrapped value holds (its ciphertext is as
 * long), without the key: so that a short seed written already wrapped
 * can be refused like a cleartext one.
 * @param[out] seedlen	the seed's length
 * @return WARDEN_SECRET_OK or WARDEN_SECRET_CORRUPT (msg says why)
 */
warden_secret_rc warden_secret_seed_len( const char *val, size_t vallen,
	size_t *seedlen, char *msg, size_t len );

/** Wraps a seed under the active key of a ring (wr_keys[0]), with a
 * fresh random nonce.
 * @param[in] ring	the key ring; NULL or empty gives WARDEN_SECRET_NOKEY
 * @param[in] seed	the raw seed, 1 .. WARDEN_SECRET_MAX bytes
 * @param[in] ctx	the context bound to the value (the entryUUID of the
 *	entry that will hold it), 0 .. 65535 bytes
 * @param[out] out	the wrapped value, NUL-terminated
 * @param[in] outsize	size of out: at least
 *	warden_secret_wrapped_len( strlen( id ), seedlen ) + 1
 * @param[out] outlen	length of the wrapped value (may be NULL)
 * @return WARDEN_SECRET_OK, WARDEN_SECRET_NOKEY or WARDEN_SECRET_FAIL
 */
warden_secret_rc warden_secret_wrap( const warden_keyring *ring,
	const unsigned char *seed, size_t seedlen,
	const void *ctx, size_t ctxlen,
	char *out, size_t outsize, size_t *outlen, char *msg, size_t len );

/** Unwraps a value wrapped by warden_secret_wrap(), with the key of its
 * key id and the same context.
 * @param[out] seed	WARDEN_SECRET_MAX bytes; the seed.  Wiped when the
 *	result is not WARDEN_SECRET_OK.
 * @param[out] seedlen	length of the seed
 * @return WARDEN_SECRET_OK, WARDEN_SECRET_NOKEY (msg names the key id),
 *	WARDEN_SECRET_CORRUPT, WARDEN_SECRET_BADAUTH or WARDEN_SECRET_FAIL
 */
warden_secret_rc warden_secret_unwrap( const warden_keyring *ring,
	const char *val, size_t vallen, const void *ctx, size_t ctxlen,
	unsigned char *seed, size_t *seedlen, char *msg, size_t len );

#endif /* WARDEN_SECRET_H */
