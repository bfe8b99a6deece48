/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* wardenctl-report.c - wardenctl report: every user's security state
 *
 *	wardenctl [LDAP options] report [--format text|json|csv] [--base DN]
 *		[--default-policy DN] [--admin-group DN] [--helpdesk-group DN]
 *		[--auditor-group DN] [--page-size N]
 *
 * For every user under the base (an entry with a userPassword or of class
 * person, posixAccount or inetOrgPerson; by default under each
 * namingContexts of the root DSE): MFA enrolled (oathTOTPToken or
 * oathHOTPToken) and required (a token; the policy's wardenMFARequired,
 * or membership of one of its wardenMFAGroup groups); the password's age,
 * expiry (pwdMaxAge, pwdExpireWarning, pwdGraceAuthNLimit, pwdGraceExpiry
 * of the policy: pwdPolicySubentry, else the default policy) and grace
 * logins; the last successful bind (pwdLastSuccess); dormant (pwdMaxIdle
 * against the latest of pwdLastSuccess, pwdChangedTime, createTimestamp),
 * disabled (pwdAccountLockedTime 000001010000Z, wardenDisabledReason) or
 * locked; the scheme of the stored password, cleartext and weak ones
 * flagged as wardenctl check and the rehash at bind see them; raw
 * (unwrapped) oathSecret seeds of its tokens; membership of the
 * administrator, helpdesk and auditor role groups; then totals.  Nested
 * groups are followed down, within warden's default bounds (8 levels,
 * 256 groups).
 *
 * The directory is read with the paged results control (RFC 2696) and each
 * user is printed as it arrives: nothing but the members of the role
 * groups and of the MFA groups of the policies met, the policies, and the
 * names of the group entries (to know a member that is a group) is held
 * in memory.  The decisions are warden's own: expiry.h, mfarule.h,
 * quality.h's hash rank, validate.h's policy ranges, and the entry rules
 * of lockrule.h (restated here: lockrule.c needs the store, which
 * wardenctl does not link).  What only the server knows (the start of an
 * MFA grace period, a lock's back-off) is not shown.  Secrets are never printed: of a userPassword
 * only its {SCHEME}, of an oathSecret only whether it is wrapped.
 *
 * Exit status: 0 the report is complete; 1 the directory cannot be reached
 * or refused a search (the report is then incomplete: a size limit on
 * paged searches, size.prtotal, is named); 2 usage or a local error.
 */

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "wardenctl-report.h"
#include "auditjson.h"
#include "expiry.h"
#include "fnv.h"
#include "mfarule.h"
#include "quality.h"
#include "validate.h"


static const char wr_usage[] =
	"usage: wardenctl [LDAP options] report [--format text|json|csv] [--base DN]\n"
	"           [--default-policy DN] [--admin-group DN] [--helpdesk-group DN]\n"
	"           [--auditor-group DN] [--page-size N]\n";

/* --- a set of strings (normalized DNs, "uid\1value") --------------------- */


static int
wr_set_has( const wr_set *s, const char *k )
{
	size_t i;

	if ( !s->ws_cap ) return 0;
	i = warden_fnv1a( WARDEN_FNV_BASIS, k, strlen( k ) ) & ( s->ws_cap - 1 );
	while ( s->ws_slot[i] ) {
		if ( !strcmp( s->ws_slot[i], k ) ) return 1;
		i = ( i + 1 ) & ( s->ws_cap - 1 );
	}
	return 0;
}

/* Adds a copy of k; 0 or -1 (out of memory). */
static int
wr_set_add( wr_set *s, const char *k )
{
	size_t i;

	if ( wr_set_has( s, k ) ) return 0;
	if ( ( s->ws_n + 1 ) * 2 > s->ws_cap ) {
		size_t nc = s->ws_cap ? s->ws_cap * 2 : 64, j;
		char **ns = calloc( nc, sizeof( *ns ) );

		if ( !ns ) return -1;
		for ( j = 0; j < s->ws_cap; j++ ) {
			if ( !s->ws_slot[j] ) continue;
			i = warden_fnv1a( WARDEN_FNV_BASIS, s->ws_slot[j],
				strlen( s->ws_slot[j] ) ) & ( nc - 1 );
			while ( ns[i] ) i = ( i + 1 ) & ( nc - 1 );
			ns[i] = s->ws_slot[j];
		}
		free( s->ws_slot );
		s->ws_slot = ns;
		s->ws_cap = nc;
	}
	i = warden_fnv1a( WARDEN_FNV_BASIS, k, strlen( k ) ) & ( s->ws_cap - 1 );
	while ( s->ws_slot[i] ) i = ( i + 1 ) & ( s->ws_cap - 1 );
	if ( !( s->ws_slot[i] = strdup( k ) ) ) return -1;
	s->ws_n++;
	return 0;
}

static void
wr_set_free( wr_set *s )
{
	size_t i;

	for ( i = 0; i < s->ws_cap; i++ ) free( s->ws_slot[i] );
	free( s->ws_slot );
	memset( s, 0, sizeof( *s ) );
}

/* A DN in one form for comparison: RFC 4514 as libldap writes it, ASCII
 * letters folded (names and the usual values, uid, cn, dc, ou, match
 * case-insensitively).  malloc'd; NULL when it is no DN. */
static char *
wr_dn_norm( const char *dn, size_t len )
{
	LDAPDN parsed = NULL;
	struct berval bv = { len, (char *)dn };
	char *out = NULL, *p;

	if ( ldap_bv2dn( &bv, &parsed, LDAP_DN_FORMAT_LDAP ) != LDAP_SUCCESS )
		return NULL;
	if ( ldap_dn2str( parsed, &out, LDAP_DN_FORMAT_LDAPV3 ) != LDAP_SUCCESS )
		out = NULL;
	ldap_dnfree( parsed );
	if ( !out ) return NULL;
	p = strdup( out );
	ldap_memfree( out );
	if ( p ) {
		char *c;

		for ( c = p; *c; c++ ) *c = (char)tolower( (unsigned char)*c );
	}
	return p;
}

/* "uid\1value", folded, for posixGroup's memberUid. */
static char *
wr_uid_key( const char *uid, size_t len )
{
	char *k = malloc( len + 5 ), *c;

	if ( !k ) return NULL;
	memcpy( k, "uid\1", 4 );
	memcpy( k + 4, uid, len );
	k[len + 4] = '\0';
	for ( c = k + 4; *c; c++ ) *c = (char)tolower( (unsigned char)*c );
	return k;
}

/* A GeneralizedTime (YYYYmmddHHMMSS[.fraction]Z), seconds since the epoch;
 * -1 when it is none. */
static long long
wr_gentime( const char *v, size_t len )
{
	struct tm tm;
	size_t i;

	if ( len < 15 ) return -1;
	for ( i = 0; i < 14; i++ )
		if ( !isdigit( (unsigned char)v[i] ) ) return -1;
	if ( v[len - 1] != 'Z' ) return -1;
	memset( &tm, 0, sizeof( tm ) );
#define D( a, n ) ( ( v[a] - '0' ) * ( n ) )
	tm.tm_year = D( 0, 1000 ) + D( 1, 100 ) + D( 2, 10 ) + D( 3, 1 ) - 1900;
	tm.tm_mon = D( 4, 10 ) + D( 5, 1 ) - 1;
	tm.tm_mday = D( 6, 10 ) + D( 7, 1 );
	tm.tm_hour = D( 8, 10 ) + D( 9, 1 );
	tm.tm_min = D( 10, 10 ) + D( 11, 1 );
	tm.tm_sec = D( 12, 10 ) + D( 13, 1 );
#undef D
	return (long long)timegm( &tm );
}


static void
wr_ldap_error( wr_run *r, const char *what, int rc )
{
	char *diag = NULL;

	ldap_get_option( r->ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag );
	fprintf( stderr, "wardenctl: report: %s: %s%s%s\n", what,
		ldap_err2string( rc ), diag && *diag ? ": " : "", diag ? diag : "" );
	ldap_memfree( diag );
}

/* The values of attr in the one entry at dn (base search); NULL when the
 * entry or the attribute is not there or not readable.  *rcp: the
 * search's result. */
static struct berval **
wr_read_attr( wr_run *r, const char *dn, char **attrs, const char *attr,
	int *rcp, LDAPMessage **resp )
{
	LDAPMessage *e;
	int rc;

	*resp = NULL;
	rc = ldap_search_ext_s( r->ld, dn, LDAP_SCOPE_BASE, "(objectClass=*)",
		attrs, 0, NULL, NULL, NULL, 1, resp );
	if ( rcp ) *rcp = rc;
	if ( rc != LDAP_SUCCESS || !( e = ldap_first_entry( r->ld, *resp ) ) )
		return NULL;
	return ldap_get_values_len( r->ld, e, attr );
}

/* How far group members are followed, as warden-group-depth and
 * warden-group-max do by default. */
#define WR_GROUP_DEPTH	8
#define WR_GROUP_MAX	256

static char **wr_contexts( wr_run *r );
typedef int wr_entry_fn( wr_run *r, LDAPMessage *e );
static int wr_paged( wr_run *r, const char *base, const char *filter,
	char **attrs, wr_entry_fn *cb, int context, int quiet );

static int
wr_group_seen( wr_run *r, LDAPMessage *e )
{
	char *dn = ldap_get_dn( r->ld, e ), *n;
	int rc = 0;

	if ( !dn ) return 0;
	n = wr_dn_norm( dn, strlen( dn ) );
	if ( n && wr_set_add( &r->allgroups, n ) ) rc = -1;
	free( n );
	ldap_memfree( dn );
	return rc;
}

/* Which DNs are groups, so that a member that is one is followed: the
 * DNs of every group entry (one paged search per naming context, names
 * only), read once and only when a group is.  Without them (a search
 * refused) only direct members count, and that is said. */
static void
wr_groups_index( wr_run *r )
{
	char *attrs[] = { "1.1", NULL };
	char **ctx;
	int i, rc = LDAP_SUCCESS;

	if ( r->groups_state ) return;
	r->groups_state = 1;
	ctx = wr_contexts( r );
	for ( i = 0; rc == LDAP_SUCCESS && ( ctx ? ctx[i] != NULL : i < 1 ); i++ )
		rc = wr_paged( r, ctx ? ctx[i] : r->cur_base,
			"(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)"
			"(objectClass=posixGroup))", attrs, wr_group_seen, 1, 1 );
	for ( i = 0; ctx && ctx[i]; i++ ) free( ctx[i] );
	free( ctx );
	if ( rc != LDAP_SUCCESS ) {
		fprintf( stderr, "wardenctl: report: the groups cannot be listed "
			"(%s): only direct members of the role and MFA groups are "
			"counted\n", ldap_err2string( rc ) );
		wr_set_free( &r->allgroups );
		r->groups_state = -1;
	}
}

/* The members of group into s, nested groups followed down (seen: the
 * groups visited).  0, or -1 out of memory. */
static int
wr_group_walk( wr_run *r, const char *group, wr_set *s, wr_set *seen,
	int depth, int *limit )
{
	char *attrs[] = { "member", "uniqueMember", "memberUid", NULL };
	LDAPMessage *res = NULL, *e;
	struct berval **v;
	int rc, i, a, ret = 0;

	rc = ldap_search_ext_s( r->ld, group, LDAP_SCOPE_BASE, "(objectClass=*)",
		attrs, 0, NULL, NULL, NULL, 1, &res );
	if ( rc != LDAP_SUCCESS || !( e = ldap_first_entry( r->ld, res ) ) ) {
		fprintf( stderr, "wardenctl: report: group \"%s\": %s: its "
			"members are not counted\n", group, rc != LDAP_SUCCESS ?
			ldap_err2string( rc ) : "not readable" );
		goto done;
	}
	for ( a = 0; attrs[a] && !ret; a++ ) {
		v = ldap_get_values_len( r->ld, e, attrs[a] );
		for ( i = 0; v && v[i] && !ret; i++ ) {
			size_t len = v[i]->bv_len;
			char *k;

			/* uniqueMember's optional "#'0101'B" is no part of the DN */
			if ( a == 1 && len > 4 && v[i]->bv_val[len - 1] == 'B' &&
				v[i]->bv_val[len - 2] == '\'' ) {
				char *h = memchr( v[i]->bv_val, '#', len );

				while ( h && h[1] != '\'' )
					h = memchr( h + 1, '#', v[i]->bv_val + len - h - 1 );
				if ( h ) len = h - v[i]->bv_val;
			}
			k = a < 2 ? wr_dn_norm( v[i]->bv_val, len )
				: wr_uid_key( v[i]->bv_val, len );
			if ( !k ) continue;
			if ( wr_set_add( s, k ) ) ret = -1;
			if ( !ret && a < 2 && r->groups_state > 0 &&
				wr_set_has( &r->allgroups, k ) && !wr_set_has( seen, k ) ) {
				if ( depth >= WR_GROUP_DEPTH || seen->ws_n >= WR_GROUP_MAX ) {
					*limit = 1;
				} else if ( wr_set_add( seen, k ) ||
					wr_group_walk( r, k, s, seen, depth + 1, limit ) ) {
					ret = -1;
				}
			}
			free( k );
		}
		ldap_value_free_len( v );
	}
done:
	ldap_msgfree( res );
	return ret;
}

/* The members of a group (member, uniqueMember as normalized DNs,
 * memberUid as "uid\1value"), and of the groups among them, into s.  A
 * group that cannot be read is named on standard error and adds nothing.
 * 0, or -1 out of memory. */
static int
wr_group_load( wr_run *r, const char *group, wr_set *s )
{
	wr_set seen = { NULL, 0, 0 };
	char *n = wr_dn_norm( group, strlen( group ) );
	int limit = 0, ret;

	wr_groups_index( r );
	if ( n && wr_set_add( &seen, n ) ) {
		free( n );
		return -1;
	}
	ret = wr_group_walk( r, group, s, &seen, 1, &limit );
	if ( limit )
		fprintf( stderr, "wardenctl: report: group \"%s\": nested deeper "
			"than %d levels or over %d groups: the members beyond are not "
			"counted\n", group, WR_GROUP_DEPTH, WR_GROUP_MAX );
	free( n );
	wr_set_free( &seen );
	return ret;
}

static long long
wr_policy_int( LDAP *ld, LDAPMessage *e, const char *attr, long long dflt )
{
	struct berval **v = ldap_get_values_len( ld, e, attr );
	const warden_policy_range *pr = warden_policy_range_find( attr,
		strlen( attr ) );
	long long out = dflt;
	int bad = 0;

	if ( v && v[0] && pr )
		out = warden_policy_value_read( pr, v[0]->bv_val, v[0]->bv_len,
			&bad );
	ldap_value_free_len( v );
	return out;
}

static int
wr_policy_bool( LDAP *ld, LDAPMessage *e, const char *attr )
{
	struct berval **v = ldap_get_values_len( ld, e, attr );
	int out = v && v[0] && v[0]->bv_len == 4 &&
		!strncasecmp( v[0]->bv_val, "TRUE", 4 );

	ldap_value_free_len( v );
	return out;
}

/* The policy at dn (as written), read once per run.  NULL: out of memory. */
static wr_policy *
wr_policy_get( wr_run *r, const char *dn )
{
	char *attrs[] = { "pwdMaxAge", "pwdExpireWarning", "pwdGraceAuthNLimit",
		"pwdGraceExpiry", "pwdMaxIdle", "pwdLockout", "pwdLockoutDuration",
		"wardenMFARequired", "wardenMFAGroup", "wardenMFAGracePeriod",
		"objectClass", NULL };
	char *norm = wr_dn_norm( dn, strlen( dn ) );
	LDAPMessage *res = NULL, *e;
	wr_policy *p;
	struct berval **g;
	int rc, i;

	if ( !norm ) norm = strdup( dn );
	if ( !norm ) return NULL;
	for ( p = r->policies; p; p = p->wp_next ) {
		if ( !strcmp( p->wp_dn, norm ) ) {
			free( norm );
			return p;
		}
	}
	if ( !( p = calloc( 1, sizeof( *p ) ) ) ) {
		free( norm );
		return NULL;
	}
	p->wp_dn = norm;
	p->wp_next = r->policies;
	r->policies = p;
	rc = ldap_search_ext_s( r->ld, dn, LDAP_SCOPE_BASE, "(objectClass=*)",
		attrs, 0, NULL, NULL, NULL, 1, &res );
	if ( rc != LDAP_SUCCESS || !( e = ldap_first_entry( r->ld, res ) ) ) {
		fprintf( stderr, "wardenctl: report: policy \"%s\": %s: its "
			"users are reported as without a policy\n", dn,
			rc != LDAP_SUCCESS ? ldap_err2string( rc ) : "not readable" );
		goto done;
	}
	p->wp_found = 1;
	p->wp_exp.ep_max_age = wr_policy_int( r->ld, e, "pwdMaxAge", 0 );
	p->wp_exp.ep_warning = wr_policy_int( r->ld, e, "pwdExpireWarning", 0 );
	p->wp_exp.ep_grace_limit = wr_policy_int( r->ld, e, "pwdGraceAuthNLimit", 0 );
	p->wp_exp.ep_grace_expiry = wr_policy_int( r->ld, e, "pwdGraceExpiry", 0 );
	p->wp_max_idle = wr_policy_int( r->ld, e, "pwdMaxIdle", 0 );
	p->wp_lockout = wr_policy_bool( r->ld, e, "pwdLockout" );
	p->wp_duration = wr_policy_int( r->ld, e, "pwdLockoutDuration", 0 );
	p->wp_mfa.mr_policy = 1;
	p->wp_mfa.mr_required = wr_policy_bool( r->ld, e, "wardenMFARequired" );
	p->wp_mfa.mr_grace = (time_t)wr_policy_int( r->ld, e,
		"wardenMFAGracePeriod", 0 );
	g = ldap_get_values_len( r->ld, e, "wardenMFAGroup" );
	for ( i = 0; g && g[i]; i++ ) {
		char *gdn = strndup( g[i]->bv_val, g[i]->bv_len );

		p->wp_mfa.mr_ngroups++;
		/* members only matter when the groups decide */
		if ( !p->wp_mfa.mr_required && gdn &&
			wr_group_load( r, gdn, &p->wp_mfa_members ) ) {
			free( gdn );
			ldap_value_free_len( g );
			ldap_msgfree( res );
			return NULL;
		}
		free( gdn );
	}
	ldap_value_free_len( g );
done:
	ldap_msgfree( res );
	return p;
}

/* --- one user ------------------------------------------------------------ */

static long long
wr_time_attr( LDAP *ld, LDAPMessage *e, const char *attr )
{
	struct berval **v = ldap_get_values_len( ld, e, attr );
	long long t = -1;

	if ( v && v[0] ) t = wr_gentime( v[0]->bv_val, v[0]->bv_len );
	ldap_value_free_len( v );
	return t;
}

/* The scheme of the weakest visible userPassword value. */
static void
wr_scheme( wr_run *r, LDAP *ld, LDAPMessage *e, wr_user *u )
{
	struct berval **v = ldap_get_values_len( ld, e, "userPassword" );
	int i, worst = 99;

	for ( i = 0; v && v[i]; i++ ) {
		const char *val = v[i]->bv_val, *end;
		size_t len = v[i]->bv_len;
		int rank = warden_hash_rank( val, len );
		/* the value that wardenctl check names is cleartext here too */
		int clear = wc_check_value( "userPassword", 12,
			(const unsigned char *)val, len ) != NULL;

		int er = clear ? 0 : rank < 0 ? 50 : rank;

		/* shown: the weakest value's scheme */
		if ( er < worst ) {
			worst = er;
			if ( clear ) {
				snprintf( u->scheme, sizeof( u->scheme ), "cleartext" );
			} else if ( ( end = memchr( val, '}', len ) ) &&
				(size_t)( end - val + 1 ) < sizeof( u->scheme ) ) {
				size_t n = end - val + 1, k;

				memcpy( u->scheme, val, n );
				u->scheme[n] = '\0';
				for ( k = 1; k < n - 1; k++ )
					u->scheme[k] = (char)toupper(
						(unsigned char)u->scheme[k] );
				/* crypt(3): which one decides its strength ($6$) */
				if ( !strcmp( u->scheme, "{CRYPT}" ) && len > 9 &&
					val[7] == '$' ) {
					const char *d = memchr( val + 8, '$', len - 8 );

					if ( d && d - val - 6 <= 4 ) {
						memcpy( u->scheme + n, val + 7, d - val - 6 );
						u->scheme[n + ( d - val - 6 )] = '\0';
					}
				}
			}
		}
		if ( clear ) u->cleartext = 1;
		else if ( rank >= 0 && rank <= 1 ) u->weak = 1;
		/* values may be cleartext passwords: not left in our memory */
		OPENSSL_cleanse( v[i]->bv_val, v[i]->bv_len );
	}
	if ( v && v[0] ) r->pw_seen++;
	ldap_value_free_len( v );
}

/* Raw seeds among the oathSecret values of token (an entry's values, or
 * the token entry read); -1 when none is visible. */
static int
wr_count_raw( LDAP *ld, LDAPMessage *e )
{
	struct berval **v = ldap_get_values_len( ld, e, "oathSecret" );
	int i, raw = 0;

	if ( !v || !v[0] ) {
		ldap_value_free_len( v );
		return -1;
	}
	for ( i = 0; v[i]; i++ ) {
		if ( wc_check_value( "oathSecret", 10,
				(const unsigned char *)v[i]->bv_val, v[i]->bv_len ) )
			raw++;
		OPENSSL_cleanse( v[i]->bv_val, v[i]->bv_len );
	}
	ldap_value_free_len( v );
	return raw;
}

/* The user's tokens (unorm: its normalized DN): u->mfa, u->raw_seeds. */
static void
wr_seeds( wr_run *r, LDAPMessage *e, const char *unorm, wr_user *u )
{
	static const char *const tok_attrs[] = { "oathTOTPToken", "oathHOTPToken" };
	char *attrs[] = { "oathSecret", NULL };
	int t, i, n;

	u->raw_seeds = 0;
	for ( t = 0; t < 2; t++ ) {
		struct berval **v = ldap_get_values_len( r->ld, e, tok_attrs[t] );

		for ( i = 0; v && v[i]; i++ ) {
			char *tdn = strndup( v[i]->bv_val, v[i]->bv_len );
			char *tnorm = tdn ? wr_dn_norm( tdn, strlen( tdn ) ) : NULL;

			if ( unorm && tnorm && !strcmp( unorm, tnorm ) ) {
				/* the user is its own token (wardenctl totp) */
				n = wr_count_raw( r->ld, e );
			} else if ( tdn ) {
				LDAPMessage *res = NULL, *te;

				n = -1;
				if ( ldap_search_ext_s( r->ld, tdn, LDAP_SCOPE_BASE,
						"(objectClass=*)", attrs, 0, NULL, NULL, NULL,
						1, &res ) == LDAP_SUCCESS &&
					( te = ldap_first_entry( r->ld, res ) ) )
					n = wr_count_raw( r->ld, te );
				ldap_msgfree( res );
			} else {
				n = -1;
			}
			if ( n < 0 ) {
				r->seeds_hidden++;
				if ( u->raw_seeds == 0 ) u->raw_seeds = -1;
			} else {
				if ( u->raw_seeds < 0 ) u->raw_seeds = 0;
				u->raw_seeds += n;
			}
			if ( !u->mfa ) u->mfa = t ? "hotp" : "totp";
			free( tdn );
			free( tnorm );
		}
		ldap_value_free_len( v );
	}
}

/* --- the decisions ------------------------------------------------------- */

static int
wr_user_one( wr_run *r, LDAPMessage *e )
{
	wr_user u;
	struct berval **v;
	wr_policy *p = NULL;
	char *dn = ldap_get_dn( r->ld, e ), *norm = NULL, *k;
	long long locked_at = 0, t;
	int i, member = 0;

	if ( !dn ) return -1;
	memset( &u, 0, sizeof( u ) );
	u.dn = dn;
	u.grace_left = -1;
	u.locked_since = u.locked_until = -1;

	/* the user's name: uid, else its first RDN's value */
	if ( ( v = ldap_get_values_len( r->ld, e, "uid" ) ) && v[0] ) {
		snprintf( u.uid, sizeof( u.uid ), "%.*s", (int)v[0]->bv_len,
			v[0]->bv_val );
	} else {
		const char *eq = strchr( dn, '=' ), *end;

		eq = eq ? eq + 1 : dn;
		end = eq;
		while ( *end && *end != ',' && *end != '+' ) {
			if ( *end == '\\' && end[1] ) end++;
			end++;
		}
		snprintf( u.uid, sizeof( u.uid ), "%.*s", (int)( end - eq ), eq );
	}

	/* roles: direct members, by DN or (posixGroup) by uid */
	norm = wr_dn_norm( dn, strlen( dn ) );
	for ( i = 0; i < WR_ROLES; i++ ) {
		int j;

		if ( norm && wr_set_has( &r->roles[i], norm ) ) u.roles[i] = 1;
		for ( j = 0; v && v[j] && !u.roles[i]; j++ ) {
			if ( ( k = wr_uid_key( v[j]->bv_val, v[j]->bv_len ) ) ) {
				u.roles[i] = wr_set_has( &r->roles[i], k );
				free( k );
			}
		}
	}

	/* the policy: pwdPolicySubentry, else the default */
	{
		struct berval **ps = ldap_get_values_len( r->ld, e,
			"pwdPolicySubentry" );
		char *pdn = NULL;

		if ( ps && ps[0] ) pdn = strndup( ps[0]->bv_val, ps[0]->bv_len );
		else if ( r->default_policy ) pdn = strdup( r->default_policy );
		ldap_value_free_len( ps );
		if ( pdn ) {
			snprintf( u.policy, sizeof( u.policy ), "%s", pdn );
			p = wr_policy_get( r, pdn );
			free( pdn );
			if ( !p ) goto oom;
			if ( !p->wp_found ) p = NULL;
		}
	}

	/* MFA: a token named; required by the policy or its groups */
	wr_seeds( r, e, norm, &u );
	if ( p ) {
		if ( warden_mfarule_needs_groups( &p->wp_mfa ) ) {
			int j;

			member = norm && wr_set_has( &p->wp_mfa_members, norm );
			for ( j = 0; v && v[j] && !member; j++ ) {
				if ( ( k = wr_uid_key( v[j]->bv_val, v[j]->bv_len ) ) ) {
					member = wr_set_has( &p->wp_mfa_members, k );
					free( k );
				}
			}
		}
		u.mfa_required = warden_mfarule_required( &p->wp_mfa, member, 0 );
		if ( u.mfa_required )
			u.mfa_required_by = p->wp_mfa.mr_required ? "policy" : "group";
	}
	ldap_value_free_len( v );
	v = NULL;
	/* a token is a requirement in itself: its code is asked at every bind */
	if ( u.mfa && !u.mfa_required ) {
		u.mfa_required = 1;
		u.mfa_required_by = "token";
	}

	wr_scheme( r, r->ld, e, &u );

	/* expiry (expiry.h, as the bind decides it) */
	u.changed = wr_time_attr( r->ld, e, "pwdChangedTime" );
	u.expires = -1;
	if ( p && p->wp_exp.ep_max_age > 0 && u.changed >= 0 ) {
		long long grace_used = 0, value = 0;
		struct berval **g = ldap_get_values_len( r->ld, e, "pwdGraceUseTime" );

		for ( i = 0; g && g[i]; i++ ) grace_used++;
		ldap_value_free_len( g );
		u.expires = u.changed + p->wp_exp.ep_max_age;
		switch ( warden_expiry_decide( &p->wp_exp, u.changed, grace_used,
				r->now, &value ) ) {
		case WARDEN_EXPIRY_OK: u.pw_status = "ok"; break;
		case WARDEN_EXPIRY_WARN: u.pw_status = "warning"; break;
		case WARDEN_EXPIRY_GRACE:
			u.pw_status = "grace";
			u.grace_left = value + 1;	/* before this bind */
			break;
		case WARDEN_EXPIRY_EXPIRED: u.pw_status = "expired"; break;
		}
	} else if ( u.changed >= 0 || u.scheme[0] ) {
		u.pw_status = "ok";
	}

	/* activity, dormant (lockrule.h's warden_lockrule_dormant()) */
	u.last_success = wr_time_attr( r->ld, e, "pwdLastSuccess" );
	u.last_active = u.last_success;
	if ( u.changed > u.last_active ) u.last_active = u.changed;
	t = wr_time_attr( r->ld, e, "createTimestamp" );
	if ( t > u.last_active ) u.last_active = t;
	if ( p && p->wp_max_idle > 0 && u.last_active > 0 )
		u.dormant = r->now - u.last_active > p->wp_max_idle;

	/* disabled, locked (lockrule.h's warden_lockrule_entry_locks(), and
	 * the store's lock as wardenLockedUntil shows it to the roles) */
	if ( ( v = ldap_get_values_len( r->ld, e, "pwdAccountLockedTime" ) ) &&
		v[0] ) {
		if ( v[0]->bv_len == 13 && !memcmp( v[0]->bv_val,
				"000001010000Z", 13 ) )
			locked_at = -1;
		else if ( ( locked_at = wr_gentime( v[0]->bv_val,
				v[0]->bv_len ) ) <= 0 )
			locked_at = 0;
	}
	ldap_value_free_len( v );
	v = NULL;
	if ( locked_at == -1 ) {
		struct berval **why = ldap_get_values_len( r->ld, e,
			"wardenDisabledReason" );

		u.disabled = 1;
		if ( why && why[0] )
			snprintf( u.reason, sizeof( u.reason ), "%.*s",
				(int)why[0]->bv_len, why[0]->bv_val );
		ldap_value_free_len( why );
	} else {
		u.locked_until = wr_time_attr( r->ld, e, "wardenLockedUntil" );
		if ( u.locked_until > r->now ) u.locked = 1;
		if ( locked_at > 0 && p && p->wp_lockout &&
			( p->wp_duration == 0 || locked_at + p->wp_duration > r->now ) )
			u.locked = 1;
		if ( u.locked ) u.locked_since = locked_at > 0 ? locked_at : -1;
	}

	/* totals */
	r->tot.t_users++;
	if ( u.mfa ) r->tot.t_enrolled++;
	if ( u.mfa_required ) r->tot.t_required++;
	if ( u.mfa_required && !u.mfa ) r->tot.t_missing++;
	if ( u.pw_status && ( !strcmp( u.pw_status, "expired" ) ||
			!strcmp( u.pw_status, "grace" ) ) )
		r->tot.t_expired++;
	if ( u.pw_status && !strcmp( u.pw_status, "grace" ) ) r->tot.t_grace++;
	if ( u.dormant ) r->tot.t_dormant++;
	if ( u.disabled ) r->tot.t_disabled++;
	if ( u.locked ) r->tot.t_locked++;
	if ( u.cleartext ) r->tot.t_cleartext++;
	if ( u.weak ) r->tot.t_weak++;
	if ( u.raw_seeds > 0 ) {
		r->tot.t_raw += u.raw_seeds;
		r->tot.t_raw_users++;
	}
	for ( i = 0; i < WR_ROLES; i++ ) r->tot.t_roles[i] += u.roles[i];

	wr_emit_user( r, &u );
	free( norm );
	ldap_memfree( dn );
	return 0;

oom:
	ldap_value_free_len( v );
	free( norm );
	ldap_memfree( dn );
	return -1;
}

/* --- the search ---------------------------------------------------------- */

static void
wr_progress( wr_run *r, int done )
{
	if ( !r->tty ) return;
	if ( done ) fprintf( stderr, "\r%*s\r", 40, "" );
	else fprintf( stderr, "\rwardenctl report: %lu users", r->tot.t_users );
	fflush( stderr );
}

/* Every entry of a subtree search, page by page (RFC 2696), each given to
 * cb as it arrives.  context: base is a naming context, which may have no
 * entry; quiet: errors are the caller's to tell. */
static int
wr_paged( wr_run *r, const char *base, const char *filter, char **attrs,
	wr_entry_fn *cb, int context, int quiet )
{
	struct berval cookie = { 0, NULL };
	int rc = LDAP_SUCCESS;

	do {
		LDAPControl *page = NULL, *ctrls[2] = { NULL, NULL }, **rctrls = NULL;
		LDAPMessage *res = NULL;
		int msgid, err = LDAP_SUCCESS, got_result = 0;
		ber_int_t estimate;
		struct berval next = { 0, NULL };

		rc = ldap_create_page_control( r->ld, r->page_size,
			cookie.bv_val ? &cookie : NULL, 1, &page );
		ber_memfree( cookie.bv_val );
		cookie.bv_val = NULL;
		cookie.bv_len = 0;
		if ( rc != LDAP_SUCCESS ) {
			if ( !quiet ) wr_ldap_error( r, "paged results control", rc );
			return rc;
		}
		ctrls[0] = page;
		rc = ldap_search_ext( r->ld, base, LDAP_SCOPE_SUBTREE, filter,
			attrs, 0, ctrls, NULL, NULL, 0, &msgid );
		ldap_control_free( page );
		if ( rc != LDAP_SUCCESS ) {
			if ( !quiet ) wr_ldap_error( r, base, rc );
			return rc;
		}
		while ( !got_result ) {
			rc = ldap_result( r->ld, msgid, LDAP_MSG_ONE, NULL, &res );
			if ( rc <= 0 ) {
				ldap_get_option( r->ld, LDAP_OPT_RESULT_CODE, &err );
				if ( !quiet )
					wr_ldap_error( r, base, err ? err : LDAP_SERVER_DOWN );
				ldap_msgfree( res );
				return err ? err : LDAP_SERVER_DOWN;
			}
			if ( rc == LDAP_RES_SEARCH_ENTRY ) {
				if ( cb( r, res ) ) {
					ldap_msgfree( res );
					fprintf( stderr, "wardenctl: report: out of memory\n" );
					return LDAP_NO_MEMORY;
				}
				if ( cb == wr_user_one && r->tot.t_users % 1000 == 0 )
					wr_progress( r, 0 );
			} else if ( rc == LDAP_RES_SEARCH_RESULT ) {
				got_result = 1;
				rc = ldap_parse_result( r->ld, res, &err, NULL, NULL, NULL,
					&rctrls, 0 );
				if ( rc == LDAP_SUCCESS && rctrls ) {
					LDAPControl *pc = ldap_control_find(
						LDAP_CONTROL_PAGEDRESULTS, rctrls, NULL );

					if ( pc )
						ldap_parse_pageresponse_control( r->ld, pc,
							&estimate, &next );
				}
				ldap_controls_free( rctrls );
				rctrls = NULL;
			}
			ldap_msgfree( res );
			res = NULL;
		}
		if ( rc != LDAP_SUCCESS || err != LDAP_SUCCESS ) {
			if ( context && err == LDAP_NO_SUCH_OBJECT &&
				rc == LDAP_SUCCESS ) {
				/* a naming context without its entry: no users */
				ber_memfree( next.bv_val );
				return LDAP_SUCCESS;
			}
			if ( quiet ) {
				ber_memfree( next.bv_val );
				return rc != LDAP_SUCCESS ? rc : err;
			}
			wr_ldap_error( r, base, rc != LDAP_SUCCESS ? rc : err );
			if ( err == LDAP_SIZELIMIT_EXCEEDED ||
				err == LDAP_ADMINLIMIT_EXCEEDED )
				fprintf( stderr, "wardenctl: report: the server's size "
					"limit caps paged searches too: allow this identity "
					"more (limits ... size.prtotal=unlimited); the "
					"report is incomplete\n" );
			ber_memfree( next.bv_val );
			return rc != LDAP_SUCCESS ? rc : err;
		}
		cookie = next;
		/* a page done: a slow server shows progress too */
		if ( cb == wr_user_one ) wr_progress( r, 0 );
	} while ( cookie.bv_val && cookie.bv_len );
	ber_memfree( cookie.bv_val );
	return LDAP_SUCCESS;
}

/* Every user under base, each reported as it arrives. */
static int
wr_search( wr_run *r, const char *base, int context )
{
	char *attrs[] = { "uid", "userPassword", "pwdPolicySubentry",
		"pwdChangedTime", "pwdLastSuccess", "createTimestamp",
		"pwdAccountLockedTime", "wardenDisabledReason", "wardenLockedUntil",
		"pwdGraceUseTime", "oathTOTPToken", "oathHOTPToken", "oathSecret",
		NULL };

	return wr_paged( r, base, "(|(objectClass=person)"
		"(objectClass=posixAccount)(objectClass=inetOrgPerson)"
		"(userPassword=*))", attrs, wr_user_one, context, 0 );
}

/* --- where: bases, and warden's configuration ---------------------------- */

/* The namingContexts of the root DSE, NULL-terminated, malloc'd. */
static char **
wr_contexts( wr_run *r )
{
	char *attrs[] = { "namingContexts", NULL };
	LDAPMessage *res = NULL;
	struct berval **v;
	char **out = NULL;
	int rc, i, n;

	v = wr_read_attr( r, "", attrs, "namingContexts", &rc, &res );
	if ( rc != LDAP_SUCCESS ) wr_ldap_error( r, "the root DSE", rc );
	for ( n = 0; v && v[n]; n++ )
		;
	if ( n && ( out = calloc( n + 1, sizeof( *out ) ) ) ) {
		for ( i = 0; i < n; i++ )
			out[i] = strndup( v[i]->bv_val, v[i]->bv_len );
	}
	ldap_value_free_len( v );
	ldap_msgfree( res );
	return out;
}

/* Whether DN a is b or under it (both normalized). */
static int
wr_dn_within( const char *a, const char *b )
{
	size_t la = strlen( a ), lb = strlen( b );

	if ( !lb ) return 1;
	if ( la < lb || strcmp( a + la - lb, b ) ) return 0;
	return la == lb || a[la - lb - 1] == ',';
}

/* warden's role groups and default policy for base, from cn=config when
 * this identity may read it (root over ldapi); the options win.  The
 * instance chosen is the one whose database suffix holds base, else one
 * under base. */
static int
wr_config( wr_run *r, const char *base, char *groups[WR_ROLES] )
{
	char *attrs[] = { "olcWardenAdminGroup", "olcWardenHelpdeskGroup",
		"olcWardenAuditorGroup", "olcWardenDefaultPolicy", NULL };
	char *sattrs[] = { "olcSuffix", NULL };
	LDAPMessage *res = NULL, *e, *best = NULL;
	char *nbase = wr_dn_norm( base, strlen( base ) );
	int rc, i, best_score = 0;

	rc = ldap_search_ext_s( r->ld, "cn=config", LDAP_SCOPE_SUBTREE,
		"(objectClass=olcWardenConfig)", attrs, 0, NULL, NULL, NULL, 0,
		&res );
	for ( e = rc == LDAP_SUCCESS ? ldap_first_entry( r->ld, res ) : NULL; e;
			e = ldap_next_entry( r->ld, e ) ) {
		char *odn = ldap_get_dn( r->ld, e ), *dbdn;
		LDAPMessage *sres = NULL;
		struct berval **s;
		int score = 0;

		if ( !odn ) continue;
		/* the overlay's entry is a child of its database's */
		dbdn = strchr( odn, ',' );
		s = dbdn ? wr_read_attr( r, dbdn + 1, sattrs, "olcSuffix", NULL,
			&sres ) : NULL;
		for ( i = 0; s && s[i]; i++ ) {
			char *ns = wr_dn_norm( s[i]->bv_val, s[i]->bv_len );

			if ( ns && nbase && wr_dn_within( nbase, ns ) ) score = 2;
			else if ( ns && nbase && !score && wr_dn_within( ns, nbase ) )
				score = 1;
			free( ns );
		}
		ldap_value_free_len( s );
		ldap_msgfree( sres );
		ldap_memfree( odn );
		if ( score > best_score ) {
			best_score = score;
			best = e;
		}
	}
	free( r->default_policy );
	r->default_policy = NULL;
	for ( i = 0; i < 4; i++ ) {
		struct berval **v = best ? ldap_get_values_len( r->ld, best,
			attrs[i] ) : NULL;
		const char *opt = i < WR_ROLES ? r->opt_groups[i] :
			r->opt_default_policy;
		char *val = opt ? strdup( opt ) : v && v[0] ?
			strndup( v[0]->bv_val, v[0]->bv_len ) : NULL;

		ldap_value_free_len( v );
		if ( i < WR_ROLES ) groups[i] = val;
		else r->default_policy = val;
	}
	ldap_msgfree( res );
	free( nbase );
	return 0;
}

static int
wr_context( wr_run *r, const char *base, int context )
{
	char *groups[WR_ROLES] = { NULL, NULL, NULL };
	int i, rc = LDAP_SUCCESS;

	r->cur_base = base;
	wr_config( r, base, groups );
	for ( i = 0; i < WR_ROLES; i++ ) {
		wr_set_free( &r->roles[i] );
		if ( groups[i] && wr_group_load( r, groups[i], &r->roles[i] ) ) {
			fprintf( stderr, "wardenctl: report: out of memory\n" );
			rc = LDAP_NO_MEMORY;
		}
		free( groups[i] );
	}
	if ( rc == LDAP_SUCCESS ) rc = wr_search( r, base, context );
	return rc;
}

int
wc_report( wc_opts *o, int argc, char **argv )
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "base", required_argument, NULL, 'b' },
		{ "default-policy", required_argument, NULL, 'p' },
		{ "admin-group", required_argument, NULL, 'a' },
		{ "helpdesk-group", required_argument, NULL, 'k' },
		{ "auditor-group", required_argument, NULL, 'u' },
		{ "page-size", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 } };
	wr_run r;
	const char *base = NULL;
	char **bases = NULL, *one[2] = { NULL, NULL };
	wr_policy *p, *pn;
	struct timespec now;
	struct tm tm;
	int c, i, rc = LDAP_SUCCESS, ret;

	memset( &r, 0, sizeof( r ) );
	r.page_size = 500;
	optind = 1;
	while ( ( c = getopt_long( argc, argv, "", longopts, NULL ) ) != -1 ) {
		switch ( c ) {
		case 'f':
			if ( !strcmp( optarg, "text" ) ) r.format = WR_TEXT;
			else if ( !strcmp( optarg, "json" ) ) r.format = WR_JSON;
			else if ( !strcmp( optarg, "csv" ) ) r.format = WR_CSV;
			else goto usage;
			break;
		case 'b': base = optarg; break;
		case 'p': r.opt_default_policy = optarg; break;
		case 'a': r.opt_groups[WR_ADMIN] = optarg; break;
		case 'k': r.opt_groups[WR_HELPDESK] = optarg; break;
		case 'u': r.opt_groups[WR_AUDITOR] = optarg; break;
		case 's': {
			char *end;
			long n = strtol( optarg, &end, 10 );

			if ( *end || n < 1 || n > 100000 ) goto usage;
			r.page_size = (int)n;
			break;
			}
		default: goto usage;
		}
	}
	if ( optind != argc ) goto usage;
	{
		const char *dns[] = { base, r.opt_default_policy,
			r.opt_groups[WR_ADMIN], r.opt_groups[WR_HELPDESK],
			r.opt_groups[WR_AUDITOR] };
		LDAPDN parsed;

		for ( i = 0; i < 5; i++ ) {
			if ( !dns[i] ) continue;
			if ( ldap_str2dn( dns[i], &parsed, LDAP_DN_FORMAT_LDAPV3 ) !=
					LDAP_SUCCESS ) {
				fprintf( stderr, "wardenctl: report: \"%s\" is not a "
					"DN\n", dns[i] );
				return WC_EXIT_LOCAL;
			}
			ldap_dnfree( parsed );
		}
	}

	r.tty = isatty( 2 );
	clock_gettime( CLOCK_REALTIME, &now );
	r.now = now.tv_sec;
	gmtime_r( &now.tv_sec, &tm );
	strftime( r.stamp, sizeof( r.stamp ), "%Y-%m-%dT%H:%M:%SZ", &tm );
	warden_buf_init( &r.buf );

	if ( !( r.ld = wc_connect( o ) ) ) return WC_EXIT_LDAP;
	if ( base ) {
		one[0] = (char *)base;
	} else if ( !( bases = wr_contexts( &r ) ) ) {
		fprintf( stderr, "wardenctl: report: the root DSE names no "
			"namingContexts: give --base DN\n" );
		rc = LDAP_OTHER;
		goto done;
	}
	wr_emit_header( &r );
	for ( i = 0; ( bases ? bases[i] : one[i] ) && rc == LDAP_SUCCESS; i++ )
		rc = wr_context( &r, bases ? bases[i] : one[i], !!bases );
	wr_progress( &r, 1 );
	if ( rc != LDAP_SUCCESS ) r.failed = 1;
	wr_emit_totals( &r );
	if ( r.tot.t_users && !r.pw_seen )
		fprintf( stderr, "wardenctl: report: no userPassword value is "
			"readable by this identity: hash schemes are not shown\n" );
	if ( r.seeds_hidden )
		fprintf( stderr, "wardenctl: report: the oathSecret of %lu "
			"token%s is not readable by this identity: raw seeds are "
			"not known there\n", r.seeds_hidden,
			r.seeds_hidden == 1 ? "" : "s" );

done:
	if ( fflush( stdout ) || ferror( stdout ) ) {
		fprintf( stderr, "wardenctl: report: standard output: %s\n",
			strerror( errno ) );
		if ( rc == LDAP_SUCCESS ) rc = -2;
	}
	ldap_unbind_ext_s( r.ld, NULL, NULL );
	for ( i = 0; bases && bases[i]; i++ ) free( bases[i] );
	free( bases );
	for ( i = 0; i < WR_ROLES; i++ ) wr_set_free( &r.roles[i] );
	wr_set_free( &r.allgroups );
	for ( p = r.policies; p; p = pn ) {
		pn = p->wp_next;
		wr_set_free( &p->wp_mfa_members );
		free( p->wp_dn );
		free( p );
	}
	free( r.default_policy );
	warden_buf_free( &r.buf );
	if ( rc == -2 || rc == LDAP_NO_MEMORY ) return WC_EXIT_LOCAL;
	ret = rc == LDAP_SUCCESS ? WC_EXIT_OK : WC_EXIT_LDAP;
	return ret;

usage:
	fputs( wr_usage, stderr );
	return WC_EXIT_LOCAL;
}
