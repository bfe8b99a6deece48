/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* Repeated identical failures as one record with a count (auditagg.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>

#include "auditagg.h"
#include "suites.h"

static struct timespec
at( time_t s, long ms )
{
	struct timespec ts = { s, ms * 1000000L };

	return ts;
}

static size_t
nout( warden_auditagg_out *o )
{
	size_t n = 0;

	for ( ; o; o = o->ao_next ) n++;
	return n;
}

/* the first of a burst is written, the rest counted, the count written
 * when the interval ends: with the first counted one's record */
START_TEST( burst_counted )
{
	warden_auditagg *g = warden_auditagg_new( 0 );
	warden_auditagg_out *out = NULL;
	struct timespec t;
	int i;

	t = at( 1000, 0 );
	ck_assert_int_eq( warden_auditagg_note( g, "k", 1, "{\"n\":0}", 7, &t, 10,
		&out ), 1 );
	for ( i = 1; i <= 5000; i++ ) {
		char rec[32];
		int n = snprintf( rec, sizeof( rec ), "{\"n\":%d}", i );

		t = at( 1000 + i / 1000, i % 1000 );
		ck_assert_int_eq( warden_auditagg_note( g, "k", 1, rec, n, &t, 10,
			&out ), 0 );
	}
	ck_assert_ptr_null( out );
	t = at( 1009, 999 );
	warden_auditagg_flush( g, &t, 10, &out );
	ck_assert_ptr_null( out );
	t = at( 1010, 0 );
	warden_auditagg_flush( g, &t, 10, &out );
	ck_assert_uint_eq( nout( out ), 1 );
	ck_assert_str_eq( out->ao_rec, "{\"n\":1,\"warden.aggregated\":true,"
		"\"event.count\":5000,\"event.start\":\"1970-01-01T00:16:40.001000Z\","
		"\"event.end\":\"1970-01-01T00:16:45.000000Z\"}" );
	ck_assert_uint_eq( out->ao_len, strlen( out->ao_rec ) );
	warden_auditagg_out_free( out );
	out = NULL;
	ck_assert_uint_eq( warden_auditagg_count( g ), 0 );
	/* a new burst: written at once */
	t = at( 1011, 0 );
	ck_assert_int_eq( warden_auditagg_note( g, "k", 1, "{}", 2, &t, 10, &out ), 1 );
	warden_auditagg_free( g );
}
END_TEST

/* a lone failure leaves no aggregated record; keys are apart */
START_TEST( keys_apart )
{
	warden_auditagg *g = warden_auditagg_new( 0 );
	warden_auditagg_out *out = NULL;
	struct timespec t = at( 5, 0 );

	ck_assert_int_eq( warden_auditagg_note( g, "a\0x", 3, "{}", 2, &t, 10, &out ), 1 );
	ck_assert_int_eq( warden_auditagg_note( g, "a\0y", 3, "{}", 2, &t, 10, &out ), 1 );
	ck_assert_int_eq( warden_auditagg_note( g, "a\0x", 3, "{}", 2, &t, 10, &out ), 0 );
	warden_auditagg_flush( g, NULL, 10, &out );	/* shutdown */
	ck_assert_uint_eq( nout( out ), 1 );
	ck_assert_ptr_nonnull( strstr( out->ao_rec, "\"event.count\":1," ) );
	warden_auditagg_out_free( out );
	/* interval 0: everything written */
	ck_assert_int_eq( warden_auditagg_note( g, "a", 1, "{}", 2, &t, 0, &out ), 1 );
	ck_assert_int_eq( warden_auditagg_note( g, "a", 1, "{}", 2, &t, 0, &out ), 1 );
	warden_auditagg_free( g );
}
END_TEST

/* the key's next failure after the interval ends its burst; a full table
 * ends the oldest: never a count lost */
START_TEST( ended_and_evicted )
{
	warden_auditagg *g = warden_auditagg_new( 2 );
	warden_auditagg_out *out = NULL;
	struct timespec t = at( 100, 0 );
	unsigned long total = 0;
	warden_auditagg_out *o;
	int i, written = 0;

	for ( i = 0; i < 3000; i++ ) {
		char key[2] = { (char)( 'a' + i % 3 ), 0 };

		t = at( 100 + i / 100, 0 );
		written += warden_auditagg_note( g, key, 1, "{\"x\":1}", 7, &t, 5, &out );
		ck_assert_uint_le( warden_auditagg_count( g ), 2 );
	}
	warden_auditagg_flush( g, NULL, 5, &out );
	for ( o = out; o; o = o->ao_next ) {
		const char *c = strstr( o->ao_rec, "\"event.count\":" );

		ck_assert_ptr_nonnull( c );
		total += strtoul( c + 14, NULL, 10 );
	}
	ck_assert_uint_eq( total + written, 3000 );
	warden_auditagg_out_free( out );
	warden_auditagg_free( g );
}
END_TEST

Suite *
auditagg_suite( void )
{
	Suite *s = suite_create( "auditagg" );
	TCase *tc = tcase_create( "core" );

	tcase_add_test( tc, burst_counted );
	tcase_add_test( tc, keys_apart );
	tcase_add_test( tc, ended_and_evicted );
	suite_add_tcase( s, tc );
	return s;
}
