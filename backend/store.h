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
 * the last flush.  warden calls this every second and at close.  The same
 * as warden_store_flush().
 * @return 0 or -1 (reason in msg)
 */
int warden_store_sync( warden_store *store, char *msg, size_t len );

/** Makes every change committed before the call durable (one fdatasync of
 * the store's file), shared between threads: when a flush is under way the
 * caller waits for it, then for the next one, which one of the waiters
 * runs for all of them (group commit; no thread of its own).  So under
 * load the binds that commit while the disk is busy share one fdatasync.
 * May be called with no lock held only (it waits for the disk).
 * @return 0 (on disk) or -1 (reason in msg: the flush that should have
 *	covered the change failed)
 */
int warden_store_flush( warden_store *store, char *msg, size_t len );

/** How many fdatasyncs warden_store_flush() has made (tests: the group
 * commit shares them). */
unsigned long warden_store_flushes( warden_store *store );

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

/** @name One record, looked at or changed in one transaction
 * For the state modules: each keeps its records under keys of its own and
 * decodes and encodes them itself; the store runs the transaction, so
 * that every read-modify-write of the store is this one.
 * @{ */

/** What a change decides (warden_store_change_fn). */
#define WARDEN_STORE_KEEP	0	/**< leave the record: nothing is written */
#define WARDEN_STORE_PUT	1	/**< write the new value (*out) */
#define WARDEN_STORE_DEL	2	/**< delete the record (when there is one) */

/** Deletes, in a transaction of its own and without reading them, every
 * record of dbi whose key is keylen bytes long and starts with the
 * prefixlen bytes of first, the lowest such key (a user's records: the
 * entryUUID, then zeros).
 * @param[in] what	names the state in msg ("lockout state")
 * @return how many were deleted (0: none, nothing written), or -1 with
 *	msg */
int warden_store_purge( warden_store *store, MDB_dbi dbi, const void *first,
	size_t keylen, size_t prefixlen, const char *what, char *msg,
	size_t len );

/** Looks at a record.
 * @param[in] cur	its value, valid only during the call; NULL when
 *	there is no record
 * @param arg		the caller's
 * @return a result (>= 0) passed back, or -1 with msg */
typedef int (warden_store_view_fn)( const MDB_val *cur, void *arg,
	char *msg, size_t len );

/** Decides a record's change, from its current value; it may be called
 * twice in one update (WARDEN_STORE_PEEK), so it computes from cur and
 * keeps nothing of an earlier call.
 * @param[in] cur	the value, valid only during the call; NULL: none
 * @param[out] out	for WARDEN_STORE_PUT: the new value, in memory that
 *	stays valid until warden_store_update() returns (a buffer in arg)
 * @return WARDEN_STORE_KEEP, _PUT, _DEL, or -1 with msg (nothing is
 *	written) */
typedef int (warden_store_change_fn)( const MDB_val *cur, MDB_val *out,
	void *arg, char *msg, size_t len );

/** Calls view with the record key (keylen bytes) of the database dbi, in
 * a read-only transaction of its own (it does not wait for the writer).
 * @param[in] what	names the state in msg ("lockout state")
 * @return view's result, or -1 with msg (LMDB's error, or view's) */
int warden_store_view( warden_store *store, MDB_dbi dbi, const void *key,
	size_t keylen, warden_store_view_fn *view, void *arg,
	const char *what, char *msg, size_t len );

/** warden_store_update() flags */
/** Ask change first in a read-only transaction: when it keeps the record,
 * no write transaction is begun (a replay, a locked account: refusals do
 * not queue on LMDB's single writer). */
#define WARDEN_STORE_PEEK	1
/** Flush to disk after the commit, with warden_store_flush() (the store
 * commits without a flush otherwise; see warden_store_sync()). */
#define WARDEN_STORE_SYNC	2

/** Reads, changes and writes the record key of dbi in one write
 * transaction: change decides from the value read in that transaction
 * (another thread's change in between is seen), and what it decides is
 * committed, or nothing is.  The write transaction begins and ends in the
 * calling thread; change must not call the store.
 * @param[in] flags	WARDEN_STORE_PEEK, WARDEN_STORE_SYNC, or 0
 * @param[in] what	names the state in msg ("lockout state")
 * @return what change decided last (WARDEN_STORE_KEEP, _PUT, _DEL: done),
 *	or -1 with msg (change's reason, or LMDB's: nothing was committed,
 *	or with WARDEN_STORE_SYNC committed but not flushed) */
int warden_store_update( warden_store *store, MDB_dbi dbi, const void *key,
	size_t keylen, int flags, warden_store_change_fn *change, void *arg,
	const char *what, char *msg, size_t len );
/** @} */

#endif /* WARDEN_STORE_H */
