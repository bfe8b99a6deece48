/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* clock.h - the wall clock, in the microseconds of warden's records
 *
 * Lockout, one-time code and wrong-code records hold times as
 * microseconds since the epoch (backend/lockstate.h: warden_time), so that
 * they mean the same on every server that shares them.
 */
#ifndef WARDEN_CLOCK_H
#define WARDEN_CLOCK_H

#include <stdint.h>
#include <time.h>

/** A second in those microseconds. */
#define WARDEN_SEC	((int64_t)1000000)

/** Now, in microseconds since 1970-01-01 UTC. */
static inline int64_t
warden_clock_us( void )
{
	struct timespec ts;

	clock_gettime( CLOCK_REALTIME, &ts );
	return (int64_t)ts.tv_sec * WARDEN_SEC + ts.tv_nsec / 1000;
}

#endif /* WARDEN_CLOCK_H */
