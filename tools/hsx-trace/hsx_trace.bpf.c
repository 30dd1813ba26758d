// SPDX-License-Identifier: GPL-2.0
/*
 * DOC: hsx-trace's BPF side
 *
 * One program per hsxmbx tracepoint copies the record into a BPF ring
 * buffer together with the time and the Linux process.  Filters that are
 * cheap to apply here (event type, Linux pid, HSX pid) run here so that
 * uninteresting events never cross into user space; the target glob needs
 * fnmatch() and runs in user space.  A full ring buffer is counted in
 * `lost`, never silent.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "hsx_trace.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by user space before load (skeleton .rodata). */
const volatile __u32 event_mask = HSX_TRACE_ALL_EVENTS;
const volatile __u32 filter_tgid;       /* 0 = any Linux process */
const volatile __u32 filter_hsx_pid;    /* valid if use_hsx_pid */
const volatile __u32 use_hsx_pid;

__u64 lost;  /* events dropped because the ring buffer was full */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

static __always_inline int wanted(__u32 type, const struct hsx_trace_tp *ctx,
				  __u32 tgid)
{
	if (!(event_mask & (1u << type)))
		return 0;
	if (filter_tgid && tgid != filter_tgid)
		return 0;
	if (use_hsx_pid && ctx->f.pid != filter_hsx_pid &&
	    ctx->f.src_pid != filter_hsx_pid)
		return 0;
	return 1;
}

static __always_inline int emit(const struct hsx_trace_tp *ctx, __u32 type)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct hsx_trace_event *e;

	if (!wanted(type, ctx, id >> 32))
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&lost, 1);
		return 0;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->type = type;
	e->tgid = id >> 32;
	e->tid = (__u32)id;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	__builtin_memcpy(&e->f, &ctx->f, sizeof(e->f));
	bpf_probe_read_kernel_str(e->name, sizeof(e->name), (const char *)ctx +
				  HSX_TRACE_DATA_LOC_OFFSET(ctx->name_loc));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

#define HSX_TRACE_PROG(event, type)					\
	SEC("tracepoint/hsxmbx/" #event)				\
	int hsx_trace_##event(struct hsx_trace_tp *ctx)			\
	{								\
		return emit(ctx, type);					\
	}

HSX_TRACE_PROG(send, HSX_TRACE_SEND)
HSX_TRACE_PROG(recv, HSX_TRACE_RECV)
HSX_TRACE_PROG(wait, HSX_TRACE_WAIT)
HSX_TRACE_PROG(wake, HSX_TRACE_WAKE)
HSX_TRACE_PROG(timeout, HSX_TRACE_TIMEOUT)
HSX_TRACE_PROG(overrun, HSX_TRACE_OVERRUN)
HSX_TRACE_PROG(backpressure, HSX_TRACE_BACKPRESSURE)
HSX_TRACE_PROG(exhausted, HSX_TRACE_EXHAUSTED)
HSX_TRACE_PROG(error, HSX_TRACE_ERROR)
HSX_TRACE_PROG(tap_overrun, HSX_TRACE_TAP_OVERRUN)
HSX_TRACE_PROG(truncated, HSX_TRACE_TRUNCATED)
