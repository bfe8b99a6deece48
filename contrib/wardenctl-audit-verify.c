/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* wardenctl-audit-verify.c - wardenctl audit verify: the chain of
 * overlay/lib/auditlog.h over the files, and a trail's checkpoint (what it
 * reports is in wardenctl-audit.c's comment)
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "keyring.h"
#include "wardenctl-audit.h"

/* --- verify ------------------------------------------------------------- */

/* Where the record with sequence number want is, in the rest of the files
 * (from file fi, line after lineno); for telling reordered from missing. */
static int
find_seq( char **files, int nfiles, int fi, unsigned long after, uint64_t want,
	char *where, size_t wlen )
{
	wa_reader r;
	warden_audit_link l;
	int rc;

	for ( ; fi < nfiles; fi++, after = 0 ) {
		if ( wa_reader_open( &r, files[fi] ) ) return 0;
		while ( ( rc = wa_reader_next( &r ) ) == 1 ) {
			if ( r.r_lineno <= after ) continue;
			if ( !warden_audit_parse( r.r_line, r.r_len, &l ) && l.al_seq == want ) {
				snprintf( where, wlen, "%s:%lu", files[fi], r.r_lineno );
				wa_reader_close( &r );
				return 1;
			}
		}
		wa_reader_close( &r );
	}
	return 0;
}

/* The checkpoint of a trail (auditlog.h, CHECKPOINTS), read and its MAC
 * checked against every key of the key file.  0, or 1 (bad, said), 2 */
static int
read_checkpoint( const char *path, const char *keyfile, uint64_t *seq,
	unsigned char hash[WARDEN_AUDIT_HASH_LEN] )
{
	unsigned char keys[WARDEN_KEYS_MAX][WARDEN_AUDIT_HASH_LEN];
	char line[WARDEN_AUDIT_CHECKPOINT_MAX];
	int nk = 0, rc;
	size_t n;
	FILE *f;

	if ( !keyfile ) {
		fprintf( stderr, "wardenctl: --checkpoint needs --key-file: "
			"checkpoints are signed with a key derived from it\n" );
		return 2;
	}
	if ( !( f = fopen( path, "r" ) ) ) {
		fprintf( stderr, "wardenctl: %s: %s\n", path, strerror( errno ) );
		return 2;
	}
	n = fread( line, 1, sizeof( line ), f );
	fclose( f );
	if ( wa_load_keys( keyfile, WARDEN_AUDIT_LABEL_CHECKPOINT, keys, &nk ) )
		return 2;
	rc = warden_audit_checkpoint_parse(
		(const unsigned char (*)[WARDEN_AUDIT_HASH_LEN])keys, nk, line, n,
		seq, hash );
	OPENSSL_cleanse( keys, sizeof( keys ) );
	if ( rc == -1 ) {
		printf( "%s: not a warden audit checkpoint\n", path );
		return 1;
	}
	if ( rc == -2 ) {
		printf( "%s: the checkpoint's signature does not verify with the "
			"key file (forged, edited, or another key file)\n", path );
		return 1;
	}
	return 0;
}

int
wa_verify( FILE *out, char **files, int nfiles, const char *keyfile,
	const char *cpfile, int allow_empty )
{
	unsigned char cp_hash[WARDEN_AUDIT_HASH_LEN];
	uint64_t cp_seq = 0;
	int cp_seen = 0;
	unsigned char keys[WARDEN_KEYS_MAX][WARDEN_AUDIT_HASH_LEN];
	unsigned char prev[WARDEN_AUDIT_HASH_LEN], d[WARDEN_AUDIT_HASH_LEN];
	warden_audit_hasher *h[WARDEN_KEYS_MAX] = { NULL };
	int nh = 1, cur = 0, fi, i, rc = 2, started = 0, r_rc;
	uint64_t last = 0, count = 0;
	char hex[2 * WARDEN_AUDIT_HASH_LEN + 1], where[4200];
	wa_reader r;

	if ( cpfile && ( rc = read_checkpoint( cpfile, keyfile, &cp_seq,
			cp_hash ) ) )
		return rc;
	rc = 2;
	if ( keyfile ) {
		if ( wa_load_keys( keyfile, WARDEN_AUDIT_LABEL_CHAIN, keys, &nh ) ) return 2;
		for ( i = 0; i < nh; i++ )
			h[i] = warden_audit_hasher_new( keys[i], WARDEN_AUDIT_HASH_LEN );
		OPENSSL_cleanse( keys, sizeof( keys ) );
	} else {
		h[0] = warden_audit_hasher_new( NULL, 0 );
	}
	for ( i = 0; i < nh; i++ ) {
		if ( !h[i] ) {
			fprintf( stderr, "wardenctl: cannot set up SHA-256 (OpenSSL)\n" );
			goto out;
		}
	}

#define BAD( ... ) do { \
	fprintf( out, "%s:%lu: seq %llu: ", r.r_path, r.r_lineno, \
		(unsigned long long)l.al_seq ); \
	fprintf( out, __VA_ARGS__ ); \
	fputc( '\n', out ); \
	fprintf( out, "%llu records verified before it\n", \
		(unsigned long long)count ); \
	wa_reader_close( &r ); \
	rc = 1; \
	goto out; \
} while ( 0 )

	for ( fi = 0; fi < nfiles; fi++ ) {
		if ( wa_reader_open( &r, files[fi] ) ) goto out;
		while ( ( r_rc = wa_reader_next( &r ) ) == 1 ) {
			warden_audit_link l = { 0 };

			if ( r.r_torn ) {
				if ( warden_audit_parse( r.r_line, r.r_len, &l ) ) l.al_seq = last + 1;
				BAD( "torn: the last line has no end of line (a write cut "
					"short, or the file truncated)" );
			}
			if ( warden_audit_parse( r.r_line, r.r_len, &l ) ) {
				l.al_seq = last + 1;
				BAD( "torn or edited: not a complete audit record (its "
					"chain members are missing or damaged)" );
			}
			if ( warden_audit_hasher_digest( h[cur], l.al_prev, r.r_line,
				l.al_body, d ) ) {
				fprintf( stderr, "wardenctl: OpenSSL failed\n" );
				wa_reader_close( &r );
				goto out;
			}
			if ( memcmp( d, l.al_hash, sizeof( d ) ) ) {
				/* a key rotation: another key of the file may fit */
				for ( i = 0; i < nh; i++ ) {
					if ( i == cur ) continue;
					if ( !warden_audit_hasher_digest( h[i], l.al_prev,
						r.r_line, l.al_body, d ) &&
						!memcmp( d, l.al_hash, sizeof( d ) ) ) break;
				}
				if ( i == nh ) {
					BAD( "edited: the record's hash does not match its "
						"content%s", keyfile ? " (or it was written under "
						"a key not in the key file)" : " (or the trail is "
						"keyed: give --key-file)" );
				}
				cur = i;
			}
			if ( !started ) {
				static const unsigned char genesis[WARDEN_AUDIT_HASH_LEN];

				started = 1;
				if ( l.al_seq != 1 || memcmp( l.al_prev, genesis, sizeof( genesis ) ) )
					fprintf( stderr, "note: the chain starts at seq %llu "
						"(%s:%lu), not at the beginning of the trail: "
						"older records are not among the files given\n",
						(unsigned long long)l.al_seq, r.r_path, r.r_lineno );
			} else {
				if ( l.al_seq == 1 ) {
					BAD( "a new trail begins here: the records before are "
						"not linked to it" );
				}
				if ( l.al_seq > last + 1 ) {
					if ( find_seq( files, nfiles, fi, r.r_lineno, last + 1,
						where, sizeof( where ) ) )
						BAD( "reordered: seq %llu was expected here and "
							"comes later, at %s",
							(unsigned long long)( last + 1 ), where );
					if ( l.al_seq == last + 2 )
						BAD( "missing: the record with seq %llu before it "
							"is not in the files (deleted)",
							(unsigned long long)( last + 1 ) );
					BAD( "missing: the records with seq %llu to %llu "
						"before it are not in the files (deleted)",
						(unsigned long long)( last + 1 ),
						(unsigned long long)( l.al_seq - 1 ) );
				}
				if ( l.al_seq <= last ) {
					BAD( "reordered: seq %llu comes after seq %llu (records "
						"moved or repeated, or files out of order)",
						(unsigned long long)l.al_seq,
						(unsigned long long)last );
				}
				if ( memcmp( l.al_prev, prev, sizeof( prev ) ) ) {
					BAD( "broken link: its previous hash is not the hash of "
						"the record before it (that record was replaced, or "
						"the files are from two trails)" );
				}
			}
			if ( cpfile && l.al_seq == cp_seq ) {
				if ( memcmp( l.al_hash, cp_hash, sizeof( cp_hash ) ) ) {
					warden_audit_hex( cp_hash, hex );
					BAD( "not the record of the checkpoint: %s says seq "
						"%llu has hash %s (the trail was rewritten from "
						"there, or another trail)", cpfile,
						(unsigned long long)cp_seq, hex );
				}
				cp_seen = 1;
			}
			memcpy( prev, l.al_hash, sizeof( prev ) );
			last = l.al_seq;
			count++;
		}
		wa_reader_close( &r );
		if ( r_rc == -2 ) {
			fprintf( out, "%llu records verified before it\n",
				(unsigned long long)count );
			rc = 1;
			goto out;
		}
		if ( r_rc < 0 ) goto out;
	}
#undef BAD
	if ( cpfile && ( !count || last < cp_seq ) ) {
		char at[48];

		if ( count ) snprintf( at, sizeof( at ), "at seq %llu",
			(unsigned long long)last );
		else snprintf( at, sizeof( at ), "with no record" );
		fprintf( out, "truncated: the trail ends %s, before its checkpoint "
			"(seq %llu in %s): records were removed from its end%s\n",
			at, (unsigned long long)cp_seq, cpfile, count ? "" :
			" (or the files were emptied)" );
		if ( count )
			fprintf( out, "%llu records verified before the end\n",
				(unsigned long long)count );
		rc = 1;
		goto out;
	}
	if ( !count && !allow_empty ) {
		fprintf( out, "0 records: the files hold no record (an emptied trail?); "
			"--allow-empty accepts an empty trail\n" );
		rc = 1;
		goto out;
	}
	if ( !count ) {
		fprintf( out, "0 records verified (no records in the files)\n" );
	} else {
		warden_audit_hex( prev, hex );
		fprintf( out, "%llu records verified; last seq %llu, hash %s\n",
			(unsigned long long)count, (unsigned long long)last, hex );
	}
	if ( cpfile && cp_seen )
		fprintf( out, "checkpoint verified: seq %llu is in the trail with the "
			"checkpoint's hash\n", (unsigned long long)cp_seq );
	else if ( cpfile )
		fprintf( out, "checkpoint verified: the trail goes past its seq %llu "
			"(that record is in older files)\n",
			(unsigned long long)cp_seq );
	rc = 0;

out:
	for ( i = 0; i < nh; i++ ) warden_audit_hasher_free( h[i] );
	return rc;
}

