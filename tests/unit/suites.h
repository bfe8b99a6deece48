/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
#ifndef WARDEN_TEST_SUITES_H
#define WARDEN_TEST_SUITES_H

#include <check.h>

Suite *validate_suite( void );
Suite *keyring_suite( void );
Suite *store_suite( void );
Suite *subjcache_suite( void );
Suite *base64_suite( void );
Suite *accesscache_suite( void );
Suite *lrutab_suite( void );
Suite *lockstate_suite( void );
Suite *peerstate_suite( void );
Suite *throttle_suite( void );
Suite *dedup_suite( void );
Suite *quality_suite( void );
Suite *dictionary_suite( void );
Suite *cidr_suite( void );
Suite *banned_suite( void );
Suite *totp_suite( void );
Suite *secret_suite( void );
Suite *recovery_suite( void );
Suite *otpstate_suite( void );
Suite *codestate_suite( void );
Suite *otpauth_suite( void );
Suite *auditjson_suite( void );
Suite *auditlog_suite( void );
Suite *auditagg_suite( void );
Suite *transit_suite( void );
Suite *check_suite( void );
Suite *rules_suite( void );
Suite *expiry_suite( void );
Suite *usability_suite( void );
Suite *sshkey_suite( void );

/* A fresh directory under $TMPDIR for one test; removed by tu_rmtree. */
char *tu_tmpdir( void );
void tu_rmtree( const char *dir );
void tu_write( const char *path, const char *text, int mode );

#endif
