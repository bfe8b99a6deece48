/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* expiry.c - passwords that age: pwdMaxAge, its warning and grace logins
 *
 * After the credential check found the password right, the policy's
 * pwdMaxAge decides whether it is still good (overlay/lib/expiry.h): near
 * its end the bind succeeds with timeBeforeExpiration in the password
 * policy response; past it a bind succeeds as a grace login while
 * pwdGraceAuthNLimit allows, recorded as a pwdGraceUseTime value (in the
 * entry, so that every server counts them), and fails with
 * passwordExpired after that.  Only users under a policy with pwdMaxAge
 * pay for the entry read this needs.
 */

#include <time.h>

#include "warden.h"
#include "password.h"

/* A GeneralizedTime of pwdChangedTime ("YYYYmmddHHMMSS[.f]Z") in seconds,
 * or -1. */
static long long
expiry_time( struct berval *v )
{
	struct tm tm;
	const char *s = v->bv_val;
	size_t i;

	if ( v->bv_len < 15 ) return -1;
	for ( i = 0; i < 14; i++ )
		if ( s[i] < '0' || s[i] > '9' ) return -1;
	memset( &tm, 0, sizeof( tm ) );
#define D( o, n ) ( ( s[o] - '0' ) * 10 + ( s[( o ) + 1] - '0' ) )
	tm.tm_year = D( 0, 2 ) * 100 + D( 2, 2 ) - 1900;
	tm.tm_mon = D( 4, 2 ) - 1;
	tm.tm_mday = D( 6, 2 );
	tm.tm_hour = D( 8, 2 );
	tm.tm_min = D( 10, 2 );
	tm.tm_sec = D( 12, 2 );
#undef D
	return (long long)timegm( &tm );
}

/* Records one grace login: a pwdGraceUseTime value, with microseconds so
 * that two in one second are two values (on a consumer: forwarded to the
 * provider, forward.c).
 * @return the result code */
static int
expiry_grace_used( Operation *op, slap_overinst *on, warden_subject *ws )
{
	Modifications mod;
	struct berval vals[2];
	struct timeval tv;
	struct tm tm;
	char buf[40];
	time_t t;
	int rc;

	gettimeofday( &tv, NULL );
	t = tv.tv_sec;
	gmtime_r( &t, &tm );
	vals[0].bv_len = strftime( buf, sizeof( buf ), "%Y%m%d%H%M%S", &tm );
	vals[0].bv_len += snprintf( buf + vals[0].bv_len,
		sizeof( buf ) - vals[0].bv_len, ".%06ldZ", (long)tv.tv_usec );
	vals[0].bv_val = buf;
	BER_BVZERO( &vals[1] );
	memset( &mod, 0, sizeof( mod ) );
	mod.sml_op = LDAP_MOD_ADD;
	mod.sml_desc = warden_pwd.ad_pwdGraceUseTime;
	mod.sml_type = mod.sml_desc->ad_cname;
	mod.sml_flags = SLAP_MOD_INTERNAL;
	mod.sml_values = vals;
	mod.sml_nvalues = vals;
	mod.sml_numvals = 1;
	rc = warden_state_write( op, on, &ws->ws_ndn, &mod );
	if ( rc != LDAP_SUCCESS )
		Debug( LDAP_DEBUG_ANY, "warden: cannot record a grace login of "
			"\"%s\": result %d\n", ws->ws_ndn.bv_val, rc );
	return rc;
}

int
warden_password_expiry( Operation *op, slap_overinst *on, warden_subject *ws )
{
	warden_info *wi = on->on_bi.bi_private;
	warden_expiry_policy *ep = &ws->ws_policy.wp_expiry;
	BackendInfo *bi = op->o_bd->bd_info;
	long long changed = -1, graces = 0, value = 0;
	ldap_pvt_thread_mutex_t *mutex;
	Entry *e = NULL;
	Attribute *a;
	unsigned h = 0;
	size_t i;
	int state, rc = LDAP_SUCCESS;

	ws->ws_expiry = WARDEN_EXPIRY_OK;
	if ( ws->ws_policy_state != WARDEN_POLICY_FOUND || ep->ep_max_age <= 0 ||
		!warden_pwd.ad_pwdGraceUseTime || !ws->ws_found ||
		!wi->wi_reset_flag )
		return LDAP_SUCCESS;
	/* the count read and the grace login recorded as one step: two
	 * binds at once must not both take the last one */
	for ( i = 0; i < ws->ws_ndn.bv_len; i++ )
		h = h * 31 + (unsigned char)ws->ws_ndn.bv_val[i];
	mutex = &wi->wi_grace_mutex[h % WARDEN_GRACE_STRIPES];
	ldap_pvt_thread_mutex_lock( mutex );
	op->o_bd->bd_info = (BackendInfo *)on->on_info;
	if ( be_entry_get_rw( op, &ws->ws_ndn, NULL, NULL, 0, &e ) ==
			LDAP_SUCCESS && e ) {
		if ( ( a = attr_find( e->e_attrs, warden_pwd.ad_pwdChangedTime ) ) )
			changed = expiry_time( &a->a_vals[0] );
		if ( ( a = attr_find( e->e_attrs, warden_pwd.ad_pwdGraceUseTime ) ) )
			graces = a->a_numvals;
		be_entry_release_r( op, e );
	}
	op->o_bd->bd_info = bi;
	state = warden_expiry_decide( ep, changed, graces, (long long)time( NULL ),
		&value );
	ws->ws_expiry = state;
	ws->ws_expiry_value = value;
	switch ( state ) {
	case WARDEN_EXPIRY_GRACE:
		Debug( LDAP_DEBUG_STATS, "warden: \"%s\" binds with an expired "
			"password: a grace login, %lld left\n", ws->ws_ndn.bv_val,
			value );
		/* a consumer that cannot count it where the others see it
		 * does not grant it (fail closed) */
		if ( expiry_grace_used( op, on, ws ) != LDAP_SUCCESS &&
			warden_is_consumer( op ) ) {
			ws->ws_reason = "grace login not recorded on the provider";
			rc = LDAP_INVALID_CREDENTIALS;
		}
		break;
	case WARDEN_EXPIRY_EXPIRED:
		Debug( LDAP_DEBUG_STATS, "warden: bind of \"%s\" refused: the "
			"password has expired and no grace login is left\n",
			ws->ws_ndn.bv_val );
		ws->ws_reason = "password expired";
		rc = LDAP_INVALID_CREDENTIALS;
		break;
	default:
		break;
	}
	ldap_pvt_thread_mutex_unlock( mutex );
	return rc;
}
