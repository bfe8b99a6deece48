/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* auditfmt.h - the trail's record format, shared by the chain
 * (auditchain.c), its checkpoints (auditcheckpoint.c) and the writer
 * (auditlog.c)
 *
 * Private to those three files; everyone else uses auditlog.h.
 */
#ifndef WARDEN_AUDITFMT_H
#define WARDEN_AUDITFMT_H

#include "auditlog.h"
#include "hex.h"

#define HASH_MEMBER	",\"warden.hash\":\""
#define HASH_MEMBER_LEN	( sizeof( HASH_MEMBER ) - 1 )
#define PREV_MEMBER	"\"warden.prev\":\""
#define PREV_MEMBER_LEN	( sizeof( PREV_MEMBER ) - 1 )
#define SEQ_MEMBER	"\"warden.seq\":"
#define SEQ_MEMBER_LEN	( sizeof( SEQ_MEMBER ) - 1 )
#define HEX_LEN		( 2 * WARDEN_AUDIT_HASH_LEN )
/* ,"warden.hash":"<64 hex>"} */
#define HASH_TAIL_LEN	( HASH_MEMBER_LEN + HEX_LEN + 2 )

/* a hash of the trail, in lower case only (upper case is not canonical) */
static inline int
unhex( const char *s, unsigned char *out )
{
	return warden_hex_decode( s, WARDEN_AUDIT_HASH_LEN, out );
}

#endif /* WARDEN_AUDITFMT_H */
