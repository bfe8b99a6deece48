/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* mfaint.h - what the files of overlay/mfa share among themselves
 *
 * Private to overlay/mfa: the core and the other capabilities use mfa.h.
 */
#ifndef WARDEN_MFAINT_H
#define WARDEN_MFAINT_H

#include "warden.h"

/* reuse.c: a code used again by a password change (the rule is there) */
#define TOTP_REUSE_MAX		1	/* after an ordinary first use */
#define TOTP_REUSE_MAX_RESET	2	/* after a first use that must change */

/** Remembers a code accepted at this bind, which may then be used again
 * max times (TOTP_REUSE_MAX or TOTP_REUSE_MAX_RESET) by the same DN,
 * credential and client address, on a reuse listener.  Takes the table's
 * mutex; keeps an HMAC, never the credential. */
void warden_totp_reuse_remember( slap_overinst *on, Operation *op, int max );
/** Whether this bind (DN, credential, client address, listener) may use
 * again a code accepted before; counts the use.  Takes the table's
 * mutex. */
int warden_totp_reuse_granted( slap_overinst *on, Operation *op );

/* recoverycode.c */
/** The user's password (the first pwlen bytes of op->orb_cred) and a
 * recovery code (code, the rest) in place of a one-time code, against the
 * user's entry e and its wardenRecoveryCode values (codes).  Marks the
 * code used in the store.  Sets *pw_ok to whether the password was right,
 * ws_verified, and on success ws_mfa and ws_password_len.
 * @return 0 accepted, 1 refused */
int warden_totp_recovery( Operation *op, slap_overinst *on,
	warden_subject *ws, Entry *e, Attribute *codes, size_t pwlen,
	const char *code, int *pw_ok );

#endif /* WARDEN_MFAINT_H */
