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
static void hsxmbx_trace_target(char *buf, size_t size, const struct mbx_event *ev)
{
	const char *prefix = ev->ns < ARRAY_SIZE(hsxmbx_ns_prefix) ? hsxmbx_ns_prefix[ev->ns] :
								     "?:";
	const char *name = ev->name ? ev->name : "";

	if (ev->owner != MBX_NO_OWNER && ev->ns != HSX_MBX_NAMESPACE_PID &&
	    ev->ns != HSX_MBX_NAMESPACE_SHARED)
		snprintf(buf, size, "%s%s@%u", prefix, name, ev->owner);
	else
		snprintf(buf, size, "%s%s", prefix, name);
}

/* Format the target only when somebody listens to that tracepoint. */
#define HSXMBX_TRACE(tp, ev, buf)                                  \
	do {                                                       \
		if (trace_##tp##_enabled()) {                      \
			hsxmbx_trace_target(buf, sizeof(buf), ev); \
			trace_##tp(ev, buf);                       \
		}                                                  \
	} while (0)

void hsxmbx_trace_event(void *host, const struct mbx_event *ev)
{
	char target[HSXMBX_TRACE_NAME];

	switch (ev->type) {
	case MBX_EV_SEND:
		HSXMBX_TRACE(send, ev, target);
		break;
	case MBX_EV_RECV:
		HSXMBX_TRACE(recv, ev, target);
		break;
	case MBX_EV_WAIT:
		HSXMBX_TRACE(wait, ev, target);
		break;
	case MBX_EV_WAKE:
		HSXMBX_TRACE(wake, ev, target);
		break;
	case MBX_EV_TIMEOUT:
		HSXMBX_TRACE(timeout, ev, target);
		break;
	case MBX_EV_OVERRUN:
		HSXMBX_TRACE(overrun, ev, target);
		break;
	case MBX_EV_BACKPRESSURE:
		HSXMBX_TRACE(backpressure, ev, target);
		break;
	case MBX_EV_EXHAUSTED:
		HSXMBX_TRACE(exhausted, ev, target);
		break;
	case MBX_EV_ERROR:
		HSXMBX_TRACE(error, ev, target);
		break;
	case MBX_EV_TAP_OVERRUN:
		HSXMBX_TRACE(tap_overrun, ev, target);
		break;
	case MBX_EV_TRUNCATED:
		HSXMBX_TRACE(truncated, ev, target);
		break;
	default:
		break;
	}
}
