/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* config.c - warden's settings: slapd.conf directives and cn=config
 *
 * One table names every warden-* directive and its olcWarden* attribute;
 * warden_cf_gen() checks a value when it is set (in slapd.conf, slapd.d or
 * live) and refuses it with a message that says what to fix, applies it to
 * the instance, emits it for cn=config and undoes it on delete.
 */

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "warden.h"
#include "core.h"
#include "lockout.h"
#include "password.h"
#include "audit.h"
#include "dictionary.h"
#include "validate.h"
#include "transitrule.h"
#include "codestate.h"
#include "throttle.h"

/* warden's OID arc: a UUID under 2.25 (RFC 4122 / X.667).
 *	.1.1	cn=config attributes	.1.2	cn=config object classes
 *	.2	directory attributes	.3	directory object classes
 *	.4	controls and extended operations */
#define WARDEN_ARC	"2.25.179947727423328666749588697632006727387"
#define WARDEN_CFG_AT	WARDEN_ARC ".1.1."
#define WARDEN_CFG_OC	WARDEN_ARC ".1.2."

#define SYN_DIRSTRING	"1.3.6.1.4.1.1466.115.121.1.15"
#define SYN_DN		"1.3.6.1.4.1.1466.115.121.1.12"
#define SYN_BOOLEAN	"1.3.6.1.4.1.1466.115.121.1.7"
#define SYN_INTEGER	"1.3.6.1.4.1.1466.115.121.1.27"

enum {
	WARDEN_STATE_DIR = 1,
	WARDEN_KEY_FILE,
	WARDEN_AUDIT_FILE,
	WARDEN_DEFAULT_POLICY,
	WARDEN_BANNED_LIST,
	WARDEN_ACCESS_DEFAULT,
	WARDEN_ACCESS_EXEMPT,
	WARDEN_ADMIN_GROUP,	/* the three in the order of wi_role_group */
	WARDEN_HELPDESK_GROUP,
	WARDEN_AUDITOR_GROUP,
	WARDEN_AUDIT_MODE,
	WARDEN_AUDIT_OVERFLOW,
	WARDEN_AUDIT_SYSLOG,
	WARDEN_AUDIT_REDACT,
	WARDEN_GROUP_DEPTH,
	WARDEN_GROUP_MAX,
	WARDEN_REUSE_LISTENER,
	WARDEN_CODE_MAX_FAILURE,
	WARDEN_CODE_MAX_DELAY,
	WARDEN_THROTTLE_IPV6_PREFIX,
	WARDEN_AUDIT_CHECKPOINT,
	WARDEN_AUDIT_AGGREGATE,
	WARDEN_LASTBIND_PRECISION,
	WARDEN_CODE_PROVIDER,
	WARDEN_SSH_MIN_RSA_BITS,
	WARDEN_CACHE_MAX_ENTRIES
};

/* Limits of the numeric settings, named in the messages that refuse a
 * value outside them. */
#define WARDEN_CODE_MAX_FAILURE_LIMIT	1000
#define WARDEN_CODE_MAX_DELAY_LIMIT	86400	/* a day */
#define WARDEN_AUDIT_AGGREGATE_LIMIT	3600	/* an hour */
#define WARDEN_LASTBIND_PRECISION_LIMIT	31536000	/* a year */
/* RSA keys: under 2048 bits is no setting warden offers (NIST SP 800-131A
 * has disallowed them since 2013); over OpenSSH's own ceiling no key could
 * be written at all */
#define WARDEN_SSH_MIN_RSA_FLOOR	2048

static ConfigDriver warden_cf_gen;

#define WARDEN_CF_ENTRY( kw, args, type, oid, at, desc, syntax, eq ) \
	{ .name = kw, .what = args, .min_args = 2, .max_args = 2, \
	  .arg_type = type|ARG_MAGIC, .arg_item = warden_cf_gen, \
	  .attribute = "( " WARDEN_CFG_AT oid " NAME '" at "' " \
		"DESC '" desc "' EQUALITY " eq " SYNTAX " syntax " SINGLE-VALUE )" }

static ConfigTable warden_cfg[] = {
	/* First: cn=config applies an entry's values in this order, and
	 * warden-state-dir opens the default list unless this is set. */
	WARDEN_CF_ENTRY( "warden-banned-list", "file",
		ARG_STRING|WARDEN_BANNED_LIST, "7", "olcWardenBannedList",
		"Index of banned passwords that wardenctl banned build wrote",
		SYN_DIRSTRING, "caseExactMatch" ),
	WARDEN_CF_ENTRY( "warden-state-dir", "directory",
		ARG_STRING|WARDEN_STATE_DIR, "1", "olcWardenStateDir",
		"Directory of the warden state store (LMDB)",
		SYN_DIRSTRING, "caseExactMatch" ),
	WARDEN_CF_ENTRY( "warden-key-file", "file",
		ARG_STRING|WARDEN_KEY_FILE, "2", "olcWardenKeyFile",
		"File of secret keys that wrap secrets at rest",
		SYN_DIRSTRING, "caseExactMatch" ),
	WARDEN_CF_ENTRY( "warden-audit-file", "file",
		ARG_STRING|WARDEN_AUDIT_FILE, "3", "olcWardenAuditFile",
		"File that receives the audit trail",
		SYN_DIRSTRING, "caseExactMatch" ),
	WARDEN_CF_ENTRY( "warden-default-policy", "policyDN",
		ARG_STRING|ARG_QUOTE|WARDEN_DEFAULT_POLICY, "4", "olcWardenDefaultPolicy",
		"DN of the password policy entry for users without one",
		SYN_DN, "distinguishedNameMatch" ),
	{ .name = "warden-lock-rootdn", .what = "on|off", .min_args = 2,
	  .max_args = 2, .arg_type = ARG_ON_OFF|ARG_OFFSET,
	  .arg_item = (void *)offsetof( warden_info, wi_lock_rootdn ),
	  .attribute = "( " WARDEN_CFG_AT "5 NAME 'olcWardenLockRootDN' "
		"DESC 'Apply lockout to the rootdn when it has an entry' "
		"EQUALITY booleanMatch SYNTAX " SYN_BOOLEAN " SINGLE-VALUE )" },
	{ .name = "warden-lockout-expose", .what = "on|off", .min_args = 2,
	  .max_args = 2, .arg_type = ARG_ON_OFF|ARG_OFFSET,
	  .arg_item = (void *)offsetof( warden_info, wi_expose_lock ),
	  .attribute = "( " WARDEN_CFG_AT "6 NAME 'olcWardenLockoutExpose' "
		"DESC 'Say accountLocked in the password policy response control' "
		"EQUALITY booleanMatch SYNTAX " SYN_BOOLEAN " SINGLE-VALUE )" },
	WARDEN_CF_ENTRY( "warden-access-default", "allow|deny",
		ARG_STRING|WARDEN_ACCESS_DEFAULT, "8", "olcWardenAccessDefault",
		"Whether a bind from no known system is allowed or denied",
		SYN_DIRSTRING, "caseIgnoreMatch" ),
	{ .name = "warden-access-exempt", .what = "DN", .min_args = 2,
	  .max_args = 2, .arg_type = ARG_STRING|ARG_QUOTE|ARG_MAGIC|WARDEN_ACCESS_EXEMPT,
	  .arg_item = warden_cf_gen,
	  .attribute = "( " WARDEN_CFG_AT "9 NAME 'olcWardenAccessExempt' "
		"DESC 'An identity (a service account) that the access check "
		"never refuses' EQUALITY distinguishedNameMatch "
		"SYNTAX " SYN_DN " )" },
	WARDEN_CF_ENTRY( "warden-admin-group", "groupDN",
		ARG_STRING|ARG_QUOTE|WARDEN_ADMIN_GROUP, "10", "olcWardenAdminGroup",
		"Members administer warden: policies, systems, and all of the helpdesk",
		SYN_DN, "distinguishedNameMatch" ),
	WARDEN_CF_ENTRY( "warden-helpdesk-group", "groupDN",
		ARG_STRING|ARG_QUOTE|WARDEN_HELPDESK_GROUP, "11", "olcWardenHelpdeskGroup",
		"Members unlock accounts and enrol or reset tokens",
		SYN_DN, "distinguishedNameMatch" ),
	WARDEN_CF_ENTRY( "warden-auditor-group", "groupDN",
		ARG_STRING|ARG_QUOTE|WARDEN_AUDITOR_GROUP, "12", "olcWardenAuditorGroup",
		"Members read the state warden keeps",
		SYN_DN, "distinguishedNameMatch" ),
	WARDEN_CF_ENTRY( "warden-audit-mode", "durable|async",
		ARG_STRING|WARDEN_AUDIT_MODE, "13", "olcWardenAuditMode",
		"durable: the record of a change is on disk before its result is sent; "
		"async: records are written in the background",
		SYN_DIRSTRING, "caseIgnoreMatch" ),
	WARDEN_CF_ENTRY( "warden-audit-overflow", "block|refuse",
		ARG_STRING|WARDEN_AUDIT_OVERFLOW, "14", "olcWardenAuditOverflow",
		"When the audit file cannot keep up or be written: changes wait "
		"(block) or are refused (refuse)",
		SYN_DIRSTRING, "caseIgnoreMatch" ),
	WARDEN_CF_ENTRY( "warden-audit-syslog", "on|off",
		ARG_STRING|WARDEN_AUDIT_SYSLOG, "15", "olcWardenAuditSyslog",
		"Copy audit records to syslog (LOG_AUTHPRIV)",
		SYN_DIRSTRING, "caseIgnoreMatch" ),
	{ .name = "warden-audit-redact", .what = "attribute", .min_args = 2,
	  .max_args = 2, .arg_type = ARG_STRING|ARG_MAGIC|WARDEN_AUDIT_REDACT,
	  .arg_item = warden_cf_gen,
	  .attribute = "( " WARDEN_CFG_AT "16 NAME 'olcWardenAuditRedact' "
		"DESC 'An attribute whose values the audit trail never holds "
		"(userPassword, oathSecret and recovery codes always are)' "
		"EQUALITY caseIgnoreMatch SYNTAX " SYN_DIRSTRING " )" },
	{ .name = "warden-group-depth", .what = "levels", .min_args = 2,
	  .max_args = 2, .arg_type = ARG_INT|ARG_MAGIC|WARDEN_GROUP_DEPTH,
	  .arg_item = warden_cf_gen,
	  .attribute = "( " WARDEN_CFG_AT "17 NAME 'olcWardenGroupDepth' "
		"DESC 'Levels of nested groups followed to find a membership; "
		"a walk that stops there fails closed' "
		"EQUALITY integerMatch SYNTAX " SYN_INTEGER " SINGLE-VALUE )" },
	{ .name = "warden-group-max", .what = "groups", .min_args = 2,
	  .max_args = 2, .arg_type = ARG_INT|ARG_MAGIC|WARDEN_GROUP_MAX,
	  .arg_item = warden_cf_gen,
	  .attribute = "( " WARDEN_CFG_AT "18 NAME 'olcWardenGroupMax' "
		"DESC 'Groups visited to find a membership; a walk that stops "
		"there fails closed' "
		"EQUALITY integerMatch SYNTAX " SYN_INTEGER " SINGLE-VALUE )" },
	{ .name = "warden-require-tls", .what = "on|off", .min_args = 2,
	  .max_args = 2, .arg_type = ARG_ON_OFF|ARG_OFFSET,
	  .arg_item = (void *)offsetof( warden_info, wi_require_tls ),
	  .attribute = "( " WARDEN_CFG_AT "19 NAME 'olcWardenRequireTLS' "
		"DESC 'Refuse binds with a password over connections without "
		"TLS or ldapi' "
		"EQUALITY booleanMatch SYNTAX " SYN_BOOLEAN " SINGLE-VALUE )" },
	{ .name = "warden-code-reuse-listener", .what = "URL", .min_args = 2,
	  .max_args = 2, .arg_type = ARG_STRING|ARG_MAGIC|WARDEN_REUSE_LISTENER,
	  .arg_item = warden_cf_gen,
	  .attribute = "( " WARDEN_CFG_AT "20 NAME 'olcWardenCodeReuseListener' "
		"DESC 'A listener URL (as given to slapd -h) on which a password "
		"change may reuse a one-time code; none: any' "
		"EQUALITY caseIgnoreMatch SYNTAX " SYN_DIRSTRING " )" },
	WARDEN_CF_ENTRY( "warden-code-max-failure", "count",
		ARG_UINT|WARDEN_CODE_MAX_FAILURE, "21", "olcWardenCodeMaxFailure",
		"Wrong one-time codes of an account after which its further "
		"attempts are delayed (0: no limit)",
		SYN_INTEGER, "integerMatch" ),
	WARDEN_CF_ENTRY( "warden-code-max-delay", "seconds",
		ARG_UINT|WARDEN_CODE_MAX_DELAY, "22", "olcWardenCodeMaxDelay",
		"Longest delay between attempts of an account after wrong "
		"one-time codes, seconds",
		SYN_INTEGER, "integerMatch" ),
	WARDEN_CF_ENTRY( "warden-throttle-ipv6-prefix", "bits",
		ARG_UINT|WARDEN_THROTTLE_IPV6_PREFIX, "23",
		"olcWardenThrottleIPv6Prefix",
		"Length of the IPv6 prefix the source-address throttle counts "
		"failed binds by",
		SYN_INTEGER, "integerMatch" ),
	WARDEN_CF_ENTRY( "warden-audit-checkpoint", "file",
		ARG_STRING|WARDEN_AUDIT_CHECKPOINT, "28", "olcWardenAuditCheckpoint",
		"File that receives signed checkpoints of the end of the audit trail",
		SYN_DIRSTRING, "caseExactMatch" ),
	WARDEN_CF_ENTRY( "warden-audit-aggregate", "seconds",
		ARG_UINT|WARDEN_AUDIT_AGGREGATE, "29", "olcWardenAuditAggregate",
		"Interval over which repeated identical bind failures become one "
		"audit record with a count; 0: each its own record",
		SYN_INTEGER, "integerMatch" ),
	{ .name = "warden-forward-updates", .what = "on|off", .min_args = 2,
	  .max_args = 2, .arg_type = ARG_ON_OFF|ARG_OFFSET,
	  .arg_item = (void *)offsetof( warden_info, wi_forward_updates ),
	  .attribute = "( " WARDEN_CFG_AT "30 NAME 'olcWardenForwardUpdates' "
		"DESC 'On a read-only consumer: forward the lock and the used "
		"one-time code step to the provider (updateref and the chain "
		"overlay)' "
		"EQUALITY booleanMatch SYNTAX " SYN_BOOLEAN " SINGLE-VALUE )" },
	{ .name = "warden-code-provider", .what = "URI bindDN passwordFile",
	  .min_args = 4, .max_args = 4, .arg_type = ARG_MAGIC|WARDEN_CODE_PROVIDER,
	  .arg_item = warden_cf_gen,
	  .attribute = "( " WARDEN_CFG_AT "32 NAME 'olcWardenCodeProvider' "
		"DESC 'Several providers: the provider that decides one-time code "
		"steps for this one, the DN to bind to it as and the file of that "
		"DN password' "
		"EQUALITY caseExactMatch SYNTAX " SYN_DIRSTRING " SINGLE-VALUE )" },
	WARDEN_CF_ENTRY( "warden-lastbind-precision", "seconds",
		ARG_UINT|WARDEN_LASTBIND_PRECISION, "31",
		"olcWardenLastbindPrecision",
		"A successful bind is recorded as pwdLastSuccess when the recorded "
		"one is at least this old, seconds; 0: not recorded",
		SYN_INTEGER, "integerMatch" ),
	{ .name = "warden-send-netscape-controls", .what = "on|off",
	  .min_args = 2, .max_args = 2, .arg_type = ARG_ON_OFF|ARG_OFFSET,
	  .arg_item = (void *)offsetof( warden_info, wi_send_netscape ),
	  .attribute = "( " WARDEN_CFG_AT "33 NAME "
		"'olcWardenSendNetscapeControls' "
		"DESC 'Send the obsolete Netscape password expired and expiring "
		"controls with bind results, as ppolicy_send_netscape_controls' "
		"EQUALITY booleanMatch SYNTAX " SYN_BOOLEAN " SINGLE-VALUE )" },
	WARDEN_CF_ENTRY( "warden-ssh-min-rsa-bits", "bits",
		ARG_UINT|WARDEN_SSH_MIN_RSA_BITS, "34", "olcWardenSSHMinRSABits",
		"Smallest RSA modulus, in bits, of an sshPublicKey written",
		SYN_INTEGER, "integerMatch" ),
	WARDEN_CF_ENTRY( "warden-cache-max-entries", "count",
		ARG_UINT|WARDEN_CACHE_MAX_ENTRIES, "35",
		"olcWardenCacheMaxEntries",
		"Most users each bind cache (subjects, access decisions) keeps; "
		"past it the least recently used goes",
		SYN_INTEGER, "integerMatch" ),
	{ .name = NULL, .arg_type = ARG_IGNORED }
};

ConfigOCs warden_ocs[] = {
	{ .co_def = "( " WARDEN_CFG_OC "1 "
		"NAME 'olcWardenConfig' "
		"DESC 'warden overlay configuration' "
		"SUP olcOverlayConfig "
		"MUST ( olcWardenStateDir ) "
		"MAY ( olcWardenKeyFile $ olcWardenAuditFile $ "
		"olcWardenDefaultPolicy $ olcWardenLockRootDN $ "
		"olcWardenLockoutExpose $ olcWardenBannedList $ "
		"olcWardenAccessDefault $ olcWardenAccessExempt $ "
		"olcWardenAdminGroup $ olcWardenHelpdeskGroup $ "
		"olcWardenAuditorGroup $ olcWardenAuditMode $ "
		"olcWardenAuditOverflow $ olcWardenAuditSyslog $ "
		"olcWardenAuditRedact $ olcWardenGroupDepth $ "
		"olcWardenGroupMax $ olcWardenRequireTLS $ "
		"olcWardenCodeReuseListener $ olcWardenCodeMaxFailure $ "
		"olcWardenCodeMaxDelay $ olcWardenThrottleIPv6Prefix $ "
		"olcWardenAuditCheckpoint $ olcWardenAuditAggregate $ "
		"olcWardenForwardUpdates $ olcWardenLastbindPrecision $ "
		"olcWardenCodeProvider $ olcWardenSendNetscapeControls $ "
		"olcWardenSSHMinRSABits $ olcWardenCacheMaxEntries ) )",
	  .co_type = Cft_Overlay, .co_table = warden_cfg },
	{ .co_def = NULL }
};

/* Resources are opened only by a running server: slaptest, slapcat and
 * friends run as another user (often root) and must not create files the
 * server then cannot open. */
int
warden_server_mode( void )
{
	return !( slapMode & SLAP_TOOL_MODE );
}

static int
warden_cf_emit( ConfigArgs *c, warden_info *wi )
{
	const char *s = NULL;

	switch ( c->type ) {
	case WARDEN_STATE_DIR:	s = wi->wi_state_dir; break;
	case WARDEN_KEY_FILE:	s = wi->wi_key_file; break;
	case WARDEN_AUDIT_FILE:	s = wi->wi_audit_file; break;
	case WARDEN_DEFAULT_POLICY:	s = wi->wi_default_policy.bv_val; break;
	case WARDEN_BANNED_LIST:	s = wi->wi_banned_file; break;
	case WARDEN_ACCESS_DEFAULT:
		s = wi->wi_access_default ? "allow" : "deny";
		break;
	case WARDEN_ADMIN_GROUP:
	case WARDEN_HELPDESK_GROUP:
	case WARDEN_AUDITOR_GROUP:
		s = wi->wi_role_group[c->type - WARDEN_ADMIN_GROUP].bv_val;
		break;
	case WARDEN_AUDIT_MODE:
		s = wi->wi_audit_durable ? "durable" : "async";
		break;
	case WARDEN_AUDIT_OVERFLOW:
		s = wi->wi_audit_refuse ? "refuse" : "block";
		break;
	case WARDEN_AUDIT_SYSLOG:
		s = wi->wi_audit_syslog ? "on" : "off";
		break;
	/* numbers: emitted when not the default, as unset strings are not */
	case WARDEN_CODE_MAX_FAILURE:
		c->value_uint = wi->wi_code_max_failure;
		return c->value_uint == WARDEN_CODE_MAX_FAILURE_DEFAULT;
	case WARDEN_CODE_MAX_DELAY:
		c->value_uint = wi->wi_code_max_delay;
		return c->value_uint == WARDEN_CODE_MAX_DELAY_DEFAULT;
	case WARDEN_AUDIT_CHECKPOINT:	s = wi->wi_audit_checkpoint; break;
	case WARDEN_AUDIT_AGGREGATE:
		c->value_uint = wi->wi_audit_agg_interval;
		return c->value_uint == WARDEN_AUDIT_AGGREGATE_DEFAULT;
	case WARDEN_CODE_PROVIDER: {
		char buf[4096];
		int n;

		if ( !wi->wi_code_provider ) return 1;
		n = snprintf( buf, sizeof( buf ), "%s \"%s\" %s",
			wi->wi_code_provider, wi->wi_code_provider_dn,
			wi->wi_code_provider_pwfile );
		if ( n < 0 || (size_t)n >= sizeof( buf ) ) return 1;
		c->value_string = ch_strdup( buf );
		return 0;
		}
	case WARDEN_LASTBIND_PRECISION:
		c->value_uint = wi->wi_lastbind_precision;
		return c->value_uint == WARDEN_LASTBIND_PRECISION_DEFAULT;
	case WARDEN_SSH_MIN_RSA_BITS:
		c->value_uint = wi->wi_ssh_min_rsa_bits;
		return c->value_uint == WARDEN_SSHKEY_MIN_RSA_DEFAULT;
	case WARDEN_CACHE_MAX_ENTRIES:
		c->value_uint = (unsigned)wi->wi_cache_max;
		return wi->wi_cache_max == WARDEN_CACHE_MAX_DEFAULT;
	case WARDEN_THROTTLE_IPV6_PREFIX:
		c->value_uint = wi->wi_throttle_ipv6_prefix;
		return c->value_uint == WARDEN_THROTTLE_IPV6_PREFIX_DEFAULT;
	case WARDEN_AUDIT_REDACT: {
		int i;

		for ( i = 0; wi->wi_audit_redact &&
				wi->wi_audit_redact[i].bv_val; i++ )
			value_add_one( &c->rvalue_vals, &wi->wi_audit_redact[i] );
		return i ? 0 : 1;
		}
	case WARDEN_GROUP_DEPTH:
		c->value_int = wi->wi_group_depth;
		return 0;
	case WARDEN_GROUP_MAX:
		c->value_int = wi->wi_group_max;
		return 0;
	case WARDEN_REUSE_LISTENER: {
		int i;

		for ( i = 0; wi->wi_reuse_listeners &&
				wi->wi_reuse_listeners[i].bv_val; i++ )
			value_add_one( &c->rvalue_vals, &wi->wi_reuse_listeners[i] );
		return i ? 0 : 1;
		}
	case WARDEN_ACCESS_EXEMPT: {
		int i;

		for ( i = 0; wi->wi_access_exempt &&
				wi->wi_access_exempt[i].bv_val; i++ )
			value_add_one( &c->rvalue_vals, &wi->wi_access_exempt[i] );
		return i ? 0 : 1;
		}
	}
	if ( !s ) return 1;
	c->value_string = ch_strdup( s );
	return 0;
}

/* The trail (closed) opened again with the settings as they are. */
static void
warden_cf_audit_restart_closed( warden_info *wi )
{
	char msg[SLAP_TEXT_BUFLEN];

	if ( warden_audit_start( wi, wi->wi_audit_file, &wi->wi_audit, msg,
			sizeof( msg ) ) )
		Debug( LDAP_DEBUG_ANY, "warden: the audit trail cannot be "
			"opened again: %s; changes are refused until it is\n", msg );
}

/* The trail's settings changed while it is open: it is closed (what is
 * queued written) and opened again with them, continuing its chain. */
static void
warden_cf_audit_restart( warden_info *wi )
{
	if ( !wi->wi_audit ) return;
	warden_audit_aggregate_tick( wi, 1 );
	warden_audit_stop( wi->wi_audit );
	wi->wi_audit = NULL;
	warden_cf_audit_restart_closed( wi );
}

void
warden_cf_code_provider_free( warden_info *wi )
{
	ch_free( wi->wi_code_provider );
	ch_free( wi->wi_code_provider_dn );
	ch_free( wi->wi_code_provider_pwfile );
	if ( wi->wi_code_provider_pw.bv_val ) {
		OPENSSL_cleanse( wi->wi_code_provider_pw.bv_val,
			wi->wi_code_provider_pw.bv_len );
		ch_free( wi->wi_code_provider_pw.bv_val );
	}
	wi->wi_code_provider = wi->wi_code_provider_dn = NULL;
	wi->wi_code_provider_pwfile = NULL;
	BER_BVZERO( &wi->wi_code_provider_pw );
}

static void
warden_cf_delete( ConfigArgs *c, warden_info *wi )
{
	switch ( c->type ) {
	case WARDEN_STATE_DIR:
		warden_store_close( wi->wi_store );
		wi->wi_store = NULL;
		ch_free( wi->wi_state_dir );
		wi->wi_state_dir = NULL;
		break;
	case WARDEN_KEY_FILE:
		warden_keyring_free( wi->wi_keys );
		wi->wi_keys = NULL;
		ch_free( wi->wi_key_file );
		wi->wi_key_file = NULL;
		break;
	case WARDEN_AUDIT_FILE:
		warden_audit_stop( wi->wi_audit );
		wi->wi_audit = NULL;
		ch_free( wi->wi_audit_file );
		wi->wi_audit_file = NULL;
		break;
	case WARDEN_AUDIT_MODE:
		wi->wi_audit_durable = 1;
		warden_cf_audit_restart( wi );
		break;
	case WARDEN_AUDIT_OVERFLOW:
		wi->wi_audit_refuse = 0;
		warden_cf_audit_restart( wi );
		break;
	case WARDEN_AUDIT_SYSLOG:
		wi->wi_audit_syslog = 0;
		warden_cf_audit_restart( wi );
		break;
	case WARDEN_AUDIT_REDACT:
		if ( c->valx < 0 ) {
			ber_bvarray_free( wi->wi_audit_redact );
			wi->wi_audit_redact = NULL;
		} else {
			int i = c->valx;

			ch_free( wi->wi_audit_redact[i].bv_val );
			for ( ; wi->wi_audit_redact[i].bv_val; i++ )
				wi->wi_audit_redact[i] = wi->wi_audit_redact[i + 1];
		}
		break;
	case WARDEN_DEFAULT_POLICY:
		ch_free( wi->wi_default_policy.bv_val );
		BER_BVZERO( &wi->wi_default_policy );
		break;
	case WARDEN_ACCESS_DEFAULT:
		wi->wi_access_default = 1;
		break;
	case WARDEN_CODE_MAX_FAILURE:
		wi->wi_code_max_failure = WARDEN_CODE_MAX_FAILURE_DEFAULT;
		break;
	case WARDEN_CODE_MAX_DELAY:
		wi->wi_code_max_delay = WARDEN_CODE_MAX_DELAY_DEFAULT;
		break;
	case WARDEN_AUDIT_CHECKPOINT:
		ch_free( wi->wi_audit_checkpoint );
		wi->wi_audit_checkpoint = NULL;
		warden_cf_audit_restart( wi );
		break;
	case WARDEN_AUDIT_AGGREGATE:
		wi->wi_audit_agg_interval = WARDEN_AUDIT_AGGREGATE_DEFAULT;
		warden_audit_aggregate_set( wi );
		break;
	case WARDEN_LASTBIND_PRECISION:
		wi->wi_lastbind_precision = WARDEN_LASTBIND_PRECISION_DEFAULT;
		break;
	case WARDEN_SSH_MIN_RSA_BITS:
		wi->wi_ssh_min_rsa_bits = WARDEN_SSHKEY_MIN_RSA_DEFAULT;
		break;
	case WARDEN_CACHE_MAX_ENTRIES:
		warden_cache_max_set( wi, WARDEN_CACHE_MAX_DEFAULT );
		break;
	case WARDEN_CODE_PROVIDER:
		warden_cf_code_provider_free( wi );
		break;
	case WARDEN_THROTTLE_IPV6_PREFIX:
		wi->wi_throttle_ipv6_prefix = WARDEN_THROTTLE_IPV6_PREFIX_DEFAULT;
		warden_lockout_ipv6_prefix( wi->wi_lockout,
			wi->wi_throttle_ipv6_prefix );
		break;
	case WARDEN_ADMIN_GROUP:
	case WARDEN_HELPDESK_GROUP:
	case WARDEN_AUDITOR_GROUP:
		ch_free( wi->wi_role_group[c->type - WARDEN_ADMIN_GROUP].bv_val );
		BER_BVZERO( &wi->wi_role_group[c->type - WARDEN_ADMIN_GROUP] );
		warden_roles_changed( wi );
		break;
	case WARDEN_REUSE_LISTENER:
		if ( c->valx < 0 ) {
			ber_bvarray_free( wi->wi_reuse_listeners );
			wi->wi_reuse_listeners = NULL;
		} else {
			int i = c->valx;

			ch_free( wi->wi_reuse_listeners[i].bv_val );
			for ( ; wi->wi_reuse_listeners[i].bv_val; i++ )
				wi->wi_reuse_listeners[i] = wi->wi_reuse_listeners[i + 1];
		}
		break;
	case WARDEN_ACCESS_EXEMPT:
		if ( c->valx < 0 ) {
			ber_bvarray_free( wi->wi_access_exempt );
			wi->wi_access_exempt = NULL;
		} else {
			int i = c->valx;

			ch_free( wi->wi_access_exempt[i].bv_val );
			for ( ; wi->wi_access_exempt[i].bv_val; i++ )
				wi->wi_access_exempt[i] = wi->wi_access_exempt[i + 1];
		}
		break;
	case WARDEN_BANNED_LIST: {
		char msg[SLAP_TEXT_BUFLEN];

		warden_banlist_close( wi->wi_banned );
		wi->wi_banned = NULL;
		ch_free( wi->wi_banned_file );
		wi->wi_banned_file = NULL;
		/* back to the default list; a replace (delete, then add)
		 * closes it again at once */
		if ( wi->wi_open && warden_server_mode() &&
			warden_banlist_open_default( wi, msg, sizeof( msg ) ) )
			Debug( LDAP_DEBUG_ANY, "warden: %s; password changes under "
				"a policy fail until then\n", msg );
		break;
		}
	case WARDEN_GROUP_DEPTH:
	case WARDEN_GROUP_MAX:
		if ( c->type == WARDEN_GROUP_DEPTH )
			wi->wi_group_depth = WARDEN_GROUP_DEPTH_DEFAULT;
		else
			wi->wi_group_max = WARDEN_GROUP_MAX_DEFAULT;
		warden_groups_changed( wi );
		break;
	}
}

/* Validates a new value and, when the database is open, acquires what it
 * names before releasing the old one: a refused value leaves the running
 * configuration as it was. */
static int
warden_cf_add( ConfigArgs *c, warden_info *wi, char *msg, size_t len )
{
	int i;

	switch ( c->type ) {
	case WARDEN_STATE_DIR: {
		warden_store *st = NULL;

		if ( warden_check_state_dir( c->value_string, msg, len ) )
			return -1;
		/* what db_open would refuse, refused where slaptest -u sees it
		 * (it runs no db_open): a directory of another instance, the
		 * default banned list missing (deploy.c) */
		if ( warden_deploy_state_dir_check( wi, c->value_string, msg, len ) )
			return -1;
		if ( wi->wi_open && warden_server_mode() ) {
			/* One environment per directory per process: close
			 * ours first when the directory is the same. */
			if ( wi->wi_store && wi->wi_state_dir &&
				!strcmp( wi->wi_state_dir, c->value_string ) ) {
				warden_store_close( wi->wi_store );
				wi->wi_store = NULL;
			}
			if ( warden_store_open( c->value_string, &st, msg, len ) )
				return -1;
		}
		warden_store_close( wi->wi_store );
		wi->wi_store = st;
		ch_free( wi->wi_state_dir );
		wi->wi_state_dir = c->value_string;
		c->value_string = NULL;
		break;
		}

	case WARDEN_KEY_FILE: {
		warden_keyring *ring = NULL;

		if ( warden_keyring_load( c->value_string, &ring, msg, len ) ) {
			warden_keyring_free( ring );
			return -1;
		}
		warden_keyring_free( wi->wi_keys );
		wi->wi_keys = ring;
		ch_free( wi->wi_key_file );
		wi->wi_key_file = c->value_string;
		c->value_string = NULL;
		break;
		}

	case WARDEN_AUDIT_FILE: {
		struct warden_audit *a = NULL;

		if ( wi->wi_open && warden_server_mode() ) {
			/* the old trail goes first: one writer per file */
			if ( wi->wi_audit_file &&
				!strcmp( wi->wi_audit_file, c->value_string ) ) {
				warden_audit_stop( wi->wi_audit );
				wi->wi_audit = NULL;
			}
			if ( warden_audit_start( wi, c->value_string, &a, msg, len ) )
				return -1;
		} else if ( warden_check_audit_path( c->value_string, msg, len ) ) {
			return -1;
		}
		warden_audit_stop( wi->wi_audit );
		wi->wi_audit = a;
		ch_free( wi->wi_audit_file );
		wi->wi_audit_file = c->value_string;
		c->value_string = NULL;
		break;
		}

	case WARDEN_AUDIT_MODE:
	case WARDEN_AUDIT_OVERFLOW:
	case WARDEN_AUDIT_SYSLOG: {
		static const char *const words[3][2] = {
			{ "async", "durable" }, { "block", "refuse" }, { "off", "on" } };
		int k = c->type - WARDEN_AUDIT_MODE, v;
		int *field = k == 0 ? &wi->wi_audit_durable :
			k == 1 ? &wi->wi_audit_refuse : &wi->wi_audit_syslog;

		if ( !strcasecmp( c->value_string, words[k][0] ) ) v = 0;
		else if ( !strcasecmp( c->value_string, words[k][1] ) ) v = 1;
		else {
			snprintf( msg, len, "\"%s\" is neither %s nor %s",
				c->value_string, words[k][0], words[k][1] );
			return -1;
		}
		*field = v;
		ch_free( c->value_string );
		c->value_string = NULL;
		warden_cf_audit_restart( wi );
		break;
		}

	case WARDEN_AUDIT_REDACT: {
		AttributeDescription *ad = NULL;
		const char *text;
		struct berval bv;

		if ( slap_str2ad( c->value_string, &ad, &text ) ) {
			snprintf( msg, len, "\"%s\" is not an attribute of the "
				"schema", c->value_string );
			return -1;
		}
		ber_str2bv( c->value_string, 0, 1, &bv );
		ber_bvarray_add( &wi->wi_audit_redact, &bv );
		ch_free( c->value_string );
		c->value_string = NULL;
		break;
		}

	case WARDEN_DEFAULT_POLICY: {
		struct berval bv, dn, ndn;

		/* Parsed here rather than as ARG_DN so that a bad DN is
		 * reported at every log level, not only at "config". */
		ber_str2bv( c->value_string, 0, 0, &bv );
		if ( dnPrettyNormal( NULL, &bv, &dn, &ndn, NULL ) != LDAP_SUCCESS ) {
			snprintf( msg, len, "\"%s\" is not a valid DN",
				c->value_string );
			return -1;
		}
		ch_free( dn.bv_val );
		for ( i = 0; c->be->be_nsuffix &&
				!BER_BVISNULL( &c->be->be_nsuffix[i] ); i++ ) {
			if ( dnIsSuffix( &ndn, &c->be->be_nsuffix[i] ) )
				break;
		}
		if ( !c->be->be_nsuffix || BER_BVISNULL( &c->be->be_nsuffix[i] ) ) {
			snprintf( msg, len, "\"%s\" is not within this database's "
				"suffix; the policy entry must be in the database "
				"warden serves", c->value_string );
			ch_free( ndn.bv_val );
			return -1;
		}
		ch_free( wi->wi_default_policy.bv_val );
		wi->wi_default_policy = ndn;
		ch_free( c->value_string );
		c->value_string = NULL;
		break;
		}

	case WARDEN_ACCESS_DEFAULT:
		if ( !strcasecmp( c->value_string, "allow" ) ) {
			wi->wi_access_default = 1;
		} else if ( !strcasecmp( c->value_string, "deny" ) ) {
			wi->wi_access_default = 0;
		} else {
			snprintf( msg, len, "\"%s\" is neither allow nor deny",
				c->value_string );
			return -1;
		}
		ch_free( c->value_string );
		c->value_string = NULL;
		break;

	case WARDEN_ADMIN_GROUP:
	case WARDEN_HELPDESK_GROUP:
	case WARDEN_AUDITOR_GROUP: {
		struct berval bv, ndn, *g = &wi->wi_role_group[c->type -
			WARDEN_ADMIN_GROUP];

		ber_str2bv( c->value_string, 0, 0, &bv );
		if ( dnNormalize( 0, NULL, NULL, &bv, &ndn, NULL ) != LDAP_SUCCESS ) {
			snprintf( msg, len, "\"%s\" is not a valid DN",
				c->value_string );
			return -1;
		}
		ch_free( g->bv_val );
		*g = ndn;
		warden_roles_changed( wi );
		ch_free( c->value_string );
		c->value_string = NULL;
		break;
		}

	case WARDEN_ACCESS_EXEMPT: {
		struct berval bv, ndn;

		ber_str2bv( c->value_string, 0, 0, &bv );
		if ( dnNormalize( 0, NULL, NULL, &bv, &ndn, NULL ) != LDAP_SUCCESS ) {
			snprintf( msg, len, "\"%s\" is not a valid DN",
				c->value_string );
			return -1;
		}
		ber_bvarray_add( &wi->wi_access_exempt, &ndn );
		ch_free( c->value_string );
		c->value_string = NULL;
		break;
		}

	case WARDEN_GROUP_DEPTH:
	case WARDEN_GROUP_MAX: {
		int depth = c->type == WARDEN_GROUP_DEPTH;
		int lo = 1, hi = depth ? WARDEN_GROUP_DEPTH_LIMIT :
			WARDEN_GROUP_MAX_LIMIT;

		if ( c->value_int < lo || c->value_int > hi ) {
			snprintf( msg, len, "%d is out of range: allowed %d to %d",
				c->value_int, lo, hi );
			return -1;
		}
		if ( depth ) wi->wi_group_depth = c->value_int;
		else wi->wi_group_max = c->value_int;
		warden_groups_changed( wi );
		break;
		}
	case WARDEN_REUSE_LISTENER: {
		struct berval bv;

		if ( warden_url_check( c->value_string, strlen( c->value_string ),
				msg, len ) ) {
			char why[128];

			snprintf( why, sizeof( why ), "%s", msg );
			snprintf( msg, len, "\"%.64s\" %s", c->value_string, why );
			return -1;
		}
		ber_str2bv( c->value_string, 0, 1, &bv );
		ber_bvarray_add( &wi->wi_reuse_listeners, &bv );
		ch_free( c->value_string );
		c->value_string = NULL;
		break;
		}

	case WARDEN_CODE_MAX_FAILURE:
		if ( c->value_uint > WARDEN_CODE_MAX_FAILURE_LIMIT ) {
			snprintf( msg, len, "%u is not a number of wrong codes "
				"from 0 (no limit) to %u", c->value_uint,
				WARDEN_CODE_MAX_FAILURE_LIMIT );
			return -1;
		}
		wi->wi_code_max_failure = c->value_uint;
		break;

	case WARDEN_AUDIT_CHECKPOINT: {
		char *old = wi->wi_audit_checkpoint;

		if ( warden_check_audit_path( c->value_string, msg, len ) )
			return -1;
		if ( wi->wi_audit_file && !strcmp( wi->wi_audit_file,
				c->value_string ) ) {
			snprintf( msg, len, "the checkpoint must be another file "
				"than the trail" );
			return -1;
		}
		wi->wi_audit_checkpoint = c->value_string;
		c->value_string = NULL;
		if ( wi->wi_audit ) {
			struct warden_audit *a = NULL;

			/* the new trail must open, or the old one stays */
			warden_audit_stop( wi->wi_audit );
			wi->wi_audit = NULL;
			if ( warden_audit_start( wi, wi->wi_audit_file, &a, msg,
					len ) ) {
				ch_free( wi->wi_audit_checkpoint );
				wi->wi_audit_checkpoint = old;
				warden_cf_audit_restart_closed( wi );
				return -1;
			}
			wi->wi_audit = a;
		}
		ch_free( old );
		break;
		}

	case WARDEN_CODE_PROVIDER: {
		LDAPURLDesc *lud = NULL;
		struct berval dn = BER_BVNULL, ndn = BER_BVNULL;
		char pw[1024];
		FILE *fp;
		size_t n = 0;

		if ( ldap_url_parse( c->argv[1], &lud ) != LDAP_URL_SUCCESS ||
			( strcasecmp( lud->lud_scheme, "ldap" ) &&
			  strcasecmp( lud->lud_scheme, "ldaps" ) ) || !lud->lud_host ||
			!*lud->lud_host ) {
			if ( lud ) ldap_free_urldesc( lud );
			snprintf( msg, len, "\"%s\" is no ldap:// or ldaps:// URL of "
				"a host", c->argv[1] );
			return -1;
		}
		ldap_free_urldesc( lud );
		ber_str2bv( c->argv[2], 0, 0, &dn );
		if ( dnNormalize( 0, NULL, NULL, &dn, &ndn, NULL ) != LDAP_SUCCESS ) {
			snprintf( msg, len, "\"%s\" is not a DN", c->argv[2] );
			return -1;
		}
		ch_free( ndn.bv_val );
		if ( !( fp = fopen( c->argv[3], "r" ) ) ) {
			snprintf( msg, len, "cannot read the password file \"%s\": %s",
				c->argv[3], strerror( errno ) );
			return -1;
		}
		n = fread( pw, 1, sizeof( pw ) - 1, fp );
		fclose( fp );
		while ( n && ( pw[n - 1] == '\n' || pw[n - 1] == '\r' ) ) n--;
		if ( !n || memchr( pw, '\n', n ) ) {
			OPENSSL_cleanse( pw, sizeof( pw ) );
			snprintf( msg, len, "the password file \"%s\" must hold one "
				"line, the password", c->argv[3] );
			return -1;
		}
		warden_cf_code_provider_free( wi );
		wi->wi_code_provider = ch_strdup( c->argv[1] );
		wi->wi_code_provider_dn = ch_strdup( c->argv[2] );
		wi->wi_code_provider_pwfile = ch_strdup( c->argv[3] );
		wi->wi_code_provider_pw.bv_val = ch_malloc( n + 1 );
		memcpy( wi->wi_code_provider_pw.bv_val, pw, n );
		wi->wi_code_provider_pw.bv_val[n] = '\0';
		wi->wi_code_provider_pw.bv_len = n;
		OPENSSL_cleanse( pw, sizeof( pw ) );
		break;
		}

	case WARDEN_LASTBIND_PRECISION:
		if ( c->value_uint > WARDEN_LASTBIND_PRECISION_LIMIT ) {
			snprintf( msg, len, "%u is not a precision in seconds from "
				"0 (off) to %u", c->value_uint,
				WARDEN_LASTBIND_PRECISION_LIMIT );
			return -1;
		}
		wi->wi_lastbind_precision = c->value_uint;
		break;

	case WARDEN_SSH_MIN_RSA_BITS:
		if ( c->value_uint < WARDEN_SSH_MIN_RSA_FLOOR ||
			c->value_uint > WARDEN_SSHKEY_MAX_RSA_BITS ) {
			snprintf( msg, len, "%u is not a number of bits from %u to "
				"%u", c->value_uint, WARDEN_SSH_MIN_RSA_FLOOR,
				WARDEN_SSHKEY_MAX_RSA_BITS );
			return -1;
		}
		wi->wi_ssh_min_rsa_bits = c->value_uint;
		break;

	case WARDEN_CACHE_MAX_ENTRIES:
		if ( c->value_uint < WARDEN_CACHE_MAX_FLOOR ||
			c->value_uint > WARDEN_CACHE_MAX_LIMIT ) {
			snprintf( msg, len, "%u is not a number of users from %u "
				"to %u", c->value_uint, WARDEN_CACHE_MAX_FLOOR,
				WARDEN_CACHE_MAX_LIMIT );
			return -1;
		}
		warden_cache_max_set( wi, c->value_uint );
		break;

	case WARDEN_AUDIT_AGGREGATE:
		if ( c->value_uint > WARDEN_AUDIT_AGGREGATE_LIMIT ) {
			snprintf( msg, len, "%u is not an interval in seconds from 0 "
				"(off) to %u", c->value_uint,
				WARDEN_AUDIT_AGGREGATE_LIMIT );
			return -1;
		}
		wi->wi_audit_agg_interval = c->value_uint;
		warden_audit_aggregate_set( wi );
		break;

	case WARDEN_CODE_MAX_DELAY:
		if ( c->value_uint < 1 ||
			c->value_uint > WARDEN_CODE_MAX_DELAY_LIMIT ) {
			snprintf( msg, len, "%u is not a delay in seconds from 1 "
				"to %u", c->value_uint, WARDEN_CODE_MAX_DELAY_LIMIT );
			return -1;
		}
		wi->wi_code_max_delay = c->value_uint;
		break;

	case WARDEN_THROTTLE_IPV6_PREFIX:
		if ( c->value_uint < WARDEN_THROTTLE_IPV6_PREFIX_MIN ||
			c->value_uint > 128 ) {
			snprintf( msg, len, "%u is not an IPv6 prefix length from "
				"%u to 128", c->value_uint,
				WARDEN_THROTTLE_IPV6_PREFIX_MIN );
			return -1;
		}
		wi->wi_throttle_ipv6_prefix = c->value_uint;
		warden_lockout_ipv6_prefix( wi->wi_lockout,
			wi->wi_throttle_ipv6_prefix );
		break;

	case WARDEN_BANNED_LIST: {
		warden_banlist *bl = NULL;

		if ( !strcmp( c->value_string, WARDEN_BANNED_NONE ) ) {
			/* no list at all, not even the default one */
		} else if ( c->value_string[0] != '/' ) {
			snprintf( msg, len, "\"%s\" is not an absolute path; "
				"give the index's absolute path, or "
				WARDEN_BANNED_NONE " for no list", c->value_string );
			return -1;
		} else if ( warden_banlist_open( c->value_string, &bl, msg,
				len ) ) {
			/* read-only: safe to map in the tools too */
			return -1;
		}
		warden_banlist_close( wi->wi_banned );
		wi->wi_banned = bl;
		ch_free( wi->wi_banned_file );
		wi->wi_banned_file = c->value_string;
		c->value_string = NULL;
		break;
		}
	}
	return 0;
}

static int
warden_cf_gen( ConfigArgs *c )
{
	slap_overinst *on = (slap_overinst *)c->bi;
	warden_info *wi = on->on_bi.bi_private;
	/* longer than cr_msg: the log gets the whole fix, paths included */
	char reason[1024];
	int rc = ARG_BAD_CONF;

	switch ( c->op ) {
	case SLAP_CONFIG_EMIT:
		rc = warden_cf_emit( c, wi );
		goto done;

	case LDAP_MOD_DELETE:
		warden_cf_delete( c, wi );
		rc = 0;
		goto done;

	case SLAP_CONFIG_ADD:
	case LDAP_MOD_ADD:
		reason[0] = '\0';
		if ( warden_cf_add( c, wi, reason, sizeof( reason ) ) ) {
			snprintf( c->cr_msg, sizeof( c->cr_msg ), "%s: %s",
				c->argv[0], reason );
			Debug( LDAP_DEBUG_ANY, "%s: %s: %s\n", c->log,
				c->argv[0], reason );
			goto done;
		}
		rc = 0;
		goto done;
	}

done:
	/* numbers share the union with value_string: nothing to free */
	if ( rc && c->op != SLAP_CONFIG_EMIT && c->type != WARDEN_GROUP_DEPTH &&
		c->type != WARDEN_GROUP_MAX &&
		c->type != WARDEN_CODE_MAX_FAILURE &&
		c->type != WARDEN_CODE_MAX_DELAY &&
		c->type != WARDEN_AUDIT_AGGREGATE &&
		c->type != WARDEN_LASTBIND_PRECISION &&
		c->type != WARDEN_SSH_MIN_RSA_BITS &&
		c->type != WARDEN_CACHE_MAX_ENTRIES &&
		c->type != WARDEN_CODE_PROVIDER &&
		c->type != WARDEN_THROTTLE_IPV6_PREFIX ) {
		ch_free( c->value_string );
		c->value_string = NULL;
	}
	return rc;
}

int
warden_config_register( void )
{
	return config_register_schema( warden_cfg, warden_ocs );
}
