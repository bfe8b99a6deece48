/* dictionary.h - the cracklib dictionary check
 *
 * Passwords are checked with cracklib (libcrack2) against the dictionary
 * Debian's cracklib-runtime builds (/var/cache/cracklib/cracklib_dict).
 * cracklib keeps per-process state while it looks a word up, so checks are
 * serialized; one takes about a millisecond, and passwords change rarely.
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

#endif /* WARDEN_DICTIONARY_H */
