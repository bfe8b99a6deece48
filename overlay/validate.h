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

#endif /* WARDEN_VALIDATE_H */
