/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* auditrecover.h - where the trail left off, when it is opened again
 *
 * An audit file opened after a crash may end in a torn line (a record cut
 * by the crash): it is cut off, and its length and SHA-256 are reported so
 * that the writer can record that it did (the "audit-torn-tail" marker).
 * The chain then continues from the last complete record; an empty file
 * continues the chain of PATH.1 when logrotate moved the old file while
 * slapd was stopped, or starts a new one.  Only the writer (auditlog.c)
 * calls this, before its thread starts.
 */
#ifndef WARDEN_AUDITRECOVER_H
#define WARDEN_AUDITRECOVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/** Recovers the chain of the file open (for writing) as wfd at path.
 * @param[out] seq, hash	the last record's sequence number and hash
 *	(WARDEN_AUDIT_HASH_LEN bytes), 0 and zeros for a new chain
 * @param[out] tornp	bytes of a torn last line cut off, or 0
 * @param[out] torn_hash	their SHA-256 (32 bytes) when *tornp > 0
 * @return 0, or -1 with msg saying why (the file is then left alone, but
 *	for a torn line already cut) */
int warden_audit_recover( int wfd, const char *path, uint64_t *seq,
	unsigned char *hash, off_t *tornp, unsigned char *torn_hash,
	char *msg, size_t len );

#endif /* WARDEN_AUDITRECOVER_H */
