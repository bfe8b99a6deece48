/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* recovery.h - one-time recovery codes
 *
 * A user who has lost the token signs in with one of ten recovery codes
 * instead of a TOTP code.  A code is ten characters of a 32-letter
 * alphabet without the look-alikes 0, 1, l and o, shown and typed in two
 * groups, "k7fq2-xm9ab" (50 random bits from OpenSSL's RAND_bytes).
 * Typing is forgiving: upper case reads as lower, and the dash may be left
 * out.
 *
 * Codes are stored only hashed, one printable value per code:
 *
 *	{WARDENRC1}INDEX$ITERATIONS$SALT$HASH
 *
 * INDEX is the code's number in its set (0 .. WARDEN_RECOVERY_COUNT - 1),
 * ITERATIONS the PBKDF2 count in decimal, SALT 16 bytes and HASH
 * PBKDF2-HMAC-SHA256(code without dash, SALT, ITERATIONS, 32 bytes), both
 * in lower-case hex.  The ten codes of a set share their salt, so checking
 * a code costs one derivation however many codes are stored (the hashes
 * are then compared in constant time, all of them), and the salt names the
 * set: warden_recovery_verify() returns the set id with the index, and
 * backend/otpstate.h keeps, per user, which indexes of which set have been
 * used.  Issuing a new set (new salt) thereby makes every code usable that
 * the old set had used, and none of the old codes.
 *
 * No function here records a use: a matching code is usable only after
 * warden_otpstate_use_recovery() has accepted its index.
 *
 * Functions return 0, a positive result where documented, or -1 after
 * writing a one-line reason into msg; a code never appears in a message.
 */
#ifndef WARDEN_RECOVERY_H
#define WARDEN_RECOVERY_H

#include <stddef.h>
#include <stdint.h>

#define WARDEN_RECOVERY_COUNT		10	/**< codes in a set; at most 32 */
#define WARDEN_RECOVERY_CODE_LEN	11	/**< "xxxxx-xxxxx" */
#define WARDEN_RECOVERY_PREFIX		"{WARDENRC1}"
/** Longest stored value, without the NUL. */
#define WARDEN_RECOVERY_STORED_MAX	128
/** PBKDF2 count of new sets: about 12 ms of one core per attempt. */
#define WARDEN_RECOVERY_ITER_DEFAULT	20000
#define WARDEN_RECOVERY_ITER_MIN	1000
#define WARDEN_RECOVERY_ITER_MAX	10000000

/** warden_recovery_verify(): the code matches no stored value. */
#define WARDEN_RECOVERY_NOMATCH		1

/** A set as issued: the codes, to show the user once, and the values to
 * store.  Holds the codes in the clear: wipe it with
 * warden_recovery_wipe(). */
typedef struct warden_recovery_set {
	uint64_t	rs_id;		/**< the set id verify returns */
	char		rs_code[WARDEN_RECOVERY_COUNT][WARDEN_RECOVERY_CODE_LEN + 1];
	char		rs_stored[WARDEN_RECOVERY_COUNT][WARDEN_RECOVERY_STORED_MAX + 1];
} warden_recovery_set;

/** Issues a new set of WARDEN_RECOVERY_COUNT distinct codes with a fresh
 * salt.
 * @param[in] iterations	PBKDF2 count, WARDEN_RECOVERY_ITER_MIN ..
 *	WARDEN_RECOVERY_ITER_MAX (WARDEN_RECOVERY_ITER_DEFAULT unless there
 *	is a reason)
 * @param[out] set	the set; wiped on -1
 * @return 0 or -1 (iterations out of range, RAND_bytes or PBKDF2 failing)
 */
int warden_recovery_generate( unsigned iterations, warden_recovery_set *set,
	char *msg, size_t len );

/** Wipes a set (OPENSSL_cleanse). */
void warden_recovery_wipe( warden_recovery_set *set );

/** Checks a typed code against the stored values of a user.
 *
 * The code's shape is checked first (ten alphabet characters, with or
 * without the dash after the fifth, either case): a code of another shape
 * gives WARDEN_RECOVERY_NOMATCH without any hashing.  Otherwise every
 * stored value is compared, without stopping at a match.
 * @param[in] code	the code as typed (not NUL-terminated)
 * @param[in] stored	the stored values (not NUL-terminated)
 * @param[in] storedlen	their lengths
 * @param[in] nstored	how many, 0 .. 32
 * @param[out] index	on 0: the index of the matching code
 * @param[out] set_id	on 0: the id of its set
 * @return 0, WARDEN_RECOVERY_NOMATCH, or -1 (a stored value that is not
 *	of the format: the whole check fails, so that a damaged attribute is
 *	noticed rather than silently leaving fewer codes; PBKDF2 failing)
 */
int warden_recovery_verify( const char *code, size_t codelen,
	const char *const *stored, const size_t *storedlen, int nstored,
	int *index, uint64_t *set_id, char *msg, size_t len );

/** Splits a simple-bind credential "password" + recovery code: whether
 * the last WARDEN_RECOVERY_CODE_LEN characters have the shape of a code
 * with its dash (the dash is what tells a recovery code from the end of a
 * password followed by a TOTP code), with at least one character of
 * password before it.
 * @param[out] pwlen	on 0: the length of the password
 * @param[out] code	on 0: where the code starts, cred + pwlen
 * @return 0, or WARDEN_RECOVERY_NOMATCH when the credential does not end
 *	in a code
 */
int warden_recovery_split( const char *cred, size_t credlen,
	size_t *pwlen, const char **code );

#endif /* WARDEN_RECOVERY_H */
