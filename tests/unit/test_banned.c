/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* The banned-password index (overlay/lib/banned.c): keys, duplicates, the file
 * layout, corrupt files refused, replacement noticed, a million entries,
 * concurrent readers. */

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "banned.h"
#include "suites.h"

static char msg[1024];

/* Builds an index at dir/name from a list given as bytes. */
static int
bt_build_n( const char *dir, const char *name, const char *list, size_t n,
	size_t *count )
{
	char path[4200];
	FILE *in = fmemopen( (void *)list, n, "r" );
	int rc;

	/* fmemopen() refuses a zero-length buffer */
	if ( !n ) in = fopen( "/dev/null", "r" );
	ck_assert_ptr_nonnull( in );
	snprintf( path, sizeof( path ), "%s/%s", dir, name );
	msg[0] = '\0';
	rc = warden_banned_build( in, path, count, msg, sizeof( msg ) );
	fclose( in );
	return rc;
}

static int
bt_build( const char *dir, const char *name, const char *list, size_t *count )
{
	return bt_build_n( dir, name, list, strlen( list ), count );
}

static warden_banned *
bt_open( const char *dir, const char *name )
{
	char path[4200];
	warden_banned *bl = NULL;

	snprintf( path, sizeof( path ), "%s/%s", dir, name );
	ck_assert_msg( warden_banned_open( path, &bl, msg, sizeof( msg ) ) == 0,
		"open: %s", msg );
	ck_assert_ptr_nonnull( bl );
	return bl;
}

static int
bt_has( warden_banned *bl, const char *pw )
{
	return warden_banned_contains( bl, pw, strlen( pw ) );
}

static unsigned char *
bt_slurp( const char *path, size_t *n )
{
	FILE *f = fopen( path, "rb" );
	unsigned char *b;
	struct stat sb;

	ck_assert_ptr_nonnull( f );
	ck_assert_int_eq( fstat( fileno( f ), &sb ), 0 );
	*n = (size_t)sb.st_size;
	b = malloc( *n + 1 );
	ck_assert_ptr_nonnull( b );
	ck_assert_uint_eq( fread( b, 1, *n, f ), *n );
	fclose( f );
	return b;
}

static void
bt_spit( const char *path, const unsigned char *b, size_t n )
{
	FILE *f = fopen( path, "wb" );

	ck_assert_ptr_nonnull( f );
	ck_assert_uint_eq( fwrite( b, 1, n, f ), n );
	ck_assert_int_eq( fclose( f ), 0 );
}

static uint64_t
bt_get64( const unsigned char *p )
{
	uint64_t v = 0;
	int i;

	for ( i = 7; i >= 0; i-- ) v = ( v << 8 ) | p[i];
	return v;
}

static void
bt_put64( unsigned char *p, uint64_t v )
{
	int i;

	for ( i = 0; i < 8; i++, v >>= 8 ) p[i] = (unsigned char)v;
}

START_TEST( finds_normalized_passwords )
{
	char *d = tu_tmpdir();
	warden_banned *bl;
	size_t n = 0;

	ck_assert_int_eq( bt_build( d, "idx",
		"password\nletmein\n123456\nqwerty\n#secret#\n", &n ), 0 );
	ck_assert_uint_eq( n, 5 );
	bl = bt_open( d, "idx" );
	ck_assert_uint_eq( warden_banned_count( bl ), 5 );
	ck_assert_int_eq( bt_has( bl, "P@ssw0rd1!" ), 1 );
	ck_assert_int_eq( bt_has( bl, "password" ), 1 );
	ck_assert_int_eq( bt_has( bl, "PASSWORD2024" ), 1 );
	ck_assert_int_eq( bt_has( bl, "!!Password!!" ), 1 );
	ck_assert_int_eq( bt_has( bl, "L3tm3In" ), 1 );
	ck_assert_int_eq( bt_has( bl, "QWERTY99" ), 1 );
	/* '#' lines are passwords, not comments */
	ck_assert_int_eq( bt_has( bl, "secret" ), 1 );
	/* letterless: matched byte for byte, not as the empty key */
	ck_assert_int_eq( bt_has( bl, "123456" ), 1 );
	ck_assert_int_eq( bt_has( bl, "1234567" ), 0 );
	ck_assert_int_eq( bt_has( bl, "!123456" ), 0 );
	ck_assert_int_eq( bt_has( bl, "9" ), 0 );
	ck_assert_int_eq( warden_banned_contains( bl, "", 0 ), 0 );
	/* not on the list */
	ck_assert_int_eq( bt_has( bl, "Tr0ub4dor&3-xK9v" ), 0 );
	ck_assert_int_eq( bt_has( bl, "correct horse battery staple" ), 0 );
	ck_assert_int_eq( bt_has( bl, "passwords" ), 0 );
	ck_assert_int_eq( bt_has( bl, "passwor" ), 0 );
	/* the length is the caller's, not strlen() */
	ck_assert_int_eq( warden_banned_contains( bl, "passwordX", 8 ), 1 );
	ck_assert_int_eq( warden_banned_contains( bl, "pass\0word", 9 ), 0 );
	warden_banned_close( bl );
	warden_banned_close( NULL );
	tu_rmtree( d );
	free( d );
}
END_TEST

START_TEST( drops_duplicates_and_empty_lines )
{
	char *d = tu_tmpdir();
	warden_banned *bl;
	size_t n = 0;

	ck_assert_int_eq( bt_build( d, "idx",
		"Password\npassword\n\nP@ssw0rd\npassword1\n\r\n\n"
		"abc\r\nABC!\n123\n123\n  \nzzz", &n ), 0 );
	/* password, abc, 123, "  ", zzz (no final newline) */
	ck_assert_uint_eq( n, 5 );
	bl = bt_open( d, "idx" );
	ck_assert_uint_eq( warden_banned_count( bl ), 5 );
	ck_assert_int_eq( bt_has( bl, "abc" ), 1 );
	ck_assert_int_eq( bt_has( bl, "abc\r" ), 1 );	/* stripped as a symbol */
	ck_assert_int_eq( bt_has( bl, "zzz" ), 1 );
	ck_assert_int_eq( bt_has( bl, "123" ), 1 );
	ck_assert_int_eq( bt_has( bl, "  " ), 1 );
	ck_assert_int_eq( bt_has( bl, " " ), 0 );
	warden_banned_close( bl );
	tu_rmtree( d );
	free( d );
}
END_TEST

START_TEST( odd_lines )
{
	char *d = tu_tmpdir();
	warden_banned *bl;
	size_t n = 0, big = 100000, i;
	char *list = malloc( big + 64 ), *pw = malloc( big + 8 );
	static const char nul_list[] = "ok\nbad\0line\n\0\nother\n";

	ck_assert_ptr_nonnull( list );
	ck_assert_ptr_nonnull( pw );
	/* a line of 100,000 bytes, and bytes that are not UTF-8 */
	for ( i = 0; i < big; i++ ) list[i] = (char)( 'a' + i % 26 );
	memcpy( list + big, "\n\xff\xfe\xc3\n", 6 );
	ck_assert_int_eq( bt_build_n( d, "idx", list, big + 6, &n ), 0 );
	ck_assert_uint_eq( n, 2 );
	bl = bt_open( d, "idx" );
	memcpy( pw, list, big );
	ck_assert_int_eq( warden_banned_contains( bl, pw, big ), 1 );
	memcpy( pw + big, "42!", 3 );
	ck_assert_int_eq( warden_banned_contains( bl, pw, big + 3 ), 1 );
	ck_assert_int_eq( warden_banned_contains( bl, pw, big - 1 ), 0 );
	ck_assert_int_eq( bt_has( bl, "\xff\xfe\xc3" ), 1 );
	ck_assert_int_eq( bt_has( bl, "\xff\xfe" ), 0 );
	warden_banned_close( bl );

	/* lines with a NUL in their key are skipped, the others kept */
	ck_assert_int_eq( bt_build_n( d, "idx", nul_list, sizeof( nul_list ) - 1, &n ), 0 );
	ck_assert_uint_eq( n, 2 );
	bl = bt_open( d, "idx" );
	ck_assert_int_eq( bt_has( bl, "ok" ), 1 );
	ck_assert_int_eq( bt_has( bl, "other" ), 1 );
	ck_assert_int_eq( bt_has( bl, "bad" ), 0 );
	warden_banned_close( bl );
	free( list );
	free( pw );
	tu_rmtree( d );
	free( d );
}
END_TEST

START_TEST( empty_list )
{
	char *d = tu_tmpdir();
	warden_banned *bl;
	size_t n = 99;

	ck_assert_int_eq( bt_build( d, "idx", "", &n ), 0 );
	ck_assert_uint_eq( n, 0 );
	bl = bt_open( d, "idx" );
	ck_assert_uint_eq( warden_banned_count( bl ), 0 );
	ck_assert_int_eq( bt_has( bl, "password" ), 0 );
	ck_assert_int_eq( bt_has( bl, "123456" ), 0 );
	warden_banned_close( bl );

	ck_assert_int_eq( bt_build( d, "idx", "\n\n\r\n", NULL ), 0 );
	bl = bt_open( d, "idx" );
	ck_assert_uint_eq( warden_banned_count( bl ), 0 );
	warden_banned_close( bl );
	tu_rmtree( d );
	free( d );
}
END_TEST

/* The layout of banned.h, byte for byte, for a list of two. */
START_TEST( file_layout )
{
	char *d = tu_tmpdir(), path[4200];
	unsigned char *b;
	size_t n;

	ck_assert_int_eq( bt_build( d, "idx", "Bee\nant\n", NULL ), 0 );
	snprintf( path, sizeof( path ), "%s/idx", d );
	b = bt_slurp( path, &n );
	ck_assert_uint_eq( n, 64 + 16 + 8 );
	ck_assert_int_eq( memcmp( b, "WARDNBL1", 8 ), 0 );
	ck_assert_int_eq( memcmp( b + 8, "\1\0\0\0\1\0\0\0", 8 ), 0 );
	ck_assert_uint_eq( bt_get64( b + 16 ), 2 );
	ck_assert_uint_eq( bt_get64( b + 24 ), 64 );
	ck_assert_uint_eq( bt_get64( b + 32 ), 80 );
	ck_assert_uint_eq( bt_get64( b + 40 ), 8 );
	ck_assert_uint_eq( bt_get64( b + 48 ), 88 );
	ck_assert_uint_eq( bt_get64( b + 56 ), 0 );
	ck_assert_uint_eq( bt_get64( b + 64 ), 0 );
	ck_assert_uint_eq( bt_get64( b + 72 ), 4 );
	ck_assert_int_eq( memcmp( b + 80, "ant\0bee\0", 8 ), 0 );
	free( b );
	tu_rmtree( d );
	free( d );
}
END_TEST

START_TEST( written_atomically_and_readable )
{
	char *d = tu_tmpdir(), path[4200], bad[4200];
	warden_banned *bl;
	struct stat sb;
	mode_t old = umask( 077 );
	FILE *in;

	ck_assert_int_eq( bt_build( d, "idx", "password\n", NULL ), 0 );
	umask( old );
	snprintf( path, sizeof( path ), "%s/idx", d );
	ck_assert_int_eq( stat( path, &sb ), 0 );
	ck_assert_uint_eq( sb.st_mode & 07777, 0644 );
	/* nothing left beside it */
	snprintf( bad, sizeof( bad ), "%s/idx.tmp.%ld", d, (long)getpid() );
	ck_assert_int_ne( access( bad, F_OK ), 0 );

	/* a failed build leaves the index as it was */
	in = fmemopen( (void *)"other\n", 6, "r" );
	snprintf( bad, sizeof( bad ), "%s/nodir/idx", d );
	ck_assert_int_eq( warden_banned_build( in, bad, NULL, msg, sizeof( msg ) ), -1 );
	fclose( in );
	ck_assert_ptr_nonnull( strstr( msg, "cannot create" ) );
	/* the target is a directory: the rename fails, the temporary goes */
	snprintf( bad, sizeof( bad ), "%s/adir", d );
	ck_assert_int_eq( mkdir( bad, 0700 ), 0 );
	ck_assert_int_eq( bt_build( d, "adir", "x\n", NULL ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "cannot rename" ) );
	snprintf( bad, sizeof( bad ), "%s/adir.tmp.%ld", d, (long)getpid() );
	ck_assert_int_ne( access( bad, F_OK ), 0 );

	bl = bt_open( d, "idx" );
	ck_assert_int_eq( bt_has( bl, "password" ), 1 );
	warden_banned_close( bl );
	tu_rmtree( d );
	free( d );
}
END_TEST

/* Opens path expecting a refusal whose reason contains want. */
static void
bt_refused( const char *path, const char *want )
{
	warden_banned *bl = (warden_banned *)&bl;

	msg[0] = '\0';
	ck_assert_int_eq( warden_banned_open( path, &bl, msg, sizeof( msg ) ), -1 );
	ck_assert_ptr_null( bl );
	ck_assert_msg( strstr( msg, want ) != NULL, "\"%s\" lacks \"%s\"", msg, want );
}

START_TEST( refuses_corrupt_files )
{
	char *d = tu_tmpdir(), good[4200], bad[4200];
	unsigned char *b, *c;
	size_t n;

	ck_assert_int_eq( bt_build( d, "idx", "alpha\nbravo\ncharlie\n", NULL ), 0 );
	snprintf( good, sizeof( good ), "%s/idx", d );
	snprintf( bad, sizeof( bad ), "%s/bad", d );
	b = bt_slurp( good, &n );
	c = malloc( n );
	ck_assert_ptr_nonnull( c );

	snprintf( bad, sizeof( bad ), "%s/missing", d );
	bt_refused( bad, "cannot open" );
	bt_refused( d, "not a regular file" );
	snprintf( bad, sizeof( bad ), "%s/bad", d );

	bt_spit( bad, b, 0 );
	bt_refused( bad, "not a banned-password index" );
	bt_spit( bad, b, 63 );
	bt_refused( bad, "not a banned-password index" );
	bt_spit( bad, (const unsigned char *)"alpha\nbravo\ncharlie\n"
		"delta\necho\nfoxtrot\ngolf\nhotel\nindia\njuliet\nkilo\n", 68 );
	bt_refused( bad, "not a banned-password index" );

	/* truncated anywhere after the header */
	bt_spit( bad, b, n - 1 );
	bt_refused( bad, "truncated" );
	bt_spit( bad, b, 70 );
	bt_refused( bad, "truncated" );

	memcpy( c, b, n );
	c[8] = 2;
	bt_spit( bad, c, n );
	bt_refused( bad, "format 2" );

	memcpy( c, b, n );
	c[12] = 9;
	bt_spit( bad, c, n );
	bt_refused( bad, "other normalisation rules" );

	/* a count that does not fit the file */
	memcpy( c, b, n );
	bt_put64( c + 16, UINT64_MAX / 4 );
	bt_spit( bad, c, n );
	bt_refused( bad, "inconsistent header" );
	memcpy( c, b, n );
	bt_put64( c + 16, 2 );
	bt_spit( bad, c, n );
	bt_refused( bad, "inconsistent header" );
	memcpy( c, b, n );
	bt_put64( c + 32, bt_get64( c + 32 ) + 1 );
	bt_spit( bad, c, n );
	bt_refused( bad, "inconsistent header" );
	memcpy( c, b, n );
	c[56] = 1;
	bt_spit( bad, c, n );
	bt_refused( bad, "inconsistent header" );

	/* offsets out of range, pointing in the middle, or behind */
	memcpy( c, b, n );
	bt_put64( c + 64 + 8, 1u << 30 );
	bt_spit( bad, c, n );
	bt_refused( bad, "offset of key 1 out of range" );
	memcpy( c, b, n );
	bt_put64( c + 64 + 16, UINT64_MAX );
	bt_spit( bad, c, n );
	bt_refused( bad, "offset of key 2 out of range" );
	memcpy( c, b, n );
	bt_put64( c + 64 + 8, 1 );
	bt_spit( bad, c, n );
	bt_refused( bad, "offset of key 1 out of range" );

	/* the last key without its NUL; a key out of order */
	memcpy( c, b, n );
	c[n - 1] = 'x';
	bt_spit( bad, c, n );
	bt_refused( bad, "runs past the end" );
	memcpy( c, b, n );
	memcpy( c + 64 + 24, "zlpha", 5 );	/* "alpha" -> "zlpha" */
	bt_spit( bad, c, n );
	bt_refused( bad, "key 1 is out of order" );
	/* a NUL in the middle of a key: the next offset is out of place; in
	 * the last key: bytes are left over */
	memcpy( c, b, n );
	c[64 + 24 + 2] = '\0';
	bt_spit( bad, c, n );
	bt_refused( bad, "offset of key 1 out of range" );
	memcpy( c, b, n );
	c[n - 3] = '\0';
	bt_spit( bad, c, n );
	bt_refused( bad, "2 bytes after the last key" );

	/* and the good one still opens */
	warden_banned_close( bt_open( d, "idx" ) );
	free( b );
	free( c );
	tu_rmtree( d );
	free( d );
}
END_TEST

START_TEST( notices_replacement )
{
	char *d = tu_tmpdir(), path[4200];
	warden_banned *old, *nw;

	snprintf( path, sizeof( path ), "%s/idx", d );
	ck_assert_int_eq( bt_build( d, "idx", "alpha\n", NULL ), 0 );
	old = bt_open( d, "idx" );
	ck_assert_int_eq( warden_banned_changed( old, path ), 0 );
	ck_assert_int_eq( warden_banned_changed( old, path ), 0 );

	/* rebuilt with the same content and size: still another file */
	ck_assert_int_eq( bt_build( d, "idx", "alpha\n", NULL ), 0 );
	ck_assert_int_eq( warden_banned_changed( old, path ), 1 );
	ck_assert_int_eq( bt_build( d, "idx", "bravo\ncharlie\n", NULL ), 0 );
	ck_assert_int_eq( warden_banned_changed( old, path ), 1 );
	/* the old mapping still reads the old list, whole */
	ck_assert_int_eq( bt_has( old, "alpha" ), 1 );
	ck_assert_int_eq( bt_has( old, "bravo" ), 0 );
	nw = bt_open( d, "idx" );
	ck_assert_int_eq( warden_banned_changed( nw, path ), 0 );
	ck_assert_int_eq( bt_has( nw, "alpha" ), 0 );
	ck_assert_int_eq( bt_has( nw, "bravo" ), 1 );
	warden_banned_close( old );

	ck_assert_int_eq( unlink( path ), 0 );
	ck_assert_int_eq( warden_banned_changed( nw, path ), 1 );
	warden_banned_close( nw );
	tu_rmtree( d );
	free( d );
}
END_TEST

/* Word i of a generated list: 6 to 13 lowercase letters. */
static void
bt_word( uint32_t i, char *w )
{
	uint64_t x = 0x9e3779b97f4a7c15ULL * ( (uint64_t)i + 1 );
	int len, j;

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 29;
	len = 6 + (int)( x & 7 );
	for ( j = 0; j < len; j++ ) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		w[j] = (char)( 'a' + ( x >> 33 ) % 26 );
	}
	w[len] = '\0';
}

static double
bt_now( void )
{
	struct timespec ts;

	clock_gettime( CLOCK_MONOTONIC, &ts );
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

START_TEST( a_million_entries )
{
	char *d = tu_tmpdir(), path[4200], w[32], pw[48];
	warden_banned *bl;
	size_t n = 0, i, found = 0;
	FILE *f;
	double t0, t1, t2;

	snprintf( path, sizeof( path ), "%s/list", d );
	f = fopen( path, "w" );
	ck_assert_ptr_nonnull( f );
	for ( i = 0; i < 1000000; i++ ) {
		bt_word( (uint32_t)i, w );
		fprintf( f, "%s\n", w );
	}
	ck_assert_int_eq( fclose( f ), 0 );
	f = fopen( path, "r" );
	ck_assert_ptr_nonnull( f );
	snprintf( path, sizeof( path ), "%s/idx", d );
	t0 = bt_now();
	ck_assert_msg( warden_banned_build( f, path, &n, msg, sizeof( msg ) ) == 0,
		"%s", msg );
	fclose( f );
	t1 = bt_now();
	/* random words collide (and 'l' reads as 'i') now and then */
	ck_assert_uint_gt( n, 990000 );
	ck_assert_uint_le( n, 1000000 );
	bl = bt_open( d, "idx" );
	t2 = bt_now();
	ck_assert_uint_eq( warden_banned_count( bl ), n );
	for ( i = 0; i < 1000000; i += 997 ) {
		bt_word( (uint32_t)i, w );
		snprintf( pw, sizeof( pw ), "%c%s2024!", w[0] - 32, w + 1 );
		ck_assert_int_eq( bt_has( bl, pw ), 1 );
		snprintf( pw, sizeof( pw ), "%sqx", w );
		found += bt_has( bl, pw ) == 1;
	}
	ck_assert_uint_lt( found, 5 );
	fprintf( stderr, "banned: 1,000,000 entries (%zu keys): build %.2f s, "
		"open %.3f s\n", n, t1 - t0, t2 - t1 );
	warden_banned_close( bl );
	tu_rmtree( d );
	free( d );
}
END_TEST

typedef struct bt_reader {
	warden_banned	*br_bl;
	int		br_bad;
} bt_reader;

static void *
bt_read_many( void *arg )
{
	bt_reader *r = arg;
	char w[32];
	uint32_t i;

	for ( i = 0; i < 20000; i++ ) {
		bt_word( i % 1000, w );
		if ( bt_has( r->br_bl, w ) != 1 ) r->br_bad++;
		if ( bt_has( r->br_bl, "Tr0ub4dor&3-xK9v" ) != 0 ) r->br_bad++;
	}
	return NULL;
}

START_TEST( concurrent_readers )
{
	char *d = tu_tmpdir(), w[32], *list = malloc( 1000 * 16 ), *p;
	bt_reader r[4];
	pthread_t th[4];
	warden_banned *bl;
	uint32_t i;

	ck_assert_ptr_nonnull( list );
	for ( p = list, i = 0; i < 1000; i++ ) {
		bt_word( i, w );
		p += sprintf( p, "%s\n", w );
	}
	ck_assert_int_eq( bt_build( d, "idx", list, NULL ), 0 );
	bl = bt_open( d, "idx" );
	for ( i = 0; i < 4; i++ ) {
		r[i].br_bl = bl;
		r[i].br_bad = 0;
		ck_assert_int_eq( pthread_create( &th[i], NULL, bt_read_many, &r[i] ), 0 );
	}
	for ( i = 0; i < 4; i++ ) {
		pthread_join( th[i], NULL );
		ck_assert_int_eq( r[i].br_bad, 0 );
	}
	warden_banned_close( bl );
	free( list );
	tu_rmtree( d );
	free( d );
}
END_TEST

Suite *
banned_suite( void )
{
	Suite *s = suite_create( "banned" );
	TCase *tc = tcase_create( "index" );

	tcase_add_test( tc, finds_normalized_passwords );
	tcase_add_test( tc, drops_duplicates_and_empty_lines );
	tcase_add_test( tc, odd_lines );
	tcase_add_test( tc, empty_list );
	tcase_add_test( tc, file_layout );
	tcase_add_test( tc, written_atomically_and_readable );
	tcase_add_test( tc, refuses_corrupt_files );
	tcase_add_test( tc, notices_replacement );
	tcase_add_test( tc, a_million_entries );
	tcase_add_test( tc, concurrent_readers );
	suite_add_tcase( s, tc );
	return s;
}
