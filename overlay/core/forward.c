/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* forward.c - where warden's own state writes go
 *
 * On a server that takes writes (a standalone server, a provider, a node
 * of several providers) warden writes its state into the entry as the
 * rootdn, through the overlay stack, so that syncprov replicates it.
 *
 * A read-only consumer (syncrepl without multiprovider) must not: a write
 * there goes past slapd's shadow check, carries the consumer's own CSN,
 * never reaches the provider and is undone by the provider's next change
 * to the entry.  So on a consumer warden never writes into the replica.
 * Per attribute:
 *
 * - pwdAccountLockedTime (draft-behera) is forwarded to the provider the
 *   way slapd forwards a client's write there (ppolicy's
 *   ppolicy_forward_updates): a modify through the frontend with the
 *   Relax control, which the consumer answers with its update referral
 *   (updateref) and the chain overlay follows.  The lock also stays in
 *   warden's own store, which the consumer's bind checks first: it holds
 *   there whether or not the provider could be told.  A lock's removal
 *   deletes the value this consumer saw, and nothing else: a newer lock
 *   that another server set stays.
 * - oathTOTPLastTimeStep and oathHOTPCounter (OATH-LDAP) only grow.  They
 *   are forwarded as a replace that holds only if the provider's value is
 *   lower (the assertion control, RFC 4528, which the provider's backend
 *   tests in the write's own transaction): a step that another server has
 *   taken, or a later one, makes the forward fail, whether or not the
 *   replica has been told (when it has, nothing is forwarded at all).
 *   Either way the bind that wanted the step is refused: one code, one
 *   login, across the provider and all its consumers.  The replica's
 *   value is no condition: a consumer's own last step may not have come
 *   back to it yet.  oathTOTPTimeStepDrift goes with it.
 * - pwdGraceUseTime (draft-behera), a grace login with an expired
 *   password, is forwarded as the value it adds; a grace login that
 *   cannot be is not granted.
 * - Anything else (a rehash of userPassword, the wrapping of oathSecret,
 *   the deletion of a deleted user's tokens) is never done on a consumer:
 *   the provider does it when it sees the bind or the change itself.
 *
 * These are all standard attributes (the ppolicy and OATH-LDAP schemas),
 * so the provider need not run warden.
 *
 * Several providers accept a code sent to two of them at the same moment
 * (each takes the step in its own store before either hears of the
 * other's).  With warden-code-provider one of them decides: the others
 * send it the step (and drift) as a consumer forwards them, with the same
 * assertion, over an LDAP connection of their own (the chain overlay
 * follows referrals, and a provider has none), bound as the DN given; a
 * warden there takes the step in its own store as well.  Only its answer
 * makes the bind succeed: exact, and no code bind succeeds on the others
 * while it cannot be reached.  The rest of the write stays local.
 */

#include <openssl/crypto.h>

#include "warden.h"
/* struct mdb_info: whether back-mdb flushes its commits
 * (warden_state_durable()); the same 2.5 source slapd is built from */
#include <back-mdb/back-mdb.h>

/* What a consumer does with a state attribute. */
enum {
	FORWARD_NEVER = 0,	/* the provider's business, not a consumer's */
	FORWARD_SET,		/* forwarded as is; a removal deletes what was seen */
	FORWARD_GROW		/* forwarded only above the provider's value */
};

/* The result of a forwarded write. */
typedef struct forward_result {
	int	fr_rc;
	char	fr_text[128];
} forward_result;

/* After a forward that could not reach the provider, for this many
 * seconds every forward fails at once, as unreachable: binds do not queue
 * up, each for chain-network-timeout, behind a provider that does not
 * answer (a thread each, while a guesser goes on). */
#define FORWARD_PAUSE	5

/* Most mods one state write carries (totp.c: step, drift, secret), and
 * the longest condition on its counters. */
#define FORWARD_MODS_MAX	8
#define FORWARD_GUARD_MAX	256

int
warden_is_consumer( Operation *op )
{
	return SLAP_SINGLE_SHADOW( op->o_bd ) != 0;
}

/* The database that holds ndn, with its overlays (the bind's own when
 * none: a token outside every database fails later, when it is read). */
static BackendDB *
forward_db( Operation *op, struct berval *ndn )
{
	BackendDB *be = select_backend( ndn, 0 );

	return be ? be : op->o_bd;
}

int
warden_state_replicates( Operation *op, slap_overinst *on,
	struct berval *ndn )
{
	warden_info *wi = on->on_bi.bi_private;
	BackendDB *be;

	if ( warden_is_consumer( op ) || wi->wi_code_provider ||
		SLAP_SHADOW( op->o_bd ) )
		return 1;
	be = forward_db( op, ndn );
	/* a glued subordinate replicates with its superior's syncprov,
	 * which is not on its own overlay list: taken for replicated */
	if ( SLAP_SHADOW( be ) || SLAP_GLUE_SUBORDINATE( be ) )
		return 1;
	return overlay_is_inst( be, "syncprov" );
}

int
warden_state_durable( Operation *op, slap_overinst *on, struct berval *ndn )
{
	warden_info *wi = on->on_bi.bi_private;
	BackendDB *be;
	BackendInfo *bi;
	struct mdb_info *mdb;

	if ( warden_is_consumer( op ) ) return wi->wi_forward_updates;
	if ( wi->wi_code_provider ) return 1;
	be = forward_db( op, ndn );
	bi = be->bd_info;
	if ( overlay_is_over( be ) )
		bi = ( (slap_overinfo *)bi->bi_private )->oi_orig;
	if ( !bi || !bi->bi_type || strcmp( bi->bi_type, "mdb" ) ||
		!be->be_private )
		return 0;
	mdb = be->be_private;
	return !( mdb->mi_dbenv_flags &
		( MDB_NOSYNC | MDB_NOMETASYNC | MDB_MAPASYNC ) );
}

static int
forward_rule( AttributeDescription *ad )
{
	if ( ad == warden_pwd.ad_pwdAccountLockedTime ||
		ad == warden_pwd.ad_pwdGraceUseTime ||
		ad == slap_schema.si_ad_pwdLastSuccess ||
		ad == warden_oath.ad_totpDrift )
		return FORWARD_SET;
	if ( ad == warden_oath.ad_totpLastStep ||
		ad == warden_oath.ad_hotpCounter )
		return FORWARD_GROW;
	return FORWARD_NEVER;
}

/* Takes the result the chain overlay (or the frontend's referral, when
 * there is no chain) gives; returns 0 so that nothing of it reaches the
 * client of the operation that caused the write. */
static int
forward_cb( Operation *op, SlapReply *rs )
{
	forward_result *fr = op->o_callback->sc_private;

	if ( rs->sr_type == REP_RESULT ) {
		fr->fr_rc = rs->sr_err;
		snprintf( fr->fr_text, sizeof( fr->fr_text ), "%s",
			rs->sr_text ? rs->sr_text : "" );
	}
	return 0;
}

/* The values of ad in the replica's entry, in op memory (NULL: none). */
static void
forward_seen( Operation *op, Entry *e, AttributeDescription *ad,
	BerVarray *vals, BerVarray *nvals, unsigned *n )
{
	Attribute *a = e ? attr_find( e->e_attrs, ad ) : NULL;

	*vals = *nvals = NULL;
	*n = 0;
	if ( !a ) return;
	ber_bvarray_dup_x( vals, a->a_vals, op->o_tmpmemctx );
	ber_bvarray_dup_x( nvals, a->a_nvals ? a->a_nvals : a->a_vals,
		op->o_tmpmemctx );
	*n = a->a_numvals;
}

static Modifications *
forward_mod( Modifications *m, AttributeDescription *ad, short op,
	BerVarray vals, BerVarray nvals, unsigned n )
{
	memset( m, 0, sizeof( *m ) );
	m->sml_desc = ad;
	m->sml_type = ad->ad_cname;
	m->sml_op = op;
	m->sml_flags = SLAP_MOD_INTERNAL;
	m->sml_values = vals;
	m->sml_nvalues = nvals;
	m->sml_numvals = n;
	return m;
}

/* Frees what forward_mods() copied from the replica. */
static void
forward_mods_free( Operation *op, Modifications *out, int k,
	Modifications *mods )
{
	Modifications *m;
	int i;

	for ( i = 0; i < k; i++ ) {
		/* the values forwarded as they are are the caller's */
		for ( m = mods; m; m = m->sml_next ) {
			if ( out[i].sml_values == m->sml_values ) break;
		}
		if ( m ) continue;
		ber_bvarray_free_x( out[i].sml_values, op->o_tmpmemctx );
		if ( out[i].sml_nvalues != out[i].sml_values )
			ber_bvarray_free_x( out[i].sml_nvalues, op->o_tmpmemctx );
	}
}

/* A counter's value (a step, an HOTP counter); -1 when there is none. */
static long long
forward_counter( BerVarray vals )
{
	char buf[32];

	if ( !vals || !vals[0].bv_val || vals[0].bv_len >= sizeof( buf ) )
		return -1;
	memcpy( buf, vals[0].bv_val, vals[0].bv_len );
	buf[vals[0].bv_len] = '\0';
	return strtoll( buf, NULL, 10 );
}

/* Builds in out[] what a consumer forwards of mods: only what the rules
 * allow, removals made against the values the replica holds; in guard
 * the condition of the counters, a filter ("" when none).
 * @return how many mods, -1 when there are more than out[] or guard
 * holds, -2 when the replica holds a counter at or past the one to write */
static int
forward_mods( Operation *op, slap_overinst *on, struct berval *ndn,
	Modifications *mods, Modifications *out, int max, char *guard,
	size_t alen )
{
	BackendInfo *bi = op->o_bd->bd_info;
	Entry *e = NULL;
	Modifications *m;
	BerVarray vals, nvals;
	unsigned n;
	int k = 0, read = 0;
	size_t used = 0;

	guard[0] = '\0';
	for ( m = mods; m; m = m->sml_next ) {
		int rule = forward_rule( m->sml_desc );

		if ( rule == FORWARD_NEVER ) continue;
		if ( !read ) {
			/* the replica's entry: what the provider held when it
			 * last told this consumer */
			op->o_bd->bd_info = (BackendInfo *)on->on_info;
			be_entry_get_rw( op, ndn, NULL, NULL, 0, &e );
			read = 1;
		}
		if ( k + 1 > max ) {
			forward_mods_free( op, out, k, mods );
			k = -1;
			break;
		}
		if ( m->sml_op == SLAP_MOD_SOFTDEL || m->sml_op == LDAP_MOD_DELETE ||
			( m->sml_op == LDAP_MOD_REPLACE && !m->sml_numvals ) ) {
			/* remove only what this consumer saw */
			forward_seen( op, e, m->sml_desc, &vals, &nvals, &n );
			if ( n ) forward_mod( &out[k++], m->sml_desc,
				LDAP_MOD_DELETE, vals, nvals, n );
			continue;
		}
		if ( rule == FORWARD_GROW ) {
			long long want = forward_counter( m->sml_values );
			int w, taken;

			/* replicated since the code was checked: another
			 * server took this step or a later one */
			forward_seen( op, e, m->sml_desc, &vals, &nvals, &n );
			taken = n && forward_counter( vals ) >= want;
			ber_bvarray_free_x( vals, op->o_tmpmemctx );
			ber_bvarray_free_x( nvals, op->o_tmpmemctx );
			w = want < 0 ? -1 : snprintf( guard + used, alen - used,
				"(!(%s>=%lld))", m->sml_desc->ad_cname.bv_val, want );
			if ( taken || w < 0 || (size_t)w >= alen - used ) {
				forward_mods_free( op, out, k, mods );
				k = taken ? -2 : -1;
				break;
			}
			used += w;
			forward_mod( &out[k++], m->sml_desc, LDAP_MOD_REPLACE,
				m->sml_values, m->sml_nvalues, m->sml_numvals );
			continue;
		}
		forward_mod( &out[k++], m->sml_desc, m->sml_op, m->sml_values,
			m->sml_nvalues, m->sml_numvals );
	}
	if ( e ) be_entry_release_r( op, e );
	op->o_bd->bd_info = bi;
	for ( n = 0; k > 0 && n < (unsigned)k; n++ )
		out[n].sml_next = n + 1 < (unsigned)k ? &out[n + 1] : NULL;
	return k;
}

/* The controls of a forwarded write: Relax, and for counters the
 * assertion control with the filter guard (the provider tests it; this
 * server only passes it on).  *berp holds the assertion's encoding until
 * the caller frees it.  Returns 0, or -1 with fr_text. */
static int
forward_controls( const char *guard, LDAPControl *relax, LDAPControl *cond,
	LDAPControl **ctrls, BerElement **berp, forward_result *fr )
{
	int n = 0;

	memset( relax, 0, sizeof( *relax ) );
	relax->ldctl_oid = LDAP_CONTROL_RELAX;
	relax->ldctl_iscritical = 1;
	ctrls[n++] = relax;
	memset( cond, 0, sizeof( *cond ) );
	if ( guard[0] ) {
		char all[FORWARD_GUARD_MAX + 4];

		snprintf( all, sizeof( all ), "(&%s)", guard );
		*berp = ber_alloc_t( LBER_USE_DER );
		if ( !*berp || ldap_pvt_put_filter( *berp, all ) < 0 ||
			ber_flatten2( *berp, &cond->ldctl_value, 0 ) < 0 ) {
			snprintf( fr->fr_text, sizeof( fr->fr_text ),
				"cannot encode the assertion %.90s", guard );
			return -1;
		}
		cond->ldctl_oid = LDAP_CONTROL_ASSERT;
		cond->ldctl_iscritical = 1;
		ctrls[n++] = cond;
	}
	ctrls[n] = NULL;
	return 0;
}

/* The write as slapd would take it from a client: through the frontend,
 * as the rootdn, with the Relax control (pwdAccountLockedTime is
 * NO-USER-MODIFICATION where the provider's schema says so) and, for
 * counters, the assertion control with the filter guard.  The consumer's
 * database answers with its update referral, which the chain overlay
 * follows to the provider (passing the controls on), synchronously. */
static int
forward_send( Operation *op, struct berval *ndn, Modifications *mods,
	const char *guard, forward_result *fr )
{
	Operation op2 = *op;
	SlapReply r2 = { REP_RESULT };
	slap_callback cb = { .sc_response = forward_cb };
	LDAPControl relax, cond, *ctrls[3];
	BerElement *ber = NULL;

	fr->fr_rc = LDAP_OTHER;
	fr->fr_text[0] = '\0';
	cb.sc_private = fr;
	op2.o_callback = &cb;
	op2.o_tag = LDAP_REQ_MODIFY;
	op2.o_bd = frontendDB;
	op2.o_dn = op->o_bd->be_rootdn;
	op2.o_ndn = op->o_bd->be_rootndn;
	op2.o_req_dn = *ndn;
	op2.o_req_ndn = *ndn;
	op2.orm_modlist = mods;
	op2.orm_no_opattrs = 0;
	op2.orm_increment = 0;
	/* the controls of the operation that caused the write are not
	 * this write's */
	memset( op2.o_ctrlflag, 0, sizeof( op2.o_ctrlflag ) );
	op2.o_managedsait = SLAP_CONTROL_NONE;
	op2.o_relax = SLAP_CONTROL_CRITICAL;
	if ( forward_controls( guard, &relax, &cond, ctrls, &ber, fr ) )
		goto done;
	op2.o_ctrls = ctrls;
	/* the frontend frees the referral it sends: r2.sr_ref is not ours */
	op2.o_bd->be_modify( &op2, &r2 );

done:
	if ( ber ) ber_free( ber, 1 );
	return fr->fr_rc;
}

/* Sends out[] (k mods, with the assertion guard) to the code provider,
 * as a client: a connection of its own per write, bounded by timeouts. */
static int
forward_remote( warden_info *wi, struct berval *ndn, Modifications *out,
	int k, const char *guard, forward_result *fr )
{
	LDAP *ld = NULL;
	LDAPMod lm[FORWARD_MODS_MAX], *lmp[FORWARD_MODS_MAX + 1];
	struct berval *bvp[FORWARD_MODS_MAX][4];
	LDAPControl relax, cond, *ctrls[3];
	struct timeval tv = { 5, 0 };
	BerElement *ber = NULL;
	char *diag = NULL;
	int i, j, version = LDAP_VERSION3;

	fr->fr_rc = LDAP_OTHER;
	fr->fr_text[0] = '\0';
	for ( i = 0; i < k; i++ ) {
		lm[i].mod_op = out[i].sml_op | LDAP_MOD_BVALUES;
		lm[i].mod_type = out[i].sml_desc->ad_cname.bv_val;
		for ( j = 0; j < 3 && j < (int)out[i].sml_numvals; j++ )
			bvp[i][j] = &out[i].sml_values[j];
		bvp[i][j] = NULL;
		lm[i].mod_bvalues = bvp[i];
		lmp[i] = &lm[i];
	}
	lmp[k] = NULL;
	if ( forward_controls( guard, &relax, &cond, ctrls, &ber, fr ) )
		goto done;
	if ( ldap_initialize( &ld, wi->wi_code_provider ) != LDAP_SUCCESS ) {
		fr->fr_rc = LDAP_UNAVAILABLE;
		snprintf( fr->fr_text, sizeof( fr->fr_text ), "bad URI" );
		goto done;
	}
	ldap_set_option( ld, LDAP_OPT_PROTOCOL_VERSION, &version );
	ldap_set_option( ld, LDAP_OPT_NETWORK_TIMEOUT, &tv );
	ldap_set_option( ld, LDAP_OPT_TIMEOUT, &tv );
	ldap_set_option( ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF );
	fr->fr_rc = ldap_sasl_bind_s( ld, wi->wi_code_provider_dn,
		LDAP_SASL_SIMPLE, &wi->wi_code_provider_pw, NULL, NULL, NULL );
	if ( fr->fr_rc == LDAP_SUCCESS )
		fr->fr_rc = ldap_modify_ext_s( ld, ndn->bv_val, lmp, ctrls, NULL );
	if ( fr->fr_rc != LDAP_SUCCESS ) {
		ldap_get_option( ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag );
		snprintf( fr->fr_text, sizeof( fr->fr_text ), "%s%s%s",
			ldap_err2string( fr->fr_rc ), diag && *diag ? ": " : "",
			diag ? diag : "" );
		/* the client library's own codes (-1 server down, ...) */
		if ( fr->fr_rc < 0 ) fr->fr_rc = LDAP_UNAVAILABLE;
	}

done:
	if ( diag ) ldap_memfree( diag );
	if ( ld ) ldap_unbind_ext_s( ld, NULL, NULL );
	if ( ber ) ber_free( ber, 1 );
	return fr->fr_rc;
}

/* Whether mods hold a counter (a one-time code step or HOTP counter). */
static int
forward_has_counter( Modifications *mods )
{
	Modifications *m;

	for ( m = mods; m; m = m->sml_next )
		if ( forward_rule( m->sml_desc ) == FORWARD_GROW ) return 1;
	return 0;
}

/* Several providers with warden-code-provider: the counter and its drift
 * go to the code provider, which decides; what else the write holds is
 * written here. */
static int
forward_code_write( Operation *op, slap_overinst *on, struct berval *ndn,
	Modifications *mods )
{
	warden_info *wi = on->on_bi.bi_private;
	Modifications out[FORWARD_MODS_MAX], rest[FORWARD_MODS_MAX], *m;
	forward_result fr;
	char guard[FORWARD_GUARD_MAX];
	time_t now;
	int k, r = 0, rc;

	k = forward_mods( op, on, ndn, mods, out, FORWARD_MODS_MAX, guard,
		sizeof( guard ) );
	if ( k == -2 ) {
		Debug( LDAP_DEBUG_STATS, "warden: \"%s\": another server took "
			"this one-time code step or a later one\n", ndn->bv_val );
		return LDAP_CONSTRAINT_VIOLATION;
	}
	if ( k <= 0 ) return LDAP_OTHER;
	now = slap_get_time();
	if ( now < __atomic_load_n( &wi->wi_code_provider_pause,
			__ATOMIC_RELAXED ) ) {
		rc = LDAP_UNAVAILABLE;
		snprintf( fr.fr_text, sizeof( fr.fr_text ), "not tried: it was "
			"unreachable less than %d seconds ago", FORWARD_PAUSE );
	} else {
		rc = forward_remote( wi, ndn, out, k, guard, &fr );
		if ( rc == LDAP_UNAVAILABLE || rc == LDAP_BUSY ||
			rc == LDAP_TIMELIMIT_EXCEEDED || rc == LDAP_SERVER_DOWN ||
			rc == LDAP_TIMEOUT || rc == LDAP_CONNECT_ERROR )
			__atomic_store_n( &wi->wi_code_provider_pause,
				now + FORWARD_PAUSE, __ATOMIC_RELAXED );
	}
	forward_mods_free( op, out, k, mods );
	if ( rc != LDAP_SUCCESS ) {
		Debug( LDAP_DEBUG_ANY, "warden: the code provider %s did not take "
			"the one-time code step of \"%s\": result %d (%s); the bind "
			"is refused\n", wi->wi_code_provider, ndn->bv_val, rc,
			fr.fr_text );
		return rc;
	}
	Debug( LDAP_DEBUG_STATS, "warden: the code provider took the one-time "
		"code step of \"%s\"\n", ndn->bv_val );
	/* the rest (a rewrapped secret) is this server's to write */
	for ( m = mods; m && r < FORWARD_MODS_MAX; m = m->sml_next ) {
		if ( forward_rule( m->sml_desc ) != FORWARD_NEVER ) continue;
		rest[r] = *m;
		rest[r].sml_next = NULL;
		if ( r ) rest[r - 1].sml_next = &rest[r];
		r++;
	}
	return r ? warden_internal_write( op, on, ndn, rest ) : LDAP_SUCCESS;
}

int
warden_state_write( Operation *op, slap_overinst *on, struct berval *ndn,
	Modifications *mods )
{
	warden_info *wi = on->on_bi.bi_private;
	Modifications out[FORWARD_MODS_MAX];
	forward_result fr;
	char guard[FORWARD_GUARD_MAX];
	time_t now;
	int k, rc = LDAP_SUCCESS;

	if ( !warden_is_consumer( op ) ) {
		if ( wi->wi_code_provider && mods && forward_has_counter( mods ) )
			return forward_code_write( op, on, ndn, mods );
		return warden_internal_write( op, on, ndn, mods );
	}

	/* a delete (mods NULL) never starts on a consumer: it is the
	 * provider's, and arrives replicated */
	if ( !mods || !wi->wi_forward_updates ) goto done;
	k = forward_mods( op, on, ndn, mods, out, FORWARD_MODS_MAX, guard,
		sizeof( guard ) );
	if ( k == -2 ) {
		Debug( LDAP_DEBUG_STATS, "warden: \"%s\": another server took "
			"this one-time code step or a later one\n", ndn->bv_val );
		rc = LDAP_CONSTRAINT_VIOLATION;
		goto done;
	}
	if ( k < 0 ) {
		Debug( LDAP_DEBUG_ANY, "warden: state write of \"%s\" has more "
			"changes than can be forwarded\n", ndn->bv_val );
		rc = LDAP_OTHER;
		goto done;
	}
	if ( k == 0 ) goto done;
	now = slap_get_time();
	if ( now < __atomic_load_n( &wi->wi_forward_pause, __ATOMIC_RELAXED ) ) {
		rc = LDAP_UNAVAILABLE;
		snprintf( fr.fr_text, sizeof( fr.fr_text ), "not tried: it was "
			"unreachable less than %d seconds ago", FORWARD_PAUSE );
	} else {
		rc = forward_send( op, ndn, out, guard, &fr );
		if ( rc < 0 || rc == LDAP_UNAVAILABLE || rc == LDAP_BUSY ||
			rc == LDAP_OTHER || rc == LDAP_TIMELIMIT_EXCEEDED ||
			rc == LDAP_ADMINLIMIT_EXCEEDED )
			__atomic_store_n( &wi->wi_forward_pause,
				now + FORWARD_PAUSE, __ATOMIC_RELAXED );
	}
	forward_mods_free( op, out, k, mods );
	if ( rc == LDAP_SUCCESS ) {
		Debug( LDAP_DEBUG_STATS, "warden: forwarded %s of \"%s\" to "
			"the provider\n", out[0].sml_desc->ad_cname.bv_val,
			ndn->bv_val );
	} else {
		Debug( LDAP_DEBUG_ANY, "warden: this consumer cannot forward "
			"%s of \"%s\" to its provider: result %d%s%s%s\n",
			out[0].sml_desc->ad_cname.bv_val, ndn->bv_val, rc,
			fr.fr_text[0] ? " (" : "", fr.fr_text,
			fr.fr_text[0] ? ")" : "" );
		if ( rc == LDAP_REFERRAL || rc == LDAP_UNWILLING_TO_PERFORM )
			Debug( LDAP_DEBUG_ANY, "warden: a consumer forwards "
				"warden's state through \"updateref\" and the "
				"chain overlay (slapo-chain(5)), which this "
				"server lacks (see slapo-warden(5), "
				"warden-forward-updates)\n" );
	}

done:
	return rc;
}
