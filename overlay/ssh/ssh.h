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
 * Memory: the schema's descriptions (process-wide, as slapd's schema
 * is); per instance, the keys of the writes under way (warden_ssh_writes,
 * ch_malloc); a write's parsed keys in op memory.
 *
 * Locks: the duplicate check is an internal search, run with no warden
 * lock held.  So that two writes of one key cannot both pass it, a write
 * carrying keys first claims them (warden_ssh_writes' mutex, held only to
 * look at and change the list of claims): a write that finds one of its
 * keys claimed by another waits (a condition variable) until that write's
 * result, after the database committed it, and only then searches.  The
 * claim is given back by the write's response callback, or its cleanup
 * when no response came (an abandon).
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

/** Makes (db_init) and frees (db_destroy) an instance's claims on the
 * keys being written, and their mutex and condition variable.  free
 * takes NULL; nothing may be claimed any more.
 * @return 0 */
int warden_ssh_new( warden_ssh_writes **swp );
void warden_ssh_free( warden_ssh_writes *sw );

/** Whether ad is sshPublicKey, with or without options. */
int warden_ssh_is_key( AttributeDescription *ad );

/** The write order, for a client's add, modify and rename: every
 * sshPublicKey value added is a well-formed key, strong enough, and on no
 * other entry.  Refuses with constraintViolation (19) saying what is
 * wrong with which key (named by fingerprint, never whole); the other
 * entry holding a key is not named.  A write that goes on holds its keys'
 * claim (see Locks above) until its result: it may first wait for another
 * write of the same key.  When the search for other holders fails:
 * busy (51) or other (80), "try again".
 * @return SLAP_CB_CONTINUE, or the result sent */
int warden_ssh_write_check( Operation *op, SlapReply *rs, slap_overinst *on );

#endif /* WARDEN_SSH_H */
