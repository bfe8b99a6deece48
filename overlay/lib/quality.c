/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* quality.c - password quality rules, as pure functions */

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "quality.h"

long
warden_utf8_length( const char *s, size_t len )
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	long n = 0;

	while ( p < end ) {
		unsigned c = *p, cp, need, i;

		if ( c == 0 ) return -1;
		if ( c < 0x80 ) {
			p++;
			n++;
			continue;
		}
		if ( c >= 0xc2 && c <= 0xdf ) { need = 1; cp = c & 0x1f; }
		else if ( c >= 0xe0 && c <= 0xef ) { need = 2; cp = c & 0x0f; }
		else if ( c >= 0xf0 && c <= 0xf4 ) { need = 3; cp = c & 0x07; }
		else return -1;
		if ( (size_t)( end - p ) <= need ) return -1;
		for ( i = 1; i <= need; i++ ) {
			if ( ( p[i] & 0xc0 ) != 0x80 ) return -1;
			cp = cp << 6 | ( p[i] & 0x3f );
		}
		/* overlong forms, surrogates, beyond Unicode */
		if ( ( need == 2 && cp < 0x800 ) || ( need == 3 && cp < 0x10000 ) ||
			( cp >= 0xd800 && cp <= 0xdfff ) || cp > 0x10ffff )
			return -1;
		p += need + 1;
		n++;
	}
	return n;
}

static int
q_lower( int c )
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* The longest run of one byte value (a multi-byte character repeated is
 * a run of its bytes' pattern, which is rare enough to ignore). */
static unsigned
q_longest_repeat( const unsigned char *p, size_t len )
{
	unsigned best = len ? 1 : 0, run = 1;
	size_t i;

	for ( i = 1; i < len; i++ ) {
		run = p[i] == p[i-1] ? run + 1 : 1;
		if ( run > best ) best = run;
	}
	return best;
}

static const char *const q_rows[] = {
	"abcdefghijklmnopqrstuvwxyz", "0123456789",
	"qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890", NULL
};

/* Position of c in a row, or -1. */
static int
q_row_pos( const char *row, int c )
{
	const char *s = strchr( row, c );

	return c && s ? (int)( s - row ) : -1;
}

/* The longest run of neighbours, forwards or backwards, in any row. */
static unsigned
q_longest_sequence( const unsigned char *p, size_t len )
{
	unsigned best = len ? 1 : 0;
	int r;

	for ( r = 0; q_rows[r]; r++ ) {
		unsigned up = 1, down = 1;
		size_t i;

		for ( i = 1; i < len; i++ ) {
			int a = q_row_pos( q_rows[r], q_lower( p[i-1] ) );
			int b = q_row_pos( q_rows[r], q_lower( p[i] ) );

			up = ( a >= 0 && b == a + 1 ) ? up + 1 : 1;
			down = ( a >= 0 && b >= 0 && b == a - 1 ) ? down + 1 : 1;
			if ( up > best ) best = up;
			if ( down > best ) best = down;
		}
	}
	return best;
}

/* Whether hay contains needle (ASCII case-insensitively), forwards or
 * reversed. */
static int
q_contains( const char *hay, size_t hlen, const char *needle )
{
	size_t nlen = strlen( needle ), i, j;
	int fwd, rev;

	if ( nlen < 3 || nlen > hlen ) return 0;
	for ( i = 0; i + nlen <= hlen; i++ ) {
		fwd = rev = 1;
		for ( j = 0; j < nlen && ( fwd || rev ); j++ ) {
			int h = q_lower( (unsigned char)hay[i + j] );

			if ( h != q_lower( (unsigned char)needle[j] ) ) fwd = 0;
			if ( h != q_lower( (unsigned char)needle[nlen - 1 - j] ) ) rev = 0;
		}
		if ( fwd || rev ) return 1;
	}
	return 0;
}

warden_quality_result
warden_quality_check( const warden_quality_policy *qp, const char *pw,
	size_t len, const char *const *personal, char *msg, size_t msglen )
{
	const unsigned char *p = (const unsigned char *)pw;
	unsigned lower = 0, upper = 0, digit = 0, other = 0, classes;
	long chars = warden_utf8_length( pw, len );
	size_t i;

	if ( chars < 0 ) {
		snprintf( msg, msglen, "the password is not valid UTF-8 text; "
			"choose one your client sends as UTF-8" );
		return WARDEN_Q_BAD_UTF8;
	}
	if ( (unsigned long)chars < qp->qp_min_length ) {
		snprintf( msg, msglen, "the password must contain at least %u "
			"characters", qp->qp_min_length );
		return WARDEN_Q_TOO_SHORT;
	}
	if ( qp->qp_max_length && (unsigned long)chars > qp->qp_max_length ) {
		snprintf( msg, msglen, "the password must contain at most %u "
			"characters", qp->qp_max_length );
		return WARDEN_Q_TOO_LONG;
	}
	for ( i = 0; i < len; i++ ) {
		if ( p[i] >= 'a' && p[i] <= 'z' ) lower++;
		else if ( p[i] >= 'A' && p[i] <= 'Z' ) upper++;
		else if ( p[i] >= '0' && p[i] <= '9' ) digit++;
		else if ( p[i] < 0x80 || ( p[i] & 0xc0 ) != 0x80 ) other++;
	}
	classes = !!lower + !!upper + !!digit + !!other;
	if ( classes < qp->qp_min_classes ) {
		snprintf( msg, msglen, "the password must mix at least %u of: "
			"lower-case letters, upper-case letters, digits, other "
			"characters", qp->qp_min_classes );
		return WARDEN_Q_CLASSES;
	}
#define Q_MIN( n, want, what ) \
	if ( (n) < (want) ) { \
		snprintf( msg, msglen, "the password must contain at least %u " \
			what, (want) ); \
		return WARDEN_Q_CLASSES; \
	}
	Q_MIN( lower, qp->qp_min_lower, "lower-case letters" )
	Q_MIN( upper, qp->qp_min_upper, "upper-case letters" )
	Q_MIN( digit, qp->qp_min_digit, "digits" )
	Q_MIN( other, qp->qp_min_other, "characters other than letters and digits" )
#undef Q_MIN
	if ( qp->qp_max_repeat && q_longest_repeat( p, len ) > qp->qp_max_repeat ) {
		snprintf( msg, msglen, "the password must not repeat a character "
			"more than %u times in a row", qp->qp_max_repeat );
		return WARDEN_Q_REPEAT;
	}
	if ( qp->qp_max_sequence &&
		q_longest_sequence( p, len ) > qp->qp_max_sequence ) {
		snprintf( msg, msglen, "the password must not contain a sequence "
			"(like abcd, 4321 or qwer) longer than %u characters",
			qp->qp_max_sequence );
		return WARDEN_Q_SEQUENCE;
	}
	for ( i = 0; personal && personal[i]; i++ ) {
		if ( q_contains( pw, len, personal[i] ) ) {
			snprintf( msg, msglen, "the password contains your user "
				"name or a part of your name; choose one unrelated "
				"to you" );
			return WARDEN_Q_PERSONAL;
		}
	}
	return WARDEN_Q_OK;
}

/* The bytes a password's word lies between: ASCII digits and symbols at
 * either end are dropped (a trailing "2024!" or a leading "1-" hides
 * nothing). */
static void
q_core( const unsigned char *p, size_t len, size_t *start, size_t *end )
{
#define Q_EDGE( c ) ( (c) < 0x80 && !( ( (c) | 0x20 ) >= 'a' && ( (c) | 0x20 ) <= 'z' ) )
	*start = 0;
	*end = len;
	while ( *start < *end && Q_EDGE( p[*start] ) ) (*start)++;
	while ( *end > *start && Q_EDGE( p[*end - 1] ) ) (*end)--;
#undef Q_EDGE
}

/* The core of pw (q_core()), folded to lower case, with look-alikes read
 * as the letters they stand for; 1 and l read as i only with l_is_i (the
 * banned list's form: quality.h says why the dictionary's differs). */
static size_t
q_fold( const char *pw, size_t len, char *out, int l_is_i )
{
	const unsigned char *p = (const unsigned char *)pw;
	size_t start, end, n = 0, i;

	q_core( p, len, &start, &end );
	for ( i = start; i < end; i++ ) {
		int c = q_lower( p[i] );

		switch ( c ) {
		case '@': case '4': c = 'a'; break;
		case '0': c = 'o'; break;
		case '!': c = 'i'; break;
		case '1': case 'l': if ( l_is_i ) c = 'i'; break;
		case '3': c = 'e'; break;
		case '$': case '5': c = 's'; break;
		case '7': c = 't'; break;
		}
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return n;
}

size_t
warden_quality_normalize( const char *pw, size_t len, char *out )
{
	return q_fold( pw, len, out, 1 );
}

size_t
warden_quality_unmask( const char *pw, size_t len, char *out )
{
	return q_fold( pw, len, out, 0 );
}

int
warden_hash_rank( const char *value, size_t len )
{
	static const struct { const char *scheme; int rank; } ranks[] = {
		{ "{CLEARTEXT}", 0 },
		{ "{MD5}", 1 }, { "{SHA}", 1 }, { "{SHA256}", 1 },
		{ "{SHA384}", 1 }, { "{SHA512}", 1 },
		{ "{SMD5}", 2 }, { "{SSHA}", 2 }, { "{SSHA256}", 2 },
		{ "{SSHA384}", 2 }, { "{SSHA512}", 2 },
		{ "{PBKDF2}", 3 }, { "{PBKDF2-SHA1}", 3 }, { "{PBKDF2-SHA256}", 3 },
		{ "{PBKDF2-SHA512}", 3 }, { "{BCRYPT}", 3 },
		{ "{ARGON2}", 4 },
		{ NULL, 0 }
	};
	const char *end;
	size_t n;
	int i;

	if ( !len || value[0] != '{' ) return 0;	/* stored in clear */
	end = memchr( value, '}', len );
	if ( !end ) return 0;
	n = end - value + 1;
	if ( n == 7 && !strncasecmp( value, "{CRYPT}", 7 ) ) {
		/* crypt(3): DES and MD5-crypt are weak, the modern ones slow */
		/* memchr, not strchr: strchr finds a NUL at value[8] too */
		if ( len > 10 && value[7] == '$' && memchr( "256y", value[8], 4 ) &&
			( value[9] == '$' || value[9] == 'b' || value[9] == 'a' ) )
			return 3;
		return 1;
	}
	for ( i = 0; ranks[i].scheme; i++ ) {
		if ( strlen( ranks[i].scheme ) == n &&
			!strncasecmp( value, ranks[i].scheme, n ) )
			return ranks[i].rank;
	}
	return -1;
}

/* Characters of generated passwords: no look-alikes (l 1 I O 0) and no
 * characters shells or LDIF treat specially. */
static const char *const q_gen_sets[4] = {
	"abcdefghijkmnpqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ",
	"23456789", "!#%+-.=?@_"
};

/* A uniform choice in [0, n) from the random source. */
static int
q_gen_pick( warden_random_fn *rnd, unsigned n, unsigned *out )
{
	unsigned char b;

	do {
		if ( rnd( &b, 1 ) ) return -1;
	} while ( b >= 256 - 256 % n );
	*out = b % n;
	return 0;
}

size_t
warden_quality_generate( const warden_quality_policy *qp,
	warden_random_fn *rnd, char *out, size_t outlen )
{
	unsigned want[4], need = 0, len, i, k, j, tries;
	char msg[256];

	len = qp->qp_min_length > WARDEN_GEN_LENGTH ?
		qp->qp_min_length : WARDEN_GEN_LENGTH;
	if ( qp->qp_max_length && len > qp->qp_max_length )
		len = qp->qp_max_length;
	want[0] = qp->qp_min_lower ? qp->qp_min_lower : 1;
	want[1] = qp->qp_min_upper ? qp->qp_min_upper : 1;
	want[2] = qp->qp_min_digit ? qp->qp_min_digit : 1;
	want[3] = qp->qp_min_other ? qp->qp_min_other : 1;
	for ( i = 0; i < 4; i++ ) need += want[i];
	if ( need > len ) len = need;
	if ( len + 1 > outlen || len < 1 ) return 0;

	for ( tries = 0; tries < 100; tries++ ) {
		k = 0;
		/* the required characters of each class, then any class */
		for ( i = 0; i < 4; i++ ) {
			for ( j = 0; j < want[i]; j++ ) {
				unsigned c;

				if ( q_gen_pick( rnd, strlen( q_gen_sets[i] ), &c ) )
					return 0;
				out[k++] = q_gen_sets[i][c];
			}
		}
		while ( k < len ) {
			unsigned set, c;

			if ( q_gen_pick( rnd, 4, &set ) ||
				q_gen_pick( rnd, strlen( q_gen_sets[set] ), &c ) )
				return 0;
			out[k++] = q_gen_sets[set][c];
		}
		/* shuffle (Fisher-Yates) so the classes are not in order */
		for ( i = len - 1; i > 0; i-- ) {
			unsigned r;
			char t;

			if ( q_gen_pick( rnd, i + 1, &r ) ) return 0;
			t = out[i]; out[i] = out[r]; out[r] = t;
		}
		out[len] = '\0';
		if ( warden_quality_check( qp, out, len, NULL, msg,
				sizeof( msg ) ) == WARDEN_Q_OK )
			return len;
	}
	return 0;
}
