/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* wardenctl-report-output.c - wardenctl report's three formats
 *
 * Text for a terminal (one line per user, then totals), JSON lines with
 * an @timestamp for a SIEM, CSV for a spreadsheet.  Secrets never reach
 * here: a wr_user holds a password's {SCHEME} and whether a seed is
 * wrapped, nothing more.
 */

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "wardenctl-report.h"

static const char *const wr_role_names[WR_ROLES] = {
	"admin", "helpdesk", "auditor" };

static void
wr_fmt_time( char *out, size_t len, long long t, int date_only )
{
	time_t tt = (time_t)t;
	struct tm tm;

	if ( t < 0 || !gmtime_r( &tt, &tm ) ) {
		snprintf( out, len, "-" );
		return;
	}
	strftime( out, len, date_only ? "%Y-%m-%d" : "%Y-%m-%dT%H:%M:%SZ", &tm );
}

/* --- output -------------------------------------------------------------- */

static void
wr_json_time( warden_buf *b, const char *key, long long t )
{
	char s[32];

	warden_json_key( b, key );
	if ( t < 0 ) {
		warden_json_null( b );
		return;
	}
	wr_fmt_time( s, sizeof( s ), t, 0 );
	warden_json_cstr( b, s );
}

static void
wr_emit_json( wr_run *r, const wr_user *u )
{
	warden_buf *b = &r->buf;
	int i;

	warden_buf_reset( b );
	warden_json_begin_object( b );
	warden_json_key( b, "@timestamp" ); warden_json_cstr( b, r->stamp );
	warden_json_key( b, "event.kind" ); warden_json_cstr( b, "state" );
	warden_json_key( b, "event.module" ); warden_json_cstr( b, "warden" );
	warden_json_key( b, "event.dataset" ); warden_json_cstr( b, "warden.report" );
	warden_json_key( b, "user.id" ); warden_json_cstr( b, u->dn );
	warden_json_key( b, "user.name" ); warden_json_cstr( b, u->uid );
	warden_json_key( b, "user.roles" );
	warden_json_begin_array( b );
	for ( i = 0; i < WR_ROLES; i++ )
		if ( u->roles[i] ) warden_json_cstr( b, wr_role_names[i] );
	warden_json_end_array( b );
	warden_json_key( b, "warden.policy" );
	warden_json_cstr( b, u->policy[0] ? u->policy : NULL );
	warden_json_key( b, "warden.mfa.enrolled" ); warden_json_bool( b, !!u->mfa );
	warden_json_key( b, "warden.mfa.method" ); warden_json_cstr( b, u->mfa );
	warden_json_key( b, "warden.mfa.required" );
	warden_json_bool( b, u->mfa_required );
	warden_json_key( b, "warden.mfa.required_by" );
	warden_json_cstr( b, u->mfa_required_by );
	warden_json_key( b, "warden.mfa.raw_seeds" );
	if ( u->raw_seeds < 0 ) warden_json_null( b );
	else warden_json_int( b, u->raw_seeds );
	warden_json_key( b, "warden.password.scheme" );
	warden_json_cstr( b, u->scheme[0] ? u->scheme : NULL );
	warden_json_key( b, "warden.password.cleartext" );
	warden_json_bool( b, u->cleartext );
	warden_json_key( b, "warden.password.weak" ); warden_json_bool( b, u->weak );
	wr_json_time( b, "warden.password.changed", u->changed );
	warden_json_key( b, "warden.password.age_days" );
	if ( u->changed < 0 ) warden_json_null( b );
	else warden_json_int( b, r->now > u->changed ?
		( r->now - u->changed ) / 86400 : 0 );
	wr_json_time( b, "warden.password.expires", u->expires );
	warden_json_key( b, "warden.password.status" );
	warden_json_cstr( b, u->pw_status );
	warden_json_key( b, "warden.password.grace_remaining" );
	if ( u->grace_left < 0 ) warden_json_null( b );
	else warden_json_int( b, u->grace_left );
	wr_json_time( b, "warden.account.last_success", u->last_success );
	wr_json_time( b, "warden.account.last_active", u->last_active );
	warden_json_key( b, "warden.account.dormant" ); warden_json_bool( b, u->dormant );
	warden_json_key( b, "warden.account.disabled" );
	warden_json_bool( b, u->disabled );
	warden_json_key( b, "warden.account.disabled_reason" );
	warden_json_cstr( b, u->disabled && u->reason[0] ? u->reason : NULL );
	warden_json_key( b, "warden.account.locked" ); warden_json_bool( b, u->locked );
	wr_json_time( b, "warden.account.locked_since", u->locked ?
		u->locked_since : -1 );
	wr_json_time( b, "warden.account.locked_until", u->locked ?
		u->locked_until : -1 );
	warden_json_end_object( b );
	if ( warden_buf_failed( b ) ) {
		r->failed = WC_EXIT_LOCAL;
		return;
	}
	fwrite( b->wb_data, 1, b->wb_len, stdout );
	fputc( '\n', stdout );
}

/* A CSV field (RFC 4180): quoted when it holds a comma, quote or line
 * break; a leading = + - @ is prefixed with ' so that a spreadsheet does
 * not run it as a formula. */
static void
wr_csv( const char *s, int last )
{
	const char *c;
	int q;

	if ( !s ) s = "";
	q = strpbrk( s, ",\"\r\n" ) != NULL;
	if ( q ) fputc( '"', stdout );
	if ( *s && strchr( "=+-@", *s ) && strcmp( s, "-" ) ) fputc( '\'', stdout );
	for ( c = s; *c; c++ ) {
		if ( *c == '"' ) fputc( '"', stdout );
		fputc( *c, stdout );
	}
	if ( q ) fputc( '"', stdout );
	fputc( last ? '\n' : ',', stdout );
}

static const char wr_csv_header[] =
	"dn,user,roles,policy,mfa_enrolled,mfa_method,mfa_required,raw_seeds,"
	"password_scheme,cleartext,weak_hash,password_changed,password_age_days,"
	"password_expires,password_status,grace_remaining,last_success,"
	"last_active,dormant,disabled,disabled_reason,locked,locked_since\n";

static void
wr_roles_str( const wr_user *u, char *out, size_t len, const char *sep )
{
	int i;

	out[0] = '\0';
	for ( i = 0; i < WR_ROLES; i++ ) {
		if ( !u->roles[i] ) continue;
		if ( out[0] ) strncat( out, sep, len - strlen( out ) - 1 );
		strncat( out, wr_role_names[i], len - strlen( out ) - 1 );
	}
}

static void
wr_emit_csv( wr_run *r, const wr_user *u )
{
	char roles[64], t[32], n[32];

	wr_roles_str( u, roles, sizeof( roles ), ";" );
	wr_csv( u->dn, 0 );
	wr_csv( u->uid, 0 );
	wr_csv( roles, 0 );
	wr_csv( u->policy, 0 );
	wr_csv( u->mfa ? "true" : "false", 0 );
	wr_csv( u->mfa, 0 );
	wr_csv( u->mfa_required ? "true" : "false", 0 );
	snprintf( n, sizeof( n ), "%d", u->raw_seeds );
	wr_csv( u->raw_seeds < 0 ? "" : n, 0 );
	wr_csv( u->scheme, 0 );
	wr_csv( u->cleartext ? "true" : "false", 0 );
	wr_csv( u->weak ? "true" : "false", 0 );
	wr_fmt_time( t, sizeof( t ), u->changed, 0 );
	wr_csv( u->changed < 0 ? "" : t, 0 );
	snprintf( n, sizeof( n ), "%lld", r->now > u->changed ?
		( r->now - u->changed ) / 86400 : 0 );
	wr_csv( u->changed < 0 ? "" : n, 0 );
	wr_fmt_time( t, sizeof( t ), u->expires, 0 );
	wr_csv( u->expires < 0 ? "" : t, 0 );
	wr_csv( u->pw_status, 0 );
	snprintf( n, sizeof( n ), "%lld", u->grace_left );
	wr_csv( u->grace_left < 0 ? "" : n, 0 );
	wr_fmt_time( t, sizeof( t ), u->last_success, 0 );
	wr_csv( u->last_success < 0 ? "" : t, 0 );
	wr_fmt_time( t, sizeof( t ), u->last_active, 0 );
	wr_csv( u->last_active < 0 ? "" : t, 0 );
	wr_csv( u->dormant ? "true" : "false", 0 );
	wr_csv( u->disabled ? "true" : "false", 0 );
	wr_csv( u->disabled ? u->reason : "", 0 );
	wr_csv( u->locked ? "true" : "false", 0 );
	wr_fmt_time( t, sizeof( t ), u->locked_since, 0 );
	wr_csv( u->locked && u->locked_since >= 0 ? t : "", 1 );
}


static void
wr_emit_text( wr_run *r, const wr_user *u )
{
	char mfa[8], hash[48], age[24], exp[32], last[32], roles[32],
		flags[128];

	snprintf( mfa, sizeof( mfa ), "%s", u->mfa ? u->mfa : "-" );
	snprintf( hash, sizeof( hash ), "%s", u->scheme[0] ? u->scheme : "-" );
	if ( u->changed < 0 ) snprintf( age, sizeof( age ), "-" );
	else snprintf( age, sizeof( age ), "%lldd", r->now > u->changed ?
		( r->now - u->changed ) / 86400 : 0 );
	if ( u->expires < 0 ) snprintf( exp, sizeof( exp ), "never" );
	else wr_fmt_time( exp, sizeof( exp ), u->expires, 1 );
	if ( u->last_success < 0 ) snprintf( last, sizeof( last ), "never" );
	else wr_fmt_time( last, sizeof( last ), u->last_success, 1 );
	wr_roles_str( u, roles, sizeof( roles ), "," );
	if ( !roles[0] ) snprintf( roles, sizeof( roles ), "-" );
	flags[0] = '\0';
#define FLAG( cond, s ) do { if ( cond ) { \
	if ( flags[0] ) strncat( flags, ",", sizeof( flags ) - strlen( flags ) - 1 ); \
	strncat( flags, s, sizeof( flags ) - strlen( flags ) - 1 ); } } while ( 0 )
	FLAG( u->disabled, "disabled" );
	FLAG( u->locked, "locked" );
	FLAG( u->dormant, "dormant" );
	FLAG( u->pw_status && !strcmp( u->pw_status, "expired" ), "expired" );
	FLAG( u->pw_status && !strcmp( u->pw_status, "grace" ), "grace" );
	FLAG( u->pw_status && !strcmp( u->pw_status, "warning" ), "expiring" );
	FLAG( u->cleartext, "cleartext" );
	FLAG( u->weak, "weak-hash" );
	FLAG( u->raw_seeds > 0, "raw-seed" );
	FLAG( u->mfa_required && !u->mfa, "no-mfa" );
#undef FLAG
	if ( !flags[0] ) snprintf( flags, sizeof( flags ), "-" );
	printf( WR_TEXT_FMT, u->uid, mfa, u->mfa_required ? "yes" : "no", hash,
		age, exp, last, roles, flags, u->dn );
}

void
wr_emit_totals( wr_run *r )
{
	wr_totals *t = &r->tot;
	warden_buf *b = &r->buf;
	int i;

	if ( r->format == WR_CSV ) return;
	if ( r->format == WR_TEXT ) {
		printf( "\n"
			"users                     %lu\n"
			"MFA enrolled              %lu\n"
			"MFA required              %lu\n"
			"  required, not enrolled  %lu\n"
			"passwords expired         %lu\n"
			"  in grace                %lu\n"
			"dormant                   %lu\n"
			"disabled                  %lu\n"
			"locked                    %lu\n"
			"cleartext passwords       %lu\n"
			"weak hashes               %lu\n"
			"raw TOTP seeds            %lu\n"
			"  users holding them      %lu\n",
			t->t_users, t->t_enrolled, t->t_required, t->t_missing,
			t->t_expired, t->t_grace, t->t_dormant, t->t_disabled,
			t->t_locked, t->t_cleartext, t->t_weak, t->t_raw,
			t->t_raw_users );
		for ( i = 0; i < WR_ROLES; i++ )
			printf( "role %-20s %lu\n", wr_role_names[i], t->t_roles[i] );
		if ( r->failed )
			printf( "INCOMPLETE: the directory refused part of the "
				"search (see the error)\n" );
		return;
	}
	warden_buf_reset( b );
	warden_json_begin_object( b );
	warden_json_key( b, "@timestamp" ); warden_json_cstr( b, r->stamp );
	warden_json_key( b, "event.kind" ); warden_json_cstr( b, "metric" );
	warden_json_key( b, "event.module" ); warden_json_cstr( b, "warden" );
	warden_json_key( b, "event.dataset" ); warden_json_cstr( b, "warden.report.totals" );
#define T( k, v ) do { warden_json_key( b, "warden.report." k ); \
	warden_json_uint( b, v ); } while ( 0 )
	T( "users", t->t_users );
	T( "mfa_enrolled", t->t_enrolled );
	T( "mfa_required", t->t_required );
	T( "mfa_missing", t->t_missing );
	T( "expired", t->t_expired );
	T( "grace", t->t_grace );
	T( "dormant", t->t_dormant );
	T( "disabled", t->t_disabled );
	T( "locked", t->t_locked );
	T( "cleartext", t->t_cleartext );
	T( "weak_hash", t->t_weak );
	T( "raw_seeds", t->t_raw );
	T( "raw_seed_users", t->t_raw_users );
	T( "role.admin", t->t_roles[WR_ADMIN] );
	T( "role.helpdesk", t->t_roles[WR_HELPDESK] );
	T( "role.auditor", t->t_roles[WR_AUDITOR] );
#undef T
	warden_json_key( b, "warden.report.complete" );
	warden_json_bool( b, !r->failed );
	warden_json_end_object( b );
	if ( warden_buf_failed( b ) ) {
		r->failed = WC_EXIT_LOCAL;
		return;
	}
	fwrite( b->wb_data, 1, b->wb_len, stdout );
	fputc( '\n', stdout );
}

void
wr_emit_header( wr_run *r )
{
	if ( r->format == WR_CSV ) fputs( wr_csv_header, stdout );
	if ( r->format == WR_TEXT )
		printf( WR_TEXT_FMT, "USER", "MFA", "REQ", "HASH", "AGE", "EXPIRES",
			"LAST BIND", "ROLES", "FLAGS", "DN" );
}

void
wr_emit_user( wr_run *r, const wr_user *u )
{
	switch ( r->format ) {
	case WR_JSON: wr_emit_json( r, u ); break;
	case WR_CSV: wr_emit_csv( r, u ); break;
	default: wr_emit_text( r, u ); break;
	}
}
