/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* auditcheckpoint.c - the audit trail's signed checkpoints
 *
 * A checkpoint names a sequence number and its hash, under an HMAC of a
 * key of its own (auditlog.h), so that a trail cut short after it shows.
 */

#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "auditfmt.h"
#include "auditjson.h"

#define CP_HEAD		"{\"@timestamp\":\""
#define CP_ACTION	"\",\"event.action\":\"audit-checkpoint\",\"warden.seq\":"
#define CP_HASH		",\"warden.hash\":\""
#define CP_MAC		",\"warden.mac\":\""
#define CP_MAC_LEN	( sizeof( CP_MAC ) - 1 )
/* ,"warden.mac":"<64 hex>"} */
#define CP_TAIL_LEN	( CP_MAC_LEN + HEX_LEN + 2 )

static int
cp_mac( const unsigned char *key, const char *body, size_t n,
	unsigned char out[WARDEN_AUDIT_HASH_LEN] )
{
	EVP_MAC *mac = EVP_MAC_fetch( NULL, "HMAC", NULL );
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new( mac ) : NULL;
	OSSL_PARAM params[2];
	size_t outl = 0;
	int rc = -1;

	params[0] = OSSL_PARAM_construct_utf8_string( OSSL_MAC_PARAM_DIGEST,
		"SHA256", 0 );
	params[1] = OSSL_PARAM_construct_end();
	if ( ctx && EVP_MAC_init( ctx, key, WARDEN_AUDIT_HASH_LEN, params ) &&
		EVP_MAC_update( ctx, (const unsigned char *)body, n ) &&
		EVP_MAC_update( ctx, (const unsigned char *)"}", 1 ) &&
		EVP_MAC_final( ctx, out, &outl, WARDEN_AUDIT_HASH_LEN ) &&
		outl == WARDEN_AUDIT_HASH_LEN )
		rc = 0;
	EVP_MAC_CTX_free( ctx );
	EVP_MAC_free( mac );
	return rc;
}

int
warden_audit_checkpoint_format( const unsigned char key[WARDEN_AUDIT_HASH_LEN],
	uint64_t seq, const unsigned char hash[WARDEN_AUDIT_HASH_LEN],
	const struct timespec *ts, char *out, size_t outlen )
{
	unsigned char m[WARDEN_AUDIT_HASH_LEN];
	char hex[HEX_LEN + 1], mhex[HEX_LEN + 1];
	warden_buf b;
	int n;

	warden_buf_init( &b );
	warden_json_begin_array( &b );	/* the time's form, without a key */
	warden_json_time( &b, ts );
	warden_audit_hex( hash, hex );
	if ( warden_buf_failed( &b ) || b.wb_len < 3 ) {
		warden_buf_free( &b );
		return -1;
	}
	/* b holds ["T": the time is b[2 .. len-1) */
	n = snprintf( out, outlen, CP_HEAD "%.*s" CP_ACTION "%llu" CP_HASH "%s\"",
		(int)( b.wb_len - 3 ), b.wb_data + 2, (unsigned long long)seq, hex );
	warden_buf_free( &b );
	if ( n < 0 || (size_t)n + CP_TAIL_LEN + 2 > outlen ) return -1;
	if ( cp_mac( key, out, n, m ) ) return -1;
	warden_audit_hex( m, mhex );
	n += snprintf( out + n, outlen - n, CP_MAC "%s\"}\n", mhex );
	return n;
}

int
warden_audit_checkpoint_parse( const unsigned char (*keys)[WARDEN_AUDIT_HASH_LEN],
	int nkeys, const char *line, size_t len, uint64_t *seqp,
	unsigned char hash[WARDEN_AUDIT_HASH_LEN] )
{
	unsigned char want[WARDEN_AUDIT_HASH_LEN], m[WARDEN_AUDIT_HASH_LEN];
	const char *p, *end, *d;
	uint64_t seq = 0;
	size_t body;
	int i;

	if ( len && line[len - 1] == '\n' ) len--;
	if ( len < CP_TAIL_LEN + sizeof( CP_HEAD ) + sizeof( CP_ACTION ) +
		sizeof( CP_HASH ) + HEX_LEN || len >= WARDEN_AUDIT_CHECKPOINT_MAX ||
		memchr( line, '\n', len ) ) return -1;
	if ( memcmp( line, CP_HEAD, sizeof( CP_HEAD ) - 1 ) ||
		line[len - 1] != '}' || line[len - 2] != '"' ) return -1;
	body = len - CP_TAIL_LEN;
	if ( memcmp( line + body, CP_MAC, CP_MAC_LEN ) ||
		unhex( line + body + CP_MAC_LEN, want ) ) return -1;
	/* ...,"warden.seq":N,"warden.hash":"H" */
	p = line + body - ( HEX_LEN + 1 );
	if ( p[HEX_LEN] != '"' || unhex( p, hash ) ) return -1;
	p -= sizeof( CP_HASH ) - 1;
	if ( memcmp( p, CP_HASH, sizeof( CP_HASH ) - 1 ) ) return -1;
	end = p;
	while ( p > line && p[-1] >= '0' && p[-1] <= '9' ) p--;
	if ( p == end || end - p > 20 || ( *p == '0' && end - p > 1 ) ) return -1;
	for ( d = p; d < end; d++ ) {
		if ( seq > ( UINT64_MAX - ( *d - '0' ) ) / 10 ) return -1;
		seq = seq * 10 + ( *d - '0' );
	}
	if ( (size_t)( p - line ) < sizeof( CP_ACTION ) - 1 ||
		memcmp( p - ( sizeof( CP_ACTION ) - 1 ), CP_ACTION,
			sizeof( CP_ACTION ) - 1 ) ) return -1;
	for ( i = 0; i < nkeys; i++ ) {
		if ( cp_mac( keys[i], line, body, m ) ) return -1;
		if ( !CRYPTO_memcmp( m, want, sizeof( m ) ) ) {
			*seqp = seq;
			return 0;
		}
	}
	return -2;
}
