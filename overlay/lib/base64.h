/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* base64.h - RFC 4648 base64, strict on input
 *
 * warden reads base64 it or OpenSSH wrote (wrapped secrets, SSH public
 * keys) and refuses anything else: a text decodes only if it is whole
 * quanta of the standard alphabet, with '=' only as the last one or two
 * characters and no bits set past the data.  So one blob has exactly one
 * text, and two texts that differ are never the same key or secret.
 * Nothing here is secret-dependent in its timing beyond the length: the
 * blobs decoded are ciphertext and public keys.
 */
#ifndef WARDEN_BASE64_H
#define WARDEN_BASE64_H

#include <stddef.h>

/** Characters that n bytes encode to (with padding; no NUL). */
size_t warden_base64_len( size_t n );

/** Encodes n bytes into out, warden_base64_len(n) characters, no NUL. */
void warden_base64_encode( const void *in, size_t n, char *out );

/** Decodes strictly (see above).
 * @param[out] out	up to outsize bytes
 * @return the bytes written, or -1: not strict base64, or more than
 *	outsize bytes */
long warden_base64_decode( const char *in, size_t n, unsigned char *out,
	size_t outsize );

#endif /* WARDEN_BASE64_H */
