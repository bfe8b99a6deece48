#!/bin/sh
# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
# Builds the Debian package of warden from a source tree (make deb gives it
# the tree of the release tarball, make distdir's) and checks it with
# lintian.  The .deb, .buildinfo, .changes and the lintian report end up in
# the tree's parent directory, where dpkg-buildpackage writes them.
#
# usage: contrib/deb.sh TREE
#
# Environment: WARDEN_OPENLDAP_SOURCE, the configured OpenLDAP source tree
# (make deb passes configure's --with-openldap-source; without it the
# package build uses TREE/openldap-src, fetching it if needed);
# WARDEN_DEB_VERSION, a version for the binary package other than
# debian/changelog's (e.g. 0.1.0+local1 for a local rebuild).
# Prints the path of the .deb.
set -eu

tree=$(cd "$1" && pwd)
out=$(dirname "$tree")
cd "$tree"

version=${WARDEN_DEB_VERSION:-$(dpkg-parsechangelog -S Version)}
arch=$(dpkg-architecture -q DEB_HOST_ARCH)
deb=$out/warden_${version}_${arch}.deb
log=$out/warden_${version}_${arch}.build.log
rm -f "$deb"

# -b: binary only; -us -uc: unsigned (a release is signed as a whole,
# contrib/release.sh); -j2: the machines are small.
if ! dpkg-buildpackage -b -us -uc -j2 > "$log" 2>&1; then
	tail -n 30 "$log" >&2
	echo "deb: dpkg-buildpackage failed (log: $log)" >&2
	exit 1
fi
[ -f "$deb" ] || { echo "deb: dpkg-buildpackage made no $deb (log: $log)" >&2; exit 1; }

# Lintian: errors fail the build; warnings are listed in the report.
report=$out/warden_${version}_${arch}.lintian
if ! lintian --fail-on error --display-info "$deb" > "$report" 2>&1; then
	cat "$report" >&2
	echo "deb: lintian found errors in $deb (report: $report)" >&2
	exit 1
fi
echo "$deb"
