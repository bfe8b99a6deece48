/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/** @file core.h
 * @brief What the core's own files share: the module, its settings, the
 * orders, SASL, Password Modify, the schema's registration
 *
 * Only overlay/core includes this header; the capabilities see warden.h
 * alone.
 */
#ifndef WARDEN_CORE_H
#define WARDEN_CORE_H

#include "warden.h"

/* --- the settings (config.c) -------------------------------------------- */

/** config.c: the cn=config object class of warden's settings and their
 * table, for the overlay's bi_cf_ocs. */
extern ConfigOCs warden_ocs[];
/** Registers the table and its object class with slapd (once, from
 * init_module). */
int warden_config_register( void );

/** Forgets warden-code-provider (its password wiped). */
void warden_cf_code_provider_free( warden_info *wi );
/** Whether slapd runs as the server (not slapadd, slaptest...): the store,
 * the trail and the tasks are opened only then. */
int warden_server_mode( void );

#define WARDEN_GROUP_DEPTH_DEFAULT	8	/**< warden-group-depth */
#define WARDEN_GROUP_DEPTH_LIMIT	64	/**< its largest value */
#define WARDEN_GROUP_MAX_DEFAULT	256	/**< warden-group-max */
#define WARDEN_GROUP_MAX_LIMIT		65536	/**< its largest value */

/** warden-group-depth or -max changed: forgets decisions made with the
 * old limits (access, roles). */
void warden_groups_changed( warden_info *wi );

/** warden-cache-max-entries: the cap of both bind caches (the subject
 * cache, the access decisions); a lower one evicts at once. */
void warden_cache_max_set( warden_info *wi, size_t max );

/* --- the policy (policy.c) ----------------------------------------------- */

/* policy.c */
int warden_policy_lookup( Operation *op, slap_overinst *on,
	struct berval *ndn, warden_policy *out );
/** The policy that applies to an entry: the one its pwdPolicySubentry
 * names (subentry, may be NULL), else warden-default-policy.
 * @return WARDEN_POLICY_NONE, _FOUND or _MISSING */
int warden_policy_applying( Operation *op, slap_overinst *on,
	struct berval *subentry, warden_policy *out );
void warden_policy_invalidate( warden_info *wi, struct berval *ndn );
/** An add or modify: refuses (sends constraintViolation, naming the
 * attribute and its allowed range) an integer policy setting out of its
 * range (validate.h), also after an increment, and pwdMinLength greater
 * than pwdMaxLength; else SLAP_CB_CONTINUE.  Replicated writes pass. */
int warden_policy_write_check( Operation *op, SlapReply *rs,
	slap_overinst *on );
void warden_policy_cache_init( warden_info *wi );
void warden_policy_cache_destroy( warden_info *wi );

/* --- roles and what no write may carry (roles.c, writes.c) --------------- */

/** The instance's cache of what identities hold (wi_roles). */
void warden_roles_new( warden_info *wi );
void warden_roles_free( warden_info *wi );
/** A group changed: forget what identities hold. */
void warden_roles_changed( warden_info *wi );
/** An add, modify, delete or rename: refuses (sends insufficientAccess)
 * token and recovery code attributes written without the helpdesk role,
 * and, when warden-admin-group is set, policy and system entries written
 * without the admin role. */
int warden_roles_write_check( Operation *op, SlapReply *rs,
	slap_overinst *on );
/** Whether warden-admin-group is set (policy and system entries are then
 * the administrators' alone). */
int warden_role_admin_configured( slap_overinst *on );

/** Whether warden rules an attribute's values: userPassword (and its
 * subtypes), the pwd*, warden* and oath* attributes. */
int warden_ruled_attr( AttributeDescription *ad );
/** An add, modify or rename from a client: refuses (sends
 * constraintViolation, saying what to fix) a ruled attribute in the RDN,
 * attribute options on userPassword, oathSecret or wardenRecoveryCode,
 * and, from anyone but the rootdn, more than one userPassword value.
 * Replication and warden's own writes pass.  @return SLAP_CB_CONTINUE or
 * the result sent */
int warden_writes_check( Operation *op, SlapReply *rs, slap_overinst *on );

/* --- the password policy control (ppolicyctl.c) -------------------------- */

int warden_ppolicy_init( void );

/* --- the account usability control (usability.c) ------------------------- */

/** Registers the control with slapd unless ppolicy.la has (db_init). */
int warden_usability_init( void );
/** Declares it for the database be (a critical request is accepted
 * there); once per instance, undone by warden_usability_close().
 * @return 0, or -1 when the control is not registered */
int warden_usability_open( BackendDB *be, warden_info *wi );
void warden_usability_close( BackendDB *be, warden_info *wi );
/** A search: when it carries the control, each entry returned gets the
 * answer (for identities that may see lockout state). */
void warden_usability_search( Operation *op, slap_overinst *on );

/* --- the bind (subject.c, credential.c, transit.c, sasl.c) --------------- */

/* subject.c */
/** Loads what the check needs about op->o_req_ndn. */
void warden_subject_load( Operation *op, slap_overinst *on,
	warden_subject *ws );
/** Sets ws_uuid and ws_has_uuid from op->o_req_ndn's entryUUID, read
 * from the entry (not the cache); leaves them when it has none. */
void warden_subject_load_uuid( Operation *op, slap_overinst *on,
	warden_subject *ws );

#define WARDEN_CRED_SASL		1	/**< a SASL bind */
#define WARDEN_CRED_OWN_SESSION		2	/**< see ws_own_session */
/** the old password of a change: an expired one is still good for that */
#define WARDEN_CRED_CHANGE		4
/** The check of another operation than a simple bind: of the identity
 * ndn of be (whose warden instance is on) with cred (NULL: proven by the
 * mechanism), as op's client; records the outcome in the audit trail with
 * the mechanism mech.  ws is filled.
 * @return as warden_credential_check() */
int warden_credential_check_as( Operation *op, BackendDB *be,
	slap_overinst *on, struct berval *ndn, struct berval *cred,
	const char *mech, int flags, warden_subject *ws );
/** Sends a refusal of the check: invalidCredentials with ws_text, and the
 * password policy control's accountLocked when the lock is exposed. */
int warden_credential_refuse( Operation *op, SlapReply *rs,
	slap_overinst *on, warden_subject *ws );

/* transit.c: passwords only over protected connections */
/** With warden-require-tls on: refuses (sends confidentialityRequired,
 * writes the audit record) a bind that sends a password on a connection
 * without TLS (StartTLS, ldaps), ldapi or a SASL confidentiality layer,
 * before anything is checked.  Anonymous binds, EXTERNAL and GSSAPI pass.
 * @param mech	NULL for a simple bind; a SASL bind's mechanism name
 * @return SLAP_CB_CONTINUE, or LDAP_CONFIDENTIALITY_REQUIRED (sent) */
int warden_transit_refuse( Operation *op, SlapReply *rs, slap_overinst *on,
	struct berval *mech );

/* sasl.c: SASL binds */
/** Takes over the frontend's bind, so that SASL binds to identities of a
 * warden database pass the credential check; once for all instances. */
int warden_sasl_init( void );
void warden_sasl_release( void );
/** A search slapd makes for SASL's secret lookup: hides the passwords of
 * warden's entries from mechanisms that would verify them outside the
 * credential check.  Returns SLAP_CB_CONTINUE. */
int warden_sasl_search( Operation *op, SlapReply *rs, slap_overinst *on );

/* keys.c: a search that may return sshPublicKey from a system gets the
 * keys only of the users who may log in there (README: SSH public keys);
 * a filter on sshPublicKey matches only the keys served.  Returns
 * SLAP_CB_CONTINUE. */
int warden_keys_search( Operation *op, SlapReply *rs, slap_overinst *on );
/* keys.c: a compare of sshPublicKey (or with an assertion that tests it)
 * on an entry whose keys op's identity is not served is answered as if
 * the entry had none.  Returns SLAP_CB_CONTINUE or the result sent. */
int warden_keys_compare( Operation *op, SlapReply *rs, slap_overinst *on );

/* operations.c */
/** Gives slapd the overlay's operation handlers (bind, writes, reads,
 * extended operations, operational attributes, connection end). */
void warden_operations_install( slap_overinst *on );
/** The warden instance of a database, or NULL. */
slap_overinst *warden_instance( BackendDB *be );

/* pwgen.c: Password Modify without a new password */
/** Takes over slapd's Password Modify handler, so that a request without a
 * new password gets one generated under the user's policy. */
int warden_pwgen_init( void );
/** Gives the handler back to slapd when the last instance goes. */
void warden_pwgen_release( void );

/* --- the schema's registration (schemareg.c, schema.c) ------------------- */

/** warden's own schema (ownschema.c, as schema/warden.schema says). */
extern const warden_schema_def warden_own_ats[];
extern const warden_schema_def warden_own_ocs[];

/** Registers, at module load, every definition warden needs (password
 * policy, OATH-LDAP, warden's own), reusing compatible existing ones.
 * @return 0, or -1 with msg saying which definition conflicts and how */
int warden_schema_register( char *msg, size_t len );

/** The password policy and lockout-state definitions (schema.c), and the
 * OATH-LDAP ones (oathschema.c), for warden_schema_register(). */
int warden_pwd_schema_register( int *registered, char *msg, size_t len );

/** Finds warden.schema's definitions; fails with a message when the
 * administrator has not loaded it. */
int warden_schema_check( char *msg, size_t len );

/** Starts one instance's use of the schema registered at load (patches
 * pwdAttribute's syntax when warden registered it).  Each warden instance
 * calls it once, in db_init, and warden_schema_release() in db_destroy.
 * @return 0, or -1 when the schema was not registered */
int warden_schema_init( void );

/** Ends one instance's use of the schema. */
void warden_schema_release( void );

/* --- deploy.c: checks slapd makes at start, made where slaptest -u sees them */

/** Adds (add=1) or removes an instance from the list of this process. */
void warden_deploy_instance( warden_info *wi, int add );

/** At warden-state-dir: refuses a directory another instance of this
 * process uses, and opens the default banned-password list unless
 * warden-banned-list is set (as db_open would).
 * @return 0, or -1 with msg */
int warden_deploy_state_dir_check( warden_info *wi, const char *dir,
	char *msg, size_t len );

/* --- session.c: connections of identities that may no longer act */

/** Allocates and frees the per-connection table (db_open, db_destroy). */
int warden_sessions_open( warden_info *wi );
void warden_sessions_close( warden_info *wi );
/** A connection ends: forgets its slot. */
void warden_sessions_conn_destroy( warden_info *wi, Connection *c );
/** After a successful write: a delete or rename of an entry, or a lock
 * set on it, flags the connections bound as its DN. */
void warden_sessions_written( Operation *op, slap_overinst *on );
/** Before an operation: refuses (unwillingToPerform, recorded) one from a
 * connection whose identity has since been disabled, locked or deleted.
 * @return SLAP_CB_CONTINUE, or the result sent */
int warden_sessions_check( Operation *op, SlapReply *rs, slap_overinst *on );

#endif /* WARDEN_CORE_H */
