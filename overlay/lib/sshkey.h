/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* sshkey.h - SSH public keys as the openssh-lpk schema stores them
 *
 * An sshPublicKey value is one line of OpenSSH's authorized_keys format:
 * optional options, the key type, the key in base64, an optional comment
 * ("ssh-ed25519 AAAAC3Nz... alice@laptop", 'from="192.0.2.0/24"
 * ssh-rsa AAAA... bob').  warden parses each value written, says whether
 * the key is strong enough, and names it by its SHA-256 fingerprint as
 * ssh-keygen -lf prints it ("SHA256:" and the unpadded base64 of the hash
 * of the key blob).  Pure functions, no slapd; OpenSSL for SHA-256.
 */
#ifndef WARDEN_SSHKEY_H
#define WARDEN_SSHKEY_H

#include <stddef.h>

/** The longest value accepted (a 16384-bit RSA key with options fits). */
#define WARDEN_SSHKEY_MAX_LINE	16384
/** OpenSSH's own ceiling on an RSA modulus. */
#define WARDEN_SSHKEY_MAX_RSA_BITS	16384
/** The default of warden-ssh-min-rsa-bits. */
#define WARDEN_SSHKEY_MIN_RSA_DEFAULT	3072
/** "SHA256:" and 43 base64 characters, NUL. */
#define WARDEN_SSHKEY_FP_LEN	51

typedef enum warden_sshkey_kind {
	WARDEN_SSHKEY_RSA = 1,
	WARDEN_SSHKEY_DSA,
	WARDEN_SSHKEY_ECDSA,
	WARDEN_SSHKEY_ED25519,
	WARDEN_SSHKEY_SK_ED25519,	/**< sk-ssh-ed25519@openssh.com */
	WARDEN_SSHKEY_SK_ECDSA		/**< sk-ecdsa-sha2-nistp256@openssh.com */
} warden_sshkey_kind;

/** What a value holds. */
typedef struct warden_sshkey {
	warden_sshkey_kind	sk_kind;
	const char		*sk_type;	/**< "ssh-rsa", ... (static) */
	unsigned		sk_bits;	/**< the key's size in bits */
	int			sk_options;	/**< options precede the type */
	unsigned char		sk_hash[32];	/**< SHA-256 of the key blob */
	char			sk_fingerprint[WARDEN_SSHKEY_FP_LEN];
} warden_sshkey;

/** Parses one value: [options SP] type SP base64 [SP comment].  The key
 * blob is decoded and read whole (its type must be the one before it, each
 * field present, nothing after the last).  Control characters anywhere
 * are malformed: a line break would let one value carry a second,
 * unchecked key into authorized_keys.
 * @param[out] msg	what is wrong ("the key is not valid base64", ...)
 * @return 0, or -1: malformed or of an unknown type */
int warden_sshkey_parse( const char *s, size_t len, warden_sshkey *k,
	char *msg, size_t msglen );

/** Whether a parsed key is strong enough: DSA never; RSA of min_rsa_bits
 * or more; ECDSA of 256 bits or more; Ed25519 and the security-key types.
 * @param[out] msg	what is wrong ("RSA keys must have at least 3072 bits;
 *	this one has 2048")
 * @return 0 accepted, -1 refused */
int warden_sshkey_strong( const warden_sshkey *k, unsigned min_rsa_bits,
	char *msg, size_t msglen );

#endif /* WARDEN_SSHKEY_H */
