/* groups.c - whether a user is a member of some groups, nested groups too
 *
 * Policies name groups (who must use MFA, who may log into a host).  A
 * group may be a groupOfNames (member), a groupOfUniqueNames
 * (uniqueMember) or a posixGroup (memberUid: the user's uid), and a group
 * may be a member of another.  Walking down a group means reading every
 * member's entry to find the groups among them; walking up from the user
 * is a few indexed searches instead: the groups that name the user, then
 * the groups that name those, and so on, until one of the wanted groups
 * turns up or nothing new does.  The searches run as the rootdn inside
 * the database warden serves, so ACLs do not hide a membership.
 */

#include "warden.h"

#define GROUPS_DEPTH	8	/* nesting followed */
#define GROUPS_MAX	256	/* groups visited per question */

typedef struct groups_walk {
	Operation	*gw_op;
	BerVarray	gw_found;	/* groups seen so far (op memory) */
	int		gw_n;
	int		gw_new_from;	/* first group found in this round */
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

	if ( rs->sr_type != REP_SEARCH ) return 0;
	if ( gw->gw_n < GROUPS_MAX && !groups_seen( gw, &rs->sr_entry->e_nname ) ) {
		ber_dupbv_x( &gw->gw_found[gw->gw_n], &rs->sr_entry->e_nname,
			gw->gw_op->o_tmpmemctx );
		gw->gw_n++;
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

int
warden_group_member( Operation *op, slap_overinst *on, struct berval *userndn,
	struct berval *uid, BerVarray groups, int ngroups )
{
	groups_walk gw;
	struct berval *frontier = userndn;
	int nfrontier = 1, depth, i, j, rc = 0;

	if ( !ngroups ) return 0;
	memset( &gw, 0, sizeof( gw ) );
	gw.gw_op = op;
	gw.gw_found = op->o_tmpcalloc( GROUPS_MAX + 1, sizeof( struct berval ),
		op->o_tmpmemctx );
	for ( depth = 0; depth < GROUPS_DEPTH && nfrontier && !rc; depth++ ) {
		gw.gw_new_from = gw.gw_n;
		groups_search( op, on, &gw, frontier, nfrontier,
			depth == 0 ? uid : NULL );
		for ( i = gw.gw_new_from; i < gw.gw_n && !rc; i++ ) {
			for ( j = 0; j < ngroups; j++ ) {
				if ( dn_match( &gw.gw_found[i], &groups[j] ) ) {
					rc = 1;
					break;
				}
			}
		}
		frontier = &gw.gw_found[gw.gw_new_from];
		nfrontier = gw.gw_n - gw.gw_new_from;
	}
	for ( i = 0; i < gw.gw_n; i++ )
		op->o_tmpfree( gw.gw_found[i].bv_val, op->o_tmpmemctx );
	op->o_tmpfree( gw.gw_found, op->o_tmpmemctx );
	return rc;
}
