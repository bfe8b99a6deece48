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

/** Creates a table.
 * @param[in] slots	addresses tracked at once (at least 16)
 * @return the table, or NULL when out of memory */
warden_throttle *warden_throttle_new( unsigned slots );

/** Frees a table; NULL is allowed. */
void warden_throttle_free( warden_throttle *t );

/** Records one failure from an address at now (microseconds) and returns
 * the number of failures from it within the window ending at now,
 * including this one.  The count may be an estimate (sliding window over
 * two buckets), but it is never below the failures of the last full
 * window and never above all failures ever recorded for the address.
 * @param[in] addr	the client address as slapd prints it (e.g.
 *	"IP=127.0.0.1:41234"); the port, if any, is ignored
 */
unsigned warden_throttle_fail( warden_throttle *t, const char *addr,
	int64_t now, int64_t window );

/** The number of failures from an address within the window ending at
 * now, as warden_throttle_fail() would count it, without recording one. */
unsigned warden_throttle_count( warden_throttle *t, const char *addr,
	int64_t now, int64_t window );

#endif /* WARDEN_THROTTLE_H */
