// SPDX-License-Identifier: GPL-2.0
/*
 * DOC: Engine events to tracepoints
 *
 * ops.event runs under the engine lock; each event type maps to its
 * tracepoint, which costs a static-branch test while nobody listens.
 * Descriptor lifecycle events are the node machinery's business (hooks
 * desc_created/desc_destroyed), not tracepoints.
 */
#define CREATE_TRACE_POINTS
#include "trace.h"

static const char *const hsxmbx_ns_prefix[] = {
	[HSX_MBX_NAMESPACE_PID] = "",
	[HSX_MBX_NAMESPACE_SVC] = "svc:",
	[HSX_MBX_NAMESPACE_APP] = "app:",
	[HSX_MBX_NAMESPACE_SHARED] = "shared:",
};

/* The canonical target ("svc:stdio.out@3", "app:procon", "pid:3"). */
static void hsxmbx_trace_target(char *buf, size_t size,
				const struct mbx_event *ev)
{
	const char *prefix = ev->ns < ARRAY_SIZE(hsxmbx_ns_prefix) ?
			     hsxmbx_ns_prefix[ev->ns] : "?:";
	const char *name = ev->name ? ev->name : "";

	if (ev->owner != MBX_NO_OWNER && ev->ns != HSX_MBX_NAMESPACE_PID &&
	    ev->ns != HSX_MBX_NAMESPACE_SHARED)
		snprintf(buf, size, "%s%s@%u", prefix, name, ev->owner);
	else
		snprintf(buf, size, "%s%s", prefix, name);
}

/* Format the target only when somebody listens to that tracepoint. */
#define HSXMBX_TRACE_CASE(type, tp)					\
	case type:							\
		if (trace_##tp##_enabled()) {				\
			hsxmbx_trace_target(target, sizeof(target), ev);	\
			trace_##tp(ev, target);				\
		}							\
		break

void hsxmbx_trace_event(void *host, const struct mbx_event *ev)
{
	char target[HSXMBX_TRACE_NAME];

	switch (ev->type) {
	HSXMBX_TRACE_CASE(MBX_EV_SEND, send);
	HSXMBX_TRACE_CASE(MBX_EV_RECV, recv);
	HSXMBX_TRACE_CASE(MBX_EV_WAIT, wait);
	HSXMBX_TRACE_CASE(MBX_EV_WAKE, wake);
	HSXMBX_TRACE_CASE(MBX_EV_TIMEOUT, timeout);
	HSXMBX_TRACE_CASE(MBX_EV_OVERRUN, overrun);
	HSXMBX_TRACE_CASE(MBX_EV_BACKPRESSURE, backpressure);
	HSXMBX_TRACE_CASE(MBX_EV_EXHAUSTED, exhausted);
	HSXMBX_TRACE_CASE(MBX_EV_ERROR, error);
	HSXMBX_TRACE_CASE(MBX_EV_TAP_OVERRUN, tap_overrun);
	HSXMBX_TRACE_CASE(MBX_EV_TRUNCATED, truncated);
	default:
		break;
	}
}
