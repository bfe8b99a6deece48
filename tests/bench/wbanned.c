/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* wbanned - cost of the banned-password index (overlay/lib/banned.h), alone
 *
 *	wbanned [-n entries] [-l lookups] [-d dir] [-k]
 *
 * Writes a list of `entries` lines (common passwords, then generated words
 * of 6 to 13 letters, some with digits and capitals around them) to a
 * temporary directory (or dir), builds the index from it as `wardenctl
 * banned build` does, opens it, and times `lookups` calls of
 * warden_banned_contains(), half of them for listed passwords written
 * differently (capitals, leet, digits and symbols around), half for
 * passwords not on the list.  Prints one line of key=value figures; the
 * directory is removed unless -k.  No slapd is involved.
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "banned.h"

#include "wblist.h"

/* A listed password as a user might write it: capital, leet, suffix. */
static void
wbn_variant( const char *e, uint64_t r, char *out, size_t size )
{
	static const char letters[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	size_t n = 0, i, first, last;

	/* a password without letters is matched as it is (banned.h) */
	if ( !strpbrk( e, letters ) ) {
		snprintf( out, size, "%s", e );
		return;
	}
	/* substituted between the first and the last letter only: at the
	 * ends, digits and symbols are stripped before they are read as
	 * letters ("@dmin" is "dmin") */
	first = strcspn( e, letters );
	for ( last = strlen( e ) - 1; !strchr( letters, e[last] ); last-- ) ;
	for ( i = 0; e[i] && n + 8 < size; i++ ) {
		char c = e[i];

		if ( i <= first || i >= last ) {
			if ( i == first && c >= 'a' && c <= 'z' && ( r & 1 ) )
				c = (char)( c - 32 );
		} else if ( c == 'a' && ( r & 2 ) ) c = '@';
		else if ( c == 'o' && ( r & 4 ) ) c = '0';
		else if ( c == 's' && ( r & 8 ) ) c = '$';
		else if ( c == 'e' && ( r & 16 ) ) c = '3';
		out[n++] = c;
	}
	snprintf( out + n, size - n, "%s", ( r & 32 ) ? "1!" : ( r & 64 ) ? "99" : "" );
}

static double
wbn_now( void )
{
	struct timespec ts;

	clock_gettime( CLOCK_MONOTONIC, &ts );
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main( int argc, char **argv )
{
	uint64_t entries = 1000000, lookups = 1000000, i, hits = 0, want = 0;
	char tmpl[] = "/tmp/wbanned-XXXXXX", *dir = NULL, list[4200], idx[4200];
	char msg[1024], e[64], cmd[4300];
	char **q = NULL;
	size_t *ql = NULL, count = 0;
	warden_banned *bl = NULL;
	struct stat sb;
	double t0, t1, t_build, t_open, t_look;
	FILE *f;
	int c, keep = 0, rc = 1;

	while ( ( c = getopt( argc, argv, "n:l:d:kh" ) ) != -1 ) {
		switch ( c ) {
		case 'n': entries = strtoull( optarg, NULL, 10 ); break;
		case 'l': lookups = strtoull( optarg, NULL, 10 ); break;
		case 'd': dir = optarg; break;
		case 'k': keep = 1; break;
		default:
			fprintf( stderr, "usage: wbanned [-n entries] [-l lookups] "
				"[-d dir] [-k]\n" );
			return c == 'h' ? 0 : 2;
		}
	}
	if ( lookups == 0 ) lookups = 1;
	if ( !dir && !( dir = mkdtemp( tmpl ) ) ) {
		fprintf( stderr, "wbanned: mkdtemp: %s\n", strerror( errno ) );
		return 2;
	}
	snprintf( list, sizeof( list ), "%s/list.txt", dir );
	snprintf( idx, sizeof( idx ), "%s/banned.idx", dir );

	if ( !( f = fopen( list, "w" ) ) ) {
		fprintf( stderr, "wbanned: %s: %s\n", list, strerror( errno ) );
		goto done;
	}
	for ( i = 0; i < entries; i++ ) {
		wbn_entry( i, e, sizeof( e ) );
		fprintf( f, "%s\n", e );
	}
	if ( fclose( f ) ) {
		fprintf( stderr, "wbanned: %s: %s\n", list, strerror( errno ) );
		goto done;
	}

	/* the queries, made before timing */
	q = calloc( lookups, sizeof( *q ) );
	ql = calloc( lookups, sizeof( *ql ) );
	if ( !q || !ql ) goto nomem;
	for ( i = 0; i < lookups; i++ ) {
		uint64_t r = wbn_mix( i + 12345 );

		if ( entries && ( i & 1 ) == 0 ) {
			char listed[64];

			wbn_entry( r % entries, listed, sizeof( listed ) );
			wbn_variant( listed, r >> 20, e, sizeof( e ) );
			want++;
		} else {
			wbn_word( 2, i, e );	/* another seed: not on the list */
			strcat( e, "#Q" );
		}
		if ( !( q[i] = strdup( e ) ) ) goto nomem;
		ql[i] = strlen( e );
	}

	if ( !( f = fopen( list, "r" ) ) ) {
		fprintf( stderr, "wbanned: %s: %s\n", list, strerror( errno ) );
		goto done;
	}
	t0 = wbn_now();
	c = warden_banned_build( f, idx, &count, msg, sizeof( msg ) );
	t1 = wbn_now();
	fclose( f );
	if ( c ) {
		fprintf( stderr, "wbanned: %s\n", msg );
		goto done;
	}
	t_build = t1 - t0;
	if ( stat( idx, &sb ) ) {
		fprintf( stderr, "wbanned: %s: %s\n", idx, strerror( errno ) );
		goto done;
	}

	t0 = wbn_now();
	if ( warden_banned_open( idx, &bl, msg, sizeof( msg ) ) ) {
		fprintf( stderr, "wbanned: %s\n", msg );
		goto done;
	}
	t_open = wbn_now() - t0;

	t0 = wbn_now();
	for ( i = 0; i < lookups; i++ )
		hits += warden_banned_contains( bl, q[i], ql[i] ) == 1;
	t_look = wbn_now() - t0;

	printf( "entries=%llu keys=%zu index_bytes=%lld build_s=%.3f open_ms=%.2f "
		"lookups=%llu ns_per_lookup=%.0f hits=%llu expected_hits>=%llu\n",
		(unsigned long long)entries, count, (long long)sb.st_size, t_build,
		t_open * 1e3, (unsigned long long)lookups, t_look * 1e9 / lookups,
		(unsigned long long)hits, (unsigned long long)want );
	/* every listed password must be found, whatever its spelling */
	rc = hits >= want ? 0 : 1;
	if ( rc ) fprintf( stderr, "wbanned: listed passwords not found\n" );
	goto done;

nomem:
	fprintf( stderr, "wbanned: out of memory\n" );
done:
	warden_banned_close( bl );
	if ( q ) {
		for ( i = 0; i < lookups; i++ ) free( q[i] );
	}
	free( q );
	free( ql );
	if ( !keep && dir == tmpl ) {
		snprintf( cmd, sizeof( cmd ), "rm -rf '%s'", dir );
		if ( system( cmd ) ) fprintf( stderr, "wbanned: cannot remove %s\n", dir );
	} else {
		printf( "kept %s\n", dir );
	}
	return rc;
}
