/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* otpstate.c - one-time code state in warden's state store
 *
 * A record is stored in the store's "otp" database under the 16-byte
 * entryUUID followed by the 1-byte index (so that all indexes of an entry
 * are adjacent, and a purge is one cursor walk).  Layout, version 1, every
 * integer little-endian:
 *
 *	offset	size	field
 *	0	1	version, OTP_REC_VERSION
 *	1	3	zero (reserved)
 *	4	4	recovery_used (bitmap)
 *	8	8	last (signed; -1 = none)
 *	16	8	drift (signed)
 *	24	8	recovery_set
 *	32	8	last_success
 *
 * Written byte by byte, and read back only when version, size and the
 * reserved bytes agree exactly, as lockstate.c does.
 */

#include <stdio.h>
#include <string.h>

#include <lmdb.h>

#include "otpstate.h"
#include "codec.h"

#define OTP_REC_VERSION	1
#define OTP_REC_SIZE	40
#define OTP_KEY_SIZE	( WARDEN_UUID_LEN + 1 )

static const char otp_corrupt[] = "corrupt one-time code record";

static void
otp_empty( warden_otp_state *st )
{
	memset( st, 0, sizeof( *st ) );
	st->os_last = -1;
}

static void
otp_encode( const warden_otp_state *st, unsigned char *buf )
{
	int i;

	buf[0] = OTP_REC_VERSION;
	buf[1] = buf[2] = buf[3] = 0;
	for ( i = 0; i < 4; i++ )
		buf[4 + i] = (unsigned char)( st->os_recovery_used >> ( 8 * i ) );
	warden_put64( buf + 8, (uint64_t)st->os_last );
	warden_put64( buf + 16, (uint64_t)st->os_drift );
	warden_put64( buf + 24, st->os_recovery_set );
	warden_put64( buf + 32, (uint64_t)st->os_last_success );
}

static int
otp_decode( const MDB_val *data, warden_otp_state *st )
{
	const unsigned char *p = data->mv_data;

	otp_empty( st );
	if ( data->mv_size != OTP_REC_SIZE || p[0] != OTP_REC_VERSION ||
		p[1] || p[2] || p[3] )
		return -1;
	st->os_recovery_used = (uint32_t)p[4] | (uint32_t)p[5] << 8 |
		(uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
	st->os_last = (int64_t)warden_get64( p + 8 );
	st->os_drift = (int64_t)warden_get64( p + 16 );
	st->os_recovery_set = warden_get64( p + 24 );
	st->os_last_success = (warden_time)warden_get64( p + 32 );
	/* a step below -1 was never written by this file */
	if ( st->os_last < -1 ) {
		otp_empty( st );
		return -1;
	}
	return 0;
}

static void
otp_key( const unsigned char *uuid, unsigned idx, unsigned char *buf,
	MDB_val *key )
{
	memcpy( buf, uuid, WARDEN_UUID_LEN );
	buf[WARDEN_UUID_LEN] = (unsigned char)idx;
	key->mv_data = buf;
	key->mv_size = OTP_KEY_SIZE;
}

static void
otp_lmdb_msg( int rc, char *msg, size_t len )
{
	snprintf( msg, len, "one-time code state: %s", mdb_strerror( rc ) );
}

static int
otp_check_idx( unsigned idx, char *msg, size_t len )
{
	if ( idx <= 255 ) return 0;
	snprintf( msg, len, "one-time code state: invalid index %u", idx );
	return -1;
}

/* Reads a record in txn.  Returns 0, WARDEN_OTPSTATE_NOTFOUND (st empty)
 * or -1 with msg. */
static int
otp_read( MDB_txn *txn, MDB_dbi dbi, const unsigned char *uuid, unsigned idx,
	warden_otp_state *st, char *msg, size_t len )
{
	unsigned char kbuf[OTP_KEY_SIZE];
	MDB_val key, data;
	int rc;

	otp_key( uuid, idx, kbuf, &key );
	rc = mdb_get( txn, dbi, &key, &data );
	if ( rc == MDB_NOTFOUND ) {
		otp_empty( st );
		return WARDEN_OTPSTATE_NOTFOUND;
	}
	if ( rc ) {
		otp_empty( st );
		otp_lmdb_msg( rc, msg, len );
		return -1;
	}
	if ( otp_decode( &data, st ) ) {
		snprintf( msg, len, "%s", otp_corrupt );
		return -1;
	}
	return 0;
}

static int
otp_read_once( warden_store *store, const unsigned char *uuid, unsigned idx,
	warden_otp_state *st, char *msg, size_t len )
{
	MDB_txn *txn = NULL;
	int rc;

	rc = mdb_txn_begin( warden_store_env( store ), NULL, MDB_RDONLY, &txn );
	if ( rc ) {
		otp_empty( st );
		otp_lmdb_msg( rc, msg, len );
		return -1;
	}
	rc = otp_read( txn, warden_store_otp_dbi( store ), uuid, idx, st, msg, len );
	mdb_txn_abort( txn );
	return rc;
}

/* Whether a change is refused, given the current state. */
typedef int (otp_refuses_fn)( const warden_otp_state *st, const void *arg );
/* Applies the change. */
typedef void (otp_apply_fn)( warden_otp_state *st, const void *arg );

/* The check-and-write both accepting functions share: a read transaction
 * first, so that replays (refused, nothing to write) do not queue on the
 * single writer; then, in one write transaction, the check again (another
 * thread may have won meanwhile) and the write; then the flush. */
static int
otp_check_and_write( warden_store *store, const unsigned char *uuid,
	unsigned idx, otp_refuses_fn *refuses, otp_apply_fn *apply,
	const void *arg, warden_otp_state *out, char *msg, size_t len )
{
	MDB_dbi dbi = warden_store_otp_dbi( store );
	MDB_env *env = warden_store_env( store );
	unsigned char kbuf[OTP_KEY_SIZE], buf[OTP_REC_SIZE];
	MDB_txn *txn = NULL;
	MDB_val key, data;
	warden_otp_state cur;
	int rc = -1, mrc;

	if ( otp_read_once( store, uuid, idx, &cur, msg, len ) < 0 ) goto done;
	if ( refuses( &cur, arg ) ) {
		rc = WARDEN_OTPSTATE_USED;
		goto done;
	}

	mrc = mdb_txn_begin( env, NULL, 0, &txn );
	if ( mrc ) goto fail;
	if ( otp_read( txn, dbi, uuid, idx, &cur, msg, len ) < 0 ) goto done;
	if ( refuses( &cur, arg ) ) {
		rc = WARDEN_OTPSTATE_USED;
		goto done;
	}
	apply( &cur, arg );
	otp_encode( &cur, buf );
	otp_key( uuid, idx, kbuf, &key );
	data.mv_data = buf;
	data.mv_size = sizeof( buf );
	mrc = mdb_put( txn, dbi, &key, &data, 0 );
	if ( mrc ) goto fail;
	mrc = mdb_txn_commit( txn );
	txn = NULL;
	if ( mrc ) goto fail;

	/* Answer only once the use is on disk: see Durability in otpstate.h */
	mrc = mdb_env_sync( env, 1 );
	if ( mrc ) {
		snprintf( msg, len, "one-time code state: the code was recorded "
			"but could not be flushed to disk: %s", mdb_strerror( mrc ) );
		goto done;
	}
	if ( out ) *out = cur;
	rc = 0;
	goto done;

fail:
	otp_lmdb_msg( mrc, msg, len );
done:
	if ( txn ) mdb_txn_abort( txn );
	return rc;
}

typedef struct otp_step_arg {
	int64_t		step;
	int64_t		drift;
	warden_time	now;
} otp_step_arg;

static int
otp_step_refuses( const warden_otp_state *st, const void *arg )
{
	const otp_step_arg *a = arg;

	return st->os_last >= 0 && a->step <= st->os_last;
}

static void
otp_step_apply( warden_otp_state *st, const void *arg )
{
	const otp_step_arg *a = arg;

	st->os_last = a->step;
	st->os_drift = a->drift;
	st->os_last_success = a->now;
}

typedef struct otp_rc_arg {
	uint64_t	set;
	uint32_t	bit;
	warden_time	now;
} otp_rc_arg;

static int
otp_rc_refuses( const warden_otp_state *st, const void *arg )
{
	const otp_rc_arg *a = arg;

	return st->os_recovery_set == a->set && ( st->os_recovery_used & a->bit );
}

static void
otp_rc_apply( warden_otp_state *st, const void *arg )
{
	const otp_rc_arg *a = arg;

	if ( st->os_recovery_set != a->set ) {
		st->os_recovery_set = a->set;
		st->os_recovery_used = 0;
	}
	st->os_recovery_used |= a->bit;
	st->os_last_success = a->now;
}

int
warden_otpstate_get( warden_store *store, const unsigned char *uuid,
	unsigned idx, warden_otp_state *st, char *msg, size_t len )
{
	if ( otp_check_idx( idx, msg, len ) ) {
		otp_empty( st );
		return -1;
	}
	return otp_read_once( store, uuid, idx, st, msg, len );
}

int
warden_otpstate_advance( warden_store *store, const unsigned char *uuid,
	unsigned idx, int64_t step, int64_t drift, warden_time now,
	char *msg, size_t len )
{
	otp_step_arg a;

	if ( otp_check_idx( idx, msg, len ) ) return -1;
	if ( step < 0 || now <= 0 ) {
		snprintf( msg, len, "one-time code state: invalid step %lld or "
			"time %lld", (long long)step, (long long)now );
		return -1;
	}
	a.step = step;
	a.drift = drift;
	a.now = now;
	return otp_check_and_write( store, uuid, idx, otp_step_refuses,
		otp_step_apply, &a, NULL, msg, len );
}

int
warden_otpstate_use_recovery( warden_store *store,
	const unsigned char *uuid, unsigned idx, uint64_t set_id,
	unsigned code_index, unsigned set_size, warden_time now,
	unsigned *remaining, char *msg, size_t len )
{
	warden_otp_state st;
	otp_rc_arg a;
	uint32_t mask;
	unsigned i, n;
	int rc;

	if ( remaining ) *remaining = 0;
	if ( otp_check_idx( idx, msg, len ) ) return -1;
	if ( code_index > WARDEN_OTPSTATE_RECOVERY_MAX || set_size == 0 ||
		set_size > WARDEN_OTPSTATE_RECOVERY_MAX + 1 || now <= 0 ) {
		snprintf( msg, len, "one-time code state: invalid recovery code "
			"%u of %u or time %lld", code_index, set_size, (long long)now );
		return -1;
	}
	a.set = set_id;
	a.bit = (uint32_t)1 << code_index;
	a.now = now;
	rc = otp_check_and_write( store, uuid, idx, otp_rc_refuses, otp_rc_apply,
		&a, &st, msg, len );
	if ( rc == 0 && remaining ) {
		mask = set_size == 32 ? UINT32_MAX : ( (uint32_t)1 << set_size ) - 1;
		for ( i = n = 0; i < set_size; i++ )
			n += !( st.os_recovery_used & mask & ( (uint32_t)1 << i ) );
		*remaining = n;
	}
	return rc;
}

int
warden_otpstate_reset( warden_store *store, const unsigned char *uuid,
	unsigned idx, char *msg, size_t len )
{
	unsigned char kbuf[OTP_KEY_SIZE];
	MDB_val key;

	if ( otp_check_idx( idx, msg, len ) ) return -1;
	otp_key( uuid, idx, kbuf, &key );
	/* 1 is WARDEN_OTPSTATE_NOTFOUND */
	return warden_store_del( store, warden_store_otp_dbi( store ),
		key.mv_data, key.mv_size, "one-time code state", msg, len );
}

int
warden_otpstate_purge( warden_store *store, const unsigned char *uuid,
	char *msg, size_t len )
{
	unsigned char kbuf[OTP_KEY_SIZE];
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val key, data;
	int rc = -1, mrc, n = 0;

	/* deleted without being read: a corrupt record must be purgeable */
	mrc = mdb_txn_begin( warden_store_env( store ), NULL, 0, &txn );
	if ( mrc ) goto fail;
	mrc = mdb_cursor_open( txn, warden_store_otp_dbi( store ), &cur );
	if ( mrc ) goto fail;
	/* seek again after each delete rather than rely on where a delete
	 * leaves the cursor; an entry has at most 256 records */
	for ( ;; ) {
		otp_key( uuid, 0, kbuf, &key );
		mrc = mdb_cursor_get( cur, &key, &data, MDB_SET_RANGE );
		if ( mrc == MDB_NOTFOUND ) break;
		if ( mrc ) goto fail;
		if ( key.mv_size != OTP_KEY_SIZE ||
			memcmp( key.mv_data, uuid, WARDEN_UUID_LEN ) ) break;
		mrc = mdb_cursor_del( cur, 0 );
		if ( mrc ) goto fail;
		n++;
	}
	mdb_cursor_close( cur );
	cur = NULL;
	if ( !n ) {
		rc = WARDEN_OTPSTATE_NOTFOUND;
		goto done;
	}
	mrc = mdb_txn_commit( txn );
	txn = NULL;
	if ( mrc ) goto fail;
	rc = 0;
	goto done;

fail:
	otp_lmdb_msg( mrc, msg, len );
done:
	if ( cur ) mdb_cursor_close( cur );
	if ( txn ) mdb_txn_abort( txn );
	return rc;
}
