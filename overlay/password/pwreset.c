/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* pwreset.c - what a successful bind owes the password policy
 *
 * A password set by an administrator under pwdMustChange carries pwdReset.
 * The user's next bind succeeds with the changeAfterReset error in the
 * password policy response control, and the connection may then only
 * change the password (draft-behera 8.1.2.2) and read the own entry (a
 * base search, as nslcd does after its bind): other operations on this
 * database are refused with insufficientAccess until it is changed or
 * another identity binds.
 *
 * A stored hash weaker than the configured scheme is replaced at the
 * bind that proves the password, the only moment warden has it in clear.
 */

#include <openssl/crypto.h>

#include "warden.h"
#include "password.h"

#define PP_CHANGE_AFTER_RESET	2	/* PasswordPolicyError */

int
warden_reset_open( warden_info *wi )
{
	int i;

	if ( wi->wi_reset_flag ) return 0;
	ldap_pvt_thread_mutex_init( &wi->wi_reset_mutex );
	for ( i = 0; i < WARDEN_GRACE_STRIPES; i++ )
		ldap_pvt_thread_mutex_init( &wi->wi_grace_mutex[i] );
	wi->wi_reset_flag = ch_calloc( dtblsize, 1 );
	wi->wi_reset_dn = ch_calloc( dtblsize, sizeof( struct berval ) );
	return 0;
}

void
warden_reset_close( warden_info *wi )
{
	int i;

	if ( !wi->wi_reset_flag ) return;
	for ( i = 0; i < dtblsize; i++ )
		ch_free( wi->wi_reset_dn[i].bv_val );
	ch_free( wi->wi_reset_dn );
	ch_free( wi->wi_reset_flag );
	wi->wi_reset_dn = NULL;
	wi->wi_reset_flag = NULL;
	ldap_pvt_thread_mutex_destroy( &wi->wi_reset_mutex );
	for ( i = 0; i < WARDEN_GRACE_STRIPES; i++ )
		ldap_pvt_thread_mutex_destroy( &wi->wi_grace_mutex[i] );
}

static void
reset_set( warden_info *wi, Connection *c, struct berval *ndn, int kind )
{
	int idx;

	if ( !wi->wi_reset_flag || !c || c->c_conn_idx < 0 ||
		c->c_conn_idx >= dtblsize )
		return;
	idx = c->c_conn_idx;
	ldap_pvt_thread_mutex_lock( &wi->wi_reset_mutex );
	ch_free( wi->wi_reset_dn[idx].bv_val );
	BER_BVZERO( &wi->wi_reset_dn[idx] );
	if ( ndn ) ber_dupbv( &wi->wi_reset_dn[idx], ndn );
	wi->wi_reset_flag[idx] = ndn ? kind : 0;
	ldap_pvt_thread_mutex_unlock( &wi->wi_reset_mutex );
}

void
warden_reset_conn_destroy( warden_info *wi, Connection *c )
{
	if ( wi->wi_reset_flag && c && c->c_conn_idx >= 0 &&
		c->c_conn_idx < dtblsize && wi->wi_reset_flag[c->c_conn_idx] )
		reset_set( wi, c, NULL, 0 );
}

void
warden_reset_lift( Operation *op, slap_overinst *on )
{
	warden_info *wi = on->on_bi.bi_private;
	Connection *c = op->o_conn;

	/* A reused one-time code stays limited to the change: lifting it
	 * would make the reuse a login. */
	if ( wi->wi_reset_flag && c && c->c_conn_idx >= 0 &&
		c->c_conn_idx < dtblsize &&
		wi->wi_reset_flag[c->c_conn_idx] == WARDEN_RESTRICT_RESET )
		reset_set( wi, c, NULL, 0 );
}

void
warden_reset_restrict_conn( warden_info *wi, Connection *c,
	struct berval *ndn, int kind )
{
	reset_set( wi, c, ndn, kind );
}

/* Whether the only thing this modify does is change the bound user's own
 * password. */
static int
reset_is_own_password_change( Operation *op )
{
	Modifications *m;

	if ( op->o_tag != LDAP_REQ_MODIFY ||
		!dn_match( &op->o_req_ndn, &op->o_conn->c_ndn ) )
		return 0;
	for ( m = op->orm_modlist; m; m = m->sml_next ) {
		if ( m->sml_desc != slap_schema.si_ad_userPassword &&
			!( m->sml_flags & SLAP_MOD_INTERNAL ) )
			return 0;
	}
	return 1;
}

/* Whether a search reads the bound user's own entry and nothing else.
 * nslcd's pam_authenticate (pam_authc_search BASE, its default) does it
 * right after binding and fails the login when it is refused. */
static int
reset_is_own_entry_read( Operation *op )
{
	return op->o_tag == LDAP_REQ_SEARCH && op->ors_scope == LDAP_SCOPE_BASE &&
		dn_match( &op->o_req_ndn, &op->o_conn->c_ndn );
}

int
warden_reset_restrict( Operation *op, SlapReply *rs, slap_overinst *on )
{
	warden_info *wi = on->on_bi.bi_private;
	BackendInfo *bi = op->o_bd->bd_info;
	LDAPControl **ctrls = NULL;
	int idx, restricted, kind;

	if ( warden_is_internal( op ) ||
		be_isroot( op ) ||
		!wi->wi_reset_flag || !op->o_conn || op->o_conn->c_conn_idx < 0 ||
		op->o_conn->c_conn_idx >= dtblsize ||
		!wi->wi_reset_flag[op->o_conn->c_conn_idx] )
		return SLAP_CB_CONTINUE;
	idx = op->o_conn->c_conn_idx;
	ldap_pvt_thread_mutex_lock( &wi->wi_reset_mutex );
	kind = wi->wi_reset_flag[idx];
	restricted = kind &&
		dn_match( &wi->wi_reset_dn[idx], &op->o_conn->c_ndn );
	ldap_pvt_thread_mutex_unlock( &wi->wi_reset_mutex );
	if ( !restricted ) {
		/* another identity bound since */
		reset_set( wi, op->o_conn, NULL, 0 );
		return SLAP_CB_CONTINUE;
	}
	if ( reset_is_own_password_change( op ) ) return SLAP_CB_CONTINUE;
	/* After a reset the user may read the own entry, so that nslcd's
	 * login reports "Password must be changed" and its forced change
	 * follows.  Not after a reused code: that refusal is what fails a
	 * replayed login through nslcd (totp.c). */
	if ( kind == WARDEN_RESTRICT_RESET && reset_is_own_entry_read( op ) )
		return SLAP_CB_CONTINUE;

	if ( warden_ppolicy_requested( op ) ) {
		ctrls = op->o_tmpcalloc( 2, sizeof( LDAPControl * ),
			op->o_tmpmemctx );
		ctrls[0] = warden_ppolicy_response( op, PP_CHANGE_AFTER_RESET );
		if ( !ctrls[0] ) ctrls = NULL;
	}
	rs->sr_ctrls = ctrls;
	op->o_bd->bd_info = (BackendInfo *)on->on_info;
	send_ldap_error( op, rs, LDAP_INSUFFICIENT_ACCESS,
		kind == WARDEN_RESTRICT_RESET ? "your password was "
		"reset by an administrator: change it (Password Modify or a "
		"modify of userPassword) before anything else" :
		"this bind reused a one-time code: it may only change your "
		"password; bind again with a new code" );
	op->o_bd->bd_info = bi;
	rs->sr_ctrls = NULL;
	return rs->sr_err;
}

/* Replaces the stored value that the bind's password matched by a hash in
 * the configured scheme, through the whole overlay stack so that it
 * replicates.  pwdChangedTime stays: the password did not change. */
static void
reset_rehash( Operation *op, slap_overinst *on, warden_subject *ws )
{
	BackendInfo *bi = op->o_bd->bd_info;
	const char *scheme = warden_password_scheme(), *text = NULL;
	int target = warden_hash_rank( scheme, strlen( scheme ) );
	struct berval old = BER_BVNULL, hash = BER_BVNULL;
	struct berval delvals[2], addvals[2];
	struct berval cred = op->orb_cred;
	Modifications del, add;
	Entry *e = NULL;
	Attribute *a;
	unsigned i;

	/* a one-time code follows the password */
	if ( ws->ws_password_len ) cred.bv_len = ws->ws_password_len;

	op->o_bd->bd_info = (BackendInfo *)on->on_info;
	if ( be_entry_get_rw( op, &op->o_req_ndn, NULL, NULL, 0, &e ) ==
			LDAP_SUCCESS && e &&
		( a = attr_find( e->e_attrs, slap_schema.si_ad_userPassword ) ) ) {
		for ( i = 0; i < a->a_numvals; i++ ) {
			struct berval *v = &a->a_vals[i];
			int rank = warden_hash_rank( v->bv_val, v->bv_len );

			if ( rank >= 0 && rank < target &&
				!lutil_passwd( v, &cred, NULL, &text ) ) {
				ber_dupbv_x( &old, v, op->o_tmpmemctx );
				break;
			}
		}
	}
	if ( e ) be_entry_release_r( op, e );
	op->o_bd->bd_info = bi;
	if ( BER_BVISNULL( &old ) ) return;

	if ( warden_password_hash( &cred, &hash, &text ) ) {
		Debug( LDAP_DEBUG_ANY, "warden: cannot rehash the password of "
			"\"%s\": %s\n", op->o_req_dn.bv_val,
			text ? text : "unknown error" );
	} else {
		int rc;

		memset( &del, 0, sizeof( del ) );
		memset( &add, 0, sizeof( add ) );
		delvals[0] = old;
		addvals[0] = hash;
		BER_BVZERO( &delvals[1] );
		BER_BVZERO( &addvals[1] );
		del.sml_op = LDAP_MOD_DELETE;
		del.sml_flags = SLAP_MOD_INTERNAL;
		del.sml_desc = slap_schema.si_ad_userPassword;
		del.sml_type = del.sml_desc->ad_cname;
		del.sml_values = delvals;
		del.sml_numvals = 1;
		del.sml_next = &add;
		add = del;
		add.sml_op = LDAP_MOD_ADD;
		add.sml_values = addvals;
		add.sml_next = NULL;

		rc = warden_state_write( op, on, &op->o_req_ndn, &del );
		if ( rc == LDAP_SUCCESS )
			Debug( LDAP_DEBUG_STATS, "warden: rehashed the password of "
				"\"%s\" with %s\n", op->o_req_dn.bv_val, scheme );
		else
			Debug( LDAP_DEBUG_ANY, "warden: cannot rehash the password "
				"of \"%s\": result %d\n", op->o_req_dn.bv_val, rc );
		ch_free( hash.bv_val );
	}
	op->o_tmpfree( old.bv_val, op->o_tmpmemctx );
}

void
warden_password_bind_result( Operation *op, SlapReply *rs, slap_overinst *on,
	warden_subject *ws )
{
	warden_info *wi = on->on_bi.bi_private;
	/* at most the password policy response and a Netscape control;
	 * allocated only when there is one (most binds have none) */
	LDAPControl *ctrls[3] = { NULL, NULL, NULL }, **out;
	int n = 0, reset = 0;

	if ( rs->sr_err != LDAP_SUCCESS ) return;
	if ( ws->ws_code_reused ||
		( ws->ws_reset && ws->ws_policy_state == WARDEN_POLICY_FOUND &&
		ws->ws_policy.wp_must_change ) ) {
		/* A reused one-time code restricted the connection already
		 * (totp.c); it is told so as a reset user is, so that a PAM
		 * client treats the bind as "must change the password", not
		 * as a login. */
		reset = 1;
		if ( !ws->ws_code_reused ) {
			reset_set( wi, op->o_conn, &op->o_req_ndn,
				WARDEN_RESTRICT_RESET );
			Debug( LDAP_DEBUG_STATS, "warden: \"%s\" must change "
				"the password an administrator reset\n",
				op->o_req_dn.bv_val );
		}
		if ( warden_ppolicy_requested( op ) &&
			( ctrls[n] = warden_ppolicy_response( op,
				PP_CHANGE_AFTER_RESET ) ) )
			n++;
	}
	/* a password near its end, or a grace login: the client is told */
	if ( !n && ( ws->ws_expiry == WARDEN_EXPIRY_WARN ||
		ws->ws_expiry == WARDEN_EXPIRY_GRACE ) &&
		warden_ppolicy_requested( op ) &&
		( ctrls[n] = warden_ppolicy_response_warn( op,
			ws->ws_expiry == WARDEN_EXPIRY_GRACE,
			(long)ws->ws_expiry_value, -1 ) ) )
		n++;
	/* the obsolete Netscape controls, as ppolicy.la sends them: the
	 * password must be changed (reset, or a grace login) is
	 * passwordExpired; near its end, passwordExpiring with the
	 * seconds left */
	if ( wi->wi_send_netscape ) {
		if ( reset || ws->ws_expiry == WARDEN_EXPIRY_GRACE )
			ctrls[n++] = warden_netscape_response( op, 1, 0 );
		else if ( ws->ws_expiry == WARDEN_EXPIRY_WARN )
			ctrls[n++] = warden_netscape_response( op, 0,
				(long)ws->ws_expiry_value );
	}
	/* another module's controls are left alone */
	if ( n && !rs->sr_ctrls ) {
		out = op->o_tmpalloc( sizeof( ctrls ), op->o_tmpmemctx );
		memcpy( out, ctrls, sizeof( ctrls ) );
		rs->sr_ctrls = out;
	} else {
		while ( n-- > 0 ) op->o_tmpfree( ctrls[n], op->o_tmpmemctx );
	}
	/* a consumer's replica is the provider's to change */
	if ( ws->ws_weak_hash && !warden_is_consumer( op ) )
		reset_rehash( op, on, ws );
}
