/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* cidr.h - client addresses and the networks systems are matched by
 *
 * A system entry names the networks its connections come from: an IPv4 or
 * IPv6 address, or a CIDR range ("192.0.2.0/24", "2001:db8::/48").  An
 * IPv4 client that reaches slapd over IPv6 as a mapped address
 * (::ffff:192.0.2.7) matches IPv4 ranges.  Pure functions.
 */
#ifndef WARDEN_CIDR_H
#define WARDEN_CIDR_H

#include <stddef.h>

typedef struct warden_cidr {
	int		wc_family;	/**< 4 or 6 */
	unsigned	wc_bits;	/**< prefix length */
	unsigned char	wc_addr[16];	/**< network address, host bits zero */
} warden_cidr;

/** Parses an address or range.
 * @param[out] msg	what is wrong, when it is
 * @return 0, or -1: not an address, a prefix out of range, host bits set
 *	("192.0.2.1/24": did you mean 192.0.2.0/24?)
 */
int warden_cidr_parse( const char *s, size_t len, warden_cidr *out,
	char *msg, size_t msglen );

/** Splits slapd's peer name, "IP=192.0.2.7:4711" or "IP=[2001:db8::7]:4711",
 * into its address (without brackets, NUL-terminated in host) and its port
 * (*port, NULL when none): the one reading of a peer name in warden.
 * @return 0, or -1 for what is no IP address (ldapi's "PATH=...") or an
 *	address longer than hostlen */
int warden_peer_host( const char *peer, char *host, size_t hostlen,
	const char **port );

/** Parses the address of slapd's peer name: "IP=192.0.2.7:4711",
 * "IP=[2001:db8::7]:4711".
 * @return 0, or -1 for anything else (ldapi's "PATH=...")
 */
int warden_cidr_peer( const char *peer, warden_cidr *out );

/** Whether an address (a /32 or /128 from warden_cidr_peer()) is in a
 * range. */
int warden_cidr_contains( const warden_cidr *range, const warden_cidr *addr );

/** The most specific of n ranges that contain an address.
 * @return its prefix length (32 or 128: the address itself), or -1 when
 *	none contains it */
int warden_cidr_best_match( const warden_cidr *ranges, int n,
	const warden_cidr *addr );

#endif /* WARDEN_CIDR_H */
