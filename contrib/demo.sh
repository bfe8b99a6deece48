#!/bin/sh
# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
# Builds and installs warden, then starts a demo slapd with warden on
# ldap://127.0.0.1:3890 and ldapi, with a few users and groups, in ./demo.
# Run as root on Debian 12.  Running it again rebuilds and restarts the demo
# from scratch.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
demo=$top/demo
port=3890
ldapi="ldapi://$(printf '%s' "$demo/ldapi" | sed 's|/|%2F|g')"

sh contrib/build.sh
make -C build -s install > build/install.log

# Stop a demo slapd left by an earlier run.
if [ -f "$demo/slapd.pid" ]; then
	pid=$(cat "$demo/slapd.pid")
	if kill "$pid" 2>/dev/null; then
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -9 "$pid" 2>/dev/null || true
	fi
fi
rm -rf "$demo"
mkdir -m 700 "$demo" "$demo/db" "$demo/state" "$demo/slapd.d"

# A fresh key for wrapping secrets at rest.
(umask 077; printf 'demo-%s %s\n' "$(date +%Y%m%d)" "$(openssl rand -hex 32)" \
	> "$demo/warden.key")

# A throw-away CA and a certificate for 127.0.0.1: passwords go over
# StartTLS or ldapi only (warden-require-tls).
mkdir -m 700 "$demo/tls"
(
	cd "$demo/tls"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem \
		-days 365 -subj "/CN=warden demo CA" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr \
		-subj /CN=127.0.0.1 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > ext
	openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
		-out server.pem -days 365 -extfile ext 2>/dev/null
	chmod 644 ca.pem
)

# A small banned-password list; any size works (README: Banned list).
"$top/build/wardenctl" banned build "$top/contrib/demo/banned.txt" \
	"$demo/banned.idx" > /dev/null

hash() {
	slappasswd -o module-path=/usr/lib/ldap -o module-load=argon2.la \
		-h '{ARGON2}' -s "$1"
}
umask 077
rootpw='Demo-admin-2026!'
sed -e "s|@DEMO@|$demo|g" -e "s|@ROOTPW@|$(hash "$rootpw")|" \
	contrib/demo/config.ldif.in > "$demo/config.ldif"
sed -e "s|@ALICE_HASH@|$(hash 'Alice-demo-2026!')|" \
	-e "s|@BOB_HASH@|$(hash 'Bob-demo-2026!x')|" \
	-e "s|@CAROL_HASH@|$(hash 'Carol-demo-2026!')|" \
	contrib/demo/data.ldif.in > "$demo/data.ldif"
slapadd -q -n0 -F "$demo/slapd.d" -l "$demo/config.ldif"
slapadd -q -n1 -F "$demo/slapd.d" -l "$demo/data.ldif"

# slapd logs to stderr with -d; there is no syslog daemon to rely on.
setsid /usr/sbin/slapd -d stats -F "$demo/slapd.d" \
	-h "ldap://127.0.0.1:$port/ $ldapi" > "$demo/slapd.log" 2>&1 < /dev/null &
echo $! > "$demo/slapd.pid"

i=0
until ldapwhoami -x -H "ldap://127.0.0.1:$port" >/dev/null 2>&1; do
	if ! kill -0 "$(cat "$demo/slapd.pid")" 2>/dev/null || [ $i -ge 100 ]; then
		tail -n 20 "$demo/slapd.log" >&2
		echo "demo: slapd did not start (log: $demo/slapd.log)" >&2
		exit 1
	fi
	sleep 0.2
	i=$((i + 1))
done

cat <<MSG

warden demo is running (pid $(cat "$demo/slapd.pid"), log $demo/slapd.log)
  ldap://127.0.0.1:$port and $ldapi, suffix dc=example,dc=org

Passwords go over StartTLS (-ZZ) or ldapi only; the demo's CA:
  export LDAPTLS_CACERT=$demo/tls/ca.pem

Bind as a user:
  ldapwhoami -ZZ -x -H ldap://127.0.0.1:$port -D uid=alice,ou=people,dc=example,dc=org -w 'Alice-demo-2026!'
  (also bob / 'Bob-demo-2026!x' and carol / 'Carol-demo-2026!'; the admin is
   cn=admin,dc=example,dc=org / '$rootpw')
  Without -ZZ: "Confidentiality required ... warden requires TLS (StartTLS or
  ldaps) or ldapi for binds with a password".

Password quality (12+ characters, 3 classes, dictionary, banned list, history):
  ldappasswd -ZZ -x -H ldap://127.0.0.1:$port -D uid=alice,ou=people,dc=example,dc=org -w 'Alice-demo-2026!' -s 'P@ssw0rd-2026!'
  ldappasswd -ZZ -x -H ldap://127.0.0.1:$port -D uid=alice,ou=people,dc=example,dc=org -w 'Alice-demo-2026!'
  (the second asks warden to generate a password that the policy accepts)

Lockout (5 failures lock for 15 minutes), as root over ldapi:
  $top/build/wardenctl -H '$ldapi' lockout status uid=carol,ou=people,dc=example,dc=org
  $top/build/wardenctl -H '$ldapi' lockout unlock uid=carol,ou=people,dc=example,dc=org

The audit trail (one JSON record per change and bind), and its check:
  tail -n 3 $demo/audit.log
  $top/build/wardenctl audit verify --key-file $demo/warden.key $demo/audit.log

warden's configuration, live over ldapi as root:
  ldapsearch -Q -Y EXTERNAL -H '$ldapi' -b cn=config '(objectClass=olcWardenConfig)'

Stop it:  kill \$(cat $demo/slapd.pid)
MSG
