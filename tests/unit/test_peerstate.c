/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* Other providers' lockout facts (backend/peerstate.c) and the lockstate
 * functions they drive: the merged view (what counts, which lock holds),
 * the records per (user, serverID), and a peer's reset or lock applied to
 * this server's own record. */

#include <stdlib.h>
#include <string.h>

#include <lmdb.h>

#include "peerstate.h"
#include "suites.h"

#define PS_SEC		((warden_time)1000000)
#define PS_T0		( (warden_time)1700000000 * PS_SEC )

static char ps_msg[512];
static const unsigned char ps_u1[WARDEN_UUID_LEN] =
	{ 1, 2, 3, 4, 5, 6, 0x47, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
static const unsigned char ps_u2[WARDEN_UUID_LEN] =
	{ 1, 2, 3, 4, 5, 6, 0x47, 8, 9, 10, 11, 12, 13, 14, 15, 17 };

static warden_lock_policy
ps_policy( unsigned max, warden_time interval )
{
	warden_lock_policy lp;

	memset( &lp, 0, sizeof( lp ) );
	lp.lp_lockout = 1;
	lp.lp_max_failure = max;
	lp.lp_interval = interval;
	lp.lp_duration = 300 * PS_SEC;
	return lp;
}

static warden_peer_rec
ps_rec( unsigned sid, unsigned nfail, warden_time first, warden_time step )
{
	warden_peer_rec r;
	unsigned i;

	memset( &r, 0, sizeof( r ) );
	r.pr_sid = sid;
	r.pr_nfail = nfail;
	for ( i = 0; i < nfail; i++ ) r.pr_fail[i] = first + i * step;
	return r;
}

START_TEST( test_view_counts_other_servers_after_the_latest_reset )
{
	warden_lock_policy lp = ps_policy( 3, 300 * PS_SEC );
	warden_peer_rec r[3];
	warden_peer_view v;

	r[0] = ps_rec( 1, 2, PS_T0, PS_SEC );		/* this server: not counted here */
	r[1] = ps_rec( 2, 2, PS_T0 + 10 * PS_SEC, PS_SEC );
	r[2] = ps_rec( 3, 1, PS_T0 + 20 * PS_SEC, 0 );
	warden_peer_view_of( r, 3, 1, 0, &lp, PS_T0 + 30 * PS_SEC, &v );
	ck_assert_uint_eq( v.pv_count, 3 );
	ck_assert( !v.pv_locked_at );
	/* server 3 reset after server 2's failures: only later ones count */
	r[2].pr_reset = PS_T0 + 15 * PS_SEC;
	warden_peer_view_of( r, 3, 1, 0, &lp, PS_T0 + 30 * PS_SEC, &v );
	ck_assert_uint_eq( v.pv_count, 1 );
	ck_assert_int_eq( v.pv_base, PS_T0 + 15 * PS_SEC );
	/* this server's own reset counts for the others' failures too */
	r[0].pr_reset = PS_T0 + 25 * PS_SEC;
	warden_peer_view_of( r, 3, 1, 0, &lp, PS_T0 + 30 * PS_SEC, &v );
	ck_assert_uint_eq( v.pv_count, 0 );
	/* and so does its own last lock */
	r[0].pr_reset = 0;
	warden_peer_view_of( r, 3, 1, PS_T0 + 21 * PS_SEC, &lp, PS_T0 + 30 * PS_SEC, &v );
	ck_assert_uint_eq( v.pv_count, 0 );
}
END_TEST

START_TEST( test_view_drops_failures_older_than_the_interval )
{
	warden_lock_policy lp = ps_policy( 3, 60 * PS_SEC );
	warden_peer_rec r = ps_rec( 2, 3, PS_T0, 30 * PS_SEC );
	warden_peer_view v;

	warden_peer_view_of( &r, 1, 1, 0, &lp, PS_T0 + 61 * PS_SEC, &v );
	ck_assert_uint_eq( v.pv_count, 2 );
	lp.lp_interval = 0;		/* until a success */
	warden_peer_view_of( &r, 1, 1, 0, &lp, PS_T0 + 3600 * PS_SEC, &v );
	ck_assert_uint_eq( v.pv_count, 3 );
}
END_TEST

START_TEST( test_view_lock_holds_until_its_end_or_a_later_reset )
{
	warden_lock_policy lp = ps_policy( 3, 0 );
	warden_peer_rec r[2];
	warden_peer_view v;

	r[0] = ps_rec( 1, 0, 0, 0 );
	r[1] = ps_rec( 2, 3, PS_T0, PS_SEC );
	r[1].pr_locked_at = PS_T0 + 2 * PS_SEC;
	r[1].pr_locked_until = PS_T0 + 302 * PS_SEC;
	warden_peer_view_of( r, 2, 1, 0, &lp, PS_T0 + 10 * PS_SEC, &v );
	ck_assert_int_eq( v.pv_locked_at, PS_T0 + 2 * PS_SEC );
	ck_assert_int_eq( v.pv_locked_until, PS_T0 + 302 * PS_SEC );
	/* the failures that caused it are paid for */
	ck_assert_uint_eq( v.pv_count, 0 );
	/* ended */
	warden_peer_view_of( r, 2, 1, 0, &lp, PS_T0 + 302 * PS_SEC, &v );
	ck_assert( !v.pv_locked_at );
	/* an unlock on this server after it */
	r[0].pr_reset = PS_T0 + 5 * PS_SEC;
	warden_peer_view_of( r, 2, 1, 0, &lp, PS_T0 + 10 * PS_SEC, &v );
	ck_assert( !v.pv_locked_at );
	/* its own lock is not a peer's: this server's store holds it */
	r[0].pr_reset = 0;
	warden_peer_view_of( r, 2, 2, 0, &lp, PS_T0 + 10 * PS_SEC, &v );
	ck_assert( !v.pv_locked_at );
}
END_TEST

START_TEST( test_records_per_user_and_server )
{
	char *dir = tu_tmpdir();
	warden_store *st = NULL;
	warden_peer_rec r, got[WARDEN_PEER_MAX];
	unsigned n;

	ck_assert_int_eq( warden_store_open( dir, &st, ps_msg, sizeof( ps_msg ) ), 0 );
	ck_assert_int_eq( warden_peer_get( st, ps_u1, 2, &r, ps_msg, sizeof( ps_msg ) ),
		WARDEN_LOCK_NOTFOUND );
	r = ps_rec( 2, 3, PS_T0, PS_SEC );
	r.pr_reset = PS_T0 - PS_SEC;
	r.pr_locked_at = PS_T0 + 2 * PS_SEC;
	r.pr_locked_until = WARDEN_FOREVER;
	ck_assert_int_eq( warden_peer_put( st, ps_u1, &r, ps_msg, sizeof( ps_msg ) ), 0 );
	r = ps_rec( 300, 1, PS_T0, 0 );
	ck_assert_int_eq( warden_peer_put( st, ps_u1, &r, ps_msg, sizeof( ps_msg ) ), 0 );
	r = ps_rec( 1, 1, PS_T0, 0 );
	ck_assert_int_eq( warden_peer_put( st, ps_u2, &r, ps_msg, sizeof( ps_msg ) ), 0 );

	ck_assert_int_eq( warden_peer_list( st, ps_u1, got, WARDEN_PEER_MAX, &n,
		ps_msg, sizeof( ps_msg ) ), 0 );
	ck_assert_uint_eq( n, 2 );
	ck_assert_uint_eq( got[0].pr_sid, 2 );
	ck_assert_uint_eq( got[1].pr_sid, 300 );
	ck_assert_uint_eq( got[0].pr_nfail, 3 );
	ck_assert_int_eq( got[0].pr_fail[2], PS_T0 + 2 * PS_SEC );
	ck_assert_int_eq( got[0].pr_locked_until, WARDEN_FOREVER );
	ck_assert_int_eq( got[0].pr_reset, PS_T0 - PS_SEC );
	r = got[0];
	ck_assert( warden_peer_same( &r, &got[0] ) );
	r.pr_fail[1]++;
	ck_assert( !warden_peer_same( &r, &got[0] ) );

	ck_assert_int_eq( warden_peer_del( st, ps_u1, 300, ps_msg, sizeof( ps_msg ) ), 0 );
	ck_assert_int_eq( warden_peer_del( st, ps_u1, 300, ps_msg, sizeof( ps_msg ) ),
		WARDEN_LOCK_NOTFOUND );
	ck_assert_int_eq( warden_peer_purge( st, ps_u1, ps_msg, sizeof( ps_msg ) ), 0 );
	ck_assert_int_eq( warden_peer_list( st, ps_u1, got, WARDEN_PEER_MAX, &n,
		ps_msg, sizeof( ps_msg ) ), 0 );
	ck_assert_uint_eq( n, 0 );
	/* the neighbour's records stay */
	ck_assert_int_eq( warden_peer_list( st, ps_u2, got, WARDEN_PEER_MAX, &n,
		ps_msg, sizeof( ps_msg ) ), 0 );
	ck_assert_uint_eq( n, 1 );
	warden_store_close( st );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

START_TEST( test_peer_reset_and_lock_applied_to_the_own_record )
{
	char *dir = tu_tmpdir();
	warden_store *st = NULL;
	warden_lock_policy lp = ps_policy( 5, 0 );
	warden_lock_state s;
	int locked = 0;

	ck_assert_int_eq( warden_store_open( dir, &st, ps_msg, sizeof( ps_msg ) ), 0 );
	ck_assert_int_eq( warden_lock_reset_before( st, ps_u1, PS_T0, 1, ps_msg,
		sizeof( ps_msg ) ), WARDEN_LOCK_NOTFOUND );
	ck_assert_int_eq( warden_lock_fail( st, ps_u1, &lp, PS_T0, &s, &locked,
		ps_msg, sizeof( ps_msg ) ), 0 );
	ck_assert_int_eq( warden_lock_fail( st, ps_u1, &lp, PS_T0 + 2 * PS_SEC, &s,
		&locked, ps_msg, sizeof( ps_msg ) ), 0 );
	/* a peer's lock at T0+1: the failure before it is paid for */
	ck_assert_int_eq( warden_lock_reset_before( st, ps_u1, PS_T0 + PS_SEC, 0,
		ps_msg, sizeof( ps_msg ) ), 0 );
	ck_assert_int_eq( warden_lock_get( st, ps_u1, &s, ps_msg, sizeof( ps_msg ) ), 0 );
	ck_assert_uint_eq( s.ls_nfail, 1 );
	/* the failures of all servers reach the limit: locked here too */
	ck_assert_int_eq( warden_lock_force( st, ps_u1, &lp, PS_T0 + 3 * PS_SEC, &s,
		&locked, ps_msg, sizeof( ps_msg ) ), 0 );
	ck_assert_int_eq( locked, 1 );
	ck_assert( warden_lock_is_locked( &s, PS_T0 + 4 * PS_SEC ) );
	ck_assert_uint_eq( s.ls_nlocks, 1 );
	ck_assert_int_eq( warden_lock_force( st, ps_u1, &lp, PS_T0 + 4 * PS_SEC, &s,
		&locked, ps_msg, sizeof( ps_msg ) ), 0 );
	ck_assert_int_eq( locked, 0 );		/* already */
	/* a peer's lock does not end this one; a peer's reset does */
	ck_assert_int_eq( warden_lock_reset_before( st, ps_u1, PS_T0 + 5 * PS_SEC, 0,
		ps_msg, sizeof( ps_msg ) ), 0 );
	ck_assert_int_eq( warden_lock_get( st, ps_u1, &s, ps_msg, sizeof( ps_msg ) ), 0 );
	ck_assert( warden_lock_is_locked( &s, PS_T0 + 6 * PS_SEC ) );
	ck_assert_int_eq( warden_lock_reset_before( st, ps_u1, PS_T0 + 5 * PS_SEC, 1,
		ps_msg, sizeof( ps_msg ) ), 0 );
	ck_assert_int_eq( warden_lock_get( st, ps_u1, &s, ps_msg, sizeof( ps_msg ) ), 0 );
	ck_assert( !warden_lock_is_locked( &s, PS_T0 + 6 * PS_SEC ) );
	ck_assert_uint_eq( s.ls_nfail, 0 );
	ck_assert_uint_eq( s.ls_nlocks, 1 );	/* back-off history stays */
	warden_store_close( st );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

Suite *
peerstate_suite( void )
{
	Suite *s = suite_create( "peerstate" );
	TCase *tc = tcase_create( "core" );

	tcase_add_test( tc, test_view_counts_other_servers_after_the_latest_reset );
	tcase_add_test( tc, test_view_drops_failures_older_than_the_interval );
	tcase_add_test( tc, test_view_lock_holds_until_its_end_or_a_later_reset );
	tcase_add_test( tc, test_records_per_user_and_server );
	tcase_add_test( tc, test_peer_reset_and_lock_applied_to_the_own_record );
	suite_add_tcase( s, tc );
	return s;
}
