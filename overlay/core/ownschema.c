/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* ownschema.c - warden's own directory schema, registered by the module
 *
 * Generated from schema/warden.schema (OID macros expanded); the test
 * suite compares the two (test_deploy_config.py).  The module registers
 * these at load, so that ACLs, limits and indexes of any database may name
 * them whatever the order of the configuration; warden.schema and
 * warden.ldif remain for servers that do not load warden.la.
 */

#include "warden.h"
#include "core.h"

const warden_schema_def warden_own_ats[] = {
	{ "wardenLockoutBackoff",
		"( 2.25.179947727423328666749588697632006727387.2.1 NAME "
		"'wardenLockoutBackoff' DESC 'Each earlier lock multiplies "
		"pwdLockoutDuration by this factor (1: none)' EQUALITY "
		"integerMatch ORDERING integerOrderingMatch SYNTAX "
		"1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )" },
	{ "wardenLockoutMaxDuration",
		"( 2.25.179947727423328666749588697632006727387.2.2 NAME "
		"'wardenLockoutMaxDuration' DESC 'Longest lock that "
		"back-off may reach, in seconds (0: no limit)' EQUALITY "
		"integerMatch ORDERING integerOrderingMatch SYNTAX "
		"1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )" },
	{ "wardenLockoutBackoffReset",
		"( 2.25.179947727423328666749588697632006727387.2.3 NAME "
		"'wardenLockoutBackoffReset' DESC 'Earlier locks are "
		"forgotten after this many seconds without a lock (0: "
		"never)' EQUALITY integerMatch ORDERING "
		"integerOrderingMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 "
		"SINGLE-VALUE )" },
	{ "wardenSourceMaxFailure",
		"( 2.25.179947727423328666749588697632006727387.2.4 NAME "
		"'wardenSourceMaxFailure' DESC 'Failed binds from one "
		"client address, across all users, that make warden refuse "
		"that address (0: off)' EQUALITY integerMatch ORDERING "
		"integerOrderingMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 "
		"SINGLE-VALUE )" },
	{ "wardenSourceFailureInterval",
		"( 2.25.179947727423328666749588697632006727387.2.5 NAME "
		"'wardenSourceFailureInterval' DESC 'Window, in seconds, "
		"over which wardenSourceMaxFailure counts' EQUALITY "
		"integerMatch ORDERING integerOrderingMatch SYNTAX "
		"1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )" },
	{ "wardenMinClasses",
		"( 2.25.179947727423328666749588697632006727387.2.6 NAME "
		"'wardenMinClasses' DESC 'Character classes (lower, upper, "
		"digit, other) a password must mix' EQUALITY integerMatch "
		"ORDERING integerOrderingMatch SYNTAX "
		"1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )" },
	{ "wardenMinLower",
		"( 2.25.179947727423328666749588697632006727387.2.7 NAME "
		"'wardenMinLower' DESC 'Lower-case letters a password must "
		"contain' EQUALITY integerMatch ORDERING "
		"integerOrderingMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 "
		"SINGLE-VALUE )" },
	{ "wardenMinUpper",
		"( 2.25.179947727423328666749588697632006727387.2.8 NAME "
		"'wardenMinUpper' DESC 'Upper-case letters a password must "
		"contain' EQUALITY integerMatch ORDERING "
		"integerOrderingMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 "
		"SINGLE-VALUE )" },
	{ "wardenMinDigit",
		"( 2.25.179947727423328666749588697632006727387.2.9 NAME "
		"'wardenMinDigit' DESC 'Digits a password must contain' "
		"EQUALITY integerMatch ORDERING integerOrderingMatch SYNTAX "
		"1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )" },
	{ "wardenMinOther",
		"( 2.25.179947727423328666749588697632006727387.2.10 NAME "
		"'wardenMinOther' DESC 'Characters other than ASCII letters "
		"and digits a password must contain' EQUALITY integerMatch "
		"ORDERING integerOrderingMatch SYNTAX "
		"1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )" },
	{ "wardenMaxRepeat",
		"( 2.25.179947727423328666749588697632006727387.2.11 NAME "
		"'wardenMaxRepeat' DESC 'Longest run of one character "
		"allowed in a password (0: any)' EQUALITY integerMatch "
		"ORDERING integerOrderingMatch SYNTAX "
		"1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )" },
	{ "wardenMaxSequence",
		"( 2.25.179947727423328666749588697632006727387.2.12 NAME "
		"'wardenMaxSequence' DESC 'Longest sequence (abcd, 4321, "
		"qwer) allowed in a password (0: any)' EQUALITY "
		"integerMatch ORDERING integerOrderingMatch SYNTAX "
		"1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )" },
	{ "wardenCheckDictionary",
		"( 2.25.179947727423328666749588697632006727387.2.13 NAME "
		"'wardenCheckDictionary' DESC 'Whether a password is "
		"checked against the cracklib dictionary (default TRUE)' "
		"EQUALITY booleanMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.7 "
		"SINGLE-VALUE )" },
	{ "wardenRecoveryCode",
		"( 2.25.179947727423328666749588697632006727387.2.14 NAME "
		"'wardenRecoveryCode' DESC 'A one-time MFA recovery code, "
		"hashed ({WARDENRC1}index$iterations$salt$hash)' EQUALITY "
		"octetStringMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 )" },
	{ "wardenMFARequired",
		"( 2.25.179947727423328666749588697632006727387.2.15 NAME "
		"'wardenMFARequired' DESC 'Whether every user under this "
		"policy must bind with a one-time code' EQUALITY "
		"booleanMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.7 "
		"SINGLE-VALUE )" },
	{ "wardenMFAGroup",
		"( 2.25.179947727423328666749588697632006727387.2.16 NAME "
		"'wardenMFAGroup' DESC 'Members of this group (nested "
		"groups too) must bind with a one-time code' EQUALITY "
		"distinguishedNameMatch SYNTAX "
		"1.3.6.1.4.1.1466.115.121.1.12 )" },
	{ "wardenMFAGracePeriod",
		"( 2.25.179947727423328666749588697632006727387.2.17 NAME "
		"'wardenMFAGracePeriod' DESC 'Seconds a user required to "
		"use MFA without a token may still bind, from the first "
		"such bind (0: none)' EQUALITY integerMatch ORDERING "
		"integerOrderingMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 "
		"SINGLE-VALUE )" },
	{ "wardenAllowedGroup",
		"( 2.25.179947727423328666749588697632006727387.2.18 NAME "
		"'wardenAllowedGroup' DESC 'Members of this group (nested "
		"groups too) may bind from this system' EQUALITY "
		"distinguishedNameMatch SYNTAX "
		"1.3.6.1.4.1.1466.115.121.1.12 )" },
	{ "wardenNetwork",
		"( 2.25.179947727423328666749588697632006727387.2.19 NAME "
		"'wardenNetwork' DESC 'An address or CIDR range the "
		"connections of this system come from' EQUALITY "
		"caseIgnoreIA5Match SYNTAX 1.3.6.1.4.1.1466.115.121.1.26 )" },
	{ "wardenCertSubject",
		"( 2.25.179947727423328666749588697632006727387.2.20 NAME "
		"'wardenCertSubject' DESC 'The subject DN of the TLS client "
		"certificate of this system' EQUALITY caseIgnoreMatch "
		"SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )" },
	{ "wardenDisabledReason",
		"( 2.25.179947727423328666749588697632006727387.2.30 NAME "
		"'wardenDisabledReason' DESC 'Why the account was disabled "
		"(wardenctl user disable --reason)' EQUALITY "
		"caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 "
		"SINGLE-VALUE )" },
	{ "wardenDisabledBy",
		"( 2.25.179947727423328666749588697632006727387.2.31 NAME "
		"'wardenDisabledBy' DESC 'Who disabled the account: set by "
		"warden from the identity of the change' EQUALITY "
		"distinguishedNameMatch SYNTAX "
		"1.3.6.1.4.1.1466.115.121.1.12 SINGLE-VALUE )" },
	{ "wardenDisabledTime",
		"( 2.25.179947727423328666749588697632006727387.2.32 NAME "
		"'wardenDisabledTime' DESC 'When the account was disabled: "
		"set by warden' EQUALITY generalizedTimeMatch ORDERING "
		"generalizedTimeOrderingMatch SYNTAX "
		"1.3.6.1.4.1.1466.115.121.1.24 SINGLE-VALUE )" },
	{ "wardenUUID",
		"( 2.25.179947727423328666749588697632006727387.2.21 NAME "
		"'wardenUUID' DESC 'The entryUUID, in 32 hexadecimal "
		"digits, of the user whose lockout facts a "
		"wardenUserState entry holds' EQUALITY caseIgnoreIA5Match "
		"SYNTAX 1.3.6.1.4.1.1466.115.121.1.26 SINGLE-VALUE )" },
	{ "wardenStateFailure",
		"( 2.25.179947727423328666749588697632006727387.2.22 NAME "
		"'wardenStateFailure' DESC 'Failed binds of the user "
		"counted on the server of this entry, in microseconds "
		"since 1970' EQUALITY integerMatch ORDERING "
		"integerOrderingMatch SYNTAX "
		"1.3.6.1.4.1.1466.115.121.1.27 )" },
	{ "wardenStateReset",
		"( 2.25.179947727423328666749588697632006727387.2.23 NAME "
		"'wardenStateReset' DESC 'Last success or unlock of the "
		"user on the server of this entry, in microseconds since "
		"1970' EQUALITY integerMatch ORDERING "
		"integerOrderingMatch SYNTAX "
		"1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )" },
	{ "wardenStateLockedAt",
		"( 2.25.179947727423328666749588697632006727387.2.24 NAME "
		"'wardenStateLockedAt' DESC 'Start of the last lock the "
		"server of this entry put on the user, in microseconds "
		"since 1970' EQUALITY integerMatch ORDERING "
		"integerOrderingMatch SYNTAX "
		"1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )" },
	{ "wardenStateLockedUntil",
		"( 2.25.179947727423328666749588697632006727387.2.25 NAME "
		"'wardenStateLockedUntil' DESC 'End of that lock while "
		"it holds, in microseconds since 1970 "
		"(9223372036854775807: until unlocked)' EQUALITY integerMatch ORDERING "
		"integerOrderingMatch SYNTAX "
		"1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )" },
	{ NULL, NULL }
};

const warden_schema_def warden_own_ocs[] = {
	{ "wardenPolicy",
		"( 2.25.179947727423328666749588697632006727387.3.1 NAME "
		"'wardenPolicy' DESC 'warden extensions of a password "
		"policy (pwdPolicy) entry' SUP top AUXILIARY MAY ( "
		"wardenLockoutBackoff $ wardenLockoutMaxDuration $ "
		"wardenLockoutBackoffReset $ wardenSourceMaxFailure $ "
		"wardenSourceFailureInterval $ wardenMinClasses $ "
		"wardenMinLower $ wardenMinUpper $ wardenMinDigit $ "
		"wardenMinOther $ wardenMaxRepeat $ wardenMaxSequence $ "
		"wardenCheckDictionary $ wardenMFARequired $ wardenMFAGroup "
		"$ wardenMFAGracePeriod ) )" },
	{ "wardenMFAUser",
		"( 2.25.179947727423328666749588697632006727387.3.2 NAME "
		"'wardenMFAUser' DESC 'A user with warden MFA recovery "
		"codes' SUP top AUXILIARY MAY ( wardenRecoveryCode ) )" },
	{ "wardenSystem",
		"( 2.25.179947727423328666749588697632006727387.3.3 NAME "
		"'wardenSystem' DESC 'A host or service users bind from: "
		"its networks or certificate, and the user groups allowed' "
		"SUP top AUXILIARY MAY ( wardenNetwork $ wardenCertSubject "
		"$ wardenAllowedGroup ) )" },
	{ "wardenSystemGroup",
		"( 2.25.179947727423328666749588697632006727387.3.4 NAME "
		"'wardenSystemGroup' DESC 'A group of systems (its member "
		"values) sharing allowed user groups' SUP top AUXILIARY MAY "
		"( wardenAllowedGroup ) )" },
	{ "wardenAccount",
		"( 2.25.179947727423328666749588697632006727387.3.30 NAME "
		"'wardenAccount' DESC 'An account disabled by warden: why, "
		"who, when (with pwdAccountLockedTime)' SUP top AUXILIARY "
		"MAY ( wardenDisabledReason $ wardenDisabledBy $ "
		"wardenDisabledTime ) )" },
	{ "wardenServerState",
		"( 2.25.179947727423328666749588697632006727387.3.5 NAME "
		"'wardenServerState' DESC 'The lockout facts one provider "
		"shares with the others (cn: warden-state-<serverID>)' "
		"SUP top STRUCTURAL MUST cn )" },
	{ "wardenUserState",
		"( 2.25.179947727423328666749588697632006727387.3.6 NAME "
		"'wardenUserState' DESC 'The lockout facts of one "
		"provider about one user, under its wardenServerState "
		"entry' SUP top STRUCTURAL MUST wardenUUID MAY ( "
		"wardenStateFailure $ wardenStateReset $ "
		"wardenStateLockedAt $ wardenStateLockedUntil ) )" },
	{ NULL, NULL }
};
