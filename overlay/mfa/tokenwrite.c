/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* tokenwrite.c - what a write does to one-time code tokens
 *
 * A cleartext oathSecret in an add or modify is checked and wrapped
 * (overlay/lib/secret.h) under the key file's active key, bound to the
 * token entry's entryUUID, before it reaches the database.  A new secret
 * starts its steps anew; a deleted user's state and token entries go.  A
 * step a client writes (a consumer's forward) is taken in the store.
 */

#include <openssl/crypto.h>

#include "warden.h"
#include "mfa.h"
#include "mfaint.h"
#include "clock.h"
#include "secret.h"
#include "otpstate.h"
#include "validate.h"

/* A diagnostic message in op memory (the result is sent before the
 * operation ends). */
static const char *
totp_text( Operation *op, const char *prefix, const char *msg )
{
	size_t lp = strlen( prefix ), lm = strlen( msg );
	char *text = op->o_tmpalloc( lp + lm + 1, op->o_tmpmemctx );

	memcpy( text, prefix, lp );
	memcpy( text + lp, msg, lm + 1 );
	return text;
}

/* Checks the seeds of one oathSecret value list (RFC 4226: 128 bits at
 * least, wrapped or not) and wraps the cleartext ones. */
static int
totp_wrap_values( Operation *op, SlapReply *rs, slap_overinst *on,
	const unsigned char *uuid, BerVarray vals, BerVarray nvals, unsigned n )
{
	warden_info *wi = on->on_bi.bi_private;
	char wrapped[256], msg[SLAP_TEXT_BUFLEN];
	size_t wlen;
	unsigned i;

	for ( i = 0; i < n; i++ ) {
		size_t seedlen = vals[i].bv_len;

		/* A wrapped value written by an administrator (copied from
		 * another server) holds a ciphertext as long as its seed. */
		if ( warden_secret_is_wrapped( vals[i].bv_val, vals[i].bv_len ) &&
			warden_secret_seed_len( vals[i].bv_val, vals[i].bv_len,
				&seedlen, msg, sizeof( msg ) ) != WARDEN_SECRET_OK ) {
			rs->sr_err = LDAP_CONSTRAINT_VIOLATION;
			rs->sr_text = totp_text( op, "oathSecret: ", msg );
			goto fail;
		}
		if ( warden_seed_length_check( seedlen, msg, sizeof( msg ) ) ) {
			rs->sr_err = LDAP_CONSTRAINT_VIOLATION;
			rs->sr_text = totp_text( op, "", msg );
			goto fail;
		}
		if ( warden_secret_is_wrapped( vals[i].bv_val, vals[i].bv_len ) )
			continue;
		if ( !wi->wi_keys ) {
			rs->sr_err = LDAP_UNWILLING_TO_PERFORM;
			rs->sr_text = "warden-key-file is not set: a TOTP secret "
				"would be stored in clear";
			goto fail;
		}
		if ( !uuid ) {
			rs->sr_err = LDAP_UNWILLING_TO_PERFORM;
			rs->sr_text = "the entry has no entryUUID to bind its "
				"TOTP secret to";
			goto fail;
		}
		if ( warden_secret_wrap( wi->wi_keys,
				(const unsigned char *)vals[i].bv_val, vals[i].bv_len,
				uuid, WARDEN_UUID_LEN, wrapped, sizeof( wrapped ),
				&wlen, msg, sizeof( msg ) ) != WARDEN_SECRET_OK ) {
			Debug( LDAP_DEBUG_ANY, "warden: cannot wrap a TOTP secret: "
				"%s\n", msg );
			rs->sr_err = LDAP_CONSTRAINT_VIOLATION;
			rs->sr_text = "the TOTP secret cannot be stored (empty or "
				"longer than 128 bytes?)";
			goto fail;
		}
		OPENSSL_cleanse( vals[i].bv_val, vals[i].bv_len );
		ch_free( vals[i].bv_val );
		ber_str2bv( wrapped, wlen, 1, &vals[i] );
		if ( nvals && nvals != vals ) {
			OPENSSL_cleanse( nvals[i].bv_val, nvals[i].bv_len );
			ch_free( nvals[i].bv_val );
			ber_str2bv( wrapped, wlen, 1, &nvals[i] );
		}
		OPENSSL_cleanse( wrapped, sizeof( wrapped ) );
	}
	return SLAP_CB_CONTINUE;

fail:
	{
		BackendInfo *bi = op->o_bd->bd_info;
		int code = rs->sr_err;

		op->o_bd->bd_info = (BackendInfo *)on->on_info;
		send_ldap_result( op, rs );
		op->o_bd->bd_info = bi;
		rs->sr_text = NULL;
		return code;
	}
}

/* A client's write of a used step (or HOTP counter), as a read-only
 * consumer forwards it (forward.c), takes the step in this server's store
 * too, in the one transaction a bind takes it with: a code used here and
 * forwarded from a consumer at the same moment is accepted once, not by
 * both.  A step this server has seen is refused.  The write is the flushed
 * record of the step where the database flushes (back-mdb's commit comes
 * before the answer the consumer waits for). */
static int
totp_step_written( Operation *op, SlapReply *rs, slap_overinst *on,
	Modifications *m )
{
	warden_info *wi = on->on_bi.bi_private;
	Modifications *d;
	char buf[32], msg[SLAP_TEXT_BUFLEN];
	long long step, drift = 0;
	Entry *e;
	Attribute *a;
	unsigned char uuid[WARDEN_UUID_LEN];
	int have_uuid = 0, rc;

	if ( ( m->sml_op != LDAP_MOD_ADD && m->sml_op != LDAP_MOD_REPLACE ) ||
		m->sml_numvals != 1 || !wi->wi_store ||
		m->sml_values[0].bv_len >= sizeof( buf ) )
		return SLAP_CB_CONTINUE;
	memcpy( buf, m->sml_values[0].bv_val, m->sml_values[0].bv_len );
	buf[m->sml_values[0].bv_len] = '\0';
	step = strtoll( buf, NULL, 10 );
	if ( step < 0 ) return SLAP_CB_CONTINUE;
	for ( d = op->orm_modlist; d; d = d->sml_next ) {
		if ( d->sml_desc == warden_oath.ad_totpDrift &&
			d->sml_numvals == 1 &&
			d->sml_values[0].bv_len < sizeof( buf ) ) {
			memcpy( buf, d->sml_values[0].bv_val,
				d->sml_values[0].bv_len );
			buf[d->sml_values[0].bv_len] = '\0';
			drift = strtoll( buf, NULL, 10 );
		}
	}
	e = warden_entry_get( op, on, &op->o_req_ndn );
	a = e ? attr_find( e->e_attrs, slap_schema.si_ad_entryUUID ) : NULL;
	if ( a && a->a_nvals[0].bv_len == WARDEN_UUID_LEN ) {
		memcpy( uuid, a->a_nvals[0].bv_val, WARDEN_UUID_LEN );
		have_uuid = 1;
	}
	warden_entry_release( op, on, e );
	/* no entry: the backend says so */
	if ( !have_uuid ) return SLAP_CB_CONTINUE;
	/* one flush (totp.c): where the database flushes the write that
	 * follows, the store commits without one (the write failing, the
	 * client is told and no login rests on it) */
	if ( !warden_is_consumer( op ) && !wi->wi_code_provider &&
		warden_state_durable( op, on, &op->o_req_ndn ) )
		rc = warden_otpstate_take( wi->wi_store, uuid, 0, step, drift,
			warden_clock_us(), msg, sizeof( msg ) );
	else
		rc = warden_otpstate_advance( wi->wi_store, uuid, 0, step, drift,
			warden_clock_us(), msg, sizeof( msg ) );
	if ( rc == 0 ) return SLAP_CB_CONTINUE;
	if ( rc < 0 )
		Debug( LDAP_DEBUG_ANY, "warden: cannot take the one-time code "
			"step written to \"%s\": %s\n", op->o_req_dn.bv_val, msg );
	return warden_refuse( op, rs, on, rc < 0 ? LDAP_OTHER :
		LDAP_CONSTRAINT_VIOLATION, rc < 0 ? "the one-time code state "
		"cannot be recorded (see slapd's log)" : "this one-time code "
		"step was used already: a code is good for one login" );
}

int
warden_totp_write( Operation *op, SlapReply *rs, slap_overinst *on,
	int *secret_changed )
{
	unsigned char uuid[WARDEN_UUID_LEN];
	Modifications *m;
	Attribute *a, *u;
	int have_uuid = 0, rc;

	*secret_changed = 0;
	/* a replica keeps what its provider sends */
	if ( warden_is_replicated( op ) ) return SLAP_CB_CONTINUE;
	if ( op->o_tag == LDAP_REQ_ADD ) {
		a = attr_find( op->ora_e->e_attrs, warden_oath.ad_secret );
		if ( !a ) return SLAP_CB_CONTINUE;
		u = attr_find( op->ora_e->e_attrs,
			slap_schema.si_ad_entryUUID );
		if ( !u ) {
			/* The backend gives an entry its entryUUID after the
			 * overlays; the secret must be bound to it now.  The
			 * backend keeps one that is there (as slap_add_opattrs). */
			char uuidbuf[LDAP_LUTIL_UUIDSTR_BUFSIZE];
			struct berval tmp;

			tmp.bv_len = lutil_uuidstr( uuidbuf, sizeof( uuidbuf ) );
			tmp.bv_val = uuidbuf;
			attr_merge_normalize_one( op->ora_e,
				slap_schema.si_ad_entryUUID, &tmp, op->o_tmpmemctx );
			u = attr_find( op->ora_e->e_attrs,
				slap_schema.si_ad_entryUUID );
		}
		if ( u && u->a_nvals[0].bv_len == WARDEN_UUID_LEN ) {
			memcpy( uuid, u->a_nvals[0].bv_val, WARDEN_UUID_LEN );
			have_uuid = 1;
		}
		return totp_wrap_values( op, rs, on, have_uuid ? uuid : NULL,
			a->a_vals, a->a_nvals, a->a_numvals );
	}
	if ( op->o_tag != LDAP_REQ_MODIFY ) return SLAP_CB_CONTINUE;
	for ( m = op->orm_modlist; m; m = m->sml_next ) {
		if ( m->sml_desc == warden_oath.ad_totpLastStep ||
			m->sml_desc == warden_oath.ad_hotpCounter ) {
			rc = totp_step_written( op, rs, on, m );
			if ( rc != SLAP_CB_CONTINUE ) return rc;
		}
		if ( m->sml_desc != warden_oath.ad_secret ) continue;
		*secret_changed = 1;
		if ( m->sml_op != LDAP_MOD_ADD && m->sml_op != LDAP_MOD_REPLACE )
			continue;
		if ( !have_uuid ) {
			Entry *e = warden_entry_get( op, on, &op->o_req_ndn );

			a = e ? attr_find( e->e_attrs, slap_schema.si_ad_entryUUID ) :
				NULL;
			if ( a && a->a_nvals[0].bv_len == WARDEN_UUID_LEN ) {
				memcpy( uuid, a->a_nvals[0].bv_val, WARDEN_UUID_LEN );
				have_uuid = 1;
			}
			warden_entry_release( op, on, e );
		}
		rc = totp_wrap_values( op, rs, on, have_uuid ? uuid : NULL,
			m->sml_values, m->sml_nvalues, m->sml_numvals );
		if ( rc != SLAP_CB_CONTINUE ) return rc;
	}
	return SLAP_CB_CONTINUE;
}

void
warden_totp_forget( slap_overinst *on, const unsigned char *uuid, int purge )
{
	warden_info *wi = on->on_bi.bi_private;
	char msg[SLAP_TEXT_BUFLEN];
	int rc;

	if ( !wi->wi_store ) return;
	if ( purge ) {
		rc = warden_otpstate_purge( wi->wi_store, uuid, msg, sizeof( msg ) );
	} else {
		/* The steps start anew with the new secret; the recovery codes
		 * used stay used (a user entry that is its own token keeps
		 * both in one record). */
		warden_otp_state st;
		unsigned i;

		rc = warden_otpstate_get( wi->wi_store, uuid, 0, &st, msg,
			sizeof( msg ) );
		if ( rc == 0 )
			rc = warden_otpstate_reset( wi->wi_store, uuid, 0, msg,
				sizeof( msg ) );
		for ( i = 0; rc == 0 && i <= WARDEN_OTPSTATE_RECOVERY_MAX; i++ ) {
			if ( st.os_recovery_used & ( 1U << i ) )
				rc = warden_otpstate_use_recovery( wi->wi_store, uuid,
					0, st.os_recovery_set, i, 32, warden_clock_us(),
					NULL, msg, sizeof( msg ) );
		}
		if ( rc == WARDEN_OTPSTATE_NOTFOUND ) rc = 0;
	}
	if ( rc < 0 )
		Debug( LDAP_DEBUG_ANY, "warden: cannot forget one-time code "
			"state: %s\n", msg );
}

BerVarray
warden_totp_tokens_of( Operation *op, slap_overinst *on )
{
	AttributeDescription *ads[2] = { warden_oath.ad_totpToken,
		warden_oath.ad_hotpToken };
	BerVarray tokens = NULL;
	Entry *e = warden_entry_get( op, on, &op->o_req_ndn );
	unsigned i, j;

	for ( i = 0; e && i < 2; i++ ) {
		Attribute *a = attr_find( e->e_attrs, ads[i] );

		for ( j = 0; a && j < a->a_numvals; j++ ) {
			if ( !dn_match( &a->a_nvals[j], &e->e_nname ) )
				ber_bvarray_add_x( &tokens, ber_dupbv_x( NULL,
					&a->a_nvals[j], op->o_tmpmemctx ),
					op->o_tmpmemctx );
		}
	}
	warden_entry_release( op, on, e );
	return tokens;
}

void
warden_totp_delete_tokens( Operation *op, slap_overinst *on, BerVarray tokens )
{
	int i, rc;

	for ( i = 0; tokens && tokens[i].bv_val; i++ ) {
		rc = warden_state_write( op, on, &tokens[i], NULL );
		if ( rc != LDAP_SUCCESS && rc != LDAP_NO_SUCH_OBJECT )
			Debug( LDAP_DEBUG_ANY, "warden: cannot delete the token "
				"entry \"%s\" of a deleted user: result %d\n",
				tokens[i].bv_val, rc );
	}
}

