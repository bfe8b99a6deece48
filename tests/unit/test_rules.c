/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* The engines' decisions at bind, without slapd: is this account locked
 * (lockrule.h), which systems decide and do they allow this user
 * (accessrule.h), is a code required (mfarule.h). */

#include <string.h>

#include "lockrule.h"
#include "accessrule.h"
#include "mfarule.h"
#include "suites.h"

#define S	((warden_time)1000000)
#define T0	( (warden_time)1700000000 * S )	/* now, in the tests */

/* --- lockrule ------------------------------------------------------------ */

static warden_lock_policy
lp_lockout( unsigned max, warden_time duration )
{
	warden_lock_policy lp;

	memset( &lp, 0, sizeof( lp ) );
	lp.lp_lockout = 1;
	lp.lp_max_failure = max;
	lp.lp_duration = duration;
	return lp;
}

START_TEST( locked_by_the_store )
{
	warden_lock_state st;
	warden_lock_policy lp = lp_lockout( 3, 60 * S );

	memset( &st, 0, sizeof( st ) );
	ck_assert_int_eq( warden_lockrule_locked( &st, 0, 0, 0, &lp, T0 ),
		WARDEN_LOCKRULE_OPEN );
	st.ls_locked_at = T0 - 10 * S;
	st.ls_locked_until = T0 + 50 * S;
	st.ls_last_lock = st.ls_locked_at;
	ck_assert_int_eq( warden_lockrule_locked( &st, 1, 0, 0, &lp, T0 ),
		WARDEN_LOCKRULE_STORE );
	/* the store decides whatever the policy says now */
	ck_assert_int_eq( warden_lockrule_locked( &st, 1, 0, 0, NULL, T0 ),
		WARDEN_LOCKRULE_STORE );
	/* expired */
	ck_assert_int_eq( warden_lockrule_locked( &st, 1, 0, 0, &lp, T0 + 50 * S ),
		WARDEN_LOCKRULE_OPEN );
}
END_TEST

START_TEST( locked_by_the_entry )
{
	warden_lock_state st;
	warden_lock_policy lp = lp_lockout( 3, 60 * S ), off = lp;
	time_t stamp = (time_t)( T0 / S ) - 10;

	memset( &st, 0, sizeof( st ) );
	off.lp_lockout = 0;
	/* 000001010000Z: until unlocked, with or without a policy */
	ck_assert_int_eq( warden_lockrule_locked( &st, 0, -1, 0, NULL, T0 ),
		WARDEN_LOCKRULE_ENTRY );
	ck_assert_int_eq( warden_lockrule_locked( &st, 0, -1, 0, &off, T0 ),
		WARDEN_LOCKRULE_ENTRY );
	/* a time: for pwdLockoutDuration, under a policy that locks */
	ck_assert_int_eq( warden_lockrule_locked( &st, 0, stamp, 0, &lp, T0 ),
		WARDEN_LOCKRULE_ENTRY );
	ck_assert_int_eq( warden_lockrule_locked( &st, 0, stamp, 0, &lp, T0 + 50 * S ),
		WARDEN_LOCKRULE_OPEN );
	ck_assert_int_eq( warden_lockrule_locked( &st, 0, stamp, 0, NULL, T0 ),
		WARDEN_LOCKRULE_OPEN );
	ck_assert_int_eq( warden_lockrule_locked( &st, 0, stamp, 0, &off, T0 ),
		WARDEN_LOCKRULE_OPEN );
	ck_assert( warden_lockrule_entry_locks( stamp, &lp, T0 ) );
	ck_assert( !warden_lockrule_entry_locks( stamp, &lp, T0 + 50 * S ) );
	ck_assert( !warden_lockrule_entry_locks( 0, &lp, T0 ) );
	ck_assert( warden_lockrule_entry_locks( -1, NULL, T0 ) );
	/* pwdLockoutDuration 0: until unlocked */
	lp.lp_duration = 0;
	ck_assert_int_eq( warden_lockrule_locked( &st, 0, stamp - 86400, 0, &lp, T0 ),
		WARDEN_LOCKRULE_ENTRY );
}
END_TEST

START_TEST( entry_stamp_older_than_the_stores_lock_is_lifted )
{
	warden_lock_state st;
	warden_lock_policy lp = lp_lockout( 3, 0 );
	time_t stamp = (time_t)( T0 / S ) - 100;

	/* the store locked after the stamp and lifted it since (an
	 * unlock): the stamp does not bring the lock back */
	memset( &st, 0, sizeof( st ) );
	st.ls_nlocks = 1;
	st.ls_last_lock = T0 - 50 * S;
	ck_assert_int_eq( warden_lockrule_locked( &st, 1, stamp, 0, &lp, T0 ),
		WARDEN_LOCKRULE_OPEN );
	/* a stamp newer than the store's last lock (a replica's, or set by
	 * hand) locks */
	st.ls_last_lock = T0 - 200 * S;
	ck_assert_int_eq( warden_lockrule_locked( &st, 1, stamp, 0, &lp, T0 ),
		WARDEN_LOCKRULE_ENTRY );
	/* no record in the store: the stamp decides */
	ck_assert_int_eq( warden_lockrule_locked( &st, 0, stamp, 0, &lp, T0 ),
		WARDEN_LOCKRULE_ENTRY );
	/* another provider's lock holds whatever the entry says */
	ck_assert_int_eq( warden_lockrule_locked( &st, 0, 0, T0 - S, &lp, T0 ),
		WARDEN_LOCKRULE_PEER );
	ck_assert_int_eq( warden_lockrule_locked( &st, 0, 0, T0 - S, NULL, T0 ),
		WARDEN_LOCKRULE_PEER );
}
END_TEST

START_TEST( dormant_after_max_idle )
{
	warden_lock_policy lp = lp_lockout( 3, 60 * S );
	time_t t0 = (time_t)( T0 / S );

	/* no pwdMaxIdle, no policy, no known activity: never dormant */
	ck_assert( !warden_lockrule_dormant( t0 - 1000 * 86400, &lp, T0 ) );
	ck_assert( !warden_lockrule_dormant( t0 - 1000 * 86400, NULL, T0 ) );
	lp.lp_max_idle = 30 * 86400 * S;
	ck_assert( !warden_lockrule_dormant( 0, &lp, T0 ) );
	/* up to pwdMaxIdle after the last activity, then dormant */
	ck_assert( !warden_lockrule_dormant( t0 - 29 * 86400, &lp, T0 ) );
	ck_assert( !warden_lockrule_dormant( t0 - 30 * 86400, &lp, T0 ) );
	ck_assert( warden_lockrule_dormant( t0 - 30 * 86400 - 1, &lp, T0 ) );
	/* activity in the future (a clock set back): not dormant */
	ck_assert( !warden_lockrule_dormant( t0 + 3600, &lp, T0 ) );
}
END_TEST

START_TEST( admits_below_the_threshold_with_pending )
{
	warden_lock_state st;
	warden_lock_policy lp = lp_lockout( 3, 60 * S );

	memset( &st, 0, sizeof( st ) );
	ck_assert( warden_lockrule_admits( &st, &lp, 0, 0, T0 ) );
	ck_assert( warden_lockrule_admits( &st, &lp, 0, 2, T0 ) );
	/* three under way: the third failure would lock, a fourth may not
	 * be verified */
	ck_assert( !warden_lockrule_admits( &st, &lp, 0, 3, T0 ) );
	st.ls_nfail = 2;
	st.ls_fail[0] = T0 - 2 * S;
	st.ls_fail[1] = T0 - S;
	ck_assert( warden_lockrule_admits( &st, &lp, 0, 0, T0 ) );
	ck_assert( !warden_lockrule_admits( &st, &lp, 0, 1, T0 ) );
	/* with one failure on another provider the next one locks: none
	 * more may be verified here */
	ck_assert( warden_lockrule_admits( &st, &lp, 1, 0, T0 ) );
	ck_assert( !warden_lockrule_admits( &st, &lp, 1, 1, T0 ) );
	/* failures past pwdFailureCountInterval do not count */
	lp.lp_interval = S;
	ck_assert( warden_lockrule_admits( &st, &lp, 0, 2, T0 ) );
	/* a policy lowered below the count: one attempt at a time */
	lp = lp_lockout( 1, 60 * S );
	ck_assert( warden_lockrule_admits( &st, &lp, 0, 0, T0 ) );
	ck_assert( !warden_lockrule_admits( &st, &lp, 0, 1, T0 ) );
	/* no limit */
	lp.lp_lockout = 0;
	ck_assert( warden_lockrule_admits( &st, &lp, 0, 1000, T0 ) );
	lp = lp_lockout( 0, 60 * S );
	ck_assert( warden_lockrule_admits( &st, &lp, 0, 1000, T0 ) );
	/* above WARDEN_FAIL_MAX: at it */
	lp = lp_lockout( 1000, 60 * S );
	memset( &st, 0, sizeof( st ) );
	ck_assert( warden_lockrule_admits( &st, &lp, 0, WARDEN_FAIL_MAX - 1, T0 ) );
	ck_assert( !warden_lockrule_admits( &st, &lp, 0, WARDEN_FAIL_MAX, T0 ) );
}
END_TEST

/* --- accessrule ---------------------------------------------------------- */

static warden_cidr
net( const char *s )
{
	warden_cidr c;
	char m[128];

	ck_assert_msg( !warden_cidr_parse( s, strlen( s ), &c, m, sizeof( m ) ),
		"%s: %s", s, m );
	return c;
}

START_TEST( most_specific_systems_decide )
{
	warden_cidr wide = net( "10.0.0.0/8" ), lan = net( "10.1.0.0/16" ),
		lan2 = net( "10.1.0.0/16" ), host = net( "10.1.2.3" ),
		v6 = net( "2001:db8::/32" ), a = net( "10.1.2.3" ),
		b = net( "10.9.9.9" ), c = net( "192.0.2.1" );
	warden_access_rule r[5] = {
		{ &wide, 1, 0 }, { &lan, 1, 0 }, { &lan2, 1, 0 },
		{ &host, 1, 0 }, { &v6, 1, 0 } };
	unsigned char d[5];

	/* the host's own entry beats the ranges that cover it */
	ck_assert_int_eq( warden_accessrule_match( r, 5, &a, d ), 1 );
	ck_assert( !d[0] && !d[1] && !d[2] && d[3] && !d[4] );
	/* without it, the two equal /16 decide together */
	ck_assert_int_eq( warden_accessrule_match( r, 3, &a, d ), 2 );
	ck_assert( !d[0] && d[1] && d[2] );
	/* only the /8 covers this one */
	ck_assert_int_eq( warden_accessrule_match( r, 5, &b, d ), 1 );
	ck_assert( d[0] && !d[1] && !d[3] );
	/* none */
	ck_assert_int_eq( warden_accessrule_match( r, 5, &c, d ), 0 );
	ck_assert( !d[0] && !d[1] && !d[2] && !d[3] && !d[4] );
	/* no address (ldapi): only a certificate can match */
	ck_assert_int_eq( warden_accessrule_match( r, 5, NULL, d ), 0 );
}
END_TEST

START_TEST( certificate_beats_every_network )
{
	warden_cidr host = net( "10.1.2.3" ), a = net( "10.1.2.3" );
	warden_access_rule r[3] = { { &host, 1, 0 }, { NULL, 0, 1 },
		{ NULL, 0, 0 } };
	unsigned char d[3];

	ck_assert_int_eq( warden_accessrule_specificity( &r[1], &a ),
		WARDEN_ACCESS_SPEC_CERT );
	ck_assert_int_eq( warden_accessrule_specificity( &r[0], &a ), 32 );
	ck_assert_int_eq( warden_accessrule_specificity( &r[2], &a ), -1 );
	ck_assert_int_eq( warden_accessrule_match( r, 3, &a, d ), 1 );
	ck_assert( !d[0] && d[1] && !d[2] );
	ck_assert_int_eq( warden_accessrule_match( r, 3, NULL, d ), 1 );
	ck_assert( d[1] );
}
END_TEST

START_TEST( verdict_follows_membership_or_the_default )
{
	/* no system decides: warden-access-default */
	ck_assert( warden_accessrule_allows( 0, 1, 0 ) );
	ck_assert( !warden_accessrule_allows( 0, 0, 1 ) );
	/* a system decides: its groups, whatever the default */
	ck_assert( warden_accessrule_allows( 2, 0, 1 ) );
	ck_assert( !warden_accessrule_allows( 1, 1, 0 ) );
}
END_TEST

/* --- mfarule ------------------------------------------------------------- */

START_TEST( code_required_by_policy_groups_and_token )
{
	warden_mfa_rule none = { 0, 1, 2, 0 }, req = { 1, 1, 0, 0 },
		grp = { 1, 0, 2, 0 }, off = { 1, 0, 0, 0 };

	/* no policy: nothing is required, whatever it would say */
	ck_assert( !warden_mfarule_policy_asks( &none ) );
	ck_assert( !warden_mfarule_required( &none, 1, 1 ) );
	/* wardenMFARequired: everyone, without a group walk */
	ck_assert( warden_mfarule_policy_asks( &req ) );
	ck_assert( !warden_mfarule_needs_groups( &req ) );
	ck_assert( warden_mfarule_required( &req, 0, 0 ) );
	/* wardenMFAGroup: members, and a walk that gave up (fail closed) */
	ck_assert( warden_mfarule_needs_groups( &grp ) );
	ck_assert( warden_mfarule_required( &grp, 1, 0 ) );
	ck_assert( !warden_mfarule_required( &grp, 0, 0 ) );
	ck_assert( warden_mfarule_required( &grp, 0, 1 ) );
	/* a policy without MFA */
	ck_assert( !warden_mfarule_policy_asks( &off ) );
	ck_assert( !warden_mfarule_required( &off, 1, 1 ) );
	/* asked at bind: a token always; else required and out of grace */
	ck_assert( warden_mfarule_code_asked( 1, 0, 0 ) );
	ck_assert( warden_mfarule_code_asked( 1, 1, 1 ) );
	ck_assert( warden_mfarule_code_asked( 0, 1, 0 ) );
	ck_assert( !warden_mfarule_code_asked( 0, 1, 1 ) );
	ck_assert( !warden_mfarule_code_asked( 0, 0, 0 ) );
}
END_TEST

START_TEST( grace_period_runs_from_its_start )
{
	warden_mfa_rule r = { 1, 1, 0, 3600 }, no = { 1, 1, 0, 0 };
	time_t t = 1700000000;

	ck_assert( warden_mfarule_in_grace( &r, t, t ) );
	ck_assert( warden_mfarule_in_grace( &r, t, t + 3599 ) );
	ck_assert( !warden_mfarule_in_grace( &r, t, t + 3600 ) );
	ck_assert( !warden_mfarule_in_grace( &no, t, t ) );
}
END_TEST

Suite *
rules_suite( void )
{
	Suite *s = suite_create( "rules" );
	TCase *tc = tcase_create( "lockrule" );

	tcase_add_test( tc, locked_by_the_store );
	tcase_add_test( tc, dormant_after_max_idle );
	tcase_add_test( tc, locked_by_the_entry );
	tcase_add_test( tc, entry_stamp_older_than_the_stores_lock_is_lifted );
	tcase_add_test( tc, admits_below_the_threshold_with_pending );
	suite_add_tcase( s, tc );
	tc = tcase_create( "accessrule" );
	tcase_add_test( tc, most_specific_systems_decide );
	tcase_add_test( tc, certificate_beats_every_network );
	tcase_add_test( tc, verdict_follows_membership_or_the_default );
	suite_add_tcase( s, tc );
	tc = tcase_create( "mfarule" );
	tcase_add_test( tc, code_required_by_policy_groups_and_token );
	tcase_add_test( tc, grace_period_runs_from_its_start );
	suite_add_tcase( s, tc );
	return s;
}
