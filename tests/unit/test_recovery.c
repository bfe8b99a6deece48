/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* Recovery codes (overlay/lib/recovery.c): issue, verify, the stored format,
 * splitting a credential; one use each, with backend/otpstate.c. */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "otpstate.h"
#include "recovery.h"
#include "suites.h"

static char msg[512];
static const char alphabet[] = "23456789abcdefghijkmnpqrstuvwxyz";

/* PBKDF2 at its minimum: these tests are about logic, not cost */
#define ITER	WARDEN_RECOVERY_ITER_MIN

static void
stored_of( const warden_recovery_set *set, const char **v, size_t *l )
{
	int i;

	for ( i = 0; i < WARDEN_RECOVERY_COUNT; i++ ) {
		v[i] = set->rs_stored[i];
		l[i] = strlen( set->rs_stored[i] );
	}
}

static int
check( const char *code, const warden_recovery_set *set, int *idx, uint64_t *id )
{
	const char *v[WARDEN_RECOVERY_COUNT];
	size_t l[WARDEN_RECOVERY_COUNT];

	stored_of( set, v, l );
	return warden_recovery_verify( code, strlen( code ), v, l,
		WARDEN_RECOVERY_COUNT, idx, id, msg, sizeof( msg ) );
}

START_TEST( generate_shape )
{
	warden_recovery_set set, other;
	char want[64];
	int i, j;

	ck_assert_int_eq( warden_recovery_generate( ITER, &set, msg, sizeof( msg ) ), 0 );
	for ( i = 0; i < WARDEN_RECOVERY_COUNT; i++ ) {
		const char *c = set.rs_code[i];

		ck_assert_uint_eq( strlen( c ), WARDEN_RECOVERY_CODE_LEN );
		for ( j = 0; j < WARDEN_RECOVERY_CODE_LEN; j++ ) {
			if ( j == 5 ) ck_assert_int_eq( c[j], '-' );
			else ck_assert_ptr_nonnull( strchr( alphabet, c[j] ) );
		}
		for ( j = 0; j < i; j++ ) ck_assert_str_ne( c, set.rs_code[j] );
		/* {WARDENRC1}INDEX$ITER$SALT$HASH, no code in it */
		snprintf( want, sizeof( want ), "{WARDENRC1}%d$%d$", i, ITER );
		ck_assert_int_eq( strncmp( set.rs_stored[i], want, strlen( want ) ), 0 );
		ck_assert_uint_eq( strlen( set.rs_stored[i] ),
			strlen( want ) + 32 + 1 + 64 );
		ck_assert_ptr_null( strstr( set.rs_stored[i], c ) );
		/* one salt for the set */
		ck_assert_int_eq( memcmp( set.rs_stored[i] + strlen( want ),
			set.rs_stored[0] + strlen( want ), 32 ), 0 );
	}
	/* another set: another salt, other codes */
	ck_assert_int_eq( warden_recovery_generate( ITER, &other, msg, sizeof( msg ) ), 0 );
	ck_assert( other.rs_id != set.rs_id );
	ck_assert_str_ne( other.rs_code[0], set.rs_code[0] );
	warden_recovery_wipe( &set );
	for ( i = 0; i < (int)sizeof( set ); i++ )
		ck_assert_int_eq( ( (unsigned char *)&set )[i], 0 );
	/* out of range */
	ck_assert_int_eq( warden_recovery_generate( ITER - 1, &set, msg, sizeof( msg ) ), -1 );
	ck_assert_int_eq( warden_recovery_generate( WARDEN_RECOVERY_ITER_MAX + 1, &set,
		msg, sizeof( msg ) ), -1 );
}
END_TEST

START_TEST( verify_codes )
{
	warden_recovery_set set;
	char typed[32];
	uint64_t id;
	int i, j, idx;

	ck_assert_int_eq( warden_recovery_generate( ITER, &set, msg, sizeof( msg ) ), 0 );
	for ( i = 0; i < WARDEN_RECOVERY_COUNT; i++ ) {
		idx = -1;
		id = 0;
		ck_assert_int_eq( check( set.rs_code[i], &set, &idx, &id ), 0 );
		ck_assert_int_eq( idx, i );
		ck_assert( id == set.rs_id );
	}
	/* upper case, and without the dash */
	for ( j = 0; set.rs_code[3][j]; j++ )
		typed[j] = (char)toupper( (unsigned char)set.rs_code[3][j] );
	typed[j] = '\0';
	ck_assert_int_eq( check( typed, &set, &idx, &id ), 0 );
	ck_assert_int_eq( idx, 3 );
	snprintf( typed, sizeof( typed ), "%.5s%.5s", set.rs_code[4], set.rs_code[4] + 6 );
	ck_assert_int_eq( check( typed, &set, &idx, &id ), 0 );
	ck_assert_int_eq( idx, 4 );
	/* one character changed */
	snprintf( typed, sizeof( typed ), "%s", set.rs_code[2] );
	typed[0] = typed[0] == 'a' ? 'b' : 'a';
	ck_assert_int_eq( check( typed, &set, &idx, &id ), WARDEN_RECOVERY_NOMATCH );
	/* not of a code's shape: no hashing, no match */
	ck_assert_int_eq( check( "", &set, &idx, &id ), WARDEN_RECOVERY_NOMATCH );
	ck_assert_int_eq( check( "abcde-fghi", &set, &idx, &id ), WARDEN_RECOVERY_NOMATCH );
	ck_assert_int_eq( check( "abcde_fghij", &set, &idx, &id ), WARDEN_RECOVERY_NOMATCH );
	ck_assert_int_eq( check( "abcde-fghij-", &set, &idx, &id ), WARDEN_RECOVERY_NOMATCH );
	ck_assert_int_eq( check( "abcd0-fghij", &set, &idx, &id ), WARDEN_RECOVERY_NOMATCH );
	ck_assert_int_eq( check( "abcdl-fghij", &set, &idx, &id ), WARDEN_RECOVERY_NOMATCH );
	ck_assert_int_eq( check( "123456", &set, &idx, &id ), WARDEN_RECOVERY_NOMATCH );
	/* a code of another set */
	{
		warden_recovery_set other;

		ck_assert_int_eq( warden_recovery_generate( ITER, &other, msg, sizeof( msg ) ), 0 );
		ck_assert_int_eq( check( other.rs_code[0], &set, &idx, &id ),
			WARDEN_RECOVERY_NOMATCH );
		warden_recovery_wipe( &other );
	}
	warden_recovery_wipe( &set );
}
END_TEST

START_TEST( verify_stored )
{
	warden_recovery_set set, b;
	const char *v[32];
	size_t l[32];
	char bad[160];
	uint64_t id;
	int idx, i;

	ck_assert_int_eq( warden_recovery_generate( ITER, &set, msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( warden_recovery_generate( ITER + 1, &b, msg, sizeof( msg ) ), 0 );
	/* values of two sets mixed, in any order: each code finds its own */
	for ( i = 0; i < 10; i++ ) {
		v[2 * i] = b.rs_stored[9 - i];
		v[2 * i + 1] = set.rs_stored[i];
	}
	for ( i = 0; i < 20; i++ ) l[i] = strlen( v[i] );
	ck_assert_int_eq( warden_recovery_verify( b.rs_code[7], 11, v, l, 20, &idx,
		&id, msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( idx, 7 );
	ck_assert( id == b.rs_id );
	ck_assert_int_eq( warden_recovery_verify( set.rs_code[7], 11, v, l, 20, &idx,
		&id, msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( idx, 7 );
	ck_assert( id == set.rs_id );
	/* nothing stored */
	ck_assert_int_eq( warden_recovery_verify( set.rs_code[0], 11, v, l, 0, &idx,
		&id, msg, sizeof( msg ) ), WARDEN_RECOVERY_NOMATCH );
	ck_assert_int_eq( warden_recovery_verify( set.rs_code[0], 11, v, l, 33, &idx,
		&id, msg, sizeof( msg ) ), -1 );

	/* one damaged value fails the whole check, and says which */
	{
		const char *damage[] = {
			"{WARDENRC2}0$1000$",
			"{SSHA}abc",
			"{WARDENRC1}32$1000$",		/* index too high */
			"{WARDENRC1}01$1000$",		/* leading zero */
			"{WARDENRC1}0$999$",		/* iterations too low */
			"{WARDENRC1}0$1000",
			"{WARDENRC1}0$1000$00",		/* salt too short */
			"{WARDENRC1}0$1000$0000000000000000000000000000000G$",
			NULL
		};
		int k;

		for ( k = 0; damage[k]; k++ ) {
			snprintf( bad, sizeof( bad ), "%s", damage[k] );
			v[3] = bad;
			l[3] = strlen( bad );
			ck_assert_msg( warden_recovery_verify( set.rs_code[0], 11, v, l, 20,
				&idx, &id, msg, sizeof( msg ) ) == -1, "%s", damage[k] );
			ck_assert_ptr_nonnull( strstr( msg, "stored recovery code 3" ) );
		}
		/* the hash in upper case is not the canonical text */
		snprintf( bad, sizeof( bad ), "%s", set.rs_stored[1] );
		for ( k = strlen( bad ) - 64; bad[k]; k++ )
			bad[k] = (char)toupper( (unsigned char)bad[k] );
		v[3] = bad;
		l[3] = strlen( bad );
		if ( strcmp( bad, set.rs_stored[1] ) )
			ck_assert_int_eq( warden_recovery_verify( set.rs_code[0], 11, v, l,
				20, &idx, &id, msg, sizeof( msg ) ), -1 );
	}
	warden_recovery_wipe( &set );
	warden_recovery_wipe( &b );
}
END_TEST

START_TEST( split )
{
	const char *code = NULL;
	size_t pwlen = 99;

	ck_assert_int_eq( warden_recovery_split( "hunter2abcde-fghij", 18, &pwlen,
		&code ), 0 );
	ck_assert_uint_eq( pwlen, 7 );
	ck_assert_int_eq( memcmp( code, "abcde-fghij", 11 ), 0 );
	ck_assert_int_eq( warden_recovery_split( "xABCDE-FGHIJ", 12, &pwlen, &code ), 0 );
	ck_assert_uint_eq( pwlen, 1 );
	/* no password */
	ck_assert_int_eq( warden_recovery_split( "abcde-fghij", 11, &pwlen, &code ),
		WARDEN_RECOVERY_NOMATCH );
	/* a TOTP code, a dashless code, a look-alike */
	ck_assert_int_eq( warden_recovery_split( "hunter2123456", 13, &pwlen, &code ),
		WARDEN_RECOVERY_NOMATCH );
	ck_assert_int_eq( warden_recovery_split( "hunter2abcdefghij", 17, &pwlen, &code ),
		WARDEN_RECOVERY_NOMATCH );
	ck_assert_int_eq( warden_recovery_split( "hunter2abcde-fgh1j", 18, &pwlen, &code ),
		WARDEN_RECOVERY_NOMATCH );
	ck_assert_uint_eq( pwlen, 1 );
}
END_TEST

START_TEST( one_use )
{
	unsigned char user[WARDEN_UUID_LEN] = { 0x42, 1, 2, 3, 4, 5, 0x46, 7, 0x88, 9 };
	warden_recovery_set set, next;
	warden_store *st = NULL;
	char *dir = tu_tmpdir();
	unsigned left = 99;
	uint64_t id;
	int idx;

	ck_assert_int_eq( warden_store_open( dir, &st, msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( warden_recovery_generate( ITER, &set, msg, sizeof( msg ) ), 0 );

	/* what the bind path does: verify, then claim the index */
	ck_assert_int_eq( check( set.rs_code[6], &set, &idx, &id ), 0 );
	ck_assert_int_eq( warden_otpstate_use_recovery( st, user, 0, id, idx,
		WARDEN_RECOVERY_COUNT, 1000, &left, msg, sizeof( msg ) ), 0 );
	ck_assert_uint_eq( left, 9 );
	/* the same code again verifies, but its index is used */
	ck_assert_int_eq( check( set.rs_code[6], &set, &idx, &id ), 0 );
	ck_assert_int_eq( warden_otpstate_use_recovery( st, user, 0, id, idx,
		WARDEN_RECOVERY_COUNT, 2000, &left, msg, sizeof( msg ) ), WARDEN_OTPSTATE_USED );
	/* another code is fine */
	ck_assert_int_eq( check( set.rs_code[0], &set, &idx, &id ), 0 );
	ck_assert_int_eq( warden_otpstate_use_recovery( st, user, 0, id, idx,
		WARDEN_RECOVERY_COUNT, 3000, &left, msg, sizeof( msg ) ), 0 );
	ck_assert_uint_eq( left, 8 );

	/* a new set: its code 6 is usable, the old set's code 6 no longer
	 * verifies against the new stored values */
	ck_assert_int_eq( warden_recovery_generate( ITER, &next, msg, sizeof( msg ) ), 0 );
	ck_assert_int_eq( check( set.rs_code[6], &next, &idx, &id ), WARDEN_RECOVERY_NOMATCH );
	ck_assert_int_eq( check( next.rs_code[6], &next, &idx, &id ), 0 );
	ck_assert_int_eq( warden_otpstate_use_recovery( st, user, 0, id, idx,
		WARDEN_RECOVERY_COUNT, 4000, &left, msg, sizeof( msg ) ), 0 );
	ck_assert_uint_eq( left, 9 );

	warden_recovery_wipe( &set );
	warden_recovery_wipe( &next );
	warden_store_close( st );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

/* The default count is meant to cost a few milliseconds per check; a
 * check of a set costs one derivation whatever its size. */
START_TEST( default_cost )
{
	warden_recovery_set set;
	struct timespec a, b;
	uint64_t id;
	double ms;
	int idx;

	ck_assert_int_eq( warden_recovery_generate( WARDEN_RECOVERY_ITER_DEFAULT, &set,
		msg, sizeof( msg ) ), 0 );
	clock_gettime( CLOCK_MONOTONIC, &a );
	ck_assert_int_eq( check( "aaaaa-aaaaa", &set, &idx, &id ), WARDEN_RECOVERY_NOMATCH );
	clock_gettime( CLOCK_MONOTONIC, &b );
	ms = ( b.tv_sec - a.tv_sec ) * 1e3 + ( b.tv_nsec - a.tv_nsec ) / 1e6;
	/* generous bounds: sanitizers and busy machines are slow */
	ck_assert_msg( ms < 2000, "a check took %.1f ms", ms );
	warden_recovery_wipe( &set );
}
END_TEST

Suite *
recovery_suite( void )
{
	Suite *s = suite_create( "recovery" );
	TCase *tc = tcase_create( "codes" );

	tcase_add_test( tc, generate_shape );
	tcase_add_test( tc, verify_codes );
	tcase_add_test( tc, verify_stored );
	tcase_add_test( tc, split );
	tcase_add_test( tc, one_use );
	tcase_add_test( tc, default_cost );
	suite_add_tcase( s, tc );
	return s;
}
