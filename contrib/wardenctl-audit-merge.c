/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* wardenctl-audit-merge.c - wardenctl audit export --trail: the trails of
 * several servers as one stream
 *
 *	wardenctl audit export [FILTERS] [--key-file F [--pseudonymize]]
 *		--trail NAME=FILE[,FILE...] [--trail NAME=...]...
 *
 * Every server keeps its own chain (a replicated change is recorded by
 * each server that applies it, marked ldap.replicated with the rid it came
 * by).  Each trail, its files oldest first, is verified whole as audit
 * verify does (with --key-file: under that key file's chain keys; its
 * report goes to standard error); if any fails nothing is printed and the
 * exit status is 1.  Then every record of every trail that passes the
 * filters is printed once, in the order of @timestamp (a record without a
 * readable time comes where its trail has it; equal times keep the order
 * of the --trail options), with "warden.origin":NAME added as its last
 * member.  A server's records keep warden.seq, warden.prev and
 * warden.hash, so each can be traced back to its chain; the merged stream
 * itself is no chain.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wardenctl-audit.h"

typedef struct wa_trail {
	char		*t_name;
	char		**t_files;
	int		t_nfiles;
	int		t_fi;		/* the file being read */
	wa_reader	t_r;
	int		t_open;
	int		t_has;		/* t_r holds a record that passes */
	long long	t_time;
	wa_fields	t_f;
} wa_trail;

/* NAME=FILE[,FILE...] into t; the strings are t's.  0, or -1 (said) */
static int
trail_parse( const char *arg, wa_trail *t )
{
	char *eq, *s, *tok, *save = NULL;

	memset( t, 0, sizeof( *t ) );
	if ( !( t->t_name = strdup( arg ) ) ) return -1;
	eq = strchr( t->t_name, '=' );
	if ( !eq || eq == t->t_name || !eq[1] ) {
		fprintf( stderr, "wardenctl: --trail %s: give NAME=FILE[,FILE...] "
			"(the server's name, its trail's files oldest first)\n", arg );
		return -1;
	}
	*eq = '\0';
	s = eq + 1;
	t->t_files = calloc( strlen( s ) + 1, sizeof( char * ) );
	if ( !t->t_files ) return -1;
	for ( tok = strtok_r( s, ",", &save ); tok; tok = strtok_r( NULL, ",", &save ) )
		t->t_files[t->t_nfiles++] = tok;
	if ( !t->t_nfiles ) {
		fprintf( stderr, "wardenctl: --trail %s: no file\n", arg );
		return -1;
	}
	return 0;
}

static void
trail_free( wa_trail *t )
{
	if ( t->t_open ) wa_reader_close( &t->t_r );
	wa_fields_free( &t->t_f );
	free( t->t_files );
	free( t->t_name );
}

/* The trail's next record that passes the filters into t->t_r, or none
 * left (t_has 0).  0, 1 (a record skipped, said), 2 (read error) */
static int
trail_next( wa_trail *t, wa_opts *o )
{
	int rc = 0, r_rc, p;

	t->t_has = 0;
	for ( ;; ) {
		if ( !t->t_open ) {
			if ( t->t_fi >= t->t_nfiles ) return rc;
			if ( wa_reader_open( &t->t_r, t->t_files[t->t_fi] ) ) return 2;
			t->t_open = 1;
		}
		while ( ( r_rc = wa_reader_next( &t->t_r ) ) == 1 ) {
			if ( ( p = wa_line_passes( &t->t_r, o, &t->t_f ) ) < 0 ) rc = 1;
			if ( p <= 0 ) continue;
			t->t_has = 1;
			if ( !t->t_f.f_has_time ||
				wa_parse_when( t->t_f.f_time.wb_data, &t->t_time ) )
				t->t_time = -1;	/* comes as its trail has it */
			return rc;
		}
		if ( r_rc == -1 ) return 2;
		if ( r_rc == -2 ) rc = 1;
		wa_reader_close( &t->t_r );
		t->t_open = 0;
		t->t_fi++;
	}
}

int
wa_merge( char **args, int n, wa_opts *o )
{
	wa_trail *t = calloc( n, sizeof( *t ) );
	wa_export_ctx *c = NULL;
	int i, rc = 0, bad = 0, r;

	if ( !t ) {
		fprintf( stderr, "wardenctl: out of memory\n" );
		return 2;
	}
	for ( i = 0; i < n; i++ ) {
		wa_fields_init( &t[i].t_f );
		if ( trail_parse( args[i], &t[i] ) ) {
			rc = 2;
			goto done;
		}
	}
	/* every chain first: a stream built from a trail that does not
	 * verify would be evidence of nothing */
	for ( i = 0; i < n; i++ ) {
		fprintf( stderr, "%s: ", t[i].t_name );
		r = wa_verify( stderr, t[i].t_files, t[i].t_nfiles, o->o_keyfile,
			NULL, 1 );
		if ( r == 2 ) {
			rc = 2;
			goto done;
		}
		if ( r ) bad = 1;
	}
	if ( bad ) {
		fprintf( stderr, "wardenctl: a trail does not verify: nothing "
			"exported\n" );
		rc = 1;
		goto done;
	}
	if ( ( rc = wa_export_begin( o, &c ) ) ) goto done;
	for ( i = 0; i < n; i++ ) {
		if ( ( r = trail_next( &t[i], o ) ) > rc ) rc = r;
		if ( rc == 2 ) goto done;
	}
	for ( ;; ) {
		int best = -1;

		/* the earliest head; a head without a time goes at once */
		for ( i = 0; i < n; i++ ) {
			if ( !t[i].t_has ) continue;
			if ( best < 0 || t[i].t_time < t[best].t_time ) best = i;
		}
		if ( best < 0 ) break;
		if ( ( r = wa_export_line( c, &t[best].t_r, t[best].t_name ) ) > rc )
			rc = r;
		if ( rc == 2 ) break;
		if ( ( r = trail_next( &t[best], o ) ) > rc ) rc = r;
		if ( rc == 2 ) break;
	}

done:
	if ( c && wa_export_end( c ) ) rc = 2;
	for ( i = 0; i < n; i++ ) trail_free( &t[i] );
	free( t );
	return rc;
}
