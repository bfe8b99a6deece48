/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* ssh.c - SSH public keys written: well-formed, strong, one account each
 *
 * Each sshPublicKey value a client adds (an add, a modify's add or
 * replace, with or without options on the attribute) is parsed and judged
 * by overlay/lib/sshkey.c.  A key already on another entry is refused.
 * That check is an internal search of the entries holding any key,
 * comparing the SHA-256 of each key blob: an equality index on
 * sshPublicKey cannot find the same key under another comment or other
 * options (octetStringMatch compares the whole line), and a fingerprint
 * index of warden's own would be one more store to keep true across
 * replication, restores and slapadd.  It costs one search of the key
 * holders per write of a key, which is rare; two writes of the same key
 * at the same instant on two entries may both pass (README says so).
 */

#include "warden.h"
#include "ssh.h"
#include "sshkey.h"

warden_ssh_schema warden_ssh;

/* openssh-lpk, as its schema file (openssh-lpk_openldap.schema) defines
 * it, with MAY for the key: an entry may lose its last key without
 * losing the class */
static const char ssh_at_def[] =
	"( 1.3.6.1.4.1.24552.500.1.1.1.13 NAME 'sshPublicKey' "
	"DESC 'MANDATORY: OpenSSH Public key' "
	"EQUALITY octetStringMatch "
	"SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 )";
static const char ssh_oc_def[] =
	"( 1.3.6.1.4.1.24552.500.1.1.2.0 NAME 'ldapPublicKey' SUP top "
	"AUXILIARY DESC 'MANDATORY: OpenSSH LPK objectclass' "
	"MAY ( sshPublicKey $ uid ) )";

int
warden_ssh_schema_init( char *msg, size_t len )
{
	int registered = 0;

	if ( warden_ssh.ad_sshPublicKey && warden_ssh.oc_ldapPublicKey )
		return 0;
	/* someone else's definition (file, cn=schema, module) is used as it
	 * is: warden only judges the values */
	if ( at_find( "sshPublicKey" ) ) {
		const char *text;

		if ( slap_str2ad( "sshPublicKey", &warden_ssh.ad_sshPublicKey,
				&text ) ) {
			snprintf( msg, len, "sshPublicKey: %s", text );
			return -1;
		}
	} else if ( warden_schema_define_at( ssh_at_def,
			&warden_ssh.ad_sshPublicKey, &registered, msg, len ) ) {
		return -1;
	}
	warden_ssh.oc_ldapPublicKey = oc_find( "ldapPublicKey" );
	if ( !warden_ssh.oc_ldapPublicKey && warden_schema_define_oc( ssh_oc_def,
			&warden_ssh.oc_ldapPublicKey, &registered, msg, len ) )
		return -1;
	if ( registered )
		Debug( LDAP_DEBUG_CONFIG, "warden: registered the openssh-lpk "
			"schema (sshPublicKey, ldapPublicKey)\n" );
	return 0;
}

int
warden_ssh_is_key( AttributeDescription *ad )
{
	return ad && warden_ssh.ad_sshPublicKey &&
		ad->ad_type == warden_ssh.ad_sshPublicKey->ad_type;
}

/* The keys of one write, by hash. */
typedef struct ssh_keys {
	warden_sshkey	*sk;
	unsigned	n, max;
	struct berval	*self;		/* the entry written */
	int		dup;		/* index of a key found elsewhere, or -1 */
} ssh_keys;

/* Parses and judges one value; keeps its hash.  0, or -1 with msg. */
static int
ssh_value( Operation *op, warden_info *wi, ssh_keys *ks, struct berval *v,
	char *msg, size_t len )
{
	warden_sshkey k;
	char why[200];
	unsigned i;

	if ( warden_sshkey_parse( v->bv_val, v->bv_len, &k, why,
			sizeof( why ) ) ) {
		snprintf( msg, len, "sshPublicKey: not a valid OpenSSH public key "
			"(\"[options] type base64 [comment]\", as in a .pub file): "
			"%s", why );
		return -1;
	}
	if ( warden_sshkey_strong( &k, wi->wi_ssh_min_rsa_bits, why,
			sizeof( why ) ) ) {
		snprintf( msg, len, "sshPublicKey %s: %s", k.sk_fingerprint, why );
		return -1;
	}
	for ( i = 0; i < ks->n; i++ ) {
		if ( !memcmp( ks->sk[i].sk_hash, k.sk_hash, 32 ) ) return 0;
	}
	if ( ks->n == ks->max ) {
		warden_sshkey *more;

		ks->max = ks->max ? 2 * ks->max : 8;
		more = op->o_tmpalloc( ks->max * sizeof( *more ), op->o_tmpmemctx );
		if ( ks->n ) memcpy( more, ks->sk, ks->n * sizeof( *more ) );
		if ( ks->sk ) op->o_tmpfree( ks->sk, op->o_tmpmemctx );
		ks->sk = more;
	}
	ks->sk[ks->n++] = k;
	return 0;
}

static int
ssh_dup_entry( Operation *op, SlapReply *rs )
{
	ssh_keys *ks = op->o_callback->sc_private;
	Attribute *a;
	unsigned i, j;

	if ( rs->sr_type != REP_SEARCH || ks->dup >= 0 ) return 0;
	if ( dn_match( &rs->sr_entry->e_nname, ks->self ) ) return 0;
	for ( a = rs->sr_entry->e_attrs; a; a = a->a_next ) {
		if ( !warden_ssh_is_key( a->a_desc ) ) continue;
		for ( i = 0; i < a->a_numvals; i++ ) {
			warden_sshkey k;
			char why[256];

			/* a value from before warden, or replicated: not ours
			 * to judge here */
			if ( warden_sshkey_parse( a->a_vals[i].bv_val,
					a->a_vals[i].bv_len, &k, why, sizeof( why ) ) )
				continue;
			for ( j = 0; j < ks->n; j++ ) {
				if ( !memcmp( ks->sk[j].sk_hash, k.sk_hash, 32 ) ) {
					ks->dup = (int)j;
					return 0;
				}
			}
		}
	}
	return 0;
}

int
warden_ssh_write_check( Operation *op, SlapReply *rs, slap_overinst *on )
{
	warden_info *wi = on->on_bi.bi_private;
	ssh_keys ks = { NULL, 0, 0, &op->o_req_ndn, -1 };
	char msg[512];
	int rc = SLAP_CB_CONTINUE;
	unsigned i;

	if ( !warden_ssh.ad_sshPublicKey ) return SLAP_CB_CONTINUE;
	if ( op->o_tag == LDAP_REQ_ADD ) {
		Attribute *a;

		for ( a = op->ora_e->e_attrs; a; a = a->a_next ) {
			if ( !warden_ssh_is_key( a->a_desc ) ) continue;
			for ( i = 0; i < a->a_numvals; i++ ) {
				if ( ssh_value( op, wi, &ks, &a->a_vals[i], msg,
						sizeof( msg ) ) )
					goto refuse;
			}
		}
	} else if ( op->o_tag == LDAP_REQ_MODIFY ) {
		Modifications *m;

		for ( m = op->orm_modlist; m; m = m->sml_next ) {
			if ( !warden_ssh_is_key( m->sml_desc ) ) continue;
			if ( ( m->sml_op & LDAP_MOD_OP ) != LDAP_MOD_ADD &&
				( m->sml_op & LDAP_MOD_OP ) != LDAP_MOD_REPLACE &&
				m->sml_op != SLAP_MOD_SOFTADD &&
				m->sml_op != SLAP_MOD_ADD_IF_NOT_PRESENT )
				continue;
			for ( i = 0; i < m->sml_numvals; i++ ) {
				if ( ssh_value( op, wi, &ks, &m->sml_values[i], msg,
						sizeof( msg ) ) )
					goto refuse;
			}
		}
	}
	/* a rename carries its keys along (an RDN never holds one:
	 * writes.c) */
	if ( !ks.n ) goto done;
	{
		slap_callback cb = { .sc_response = ssh_dup_entry,
			.sc_private = &ks };
		AttributeName an[2];
		Filter *f = str2filter_x( op, "(sshPublicKey=*)" );

		if ( !f ) {
			snprintf( msg, sizeof( msg ), "warden: cannot look for "
				"the key elsewhere; try again" );
			rc = warden_refuse( op, rs, on, LDAP_OTHER, msg );
			goto done;
		}
		memset( an, 0, sizeof( an ) );
		an[0].an_desc = warden_ssh.ad_sshPublicKey;
		an[0].an_name = warden_ssh.ad_sshPublicKey->ad_cname;
		warden_internal_search( op, on, f, an, &cb );
		filter_free_x( op, f, 1 );
	}
	if ( ks.dup >= 0 ) {
		snprintf( msg, sizeof( msg ), "sshPublicKey %s: this key is "
			"already another account's; a shared key is a shared account "
			"(make a key of its own with ssh-keygen -t ed25519)",
			ks.sk[ks.dup].sk_fingerprint );
		goto refuse;
	}
	goto done;

refuse:
	Debug( LDAP_DEBUG_STATS, "warden: write of \"%s\" refused: %s\n",
		op->o_req_dn.bv_val, msg );
	rc = warden_refuse( op, rs, on, LDAP_CONSTRAINT_VIOLATION, msg );
done:
	if ( ks.sk ) op->o_tmpfree( ks.sk, op->o_tmpmemctx );
	return rc;
}
