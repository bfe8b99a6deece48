/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* banlist.c - the banned-password list in slapd
 *
 * The list is an index file that `wardenctl banned build` writes (see
 * overlay/lib/banned.h): mapped read-only, so every thread shares the page
 * cache's one copy and a lookup is a binary search.  wardenctl replaces
 * the file by a rename; warden notices within a second and maps the new
 * one, keeping the old one when the new one cannot be used.
 *
 * Without warden-banned-list, the default list is used: an index of a
 * public common-password list that `make` builds and `make install` puts
 * in the package data directory.  "warden-banned-list none" turns it off.
 */

#include <stdlib.h>

#include "warden.h"
#include "password.h"
#include "banned.h"

#ifndef WARDEN_BANNED_DEFAULT
#error "WARDEN_BANNED_DEFAULT (the installed default list) must be defined"
#endif

struct warden_banlist {
	char			*bl_path;
	ldap_pvt_thread_rdwr_t	bl_lock;
	warden_banned		*bl_index;
	time_t			bl_checked;	/* last look at the file */
};

int
warden_banlist_open( const char *path, warden_banlist **blp, char *msg,
	size_t len )
{
	warden_banlist *bl;
	warden_banned *idx = NULL;

	*blp = NULL;
	if ( warden_banned_open( path, &idx, msg, len ) ) return -1;
	bl = ch_calloc( 1, sizeof( *bl ) );
	bl->bl_path = ch_strdup( path );
	bl->bl_index = idx;
	bl->bl_checked = slap_get_time();
	ldap_pvt_thread_rdwr_init( &bl->bl_lock );
	*blp = bl;
	return 0;
}

const char *
warden_banlist_default( void )
{
	/* secure_getenv: never from the environment of a set-id program */
	const char *env = secure_getenv( "WARDEN_BANNED_DEFAULT" );

	return env && env[0] == '/' ? env : WARDEN_BANNED_DEFAULT;
}

int
warden_banlist_open_default( warden_info *wi, char *msg, size_t len )
{
	const char *path = warden_banlist_default();
	char why[SLAP_TEXT_BUFLEN];

	if ( wi->wi_banned_file || wi->wi_banned ) return 0;
	if ( warden_banlist_open( path, &wi->wi_banned, why, sizeof( why ) ) ) {
		/* the fix first: a long path may not fit */
		snprintf( msg, len, "install the default banned-password list "
			"(make install) or set warden-banned-list to an index or "
			"none: %s", why );
		return -1;
	}
	Debug( LDAP_DEBUG_STATS, "warden: default banned list %s (%lu "
		"entries)\n", path,
		(unsigned long)warden_banned_count( wi->wi_banned->bl_index ) );
	return 0;
}

int
warden_banlist_missing( const warden_info *wi )
{
	return !wi->wi_banned && !( wi->wi_banned_file &&
		!strcmp( wi->wi_banned_file, WARDEN_BANNED_NONE ) );
}

void
warden_banlist_close( warden_banlist *bl )
{
	if ( !bl ) return;
	warden_banned_close( bl->bl_index );
	ldap_pvt_thread_rdwr_destroy( &bl->bl_lock );
	ch_free( bl->bl_path );
	ch_free( bl );
}

/* Maps the file again when wardenctl has replaced it. */
static void
banlist_refresh( warden_banlist *bl )
{
	time_t now = slap_get_time();
	warden_banned *idx = NULL;
	char msg[SLAP_TEXT_BUFLEN];

	ldap_pvt_thread_rdwr_wlock( &bl->bl_lock );
	if ( __atomic_load_n( &bl->bl_checked, __ATOMIC_RELAXED ) != now ) {
		__atomic_store_n( &bl->bl_checked, now, __ATOMIC_RELAXED );
		if ( warden_banned_changed( bl->bl_index, bl->bl_path ) ) {
			if ( warden_banned_open( bl->bl_path, &idx, msg,
					sizeof( msg ) ) ) {
				Debug( LDAP_DEBUG_ANY, "warden: keeping the banned "
					"list in use: %s\n", msg );
			} else {
				warden_banned_close( bl->bl_index );
				bl->bl_index = idx;
				Debug( LDAP_DEBUG_STATS, "warden: banned list %s "
					"reloaded (%lu entries)\n", bl->bl_path,
					(unsigned long)warden_banned_count( idx ) );
			}
		}
	}
	ldap_pvt_thread_rdwr_wunlock( &bl->bl_lock );
}

int
warden_banned_check( warden_banlist *bl, struct berval *pw )
{
	int rc;

	if ( !bl ) return 0;
	/* a racy look is enough to decide whether to take the lock, but
	 * it must be an atomic one */
	if ( __atomic_load_n( &bl->bl_checked, __ATOMIC_RELAXED ) !=
			slap_get_time() )
		banlist_refresh( bl );
	ldap_pvt_thread_rdwr_rlock( &bl->bl_lock );
	rc = warden_banned_contains( bl->bl_index, pw->bv_val, pw->bv_len ) > 0;
	ldap_pvt_thread_rdwr_runlock( &bl->bl_lock );
	return rc;
}
