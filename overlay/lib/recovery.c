/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* recovery.c - one-time recovery codes, hashed with PBKDF2 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "recovery.h"
#include "hex.h"

#define RC_CHARS	10	/* characters of a code, without the dash */
#define RC_GROUP	5	/* the dash comes after this many */
#define RC_SALT_LEN	16
#define RC_HASH_LEN	32
#define RC_PREFIX_LEN	( sizeof( WARDEN_RECOVERY_PREFIX ) - 1 )
#define RC_NSTORED_MAX	32

/* 32 characters, so that 5 random bits pick one without bias; 0, 1, l and
 * o are left out because they are read as each other. */
static const char rc_alphabet[] = "23456789abcdefghijkmnpqrstuvwxyz";

typedef struct rc_parsed {
	int		index;
	unsigned	iter;
	unsigned char	salt[RC_SALT_LEN];
	unsigned char	hash[RC_HASH_LEN];
} rc_parsed;

static int
rc_in_alphabet( int c )
{
	return c && strchr( rc_alphabet, c ) != NULL;
}

static int
rc_lower( int c )
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* The ten characters of a typed code, folded to lower case, into out
 * (RC_CHARS bytes).  Returns 0, or -1 when it is not of a code's shape. */
static int
rc_normalize( const char *code, size_t len, char *out )
{
	size_t i, o = 0;
	int c;

	if ( len != RC_CHARS && len != RC_CHARS + 1 ) return -1;
	for ( i = 0; i < len; i++ ) {
		c = (unsigned char)code[i];
		if ( len == RC_CHARS + 1 && i == RC_GROUP ) {
			if ( c != '-' ) return -1;
			continue;
		}
		c = rc_lower( c );
		if ( !rc_in_alphabet( c ) ) return -1;
		out[o++] = (char)c;
	}
	return 0;
}


/* A decimal number of 1 .. maxdigits digits at *p up to the next '$'. */
static int
rc_number( const char **p, const char *end, int maxdigits, unsigned long *v )
{
	const char *s = *p;

	*v = 0;
	while ( *p < end && **p >= '0' && **p <= '9' && *p - s < maxdigits )
		*v = *v * 10 + (unsigned long)( *(*p)++ - '0' );
	if ( *p == s || *p == end || **p != '$' ) return -1;
	if ( *s == '0' && *p - s > 1 ) return -1;	/* one text per value */
	(*p)++;
	return 0;
}

static int
rc_parse( const char *val, size_t vallen, rc_parsed *rp )
{
	const char *p = val, *end = val + vallen;
	unsigned long v;

	if ( vallen < RC_PREFIX_LEN ||
		memcmp( val, WARDEN_RECOVERY_PREFIX, RC_PREFIX_LEN ) )
		return -1;
	p += RC_PREFIX_LEN;
	if ( rc_number( &p, end, 2, &v ) || v >= RC_NSTORED_MAX ) return -1;
	rp->index = (int)v;
	if ( rc_number( &p, end, 8, &v ) || v < WARDEN_RECOVERY_ITER_MIN ||
		v > WARDEN_RECOVERY_ITER_MAX )
		return -1;
	rp->iter = (unsigned)v;
	if ( end - p != 2 * RC_SALT_LEN + 1 + 2 * RC_HASH_LEN ||
		p[2 * RC_SALT_LEN] != '$' ||
		warden_hex_decode( p, RC_SALT_LEN, rp->salt ) ||
		warden_hex_decode( p + 2 * RC_SALT_LEN + 1, RC_HASH_LEN, rp->hash ) )
		return -1;
	return 0;
}

static uint64_t
rc_set_id( const unsigned char *salt )
{
	uint64_t id = 0;
	int i;

	for ( i = 7; i >= 0; i-- ) id = id << 8 | salt[i];
	return id;
}

static int
rc_derive( const char *norm, const unsigned char *salt, unsigned iter,
	unsigned char *out )
{
	return PKCS5_PBKDF2_HMAC( norm, RC_CHARS, salt, RC_SALT_LEN, (int)iter,
		EVP_sha256(), RC_HASH_LEN, out ) == 1 ? 0 : -1;
}

int
warden_recovery_generate( unsigned iterations, warden_recovery_set *set,
	char *msg, size_t len )
{
	unsigned char salt[RC_SALT_LEN], rnd[RC_CHARS], hash[RC_HASH_LEN];
	char norm[RC_CHARS], *c;
	int i, j, k, rc = -1;

	memset( set, 0, sizeof( *set ) );
	if ( iterations < WARDEN_RECOVERY_ITER_MIN ||
		iterations > WARDEN_RECOVERY_ITER_MAX ) {
		snprintf( msg, len, "%u PBKDF2 iterations is out of range (%d to %d)",
			iterations, WARDEN_RECOVERY_ITER_MIN, WARDEN_RECOVERY_ITER_MAX );
		return -1;
	}
	if ( RAND_bytes( salt, sizeof( salt ) ) != 1 ) {
		snprintf( msg, len, "OpenSSL's RAND_bytes failed" );
		goto done;
	}
	set->rs_id = rc_set_id( salt );
	for ( i = 0; i < WARDEN_RECOVERY_COUNT; i++ ) {
		c = set->rs_code[i];
		if ( RAND_bytes( rnd, sizeof( rnd ) ) != 1 ) {
			snprintf( msg, len, "OpenSSL's RAND_bytes failed" );
			goto done;
		}
		for ( j = k = 0; j < RC_CHARS; j++ ) {
			if ( j == RC_GROUP ) c[k++] = '-';
			norm[j] = rc_alphabet[rnd[j] & 31];
			c[k++] = norm[j];
		}
		c[k] = '\0';
		/* one chance in 2^50 per pair; a set must not hold a code twice,
		 * or one use would leave the same code usable again */
		for ( j = 0; j < i; j++ ) {
			if ( !strcmp( set->rs_code[j], c ) ) break;
		}
		if ( j < i ) {
			i--;
			continue;
		}
		if ( rc_derive( norm, salt, iterations, hash ) ) {
			snprintf( msg, len, "OpenSSL's PBKDF2 failed" );
			goto done;
		}
		k = snprintf( set->rs_stored[i], sizeof( set->rs_stored[i] ),
			"%s%d$%u$", WARDEN_RECOVERY_PREFIX, i, iterations );
		warden_hex_encode( salt, RC_SALT_LEN, set->rs_stored[i] + k );
		k += 2 * RC_SALT_LEN;
		set->rs_stored[i][k++] = '$';
		warden_hex_encode( hash, RC_HASH_LEN, set->rs_stored[i] + k );
		k += 2 * RC_HASH_LEN;
		set->rs_stored[i][k] = '\0';
	}
	rc = 0;

done:
	OPENSSL_cleanse( rnd, sizeof( rnd ) );
	OPENSSL_cleanse( norm, sizeof( norm ) );
	OPENSSL_cleanse( hash, sizeof( hash ) );
	if ( rc ) warden_recovery_wipe( set );
	return rc;
}

void
warden_recovery_wipe( warden_recovery_set *set )
{
	OPENSSL_cleanse( set, sizeof( *set ) );
}

int
warden_recovery_verify( const char *code, size_t codelen,
	const char *const *stored, const size_t *storedlen, int nstored,
	int *index, uint64_t *set_id, char *msg, size_t len )
{
	rc_parsed rp[RC_NSTORED_MAX];
	unsigned char derived[RC_NSTORED_MAX][RC_HASH_LEN];
	char norm[RC_CHARS];
	int i, j, found = -1, rc = -1;

	if ( nstored < 0 || nstored > RC_NSTORED_MAX ) {
		snprintf( msg, len, "%d stored recovery codes (at most %d)",
			nstored, RC_NSTORED_MAX );
		return -1;
	}
	if ( rc_normalize( code, codelen, norm ) ) return WARDEN_RECOVERY_NOMATCH;
	for ( i = 0; i < nstored; i++ ) {
		if ( rc_parse( stored[i], storedlen[i], &rp[i] ) ) {
			snprintf( msg, len, "stored recovery code %d is not of the "
				"%s format", i, WARDEN_RECOVERY_PREFIX );
			goto done;
		}
	}
	for ( i = 0; i < nstored; i++ ) {
		/* a set shares its salt: derive once per salt and count */
		for ( j = 0; j < i; j++ ) {
			if ( rp[j].iter == rp[i].iter &&
				!memcmp( rp[j].salt, rp[i].salt, RC_SALT_LEN ) ) break;
		}
		if ( j < i ) {
			memcpy( derived[i], derived[j], RC_HASH_LEN );
		} else if ( rc_derive( norm, rp[i].salt, rp[i].iter, derived[i] ) ) {
			snprintf( msg, len, "OpenSSL's PBKDF2 failed" );
			goto done;
		}
		if ( !CRYPTO_memcmp( derived[i], rp[i].hash, RC_HASH_LEN ) &&
			found < 0 )
			found = i;
	}
	if ( found < 0 ) {
		rc = WARDEN_RECOVERY_NOMATCH;
		goto done;
	}
	*index = rp[found].index;
	*set_id = rc_set_id( rp[found].salt );
	rc = 0;

done:
	OPENSSL_cleanse( norm, sizeof( norm ) );
	OPENSSL_cleanse( derived, sizeof( derived ) );
	return rc;
}

int
warden_recovery_split( const char *cred, size_t credlen,
	size_t *pwlen, const char **code )
{
	char norm[RC_CHARS];
	const char *c;
	int bad;

	if ( credlen <= WARDEN_RECOVERY_CODE_LEN ) return WARDEN_RECOVERY_NOMATCH;
	c = cred + credlen - WARDEN_RECOVERY_CODE_LEN;
	bad = rc_normalize( c, WARDEN_RECOVERY_CODE_LEN, norm );
	OPENSSL_cleanse( norm, sizeof( norm ) );
	if ( bad ) return WARDEN_RECOVERY_NOMATCH;
	*pwlen = credlen - WARDEN_RECOVERY_CODE_LEN;
	*code = c;
	return 0;
}
