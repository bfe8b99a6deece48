/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* lastbind.h - pwdLastSuccess written after the bind, not during it
 *
 * A user's first successful bind of the day (warden-lastbind-precision)
 * records pwdLastSuccess in the entry: a back-mdb modify, which waits for
 * its commit to reach the disk.  Made in the bind, it would be a second
 * synchronous flush for a TOTP bind (whose replay record is the first)
 * and hold every first login of the morning for a disk write.  Where the
 * database takes writes, the bind instead queues the DN and the time, and
 * a task of slapd's thread pool writes the queue as warden's own change
 * (the rootdn, audited as internal), within milliseconds.  The subject
 * cache is told at once, so the user's next binds do not queue it again.
 *
 * Private to overlay/lockout.  A consumer forwards the record to its
 * provider in the bind, as before (forward.c): that path stays where the
 * client's connection is.  Records queued when the database closes are
 * lost and logged (at shutdown slapd runs every pending task first); the
 * next bind of each such user records it again.
 */
#ifndef WARDEN_LASTBIND_H
#define WARDEN_LASTBIND_H

#include "warden.h"

typedef struct warden_lastbind warden_lastbind;

/* At most this many DNs wait; past it a bind writes its own. */
#define WARDEN_LASTBIND_MAX	65536

warden_lastbind *warden_lastbind_new( void );
/** Frees the queue and what it holds; no task may be running on it. */
void warden_lastbind_free( warden_lastbind *lb );

/** Queues ndn's pwdLastSuccess = when, from a bind (op) on a database
 * that takes writes; starts the writer task when none runs.
 * @return 0 queued, -1 not (full, closing, or no task could be started):
 *	the caller writes it itself */
int warden_lastbind_defer( warden_lastbind *lb, Operation *op,
	slap_overinst *on, struct berval *ndn, time_t when );

/** At db_open: queuing (again). */
void warden_lastbind_start( warden_lastbind *lb );

/** At db_close: no more queuing; waits for a running writer task,
 * leaves one not started yet (the pool paused) to find the database
 * stopped, and drops (and logs) what is left. */
void warden_lastbind_stop( warden_lastbind *lb );

/** The modification that records a last successful bind at when; vals
 * holds buf (LDAP_LUTIL_GENTIME_BUFSIZE) and a terminator. */
void warden_lastbind_mod( Modifications *mod, struct berval *vals, char *buf,
	time_t when );

#endif /* WARDEN_LASTBIND_H */
