/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* codestate.c - wrong one-time codes per account, in warden's state store
 *
 * Key: the 16-byte entryUUID and the index byte WARDEN_CODESTATE_IDX, in
 * the "otp" database (otpstate.c's key form).  Value, version 1, every
 * integer little-endian:
 *
 *	offset	size	field
 *	0	1	version, CODE_REC_VERSION
 *	1	3	zero (reserved)
 *	4	4	nfail
 *	8	8	last_fail
 *	16	8	noted
 *
 * 24 bytes: never mistaken for an otpstate.c record (40 bytes), nor one of
 * those for this.  Read back only when version, size and reserved bytes
 * agree exactly.
 */

#include <stdio.h>
#include <string.h>

#include <lmdb.h>

#include "codestate.h"
#include "codec.h"

#define CODE_REC_VERSION	1
#define CODE_REC_SIZE		24
#define CODE_KEY_SIZE		( WARDEN_UUID_LEN + 1 )

warden_time
warden_code_delay( uint32_t nfail, unsigned max_failure, warden_time cap )
{
	warden_time d = WARDEN_CODE_DELAY_BASE;
	uint32_t n;

	if ( !max_failure || nfail < max_failure || cap <= 0 ) return 0;
	/* doubling stops at the cap, so it never overflows */
	for ( n = nfail - max_failure; n > 0 && d < cap; n-- ) {
		if ( d > cap / 2 ) return cap;
		d *= 2;
	}
	return d < cap ? d : cap;
}

warden_time
warden_code_next( const warden_code_state *st, unsigned max_failure,
	warden_time cap )
{
	warden_time d = warden_code_delay( st->cs_nfail, max_failure, cap );

	if ( !d ) return 0;
	return st->cs_last_fail > INT64_MAX - d ? INT64_MAX : st->cs_last_fail + d;
}

static void
code_encode( const warden_code_state *st, unsigned char *buf )
{
	int i;

	buf[0] = CODE_REC_VERSION;
	buf[1] = buf[2] = buf[3] = 0;
	for ( i = 0; i < 4; i++ )
		buf[4 + i] = (unsigned char)( st->cs_nfail >> ( 8 * i ) );
	warden_put64( buf + 8, (uint64_t)st->cs_last_fail );
	warden_put64( buf + 16, (uint64_t)st->cs_noted );
}

static int
code_decode( const MDB_val *data, warden_code_state *st )
{
	const unsigned char *p = data->mv_data;

	memset( st, 0, sizeof( *st ) );
	if ( data->mv_size != CODE_REC_SIZE || p[0] != CODE_REC_VERSION ||
		p[1] || p[2] || p[3] )
		return -1;
	st->cs_nfail = (uint32_t)p[4] | (uint32_t)p[5] << 8 |
		(uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
	st->cs_last_fail = (warden_time)warden_get64( p + 8 );
	st->cs_noted = (warden_time)warden_get64( p + 16 );
	if ( st->cs_last_fail < 0 || st->cs_noted < 0 ) {
		memset( st, 0, sizeof( *st ) );
		return -1;
	}
	return 0;
}

static void
code_key( const unsigned char *uuid, unsigned char *buf, MDB_val *key )
{
	memcpy( buf, uuid, WARDEN_UUID_LEN );
	buf[WARDEN_UUID_LEN] = WARDEN_CODESTATE_IDX;
	key->mv_data = buf;
	key->mv_size = CODE_KEY_SIZE;
}

static const char code_what[] = "wrong-code state";

/* A record's value (NULL: none) into st: 0, WARDEN_CODESTATE_NOTFOUND (st
 * zero) or -1 with msg. */
static int
code_load( const MDB_val *cur, warden_code_state *st, char *msg, size_t len )
{
	memset( st, 0, sizeof( *st ) );
	if ( !cur ) return WARDEN_CODESTATE_NOTFOUND;
	if ( code_decode( cur, st ) ) {
		snprintf( msg, len, "corrupt wrong-code record" );
		return -1;
	}
	return 0;
}

static int
code_view( const MDB_val *cur, void *arg, char *msg, size_t len )
{
	return code_load( cur, arg, msg, len );
}

int
warden_codestate_get( warden_store *store, const unsigned char *uuid,
	warden_code_state *st, char *msg, size_t len )
{
	unsigned char kbuf[CODE_KEY_SIZE];
	MDB_val key;
	int rc;

	code_key( uuid, kbuf, &key );
	rc = warden_store_view( store, warden_store_otp_dbi( store ),
		key.mv_data, key.mv_size, code_view, st, code_what, msg, len );
	if ( rc < 0 ) memset( st, 0, sizeof( *st ) );
	return rc;
}

/* Decides on the current state (found: whether there is a record): 0 to
 * write st as changed, or a positive result to leave the record as it is
 * and return. */
typedef int (code_change_fn)( warden_code_state *st, int found,
	const void *arg );

typedef struct code_change {
	code_change_fn		*cc_change;
	const void		*cc_arg;
	warden_code_state	cc_st;
	int			cc_rc;		/* cc_change's result */
	int			cc_called;
	unsigned char		cc_buf[CODE_REC_SIZE];
} code_change;

static int
code_update_change( const MDB_val *cur, MDB_val *out, void *arg, char *msg,
	size_t len )
{
	code_change *cc = arg;
	int r = code_load( cur, &cc->cc_st, msg, len );

	if ( r < 0 ) return -1;
	cc->cc_called = 1;
	cc->cc_rc = cc->cc_change( &cc->cc_st, r == 0, cc->cc_arg );
	if ( cc->cc_rc ) return WARDEN_STORE_KEEP;
	code_encode( &cc->cc_st, cc->cc_buf );
	out->mv_data = cc->cc_buf;
	out->mv_size = sizeof( cc->cc_buf );
	return WARDEN_STORE_PUT;
}

/* Read, change and write in one write transaction. */
static int
code_update( warden_store *store, const unsigned char *uuid,
	code_change_fn *change, const void *arg, warden_code_state *out,
	char *msg, size_t len )
{
	unsigned char kbuf[CODE_KEY_SIZE];
	MDB_val key;
	code_change cc;
	int rc;

	cc.cc_change = change;
	cc.cc_arg = arg;
	cc.cc_rc = 0;
	cc.cc_called = 0;
	code_key( uuid, kbuf, &key );
	rc = warden_store_update( store, warden_store_otp_dbi( store ),
		key.mv_data, key.mv_size, 0, code_update_change, &cc, code_what,
		msg, len );
	if ( out && cc.cc_called ) *out = cc.cc_st;
	return rc < 0 ? -1 : cc.cc_rc;
}

static void
code_count( warden_code_state *st, warden_time now )
{
	if ( st->cs_nfail < UINT32_MAX ) st->cs_nfail++;
	/* a clock that went back does not shorten the delay */
	if ( now > st->cs_last_fail ) st->cs_last_fail = now;
}

static int
code_fail_change( warden_code_state *st, int found, const void *arg )
{
	(void)found;
	code_count( st, *(const warden_time *)arg );
	return 0;
}

int
warden_codestate_fail( warden_store *store, const unsigned char *uuid,
	warden_time now, warden_code_state *st, char *msg, size_t len )
{
	if ( now <= 0 ) {
		snprintf( msg, len, "wrong-code state: invalid time %lld",
			(long long)now );
		return -1;
	}
	return code_update( store, uuid, code_fail_change, &now, st, msg, len );
}

typedef struct code_claim_arg {
	warden_time	now;
	unsigned	max_failure;
	warden_time	cap;
} code_claim_arg;

static int
code_claim_change( warden_code_state *st, int found, const void *arg )
{
	const code_claim_arg *a = arg;
	warden_time next = warden_code_next( st, a->max_failure, a->cap );

	(void)found;
	if ( next && a->now < next ) return WARDEN_CODESTATE_DELAYED;
	code_count( st, a->now );
	return 0;
}

int
warden_codestate_claim( warden_store *store, const unsigned char *uuid,
	warden_time now, unsigned max_failure, warden_time cap,
	warden_code_state *st, char *msg, size_t len )
{
	code_claim_arg a;

	if ( now <= 0 ) {
		snprintf( msg, len, "wrong-code state: invalid time %lld",
			(long long)now );
		return -1;
	}
	a.now = now;
	a.max_failure = max_failure;
	a.cap = cap;
	return code_update( store, uuid, code_claim_change, &a, st, msg, len );
}

static int
code_note_change( warden_code_state *st, int found, const void *arg )
{
	warden_time last_fail = *(const warden_time *)arg;

	if ( !found ) return WARDEN_CODESTATE_NOTFOUND;
	if ( st->cs_last_fail != last_fail || st->cs_noted == last_fail )
		return WARDEN_CODESTATE_NOTED;
	st->cs_noted = last_fail;
	return 0;
}

int
warden_codestate_note( warden_store *store, const unsigned char *uuid,
	warden_time last_fail, char *msg, size_t len )
{
	return code_update( store, uuid, code_note_change, &last_fail, NULL,
		msg, len );
}

int
warden_codestate_clear( warden_store *store, const unsigned char *uuid,
	char *msg, size_t len )
{
	unsigned char kbuf[CODE_KEY_SIZE];
	MDB_val key;

	code_key( uuid, kbuf, &key );
	/* 1 is WARDEN_CODESTATE_NOTFOUND */
	return warden_store_del( store, warden_store_otp_dbi( store ),
		key.mv_data, key.mv_size, code_what, msg, len );
}
