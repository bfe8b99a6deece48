#!/bin/sh
# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
# Obtains the OpenLDAP source of the installed slapd and configures it with
# Debian's own options, so that an overlay compiled against its headers has
# the same struct layouts as /usr/sbin/slapd.  Prints the tree's path.
#
# usage: contrib/openldap-source.sh [DIR]     (default: ./openldap-src)
#
# Refuses when the source version differs from the installed slapd: a module
# built against other headers loads silently and corrupts memory.
set -eu

dest=${1:-openldap-src}
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)

installed=$(dpkg-query -W -f='${Version}' slapd 2>/dev/null) || {
	echo "openldap-source: slapd is not installed (apt-get install slapd)" >&2
	exit 1
}
upstream=${installed#*:}
upstream=${upstream%%+*}
upstream=${upstream%%-*}

tree=$(ls -d "$dest"/openldap-"$upstream"* 2>/dev/null | head -n 1 || true)
if [ -z "$tree" ] || [ ! -f "$tree/.warden-configured" ]; then
	rm -rf "$dest"/openldap-* "$dest"/openldap_*
	(cd "$dest" && apt-get source -qq "openldap=$installed" >/dev/null 2>&1) || {
		echo "openldap-source: 'apt-get source openldap=$installed' failed:" >&2
		echo "  deb-src lines are needed (contrib/install-deps.sh adds them)" >&2
		echo "  and the archive must still carry version $installed" >&2
		exit 1
	}
	tree=$(ls -d "$dest"/openldap-"$upstream"* 2>/dev/null | head -n 1)
	[ -n "$tree" ] || { echo "openldap-source: no source tree unpacked in $dest" >&2; exit 1; }

	srcver=$(dpkg-parsechangelog -l "$tree/debian/changelog" -S Version)
	if [ "$srcver" != "$installed" ]; then
		echo "openldap-source: source is $srcver but installed slapd is $installed; refusing" >&2
		exit 1
	fi

	# Configure as debian/rules does.
	eval "$(DEB_CFLAGS_MAINT_APPEND='-Wall -D_FILE_OFFSET_BITS=64 -D_GNU_SOURCE' \
		DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh)"
	# configure.options holds shell-quoted values like --libexecdir='${prefix}/lib'.
	opts=$(grep -v '^#' "$tree/debian/configure.options" | tr -d "'" | tr '\n' ' ')
	set -f
	(cd "$tree" && ./configure --prefix=/usr --sysconfdir=/etc \
		--localstatedir=/var --libdir=/usr/lib/x86_64-linux-gnu \
		--runstatedir=/run $opts) > "$dest/configure.log" 2>&1 || {
		echo "openldap-source: configure failed, see $dest/configure.log" >&2
		exit 1
	}
	set +f
	make -C "$tree/include" >> "$dest/configure.log" 2>&1
	echo "$installed" > "$tree/.warden-configured"
fi

srcver=$(cat "$tree/.warden-configured")
if [ "$srcver" != "$installed" ]; then
	echo "openldap-source: $tree was configured for $srcver but installed slapd is $installed; remove $dest and run again" >&2
	exit 1
fi
echo "$tree"
