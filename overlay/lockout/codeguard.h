/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* codeguard.h - a limit on wrong one-time codes per account
 *
 * Holds whatever password policy applies, or none: after
 * warden-code-max-failure wrong codes (with or without the right
 * password), every further bind of the account with its token is refused
 * with invalidCredentials, unchecked, until a delay after the latest wrong
 * code has passed; the delay is one second after the limit is reached and
 * doubles with each further wrong code up to warden-code-max-delay
 * (backend/codestate.h, warden_code_delay()).  The right password with a
 * right code clears the count, as does an administrator's unlock.  The
 * count is kept in warden's state store, so a restart does not reset it.
 *
 * The one-time code engine calls warden_code_guard_bind() before it looks
 * at the credential and warden_code_guard_checked() once it has checked
 * password and code, both in the same bind.
 */
#ifndef WARDEN_CODEGUARD_H
#define WARDEN_CODEGUARD_H

#include "warden.h"

/** ws_code_guard.cg_flags */
#define WARDEN_CG_STATE		1	/**< the account had wrong codes */
#define WARDEN_CG_CLAIMED	2	/**< this attempt was counted before the
					 * check (the first after a delay) */

/** Before the credential of a user with a token is looked at: refuses the
 * bind (returns invalidCredentials with ws_reason set; the credential
 * check answers) while the account is within its delay, or when its state
 * cannot be read or recorded; else returns SLAP_CB_CONTINUE.  Logs the first refusal of each delay, with
 * the time left. */
int warden_code_guard_bind( Operation *op, slap_overinst *on,
	warden_subject *ws );

/** After the password and the code were checked.
 * @param[in] code_rc	what the code's check gave: 0 right,
 *	WARDEN_OTP_MISMATCH (counted as a wrong code), anything else
 *	(replayed, malformed, missing, not checked: -1) is not counted
 * @param[in] pw_ok	whether the password was right; a right code clears
 *	the count only with it
 * @param[in] period	the TOTP token's time step in seconds, 0 for HOTP;
 *	kept in ws->ws_otp_period for the lockout engine */
void warden_code_guard_checked( Operation *op, slap_overinst *on,
	warden_subject *ws, int code_rc, int pw_ok, unsigned period );

/** An administrator unlocked the account (entryUUID uuid): its wrong
 * codes are forgotten too. */
void warden_code_guard_unlocked( slap_overinst *on, const unsigned char *uuid );

#endif /* WARDEN_CODEGUARD_H */
