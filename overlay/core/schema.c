/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* schema.c - the draft-behera password policy schema, shared with ppolicy.la
 *
 * sssd, nslcd and administrators know lock and history state by the names
 * of draft-behera-ldap-password-policy.  ppolicy.la registers them when it
 * loads; warden registers the same definitions only when they are absent,
 * so warden works with or without ppolicy.la in the same slapd.  The
 * definitions must stay identical to ppolicy.la's: entries written under one
 * must be readable under the other.
 */

#include "warden.h"
#include "core.h"

warden_pwd_schema warden_pwd;
warden_own_schema warden_ad;

#define WARDEN_OP_AT	"2.25.179947727423328666749588697632006727387.2.100."
#define SYN_GENTIME	"1.3.6.1.4.1.1466.115.121.1.24"
#define SYN_INTEGER	"1.3.6.1.4.1.1466.115.121.1.27"

/* Lockout state, computed from the state store for administrators; never
 * stored in the entry, so registered here rather than in warden.schema. */
static const struct {
	const char		*name;
	const char		*def;
	AttributeDescription	**ad;
} schema_op_ats[] = {
	{ "wardenFailureCount", "( " WARDEN_OP_AT "1 NAME 'wardenFailureCount' "
		"DESC 'warden: failed binds that count toward lockout' "
		"EQUALITY integerMatch SYNTAX " SYN_INTEGER " SINGLE-VALUE "
		"NO-USER-MODIFICATION USAGE dSAOperation )",
		&warden_ad.ad_failureCount },
	{ "wardenFailureTime", "( " WARDEN_OP_AT "2 NAME 'wardenFailureTime' "
		"DESC 'warden: times of the failed binds that count' "
		"EQUALITY generalizedTimeMatch ORDERING generalizedTimeOrderingMatch "
		"SYNTAX " SYN_GENTIME " NO-USER-MODIFICATION USAGE dSAOperation )",
		&warden_ad.ad_failureTime },
	{ "wardenLockedUntil", "( " WARDEN_OP_AT "3 NAME 'wardenLockedUntil' "
		"DESC 'warden: end of the current lock; 99991231235959Z: until unlocked' "
		"EQUALITY generalizedTimeMatch ORDERING generalizedTimeOrderingMatch "
		"SYNTAX " SYN_GENTIME " SINGLE-VALUE NO-USER-MODIFICATION "
		"USAGE dSAOperation )",
		&warden_ad.ad_lockedUntil },
	{ "wardenLastSuccess", "( " WARDEN_OP_AT "4 NAME 'wardenLastSuccess' "
		"DESC 'warden: last successful bind that cleared failures' "
		"EQUALITY generalizedTimeMatch ORDERING generalizedTimeOrderingMatch "
		"SYNTAX " SYN_GENTIME " SINGLE-VALUE NO-USER-MODIFICATION "
		"USAGE dSAOperation )",
		&warden_ad.ad_lastSuccess },
	{ "wardenLockCount", "( " WARDEN_OP_AT "5 NAME 'wardenLockCount' "
		"DESC 'warden: locks so far (for back-off)' "
		"EQUALITY integerMatch SYNTAX " SYN_INTEGER " SINGLE-VALUE "
		"NO-USER-MODIFICATION USAGE dSAOperation )",
		&warden_ad.ad_lockCount },
	{ NULL, NULL, NULL }
};

int
warden_schema_check( char *msg, size_t len )
{
	static const struct {
		const char		*name;
		AttributeDescription	**ad;
	} ats[] = {
		{ "wardenLockoutBackoff", &warden_ad.ad_lockoutBackoff },
		{ "wardenLockoutMaxDuration", &warden_ad.ad_lockoutMaxDuration },
		{ "wardenLockoutBackoffReset", &warden_ad.ad_lockoutBackoffReset },
		{ "wardenSourceMaxFailure", &warden_ad.ad_sourceMaxFailure },
		{ "wardenSourceFailureInterval", &warden_ad.ad_sourceFailureInterval },
		{ "wardenMinClasses", &warden_ad.ad_minClasses },
		{ "wardenMinLower", &warden_ad.ad_minLower },
		{ "wardenMinUpper", &warden_ad.ad_minUpper },
		{ "wardenMinDigit", &warden_ad.ad_minDigit },
		{ "wardenMinOther", &warden_ad.ad_minOther },
		{ "wardenMaxRepeat", &warden_ad.ad_maxRepeat },
		{ "wardenMaxSequence", &warden_ad.ad_maxSequence },
		{ "wardenCheckDictionary", &warden_ad.ad_checkDictionary },
		{ "wardenMFARequired", &warden_ad.ad_mfaRequired },
		{ "wardenMFAGroup", &warden_ad.ad_mfaGroup },
		{ "wardenMFAGracePeriod", &warden_ad.ad_mfaGrace },
		{ "wardenRecoveryCode", &warden_ad.ad_recoveryCode },
		{ "wardenAllowedGroup", &warden_ad.ad_allowedGroup },
		{ "wardenNetwork", &warden_ad.ad_network },
		{ "wardenCertSubject", &warden_ad.ad_certSubject },
		{ "wardenDisabledReason", &warden_ad.ad_disabledReason },
		{ "wardenDisabledBy", &warden_ad.ad_disabledBy },
		{ "wardenDisabledTime", &warden_ad.ad_disabledTime },
		{ NULL, NULL }
	};
	const char *text;
	int i;

	for ( i = 0; ats[i].name; i++ ) {
		*ats[i].ad = NULL;
		if ( slap_str2ad( ats[i].name, ats[i].ad, &text ) ) break;
	}
	warden_ad.oc_wardenPolicy = oc_find( "wardenPolicy" );
	warden_ad.oc_wardenSystem = oc_find( "wardenSystem" );
	warden_ad.oc_wardenSystemGroup = oc_find( "wardenSystemGroup" );
	/* group membership: core.schema's; memberUid only with nis.schema */
	warden_ad.ad_member = NULL;
	warden_ad.ad_uniqueMember = NULL;
	warden_ad.ad_memberUid = NULL;
	slap_str2ad( "member", &warden_ad.ad_member, &text );
	slap_str2ad( "uniqueMember", &warden_ad.ad_uniqueMember, &text );
	if ( at_find( "memberUid" ) )
		slap_str2ad( "memberUid", &warden_ad.ad_memberUid, &text );
	if ( ats[i].name || !warden_ad.oc_wardenPolicy ) {
		snprintf( msg, len, "warden's schema is not loaded (no %s): "
			"include warden.schema in slapd.conf, or add warden.ldif "
			"to cn=config, from /etc/ldap/schema",
			ats[i].name ? ats[i].name : "wardenPolicy" );
		return -1;
	}
	return 0;
}

static const struct {
	const char		*name;
	const char		*def;
	AttributeDescription	**ad;
} schema_pwd_ats[] = {
	{ "pwdChangedTime", "( 1.3.6.1.4.1.42.2.27.8.1.16 "
		"NAME ( 'pwdChangedTime' ) "
		"DESC 'The time the password was last changed' "
		"EQUALITY generalizedTimeMatch "
		"ORDERING generalizedTimeOrderingMatch "
		"SYNTAX 1.3.6.1.4.1.1466.115.121.1.24 "
		"SINGLE-VALUE NO-USER-MODIFICATION USAGE directoryOperation )",
		&warden_pwd.ad_pwdChangedTime },
	{ "pwdAccountLockedTime", "( 1.3.6.1.4.1.42.2.27.8.1.17 "
		"NAME ( 'pwdAccountLockedTime' ) "
		"DESC 'The time an user account was locked' "
		"EQUALITY generalizedTimeMatch "
		"ORDERING generalizedTimeOrderingMatch "
		"SYNTAX 1.3.6.1.4.1.1466.115.121.1.24 "
		"SINGLE-VALUE USAGE directoryOperation )",
		&warden_pwd.ad_pwdAccountLockedTime },
	{ "pwdFailureTime", "( 1.3.6.1.4.1.42.2.27.8.1.19 "
		"NAME ( 'pwdFailureTime' ) "
		"DESC 'The timestamps of the last consecutive authentication failures' "
		"EQUALITY generalizedTimeMatch "
		"ORDERING generalizedTimeOrderingMatch "
		"SYNTAX 1.3.6.1.4.1.1466.115.121.1.24 "
		"NO-USER-MODIFICATION USAGE directoryOperation )",
		&warden_pwd.ad_pwdFailureTime },
	{ "pwdHistory", "( 1.3.6.1.4.1.42.2.27.8.1.20 "
		"NAME ( 'pwdHistory' ) "
		"DESC 'The history of users passwords' "
		"EQUALITY octetStringMatch "
		"SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 "
		"NO-USER-MODIFICATION USAGE directoryOperation )",
		&warden_pwd.ad_pwdHistory },
	{ "pwdGraceUseTime", "( 1.3.6.1.4.1.42.2.27.8.1.21 "
		"NAME ( 'pwdGraceUseTime' ) "
		"DESC 'The timestamps of the grace login once the password has expired' "
		"EQUALITY generalizedTimeMatch "
		"SYNTAX 1.3.6.1.4.1.1466.115.121.1.24 "
		"NO-USER-MODIFICATION USAGE directoryOperation )",
		&warden_pwd.ad_pwdGraceUseTime },
	{ "pwdReset", "( 1.3.6.1.4.1.42.2.27.8.1.22 "
		"NAME ( 'pwdReset' ) "
		"DESC 'The indication that the password has been reset' "
		"EQUALITY booleanMatch "
		"SYNTAX 1.3.6.1.4.1.1466.115.121.1.7 "
		"SINGLE-VALUE USAGE directoryOperation )",
		&warden_pwd.ad_pwdReset },
	{ "pwdPolicySubentry", "( 1.3.6.1.4.1.42.2.27.8.1.23 "
		"NAME ( 'pwdPolicySubentry' ) "
		"DESC 'The pwdPolicy subentry in effect for this object' "
		"EQUALITY distinguishedNameMatch "
		"SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 "
		"SINGLE-VALUE USAGE directoryOperation )",
		&warden_pwd.ad_pwdPolicySubentry },
	{ "pwdStartTime", "( 1.3.6.1.4.1.42.2.27.8.1.27 "
		"NAME ( 'pwdStartTime' ) "
		"DESC 'The time the password becomes enabled' "
		"EQUALITY generalizedTimeMatch "
		"ORDERING generalizedTimeOrderingMatch "
		"SYNTAX 1.3.6.1.4.1.1466.115.121.1.24 "
		"SINGLE-VALUE USAGE directoryOperation )", NULL },
	{ "pwdEndTime", "( 1.3.6.1.4.1.42.2.27.8.1.28 "
		"NAME ( 'pwdEndTime' ) "
		"DESC 'The time the password becomes disabled' "
		"EQUALITY generalizedTimeMatch "
		"ORDERING generalizedTimeOrderingMatch "
		"SYNTAX 1.3.6.1.4.1.1466.115.121.1.24 "
		"SINGLE-VALUE USAGE directoryOperation )", NULL },
	{ "pwdAccountTmpLockoutEnd", "( 1.3.6.1.4.1.42.2.27.8.1.33 "
		"NAME ( 'pwdAccountTmpLockoutEnd' ) "
		"DESC 'Temporary lockout end' "
		"EQUALITY generalizedTimeMatch "
		"ORDERING generalizedTimeOrderingMatch "
		"SYNTAX 1.3.6.1.4.1.1466.115.121.1.24 "
		"SINGLE-VALUE NO-USER-MODIFICATION USAGE directoryOperation )", NULL },
	{ "pwdAttribute", "( 1.3.6.1.4.1.42.2.27.8.1.1 "
		"NAME ( 'pwdAttribute' ) "
		"EQUALITY objectIdentifierMatch "
		"SYNTAX 1.3.6.1.4.1.1466.115.121.1.38 )",
		&warden_pwd.ad_pwdAttribute },
#define SCHEMA_INT_AT(oid, name, ordering) \
	{ name, "( 1.3.6.1.4.1.42.2.27.8.1." oid " NAME ( '" name "' ) " \
		"EQUALITY integerMatch " ordering \
		"SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )", NULL }
#define SCHEMA_ORD	"ORDERING integerOrderingMatch "
#define SCHEMA_BOOL_AT(oid, name) \
	{ name, "( 1.3.6.1.4.1.42.2.27.8.1." oid " NAME ( '" name "' ) " \
		"EQUALITY booleanMatch " \
		"SYNTAX 1.3.6.1.4.1.1466.115.121.1.7 SINGLE-VALUE )", NULL }
	SCHEMA_INT_AT( "2", "pwdMinAge", SCHEMA_ORD ),
	SCHEMA_INT_AT( "3", "pwdMaxAge", SCHEMA_ORD ),
	SCHEMA_INT_AT( "4", "pwdInHistory", SCHEMA_ORD ),
	SCHEMA_INT_AT( "5", "pwdCheckQuality", SCHEMA_ORD ),
	SCHEMA_INT_AT( "6", "pwdMinLength", SCHEMA_ORD ),
	SCHEMA_INT_AT( "31", "pwdMaxLength", "" ),
	SCHEMA_INT_AT( "7", "pwdExpireWarning", SCHEMA_ORD ),
	SCHEMA_INT_AT( "8", "pwdGraceAuthNLimit", SCHEMA_ORD ),
	SCHEMA_INT_AT( "30", "pwdGraceExpiry", "" ),
	SCHEMA_BOOL_AT( "9", "pwdLockout" ),
	SCHEMA_INT_AT( "10", "pwdLockoutDuration", SCHEMA_ORD ),
	SCHEMA_INT_AT( "11", "pwdMaxFailure", SCHEMA_ORD ),
	SCHEMA_INT_AT( "12", "pwdFailureCountInterval", SCHEMA_ORD ),
	SCHEMA_BOOL_AT( "13", "pwdMustChange" ),
	SCHEMA_BOOL_AT( "14", "pwdAllowUserChange" ),
	SCHEMA_BOOL_AT( "15", "pwdSafeModify" ),
	SCHEMA_INT_AT( "24", "pwdMinDelay", "" ),
	SCHEMA_INT_AT( "25", "pwdMaxDelay", "" ),
	SCHEMA_INT_AT( "26", "pwdMaxIdle", "" ),
	SCHEMA_INT_AT( "32", "pwdMaxRecordedFailure", SCHEMA_ORD ),
	{ "pwdCheckModule", "( 1.3.6.1.4.1.4754.1.99.1 "
		"NAME ( 'pwdCheckModule' ) "
		"EQUALITY caseExactIA5Match "
		"SYNTAX 1.3.6.1.4.1.1466.115.121.1.26 "
		"DESC 'Loadable module that instantiates check_password() function' "
		"SINGLE-VALUE )", NULL },
	{ "pwdCheckModuleArg", "( 1.3.6.1.4.1.4754.1.99.2 "
		"NAME ( 'pwdCheckModuleArg' ) "
		"EQUALITY octetStringMatch "
		"SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 "
		"DESC 'Argument to pass to check_password() function' "
		"SINGLE-VALUE )", NULL },
	{ NULL, NULL, NULL }
};

static const struct {
	const char	*name;
	const char	*def;
	ObjectClass	**oc;
} schema_pwd_ocs[] = {
	{ "pwdPolicyChecker", "( 1.3.6.1.4.1.4754.2.99.1 "
		"NAME 'pwdPolicyChecker' SUP top AUXILIARY "
		"MAY ( pwdCheckModule $ pwdCheckModuleArg ) )", NULL },
	{ "pwdPolicy", "( 1.3.6.1.4.1.42.2.27.8.2.1 "
		"NAME 'pwdPolicy' SUP top AUXILIARY "
		"MUST ( pwdAttribute ) "
		"MAY ( pwdMinAge $ pwdMaxAge $ pwdInHistory $ pwdCheckQuality $ "
		"pwdMinLength $ pwdMaxLength $ pwdExpireWarning $ "
		"pwdGraceAuthNLimit $ pwdGraceExpiry $ pwdLockout $ "
		"pwdLockoutDuration $ pwdMaxFailure $ pwdFailureCountInterval $ "
		"pwdMustChange $ pwdAllowUserChange $ pwdSafeModify $ "
		"pwdMinDelay $ pwdMaxDelay $ pwdMaxIdle $ "
		"pwdMaxRecordedFailure ) )", &warden_pwd.oc_pwdPolicy },
	{ NULL, NULL, NULL }
};

/* pwdAttribute holds attribute names ("userPassword"), which the OID
 * syntax alone refuses; like ppolicy.la, accept any known attribute and
 * match on its OID. */
static int
schema_attr_pretty( Syntax *syntax, struct berval *val, struct berval *out,
	void *ctx )
{
	AttributeDescription *ad = NULL;
	const char *text;
	int rc;

	rc = slap_bv2ad( val, &ad, &text );
	if ( rc == LDAP_SUCCESS )
		ber_dupbv_x( out, &ad->ad_type->sat_cname, ctx );
	return rc;
}

static int
schema_attr_normalize( slap_mask_t use, Syntax *syntax, MatchingRule *mr,
	struct berval *val, struct berval *out, void *ctx )
{
	AttributeDescription *ad = NULL;
	const char *text;
	int rc;

	rc = slap_bv2ad( val, &ad, &text );
	if ( rc == LDAP_SUCCESS )
		ber_str2bv_x( ad->ad_type->sat_oid, 0, 1, out, ctx );
	return rc;
}

/* The patched syntax lives as long as some warden instance does: at exit,
 * slapd unloads modules before it destroys the schema, and must then find
 * neither our functions nor our memory behind pwdAttribute. */
static AttributeDescription *schema_patched_ad;
static int schema_registered;
static Syntax *schema_orig_syn;
static MatchingRule *schema_orig_mr;
static int schema_instances;

static void
schema_attr_patch( void )
{
	AttributeType *at = schema_patched_ad->ad_type;
	Syntax *syn = ch_malloc( sizeof( *syn ) );
	MatchingRule *mr = ch_malloc( sizeof( *mr ) );

	schema_orig_syn = at->sat_syntax;
	schema_orig_mr = at->sat_equality;
	*syn = *at->sat_syntax;
	syn->ssyn_pretty = schema_attr_pretty;
	*mr = *at->sat_equality;
	mr->smr_normalize = schema_attr_normalize;
	at->sat_syntax = syn;
	at->sat_equality = mr;
}

static void
schema_attr_unpatch( void )
{
	AttributeType *at = schema_patched_ad->ad_type;

	ch_free( at->sat_syntax );
	ch_free( at->sat_equality );
	at->sat_syntax = schema_orig_syn;
	at->sat_equality = schema_orig_mr;
}

void
warden_schema_release( void )
{
	if ( --schema_instances == 0 && schema_patched_ad )
		schema_attr_unpatch();
}

/* The definitions ppolicy.la registers, and the operational attributes of
 * warden's lockout state: at load (schemareg.c). */
int
warden_pwd_schema_register( int *registered, char *msg, size_t len )
{
	int i, before;

	for ( i = 0; schema_pwd_ats[i].name; i++ ) {
		AttributeDescription *ad = NULL;

		before = *registered;
		if ( warden_schema_define_at( schema_pwd_ats[i].def, &ad,
				registered, msg, len ) )
			return -1;
		if ( *registered > before ) {
			/* As ppolicy.la does: the rootdn may set these with
			 * the Relax control, e.g. to migrate state. */
			if ( is_at_no_user_mod( ad->ad_type ) )
				ad->ad_type->sat_flags |= SLAP_AT_MANAGEABLE;
			/* ppolicy.la patches its own; we patch ours */
			if ( schema_pwd_ats[i].ad == &warden_pwd.ad_pwdAttribute )
				schema_patched_ad = ad;
		}
		if ( schema_pwd_ats[i].ad ) *schema_pwd_ats[i].ad = ad;
	}
	/* slapd's own pwdLastSuccess (pwdMaxIdle): the rootdn may carry it
	 * over from another directory with the Relax control, as above */
	if ( slap_schema.si_ad_pwdLastSuccess )
		slap_schema.si_ad_pwdLastSuccess->ad_type->sat_flags |=
			SLAP_AT_MANAGEABLE;
	for ( i = 0; schema_pwd_ocs[i].name; i++ ) {
		ObjectClass *oc = NULL;

		if ( warden_schema_define_oc( schema_pwd_ocs[i].def, &oc,
				registered, msg, len ) )
			return -1;
		if ( schema_pwd_ocs[i].oc ) *schema_pwd_ocs[i].oc = oc;
	}
	for ( i = 0; schema_op_ats[i].name; i++ ) {
		int own = 0;

		if ( warden_schema_define_at( schema_op_ats[i].def,
				schema_op_ats[i].ad, &own, msg, len ) )
			return -1;
	}
	schema_registered = 1;
	return 0;
}

int
warden_schema_init( void )
{
	/* registered by init_module; nothing may configure an instance
	 * of a module whose init failed */
	if ( !schema_registered ) {
		Debug( LDAP_DEBUG_ANY, "warden: the schema was not registered "
			"at load\n" );
		return -1;
	}
	if ( schema_instances++ == 0 && schema_patched_ad )
		schema_attr_patch();
	return 0;
}
