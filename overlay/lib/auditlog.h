/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* auditlog.h - the audit trail: a hash-chained JSON Lines file
 *
 * warden writes one JSON object per line (auditjson.h builds them) for
 * every change and every bind outcome.  This is the sink: it numbers the
 * records, chains them, appends them to a file, makes them durable, copies
 * them to syslog if asked, follows logrotate, and says what happens when
 * the file cannot be written.  It does not need slapd; the overlay builds
 * the records and calls warden_audit_write().
 *
 * RECORDS AND THE CHAIN
 *
 * The caller passes the text of one JSON object: valid JSON in UTF-8,
 * starting with '{' and ending with '}', holding no raw CR or LF (the
 * builder never writes one).  The writer appends three members before its
 * closing brace and ends the line:
 *
 *	{...the caller's members...,"warden.seq":N,"warden.prev":"P","warden.hash":"H"}\n
 *
 *	N	the sequence number, a decimal without leading zeros: 1 for the
 *		first record of a trail, then one more for each record, across
 *		rotated files and restarts.
 *	P	the hash of the record before, as 64 lower-case hex digits; for
 *		the first record of a trail, the genesis value
 *		WARDEN_AUDIT_GENESIS (64 zeros).
 *	H	the record's hash, 64 lower-case hex digits:
 *
 *		H = SHA-256( prev || C )		without a key
 *		H = HMAC-SHA-256( key, prev || C )	with a key
 *
 *		where prev is the 32 bytes P stands for and C, the canonical
 *		form, is the line without its end of line and without the
 *		82 characters ,"warden.hash":"H" -- that is, the line up to
 *		and including P's closing quote, followed by '}':
 *
 *		C = {...the caller's members...,"warden.seq":N,"warden.prev":"P"}
 *
 * (When the caller's object is empty, "{}", there is no comma before
 * "warden.seq".)  The three members are always the last three, in this
 * order and spelling, so a verifier finds them from the end of a line
 * without parsing the caller's JSON: warden_audit_parse() does that, and
 * warden_audit_hasher_digest() computes H.  Each line is checked alone,
 * given the hash of the line before; editing a record breaks its own hash,
 * deleting or reordering records breaks N's sequence and P's link.  Without
 * a key anybody can recompute a chain after editing it, so the plain chain
 * shows accidents and careless edits; only the keyed chain shows a
 * deliberate edit by someone who can write the file but has no key.
 * Neither shows records cut off the end of the last file: that is what
 * checkpoints are for (CHECKPOINTS below).
 *
 * The caller must not use the member names "warden.seq", "warden.prev" and
 * "warden.hash" itself (JSON readers keep the last of duplicate names; the
 * verifier only ever reads the writer's).
 *
 * The key, when there is one, is derived from a master key (warden's key
 * ring, keyring.h) by warden_audit_derive_key() with the label
 * WARDEN_AUDIT_LABEL_CHAIN, so wardenctl audit verify --key-file derives
 * the same one from the same key file.
 *
 * FILES, RESTARTS AND ROTATION
 *
 * The file is opened with warden_open_audit_file() (validate.h): created
 * 0600, O_APPEND, O_NOFOLLOW, close-on-exec, an existing file owned by
 * slapd's user or root and writable by nobody else.  Records are only
 * ever appended as whole lines, with one write() per batch.
 *
 * On open, an existing file's chain is continued: the last complete line
 * gives N and H.  A last line without its end of line is a record that was
 * being written when the process or the system died (in the durable mode
 * none of its records had been acknowledged): it is cut off (the file is
 * truncated after the last complete line) and the first record written is
 * a marker of the writer's own:
 *
 *	{"@timestamp":"...","event.kind":"event","event.dataset":"warden.audit",
 *	 "event.action":"audit-torn-tail","event.outcome":"success",
 *	 "warden.torn.bytes":B,"warden.torn.sha256":"<SHA-256 of the bytes cut>"}
 *
 * so the trail says that bytes were removed, how many, and what they
 * hashed to, while every line stays a complete JSON object that a log
 * shipper and the verifier can read.  A last complete line that is not
 * a record of this format (another program's file, an edit) makes the
 * open fail rather than start a chain that cannot be verified.  An empty
 * or new file continues the chain of PATH.1 when that exists (logrotate
 * moved the file while slapd was stopped) and its last line is a record;
 * otherwise a new trail begins at N = 1 with the genesis value.
 *
 * Before each batch the writer compares the file at the path with the one
 * it has open (device and inode); when the path is gone or names another
 * file (logrotate renamed it, with or without "create"), it opens the path
 * anew (created 0600) and continues the chain there: the first record of
 * the new file carries the previous file's last hash.  warden_audit_reopen()
 * does the same on demand (after logrotate's postrotate, say).  logrotate's
 * copytruncate also works (the same file, emptied) but loses the records
 * written between its copy and its truncate; prefer "create".
 *
 * DURABILITY
 *
 * In the durable mode warden_audit_write() returns once the record is on
 * disk (write() and fdatasync()).  One writer thread takes every record
 * queued while the previous fdatasync() ran and writes them with one
 * write() and one fdatasync(): concurrent callers share the cost of a sync
 * (group commit).
 *
 * A record arrives only when its change is committed, and a database
 * commits one write at a time: writing each record the moment it arrives
 * would give every change a sync of its own, one commit apart.  So a
 * caller may announce a record before it makes its change
 * (warden_audit_announce()); while announced records are on their way and
 * fewer records wait than are announced, the writer holds the sync for
 * them: never longer than four times the recent gap between records or
 * the recent sync's duration, whichever is longer, and within 1 to 20 ms.
 * A lone writer is never held; eight concurrent writers share a sync about
 * four at a time.
 *
 * In the asynchronous mode warden_audit_write() returns
 * once the record is queued; the writer thread writes the queue every
 * ao_async_ms milliseconds or every ao_async_records records, whichever
 * comes first, and syncs what it wrote ao_async_sync_ms after the first
 * unsynced write (and at once for warden_audit_flush(), a reopen and the
 * close).  A crash of slapd loses what was queued and not yet written (at
 * most ao_async_ms worth); a crash of the system also what was written and
 * not yet synced (at most ao_async_sync_ms more); never a record in the
 * middle of the chain.  Syncing the trail's appends costs a journal commit
 * of the file system each time, which slows the database's own syncs on
 * the same disk: hence once a second rather than with every write.
 *
 * FAILURES
 *
 * When a write or a sync fails (ENOSPC, EIO, a reopen that fails), the
 * file is truncated back to its last complete record -- a short write
 * never leaves half a line behind -- and the batch is handled by policy:
 *	- WARDEN_AUDIT_BLOCK: the writer keeps the batch and tries again
 *	  after 100 ms, doubling up to 5 s; callers wait (durable mode: for
 *	  their record; both modes: for room in the queue once it is full).
 *	- WARDEN_AUDIT_REFUSE: in the durable mode the batch's callers get
 *	  WARDEN_AUDIT_REFUSED (their records are not written: the overlay
 *	  refuses the changes they describe, so the trail holds no record of a
 *	  change that did not happen), and later callers get it at once until
 *	  the same backoff has passed, when the next batch probes the file.
 *	  In the asynchronous mode queued records were already acknowledged,
 *	  so the writer keeps and retries them, and callers get
 *	  WARDEN_AUDIT_REFUSED until they are written.  In both modes a full
 *	  queue also refuses.
 * No record is ever dropped silently: a record is written, or its caller
 * is told it was not.  The one exception is warden_audit_close() on a
 * file that still cannot be written after ao_close_wait_ms: it gives up
 * and reports how many records were lost through ao_log.  ao_log is called
 * once when an episode of failures begins and once when it ends.
 *
 * SYSLOG
 *
 * With ao_syslog set, every record written to the file is also sent, as
 * it is, to the local syslog socket, facility LOG_AUTHPRIV, severity
 * LOG_INFO, tag "warden-audit".  It is sent to the socket directly instead
 * of through openlog(3), which would change slapd's own tag.  The copy is
 * best effort (the file is the record): it is sent without waiting, and
 * copies that syslog cannot take (it is down, or its queue is full) are
 * counted in as_syslog_dropped and reported through ao_log.  syslog
 * daemons truncate long messages (rsyslog: 8 KiB by default).
 *
 * CHECKPOINTS
 *
 * Nothing in the files shows records cut off the end of the newest one.
 * With ao_checkpoint_path set, the writer also keeps a signed checkpoint
 * outside the trail: the sequence number and hash of the last record that
 * is on disk (synced), as one line
 *
 *	{"@timestamp":"T","event.action":"audit-checkpoint","warden.seq":N,"warden.hash":"H","warden.mac":"M"}
 *
 * M = HMAC-SHA-256( K, C ) in 64 lower-case hex, where C is the line
 * without its end of line and without the 82 characters ,"warden.mac":"M"
 * (the line up to H's closing quote, followed by '}'), and K the 32-byte
 * key warden_audit_derive_key() derives with WARDEN_AUDIT_LABEL_CHECKPOINT
 * (from the same master key as the chain's: a key of its own, so a
 * checkpoint is never a valid record and the other way round).  The line
 * is written to PATH.tmp (0600), synced, renamed over PATH and the
 * directory synced, so PATH always holds one whole checkpoint; and it is
 * sent to syslog (as records are, see SYSLOG) whatever ao_syslog says.
 * A checkpoint is written at most once a second (ao_checkpoint_ms): after
 * a synced batch when the last one is that old, else when it becomes that
 * old, and at close; so it trails the file by at most about a second.
 * warden_audit_open() reads PATH first: when its MAC does not verify, or
 * it names a sequence number beyond the end of the trail (or the last
 * record's with another hash), records were removed while slapd was
 * stopped, and the open fails, saying so, rather than write a checkpoint
 * over the evidence.  wardenctl audit verify --checkpoint PATH checks a
 * trail against it (warden_audit_checkpoint_parse()).
 *
 * THREADS
 *
 * warden_audit_write(), warden_audit_flush(), warden_audit_reopen() and
 * warden_audit_stats() may be called from any number of threads at once.
 * warden_audit_close() must be called once, when no other call is running.
 */
#ifndef WARDEN_AUDITLOG_H
#define WARDEN_AUDITLOG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define WARDEN_AUDIT_HASH_LEN	32	/**< SHA-256 */
/** The previous hash of a trail's first record, in hex. */
#define WARDEN_AUDIT_GENESIS \
	"0000000000000000000000000000000000000000000000000000000000000000"
/** Longest record text accepted (bytes, without the chain members). */
#define WARDEN_AUDIT_RECORD_MAX	( 16UL * 1024 * 1024 )
/** Longest line of a trail: a record and its chain members (and their
 * separators: 256 bytes is more than they take).  Readers (wardenctl)
 * refuse longer lines as not being records. */
#define WARDEN_AUDIT_LINE_MAX	( WARDEN_AUDIT_RECORD_MAX + 256 )
/** Default limit of the queue, in records. */
#define WARDEN_AUDIT_QUEUE_DEFAULT	10000
/** Labels of warden_audit_derive_key(). */
#define WARDEN_AUDIT_LABEL_CHAIN	"warden audit chain"
#define WARDEN_AUDIT_LABEL_PSEUDONYM	"warden audit pseudonym"
#define WARDEN_AUDIT_LABEL_CHECKPOINT	"warden audit checkpoint"
/** Longest checkpoint line, its line end included. */
#define WARDEN_AUDIT_CHECKPOINT_MAX	512

/** Field names wardenctl audit reads (tail and export filter on them,
 * export --pseudonymize replaces some of them): the overlay writes these
 * names.  Times are warden_json_time()'s form. */
#define WARDEN_AUDIT_F_TIME	"@timestamp"
#define WARDEN_AUDIT_F_ACTION	"event.action"
#define WARDEN_AUDIT_F_OUTCOME	"event.outcome"
#define WARDEN_AUDIT_F_USER	"user.name"	/**< the authenticated DN */
#define WARDEN_AUDIT_F_DN	"ldap.dn"	/**< the DN operated on */
#define WARDEN_AUDIT_F_NEWDN	"ldap.new_dn"	/**< modrdn's new DN */
#define WARDEN_AUDIT_F_IP	"source.ip"
#define WARDEN_AUDIT_F_PORT	"source.port"

typedef enum warden_audit_rc {
	WARDEN_AUDIT_OK = 0,
	WARDEN_AUDIT_REFUSED,	/**< not written, by policy: the caller
				 * refuses the operation the record describes */
	WARDEN_AUDIT_INVALID,	/**< the record text is not acceptable (not
				 * an object, a line break, too long) */
	WARDEN_AUDIT_CLOSED	/**< the trail is being closed */
} warden_audit_rc;

typedef enum warden_audit_policy {
	WARDEN_AUDIT_BLOCK = 0,	/**< writers wait for the file */
	WARDEN_AUDIT_REFUSE	/**< writers are refused */
} warden_audit_policy;

typedef struct warden_audit_opts {
	int		ao_durable;	/**< 1: on disk before returning;
					 * 0: queued (asynchronous) */
	warden_audit_policy ao_policy;
	size_t		ao_queue_max;	/**< records waiting to be written; 0:
					 * WARDEN_AUDIT_QUEUE_DEFAULT */
	const unsigned char *ao_key;	/**< HMAC key (copied), or NULL for
					 * the plain SHA-256 chain */
	size_t		ao_keylen;	/**< 1 .. 64 bytes */
	int		ao_syslog;	/**< copy records to syslog */
	const char	*ao_syslog_path; /**< NULL: "/dev/log" */
	unsigned	ao_async_ms;	/**< asynchronous: sync at least this
					 * often; 0: 100 */
	unsigned	ao_async_records; /**< ...or after this many; 0: 1000 */
	unsigned	ao_async_sync_ms; /**< asynchronous: sync what was
					 * written this long after; 0: 1000 */
	unsigned	ao_close_wait_ms; /**< how long close retries a failing
					 * file; 0: 5000 */
	/** Told (from the writer thread) when a failure episode begins and
	 * ends, and of lost syslog copies.  NULL: silent. */
	void		(*ao_log)( void *arg, const char *msg );
	void		*ao_log_arg;
	/** For tests: called instead of write(2) and fdatasync(2), to make
	 * the sink fail or write short.  NULL in production. */
	/** The checkpoint file (see CHECKPOINTS), or NULL for none; needs
	 * ao_checkpoint_key. */
	const char	*ao_checkpoint_path;
	const unsigned char *ao_checkpoint_key;	/**< 32 bytes (copied) */
	unsigned	ao_checkpoint_ms; /**< at most this often; 0: 1000 */
	ssize_t		(*ao_write)( void *arg, int fd, const void *buf, size_t n );
	int		(*ao_sync)( void *arg, int fd );
	void		*ao_io_arg;
} warden_audit_opts;

typedef struct warden_audit_stats {
	uint64_t	as_records;	/**< records written */
	uint64_t	as_batches;	/**< write() and fdatasync() rounds */
	uint64_t	as_refused;	/**< WARDEN_AUDIT_REFUSED returned */
	uint64_t	as_failures;	/**< failed attempts to write a batch */
	uint64_t	as_reopens;	/**< files opened after rotation */
	uint64_t	as_syslog_dropped; /**< copies syslog did not take */
	uint64_t	as_seq;		/**< sequence number of the last record */
	uint64_t	as_held;	/**< syncs held for announced records */
	uint64_t	as_checkpoints;	/**< checkpoints written */
	uint64_t	as_checkpoint_seq; /**< the last one's sequence number */
} warden_audit_stats;

typedef struct warden_audit warden_audit;

/** Opens (creating if needed) an audit file and starts its writer thread.
 * Repairs a torn last line and continues an existing chain (see above).
 * @param[in] path	absolute path of the file
 * @param[in] opts	the options; NULL for the defaults (durable, block,
 *	no key, no syslog)
 * @param[out] ap	the open trail
 * @param[out] msg	reason on failure (never holds key material)
 * @param[in] len	size of msg
 * @return 0 or -1.  Reasons include those of warden_open_audit_file(), a
 *	last line that is not a record, a key of a bad length.
 */
int warden_audit_open( const char *path, const warden_audit_opts *opts,
	warden_audit **ap, char *msg, size_t len );

/** Writes one record (see above for the text it must be).
 * @param[in] rec	the JSON object, without a line end
 * @param[in] len	its length
 * @param[out] seqp	durable mode: the record's sequence number;
 *	asynchronous: 0.  May be NULL.
 * @return WARDEN_AUDIT_OK (durable: on disk; asynchronous: queued),
 *	WARDEN_AUDIT_REFUSED, WARDEN_AUDIT_INVALID or WARDEN_AUDIT_CLOSED
 */
warden_audit_rc warden_audit_write( warden_audit *a, const char *rec,
	size_t len, uint64_t *seqp );

#define WARDEN_AUDIT_NOWAIT	0x01	/**< queue, even in the durable mode */
#define WARDEN_AUDIT_ANNOUNCED	0x02	/**< the record warden_audit_announce()
					 * promised */
#define WARDEN_AUDIT_KEEP	0x04	/**< never refused, by the policy or a
					 * full queue: kept and retried until
					 * written (or the close gives up) */

/** warden_audit_write() with flags: WARDEN_AUDIT_NOWAIT returns once the
 * record is queued, in either mode (records nobody waits for, such as a
 * bind's outcome: written in order with the rest, not waited on; under
 * WARDEN_AUDIT_REFUSE such a record refused with its batch is counted as
 * lost and reported at close).  WARDEN_AUDIT_KEEP is for records of
 * what already happened and cannot be refused any more (the result of a
 * change whose intent record is written): under WARDEN_AUDIT_REFUSE such
 * a record stays in the writer's hands while the file fails, as in
 * WARDEN_AUDIT_BLOCK; usually with WARDEN_AUDIT_NOWAIT. */
warden_audit_rc warden_audit_write_ext( warden_audit *a, const char *rec,
	size_t len, int flags, uint64_t *seqp );

/** Announces a record that will follow soon (when its change is
 * committed): a durable trail holds its next sync briefly for it (see
 * DURABILITY).  Every announcement ends with exactly one
 * warden_audit_write_ext() with WARDEN_AUDIT_ANNOUNCED, or with
 * warden_audit_withdraw() when no record comes after all.  An announcement
 * never ended only makes syncs wait for the longest hold. */
void warden_audit_announce( warden_audit *a );

/** Ends an announcement without a record. */
void warden_audit_withdraw( warden_audit *a );

/** Whether a record written now would be accepted: 0 when the policy is
 * WARDEN_AUDIT_REFUSE and the file is failing or the queue is full (the
 * caller refuses a change before making it), 1 otherwise. */
int warden_audit_accepting( warden_audit *a );

/** Whether the file cannot be written at the moment (the writer's last
 * attempt failed and it is retrying), or the trail is closing, whatever
 * the overflow policy: a record now would wait or be refused.
 * @return 1 or 0 */
int warden_audit_failing( warden_audit *a );

/** Waits until every record queued before the call is written and synced
 * (or refused).  @return 0 */
int warden_audit_flush( warden_audit *a );

/** Opens the path anew and continues the chain in the file found there,
 * before the next record is written; waits for that.
 * @return 0 or -1 (reason in msg; the writer keeps the file it had and
 *	tries again before the next batch) */
int warden_audit_reopen( warden_audit *a, char *msg, size_t len );

/** Counters since the open. */
void warden_audit_stats_get( warden_audit *a, warden_audit_stats *st );

/** Writes what is queued, stops the writer thread, closes the file and
 * frees the trail.  NULL is allowed.
 * @return 0, or -1 when records could not be written (reported through
 *	ao_log) */
int warden_audit_close( warden_audit *a );

/* --- the chain, for verifiers ---------------------------------------- */

typedef struct warden_audit_link {
	uint64_t	al_seq;
	unsigned char	al_prev[WARDEN_AUDIT_HASH_LEN];
	unsigned char	al_hash[WARDEN_AUDIT_HASH_LEN];
	size_t		al_body;	/**< length of the line up to P's closing
					 * quote: C is line[0 .. al_body) + '}' */
} warden_audit_link;

/** Finds the chain members at the end of a line.
 * @param[in] line	the line, without its line end
 * @return 0, or -1 when the line does not end in the three members (in
 *	order, in the exact spelling, with lower-case hex)
 */
int warden_audit_parse( const char *line, size_t len, warden_audit_link *l );

typedef struct warden_audit_hasher warden_audit_hasher;

/** A hasher for one key (NULL: the plain SHA-256 chain).
 * @return the hasher, or NULL when OpenSSL fails or keylen is not 1 .. 64 */
warden_audit_hasher *warden_audit_hasher_new( const unsigned char *key,
	size_t keylen );

/** H for a record, from the previous hash and the line's first al_body
 * bytes.  @return 0 or -1 (OpenSSL failed) */
int warden_audit_hasher_digest( warden_audit_hasher *h,
	const unsigned char prev[WARDEN_AUDIT_HASH_LEN],
	const char *line, size_t body, unsigned char out[WARDEN_AUDIT_HASH_LEN] );

/** Wipes and frees a hasher.  NULL is allowed. */
void warden_audit_hasher_free( warden_audit_hasher *h );

/** Derives a 32-byte key from a master key (the active key of warden's key
 * ring): HKDF-SHA-256 (RFC 5869) with an empty salt, the master key as
 * input key material and the label as info.  The chain's HMAC key uses
 * WARDEN_AUDIT_LABEL_CHAIN, wardenctl's pseudonyms
 * WARDEN_AUDIT_LABEL_PSEUDONYM, so neither key tells the other.
 * @return 0 or -1 */
int warden_audit_derive_key( const unsigned char *master, size_t masterlen,
	const char *label, unsigned char out[WARDEN_AUDIT_HASH_LEN] );

/** A checkpoint line (see CHECKPOINTS) for seq and hash, at time ts
 * (NULL: now), with its line end and a NUL, into out.
 * @return its length, or -1 (OpenSSL failed, out too small) */
int warden_audit_checkpoint_format( const unsigned char key[WARDEN_AUDIT_HASH_LEN],
	uint64_t seq, const unsigned char hash[WARDEN_AUDIT_HASH_LEN],
	const struct timespec *ts, char *out, size_t outlen );

/** Reads a checkpoint line (with or without its line end).
 * @param[in] keys	candidate keys (a verifier tries every key of a key
 *	file), nkeys of them
 * @return 0 with *seq and hash set; -1 when the line is not a checkpoint;
 *	-2 when its MAC matches none of the keys */
int warden_audit_checkpoint_parse( const unsigned char (*keys)[WARDEN_AUDIT_HASH_LEN],
	int nkeys, const char *line, size_t len, uint64_t *seq,
	unsigned char hash[WARDEN_AUDIT_HASH_LEN] );

/** Hex of a hash: 64 lower-case digits and a NUL. */
void warden_audit_hex( const unsigned char h[WARDEN_AUDIT_HASH_LEN],
	char out[2 * WARDEN_AUDIT_HASH_LEN + 1] );

#endif /* WARDEN_AUDITLOG_H */
