/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* wbench.c - LDAP load generator for the warden benchmark harness */
/*
 * Drives a slapd listening on 127.0.0.1 with one workload (simple binds,
 * failed binds, password+TOTP binds, modifies) from T threads, each keeping
 * C operations in flight on C connections, and prints one line:
 *
 *   workload=W ops=N errors=E elapsed=S ops_s=R p50_us=A p99_us=B ...
 *
 * ops counts operations that ended with the expected result (0, or 49 for
 * the bind-fail-* workloads); errors counts everything else (other result
 * codes, connection failures, time-outs).  Latencies are those of the
 * expected results, from the first byte sent (connection set-up included
 * when a workload opens a connection per operation) to the result.
 *
 * The run is bounded: by -d seconds, by -l operations, and an operation
 * that gets no answer within -T seconds counts as an error.
 *
 * TOTP secrets: user i has the 20-byte key made of the ASCII characters of
 * printf("wbtotp%014d", i); see wb_totp_secret() and README.md.
 *
 * Build: cc -O2 -Wall -Wextra -Werror -o wbench wbench.c \
 *		-lldap -llber -loath -lpthread
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <ldap.h>
#include <lber.h>
#include <liboath/oath.h>

#include "wblist.h"

#define WB_TOTP_STEP		30	/* seconds, oathTOTPTimeStepPeriod */
#define WB_TOTP_DIGITS		6	/* oathOTPLength */
#define WB_TOTP_KEYLEN		20	/* strlen("wbtotp") + 14 digits */

#define WB_HIST_SUB		64	/* sub-buckets per power of two */
#define WB_HIST_N		(60 * WB_HIST_SUB)

#define WB_MAX_THREADS		256
#define WB_MAX_CONNS		1024
#define WB_MAX_FAIL_STREAK	1000	/* give up after so many failed sends */
#define WB_MAX_REPORTS		10	/* error messages printed to stderr */
#define WB_DEFAULT_CAP		600.0	/* seconds, when only -l bounds a run */

typedef enum wb_workload {
	WB_BIND_NEW = 0,
	WB_BIND_REBIND,
	WB_BIND_FAIL_SPREAD,
	WB_BIND_FAIL_ONE,
	WB_BIND_TOTP,
	WB_MODIFY,
	WB_PASSWD,
	WB_SECRETS,
	WB_BANNED_LIST,
	WB_SEARCH_KEYS,
	WB_WORKLOAD_LAST
} wb_workload;

static const char *const wb_workload_names[WB_WORKLOAD_LAST] = {
	"bind-new",
	"bind-rebind",
	"bind-fail-spread",
	"bind-fail-one",
	"bind-totp",
	"modify",
	"passwd",
	"secrets",
	"banned-list",
	"search-keys",
};

typedef struct wb_config {
	const char	*wc_uri;
	const char	*wc_admin_dn;
	const char	*wc_admin_pw;
	const char	*wc_user_pw;
	const char	*wc_bad_pw;
	const char	*wc_new_pw;	/* passwd: fixed value, or NULL */
	int		wc_pw_length;	/* passwd: length of generated ones */
	const char	*wc_pw_seed;	/* passwd: NULL, or what makes the nonce */
	char		*wc_dn_pre;	/* DN template split around its %d */
	const char	*wc_dn_suf;
	wb_workload	wc_workload;
	int		wc_nusers;
	int		wc_first;
	int		wc_threads;
	int		wc_conns;
	int		wc_newconn;	/* a connection per operation */
	int		wc_random;
	int		wc_linger0;
	double		wc_duration;
	long		wc_count;
	double		wc_timeout;
	int		wc_expect;	/* the result code that counts as ok */
} wb_config;

typedef struct wb_slot {
	LDAP		*ws_ld;
	int		ws_msgid;	/* -1: nothing in flight */
	int		ws_user;
	uint64_t	ws_t0;		/* ns, CLOCK_MONOTONIC */
} wb_slot;

typedef struct wb_thread {
	pthread_t	wt_tid;
	int		wt_id;
	wb_slot		*wt_slots;
	struct pollfd	*wt_pfds;
	int		*wt_pmap;
	uint64_t	wt_ops;
	uint64_t	wt_errors;
	uint64_t	wt_seq;
	uint64_t	wt_rng;
	int		wt_fail_streak;
	uint64_t	wt_hist[WB_HIST_N];
} wb_thread;

static wb_config wb_conf;

static volatile sig_atomic_t wb_signalled;
static int wb_stop;			/* atomic */
static int wb_aborted;			/* atomic */
static int wb_exhausted;		/* atomic */
static long wb_issued;			/* atomic, -l accounting */
static unsigned long wb_next_user;	/* atomic, round-robin */
static int wb_reports;			/* atomic */
static uint64_t wb_deadline;		/* ns; 0: none */
static uint64_t wb_pw_nonce;		/* passwd: differs between runs */

static pthread_barrier_t wb_ready;
static pthread_barrier_t wb_go;

static pthread_mutex_t wb_totp_mutex = PTHREAD_MUTEX_INITIALIZER;
static long wb_totp_step = -1;
static int wb_totp_next;

static uint64_t
wb_now( void )
{
	struct timespec ts;

	clock_gettime( CLOCK_MONOTONIC, &ts );
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
wb_on_signal( int sig )
{
	(void)sig;
	wb_signalled = 1;
}

static int
wb_should_stop( void )
{
	if ( wb_signalled ) {
		__atomic_store_n( &wb_stop, 1, __ATOMIC_RELAXED );
	}
	if ( __atomic_load_n( &wb_stop, __ATOMIC_RELAXED ) ) {
		return 1;
	}
	if ( wb_deadline && wb_now() >= wb_deadline ) {
		return 1;
	}
	return 0;
}

/* Latency histogram: exact below 128 ns, then 64 sub-buckets per power of
 * two (relative error below 1.6 %). */
static int
wb_hist_index( uint64_t v )
{
	int msb, shift, idx;

	if ( v < 2 * WB_HIST_SUB ) {
		return (int)v;
	}
	msb = 63 - __builtin_clzll( v );
	shift = msb - 6;
	idx = shift * WB_HIST_SUB + (int)( v >> shift );
	if ( idx >= WB_HIST_N ) {
		idx = WB_HIST_N - 1;
	}
	return idx;
}

static double
wb_hist_value( int idx )
{
	int shift, m;

	if ( idx < 2 * WB_HIST_SUB ) {
		return idx;
	}
	shift = idx / WB_HIST_SUB - 1;
	m = idx - shift * WB_HIST_SUB;
	/* middle of the bucket */
	return (double)( (uint64_t)m << shift ) +
		(double)( (uint64_t)1 << shift ) / 2.0;
}

static double
wb_hist_percentile( const uint64_t *hist, uint64_t total, double p )
{
	uint64_t rank, seen = 0;
	int i;

	if ( total == 0 ) {
		return 0.0;
	}
	rank = (uint64_t)( p * (double)total );
	if ( (double)rank < p * (double)total ) {
		rank++;
	}
	if ( rank < 1 ) {
		rank = 1;
	}
	for ( i = 0; i < WB_HIST_N; i++ ) {
		seen += hist[i];
		if ( seen >= rank ) {
			return wb_hist_value( i );
		}
	}
	return wb_hist_value( WB_HIST_N - 1 );
}

static uint64_t
wb_rand( wb_thread *wt )
{
	/* xorshift64* */
	uint64_t x = wt->wt_rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	wt->wt_rng = x;
	return x * 0x2545F4914F6CDD1Dull;
}

/* passwd: the new password of a thread's seq-th operation, of
 * wc_pw_length characters (12 to 24).  Unique within a run and, by
 * wb_pw_nonce, between runs, so that no history refuses it; and strong
 * under any rules warden or cracklib apply: fixed letters at both ends
 * ("Xq", "Jv": 4 classes with what is between), and between them digits
 * and symbols alternating, so that no character repeats, no two
 * neighbours of a keyboard row or of the alphabet follow each other
 * (sequences), nothing is a dictionary word or on the banned list (whose
 * keys never hold a symbol inside), and nothing contains a user's uid, cn
 * or sn ("u42", "User 42").  The symbols avoid '/' and ':', which cracklib
 * counts as steps from '0' and '9'.
 *
 * The m = length - 4 middle characters are the m decimal digits of a
 * number, one per character (a digit, or a symbol chosen by the digit):
 * for m <= 19, an affine bijection modulo 10^m of the operation's counter
 * (seq * 256 + thread) plus the nonce; for m = 20, wbn_mix() of it, a
 * bijection of 64-bit values (10^20 > 2^64). */
static void
wb_new_password( wb_thread *wt, char *pw, size_t size )
{
	static const char sym[] = "!#%&*+-=?@";
	uint64_t ctr = wt->wt_seq << 8 | (uint64_t)wt->wt_id, x, mod = 1;
	int m = wb_conf.wc_pw_length - 4, i;
	size_t n = 0;

	if ( m < 8 || m > 20 || size < (size_t)m + 5 ) {
		if ( size ) pw[0] = '\0';
		return;
	}
	if ( m == 20 ) {
		x = wbn_mix( wb_pw_nonce + ctr );
	} else {
		for ( i = 0; i < m; i++ ) mod *= 10;
		/* 7777777777777777777 is prime to 10: invertible modulo 10^m */
		x = (uint64_t)( ( (unsigned __int128)( ( ctr + wb_pw_nonce % mod ) % mod ) *
			( 7777777777777777777ull % mod ) + 1234567 ) % mod );
	}
	pw[n++] = 'X';
	pw[n++] = 'q';
	for ( i = 0; i < m; i++ ) {
		pw[n++] = ( i & 1 ) ? sym[x % 10] : (char)( '0' + x % 10 );
		x /= 10;
	}
	pw[n++] = 'J';
	pw[n++] = 'v';
	pw[n] = '\0';
}

static int
wb_pick_user( wb_thread *wt )
{
	unsigned long n;

	if ( wb_conf.wc_workload == WB_BIND_FAIL_ONE ) {
		return wb_conf.wc_first;
	}
	if ( wb_conf.wc_random ) {
		n = (unsigned long)( wb_rand( wt ) % (uint64_t)wb_conf.wc_nusers );
	} else {
		n = __atomic_fetch_add( &wb_next_user, 1, __ATOMIC_RELAXED ) %
			(unsigned long)wb_conf.wc_nusers;
	}
	return wb_conf.wc_first + (int)n;
}

static int
wb_user_dn( int user, char *buf, size_t len )
{
	int n;

	n = snprintf( buf, len, "%s%d%s", wb_conf.wc_dn_pre, user,
		wb_conf.wc_dn_suf );
	return ( n < 0 || (size_t)n >= len ) ? -1 : 0;
}

/* The documented secret of user i: 20 ASCII bytes "wbtotp%014d". */
static void
wb_totp_secret( int user, char key[WB_TOTP_KEYLEN + 1] )
{
	snprintf( key, WB_TOTP_KEYLEN + 1, "wbtotp%014d", user );
}

/* Claims a user that has not bound yet in the current time step and
 * computes its code.  Returns 1 when every user has been used in this step. */
static int
wb_totp_claim( int *user, char code[WB_TOTP_DIGITS + 1] )
{
	char key[WB_TOTP_KEYLEN + 1];
	time_t now;
	long step;
	int rc = 0;

	pthread_mutex_lock( &wb_totp_mutex );
	now = time( NULL );
	step = (long)( now / WB_TOTP_STEP );
	if ( step != wb_totp_step ) {
		wb_totp_step = step;
		wb_totp_next = 0;
	}
	if ( wb_totp_next >= wb_conf.wc_nusers ) {
		rc = 1;
		pthread_mutex_unlock( &wb_totp_mutex );
		goto done;
	}
	*user = wb_conf.wc_first + wb_totp_next++;
	pthread_mutex_unlock( &wb_totp_mutex );

	wb_totp_secret( *user, key );
	if ( oath_totp_generate( key, WB_TOTP_KEYLEN, now, WB_TOTP_STEP,
			OATH_TOTP_DEFAULT_START_TIME, WB_TOTP_DIGITS, code ) != OATH_OK ) {
		rc = -1;
	}
	memset( key, 0, sizeof(key) );

done:
	return rc;
}

static void
wb_report( const char *what, int user, int code, const char *diag )
{
	char dn[512];

	if ( __atomic_fetch_add( &wb_reports, 1, __ATOMIC_RELAXED ) >= WB_MAX_REPORTS ) {
		return;
	}
	if ( user < 0 || wb_user_dn( user, dn, sizeof(dn) ) ) {
		snprintf( dn, sizeof(dn), "-" );
	}
	fprintf( stderr, "wbench: %s: %s: result %d (%s)%s%s\n", what, dn, code,
		ldap_err2string( code ), diag && *diag ? ": " : "",
		diag ? diag : "" );
}

static void
wb_slot_close( wb_slot *ws, int linger0 )
{
	struct linger lg = { 1, 0 };
	int fd = -1;

	if ( ws->ws_ld == NULL ) {
		return;
	}
	if ( linger0 && ldap_get_option( ws->ws_ld, LDAP_OPT_DESC, &fd ) ==
			LDAP_OPT_SUCCESS && fd >= 0 ) {
		/* reset instead of FIN: leaves no TIME_WAIT socket behind */
		setsockopt( fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg) );
	}
	ldap_unbind_ext( ws->ws_ld, NULL, NULL );
	ws->ws_ld = NULL;
	ws->ws_msgid = -1;
}

static int
wb_slot_open( wb_slot *ws )
{
	struct berval cred;
	int rc;

	rc = ldap_initialize( &ws->ws_ld, wb_conf.wc_uri );
	if ( rc != LDAP_SUCCESS ) {
		ws->ws_ld = NULL;
		wb_report( "ldap_initialize", -1, rc, NULL );
		goto done;
	}
	if ( wb_conf.wc_workload == WB_MODIFY || wb_conf.wc_workload == WB_PASSWD ||
			wb_conf.wc_workload == WB_SEARCH_KEYS ) {
		cred.bv_val = (char *)wb_conf.wc_admin_pw;
		cred.bv_len = strlen( cred.bv_val );
		rc = ldap_sasl_bind_s( ws->ws_ld, wb_conf.wc_admin_dn,
			LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL );
		if ( rc != LDAP_SUCCESS ) {
			wb_report( "admin bind", -1, rc, NULL );
			wb_slot_close( ws, 0 );
			goto done;
		}
	}

done:
	return rc;
}

/* Returns 0 when an operation was sent, 1 when no more should be started,
 * -1 when this attempt failed (already counted as an error). */
static int
wb_slot_start( wb_thread *wt, wb_slot *ws )
{
	char dn[512], pw[256], code[WB_TOTP_DIGITS + 1];
	struct berval cred;
	LDAPMod mod, *mods[2];
	char *vals[2];
	int rc, user = -1;
	long n;

	if ( wb_should_stop() ) {
		rc = 1;
		goto done;
	}
	if ( wb_conf.wc_count > 0 ) {
		n = __atomic_fetch_add( &wb_issued, 1, __ATOMIC_RELAXED );
		if ( n >= wb_conf.wc_count ) {
			rc = 1;
			goto done;
		}
	}

	if ( wb_conf.wc_workload == WB_BIND_TOTP ) {
		rc = wb_totp_claim( &user, code );
		if ( rc == 1 ) {
			/* every user of the pool has bound in this time step */
			__atomic_store_n( &wb_exhausted, 1, __ATOMIC_RELAXED );
			__atomic_store_n( &wb_stop, 1, __ATOMIC_RELAXED );
			goto done;
		}
		if ( rc < 0 ) {
			wb_report( "oath_totp_generate", user, LDAP_OTHER, NULL );
			goto fail;
		}
	} else {
		user = wb_pick_user( wt );
	}
	if ( wb_user_dn( user, dn, sizeof(dn) ) ) {
		wb_report( "DN too long", -1, LDAP_OTHER, NULL );
		goto fail;
	}
	ws->ws_user = user;

	if ( wb_conf.wc_newconn ) {
		ws->ws_t0 = wb_now();
		if ( wb_slot_open( ws ) != LDAP_SUCCESS ) {
			goto fail;
		}
	} else {
		if ( ws->ws_ld == NULL && wb_slot_open( ws ) != LDAP_SUCCESS ) {
			goto fail;
		}
		ws->ws_t0 = wb_now();
	}

	switch ( wb_conf.wc_workload ) {
	case WB_BIND_NEW:
	case WB_BIND_REBIND:
	case WB_BIND_FAIL_SPREAD:
	case WB_BIND_FAIL_ONE:
	case WB_BIND_TOTP:
		if ( wb_conf.wc_workload == WB_BIND_FAIL_SPREAD ||
				wb_conf.wc_workload == WB_BIND_FAIL_ONE ) {
			/* a guessing attacker tries a new password each time
			 * (a repeated one counts once with warden) */
			wt->wt_seq++;
			snprintf( pw, sizeof(pw), "%s-%d-%llu", wb_conf.wc_bad_pw,
				wt->wt_id, (unsigned long long)wt->wt_seq );
		} else if ( wb_conf.wc_workload == WB_BIND_TOTP ) {
			snprintf( pw, sizeof(pw), "%s%s", wb_conf.wc_user_pw, code );
		} else {
			snprintf( pw, sizeof(pw), "%s", wb_conf.wc_user_pw );
		}
		cred.bv_val = pw;
		cred.bv_len = strlen( pw );
		rc = ldap_sasl_bind( ws->ws_ld, dn, LDAP_SASL_SIMPLE, &cred,
			NULL, NULL, &ws->ws_msgid );
		break;

	case WB_MODIFY:
	case WB_PASSWD:
		wt->wt_seq++;
		if ( wb_conf.wc_workload == WB_MODIFY ) {
			snprintf( pw, sizeof(pw), "wbench %d-%llu", wt->wt_id,
				(unsigned long long)wt->wt_seq );
			mod.mod_type = "description";
		} else if ( wb_conf.wc_new_pw ) {
			snprintf( pw, sizeof(pw), "%s", wb_conf.wc_new_pw );
			mod.mod_type = "userPassword";
		} else {
			wb_new_password( wt, pw, sizeof(pw) );
			mod.mod_type = "userPassword";
		}
		vals[0] = pw;
		vals[1] = NULL;
		mod.mod_op = LDAP_MOD_REPLACE;
		mod.mod_values = vals;
		mods[0] = &mod;
		mods[1] = NULL;
		rc = ldap_modify_ext( ws->ws_ld, dn, mods, NULL, NULL,
			&ws->ws_msgid );
		break;

	case WB_SEARCH_KEYS: {
		/* what sssd asks for a user's SSH keys: the entry, with them */
		static char *attrs[] = { "uid", "sshPublicKey", NULL };

		rc = ldap_search_ext( ws->ws_ld, dn, LDAP_SCOPE_BASE,
			"(objectClass=*)", attrs, 0, NULL, NULL, NULL, 0,
			&ws->ws_msgid );
		break;
	}

	default:
		rc = LDAP_OTHER;
		break;
	}
	memset( pw, 0, sizeof(pw) );
	if ( rc != LDAP_SUCCESS ) {
		wb_report( "send", user, rc, NULL );
		ws->ws_msgid = -1;
		wb_slot_close( ws, 0 );
		goto fail;
	}
	wt->wt_fail_streak = 0;
	rc = 0;
	goto done;

fail:
	wt->wt_errors++;
	if ( ++wt->wt_fail_streak >= WB_MAX_FAIL_STREAK ) {
		fprintf( stderr, "wbench: %d operations in a row could not be "
			"sent, giving up\n", wt->wt_fail_streak );
		__atomic_store_n( &wb_aborted, 1, __ATOMIC_RELAXED );
		__atomic_store_n( &wb_stop, 1, __ATOMIC_RELAXED );
	}
	rc = -1;

done:
	return rc;
}

/* Collects the result of the operation in flight, if it has arrived.
 * Returns 1 when the slot became idle. */
static int
wb_slot_finish( wb_thread *wt, wb_slot *ws )
{
	struct timeval zero = { 0, 0 };
	LDAPMessage *res = NULL;
	char *diag = NULL;
	int rc, err = LDAP_OTHER, idle = 0;
	uint64_t t1;

	rc = ldap_result( ws->ws_ld, ws->ws_msgid, LDAP_MSG_ALL, &zero, &res );
	if ( rc == 0 ) {
		goto done;
	}
	t1 = wb_now();
	idle = 1;
	if ( rc < 0 ) {
		ldap_get_option( ws->ws_ld, LDAP_OPT_RESULT_CODE, &err );
		wb_report( "ldap_result", ws->ws_user, err, NULL );
		wt->wt_errors++;
		wb_slot_close( ws, 0 );
		goto done;
	}
	rc = ldap_parse_result( ws->ws_ld, res, &err, NULL, &diag, NULL, NULL, 1 );
	if ( rc != LDAP_SUCCESS ) {
		err = rc;
	}
	if ( err == wb_conf.wc_expect ) {
		wt->wt_ops++;
		wt->wt_hist[wb_hist_index( t1 - ws->ws_t0 )]++;
	} else {
		wb_report( wb_workload_names[wb_conf.wc_workload], ws->ws_user,
			err, diag );
		wt->wt_errors++;
	}
	ldap_memfree( diag );
	ws->ws_msgid = -1;
	if ( wb_conf.wc_newconn || err == LDAP_SERVER_DOWN ) {
		wb_slot_close( ws, wb_conf.wc_linger0 );
	}

done:
	if ( idle ) {
		ws->ws_msgid = -1;
	}
	return idle;
}

static void *
wb_thread_main( void *arg )
{
	wb_thread *wt = arg;
	wb_slot *ws;
	uint64_t now, tmo;
	int i, np, active, stopping = 0, fd, r;

	/* persistent connections are opened (and bound as the admin for
	 * writes) before the clock starts */
	if ( !wb_conf.wc_newconn ) {
		for ( i = 0; i < wb_conf.wc_conns; i++ ) {
			if ( wb_slot_open( &wt->wt_slots[i] ) != LDAP_SUCCESS ) {
				wt->wt_errors++;
			}
		}
	}
	pthread_barrier_wait( &wb_ready );
	pthread_barrier_wait( &wb_go );

	tmo = (uint64_t)( wb_conf.wc_timeout * 1e9 );
	for ( ;; ) {
		active = 0;
		np = 0;
		for ( i = 0; i < wb_conf.wc_conns; i++ ) {
			ws = &wt->wt_slots[i];
			if ( ws->ws_msgid < 0 && !stopping ) {
				r = wb_slot_start( wt, ws );
				if ( r > 0 ) {
					stopping = 1;
				}
			}
			if ( ws->ws_msgid < 0 ) {
				continue;
			}
			active++;
			fd = -1;
			if ( ldap_get_option( ws->ws_ld, LDAP_OPT_DESC, &fd ) !=
					LDAP_OPT_SUCCESS || fd < 0 ) {
				/* no socket: let ldap_result report it */
				fd = -1;
			}
			wt->wt_pfds[np].fd = fd;
			wt->wt_pfds[np].events = POLLIN;
			wt->wt_pfds[np].revents = 0;
			wt->wt_pmap[np] = i;
			np++;
		}
		if ( active == 0 ) {
			if ( stopping || wb_should_stop() ) {
				break;
			}
			/* every start failed: do not spin */
			usleep( 1000 );
			continue;
		}

		r = poll( wt->wt_pfds, (nfds_t)np, 100 );
		if ( r < 0 && errno != EINTR ) {
			perror( "wbench: poll" );
			__atomic_store_n( &wb_aborted, 1, __ATOMIC_RELAXED );
			__atomic_store_n( &wb_stop, 1, __ATOMIC_RELAXED );
		}
		now = wb_now();
		for ( i = 0; i < np; i++ ) {
			ws = &wt->wt_slots[wt->wt_pmap[i]];
			if ( wt->wt_pfds[i].revents || wt->wt_pfds[i].fd < 0 ) {
				wb_slot_finish( wt, ws );
			}
			if ( ws->ws_msgid >= 0 && now - ws->ws_t0 > tmo ) {
				wb_report( "time-out", ws->ws_user, LDAP_TIMEOUT, NULL );
				wt->wt_errors++;
				wb_slot_close( ws, 0 );
			}
		}
		if ( !stopping && wb_should_stop() ) {
			stopping = 1;
		}
	}

	for ( i = 0; i < wb_conf.wc_conns; i++ ) {
		wb_slot_close( &wt->wt_slots[i], 0 );
	}
	return NULL;
}

static int
wb_parse_int( const char *s, long min, long max, long *out )
{
	char *end;
	long v;

	errno = 0;
	v = strtol( s, &end, 10 );
	if ( errno || end == s || *end || v < min || v > max ) {
		return -1;
	}
	*out = v;
	return 0;
}

/* Only ever talk to 127.0.0.1 over plain LDAP. */
static int
wb_check_uri( const char *uri )
{
	LDAPURLDesc *lud = NULL;
	int rc = -1;

	if ( ldap_url_parse( uri, &lud ) != LDAP_URL_SUCCESS ) {
		fprintf( stderr, "wbench: cannot parse URI %s\n", uri );
		goto done;
	}
	if ( lud->lud_next || strcasecmp( lud->lud_scheme, "ldap" ) ||
			lud->lud_host == NULL || strcmp( lud->lud_host, "127.0.0.1" ) ) {
		fprintf( stderr, "wbench: refusing %s: only ldap://127.0.0.1[:port]/ "
			"is allowed\n", uri );
		goto done;
	}
	rc = 0;

done:
	if ( lud ) {
		ldap_free_urldesc( lud );
	}
	return rc;
}

/* Splits a DN template around its single %d. */
static int
wb_set_template( const char *tmpl )
{
	const char *p;
	int rc = -1;

	p = strstr( tmpl, "%d" );
	if ( p == NULL || strchr( p + 2, '%' ) || memchr( tmpl, '%', (size_t)( p - tmpl ) ) ) {
		fprintf( stderr, "wbench: -b needs exactly one %%d and no other %%: %s\n",
			tmpl );
		goto done;
	}
	wb_conf.wc_dn_pre = strndup( tmpl, (size_t)( p - tmpl ) );
	if ( wb_conf.wc_dn_pre == NULL ) {
		goto done;
	}
	wb_conf.wc_dn_suf = p + 2;
	rc = 0;

done:
	return rc;
}

static void
wb_usage( FILE *fp )
{
	fprintf( fp,
"usage: wbench -W workload [options]\n"
"  -W bind-new|bind-rebind|bind-fail-spread|bind-fail-one|bind-totp|modify|passwd\n"
"     search-keys  (a user's entry with uid and sshPublicKey, bound as -D)\n"
"     secrets  (prints \"DN HEX-SECRET\" for the TOTP users, no connection)\n"
"     banned-list  (prints -n lines of the synthetic banned list, no connection)\n"
"  -H uri       ldap://127.0.0.1:PORT/ (only 127.0.0.1 is accepted)\n"
"  -D dn -w pw  admin (rootdn) for modify/passwd [cn=admin,dc=bench,dc=test / secret]\n"
"  -b template  user DN with one %%d [uid=u%%d,ou=people,dc=bench,dc=test]\n"
"  -p pw        users' password [secret]     -x pw  wrong password prefix [wrong-password]\n"
"  -P pw        passwd: value to set [default: a unique strong value per op\n"
"               that passes any quality rule, dictionary or banned list]\n"
"  -S length    passwd: length of those values, 12 to 24 [16]\n"
"  -N seed      passwd: the same values for the same seed (each seed once per\n"
"               user set: history refuses a value seen before) [a new set per run]\n"
"  -n users     pool size [1000]             -o first  first user index [0]\n"
"  -t threads   [2]                          -c conns  in flight per thread [2]\n"
"  -d seconds   duration (fractions allowed) -l count  total operations\n"
"               (default -d 10; with -l only, capped at %.0f s)\n"
"  -T seconds   per-operation time-out [10]  -r  random user order\n"
"  -C new|reuse connection per operation or long-lived ones\n"
"               [new for bind-new and bind-totp, reuse otherwise]\n"
"  -L           close per-operation connections with a reset (no TIME_WAIT)\n",
		WB_DEFAULT_CAP );
}

/* The synthetic banned list (wblist.h), -n lines from entry -o. */
static int
wb_banned_list( void )
{
	char e[64];
	long i;

	for ( i = wb_conf.wc_first; i < (long)wb_conf.wc_first + wb_conf.wc_nusers; i++ ) {
		wbn_entry( (uint64_t)i, e, sizeof(e) );
		if ( printf( "%s\n", e ) < 0 ) {
			return 1;
		}
	}
	return fflush( stdout ) ? 1 : 0;
}

static int
wb_secrets( void )
{
	char dn[512], key[WB_TOTP_KEYLEN + 1];
	int i, j;

	for ( i = wb_conf.wc_first; i < wb_conf.wc_first + wb_conf.wc_nusers; i++ ) {
		if ( wb_user_dn( i, dn, sizeof(dn) ) ) {
			return 1;
		}
		wb_totp_secret( i, key );
		printf( "%s ", dn );
		for ( j = 0; j < WB_TOTP_KEYLEN; j++ ) {
			printf( "%02x", (unsigned char)key[j] );
		}
		printf( "\n" );
	}
	return fflush( stdout ) ? 1 : 0;
}

int
main( int argc, char **argv )
{
	wb_thread *threads = NULL;
	uint64_t *hist = NULL, t_start, t_end, ops = 0, errors = 0;
	struct sigaction sa;
	struct timeval net_timeout;
	const char *tmpl = "uid=u%d,ou=people,dc=bench,dc=test";
	const char *conn_mode = NULL;
	double elapsed, cap;
	long v;
	int opt, i, j, rc = 2, version = LDAP_VERSION3, started = 0;
	int have_duration = 0, oath_ready = 0;

	memset( &wb_conf, 0, sizeof(wb_conf) );
	wb_conf.wc_uri = NULL;
	wb_conf.wc_admin_dn = "cn=admin,dc=bench,dc=test";
	wb_conf.wc_admin_pw = "secret";
	wb_conf.wc_user_pw = "secret";
	wb_conf.wc_bad_pw = "wrong-password";
	wb_conf.wc_workload = WB_WORKLOAD_LAST;
	wb_conf.wc_nusers = 1000;
	wb_conf.wc_threads = 2;
	wb_conf.wc_conns = 2;
	wb_conf.wc_duration = 10.0;
	wb_conf.wc_timeout = 10.0;
	wb_conf.wc_pw_length = 16;

	while ( ( opt = getopt( argc, argv, "H:D:w:b:p:x:P:S:N:n:o:t:c:d:l:W:T:C:rLh" ) ) != -1 ) {
		switch ( opt ) {
		case 'H': wb_conf.wc_uri = optarg; break;
		case 'D': wb_conf.wc_admin_dn = optarg; break;
		case 'w': wb_conf.wc_admin_pw = optarg; break;
		case 'b': tmpl = optarg; break;
		case 'p': wb_conf.wc_user_pw = optarg; break;
		case 'x': wb_conf.wc_bad_pw = optarg; break;
		case 'P': wb_conf.wc_new_pw = optarg; break;
		case 'N': wb_conf.wc_pw_seed = optarg; break;
		case 'S':
			if ( wb_parse_int( optarg, 12, 24, &v ) ) {
				fprintf( stderr, "wbench: bad -S %s (12 to 24)\n", optarg );
				goto done;
			}
			wb_conf.wc_pw_length = (int)v;
			break;
		case 'r': wb_conf.wc_random = 1; break;
		case 'L': wb_conf.wc_linger0 = 1; break;
		case 'C': conn_mode = optarg; break;
		case 'n':
		case 'o':
		case 't':
		case 'c':
			if ( wb_parse_int( optarg, opt == 'o' ? 0 : 1,
					opt == 't' ? WB_MAX_THREADS :
					opt == 'c' ? WB_MAX_CONNS : INT_MAX / 2, &v ) ) {
				fprintf( stderr, "wbench: bad -%c %s\n", opt, optarg );
				goto done;
			}
			if ( opt == 'n' ) wb_conf.wc_nusers = (int)v;
			else if ( opt == 'o' ) wb_conf.wc_first = (int)v;
			else if ( opt == 't' ) wb_conf.wc_threads = (int)v;
			else wb_conf.wc_conns = (int)v;
			break;
		case 'l':
			if ( wb_parse_int( optarg, 1, LONG_MAX / 2, &v ) ) {
				fprintf( stderr, "wbench: bad -l %s\n", optarg );
				goto done;
			}
			wb_conf.wc_count = v;
			break;
		case 'd':
		case 'T': {
			char *end;
			double d;

			errno = 0;
			d = strtod( optarg, &end );
			if ( errno || end == optarg || *end || !( d > 0.0 ) || d > 86400.0 ) {
				fprintf( stderr, "wbench: bad -%c %s\n", opt, optarg );
				goto done;
			}
			if ( opt == 'd' ) {
				wb_conf.wc_duration = d;
				have_duration = 1;
			} else {
				wb_conf.wc_timeout = d;
			}
			} break;
		case 'W':
			for ( i = 0; i < WB_WORKLOAD_LAST; i++ ) {
				if ( !strcmp( optarg, wb_workload_names[i] ) ) {
					break;
				}
			}
			if ( i == WB_WORKLOAD_LAST ) {
				fprintf( stderr, "wbench: unknown workload %s\n", optarg );
				goto done;
			}
			wb_conf.wc_workload = (wb_workload)i;
			break;
		case 'h':
			wb_usage( stdout );
			rc = 0;
			goto done;
		default:
			wb_usage( stderr );
			goto done;
		}
	}
	if ( optind != argc || wb_conf.wc_workload == WB_WORKLOAD_LAST ) {
		wb_usage( stderr );
		goto done;
	}
	if ( (long)wb_conf.wc_first + wb_conf.wc_nusers > INT_MAX / 2 ) {
		fprintf( stderr, "wbench: -o + -n too large\n" );
		goto done;
	}
	if ( wb_set_template( tmpl ) ) {
		goto done;
	}
	if ( wb_conf.wc_workload == WB_SECRETS ) {
		rc = wb_secrets();
		goto done;
	}
	if ( wb_conf.wc_workload == WB_BANNED_LIST ) {
		rc = wb_banned_list();
		goto done;
	}
	if ( wb_conf.wc_uri == NULL ) {
		fprintf( stderr, "wbench: -H is required\n" );
		goto done;
	}
	if ( wb_check_uri( wb_conf.wc_uri ) ) {
		goto done;
	}

	switch ( wb_conf.wc_workload ) {
	case WB_BIND_NEW:
	case WB_BIND_TOTP:
		wb_conf.wc_newconn = 1;
		break;
	default:
		wb_conf.wc_newconn = 0;
		break;
	}
	if ( conn_mode ) {
		if ( !strcmp( conn_mode, "new" ) ) {
			wb_conf.wc_newconn = 1;
		} else if ( !strcmp( conn_mode, "reuse" ) ) {
			wb_conf.wc_newconn = 0;
		} else {
			fprintf( stderr, "wbench: -C new|reuse, not %s\n", conn_mode );
			goto done;
		}
	}
	wb_conf.wc_expect = ( wb_conf.wc_workload == WB_BIND_FAIL_SPREAD ||
		wb_conf.wc_workload == WB_BIND_FAIL_ONE ) ?
		LDAP_INVALID_CREDENTIALS : LDAP_SUCCESS;

	/* neither ldap.conf nor ~/.ldaprc may change what is measured */
	setenv( "LDAPNOINIT", "1", 1 );
	net_timeout.tv_sec = (time_t)wb_conf.wc_timeout;
	net_timeout.tv_usec = (suseconds_t)( ( wb_conf.wc_timeout -
		(double)net_timeout.tv_sec ) * 1e6 );
	if ( ldap_set_option( NULL, LDAP_OPT_PROTOCOL_VERSION, &version ) !=
			LDAP_OPT_SUCCESS ||
			/* bounds connect() too, not only waiting for results */
			ldap_set_option( NULL, LDAP_OPT_NETWORK_TIMEOUT, &net_timeout ) !=
			LDAP_OPT_SUCCESS ) {
		fprintf( stderr, "wbench: cannot set the global LDAP options\n" );
		goto done;
	}
	if ( wb_conf.wc_workload == WB_BIND_TOTP ) {
		if ( oath_init() != OATH_OK ) {
			fprintf( stderr, "wbench: oath_init failed\n" );
			goto done;
		}
		oath_ready = 1;
	}

	memset( &sa, 0, sizeof(sa) );
	sa.sa_handler = SIG_IGN;
	sigaction( SIGPIPE, &sa, NULL );
	sa.sa_handler = wb_on_signal;
	sigaction( SIGINT, &sa, NULL );
	sigaction( SIGTERM, &sa, NULL );

	if ( wb_conf.wc_pw_seed ) {
		/* repeatable: the same passwords, so that instructions counted
		 * in the dictionary check are the same for every instance */
		const char *c;

		wb_pw_nonce = 0x6a09e667f3bcc909ull;
		for ( c = wb_conf.wc_pw_seed; *c; c++ ) {
			wb_pw_nonce = wbn_mix( wb_pw_nonce ^ (unsigned char)*c );
		}
	} else {
		struct timespec ts;

		clock_gettime( CLOCK_REALTIME, &ts );
		wb_pw_nonce = wbn_mix( (uint64_t)ts.tv_sec * 1000000000ull +
			(uint64_t)ts.tv_nsec ) ^ (uint64_t)getpid() << 32;
	}
	threads = calloc( (size_t)wb_conf.wc_threads, sizeof(*threads) );
	hist = calloc( WB_HIST_N, sizeof(*hist) );
	if ( threads == NULL || hist == NULL ) {
		fprintf( stderr, "wbench: out of memory\n" );
		goto done;
	}
	for ( i = 0; i < wb_conf.wc_threads; i++ ) {
		threads[i].wt_id = i;
		threads[i].wt_rng = 0x9E3779B97F4A7C15ull * (uint64_t)( i + 1 ) ^
			(uint64_t)getpid();
		threads[i].wt_slots = calloc( (size_t)wb_conf.wc_conns,
			sizeof(*threads[i].wt_slots) );
		threads[i].wt_pfds = calloc( (size_t)wb_conf.wc_conns,
			sizeof(*threads[i].wt_pfds) );
		threads[i].wt_pmap = calloc( (size_t)wb_conf.wc_conns,
			sizeof(*threads[i].wt_pmap) );
		if ( !threads[i].wt_slots || !threads[i].wt_pfds || !threads[i].wt_pmap ) {
			fprintf( stderr, "wbench: out of memory\n" );
			goto done;
		}
		for ( j = 0; j < wb_conf.wc_conns; j++ ) {
			threads[i].wt_slots[j].ws_msgid = -1;
		}
	}

	if ( pthread_barrier_init( &wb_ready, NULL, (unsigned)wb_conf.wc_threads + 1 ) ||
			pthread_barrier_init( &wb_go, NULL, (unsigned)wb_conf.wc_threads + 1 ) ) {
		fprintf( stderr, "wbench: pthread_barrier_init failed\n" );
		goto done;
	}
	for ( i = 0; i < wb_conf.wc_threads; i++ ) {
		if ( pthread_create( &threads[i].wt_tid, NULL, wb_thread_main,
				&threads[i] ) ) {
			fprintf( stderr, "wbench: pthread_create failed\n" );
			/* the barriers can never complete now */
			exit( 2 );
		}
		started++;
	}
	pthread_barrier_wait( &wb_ready );
	cap = ( wb_conf.wc_count > 0 && !have_duration ) ? WB_DEFAULT_CAP :
		wb_conf.wc_duration;
	t_start = wb_now();
	wb_deadline = t_start + (uint64_t)( cap * 1e9 );
	pthread_barrier_wait( &wb_go );

	for ( i = 0; i < started; i++ ) {
		pthread_join( threads[i].wt_tid, NULL );
	}
	t_end = wb_now();

	for ( i = 0; i < started; i++ ) {
		ops += threads[i].wt_ops;
		errors += threads[i].wt_errors;
		for ( j = 0; j < WB_HIST_N; j++ ) {
			hist[j] += threads[i].wt_hist[j];
		}
	}
	elapsed = (double)( t_end - t_start ) / 1e9;
	printf( "workload=%s ops=%llu errors=%llu elapsed=%.3f ops_s=%.1f "
		"p50_us=%.1f p99_us=%.1f threads=%d conns=%d newconn=%d "
		"exhausted=%d aborted=%d\n",
		wb_workload_names[wb_conf.wc_workload],
		(unsigned long long)ops, (unsigned long long)errors, elapsed,
		elapsed > 0 ? (double)ops / elapsed : 0.0,
		wb_hist_percentile( hist, ops, 0.50 ) / 1000.0,
		wb_hist_percentile( hist, ops, 0.99 ) / 1000.0,
		wb_conf.wc_threads, wb_conf.wc_conns, wb_conf.wc_newconn,
		__atomic_load_n( &wb_exhausted, __ATOMIC_RELAXED ),
		__atomic_load_n( &wb_aborted, __ATOMIC_RELAXED ) );
	fflush( stdout );
	rc = ( errors || __atomic_load_n( &wb_aborted, __ATOMIC_RELAXED ) ) ? 1 : 0;

done:
	if ( threads ) {
		for ( i = 0; i < wb_conf.wc_threads; i++ ) {
			free( threads[i].wt_slots );
			free( threads[i].wt_pfds );
			free( threads[i].wt_pmap );
		}
		free( threads );
	}
	free( hist );
	free( wb_conf.wc_dn_pre );
	if ( oath_ready ) {
		oath_done();
	}
	return rc;
}
