#!/bin/sh
# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
# Signs release artefacts: for each FILE, FILE.sha256 (sha256sum's format,
# the file's base name, for 'sha256sum -c') and FILE.asc (a detached,
# ASCII-armoured OpenPGP signature, for 'gpg --verify FILE.asc FILE'),
# then checks both.  With --out DIR the files are copied into DIR first,
# with the signing key's public half as DIR/warden-release-key.asc.
#
# usage: contrib/release.sh [--key KEY] [--out DIR] FILE...
#
# KEY (a fingerprint, key id or user id of a secret key in gpg's keyring,
# $GNUPGHOME or ~/.gnupg) is --key, else $WARDEN_SIGNING_KEY; one of them
# is required, so that a release is never signed by whatever key happens
# to be the default.  make release runs it on make distcheck's tarball and
# make deb's package.
set -eu

die() { echo "release: $*" >&2; exit 2; }

key=${WARDEN_SIGNING_KEY:-}
out=
while [ $# -gt 0 ]; do
	case $1 in
	--key) [ $# -ge 2 ] || die "--key needs a value"; key=$2; shift 2 ;;
	--out) [ $# -ge 2 ] || die "--out needs a directory"; out=$2; shift 2 ;;
	--) shift; break ;;
	-*) die "unknown option $1 (usage: release.sh [--key KEY] [--out DIR] FILE...)" ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || die "no file to sign (usage: release.sh [--key KEY] [--out DIR] FILE...)"
[ -n "$key" ] || die "no signing key: give --key KEY or set WARDEN_SIGNING_KEY (gpg --list-secret-keys shows yours)"
command -v gpg >/dev/null || die "gpg is not installed (apt-get install gnupg)"
gpg --batch --list-secret-keys -- "$key" >/dev/null 2>&1 ||
	die "no secret key '$key' in gpg's keyring (${GNUPGHOME:-~/.gnupg})"
for f in "$@"; do
	[ -f "$f" ] || die "$f: no such file"
done

if [ -n "$out" ]; then
	mkdir -p "$out"
	for f in "$@"; do
		cp -p "$f" "$out/"
	done
	gpg --batch --yes --armor --export --output "$out/warden-release-key.asc" -- "$key"
fi

for f in "$@"; do
	if [ -n "$out" ]; then
		dir=$out
	else
		dir=$(dirname "$f")
	fi
	name=$(basename "$f")
	# Written under another name and renamed: no half-written sum or
	# signature is left by a failure.
	(cd "$dir" && sha256sum -- "$name" > "$name.sha256.tmp" &&
		mv "$name.sha256.tmp" "$name.sha256")
	rm -f "$dir/$name.asc.tmp"
	gpg --batch --yes --local-user "$key" --armor --detach-sign \
		--output "$dir/$name.asc.tmp" -- "$dir/$name"
	mv "$dir/$name.asc.tmp" "$dir/$name.asc"
	(cd "$dir" && sha256sum --quiet -c -- "$name.sha256") ||
		die "$dir/$name: the sum just written does not verify"
	gpg --batch --verify -- "$dir/$name.asc" "$dir/$name" 2>/dev/null ||
		die "$dir/$name: the signature just made does not verify"
	echo "$dir/$name $dir/$name.sha256 $dir/$name.asc"
done
