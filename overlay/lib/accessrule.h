/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/** @file accessrule.h
 * @brief Access's decision at bind, without slapd: which systems decide
 *	for a client, and their verdict
 *
 * A system (a wardenSystem entry) is recognised by where its connections
 * come from: its networks (wardenNetwork) and the subjects of its TLS
 * client certificates (wardenCertSubject).  When several match a client,
 * the most specific decide: a certificate above any address, then the
 * longest matching prefix (a single address is a /32 or /128); equally
 * specific systems decide together (the union of their groups).  The
 * access engine (overlay/access) reads the systems and walks the groups;
 * these only decide.  Pure: no locks, no memory.
 */
#ifndef WARDEN_ACCESSRULE_H
#define WARDEN_ACCESSRULE_H

#include "cidr.h"

/** What a system is recognised by. */
typedef struct warden_access_rule {
	const warden_cidr	*ar_nets;	/**< its networks */
	int			ar_nnets;
	/** whether the client's certificate subject is one the system
	 * names (the caller compares DNs) */
	int			ar_cert;
} warden_access_rule;

/** A certificate's specificity: above every prefix length. */
#define WARDEN_ACCESS_SPEC_CERT	256

/** How closely a system matches a client.
 * @param[in] addr	the client's address (a /32 or /128), or NULL when
 *	it has none (ldapi)
 * @return WARDEN_ACCESS_SPEC_CERT, the longest matching prefix length, or
 *	-1 when the system does not match */
int warden_accessrule_specificity( const warden_access_rule *r,
	const warden_cidr *addr );

/** The systems that decide for a client: the most specific of the n that
 * match it.
 * @param[out] decide	n flags: 1 for each deciding system, else 0
 * @return how many decide (0: no system matches the client) */
int warden_accessrule_match( const warden_access_rule *rules, int n,
	const warden_cidr *addr, unsigned char *decide );

/** The verdict: with no deciding system, warden-access-default (dflt: 1
 * allow, 0 deny); else whether the user is a member of one of the
 * deciding systems' groups (a group walk that stopped at a limit found no
 * membership: it grants nothing).
 * @return 1 allowed, 0 refused */
int warden_accessrule_allows( int ndecide, int dflt, int member );

#endif /* WARDEN_ACCESSRULE_H */
