/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* ppolicyctl.c - the password policy request and response controls
 *
 * draft-behera's controls are what sssd, nslcd and ldappasswd understand.
 * ppolicy.la registers the request control when it loads; warden registers
 * it only when it is absent, and otherwise reads the flag ppolicy.la's
 * parser sets, so both can share a slapd.
 *
 * Also the obsolete Netscape password controls (passwordExpired
 * 2.16.840.1.113730.3.4.4, passwordExpiring 2.16.840.1.113730.3.4.5),
 * which ppolicy.la sends under ppolicy_send_netscape_controls and warden
 * under warden-send-netscape-controls; a server only sends them, so they
 * are registered (for supportedControl) without a parser, again only
 * when ppolicy.la has not.
 */

#include "warden.h"
#include "core.h"

#define PPOLICY_WARNING	0xa0L	/* [0] CHOICE in PasswordPolicyResponseValue */
#define PPOLICY_ERROR	0x81L	/* [1] ENUMERATED in PasswordPolicyResponseValue */
#define PPOLICY_EXPIRE	0x80L	/* [0] timeBeforeExpiration in the warning */
#define PPOLICY_GRACE	0x81L	/* [1] graceAuthNsRemaining in the warning */

static int warden_ppolicy_cid = -1;

static char *ppolicyctl_extops[] = {
	LDAP_EXOP_MODIFY_PASSWD,
	NULL
};

static int
ppolicyctl_parse( Operation *op, SlapReply *rs, LDAPControl *ctrl )
{
	if ( !BER_BVISNULL( &ctrl->ldctl_value ) ) {
		rs->sr_text = "passwordPolicyRequest control value not absent";
		return LDAP_PROTOCOL_ERROR;
	}
	op->o_ctrlflag[warden_ppolicy_cid] = ctrl->ldctl_iscritical ?
		SLAP_CONTROL_CRITICAL : SLAP_CONTROL_NONCRITICAL;
	return LDAP_SUCCESS;
}

/* The Netscape controls are only sent: registered without a parser or
 * an operation they may come with, when no one did. */
static int
ppolicyctl_netscape_init( void )
{
	static const char *oids[] = { LDAP_CONTROL_X_PASSWORD_EXPIRED,
		LDAP_CONTROL_X_PASSWORD_EXPIRING, NULL };
	int i, cid, rc;

	for ( i = 0; oids[i]; i++ ) {
		if ( slap_find_control_id( oids[i], &cid ) == LDAP_SUCCESS )
			continue;
		rc = register_supported_control( oids[i], 0, NULL, NULL, NULL );
		if ( rc != LDAP_SUCCESS ) {
			Debug( LDAP_DEBUG_ANY, "warden: cannot register the "
				"control %s (%d)\n", oids[i], rc );
			return rc;
		}
	}
	return LDAP_SUCCESS;
}

int
warden_ppolicy_init( void )
{
	int rc;

	if ( warden_ppolicy_cid >= 0 ) return 0;
	if ( slap_find_control_id( LDAP_CONTROL_PASSWORDPOLICYREQUEST,
			&warden_ppolicy_cid ) == LDAP_SUCCESS )
		return ppolicyctl_netscape_init();
	rc = register_supported_control( LDAP_CONTROL_PASSWORDPOLICYREQUEST,
		SLAP_CTRL_ADD|SLAP_CTRL_BIND|SLAP_CTRL_MODIFY, ppolicyctl_extops,
		ppolicyctl_parse, &warden_ppolicy_cid );
	if ( rc != LDAP_SUCCESS ) {
		Debug( LDAP_DEBUG_ANY, "warden: cannot register the password "
			"policy control (%d)\n", rc );
		warden_ppolicy_cid = -1;
		return rc;
	}
	return ppolicyctl_netscape_init();
}

int
warden_ppolicy_requested( Operation *op )
{
	return warden_ppolicy_cid >= 0 &&
		op->o_ctrlflag[warden_ppolicy_cid] != SLAP_CONTROL_NONE;
}

LDAPControl *
warden_ppolicy_response( Operation *op, int error )
{
	return warden_ppolicy_response_warn( op, -1, 0, error );
}

LDAPControl *
warden_ppolicy_response_warn( Operation *op, int warning, long value,
	int error )
{
	BerElementBuffer berbuf, b2buf;
	BerElement *ber = (BerElement *)&berbuf, *b2 = (BerElement *)&b2buf;
	struct berval bv = BER_BVNULL, inner = BER_BVNULL;
	LDAPControl *c = NULL;
	int ok;

	ber_init2( ber, NULL, LBER_USE_DER );
	ok = ber_printf( ber, "{" ) >= 0;
	if ( ok && warning >= 0 ) {
		/* warning [0] CHOICE { timeBeforeExpiration [0],
		 * graceAuthNsRemaining [1] } */
		ber_init2( b2, NULL, LBER_USE_DER );
		ok = ber_printf( b2, "ti", warning ? PPOLICY_GRACE : PPOLICY_EXPIRE,
			(ber_int_t)( value > 0x7fffffffL ? 0x7fffffffL : value ) ) >= 0 &&
			ber_flatten2( b2, &inner, 0 ) >= 0 &&
			ber_printf( ber, "tO", PPOLICY_WARNING, &inner ) >= 0;
		ber_free_buf( b2 );
	}
	if ( ok && error >= 0 )
		ok = ber_printf( ber, "te", PPOLICY_ERROR, (ber_int_t)error ) >= 0;
	if ( !ok || ber_printf( ber, "N}" ) < 0 || ber_flatten2( ber, &bv, 0 ) < 0 )
		goto done;
	c = op->o_tmpalloc( sizeof( *c ) + bv.bv_len, op->o_tmpmemctx );
	c->ldctl_oid = LDAP_CONTROL_PASSWORDPOLICYRESPONSE;
	c->ldctl_iscritical = 0;
	c->ldctl_value.bv_val = (char *)&c[1];
	c->ldctl_value.bv_len = bv.bv_len;
	AC_MEMCPY( c->ldctl_value.bv_val, bv.bv_val, bv.bv_len );

done:
	ber_free_buf( ber );
	return c;
}

LDAPControl *
warden_netscape_response( Operation *op, int expired, long seconds )
{
	char buf[24];
	int len;
	LDAPControl *c;

	/* ppolicy.la: the seconds as a decimal string, "0" when expired */
	len = snprintf( buf, sizeof( buf ), "%ld", expired ? 0L :
		( seconds < 0 ? 0L : seconds > 0x7fffffffL ? 0x7fffffffL : seconds ) );
	c = op->o_tmpalloc( sizeof( *c ) + len + 1, op->o_tmpmemctx );
	c->ldctl_oid = expired ? LDAP_CONTROL_X_PASSWORD_EXPIRED :
		LDAP_CONTROL_X_PASSWORD_EXPIRING;
	c->ldctl_iscritical = 0;
	c->ldctl_value.bv_val = (char *)&c[1];
	c->ldctl_value.bv_len = len;
	AC_MEMCPY( c->ldctl_value.bv_val, buf, len + 1 );
	return c;
}
