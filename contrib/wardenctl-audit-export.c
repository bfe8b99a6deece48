/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* wardenctl-audit-export.c - wardenctl audit tail and export, and the
 * pseudonyms of --pseudonymize (what they replace is in
 * wardenctl-audit.c's comment)
 */

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "keyring.h"
#include "wardenctl-audit.h"

/* --- export and its pseudonyms ----------------------------------------- */

typedef struct wa_pseudo {
	EVP_MAC_CTX	*p_ctx;
	warden_buf	p_tmp;
} wa_pseudo;

static const char *const pseudo_exact[] = {
	"user.name", "user.id", "user.email", "user.full_name", "user.domain",
	"related.user", "related.ip", "ldap.dn", "ldap.new_dn",
	"ldap.new_superior", "ldap.bind_dn", "source.ip", "source.address",
	"source.domain", "client.ip", "client.address", "client.domain", NULL };
static const char *const pseudo_prefix[] = { "user.target.", "user.effective.", NULL };
static const char *const change_values[] = {
	"values", "values_base64", "value", "old_values", "new_values", NULL };

static int
in_list( const char *const *list, const char *s )
{
	for ( ; *list; list++ ) if ( !strcmp( *list, s ) ) return 1;
	return 0;
}

/* Whether a field's values are lower-cased before their pseudonym. */
static int
fold_case( const char *key )
{
	size_t n = strlen( key );

	return !strcmp( key, "user.name" ) || !strncmp( key, "user.target.", 12 ) ||
		!strncmp( key, "user.effective.", 15 ) ||
		( n > 2 && !strcmp( key + n - 2, "dn" ) ) ||
		!strcmp( key, "ldap.new_superior" );
}

static int
pseudo_value( wa_pseudo *ps, const char *v, size_t n, int fold, warden_buf *out )
{
	unsigned char mac[32];
	char hex[65];
	size_t i, ml = 0;

	warden_buf_reset( &ps->p_tmp );
	warden_buf_add( &ps->p_tmp, v, n );
	if ( warden_buf_failed( &ps->p_tmp ) ) return -1;
	if ( fold )
		for ( i = 0; i < n; i++ )
			ps->p_tmp.wb_data[i] = tolower( (unsigned char)ps->p_tmp.wb_data[i] );
	if ( !EVP_MAC_init( ps->p_ctx, NULL, 0, NULL ) ||
		!EVP_MAC_update( ps->p_ctx, (unsigned char *)ps->p_tmp.wb_data, n ) ||
		!EVP_MAC_final( ps->p_ctx, mac, &ml, sizeof( mac ) ) ) return -1;
	warden_audit_hex( mac, hex );
	warden_buf_adds( out, "\"pseudo:" );
	warden_buf_add( out, hex, 32 );
	return warden_buf_add( out, "\"", 1 );
}

enum { PS_ALL, PS_CHANGES };

/* Copies one value to out, replacing what mode says. */
static int
pseudo_copy( wa_pseudo *ps, const char **pp, const char *e, int mode, int fold,
	warden_buf *out, int depth )
{
	warden_buf s;
	const char *start;
	int rc;

	wa_js_ws( pp, e );
	if ( *pp >= e || depth > JS_DEPTH ) return -1;
	start = *pp;
	switch ( **pp ) {
	case '"':
		if ( mode != PS_ALL ) {
			if ( wa_js_str( pp, e, NULL ) ) return -1;
			return warden_buf_add( out, start, *pp - start );
		}
		warden_buf_init( &s );
		rc = wa_js_str( pp, e, &s );
		if ( !rc ) rc = pseudo_value( ps, s.wb_data ? s.wb_data : "", s.wb_len,
			fold, out );
		warden_buf_free( &s );
		return rc;
	case '{': case '[': {
		char close = **pp == '{' ? '}' : ']';
		int obj = close == '}', first = 1;

		warden_buf_add( out, *pp, 1 );
		( *pp )++;
		for ( ;; ) {
			int m = mode;

			wa_js_ws( pp, e );
			if ( *pp < e && **pp == close && first ) break;
			if ( !first ) {
				if ( *pp >= e ) return -1;
				if ( **pp == close ) break;
				if ( **pp != ',' ) return -1;
				( *pp )++;
				warden_buf_add( out, ",", 1 );
				wa_js_ws( pp, e );
			}
			first = 0;
			if ( obj ) {
				const char *k = *pp;

				warden_buf_init( &s );
				if ( wa_js_str( pp, e, &s ) || warden_buf_add( &s, "", 0 ) ) {
					warden_buf_free( &s );
					return -1;
				}
				if ( mode == PS_CHANGES && in_list( change_values, s.wb_data ) )
					m = PS_ALL;
				warden_buf_free( &s );
				warden_buf_add( out, k, *pp - k );
				wa_js_ws( pp, e );
				if ( *pp >= e || **pp != ':' ) return -1;
				( *pp )++;
				warden_buf_add( out, ":", 1 );
			}
			if ( pseudo_copy( ps, pp, e, m, fold, out, depth + 1 ) ) return -1;
		}
		( *pp )++;
		return warden_buf_add( out, &close, 1 );
	}
	default:
		if ( wa_js_skip( pp, e, depth ) ) return -1;
		/* numbers are identifiers too (a uidNumber); true, false and null
		 * are not */
		if ( mode == PS_ALL && ( *start == '-' || isdigit( (unsigned char)*start ) ) )
			return pseudo_value( ps, start, *pp - start, 0, out );
		return warden_buf_add( out, start, *pp - start );
	}
}

typedef struct wa_export {
	wa_pseudo	*x_ps;		/* NULL: no pseudonyms */
	warden_buf	x_out;
	int		x_n;		/* members written */
} wa_xctx;

static int
export_member( void *ctx, const js_member *m )
{
	wa_xctx *x = ctx;
	const char *p = m->m_val;
	int mode = -1;

	if ( !strcmp( m->m_key, "warden.prev" ) || !strcmp( m->m_key, "warden.hash" ) )
		return 0;
	if ( in_list( pseudo_exact, m->m_key ) ) {
		mode = PS_ALL;
	} else if ( !strcmp( m->m_key, "ldap.changes" ) ) {
		mode = PS_CHANGES;
	} else {
		const char *const *pre;

		for ( pre = pseudo_prefix; *pre; pre++ )
			if ( !strncmp( m->m_key, *pre, strlen( *pre ) ) ) mode = PS_ALL;
	}
	if ( x->x_n++ ) warden_buf_add( &x->x_out, ",", 1 );
	warden_buf_add( &x->x_out, m->m_kraw, m->m_kend - m->m_kraw );
	warden_buf_add( &x->x_out, ":", 1 );
	if ( mode < 0 )
		return warden_buf_add( &x->x_out, m->m_val, m->m_vend - m->m_val );
	return pseudo_copy( x->x_ps, &p, m->m_vend, mode, fold_case( m->m_key ),
		&x->x_out, 1 );
}

int
wa_tail( const char *path, wa_opts *o )
{
	char **ring = NULL;
	size_t *lens = NULL;
	long n = o->o_n, head = 0, count = 0, cap = 0, i;
	int rc = 0, r_rc, p;
	wa_fields f;
	wa_reader r;

	if ( n <= 0 ) return 0;
	if ( wa_reader_open( &r, path ) ) return 2;
	wa_fields_init( &f );
	while ( ( r_rc = wa_reader_next( &r ) ) == 1 ) {
		char *copy;

		if ( ( p = wa_line_passes( &r, o, &f ) ) < 0 ) rc = 1;
		if ( p <= 0 ) continue;
		/* the ring grows with the records kept, up to n: a large -n
		 * costs nothing until there are that many records */
		if ( count < n && count == cap ) {
			long ncap = cap ? ( cap > n / 2 ? n : 2 * cap ) : ( n < 64 ? n : 64 );
			char **nr = realloc( ring, ncap * sizeof( *ring ) );
			size_t *nl;

			if ( nr ) ring = nr;
			nl = nr ? realloc( lens, ncap * sizeof( *lens ) ) : NULL;
			if ( !nr || !nl ) {
				fprintf( stderr, "wardenctl: out of memory\n" );
				rc = 2;
				break;
			}
			lens = nl;
			for ( i = cap; i < ncap; i++ ) ring[i] = NULL;
			cap = ncap;
		}
		if ( !( copy = malloc( r.r_len ? r.r_len : 1 ) ) ) {
			fprintf( stderr, "wardenctl: out of memory\n" );
			rc = 2;
			break;
		}
		memcpy( copy, r.r_line, r.r_len );
		free( ring[head] );
		ring[head] = copy;
		lens[head] = r.r_len;
		head = ( head + 1 ) % n;
		count++;
	}
	if ( r_rc < 0 ) rc = r_rc == -2 ? 1 : 2;
	for ( i = 0; i < count && i < n; i++ ) {
		/* the oldest kept is at 0 until the ring went round, then at
		 * head (no sum that overflows for an -n near LONG_MAX) */
		long k = count <= n ? i : i < n - head ? head + i : i - ( n - head );

		fwrite( ring[k], 1, lens[k], stdout );
		fputc( '\n', stdout );
	}
	for ( i = 0; i < cap; i++ ) free( ring[i] );
	free( ring );
	free( lens );
	wa_fields_free( &f );
	wa_reader_close( &r );
	return rc;
}

/* An export under way: the pseudonym key, and the record being written. */
struct wa_export_ctx {
	wa_pseudo	ps;
	EVP_MAC		*mac;
	wa_xctx		x;
	int		pseudo;
};

int
wa_export_begin( wa_opts *o, wa_export_ctx **cp )
{
	unsigned char keys[WARDEN_KEYS_MAX][WARDEN_AUDIT_HASH_LEN];
	wa_export_ctx *c = calloc( 1, sizeof( *c ) );
	int nk;

	*cp = c;
	if ( !c ) {
		fprintf( stderr, "wardenctl: out of memory\n" );
		return 2;
	}
	warden_buf_init( &c->x.x_out );
	warden_buf_init( &c->ps.p_tmp );
	if ( !o->o_pseudo ) return 0;
	c->pseudo = 1;
	c->x.x_ps = &c->ps;
	if ( !o->o_keyfile ) {
		fprintf( stderr, "wardenctl: --pseudonymize needs --key-file\n" );
		return 2;
	}
	if ( wa_load_keys( o->o_keyfile, WARDEN_AUDIT_LABEL_PSEUDONYM, keys, &nk ) )
		return 2;
	{
		OSSL_PARAM params[2];

		params[0] = OSSL_PARAM_construct_utf8_string( "digest", "SHA256", 0 );
		params[1] = OSSL_PARAM_construct_end();
		if ( !( c->mac = EVP_MAC_fetch( NULL, "HMAC", NULL ) ) ||
			!( c->ps.p_ctx = EVP_MAC_CTX_new( c->mac ) ) ||
			!EVP_MAC_init( c->ps.p_ctx, keys[0], WARDEN_AUDIT_HASH_LEN,
				params ) ) {
			OPENSSL_cleanse( keys, sizeof( keys ) );
			fprintf( stderr, "wardenctl: cannot set up HMAC (OpenSSL)\n" );
			return 2;
		}
	}
	OPENSSL_cleanse( keys, sizeof( keys ) );
	return 0;
}

int
wa_export_line( wa_export_ctx *c, wa_reader *r, const char *origin )
{
	warden_buf *out = &c->x.x_out;

	warden_buf_reset( out );
	if ( !c->pseudo && !origin ) {
		fwrite( r->r_line, 1, r->r_len, stdout );
		fputc( '\n', stdout );
		return 0;
	}
	if ( !c->pseudo ) {
		/* the record as it is, with one member more before its end */
		const char *end = r->r_line + r->r_len;

		while ( end > r->r_line && end[-1] != '}' ) end--;
		if ( end == r->r_line ) return 1;
		warden_buf_add( out, r->r_line, end - 1 - r->r_line );
		c->x.x_n = end - 1 - r->r_line > 1;
	} else {
		c->x.x_n = 0;
		warden_buf_add( out, "{", 1 );
		if ( wa_js_object( r->r_line, r->r_len, export_member, &c->x ) ) {
			fprintf( stderr, "wardenctl: %s:%lu: cannot pseudonymize; "
				"skipped\n", r->r_path, r->r_lineno );
			return 1;
		}
		if ( c->x.x_n++ ) warden_buf_add( out, ",", 1 );
		warden_buf_adds( out, "\"warden.pseudonymized\":true" );
		c->x.x_n = 1;
	}
	if ( origin ) {
		warden_buf name;

		/* the name as one JSON string, escaped by the builder */
		warden_buf_init( &name );
		warden_json_str( &name, origin, strlen( origin ) );
		if ( c->x.x_n ) warden_buf_add( out, ",", 1 );
		warden_buf_adds( out, "\"warden.origin\":" );
		if ( warden_buf_failed( &name ) ) out->wb_failed = 1;
		else warden_buf_add( out, name.wb_data, name.wb_len );
		warden_buf_free( &name );
	}
	warden_buf_adds( out, "}\n" );
	if ( warden_buf_failed( out ) ) {
		fprintf( stderr, "wardenctl: out of memory\n" );
		return 2;
	}
	fwrite( out->wb_data, 1, out->wb_len, stdout );
	return 0;
}

int
wa_export_end( wa_export_ctx *c )
{
	int rc = 0;

	if ( c ) {
		warden_buf_free( &c->x.x_out );
		warden_buf_free( &c->ps.p_tmp );
		EVP_MAC_CTX_free( c->ps.p_ctx );
		EVP_MAC_free( c->mac );
		free( c );
	}
	if ( fflush( stdout ) ) {
		fprintf( stderr, "wardenctl: standard output: %s\n", strerror( errno ) );
		rc = 2;
	}
	return rc;
}

int
wa_export( char **files, int nfiles, wa_opts *o )
{
	wa_export_ctx *c;
	wa_fields f;
	wa_reader r;
	int fi, rc, r_rc, p, lrc;

	if ( ( rc = wa_export_begin( o, &c ) ) ) {
		wa_export_end( c );
		return rc;
	}
	wa_fields_init( &f );
	for ( fi = 0; fi < nfiles && rc < 2; fi++ ) {
		if ( wa_reader_open( &r, files[fi] ) ) {
			rc = 2;
			break;
		}
		while ( ( r_rc = wa_reader_next( &r ) ) == 1 ) {
			if ( ( p = wa_line_passes( &r, o, &f ) ) < 0 ) rc = 1;
			if ( p <= 0 ) continue;
			if ( ( lrc = wa_export_line( c, &r, NULL ) ) > rc ) rc = lrc;
			if ( rc == 2 ) break;
		}
		if ( r_rc == -2 && rc < 1 ) rc = 1;
		if ( r_rc == -1 ) rc = 2;
		wa_reader_close( &r );
	}
	wa_fields_free( &f );
	if ( wa_export_end( c ) ) rc = 2;
	return rc;
}
