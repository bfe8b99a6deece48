/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* auditjson.c - a growable buffer and a JSON writer for audit records */

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "auditjson.h"
#include "base64.h"

void
warden_buf_init( warden_buf *b )
{
	memset( b, 0, sizeof( *b ) );
}

void
warden_buf_free( warden_buf *b )
{
	free( b->wb_data );
	warden_buf_init( b );
}

void
warden_buf_reset( warden_buf *b )
{
	char *d = b->wb_data;
	size_t cap = b->wb_cap;

	warden_buf_init( b );
	b->wb_data = d;
	b->wb_cap = cap;
	if ( d ) d[0] = '\0';
}

int
warden_buf_failed( const warden_buf *b )
{
	return b->wb_failed;
}

int
warden_buf_reserve( warden_buf *b, size_t n )
{
	size_t need, cap;
	char *d;

	if ( b->wb_failed ) return -1;
	if ( n > SIZE_MAX / 2 - b->wb_len ) goto fail;
	need = b->wb_len + n + 1;
	if ( need <= b->wb_cap ) return 0;
	cap = b->wb_cap ? b->wb_cap : 256;
	while ( cap < need ) cap *= 2;
	if ( !( d = realloc( b->wb_data, cap ) ) ) goto fail;
	b->wb_data = d;
	b->wb_cap = cap;
	return 0;

fail:
	b->wb_failed = 1;
	return -1;
}

int
warden_buf_add( warden_buf *b, const void *p, size_t n )
{
	if ( warden_buf_reserve( b, n ) ) return -1;
	if ( n ) memcpy( b->wb_data + b->wb_len, p, n );
	b->wb_len += n;
	b->wb_data[b->wb_len] = '\0';
	return 0;
}

int
warden_buf_adds( warden_buf *b, const char *s )
{
	return warden_buf_add( b, s, strlen( s ) );
}

/* The length of the valid UTF-8 sequence at s (1 to 4), or, when there is
 * none, minus the length of its maximal subpart (-1 to -3): the bytes to be
 * replaced by one U+FFFD.  The ranges are those of Unicode's table 3-7
 * (well-formed byte sequences). */
static int
utf8_seq( const unsigned char *s, size_t len )
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	int need, i;

	if ( c < 0x80 ) return 1;
	if ( c < 0xc2 || c > 0xf4 ) return -1;
	if ( c < 0xe0 ) {
		need = 1;
	} else if ( c < 0xf0 ) {
		need = 2;
		if ( c == 0xe0 ) lo = 0xa0;
		else if ( c == 0xed ) hi = 0x9f;	/* no surrogates */
	} else {
		need = 3;
		if ( c == 0xf0 ) lo = 0x90;		/* no overlongs */
		else if ( c == 0xf4 ) hi = 0x8f;	/* nothing above U+10FFFF */
	}
	for ( i = 1; i <= need; i++ ) {
		if ( (size_t)i >= len || s[i] < lo || s[i] > hi ) return -i;
		lo = 0x80;
		hi = 0xbf;
	}
	return need + 1;
}

int
warden_utf8_valid( const char *s, size_t len )
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	int n;

	while ( i < len ) {
		if ( p[i] < 0x80 ) {
			i++;
			continue;
		}
		if ( ( n = utf8_seq( p + i, len - i ) ) < 0 ) return 0;
		i += n;
	}
	return 1;
}

/* Bytes copied as they are: printable ASCII but '"' and '\\'.  A table:
 * records are escaped a byte at a time, and this is most of them. */
static const unsigned char json_plain[256] = {
	['\x20'] = 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 20-2f, no '"' */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,		/* 30-3f */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,		/* 40-4f */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,		/* 50-5f, no '\\' */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,		/* 60-6f */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0		/* 70-7f, no DEL */
};

int
warden_json_escape( warden_buf *b, const char *s, size_t len )
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run;
	int n;

	/* the common case, nothing to escape, costs one reservation */
	if ( warden_buf_reserve( b, len + 2 ) ) return -1;
	b->wb_data[b->wb_len++] = '"';
	while ( i < len ) {
		char esc[8];
		size_t elen = 0;

		/* copy a run of plain ASCII at once */
		for ( run = i; run < len && json_plain[p[run]]; run++ )
			;
		if ( run > i ) {
			if ( warden_buf_add( b, p + i, run - i ) ) return -1;
			i = run;
			continue;
		}
		if ( p[i] >= 0x80 ) {
			n = utf8_seq( p + i, len - i );
			if ( n < 0 ) {
				if ( warden_buf_add( b, "\xef\xbf\xbd", 3 ) ) return -1;
				i += -n;
			} else if ( n == 3 && p[i] == 0xe2 && p[i+1] == 0x80 &&
				( p[i+2] == 0xa8 || p[i+2] == 0xa9 ) ) {
				if ( warden_buf_adds( b, p[i+2] == 0xa8 ?
					"\\u2028" : "\\u2029" ) ) return -1;
				i += 3;
			} else {
				if ( warden_buf_add( b, p + i, n ) ) return -1;
				i += n;
			}
			continue;
		}
		esc[elen++] = '\\';
		switch ( p[i] ) {
		case '"': esc[elen++] = '"'; break;
		case '\\': esc[elen++] = '\\'; break;
		case '\b': esc[elen++] = 'b'; break;
		case '\f': esc[elen++] = 'f'; break;
		case '\n': esc[elen++] = 'n'; break;
		case '\r': esc[elen++] = 'r'; break;
		case '\t': esc[elen++] = 't'; break;
		default:
			esc[elen++] = 'u';
			esc[elen++] = '0';
			esc[elen++] = '0';
			esc[elen++] = hex[p[i] >> 4];
			esc[elen++] = hex[p[i] & 0xf];
		}
		if ( warden_buf_add( b, esc, elen ) ) return -1;
		i++;
	}
	return warden_buf_add( b, "\"", 1 );
}

/* --- the builder ------------------------------------------------------ */

static void
misuse( warden_buf *b )
{
	b->wb_failed = 1;
}

/* Before a value: the comma in an array, the check that an object has its
 * key.  The top level takes one value. */
static int
before_value( warden_buf *b )
{
	int d = b->wb_depth;

	if ( b->wb_failed ) return -1;
	if ( d == 0 ) {
		if ( b->wb_len ) goto bad;
		return 0;
	}
	if ( b->wb_kind[d - 1] == '{' ) {
		if ( !b->wb_keyed ) goto bad;
		b->wb_keyed = 0;
		return 0;
	}
	if ( b->wb_count[d - 1] && warden_buf_add( b, ",", 1 ) ) return -1;
	b->wb_count[d - 1] = 1;
	return 0;

bad:
	misuse( b );
	return -1;
}

static int
begin( warden_buf *b, char kind )
{
	if ( before_value( b ) ) return -1;
	if ( b->wb_depth == WARDEN_JSON_DEPTH ) {
		misuse( b );
		return -1;
	}
	b->wb_kind[b->wb_depth] = kind;
	b->wb_count[b->wb_depth] = 0;
	b->wb_depth++;
	return warden_buf_add( b, &kind, 1 );
}

static int
end( warden_buf *b, char kind, char close )
{
	if ( b->wb_failed ) return -1;
	if ( b->wb_depth == 0 || b->wb_kind[b->wb_depth - 1] != kind ||
		b->wb_keyed ) {
		misuse( b );
		return -1;
	}
	b->wb_depth--;
	return warden_buf_add( b, &close, 1 );
}

int
warden_json_begin_object( warden_buf *b )
{
	return begin( b, '{' );
}

int
warden_json_begin_array( warden_buf *b )
{
	return begin( b, '[' );
}

int
warden_json_end_object( warden_buf *b )
{
	return end( b, '{', '}' );
}

int
warden_json_end_array( warden_buf *b )
{
	return end( b, '[', ']' );
}

int
warden_json_key( warden_buf *b, const char *key )
{
	int d = b->wb_depth;

	if ( b->wb_failed ) return -1;
	if ( d == 0 || b->wb_kind[d - 1] != '{' || b->wb_keyed ) {
		misuse( b );
		return -1;
	}
	if ( b->wb_count[d - 1] && warden_buf_add( b, ",", 1 ) ) return -1;
	b->wb_count[d - 1] = 1;
	if ( warden_json_escape( b, key, strlen( key ) ) ||
		warden_buf_add( b, ":", 1 ) ) return -1;
	b->wb_keyed = 1;
	return 0;
}

int
warden_json_str( warden_buf *b, const char *s, size_t len )
{
	if ( before_value( b ) ) return -1;
	return warden_json_escape( b, s, len );
}

int
warden_json_cstr( warden_buf *b, const char *s )
{
	if ( !s ) return warden_json_null( b );
	return warden_json_str( b, s, strlen( s ) );
}

int
warden_json_base64( warden_buf *b, const void *p, size_t len )
{
	char *o;

	if ( before_value( b ) ) return -1;
	if ( len > ( SIZE_MAX / 2 ) / 4 * 3 ) {
		b->wb_failed = 1;
		return -1;
	}
	if ( warden_buf_reserve( b, warden_base64_len( len ) + 2 ) ) return -1;
	o = b->wb_data + b->wb_len;
	*o++ = '"';
	warden_base64_encode( p, len, o );
	o += warden_base64_len( len );
	*o++ = '"';
	*o = '\0';
	b->wb_len = o - b->wb_data;
	return 0;
}

static int
number( warden_buf *b, const char *fmt, ... )
	__attribute__(( format( printf, 2, 3 ) ));

static int
number( warden_buf *b, const char *fmt, ... )
{
	char t[32];
	va_list ap;
	int n;

	va_start( ap, fmt );
	n = vsnprintf( t, sizeof( t ), fmt, ap );
	va_end( ap );
	if ( before_value( b ) ) return -1;
	return warden_buf_add( b, t, n );
}

int
warden_json_int( warden_buf *b, long long v )
{
	return number( b, "%lld", v );
}

int
warden_json_uint( warden_buf *b, unsigned long long v )
{
	return number( b, "%llu", v );
}

int
warden_json_bool( warden_buf *b, int v )
{
	if ( before_value( b ) ) return -1;
	return warden_buf_adds( b, v ? "true" : "false" );
}

int
warden_json_null( warden_buf *b )
{
	if ( before_value( b ) ) return -1;
	return warden_buf_adds( b, "null" );
}

int
warden_json_time( warden_buf *b, const struct timespec *ts )
{
	struct timespec now;
	struct tm tm;
	char t[40];
	time_t sec;
	int n;

	if ( !ts ) {
		clock_gettime( CLOCK_REALTIME, &now );
		ts = &now;
	}
	/* four digits of year, as wardenctl reads them (and tm_year + 1900
	 * would overflow an int for the largest years gmtime_r gives) */
	sec = ts->tv_sec;
	if ( ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L ||
		!gmtime_r( &sec, &tm ) || tm.tm_year < -1900 ||
		tm.tm_year > 9999 - 1900 ) {
		misuse( b );
		return -1;
	}
	n = snprintf( t, sizeof( t ), "\"%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ\"",
		tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		tm.tm_min, tm.tm_sec, (long)( ts->tv_nsec / 1000 ) );
	if ( n < 0 || (size_t)n >= sizeof( t ) ) {
		misuse( b );
		return -1;
	}
	if ( before_value( b ) ) return -1;
	return warden_buf_add( b, t, n );
}

int
warden_json_raw( warden_buf *b, const char *json, size_t len )
{
	if ( before_value( b ) ) return -1;
	return warden_buf_add( b, json, len );
}

/* --- bounded values ------------------------------------------------------ */

int
warden_json_bounded( warden_buf *b, const char *s, size_t len, size_t max,
	int binary )
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	char hex[65];
	size_t head, i;

	if ( len <= max ) {
		if ( binary && !warden_utf8_valid( s, len ) ) {
			warden_json_begin_object( b );
			warden_json_key( b, "base64" );
			warden_json_base64( b, s, len );
			return warden_json_end_object( b );
		}
		return warden_json_str( b, s, len );
	}
	if ( !EVP_Digest( s, len, md, &mdlen, EVP_sha256(), NULL ) ||
		mdlen != sizeof( md ) ) {
		b->wb_failed = 1;
		return -1;
	}
	for ( i = 0; i < sizeof( md ); i++ )
		snprintf( hex + 2 * i, 3, "%02x", md[i] );
	warden_json_begin_object( b );
	warden_json_key( b, "truncated" );
	warden_json_bool( b, 1 );
	warden_json_key( b, "len" );
	warden_json_uint( b, len );
	warden_json_key( b, "sha256" );
	warden_json_cstr( b, hex );
	/* the first bytes, cut at a character, when they are text */
	head = len < WARDEN_JSON_HEAD ? len : WARDEN_JSON_HEAD;
	while ( head > 0 && head < len && ( (unsigned char)s[head] & 0xc0 ) == 0x80 )
		head--;
	if ( head && warden_utf8_valid( s, head ) ) {
		warden_json_key( b, "head" );
		warden_json_str( b, s, head );
	}
	return warden_json_end_object( b );
}
