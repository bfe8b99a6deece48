/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* warden.h - what the overlay's files share
 *
 * Only overlay/ files include this; it needs slapd's headers.
 */
#ifndef WARDEN_H
#define WARDEN_H

#include <pthread.h>

#include "portable.h"
#include "slap.h"
#include "slap-config.h"

#include "keyring.h"
#include "store.h"
#include "lockstate.h"
#include "subjcache.h"
#include "quality.h"

/** The settings of one password policy entry that warden uses. */
typedef struct warden_policy {
	warden_lock_policy	wp_lock;
	warden_quality_policy	wp_quality;
	unsigned		wp_check_quality;	/**< pwdCheckQuality */
	int			wp_check_dictionary;	/**< wardenCheckDictionary */
	unsigned		wp_in_history;		/**< pwdInHistory */
	time_t			wp_min_age;		/**< pwdMinAge, seconds */
	int			wp_must_change;		/**< pwdMustChange */
	int			wp_allow_user_change;	/**< pwdAllowUserChange */
	int			wp_safe_modify;		/**< pwdSafeModify */
	int			wp_mfa_required;	/**< wardenMFARequired */
	time_t			wp_mfa_grace;		/**< wardenMFAGracePeriod */
	/** wardenMFAGroup, normalized; in the cache ch_malloc'd, in a
	 * lookup's result a copy in op memory */
	BerVarray		wp_mfa_groups;
	int			wp_mfa_group_n;
	unsigned		wp_src_max_failure;	/**< wardenSourceMaxFailure */
	warden_time		wp_src_interval;	/**< wardenSourceFailureInterval */
} warden_policy;

#define WARDEN_POLICY_CACHE	32	/**< policy entries kept parsed */

typedef struct warden_policy_slot {
	struct berval	ps_ndn;
	int		ps_missing;	/**< no such entry, or not a pwdPolicy */
	warden_policy	ps_policy;
} warden_policy_slot;

typedef struct warden_lockout warden_lockout;
typedef struct warden_banlist warden_banlist;
typedef struct warden_access warden_access;
typedef struct warden_roles warden_roles;

/** One warden instance: the configuration and resources of one
 * "overlay warden" on one database. */
typedef struct warden_info {
	char		*wi_state_dir;		/**< warden-state-dir */
	warden_store	*wi_store;		/**< open while the database is */
	char		*wi_key_file;		/**< warden-key-file */
	warden_keyring	*wi_keys;		/**< loaded from wi_key_file */
	char		*wi_audit_file;		/**< warden-audit-file */
	struct warden_audit *wi_audit;		/**< open while the database is */
	int		wi_audit_durable;	/**< warden-audit-mode durable */
	int		wi_audit_refuse;	/**< warden-audit-overflow refuse */
	int		wi_audit_syslog;	/**< warden-audit-syslog */
	BerVarray	wi_audit_redact;	/**< warden-audit-redact */
	char		*wi_audit_checkpoint;	/**< warden-audit-checkpoint */
	unsigned	wi_audit_agg_interval;	/**< warden-audit-aggregate */
	struct warden_auditagg *wi_audit_agg;	/**< bursts of bind failures */
	struct berval	wi_default_policy;	/**< normalized DN */
	int		wi_open;		/**< between db_open and db_close */
	int		wi_lock_rootdn;		/**< warden-lock-rootdn */
	int		wi_expose_lock;		/**< warden-lockout-expose */

	ldap_pvt_thread_rdwr_t	wi_policy_lock;	/**< guards the cache below */
	int		wi_policy_n;
	unsigned long	wi_policy_gen;		/**< bumped by every invalidation */
	warden_policy_slot wi_policy_cache[WARDEN_POLICY_CACHE];

	warden_lockout	*wi_lockout;		/**< the lockout engine */
	struct warden_totp_reuse *wi_totp_reuse;	/**< codes a password change may reuse */
	warden_subjcache *wi_subjects;		/**< bind targets, by DN */
	warden_access	*wi_access;		/**< the access engine */
	int		wi_access_default;	/**< warden-access-default: 1 allow */
	/** warden-admin-group, -helpdesk-group, -auditor-group (normalized;
	 * empty when not set), in the order of the WARDEN_ROLE_ bits */
	struct berval	wi_role_group[3];
	BerVarray	wi_access_exempt;	/**< warden-access-exempt, normalized */
	/** warden-banned-list: a path, "none", or NULL for the default
	 * list (warden_banlist_default()) */
	char		*wi_banned_file;
	/** the list in use; NULL under "none", or when the default list
	 * could not be opened (password changes then fail) */
	warden_banlist	*wi_banned;
	/** connections that may only change the password, by c_conn_idx */
	ldap_pvt_thread_mutex_t	wi_reset_mutex;
	unsigned char	*wi_reset_flag;
	struct berval	*wi_reset_dn;
	/** the identities connections act as, for ending the sessions of
	 * disabled, locked and deleted users (session.c) */
	struct warden_sessions *wi_sessions;
	struct re_s	*wi_sync_task;		/**< flushes the store every second */
	int		wi_sasl;		/**< holds the frontend's bind (sasl.c) */
	warden_roles	*wi_roles;		/**< roles.c: what identities hold */
	int		wi_group_depth;		/**< warden-group-depth */
	int		wi_group_max;		/**< warden-group-max */
	int		wi_require_tls;		/**< warden-require-tls */
	/** warden-code-reuse-listener: the listeners on which a one-time
	 * code may be reused (totp.c); NULL: any */
	BerVarray	wi_reuse_listeners;
	/** wrong one-time codes (codeguard.h): warden-code-max-failure (0:
	 * off), warden-code-max-delay (seconds) */
	unsigned	wi_code_max_failure;
	unsigned	wi_code_max_delay;
	int		wi_code_fault;		/**< a wrong code could not be recorded */
	unsigned	wi_throttle_ipv6_prefix;	/**< warden-throttle-ipv6-prefix */
} warden_info;

/** What the glue learns once about the target of a simple bind, for the
 * engines to share. */
typedef struct warden_subject {
	int		ws_found;		/**< the entry exists */
	int		ws_has_password;	/**< ... and has a userPassword */
	unsigned char	ws_uuid[WARDEN_UUID_LEN];
	int		ws_has_uuid;
	int		ws_reset;		/**< pwdReset: TRUE */
	int		ws_has_token;		/**< names a one-time code token */
	/** for the audit trail: why a bind was refused, how MFA was done */
	const char	*ws_reason;
	const char	*ws_mfa;
	/** the password's length in the credential, when a code follows
	 * it; 0: the whole credential */
	size_t		ws_password_len;
	int		ws_weak_hash;		/**< a userPassword value to rehash */
	/** the bind reused a one-time code (totp.c): the connection may
	 * only change the password */
	int		ws_code_reused;
	struct berval	ws_ndn;			/**< the entry's DN (the op's target) */
	int		ws_policy_state;	/**< WARDEN_POLICY_* */
	warden_policy	ws_policy;
	/** pwdAccountLockedTime in the entry: 0 none, -1 permanent
	 * ("000001010000Z"), otherwise the time in seconds */
	time_t		ws_entry_locked;
	/** in: the store is known to hold no failure or lock for the user
	 * (the lockout engine may skip reading it); out: set by the engine
	 * when it read such a state */
	int		ws_store_clean;
	/** out: the engine recorded a failure (what is cached is stale) */
	int		ws_store_dirty;
	/** codeguard.c: what its check before the code leaves for the one
	 * after (WARDEN_CG_* flags, the wrong codes counted) */
	struct {
		int		cg_flags;
		uint32_t	cg_nfail;
	} ws_code_guard;
	/** the token's TOTP time step in seconds, once the code was checked
	 * (0: HOTP, or not known): the lockout engine counts a repeated
	 * wrong credential again in the next step, when a code that was
	 * wrong may have become right */
	unsigned	ws_otp_period;
	/** out (totp.c): a code was checked, with this result (0 right,
	 * WARDEN_OTP_MISMATCH wrong, ...) and whether the password was
	 * right; the credential check feeds the wrong-code limit with it */
	int		ws_code_checked;
	int		ws_code_rc;
	int		ws_code_pw_ok;
	uint64_t	ws_cache_gen;		/**< glue: subject cache generation */
	/** in: the mechanism proved the identity (SASL EXTERNAL, GSSAPI):
	 * no password to verify, and no one-time code can come with it */
	int		ws_proven;
	/** in: how the identity is proved, for logs and the audit trail
	 * ("SIMPLE", "PLAIN", "EXTERNAL", "password-modify", ...) */
	const char	*ws_mech;
	/** out: the credential was verified (a refusal before that is no
	 * guess and is not counted) */
	int		ws_verified;
	/** out: refused because the account is locked (the password policy
	 * control may say so) */
	int		ws_locked;
	/** out: a diagnostic message for the client, or NULL */
	const char	*ws_text;
	/** in: a Password Modify on a connection bound as this user: a code
	 * that its bind has used may come with the old password again */
	int		ws_own_session;
	/** lockout: an attempt is claimed (warden_lockout_admit()) until
	 * warden_lockout_settle() */
	int		ws_claimed;
	void		*ws_engine[4];		/**< per-engine scratch */
} warden_subject;

#define WARDEN_POLICY_NONE	0	/**< no policy applies */
#define WARDEN_POLICY_FOUND	1
#define WARDEN_POLICY_MISSING	2	/**< named but absent: fail closed */

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

/** The client's address without its port ("IP=192.0.2.1",
 * "IP=[2001:db8::1]", "PATH=/run/ldapi"), NUL-terminated. */
void warden_client_host( Operation *op, char *buf, size_t len );

/* roles.c: administrative roles */
#define WARDEN_ROLE_ADMIN	1
#define WARDEN_ROLE_HELPDESK	2
#define WARDEN_ROLE_AUDITOR	4
/** The instance's cache of what identities hold (wi_roles). */
void warden_roles_new( warden_info *wi );
void warden_roles_free( warden_info *wi );
/** A group changed: forget what identities hold. */
void warden_roles_changed( warden_info *wi );
/** Whether the operation's identity holds one of the roles in want: the
 * rootdn, a member of the role's group, or (e and ad given) an identity
 * with manage access to ad in e. */
int warden_role_holds( Operation *op, slap_overinst *on, int want, Entry *e,
	AttributeDescription *ad );
/** An add, modify, delete or rename: refuses (sends insufficientAccess)
 * token and recovery code attributes written without the helpdesk role,
 * and, when warden-admin-group is set, policy and system entries written
 * without the admin role. */
int warden_roles_write_check( Operation *op, SlapReply *rs,
	slap_overinst *on );
/** Whether warden-admin-group is set (policy and system entries are then
 * the administrators' alone). */
int warden_role_admin_configured( slap_overinst *on );

/* writes.c: what no write may carry */
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
/** A DN as the audit trail may show it: the values of ruled attributes
 * replaced by "(redacted)".
 * @return 1 and the DN in out (allocated in ctx), or 0: dn shows nothing
 *	(out empty) */
int warden_dn_redact( struct berval *dn, struct berval *out, void *ctx );

/* groups.c */
#define WARDEN_GROUP_DEPTH_DEFAULT	8	/**< warden-group-depth */
#define WARDEN_GROUP_DEPTH_LIMIT	64	/**< its largest value */
#define WARDEN_GROUP_MAX_DEFAULT	256	/**< warden-group-max */
#define WARDEN_GROUP_MAX_LIMIT		65536	/**< its largest value */

/** Whether the user (normalized DN, and uid for posixGroup's memberUid;
 * uid may be NULL) is a member of any of the groups, directly or through
 * nested groups.  The wanted groups are read first, so a direct
 * membership is always found; then the groups naming the user are
 * followed upwards, warden-group-depth levels and warden-group-max
 * groups at most.  Runs as the rootdn, a few internal searches.
 * @param[out] limit_hit	set to 1 when the walk stopped at a limit
 *	before it was complete (logged, naming the user and the limit), else
 *	0.  The result is then 0, and the caller decides which way to fail
 *	closed: a member for a requirement (MFA), not one for a grant
 *	(access, roles).
 * @return 1 when a membership was found, else 0 */
int warden_group_member( Operation *op, slap_overinst *on,
	struct berval *userndn, struct berval *uid, BerVarray groups,
	int ngroups, int *limit_hit );
/** warden-group-depth or -max changed: forgets decisions made with the
 * old limits (access, roles). */
void warden_groups_changed( warden_info *wi );

/* ppolicyctl.c */
#define WARDEN_PP_ACCOUNT_LOCKED	1	/* PasswordPolicyError accountLocked */
int warden_ppolicy_init( void );
int warden_ppolicy_requested( Operation *op );
LDAPControl *warden_ppolicy_response( Operation *op, int error );

/* pwquality.c: the password quality engine */
/** A change of userPassword (add, modify, Password Modify) of the entry e
 * under policy p: sends constraintViolation (or insufficientAccess) and
 * returns it when a new password breaks a rule or may not be changed now,
 * else hashes cleartext values, adds pwdChangedTime, pwdHistory and
 * pwdReset to the change and returns SLAP_CB_CONTINUE.  e may be NULL (an
 * entry being added passes itself). */
int warden_quality_change( Operation *op, SlapReply *rs, slap_overinst *on,
	Entry *e, int policy_state, const warden_policy *p );
/** Whether a modify is the one a Password Modify operation makes. */
int warden_quality_is_exop( Operation *op );
/** The scheme new passwords are hashed with: password-hash (never
 * {CLEARTEXT}), else {ARGON2} when argon2.la is loaded, else {SSHA}. */
const char *warden_password_scheme( void );
/** Hashes a cleartext password in that scheme.  @return 0 or -1 */
int warden_password_hash( struct berval *cred, struct berval *hash,
	const char **text );

/* pwgen.c: Password Modify without a new password */
/** Takes over slapd's Password Modify handler, so that a request without a
 * new password gets one generated under the user's policy. */
int warden_pwgen_init( void );
/** Gives the handler back to slapd when the last instance goes. */
void warden_pwgen_release( void );

/* banlist.c: the banned-password list of warden-banned-list */
/** The value of warden-banned-list that turns every list off. */
#define WARDEN_BANNED_NONE	"none"
/** The default list, used when warden-banned-list is not set: the index
 * `make` builds from a common-password list and `make install` puts in the
 * package data directory (WARDEN_BANNED_DEFAULT, fixed at compile time),
 * or the absolute path in the environment variable WARDEN_BANNED_DEFAULT
 * (for a module run from its build tree). */
const char *warden_banlist_default( void );
/** Opens the index that wardenctl built.  @return 0, or -1 with msg */
int warden_banlist_open( const char *path, warden_banlist **bl,
	char *msg, size_t len );
void warden_banlist_close( warden_banlist *bl );
/** Opens the default list into wi->wi_banned when warden-banned-list is
 * not set and no list is open; does nothing otherwise.
 * @return 0, or -1 with msg (which names the file and says what to do) */
int warden_banlist_open_default( warden_info *wi, char *msg, size_t len );
/** Whether a password change must fail because the list that applies
 * cannot be used: no warden-banned-list and the default list did not
 * open.  Under "none" there is no list to miss. */
int warden_banlist_missing( const warden_info *wi );
/** Whether pw is on the list (after normalisation); 0 when bl is NULL.
 * Maps the file again when wardenctl has rebuilt it. */
int warden_banned_check( warden_banlist *bl, struct berval *pw );

/* pwreset.c: after an administrator's reset, and weak hashes */
int warden_reset_open( warden_info *wi );
void warden_reset_close( warden_info *wi );
/** With the result of a successful simple bind: a user whose password
 * was reset gets changeAfterReset and a connection that may only change
 * the password; a weak stored hash is replaced. */
void warden_password_bind_result( Operation *op, SlapReply *rs,
	slap_overinst *on, warden_subject *ws );
/** Refuses (sends insufficientAccess) what a restricted connection may
 * not do, else returns SLAP_CB_CONTINUE. */
int warden_reset_restrict( Operation *op, SlapReply *rs, slap_overinst *on );
#define WARDEN_RESTRICT_RESET	1	/* pwdReset: until the password changes */
#define WARDEN_RESTRICT_REUSE	2	/* a reused one-time code: for good */
/** Limits a connection bound as ndn to changing the own password. */
void warden_reset_restrict_conn( warden_info *wi, Connection *c,
	struct berval *ndn, int kind );
/** The user changed the password: lifts the connection's restriction. */
void warden_reset_lift( Operation *op, slap_overinst *on );
void warden_reset_conn_destroy( warden_info *wi, Connection *c );

/* totp.c: the one-time code engine */
/** The password and code of a user with a token, or the password of a
 * user the policy requires MFA of (refused without a token, unless in
 * the grace period that the first right password starts): returns
 * LDAP_SUCCESS or invalidCredentials (ws_reason, ws_text set; nothing
 * sent); SLAP_CB_CONTINUE for users without MFA, whose password the
 * caller checks. */
int warden_totp_bind( Operation *op, slap_overinst *on, warden_subject *ws );
/** Whether a one-time code is asked of the user (a token, or required by
 * policy outside the grace period): a mechanism that cannot carry one
 * cannot log them in. */
int warden_mfa_applies( Operation *op, slap_overinst *on, warden_subject *ws );
/** An add or modify: wraps cleartext oathSecret values, or refuses (sends
 * and returns the result) when it cannot; *secret_changed set when a
 * modify touches oathSecret. */
int warden_totp_write( Operation *op, SlapReply *rs, slap_overinst *on,
	int *secret_changed );
/** The token entries a user entry (the op's target) names, other than
 * itself, in op memory; NULL when none. */
BerVarray warden_totp_tokens_of( Operation *op, slap_overinst *on );
/** Deletes them (the user was deleted), as the rootdn. */
void warden_totp_delete_tokens( Operation *op, slap_overinst *on,
	BerVarray tokens );
int warden_totp_open( warden_info *wi );
void warden_totp_close( warden_info *wi );
/** Forgets the code state of a token (purge: of a deleted entry). */
void warden_totp_forget( slap_overinst *on, const unsigned char *uuid,
	int purge );

/* transit.c: passwords only over protected connections */
/** With warden-require-tls on: refuses (sends confidentialityRequired,
 * writes the audit record) a bind that sends a password on a connection
 * without TLS (StartTLS, ldaps), ldapi or a SASL confidentiality layer,
 * before anything is checked.  Anonymous binds, EXTERNAL and GSSAPI pass.
 * @param mech	NULL for a simple bind; a SASL bind's mechanism name
 * @return SLAP_CB_CONTINUE, or LDAP_CONFIDENTIALITY_REQUIRED (sent) */
int warden_transit_refuse( Operation *op, SlapReply *rs, slap_overinst *on,
	struct berval *mech );

/* access.c: the access engine */
int warden_access_new( warden_access **acp );
void warden_access_free( warden_access *ac );
/** Whether the bind's DN may bind from where the connection comes from.
 * @param[out] why	the system matched, or why none */
int warden_access_check( Operation *op, slap_overinst *on, char *why,
	size_t len );
/** Forgets every decision kept (the group limits changed). */
void warden_access_forget( warden_access *ac );
/** A write succeeded: forgets decisions it may change.
 * @return whether it may have changed a group */
int warden_access_written( Operation *op, slap_overinst *on );
/** Refuses (sends constraintViolation) a malformed wardenNetwork or
 * wardenCertSubject in an add or modify. */
int warden_access_validate( Operation *op, SlapReply *rs, slap_overinst *on );

/* audit.c: the audit engine */
/** Refuses (sends unavailable) a change when the trail refuses records,
 * else SLAP_CB_CONTINUE. */
int warden_audit_accepts( Operation *op, SlapReply *rs, slap_overinst *on );
/** Opens the trail at path with the instance's settings (mode, overflow,
 * syslog, the chain's key from the key file).  @return 0 or -1 with msg */
int warden_audit_start( warden_info *wi, const char *path,
	struct warden_audit **out, char *msg, size_t len );
void warden_audit_stop( struct warden_audit *a );
/** Tells the trail a change's record will follow (auditlog.h,
 * warden_audit_announce()); sets *announced.  No trail: nothing. */
void warden_audit_announce_op( slap_overinst *on, int *announced );
/** Ends an announcement that no record followed. */
void warden_audit_withdraw_op( slap_overinst *on, int *announced );
/** A change's intent record, written before the change goes to the
 * database (audit.c's header comment). */
typedef struct warden_audit_mark {
	int		am_written;	/**< the intent is written (or queued) */
	unsigned long long am_seq;	/**< its sequence number (durable), or 0 */
} warden_audit_mark;
/** Writes the intent record of a change warden passes on to the database
 * (durable: waits until it is on disk).  Call it last, when nothing of
 * warden's refuses the change any more.  When the trail cannot take the
 * record, sends unavailable (52) and returns it: the change is not made.
 * @return SLAP_CB_CONTINUE or LDAP_UNAVAILABLE; *m says what was written */
int warden_audit_intent( Operation *op, SlapReply *rs, slap_overinst *on,
	int internal, int pwmod, int *announced, warden_audit_mark *m );
/** The record of a change's result.  After an intent (m->am_written): the
 * result record, queued and kept until written.  Else (refused before the
 * database) the whole record, waited for.  Clears *announced. */
void warden_audit_change( Operation *op, SlapReply *rs, slap_overinst *on,
	int internal, int *announced, const warden_audit_mark *m );
/** The intent record of an extended operation that reaches the database.
 * @return 0, or -1: not written, refuse the operation */
int warden_audit_extended_intent( Operation *op, slap_overinst *on,
	const char *action, int *announced, warden_audit_mark *m );
/** Password Modify's front: lends a mark (cleared) to the modify slapd's
 * handler makes, whose intent record fills it; returned before the front
 * records the result, with the mark in l->al_mark. */
typedef struct warden_audit_lend {
	OpExtra		al_oe;		/* first: found on op->o_extra */
	warden_audit_mark al_mark;
} warden_audit_lend;
void warden_audit_mark_lend( Operation *op, warden_audit_lend *l );
void warden_audit_mark_return( Operation *op, warden_audit_lend *l );
/** The record of an extended operation (*announced as above; may be
 * NULL), the result of its intent when m says one was written. */
void warden_audit_extended( Operation *op, slap_overinst *on,
	const char *action, int rc, const char *text, int *announced,
	const warden_audit_mark *m );
/** warden-audit-aggregate's default and limit, seconds */
#define WARDEN_AUDIT_AGGREGATE_DEFAULT	10
/** The aggregator of repeated bind failures (auditagg.h): made in
 * db_init, freed in db_destroy. */
void warden_audit_init( warden_info *wi );
void warden_audit_destroy( warden_info *wi );
/** Writes the records of bursts whose interval ended (all of them with
 * all set: before the trail closes); called every second. */
void warden_audit_aggregate_tick( warden_info *wi, int all );
/** warden-audit-aggregate changed: running bursts end, counted. */
void warden_audit_aggregate_set( warden_info *wi );
/** The record of a bind outcome (queued, not waited for); a repeated
 * identical failure is counted into its burst's record instead. */
void warden_audit_bind( Operation *op, SlapReply *rs, slap_overinst *on,
	warden_subject *ws );
/** The record of an operation refused because the identity of its
 * connection may no longer act (session.c): rc and why as sent. */
void warden_audit_refusal( Operation *op, slap_overinst *on, int rc,
	const char *why );

/* lockout.c: the lockout engine */
int warden_lockout_new( warden_lockout **lop );
void warden_lockout_free( warden_lockout *lo );
int warden_lockout_open( warden_lockout *lo, char *msg, size_t len );
/** Before the credential is looked at: refuses (returns
 * invalidCredentials, sets ws_reason and ws_locked; sends nothing) a
 * missing policy, an unknown user, a throttled address, a locked account,
 * and an attempt that, with the failures counted and the attempts under
 * way, would pass pwdMaxFailure; otherwise claims the attempt and returns
 * LDAP_SUCCESS.  Every call is followed by warden_lockout_settle(). */
int warden_lockout_admit( Operation *op, slap_overinst *on,
	warden_subject *ws );
/** The outcome of an admitted attempt: counts a verified wrong
 * credential (locking at pwdMaxFailure), clears the failures after a
 * success, and gives the claimed attempt back. */
void warden_lockout_settle( Operation *op, slap_overinst *on,
	warden_subject *ws, int result );
/** Compares cred with a hash made at start: what checking a password
 * costs, for a user who has none. */
void warden_lockout_decoy( slap_overinst *on, struct berval *cred );
/** A modify of this entry: *unlock set when it unlocks (who may is
 * warden_roles_write_check()'s rule); returns SLAP_CB_CONTINUE. */
int warden_lockout_modify( Operation *op, SlapReply *rs, slap_overinst *on,
	int *unlock );
void warden_lockout_unlocked( slap_overinst *on, const unsigned char *uuid );
/** Whether the entry of a loaded subject holds a lock in force (its
 * pwdAccountLockedTime under its policy's pwdLockoutDuration, or the
 * permanent 000001010000Z).  No store read. */
int warden_lockout_entry_locked( warden_subject *ws );
/** pwdAccountLockedTime of an account disabled until an administrator
 * enables it (draft-behera's "locked until reset"). */
#define WARDEN_DISABLED_TIME	"000001010000Z"
/** On a client's modify that disables an account (pwdAccountLockedTime
 * set to WARDEN_DISABLED_TIME), appends wardenDisabledBy (the identity of
 * the change) and wardenDisabledTime; on one that unlocks it, removes
 * them and wardenDisabledReason.  Before the modify reaches the database,
 * so that the change is made, recorded and replicated whole. */
void warden_lockout_disable_stamp( Operation *op );
/** warden-throttle-ipv6-prefix: the prefix length (throttle.h) by which
 * the source-address throttle counts IPv6 clients. */
void warden_lockout_ipv6_prefix( warden_lockout *lo, unsigned bits );
void warden_lockout_deleted( slap_overinst *on, const unsigned char *uuid );
/** Adds the lockout operational attributes to a search result entry. */
int warden_lockout_operational( Operation *op, SlapReply *rs,
	slap_overinst *on );

/* credential.c: the one credential check */
/** Whether the identity op->o_req_ndn may authenticate with
 * op->orb_cred (nothing, when ws->ws_proven) from op's client, now: the
 * policy, the lockout state, the systems' access rules, the password,
 * the one-time code, in that order; counts the outcome.  op is a bind,
 * or a copy of another operation made to look like one (SASL, Password
 * Modify); ws is loaded (warden_subject_load()).  Every refusal takes the
 * time of one password check, whatever its reason.
 * @return LDAP_SUCCESS or LDAP_INVALID_CREDENTIALS (ws_reason, ws_text,
 *	ws_locked say why; nothing is sent) */
int warden_credential_check( Operation *op, slap_overinst *on,
	warden_subject *ws );
#define WARDEN_CRED_SASL		1	/**< a SASL bind */
#define WARDEN_CRED_OWN_SESSION		2	/**< see ws_own_session */
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
/** config.c: the cn=config object class of warden's settings and their
 * table, for the overlay's bi_cf_ocs. */
extern ConfigOCs warden_ocs[];
/** Registers the table and its object class with slapd (once, from
 * init_module). */
int warden_config_register( void );
/** Whether slapd runs as the server (not slapadd, slaptest...): the store,
 * the trail and the tasks are opened only then. */
int warden_server_mode( void );

/** Refuses op with code and text (copied into op memory), sent through
 * the overlays and backend below warden as slapd would, so that every
 * response callback (the audit record) sees it; returns code.  The one way
 * warden refuses a request. */
int warden_refuse( Operation *op, SlapReply *rs, slap_overinst *on, int code,
	const char *text );

/** Whether pw is the password of entry e (1) or not (0); -1 when e holds
 * none.  The only place where warden compares a credential with a stored
 * password. */
int warden_password_check( Operation *op, Entry *e, struct berval *pw );

int warden_credential_refuse( Operation *op, SlapReply *rs,
	slap_overinst *on, warden_subject *ws );
/* subject.c */
/** Loads what the check needs about op->o_req_ndn. */
void warden_subject_load( Operation *op, slap_overinst *on,
	warden_subject *ws );
/** Sets ws_uuid and ws_has_uuid from op->o_req_ndn's entryUUID, read
 * from the entry (not the cache); leaves them when it has none. */
void warden_subject_load_uuid( Operation *op, slap_overinst *on,
	warden_subject *ws );

/* operations.c */
/** Gives slapd the overlay's operation handlers (bind, writes, reads,
 * extended operations, operational attributes, connection end). */
void warden_operations_install( slap_overinst *on );
/** The warden instance of a database, or NULL. */
slap_overinst *warden_instance( BackendDB *be );

/* sasl.c: SASL binds */
/** Takes over the frontend's bind, so that SASL binds to identities of a
 * warden database pass the credential check; once for all instances. */
int warden_sasl_init( void );
void warden_sasl_release( void );
/** A search slapd makes for SASL's secret lookup: hides the passwords of
 * warden's entries from mechanisms that would verify them outside the
 * credential check.  Returns SLAP_CB_CONTINUE. */
int warden_sasl_search( Operation *op, SlapReply *rs, slap_overinst *on );

/* Internal operations warden issues carry this callback private data, so
 * that warden's own hooks let them through. */
extern char warden_internal_marker;

/** Searches the whole database as the rootdn, through the whole overlay
 * stack, with the filter f; entries go to cb. */
void warden_internal_search( Operation *op, slap_overinst *on, Filter *f,
	AttributeName *attrs, slap_callback *cb );

/** Modifies (mods) or deletes (mods NULL) the entry ndn as the rootdn,
 * through the whole overlay stack, as one of warden's own operations.
 * @return the result code */
int warden_internal_write( Operation *op, slap_overinst *on,
	struct berval *ndn, Modifications *mods );

/** The entry ndn as the database below warden has it (not through the
 * overlays above), read-only, or NULL; give it back with
 * warden_entry_release() (NULL is ignored) before the operation ends and
 * before any internal search or write. */
Entry *warden_entry_get( Operation *op, slap_overinst *on,
	struct berval *ndn );
void warden_entry_release( Operation *op, slap_overinst *on, Entry *e );

/** Whether an operation is one of warden's own (its callbacks carry
 * warden_internal_marker). */
int warden_is_internal( Operation *op );

/** Whether op is a change that replication applies: syncrepl's own write
 * on a consumer or on another provider (slapd gives those connection ids
 * below 1000, and only on a database with syncrepl), or an updatedn's.
 * Such a change reaches the database exactly as its provider sent it:
 * no rule, no hashing, no wrapping, no stamp (each server would otherwise
 * make its entry differ, or refuse what the provider committed and have
 * syncrepl retry it forever); it is recorded, marked as replicated. */
int warden_is_replicated( Operation *op );

/** The replication id (rid) a replicated change came by, or 0 for an
 * updatedn's. */
int warden_replication_rid( Operation *op );

/** The response handler of warden's internal operations.  Not
 * slap_null_cb: ppolicy.la and warden take slap_null_cb with private data
 * for the Password Modify operation's request. */
int warden_internal_cb( Operation *op, SlapReply *rs );


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

/** warden's schema from warden.schema (user data) */
typedef struct warden_own_schema {
	AttributeDescription	*ad_lockoutBackoff;
	AttributeDescription	*ad_lockoutMaxDuration;
	AttributeDescription	*ad_lockoutBackoffReset;
	AttributeDescription	*ad_sourceMaxFailure;
	AttributeDescription	*ad_sourceFailureInterval;
	AttributeDescription	*ad_minClasses;
	AttributeDescription	*ad_minLower;
	AttributeDescription	*ad_minUpper;
	AttributeDescription	*ad_minDigit;
	AttributeDescription	*ad_minOther;
	AttributeDescription	*ad_maxRepeat;
	AttributeDescription	*ad_maxSequence;
	AttributeDescription	*ad_checkDictionary;
	AttributeDescription	*ad_mfaRequired;
	AttributeDescription	*ad_mfaGroup;
	AttributeDescription	*ad_mfaGrace;
	AttributeDescription	*ad_recoveryCode;
	AttributeDescription	*ad_allowedGroup;
	AttributeDescription	*ad_network;
	AttributeDescription	*ad_certSubject;
	AttributeDescription	*ad_disabledReason;
	AttributeDescription	*ad_disabledBy;
	AttributeDescription	*ad_disabledTime;
	AttributeDescription	*ad_member;		/* core.schema */
	AttributeDescription	*ad_uniqueMember;	/* core.schema */
	AttributeDescription	*ad_memberUid;		/* nis.schema, or NULL */
	ObjectClass		*oc_wardenPolicy;
	ObjectClass		*oc_wardenSystem;
	ObjectClass		*oc_wardenSystemGroup;
	/* operational, registered by warden */
	AttributeDescription	*ad_failureCount;
	AttributeDescription	*ad_failureTime;
	AttributeDescription	*ad_lockedUntil;
	AttributeDescription	*ad_lastSuccess;
	AttributeDescription	*ad_lockCount;
} warden_own_schema;

extern warden_own_schema warden_ad;

/** The OATH-LDAP schema (otp.la's data model) warden uses. */
typedef struct warden_oath_schema {
	AttributeDescription	*ad_secret;
	AttributeDescription	*ad_otpLength;
	AttributeDescription	*ad_hmacAlgorithm;
	AttributeDescription	*ad_totpPeriod;
	AttributeDescription	*ad_totpWindow;
	AttributeDescription	*ad_totpDrift;
	AttributeDescription	*ad_totpLastStep;
	AttributeDescription	*ad_totpParams;
	AttributeDescription	*ad_totpToken;
	AttributeDescription	*ad_hotpParams;
	AttributeDescription	*ad_hotpToken;
	AttributeDescription	*ad_hotpCounter;
	AttributeDescription	*ad_hotpLookAhead;
	ObjectClass		*oc_totpUser;
	ObjectClass		*oc_hotpUser;
	ObjectClass		*oc_totpToken;
	ObjectClass		*oc_hotpToken;
	ObjectClass		*oc_totpParams;
	ObjectClass		*oc_hotpParams;
} warden_oath_schema;

extern warden_oath_schema warden_oath;

/** One schema definition of warden's tables: its NAME and the
 * RFC 4512 description. */
typedef struct warden_schema_def {
	const char	*name;
	const char	*def;
} warden_schema_def;

/** warden's own schema (ownschema.c, as schema/warden.schema says). */
extern const warden_schema_def warden_own_ats[];
extern const warden_schema_def warden_own_ocs[];

/** Registers, at module load, every definition warden needs (password
 * policy, OATH-LDAP, warden's own), reusing compatible existing ones.
 * @return 0, or -1 with msg saying which definition conflicts and how */
int warden_schema_register( char *msg, size_t len );

/** Registers one attribute type, or finds a compatible existing one
 * (counted in *registered only when new).
 * @param adp	receives its description; may be NULL
 * @return 0, or -1 with msg naming the attribute and the difference */
int warden_schema_define_at( const char *def, AttributeDescription **adp,
	int *registered, char *msg, size_t len );

/** The same for an object class. */
int warden_schema_define_oc( const char *def, ObjectClass **ocp,
	int *registered, char *msg, size_t len );

/** The password policy and lockout-state definitions (schema.c), and the
 * OATH-LDAP ones (oathschema.c), for warden_schema_register(). */
int warden_pwd_schema_register( int *registered, char *msg, size_t len );
int warden_oath_schema_register( int *registered, char *msg, size_t len );

/** Fills warden_oath from the registered OATH-LDAP schema; once.
 * @return 0, or an LDAP schema error code after logging why */
int warden_oath_schema_init( void );

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

/** Allocates and frees the per-connection table (db_open, db_close). */
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

#endif /* WARDEN_H */
