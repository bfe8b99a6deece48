/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* otpauth.h - what wardenctl shows a user enrolling a TOTP token
 *
 * An authenticator app learns a token from an otpauth:// URI (the "Key
 * Uri Format" of Google Authenticator, which every common app reads),
 * typed in or scanned from a QR code:
 *
 *	otpauth://totp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER
 *		&algorithm=SHA1&digits=6&period=30
 *
 * The secret is base32 (RFC 4648, upper case, without padding, as the
 * apps expect); issuer and account are percent-encoded (everything but
 * RFC 3986's unreserved characters).  Pure functions, no LDAP, no QR
 * encoder: wardenctl feeds the URI to libqrencode and draws the modules
 * it returns with warden_qr_text().
 */
#ifndef WARDEN_OTPAUTH_H
#define WARDEN_OTPAUTH_H

#include <stddef.h>
#include <stdio.h>

/** What an otpauth:// URI carries. */
typedef struct warden_otpauth {
	const char	*oa_issuer;	/**< shown by the app; no ':' */
	const char	*oa_account;	/**< the user, e.g. the uid */
	const char	*oa_secret;	/**< base32, NUL-terminated */
	const char	*oa_algorithm;	/**< "SHA1", "SHA256" or "SHA512" */
	unsigned	oa_digits;
	unsigned	oa_period;	/**< seconds */
} warden_otpauth;

/** Length of the base32 form of n bytes, without padding or NUL. */
#define WARDEN_BASE32_LEN( n )	( ( (n) * 8 + 4 ) / 5 )

/** Encodes n bytes as upper-case base32 without padding.
 * @param[out] out	WARDEN_BASE32_LEN( n ) + 1 bytes at least
 * @return the length written (without the NUL), or 0 when outlen is too
 *	small (out then holds "") */
size_t warden_base32_encode( const unsigned char *in, size_t n, char *out,
	size_t outlen );

/** Writes the otpauth:// URI of a.
 * @return its length, or -1 when it does not fit in outlen (out then
 *	holds "") or the issuer contains ':' (the label's separator) */
int warden_otpauth_uri( const warden_otpauth *a, char *out, size_t outlen );

/** Draws a QR code for a terminal with UTF-8 half blocks, two rows of
 * modules per line.  Light modules (and the quiet zone of margin modules)
 * are drawn as block characters and dark ones as spaces, so the code
 * reads right on a light-on-dark terminal; with ansi set, every line is
 * also coloured white on black, which makes it right on any terminal.
 * @param[in] modules	width * width bytes, row by row, bit 0 set for a
 *	dark module (libqrencode's QRcode.data)
 */
void warden_qr_text( FILE *f, const unsigned char *modules, int width,
	int margin, int ansi );

/** Renders the same code as an 8-bit grey image, scale pixels a module,
 * with a quiet zone of margin modules: 0 for dark, 255 for light.
 * @param[out] pixels	( width + 2 * margin ) * scale squared bytes */
void warden_qr_pixels( const unsigned char *modules, int width, int margin,
	int scale, unsigned char *pixels );

#endif /* WARDEN_OTPAUTH_H */
