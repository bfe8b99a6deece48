/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* subject.c - what warden knows of a bind's target
 *
 * Read once per bind from the entry (or the subject cache, subjcache.h)
 * and shared by the credential check and the engines it calls.
 */

#include "warden.h"
#include "core.h"
#include "password.h"

time_t
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
		a = attr_find( e->e_attrs, slap_schema.si_ad_pwdLastSuccess );
		if ( a ) rec->sr_last_success = warden_parse_time( &a->a_nvals[0] );
		rec->sr_last_active = rec->sr_last_success;
		a = attr_find( e->e_attrs, warden_pwd.ad_pwdChangedTime );
		if ( a && warden_parse_time( &a->a_nvals[0] ) > rec->sr_last_active )
			rec->sr_last_active = warden_parse_time( &a->a_nvals[0] );
		a = attr_find( e->e_attrs, slap_schema.si_ad_createTimestamp );
		if ( a && warden_parse_time( &a->a_nvals[0] ) > rec->sr_last_active )
			rec->sr_last_active = warden_parse_time( &a->a_nvals[0] );
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
	ws->ws_cached_clean = ws->ws_store_clean;
	ws->ws_reset = !!( rec.sr_flags & WARDEN_SC_RESET );
	ws->ws_has_token = !!( rec.sr_flags & WARDEN_SC_TOKEN );
	ws->ws_weak_hash = !!( rec.sr_flags & WARDEN_SC_WEAKHASH );
	ws->ws_entry_locked = (time_t)rec.sr_entry_locked;
	ws->ws_last_success = (time_t)rec.sr_last_success;
	ws->ws_last_active = (time_t)rec.sr_last_active;
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
		/* the record's own copy, shorter than its buffer */
		rec.sr_policy[rec.sr_policy_len] = '\0';
		ws->ws_policy_state = warden_policy_applying( op, on,
			&(struct berval){ rec.sr_policy_len, rec.sr_policy },
			&ws->ws_policy );
		return;
	}
	ws->ws_policy_state = warden_policy_applying( op, on,
		BER_BVISNULL( &policy ) ? NULL : &policy, &ws->ws_policy );
	if ( policy.bv_val ) op->o_tmpfree( policy.bv_val, op->o_tmpmemctx );
}

/* The entryUUID of the operation's target, when it has one: what a write
 * that unlocks, deletes or replaces a secret tells the engines. */
void
warden_subject_load_uuid( Operation *op, slap_overinst *on, warden_subject *ws )
{
	warden_subj_rec rec;

	warden_subject_read( op, on, &rec );
	if ( rec.sr_flags & WARDEN_SC_UUID ) {
		memcpy( ws->ws_uuid, rec.sr_uuid, WARDEN_UUID_LEN );
		ws->ws_has_uuid = 1;
	}
}
