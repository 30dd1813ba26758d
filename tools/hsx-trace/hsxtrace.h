/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * DOC: hsx-trace's user side
 *
 * main.c parses options, checks that the module and its tracepoints are
 * there (tpformat.c), loads and attaches the BPF skeleton and polls the
 * ring buffer; every event passes the user-space filters, then goes to
 * the printer (print.c) and, with --summary, to the summary (summary.c).
 */
#ifndef HSX_TRACE_USER_H
#define HSX_TRACE_USER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hsx_trace.h"

/* Exit codes, the same numbers as `hsx` where the meaning is shared. */
enum hsx_trace_exit {
	HSX_TRACE_EXIT_OK = 0,
	HSX_TRACE_EXIT_FAIL = 1,
	HSX_TRACE_EXIT_USAGE = 2,
	HSX_TRACE_EXIT_NO_MODULE = 3,
	HSX_TRACE_EXIT_PERM = 5,
};

/* Tracepoint name of an event type ("send", "tap_overrun"); NULL if none. */
const char *hsx_trace_type_name(uint32_t type);
/* Parse "send,recv" into a mask of (1 << type); false on unknown names. */
bool hsx_trace_parse_events(const char *list, uint32_t *mask);
/* Names of mbx_reason values and HSX_MBX_FN_* (never NULL). */
const char *hsx_trace_reason_name(uint32_t reason);
const char *hsx_trace_fn_name(uint32_t fn);

/*
 * tpformat.c: check events/hsxmbx/<name>/format in tracefs against
 * struct hsx_trace_tp for every type in mask.  Returns an exit code and
 * prints why on stderr when it is not HSX_TRACE_EXIT_OK.
 */
int hsx_trace_check_formats(uint32_t mask);

/* print.c: start_ns is the time the tool started (ts_ns origin). */
struct hsx_trace_printer {
	FILE *out;
	bool json;
	uint64_t start_ns;
};

void hsx_trace_print_header(const struct hsx_trace_printer *p);
void hsx_trace_print_event(const struct hsx_trace_printer *p,
			   const struct hsx_trace_event *e);

/* summary.c: counts per type and log2 latency histograms. */
#define HSX_TRACE_HIST_SLOTS 64

struct hsx_trace_hist {
	uint64_t slots[HSX_TRACE_HIST_SLOTS];  /* slot k: [2^k, 2^(k+1)) ns */
	uint64_t count, min_ns, max_ns, sum_ns;
};

struct hsx_trace_summary;

struct hsx_trace_summary *hsx_trace_summary_new(void);
void hsx_trace_summary_free(struct hsx_trace_summary *s);
/* Every event the BPF side sent (needed for latency pairing). */
void hsx_trace_summary_pair(struct hsx_trace_summary *s,
			    const struct hsx_trace_event *e);
/* Every event that passed all the filters. */
void hsx_trace_summary_count(struct hsx_trace_summary *s,
			     const struct hsx_trace_event *e);
void hsx_trace_summary_print(const struct hsx_trace_summary *s, FILE *out,
			     bool json, double seconds, uint64_t lost);

#endif /* HSX_TRACE_USER_H */
