/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* auditagg.c - repeated identical failures as one audit record with a count
 *
 * A hash table of bursts by key, and a list of them in the order they
 * started (the order their intervals end in, and the oldest first when
 * the table is full).
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auditagg.h"
#include "fnv.h"
#include "auditjson.h"

typedef struct agg_entry {
	struct agg_entry *e_hnext;		/* same bucket */
	struct agg_entry *e_prev, *e_next;	/* by start */
	uint64_t	e_hash;
	struct timespec	e_start;	/* the burst's first failure */
	struct timespec	e_first, e_last; /* the first and last counted */
	unsigned long	e_count;
	char		*e_rec;		/* the first counted one's record */
	size_t		e_reclen;
	size_t		e_keylen;
	unsigned char	e_key[];
} agg_entry;

struct warden_auditagg {
	agg_entry	**g_buckets;
	size_t		g_nbuckets;
	size_t		g_max, g_n;
	agg_entry	*g_head, *g_tail;
};

static uint64_t
agg_hash( const void *key, size_t len )
{
	return warden_fnv1a( WARDEN_FNV_BASIS, key, len );
}

warden_auditagg *
warden_auditagg_new( size_t max )
{
	warden_auditagg *g = calloc( 1, sizeof( *g ) );

	if ( !g ) return NULL;
	g->g_max = max ? max : WARDEN_AUDITAGG_MAX;
	g->g_nbuckets = 2 * g->g_max;
	if ( !( g->g_buckets = calloc( g->g_nbuckets, sizeof( *g->g_buckets ) ) ) ) {
		warden_auditagg_free( g );
		return NULL;
	}
	return g;
}

static void
agg_unlink( warden_auditagg *g, agg_entry *e )
{
	agg_entry **pp = &g->g_buckets[e->e_hash % g->g_nbuckets];

	while ( *pp != e ) pp = &( *pp )->e_hnext;
	*pp = e->e_hnext;
	if ( e->e_prev ) e->e_prev->e_next = e->e_next;
	else g->g_head = e->e_next;
	if ( e->e_next ) e->e_next->e_prev = e->e_prev;
	else g->g_tail = e->e_prev;
	g->g_n--;
}

static void
agg_entry_free( agg_entry *e )
{
	free( e->e_rec );
	free( e );
}

void
warden_auditagg_free( warden_auditagg *g )
{
	agg_entry *e, *next;

	if ( !g ) return;
	for ( e = g->g_head; e; e = next ) {
		next = e->e_next;
		agg_entry_free( e );
	}
	free( g->g_buckets );
	free( g );
}

size_t
warden_auditagg_count( const warden_auditagg *g )
{
	return g->g_n;
}

void
warden_auditagg_out_free( warden_auditagg_out *o )
{
	warden_auditagg_out *next;

	for ( ; o; o = next ) {
		next = o->ao_next;
		free( o );
	}
}

/* The record of a burst that counted failures, appended to *out. */
static void
agg_emit( agg_entry *e, warden_auditagg_out **out )
{
	warden_auditagg_out *o, **tail;
	warden_buf b;
	size_t i;

	if ( !e->e_count || !e->e_rec ) return;
	warden_buf_init( &b );
	/* the kept record without its closing brace (and blanks before it) */
	i = e->e_reclen - 1;
	while ( i > 1 && ( e->e_rec[i - 1] == ' ' || e->e_rec[i - 1] == '\t' ) ) i--;
	warden_buf_add( &b, e->e_rec, i );
	if ( e->e_rec[i - 1] != '{' ) warden_buf_add( &b, ",", 1 );
	warden_buf_adds( &b, "\"warden.aggregated\":true,\"event.count\":" );
	{
		char num[24];
		int n = snprintf( num, sizeof( num ), "%lu", e->e_count );

		warden_buf_add( &b, num, n );
	}
	/* the times, each as a one-element array's element */
	{
		warden_buf t;
		const struct timespec *ts[2] = { &e->e_first, &e->e_last };
		const char *keys[2] = { ",\"event.start\":", ",\"event.end\":" };
		int k;

		for ( k = 0; k < 2; k++ ) {
			warden_buf_init( &t );
			warden_json_begin_array( &t );
			warden_json_time( &t, ts[k] );
			warden_buf_adds( &b, keys[k] );
			if ( warden_buf_failed( &t ) || t.wb_len < 2 ) b.wb_failed = 1;
			else warden_buf_add( &b, t.wb_data + 1, t.wb_len - 1 );
			warden_buf_free( &t );
		}
	}
	warden_buf_add( &b, "}", 1 );
	if ( !warden_buf_failed( &b ) &&
		( o = malloc( sizeof( *o ) + b.wb_len + 1 ) ) ) {
		o->ao_next = NULL;
		o->ao_len = b.wb_len;
		memcpy( o->ao_rec, b.wb_data, b.wb_len + 1 );
		for ( tail = out; *tail; tail = &( *tail )->ao_next )
			;
		*tail = o;
	}
	warden_buf_free( &b );
}

static int
agg_ended( const agg_entry *e, const struct timespec *now, unsigned interval )
{
	time_t end = e->e_start.tv_sec + (time_t)interval;

	return !now || now->tv_sec > end ||
		( now->tv_sec == end && now->tv_nsec >= e->e_start.tv_nsec );
}

int
warden_auditagg_note( warden_auditagg *g, const void *key, size_t keylen,
	const char *rec, size_t reclen, const struct timespec *now,
	unsigned interval, warden_auditagg_out **out )
{
	uint64_t h = agg_hash( key, keylen );
	agg_entry *e, **bucket;

	if ( !interval ) return 1;
	bucket = &g->g_buckets[h % g->g_nbuckets];
	for ( e = *bucket; e; e = e->e_hnext ) {
		if ( e->e_hash == h && e->e_keylen == keylen &&
			!memcmp( e->e_key, key, keylen ) ) break;
	}
	if ( e && !agg_ended( e, now, interval ) ) {
		if ( !e->e_count ) {
			if ( !( e->e_rec = malloc( reclen + 1 ) ) ) return -1;
			memcpy( e->e_rec, rec, reclen );
			e->e_rec[reclen] = '\0';
			e->e_reclen = reclen;
			e->e_first = *now;
		}
		e->e_count++;
		e->e_last = *now;
		return 0;
	}
	if ( e ) {
		/* its burst is over: its record, and a new burst */
		agg_emit( e, out );
		agg_unlink( g, e );
		agg_entry_free( e );
	}
	if ( g->g_n >= g->g_max && g->g_head ) {
		e = g->g_head;
		agg_emit( e, out );
		agg_unlink( g, e );
		agg_entry_free( e );
	}
	if ( !( e = calloc( 1, sizeof( *e ) + keylen ) ) ) return -1;
	e->e_hash = h;
	e->e_keylen = keylen;
	memcpy( e->e_key, key, keylen );
	e->e_start = *now;
	e->e_hnext = *bucket;
	*bucket = e;
	e->e_prev = g->g_tail;
	if ( g->g_tail ) g->g_tail->e_next = e;
	else g->g_head = e;
	g->g_tail = e;
	g->g_n++;
	return 1;
}

void
warden_auditagg_flush( warden_auditagg *g, const struct timespec *now,
	unsigned interval, warden_auditagg_out **out )
{
	agg_entry *e;

	/* in the order they started: the first one still running stops it */
	while ( ( e = g->g_head ) && agg_ended( e, now, interval ) ) {
		agg_emit( e, out );
		agg_unlink( g, e );
		agg_entry_free( e );
	}
}
