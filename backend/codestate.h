/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* codestate.h - wrong one-time codes per account, in warden's state store
 *
 * A one-time code has 10^6 values (6 digits); with one step either side
 * three of them are right at any moment.  Without a limit of its own, a
 * user whose policy does not lock (or who has no policy) could be guessed
 * at whatever rate the server answers.  warden counts wrong codes per user
 * account, whatever its policy: after max_failure of them, each further
 * attempt is refused unchecked until a delay after the latest wrong code
 * has passed, the delay doubling with each further wrong code from one
 * second up to a cap (warden_code_delay()).  A right password with a right
 * code ends it.
 *
 * The record lives in the store's "otp" database under the user entry's
 * entryUUID and index WARDEN_CODESTATE_IDX (otpstate.h lists the indexes),
 * so a rename keeps it and the purge of a deleted entry removes it.
 * Changes commit without a flush (as lockout failures do, see
 * warden_store_sync()): a crash of the whole machine forgets at most the
 * last second of wrong codes; the death of slapd forgets nothing.
 *
 * Times are microseconds since the Unix epoch (warden_time).  Functions
 * return 0, the positive results documented, or -1 after writing a
 * one-line reason (never a secret) into msg.  A record that is not of this
 * format is refused as "corrupt wrong-code record" and left as it is;
 * warden_codestate_clear() removes it.
 */
#ifndef WARDEN_CODESTATE_H
#define WARDEN_CODESTATE_H

#include <stddef.h>
#include <stdint.h>

#include "lockstate.h"	/* warden_time, WARDEN_UUID_LEN */
#include "store.h"

/** The otp-database index of a user's wrong-code record. */
#define WARDEN_CODESTATE_IDX		254

#define WARDEN_CODESTATE_NOTFOUND	1
#define WARDEN_CODESTATE_DELAYED	2	/**< refused: within the delay */
#define WARDEN_CODESTATE_NOTED		3	/**< the refusal was noted before */

/** The first delay, after max_failure wrong codes: one second. */
#define WARDEN_CODE_DELAY_BASE		((warden_time)1000000)
/** Defaults of warden-code-max-failure and warden-code-max-delay. */
#define WARDEN_CODE_MAX_FAILURE_DEFAULT	5
#define WARDEN_CODE_MAX_DELAY_DEFAULT	900	/**< seconds */

/** One account's wrong codes. */
typedef struct warden_code_state {
	uint32_t	cs_nfail;	/**< wrong codes since the last right one */
	warden_time	cs_last_fail;	/**< the latest (or the latest attempt
					 * claimed, see warden_codestate_claim());
					 * 0 when cs_nfail is 0 */
	warden_time	cs_noted;	/**< cs_last_fail of the delay whose first
					 * refusal was logged; 0 = none */
} warden_code_state;

/** The delay that nfail wrong codes impose after the latest of them.
 * Pure.  0 while nfail < max_failure, or when max_failure is 0 (the
 * limit is off); then WARDEN_CODE_DELAY_BASE after the max_failure-th,
 * doubling with each further one, never above cap (cap <= 0: no delay).
 * Overflow-safe for any nfail. */
warden_time warden_code_delay( uint32_t nfail, unsigned max_failure,
	warden_time cap );

/** When the next attempt is allowed: cs_last_fail + the delay, or 0 when
 * there is none.  Pure. */
warden_time warden_code_next( const warden_code_state *st,
	unsigned max_failure, warden_time cap );

/** Reads an account's record.
 * @param[out] st	the state; all 0 when there is none
 * @return 0, WARDEN_CODESTATE_NOTFOUND, or -1 */
int warden_codestate_get( warden_store *store, const unsigned char *uuid,
	warden_code_state *st, char *msg, size_t len );

/** Counts a wrong code at now: cs_nfail + 1, cs_last_fail = now, in one
 * write transaction (concurrent wrong codes are all counted).
 * @param[out] st	the state after it (may be NULL)
 * @return 0 or -1 */
int warden_codestate_fail( warden_store *store, const unsigned char *uuid,
	warden_time now, warden_code_state *st, char *msg, size_t len );

/** Claims the one attempt an account may make once its delay has passed:
 * in one write transaction, refuses when now is still within the delay
 * (another bind claimed it meanwhile), else counts the attempt as a wrong
 * code at now, as warden_codestate_fail() would, before it is checked.  Of
 * many concurrent binds, one gets through per delay; a right code then
 * clears the count (warden_codestate_clear()).
 * @param[out] st	the state (after the claim, or that refused it)
 * @return 0 (claimed), WARDEN_CODESTATE_DELAYED, or -1 */
int warden_codestate_claim( warden_store *store, const unsigned char *uuid,
	warden_time now, unsigned max_failure, warden_time cap,
	warden_code_state *st, char *msg, size_t len );

/** Marks the delay that began at last_fail as logged, so that a stream of
 * refused attempts is logged once per delay.
 * @return 0 (marked now: log it), WARDEN_CODESTATE_NOTED (marked before,
 *	or the record has moved on), WARDEN_CODESTATE_NOTFOUND, or -1 */
int warden_codestate_note( warden_store *store, const unsigned char *uuid,
	warden_time last_fail, char *msg, size_t len );

/** Forgets an account's wrong codes (a right code, an unlock).
 * @return 0, WARDEN_CODESTATE_NOTFOUND, or -1 */
int warden_codestate_clear( warden_store *store, const unsigned char *uuid,
	char *msg, size_t len );

#endif /* WARDEN_CODESTATE_H */
