/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* wardenctl-totp.c - wardenctl totp: enrol users for TOTP, give them new
 * secrets, remove their tokens, issue their recovery codes
 *
 * Everything goes over LDAP, in the OATH-LDAP model warden reads at bind
 * (overlay/mfa/totp.c): enrolment makes the user entry its own token
 * (objectClass oathTOTPUser and oathTOTPToken, oathTOTPToken naming the
 * entry itself, oathSecret the raw seed, oathTOTPParams when the token
 * does not use SHA-1, 6 digits and 30 s).  wardenctl writes the raw seed:
 * warden wraps it before it reaches the database, and refuses it when it
 * has no key to do so.  The connection carries the seed, so use ldapi or
 * StartTLS (-Z).
 *
 * Each change is one modify of the user entry, so that a user is never
 * left half enrolled: the classes, the token, the seed, the parameters
 * and the recovery codes together.  Only reset of a token kept in an
 * entry of its own (as slapo-otp deployments may have it) writes two
 * entries: the token's seed first, then the user's recovery codes.
 *
 * A new seed also clears oathTOTPLastTimeStep and oathTOTPTimeStepDrift:
 * the steps used with the old seed say nothing about the new one (warden
 * forgets its own record of them when oathSecret changes), and a user who
 * signed in a moment ago must be able to use the new token at once.
 *
 * Recovery codes (overlay/lib/recovery.h) are stored only hashed, in
 * wardenRecoveryCode (objectClass wardenMFAUser), and printed once.
 *
 * Secrets on this side: the seed, its base32 form, the URI, the QR
 * modules and pixels and the recovery codes are wiped after use.  The PNG
 * holds the secret too: it is written mode 0600, next to its name and
 * renamed into place only once the directory has taken the seed.
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ldap.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <png.h>
#include <qrencode.h>

#include "otpauth.h"
#include "recovery.h"
#include "totpcalc.h"
#include "wardenctl.h"

/* 160 bits: RFC 4226's recommended length, and what the apps expect */
#define WT_SEED_LEN	20
#define WT_QR_MARGIN	4	/* the quiet zone ISO/IEC 18004 asks for */
#define WT_PNG_SCALE	8	/* pixels a module */
#define WT_URI_MAX	2048

enum { WT_ENROLL, WT_RESET, WT_REMOVE, WT_RECOVERY };

/* The attributes wardenctl looks at, in the entry it changes.  The last
 * group are the other attributes only the classes oathToken and
 * oathTOTPToken allow: remove deletes them too, or the classes could not
 * go. */
enum {
	WA_TOKEN, WA_PARAMS, WA_SECRET, WA_LASTSTEP, WA_DRIFT, WA_RECOVERY,
	WA_HOTP, WA_UID,
	WA_TOKEN_ONLY,	/* the first of the group */
	WA_SECRETTIME = WA_TOKEN_ONLY, WA_LASTLOGIN, WA_FAILCOUNT,
	WA_LASTFAILURE, WA_SERIAL, WA_IDENT, WA_PIN,
	WA_N
};

static const char *const wt_attr_names[WA_N + 2] = {
	"oathTOTPToken", "oathTOTPParams", "oathSecret",
	"oathTOTPLastTimeStep", "oathTOTPTimeStepDrift", "wardenRecoveryCode",
	"oathHOTPToken", "uid",
	"oathSecretTime", "oathLastLogin", "oathFailureCount",
	"oathLastFailure", "oathTokenSerialNumber", "oathTokenIdentifier",
	"oathTokenPIN",
	"objectClass", NULL
};

/* The classes wardenctl adds and removes. */
enum { WO_USER, WO_TOKEN, WO_MFA, WO_N };

static const char *const wt_oc_names[WO_N] = {
	"oathTOTPUser", "oathTOTPToken", "wardenMFAUser"
};

/* An entry as far as wardenctl totp needs it. */
typedef struct wt_entry {
	char	*we_dn;			/* as the directory spells it */
	int	we_has[WA_N];
	char	*we_value[WA_N];	/* the first value, of the DN-valued
					 * ones and uid */
	char	*we_oc[WO_N];		/* a class present, as spelled there */
} wt_entry;

/* A modify request being built: at most a dozen changes, each of at most
 * WARDEN_RECOVERY_COUNT values. */
#define WT_MODS_MAX	20
typedef struct wt_mods {
	LDAPMod		wm_mod[WT_MODS_MAX];
	LDAPMod		*wm_ptr[WT_MODS_MAX + 1];
	struct berval	wm_val[WT_MODS_MAX][WARDEN_RECOVERY_COUNT];
	struct berval	*wm_vptr[WT_MODS_MAX][WARDEN_RECOVERY_COUNT + 1];
	int		wm_n;
	int		wm_nval[WT_MODS_MAX];
} wt_mods;

/* The token's parameters, as warden reads them at bind. */
typedef struct wt_params {
	const char	*wp_alg;	/* as the URI names it */
	unsigned	wp_digits;
	unsigned	wp_period;
} wt_params;

/* What the command line asked for. */
typedef struct wt_cmd {
	int		wc_cmd;
	const char	*wc_name;	/* "enroll", ... */
	const char	*wc_dn;
	const char	*wc_issuer;
	const char	*wc_params;
	const char	*wc_png;
	int		wc_no_qr;
	int		wc_force;
} wt_cmd;

/* --- LDAP ------------------------------------------------------------------ */

/* Reports a refusal of the directory; returns WC_EXIT_LDAP. */
static int
wt_refused( LDAP *ld, int rc, const char *what, const char *dn )
{
	char *diag = NULL;
	const char *sep;

	ldap_get_option( ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag );
	sep = diag && *diag ? ": " : "";
	switch ( rc ) {
	case LDAP_NO_SUCH_OBJECT:
		fprintf( stderr, "wardenctl: %s: no such entry\n", dn );
		break;
	case LDAP_INSUFFICIENT_ACCESS:
		fprintf( stderr, "wardenctl: %s %s: insufficient access: this "
			"identity may not change the entry's TOTP attributes "
			"(bind as the rootdn or an identity with write access to "
			"objectClass, oathTOTPToken, oathSecret, oathTOTPParams and "
			"wardenRecoveryCode)%s%s\n", what, dn, sep, diag ? diag : "" );
		break;
	case LDAP_TYPE_OR_VALUE_EXISTS:
		fprintf( stderr, "wardenctl: %s %s: already enrolled (it has an "
			"oathTOTPToken this identity could not see, or was enrolled "
			"just now); --force enrols it again\n", what, dn );
		break;
	default:
		fprintf( stderr, "wardenctl: %s %s: %s%s%s\n", what, dn,
			ldap_err2string( rc ), sep, diag ? diag : "" );
	}
	ldap_memfree( diag );
	return WC_EXIT_LDAP;
}

static void
wt_entry_free( wt_entry *e )
{
	int i;

	ldap_memfree( e->we_dn );
	for ( i = 0; i < WA_N; i++ ) free( e->we_value[i] );
	for ( i = 0; i < WO_N; i++ ) free( e->we_oc[i] );
	memset( e, 0, sizeof( *e ) );
}

/* Reads what wardenctl needs of the entry dn.  Returns 0, or an exit
 * status after printing why. */
static int
wt_read( LDAP *ld, const char *dn, wt_entry *we )
{
	LDAPMessage *res = NULL, *e;
	struct berval **v;
	int rc, i, j;

	memset( we, 0, sizeof( *we ) );
	rc = ldap_search_ext_s( ld, dn, LDAP_SCOPE_BASE, "(objectClass=*)",
		(char **)wt_attr_names, 0, NULL, NULL, NULL, 1, &res );
	if ( rc != LDAP_SUCCESS ) {
		ldap_msgfree( res );
		return wt_refused( ld, rc, "read", dn );
	}
	if ( !( e = ldap_first_entry( ld, res ) ) ) {
		ldap_msgfree( res );
		fprintf( stderr, "wardenctl: %s: no such entry\n", dn );
		return WC_EXIT_LDAP;
	}
	we->we_dn = ldap_get_dn( ld, e );
	for ( i = 0; i < WA_N; i++ ) {
		v = ldap_get_values_len( ld, e, wt_attr_names[i] );
		if ( v && v[0] ) {
			we->we_has[i] = 1;
			/* not the secret: only the DNs and the uid are kept */
			if ( i == WA_TOKEN || i == WA_PARAMS || i == WA_HOTP ||
				i == WA_UID )
				we->we_value[i] = strndup( v[0]->bv_val,
					v[0]->bv_len );
		}
		ldap_value_free_len( v );
	}
	v = ldap_get_values_len( ld, e, "objectClass" );
	for ( i = 0; v && v[i]; i++ )
		for ( j = 0; j < WO_N; j++ )
			if ( strlen( wt_oc_names[j] ) == v[i]->bv_len &&
				!strncasecmp( wt_oc_names[j], v[i]->bv_val,
					v[i]->bv_len ) && !we->we_oc[j] )
				we->we_oc[j] = strndup( v[i]->bv_val, v[i]->bv_len );
	ldap_value_free_len( v );
	ldap_msgfree( res );
	if ( !we->we_dn ) {
		fprintf( stderr, "wardenctl: %s: out of memory\n", dn );
		return WC_EXIT_LOCAL;
	}
	return 0;
}

/* Whether two DNs name the same entry (as far as a client can tell
 * without the schema: LDAPv3 form, case ignored). */
static int
wt_same_dn( const char *a, const char *b )
{
	char *na = NULL, *nb = NULL;
	int same;

	if ( ldap_dn_normalize( a, LDAP_DN_FORMAT_LDAP, &na,
			LDAP_DN_FORMAT_LDAPV3 ) != LDAP_SUCCESS ||
		ldap_dn_normalize( b, LDAP_DN_FORMAT_LDAP, &nb,
			LDAP_DN_FORMAT_LDAPV3 ) != LDAP_SUCCESS )
		same = !strcasecmp( a, b );
	else
		same = !strcasecmp( na, nb );
	ldap_memfree( na );
	ldap_memfree( nb );
	return same;
}

/* Reads the parameters entry dn as warden does (overlay/mfa/totp.c), and
 * refuses what warden would refuse at bind.  Without dn: SHA-1, 6 digits,
 * 30 s. */
static int
wt_read_params( LDAP *ld, const char *dn, wt_params *p )
{
	static const char *const names[] = { "SHA1", "SHA256", "SHA512" };
	char *attrs[] = { "oathOTPLength", "oathHMACAlgorithm",
		"oathTOTPTimeStepPeriod", NULL };
	LDAPMessage *res = NULL, *e = NULL;
	struct berval **v;
	warden_otp_alg alg = WARDEN_OTP_SHA1;
	long digits = 6, period = WARDEN_TOTP_PERIOD_DEFAULT;
	char msg[256], *end;
	int rc, i, ret = WC_EXIT_LDAP;

	p->wp_alg = names[alg];
	p->wp_digits = digits;
	p->wp_period = period;
	if ( !dn ) return 0;
	rc = ldap_search_ext_s( ld, dn, LDAP_SCOPE_BASE, "(objectClass=*)",
		attrs, 0, NULL, NULL, NULL, 1, &res );
	if ( rc == LDAP_NO_SUCH_OBJECT ||
		( rc == LDAP_SUCCESS && !( e = ldap_first_entry( ld, res ) ) ) ) {
		fprintf( stderr, "wardenctl: parameters entry %s: no such entry\n",
			dn );
		goto done;
	}
	if ( rc != LDAP_SUCCESS ) {
		wt_refused( ld, rc, "read the parameters entry", dn );
		goto done;
	}
	for ( i = 0; attrs[i]; i++ ) {
		long *n = i == 0 ? &digits : i == 2 ? &period : NULL;

		v = ldap_get_values_len( ld, e, attrs[i] );
		if ( !v || !v[0] || !v[0]->bv_len ) {
			ldap_value_free_len( v );
			continue;
		}
		if ( n ) {
			/* as warden: a value it cannot read is its default */
			char buf[32];

			snprintf( buf, sizeof( buf ), "%.*s",
				(int)v[0]->bv_len, v[0]->bv_val );
			errno = 0;
			*n = strtol( buf, &end, 10 );
			if ( *end || errno ) *n = i == 0 ? 6 : WARDEN_TOTP_PERIOD_DEFAULT;
		} else if ( warden_otp_alg_from_oid( v[0]->bv_val, v[0]->bv_len,
				&alg, msg, sizeof( msg ) ) ) {
			fprintf( stderr, "wardenctl: parameters entry %s: %s\n",
				dn, msg );
			ldap_value_free_len( v );
			goto done;
		}
		ldap_value_free_len( v );
	}
	if ( digits < WARDEN_OTP_DIGITS_MIN || digits > WARDEN_OTP_DIGITS_MAX ||
		period < 1 || period > WARDEN_TOTP_PERIOD_MAX ) {
		fprintf( stderr, "wardenctl: parameters entry %s: oathOTPLength %ld "
			"or oathTOTPTimeStepPeriod %ld out of range (%d to %d "
			"digits, 1 to %d s); warden would refuse every bind\n", dn,
			digits, period, WARDEN_OTP_DIGITS_MIN, WARDEN_OTP_DIGITS_MAX,
			WARDEN_TOTP_PERIOD_MAX );
		goto done;
	}
	p->wp_alg = names[alg];
	p->wp_digits = digits;
	p->wp_period = period;
	ret = 0;

done:
	ldap_msgfree( res );
	return ret;
}

/* Adds a change to m; returns its index for wt_mod_value(). */
static int
wt_mod( wt_mods *m, int op, const char *type )
{
	int i = m->wm_n++;

	m->wm_mod[i].mod_op = op | LDAP_MOD_BVALUES;
	m->wm_mod[i].mod_type = (char *)type;
	m->wm_vptr[i][0] = NULL;
	/* delete without values removes the attribute, replace without
	 * values too, and is a no-op when it is absent */
	m->wm_mod[i].mod_bvalues = op == LDAP_MOD_DELETE ? NULL : m->wm_vptr[i];
	m->wm_ptr[i] = &m->wm_mod[i];
	m->wm_ptr[i + 1] = NULL;
	return i;
}

static void
wt_mod_value( wt_mods *m, int i, const void *val, size_t len )
{
	int n = m->wm_nval[i]++;

	m->wm_val[i][n].bv_val = (char *)val;
	m->wm_val[i][n].bv_len = len;
	m->wm_vptr[i][n] = &m->wm_val[i][n];
	m->wm_vptr[i][n + 1] = NULL;
	m->wm_mod[i].mod_bvalues = m->wm_vptr[i];
}

static void
wt_mod_str( wt_mods *m, int op, const char *type, const char *val )
{
	wt_mod_value( m, wt_mod( m, op, type ), val, strlen( val ) );
}

/* Adds the classes of want (bits of WO_*) that e lacks. */
static void
wt_mod_classes( wt_mods *m, const wt_entry *e, unsigned want )
{
	int i, j = -1;

	for ( i = 0; i < WO_N; i++ ) {
		if ( !( want & ( 1u << i ) ) || e->we_oc[i] ) continue;
		if ( j < 0 ) j = wt_mod( m, LDAP_MOD_ADD, "objectClass" );
		wt_mod_value( m, j, wt_oc_names[i], strlen( wt_oc_names[i] ) );
	}
}

/* Clears the steps of an old seed, when the entry has them. */
static void
wt_mod_steps( wt_mods *m, const wt_entry *e )
{
	if ( e->we_has[WA_LASTSTEP] )
		wt_mod( m, LDAP_MOD_REPLACE, wt_attr_names[WA_LASTSTEP] );
	if ( e->we_has[WA_DRIFT] )
		wt_mod( m, LDAP_MOD_REPLACE, wt_attr_names[WA_DRIFT] );
}

static void
wt_mod_recovery( wt_mods *m, const warden_recovery_set *rs )
{
	int i, j = wt_mod( m, LDAP_MOD_REPLACE, "wardenRecoveryCode" );

	for ( i = 0; i < WARDEN_RECOVERY_COUNT; i++ )
		wt_mod_value( m, j, rs->rs_stored[i], strlen( rs->rs_stored[i] ) );
}

static int
wt_modify( LDAP *ld, const char *what, const char *dn, wt_mods *m )
{
	int rc = ldap_modify_ext_s( ld, dn, m->wm_ptr, NULL, NULL );

	return rc == LDAP_SUCCESS ? 0 : wt_refused( ld, rc, what, dn );
}

/* --- what the user is shown -------------------------------------------------- */

/* The value of the first RDN of dn, or NULL. */
static char *
wt_first_rdn_value( const char *dn )
{
	LDAPDN ldn = NULL;
	char *v = NULL;

	if ( ldap_str2dn( dn, &ldn, LDAP_DN_FORMAT_LDAP ) == LDAP_SUCCESS &&
		ldn && ldn[0] && ldn[0][0] )
		v = strndup( ldn[0][0]->la_value.bv_val, ldn[0][0]->la_value.bv_len );
	ldap_dnfree( ldn );
	return v;
}

/* The dc= parts of dn joined by dots (example.org), or NULL. */
static char *
wt_domain( const char *dn )
{
	LDAPDN ldn = NULL;
	char out[256];
	size_t o = 0;
	int i, j;

	out[0] = '\0';
	if ( ldap_str2dn( dn, &ldn, LDAP_DN_FORMAT_LDAP ) != LDAP_SUCCESS ) return NULL;
	for ( i = 0; ldn && ldn[i]; i++ ) {
		for ( j = 0; ldn[i][j]; j++ ) {
			LDAPAVA *a = ldn[i][j];

			if ( a->la_attr.bv_len != 2 ||
				strncasecmp( a->la_attr.bv_val, "dc", 2 ) ||
				o + a->la_value.bv_len + 2 > sizeof( out ) )
				continue;
			if ( o ) out[o++] = '.';
			memcpy( out + o, a->la_value.bv_val, a->la_value.bv_len );
			o += a->la_value.bv_len;
			out[o] = '\0';
		}
	}
	ldap_dnfree( ldn );
	return o ? strdup( out ) : NULL;
}

/* Writes the QR code's PNG into a new file next to path (mode 0600).
 * Returns its name (malloc'ed) or NULL after printing why. */
static char *
wt_png_write( const char *path, const QRcode *qr )
{
	png_image img;
	unsigned char *px = NULL;
	size_t side = (size_t)( qr->width + 2 * WT_QR_MARGIN ) * WT_PNG_SCALE;
	char *tmp = NULL;
	FILE *f = NULL;
	int fd, ok = 0;

	if ( asprintf( &tmp, "%s.XXXXXX", path ) < 0 ) {
		tmp = NULL;
		fprintf( stderr, "wardenctl: out of memory\n" );
		return NULL;
	}
	/* mkstemp: mode 0600, a name nobody else has */
	if ( ( fd = mkstemp( tmp ) ) < 0 ) {
		fprintf( stderr, "wardenctl: %s: %s\n", path, strerror( errno ) );
		free( tmp );
		return NULL;
	}
	if ( !( f = fdopen( fd, "wb" ) ) ) {
		fprintf( stderr, "wardenctl: %s: %s\n", tmp, strerror( errno ) );
		close( fd );
		goto done;
	}
	if ( !( px = malloc( side * side ) ) ) {
		fprintf( stderr, "wardenctl: out of memory\n" );
		goto done;
	}
	warden_qr_pixels( qr->data, qr->width, WT_QR_MARGIN, WT_PNG_SCALE, px );
	memset( &img, 0, sizeof( img ) );
	img.version = PNG_IMAGE_VERSION;
	img.width = side;
	img.height = side;
	img.format = PNG_FORMAT_GRAY;
	if ( !png_image_write_to_stdio( &img, f, 0, px, 0, NULL ) ) {
		fprintf( stderr, "wardenctl: %s: %s\n", path, img.message );
		png_image_free( &img );
		goto done;
	}
	png_image_free( &img );
	if ( fflush( f ) || fsync( fileno( f ) ) ) {
		fprintf( stderr, "wardenctl: %s: %s\n", path, strerror( errno ) );
		goto done;
	}
	ok = 1;

done:
	if ( px ) {
		OPENSSL_cleanse( px, side * side );
		free( px );
	}
	if ( f && fclose( f ) && ok ) {
		fprintf( stderr, "wardenctl: %s: %s\n", path, strerror( errno ) );
		ok = 0;
	}
	if ( !ok ) {
		unlink( tmp );
		free( tmp );
		tmp = NULL;
	}
	return tmp;
}

static void
wt_print_codes( const warden_recovery_set *rs )
{
	int i;

	printf( "recovery codes, each usable once in place of a one-time code "
		"(shown only now):\n" );
	for ( i = 0; i < WARDEN_RECOVERY_COUNT; i++ )
		printf( "%2d. %s\n", i + 1, rs->rs_code[i] );
}

/* --- the commands ------------------------------------------------------------- */

/* A new seed for the token: enroll (the token is the user entry) and
 * reset. */
static int
wt_new_secret( LDAP *ld, const wt_cmd *c, wt_entry *user, wt_entry *token )
{
	unsigned char seed[WT_SEED_LEN];
	char b32[WARDEN_BASE32_LEN( WT_SEED_LEN ) + 1];
	char grouped[sizeof( b32 ) + sizeof( b32 ) / 4 + 1];
	char uri[WT_URI_MAX];
	warden_recovery_set rs;
	warden_otpauth oa;
	wt_params p;
	wt_mods *m = NULL;
	QRcode *qr = NULL;
	const char *params_dn;
	char *account = NULL, *issuer = NULL, *png_tmp = NULL, msg[256];
	int own = token == user, codes_stored = 0, rc, i, o;

	memset( &rs, 0, sizeof( rs ) );
	/* enroll --params sets them; otherwise those the token has stay */
	params_dn = c->wc_params ? c->wc_params : token->we_value[WA_PARAMS];
	if ( ( rc = wt_read_params( ld, params_dn, &p ) ) ) return rc;

	rc = WC_EXIT_LOCAL;
	account = user->we_value[WA_UID] ? strdup( user->we_value[WA_UID] ) :
		wt_first_rdn_value( user->we_dn );
	issuer = c->wc_issuer ? strdup( c->wc_issuer ) : wt_domain( user->we_dn );
	if ( !issuer ) issuer = strdup( "LDAP" );
	if ( !account || !issuer || !( m = calloc( 1, sizeof( *m ) ) ) ) {
		fprintf( stderr, "wardenctl: out of memory\n" );
		goto done;
	}
	if ( RAND_bytes( seed, sizeof( seed ) ) != 1 ) {
		fprintf( stderr, "wardenctl: no random bytes from OpenSSL\n" );
		goto done;
	}
	warden_base32_encode( seed, sizeof( seed ), b32, sizeof( b32 ) );
	oa.oa_issuer = issuer;
	oa.oa_account = account;
	oa.oa_secret = b32;
	oa.oa_algorithm = p.wp_alg;
	oa.oa_digits = p.wp_digits;
	oa.oa_period = p.wp_period;
	if ( warden_otpauth_uri( &oa, uri, sizeof( uri ) ) < 0 ) {
		fprintf( stderr, "wardenctl: the otpauth URI cannot be made (an "
			"issuer with ':' or names too long)\n" );
		goto done;
	}
	/* level M: a tenth of the code can be unreadable, and it still fits
	 * an 80-column terminal */
	if ( !( qr = QRcode_encodeString( uri, 0, QR_ECLEVEL_M, QR_MODE_8, 1 ) ) ) {
		fprintf( stderr, "wardenctl: the QR code cannot be made: %s\n",
			strerror( errno ) );
		goto done;
	}
	if ( c->wc_png && !( png_tmp = wt_png_write( c->wc_png, qr ) ) )
		goto done;
	if ( warden_recovery_generate( WARDEN_RECOVERY_ITER_DEFAULT, &rs, msg,
			sizeof( msg ) ) ) {
		fprintf( stderr, "wardenctl: recovery codes: %s\n", msg );
		goto done;
	}

	/* the token: the user entry itself at enrolment */
	if ( own ) {
		wt_mod_classes( m, user, c->wc_cmd == WT_ENROLL ?
			1u << WO_USER | 1u << WO_TOKEN | 1u << WO_MFA :
			1u << WO_TOKEN | 1u << WO_MFA );
		/* without --force an add, which the directory refuses
		 * should the user have been enrolled since it was read
		 * (oathTOTPToken is single-valued) */
		if ( c->wc_cmd == WT_ENROLL )
			wt_mod_str( m, c->wc_force ? LDAP_MOD_REPLACE : LDAP_MOD_ADD,
				"oathTOTPToken", user->we_dn );
	}
	wt_mod_value( m, wt_mod( m, LDAP_MOD_REPLACE, "oathSecret" ), seed,
		sizeof( seed ) );
	if ( c->wc_params )
		wt_mod_str( m, LDAP_MOD_REPLACE, "oathTOTPParams", c->wc_params );
	wt_mod_steps( m, token );
	if ( own ) wt_mod_recovery( m, &rs );
	if ( ( rc = wt_modify( ld, c->wc_name, token->we_dn, m ) ) ) goto done;
	codes_stored = own;
	if ( !own ) {
		/* the seed is in place: whatever happens now, show it */
		memset( m, 0, sizeof( *m ) );
		wt_mod_classes( m, user, 1u << WO_MFA );
		wt_mod_recovery( m, &rs );
		rc = wt_modify( ld, c->wc_name, user->we_dn, m );
		codes_stored = !rc;
		if ( rc )
			fprintf( stderr, "wardenctl: %s: the token %s has its new "
				"secret, shown below, but the recovery codes were not "
				"replaced; issue them with: wardenctl totp recovery %s\n",
				user->we_dn, token->we_dn, user->we_dn );
	}
	if ( png_tmp && rename( png_tmp, c->wc_png ) ) {
		fprintf( stderr, "wardenctl: %s: %s\n", c->wc_png, strerror( errno ) );
		unlink( png_tmp );
		rc = WC_EXIT_LOCAL;
	}
	free( png_tmp );
	png_tmp = NULL;

	/* the secret grouped by four, for typing it in */
	for ( i = o = 0; b32[i]; i++ ) {
		if ( i && !( i % 4 ) ) grouped[o++] = ' ';
		grouped[o++] = b32[i];
	}
	grouped[o] = '\0';
	printf( "%s: %s (TOTP, %s, %u digits, %u s)\n", user->we_dn,
		c->wc_cmd == WT_ENROLL ? "enrolled" : "new secret",
		p.wp_alg, p.wp_digits, p.wp_period );
	if ( !own ) printf( "token entry: %s\n", token->we_dn );
	printf( "%s\nsecret: %s\n", uri, grouped );
	if ( !c->wc_no_qr )
		warden_qr_text( stdout, qr->data, qr->width, WT_QR_MARGIN,
			isatty( 1 ) );
	if ( c->wc_png ) printf( "QR code: %s\n", c->wc_png );
	if ( codes_stored ) wt_print_codes( &rs );
	fflush( stdout );
	OPENSSL_cleanse( grouped, sizeof( grouped ) );

done:
	if ( png_tmp ) {
		unlink( png_tmp );
		free( png_tmp );
	}
	if ( qr ) {
		OPENSSL_cleanse( qr->data, (size_t)qr->width * qr->width );
		QRcode_free( qr );
	}
	OPENSSL_cleanse( seed, sizeof( seed ) );
	OPENSSL_cleanse( b32, sizeof( b32 ) );
	OPENSSL_cleanse( uri, sizeof( uri ) );
	warden_recovery_wipe( &rs );
	if ( m ) {
		OPENSSL_cleanse( m, sizeof( *m ) );
		free( m );
	}
	free( account );
	free( issuer );
	return rc;
}

static int
wt_enroll( LDAP *ld, const wt_cmd *c, wt_entry *user )
{
	if ( user->we_has[WA_TOKEN] && !c->wc_force ) {
		fprintf( stderr, "wardenctl: %s is already enrolled (oathTOTPToken: "
			"%s); --force enrols it again with a new secret, and "
			"wardenctl totp reset gives its token a new secret\n",
			user->we_dn, user->we_value[WA_TOKEN] ?
				user->we_value[WA_TOKEN] : "?" );
		return WC_EXIT_LDAP;
	}
	if ( user->we_value[WA_TOKEN] &&
		!wt_same_dn( user->we_value[WA_TOKEN], user->we_dn ) )
		fprintf( stderr, "wardenctl: note: %s becomes its own token; the "
			"token entry %s it named before keeps its secret: delete "
			"it if nothing else names it\n", user->we_dn,
			user->we_value[WA_TOKEN] );
	return wt_new_secret( ld, c, user, user );
}

static int
wt_not_enrolled( const wt_entry *user )
{
	fprintf( stderr, "wardenctl: %s is not enrolled: it has no "
		"oathTOTPToken (that this identity can read); enrol it with: "
		"wardenctl totp enroll %s\n", user->we_dn, user->we_dn );
	return WC_EXIT_LDAP;
}

static int
wt_reset( LDAP *ld, const wt_cmd *c, wt_entry *user )
{
	wt_entry token;
	int rc;

	if ( !user->we_value[WA_TOKEN] ) return wt_not_enrolled( user );
	if ( wt_same_dn( user->we_value[WA_TOKEN], user->we_dn ) )
		return wt_new_secret( ld, c, user, user );
	/* a token entry of its own, as slapo-otp deployments may have */
	if ( ( rc = wt_read( ld, user->we_value[WA_TOKEN], &token ) ) ) {
		fprintf( stderr, "wardenctl: %s names that token entry "
			"(oathTOTPToken); enrol it again with: wardenctl totp "
			"enroll --force %s\n", user->we_dn, user->we_dn );
		return rc;
	}
	rc = wt_new_secret( ld, c, user, &token );
	wt_entry_free( &token );
	return rc;
}

static int
wt_remove( LDAP *ld, const wt_cmd *c, wt_entry *user )
{
	static const int attrs[] = { WA_TOKEN, WA_PARAMS, WA_SECRET,
		WA_LASTSTEP, WA_DRIFT, WA_RECOVERY };
	wt_mods m;
	int i, j = -1, any = 0, rc;

	memset( &m, 0, sizeof( m ) );
	for ( i = 0; i < (int)( sizeof( attrs ) / sizeof( attrs[0] ) ); i++ ) {
		if ( !user->we_has[attrs[i]] ) continue;
		wt_mod( &m, LDAP_MOD_DELETE, wt_attr_names[attrs[i]] );
		any = 1;
	}
	/* what else the token classes allow goes with them */
	if ( user->we_oc[WO_TOKEN] )
		for ( i = WA_TOKEN_ONLY; i < WA_N; i++ )
			if ( user->we_has[i] )
				wt_mod( &m, LDAP_MOD_DELETE, wt_attr_names[i] );
	for ( i = 0; i < WO_N; i++ ) {
		if ( !user->we_oc[i] ) continue;
		if ( j < 0 ) j = wt_mod( &m, LDAP_MOD_DELETE, "objectClass" );
		wt_mod_value( &m, j, user->we_oc[i], strlen( user->we_oc[i] ) );
		any = 1;
	}
	if ( !any ) return wt_not_enrolled( user );
	if ( ( rc = wt_modify( ld, c->wc_name, user->we_dn, &m ) ) ) return rc;
	printf( "%s: TOTP removed: the token, its secret and the recovery "
		"codes\n", user->we_dn );
	if ( user->we_value[WA_TOKEN] &&
		!wt_same_dn( user->we_value[WA_TOKEN], user->we_dn ) ) {
		fflush( stdout );
		fprintf( stderr, "wardenctl: note: the token entry %s is left as "
			"it is, with its secret: delete it if nothing else names "
			"it\n", user->we_value[WA_TOKEN] );
	}
	return 0;
}

static int
wt_recovery( LDAP *ld, const wt_cmd *c, wt_entry *user )
{
	warden_recovery_set rs;
	wt_mods m;
	char msg[256];
	int rc;

	if ( !user->we_has[WA_TOKEN] && !user->we_has[WA_HOTP] )
		return wt_not_enrolled( user );
	if ( warden_recovery_generate( WARDEN_RECOVERY_ITER_DEFAULT, &rs, msg,
			sizeof( msg ) ) ) {
		fprintf( stderr, "wardenctl: recovery codes: %s\n", msg );
		return WC_EXIT_LOCAL;
	}
	memset( &m, 0, sizeof( m ) );
	wt_mod_classes( &m, user, 1u << WO_MFA );
	wt_mod_recovery( &m, &rs );
	rc = wt_modify( ld, c->wc_name, user->we_dn, &m );
	if ( !rc ) {
		printf( "%s: new recovery codes; the earlier ones no longer work\n",
			user->we_dn );
		wt_print_codes( &rs );
		fflush( stdout );
	}
	warden_recovery_wipe( &rs );
	return rc;
}

/* Secrets left raw by slapo-otp: written back as they are, which makes
 * warden wrap them on the way in.  Values already wrapped stay (one under
 * an older key is wrapped again at its next use, inside slapd). */
static int
wt_rewrap( LDAP *ld, const char *base )
{
	char *attrs[] = { "oathSecret", NULL };
	LDAPMessage *res = NULL, *e;
	int rc, wrapped = 0, done = 0, failed = 0;

	rc = ldap_search_ext_s( ld, base, LDAP_SCOPE_SUBTREE, "(oathSecret=*)",
		attrs, 0, NULL, NULL, NULL, 0, &res );
	if ( rc != LDAP_SUCCESS ) {
		fprintf( stderr, "wardenctl: totp rewrap: search of %s: %s\n",
			base, ldap_err2string( rc ) );
		ldap_msgfree( res );
		return WC_EXIT_LDAP;
	}
	for ( e = ldap_first_entry( ld, res ); e; e = ldap_next_entry( ld, e ) ) {
		struct berval **v = ldap_get_values_len( ld, e, "oathSecret" );
		char *dn = ldap_get_dn( ld, e );

		if ( v && v[0] && ( v[0]->bv_len < 7 ||
				memcmp( v[0]->bv_val, "{WARDEN", 7 ) ) ) {
			struct berval *vals[2] = { v[0], NULL };
			LDAPMod mod = { LDAP_MOD_REPLACE | LDAP_MOD_BVALUES,
				"oathSecret", { .modv_bvals = vals } };
			LDAPMod *mods[2] = { &mod, NULL };

			rc = ldap_modify_ext_s( ld, dn, mods, NULL, NULL );
			if ( rc == LDAP_SUCCESS ) {
				done++;
			} else {
				failed++;
				fprintf( stderr, "wardenctl: totp rewrap: %s: %s\n",
					dn, ldap_err2string( rc ) );
			}
			OPENSSL_cleanse( v[0]->bv_val, v[0]->bv_len );
		} else if ( v && v[0] ) {
			wrapped++;
		}
		ldap_value_free_len( v );
		ldap_memfree( dn );
	}
	ldap_msgfree( res );
	printf( "%d secret(s) wrapped now, %d wrapped already, %d failed\n",
		done, wrapped, failed );
	return failed ? WC_EXIT_LDAP : 0;
}

/* --- command line ----------------------------------------------------------- */

static int
wt_usage( const char *why )
{
	if ( why ) fprintf( stderr, "wardenctl: totp: %s\n", why );
	fputs( wc_usage, stderr );
	return WC_EXIT_LOCAL;
}

int
wc_totp( wc_opts *o, int argc, char **argv )
{
	static const struct option longopts[] = {
		{ "issuer", required_argument, NULL, 'i' },
		{ "params", required_argument, NULL, 'p' },
		{ "png", required_argument, NULL, 'n' },
		{ "no-qr", no_argument, NULL, 'q' },
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	static const struct {
		const char	*name;
		int		cmd;
		const char	*opts;	/* the options it takes */
	} cmds[] = {
		{ "enroll", WT_ENROLL, "ipnqf" },
		{ "reset", WT_RESET, "inq" },
		{ "remove", WT_REMOVE, "" },
		{ "recovery", WT_RECOVERY, "" },
	};
	wt_cmd c;
	wt_entry user;
	LDAP *ld;
	char why[128];
	int i, ch, rc;

	memset( &c, 0, sizeof( c ) );
	if ( argc < 2 ) return wt_usage( NULL );
	if ( !strcmp( argv[1], "rewrap" ) ) {
		if ( argc != 3 ) return wt_usage( "rewrap takes one base DN" );
		if ( !( ld = wc_connect( o ) ) ) return WC_EXIT_LDAP;
		rc = wt_rewrap( ld, argv[2] );
		ldap_unbind_ext_s( ld, NULL, NULL );
		return rc;
	}
	for ( i = 0; i < (int)( sizeof( cmds ) / sizeof( cmds[0] ) ); i++ )
		if ( !strcmp( argv[1], cmds[i].name ) ) break;
	if ( i == (int)( sizeof( cmds ) / sizeof( cmds[0] ) ) )
		return wt_usage( "unknown command" );
	c.wc_cmd = cmds[i].cmd;
	c.wc_name = cmds[i].name;

	/* the command's own options, after it: parse from argv[1] on */
	optind = 0;
	opterr = 0;
	while ( ( ch = getopt_long( argc - 1, argv + 1, ":", longopts,
			NULL ) ) != -1 ) {
		if ( ch == '?' || ch == ':' ) {
			/* the word just read */
			const char *word = argv[1 + optind - 1];

			snprintf( why, sizeof( why ), "%s: %s %s", c.wc_name,
				ch == ':' ? "missing the value of" : "unknown option",
				word ? word : "" );
			return wt_usage( why );
		}
		if ( !strchr( cmds[i].opts, ch ) ) {
			snprintf( why, sizeof( why ), "%s does not take --%s",
				c.wc_name, ch == 'i' ? "issuer" : ch == 'p' ? "params" :
				ch == 'n' ? "png" : ch == 'q' ? "no-qr" : "force" );
			return wt_usage( why );
		}
		switch ( ch ) {
		case 'i': c.wc_issuer = optarg; break;
		case 'p': c.wc_params = optarg; break;
		case 'n': c.wc_png = optarg; break;
		case 'q': c.wc_no_qr = 1; break;
		case 'f': c.wc_force = 1; break;
		}
	}
	if ( argc - 1 - optind != 1 ) {
		snprintf( why, sizeof( why ), "%s takes one DN", c.wc_name );
		return wt_usage( why );
	}
	c.wc_dn = argv[1 + optind];
	if ( c.wc_issuer && ( !*c.wc_issuer || strchr( c.wc_issuer, ':' ) ) )
		return wt_usage( "--issuer: a name without ':' (the app shows "
			"ISSUER:ACCOUNT)" );
	if ( c.wc_png && !*c.wc_png ) return wt_usage( "--png: a file name" );

	if ( !( ld = wc_connect( o ) ) ) return WC_EXIT_LDAP;
	if ( ( rc = wt_read( ld, c.wc_dn, &user ) ) ) goto done;
	/* an HOTP token shares oathSecret and the oathToken attributes with
	 * a TOTP one: changing them would break it.  Recovery codes are the
	 * user's, whatever the token. */
	if ( user.we_has[WA_HOTP] && c.wc_cmd != WT_RECOVERY ) {
		fprintf( stderr, "wardenctl: %s has an HOTP token (oathHOTPToken: "
			"%s); wardenctl totp manages TOTP tokens only\n",
			user.we_dn, user.we_value[WA_HOTP] );
		rc = WC_EXIT_LDAP;
		goto done;
	}
	switch ( c.wc_cmd ) {
	case WT_ENROLL: rc = wt_enroll( ld, &c, &user ); break;
	case WT_RESET: rc = wt_reset( ld, &c, &user ); break;
	case WT_REMOVE: rc = wt_remove( ld, &c, &user ); break;
	default: rc = wt_recovery( ld, &c, &user ); break;
	}

done:
	wt_entry_free( &user );
	ldap_unbind_ext_s( ld, NULL, NULL );
	return rc;
}
