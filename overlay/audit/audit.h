/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/** @file audit.h
 * @brief The audit capability: what a change or a bind records
 *
 * What the core may ask of overlay/audit, the slapd side of the audit
 * trail (the file itself is overlay/lib/auditlog.h's).  Every add,
 * modify, delete, rename, Password Modify and extended operation that
 * reaches the database, refused or not, and every bind's outcome become
 * one JSON record.  A change that reaches the database is recorded ahead:
 * its intent record is on disk (durable mode) or queued (async) before the
 * change goes on, and the change is refused with unavailable (52) when the
 * trail cannot take it; its result record follows.  The core calls these
 * from the write order and its result (operations.c), the bind's answer
 * (operations.c, credential.c, sasl.c, transit.c), Password Modify's front
 * (pwgen.c), the settings (config.c) and the instance's life (warden.c).
 * Nothing else includes this header; audit itself knows only the core
 * (warden.h), lib and backend.
 *
 * Memory.  A record is built in plain malloc'd buffers (auditjson.h) and
 * handed to the trail's writer, which owns it from then on.  Nothing is
 * returned for the caller to free.
 *
 * Locks.  The trail has its own (auditlog.h: one writer thread; a caller
 * waits only in the durable mode, for its own record).  The aggregator of
 * repeated bind failures is under a mutex held only inside audit.c.  No
 * lock is held across a call into slapd.
 *
 * "announced": a change whose record will follow is announced to the
 * trail first (a sync of the file may then wait for it); *announced says
 * whether it was, and every path clears it once, by a record or by
 * warden_audit_withdraw_op().
 */
#ifndef WARDEN_AUDIT_H
#define WARDEN_AUDIT_H

#include "warden.h"

/** @name The trail's life (db_init, db_open, config.c, db_close)
 * @{ */

/** Opens the trail at path with the instance's settings (mode, overflow,
 * syslog, redaction, the chain's key from the key file, the checkpoint).
 * @param[out] out	the trail (auditlog.h), until warden_audit_stop()
 * @param[out] msg	why it failed, len bytes
 * @return 0 or -1 */
int warden_audit_start( warden_info *wi, const char *path,
	struct warden_audit **out, char *msg, size_t len );

/** Writes what is queued and closes the trail; NULL is allowed. */
void warden_audit_stop( struct warden_audit *a );

/** warden-audit-aggregate's default, seconds */
#define WARDEN_AUDIT_AGGREGATE_DEFAULT	10

/** Makes (db_init) and frees (db_destroy) the instance's aggregator of
 * repeated bind failures (auditagg.h), wi_audit_agg, and its mutex
 * wi_audit_agg_mutex (the instance's own). */
void warden_audit_init( warden_info *wi );
void warden_audit_destroy( warden_info *wi );

/** Writes the records of bursts whose interval ended (all of them with
 * all set: before the trail closes); called every second by the
 * instance's task. */
void warden_audit_aggregate_tick( warden_info *wi, int all );

/** warden-audit-aggregate changed: running bursts end, counted. */
void warden_audit_aggregate_set( warden_info *wi );
/** @} */

/** @name Changes (operations.c, pwgen.c)
 * @{ */

/** The write order's first rule: refuses (sends unavailable, 52) a change
 * when the trail refuses records (warden-audit-overflow refuse, a full
 * queue or a failing disk).
 * @return SLAP_CB_CONTINUE, or the result sent */
int warden_audit_accepts( Operation *op, SlapReply *rs, slap_overinst *on );

/** Whether a record made now would have to wait for (or be refused by) a
 * trail that cannot be written: for warden's own optional writes, which
 * are put off rather than hold a bind.
 * @return 1 when a configured trail is failing or not open, else 0 */
int warden_audit_failing_now( slap_overinst *on );

/** Tells the trail a change's record will follow (auditlog.h,
 * warden_audit_announce()); sets *announced.  No trail: nothing. */
void warden_audit_announce_op( slap_overinst *on, int *announced );

/** Ends an announcement that no record followed; clears *announced. */
void warden_audit_withdraw_op( slap_overinst *on, int *announced );

/** What a change's intent record left, for its result record. */
typedef struct warden_audit_mark {
	int		am_written;	/**< the intent is written (or queued) */
	unsigned long long am_seq;	/**< its sequence number (durable), or 0 */
} warden_audit_mark;

/** Writes the intent record of a change warden passes on to the database
 * (durable: waits until it is on disk).  Call it last in a write's
 * handler, when nothing of warden's refuses the change any more.  When the
 * trail cannot take the record, sends unavailable (52) and returns it: the
 * change is not made.  Warden's own and replicated changes wait for the
 * trail instead.
 * @param[in] internal	a change warden makes itself
 * @param[in] pwmod	the modify of a Password Modify (its front records
 *	the result; the mark is lent, warden_audit_mark_lend())
 * @param[out] m	what was written
 * @return SLAP_CB_CONTINUE or LDAP_UNAVAILABLE */
int warden_audit_intent( Operation *op, SlapReply *rs, slap_overinst *on,
	int internal, int pwmod, int *announced, warden_audit_mark *m );

/** The record of a change's result (rs).  After an intent (m->am_written):
 * the result record, queued and kept until written.  Else (refused before
 * the database) the whole record, waited for in the durable mode.  Clears
 * *announced. */
void warden_audit_change( Operation *op, SlapReply *rs, slap_overinst *on,
	int internal, int *announced, const warden_audit_mark *m );

/** The intent record of an extended operation that reaches the database
 * (action names it: "refresh", "query-delete", "extended").
 * @return 0, or -1: not written, refuse the operation */
int warden_audit_extended_intent( Operation *op, slap_overinst *on,
	const char *action, int *announced, warden_audit_mark *m );

/** The record of an extended operation's result rc and text (*announced as
 * above; may be NULL), the result of its intent when m says one was
 * written. */
void warden_audit_extended( Operation *op, slap_overinst *on,
	const char *action, int rc, const char *text, int *announced,
	const warden_audit_mark *m );

/** Password Modify's front lends a mark (cleared) to the modify slapd's
 * handler makes, whose intent record fills it; it takes it back before it
 * records the result, with the mark in l->al_mark.  l lives on the
 * front's stack and is linked into op->o_extra while lent. */
typedef struct warden_audit_lend {
	OpExtra		al_oe;		/* first: found on op->o_extra */
	warden_audit_mark al_mark;
} warden_audit_lend;
void warden_audit_mark_lend( Operation *op, warden_audit_lend *l );
void warden_audit_mark_return( Operation *op, warden_audit_lend *l );
/** @} */

/** @name Binds
 * @{ */

/** The record of a bind's outcome (rs), with what ws says of it (the
 * reason, the MFA used; ws may be NULL for a bind warden did not judge):
 * queued, not waited for; a repeated identical failure is counted into
 * its burst's record instead (under the aggregator's mutex). */
void warden_audit_bind( Operation *op, SlapReply *rs, slap_overinst *on,
	warden_subject *ws );
/** The record of an operation refused because the identity of its
 * connection may no longer act (core's session.c): rc and why as sent.
 * Queued, not waited for. */
void warden_audit_refusal( Operation *op, slap_overinst *on, int rc,
	const char *why );
/** @} */

#endif /* WARDEN_AUDIT_H */
