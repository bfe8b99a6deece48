/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* warden.c - the warden overlay: glue and cn=config
 *
 * warden enforces password quality, TOTP, lockout and group-based access at
 * bind time and audits every change.  This file holds what the policy
 * engines share: the per-database instance, its configuration (slapd.conf
 * directives and their cn=config attributes), the order of the engines at
 * bind, and the module's entry point.
 */

#include <fcntl.h>
#include <unistd.h>

#include "warden.h"
#include "dictionary.h"
#include "validate.h"
#include "transitrule.h"
#include "ldap_rq.h"
#include "codeguard.h"
#include "codestate.h"
#include "throttle.h"

#ifndef WARDEN_SLAPD_VERSION
#error "WARDEN_SLAPD_VERSION must name the slapd version the module is built for"
#endif

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

char warden_internal_marker;

int
warden_internal_cb( Operation *op, SlapReply *rs )
{
	return 0;
}

void
warden_internal_search( Operation *op, slap_overinst *on, Filter *f,
	AttributeName *attrs, slap_callback *cb )
{
	Operation op2 = *op;
	SlapReply r2 = { REP_RESULT };
	BackendInfo *bi = op->o_bd->bd_info;

	op2.o_tag = LDAP_REQ_SEARCH;
	op2.o_callback = cb;
	op2.o_dn = op->o_bd->be_rootdn;
	op2.o_ndn = op->o_bd->be_rootndn;
	op2.o_req_dn = op->o_bd->be_suffix[0];
	op2.o_req_ndn = op->o_bd->be_nsuffix[0];
	op2.ors_scope = LDAP_SCOPE_SUBTREE;
	op2.ors_deref = LDAP_DEREF_NEVER;
	op2.ors_limit = NULL;
	op2.ors_slimit = SLAP_NO_LIMIT;
	op2.ors_tlimit = SLAP_NO_LIMIT;
	op2.ors_attrsonly = 0;
	op2.ors_attrs = attrs;
	op2.ors_filter = f;
	filter2bv_x( op, f, &op2.ors_filterstr );
	op2.o_managedsait = SLAP_CONTROL_CRITICAL;
	memset( op2.o_ctrlflag, 0, sizeof( op2.o_ctrlflag ) );
	op2.o_bd->bd_info = (BackendInfo *)on->on_info;
	op2.o_bd->be_search( &op2, &r2 );
	op->o_bd->bd_info = bi;
	op->o_tmpfree( op2.ors_filterstr.bv_val, op->o_tmpmemctx );
}

int
warden_internal_write( Operation *op, slap_overinst *on, struct berval *ndn,
	Modifications *mods )
{
	Operation op2 = *op;
	SlapReply r2 = { REP_RESULT };
	BackendInfo *bi = op->o_bd->bd_info;
	slap_callback cb = { .sc_response = warden_internal_cb };

	cb.sc_private = &warden_internal_marker;
	op2.o_callback = &cb;
	op2.o_dn = op->o_bd->be_rootdn;
	op2.o_ndn = op->o_bd->be_rootndn;
	op2.o_req_dn = *ndn;
	op2.o_req_ndn = *ndn;
	op2.o_managedsait = SLAP_CONTROL_NONE;
	/* through the whole overlay stack, so that syncprov replicates it */
	op2.o_bd->bd_info = (BackendInfo *)on->on_info;
	if ( mods ) {
		op2.o_tag = LDAP_REQ_MODIFY;
		op2.orm_modlist = mods;
		op2.orm_no_opattrs = 0;
		op2.orm_increment = 0;
		op2.o_bd->be_modify( &op2, &r2 );
	} else {
		op2.o_tag = LDAP_REQ_DELETE;
		op2.o_bd->be_delete( &op2, &r2 );
	}
	op->o_bd->bd_info = bi;
	if ( r2.sr_ref ) ber_bvarray_free_x( r2.sr_ref, op->o_tmpmemctx );
	return r2.sr_err;
}

/* Bind targets whose entry warden remembers (see subjcache.h). */
#define WARDEN_SUBJECTS	16384

int
warden_is_internal( Operation *op )
{
	slap_callback *sc;

	for ( sc = op->o_callback; sc; sc = sc->sc_next ) {
		if ( sc->sc_private == &warden_internal_marker ) return 1;
	}
	return 0;
}

int
warden_is_replicated( Operation *op )
{
	return be_shadow_update( op ) || be_isupdate( op );
}

int
warden_replication_rid( Operation *op )
{
	return SLAP_SYNC_SHADOW( op->o_bd ) &&
		SLAPD_SYNC_IS_SYNCCONN( op->o_connid ) ?
		(int)op->o_connid : 0;	/* SLAPD_SYNC_RID2SYNCCONN(rid) is rid */
}

static slap_overinst warden;

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
	WARDEN_AUDIT_AGGREGATE
};

/* Limits of the numeric settings, named in the messages that refuse a
 * value outside them. */
#define WARDEN_CODE_MAX_FAILURE_LIMIT	1000
#define WARDEN_CODE_MAX_DELAY_LIMIT	86400	/* a day */
#define WARDEN_AUDIT_AGGREGATE_LIMIT	3600	/* an hour */

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
	{ .name = NULL, .arg_type = ARG_IGNORED }
};

static ConfigOCs warden_ocs[] = {
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
		"olcWardenAuditCheckpoint $ olcWardenAuditAggregate ) )",
	  .co_type = Cft_Overlay, .co_table = warden_cfg },
	{ .co_def = NULL }
};

/* Resources are opened only by a running server: slaptest, slapcat and
 * friends run as another user (often root) and must not create files the
 * server then cannot open. */
static int
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
		c->type != WARDEN_THROTTLE_IPV6_PREFIX ) {
		ch_free( c->value_string );
		c->value_string = NULL;
	}
	return rc;
}

static int
warden_db_init( BackendDB *be, ConfigReply *cr )
{
	slap_overinst *on = (slap_overinst *)be->bd_info;
	warden_info *wi = NULL;
	int rc = 1, schema = 0, pwgen = 0;

	if ( SLAP_ISGLOBALOVERLAY( be ) ) {
		snprintf( cr->msg, sizeof( cr->msg ), "warden must be configured "
			"on a database (after its suffix), not globally" );
		Debug( LDAP_DEBUG_ANY, "warden: %s\n", cr->msg );
		return 1;
	}
	/* each step taken is undone at done: when a later one fails */
	if ( warden_schema_init() ) {
		snprintf( cr->msg, sizeof( cr->msg ), "warden: cannot register "
			"the password policy schema" );
		goto done;
	}
	schema = 1;
	if ( warden_oath_schema_init() ) {
		snprintf( cr->msg, sizeof( cr->msg ), "warden: cannot register "
			"the OATH-LDAP schema" );
		goto done;
	}
	if ( warden_ppolicy_init() ) {
		snprintf( cr->msg, sizeof( cr->msg ), "warden: cannot register "
			"the password policy control" );
		goto done;
	}
	if ( warden_pwgen_init() ) {
		snprintf( cr->msg, sizeof( cr->msg ), "warden: cannot take over "
			"the Password Modify operation" );
		goto done;
	}
	pwgen = 1;
	wi = ch_calloc( 1, sizeof( *wi ) );
	wi->wi_audit_durable = 1;
	wi->wi_expose_lock = 1;
	wi->wi_access_default = 1;
	wi->wi_group_depth = WARDEN_GROUP_DEPTH_DEFAULT;
	wi->wi_group_max = WARDEN_GROUP_MAX_DEFAULT;
	wi->wi_code_max_failure = WARDEN_CODE_MAX_FAILURE_DEFAULT;
	wi->wi_code_max_delay = WARDEN_CODE_MAX_DELAY_DEFAULT;
	wi->wi_audit_agg_interval = WARDEN_AUDIT_AGGREGATE_DEFAULT;
	wi->wi_throttle_ipv6_prefix = WARDEN_THROTTLE_IPV6_PREFIX_DEFAULT;
	warden_policy_cache_init( wi );
	wi->wi_subjects = warden_subjcache_new( WARDEN_SUBJECTS );
	if ( !wi->wi_subjects || warden_access_new( &wi->wi_access ) ||
		warden_lockout_new( &wi->wi_lockout ) ) {
		snprintf( cr->msg, sizeof( cr->msg ), "warden: out of memory" );
		goto done;
	}
	warden_roles_new( wi );
	warden_audit_init( wi );
	on->on_bi.bi_private = wi;
	warden_deploy_instance( wi, 1 );
	rc = 0;

done:
	if ( rc ) {
		if ( wi ) {
			warden_access_free( wi->wi_access );
			warden_subjcache_free( wi->wi_subjects );
			warden_policy_cache_destroy( wi );
			ch_free( wi );
		}
		if ( pwgen ) warden_pwgen_release();
		if ( schema ) warden_schema_release();
	}
	return rc;
}

/* The state store commits without a flush; this flushes it every second,
 * bounding what a crash of the whole system can take. */
static void *
warden_sync_task( void *ctx, void *arg )
{
	struct re_s *rtask = arg;
	slap_overinst *on = rtask->arg;
	warden_info *wi = on->on_bi.bi_private;
	char msg[SLAP_TEXT_BUFLEN];

	if ( wi->wi_store && warden_store_sync( wi->wi_store, msg, sizeof( msg ) ) )
		Debug( LDAP_DEBUG_ANY, "warden: %s\n", msg );
	warden_audit_aggregate_tick( wi, 0 );
	ldap_pvt_thread_mutex_lock( &slapd_rq.rq_mutex );
	ldap_pvt_runqueue_stoptask( &slapd_rq, rtask );
	ldap_pvt_thread_mutex_unlock( &slapd_rq.rq_mutex );
	return NULL;
}

static void
warden_sync_stop( warden_info *wi )
{
	if ( !wi->wi_sync_task ) return;
	ldap_pvt_thread_mutex_lock( &slapd_rq.rq_mutex );
	if ( ldap_pvt_runqueue_isrunning( &slapd_rq, wi->wi_sync_task ) )
		ldap_pvt_runqueue_stoptask( &slapd_rq, wi->wi_sync_task );
	ldap_pvt_runqueue_remove( &slapd_rq, wi->wi_sync_task );
	ldap_pvt_thread_mutex_unlock( &slapd_rq.rq_mutex );
	wi->wi_sync_task = NULL;
}

static int
warden_db_open( BackendDB *be, ConfigReply *cr )
{
	slap_overinst *on = (slap_overinst *)be->bd_info;
	warden_info *wi = on->on_bi.bi_private;
	char msg[SLAP_TEXT_BUFLEN];
	int rc = 1;

	if ( !wi->wi_state_dir ) {
		snprintf( msg, sizeof( msg ), "warden-state-dir "
			"(olcWardenStateDir) is not set; warden keeps lockout and "
			"replay state there" );
		goto done;
	}
	if ( warden_schema_check( msg, sizeof( msg ) ) ) goto done;
	if ( !warden_server_mode() ) {
		rc = 0;
		goto done;
	}
	if ( warden_lockout_open( wi->wi_lockout, msg, sizeof( msg ) ) )
		goto done;
	warden_reset_open( wi );
	if ( warden_totp_open( wi ) ) {
		snprintf( msg, sizeof( msg ), "cannot initialise the one-time "
			"code engine (OpenSSL RAND_bytes)" );
		goto done;
	}
	if ( !warden_dictionary_usable( NULL, msg, sizeof( msg ) ) )
		Debug( LDAP_DEBUG_ANY, "warden: %s; password changes under "
			"policies that check the dictionary will fail\n", msg );
	if ( warden_banlist_open_default( wi, msg, sizeof( msg ) ) )
		goto done;
	if ( !wi->wi_store &&
		warden_store_open( wi->wi_state_dir, &wi->wi_store,
			msg, sizeof( msg ) ) ) {
		goto done;
	}
	if ( wi->wi_audit_file && !wi->wi_audit &&
		warden_audit_start( wi, wi->wi_audit_file, &wi->wi_audit,
			msg, sizeof( msg ) ) ) {
		goto done;
	}
	if ( !wi->wi_sync_task ) {
		ldap_pvt_thread_mutex_lock( &slapd_rq.rq_mutex );
		wi->wi_sync_task = ldap_pvt_runqueue_insert( &slapd_rq, 1,
			warden_sync_task, on, "warden_sync",
			be->be_suffix ? be->be_suffix[0].bv_val : "" );
		ldap_pvt_thread_mutex_unlock( &slapd_rq.rq_mutex );
	}
	if ( !wi->wi_sasl ) {
		warden_sasl_init();
		wi->wi_sasl = 1;
	}
	wi->wi_open = 1;
	rc = 0;

done:
	if ( rc ) {
		Debug( LDAP_DEBUG_ANY, "warden: %s\n", msg );
		if ( cr ) snprintf( cr->msg, sizeof( cr->msg ), "warden: %.240s", msg );
		warden_store_close( wi->wi_store );
		wi->wi_store = NULL;
	}
	return rc;
}

static int
warden_db_close( BackendDB *be, ConfigReply *cr )
{
	slap_overinst *on = (slap_overinst *)be->bd_info;
	warden_info *wi = on->on_bi.bi_private;

	wi->wi_open = 0;
	if ( wi->wi_sasl ) {
		warden_sasl_release();
		wi->wi_sasl = 0;
	}
	warden_sync_stop( wi );
	warden_store_close( wi->wi_store );
	wi->wi_store = NULL;
	warden_audit_aggregate_tick( wi, 1 );
	warden_audit_stop( wi->wi_audit );
	wi->wi_audit = NULL;
	return 0;
}

static int
warden_db_destroy( BackendDB *be, ConfigReply *cr )
{
	slap_overinst *on = (slap_overinst *)be->bd_info;
	warden_info *wi = on->on_bi.bi_private;
	int i;

	if ( !wi ) return 0;
	warden_deploy_instance( wi, 0 );
	warden_db_close( be, cr );
	warden_audit_destroy( wi );
	warden_lockout_free( wi->wi_lockout );
	warden_subjcache_free( wi->wi_subjects );
	warden_policy_cache_destroy( wi );
	warden_keyring_free( wi->wi_keys );
	ch_free( wi->wi_key_file );
	ch_free( wi->wi_state_dir );
	ch_free( wi->wi_audit_file );
	ch_free( wi->wi_audit_checkpoint );
	ber_bvarray_free( wi->wi_audit_redact );
	ch_free( wi->wi_default_policy.bv_val );
	warden_banlist_close( wi->wi_banned );
	ch_free( wi->wi_banned_file );
	warden_reset_close( wi );
	warden_totp_close( wi );
	warden_access_free( wi->wi_access );
	ber_bvarray_free( wi->wi_access_exempt );
	ber_bvarray_free( wi->wi_reuse_listeners );
	for ( i = 0; i < 3; i++ ) ch_free( wi->wi_role_group[i].bv_val );
	warden_roles_free( wi );
	ch_free( wi );
	on->on_bi.bi_private = NULL;
	warden_pwgen_release();
	warden_schema_release();
	return 0;
}

/* --- operations ------------------------------------------------------------
 * The glue learns once what the engines need about the target entry, then
 * calls the engines in order.  At bind: lockout (refuses locked accounts
 * and sprayed addresses before the password is checked, counts the result
 * after).
 */

typedef struct warden_opctx {
	slap_callback	wo_cb;
	slap_overinst	*wo_on;
	warden_subject	wo_subject;
	int		wo_unlock;	/* a modify that unlocks */
	int		wo_delete;	/* a delete of an entry with state */
	int		wo_own_password;	/* the bound user changes it */
	int		wo_secret;	/* a modify of oathSecret */
	int		wo_audit_only;	/* bind: nothing but the audit record */
	int		wo_internal;	/* a change warden makes itself */
	/* no rule applies: warden's own change, or one that replication
	 * applies (warden_is_replicated()) */
	int		wo_exempt;
	int		wo_pwmod;	/* the modify of a Password Modify */
	int		wo_announced;	/* its audit record is announced */
	warden_audit_mark wo_intent;	/* its intent record is written */
	BerVarray	wo_tokens;	/* token entries of a deleted user */
} warden_opctx;

static void warden_opctx_free( Operation *op, warden_opctx *wo );

void
warden_client_host( Operation *op, char *buf, size_t len )
{
	const char *peer = op->o_conn && op->o_conn->c_peer_name.bv_val ?
		op->o_conn->c_peer_name.bv_val : "";
	char *colon;

	snprintf( buf, len, "%s", peer );
	if ( strncmp( buf, "IP=", 3 ) ) return;
	colon = strrchr( buf, ':' );
	/* IPv4 "IP=a.b.c.d:port", IPv6 "IP=[::1]:port" */
	if ( colon && ( buf[3] != '[' || colon[-1] == ']' ) ) *colon = '\0';
}

static time_t
warden_parse_time( struct berval *bv )
{
	struct lutil_tm tm;
	struct lutil_timet tt;

	if ( lutil_parsetime( bv->bv_val, &tm ) ) return 0;
	lutil_tm2time( &tm, &tt );
	return (time_t)tt.tt_sec;
}

/* Reads what the engines share about the entry a bind names. */
static void
warden_subject_read( Operation *op, slap_overinst *on, warden_subj_rec *rec )
{
	BackendInfo *bi = op->o_bd->bd_info;
	Entry *e = NULL;
	Attribute *a;

	memset( rec, 0, sizeof( *rec ) );
	op->o_bd->bd_info = (BackendInfo *)on->on_info;
	if ( be_entry_get_rw( op, &op->o_req_ndn, NULL, NULL, 0, &e ) ==
			LDAP_SUCCESS && e ) {
		rec->sr_flags |= WARDEN_SC_FOUND;
		a = attr_find( e->e_attrs, slap_schema.si_ad_userPassword );
		if ( a ) {
			const char *scheme = warden_password_scheme();
			int target = warden_hash_rank( scheme, strlen( scheme ) );
			unsigned i;

			rec->sr_flags |= WARDEN_SC_PASSWORD;
			for ( i = 0; i < a->a_numvals; i++ ) {
				int rank = warden_hash_rank( a->a_vals[i].bv_val,
					a->a_vals[i].bv_len );

				if ( rank >= 0 && rank < target )
					rec->sr_flags |= WARDEN_SC_WEAKHASH;
			}
		}
		a = attr_find( e->e_attrs, warden_pwd.ad_pwdReset );
		if ( a && bvmatch( &a->a_nvals[0], &slap_true_bv ) )
			rec->sr_flags |= WARDEN_SC_RESET;
		if ( attr_find( e->e_attrs, warden_oath.ad_totpToken ) ||
			attr_find( e->e_attrs, warden_oath.ad_hotpToken ) )
			rec->sr_flags |= WARDEN_SC_TOKEN;
		a = attr_find( e->e_attrs, slap_schema.si_ad_entryUUID );
		if ( a && a->a_nvals[0].bv_len == WARDEN_UUID_LEN ) {
			memcpy( rec->sr_uuid, a->a_nvals[0].bv_val, WARDEN_UUID_LEN );
			rec->sr_flags |= WARDEN_SC_UUID;
		}
		a = attr_find( e->e_attrs, warden_pwd.ad_pwdAccountLockedTime );
		if ( a ) {
			/* draft-behera: 000001010000Z locks until an
			 * administrator unlocks (normalized with seconds) */
			if ( !strncmp( a->a_nvals[0].bv_val, "00000101", 8 ) )
				rec->sr_entry_locked = -1;
			else
				rec->sr_entry_locked = warden_parse_time( &a->a_nvals[0] );
		}
		a = attr_find( e->e_attrs, warden_pwd.ad_pwdPolicySubentry );
		if ( a ) {
			/* too long to cache: mark it, read again each time */
			if ( a->a_nvals[0].bv_len >= WARDEN_SC_POLICY_MAX ) {
				rec->sr_policy_len = (size_t)-1;
			} else {
				memcpy( rec->sr_policy, a->a_nvals[0].bv_val,
					a->a_nvals[0].bv_len );
				rec->sr_policy_len = a->a_nvals[0].bv_len;
			}
		}
		be_entry_release_r( op, e );
	}
	op->o_bd->bd_info = bi;
}

/* Loads what the engines share about the entry a bind names, from the
 * subject cache when it can. */
void
warden_subject_load( Operation *op, slap_overinst *on, warden_subject *ws )
{
	warden_info *wi = on->on_bi.bi_private;
	struct berval policy = BER_BVNULL;
	warden_subj_rec rec;

	if ( !warden_subjcache_get( wi->wi_subjects, op->o_req_ndn.bv_val,
			op->o_req_ndn.bv_len, &rec, &ws->ws_cache_gen ) ) {
		warden_subject_read( op, on, &rec );
		if ( rec.sr_policy_len != (size_t)-1 )
			warden_subjcache_put( wi->wi_subjects, op->o_req_ndn.bv_val,
				op->o_req_ndn.bv_len, &rec, ws->ws_cache_gen );
	}
	ws->ws_found = !!( rec.sr_flags & WARDEN_SC_FOUND );
	ws->ws_has_password = !!( rec.sr_flags & WARDEN_SC_PASSWORD );
	ws->ws_has_uuid = !!( rec.sr_flags & WARDEN_SC_UUID );
	ws->ws_store_clean = !!( rec.sr_flags & WARDEN_SC_CLEAN );
	ws->ws_reset = !!( rec.sr_flags & WARDEN_SC_RESET );
	ws->ws_has_token = !!( rec.sr_flags & WARDEN_SC_TOKEN );
	ws->ws_weak_hash = !!( rec.sr_flags & WARDEN_SC_WEAKHASH );
	ws->ws_entry_locked = (time_t)rec.sr_entry_locked;
	memcpy( ws->ws_uuid, rec.sr_uuid, WARDEN_UUID_LEN );
	if ( ws->ws_found ) ws->ws_ndn = op->o_req_ndn;

	if ( rec.sr_policy_len == (size_t)-1 ) {
		/* a policy DN too long for the cache: read it again */
		BackendInfo *bi = op->o_bd->bd_info;
		Entry *e = NULL;
		Attribute *a;

		op->o_bd->bd_info = (BackendInfo *)on->on_info;
		if ( be_entry_get_rw( op, &op->o_req_ndn, NULL, NULL, 0, &e ) ==
				LDAP_SUCCESS && e ) {
			a = attr_find( e->e_attrs, warden_pwd.ad_pwdPolicySubentry );
			if ( a ) ber_dupbv_x( &policy, &a->a_nvals[0], op->o_tmpmemctx );
			be_entry_release_r( op, e );
		}
		op->o_bd->bd_info = bi;
	} else if ( rec.sr_policy_len ) {
		policy.bv_len = rec.sr_policy_len;
		policy.bv_val = op->o_tmpalloc( policy.bv_len + 1, op->o_tmpmemctx );
		memcpy( policy.bv_val, rec.sr_policy, policy.bv_len );
		policy.bv_val[policy.bv_len] = '\0';
	}
	ws->ws_policy_state = warden_policy_applying( op, on,
		BER_BVISNULL( &policy ) ? NULL : &policy, &ws->ws_policy );
	if ( policy.bv_val ) op->o_tmpfree( policy.bv_val, op->o_tmpmemctx );
}

static int
warden_op_cleanup( Operation *op, SlapReply *rs )
{
	warden_opctx *wo = op->o_callback->sc_private;
	slap_callback **scp;

	if ( rs->sr_type != REP_RESULT && rs->sr_type != REP_EXTENDED &&
		rs->sr_type != REP_SASL )
		return SLAP_CB_CONTINUE;
	for ( scp = &op->o_callback; *scp; scp = &(*scp)->sc_next ) {
		if ( *scp == &wo->wo_cb ) {
			*scp = wo->wo_cb.sc_next;
			break;
		}
	}
	/* a write that ended without its record (abandoned, say) */
	warden_audit_withdraw_op( wo->wo_on, &wo->wo_announced );
	warden_opctx_free( op, wo );
	return SLAP_CB_CONTINUE;
}

static int
warden_bind_response( Operation *op, SlapReply *rs )
{
	warden_opctx *wo = op->o_callback->sc_private;

	if ( rs->sr_type != REP_RESULT ) return SLAP_CB_CONTINUE;
	warden_audit_bind( op, rs, wo->wo_on, wo->wo_audit_only ? NULL :
		&wo->wo_subject );
	return SLAP_CB_CONTINUE;
}

static warden_opctx *
warden_opctx_new( Operation *op, slap_overinst *on, slap_response *resp )
{
	warden_opctx *wo = op->o_tmpcalloc( 1, sizeof( *wo ), op->o_tmpmemctx );

	wo->wo_on = on;
	wo->wo_cb.sc_response = resp;
	wo->wo_cb.sc_cleanup = warden_op_cleanup;
	wo->wo_cb.sc_private = wo;
	return wo;
}

static void
warden_opctx_link( Operation *op, warden_opctx *wo )
{
	wo->wo_cb.sc_next = op->o_callback;
	op->o_callback = &wo->wo_cb;
}

static warden_opctx *
warden_opctx_push( Operation *op, slap_overinst *on, slap_response *resp )
{
	warden_opctx *wo = warden_opctx_new( op, on, resp );

	warden_opctx_link( op, wo );
	return wo;
}

static void
warden_opctx_free( Operation *op, warden_opctx *wo )
{
	op->o_tmpfree( wo, op->o_tmpmemctx );
}

static int
warden_op_bind( Operation *op, SlapReply *rs )
{
	slap_overinst *on = (slap_overinst *)op->o_bd->bd_info;
	warden_info *wi = on->on_bi.bi_private;
	warden_opctx *wo;
	warden_subject *ws;
	int rc;

	if ( op->orb_method == LDAP_AUTH_SIMPLE &&
		( rc = warden_transit_refuse( op, rs, on, NULL ) ) != SLAP_CB_CONTINUE )
		return rc;		/* a password in clear: sent and recorded */
	/* a new bind ends a restriction after a reset */
	warden_reset_conn_destroy( wi, op->o_conn );
	/* every outcome passes warden_bind_response, for the audit trail */
	wo = warden_opctx_push( op, on, warden_bind_response );
	ws = &wo->wo_subject;
	if ( op->orb_method != LDAP_AUTH_SIMPLE || BER_BVISEMPTY( &op->o_req_ndn ) ||
		( be_isroot_dn( op->o_bd, &op->o_req_ndn ) && !wi->wi_lock_rootdn ) ) {
		wo->wo_audit_only = 1;
		return SLAP_CB_CONTINUE;
	}

	warden_subject_load( op, on, ws );
	/* A rootdn whose password is in the configuration has no entry and
	 * nothing to lock. */
	if ( !ws->ws_found && be_isroot_dn( op->o_bd, &op->o_req_ndn ) ) {
		wo->wo_audit_only = 1;
		return SLAP_CB_CONTINUE;
	}

	ws->ws_mech = "SIMPLE";
	rc = warden_credential_check( op, on, ws );
	if ( ws->ws_store_clean )
		warden_subjcache_mark_clean( wi->wi_subjects, op->o_req_ndn.bv_val,
			op->o_req_ndn.bv_len, ws->ws_cache_gen );
	if ( ws->ws_store_dirty )
		warden_subjcache_mark_dirty( wi->wi_subjects,
			op->o_req_ndn.bv_val, op->o_req_ndn.bv_len );
	if ( rc != LDAP_SUCCESS )
		return warden_credential_refuse( op, rs, on, ws );

	/* warden verified the credential: the backend never sees the
	 * bind.  The frontend answers a success after this returns, and
	 * overlay_op_walk() first unlinks the callbacks of the overlay that
	 * ended the walk, so warden_bind_response would not see it: what a
	 * success owes (pwdReset's changeAfterReset and restriction, the
	 * rehash of a weak hash, the audit record) is done here; rs->sr_ctrls
	 * goes out with the success. */
	rs->sr_err = LDAP_SUCCESS;
	warden_password_bind_result( op, rs, on, ws );
	warden_audit_bind( op, rs, on, ws );
	return LDAP_SUCCESS;
}

/* A write may change what the subject cache holds for its target; a
 * rename or delete may move or remove a whole subtree. */
static void
warden_subjects_written( Operation *op, warden_info *wi )
{
	if ( op->o_tag == LDAP_REQ_MODRDN || op->o_tag == LDAP_REQ_DELETE )
		warden_subjcache_flush( wi->wi_subjects );
	else
		warden_subjcache_invalidate( wi->wi_subjects,
			op->o_req_ndn.bv_val, op->o_req_ndn.bv_len );
}

static int
warden_write_response( Operation *op, SlapReply *rs )
{
	warden_opctx *wo = op->o_callback->sc_private;
	warden_info *wi = wo->wo_on->on_bi.bi_private;

	if ( rs->sr_type != REP_RESULT ) return SLAP_CB_CONTINUE;
	/* Password Modify's result is recorded by its front (pwgen.c) */
	if ( !wo->wo_pwmod )
		warden_audit_change( op, rs, wo->wo_on, wo->wo_internal,
			&wo->wo_announced, &wo->wo_intent );
	else
		warden_audit_withdraw_op( wo->wo_on, &wo->wo_announced );
	warden_subjects_written( op, wi );
	if ( rs->sr_err != LDAP_SUCCESS ) return SLAP_CB_CONTINUE;
	if ( wi->wi_policy_n ) warden_policy_invalidate( wi, &op->o_req_ndn );
	if ( warden_access_written( op, wo->wo_on ) ) warden_roles_changed( wi );
	if ( wo->wo_unlock && wo->wo_subject.ws_has_uuid ) {
		warden_lockout_unlocked( wo->wo_on, wo->wo_subject.ws_uuid );
		warden_code_guard_unlocked( wo->wo_on, wo->wo_subject.ws_uuid );
	}
	if ( wo->wo_delete && wo->wo_subject.ws_has_uuid ) {
		warden_lockout_deleted( wo->wo_on, wo->wo_subject.ws_uuid );
		warden_totp_forget( wo->wo_on, wo->wo_subject.ws_uuid, 1 );
	}
	/* nothing of a deleted user's seed remains */
	if ( wo->wo_tokens ) warden_totp_delete_tokens( op, wo->wo_on, wo->wo_tokens );
	/* a new secret: its steps start anew */
	if ( wo->wo_secret && wo->wo_subject.ws_has_uuid )
		warden_totp_forget( wo->wo_on, wo->wo_subject.ws_uuid, 0 );
	if ( wo->wo_own_password ) warden_reset_lift( op, wo->wo_on );
	return SLAP_CB_CONTINUE;
}

static void
warden_load_uuid( Operation *op, slap_overinst *on, warden_subject *ws )
{
	warden_subj_rec rec;

	warden_subject_read( op, on, &rec );
	if ( rec.sr_flags & WARDEN_SC_UUID ) {
		memcpy( ws->ws_uuid, rec.sr_uuid, WARDEN_UUID_LEN );
		ws->ws_has_uuid = 1;
	}
}

static int
warden_entry_policy( Operation *op, slap_overinst *on, Entry *e,
	warden_policy *p )
{
	Attribute *a = e ? attr_find( e->e_attrs,
		warden_pwd.ad_pwdPolicySubentry ) : NULL;

	return warden_policy_applying( op, on, a ? &a->a_nvals[0] : NULL, p );
}

static int
warden_touches_password( Operation *op )
{
	Modifications *m;

	for ( m = op->orm_modlist; m; m = m->sml_next ) {
		if ( m->sml_desc == slap_schema.si_ad_userPassword ) return 1;
	}
	return 0;
}


/* What every write does first.  Its result, refusals included, is to
 * pass warden_write_response (the audit record); then the trail (when it
 * refuses records), a connection limited to a password change, the
 * write rules, the roles and a policy setting out of range may refuse
 * it.  Warden's own writes and replicated ones are exempt from all of
 * that (wo_exempt) and recorded all the same. */
static int
warden_write_begin( Operation *op, SlapReply *rs, slap_overinst *on,
	warden_opctx **wop )
{
	int rc, internal = warden_is_internal( op );
	warden_opctx *wo;

	*wop = wo = warden_opctx_push( op, on, warden_write_response );
	/* the intent record comes before the database; syncs may wait
	 * for it */
	warden_audit_announce_op( on, &wo->wo_announced );
	wo->wo_internal = internal;
	wo->wo_exempt = internal || warden_is_replicated( op );
	wo->wo_pwmod = warden_quality_is_exop( op );
	/* what the provider committed is applied, whatever the trail says:
	 * a refusal would only have syncrepl retry it forever */
	if ( wo->wo_exempt ) return SLAP_CB_CONTINUE;
	rc = warden_audit_accepts( op, rs, on );
	if ( rc != SLAP_CB_CONTINUE ) return rc;
	rc = warden_reset_restrict( op, rs, on );
	if ( rc != SLAP_CB_CONTINUE ) return rc;
	rc = warden_writes_check( op, rs, on );
	if ( rc != SLAP_CB_CONTINUE ) return rc;
	rc = warden_roles_write_check( op, rs, on );
	if ( rc != SLAP_CB_CONTINUE ) return rc;
	return warden_policy_write_check( op, rs, on );
}

static int
warden_op_modify( Operation *op, SlapReply *rs )
{
	slap_overinst *on = (slap_overinst *)op->o_bd->bd_info;
	warden_opctx *wo;
	int rc, unlock = 0, password = 0, secret = 0, internal;

	rc = warden_write_begin( op, rs, on, &wo );
	if ( rc != SLAP_CB_CONTINUE ) return rc;
	internal = wo->wo_exempt;
	if ( !internal ) {
		rc = warden_access_validate( op, rs, on );
		if ( rc != SLAP_CB_CONTINUE ) return rc;
		rc = warden_totp_write( op, rs, on, &secret );
		if ( rc != SLAP_CB_CONTINUE ) return rc;
	}
	rc = warden_lockout_modify( op, rs, on, &unlock );
	if ( rc != SLAP_CB_CONTINUE ) return rc;
	if ( !internal && warden_touches_password( op ) ) {
		BackendInfo *bi = op->o_bd->bd_info;
		warden_policy p;
		Entry *e = NULL;
		int state;

		op->o_bd->bd_info = (BackendInfo *)on->on_info;
		be_entry_get_rw( op, &op->o_req_ndn, NULL, NULL, 0, &e );
		op->o_bd->bd_info = bi;
		/* no entry: the backend reports noSuchObject */
		if ( e ) {
			state = warden_entry_policy( op, on, e, &p );
			rc = warden_quality_change( op, rs, on, e, state, &p );
		}
		if ( e ) {
			op->o_bd->bd_info = (BackendInfo *)on->on_info;
			be_entry_release_r( op, e );
			op->o_bd->bd_info = bi;
		}
		if ( rc != SLAP_CB_CONTINUE ) return rc;
		password = dn_match( &op->o_req_ndn, &op->o_ndn );
	}
	warden_subjects_written( op, on->on_bi.bi_private );
	wo->wo_own_password = password;
	wo->wo_unlock = unlock;
	wo->wo_secret = secret;
	if ( unlock || secret ) warden_load_uuid( op, on, &wo->wo_subject );
	return warden_audit_intent( op, rs, on, wo->wo_internal, wo->wo_pwmod,
		&wo->wo_announced, &wo->wo_intent );
}

static int
warden_op_delete( Operation *op, SlapReply *rs )
{
	slap_overinst *on = (slap_overinst *)op->o_bd->bd_info;
	warden_opctx *wo;
	int rc;

	rc = warden_write_begin( op, rs, on, &wo );
	if ( rc != SLAP_CB_CONTINUE ) return rc;
	warden_subjects_written( op, on->on_bi.bi_private );
	wo->wo_delete = 1;
	warden_load_uuid( op, on, &wo->wo_subject );
	/* a replica's tokens go with the provider's delete, replicated */
	if ( !warden_is_replicated( op ) )
		wo->wo_tokens = warden_totp_tokens_of( op, on );
	return warden_audit_intent( op, rs, on, wo->wo_internal, 0,
		&wo->wo_announced, &wo->wo_intent );
}

static int
warden_op_write( Operation *op, SlapReply *rs )
{
	slap_overinst *on = (slap_overinst *)op->o_bd->bd_info;
	warden_opctx *wo;
	int rc, internal;

	rc = warden_write_begin( op, rs, on, &wo );
	if ( rc != SLAP_CB_CONTINUE ) return rc;
	internal = wo->wo_exempt;
	if ( op->o_tag == LDAP_REQ_ADD && !internal ) {
		int secret;

		rc = warden_access_validate( op, rs, on );
		if ( rc != SLAP_CB_CONTINUE ) return rc;
		rc = warden_totp_write( op, rs, on, &secret );
		if ( rc != SLAP_CB_CONTINUE ) return rc;
	}
	if ( op->o_tag == LDAP_REQ_ADD && !internal &&
		attr_find( op->ora_e->e_attrs, slap_schema.si_ad_userPassword ) ) {
		warden_policy p;
		int state = warden_entry_policy( op, on, op->ora_e, &p );

		rc = warden_quality_change( op, rs, on, NULL, state, &p );
		if ( rc != SLAP_CB_CONTINUE ) return rc;
	}

	warden_subjects_written( op, on->on_bi.bi_private );
	return warden_audit_intent( op, rs, on, wo->wo_internal, 0,
		&wo->wo_announced, &wo->wo_intent );
}

static const struct {
	const char	*oid;
	const char	*action;
} warden_exops[] = {
	{ "1.3.6.1.4.1.1466.101.119.1", "refresh" },	/* RFC 2589, dds */
	{ "1.3.6.1.4.1.4203.666.11.9.6.1", "query-delete" },	/* pcache */
	{ NULL, NULL }
};

/* Extended operations that reach the database (Password Modify has its
 * own record, from its front in pwgen.c), recorded with their result.  The
 * overlay or backend that answers one returns its result for the frontend
 * to send, and overlay_op_walk() drops the callbacks of the overlays above
 * it first: so warden runs the rest of the stack itself and records what
 * it returns, before the frontend sends it. */
static int
warden_op_extended( Operation *op, SlapReply *rs )
{
	slap_overinst *on = (slap_overinst *)op->o_bd->bd_info;
	warden_info *wi = on->on_bi.bi_private;
	const char *action = "extended";
	warden_audit_mark mark;
	int i, rc, announced = 0;

	if ( ( !wi->wi_audit && !wi->wi_audit_file ) ||
		BER_BVISNULL( &op->ore_reqoid ) ||
		bvmatch( &op->ore_reqoid, &slap_EXOP_MODIFY_PASSWD ) )
		return SLAP_CB_CONTINUE;
	for ( i = 0; warden_exops[i].oid; i++ ) {
		if ( !strcmp( op->ore_reqoid.bv_val, warden_exops[i].oid ) ) {
			action = warden_exops[i].action;
			break;
		}
	}
	warden_audit_announce_op( on, &announced );
	/* recorded before it reaches the database (audit.c) */
	if ( warden_audit_extended_intent( op, on, action, &announced, &mark ) ) {
		rs->sr_err = LDAP_UNAVAILABLE;
		rs->sr_text = "the audit trail cannot be written (see slapd's "
			"log), so this operation is not made";
		warden_audit_extended( op, on, action, rs->sr_err, rs->sr_text,
			&announced, NULL );
		warden_audit_withdraw_op( on, &announced );
		return LDAP_UNAVAILABLE;
	}
	rc = overlay_op_walk( op, rs, op_extended, on->on_info, on->on_next );
	op->o_bd->bd_info = (BackendInfo *)on;
	if ( rc != SLAPD_ABANDON && rc != SLAPD_ASYNCOP )
		warden_audit_extended( op, on, action,
			rc == SLAP_CB_CONTINUE ? rs->sr_err : rc, rs->sr_text,
			&announced, &mark );
	warden_audit_withdraw_op( on, &announced );
	return rc;
}

/* Attributes whose values are secrets or their hashes: comparing or
 * filtering on their values would tell whether a guess is right, without
 * a bind, without a count.  With any options too ("userPassword;x-a"). */
static int
warden_secret_attr( AttributeDescription *ad )
{
	AttributeType *at = ad ? ad->ad_type : NULL;

	return at && ( at == slap_schema.si_ad_userPassword->ad_type ||
		( warden_pwd.ad_pwdHistory &&
		  at == warden_pwd.ad_pwdHistory->ad_type ) ||
		( warden_oath.ad_secret && at == warden_oath.ad_secret->ad_type ) ||
		( warden_ad.ad_recoveryCode &&
		  at == warden_ad.ad_recoveryCode->ad_type ) );
}

/* Whether a filter tests the value of a secret (presence is no guess). */
static int
warden_filter_guesses( Filter *f )
{
	for ( ; f; f = f->f_next ) {
		switch ( f->f_choice & SLAPD_FILTER_MASK ) {
		case LDAP_FILTER_AND:
		case LDAP_FILTER_OR:
			if ( warden_filter_guesses( f->f_list ) ) return 1;
			break;
		case LDAP_FILTER_NOT:
			if ( warden_filter_guesses( f->f_not ) ) return 1;
			break;
		case LDAP_FILTER_EQUALITY:
		case LDAP_FILTER_GE:
		case LDAP_FILTER_LE:
		case LDAP_FILTER_APPROX:
			if ( warden_secret_attr( f->f_av_desc ) ) return 1;
			break;
		case LDAP_FILTER_SUBSTRINGS:
			if ( warden_secret_attr( f->f_sub_desc ) ) return 1;
			break;
		case LDAP_FILTER_EXT:
			if ( f->f_mr_desc && warden_secret_attr( f->f_mr_desc ) )
				return 1;
			break;
		}
	}
	return 0;
}

/* Reads: a compare or a filter on a secret's value is refused (the
 * rootdn and warden's own operations aside); a connection that must
 * change its password may only do that; slapd's lookup of a SASL secret
 * does not get warden's passwords (sasl.c). */
static int
warden_op_read( Operation *op, SlapReply *rs )
{
	slap_overinst *on = (slap_overinst *)op->o_bd->bd_info;
	int rc = warden_reset_restrict( op, rs, on );

	if ( rc != SLAP_CB_CONTINUE ) return rc;
	if ( !warden_is_internal( op ) && !be_isroot( op ) &&
		( op->o_tag == LDAP_REQ_COMPARE ?
			warden_secret_attr( op->orc_ava->aa_desc ) :
			( !op->o_is_auth_check &&
			  warden_filter_guesses( op->ors_filter ) ) ) ) {
		BackendInfo *bi = op->o_bd->bd_info;

		Debug( LDAP_DEBUG_STATS, "warden: %s on the value of a password "
			"or secret refused\n", op->o_tag == LDAP_REQ_COMPARE ?
			"compare" : "search filter" );
		op->o_bd->bd_info = (BackendInfo *)on->on_info;
		send_ldap_error( op, rs, LDAP_UNWILLING_TO_PERFORM,
			"warden: passwords and secrets cannot be compared or "
			"searched by value; bind to check a password" );
		op->o_bd->bd_info = bi;
		return rs->sr_err;
	}
	if ( op->o_tag == LDAP_REQ_SEARCH )
		warden_sasl_search( op, rs, on );

	/* what the identity may read of warden's state is settled now,
	 * not from inside the search */
	if ( op->o_tag == LDAP_REQ_SEARCH )
		warden_role_holds( op, on, WARDEN_ROLE_AUDITOR, NULL, NULL );
	return rc;
}

static int
warden_connection_destroy( BackendDB *be, Connection *conn )
{
	slap_overinst *on = (slap_overinst *)be->bd_info;

	if ( on->on_bi.bi_private )
		warden_reset_conn_destroy( on->on_bi.bi_private, conn );
	return SLAP_CB_CONTINUE;
}

static int
warden_operational( Operation *op, SlapReply *rs )
{
	slap_overinst *on = (slap_overinst *)op->o_bd->bd_info;

	return warden_lockout_operational( op, rs, on );
}

static int
warden_initialize( void )
{
	int rc;

	/* Structs differ between slapd builds and slapd checks nothing on
	 * load: a module built for another version corrupts memory. */
	if ( !warden_version_matches( Versionstr, WARDEN_SLAPD_VERSION ) ) {
		Debug( LDAP_DEBUG_ANY, "warden: refusing to load: built for "
			"slapd " WARDEN_SLAPD_VERSION " but this is %s; rebuild "
			"warden against the source of this slapd "
			"(contrib/openldap-source.sh)\n", Versionstr );
		return -1;
	}

	/* before any database is configured: ACLs may name them */
	{
		char msg[1024];	/* names two definitions and the fix */

		if ( warden_schema_register( msg, sizeof( msg ) ) ) {
			Debug( LDAP_DEBUG_ANY, "warden: refusing to load: %s\n",
				msg );
			return -1;
		}
	}

	warden.on_bi.bi_type = "warden";
	warden.on_bi.bi_flags = SLAPO_BFLAG_SINGLE;
	warden.on_bi.bi_db_init = warden_db_init;
	warden.on_bi.bi_db_open = warden_db_open;
	warden.on_bi.bi_db_close = warden_db_close;
	warden.on_bi.bi_db_destroy = warden_db_destroy;
	warden.on_bi.bi_cf_ocs = warden_ocs;

	warden.on_bi.bi_op_bind = warden_op_bind;
	warden.on_bi.bi_op_modify = warden_op_modify;
	warden.on_bi.bi_op_delete = warden_op_delete;
	warden.on_bi.bi_op_add = warden_op_write;
	warden.on_bi.bi_op_modrdn = warden_op_write;
	warden.on_bi.bi_op_search = warden_op_read;
	warden.on_bi.bi_op_compare = warden_op_read;
	warden.on_bi.bi_extended = warden_op_extended;
	warden.on_bi.bi_operational = warden_operational;
	warden.on_bi.bi_connection_destroy = warden_connection_destroy;

	rc = config_register_schema( warden_cfg, warden_ocs );
	if ( rc ) return rc;
	return overlay_register( &warden );
}

__attribute__(( visibility( "default" ) )) int
init_module( int argc, char *argv[] )
{
	return warden_initialize();
}
