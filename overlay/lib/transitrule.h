/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* transitrule.h - which binds need a protected channel, and listeners
 *
 * warden-require-tls refuses binds that send a password over a connection
 * anyone on the path can read: a simple bind with a password, or a SASL
 * bind whose mechanism sends one (PLAIN, LOGIN) or something a password
 * can be guessed from offline (DIGEST-MD5, CRAM-MD5, SCRAM-*, NTLM, OTP).
 * EXTERNAL (a client certificate, ldapi's peer credentials) and GSSAPI
 * (Kerberos tickets) send none.  A connection is protected when it runs
 * TLS (StartTLS or ldaps), is ldapi (a local socket), or has a SASL
 * security layer with confidentiality (ssf above 1).
 *
 * warden-code-reuse-listener names slapd listeners ("ldap://host:port/",
 * as given to slapd -h); warden_url_same() compares a configured URL
 * with the one a connection came in on.
 *
 * Pure functions: no slapd.
 */
#ifndef WARDEN_TRANSITRULE_H
#define WARDEN_TRANSITRULE_H

#include <stddef.h>

/** Whether a bind sends a password (or what a password is recoverable
 * from) to the server.
 * @param mech	the SASL mechanism, NULL for a simple bind with a password
 * @param len	its length
 * @return 1 for a simple bind and for every mechanism but EXTERNAL and
 *	GSSAPI (compared without regard to case), else 0 */
int warden_transit_sends_password( const char *mech, size_t len );

/** Whether a connection protects what is sent on it from eavesdroppers.
 * @param tls_ssf	the TLS layer's strength (0: no TLS)
 * @param transport_ssf	the transport's own (ldapi: slapd's localSSF)
 * @param sasl_ssf	a SASL security layer's (1: integrity only)
 * @param peer	slapd's peer name ("IP=192.0.2.1:4711", "PATH=/run/ldapi");
 *	may be NULL
 * @return 1 when any of them is above 0 (sasl_ssf: above 1) or the peer
 *	is a local socket, else 0 */
int warden_transit_protected( unsigned tls_ssf, unsigned transport_ssf,
	unsigned sasl_ssf, const char *peer, size_t peerlen );

/** Checks that a string is a listener URL warden can compare: ldap://,
 * ldaps:// or ldapi://, a host (ldap, ldaps; none for every address) and
 * an optional port, an optional "/" and nothing else.
 * @return 0, or -1 with what is wrong in msg */
int warden_url_check( const char *url, size_t len, char *msg, size_t msglen );

/** Whether two listener URLs name the same listener: the same scheme and
 * host (case ignored), the same port (389 for ldap, 636 for ldaps when
 * none is given), a trailing "/" ignored; ldapi's socket path compared
 * exactly. */
int warden_url_same( const char *a, size_t alen, const char *b, size_t blen );

#endif /* WARDEN_TRANSITRULE_H */
