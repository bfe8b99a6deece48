/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* validate.h - validation of warden's configuration values
 *
 * Pure functions, callable without slapd, so unit tests can exercise every
 * refusal.  Each returns 0 when the value is acceptable, or -1 after writing
 * a one-line reason (without the directive name, which the caller knows)
 * into msg.  A reason says what to fix.
 */
#ifndef WARDEN_VALIDATE_H
#define WARDEN_VALIDATE_H

#include <stddef.h>

/** Checks a state directory: an absolute path naming an existing directory,
 * owned by the effective user (or root), writable by it, and not writable by
 * group or others (another local user could otherwise replace the store).
 * @param[in] path	the configured value
 * @param[out] msg	reason on failure
 * @param[in] len	size of msg
 * @return 0 or -1
 */
/** Names slapd's user for messages: who receives "uid 103, openldap",
 * owner the argument of chown ("openldap:openldap"); either may be NULL. */
void warden_slapd_user( char *who, size_t wholen, char *owner, size_t ownerlen );

int warden_check_state_dir( const char *path, char *msg, size_t len );

/** Checks an audit file path without creating anything: the path must be
 * absolute, its directory must exist, and an existing file must be a
 * regular file (not a symlink), owned by the effective user (or root) and
 * not writable by group or others.
 * @return 0 or -1
 */
int warden_check_audit_path( const char *path, char *msg, size_t len );

/** Opens an audit file for appending, creating it with mode 0600 when it is
 * missing.  The path must be absolute, its directory must exist, and an
 * existing file must be a regular file (not a symlink, not a FIFO), owned by
 * the effective user (or root) and not writable by group or others.
 * @param[in] path	the configured value
 * @param[out] fdp	the open descriptor (O_APPEND, close-on-exec) on success
 * @param[out] msg	reason on failure
 * @param[in] len	size of msg
 * @return 0 or -1
 */
int warden_open_audit_file( const char *path, int *fdp, char *msg, size_t len );

/** Whether a slapd version string names the version the module was built
 * for.  slapd's Versionstr reads "@(#) $OpenLDAP: slapd 2.5.13+dfsg-5 (date) $";
 * the version must match exactly, not as a prefix.
 * @param[in] versionstr	slapd's Versionstr
 * @param[in] built_for	the version compiled into the module
 * @return 1 when they match, 0 otherwise
 */
int warden_version_matches( const char *versionstr, const char *built_for );

/* --- the integer settings of a password policy entry ------------------------
 *
 * Each integer attribute of a policy entry that warden or ppolicy.la reads
 * has an allowed range.  A value outside it is refused when written
 * (constraintViolation); one already stored (slapadd, a replica of a
 * provider without warden) is read as the row's safe value instead, never
 * as "off". */

/** One attribute's range. */
typedef struct warden_policy_range {
	const char	*pr_name;	/**< the attribute type's name */
	long long	pr_min;
	long long	pr_max;
	long long	pr_below;	/**< a stored value below pr_min reads as this */
	long long	pr_above;	/**< a stored value above pr_max reads as this */
	const char	*pr_note;	/**< what the ends mean, for messages */
} warden_policy_range;

/** The range of an attribute (by type name, case-insensitive).
 * @return the row, or NULL when warden has no range for it */
const warden_policy_range *warden_policy_range_find( const char *name,
	size_t len );

/** The row of the table at index i (for documentation and tests).
 * @return the row, or NULL past the end */
const warden_policy_range *warden_policy_range_at( int i );

/** Parses a decimal integer (an LDAP Integer: optional '-', digits).
 * @param[out] out	the value; values beyond the range of long long
 *	saturate at LLONG_MIN or LLONG_MAX
 * @return 0, or -1 when the text is not an integer */
int warden_policy_int_parse( const char *val, size_t len, long long *out );

/** Checks one value being written.
 * @param[out] msg	on -1: "pwdMaxFailure: -1 is out of range: allowed 0 to
 *	2147483647 (0: never lock)"
 * @return 0 or -1 */
int warden_policy_value_check( const warden_policy_range *r, const char *val,
	size_t len, char *msg, size_t msglen );

/** The value to use for one stored value.
 * @param[out] bad	1 when the stored value was out of range or not an
 *	integer, and the safe value is returned
 * @return the stored value, or the row's safe value */
long long warden_policy_value_read( const warden_policy_range *r,
	const char *val, size_t len, int *bad );

/** Checks pwdMinLength against pwdMaxLength, as they will be after a
 * write; a negative value stands for "not set".
 * @return 0, or -1 when both are set, pwdMaxLength is not 0 (no maximum)
 *	and pwdMinLength exceeds it */
int warden_policy_lengths_check( long long min_length, long long max_length,
	char *msg, size_t msglen );

/** The least length of an OATH seed: RFC 4226 section 4, R6, requires a
 * shared secret of at least 128 bits. */
#define WARDEN_SEED_MIN	16

/** Checks the length of an OATH seed (oathSecret, cleartext, or the
 * length a wrapped value holds).
 * @return 0, or -1 with msg */
int warden_seed_length_check( size_t seedlen, char *msg, size_t msglen );

#endif /* WARDEN_VALIDATE_H */
