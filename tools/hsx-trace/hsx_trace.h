/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * DOC: What the BPF side of hsx-trace and its user side share
 *
 * The module is built out of tree without BTF, so the tracepoint record is
 * declared by hand here, field for field as tracefs describes it in
 * events/hsxmbx/<event>/format (kmod/trace.h, class hsxmbx_event).  Every
 * hsxmbx tracepoint shares that class, so one struct serves all of them.
 * The target is a __string: the record holds a __data_loc word (offset
 * of the bytes from the start of the record in the low 16 bits, length
 * in the high 16) and the bytes follow the fixed part.
 * The user side compares these offsets with the format files before it
 * loads anything (tpformat.c), so a layout change in the module is a
 * clear error rather than garbage.
 */
#ifndef HSX_TRACE_H
#define HSX_TRACE_H

#include <linux/types.h>

#define HSX_TRACE_NAME_LEN 40   /* HSXMBX_TRACE_NAME in kmod/trace.h */
#define HSX_TRACE_COMM_LEN 16   /* TASK_COMM_LEN */

/* One per tracepoint, in kmod/trace.c's order; bit N of an event mask. */
enum hsx_trace_type {
	HSX_TRACE_SEND,
	HSX_TRACE_RECV,
	HSX_TRACE_WAIT,
	HSX_TRACE_WAKE,
	HSX_TRACE_TIMEOUT,
	HSX_TRACE_OVERRUN,
	HSX_TRACE_BACKPRESSURE,
	HSX_TRACE_EXHAUSTED,
	HSX_TRACE_ERROR,
	HSX_TRACE_TAP_OVERRUN,
	HSX_TRACE_TRUNCATED,
	HSX_TRACE_NTYPES,
};

#define HSX_TRACE_ALL_EVENTS ((1u << HSX_TRACE_NTYPES) - 1)

/* The fields after the common trace_entry header, as TP_STRUCT__entry. */
struct hsx_trace_fields {
	__u32 pid;          /* HSX pid of the acting task (0 = host) */
	__u32 descriptor;
	__u32 handle;
	__u32 ns;
	__u32 owner;
	__u32 length;
	__u32 flags;
	__u32 channel;
	__u32 src_pid;
	__u32 status;
	__u32 seq;
	__u32 timeout;
	__u32 capacity;
	__u32 bytes_used;
	__u32 requested;
	__u32 queue_depth;
	__u32 tap_pid;
	__u32 tap_handle;
	__u32 limit;
	__u32 handles;
	__u32 fn;
	__u32 reason;
};

/* The raw tracepoint record (struct trace_entry + the fields). */
struct hsx_trace_tp {
	__u16 common_type;
	__u8 common_flags;
	__u8 common_preempt_count;
	__s32 common_pid;
	struct hsx_trace_fields f;
	__u32 name_loc;  /* __data_loc char[] name: the canonical target */
};

#define HSX_TRACE_DATA_LOC_OFFSET(loc) ((loc) & 0xFFFF)

/* One ring buffer record. */
struct hsx_trace_event {
	__u64 ts_ns;      /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u32 type;       /* enum hsx_trace_type */
	__u32 tgid;       /* Linux process whose call caused the event */
	__u32 tid;
	char comm[HSX_TRACE_COMM_LEN];
	struct hsx_trace_fields f;
	char name[HSX_TRACE_NAME_LEN];  /* canonical target, NUL-terminated */
};

#endif /* HSX_TRACE_H */
