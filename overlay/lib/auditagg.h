/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* auditagg.h - repeated identical failures as one audit record with a count
 *
 * A client that binds again and again as a locked account costs warden no
 * password check and would cost the trail one record each: thousands a
 * second from one connection.  The overlay gives each failed bind a key
 * (its source address without the port, its DN, its reason, result code
 * and mechanism) and asks the aggregator whether to write its record:
 *
 *	- the first failure of a key starts a burst and is written at once
 *	  (warden_auditagg_note() returns 1);
 *	- the following ones, until the burst's interval has passed since its
 *	  start, are only counted (0); the record of the first of them is kept;
 *	- when the interval has passed (warden_auditagg_flush(), called every
 *	  second, or the key's next failure), at shutdown (flush with now
 *	  NULL) and when the table is full (the oldest burst goes), a burst
 *	  that counted failures gives one record: the kept record with
 *
 *		,"warden.aggregated":true,"event.count":N,
 *		 "event.start":"T1","event.end":"T2"
 *
 *	  before its closing brace: N the failures counted (the burst's first
 *	  has its own record), T1 and T2 the times of the first and last of
 *	  them (warden_json_time()'s form).
 *
 * So no failure is uncounted, and a key costs at most two records per
 * interval.  Records come back to the caller as a list (warden_auditagg_out)
 * to be written after the caller's lock is released.
 *
 * Nothing here locks: the caller serializes the calls.
 */
#ifndef WARDEN_AUDITAGG_H
#define WARDEN_AUDITAGG_H

#include <stddef.h>
#include <time.h>

/** Bursts followed at once by default; the oldest goes when full. */
#define WARDEN_AUDITAGG_MAX	4096

typedef struct warden_auditagg warden_auditagg;

/** An aggregated record to write (a list; free with
 * warden_auditagg_out_free()). */
typedef struct warden_auditagg_out {
	struct warden_auditagg_out *ao_next;
	size_t		ao_len;
	char		ao_rec[];	/**< the JSON object, NUL-terminated */
} warden_auditagg_out;

/** @param[in] max	bursts followed at once; 0: WARDEN_AUDITAGG_MAX
 * @return the aggregator or NULL (out of memory) */
warden_auditagg *warden_auditagg_new( size_t max );
void warden_auditagg_free( warden_auditagg *g );

/** A failure.
 * @param[in] key	its key (any bytes)
 * @param[in] rec	its record (a JSON object), kept when it is the first
 *	counted one of its burst
 * @param[in] now	its time (CLOCK_REALTIME)
 * @param[in] interval	seconds a burst lasts; 0: every failure is written
 * @param[out] out	aggregated records to write now are appended here
 *	(a burst of this key that ended, the oldest burst when the table is
 *	full)
 * @return 1: write rec now; 0: counted, not to be written; -1: out of
 *	memory (write rec now: nothing is lost)
 */
int warden_auditagg_note( warden_auditagg *g, const void *key, size_t keylen,
	const char *rec, size_t reclen, const struct timespec *now,
	unsigned interval, warden_auditagg_out **out );

/** Ends the bursts whose interval has passed at now (every burst when now
 * is NULL) and appends their records to *out. */
void warden_auditagg_flush( warden_auditagg *g, const struct timespec *now,
	unsigned interval, warden_auditagg_out **out );

/** Bursts followed now. */
size_t warden_auditagg_count( const warden_auditagg *g );

void warden_auditagg_out_free( warden_auditagg_out *o );

#endif /* WARDEN_AUDITAGG_H */
