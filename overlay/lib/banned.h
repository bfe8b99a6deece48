/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* banned.h - the banned-password list, as a memory-mapped sorted index
 *
 * A list of passwords nobody may choose ("password", "123456", the leaked
 * lists of the day) can hold millions of entries.  Loading it into every
 * slapd would cost each process its size in heap and a long start; instead
 * `wardenctl banned build` turns the list into an index file once, and
 * slapd maps that file read-only: the pages are the kernel's page cache,
 * shared by every process and mapped on demand, and a lookup is a binary
 * search (about 20 string comparisons for 1,000,000 entries).
 *
 * Keys.  A password is looked up by its key, and the index stores the keys
 * of the list's lines:
 *	- the key is warden_quality_normalize() of the password (digits and
 *	  symbols stripped from both ends, case folded, @4 0 1!l 3 $5 7 read as
 *	  a o i e s t), so "P@ssw0rd1!", "password" and "Password2024" share
 *	  the key "password";
 *	- when that is empty (the password has no letter: "123456",
 *	  "!@#$%^"), the key is the password itself, byte for byte.  Without
 *	  this, every letterless password would share the empty key, and one
 *	  such line in the list would ban them all.  The two kinds never
 *	  collide: a normalized key begins with a letter or a non-ASCII byte, a
 *	  letterless password has neither.
 * A line whose key contains a NUL byte cannot be stored and is skipped; a
 * password whose key contains one is never banned.  Lines are bytes: they
 * need not be valid UTF-8.
 *
 * File format (version 1).  Integers are unsigned, little-endian.
 *
 *	offset	size	field
 *	0	8	magic "WARDNBL1"
 *	8	4	format version, WARDEN_BANNED_VERSION
 *	12	4	key rules version, WARDEN_BANNED_KEYS: an index built
 *			with other rules (a future warden_quality_normalize())
 *			would miss passwords, so it is refused: rebuild it
 *	16	8	N, the number of keys
 *	24	8	offset of the offset table: 64
 *	32	8	offset of the string area: 64 + 8 * N
 *	40	8	length of the string area in bytes
 *	48	8	length of the whole file in bytes
 *	56	8	reserved, 0
 *	64	8 * N	offset table: where key i begins, from the start of the
 *			string area
 *	...		string area: the N keys, each followed by a NUL, one
 *			after the other, in strictly increasing memcmp()
 *			order (so without duplicates); it ends the file
 *
 * warden_banned_open() checks all of it before the index is used: a
 * truncated, corrupt or foreign file is refused with a reason, never read
 * out of bounds.  Every key is read once at open (about 20 MB for a million
 * keys, a few milliseconds from the page cache).
 *
 * Replacing the index.  A mapped file that is truncated or rewritten in
 * place makes its readers fault (SIGBUS) or see garbage, so the index is
 * only ever replaced by rename(): warden_banned_build() writes a temporary
 * file beside it and renames it over.  A process that has the old file
 * mapped keeps reading the old one, whole, until it notices the change
 * (warden_banned_changed()) and opens the new one.  Never copy over an
 * index in place (cp, >); copy beside it and mv.
 *
 * Functions return 0 on success or -1 after writing a one-line reason into
 * msg; the reasons never contain a password.
 */
#ifndef WARDEN_BANNED_H
#define WARDEN_BANNED_H

#include <stddef.h>
#include <stdio.h>

#define WARDEN_BANNED_MAGIC	"WARDNBL1"
#define WARDEN_BANNED_VERSION	1
#define WARDEN_BANNED_KEYS	1
#define WARDEN_BANNED_HEADER	64	/**< bytes before the offset table */

typedef struct warden_banned warden_banned;

/** Builds an index from a list, one password per line.
 *
 * A line ends at LF; a CR before it is dropped too (CRLF lists).  Empty
 * lines are skipped; every other line is a password, '#' or not, spaces
 * and all.  Lines may be of any length.  The keys are sorted and
 * duplicates dropped.  The index is written to "out_path.tmp.PID" with mode
 * 0644 (slapd runs as another user than the administrator who builds it),
 * flushed to disk, and renamed to out_path; the directory is then flushed
 * too.  Readers therefore see the old index or the new one, never a part.
 * On failure the temporary file is removed and out_path left as it was.
 * @param[in] in	the list, read to its end
 * @param[in] out_path	the index to write or replace
 * @param[out] count	the number of distinct keys written (may be NULL)
 * @return 0 or -1: reading the list failed, out of memory, or writing the
 *	index failed (the reason names the file and the system's error)
 */
int warden_banned_build( FILE *in, const char *out_path, size_t *count,
	char *msg, size_t len );

/** Maps an index read-only and checks it (see the file format above).
 * @param[in] path	the index, as written by warden_banned_build()
 * @param[out] blp	the open index; NULL on failure
 * @return 0 or -1: cannot open or map the file, or it is not an index of
 *	this version ("not a banned-password index", "truncated", "offset
 *	of key N out of range", ...)
 */
int warden_banned_open( const char *path, warden_banned **blp,
	char *msg, size_t len );

/** Whether a password is on the list: its key (see above) is looked up.
 * The key, which reveals most of the password, is made in a stack buffer
 * for passwords up to 255 bytes and in a malloc()ed one beyond, and wiped
 * before return.  Safe to call from any number of threads at once on one
 * index; not concurrently with warden_banned_close() of it.
 * @param[in] pw	the password, not NUL-terminated; len bytes
 * @return 1 banned, 0 not, -1 out of memory (a password over 255 bytes)
 */
int warden_banned_contains( const warden_banned *bl, const char *pw,
	size_t len );

/** The number of keys in an index. */
size_t warden_banned_count( const warden_banned *bl );

/** Whether the file at path is no longer the one mapped in bl: it was
 * replaced (another device, inode, size or modification time), removed, or
 * cannot be examined.  The caller then opens path anew, keeping bl until
 * that succeeds.  One stat(); nothing is read.
 * @return 1 changed (or cannot tell), 0 the same file
 */
int warden_banned_changed( const warden_banned *bl, const char *path );

/** Unmaps an index and frees it.  NULL is allowed.  No lookup in it may
 * be running. */
void warden_banned_close( warden_banned *bl );

#endif /* WARDEN_BANNED_H */
