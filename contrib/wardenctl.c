/* wardenctl - administer warden over LDAP
 *
 *	wardenctl [options] lockout status DN
 *	wardenctl [options] lockout unlock DN
 *
 * Options: -H URI (default ldapi:///), -D bind DN with -w password, -y
 * password file or -W (prompt), or -Y EXTERNAL (default over ldapi), -Z
 * (StartTLS).  It needs an administrator: the lockout state is visible to,
 * and unlocking is allowed for, the rootdn and identities with manage
 * access to pwdAccountLockedTime.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ldap.h>
#include <sasl/sasl.h>

static const char *wc_usage =
	"usage: wardenctl [-H URI] [-D DN (-w PW | -y FILE | -W)] [-Y EXTERNAL] [-Z]\n"
	"                 lockout status DN\n"
	"                 lockout unlock DN\n";

typedef struct wc_opts {
	const char	*wc_uri;
	const char	*wc_binddn;
	char		*wc_pw;
	const char	*wc_mech;
	int		wc_starttls;
} wc_opts;

static int
wc_sasl_interact( LDAP *ld, unsigned flags, void *defaults, void *in )
{
	sasl_interact_t *i;

	for ( i = in; i->id != SASL_CB_LIST_END; i++ ) {
		i->result = "";
		i->len = 0;
	}
	return LDAP_SUCCESS;
}

static char *
wc_read_file( const char *path )
{
	char buf[1024];
	FILE *f = fopen( path, "r" );
	size_t n;

	if ( !f ) {
		fprintf( stderr, "wardenctl: %s: %s\n", path, strerror( errno ) );
		return NULL;
	}
	n = fread( buf, 1, sizeof( buf ) - 1, f );
	fclose( f );
	while ( n && ( buf[n-1] == '\n' || buf[n-1] == '\r' ) ) n--;
	buf[n] = '\0';
	return strdup( buf );
}

static LDAP *
wc_connect( wc_opts *o )
{
	LDAP *ld = NULL;
	int rc, v3 = LDAP_VERSION3;

	rc = ldap_initialize( &ld, o->wc_uri );
	if ( rc != LDAP_SUCCESS ) {
		fprintf( stderr, "wardenctl: %s: %s\n", o->wc_uri, ldap_err2string( rc ) );
		return NULL;
	}
	ldap_set_option( ld, LDAP_OPT_PROTOCOL_VERSION, &v3 );
	if ( o->wc_starttls && ( rc = ldap_start_tls_s( ld, NULL, NULL ) ) != LDAP_SUCCESS ) {
		fprintf( stderr, "wardenctl: StartTLS: %s\n", ldap_err2string( rc ) );
		goto fail;
	}
	if ( o->wc_binddn ) {
		struct berval cred = { 0, o->wc_pw ? o->wc_pw : "" };

		cred.bv_len = strlen( cred.bv_val );
		rc = ldap_sasl_bind_s( ld, o->wc_binddn, LDAP_SASL_SIMPLE, &cred,
			NULL, NULL, NULL );
	} else {
		rc = ldap_sasl_interactive_bind_s( ld, NULL,
			o->wc_mech ? o->wc_mech : "EXTERNAL", NULL, NULL,
			LDAP_SASL_QUIET, wc_sasl_interact, NULL );
	}
	if ( rc != LDAP_SUCCESS ) {
		fprintf( stderr, "wardenctl: bind: %s\n", ldap_err2string( rc ) );
		goto fail;
	}
	return ld;

fail:
	ldap_unbind_ext_s( ld, NULL, NULL );
	return NULL;
}

static void
wc_print( LDAP *ld, LDAPMessage *e, const char *attr, const char *label )
{
	struct berval **v = ldap_get_values_len( ld, e, attr );
	int i;

	printf( "%-16s", label );
	if ( !v || !v[0] ) {
		printf( "-\n" );
	} else {
		for ( i = 0; v[i]; i++ )
			printf( "%s%.*s", i ? " " : "", (int)v[i]->bv_len, v[i]->bv_val );
		printf( "\n" );
	}
	ldap_value_free_len( v );
}

static int
wc_status( LDAP *ld, const char *dn )
{
	char *attrs[] = { "wardenFailureCount", "wardenFailureTime",
		"wardenLockedUntil", "wardenLastSuccess", "wardenLockCount",
		"pwdAccountLockedTime", NULL };
	LDAPMessage *res = NULL, *e;
	int rc;

	rc = ldap_search_ext_s( ld, dn, LDAP_SCOPE_BASE, "(objectClass=*)",
		attrs, 0, NULL, NULL, NULL, 1, &res );
	if ( rc != LDAP_SUCCESS ) {
		fprintf( stderr, "wardenctl: %s: %s\n", dn, ldap_err2string( rc ) );
		goto done;
	}
	e = ldap_first_entry( ld, res );
	if ( !e ) {
		fprintf( stderr, "wardenctl: %s: no such entry\n", dn );
		rc = LDAP_NO_SUCH_OBJECT;
		goto done;
	}
	printf( "dn: %s\n", dn );
	wc_print( ld, e, "wardenFailureCount", "failures:" );
	wc_print( ld, e, "wardenFailureTime", "failure times:" );
	wc_print( ld, e, "wardenLockedUntil", "locked until:" );
	wc_print( ld, e, "pwdAccountLockedTime", "locked since:" );
	wc_print( ld, e, "wardenLockCount", "locks so far:" );
	wc_print( ld, e, "wardenLastSuccess", "last success:" );
	{
		struct berval **v = ldap_get_values_len( ld, e, "wardenFailureCount" );

		fflush( stdout );
		if ( !v )
			fprintf( stderr, "wardenctl: no lockout state shown: not an "
				"administrator of this entry, or no policy applies\n" );
		ldap_value_free_len( v );
	}

done:
	ldap_msgfree( res );
	return rc;
}

static int
wc_unlock( LDAP *ld, const char *dn )
{
	/* replace with no values: succeeds whether or not the entry holds a
	 * lock time, and warden clears its counters either way */
	LDAPMod mod = { LDAP_MOD_REPLACE, "pwdAccountLockedTime", { NULL } };
	LDAPMod *mods[] = { &mod, NULL };
	int rc;

	rc = ldap_modify_ext_s( ld, dn, mods, NULL, NULL );
	if ( rc != LDAP_SUCCESS ) {
		char *diag = NULL;

		ldap_get_option( ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag );
		fprintf( stderr, "wardenctl: unlock %s: %s%s%s\n", dn,
			ldap_err2string( rc ), diag && *diag ? ": " : "",
			diag ? diag : "" );
		ldap_memfree( diag );
		return rc;
	}
	printf( "unlocked %s\n", dn );
	return rc;
}

int
main( int argc, char **argv )
{
	wc_opts o = { "ldapi:///", NULL, NULL, NULL, 0 };
	LDAP *ld;
	int c, rc;

	while ( ( c = getopt( argc, argv, "H:D:w:y:WY:Zh" ) ) != -1 ) {
		switch ( c ) {
		case 'H': o.wc_uri = optarg; break;
		case 'D': o.wc_binddn = optarg; break;
		case 'w':
			o.wc_pw = strdup( optarg );
			/* keep it out of ps */
			memset( optarg, '*', strlen( optarg ) );
			break;
		case 'y':
			if ( !( o.wc_pw = wc_read_file( optarg ) ) ) return 2;
			break;
		case 'W': {
			char *p = getpass( "LDAP password: " );

			o.wc_pw = strdup( p ? p : "" );
			break;
			}
		case 'Y': o.wc_mech = optarg; break;
		case 'Z': o.wc_starttls = 1; break;
		default:
			fputs( wc_usage, stderr );
			return c == 'h' ? 0 : 2;
		}
	}
	if ( argc - optind != 3 || strcmp( argv[optind], "lockout" ) ||
		( strcmp( argv[optind + 1], "status" ) &&
			strcmp( argv[optind + 1], "unlock" ) ) ) {
		fputs( wc_usage, stderr );
		return 2;
	}
	if ( !( ld = wc_connect( &o ) ) ) return 1;
	if ( !strcmp( argv[optind + 1], "status" ) )
		rc = wc_status( ld, argv[optind + 2] );
	else
		rc = wc_unlock( ld, argv[optind + 2] );
	ldap_unbind_ext_s( ld, NULL, NULL );
	if ( o.wc_pw ) {
		explicit_bzero( o.wc_pw, strlen( o.wc_pw ) );
		free( o.wc_pw );
	}
	return rc == LDAP_SUCCESS ? 0 : 1;
}
