/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* secret.c - AES-256-GCM wrapping of OATH secrets */

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "secret.h"
#include "base64.h"

#define SECRET_CTX_MAX		65535
#define SECRET_AAD_LABEL	"WARDEN1"
#define SECRET_AAD_LABEL_LEN	( sizeof( SECRET_AAD_LABEL ) - 1 )
#define SECRET_AAD_MAX		( SECRET_AAD_LABEL_LEN + 1 + WARDEN_KEY_ID_MAX + 4 )
#define SECRET_BLOB_MAX		( WARDEN_SECRET_NONCE_LEN + WARDEN_SECRET_MAX + \
				  WARDEN_SECRET_TAG_LEN )
/* "{WARDEN": what every version of the wrapped form begins with */
#define SECRET_FAMILY_LEN	7

static int
secret_idchar( int c )
{
	return ( c >= '0' && c <= '9' ) || ( c >= 'a' && c <= 'z' ) ||
		( c >= 'A' && c <= 'Z' ) || c == '-' || c == '_' || c == '.';
}

static size_t
secret_aad( const char *id, size_t idlen, size_t ctxlen, unsigned char *aad )
{
	size_t n = 0;

	memcpy( aad, SECRET_AAD_LABEL, SECRET_AAD_LABEL_LEN );
	n += SECRET_AAD_LABEL_LEN;
	aad[n++] = (unsigned char)idlen;
	memcpy( aad + n, id, idlen );
	n += idlen;
	aad[n++] = (unsigned char)( ctxlen >> 24 );
	aad[n++] = (unsigned char)( ctxlen >> 16 );
	aad[n++] = (unsigned char)( ctxlen >> 8 );
	aad[n++] = (unsigned char)ctxlen;
	return n;
}

/* Splits a wrapped value into its key id and base64 text. */
static warden_secret_rc
secret_parse( const char *val, size_t vallen, const char **id, size_t *idlen,
	const char **b64, size_t *b64len, char *msg, size_t len )
{
	const char *p, *end = val + vallen;

	if ( vallen < WARDEN_SECRET_PREFIX_LEN ||
		memcmp( val, WARDEN_SECRET_PREFIX, WARDEN_SECRET_PREFIX_LEN ) ) {
		if ( warden_secret_is_wrapped( val, vallen ) )
			snprintf( msg, len, "corrupt wrapped secret: not of the "
				"%s format (written by a newer warden?)",
				WARDEN_SECRET_PREFIX );
		else
			snprintf( msg, len, "corrupt wrapped secret: no %s prefix",
				WARDEN_SECRET_PREFIX );
		return WARDEN_SECRET_CORRUPT;
	}
	p = val + WARDEN_SECRET_PREFIX_LEN;
	*id = p;
	while ( p < end && secret_idchar( (unsigned char)*p ) ) p++;
	*idlen = p - *id;
	if ( *idlen == 0 || *idlen > WARDEN_KEY_ID_MAX || p == end || *p != '$' ) {
		snprintf( msg, len, "corrupt wrapped secret: no valid key id "
			"before '$'" );
		return WARDEN_SECRET_CORRUPT;
	}
	*b64 = p + 1;
	*b64len = end - *b64;
	return WARDEN_SECRET_OK;
}

static const warden_key *
secret_find_key( const warden_keyring *ring, const char *id, size_t idlen )
{
	int i;

	for ( i = 0; ring && i < ring->wr_count; i++ ) {
		if ( strlen( ring->wr_keys[i].wk_id ) == idlen &&
			!memcmp( ring->wr_keys[i].wk_id, id, idlen ) )
			return &ring->wr_keys[i];
	}
	return NULL;
}

size_t
warden_secret_wrapped_len( size_t idlen, size_t seedlen )
{
	return WARDEN_SECRET_PREFIX_LEN + idlen + 1 + warden_base64_len(
		WARDEN_SECRET_NONCE_LEN + seedlen + WARDEN_SECRET_TAG_LEN );
}

int
warden_secret_is_wrapped( const char *val, size_t vallen )
{
	return vallen >= SECRET_FAMILY_LEN &&
		!memcmp( val, WARDEN_SECRET_PREFIX, SECRET_FAMILY_LEN );
}

/* The blob of a parsed value (nonce, ciphertext, tag), decoded into blob
 * (SECRET_BLOB_MAX bytes).
 * @return its length, or -1 with msg: not base64, too long or too short */
static long
secret_blob( const char *id, size_t idlen, const char *b64, size_t b64len,
	unsigned char *blob, char *msg, size_t len )
{
	long n;

	if ( b64len > warden_base64_len( SECRET_BLOB_MAX ) ||
		( n = warden_base64_decode( b64, b64len, blob, SECRET_BLOB_MAX ) ) < 0 ) {
		snprintf( msg, len, "corrupt wrapped secret under key \"%.*s\": "
			"bad base64 or too long", (int)idlen, id );
		return -1;
	}
	if ( n <= WARDEN_SECRET_NONCE_LEN + WARDEN_SECRET_TAG_LEN ) {
		snprintf( msg, len, "corrupt wrapped secret under key \"%.*s\": "
			"too short", (int)idlen, id );
		return -1;
	}
	return n;
}

warden_secret_rc
warden_secret_seed_len( const char *val, size_t vallen, size_t *seedlen,
	char *msg, size_t len )
{
	unsigned char blob[SECRET_BLOB_MAX];
	const char *id, *b64;
	size_t idlen, b64len;
	warden_secret_rc rc;
	long n;

	*seedlen = 0;
	rc = secret_parse( val, vallen, &id, &idlen, &b64, &b64len, msg, len );
	if ( rc ) return rc;
	if ( ( n = secret_blob( id, idlen, b64, b64len, blob, msg, len ) ) < 0 )
		return WARDEN_SECRET_CORRUPT;
	*seedlen = n - WARDEN_SECRET_NONCE_LEN - WARDEN_SECRET_TAG_LEN;
	return WARDEN_SECRET_OK;
}

warden_secret_rc
warden_secret_key_id( const char *val, size_t vallen, char *id,
	char *msg, size_t len )
{
	const char *i, *b;
	size_t il, bl;
	warden_secret_rc rc;

	rc = secret_parse( val, vallen, &i, &il, &b, &bl, msg, len );
	if ( rc ) return rc;
	memcpy( id, i, il );
	id[il] = '\0';
	return WARDEN_SECRET_OK;
}

warden_secret_rc
warden_secret_wrap( const warden_keyring *ring,
	const unsigned char *seed, size_t seedlen,
	const void *ctx, size_t ctxlen,
	char *out, size_t outsize, size_t *outlen, char *msg, size_t len )
{
	unsigned char blob[SECRET_BLOB_MAX], aad[SECRET_AAD_MAX];
	const warden_key *key;
	EVP_CIPHER_CTX *c = NULL;
	size_t idlen, need, aadlen, n;
	warden_secret_rc rc = WARDEN_SECRET_FAIL;
	int l;

	if ( outlen ) *outlen = 0;
	if ( !ring || ring->wr_count == 0 ) {
		snprintf( msg, len, "no key to wrap the secret with "
			"(warden-key-file is not set or holds no key)" );
		return WARDEN_SECRET_NOKEY;
	}
	key = &ring->wr_keys[0];
	idlen = strlen( key->wk_id );
	if ( seedlen == 0 || seedlen > WARDEN_SECRET_MAX ) {
		snprintf( msg, len, "a secret of %zu bytes cannot be wrapped "
			"(1 to %d)", seedlen, WARDEN_SECRET_MAX );
		return WARDEN_SECRET_FAIL;
	}
	if ( ctxlen > SECRET_CTX_MAX ) {
		snprintf( msg, len, "wrapping context longer than %d bytes",
			SECRET_CTX_MAX );
		return WARDEN_SECRET_FAIL;
	}
	need = warden_secret_wrapped_len( idlen, seedlen ) + 1;
	if ( outsize < need ) {
		snprintf( msg, len, "buffer too small for the wrapped secret "
			"(%zu bytes, %zu needed)", outsize, need );
		return WARDEN_SECRET_FAIL;
	}

	if ( RAND_bytes( blob, WARDEN_SECRET_NONCE_LEN ) != 1 ) {
		snprintf( msg, len, "no random nonce: OpenSSL's RAND_bytes failed" );
		goto done;
	}
	aadlen = secret_aad( key->wk_id, idlen, ctxlen, aad );
	c = EVP_CIPHER_CTX_new();
	if ( !c ||
		EVP_EncryptInit_ex( c, EVP_aes_256_gcm(), NULL, NULL, NULL ) != 1 ||
		EVP_CIPHER_CTX_ctrl( c, EVP_CTRL_GCM_SET_IVLEN,
			WARDEN_SECRET_NONCE_LEN, NULL ) != 1 ||
		EVP_EncryptInit_ex( c, NULL, NULL, key->wk_key, blob ) != 1 ||
		EVP_EncryptUpdate( c, NULL, &l, aad, (int)aadlen ) != 1 ||
		( ctxlen && EVP_EncryptUpdate( c, NULL, &l, ctx, (int)ctxlen ) != 1 ) ||
		EVP_EncryptUpdate( c, blob + WARDEN_SECRET_NONCE_LEN, &l, seed,
			(int)seedlen ) != 1 || (size_t)l != seedlen ||
		EVP_EncryptFinal_ex( c, blob + WARDEN_SECRET_NONCE_LEN + l, &l ) != 1 ||
		EVP_CIPHER_CTX_ctrl( c, EVP_CTRL_GCM_GET_TAG, WARDEN_SECRET_TAG_LEN,
			blob + WARDEN_SECRET_NONCE_LEN + seedlen ) != 1 ) {
		snprintf( msg, len, "OpenSSL failed to encrypt the secret" );
		goto done;
	}

	n = 0;
	memcpy( out, WARDEN_SECRET_PREFIX, WARDEN_SECRET_PREFIX_LEN );
	n += WARDEN_SECRET_PREFIX_LEN;
	memcpy( out + n, key->wk_id, idlen );
	n += idlen;
	out[n++] = '$';
	warden_base64_encode( blob, WARDEN_SECRET_NONCE_LEN + seedlen +
		WARDEN_SECRET_TAG_LEN, out + n );
	n += warden_base64_len( WARDEN_SECRET_NONCE_LEN + seedlen +
		WARDEN_SECRET_TAG_LEN );
	out[n] = '\0';
	if ( outlen ) *outlen = n;
	rc = WARDEN_SECRET_OK;

done:
	/* the ciphertext is no secret, but the context may hold the seed */
	EVP_CIPHER_CTX_free( c );
	OPENSSL_cleanse( blob, sizeof( blob ) );
	return rc;
}

warden_secret_rc
warden_secret_unwrap( const warden_keyring *ring,
	const char *val, size_t vallen, const void *ctx, size_t ctxlen,
	unsigned char *seed, size_t *seedlen, char *msg, size_t len )
{
	unsigned char blob[SECRET_BLOB_MAX], aad[SECRET_AAD_MAX];
	unsigned char tag[WARDEN_SECRET_TAG_LEN];
	const warden_key *key;
	const char *id, *b64;
	size_t idlen, b64len, aadlen, ctlen;
	EVP_CIPHER_CTX *c = NULL;
	warden_secret_rc rc;
	long n;
	int l, fin;

	*seedlen = 0;
	rc = secret_parse( val, vallen, &id, &idlen, &b64, &b64len, msg, len );
	if ( rc ) return rc;
	rc = WARDEN_SECRET_FAIL;
	if ( ctxlen > SECRET_CTX_MAX ) {
		snprintf( msg, len, "wrapping context longer than %d bytes",
			SECRET_CTX_MAX );
		return WARDEN_SECRET_FAIL;
	}
	/* the shape is checked before the key, so that a mangled value is
	 * called corrupt rather than blamed on the key file */
	if ( ( n = secret_blob( id, idlen, b64, b64len, blob, msg, len ) ) < 0 )
		return WARDEN_SECRET_CORRUPT;
	ctlen = n - WARDEN_SECRET_NONCE_LEN - WARDEN_SECRET_TAG_LEN;
	key = secret_find_key( ring, id, idlen );
	if ( !key ) {
		snprintf( msg, len, "the secret is wrapped under key \"%.*s\", "
			"which warden-key-file does not hold", (int)idlen, id );
		return WARDEN_SECRET_NOKEY;
	}

	memcpy( tag, blob + n - WARDEN_SECRET_TAG_LEN, WARDEN_SECRET_TAG_LEN );
	aadlen = secret_aad( id, idlen, ctxlen, aad );
	c = EVP_CIPHER_CTX_new();
	if ( !c ||
		EVP_DecryptInit_ex( c, EVP_aes_256_gcm(), NULL, NULL, NULL ) != 1 ||
		EVP_CIPHER_CTX_ctrl( c, EVP_CTRL_GCM_SET_IVLEN,
			WARDEN_SECRET_NONCE_LEN, NULL ) != 1 ||
		EVP_DecryptInit_ex( c, NULL, NULL, key->wk_key, blob ) != 1 ||
		EVP_DecryptUpdate( c, NULL, &l, aad, (int)aadlen ) != 1 ||
		( ctxlen && EVP_DecryptUpdate( c, NULL, &l, ctx, (int)ctxlen ) != 1 ) ||
		EVP_DecryptUpdate( c, seed, &l, blob + WARDEN_SECRET_NONCE_LEN,
			(int)ctlen ) != 1 || (size_t)l != ctlen ||
		EVP_CIPHER_CTX_ctrl( c, EVP_CTRL_GCM_SET_TAG, WARDEN_SECRET_TAG_LEN,
			tag ) != 1 ) {
		snprintf( msg, len, "OpenSSL failed to decrypt the secret" );
		goto done;
	}
	fin = EVP_DecryptFinal_ex( c, seed + ctlen, &l );
	if ( fin != 1 ) {
		snprintf( msg, len, "the secret wrapped under key \"%.*s\" fails "
			"authentication: the key file holds another key under that "
			"id, or the value was altered or moved from another entry",
			(int)idlen, id );
		rc = WARDEN_SECRET_BADAUTH;
		goto done;
	}
	*seedlen = ctlen;
	rc = WARDEN_SECRET_OK;

done:
	EVP_CIPHER_CTX_free( c );
	OPENSSL_cleanse( blob, sizeof( blob ) );
	if ( rc ) OPENSSL_cleanse( seed, WARDEN_SECRET_MAX );
	return rc;
}
