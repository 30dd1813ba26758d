// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DOC: Names of event types, reasons and functions
 *
 * Event names are the tracepoint names (events/hsxmbx/<name>), so
 * --event takes the same words as bpftrace's tracepoint:hsxmbx:<name>.
 * Reasons are lib/mbx's enum mbx_reason, spelt as the reference spells
 * the policy (reference section 1.8).
 */
#include <string.h>

#include "mbx/mbx.h"
#include "hsxtrace.h"

static const char *const type_names[HSX_TRACE_NTYPES] = {
	[HSX_TRACE_SEND] = "send",
	[HSX_TRACE_RECV] = "recv",
	[HSX_TRACE_WAIT] = "wait",
	[HSX_TRACE_WAKE] = "wake",
	[HSX_TRACE_TIMEOUT] = "timeout",
	[HSX_TRACE_OVERRUN] = "overrun",
	[HSX_TRACE_BACKPRESSURE] = "backpressure",
	[HSX_TRACE_EXHAUSTED] = "exhausted",
	[HSX_TRACE_ERROR] = "error",
	[HSX_TRACE_TAP_OVERRUN] = "tap_overrun",
	[HSX_TRACE_TRUNCATED] = "truncated",
};

static const char *const fn_names[] = {
	[HSX_MBX_FN_OPEN] = "open",
	[HSX_MBX_FN_BIND] = "bind",
	[HSX_MBX_FN_SEND] = "send",
	[HSX_MBX_FN_RECV] = "recv",
	[HSX_MBX_FN_PEEK] = "peek",
	[HSX_MBX_FN_TAP] = "tap",
	[HSX_MBX_FN_CLOSE] = "close",
};

#define NAME_OF(table, i) \
	((i) < sizeof(table) / sizeof(table[0]) && table[i] ? table[i] : "unknown")

const char *hsx_trace_type_name(uint32_t type)
{
	return type < HSX_TRACE_NTYPES ? type_names[type] : NULL;
}

const char *hsx_trace_reason_name(uint32_t reason)
{
	return mbx_reason_name(reason);
}

const char *hsx_trace_fn_name(uint32_t fn)
{
	return NAME_OF(fn_names, fn);
}

static int type_of(const char *name, size_t len)
{
	for (int t = 0; t < HSX_TRACE_NTYPES; t++)
		if (strlen(type_names[t]) == len && !strncmp(type_names[t], name, len))
			return t;
	return -1;
}

bool hsx_trace_parse_events(const char *list, uint32_t *mask)
{
	*mask = 0;
	while (*list) {
		size_t len = strcspn(list, ",");
		int t = type_of(list, len);

		if (t < 0)
			return false;
		*mask |= 1u << t;
		list += len + (list[len] == ',');
	}
	return *mask != 0;
}
