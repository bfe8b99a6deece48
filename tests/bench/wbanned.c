/* wbanned - cost of the banned-password index (backend/banned.h), alone
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

static const char *const wbn_common[] = {
	"123456", "password", "123456789", "12345678", "12345", "qwerty",
	"abc123", "football", "1234567", "monkey", "111111", "letmein",
	"1234", "1234567890", "dragon", "baseball", "sunshine", "iloveyou",
	"trustno1", "princess", "adobe123", "123123", "welcome", "login",
	"admin", "qwerty123", "solo", "1q2w3e4r", "master", "666666",
	"photoshop", "1qaz2wsx", "qwertyuiop", "ashley", "mustang", "121212",
	"starwars", "654321", "bailey", "access", "flower", "555555",
	"passw0rd", "shadow", "lovely", "7777777", "michael", "!@#$%^&*",
	"jesus", "password1", "superman", "hello", "charlie", "888888",
	"696969", "hottie", "freedom", "aa123456", "qazwsx", "ninja",
	"azerty", "loveme", "whatever", "donald", "batman", "zaq1zaq1",
	"Football", "000000", "Summer2024!", "Winter2023", "Company123",
};
#define WBN_NCOMMON	( sizeof( wbn_common ) / sizeof( wbn_common[0] ) )

static uint64_t
wbn_mix( uint64_t x )
{
	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 29;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 32;
	return x;
}

/* Generated word i: 6 to 13 letters, the same for a given seed and i. */
static void
wbn_word( uint64_t seed, uint64_t i, char *w )
{
	uint64_t x = wbn_mix( seed ^ ( 0x9e3779b97f4a7c15ULL * ( i + 1 ) ) );
	int len = 6 + (int)( x & 7 ), j;

	for ( j = 0; j < len; j++ ) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		w[j] = (char)( 'a' + ( x >> 33 ) % 26 );
	}
	w[len] = '\0';
}

/* Entry i of the list as a line would hold it. */
static void
wbn_entry( uint64_t i, char *out, size_t size )
{
	char w[16];

	if ( i < WBN_NCOMMON ) {
		snprintf( out, size, "%s", wbn_common[i] );
		return;
	}
	wbn_word( 1, i, w );
	switch ( wbn_mix( i ) % 4 ) {
	case 0: snprintf( out, size, "%s", w ); break;
	case 1: snprintf( out, size, "%s%u", w, (unsigned)( i % 100 ) ); break;
	case 2: w[0] = (char)( w[0] - 32 ); snprintf( out, size, "%s!", w ); break;
	default: snprintf( out, size, "%s%s", w, "2024" ); break;
	}
}

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
