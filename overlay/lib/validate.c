/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* validate.c - validation of warden's configuration values */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "validate.h"

void
warden_slapd_user( char *who, size_t wholen, char *owner, size_t ownerlen )
{
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp = NULL;
	char buf[2048];
	uid_t uid = geteuid();
	gid_t gid = getegid();

	if ( getpwuid_r( uid, &pw, buf, sizeof( buf ), &pwp ) || !pwp ) pwp = NULL;
	if ( who ) {
		if ( pwp ) snprintf( who, wholen, "uid %u, %s", (unsigned)uid,
			pwp->pw_name );
		else snprintf( who, wholen, "uid %u", (unsigned)uid );
	}
	if ( !owner ) return;
	if ( pwp ) snprintf( owner, ownerlen, "%s", pwp->pw_name );
	else snprintf( owner, ownerlen, "%u", (unsigned)uid );
	if ( getgrgid_r( gid, &gr, buf, sizeof( buf ), &grp ) || !grp ) grp = NULL;
	if ( grp ) snprintf( owner + strlen( owner ), ownerlen - strlen( owner ),
		":%s", grp->gr_name );
	else snprintf( owner + strlen( owner ), ownerlen - strlen( owner ),
		":%u", (unsigned)gid );
}

static int
check_absolute( const char *path, char *msg, size_t len )
{
	if ( !path || path[0] != '/' ) {
		snprintf( msg, len, "\"%s\" is not an absolute path",
			path ? path : "" );
		return -1;
	}
	return 0;
}

static int
check_owner( const char *path, const struct stat *st, char *msg, size_t len )
{
	char who[160], owner[160];

	if ( st->st_uid != geteuid() && st->st_uid != 0 ) {
		warden_slapd_user( who, sizeof( who ), owner, sizeof( owner ) );
		snprintf( msg, len, "\"%s\" is owned by uid %u, not by slapd's "
			"user (%s) or root: chown %s %s", path, (unsigned)st->st_uid,
			who, owner, path );
		return -1;
	}
	if ( st->st_mode & ( S_IWGRP | S_IWOTH ) ) {
		snprintf( msg, len, "\"%s\" is writable by group or others "
			"(mode %04o): chmod go-w it", path,
			(unsigned)( st->st_mode & 07777 ) );
		return -1;
	}
	return 0;
}

int
warden_check_state_dir( const char *path, char *msg, size_t len )
{
	struct stat st;

	char who[160], owner[160];

	if ( check_absolute( path, msg, len ) ) return -1;
	warden_slapd_user( who, sizeof( who ), owner, sizeof( owner ) );
	if ( stat( path, &st ) < 0 ) {
		int err = errno;

		if ( err == ENOENT )
			snprintf( msg, len, "cannot use \"%s\": %s; create it for "
				"slapd's user (%s): mkdir -m 0700 %s && chown %s %s",
				path, strerror( err ), who, path, owner, path );
		else
			snprintf( msg, len, "cannot use \"%s\": %s", path,
				strerror( err ) );
		return -1;
	}
	if ( !S_ISDIR( st.st_mode ) ) {
		snprintf( msg, len, "\"%s\" is not a directory", path );
		return -1;
	}
	if ( check_owner( path, &st, msg, len ) ) return -1;
	if ( access( path, R_OK | W_OK | X_OK ) < 0 ) {
		snprintf( msg, len, "\"%s\" is not writable by slapd's user "
			"(%s): %s; chown %s %s && chmod 0700 %s", path, who,
			strerror( errno ), owner, path, path );
		return -1;
	}
	return 0;
}

int
warden_check_audit_path( const char *path, char *msg, size_t len )
{
	struct stat st;
	char dir[4096];
	const char *slash;

	if ( check_absolute( path, msg, len ) ) return -1;
	slash = strrchr( path, '/' );
	if ( slash[1] == '\0' ) {
		snprintf( msg, len, "\"%s\" names a directory, not a file", path );
		return -1;
	}
	if ( (size_t)( slash - path ) >= sizeof( dir ) ) {
		snprintf( msg, len, "path is too long" );
		return -1;
	}
	memcpy( dir, path, slash - path );
	dir[slash - path] = '\0';
	if ( dir[0] == '\0' ) strcpy( dir, "/" );
	if ( stat( dir, &st ) < 0 || !S_ISDIR( st.st_mode ) ) {
		snprintf( msg, len, "directory \"%s\" does not exist", dir );
		return -1;
	}
	if ( lstat( path, &st ) < 0 ) {
		char who[160], owner[160];

		if ( errno != ENOENT ) {
			snprintf( msg, len, "cannot use \"%s\": %s", path,
				strerror( errno ) );
			return -1;
		}
		/* created by slapd's user, and again after each rotation */
		if ( access( dir, W_OK | X_OK ) == 0 ) return 0;
		warden_slapd_user( who, sizeof( who ), owner, sizeof( owner ) );
		snprintf( msg, len, "directory \"%s\" is not writable by slapd's "
			"user (%s), which creates \"%s\" (and a new one after each "
			"rotation): chown %s %s && chmod 0750 %s", dir, who, path,
			owner, dir, dir );
		return -1;
	}
	if ( S_ISLNK( st.st_mode ) ) {
		snprintf( msg, len, "\"%s\" is a symbolic link; name the "
			"file itself", path );
		return -1;
	}
	if ( !S_ISREG( st.st_mode ) ) {
		snprintf( msg, len, "\"%s\" is not a regular file", path );
		return -1;
	}
	if ( check_owner( path, &st, msg, len ) ) return -1;
	if ( access( path, W_OK ) < 0 ) {
		char who[160], owner[160];
		int err = errno;

		warden_slapd_user( who, sizeof( who ), owner, sizeof( owner ) );
		snprintf( msg, len, "\"%s\" is not writable by slapd's user "
			"(%s): %s; chown %s %s && chmod 0600 %s", path, who,
			strerror( err ), owner, path, path );
		return -1;
	}
	return 0;
}

int
warden_open_audit_file( const char *path, int *fdp, char *msg, size_t len )
{
	struct stat st;
	int fd = -1;

	*fdp = -1;
	if ( warden_check_audit_path( path, msg, len ) ) return -1;

	/* O_NOFOLLOW: a symlink planted in a shared log directory must not
	 * redirect audit records; O_NONBLOCK: a FIFO must not hang slapd. */
	fd = open( path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
		O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0600 );
	if ( fd < 0 ) {
		if ( errno == ELOOP ) {
			snprintf( msg, len, "\"%s\" is a symbolic link; name the "
				"file itself", path );
		} else {
			snprintf( msg, len, "cannot open \"%s\" for appending: %s",
				path, strerror( errno ) );
		}
		return -1;
	}
	if ( fstat( fd, &st ) < 0 ) {
		snprintf( msg, len, "cannot stat \"%s\": %s", path, strerror( errno ) );
		goto fail;
	}
	if ( !S_ISREG( st.st_mode ) ) {
		snprintf( msg, len, "\"%s\" is not a regular file", path );
		goto fail;
	}
	if ( check_owner( path, &st, msg, len ) ) goto fail;
	if ( fcntl( fd, F_SETFL, O_WRONLY | O_APPEND ) < 0 ) {
		snprintf( msg, len, "cannot use \"%s\": %s", path, strerror( errno ) );
		goto fail;
	}
	*fdp = fd;
	return 0;

fail:
	close( fd );
	return -1;
}

int
warden_version_matches( const char *versionstr, const char *built_for )
{
	static const char tag[] = "slapd ";
	const char *p;
	size_t n = strlen( built_for );

	if ( !versionstr || n == 0 ) return 0;
	for ( p = strstr( versionstr, tag ); p; p = strstr( p + 1, tag ) ) {
		const char *v = p + sizeof( tag ) - 1;

		if ( !strncmp( v, built_for, n ) &&
			( v[n] == ' ' || v[n] == '\0' || v[n] == '\t' ) )
			return 1;
	}
	return 0;
}

/* --- the integer settings of a password policy entry ------------------------ */

#define INT31	2147483647LL	/* the most an LDAP Integer is read as */

/* Below the range, a value reads as the nearest end, except where that
 * end switches a protection off: a stored pwdMaxFailure of -1 must not
 * mean "never lock". */
static const warden_policy_range policy_ranges[] = {
	{ "pwdMaxFailure", 0, INT31, 1, INT31, "0: never lock" },
	{ "pwdLockoutDuration", 0, INT31, 0, INT31,
		"seconds; 0: until an administrator unlocks" },
	{ "pwdFailureCountInterval", 0, INT31, 0, INT31,
		"seconds; 0: until a successful bind" },
	{ "pwdMinLength", 0, 4096, 0, 4096, "characters" },
	{ "pwdMaxLength", 0, 4096, 0, 4096, "characters; 0: no maximum" },
	{ "pwdInHistory", 0, 1024, 0, 1024, "passwords" },
	{ "pwdMinAge", 0, INT31, 0, INT31, "seconds" },
	{ "pwdMaxAge", 0, INT31, 0, INT31, "seconds; 0: never expires" },
	{ "pwdGraceAuthNLimit", 0, INT31, 0, INT31, "binds" },
	{ "pwdExpireWarning", 0, INT31, 0, INT31, "seconds" },
	{ "pwdGraceExpiry", 0, INT31, 0, INT31,
		"seconds after expiry; 0: no limit" },
	{ "pwdMaxIdle", 0, INT31, 0, INT31,
		"seconds without a successful bind; 0: never dormant" },
	{ "pwdCheckQuality", 0, 2, 2, 2,
		"0: off, 1: when the value can be checked, 2: always" },
	{ "wardenLockoutBackoff", 1, 1000, 1, 1000, "factor; 1: no back-off" },
	{ "wardenLockoutMaxDuration", 0, INT31, 0, INT31,
		"seconds; 0: no cap" },
	{ "wardenLockoutBackoffReset", 0, INT31, 0, INT31,
		"seconds; 0: never" },
	{ "wardenSourceMaxFailure", 0, INT31, 1, INT31, "0: off" },
	{ "wardenSourceFailureInterval", 1, INT31, 300, INT31, "seconds" },
	{ "wardenMinClasses", 0, 4, 0, 4,
		"of lower-case, upper-case, digits, others" },
	{ "wardenMinLower", 0, 4096, 0, 4096, "characters" },
	{ "wardenMinUpper", 0, 4096, 0, 4096, "characters" },
	{ "wardenMinDigit", 0, 4096, 0, 4096, "characters" },
	{ "wardenMinOther", 0, 4096, 0, 4096, "characters" },
	{ "wardenMaxRepeat", 0, 4096, 0, 4096, "characters; 0: any" },
	{ "wardenMaxSequence", 0, 4096, 0, 4096, "characters; 0: any" },
	{ "wardenMFAGracePeriod", 0, INT31, 0, INT31, "seconds; 0: none" },
	{ NULL, 0, 0, 0, 0, NULL }
};

const warden_policy_range *
warden_policy_range_find( const char *name, size_t len )
{
	int i;

	for ( i = 0; policy_ranges[i].pr_name; i++ ) {
		if ( strlen( policy_ranges[i].pr_name ) == len &&
			!strncasecmp( policy_ranges[i].pr_name, name, len ) )
			return &policy_ranges[i];
	}
	return NULL;
}

const warden_policy_range *
warden_policy_range_at( int i )
{
	if ( i < 0 || i >= (int)( sizeof( policy_ranges ) /
			sizeof( policy_ranges[0] ) ) - 1 )
		return NULL;
	return &policy_ranges[i];
}

int
warden_policy_int_parse( const char *val, size_t len, long long *out )
{
	size_t i = 0;
	long long v = 0;
	int neg = 0, big = 0;

	if ( !val ) return -1;
	if ( len && val[0] == '-' ) {
		neg = 1;
		i = 1;
	}
	if ( i == len ) return -1;
	for ( ; i < len; i++ ) {
		if ( val[i] < '0' || val[i] > '9' ) return -1;
		if ( v > ( LLONG_MAX - ( val[i] - '0' ) ) / 10 ) big = 1;
		else v = v * 10 + ( val[i] - '0' );
	}
	*out = big ? ( neg ? LLONG_MIN : LLONG_MAX ) : ( neg ? -v : v );
	return 0;
}

int
warden_policy_value_check( const warden_policy_range *r, const char *val,
	size_t len, char *msg, size_t msglen )
{
	long long v;

	if ( warden_policy_int_parse( val, len, &v ) ) {
		snprintf( msg, msglen, "%s: \"%.*s\" is not an integer",
			r->pr_name, (int)( len > 64 ? 64 : len ), val );
		return -1;
	}
	if ( v < r->pr_min || v > r->pr_max ) {
		snprintf( msg, msglen, "%s: %.*s is out of range: allowed %lld "
			"to %lld (%s)", r->pr_name, (int)( len > 64 ? 64 : len ),
			val, r->pr_min, r->pr_max, r->pr_note );
		return -1;
	}
	return 0;
}

long long
warden_policy_value_read( const warden_policy_range *r, const char *val,
	size_t len, int *bad )
{
	long long v;

	*bad = 0;
	if ( warden_policy_int_parse( val, len, &v ) ) {
		/* not even a number: the strict end */
		*bad = 1;
		return r->pr_below;
	}
	if ( v < r->pr_min ) {
		*bad = 1;
		return r->pr_below;
	}
	if ( v > r->pr_max ) {
		*bad = 1;
		return r->pr_above;
	}
	return v;
}

int
warden_policy_lengths_check( long long min_length, long long max_length,
	char *msg, size_t msglen )
{
	if ( min_length < 0 || max_length <= 0 || min_length <= max_length )
		return 0;
	snprintf( msg, msglen, "pwdMinLength (%lld) is greater than "
		"pwdMaxLength (%lld): no password could be set", min_length,
		max_length );
	return -1;
}

int
warden_seed_length_check( size_t seedlen, char *msg, size_t msglen )
{
	if ( seedlen >= WARDEN_SEED_MIN ) return 0;
	snprintf( msg, msglen, "oathSecret: the seed is %zu bytes; at least "
		"%d bytes (128 bits, RFC 4226) are required", seedlen,
		WARDEN_SEED_MIN );
	return -1;
}
