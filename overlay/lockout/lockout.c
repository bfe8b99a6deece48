/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* lockout.c - the lockout engine
 *
 * Counts failed binds per user in warden's own LMDB store (no entry write
 * per failure, nothing to replicate), locks at pwdMaxFailure, writes
 * pwdAccountLockedTime into the entry once per lock so that clients and
 * replicas see it, and refuses locked accounts exactly like a wrong
 * password.  Failures from one address across many users (spraying) are
 * refused per address, without locking the victims.
 */


#include <pthread.h>

#include "warden.h"
#include "lockout.h"
#include "clock.h"
#include "fnv.h"
#include "throttle.h"
#include "dedup.h"
#include "lockrule.h"
#include "peers.h"
#include "lastbind.h"

#define LOCKOUT_SLOTS	4096		/* addresses and users tracked in memory */
/* Window for "the same wrong password counts once" when the policy has no
 * pwdFailureCountInterval. */
#define LOCKOUT_DEDUP_WINDOW	(300 * WARDEN_SEC)
/* Claims on attempts are kept in this many stripes, each under its own
 * mutex, chosen by the user's entryUUID; a stripe holds this many claims
 * in place before it allocates (a bind must not pay for malloc and free:
 * issue 13's budget for the whole check is 2% of a plain bind). */
#define LOCKOUT_STRIPES	64
/* An attempt beyond pwdMaxFailure's room waits while the attempts under
 * way keep ending (one password check each, or a code's record flushed):
 * it is refused unchecked when none has ended for LOCKOUT_CLAIM_STALL
 * seconds (a claim that hangs), or after LOCKOUT_CLAIM_LIMIT in all. */
#define LOCKOUT_CLAIM_STALL	5
#define LOCKOUT_CLAIM_LIMIT	30
#define LOCKOUT_STRIPE_SLOTS	4

/* Attempts of one user whose password is being verified right now. */
typedef struct lockout_claim {
	unsigned char		lc_uuid[WARDEN_UUID_LEN];
	unsigned		lc_n;
	struct lockout_claim	*lc_next;
} lockout_claim;
/* The time step of a token whose period is not known (HOTP, or a bind
 * refused before its token was read), seconds: TOTP's usual one. */
#define LOCKOUT_CODE_PERIOD	30

struct warden_lockout {
	warden_throttle		*lo_throttle;
	warden_dedup		*lo_dedup;
	struct berval		lo_dummy;	/* hash compared for unknown users */
	int			lo_fault;	/* the store could not record (atomic) */
	/* A user's counted failures and claimed attempts are read and
	 * changed under the stripe's mutex: together they never pass
	 * pwdMaxFailure, whatever the concurrency.  An attempt beyond them
	 * waits on the stripe's condition for a claim to end. */
	pthread_mutex_t		lo_claim_mutex[LOCKOUT_STRIPES];
	pthread_cond_t		lo_claim_cond[LOCKOUT_STRIPES];
	lockout_claim		*lo_claims[LOCKOUT_STRIPES];	/**< beyond the slots */
	lockout_claim		lo_slot[LOCKOUT_STRIPES][LOCKOUT_STRIPE_SLOTS];
	warden_peers		*lo_peers;	/* peers.h: publications */
	warden_lastbind		*lo_lastbind;	/* lastbind.h */
};

/* The client's address as slapd names it ("IP=127.0.0.1:4711"). */
static const char *
lockout_addr( Operation *op )
{
	return op->o_conn->c_peer_name.bv_val ? op->o_conn->c_peer_name.bv_val : "";
}

static warden_time
lockout_now( void )
{
	return warden_clock_us();
}

int
warden_lockout_new( warden_lockout **lop )
{
	warden_lockout *lo = ch_calloc( 1, sizeof( *lo ) );

	unsigned i;

	pthread_condattr_t ca;

	/* the waits are bounded in monotonic time: a clock set back must
	 * not stretch them */
	pthread_condattr_init( &ca );
	pthread_condattr_setclock( &ca, CLOCK_MONOTONIC );
	for ( i = 0; i < LOCKOUT_STRIPES; i++ ) {
		pthread_mutex_init( &lo->lo_claim_mutex[i], NULL );
		pthread_cond_init( &lo->lo_claim_cond[i], &ca );
	}
	pthread_condattr_destroy( &ca );
	lo->lo_throttle = warden_throttle_new( LOCKOUT_SLOTS );
	lo->lo_dedup = warden_dedup_new( LOCKOUT_SLOTS );
	lo->lo_peers = warden_peers_new();
	lo->lo_lastbind = warden_lastbind_new();
	if ( !lo->lo_throttle || !lo->lo_dedup ) {
		warden_lockout_free( lo );
		*lop = NULL;
		return -1;
	}
	*lop = lo;
	return 0;
}

void
warden_lockout_free( warden_lockout *lo )
{
	unsigned i;

	if ( !lo ) return;
	for ( i = 0; i < LOCKOUT_STRIPES; i++ ) {
		lockout_claim *c, *next;

		for ( c = lo->lo_claims[i]; c; c = next ) {
			next = c->lc_next;
			ch_free( c );
		}
		pthread_mutex_destroy( &lo->lo_claim_mutex[i] );
		pthread_cond_destroy( &lo->lo_claim_cond[i] );
	}
	warden_throttle_free( lo->lo_throttle );
	warden_dedup_free( lo->lo_dedup );
	warden_peers_free( lo->lo_peers );
	warden_lastbind_free( lo->lo_lastbind );
	ch_free( lo->lo_dummy.bv_val );
	ch_free( lo );
}

warden_peers *
warden_lockout_peers( slap_overinst *on )
{
	warden_info *wi = on->on_bi.bi_private;

	return wi && wi->wi_lockout ? wi->wi_lockout->lo_peers : NULL;
}

int
warden_lockout_open( warden_lockout *lo, char *msg, size_t len )
{
	unsigned char rnd[24];
	struct berval cred;
	const char *text = NULL;

	warden_lastbind_start( lo->lo_lastbind );

	if ( lo->lo_dummy.bv_val ) return 0;
	/* A hash in the directory's own scheme, so that refusing an unknown
	 * user costs what checking a real one does. */
	if ( lutil_entropy( rnd, sizeof( rnd ) ) < 0 ) {
		snprintf( msg, len, "no entropy for the timing decoy" );
		return -1;
	}
	cred.bv_val = (char *)rnd;
	cred.bv_len = sizeof( rnd );
	slap_passwd_hash( &cred, &lo->lo_dummy, &text );
	if ( BER_BVISNULL( &lo->lo_dummy ) ) {
		snprintf( msg, len, "cannot hash with the default password "
			"scheme: %s", text ? text : "unknown error" );
		return -1;
	}
	return 0;
}

void
warden_lockout_close( warden_lockout *lo )
{
	if ( lo ) warden_lastbind_stop( lo->lo_lastbind );
}

static void
lockout_fault( warden_lockout *lo, int on )
{
	__atomic_store_n( &lo->lo_fault, on, __ATOMIC_RELEASE );
}

/* read on every bind, so without a mutex */
static int
lockout_faulted( warden_lockout *lo )
{
	return __atomic_load_n( &lo->lo_fault, __ATOMIC_ACQUIRE );
}

static int lockout_set_entry_lock( Operation *op, slap_overinst *on,
	struct berval *ndn, time_t when );

/* A refusal: what a wrong password gets (the caller answers). */
static int
lockout_refuse( warden_subject *ws, const char *reason, int locked )
{
	ws->ws_reason = reason;
	ws->ws_locked = locked;
	return LDAP_INVALID_CREDENTIALS;
}

static unsigned
lockout_stripe( const unsigned char *uuid )
{
	return (unsigned)( warden_hash( uuid, WARDEN_UUID_LEN ) %
		LOCKOUT_STRIPES );
}

/* The claim of a user in a stripe (its mutex held); created when add.  A
 * slot is free while its count is 0. */
static lockout_claim *
lockout_claim_find( warden_lockout *lo, unsigned stripe,
	const unsigned char *uuid, int add )
{
	lockout_claim *c, *free_slot = NULL;
	unsigned i;

	for ( i = 0; i < LOCKOUT_STRIPE_SLOTS; i++ ) {
		c = &lo->lo_slot[stripe][i];
		if ( !c->lc_n ) {
			if ( !free_slot ) free_slot = c;
		} else if ( !memcmp( c->lc_uuid, uuid, WARDEN_UUID_LEN ) ) {
			return c;
		}
	}
	for ( c = lo->lo_claims[stripe]; c; c = c->lc_next )
		if ( !memcmp( c->lc_uuid, uuid, WARDEN_UUID_LEN ) ) return c;
	if ( !add ) return NULL;
	if ( free_slot ) {
		memcpy( free_slot->lc_uuid, uuid, WARDEN_UUID_LEN );
		return free_slot;
	}
	c = ch_calloc( 1, sizeof( *c ) );
	memcpy( c->lc_uuid, uuid, WARDEN_UUID_LEN );
	c->lc_next = lo->lo_claims[stripe];
	lo->lo_claims[stripe] = c;
	return c;
}

/* How long an attempt has waited for claims to end (lockout_claim_wait). */
typedef struct lockout_wait {
	int		lw_started;
	struct timespec	lw_stall;	/* refused if no claim ends by then */
	struct timespec	lw_limit;	/* refused then in any case */
} lockout_wait;

static int
lockout_ts_reached( const struct timespec *now, const struct timespec *t )
{
	return now->tv_sec > t->tv_sec ||
		( now->tv_sec == t->tv_sec && now->tv_nsec >= t->tv_nsec );
}

/* Waits (the stripe's mutex held) until a claim of the stripe ends.
 * Returns 1 to look again, 0 when the attempt has waited long enough:
 * no claim ended for LOCKOUT_CLAIM_STALL, or LOCKOUT_CLAIM_LIMIT in all. */
static int
lockout_claim_wait( warden_lockout *lo, unsigned stripe, lockout_wait *w )
{
	struct timespec now;
	const struct timespec *until;

	clock_gettime( CLOCK_MONOTONIC, &now );
	if ( !w->lw_started ) {
		w->lw_started = 1;
		w->lw_stall = w->lw_limit = now;
		w->lw_stall.tv_sec += LOCKOUT_CLAIM_STALL;
		w->lw_limit.tv_sec += LOCKOUT_CLAIM_LIMIT;
	} else if ( lockout_ts_reached( &now, &w->lw_stall ) ||
		lockout_ts_reached( &now, &w->lw_limit ) ) {
		return 0;
	}
	until = lockout_ts_reached( &w->lw_stall, &w->lw_limit ) ?
		&w->lw_limit : &w->lw_stall;
	/* woken: a claim ended, the attempts are moving */
	if ( !pthread_cond_timedwait( &lo->lo_claim_cond[stripe],
			&lo->lo_claim_mutex[stripe], until ) ) {
		clock_gettime( CLOCK_MONOTONIC, &now );
		w->lw_stall = now;
		w->lw_stall.tv_sec += LOCKOUT_CLAIM_STALL;
	}
	/* on a timeout too: the caller looks again, and the next call
	 * says the time is up */
	return 1;
}

/* Forgets a claim that holds no attempt (its mutex held): a slot is free
 * again by its count alone, one beyond the slots is unlinked. */
static void
lockout_claim_drop( warden_lockout *lo, unsigned stripe, lockout_claim *c )
{
	lockout_claim **cp;

	if ( c->lc_n ) return;
	for ( cp = &lo->lo_claims[stripe]; *cp; cp = &( *cp )->lc_next ) {
		if ( *cp != c ) continue;
		*cp = c->lc_next;
		ch_free( c );
		return;
	}
}

/* Gives an attempt back (its mutex held). */
static void
lockout_unclaim( warden_lockout *lo, unsigned stripe, warden_subject *ws )
{
	lockout_claim **cp, *c;
	unsigned i;

	if ( !ws->ws_claimed ) return;
	ws->ws_claimed = 0;
	/* an attempt that waits for this user's claims looks again */
	pthread_cond_broadcast( &lo->lo_claim_cond[stripe] );
	for ( i = 0; i < LOCKOUT_STRIPE_SLOTS; i++ ) {
		c = &lo->lo_slot[stripe][i];
		if ( c->lc_n && !memcmp( c->lc_uuid, ws->ws_uuid,
				WARDEN_UUID_LEN ) ) {
			c->lc_n--;
			return;
		}
	}
	for ( cp = &lo->lo_claims[stripe]; ( c = *cp ); cp = &c->lc_next ) {
		if ( memcmp( c->lc_uuid, ws->ws_uuid, WARDEN_UUID_LEN ) ) continue;
		if ( --c->lc_n == 0 ) {
			*cp = c->lc_next;
			ch_free( c );
		}
		return;
	}
}

/* With other providers (peers.h), for a user with failures somewhere
 * (the stripe's mutex held): failures of all servers that reach the
 * limit lock here too; otherwise one attempt at a time, and none for
 * WARDEN_PEERS_SETTLE after this server's last failure, so that the
 * others learn of each failure before the next guess here.  Returns 1
 * after refusing (the mutex released), 0 to go on. */
static int
lockout_peers_admit( Operation *op, slap_overinst *on, warden_subject *ws,
	const warden_lock_state *st, unsigned counting, unsigned max,
	warden_time now, pthread_mutex_t *mutex )
{
	warden_lockout *lo = ( (warden_info *)on->on_bi.bi_private )->wi_lockout;
	lockout_claim *c = lockout_claim_find( lo, lockout_stripe( ws->ws_uuid ),
		ws->ws_uuid, 0 );

	if ( counting >= max ) {
		pthread_mutex_unlock( mutex );
		warden_peers_lock( op, on, ws->ws_uuid, &ws->ws_policy.wp_lock, now );
		lockout_refuse( ws, "account locked", 1 );
		return 1;
	}
	if ( ( c && c->lc_n ) || warden_peers_settling( on, ws->ws_uuid, now ) ||
		( st->ls_nfail && !st->ls_locked_at &&
			now >= st->ls_fail[st->ls_nfail - 1] &&
			now - st->ls_fail[st->ls_nfail - 1] < WARDEN_PEERS_SETTLE ) ) {
		pthread_mutex_unlock( mutex );
		Debug( LDAP_DEBUG_STATS, "warden: bind of \"%s\" refused: the "
			"last failed attempt has not reached the other providers "
			"yet\n", op->o_req_dn.bv_val );
		lockout_refuse( ws, "attempts faster than the providers share "
			"them", 0 );
		return 1;
	}
	return 0;
}

int
warden_lockout_entry_locked( warden_subject *ws )
{
	return warden_lockrule_entry_locks( ws->ws_entry_locked,
		ws->ws_policy_state == WARDEN_POLICY_FOUND ?
		&ws->ws_policy.wp_lock : NULL, lockout_now() );
}

int
warden_lockout_lock_end( Operation *op, slap_overinst *on,
	warden_subject *ws, warden_time *until )
{
	warden_info *wi = on->on_bi.bi_private;
	const warden_lock_policy *lp = &ws->ws_policy.wp_lock;
	warden_lock_state st;
	warden_peer_view pv;
	warden_time now = lockout_now();
	char msg[256];
	int rc = WARDEN_LOCK_NOTFOUND;

	*until = WARDEN_FOREVER;
	memset( &st, 0, sizeof( st ) );
	memset( &pv, 0, sizeof( pv ) );
	if ( ws->ws_policy_state != WARDEN_POLICY_FOUND ) lp = NULL;
	if ( wi->wi_store && ws->ws_has_uuid && !ws->ws_store_clean ) {
		rc = warden_lock_get( wi->wi_store, ws->ws_uuid, &st, msg,
			sizeof( msg ) );
		if ( rc < 0 ) {
			Debug( LDAP_DEBUG_ANY, "warden: cannot read the lockout "
				"state of \"%s\": %s\n", ws->ws_ndn.bv_val, msg );
			return 1;
		}
		if ( rc == WARDEN_LOCK_NOTFOUND ) memset( &st, 0, sizeof( st ) );
	}
	if ( lp && ws->ws_has_uuid && warden_peers_view( op, on, ws->ws_uuid,
			&st, lp, now, &pv, msg, sizeof( msg ) ) ) {
		Debug( LDAP_DEBUG_ANY, "warden: cannot read the lockout state "
			"of \"%s\": %s\n", ws->ws_ndn.bv_val, msg );
		return 1;
	}
	switch ( warden_lockrule_locked( &st, rc == 0, ws->ws_entry_locked,
			pv.pv_locked_at, lp, now ) ) {
	case WARDEN_LOCKRULE_STORE:
		*until = st.ls_locked_until;
		return 1;
	case WARDEN_LOCKRULE_PEER:
		*until = pv.pv_locked_until ? pv.pv_locked_until : WARDEN_FOREVER;
		return 1;
	case WARDEN_LOCKRULE_ENTRY:
		/* warden_lockrule_entry_locks(): the stamp plus the
		 * policy's duration, or until unlocked */
		if ( ws->ws_entry_locked > 0 && lp && lp->lp_duration )
			*until = (warden_time)ws->ws_entry_locked * WARDEN_SEC +
				lp->lp_duration;
		return 1;
	default:
		return 0;
	}
}

int
warden_lockout_admit( Operation *op, slap_overinst *on, warden_subject *ws )
{
	warden_info *wi = on->on_bi.bi_private;
	warden_lockout *lo = wi->wi_lockout;
	warden_policy *p = &ws->ws_policy;
	warden_lock_state st;
	warden_time now = lockout_now();
	const char *addr = lockout_addr( op );
	char msg[256];
	unsigned stripe;
	lockout_claim *c;
	warden_peer_view pv;
	lockout_wait wait = { 0 };
	int rc, locked;

	ws->ws_engine[0] = NULL;
	ws->ws_engine[1] = NULL;
	if ( ws->ws_policy_state == WARDEN_POLICY_MISSING ) {
		Debug( LDAP_DEBUG_ANY, "warden: bind of \"%s\" refused: its "
			"password policy entry is missing; lockout cannot be "
			"applied\n", op->o_req_dn.bv_val );
		return lockout_refuse( ws, "password policy missing", 0 );
	}
	if ( !ws->ws_found || !ws->ws_has_uuid ||
		( !ws->ws_has_password && !ws->ws_proven ) ) {
		/* counted against the address: spraying names users that
		 * do not exist as well */
		if ( ws->ws_policy_state == WARDEN_POLICY_FOUND &&
			p->wp_src_max_failure ) {
			if ( warden_throttle_fail( lo->lo_throttle, addr, now,
					p->wp_src_interval ) > p->wp_src_max_failure ) {
				Debug( LDAP_DEBUG_ANY, "warden: bind of \"%s\" "
					"refused: failed binds from %s over the limit "
					"(password spraying?)\n", op->o_req_dn.bv_val,
					addr );
			}
		}
		return lockout_refuse( ws, "no such user, or no password", 0 );
	}
	if ( ws->ws_policy_state == WARDEN_POLICY_NONE )
		return LDAP_SUCCESS;

	if ( p->wp_src_max_failure &&
		warden_throttle_count( lo->lo_throttle, addr, now,
			p->wp_src_interval ) >= p->wp_src_max_failure ) {
		Debug( LDAP_DEBUG_ANY, "warden: bind of \"%s\" refused: %u or "
			"more failed binds from %s within %lds (password "
			"spraying?)\n", op->o_req_dn.bv_val, p->wp_src_max_failure,
			addr, (long)( p->wp_src_interval / WARDEN_SEC ) );
		return lockout_refuse( ws, "client address throttled", 0 );
	}

	/* pwdMaxIdle: refused as a lock is, before any credential is
	 * verified (a dormant account's password is no oracle) */
	if ( warden_lockrule_dormant( ws->ws_last_active, &p->wp_lock, now ) ) {
		Debug( LDAP_DEBUG_STATS, "warden: bind of \"%s\" refused: no "
			"successful bind for more than pwdMaxIdle (%lds); an "
			"administrator's unlock or password reset enables it "
			"again\n", op->o_req_dn.bv_val,
			(long)( p->wp_lock.lp_max_idle / WARDEN_SEC ) );
		return lockout_refuse( ws, "account dormant", 1 );
	}

	if ( lockout_faulted( lo ) ) {
		/* Retry: a failure that cannot be recorded must not let
		 * guessing go on unlimited. */
		if ( warden_store_probe( wi->wi_store, msg, sizeof( msg ) ) ) {
			Debug( LDAP_DEBUG_ANY, "warden: bind of \"%s\" refused: "
				"the lockout state cannot be recorded: %s\n",
				op->o_req_dn.bv_val, msg );
			return lockout_refuse( ws, "lockout state unavailable", 0 );
		}
		lockout_fault( lo, 0 );
		Debug( LDAP_DEBUG_ANY, "warden: the state store records "
			"again\n" );
	}

	/* The state is read and the attempt claimed under one mutex, which
	 * the count of a failure takes as well (warden_lockout_settle()):
	 * failures counted plus attempts under way never pass
	 * pwdMaxFailure, so no more wrong passwords than that are ever
	 * verified, however many arrive at once. */
	stripe = lockout_stripe( ws->ws_uuid );
	pthread_mutex_lock( &lo->lo_claim_mutex[stripe] );
again:
	if ( ws->ws_store_clean ) {
		/* known to hold nothing: no read needed */
		memset( &st, 0, sizeof( st ) );
		rc = WARDEN_LOCK_NOTFOUND;
	} else {
		rc = warden_lock_get( wi->wi_store, ws->ws_uuid, &st, msg,
			sizeof( msg ) );
		if ( rc >= 0 && st.ls_nfail == 0 && st.ls_locked_at == 0 )
			ws->ws_store_clean = 1;
	}
	if ( rc < 0 ) {
		pthread_mutex_unlock( &lo->lo_claim_mutex[stripe] );
		Debug( LDAP_DEBUG_ANY, "warden: bind of \"%s\" refused: cannot "
			"read its lockout state: %s\n", op->o_req_dn.bv_val, msg );
		return lockout_refuse( ws, "lockout state unavailable", 0 );
	}
	/* other providers' failures and locks (peers.h) */
	if ( warden_peers_view( op, on, ws->ws_uuid, &st, &p->wp_lock, now,
			&pv, msg, sizeof( msg ) ) ) {
		pthread_mutex_unlock( &lo->lo_claim_mutex[stripe] );
		Debug( LDAP_DEBUG_ANY, "warden: bind of \"%s\" refused: cannot "
			"read its lockout state: %s\n", op->o_req_dn.bv_val, msg );
		return lockout_refuse( ws, "lockout state unavailable", 0 );
	}
	locked = warden_lockrule_locked( &st, rc == 0, ws->ws_entry_locked,
		pv.pv_locked_at,
		ws->ws_policy_state == WARDEN_POLICY_FOUND ? &p->wp_lock : NULL,
		now );
	if ( locked != WARDEN_LOCKRULE_OPEN ) {
		pthread_mutex_unlock( &lo->lo_claim_mutex[stripe] );
		if ( locked == WARDEN_LOCKRULE_STORE &&
			ws->ws_entry_locked == 0 && !warden_peers_multi( op ) ) {
			/* The store committed a lock whose entry write was
			 * lost (a crash between the two): write it now. */
			lockout_set_entry_lock( op, on, &ws->ws_ndn,
				(time_t)( st.ls_locked_at / WARDEN_SEC ) );
		}
		Debug( LDAP_DEBUG_STATS, "warden: bind of \"%s\" refused: "
			"account locked\n", op->o_req_dn.bv_val );
		return lockout_refuse( ws, "account locked", 1 );
	}
	if ( !ws->ws_proven && p->wp_lock.lp_lockout &&
		p->wp_lock.lp_max_failure ) {
		if ( warden_peers_multi( op ) ) {
			unsigned counting = warden_lock_counting( &st,
				&p->wp_lock, now ) + pv.pv_count;
			unsigned max = p->wp_lock.lp_max_failure < WARDEN_FAIL_MAX ?
				p->wp_lock.lp_max_failure : WARDEN_FAIL_MAX;

			if ( counting && lockout_peers_admit( op, on, ws, &st,
					counting, max, now,
					&lo->lo_claim_mutex[stripe] ) )
				return LDAP_INVALID_CREDENTIALS;
		}
		c = lockout_claim_find( lo, stripe, ws->ws_uuid, 1 );
		if ( !warden_lockrule_admits( &st, &p->wp_lock, pv.pv_count,
				c->lc_n, now ) ) {
			unsigned pending = c->lc_n;

			/* The attempts under way may well be right (a service
			 * account binding from many threads at once): wait for
			 * one to end, then read the state again.  A wrong one
			 * ends counted, so waiting never lets more than
			 * pwdMaxFailure wrong passwords be verified. */
			if ( pending && lockout_claim_wait( lo, stripe,
					&wait ) ) {
				ws->ws_store_clean = 0;
				now = lockout_now();
				goto again;
			}

			lockout_claim_drop( lo, stripe, c );
			pthread_mutex_unlock( &lo->lo_claim_mutex[stripe] );
			Debug( LDAP_DEBUG_STATS, "warden: bind of \"%s\" refused: "
				"%u failed and %u pending attempts reach "
				"pwdMaxFailure\n", op->o_req_dn.bv_val,
				warden_lock_counting( &st, &p->wp_lock, now ) +
				pv.pv_count, pending );
			return lockout_refuse( ws, "attempts under way reach "
				"the lockout threshold", 0 );
		}
		c->lc_n++;
		ws->ws_claimed = 1;
	}
	pthread_mutex_unlock( &lo->lo_claim_mutex[stripe] );
	/* Tell the result handler whether a success has anything to clear,
	 * here ([0]) or, with other providers, anywhere ([1]). */
	if ( rc == 0 && !ws->ws_store_clean ) ws->ws_engine[0] = (void *)1;
	if ( ws->ws_engine[0] || pv.pv_count ) ws->ws_engine[1] = (void *)1;
	return LDAP_SUCCESS;
}

/* Writes (when > 0) or removes (when 0) pwdAccountLockedTime in the entry,
 * through the whole overlay stack so that syncprov replicates it. */
static int
lockout_set_entry_lock( Operation *op, slap_overinst *on, struct berval *ndn,
	time_t when )
{
	Modifications mod;
	char buf[LDAP_LUTIL_GENTIME_BUFSIZE];
	struct berval vals[2];
	int rc;

	memset( &mod, 0, sizeof( mod ) );
	mod.sml_desc = warden_pwd.ad_pwdAccountLockedTime;
	mod.sml_type = mod.sml_desc->ad_cname;
	mod.sml_flags = SLAP_MOD_INTERNAL;
	if ( when > 0 ) {
		vals[0].bv_val = buf;
		vals[0].bv_len = sizeof( buf );
		slap_timestamp( &when, &vals[0] );
		BER_BVZERO( &vals[1] );
		mod.sml_op = LDAP_MOD_REPLACE;
		mod.sml_values = vals;
		mod.sml_nvalues = vals;
		mod.sml_numvals = 1;
	} else {
		mod.sml_op = SLAP_MOD_SOFTDEL;
	}

	rc = warden_state_write( op, on, ndn, &mod );
	if ( rc != LDAP_SUCCESS ) {
		Debug( LDAP_DEBUG_ANY, "warden: cannot %s pwdAccountLockedTime "
			"of \"%s\": result %d\n", when > 0 ? "write" : "remove",
			ndn->bv_val, rc );
	}
	return rc;
}

/* For a user with a one-time code token, a credential is the password and
 * a code, and a code that is wrong in one time step may be right in the
 * next: only the same credential within the same step counts once (a
 * repeated wrong password without a code counts again each step, which
 * errs toward counting).  The window so ends where the step began. */
static warden_time
lockout_code_window( warden_subject *ws, warden_time now, warden_time window )
{
	warden_time period = (warden_time)( ws->ws_otp_period ?
		ws->ws_otp_period : LOCKOUT_CODE_PERIOD ) * WARDEN_SEC;
	warden_time in_step = now % period;

	/* dedup.h: seen when now - then < window, so a credential seen at
	 * or before the step's start does not match */
	if ( in_step < 1 ) in_step = 1;
	return in_step < window ? in_step : window;
}

void
warden_lockout_ipv6_prefix( warden_lockout *lo, unsigned bits )
{
	if ( lo ) warden_throttle_set_ipv6_prefix( lo->lo_throttle, bits );
}

void
warden_lockout_settle( Operation *op, slap_overinst *on, warden_subject *ws,
	int result )
{
	warden_info *wi = on->on_bi.bi_private;
	warden_lockout *lo = wi->wi_lockout;
	warden_policy *p = &ws->ws_policy;
	warden_lock_state st;
	warden_time now, window;
	char msg[256];
	unsigned stripe;
	int locked_now = 0, counted;

	if ( !ws->ws_has_uuid ) return;
	stripe = lockout_stripe( ws->ws_uuid );
	if ( ws->ws_policy_state != WARDEN_POLICY_FOUND ) goto release;
	now = lockout_now();

	if ( result == LDAP_SUCCESS ) {
		if ( ws->ws_engine[0] ) {
			if ( warden_lock_success( wi->wi_store, ws->ws_uuid, now,
					NULL, msg, sizeof( msg ) ) )
				Debug( LDAP_DEBUG_ANY, "warden: cannot record the "
					"success of \"%s\": %s\n",
					op->o_req_dn.bv_val, msg );
			warden_dedup_forget( lo->lo_dedup, ws->ws_uuid );
		}
		/* A lock that ended: nothing in the entry should claim it. */
		if ( ws->ws_entry_locked > 0 && !warden_peers_multi( op ) )
			lockout_set_entry_lock( op, on, &ws->ws_ndn, 0 );
		if ( ws->ws_engine[1] )
			warden_peers_publish( op, on, ws->ws_uuid, now );
		goto release;
	}
	/* only a verified wrong credential is a guess to count */
	if ( result != LDAP_INVALID_CREDENTIALS || !ws->ws_verified )
		goto release;

	window = p->wp_lock.lp_interval ? p->wp_lock.lp_interval :
		LOCKOUT_DEDUP_WINDOW;
	if ( ws->ws_has_token ) window = lockout_code_window( ws, now, window );
	if ( warden_dedup_seen( lo->lo_dedup, ws->ws_uuid, op->orb_cred.bv_val,
			op->orb_cred.bv_len, now, window ) ) {
		Debug( LDAP_DEBUG_STATS, "warden: failed bind of \"%s\" repeats "
			"an earlier wrong password; not counted again\n",
			op->o_req_dn.bv_val );
		goto release;
	}
	if ( p->wp_src_max_failure ) {
		warden_throttle_fail( lo->lo_throttle, lockout_addr( op ), now,
			p->wp_src_interval );
	}
	if ( !p->wp_lock.lp_lockout || !p->wp_lock.lp_max_failure )
		goto release;

	ws->ws_store_dirty = 1;
	pthread_mutex_lock( &lo->lo_claim_mutex[stripe] );
	counted = !warden_peers_fail( op, on, ws->ws_uuid, &p->wp_lock,
		now, &st, &locked_now, msg, sizeof( msg ) );
	lockout_unclaim( lo, stripe, ws );
	pthread_mutex_unlock( &lo->lo_claim_mutex[stripe] );
	if ( !counted ) {
		Debug( LDAP_DEBUG_ANY, "warden: cannot record a failed bind of "
			"\"%s\": %s; refusing binds until the state store records "
			"again\n", op->o_req_dn.bv_val, msg );
		lockout_fault( lo, 1 );
		return;
	}
	if ( locked_now ) {
		time_t when = (time_t)( now / WARDEN_SEC );

		Debug( LDAP_DEBUG_ANY, "warden: locked \"%s\" after %u failed "
			"binds (lock %u)\n", op->o_req_dn.bv_val, st.ls_nfail,
			st.ls_nlocks );
		if ( !warden_peers_multi( op ) )
			lockout_set_entry_lock( op, on, &ws->ws_ndn, when );
		else	/* no entry write to end its sessions: end them here */
			warden_sessions_end( on, &ws->ws_ndn );
	}
	warden_peers_publish( op, on, ws->ws_uuid, 0 );
	return;

release:
	if ( ws->ws_claimed ) {
		pthread_mutex_lock( &lo->lo_claim_mutex[stripe] );
		lockout_unclaim( lo, stripe, ws );
		pthread_mutex_unlock( &lo->lo_claim_mutex[stripe] );
	}
}

/* A hash compare that an unknown user costs, as a known one does. */
void
warden_lockout_decoy( slap_overinst *on, struct berval *cred )
{
	warden_info *wi = on->on_bi.bi_private;
	const char *text;

	(void)lutil_passwd( &wi->wi_lockout->lo_dummy, cred, NULL, &text );
}

int
warden_lockout_may_see( Operation *op, slap_overinst *on, Entry *e )
{
	return warden_role_holds( op, on, WARDEN_ROLE_ADMIN |
		WARDEN_ROLE_HELPDESK | WARDEN_ROLE_AUDITOR, e,
		warden_pwd.ad_pwdAccountLockedTime );
}

int
warden_lockout_modify( Operation *op, SlapReply *rs, slap_overinst *on,
	int *unlock )
{
	Modifications *m;

	/* who may lock and unlock: roles.c's rules, checked before */
	*unlock = 0;
	for ( m = op->orm_modlist; m; m = m->sml_next ) {
		if ( m->sml_desc != warden_pwd.ad_pwdAccountLockedTime ) continue;
		if ( m->sml_op == LDAP_MOD_DELETE || m->sml_op == SLAP_MOD_SOFTDEL ||
			( m->sml_op == LDAP_MOD_REPLACE && !m->sml_numvals ) )
			*unlock = 1;
	}
	if ( *unlock ) warden_peers_unlock_mods( op, op->orm_modlist );
	return SLAP_CB_CONTINUE;
}

void
warden_lockout_password_reset( Operation *op, Entry *e, int *unlock )
{
	Modifications *m;
	Attribute *a;

	/* a change that names the lock itself says what it wants */
	for ( m = op->orm_modlist; m; m = m->sml_next )
		if ( m->sml_desc == warden_pwd.ad_pwdAccountLockedTime ) return;
	a = attr_find( e->e_attrs, warden_pwd.ad_pwdAccountLockedTime );
	/* a disabled account stays disabled: only its enable lifts that
	 * (normalized with seconds, as subject.c reads it) */
	if ( a && !strncmp( a->a_nvals[0].bv_val, "00000101", 8 ) ) return;
	if ( a )
		warden_mod_append( op, SLAP_MOD_SOFTDEL,
			warden_pwd.ad_pwdAccountLockedTime, NULL, NULL, 0 );
	*unlock = 1;
}

void
warden_lockout_disable_stamp( Operation *op )
{
	static struct berval disabled = BER_BVC( WARDEN_DISABLED_TIME ),
		account = BER_BVC( "wardenAccount" );
	Modifications *m;
	int disable = 0, enable = 0, reason = 0;

	if ( !warden_ad.ad_disabledBy || !warden_ad.ad_disabledTime ||
		!warden_ad.ad_disabledReason )
		return;
	for ( m = op->orm_modlist; m; m = m->sml_next ) {
		if ( m->sml_desc == warden_ad.ad_disabledReason ) reason = 1;
		if ( m->sml_desc != warden_pwd.ad_pwdAccountLockedTime ) continue;
		if ( m->sml_op == LDAP_MOD_DELETE || m->sml_op == SLAP_MOD_SOFTDEL ||
			( m->sml_op == LDAP_MOD_REPLACE && !m->sml_numvals ) )
			enable = 1;
		else if ( m->sml_numvals == 1 &&
			bvmatch( &m->sml_values[0], &disabled ) )
			disable = 1;
	}
	if ( disable ) {
		char buf[32];
		struct berval when;
		struct tm tm;
		time_t now = time( NULL );

		/* who and when come from the change itself, never from the
		 * client (writes.c refuses them from clients) */
		gmtime_r( &now, &tm );
		when.bv_len = strftime( buf, sizeof( buf ), "%Y%m%d%H%M%SZ", &tm );
		when.bv_val = buf;
		/* objectClass has no normalizer: no normalized values */
		warden_mod_append( op, SLAP_MOD_SOFTADD,
			slap_schema.si_ad_objectClass, &account, NULL, 1 );
		warden_mod_append( op, LDAP_MOD_REPLACE, warden_ad.ad_disabledBy,
			&op->o_dn, &op->o_ndn, 1 );
		warden_mod_append( op, LDAP_MOD_REPLACE,
			warden_ad.ad_disabledTime, &when, NULL, 1 );
	} else if ( enable ) {
		char buf[LDAP_LUTIL_GENTIME_BUFSIZE];
		struct berval now = { sizeof( buf ), buf };
		time_t t = slap_get_time();

		/* an unlock enables a dormant account too (pwdMaxIdle): its
		 * activity starts again now */
		slap_timestamp( &t, &now );
		warden_mod_append( op, LDAP_MOD_REPLACE,
			slap_schema.si_ad_pwdLastSuccess, &now, &now, 1 );
		warden_mod_append( op, SLAP_MOD_SOFTDEL, warden_ad.ad_disabledBy,
			NULL, NULL, 0 );
		warden_mod_append( op, SLAP_MOD_SOFTDEL,
			warden_ad.ad_disabledTime, NULL, NULL, 0 );
		if ( !reason )
			warden_mod_append( op, SLAP_MOD_SOFTDEL,
				warden_ad.ad_disabledReason, NULL, NULL, 0 );
		warden_mod_append( op, SLAP_MOD_SOFTDEL,
			slap_schema.si_ad_objectClass, &account, NULL, 1 );
	}
}

int
warden_lockout_last_success_due( slap_overinst *on, warden_subject *ws )
{
	warden_info *wi = on->on_bi.bi_private;
	time_t now = slap_get_time();

	return ws->ws_found && !BER_BVISEMPTY( &ws->ws_ndn ) &&
		wi->wi_lastbind_precision &&
		!( ws->ws_last_success && now >= ws->ws_last_success &&
		  now - ws->ws_last_success < (time_t)wi->wi_lastbind_precision );
}

void
warden_lockout_last_success( Operation *op, slap_overinst *on,
	warden_subject *ws )
{
	warden_info *wi = on->on_bi.bi_private;
	char buf[LDAP_LUTIL_GENTIME_BUFSIZE];
	struct berval vals[2];
	Modifications mod;
	time_t now = slap_get_time();
	int rc;

	if ( !warden_lockout_last_success_due( on, ws ) ) return;
	/* where the database takes writes, after the bind (lastbind.h);
	 * the subject cache learns it now, so the next binds do not ask */
	if ( !warden_is_consumer( op ) && !warden_lastbind_defer(
			wi->wi_lockout->lo_lastbind, op, on, &ws->ws_ndn, now ) ) {
		warden_subjcache_set_last_success( wi->wi_subjects,
			ws->ws_ndn.bv_val, ws->ws_ndn.bv_len, now );
		ws->ws_last_success = now;
		return;
	}
	warden_lastbind_mod( &mod, vals, buf, now );
	rc = warden_state_write( op, on, &ws->ws_ndn, &mod );
	if ( rc != LDAP_SUCCESS )
		Debug( LDAP_DEBUG_ANY, "warden: cannot record the last successful "
			"bind of \"%s\" (pwdLastSuccess): result %d\n",
			ws->ws_ndn.bv_val, rc );
	/* the next bind reads the entry again (the write invalidated it);
	 * until then this one stands for it */
	ws->ws_last_success = now;
}

void
warden_lockout_unlocked( slap_overinst *on, const unsigned char *uuid )
{
	warden_info *wi = on->on_bi.bi_private;
	char msg[256];

	if ( warden_lock_unlock( wi->wi_store, uuid, msg, sizeof( msg ) ) < 0 )
		Debug( LDAP_DEBUG_ANY, "warden: unlock: %s\n", msg );
	warden_dedup_forget( wi->wi_lockout->lo_dedup, uuid );
}

void
warden_lockout_deleted( slap_overinst *on, const unsigned char *uuid )
{
	warden_info *wi = on->on_bi.bi_private;
	char msg[256];

	if ( warden_lock_purge( wi->wi_store, uuid, msg, sizeof( msg ) ) < 0 )
		Debug( LDAP_DEBUG_ANY, "warden: cannot purge the state of a "
			"deleted entry: %s\n", msg );
	warden_dedup_forget( wi->wi_lockout->lo_dedup, uuid );
}

static int
lockout_wanted( SlapReply *rs, AttributeDescription *ad )
{
	return SLAP_OPATTRS( rs->sr_attr_flags ) || ad_inlist( ad, rs->sr_attrs );
}

static void
lockout_add_time( Attribute ***app, AttributeDescription *ad, warden_time t )
{
	char buf[LDAP_LUTIL_GENTIME_BUFSIZE];
	struct berval bv = { sizeof( buf ), buf };
	time_t s;

	if ( t == WARDEN_FOREVER ) {
		ber_str2bv( "99991231235959Z", 0, 0, &bv );
	} else {
		s = (time_t)( t / WARDEN_SEC );
		slap_timestamp( &s, &bv );
	}
	if ( !**app ) {
		**app = attr_alloc( ad );
		attr_valadd( **app, &bv, &bv, 1 );
	} else {
		attr_valadd( **app, &bv, &bv, 1 );
	}
}

static void
lockout_add_uint( Attribute ***app, AttributeDescription *ad, unsigned n )
{
	char buf[32];
	struct berval bv;

	bv.bv_val = buf;
	bv.bv_len = snprintf( buf, sizeof( buf ), "%u", n );
	**app = attr_alloc( ad );
	attr_valadd( **app, &bv, &bv, 1 );
	*app = &(**app)->a_next;
}

int
warden_lockout_operational( Operation *op, SlapReply *rs, slap_overinst *on )
{
	warden_info *wi = on->on_bi.bi_private;
	warden_lock_state st;
	Attribute *a, **ap;
	warden_time now;
	char msg[256];
	unsigned i;

	if ( !rs->sr_entry || !wi->wi_store ) return SLAP_CB_CONTINUE;
	if ( !lockout_wanted( rs, warden_ad.ad_failureCount ) &&
		!lockout_wanted( rs, warden_ad.ad_failureTime ) &&
		!lockout_wanted( rs, warden_ad.ad_lockedUntil ) &&
		!lockout_wanted( rs, warden_ad.ad_lastSuccess ) &&
		!lockout_wanted( rs, warden_ad.ad_lockCount ) )
		return SLAP_CB_CONTINUE;
	a = attr_find( rs->sr_entry->e_attrs, slap_schema.si_ad_entryUUID );
	if ( !a || a->a_nvals[0].bv_len != WARDEN_UUID_LEN ) return SLAP_CB_CONTINUE;
	if ( !warden_lockout_may_see( op, on, rs->sr_entry ) )
		return SLAP_CB_CONTINUE;
	if ( warden_lock_get( wi->wi_store, (unsigned char *)a->a_nvals[0].bv_val,
			&st, msg, sizeof( msg ) ) != 0 )
		return SLAP_CB_CONTINUE;

	now = lockout_now();
	for ( ap = &rs->sr_operational_attrs; *ap; ap = &(*ap)->a_next )
		;
	if ( lockout_wanted( rs, warden_ad.ad_failureCount ) )
		lockout_add_uint( &ap, warden_ad.ad_failureCount, st.ls_nfail );
	if ( st.ls_nfail && lockout_wanted( rs, warden_ad.ad_failureTime ) ) {
		for ( i = 0; i < st.ls_nfail; i++ )
			lockout_add_time( &ap, warden_ad.ad_failureTime, st.ls_fail[i] );
		ap = &(*ap)->a_next;
	}
	if ( warden_lock_is_locked( &st, now ) &&
		lockout_wanted( rs, warden_ad.ad_lockedUntil ) ) {
		lockout_add_time( &ap, warden_ad.ad_lockedUntil, st.ls_locked_until );
		ap = &(*ap)->a_next;
	}
	if ( st.ls_last_success && lockout_wanted( rs, warden_ad.ad_lastSuccess ) ) {
		lockout_add_time( &ap, warden_ad.ad_lastSuccess, st.ls_last_success );
		ap = &(*ap)->a_next;
	}
	if ( lockout_wanted( rs, warden_ad.ad_lockCount ) )
		lockout_add_uint( &ap, warden_ad.ad_lockCount, st.ls_nlocks );
	return SLAP_CB_CONTINUE;
}
