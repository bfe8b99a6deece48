/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* dictionary.c - the cracklib dictionary check */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <crack.h>
/* the descriptor's layout (its two streams), from cracklib's own header */
#define IN_CRACKLIB
#include <packer.h>
#undef IN_CRACKLIB
#include <openssl/crypto.h>

#include "dictionary.h"
#include "quality.h"

/*
 * One dictionary is open per process, and lookups are serialized: cracklib
 * hands out a single static descriptor (PWOpen() refuses a second) and
 * unpacks each block into it.  Its index and words files are read into
 * memory once and handed to cracklib as memory streams (fmemopen()), so
 * that the few thousand block reads of a password check are memory copies
 * rather than an lseek() and a read() each; FascistCheck() would also open
 * and close the three files at every check.  The files are looked at
 * again (stat()) at most once a second and read anew when they changed
 * (update-cracklib replaces them).
 */
static pthread_mutex_t warden_dictionary_mutex = PTHREAD_MUTEX_INITIALIZER;

typedef struct wd_file {
	char		*wf_data;
	size_t		wf_size;
	dev_t		wf_dev;
	ino_t		wf_ino;
	struct timespec	wf_mtime;
} wd_file;

/* cracklib's words, read once with GetPW() into one array in cracklib's
 * own (strcmp) order, for warden's own lookups (the hidden word): a
 * binary search in memory, where each FindPW() probe reads the index and
 * a block through stdio and unpacks sixteen words. */
typedef struct wd_list {
	char		*wl_text;	/* the words, each NUL-terminated */
	size_t		*wl_off;	/* where each starts in wl_text */
	size_t		wl_n;
} wd_list;

static struct {
	PWDICT		*wd_pwp;
	char		wd_path[4096];
	wd_file		wd_words, wd_index;	/* .pwd, .pwi */
	wd_list		wd_list;	/* wl_n 0: not built, FindPW() */
	time_t		wd_checked;
} wd;

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

/* Whether a file is still what was read. */
static int
wd_same( const char *path, const char *ext, const wd_file *f )
{
	char file[4096];
	struct stat st;

	snprintf( file, sizeof( file ), "%s%s", path, ext );
	return !stat( file, &st ) && st.st_dev == f->wf_dev &&
		st.st_ino == f->wf_ino && (size_t)st.st_size == f->wf_size &&
		st.st_mtim.tv_sec == f->wf_mtime.tv_sec &&
		st.st_mtim.tv_nsec == f->wf_mtime.tv_nsec;
}

/* Reads an open stream's file whole, from its start. */
static int
wd_slurp( FILE *fp, wd_file *f )
{
	struct stat st;

	if ( fstat( fileno( fp ), &st ) || st.st_size <= 0 ||
		(uintmax_t)st.st_size > SIZE_MAX )
		return -1;
	f->wf_size = (size_t)st.st_size;
	f->wf_dev = st.st_dev;
	f->wf_ino = st.st_ino;
	f->wf_mtime = st.st_mtim;
	if ( !( f->wf_data = malloc( f->wf_size ) ) ) return -1;
	rewind( fp );
	if ( fread( f->wf_data, 1, f->wf_size, fp ) != f->wf_size ) {
		free( f->wf_data );
		f->wf_data = NULL;
		return -1;
	}
	return 0;
}

static void
wd_list_free( wd_list *l )
{
	free( l->wl_text );
	free( l->wl_off );
	memset( l, 0, sizeof( *l ) );
}

/* Reads every word of the open dictionary into wd.wd_list.  A list that
 * cannot be read whole, or is not in order (FindPW() would not find all
 * of it either, but differently), is not built: the lookups stay
 * cracklib's. */
static void
wd_list_build( void )
{
	wd_list l = { NULL, NULL, 0 };
	size_t n = PW_WORDS( wd.wd_pwp ), used = 0, cap = 0, i, len;
	const char *w;
	int block = 0;

	if ( !n || !( l.wl_off = malloc( n * sizeof( *l.wl_off ) ) ) )
		return;
	for ( i = 0; i < n; i++ ) {
		/* GetPW() unpacks a word's whole block into data_get (packer.h)
		 * and returns the word there: one call per sixteen words, as
		 * long as it does */
		if ( block && i % NUMWORDS ) {
			w = wd.wd_pwp->data_get[i % NUMWORDS];
		} else {
			if ( !( w = GetPW( wd.wd_pwp, (uint32_t)i ) ) ) goto fail;
			block = w == wd.wd_pwp->data_get[i % NUMWORDS];
		}
		len = strnlen( w, MAXWORDLEN - 1 ) + 1;
		if ( used + len > cap ) {
			size_t ncap = cap ? 2 * cap : 16 * n + len;
			char *t = realloc( l.wl_text, ncap );

			if ( !t ) goto fail;
			l.wl_text = t;
			cap = ncap;
		}
		memcpy( l.wl_text + used, w, len - 1 );
		l.wl_text[used + len - 1] = '\0';
		if ( i && strcmp( l.wl_text + l.wl_off[i - 1],
				l.wl_text + used ) > 0 )
			goto fail;
		l.wl_off[i] = used;
		used += len;
	}
	l.wl_n = n;
	wd.wd_list = l;
	return;

fail:
	wd_list_free( &l );
}

static void
wd_close( void )
{
	wd_list_free( &wd.wd_list );
	if ( wd.wd_pwp ) PWClose( wd.wd_pwp );
	wd.wd_pwp = NULL;
	free( wd.wd_words.wf_data );
	free( wd.wd_index.wf_data );
	memset( &wd.wd_words, 0, sizeof( wd.wd_words ) );
	memset( &wd.wd_index, 0, sizeof( wd.wd_index ) );
	wd.wd_path[0] = '\0';
}

/* Opens path unless it is open and unchanged; under the mutex.
 * @return 0, -1 with why set */
static int
wd_open( const char *path, char *why, size_t whylen )
{
	FILE *words = NULL, *index = NULL;
	time_t now = time( NULL );

	if ( wd.wd_pwp && !strcmp( wd.wd_path, path ) ) {
		if ( now == wd.wd_checked ) return 0;
		wd.wd_checked = now;
		if ( wd_same( path, ".pwd", &wd.wd_words ) &&
			wd_same( path, ".pwi", &wd.wd_index ) )
			return 0;
	}
	wd_close();
	/* Debian's cracklib exits the process when the files are missing
	 * (Debian #682735); PWOpen() itself returns NULL, but says why on
	 * stderr only */
	if ( !warden_dictionary_usable( path, why, whylen ) ) return -1;
	if ( strlen( path ) >= sizeof( wd.wd_path ) ||
		!( wd.wd_pwp = PWOpen( path, "r" ) ) ) {
		snprintf( why, whylen, "cracklib dictionary %s cannot be "
			"opened (run update-cracklib)", path );
		return -1;
	}
	/* a compressed one (.pwd.gz) is read by zlib: left as it is */
	if ( !( wd.wd_pwp->flags & PFOR_USEZLIB ) ) {
		if ( wd_slurp( wd.wd_pwp->dfp, &wd.wd_words ) ||
			wd_slurp( wd.wd_pwp->ifp, &wd.wd_index ) ||
			!( words = fmemopen( wd.wd_words.wf_data,
				wd.wd_words.wf_size, "r" ) ) ||
			!( index = fmemopen( wd.wd_index.wf_data,
				wd.wd_index.wf_size, "r" ) ) ) {
			if ( words ) fclose( words );
			wd_close();
			snprintf( why, whylen, "cracklib dictionary %s cannot be "
				"read into memory", path );
			return -1;
		}
		/* small buffers: the default (BUFSIZ) is refilled at each
		 * seek, a 4 kB copy where cracklib reads 512 bytes of words
		 * or 4 to 16 of the index; none reads byte by byte */
		setvbuf( words, NULL, _IOFBF, 64 );
		setvbuf( index, NULL, _IOFBF, 64 );
		fclose( wd.wd_pwp->dfp );
		fclose( wd.wd_pwp->ifp );
		wd.wd_pwp->dfp = words;
		wd.wd_pwp->ifp = index;
	}
	wd_list_build();
	snprintf( wd.wd_path, sizeof( wd.wd_path ), "%s", path );
	wd.wd_checked = now;
	return 0;
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

/* One cracklib check of a NUL-terminated word.  why is empty when
 * cracklib accepts it.
 * @return 0 looked up, -1 the dictionary cannot be read (why says so, as
 * the message for the caller) */
static int
warden_dictionary_lookup( const char *path, char *word, char *why,
	size_t whylen )
{
	const char *r;
	int rc = 0;

	why[0] = '\0';
	pthread_mutex_lock( &warden_dictionary_mutex );
	if ( wd_open( path, why, whylen ) ) {
		rc = -1;
		goto done;
	}
	/* A user name that no password's mangling yields: without one,
	 * cracklib compares the password with the passwd entry of the
	 * process, slapd's own account, which says nothing of a directory
	 * user (quality.c compares it with the user's own names). */
	r = FascistLookUser( wd.wd_pwp, word, "\001", "" );
	if ( r ) snprintf( why, whylen, "%s", r );

done:
	pthread_mutex_unlock( &warden_dictionary_mutex );
	return rc;
}

/* Whether cracklib's dictionary holds s (NUL-terminated, at most
 * TRUNCSTRINGSIZE - 1 bytes); under the mutex, the dictionary open. */
static int
wd_find( char *s )
{
	size_t lo = 0, hi = wd.wd_list.wl_n;

	if ( !*s ) return 0;
	if ( !hi ) return FindPW( wd.wd_pwp, s ) != PW_WORDS( wd.wd_pwp );
	while ( lo < hi ) {
		size_t mid = lo + ( hi - lo ) / 2;
		int cmp = strcmp( s, wd.wd_list.wl_text +
			wd.wd_list.wl_off[mid] );

		if ( !cmp ) return 1;
		if ( cmp < 0 ) hi = mid;
		else lo = mid + 1;
	}
	return 0;
}

/* The lookups cracklib's own check would make that can find a word in
 * what a password hides, and only those: the word as it is and trimmed
 * by up to three characters at either end, purged of what is neither a
 * letter nor a digit, with 1 read as i and as l (the look-alikes the
 * unmasking leaves), each forwards and reversed.  The word is already
 * lower case with the other look-alikes read, so cracklib's hundred or so
 * rules, run on it whole, would mostly repeat these lookups: this makes
 * the second check of a password about twenty lookups rather than
 * several hundred.  As in cracklib, a word too short (6), of too few
 * different characters (5) or of too many steps (abcd...) is not looked
 * up: those verdicts are about the password, judged whole.
 * @return 1 a dictionary word, 0 none */
static int
wd_hidden_found( const char *word )
{
	char fwd[TRUNCSTRINGSIZE], cand[TRUNCSTRINGSIZE], seen[256] = { 0 };
	size_t len = strlen( word ), i, j, k;
	int dir, t, distinct = 0, steps = 0, found = 0;

	if ( len < 6 || len >= sizeof( fwd ) ) return 0;
	for ( i = 0; i < len; i++ ) {
		unsigned char c = (unsigned char)word[i];

		if ( !seen[c]++ ) distinct++;
		if ( i && ( c == (unsigned char)word[i - 1] + 1 ||
				c + 1 == (unsigned char)word[i - 1] ) )
			steps++;
	}
	if ( distinct < 5 || steps > 3 + 0.09 * len ) return 0;

	for ( dir = 0; dir < 2 && !found; dir++ ) {
		for ( i = 0; i < len; i++ )
			fwd[i] = dir ? word[len - 1 - i] : word[i];
		fwd[len] = '\0';
		/* trimmed: [ ] [[ ]] [[[ ]]] */
		for ( t = 0; t < 7 && !found; t++ ) {
			size_t cut = ( t + 1 ) / 2;

			if ( cut >= len ) break;
			if ( t % 2 ) {
				memcpy( cand, fwd + cut, len - cut + 1 );
			} else {
				memcpy( cand, fwd, len - cut );
				cand[len - cut] = '\0';
			}
			found = wd_find( cand );
		}
		/* purged of symbols, then 1 as i and as l */
		for ( i = 0, k = 0; i < len; i++ )
			if ( isalnum( (unsigned char)fwd[i] ) ) cand[k++] = fwd[i];
		cand[k] = '\0';
		if ( !found && k != len ) found = wd_find( cand );
		for ( j = 0; j < 2 && !found && strchr( fwd, '1' ); j++ ) {
			for ( i = 0; i <= len; i++ )
				cand[i] = fwd[i] == '1' ? "il"[j] : fwd[i];
			found = wd_find( cand );
		}
	}
	OPENSSL_cleanse( fwd, sizeof( fwd ) );
	OPENSSL_cleanse( cand, sizeof( cand ) );
	return found;
}

int
warden_dictionary_check( const char *path, const char *pw, size_t len,
	char *msg, size_t msglen )
{
	char why[256];
	char *copy;
	int rc;

	if ( !path ) path = warden_dictionary_default();
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
		snprintf( msg, msglen, "%s", why );
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
	pthread_mutex_lock( &warden_dictionary_mutex );
	if ( wd_open( path, why, sizeof( why ) ) ) {
		snprintf( msg, msglen, "%s", why );
		rc = -1;
	} else if ( wd_hidden_found( word ) ) {
		snprintf( msg, msglen, "the password is based on a dictionary "
			"word hidden behind digits, symbols or look-alike "
			"characters (such as @ for a or 0 for o); choose one that "
			"is not" );
		rc = 1;
	}
	pthread_mutex_unlock( &warden_dictionary_mutex );

done:
	OPENSSL_cleanse( word, len + 1 );
	free( word );
	return rc;
}
