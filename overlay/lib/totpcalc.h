/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* totpcalc.h - one-time codes (RFC 6238 TOTP, RFC 4226 HOTP), as pure
 * functions
 *
 * The codes are computed by liboath; everything around them is here: which
 * steps or counters are tried, in which order, which of them have already
 * been used, how the clock offset of a token is followed, and how a
 * simple-bind credential is split into the password and the code.  Nothing
 * here reads or writes state: the caller passes the last used step and the
 * drift it stored, and stores what a success returns (backend/otpstate.h
 * does that atomically, which is what actually stops a replay).
 *
 * The data model is oath-ldap's, as slapo-otp reads it, so that values
 * carry over unchanged:
 *	- a TOTP token's oathTOTPLastTimeStep is the last step used (a step is
 *	  floor(unix time / period)), oathTOTPTimeStepDrift the offset in steps
 *	  between the token's clock and ours seen at the last success, and the
 *	  window (oathTOTPTimeStepWindow) is centred on now + drift;
 *	- an HOTP token's oathHOTPCounter is the last counter used; the next
 *	  code is expected at counter + 1, and oathHOTPLookAhead more are tried.
 * Differences from slapo-otp, on purpose: codes are compared in constant
 * time; every candidate of the window is computed whether or not an
 * earlier one matched, so the time taken does not tell where a code
 * matched; 1 to 5 digits are refused (liboath computes 6 to 8); the drift
 * is capped, so a token cannot walk the window arbitrarily far.
 *
 * Functions return 0 on success, a positive WARDEN_OTP_* result where
 * documented, or -1 after writing a one-line reason into msg.  Neither the
 * secret nor a code ever appears in a message.
 */
#ifndef WARDEN_TOTPCALC_H
#define WARDEN_TOTPCALC_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/** The HMAC of a token (oathHMACAlgorithm).  SHA-224 and SHA-384, which
 * oath-ldap also names, are not computed by liboath and are refused. */
typedef enum warden_otp_alg {
	WARDEN_OTP_SHA1 = 0,
	WARDEN_OTP_SHA256,
	WARDEN_OTP_SHA512
} warden_otp_alg;

#define WARDEN_OTP_DIGITS_MIN		6
#define WARDEN_OTP_DIGITS_MAX		8
#define WARDEN_TOTP_PERIOD_DEFAULT	30	/**< seconds */
#define WARDEN_TOTP_PERIOD_MAX		3600	/**< seconds */
#define WARDEN_TOTP_WINDOW_DEFAULT	1	/**< steps on each side */
#define WARDEN_TOTP_WINDOW_MAX		10	/**< steps on each side */
#define WARDEN_TOTP_DRIFT_MAX		10000	/**< steps (3.5 days at 30 s) */
#define WARDEN_HOTP_LOOKAHEAD_MAX	100	/**< counters after the next one */

/** "No step or counter used yet": the last step of a new token.  Steps
 * and counters are >= 0. */
#define WARDEN_OTP_NONE			((int64_t)-1)

/** Results of a verification, besides 0 (a match) and -1 (an error). */
#define WARDEN_OTP_MISMATCH		1	/**< no candidate gives the code */
#define WARDEN_OTP_REPLAYED		2	/**< the code matches, but only at
						 * steps or counters already used */

/** Parameters of a TOTP token (its oathTOTPParams entry). */
typedef struct warden_totp_params {
	warden_otp_alg	tp_alg;		/**< oathHMACAlgorithm */
	unsigned	tp_digits;	/**< oathOTPLength, 6 .. 8 */
	unsigned	tp_period;	/**< oathTOTPTimeStepPeriod, seconds, 1 ..
					 * WARDEN_TOTP_PERIOD_MAX (30 or 60 in practice) */
	unsigned	tp_window;	/**< oathTOTPTimeStepWindow: steps tried on
					 * each side of the centre, 0 .. WARDEN_TOTP_WINDOW_MAX */
	unsigned	tp_max_drift;	/**< largest |drift| followed, in steps; a
					 * stored drift beyond it counts as this much, and
					 * 0 turns drift tracking off (the window stays
					 * centred on now); at most WARDEN_TOTP_DRIFT_MAX */
} warden_totp_params;

/** Parameters of an HOTP token (its oathHOTPParams entry). */
typedef struct warden_hotp_params {
	warden_otp_alg	hp_alg;		/**< oathHMACAlgorithm */
	unsigned	hp_digits;	/**< oathOTPLength, 6 .. 8 */
	unsigned	hp_lookahead;	/**< oathHOTPLookAhead: counters tried after
					 * the next one, 0 .. WARDEN_HOTP_LOOKAHEAD_MAX */
} warden_hotp_params;

/** Maps an oathHMACAlgorithm value (the RFC 8018 OID of the HMAC, as
 * oath-ldap stores it: 1.2.840.113549.2.7 for SHA-1, .9 for SHA-256, .11
 * for SHA-512) to an algorithm.
 * @param[in] oid	the OID in dotted form (not NUL-terminated)
 * @param[out] alg	the algorithm
 * @return 0, or -1 for any other OID (msg names it when it is SHA-224 or
 *	SHA-384, which warden does not compute)
 */
int warden_otp_alg_from_oid( const char *oid, size_t oidlen,
	warden_otp_alg *alg, char *msg, size_t len );

/** The TOTP step of a time: floor((now - 0) / tp_period).
 * @return the step, or WARDEN_OTP_NONE when now < 0 or tp_period is 0 */
int64_t warden_totp_step( const warden_totp_params *tp, time_t now );

/** Computes the code of one moving factor (a TOTP step or an HOTP
 * counter): HOTP(secret, factor) truncated to digits, as RFC 4226 defines
 * it with the HMAC of alg.
 * @param[in] secret	the raw seed (not a wrapped value), at least 1 byte
 * @param[in] factor	0 .. INT64_MAX
 * @param[out] out	digits + 1 bytes; the code, NUL-terminated.  The
 *	caller wipes it when it is done with it.
 * @return 0 or -1 (digits out of range, no secret, a factor < 0, liboath
 *	failing)
 */
int warden_otp_generate( warden_otp_alg alg, unsigned digits,
	const unsigned char *secret, size_t secretlen, int64_t factor,
	char *out, char *msg, size_t len );

/** Checks a TOTP code at time now.
 *
 * The candidates are the steps centre - tp_window .. centre + tp_window,
 * where centre is warden_totp_step(now) + drift (drift capped at
 * +/- tp_max_drift).  All of them are computed and compared in constant
 * time; a candidate <= last_step (already used) or < 0 cannot match.  Of
 * the candidates that match, the one nearest the centre wins (the earlier
 * on a tie: it consumes less of the future).
 * @param[in] code	the code the user sent (not NUL-terminated); a code
 *	that is not exactly tp_digits ASCII digits does not match
 * @param[in] last_step	the last step used, or WARDEN_OTP_NONE
 * @param[in] drift	the drift stored at the last success (0 for none)
 * @param[out] step	on 0: the step that matched, which the caller must
 *	store as the new last step (warden_otpstate_advance()), and
 *	only then accept the code
 * @param[out] new_drift on 0: step - warden_totp_step(now), to store
 *	with it; 0 when tp_max_drift is 0.  May be NULL.
 * @return 0, WARDEN_OTP_MISMATCH, WARDEN_OTP_REPLAYED (the code would
 *	match an already used step of the window, and no unused one), or -1
 *	(parameters out of range, no secret, now < 0, liboath failing)
 */
int warden_totp_verify( const warden_totp_params *tp,
	const unsigned char *secret, size_t secretlen,
	const char *code, size_t codelen, time_t now,
	int64_t last_step, int64_t drift,
	int64_t *step, int64_t *new_drift, char *msg, size_t len );

/** Checks an HOTP code.
 *
 * The candidates are the counters last + 1 .. last + 1 + hp_lookahead
 * (0 .. hp_lookahead for a token not used yet), all computed and compared
 * in constant time; the lowest that matches wins.
 * @param[in] last	the last counter used (oathHOTPCounter), or
 *	WARDEN_OTP_NONE
 * @param[out] counter	on 0: the counter that matched: the new last
 *	counter, to store (warden_otpstate_advance()) before accepting
 * @return 0, WARDEN_OTP_MISMATCH, or -1 (parameters out of range, no
 *	secret, a last counter so high the window would overflow)
 */
int warden_hotp_verify( const warden_hotp_params *hp,
	const unsigned char *secret, size_t secretlen,
	const char *code, size_t codelen, int64_t last,
	int64_t *counter, char *msg, size_t len );

/** Results of warden_otp_split(), besides 0. */
#define WARDEN_SPLIT_SHORT	1	/**< no password before the code */
#define WARDEN_SPLIT_NOT_DIGITS	2	/**< the last digits characters are not
					 * all ASCII digits */

/** Splits a simple-bind credential "password" + "code" into its parts:
 * the code is the last `digits` characters.  The credential must hold at
 * least one character of password: an empty password would make the bind
 * an unauthenticated one (RFC 4513 5.1.2), which no code may turn into a
 * user's.  The digit check does not stop at the first non-digit.
 * @param[in] cred	the credential (not NUL-terminated; may hold NULs)
 * @param[in] digits	WARDEN_OTP_DIGITS_MIN .. WARDEN_OTP_DIGITS_MAX
 * @param[out] pwlen	on 0: the length of the password, cred[0 .. pwlen)
 * @param[out] code	on 0: where the code starts, cred + pwlen
 * @return 0, WARDEN_SPLIT_SHORT, WARDEN_SPLIT_NOT_DIGITS, or -1 for
 *	digits out of range
 */
int warden_otp_split( const char *cred, size_t credlen, unsigned digits,
	size_t *pwlen, const char **code );

#endif /* WARDEN_TOTPCALC_H */
