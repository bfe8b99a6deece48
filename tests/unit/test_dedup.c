/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* Repeated wrong passwords (overlay/lib/dedup.c): seen and not seen, the
 * window, four credentials per user, forgetting, users evicted, threads. */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dedup.h"
#include "suites.h"

#define DD_SEC		((int64_t)1000000)
#define DD_W		( 300 * DD_SEC )
#define DD_T0		( (int64_t)1700000000 * DD_SEC )

/* A random-looking (version 4) entryUUID for user n, as slapd makes them. */
static void
dd_uuid( unsigned n, unsigned char *u )
{
	uint64_t x = 0x9e3779b97f4a7c15ULL * ( n + 1 );
	int i;

	for ( i = 0; i < 16; i++ ) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		u[i] = (unsigned char)( x >> 24 );
	}
	u[6] = ( u[6] & 0x0f ) | 0x40;
	u[8] = ( u[8] & 0x3f ) | 0x80;
}

static int
dd_seen( warden_dedup *d, unsigned user, const char *cred, int64_t now )
{
	unsigned char u[16];

	dd_uuid( user, u );
	return warden_dedup_seen( d, u, cred, strlen( cred ), now, DD_W );
}

START_TEST( dd_new_and_free )
{
	warden_dedup *d = warden_dedup_new( 0 );	/* raised to 16 */

	ck_assert_ptr_nonnull( d );
	ck_assert_int_eq( dd_seen( d, 1, "x", DD_T0 ), 0 );
	warden_dedup_free( d );
	warden_dedup_free( NULL );
}
END_TEST

START_TEST( dd_seen_and_not_seen )
{
	warden_dedup *d = warden_dedup_new( 64 );
	unsigned char u[16];

	ck_assert_ptr_nonnull( d );
	ck_assert_int_eq( dd_seen( d, 1, "Summer2024!", DD_T0 ), 0 );
	ck_assert_int_eq( dd_seen( d, 1, "Summer2024!", DD_T0 + 1 ), 1 );
	ck_assert_int_eq( dd_seen( d, 1, "Summer2024!", DD_T0 + 2 ), 1 );
	/* another credential of the same user, the same of another user */
	ck_assert_int_eq( dd_seen( d, 1, "Summer2024?", DD_T0 + 3 ), 0 );
	ck_assert_int_eq( dd_seen( d, 2, "Summer2024!", DD_T0 + 4 ), 0 );
	ck_assert_int_eq( dd_seen( d, 2, "Summer2024!", DD_T0 + 5 ), 1 );
	/* the length is part of the credential */
	dd_uuid( 1, u );
	ck_assert_int_eq( warden_dedup_seen( d, u, "Summer2024!", 12, DD_T0 + 6, DD_W ), 0 );
	ck_assert_int_eq( warden_dedup_seen( d, u, "Summer2024!", 12, DD_T0 + 7, DD_W ), 1 );
	/* an empty credential is a credential */
	dd_uuid( 3, u );
	ck_assert_int_eq( warden_dedup_seen( d, u, NULL, 0, DD_T0, DD_W ), 0 );
	ck_assert_int_eq( warden_dedup_seen( d, u, "", 0, DD_T0 + 1, DD_W ), 1 );
	warden_dedup_free( d );
}
END_TEST

START_TEST( dd_binary_and_long_credentials )
{
	warden_dedup *d = warden_dedup_new( 64 );
	size_t n = 1 << 20;
	unsigned char *c = malloc( n ), u[16];

	ck_assert_ptr_nonnull( c );
	memset( c, 0, n );
	dd_uuid( 1, u );
	ck_assert_int_eq( warden_dedup_seen( d, u, c, n, DD_T0, DD_W ), 0 );
	ck_assert_int_eq( warden_dedup_seen( d, u, c, n, DD_T0 + 1, DD_W ), 1 );
	/* the last byte differs: another credential */
	c[n - 1] = 1;
	ck_assert_int_eq( warden_dedup_seen( d, u, c, n, DD_T0 + 2, DD_W ), 0 );
	/* a NUL inside is not the end */
	ck_assert_int_eq( warden_dedup_seen( d, u, "a\0b", 3, DD_T0 + 3, DD_W ), 0 );
	ck_assert_int_eq( warden_dedup_seen( d, u, "a\0c", 3, DD_T0 + 4, DD_W ), 0 );
	free( c );
	warden_dedup_free( d );
}
END_TEST

START_TEST( dd_window_expiry )
{
	warden_dedup *d = warden_dedup_new( 64 );

	/* within the window ending at now: one microsecond short of it ... */
	ck_assert_int_eq( dd_seen( d, 1, "pw", DD_T0 ), 0 );
	ck_assert_int_eq( dd_seen( d, 1, "pw", DD_T0 + DD_W - 1 ), 1 );
	/* ... but not a whole window old */
	ck_assert_int_eq( dd_seen( d, 2, "pw", DD_T0 ), 0 );
	ck_assert_int_eq( dd_seen( d, 2, "pw", DD_T0 + DD_W ), 0 );
	/* counted again, it is remembered again */
	ck_assert_int_eq( dd_seen( d, 2, "pw", DD_T0 + DD_W + 1 ), 1 );
	/* long after every earlier use, it counts */
	ck_assert_int_eq( dd_seen( d, 1, "pw", DD_T0 + 10 * DD_W ), 0 );
	ck_assert_int_eq( dd_seen( d, 1, "pw", DD_T0 + 10 * DD_W + 1 ), 1 );
	warden_dedup_free( d );
}
END_TEST

START_TEST( dd_four_per_user )
{
	warden_dedup *d = warden_dedup_new( 64 );
	char pw[16];
	int i;

	ck_assert_int_eq( WARDEN_DEDUP_PER_USER, 4 );
	for ( i = 0; i < 4; i++ ) {
		snprintf( pw, sizeof( pw ), "pw%d", i );
		ck_assert_int_eq( dd_seen( d, 1, pw, DD_T0 + i ), 0 );
	}
	for ( i = 0; i < 4; i++ ) {
		snprintf( pw, sizeof( pw ), "pw%d", i );
		ck_assert_int_eq( dd_seen( d, 1, pw, DD_T0 + 10 + i ), 1 );
	}
	/* the fifth replaces the oldest */
	ck_assert_int_eq( dd_seen( d, 1, "pw4", DD_T0 + 20 ), 0 );
	for ( i = 1; i < 5; i++ ) {
		snprintf( pw, sizeof( pw ), "pw%d", i );
		ck_assert_int_eq( dd_seen( d, 1, pw, DD_T0 + 30 + i ), 1 );
	}
	ck_assert_int_eq( dd_seen( d, 1, "pw0", DD_T0 + 40 ), 0 );
	/* another user's four are its own */
	ck_assert_int_eq( dd_seen( d, 2, "pw1", DD_T0 + 41 ), 0 );
	ck_assert_int_eq( dd_seen( d, 1, "pw4", DD_T0 + 42 ), 1 );
	warden_dedup_free( d );
}
END_TEST

START_TEST( dd_forget )
{
	warden_dedup *d = warden_dedup_new( 64 );
	unsigned char u[16];

	ck_assert_int_eq( dd_seen( d, 1, "a", DD_T0 ), 0 );
	ck_assert_int_eq( dd_seen( d, 1, "b", DD_T0 ), 0 );
	ck_assert_int_eq( dd_seen( d, 2, "a", DD_T0 ), 0 );
	dd_uuid( 1, u );
	warden_dedup_forget( d, u );
	warden_dedup_forget( d, u );	/* twice is harmless */
	dd_uuid( 99, u );
	warden_dedup_forget( d, u );	/* never seen: harmless */
	ck_assert_int_eq( dd_seen( d, 1, "a", DD_T0 + 1 ), 0 );
	ck_assert_int_eq( dd_seen( d, 1, "b", DD_T0 + 1 ), 0 );
	ck_assert_int_eq( dd_seen( d, 2, "a", DD_T0 + 1 ), 1 );
	warden_dedup_free( d );
}
END_TEST

START_TEST( dd_users_evicted_least_recently_used )
{
	warden_dedup *d = warden_dedup_new( 16 );
	unsigned i;

	/* a user in use survives a stream of new ones ... */
	ck_assert_int_eq( dd_seen( d, 0, "kept", DD_T0 ), 0 );
	for ( i = 1; i <= 2000; i++ ) {
		ck_assert_int_eq( dd_seen( d, i, "other", DD_T0 ), 0 );
		ck_assert_int_eq( dd_seen( d, 0, "kept", DD_T0 ), 1 );
	}
	/* ... the newest is there ... */
	ck_assert_int_eq( dd_seen( d, 2000, "other", DD_T0 ), 1 );
	/* ... and one left alone is evicted */
	for ( i = 3000; i < 5000; i++ ) dd_seen( d, i, "other", DD_T0 );
	ck_assert_int_eq( dd_seen( d, 0, "kept", DD_T0 ), 0 );
	warden_dedup_free( d );
}
END_TEST

#define DD_THREADS	8
#define DD_PER_THREAD	200

typedef struct dd_arg {
	warden_dedup	*d;
	int		id;
	int		shared_new;	/* calls on the shared credential that said "not seen" */
	int		own_new;
} dd_arg;

static void *
dd_thread( void *p )
{
	dd_arg *a = p;
	char own[32];
	int i;

	snprintf( own, sizeof( own ), "own-%d", a->id );
	for ( i = 0; i < DD_PER_THREAD; i++ ) {
		a->shared_new += !dd_seen( a->d, 7, "shared", DD_T0 + i );
		a->own_new += !dd_seen( a->d, 100 + a->id, own, DD_T0 + i );
	}
	return NULL;
}

START_TEST( dd_threads_one_new_per_credential )
{
	warden_dedup *d = warden_dedup_new( 1024 );
	pthread_t tid[DD_THREADS];
	dd_arg args[DD_THREADS];
	int i, shared = 0;

	for ( i = 0; i < DD_THREADS; i++ ) {
		memset( &args[i], 0, sizeof( args[i] ) );
		args[i].d = d;
		args[i].id = i;
		ck_assert_int_eq( pthread_create( &tid[i], NULL, dd_thread, &args[i] ), 0 );
	}
	for ( i = 0; i < DD_THREADS; i++ ) {
		pthread_join( tid[i], NULL );
		shared += args[i].shared_new;
		ck_assert_int_eq( args[i].own_new, 1 );
	}
	ck_assert_int_eq( shared, 1 );
	warden_dedup_free( d );
}
END_TEST

Suite *
dedup_suite( void )
{
	Suite *s = suite_create( "dedup" );
	TCase *tc = tcase_create( "credentials" );

	tcase_add_test( tc, dd_new_and_free );
	tcase_add_test( tc, dd_seen_and_not_seen );
	tcase_add_test( tc, dd_binary_and_long_credentials );
	tcase_add_test( tc, dd_window_expiry );
	tcase_add_test( tc, dd_four_per_user );
	tcase_add_test( tc, dd_forget );
	tcase_add_test( tc, dd_users_evicted_least_recently_used );
	tcase_add_test( tc, dd_threads_one_new_per_credential );
	suite_add_tcase( s, tc );
	return s;
}
