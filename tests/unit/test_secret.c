/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* Secrets wrapped at rest (overlay/lib/secret.c): round trip, key rotation,
 * and every way an unwrap is refused. */

#include <stdio.h>
#include <string.h>

#include "secret.h"
#include "suites.h"

static char msg[512];
static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char seed[] = "12345678901234567890";	/* RFC 4226's */
static const char ctx1[] = "4f1c2a3b-4c5d-4e7f-8091-a2b3c4d5e6f7";
static const char ctx2[] = "11223344-5566-4788-99aa-bbccddeeff00";

static void
ring_add( warden_keyring *r, const char *id, unsigned char fill )
{
	warden_key *k = &r->wr_keys[r->wr_count++];

	snprintf( k->wk_id, sizeof( k->wk_id ), "%s", id );
	memset( k->wk_key, fill, sizeof( k->wk_key ) );
}

static size_t
wrap( const warden_keyring *r, const char *ctx, char *out, size_t outsize )
{
	size_t n = 0;

	ck_assert_int_eq( warden_secret_wrap( r, (const unsigned char *)seed,
		sizeof( seed ) - 1, ctx, strlen( ctx ), out, outsize, &n,
		msg, sizeof( msg ) ), WARDEN_SECRET_OK );
	return n;
}

static warden_secret_rc
unwrap( const warden_keyring *r, const char *val, size_t n, const char *ctx,
	unsigned char *s, size_t *slen )
{
	warden_secret_rc rc;

	memset( msg, 0, sizeof( msg ) );
	rc = warden_secret_unwrap( r, val, n, ctx, strlen( ctx ), s, slen,
		msg, sizeof( msg ) );
	/* whatever happened, the message tells no seed */
	ck_assert_ptr_null( strstr( msg, seed ) );
	ck_assert_ptr_null( strstr( msg, "1234567890" ) );
	return rc;
}

START_TEST( round_trip )
{
	warden_keyring r = { 0 };
	unsigned char s[WARDEN_SECRET_MAX];
	char a[256], b[256], id[WARDEN_KEY_ID_MAX + 1];
	size_t na, nb, slen;

	ring_add( &r, "k2024", 0x11 );
	na = wrap( &r, ctx1, a, sizeof( a ) );
	ck_assert_uint_eq( na, strlen( a ) );
	ck_assert_uint_eq( na, warden_secret_wrapped_len( 5, sizeof( seed ) - 1 ) );
	ck_assert_int_eq( strncmp( a, "{WARDEN1}k2024$", 15 ), 0 );
	ck_assert_int_eq( warden_secret_is_wrapped( a, na ), 1 );
	ck_assert_ptr_null( strstr( a, seed ) );
	ck_assert_int_eq( warden_secret_key_id( a, na, id, msg, sizeof( msg ) ), 0 );
	ck_assert_str_eq( id, "k2024" );

	ck_assert_int_eq( unwrap( &r, a, na, ctx1, s, &slen ), WARDEN_SECRET_OK );
	ck_assert_uint_eq( slen, sizeof( seed ) - 1 );
	ck_assert_int_eq( memcmp( s, seed, slen ), 0 );

	/* a fresh nonce each time: the same seed never wraps the same twice */
	nb = wrap( &r, ctx1, b, sizeof( b ) );
	ck_assert_uint_eq( na, nb );
	ck_assert_str_ne( a, b );
	ck_assert_int_eq( unwrap( &r, b, nb, ctx1, s, &slen ), WARDEN_SECRET_OK );

	/* binary seeds of every size up to the limit */
	for ( slen = 1; slen <= WARDEN_SECRET_MAX; slen += 9 ) {
		unsigned char in[WARDEN_SECRET_MAX];
		char w[512];
		size_t n, i, got;

		for ( i = 0; i < slen; i++ ) in[i] = (unsigned char)( i * 37 );
		ck_assert_int_eq( warden_secret_wrap( &r, in, slen, ctx1, 0, w,
			sizeof( w ), &n, msg, sizeof( msg ) ), 0 );
		ck_assert_uint_eq( n, warden_secret_wrapped_len( 5, slen ) );
		ck_assert_int_eq( warden_secret_unwrap( &r, w, n, ctx1, 0, s, &got,
			msg, sizeof( msg ) ), 0 );
		ck_assert_uint_eq( got, slen );
		ck_assert_int_eq( memcmp( s, in, slen ), 0 );
	}
}
END_TEST

START_TEST( rotation )
{
	warden_keyring old = { 0 }, cur = { 0 }, gone = { 0 };
	unsigned char s[WARDEN_SECRET_MAX];
	char a[256], b[256], id[WARDEN_KEY_ID_MAX + 1];
	size_t na, nb, slen;

	ring_add( &old, "k1", 0x11 );
	na = wrap( &old, ctx1, a, sizeof( a ) );
	/* a new first key: old values still unwrap, new ones use the new key */
	ring_add( &cur, "k2", 0x22 );
	ring_add( &cur, "k1", 0x11 );
	ck_assert_int_eq( unwrap( &cur, a, na, ctx1, s, &slen ), WARDEN_SECRET_OK );
	ck_assert_int_eq( memcmp( s, seed, slen ), 0 );
	nb = wrap( &cur, ctx1, b, sizeof( b ) );
	ck_assert_int_eq( warden_secret_key_id( b, nb, id, msg, sizeof( msg ) ), 0 );
	ck_assert_str_eq( id, "k2" );
	/* the old key removed: its values name the key they need */
	ring_add( &gone, "k2", 0x22 );
	ck_assert_int_eq( unwrap( &gone, b, nb, ctx1, s, &slen ), WARDEN_SECRET_OK );
	memset( s, 0xaa, sizeof( s ) );
	ck_assert_int_eq( unwrap( &gone, a, na, ctx1, s, &slen ), WARDEN_SECRET_NOKEY );
	ck_assert_ptr_nonnull( strstr( msg, "\"k1\"" ) );
	ck_assert_uint_eq( slen, 0 );
	/* no ring at all */
	ck_assert_int_eq( unwrap( NULL, a, na, ctx1, s, &slen ), WARDEN_SECRET_NOKEY );
	ck_assert_int_eq( warden_secret_wrap( NULL, (const unsigned char *)seed, 20,
		ctx1, 5, b, sizeof( b ), &nb, msg, sizeof( msg ) ), WARDEN_SECRET_NOKEY );
	ck_assert_int_eq( warden_secret_wrap( &( warden_keyring ){ 0 },
		(const unsigned char *)seed, 20, ctx1, 5, b, sizeof( b ), &nb,
		msg, sizeof( msg ) ), WARDEN_SECRET_NOKEY );
}
END_TEST

START_TEST( refusals )
{
	warden_keyring r = { 0 }, wrong = { 0 };
	unsigned char s[WARDEN_SECRET_MAX];
	char a[256], t[256];
	size_t na, slen, i, p;

	ring_add( &r, "k1", 0x11 );
	ring_add( &r, "k2", 0x22 );
	na = wrap( &r, ctx1, a, sizeof( a ) );

	/* the same id, another key */
	ring_add( &wrong, "k1", 0x12 );
	memset( s, 0xaa, sizeof( s ) );
	ck_assert_int_eq( unwrap( &wrong, a, na, ctx1, s, &slen ), WARDEN_SECRET_BADAUTH );
	ck_assert_ptr_nonnull( strstr( msg, "fails authentication" ) );
	/* nothing of a failed unwrap is left in the caller's buffer */
	for ( i = 0; i < sizeof( s ); i++ ) ck_assert_int_eq( s[i], 0 );

	/* moved to another entry */
	ck_assert_int_eq( unwrap( &r, a, na, ctx2, s, &slen ), WARDEN_SECRET_BADAUTH );
	ck_assert_int_eq( unwrap( &r, a, na, "", s, &slen ), WARDEN_SECRET_BADAUTH );

	/* relabelled with the other key's id */
	memcpy( t, a, na + 1 );
	t[10] = '2';
	ck_assert_int_eq( unwrap( &r, t, na, ctx1, s, &slen ), WARDEN_SECRET_BADAUTH );

	/* each base64 character changed to another valid one: nonce,
	 * ciphertext and tag are all covered */
	p = strlen( "{WARDEN1}k1$" );
	for ( i = p; i < na && a[i] != '='; i++ ) {
		memcpy( t, a, na + 1 );
		t[i] = t[i] == 'A' ? 'B' : 'A';
		if ( unwrap( &r, t, na, ctx1, s, &slen ) == WARDEN_SECRET_CORRUPT )
			continue;	/* the last character's unused bits */
		ck_assert_int_eq( unwrap( &r, t, na, ctx1, s, &slen ),
			WARDEN_SECRET_BADAUTH );
	}
	/* truncated by one quantum */
	ck_assert_int_eq( unwrap( &r, a, na - 4, ctx1, s, &slen ), WARDEN_SECRET_BADAUTH );
}
END_TEST

START_TEST( corrupt )
{
	warden_keyring r = { 0 };
	unsigned char s[WARDEN_SECRET_MAX];
	char t[300];
	size_t na, slen;
	const char *bad[] = {
		"{WARDEN1}",				/* nothing */
		"{WARDEN1}k1",				/* no '$' */
		"{WARDEN1}$AAAA",			/* no key id */
		"{WARDEN1}k 1$AAAA",			/* not a key id */
		"{WARDEN1}abcdefghijabcdefghijabcdefghijabc$AAAA", /* id too long */
		"{WARDEN1}k1$",				/* no base64 */
		"{WARDEN1}k1$AAA",			/* not whole quanta */
		"{WARDEN1}k1$AA*A",			/* not base64 */
		"{WARDEN1}k1$AA=A",			/* padding inside */
		"{WARDEN1}k1$AAAA AAAA",		/* blank */
		"{WARDEN1}k1$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==", /* 28 bytes: no seed */
		"{WARDEN2}k1$AAAA",			/* another version */
		"{WARDEN}k1$AAAA",
		"12345678901234567890",			/* a raw seed */
		NULL
	};
	int i;

	ring_add( &r, "k1", 0x11 );
	for ( i = 0; bad[i]; i++ ) {
		ck_assert_msg( unwrap( &r, bad[i], strlen( bad[i] ), ctx1, s, &slen ) ==
			WARDEN_SECRET_CORRUPT, "%s", bad[i] );
		ck_assert_ptr_nonnull( strstr( msg, "corrupt" ) );
	}
	/* the version's family is recognised, the raw seed is not */
	ck_assert_int_eq( warden_secret_is_wrapped( "{WARDEN2}k1$AAAA", 16 ), 1 );
	ck_assert_int_eq( warden_secret_is_wrapped( seed, 20 ), 0 );
	ck_assert_int_eq( warden_secret_is_wrapped( "{WARD", 5 ), 0 );
	ck_assert_int_eq( warden_secret_is_wrapped( "", 0 ), 0 );
	/* non-canonical padding bits: 12 + 21 + 16 = 49 bytes end in one
	 * byte and "==", which leaves 4 bits of the last character unused */
	ck_assert_int_eq( warden_secret_wrap( &r, (const unsigned char *)"123456789012345678901",
		21, ctx1, strlen( ctx1 ), t, sizeof( t ), &na, msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( unwrap( &r, t, na, ctx1, s, &slen ), WARDEN_SECRET_OK );
	ck_assert_int_eq( t[na - 1], '=' );
	ck_assert_int_eq( t[na - 2], '=' );
	t[na - 3] = b64[( strchr( b64, t[na - 3] ) - b64 ) ^ 1];	/* an unused bit */
	ck_assert_int_eq( unwrap( &r, t, na, ctx1, s, &slen ), WARDEN_SECRET_CORRUPT );
	/* longer than any wrapped seed: 212 characters, 159 bytes */
	snprintf( t, sizeof( t ), "{WARDEN1}k1$" );
	memset( t + 12, 'A', 212 );
	ck_assert_int_eq( unwrap( &r, t, 12 + 212, ctx1, s, &slen ), WARDEN_SECRET_CORRUPT );
	/* the key id of a corrupt value */
	ck_assert_int_eq( warden_secret_key_id( "{WARDEN1}k1", 11, (char *)s,
		msg, sizeof( msg ) ), WARDEN_SECRET_CORRUPT );
}
END_TEST

START_TEST( wrap_limits )
{
	warden_keyring r = { 0 };
	unsigned char big[WARDEN_SECRET_MAX + 1] = { 0 };
	char out[512];
	size_t n = 99, need;

	ring_add( &r, "k1", 0x11 );
	ck_assert_int_eq( warden_secret_wrap( &r, big, 0, ctx1, 5, out, sizeof( out ),
		&n, msg, sizeof( msg ) ), WARDEN_SECRET_FAIL );
	ck_assert_uint_eq( n, 0 );
	ck_assert_int_eq( warden_secret_wrap( &r, big, sizeof( big ), ctx1, 5, out,
		sizeof( out ), &n, msg, sizeof( msg ) ), WARDEN_SECRET_FAIL );
	/* the buffer: exactly the length and the NUL */
	need = warden_secret_wrapped_len( 2, 20 ) + 1;
	ck_assert_int_eq( warden_secret_wrap( &r, (const unsigned char *)seed, 20,
		ctx1, 5, out, need - 1, &n, msg, sizeof( msg ) ), WARDEN_SECRET_FAIL );
	ck_assert_ptr_nonnull( strstr( msg, "too small" ) );
	ck_assert_int_eq( warden_secret_wrap( &r, (const unsigned char *)seed, 20,
		ctx1, 5, out, need, NULL, msg, sizeof( msg ) ), WARDEN_SECRET_OK );
	ck_assert_uint_eq( strlen( out ), need - 1 );
}
END_TEST

START_TEST( seed_length_of_wrapped_values )
{
	warden_keyring r = { 0 };
	char out[512];
	size_t n, len, sizes[] = { 1, 15, 16, 20, 64, WARDEN_SECRET_MAX };
	unsigned char seedbuf[WARDEN_SECRET_MAX];
	unsigned i;

	ring_add( &r, "k1", 0x11 );
	memset( seedbuf, 0x5a, sizeof( seedbuf ) );
	/* the ciphertext tells the seed's length, without the key */
	for ( i = 0; i < sizeof( sizes ) / sizeof( sizes[0] ); i++ ) {
		ck_assert_int_eq( warden_secret_wrap( &r, seedbuf, sizes[i], ctx1,
			strlen( ctx1 ), out, sizeof( out ), &n, msg, sizeof( msg ) ),
			WARDEN_SECRET_OK );
		ck_assert_int_eq( warden_secret_seed_len( out, n, &len, msg,
			sizeof( msg ) ), WARDEN_SECRET_OK );
		ck_assert_uint_eq( len, sizes[i] );
	}
	/* malformed values are corrupt, whatever their length */
	ck_assert_int_eq( warden_secret_seed_len( "{WARDEN1}k1$notbase64!!", 23,
		&len, msg, sizeof( msg ) ), WARDEN_SECRET_CORRUPT );
	ck_assert_ptr_nonnull( strstr( msg, "corrupt" ) );
	ck_assert_uint_eq( len, 0 );
	ck_assert_int_eq( warden_secret_seed_len( "{WARDEN1}k1$AAAA", 16,
		&len, msg, sizeof( msg ) ), WARDEN_SECRET_CORRUPT );
	ck_assert_int_eq( warden_secret_seed_len( "{WARDEN1}$AAAA", 14,
		&len, msg, sizeof( msg ) ), WARDEN_SECRET_CORRUPT );
	ck_assert_int_eq( warden_secret_seed_len( seed, 20, &len, msg,
		sizeof( msg ) ), WARDEN_SECRET_CORRUPT );
}
END_TEST

Suite *
secret_suite( void )
{
	Suite *s = suite_create( "secret" );
	TCase *tc = tcase_create( "wrap" );

	tcase_add_test( tc, round_trip );
	tcase_add_test( tc, rotation );
	tcase_add_test( tc, refusals );
	tcase_add_test( tc, corrupt );
	tcase_add_test( tc, wrap_limits );
	tcase_add_test( tc, seed_length_of_wrapped_values );
	suite_add_tcase( s, tc );
	return s;
}
