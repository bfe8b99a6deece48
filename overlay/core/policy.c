/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* policy.c - the password policy entries that apply to users
 *
 * A user's policy is the entry named by its pwdPolicySubentry, else by
 * warden-default-policy.  Binds look policies up all the time and they
 * rarely change, so parsed policies are cached; every write to a cached
 * policy entry through this database (including replication) drops it.
 */

#include "warden.h"
#include "core.h"
#include "clock.h"
#include "validate.h"

/* An integer setting of the entry; dflt when absent.  A stored value out
 * of the range validate.c gives it (written by slapadd, or by a provider
 * without warden) is read as the row's safe value, never as "off", and
 * logged. */
static unsigned
policy_uint( Entry *e, AttributeDescription *ad, unsigned dflt )
{
	const warden_policy_range *r;
	struct berval *name;
	Attribute *a;
	long long v;
	int bad;

	if ( !ad || !( a = attr_find( e->e_attrs, ad ) ) || !a->a_vals[0].bv_val )
		return dflt;
	name = &ad->ad_type->sat_cname;
	r = warden_policy_range_find( name->bv_val, name->bv_len );
	if ( !r ) {
		if ( warden_policy_int_parse( a->a_vals[0].bv_val,
				a->a_vals[0].bv_len, &v ) || v < 0 )
			return dflt;
	} else {
		v = warden_policy_value_read( r, a->a_vals[0].bv_val,
			a->a_vals[0].bv_len, &bad );
		if ( bad )
			Debug( LDAP_DEBUG_ANY, "warden: policy \"%s\": %s: the "
				"stored value %.*s is out of range (allowed %lld to "
				"%lld); read as %lld\n", e->e_name.bv_val,
				r->pr_name, (int)( a->a_vals[0].bv_len > 64 ? 64 :
				a->a_vals[0].bv_len ), a->a_vals[0].bv_val,
				r->pr_min, r->pr_max, v );
	}
	if ( v < 0 ) return 0;
	return v > (long long)UINT_MAX ? UINT_MAX : (unsigned)v;
}

static int
policy_bool( Entry *e, AttributeDescription *ad, int dflt )
{
	Attribute *a;

	if ( !ad || !( a = attr_find( e->e_attrs, ad ) ) ) return dflt;
	return bvmatch( &a->a_nvals[0], &slap_true_bv );
}

/* A draft-behera attribute, registered by warden or by ppolicy.la; NULL
 * when neither did (its setting then takes its default). */
static AttributeDescription *
policy_ad( const char *name )
{
	AttributeDescription *ad = NULL;
	const char *text;

	slap_str2ad( name, &ad, &text );
	return ad;
}

static void
policy_parse( Entry *e, warden_policy *p )
{
	Attribute *a;

	memset( p, 0, sizeof( *p ) );
	p->wp_lock.lp_lockout = policy_bool( e, policy_ad( "pwdLockout" ), 0 );
	p->wp_lock.lp_max_failure =
		policy_uint( e, policy_ad( "pwdMaxFailure" ), 0 );
	p->wp_lock.lp_interval = policy_uint( e,
		policy_ad( "pwdFailureCountInterval" ), 0 ) * WARDEN_SEC;
	p->wp_lock.lp_duration =
		policy_uint( e, policy_ad( "pwdLockoutDuration" ), 0 ) * WARDEN_SEC;
	p->wp_lock.lp_backoff = policy_uint( e, warden_ad.ad_lockoutBackoff, 1 );
	p->wp_lock.lp_max_duration =
		policy_uint( e, warden_ad.ad_lockoutMaxDuration, 0 ) * WARDEN_SEC;
	p->wp_lock.lp_backoff_reset =
		policy_uint( e, warden_ad.ad_lockoutBackoffReset, 0 ) * WARDEN_SEC;
	p->wp_lock.lp_max_idle =
		policy_uint( e, policy_ad( "pwdMaxIdle" ), 0 ) * WARDEN_SEC;
	p->wp_src_max_failure = policy_uint( e, warden_ad.ad_sourceMaxFailure, 0 );
	p->wp_quality.qp_min_length =
		policy_uint( e, policy_ad( "pwdMinLength" ), 0 );
	p->wp_quality.qp_max_length =
		policy_uint( e, policy_ad( "pwdMaxLength" ), 0 );
	p->wp_check_quality =
		policy_uint( e, policy_ad( "pwdCheckQuality" ), 0 );
	p->wp_quality.qp_min_classes = policy_uint( e, warden_ad.ad_minClasses, 0 );
	p->wp_quality.qp_min_lower = policy_uint( e, warden_ad.ad_minLower, 0 );
	p->wp_quality.qp_min_upper = policy_uint( e, warden_ad.ad_minUpper, 0 );
	p->wp_quality.qp_min_digit = policy_uint( e, warden_ad.ad_minDigit, 0 );
	p->wp_quality.qp_min_other = policy_uint( e, warden_ad.ad_minOther, 0 );
	/* a policy of draft-behera's attributes alone still refuses
	 * "aaaa" and "abcde" */
	p->wp_quality.qp_max_repeat = policy_uint( e, warden_ad.ad_maxRepeat,
		WARDEN_Q_DEFAULT_MAX_REPEAT );
	p->wp_quality.qp_max_sequence = policy_uint( e, warden_ad.ad_maxSequence,
		WARDEN_Q_DEFAULT_MAX_SEQUENCE );
	p->wp_check_dictionary =
		policy_bool( e, warden_ad.ad_checkDictionary, 1 );
	p->wp_in_history = policy_uint( e, policy_ad( "pwdInHistory" ), 0 );
	p->wp_min_age = policy_uint( e, policy_ad( "pwdMinAge" ), 0 );
	p->wp_expiry.ep_max_age = policy_uint( e, policy_ad( "pwdMaxAge" ), 0 );
	p->wp_expiry.ep_warning =
		policy_uint( e, policy_ad( "pwdExpireWarning" ), 0 );
	p->wp_expiry.ep_grace_limit =
		policy_uint( e, policy_ad( "pwdGraceAuthNLimit" ), 0 );
	p->wp_expiry.ep_grace_expiry =
		policy_uint( e, policy_ad( "pwdGraceExpiry" ), 0 );
	p->wp_must_change = policy_bool( e, policy_ad( "pwdMustChange" ), 0 );
	p->wp_allow_user_change =
		policy_bool( e, policy_ad( "pwdAllowUserChange" ), 1 );
	p->wp_safe_modify = policy_bool( e, policy_ad( "pwdSafeModify" ), 0 );
	p->wp_src_interval =
		policy_uint( e, warden_ad.ad_sourceFailureInterval, 300 ) * WARDEN_SEC;
	p->wp_mfa_required = policy_bool( e, warden_ad.ad_mfaRequired, 0 );
	p->wp_mfa_grace = policy_uint( e, warden_ad.ad_mfaGrace, 0 );
	if ( warden_ad.ad_mfaGroup &&
		( a = attr_find( e->e_attrs, warden_ad.ad_mfaGroup ) ) ) {
		ber_bvarray_dup_x( &p->wp_mfa_groups, a->a_nvals, NULL );
		p->wp_mfa_group_n = a->a_numvals;
	}
}

/* The lists of a policy, copied into op memory for a lookup's caller: the
 * cache's copy may be freed by a write to the policy entry at any time. */
static void
policy_copy_lists( Operation *op, warden_policy *p )
{
	BerVarray src = p->wp_mfa_groups;
	int i;

	if ( !src ) return;
	p->wp_mfa_groups = op->o_tmpcalloc( p->wp_mfa_group_n + 1,
		sizeof( struct berval ), op->o_tmpmemctx );
	for ( i = 0; i < p->wp_mfa_group_n; i++ )
		ber_dupbv_x( &p->wp_mfa_groups[i], &src[i], op->o_tmpmemctx );
}

static void
policy_free_lists( warden_policy *p )
{
	ber_bvarray_free( p->wp_mfa_groups );
	p->wp_mfa_groups = NULL;
	p->wp_mfa_group_n = 0;
}

void
warden_policy_cache_init( warden_info *wi )
{
	ldap_pvt_thread_rdwr_init( &wi->wi_policy_lock );
	wi->wi_policy_n = 0;
}

void
warden_policy_cache_destroy( warden_info *wi )
{
	int i;

	for ( i = 0; i < wi->wi_policy_n; i++ ) {
		ch_free( wi->wi_policy_cache[i].ps_ndn.bv_val );
		policy_free_lists( &wi->wi_policy_cache[i].ps_policy );
	}
	wi->wi_policy_n = 0;
	ldap_pvt_thread_rdwr_destroy( &wi->wi_policy_lock );
}

void
warden_policy_invalidate( warden_info *wi, struct berval *ndn )
{
	int i;

	ldap_pvt_thread_rdwr_wlock( &wi->wi_policy_lock );
	wi->wi_policy_gen++;
	for ( i = 0; i < wi->wi_policy_n; i++ ) {
		if ( !ndn || dn_match( ndn, &wi->wi_policy_cache[i].ps_ndn ) ) {
			ch_free( wi->wi_policy_cache[i].ps_ndn.bv_val );
			policy_free_lists( &wi->wi_policy_cache[i].ps_policy );
			wi->wi_policy_cache[i] = wi->wi_policy_cache[--wi->wi_policy_n];
			i--;
		}
	}
	ldap_pvt_thread_rdwr_wunlock( &wi->wi_policy_lock );
}

int
warden_policy_lookup( Operation *op, slap_overinst *on, struct berval *ndn,
	warden_policy *out )
{
	warden_info *wi = on->on_bi.bi_private;
	BackendInfo *bi = op->o_bd->bd_info;
	warden_policy_slot slot;
	Entry *e = NULL;
	unsigned long gen;
	int i, rc;

	ldap_pvt_thread_rdwr_rlock( &wi->wi_policy_lock );
	for ( i = 0; i < wi->wi_policy_n; i++ ) {
		if ( dn_match( ndn, &wi->wi_policy_cache[i].ps_ndn ) ) {
			rc = wi->wi_policy_cache[i].ps_missing ?
				WARDEN_POLICY_MISSING : WARDEN_POLICY_FOUND;
			*out = wi->wi_policy_cache[i].ps_policy;
			policy_copy_lists( op, out );
			ldap_pvt_thread_rdwr_runlock( &wi->wi_policy_lock );
			return rc;
		}
	}
	gen = wi->wi_policy_gen;
	ldap_pvt_thread_rdwr_runlock( &wi->wi_policy_lock );

	memset( &slot, 0, sizeof( slot ) );
	op->o_bd->bd_info = (BackendInfo *)on->on_info;
	rc = be_entry_get_rw( op, ndn, NULL, NULL, 0, &e );
	op->o_bd->bd_info = bi;
	if ( rc != LDAP_SUCCESS || !e ||
		!is_entry_objectclass( e, warden_pwd.oc_pwdPolicy, 0 ) ) {
		slot.ps_missing = 1;
	} else {
		policy_parse( e, &slot.ps_policy );
	}
	if ( e ) {
		op->o_bd->bd_info = (BackendInfo *)on->on_info;
		be_entry_release_r( op, e );
		op->o_bd->bd_info = bi;
	}
	*out = slot.ps_policy;
	policy_copy_lists( op, out );

	ldap_pvt_thread_rdwr_wlock( &wi->wi_policy_lock );
	/* A write to a policy entry while we read it: do not cache. */
	if ( gen == wi->wi_policy_gen && wi->wi_policy_n < WARDEN_POLICY_CACHE ) {
		ber_dupbv( &slot.ps_ndn, ndn );
		wi->wi_policy_cache[wi->wi_policy_n++] = slot;
	} else {
		policy_free_lists( &slot.ps_policy );
	}
	ldap_pvt_thread_rdwr_wunlock( &wi->wi_policy_lock );
	return slot.ps_missing ? WARDEN_POLICY_MISSING : WARDEN_POLICY_FOUND;
}

int
warden_policy_applying( Operation *op, slap_overinst *on,
	struct berval *subentry, warden_policy *out )
{
	warden_info *wi = on->on_bi.bi_private;

	/* the lookup sets all of *out */
	if ( subentry ) return warden_policy_lookup( op, on, subentry, out );
	if ( BER_BVISEMPTY( &wi->wi_default_policy ) ) {
		memset( out, 0, sizeof( *out ) );
		return WARDEN_POLICY_NONE;
	}
	return warden_policy_lookup( op, on, &wi->wi_default_policy, out );
}

/* --- values written --------------------------------------------------------- */

/* The value of a single-valued integer attribute after the modifications
 * from mods up to stop (exclusive) are applied to e (may be NULL).
 * @return 1 with *v, or 0 when it has none (or not an integer) */
static int
policy_after( Entry *e, Modifications *mods, Modifications *stop,
	AttributeDescription *ad, long long *v )
{
	Modifications *m;
	Attribute *a = e ? attr_find( e->e_attrs, ad ) : NULL;
	long long d;
	int have = a && !warden_policy_int_parse( a->a_vals[0].bv_val,
		a->a_vals[0].bv_len, v );

	for ( m = mods; m && m != stop; m = m->sml_next ) {
		if ( m->sml_desc != ad ) continue;
		switch ( m->sml_op & LDAP_MOD_OP ) {
		case LDAP_MOD_DELETE:
			have = 0;
			break;
		case LDAP_MOD_ADD:
		case LDAP_MOD_REPLACE:
			have = m->sml_numvals && !warden_policy_int_parse(
				m->sml_values[0].bv_val, m->sml_values[0].bv_len, v );
			break;
		case LDAP_MOD_INCREMENT:
			if ( !have || !m->sml_numvals || warden_policy_int_parse(
					m->sml_values[0].bv_val,
					m->sml_values[0].bv_len, &d ) )
				break;
			/* saturated: anything that far is out of range */
			if ( d > 0 && *v > LLONG_MAX - d ) *v = LLONG_MAX;
			else if ( d < 0 && *v < LLONG_MIN - d ) *v = LLONG_MIN;
			else *v += d;
			break;
		}
	}
	return have;
}

static int
policy_refuse( Operation *op, SlapReply *rs, slap_overinst *on,
	const char *msg )
{
	return warden_refuse( op, rs, on, LDAP_CONSTRAINT_VIOLATION, msg );
}

static const warden_policy_range *
policy_range_of( AttributeDescription *ad )
{
	return warden_policy_range_find( ad->ad_type->sat_cname.bv_val,
		ad->ad_type->sat_cname.bv_len );
}

int
warden_policy_write_check( Operation *op, SlapReply *rs, slap_overinst *on )
{
	BackendInfo *bi = op->o_bd->bd_info;
	char msg[SLAP_TEXT_BUFLEN];
	AttributeDescription *ad_min = NULL, *ad_max = NULL;
	const warden_policy_range *r;
	const char *text;
	Modifications *m;
	Attribute *a;
	Entry *e = NULL;
	long long minl = -1, maxl = -1, v;
	int lengths = 0, need_entry = 0, rc = SLAP_CB_CONTINUE;
	unsigned i;

	/* a replica keeps what its provider sends */
	if ( warden_is_replicated( op ) ) return SLAP_CB_CONTINUE;
	slap_str2ad( "pwdMinLength", &ad_min, &text );
	slap_str2ad( "pwdMaxLength", &ad_max, &text );

	if ( op->o_tag == LDAP_REQ_ADD ) {
		for ( a = op->ora_e->e_attrs; a; a = a->a_next ) {
			if ( !( r = policy_range_of( a->a_desc ) ) ) continue;
			for ( i = 0; i < a->a_numvals; i++ ) {
				if ( warden_policy_value_check( r, a->a_vals[i].bv_val,
						a->a_vals[i].bv_len, msg, sizeof( msg ) ) )
					return policy_refuse( op, rs, on, msg );
			}
		}
		if ( ad_min && ad_max &&
			warden_policy_lengths_check(
				policy_after( op->ora_e, NULL, NULL, ad_min, &v ) ? v : -1,
				policy_after( op->ora_e, NULL, NULL, ad_max, &v ) ? v : -1,
				msg, sizeof( msg ) ) )
			return policy_refuse( op, rs, on, msg );
		return SLAP_CB_CONTINUE;
	}
	if ( op->o_tag != LDAP_REQ_MODIFY ) return SLAP_CB_CONTINUE;

	for ( m = op->orm_modlist; m; m = m->sml_next ) {
		if ( !policy_range_of( m->sml_desc ) ) continue;
		if ( ( m->sml_op & LDAP_MOD_OP ) == LDAP_MOD_INCREMENT )
			need_entry = 1;
		if ( m->sml_desc == ad_min || m->sml_desc == ad_max )
			lengths = need_entry = 1;
	}
	if ( need_entry ) {
		op->o_bd->bd_info = (BackendInfo *)on->on_info;
		be_entry_get_rw( op, &op->o_req_ndn, NULL, NULL, 0, &e );
		op->o_bd->bd_info = bi;
	}
	for ( m = op->orm_modlist; m; m = m->sml_next ) {
		if ( !( r = policy_range_of( m->sml_desc ) ) ) continue;
		switch ( m->sml_op & LDAP_MOD_OP ) {
		case LDAP_MOD_ADD:
		case LDAP_MOD_REPLACE:
			for ( i = 0; i < m->sml_numvals; i++ ) {
				if ( warden_policy_value_check( r,
						m->sml_values[i].bv_val,
						m->sml_values[i].bv_len, msg, sizeof( msg ) ) ) {
					rc = policy_refuse( op, rs, on, msg );
					goto done;
				}
			}
			break;
		case LDAP_MOD_INCREMENT: {
			char num[32];
			int n;

			/* no value to increment: the backend says so */
			if ( !policy_after( e, op->orm_modlist, m->sml_next,
					m->sml_desc, &v ) )
				break;
			n = snprintf( num, sizeof( num ), "%lld", v );
			if ( warden_policy_value_check( r, num, n, msg,
					sizeof( msg ) ) ) {
				rc = policy_refuse( op, rs, on, msg );
				goto done;
			}
			break;
			}
		}
	}
	if ( lengths ) {
		minl = policy_after( e, op->orm_modlist, NULL, ad_min, &v ) ? v : -1;
		maxl = policy_after( e, op->orm_modlist, NULL, ad_max, &v ) ? v : -1;
		if ( warden_policy_lengths_check( minl, maxl, msg, sizeof( msg ) ) )
			rc = policy_refuse( op, rs, on, msg );
	}

done:
	if ( e ) {
		op->o_bd->bd_info = (BackendInfo *)on->on_info;
		be_entry_release_r( op, e );
		op->o_bd->bd_info = bi;
	}
	return rc;
}
