/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* wblist.h - the synthetic banned-password list of the benchmarks
 *
 * Entry i of a list of any length, the same on every machine: 71 common
 * passwords first, then generated words of 6 to 13 lower-case letters, a
 * quarter each bare, with 0-99 after, capitalised with '!', with "2024".
 * wbanned (the index alone) and wbench -W banned-list (the list run.sh
 * --banned gives slapd) share it, so both measure the same list.
 *
 * Static functions only: include it in one .c file per program.
 */
#ifndef WBLIST_H
#define WBLIST_H

#include <stdint.h>
#include <stdio.h>

static const char *const wbn_common[] = {
	"123456", "password", "123456789", "12345678", "12345", "qwerty",
	"abc123", "football", "1234567", "monkey", "111111", "letmein",
	"1234", "1234567890", "dragon", "baseball", "sunshine", "iloveyou",
	"trustno1", "princess", "adobe123", "123123", "welcome", "login",
	"admin", "qwerty123", "solo", "1q2w3e4r", "master", "666666",
	"photoshop", "1qaz2wsx", "qwertyuiop", "ashley", "mustang", "121212",
	"starwars", "654321", "bailey", "access", "flower", "555555",
	"passw0rd", "shadow", "lovely", "7777777", "michael", "!@#$%^&*",
	"jesus", "password1", "superman", "hello", "charlie", "888888",
	"696969", "hottie", "freedom", "aa123456", "qazwsx", "ninja",
	"azerty", "loveme", "whatever", "donald", "batman", "zaq1zaq1",
	"Football", "000000", "Summer2024!", "Winter2023", "Company123",
};
#define WBN_NCOMMON	( sizeof( wbn_common ) / sizeof( wbn_common[0] ) )

static uint64_t
wbn_mix( uint64_t x )
{
	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 29;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 32;
	return x;
}

/* Generated word i: 6 to 13 letters, the same for a given seed and i. */
static void
wbn_word( uint64_t seed, uint64_t i, char *w )
{
	uint64_t x = wbn_mix( seed ^ ( 0x9e3779b97f4a7c15ULL * ( i + 1 ) ) );
	int len = 6 + (int)( x & 7 ), j;

	for ( j = 0; j < len; j++ ) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		w[j] = (char)( 'a' + ( x >> 33 ) % 26 );
	}
	w[len] = '\0';
}

/* Entry i of the list as a line would hold it. */
static void
wbn_entry( uint64_t i, char *out, size_t size )
{
	char w[16];

	if ( i < WBN_NCOMMON ) {
		snprintf( out, size, "%s", wbn_common[i] );
		return;
	}
	wbn_word( 1, i, w );
	switch ( wbn_mix( i ) % 4 ) {
	case 0: snprintf( out, size, "%s", w ); break;
	case 1: snprintf( out, size, "%s%u", w, (unsigned)( i % 100 ) ); break;
	case 2: w[0] = (char)( w[0] - 32 ); snprintf( out, size, "%s!", w ); break;
	default: snprintf( out, size, "%s%s", w, "2024" ); break;
	}
}

#endif /* WBLIST_H */
