/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* wardenctl - administer warden
 *
 *	wardenctl [options] lockout status DN
 *	wardenctl [options] lockout unlock DN
 *	wardenctl [options] user disable [--reason TEXT] DN	(wardenctl-user.c)
 *	wardenctl [options] user enable DN
 *	wardenctl [options] totp enroll [--force] [--issuer NAME] [--params DN]
 *		[--png FILE] [--no-qr] DN
 *	wardenctl [options] totp reset [--issuer NAME] [--png FILE] [--no-qr] DN
 *	wardenctl [options] totp remove DN
 *	wardenctl [options] totp recovery DN
 *	wardenctl banned build LIST INDEX
 *	wardenctl banned check INDEX
 *	wardenctl audit verify|tail|export ...	(contrib/wardenctl-audit.c)
 *	wardenctl check [LDIF...]		(contrib/wardenctl-check.c)
 *	wardenctl [options] report [--format text|json|csv] [--base DN] ...
 *						(contrib/wardenctl-report.c)
 *
 * lockout and totp work over LDAP.  Options, before the command: -H URI
 * (default ldapi:///), -D bind DN with -w password, -y password file or -W
 * (prompt), or -Y EXTERNAL (default over ldapi), -Z (StartTLS).  They need
 * an administrator: the lockout state is visible to, and unlocking is
 * allowed for, the rootdn and identities with manage access to
 * pwdAccountLockedTime.
 *
 * totp (contrib/wardenctl-totp.c) enrols a user for TOTP: a new secret
 * stored in the user entry, which becomes its own OATH-LDAP token, shown
 * as an otpauth:// URI, a QR code on standard output (unless --no-qr) and,
 * with --png, a PNG file; and ten recovery codes, stored hashed and shown
 * once.  reset gives an enrolled user a new secret and new recovery codes,
 * remove takes the token, its secret and the recovery codes away, recovery
 * issues new recovery codes.
 *
 * banned works on files and needs no connection (the options are ignored).
 * build turns a banned-password list (one password per line; - reads
 * standard input) into the index slapd maps (overlay/lib/banned.h), replacing
 * INDEX atomically, and prints the number of distinct entries.  check reads
 * one password from standard input (without echo on a terminal) and exits
 * 0 when it is not banned, 1 when it is; 2 on any error.  The password is
 * never printed.
 *
 * Exit status: 0 done; 1 the directory cannot be reached or refuses (no
 * such entry, insufficient access, not enrolled, already enrolled, and
 * "banned" for banned check); 2 usage or a local error.
 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <ldap.h>
#include <sasl/sasl.h>
#include <openssl/crypto.h>

#include "banned.h"
#include "wardenctl.h"

int wc_audit( int argc, char **argv );	/* wardenctl-audit.c */

const char wc_usage[] =
	"usage: wardenctl [LDAP options] lockout status DN\n"
	"       wardenctl [LDAP options] lockout unlock DN\n"
	"       wardenctl [LDAP options] user disable [--reason TEXT] DN\n"
	"       wardenctl [LDAP options] user enable DN\n"
	"       wardenctl [LDAP options] totp enroll [--force] [--issuer NAME] [--params DN]\n"
	"                                            [--png FILE] [--no-qr] DN\n"
	"       wardenctl [LDAP options] totp reset [--issuer NAME] [--png FILE] [--no-qr] DN\n"
	"       wardenctl [LDAP options] totp remove DN\n"
	"       wardenctl [LDAP options] totp recovery DN\n"
	"       wardenctl [LDAP options] totp rewrap BASE   (wraps raw slapo-otp secrets)\n"
	"       wardenctl [LDAP options] report [--format text|json|csv] [--base DN]\n"
	"                 [--default-policy DN] [--admin-group DN] [--helpdesk-group DN]\n"
	"                 [--auditor-group DN] [--page-size N]: every user's MFA,\n"
	"                 password age and expiry, last bind, dormant, disabled, locked,\n"
	"                 hash scheme, raw seeds and roles, and totals\n"
	"       wardenctl banned build LIST INDEX   (LIST - reads standard input)\n"
	"       wardenctl banned check INDEX        (the password on standard input)\n"
	"       wardenctl audit verify|tail|export ...  (wardenctl audit -h)\n"
	"       wardenctl check [LDIF...]  (slapcat output; - or none: standard input):\n"
	"                 names the DNs of cleartext userPassword values, raw oathSecret\n"
	"                 seeds and unhashed recovery codes; exit 1 when it finds any\n"
	"LDAP options: -H URI (default ldapi:///), -D DN with -w PW, -y FILE or -W,\n"
	"              or -Y EXTERNAL; -Z for StartTLS\n"
	"exit status: 0 done, 1 refused by the directory (banned check: banned),\n"
	"             2 usage or local error\n";

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

LDAP *
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

/* --- banned ------------------------------------------------------------- */

static int
wc_banned_build( const char *list, const char *index )
{
	FILE *in = stdin;
	char msg[1024];
	size_t n;
	int rc;

	if ( strcmp( list, "-" ) && !( in = fopen( list, "r" ) ) ) {
		fprintf( stderr, "wardenctl: %s: %s\n", list, strerror( errno ) );
		return 2;
	}
	rc = warden_banned_build( in, index, &n, msg, sizeof( msg ) );
	if ( in != stdin ) fclose( in );
	if ( rc ) {
		fprintf( stderr, "wardenctl: %s\n", msg );
		return 2;
	}
	printf( "%zu entries\n", n );
	return 0;
}

/* The terminal's settings while echo is off, for the signal handler. */
static struct termios wc_tty_saved;
static volatile sig_atomic_t wc_tty_off;

static void
wc_tty_restore( int sig )
{
	if ( wc_tty_off ) tcsetattr( 0, TCSAFLUSH, &wc_tty_saved );
	signal( sig, SIG_DFL );
	raise( sig );
}

/* One line from standard input, without its line end, in *pw (*len bytes;
 * NUL-terminated).  Read a byte at a time with read(): stdio would leave
 * copies of the password in its buffer.  A buffer that grows is wiped
 * before it is freed.  Returns 0, or -1 with a message printed. */
static int
wc_read_password( char **pw, size_t *len )
{
	char *buf = NULL, *nb, c;
	size_t n = 0, cap = 0;
	struct sigaction sa, old_int, old_term, old_hup;
	int tty = isatty( 0 ), rc = -1;
	ssize_t r;

	if ( tty ) {
		struct termios t;

		if ( tcgetattr( 0, &wc_tty_saved ) < 0 ) {
			fprintf( stderr, "wardenctl: terminal: %s\n", strerror( errno ) );
			return -1;
		}
		memset( &sa, 0, sizeof( sa ) );
		sa.sa_handler = wc_tty_restore;
		sigemptyset( &sa.sa_mask );
		sigaction( SIGINT, &sa, &old_int );
		sigaction( SIGTERM, &sa, &old_term );
		sigaction( SIGHUP, &sa, &old_hup );
		t = wc_tty_saved;
		t.c_lflag &= ~(tcflag_t)( ECHO | ECHONL );
		wc_tty_off = 1;
		if ( tcsetattr( 0, TCSAFLUSH, &t ) < 0 ) {
			fprintf( stderr, "wardenctl: terminal: %s\n", strerror( errno ) );
			goto done;
		}
		fputs( "Password: ", stderr );
		fflush( stderr );
	}
	for ( ;; ) {
		r = read( 0, &c, 1 );
		if ( r < 0 && errno == EINTR ) continue;
		if ( r < 0 ) {
			fprintf( stderr, "wardenctl: reading the password: %s\n",
				strerror( errno ) );
			goto done;
		}
		if ( r == 0 || c == '\n' ) break;
		if ( n + 2 > cap ) {
			size_t nc = cap ? cap * 2 : 128;

			if ( !( nb = malloc( nc ) ) ) {
				fprintf( stderr, "wardenctl: out of memory\n" );
				goto done;
			}
			if ( buf ) {
				memcpy( nb, buf, n );
				OPENSSL_cleanse( buf, cap );
				free( buf );
			}
			buf = nb;
			cap = nc;
		}
		buf[n++] = c;
	}
	c = 0;
	if ( r == 0 && n == 0 ) {
		fprintf( stderr, "wardenctl: no password on standard input\n" );
		goto done;
	}
	if ( n && buf[n - 1] == '\r' ) n--;
	if ( !buf && !( buf = malloc( 1 ) ) ) {
		fprintf( stderr, "wardenctl: out of memory\n" );
		goto done;
	}
	buf[n] = '\0';
	*pw = buf;
	*len = n;
	buf = NULL;
	rc = 0;

done:
	if ( buf ) {
		OPENSSL_cleanse( buf, cap );
		free( buf );
	}
	if ( tty ) {
		tcsetattr( 0, TCSAFLUSH, &wc_tty_saved );
		wc_tty_off = 0;
		sigaction( SIGINT, &old_int, NULL );
		sigaction( SIGTERM, &old_term, NULL );
		sigaction( SIGHUP, &old_hup, NULL );
		fputc( '\n', stderr );
	}
	return rc;
}

static int
wc_banned_check( const char *index )
{
	warden_banned *bl;
	char msg[1024], *pw = NULL;
	size_t n = 0;
	int rc;

	/* the index first: no password is asked for an index that is unusable */
	if ( warden_banned_open( index, &bl, msg, sizeof( msg ) ) ) {
		fprintf( stderr, "wardenctl: %s\n", msg );
		return 2;
	}
	if ( wc_read_password( &pw, &n ) ) {
		warden_banned_close( bl );
		return 2;
	}
	rc = warden_banned_contains( bl, pw, n );
	OPENSSL_cleanse( pw, n );
	free( pw );
	warden_banned_close( bl );
	if ( rc < 0 ) {
		fprintf( stderr, "wardenctl: out of memory\n" );
		return 2;
	}
	printf( rc ? "banned: this password is on the banned-password list\n"
		: "not banned\n" );
	return rc ? 1 : 0;
}

static int
wc_banned( int argc, char **argv )
{
	if ( argc == 4 && !strcmp( argv[1], "build" ) )
		return wc_banned_build( argv[2], argv[3] );
	if ( argc == 3 && !strcmp( argv[1], "check" ) )
		return wc_banned_check( argv[2] );
	fputs( wc_usage, stderr );
	return 2;
}

int
main( int argc, char **argv )
{
	wc_opts o = { "ldapi:///", NULL, NULL, NULL, 0 };
	LDAP *ld;
	int c, rc;

	/* audit works on files, with options of its own */
	if ( argc > 1 && !strcmp( argv[1], "audit" ) )
		return wc_audit( argc - 1, argv + 1 );
	/* check works on LDIF files, after slapcat or before slapadd */
	if ( argc > 1 && !strcmp( argv[1], "check" ) )
		return wc_check( argc - 1, argv + 1 );
	/* '+': the options end at the command, which may have its own */
	while ( ( c = getopt( argc, argv, "+H:D:w:y:WY:Zh" ) ) != -1 ) {
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
	if ( argc - optind >= 1 && !strcmp( argv[optind], "banned" ) ) {
		rc = wc_banned( argc - optind, argv + optind );
		goto out;
	}
	if ( argc - optind >= 1 && !strcmp( argv[optind], "user" ) ) {
		rc = wc_user( &o, argc - optind, argv + optind );
		goto out;
	}
	if ( argc - optind >= 1 && !strcmp( argv[optind], "report" ) ) {
		rc = wc_report( &o, argc - optind, argv + optind );
		goto out;
	}
	if ( argc - optind >= 1 && !strcmp( argv[optind], "totp" ) ) {
		rc = wc_totp( &o, argc - optind, argv + optind );
		goto out;
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
	rc = rc == LDAP_SUCCESS ? 0 : 1;

out:
	if ( o.wc_pw ) {
		explicit_bzero( o.wc_pw, strlen( o.wc_pw ) );
		free( o.wc_pw );
	}
	return rc;
}
