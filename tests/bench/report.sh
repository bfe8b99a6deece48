#!/bin/sh
# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
# wardenctl report over a generated directory (README: Compliance report;
# BENCHMARKS.md): N users (default 100,000) slapadd-ed into a throw-away
# slapd with warden on 127.0.0.1, in every state the report shows (a
# policy with expiry, idle limit and an MFA group of 1,000; every tenth
# user its own TOTP token, every hundredth seed raw; role groups); then the
# time and peak memory of `wardenctl report` in each format, with
# ldapsearch's paged read of the same entries for comparison.
#
#	tests/bench/report.sh [--users N] [--page-size P] [--keep]
#	make -C build bench-report REPORT_ARGS="--users 100000"
#
# Environment: WARDEN_MODULE (warden.so), WARDENCTL, SLAPD, SLAPADD.
set -eu

users=100000
page=500
keep=0
while [ $# -gt 0 ]; do
	case $1 in
	--users) users=$2; shift 2 ;;
	--page-size) page=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	*) echo "usage: $0 [--users N] [--page-size P] [--keep]" >&2; exit 2 ;;
	esac
done

SLAPD=${SLAPD:-/usr/sbin/slapd}
SLAPADD=${SLAPADD:-/usr/sbin/slapadd}
: "${WARDEN_MODULE:?set WARDEN_MODULE to the built warden.so (make bench-report does)}"
: "${WARDENCTL:?set WARDENCTL to the built wardenctl (make bench-report does)}"
suffix=dc=bench,dc=test
root=cn=admin,$suffix
pw=secret

work=$(mktemp -d /tmp/wreport.XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
	if [ "$keep" = 1 ]; then echo "kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT INT TERM
mkdir -m 700 "$work/db" "$work/state"

port=
for p in $(seq 17489 17589); do
	[ -z "$(ss -Hltn "sport = :$p" 2>/dev/null)" ] && { port=$p; break; }
done
[ -n "$port" ] || { echo "no free port in 17489-17589" >&2; exit 1; }

hash=$(slappasswd -h '{SSHA}' -s "$pw")
cat > "$work/slapd.conf" <<EOF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
pidfile $work/slapd.pid
argsfile $work/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb.la
moduleload $WARDEN_MODULE
database mdb
suffix "$suffix"
rootdn "$root"
rootpw $hash
directory $work/db
maxsize 4294967296
index objectClass eq
overlay warden
warden-banned-list none
warden-state-dir $work/state
warden-default-policy cn=default,ou=policies,$suffix
warden-admin-group cn=admins,ou=groups,$suffix
warden-helpdesk-group cn=helpdesk,ou=groups,$suffix
warden-auditor-group cn=auditors,ou=groups,$suffix
EOF

now=$(date -u +%s)
awk -v n="$users" -v s="$suffix" -v h="$hash" -v now="$now" '
function gt(t) { return strftime("%Y%m%d%H%M%SZ", t, 1) }
BEGIN {
	printf "dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: bench\no: bench\n\n", s
	split("people policies groups", ous, " ")
	for (i in ous) printf "dn: ou=%s,%s\nobjectClass: organizationalUnit\nou: %s\n\n", ous[i], s, ous[i]
	printf "dn: cn=default,ou=policies,%s\nobjectClass: device\nobjectClass: pwdPolicy\n", s
	printf "objectClass: wardenPolicy\ncn: default\npwdAttribute: userPassword\n"
	printf "pwdMaxAge: 7776000\npwdExpireWarning: 604800\npwdGraceAuthNLimit: 2\n"
	printf "pwdMaxIdle: 5184000\npwdLockout: TRUE\npwdMaxFailure: 5\n"
	printf "wardenMFAGroup: cn=mfa,ou=groups,%s\n\n", s
	printf "dn: cn=mfa,ou=groups,%s\nobjectClass: groupOfNames\ncn: mfa\n", s
	for (i = 0; i < n && i < 1000; i++) printf "member: uid=u%d,ou=people,%s\n", i, s
	printf "\n"
	split("admins helpdesk auditors", gs, " ")
	for (g in gs) {
		printf "dn: cn=%s,ou=groups,%s\nobjectClass: groupOfNames\ncn: %s\n", gs[g], s, gs[g]
		for (i = g + 0; i < n && i < 30; i += 3) printf "member: uid=u%d,ou=people,%s\n", i, s
		printf "\n"
	}
	for (i = 0; i < n; i++) {
		printf "dn: uid=u%d,ou=people,%s\nobjectClass: inetOrgPerson\nobjectClass: posixAccount\n", i, s
		if (i % 10 == 0) printf "objectClass: oathTOTPUser\nobjectClass: oathTOTPToken\noathTOTPToken: uid=u%d,ou=people,%s\n", i, s
		if (i % 10 == 0 && i % 100 == 0) printf "oathSecret:: AAECAwQFBgcICQoLDA0ODxAREhM=\n"
		else if (i % 10 == 0) printf "oathSecret: {WARDEN1}k1$%s\n", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		printf "uid: u%d\ncn: u%d\nsn: u%d\nuidNumber: %d\ngidNumber: 10000\nhomeDirectory: /home/u%d\n", i, i, i, 10000 + i, i
		printf "userPassword: %s\n", h
		printf "createTimestamp: %s\n", gt(now - 400 * 86400)
		printf "pwdChangedTime: %s\n", gt(now - (i % 120) * 86400)
		if (i % 7) printf "pwdLastSuccess: %s\n", gt(now - (i % 90) * 86400)
		if (i % 1000 == 999) printf "pwdAccountLockedTime: 000001010000Z\n"
		printf "\n"
	}
}' > "$work/users.ldif"

t0=$(date +%s.%N)
"$SLAPADD" -q -f "$work/slapd.conf" -l "$work/users.ldif" > "$work/slapadd.log" 2>&1 || {
	cat "$work/slapadd.log" >&2; exit 1; }
t1=$(date +%s.%N)
echo "slapadd of $users users: $(echo "$t1 - $t0" | bc) s"

"$SLAPD" -d 0 -h "ldap://127.0.0.1:$port/" -f "$work/slapd.conf" > "$work/slapd.log" 2>&1 &
pid=$!
up=0
for _ in $(seq 300); do
	if ldapsearch -x -H "ldap://127.0.0.1:$port/" -b "" -s base > /dev/null 2>&1; then
		up=1; break
	fi
	sleep 0.1
done
[ "$up" = 1 ] || { cat "$work/slapd.log" >&2; echo "slapd did not start" >&2; exit 1; }

run() {	# label, command...
	label=$1; shift
	/usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/out" 2> "$work/err" || {
		cat "$work/err" >&2; echo "$label failed" >&2; exit 1; }
	set -- $(cat "$work/time")
	printf "%-34s %8s s  %8s KiB max RSS  %8s lines\n" "$label" "$1" "$2" \
		"$(wc -l < "$work/out")"
}
echo "$users users, page size $page, $(nproc) CPUs:"
run "ldapsearch (paged, same attributes)" ldapsearch -LLL -x -H "ldap://127.0.0.1:$port/" \
	-D "$root" -w "$pw" -b "$suffix" -E "pr=$page/noprompt" \
	"(|(objectClass=person)(objectClass=posixAccount)(objectClass=inetOrgPerson)(userPassword=*))" \
	uid userPassword pwdPolicySubentry pwdChangedTime pwdLastSuccess createTimestamp \
	pwdAccountLockedTime wardenDisabledReason wardenLockedUntil pwdGraceUseTime \
	oathTOTPToken oathHOTPToken oathSecret
# the rootdn over TCP reads no cn=config: the groups and policy as options
opts="--page-size $page --default-policy cn=default,ou=policies,$suffix
	--admin-group cn=admins,ou=groups,$suffix
	--helpdesk-group cn=helpdesk,ou=groups,$suffix
	--auditor-group cn=auditors,ou=groups,$suffix"
for f in json text csv; do
	# shellcheck disable=SC2086
	run "wardenctl report --format $f" "$WARDENCTL" -H "ldap://127.0.0.1:$port/" \
		-D "$root" -w "$pw" report --format "$f" $opts
done
echo "totals:"
# shellcheck disable=SC2086
"$WARDENCTL" -H "ldap://127.0.0.1:$port/" -D "$root" -w "$pw" report --format json \
	$opts | tail -n 1
