/* pwgen.c - Password Modify without a new password
 *
 * RFC 3062 lets a client ask the server to choose the new password.
 * slapd's own handler generates 8 characters before any overlay sees the
 * request, which no sensible policy accepts.  warden takes over the
 * handler: when the request names no new password and its target is in a
 * database with warden, it generates one that the user's policy accepts,
 * hands slapd's handler the request with that password (so every check
 * applies as usual) and returns it in the response.
 */

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "warden.h"

#define PWGEN_MAX	256

static int pwgen_users;

static int
pwgen_random( unsigned char *buf, size_t len )
{
	return RAND_bytes( buf, (int)len ) == 1 ? 0 : -1;
}

static slap_overinst *
pwgen_instance( BackendDB *be )
{
	slap_overinst *on;

	if ( !be || !overlay_is_over( be ) ) return NULL;
	for ( on = ( (slap_overinfo *)be->bd_info->bi_private )->oi_list; on;
			on = on->on_next ) {
		if ( !strcmp( on->on_bi.bi_type, "warden" ) ) return on;
	}
	return NULL;
}

/* A password for the entry ndn under its policy; 0 when there is no such
 * entry (slapd's handler then reports it). */
static size_t
pwgen_for( Operation *op, BackendDB *be, slap_overinst *on,
	struct berval *ndn, char *pw, size_t len )
{
	BackendDB db = *be, *bd = op->o_bd;
	struct berval sub = BER_BVNULL;
	warden_policy p;
	Entry *e = NULL;
	Attribute *a;
	size_t n = 0;
	int found = 0;

	/* as the overlay stack does: a private copy of the database */
	op->o_bd = &db;
	db.bd_info = (BackendInfo *)on->on_info;
	if ( be_entry_get_rw( op, ndn, NULL, NULL, 0, &e ) == LDAP_SUCCESS &&
			e ) {
		found = 1;
		a = attr_find( e->e_attrs, warden_pwd.ad_pwdPolicySubentry );
		if ( a ) ber_dupbv_x( &sub, &a->a_nvals[0], op->o_tmpmemctx );
		be_entry_release_r( op, e );
	}
	db.bd_info = (BackendInfo *)on;
	if ( found ) {
		if ( warden_policy_applying( op, on,
				BER_BVISNULL( &sub ) ? NULL : &sub, &p ) !=
				WARDEN_POLICY_FOUND )
			memset( &p, 0, sizeof( p ) );
		n = warden_quality_generate( &p.wp_quality, pwgen_random, pw, len );
		if ( !n ) Debug( LDAP_DEBUG_ANY, "warden: cannot generate a "
			"password that the policy of \"%s\" accepts\n",
			ndn->bv_val );
	}
	if ( sub.bv_val ) op->o_tmpfree( sub.bv_val, op->o_tmpmemctx );
	op->o_bd = bd;
	return n;
}

static int
pwgen_extop( Operation *op, SlapReply *rs )
{
	struct berval id = BER_BVNULL, old = BER_BVNULL, newpw = BER_BVNULL;
	struct berval ndn = BER_BVNULL, req = BER_BVNULL, gen, *orig;
	BerElementBuffer berbuf;
	BerElement *ber = (BerElement *)&berbuf;
	const char *text = NULL;
	slap_overinst *on;
	BackendDB *be;
	char pw[PWGEN_MAX + 1];
	int rc;

	if ( BER_BVISEMPTY( &op->o_ndn ) ||
		slap_passwd_parse( op->ore_reqdata, &id, &old, &newpw, &text ) !=
			LDAP_SUCCESS ||
		!BER_BVISEMPTY( &newpw ) )
		return passwd_extop( op, rs );
	if ( BER_BVISEMPTY( &id ) ) {
		ber_dupbv_x( &ndn, &op->o_ndn, op->o_tmpmemctx );
	} else if ( dnNormalize( 0, NULL, NULL, &id, &ndn, op->o_tmpmemctx ) !=
			LDAP_SUCCESS ) {
		return passwd_extop( op, rs );
	}
	be = select_backend( &ndn, 0 );
	on = pwgen_instance( be );
	gen.bv_len = on ? pwgen_for( op, be, on, &ndn, pw, sizeof( pw ) ) : 0;
	op->o_tmpfree( ndn.bv_val, op->o_tmpmemctx );
	/* no warden, or no such entry: slapd's handler says what it says */
	if ( !gen.bv_len ) return passwd_extop( op, rs );
	gen.bv_val = pw;

	ber_init2( ber, NULL, LBER_USE_DER );
	rc = ber_printf( ber, "{" );
	if ( rc >= 0 && !BER_BVISEMPTY( &id ) )
		rc = ber_printf( ber, "tO", LDAP_TAG_EXOP_MODIFY_PASSWD_ID, &id );
	if ( rc >= 0 && !BER_BVISNULL( &old ) )
		rc = ber_printf( ber, "tO", LDAP_TAG_EXOP_MODIFY_PASSWD_OLD, &old );
	if ( rc >= 0 )
		rc = ber_printf( ber, "tON}", LDAP_TAG_EXOP_MODIFY_PASSWD_NEW, &gen );
	if ( rc < 0 || ber_flatten2( ber, &req, 0 ) < 0 ) {
		rs->sr_text = "cannot encode the request";
		rc = LDAP_OTHER;
		goto done;
	}

	orig = op->ore_reqdata;
	op->ore_reqdata = &req;
	rc = passwd_extop( op, rs );
	op->ore_reqdata = orig;
	if ( rc == LDAP_SUCCESS && !rs->sr_rspdata )
		rs->sr_rspdata = slap_passwd_return( &gen );

done:
	if ( req.bv_val ) OPENSSL_cleanse( req.bv_val, req.bv_len );
	ber_free_buf( ber );
	OPENSSL_cleanse( pw, sizeof( pw ) );
	return rc;
}

int
warden_pwgen_init( void )
{
	struct berval oid = BER_BVC( LDAP_EXOP_MODIFY_PASSWD );

	if ( pwgen_users++ ) return 0;
	if ( load_extop2( &oid, SLAP_EXOP_WRITES, pwgen_extop, 1 ) ) {
		Debug( LDAP_DEBUG_ANY, "warden: cannot take over the Password "
			"Modify operation\n" );
		pwgen_users--;
		return -1;
	}
	return 0;
}

void
warden_pwgen_release( void )
{
	struct berval oid = BER_BVC( LDAP_EXOP_MODIFY_PASSWD );

	if ( --pwgen_users > 0 ) return;
	load_extop2( &oid, SLAP_EXOP_WRITES, passwd_extop, 1 );
}
