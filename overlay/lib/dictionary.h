/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* dictionary.h - the cracklib dictionary check
 *
 * Passwords are checked with cracklib (libcrack2) against the dictionary
 * Debian's cracklib-runtime builds (/var/cache/cracklib/cracklib_dict).
 * cracklib has one dictionary descriptor per process, so checks are
 * serialized; the dictionary stays open, read into memory (a few hundred
 * kilobytes with Debian's cracklib-small, a few megabytes with larger
 * word lists), so a check makes no system call, and is read again when
 * update-cracklib replaces it.
 *
 * cracklib strips at most three characters from either end of a password
 * before it looks it up, so "password123" is refused but "password1234"
 * and "Summer2024!!" are not; warden_dictionary_check_hidden() looks up the
 * word such a password hides (warden_quality_unmask()) as well.
 */
#ifndef WARDEN_DICTIONARY_H
#define WARDEN_DICTIONARY_H

#include <stddef.h>

/** The dictionary cracklib was built to use (without .pwd/.pwi/.hwm). */
const char *warden_dictionary_default( void );

/** Whether the dictionary's three files are readable.
 * @param[out] msg	why not */
int warden_dictionary_usable( const char *path, char *msg, size_t len );

/** Checks one password.
 * @param[in] path	the dictionary, NULL for the default
 * @param[out] msg	what to fix when refused, or why the check could not
 *	be made; never contains the password
 * @return 0 accepted, 1 refused, -1 the dictionary cannot be read
 */
int warden_dictionary_check( const char *path, const char *pw, size_t len,
	char *msg, size_t msglen );

/** Checks the word a password hides behind digits, symbols and look-alike
 * characters (warden_quality_unmask()): one more cracklib lookup, made
 * only when that word differs from the password other than in case and
 * is not empty.  It is refused only when cracklib finds a dictionary word:
 * the other reasons (too short, too few different characters) are about
 * the password, which warden_dictionary_check() has judged whole.
 * @param[in] path	the dictionary, NULL for the default
 * @param[out] msg	what to fix when refused, or why the check could not
 *	be made; never contains the password or the word
 * @return 0 accepted, 1 refused, -1 the dictionary cannot be read
 */
int warden_dictionary_check_hidden( const char *path, const char *pw,
	size_t len, char *msg, size_t msglen );

#endif /* WARDEN_DICTIONARY_H */
