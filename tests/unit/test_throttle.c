/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* Failures per client address (overlay/lib/throttle.c): address forms, the
 * sliding-window estimate against an exact count, LRU eviction, threads. */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "throttle.h"
#include "suites.h"

#define TH_SEC		((int64_t)1000000)
#define TH_W		( 60 * TH_SEC )
/* a multiple of the window, so that tests can place failures in windows */
#define TH_T0		( (int64_t)28333333 * TH_W )

START_TEST( th_new_and_free )
{
	warden_throttle *t = warden_throttle_new( 0 );	/* raised to 16 */

	ck_assert_ptr_nonnull( t );
	ck_assert_uint_eq( warden_throttle_fail( t, "IP=192.0.2.1:1", TH_T0, TH_W ), 1 );
	warden_throttle_free( t );
	warden_throttle_free( NULL );
}
END_TEST

START_TEST( th_count_does_not_record )
{
	warden_throttle *t = warden_throttle_new( 64 );
	int64_t now = TH_T0 + TH_SEC;

	ck_assert_uint_eq( warden_throttle_count( t, "IP=192.0.2.1:1", now, TH_W ), 0 );
	ck_assert_uint_eq( warden_throttle_fail( t, "IP=192.0.2.1:1", now, TH_W ), 1 );
	ck_assert_uint_eq( warden_throttle_fail( t, "IP=192.0.2.1:1", now + 1, TH_W ), 2 );
	ck_assert_uint_eq( warden_throttle_count( t, "IP=192.0.2.1:1", now + 2, TH_W ), 2 );
	ck_assert_uint_eq( warden_throttle_count( t, "IP=192.0.2.1:1", now + 3, TH_W ), 2 );
	ck_assert_uint_eq( warden_throttle_fail( t, "IP=192.0.2.1:1", now + 4, TH_W ), 3 );
	ck_assert_uint_eq( warden_throttle_count( t, "IP=192.0.2.2:1", now + 5, TH_W ), 0 );
	warden_throttle_free( t );
}
END_TEST

/* Each group is one client in several spellings; different groups are
 * different clients (IPv6 by their /64, the default). */
static const char *const th_forms[][4] = {
	{ "IP=127.0.0.1:41234", "IP=127.0.0.1:1", "IP=127.0.0.1", "127.0.0.1:9" },
	{ "IP=127.0.0.10:41234", "IP=127.0.0.10:2", NULL },
	{ "IP=[::1]:41234", "IP=[::1]:1", "IP=[::1]", "[::1]:7" },
	{ "IP=[2001:DB8::1]:389", "IP=[2001:db8::1]:636", "IP=[2001:0db8:0:0::1]:1",
		"2001:db8::1" },
	{ "IP=[2001:db8:0:1::2]:389", NULL },
	{ "IP=[::ffff:192.0.2.7]:5", "IP=192.0.2.7:6", "IP=[::FFFF:c000:207]:7", NULL },
	{ "IP=[::ffff:192.0.2.8]:5", NULL },
	{ "PATH=/run/ldapi", NULL },
	{ "PATH=/run/ldapi2", NULL },
	/* a path may hold colons: they are not ports */
	{ "PATH=/tmp/a:1", NULL },
	{ "PATH=/tmp/a:2", NULL },
	{ "", NULL },
};

START_TEST( th_port_stripped_address_kept )
{
	warden_throttle *t = warden_throttle_new( 256 );
	size_t g, k, f, ng = sizeof( th_forms ) / sizeof( th_forms[0] );
	int64_t now = TH_T0 + TH_SEC;

	/* group g gets g + 1 failures, spread over its spellings */
	for ( g = 0; g < ng; g++ ) {
		for ( k = 0, f = 0; k <= g; k++ ) {
			warden_throttle_fail( t, th_forms[g][f], now, TH_W );
			if ( f == 3 || !th_forms[g][++f] ) f = 0;
		}
	}
	for ( g = 0; g < ng; g++ ) {
		for ( f = 0; f < 4 && th_forms[g][f]; f++ ) {
			ck_assert_msg( warden_throttle_count( t, th_forms[g][f], now, TH_W ) == g + 1,
				"\"%s\": %u, want %u", th_forms[g][f],
				warden_throttle_count( t, th_forms[g][f], now, TH_W ), (unsigned)( g + 1 ) );
		}
	}
	/* NULL is the empty address */
	ck_assert_uint_eq( warden_throttle_count( t, NULL, now, TH_W ), ng );
	warden_throttle_free( t );
}
END_TEST

START_TEST( th_long_address_is_cut_not_overflowed )
{
	warden_throttle *t = warden_throttle_new( 16 );
	char a[600], b[600];

	/* longer than any peer name slapd prints; run under ASan/valgrind */
	memset( a, 0, sizeof( a ) );
	memcpy( a, "IP=[", 4 );
	memset( a + 4, 'f', 500 );
	strcat( a, "]:1" );
	ck_assert_uint_eq( warden_throttle_fail( t, a, TH_T0, TH_W ), 1 );
	memset( b, 0, sizeof( b ) );
	memcpy( b, "IP=", 3 );
	memset( b + 3, '1', 500 );
	strcat( b, ":5" );
	ck_assert_uint_eq( warden_throttle_fail( t, b, TH_T0, TH_W ), 1 );
	ck_assert_uint_eq( warden_throttle_fail( t, b, TH_T0, TH_W ), 2 );
	warden_throttle_free( t );
}
END_TEST

START_TEST( th_window_boundaries )
{
	warden_throttle *t = warden_throttle_new( 64 );
	const char *a = "IP=198.51.100.1:3";

	ck_assert_uint_eq( warden_throttle_fail( t, a, TH_T0 + 10 * TH_SEC, TH_W ), 1 );
	ck_assert_uint_eq( warden_throttle_fail( t, a, TH_T0 + 20 * TH_SEC, TH_W ), 2 );
	/* next window: both still within the last minute */
	ck_assert_uint_eq( warden_throttle_count( t, a, TH_T0 + TH_W + 5 * TH_SEC, TH_W ), 2 );
	ck_assert_uint_eq( warden_throttle_fail( t, a, TH_T0 + TH_W + 19 * TH_SEC, TH_W ), 3 );
	/* the latest of the previous window is a window old: none of it counts */
	ck_assert_uint_eq( warden_throttle_count( t, a, TH_T0 + TH_W + 20 * TH_SEC, TH_W ), 1 );
	/* two windows on, nothing */
	ck_assert_uint_eq( warden_throttle_count( t, a, TH_T0 + 3 * TH_W, TH_W ), 0 );
	ck_assert_uint_eq( warden_throttle_fail( t, a, TH_T0 + 3 * TH_W, TH_W ), 1 );
	/* a clock set back loses nothing */
	ck_assert_uint_eq( warden_throttle_fail( t, a, TH_T0, TH_W ), 2 );
	/* another window length: what was counted still counts */
	ck_assert_uint_eq( warden_throttle_count( t, a, TH_T0 + 3 * TH_W + 1, 2 * TH_W ), 2 );
	warden_throttle_free( t );
}
END_TEST

static uint64_t
th_rand( uint64_t *s )
{
	/* xorshift64: reproducible, good enough for test data */
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

#define TH_EVENTS	3000

/* The header's bounds, checked against an exact count: never below the
 * failures of the last window (now - window, now], never above all failures
 * recorded; and, for this implementation, nothing older than two windows. */
START_TEST( th_estimate_within_bounds )
{
	warden_throttle *t = warden_throttle_new( 16 );
	int64_t *times = malloc( TH_EVENTS * sizeof( *times ) );
	int64_t now = TH_T0 + 12345, w;
	uint64_t seed = 0x9e3779b97f4a7c15ULL + (uint64_t)_i;
	unsigned est, exact, recent2, cnt;
	int i, j;

	ck_assert_ptr_nonnull( times );
	/* windows of 1 s to 1 h, gaps from bursts to idle spells */
	w = ( 1 + (int64_t)( th_rand( &seed ) % 3600 ) ) * TH_SEC;
	for ( i = 0; i < TH_EVENTS; i++ ) {
		switch ( th_rand( &seed ) % 4 ) {
		case 0: now += 0; break;
		case 1: now += (int64_t)( th_rand( &seed ) % (uint64_t)( w / 16 + 1 ) ); break;
		case 2: now += (int64_t)( th_rand( &seed ) % (uint64_t)w ); break;
		default: now += (int64_t)( th_rand( &seed ) % (uint64_t)( 3 * w ) ); break;
		}
		cnt = warden_throttle_count( t, "IP=203.0.113.9:1", now, w );
		est = warden_throttle_fail( t, "IP=203.0.113.9:2", now, w );
		times[i] = now;
		ck_assert_uint_eq( est, cnt + 1 );
		for ( j = i, exact = 0, recent2 = 0; j >= 0; j-- ) {
			if ( now - times[j] < w ) exact++;
			if ( now - times[j] < 2 * w ) recent2++;
			else break;
		}
		ck_assert_uint_ge( est, exact );
		ck_assert_uint_le( est, (unsigned)( i + 1 ) );
		ck_assert_uint_le( est, recent2 );
	}
	free( times );
	warden_throttle_free( t );
}
END_TEST

START_TEST( th_eviction_least_recently_used )
{
	warden_throttle *t = warden_throttle_new( 16 );
	char a[64];
	int i, kept;

	/* counting never inserts: a full table of lookups evicts nothing */
	for ( i = 0; i < 3; i++ ) warden_throttle_fail( t, "IP=192.0.2.200:1", TH_T0, TH_W );
	for ( i = 0; i < 1000; i++ ) {
		snprintf( a, sizeof( a ), "IP=10.0.%d.%d:1", i / 256, i % 256 );
		ck_assert_uint_eq( warden_throttle_count( t, a, TH_T0, TH_W ), 0 );
	}
	ck_assert_uint_eq( warden_throttle_count( t, "IP=192.0.2.200:9", TH_T0, TH_W ), 3 );

	/* an address in use survives a stream of new ones ... */
	for ( i = 0; i < 1000; i++ ) {
		snprintf( a, sizeof( a ), "IP=10.1.%d.%d:1", i / 256, i % 256 );
		warden_throttle_fail( t, a, TH_T0, TH_W );
		ck_assert_uint_eq( warden_throttle_count( t, "IP=192.0.2.200:9", TH_T0, TH_W ), 3 );
	}
	/* ... the newest is there, and no more than 16 are */
	ck_assert_uint_eq( warden_throttle_count( t, a, TH_T0, TH_W ), 1 );
	for ( i = 0, kept = 0; i < 1000; i++ ) {
		snprintf( a, sizeof( a ), "IP=10.1.%d.%d:1", i / 256, i % 256 );
		kept += warden_throttle_count( t, a, TH_T0, TH_W ) > 0;
	}
	ck_assert_int_le( kept, 16 - 1 );
	ck_assert_int_ge( kept, 1 );
	/* left alone, it is evicted */
	for ( i = 0; i < 1000; i++ ) {
		snprintf( a, sizeof( a ), "IP=10.2.%d.%d:1", i / 256, i % 256 );
		warden_throttle_fail( t, a, TH_T0, TH_W );
	}
	ck_assert_uint_eq( warden_throttle_count( t, "IP=192.0.2.200:9", TH_T0, TH_W ), 0 );
	warden_throttle_free( t );
}
END_TEST

#define TH_THREADS	8
#define TH_PER_THREAD	2000

typedef struct th_arg {
	warden_throttle	*t;
	int		id;
} th_arg;

static void *
th_thread( void *p )
{
	th_arg *a = p;
	char own[64];
	int i;

	snprintf( own, sizeof( own ), "IP=[2001:db8:%x::1]:%d", a->id + 1, 1000 + a->id );
	for ( i = 0; i < TH_PER_THREAD; i++ ) {
		warden_throttle_fail( a->t, "IP=192.0.2.77:1", TH_T0 + i, 1000 * TH_W );
		warden_throttle_fail( a->t, own, TH_T0 + i, 1000 * TH_W );
		warden_throttle_count( a->t, "IP=192.0.2.77:2", TH_T0 + i, 1000 * TH_W );
	}
	return NULL;
}

START_TEST( th_threads_count_exactly )
{
	/* 9 addresses in 1024 slots: none is evicted, whatever the hash */
	warden_throttle *t = warden_throttle_new( 1024 );
	pthread_t tid[TH_THREADS];
	th_arg args[TH_THREADS];
	char own[64];
	int i;

	for ( i = 0; i < TH_THREADS; i++ ) {
		args[i].t = t;
		args[i].id = i;
		ck_assert_int_eq( pthread_create( &tid[i], NULL, th_thread, &args[i] ), 0 );
	}
	for ( i = 0; i < TH_THREADS; i++ ) pthread_join( tid[i], NULL );
	ck_assert_uint_eq( warden_throttle_count( t, "IP=192.0.2.77", TH_T0 + TH_PER_THREAD, 1000 * TH_W ),
		TH_THREADS * TH_PER_THREAD );
	for ( i = 0; i < TH_THREADS; i++ ) {
		snprintf( own, sizeof( own ), "IP=[2001:db8:%x::1]:1", i + 1 );
		ck_assert_uint_eq( warden_throttle_count( t, own, TH_T0 + TH_PER_THREAD, 1000 * TH_W ),
			TH_PER_THREAD );
	}
	warden_throttle_free( t );
}
END_TEST

/* fails from a, then the count of b, with the table at bits */
static unsigned
th_together( warden_throttle *t, unsigned bits, const char *a, const char *b )
{
	static int64_t now = TH_T0;

	/* a window of its own each time: nothing carries over */
	now += 10 * TH_W;
	warden_throttle_set_ipv6_prefix( t, bits );
	warden_throttle_fail( t, a, now, TH_W );
	warden_throttle_fail( t, a, now, TH_W );
	return warden_throttle_count( t, b, now, TH_W );
}

START_TEST( th_ipv6_counted_by_prefix )
{
	warden_throttle *t = warden_throttle_new( 256 );
	const char *a = "IP=[2001:db8:1:2::a]:41234";

	/* two addresses of one /64: one client by default */
	ck_assert_uint_eq( th_together( t, 64, a,
		"IP=[2001:db8:1:2:ffff:ffff:ffff:ffff]:1" ), 2 );
	ck_assert_uint_eq( th_together( t, 64, a, "IP=[2001:db8:1:3::a]:1" ), 0 );
	/* by address when the prefix is 128 */
	ck_assert_uint_eq( th_together( t, 128, a, "IP=[2001:db8:1:2::b]:1" ), 0 );
	ck_assert_uint_eq( th_together( t, 128, a, "IP=[2001:DB8:1:2:0::A]:2" ), 2 );
	/* a /48 joins the /64s in it */
	ck_assert_uint_eq( th_together( t, 48, a, "IP=[2001:db8:1:ff::1]:1" ), 2 );
	ck_assert_uint_eq( th_together( t, 48, a, "IP=[2001:db8:2::1]:1" ), 0 );
	/* a prefix that ends inside a group: /60 */
	ck_assert_uint_eq( th_together( t, 60, "IP=[2001:db8:1:10::1]:1",
		"IP=[2001:db8:1:1f::1]:1" ), 2 );
	ck_assert_uint_eq( th_together( t, 60, "IP=[2001:db8:1:10::1]:1",
		"IP=[2001:db8:1:20::1]:1" ), 0 );
	/* out of range: the nearest limit (16, 128) */
	ck_assert_uint_eq( th_together( t, 0, "IP=[2001:db8::1]:1",
		"IP=[2001:ffff::1]:1" ), 2 );
	ck_assert_uint_eq( th_together( t, 0, "IP=[2001:db8::1]:1",
		"IP=[2002:db8::1]:1" ), 0 );
	ck_assert_uint_eq( th_together( t, 200, a, "IP=[2001:db8:1:2::b]:1" ), 0 );
	warden_throttle_set_ipv6_prefix( NULL, 64 );
	warden_throttle_free( t );
}
END_TEST

START_TEST( th_ipv4_and_mapped_counted_by_address )
{
	warden_throttle *t = warden_throttle_new( 256 );
	unsigned bits[] = { 16, 64, 128 };
	size_t i;

	for ( i = 0; i < sizeof( bits ) / sizeof( bits[0] ); i++ ) {
		/* a mapped address is its IPv4 address, whatever the prefix:
		 * its neighbours are other clients */
		ck_assert_uint_eq( th_together( t, bits[i], "IP=[::ffff:192.0.2.7]:1",
			"IP=192.0.2.7:2" ), 2 );
		ck_assert_uint_eq( th_together( t, bits[i], "IP=[::ffff:192.0.2.7]:1",
			"IP=[::ffff:192.0.2.8]:1" ), 0 );
		ck_assert_uint_eq( th_together( t, bits[i], "IP=192.0.2.7:1",
			"IP=192.0.2.8:1" ), 0 );
	}
	warden_throttle_free( t );
}
END_TEST

START_TEST( th_ipv6_zone_and_junk )
{
	warden_throttle *t = warden_throttle_new( 256 );

	/* a zone names the link, not the client */
	ck_assert_uint_eq( th_together( t, 64, "IP=[fe80::1%eth0]:1",
		"IP=[fe80::2]:1" ), 2 );
	/* brackets that hold no address: kept as they are, not merged */
	ck_assert_uint_eq( th_together( t, 64, "IP=[not-an-address]:1",
		"IP=[NOT-an-address]:2" ), 2 );
	ck_assert_uint_eq( th_together( t, 64, "IP=[not-an-address]:1",
		"IP=[::]:1" ), 0 );
	warden_throttle_free( t );
}
END_TEST

Suite *
throttle_suite( void )
{
	Suite *s = suite_create( "throttle" );
	TCase *tc = tcase_create( "addresses" );

	tcase_add_test( tc, th_new_and_free );
	tcase_add_test( tc, th_count_does_not_record );
	tcase_add_test( tc, th_port_stripped_address_kept );
	tcase_add_test( tc, th_long_address_is_cut_not_overflowed );
	tcase_add_test( tc, th_window_boundaries );
	tcase_add_loop_test( tc, th_estimate_within_bounds, 0, 8 );
	tcase_add_test( tc, th_eviction_least_recently_used );
	tcase_add_test( tc, th_threads_count_exactly );
	tcase_add_test( tc, th_ipv6_counted_by_prefix );
	tcase_add_test( tc, th_ipv4_and_mapped_counted_by_address );
	tcase_add_test( tc, th_ipv6_zone_and_junk );
	suite_add_tcase( s, tc );
	return s;
}
