/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/** @file lockout.h
 * @brief The lockout capability: failed binds, locks, the wrong-code limit
 *
 * What the core may ask of overlay/lockout, and all it may ask.  The core
 * calls these in the bind order (credential.c: admit, then the
 * credential, then settle) and the write order (operations.c: modify,
 * then unlocked or deleted after the result).  Nothing else includes this
 * header; lockout itself knows only the core (warden.h), lib and backend.
 *
 * Counting.  Only a verified wrong credential counts, and one wrong
 * password repeated counts once (overlay/lib/dedup.h).  The count and the
 * lock live in the state store (backend/lockstate.h), read and changed in
 * one store transaction each.  An attempt whose credential is being
 * checked is "claimed": failures counted plus attempts claimed never pass
 * pwdMaxFailure, however many binds run at once.  Claims live in 64
 * stripes chosen by entryUUID, each with its own mutex and four slots in
 * place, so a bind does not allocate.
 *
 * Locks.  Every function takes its own locks (a stripe's mutex, the
 * engine's mutex, the store's transactions) and releases them before it
 * returns; none is held across a call into slapd that may come back into
 * warden (internal writes run with no lock held).
 *
 * Memory.  The engine (warden_lockout) is per instance, made with ch_*
 * in db_init and freed in db_destroy.  No function returns memory the
 * caller must free.
 *
 * The wrong-code limit (codeguard.c) holds whatever password policy
 * applies, or none: after warden-code-max-failure wrong codes (with or
 * without the right password), every further bind of the account with its
 * token is refused with invalidCredentials, unchecked, until a delay after
 * the latest wrong code has passed; the delay is one second after the
 * limit is reached and doubles with each further wrong code up to
 * warden-code-max-delay (backend/codestate.h, warden_code_delay()).  The
 * right password with a right code clears the count, as does an
 * administrator's unlock.  The count is kept in the state store, so a
 * restart does not reset it.
 */
#ifndef WARDEN_LOCKOUT_H
#define WARDEN_LOCKOUT_H

#include "warden.h"

/** @name The engine's life (db_init, db_open, db_destroy)
 * @{ */

/** Makes an instance's lockout engine: the claim stripes, the spraying
 * throttle and the repeated-password memory.
 * @param[out] lop	the engine (ch_malloc'd), or NULL on failure
 * @return 0, or -1: out of memory */
int warden_lockout_new( warden_lockout **lop );

/** Frees an engine and every claim it holds.  lo may be NULL.  No bind may
 * be running on it. */
void warden_lockout_free( warden_lockout *lo );

/** At db_open: makes the timing decoy, a hash of random bytes in the
 * directory's default scheme that an unknown user's bind is compared with.
 * Does nothing when it is made already.
 * @param[out] msg	why it failed (no entropy, no usable scheme), len bytes
 * @return 0 or -1 */
int warden_lockout_open( warden_lockout *lo, char *msg, size_t len );

/** warden-throttle-ipv6-prefix: the prefix length (throttle.h) by which
 * the source-address throttle counts IPv6 clients.  Safe while binds
 * run; failures counted under the old length are not carried over.  lo
 * may be NULL. */
void warden_lockout_ipv6_prefix( warden_lockout *lo, unsigned bits );

/** At db_close: the last successful binds still queued are written (a
 * writer task running ends first) or, when the pool is paused, dropped
 * and logged (lastbind.h). */
void warden_lockout_close( warden_lockout *lo );
/** @} */

/** @name At bind (credential.c)
 * @{ */

/** Before the credential is looked at: refuses a missing policy, an
 * unknown user, a throttled address, a locked account (in the store or by
 * pwdAccountLockedTime), and an attempt that, with the failures counted
 * and the attempts under way, would pass pwdMaxFailure; otherwise claims
 * the attempt.  Sends nothing: the credential check answers.
 * @param[in,out] ws	the loaded subject (warden_subject_load()); on a
 *	refusal ws_reason and ws_locked are set; ws_claimed when claimed;
 *	ws_store_clean and ws_store_dirty tell the subject cache what the
 *	store held
 * @return LDAP_SUCCESS (admitted), or LDAP_INVALID_CREDENTIALS.  Every call
 *	is followed by warden_lockout_settle(), admitted or not. */
int warden_lockout_admit( Operation *op, slap_overinst *on,
	warden_subject *ws );

/** The outcome of an attempt: counts a verified wrong credential (locking
 * at pwdMaxFailure, writing pwdAccountLockedTime by an internal write,
 * with no lock held), clears the failures after a success, and gives a
 * claimed attempt back.
 * @param[in] result	LDAP_SUCCESS, or the refusal; only a refusal with
 *	ws_verified set counts */
void warden_lockout_settle( Operation *op, slap_overinst *on,
	warden_subject *ws, int result );

/** Compares cred with the decoy hash and throws the answer away: what
 * checking a password costs, for a user who has none or is unknown. */
void warden_lockout_decoy( slap_overinst *on, struct berval *cred );

/** ws_code_guard.cg_flags */
#define WARDEN_CG_STATE		1	/**< the account had wrong codes */
#define WARDEN_CG_CLAIMED	2	/**< this attempt was counted before the
					 * check (the first after a delay) */

/** Before the credential of a user with a token is looked at: refuses the
 * bind (LDAP_INVALID_CREDENTIALS with ws_reason set; the credential check
 * answers) while the account is within its delay, or when its state
 * cannot be read or recorded.  Logs the first refusal of each delay, with
 * the time left.  One store transaction; no other lock.
 * @return SLAP_CB_CONTINUE or LDAP_INVALID_CREDENTIALS */
int warden_code_guard_bind( Operation *op, slap_overinst *on,
	warden_subject *ws );

/** After the password and the code were checked, in the same bind.
 * @param[in] code_rc	what the code's check gave: 0 right,
 *	WARDEN_OTP_MISMATCH (counted as a wrong code), anything else
 *	(replayed, malformed, missing, not checked: -1) is not counted
 * @param[in] pw_ok	whether the password was right; a right code clears
 *	the count only with it
 * @param[in] period	the TOTP token's time step in seconds, 0 for HOTP;
 *	kept in ws->ws_otp_period for warden_lockout_settle() */
void warden_code_guard_checked( Operation *op, slap_overinst *on,
	warden_subject *ws, int code_rc, int pw_ok, unsigned period );
/** @} */

/** @name On writes (operations.c)
 * @{ */

/** A modify of an entry: sets *unlock when it removes
 * pwdAccountLockedTime (who may is warden_roles_write_check()'s rule,
 * checked before).
 * @return SLAP_CB_CONTINUE */
int warden_lockout_modify( Operation *op, SlapReply *rs, slap_overinst *on,
	int *unlock );

/** After an unlock succeeded: the store's failures and lock of the entry
 * with entryUUID uuid (WARDEN_UUID_LEN bytes) go, and the repeated
 * passwords remembered for it. */
void warden_lockout_unlocked( slap_overinst *on, const unsigned char *uuid );

/** Whether the entry of a loaded subject holds a lock in force (its
 * pwdAccountLockedTime under its policy's pwdLockoutDuration, or the
 * permanent 000001010000Z).  No store read, no lock taken. */
int warden_lockout_entry_locked( warden_subject *ws );

/** For the account usability control: whether the account of a loaded
 * subject (under a policy that was found) is locked now as a bind would
 * find it -- the store, other providers (several providers), the entry's
 * pwdAccountLockedTime (warden_lockrule_locked()) -- and when that lock
 * ends.  Claims nothing, writes nothing.
 * @param[out] until	the lock's end (microseconds since the epoch), or
 *	WARDEN_FOREVER: until an administrator unlocks it, or the state
 *	could not be read
 * @return 1 locked (also when the state cannot be read: fails closed, as
 *	a bind does), 0 not */
int warden_lockout_lock_end( Operation *op, slap_overinst *on,
	warden_subject *ws, warden_time *until );

/** Whether the operation's identity may see an entry's lockout state:
 * the rootdn, the admin, helpdesk or auditor role, or manage access to
 * pwdAccountLockedTime in e (warden_role_holds()).  What
 * warden_lockout_operational() and the account usability control
 * decide with. */
int warden_lockout_may_see( Operation *op, slap_overinst *on, Entry *e );

/** On a client's modify that sets the password of another user's entry e
 * (an administrator's reset, accepted by the password rules): as
 * ppolicy does, the reset ends a lock by failed binds -- appends the
 * removal of pwdAccountLockedTime and sets *unlock, so that the store's
 * failures and lock go too (warden_lockout_unlocked()).  A disabled
 * account (WARDEN_DISABLED_TIME) stays disabled, and a modify that names
 * pwdAccountLockedTime itself is left as it is. */
void warden_lockout_password_reset( Operation *op, Entry *e, int *unlock );

/** pwdAccountLockedTime of an account disabled until an administrator
 * enables it (draft-behera's "locked until reset"). */
#define WARDEN_DISABLED_TIME	"000001010000Z"

/** On a client's modify that disables an account (pwdAccountLockedTime
 * set to WARDEN_DISABLED_TIME): appends the object class wardenAccount,
 * wardenDisabledBy (the identity of the change) and wardenDisabledTime;
 * on one that unlocks it, removes them and wardenDisabledReason.  Called
 * before the modify reaches the database, so that the change is made,
 * recorded and replicated whole.  The appended Modifications are in ch_
 * memory: the frontend frees the whole modlist. */
void warden_lockout_disable_stamp( Operation *op );

/** After a successful bind: records it as pwdLastSuccess in the entry
 * (pwdMaxIdle, the compliance report), at most once per
 * warden-lastbind-precision seconds per user (ws_last_success, read with
 * the subject, says when it last was), so that binds cost no write.
 * Where the database takes writes it is written just after the bind, by
 * a pool task (lastbind.h), so that the bind waits for no disk; on a
 * read-only consumer it is forwarded to the provider in the bind
 * (forward.c).  A write that fails is logged; the bind stands. */
void warden_lockout_last_success( Operation *op, slap_overinst *on,
	warden_subject *ws );

/** Whether warden_lockout_last_success() would write now: a question
 * that costs no lock, asked first on every successful bind. */
int warden_lockout_last_success_due( slap_overinst *on, warden_subject *ws );

/** The same for the wrong-code limit: an unlock forgets the wrong codes
 * too. */
void warden_code_guard_unlocked( slap_overinst *on, const unsigned char *uuid );

/** After a delete succeeded: every record of the entry in the store goes. */
void warden_lockout_deleted( slap_overinst *on, const unsigned char *uuid );

/** A search result entry: adds the lockout operational attributes
 * (wardenFailureCount, wardenFailureTime, wardenLockedUntil, ...) asked
 * for, from the store, when the identity holds the admin, helpdesk or
 * auditor role or may manage pwdAccountLockedTime in the entry.
 * The attributes are allocated with slapd's attr_* functions and belong
 * to the result.
 * @return SLAP_CB_CONTINUE */
int warden_lockout_operational( Operation *op, SlapReply *rs,
	slap_overinst *on );
/** @} */

/** @name Several providers (peers.c): one lockout on every provider
 * With multi-provider replication each provider publishes its lockout
 * facts in entries only it writes (cn=warden-state-<serverID>,<suffix>)
 * and mirrors the others' (backend/peerstate.h); on databases that do
 * not replicate these do nothing.
 * @{ */

/** An administrator's unlock: a reset, published. */
void warden_peers_unlocked( Operation *op, slap_overinst *on,
	const unsigned char *uuid );

/** A user was deleted (here, or replicated): its mirror records go, and
 * this server deletes its own state entry. */
void warden_peers_deleted( Operation *op, slap_overinst *on,
	const unsigned char *uuid );

/** A successful write: when syncrepl applied another server's state
 * entry, mirror it. */
void warden_peers_written( Operation *op, SlapReply *rs, slap_overinst *on );

/** A write of a state entry by anyone but warden, replication and the
 * rootdn is refused (insufficientAccess). */
int warden_peers_write_check( Operation *op, SlapReply *rs, slap_overinst *on );

/** A search: state entries are left out of what anyone but the rootdn,
 * warden's administrators and auditors and replication are sent. */
int warden_peers_search( Operation *op, SlapReply *rs, slap_overinst *on );

/** pwdAccountLockedTime of a user locked by the shared facts, when it is
 * asked for and not in the entry. */
int warden_peers_operational( Operation *op, SlapReply *rs, slap_overinst *on );
/** @} */

#endif /* WARDEN_LOCKOUT_H */
