/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* keyring.h - warden's secret keys, read from warden-key-file
 *
 * The key file holds one key per line: an identifier and 32 bytes of key in
 * hex (64 hex digits), separated by blanks.  Blank lines and lines starting
 * with '#' are ignored.  The first key is the active one: new secrets are
 * wrapped under it; the others remain for unwrapping, so keys can be rotated
 * by adding a new first line.  The file must be a regular file owned by the
 * effective user (or root) and neither readable nor writable by group or
 * others.
 */
#ifndef WARDEN_KEYRING_H
#define WARDEN_KEYRING_H

#include <stddef.h>

#define WARDEN_KEY_LEN		32	/**< AES-256 */
#define WARDEN_KEY_ID_MAX	32	/**< longest key identifier */
#define WARDEN_KEYS_MAX		16	/**< most keys in one file */

typedef struct warden_key {
	char		wk_id[WARDEN_KEY_ID_MAX + 1];
	unsigned char	wk_key[WARDEN_KEY_LEN];
} warden_key;

typedef struct warden_keyring {
	int		wr_count;	/**< number of keys; wr_keys[0] is active */
	warden_key	wr_keys[WARDEN_KEYS_MAX];
} warden_keyring;

/** Loads a key file.
 * @param[in] path	absolute path of the key file
 * @param[out] ring	the keys; must be freed with warden_keyring_free()
 *	(also after a failure, which may leave it partly filled)
 * @param[out] msg	reason on failure; never contains key material
 * @param[in] len	size of msg
 * @return 0 or -1
 */
int warden_keyring_load( const char *path, warden_keyring **ring,
	char *msg, size_t len );

/** Finds a key by identifier.
 * @return the key, or NULL
 */
const warden_key *warden_keyring_find( const warden_keyring *ring,
	const char *id );

/** Wipes and frees a keyring.  NULL is allowed. */
void warden_keyring_free( warden_keyring *ring );

#endif /* WARDEN_KEYRING_H */
