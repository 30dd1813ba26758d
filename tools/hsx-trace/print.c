// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DOC: Event lines, for people and for programs
 *
 * The human format is one fixed-width line per event, with the fields
 * that matter for its type in a trailing detail column.  --json prints
 * one JSON object per line with every tracepoint field (0 where the
 * type does not use it, exactly as the tracepoint records it) plus the
 * names of the status, reason and function, so scripts need no tables.
 * Times are seconds since hsx-trace started (CLOCK_MONOTONIC).
 */
#include <inttypes.h>
#include <json-c/json.h>

#include "hsxmbx/hsxmbx.h"
#include "hsxtrace.h"

void hsx_trace_print_header(const struct hsx_trace_printer *p)
{
	if (p->json)
		return;
	fprintf(p->out, "%-11s %-7s %-15s %-12s %-24s %4s %4s %5s %5s %5s %s\n",
		"TIME(s)", "PID", "COMM", "EVENT", "TARGET", "HPID", "HNDL",
		"LEN", "SEQ", "FLAGS", "DETAIL");
	fflush(p->out);
}

static double seconds_since(const struct hsx_trace_printer *p, uint64_t ns)
{
	return ns >= p->start_ns ? (double)(ns - p->start_ns) / 1e9 : 0.0;
}

/* The type-specific part of a human line. */
static void detail(char *buf, size_t size, const struct hsx_trace_event *e)
{
	const struct hsx_trace_fields *f = &e->f;

	switch (e->type) {
	case HSX_TRACE_SEND:
	case HSX_TRACE_RECV:
		snprintf(buf, size, "ch=%u src=%u", f->channel, f->src_pid);
		break;
	case HSX_TRACE_WAIT:
		if (f->timeout == HSX_MBX_TIMEOUT_INFINITE)
			snprintf(buf, size, "timeout=inf");
		else
			snprintf(buf, size, "timeout=%ums", f->timeout);
		break;
	case HSX_TRACE_WAKE:
		snprintf(buf, size, "ch=%u src=%u", f->channel, f->src_pid);
		break;
	case HSX_TRACE_TIMEOUT:
		snprintf(buf, size, "status=%s", hsxmbx_strstatus(f->status));
		break;
	case HSX_TRACE_OVERRUN:
		snprintf(buf, size, "reason=%s dropped src=%u depth=%u",
			 hsx_trace_reason_name(f->reason), f->src_pid, f->queue_depth);
		break;
	case HSX_TRACE_BACKPRESSURE:
		if (f->tap_pid || f->tap_handle || f->limit)
			snprintf(buf, size, "reason=%s tap=%u/%u limit=%u/s",
				 hsx_trace_reason_name(f->reason), f->tap_pid,
				 f->tap_handle, f->limit);
		else
			snprintf(buf, size, "reason=%s cap=%u used=%u need=%u",
				 hsx_trace_reason_name(f->reason), f->capacity,
				 f->bytes_used, f->requested);
		break;
	case HSX_TRACE_EXHAUSTED:
		snprintf(buf, size, "reason=%s limit=%u handles=%u",
			 hsx_trace_reason_name(f->reason), f->limit, f->handles);
		break;
	case HSX_TRACE_ERROR:
		snprintf(buf, size, "fn=%s status=%s", hsx_trace_fn_name(f->fn),
			 hsxmbx_strstatus(f->status));
		break;
	case HSX_TRACE_TAP_OVERRUN:
		snprintf(buf, size, "reason=%s tap=%u/%u depth=%u",
			 hsx_trace_reason_name(f->reason), f->tap_pid,
			 f->tap_handle, f->queue_depth);
		break;
	case HSX_TRACE_TRUNCATED:
		snprintf(buf, size, "discarded=%uB", f->length);
		break;
	default:
		buf[0] = '\0';
	}
}

static void print_human(const struct hsx_trace_printer *p,
			const struct hsx_trace_event *e)
{
	char more[96];

	detail(more, sizeof(more), e);
	fprintf(p->out, "%-11.6f %-7u %-15.15s %-12s %-24s %4u %4u %5u %5u %#5x %s\n",
		seconds_since(p, e->ts_ns), e->tgid, e->comm,
		hsx_trace_type_name(e->type), e->name[0] ? e->name : "-",
		e->f.pid, e->f.handle, e->f.length, e->f.seq, e->f.flags, more);
}

static void add_u32(struct json_object *o, const char *key, uint32_t v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

static void add_str(struct json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v));
}

static void add_fields(struct json_object *o, const struct hsx_trace_fields *f)
{
	add_u32(o, "hsx_pid", f->pid);
	add_u32(o, "descriptor", f->descriptor);
	add_u32(o, "handle", f->handle);
	add_u32(o, "ns", f->ns);
	add_u32(o, "owner", f->owner);
	add_u32(o, "length", f->length);
	add_u32(o, "flags", f->flags);
	add_u32(o, "channel", f->channel);
	add_u32(o, "src_pid", f->src_pid);
	add_u32(o, "status", f->status);
	add_u32(o, "seq", f->seq);
	add_u32(o, "timeout", f->timeout);
	add_u32(o, "capacity", f->capacity);
	add_u32(o, "bytes_used", f->bytes_used);
	add_u32(o, "requested", f->requested);
	add_u32(o, "queue_depth", f->queue_depth);
	add_u32(o, "tap_pid", f->tap_pid);
	add_u32(o, "tap_handle", f->tap_handle);
	add_u32(o, "limit", f->limit);
	add_u32(o, "handles", f->handles);
	add_u32(o, "fn", f->fn);
	add_u32(o, "reason", f->reason);
}

static void print_json(const struct hsx_trace_printer *p,
		       const struct hsx_trace_event *e)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "time", json_object_new_double(seconds_since(p, e->ts_ns)));
	json_object_object_add(o, "ts_ns", json_object_new_int64((int64_t)e->ts_ns));
	add_str(o, "event", hsx_trace_type_name(e->type));
	add_str(o, "target", e->name);
	add_u32(o, "pid", e->tgid);
	add_u32(o, "tid", e->tid);
	add_str(o, "comm", e->comm);
	add_fields(o, &e->f);
	add_str(o, "status_name", hsxmbx_strstatus(e->f.status));
	add_str(o, "reason_name", hsx_trace_reason_name(e->f.reason));
	if (e->type == HSX_TRACE_ERROR)
		add_str(o, "fn_name", hsx_trace_fn_name(e->f.fn));
	fprintf(p->out, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

void hsx_trace_print_event(const struct hsx_trace_printer *p,
			   const struct hsx_trace_event *e)
{
	if (p->json)
		print_json(p, e);
	else
		print_human(p, e);
}
