/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* One-time codes (overlay/lib/totpcalc.c): the RFC 6238 and RFC 4226 test
 * vectors, the window, drift, replay refusal, and splitting a bind
 * credential. */

#include <stdio.h>
#include <string.h>

#include "totpcalc.h"
#include "suites.h"

static char msg[512];

/* RFC 6238 Appendix B: the seed of each HMAC is its ASCII digits repeated
 * to the HMAC's output size. */
static const char seed1[] = "12345678901234567890";
static const char seed256[] = "12345678901234567890123456789012";
static const char seed512[] =
	"1234567890123456789012345678901234567890123456789012345678901234";

static const struct {
	time_t		t;
	const char	*sha1, *sha256, *sha512;
} rfc6238[] = {
	{ 59,		"94287082", "46119246", "90693936" },
	{ 1111111109,	"07081804", "68084774", "25091201" },
	{ 1111111111,	"14050471", "67062674", "99943326" },
	{ 1234567890,	"89005924", "91819424", "93441116" },
	{ 2000000000,	"69279037", "90698825", "38618901" },
	{ 20000000000,	"65353130", "77737706", "47863826" },
};

/* RFC 4226 Appendix D: HOTP of seed1 at counters 0 .. 9 */
static const char *rfc4226[] = {
	"755224", "287082", "359152", "969429", "338314",
	"254676", "287922", "162583", "399871", "520489",
};

#define T0	((time_t)1700000000)	/* step 56666666 at 30 s */

static const unsigned char *
u( const char *s )
{
	return (const unsigned char *)s;
}

static warden_totp_params
tp_make( warden_otp_alg alg, unsigned digits, unsigned window )
{
	warden_totp_params tp;

	memset( &tp, 0, sizeof( tp ) );
	tp.tp_alg = alg;
	tp.tp_digits = digits;
	tp.tp_period = 30;
	tp.tp_window = window;
	tp.tp_max_drift = 10;
	return tp;
}

/* The code of seed1 at a step, 6 digits, SHA-1. */
static void
code_at( int64_t step, char *out )
{
	ck_assert_int_eq( warden_otp_generate( WARDEN_OTP_SHA1, 6, u( seed1 ), 20,
		step, out, msg, sizeof( msg ) ), 0 );
}

static int
verify( const warden_totp_params *tp, const char *code, time_t now,
	int64_t last, int64_t drift, int64_t *step, int64_t *nd )
{
	return warden_totp_verify( tp, u( seed1 ), 20, code, strlen( code ), now,
		last, drift, step, nd, msg, sizeof( msg ) );
}

START_TEST( rfc6238_generate )
{
	const struct { warden_otp_alg alg; const char *seed; } a[] = {
		{ WARDEN_OTP_SHA1, seed1 }, { WARDEN_OTP_SHA256, seed256 },
		{ WARDEN_OTP_SHA512, seed512 } };
	warden_totp_params tp = tp_make( WARDEN_OTP_SHA1, 8, 0 );
	char out[9];
	const char *want;
	size_t i, j;

	for ( i = 0; i < sizeof( rfc6238 ) / sizeof( rfc6238[0] ); i++ ) {
		for ( j = 0; j < 3; j++ ) {
			want = j == 0 ? rfc6238[i].sha1 :
				j == 1 ? rfc6238[i].sha256 : rfc6238[i].sha512;
			ck_assert_int_eq( warden_otp_generate( a[j].alg, 8,
				u( a[j].seed ), strlen( a[j].seed ),
				warden_totp_step( &tp, rfc6238[i].t ), out,
				msg, sizeof( msg ) ), 0 );
			ck_assert_str_eq( out, want );
		}
	}
}
END_TEST

START_TEST( rfc6238_verify )
{
	const struct { warden_otp_alg alg; const char *seed; } a[] = {
		{ WARDEN_OTP_SHA1, seed1 }, { WARDEN_OTP_SHA256, seed256 },
		{ WARDEN_OTP_SHA512, seed512 } };
	warden_totp_params tp;
	int64_t step, nd;
	const char *code;
	size_t i, j;

	for ( i = 0; i < sizeof( rfc6238 ) / sizeof( rfc6238[0] ); i++ ) {
		for ( j = 0; j < 3; j++ ) {
			tp = tp_make( a[j].alg, 8, 1 );
			code = j == 0 ? rfc6238[i].sha1 :
				j == 1 ? rfc6238[i].sha256 : rfc6238[i].sha512;
			step = nd = -99;
			ck_assert_int_eq( warden_totp_verify( &tp, u( a[j].seed ),
				strlen( a[j].seed ), code, 8, rfc6238[i].t,
				WARDEN_OTP_NONE, 0, &step, &nd, msg, sizeof( msg ) ), 0 );
			ck_assert_int_eq( step, rfc6238[i].t / 30 );
			ck_assert_int_eq( nd, 0 );
			/* the same code with another HMAC is wrong */
			tp.tp_alg = a[( j + 1 ) % 3].alg;
			ck_assert_int_eq( warden_totp_verify( &tp, u( a[j].seed ),
				strlen( a[j].seed ), code, 8, rfc6238[i].t,
				WARDEN_OTP_NONE, 0, &step, &nd, msg, sizeof( msg ) ),
				WARDEN_OTP_MISMATCH );
		}
	}
}
END_TEST

START_TEST( rfc4226_hotp )
{
	warden_hotp_params hp = { WARDEN_OTP_SHA1, 6, 0 };
	int64_t counter;
	char out[7];
	int i;

	for ( i = 0; i < 10; i++ ) {
		ck_assert_int_eq( warden_otp_generate( WARDEN_OTP_SHA1, 6, u( seed1 ),
			20, i, out, msg, sizeof( msg ) ), 0 );
		ck_assert_str_eq( out, rfc4226[i] );
		/* the next code after counter i - 1 */
		counter = -99;
		ck_assert_int_eq( warden_hotp_verify( &hp, u( seed1 ), 20,
			rfc4226[i], 6, i - 1, &counter, msg, sizeof( msg ) ), 0 );
		ck_assert_int_eq( counter, i );
		/* and never again */
		ck_assert_int_eq( warden_hotp_verify( &hp, u( seed1 ), 20,
			rfc4226[i], 6, i, &counter, msg, sizeof( msg ) ),
			WARDEN_OTP_MISMATCH );
	}
}
END_TEST

START_TEST( hotp_lookahead )
{
	warden_hotp_params hp = { WARDEN_OTP_SHA1, 6, 2 };
	int64_t counter = -99;

	/* counter 3 of a new token: 0 .. 2 are tried with look-ahead 2 */
	ck_assert_int_eq( warden_hotp_verify( &hp, u( seed1 ), 20, rfc4226[3], 6,
		WARDEN_OTP_NONE, &counter, msg, sizeof( msg ) ), WARDEN_OTP_MISMATCH );
	hp.hp_lookahead = 3;
	ck_assert_int_eq( warden_hotp_verify( &hp, u( seed1 ), 20, rfc4226[3], 6,
		WARDEN_OTP_NONE, &counter, msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( counter, 3 );
	/* from counter 3, 4 .. 7 are tried: 9 is too far, 7 is not */
	ck_assert_int_eq( warden_hotp_verify( &hp, u( seed1 ), 20, rfc4226[9], 6,
		3, &counter, msg, sizeof( msg ) ), WARDEN_OTP_MISMATCH );
	ck_assert_int_eq( warden_hotp_verify( &hp, u( seed1 ), 20, rfc4226[7], 6,
		3, &counter, msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( counter, 7 );
	/* an earlier code is never accepted again */
	ck_assert_int_eq( warden_hotp_verify( &hp, u( seed1 ), 20, rfc4226[5], 6,
		7, &counter, msg, sizeof( msg ) ), WARDEN_OTP_MISMATCH );
	/* out of range */
	hp.hp_lookahead = WARDEN_HOTP_LOOKAHEAD_MAX + 1;
	ck_assert_int_eq( warden_hotp_verify( &hp, u( seed1 ), 20, rfc4226[0], 6,
		WARDEN_OTP_NONE, &counter, msg, sizeof( msg ) ), -1 );
	hp.hp_lookahead = 5;
	ck_assert_int_eq( warden_hotp_verify( &hp, u( seed1 ), 20, rfc4226[0], 6,
		INT64_MAX - 3, &counter, msg, sizeof( msg ) ), -1 );
	ck_assert_int_eq( warden_hotp_verify( &hp, u( seed1 ), 20, rfc4226[0], 6,
		-2, &counter, msg, sizeof( msg ) ), -1 );
}
END_TEST

START_TEST( window )
{
	warden_totp_params tp = tp_make( WARDEN_OTP_SHA1, 6, 1 );
	int64_t now = T0 / 30, step, nd;
	char c[7];
	int i;

	/* one step each side, nothing further */
	for ( i = -3; i <= 3; i++ ) {
		code_at( now + i, c );
		step = -99;
		ck_assert_int_eq( verify( &tp, c, T0, WARDEN_OTP_NONE, 0, &step, &nd ),
			i >= -1 && i <= 1 ? 0 : WARDEN_OTP_MISMATCH );
		if ( i >= -1 && i <= 1 ) {
			ck_assert_int_eq( step, now + i );
			ck_assert_int_eq( nd, i );
		}
	}
	/* window 0: this step only */
	tp.tp_window = 0;
	code_at( now + 1, c );
	ck_assert_int_eq( verify( &tp, c, T0, WARDEN_OTP_NONE, 0, &step, &nd ),
		WARDEN_OTP_MISMATCH );
	code_at( now, c );
	ck_assert_int_eq( verify( &tp, c, T0, WARDEN_OTP_NONE, 0, &step, &nd ), 0 );
	/* window 3 reaches 3 steps; the edge of a step counts */
	tp.tp_window = 3;
	code_at( now - 3, c );
	ck_assert_int_eq( verify( &tp, c, T0 - T0 % 30, WARDEN_OTP_NONE, 0,
		&step, &nd ), 0 );
	ck_assert_int_eq( verify( &tp, c, T0 - T0 % 30 + 29, WARDEN_OTP_NONE, 0,
		&step, &nd ), 0 );
	ck_assert_int_eq( verify( &tp, c, T0 - T0 % 30 + 30, WARDEN_OTP_NONE, 0,
		&step, &nd ), WARDEN_OTP_MISMATCH );
	/* a 60 s period */
	tp.tp_period = 60;
	tp.tp_window = 0;
	code_at( T0 / 60, c );
	ck_assert_int_eq( verify( &tp, c, T0, WARDEN_OTP_NONE, 0, &step, &nd ), 0 );
	ck_assert_int_eq( step, T0 / 60 );
}
END_TEST

START_TEST( drift )
{
	warden_totp_params tp = tp_make( WARDEN_OTP_SHA1, 6, 1 );
	int64_t now = T0 / 30, step, nd;
	char c[7];

	/* a token 5 steps ahead is found once the drift says so */
	code_at( now + 5, c );
	ck_assert_int_eq( verify( &tp, c, T0, WARDEN_OTP_NONE, 0, &step, &nd ),
		WARDEN_OTP_MISMATCH );
	ck_assert_int_eq( verify( &tp, c, T0, WARDEN_OTP_NONE, 4, &step, &nd ), 0 );
	ck_assert_int_eq( step, now + 5 );
	ck_assert_int_eq( nd, 5 );
	/* the window is centred on now + drift: now itself is out of it */
	code_at( now, c );
	ck_assert_int_eq( verify( &tp, c, T0, WARDEN_OTP_NONE, 5, &step, &nd ),
		WARDEN_OTP_MISMATCH );
	/* a token behind */
	code_at( now - 7, c );
	ck_assert_int_eq( verify( &tp, c, T0, WARDEN_OTP_NONE, -6, &step, &nd ), 0 );
	ck_assert_int_eq( nd, -7 );
	/* a stored drift beyond the cap counts as the cap */
	code_at( now + 10, c );
	ck_assert_int_eq( verify( &tp, c, T0, WARDEN_OTP_NONE, 1000, &step, &nd ), 0 );
	ck_assert_int_eq( nd, 10 );
	code_at( now + 12, c );
	ck_assert_int_eq( verify( &tp, c, T0, WARDEN_OTP_NONE, 1000, &step, &nd ),
		WARDEN_OTP_MISMATCH );
	/* with drift tracking off the drift is ignored and reported as 0 */
	tp.tp_max_drift = 0;
	code_at( now + 5, c );
	ck_assert_int_eq( verify( &tp, c, T0, WARDEN_OTP_NONE, 5, &step, &nd ),
		WARDEN_OTP_MISMATCH );
	code_at( now + 1, c );
	ck_assert_int_eq( verify( &tp, c, T0, WARDEN_OTP_NONE, 5, &step, &nd ), 0 );
	ck_assert_int_eq( nd, 0 );
	/* new_drift may be NULL */
	ck_assert_int_eq( verify( &tp, c, T0, WARDEN_OTP_NONE, 0, &step, NULL ), 0 );
}
END_TEST

START_TEST( replay )
{
	warden_totp_params tp = tp_make( WARDEN_OTP_SHA1, 6, 1 );
	int64_t now = T0 / 30, step, nd;
	char c[7];

	code_at( now, c );
	ck_assert_int_eq( verify( &tp, c, T0, now - 1, 0, &step, &nd ), 0 );
	ck_assert_int_eq( step, now );
	/* the step used: the same code is a replay, also later in the window */
	ck_assert_int_eq( verify( &tp, c, T0, now, 0, &step, &nd ),
		WARDEN_OTP_REPLAYED );
	ck_assert_int_eq( verify( &tp, c, T0 + 30, now, 0, &step, &nd ),
		WARDEN_OTP_REPLAYED );
	/* an older code after a newer one was used */
	code_at( now - 1, c );
	ck_assert_int_eq( verify( &tp, c, T0, now, 0, &step, &nd ),
		WARDEN_OTP_REPLAYED );
	/* the next step is still good */
	code_at( now + 1, c );
	ck_assert_int_eq( verify( &tp, c, T0, now, 0, &step, &nd ), 0 );
	ck_assert_int_eq( step, now + 1 );
	/* a wrong code is a mismatch, not a replay */
	ck_assert_int_eq( verify( &tp, "000000", T0, now, 0, &step, &nd ),
		WARDEN_OTP_MISMATCH );
}
END_TEST

/* Two steps of one window with the same code (found by search: one pair in
 * about a million steps): the nearest to the centre wins, the earlier on a
 * tie, and a used one leaves the other. */
START_TEST( nearest_wins )
{
	const int64_t gap2 = 57017782, adj = 57766335;	/* seed1, SHA-1, 6 digits */
	warden_totp_params tp = tp_make( WARDEN_OTP_SHA1, 6, 1 );
	int64_t step, nd;
	char a[7], b[7];

	code_at( gap2, a );
	code_at( gap2 + 2, b );
	ck_assert_str_eq( a, b );
	/* centre gap2 + 1: gap2 and gap2 + 2 are both one step off */
	ck_assert_int_eq( verify( &tp, a, ( gap2 + 1 ) * 30, WARDEN_OTP_NONE, 0,
		&step, &nd ), 0 );
	ck_assert_int_eq( step, gap2 );
	ck_assert_int_eq( nd, -1 );
	ck_assert_int_eq( verify( &tp, a, ( gap2 + 1 ) * 30, gap2, 0, &step, &nd ), 0 );
	ck_assert_int_eq( step, gap2 + 2 );
	ck_assert_int_eq( nd, 1 );

	code_at( adj, a );
	code_at( adj + 1, b );
	ck_assert_str_eq( a, b );
	ck_assert_int_eq( verify( &tp, a, ( adj + 1 ) * 30, WARDEN_OTP_NONE, 0,
		&step, &nd ), 0 );
	ck_assert_int_eq( step, adj + 1 );
	ck_assert_int_eq( verify( &tp, a, adj * 30, WARDEN_OTP_NONE, 0, &step, &nd ), 0 );
	ck_assert_int_eq( step, adj );
	ck_assert_int_eq( verify( &tp, a, adj * 30, adj, 0, &step, &nd ), 0 );
	ck_assert_int_eq( step, adj + 1 );
	ck_assert_int_eq( verify( &tp, a, adj * 30, adj + 1, 0, &step, &nd ),
		WARDEN_OTP_REPLAYED );
}
END_TEST

START_TEST( bad_input )
{
	warden_totp_params tp = tp_make( WARDEN_OTP_SHA1, 6, 1 );
	int64_t now = T0 / 30, step, nd;
	char c[7], out[9];

	code_at( now, c );
	/* not of the code's shape */
	ck_assert_int_eq( warden_totp_verify( &tp, u( seed1 ), 20, c, 5, T0,
		WARDEN_OTP_NONE, 0, &step, &nd, msg, sizeof( msg ) ), WARDEN_OTP_MISMATCH );
	ck_assert_int_eq( verify( &tp, "12345a", T0, WARDEN_OTP_NONE, 0, &step, &nd ),
		WARDEN_OTP_MISMATCH );
	ck_assert_int_eq( verify( &tp, "1234567", T0, WARDEN_OTP_NONE, 0, &step, &nd ),
		WARDEN_OTP_MISMATCH );
	/* parameters out of range */
	tp.tp_digits = 5;
	ck_assert_int_eq( verify( &tp, "12345", T0, WARDEN_OTP_NONE, 0, &step, &nd ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "5 digits" ) );
	tp.tp_digits = 9;
	ck_assert_int_eq( verify( &tp, c, T0, WARDEN_OTP_NONE, 0, &step, &nd ), -1 );
	tp = tp_make( WARDEN_OTP_SHA1, 6, WARDEN_TOTP_WINDOW_MAX + 1 );
	ck_assert_int_eq( verify( &tp, c, T0, WARDEN_OTP_NONE, 0, &step, &nd ), -1 );
	tp = tp_make( WARDEN_OTP_SHA1, 6, 1 );
	tp.tp_period = 0;
	ck_assert_int_eq( verify( &tp, c, T0, WARDEN_OTP_NONE, 0, &step, &nd ), -1 );
	tp.tp_period = WARDEN_TOTP_PERIOD_MAX + 1;
	ck_assert_int_eq( verify( &tp, c, T0, WARDEN_OTP_NONE, 0, &step, &nd ), -1 );
	tp = tp_make( WARDEN_OTP_SHA1, 6, 1 );
	tp.tp_max_drift = WARDEN_TOTP_DRIFT_MAX + 1;
	ck_assert_int_eq( verify( &tp, c, T0, WARDEN_OTP_NONE, 0, &step, &nd ), -1 );
	tp = tp_make( (warden_otp_alg)7, 6, 1 );
	ck_assert_int_eq( verify( &tp, c, T0, WARDEN_OTP_NONE, 0, &step, &nd ), -1 );
	/* no secret, no time */
	tp = tp_make( WARDEN_OTP_SHA1, 6, 1 );
	ck_assert_int_eq( warden_totp_verify( &tp, u( seed1 ), 0, c, 6, T0,
		WARDEN_OTP_NONE, 0, &step, &nd, msg, sizeof( msg ) ), -1 );
	ck_assert_int_eq( verify( &tp, c, -1, WARDEN_OTP_NONE, 0, &step, &nd ), -1 );
	ck_assert_int_eq( warden_otp_generate( WARDEN_OTP_SHA1, 6, u( seed1 ), 20,
		-1, out, msg, sizeof( msg ) ), -1 );
	/* the step of a time */
	ck_assert_int_eq( warden_totp_step( &tp, 59 ), 1 );
	ck_assert_int_eq( warden_totp_step( &tp, 60 ), 2 );
	ck_assert_int_eq( warden_totp_step( &tp, -1 ), WARDEN_OTP_NONE );
	/* near the epoch, steps before 0 have no code and are skipped */
	code_at( 0, c );
	ck_assert_int_eq( verify( &tp, c, 10, WARDEN_OTP_NONE, -1, &step, &nd ), 0 );
	ck_assert_int_eq( step, 0 );
}
END_TEST

START_TEST( alg_oids )
{
	warden_otp_alg alg = (warden_otp_alg)-1;

#define OID( s ) s, sizeof( s ) - 1
	ck_assert_int_eq( warden_otp_alg_from_oid( OID( "1.2.840.113549.2.7" ), &alg,
		msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( alg, WARDEN_OTP_SHA1 );
	ck_assert_int_eq( warden_otp_alg_from_oid( OID( "1.2.840.113549.2.9" ), &alg,
		msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( alg, WARDEN_OTP_SHA256 );
	ck_assert_int_eq( warden_otp_alg_from_oid( OID( "1.2.840.113549.2.11" ), &alg,
		msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( alg, WARDEN_OTP_SHA512 );
	ck_assert_int_eq( warden_otp_alg_from_oid( OID( "1.2.840.113549.2.10" ), &alg,
		msg, sizeof( msg ) ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "SHA-384" ) );
	ck_assert_int_eq( warden_otp_alg_from_oid( OID( "1.2.840.113549.2.8" ), &alg,
		msg, sizeof( msg ) ), -1 );
	ck_assert_int_eq( warden_otp_alg_from_oid( OID( "1.2.840.113549.2.1" ), &alg,
		msg, sizeof( msg ) ), -1 );
	/* a prefix of a known OID is not that OID */
	ck_assert_int_eq( warden_otp_alg_from_oid( "1.2.840.113549.2.11", 18, &alg,
		msg, sizeof( msg ) ), -1 );
#undef OID
}
END_TEST

START_TEST( split )
{
	static const char cred[] = "hunter2\0x123456";
	const char *code = NULL;
	size_t pwlen = 99;

	ck_assert_int_eq( warden_otp_split( "secret123456", 12, 6, &pwlen, &code ), 0 );
	ck_assert_uint_eq( pwlen, 6 );
	ck_assert_int_eq( memcmp( code, "123456", 6 ), 0 );
	/* the password may itself end in digits, or hold a NUL */
	ck_assert_int_eq( warden_otp_split( "pin0000123456", 13, 6, &pwlen, &code ), 0 );
	ck_assert_uint_eq( pwlen, 7 );
	ck_assert_int_eq( warden_otp_split( cred, sizeof( cred ) - 1, 6, &pwlen, &code ), 0 );
	ck_assert_uint_eq( pwlen, 9 );
	/* 8 digits */
	ck_assert_int_eq( warden_otp_split( "pw12345678", 10, 8, &pwlen, &code ), 0 );
	ck_assert_uint_eq( pwlen, 2 );
	/* one character of password is enough */
	ck_assert_int_eq( warden_otp_split( "x123456", 7, 6, &pwlen, &code ), 0 );
	ck_assert_uint_eq( pwlen, 1 );
	/* no password: the code alone, or less */
	ck_assert_int_eq( warden_otp_split( "123456", 6, 6, &pwlen, &code ),
		WARDEN_SPLIT_SHORT );
	ck_assert_int_eq( warden_otp_split( "12345", 5, 6, &pwlen, &code ),
		WARDEN_SPLIT_SHORT );
	ck_assert_int_eq( warden_otp_split( "", 0, 6, &pwlen, &code ),
		WARDEN_SPLIT_SHORT );
	/* not digits, wherever the other character is */
	ck_assert_int_eq( warden_otp_split( "secret12345a", 12, 6, &pwlen, &code ),
		WARDEN_SPLIT_NOT_DIGITS );
	ck_assert_int_eq( warden_otp_split( "secretx23456", 12, 6, &pwlen, &code ),
		WARDEN_SPLIT_NOT_DIGITS );
	ck_assert_int_eq( warden_otp_split( "secret12 456", 12, 6, &pwlen, &code ),
		WARDEN_SPLIT_NOT_DIGITS );
	ck_assert_int_eq( warden_otp_split( "secret\xd9\xa1\xd9\xa2\xd9\xa3", 12, 6,
		&pwlen, &code ), WARDEN_SPLIT_NOT_DIGITS );
	/* a password alone, typed without code */
	ck_assert_int_eq( warden_otp_split( "correct horse", 13, 6, &pwlen, &code ),
		WARDEN_SPLIT_NOT_DIGITS );
	/* digits out of range */
	ck_assert_int_eq( warden_otp_split( "secret123456", 12, 5, &pwlen, &code ), -1 );
	ck_assert_int_eq( warden_otp_split( "secret123456789", 15, 9, &pwlen, &code ), -1 );
	/* untouched on refusal */
	ck_assert_uint_eq( pwlen, 1 );
}
END_TEST

Suite *
totp_suite( void )
{
	Suite *s = suite_create( "totp" );
	TCase *tc = tcase_create( "vectors" );

	tcase_add_test( tc, rfc6238_generate );
	tcase_add_test( tc, rfc6238_verify );
	tcase_add_test( tc, rfc4226_hotp );
	suite_add_tcase( s, tc );
	tc = tcase_create( "verify" );
	tcase_add_test( tc, hotp_lookahead );
	tcase_add_test( tc, window );
	tcase_add_test( tc, drift );
	tcase_add_test( tc, replay );
	tcase_add_test( tc, nearest_wins );
	tcase_add_test( tc, bad_input );
	tcase_add_test( tc, alg_oids );
	tcase_add_test( tc, split );
	suite_add_tcase( s, tc );
	return s;
}
