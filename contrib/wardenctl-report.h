/* SPDX-License-Identifier: OLDAP-2.8
 * Copyright 2026 The warden authors; see the file LICENSE. */
/* wardenctl-report.h - what the report's reading and its output share
 *
 * wardenctl-report.c reads the directory and decides each user's state
 * into a wr_user; wardenctl-report-output.c prints it in the format asked
 * for (text, JSON lines, CSV) and the totals at the end.
 */
#ifndef WARDENCTL_REPORT_H
#define WARDENCTL_REPORT_H

#include <stddef.h>

#include <ldap.h>

#include "wardenctl.h"
#include "auditjson.h"
#include "expiry.h"
#include "mfarule.h"

#define WR_TEXT	0
#define WR_JSON	1
#define WR_CSV	2

#define WR_ADMIN	0
#define WR_HELPDESK	1
#define WR_AUDITOR	2
#define WR_ROLES	3

/* The text format's columns: its header line and each user's. */
#define WR_TEXT_FMT "%-16s %-4s %-3s %-15s %5s %-10s %-10s %-21s %-28s %s\n"

/* A set of strings (normalized DNs, "uid\1value"). */
typedef struct wr_set {
	char	**ws_slot;
	size_t	ws_cap;		/* a power of two, or 0 */
	size_t	ws_n;
} wr_set;

/* --- policies ------------------------------------------------------------ */

typedef struct wr_policy {
	char			*wp_dn;		/* normalized */
	int			wp_found;	/* read; else no policy applies */
	warden_expiry_policy	wp_exp;
	long long		wp_max_idle;
	int			wp_lockout;
	long long		wp_duration;	/* pwdLockoutDuration */
	warden_mfa_rule		wp_mfa;
	wr_set			wp_mfa_members;	/* of its wardenMFAGroup groups */
	struct wr_policy	*wp_next;
} wr_policy;

/* --- the run ------------------------------------------------------------- */

typedef struct wr_totals {
	unsigned long	t_users, t_enrolled, t_required, t_missing, t_expired,
			t_grace, t_dormant, t_disabled, t_locked, t_cleartext,
			t_weak, t_raw, t_raw_users, t_roles[WR_ROLES];
} wr_totals;

typedef struct wr_run {
	LDAP		*ld;
	int		format;
	int		page_size;
	int		tty;		/* progress on stderr */
	const char	*opt_default_policy, *opt_groups[WR_ROLES];
	char		*default_policy;	/* of the context being read */
	wr_set		roles[WR_ROLES];
	wr_policy	*policies;
	long long	now;
	char		stamp[32];	/* @timestamp of every record */
	wr_totals	tot;
	unsigned long	pw_seen;	/* users whose userPassword was visible */
	unsigned long	seeds_hidden;	/* tokens whose oathSecret was not */
	warden_buf	buf;
	int		failed;		/* the report is incomplete */
	wr_set		allgroups;	/* normalized DNs of every group */
	int		groups_state;	/* 0 not read, 1 read, -1 not readable */
	const char	*cur_base;	/* the base being reported */
} wr_run;

/* One user, as reported. */
typedef struct wr_user {
	char		*dn;
	char		uid[128];
	const char	*mfa;		/* "totp", "hotp" or NULL */
	int		mfa_required;
	const char	*mfa_required_by; /* "policy", "group" or NULL */
	char		scheme[40];	/* "" when no userPassword is visible */
	int		cleartext, weak;
	char		policy[1024];	/* the policy's DN, "" none */
	long long	changed, expires, last_success, last_active;
	long long	locked_since, locked_until;
	const char	*pw_status;	/* ok, warning, grace, expired, or NULL */
	long long	grace_left;	/* -1 unless grace */
	int		dormant, disabled, locked;
	char		reason[256];
	int		raw_seeds;	/* -1: not readable */
	int		roles[WR_ROLES];
} wr_user;

/** Before the first user: CSV's header line, or the text table's. */
void wr_emit_header( wr_run *r );

/** One user, in r->format; a record that cannot be built sets r->failed. */
void wr_emit_user( wr_run *r, const wr_user *u );

/** The totals, after the last user. */
void wr_emit_totals( wr_run *r );

#endif /* WARDENCTL_REPORT_H */
