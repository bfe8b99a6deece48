#! /bin/sh
# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
#
# OpenLDAP's tests/scripts/conf.sh, cut to what the configurations copied
# here use.
sed -e "s/@BACKEND@/${BACKEND}/"			\
	-e "s/^#${BACKEND}#//"				\
	-e "s;@URI1@;${URI1};"				\
	-e "s;@URI2@;${URI2};"				\
	-e "s;@SCHEMADIR@;${SCHEMADIR};"		\
	-e "s;@DATADIR@;${DATADIR};"			\
	-e "s;@TESTDIR@;${TESTDIR};"			\
	-e "s;@WARDEN_MODULE@;${WARDEN_MODULE};"	\
	-e "s;@WARDEN_MODULEDIR@;`dirname ${WARDEN_MODULE}`;"
