#! /bin/sh
# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
#
# What OpenLDAP's tests/scripts/defines.sh gives a test script, for the
# scripts copied here: Debian's slapd and ldap-utils instead of a built
# source tree, warden.la in place of ppolicy.la, and the directories and
# ports that test_openldap_ppolicy.py chose (TESTDIR, PORT1, PORT2,
# WARDEN_MODULE; WARDEN_PRELOAD under AddressSanitizer).
TESTWD=`pwd`
DATADIR=$SRCDIR/data
SCHEMADIR=/etc/ldap/schema
BACKEND=mdb
PPOLICY=ppolicyyes
SYNCPROV=syncprovmod
BACKLDAP=ldapmod
MONITOR=""
BASEDN="dc=example,dc=com"
MANAGERDN="cn=Manager,$BASEDN"
PASSWD=secret
SLEEP1=${SLEEP1-3}
WAIT=0
KILLSERVERS=yes
LVL=${SLAPD_DEBUG-0x4105}
DBDIR1=$TESTDIR/db.1.a
DBDIR2=$TESTDIR/db.2.a
CONF1=$TESTDIR/slapd.1.conf
CONF2=$TESTDIR/slapd.2.conf
LOG1=$TESTDIR/slapd.1.log
LOG2=$TESTDIR/slapd.2.log
CONFIGPWF=$TESTDIR/configpw
SEARCHOUT=$TESTDIR/ldapsearch.out
TESTOUT=$TESTDIR/test.out
LDIFPPOLICY=$DATADIR/ppolicy.ldif
PPOLICYCONF=$DATADIR/slapd-ppolicy.conf
CONFFILTER=$SRCDIR/scripts/conf.sh
URI1="ldap://127.0.0.1:$PORT1/"
URI2="ldap://127.0.0.1:$PORT2/"

if [ -n "$WARDEN_PRELOAD" ]; then
	# one word, as $SLAPD is split on spaces: ld.so takes colons too
	SLAPD_WRAPPER="env LD_PRELOAD=`echo $WARDEN_PRELOAD | tr ' ' :` ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:symbolize=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1"
fi
TOOLARGS="-x $LDAP_TOOLARGS"
TOOLPROTO="-P 3"
SLAPD="$SLAPD_WRAPPER /usr/sbin/slapd -s0"
SLAPPASSWD="/usr/sbin/slappasswd"
LDAPPASSWD="ldappasswd $TOOLARGS"
LDAPSEARCH="ldapsearch $TOOLPROTO $TOOLARGS -LLL"
LDAPMODIFY="ldapmodify $TOOLPROTO $TOOLARGS"
LDAPADD="ldapmodify -a $TOOLPROTO $TOOLARGS"
