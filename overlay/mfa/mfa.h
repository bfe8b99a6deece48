/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/** @file mfa.h
 * @brief The MFA capability: one-time codes at bind, tokens on writes
 *
 * What the core may ask of overlay/mfa: the code of a bind (TOTP or HOTP,
 * totp.c; a recovery code, recoverycode.c; a code reused by a PAM password
 * change, reuse.c), whether a code is asked of a user, what a write does to
 * tokens (tokenwrite.c), and the OATH-LDAP schema (oathschema.c).  The
 * core calls these from the credential check (credential.c), the write
 * order (operations.c), the instance's life (warden.c) and the schema's
 * registration (schemareg.c).  Nothing else includes this header; mfa
 * itself knows only the core (warden.h), lib and backend (mfaint.h is
 * what its own files share).
 *
 * A code is accepted once: the check of the step against the last one
 * used and the write of the new one are one transaction of the state
 * store (backend/otpstate.h).  Seeds are kept wrapped (overlay/lib/secret.h)
 * under the key file's active key, bound to the token entry's entryUUID.
 *
 * Memory.  Seeds are wiped (OPENSSL_cleanse) before their memory goes.
 * What a function returns is in op->o_tmpmemctx unless it says otherwise.
 *
 * Locks.  The reuse table is per instance, under its own mutex, held only
 * inside reuse.c.  No lock is held across a call into slapd: the token
 * entries are read with warden_entry_get() and released before any
 * internal write.
 */
#ifndef WARDEN_MFA_H
#define WARDEN_MFA_H

#include "warden.h"

/** @name The engine's life (db_open, db_destroy)
 * @{ */

/** Makes the instance's reuse table (wi_totp_reuse, ch_malloc'd) with a
 * random HMAC key; nothing when made already.
 * @return 0, or -1: no randomness or no HMAC in OpenSSL */
int warden_totp_open( warden_info *wi );

/** Wipes and frees the reuse table; nothing when there is none.  No bind
 * may be running. */
void warden_totp_close( warden_info *wi );
/** @} */

/** @name At bind (credential.c)
 * @{ */

/** The credential of a user with a token (the password followed by the
 * current code, or by a recovery code), or the password of a user the
 * policy requires MFA of (refused without a token, unless in the grace
 * period that the first right password starts).  Checks both the
 * password and the code, always, so the time taken does not say which
 * was wrong.  Takes the code's step in the store, once; writes the step
 * to the token entry by an internal write.
 * @param[in,out] ws	the loaded subject; sets ws_verified, ws_reason,
 *	ws_text, ws_mfa, ws_password_len, ws_code_reused, and ws_code_checked,
 *	ws_code_rc, ws_code_pw_ok, ws_otp_period for the wrong-code limit
 * @return LDAP_SUCCESS, LDAP_INVALID_CREDENTIALS (nothing sent), or
 *	SLAP_CB_CONTINUE: no MFA for this user, the caller checks the
 *	password */
int warden_totp_bind( Operation *op, slap_overinst *on, warden_subject *ws );

/** Whether a one-time code is asked of the user (a token, or required by
 * policy outside the grace period): a mechanism that cannot carry one
 * cannot log them in.  May walk groups (internal searches).
 * @return 1 or 0 */
int warden_mfa_applies( Operation *op, slap_overinst *on, warden_subject *ws );
/** @} */

/** @name On writes (operations.c)
 * @{ */

/** An add or modify: checks oathSecret values (RFC 4226's 128 bits at
 * least) and wraps the cleartext ones in place (the old values are wiped
 * and ch_free'd, the wrapped ones ch_malloc'd into the request), or
 * refuses (sends constraintViolation or unwillingToPerform) when it
 * cannot.  A modify that writes oathTOTPLastTimeStep or oathHOTPCounter
 * (what a read-only consumer forwards, forward.c) takes that step in the
 * state store, as a bind does, or is refused with constraintViolation when
 * the step was used already.  Replicated writes pass untouched.
 * @param[out] secret_changed	set when a modify touches oathSecret
 * @return SLAP_CB_CONTINUE, or the result sent */
int warden_totp_write( Operation *op, SlapReply *rs, slap_overinst *on,
	int *secret_changed );

/** The token entries a user entry (the op's target) names, other than
 * itself.
 * @return an array in op memory (ber_bvarray_free_x with o_tmpmemctx), or
 *	NULL when none */
BerVarray warden_totp_tokens_of( Operation *op, slap_overinst *on );

/** After the user's delete succeeded: deletes those token entries, as the
 * rootdn, by internal writes; a failure is logged. */
void warden_totp_delete_tokens( Operation *op, slap_overinst *on,
	BerVarray tokens );

/** Forgets the code state of a token with entryUUID uuid: with purge (the
 * entry was deleted) every record; else (a new secret) the steps, keeping
 * which recovery codes were used.  A store failure is logged. */
void warden_totp_forget( slap_overinst *on, const unsigned char *uuid,
	int purge );
/** @} */

/** @name The OATH-LDAP schema (oathschema.c)
 * @{ */

/** Registers the OATH-LDAP definitions at module load, or finds
 * compatible ones (otp.la's); counts the new ones in *registered.
 * @return 0, or -1 with msg naming the definition and the difference */
int warden_oath_schema_register( int *registered, char *msg, size_t len );

/** Fills warden_oath (warden.h) from the registered schema; once.
 * @return 0, or an LDAP schema error code after logging why */
int warden_oath_schema_init( void );
/** @} */

#endif /* WARDEN_MFA_H */
