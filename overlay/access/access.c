/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* access.c - the access engine: which groups may bind from which systems
 *
 * A system (host or service) is an entry with objectClass wardenSystem,
 * recognised by where its connections come from: wardenNetwork (an
 * address or CIDR range) and wardenCertSubject (the subject of its TLS
 * client certificate).  Its wardenAllowedGroup values, and those of every
 * wardenSystemGroup it is a member of, name the user groups that may bind
 * from it.  When several systems match a connection, the most specific
 * decides: a certificate, then the longest matching network prefix
 * (equally specific systems: the union of their groups).  A bind from a
 * system by a user in none of its groups is refused with
 * invalidCredentials; a bind from no known system follows
 * warden-access-default.  The rootdn and warden-access-exempt identities
 * are never refused.
 *
 * The decision needs no secret, so it is made before the credentials are
 * checked; a refusal is only told to the log when the password was right,
 * so that someone without it learns nothing.
 *
 * Systems are read into memory at the first bind after any change to
 * them; decisions are kept per user and systems until a group or system
 * entry changes.  Membership is found through indexed searches
 * (groups.c), never by reading a group's member list.
 */

#include "warden.h"
#include "access.h"
#include "cidr.h"
#include "accessrule.h"
#include "accesscache.h"

/* why a bind from a client no system matches was decided by default */
static const char access_no_system[] = "no system entry matches the client";

typedef struct access_system {
	struct berval	as_ndn;
	warden_cidr	*as_nets;
	int		as_nnets;
	BerVarray	as_certs;	/* normalized subject DNs */
	int		as_ncerts;
	BerVarray	as_groups;	/* normalized user group DNs */
	int		as_ngroups;
} access_system;

struct warden_access {
	ldap_pvt_thread_rdwr_t	ac_lock;	/* the systems */
	uint64_t		ac_sys_gen;	/* bumped by changes to systems */
	uint64_t		ac_loaded_gen;	/* what ac_sys reflects */
	int			ac_loaded;
	int			ac_certs;	/* some system names a subject */
	access_system		*ac_sys;
	int			ac_nsys;
	warden_accesscache	*ac_cache;	/* the decisions */
};

int
warden_access_new( warden_access **acp, size_t initial, size_t max )
{
	warden_access *ac = ch_calloc( 1, sizeof( *ac ) );

	if ( !( ac->ac_cache = warden_accesscache_new( initial, max ) ) ) {
		ch_free( ac );
		return -1;
	}
	ldap_pvt_thread_rdwr_init( &ac->ac_lock );
	*acp = ac;
	return 0;
}

void
warden_access_set_max( warden_access *ac, size_t max )
{
	if ( ac ) warden_accesscache_set_max( ac->ac_cache, max );
}

static void
access_systems_free( warden_access *ac )
{
	int i;

	for ( i = 0; i < ac->ac_nsys; i++ ) {
		ch_free( ac->ac_sys[i].as_ndn.bv_val );
		ch_free( ac->ac_sys[i].as_nets );
		ber_bvarray_free( ac->ac_sys[i].as_certs );
		ber_bvarray_free( ac->ac_sys[i].as_groups );
	}
	ch_free( ac->ac_sys );
	ac->ac_sys = NULL;
	ac->ac_nsys = 0;
	ac->ac_certs = 0;
}

void
warden_access_free( warden_access *ac )
{
	if ( !ac ) return;
	access_systems_free( ac );
	ldap_pvt_thread_rdwr_destroy( &ac->ac_lock );
	warden_accesscache_free( ac->ac_cache );
	ch_free( ac );
}

/* --- reading the systems -------------------------------------------------- */

typedef struct access_load {
	warden_access	*al_ac;
	int		al_groups;	/* reading system groups */
} access_load;

static access_system *
access_find( warden_access *ac, struct berval *ndn )
{
	int i;

	for ( i = 0; i < ac->ac_nsys; i++ ) {
		if ( dn_match( &ac->ac_sys[i].as_ndn, ndn ) ) return &ac->ac_sys[i];
	}
	return NULL;
}

static void
access_add_groups( access_system *as, Attribute *a )
{
	unsigned i;

	for ( i = 0; a && i < a->a_numvals; i++ ) {
		struct berval g;

		ber_dupbv( &g, &a->a_nvals[i] );
		ber_bvarray_add( &as->as_groups, &g );
		as->as_ngroups++;
	}
}

static int
access_load_entry( Operation *op, SlapReply *rs )
{
	access_load *al = op->o_callback->sc_private;
	warden_access *ac = al->al_ac;
	Entry *e;
	Attribute *a, *allowed;
	access_system *as;
	unsigned i;

	if ( rs->sr_type != REP_SEARCH ) return 0;
	e = rs->sr_entry;
	allowed = attr_find( e->e_attrs, warden_ad.ad_allowedGroup );
	if ( al->al_groups ) {
		/* a system group: its groups go to each member system */
		AttributeDescription *mads[2] = { warden_ad.ad_member,
			warden_ad.ad_uniqueMember };
		int k;

		for ( k = 0; k < 2; k++ ) {
			a = attr_find( e->e_attrs, mads[k] );
			for ( i = 0; a && i < a->a_numvals; i++ ) {
				as = access_find( ac, &a->a_nvals[i] );
				if ( as ) access_add_groups( as, allowed );
			}
		}
		return 0;
	}
	ac->ac_sys = ch_realloc( ac->ac_sys,
		( ac->ac_nsys + 1 ) * sizeof( access_system ) );
	as = &ac->ac_sys[ac->ac_nsys++];
	memset( as, 0, sizeof( *as ) );
	ber_dupbv( &as->as_ndn, &e->e_nname );
	a = attr_find( e->e_attrs, warden_ad.ad_network );
	if ( a ) {
		as->as_nets = ch_calloc( a->a_numvals, sizeof( warden_cidr ) );
		for ( i = 0; i < a->a_numvals; i++ ) {
			char msg[128];

			/* checked when written; a bad one matches nothing */
			if ( !warden_cidr_parse( a->a_vals[i].bv_val,
					a->a_vals[i].bv_len,
					&as->as_nets[as->as_nnets], msg, sizeof( msg ) ) )
				as->as_nnets++;
		}
	}
	a = attr_find( e->e_attrs, warden_ad.ad_certSubject );
	for ( i = 0; a && i < a->a_numvals; i++ ) {
		struct berval ndn;

		if ( dnNormalize( 0, NULL, NULL, &a->a_vals[i], &ndn, NULL ) ==
				LDAP_SUCCESS ) {
			ber_bvarray_add( &as->as_certs, &ndn );
			as->as_ncerts++;
			ac->ac_certs = 1;
		}
	}
	access_add_groups( as, allowed );
	return 0;
}

static void
access_search( Operation *op, slap_overinst *on, const char *filter,
	access_load *al )
{
	slap_callback cb = { .sc_response = access_load_entry, .sc_private = al };
	Filter *f = str2filter_x( op, filter );

	if ( !f ) return;
	warden_internal_search( op, on, f, NULL, &cb );
	filter_free_x( op, f, 1 );
}

/* Reads the systems again when they changed; called with ac_lock held
 * for writing. */
static void
access_load_systems( Operation *op, slap_overinst *on, warden_access *ac )
{
	access_load al = { ac, 0 };
	uint64_t gen = ac->ac_sys_gen;

	access_systems_free( ac );
	access_search( op, on, "(objectClass=wardenSystem)", &al );
	al.al_groups = 1;
	access_search( op, on, "(objectClass=wardenSystemGroup)", &al );
	ac->ac_loaded_gen = gen;
	ac->ac_loaded = 1;
	Debug( LDAP_DEBUG_STATS, "warden: %d system entries read\n", ac->ac_nsys );
}

/* --- the decision ----------------------------------------------------------- */

static int
access_exempt( warden_info *wi, struct berval *ndn )
{
	int i;

	for ( i = 0; wi->wi_access_exempt && wi->wi_access_exempt[i].bv_val; i++ ) {
		if ( dn_match( &wi->wi_access_exempt[i], ndn ) ) return 1;
	}
	return 0;
}

/* The subject of the client's TLS certificate, normalized; empty without. */
static void
access_cert_subject( Operation *op, struct berval *out )
{
	void *ssl = NULL;

	BER_BVZERO( out );
	if ( !op->o_conn || !op->o_conn->c_sb || !op->o_conn->c_tls_ssf ) return;
	if ( ber_sockbuf_ctrl( op->o_conn->c_sb, LBER_SB_OPT_GET_SSL, &ssl ) != 1 ||
		!ssl )
		return;
	if ( dnX509peerNormalize( ssl, out ) != LDAP_SUCCESS ) BER_BVZERO( out );
}

/* What the user entry says: the uid for posixGroup's memberUid, and
 * whether memberOf (kept by the memberof overlay) already names one of
 * the groups, which spares the searches. */
static int
access_user( Operation *op, slap_overinst *on, struct berval *ndn,
	struct berval *uid, BerVarray groups, int ngroups )
{
	BackendInfo *bi = op->o_bd->bd_info;
	AttributeDescription *memberof = NULL;
	const char *text;
	Entry *e = NULL;
	Attribute *a;
	int direct = 0, i;
	unsigned j;

	BER_BVZERO( uid );
	if ( at_find( "memberOf" ) ) slap_str2ad( "memberOf", &memberof, &text );
	op->o_bd->bd_info = (BackendInfo *)on->on_info;
	if ( be_entry_get_rw( op, ndn, NULL, NULL, 0, &e ) == LDAP_SUCCESS && e ) {
		a = attr_find( e->e_attrs, slap_schema.si_ad_uid );
		if ( a ) ber_dupbv_x( uid, &a->a_nvals[0], op->o_tmpmemctx );
		a = memberof ? attr_find( e->e_attrs, memberof ) : NULL;
		for ( j = 0; a && !direct && j < a->a_numvals; j++ ) {
			for ( i = 0; !direct && i < ngroups; i++ )
				direct = dn_match( &a->a_nvals[j], &groups[i] );
		}
		be_entry_release_r( op, e );
	}
	op->o_bd->bd_info = bi;
	return direct;
}

/* Whether the client's certificate subject is one the system names. */
static int
access_cert_named( access_system *as, struct berval *subject )
{
	int j;

	for ( j = 0; subject->bv_val && j < as->as_ncerts; j++ ) {
		if ( dn_match( &as->as_certs[j], subject ) ) return 1;
	}
	return 0;
}

/* 1 allowed, 0 refused (why says where from).  Called with ac_lock held
 * for reading, and releases it: everything of the systems is read under
 * it, and what the group walk needs of them (the groups of the systems
 * that decide) is copied into op memory first, so that the walk's
 * internal searches run with no warden lock held (ARCHITECTURE.md,
 * Locks).  The most specific systems decide (README, Access): a host's
 * own entry is not widened by a range that also covers it. */
static int
access_decide( Operation *op, slap_overinst *on, warden_access *ac,
	struct berval *user, char *why, size_t len )
{
	warden_info *wi = on->on_bi.bi_private;
	warden_cidr addr;
	struct berval subject, uid = BER_BVNULL;
	BerVarray groups = NULL;
	warden_access_rule *rules;
	unsigned char *decide;
	int have_addr, i, k, n = 0, ngroups = 0, allowed, member, limit = 0;
	int locked = 1;
	uint64_t gen;
	unsigned char *key;
	size_t klen;

	have_addr = op->o_conn && op->o_conn->c_peer_name.bv_val &&
		!warden_cidr_peer( op->o_conn->c_peer_name.bv_val, &addr );
	BER_BVZERO( &subject );
	if ( ac->ac_certs ) access_cert_subject( op, &subject );

	/* the most specific systems decide (accessrule.h) */
	rules = op->o_tmpalloc( ac->ac_nsys * ( sizeof( *rules ) + 1 +
		sizeof( uint32_t ) ) + user->bv_len + 2, op->o_tmpmemctx );
	decide = (unsigned char *)( rules + ac->ac_nsys );
	key = decide + ac->ac_nsys + 1;
	for ( i = 0; i < ac->ac_nsys; i++ ) {
		rules[i].ar_nets = ac->ac_sys[i].as_nets;
		rules[i].ar_nnets = ac->ac_sys[i].as_nnets;
		rules[i].ar_cert = access_cert_named( &ac->ac_sys[i], &subject );
	}
	n = warden_accessrule_match( rules, ac->ac_nsys,
		have_addr ? &addr : NULL, decide );
	if ( subject.bv_val ) ch_free( subject.bv_val );
	/* the decision is kept per user and the systems that decide: the
	 * DN, a NUL, the systems' places in ac_sys (which a reload of the
	 * systems changes, and forgets every decision) */
	memcpy( key, user->bv_val, user->bv_len );
	key[user->bv_len] = '\0';
	klen = user->bv_len + 1;
	why[0] = '\0';
	for ( i = 0, k = 0; i < ac->ac_nsys; i++ ) {
		uint32_t at = (uint32_t)i;

		if ( !decide[i] ) continue;
		if ( !k++ ) snprintf( why, len, "%s", ac->ac_sys[i].as_ndn.bv_val );
		memcpy( key + klen, &at, sizeof( at ) );
		klen += sizeof( at );
		ngroups += ac->ac_sys[i].as_ngroups;
	}
	if ( !n ) {
		snprintf( why, len, "%s", access_no_system );
		allowed = warden_accessrule_allows( 0, wi->wi_access_default, 0 );
		goto done;
	}

	/* the generation is read while the systems cannot change: a change
	 * after it (access_written()) bumps it, and what is found below is
	 * then not kept */
	allowed = warden_accesscache_get( ac->ac_cache, key, klen, &gen );
	if ( allowed >= 0 ) goto done;

	groups = op->o_tmpalloc( ( ngroups + 1 ) * sizeof( *groups ),
		op->o_tmpmemctx );
	for ( i = 0, k = 0; i < ac->ac_nsys; i++ ) {
		access_system *as = &ac->ac_sys[i];
		int g;

		if ( !decide[i] ) continue;
		for ( g = 0; g < as->as_ngroups; g++ )
			ber_dupbv_x( &groups[k++], &as->as_groups[g],
				op->o_tmpmemctx );
	}
	BER_BVZERO( &groups[k] );
	ldap_pvt_thread_rdwr_runlock( &ac->ac_lock );
	locked = 0;

	/* a walk stopped at a limit grants nothing (fail closed) */
	member = access_user( op, on, user, &uid, groups, ngroups ) ||
		warden_group_member( op, on, user,
			uid.bv_val ? &uid : NULL, groups, ngroups, &limit );
	allowed = warden_accessrule_allows( n, wi->wi_access_default, member );
	if ( uid.bv_val ) op->o_tmpfree( uid.bv_val, op->o_tmpmemctx );
	if ( limit ) {
		size_t l = strlen( why );

		snprintf( why + l, len - l, "; its groups were not all "
			"followed (warden-group-depth, warden-group-max)" );
	}
	/* not kept when a group or system changed since the get */
	warden_accesscache_put( ac->ac_cache, key, klen, allowed, gen );

done:
	if ( locked ) ldap_pvt_thread_rdwr_runlock( &ac->ac_lock );
	op->o_tmpfree( rules, op->o_tmpmemctx );
	if ( groups ) ber_bvarray_free_x( groups, op->o_tmpmemctx );
	return allowed;
}

int
warden_access_check( Operation *op, slap_overinst *on, char *why, size_t len )
{
	return warden_access_user( op, on, &op->o_req_ndn, why, len );
}

int
warden_access_user( Operation *op, slap_overinst *on, struct berval *user,
	char *why, size_t len )
{
	warden_info *wi = on->on_bi.bi_private;
	warden_access *ac = wi->wi_access;

	if ( !ac || access_exempt( wi, user ) ) return 1;
	ldap_pvt_thread_rdwr_rlock( &ac->ac_lock );
	if ( !ac->ac_loaded || ac->ac_loaded_gen != ac->ac_sys_gen ) {
		ldap_pvt_thread_rdwr_runlock( &ac->ac_lock );
		ldap_pvt_thread_rdwr_wlock( &ac->ac_lock );
		if ( !ac->ac_loaded || ac->ac_loaded_gen != ac->ac_sys_gen )
			access_load_systems( op, on, ac );
		ldap_pvt_thread_rdwr_wunlock( &ac->ac_lock );
		ldap_pvt_thread_rdwr_rlock( &ac->ac_lock );
	}
	/* no system at all: warden-access-default decides, and nothing of
	 * the client needs to be read (the common case of a directory that
	 * does not use access rules, at every bind) */
	if ( !ac->ac_nsys ) {
		int allowed = warden_accessrule_allows( 0, wi->wi_access_default, 0 );

		ldap_pvt_thread_rdwr_runlock( &ac->ac_lock );
		if ( !allowed )
			snprintf( why, len, "%s", access_no_system );
		return allowed;
	}
	/* releases ac_lock */
	return access_decide( op, on, ac, user, why, len );
}

/* --- changes ---------------------------------------------------------------- */

void
warden_access_forget( warden_access *ac )
{
	if ( ac ) warden_accesscache_forget( ac->ac_cache );
}

static int
access_is_group_attr( AttributeDescription *ad )
{
	return ad == warden_ad.ad_member ||
		ad == warden_ad.ad_uniqueMember ||
		( warden_ad.ad_memberUid && ad == warden_ad.ad_memberUid ) ||
		ad == slap_schema.si_ad_objectClass;
}

static int
access_is_system_attr( AttributeDescription *ad )
{
	return ad == warden_ad.ad_network || ad == warden_ad.ad_certSubject ||
		ad == warden_ad.ad_allowedGroup ||
		ad == slap_schema.si_ad_objectClass ||
		ad == warden_ad.ad_member ||
		ad == warden_ad.ad_uniqueMember;
}

int
warden_access_written( Operation *op, slap_overinst *on )
{
	warden_info *wi = on->on_bi.bi_private;
	warden_access *ac = wi->wi_access;
	int sys = 0, grp = 0;
	Modifications *m;
	Attribute *a;

	if ( !ac ) return 1;
	switch ( op->o_tag ) {
	case LDAP_REQ_DELETE:
	case LDAP_REQ_MODRDN:
		sys = grp = 1;
		break;
	case LDAP_REQ_ADD:
		/* every entry has an objectClass: only systems and groups count */
		for ( a = op->ora_e->e_attrs; a; a = a->a_next ) {
			if ( a->a_desc == warden_ad.ad_network ||
				a->a_desc == warden_ad.ad_certSubject ||
				a->a_desc == warden_ad.ad_allowedGroup )
				sys = 1;
			if ( access_is_group_attr( a->a_desc ) &&
				a->a_desc != slap_schema.si_ad_objectClass )
				grp = 1;
		}
		break;
	case LDAP_REQ_MODIFY:
		for ( m = op->orm_modlist; m; m = m->sml_next ) {
			if ( access_is_system_attr( m->sml_desc ) ) sys = 1;
			if ( access_is_group_attr( m->sml_desc ) ) grp = 1;
		}
		break;
	}
	if ( sys ) {
		ldap_pvt_thread_rdwr_wlock( &ac->ac_lock );
		ac->ac_sys_gen++;
		ldap_pvt_thread_rdwr_wunlock( &ac->ac_lock );
	}
	if ( sys || grp ) warden_accesscache_forget( ac->ac_cache );
	return grp;
}

int
warden_access_validate( Operation *op, SlapReply *rs, slap_overinst *on )
{
	char msg[SLAP_TEXT_BUFLEN], reason[128];
	Modifications *m;
	Attribute *a;
	BerVarray vals = NULL;
	AttributeDescription *ad = NULL;
	unsigned i, n = 0;
	int pass;

	/* both attributes, from the entry being added or the modifications */
	for ( pass = 0; pass < 2; pass++ ) {
		AttributeDescription *want = pass ? warden_ad.ad_certSubject :
			warden_ad.ad_network;

		if ( op->o_tag == LDAP_REQ_ADD ) {
			a = attr_find( op->ora_e->e_attrs, want );
			vals = a ? a->a_vals : NULL;
			n = a ? a->a_numvals : 0;
			m = NULL;
		} else {
			m = op->orm_modlist;
			vals = NULL;
			n = 0;
		}
		do {
			if ( m ) {
				if ( m->sml_desc != want || ( m->sml_op != LDAP_MOD_ADD &&
					m->sml_op != LDAP_MOD_REPLACE ) ) {
					m = m->sml_next;
					continue;
				}
				vals = m->sml_values;
				n = m->sml_numvals;
			}
			ad = want;
			for ( i = 0; i < n; i++ ) {
				int bad;

				if ( !pass ) {
					warden_cidr c;

					bad = warden_cidr_parse( vals[i].bv_val,
						vals[i].bv_len, &c, reason, sizeof( reason ) );
				} else {
					struct berval ndn;

					bad = dnNormalize( 0, NULL, NULL, &vals[i], &ndn,
						op->o_tmpmemctx ) != LDAP_SUCCESS;
					if ( !bad ) op->o_tmpfree( ndn.bv_val, op->o_tmpmemctx );
					else snprintf( reason, sizeof( reason ), "not a DN "
						"(the certificate's subject, as in "
						"\"cn=host.example.org,o=Example\")" );
				}
				if ( bad ) {
					snprintf( msg, sizeof( msg ), "%s: \"%.*s\": %s",
						ad->ad_cname.bv_val, (int)vals[i].bv_len,
						vals[i].bv_val, reason );
					return warden_refuse( op, rs, on,
						LDAP_CONSTRAINT_VIOLATION, msg );
				}
			}
			if ( m ) m = m->sml_next;
		} while ( m );
	}
	return SLAP_CB_CONTINUE;
}
