/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* auditlog.c - the audit trail's writer: a hash-chained JSON Lines file
 *
 * The chain is in auditchain.c, the checkpoints in auditcheckpoint.c.
 * One writer thread owns the file descriptor and the chain state (the last
 * sequence number and hash); callers only queue records and, in the durable
 * mode, wait for theirs to be settled.  The writer takes the whole queue at
 * once, so a batch is whatever arrived during the previous write and sync:
 * that is the group commit.
 */

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "auditjson.h"
#include "auditfmt.h"
#include "validate.h"
#include "auditrecover.h"


#define BACKOFF_MIN_MS	100
#define HOLD_MIN_US	1000
#define HOLD_MAX_US	20000
#define BACKOFF_MAX_MS	5000
#define SYSLOG_PRI	( ( 10 << 3 ) | 6 )	/* LOG_AUTHPRIV | LOG_INFO */
#define SYSLOG_TAG	"warden-audit"

/* --- the writer ------------------------------------------------------ */

#define REC_PENDING	-1

typedef struct audit_rec {
	struct audit_rec *ar_next;
	int		ar_state;	/* REC_PENDING, or a warden_audit_rc */
	int		ar_nowait;	/* nobody waits: the writer frees it */
	int		ar_keep;	/* never refused: retried until written */
	pthread_cond_t	ar_cond;	/* for its waiting caller alone: a
					 * batch wakes nobody else */
	uint64_t	ar_seq;
	size_t		ar_len;
	char		ar_text[];
} audit_rec;

struct warden_audit {
	char		*wa_path;
	warden_audit_opts wa_o;
	unsigned char	wa_key[64];

	/* the writer thread's own (before it starts: the opener's) */
	warden_audit_hasher *wa_hasher;
	int		wa_fd;
	off_t		wa_trunc_to;	/* cut the file back to this before
					 * writing again, or -1 */
	uint64_t	wa_seq;		/* last record written */
	unsigned char	wa_hash[WARDEN_AUDIT_HASH_LEN];
	warden_buf	wa_batch;
	int		wa_syslog_fd;
	int		wa_syslog_failing;
	/* checkpoints (the writer thread's own) */
	char		*wa_cp_path;
	unsigned char	wa_cp_key[WARDEN_AUDIT_HASH_LEN];
	uint64_t	wa_synced_seq;	/* the last record synced... */
	unsigned char	wa_synced_hash[WARDEN_AUDIT_HASH_LEN];
	uint64_t	wa_cp_seq;	/* ...and the last checkpointed */
	int		wa_cp_pending;	/* a checkpoint is due at wa_cp_due */
	int		wa_cp_failing;
	struct timespec	wa_cp_due;
	struct timespec	wa_cp_last;
	int		wa_episode;	/* failing since the last success */
	unsigned	wa_attempts;	/* failed attempts in this episode */

	/* shared, under wa_mutex */
	pthread_mutex_t	wa_mutex;
	pthread_cond_t	wa_work;	/* for the writer: records, requests */
	pthread_cond_t	wa_done;	/* for callers: records settled */
	pthread_cond_t	wa_space;	/* for callers: room in the queue */
	pthread_t	wa_thread;
	int		wa_started;
	audit_rec	*wa_head, **wa_tailp;
	size_t		wa_queued;
	size_t		wa_waiting;	/* of those, durable callers' */
	size_t		wa_announced;	/* records announced, not yet queued */
	long		wa_sync_us;	/* recent syncs' duration (average) */
	long		wa_gap_us;	/* recent gaps between waited records */
	struct timespec	wa_last_arrival;
	int		wa_unsynced;	/* asynchronous: written, not synced */
	struct timespec	wa_sync_due;	/* ...and when to sync it */
	uint64_t	wa_accepted;	/* records queued since the open */
	uint64_t	wa_settled;	/* of those, written or refused */
	int		wa_flushers;	/* callers in warden_audit_flush() */
	int		wa_stop;
	struct timespec	wa_stop_by;	/* close gives up on a failing file */
	int		wa_failing;
	struct timespec	wa_retry_at;	/* REFUSE: refused until then */
	unsigned	wa_backoff_ms;
	unsigned long	wa_reopen_req, wa_reopen_done;
	int		wa_reopen_rc;
	char		wa_reopen_msg[512];
	uint64_t	wa_lost;
	warden_audit_stats wa_st;
};

static void
ts_after_us( struct timespec *ts, long us )
{
	clock_gettime( CLOCK_MONOTONIC, ts );
	ts->tv_sec += us / 1000000;
	ts->tv_nsec += ( us % 1000000 ) * 1000;
	if ( ts->tv_nsec >= 1000000000 ) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

static void
ts_after( struct timespec *ts, unsigned ms )
{
	clock_gettime( CLOCK_MONOTONIC, ts );
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)( ms % 1000 ) * 1000000;
	if ( ts->tv_nsec >= 1000000000 ) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

static int
ts_passed( const struct timespec *ts )
{
	struct timespec now;

	clock_gettime( CLOCK_MONOTONIC, &now );
	return now.tv_sec > ts->tv_sec ||
		( now.tv_sec == ts->tv_sec && now.tv_nsec >= ts->tv_nsec );
}

static int
ts_cmp( const struct timespec *x, const struct timespec *y )
{
	if ( x->tv_sec != y->tv_sec ) return x->tv_sec < y->tv_sec ? -1 : 1;
	if ( x->tv_nsec != y->tv_nsec ) return x->tv_nsec < y->tv_nsec ? -1 : 1;
	return 0;
}

static long
ts_us_since( const struct timespec *t0 )
{
	struct timespec now;

	clock_gettime( CLOCK_MONOTONIC, &now );
	return ( now.tv_sec - t0->tv_sec ) * 1000000L +
		( now.tv_nsec - t0->tv_nsec ) / 1000;
}

static void
audit_log( warden_audit *a, const char *fmt, ... )
	__attribute__(( format( printf, 2, 3 ) ));

static void
audit_log( warden_audit *a, const char *fmt, ... )
{
	char buf[512];
	va_list ap;

	if ( !a->wa_o.ao_log ) return;
	va_start( ap, fmt );
	vsnprintf( buf, sizeof( buf ), fmt, ap );
	va_end( ap );
	a->wa_o.ao_log( a->wa_o.ao_log_arg, buf );
}

static ssize_t
io_write( warden_audit *a, const void *buf, size_t n )
{
	if ( a->wa_o.ao_write )
		return a->wa_o.ao_write( a->wa_o.ao_io_arg, a->wa_fd, buf, n );
	return write( a->wa_fd, buf, n );
}

static int
io_sync( warden_audit *a )
{
	if ( a->wa_o.ao_sync ) return a->wa_o.ao_sync( a->wa_o.ao_io_arg, a->wa_fd );
	return fdatasync( a->wa_fd );
}

/* A new file's directory entry is durable only once the directory is
 * synced; best effort (the records themselves are synced anyway). */
static void
sync_dir( const char *path )
{
	char dir[4096];
	const char *slash = strrchr( path, '/' );
	int fd;

	if ( !slash || (size_t)( slash - path ) >= sizeof( dir ) ) return;
	memcpy( dir, path, slash - path );
	dir[slash - path] = '\0';
	if ( !dir[0] ) strcpy( dir, "/" );
	if ( ( fd = open( dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC ) ) < 0 ) return;
	(void)fsync( fd );
	close( fd );
}

static void audit_synced( warden_audit *a );

/* Asynchronous: syncs what earlier batches wrote (called and returning
 * with the mutex held).  A failed sync cannot be retried -- the kernel may
 * have dropped the pages -- so it is reported, and under
 * WARDEN_AUDIT_REFUSE changes are refused until a batch is written again. */
static void
audit_sync_written( warden_audit *a )
{
	int rc, err;

	pthread_mutex_unlock( &a->wa_mutex );
	rc = io_sync( a );
	err = errno;
	if ( rc < 0 ) audit_log( a, "cannot sync \"%s\": %s; records written "
		"since the last sync may be lost if the system fails", a->wa_path,
		strerror( err ) );
	if ( rc == 0 ) audit_synced( a );
	pthread_mutex_lock( &a->wa_mutex );
	a->wa_unsynced = 0;
	if ( rc < 0 ) {
		a->wa_st.as_failures++;
		a->wa_failing = 1;
		ts_after( &a->wa_retry_at, a->wa_backoff_ms );
	}
	pthread_cond_broadcast( &a->wa_done );
}

static int
audit_reopen_file( warden_audit *a, char *msg, size_t len )
{
	int fd;

	if ( warden_open_audit_file( a->wa_path, &fd, msg, len ) ) return -1;
	sync_dir( a->wa_path );
	/* asynchronous: what the old file was given stays there */
	pthread_mutex_lock( &a->wa_mutex );
	if ( a->wa_unsynced ) audit_sync_written( a );
	pthread_mutex_unlock( &a->wa_mutex );
	close( a->wa_fd );
	a->wa_fd = fd;
	a->wa_trunc_to = -1;
	pthread_mutex_lock( &a->wa_mutex );
	a->wa_st.as_reopens++;
	pthread_mutex_unlock( &a->wa_mutex );
	return 0;
}

/* Whether the path still names the open file; opens it anew if not. */
static int
audit_follow( warden_audit *a, char *msg, size_t len )
{
	struct stat ps, fs;

	if ( stat( a->wa_path, &ps ) == 0 && fstat( a->wa_fd, &fs ) == 0 &&
		ps.st_dev == fs.st_dev && ps.st_ino == fs.st_ino ) return 0;
	return audit_reopen_file( a, msg, len );
}

static void
audit_syslog( warden_audit *a, const char *line, size_t n )
{
	const char *path = a->wa_o.ao_syslog_path ? a->wa_o.ao_syslog_path : "/dev/log";
	char hdr[96], stamp[32];
	struct iovec iov[2];
	struct msghdr mh;
	struct tm tm;
	time_t now = time( NULL );
	int tries;

	localtime_r( &now, &tm );
	strftime( stamp, sizeof( stamp ), "%b %e %H:%M:%S", &tm );
	snprintf( hdr, sizeof( hdr ), "<%d>%s %s[%ld]: ", SYSLOG_PRI, stamp,
		SYSLOG_TAG, (long)getpid() );
	iov[0].iov_base = hdr;
	iov[0].iov_len = strlen( hdr );
	iov[1].iov_base = (void *)line;
	iov[1].iov_len = n;
	memset( &mh, 0, sizeof( mh ) );
	mh.msg_iov = iov;
	mh.msg_iovlen = 2;
	for ( tries = 0; tries < 2; tries++ ) {
		if ( a->wa_syslog_fd < 0 ) {
			struct sockaddr_un sun;

			memset( &sun, 0, sizeof( sun ) );
			sun.sun_family = AF_UNIX;
			snprintf( sun.sun_path, sizeof( sun.sun_path ), "%s", path );
			a->wa_syslog_fd = socket( AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0 );
			if ( a->wa_syslog_fd < 0 ) break;
			if ( connect( a->wa_syslog_fd, (struct sockaddr *)&sun,
				sizeof( sun ) ) < 0 ) {
				close( a->wa_syslog_fd );
				a->wa_syslog_fd = -1;
				break;
			}
		}
		if ( sendmsg( a->wa_syslog_fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL ) >= 0 ) {
			if ( a->wa_syslog_failing ) {
				a->wa_syslog_failing = 0;
				audit_log( a, "audit trail: syslog takes copies again" );
			}
			return;
		}
		if ( errno == EAGAIN || errno == EWOULDBLOCK || errno == EMSGSIZE )
			break;
		/* syslog restarted: connect again, once */
		close( a->wa_syslog_fd );
		a->wa_syslog_fd = -1;
	}
	pthread_mutex_lock( &a->wa_mutex );
	a->wa_st.as_syslog_dropped++;
	pthread_mutex_unlock( &a->wa_mutex );
	if ( !a->wa_syslog_failing ) {
		a->wa_syslog_failing = 1;
		audit_log( a, "audit trail: syslog does not take copies of records "
			"(%s); the file has them all", strerror( errno ) );
	}
}

/* What is on disk now, after a sync (the writer thread): a checkpoint
 * becomes due, at most every ao_checkpoint_ms. */
static void
audit_synced( warden_audit *a )
{
	a->wa_synced_seq = a->wa_seq;
	memcpy( a->wa_synced_hash, a->wa_hash, sizeof( a->wa_synced_hash ) );
	if ( !a->wa_cp_path || a->wa_cp_pending ||
		a->wa_synced_seq == a->wa_cp_seq ) return;
	a->wa_cp_pending = 1;
	a->wa_cp_due = a->wa_cp_last;
	a->wa_cp_due.tv_sec += a->wa_o.ao_checkpoint_ms / 1000;
	a->wa_cp_due.tv_nsec += (long)( a->wa_o.ao_checkpoint_ms % 1000 ) * 1000000;
	if ( a->wa_cp_due.tv_nsec >= 1000000000 ) {
		a->wa_cp_due.tv_sec++;
		a->wa_cp_due.tv_nsec -= 1000000000;
	}
}

/* Writes the checkpoint of what is synced: PATH.tmp, synced, renamed over
 * PATH; and a copy to syslog.  The writer thread, without the mutex. */
static void
audit_checkpoint_run( warden_audit *a )
{
	char line[WARDEN_AUDIT_CHECKPOINT_MAX], tmp[4200];
	uint64_t seq = a->wa_synced_seq;
	int n, fd = -1, err = 0;

	n = warden_audit_checkpoint_format( a->wa_cp_key, seq, a->wa_synced_hash,
		NULL, line, sizeof( line ) );
	if ( n < 0 ) {
		err = ENOMEM;
	} else if ( snprintf( tmp, sizeof( tmp ), "%s.tmp", a->wa_cp_path ) >=
			(int)sizeof( tmp ) ) {
		err = ENAMETOOLONG;
	} else if ( ( fd = open( tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
			O_CLOEXEC, 0600 ) ) < 0 ) {
		err = errno;
	} else if ( write( fd, line, n ) != n || fdatasync( fd ) < 0 ) {
		err = errno ? errno : EIO;
	}
	if ( fd >= 0 && close( fd ) < 0 && !err ) err = errno;
	if ( !err && rename( tmp, a->wa_cp_path ) < 0 ) err = errno;
	if ( err ) {
		if ( fd >= 0 ) unlink( tmp );
		if ( !a->wa_cp_failing ) {
			a->wa_cp_failing = 1;
			audit_log( a, "cannot write the audit checkpoint \"%s\": %s; "
				"trying again every %u ms", a->wa_cp_path, strerror( err ),
				a->wa_o.ao_checkpoint_ms );
		}
		ts_after( &a->wa_cp_due, a->wa_o.ao_checkpoint_ms );
		return;
	}
	sync_dir( a->wa_cp_path );
	if ( a->wa_cp_failing ) {
		a->wa_cp_failing = 0;
		audit_log( a, "the audit checkpoint \"%s\" is written again",
			a->wa_cp_path );
	}
	audit_syslog( a, line, n - 1 );
	a->wa_cp_seq = seq;
	clock_gettime( CLOCK_MONOTONIC, &a->wa_cp_last );
	a->wa_cp_pending = 0;
	pthread_mutex_lock( &a->wa_mutex );
	a->wa_st.as_checkpoints++;
	a->wa_st.as_checkpoint_seq = seq;
	pthread_mutex_unlock( &a->wa_mutex );
	/* records synced meanwhile: the next one is due */
	if ( a->wa_synced_seq != seq ) audit_synced( a );
}

/* Writes a batch: chain members, one write(), one sync.  On success the
 * chain state moves on and each record has its sequence number; on failure
 * the file is cut back to where it was and the chain state is unchanged. */
static int
audit_write_batch( warden_audit *a, audit_rec *batch, int sync, char *msg,
	size_t len )
{
	warden_buf *b = &a->wa_batch;
	unsigned char hash[WARDEN_AUDIT_HASH_LEN];
	char hex[HEX_LEN + 1], num[24];
	uint64_t seq = a->wa_seq;
	struct timespec t0;
	struct stat st;
	off_t good;
	size_t off;
	audit_rec *r;
	int err;

	if ( audit_follow( a, msg, len ) ) return -1;
	if ( a->wa_trunc_to >= 0 ) {
		if ( ftruncate( a->wa_fd, a->wa_trunc_to ) < 0 ) {
			snprintf( msg, len, "cannot cut \"%s\" back to its last "
				"complete record: %s", a->wa_path, strerror( errno ) );
			return -1;
		}
		a->wa_trunc_to = -1;
	}
	if ( fstat( a->wa_fd, &st ) < 0 ) {
		snprintf( msg, len, "cannot stat \"%s\": %s", a->wa_path,
			strerror( errno ) );
		return -1;
	}
	good = st.st_size;

	memcpy( hash, a->wa_hash, sizeof( hash ) );
	warden_buf_reset( b );
	for ( r = batch; r; r = r->ar_next ) {
		size_t start = b->wb_len, i = r->ar_len - 1;

		/* an empty object takes no comma */
		while ( i > 1 && ( r->ar_text[i-1] == ' ' || r->ar_text[i-1] == '\t' ) )
			i--;
		warden_buf_add( b, r->ar_text, r->ar_len - 1 );
		if ( r->ar_text[i-1] != '{' ) warden_buf_add( b, ",", 1 );
		snprintf( num, sizeof( num ), "%llu", (unsigned long long)++seq );
		warden_audit_hex( hash, hex );
		warden_buf_adds( b, SEQ_MEMBER );
		warden_buf_adds( b, num );
		warden_buf_adds( b, "," PREV_MEMBER );
		warden_buf_add( b, hex, HEX_LEN );
		warden_buf_add( b, "\"", 1 );
		if ( warden_buf_failed( b ) ) break;
		if ( warden_audit_hasher_digest( a->wa_hasher, hash,
			b->wb_data + start, b->wb_len - start, hash ) ) {
			snprintf( msg, len, "cannot hash an audit record (OpenSSL)" );
			return -1;
		}
		warden_audit_hex( hash, hex );
		warden_buf_adds( b, HASH_MEMBER );
		warden_buf_add( b, hex, HEX_LEN );
		warden_buf_add( b, "\"}\n", 3 );
		r->ar_seq = seq;
	}
	if ( warden_buf_failed( b ) ) {
		snprintf( msg, len, "out of memory for a batch of audit records" );
		return -1;
	}

	for ( off = 0; off < b->wb_len; ) {
		ssize_t w = io_write( a, b->wb_data + off, b->wb_len - off );

		if ( w < 0 && errno == EINTR ) continue;
		if ( w <= 0 ) {
			err = w < 0 ? errno : ENOSPC;
			goto fail;
		}
		off += w;
	}
	if ( sync ) {
		clock_gettime( CLOCK_MONOTONIC, &t0 );
		if ( io_sync( a ) < 0 ) {
			err = errno;
			goto fail;
		}
		/* how long the disk takes, for how long a sync may be held */
		a->wa_sync_us += ( ts_us_since( &t0 ) - a->wa_sync_us ) / 8;
	}
	a->wa_seq = seq;
	memcpy( a->wa_hash, hash, sizeof( hash ) );
	if ( sync ) audit_synced( a );

	if ( a->wa_o.ao_syslog ) {
		const char *p = b->wb_data, *e = b->wb_data + b->wb_len;

		while ( p < e ) {
			const char *nl = memchr( p, '\n', e - p );

			audit_syslog( a, p, nl - p );
			p = nl + 1;
		}
	}
	return 0;

fail:
	/* no half record stays behind; what cannot be cut now is cut before
	 * the next write */
	if ( off > 0 && ftruncate( a->wa_fd, good ) < 0 ) a->wa_trunc_to = good;
	snprintf( msg, len, "cannot write \"%s\": %s", a->wa_path, strerror( err ) );
	return -1;
}

/* Settles a batch (under the mutex): durable callers free their own
 * records, the writer frees those nobody waits for. */
static void
audit_settle( warden_audit *a, audit_rec *batch, int state )
{
	audit_rec *r, *next;

	for ( r = batch; r; r = next ) {
		next = r->ar_next;
		a->wa_settled++;
		if ( state == WARDEN_AUDIT_OK ) a->wa_st.as_records++;
		else if ( a->wa_o.ao_durable && !r->ar_nowait ) a->wa_st.as_refused++;
		else a->wa_lost++;
		if ( a->wa_o.ao_durable && !r->ar_nowait ) {
			r->ar_state = state;
			pthread_cond_signal( &r->ar_cond );
		} else {
			free( r );
		}
	}
	if ( a->wa_flushers ) pthread_cond_broadcast( &a->wa_done );
}

/* Durable: whether a sync held for announced records may go now (under
 * the mutex).  The writer is woken only then, not for each arrival. */
static int
audit_hold_over( warden_audit *a )
{
	return a->wa_queued && a->wa_waiting >= a->wa_announced;
}

static void
audit_timedwait( warden_audit *a, pthread_cond_t *c, const struct timespec *until )
{
	pthread_cond_timedwait( c, &a->wa_mutex, until );
}

static void *
audit_thread( void *arg )
{
	warden_audit *a = arg;
	audit_rec *batch = NULL;
	char msg[512];
	int sync;

	pthread_mutex_lock( &a->wa_mutex );
	for ( ;; ) {
		if ( a->wa_reopen_req != a->wa_reopen_done ) {
			unsigned long req = a->wa_reopen_req;
			int rc;

			pthread_mutex_unlock( &a->wa_mutex );
			rc = audit_reopen_file( a, msg, sizeof( msg ) );
			pthread_mutex_lock( &a->wa_mutex );
			a->wa_reopen_rc = rc;
			snprintf( a->wa_reopen_msg, sizeof( a->wa_reopen_msg ), "%s",
				rc ? msg : "" );
			a->wa_reopen_done = req;
			pthread_cond_broadcast( &a->wa_done );
			continue;
		}
		if ( !batch ) {
			if ( !a->wa_head ) {
				if ( a->wa_unsynced && ( a->wa_stop || a->wa_flushers ||
						ts_passed( &a->wa_sync_due ) ) ) {
					audit_sync_written( a );
					continue;
				}
				if ( a->wa_cp_pending && ( a->wa_stop ||
						ts_passed( &a->wa_cp_due ) ) ) {
					pthread_mutex_unlock( &a->wa_mutex );
					audit_checkpoint_run( a );
					pthread_mutex_lock( &a->wa_mutex );
					/* failing at the close: once is enough */
					if ( a->wa_stop ) a->wa_cp_pending = 0;
					continue;
				}
				if ( a->wa_stop ) break;
				if ( a->wa_unsynced && ( !a->wa_cp_pending ||
						ts_cmp( &a->wa_sync_due, &a->wa_cp_due ) < 0 ) )
					audit_timedwait( a, &a->wa_work, &a->wa_sync_due );
				else if ( a->wa_cp_pending )
					audit_timedwait( a, &a->wa_work, &a->wa_cp_due );
				else
					pthread_cond_wait( &a->wa_work, &a->wa_mutex );
				continue;
			}
			if ( !a->wa_o.ao_durable ) {
				struct timespec until;

				/* asynchronous: gather for a while */
				ts_after( &until, a->wa_o.ao_async_ms );
				while ( a->wa_queued < a->wa_o.ao_async_records &&
					!a->wa_stop && !a->wa_flushers &&
					a->wa_reopen_req == a->wa_reopen_done &&
					!ts_passed( &until ) )
					audit_timedwait( a, &a->wa_work, &until );
			} else if ( a->wa_announced && a->wa_waiting < a->wa_announced ) {
				struct timespec until;
				long hold = 4 * ( a->wa_gap_us > a->wa_sync_us ?
					a->wa_gap_us : a->wa_sync_us );

				/* durable: more records are on their way; those
				 * that wait share the sync with them (see
				 * DURABILITY in auditlog.h) */
				if ( hold < HOLD_MIN_US ) hold = HOLD_MIN_US;
				if ( hold > HOLD_MAX_US ) hold = HOLD_MAX_US;
				ts_after_us( &until, hold );
				a->wa_st.as_held++;
				while ( a->wa_announced &&
					a->wa_waiting < a->wa_announced &&
					!a->wa_stop && !a->wa_flushers &&
					a->wa_reopen_req == a->wa_reopen_done &&
					!ts_passed( &until ) )
					audit_timedwait( a, &a->wa_work, &until );
			}
			batch = a->wa_head;
			a->wa_head = NULL;
			a->wa_tailp = &a->wa_head;
			a->wa_queued = 0;
			a->wa_waiting = 0;
			pthread_cond_broadcast( &a->wa_space );
		}
		/* asynchronous: written at once, synced every ao_async_sync_ms
		 * (and for a flush, a reopen, the close) */
		sync = a->wa_o.ao_durable || a->wa_stop || a->wa_flushers ||
			a->wa_reopen_req != a->wa_reopen_done ||
			( a->wa_unsynced && ts_passed( &a->wa_sync_due ) );
		pthread_mutex_unlock( &a->wa_mutex );

		if ( audit_write_batch( a, batch, sync, msg, sizeof( msg ) ) == 0 ) {
			/* under a steady load the writer is never idle */
			if ( a->wa_cp_pending && ts_passed( &a->wa_cp_due ) )
				audit_checkpoint_run( a );
			if ( a->wa_episode ) {
				audit_log( a, "audit trail \"%s\" is written again, after "
					"%u failed attempts", a->wa_path, a->wa_attempts );
				a->wa_episode = 0;
				a->wa_attempts = 0;
			}
			pthread_mutex_lock( &a->wa_mutex );
			if ( sync ) {
				a->wa_unsynced = 0;
			} else if ( !a->wa_unsynced ) {
				a->wa_unsynced = 1;
				ts_after( &a->wa_sync_due, a->wa_o.ao_async_sync_ms );
			}
			a->wa_failing = 0;
			a->wa_backoff_ms = BACKOFF_MIN_MS;
			a->wa_st.as_batches++;
			a->wa_st.as_seq = a->wa_seq;
			audit_settle( a, batch, WARDEN_AUDIT_OK );
			batch = NULL;
			continue;
		}

		a->wa_attempts++;
		if ( !a->wa_episode ) {
			a->wa_episode = 1;
			audit_log( a, "%s; %s", msg,
				a->wa_o.ao_policy == WARDEN_AUDIT_REFUSE ?
				"audited operations are refused until it can be written" :
				"audited operations wait until it can be written" );
		}
		pthread_mutex_lock( &a->wa_mutex );
		a->wa_st.as_failures++;
		a->wa_failing = 1;
		ts_after( &a->wa_retry_at, a->wa_backoff_ms );
		if ( a->wa_backoff_ms < BACKOFF_MAX_MS ) {
			a->wa_backoff_ms *= 2;
			if ( a->wa_backoff_ms > BACKOFF_MAX_MS )
				a->wa_backoff_ms = BACKOFF_MAX_MS;
		}
		if ( a->wa_o.ao_durable && a->wa_o.ao_policy == WARDEN_AUDIT_REFUSE ) {
			audit_rec *keep = NULL, **kp = &keep, *rest = NULL, **rp = &rest,
				*r, *next;

			/* the callers refuse their operations: the records go;
			 * those kept (results of changes already made) stay.
			 * Those queued since go too: while a kept batch is
			 * retried nothing else is taken, and a caller that came
			 * after the backoff would wait until the disk has room */
			if ( a->wa_head ) {
				for ( r = batch; r && r->ar_next; r = r->ar_next ) ;
				if ( r ) r->ar_next = a->wa_head;
				else batch = a->wa_head;
				a->wa_head = NULL;
				a->wa_tailp = &a->wa_head;
				a->wa_queued = 0;
				a->wa_waiting = 0;
				pthread_cond_broadcast( &a->wa_space );
			}
			for ( r = batch; r; r = next ) {
				next = r->ar_next;
				r->ar_next = NULL;
				if ( r->ar_keep ) {
					*kp = r;
					kp = &r->ar_next;
				} else {
					*rp = r;
					rp = &r->ar_next;
				}
			}
			audit_settle( a, rest, WARDEN_AUDIT_REFUSED );
			batch = keep;
			if ( !batch ) continue;
		}
		if ( a->wa_stop && ts_passed( &a->wa_stop_by ) ) {
			uint64_t before = a->wa_settled;
			audit_rec *rest = a->wa_head;

			/* closing, and the file still cannot be written */
			a->wa_head = NULL;
			a->wa_tailp = &a->wa_head;
			a->wa_queued = 0;
			a->wa_waiting = 0;
			audit_settle( a, batch, WARDEN_AUDIT_REFUSED );
			audit_settle( a, rest, WARDEN_AUDIT_REFUSED );
			batch = NULL;
			pthread_mutex_unlock( &a->wa_mutex );
			audit_log( a, "audit trail \"%s\": closing; %llu records could "
				"not be written %s", a->wa_path,
				(unsigned long long)( a->wa_settled - before ),
				a->wa_o.ao_durable ? "(their callers were refused)" :
				"and are lost" );
			pthread_mutex_lock( &a->wa_mutex );
			continue;
		}
		/* keep the batch and try again; a reopen request or the end of
		 * the backoff ends the wait */
		while ( !ts_passed( &a->wa_retry_at ) &&
			a->wa_reopen_req == a->wa_reopen_done )
			audit_timedwait( a, &a->wa_work, &a->wa_retry_at );
	}
	pthread_mutex_unlock( &a->wa_mutex );
	return NULL;
}

/* A record of the writer's own, written before the thread starts. */
static int
audit_write_marker( warden_audit *a, off_t torn, const unsigned char *h,
	char *msg, size_t len )
{
	warden_buf b;
	audit_rec *r;
	char hex[HEX_LEN + 1];
	int rc = -1;

	warden_buf_init( &b );
	warden_audit_hex( h, hex );
	warden_json_begin_object( &b );
	warden_json_key( &b, "@timestamp" );
	warden_json_time( &b, NULL );
	warden_json_key( &b, "event.kind" );
	warden_json_cstr( &b, "event" );
	warden_json_key( &b, "event.dataset" );
	warden_json_cstr( &b, "warden.audit" );
	warden_json_key( &b, "event.action" );
	warden_json_cstr( &b, "audit-torn-tail" );
	warden_json_key( &b, "event.outcome" );
	warden_json_cstr( &b, "success" );
	warden_json_key( &b, "warden.torn.bytes" );
	warden_json_int( &b, (long long)torn );
	warden_json_key( &b, "warden.torn.sha256" );
	warden_json_cstr( &b, hex );
	warden_json_end_object( &b );
	if ( warden_buf_failed( &b ) || !( r = calloc( 1, sizeof( *r ) + b.wb_len ) ) ) {
		snprintf( msg, len, "out of memory" );
		warden_buf_free( &b );
		return -1;
	}
	memcpy( r->ar_text, b.wb_data, b.wb_len );
	r->ar_len = b.wb_len;
	if ( audit_write_batch( a, r, 1, msg, len ) == 0 ) {
		a->wa_st.as_records++;
		a->wa_st.as_batches++;
		a->wa_st.as_seq = a->wa_seq;
		rc = 0;
	}
	free( r );
	warden_buf_free( &b );
	return rc;
}

/* The checkpoint left by the last writer: the trail must reach it
 * (CHECKPOINTS in auditlog.h).  After warden_audit_recover(). */
static int
audit_checkpoint_check( warden_audit *a, char *msg, size_t len )
{
	char line[WARDEN_AUDIT_CHECKPOINT_MAX];
	unsigned char hash[WARDEN_AUDIT_HASH_LEN];
	uint64_t seq = 0;
	ssize_t n;
	int fd, rc;

	fd = open( a->wa_cp_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK );
	if ( fd < 0 ) {
		if ( errno == ENOENT ) return 0;
		snprintf( msg, len, "cannot read the audit checkpoint \"%s\": %s",
			a->wa_cp_path, strerror( errno ) );
		return -1;
	}
	n = read( fd, line, sizeof( line ) );
	close( fd );
	if ( n < 0 ) {
		snprintf( msg, len, "cannot read the audit checkpoint \"%s\": %s",
			a->wa_cp_path, strerror( errno ) );
		return -1;
	}
	rc = warden_audit_checkpoint_parse(
		(const unsigned char (*)[WARDEN_AUDIT_HASH_LEN])a->wa_cp_key, 1,
		line, n, &seq, hash );
	if ( rc ) {
		snprintf( msg, len, "the audit checkpoint \"%s\" %s; check the "
			"trail with wardenctl audit verify, then move the checkpoint "
			"file aside", a->wa_cp_path, rc == -2 ? "is not signed with "
			"the key file's key (forged, or another key file)" :
			"is not a checkpoint" );
		return -1;
	}
	if ( seq > a->wa_seq || ( seq == a->wa_seq &&
			memcmp( hash, a->wa_hash, sizeof( hash ) ) ) ) {
		snprintf( msg, len, "the audit trail \"%s\" ends at seq %llu, %s "
			"its last checkpoint (seq %llu in \"%s\"): records were "
			"removed, or another file is in its place; check it with "
			"wardenctl audit verify --checkpoint, then move the checkpoint "
			"file aside to go on", a->wa_path,
			(unsigned long long)a->wa_seq, seq > a->wa_seq ? "before" :
			"with another hash than", (unsigned long long)seq,
			a->wa_cp_path );
		return -1;
	}
	a->wa_cp_seq = seq;
	return 0;
}

static void
audit_free( warden_audit *a )
{
	if ( a->wa_fd >= 0 ) close( a->wa_fd );
	if ( a->wa_syslog_fd >= 0 ) close( a->wa_syslog_fd );
	warden_audit_hasher_free( a->wa_hasher );
	warden_buf_free( &a->wa_batch );
	OPENSSL_cleanse( a->wa_key, sizeof( a->wa_key ) );
	OPENSSL_cleanse( a->wa_cp_key, sizeof( a->wa_cp_key ) );
	free( a->wa_cp_path );
	free( a->wa_path );
	pthread_cond_destroy( &a->wa_work );
	pthread_cond_destroy( &a->wa_done );
	pthread_cond_destroy( &a->wa_space );
	pthread_mutex_destroy( &a->wa_mutex );
	free( a );
}

int
warden_audit_open( const char *path, const warden_audit_opts *opts,
	warden_audit **ap, char *msg, size_t len )
{
	warden_audit *a = calloc( 1, sizeof( *a ) );
	unsigned char torn_hash[WARDEN_AUDIT_HASH_LEN];
	pthread_condattr_t ca;
	off_t torn = 0;

	*ap = NULL;
	if ( !a ) {
		snprintf( msg, len, "out of memory" );
		return -1;
	}
	/* what audit_free() undoes, first: every failure goes to fail */
	a->wa_fd = -1;
	a->wa_syslog_fd = -1;
	a->wa_trunc_to = -1;
	a->wa_head = NULL;
	a->wa_tailp = &a->wa_head;
	a->wa_backoff_ms = BACKOFF_MIN_MS;
	warden_buf_init( &a->wa_batch );
	/* the marker record, written before the thread starts, may count */
	pthread_mutex_init( &a->wa_mutex, NULL );
	pthread_condattr_init( &ca );
	pthread_condattr_setclock( &ca, CLOCK_MONOTONIC );
	pthread_cond_init( &a->wa_work, &ca );
	pthread_cond_init( &a->wa_done, &ca );
	pthread_cond_init( &a->wa_space, &ca );
	pthread_condattr_destroy( &ca );
	if ( !( a->wa_path = strdup( path ) ) ) {
		snprintf( msg, len, "out of memory" );
		goto fail;
	}
	if ( opts ) a->wa_o = *opts;
	else a->wa_o.ao_durable = 1;
	if ( !a->wa_o.ao_queue_max ) a->wa_o.ao_queue_max = WARDEN_AUDIT_QUEUE_DEFAULT;
	if ( !a->wa_o.ao_async_ms ) a->wa_o.ao_async_ms = 100;
	if ( !a->wa_o.ao_async_records ) a->wa_o.ao_async_records = 1000;
	if ( !a->wa_o.ao_async_sync_ms ) a->wa_o.ao_async_sync_ms = 1000;
	if ( !a->wa_o.ao_close_wait_ms ) a->wa_o.ao_close_wait_ms = 5000;
	if ( !a->wa_o.ao_checkpoint_ms ) a->wa_o.ao_checkpoint_ms = 1000;
	if ( a->wa_o.ao_checkpoint_path ) {
		if ( !a->wa_o.ao_checkpoint_key ) {
			snprintf( msg, len, "an audit checkpoint needs a key "
				"(warden-key-file)" );
			goto fail;
		}
		if ( !( a->wa_cp_path = strdup( a->wa_o.ao_checkpoint_path ) ) ) {
			snprintf( msg, len, "out of memory" );
			goto fail;
		}
		memcpy( a->wa_cp_key, a->wa_o.ao_checkpoint_key,
			sizeof( a->wa_cp_key ) );
		a->wa_o.ao_checkpoint_path = a->wa_cp_path;
		a->wa_o.ao_checkpoint_key = a->wa_cp_key;
	}
	/* gathering more than the queue holds would only make writers wait */
	if ( a->wa_o.ao_async_records > a->wa_o.ao_queue_max )
		a->wa_o.ao_async_records = a->wa_o.ao_queue_max;
	if ( a->wa_o.ao_key ) {
		if ( a->wa_o.ao_keylen < 1 || a->wa_o.ao_keylen > sizeof( a->wa_key ) ) {
			snprintf( msg, len, "the audit chain key must be 1 to %zu bytes",
				sizeof( a->wa_key ) );
			goto fail;
		}
		memcpy( a->wa_key, a->wa_o.ao_key, a->wa_o.ao_keylen );
		a->wa_o.ao_key = a->wa_key;
	}
	if ( !( a->wa_hasher = warden_audit_hasher_new( a->wa_o.ao_key,
		a->wa_o.ao_keylen ) ) ) {
		snprintf( msg, len, "cannot set up SHA-256 or HMAC (OpenSSL)" );
		goto fail;
	}
	if ( warden_open_audit_file( path, &a->wa_fd, msg, len ) ) goto fail;
	sync_dir( path );
	if ( warden_audit_recover( a->wa_fd, a->wa_path, &a->wa_seq, a->wa_hash,
			&torn, torn_hash, msg, len ) )
		goto fail;
	if ( a->wa_cp_path && audit_checkpoint_check( a, msg, len ) ) goto fail;
	if ( torn && audit_write_marker( a, torn, torn_hash, msg, len ) ) goto fail;
	/* what the file holds is on disk; its checkpoint is due at once */
	audit_synced( a );

	if ( pthread_create( &a->wa_thread, NULL, audit_thread, a ) ) {
		snprintf( msg, len, "cannot start the audit writer thread" );
		goto fail;
	}
	a->wa_started = 1;
	*ap = a;
	return 0;

fail:
	audit_free( a );
	return -1;
}

warden_audit_rc
warden_audit_write( warden_audit *a, const char *rec, size_t len, uint64_t *seqp )
{
	return warden_audit_write_ext( a, rec, len, 0, seqp );
}

void
warden_audit_announce( warden_audit *a )
{
	if ( !a->wa_o.ao_durable ) return;
	pthread_mutex_lock( &a->wa_mutex );
	a->wa_announced++;
	pthread_mutex_unlock( &a->wa_mutex );
}

void
warden_audit_withdraw( warden_audit *a )
{
	if ( !a->wa_o.ao_durable ) return;
	pthread_mutex_lock( &a->wa_mutex );
	if ( a->wa_announced ) a->wa_announced--;
	if ( audit_hold_over( a ) ) pthread_cond_signal( &a->wa_work );
	pthread_mutex_unlock( &a->wa_mutex );
}

int
warden_audit_accepting( warden_audit *a )
{
	int ok = 1;

	pthread_mutex_lock( &a->wa_mutex );
	if ( a->wa_stop ) {
		ok = 0;
	} else if ( a->wa_o.ao_policy == WARDEN_AUDIT_REFUSE ) {
		if ( ( a->wa_failing && ( !a->wa_o.ao_durable ||
			!ts_passed( &a->wa_retry_at ) ) ) ||
			a->wa_queued >= a->wa_o.ao_queue_max )
			ok = 0;
	}
	pthread_mutex_unlock( &a->wa_mutex );
	return ok;
}

int
warden_audit_failing( warden_audit *a )
{
	int failing;

	pthread_mutex_lock( &a->wa_mutex );
	failing = a->wa_stop || a->wa_failing;
	pthread_mutex_unlock( &a->wa_mutex );
	return failing;
}

warden_audit_rc
warden_audit_write_ext( warden_audit *a, const char *rec, size_t len,
	int flags, uint64_t *seqp )
{
	audit_rec *r;
	int rc;

	if ( seqp ) *seqp = 0;
	if ( len < 2 || len > WARDEN_AUDIT_RECORD_MAX || rec[0] != '{' ||
		rec[len - 1] != '}' || memchr( rec, '\n', len ) ||
		memchr( rec, '\r', len ) ) return WARDEN_AUDIT_INVALID;
	if ( !( r = malloc( sizeof( *r ) + len ) ) ) {
		/* not written, and the caller knows */
		pthread_mutex_lock( &a->wa_mutex );
		a->wa_st.as_refused++;
		pthread_mutex_unlock( &a->wa_mutex );
		return WARDEN_AUDIT_REFUSED;
	}
	memcpy( r->ar_text, rec, len );
	r->ar_len = len;
	r->ar_next = NULL;
	r->ar_state = REC_PENDING;
	r->ar_seq = 0;
	r->ar_nowait = !!( flags & WARDEN_AUDIT_NOWAIT );
	r->ar_keep = !!( flags & WARDEN_AUDIT_KEEP );

	pthread_mutex_lock( &a->wa_mutex );
	if ( ( flags & WARDEN_AUDIT_ANNOUNCED ) && a->wa_announced ) {
		a->wa_announced--;
		/* a held sync may go now, whatever becomes of this record */
		if ( audit_hold_over( a ) ) pthread_cond_signal( &a->wa_work );
	}
	for ( ;; ) {
		if ( a->wa_stop ) {
			rc = WARDEN_AUDIT_CLOSED;
			goto out;
		}
		/* kept records are few (one per change on its way) */
		if ( r->ar_keep ) break;
		if ( a->wa_o.ao_policy == WARDEN_AUDIT_REFUSE ) {
			if ( ( a->wa_failing && ( !a->wa_o.ao_durable ||
				!ts_passed( &a->wa_retry_at ) ) ) ||
				a->wa_queued >= a->wa_o.ao_queue_max ) {
				a->wa_st.as_refused++;
				rc = WARDEN_AUDIT_REFUSED;
				goto out;
			}
			break;
		}
		if ( a->wa_queued < a->wa_o.ao_queue_max ) break;
		pthread_cond_wait( &a->wa_space, &a->wa_mutex );
	}
	*a->wa_tailp = r;
	a->wa_tailp = &r->ar_next;
	a->wa_queued++;
	if ( a->wa_o.ao_durable && !r->ar_nowait ) {
		long gap;

		a->wa_waiting++;
		/* how far apart records come, for how long a sync may be
		 * held for the next ones */
		if ( a->wa_last_arrival.tv_sec ) {
			gap = ts_us_since( &a->wa_last_arrival );
			if ( gap > HOLD_MAX_US ) gap = HOLD_MAX_US;
			a->wa_gap_us += ( gap - a->wa_gap_us ) / 8;
		}
		clock_gettime( CLOCK_MONOTONIC, &a->wa_last_arrival );
	}
	a->wa_accepted++;
	/* waking the writer for each record costs: asynchronous, it
	 * gathers until the first record is old enough or there are enough;
	 * durable, it holds for announced records */
	if ( a->wa_queued == 1 || ( a->wa_o.ao_durable ? audit_hold_over( a ) :
			a->wa_queued >= a->wa_o.ao_async_records ) )
		pthread_cond_signal( &a->wa_work );
	if ( !a->wa_o.ao_durable || r->ar_nowait ) {
		pthread_mutex_unlock( &a->wa_mutex );
		return WARDEN_AUDIT_OK;
	}
	pthread_cond_init( &r->ar_cond, NULL );
	while ( r->ar_state == REC_PENDING )
		pthread_cond_wait( &r->ar_cond, &a->wa_mutex );
	pthread_cond_destroy( &r->ar_cond );
	rc = r->ar_state;
	if ( seqp && rc == WARDEN_AUDIT_OK ) *seqp = r->ar_seq;

out:
	pthread_mutex_unlock( &a->wa_mutex );
	free( r );
	return rc;
}

int
warden_audit_flush( warden_audit *a )
{
	uint64_t target;

	pthread_mutex_lock( &a->wa_mutex );
	target = a->wa_accepted;
	a->wa_flushers++;
	pthread_cond_signal( &a->wa_work );
	while ( a->wa_settled < target || a->wa_unsynced )
		pthread_cond_wait( &a->wa_done, &a->wa_mutex );
	a->wa_flushers--;
	pthread_mutex_unlock( &a->wa_mutex );
	return 0;
}

int
warden_audit_reopen( warden_audit *a, char *msg, size_t len )
{
	unsigned long gen;
	int rc;

	pthread_mutex_lock( &a->wa_mutex );
	gen = ++a->wa_reopen_req;
	pthread_cond_signal( &a->wa_work );
	while ( a->wa_reopen_done < gen )
		pthread_cond_wait( &a->wa_done, &a->wa_mutex );
	rc = a->wa_reopen_rc;
	if ( rc ) snprintf( msg, len, "%s", a->wa_reopen_msg );
	pthread_mutex_unlock( &a->wa_mutex );
	return rc ? -1 : 0;
}

void
warden_audit_stats_get( warden_audit *a, warden_audit_stats *st )
{
	pthread_mutex_lock( &a->wa_mutex );
	*st = a->wa_st;
	pthread_mutex_unlock( &a->wa_mutex );
}

int
warden_audit_close( warden_audit *a )
{
	int rc;

	if ( !a ) return 0;
	pthread_mutex_lock( &a->wa_mutex );
	a->wa_stop = 1;
	ts_after( &a->wa_stop_by, a->wa_o.ao_close_wait_ms );
	pthread_cond_broadcast( &a->wa_work );
	pthread_cond_broadcast( &a->wa_space );
	pthread_mutex_unlock( &a->wa_mutex );
	pthread_join( a->wa_thread, NULL );
	rc = a->wa_lost ? -1 : 0;
	audit_free( a );
	return rc;
}

