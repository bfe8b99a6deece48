/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* The audit trail (overlay/lib/auditlog.c): the chain, its canonical form,
 * restarts, torn last lines, rotation, group commit, the asynchronous mode,
 * and what each policy does when the file cannot be written. */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <openssl/evp.h>

#include "auditlog.h"
#include "suites.h"

static char msg[512];

/* --- helpers ---------------------------------------------------------- */

typedef struct lines {
	char	**l;
	size_t	n;
} lines;

static lines
read_lines( const char *path )
{
	lines ls = { NULL, 0 };
	FILE *f = fopen( path, "r" );
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if ( !f ) return ls;
	while ( ( n = getline( &line, &cap, f ) ) >= 0 ) {
		ck_assert_msg( n > 0 && line[n - 1] == '\n', "a line without its end" );
		line[n - 1] = '\0';
		ls.l = realloc( ls.l, ( ls.n + 1 ) * sizeof( *ls.l ) );
		ls.l[ls.n++] = strdup( line );
	}
	free( line );
	fclose( f );
	return ls;
}

static void
free_lines( lines *ls )
{
	size_t i;

	for ( i = 0; i < ls->n; i++ ) free( ls->l[i] );
	free( ls->l );
}

/* Verifies files in chain order as wardenctl does; returns the number of
 * records, or fails the test naming the bad one.  The first record must
 * follow *prev (genesis when NULL) with seq first_seq. */
static size_t
verify( const char *const *paths, const unsigned char *key, size_t keylen,
	uint64_t first_seq )
{
	warden_audit_hasher *h = warden_audit_hasher_new( key, keylen );
	unsigned char prev[WARDEN_AUDIT_HASH_LEN] = { 0 }, d[WARDEN_AUDIT_HASH_LEN];
	uint64_t seq = first_seq - 1;
	size_t total = 0, i;

	ck_assert_ptr_nonnull( h );
	for ( ; *paths; paths++ ) {
		lines ls = read_lines( *paths );

		for ( i = 0; i < ls.n; i++ ) {
			warden_audit_link l;

			ck_assert_msg( !warden_audit_parse( ls.l[i], strlen( ls.l[i] ), &l ),
				"%s:%zu: not a record", *paths, i + 1 );
			ck_assert_msg( l.al_seq == seq + 1, "%s:%zu: seq %llu after %llu",
				*paths, i + 1, (unsigned long long)l.al_seq,
				(unsigned long long)seq );
			ck_assert_msg( !memcmp( l.al_prev, prev, sizeof( prev ) ),
				"%s:%zu: broken link", *paths, i + 1 );
			ck_assert_int_eq( warden_audit_hasher_digest( h, prev, ls.l[i],
				l.al_body, d ), 0 );
			ck_assert_msg( !memcmp( d, l.al_hash, sizeof( d ) ),
				"%s:%zu: hash", *paths, i + 1 );
			memcpy( prev, d, sizeof( prev ) );
			seq = l.al_seq;
			total++;
		}
		free_lines( &ls );
	}
	warden_audit_hasher_free( h );
	return total;
}

static void
path_in( char *out, size_t n, const char *dir, const char *name )
{
	snprintf( out, n, "%s/%s", dir, name );
}

static warden_audit *
open_ok( const char *path, const warden_audit_opts *o )
{
	warden_audit *a = NULL;

	ck_assert_msg( warden_audit_open( path, o, &a, msg, sizeof( msg ) ) == 0,
		"open: %s", msg );
	return a;
}

static void
put( warden_audit *a, const char *rec )
{
	ck_assert_int_eq( warden_audit_write( a, rec, strlen( rec ), NULL ),
		WARDEN_AUDIT_OK );
}

/* A sink that fails on demand. */
typedef struct faulty {
	pthread_mutex_t	f_mutex;
	int		f_fail_write;	/* errno to fail with, 0: none */
	int		f_fail_sync;
	int		f_short;	/* write half, then fail with f_fail_write */
	int		f_writes;
	int		f_syncs;
	int		f_logs;
	char		f_log[512];
} faulty;

static faulty *
faulty_new( void )
{
	faulty *f = calloc( 1, sizeof( *f ) );

	pthread_mutex_init( &f->f_mutex, NULL );
	return f;
}

static void
faulty_set( faulty *f, int w, int s, int sh )
{
	pthread_mutex_lock( &f->f_mutex );
	f->f_fail_write = w;
	f->f_fail_sync = s;
	f->f_short = sh;
	pthread_mutex_unlock( &f->f_mutex );
}

static ssize_t
faulty_write( void *arg, int fd, const void *buf, size_t n )
{
	faulty *f = arg;
	int err, sh;

	pthread_mutex_lock( &f->f_mutex );
	f->f_writes++;
	err = f->f_fail_write;
	sh = f->f_short;
	if ( sh ) f->f_short = 0;
	pthread_mutex_unlock( &f->f_mutex );
	if ( sh && n > 1 ) return write( fd, buf, n / 2 );
	if ( err ) {
		errno = err;
		return -1;
	}
	return write( fd, buf, n );
}

static int
faulty_sync( void *arg, int fd )
{
	faulty *f = arg;
	int err;

	pthread_mutex_lock( &f->f_mutex );
	err = f->f_fail_sync;
	f->f_syncs++;
	pthread_mutex_unlock( &f->f_mutex );
	if ( err ) {
		errno = err;
		return -1;
	}
	return fdatasync( fd );
}

static void
faulty_log( void *arg, const char *m )
{
	faulty *f = arg;

	pthread_mutex_lock( &f->f_mutex );
	f->f_logs++;
	snprintf( f->f_log, sizeof( f->f_log ), "%s", m );
	pthread_mutex_unlock( &f->f_mutex );
}

static warden_audit_opts
faulty_opts( faulty *f, int durable, warden_audit_policy pol )
{
	warden_audit_opts o = { 0 };

	o.ao_durable = durable;
	o.ao_policy = pol;
	o.ao_write = faulty_write;
	o.ao_sync = faulty_sync;
	o.ao_io_arg = f;
	o.ao_log = faulty_log;
	o.ao_log_arg = f;
	return o;
}

static off_t
file_size( const char *path )
{
	struct stat st;

	ck_assert_int_eq( stat( path, &st ), 0 );
	return st.st_size;
}

/* --- the chain --------------------------------------------------------- */

START_TEST( chain_basic )
{
	char *dir = tu_tmpdir(), path[4096];
	const char *files[] = { path, NULL };
	warden_audit *a;
	warden_audit_stats st;
	struct stat sb;
	lines ls;
	uint64_t seq;

	path_in( path, sizeof( path ), dir, "audit.log" );
	a = open_ok( path, NULL );
	ck_assert_int_eq( warden_audit_write( a, "{\"event.action\":\"add\"}", 22,
		&seq ), WARDEN_AUDIT_OK );
	ck_assert_uint_eq( seq, 1 );
	put( a, "{}" );
	put( a, "{ \"a\" : [1, {\"b\":null}] }" );
	ck_assert_int_eq( warden_audit_write( a, "{\"x\":1}", 7, &seq ), WARDEN_AUDIT_OK );
	ck_assert_uint_eq( seq, 4 );
	warden_audit_stats_get( a, &st );
	ck_assert_uint_eq( st.as_records, 4 );
	ck_assert_uint_eq( st.as_seq, 4 );
	ck_assert_int_eq( warden_audit_close( a ), 0 );

	ck_assert_int_eq( stat( path, &sb ), 0 );
	ck_assert_int_eq( sb.st_mode & 0777, 0600 );
	ck_assert_uint_eq( verify( files, NULL, 0, 1 ), 4 );
	ls = read_lines( path );
	ck_assert_uint_eq( ls.n, 4 );
	/* the canonical form, spelled out for the first record */
	ck_assert_int_eq( strncmp( ls.l[0], "{\"event.action\":\"add\",\"warden.seq\":1,"
		"\"warden.prev\":\"" WARDEN_AUDIT_GENESIS "\",\"warden.hash\":\"", 133 ), 0 );
	{
		unsigned char d[32], prev[32] = { 0 };
		char hex[65];
		const char *c = "{\"event.action\":\"add\",\"warden.seq\":1,"
			"\"warden.prev\":\"" WARDEN_AUDIT_GENESIS "\"}";
		EVP_MD_CTX *md = EVP_MD_CTX_new();
		unsigned n;

		EVP_DigestInit_ex( md, EVP_sha256(), NULL );
		EVP_DigestUpdate( md, prev, 32 );
		EVP_DigestUpdate( md, c, strlen( c ) );
		EVP_DigestFinal_ex( md, d, &n );
		EVP_MD_CTX_free( md );
		warden_audit_hex( d, hex );
		ck_assert_int_eq( strncmp( ls.l[0] + 133, hex, 64 ), 0 );
		ck_assert_str_eq( ls.l[0] + 133 + 64, "\"}" );
	}
	/* no comma after an empty object's brace */
	ck_assert_int_eq( strncmp( ls.l[1], "{\"warden.seq\":2,", 16 ), 0 );
	free_lines( &ls );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

START_TEST( invalid_records )
{
	char *dir = tu_tmpdir(), path[4096];
	warden_audit *a;

	path_in( path, sizeof( path ), dir, "audit.log" );
	a = open_ok( path, NULL );
	ck_assert_int_eq( warden_audit_write( a, "", 0, NULL ), WARDEN_AUDIT_INVALID );
	ck_assert_int_eq( warden_audit_write( a, "{", 1, NULL ), WARDEN_AUDIT_INVALID );
	ck_assert_int_eq( warden_audit_write( a, "[1]", 3, NULL ), WARDEN_AUDIT_INVALID );
	ck_assert_int_eq( warden_audit_write( a, "{\"a\":1}\n", 8, NULL ), WARDEN_AUDIT_INVALID );
	ck_assert_int_eq( warden_audit_write( a, "{\"a\":\n1}", 8, NULL ), WARDEN_AUDIT_INVALID );
	ck_assert_int_eq( warden_audit_write( a, "{\r}", 3, NULL ), WARDEN_AUDIT_INVALID );
	ck_assert_int_eq( warden_audit_close( a ), 0 );
	ck_assert_int_eq( file_size( path ), 0 );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

START_TEST( parse_refuses )
{
	static const char good[] = "{\"a\":1,\"warden.seq\":12,\"warden.prev\":\""
		WARDEN_AUDIT_GENESIS "\",\"warden.hash\":\""
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\"}";
	warden_audit_link l;
	char bad[sizeof( good )];

	ck_assert_int_eq( warden_audit_parse( good, strlen( good ), &l ), 0 );
	ck_assert_uint_eq( l.al_seq, 12 );
	ck_assert_uint_eq( l.al_body, strlen( good ) - 82 );
	ck_assert_int_eq( l.al_hash[1], 0x11 );
	/* upper-case hex, a leading zero, a missing comma, a torn end */
	memcpy( bad, good, sizeof( good ) );
	bad[strlen( good ) - 3] = 'F';
	ck_assert_int_eq( warden_audit_parse( bad, strlen( bad ), &l ), -1 );
	memcpy( bad, good, sizeof( good ) );
	bad[20] = '0';
	ck_assert_int_eq( warden_audit_parse( bad, strlen( bad ), &l ), -1 );
	memcpy( bad, good, sizeof( good ) );
	bad[6] = ' ';
	ck_assert_int_eq( warden_audit_parse( bad, strlen( bad ), &l ), -1 );
	ck_assert_int_eq( warden_audit_parse( good, strlen( good ) - 1, &l ), -1 );
	ck_assert_int_eq( warden_audit_parse( "{}", 2, &l ), -1 );
}
END_TEST

START_TEST( keyed_chain )
{
	char *dir = tu_tmpdir(), path[4096];
	const char *files[] = { path, NULL };
	unsigned char master[32], key[32], other[32], d1[32], d2[32], prev[32] = { 0 };
	warden_audit_opts o = { 0 };
	warden_audit_hasher *h;
	warden_audit *a;
	size_t n;

	memset( master, 0x42, sizeof( master ) );
	ck_assert_int_eq( warden_audit_derive_key( master, 32,
		WARDEN_AUDIT_LABEL_CHAIN, key ), 0 );
	ck_assert_int_eq( warden_audit_derive_key( master, 32,
		WARDEN_AUDIT_LABEL_PSEUDONYM, other ), 0 );
	ck_assert( memcmp( key, other, 32 ) );

	path_in( path, sizeof( path ), dir, "audit.log" );
	o.ao_durable = 1;
	o.ao_key = key;
	o.ao_keylen = sizeof( key );
	a = open_ok( path, &o );
	put( a, "{\"a\":1}" );
	put( a, "{\"a\":2}" );
	ck_assert_int_eq( warden_audit_close( a ), 0 );
	ck_assert_uint_eq( verify( files, key, 32, 1 ), 2 );

	/* the hasher starts over for every record: the same input twice gives
	 * the same HMAC, which is HMAC-SHA-256 computed in one go */
	h = warden_audit_hasher_new( key, 32 );
	ck_assert_int_eq( warden_audit_hasher_digest( h, prev, "{\"z\":0", 6, d1 ), 0 );
	ck_assert_int_eq( warden_audit_hasher_digest( h, prev, "{\"z\":0", 6, d2 ), 0 );
	ck_assert( !memcmp( d1, d2, 32 ) );
	{
		unsigned char in[32 + 7];

		memcpy( in, prev, 32 );
		memcpy( in + 32, "{\"z\":0}", 7 );
		ck_assert_ptr_nonnull( EVP_Q_mac( NULL, "HMAC", NULL, "SHA256", NULL,
			key, 32, in, sizeof( in ), d2, sizeof( d2 ), &n ) );
		ck_assert( !memcmp( d1, d2, 32 ) );
	}
	warden_audit_hasher_free( h );
	ck_assert_ptr_null( warden_audit_hasher_new( key, 0 ) );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

/* RFC 5869 test case 3: SHA-256, empty salt and info. */
START_TEST( hkdf_vector )
{
	static const unsigned char okm[32] = {
		0x8d, 0xa4, 0xe7, 0x75, 0xa5, 0x63, 0xc1, 0x8f, 0x71, 0x5f, 0x80,
		0x2a, 0x06, 0x3c, 0x5a, 0x31, 0xb8, 0xa1, 0x1f, 0x5c, 0x5e, 0xe1,
		0x87, 0x9e, 0xc3, 0x45, 0x4e, 0x5f, 0x3c, 0x73, 0x8d, 0x2d };
	unsigned char ikm[22], out[32];

	memset( ikm, 0x0b, sizeof( ikm ) );
	ck_assert_int_eq( warden_audit_derive_key( ikm, sizeof( ikm ), "", out ), 0 );
	ck_assert( !memcmp( out, okm, 32 ) );
}
END_TEST

START_TEST( reopen_continues )
{
	char *dir = tu_tmpdir(), path[4096];
	const char *files[] = { path, NULL };
	warden_audit *a;
	uint64_t seq;

	path_in( path, sizeof( path ), dir, "audit.log" );
	a = open_ok( path, NULL );
	put( a, "{\"run\":1}" );
	put( a, "{\"run\":1}" );
	warden_audit_close( a );
	a = open_ok( path, NULL );
	ck_assert_int_eq( warden_audit_write( a, "{\"run\":2}", 9, &seq ), WARDEN_AUDIT_OK );
	ck_assert_uint_eq( seq, 3 );
	warden_audit_close( a );
	ck_assert_uint_eq( verify( files, NULL, 0, 1 ), 3 );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

START_TEST( torn_last_line )
{
	char *dir = tu_tmpdir(), path[4096];
	const char *files[] = { path, NULL };
	warden_audit *a;
	lines ls;
	int fd;

	path_in( path, sizeof( path ), dir, "audit.log" );
	a = open_ok( path, NULL );
	put( a, "{\"i\":1}" );
	put( a, "{\"i\":2}" );
	warden_audit_close( a );
	/* a crash in the middle of a write */
	fd = open( path, O_WRONLY | O_APPEND );
	ck_assert_int_eq( write( fd, "{\"i\":3,\"war", 11 ), 11 );
	close( fd );

	a = open_ok( path, NULL );
	put( a, "{\"i\":4}" );
	warden_audit_close( a );
	ck_assert_uint_eq( verify( files, NULL, 0, 1 ), 4 );
	ls = read_lines( path );
	ck_assert_uint_eq( ls.n, 4 );
	ck_assert_ptr_nonnull( strstr( ls.l[2], "\"event.action\":\"audit-torn-tail\"" ) );
	ck_assert_ptr_nonnull( strstr( ls.l[2], "\"warden.torn.bytes\":11," ) );
	ck_assert_ptr_nonnull( strstr( ls.l[2], "\"warden.seq\":3," ) );
	ck_assert_int_eq( strncmp( ls.l[3], "{\"i\":4,", 7 ), 0 );
	free_lines( &ls );

	/* a file that is nothing but a torn line starts a new trail */
	tu_write( path, "{\"partial", 0600 );
	a = open_ok( path, NULL );
	warden_audit_close( a );
	ck_assert_uint_eq( verify( files, NULL, 0, 1 ), 1 );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

START_TEST( foreign_last_line )
{
	char *dir = tu_tmpdir(), path[4096];
	warden_audit *a = NULL;

	path_in( path, sizeof( path ), dir, "audit.log" );
	tu_write( path, "some other log\n", 0600 );
	ck_assert_int_eq( warden_audit_open( path, NULL, &a, msg, sizeof( msg ) ), -1 );
	ck_assert_ptr_null( a );
	ck_assert_ptr_nonnull( strstr( msg, "not a warden audit record" ) );
	/* nor a symbolic link, nor a file others may write */
	unlink( path );
	ck_assert_int_eq( symlink( "/etc/passwd", path ), 0 );
	ck_assert_int_eq( warden_audit_open( path, NULL, &a, msg, sizeof( msg ) ), -1 );
	unlink( path );
	tu_write( path, "", 0622 );
	ck_assert_int_eq( warden_audit_open( path, NULL, &a, msg, sizeof( msg ) ), -1 );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

START_TEST( rotation )
{
	char *dir = tu_tmpdir(), path[4096], p1[4200], p2[4200];
	const char *files[] = { p2, p1, path, NULL };
	warden_audit_stats st;
	warden_audit *a;
	lines ls;

	path_in( path, sizeof( path ), dir, "audit.log" );
	snprintf( p1, sizeof( p1 ), "%s.1", path );
	snprintf( p2, sizeof( p2 ), "%s.2", path );
	a = open_ok( path, NULL );
	put( a, "{\"f\":2}" );
	put( a, "{\"f\":2}" );
	/* logrotate without "create": the path is gone until we write */
	ck_assert_int_eq( rename( path, p2 ), 0 );
	put( a, "{\"f\":1}" );
	/* with "create": a new empty file is there already */
	ck_assert_int_eq( rename( path, p1 ), 0 );
	tu_write( path, "", 0600 );
	put( a, "{\"f\":0}" );
	put( a, "{\"f\":0}" );
	warden_audit_stats_get( a, &st );
	ck_assert_uint_eq( st.as_reopens, 2 );
	warden_audit_close( a );
	ck_assert_uint_eq( verify( files, NULL, 0, 1 ), 5 );
	ls = read_lines( p1 );
	ck_assert_uint_eq( ls.n, 1 );
	free_lines( &ls );
	ck_assert_int_eq( file_size( path ) > 0, 1 );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

START_TEST( explicit_reopen )
{
	char *dir = tu_tmpdir(), path[4096], p1[4200], p2[4200];
	const char *files[] = { p1, p2, NULL };
	warden_audit *a;

	path_in( path, sizeof( path ), dir, "audit.log" );
	snprintf( p1, sizeof( p1 ), "%s.1", path );
	snprintf( p2, sizeof( p2 ), "%s.2", path );
	a = open_ok( path, NULL );
	put( a, "{\"f\":1}" );
	ck_assert_int_eq( rename( path, p1 ), 0 );
	ck_assert_int_eq( warden_audit_reopen( a, msg, sizeof( msg ) ), 0 );
	/* the new file exists at once, before any record */
	ck_assert_int_eq( file_size( path ), 0 );
	put( a, "{\"f\":0}" );
	/* a reopen that cannot be done says why */
	ck_assert_int_eq( rename( path, p2 ), 0 );
	ck_assert_int_eq( symlink( "/nonexistent", path ), 0 );
	ck_assert_int_eq( warden_audit_reopen( a, msg, sizeof( msg ) ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "symbolic link" ) );
	unlink( path );
	warden_audit_close( a );
	ck_assert_uint_eq( verify( files, NULL, 0, 1 ), 2 );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

/* slapd restarted after logrotate moved the file: PATH.1's chain goes on. */
START_TEST( restart_after_rotation )
{
	char *dir = tu_tmpdir(), path[4096], p1[4200];
	const char *files[] = { p1, path, NULL };
	warden_audit *a;
	uint64_t seq;

	path_in( path, sizeof( path ), dir, "audit.log" );
	snprintf( p1, sizeof( p1 ), "%s.1", path );
	a = open_ok( path, NULL );
	put( a, "{}" );
	put( a, "{}" );
	warden_audit_close( a );
	ck_assert_int_eq( rename( path, p1 ), 0 );
	a = open_ok( path, NULL );
	ck_assert_int_eq( warden_audit_write( a, "{}", 2, &seq ), WARDEN_AUDIT_OK );
	ck_assert_uint_eq( seq, 3 );
	warden_audit_close( a );
	ck_assert_uint_eq( verify( files, NULL, 0, 1 ), 3 );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

/* --- concurrency -------------------------------------------------------- */

#define THREADS		8
#define PER_THREAD	400

typedef struct worker {
	warden_audit	*w_a;
	int		w_id;
	int		w_n;
	int		w_durable;
	int		w_bad;
} worker;

static void *
worker_run( void *arg )
{
	worker *w = arg;
	uint64_t last = 0, seq;
	char rec[64];
	int i, n;

	for ( i = 0; i < w->w_n; i++ ) {
		n = snprintf( rec, sizeof( rec ), "{\"t\":%d,\"i\":%d}", w->w_id, i );
		if ( warden_audit_write( w->w_a, rec, n, &seq ) != WARDEN_AUDIT_OK )
			w->w_bad++;
		/* one thread's records are numbered in the order it wrote them */
		if ( w->w_durable && seq <= last ) w->w_bad++;
		last = seq;
	}
	return NULL;
}

static void
concurrent( int durable )
{
	char *dir = tu_tmpdir(), path[4096];
	const char *files[] = { path, NULL };
	static unsigned char seen[THREADS][PER_THREAD];
	warden_audit_opts o = { 0 };
	pthread_t th[THREADS];
	worker w[THREADS];
	warden_audit_stats st;
	warden_audit *a;
	lines ls;
	size_t i;
	int t, k;

	path_in( path, sizeof( path ), dir, "audit.log" );
	o.ao_durable = durable;
	o.ao_queue_max = 64;	/* writers also wait for room */
	a = open_ok( path, &o );
	for ( t = 0; t < THREADS; t++ ) {
		w[t] = (worker){ a, t, PER_THREAD, durable, 0 };
		ck_assert_int_eq( pthread_create( &th[t], NULL, worker_run, &w[t] ), 0 );
	}
	for ( t = 0; t < THREADS; t++ ) {
		pthread_join( th[t], NULL );
		ck_assert_int_eq( w[t].w_bad, 0 );
	}
	warden_audit_stats_get( a, &st );
	ck_assert_int_eq( warden_audit_close( a ), 0 );
	if ( durable ) {
		ck_assert_uint_eq( st.as_records, THREADS * PER_THREAD );
		/* they shared syncs */
		ck_assert_uint_lt( st.as_batches, st.as_records );
	}

	ck_assert_uint_eq( verify( files, NULL, 0, 1 ), THREADS * PER_THREAD );
	memset( seen, 0, sizeof( seen ) );
	ls = read_lines( path );
	for ( i = 0; i < ls.n; i++ ) {
		ck_assert_int_eq( sscanf( ls.l[i], "{\"t\":%d,\"i\":%d,", &t, &k ), 2 );
		ck_assert( t >= 0 && t < THREADS && k >= 0 && k < PER_THREAD );
		ck_assert_msg( !seen[t][k]++, "record %d/%d twice", t, k );
	}
	ck_assert_uint_eq( ls.n, THREADS * PER_THREAD );
	free_lines( &ls );
	tu_rmtree( dir );
	free( dir );
}

START_TEST( group_commit )
{
	concurrent( 1 );
}
END_TEST

START_TEST( asynchronous )
{
	concurrent( 0 );
}
END_TEST

START_TEST( async_flush )
{
	char *dir = tu_tmpdir(), path[4096];
	warden_audit_opts o = { 0 };
	warden_audit *a;
	lines ls;
	int i;

	path_in( path, sizeof( path ), dir, "audit.log" );
	o.ao_async_ms = 60000;		/* only a flush or the count writes */
	o.ao_async_records = 100000;
	a = open_ok( path, &o );
	for ( i = 0; i < 10; i++ ) put( a, "{\"q\":true}" );
	ck_assert_int_eq( file_size( path ), 0 );
	warden_audit_flush( a );
	ls = read_lines( path );
	ck_assert_uint_eq( ls.n, 10 );
	free_lines( &ls );
	warden_audit_close( a );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

/* --- announced records ------------------------------------------------- */

/* A database that commits one write at a time, each commit taking a while:
 * the records of concurrent writers arrive one commit apart. */
#define COMMITTERS	8
#define COMMITS		12

typedef struct committer {
	warden_audit	*c_a;
	pthread_mutex_t	*c_db;
	int		c_id;
	int		c_bad;
} committer;

static long
ms_since( const struct timespec *t0 )
{
	struct timespec now;

	clock_gettime( CLOCK_MONOTONIC, &now );
	return ( now.tv_sec - t0->tv_sec ) * 1000 +
		( now.tv_nsec - t0->tv_nsec ) / 1000000;
}

static void *
committer_run( void *arg )
{
	committer *c = arg;
	char rec[64];
	int i;

	for ( i = 0; i < COMMITS; i++ ) {
		warden_audit_announce( c->c_a );
		pthread_mutex_lock( c->c_db );
		usleep( 1000 );		/* the commit */
		pthread_mutex_unlock( c->c_db );
		snprintf( rec, sizeof( rec ), "{\"c\":%d,\"i\":%d}", c->c_id, i );
		if ( warden_audit_write_ext( c->c_a, rec, strlen( rec ),
				WARDEN_AUDIT_ANNOUNCED, NULL ) != WARDEN_AUDIT_OK )
			c->c_bad++;
	}
	return NULL;
}

START_TEST( announced_share_syncs )
{
	char *dir = tu_tmpdir(), path[4096];
	const char *files[] = { path, NULL };
	pthread_mutex_t db = PTHREAD_MUTEX_INITIALIZER;
	warden_audit_opts o = { 0 };
	pthread_t th[COMMITTERS];
	committer c[COMMITTERS];
	warden_audit_stats st;
	warden_audit *a;
	int t;

	path_in( path, sizeof( path ), dir, "audit.log" );
	o.ao_durable = 1;
	a = open_ok( path, &o );
	for ( t = 0; t < COMMITTERS; t++ ) {
		c[t] = (committer){ a, &db, t, 0 };
		ck_assert_int_eq( pthread_create( &th[t], NULL, committer_run,
			&c[t] ), 0 );
	}
	for ( t = 0; t < COMMITTERS; t++ ) {
		pthread_join( th[t], NULL );
		ck_assert_int_eq( c[t].c_bad, 0 );
	}
	warden_audit_stats_get( a, &st );
	ck_assert_int_eq( warden_audit_close( a ), 0 );
	ck_assert_uint_eq( st.as_records, COMMITTERS * COMMITS );
	ck_assert_uint_gt( st.as_held, 0 );
	/* without holding, a sync each (records arrive a commit apart) */
	ck_assert_msg( st.as_batches * 2 <= st.as_records,
		"%llu syncs for %llu records", (unsigned long long)st.as_batches,
		(unsigned long long)st.as_records );
	ck_assert_uint_eq( verify( files, NULL, 0, 1 ), COMMITTERS * COMMITS );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

START_TEST( announced_alone_not_held )
{
	char *dir = tu_tmpdir(), path[4096];
	warden_audit_opts o = { 0 };
	warden_audit_stats st;
	warden_audit *a;
	int i;

	path_in( path, sizeof( path ), dir, "audit.log" );
	o.ao_durable = 1;
	a = open_ok( path, &o );
	for ( i = 0; i < 20; i++ ) {
		warden_audit_announce( a );
		ck_assert_int_eq( warden_audit_write_ext( a, "{\"x\":1}", 7,
			WARDEN_AUDIT_ANNOUNCED, NULL ), WARDEN_AUDIT_OK );
	}
	/* withdrawn announcements hold nothing either */
	warden_audit_announce( a );
	warden_audit_withdraw( a );
	put( a, "{\"x\":2}" );
	warden_audit_stats_get( a, &st );
	ck_assert_uint_eq( st.as_held, 0 );
	ck_assert_uint_eq( st.as_batches, 21 );
	warden_audit_close( a );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

START_TEST( announced_hold_bounded )
{
	char *dir = tu_tmpdir(), path[4096];
	warden_audit_opts o = { 0 };
	warden_audit_stats st;
	struct timespec t0;
	warden_audit *a;

	path_in( path, sizeof( path ), dir, "audit.log" );
	o.ao_durable = 1;
	a = open_ok( path, &o );
	/* announcements that never end (a caller's bug) */
	warden_audit_announce( a );
	warden_audit_announce( a );
	clock_gettime( CLOCK_MONOTONIC, &t0 );
	put( a, "{\"x\":1}" );
	warden_audit_stats_get( a, &st );
	ck_assert_uint_eq( st.as_held, 1 );
	ck_assert_uint_eq( st.as_records, 1 );
	/* the hold is at most 20 ms; the sync on top of it is the disk's */
	ck_assert_int_lt( ms_since( &t0 ), 1000 );
	warden_audit_close( a );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

/* Asynchronous: written at once, synced later (or by a flush). */
START_TEST( async_sync_later )
{
	char *dir = tu_tmpdir(), path[4096];
	faulty *f = faulty_new();
	warden_audit_opts o = faulty_opts( f, 0, WARDEN_AUDIT_BLOCK );
	warden_audit *a;
	lines ls;
	int i, syncs;

	path_in( path, sizeof( path ), dir, "audit.log" );
	o.ao_async_ms = 10;
	o.ao_async_sync_ms = 60000;
	a = open_ok( path, &o );
	for ( i = 0; i < 5; i++ ) put( a, "{\"q\":1}" );
	for ( i = 0; i < 200 && file_size( path ) == 0; i++ ) usleep( 10000 );
	usleep( 50000 );
	ls = read_lines( path );
	ck_assert_uint_eq( ls.n, 5 );
	free_lines( &ls );
	pthread_mutex_lock( &f->f_mutex );
	syncs = f->f_syncs;
	pthread_mutex_unlock( &f->f_mutex );
	ck_assert_int_eq( syncs, 0 );
	warden_audit_flush( a );
	pthread_mutex_lock( &f->f_mutex );
	syncs = f->f_syncs;
	pthread_mutex_unlock( &f->f_mutex );
	ck_assert_int_eq( syncs, 1 );

	/* and on its own, ao_async_sync_ms after the write */
	warden_audit_close( a );
	o.ao_async_sync_ms = 50;
	a = open_ok( path, &o );
	put( a, "{\"q\":2}" );
	for ( i = 0; i < 200; i++ ) {
		pthread_mutex_lock( &f->f_mutex );
		syncs = f->f_syncs;
		pthread_mutex_unlock( &f->f_mutex );
		if ( syncs > 1 ) break;
		usleep( 10000 );
	}
	ck_assert_int_eq( syncs, 2 );
	warden_audit_close( a );
	pthread_mutex_destroy( &f->f_mutex );
	free( f );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

/* --- failures ----------------------------------------------------------- */

START_TEST( refuse_durable )
{
	char *dir = tu_tmpdir(), path[4096];
	const char *files[] = { path, NULL };
	faulty *f = faulty_new();
	warden_audit_opts o = faulty_opts( f, 1, WARDEN_AUDIT_REFUSE );
	warden_audit_stats st;
	warden_audit *a;
	off_t size;
	uint64_t seq;
	int i, rc;

	path_in( path, sizeof( path ), dir, "audit.log" );
	a = open_ok( path, &o );
	put( a, "{\"n\":1}" );
	size = file_size( path );

	/* a full disk: refused at once, and nothing half written */
	faulty_set( f, ENOSPC, 0, 0 );
	ck_assert_int_eq( warden_audit_write( a, "{\"n\":2}", 7, NULL ), WARDEN_AUDIT_REFUSED );
	ck_assert_int_eq( warden_audit_write( a, "{\"n\":3}", 7, NULL ), WARDEN_AUDIT_REFUSED );
	ck_assert_int_eq( file_size( path ), size );
	ck_assert_int_eq( f->f_logs, 1 );
	ck_assert_ptr_nonnull( strstr( f->f_log, "No space left on device" ) );
	ck_assert_ptr_nonnull( strstr( f->f_log, "refused" ) );

	/* a short write, then the failure: cut back */
	usleep( 250000 );
	faulty_set( f, EIO, 0, 1 );
	ck_assert_int_eq( warden_audit_write( a, "{\"n\":4}", 7, NULL ), WARDEN_AUDIT_REFUSED );
	ck_assert_int_eq( file_size( path ), size );
	/* a failed sync: the record is not kept either */
	usleep( 500000 );
	faulty_set( f, 0, EIO, 0 );
	ck_assert_int_eq( warden_audit_write( a, "{\"n\":5}", 7, NULL ), WARDEN_AUDIT_REFUSED );
	ck_assert_int_eq( file_size( path ), size );
	ck_assert_int_eq( f->f_logs, 1 );	/* one episode, one message */

	/* healthy again: after the backoff, writes go through, no gap */
	faulty_set( f, 0, 0, 0 );
	for ( i = 0; i < 100; i++ ) {
		rc = warden_audit_write( a, "{\"n\":6}", 7, &seq );
		if ( rc == WARDEN_AUDIT_OK ) break;
		usleep( 100000 );
	}
	ck_assert_int_eq( rc, WARDEN_AUDIT_OK );
	ck_assert_uint_eq( seq, 2 );
	ck_assert_int_eq( f->f_logs, 2 );
	ck_assert_ptr_nonnull( strstr( f->f_log, "written again" ) );
	warden_audit_stats_get( a, &st );
	ck_assert_uint_ge( st.as_refused, 4 );
	ck_assert_uint_ge( st.as_failures, 3 );
	warden_audit_close( a );
	ck_assert_uint_eq( verify( files, NULL, 0, 1 ), 2 );
	free( f );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

typedef struct blocked {
	warden_audit	*b_a;
	int		b_rc;
	int		b_done;
} blocked;

static void *
blocked_run( void *arg )
{
	blocked *b = arg;

	b->b_rc = warden_audit_write( b->b_a, "{\"blocked\":1}", 13, NULL );
	__atomic_store_n( &b->b_done, 1, __ATOMIC_SEQ_CST );
	return NULL;
}

START_TEST( block_durable )
{
	char *dir = tu_tmpdir(), path[4096];
	const char *files[] = { path, NULL };
	faulty *f = faulty_new();
	warden_audit_opts o = faulty_opts( f, 1, WARDEN_AUDIT_BLOCK );
	blocked b = { 0 };
	pthread_t th;
	warden_audit *a;
	lines ls;

	path_in( path, sizeof( path ), dir, "audit.log" );
	a = open_ok( path, &o );
	b.b_a = a;
	put( a, "{\"n\":1}" );
	faulty_set( f, ENOSPC, 0, 1 );	/* half a line, then a full disk */
	pthread_create( &th, NULL, blocked_run, &b );
	usleep( 600000 );
	/* the writer waits, retrying, and said so once */
	ck_assert_int_eq( __atomic_load_n( &b.b_done, __ATOMIC_SEQ_CST ), 0 );
	ck_assert_int_eq( f->f_logs, 1 );
	ck_assert_ptr_nonnull( strstr( f->f_log, "wait" ) );
	ck_assert_int_gt( f->f_writes, 3 );
	ls = read_lines( path );	/* no half line, ever */
	ck_assert_uint_eq( ls.n, 1 );
	free_lines( &ls );
	faulty_set( f, 0, 0, 0 );
	pthread_join( th, NULL );
	ck_assert_int_eq( b.b_rc, WARDEN_AUDIT_OK );
	ck_assert_int_eq( f->f_logs, 2 );
	warden_audit_close( a );
	ck_assert_uint_eq( verify( files, NULL, 0, 1 ), 2 );
	free( f );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

START_TEST( refuse_async )
{
	char *dir = tu_tmpdir(), path[4096];
	const char *files[] = { path, NULL };
	faulty *f = faulty_new();
	warden_audit_opts o = faulty_opts( f, 0, WARDEN_AUDIT_REFUSE );
	warden_audit *a;
	int i, refused = 0;

	o.ao_async_ms = 10;
	path_in( path, sizeof( path ), dir, "audit.log" );
	a = open_ok( path, &o );
	faulty_set( f, EIO, 0, 0 );
	/* accepted before the writer finds out, refused after; the accepted
	 * ones are kept and written later */
	put( a, "{\"n\":1}" );
	usleep( 200000 );
	for ( i = 0; i < 5; i++ )
		if ( warden_audit_write( a, "{\"n\":2}", 7, NULL ) == WARDEN_AUDIT_REFUSED )
			refused++;
	ck_assert_int_eq( refused, 5 );
	ck_assert_int_eq( file_size( path ), 0 );
	faulty_set( f, 0, 0, 0 );
	warden_audit_flush( a );
	put( a, "{\"n\":3}" );
	ck_assert_int_eq( warden_audit_close( a ), 0 );
	ck_assert_uint_eq( verify( files, NULL, 0, 1 ), 2 );
	free( f );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

START_TEST( close_gives_up )
{
	char *dir = tu_tmpdir(), path[4096];
	faulty *f = faulty_new();
	warden_audit_opts o = faulty_opts( f, 0, WARDEN_AUDIT_BLOCK );
	warden_audit *a;

	o.ao_close_wait_ms = 300;
	path_in( path, sizeof( path ), dir, "audit.log" );
	a = open_ok( path, &o );
	faulty_set( f, EIO, 0, 0 );
	put( a, "{}" );
	put( a, "{}" );
	ck_assert_int_eq( warden_audit_close( a ), -1 );
	ck_assert_ptr_nonnull( strstr( f->f_log, "2 records could not be written and are lost" ) );
	free( f );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

/* A real full disk: a small tmpfs, when this process may mount one. */
START_TEST( full_tmpfs )
{
	char *dir = tu_tmpdir(), path[4096], rec[4096];
	const char *files[] = { path, NULL };
	warden_audit_opts o = { 0 };
	faulty f0 = { 0 };
	warden_audit *a;
	int i, ok = 0, refused = 0;

	if ( mount( "tmpfs", dir, "tmpfs", 0, "size=64k,mode=0700" ) < 0 ) {
		fprintf( stderr, "full_tmpfs: cannot mount a tmpfs (%s); skipped\n",
			strerror( errno ) );
		tu_rmtree( dir );
		free( dir );
		return;
	}
	pthread_mutex_init( &f0.f_mutex, NULL );
	o.ao_durable = 1;
	o.ao_policy = WARDEN_AUDIT_REFUSE;
	o.ao_log = faulty_log;
	o.ao_log_arg = &f0;
	path_in( path, sizeof( path ), dir, "audit.log" );
	memset( rec, 'x', sizeof( rec ) );
	memcpy( rec, "{\"v\":\"", 6 );
	memcpy( rec + 1000 - 2, "\"}", 2 );
	a = open_ok( path, &o );
	for ( i = 0; i < 200; i++ ) {
		int rc = warden_audit_write( a, rec, 1000, NULL );

		if ( rc == WARDEN_AUDIT_OK ) ok++;
		else if ( rc == WARDEN_AUDIT_REFUSED ) refused++;
	}
	warden_audit_close( a );
	ck_assert_int_gt( ok, 10 );
	ck_assert_int_gt( refused, 0 );
	ck_assert_ptr_nonnull( strstr( f0.f_log, "No space left" ) );
	/* everything acknowledged is there, whole, and verifies */
	ck_assert_uint_eq( verify( files, NULL, 0, 1 ), (size_t)ok );
	umount( dir );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

/* --- syslog ------------------------------------------------------------- */

START_TEST( syslog_copy )
{
	char *dir = tu_tmpdir(), path[4096], buf[4096];
	struct sockaddr_un sun;
	warden_audit_opts o = { 0 };
	warden_audit_stats st;
	warden_audit *a;
	ssize_t n;
	int s;

	memset( &sun, 0, sizeof( sun ) );
	sun.sun_family = AF_UNIX;
	snprintf( sun.sun_path, sizeof( sun.sun_path ), "%s/log", dir );
	s = socket( AF_UNIX, SOCK_DGRAM, 0 );
	ck_assert_int_eq( bind( s, (struct sockaddr *)&sun, sizeof( sun ) ), 0 );
	o.ao_durable = 1;
	o.ao_syslog = 1;
	o.ao_syslog_path = sun.sun_path;
	path_in( path, sizeof( path ), dir, "audit.log" );
	a = open_ok( path, &o );
	put( a, "{\"event.action\":\"bind\"}" );
	n = recv( s, buf, sizeof( buf ) - 1, 0 );
	ck_assert_int_gt( n, 0 );
	buf[n] = '\0';
	ck_assert_int_eq( strncmp( buf, "<86>", 4 ), 0 );	/* authpriv.info */
	ck_assert_ptr_nonnull( strstr( buf, " warden-audit[" ) );
	ck_assert_ptr_nonnull( strstr( buf, "]: {\"event.action\":\"bind\",\"warden.seq\":1," ) );
	ck_assert_int_eq( buf[n - 1], '}' );
	close( s );
	unlink( sun.sun_path );
	/* syslog gone: the file still takes records; the loss is counted */
	put( a, "{}" );
	warden_audit_stats_get( a, &st );
	ck_assert_uint_eq( st.as_syslog_dropped, 1 );
	ck_assert_uint_eq( st.as_records, 2 );
	warden_audit_close( a );
	tu_rmtree( dir );
	free( dir );
}
END_TEST


/* --- checkpoints and kept records --------------------------------------- */

START_TEST( checkpoint_written )
{
	char *dir = tu_tmpdir(), path[4096], cp[4096], buf[4096], line[600];
	unsigned char key[WARDEN_AUDIT_HASH_LEN], hash[WARDEN_AUDIT_HASH_LEN];
	struct sockaddr_un sun;
	warden_audit_opts o = { 0 };
	warden_audit_stats st;
	warden_audit *a;
	uint64_t seq = 0;
	int s, i, seen = 0;
	ssize_t n;
	FILE *f;

	memset( key, 7, sizeof( key ) );
	memset( &sun, 0, sizeof( sun ) );
	sun.sun_family = AF_UNIX;
	snprintf( sun.sun_path, sizeof( sun.sun_path ), "%s/log", dir );
	s = socket( AF_UNIX, SOCK_DGRAM, 0 );
	ck_assert_int_eq( bind( s, (struct sockaddr *)&sun, sizeof( sun ) ), 0 );
	o.ao_durable = 1;
	o.ao_syslog_path = sun.sun_path;	/* ao_syslog off: checkpoints only */
	o.ao_checkpoint_key = key;
	o.ao_checkpoint_ms = 100;
	path_in( path, sizeof( path ), dir, "audit.log" );
	path_in( cp, sizeof( cp ), dir, "audit.cp" );
	o.ao_checkpoint_path = cp;
	a = open_ok( path, &o );
	put( a, "{\"n\":1}" );
	put( a, "{\"n\":2}" );
	put( a, "{\"n\":3}" );
	usleep( 400000 );
	ck_assert( ( f = fopen( cp, "r" ) ) != NULL );
	ck_assert_ptr_nonnull( fgets( line, sizeof( line ), f ) );
	fclose( f );
	ck_assert_int_eq( warden_audit_checkpoint_parse(
		(const unsigned char (*)[WARDEN_AUDIT_HASH_LEN])key, 1, line,
		strlen( line ), &seq, hash ), 0 );
	ck_assert_uint_eq( seq, 3 );
	/* the copy in syslog */
	for ( i = 0; i < 5 && !seen; i++ ) {
		n = recv( s, buf, sizeof( buf ) - 1, MSG_DONTWAIT );
		if ( n <= 0 ) break;
		buf[n] = '\0';
		seen = strstr( buf, "\"event.action\":\"audit-checkpoint\","
			"\"warden.seq\":3," ) != NULL;
	}
	ck_assert( seen );
	/* a steady stream: checkpoints follow it, at most every 100 ms */
	for ( i = 0; i < 60; i++ ) {
		put( a, "{}" );
		usleep( 10000 );
	}
	warden_audit_stats_get( a, &st );
	ck_assert_uint_ge( st.as_checkpoints, 3 );
	ck_assert_uint_le( st.as_checkpoints, 12 );
	warden_audit_close( a );
	/* the close leaves the last one */
	ck_assert( ( f = fopen( cp, "r" ) ) != NULL );
	ck_assert_ptr_nonnull( fgets( line, sizeof( line ), f ) );
	fclose( f );
	ck_assert_int_eq( warden_audit_checkpoint_parse(
		(const unsigned char (*)[WARDEN_AUDIT_HASH_LEN])key, 1, line,
		strlen( line ), &seq, hash ), 0 );
	ck_assert_uint_eq( seq, 63 );
	/* another key: the signature does not verify */
	key[0] ^= 1;
	ck_assert_int_eq( warden_audit_checkpoint_parse(
		(const unsigned char (*)[WARDEN_AUDIT_HASH_LEN])key, 1, line,
		strlen( line ), &seq, hash ), -2 );
	ck_assert_int_eq( warden_audit_checkpoint_parse(
		(const unsigned char (*)[WARDEN_AUDIT_HASH_LEN])key, 1, "{}", 2,
		&seq, hash ), -1 );
	/* no key: no checkpoint */
	o.ao_checkpoint_key = NULL;
	ck_assert_int_eq( warden_audit_open( path, &o, &a, msg, sizeof( msg ) ), -1 );
	ck_assert_ptr_nonnull( strstr( msg, "needs a key" ) );
	close( s );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

static void *
kept_run( void *arg )
{
	blocked *b = arg;

	b->b_rc = warden_audit_write_ext( b->b_a, "{\"exempt\":1}", 12,
		WARDEN_AUDIT_KEEP, NULL );
	__atomic_store_n( &b->b_done, 1, __ATOMIC_SEQ_CST );
	return NULL;
}

/* A waited WARDEN_AUDIT_KEEP record under WARDEN_AUDIT_REFUSE (the intent
 * of a replicated or warden's own change): not refused, its caller waits
 * for the file as under WARDEN_AUDIT_BLOCK */
START_TEST( kept_waits_under_refuse )
{
	char *dir = tu_tmpdir(), path[4096];
	const char *files[] = { path, NULL };
	faulty *f = faulty_new();
	warden_audit_opts o = faulty_opts( f, 1, WARDEN_AUDIT_REFUSE );
	blocked b = { 0 };
	pthread_t th;
	warden_audit *a;

	path_in( path, sizeof( path ), dir, "audit.log" );
	a = open_ok( path, &o );
	b.b_a = a;
	put( a, "{\"n\":1}" );
	faulty_set( f, ENOSPC, 0, 0 );
	ck_assert_int_eq( warden_audit_write( a, "{\"n\":2}", 7, NULL ),
		WARDEN_AUDIT_REFUSED );
	pthread_create( &th, NULL, kept_run, &b );
	usleep( 400000 );
	ck_assert_int_eq( __atomic_load_n( &b.b_done, __ATOMIC_SEQ_CST ), 0 );
	faulty_set( f, 0, 0, 0 );
	pthread_join( th, NULL );
	ck_assert_int_eq( b.b_rc, WARDEN_AUDIT_OK );
	warden_audit_close( a );
	ck_assert_uint_eq( verify( files, NULL, 0, 1 ), 2 );
	free( f );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

/* A kept record the writer retries while the disk stays full: a caller
 * that comes after the backoff is refused at the next attempt, not left
 * waiting behind it until the disk has room (it held a modify for ever
 * under warden-audit-overflow refuse) */
START_TEST( refused_behind_kept )
{
	char *dir = tu_tmpdir(), path[4096];
	faulty *f = faulty_new();
	warden_audit_opts o = faulty_opts( f, 1, WARDEN_AUDIT_REFUSE );
	blocked b = { 0 };
	pthread_t th;
	warden_audit *a;
	int i;

	path_in( path, sizeof( path ), dir, "audit.log" );
	a = open_ok( path, &o );
	b.b_a = a;
	put( a, "{\"n\":1}" );
	faulty_set( f, ENOSPC, 0, 0 );
	ck_assert_int_eq( warden_audit_write_ext( a, "{\"kept\":1}", 10,
		WARDEN_AUDIT_NOWAIT | WARDEN_AUDIT_KEEP, NULL ), WARDEN_AUDIT_OK );
	usleep( 300000 );	/* past the first backoffs */
	pthread_create( &th, NULL, blocked_run, &b );
	for ( i = 0; i < 100 && !__atomic_load_n( &b.b_done, __ATOMIC_SEQ_CST ); i++ )
		usleep( 100000 );
	/* refused within the backoff (at most 5 s), the disk still full */
	ck_assert_int_eq( __atomic_load_n( &b.b_done, __ATOMIC_SEQ_CST ), 1 );
	pthread_join( th, NULL );
	ck_assert_int_eq( b.b_rc, WARDEN_AUDIT_REFUSED );
	faulty_set( f, 0, 0, 0 );
	warden_audit_close( a );
	free( f );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

/* WARDEN_AUDIT_KEEP: refused neither by the policy nor a failing file;
 * written once the file takes records again */
START_TEST( kept_under_refuse )
{
	char *dir = tu_tmpdir(), path[4096];
	const char *files[] = { path, NULL };
	faulty *f = faulty_new();
	warden_audit_opts o = faulty_opts( f, 1, WARDEN_AUDIT_REFUSE );
	warden_audit *a;
	int i, rc;

	path_in( path, sizeof( path ), dir, "audit.log" );
	a = open_ok( path, &o );
	put( a, "{\"n\":1}" );
	faulty_set( f, ENOSPC, 0, 0 );
	ck_assert_int_eq( warden_audit_write( a, "{\"n\":2}", 7, NULL ),
		WARDEN_AUDIT_REFUSED );
	ck_assert_int_eq( warden_audit_write_ext( a, "{\"kept\":1}", 10,
		WARDEN_AUDIT_NOWAIT | WARDEN_AUDIT_KEEP, NULL ), WARDEN_AUDIT_OK );
	ck_assert_int_eq( warden_audit_write( a, "{\"n\":3}", 7, NULL ),
		WARDEN_AUDIT_REFUSED );
	usleep( 300000 );
	faulty_set( f, 0, 0, 0 );
	for ( i = 0; i < 100; i++ ) {
		rc = warden_audit_write( a, "{\"n\":4}", 7, NULL );
		if ( rc == WARDEN_AUDIT_OK ) break;
		usleep( 100000 );
	}
	ck_assert_int_eq( rc, WARDEN_AUDIT_OK );
	warden_audit_close( a );
	ck_assert_uint_eq( verify( files, NULL, 0, 1 ), 3 );
	{
		lines l = read_lines( path );

		ck_assert_ptr_nonnull( strstr( l.l[1], "\"kept\":1" ) );
		free_lines( &l );
	}
	free( f );
	tu_rmtree( dir );
	free( dir );
}
END_TEST

Suite *
auditlog_suite( void )
{
	Suite *s = suite_create( "auditlog" );
	TCase *tc = tcase_create( "chain" );
	TCase *tf = tcase_create( "failures" );

	tcase_add_test( tc, chain_basic );
	tcase_add_test( tc, invalid_records );
	tcase_add_test( tc, parse_refuses );
	tcase_add_test( tc, keyed_chain );
	tcase_add_test( tc, hkdf_vector );
	tcase_add_test( tc, reopen_continues );
	tcase_add_test( tc, torn_last_line );
	tcase_add_test( tc, foreign_last_line );
	tcase_add_test( tc, rotation );
	tcase_add_test( tc, explicit_reopen );
	tcase_add_test( tc, restart_after_rotation );
	tcase_add_test( tc, group_commit );
	tcase_add_test( tc, asynchronous );
	tcase_add_test( tc, async_flush );
	tcase_add_test( tc, async_sync_later );
	tcase_add_test( tc, announced_share_syncs );
	tcase_add_test( tc, announced_alone_not_held );
	tcase_add_test( tc, announced_hold_bounded );
	tcase_add_test( tc, syslog_copy );
	tcase_add_test( tc, checkpoint_written );
	suite_add_tcase( s, tc );
	tcase_add_test( tf, refuse_durable );
	tcase_add_test( tf, block_durable );
	tcase_add_test( tf, refuse_async );
	tcase_add_test( tf, close_gives_up );
	tcase_add_test( tf, full_tmpfs );
	tcase_add_test( tf, kept_under_refuse );
	tcase_add_test( tf, refused_behind_kept );
	tcase_add_test( tf, kept_waits_under_refuse );
	tcase_set_timeout( tf, 60 );
	suite_add_tcase( s, tf );
	return s;
}
