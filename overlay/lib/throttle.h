/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* throttle.h - failures per client address, in memory
 *
 * Password spraying tries a few passwords against many users from one
 * address: no single account reaches its limit.  warden counts failures per
 * source address over a sliding window and slows or refuses that address
 * without locking the victims.  The table lives in memory only (a restart
 * forgets it), has a fixed number of slots (least recently used address is
 * evicted), and is safe to use from many threads.
 */
#ifndef WARDEN_THROTTLE_H
#define WARDEN_THROTTLE_H

#include <stddef.h>
#include <stdint.h>

typedef struct warden_throttle warden_throttle;

/** The IPv6 prefix length a new table counts by: one subscriber, site or
 * cloud instance is usually given a whole /64, and takes a new address
 * from it at will. */
#define WARDEN_THROTTLE_IPV6_PREFIX_DEFAULT	64
/** The shortest prefix allowed (a /16 would lump providers together). */
#define WARDEN_THROTTLE_IPV6_PREFIX_MIN		16

/** Creates a table; it counts IPv6 addresses by their
 * WARDEN_THROTTLE_IPV6_PREFIX_DEFAULT prefix.
 * @param[in] slots	addresses tracked at once (at least 16)
 * @return the table, or NULL when out of memory */
warden_throttle *warden_throttle_new( unsigned slots );

/** Sets the prefix length IPv6 addresses are counted by: every address
 * of one prefix is one client.  IPv4 addresses, and IPv4-mapped IPv6
 * ones (::ffff:a.b.c.d, counted as a.b.c.d), are counted one by one.
 * Safe to call while other threads use the table; failures counted under
 * another length are not carried over.
 * @param[in] bits	WARDEN_THROTTLE_IPV6_PREFIX_MIN .. 128; a value
 *	outside is taken as the nearest limit */
void warden_throttle_set_ipv6_prefix( warden_throttle *t, unsigned bits );

/** Frees a table; NULL is allowed. */
void warden_throttle_free( warden_throttle *t );

/** Records one failure from an address at now (microseconds) and returns
 * the number of failures from it within the window ending at now,
 * including this one.  The count may be an estimate (sliding window over
 * two buckets), but it is never below the failures of the last full
 * window and never above all failures ever recorded for the address.
 * @param[in] addr	the client address as slapd prints it (e.g.
 *	"IP=127.0.0.1:41234", "IP=[2001:db8::1]:41234"); the port, if any,
 *	is ignored, and an IPv6 address stands for its prefix (see
 *	warden_throttle_set_ipv6_prefix())
 */
unsigned warden_throttle_fail( warden_throttle *t, const char *addr,
	int64_t now, int64_t window );

/** The number of failures from an address within the window ending at
 * now, as warden_throttle_fail() would count it, without recording one. */
unsigned warden_throttle_count( warden_throttle *t, const char *addr,
	int64_t now, int64_t window );

#endif /* WARDEN_THROTTLE_H */
