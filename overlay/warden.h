/* warden.h - what the overlay's files share
 *
 * Only overlay/ files include this; it needs slapd's headers.
 */
#ifndef WARDEN_H
#define WARDEN_H

#include "portable.h"
#include "slap.h"
#include "slap-config.h"

#include "keyring.h"
#include "store.h"

/** One warden instance: the configuration and resources of one
 * "overlay warden" on one database. */
typedef struct warden_info {
	char		*wi_state_dir;		/**< warden-state-dir */
	warden_store	*wi_store;		/**< open while the database is */
	char		*wi_key_file;		/**< warden-key-file */
	warden_keyring	*wi_keys;		/**< loaded from wi_key_file */
	char		*wi_audit_file;		/**< warden-audit-file */
	int		wi_audit_fd;		/**< open while the database is */
	struct berval	wi_default_policy;	/**< normalized DN */
	int		wi_open;		/**< between db_open and db_close */
} warden_info;

/** The draft-behera password policy attributes warden uses, whether
 * registered by warden or by ppolicy.la. */
typedef struct warden_pwd_schema {
	AttributeDescription	*ad_pwdAttribute;
	AttributeDescription	*ad_pwdAccountLockedTime;
	AttributeDescription	*ad_pwdFailureTime;
	AttributeDescription	*ad_pwdChangedTime;
	AttributeDescription	*ad_pwdHistory;
	AttributeDescription	*ad_pwdReset;
	AttributeDescription	*ad_pwdPolicySubentry;
	ObjectClass		*oc_pwdPolicy;
} warden_pwd_schema;

extern warden_pwd_schema warden_pwd;

/** Registers the password policy schema unless ppolicy.la (or an earlier
 * warden instance) already has, and fills warden_pwd.  Each warden instance
 * calls it once, in db_init, and warden_schema_release() in db_destroy.
 * @return 0, or an LDAP schema error code after logging why */
int warden_schema_init( void );

/** Ends one instance's use of the schema. */
void warden_schema_release( void );

#endif /* WARDEN_H */
