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
 * holders per write of a key, which is rare.
 *
 * Two writes of the same key at the same instant on two entries would
 * both search before either committed, and both pass.  So the search and
 * the write are one step per key: a write claims its keys' hashes before
 * it searches and gives the claim back at its result, which the database
 * sends after its commit; a write that finds one of its keys claimed
 * waits for that result, and its search then sees the other entry's key.
 * Only writes of the same key wait for each other.  A claim is never held
 * across a call that could claim again (warden's own and replicated
 * writes are exempt from the write order), and claims are taken all at
 * once under the mutex, so two writes never wait for each other.
 */

#include "warden.h"
#include "ssh.h"
#include "sshkey.h"

warden_ssh_schema warden_ssh;

/* The keys of one write under way, from before its search for them
 * elsewhere to its result. */
typedef struct ssh_claim {
	struct ssh_claim	*sc_next;
	unsigned		sc_n;
	unsigned char		(*sc_hash)[32];
} ssh_claim;

struct warden_ssh_writes {
	ldap_pvt_thread_mutex_t	sw_mutex;	/* guards sw_claims */
	ldap_pvt_thread_cond_t	sw_released;	/* a claim was given back */
	ssh_claim		*sw_claims;
};

int
warden_ssh_new( warden_ssh_writes **swp )
{
	warden_ssh_writes *sw = ch_calloc( 1, sizeof( *sw ) );

	ldap_pvt_thread_mutex_init( &sw->sw_mutex );
	ldap_pvt_thread_cond_init( &sw->sw_released );
	*swp = sw;
	return 0;
}

void
warden_ssh_free( warden_ssh_writes *sw )
{
	if ( !sw ) return;
	ldap_pvt_thread_cond_destroy( &sw->sw_released );
	ldap_pvt_thread_mutex_destroy( &sw->sw_mutex );
	ch_free( sw );
}

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
	int		search_rc;	/* the result of that search */
} ssh_keys;

/* Whether another write under way holds one of the n hashes (under
 * sw_mutex). */
static int
ssh_claimed( warden_ssh_writes *sw, const warden_sshkey *sk, unsigned n )
{
	ssh_claim *c;
	unsigned i, j;

	for ( c = sw->sw_claims; c; c = c->sc_next ) {
		for ( i = 0; i < c->sc_n; i++ ) {
			for ( j = 0; j < n; j++ ) {
				if ( !memcmp( c->sc_hash[i], sk[j].sk_hash, 32 ) )
					return 1;
			}
		}
	}
	return 0;
}

/* Claims the write's keys, once no other write under way holds any of
 * them: all at once, so that no two writes each hold what the other
 * waits for. */
static ssh_claim *
ssh_claim_keys( warden_ssh_writes *sw, ssh_keys *ks )
{
	ssh_claim *c = ch_malloc( sizeof( *c ) );
	unsigned i;

	c->sc_n = ks->n;
	c->sc_hash = ch_malloc( ks->n * sizeof( *c->sc_hash ) );
	for ( i = 0; i < ks->n; i++ )
		memcpy( c->sc_hash[i], ks->sk[i].sk_hash, 32 );
	ldap_pvt_thread_mutex_lock( &sw->sw_mutex );
	while ( ssh_claimed( sw, ks->sk, ks->n ) )
		ldap_pvt_thread_cond_wait( &sw->sw_released, &sw->sw_mutex );
	c->sc_next = sw->sw_claims;
	sw->sw_claims = c;
	ldap_pvt_thread_mutex_unlock( &sw->sw_mutex );
	return c;
}

static void
ssh_claim_release( warden_ssh_writes *sw, ssh_claim *c )
{
	ssh_claim **cp;

	ldap_pvt_thread_mutex_lock( &sw->sw_mutex );
	for ( cp = &sw->sw_claims; *cp; cp = &(*cp)->sc_next ) {
		if ( *cp == c ) {
			*cp = c->sc_next;
			break;
		}
	}
	ldap_pvt_thread_cond_broadcast( &sw->sw_released );
	ldap_pvt_thread_mutex_unlock( &sw->sw_mutex );
	ch_free( c->sc_hash );
	ch_free( c );
}

/* What a write that claimed keys carries to its result, in op memory. */
typedef struct ssh_held {
	slap_callback		sh_cb;
	warden_ssh_writes	*sh_sw;
	ssh_claim		*sh_claim;	/* NULL once given back */
} ssh_held;

/* The result: the database has committed (or refused) the write, so a
 * search from now on sees what it did. */
static int
ssh_held_response( Operation *op, SlapReply *rs )
{
	ssh_held *sh = op->o_callback->sc_private;

	if ( rs->sr_type == REP_RESULT && sh->sh_claim ) {
		ssh_claim_release( sh->sh_sw, sh->sh_claim );
		sh->sh_claim = NULL;
	}
	return SLAP_CB_CONTINUE;
}

/* After the result, or in its place (an abandoned write sends none):
 * the claim is given back whatever happened. */
static int
ssh_held_cleanup( Operation *op, SlapReply *rs )
{
	ssh_held *sh = op->o_callback->sc_private;
	slap_callback **scp;

	if ( rs->sr_type != REP_RESULT && !op->o_abandon &&
		rs->sr_err != SLAPD_ABANDON )
		return SLAP_CB_CONTINUE;
	if ( sh->sh_claim ) {
		ssh_claim_release( sh->sh_sw, sh->sh_claim );
		sh->sh_claim = NULL;
	}
	for ( scp = &op->o_callback; *scp; scp = &(*scp)->sc_next ) {
		if ( *scp == &sh->sh_cb ) {
			*scp = sh->sh_cb.sc_next;
			break;
		}
	}
	op->o_tmpfree( sh, op->o_tmpmemctx );
	return SLAP_CB_CONTINUE;
}

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

	if ( rs->sr_type == REP_RESULT ) {
		ks->search_rc = rs->sr_err;
		return 0;
	}
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
	ssh_keys ks = { NULL, 0, 0, &op->o_req_ndn, -1, LDAP_OTHER };
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
	/* held until this write's result: a write of the same key elsewhere
	 * waits, then finds this one's */
	{
		ssh_held *sh = op->o_tmpcalloc( 1, sizeof( *sh ),
			op->o_tmpmemctx );

		sh->sh_sw = wi->wi_ssh_writes;
		sh->sh_claim = ssh_claim_keys( wi->wi_ssh_writes, &ks );
		sh->sh_cb.sc_response = ssh_held_response;
		sh->sh_cb.sc_cleanup = ssh_held_cleanup;
		sh->sh_cb.sc_private = sh;
		sh->sh_cb.sc_next = op->o_callback;
		op->o_callback = &sh->sh_cb;
	}
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
	/* a search cut short (a pause of the server, say) may have missed
	 * the other holder: fail closed */
	if ( ks.search_rc != LDAP_SUCCESS && ks.dup < 0 ) {
		snprintf( msg, sizeof( msg ), "warden: cannot look for this key "
			"on other entries (result %d); try again", ks.search_rc );
		rc = warden_refuse( op, rs, on, ks.search_rc == LDAP_BUSY ?
			LDAP_BUSY : LDAP_OTHER, msg );
		goto done;
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
