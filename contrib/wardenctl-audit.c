/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* wardenctl-audit.c - wardenctl audit: verify, tail and export audit trails
 *
 *	wardenctl audit verify [--key-file F [--checkpoint CP]] [--allow-empty] FILE...
 *	wardenctl audit tail [-n N] [FILTERS] FILE
 *	wardenctl audit export [FILTERS] [--pseudonymize --key-file F] FILE...
 *
 * FILTERS: --since TIME, --until TIME, --dn DN, --action ACTION[,ACTION...]
 *
 * verify checks the chain of overlay/lib/auditlog.h over the files given in
 * chain order (oldest first: audit.log.2 audit.log.1 audit.log): every
 * record's hash, its sequence number, and its link to the record before,
 * across files.  It prints "N records verified" with the last sequence
 * number and hash (note them: records cut off the end of the newest file
 * leave no trace in the files themselves) and exits 0, or names the first
 * bad record as FILE:LINE (seq N) with what is wrong, and exits 1:
 *	edited		the record's hash does not match its content
 *	missing		sequence numbers jump, and the ones skipped are nowhere
 *			later in the files: records were deleted
 *	reordered	the skipped sequence number comes later, or a number
 *			comes again or goes back
 *	torn		the last line has no end of line (a write cut short, or
 *			the file truncated), or a line is not a complete record
 *	broken link	the sequence is right but the previous hash is not the
 *			previous record's: a record was replaced, or files were
 *			given out of order or from two trails
 * Records cut off the end leave no trace in the files: with --checkpoint
 * CP (the file warden-audit-checkpoint names; needs --key-file, whose keys
 * check its signature), verify also fails ("truncated", exit 1) when the
 * trail ends before the checkpoint's sequence number, and when the record
 * with that number has another hash than the checkpoint says.  Files that
 * hold no record at all fail (exit 1) unless --allow-empty is given.
 * --key is another name of --key-file.
 * A chain that does not start at the genesis value is accepted with a note
 * (the oldest files were rotated away); a new trail starting in the middle
 * is not.  With --key-file, records must carry HMACs under the chain key
 * derived from a key of that key file (any of them, so a trail written
 * across a key rotation verifies); without it, plain SHA-256.  Exit 2 on
 * other errors.
 *
 * Every command reads a line only up to WARDEN_AUDIT_LINE_MAX bytes
 * (auditlog.h: the longest record the writer accepts, with its chain
 * members): a longer line is no record, and reading stops there with
 * "FILE:LINE: a line longer than N bytes: not an audit record" and exit 1,
 * so a wrong file (/dev/zero, a binary) costs at most that much memory.
 *
 * tail prints the last N (default 10) records of FILE that pass the
 * filters, as they are.  export prints every record of the files that
 * passes the filters, as JSON Lines; records it cannot read are named on
 * standard error and skipped (exit 1 at the end).
 *
 * Filters: --since and --until take a UTC time, YYYY-MM-DD[THH:MM[:SS]]
 * (a space may replace T; a trailing Z is allowed), or an age: N followed
 * by s, m, h or d ("2h": two hours ago); since is inclusive, until
 * exclusive, compared with the record's @timestamp.  --dn keeps records
 * whose ldap.dn, ldap.new_dn or user.name is DN or below it (compared
 * without regard to ASCII case and to blanks around ',' and '=').
 * --action keeps records whose event.action is one of the list.
 *
 * --pseudonymize replaces direct identifiers by keyed pseudonyms,
 * "pseudo:" and 32 hex digits (the first 128 bits of HMAC-SHA-256 under the
 * key derived from the key file's active key with the label
 * WARDEN_AUDIT_LABEL_PSEUDONYM: the same value gives the same pseudonym in
 * every export with the same key file, so records can still be correlated,
 * and nobody without the key can tell whose they are or test a guess).
 * Replaced, with any value they hold (strings, numbers, every string in an
 * array or object):
 *	user.name, user.id, user.email, user.full_name, user.domain, user.target.*,
 *	user.effective.*, related.user, related.ip, ldap.dn, ldap.new_dn,
 *	ldap.new_superior, ldap.bind_dn, source.ip, source.address,
 *	source.domain, client.ip, client.address, client.domain
 * (DNs and user.name are lower-cased first, so case does not split one
 * identity into two pseudonyms), and in ldap.changes, whatever the members
 * "values", "values_base64", "value", "old_values" and "new_values" hold,
 * at any depth (the attribute values; attribute names and operations stay).
 * Free text (message) is left alone: the overlay puts no identifiers there.
 * Pseudonymized records drop "warden.prev" and "warden.hash" (with the
 * plain chain the hash of the original record would let anyone test a
 * guessed identity against it) and gain "warden.pseudonymized":true; they
 * no longer verify.  Verify the trail itself before exporting.
 */

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "auditjson.h"
#include "auditlog.h"
#include "keyring.h"

int wc_audit( int argc, char **argv );

static const char *wa_usage =
	"usage: wardenctl audit verify [--key-file F [--checkpoint CP]] [--allow-empty]\n"
	"                              FILE...  (oldest first)\n"
	"       wardenctl audit tail [-n N] [FILTERS] FILE\n"
	"       wardenctl audit export [FILTERS] [--pseudonymize --key-file F] FILE...\n"
	"FILTERS: --since TIME --until TIME (UTC YYYY-MM-DD[THH:MM[:SS]], or 30m, 2h, 7d\n"
	"         ago), --dn DN (the entry or below), --action ACTION[,ACTION...]\n";

/* --- a small JSON reader ------------------------------------------------ */

/* Records are written by auditjson.c, but a file may have been edited: the
 * reader checks everything it reads, and a line that is not a JSON object
 * is reported, never half read. */

#define JS_DEPTH	64

static void
js_ws( const char **p, const char *e )
{
	while ( *p < e && ( **p == ' ' || **p == '\t' || **p == '\n' || **p == '\r' ) )
		( *p )++;
}

static int
js_hex4( const char *p, const char *e, unsigned *v )
{
	int i;

	if ( e - p < 4 ) return -1;
	*v = 0;
	for ( i = 0; i < 4; i++ ) {
		int c = p[i], d;

		if ( c >= '0' && c <= '9' ) d = c - '0';
		else if ( c >= 'a' && c <= 'f' ) d = c - 'a' + 10;
		else if ( c >= 'A' && c <= 'F' ) d = c - 'A' + 10;
		else return -1;
		*v = *v << 4 | d;
	}
	return 0;
}

static void
js_utf8( warden_buf *out, unsigned cp )
{
	char u[4];
	size_t n;

	if ( cp < 0x80 ) {
		u[0] = cp;
		n = 1;
	} else if ( cp < 0x800 ) {
		u[0] = 0xc0 | cp >> 6;
		u[1] = 0x80 | ( cp & 0x3f );
		n = 2;
	} else if ( cp < 0x10000 ) {
		u[0] = 0xe0 | cp >> 12;
		u[1] = 0x80 | ( ( cp >> 6 ) & 0x3f );
		u[2] = 0x80 | ( cp & 0x3f );
		n = 3;
	} else {
		u[0] = 0xf0 | cp >> 18;
		u[1] = 0x80 | ( ( cp >> 12 ) & 0x3f );
		u[2] = 0x80 | ( ( cp >> 6 ) & 0x3f );
		u[3] = 0x80 | ( cp & 0x3f );
		n = 4;
	}
	warden_buf_add( out, u, n );
}

/* A string at *pp (its opening quote), decoded into out unless NULL. */
static int
js_str( const char **pp, const char *e, warden_buf *out )
{
	const char *p = *pp, *s;
	unsigned cp, lo;

	if ( p >= e || *p != '"' ) return -1;
	p++;
	while ( p < e && *p != '"' ) {
		if ( (unsigned char)*p < 0x20 ) return -1;
		if ( *p != '\\' ) {
			for ( s = p; p < e && *p != '"' && *p != '\\' &&
				(unsigned char)*p >= 0x20; p++ )
				;
			if ( out ) warden_buf_add( out, s, p - s );
			continue;
		}
		if ( ++p >= e ) return -1;
		switch ( *p ) {
		case '"': case '\\': case '/':
			if ( out ) warden_buf_add( out, p, 1 );
			p++;
			break;
		case 'b': if ( out ) warden_buf_add( out, "\b", 1 ); p++; break;
		case 'f': if ( out ) warden_buf_add( out, "\f", 1 ); p++; break;
		case 'n': if ( out ) warden_buf_add( out, "\n", 1 ); p++; break;
		case 'r': if ( out ) warden_buf_add( out, "\r", 1 ); p++; break;
		case 't': if ( out ) warden_buf_add( out, "\t", 1 ); p++; break;
		case 'u':
			if ( js_hex4( p + 1, e, &cp ) ) return -1;
			p += 5;
			if ( cp >= 0xd800 && cp < 0xdc00 && e - p >= 6 && p[0] == '\\' &&
				p[1] == 'u' && !js_hex4( p + 2, e, &lo ) &&
				lo >= 0xdc00 && lo < 0xe000 ) {
				cp = 0x10000 + ( ( cp - 0xd800 ) << 10 ) + ( lo - 0xdc00 );
				p += 6;
			} else if ( cp >= 0xd800 && cp < 0xe000 ) {
				cp = 0xfffd;	/* a lone surrogate */
			}
			if ( out ) js_utf8( out, cp );
			break;
		default:
			return -1;
		}
	}
	if ( p >= e ) return -1;
	*pp = p + 1;
	return 0;
}

static int
js_lit( const char **pp, const char *e, const char *lit )
{
	size_t n = strlen( lit );

	if ( (size_t)( e - *pp ) < n || memcmp( *pp, lit, n ) ) return -1;
	*pp += n;
	return 0;
}

/* Skips one value of any kind. */
static int
js_skip( const char **pp, const char *e, int depth )
{
	const char *p;

	js_ws( pp, e );
	if ( *pp >= e || depth > JS_DEPTH ) return -1;
	switch ( **pp ) {
	case '"':
		return js_str( pp, e, NULL );
	case '{': case '[': {
		char close = **pp == '{' ? '}' : ']';
		int obj = close == '}';

		( *pp )++;
		js_ws( pp, e );
		if ( *pp < e && **pp == close ) {
			( *pp )++;
			return 0;
		}
		for ( ;; ) {
			if ( obj ) {
				js_ws( pp, e );
				if ( js_str( pp, e, NULL ) ) return -1;
				js_ws( pp, e );
				if ( *pp >= e || **pp != ':' ) return -1;
				( *pp )++;
			}
			if ( js_skip( pp, e, depth + 1 ) ) return -1;
			js_ws( pp, e );
			if ( *pp >= e ) return -1;
			if ( **pp == close ) {
				( *pp )++;
				return 0;
			}
			if ( **pp != ',' ) return -1;
			( *pp )++;
		}
	}
	case 't': return js_lit( pp, e, "true" );
	case 'f': return js_lit( pp, e, "false" );
	case 'n': return js_lit( pp, e, "null" );
	default:
		p = *pp;
		if ( *p == '-' ) p++;
		if ( p >= e || !isdigit( (unsigned char)*p ) ) return -1;
		while ( p < e && ( isdigit( (unsigned char)*p ) || *p == '.' ||
			*p == 'e' || *p == 'E' || *p == '+' || *p == '-' ) ) p++;
		*pp = p;
		return 0;
	}
}

/* One member of the top-level object. */
typedef struct js_member {
	const char	*m_kraw, *m_kend;	/* the key as written, quotes included */
	const char	*m_key;			/* decoded, NUL-terminated */
	const char	*m_val, *m_vend;	/* the value as written */
} js_member;

typedef int (*js_member_fn)( void *ctx, const js_member *m );

/* Calls fn for each member of the object that is the whole line. */
static int
js_object( const char *line, size_t len, js_member_fn fn, void *ctx )
{
	const char *p = line, *e = line + len;
	warden_buf key;
	js_member m;
	int rc = -1;

	warden_buf_init( &key );
	js_ws( &p, e );
	if ( p >= e || *p++ != '{' ) goto done;
	js_ws( &p, e );
	if ( p < e && *p == '}' ) {
		p++;
		goto end;
	}
	for ( ;; ) {
		js_ws( &p, e );
		warden_buf_reset( &key );
		m.m_kraw = p;
		if ( js_str( &p, e, &key ) || warden_buf_add( &key, "", 0 ) ) goto done;
		m.m_kend = p;
		m.m_key = key.wb_data;
		js_ws( &p, e );
		if ( p >= e || *p++ != ':' ) goto done;
		js_ws( &p, e );
		m.m_val = p;
		if ( js_skip( &p, e, 1 ) ) goto done;
		m.m_vend = p;
		if ( fn && fn( ctx, &m ) ) goto done;
		js_ws( &p, e );
		if ( p >= e ) goto done;
		if ( *p == '}' ) {
			p++;
			break;
		}
		if ( *p++ != ',' ) goto done;
	}
end:
	js_ws( &p, e );
	rc = p == e ? 0 : -1;
done:
	warden_buf_free( &key );
	return rc;
}

/* --- records ------------------------------------------------------------ */

typedef struct wa_fields {
	warden_buf	f_time, f_action, f_dn, f_newdn, f_user;
	int		f_has_time, f_has_action;
} wa_fields;

static void
fields_init( wa_fields *f )
{
	memset( f, 0, sizeof( *f ) );
	warden_buf_init( &f->f_time );
	warden_buf_init( &f->f_action );
	warden_buf_init( &f->f_dn );
	warden_buf_init( &f->f_newdn );
	warden_buf_init( &f->f_user );
}

static void
fields_reset( wa_fields *f )
{
	warden_buf_reset( &f->f_time );
	warden_buf_reset( &f->f_action );
	warden_buf_reset( &f->f_dn );
	warden_buf_reset( &f->f_newdn );
	warden_buf_reset( &f->f_user );
	f->f_has_time = f->f_has_action = 0;
}

static void
fields_free( wa_fields *f )
{
	warden_buf_free( &f->f_time );
	warden_buf_free( &f->f_action );
	warden_buf_free( &f->f_dn );
	warden_buf_free( &f->f_newdn );
	warden_buf_free( &f->f_user );
}

static int
fields_member( void *ctx, const js_member *m )
{
	wa_fields *f = ctx;
	warden_buf *into = NULL;
	const char *p = m->m_val;

	if ( !strcmp( m->m_key, WARDEN_AUDIT_F_TIME ) ) {
		into = &f->f_time;
		f->f_has_time = 1;
	} else if ( !strcmp( m->m_key, WARDEN_AUDIT_F_ACTION ) ) {
		into = &f->f_action;
		f->f_has_action = 1;
	} else if ( !strcmp( m->m_key, WARDEN_AUDIT_F_DN ) ) {
		into = &f->f_dn;
	} else if ( !strcmp( m->m_key, WARDEN_AUDIT_F_NEWDN ) ) {
		into = &f->f_newdn;
	} else if ( !strcmp( m->m_key, WARDEN_AUDIT_F_USER ) ) {
		into = &f->f_user;
	}
	if ( !into || *p != '"' ) return 0;
	warden_buf_reset( into );
	if ( js_str( &p, m->m_vend, into ) ) return -1;
	return warden_buf_add( into, "", 0 );
}

/* UTC time in microseconds from YYYY-MM-DD[(T| )HH:MM[:SS[.frac]]][Z]. */
static int
parse_utc( const char *s, long long *us )
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
	long frac = 0, scale = 1000000;
	time_t t;

	memset( &tm, 0, sizeof( tm ) );
	if ( sscanf( s, "%4d-%2d-%2d%n", &y, &mo, &d, &n ) != 3 || n != 10 ) return -1;
	s += n;
	if ( *s == 'T' || *s == ' ' ) {
		if ( sscanf( s + 1, "%2d:%2d%n", &h, &mi, &n ) != 2 || n != 5 ) return -1;
		s += 1 + n;
		if ( *s == ':' ) {
			if ( sscanf( s + 1, "%2d%n", &sec, &n ) != 1 || n != 2 ) return -1;
			s += 3;
			if ( *s == '.' ) {
				for ( s++; isdigit( (unsigned char)*s ); s++ ) {
					if ( scale > 1 ) {
						scale /= 10;
						frac += ( *s - '0' ) * scale;
					}
				}
			}
		}
	}
	if ( *s == 'Z' ) s++;
	if ( *s || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
		sec > 60 ) return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm( &tm );
	*us = (long long)t * 1000000 + frac;
	return 0;
}

/* A filter's time: absolute, or an age ("30m"). */
static int
parse_when( const char *s, long long *us )
{
	char *end;
	long long n;

	if ( !parse_utc( s, us ) ) return 0;
	errno = 0;
	n = strtoll( s, &end, 10 );
	if ( errno || end == s || n < 0 || !end[0] || end[1] ) return -1;
	switch ( end[0] ) {
	case 's': break;
	case 'm': n *= 60; break;
	case 'h': n *= 3600; break;
	case 'd': n *= 86400; break;
	default: return -1;
	}
	*us = ( (long long)time( NULL ) - n ) * 1000000;
	return 0;
}

/* A DN for comparison: ASCII lower case, no blanks around ',' '=' '+'. */
static void
dn_norm( const char *in, warden_buf *out )
{
	const char *p;

	warden_buf_reset( out );
	for ( p = in; *p; p++ ) {
		if ( *p == ' ' ) {
			const char *q = p;

			while ( *q == ' ' ) q++;
			if ( !*q || *q == ',' || *q == '=' || *q == '+' ||
				( out->wb_len && strchr( ",=+", out->wb_data[out->wb_len - 1] ) ) ||
				!out->wb_len ) {
				p = q - 1;
				continue;
			}
		}
		{
			char c = tolower( (unsigned char)*p );

			warden_buf_add( out, &c, 1 );
		}
	}
	warden_buf_add( out, "", 0 );
}

typedef struct wa_filter {
	int		fl_since_set, fl_until_set;
	long long	fl_since, fl_until;
	warden_buf	fl_dn;		/* normalized, or empty */
	char		**fl_actions;	/* NULL-terminated, or NULL */
	warden_buf	fl_tmp;
} wa_filter;

static int
dn_matches( wa_filter *fl, const warden_buf *v )
{
	size_t n, m = fl->fl_dn.wb_len;

	if ( !v->wb_len ) return 0;
	dn_norm( v->wb_data, &fl->fl_tmp );
	n = fl->fl_tmp.wb_len;
	if ( n == m ) return !memcmp( fl->fl_tmp.wb_data, fl->fl_dn.wb_data, n );
	return n > m && fl->fl_tmp.wb_data[n - m - 1] == ',' &&
		!memcmp( fl->fl_tmp.wb_data + n - m, fl->fl_dn.wb_data, m );
}

static int
filter_pass( wa_filter *fl, const wa_fields *f )
{
	if ( fl->fl_since_set || fl->fl_until_set ) {
		long long t;

		if ( !f->f_has_time || parse_utc( f->f_time.wb_data, &t ) ) return 0;
		if ( fl->fl_since_set && t < fl->fl_since ) return 0;
		if ( fl->fl_until_set && t >= fl->fl_until ) return 0;
	}
	if ( fl->fl_actions ) {
		char **a;

		if ( !f->f_has_action ) return 0;
		for ( a = fl->fl_actions; *a; a++ )
			if ( !strcasecmp( *a, f->f_action.wb_data ) ) break;
		if ( !*a ) return 0;
	}
	if ( fl->fl_dn.wb_len && !dn_matches( fl, &f->f_dn ) &&
		!dn_matches( fl, &f->f_newdn ) && !dn_matches( fl, &f->f_user ) )
		return 0;
	return 1;
}

/* --- reading files line by line -------------------------------------- */

typedef struct wa_reader {
	const char	*r_path;
	FILE		*r_f;
	char		*r_line;
	size_t		r_cap;
	size_t		r_len;		/* without the line end */
	unsigned long	r_lineno;
	int		r_torn;		/* the line had no line end */
} wa_reader;

static int
reader_open( wa_reader *r, const char *path )
{
	memset( r, 0, sizeof( *r ) );
	r->r_path = path;
	if ( !( r->r_f = fopen( path, "r" ) ) ) {
		fprintf( stderr, "wardenctl: %s: %s\n", path, strerror( errno ) );
		return -1;
	}
	return 0;
}

/* 1: a line; 0: the end; -1: a read error; -2: a line longer than any
 * record (reported).  A line is read only up to WARDEN_AUDIT_LINE_MAX
 * bytes: a file that is not a trail (/dev/zero, a binary file) costs at
 * most that much memory, never the whole file's. */
static int
reader_next( wa_reader *r )
{
	size_t n = 0;
	int c = EOF;

	flockfile( r->r_f );
	for ( ;; ) {
		if ( ( c = getc_unlocked( r->r_f ) ) == EOF ) break;
		if ( n + 1 >= r->r_cap ) {
			size_t cap = r->r_cap ? 2 * r->r_cap : 4096;
			char *p;

			if ( cap > WARDEN_AUDIT_LINE_MAX + 2 ) cap = WARDEN_AUDIT_LINE_MAX + 2;
			if ( n + 1 >= cap ) {
				funlockfile( r->r_f );
				r->r_lineno++;
				fprintf( stderr, "wardenctl: %s:%lu: a line longer than %lu "
					"bytes: not an audit record (a record of the trail is at "
					"most %lu bytes); is this an audit file?\n", r->r_path,
					r->r_lineno, (unsigned long)WARDEN_AUDIT_LINE_MAX,
					(unsigned long)WARDEN_AUDIT_LINE_MAX );
				return -2;
			}
			if ( !( p = realloc( r->r_line, cap ) ) ) {
				funlockfile( r->r_f );
				fprintf( stderr, "wardenctl: %s: out of memory\n", r->r_path );
				return -1;
			}
			r->r_line = p;
			r->r_cap = cap;
		}
		r->r_line[n++] = c;
		if ( c == '\n' ) break;
	}
	funlockfile( r->r_f );
	if ( ferror( r->r_f ) ) {
		fprintf( stderr, "wardenctl: %s: %s\n", r->r_path, strerror( errno ) );
		return -1;
	}
	if ( !n ) return 0;
	r->r_line[n] = '\0';
	r->r_lineno++;
	r->r_torn = c != '\n';
	r->r_len = r->r_torn ? n : n - 1;
	return 1;
}

static void
reader_close( wa_reader *r )
{
	if ( r->r_f ) fclose( r->r_f );
	free( r->r_line );
	r->r_f = NULL;
	r->r_line = NULL;
}

/* --- keys --------------------------------------------------------------- */

/* Derived keys of every key in a key file, the active one first. */
static int
load_keys( const char *path, const char *label,
	unsigned char keys[][WARDEN_AUDIT_HASH_LEN], int *nkeys )
{
	warden_keyring *ring = NULL;
	char msg[512];
	int i;

	if ( warden_keyring_load( path, &ring, msg, sizeof( msg ) ) ) {
		fprintf( stderr, "wardenctl: %s\n", msg );
		warden_keyring_free( ring );
		return -1;
	}
	if ( ring->wr_count < 1 ) {
		fprintf( stderr, "wardenctl: %s holds no key\n", path );
		warden_keyring_free( ring );
		return -1;
	}
	for ( i = 0; i < ring->wr_count; i++ ) {
		if ( warden_audit_derive_key( ring->wr_keys[i].wk_key, WARDEN_KEY_LEN,
			label, keys[i] ) ) {
			fprintf( stderr, "wardenctl: cannot derive a key (OpenSSL)\n" );
			warden_keyring_free( ring );
			return -1;
		}
	}
	*nkeys = ring->wr_count;
	warden_keyring_free( ring );
	return 0;
}

/* --- verify ------------------------------------------------------------- */

/* Where the record with sequence number want is, in the rest of the files
 * (from file fi, line after lineno); for telling reordered from missing. */
static int
find_seq( char **files, int nfiles, int fi, unsigned long after, uint64_t want,
	char *where, size_t wlen )
{
	wa_reader r;
	warden_audit_link l;
	int rc;

	for ( ; fi < nfiles; fi++, after = 0 ) {
		if ( reader_open( &r, files[fi] ) ) return 0;
		while ( ( rc = reader_next( &r ) ) == 1 ) {
			if ( r.r_lineno <= after ) continue;
			if ( !warden_audit_parse( r.r_line, r.r_len, &l ) && l.al_seq == want ) {
				snprintf( where, wlen, "%s:%lu", files[fi], r.r_lineno );
				reader_close( &r );
				return 1;
			}
		}
		reader_close( &r );
	}
	return 0;
}

/* The checkpoint of a trail (auditlog.h, CHECKPOINTS), read and its MAC
 * checked against every key of the key file.  0, or 1 (bad, said), 2 */
static int
read_checkpoint( const char *path, const char *keyfile, uint64_t *seq,
	unsigned char hash[WARDEN_AUDIT_HASH_LEN] )
{
	unsigned char keys[WARDEN_KEYS_MAX][WARDEN_AUDIT_HASH_LEN];
	char line[WARDEN_AUDIT_CHECKPOINT_MAX];
	int nk = 0, rc;
	size_t n;
	FILE *f;

	if ( !keyfile ) {
		fprintf( stderr, "wardenctl: --checkpoint needs --key-file: "
			"checkpoints are signed with a key derived from it\n" );
		return 2;
	}
	if ( !( f = fopen( path, "r" ) ) ) {
		fprintf( stderr, "wardenctl: %s: %s\n", path, strerror( errno ) );
		return 2;
	}
	n = fread( line, 1, sizeof( line ), f );
	fclose( f );
	if ( load_keys( keyfile, WARDEN_AUDIT_LABEL_CHECKPOINT, keys, &nk ) )
		return 2;
	rc = warden_audit_checkpoint_parse(
		(const unsigned char (*)[WARDEN_AUDIT_HASH_LEN])keys, nk, line, n,
		seq, hash );
	OPENSSL_cleanse( keys, sizeof( keys ) );
	if ( rc == -1 ) {
		printf( "%s: not a warden audit checkpoint\n", path );
		return 1;
	}
	if ( rc == -2 ) {
		printf( "%s: the checkpoint's signature does not verify with the "
			"key file (forged, edited, or another key file)\n", path );
		return 1;
	}
	return 0;
}

static int
wa_verify( char **files, int nfiles, const char *keyfile,
	const char *cpfile, int allow_empty )
{
	unsigned char cp_hash[WARDEN_AUDIT_HASH_LEN];
	uint64_t cp_seq = 0;
	int cp_seen = 0;
	unsigned char keys[WARDEN_KEYS_MAX][WARDEN_AUDIT_HASH_LEN];
	unsigned char prev[WARDEN_AUDIT_HASH_LEN], d[WARDEN_AUDIT_HASH_LEN];
	warden_audit_hasher *h[WARDEN_KEYS_MAX] = { NULL };
	int nh = 1, cur = 0, fi, i, rc = 2, started = 0, r_rc;
	uint64_t last = 0, count = 0;
	char hex[2 * WARDEN_AUDIT_HASH_LEN + 1], where[4200];
	wa_reader r;

	if ( cpfile && ( rc = read_checkpoint( cpfile, keyfile, &cp_seq,
			cp_hash ) ) )
		return rc;
	rc = 2;
	if ( keyfile ) {
		if ( load_keys( keyfile, WARDEN_AUDIT_LABEL_CHAIN, keys, &nh ) ) return 2;
		for ( i = 0; i < nh; i++ )
			h[i] = warden_audit_hasher_new( keys[i], WARDEN_AUDIT_HASH_LEN );
		OPENSSL_cleanse( keys, sizeof( keys ) );
	} else {
		h[0] = warden_audit_hasher_new( NULL, 0 );
	}
	for ( i = 0; i < nh; i++ ) {
		if ( !h[i] ) {
			fprintf( stderr, "wardenctl: cannot set up SHA-256 (OpenSSL)\n" );
			goto out;
		}
	}

#define BAD( ... ) do { \
	fprintf( stdout, "%s:%lu: seq %llu: ", r.r_path, r.r_lineno, \
		(unsigned long long)l.al_seq ); \
	fprintf( stdout, __VA_ARGS__ ); \
	fputc( '\n', stdout ); \
	fprintf( stdout, "%llu records verified before it\n", \
		(unsigned long long)count ); \
	reader_close( &r ); \
	rc = 1; \
	goto out; \
} while ( 0 )

	for ( fi = 0; fi < nfiles; fi++ ) {
		if ( reader_open( &r, files[fi] ) ) goto out;
		while ( ( r_rc = reader_next( &r ) ) == 1 ) {
			warden_audit_link l = { 0 };

			if ( r.r_torn ) {
				if ( warden_audit_parse( r.r_line, r.r_len, &l ) ) l.al_seq = last + 1;
				BAD( "torn: the last line has no end of line (a write cut "
					"short, or the file truncated)" );
			}
			if ( warden_audit_parse( r.r_line, r.r_len, &l ) ) {
				l.al_seq = last + 1;
				BAD( "torn or edited: not a complete audit record (its "
					"chain members are missing or damaged)" );
			}
			if ( warden_audit_hasher_digest( h[cur], l.al_prev, r.r_line,
				l.al_body, d ) ) {
				fprintf( stderr, "wardenctl: OpenSSL failed\n" );
				reader_close( &r );
				goto out;
			}
			if ( memcmp( d, l.al_hash, sizeof( d ) ) ) {
				/* a key rotation: another key of the file may fit */
				for ( i = 0; i < nh; i++ ) {
					if ( i == cur ) continue;
					if ( !warden_audit_hasher_digest( h[i], l.al_prev,
						r.r_line, l.al_body, d ) &&
						!memcmp( d, l.al_hash, sizeof( d ) ) ) break;
				}
				if ( i == nh ) {
					BAD( "edited: the record's hash does not match its "
						"content%s", keyfile ? " (or it was written under "
						"a key not in the key file)" : " (or the trail is "
						"keyed: give --key-file)" );
				}
				cur = i;
			}
			if ( !started ) {
				static const unsigned char genesis[WARDEN_AUDIT_HASH_LEN];

				started = 1;
				if ( l.al_seq != 1 || memcmp( l.al_prev, genesis, sizeof( genesis ) ) )
					fprintf( stderr, "note: the chain starts at seq %llu "
						"(%s:%lu), not at the beginning of the trail: "
						"older records are not among the files given\n",
						(unsigned long long)l.al_seq, r.r_path, r.r_lineno );
			} else {
				if ( l.al_seq == 1 ) {
					BAD( "a new trail begins here: the records before are "
						"not linked to it" );
				}
				if ( l.al_seq > last + 1 ) {
					if ( find_seq( files, nfiles, fi, r.r_lineno, last + 1,
						where, sizeof( where ) ) )
						BAD( "reordered: seq %llu was expected here and "
							"comes later, at %s",
							(unsigned long long)( last + 1 ), where );
					if ( l.al_seq == last + 2 )
						BAD( "missing: the record with seq %llu before it "
							"is not in the files (deleted)",
							(unsigned long long)( last + 1 ) );
					BAD( "missing: the records with seq %llu to %llu "
						"before it are not in the files (deleted)",
						(unsigned long long)( last + 1 ),
						(unsigned long long)( l.al_seq - 1 ) );
				}
				if ( l.al_seq <= last ) {
					BAD( "reordered: seq %llu comes after seq %llu (records "
						"moved or repeated, or files out of order)",
						(unsigned long long)l.al_seq,
						(unsigned long long)last );
				}
				if ( memcmp( l.al_prev, prev, sizeof( prev ) ) ) {
					BAD( "broken link: its previous hash is not the hash of "
						"the record before it (that record was replaced, or "
						"the files are from two trails)" );
				}
			}
			if ( cpfile && l.al_seq == cp_seq ) {
				if ( memcmp( l.al_hash, cp_hash, sizeof( cp_hash ) ) ) {
					warden_audit_hex( cp_hash, hex );
					BAD( "not the record of the checkpoint: %s says seq "
						"%llu has hash %s (the trail was rewritten from "
						"there, or another trail)", cpfile,
						(unsigned long long)cp_seq, hex );
				}
				cp_seen = 1;
			}
			memcpy( prev, l.al_hash, sizeof( prev ) );
			last = l.al_seq;
			count++;
		}
		reader_close( &r );
		if ( r_rc == -2 ) {
			printf( "%llu records verified before it\n",
				(unsigned long long)count );
			rc = 1;
			goto out;
		}
		if ( r_rc < 0 ) goto out;
	}
#undef BAD
	if ( cpfile && ( !count || last < cp_seq ) ) {
		char at[48];

		if ( count ) snprintf( at, sizeof( at ), "at seq %llu",
			(unsigned long long)last );
		else snprintf( at, sizeof( at ), "with no record" );
		printf( "truncated: the trail ends %s, before its checkpoint "
			"(seq %llu in %s): records were removed from its end%s\n",
			at, (unsigned long long)cp_seq, cpfile, count ? "" :
			" (or the files were emptied)" );
		if ( count )
			printf( "%llu records verified before the end\n",
				(unsigned long long)count );
		rc = 1;
		goto out;
	}
	if ( !count && !allow_empty ) {
		printf( "0 records: the files hold no record (an emptied trail?); "
			"--allow-empty accepts an empty trail\n" );
		rc = 1;
		goto out;
	}
	if ( !count ) {
		printf( "0 records verified (no records in the files)\n" );
	} else {
		warden_audit_hex( prev, hex );
		printf( "%llu records verified; last seq %llu, hash %s\n",
			(unsigned long long)count, (unsigned long long)last, hex );
	}
	if ( cpfile && cp_seen )
		printf( "checkpoint verified: seq %llu is in the trail with the "
			"checkpoint's hash\n", (unsigned long long)cp_seq );
	else if ( cpfile )
		printf( "checkpoint verified: the trail goes past its seq %llu "
			"(that record is in older files)\n",
			(unsigned long long)cp_seq );
	rc = 0;

out:
	for ( i = 0; i < nh; i++ ) warden_audit_hasher_free( h[i] );
	return rc;
}

/* --- export and its pseudonyms ----------------------------------------- */

typedef struct wa_pseudo {
	EVP_MAC_CTX	*p_ctx;
	warden_buf	p_tmp;
} wa_pseudo;

static const char *const pseudo_exact[] = {
	"user.name", "user.id", "user.email", "user.full_name", "user.domain",
	"related.user", "related.ip", "ldap.dn", "ldap.new_dn",
	"ldap.new_superior", "ldap.bind_dn", "source.ip", "source.address",
	"source.domain", "client.ip", "client.address", "client.domain", NULL };
static const char *const pseudo_prefix[] = { "user.target.", "user.effective.", NULL };
static const char *const change_values[] = {
	"values", "values_base64", "value", "old_values", "new_values", NULL };

static int
in_list( const char *const *list, const char *s )
{
	for ( ; *list; list++ ) if ( !strcmp( *list, s ) ) return 1;
	return 0;
}

/* Whether a field's values are lower-cased before their pseudonym. */
static int
fold_case( const char *key )
{
	size_t n = strlen( key );

	return !strcmp( key, "user.name" ) || !strncmp( key, "user.target.", 12 ) ||
		!strncmp( key, "user.effective.", 15 ) ||
		( n > 2 && !strcmp( key + n - 2, "dn" ) ) ||
		!strcmp( key, "ldap.new_superior" );
}

static int
pseudo_value( wa_pseudo *ps, const char *v, size_t n, int fold, warden_buf *out )
{
	unsigned char mac[32];
	char hex[65];
	size_t i, ml = 0;

	warden_buf_reset( &ps->p_tmp );
	warden_buf_add( &ps->p_tmp, v, n );
	if ( warden_buf_failed( &ps->p_tmp ) ) return -1;
	if ( fold )
		for ( i = 0; i < n; i++ )
			ps->p_tmp.wb_data[i] = tolower( (unsigned char)ps->p_tmp.wb_data[i] );
	if ( !EVP_MAC_init( ps->p_ctx, NULL, 0, NULL ) ||
		!EVP_MAC_update( ps->p_ctx, (unsigned char *)ps->p_tmp.wb_data, n ) ||
		!EVP_MAC_final( ps->p_ctx, mac, &ml, sizeof( mac ) ) ) return -1;
	warden_audit_hex( mac, hex );
	warden_buf_adds( out, "\"pseudo:" );
	warden_buf_add( out, hex, 32 );
	return warden_buf_add( out, "\"", 1 );
}

enum { PS_ALL, PS_CHANGES };

/* Copies one value to out, replacing what mode says. */
static int
pseudo_copy( wa_pseudo *ps, const char **pp, const char *e, int mode, int fold,
	warden_buf *out, int depth )
{
	warden_buf s;
	const char *start;
	int rc;

	js_ws( pp, e );
	if ( *pp >= e || depth > JS_DEPTH ) return -1;
	start = *pp;
	switch ( **pp ) {
	case '"':
		if ( mode != PS_ALL ) {
			if ( js_str( pp, e, NULL ) ) return -1;
			return warden_buf_add( out, start, *pp - start );
		}
		warden_buf_init( &s );
		rc = js_str( pp, e, &s );
		if ( !rc ) rc = pseudo_value( ps, s.wb_data ? s.wb_data : "", s.wb_len,
			fold, out );
		warden_buf_free( &s );
		return rc;
	case '{': case '[': {
		char close = **pp == '{' ? '}' : ']';
		int obj = close == '}', first = 1;

		warden_buf_add( out, *pp, 1 );
		( *pp )++;
		for ( ;; ) {
			int m = mode;

			js_ws( pp, e );
			if ( *pp < e && **pp == close && first ) break;
			if ( !first ) {
				if ( *pp >= e ) return -1;
				if ( **pp == close ) break;
				if ( **pp != ',' ) return -1;
				( *pp )++;
				warden_buf_add( out, ",", 1 );
				js_ws( pp, e );
			}
			first = 0;
			if ( obj ) {
				const char *k = *pp;

				warden_buf_init( &s );
				if ( js_str( pp, e, &s ) || warden_buf_add( &s, "", 0 ) ) {
					warden_buf_free( &s );
					return -1;
				}
				if ( mode == PS_CHANGES && in_list( change_values, s.wb_data ) )
					m = PS_ALL;
				warden_buf_free( &s );
				warden_buf_add( out, k, *pp - k );
				js_ws( pp, e );
				if ( *pp >= e || **pp != ':' ) return -1;
				( *pp )++;
				warden_buf_add( out, ":", 1 );
			}
			if ( pseudo_copy( ps, pp, e, m, fold, out, depth + 1 ) ) return -1;
		}
		( *pp )++;
		return warden_buf_add( out, &close, 1 );
	}
	default:
		if ( js_skip( pp, e, depth ) ) return -1;
		/* numbers are identifiers too (a uidNumber); true, false and null
		 * are not */
		if ( mode == PS_ALL && ( *start == '-' || isdigit( (unsigned char)*start ) ) )
			return pseudo_value( ps, start, *pp - start, 0, out );
		return warden_buf_add( out, start, *pp - start );
	}
}

typedef struct wa_export {
	wa_pseudo	*x_ps;		/* NULL: no pseudonyms */
	warden_buf	x_out;
	int		x_n;		/* members written */
} wa_xctx;

static int
export_member( void *ctx, const js_member *m )
{
	wa_xctx *x = ctx;
	const char *p = m->m_val;
	int mode = -1;

	if ( !strcmp( m->m_key, "warden.prev" ) || !strcmp( m->m_key, "warden.hash" ) )
		return 0;
	if ( in_list( pseudo_exact, m->m_key ) ) {
		mode = PS_ALL;
	} else if ( !strcmp( m->m_key, "ldap.changes" ) ) {
		mode = PS_CHANGES;
	} else {
		const char *const *pre;

		for ( pre = pseudo_prefix; *pre; pre++ )
			if ( !strncmp( m->m_key, *pre, strlen( *pre ) ) ) mode = PS_ALL;
	}
	if ( x->x_n++ ) warden_buf_add( &x->x_out, ",", 1 );
	warden_buf_add( &x->x_out, m->m_kraw, m->m_kend - m->m_kraw );
	warden_buf_add( &x->x_out, ":", 1 );
	if ( mode < 0 )
		return warden_buf_add( &x->x_out, m->m_val, m->m_vend - m->m_val );
	return pseudo_copy( x->x_ps, &p, m->m_vend, mode, fold_case( m->m_key ),
		&x->x_out, 1 );
}

/* --- tail and export ---------------------------------------------------- */

typedef struct wa_opts {
	wa_filter	o_filter;
	long		o_n;
	const char	*o_keyfile;
	int		o_pseudo;
} wa_opts;

/* Whether the reader's line is a record that passes the filters; 0 or 1,
 * -1 when it cannot be read. */
static int
line_passes( wa_reader *r, wa_opts *o, wa_fields *f )
{
	fields_reset( f );
	if ( r->r_torn || js_object( r->r_line, r->r_len, fields_member, f ) ) {
		fprintf( stderr, "wardenctl: %s:%lu: not a complete JSON record; "
			"skipped\n", r->r_path, r->r_lineno );
		return -1;
	}
	return filter_pass( &o->o_filter, f );
}

static int
wa_tail( const char *path, wa_opts *o )
{
	char **ring;
	size_t *lens;
	long n = o->o_n, head = 0, count = 0, i;
	int rc = 0, r_rc, p;
	wa_fields f;
	wa_reader r;

	if ( n <= 0 ) return 0;
	ring = calloc( n, sizeof( *ring ) );
	lens = calloc( n, sizeof( *lens ) );
	if ( !ring || !lens || reader_open( &r, path ) ) {
		free( ring );
		free( lens );
		return 2;
	}
	fields_init( &f );
	while ( ( r_rc = reader_next( &r ) ) == 1 ) {
		if ( ( p = line_passes( &r, o, &f ) ) < 0 ) rc = 1;
		if ( p <= 0 ) continue;
		free( ring[head] );
		ring[head] = malloc( r.r_len );
		lens[head] = r.r_len;
		if ( !ring[head] ) {
			fprintf( stderr, "wardenctl: out of memory\n" );
			rc = 2;
			break;
		}
		memcpy( ring[head], r.r_line, r.r_len );
		head = ( head + 1 ) % n;
		count++;
	}
	if ( r_rc < 0 ) rc = r_rc == -2 ? 1 : 2;
	if ( count > n ) count = n;
	for ( i = 0; i < count; i++ ) {
		long k = ( head - count + i + n ) % n;

		fwrite( ring[k], 1, lens[k], stdout );
		fputc( '\n', stdout );
	}
	for ( i = 0; i < n; i++ ) free( ring[i] );
	free( ring );
	free( lens );
	fields_free( &f );
	reader_close( &r );
	return rc;
}

static int
wa_export( char **files, int nfiles, wa_opts *o )
{
	unsigned char keys[WARDEN_KEYS_MAX][WARDEN_AUDIT_HASH_LEN];
	wa_pseudo ps = { NULL, { 0 } };
	EVP_MAC *mac = NULL;
	wa_xctx x;
	wa_fields f;
	wa_reader r;
	int fi, rc = 0, r_rc, p, nk;

	if ( o->o_pseudo ) {
		OSSL_PARAM params[2];

		if ( !o->o_keyfile ) {
			fprintf( stderr, "wardenctl: --pseudonymize needs --key-file\n" );
			return 2;
		}
		if ( load_keys( o->o_keyfile, WARDEN_AUDIT_LABEL_PSEUDONYM, keys, &nk ) )
			return 2;
		params[0] = OSSL_PARAM_construct_utf8_string( "digest", "SHA256", 0 );
		params[1] = OSSL_PARAM_construct_end();
		if ( !( mac = EVP_MAC_fetch( NULL, "HMAC", NULL ) ) ||
			!( ps.p_ctx = EVP_MAC_CTX_new( mac ) ) ||
			!EVP_MAC_init( ps.p_ctx, keys[0], WARDEN_AUDIT_HASH_LEN, params ) ) {
			OPENSSL_cleanse( keys, sizeof( keys ) );
			fprintf( stderr, "wardenctl: cannot set up HMAC (OpenSSL)\n" );
			rc = 2;
			goto out;
		}
		OPENSSL_cleanse( keys, sizeof( keys ) );
		warden_buf_init( &ps.p_tmp );
	}
	fields_init( &f );
	warden_buf_init( &x.x_out );
	x.x_ps = o->o_pseudo ? &ps : NULL;
	for ( fi = 0; fi < nfiles && rc < 2; fi++ ) {
		if ( reader_open( &r, files[fi] ) ) {
			rc = 2;
			break;
		}
		while ( ( r_rc = reader_next( &r ) ) == 1 ) {
			if ( ( p = line_passes( &r, o, &f ) ) < 0 ) rc = 1;
			if ( p <= 0 ) continue;
			if ( !o->o_pseudo ) {
				fwrite( r.r_line, 1, r.r_len, stdout );
				fputc( '\n', stdout );
				continue;
			}
			warden_buf_reset( &x.x_out );
			x.x_n = 0;
			warden_buf_add( &x.x_out, "{", 1 );
			if ( js_object( r.r_line, r.r_len, export_member, &x ) ) {
				fprintf( stderr, "wardenctl: %s:%lu: cannot pseudonymize; "
					"skipped\n", r.r_path, r.r_lineno );
				rc = 1;
				continue;
			}
			warden_buf_adds( &x.x_out, x.x_n ? ",\"warden.pseudonymized\":true}\n" :
				"\"warden.pseudonymized\":true}\n" );
			if ( warden_buf_failed( &x.x_out ) ) {
				fprintf( stderr, "wardenctl: out of memory\n" );
				rc = 2;
				break;
			}
			fwrite( x.x_out.wb_data, 1, x.x_out.wb_len, stdout );
		}
		if ( r_rc == -2 && rc < 1 ) rc = 1;
		if ( r_rc == -1 ) rc = 2;
		reader_close( &r );
	}
	fields_free( &f );
	warden_buf_free( &x.x_out );
	if ( o->o_pseudo ) warden_buf_free( &ps.p_tmp );

out:
	EVP_MAC_CTX_free( ps.p_ctx );
	EVP_MAC_free( mac );
	if ( fflush( stdout ) ) {
		fprintf( stderr, "wardenctl: standard output: %s\n", strerror( errno ) );
		rc = 2;
	}
	return rc;
}

/* --- the command ---------------------------------------------------------- */

int
wc_audit( int argc, char **argv )
{
	static const struct option longopts[] = {
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		{ "dn", required_argument, NULL, 'd' },
		{ "action", required_argument, NULL, 'a' },
		{ "key-file", required_argument, NULL, 'k' },
		{ "key", required_argument, NULL, 'k' },
		{ "checkpoint", required_argument, NULL, 'c' },
		{ "allow-empty", no_argument, NULL, 'E' },
		{ "pseudonymize", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 } };
	wa_opts o;
	const char *cmd;
	char *actions = NULL, *end;
	const char *cpfile = NULL;
	int c, rc = 2, filters = 0, nact = 0, allow_empty = 0;

	memset( &o, 0, sizeof( o ) );
	o.o_n = 10;
	warden_buf_init( &o.o_filter.fl_dn );
	warden_buf_init( &o.o_filter.fl_tmp );
	if ( argc < 2 ) goto usage;
	cmd = argv[1];
	argc--;
	argv++;
	optind = 1;
	while ( ( c = getopt_long( argc, argv, "n:h", longopts, NULL ) ) != -1 ) {
		switch ( c ) {
		case 'n':
			errno = 0;
			o.o_n = strtol( optarg, &end, 10 );
			if ( errno || *end || o.o_n < 0 ) {
				fprintf( stderr, "wardenctl: -n %s: not a count\n", optarg );
				goto done;
			}
			filters |= 1;
			break;
		case 'S': case 'U': {
			long long t;

			if ( parse_when( optarg, &t ) ) {
				fprintf( stderr, "wardenctl: %s: not a time (YYYY-MM-DD"
					"[THH:MM[:SS]] in UTC, or an age such as 30m, 2h, 7d)\n",
					optarg );
				goto done;
			}
			if ( c == 'S' ) {
				o.o_filter.fl_since = t;
				o.o_filter.fl_since_set = 1;
			} else {
				o.o_filter.fl_until = t;
				o.o_filter.fl_until_set = 1;
			}
			filters |= 2;
			break;
			}
		case 'd':
			dn_norm( optarg, &o.o_filter.fl_dn );
			o.o_filter.fl_dn.wb_len = strlen( o.o_filter.fl_dn.wb_data );
			filters |= 2;
			break;
		case 'a': {
			char *tok, *save = NULL;

			free( actions );
			if ( !( actions = strdup( optarg ) ) ) goto done;
			free( o.o_filter.fl_actions );
			o.o_filter.fl_actions = calloc( strlen( optarg ) + 2,
				sizeof( char * ) );
			if ( !o.o_filter.fl_actions ) goto done;
			nact = 0;
			for ( tok = strtok_r( actions, ",", &save ); tok;
				tok = strtok_r( NULL, ",", &save ) )
				o.o_filter.fl_actions[nact++] = tok;
			filters |= 2;
			break;
			}
		case 'k': o.o_keyfile = optarg; break;
		case 'c': cpfile = optarg; break;
		case 'E': allow_empty = 1; break;
		case 'p': o.o_pseudo = 1; break;
		case 'h':
			fputs( wa_usage, stdout );
			rc = 0;
			goto done;
		default:
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if ( !strcmp( cmd, "verify" ) ) {
		if ( argc < 1 || filters || o.o_pseudo ) goto usage;
		rc = wa_verify( argv, argc, o.o_keyfile, cpfile, allow_empty );
	} else if ( !strcmp( cmd, "tail" ) ) {
		if ( argc != 1 || o.o_pseudo || o.o_keyfile || cpfile ||
			allow_empty ) goto usage;
		rc = wa_tail( argv[0], &o );
	} else if ( !strcmp( cmd, "export" ) ) {
		if ( argc < 1 || ( filters & 1 ) || cpfile || allow_empty ) goto usage;
		if ( o.o_keyfile && !o.o_pseudo ) goto usage;
		rc = wa_export( argv, argc, &o );
	} else {
		goto usage;
	}
	goto done;

usage:
	fputs( wa_usage, stderr );
	rc = 2;
done:
	free( actions );
	free( o.o_filter.fl_actions );
	warden_buf_free( &o.o_filter.fl_dn );
	warden_buf_free( &o.o_filter.fl_tmp );
	return rc;
}
