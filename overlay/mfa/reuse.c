/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* reuse.c - a one-time code used again by a password change through PAM
 *
 * The rule and why are below; the credential check asks
 * warden_totp_reuse_granted() when a right password comes with a code
 * already used, and the bind that used it first leaves its mark with
 * warden_totp_reuse_remember().
 */

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "warden.h"
#include "mfa.h"
#include "mfaint.h"
#include "clock.h"
#include "transitrule.h"

/* Password changes through PAM (nslcd, sssd) bind twice with what the
 * user typed: once to check it (pam_sm_chauthtok's preliminary check),
 * then, after the user has typed the new password, once more on a new
 * connection to change it (Password Modify); a script typing all answers
 * at once makes the two binds a few milliseconds apart.  The second bind
 * presents a code already used.
 *
 * At bind time that second bind is byte for byte what a replay of the
 * first is (measured: nslcd with pam_authc_search NONE sends STARTTLS,
 * BIND, then UNBIND for pam_authenticate and PASSMOD for the change;
 * sssd sends STARTTLS, a rootDSE search, BIND, then UNBIND or PASSMOD),
 * and both clients let pam_authenticate succeed whenever the bind
 * succeeds or says the password must change (sssd, also when the bind
 * fails with passwordExpired).  So no answer to the bind can let the
 * change through and fail a replayed login.  What differs is where the
 * client sends it: sssd sends both binds of a password change to
 * ldap_chpass_uri, and nslcd's pam_authenticate (pam_authc_search BASE,
 * its default) searches its own entry after binding, which a connection
 * limited to a password change refuses.  Hence the rule: a code may be
 * reused only on a listener warden-code-reuse-listener names (none:
 * never), and
 *
 * - by the same DN with the same password and code (an HMAC of both is
 *   kept, under a key made at start, never the credential), from the same
 *   client address, within TOTP_REUSE_TIME of its first use;
 * - only when that first use was there too (a login elsewhere leaves
 *   nothing to reuse), or was itself a bind limited to changing the
 *   password (pwdReset under pwdMustChange: a first login that must
 *   change the password, whose forced change through sssd binds twice
 *   more, check and change, on ldap_chpass_uri);
 * - once; twice after such a must-change first use;
 * - and the connection that reuses it may then only change its own
 *   password, also after the change (pwreset.c), and is told so as a
 *   reset user is: changeAfterReset in the password policy response
 *   control, when requested.
 *
 * Why once: a login program that sees "must change" forces a change,
 * which binds again with the replayed credential; a second reuse would
 * let a replay set a new password.  The cost: a user who logs in and
 * then runs passwd with the same code (same time step) is refused at the
 * change and retries with the next code. */
#define TOTP_REUSE_SLOTS	256
#define TOTP_REUSE_TIME		( 120 * WARDEN_SEC )	/* 2 min */

typedef struct totp_reuse_slot {
	unsigned char	rs_mac[32];	/* HMAC of DN and credential */
	char		rs_addr[64];
	warden_time	rs_time;	/* first use */
	int		rs_uses;
	int		rs_max;		/* reuses allowed */
} totp_reuse_slot;

struct warden_totp_reuse {
	ldap_pvt_thread_mutex_t	tr_mutex;
	EVP_MAC			*tr_mac;	/* fetched once: fetching costs */
	unsigned char		tr_key[32];
	unsigned		tr_next;
	totp_reuse_slot		tr_slots[TOTP_REUSE_SLOTS];
};

int
warden_totp_open( warden_info *wi )
{
	struct warden_totp_reuse *tr;

	if ( wi->wi_totp_reuse ) return 0;
	tr = ch_calloc( 1, sizeof( *tr ) );
	ldap_pvt_thread_mutex_init( &tr->tr_mutex );
	/* warden_totp_close() undoes what was done */
	wi->wi_totp_reuse = tr;
	if ( RAND_bytes( tr->tr_key, sizeof( tr->tr_key ) ) != 1 ||
		!( tr->tr_mac = EVP_MAC_fetch( NULL, "HMAC", NULL ) ) ) {
		warden_totp_close( wi );
		return -1;
	}
	return 0;
}

void
warden_totp_close( warden_info *wi )
{
	struct warden_totp_reuse *tr = wi->wi_totp_reuse;

	if ( !tr ) return;
	ldap_pvt_thread_mutex_destroy( &tr->tr_mutex );
	EVP_MAC_free( tr->tr_mac );
	OPENSSL_cleanse( tr, sizeof( *tr ) );
	ch_free( tr );
	wi->wi_totp_reuse = NULL;
}

/* Keyed: the table must not become a list of what users typed. */
static int
totp_reuse_mac( struct warden_totp_reuse *tr, Operation *op,
	unsigned char *mac )
{
	EVP_MAC_CTX *ctx = EVP_MAC_CTX_new( tr->tr_mac );
	OSSL_PARAM params[2];
	size_t n = 0;
	int rc = -1;

	params[0] = OSSL_PARAM_construct_utf8_string( "digest", "SHA256", 0 );
	params[1] = OSSL_PARAM_construct_end();
	if ( ctx && EVP_MAC_init( ctx, tr->tr_key, sizeof( tr->tr_key ), params ) &&
		EVP_MAC_update( ctx, (unsigned char *)op->o_req_ndn.bv_val,
			op->o_req_ndn.bv_len + 1 ) &&
		EVP_MAC_update( ctx, (unsigned char *)op->orb_cred.bv_val,
			op->orb_cred.bv_len ) &&
		EVP_MAC_final( ctx, mac, &n, 32 ) && n == 32 )
		rc = 0;
	EVP_MAC_CTX_free( ctx );
	return rc;
}

/* Whether the connection came in on a listener warden-code-reuse-listener
 * names. */
static int
totp_reuse_listener( warden_info *wi, Connection *c )
{
	int i;

	if ( !wi->wi_reuse_listeners ) return 0;
	if ( !c || !c->c_listener || BER_BVISEMPTY( &c->c_listener_url ) )
		return 0;
	for ( i = 0; wi->wi_reuse_listeners[i].bv_val; i++ ) {
		if ( warden_url_same( wi->wi_reuse_listeners[i].bv_val,
				wi->wi_reuse_listeners[i].bv_len,
				c->c_listener_url.bv_val, c->c_listener_url.bv_len ) )
			return 1;
	}
	return 0;
}

void
warden_totp_reuse_remember( slap_overinst *on, Operation *op, int max )
{
	warden_info *wi = on->on_bi.bi_private;
	struct warden_totp_reuse *tr = wi->wi_totp_reuse;
	totp_reuse_slot *sl;
	unsigned char mac[32];

	/* A login on a listener without reuse leaves nothing to reuse; a
	 * first use that must change a reset password is no login. */
	if ( max == TOTP_REUSE_MAX && !totp_reuse_listener( wi, op->o_conn ) )
		return;
	if ( !tr || totp_reuse_mac( tr, op, mac ) ) return;
	ldap_pvt_thread_mutex_lock( &tr->tr_mutex );
	sl = &tr->tr_slots[tr->tr_next++ % TOTP_REUSE_SLOTS];
	memcpy( sl->rs_mac, mac, sizeof( mac ) );
	warden_client_host( op, sl->rs_addr, sizeof( sl->rs_addr ) );
	sl->rs_time = warden_clock_us();
	sl->rs_uses = 0;
	sl->rs_max = max;
	ldap_pvt_thread_mutex_unlock( &tr->tr_mutex );
}

/* Whether this bind may reuse a code accepted before (see above). */
int
warden_totp_reuse_granted( slap_overinst *on, Operation *op )
{
	warden_info *wi = on->on_bi.bi_private;
	struct warden_totp_reuse *tr = wi->wi_totp_reuse;
	unsigned char mac[32];
	char host[64];
	warden_time now = warden_clock_us();
	int i, ok = 0;

	if ( !tr || !totp_reuse_listener( wi, op->o_conn ) ||
		totp_reuse_mac( tr, op, mac ) )
		return 0;
	warden_client_host( op, host, sizeof( host ) );
	ldap_pvt_thread_mutex_lock( &tr->tr_mutex );
	for ( i = 0; i < TOTP_REUSE_SLOTS && !ok; i++ ) {
		totp_reuse_slot *sl = &tr->tr_slots[i];

		if ( sl->rs_time && now - sl->rs_time <= TOTP_REUSE_TIME &&
			sl->rs_uses < sl->rs_max &&
			!CRYPTO_memcmp( sl->rs_mac, mac, sizeof( mac ) ) &&
			!strcmp( sl->rs_addr, host ) ) {
			sl->rs_uses++;
			ok = 1;
		}
	}
	ldap_pvt_thread_mutex_unlock( &tr->tr_mutex );
	OPENSSL_cleanse( mac, sizeof( mac ) );
	return ok;
}
