/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* SSH public keys: parsing, strength, fingerprints (overlay/lib/sshkey.h).
 * The keys were made by ssh-keygen 9.2 and their fingerprints printed by
 * ssh-keygen -lf; the security-key vectors are built by hand (ssh-keygen
 * -lf reads them: ED25519-SK, ECDSA-SK). */

#include <string.h>

#include "sshkey.h"
#include "suites.h"

#define ED25519 "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBqGHwMeoCPop48Ub7Cys3dFPm+zCk66uWoI2flBdAZz"
#define ED25519_FP "SHA256:IwZN4aEkuzGJtG1CTymRFu03Eq3Pdxzj+Rtuc6xfYHY"
#define ECDSA256 "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBM67/6Ngwqk/I6Ik4BNI+W0VjprfGJaK7tbwRPgLDmiwIpGJGnBu7CiY3jemwMbW+zg8uwtHrotDLxpXFNjtIHo="
#define ECDSA256_FP "SHA256:IufVAP+Tp4basVcKGuI2ypU2VG21f8ClcS4zuGEsuf8"
#define ECDSA521 "ecdsa-sha2-nistp521 AAAAE2VjZHNhLXNoYTItbmlzdHA1MjEAAAAIbmlzdHA1MjEAAACFBADHviIcXTY+xdRj0KmEuRFvZkqLxSqoUwnZIPjkfXBQaH+9er8510XfDf8i2UGMFpabtc5WrU5XK4WVD28B/Uo5zAAYS2c7iT2NdXsyq7XdsCACnOBDKKwCvtwDIcLX6klem0KAcZvckwYqwmgrnEtyU2ewMnk4/H+X5sjmoEOLE3OxXg=="
#define ECDSA521_FP "SHA256:kjVpNm2Qe+YKPJP1qjdwQ5rNPmrhpqB94JrjeXVMycU"
#define RSA2048 "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC0kdovaRv7caNRZ1aDIluKEmcScEkGkmGUARBVC9WIb5T5FL7psZ1so8qI+Ch3DaQLZZFbgV0ZkVZFFIEhl4t7O86UtVj4vUyz+PJ1fp3BKqnICFzqTeM1QpOTkjTIBptT5RlUkvoFc67gBk15QBDO8zB1euU4X3Cz7xR1UkfqJlf1LOtOYkjb48DMQL+zvCh4JAK0ZY99FkQJZS1ZszHMCUHuPndSeCjJaviizHTpORUwVBdA221SFT5dRV0nJerj1DMhtMl0iNlSenFNsjAMukQ72B9xl4Xx8Y/KvtewlD68KU5e9ODcKxfsD3So1Meo/pnkU4sjacfziPSvEWWZ"
#define RSA2048_FP "SHA256:KoRP/rCbFEKTiDH6BFXX8fvTnc0mdp9Ui3i9/m+NOH0"
#define RSA3072 "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQCjv4zDvKWkqqHf/dwmV6ONfIP8R6HHw5j03bTfQQ2A2DQ8vLAE80OYBk0RTxzQZTQlsu4NL90KhrMEiLEzHxkpHZjZnTNsg+SBA0z3Sq69LtBfqGfhIn94PppFCHUqcgo1ORvooj99U94Fn0Te5WAT5Eu/6w3nW4+mbgNeSw5OKa93ecDT6q6zy3eWlEhLBqouigF9OXGkZAV0iOXYDIa26b+vJZbjK+ojlVFLYRemxR3UbZpp/xMnq/fKWbBbq9HmoDZ8TXVLCfW3PUsVVuUUd9ATFVDOVHWDIO+885KuwqwNkb472L9j2BZrutadvlBYE+lAtNNIOKFzEH5iNwAMCFbnsoW/AOPWMptv1ZlWniQh3o+3gvGfB236FMWeFgjSXoDse7XN17yJ4hgEZFQT9u3p/hA9wybaRonaV3HyDE4CHhp/jtb3yFcKr1FOw+IMcm/f5XStUeLrAgZTTnuHDWU84BdkicttiiMNkcz3DpxBQ1+Z++8QDo/pLfWvb10="
#define RSA3072_FP "SHA256:wpdwOexrRy0XT6F6zK6WaTaLqitOdXkQp8UKxJoLczA"
#define DSA "ssh-dss AAAAB3NzaC1kc3MAAACBAPM1XFpmzOd9oim5Va6SjOnMp5qIGVDcGf/NoiW/BeZOmeVi/AP7bRuJ54ezhCbbWpDbAal13d+fbz1WSQwqcM3X87wPJwKfUZC0UouRk0u4AAGGP9KC5xQnW/GlLG+RMKCc4IxqstTRo8BwG6OHuYeOfrZrv7PoPehFOhrqwZxdAAAAFQC4EZkj4rNNHDKDBieAyw9O4bexSQAAAIBtSqVM19KM1iHI6gfQvixnmms7ox1Ytk1lu8DHoC/YoAz8aTp6LqjyYt0nDfUQwppvw+0hS5p/ngQteLRl/Jxh63tRJLdWhdMKpj4Mi7Ue31SjcPA1FT5p3ytpJ7ayw6Wt7EC4kvpxyLP9SFqVo/jWt+3ZKERXMQf93gB0eE6/WgAAAIBMkPa2klqezt34dgDC59bGXif/soORbcpWq9VaeV69nUIS5iZDPauM6f9SxkyvT0UofEDZsz2VHeXJMcVkvGSK6yLg4O/Qeb7yRGpRxNDUH6QyaUabtVnhjfVqYmFkuWW+MXt2aCeuo8ZfQFw7Gg+LdVBp+g0ZCa+Iq92Qb21ODw=="
#define DSA_FP "SHA256:nsOprClNe9WqkHTo/nLYAxx6yt0BXrXZKiYxxEeBZDQ"
#define SK_ED25519 "sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fAAAABHNzaDo="
#define SK_ED25519_FP "SHA256:/p0CbeE3dk2SyW1OXXsThGc12ezDVD8eGw2/vtztDfk"
#define SK_ECDSA "sk-ecdsa-sha2-nistp256@openssh.com AAAAInNrLWVjZHNhLXNoYTItbmlzdHAyNTZAb3BlbnNzaC5jb20AAAAIbmlzdHAyNTYAAABBBM67/6Ngwqk/I6Ik4BNI+W0VjprfGJaK7tbwRPgLDmiwIpGJGnBu7CiY3jemwMbW+zg8uwtHrotDLxpXFNjtIHoAAAAEc3NoOg=="
#define SK_ECDSA_FP "SHA256:dkAfoA11Vb8WC9CmGc0He4K8WATw5VxW8qPROJuVvtI"

static int
parse( const char *s, warden_sshkey *k, char *msg, size_t len )
{
	return warden_sshkey_parse( s, strlen( s ), k, msg, len );
}

static void
good( const char *s, warden_sshkey_kind kind, unsigned bits, const char *fp,
	int strong )
{
	warden_sshkey k;
	char msg[256];

	ck_assert_msg( !parse( s, &k, msg, sizeof( msg ) ), "%.30s: %s", s, msg );
	ck_assert_int_eq( k.sk_kind, kind );
	ck_assert_uint_eq( k.sk_bits, bits );
	ck_assert_str_eq( k.sk_fingerprint, fp );
	ck_assert_int_eq( warden_sshkey_strong( &k, WARDEN_SSHKEY_MIN_RSA_DEFAULT,
		msg, sizeof( msg ) ), strong ? 0 : -1 );
	ck_assert( strong || msg[0] );
}

START_TEST( known_keys )
{
	good( ED25519 " alice@laptop", WARDEN_SSHKEY_ED25519, 256, ED25519_FP, 1 );
	good( ECDSA256, WARDEN_SSHKEY_ECDSA, 256, ECDSA256_FP, 1 );
	good( ECDSA521 " x", WARDEN_SSHKEY_ECDSA, 521, ECDSA521_FP, 1 );
	good( RSA2048 " c", WARDEN_SSHKEY_RSA, 2048, RSA2048_FP, 0 );
	good( RSA3072, WARDEN_SSHKEY_RSA, 3072, RSA3072_FP, 1 );
	good( DSA " old", WARDEN_SSHKEY_DSA, 1024, DSA_FP, 0 );
	good( SK_ED25519 " yubi", WARDEN_SSHKEY_SK_ED25519, 256, SK_ED25519_FP, 1 );
	good( SK_ECDSA, WARDEN_SSHKEY_SK_ECDSA, 256, SK_ECDSA_FP, 1 );
}
END_TEST

START_TEST( refusal_texts )
{
	warden_sshkey k;
	char msg[256];

	ck_assert( !parse( RSA2048, &k, msg, sizeof( msg ) ) );
	ck_assert_int_eq( warden_sshkey_strong( &k, 3072, msg, sizeof( msg ) ), -1 );
	ck_assert_str_eq( msg, "RSA keys must have at least 3072 bits; this one "
		"has 2048" );
	/* the threshold is a setting */
	ck_assert_int_eq( warden_sshkey_strong( &k, 2048, msg, sizeof( msg ) ), 0 );
	ck_assert( !parse( RSA3072, &k, msg, sizeof( msg ) ) );
	ck_assert_int_eq( warden_sshkey_strong( &k, 4096, msg, sizeof( msg ) ), -1 );
	ck_assert_str_eq( msg, "RSA keys must have at least 4096 bits; this one "
		"has 3072" );
	ck_assert( !parse( DSA, &k, msg, sizeof( msg ) ) );
	ck_assert_int_eq( warden_sshkey_strong( &k, 1024, msg, sizeof( msg ) ), -1 );
	ck_assert( strstr( msg, "DSA keys are refused" ) );
}
END_TEST

START_TEST( options_and_comments )
{
	warden_sshkey k;
	char msg[256];

	ck_assert( !parse( "from=\"192.0.2.0/24\",no-pty " ED25519 " a b c", &k,
		msg, sizeof( msg ) ) );
	ck_assert( k.sk_options );
	ck_assert_str_eq( k.sk_fingerprint, ED25519_FP );
	/* a quoted blank, an escaped quote */
	ck_assert( !parse( "command=\"echo \\\"hi there\\\"\" " ED25519, &k,
		msg, sizeof( msg ) ) );
	ck_assert_str_eq( k.sk_fingerprint, ED25519_FP );
	ck_assert( !parse( "  \t" ED25519 "\t comment ", &k, msg, sizeof( msg ) ) );
	ck_assert( !k.sk_options );
	/* same key, another comment: the same fingerprint */
	ck_assert( !parse( ED25519 " bob", &k, msg, sizeof( msg ) ) );
	ck_assert_str_eq( k.sk_fingerprint, ED25519_FP );
}
END_TEST

START_TEST( malformed )
{
	static const char *bad[] = {
		"",
		"   ",
		"ssh-ed25519",
		"ssh-ed25519 ",
		"ssh-foo AAAA",
		"no-pty",
		"command=\"unterminated " ED25519,
		/* base64: bad character, bad length, padding in the middle,
		 * bits past the data */
		"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBqGHwMeoCPop48Ub7Cys3dFPm+zCk66uWoI2flBdAZ!",
		"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBqGHwMeoCPop48Ub7Cys3dFPm+zCk66uWoI2flBdAZ",
		"ssh-ed25519 AAAAC3Nz=C1lZDI1NTE5AAAAIBqGHwMeoCPop48Ub7Cys3dFPm+zCk66uWoI2flBdAZz",
		"ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBM67/6Ngwqk/I6Ik4BNI+W0VjprfGJaK7tbwRPgLDmiwIpGJGnBu7CiY3jemwMbW+zg8uwtHrotDLxpXFNjtIHp=",
		/* the type before the data is not the data's */
		"ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIBqGHwMeoCPop48Ub7Cys3dFPm+zCk66uWoI2flBdAZz",
		"ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBM67/6Ngwqk/I6Ik4BNI+W0VjprfGJaK7tbwRPgLDmiwIpGJGnBu7CiY3jemwMbW+zg8uwtHrotDLxpXFNjtIHo=",
		/* truncated (the key's last bytes cut), and one byte too many */
		"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBqGHwMeoCPop48Ub7Cys3dFPm+zCk66uWoI2flBdA==",
		"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBqGHwMeoCPop48Ub7Cys3dFPm+zCk66uWoI2flBdAZzAA==",
		/* a second key smuggled in on a second line */
		ED25519 " a\n" RSA2048,
		ED25519 "\r",
		NULL };
	warden_sshkey k;
	char msg[256];
	int i;

	for ( i = 0; bad[i]; i++ ) {
		msg[0] = '\0';
		ck_assert_msg( parse( bad[i], &k, msg, sizeof( msg ) ) == -1,
			"accepted: %s", bad[i] );
		ck_assert_msg( msg[0], "no message: %s", bad[i] );
	}
	/* a NUL inside the value */
	ck_assert_int_eq( warden_sshkey_parse( ED25519 "\0x",
		sizeof( ED25519 "\0x" ) - 1, &k, msg, sizeof( msg ) ), -1 );
	ck_assert( strstr( msg, "control character" ) );
	ck_assert_int_eq( parse( "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIBqGHwMeoCPop48Ub7Cys3dFPm+zCk66uWoI2flBdAZz",
		&k, msg, sizeof( msg ) ), -1 );
	ck_assert( strstr( msg, "not of the type ssh-rsa" ) );
}
END_TEST

Suite *
sshkey_suite( void )
{
	Suite *s = suite_create( "sshkey" );
	TCase *tc = tcase_create( "sshkey" );

	tcase_add_test( tc, known_keys );
	tcase_add_test( tc, refusal_texts );
	tcase_add_test( tc, options_and_comments );
	tcase_add_test( tc, malformed );
	suite_add_tcase( s, tc );
	return s;
}
