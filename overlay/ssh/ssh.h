/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/** @file ssh.h
 * @brief The SSH capability: strong public keys, one account each
 *
 * What the core may ask of overlay/ssh.  Keys live in sshPublicKey
 * (objectClass ldapPublicKey, the openssh-lpk schema that sssd and the
 * OpenSSH LDAP patches read), one authorized_keys line per value
 * (overlay/lib/sshkey.h).  Every value a client writes is parsed and
 * judged (warden-ssh-min-rsa-bits), and a key already on another entry is
 * refused: a shared key is a shared account.  Which keys a search returns
 * is decided by the core (keys.c), which alone may ask the access and
 * lockout capabilities; this capability only names the attribute.
 *
 * Memory: nothing kept but the schema's descriptions (process-wide, as
 * slapd's schema is); a write's parsed keys in op memory.  Locks: none;
 * the duplicate check is an internal search, run with no warden lock.
 */
#ifndef WARDEN_SSH_H
#define WARDEN_SSH_H

#include "warden.h"

/** sshPublicKey and ldapPublicKey, once warden_ssh_schema_init() ran. */
typedef struct warden_ssh_schema {
	AttributeDescription	*ad_sshPublicKey;
	ObjectClass		*oc_ldapPublicKey;
} warden_ssh_schema;

extern warden_ssh_schema warden_ssh;

/** At db_init: registers the openssh-lpk definitions when slapd has none
 * (a schema file, a cn=schema entry or a module read before the overlay
 * is configured keeps its own; slapd.d reads cn=schema entries after
 * modules, so registering at module load would make a deployment that
 * has them in cn=schema fail to start), and finds them.
 * @return 0, or -1 with msg saying what is wrong */
int warden_ssh_schema_init( char *msg, size_t len );

/** Whether ad is sshPublicKey, with or without options. */
int warden_ssh_is_key( AttributeDescription *ad );

/** The write order, for a client's add, modify and rename: every
 * sshPublicKey value added is a well-formed key, strong enough, and on no
 * other entry.  Refuses with constraintViolation (19) saying what is
 * wrong with which key (named by fingerprint, never whole); the other
 * entry holding a key is not named.
 * @return SLAP_CB_CONTINUE, or the result sent */
int warden_ssh_write_check( Operation *op, SlapReply *rs, slap_overinst *on );

#endif /* WARDEN_SSH_H */
