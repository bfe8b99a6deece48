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
 * A change's record is on disk before its result is sent (durable mode):
 * the record is written from the response callback, which slapd runs
 * before it answers.  Bind outcomes are queued without waiting: a bind
 * changes nothing, and an fsync per bind would make every login wait on
 * the disk.  When the trail refuses (warden-audit-overflow refuse and a
 * failing file), changes are refused before they are made.
 */

#include <sys/time.h>

#include <openssl/crypto.h>

#include "warden.h"
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

static void
audit_bv( warden_buf *b, const char *key, struct berval *bv )
{
	warden_json_key( b, key );
	if ( !bv || !bv->bv_val ) warden_json_cstr( b, "" );
	else warden_json_str( b, bv->bv_val, bv->bv_len );
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

	if ( !strncmp( peer, "IP=", 3 ) ) {
		const char *p = peer + 3, *end;

		if ( *p == '[' ) {
			end = strchr( p, ']' );
			if ( end && end[1] == ':' ) port = end + 2;
			p++;
		} else {
			end = strrchr( p, ':' );
			if ( end ) port = end + 1;
		}
		snprintf( host, sizeof( host ), "%.*s",
			end ? (int)( end - p ) : (int)strlen( p ), p );
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
		warden_json_cstr( b, name );
	}
	if ( n ) warden_json_end_array( b );
}

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
	warden_json_cstr( b, rc == LDAP_SUCCESS ? "success" : "failure" );
	warden_json_key( b, "ldap.result" );
	warden_json_int( b, rc );
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

static void
audit_values( warden_buf *b, warden_info *wi, AttributeDescription *ad,
	BerVarray vals, unsigned n )
{
	unsigned i;

	if ( audit_redacted( wi, ad ) ) {
		warden_json_key( b, "redacted" );
		warden_json_uint( b, n );
		return;
	}
	warden_json_key( b, "values" );
	warden_json_begin_array( b );
	for ( i = 0; vals && i < n; i++ ) {
		if ( warden_utf8_valid( vals[i].bv_val, vals[i].bv_len ) ) {
			warden_json_str( b, vals[i].bv_val, vals[i].bv_len );
		} else {
			warden_json_begin_object( b );
			warden_json_key( b, "base64" );
			warden_json_base64( b, vals[i].bv_val, vals[i].bv_len );
			warden_json_end_object( b );
		}
	}
	warden_json_end_array( b );
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

static void
audit_changes( warden_buf *b, Operation *op, warden_info *wi )
{
	Modifications *m;
	Attribute *a;

	warden_json_key( b, "ldap.changes" );
	warden_json_begin_array( b );
	if ( op->o_tag == LDAP_REQ_ADD ) {
		for ( a = op->ora_e->e_attrs; a; a = a->a_next ) {
			warden_json_begin_object( b );
			warden_json_key( b, "op" );
			warden_json_cstr( b, "add" );
			warden_json_key( b, "attr" );
			warden_json_str( b, a->a_desc->ad_cname.bv_val,
				a->a_desc->ad_cname.bv_len );
			audit_values( b, wi, a->a_desc, a->a_vals, a->a_numvals );
			warden_json_end_object( b );
		}
	} else {
		for ( m = op->orm_modlist; m; m = m->sml_next ) {
			warden_json_begin_object( b );
			warden_json_key( b, "op" );
			warden_json_cstr( b, audit_mod_op( m->sml_op ) );
			warden_json_key( b, "attr" );
			warden_json_str( b, m->sml_desc->ad_cname.bv_val,
				m->sml_desc->ad_cname.bv_len );
			audit_values( b, wi, m->sml_desc, m->sml_values,
				m->sml_numvals );
			if ( m->sml_flags & SLAP_MOD_INTERNAL ) {
				warden_json_key( b, "internal" );
				warden_json_bool( b, 1 );
			}
			warden_json_end_object( b );
		}
	}
	warden_json_end_array( b );
}

/* Hands a record to the trail; logs what it cannot write. */
static int
audit_emit( warden_info *wi, warden_buf *b, int wait, int *announced )
{
	warden_audit_rc rc;
	int flags = wait ? 0 : WARDEN_AUDIT_NOWAIT;

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
		flags, NULL );
	if ( rc != WARDEN_AUDIT_OK ) {
		Debug( LDAP_DEBUG_ANY, "warden: an audit record was not written "
			"(%s)\n", rc == WARDEN_AUDIT_REFUSED ? "the trail refuses" :
			rc == WARDEN_AUDIT_INVALID ? "invalid record" : "closed" );
		return -1;
	}
	return 0;
}

int
warden_audit_accepts( Operation *op, SlapReply *rs, slap_overinst *on )
{
	warden_info *wi = on->on_bi.bi_private;
	BackendInfo *bi = op->o_bd->bd_info;

	if ( !wi->wi_audit || warden_audit_accepting( wi->wi_audit ) )
		return SLAP_CB_CONTINUE;
	op->o_bd->bd_info = (BackendInfo *)on->on_info;
	send_ldap_error( op, rs, LDAP_UNAVAILABLE, "the audit trail cannot be "
		"written; changes are refused until it can" );
	op->o_bd->bd_info = bi;
	rs->sr_text = NULL;
	return LDAP_UNAVAILABLE;
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

void
warden_audit_change( Operation *op, SlapReply *rs, slap_overinst *on,
	int internal, int *announced )
{
	warden_info *wi = on->on_bi.bi_private;
	const char *action;
	warden_buf b;

	if ( !wi->wi_audit ) return;
	switch ( op->o_tag ) {
	case LDAP_REQ_ADD:	action = "add"; break;
	case LDAP_REQ_DELETE:	action = "delete"; break;
	case LDAP_REQ_MODRDN:	action = "modrdn"; break;
	case LDAP_REQ_MODIFY:	action = "modify"; break;
	default:
		warden_audit_withdraw_op( on, announced );
		return;
	}
	warden_buf_init( &b );
	warden_buf_reserve( &b, 2048 );	/* most records fit: no regrowth */
	audit_common( &b, op, action, rs->sr_err, "configuration" );
	if ( rs->sr_text && *rs->sr_text ) {
		warden_json_key( &b, "ldap.message" );
		warden_json_cstr( &b, rs->sr_text );
	}
	if ( internal ) {
		warden_json_key( &b, "warden.internal" );
		warden_json_bool( &b, 1 );
	}
	if ( warden_is_replicated( op ) ) {
		int rid = warden_replication_rid( op );

		warden_json_key( &b, "ldap.replicated" );
		warden_json_bool( &b, 1 );
		if ( rid ) {
			warden_json_key( &b, "ldap.replication.rid" );
			warden_json_int( &b, rid );
		}
	}
	if ( op->o_tag == LDAP_REQ_MODRDN ) {
		audit_dn( &b, op, "ldap.new_rdn", &op->orr_newrdn );
		if ( op->orr_newSup ) audit_dn( &b, op, "ldap.new_superior",
			op->orr_newSup );
		warden_json_key( &b, "ldap.delete_old_rdn" );
		warden_json_bool( &b, op->orr_deleteoldrdn );
	} else if ( op->o_tag != LDAP_REQ_DELETE ) {
		audit_changes( &b, op, wi );
	}
	audit_emit( wi, &b, 1, announced );
	warden_buf_free( &b );
}

void
warden_audit_extended( Operation *op, slap_overinst *on, const char *action,
	int rc, const char *text, int *announced )
{
	warden_info *wi = on->on_bi.bi_private;
	warden_buf b;

	if ( !wi->wi_audit ) return;
	warden_buf_init( &b );
	warden_buf_reserve( &b, 2048 );	/* most records fit: no regrowth */
	audit_common( &b, op, action, rc, "configuration" );
	audit_bv( &b, "ldap.oid", &op->ore_reqoid );
	if ( text && *text ) {
		warden_json_key( &b, "ldap.message" );
		warden_json_cstr( &b, text );
	}
	audit_emit( wi, &b, 1, announced );
	warden_buf_free( &b );
}

void
warden_audit_bind( Operation *op, SlapReply *rs, slap_overinst *on,
	warden_subject *ws )
{
	warden_info *wi = on->on_bi.bi_private;
	warden_buf b;

	if ( !wi->wi_audit ) return;
	warden_buf_init( &b );
	warden_buf_reserve( &b, 2048 );	/* most records fit: no regrowth */
	audit_common( &b, op, "bind", rs->sr_err, "authentication" );
	warden_json_key( &b, "ldap.bind.method" );
	warden_json_cstr( &b, op->orb_method == LDAP_AUTH_SIMPLE ? "simple" :
		"sasl" );
	/* SASL's mechanism, or the operation that checked a password */
	warden_json_key( &b, "ldap.bind.mechanism" );
	warden_json_cstr( &b, ws && ws->ws_mech ? ws->ws_mech :
		op->orb_method == LDAP_AUTH_SIMPLE ? "SIMPLE" :
		!BER_BVISNULL( &op->orb_mech ) ? op->orb_mech.bv_val : "SASL" );
	if ( rs->sr_err == LDAP_SUCCESS ) {
		warden_json_key( &b, "ldap.bind.mfa" );
		warden_json_cstr( &b, ws && ws->ws_mfa ? ws->ws_mfa : "none" );
	} else {
		warden_json_key( &b, "event.reason" );
		warden_json_cstr( &b, ws && ws->ws_reason ? ws->ws_reason :
			"invalid credentials" );
	}
	audit_emit( wi, &b, 0, NULL );
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
	unsigned char key[WARDEN_AUDIT_HASH_LEN];
	int rc;

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
				WARDEN_AUDIT_LABEL_CHAIN, key ) ) {
			snprintf( msg, len, "cannot derive the audit chain's key" );
			return -1;
		}
		o.ao_key = key;
		o.ao_keylen = sizeof( key );
	}
	rc = warden_audit_open( path, &o, out, msg, len );
	OPENSSL_cleanse( key, sizeof( key ) );
	return rc;
}

void
warden_audit_stop( warden_audit *a )
{
	if ( a ) warden_audit_close( a );
}
