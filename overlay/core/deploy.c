/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* deploy.c - what slapd refuses at start, refused where slaptest -u sees it
 *
 * slaptest -u reads the configuration and opens no database: a check made
 * only in db_open passes slaptest -u and then stops slapd at start.  The
 * checks here run when warden-state-dir (the one required setting) is
 * read, in slapd.conf and cn=config alike, so that a configuration that
 * passes slaptest -u starts (in slapd and slaptest; the other tools must
 * work on a configuration that cannot start, to back it up or repair it).  They open nothing for writing: the tools run
 * as another user (often root) than slapd.
 */

#include <sys/stat.h>

#include "warden.h"
#include "core.h"
#include "password.h"

#define DEPLOY_MAX	256	/* warden instances in one slapd */

static warden_info *deploy_instances[DEPLOY_MAX];

void
warden_deploy_instance( warden_info *wi, int add )
{
	int i;

	for ( i = 0; i < DEPLOY_MAX; i++ ) {
		if ( add && !deploy_instances[i] ) {
			deploy_instances[i] = wi;
			return;
		}
		if ( !add && deploy_instances[i] == wi ) {
			deploy_instances[i] = NULL;
			return;
		}
	}
}

int
warden_deploy_state_dir_check( warden_info *wi, const char *dir, char *msg,
	size_t len )
{
	struct stat mine, theirs;
	int i;

	/* slapd and slaptest; not slapcat, slapadd, ...: a backup or a
	 * restore must work with a configuration that cannot start */
	if ( ( slapMode & SLAP_TOOL_MODE ) && slapTool != SLAPTEST ) return 0;
	if ( stat( dir, &mine ) < 0 ) return 0;	/* reported by the caller */
	for ( i = 0; i < DEPLOY_MAX; i++ ) {
		warden_info *o = deploy_instances[i];

		if ( !o || o == wi || !o->wi_state_dir ) continue;
		if ( stat( o->wi_state_dir, &theirs ) == 0 &&
			theirs.st_dev == mine.st_dev &&
			theirs.st_ino == mine.st_ino ) {
			snprintf( msg, len, "\"%s\" is already the state "
				"directory of another warden instance in this "
				"slapd; give each database its own", dir );
			return -1;
		}
	}
	/* read-only, so safe in the tools; set warden-banned-list before
	 * warden-state-dir in slapd.conf to do without the default list */
	return warden_banlist_open_default( wi, msg, len );
}
