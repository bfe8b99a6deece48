#!/bin/sh
# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
# Runs the integration tests (pytest, Debian's python3) against the real
# slapd with the built module.  Called by 'make check'.
srcdir=$(cd "$(dirname "$0")" && pwd)
out=${WARDEN_BUILDDIR:-.}/tests/integration
mkdir -p "$out"
/usr/bin/python3 -m pytest -q -p no:cacheprovider -rfE \
	--junitxml="$out/results.xml" "$srcdir"
rc=$?
# pytest's "no tests ran" is a failure here.
[ $rc -eq 5 ] && rc=1
exit $rc
