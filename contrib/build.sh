#!/bin/sh
# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
# Installs the build dependencies (Debian 12, as root), obtains the OpenLDAP
# source of the installed slapd, and builds warden in ./build (and, with
# --asan, a sanitizer build in ./build-asan; with --fuzz, the libFuzzer
# harnesses of tests/fuzz in ./build-fuzz, compiled by clang).  Safe to run
# again: it only redoes what is out of date.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

sh contrib/install-deps.sh
src=$(sh contrib/openldap-source.sh "$top/openldap-src")

if [ ! -x configure ] || [ configure.ac -nt configure ] ||
	[ Makefile.am -nt Makefile.in ]; then
	autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
fi

build_one() {
	dir=$1
	shift
	mkdir -p "$dir"
	if [ ! -f "$dir/config.status" ] || [ configure -nt "$dir/config.status" ]; then
		if ! (cd "$dir" && ../configure --with-openldap-source="$src" "$@" \
				> configure.log 2>&1); then
			tail -n 20 "$dir/configure.log" >&2
			echo "build: configure failed in $dir (log: $dir/configure.log)" >&2
			exit 1
		fi
	fi
	make -C "$dir" -j2 -s $targets
}
targets=

build_one build
for opt in "$@"; do
	case $opt in
	--asan) build_one build-asan --enable-sanitizers ;;
	--fuzz)
		# only the harnesses: the module itself is gcc's
		targets=fuzz-build
		build_one build-fuzz --enable-fuzz CC=clang
		targets= ;;
	*) echo "build: unknown option $opt (--asan, --fuzz)" >&2; exit 2 ;;
	esac
done
