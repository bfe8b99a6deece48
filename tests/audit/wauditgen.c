/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* wauditgen - writes an audit trail through the real writer
 *
 *	wauditgen [-a] [-p] [-t THREADS] [-k KEYFILE [-c CHECKPOINT]] [-s EPOCH] -n N FILE
 *	wauditgen -b [-n N] DIR
 *
 * The first form appends N made-up records to FILE (overlay/lib/auditlog.h),
 * from THREADS threads (default 1), durable unless -a, keyed with the chain
 * key derived from KEYFILE's active key as slapd would.  Record i (0 .. N-1,
 * numbered in the order they are made, not written) has:
 *	@timestamp	EPOCH (default 1700000000) + i seconds, + i microseconds
 *	event.action	add, modify, delete, bind in turn (i % 4)
 *	event.outcome	failure when i % 7 == 3, else success
 *	user.name	uid=user(i % 5),ou=people,dc=example,dc=test
 *	ldap.dn		uid=user(i % 3),ou=people,dc=example,dc=test
 *	source.ip	192.0.2.(i % 250 + 1), source.port 40000 + i
 *	test.i		i
 * and, for a modify, changes holding a value with a line break, quotes,
 * a control character and invalid UTF-8, and a base64 binary value.
 * The CLI tests (tests/integration/test_wardenctl_audit.py) rely on this.
 * With -p (durable mode), each record is printed as "ack I SEQ" once
 * warden_audit_write() has returned for it, for a test that kills the
 * process and checks that no acknowledged record is missing.
 *
 * The second form is a benchmark of the writer alone: records per second
 * in the durable mode with 1 and 8 threads and in the asynchronous mode,
 * into fresh files in DIR (on the file system to be measured).
 */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auditjson.h"
#include "auditlog.h"
#include "keyring.h"

typedef struct gen {
	warden_audit	*g_a;
	long		g_n;		/* records in all */
	long		g_next;		/* the next i, shared */
	long		g_epoch;
	long		g_failed;
	int		g_print;
} gen;

static void
make_record( warden_buf *b, long i, long epoch )
{
	static const char *const actions[] = { "add", "modify", "delete", "bind" };
	struct timespec ts = { epoch + i, ( i % 1000000 ) * 1000 };
	char s[128];

	warden_buf_reset( b );
	warden_json_begin_object( b );
	warden_json_key( b, "@timestamp" );
	warden_json_time( b, &ts );
	warden_json_key( b, "event.kind" );
	warden_json_cstr( b, "event" );
	warden_json_key( b, "event.action" );
	warden_json_cstr( b, actions[i % 4] );
	warden_json_key( b, "event.outcome" );
	warden_json_cstr( b, i % 7 == 3 ? "failure" : "success" );
	warden_json_key( b, "user.name" );
	snprintf( s, sizeof( s ), "uid=user%ld,ou=people,dc=example,dc=test", i % 5 );
	warden_json_cstr( b, s );
	warden_json_key( b, "ldap.dn" );
	snprintf( s, sizeof( s ), "uid=user%ld,ou=people,dc=example,dc=test", i % 3 );
	warden_json_cstr( b, s );
	warden_json_key( b, "source.ip" );
	snprintf( s, sizeof( s ), "192.0.2.%ld", i % 250 + 1 );
	warden_json_cstr( b, s );
	warden_json_key( b, "source.port" );
	warden_json_int( b, 40000 + i );
	warden_json_key( b, "test.i" );
	warden_json_int( b, i );
	if ( i % 4 == 1 ) {
		static const char odd[] = "line\nbreak \"q\" \\ \x01 \xff\xfe caf\xc3\xa9";
		static const unsigned char photo[] = { 0xff, 0xd8, 0xff, 0xe0, 0, 0x10 };

		warden_json_key( b, "ldap.changes" );
		warden_json_begin_array( b );
		warden_json_begin_object( b );
		warden_json_key( b, "op" );
		warden_json_cstr( b, "replace" );
		warden_json_key( b, "attr" );
		warden_json_cstr( b, "description" );
		warden_json_key( b, "values" );
		warden_json_begin_array( b );
		warden_json_str( b, odd, sizeof( odd ) - 1 );
		warden_json_end_array( b );
		warden_json_end_object( b );
		warden_json_begin_object( b );
		warden_json_key( b, "op" );
		warden_json_cstr( b, "add" );
		warden_json_key( b, "attr" );
		warden_json_cstr( b, "jpegPhoto" );
		warden_json_key( b, "values_base64" );
		warden_json_begin_array( b );
		warden_json_base64( b, photo, sizeof( photo ) );
		warden_json_end_array( b );
		warden_json_end_object( b );
		warden_json_end_array( b );
	}
	warden_json_end_object( b );
}

static void *
gen_run( void *arg )
{
	gen *g = arg;
	warden_buf b;
	uint64_t seq;
	long i;

	warden_buf_init( &b );
	while ( ( i = __atomic_fetch_add( &g->g_next, 1, __ATOMIC_SEQ_CST ) ) < g->g_n ) {
		make_record( &b, i, g->g_epoch );
		if ( warden_buf_failed( &b ) ||
			warden_audit_write( g->g_a, b.wb_data, b.wb_len, &seq ) != WARDEN_AUDIT_OK ) {
			__atomic_fetch_add( &g->g_failed, 1, __ATOMIC_SEQ_CST );
		} else if ( g->g_print ) {
			/* one write(2) per line: nothing buffered when killed */
			char line[64];
			int n = snprintf( line, sizeof( line ), "ack %ld %llu\n", i,
				(unsigned long long)seq );

			if ( write( 1, line, n ) != n ) g->g_failed++;
		}
	}
	warden_buf_free( &b );
	return NULL;
}

static int
run( const char *path, const warden_audit_opts *o, int threads, long n,
	long epoch, int print, double *secs, warden_audit_stats *st )
{
	gen g = { NULL, n, 0, epoch, 0, print };
	pthread_t th[64];
	struct timespec t0, t1;
	char msg[512];
	int t;

	if ( warden_audit_open( path, o, &g.g_a, msg, sizeof( msg ) ) ) {
		fprintf( stderr, "wauditgen: %s\n", msg );
		return -1;
	}
	clock_gettime( CLOCK_MONOTONIC, &t0 );
	for ( t = 0; t < threads; t++ ) pthread_create( &th[t], NULL, gen_run, &g );
	for ( t = 0; t < threads; t++ ) pthread_join( th[t], NULL );
	warden_audit_flush( g.g_a );
	clock_gettime( CLOCK_MONOTONIC, &t1 );
	warden_audit_stats_get( g.g_a, st );
	if ( warden_audit_close( g.g_a ) || g.g_failed ) {
		fprintf( stderr, "wauditgen: %ld records not written\n", g.g_failed );
		return -1;
	}
	*secs = ( t1.tv_sec - t0.tv_sec ) + ( t1.tv_nsec - t0.tv_nsec ) / 1e9;
	return 0;
}

static int
bench( const char *dir, long n )
{
	static const struct { const char *name; int durable, threads; } modes[] = {
		{ "durable, 1 thread", 1, 1 }, { "durable, 8 threads", 1, 8 },
		{ "durable, 32 threads", 1, 32 },
		{ "asynchronous, 1 thread", 0, 1 }, { "asynchronous, 8 threads", 0, 8 } };
	size_t m;

	printf( "%-26s %10s %12s %10s %14s\n", "mode", "records", "records/s",
		"batches", "records/batch" );
	for ( m = 0; m < sizeof( modes ) / sizeof( modes[0] ); m++ ) {
		warden_audit_opts o = { 0 };
		warden_audit_stats st;
		char path[4096];
		double secs;
		long count = modes[m].durable && modes[m].threads == 1 ? n / 10 : n;

		snprintf( path, sizeof( path ), "%s/bench-%zu.log", dir, m );
		unlink( path );
		o.ao_durable = modes[m].durable;
		if ( run( path, &o, modes[m].threads, count, 1700000000, 0, &secs, &st ) )
			return 1;
		printf( "%-26s %10ld %12.0f %10llu %14.1f\n", modes[m].name, count,
			count / secs, (unsigned long long)st.as_batches,
			(double)st.as_records / ( st.as_batches ? st.as_batches : 1 ) );
		unlink( path );
	}
	return 0;
}

int
main( int argc, char **argv )
{
	warden_audit_opts o = { 0 };
	warden_audit_stats st;
	unsigned char key[WARDEN_AUDIT_HASH_LEN], cpkey[WARDEN_AUDIT_HASH_LEN];
	const char *keyfile = NULL;
	long n = -1, epoch = 1700000000;
	int c, threads = 1, bench_mode = 0, print = 0;
	double secs;

	o.ao_durable = 1;
	while ( ( c = getopt( argc, argv, "abpt:k:s:n:c:" ) ) != -1 ) {
		switch ( c ) {
		case 'a': o.ao_durable = 0; break;
		case 'p': print = 1; break;
		case 'b': bench_mode = 1; break;
		case 't': threads = atoi( optarg ); break;
		case 'k': keyfile = optarg; break;
		case 's': epoch = atol( optarg ); break;
		case 'n': n = atol( optarg ); break;
		case 'c': o.ao_checkpoint_path = optarg; break;
		default: goto usage;
		}
	}
	if ( argc - optind != 1 || threads < 1 || threads > 64 ) goto usage;
	if ( bench_mode ) return bench( argv[optind], n > 0 ? n : 20000 );
	if ( n < 0 ) goto usage;
	if ( keyfile ) {
		warden_keyring *ring = NULL;
		char msg[512];

		if ( warden_keyring_load( keyfile, &ring, msg, sizeof( msg ) ) ||
			ring->wr_count < 1 ) {
			fprintf( stderr, "wauditgen: %s\n", msg );
			return 1;
		}
		warden_audit_derive_key( ring->wr_keys[0].wk_key, WARDEN_KEY_LEN,
			WARDEN_AUDIT_LABEL_CHAIN, key );
		warden_audit_derive_key( ring->wr_keys[0].wk_key, WARDEN_KEY_LEN,
			WARDEN_AUDIT_LABEL_CHECKPOINT, cpkey );
		o.ao_checkpoint_key = cpkey;
		warden_keyring_free( ring );
		o.ao_key = key;
		o.ao_keylen = sizeof( key );
	}
	if ( print && !o.ao_durable ) goto usage;
	if ( o.ao_checkpoint_path && !keyfile ) goto usage;
	if ( run( argv[optind], &o, threads, n, epoch, print, &secs, &st ) ) return 1;
	printf( "%ld records, last seq %llu\n", n, (unsigned long long)st.as_seq );
	return 0;

usage:
	fprintf( stderr, "usage: wauditgen [-a] [-p] [-t THREADS] [-k KEYFILE [-c CHECKPOINT]] [-s EPOCH] "
		"-n N FILE\n       wauditgen -b [-n N] DIR\n" );
	return 2;
}
