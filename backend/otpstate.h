/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* otpstate.h - one-time code state in warden's state store
 *
 * What stops a one-time code from working twice: the last TOTP step (or
 * HOTP counter) used, the drift seen with it, and which recovery codes of
 * which set have been used.  slapo-otp keeps the step in the token entry
 * (oathTOTPLastTimeStep), written by an internal modify after the bind has
 * been judged; two binds with one code can both pass before either write
 * lands.  Here the check and the write are one LMDB write transaction
 * (warden_otpstate_advance()), and LMDB runs one writer at a time: of any
 * number of concurrent binds with one code, exactly one is accepted.
 *
 * A record is keyed by an entryUUID (16 bytes) and an index (1 byte), so
 * a rename keeps the state and a delete can purge it:
 *	- a token's step or counter under the token entry's UUID, index 0
 *	  (another index for further tokens of one entry, should there be any);
 *	- a user's recovery codes under the user entry's UUID, index 0.
 * Both may share a record (slapo-otp lets a user entry be its own token);
 * they use different fields of it.  Under the user entry's UUID, too:
 *	- index 254: the account's wrong codes, a record of codestate.h's
 *	  own format (not readable with these functions);
 *	- index 255: the start of the user's enrolment grace (overlay/mfa/totp.c,
 *	  TOTP_GRACE_IDX), as os_last.
 * warden_otpstate_purge() removes them all.
 *
 * Durability.  The store commits without flushing (see
 * warden_store_sync(): a crash of the whole system loses up to the last
 * second).  For lockout counters that is a second of failures forgotten;
 * for a used step it would be a replay: a code accepted just before a power
 * cut would be accepted again after it.  So a change that accepts a code
 * must be on disk before the bind is answered, in one of two ways:
 *	- here: warden_otpstate_advance() and warden_otpstate_use_recovery()
 *	  flush before returning, with warden_store_flush(), which concurrent
 *	  callers share (group commit: under load one fdatasync serves every
 *	  bind that committed while the previous one ran);
 *	- elsewhere: warden_otpstate_take() commits without a flush, for a
 *	  caller that makes the use durable by a synchronous write of its own
 *	  that the replay check also reads (totp.c: the step in the token
 *	  entry, committed by back-mdb with its fsync), or that calls
 *	  warden_store_flush() when that write fails.
 * A commit without a flush is in the page cache at once, which survives the
 * death of slapd (kill -9): of twenty concurrent binds with one code one is
 * accepted either way, and after a restart the step is still used.  Never
 * more than one flush per successful one-time-code bind, none per failure
 * (failures write nothing here).  If the flush fails, the function returns
 * -1: the step is committed, so it is used up, but it is not known to be
 * durable, and the bind is refused (the user waits for the next code).
 *
 * Times are microseconds since the Unix epoch (warden_time).  Functions
 * return 0 on success, WARDEN_OTPSTATE_NOTFOUND or WARDEN_OTPSTATE_USED
 * where documented, or -1 after writing a one-line reason (never a secret)
 * into msg.  A record that is not of this format ("corrupt one-time code
 * record") is refused by every function that reads it, and left as it is;
 * purging removes it.
 */
#ifndef WARDEN_OTPSTATE_H
#define WARDEN_OTPSTATE_H

#include <stddef.h>
#include <stdint.h>

#include "lockstate.h"	/* warden_time, WARDEN_UUID_LEN */
#include "store.h"

#define WARDEN_OTPSTATE_NOTFOUND	1
#define WARDEN_OTPSTATE_USED		2	/**< refused: already used */

/** Highest recovery code index (the bitmap is 32 bits). */
#define WARDEN_OTPSTATE_RECOVERY_MAX	31

/** The state of one key. */
typedef struct warden_otp_state {
	int64_t		os_last;	/**< last step or counter used; -1 (WARDEN_OTP_NONE
					 * of totpcalc.h) when none */
	int64_t		os_drift;	/**< steps, as warden_totp_verify() returned it */
	uint32_t	os_recovery_used; /**< bit i: recovery code i of the set used */
	uint64_t	os_recovery_set; /**< the set os_recovery_used is about */
	warden_time	os_last_success; /**< last accepted code or recovery code; 0 = none */
} warden_otp_state;

/** Reads a state.
 * @param[in] uuid	16 bytes
 * @param[in] idx	0 .. 255
 * @param[out] st	the state; when there is none, os_last is -1 and the
 *	rest 0
 * @return 0, WARDEN_OTPSTATE_NOTFOUND, or -1
 */
int warden_otpstate_get( warden_store *store, const unsigned char *uuid,
	unsigned idx, warden_otp_state *st, char *msg, size_t len );

/** Check and advance: accepts step (a TOTP step or HOTP counter) if it is
 * above the last one used, and records it, with its drift and now, in the
 * same write transaction; flushes before returning (see Durability).
 * @param[in] step	>= 0
 * @param[in] drift	what warden_totp_verify() returned (0 for HOTP)
 * @param[in] now	> 0
 * @return 0 (accepted, recorded, flushed), WARDEN_OTPSTATE_USED (step <=
 *	the last step: a replay or a lost race, nothing written), or -1
 *	(invalid arguments, a corrupt record, LMDB errors, a failed flush)
 */
int warden_otpstate_advance( warden_store *store, const unsigned char *uuid,
	unsigned idx, int64_t step, int64_t drift, warden_time now,
	char *msg, size_t len );

/** warden_otpstate_advance() without the flush: the step is committed
 * (used up for every later call, and kept across the death of slapd) but
 * may be lost with a crash of the whole system until the store's next
 * flush (warden_store_flush(), or the background sync within a second).
 * The caller makes the use durable before it answers (see Durability).
 * @return as warden_otpstate_advance(), never a flush's failure
 */
int warden_otpstate_take( warden_store *store, const unsigned char *uuid,
	unsigned idx, int64_t step, int64_t drift, warden_time now,
	char *msg, size_t len );

/** Check and use a recovery code: accepts index code_index of set set_id
 * (as warden_recovery_verify() returned them) if that code has not been
 * used, and marks it used, in one write transaction; flushes before
 * returning.  A set other than the recorded one starts with no code used
 * (a new set was issued).
 * @param[in] code_index	0 .. WARDEN_OTPSTATE_RECOVERY_MAX
 * @param[in] now	> 0
 * @param[out] remaining	codes of the set not used yet, out of
 *	set_size, after this one (may be NULL)
 * @param[in] set_size	how many codes the set has (for remaining),
 *	1 .. 32
 * @return 0, WARDEN_OTPSTATE_USED (this code was used before), or -1
 */
int warden_otpstate_use_recovery( warden_store *store,
	const unsigned char *uuid, unsigned idx, uint64_t set_id,
	unsigned code_index, unsigned set_size, warden_time now,
	unsigned *remaining, char *msg, size_t len );

/** Forgets one key's state (a token reset or re-enrolled: its steps start
 * anew with its new secret).
 * @return 0, WARDEN_OTPSTATE_NOTFOUND, or -1
 */
int warden_otpstate_reset( warden_store *store, const unsigned char *uuid,
	unsigned idx, char *msg, size_t len );

/** Removes every index of an entryUUID (the entry was deleted).
 * @return 0, WARDEN_OTPSTATE_NOTFOUND (nothing stored), or -1
 */
int warden_otpstate_purge( warden_store *store, const unsigned char *uuid,
	char *msg, size_t len );

#endif /* WARDEN_OTPSTATE_H */
