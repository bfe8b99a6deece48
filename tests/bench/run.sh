#!/bin/bash
# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
# run.sh - benchmark driver for warden: loads one data set into several
# slapd instances (bare back-mdb, warden, and the peer stack ppolicy / otp /
# auditlog), runs every workload of wbench against each applicable instance,
# alternating instances over repetitions, and prints throughput, latency and
# slapd CPU per operation with ratios to bare and to the peer.
#
# usage: tests/bench/run.sh [--smoke | --callgrind] [options]   (--help)
#
# Only 127.0.0.1 is used; every slapd started here is stopped on exit.

set -u

wb_here=$(cd "$(dirname "$0")" && pwd)
wb_top=$(cd "$wb_here/../.." && pwd)

SLAPD=${SLAPD:-/usr/sbin/slapd}
SLAPADD=${SLAPADD:-/usr/sbin/slapadd}
SLAPPASSWD=${SLAPPASSWD:-/usr/sbin/slappasswd}
MODULEDIR=${MODULEDIR:-/usr/lib/ldap}
SCHEMADIR=${SCHEMADIR:-/etc/ldap/schema}
WARDEN_MODULE=${WARDEN_MODULE:-$wb_top/.libs/warden.so}
WBENCH=${WBENCH:-$wb_here/wbench}
WARDENCTL=${WARDENCTL:-$wb_top/wardenctl}
# warden's default banned-password list: the one beside the module's build
# unless told (slapd refuses to start when it has none)
if [ -z "${WARDEN_BANNED_DEFAULT:-}" ] && [ -f "$(dirname "$WARDEN_MODULE")/../banned.idx" ]; then
	WARDEN_BANNED_DEFAULT=$(cd "$(dirname "$WARDEN_MODULE")/.." && pwd)/banned.idx
	export WARDEN_BANNED_DEFAULT
fi

wb_suffix="dc=bench,dc=test"
wb_rootdn="cn=admin,$wb_suffix"
wb_rootpw="secret"
wb_userpw="secret"
wb_tmpl="uid=u%d,ou=people,$wb_suffix"

wb_mode=normal
wb_users=1000
wb_duration=5
wb_reps=3
wb_threads=2
wb_conns=2
wb_port_base=17389
wb_workloads="bind-new,bind-rebind,bind-totp,bind-fail-spread,bind-fail-one,modify,passwd"
wb_instances="bare,warden,ppolicy,otp,auditlog"
wb_keep=0
wb_nosync=0
wb_cg_ops=2000
wb_banned=0
wb_banned_set=0
wb_cold=0
wb_acc_big=100000
wb_pw_length=16
wb_out=
wb_workdir=
wb_reps_set=0
wb_users_set=0
wb_workloads_set=0
wb_instances_set=0
wb_count_syncs=0
wb_pin=1
wb_warm=1

wb_usage() {
	cat <<EOF
usage: $0 [options]
  --smoke            a few seconds: 200 users, 0.3 s per run, 1 repetition;
                     exit status 0 only if everything worked
  --callgrind        run bare, warden and ppolicy under valgrind callgrind and
                     report instructions per operation (bind-new by default)
  --users N          users in the data set [$wb_users]      --big  1,000,000 users
  --banned N         also run passwd on warden with a banned list of N entries
                     (instance warden-ban) and on the same without the
                     cracklib dictionary (warden-nodict); 0: neither
                     [0; --smoke: 10000]; the index's memory is reported
  --pw-length L      length of the passwords passwd sets, 12 to 24 [$wb_pw_length]
                     (the cracklib check costs more the longer they are)
  --duration S       seconds per run [$wb_duration]         --reps R  repetitions [$wb_reps]
  --threads T        wbench threads [$wb_threads]           --conns C  in flight per thread [$wb_conns]
  --workloads LIST   comma-separated [$wb_workloads]
  --instances LIST   comma-separated [$wb_instances]; warden brings its
                     variants (warden-acc10, warden-acc100k, warden-totp, ...),
                     which can also be named alone; -NAME leaves one out
  --cg-ops N         operations measured per callgrind run [$wb_cg_ops]
  --cold             before each run on warden-acc10/warden-acc100k, drop their
                     cached access decisions (a write to the allowed group), so
                     that each user's first bind decides anew; with --callgrind,
                     measures at most one bind per user
  --nosync           back-mdb with dbnosync (writes without fsync)
  --count-syncs      count slapd's fdatasync/fsync calls during modify and passwd
                     runs (perf stat on syscall tracepoints; needs perf and
                     root or perf_event_paranoid <= -1), and on warden-audit*
                     those on the audit file and the records written: a table
                     of syncs per operation and audit records per sync
  --no-warm          measure the binds from a cold start (by default every user
                     binds once on each instance before bind-new/bind-rebind,
                     and warden-totp's users carry today's pwdLastSuccess, so
                     that caches and the daily pwdLastSuccess are as in a
                     server that has been running)
  --no-pin           do not pin slapd and wbench to separate CPUs (by default,
                     with 2 or more CPUs, slapd gets the first half, wbench
                     the rest, so that the generator does not take slapd's)
  --port-base P      first port (kept below 32768) [$wb_port_base]
  --workdir DIR      where data and instances go [a new mktemp -d]
  --keep             keep the work directory
  --out FILE         also write the raw per-run results (TSV) to FILE
environment: WBENCH (generator, compiled from wbench.c when missing),
  WARDEN_MODULE [$WARDEN_MODULE], WARDENCTL (builds the banned index for
  --banned) [$WARDENCTL], WARDEN_CONF_EXTRA (extra slapd.conf lines
  after warden-state-dir), WARDEN_TOTP_ENROLL (command run as
  CMD URI ROOTDN ROOTPW SECRETS_FILE to enrol the TOTP users in warden; without
  it warden is skipped for bind-totp), WARDEN_BANNED_DEFAULT (warden's
  default banned-password index [the build's banned.idx beside WARDEN_MODULE]),
  SLAPD, SLAPADD, MODULEDIR, SCHEMADIR
EOF
}

wb_die() {
	echo "run.sh: $*" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--smoke) wb_mode=smoke ;;
	--callgrind) wb_mode=callgrind ;;
	--users) shift; wb_users=${1:-}; wb_users_set=1 ;;
	--big) wb_users=1000000; wb_users_set=1 ;;
	--banned) shift; wb_banned=${1:-}; wb_banned_set=1 ;;
	--pw-length) shift; wb_pw_length=${1:-} ;;
	--duration) shift; wb_duration=${1:-} ;;
	--reps) shift; wb_reps=${1:-}; wb_reps_set=1 ;;
	--threads) shift; wb_threads=${1:-} ;;
	--conns) shift; wb_conns=${1:-} ;;
	--workloads) shift; wb_workloads=${1:-}; wb_workloads_set=1 ;;
	--instances) shift; wb_instances=${1:-}; wb_instances_set=1 ;;
	--cg-ops) shift; wb_cg_ops=${1:-} ;;
	--cold) wb_cold=1 ;;
	--nosync) wb_nosync=1 ;;
	--count-syncs) wb_count_syncs=1 ;;
	--no-pin) wb_pin=0 ;;
	--no-warm) wb_warm=0 ;;
	--port-base) shift; wb_port_base=${1:-} ;;
	--workdir) shift; wb_workdir=${1:-} ;;
	--keep) wb_keep=1 ;;
	--out) shift; wb_out=${1:-} ;;
	-h|--help) wb_usage; exit 0 ;;
	*) wb_usage >&2; exit 2 ;;
	esac
	shift
done

wb_isint() {
	case $1 in ''|*[!0-9]*) return 1 ;; esac
	return 0
}

if [ $wb_mode = smoke ]; then
	[ $wb_users_set = 1 ] || wb_users=200
	wb_duration=0.3
	[ $wb_reps_set = 1 ] || wb_reps=1
	# the banned-list path too, with a list small enough to build in
	# well under a second
	[ $wb_banned_set = 1 ] || wb_banned=10000
fi
if [ $wb_mode = callgrind ]; then
	[ $wb_reps_set = 1 ] || wb_reps=1
	[ $wb_workloads_set = 1 ] || wb_workloads=bind-new
	[ $wb_instances_set = 1 ] || wb_instances=bare,warden,ppolicy
fi
for v in "$wb_users" "$wb_reps" "$wb_threads" "$wb_conns" "$wb_port_base" "$wb_cg_ops"; do
	wb_isint "$v" && [ "$v" -gt 0 ] || wb_die "bad numeric option: '$v'"
done
wb_isint "$wb_banned" || wb_die "bad --banned '$wb_banned'"
wb_isint "$wb_pw_length" && [ "$wb_pw_length" -ge 12 ] && [ "$wb_pw_length" -le 24 ] ||
	wb_die "bad --pw-length '$wb_pw_length' (12 to 24)"
case $wb_duration in ''|*[!0-9.]*) wb_die "bad --duration '$wb_duration'" ;; esac
[ "$wb_port_base" -lt 32000 ] || wb_die "--port-base must stay below 32768 (ephemeral range)"
[ "$wb_users" -ge "$wb_reps" ] || wb_die "--users must be at least --reps"

wb_workloads=${wb_workloads//,/ }
wb_instances=${wb_instances//,/ }
for w in $wb_workloads; do
	case $w in
	bind-new|bind-rebind|bind-totp|bind-fail-spread|bind-fail-one|modify|passwd) ;;
	*) wb_die "unknown workload $w" ;;
	esac
done
for i in $wb_instances; do
	case $i in
	bare|warden|ppolicy|otp|auditlog) ;;
	# warden's variants follow warden; these may also be named alone
	warden-totp|warden-acc10|warden-acc100k) ;;
	warden-audit|warden-audit-async) ;;
	-warden-*) ;;
	*) wb_die "unknown instance $i (warden-totp, warden-acc10, warden-acc100k, warden-audit, warden-audit-async, warden-otp, and with --banned warden-ban and warden-nodict, follow warden)" ;;
	esac
done

for t in "$SLAPD" "$SLAPADD" "$SLAPPASSWD"; do
	[ -x "$t" ] || wb_die "$t not found (apt-get install slapd)"
done
command -v ldapwhoami >/dev/null || wb_die "ldapwhoami not found (apt-get install ldap-utils)"
if [ $wb_mode = callgrind ]; then
	command -v valgrind >/dev/null && command -v callgrind_control >/dev/null ||
		wb_die "valgrind/callgrind_control not found (apt-get install valgrind)"
fi
if [ $wb_count_syncs = 1 ]; then
	[ $wb_mode != callgrind ] || wb_die "--count-syncs does not go with --callgrind"
	command -v perf >/dev/null || wb_die "--count-syncs: perf not found (apt-get install linux-perf)"
	perf stat -e syscalls:sys_enter_fdatasync -- true > /dev/null 2>&1 ||
		wb_die "--count-syncs: perf cannot count syscall tracepoints here (root, or perf_event_paranoid -1, and tracefs)"
fi

# --- the generator --------------------------------------------------------
if [ "$WBENCH" = "$wb_here/wbench" ] && [ -x "$WBENCH" ] &&
		{ [ "$wb_here/wbench.c" -nt "$WBENCH" ] || [ "$wb_here/wblist.h" -nt "$WBENCH" ]; }; then
	echo "run.sh: $WBENCH is older than wbench.c or wblist.h, rebuilding it" >&2
	rm -f "$WBENCH"
fi
if [ ! -x "$WBENCH" ]; then
	if [ ! -f "$wb_here/wbench.c" ]; then
		wb_die "$WBENCH missing and no wbench.c to build it from"
	fi
	echo "run.sh: compiling $WBENCH" >&2
	${CC:-cc} -O2 -g -Wall -Wextra -Werror -o "$WBENCH" "$wb_here/wbench.c" \
		-lldap -llber -loath -lpthread ||
		wb_die "cannot compile wbench.c (needs libldap-dev liboath-dev)"
fi

# --- work directory and clean-up -----------------------------------------
if [ -n "$wb_workdir" ]; then
	mkdir -p "$wb_workdir" || wb_die "cannot create $wb_workdir"
	[ -z "$(ls -A "$wb_workdir")" ] || wb_die "--workdir $wb_workdir is not empty"
	wb_work=$(cd "$wb_workdir" && pwd)
	wb_own_work=0
else
	wb_work=$(mktemp -d "${TMPDIR:-/tmp}/wbench.XXXXXX") || wb_die "mktemp failed"
	wb_own_work=1
fi

declare -A wb_pid wb_port wb_dir
wb_started=""
wb_failures=0

wb_stop_slapd() {
	local name=$1 pid n limit
	pid=${wb_pid[$name]:-}
	[ -n "$pid" ] || return 0
	limit=100
	[ $wb_mode = callgrind ] && limit=600
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null
		n=0
		while kill -0 "$pid" 2>/dev/null && [ $n -lt $limit ]; do
			sleep 0.1
			n=$((n + 1))
		done
		if kill -0 "$pid" 2>/dev/null; then
			echo "run.sh: $name (pid $pid) ignored SIGTERM, killing it" >&2
			kill -KILL "$pid" 2>/dev/null
		fi
	fi
	wait "$pid" 2>/dev/null
	wb_pid[$name]=
}

wb_cleanup() {
	local name
	trap - EXIT INT TERM
	if [ -n "${wb_sync_pid:-}" ]; then
		kill -INT "$wb_sync_pid" 2>/dev/null
		wait "$wb_sync_pid" 2>/dev/null
	fi
	for name in $wb_started; do
		wb_stop_slapd "$name"
	done
	if [ $wb_keep = 1 ] || [ $wb_own_work = 0 ]; then
		echo "run.sh: work directory kept: $wb_work" >&2
	else
		rm -rf "$wb_work"
	fi
}
trap wb_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- which instances take part in which workload ---------------------------
wb_have_warden=0
if [[ " $wb_instances" == *" warden"* ]]; then
	if [ -f "$WARDEN_MODULE" ]; then
		wb_have_warden=1
		case $WARDEN_MODULE in /*) ;; *) WARDEN_MODULE=$(pwd)/$WARDEN_MODULE ;; esac
	else
		echo "run.sh: SKIPPING warden: module $WARDEN_MODULE not found" \
			"(build it, or set WARDEN_MODULE)" >&2
	fi
fi
# --banned N: warden-ban and warden-nodict, which need wardenctl to build
# the index; asked for explicitly, a missing wardenctl is an error, in
# --smoke (10,000 by default) it only skips them
wb_have_banned=0
if [ $wb_have_warden = 1 ] && [ "$wb_banned" -gt 0 ]; then
	if [ -x "$WARDENCTL" ]; then
		wb_have_banned=1
		case $WARDENCTL in /*) ;; *) WARDENCTL=$(pwd)/$WARDENCTL ;; esac
	elif [ $wb_banned_set = 1 ]; then
		wb_die "--banned needs wardenctl: $WARDENCTL not found (build it, or set WARDENCTL)"
	else
		echo "run.sh: SKIPPING warden-ban and warden-nodict: $WARDENCTL not found" \
			"(build it, or set WARDENCTL)" >&2
	fi
fi

# wb_applies WORKLOAD INSTANCE
wb_applies() {
	case $2 in
	bare) [ "$1" != bind-totp ] ;;
	warden) [ $wb_have_warden = 1 ] && [ "$1" != bind-totp ] ;;
	# the password checks with the banned list, with and without the
	# dictionary: only what sets passwords
	warden-ban|warden-nodict) [ $wb_have_banned = 1 ] && [ "$1" = passwd ] ;;
	warden-otp)
		[ $wb_have_warden = 1 ] && [ -n "${WARDEN_TOTP_ENROLL:-}" ] &&
			[ "$1" = bind-totp ] ;;
	# TOTP: the otp instance's data, the secrets wrapped by warden
	warden-totp) [ $wb_have_warden = 1 ] && [ "$1" = bind-totp ] ;;
	# the access check: warden with a system allowing a group
	warden-acc10|warden-acc100k)
		[ $wb_have_warden = 1 ] &&
			{ [ "$1" = bind-new ] || [ "$1" = bind-rebind ]; } ;;
	# the audit trail, durable and asynchronous: the modify workload
	# (warden itself is the same without an audit file)
	warden-audit|warden-audit-async)
		[ $wb_have_warden = 1 ] && [ "$1" = modify ] ;;
	ppolicy)
		case $1 in bind-new|bind-rebind|bind-fail-*|passwd) return 0 ;; esac
		return 1 ;;
	otp) [ "$1" = bind-totp ] ;;
	auditlog) [ "$1" = modify ] || [ "$1" = passwd ] ;;
	*) return 1 ;;
	esac
}

# warden with the users' TOTP secrets is an instance of its own
# ("warden-totp": otp's data, the secrets wrapped by warden), like otp
# beside bare: enrolled users need codes; so are warden with the banned list
# ("warden-ban"), the same without the dictionary ("warden-nodict"), and
# warden with a system entry that allows a group of 10 or of 100,000 members
# ("warden-acc10", "warden-acc100k"), which follow warden; "warden-otp" is
# warden-totp enrolled by an outside command ($WARDEN_TOTP_ENROLL)
wb_all=
for i in $wb_instances; do
	case $i in -*) continue ;; esac
	for j in $i $([ "$i" = warden ] &&
			echo warden-ban warden-nodict warden-acc10 warden-acc100k warden-totp \
				warden-audit warden-audit-async); do
		[[ " $wb_all " == *" $j "* ]] || wb_all="$wb_all $j"
	done
done
[[ " $wb_instances " == *" warden "* ]] && wb_all="$wb_all warden-otp"
# "-NAME" leaves out an instance that another brought in (-warden-acc10)
for i in $wb_instances; do
	case $i in -*) wb_all=" $wb_all "; wb_all=${wb_all// ${i#-} / } ;; esac
done
wb_needed=""
for i in $wb_all; do
	case $i in warden*) [ $wb_have_warden = 0 ] && continue ;; esac
	for w in $wb_workloads; do
		if wb_applies "$w" "$i"; then
			wb_needed="$wb_needed $i"
			break
		fi
	done
done
[ -n "$wb_needed" ] || wb_die "no instance applies to the selected workloads"

# --- data ------------------------------------------------------------------
wb_hash=$("$SLAPPASSWD" -h '{SSHA}' -s "$wb_userpw") || wb_die "slappasswd failed"

# wb_ldif OTP(0|1): the users, all with the same {SSHA} hash; with OTP=1 each
# user i also gets a TOTP token cn=t<i>,ou=tokens whose oathSecret is the 20
# ASCII bytes "wbtotp%014d" (see wbench.c, wb_totp_secret)
wb_ldif() {
	awk -v n="$wb_users" -v hash="$wb_hash" -v otp="$1" -v sfx="$wb_suffix" \
		-v last="${2:-}" -v memberof="${3:-}" 'BEGIN {
		printf "dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: bench\no: bench\n\n", sfx
		printf "dn: ou=people,%s\nobjectClass: organizationalUnit\nou: people\n\n", sfx
		if (otp) {
			printf "dn: ou=tokens,%s\nobjectClass: organizationalUnit\nou: tokens\n\n", sfx
			printf "dn: cn=params,ou=tokens,%s\nobjectClass: device\nobjectClass: oathTOTPParams\ncn: params\noathOTPLength: 6\noathHMACAlgorithm: 1.2.840.113549.2.7\noathTOTPTimeStepPeriod: 30\noathTOTPTimeStepWindow: 1\n\n", sfx
		}
		for (i = 0; i < n; i++) {
			printf "dn: uid=u%d,ou=people,%s\nobjectClass: inetOrgPerson\n", i, sfx
			if (otp)
				printf "objectClass: oathTOTPUser\noathTOTPToken: cn=t%d,ou=tokens,%s\n", i, sfx
			if (last != "")
				printf "pwdLastSuccess: %s\n", last
			if (memberof != "")
				printf "memberOf: %s\n", memberof
			printf "uid: u%d\ncn: User %d\nsn: U%d\ndescription: bench user %d\nuserPassword: %s\n\n", i, i, i, i, hash
			if (otp)
				printf "dn: cn=t%d,ou=tokens,%s\nobjectClass: device\nobjectClass: oathTOTPToken\ncn: t%d\noathTOTPParams: cn=params,ou=tokens,%s\noathSecret: wbtotp%014d\n\n", i, sfx, i, sfx, i
		}
	}'
}

# wb_policy_ldif NAME: the default policy of the ppolicy and warden*
# instances: the same lockout and the same standard quality attributes
# (ppolicy does not apply these to the rootdn, which passwd runs as; it
# keeps the history); warden's also get its own rules, in warden's default
# strength, and warden-nodict turns the cracklib dictionary off
wb_policy_ldif() {
	cat <<EOF
dn: ou=policies,$wb_suffix
objectClass: organizationalUnit
ou: policies

dn: cn=default,ou=policies,$wb_suffix
objectClass: device
objectClass: pwdPolicy
EOF
	case $1 in warden*) echo "objectClass: wardenPolicy" ;; esac
	cat <<EOF
cn: default
pwdAttribute: userPassword
pwdMaxFailure: 5
pwdLockout: TRUE
pwdLockoutDuration: 300
pwdMinLength: 12
pwdCheckQuality: 1
pwdInHistory: 5
EOF
	case $1 in
	warden*)
		cat <<EOF
wardenMinClasses: 3
wardenMaxRepeat: 3
wardenMaxSequence: 4
EOF
		[ "$1" = warden-nodict ] && echo "wardenCheckDictionary: FALSE"
		;;
	esac
	echo
}

# wb_acc_group NAME: the DN of the group warden-acc10 / warden-acc100k allow
wb_acc_group() {
	case $1 in
	warden-acc10) echo "cn=acc10,ou=groups,$wb_suffix" ;;
	*) echo "cn=acc100k,ou=groups,$wb_suffix" ;;
	esac
}

# wb_acc_ldif NAME: the access data of warden-acc10 / warden-acc100k: one
# system, cn=bench-host,ou=systems (device + wardenSystem), that every
# connection from 127.0.0.0/8 matches, allowing one group of which every
# user is a member:
#   warden-acc10   cn=acc10: 10 members, the groups cn=acc10-0 .. cn=acc10-9,
#                  group k holding the users i with i % 10 = k (N/10 each;
#                  a group with no user holds a filler DN): nested, two
#                  searches to answer a cold question
#   warden-acc100k cn=acc100k: max(N, 100,000) members, the N users spread
#                  evenly among filler DNs (uid=f<i>,ou=filler, no entries):
#                  flat, one search; a user is anywhere in the list, as in
#                  life, not at its start (matching a value without
#                  sortvals goes through the list)
wb_acc_ldif() {
	awk -v n="$wb_users" -v sfx="$wb_suffix" -v kind="$1" -v big="$wb_acc_big" 'BEGIN {
		printf "dn: ou=groups,%s\nobjectClass: organizationalUnit\nou: groups\n\n", sfx
		printf "dn: ou=systems,%s\nobjectClass: organizationalUnit\nou: systems\n\n", sfx
		if (kind == "warden-acc10") {
			top = "cn=acc10,ou=groups," sfx
			for (k = 0; k < 10; k++) {
				printf "dn: cn=acc10-%d,ou=groups,%s\nobjectClass: groupOfNames\ncn: acc10-%d\n", k, sfx, k
				if (k >= n)
					printf "member: uid=f%d,ou=filler,%s\n", k, sfx
				for (i = k; i < n; i += 10)
					printf "member: uid=u%d,ou=people,%s\n", i, sfx
				printf "\n"
			}
			printf "dn: %s\nobjectClass: groupOfNames\ncn: acc10\n", top
			for (k = 0; k < 10; k++)
				printf "member: cn=acc10-%d,ou=groups,%s\n", k, sfx
			printf "\n"
		} else {
			top = "cn=acc100k,ou=groups," sfx
			printf "dn: %s\nobjectClass: groupOfNames\ncn: acc100k\n", top
			tot = n > big ? n : big
			# user u at position floor(u * tot / n), fillers between
			u = 0
			for (i = 0; i < tot; i++) {
				if (u < n && i == int(u * tot / n))
					printf "member: uid=u%d,ou=people,%s\n", u++, sfx
				else
					printf "member: uid=f%d,ou=filler,%s\n", i, sfx
			}
			printf "\n"
		}
		printf "dn: cn=bench-host,ou=systems,%s\nobjectClass: device\nobjectClass: wardenSystem\ncn: bench-host\nwardenNetwork: 127.0.0.0/8\nwardenAllowedGroup: %s\n\n", sfx, top
	}'
}

# wb_conf NAME DIR: writes DIR/slapd.conf for instance NAME
wb_conf() {
	local name=$1 dir=$2 maxsize
	maxsize=$((1073741824 + wb_users * 16384))
	{
		echo "# generated by tests/bench/run.sh for instance '$name'"
		echo "include $SCHEMADIR/core.schema"
		echo "include $SCHEMADIR/cosine.schema"
		echo "include $SCHEMADIR/inetorgperson.schema"
		echo "pidfile $dir/slapd.pid"
		echo "argsfile $dir/slapd.args"
		echo "loglevel 0"
		echo "modulepath $MODULEDIR"
		echo "moduleload back_mdb.la"
		# the settings README (Access) gives for large groups: values
		# kept sorted (a member is found by binary search), and for
		# warden-acc100k the memberof overlay, whose memberOf warden
		# reads first (no group entry is read for a direct member)
		case $name in warden-acc*) echo "sortvals member uniqueMember" ;; esac
		[ "$name" = warden-acc100k ] && echo "moduleload memberof.la"
		case $name in
		ppolicy) echo "moduleload ppolicy.la" ;;
		otp) echo "moduleload otp.la" ;;
		auditlog) echo "moduleload auditlog.la" ;;
		warden*) echo "moduleload $WARDEN_MODULE" ;;
		esac
		echo "database mdb"
		echo "maxsize $maxsize"
		echo "suffix \"$wb_suffix\""
		echo "rootdn \"$wb_rootdn\""
		echo "rootpw $wb_rootpw"
		echo "directory $dir/db"
		echo "index objectClass eq"
		# warden finds memberships by searching member and uniqueMember
		case $name in warden-acc*) echo "index member,uniqueMember eq" ;; esac
		[ $wb_nosync = 1 ] && echo "dbnosync"
		case $name in
		ppolicy)
			echo "overlay ppolicy"
			echo "ppolicy_default \"cn=default,ou=policies,$wb_suffix\""
			echo "ppolicy_use_lockout"
			echo "ppolicy_hash_cleartext"
			;;
		otp)
			echo "overlay otp"
			;;
		auditlog)
			echo "overlay auditlog"
			echo "auditlog $dir/audit.ldif"
			;;
		warden*)
			[ "$name" = warden-acc100k ] && echo "overlay memberof"
			echo "overlay warden"
			echo "warden-state-dir $dir/state"
			# the same lockout policy as the ppolicy instance (not
			# for TOTP: otp has none)
			case $name in warden-otp|warden-totp) ;; *)
				echo "warden-default-policy \"cn=default,ou=policies,$wb_suffix\"" ;;
			esac
			case $name in warden-ban|warden-nodict)
				echo "warden-banned-list $dir/banned.idx" ;;
			warden-totp)
				echo "warden-key-file $dir/warden.key" ;;
			warden-acc*)
				echo "warden-access-default deny" ;;
			warden-audit|warden-audit-async)
				# beside the database, on the same file system;
				# the key makes the chain an HMAC, as deployed
				echo "warden-key-file $dir/warden.key"
				echo "warden-audit-file $dir/audit.log"
				if [ "$name" = warden-audit ]; then
					echo "warden-audit-mode durable"
				else
					echo "warden-audit-mode async"
				fi
				;;
			esac
			[ -n "${WARDEN_CONF_EXTRA:-}" ] && printf '%s\n' "$WARDEN_CONF_EXTRA"
			;;
		esac
	} > "$dir/slapd.conf"
}

wb_port_busy() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

wb_cpu_ticks() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo -1; return; }
	s=${s##*) }
	# shellcheck disable=SC2086 # split into fields on purpose
	set -- $s
	# after "pid (comm) ": $1 is field 3 (state); utime is 14, stime 15
	echo $(( ${12} + ${13} ))
}

wb_clk_tck=$(getconf CLK_TCK)
# -d 0: slapd stays in the foreground and prints nothing (even level "none"
# prints a line per deferred rebind); start-up errors are shown by slaptest
wb_slapd_debug=${WB_SLAPD_DEBUG:-0}

echo "run.sh: mode $wb_mode, $wb_users users, instances:$wb_needed, work dir $wb_work" >&2
wb_t0=$(date +%s)

wb_tpl="$wb_work/template"
mkdir -p "$wb_tpl/db" || wb_die "cannot create $wb_tpl"
wb_conf bare "$wb_tpl"
wb_ldif 0 > "$wb_work/users.ldif" || wb_die "cannot write LDIF"
"$SLAPADD" -q -f "$wb_tpl/slapd.conf" -l "$wb_work/users.ldif" > "$wb_work/slapadd.log" 2>&1 || {
	cat "$wb_work/slapadd.log" >&2
	wb_die "slapadd of the data set failed"
}
rm -f "$wb_work/users.ldif"

# the banned list: wbench's synthetic list (tests/bench/wblist.h, the one
# wbanned measures), indexed by wardenctl as an administrator would; each
# instance gets its own copy, so that its mapping's Pss is its own cost
if [[ " $wb_needed " == *" warden-ban "* ]] || [[ " $wb_needed " == *" warden-nodict "* ]]; then
	mkdir -p "$wb_work/banned" || wb_die "cannot create $wb_work/banned"
	"$WBENCH" -W banned-list -n "$wb_banned" > "$wb_work/banned/list.txt" ||
		wb_die "wbench -W banned-list failed"
	wb_t1=$(date +%s%N)
	wb_banned_out=$("$WARDENCTL" banned build "$wb_work/banned/list.txt" \
		"$wb_work/banned/banned.idx" 2>&1) ||
		wb_die "wardenctl banned build failed: $wb_banned_out"
	wb_banned_ms=$(( ($(date +%s%N) - wb_t1) / 1000000 ))
	wb_banned_bytes=$(stat -c %s "$wb_work/banned/banned.idx") ||
		wb_die "no index written"
	echo "run.sh: banned list of $wb_banned lines: wardenctl says '$wb_banned_out';" \
		"index $wb_banned_bytes bytes, built in $wb_banned_ms ms" >&2
fi

wb_port_next=$wb_port_base
for name in $wb_needed; do
	dir="$wb_work/$name"
	wb_dir[$name]=$dir
	mkdir -p "$dir/db" || wb_die "cannot create $dir"
	wb_conf "$name" "$dir"
	case $name in
	warden*) mkdir -m 700 "$dir/state" || wb_die "cannot create $dir/state" ;;
	esac
	case $name in
	warden-ban|warden-nodict)
		cp "$wb_work/banned/banned.idx" "$dir/banned.idx" ||
			wb_die "cannot copy the banned index" ;;
	esac
	case $name in
	warden-totp|warden-audit|warden-audit-async)
		# the key that wraps the secrets (warden-audit*: that keys the
		# chain's HMAC): an identifier and 32 random bytes
		( umask 077 && echo "bench $(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')" \
			> "$dir/warden.key" ) || wb_die "cannot write $dir/warden.key"
		;;
	esac
	case $name in
	otp|warden-totp)
		# steady state (not with --no-warm): warden-totp's users bound
		# earlier today, so a bind does not also record the day's
		# pwdLastSuccess; otp.la records nothing of the kind
		last=
		[ "$name" = warden-totp ] && [ $wb_warm = 1 ] &&
			last=$(date -u +%Y%m%d%H%M%SZ)
		wb_ldif 1 "$last" > "$dir/otp.ldif" &&
		"$SLAPADD" -q -f "$dir/slapd.conf" -l "$dir/otp.ldif" > "$dir/slapadd.log" 2>&1 || {
			cat "$dir/slapadd.log" >&2
			wb_die "slapadd for $name failed"
		}
		rm -f "$dir/otp.ldif"
		;;
	warden-acc100k)
		# its own users: each with the memberOf the memberof overlay
		# would have written when the group was made
		{ wb_ldif 0 "" "cn=acc100k,ou=groups,$wb_suffix" &&
			wb_policy_ldif "$name" && wb_acc_ldif "$name"; } > "$dir/acc.ldif" &&
		"$SLAPADD" -q -f "$dir/slapd.conf" -l "$dir/acc.ldif" > "$dir/slapadd.log" 2>&1 || {
			cat "$dir/slapadd.log" >&2
			wb_die "slapadd for $name failed"
		}
		rm -f "$dir/acc.ldif"
		;;
	*)
		cp "$wb_tpl/db/data.mdb" "$dir/db/data.mdb" || wb_die "cannot copy the database"
		case $name in ppolicy|warden|warden-ban|warden-nodict|warden-acc*|warden-audit*)
			wb_policy_ldif "$name" > "$dir/policy.ldif"
			case $name in warden-acc*) wb_acc_ldif "$name" >> "$dir/policy.ldif" ;; esac
			"$SLAPADD" -q -f "$dir/slapd.conf" -l "$dir/policy.ldif" > "$dir/slapadd.log" 2>&1 || {
				cat "$dir/slapadd.log" >&2
				wb_die "slapadd of the policy (and groups) failed"
			}
			rm -f "$dir/policy.ldif"
			;;
		esac
		;;
	esac
done
rm -rf "$wb_tpl"
# slapadd -q and cp leave the databases as dirty page cache: without this the
# first fsync of each instance (its first write) would flush gigabytes
sync
echo "run.sh: data loaded in $(( $(date +%s) - wb_t0 )) s" >&2

# --- CPUs: slapd and the generator apart ---------------------------------------
# With two or more CPUs, slapd runs on the first half and wbench on the rest:
# the generator's own CPU then never counts against slapd's throughput, and
# the instances compared meet the same contention.  valgrind (callgrind)
# counts instructions and needs no pinning.
wb_pin_slapd=() wb_pin_gen=()
wb_ncpu=$(nproc 2>/dev/null || echo 1)
if [ $wb_pin = 1 ] && [ "$wb_ncpu" -ge 2 ] && [ $wb_mode != callgrind ] &&
		command -v taskset > /dev/null 2>&1; then
	wb_half=$((wb_ncpu / 2))
	wb_pin_slapd=(taskset -c "0-$((wb_half - 1))")
	wb_pin_gen=(taskset -c "$wb_half-$((wb_ncpu - 1))")
	echo "run.sh: slapd on CPUs 0-$((wb_half - 1)), wbench on $wb_half-$((wb_ncpu - 1))" \
		"(--no-pin: no pinning)" >&2
fi

# --- slapd instances ---------------------------------------------------------
# wb_start NAME
wb_start() {
	local name=$1 dir=${wb_dir[$1]} port pid n limit
	port=$wb_port_next
	while wb_port_busy "$port"; do
		port=$((port + 1))
		[ "$port" -lt 32768 ] || wb_die "no free port below 32768"
	done
	wb_port_next=$((port + 1))
	wb_port[$name]=$port
	if [ $wb_mode = callgrind ]; then
		valgrind --tool=callgrind --callgrind-out-file="$dir/callgrind.out.%p" \
			"$SLAPD" -h "ldap://127.0.0.1:$port/" -f "$dir/slapd.conf" -d "$wb_slapd_debug" \
			> "$dir/slapd.log" 2>&1 &
		limit=1200
	else
		"${wb_pin_slapd[@]}" "$SLAPD" -h "ldap://127.0.0.1:$port/" -f "$dir/slapd.conf" \
			-d "$wb_slapd_debug" > "$dir/slapd.log" 2>&1 &
		limit=300
	fi
	pid=$!
	wb_pid[$name]=$pid
	wb_started="$wb_started $name"
	n=0
	while ! ldapwhoami -x -H "ldap://127.0.0.1:$port/" > /dev/null 2>&1; do
		if ! kill -0 "$pid" 2>/dev/null || [ $n -ge $limit ]; then
			echo "run.sh: slapd '$name' did not start; slaptest says:" >&2
			"$SLAPD" -Tt -u -f "$dir/slapd.conf" 2>&1 | tail -n 20 >&2
			tail -n 20 "$dir/slapd.log" >&2
			wb_die "slapd '$name' failed to start"
		fi
		sleep 0.1
		n=$((n + 1))
	done
	echo "run.sh: started $name on 127.0.0.1:$port (pid $pid)" >&2
	if [ "$name" = warden-otp ]; then
		"$WBENCH" -W secrets -n "$wb_users" -b "$wb_tmpl" > "$dir/totp-secrets" ||
			wb_die "wbench -W secrets failed"
		$WARDEN_TOTP_ENROLL "ldap://127.0.0.1:$port/" "$wb_rootdn" "$wb_rootpw" \
			"$dir/totp-secrets" || wb_die "WARDEN_TOTP_ENROLL failed"
	fi
	if [ "$name" = warden-totp ]; then
		# as an administrator enrols over LDAP: each token's oathSecret
		# written again, in clear, which warden wraps before it is
		# stored (slapadd does not pass through warden); one modify
		# (and fsync) per user
		n=$(date +%s%N)
		awk -v n="$wb_users" -v sfx="$wb_suffix" 'BEGIN {
			for (i = 0; i < n; i++)
				printf "dn: cn=t%d,ou=tokens,%s\nchangetype: modify\nreplace: oathSecret\noathSecret: wbtotp%014d\n\n", i, sfx, i
		}' > "$dir/enrol.ldif"
		ldapmodify -x -H "ldap://127.0.0.1:$port/" -D "$wb_rootdn" -w "$wb_rootpw" \
			-f "$dir/enrol.ldif" > "$dir/enrol.log" 2>&1 || {
			tail -n 5 "$dir/enrol.log" >&2
			wb_die "enrolling the TOTP secrets in $name failed"
		}
		rm -f "$dir/enrol.ldif"
		echo "run.sh: $name: $wb_users secrets wrapped by warden in" \
			"$(( ($(date +%s%N) - n) / 1000000 )) ms" >&2
	fi
}

for name in $wb_needed; do
	wb_start "$name"
	# wakes up the thread pool and maps the first pages (not where users
	# need codes: failed binds would change their state)
	case $name in *otp|*totp) continue ;; esac
	"$WBENCH" -H "ldap://127.0.0.1:${wb_port[$name]}/" -W bind-rebind -b "$wb_tmpl" \
		-p "$wb_userpw" -n "$wb_users" -t 1 -c 2 -l 500 -T 60 > /dev/null 2>&1
done

# --- runs --------------------------------------------------------------------
wb_results="$wb_work/results.tsv"
wb_syncs="$wb_work/syncs.tsv"
printf 'workload\tinstance\trep\tops\terrors\telapsed\tops_s\tp50_us\tp99_us\tcpu_us_op\texhausted\n' > "$wb_results"
printf 'workload\tinstance\trep\tops\tfdatasync\tfsync\taudit_fdatasync\taudit_records\n' > "$wb_syncs"

# wb_wbench_args WORKLOAD REP: sets wb_args, the generator's options for one
# run against one instance
wb_wbench_args() {
	local w=$1 rep=$2 slice
	wb_args=(-W "$w" -b "$wb_tmpl" -p "$wb_userpw" -D "$wb_rootdn" -w "$wb_rootpw"
		-t "$wb_threads" -c "$wb_conns")
	slice=$((wb_users / wb_reps))
	case $w in
	bind-totp|bind-fail-spread)
		# disjoint users per repetition: a TOTP user binds once per time
		# step, and failures lock users out; each repetition starts afresh
		wb_args+=(-o $((rep * slice)) -n "$slice") ;;
	bind-fail-one)
		# a fresh victim per repetition
		wb_args+=(-o "$rep" -n 1) ;;
	passwd)
		# the same passwords for every instance in a repetition, new ones
		# in the next (history)
		wb_args+=(-n "$wb_users" -S "$wb_pw_length" -N "run-$rep") ;;
	*)
		wb_args+=(-n "$wb_users") ;;
	esac
}

# wb_acc_cold INSTANCE: with --cold, drops the cached access decisions of a
# warden-acc* instance before a run: a member added to the allowed group
# (a filler DN, no entry) is a change to a group, after which warden
# decides every user's next bind anew
wb_acc_cold_n=0
wb_acc_cold() {
	local name=$1
	[ $wb_cold = 1 ] || return 0
	case $name in warden-acc*) ;; *) return 0 ;; esac
	wb_acc_cold_n=$((wb_acc_cold_n + 1))
	printf 'dn: %s\nchangetype: modify\nadd: member\nmember: uid=cold%d,ou=filler,%s\n' \
		"$(wb_acc_group "$name")" "$wb_acc_cold_n" "$wb_suffix" |
		ldapmodify -x -H "ldap://127.0.0.1:${wb_port[$name]}/" -D "$wb_rootdn" \
			-w "$wb_rootpw" > /dev/null 2> "$wb_work/ldapmodify.err" ||
		wb_die "--cold: cannot modify the group of $name: $(head -n 3 "$wb_work/ldapmodify.err")"
}

# --count-syncs: slapd's fdatasync() and fsync() calls during a write run,
# counted in the kernel by perf stat on the syscall tracepoints (all of
# slapd's threads; inherit covers threads started meanwhile), and for
# warden-audit* the fdatasync() calls on the audit file's descriptor and the
# lines the file grew by (records, modifies and the connections' binds)
wb_sync_pid=
# wb_sync_start INSTANCE
wb_sync_start() {
	local name=$1 pid=${wb_pid[$1]} f log=${wb_dir[$1]}/audit.log
	local -a ev
	wb_sync_afd= wb_sync_r0=0
	ev=(-e syscalls:sys_enter_fdatasync -e syscalls:sys_enter_fsync)
	if [ -f "$log" ]; then
		for f in /proc/"$pid"/fd/*; do
			[ "$(readlink "$f")" = "$log" ] && wb_sync_afd=${f##*/}
		done
		[ -n "$wb_sync_afd" ] ||
			wb_die "--count-syncs: no descriptor of $log in slapd '$name'"
		ev+=(-e syscalls:sys_enter_fdatasync --filter "fd == $wb_sync_afd")
		wb_sync_r0=$(wc -l < "$log")
	fi
	perf stat -x '	' -o "$wb_work/perf.out" -p "$pid" "${ev[@]}" 2> "$wb_work/perf.err" &
	wb_sync_pid=$!
	# perf attaches to every thread before counting
	sleep 0.3
	kill -0 "$wb_sync_pid" 2>/dev/null ||
		wb_die "--count-syncs: perf stat failed: $(head -n 3 "$wb_work/perf.err")"
}
# wb_sync_stop WORKLOAD INSTANCE REP OPS
wb_sync_stop() {
	local log=${wb_dir[$2]}/audit.log recs=0
	# the asynchronous writer's last batch (every 100 ms)
	sleep 0.25
	kill -INT "$wb_sync_pid" 2>/dev/null
	wait "$wb_sync_pid" 2>/dev/null
	wb_sync_pid=
	[ -f "$log" ] && recs=$(( $(wc -l < "$log") - wb_sync_r0 ))
	# perf -x: count, unit, event, ...; one line per event, in order
	awk -F '\t' -v w="$1" -v n="$2" -v r="$3" -v ops="$4" -v recs="$recs" \
			-v afd="$wb_sync_afd" '
		/^#/ || NF < 3 { next }
		{ c[++k] = ($1 ~ /^[0-9]+$/) ? $1 : -1 }
		END {
			if (k < 2 || c[1] < 0 || c[2] < 0) exit 1
			printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", w, n, r, ops, c[1], c[2],
				afd != "" ? c[3] : "-", afd != "" ? recs : "-"
		}' "$wb_work/perf.out" >> "$wb_syncs" || {
		echo "run.sh: FAILED: --count-syncs: no counts from perf for $1 on $2:" \
			"$(head -n 5 "$wb_work/perf.out" "$wb_work/perf.err")" >&2
		wb_failures=$((wb_failures + 1))
	}
}

wb_sync_table() {
	awk -F '\t' '
	NR == 1 { next }
	{
		k = $1 SUBSEP $2
		if (!(k in seen)) { seen[k] = 1; order[++nk] = k }
		ops[k] += $4; sync[k] += $5 + $6
		if ($7 != "-") { as[k] += $7; rec[k] += $8; aud[k] = 1 }
	}
	END {
		printf "%-16s %-18s %10s %12s %14s %12s %12s\n", "workload", "instance",
			"ops", "syncs/op", "audit_syncs/op", "records/op", "records/sync"
		for (i = 1; i <= nk; i++) {
			k = order[i]; split(k, kk, SUBSEP)
			if (aud[k])
				printf "%-16s %-18s %10d %12.2f %14.3f %12.2f %12.1f\n", kk[1], kk[2],
					ops[k], sync[k] / ops[k], as[k] / ops[k], rec[k] / ops[k],
					as[k] ? rec[k] / as[k] : 0
			else
				printf "%-16s %-18s %10d %12.2f %14s %12s %12s\n", kk[1], kk[2],
					ops[k], sync[k] / ops[k], "-", "-", "-"
		}
	}' "$wb_syncs"
}

# wb_run WORKLOAD INSTANCE REP
wb_run() {
	local w=$1 name=$2 rep=$3 pid=${wb_pid[$2]} port=${wb_port[$2]}
	local c0 c1 out rc err ops errors elapsed ops_s p50 p99 exh cpu kv
	err="$wb_work/wbench.err"
	wb_wbench_args "$w" "$rep"
	wb_acc_cold "$name"
	if [ $wb_count_syncs = 1 ]; then
		case $w in modify|passwd) wb_sync_start "$name" ;; esac
	fi
	c0=$(wb_cpu_ticks "$pid")
	out=$("${wb_pin_gen[@]}" "$WBENCH" -H "ldap://127.0.0.1:$port/" "${wb_args[@]}" \
		-d "$wb_duration" 2> "$err")
	rc=$?
	c1=$(wb_cpu_ticks "$pid")
	if ! kill -0 "$pid" 2>/dev/null || [ "$c1" -lt 0 ]; then
		echo "run.sh: slapd '$name' died during $w; its log:" >&2
		tail -n 20 "${wb_dir[$name]}/slapd.log" >&2
		wb_die "slapd '$name' died"
	fi
	ops=0 errors=0 elapsed=0 ops_s=0 p50=0 p99=0 exh=0
	for kv in $out; do
		case $kv in
		ops=*) ops=${kv#ops=} ;;
		errors=*) errors=${kv#errors=} ;;
		elapsed=*) elapsed=${kv#elapsed=} ;;
		ops_s=*) ops_s=${kv#ops_s=} ;;
		p50_us=*) p50=${kv#p50_us=} ;;
		p99_us=*) p99=${kv#p99_us=} ;;
		exhausted=*) exh=${kv#exhausted=} ;;
		esac
	done
	if [ -z "$out" ] || [ $rc -ne 0 ] || [ "$errors" != 0 ] || [ "$ops" = 0 ]; then
		echo "run.sh: FAILED: $w on $name (rep $((rep + 1))): rc $rc, ${out:-no output}" >&2
		head -n 5 "$err" >&2
		wb_failures=$((wb_failures + 1))
	fi
	[ -n "$wb_sync_pid" ] && wb_sync_stop "$w" "$name" "$rep" "$ops"
	cpu=$(awk -v d=$((c1 - c0)) -v t="$wb_clk_tck" -v n="$ops" \
		'BEGIN { if (n > 0) printf "%.1f", d * 1e6 / t / n; else print "0" }')
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$w" "$name" \
		$((rep + 1)) "$ops" "$errors" "$elapsed" "$ops_s" "$p50" "$p99" \
		"$cpu" "$exh" >> "$wb_results"
	printf '  %-16s %-18s rep %d: %9s ops/s  p50 %8s us  p99 %8s us  cpu %7s us/op  (%s ops, %s errors)\n' \
		"$w" "$name" $((rep + 1)) "$ops_s" "$p50" "$p99" "$cpu" "$ops" "$errors" >&2
}

# awk function for both tables: where the cost of a password change goes
# in warden, from differences between the passwd rows of v[INSTANCE]
# (CPU us/op or Ir/op); nothing when an instance is missing
wb_awk_split='
	function split_line(a, b, what,    d) {
		d = v[a] - v[b]
		printf "  %-26s %10s %s  %5.1f %%  %s\n", a " - " b,
			sprintf(fmt, d), unit, (tot > 0 ? 100 * d / tot : 0), what
	}
	function password_split(    i) {
		if (!("bare" in v) || !("warden" in v) || !("warden-ban" in v) ||
				!("warden-nodict" in v))
			return
		tot = v["warden-ban"] - v["bare"]
		printf "\nWhere a password change costs more in warden than in bare back-mdb (passwd rows above; %% of warden-ban - bare):\n"
		split_line("warden-ban", "bare", "all of it, with the banned list")
		split_line("warden-ban", "warden-nodict", "the cracklib dictionary check")
		split_line("warden-ban", "warden", sprintf("the banned-list lookup (%d entries)", nb))
		split_line("warden", "bare", "warden without a banned list")
		split_line("warden-nodict", "bare", "rules, banned list, history, hashing, pwdHistory/pwdChangedTime")
	}
'

# wb_table: medians over repetitions, with ratios to bare and to the peers
wb_table() {
	awk -F '\t' -v nb="$wb_banned" -v fmt="%.1f" -v unit="us CPU" "$wb_awk_split"'
	function median(list,    a, n, i, j, t) {
		n = split(list, a, " ")
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
				t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
			}
		if (n == 0) return 0
		if (n % 2) return a[(n + 1) / 2]
		return (a[n / 2] + a[n / 2 + 1]) / 2
	}
	function ratio(a, b) { return (b > 0 && a != "") ? sprintf("%.2f", a / b) : "-" }
	NR == 1 { next }
	{
		k = $1 SUBSEP $2
		if (!(k in seen)) { seen[k] = 1; order[++nk] = k }
		ops_s[k] = ops_s[k] " " $7; p50[k] = p50[k] " " $8
		p99[k] = p99[k] " " $9; cpu[k] = cpu[k] " " $10
		errs[k] += $5; runs[k]++
	}
	END {
		peer["bind-new"] = "ppolicy"; peer["bind-rebind"] = "ppolicy"
		peer["bind-fail-spread"] = "ppolicy"; peer["bind-fail-one"] = "ppolicy"
		peer["bind-totp"] = "otp"; peer["modify"] = "auditlog"
		peer["passwd"] = "ppolicy auditlog"
		for (i = 1; i <= nk; i++) {
			k = order[i]
			m_ops[k] = median(ops_s[k]); m_cpu[k] = median(cpu[k])
			m_p50[k] = median(p50[k]); m_p99[k] = median(p99[k])
		}
		printf "%-16s %-18s %10s %9s %9s %10s %8s %8s  %-s\n", "workload", "instance",
			"ops/s", "p50_us", "p99_us", "cpu_us/op", "ops:bare", "cpu:bare",
			"vs peer (ops, cpu)"
		for (i = 1; i <= nk; i++) {
			k = order[i]; split(k, kk, SUBSEP); w = kk[1]; inst = kk[2]
			bw = (w == "bind-totp") ? "bind-new" : w
			b = bw SUBSEP "bare"
			ob = (b in m_ops) ? ratio(m_ops[k], m_ops[b]) : "-"
			cb = (b in m_cpu) ? ratio(m_cpu[k], m_cpu[b]) : "-"
			if (w == "bind-totp" && ob != "-") { ob = ob "*"; cb = cb "*" }
			pv = ""
			if (inst ~ /^warden/) {
				# the access check is compared with warden without;
				# the audit trail with warden without, and auditlog
				pp = inst ~ /^warden-audit/ ? "warden " peer[w] : peer[w]
				np = split(inst ~ /^warden-acc/ ? "warden" : pp, pl, " ")
				for (j = 1; j <= np; j++) {
					p = w SUBSEP pl[j]
					if (p in m_ops)
						pv = pv sprintf("%s %s/%s  ", pl[j],
							ratio(m_ops[k], m_ops[p]), ratio(m_cpu[k], m_cpu[p]))
				}
			}
			if (pv == "") pv = "-"
			printf "%-16s %-18s %10.0f %9.1f %9.1f %10.1f %8s %8s  %s%s\n", w, inst,
				m_ops[k], m_p50[k], m_p99[k], m_cpu[k], ob, cb, pv,
				errs[k] ? sprintf("  [%d errors]", errs[k]) : ""
			if (w == "passwd") v[inst] = m_cpu[k]
		}
		password_split()
	}' "$wb_results"
}

# wb_goals: each goal of BENCHMARKS.md ("Goals") that the runs measured, as
# the ratio of each repetition to the same repetition of what it is compared
# with (the instances alternate within a repetition, so a repetition's pair
# met the same load), min, median and max over them, and whether all, none
# or only some repetitions are on the goal's side: "noise-bound" when the
# spread crosses the goal, so that neither one figure nor the median is the
# answer.
wb_goals() {
	awk -F '\t' '
	function sort(a, n,    i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
				t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
			}
	}
	# goal: workload, instance, the one compared, ops or cpu, <= or >=, bound
	function goal(w, inst, ref, what, op, bound, text,    r, k, kr, n, a, i, ok, med, verdict) {
		n = 0; ok = 0
		for (r = 1; r <= maxrep; r++) {
			k = w SUBSEP inst SUBSEP r
			kr = (ref == "bare" && w == "bind-totp" ? "bind-new" : w) SUBSEP ref SUBSEP r
			if (!(k in val_ops) || !(kr in val_ops)) continue
			if (what == "ops") {
				if (val_ops[kr] <= 0) continue
				a[++n] = val_ops[k] / val_ops[kr]
			} else {
				if (val_cpu[kr] <= 0) continue
				a[++n] = val_cpu[k] / val_cpu[kr]
			}
			if ((op == "<=" && a[n] <= bound) || (op == ">=" && a[n] >= bound)) ok++
		}
		if (n == 0) return
		sort(a, n)
		med = n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		verdict = ok == n ? "met" : ok == 0 ? "missed" : sprintf("noise-bound (%d of %d met)", ok, n)
		if (!shown++)
			printf "%-46s %6s %6s %6s %8s  %s\n", "goal (ratio per repetition)", "min",
				"median", "max", "goal", "verdict"
		printf "%-46s %6.2f %6.2f %6.2f %5s%4.2f  %s\n", text, a[1], med, a[n], op, bound, verdict
	}
	NR == 1 { next }
	{
		k = $1 SUBSEP $2 SUBSEP $3
		val_ops[k] = $7; val_cpu[k] = $10
		if ($3 > maxrep) maxrep = $3
	}
	END {
		for (wi = 1; wi <= 2; wi++) {
			w = wi == 1 ? "bind-new" : "bind-rebind"
			goal(w, "warden", "bare", "cpu", "<=", 1.05, w " warden CPU : bare")
			goal(w, "warden-acc10", "bare", "cpu", "<=", 1.05, w " warden-acc10 CPU : bare")
			goal(w, "warden-acc100k", "bare", "cpu", "<=", 1.05, w " warden-acc100k CPU : bare")
		}
		goal("bind-fail-spread", "warden", "ppolicy", "ops", ">=", 1.5,
			"bind-fail-spread warden ops : ppolicy")
		goal("bind-totp", "warden-totp", "otp", "cpu", "<=", 1.0, "bind-totp warden-totp CPU : otp")
		goal("bind-totp", "warden-totp", "otp", "ops", ">=", 1.2, "bind-totp warden-totp ops : otp")
		goal("passwd", "warden", "ppolicy", "cpu", "<=", 1.5, "passwd warden CPU : ppolicy")
		if (!shown) print "(no goal applies to the workloads and instances run)"
	}' "$wb_results"
}

# --- callgrind: instructions per operation -------------------------------------
# wb_callgrind WORKLOAD INSTANCE REP
wb_callgrind() {
	local w=$1 name=$2 rep=$3 pid=${wb_pid[$2]} port=${wb_port[$2]} dir=${wb_dir[$2]}
	local out dump ir ops warm slice n count=$wb_cg_ops
	local -a args wargs
	args=(-W "$w" -b "$wb_tmpl" -p "$wb_userpw" -D "$wb_rootdn" -w "$wb_rootpw" -t 1 -c 1)
	warm=$((wb_cg_ops / 10 + 1))
	slice=$((wb_users / wb_reps))
	case $w in
	bind-totp|bind-fail-spread)
		# the warm-up takes the end of the slice, so that the measured
		# run still meets fresh users (TOTP codes cannot be replayed)
		[ "$warm" -lt $((slice / 2)) ] || warm=$((slice / 2))
		wargs=("${args[@]}" -o $((rep * slice + slice - warm)) -n "$warm")
		args+=(-o $((rep * slice)) -n $((slice - warm))) ;;
	bind-fail-one)
		args+=(-o "$rep" -n 1)
		wargs=("${args[@]}") ;;
	passwd)
		# steady state: every user's history full (pwdInHistory 5,
		# and the current password) before measuring; the same
		# passwords for every instance (-N), so that the dictionary
		# check counts the same instructions in each
		warm=$(wb_passwd_warm)
		args+=(-n "$wb_users" -S "$wb_pw_length")
		wargs=("${args[@]}" -N "cg-warm-$rep")
		args+=(-N "cg-$rep") ;;
	*)
		# steady state: every user twice before measuring, so that
		# per-entry caches (slapd's, warden's) are as in production
		# (a first bind of the day writes pwdLastSuccess, which drops
		# the user from warden's subject cache until the next bind)
		[ "$warm" -ge $((2 * wb_users)) ] || warm=$((2 * wb_users))
		args+=(-n "$wb_users")
		wargs=("${args[@]}") ;;
	esac
	# warm-up: thread pool, caches of the entries, first-use paths
	"$WBENCH" -H "ldap://127.0.0.1:$port/" "${wargs[@]}" -l "$warm" -T 60 > /dev/null 2>&1
	# --cold: each user once, its access decision dropped before
	if [ $wb_cold = 1 ] && [ "$count" -gt "$wb_users" ]; then
		count=$wb_users
	fi
	wb_acc_cold "$name"
	callgrind_control -z "$pid" > /dev/null 2>&1 || wb_die "callgrind_control -z failed"
	out=$("$WBENCH" -H "ldap://127.0.0.1:$port/" "${args[@]}" -l "$count" -T 60 \
		2> "$wb_work/wbench.err")
	callgrind_control -d "$pid" > /dev/null 2>&1 || wb_die "callgrind_control -d failed"
	# callgrind_control -d writes callgrind.out.PID.N, N counting up
	dump=$(ls -t "$dir"/callgrind.out.* 2>/dev/null | head -n 1)
	ir=$(awk '/^summary:/ { print $2; exit } /^totals:/ { t = $2 } END { if (t != "") print t }' \
		"$dump" | head -n 1)
	ops=0
	for n in $out; do
		case $n in ops=*) ops=${n#ops=} ;; esac
	done
	if [ -z "$ir" ] || [ "$ops" = 0 ] || [[ "$out" != *" errors=0 "* ]]; then
		echo "run.sh: FAILED: callgrind $w on $name: ${out:-no output}" >&2
		head -n 5 "$wb_work/wbench.err" >&2
		wb_failures=$((wb_failures + 1))
		return
	fi
	printf '%s\t%s\t%s\t%s\t%s\n' "$w" "$name" $((rep + 1)) "$ops" "$ir" >> "$wb_results"
	printf '  %-16s %-18s rep %d: %s Ir over %s ops = %s Ir/op\n' "$w" "$name" \
		$((rep + 1)) "$ir" "$ops" $((ir / ops)) >&2
}

wb_cg_table() {
	awk -F '\t' -v nb="$wb_banned" -v fmt="%.0f" -v unit="Ir" "$wb_awk_split"'
	NR == 1 { next }
	{
		k = $1 SUBSEP $2
		if (!(k in seen)) { seen[k] = 1; order[++nk] = k }
		ir[k] += $5; ops[k] += $4; n[k]++
		r = $5 / $4
		if (!(k in lo) || r < lo[k]) lo[k] = r
		if (!(k in hi) || r > hi[k]) hi[k] = r
	}
	END {
		printf "%-16s %-18s %14s %12s %12s %9s %9s\n", "workload", "instance",
			"Ir/op", "min", "max", "x bare", "x peer"
		for (i = 1; i <= nk; i++) {
			k = order[i]; split(k, kk, SUBSEP)
			pop[k] = ir[k] / ops[k]
		}
		for (i = 1; i <= nk; i++) {
			k = order[i]; split(k, kk, SUBSEP)
			b = (kk[1] == "bind-totp" ? "bind-new" : kk[1]) SUBSEP "bare"
			p = kk[2] ~ /^warden-acc/ ? "warden" : kk[1] == "bind-totp" ? "otp" : kk[1] == "modify" ? "auditlog" : "ppolicy"
			p = kk[1] SUBSEP p
			printf "%-16s %-18s %14.0f %12.0f %12.0f %9s %9s\n", kk[1], kk[2], pop[k],
				lo[k], hi[k], (b in pop) ? sprintf("%.2f%s", pop[k] / pop[b],
				kk[1] == "bind-totp" ? "*" : "") : "-",
				(kk[2] ~ /^warden/ && (p in pop)) ? sprintf("%.2f", pop[k] / pop[p]) : "-"
			if (kk[1] == "passwd") v[kk[2]] = pop[k]
		}
		password_split()
	}' "$wb_results"
}

# --- memory: what the banned-list index costs inside slapd -------------------
# wb_memory: per slapd after the runs, from /proc/PID/status (VmRSS, RssAnon,
# RssFile), smaps_rollup (Pss) and smaps (the index's mapping: its Size, the
# part resident, Rss, and this process's share of it, Pss); then warden-ban
# minus warden
wb_memory() {
	local name pid idx line
	local -A rss anon file
	printf '%-18s %10s %10s %10s %10s %12s %12s %12s %10s\n' instance VmRSS_kB RssAnon_kB \
		RssFile_kB Pss_kB index_kB index_Rss_kB index_Pss_kB B/user
	for name in $wb_needed; do
		pid=${wb_pid[$name]:-}
		[ -n "$pid" ] && [ -r "/proc/$pid/smaps" ] || continue
		idx=
		case $name in warden-ban|warden-nodict) idx=${wb_dir[$name]}/banned.idx ;; esac
		line=$(awk -v idx="$idx" '
			FILENAME ~ /status$/ && $1 == "VmRSS:" { rss = $2 }
			FILENAME ~ /status$/ && $1 == "RssAnon:" { anon = $2 }
			FILENAME ~ /status$/ && $1 == "RssFile:" { file = $2 }
			FILENAME ~ /smaps_rollup$/ && $1 == "Pss:" { pss = $2 }
			FILENAME ~ /smaps$/ && /^[0-9a-f]+-[0-9a-f]+ / {
				inmap = idx != "" && substr($0, length($0) - length(idx) + 1) == idx
				next
			}
			FILENAME ~ /smaps$/ && inmap && $1 == "Size:" { isz += $2; found = 1 }
			FILENAME ~ /smaps$/ && inmap && $1 == "Rss:" { irss += $2 }
			FILENAME ~ /smaps$/ && inmap && $1 == "Pss:" { ipss += $2 }
			END {
				if (found) m = sprintf("%12d %12d %12d", isz, irss, ipss)
				else m = sprintf("%12s %12s %12s", "-", "-", "-")
				printf "%d %d %d %d %s\n", rss, anon, file, pss, m
			}' "/proc/$pid/status" "/proc/$pid/smaps_rollup" "/proc/$pid/smaps" 2>/dev/null) ||
			continue
		# shellcheck disable=SC2086 # fields on purpose
		set -- $line
		rss[$name]=$1 anon[$name]=$2 file[$name]=$3
		per=-
		if [ -n "${anon[bare]:-}" ] && [ "$name" != bare ]; then
			per=$(( (${anon[$name]} - ${anon[bare]}) * 1024 / wb_users ))
		fi
		printf '%-18s %10s %10s %10s %10s %12s %12s %12s %10s\n' "$name" "$@" "$per"
	done
	if [ -n "${rss[warden]:-}" ] && [ -n "${rss[warden-ban]:-}" ]; then
		printf '%-18s %+10d %+10d %+10d   (warden-ban - warden: the cost of the list)\n' \
			"difference" $(( ${rss[warden-ban]} - ${rss[warden]} )) \
			$(( ${anon[warden-ban]} - ${anon[warden]} )) \
			$(( ${file[warden-ban]} - ${file[warden]} ))
	fi
}

# operations that fill every user's password history before passwd is
# measured: (pwdInHistory 5 + 1) per user, at most 12,000
wb_passwd_warm() {
	local n=$((6 * wb_users))
	[ "$n" -le 12000 ] || n=12000
	echo "$n"
}

wb_acc_note() {
	[[ " $wb_needed " == *" warden-acc"* ]] || return 0
	echo "(warden-acc10: a system on 127.0.0.0/8 allows a 10-member group of 10 groups" \
		"holding the users; warden-acc100k: one allowing a group of $(( wb_users > wb_acc_big ?
		wb_users : wb_acc_big )) members, the users among them; both compared with warden" \
		"(vs peer), which has no system: no access check)"
}

wb_passwd_note() {
	[[ " $wb_workloads " == *" passwd "* ]] || return 0
	local warm
	warm="after $(wb_passwd_warm) operations that fill the users' histories"
	[ $wb_mode = smoke ] && warm="no warm-up"
	echo "(passwd: the rootdn sets a new $wb_pw_length-character password per operation," \
		"$warm; policy pwdMinLength 12, pwdInHistory 5, and for warden 3 classes," \
		"runs <= 3, sequences <= 4, the cracklib dictionary except in warden-nodict)"
}

# instances applicable to a workload, rotated by REP so that each instance
# takes each position in turn (drift cancels out over the repetitions)
wb_rotation() {
	local w=$1 rep=$2 list=() i n
	for i in $wb_needed; do
		wb_applies "$w" "$i" && list+=("$i")
	done
	n=${#list[@]}
	[ "$n" -gt 0 ] || return 0
	for ((i = 0; i < n; i++)); do
		echo "${list[$(( (i + rep) % n ))]}"
	done
}

if [ $wb_mode = callgrind ]; then
	printf 'workload\tinstance\trep\tops\tIr\n' > "$wb_results"
	for w in $wb_workloads; do
		for ((rep = 0; rep < wb_reps; rep++)); do
			for name in $(wb_rotation "$w" "$rep"); do
				wb_callgrind "$w" "$name" "$rep"
			done
		done
	done
	echo
	echo "Instructions (callgrind Ir) per operation inside slapd, $wb_cg_ops operations" \
		"per run after a warm-up (every user once where users repeat), 1 thread x 1 connection," \
		"$wb_users users:"
	[ $wb_cold = 1 ] && echo "(--cold: at most $wb_users operations per run, each user once;" \
		"warden-acc* instances had their access decisions dropped before)"
	wb_acc_note
	wb_passwd_note
	wb_cg_table || wb_failures=$((wb_failures + 1))
else
	# steady state: every user binds twice on each instance the bind
	# workloads run on (round robin through all users), so that what
	# a server keeps per user (caches, the day's pwdLastSuccess) is there:
	# the first bind of the day writes pwdLastSuccess, which drops the
	# user from warden's subject cache until the second
	if [ $wb_warm = 1 ] && [[ " $wb_workloads " == *" bind-new "* ||
			" $wb_workloads " == *" bind-rebind "* ]]; then
		for name in $wb_needed; do
			wb_applies bind-rebind "$name" || continue
			t=$(date +%s)
			"${wb_pin_gen[@]}" "$WBENCH" -H "ldap://127.0.0.1:${wb_port[$name]}/" \
				-W bind-rebind -b "$wb_tmpl" -p "$wb_userpw" -D "$wb_rootdn" \
				-w "$wb_rootpw" -t "$wb_threads" -c "$wb_conns" -n "$wb_users" \
				-l $((2 * wb_users)) -T 60 > /dev/null 2> "$wb_work/wbench.err" || {
				echo "run.sh: FAILED: warm-up on $name" >&2
				head -n 5 "$wb_work/wbench.err" >&2
				wb_failures=$((wb_failures + 1))
			}
			echo "run.sh: $name: each of the $wb_users users bound twice" \
				"($(( $(date +%s) - t )) s)" >&2
		done
	fi
	for w in $wb_workloads; do
		if [ "$w" = passwd ] && [ $wb_mode != smoke ]; then
			# steady state: every user's password history full
			for name in $(wb_rotation "$w" 0); do
				"$WBENCH" -H "ldap://127.0.0.1:${wb_port[$name]}/" -W passwd \
					-b "$wb_tmpl" -D "$wb_rootdn" -w "$wb_rootpw" -n "$wb_users" \
					-S "$wb_pw_length" -N warm -t "$wb_threads" -c "$wb_conns" \
					-l "$(wb_passwd_warm)" -T 60 > /dev/null 2> "$wb_work/wbench.err" || {
					echo "run.sh: FAILED: passwd warm-up on $name" >&2
					head -n 5 "$wb_work/wbench.err" >&2
					wb_failures=$((wb_failures + 1))
				}
			done
		fi
		for ((rep = 0; rep < wb_reps; rep++)); do
			for name in $(wb_rotation "$w" "$rep"); do
				wb_run "$w" "$name" "$rep"
			done
		done
	done
	echo
	echo "Medians over $wb_reps repetition(s) of $wb_duration s; $wb_users users;" \
		"$wb_threads threads x $wb_conns connections; slapd CPU from /proc/PID/stat:"
	wb_acc_note
	wb_passwd_note
	wb_table || wb_failures=$((wb_failures + 1))
	echo
	echo "Goals (BENCHMARKS.md): each repetition against the same repetition of what it" \
		"is compared with; noise-bound: the spread crosses the goal:"
	wb_goals || wb_failures=$((wb_failures + 1))
	if [[ " $wb_workloads " == *" bind-totp "* ]]; then
		echo "(*) bind-totp is compared with bare's bind-new (bare has no TOTP);" \
			"a bind-totp run stops when every user of its slice ($((wb_users / wb_reps)))" \
			"has bound once in the current 30 s step."
	fi
	if [ $wb_count_syncs = 1 ] && [ "$(wc -l < "$wb_syncs")" -gt 1 ]; then
		echo
		echo "fdatasync()+fsync() calls of slapd per operation (perf stat, summed over the" \
			"repetitions); warden-audit*: those on the audit file, audit records (lines) per" \
			"operation and per sync:"
		wb_sync_table || wb_failures=$((wb_failures + 1))
	fi
	echo
	echo "Memory after the runs, kB (/proc/PID/status, smaps_rollup; index_*: the" \
		"mapping of the ${wb_banned_bytes:-?}-byte index of $wb_banned entries in smaps," \
		"each instance mapping its own copy; per user: RssAnon above bare's over" \
		"the $wb_users users):"
	wb_memory
fi

if [ -n "$wb_out" ]; then
	cp "$wb_results" "$wb_out" || wb_die "cannot write $wb_out"
fi

for name in $wb_started; do
	wb_stop_slapd "$name"
done
# the audit trails written meanwhile must verify (HMAC chain, the key file)
for name in $wb_started; do
	case $name in warden-audit|warden-audit-async) ;; *) continue ;; esac
	if [ ! -x "$WARDENCTL" ]; then
		echo "run.sh: not verifying $name's audit trail: $WARDENCTL not found" >&2
		continue
	fi
	if v=$("$WARDENCTL" audit verify --key-file "${wb_dir[$name]}/warden.key" \
			"${wb_dir[$name]}/audit.log" 2>&1); then
		echo "run.sh: $name: $v" >&2
	else
		echo "run.sh: FAILED: $name's audit trail does not verify: $v" >&2
		wb_failures=$((wb_failures + 1))
	fi
done
echo "run.sh: done in $(( $(date +%s) - wb_t0 )) s, $wb_failures failure(s)" >&2
[ $wb_failures -eq 0 ]
