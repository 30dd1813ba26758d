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
void hsxmbx_trace_target(char *buf, size_t size, const struct mbx_event *ev)
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

void hsxmbx_trace_event(void *host, const struct mbx_event *ev)
{
	switch (ev->type) {
	case MBX_EV_SEND:
		trace_send(ev);
		break;
	case MBX_EV_RECV:
		trace_recv(ev);
		break;
	case MBX_EV_WAIT:
		trace_wait(ev);
		break;
	case MBX_EV_WAKE:
		trace_wake(ev);
		break;
	case MBX_EV_TIMEOUT:
		trace_timeout(ev);
		break;
	case MBX_EV_OVERRUN:
		trace_overrun(ev);
		break;
	case MBX_EV_BACKPRESSURE:
		trace_backpressure(ev);
		break;
	case MBX_EV_EXHAUSTED:
		trace_exhausted(ev);
		break;
	case MBX_EV_ERROR:
		trace_error(ev);
		break;
	case MBX_EV_TAP_OVERRUN:
		trace_tap_overrun(ev);
		break;
	case MBX_EV_TRUNCATED:
		trace_truncated(ev);
		break;
	default:
		break;
	}
}
