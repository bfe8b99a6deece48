/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* asan_shim.c - preloaded with the sanitizer runtimes in tests only
 *
 * Under ASan, Debian's slapd and slap tools deadlock at exit: p11-kit's
 * destructor calls freelocale() while glibc's setlocale lock is held.  The
 * process has finished its work by then; skipping that one free at exit
 * lets it end.  Never used outside the sanitizer test runs.
 */
#include <locale.h>

void
freelocale( locale_t loc )
{
	(void)loc;
}
