/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* wardenctl.h - what the parts of wardenctl share */
#ifndef WARDENCTL_H
#define WARDENCTL_H

#include <ldap.h>

/* Exit statuses of every command (banned check also exits 1 for a
 * banned password). */
#define WC_EXIT_OK	0
#define WC_EXIT_LDAP	1	/* the directory cannot be reached, or refuses */
#define WC_EXIT_LOCAL	2	/* usage, or a local error */

typedef struct wc_opts {
	const char	*wc_uri;
	const char	*wc_binddn;
	char		*wc_pw;
	const char	*wc_mech;
	int		wc_starttls;
} wc_opts;

extern const char wc_usage[];

/* Connects and binds as the options say; NULL after printing why. */
LDAP *wc_connect( wc_opts *o );

/* wardenctl totp ...: argv[0] is "totp"; returns the exit status. */
int wc_totp( wc_opts *o, int argc, char **argv );

/* wardenctl user disable|enable ...: argv[0] is "user"; returns the exit
 * status. */
int wc_user( wc_opts *o, int argc, char **argv );

/* wardenctl report ...: argv[0] is "report"; returns the exit status
 * (contrib/wardenctl-report.c). */
int wc_report( wc_opts *o, int argc, char **argv );

/* wardenctl check [LDIF...]: argv[0] is "check"; returns the exit status
 * (1: secrets in the clear found). */
int wc_check( int argc, char **argv );

/* What is wrong with one value of attribute attr (its options removed),
 * stored like this: a cleartext userPassword, a raw oathSecret, an
 * unhashed wardenRecoveryCode; NULL when nothing is. */
const char *wc_check_value( const char *attr, size_t alen,
	const unsigned char *val, size_t vlen );

#endif /* WARDENCTL_H */
