/* roles.c - administrative roles over warden's own state
 *
 * Three groups named in the configuration hold roles:
 *	warden-admin-group	everything below, and the policy entries
 *				(pwdPolicy, wardenPolicy) and system entries
 *				(wardenSystem, wardenSystemGroup)
 *	warden-helpdesk-group	unlock accounts, enrol and reset tokens and
 *				recovery codes, read warden's state
 *	warden-auditor-group	read warden's state
 * The rootdn holds every role.  Without role groups, identities with
 * manage access (ACL) to the attribute in question act as administrators,
 * as before roles existed.  Nested groups count.  What an identity holds is
 * kept per DN until a group changes.
 */

#include "warden.h"

#define ROLES_CACHE	256

typedef struct roles_slot {
	uint64_t	rs_hash;
	uint64_t	rs_gen;
	int		rs_roles;
} roles_slot;

static ldap_pvt_thread_mutex_t roles_mutex;
static int roles_mutex_ready;
static uint64_t roles_gen = 1;
static roles_slot roles_cache[ROLES_CACHE];

void
warden_roles_init( void )
{
	if ( roles_mutex_ready++ ) return;
	ldap_pvt_thread_mutex_init( &roles_mutex );
}

void
warden_roles_destroy( void )
{
	if ( --roles_mutex_ready ) return;
	ldap_pvt_thread_mutex_destroy( &roles_mutex );
}

void
warden_roles_changed( void )
{
	ldap_pvt_thread_mutex_lock( &roles_mutex );
	roles_gen++;
	ldap_pvt_thread_mutex_unlock( &roles_mutex );
}

static uint64_t
roles_hash( warden_info *wi, struct berval *ndn )
{
	uint64_t h = 1469598103934665603ULL ^ (uintptr_t)wi;
	ber_len_t i;

	for ( i = 0; i < ndn->bv_len; i++ ) {
		h ^= (unsigned char)ndn->bv_val[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* The roles the operation's identity holds through the role groups. */
static int
roles_of( Operation *op, slap_overinst *on )
{
	warden_info *wi = on->on_bi.bi_private;
	struct berval *groups[3] = { &wi->wi_role_group[0],
		&wi->wi_role_group[1], &wi->wi_role_group[2] };
	uint64_t h, gen;
	roles_slot *sl;
	int roles = -1, i;

	if ( BER_BVISEMPTY( &op->o_ndn ) ) return 0;
	h = roles_hash( wi, &op->o_ndn );
	ldap_pvt_thread_mutex_lock( &roles_mutex );
	gen = roles_gen;
	sl = &roles_cache[h % ROLES_CACHE];
	if ( sl->rs_hash == h && sl->rs_gen == gen ) roles = sl->rs_roles;
	ldap_pvt_thread_mutex_unlock( &roles_mutex );
	if ( roles >= 0 ) return roles;

	roles = 0;
	for ( i = 0; i < 3; i++ ) {
		int limit;

		/* a walk stopped at a limit grants no role */
		if ( !BER_BVISEMPTY( groups[i] ) &&
			warden_group_member( op, on, &op->o_ndn, NULL, groups[i], 1,
				&limit ) )
			roles |= 1 << i;
	}
	/* administrators hold the lesser roles too */
	if ( roles & WARDEN_ROLE_ADMIN )
		roles |= WARDEN_ROLE_HELPDESK | WARDEN_ROLE_AUDITOR;
	if ( roles & WARDEN_ROLE_HELPDESK ) roles |= WARDEN_ROLE_AUDITOR;
	ldap_pvt_thread_mutex_lock( &roles_mutex );
	if ( roles_gen == gen ) {
		sl->rs_hash = h;
		sl->rs_gen = gen;
		sl->rs_roles = roles;
	}
	ldap_pvt_thread_mutex_unlock( &roles_mutex );
	return roles;
}

int
warden_role_holds( Operation *op, slap_overinst *on, int want, Entry *e,
	AttributeDescription *ad )
{
	warden_info *wi = on->on_bi.bi_private;
	int configured = !BER_BVISEMPTY( &wi->wi_role_group[0] ) ||
		!BER_BVISEMPTY( &wi->wi_role_group[1] ) ||
		!BER_BVISEMPTY( &wi->wi_role_group[2] );

	if ( be_isroot( op ) ) return 1;
	if ( configured && ( roles_of( op, on ) & want ) ) return 1;
	/* manage access stands for the roles warden had before them */
	if ( e && ad && access_allowed( op, e, ad, NULL, ACL_MANAGE, NULL ) )
		return 1;
	return 0;
}

int
warden_role_admin_configured( slap_overinst *on )
{
	warden_info *wi = on->on_bi.bi_private;

	return !BER_BVISEMPTY( &wi->wi_role_group[0] );
}

static int
roles_refuse( Operation *op, SlapReply *rs, slap_overinst *on,
	const char *text )
{
	BackendInfo *bi = op->o_bd->bd_info;

	op->o_bd->bd_info = (BackendInfo *)on->on_info;
	send_ldap_error( op, rs, LDAP_INSUFFICIENT_ACCESS, text );
	op->o_bd->bd_info = bi;
	rs->sr_text = NULL;
	return LDAP_INSUFFICIENT_ACCESS;
}

/* Whether an entry is one of warden's policy or system entries. */
static int
roles_policy_entry( Entry *e )
{
	return e && ( is_entry_objectclass( e, warden_pwd.oc_pwdPolicy, 0 ) ||
		( warden_ad.oc_wardenPolicy &&
		  is_entry_objectclass( e, warden_ad.oc_wardenPolicy, 0 ) ) ||
		( warden_ad.oc_wardenSystem &&
		  is_entry_objectclass( e, warden_ad.oc_wardenSystem, 0 ) ) ||
		( warden_ad.oc_wardenSystemGroup &&
		  is_entry_objectclass( e, warden_ad.oc_wardenSystemGroup, 0 ) ) );
}

int
warden_roles_write_check( Operation *op, SlapReply *rs, slap_overinst *on )
{
	static const char *const token_attrs[] = { "oathSecret",
		"oathTOTPToken", "oathHOTPToken", "oathTOTPParams",
		"oathHOTPParams", "oathTOTPLastTimeStep", "oathTOTPTimeStepDrift",
		"oathHOTPCounter", "wardenRecoveryCode", NULL };
	BackendInfo *bi = op->o_bd->bd_info;
	AttributeDescription *token_ad = NULL;
	Modifications *m;
	Entry *e = NULL;
	int i, policy = 0, ok = 1, rc = SLAP_CB_CONTINUE;

	/* replication and warden's own writes carry their own authority */
	if ( be_isroot( op ) || be_isupdate( op ) ) return SLAP_CB_CONTINUE;

	/* a token, or its secret: the user's security state */
	for ( i = 0; token_attrs[i] && !token_ad; i++ ) {
		AttributeDescription *ad = NULL;
		const char *text;

		if ( slap_str2ad( token_attrs[i], &ad, &text ) ) continue;
		if ( op->o_tag == LDAP_REQ_ADD ) {
			if ( attr_find( op->ora_e->e_attrs, ad ) ) token_ad = ad;
		} else if ( op->o_tag == LDAP_REQ_MODIFY ) {
			for ( m = op->orm_modlist; m; m = m->sml_next ) {
				if ( m->sml_desc == ad ) token_ad = ad;
			}
		}
	}
	if ( !token_ad && !warden_role_admin_configured( on ) )
		return SLAP_CB_CONTINUE;

	if ( op->o_tag == LDAP_REQ_ADD ) {
		e = op->ora_e;
	} else {
		op->o_bd->bd_info = (BackendInfo *)on->on_info;
		if ( be_entry_get_rw( op, &op->o_req_ndn, NULL, NULL, 0, &e ) !=
				LDAP_SUCCESS )
			e = NULL;
		op->o_bd->bd_info = bi;
		if ( !e ) return SLAP_CB_CONTINUE;	/* the backend says so */
	}
	if ( token_ad && !warden_role_holds( op, on,
			WARDEN_ROLE_ADMIN | WARDEN_ROLE_HELPDESK, e, token_ad ) ) {
		ok = 0;
	} else if ( warden_role_admin_configured( on ) ) {
		policy = roles_policy_entry( e );
		if ( op->o_tag == LDAP_REQ_MODIFY ) {
			/* becoming a policy or system entry counts too */
			for ( m = op->orm_modlist; m; m = m->sml_next ) {
				if ( m->sml_desc == warden_ad.ad_network ||
					m->sml_desc == warden_ad.ad_certSubject ||
					m->sml_desc == warden_ad.ad_allowedGroup )
					policy = 1;
			}
		}
		if ( policy && !warden_role_holds( op, on, WARDEN_ROLE_ADMIN,
				NULL, NULL ) )
			ok = 0;
	}
	if ( e && e != op->ora_e ) {
		op->o_bd->bd_info = (BackendInfo *)on->on_info;
		be_entry_release_r( op, e );
		op->o_bd->bd_info = bi;
	}
	if ( !ok )
		rc = roles_refuse( op, rs, on, token_ad ?
			"only administrators and the helpdesk may enrol or reset "
			"one-time code tokens and recovery codes" :
			"only warden administrators may change password policy "
			"and system entries" );
	return rc;
}
