#!/bin/sh
# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
#
# The layout's rules (ARCHITECTURE.md), checked on the sources:
# - a capability (overlay/lockout, password, mfa, access, audit, ssh) includes
#   warden.h, its own folder's headers, and lib and backend headers; never
#   another capability's header, nor the core's private core.h;
# - overlay/core/warden.h includes no capability header and not core.h;
# - backend/ includes nothing of overlay/, and no slapd header;
# - overlay/lib includes no slapd header and nothing of the core or the
#   capabilities.
# Prints every breach as FILE:LINE: what; exits 1 when there is one.
top=${WARDEN_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top" || exit 99
caps="lockout password mfa access audit ssh"
slapd_headers='portable.h slap.h slap-config.h proto-slap.h lber_pvt.h ldap_pvt.h ldap_pvt_thread.h ldap_rq.h lutil.h lutil_hash.h lutil_ldap.h ldap_config.h ldap_defaults.h'
bad=0
out=$(mktemp) || exit 99
trap 'rm -f "$out"' EXIT

say() { echo "layout: $*"; bad=1; }

# the names of the headers (basename) that live in a folder
headers_in() { for h in "$@"; do [ -d "$h" ] && ls "$h" | grep '\.h$'; done; }

libback=$(headers_in overlay/lib backend)
for cap in $caps; do
	own=$(headers_in overlay/$cap)
	for f in overlay/$cap/*.[ch]; do
		[ -f "$f" ] || continue
		grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
		while IFS=: read -r line text; do
			h=$(echo "$text" | sed 's/.*"\(.*\)".*/\1/')
			case " warden.h $(echo $own) $(echo $libback) " in
			*" $h "*) ;;
			*) echo "layout: $f:$line: a capability includes \"$h\" (only warden.h, its own folder's, lib and backend headers)" ;;
			esac
		done
	done
done > "$out"
for cap in $caps core.h; do
	case $cap in core.h) hs=core.h ;; *) hs=$(headers_in overlay/$cap) ;; esac
	for h in $hs; do
		grep -n "^[[:space:]]*#[[:space:]]*include[[:space:]]*\"$h\"" overlay/core/warden.h |
			sed "s|^\([0-9]*\):.*|layout: overlay/core/warden.h:\1: includes \"$h\": the core contract includes no capability header|" >> "$out"
	done
done
overlay_headers=$(headers_in overlay/core $(for c in $caps; do echo overlay/$c; done))
for f in $(find backend overlay/lib -path backend/lmdb -prune -o -name '*.[ch]' -print); do
	grep -n '^[[:space:]]*#[[:space:]]*include' "$f" |
	while IFS=: read -r line text; do
		h=$(echo "$text" | sed 's/.*[<"]\(.*\)[>"].*/\1/')
		case " $(echo $slapd_headers) " in
		*" $h "*) echo "layout: $f:$line: includes slapd's \"$h\" (lib and backend run without slapd)" ;;
		esac
		case "$h" in ac/*) echo "layout: $f:$line: includes slapd's \"$h\"" ;; esac
		case " $(echo $overlay_headers) " in
		*" $h "*) echo "layout: $f:$line: includes \"$h\" of the overlay (lib and backend never do)" ;;
		esac
	done
done >> "$out"
if [ -s "$out" ]; then
	cat "$out"
	bad=1
fi
[ $bad = 0 ] && echo "layout: capabilities, core, lib and backend keep to their includes"
exit $bad
