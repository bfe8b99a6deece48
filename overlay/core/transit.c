/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* transit.c - no password over a connection others can read
 *
 * With warden-require-tls on, a bind that sends a password (a simple bind
 * with one, a SASL bind with any mechanism but EXTERNAL and GSSAPI) on a
 * connection without TLS, ldapi or a SASL confidentiality layer is
 * refused with confidentialityRequired before the password is looked at:
 * nothing is checked, so nothing counts toward lockout and no timing says
 * whether it was right.  The password has crossed the network by then;
 * the refusal makes the client (and its administrator) see at once that
 * it must use StartTLS or ldaps, instead of working on quietly.
 *
 * slapd's own "security simple_bind=" does the same for simple binds of
 * the whole server; this one is per database, covers SASL mechanisms,
 * records the refusal in the audit trail and says what to fix.
 */

#include "warden.h"
#include "core.h"
#include "audit.h"
#include "transitrule.h"

#define TRANSIT_TEXT	"warden requires TLS (StartTLS or ldaps) or ldapi " \
	"for binds with a password"

int
warden_transit_refuse( Operation *op, SlapReply *rs, slap_overinst *on,
	struct berval *mech )
{
	warden_info *wi = on->on_bi.bi_private;
	Connection *c = op->o_conn;
	warden_subject ws;
	BackendInfo *bi = NULL;
	int inside;

	if ( !wi->wi_require_tls || !c ) return SLAP_CB_CONTINUE;
	/* anonymous; an unauthenticated bind (a DN, no password) is
	 * slapd's to refuse */
	if ( !mech && BER_BVISEMPTY( &op->orb_cred ) ) return SLAP_CB_CONTINUE;
	if ( mech && !warden_transit_sends_password( mech->bv_val, mech->bv_len ) )
		return SLAP_CB_CONTINUE;
	if ( warden_transit_protected( c->c_tls_ssf, c->c_transport_ssf,
			c->c_sasl_ssf, c->c_peer_name.bv_val, c->c_peer_name.bv_len ) )
		return SLAP_CB_CONTINUE;

	Debug( LDAP_DEBUG_STATS, "warden: bind of \"%s\" from %s refused: "
		"%s%s over a connection without TLS\n",
		op->o_req_dn.bv_val ? op->o_req_dn.bv_val : "",
		c->c_peer_name.bv_val ? c->c_peer_name.bv_val : "?",
		mech ? "SASL " : "a password", mech ? mech->bv_val : "" );
	/* Inside warden's bind the answer goes out as the overlays below
	 * would send it; called from elsewhere (a SASL bind in the
	 * frontend), as it stands. */
	inside = op->o_bd && op->o_bd->bd_info == (BackendInfo *)on;
	if ( inside ) {
		bi = op->o_bd->bd_info;
		op->o_bd->bd_info = (BackendInfo *)on->on_info;
	}
	send_ldap_error( op, rs, LDAP_CONFIDENTIALITY_REQUIRED, TRANSIT_TEXT );
	if ( inside ) op->o_bd->bd_info = bi;
	rs->sr_text = NULL;

	memset( &ws, 0, sizeof( ws ) );
	ws.ws_reason = "confidentiality required";
	warden_audit_bind( op, rs, on, &ws );
	return LDAP_CONFIDENTIALITY_REQUIRED;
}
