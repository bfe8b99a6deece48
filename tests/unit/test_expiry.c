/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* Password expiry decisions (overlay/lib/expiry.h). */

#include "suites.h"
#include "expiry.h"

#define DAY	86400LL
#define NOW	1800000000LL

static const warden_expiry_policy pol = { 90 * DAY, 7 * DAY, 2, 0 };

START_TEST( never_without_max_age_or_change_time )
{
	warden_expiry_policy none = { 0, 7 * DAY, 2, 0 };
	long long v = 99;

	ck_assert_int_eq( warden_expiry_decide( &none, NOW - 1000 * DAY, 0, NOW, &v ),
		WARDEN_EXPIRY_OK );
	ck_assert_int_eq( v, 0 );
	/* no pwdChangedTime: never expires, as with ppolicy.la */
	ck_assert_int_eq( warden_expiry_decide( &pol, -1, 0, NOW, &v ), WARDEN_EXPIRY_OK );
}
END_TEST

START_TEST( warning_window )
{
	long long v;

	ck_assert_int_eq( warden_expiry_decide( &pol, NOW - 10 * DAY, 0, NOW, &v ),
		WARDEN_EXPIRY_OK );
	/* six days left: inside the seven-day warning */
	ck_assert_int_eq( warden_expiry_decide( &pol, NOW - 84 * DAY, 0, NOW, &v ),
		WARDEN_EXPIRY_WARN );
	ck_assert_int_eq( v, 6 * DAY );
	/* exactly at pwdMaxAge: still valid, 0 seconds left */
	ck_assert_int_eq( warden_expiry_decide( &pol, NOW - 90 * DAY, 0, NOW, &v ),
		WARDEN_EXPIRY_WARN );
	ck_assert_int_eq( v, 0 );
	/* the edge of the window: exactly 7 days left is not inside */
	ck_assert_int_eq( warden_expiry_decide( &pol, NOW - 83 * DAY, 0, NOW, &v ),
		WARDEN_EXPIRY_OK );
	/* a change time in the future (clock skew): new */
	ck_assert_int_eq( warden_expiry_decide( &pol, NOW + DAY, 0, NOW, &v ),
		WARDEN_EXPIRY_OK );
}
END_TEST

START_TEST( grace_then_expired )
{
	warden_expiry_policy nograce = { 90 * DAY, 0, 0, 0 };
	warden_expiry_policy limited = { 90 * DAY, 0, 5, 2 * DAY };
	long long v;

	ck_assert_int_eq( warden_expiry_decide( &pol, NOW - 91 * DAY, 0, NOW, &v ),
		WARDEN_EXPIRY_GRACE );
	ck_assert_int_eq( v, 1 );
	ck_assert_int_eq( warden_expiry_decide( &pol, NOW - 91 * DAY, 1, NOW, &v ),
		WARDEN_EXPIRY_GRACE );
	ck_assert_int_eq( v, 0 );
	ck_assert_int_eq( warden_expiry_decide( &pol, NOW - 91 * DAY, 2, NOW, &v ),
		WARDEN_EXPIRY_EXPIRED );
	ck_assert_int_eq( warden_expiry_decide( &pol, NOW - 91 * DAY, 7, NOW, &v ),
		WARDEN_EXPIRY_EXPIRED );
	ck_assert_int_eq( warden_expiry_decide( &nograce, NOW - 91 * DAY, 0, NOW, &v ),
		WARDEN_EXPIRY_EXPIRED );
	/* pwdGraceExpiry: grace logins only within two days of expiry */
	ck_assert_int_eq( warden_expiry_decide( &limited, NOW - 91 * DAY, 0, NOW, &v ),
		WARDEN_EXPIRY_GRACE );
	ck_assert_int_eq( warden_expiry_decide( &limited, NOW - 93 * DAY, 0, NOW, &v ),
		WARDEN_EXPIRY_EXPIRED );
}
END_TEST

Suite *
expiry_suite( void )
{
	Suite *s = suite_create( "expiry" );
	TCase *tc = tcase_create( "decide" );

	tcase_add_test( tc, never_without_max_age_or_change_time );
	tcase_add_test( tc, warning_window );
	tcase_add_test( tc, grace_then_expired );
	suite_add_tcase( s, tc );
	return s;
}
