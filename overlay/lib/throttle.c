/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* throttle.c - failures per client address, in memory
 *
 * The table is cut into stripes, each with its own mutex, hash index and
 * LRU list, so failed binds from different addresses seldom wait for one
 * another.  An address always falls in the same stripe (by a hash seeded
 * at random, so clients cannot choose to crowd one), and a new address
 * evicts the least recently used address of its stripe: a set-associative
 * LRU, close to a global one when the stripes are evenly filled, without a
 * global lock.
 *
 * Counting: time is cut into windows of the caller's length, aligned on
 * its multiples.  An address keeps the failures of the current window, of
 * the previous one, and the time of the latest failure of each.  The
 * failures in (now - window, now] all lie in those two windows, so their
 * sum is never below that count and never above all failures recorded;
 * the previous window's count is left out once its latest failure is
 * window old, for then none of it can be in (now - window, now].
 *
 * Addresses: an IPv6 client is counted by its prefix (a /64 unless set
 * otherwise): whoever holds a /64 takes any of its 2^64 addresses at will,
 * and counting each alone would throttle nobody.  The key is the prefix in
 * inet_ntop()'s canonical form, so every spelling of one address, and
 * every address of one prefix, is one client; an IPv4-mapped address is
 * its IPv4 address.
 */

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/random.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "throttle.h"
#include "fnv.h"

#define THROTTLE_MIN_SLOTS	16
#define THROTTLE_MAX_SLOTS	( 1U << 24 )
#define THROTTLE_MAX_STRIPES	64
#define THROTTLE_STRIPE_MIN	8	/* slots per stripe, at least */
#define THROTTLE_NIL		UINT32_MAX
/* "PATH=" and the longest sun_path, 108, fit; a longer name is cut, which
 * can only merge two addresses (more counted), never split one. */
#define THROTTLE_ADDR_MAX	128

typedef struct throttle_slot {
	uint64_t	ta_hash;
	int64_t		ta_window;	/* length the counts were made for */
	int64_t		ta_index;	/* current window: floor(time / window) */
	int64_t		ta_cur_last;	/* latest failure in the current window */
	int64_t		ta_prev_last;	/* latest failure in the previous one */
	unsigned	ta_cur;
	unsigned	ta_prev;
	uint32_t	ta_chain;	/* next slot of the same hash bucket */
	uint32_t	ta_newer;	/* LRU neighbours */
	uint32_t	ta_older;
	int		ta_inuse;
	char		ta_addr[THROTTLE_ADDR_MAX];
} throttle_slot;

typedef struct throttle_stripe {
	pthread_mutex_t	ts_mutex;
	throttle_slot	*ts_slots;
	uint32_t	*ts_heads;	/* first slot of each hash bucket */
	uint32_t	ts_mask;	/* hash buckets - 1 */
	uint32_t	ts_newest;
	uint32_t	ts_oldest;	/* free slots wait here, at the old end */
	int		ts_mutex_ok;
} throttle_stripe;

struct warden_throttle {
	uint64_t	wt_seed;
	unsigned	wt_ipv6_prefix;	/* read and set atomically */
	unsigned	wt_nstripes;	/* a power of two */
	unsigned	wt_shift;	/* log2 of wt_nstripes */
	throttle_stripe	*wt_stripes;
};

static uint64_t
throttle_hash( uint64_t seed, const char *s )
{
	/* FNV-1a from a secret start, then a 64-bit finalizer (MurmurHash3's
	 * fmix64) so that every bit of the result depends on every input bit */
	uint64_t h = warden_fnv1a( WARDEN_FNV_BASIS ^ seed, s, strlen( s ) );

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static uint64_t
throttle_seed( const void *salt )
{
	uint64_t seed;
	struct timespec ts;

	if ( getrandom( &seed, sizeof( seed ), GRND_NONBLOCK ) == sizeof( seed ) )
		return seed;
	/* no entropy yet (early boot): a weaker seed still spreads addresses */
	clock_gettime( CLOCK_REALTIME, &ts );
	return (uint64_t)ts.tv_sec * 1000000007ULL ^ (uint64_t)ts.tv_nsec ^
		(uint64_t)(uintptr_t)salt;
}

/* Copies n bytes of src to key + off, cut to fit, and ends the string. */
static void
throttle_copy( char *key, size_t off, const char *src, size_t n )
{
	if ( n > THROTTLE_ADDR_MAX - 1 - off ) n = THROTTLE_ADDR_MAX - 1 - off;
	memcpy( key + off, src, n );
	key[off + n] = '\0';
}

/* Writes into key (THROTTLE_ADDR_MAX bytes) the client an IPv6 address
 * (n bytes at p, without brackets) stands for: "IP=192.0.2.1" for
 * ::ffff:192.0.2.1, "IP=[2001:db8:1:2::]/64" for 2001:db8:1:2::77 with
 * bits 64, "IP=[2001:db8::1]" with bits 128.  A zone ("%eth0") is left
 * out: it names the link, not the client.
 * @return 0, or -1 when it is no IPv6 address (key untouched) */
static int
throttle_ipv6_key( const char *p, size_t n, unsigned bits, char *key )
{
	char buf[INET6_ADDRSTRLEN + 16], out[INET6_ADDRSTRLEN];
	struct in6_addr a;
	char *pct;
	unsigned i;

	if ( n >= sizeof( buf ) ) return -1;
	memcpy( buf, p, n );
	buf[n] = '\0';
	if ( ( pct = strchr( buf, '%' ) ) != NULL ) *pct = '\0';
	if ( inet_pton( AF_INET6, buf, &a ) != 1 ) return -1;
	if ( IN6_IS_ADDR_V4MAPPED( &a ) ) {
		/* one client, whichever socket it came in on */
		if ( !inet_ntop( AF_INET, &a.s6_addr[12], out, sizeof( out ) ) )
			return -1;
		snprintf( key, THROTTLE_ADDR_MAX, "IP=%s", out );
		return 0;
	}
	for ( i = bits; i < 128; i++ )
		a.s6_addr[i / 8] &= (unsigned char)~( 0x80u >> ( i % 8 ) );
	if ( !inet_ntop( AF_INET6, &a, out, sizeof( out ) ) ) return -1;
	if ( bits < 128 )
		snprintf( key, THROTTLE_ADDR_MAX, "IP=[%s]/%u", out, bits );
	else
		snprintf( key, THROTTLE_ADDR_MAX, "IP=[%s]", out );
	return 0;
}

/* Writes into key (THROTTLE_ADDR_MAX bytes) the client an address stands
 * for, without its port: "IP=192.0.2.1:41234" -> "IP=192.0.2.1",
 * "IP=[2001:DB8::1]:41234" -> "IP=[2001:db8::]/64" (with bits 64, see
 * throttle_ipv6_key()), "IP=[::ffff:192.0.2.1]:1" -> "IP=192.0.2.1".  Only
 * IP addresses, with or without "IP=", have ports: anything else
 * ("PATH=/run/ldapi") is kept as it is, colons and all.  A bare address
 * gets the "IP=" of its usual form; text in brackets that is no IPv6
 * address is kept, in lower case. */
static void
throttle_normalize( const char *addr, unsigned bits, char *key )
{
	const char *p, *end, *colon;
	size_t plen, i, n;

	if ( !addr ) addr = "";
	if ( !strncmp( addr, "IP=", 3 ) ) {
		p = addr + 3;
	} else if ( !strchr( addr, '=' ) ) {
		/* a bare address: the same client as its "IP=" form */
		p = addr;
	} else {
		throttle_copy( key, 0, addr, strlen( addr ) );
		return;
	}
	plen = 3;
	memcpy( key, "IP=", plen );

	if ( *p == '[' && ( end = strchr( p, ']' ) ) != NULL ) {
		if ( !throttle_ipv6_key( p + 1, end - p - 1, bits, key ) )
			return;
		n = end + 1 - p;
		throttle_copy( key, plen, p, n );
		for ( i = plen; key[i]; i++ ) {
			if ( key[i] >= 'A' && key[i] <= 'Z' ) key[i] += 'a' - 'A';
		}
		return;
	}
	colon = strchr( p, ':' );
	if ( colon && !strchr( colon + 1, ':' ) ) {
		/* host:port; with more colons it is a bare IPv6 address, whose
		 * last group is not a port */
		n = colon - p;
	} else {
		n = strlen( p );
		if ( colon && !throttle_ipv6_key( p, n, bits, key ) ) return;
	}
	throttle_copy( key, plen, p, n );
}

/* floor( a / b ) for b > 0, also for a < 0 */
static int64_t
throttle_floordiv( int64_t a, int64_t b )
{
	int64_t q = a / b;

	return ( a % b < 0 ) ? q - 1 : q;
}

static void
throttle_lru_unlink( throttle_stripe *s, uint32_t i )
{
	throttle_slot *sl = &s->ts_slots[i];

	if ( sl->ta_newer != THROTTLE_NIL ) s->ts_slots[sl->ta_newer].ta_older = sl->ta_older;
	else s->ts_newest = sl->ta_older;
	if ( sl->ta_older != THROTTLE_NIL ) s->ts_slots[sl->ta_older].ta_newer = sl->ta_newer;
	else s->ts_oldest = sl->ta_newer;
	sl->ta_newer = sl->ta_older = THROTTLE_NIL;
}

static void
throttle_lru_push_newest( throttle_stripe *s, uint32_t i )
{
	throttle_slot *sl = &s->ts_slots[i];

	sl->ta_older = s->ts_newest;
	sl->ta_newer = THROTTLE_NIL;
	if ( s->ts_newest != THROTTLE_NIL ) s->ts_slots[s->ts_newest].ta_newer = i;
	else s->ts_oldest = i;
	s->ts_newest = i;
}

static void
throttle_chain_unlink( throttle_stripe *s, uint32_t i )
{
	uint32_t *pp = &s->ts_heads[s->ts_slots[i].ta_hash & s->ts_mask];

	while ( *pp != THROTTLE_NIL && *pp != i ) pp = &s->ts_slots[*pp].ta_chain;
	if ( *pp == i ) *pp = s->ts_slots[i].ta_chain;
}

/* The slot of key in s, made most recently used; when absent and insert is
 * set, a fresh one in place of the least recently used.  THROTTLE_NIL when
 * absent and not inserted.  Called with the stripe's mutex held. */
static uint32_t
throttle_find( throttle_stripe *s, uint64_t h, const char *key, int insert )
{
	uint32_t i, newer, older, *head = &s->ts_heads[h & s->ts_mask];
	throttle_slot *sl;

	for ( i = *head; i != THROTTLE_NIL; i = s->ts_slots[i].ta_chain ) {
		sl = &s->ts_slots[i];
		if ( sl->ta_hash == h && !strcmp( sl->ta_addr, key ) ) goto found;
	}
	if ( !insert ) return THROTTLE_NIL;
	i = s->ts_oldest;
	sl = &s->ts_slots[i];
	if ( sl->ta_inuse ) throttle_chain_unlink( s, i );
	/* wiped all but its place on the LRU list, which found: moves */
	newer = sl->ta_newer;
	older = sl->ta_older;
	memset( sl, 0, sizeof( *sl ) );
	sl->ta_newer = newer;
	sl->ta_older = older;
	sl->ta_inuse = 1;
	sl->ta_hash = h;
	strcpy( sl->ta_addr, key );
	sl->ta_chain = *head;
	*head = i;

found:
	throttle_lru_unlink( s, i );
	throttle_lru_push_newest( s, i );
	return i;
}

/* Brings a slot's windows up to now, then returns its count. */
static unsigned
throttle_advance( throttle_slot *sl, int64_t now, int64_t window )
{
	int64_t idx = throttle_floordiv( now, window );
	unsigned n;

	if ( sl->ta_window != window ) {
		/* counted for another window length: all of it becomes the
		 * previous window, which errs toward counting too much */
		n = sl->ta_cur + sl->ta_prev;
		sl->ta_prev = n < sl->ta_cur ? UINT_MAX : n;
		if ( sl->ta_cur && sl->ta_cur_last > sl->ta_prev_last )
			sl->ta_prev_last = sl->ta_cur_last;
		sl->ta_cur = 0;
		sl->ta_cur_last = 0;
		sl->ta_window = window;
		sl->ta_index = idx;
	} else if ( idx == sl->ta_index + 1 ) {
		sl->ta_prev = sl->ta_cur;
		sl->ta_prev_last = sl->ta_cur_last;
		sl->ta_cur = 0;
		sl->ta_cur_last = 0;
		sl->ta_index = idx;
	} else if ( idx > sl->ta_index ) {
		sl->ta_prev = sl->ta_cur = 0;
		sl->ta_prev_last = sl->ta_cur_last = 0;
		sl->ta_index = idx;
	}
	/* (idx < ta_index: the clock went back; keep everything) */

	n = sl->ta_cur;
	if ( sl->ta_prev && !( sl->ta_prev_last <= now &&
		(uint64_t)now - (uint64_t)sl->ta_prev_last >= (uint64_t)window ) ) {
		n += sl->ta_prev;
		if ( n < sl->ta_prev ) n = UINT_MAX;
	}
	return n;
}

static unsigned
throttle_op( warden_throttle *t, const char *addr, int64_t now,
	int64_t window, int record )
{
	char key[THROTTLE_ADDR_MAX];
	throttle_stripe *s;
	throttle_slot *sl;
	uint64_t h;
	uint32_t i;
	unsigned n = 0;

	if ( window < 1 ) window = 1;
	throttle_normalize( addr, __atomic_load_n( &t->wt_ipv6_prefix,
		__ATOMIC_RELAXED ), key );
	h = throttle_hash( t->wt_seed, key );
	/* the high bits pick the stripe, the low ones the bucket in it */
	s = &t->wt_stripes[t->wt_shift ? h >> ( 64 - t->wt_shift ) : 0];

	pthread_mutex_lock( &s->ts_mutex );
	i = throttle_find( s, h, key, record );
	if ( i == THROTTLE_NIL ) goto done;
	sl = &s->ts_slots[i];
	if ( !sl->ta_window ) {
		sl->ta_window = window;
		sl->ta_index = throttle_floordiv( now, window );
	}
	n = throttle_advance( sl, now, window );
	if ( record ) {
		if ( sl->ta_cur < UINT_MAX ) sl->ta_cur++;
		if ( !sl->ta_cur_last || now > sl->ta_cur_last ) sl->ta_cur_last = now;
		if ( n < UINT_MAX ) n++;
	}
done:
	pthread_mutex_unlock( &s->ts_mutex );
	return n;
}

warden_throttle *
warden_throttle_new( unsigned slots )
{
	warden_throttle *t;
	throttle_stripe *s;
	unsigned ns, k, per, extra, nb;
	uint32_t i;

	if ( slots < THROTTLE_MIN_SLOTS ) slots = THROTTLE_MIN_SLOTS;
	if ( slots > THROTTLE_MAX_SLOTS ) slots = THROTTLE_MAX_SLOTS;
	t = calloc( 1, sizeof( *t ) );
	if ( !t ) return NULL;
	for ( ns = 1; ns < THROTTLE_MAX_STRIPES &&
		slots / ( ns * 2 ) >= THROTTLE_STRIPE_MIN; ns *= 2 ) {
		t->wt_shift++;
	}
	t->wt_nstripes = ns;
	t->wt_seed = throttle_seed( t );
	t->wt_ipv6_prefix = WARDEN_THROTTLE_IPV6_PREFIX_DEFAULT;
	t->wt_stripes = calloc( ns, sizeof( *t->wt_stripes ) );
	if ( !t->wt_stripes ) goto fail;

	per = slots / ns;
	extra = slots % ns;
	for ( k = 0; k < ns; k++ ) {
		unsigned m = per + ( k < extra );

		s = &t->wt_stripes[k];
		for ( nb = 1; nb < m; nb *= 2 )
			;
		s->ts_mask = nb - 1;
		s->ts_slots = calloc( m, sizeof( *s->ts_slots ) );
		s->ts_heads = malloc( nb * sizeof( *s->ts_heads ) );
		if ( !s->ts_slots || !s->ts_heads ) goto fail;
		if ( pthread_mutex_init( &s->ts_mutex, NULL ) ) goto fail;
		s->ts_mutex_ok = 1;
		for ( i = 0; i < nb; i++ ) s->ts_heads[i] = THROTTLE_NIL;
		/* every slot starts free, on the LRU list, in index order */
		s->ts_newest = s->ts_oldest = THROTTLE_NIL;
		for ( i = 0; i < m; i++ ) {
			s->ts_slots[i].ta_chain = THROTTLE_NIL;
			throttle_lru_push_newest( s, i );
		}
	}
	return t;

fail:
	warden_throttle_free( t );
	return NULL;
}

void
warden_throttle_free( warden_throttle *t )
{
	unsigned k;

	if ( !t ) return;
	for ( k = 0; t->wt_stripes && k < t->wt_nstripes; k++ ) {
		throttle_stripe *s = &t->wt_stripes[k];

		if ( s->ts_mutex_ok ) pthread_mutex_destroy( &s->ts_mutex );
		free( s->ts_slots );
		free( s->ts_heads );
	}
	free( t->wt_stripes );
	free( t );
}

void
warden_throttle_set_ipv6_prefix( warden_throttle *t, unsigned bits )
{
	if ( !t ) return;
	if ( bits < WARDEN_THROTTLE_IPV6_PREFIX_MIN )
		bits = WARDEN_THROTTLE_IPV6_PREFIX_MIN;
	if ( bits > 128 ) bits = 128;
	__atomic_store_n( &t->wt_ipv6_prefix, bits, __ATOMIC_RELAXED );
}

unsigned
warden_throttle_fail( warden_throttle *t, const char *addr,
	int64_t now, int64_t window )
{
	return throttle_op( t, addr, now, window, 1 );
}

unsigned
warden_throttle_count( warden_throttle *t, const char *addr,
	int64_t now, int64_t window )
{
	return throttle_op( t, addr, now, window, 0 );
}
