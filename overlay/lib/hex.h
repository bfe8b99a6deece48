/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* hex.h - hexadecimal, as warden writes it: lower case
 *
 * Hashes in the audit trail, salts and hashes of recovery codes are
 * written in lower case and read back only so (one spelling per value, so
 * that a record's bytes are canonical); a key file, which a person may
 * type, takes either case.
 */
#ifndef WARDEN_HEX_H
#define WARDEN_HEX_H

#include <stddef.h>

/** The value of the hex digit c, or -1; upper case only when upper_ok. */
static inline int
warden_hex_digit( int c, int upper_ok )
{
	if ( c >= '0' && c <= '9' ) return c - '0';
	if ( c >= 'a' && c <= 'f' ) return c - 'a' + 10;
	if ( upper_ok && c >= 'A' && c <= 'F' ) return c - 'A' + 10;
	return -1;
}

/** Writes the n bytes at in as 2n lower-case digits at out (no NUL). */
static inline void
warden_hex_encode( const unsigned char *in, size_t n, char *out )
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for ( i = 0; i < n; i++ ) {
		*out++ = digits[in[i] >> 4];
		*out++ = digits[in[i] & 15];
	}
}

/** Reads 2n lower-case digits at in into n bytes at out: 0, or -1 when
 * one is not a lower-case hex digit. */
static inline int
warden_hex_decode( const char *in, size_t n, unsigned char *out )
{
	size_t i;
	int hi, lo;

	for ( i = 0; i < n; i++ ) {
		hi = warden_hex_digit( (unsigned char)in[2 * i], 0 );
		lo = hi < 0 ? -1 : warden_hex_digit( (unsigned char)in[2 * i + 1], 0 );
		if ( lo < 0 ) return -1;
		out[i] = (unsigned char)( hi << 4 | lo );
	}
	return 0;
}

#endif /* WARDEN_HEX_H */
