/* midl_embed.c - LMDB's ID lists, built into warden.so (see mdb_embed.c) */
#include "midl.c"
