/* pwquality.c - the password quality engine
 *
 * Every new password, however it arrives (an add with userPassword, a
 * modify that adds or replaces it, the Password Modify extended operation),
 * is checked against the rules of the password policy that applies to the
 * entry.  A refusal is constraintViolation with a message that says what
 * to fix, and the ppolicy response control's error when the client asked.
 */

#include <openssl/crypto.h>

#include "warden.h"

#define PP_INSUFFICIENT_QUALITY	5	/* PasswordPolicyError values */
#define PP_TOO_SHORT		6
#define PWQ_PERSONAL_MAX	24

/* Whether a value is already hashed: "{SCHEME}..." of a scheme slapd
 * knows.  Such values cannot be checked. */
static int
pwq_hashed( struct berval *v )
{
	char scheme[32];
	char *end;
	size_t n;

	if ( v->bv_len < 3 || v->bv_val[0] != '{' ) return 0;
	end = memchr( v->bv_val, '}', v->bv_len );
	if ( !end ) return 0;
	n = end - v->bv_val + 1;
	if ( n >= sizeof( scheme ) ) return 0;
	memcpy( scheme, v->bv_val, n );
	scheme[n] = '\0';
	return lutil_passwd_scheme( scheme );
}

/* The Password Modify request under way, if this modify is one: passwd.c
 * puts it, with slap_null_cb, on the callback chain. */
static req_pwdexop_s *
pwq_exop( Operation *op )
{
	slap_callback *sc;

	for ( sc = op->o_callback; sc; sc = sc->sc_next ) {
		if ( sc->sc_response == slap_null_cb && sc->sc_private )
			return sc->sc_private;
	}
	return NULL;
}

/* The user's own words: uid, cn, sn, givenName, the local part of mail. */
static int
pwq_personal( Operation *op, Entry *e, char **words, int max )
{
	static const char *names[] = { "uid", "cn", "sn", "givenName", "mail", NULL };
	AttributeDescription *ad;
	const char *text;
	Attribute *a;
	int n = 0, i, j;

	for ( i = 0; e && names[i]; i++ ) {
		ad = NULL;
		if ( slap_str2ad( names[i], &ad, &text ) ||
			!( a = attr_find( e->e_attrs, ad ) ) )
			continue;
		for ( j = 0; j < (int)a->a_numvals && n < max - 1; j++ ) {
			struct berval *v = &a->a_vals[j];
			size_t len = v->bv_len;
			char *at;

			if ( i == 4 && ( at = memchr( v->bv_val, '@', v->bv_len ) ) )
				len = at - v->bv_val;
			words[n] = op->o_tmpalloc( len + 1, op->o_tmpmemctx );
			memcpy( words[n], v->bv_val, len );
			words[n][len] = '\0';
			n++;
		}
	}
	words[n] = NULL;
	return n;
}

static int
pwq_refuse( Operation *op, SlapReply *rs, int pp_error, const char *msg,
	int exop )
{
	LDAPControl **ctrls = NULL;
	size_t len = strlen( msg );
	char *text = op->o_tmpalloc( len + 1, op->o_tmpmemctx );

	/* in op memory: the Password Modify response is sent after we return */
	memcpy( text, msg, len + 1 );
	if ( warden_ppolicy_requested( op ) ) {
		ctrls = op->o_tmpcalloc( 2, sizeof( LDAPControl * ), op->o_tmpmemctx );
		ctrls[0] = warden_ppolicy_response( op, pp_error );
		if ( !ctrls[0] ) ctrls = NULL;
	}
	rs->sr_err = LDAP_CONSTRAINT_VIOLATION;
	rs->sr_text = text;
	rs->sr_ctrls = ctrls;
	send_ldap_result( op, rs );
	if ( !exop ) {
		rs->sr_ctrls = NULL;
		rs->sr_text = NULL;
	}
	return LDAP_CONSTRAINT_VIOLATION;
}

static int
pwq_check( Operation *op, SlapReply *rs, Entry *e, const warden_policy *p,
	struct berval *pw, int exop )
{
	char *words[PWQ_PERSONAL_MAX + 1];
	char msg[SLAP_TEXT_BUFLEN];
	warden_quality_result r;

	pwq_personal( op, e, words, PWQ_PERSONAL_MAX + 1 );
	r = warden_quality_check( &p->wp_quality, pw->bv_val, pw->bv_len,
		(const char *const *)words, msg, sizeof( msg ) );
	if ( r == WARDEN_Q_OK ) return SLAP_CB_CONTINUE;
	Debug( LDAP_DEBUG_STATS, "warden: new password for \"%s\" refused: "
		"%s\n", op->o_req_dn.bv_val, msg );
	return pwq_refuse( op, rs, r == WARDEN_Q_TOO_SHORT ?
		PP_TOO_SHORT : PP_INSUFFICIENT_QUALITY, msg, exop );
}

/* Replaces a cleartext value by its hash, so that no cleartext password
 * reaches the database: in the scheme the administrator configured
 * (password-hash), else {ARGON2} when argon2.la is loaded, else slapd's
 * default. */
static int
pwq_hash( Operation *op, SlapReply *rs, struct berval *v )
{
	struct berval hash = BER_BVNULL;
	const char *text = NULL;

	if ( !default_passwd_hash && lutil_passwd_scheme( "{ARGON2}" ) )
		slap_passwd_hash_type( v, &hash, "{ARGON2}", &text );
	else
		slap_passwd_hash( v, &hash, &text );
	if ( BER_BVISNULL( &hash ) ) {
		Debug( LDAP_DEBUG_ANY, "warden: cannot hash a new password: %s\n",
			text ? text : "unknown error" );
		rs->sr_err = LDAP_OTHER;
		rs->sr_text = "the password could not be hashed";
		send_ldap_result( op, rs );
		rs->sr_text = NULL;
		return LDAP_OTHER;
	}
	OPENSSL_cleanse( v->bv_val, v->bv_len );
	ch_free( v->bv_val );
	*v = hash;
	return SLAP_CB_CONTINUE;
}

/* pwdChangedTime, set with every new password (draft-behera); clients
 * and expiry rules read it. */
static void
pwq_changed_time( Operation *op )
{
	char buf[LDAP_LUTIL_GENTIME_BUFSIZE];
	struct berval ts = { sizeof( buf ), buf };
	AttributeDescription *ad = warden_pwd.ad_pwdChangedTime;
	Modifications *mc, **tail;

	slap_timestamp( &op->o_time, &ts );
	if ( op->o_tag == LDAP_REQ_ADD ) {
		if ( !attr_find( op->ora_e->e_attrs, ad ) )
			attr_merge_one( op->ora_e, ad, &ts, &ts );
		return;
	}
	for ( tail = &op->orm_modlist; *tail; tail = &(*tail)->sml_next ) {
		if ( (*tail)->sml_desc == ad ) return;
	}
	mc = ch_calloc( 1, sizeof( *mc ) );
	mc->sml_op = LDAP_MOD_REPLACE;
	mc->sml_flags = SLAP_MOD_INTERNAL;
	mc->sml_desc = ad;
	mc->sml_type = ad->ad_cname;
	mc->sml_numvals = 1;
	mc->sml_values = ch_calloc( 2, sizeof( struct berval ) );
	mc->sml_nvalues = ch_calloc( 2, sizeof( struct berval ) );
	ber_dupbv( &mc->sml_values[0], &ts );
	ber_dupbv( &mc->sml_nvalues[0], &ts );
	*tail = mc;
}

/* Checks (when a policy applies) and then hashes the cleartext values of
 * one userPassword value list. */
static int
pwq_values( Operation *op, SlapReply *rs, Entry *e, const warden_policy *p,
	int check, BerVarray vals, BerVarray nvals, unsigned n )
{
	unsigned i;
	int rc;

	for ( i = 0; check && i < n; i++ ) {
		if ( pwq_hashed( &vals[i] ) ) {
			if ( p->wp_check_quality >= 2 && !be_isroot( op ) )
				return pwq_refuse( op, rs, PP_INSUFFICIENT_QUALITY,
					"a hashed password cannot be checked; send "
					"the password itself", 0 );
			continue;
		}
		rc = pwq_check( op, rs, e, p, &vals[i], 0 );
		if ( rc != SLAP_CB_CONTINUE ) return rc;
	}
	for ( i = 0; i < n; i++ ) {
		if ( pwq_hashed( &vals[i] ) ) continue;
		if ( nvals && nvals != vals ) {
			ch_free( nvals[i].bv_val );
			BER_BVZERO( &nvals[i] );
		}
		rc = pwq_hash( op, rs, &vals[i] );
		if ( rc != SLAP_CB_CONTINUE ) return rc;
		if ( nvals && nvals != vals ) ber_dupbv( &nvals[i], &vals[i] );
	}
	return SLAP_CB_CONTINUE;
}

int
warden_quality_change( Operation *op, SlapReply *rs, Entry *e,
	int policy_state, const warden_policy *p )
{
	req_pwdexop_s *qpw = NULL;
	Modifications *m;
	Attribute *a;
	int rc, check = policy_state == WARDEN_POLICY_FOUND;

	if ( op->o_tag == LDAP_REQ_MODIFY ) qpw = pwq_exop( op );
	/* Named but missing: fail closed, except for the rootdn, who may
	 * have to load users before their policy. */
	if ( policy_state == WARDEN_POLICY_MISSING && !be_isroot( op ) )
		return pwq_refuse( op, rs, PP_INSUFFICIENT_QUALITY,
			"the password policy entry that applies is missing; "
			"ask an administrator", qpw != NULL );

	/* Password Modify: the new password in clear, before slapd hashed
	 * it (slapd hashes it itself) */
	if ( qpw ) {
		if ( check && !BER_BVISEMPTY( &qpw->rs_new ) ) {
			rc = pwq_check( op, rs, e, p, &qpw->rs_new, 1 );
			if ( rc != SLAP_CB_CONTINUE ) return rc;
		}
		pwq_changed_time( op );
		return SLAP_CB_CONTINUE;
	}

	if ( op->o_tag == LDAP_REQ_ADD ) {
		a = attr_find( op->ora_e->e_attrs, slap_schema.si_ad_userPassword );
		if ( !a ) return SLAP_CB_CONTINUE;
		rc = pwq_values( op, rs, op->ora_e, p, check, a->a_vals,
			a->a_nvals, a->a_numvals );
		if ( rc == SLAP_CB_CONTINUE ) pwq_changed_time( op );
		return rc;
	}

	for ( m = op->orm_modlist; m; m = m->sml_next ) {
		int set;

		if ( m->sml_desc != slap_schema.si_ad_userPassword ||
			( m->sml_op != LDAP_MOD_ADD && m->sml_op != LDAP_MOD_REPLACE ) )
			continue;
		set = m->sml_numvals > 0;
		rc = pwq_values( op, rs, e, p, check, m->sml_values,
			m->sml_nvalues, m->sml_numvals );
		if ( rc != SLAP_CB_CONTINUE ) return rc;
		if ( set ) {
			pwq_changed_time( op );
			break;
		}
	}
	return SLAP_CB_CONTINUE;
}
