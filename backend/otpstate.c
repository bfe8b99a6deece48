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

static const char otp_what[] = "one-time code state";

static int
otp_check_idx( unsigned idx, char *msg, size_t len )
{
	if ( idx <= 255 ) return 0;
	snprintf( msg, len, "one-time code state: invalid index %u", idx );
	return -1;
}

/* A record's value (NULL: none) into st.  Returns 0,
 * WARDEN_OTPSTATE_NOTFOUND (st empty) or -1 with msg. */
static int
otp_load( const MDB_val *cur, warden_otp_state *st, char *msg, size_t len )
{
	if ( !cur ) {
		otp_empty( st );
		return WARDEN_OTPSTATE_NOTFOUND;
	}
	if ( otp_decode( cur, st ) ) {
		snprintf( msg, len, "%s", otp_corrupt );
		return -1;
	}
	return 0;
}

static int
otp_view( const MDB_val *cur, void *arg, char *msg, size_t len )
{
	return otp_load( cur, arg, msg, len );
}

static int
otp_read_once( warden_store *store, const unsigned char *uuid, unsigned idx,
	warden_otp_state *st, char *msg, size_t len )
{
	unsigned char kbuf[OTP_KEY_SIZE];
	MDB_val key;
	int rc;

	otp_key( uuid, idx, kbuf, &key );
	rc = warden_store_view( store, warden_store_otp_dbi( store ),
		key.mv_data, key.mv_size, otp_view, st, otp_what, msg, len );
	if ( rc < 0 ) otp_empty( st );
	return rc;
}

/* Whether a change is refused, given the current state. */
typedef int (otp_refuses_fn)( const warden_otp_state *st, const void *arg );
/* Applies the change. */
typedef void (otp_apply_fn)( warden_otp_state *st, const void *arg );

typedef struct otp_change {
	otp_refuses_fn		*oc_refuses;
	otp_apply_fn		*oc_apply;
	const void		*oc_arg;
	warden_otp_state	oc_st;
	unsigned char		oc_buf[OTP_REC_SIZE];
} otp_change;

static int
otp_check_change( const MDB_val *cur, MDB_val *out, void *arg, char *msg,
	size_t len )
{
	otp_change *oc = arg;

	if ( otp_load( cur, &oc->oc_st, msg, len ) < 0 ) return -1;
	if ( oc->oc_refuses( &oc->oc_st, oc->oc_arg ) ) return WARDEN_STORE_KEEP;
	oc->oc_apply( &oc->oc_st, oc->oc_arg );
	otp_encode( &oc->oc_st, oc->oc_buf );
	out->mv_data = oc->oc_buf;
	out->mv_size = sizeof( oc->oc_buf );
	return WARDEN_STORE_PUT;
}

/* The check-and-write the accepting functions share: a read transaction
 * first, so that replays (refused, nothing to write) do not queue on the
 * single writer; then, in one write transaction, the check again (another
 * thread may have won meanwhile) and the write; then, when sync, the
 * flush (shared with concurrent ones, warden_store_flush()): the use is
 * answered only once it is on disk (see Durability in otpstate.h). */
static int
otp_check_and_write( warden_store *store, const unsigned char *uuid,
	unsigned idx, otp_refuses_fn *refuses, otp_apply_fn *apply,
	const void *arg, int sync, warden_otp_state *out, char *msg,
	size_t len )
{
	unsigned char kbuf[OTP_KEY_SIZE];
	MDB_val key;
	otp_change oc;
	int rc;

	oc.oc_refuses = refuses;
	oc.oc_apply = apply;
	oc.oc_arg = arg;
	otp_key( uuid, idx, kbuf, &key );
	rc = warden_store_update( store, warden_store_otp_dbi( store ),
		key.mv_data, key.mv_size,
		WARDEN_STORE_PEEK | ( sync ? WARDEN_STORE_SYNC : 0 ),
		otp_check_change, &oc, otp_what, msg, len );
	if ( rc < 0 ) return -1;
	if ( rc == WARDEN_STORE_KEEP ) return WARDEN_OTPSTATE_USED;
	if ( out ) *out = oc.oc_st;
	return 0;
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

static int
otp_advance( warden_store *store, const unsigned char *uuid,
	unsigned idx, int64_t step, int64_t drift, warden_time now, int sync,
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
		otp_step_apply, &a, sync, NULL, msg, len );
}

int
warden_otpstate_advance( warden_store *store, const unsigned char *uuid,
	unsigned idx, int64_t step, int64_t drift, warden_time now,
	char *msg, size_t len )
{
	return otp_advance( store, uuid, idx, step, drift, now, 1, msg, len );
}

int
warden_otpstate_take( warden_store *store, const unsigned char *uuid,
	unsigned idx, int64_t step, int64_t drift, warden_time now,
	char *msg, size_t len )
{
	return otp_advance( store, uuid, idx, step, drift, now, 0, msg, len );
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
		&a, 1, &st, msg, len );
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
		key.mv_data, key.mv_size, otp_what, msg, len );
}

int
warden_otpstate_purge( warden_store *store, const unsigned char *uuid,
	char *msg, size_t len )
{
	unsigned char kbuf[OTP_KEY_SIZE];
	MDB_val key;
	int n;

	/* deleted without being read: a corrupt record must be purgeable */
	otp_key( uuid, 0, kbuf, &key );
	n = warden_store_purge( store, warden_store_otp_dbi( store ),
		key.mv_data, OTP_KEY_SIZE, WARDEN_UUID_LEN, otp_what, msg, len );
	if ( n < 0 ) return -1;
	return n ? 0 : WARDEN_OTPSTATE_NOTFOUND;
}
