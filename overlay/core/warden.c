/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* warden.c - the warden overlay: the module and the instance's life
 *
 * warden enforces password quality, TOTP, lockout and group-based access at
 * bind time and audits every change.  This file holds the module's entry
 * point and the life of the per-database instance (db_init to db_destroy).
 * The operation handlers are in operations.c, the subject of a bind in
 * subject.c, warden's own operations in internal.c, the settings in
 * config.c.
 */

#include <fcntl.h>
#include <unistd.h>

#include "warden.h"
#include "core.h"
#include "lockout.h"
#include "password.h"
#include "mfa.h"
#include "access.h"
#include "audit.h"
#include "ssh.h"
#include "dictionary.h"
#include "validate.h"
#include "ldap_rq.h"
#include "codestate.h"
#include "throttle.h"

#ifndef WARDEN_SLAPD_VERSION
#error "WARDEN_SLAPD_VERSION must name the slapd version the module is built for"
#endif


static slap_overinst warden;

/* Frees an instance and everything it holds; each part may be missing
 * (NULL or zero), so that a db_init that failed half-way unwinds through
 * the same code as db_destroy. */
static void
warden_instance_free( warden_info *wi )
{
	int i;

	if ( !wi ) return;
	warden_audit_destroy( wi );
	warden_lockout_free( wi->wi_lockout );
	warden_subjcache_free( wi->wi_subjects );
	warden_policy_cache_destroy( wi );
	warden_keyring_free( wi->wi_keys );
	ch_free( wi->wi_key_file );
	ch_free( wi->wi_state_dir );
	ch_free( wi->wi_audit_file );
	ch_free( wi->wi_audit_checkpoint );
	warden_cf_code_provider_free( wi );
	ber_bvarray_free( wi->wi_audit_redact );
	ch_free( wi->wi_default_policy.bv_val );
	warden_banlist_close( wi->wi_banned );
	ch_free( wi->wi_banned_file );
	warden_reset_close( wi );
	warden_sessions_close( wi );
	warden_totp_close( wi );
	warden_access_free( wi->wi_access );
	warden_ssh_free( wi->wi_ssh_writes );
	ber_bvarray_free( wi->wi_access_exempt );
	ber_bvarray_free( wi->wi_reuse_listeners );
	for ( i = 0; i < 3; i++ ) ch_free( wi->wi_role_group[i].bv_val );
	warden_roles_free( wi );
	ch_free( wi );
}

void
warden_cache_max_set( warden_info *wi, size_t max )
{
	wi->wi_cache_max = max;
	warden_subjcache_set_max( wi->wi_subjects, max );
	warden_access_set_max( wi->wi_access, max );
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
		return 1;	/* nothing done yet */
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
	if ( warden_ssh_schema_init( cr->msg, sizeof( cr->msg ) ) ) {
		Debug( LDAP_DEBUG_ANY, "warden: the openssh-lpk schema: %s\n",
			cr->msg );
		goto done;
	}
	if ( warden_ppolicy_init() ) {
		snprintf( cr->msg, sizeof( cr->msg ), "warden: cannot register "
			"the password policy control" );
		goto done;
	}
	if ( warden_usability_init() ) {
		snprintf( cr->msg, sizeof( cr->msg ), "warden: cannot register "
			"the account usability control" );
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
	wi->wi_forward_updates = 1;
	wi->wi_lastbind_precision = WARDEN_LASTBIND_PRECISION_DEFAULT;
	wi->wi_ssh_min_rsa_bits = WARDEN_SSHKEY_MIN_RSA_DEFAULT;
	wi->wi_access_default = 1;
	wi->wi_group_depth = WARDEN_GROUP_DEPTH_DEFAULT;
	wi->wi_group_max = WARDEN_GROUP_MAX_DEFAULT;
	wi->wi_code_max_failure = WARDEN_CODE_MAX_FAILURE_DEFAULT;
	wi->wi_code_max_delay = WARDEN_CODE_MAX_DELAY_DEFAULT;
	wi->wi_audit_agg_interval = WARDEN_AUDIT_AGGREGATE_DEFAULT;
	wi->wi_throttle_ipv6_prefix = WARDEN_THROTTLE_IPV6_PREFIX_DEFAULT;
	/* what cannot fail first: warden_instance_free() undoes it */
	warden_policy_cache_init( wi );
	warden_roles_new( wi );
	warden_audit_init( wi );
	wi->wi_cache_max = WARDEN_CACHE_MAX_DEFAULT;
	wi->wi_subjects = warden_subjcache_new( WARDEN_CACHE_INITIAL,
		WARDEN_CACHE_MAX_DEFAULT );
	if ( !wi->wi_subjects || warden_access_new( &wi->wi_access,
			WARDEN_CACHE_INITIAL, WARDEN_CACHE_MAX_DEFAULT ) ||
		warden_lockout_new( &wi->wi_lockout ) ||
		warden_ssh_new( &wi->wi_ssh_writes ) ) {
		snprintf( cr->msg, sizeof( cr->msg ), "warden: out of memory" );
		goto done;
	}
	on->on_bi.bi_private = wi;
	warden_deploy_instance( wi, 1 );
	rc = 0;

done:
	if ( rc ) {
		warden_instance_free( wi );
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
	if ( warden_usability_open( be, wi ) ) {
		snprintf( msg, sizeof( msg ), "cannot declare the account "
			"usability control for the database" );
		goto done;
	}
	if ( !warden_server_mode() ) {
		rc = 0;
		goto done;
	}
	if ( warden_lockout_open( wi->wi_lockout, msg, sizeof( msg ) ) )
		goto done;
	warden_reset_open( wi );
	warden_sessions_open( wi );
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
	warden_usability_close( be, wi );
	if ( wi->wi_sasl ) {
		warden_sasl_release();
		wi->wi_sasl = 0;
	}
	warden_sync_stop( wi );
	warden_lockout_close( wi->wi_lockout );
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

	if ( !wi ) return 0;
	warden_deploy_instance( wi, 0 );
	warden_db_close( be, cr );
	warden_instance_free( wi );
	on->on_bi.bi_private = NULL;
	warden_pwgen_release();
	warden_schema_release();
	return 0;
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

	warden_operations_install( &warden );

	rc = warden_config_register();
	if ( rc ) return rc;
	return overlay_register( &warden );
}

__attribute__(( visibility( "default" ) )) int
init_module( int argc, char *argv[] )
{
	return warden_initialize();
}

