/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* wardenctl-check.c - wardenctl check: secrets in the clear in an LDIF
 *
 *	wardenctl check [FILE...]	(none, or -: standard input)
 *
 * Reads LDIF (slapcat's output, or what is about to be given to slapadd)
 * and names, by DN and attribute, every value that should never be stored
 * in the clear: a userPassword that is not hashed ({SCHEME}value, and not
 * {CLEARTEXT}), an oathSecret that is not wrapped by warden
 * ({WARDEN1}...: a raw seed, as otp.la stores it), a wardenRecoveryCode
 * that is not hashed ({WARDENRC1}...).  slapadd writes entries without
 * passing them through warden, so these are not caught on their way in.
 * Values are never printed.
 *
 * Exit status: 0 nothing found; 1 something found (one line per value on
 * standard output); 2 a file cannot be read or is not LDIF.
 */

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "wardenctl.h"
#include "recovery.h"
#include "secret.h"

/* What is wrong with one value of attribute attr (options removed), or
 * NULL when nothing is. */
const char *
wc_check_value( const char *attr, size_t alen, const unsigned char *val,
	size_t vlen )
{
#define IS( name ) ( alen == sizeof( name ) - 1 && \
	!strncasecmp( attr, name, alen ) )
#define STARTS( pfx ) ( vlen >= sizeof( pfx ) - 1 && \
	!memcmp( val, pfx, sizeof( pfx ) - 1 ) )
	if ( IS( "userPassword" ) ) {
		size_t i;

		/* {SCHEME}rest, SCHEME of letters, digits, . _ + - */
		if ( vlen < 3 || val[0] != '{' ) goto clear;
		for ( i = 1; i < vlen && val[i] != '}'; i++ ) {
			/* memchr: strchr would take a NUL for one of them */
			if ( !isalnum( val[i] ) && !memchr( "._+-", val[i], 4 ) )
				goto clear;
		}
		if ( i == 1 || i >= vlen - 1 ) goto clear;
		if ( i - 1 == 9 && !strncasecmp( (const char *)val + 1,
				"CLEARTEXT", 9 ) )
			goto clear;
		return NULL;
clear:
		return "holds a cleartext password: set it again through "
			"slapd (ldappasswd), which hashes it";
	}
	if ( IS( "oathSecret" ) ) {
		if ( STARTS( WARDEN_SECRET_PREFIX ) ) return NULL;
		return "holds a raw (unwrapped) one-time code seed: wrap it "
			"with wardenctl totp rewrap BASE-DN";
	}
	if ( IS( "wardenRecoveryCode" ) ) {
		if ( STARTS( WARDEN_RECOVERY_PREFIX ) ) return NULL;
		return "holds a recovery code that is not hashed: issue new "
			"codes with wardenctl totp recovery DN";
	}
	return NULL;
#undef IS
#undef STARTS
}

typedef struct wc_entry {
	char	*dn;		/* as written, or "(line N)" */
	int	found;
} wc_entry;

/* Decodes base64 in place; returns the length, or -1. */
static long
wc_b64( char *s, size_t n )
{
	unsigned char *out;
	size_t pad = 0;
	int len;

	while ( n && isspace( (unsigned char)s[n - 1] ) ) n--;
	if ( n % 4 ) return -1;
	if ( n && s[n - 1] == '=' ) pad++;
	if ( n > 1 && s[n - 2] == '=' ) pad++;
	out = malloc( n / 4 * 3 + 1 );
	if ( !out ) return -1;
	len = EVP_DecodeBlock( out, (unsigned char *)s, (int)n );
	if ( len < 0 ) {
		free( out );
		return -1;
	}
	len -= (int)pad;
	memcpy( s, out, len );
	OPENSSL_cleanse( out, n / 4 * 3 + 1 );
	free( out );
	return len;
}

/* One unfolded line "attr[;opts]: value" / "attr:: base64" / "attr:< url". */
static int
wc_line( char *line, size_t n, const char *file, long lineno, wc_entry *e,
	long *found )
{
	char *colon = memchr( line, ':', n ), *val, *semi;
	size_t alen, vlen;
	long dlen;
	int b64 = 0;
	const char *why;

	if ( n == 1 && line[0] == '-' ) return 0;	/* end of a change */
	if ( !colon ) {
		fprintf( stderr, "wardenctl: check: %s:%ld: not an LDIF line\n",
			file, lineno );
		return -1;
	}
	alen = colon - line;
	val = colon + 1;
	if ( val < line + n && *val == ':' ) {
		b64 = 1;
		val++;
	} else if ( val < line + n && *val == '<' ) {
		return 0;	/* a URL: nothing here to look at */
	}
	while ( val < line + n && *val == ' ' ) val++;
	vlen = line + n - val;
	if ( alen == 2 && !strncasecmp( line, "dn", 2 ) ) {
		/* NULL at once: a bad base64 DN returns before the new one is
		 * set, and the caller frees e->dn at the end */
		free( e->dn );
		e->dn = NULL;
		if ( b64 ) {
			if ( ( dlen = wc_b64( val, vlen ) ) < 0 ) goto bad64;
			vlen = dlen;
		}
		e->dn = strndup( val, vlen );
		return e->dn ? 0 : -1;
	}
	if ( ( semi = memchr( line, ';', alen ) ) ) alen = semi - line;
	if ( b64 ) {
		if ( ( dlen = wc_b64( val, vlen ) ) < 0 ) goto bad64;
		vlen = dlen;
	}
	why = wc_check_value( line, alen, (unsigned char *)val, vlen );
	OPENSSL_cleanse( val, vlen );
	if ( why ) {
		printf( "%s: %.*s %s\n", e->dn ? e->dn : "(no dn)", (int)alen,
			line, why );
		e->found++;
		( *found )++;
	}
	return 0;

bad64:
	fprintf( stderr, "wardenctl: check: %s:%ld: bad base64 value\n", file,
		lineno );
	return -1;
}

static int
wc_check_file( FILE *in, const char *file, long *found )
{
	char *cur = NULL, *line = NULL;
	size_t curlen = 0, cap = 0;
	ssize_t n;
	long lineno = 0, start = 0;
	wc_entry e = { NULL, 0 };
	int rc = 0;

	/* one logical line in cur: a physical line starting with a space
	 * continues the one before (RFC 2849 folding) */
	for ( ;; ) {
		n = getline( &line, &cap, in );
		if ( n >= 0 ) {
			lineno++;
			while ( n && ( line[n - 1] == '\n' || line[n - 1] == '\r' ) )
				line[--n] = '\0';
			if ( n && line[0] == ' ' && cur ) {
				char *m = realloc( cur, curlen + n );

				if ( !m ) { rc = -1; break; }
				cur = m;
				memcpy( cur + curlen, line + 1, n - 1 );
				curlen += n - 1;
				cur[curlen] = '\0';
				continue;
			}
		}
		if ( cur ) {
			if ( cur[0] != '#' && strncasecmp( cur, "version:", 8 ) &&
				wc_line( cur, curlen, file, start, &e, found ) )
				rc = -1;
			OPENSSL_cleanse( cur, curlen );
			free( cur );
			cur = NULL;
			if ( rc ) break;
		}
		if ( n < 0 ) break;
		if ( n == 0 ) {		/* the end of an entry */
			free( e.dn );
			e.dn = NULL;
			continue;
		}
		cur = malloc( n + 1 );
		if ( !cur ) { rc = -1; break; }
		memcpy( cur, line, n + 1 );
		curlen = n;
		start = lineno;
	}
	if ( ferror( in ) ) {
		fprintf( stderr, "wardenctl: check: %s: %s\n", file,
			strerror( errno ) );
		rc = -1;
	}
	if ( line ) OPENSSL_cleanse( line, cap );
	free( line );
	free( cur );
	free( e.dn );
	return rc;
}

int
wc_check( int argc, char **argv )
{
	long found = 0;
	int i, rc = 0;

	/* argv[0] is "check" */
	if ( argc < 2 ) {
		if ( wc_check_file( stdin, "-", &found ) ) rc = WC_EXIT_LOCAL;
	}
	for ( i = 1; i < argc && !rc; i++ ) {
		FILE *in = strcmp( argv[i], "-" ) ? fopen( argv[i], "r" ) : stdin;

		if ( !in ) {
			fprintf( stderr, "wardenctl: check: cannot open \"%s\": %s\n",
				argv[i], strerror( errno ) );
			rc = WC_EXIT_LOCAL;
			break;
		}
		if ( wc_check_file( in, argv[i], &found ) ) rc = WC_EXIT_LOCAL;
		if ( in != stdin ) fclose( in );
	}
	if ( rc ) return rc;
	if ( found ) {
		fprintf( stderr, "wardenctl: check: %ld value%s stored in the "
			"clear (listed above, values not shown)\n", found,
			found == 1 ? "" : "s" );
		return 1;
	}
	printf( "no cleartext passwords, raw seeds or unhashed recovery "
		"codes\n" );
	return WC_EXIT_OK;
}
