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

#endif /* WARDENCTL_H */
