/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* wardenctl-audit.h - what the parts of wardenctl audit share
 *
 * wardenctl-audit.c parses the command line; wardenctl-audit-read.c reads
 * trails (a checking JSON reader, the fields filters look at, files line
 * by line, keys); wardenctl-audit-verify.c checks the chain;
 * wardenctl-audit-export.c prints records (tail, export, pseudonyms).
 * Memory is plain malloc; every function that fills a warden_buf or a
 * struct has a matching free.
 */
#ifndef WARDENCTL_AUDIT_H
#define WARDENCTL_AUDIT_H

#include <stdint.h>
#include <stdio.h>

#include "auditjson.h"
#include "auditlog.h"

/* --- the JSON reader: records are written by auditjson.c, but a file may
 * have been edited: the reader checks everything it reads, and a line
 * that is not a JSON object is reported, never half read. */

#define JS_DEPTH	64

/* One member of the top-level object. */
typedef struct js_member {
	const char	*m_kraw, *m_kend;	/* the key as written, quotes included */
	const char	*m_key;			/* decoded, NUL-terminated */
	const char	*m_val, *m_vend;	/* the value as written */
} js_member;

typedef int (*js_member_fn)( void *ctx, const js_member *m );

/** Skips blanks from *p up to e. */
void wa_js_ws( const char **p, const char *e );
/** A string at *pp (its opening quote), decoded into out unless NULL;
 * *pp moves past it.  @return 0, or -1: not a valid JSON string */
int wa_js_str( const char **pp, const char *e, warden_buf *out );
/** Skips one value of any kind, nested depth deep at most (JS_DEPTH).
 * @return 0 or -1 */
int wa_js_skip( const char **pp, const char *e, int depth );
/** Calls fn for each member of the object that is the whole line; stops at
 * fn's first non-zero return.  @return 0, or -1: not one JSON object, or
 * fn failed */
int wa_js_object( const char *line, size_t len, js_member_fn fn, void *ctx );

/* --- the fields filters look at */

typedef struct wa_fields {
	warden_buf	f_time, f_action, f_dn, f_newdn, f_user;
	int		f_has_time, f_has_action;
} wa_fields;

void wa_fields_init( wa_fields *f );
void wa_fields_free( wa_fields *f );

/** A filter's time in microseconds: UTC YYYY-MM-DD[THH:MM[:SS]], or an
 * age ("30m").  @return 0 or -1 */
int wa_parse_when( const char *s, long long *us );
/** A DN for comparison into out (NUL-terminated): ASCII lower case, no
 * blanks around ',' '=' '+'. */
void wa_dn_norm( const char *in, warden_buf *out );

typedef struct wa_filter {
	int		fl_since_set, fl_until_set;
	long long	fl_since, fl_until;
	warden_buf	fl_dn;		/* normalized, or empty */
	char		**fl_actions;	/* NULL-terminated, or NULL */
	warden_buf	fl_tmp;
} wa_filter;

/* --- files line by line */

typedef struct wa_reader {
	const char	*r_path;
	FILE		*r_f;
	char		*r_line;
	size_t		r_cap;
	size_t		r_len;		/* without the line end */
	unsigned long	r_lineno;
	int		r_torn;		/* the line had no line end */
} wa_reader;

/** Opens path for wa_reader_next().  @return 0, or -1 (said on stderr) */
int wa_reader_open( wa_reader *r, const char *path );
/** The next line into r->r_line (r_len, r_lineno, r_torn).
 * @return 1: a line; 0: the end; -1: a read error; -2: a line longer than
 *	any record (reported) */
int wa_reader_next( wa_reader *r );
void wa_reader_close( wa_reader *r );

/** Derived keys (auditlog.h's label) of every key in a key file, the
 * active one first.  @return 0, or -1 (said on stderr); the caller wipes
 * keys */
int wa_load_keys( const char *path, const char *label,
	unsigned char keys[][WARDEN_AUDIT_HASH_LEN], int *nkeys );

/* --- the commands */

typedef struct wa_opts {
	wa_filter	o_filter;
	long		o_n;
	const char	*o_keyfile;
	int		o_pseudo;
} wa_opts;

/** Whether the reader's line is a record that passes the filters; 0 or 1,
 * -1 when it cannot be read (said on stderr). */
int wa_line_passes( wa_reader *r, wa_opts *o, wa_fields *f );

/** wardenctl audit verify, tail, export: each returns the exit status.
 * verify reports to out (standard output for the command). */
int wa_verify( FILE *out, char **files, int nfiles, const char *keyfile,
	const char *cpfile, int allow_empty );
int wa_tail( const char *path, wa_opts *o );
int wa_export( char **files, int nfiles, wa_opts *o );

/** An export under way, record by record (wardenctl-audit-export.c). */
typedef struct wa_export_ctx wa_export_ctx;
/** Sets up an export as o says (--pseudonymize).  @return 0, or 2 (said);
 * wa_export_end() either way */
int wa_export_begin( wa_opts *o, wa_export_ctx **c );
/** Writes the reader's record to standard output: pseudonymized if asked,
 * with "warden.origin":origin added unless origin is NULL.
 * @return 0; 1 skipped (said); 2 out of memory */
int wa_export_line( wa_export_ctx *c, wa_reader *r, const char *origin );
/** Frees c and flushes standard output.  @return 0, or 2 (said) */
int wa_export_end( wa_export_ctx *c );

/** wardenctl audit export --trail NAME=FILE[,FILE...] ...: each trail
 * verified, then their records merged in time order with their origin
 * (wardenctl-audit-merge.c).  @return the exit status */
int wa_merge( char **trails, int ntrails, wa_opts *o );

#endif /* WARDENCTL_AUDIT_H */
