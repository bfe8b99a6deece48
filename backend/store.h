/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* store.h - warden's state store
 *
 * warden keeps the state that changes at bind time (failure counters, lock
 * times, TOTP steps, history) in an LMDB environment of its own, in the
 * directory named by warden-state-dir, apart from the directory database:
 * writing it never writes an entry, so it never replicates and never bloats
 * the DIT.
 *
 * Every function returns 0 on success or -1 after writing a one-line reason
 * into the caller's message buffer.  None of them is called with secrets.
 */
#ifndef WARDEN_STORE_H
#define WARDEN_STORE_H

#include <stddef.h>

#include <lmdb.h>

/** Version of the on-disk layout; a store of another version is refused
 * rather than misread. */
#define WARDEN_STORE_FORMAT	1

/** Default size of the memory map (maximum size of the store): 256 MiB. */
#define WARDEN_STORE_MAPSIZE	(256UL * 1024 * 1024)

typedef struct warden_store warden_store;

/** Opens (creating if needed) the state store in a directory.
 *
 * The directory must exist; the store's files (data.mdb, lock.mdb) are
 * created with mode 0600.  An LMDB environment must not be opened twice in
 * one process, so a directory already open in this process (for another
 * database, say) is refused.
 * @param[in] dir	absolute path of the directory
 * @param[out] storep	the open store
 * @param[out] msg	reason on failure
 * @param[in] len	size of msg
 * @return 0 or -1.  Reasons include: the directory already in use in this
 *	process, a store written by another format version, LMDB errors
 *	(permissions, a full disk) with LMDB's own text.
 */
int warden_store_open( const char *dir, warden_store **storep,
	char *msg, size_t len );

/** Closes a store and frees it.  NULL is allowed.  No transaction of the
 * store may be active. */
void warden_store_close( warden_store *store );

/** The directory a store was opened in.  Valid until warden_store_close(). */
const char *warden_store_dir( const warden_store *store );

/** Flushes committed changes to disk.  The store is opened without a
 * flush per commit (MDB_NOSYNC): commits survive the death of the process
 * at once, and a crash of the whole system loses what was committed since
 * the last flush.  warden calls this every second and at close.
 * @return 0 or -1 (reason in msg)
 */
int warden_store_sync( warden_store *store, char *msg, size_t len );

/** Whether the store can record: commits a write transaction that
 * rewrites the format record.  Used to find out when a store that could not
 * record (full disk, full map) records again.
 * @return 0 or -1 (reason in msg)
 */
int warden_store_probe( warden_store *store, char *msg, size_t len );

/* Internal: for warden's own state modules (lockstate.c, otpstate.c), not
 * for the overlay.  They run their transactions on the store's environment,
 * which is opened with MDB_NOTLS (a transaction is not tied to a thread's
 * reader slot; a write transaction must still end in the thread that began
 * it). */

/** The store's LMDB environment.  Valid until warden_store_close(). */
MDB_env *warden_store_env( warden_store *store );

/** The store's database of lockout records ("lock": key the 16-byte
 * entryUUID, value a lockstate.c record), opened when the store is opened
 * so that no transaction ever needs mdb_dbi_open(). */
MDB_dbi warden_store_lock_dbi( const warden_store *store );

/** The store's database of one-time code records ("otp": key the 16-byte
 * entryUUID and a 1-byte index, value an otpstate.c record), opened with
 * the others. */
MDB_dbi warden_store_otp_dbi( const warden_store *store );

/** The store's database of other providers' lockout facts ("peer": key
 * the 16-byte entryUUID and a 2-byte serverID, value a peerstate.c
 * record), opened with the others. */
MDB_dbi warden_store_peer_dbi( const warden_store *store );

/** Deletes one record in a transaction of its own, without reading it (a
 * corrupt record must still be deletable).
 * @param[in] what	names the state in msg ("lockout state")
 * @return 0, 1 when there was no such record, or -1 with msg */
int warden_store_del( warden_store *store, MDB_dbi dbi, const void *key,
	size_t keylen, const char *what, char *msg, size_t len );

#endif /* WARDEN_STORE_H */
