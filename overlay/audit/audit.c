/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* audit.c - the audit engine: a record for every change and bind outcome
 *
 * Every add, modify, delete, rename and Password Modify on the database,
 * refused or not, warden's own changes (locks, unlocks, rehashes, token
 * steps) and changes a consumer applies from its provider, and every
 * simple bind's outcome with its reason, become one JSON object in the
 * trail (auditlog.h), with Elastic Common Schema names where one fits and
 * LDAP's own under "ldap.".  Values of secret attributes (userPassword,
 * oathSecret, recovery codes, pwdHistory and warden-audit-redact's) are
 * never written, only how many there were.
 *
 * A change is recorded before it is made.  back-mdb commits a write and
 * only then runs the response callbacks, so a record written from there
 * comes after the commit, and one that cannot be written then (a full
 * disk, an I/O error, a record too long) would leave a committed change
 * without a record.  So a change that reaches the database is written
 * ahead: its intent record (everything but the result, "event.outcome"
 * "unknown", "warden.phase":"intent") is on disk (durable mode) or queued
 * (async) before warden passes the change on, and the change is refused
 * with unavailable (52) when the trail cannot take it, whatever
 * warden-audit-overflow says.  After the database answers, its result
 * record ("warden.phase":"result", without the changes) follows, queued
 * and kept until written (WARDEN_AUDIT_KEEP): it can no longer refuse
 * anything.  A change warden refuses itself never reaches the database and
 * has one record, written when it is refused, as before.
 *
 * Records are bounded (AUDIT_*_MAX below): values over 64 KiB, DNs over
 * 1 KiB are written in warden_json_bounded()'s form (length, SHA-256,
 * first bytes), and past 1 MiB of changes every value is, past 2 MiB the
 * rest is summarized; so no directory content makes a record too long to
 * write.  Bind outcomes are queued without waiting: a bind changes
 * nothing, and an fsync per bind would make every login wait on the disk.
 */

#include <sys/time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "warden.h"
#include "audit.h"
#include "sshkey.h"
#include "cidr.h"
#include "auditagg.h"
#include "auditjson.h"
#include "auditlog.h"

static const char *const audit_secret_attrs[] = { "userPassword",
	"oathSecret", "wardenRecoveryCode", "pwdHistory", "oathTokenPIN",
	NULL };

static const struct {
	const char	*oid;
	const char	*name;
} audit_controls[] = {
	{ "1.3.6.1.4.1.4203.666.5.12", "relax" },
	{ "2.16.840.1.113730.3.4.2", "manageDsaIT" },
	{ "2.16.840.1.113730.3.4.18", "proxiedAuthz" },
	{ "1.3.6.1.4.1.42.2.27.8.5.1", "passwordPolicy" },
	{ "1.3.6.1.1.13.1", "preRead" },
	{ "1.3.6.1.1.13.2", "postRead" },
	{ "1.3.6.1.1.12", "assertion" },
	{ "1.2.840.113556.1.4.805", "treeDelete" },
	{ "1.2.840.113556.1.4.417", "showDeleted" },
	{ "1.3.6.1.4.1.4203.1.9.1.1", "syncRequest" },
	{ "1.3.6.1.1.21.2", "transaction" },
	{ "1.3.6.1.4.1.4203.666.11.9.6.2", "dontUseCopy" },
	{ NULL, NULL }
};

/* What one record may hold (README, "Bounded records") */
#define AUDIT_VALUE_MAX		( 64 * 1024 )	/* bytes of one value */
#define AUDIT_DN_MAX		1024		/* bytes of a DN */
#define AUDIT_TEXT_MAX		1024		/* bytes of a message */
#define AUDIT_CHANGES_SOFT	( 1024 * 1024 )	/* then values bounded at... */
#define AUDIT_VALUE_SOFT	128		/* ...this many bytes */
#define AUDIT_CHANGES_HARD	( 2 * 1024 * 1024 ) /* then the rest summed up */
#define AUDIT_CONTROLS_MAX	16

static int
audit_redacted( warden_info *wi, AttributeDescription *ad )
{
	int i;

	for ( i = 0; audit_secret_attrs[i]; i++ ) {
		if ( !strcasecmp( ad->ad_type->sat_cname.bv_val,
				audit_secret_attrs[i] ) )
			return 1;
	}
	for ( i = 0; wi->wi_audit_redact && wi->wi_audit_redact[i].bv_val; i++ ) {
		AttributeDescription *r = NULL;
		const char *text;

		if ( !slap_bv2ad( &wi->wi_audit_redact[i], &r, &text ) &&
			r->ad_type == ad->ad_type )
			return 1;
	}
	return 0;
}

static void
audit_time( warden_buf *b )
{
	struct timeval tv;
	struct timespec ts;

	gettimeofday( &tv, NULL );
	ts.tv_sec = tv.tv_sec;
	ts.tv_nsec = tv.tv_usec * 1000;
	warden_json_key( b, "@timestamp" );
	warden_json_time( b, &ts );
}

/* A DN or other name from the request: bounded */
static void
audit_bv( warden_buf *b, const char *key, struct berval *bv )
{
	warden_json_key( b, key );
	if ( !bv || !bv->bv_val ) warden_json_cstr( b, "" );
	else warden_json_bounded( b, bv->bv_val, bv->bv_len, AUDIT_DN_MAX, 0 );
}

static void
audit_text( warden_buf *b, const char *text )
{
	warden_json_key( b, "ldap.message" );
	warden_json_bounded( b, text, strlen( text ), AUDIT_TEXT_MAX, 0 );
}

/* A DN or RDN: the values of attributes warden rules never (an add or
 * rename that puts one in a name is refused, and its record shows the
 * name redacted). */
static void
audit_dn( warden_buf *b, Operation *op, const char *key, struct berval *dn )
{
	struct berval red;

	if ( dn && warden_dn_redact( dn, &red, op->o_tmpmemctx ) ) {
		audit_bv( b, key, &red );
		op->o_tmpfree( red.bv_val, op->o_tmpmemctx );
		return;
	}
	audit_bv( b, key, dn );
}

/* Where the client is: "IP=192.0.2.7:4711", "IP=[::1]:4711", or ldapi's
 * "PATH=/run/slapd/ldapi". */
static void
audit_source( warden_buf *b, Operation *op )
{
	const char *peer = op->o_conn && op->o_conn->c_peer_name.bv_val ?
		op->o_conn->c_peer_name.bv_val : "";
	char host[64];
	const char *port = NULL;

	if ( !warden_peer_host( peer, host, sizeof( host ), &port ) ) {
		warden_json_key( b, "source.ip" );
		warden_json_cstr( b, host );
		if ( port ) {
			warden_json_key( b, "source.port" );
			warden_json_int( b, atoi( port ) );
		}
	} else if ( *peer ) {
		warden_json_key( b, "source.address" );
		warden_json_cstr( b, peer );
	}
}

static void
audit_controls_used( warden_buf *b, Operation *op )
{
	int i, j, n = 0;

	for ( i = 0; op->o_ctrls && op->o_ctrls[i]; i++ ) {
		const char *name = op->o_ctrls[i]->ldctl_oid;

		for ( j = 0; audit_controls[j].oid; j++ ) {
			if ( !strcmp( audit_controls[j].oid, name ) ) {
				name = audit_controls[j].name;
				break;
			}
		}
		if ( !n++ ) {
			warden_json_key( b, "ldap.controls" );
			warden_json_begin_array( b );
		}
		if ( n <= AUDIT_CONTROLS_MAX )
			warden_json_bounded( b, name, strlen( name ), 256, 0 );
	}
	if ( n ) warden_json_end_array( b );
	if ( n > AUDIT_CONTROLS_MAX ) {
		warden_json_key( b, "ldap.controls_omitted" );
		warden_json_int( b, n - AUDIT_CONTROLS_MAX );
	}
}

/* rc of an intent record: the result is not known yet */
#define AUDIT_RC_UNKNOWN	( -1000 )

/* What every record says: when, what, how it ended, who, from where. */
static void
audit_common( warden_buf *b, Operation *op, const char *action, int rc,
	const char *category )
{
	warden_json_begin_object( b );
	audit_time( b );
	warden_json_key( b, "event.kind" );
	warden_json_cstr( b, "event" );
	warden_json_key( b, "event.category" );
	warden_json_cstr( b, category );
	warden_json_key( b, "event.action" );
	warden_json_cstr( b, action );
	warden_json_key( b, "event.outcome" );
	warden_json_cstr( b, rc == AUDIT_RC_UNKNOWN ? "unknown" :
		rc == LDAP_SUCCESS ? "success" : "failure" );
	if ( rc != AUDIT_RC_UNKNOWN ) {
		warden_json_key( b, "ldap.result" );
		warden_json_int( b, rc );
	}
	warden_json_key( b, "ldap.conn" );
	warden_json_uint( b, op->o_connid );
	warden_json_key( b, "ldap.op" );
	warden_json_int( b, op->o_opid );
	audit_source( b, op );
	if ( op->o_conn ) {
		warden_json_key( b, "tls.ssf" );
		warden_json_uint( b, op->o_conn->c_tls_ssf );
	}
	/* a bind's identity is the one it asks for; not yet the connection's */
	audit_dn( b, op, "user.name", op->o_tag == LDAP_REQ_BIND ?
		&op->o_req_dn : &op->o_dn );
	audit_dn( b, op, "ldap.dn", &op->o_req_dn );
	audit_controls_used( b, op );
}

/* The values past the hard bound, as one element:
 * {"truncated":true,"values":K,"len":L,"sha256":H}, H over each value's
 * length (8 bytes, big-endian) and bytes. */
static void
audit_values_rest( warden_buf *b, BerVarray vals, unsigned n )
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char h[32], lenbe[8];
	unsigned long long total = 0;
	unsigned int hl = 0;
	char hex[65];
	unsigned i, j;
	int ok;

	ok = md && EVP_DigestInit_ex( md, EVP_sha256(), NULL );
	for ( i = 0; ok && i < n; i++ ) {
		for ( j = 0; j < 8; j++ )
			lenbe[j] = (unsigned char)( (unsigned long long)vals[i].bv_len >>
				( 56 - 8 * j ) );
		ok = EVP_DigestUpdate( md, lenbe, 8 ) &&
			EVP_DigestUpdate( md, vals[i].bv_val, vals[i].bv_len );
		total += vals[i].bv_len;
	}
	ok = ok && EVP_DigestFinal_ex( md, h, &hl );
	EVP_MD_CTX_free( md );
	if ( !ok ) {
		b->wb_failed = 1;	/* the record is not written: refused */
		return;
	}
	for ( i = 0; i < 32; i++ ) snprintf( hex + 2 * i, 3, "%02x", h[i] );
	warden_json_begin_object( b );
	warden_json_key( b, "truncated" );
	warden_json_bool( b, 1 );
	warden_json_key( b, "values" );
	warden_json_uint( b, n );
	warden_json_key( b, "len" );
	warden_json_uint( b, total );
	warden_json_key( b, "sha256" );
	warden_json_cstr( b, hex );
	warden_json_end_object( b );
}

/* start: where ldap.changes began, for the record's bounds */
static void
audit_values( warden_buf *b, warden_info *wi, AttributeDescription *ad,
	BerVarray vals, unsigned n, size_t start )
{
	unsigned i;

	if ( audit_redacted( wi, ad ) ) {
		warden_json_key( b, "redacted" );
		warden_json_uint( b, n );
		return;
	}
	/* an SSH key is named by its fingerprint (ssh-keygen -lf), never
	 * whole; a value that is no key by the hash of its bytes */
	if ( !strcasecmp( ad->ad_type->sat_cname.bv_val, "sshPublicKey" ) ) {
		warden_json_key( b, "keys" );
		warden_json_begin_array( b );
		for ( i = 0; vals && i < n; i++ ) {
			warden_sshkey k;
			char why[128];

			if ( !warden_sshkey_parse( vals[i].bv_val, vals[i].bv_len, &k,
					why, sizeof( why ) ) )
				warden_json_cstr( b, k.sk_fingerprint );
			else
				warden_json_cstr( b, "(not a key)" );
		}
		warden_json_end_array( b );
		return;
	}
	warden_json_key( b, "values" );
	warden_json_begin_array( b );
	for ( i = 0; vals && i < n; i++ ) {
		size_t used = b->wb_len - start;

		if ( used > AUDIT_CHANGES_HARD ) {
			audit_values_rest( b, vals + i, n - i );
			break;
		}
		warden_json_bounded( b, vals[i].bv_val, vals[i].bv_len,
			used > AUDIT_CHANGES_SOFT ? AUDIT_VALUE_SOFT : AUDIT_VALUE_MAX, 1 );
	}
	warden_json_end_array( b );
}

/* The changes past the hard bound, as one element */
static void
audit_changes_rest( warden_buf *b, unsigned long changes,
	unsigned long long values )
{
	warden_json_begin_object( b );
	warden_json_key( b, "op" );
	warden_json_cstr( b, "omitted" );
	warden_json_key( b, "truncated" );
	warden_json_bool( b, 1 );
	warden_json_key( b, "changes" );
	warden_json_uint( b, changes );
	warden_json_key( b, "values" );
	warden_json_uint( b, values );
	warden_json_end_object( b );
}

static const char *
audit_mod_op( int op )
{
	switch ( op & LDAP_MOD_OP ) {
	case LDAP_MOD_ADD:	return "add";
	case LDAP_MOD_DELETE:	return "delete";
	case LDAP_MOD_REPLACE:	return "replace";
	case LDAP_MOD_INCREMENT: return "increment";
	case SLAP_MOD_SOFTADD:	return "softadd";
	case SLAP_MOD_SOFTDEL:	return "softdelete";
	case SLAP_MOD_ADD_IF_NOT_PRESENT: return "add-if-absent";
	}
	return "other";
}

/* One element of ldap.changes: what was done to which attribute, its
 * values (audit_values()), and whether warden added the change. */
static void
audit_change( warden_buf *b, warden_info *wi, const char *what,
	AttributeDescription *ad, BerVarray vals, unsigned n, int internal,
	size_t start )
{
	warden_json_begin_object( b );
	warden_json_key( b, "op" );
	warden_json_cstr( b, what );
	warden_json_key( b, "attr" );
	warden_json_bounded( b, ad->ad_cname.bv_val, ad->ad_cname.bv_len,
		AUDIT_DN_MAX, 0 );
	audit_values( b, wi, ad, vals, n, start );
	if ( internal ) {
		warden_json_key( b, "internal" );
		warden_json_bool( b, 1 );
	}
	warden_json_end_object( b );
}

static void
audit_changes( warden_buf *b, Operation *op, warden_info *wi )
{
	Modifications *m;
	Attribute *a;
	size_t start;

	warden_json_key( b, "ldap.changes" );
	warden_json_begin_array( b );
	start = b->wb_len;
	if ( op->o_tag == LDAP_REQ_ADD ) {
		for ( a = op->ora_e->e_attrs; a; a = a->a_next ) {
			if ( b->wb_len - start > AUDIT_CHANGES_HARD ) {
				unsigned long n = 0;
				unsigned long long v = 0;

				for ( ; a; a = a->a_next, n++ ) v += a->a_numvals;
				audit_changes_rest( b, n, v );
				break;
			}
			audit_change( b, wi, "add", a->a_desc, a->a_vals,
				a->a_numvals, 0, start );
		}
	} else {
		for ( m = op->orm_modlist; m; m = m->sml_next ) {
			if ( b->wb_len - start > AUDIT_CHANGES_HARD ) {
				unsigned long n = 0;
				unsigned long long v = 0;

				for ( ; m; m = m->sml_next, n++ ) v += m->sml_numvals;
				audit_changes_rest( b, n, v );
				break;
			}
			audit_change( b, wi, audit_mod_op( m->sml_op ), m->sml_desc,
				m->sml_values, m->sml_numvals,
				m->sml_flags & SLAP_MOD_INTERNAL, start );
		}
	}
	warden_json_end_array( b );
}

/* Hands a record to the trail; logs what it cannot write.  flags:
 * WARDEN_AUDIT_NOWAIT, WARDEN_AUDIT_KEEP.  seqp: the record's sequence
 * number (durable, waited for), or NULL. */
static int
audit_emit( warden_info *wi, warden_buf *b, int flags, int *announced,
	uint64_t *seqp )
{
	warden_audit_rc rc;

	warden_json_end_object( b );
	if ( warden_buf_failed( b ) ) {
		Debug( LDAP_DEBUG_ANY, "warden: an audit record could not be "
			"built (out of memory)\n" );
		if ( announced && *announced ) {
			warden_audit_withdraw( wi->wi_audit );
			*announced = 0;
		}
		return -1;
	}
	if ( announced && *announced ) {
		flags |= WARDEN_AUDIT_ANNOUNCED;
		*announced = 0;
	}
	rc = warden_audit_write_ext( wi->wi_audit, b->wb_data, b->wb_len,
		flags, seqp );
	if ( rc != WARDEN_AUDIT_OK ) {
		Debug( LDAP_DEBUG_ANY, "warden: an audit record was not written "
			"(%s)\n", rc == WARDEN_AUDIT_REFUSED ? "the trail refuses" :
			rc == WARDEN_AUDIT_INVALID ? "invalid record" : "closed" );
		return -1;
	}
	return 0;
}

static void
audit_refuse( Operation *op, SlapReply *rs, slap_overinst *on,
	const char *text )
{
	(void)warden_refuse( op, rs, on, LDAP_UNAVAILABLE, text );
}

int
warden_audit_accepts( Operation *op, SlapReply *rs, slap_overinst *on )
{
	warden_info *wi = on->on_bi.bi_private;

	/* a trail that is configured but could not be opened records
	 * nothing: no change is made without its record */
	if ( !wi->wi_audit && !wi->wi_audit_file ) return SLAP_CB_CONTINUE;
	if ( wi->wi_audit && warden_audit_accepting( wi->wi_audit ) )
		return SLAP_CB_CONTINUE;
	audit_refuse( op, rs, on, "the audit trail cannot be written; "
		"changes are refused until it can" );
	return LDAP_UNAVAILABLE;
}

int
warden_audit_failing_now( slap_overinst *on )
{
	warden_info *wi = on->on_bi.bi_private;

	if ( !wi->wi_audit_file ) return 0;
	return !wi->wi_audit || warden_audit_failing( wi->wi_audit );
}

void
warden_audit_announce_op( slap_overinst *on, int *announced )
{
	warden_info *wi = on->on_bi.bi_private;

	if ( !wi->wi_audit || *announced ) return;
	warden_audit_announce( wi->wi_audit );
	*announced = 1;
}

void
warden_audit_withdraw_op( slap_overinst *on, int *announced )
{
	warden_info *wi = on->on_bi.bi_private;

	if ( !*announced ) return;
	*announced = 0;
	if ( wi->wi_audit ) warden_audit_withdraw( wi->wi_audit );
}

static const char *
audit_action( Operation *op )
{
	switch ( op->o_tag ) {
	case LDAP_REQ_ADD:	return "add";
	case LDAP_REQ_DELETE:	return "delete";
	case LDAP_REQ_MODRDN:	return "modrdn";
	case LDAP_REQ_MODIFY:	return "modify";
	}
	return NULL;
}

/* The record of a change: whole (rc and changes), its intent (changes,
 * rc AUDIT_RC_UNKNOWN) or its result (rc, intent's seq, no changes). */
enum { AUDIT_WHOLE, AUDIT_INTENT, AUDIT_RESULT };

static void
audit_change_record( warden_buf *b, Operation *op, warden_info *wi,
	const char *action, int rc, const char *text, int internal, int phase,
	const warden_audit_mark *m )
{
	warden_buf_reserve( b, 2048 );	/* most records fit: no regrowth */
	audit_common( b, op, action, phase == AUDIT_INTENT ? AUDIT_RC_UNKNOWN :
		rc, "configuration" );
	if ( text && *text && phase != AUDIT_INTENT ) audit_text( b, text );
	if ( internal ) {
		warden_json_key( b, "warden.internal" );
		warden_json_bool( b, 1 );
	}
	if ( warden_is_replicated( op ) ) {
		int rid = warden_replication_rid( op );

		warden_json_key( b, "ldap.replicated" );
		warden_json_bool( b, 1 );
		if ( rid ) {
			warden_json_key( b, "ldap.replication.rid" );
			warden_json_int( b, rid );
		}
	}
	if ( phase != AUDIT_WHOLE ) {
		warden_json_key( b, "warden.phase" );
		warden_json_cstr( b, phase == AUDIT_INTENT ? "intent" : "result" );
	}
	if ( phase == AUDIT_RESULT && m && m->am_seq ) {
		warden_json_key( b, "warden.intent.seq" );
		warden_json_uint( b, m->am_seq );
	}
	if ( phase == AUDIT_RESULT ) return;
	if ( op->o_tag == LDAP_REQ_MODRDN ) {
		audit_dn( b, op, "ldap.new_rdn", &op->orr_newrdn );
		if ( op->orr_newSup ) audit_dn( b, op, "ldap.new_superior",
			op->orr_newSup );
		warden_json_key( b, "ldap.delete_old_rdn" );
		warden_json_bool( b, op->orr_deleteoldrdn );
	} else if ( op->o_tag == LDAP_REQ_ADD || op->o_tag == LDAP_REQ_MODIFY ) {
		audit_changes( b, op, wi );
	}
}

/* Password Modify's front (pwgen.c) lends a mark to the modify slapd's
 * handler makes (the same Operation), on op->o_extra: passwd.c replaces
 * the callback chain for the modify. */
static char audit_lend_key;

void
warden_audit_mark_lend( Operation *op, warden_audit_lend *l )
{
	memset( l, 0, sizeof( *l ) );
	l->al_oe.oe_key = &audit_lend_key;
	LDAP_SLIST_INSERT_HEAD( &op->o_extra, &l->al_oe, oe_next );
}

void
warden_audit_mark_return( Operation *op, warden_audit_lend *l )
{
	OpExtra *oe;

	LDAP_SLIST_FOREACH( oe, &op->o_extra, oe_next ) {
		if ( oe == &l->al_oe ) {
			LDAP_SLIST_REMOVE( &op->o_extra, oe, OpExtra, oe_next );
			break;
		}
	}
}

static warden_audit_mark *
audit_mark_lent( Operation *op )
{
	OpExtra *oe;

	LDAP_SLIST_FOREACH( oe, &op->o_extra, oe_next ) {
		if ( oe->oe_key == &audit_lend_key )
			return &( (warden_audit_lend *)oe )->al_mark;
	}
	return NULL;
}

int
warden_audit_intent( Operation *op, SlapReply *rs, slap_overinst *on,
	int internal, int pwmod, int *announced, warden_audit_mark *m )
{
	warden_info *wi = on->on_bi.bi_private;
	const char *action = pwmod ? "password-modify" : audit_action( op );
	uint64_t seq = 0;
	warden_buf b;
	int rc;

	memset( m, 0, sizeof( *m ) );
	if ( !wi->wi_audit || !action ) {
		/* configured and not open: warden_audit_accepts() refused */
		warden_audit_withdraw_op( on, announced );
		return SLAP_CB_CONTINUE;
	}
	warden_buf_init( &b );
	audit_change_record( &b, op, wi, action, 0, NULL, internal,
		AUDIT_INTENT, NULL );
	/* warden's own changes and replicated ones are exempt from refusals
	 * (syncrepl would retry a refused one for ever): their intent is
	 * never refused by the policy, it waits for the file instead */
	rc = audit_emit( wi, &b, internal || warden_is_replicated( op ) ?
		WARDEN_AUDIT_KEEP : 0, announced, &seq );
	warden_buf_free( &b );
	if ( rc ) {
		audit_refuse( op, rs, on, "the audit trail cannot be written "
			"(see slapd's log), so this change is not made" );
		return LDAP_UNAVAILABLE;
	}
	m->am_written = 1;
	m->am_seq = seq;
	if ( pwmod ) {
		warden_audit_mark *lent = audit_mark_lent( op );

		if ( lent ) *lent = *m;
	}
	return SLAP_CB_CONTINUE;
}

void
warden_audit_change( Operation *op, SlapReply *rs, slap_overinst *on,
	int internal, int *announced, const warden_audit_mark *m )
{
	warden_info *wi = on->on_bi.bi_private;
	const char *action = audit_action( op );
	warden_buf b;

	if ( !wi->wi_audit || !action ) {
		warden_audit_withdraw_op( on, announced );
		return;
	}
	warden_buf_init( &b );
	if ( m && m->am_written ) {
		/* the change went to the database after its intent: its result
		 * can refuse nothing any more and is kept until written */
		audit_change_record( &b, op, wi, action, rs->sr_err, rs->sr_text,
			internal, AUDIT_RESULT, m );
		audit_emit( wi, &b, WARDEN_AUDIT_NOWAIT | WARDEN_AUDIT_KEEP,
			announced, NULL );
	} else {
		/* refused before the database: nothing was changed */
		audit_change_record( &b, op, wi, action, rs->sr_err, rs->sr_text,
			internal, AUDIT_WHOLE, NULL );
		audit_emit( wi, &b, 0, announced, NULL );
	}
	warden_buf_free( &b );
}

int
warden_audit_extended_intent( Operation *op, slap_overinst *on,
	const char *action, int *announced, warden_audit_mark *m )
{
	warden_info *wi = on->on_bi.bi_private;
	uint64_t seq = 0;
	warden_buf b;
	int rc;

	memset( m, 0, sizeof( *m ) );
	if ( !wi->wi_audit ) return wi->wi_audit_file ? -1 : 0;
	warden_buf_init( &b );
	warden_buf_reserve( &b, 2048 );
	audit_common( &b, op, action, AUDIT_RC_UNKNOWN, "configuration" );
	audit_bv( &b, "ldap.oid", &op->ore_reqoid );
	warden_json_key( &b, "warden.phase" );
	warden_json_cstr( &b, "intent" );
	rc = audit_emit( wi, &b, 0, announced, &seq );
	warden_buf_free( &b );
	if ( rc ) return -1;
	m->am_written = 1;
	m->am_seq = seq;
	return 0;
}

void
warden_audit_extended( Operation *op, slap_overinst *on, const char *action,
	int rc, const char *text, int *announced, const warden_audit_mark *m )
{
	warden_info *wi = on->on_bi.bi_private;
	warden_buf b;

	if ( !wi->wi_audit ) return;
	warden_buf_init( &b );
	warden_buf_reserve( &b, 2048 );	/* most records fit: no regrowth */
	audit_common( &b, op, action, rc, "configuration" );
	audit_bv( &b, "ldap.oid", &op->ore_reqoid );
	if ( text && *text ) audit_text( &b, text );
	if ( m && m->am_written ) {
		warden_json_key( &b, "warden.phase" );
		warden_json_cstr( &b, "result" );
		if ( m->am_seq ) {
			warden_json_key( &b, "warden.intent.seq" );
			warden_json_uint( &b, m->am_seq );
		}
		audit_emit( wi, &b, WARDEN_AUDIT_NOWAIT | WARDEN_AUDIT_KEEP,
			announced, NULL );
	} else {
		audit_emit( wi, &b, 0, announced, NULL );
	}
	warden_buf_free( &b );
}

/* --- repeated bind failures (auditagg.h) ------------------------------ */

/* The bursts are the instance's own, under its own mutex: two databases
 * with warden share none of it. */
void
warden_audit_init( warden_info *wi )
{
	ldap_pvt_thread_mutex_init( &wi->wi_audit_agg_mutex );
	wi->wi_audit_agg = warden_auditagg_new( 0 );
}

void
warden_audit_destroy( warden_info *wi )
{
	warden_auditagg_free( wi->wi_audit_agg );
	wi->wi_audit_agg = NULL;
	ldap_pvt_thread_mutex_destroy( &wi->wi_audit_agg_mutex );
}

static void
audit_agg_write( warden_info *wi, warden_auditagg_out *out )
{
	warden_auditagg_out *o;

	for ( o = out; o; o = o->ao_next ) {
		warden_audit_rc rc = wi->wi_audit ? warden_audit_write_ext(
			wi->wi_audit, o->ao_rec, o->ao_len, WARDEN_AUDIT_NOWAIT |
			WARDEN_AUDIT_KEEP, NULL ) : WARDEN_AUDIT_CLOSED;

		if ( rc != WARDEN_AUDIT_OK )
			Debug( LDAP_DEBUG_ANY, "warden: an aggregated audit record "
				"was not written: %s\n", o->ao_rec );
	}
	warden_auditagg_out_free( out );
}

void
warden_audit_aggregate_tick( warden_info *wi, int all )
{
	warden_auditagg_out *out = NULL;
	struct timespec now;

	if ( !wi->wi_audit_agg ) return;
	clock_gettime( CLOCK_REALTIME, &now );
	ldap_pvt_thread_mutex_lock( &wi->wi_audit_agg_mutex );
	warden_auditagg_flush( wi->wi_audit_agg, all ? NULL : &now,
		wi->wi_audit_agg_interval, &out );
	ldap_pvt_thread_mutex_unlock( &wi->wi_audit_agg_mutex );
	audit_agg_write( wi, out );
}

void
warden_audit_aggregate_set( warden_info *wi )
{
	/* bursts of the old interval end now, counted */
	warden_audit_aggregate_tick( wi, 1 );
}

/* A failed bind's burst key: the client's address without the port, the
 * DN (its SHA-256 when long), the reason, the result and the mechanism. */
static void
audit_agg_key( warden_buf *k, Operation *op, int rc, const char *reason,
	const char *mech )
{
	char host[256], num[16];

	warden_client_host( op, host, sizeof( host ) );
	warden_buf_adds( k, host );
	warden_buf_add( k, "", 1 );
	if ( op->o_req_ndn.bv_len > AUDIT_DN_MAX ) {
		unsigned char h[32];
		unsigned int hl = 0;

		if ( EVP_Digest( op->o_req_ndn.bv_val, op->o_req_ndn.bv_len, h, &hl,
				EVP_sha256(), NULL ) ) warden_buf_add( k, h, hl );
		else k->wb_failed = 1;
	} else if ( op->o_req_ndn.bv_val ) {
		warden_buf_add( k, op->o_req_ndn.bv_val, op->o_req_ndn.bv_len );
	}
	warden_buf_add( k, "", 1 );
	warden_buf_adds( k, reason );
	warden_buf_add( k, "", 1 );
	snprintf( num, sizeof( num ), "%d", rc );
	warden_buf_adds( k, num );
	warden_buf_add( k, "", 1 );
	warden_buf_adds( k, mech );
}

void
warden_audit_bind( Operation *op, SlapReply *rs, slap_overinst *on,
	warden_subject *ws )
{
	warden_info *wi = on->on_bi.bi_private;
	const char *mech, *reason = NULL;
	warden_buf b;

	if ( !wi->wi_audit ) return;
	warden_buf_init( &b );
	warden_buf_reserve( &b, 2048 );	/* most records fit: no regrowth */
	audit_common( &b, op, "bind", rs->sr_err, "authentication" );
	warden_json_key( &b, "ldap.bind.method" );
	warden_json_cstr( &b, op->orb_method == LDAP_AUTH_SIMPLE ? "simple" :
		"sasl" );
	/* SASL's mechanism, or the operation that checked a password */
	mech = ws && ws->ws_mech ? ws->ws_mech :
		op->orb_method == LDAP_AUTH_SIMPLE ? "SIMPLE" :
		!BER_BVISNULL( &op->orb_mech ) ? op->orb_mech.bv_val : "SASL";
	warden_json_key( &b, "ldap.bind.mechanism" );
	warden_json_bounded( &b, mech, strlen( mech ), 64, 0 );
	if ( rs->sr_err == LDAP_SUCCESS ) {
		warden_json_key( &b, "ldap.bind.mfa" );
		warden_json_cstr( &b, ws && ws->ws_mfa ? ws->ws_mfa : "none" );
	} else {
		reason = ws && ws->ws_reason ? ws->ws_reason : "invalid credentials";
		warden_json_key( &b, "event.reason" );
		warden_json_cstr( &b, reason );
	}
	if ( reason && wi->wi_audit_agg && wi->wi_audit_agg_interval ) {
		warden_auditagg_out *out = NULL;
		struct timespec now;
		warden_buf k;
		int write = 1;

		/* repeated identical failures: one record per burst and
		 * interval, with their count (auditagg.h) */
		warden_json_end_object( &b );
		warden_buf_init( &k );
		audit_agg_key( &k, op, rs->sr_err, reason, mech );
		clock_gettime( CLOCK_REALTIME, &now );
		if ( !warden_buf_failed( &k ) && !warden_buf_failed( &b ) ) {
			ldap_pvt_thread_mutex_lock( &wi->wi_audit_agg_mutex );
			write = warden_auditagg_note( wi->wi_audit_agg, k.wb_data,
				k.wb_len, b.wb_data, b.wb_len, &now,
				wi->wi_audit_agg_interval, &out );
			ldap_pvt_thread_mutex_unlock( &wi->wi_audit_agg_mutex );
		}
		warden_buf_free( &k );
		audit_agg_write( wi, out );
		if ( write && !warden_buf_failed( &b ) &&
			warden_audit_write_ext( wi->wi_audit, b.wb_data, b.wb_len,
				WARDEN_AUDIT_NOWAIT, NULL ) != WARDEN_AUDIT_OK )
			Debug( LDAP_DEBUG_ANY, "warden: an audit record was not "
				"written (the trail refuses)\n" );
		warden_buf_free( &b );
		return;
	}
	audit_emit( wi, &b, WARDEN_AUDIT_NOWAIT, NULL, NULL );
	warden_buf_free( &b );
}

void
warden_audit_refusal( Operation *op, slap_overinst *on, int rc,
	const char *why )
{
	warden_info *wi = on->on_bi.bi_private;
	warden_buf b;

	if ( !wi->wi_audit ) return;
	warden_buf_init( &b );
	audit_common( &b, op, op->o_tag == LDAP_REQ_SEARCH ? "search" :
		op->o_tag == LDAP_REQ_COMPARE ? "compare" : "extended", rc,
		"session" );
	warden_json_key( &b, "event.reason" );
	warden_json_cstr( &b, why );
	audit_emit( wi, &b, WARDEN_AUDIT_NOWAIT, NULL, NULL );
	warden_buf_free( &b );
}

static void
audit_log_cb( void *arg, const char *msg )
{
	Debug( LDAP_DEBUG_ANY, "warden: audit trail %s: %s\n",
		(const char *)arg, msg );
}

int
warden_audit_start( warden_info *wi, const char *path, warden_audit **out,
	char *msg, size_t len )
{
	warden_audit_opts o;
	unsigned char key[WARDEN_AUDIT_HASH_LEN], cpkey[WARDEN_AUDIT_HASH_LEN];
	int rc = -1;

	memset( &o, 0, sizeof( o ) );
	o.ao_durable = wi->wi_audit_durable;
	o.ao_policy = wi->wi_audit_refuse ? WARDEN_AUDIT_REFUSE :
		WARDEN_AUDIT_BLOCK;
	o.ao_syslog = wi->wi_audit_syslog;
	o.ao_log = audit_log_cb;
	o.ao_log_arg = (void *)path;
	/* The oldest key of the ring: rotating the key file (a new first
	 * line) leaves the chain's key as it was. */
	if ( wi->wi_keys && wi->wi_keys->wr_count ) {
		const warden_key *k = &wi->wi_keys->wr_keys[wi->wi_keys->wr_count - 1];

		if ( warden_audit_derive_key( k->wk_key, WARDEN_KEY_LEN,
				WARDEN_AUDIT_LABEL_CHAIN, key ) ||
			warden_audit_derive_key( k->wk_key, WARDEN_KEY_LEN,
				WARDEN_AUDIT_LABEL_CHECKPOINT, cpkey ) ) {
			snprintf( msg, len, "cannot derive the audit chain's key" );
			goto done;
		}
		o.ao_key = key;
		o.ao_keylen = sizeof( key );
		o.ao_checkpoint_key = cpkey;
	}
	o.ao_checkpoint_path = wi->wi_audit_checkpoint;
	if ( o.ao_checkpoint_path && !o.ao_checkpoint_key ) {
		snprintf( msg, len, "warden-audit-checkpoint needs warden-key-file: "
			"checkpoints are signed with a key derived from it" );
		goto done;
	}
	rc = warden_audit_open( path, &o, out, msg, len );

done:
	/* the derived keys, whatever became of them */
	OPENSSL_cleanse( key, sizeof( key ) );
	OPENSSL_cleanse( cpkey, sizeof( cpkey ) );
	return rc;
}

void
warden_audit_stop( warden_audit *a )
{
	if ( a ) warden_audit_close( a );
}
