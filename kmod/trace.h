/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DOC: Tracepoints
 *
 * One tracepoint per engine event, system "hsxmbx": send, recv, wait,
 * wake, timeout, overrun, backpressure, exhausted, error, tap_overrun and
 * truncated.  They all carry the reference event fields (reference
 * section 1.8; fields an event does not use are 0) plus the descriptor's
 * canonical target as a __string (a __data_loc field), so that
 *   bpftrace -e 'tracepoint:hsxmbx:send { @[str(args->name)] = count(); }'
 * works with the bpftrace of Debian 12 (0.17), whose str() refuses a
 * fixed char array.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM hsxmbx

#if !defined(HSXMBX_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define HSXMBX_TRACE_H

#include <linux/tracepoint.h>

#include "mbx/mbx.h"

#define HSXMBX_TRACE_NAME 40

void hsxmbx_trace_event(void *host, const struct mbx_event *ev);

/* The TRACE_EVENT DSL is laid out for reading, not for clang-format. */
/* clang-format off */
DECLARE_EVENT_CLASS(hsxmbx_event,
	TP_PROTO(const struct mbx_event *ev, const char *target),
	TP_ARGS(ev, target),
	TP_STRUCT__entry(
		__field(u32, pid)
		__field(u32, descriptor)
		__field(u32, handle)
		__field(u32, ns)
		__field(u32, owner)
		__field(u32, length)
		__field(u32, flags)
		__field(u32, channel)
		__field(u32, src_pid)
		__field(u32, status)
		__field(u32, seq)
		__field(u32, timeout)
		__field(u32, capacity)
		__field(u32, bytes_used)
		__field(u32, requested)
		__field(u32, queue_depth)
		__field(u32, tap_pid)
		__field(u32, tap_handle)
		__field(u32, limit)
		__field(u32, handles)
		__field(u32, fn)
		__field(u32, reason)
		__string(name, target)
	),
	TP_fast_assign(
		__entry->pid = ev->pid;
		__entry->descriptor = ev->descriptor;
		__entry->handle = ev->handle;
		__entry->ns = ev->ns;
		__entry->owner = ev->owner;
		__entry->length = ev->length;
		__entry->flags = ev->flags;
		__entry->channel = ev->channel;
		__entry->src_pid = ev->src_pid;
		__entry->status = ev->status;
		__entry->seq = ev->seq;
		__entry->timeout = ev->timeout;
		__entry->capacity = ev->capacity;
		__entry->bytes_used = ev->bytes_used;
		__entry->requested = ev->requested;
		__entry->queue_depth = ev->queue_depth;
		__entry->tap_pid = ev->tap_pid;
		__entry->tap_handle = ev->tap_handle;
		__entry->limit = ev->limit;
		__entry->handles = ev->handles;
		__entry->fn = ev->fn;
		__entry->reason = ev->reason;
		__assign_str(name, target);
	),
	TP_printk("%s desc=%u pid=%u handle=%u len=%u flags=0x%x ch=%u src=%u seq=%u status=%u reason=%u",
		  __get_str(name), __entry->descriptor, __entry->pid,
		  __entry->handle, __entry->length, __entry->flags,
		  __entry->channel, __entry->src_pid, __entry->seq,
		  __entry->status, __entry->reason)
);

#define HSXMBX_TRACE_EVENT(evname) \
	DEFINE_EVENT(hsxmbx_event, evname, \
		TP_PROTO(const struct mbx_event *ev, const char *target), \
		TP_ARGS(ev, target))

HSXMBX_TRACE_EVENT(send);
HSXMBX_TRACE_EVENT(recv);
HSXMBX_TRACE_EVENT(wait);
HSXMBX_TRACE_EVENT(wake);
HSXMBX_TRACE_EVENT(timeout);
HSXMBX_TRACE_EVENT(overrun);
HSXMBX_TRACE_EVENT(backpressure);
HSXMBX_TRACE_EVENT(exhausted);
HSXMBX_TRACE_EVENT(error);
HSXMBX_TRACE_EVENT(tap_overrun);
HSXMBX_TRACE_EVENT(truncated);

/* clang-format on */
#endif /* HSXMBX_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
