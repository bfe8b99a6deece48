#!/bin/sh
# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
# Installs, from Debian's archive, everything warden needs to build, run its
# tests and its demo.  Safe to run again.  Run as root on Debian 12.
set -eu

export DEBIAN_FRONTEND=noninteractive

PKGS="slapd ldap-utils libldap-dev libsasl2-dev libsasl2-modules libssl-dev liboath-dev oathtool
liblmdb-dev lmdb-utils autoconf automake libtool pkg-config make gcc dpkg-dev
check python3 python3-ldap python3-pytest libpwquality-dev libcrack2-dev
cracklib-runtime libqrencode-dev libpng-dev valgrind procps openssl
sssd-ldap sssd-common libpam-sss libnss-sss pamtester util-linux openssh-server openssh-client
nslcd libpam-ldapd libnss-ldapd iproute2 john-data tcpdump logrotate apparmor
debhelper lintian gnupg clang libclang-rt-14-dev libjansson-dev"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done

# openssh-server, openssh-client: the SSH key tests (a real sshd whose keys
# come from sssd; ssh-keygen makes the keys).  policy-rc.d or no init keeps
# the packaged sshd from starting; the tests run their own.
# debhelper, lintian: make deb (dpkg-buildpackage, debian/); gnupg: make
# release signs the tarball and the .deb (contrib/release.sh).
# clang, libclang-rt-14-dev, libjansson-dev: the fuzzing harnesses
# (tests/fuzz: libFuzzer, and jansson as the strict JSON parser).
# john-data: /usr/share/john/password.lst, the common-password list make
# builds the default banned-password index from (configure
# --with-banned-source).

# deb-src is needed for the OpenLDAP source tree (contrib/openldap-source.sh).
if [ ! -f /etc/apt/sources.list.d/warden-src.sources ]; then
	if [ -f /etc/apt/sources.list.d/debian.sources ]; then
		sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
			> /etc/apt/sources.list.d/warden-src.sources
	else
		echo "install-deps: no /etc/apt/sources.list.d/debian.sources to derive deb-src from" >&2
		exit 1
	fi
	need_update=1
fi

if [ -n "$missing" ] || [ -n "${need_update:-}" ] || ! [ -d /var/lib/apt/lists ] ||
	[ -z "$(ls /var/lib/apt/lists/*Sources* 2>/dev/null)" ]; then
	apt-get update -qq
fi

if [ -n "$missing" ]; then
	# The packaged slapd must not create a database or start: tests and the
	# demo run their own slapd processes.
	echo "slapd slapd/no_configuration boolean true" | debconf-set-selections
	# nslcd and libnss-ldapd: no LDAP in the host's nsswitch.conf, and a
	# configuration that points nowhere useful (the tests write their own).
	debconf-set-selections <<-EOF
	libnss-ldapd libnss-ldapd/nsswitch multiselect
	libnss-ldapd libnss-ldapd/clean_nsswitch boolean false
	nslcd nslcd/ldap-uris string ldap://127.0.0.1/
	nslcd nslcd/ldap-base string dc=example,dc=test
	EOF
	# libnss-sss, libpam-sss and libpam-ldapd add themselves to the host's
	# nsswitch.conf and PAM stack (libnss-sss even with the preseed above);
	# the tests run sssd and nslcd with private copies, so put the host's
	# back as it was.  Any module package's pam-auth-update call also
	# re-adds a profile that was only --remove'd before (it is no longer
	# "seen"): --disable, which is remembered, each of sss and ldap the
	# host's PAM did not use before.
	cp -p /etc/nsswitch.conf /etc/nsswitch.conf.warden-save 2>/dev/null || true
	pam_before=""
	for m in sss ldap; do
		grep -qs "pam_$m\.so" /etc/pam.d/common-auth /etc/pam.d/common-account \
			/etc/pam.d/common-password /etc/pam.d/common-session &&
			pam_before="$pam_before $m"
	done
	apt-get install -y -qq --no-install-recommends $missing
	# warden's dictionary check reads what cracklib-runtime builds
	[ -e /var/cache/cracklib/cracklib_dict.pwd ] || update-cracklib || true
	if [ -f /etc/nsswitch.conf.warden-save ]; then
		mv /etc/nsswitch.conf.warden-save /etc/nsswitch.conf
	fi
	if command -v pam-auth-update >/dev/null 2>&1; then
		for m in sss ldap; do
			case " $pam_before " in *" $m "*) continue ;; esac
			[ -f "/usr/share/pam-configs/$m" ] || continue
			pam-auth-update --package --disable "$m" >/dev/null 2>&1 || true
		done
	fi
	# The packaged nslcd starts (where services may start) against the
	# preseeded nowhere; the tests run their own.  Stop it, not at boot.
	case " $missing " in
	*" nslcd "*)
		invoke-rc.d nslcd stop >/dev/null 2>&1 || true
		update-rc.d nslcd disable >/dev/null 2>&1 || true ;;
	esac
fi

# Build dependencies of openldap: configure needs them to reach the same
# result (and struct layouts) as Debian's build.
if ! dpkg-query -W -f='${Status}' libwrap0-dev 2>/dev/null | grep -q "ok installed" ||
	! dpkg-query -W -f='${Status}' libargon2-dev 2>/dev/null | grep -q "ok installed"; then
	apt-get build-dep -y -qq openldap
fi
