/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/** @file warden.h
 * @brief The core contract: what every capability may use
 *
 * warden is one overlay made of capabilities (overlay/lockout, password,
 * mfa, access, audit), each with one header as its contract, and a core
 * (overlay/core) that calls them in the bind order (credential.c) and the
 * write order (operations.c).  A capability includes this header, lib and
 * backend headers, and its own folder's; never another capability's, nor
 * core.h.  This header includes slapd's and no capability's
 * (tests/layout.sh checks all of that).
 *
 * What it holds: an instance (warden_info) and the subject of a bind
 * (warden_subject); the policy that applies; warden's own searches and
 * writes, and reads of an entry below warden; the one way to refuse a
 * request; the one credential comparison; the client's address; group
 * membership and roles; the password policy control; the schema.
 *
 * Memory: operation data in op->o_tmpmemctx, instance data with ch_*,
 * lib and backend with plain malloc (ARCHITECTURE.md).  Locks: nothing
 * here is called with a warden lock held that an internal operation could
 * want again; see each function.
 */
#ifndef WARDEN_H
#define WARDEN_H

#include "portable.h"
#include "slap.h"
#include "slap-config.h"

#include "keyring.h"
#include "store.h"
#include "lockstate.h"
#include "subjcache.h"
#include "quality.h"
#include "expiry.h"
#include "sshkey.h"

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
	/** pwdMaxAge, pwdExpireWarning, pwdGraceAuthNLimit, pwdGraceExpiry */
	warden_expiry_policy	wp_expiry;
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
typedef struct warden_ssh_writes warden_ssh_writes;

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
	ldap_pvt_thread_mutex_t	wi_audit_agg_mutex;	/**< guards wi_audit_agg */
	struct berval	wi_default_policy;	/**< normalized DN */
	int		wi_open;		/**< between db_open and db_close */
	int		wi_lock_rootdn;		/**< warden-lock-rootdn */
	int		wi_expose_lock;		/**< warden-lockout-expose */
	int		wi_send_netscape;	/**< warden-send-netscape-controls */
	/** the account usability control is registered for this database
	 * (overlay_register_control(), usability.c) */
	int		wi_usability_registered;

	ldap_pvt_thread_rdwr_t	wi_policy_lock;	/**< guards the cache below */
	int		wi_policy_n;
	unsigned long	wi_policy_gen;		/**< bumped by every invalidation */
	warden_policy_slot wi_policy_cache[WARDEN_POLICY_CACHE];

	warden_lockout	*wi_lockout;		/**< the lockout engine */
	struct warden_totp_reuse *wi_totp_reuse;	/**< codes a password change may reuse */
	warden_subjcache *wi_subjects;		/**< bind targets, by DN */
	/** the bind caches start with room for this many users and grow
	 * with the distinct users that bind, up to wi_cache_max
	 * (warden-cache-max-entries) each */
#define WARDEN_CACHE_INITIAL		4096
#define WARDEN_CACHE_MAX_DEFAULT	2097152	/* 2^21: 1,000,000+ users */
#define WARDEN_CACHE_MAX_FLOOR		64	/* one per stripe */
#define WARDEN_CACHE_MAX_LIMIT		1073741824U	/* 2^30 */
	size_t		wi_cache_max;
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
	/** a user's grace logins are counted and recorded under one of
	 * these (expiry.c), so that simultaneous binds never pass
	 * pwdGraceAuthNLimit */
#define WARDEN_GRACE_STRIPES	16
	ldap_pvt_thread_mutex_t	wi_grace_mutex[WARDEN_GRACE_STRIPES];
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
	/** wrong one-time codes (lockout.h): warden-code-max-failure (0:
	 * off), warden-code-max-delay (seconds) */
	unsigned	wi_code_max_failure;
	unsigned	wi_code_max_delay;
	int		wi_code_fault;		/**< a wrong code could not be recorded */
	unsigned	wi_throttle_ipv6_prefix;	/**< warden-throttle-ipv6-prefix */
	int		wi_forward_updates;	/**< warden-forward-updates (forward.c) */
	unsigned	wi_lastbind_precision;	/**< warden-lastbind-precision, seconds; 0 off */
#define WARDEN_LASTBIND_PRECISION_DEFAULT	86400	/* a day */
	/** until when a consumer's forwards fail at once: its provider could
	 * not be reached (forward.c; atomic) */
	time_t		wi_forward_pause;
	/** warden-code-provider: the provider that decides one-time code
	 * steps for this one (several providers, exact replay protection),
	 * the DN it is bound as and that DN's password (forward.c) */
	char		*wi_code_provider;
	char		*wi_code_provider_dn;
	char		*wi_code_provider_pwfile;
	struct berval	wi_code_provider_pw;
	time_t		wi_code_provider_pause;	/**< as wi_forward_pause */
	unsigned	wi_ssh_min_rsa_bits;	/**< warden-ssh-min-rsa-bits */
	warden_ssh_writes *wi_ssh_writes;	/**< SSH keys being written (ssh.c) */
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
	/** pwdLastSuccess in the entry (seconds; 0 none), and the latest of
	 * it, pwdChangedTime and createTimestamp (pwdMaxIdle) */
	time_t		ws_last_success;
	time_t		ws_last_active;
	/** in: the store is known to hold no failure or lock for the user
	 * (the lockout engine may skip reading it); out: set by the engine
	 * when it read such a state */
	int		ws_store_clean;
	int		ws_cached_clean;	/**< ... and the subject cache said so */
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
	/** out: what a bind whose password was right owes to expiry
	 * (expiry.h's state), and its value: seconds to expiry, or grace
	 * logins left */
	int		ws_expiry;
	long long	ws_expiry_value;
	/** in: the credential is the old password of a change (Password
	 * Modify): expiry does not apply, and no grace login is used */
	int		ws_changing;
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

/* --- warden's own operations (internal.c) ----------------------------- */

/** Searches the whole database as the rootdn, through the whole overlay
 * stack, with the filter f; entries go to cb. */
void warden_internal_search( Operation *op, slap_overinst *on, Filter *f,
	AttributeName *attrs, slap_callback *cb );

/** Modifies (mods) or deletes (mods NULL) the entry ndn as the rootdn,
 * through the whole overlay stack, as one of warden's own operations.
 * @return the result code */
int warden_internal_write( Operation *op, slap_overinst *on,
	struct berval *ndn, Modifications *mods );

/** Adds the entry e (e_name, e_nname and its attributes set; consumed,
 * whatever the result) as the rootdn, as warden_internal_write().
 * @return the result code */
int warden_internal_add( Operation *op, slap_overinst *on, Entry *e );

/** Appends to the modify under way (op->orm_modlist) the modification
 * mop (LDAP_MOD_REPLACE, SLAP_MOD_SOFTADD, SLAP_MOD_SOFTDEL, ...) of ad
 * with the n values vals (n 0: none, all values for a delete).  Marked
 * SLAP_MOD_INTERNAL: it is past the checks the client's own passed.
 * Normalized values: copies of nvals when given; else copies of vals
 * when ad's equality rule has a normalizer, none otherwise (slapd's
 * attr_merge() wants none then).  Everything is copied with ch_*: the
 * frontend frees the whole list (passwd.c too, for Password Modify). */
void warden_mod_append( Operation *op, int mop, AttributeDescription *ad,
	const struct berval *vals, const struct berval *nvals, unsigned n );

/** A GeneralizedTime value (pwdLastSuccess, pwdChangedTime...) as seconds
 * since the epoch; 0 when it does not parse. */
time_t warden_parse_time( struct berval *bv );

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

/** The client's address without its port ("IP=192.0.2.1",
 * "IP=[2001:db8::1]", "PATH=/run/ldapi"), NUL-terminated. */
void warden_client_host( Operation *op, char *buf, size_t len );

/* --- refusing, and the credential (internal.c, credential.c) ---------- */

/** Makes the sessions bound as ndn (NULL: every session) confirm at their
 * next operation that their identity may still act (session.c): for a
 * lock an engine keeps outside the entry (several providers), where no
 * write of the entry flags them.  Takes no lock. */
void warden_sessions_end( slap_overinst *on, struct berval *ndn );

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

/* --- policy, groups, roles, the control (policy.c, groups.c, roles.c,
 * ppolicyctl.c, writes.c) ----------------------------------------------- */

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

#define WARDEN_ROLE_ADMIN	1
#define WARDEN_ROLE_HELPDESK	2
#define WARDEN_ROLE_AUDITOR	4
/** Whether the operation's identity holds one of the roles in want: the
 * rootdn, a member of the role's group, or (e and ad given) an identity
 * with manage access to ad in e. */
int warden_role_holds( Operation *op, slap_overinst *on, int want, Entry *e,
	AttributeDescription *ad );

#define WARDEN_PP_ACCOUNT_LOCKED	1	/* PasswordPolicyError accountLocked */
/** Whether the request carries the password policy control. */
int warden_ppolicy_requested( Operation *op );
/** The password policy response control with error (a
 * PasswordPolicyError, or -1 for none), in op memory; NULL when it cannot
 * be made. */
LDAPControl *warden_ppolicy_response( Operation *op, int error );
/** The same with a warning: warning 0 timeBeforeExpiration, 1
 * graceAuthNsRemaining (value: seconds, or binds), -1 none; error -1:
 * none.  In op memory; NULL when it cannot be encoded. */
LDAPControl *warden_ppolicy_response_warn( Operation *op, int warning,
	long value, int error );
/** draft-behera's passwordExpired error */
#define WARDEN_PP_PASSWORD_EXPIRED	0
/** The obsolete Netscape control passwordExpired
 * (2.16.840.1.113730.3.4.4, value "0") when expired, else
 * passwordExpiring (2.16.840.1.113730.3.4.5, value: the seconds before
 * expiry as a decimal string), as ppolicy.la sends them; in op memory.
 * Sent only under warden-send-netscape-controls (wi_send_netscape). */
LDAPControl *warden_netscape_response( Operation *op, int expired,
	long seconds );

/** A DN as the audit trail may show it: the values of ruled attributes
 * replaced by "(redacted)".
 * @return 1 and the DN in out (allocated in ctx), or 0: dn shows nothing
 *	(out empty) */
int warden_dn_redact( struct berval *dn, struct berval *out, void *ctx );

/* --- the schema (schema.c, ownschema.c, oathschema.c) -------------------- */

/** The draft-behera password policy attributes warden uses, whether
 * registered by warden or by ppolicy.la. */
typedef struct warden_pwd_schema {
	AttributeDescription	*ad_pwdAttribute;
	AttributeDescription	*ad_pwdAccountLockedTime;
	AttributeDescription	*ad_pwdFailureTime;
	AttributeDescription	*ad_pwdChangedTime;
	AttributeDescription	*ad_pwdGraceUseTime;
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

/** Registers one attribute type, or finds a compatible existing one
 * (counted in *registered only when new).
 * @param adp	receives its description; may be NULL
 * @return 0, or -1 with msg naming the attribute and the difference */
int warden_schema_define_at( const char *def, AttributeDescription **adp,
	int *registered, char *msg, size_t len );

/** The same for an object class. */
int warden_schema_define_oc( const char *def, ObjectClass **ocp,
	int *registered, char *msg, size_t len );

/* --- forward.c: where warden's own state writes go */

/** Whether op's database is a read-only consumer (syncrepl without
 * multiprovider), whose replica warden never writes. */
int warden_is_consumer( Operation *op );

/** Whether a state write into the entry ndn reaches other servers: op's
 * database is a consumer (read-only or several providers), the entry's
 * database replicates (syncprov on it, or glued under one that may), or
 * warden-code-provider is set.  When it does not, nothing but this server
 * reads a one-time code step written into the entry, and totp.c keeps the
 * step in warden's store alone. */
int warden_state_replicates( Operation *op, slap_overinst *on,
	struct berval *ndn );

/** Whether a successful warden_state_write() of the one-time code step
 * into ndn is on disk, somewhere the replay check reads, when it returns:
 * on a consumer that forwards, or with warden-code-provider, the provider
 * took it (its own durability); on a server that writes it itself, the
 * entry's database is back-mdb committing with a flush (no dbnosync, no
 * nometasync or mapasync).  Otherwise (another backend, a database
 * written without flushes, a consumer that does not forward) no. */
int warden_state_durable( Operation *op, slap_overinst *on,
	struct berval *ndn );

/** Writes warden's state (mods) into the entry ndn, or deletes it (mods
 * NULL).  Where the database takes writes: warden_internal_write().  On a
 * read-only consumer nothing is written into the replica: the lock and the
 * used one-time code step are forwarded to the provider (through
 * updateref and the chain overlay; a step only above the provider's
 * value, the assertion control), the rest is left to the provider; with
 * warden-forward-updates off nothing is forwarded either.
 * @return the result code: LDAP_SUCCESS when the state is where it must
 * be (on a consumer: the provider took what had to be forwarded) */
int warden_state_write( Operation *op, slap_overinst *on,
	struct berval *ndn, Modifications *mods );

#endif /* WARDEN_H */
