/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* auditchain.c - the audit trail's hash chain
 *
 * Each record ends with its sequence number, the hash of the record before
 * it and its own hash, keyed (auditlog.h): what the writer appends and
 * what wardenctl audit verify reads back.
 */

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "auditfmt.h"

struct warden_audit_hasher {
	EVP_MD		*ah_md;
	EVP_MD_CTX	*ah_mdctx;
	EVP_MAC		*ah_mac;
	EVP_MAC_CTX	*ah_macctx;
};


void
warden_audit_hex( const unsigned char h[WARDEN_AUDIT_HASH_LEN],
	char out[2 * WARDEN_AUDIT_HASH_LEN + 1] )
{
	warden_hex_encode( h, WARDEN_AUDIT_HASH_LEN, out );
	out[HEX_LEN] = '\0';
}

int
warden_audit_parse( const char *line, size_t len, warden_audit_link *l )
{
	const char *p, *end;
	uint64_t seq = 0;
	size_t body;

	/* ...,"warden.seq":N,"warden.prev":"P","warden.hash":"H"} read from
	 * the end */
	if ( len < HASH_TAIL_LEN + 1 + SEQ_MEMBER_LEN + 2 + PREV_MEMBER_LEN +
		HEX_LEN + 1 ) return -1;
	if ( line[len - 1] != '}' || line[len - 2] != '"' ) return -1;
	body = len - HASH_TAIL_LEN;
	if ( memcmp( line + body, HASH_MEMBER, HASH_MEMBER_LEN ) ||
		unhex( line + body + HASH_MEMBER_LEN, l->al_hash ) ) return -1;
	/* "warden.prev":"P" */
	p = line + body - ( PREV_MEMBER_LEN + HEX_LEN + 1 );
	if ( p[PREV_MEMBER_LEN + HEX_LEN] != '"' ||
		memcmp( p, PREV_MEMBER, PREV_MEMBER_LEN ) ||
		unhex( p + PREV_MEMBER_LEN, l->al_prev ) ) return -1;
	if ( *--p != ',' ) return -1;
	/* the digits of N */
	end = p;
	while ( p > line && p[-1] >= '0' && p[-1] <= '9' ) p--;
	if ( p == end || end - p > 20 || ( *p == '0' ) ) return -1;
	if ( (size_t)( p - line ) < SEQ_MEMBER_LEN + 1 ) return -1;
	{
		const char *d;

		for ( d = p; d < end; d++ ) {
			if ( seq > ( UINT64_MAX - ( *d - '0' ) ) / 10 ) return -1;
			seq = seq * 10 + ( *d - '0' );
		}
	}
	p -= SEQ_MEMBER_LEN;
	if ( memcmp( p, SEQ_MEMBER, SEQ_MEMBER_LEN ) ) return -1;
	if ( p[-1] != ',' && !( p[-1] == '{' && p - 1 == line ) ) return -1;
	if ( line[0] != '{' ) return -1;
	l->al_seq = seq;
	l->al_body = body;
	return 0;
}

warden_audit_hasher *
warden_audit_hasher_new( const unsigned char *key, size_t keylen )
{
	warden_audit_hasher *h = calloc( 1, sizeof( *h ) );

	if ( !h ) return NULL;
	if ( !key ) {
		if ( !( h->ah_md = EVP_MD_fetch( NULL, "SHA256", NULL ) ) ||
			!( h->ah_mdctx = EVP_MD_CTX_new() ) ) goto fail;
		return h;
	}
	if ( keylen < 1 || keylen > 64 ) goto fail;
	{
		OSSL_PARAM params[2];

		params[0] = OSSL_PARAM_construct_utf8_string(
			OSSL_MAC_PARAM_DIGEST, "SHA256", 0 );
		params[1] = OSSL_PARAM_construct_end();
		if ( !( h->ah_mac = EVP_MAC_fetch( NULL, "HMAC", NULL ) ) ||
			!( h->ah_macctx = EVP_MAC_CTX_new( h->ah_mac ) ) ||
			!EVP_MAC_init( h->ah_macctx, key, keylen, params ) )
			goto fail;
	}
	return h;

fail:
	warden_audit_hasher_free( h );
	return NULL;
}

int
warden_audit_hasher_digest( warden_audit_hasher *h,
	const unsigned char prev[WARDEN_AUDIT_HASH_LEN],
	const char *line, size_t body, unsigned char out[WARDEN_AUDIT_HASH_LEN] )
{
	size_t n = 0;
	unsigned int un = 0;

	if ( h->ah_macctx ) {
		/* a NULL key starts over with the key already set */
		if ( !EVP_MAC_init( h->ah_macctx, NULL, 0, NULL ) ||
			!EVP_MAC_update( h->ah_macctx, prev, WARDEN_AUDIT_HASH_LEN ) ||
			!EVP_MAC_update( h->ah_macctx, (const unsigned char *)line, body ) ||
			!EVP_MAC_update( h->ah_macctx, (const unsigned char *)"}", 1 ) ||
			!EVP_MAC_final( h->ah_macctx, out, &n, WARDEN_AUDIT_HASH_LEN ) ||
			n != WARDEN_AUDIT_HASH_LEN ) return -1;
		return 0;
	}
	if ( !EVP_DigestInit_ex2( h->ah_mdctx, h->ah_md, NULL ) ||
		!EVP_DigestUpdate( h->ah_mdctx, prev, WARDEN_AUDIT_HASH_LEN ) ||
		!EVP_DigestUpdate( h->ah_mdctx, line, body ) ||
		!EVP_DigestUpdate( h->ah_mdctx, "}", 1 ) ||
		!EVP_DigestFinal_ex( h->ah_mdctx, out, &un ) ||
		un != WARDEN_AUDIT_HASH_LEN ) return -1;
	return 0;
}

void
warden_audit_hasher_free( warden_audit_hasher *h )
{
	if ( !h ) return;
	EVP_MAC_CTX_free( h->ah_macctx );	/* wipes the key */
	EVP_MAC_free( h->ah_mac );
	EVP_MD_CTX_free( h->ah_mdctx );
	EVP_MD_free( h->ah_md );
	free( h );
}

int
warden_audit_derive_key( const unsigned char *master, size_t masterlen,
	const char *label, unsigned char out[WARDEN_AUDIT_HASH_LEN] )
{
	EVP_KDF *kdf = EVP_KDF_fetch( NULL, "HKDF", NULL );
	EVP_KDF_CTX *kctx = kdf ? EVP_KDF_CTX_new( kdf ) : NULL;
	OSSL_PARAM params[4];
	int rc = -1;

	if ( !kctx || !masterlen ) goto done;
	params[0] = OSSL_PARAM_construct_utf8_string( OSSL_KDF_PARAM_DIGEST,
		"SHA256", 0 );
	params[1] = OSSL_PARAM_construct_octet_string( OSSL_KDF_PARAM_KEY,
		(void *)master, masterlen );
	params[2] = OSSL_PARAM_construct_octet_string( OSSL_KDF_PARAM_INFO,
		(void *)label, strlen( label ) );
	params[3] = OSSL_PARAM_construct_end();
	if ( EVP_KDF_derive( kctx, out, WARDEN_AUDIT_HASH_LEN, params ) == 1 )
		rc = 0;

done:
	EVP_KDF_CTX_free( kctx );
	EVP_KDF_free( kdf );
	return rc;
}
