/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* The Account Usability control's decisions (overlay/lib/usability.h). */

#include "suites.h"
#include "usability.h"

#define DAY	86400LL
#define NOW	1800000000LL

/* an account under no lock, with a password changed ten days ago, under
 * pwdMaxAge 90 days and no idle limit */
static warden_usability_in
fresh( void )
{
	warden_usability_in in = {
		.ui_unlock_at = -1, .ui_idle_end = -1,
		.ui_expiry = { 90 * DAY, 7 * DAY, 0, 0 },
		.ui_changed = NOW - 10 * DAY, .ui_now = NOW };
	return in;
}

START_TEST( available_with_seconds_to_expiry )
{
	warden_usability_in in = fresh();
	warden_usability u;

	warden_usability_decide( &in, &u );
	ck_assert_int_eq( u.u_available, 1 );
	ck_assert_int_eq( u.u_expire, 80 * DAY );
	/* no pwdMaxAge, or no pwdChangedTime: never expires */
	in.ui_expiry.ep_max_age = 0;
	warden_usability_decide( &in, &u );
	ck_assert_int_eq( u.u_available, 1 );
	ck_assert_int_eq( u.u_expire, -1 );
	in = fresh();
	in.ui_changed = -1;
	warden_usability_decide( &in, &u );
	ck_assert_int_eq( u.u_expire, -1 );
	/* a change time from the future is a new password */
	in = fresh();
	in.ui_changed = NOW + DAY;
	warden_usability_decide( &in, &u );
	ck_assert_int_eq( u.u_expire, 90 * DAY );
	/* exactly pwdMaxAge old: still good, as a bind decides */
	in.ui_changed = NOW - 90 * DAY;
	warden_usability_decide( &in, &u );
	ck_assert_int_eq( u.u_available, 1 );
	ck_assert_int_eq( u.u_expire, 0 );
}
END_TEST

START_TEST( idle_limit_comes_first )
{
	warden_usability_in in = fresh();
	warden_usability u;

	in.ui_idle_end = NOW + 3 * DAY;
	warden_usability_decide( &in, &u );
	ck_assert_int_eq( u.u_available, 1 );
	ck_assert_int_eq( u.u_expire, 3 * DAY );
	/* the password ends first */
	in.ui_idle_end = NOW + 100 * DAY;
	warden_usability_decide( &in, &u );
	ck_assert_int_eq( u.u_expire, 80 * DAY );
	/* only the idle limit */
	in.ui_expiry.ep_max_age = 0;
	warden_usability_decide( &in, &u );
	ck_assert_int_eq( u.u_expire, 100 * DAY );
	/* dormant: expired, as ppolicy.la says of pwdMaxIdle; no grace */
	in = fresh();
	in.ui_dormant = 1;
	in.ui_idle_end = NOW - DAY;
	in.ui_expiry.ep_grace_limit = 3;
	warden_usability_decide( &in, &u );
	ck_assert_int_eq( u.u_available, 0 );
	ck_assert_int_eq( u.u_expired, 1 );
	ck_assert_int_eq( u.u_inactive, 0 );
	ck_assert_int_eq( u.u_grace, -1 );
	ck_assert_int_eq( u.u_unlock, -1 );
}
END_TEST

START_TEST( expired_with_and_without_grace )
{
	warden_usability_in in = fresh();
	warden_usability u;

	in.ui_changed = NOW - 91 * DAY;
	warden_usability_decide( &in, &u );
	ck_assert_int_eq( u.u_available, 0 );
	ck_assert_int_eq( u.u_expired, 1 );
	ck_assert_int_eq( u.u_grace, -1 );	/* no pwdGraceAuthNLimit */
	in.ui_expiry.ep_grace_limit = 3;
	warden_usability_decide( &in, &u );
	ck_assert_int_eq( u.u_grace, 3 );
	in.ui_grace_used = 2;
	warden_usability_decide( &in, &u );
	ck_assert_int_eq( u.u_grace, 1 );
	in.ui_grace_used = 3;
	warden_usability_decide( &in, &u );
	ck_assert_int_eq( u.u_expired, 1 );
	ck_assert_int_eq( u.u_grace, 0 );
	in.ui_grace_used = 9;
	warden_usability_decide( &in, &u );
	ck_assert_int_eq( u.u_grace, 0 );
	/* pwdGraceExpiry passed: none left */
	in.ui_grace_used = 0;
	in.ui_expiry.ep_grace_expiry = DAY / 2;
	warden_usability_decide( &in, &u );
	ck_assert_int_eq( u.u_grace, 0 );
	in.ui_expiry.ep_grace_expiry = 2 * DAY;
	warden_usability_decide( &in, &u );
	ck_assert_int_eq( u.u_grace, 3 );
}
END_TEST

START_TEST( locked_with_and_without_an_end )
{
	warden_usability_in in = fresh();
	warden_usability u;

	in.ui_locked = 1;
	in.ui_unlock_at = NOW + 300;
	warden_usability_decide( &in, &u );
	ck_assert_int_eq( u.u_available, 0 );
	ck_assert_int_eq( u.u_inactive, 1 );
	ck_assert_int_eq( u.u_unlock, 300 );
	ck_assert_int_eq( u.u_expired, 0 );
	ck_assert_int_eq( u.u_grace, -1 );
	/* until an administrator unlocks */
	in.ui_unlock_at = -1;
	warden_usability_decide( &in, &u );
	ck_assert_int_eq( u.u_inactive, 1 );
	ck_assert_int_eq( u.u_unlock, -1 );
	/* ending this second */
	in.ui_unlock_at = NOW;
	warden_usability_decide( &in, &u );
	ck_assert_int_eq( u.u_unlock, 0 );
	/* locked and expired: both said */
	in.ui_unlock_at = NOW + 10;
	in.ui_changed = NOW - 100 * DAY;
	in.ui_expiry.ep_grace_limit = 1;
	warden_usability_decide( &in, &u );
	ck_assert_int_eq( u.u_inactive, 1 );
	ck_assert_int_eq( u.u_expired, 1 );
	ck_assert_int_eq( u.u_grace, 1 );
	ck_assert_int_eq( u.u_unlock, 10 );
}
END_TEST

START_TEST( reset_is_not_available )
{
	warden_usability_in in = fresh();
	warden_usability u;

	in.ui_reset = 1;
	warden_usability_decide( &in, &u );
	ck_assert_int_eq( u.u_available, 0 );
	ck_assert_int_eq( u.u_reset, 1 );
	ck_assert_int_eq( u.u_inactive, 0 );
	ck_assert_int_eq( u.u_expired, 0 );
	ck_assert_int_eq( u.u_expire, -1 );
}
END_TEST

Suite *
usability_suite( void )
{
	Suite *s = suite_create( "usability" );
	TCase *tc = tcase_create( "decide" );

	tcase_add_test( tc, available_with_seconds_to_expiry );
	tcase_add_test( tc, idle_limit_comes_first );
	tcase_add_test( tc, expired_with_and_without_grace );
	tcase_add_test( tc, locked_with_and_without_an_end );
	tcase_add_test( tc, reset_is_not_available );
	suite_add_tcase( s, tc );
	return s;
}
