/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
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
#include "core.h"
#include "fnv.h"

#define ROLES_CACHE	256

/* What one identity holds; the DN itself is kept, so that no other DN
 * whose hash collides can ever be taken for it. */
typedef struct roles_slot {
	struct berval	rs_ndn;
	uint64_t	rs_gen;
	int		rs_roles;
} roles_slot;

/* Per instance: each database has its own role groups. */
struct warden_roles {
	ldap_pvt_thread_mutex_t	wr_mutex;
	uint64_t		wr_gen;
	roles_slot		wr_slot[ROLES_CACHE];
};

void
warden_roles_new( warden_info *wi )
{
	warden_roles *wr = ch_calloc( 1, sizeof( *wr ) );

	ldap_pvt_thread_mutex_init( &wr->wr_mutex );
	wr->wr_gen = 1;
	wi->wi_roles = wr;
}

void
warden_roles_free( warden_info *wi )
{
	warden_roles *wr = wi->wi_roles;
	unsigned i;

	if ( !wr ) return;
	for ( i = 0; i < ROLES_CACHE; i++ ) ch_free( wr->wr_slot[i].rs_ndn.bv_val );
	ldap_pvt_thread_mutex_destroy( &wr->wr_mutex );
	ch_free( wr );
	wi->wi_roles = NULL;
}

void
warden_roles_changed( warden_info *wi )
{
	warden_roles *wr = wi->wi_roles;

	if ( !wr ) return;
	ldap_pvt_thread_mutex_lock( &wr->wr_mutex );
	wr->wr_gen++;
	ldap_pvt_thread_mutex_unlock( &wr->wr_mutex );
}

static unsigned
roles_slot_of( struct berval *ndn )
{
	return (unsigned)( warden_hash( ndn->bv_val, ndn->bv_len ) %
		ROLES_CACHE );
}

/* The roles the operation's identity holds through the role groups. */
static int
roles_of( Operation *op, slap_overinst *on )
{
	warden_info *wi = on->on_bi.bi_private;
	struct berval *groups[3] = { &wi->wi_role_group[0],
		&wi->wi_role_group[1], &wi->wi_role_group[2] };
	warden_roles *wr = wi->wi_roles;
	uint64_t gen;
	roles_slot *sl;
	int roles = -1, i;

	if ( BER_BVISEMPTY( &op->o_ndn ) ) return 0;
	sl = &wr->wr_slot[roles_slot_of( &op->o_ndn )];
	ldap_pvt_thread_mutex_lock( &wr->wr_mutex );
	gen = wr->wr_gen;
	if ( sl->rs_gen == gen && dn_match( &sl->rs_ndn, &op->o_ndn ) )
		roles = sl->rs_roles;
	ldap_pvt_thread_mutex_unlock( &wr->wr_mutex );
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
	ldap_pvt_thread_mutex_lock( &wr->wr_mutex );
	if ( wr->wr_gen == gen ) {
		if ( !dn_match( &sl->rs_ndn, &op->o_ndn ) ) {
			ch_free( sl->rs_ndn.bv_val );
			ber_dupbv( &sl->rs_ndn, &op->o_ndn );
		}
		sl->rs_gen = gen;
		sl->rs_roles = roles;
	}
	ldap_pvt_thread_mutex_unlock( &wr->wr_mutex );
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
	return warden_refuse( op, rs, on, LDAP_INSUFFICIENT_ACCESS, text );
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

/* What only some roles write, whatever the ACLs: the first rule that
 * names an attribute (exactly, or by the start of its name) decides.  A
 * rule holds for every entry when rr_always is set or a group holding
 * one of its roles is configured; without such groups it holds for the
 * identity's own entry (users never change their own security state),
 * and elsewhere the ACLs decide.  The roles include manage access to the
 * attribute (warden_role_holds()). */
typedef struct roles_rule {
	const char	*rr_name;
	int		rr_prefix;	/* rr_name is the start of names */
	int		rr_roles;	/* WARDEN_ROLE_ bits that may */
	int		rr_always;
	const char	*rr_text;	/* the attribute or class follows */
} roles_rule;

#define ROLES_AH	( WARDEN_ROLE_ADMIN | WARDEN_ROLE_HELPDESK )
#define ROLES_TOKEN_TEXT	"only administrators and the helpdesk may enrol " \
	"or reset one-time code tokens and recovery codes"
#define ROLES_STATE_TEXT	"only warden administrators may change " \
	"password policy and security state, whatever the ACLs"

static const roles_rule roles_rules[] = {
	/* a token, or its secret: the user's security state */
	{ "oathSecret", 0, ROLES_AH, 1, ROLES_TOKEN_TEXT },
	{ "oathTOTPToken", 0, ROLES_AH, 1, ROLES_TOKEN_TEXT },
	{ "oathHOTPToken", 0, ROLES_AH, 1, ROLES_TOKEN_TEXT },
	{ "oathTOTPParams", 0, ROLES_AH, 1, ROLES_TOKEN_TEXT },
	{ "oathHOTPParams", 0, ROLES_AH, 1, ROLES_TOKEN_TEXT },
	{ "oathTOTPLastTimeStep", 0, ROLES_AH, 1, ROLES_TOKEN_TEXT },
	{ "oathTOTPTimeStepDrift", 0, ROLES_AH, 1, ROLES_TOKEN_TEXT },
	{ "oathHOTPCounter", 0, ROLES_AH, 1, ROLES_TOKEN_TEXT },
	{ "wardenRecoveryCode", 0, ROLES_AH, 1, ROLES_TOKEN_TEXT },
	{ "pwdAccountLockedTime", 0, ROLES_AH, 1, "only administrators and "
		"the helpdesk (or manage access to pwdAccountLockedTime) may "
		"lock or unlock accounts" },
	{ "wardenDisabledReason", 0, ROLES_AH, 1, "only administrators and "
		"the helpdesk may disable or enable accounts" },
	/* forcing a password change is the helpdesk's, ending it the
	 * user's by changing the password (pwquality.c) */
	{ "pwdReset", 0, ROLES_AH, 0, "only administrators and the helpdesk "
		"may set or remove pwdReset; change the password to end a "
		"reset" },
	{ "pwdPolicySubentry", 0, WARDEN_ROLE_ADMIN, 0, "only warden "
		"administrators may choose the password policy of an entry" },
	/* the token's parameters: its window, its period */
	{ "oath", 1, ROLES_AH, 0, ROLES_TOKEN_TEXT },
	{ "pwd", 1, WARDEN_ROLE_ADMIN, 0, ROLES_STATE_TEXT },
	{ "warden", 1, WARDEN_ROLE_ADMIN, 0, ROLES_STATE_TEXT },
	{ NULL, 0, 0, 0, NULL }
};

/* object classes that make an entry a policy or system entry */
static const roles_rule roles_class_rule = { "objectClass", 0,
	WARDEN_ROLE_ADMIN, 0, "only warden administrators may make an entry a "
	"password policy or system entry, or unmake it" };

static const roles_rule *
roles_rule_of( AttributeDescription *ad )
{
	struct berval *name = &ad->ad_type->sat_cname;
	int i;

	for ( i = 0; roles_rules[i].rr_name; i++ ) {
		const roles_rule *r = &roles_rules[i];
		size_t n = strlen( r->rr_name );

		if ( r->rr_prefix ? name->bv_len >= n &&
				!strncasecmp( name->bv_val, r->rr_name, n ) :
			name->bv_len == n && !strcasecmp( name->bv_val, r->rr_name ) )
			return r;
	}
	return NULL;
}

/* Whether an object class is one of those, by name or OID. */
static int
roles_policy_class( struct berval *v )
{
	ObjectClass *oc = oc_bvfind( v );

	if ( !oc ) return 0;
	return oc == warden_pwd.oc_pwdPolicy ||
		( warden_ad.oc_wardenPolicy && oc == warden_ad.oc_wardenPolicy ) ||
		( warden_ad.oc_wardenSystem && oc == warden_ad.oc_wardenSystem ) ||
		( warden_ad.oc_wardenSystemGroup &&
		  oc == warden_ad.oc_wardenSystemGroup ) ||
		!strncasecmp( oc->soc_cname.bv_val, "pwd", 3 );
}

/* The groups configured, as the WARDEN_ROLE_ bits they grant. */
static int
roles_configured( warden_info *wi )
{
	int i, bits = 0;

	for ( i = 0; i < 3; i++ ) {
		if ( !BER_BVISEMPTY( &wi->wi_role_group[i] ) ) bits |= 1 << i;
	}
	return bits;
}

/* A rule the write breaks unless the identity holds its roles: the first
 * such, in *rule and *what (the attribute, or for object classes the
 * class); ad is the attribute, for the manage-access fallback. */
typedef struct roles_hit {
	const roles_rule	*rh_rule;
	AttributeDescription	*rh_ad;
	struct berval		rh_what;
} roles_hit;

static int
roles_rule_applies( const roles_rule *r, int configured, int self )
{
	return r->rr_always || self || ( configured & r->rr_roles );
}

static void
roles_consider( roles_hit *hits, int *nhits, int max, const roles_rule *r,
	AttributeDescription *ad, struct berval *what )
{
	int i;

	for ( i = 0; i < *nhits; i++ ) {
		if ( hits[i].rh_rule == r && hits[i].rh_ad == ad ) return;
	}
	if ( *nhits >= max ) return;
	hits[*nhits].rh_rule = r;
	hits[*nhits].rh_ad = ad;
	hits[*nhits].rh_what = *what;
	(*nhits)++;
}

#define ROLES_HITS	16

int
warden_roles_write_check( Operation *op, SlapReply *rs, slap_overinst *on )
{
	warden_info *wi = on->on_bi.bi_private;
	BackendInfo *bi = op->o_bd->bd_info;
	roles_hit hits[ROLES_HITS], *bad = NULL;
	char msg[SLAP_TEXT_BUFLEN];
	Modifications *m;
	Attribute *a;
	Entry *e = NULL;
	int i, nhits = 0, policy = 0, ok = 1, rc = SLAP_CB_CONTINUE;
	int configured, self;

	/* replication and warden's own writes carry their own authority */
	if ( be_isroot( op ) || warden_is_replicated( op ) ) return SLAP_CB_CONTINUE;

	configured = roles_configured( wi );
	self = !BER_BVISEMPTY( &op->o_ndn ) &&
		dn_match( &op->o_ndn, &op->o_req_ndn );

	/* what the client writes; what warden adds itself is internal */
	if ( op->o_tag == LDAP_REQ_ADD ) {
		for ( a = op->ora_e->e_attrs; a; a = a->a_next ) {
			const roles_rule *r = roles_rule_of( a->a_desc );

			if ( a->a_desc == slap_schema.si_ad_objectClass ) {
				for ( i = 0; i < (int)a->a_numvals; i++ ) {
					if ( roles_policy_class( &a->a_vals[i] ) &&
						roles_rule_applies( &roles_class_rule,
							configured, self ) )
						roles_consider( hits, &nhits, ROLES_HITS,
							&roles_class_rule, a->a_desc,
							&a->a_vals[i] );
				}
			} else if ( r && roles_rule_applies( r, configured, self ) ) {
				roles_consider( hits, &nhits, ROLES_HITS, r, a->a_desc,
					&a->a_desc->ad_cname );
			}
		}
	} else if ( op->o_tag == LDAP_REQ_MODIFY ) {
		for ( m = op->orm_modlist; m; m = m->sml_next ) {
			const roles_rule *r;

			if ( m->sml_flags & SLAP_MOD_INTERNAL ) continue;
			r = roles_rule_of( m->sml_desc );
			if ( m->sml_desc == slap_schema.si_ad_objectClass ) {
				for ( i = 0; i < (int)m->sml_numvals; i++ ) {
					if ( roles_policy_class( &m->sml_values[i] ) &&
						roles_rule_applies( &roles_class_rule,
							configured, self ) )
						roles_consider( hits, &nhits, ROLES_HITS,
							&roles_class_rule, m->sml_desc,
							&m->sml_values[i] );
				}
			} else if ( r && roles_rule_applies( r, configured, self ) ) {
				roles_consider( hits, &nhits, ROLES_HITS, r, m->sml_desc,
					&m->sml_desc->ad_cname );
			}
		}
	}
	if ( !nhits && !warden_role_admin_configured( on ) )
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
	for ( i = 0; i < nhits && ok; i++ ) {
		if ( !warden_role_holds( op, on, hits[i].rh_rule->rr_roles, e,
				hits[i].rh_ad ) ) {
			ok = 0;
			bad = &hits[i];
		}
	}
	if ( ok && warden_role_admin_configured( on ) ) {
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
	if ( !ok ) {
		if ( bad )
			snprintf( msg, sizeof( msg ), "%s (%s%.*s)",
				bad->rh_rule->rr_text,
				bad->rh_rule == &roles_class_rule ? "objectClass " : "",
				(int)bad->rh_what.bv_len, bad->rh_what.bv_val );
		Debug( LDAP_DEBUG_STATS, "warden: write to \"%s\" by \"%s\" "
			"refused: %.*s\n", op->o_req_dn.bv_val, op->o_dn.bv_val,
			bad ? (int)bad->rh_what.bv_len : 24,
			bad ? bad->rh_what.bv_val : "a policy or system entry" );
		rc = roles_refuse( op, rs, on, bad ? msg :
			"only warden administrators may change password policy "
			"and system entries" );
	}
	return rc;
}
