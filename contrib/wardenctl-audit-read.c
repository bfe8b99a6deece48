/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* wardenctl-audit-read.c - reading audit trails: a checking JSON reader,
 * the fields the filters look at, files line by line, the key file's keys
 * (wardenctl-audit.h)
 */

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "keyring.h"
#include "wardenctl-audit.h"

/* --- a small JSON reader ------------------------------------------------ */

/* Records are written by auditjson.c, but a file may have been edited: the
 * reader checks everything it reads, and a line that is not a JSON object
 * is reported, never half read. */

void
wa_js_ws( const char **p, const char *e )
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
int
wa_js_str( const char **pp, const char *e, warden_buf *out )
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
int
wa_js_skip( const char **pp, const char *e, int depth )
{
	const char *p;

	wa_js_ws( pp, e );
	if ( *pp >= e || depth > JS_DEPTH ) return -1;
	switch ( **pp ) {
	case '"':
		return wa_js_str( pp, e, NULL );
	case '{': case '[': {
		char close = **pp == '{' ? '}' : ']';
		int obj = close == '}';

		( *pp )++;
		wa_js_ws( pp, e );
		if ( *pp < e && **pp == close ) {
			( *pp )++;
			return 0;
		}
		for ( ;; ) {
			if ( obj ) {
				wa_js_ws( pp, e );
				if ( wa_js_str( pp, e, NULL ) ) return -1;
				wa_js_ws( pp, e );
				if ( *pp >= e || **pp != ':' ) return -1;
				( *pp )++;
			}
			if ( wa_js_skip( pp, e, depth + 1 ) ) return -1;
			wa_js_ws( pp, e );
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

/* Calls fn for each member of the object that is the whole line. */
int
wa_js_object( const char *line, size_t len, js_member_fn fn, void *ctx )
{
	const char *p = line, *e = line + len;
	warden_buf key;
	js_member m;
	int rc = -1;

	warden_buf_init( &key );
	wa_js_ws( &p, e );
	if ( p >= e || *p++ != '{' ) goto done;
	wa_js_ws( &p, e );
	if ( p < e && *p == '}' ) {
		p++;
		goto end;
	}
	for ( ;; ) {
		wa_js_ws( &p, e );
		warden_buf_reset( &key );
		m.m_kraw = p;
		if ( wa_js_str( &p, e, &key ) || warden_buf_add( &key, "", 0 ) ) goto done;
		m.m_kend = p;
		m.m_key = key.wb_data;
		wa_js_ws( &p, e );
		if ( p >= e || *p++ != ':' ) goto done;
		wa_js_ws( &p, e );
		m.m_val = p;
		if ( wa_js_skip( &p, e, 1 ) ) goto done;
		m.m_vend = p;
		if ( fn && fn( ctx, &m ) ) goto done;
		wa_js_ws( &p, e );
		if ( p >= e ) goto done;
		if ( *p == '}' ) {
			p++;
			break;
		}
		if ( *p++ != ',' ) goto done;
	}
end:
	wa_js_ws( &p, e );
	rc = p == e ? 0 : -1;
done:
	warden_buf_free( &key );
	return rc;
}

/* --- records ------------------------------------------------------------ */

void
wa_fields_init( wa_fields *f )
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

void
wa_fields_free( wa_fields *f )
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

	/* a field of another type than string (an edited file) is as good as
	 * absent: the filters read only strings */
	if ( *p != '"' ) return 0;
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
	if ( !into ) return 0;
	warden_buf_reset( into );
	if ( wa_js_str( &p, m->m_vend, into ) ) return -1;
	return warden_buf_add( into, "", 0 );
}

/* n ASCII digits at s as a number, or -1: sscanf's %d would also take
 * blanks and a sign (" 1", "+1"). */
static int
digits_at( const char *s, int n )
{
	int v = 0, i;

	for ( i = 0; i < n; i++ ) {
		if ( s[i] < '0' || s[i] > '9' ) return -1;
		v = v * 10 + ( s[i] - '0' );
	}
	return v;
}

/* UTC time in microseconds from YYYY-MM-DD[(T| )HH:MM[:SS[.frac]]][Z]. */
static int
parse_utc( const char *s, long long *us )
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, sec = 0;
	long frac = 0, scale = 1000000;
	time_t t;

	memset( &tm, 0, sizeof( tm ) );
	if ( ( y = digits_at( s, 4 ) ) < 0 || s[4] != '-' ||
		( mo = digits_at( s + 5, 2 ) ) < 0 || s[7] != '-' ||
		( d = digits_at( s + 8, 2 ) ) < 0 ) return -1;
	s += 10;
	if ( *s == 'T' || *s == ' ' ) {
		if ( ( h = digits_at( s + 1, 2 ) ) < 0 || s[3] != ':' ||
			( mi = digits_at( s + 4, 2 ) ) < 0 ) return -1;
		s += 6;
		if ( *s == ':' ) {
			if ( ( sec = digits_at( s + 1, 2 ) ) < 0 ) return -1;
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

/* Longest age accepted: ten thousand years, in seconds (the product and
 * the microseconds of time( NULL ) minus it stay far inside long long). */
#define WA_AGE_MAX	( 10000LL * 366 * 86400 )

/* A filter's time: absolute, or an age ("30m"): digits and one unit. */
int
wa_parse_when( const char *s, long long *us )
{
	long long n = 0, unit;
	const char *p;

	if ( !parse_utc( s, us ) ) return 0;
	for ( p = s; *p >= '0' && *p <= '9'; p++ ) {
		n = n * 10 + ( *p - '0' );
		if ( n > WA_AGE_MAX ) return -1;
	}
	if ( p == s || !p[0] || p[1] ) return -1;
	switch ( p[0] ) {
	case 's': unit = 1; break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	default: return -1;
	}
	if ( n > WA_AGE_MAX / unit ) return -1;
	*us = ( (long long)time( NULL ) - n * unit ) * 1000000;
	return 0;
}

/* A DN for comparison: ASCII lower case, no blanks around ',' '=' '+'. */
void
wa_dn_norm( const char *in, warden_buf *out )
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

static int
dn_matches( wa_filter *fl, const warden_buf *v )
{
	size_t n, m = fl->fl_dn.wb_len;

	if ( !v->wb_len ) return 0;
	wa_dn_norm( v->wb_data, &fl->fl_tmp );
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

int
wa_reader_open( wa_reader *r, const char *path )
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
int
wa_reader_next( wa_reader *r )
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

void
wa_reader_close( wa_reader *r )
{
	if ( r->r_f ) fclose( r->r_f );
	free( r->r_line );
	r->r_f = NULL;
	r->r_line = NULL;
}

/* --- keys --------------------------------------------------------------- */

/* Derived keys of every key in a key file, the active one first. */
int
wa_load_keys( const char *path, const char *label,
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

/* Whether the reader's line is a record that passes the filters; 0 or 1,
 * -1 when it cannot be read. */
int
wa_line_passes( wa_reader *r, wa_opts *o, wa_fields *f )
{
	fields_reset( f );
	if ( r->r_torn || wa_js_object( r->r_line, r->r_len, fields_member, f ) ) {
		fprintf( stderr, "wardenctl: %s:%lu: not a complete JSON record; "
			"skipped\n", r->r_path, r->r_lineno );
		return -1;
	}
	return filter_pass( &o->o_filter, f );
}

