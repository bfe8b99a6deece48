/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/** @file access.h
 * @brief The access capability: who may log in where
 *
 * What the core may ask of overlay/access.  A system (host or service) is
 * an entry with objectClass wardenSystem, recognised by where its
 * connections come from (wardenNetwork, wardenCertSubject); its
 * wardenAllowedGroup values, and those of every wardenSystemGroup it is a
 * member of, name the user groups that may bind from it.  The most
 * specific matching systems decide (overlay/lib/accessrule.h); a bind
 * from no known system follows warden-access-default.  The core calls
 * these from the credential check (credential.c), the write order and its
 * result (operations.c), the group limits (groups.c) and the instance's
 * life (warden.c).  Nothing else includes this header; access itself
 * knows only the core (warden.h), lib and backend.
 *
 * Memory.  The engine is per instance (ch_*): the systems, read into
 * memory at the first bind after a change to them, and the decisions kept
 * per user and matching systems until a group or system changes
 * (overlay/lib/accesscache.h: grows with the users that bind, up to
 * warden-cache-max-entries, then the least recently used goes).
 *
 * Locks.  The systems are under a read-write lock
 * (ldap_pvt_thread_rdwr), read by every check and written when they are
 * read again; the decisions under 64 striped mutexes (accesscache.c),
 * never held across a call into slapd.  Membership is found by internal
 * searches (groups.c), run with no lock held: a check copies the groups
 * it needs from the systems under the read lock and releases it before
 * the walk.  Reading the systems again runs its searches under the write
 * lock (nothing they run takes it).
 */
#ifndef WARDEN_ACCESS_H
#define WARDEN_ACCESS_H

#include "warden.h"

/** Makes an instance's access engine.
 * @param[out] acp	the engine (ch_malloc'd)
 * @param[in] initial	decisions it has room for before growing
 * @param[in] max	the most decisions kept (warden-cache-max-entries)
 * @return 0, or -1: out of memory */
int warden_access_new( warden_access **acp, size_t initial, size_t max );

/** Changes the most decisions kept; a lower cap evicts at once. */
void warden_access_set_max( warden_access *ac, size_t max );

/** Frees an engine and the systems it holds; NULL is allowed.  No bind
 * may be running on it. */
void warden_access_free( warden_access *ac );

/** Whether the bind's DN (op->o_req_ndn) may bind from where op's
 * connection comes from (its address, its TLS client certificate).  The
 * rootdn and warden-access-exempt identities always may.  Reads the
 * systems again when they changed; walks groups by internal searches; a
 * walk stopped at a limit grants nothing.
 * @param[out] why	len bytes: the system that decided, or why none did
 *	(for the log; never sent to the client)
 * @return 1 allowed, 0 refused */
int warden_access_check( Operation *op, slap_overinst *on, char *why,
	size_t len );

/** The same decision for the user ndn (normalized) from op's client,
 * whoever op is bound as: whether ndn may log in on the system op's
 * connection comes from (the keys a system may see of ndn, keys.c).  The
 * decisions kept are shared with warden_access_check().
 * @return 1 allowed, 0 refused */
int warden_access_user( Operation *op, slap_overinst *on, struct berval *user,
	char *why, size_t len );

/** Forgets every decision kept (the group limits changed).  ac may be
 * NULL. */
void warden_access_forget( warden_access *ac );

/** A write succeeded: forgets the decisions (and the systems) it may
 * change.
 * @return whether it may have changed a group (the roles forget theirs) */
int warden_access_written( Operation *op, slap_overinst *on );

/** The write order: refuses (sends constraintViolation, saying which
 * value and why) a malformed wardenNetwork or wardenCertSubject in an add
 * or modify.
 * @return SLAP_CB_CONTINUE, or the result sent */
int warden_access_validate( Operation *op, SlapReply *rs, slap_overinst *on );

#endif /* WARDEN_ACCESS_H */
