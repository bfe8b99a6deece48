/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* totpcalc.c - one-time codes through liboath */

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <liboath/oath.h>
#include <openssl/crypto.h>

#include "totpcalc.h"

/* A window of 2 * WARDEN_TOTP_WINDOW_MAX + 1 steps, or an HOTP look-ahead,
 * is at most this many candidates. */
#define OTP_CAND_MAX	( WARDEN_HOTP_LOOKAHEAD_MAX + 1 )

static pthread_once_t otp_once = PTHREAD_ONCE_INIT;
static int otp_init_rc = OATH_OK;

/* liboath asks for oath_init() before anything else.  It is never undone
 * with oath_done(): another module in slapd may be using liboath too. */
static void
otp_init( void )
{
	otp_init_rc = oath_init();
}

static int
otp_flags( warden_otp_alg alg )
{
	switch ( alg ) {
	case WARDEN_OTP_SHA1:	return 0;
	case WARDEN_OTP_SHA256:	return OATH_TOTP_HMAC_SHA256;
	case WARDEN_OTP_SHA512:	return OATH_TOTP_HMAC_SHA512;
	}
	return -1;
}

static int
otp_check_common( warden_otp_alg alg, unsigned digits, size_t secretlen,
	char *msg, size_t len )
{
	if ( otp_flags( alg ) < 0 ) {
		snprintf( msg, len, "unknown HMAC algorithm %d", (int)alg );
		return -1;
	}
	if ( digits < WARDEN_OTP_DIGITS_MIN || digits > WARDEN_OTP_DIGITS_MAX ) {
		snprintf( msg, len, "a code of %u digits is not supported (%d to %d)",
			digits, WARDEN_OTP_DIGITS_MIN, WARDEN_OTP_DIGITS_MAX );
		return -1;
	}
	if ( secretlen == 0 ) {
		snprintf( msg, len, "the token has an empty secret" );
		return -1;
	}
	pthread_once( &otp_once, otp_init );
	if ( otp_init_rc != OATH_OK ) {
		snprintf( msg, len, "liboath: %s", oath_strerror( otp_init_rc ) );
		return -1;
	}
	return 0;
}

/* The code of one factor, once the parameters are known to be good. */
static int
otp_gen( int flags, unsigned digits, const unsigned char *secret,
	size_t secretlen, int64_t factor, char *out, char *msg, size_t len )
{
	int rc;

	/* HOTP(K, C) with any of the HMACs: liboath's TOTP with a step of one
	 * second from 0 is exactly that, and its HOTP entry point knows only
	 * SHA-1. */
	rc = oath_totp_generate2( (const char *)secret, secretlen,
		(time_t)factor, 1, 0, digits, flags, out );
	if ( rc != OATH_OK ) {
		OPENSSL_cleanse( out, digits + 1 );
		snprintf( msg, len, "liboath: %s", oath_strerror( rc ) );
		return -1;
	}
	return 0;
}

/* Whether code is exactly digits ASCII digits.  Not secret (the code's
 * shape is not what a guess is about), but it costs nothing to look at
 * every character. */
static int
otp_code_shape( const char *code, size_t codelen, unsigned digits )
{
	unsigned bad = 0;
	size_t i;

	if ( codelen != digits ) return 0;
	for ( i = 0; i < codelen; i++ )
		bad |= (unsigned)( (unsigned char)code[i] - '0' ) > 9;
	return !bad;
}

/* Computes and compares every candidate cand[0 .. n), usable or not, so
 * that the time taken does not depend on where (or whether) the code
 * matched.  Candidates are given best first; *best is the index of the
 * first usable match, *used_match says whether an unusable one matched. */
static int
otp_scan( int flags, unsigned digits, const unsigned char *secret,
	size_t secretlen, const char *code, const int64_t *cand,
	const int *usable, int n, int *best, int *used_match,
	char *msg, size_t len )
{
	char buf[WARDEN_OTP_DIGITS_MAX + 1];
	int i, eq, rc = 0;

	*best = -1;
	*used_match = 0;
	for ( i = 0; i < n; i++ ) {
		if ( cand[i] < 0 ) continue;	/* before the epoch: no code */
		if ( otp_gen( flags, digits, secret, secretlen, cand[i], buf,
				msg, len ) ) {
			rc = -1;
			break;
		}
		eq = CRYPTO_memcmp( buf, code, digits ) == 0;
		if ( eq && usable[i] && *best < 0 ) *best = i;
		if ( eq && !usable[i] ) *used_match = 1;
	}
	OPENSSL_cleanse( buf, sizeof( buf ) );
	return rc;
}

int
warden_otp_alg_from_oid( const char *oid, size_t oidlen,
	warden_otp_alg *alg, char *msg, size_t len )
{
	static const struct {
		const char	*oid;
		int		alg;	/* -1: named by oath-ldap, not computed */
		const char	*name;
	} map[] = {
		{ "1.2.840.113549.2.7", WARDEN_OTP_SHA1, "SHA-1" },
		{ "1.2.840.113549.2.8", -1, "SHA-224" },
		{ "1.2.840.113549.2.9", WARDEN_OTP_SHA256, "SHA-256" },
		{ "1.2.840.113549.2.10", -1, "SHA-384" },
		{ "1.2.840.113549.2.11", WARDEN_OTP_SHA512, "SHA-512" },
	};
	size_t i;

	for ( i = 0; i < sizeof( map ) / sizeof( map[0] ); i++ ) {
		if ( strlen( map[i].oid ) != oidlen ||
			memcmp( map[i].oid, oid, oidlen ) ) continue;
		if ( map[i].alg < 0 ) {
			snprintf( msg, len, "oathHMACAlgorithm %s (HMAC-%s) is not "
				"supported; use SHA-1, SHA-256 or SHA-512",
				map[i].oid, map[i].name );
			return -1;
		}
		*alg = (warden_otp_alg)map[i].alg;
		return 0;
	}
	snprintf( msg, len, "oathHMACAlgorithm \"%.*s\" is not an HMAC OID "
		"warden knows (1.2.840.113549.2.7, .9 or .11)",
		(int)( oidlen > 40 ? 40 : oidlen ), oid );
	return -1;
}

int64_t
warden_totp_step( const warden_totp_params *tp, time_t now )
{
	if ( now < 0 || tp->tp_period == 0 ) return WARDEN_OTP_NONE;
	return (int64_t)now / tp->tp_period;
}

int
warden_otp_generate( warden_otp_alg alg, unsigned digits,
	const unsigned char *secret, size_t secretlen, int64_t factor,
	char *out, char *msg, size_t len )
{
	if ( otp_check_common( alg, digits, secretlen, msg, len ) ) return -1;
	if ( factor < 0 ) {
		snprintf( msg, len, "invalid moving factor %lld", (long long)factor );
		return -1;
	}
	return otp_gen( otp_flags( alg ), digits, secret, secretlen, factor,
		out, msg, len );
}

int
warden_totp_verify( const warden_totp_params *tp,
	const unsigned char *secret, size_t secretlen,
	const char *code, size_t codelen, time_t now,
	int64_t last_step, int64_t drift,
	int64_t *step, int64_t *new_drift, char *msg, size_t len )
{
	int64_t cand[2 * WARDEN_TOTP_WINDOW_MAX + 1], now_step, centre, d;
	int usable[2 * WARDEN_TOTP_WINDOW_MAX + 1];
	int i, n, best, used_match;

	if ( otp_check_common( tp->tp_alg, tp->tp_digits, secretlen, msg, len ) )
		return -1;
	if ( tp->tp_period == 0 || tp->tp_period > WARDEN_TOTP_PERIOD_MAX ||
		tp->tp_window > WARDEN_TOTP_WINDOW_MAX ||
		tp->tp_max_drift > WARDEN_TOTP_DRIFT_MAX ) {
		snprintf( msg, len, "TOTP parameters out of range (period %u s, "
			"window %u, max drift %u)", tp->tp_period, tp->tp_window,
			tp->tp_max_drift );
		return -1;
	}
	now_step = warden_totp_step( tp, now );
	/* far enough from INT64_MAX that centre + window cannot overflow */
	if ( now_step < 0 || now_step > INT64_MAX / 2 ) {
		snprintf( msg, len, "invalid time %lld", (long long)now );
		return -1;
	}
	if ( !otp_code_shape( code, codelen, tp->tp_digits ) )
		return WARDEN_OTP_MISMATCH;

	d = drift;
	if ( d > (int64_t)tp->tp_max_drift ) d = tp->tp_max_drift;
	if ( d < -(int64_t)tp->tp_max_drift ) d = -(int64_t)tp->tp_max_drift;
	centre = now_step + d;

	/* centre, centre - 1, centre + 1, centre - 2, ...: nearest first */
	n = 0;
	cand[n++] = centre;
	for ( i = 1; i <= (int)tp->tp_window; i++ ) {
		cand[n++] = centre - i;
		cand[n++] = centre + i;
	}
	for ( i = 0; i < n; i++ )
		usable[i] = last_step == WARDEN_OTP_NONE || cand[i] > last_step;

	if ( otp_scan( otp_flags( tp->tp_alg ), tp->tp_digits, secret, secretlen,
			code, cand, usable, n, &best, &used_match, msg, len ) )
		return -1;
	if ( best < 0 ) return used_match ? WARDEN_OTP_REPLAYED : WARDEN_OTP_MISMATCH;
	*step = cand[best];
	if ( new_drift ) *new_drift = tp->tp_max_drift ? cand[best] - now_step : 0;
	return 0;
}

int
warden_hotp_verify( const warden_hotp_params *hp,
	const unsigned char *secret, size_t secretlen,
	const char *code, size_t codelen, int64_t last,
	int64_t *counter, char *msg, size_t len )
{
	int64_t cand[OTP_CAND_MAX], first;
	int usable[OTP_CAND_MAX];
	int i, n, best, used_match;

	if ( otp_check_common( hp->hp_alg, hp->hp_digits, secretlen, msg, len ) )
		return -1;
	if ( hp->hp_lookahead > WARDEN_HOTP_LOOKAHEAD_MAX ) {
		snprintf( msg, len, "HOTP look-ahead %u is above %d",
			hp->hp_lookahead, WARDEN_HOTP_LOOKAHEAD_MAX );
		return -1;
	}
	if ( last < WARDEN_OTP_NONE ||
		last > INT64_MAX - 1 - (int64_t)hp->hp_lookahead ) {
		snprintf( msg, len, "invalid HOTP counter %lld", (long long)last );
		return -1;
	}
	if ( !otp_code_shape( code, codelen, hp->hp_digits ) )
		return WARDEN_OTP_MISMATCH;

	first = last + 1;	/* WARDEN_OTP_NONE + 1 is 0 */
	n = (int)hp->hp_lookahead + 1;
	for ( i = 0; i < n; i++ ) {
		cand[i] = first + i;
		usable[i] = 1;
	}
	if ( otp_scan( otp_flags( hp->hp_alg ), hp->hp_digits, secret, secretlen,
			code, cand, usable, n, &best, &used_match, msg, len ) )
		return -1;
	if ( best < 0 ) return WARDEN_OTP_MISMATCH;
	*counter = cand[best];
	return 0;
}

int
warden_otp_split( const char *cred, size_t credlen, unsigned digits,
	size_t *pwlen, const char **code )
{
	const char *c;
	unsigned bad = 0, i;

	if ( digits < WARDEN_OTP_DIGITS_MIN || digits > WARDEN_OTP_DIGITS_MAX )
		return -1;
	if ( credlen <= digits ) return WARDEN_SPLIT_SHORT;
	c = cred + credlen - digits;
	for ( i = 0; i < digits; i++ )
		bad |= (unsigned)( (unsigned char)c[i] - '0' ) > 9;
	if ( bad ) return WARDEN_SPLIT_NOT_DIGITS;
	*pwlen = credlen - digits;
	*code = c;
	return 0;
}
