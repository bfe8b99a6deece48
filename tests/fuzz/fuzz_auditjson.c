/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* fuzz_auditjson.c - the audit trail's JSON writer (overlay/lib/auditjson.h)
 * driven by the input as a little program of builder calls; what comes out
 * must be read back by a strict parser (jansson: RFC 8259, UTF-8 checked)
 * with every string and base64 value as written, one line, no raw line
 * break, and times in the form wardenctl reads. */

#include <stdint.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "auditjson.h"
#include "fuzz.h"

/* The value text of one call on a fresh buffer, parsed. */
static json_t *
parse( const warden_buf *b )
{
	json_error_t err;
	json_t *j;

	FUZZ_ASSERT( !memchr( b->wb_data, '\n', b->wb_len ) &&
		!memchr( b->wb_data, '\r', b->wb_len ) );
	FUZZ_ASSERT( strlen( b->wb_data ) == b->wb_len );
	j = json_loadb( b->wb_data, b->wb_len,
		JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, &err );
	if ( !j ) {
		fprintf( stderr, "jansson: %s at %d: %.*s\n", err.text, err.position,
			(int)( b->wb_len > 400 ? 400 : b->wb_len ), b->wb_data );
		abort();
	}
	return j;
}

static void
check_str( const char *s, size_t len )
{
	warden_buf b;
	json_t *j;

	warden_buf_init( &b );
	FUZZ_ASSERT( !warden_json_str( &b, s, len ) );
	j = parse( &b );
	FUZZ_ASSERT( json_is_string( j ) );
	if ( warden_utf8_valid( s, len ) ) {
		/* valid UTF-8 comes back byte for byte, NULs included */
		FUZZ_ASSERT( json_string_length( j ) == len &&
			!memcmp( json_string_value( j ), s, len ) );
	}
	json_decref( j );
	warden_buf_free( &b );
}

static void
check_base64( const char *s, size_t len )
{
	warden_buf b;
	json_t *j;
	unsigned char *out;
	size_t n;
	int got;

	warden_buf_init( &b );
	FUZZ_ASSERT( !warden_json_base64( &b, s, len ) );
	j = parse( &b );
	FUZZ_ASSERT( json_is_string( j ) );
	n = json_string_length( j );
	FUZZ_ASSERT( n == ( len + 2 ) / 3 * 4 );
	out = malloc( n / 4 * 3 + 1 );
	if ( !out ) abort();
	got = EVP_DecodeBlock( out, (const unsigned char *)json_string_value( j ),
		(int)n );
	FUZZ_ASSERT( got >= 0 );
	/* DecodeBlock keeps the padding's zero bytes */
	FUZZ_ASSERT( (size_t)got >= len && !memcmp( out, s, len ) );
	free( out );
	json_decref( j );
	warden_buf_free( &b );
}

static void
check_time( int64_t sec, long nsec )
{
	struct timespec ts;
	struct tm tm;
	warden_buf b;
	json_t *j;
	const char *t;
	int y, mo, d, h, mi, s, n = 0;
	long us;

	ts.tv_sec = (time_t)sec;
	ts.tv_nsec = nsec;
	warden_buf_init( &b );
	if ( warden_json_time( &b, &ts ) ) {
		FUZZ_ASSERT( warden_buf_failed( &b ) );
		warden_buf_free( &b );
		return;
	}
	j = parse( &b );
	FUZZ_ASSERT( json_is_string( j ) );
	t = json_string_value( j );
	/* exactly YYYY-MM-DDTHH:MM:SS.uuuuuuZ, which reads back as the time */
	FUZZ_ASSERT( strlen( t ) == 27 );
	FUZZ_ASSERT( sscanf( t, "%4d-%2d-%2dT%2d:%2d:%2d.%6ldZ%n", &y, &mo, &d,
		&h, &mi, &s, &us, &n ) == 7 && n == 27 );
	memset( &tm, 0, sizeof( tm ) );
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	FUZZ_ASSERT( timegm( &tm ) == ts.tv_sec );
	FUZZ_ASSERT( us == ts.tv_nsec / 1000 );
	json_decref( j );
	warden_buf_free( &b );
}

static void
check_bounded( const char *s, size_t len, size_t max, int binary )
{
	warden_buf b;
	json_t *j;

	warden_buf_init( &b );
	FUZZ_ASSERT( !warden_json_bounded( &b, s, len, max, binary ) );
	j = parse( &b );
	if ( len > max ) {
		json_t *h = json_object_get( j, "head" );

		FUZZ_ASSERT( json_is_object( j ) );
		FUZZ_ASSERT( json_is_true( json_object_get( j, "truncated" ) ) );
		FUZZ_ASSERT( json_number_value( json_object_get( j, "len" ) ) == (double)len );
		FUZZ_ASSERT( json_string_length( json_object_get( j, "sha256" ) ) == 64 );
		if ( h ) FUZZ_ASSERT( json_string_length( h ) <= WARDEN_JSON_HEAD &&
			!memcmp( json_string_value( h ), s, json_string_length( h ) ) );
	} else if ( binary && !warden_utf8_valid( s, len ) ) {
		FUZZ_ASSERT( json_is_object( j ) && json_object_get( j, "base64" ) );
	} else {
		FUZZ_ASSERT( json_is_string( j ) );
	}
	json_decref( j );
	warden_buf_free( &b );
}

/* The program: op bytes, each with its operand. */
static void
run_program( fuzz_in *in )
{
	warden_buf b;
	const uint8_t *p;
	size_t n;
	char *s;
	int ops = 0, complete = 0;

	warden_buf_init( &b );
	while ( in->n && ops++ < 200 ) {
		unsigned op = fuzz_byte( in );

		switch ( op % 14 ) {
		case 0: warden_json_begin_object( &b ); break;
		case 1: warden_json_begin_array( &b ); break;
		case 2: warden_json_end_object( &b ); break;
		case 3: warden_json_end_array( &b ); break;
		case 4:
			n = fuzz_piece( in, 0xff, &p );
			s = fuzz_dup( p, n );
			warden_json_key( &b, s );
			free( s );
			break;
		case 5:
			n = fuzz_piece( in, 0xff, &p );
			warden_json_str( &b, (const char *)p, n );
			break;
		case 6:
			n = fuzz_piece( in, 0xff, &p );
			warden_json_base64( &b, p, n );
			break;
		case 7: warden_json_int( &b, (long long)fuzz_u64( in ) ); break;
		case 8: warden_json_uint( &b, fuzz_u64( in ) ); break;
		case 9: warden_json_bool( &b, fuzz_byte( in ) & 1 ); break;
		case 10: warden_json_null( &b ); break;
		case 11: {
			struct timespec ts;

			ts.tv_sec = (time_t)( fuzz_u64( in ) % 400000000000ULL );
			ts.tv_nsec = (long)( fuzz_u64( in ) % 1000000000ULL );
			warden_json_time( &b, &ts );
			break;
		}
		case 12: {
			unsigned max = fuzz_byte( in );

			n = fuzz_piece( in, 0xff, &p );
			warden_json_bounded( &b, (const char *)p, n, max, op & 0x80 );
			break;
		}
		default:
			n = fuzz_piece( in, 0xff, &p );
			s = fuzz_dup( p, n );
			warden_json_cstr( &b, ( op & 0x80 ) ? NULL : s );
			free( s );
		}
		if ( !warden_buf_failed( &b ) && b.wb_len && b.wb_depth == 0 &&
			!b.wb_keyed ) {
			complete = 1;
			break;
		}
	}
	if ( complete ) json_decref( parse( &b ) );
	warden_buf_free( &b );
}

int
LLVMFuzzerTestOneInput( const uint8_t *data, size_t size )
{
	fuzz_in in = { data, size };
	unsigned sel = fuzz_byte( &in );
	char *s;

	switch ( sel % 5 ) {
	case 0:
		run_program( &in );
		break;
	case 1:
		s = fuzz_dup( in.p, in.n );
		check_str( s, in.n );
		free( s );
		break;
	case 2:
		s = fuzz_dup( in.p, in.n );
		check_base64( s, in.n );
		free( s );
		break;
	case 3: {
		int64_t sec = (int64_t)fuzz_u64( &in );
		long nsec = (long)(int64_t)fuzz_u64( &in );

		/* mostly real times, sometimes anything at all */
		if ( !( sel & 0x80 ) ) {
			sec %= 253402300800LL;	/* before the year 10000 */
			if ( sec < 0 ) sec = -sec;
			nsec %= 1000000000L;
			if ( nsec < 0 ) nsec = -nsec;
		}
		check_time( sec, nsec );
		break;
	}
	default: {
		size_t max = fuzz_byte( &in ) * 4;

		s = fuzz_dup( in.p, in.n );
		check_bounded( s, in.n, max, sel & 0x80 );
		free( s );
	}
	}
	return 0;
}
