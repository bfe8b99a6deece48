/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* quality.h - password quality rules, as pure functions
 *
 * The rules of a password policy that need nothing but the password and
 * a few strings of the user's entry: length in characters of valid UTF-8,
 * character classes, runs of one character, sequences (abcd, 4321, rows of
 * the keyboard), and words taken from the user.  The dictionary and the
 * banned-password list are checked elsewhere; warden_quality_normalize()
 * gives the form the banned list is matched in, warden_quality_unmask()
 * the word the dictionary looks up besides the password.
 *
 * Messages say what to do and never contain the password.
 */
#ifndef WARDEN_QUALITY_H
#define WARDEN_QUALITY_H

#include <stddef.h>

typedef struct warden_quality_policy {
	unsigned	qp_min_length;	/**< characters (pwdMinLength) */
	unsigned	qp_max_length;	/**< characters (pwdMaxLength); 0: none */
	unsigned	qp_min_classes;	/**< of lower, upper, digit, other */
	unsigned	qp_min_lower;
	unsigned	qp_min_upper;
	unsigned	qp_min_digit;
	unsigned	qp_min_other;	/**< symbols, spaces, non-ASCII letters */
	unsigned	qp_max_repeat;	/**< longest run of one character; 0: any */
	unsigned	qp_max_sequence; /**< longest sequence (abc, 321, qwe); 0: any */
} warden_quality_policy;

/** What a policy entry that does not say (no wardenMaxRepeat,
 * wardenMaxSequence) gets: "aaaa" and "abcde", "54321", "qwert" are
 * refused under any policy, not only under one that names warden's own
 * attributes.  An explicit 0 turns the rule off. */
#define WARDEN_Q_DEFAULT_MAX_REPEAT	3
#define WARDEN_Q_DEFAULT_MAX_SEQUENCE	4

typedef enum warden_quality_result {
	WARDEN_Q_OK = 0,
	WARDEN_Q_BAD_UTF8,	/**< not valid UTF-8 */
	WARDEN_Q_TOO_SHORT,
	WARDEN_Q_TOO_LONG,
	WARDEN_Q_CLASSES,	/**< too few classes, or too few of one */
	WARDEN_Q_REPEAT,
	WARDEN_Q_SEQUENCE,
	WARDEN_Q_PERSONAL	/**< contains a word from the user's entry */
} warden_quality_result;

/** Counts the characters of a UTF-8 string.
 * @return the count, or -1 when the bytes are not valid UTF-8 (overlong
 *	forms, surrogates, code points above U+10FFFF and NUL are invalid) */
long warden_utf8_length( const char *s, size_t len );

/** Checks a password against the rules and the user's own words.
 * @param[in] pw	the password (not NUL-terminated)
 * @param[in] personal	NULL-terminated list of the user's values (uid, cn,
 *	sn, givenName, the local part of mail); values shorter than 3
 *	characters are ignored; matched case-insensitively, also reversed
 * @param[out] msg	what to fix, when refused
 * @return WARDEN_Q_OK or the first rule broken
 */
warden_quality_result warden_quality_check( const warden_quality_policy *qp,
	const char *pw, size_t len, const char *const *personal,
	char *msg, size_t msglen );

/** The form in which a password is looked up in the banned list, and in
 * which the list is stored: ASCII digits and symbols are stripped from both
 * ends, then ASCII letters are folded to lower case and @ and 4 read as a,
 * 0 as o, 1, ! and l as i, 3 as e, $ and 5 as s, 7 as t.  "P@ssw0rd1!"
 * becomes "password", "Lo11ipop" and "lollipop" both "ioiiipop".  Non-ASCII
 * characters are kept as they are.
 * @param[out] out	at least len + 1 bytes; NUL-terminated
 * @return the length of out
 */
size_t warden_quality_normalize( const char *pw, size_t len, char *out );

/** The word a password hides, for the dictionary: ASCII digits and symbols
 * are stripped from both ends as by warden_quality_normalize(), ASCII
 * letters folded to lower case, and @ and 4 read as a, 0 as o, 3 as e, $
 * and 5 as s, 7 as t, ! as i.  Unlike the banned list's key, l is left
 * alone (the key reads it as i, and "football" would become "footbaii",
 * which no dictionary holds) and so is 1, which cracklib itself tries as
 * both i and l.  "Summer2024!!" becomes "summer", "P@ssw0rd1!"
 * "password", "Footb@ll-2024" "football".  Non-ASCII characters are kept
 * as they are.
 * @param[out] out	at least len + 1 bytes; NUL-terminated
 * @return the length of out (0: the password has no letter)
 */
size_t warden_quality_unmask( const char *pw, size_t len, char *out );

/** How strong the scheme of a stored userPassword value is: 0 cleartext,
 * 1 unsalted or weak ({MD5}, {SHA}, DES or MD5 {CRYPT}), 2 salted fast
 * hashes ({SSHA}, {SSHA512}, ...), 3 slow ones ({PBKDF2*}, {BCRYPT},
 * modern {CRYPT}), 4 {ARGON2}; -1 a scheme it does not know.  A value is
 * rehashed when its rank is below that of the configured scheme. */
int warden_hash_rank( const char *value, size_t len );

/** A source of random bytes: 0 on success. */
typedef int warden_random_fn( unsigned char *buf, size_t len );

#define WARDEN_GEN_LENGTH	20	/**< generated passwords, at least */

/** Generates a password that satisfies the rules: WARDEN_GEN_LENGTH
 * characters or pwdMinLength if longer (pwdMaxLength if shorter), with
 * every class, from an alphabet without look-alike characters.
 * @param[out] out	NUL-terminated; the caller wipes it after use
 * @return its length, or 0 when the rules cannot be met in outlen bytes
 *	or the random source failed
 */
size_t warden_quality_generate( const warden_quality_policy *qp,
	warden_random_fn *rnd, char *out, size_t outlen );

#endif /* WARDEN_QUALITY_H */
