/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* midl_embed.c - LMDB's ID lists, built into warden.so (see mdb_embed.c) */
#include "midl.c"
