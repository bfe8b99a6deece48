/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* schemaclash.c - a test module that registers oathSecret unlike otp.la
 * (a directory string, multi-valued), to check that warden.la loaded after
 * it refuses to load and says which attribute differs and how
 * (tests/integration/test_deploy_config.py). */

#include "portable.h"
#include "slap.h"

__attribute__(( visibility( "default" ) )) int
init_module( int argc, char *argv[] )
{
	return register_at( "( 1.3.6.1.4.1.5427.1.389.4226.4.1 NAME 'oathSecret' "
		"DESC 'not the OATH-LDAP definition' EQUALITY caseIgnoreMatch "
		"SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )", NULL, 0 );
}
