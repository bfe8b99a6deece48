/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* auditjson.h - a growable buffer and a JSON writer for audit records
 *
 * Audit records are JSON objects written one per line (JSON Lines).  The
 * directory holds whatever its clients put there: values that are not
 * UTF-8, control characters, embedded NULs.  Whatever goes in, what comes
 * out of these functions is valid JSON (RFC 8259) in valid UTF-8 and never
 * holds a raw line break, so one record is always one line.
 *
 * Strings (warden_json_str(), warden_json_key()) are escaped so:
 *	- '"' and '\\' as \" and \\;
 *	- \b \f \n \r \t as such; every other byte below 0x20, and DEL (0x7f),
 *	  as \u00XX (lower-case hex), so NUL is \u0000: a value is never cut
 *	  at an embedded NUL;
 *	- U+2028 and U+2029 as \u2028 and \u2029 (valid JSON, but line breaks
 *	  to JavaScript and to some log viewers);
 *	- other valid UTF-8 is copied as it is (not \u-escaped);
 *	- invalid UTF-8 is replaced by U+FFFD (EF BF BD), one per "maximal
 *	  subpart" (Unicode 15, section 3.9, U+FFFD substitution of maximal
 *	  subparts; what the WHATWG decoder does): a lead byte and the
 *	  continuation bytes that can still follow it become one U+FFFD, and
 *	  a byte that cannot begin a sequence (80..BF, C0, C1, F5..FF) becomes
 *	  one.  Overlong forms, surrogates (ED A0..BF) and code points above
 *	  U+10FFFF are invalid.  A replaced value no longer says exactly what
 *	  the directory held; a caller that must keep every byte of a value
 *	  that may not be text writes it with warden_json_base64() instead
 *	  (warden_utf8_valid() tells which).
 *
 * The builder writes one value after another and puts the commas and
 * colons in itself:
 *
 *	warden_buf b;
 *	warden_buf_init( &b );
 *	warden_json_begin_object( &b );
 *	warden_json_key( &b, "@timestamp" ); warden_json_time( &b, &ts );
 *	warden_json_key( &b, "event.action" ); warden_json_cstr( &b, "modify" );
 *	warden_json_key( &b, "source.port" ); warden_json_int( &b, 41234 );
 *	warden_json_key( &b, "ldap.changes" ); warden_json_begin_array( &b );
 *	...
 *	warden_json_end_array( &b );
 *	warden_json_end_object( &b );
 *	if ( warden_buf_failed( &b ) ) ...	(out of memory, or misuse)
 *	... b.wb_data, b.wb_len ...
 *	warden_buf_free( &b );
 *
 * Keys are written as given, so flat dotted names ("event.action",
 * "source.ip") come out as they are: Elastic Common Schema accepts the
 * dotted form in JSON Lines, and a flat object is what wardenctl reads
 * fastest.  Nothing checks that a key is not used twice in one object.
 *
 * Errors are sticky: after an allocation failure, or a value written
 * where a key is expected (and the like), every later call does nothing
 * and returns -1, and warden_buf_failed() says so; the caller checks once
 * at the end.  The buffer's text is then incomplete and must not be used.
 *
 * Nothing here locks: a buffer belongs to one thread at a time.
 */
#ifndef WARDEN_AUDITJSON_H
#define WARDEN_AUDITJSON_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/** Deepest nesting of objects and arrays the builder follows. */
#define WARDEN_JSON_DEPTH	16

typedef struct warden_buf {
	char		*wb_data;	/**< the text; NUL-terminated after every
					 * successful call (not counted in wb_len) */
	size_t		wb_len;		/**< bytes of text */
	size_t		wb_cap;		/**< bytes allocated */
	int		wb_failed;	/**< sticky error */
	/* builder state */
	int		wb_depth;	/**< open objects and arrays */
	unsigned char	wb_kind[WARDEN_JSON_DEPTH];	/**< '{' or '[' */
	unsigned char	wb_count[WARDEN_JSON_DEPTH];	/**< members so far (0, 1: more) */
	unsigned char	wb_keyed;	/**< a key was written, its value is due */
} warden_buf;

/** Prepares an empty buffer (allocates nothing yet). */
void warden_buf_init( warden_buf *b );

/** Frees a buffer's memory and leaves it empty, as after warden_buf_init(). */
void warden_buf_free( warden_buf *b );

/** Empties a buffer for the next record, keeping its memory. */
void warden_buf_reset( warden_buf *b );

/** Whether an allocation failed or the builder was misused since the
 * last init or reset. */
int warden_buf_failed( const warden_buf *b );

/** Makes room for n more bytes (and a NUL).  @return 0 or -1 */
int warden_buf_reserve( warden_buf *b, size_t n );

/** Appends bytes as they are: no escaping, no builder state.
 * @return 0 or -1 */
int warden_buf_add( warden_buf *b, const void *p, size_t n );

/** Appends a NUL-terminated string as it is.  @return 0 or -1 */
int warden_buf_adds( warden_buf *b, const char *s );

/** Whether len bytes are valid UTF-8 (by the rules above; NUL counts as
 * valid).  A caller uses it to choose between warden_json_str() and
 * warden_json_base64() for a value that may be binary. */
int warden_utf8_valid( const char *s, size_t len );

/** Appends len bytes as a quoted, escaped JSON string (the rules above),
 * without builder state: for callers assembling JSON by hand.
 * @return 0 or -1 */
int warden_json_escape( warden_buf *b, const char *s, size_t len );

/* --- the builder ------------------------------------------------------ */

/** Opens an object or array, as a value (after a key, in an array, or at
 * the top).  @return 0 or -1 */
int warden_json_begin_object( warden_buf *b );
int warden_json_begin_array( warden_buf *b );

/** Closes the innermost object or array; -1 when it is of the other kind,
 * or a key is still waiting for its value. */
int warden_json_end_object( warden_buf *b );
int warden_json_end_array( warden_buf *b );

/** Writes a member name (NUL-terminated; escaped like any string) in the
 * innermost object; the next call must write its value. */
int warden_json_key( warden_buf *b, const char *key );

/** A string value of len bytes (escaped; may hold NULs). */
int warden_json_str( warden_buf *b, const char *s, size_t len );

/** A string value from a NUL-terminated string; NULL writes null. */
int warden_json_cstr( warden_buf *b, const char *s );

/** A string value holding the standard base64 (RFC 4648 section 4,
 * padded, no line breaks) of len bytes: for binary attribute values. */
int warden_json_base64( warden_buf *b, const void *p, size_t len );

/** Numbers, booleans and null. */
int warden_json_int( warden_buf *b, long long v );
int warden_json_uint( warden_buf *b, unsigned long long v );
int warden_json_bool( warden_buf *b, int v );
int warden_json_null( warden_buf *b );

/** A string value "YYYY-MM-DDTHH:MM:SS.uuuuuuZ": the time in UTC with
 * microseconds, as ECS's @timestamp expects (and as wardenctl's --since
 * and --until compare).  NULL writes the current time (CLOCK_REALTIME).
 * A time outside the years 0000 to 9999, or tv_nsec outside 0 ..
 * 999999999, has no such form: -1, as a misuse. */
int warden_json_time( warden_buf *b, const struct timespec *ts );

/** A value the caller has already written as JSON (a number it formatted,
 * an object another buffer built), copied as it is, with the builder's
 * comma in front.  The caller vouches for it being one valid JSON value
 * in UTF-8 without raw line breaks. */
int warden_json_raw( warden_buf *b, const char *json, size_t len );

/* --- bounded values ------------------------------------------------------ */

/** Bytes of a value's beginning kept in its bounded form. */
#define WARDEN_JSON_HEAD	64

/** A value that may be too long for a record.  At most max bytes: as
 * warden_json_str(), or, with binary set and a value that is not UTF-8,
 * as {"base64":"..."}.  Longer: in a bounded form that still identifies
 * it,
 *
 *	{"truncated":true,"len":N,"sha256":"<64 lower-case hex>","head":"..."}
 *
 * N the value's length in bytes, the SHA-256 of all its bytes, and head
 * its first WARDEN_JSON_HEAD bytes or fewer, cut at a character boundary
 * (absent when those are not UTF-8).  A writer gives max so that a record
 * stays far below the trail's limit, whatever the directory holds.
 * @return 0 or -1 (sticky, as every builder call) */
int warden_json_bounded( warden_buf *b, const char *s, size_t len, size_t max,
	int binary );

#endif /* WARDEN_AUDITJSON_H */
