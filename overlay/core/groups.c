/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* groups.c - whether a user is a member of some groups, nested groups too
 *
 * Policies name groups (who must use MFA, who may log into a host).  A
 * group may be a groupOfNames (member), a groupOfUniqueNames
 * (uniqueMember) or a posixGroup (memberUid: the user's uid), and a group
 * may be a member of another.
 *
 * The wanted groups are read first: a direct membership is found whatever
 * else the user belongs to.  Then the walk goes up from the user: a few
 * indexed searches, the groups that name the user, then the groups that
 * name those, and so on, until one of the wanted groups turns up or
 * nothing new does.  Walking down a group instead would mean reading
 * every member's entry.  The searches run as the rootdn inside the
 * database warden serves, so ACLs do not hide a membership.
 *
 * The walk is bounded (warden-group-depth levels, warden-group-max groups)
 * so that a user in thousands of groups cannot make every bind expensive.
 * A walk that stops at a bound has not answered the question: the caller
 * is told, and fails closed in its own direction.
 */

#include "warden.h"
#include "core.h"
#include "access.h"

typedef struct groups_walk {
	Operation	*gw_op;
	BerVarray	gw_found;	/* groups seen so far (op memory) */
	int		gw_n;
	int		gw_max;		/* room in gw_found */
	int		gw_new_from;	/* first group found in this round */
	BerVarray	gw_wanted;
	int		gw_nwanted;
	int		gw_hit;		/* a wanted group turned up */
	int		gw_overflow;	/* a new group found no room */
} groups_walk;

static int
groups_seen( groups_walk *gw, struct berval *ndn )
{
	int i;

	for ( i = 0; i < gw->gw_n; i++ ) {
		if ( dn_match( &gw->gw_found[i], ndn ) ) return 1;
	}
	return 0;
}

static int
groups_collect( Operation *op, SlapReply *rs )
{
	groups_walk *gw = op->o_callback->sc_private;
	struct berval *ndn;
	int j;

	if ( rs->sr_type != REP_SEARCH ) return 0;
	ndn = &rs->sr_entry->e_nname;
	/* every result is compared, kept or not: a wanted group among
	 * hundreds of others is still found */
	for ( j = 0; !gw->gw_hit && j < gw->gw_nwanted; j++ )
		gw->gw_hit = dn_match( ndn, &gw->gw_wanted[j] );
	if ( gw->gw_hit || gw->gw_overflow || groups_seen( gw, ndn ) ) return 0;
	if ( gw->gw_n < gw->gw_max ) {
		ber_dupbv_x( &gw->gw_found[gw->gw_n], ndn, gw->gw_op->o_tmpmemctx );
		gw->gw_n++;
	} else {
		gw->gw_overflow = 1;
	}
	return 0;
}

/* Adds (ad=value) to an OR filter, built as a structure: printing a
 * filter and parsing it again would normalize every DN once more. */
static void
groups_ava( Operation *op, Filter *or, AttributeDescription *ad,
	struct berval *value )
{
	Filter *f = op->o_tmpcalloc( 1, sizeof( Filter ), op->o_tmpmemctx );
	AttributeAssertion *ava = op->o_tmpcalloc( 1, sizeof( *ava ),
		op->o_tmpmemctx );

	ava->aa_desc = ad;
	ava->aa_value = *value;
	f->f_choice = LDAP_FILTER_EQUALITY;
	f->f_ava = ava;
	f->f_next = or->f_list;
	or->f_list = f;
}

static void
groups_filter_free( Operation *op, Filter *or )
{
	Filter *f, *next;

	for ( f = or->f_list; f; f = next ) {
		next = f->f_next;
		op->o_tmpfree( f->f_ava, op->o_tmpmemctx );
		op->o_tmpfree( f, op->o_tmpmemctx );
	}
}

/* One round: the groups that have any of dns (or uid) as a member. */
static void
groups_search( Operation *op, slap_overinst *on, groups_walk *gw,
	struct berval *dns, int ndns, struct berval *uid )
{
	slap_callback cb = { .sc_response = groups_collect, .sc_private = gw };
	Filter or;
	int i;

	/* the values are normalized DNs, and a uid: what the equality
	 * rules compare (uniqueMember's without the optional #uid) */
	memset( &or, 0, sizeof( or ) );
	or.f_choice = LDAP_FILTER_OR;
	for ( i = 0; i < ndns; i++ ) {
		if ( warden_ad.ad_member )
			groups_ava( op, &or, warden_ad.ad_member, &dns[i] );
		if ( warden_ad.ad_uniqueMember )
			groups_ava( op, &or, warden_ad.ad_uniqueMember, &dns[i] );
	}
	if ( uid && warden_ad.ad_memberUid )
		groups_ava( op, &or, warden_ad.ad_memberUid, uid );
	if ( or.f_list )
		warden_internal_search( op, on, &or, slap_anlist_no_attrs, &cb );
	groups_filter_free( op, &or );
}

/* Whether the entry of a wanted group names the user itself. */
static int
groups_direct( Operation *op, slap_overinst *on, struct berval *group,
	struct berval *userndn, struct berval *uid )
{
	AttributeDescription *ads[3] = { warden_ad.ad_member,
		warden_ad.ad_uniqueMember, warden_ad.ad_memberUid };
	BackendInfo *bi = op->o_bd->bd_info;
	Entry *e = NULL;
	Attribute *a;
	int k, found = 0;

	op->o_bd->bd_info = (BackendInfo *)on->on_info;
	if ( be_entry_get_rw( op, group, NULL, NULL, 0, &e ) != LDAP_SUCCESS )
		e = NULL;
	for ( k = 0; e && !found && k < 3; k++ ) {
		struct berval *want = k == 2 ? uid : userndn;

		if ( !ads[k] || !want ) continue;
		a = attr_find( e->e_attrs, ads[k] );
		found = a && value_find_ex( ads[k],
			SLAP_MR_ATTRIBUTE_VALUE_NORMALIZED_MATCH |
			SLAP_MR_ASSERTED_VALUE_NORMALIZED_MATCH,
			a->a_nvals, want, op->o_tmpmemctx ) == LDAP_SUCCESS;
	}
	if ( e ) be_entry_release_r( op, e );
	op->o_bd->bd_info = bi;
	return found;
}

int
warden_group_member( Operation *op, slap_overinst *on, struct berval *userndn,
	struct berval *uid, BerVarray groups, int ngroups, int *limit_hit )
{
	warden_info *wi = on->on_bi.bi_private;
	groups_walk gw;
	struct berval *frontier = userndn;
	int nfrontier = 1, depth, i, rc = 0;

	*limit_hit = 0;
	if ( !ngroups ) return 0;
	for ( i = 0; i < ngroups; i++ ) {
		if ( groups_direct( op, on, &groups[i], userndn, uid ) ) return 1;
	}

	memset( &gw, 0, sizeof( gw ) );
	gw.gw_op = op;
	gw.gw_max = wi->wi_group_max > 0 ? wi->wi_group_max :
		WARDEN_GROUP_MAX_DEFAULT;
	gw.gw_found = op->o_tmpcalloc( gw.gw_max + 1, sizeof( struct berval ),
		op->o_tmpmemctx );
	gw.gw_wanted = groups;
	gw.gw_nwanted = ngroups;
	/* one round per level; the round after the last tells whether the
	 * nesting goes deeper than followed */
	for ( depth = 0; nfrontier && !gw.gw_hit && !gw.gw_overflow; depth++ ) {
		if ( depth == wi->wi_group_depth ) {
			gw.gw_nwanted = 0;	/* beyond the limit: no answer */
			gw.gw_new_from = gw.gw_n;
			groups_search( op, on, &gw, frontier, nfrontier, NULL );
			if ( gw.gw_n > gw.gw_new_from || gw.gw_overflow ) {
				*limit_hit = 1;
				Debug( LDAP_DEBUG_ANY, "warden: the groups of \"%s\" "
					"were not all followed: they nest deeper than "
					"warden-group-depth (%d levels)\n",
					userndn->bv_val, wi->wi_group_depth );
			}
			goto done;
		}
		gw.gw_new_from = gw.gw_n;
		groups_search( op, on, &gw, frontier, nfrontier,
			depth == 0 ? uid : NULL );
		frontier = &gw.gw_found[gw.gw_new_from];
		nfrontier = gw.gw_n - gw.gw_new_from;
	}
	if ( gw.gw_hit ) {
		rc = 1;
	} else if ( gw.gw_overflow ) {
		*limit_hit = 1;
		Debug( LDAP_DEBUG_ANY, "warden: the groups of \"%s\" were not "
			"all followed: more than warden-group-max (%d groups)\n",
			userndn->bv_val, gw.gw_max );
	}

done:
	for ( i = 0; i < gw.gw_n; i++ )
		op->o_tmpfree( gw.gw_found[i].bv_val, op->o_tmpmemctx );
	op->o_tmpfree( gw.gw_found, op->o_tmpmemctx );
	return rc;
}

void
warden_groups_changed( warden_info *wi )
{
	warden_roles_changed( wi );
	warden_access_forget( wi->wi_access );
}
