/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* wardenctl-user.c - wardenctl user: disable and enable an account
 *
 *	wardenctl [options] user disable [--reason TEXT] DN
 *	wardenctl [options] user enable DN
 *
 * disable ends an account at once, on every server: pwdAccountLockedTime
 * becomes 000001010000Z (draft-behera's lock until an administrator
 * lifts it, which replicates, and which sssd's and nslcd's ppolicy checks
 * read), with the reason in wardenDisabledReason; warden adds who did it
 * (wardenDisabledBy) and when (wardenDisabledTime) from the change itself,
 * refuses the account's binds, and ends the connections it has open.  The
 * entry keeps everything else (its groups stay, for an audit).  enable
 * removes the lock and those attributes, and clears the failure counts, as
 * lockout unlock does.
 *
 * Exit status: 0 done; 1 the directory refuses (no such entry, not an
 * administrator or helpdesk member); 2 usage.
 */

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "wardenctl.h"

static const char wu_usage[] =
	"usage: wardenctl [LDAP options] user disable [--reason TEXT] DN\n"
	"       wardenctl [LDAP options] user enable DN\n";

static int
wu_modify( LDAP *ld, const char *what, const char *dn, LDAPMod **mods )
{
	char *diag = NULL;
	int rc = ldap_modify_ext_s( ld, dn, mods, NULL, NULL );

	if ( rc == LDAP_SUCCESS ) {
		printf( "%s %s\n", what, dn );
		return WC_EXIT_OK;
	}
	ldap_get_option( ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag );
	if ( rc == LDAP_NO_SUCH_OBJECT )
		fprintf( stderr, "wardenctl: %s: no such entry\n", dn );
	else
		fprintf( stderr, "wardenctl: %s %s: %s%s%s\n",
			!strcmp( what, "disabled" ) ? "disable" : "enable", dn,
			ldap_err2string( rc ), diag && *diag ? ": " : "",
			diag ? diag : "" );
	ldap_memfree( diag );
	return WC_EXIT_LDAP;
}

int
wc_user( wc_opts *o, int argc, char **argv )
{
	static const struct option longopts[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 } };
	char *lock_disabled[] = { "000001010000Z", NULL };
	char *reason_vals[] = { NULL, NULL };
	const char *reason = NULL, *cmd;
	LDAPMod lock = { LDAP_MOD_REPLACE, "pwdAccountLockedTime", { NULL } };
	LDAPMod why = { LDAP_MOD_REPLACE, "wardenDisabledReason", { NULL } };
	LDAPMod *mods[3] = { &lock, NULL, NULL };
	LDAP *ld;
	int c, rc;

	if ( argc < 2 ) goto usage;
	cmd = argv[1];
	argc--;
	argv++;
	optind = 1;
	while ( ( c = getopt_long( argc, argv, "", longopts, NULL ) ) != -1 ) {
		switch ( c ) {
		case 'r': reason = optarg; break;
		default: goto usage;
		}
	}
	if ( argc - optind != 1 ) goto usage;
	if ( !strcmp( cmd, "disable" ) ) {
		lock.mod_values = lock_disabled;
		/* without --reason, an earlier reason goes */
		if ( reason && *reason ) {
			reason_vals[0] = (char *)reason;
			why.mod_values = reason_vals;
		}
		mods[1] = &why;
	} else if ( strcmp( cmd, "enable" ) || reason ) {
		goto usage;
	}
	/* enable: the lock goes; warden removes the rest */
	if ( !( ld = wc_connect( o ) ) ) return WC_EXIT_LDAP;
	rc = wu_modify( ld, !strcmp( cmd, "disable" ) ? "disabled" : "enabled",
		argv[optind], mods );
	ldap_unbind_ext_s( ld, NULL, NULL );
	return rc;

usage:
	fputs( wu_usage, stderr );
	return WC_EXIT_LOCAL;
}
