/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* mdb_embed.c - the LMDB of the OpenLDAP source tree, built into warden.so
 *
 * slapd loads modules so that their symbols are visible to each other, and
 * Debian's back_mdb.so carries its own LMDB with visible mdb_* symbols.  A
 * warden.so linked against the system liblmdb made back-mdb bind to that
 * library when warden.la was loaded first ("MDB library version mismatch"),
 * and ran warden on back-mdb's copy when loaded after.  warden therefore
 * compiles the LMDB of the very source tree it is built against, with
 * hidden visibility: its mdb_* functions are local to warden.so (nm -D shows
 * none), whatever the order of moduleload lines.
 */
#include "mdb.c"
