/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* oathschema.c - the OATH-LDAP schema that otp.la and warden share
 *
 * warden keeps TOTP tokens in the data model of slapo-otp (the OATH-LDAP
 * schema by Michael Ströder), so a deployment moves from otp.la without
 * enrolling anyone again.  The definitions are those otp.la registers, with
 * its OID macros expanded; warden registers them only when they are absent
 * (otp.la loaded first, or oath-ldap.schema included).  otp.la refuses to
 * load after them, as ppolicy.la does after the password policy schema:
 * load it first, if at all.
 */

#include "warden.h"
#include "mfa.h"

static const struct {
	const char	*name;
	const char	*def;
} oath_ats[] = {
	{ "oathSecret",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.1 NAME 'oathSecret' DESC "
		"'OATH-LDAP: Shared Secret (possibly encrypted with public "
		"key in oathEncKey)' X-ORIGIN 'OATH-LDAP' SINGLE-VALUE "
		"EQUALITY octetStringMatch SUBSTR octetStringSubstringsMatch "
		"SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 )" },
	{ "oathTokenSerialNumber",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.2 NAME "
		"'oathTokenSerialNumber' DESC 'OATH-LDAP: Proprietary "
		"hardware token serial number assigned by vendor' X-ORIGIN "
		"'OATH-LDAP' SINGLE-VALUE EQUALITY caseIgnoreMatch SUBSTR "
		"caseIgnoreSubstringsMatch SYNTAX "
		"1.3.6.1.4.1.1466.115.121.1.44{64})" },
	{ "oathTokenIdentifier",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.3 NAME 'oathTokenIdentifier'"
		" DESC 'OATH-LDAP: Globally unique OATH token identifier' "
		"X-ORIGIN 'OATH-LDAP' SINGLE-VALUE EQUALITY caseIgnoreMatch "
		"SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{256} )" },
	{ "oathParamsEntry",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.4 NAME 'oathParamsEntry' "
		"DESC 'OATH-LDAP: DN pointing to OATH parameter/policy "
		"object' X-ORIGIN 'OATH-LDAP' SINGLE-VALUE SUP "
		"distinguishedName )" },
	{ "oathTOTPTimeStepPeriod",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.4.1 NAME "
		"'oathTOTPTimeStepPeriod' DESC 'OATH-LDAP: Time window for "
		"TOTP (seconds)' X-ORIGIN 'OATH-LDAP' SINGLE-VALUE EQUALITY "
		"integerMatch ORDERING integerOrderingMatch SYNTAX "
		"1.3.6.1.4.1.1466.115.121.1.27 )" },
	{ "oathOTPLength",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.5 NAME 'oathOTPLength' DESC "
		"'OATH-LDAP: Length of OTP (number of digits)' X-ORIGIN "
		"'OATH-LDAP' SINGLE-VALUE EQUALITY integerMatch ORDERING "
		"integerOrderingMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 )" },
	{ "oathHOTPParams",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.5.1 NAME 'oathHOTPParams' "
		"DESC 'OATH-LDAP: DN pointing to HOTP parameter object' "
		"X-ORIGIN 'OATH-LDAP' SINGLE-VALUE SUP oathParamsEntry )" },
	{ "oathTOTPParams",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.5.2 NAME 'oathTOTPParams' "
		"DESC 'OATH-LDAP: DN pointing to TOTP parameter object' "
		"X-ORIGIN 'OATH-LDAP' SINGLE-VALUE SUP oathParamsEntry )" },
	{ "oathHMACAlgorithm",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.6 NAME 'oathHMACAlgorithm' "
		"DESC 'OATH-LDAP: HMAC algorithm used for generating OTP "
		"values' X-ORIGIN 'OATH-LDAP' SINGLE-VALUE EQUALITY "
		"objectIdentifierMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.38 )" },
	{ "oathTimestamp",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.7 NAME 'oathTimestamp' DESC "
		"'OATH-LDAP: Timestamp (not directly used).' X-ORIGIN 'OATH-"
		"LDAP' SINGLE-VALUE EQUALITY generalizedTimeMatch ORDERING "
		"generalizedTimeOrderingMatch SYNTAX "
		"1.3.6.1.4.1.1466.115.121.1.24 )" },
	{ "oathLastFailure",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.7.1 NAME 'oathLastFailure' "
		"DESC 'OATH-LDAP: Timestamp of last failed OATH validation' "
		"X-ORIGIN 'OATH-LDAP' SINGLE-VALUE SUP oathTimestamp )" },
	{ "oathLastLogin",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.7.2 NAME 'oathLastLogin' "
		"DESC 'OATH-LDAP: Timestamp of last successful OATH "
		"validation' X-ORIGIN 'OATH-LDAP' SINGLE-VALUE SUP "
		"oathTimestamp )" },
	{ "oathSecretTime",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.7.3 NAME 'oathSecretTime' "
		"DESC 'OATH-LDAP: Timestamp of generation of oathSecret "
		"attribute.' X-ORIGIN 'OATH-LDAP' SINGLE-VALUE SUP "
		"oathTimestamp )" },
	{ "oathSecretMaxAge",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.8 NAME 'oathSecretMaxAge' "
		"DESC 'OATH-LDAP: Time in seconds for which the shared secret"
		" (oathSecret) will be valid from oathSecretTime value.' "
		"X-ORIGIN 'OATH-LDAP' SINGLE-VALUE EQUALITY integerMatch "
		"ORDERING integerOrderingMatch SYNTAX "
		"1.3.6.1.4.1.1466.115.121.1.27 )" },
	{ "oathToken",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.9 NAME 'oathToken' DESC "
		"'OATH-LDAP: DN pointing to OATH token object' X-ORIGIN "
		"'OATH-LDAP' SINGLE-VALUE SUP distinguishedName )" },
	{ "oathHOTPToken",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.9.1 NAME 'oathHOTPToken' "
		"DESC 'OATH-LDAP: DN pointing to OATH/HOTP token object' "
		"X-ORIGIN 'OATH-LDAP' SINGLE-VALUE SUP oathToken )" },
	{ "oathTOTPToken",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.9.2 NAME 'oathTOTPToken' "
		"DESC 'OATH-LDAP: DN pointing to OATH/TOTP token object' "
		"X-ORIGIN 'OATH-LDAP' SINGLE-VALUE SUP oathToken )" },
	{ "oathCounter",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.10 NAME 'oathCounter' DESC "
		"'OATH-LDAP: Counter for OATH data (not directly used)' "
		"X-ORIGIN 'OATH-LDAP' SINGLE-VALUE EQUALITY integerMatch "
		"ORDERING integerOrderingMatch SYNTAX "
		"1.3.6.1.4.1.1466.115.121.1.27 )" },
	{ "oathFailureCount",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.10.1 NAME 'oathFailureCount'"
		" DESC 'OATH-LDAP: OATH failure counter' X-ORIGIN 'OATH-LDAP'"
		" SINGLE-VALUE SUP oathCounter )" },
	{ "oathHOTPCounter",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.10.2 NAME 'oathHOTPCounter' "
		"DESC 'OATH-LDAP: Counter for HOTP' X-ORIGIN 'OATH-LDAP' "
		"SINGLE-VALUE SUP oathCounter )" },
	{ "oathHOTPLookAhead",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.10.3 NAME "
		"'oathHOTPLookAhead' DESC 'OATH-LDAP: Look-ahead window for "
		"HOTP' X-ORIGIN 'OATH-LDAP' SINGLE-VALUE SUP oathCounter )" },
	{ "oathThrottleLimit",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.10.5 NAME "
		"'oathThrottleLimit' DESC 'OATH-LDAP: Failure throttle limit'"
		" X-ORIGIN 'OATH-LDAP' SINGLE-VALUE SUP oathCounter )" },
	{ "oathTOTPLastTimeStep",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.10.6 NAME "
		"'oathTOTPLastTimeStep' DESC 'OATH-LDAP: Last time step seen "
		"for TOTP (time/period)' X-ORIGIN 'OATH-LDAP' SINGLE-VALUE "
		"SUP oathCounter )" },
	{ "oathMaxUsageCount",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.10.7 NAME "
		"'oathMaxUsageCount' DESC 'OATH-LDAP: Maximum number of times"
		" a token can be used' X-ORIGIN 'OATH-LDAP' SINGLE-VALUE SUP "
		"oathCounter )" },
	{ "oathTOTPTimeStepWindow",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.10.8 NAME "
		"'oathTOTPTimeStepWindow' DESC 'OATH-LDAP: Size of time step "
		"+/- tolerance window used for TOTP validation' X-ORIGIN "
		"'OATH-LDAP' SINGLE-VALUE SUP oathCounter )" },
	{ "oathTOTPTimeStepDrift",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.10.9 NAME "
		"'oathTOTPTimeStepDrift' DESC 'OATH-LDAP: Last observed time "
		"step shift seen for TOTP' X-ORIGIN 'OATH-LDAP' SINGLE-VALUE "
		"SUP oathCounter )" },
	{ "oathSecretLength",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.11 NAME 'oathSecretLength' "
		"DESC 'OATH-LDAP: Length of plain-text shared secret (number "
		"of bytes)' X-ORIGIN 'OATH-LDAP' SINGLE-VALUE EQUALITY "
		"integerMatch ORDERING integerOrderingMatch SYNTAX "
		"1.3.6.1.4.1.1466.115.121.1.27 )" },
	{ "oathEncKey",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.12 NAME 'oathEncKey' DESC "
		"'OATH-LDAP: public key to be used for encrypting new shared "
		"secrets' X-ORIGIN 'OATH-LDAP' SINGLE-VALUE EQUALITY "
		"caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch SYNTAX "
		"1.3.6.1.4.1.1466.115.121.1.15 )" },
	{ "oathResultCode",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.13 NAME 'oathResultCode' "
		"DESC 'OATH-LDAP: LDAP resultCode to use in response' "
		"X-ORIGIN 'OATH-LDAP' SINGLE-VALUE EQUALITY integerMatch "
		"ORDERING integerOrderingMatch SYNTAX "
		"1.3.6.1.4.1.1466.115.121.1.27 )" },
	{ "oathSuccessResultCode",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.13.1 NAME "
		"'oathSuccessResultCode' DESC 'OATH-LDAP: success resultCode "
		"to use in bind/compare response' X-ORIGIN 'OATH-LDAP' SUP "
		"oathResultCode )" },
	{ "oathFailureResultCode",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.13.2 NAME "
		"'oathFailureResultCode' DESC 'OATH-LDAP: failure resultCode "
		"to use in bind/compare response' X-ORIGIN 'OATH-LDAP' SUP "
		"oathResultCode )" },
	{ "oathTokenPIN",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.14 NAME 'oathTokenPIN' DESC "
		"'OATH-LDAP: Configuration PIN (possibly encrypted with "
		"oathEncKey)' X-ORIGIN 'OATH-LDAP' SINGLE-VALUE EQUALITY "
		"caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch SYNTAX "
		"1.3.6.1.4.1.1466.115.121.1.15 )" },
	{ "oathMessage",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.15 NAME 'oathMessage' DESC "
		"'OATH-LDAP: success diagnosticMessage to use in bind/compare"
		" response' X-ORIGIN 'OATH-LDAP' SINGLE-VALUE EQUALITY "
		"caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch SYNTAX "
		"1.3.6.1.4.1.1466.115.121.1.15{1024} )" },
	{ "oathSuccessMessage",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.15.1 NAME "
		"'oathSuccessMessage' DESC 'OATH-LDAP: success "
		"diagnosticMessage to use in bind/compare response' X-ORIGIN "
		"'OATH-LDAP' SUP oathMessage )" },
	{ "oathFailureMessage",
		"( 1.3.6.1.4.1.5427.1.389.4226.4.15.2 NAME "
		"'oathFailureMessage' DESC 'OATH-LDAP: failure "
		"diagnosticMessage to use in bind/compare response' X-ORIGIN "
		"'OATH-LDAP' SUP oathMessage )" },
	{ NULL, NULL }
};

static const struct {
	const char	*name;
	const char	*def;
} oath_ocs[] = {
	{ "oathUser",
		"( 1.3.6.1.4.1.5427.1.389.4226.6.1 NAME 'oathUser' DESC "
		"'OATH-LDAP: User Object' X-ORIGIN 'OATH-LDAP' ABSTRACT )" },
	{ "oathHOTPUser",
		"( 1.3.6.1.4.1.5427.1.389.4226.6.1.1 NAME 'oathHOTPUser' DESC"
		" 'OATH-LDAP: HOTP user object' X-ORIGIN 'OATH-LDAP' "
		"AUXILIARY SUP oathUser MAY ( oathHOTPToken ) )" },
	{ "oathTOTPUser",
		"( 1.3.6.1.4.1.5427.1.389.4226.6.1.2 NAME 'oathTOTPUser' DESC"
		" 'OATH-LDAP: TOTP user object' X-ORIGIN 'OATH-LDAP' "
		"AUXILIARY SUP oathUser MUST ( oathTOTPToken ) )" },
	{ "oathParams",
		"( 1.3.6.1.4.1.5427.1.389.4226.6.2 NAME 'oathParams' DESC "
		"'OATH-LDAP: Parameter object' X-ORIGIN 'OATH-LDAP' ABSTRACT "
		"MUST ( oathOTPLength $ oathHMACAlgorithm ) MAY ( "
		"oathSecretMaxAge $ oathSecretLength $ oathMaxUsageCount $ "
		"oathThrottleLimit $ oathEncKey $ oathSuccessResultCode $ "
		"oathSuccessMessage $ oathFailureResultCode $ "
		"oathFailureMessage ) )" },
	{ "oathHOTPParams",
		"( 1.3.6.1.4.1.5427.1.389.4226.6.2.1 NAME 'oathHOTPParams' "
		"DESC 'OATH-LDAP: HOTP parameter object' X-ORIGIN 'OATH-LDAP'"
		" AUXILIARY SUP oathParams MUST ( oathHOTPLookAhead ) )" },
	{ "oathTOTPParams",
		"( 1.3.6.1.4.1.5427.1.389.4226.6.2.2 NAME 'oathTOTPParams' "
		"DESC 'OATH-LDAP: TOTP parameter object' X-ORIGIN 'OATH-LDAP'"
		" AUXILIARY SUP oathParams MUST ( oathTOTPTimeStepPeriod ) "
		"MAY ( oathTOTPTimeStepWindow ) )" },
	{ "oathToken",
		"( 1.3.6.1.4.1.5427.1.389.4226.6.3 NAME 'oathToken' DESC "
		"'OATH-LDAP: User Object' X-ORIGIN 'OATH-LDAP' ABSTRACT MAY ("
		" oathSecret $ oathSecretTime $ oathLastLogin $ "
		"oathFailureCount $ oathLastFailure $ oathTokenSerialNumber $"
		" oathTokenIdentifier $ oathTokenPIN ) )" },
	{ "oathHOTPToken",
		"( 1.3.6.1.4.1.5427.1.389.4226.6.3.1 NAME 'oathHOTPToken' "
		"DESC 'OATH-LDAP: HOTP token object' X-ORIGIN 'OATH-LDAP' "
		"AUXILIARY SUP oathToken MAY ( oathHOTPParams $ "
		"oathHOTPCounter ) )" },
	{ "oathTOTPToken",
		"( 1.3.6.1.4.1.5427.1.389.4226.6.3.2 NAME 'oathTOTPToken' "
		"DESC 'OATH-LDAP: TOTP token' X-ORIGIN 'OATH-LDAP' AUXILIARY "
		"SUP oathToken MAY ( oathTOTPParams $ oathTOTPLastTimeStep $ "
		"oathTOTPTimeStepDrift ) )" },
	{ NULL, NULL }
};

warden_oath_schema warden_oath;

static const struct {
	const char		*name;
	AttributeDescription	**ad;
} oath_used_ats[] = {
	{ "oathSecret", &warden_oath.ad_secret },
	{ "oathOTPLength", &warden_oath.ad_otpLength },
	{ "oathHMACAlgorithm", &warden_oath.ad_hmacAlgorithm },
	{ "oathTOTPTimeStepPeriod", &warden_oath.ad_totpPeriod },
	{ "oathTOTPTimeStepWindow", &warden_oath.ad_totpWindow },
	{ "oathTOTPTimeStepDrift", &warden_oath.ad_totpDrift },
	{ "oathTOTPLastTimeStep", &warden_oath.ad_totpLastStep },
	{ "oathTOTPParams", &warden_oath.ad_totpParams },
	{ "oathTOTPToken", &warden_oath.ad_totpToken },
	{ "oathHOTPParams", &warden_oath.ad_hotpParams },
	{ "oathHOTPToken", &warden_oath.ad_hotpToken },
	{ "oathHOTPCounter", &warden_oath.ad_hotpCounter },
	{ "oathHOTPLookAhead", &warden_oath.ad_hotpLookAhead },
	{ NULL, NULL }
};

static const struct {
	const char	*name;
	ObjectClass	**oc;
} oath_used_ocs[] = {
	{ "oathTOTPUser", &warden_oath.oc_totpUser },
	{ "oathHOTPUser", &warden_oath.oc_hotpUser },
	{ "oathTOTPToken", &warden_oath.oc_totpToken },
	{ "oathHOTPToken", &warden_oath.oc_hotpToken },
	{ "oathTOTPParams", &warden_oath.oc_totpParams },
	{ "oathHOTPParams", &warden_oath.oc_hotpParams },
	{ NULL, NULL }
};

/* At load (schemareg.c): the definitions otp.la registers. */
int
warden_oath_schema_register( int *registered, char *msg, size_t len )
{
	int i;

	for ( i = 0; oath_ats[i].name; i++ ) {
		if ( warden_schema_define_at( oath_ats[i].def, NULL, registered,
				msg, len ) )
			return -1;
	}
	for ( i = 0; oath_ocs[i].name; i++ ) {
		if ( warden_schema_define_oc( oath_ocs[i].def, NULL, registered,
				msg, len ) )
			return -1;
	}
	return 0;
}

int
warden_oath_schema_init( void )
{
	static int done;
	const char *text;
	int i, rc = 0;

	if ( done ) return 0;
	for ( i = 0; oath_used_ats[i].name; i++ ) {
		*oath_used_ats[i].ad = NULL;
		rc = slap_str2ad( oath_used_ats[i].name, oath_used_ats[i].ad, &text );
		if ( rc ) {
			Debug( LDAP_DEBUG_ANY, "warden: attribute %s: %s\n",
				oath_used_ats[i].name, text );
			return rc;
		}
	}
	for ( i = 0; oath_used_ocs[i].name; i++ ) {
		*oath_used_ocs[i].oc = oc_find( oath_used_ocs[i].name );
		if ( !*oath_used_ocs[i].oc ) {
			Debug( LDAP_DEBUG_ANY, "warden: objectClass %s is missing\n",
				oath_used_ocs[i].name );
			return LDAP_OBJECT_CLASS_VIOLATION;
		}
	}
	done = 1;
	return 0;
}
