/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* fuzz_wardenctl.c - wardenctl audit's reader (contrib/wardenctl-audit*.c):
 * the whole command (verify, tail, export with filters and pseudonyms) on
 * a file of the input, its JSON reader against a strict one (jansson), the
 * pseudonymized export, and the --since/--until times and --dn filter.
 *
 * The reader's and the export's files are compiled in here, so that their
 * static functions can be called one by one; the command's other files are
 * linked.
 *
 * Input: a selector byte, a line of arguments separated by tabs (@KEY
 * stands for a key file's path), then the file's content. */

#include <getopt.h>

#include <jansson.h>

#include "fuzz.h"
#include "wardenctl-audit-read.c"
#include "wardenctl-audit-export.c"

int wc_audit( int argc, char **argv );

static char keypath[128];
static wa_pseudo pseudo;

int
LLVMFuzzerInitialize( int *argc, char ***argv )
{
	static const char keys[] =
		"k1 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";
	unsigned char k[WARDEN_KEYS_MAX][WARDEN_AUDIT_HASH_LEN];
	OSSL_PARAM params[2];
	EVP_MAC *mac;
	int nk;

	snprintf( keypath, sizeof( keypath ), "%s",
		fuzz_file( "auditkeys", keys, sizeof( keys ) - 1 ) );
	/* the command's output is not looked at; its errors neither */
	if ( !freopen( "/dev/null", "w", stdout ) ) abort();
	if ( wa_load_keys( keypath, WARDEN_AUDIT_LABEL_PSEUDONYM, k, &nk ) ) abort();
	params[0] = OSSL_PARAM_construct_utf8_string( "digest", "SHA256", 0 );
	params[1] = OSSL_PARAM_construct_end();
	if ( !( mac = EVP_MAC_fetch( NULL, "HMAC", NULL ) ) ||
		!( pseudo.p_ctx = EVP_MAC_CTX_new( mac ) ) ||
		!EVP_MAC_init( pseudo.p_ctx, k[0], WARDEN_AUDIT_HASH_LEN, params ) )
		abort();
	EVP_MAC_free( mac );
	warden_buf_init( &pseudo.p_tmp );
	return 0;
}

static json_t *
strict( const char *s, size_t len )
{
	return json_loadb( s, len, JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, NULL );
}

static size_t
nesting( const char *s, size_t len )
{
	size_t i, n = 0;

	for ( i = 0; i < len; i++ ) if ( s[i] == '[' || s[i] == '{' ) n++;
	return n;
}

/* One line: the reader against jansson, and its pseudonymized export. */
static void
check_line( const char *line, size_t len )
{
	/* jansson reads a raw NUL outside strings as the end of its input
	 * (a quirk of its stream), so a line with one is not compared */
	json_t *j = memchr( line, '\0', len ) ? NULL : strict( line, len );
	int ours = wa_js_object( line, len, NULL, NULL );
	wa_xctx x;
	wa_fields f;

	/* a record a strict parser reads, the reader reads */
	if ( j && json_is_object( j ) && nesting( line, len ) < JS_DEPTH )
		FUZZ_ASSERT( ours == 0 );
	wa_fields_init( &f );
	(void)wa_js_object( line, len, fields_member, &f );
	wa_fields_free( &f );
	if ( !ours ) {
		warden_buf_init( &x.x_out );
		x.x_ps = &pseudo;
		x.x_n = 0;
		warden_buf_add( &x.x_out, "{", 1 );
		if ( !wa_js_object( line, len, export_member, &x ) ) {
			warden_buf_adds( &x.x_out, x.x_n ? ",\"warden.pseudonymized\":true}" :
				"\"warden.pseudonymized\":true}" );
			FUZZ_ASSERT( !warden_buf_failed( &x.x_out ) );
			/* a valid record stays one after its identifiers went */
			if ( j && json_is_object( j ) ) {
				json_t *o = strict( x.x_out.wb_data, x.x_out.wb_len );

				if ( !o ) fprintf( stderr, "not JSON: %.*s\n",
					(int)x.x_out.wb_len, x.x_out.wb_data );
				FUZZ_ASSERT( o && json_is_object( o ) );
				json_decref( o );
			}
		}
		warden_buf_free( &x.x_out );
	}
	json_decref( j );
}

static int
digits( const char *s, int n )
{
	int i;

	for ( i = 0; i < n; i++ ) if ( s[i] < '0' || s[i] > '9' ) return 0;
	return 1;
}

/* A filter's arguments: times and DNs. */
static void
check_arg( const char *s )
{
	long long us;
	warden_buf a, b;

	if ( !parse_utc( s, &us ) ) {
		/* YYYY-MM-DD, digits where the form says */
		FUZZ_ASSERT( digits( s, 4 ) && s[4] == '-' && digits( s + 5, 2 ) &&
			s[7] == '-' && digits( s + 8, 2 ) );
		if ( s[10] == 'T' || s[10] == ' ' )
			FUZZ_ASSERT( digits( s + 11, 2 ) && s[13] == ':' &&
				digits( s + 14, 2 ) );
	} else if ( !wa_parse_when( s, &us ) ) {
		/* or an age: digits and one unit */
		size_t n = strlen( s );

		FUZZ_ASSERT( n >= 2 && digits( s, (int)n - 1 ) &&
			strchr( "smhd", s[n - 1] ) );
	}
	warden_buf_init( &a );
	warden_buf_init( &b );
	wa_dn_norm( s, &a );
	FUZZ_ASSERT( !warden_buf_failed( &a ) );
	wa_dn_norm( a.wb_data, &b );
	FUZZ_ASSERT( !strcmp( a.wb_data, b.wb_data ) );
	warden_buf_free( &a );
	warden_buf_free( &b );
}

int
LLVMFuzzerTestOneInput( const uint8_t *data, size_t size )
{
	static const char *const cmds[] = { "verify", "tail", "export" };
	fuzz_in in = { data, size }, args;
	unsigned sel = fuzz_byte( &in );
	const uint8_t *a, *p;
	size_t alen, n;
	char *argbuf, *argv[16];
	int argc = 0;

	alen = fuzz_piece( &in, '\n', &a );
	argbuf = fuzz_dup( a, alen );
	argv[argc++] = "audit";
	argv[argc++] = (char *)cmds[sel % 3];
	args.p = (const uint8_t *)argbuf;
	args.n = alen;
	while ( args.n && argc < 13 ) {
		n = fuzz_piece( &args, '\t', &p );
		( (char *)p )[n] = '\0';	/* the tab, or argbuf's own NUL */
		argv[argc++] = strcmp( (const char *)p, "@KEY" ) ? (char *)p : keypath;
		check_arg( (const char *)p );
	}
	if ( sel & 0x80 ) {
		/* line by line */
		while ( in.n ) {
			char *line;

			n = fuzz_piece( &in, '\n', &p );
			line = fuzz_dup( p, n );
			check_line( line, n );
			free( line );
		}
	} else {
		argv[argc++] = (char *)fuzz_file( "trail", in.p, in.n );
		argv[argc] = NULL;
		/* getopt keeps a pointer into the last argv when it stopped in
		 * a group of short options ("-hn"): wardenctl parses once per
		 * process, this loop many times, so reset getopt whole (glibc:
		 * optind 0) with an argv of its own */
		{
			static char *reset[] = { "reset", NULL };

			optind = 0;
			(void)getopt_long( 1, reset, "", NULL, NULL );
		}
		(void)wc_audit( argc, argv );
	}
	free( argbuf );
	return 0;
}
