/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
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
#include "password.h"
#include "dictionary.h"

/* Orders pwdHistory values by the time before their first '#'. */
static int
pwq_time_cmp( const struct berval *x, const struct berval *y )
{
	char *xe = memchr( x->bv_val, '#', x->bv_len );
	char *ye = memchr( y->bv_val, '#', y->bv_len );
	size_t xl = xe ? (size_t)( xe - x->bv_val ) : x->bv_len;
	size_t yl = ye ? (size_t)( ye - y->bv_val ) : y->bv_len;
	int c = memcmp( x->bv_val, y->bv_val, xl < yl ? xl : yl );

	return c ? c : ( xl > yl ) - ( xl < yl );
}

#define PP_MOD_NOT_ALLOWED	3	/* PasswordPolicyError values */
#define PP_MUST_SUPPLY_OLD	4
#define PP_INSUFFICIENT_QUALITY	5
#define PP_TOO_SHORT		6
#define PP_TOO_YOUNG		7
#define PP_IN_HISTORY		8
#define PP_TOO_LONG		9
#define PWQ_PERSONAL_MAX	24
/* draft-behera's pwdHistory: time#syntax#length#value */
#define PWQ_OCTET_STRING	"1.3.6.1.4.1.1466.115.121.1.40"

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

int
warden_quality_is_exop( Operation *op )
{
	return op->o_tag == LDAP_REQ_MODIFY && pwq_exop( op ) != NULL;
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
pwq_refuse_code( Operation *op, SlapReply *rs, int code, int pp_error,
	const char *msg, int exop )
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
	rs->sr_err = code;
	rs->sr_text = text;
	rs->sr_ctrls = ctrls;
	send_ldap_result( op, rs );
	if ( !exop ) {
		rs->sr_ctrls = NULL;
		rs->sr_text = NULL;
	}
	return code;
}

static int
pwq_refuse( Operation *op, SlapReply *rs, int pp_error, const char *msg,
	int exop )
{
	return pwq_refuse_code( op, rs, LDAP_CONSTRAINT_VIOLATION, pp_error,
		msg, exop );
}

/* The value of a pwdHistory value: time#syntax#length#value */
static int
pwq_history_value( struct berval *h, struct berval *out )
{
	char *p = h->bv_val, *end = h->bv_val + h->bv_len;
	int i;

	for ( i = 0; i < 3; i++ ) {
		p = memchr( p, '#', end - p );
		if ( !p ) return -1;
		p++;
	}
	out->bv_val = p;
	out->bv_len = end - p;
	return 0;
}

/* Whether pw is the current password or one of the pwdInHistory last,
 * compared with slapd's own password check. */
static int
pwq_in_history( Entry *e, const warden_policy *p, struct berval *pw )
{
	struct berval v;
	const char *text;
	Attribute *a;
	unsigned i;

	if ( !e || !p->wp_in_history ) return 0;
	a = attr_find( e->e_attrs, slap_schema.si_ad_userPassword );
	for ( i = 0; a && i < a->a_numvals; i++ ) {
		if ( !lutil_passwd( &a->a_vals[i], pw, NULL, &text ) ) return 1;
	}
	a = attr_find( e->e_attrs, warden_pwd.ad_pwdHistory );
	for ( i = 0; a && i < a->a_numvals; i++ ) {
		if ( !pwq_history_value( &a->a_vals[i], &v ) &&
			!lutil_passwd( &v, pw, NULL, &text ) )
			return 1;
	}
	return 0;
}

/* Every rule of the policy, the dictionary, the banned list and the
 * history, against one new cleartext password. */
static int
pwq_check( Operation *op, SlapReply *rs, slap_overinst *on, Entry *e,
	const warden_policy *p, struct berval *pw, int exop )
{
	warden_info *wi = on->on_bi.bi_private;
	char *words[PWQ_PERSONAL_MAX + 1];
	char msg[SLAP_TEXT_BUFLEN];
	warden_quality_result r;
	int rc;

	pwq_personal( op, e, words, PWQ_PERSONAL_MAX + 1 );
	r = warden_quality_check( &p->wp_quality, pw->bv_val, pw->bv_len,
		(const char *const *)words, msg, sizeof( msg ) );
	if ( r != WARDEN_Q_OK ) {
		Debug( LDAP_DEBUG_STATS, "warden: new password for \"%s\" "
			"refused: %s\n", op->o_req_dn.bv_val, msg );
		return pwq_refuse( op, rs, r == WARDEN_Q_TOO_SHORT ?
			PP_TOO_SHORT : r == WARDEN_Q_TOO_LONG ? PP_TOO_LONG :
			PP_INSUFFICIENT_QUALITY, msg, exop );
	}
	if ( warden_banlist_missing( wi ) ) {
		Debug( LDAP_DEBUG_ANY, "warden: cannot check a new password: "
			"the default banned-password list is not open (install "
			"it, or set warden-banned-list)\n" );
		return pwq_refuse_code( op, rs, LDAP_OTHER,
			PP_INSUFFICIENT_QUALITY, "the banned-password list "
			"cannot be read; ask an administrator", exop );
	}
	rc = warden_banned_check( wi->wi_banned, pw );
	if ( rc ) {
		Debug( LDAP_DEBUG_STATS, "warden: new password for \"%s\" "
			"refused: on the banned list\n", op->o_req_dn.bv_val );
		return pwq_refuse( op, rs, PP_INSUFFICIENT_QUALITY,
			"the password is a commonly used password; choose another",
			exop );
	}
	if ( p->wp_check_dictionary ) {
		rc = warden_dictionary_check( NULL, pw->bv_val, pw->bv_len,
			msg, sizeof( msg ) );
		/* cracklib strips no more than three characters from the
		 * ends: "Summer2024!!" passes it whole */
		if ( rc == 0 )
			rc = warden_dictionary_check_hidden( NULL, pw->bv_val,
				pw->bv_len, msg, sizeof( msg ) );
		if ( rc < 0 ) {
			Debug( LDAP_DEBUG_ANY, "warden: cannot check a new "
				"password: %s\n", msg );
			return pwq_refuse_code( op, rs, LDAP_OTHER,
				PP_INSUFFICIENT_QUALITY, "the password dictionary "
				"cannot be read; ask an administrator", exop );
		}
		if ( rc > 0 ) {
			Debug( LDAP_DEBUG_STATS, "warden: new password for \"%s\" "
				"refused: %s\n", op->o_req_dn.bv_val, msg );
			return pwq_refuse( op, rs, PP_INSUFFICIENT_QUALITY, msg,
				exop );
		}
	}
	/* an entry being added has no past; e holds the new password */
	if ( op->o_tag != LDAP_REQ_ADD && pwq_in_history( e, p, pw ) ) {
		snprintf( msg, sizeof( msg ), "the password was used before; "
			"choose one that is not among your last %u",
			p->wp_in_history + 1 );
		return pwq_refuse( op, rs, PP_IN_HISTORY, msg, exop );
	}
	return SLAP_CB_CONTINUE;
}

/* slapd 2.5's argon2 module sizes its value for argon2id but writes
 * argon2i, so the value it returns ends in a NUL and a byte of whatever
 * the heap held.  Stored as is, that byte would reach the database and
 * every replica. */
static void
pwq_hash_trim( struct berval *hash )
{
	if ( hash->bv_len > 8 && !strncasecmp( hash->bv_val, "{ARGON2}", 8 ) )
		hash->bv_len = strnlen( hash->bv_val, hash->bv_len );
}

const char *
warden_password_scheme( void )
{
	int i;

	for ( i = 0; default_passwd_hash && default_passwd_hash[i]; i++ ) {
		if ( strcasecmp( default_passwd_hash[i], "{CLEARTEXT}" ) )
			return default_passwd_hash[i];
	}
	return lutil_passwd_scheme( "{ARGON2}" ) ? "{ARGON2}" : "{SSHA}";
}

int
warden_password_hash( struct berval *cred, struct berval *hash,
	const char **text )
{
	BER_BVZERO( hash );
	slap_passwd_hash_type( cred, hash, (char *)warden_password_scheme(),
		text );
	if ( BER_BVISNULL( hash ) ) return -1;
	pwq_hash_trim( hash );
	return 0;
}

/* Replaces a cleartext value by its hash, so that no cleartext password
 * reaches the database. */
static int
pwq_hash( Operation *op, SlapReply *rs, struct berval *v )
{
	struct berval hash = BER_BVNULL;
	const char *text = NULL;

	if ( warden_password_hash( v, &hash, &text ) ) {
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

/* Without password-hash, slapd hashes Password Modify with {SSHA}; warden
 * uses the same scheme as for every other path ({ARGON2} when loaded). */
static int
pwq_exop_rehash( Operation *op, SlapReply *rs, req_pwdexop_s *qpw )
{
	struct berval hash = BER_BVNULL;
	const char *text = NULL;
	Modifications *m;

	for ( m = op->orm_modlist; m; m = m->sml_next ) {
		if ( m->sml_desc == slap_schema.si_ad_userPassword &&
			m->sml_op == LDAP_MOD_REPLACE && m->sml_numvals == 1 )
			break;
	}
	if ( !m ) return SLAP_CB_CONTINUE;
	if ( warden_password_hash( &qpw->rs_new, &hash, &text ) ) {
		Debug( LDAP_DEBUG_ANY, "warden: cannot hash a new password: %s\n",
			text ? text : "unknown error" );
		return pwq_refuse_code( op, rs, LDAP_OTHER, PP_INSUFFICIENT_QUALITY,
			"the password could not be hashed", 1 );
	}
	if ( m->sml_nvalues && m->sml_nvalues != m->sml_values ) {
		ber_bvarray_free( m->sml_nvalues );
		m->sml_nvalues = NULL;
	}
	ch_free( m->sml_values[0].bv_val );
	m->sml_values[0] = hash;
	return SLAP_CB_CONTINUE;
}

static int
pwq_mod_present( Operation *op, AttributeDescription *ad )
{
	Modifications *m;

	for ( m = op->orm_modlist; m; m = m->sml_next ) {
		if ( m->sml_desc == ad ) return 1;
	}
	return 0;
}

/* pwdChangedTime, set with every new password (draft-behera); clients
 * and expiry rules read it. */
static void
pwq_changed_time( Operation *op )
{
	char buf[LDAP_LUTIL_GENTIME_BUFSIZE];
	struct berval ts = { sizeof( buf ), buf };
	AttributeDescription *ad = warden_pwd.ad_pwdChangedTime;

	slap_timestamp( &op->o_time, &ts );
	if ( op->o_tag == LDAP_REQ_ADD ) {
		if ( !attr_find( op->ora_e->e_attrs, ad ) )
			attr_merge_one( op->ora_e, ad, &ts, &ts );
		return;
	}
	/* a new password has used no grace login */
	if ( warden_pwd.ad_pwdGraceUseTime &&
		!pwq_mod_present( op, warden_pwd.ad_pwdGraceUseTime ) )
		warden_mod_append( op, SLAP_MOD_SOFTDEL,
			warden_pwd.ad_pwdGraceUseTime, NULL, NULL, 0 );
	if ( pwq_mod_present( op, ad ) ) return;
	warden_mod_append( op, LDAP_MOD_REPLACE, ad, &ts, &ts, 1 );
}

/* Moves the passwords being replaced into pwdHistory, keeping the last
 * pwdInHistory. */
static void
pwq_history_update( Operation *op, Entry *e, const warden_policy *p )
{
	char buf[LDAP_LUTIL_GENTIME_BUFSIZE];
	struct berval ts = { sizeof( buf ), buf };
	Attribute *cur, *hist;
	BerVarray vals;
	unsigned n = 0, i, first;

	if ( !e || !p->wp_in_history ||
		pwq_mod_present( op, warden_pwd.ad_pwdHistory ) )
		return;
	cur = attr_find( e->e_attrs, slap_schema.si_ad_userPassword );
	if ( !cur ) return;
	hist = attr_find( e->e_attrs, warden_pwd.ad_pwdHistory );
	slap_timestamp( &op->o_time, &ts );

	vals = op->o_tmpcalloc( ( hist ? hist->a_numvals : 0 ) +
		cur->a_numvals + 1, sizeof( struct berval ), op->o_tmpmemctx );
	for ( i = 0; hist && i < hist->a_numvals; i++ )
		vals[n++] = hist->a_vals[i];
	for ( i = 0; i < cur->a_numvals; i++ ) {
		struct berval *v = &cur->a_vals[i], hv;
		char lenbuf[24];
		int ll, dup = 0;
		unsigned j;

		/* a value the history holds already stays there once */
		for ( j = 0; hist && j < hist->a_numvals && !dup; j++ )
			dup = !pwq_history_value( &hist->a_vals[j], &hv ) &&
				bvmatch( &hv, v );
		if ( dup ) continue;
		ll = snprintf( lenbuf, sizeof( lenbuf ), "%lu",
			(unsigned long)v->bv_len );

		vals[n].bv_len = ts.bv_len + sizeof( PWQ_OCTET_STRING ) + 1 +
			ll + 1 + v->bv_len;
		vals[n].bv_val = op->o_tmpalloc( vals[n].bv_len + 1,
			op->o_tmpmemctx );
		snprintf( vals[n].bv_val, vals[n].bv_len + 1, "%s#%s#%s#",
			ts.bv_val, PWQ_OCTET_STRING, lenbuf );
		memcpy( vals[n].bv_val + vals[n].bv_len - v->bv_len, v->bv_val,
			v->bv_len );
		vals[n].bv_val[vals[n].bv_len] = '\0';
		n++;
	}
	/* oldest first, by the time each value starts with; stable, so
	 * values of the same second keep the order they were written in */
	for ( i = 1; i < n; i++ ) {
		struct berval t = vals[i];
		unsigned j = i;

		while ( j > 0 && pwq_time_cmp( &vals[j - 1], &t ) > 0 ) {
			vals[j] = vals[j - 1];
			j--;
		}
		vals[j] = t;
	}
	first = n > p->wp_in_history ? n - p->wp_in_history : 0;
	/* with normalized values, as ever (octetStringMatch has no
	 * normalizer; a REPLACE makes the attribute anew) */
	warden_mod_append( op, LDAP_MOD_REPLACE, warden_pwd.ad_pwdHistory,
		&vals[first], &vals[first], n - first );
	for ( i = 0; i < n; i++ ) {
		int ours = 1;
		unsigned j;

		for ( j = 0; hist && j < hist->a_numvals; j++ )
			if ( vals[i].bv_val == hist->a_vals[j].bv_val ) ours = 0;
		if ( ours ) op->o_tmpfree( vals[i].bv_val, op->o_tmpmemctx );
	}
	op->o_tmpfree( vals, op->o_tmpmemctx );
}

/* pwdReset: set when an administrator sets the password and the policy
 * says the user must change it, removed when the user changes it. */
static void
pwq_reset_mark( Operation *op, Entry *e, const warden_policy *p, int self )
{
	if ( pwq_mod_present( op, warden_pwd.ad_pwdReset ) ) return;
	if ( self ) {
		if ( e && attr_find( e->e_attrs, warden_pwd.ad_pwdReset ) )
			warden_mod_append( op, SLAP_MOD_SOFTDEL,
				warden_pwd.ad_pwdReset, NULL, NULL, 0 );
		return;
	}
	if ( !p->wp_must_change ) return;
	/* with a normalized value, as ever */
	warden_mod_append( op, LDAP_MOD_REPLACE, warden_pwd.ad_pwdReset,
		&slap_true_bv, &slap_true_bv, 1 );
}

/* A user deleting the old password by its cleartext value (delete old, add
 * new): the stored value is a hash, which slapd would not find.  When the
 * value is the current password, the delete becomes a delete of the
 * attribute; otherwise slapd answers noSuchAttribute as usual. */
static void
pwq_old_password_delete( Operation *op, Entry *e )
{
	Attribute *a = e ? attr_find( e->e_attrs, slap_schema.si_ad_userPassword ) : NULL;
	const char *text;
	Modifications *m;
	unsigned i, j;

	if ( !a ) return;
	for ( m = op->orm_modlist; m; m = m->sml_next ) {
		int ok = 1;

		if ( m->sml_desc != slap_schema.si_ad_userPassword ||
			m->sml_op != LDAP_MOD_DELETE || !m->sml_numvals )
			continue;
		for ( i = 0; ok && i < m->sml_numvals; i++ ) {
			int found = 0;

			for ( j = 0; !found && j < a->a_numvals; j++ )
				found = !lutil_passwd( &a->a_vals[j],
					&m->sml_values[i], NULL, &text );
			ok = found;
		}
		if ( !ok ) continue;
		for ( i = 0; i < m->sml_numvals; i++ )
			OPENSSL_cleanse( m->sml_values[i].bv_val,
				m->sml_values[i].bv_len );
		if ( m->sml_nvalues && m->sml_nvalues != m->sml_values )
			ber_bvarray_free( m->sml_nvalues );
		ber_bvarray_free( m->sml_values );
		m->sml_values = m->sml_nvalues = NULL;
		m->sml_numvals = 0;
	}
}

/* Who may change a password, and when: pwdAllowUserChange, pwdSafeModify
 * and pwdMinAge bind users changing their own. */
static int
pwq_may_change( Operation *op, SlapReply *rs, Entry *e, const warden_policy *p,
	req_pwdexop_s *qpw )
{
	char msg[SLAP_TEXT_BUFLEN];
	Attribute *a;

	if ( !p->wp_allow_user_change )
		return pwq_refuse_code( op, rs, LDAP_INSUFFICIENT_ACCESS,
			PP_MOD_NOT_ALLOWED, "the password policy does not let "
			"users change their own password; ask an administrator",
			qpw != NULL );
	if ( p->wp_safe_modify ) {
		int old = 0;

		if ( qpw ) {
			old = !BER_BVISNULL( &qpw->rs_old );
		} else {
			Modifications *m;

			for ( m = op->orm_modlist; m; m = m->sml_next ) {
				if ( m->sml_desc == slap_schema.si_ad_userPassword &&
					m->sml_op == LDAP_MOD_DELETE && m->sml_numvals )
					old = 1;
			}
		}
		if ( !old )
			return pwq_refuse( op, rs, PP_MUST_SUPPLY_OLD,
				"give your current password along with the new "
				"one", qpw != NULL );
	}
	if ( p->wp_min_age && e &&
		( a = attr_find( e->e_attrs, warden_pwd.ad_pwdChangedTime ) ) ) {
		struct lutil_tm tm;
		struct lutil_timet tt;
		time_t changed, next;
		char when[LDAP_LUTIL_GENTIME_BUFSIZE];
		struct berval wbv = { sizeof( when ), when };

		if ( !lutil_parsetime( a->a_nvals[0].bv_val, &tm ) ) {
			lutil_tm2time( &tm, &tt );
			changed = (time_t)tt.tt_sec;
			next = changed + p->wp_min_age;
			if ( op->o_time < next ) {
				slap_timestamp( &next, &wbv );
				snprintf( msg, sizeof( msg ), "the password was "
					"changed too recently; it can be changed "
					"again after %s", when );
				return pwq_refuse( op, rs, PP_TOO_YOUNG, msg,
					qpw != NULL );
			}
		}
	}
	return SLAP_CB_CONTINUE;
}

/* Checks (when a policy applies) and then hashes the cleartext values of
 * one userPassword value list. */
static int
pwq_values( Operation *op, SlapReply *rs, slap_overinst *on, Entry *e,
	const warden_policy *p, int check, BerVarray vals, BerVarray nvals,
	unsigned n )
{
	int self = op->o_tag == LDAP_REQ_MODIFY && !be_isroot( op ) &&
		dn_match( &op->o_ndn, &op->o_req_ndn );
	unsigned i;
	int rc;

	for ( i = 0; check && i < n; i++ ) {
		if ( pwq_hashed( &vals[i] ) ) {
			/* Users would bypass every rule; administrators may
			 * migrate hashes unless pwdCheckQuality is 2, and the
			 * rootdn always may. */
			if ( self || ( p->wp_check_quality >= 2 && !be_isroot( op ) ) )
				return pwq_refuse( op, rs, PP_INSUFFICIENT_QUALITY,
					"a hashed password cannot be checked; send "
					"the password itself", 0 );
			continue;
		}
		rc = pwq_check( op, rs, on, e, p, &vals[i], 0 );
		if ( rc != SLAP_CB_CONTINUE ) return rc;
	}
	for ( i = 0; i < n; i++ ) {
		if ( pwq_hashed( &vals[i] ) ) {
			pwq_hash_trim( &vals[i] );
			if ( nvals && nvals != vals ) pwq_hash_trim( &nvals[i] );
			continue;
		}
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
warden_quality_change( Operation *op, SlapReply *rs, slap_overinst *on,
	Entry *e, int policy_state, const warden_policy *p )
{
	req_pwdexop_s *qpw = NULL;
	Modifications *m;
	Attribute *a;
	int rc, self, set = 0, check = policy_state == WARDEN_POLICY_FOUND;

	if ( op->o_tag == LDAP_REQ_MODIFY ) qpw = pwq_exop( op );
	/* Named but missing: fail closed, except for the rootdn, who may
	 * have to load users before their policy. */
	if ( policy_state == WARDEN_POLICY_MISSING && !be_isroot( op ) )
		return pwq_refuse( op, rs, PP_INSUFFICIENT_QUALITY,
			"the password policy entry that applies is missing; "
			"ask an administrator", qpw != NULL );

	if ( op->o_tag == LDAP_REQ_ADD ) {
		a = attr_find( op->ora_e->e_attrs, slap_schema.si_ad_userPassword );
		if ( !a ) return SLAP_CB_CONTINUE;
		rc = pwq_values( op, rs, on, op->ora_e, p, check, a->a_vals,
			a->a_nvals, a->a_numvals );
		if ( rc != SLAP_CB_CONTINUE ) return rc;
		pwq_changed_time( op );
		if ( check && p->wp_must_change &&
			!attr_find( op->ora_e->e_attrs, warden_pwd.ad_pwdReset ) )
			attr_merge_one( op->ora_e, warden_pwd.ad_pwdReset,
				(struct berval *)&slap_true_bv,
				(struct berval *)&slap_true_bv );
		return SLAP_CB_CONTINUE;
	}

	self = !be_isroot( op ) && dn_match( &op->o_ndn, &op->o_req_ndn );
	if ( check && self ) {
		rc = pwq_may_change( op, rs, e, p, qpw );
		if ( rc != SLAP_CB_CONTINUE ) return rc;
	}
	if ( self && !qpw ) pwq_old_password_delete( op, e );

	/* Password Modify: the new password in clear, before slapd hashed
	 * it (slapd hashes it itself) */
	if ( qpw ) {
		if ( check && !BER_BVISEMPTY( &qpw->rs_new ) ) {
			rc = pwq_check( op, rs, on, e, p, &qpw->rs_new, 1 );
			if ( rc != SLAP_CB_CONTINUE ) return rc;
		}
		set = 1;
		/* what slapd hashed is left alone; a {CLEARTEXT}
		 * password-hash is not */
		check = 0;
		if ( !default_passwd_hash && !BER_BVISEMPTY( &qpw->rs_new ) ) {
			rc = pwq_exop_rehash( op, rs, qpw );
			if ( rc != SLAP_CB_CONTINUE ) return rc;
		}
	}
	for ( m = op->orm_modlist; m; m = m->sml_next ) {
		if ( m->sml_desc != slap_schema.si_ad_userPassword ||
			( m->sml_op != LDAP_MOD_ADD && m->sml_op != LDAP_MOD_REPLACE ) )
			continue;
		if ( m->sml_numvals > 0 ) set = 1;
		rc = pwq_values( op, rs, on, e, p, check, m->sml_values,
			m->sml_nvalues, m->sml_numvals );
		if ( rc != SLAP_CB_CONTINUE ) return rc;
	}
	if ( !set ) return SLAP_CB_CONTINUE;
	pwq_changed_time( op );
	if ( policy_state == WARDEN_POLICY_FOUND ) {
		pwq_history_update( op, e, p );
		pwq_reset_mark( op, e, p, self );
	}
	return SLAP_CB_CONTINUE;
}
