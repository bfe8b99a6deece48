/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* recoverycode.c - a recovery code at bind, in place of a one-time code
 *
 * The codes are made and checked by overlay/lib/recovery.h (wardenctl
 * makes them); the store keeps which of a set were used.
 */

#include "warden.h"
#include "mfa.h"
#include "mfaint.h"
#include "clock.h"
#include "otpstate.h"
#include "recovery.h"

/* Password + recovery code ("xxxxx-xxxxx"), in place of a one-time code.
 * @return 0 accepted, 1 refused */
int
warden_totp_recovery( Operation *op, slap_overinst *on, warden_subject *ws,
	Entry *e, Attribute *codes, size_t pwlen, const char *code, int *pw_ok )
{
	warden_info *wi = on->on_bi.bi_private;
	const char *stored[32];
	size_t storedlen[32];
	char msg[SLAP_TEXT_BUFLEN];
	struct berval pw = { pwlen, op->orb_cred.bv_val };
	uint64_t set_id = 0;
	unsigned remaining = 0, i, n = 0;
	int index = 0, rc;

	*pw_ok = warden_password_check( op, e, &pw ) > 0;
	ws->ws_verified = 1;
	for ( i = 0; i < codes->a_numvals && n < 32; i++, n++ ) {
		stored[n] = codes->a_vals[i].bv_val;
		storedlen[n] = codes->a_vals[i].bv_len;
	}
	rc = warden_recovery_verify( code, op->orb_cred.bv_len - pwlen, stored,
		storedlen, n, &index, &set_id, msg, sizeof( msg ) );
	if ( rc < 0 )
		Debug( LDAP_DEBUG_ANY, "warden: recovery codes of \"%s\": %s\n",
			op->o_req_dn.bv_val, msg );
	if ( rc || !*pw_ok || !ws->ws_has_uuid ) return 1;
	rc = warden_otpstate_use_recovery( wi->wi_store, ws->ws_uuid, 0, set_id,
		index, WARDEN_RECOVERY_COUNT, warden_clock_us(), &remaining, msg,
		sizeof( msg ) );
	if ( rc ) {
		if ( rc < 0 ) Debug( LDAP_DEBUG_ANY, "warden: %s\n", msg );
		else Debug( LDAP_DEBUG_STATS, "warden: bind of \"%s\" refused: "
			"recovery code used before\n", op->o_req_dn.bv_val );
		return 1;
	}
	Debug( LDAP_DEBUG_STATS, "warden: \"%s\" bound with a recovery code "
		"(%u left)\n", op->o_req_dn.bv_val, remaining );
	ws->ws_mfa = "recovery code";
	ws->ws_password_len = pwlen;
	return 0;
}

