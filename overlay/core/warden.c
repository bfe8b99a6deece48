/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* warden.c - the warden overlay: the module and its operations
 *
 * warden enforces password quality, TOTP, lockout and group-based access at
 * bind time and audits every change.  This file holds what the policy
 * engines share: the per-database instance and its life (db_init to
 * db_destroy), the subject of a bind, the operation handlers that call the
 * engines in their order (ARCHITECTURE.md), and the module's entry point.
 * The settings are in config.c.
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
warden_refuse( Operation *op, SlapReply *rs, slap_overinst *on, int code,
	const char *text )
{
	BackendInfo *bi = op->o_bd->bd_info;
	char *copy = NULL;

	if ( text ) {
		size_t n = strlen( text ) + 1;

		copy = op->o_tmpalloc( n, op->o_tmpmemctx );
		memcpy( copy, text, n );
	}
	op->o_bd->bd_info = (BackendInfo *)on->on_info;
	send_ldap_error( op, rs, code, copy );
	op->o_bd->bd_info = bi;
	rs->sr_text = NULL;
	return code;
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

	rc = warden_config_register();
	if ( rc ) return rc;
	return overlay_register( &warden );
}

__attribute__(( visibility( "default" ) )) int
init_module( int argc, char *argv[] )
{
	return warden_initialize();
}
