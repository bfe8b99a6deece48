/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* operations.c - the overlay's operation handlers
 *
 * Each handler learns once what the engines need about its target, then
 * calls the engines in their order (ARCHITECTURE.md): the bind through the
 * one credential check (credential.c), every write through
 * warden_write_begin()'s rules and then its handler's, reads through the
 * secret-value guard.  warden_operations_install() gives them to slapd.
 */

#include "warden.h"
#include "core.h"
#include "lockout.h"
#include "password.h"
#include "mfa.h"
#include "access.h"
#include "audit.h"
#include "ssh.h"

/* What an operation carries from its handler to its response callback,
 * in op memory, freed at its cleanup. */
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
	warden_sessions_written( op, wo->wo_on );
	warden_peers_written( op, rs, wo->wo_on );
	if ( wi->wi_policy_n ) warden_policy_invalidate( wi, &op->o_req_ndn );
	if ( warden_access_written( op, wo->wo_on ) ) warden_roles_changed( wi );
	if ( wo->wo_unlock && wo->wo_subject.ws_has_uuid ) {
		warden_lockout_unlocked( wo->wo_on, wo->wo_subject.ws_uuid );
		warden_peers_unlocked( op, wo->wo_on, wo->wo_subject.ws_uuid );
		warden_code_guard_unlocked( wo->wo_on, wo->wo_subject.ws_uuid );
	}
	if ( wo->wo_delete && wo->wo_subject.ws_has_uuid ) {
		warden_lockout_deleted( wo->wo_on, wo->wo_subject.ws_uuid );
		warden_peers_deleted( op, wo->wo_on, wo->wo_subject.ws_uuid );
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


/* The write order: the rules every add, modify, delete and rename from a
 * client passes, in this order; the first that refuses sends its refusal
 * and ends the write.  Each returns SLAP_CB_CONTINUE or the result sent. */
static int (* const warden_write_rules[])( Operation *op, SlapReply *rs,
	slap_overinst *on ) = {
	warden_audit_accepts,		/* the trail can take the record */
	warden_peers_write_check,	/* cn=warden-state-*: warden's alone */
	warden_sessions_check,		/* the identity may still act */
	warden_reset_restrict,		/* after a reset: the password only */
	warden_writes_check,		/* what no write may carry */
	warden_roles_write_check,	/* the role table */
	warden_policy_write_check,	/* policy values in range */
	warden_ssh_write_check,		/* SSH keys: strong, one account each */
	NULL
};

/* What every write does first.  Its result, refusals included, is to
 * pass warden_write_response (the audit record); then warden_write_rules
 * may refuse it.  Warden's own writes and replicated ones are exempt from
 * all of that (wo_exempt) and recorded all the same. */
static int
warden_write_begin( Operation *op, SlapReply *rs, slap_overinst *on,
	warden_opctx **wop )
{
	int i, rc = SLAP_CB_CONTINUE, internal = warden_is_internal( op );
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
	for ( i = 0; warden_write_rules[i]; i++ ) {
		rc = warden_write_rules[i]( op, rs, on );
		if ( rc != SLAP_CB_CONTINUE ) break;
	}
	return rc;
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
	if ( !internal ) warden_lockout_disable_stamp( op );
	if ( !internal && warden_touches_password( op ) ) {
		BackendInfo *bi = op->o_bd->bd_info;
		warden_policy p;
		Entry *e = NULL;
		int state;

		op->o_bd->bd_info = (BackendInfo *)on->on_info;
		be_entry_get_rw( op, &op->o_req_ndn, NULL, NULL, 0, &e );
		op->o_bd->bd_info = bi;
		/* no entry: the backend reports noSuchObject */
		password = dn_match( &op->o_req_ndn, &op->o_ndn );
		if ( e ) {
			state = warden_entry_policy( op, on, e, &p );
			rc = warden_quality_change( op, rs, on, e, state, &p );
			if ( rc == SLAP_CB_CONTINUE && !password )
				warden_lockout_password_reset( op, e, &unlock );
		}
		if ( e ) {
			op->o_bd->bd_info = (BackendInfo *)on->on_info;
			be_entry_release_r( op, e );
			op->o_bd->bd_info = bi;
		}
		if ( rc != SLAP_CB_CONTINUE ) return rc;
	}
	warden_subjects_written( op, on->on_bi.bi_private );
	wo->wo_own_password = password;
	wo->wo_unlock = unlock;
	wo->wo_secret = secret;
	if ( unlock || secret ) warden_subject_load_uuid( op, on, &wo->wo_subject );
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
	warden_subject_load_uuid( op, on, &wo->wo_subject );
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

	rc = warden_sessions_check( op, rs, on );
	if ( rc != SLAP_CB_CONTINUE ) return rc;
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
 * does not get warden's passwords (sasl.c); SSH keys a connection is not
 * served are neither returned nor matched nor compared (keys.c). */
static int
warden_op_read( Operation *op, SlapReply *rs )
{
	slap_overinst *on = (slap_overinst *)op->o_bd->bd_info;
	int rc = warden_sessions_check( op, rs, on );

	if ( rc != SLAP_CB_CONTINUE ) return rc;
	rc = warden_reset_restrict( op, rs, on );
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
	if ( op->o_tag == LDAP_REQ_COMPARE ) {
		rc = warden_keys_compare( op, rs, on );
		if ( rc != SLAP_CB_CONTINUE ) return rc;
	}
	if ( op->o_tag == LDAP_REQ_SEARCH ) {
		warden_sasl_search( op, rs, on );
		warden_peers_search( op, rs, on );
		warden_usability_search( op, on );
		warden_keys_search( op, rs, on );
	}

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

	if ( on->on_bi.bi_private ) {
		warden_reset_conn_destroy( on->on_bi.bi_private, conn );
		warden_sessions_conn_destroy( on->on_bi.bi_private, conn );
	}
	return SLAP_CB_CONTINUE;
}

static int
warden_operational( Operation *op, SlapReply *rs )
{
	slap_overinst *on = (slap_overinst *)op->o_bd->bd_info;

	warden_peers_operational( op, rs, on );
	return warden_lockout_operational( op, rs, on );
}

void
warden_operations_install( slap_overinst *on )
{
	on->on_bi.bi_op_bind = warden_op_bind;
	on->on_bi.bi_op_modify = warden_op_modify;
	on->on_bi.bi_op_delete = warden_op_delete;
	on->on_bi.bi_op_add = warden_op_write;
	on->on_bi.bi_op_modrdn = warden_op_write;
	on->on_bi.bi_op_search = warden_op_read;
	on->on_bi.bi_op_compare = warden_op_read;
	on->on_bi.bi_extended = warden_op_extended;
	on->on_bi.bi_operational = warden_operational;
	on->on_bi.bi_connection_destroy = warden_connection_destroy;
}
