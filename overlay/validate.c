/* validate.c - validation of warden's configuration values */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "validate.h"

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
	if ( st->st_uid != geteuid() && st->st_uid != 0 ) {
		snprintf( msg, len, "\"%s\" is owned by uid %u, not by slapd's "
			"user (uid %u) or root", path, (unsigned)st->st_uid,
			(unsigned)geteuid() );
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

	if ( check_absolute( path, msg, len ) ) return -1;
	if ( stat( path, &st ) < 0 ) {
		snprintf( msg, len, "cannot use \"%s\": %s", path, strerror( errno ) );
		return -1;
	}
	if ( !S_ISDIR( st.st_mode ) ) {
		snprintf( msg, len, "\"%s\" is not a directory", path );
		return -1;
	}
	if ( check_owner( path, &st, msg, len ) ) return -1;
	if ( access( path, R_OK | W_OK | X_OK ) < 0 ) {
		snprintf( msg, len, "\"%s\" is not writable by slapd's user "
			"(uid %u): %s", path, (unsigned)geteuid(), strerror( errno ) );
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
		if ( errno == ENOENT ) return 0;
		snprintf( msg, len, "cannot use \"%s\": %s", path, strerror( errno ) );
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
	return check_owner( path, &st, msg, len );
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
