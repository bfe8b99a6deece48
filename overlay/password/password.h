/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/** @file password.h
 * @brief The password capability: every way a password is set
 *
 * What the core may ask of overlay/password: the quality, history and
 * hashing of a new password (pwquality.c), the banned-password list in
 * use (banlist.c), and what follows an administrator's reset or a weak
 * stored hash (pwreset.c).  The core calls these from the write order
 * (operations.c), the bind's success (operations.c, sasl.c) and the
 * instance's life (warden.c, config.c).  Nothing else includes this
 * header; password itself knows only the core (warden.h), lib and backend.
 *
 * Memory.  What a function adds to an operation (modifications, controls,
 * texts) is in op->o_tmpmemctx or belongs to slapd's structures, freed
 * with the operation.  The banned list and the reset table are per
 * instance, ch_malloc'd, freed at close.
 *
 * Locks.  The banned list is under a read-write lock (ldap_pvt_thread_rdwr)
 * taken for each lookup, and for writing once a second at most to see
 * whether wardenctl replaced the file.  The reset table is under
 * wi_reset_mutex.  Neither is held across a call into slapd.
 */
#ifndef WARDEN_PASSWORD_H
#define WARDEN_PASSWORD_H

#include "warden.h"

/** @name Quality, history, hashing (pwquality.c)
 * @{ */

/** A change of userPassword (add, modify, or the modify of a Password
 * Modify) of the entry e under policy p.
 *
 * Refuses (sends constraintViolation, or insufficientAccess, with the
 * password policy control's error when requested) a new password that
 * breaks a rule of p (length, classes, dictionary, banned list, history)
 * or may not be changed now (pwdMinAge, pwdAllowUserChange,
 * pwdSafeModify), and a change under a named but missing policy (but for
 * the rootdn).  Otherwise hashes cleartext values in place (in the
 * scheme of warden_password_scheme()), and adds pwdChangedTime,
 * pwdHistory and pwdReset to the change.
 * @param[in] e	the entry as it is (a modify), or NULL (an add passes its
 *	own entry, op->ora_e); the caller holds it and releases it after
 * @param[in] policy_state	WARDEN_POLICY_NONE, _FOUND or _MISSING
 * @param[in] p	the policy when policy_state is _FOUND
 * @return SLAP_CB_CONTINUE, or the result sent */
int warden_quality_change( Operation *op, SlapReply *rs, slap_overinst *on,
	Entry *e, int policy_state, const warden_policy *p );

/** Whether a modify is the one slapd's Password Modify handler makes (the
 * request is on the operation, o_callback's private data). */
int warden_quality_is_exop( Operation *op );

/** The scheme new passwords are hashed with: password-hash (never
 * {CLEARTEXT}), else {ARGON2} when argon2.la is loaded, else {SSHA}.
 * @return a static string */
const char *warden_password_scheme( void );

/** Hashes a cleartext password in that scheme.
 * @param[out] hash	ch_malloc'd by slapd: the caller ch_free()s it
 * @param[out] text	why it failed, a static string
 * @return 0 or -1 */
int warden_password_hash( struct berval *cred, struct berval *hash,
	const char **text );
/** @} */

/** @name The banned-password list (banlist.c)
 * @{ */

/** The value of warden-banned-list that turns every list off. */
#define WARDEN_BANNED_NONE	"none"

/** The default list, used when warden-banned-list is not set: the index
 * `make` builds from a common-password list and `make install` puts in the
 * package data directory (WARDEN_BANNED_DEFAULT, fixed at compile time),
 * or the absolute path in the environment variable WARDEN_BANNED_DEFAULT
 * (for a module run from its build tree).
 * @return a static string, or the environment's */
const char *warden_banlist_default( void );

/** Maps the index that `wardenctl banned build` wrote.
 * @param[out] bl	the list (ch_malloc'd; warden_banlist_close() frees it)
 * @param[out] msg	why it failed, len bytes
 * @return 0 or -1 */
int warden_banlist_open( const char *path, warden_banlist **bl,
	char *msg, size_t len );

/** Unmaps and frees a list; NULL is allowed.  No lookup may be running. */
void warden_banlist_close( warden_banlist *bl );

/** Opens the default list into wi->wi_banned when warden-banned-list is
 * not set and no list is open; does nothing otherwise.
 * @return 0, or -1 with msg (which names the file and says what to do) */
int warden_banlist_open_default( warden_info *wi, char *msg, size_t len );

/** Whether a password change must fail because the list that applies
 * cannot be used: no warden-banned-list and the default list did not
 * open.  Under "none" there is no list to miss. */
int warden_banlist_missing( const warden_info *wi );

/** Whether pw is on the list (after normalisation); 0 when bl is NULL.
 * Maps the file again when wardenctl has replaced it (once a second at
 * most, under the list's write lock); the lookup takes its read lock. */
int warden_banned_check( warden_banlist *bl, struct berval *pw );
/** @} */

/** @name After a reset, and weak hashes (pwreset.c)
 * @{ */

/** At db_open: the per-connection restriction table (dtblsize slots,
 * ch_malloc'd) and its mutex; nothing when made already.
 * @return 0 */
int warden_reset_open( warden_info *wi );

/** At db_destroy: frees the table.  No operation may be running. */
void warden_reset_close( warden_info *wi );

/** With the result of a successful bind (rs->sr_err LDAP_SUCCESS; else
 * nothing): a user whose password was reset under pwdMustChange, or who
 * reused a one-time code, gets changeAfterReset in the password policy
 * control (when requested and no other module set controls: the array is
 * in op memory) and a connection that may only change the password; a
 * weak stored hash is replaced, by an internal write with no lock held. */
void warden_password_bind_result( Operation *op, SlapReply *rs,
	slap_overinst *on, warden_subject *ws );

/** The write order's rule and the reads': refuses (sends
 * insufficientAccess, saying why) what a restricted connection may not do
 * (anything but reading its own entry and changing its own password).
 * @return SLAP_CB_CONTINUE, or the result sent */
int warden_reset_restrict( Operation *op, SlapReply *rs, slap_overinst *on );

#define WARDEN_RESTRICT_RESET	1	/**< pwdReset: until the password changes */
#define WARDEN_RESTRICT_REUSE	2	/**< a reused one-time code: for good */

/** Limits the connection c, bound as ndn (copied), to changing its own
 * password; kind is WARDEN_RESTRICT_RESET or _REUSE.  Takes
 * wi_reset_mutex. */
void warden_reset_restrict_conn( warden_info *wi, Connection *c,
	struct berval *ndn, int kind );

/** The user changed the password on op's connection: lifts a
 * WARDEN_RESTRICT_RESET restriction (a reuse stays).  Takes
 * wi_reset_mutex. */
void warden_reset_lift( Operation *op, slap_overinst *on );

/** The connection ends, or binds again: its restriction goes.  Takes
 * wi_reset_mutex only when it had one. */
void warden_reset_conn_destroy( warden_info *wi, Connection *c );
/** @} */

/** After the credential check found a password right: whether it is
 * still good under its policy's pwdMaxAge (overlay/lib/expiry.h).  Sets
 * ws_expiry and ws_expiry_value for the response control; records a
 * grace login (pwdGraceUseTime) in the entry.  Reads the entry only under
 * a policy with pwdMaxAge.
 * @return LDAP_SUCCESS, or LDAP_INVALID_CREDENTIALS when the password has
 *	expired and no grace login is left (ws_reason says so) */
int warden_password_expiry( Operation *op, slap_overinst *on,
	warden_subject *ws );

#endif /* WARDEN_PASSWORD_H */
