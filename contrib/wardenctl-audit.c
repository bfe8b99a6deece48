/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* wardenctl-audit.c - wardenctl audit: verify, tail and export audit trails
 *
 *	wardenctl audit verify [--key-file F [--checkpoint CP]] [--allow-empty] FILE...
 *	wardenctl audit tail [-n N] [FILTERS] FILE
 *	wardenctl audit export [FILTERS] [--pseudonymize --key-file F] FILE...
 *	wardenctl audit export [FILTERS] [--key-file F [--pseudonymize]]
 *		--trail NAME=FILE[,FILE...] [--trail ...]
 *
 * FILTERS: --since TIME, --until TIME, --dn DN, --action ACTION[,ACTION...]
 *
 * verify checks the chain of overlay/lib/auditlog.h over the files given in
 * chain order (oldest first: audit.log.2 audit.log.1 audit.log): every
 * record's hash, its sequence number, and its link to the record before,
 * across files.  It prints "N records verified" with the last sequence
 * number and hash (note them: records cut off the end of the newest file
 * leave no trace in the files themselves) and exits 0, or names the first
 * bad record as FILE:LINE (seq N) with what is wrong, and exits 1:
 *	edited		the record's hash does not match its content
 *	missing		sequence numbers jump, and the ones skipped are nowhere
 *			later in the files: records were deleted
 *	reordered	the skipped sequence number comes later, or a number
 *			comes again or goes back
 *	torn		the last line has no end of line (a write cut short, or
 *			the file truncated), or a line is not a complete record
 *	broken link	the sequence is right but the previous hash is not the
 *			previous record's: a record was replaced, or files were
 *			given out of order or from two trails
 * Records cut off the end leave no trace in the files: with --checkpoint
 * CP (the file warden-audit-checkpoint names; needs --key-file, whose keys
 * check its signature), verify also fails ("truncated", exit 1) when the
 * trail ends before the checkpoint's sequence number, and when the record
 * with that number has another hash than the checkpoint says.  Files that
 * hold no record at all fail (exit 1) unless --allow-empty is given.
 * --key is another name of --key-file.
 * A chain that does not start at the genesis value is accepted with a note
 * (the oldest files were rotated away); a new trail starting in the middle
 * is not.  With --key-file, records must carry HMACs under the chain key
 * derived from a key of that key file (any of them, so a trail written
 * across a key rotation verifies); without it, plain SHA-256.  Exit 2 on
 * other errors.
 *
 * Every command reads a line only up to WARDEN_AUDIT_LINE_MAX bytes
 * (auditlog.h: the longest record the writer accepts, with its chain
 * members): a longer line is no record, and reading stops there with
 * "FILE:LINE: a line longer than N bytes: not an audit record" and exit 1,
 * so a wrong file (/dev/zero, a binary) costs at most that much memory.
 *
 * tail prints the last N (default 10) records of FILE that pass the
 * filters, as they are.  export prints every record of the files that
 * passes the filters, as JSON Lines; records it cannot read are named on
 * standard error and skipped (exit 1 at the end).
 *
 * Filters: --since and --until take a UTC time, YYYY-MM-DD[THH:MM[:SS]]
 * (a space may replace T; a trailing Z is allowed), or an age: N followed
 * by s, m, h or d ("2h": two hours ago); since is inclusive, until
 * exclusive, compared with the record's @timestamp.  --dn keeps records
 * whose ldap.dn, ldap.new_dn or user.name is DN or below it (compared
 * without regard to ASCII case and to blanks around ',' and '=').
 * --action keeps records whose event.action is one of the list.
 *
 * --pseudonymize replaces direct identifiers by keyed pseudonyms,
 * "pseudo:" and 32 hex digits (the first 128 bits of HMAC-SHA-256 under the
 * key derived from the key file's active key with the label
 * WARDEN_AUDIT_LABEL_PSEUDONYM: the same value gives the same pseudonym in
 * every export with the same key file, so records can still be correlated,
 * and nobody without the key can tell whose they are or test a guess).
 * Replaced, with any value they hold (strings, numbers, every string in an
 * array or object):
 *	user.name, user.id, user.email, user.full_name, user.domain, user.target.*,
 *	user.effective.*, related.user, related.ip, ldap.dn, ldap.new_dn,
 *	ldap.new_superior, ldap.bind_dn, source.ip, source.address,
 *	source.domain, client.ip, client.address, client.domain
 * (DNs and user.name are lower-cased first, so case does not split one
 * identity into two pseudonyms), and in ldap.changes, whatever the members
 * "values", "values_base64", "value", "old_values" and "new_values" hold,
 * at any depth (the attribute values; attribute names and operations stay).
 * Free text (message) is left alone: the overlay puts no identifiers there.
 * Pseudonymized records drop "warden.prev" and "warden.hash" (with the
 * plain chain the hash of the original record would let anyone test a
 * guessed identity against it) and gain "warden.pseudonymized":true; they
 * no longer verify.  Verify the trail itself before exporting.
 */


#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wardenctl-audit.h"

int wc_audit( int argc, char **argv );

static const char *wa_usage =
	"usage: wardenctl audit verify [--key-file F [--checkpoint CP]] [--allow-empty]\n"
	"                              FILE...  (oldest first)\n"
	"       wardenctl audit tail [-n N] [FILTERS] FILE\n"
	"       wardenctl audit export [FILTERS] [--pseudonymize --key-file F] FILE...\n"
	"       wardenctl audit export [FILTERS] [--key-file F [--pseudonymize]]\n"
	"                              --trail NAME=FILE[,FILE...] --trail ...  (servers merged)\n"
	"FILTERS: --since TIME --until TIME (UTC YYYY-MM-DD[THH:MM[:SS]], or 30m, 2h, 7d\n"
	"         ago), --dn DN (the entry or below), --action ACTION[,ACTION...]\n";

/* --- the command ---------------------------------------------------------- */

int
wc_audit( int argc, char **argv )
{
	static const struct option longopts[] = {
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		{ "dn", required_argument, NULL, 'd' },
		{ "action", required_argument, NULL, 'a' },
		{ "key-file", required_argument, NULL, 'k' },
		{ "key", required_argument, NULL, 'k' },
		{ "checkpoint", required_argument, NULL, 'c' },
		{ "allow-empty", no_argument, NULL, 'E' },
		{ "pseudonymize", no_argument, NULL, 'p' },
		{ "trail", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 } };
	wa_opts o;
	const char *cmd;
	char *actions = NULL, *end;
	const char *cpfile = NULL;
	char **trails = NULL;
	int c, rc = 2, filters = 0, nact = 0, allow_empty = 0, ntrails = 0;

	memset( &o, 0, sizeof( o ) );
	o.o_n = 10;
	warden_buf_init( &o.o_filter.fl_dn );
	warden_buf_init( &o.o_filter.fl_tmp );
	if ( argc < 2 ) goto usage;
	cmd = argv[1];
	argc--;
	argv++;
	optind = 1;
	while ( ( c = getopt_long( argc, argv, "n:h", longopts, NULL ) ) != -1 ) {
		switch ( c ) {
		case 'n':
			errno = 0;
			o.o_n = strtol( optarg, &end, 10 );
			if ( errno || *end || o.o_n < 0 ) {
				fprintf( stderr, "wardenctl: -n %s: not a count\n", optarg );
				goto done;
			}
			filters |= 1;
			break;
		case 'S': case 'U': {
			long long t;

			if ( wa_parse_when( optarg, &t ) ) {
				fprintf( stderr, "wardenctl: %s: not a time (YYYY-MM-DD"
					"[THH:MM[:SS]] in UTC, or an age such as 30m, 2h, 7d)\n",
					optarg );
				goto done;
			}
			if ( c == 'S' ) {
				o.o_filter.fl_since = t;
				o.o_filter.fl_since_set = 1;
			} else {
				o.o_filter.fl_until = t;
				o.o_filter.fl_until_set = 1;
			}
			filters |= 2;
			break;
			}
		case 'd':
			wa_dn_norm( optarg, &o.o_filter.fl_dn );
			o.o_filter.fl_dn.wb_len = strlen( o.o_filter.fl_dn.wb_data );
			filters |= 2;
			break;
		case 'a': {
			char *tok, *save = NULL;

			free( actions );
			if ( !( actions = strdup( optarg ) ) ) goto done;
			free( o.o_filter.fl_actions );
			o.o_filter.fl_actions = calloc( strlen( optarg ) + 2,
				sizeof( char * ) );
			if ( !o.o_filter.fl_actions ) goto done;
			nact = 0;
			for ( tok = strtok_r( actions, ",", &save ); tok;
				tok = strtok_r( NULL, ",", &save ) )
				o.o_filter.fl_actions[nact++] = tok;
			filters |= 2;
			break;
			}
		case 'k': o.o_keyfile = optarg; break;
		case 'c': cpfile = optarg; break;
		case 'E': allow_empty = 1; break;
		case 'p': o.o_pseudo = 1; break;
		case 't': {
			char **n = realloc( trails, ( ntrails + 1 ) * sizeof( *n ) );

			if ( !n ) goto done;
			trails = n;
			trails[ntrails++] = optarg;
			break;
			}
		case 'h':
			fputs( wa_usage, stdout );
			rc = 0;
			goto done;
		default:
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if ( ntrails && ( strcmp( cmd, "export" ) || argc ) ) goto usage;
	if ( !strcmp( cmd, "verify" ) ) {
		if ( argc < 1 || filters || o.o_pseudo ) goto usage;
		rc = wa_verify( stdout, argv, argc, o.o_keyfile, cpfile, allow_empty );
	} else if ( !strcmp( cmd, "tail" ) ) {
		if ( argc != 1 || o.o_pseudo || o.o_keyfile || cpfile ||
			allow_empty ) goto usage;
		rc = wa_tail( argv[0], &o );
	} else if ( !strcmp( cmd, "export" ) && ntrails ) {
		/* --key-file: the trails' key, and the pseudonyms' */
		if ( ( filters & 1 ) || cpfile || allow_empty ) goto usage;
		rc = wa_merge( trails, ntrails, &o );
	} else if ( !strcmp( cmd, "export" ) ) {
		if ( argc < 1 || ( filters & 1 ) || cpfile || allow_empty ) goto usage;
		if ( o.o_keyfile && !o.o_pseudo ) goto usage;
		rc = wa_export( argv, argc, &o );
	} else {
		goto usage;
	}
	goto done;

usage:
	fputs( wa_usage, stderr );
	rc = 2;
done:
	free( trails );
	free( actions );
	free( o.o_filter.fl_actions );
	warden_buf_free( &o.o_filter.fl_dn );
	warden_buf_free( &o.o_filter.fl_tmp );
	return rc;
}

