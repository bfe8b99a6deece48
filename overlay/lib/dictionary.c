/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* dictionary.c - the cracklib dictionary check */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <crack.h>
#include <openssl/crypto.h>

#include "dictionary.h"
#include "quality.h"

/* cracklib's lookup caches the last dictionary block in static storage. */
static pthread_mutex_t warden_dictionary_mutex = PTHREAD_MUTEX_INITIALIZER;

const char *
warden_dictionary_default( void )
{
	return GetDefaultCracklibDict();
}

int
warden_dictionary_usable( const char *path, char *msg, size_t len )
{
	static const char *const ext[] = { ".pwd", ".pwi", ".hwm", NULL };
	char file[4096];
	int i;

	if ( !path ) path = warden_dictionary_default();
	for ( i = 0; ext[i]; i++ ) {
		snprintf( file, sizeof( file ), "%s%s", path, ext[i] );
		if ( access( file, R_OK ) ) {
			snprintf( msg, len, "cracklib dictionary %s cannot be read "
				"(install cracklib-runtime and run update-cracklib)",
				file );
			return 0;
		}
	}
	return 1;
}

/* cracklib's reasons, in words that say what to do */
static void
warden_dictionary_reason( const char *why, char *msg, size_t len )
{
	if ( strstr( why, "dictionary word" ) )
		snprintf( msg, len, "the password is based on a dictionary word; "
			"choose one that is not" );
	else
		snprintf( msg, len, "the password is too easy to guess (%s); "
			"choose another", why );
}

/* One cracklib lookup of a NUL-terminated word.  why is empty when
 * cracklib accepts it.
 * @return 0 looked up, -1 the dictionary cannot be read (why says so) */
static int
warden_dictionary_lookup( const char *path, const char *word, char *why,
	size_t whylen )
{
	int ok;

	why[0] = '\0';
	pthread_mutex_lock( &warden_dictionary_mutex );
#ifdef HAVE___DEBIAN_SPECIFIC__SAFEFASCISTCHECK
	ok = __DEBIAN_SPECIFIC__SafeFascistCheck( word, path, why, whylen );
#else
	{
		const char *r = FascistCheck( word, path );

		ok = 1;
		if ( r ) snprintf( why, whylen, "%s", r );
	}
#endif
	pthread_mutex_unlock( &warden_dictionary_mutex );
	return ok ? 0 : -1;
}

int
warden_dictionary_check( const char *path, const char *pw, size_t len,
	char *msg, size_t msglen )
{
	char why[256];
	char *copy;
	int rc;

	if ( !path ) path = warden_dictionary_default();
	/* Debian's FascistCheck exits the process when the dictionary is
	 * missing (Debian #682735). */
	if ( !warden_dictionary_usable( path, msg, msglen ) ) return -1;
	copy = malloc( len + 1 );
	if ( !copy ) {
		snprintf( msg, msglen, "out of memory" );
		return -1;
	}
	memcpy( copy, pw, len );
	copy[len] = '\0';
	rc = warden_dictionary_lookup( path, copy, why, sizeof( why ) );
	OPENSSL_cleanse( copy, len );
	free( copy );

	if ( rc ) {
		snprintf( msg, msglen, "cracklib dictionary %s cannot be read: %s",
			path, why );
		rc = -1;
	} else if ( why[0] ) {
		warden_dictionary_reason( why, msg, msglen );
		rc = 1;
	}
	return rc;
}

int
warden_dictionary_check_hidden( const char *path, const char *pw,
	size_t len, char *msg, size_t msglen )
{
	char why[256];
	char *word;
	size_t n;
	int rc = 0;

	if ( !path ) path = warden_dictionary_default();
	word = malloc( len + 1 );
	if ( !word ) {
		snprintf( msg, msglen, "out of memory" );
		return -1;
	}
	n = warden_quality_unmask( pw, len, word );
	/* nothing hidden: the password itself was looked up already */
	if ( n == 0 || ( n == len && !strncasecmp( word, pw, len ) ) )
		goto done;
	if ( !warden_dictionary_usable( path, msg, msglen ) ) {
		rc = -1;
		goto done;
	}
	if ( warden_dictionary_lookup( path, word, why, sizeof( why ) ) ) {
		snprintf( msg, msglen, "cracklib dictionary %s cannot be read: %s",
			path, why );
		rc = -1;
	} else if ( strstr( why, "dictionary word" ) ) {
		snprintf( msg, msglen, "the password is based on a dictionary "
			"word hidden behind digits, symbols or look-alike "
			"characters (such as @ for a or 0 for o); choose one that "
			"is not" );
		rc = 1;
	}

done:
	OPENSSL_cleanse( word, len + 1 );
	free( word );
	return rc;
}
