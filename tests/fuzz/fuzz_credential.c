/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* fuzz_credential.c - a bind's credential taken apart: the password and
 * its one-time code (warden_otp_split), or its recovery code
 * (warden_recovery_split), the quality rules and their normal forms, and
 * the strength rank of a stored hash (warden_hash_rank) */

#include <ctype.h>

#include "fuzz.h"
#include "quality.h"
#include "recovery.h"
#include "totpcalc.h"

static void
check_otp_split( const char *cred, size_t len, unsigned digits )
{
	size_t pwlen = (size_t)-1, i;
	const char *code = NULL;
	int rc = warden_otp_split( cred, len, digits, &pwlen, &code );

	if ( digits < WARDEN_OTP_DIGITS_MIN || digits > WARDEN_OTP_DIGITS_MAX ) {
		FUZZ_ASSERT( rc == -1 );
		return;
	}
	if ( rc == 0 ) {
		/* at least one character of password, the code all digits */
		FUZZ_ASSERT( pwlen >= 1 && pwlen + digits == len );
		FUZZ_ASSERT( code == cred + pwlen );
		for ( i = 0; i < digits; i++ )
			FUZZ_ASSERT( code[i] >= '0' && code[i] <= '9' );
	} else if ( rc == WARDEN_SPLIT_SHORT ) {
		FUZZ_ASSERT( len <= digits );
	} else {
		FUZZ_ASSERT( rc == WARDEN_SPLIT_NOT_DIGITS && len > digits );
		for ( i = len - digits; i < len; i++ )
			if ( cred[i] < '0' || cred[i] > '9' ) break;
		FUZZ_ASSERT( i < len );
	}
}

static void
check_recovery_split( const char *cred, size_t len )
{
	size_t pwlen = (size_t)-1;
	const char *code = NULL;

	if ( warden_recovery_split( cred, len, &pwlen, &code ) ) return;
	FUZZ_ASSERT( pwlen >= 1 && pwlen + WARDEN_RECOVERY_CODE_LEN == len );
	FUZZ_ASSERT( code == cred + pwlen && code[5] == '-' );
}

static void
check_rank( const char *v, size_t len )
{
	int rank = warden_hash_rank( v, len );

	FUZZ_ASSERT( rank >= -1 && rank <= 4 );
	if ( rank == 0 ) FUZZ_ASSERT( !len || v[0] != '{' || !memchr( v, '}', len ) ||
		( len >= 11 && !strncasecmp( v, "{CLEARTEXT}", 11 ) ) );
	/* a modern crypt(3) hash: "{CRYPT}$" and an id of 2, 5, 6 or y */
	if ( rank == 3 && len >= 7 && !strncasecmp( v, "{CRYPT}", 7 ) ) {
		FUZZ_ASSERT( len > 10 && v[7] == '$' );
		FUZZ_ASSERT( v[8] == '2' || v[8] == '5' || v[8] == '6' || v[8] == 'y' );
	}
}

static void
check_forms( const char *pw, size_t len )
{
	char *a = malloc( len + 1 ), *b = malloc( len + 1 );
	size_t n, m;
	long chars;

	if ( !a || !b ) abort();
	n = warden_quality_normalize( pw, len, a );
	FUZZ_ASSERT( n <= len && a[n] == '\0' );
	m = warden_quality_unmask( pw, len, b );
	FUZZ_ASSERT( m <= len && b[m] == '\0' );
	chars = warden_utf8_length( pw, len );
	FUZZ_ASSERT( chars >= -1 && chars <= (long)len );
	if ( chars >= 0 ) FUZZ_ASSERT( !memchr( pw, '\0', len ) );
	free( a );
	free( b );
}

static void
check_quality( fuzz_in *in, const char *pw, size_t len )
{
	warden_quality_policy qp;
	const char *personal[4] = { "carol", "Carol Smith", "smith", NULL };
	char msg[256];
	warden_quality_result r;
	long chars = warden_utf8_length( pw, len );

	qp.qp_min_length = fuzz_byte( in ) % 40;
	qp.qp_max_length = fuzz_byte( in ) % 80;
	qp.qp_min_classes = fuzz_byte( in ) % 6;
	qp.qp_min_lower = fuzz_byte( in ) % 4;
	qp.qp_min_upper = fuzz_byte( in ) % 4;
	qp.qp_min_digit = fuzz_byte( in ) % 4;
	qp.qp_min_other = fuzz_byte( in ) % 4;
	qp.qp_max_repeat = fuzz_byte( in ) % 6;
	qp.qp_max_sequence = fuzz_byte( in ) % 7;
	msg[0] = '\0';
	r = warden_quality_check( &qp, pw, len, personal, msg, sizeof( msg ) );
	FUZZ_ASSERT( r >= WARDEN_Q_OK && r <= WARDEN_Q_PERSONAL );
	FUZZ_ASSERT( memchr( msg, '\0', sizeof( msg ) ) );
	if ( chars < 0 ) FUZZ_ASSERT( r == WARDEN_Q_BAD_UTF8 );
	if ( r == WARDEN_Q_OK ) {
		FUZZ_ASSERT( chars >= (long)qp.qp_min_length );
		FUZZ_ASSERT( !qp.qp_max_length || chars <= (long)qp.qp_max_length );
	}
}

int
LLVMFuzzerTestOneInput( const uint8_t *data, size_t size )
{
	fuzz_in in = { data, size };
	unsigned digits = fuzz_byte( &in ) % 12;
	char *cred;

	/* the credential: the rest, NULs and all, in a buffer of its size */
	cred = fuzz_dup( in.p, in.n );
	check_otp_split( cred, in.n, digits );
	check_recovery_split( cred, in.n );
	check_rank( cred, in.n );
	check_forms( cred, in.n );
	free( cred );
	if ( size > 9 ) {
		/* the policy from the last 9 bytes, the password before them */
		size_t len = size - 9;
		fuzz_in q = { data + len, 9 };

		cred = fuzz_dup( data, len );
		check_quality( &q, cred, len );
		free( cred );
	}
	return 0;
}
