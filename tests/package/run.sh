#!/bin/sh
# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
# Runs the package and release tests (pytest, Debian's python3): they build
# the .deb with 'make deb', install it on this machine and purge it again,
# and sign a release with a throw-away key.  Called by 'make check-package'
# (contrib/test.sh runs it once, after 'make check'); root on Debian 12.
srcdir=$(cd "$(dirname "$0")" && pwd)
out=${WARDEN_BUILDDIR:-.}/tests/package
mkdir -p "$out"
/usr/bin/python3 -m pytest -q -p no:cacheprovider -rfE \
	--junitxml="$out/results.xml" "$srcdir" "$@"
rc=$?
[ $rc -eq 5 ] && rc=1
exit $rc
