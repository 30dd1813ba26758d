// SPDX-License-Identifier: MIT
/*
 * DOC: The event stream and stdio listeners
 *
 * Events follow the reference executive protocol: each is
 * {"seq", "ts", "type", "pid", "data"} with a daemon-wide sequence number
 * and a monotonic timestamp in seconds.  They are built only while some
 * client subscribes (`events`), so an idle executive with 10,000 tasks
 * spends nothing on them.  Types: task_state, mailbox_send, mailbox_recv,
 * mailbox_wait, mailbox_wake, mailbox_timeout, mailbox_error, vm_error,
 * and the engine's own mailbox_overrun, mailbox_backpressure and
 * mailbox_exhausted.  Those three are not SVC results: the engine raises
 * them inside a send or an open.  The embedded backend gets them from
 * lib/mbx's ops.event hook; the kernel backend from the module's
 * tracepoints through hsx-trace (kevents.c).  Both hand a struct
 * mbx_event to ev_mbx_engine(), so the two backends spell them alike.
 *
 * Stdio chunks observed by the backend's taps on svc:stdio.out/err@PID go
 * to the clients listening to that PID as
 * {"type":"stdio","pid","stream","text"|"data_hex","flags","channel"}:
 * "text" when the chunk is valid UTF-8 (NULs and control bytes escaped
 * by JSON), "data_hex" otherwise; no byte is dropped either way.
 */
#include <stdlib.h>
#include <time.h>

#include "execd.h"
#include "mbx/mbx.h"

struct json_object *ev_new(void)
{
	return json_object_new_object();
}

bool ev_wanted(const struct execd *ex)
{
	return ex->nsubscribers > 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void ev_emit(struct execd *ex, const char *type, uint32_t pid,
	     struct json_object *data)
{
	struct json_object *ev = json_object_new_object();

	json_object_object_add(ev, "seq", json_object_new_int64((int64_t)++ex->event_seq));
	json_object_object_add(ev, "ts", json_object_new_double(now_s()));
	json_object_object_add(ev, "type", json_object_new_string(type));
	json_object_object_add(ev, "pid", json_object_new_int64(pid));
	json_object_object_add(data, "pid", json_object_new_int64(pid));
	json_object_object_add(ev, "data", data);
	ctl_broadcast(ex, true, pid, ev);
	json_object_put(ev);
}

void ev_task_state(struct execd *ex, struct task *t, enum task_state prev,
		   const char *reason)
{
	struct json_object *d;

	if (!ev_wanted(ex))
		return;
	d = ev_new();
	json_object_object_add(d, "prev_state",
			       json_object_new_string(task_state_name(prev)));
	json_object_object_add(d, "new_state",
			       json_object_new_string(task_state_name(t->state)));
	json_object_object_add(d, "reason", json_object_new_string(reason));
	if (t->has_exit)
		json_object_object_add(d, "exit_status",
				       json_object_new_int64(t->exit_status));
	ev_emit(ex, "task_state", t->pid, d);
}

/*
 * Valid UTF-8 goes out as "text": JSON escapes NUL and control bytes
 * (\u0000), so every byte survives.  Anything else as "data_hex".
 */
static bool is_utf8(const uint8_t *p, uint32_t len)
{
	uint32_t i = 0, n, k;

	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if (p[i] >= 0xC2 && p[i] <= 0xDF)
			n = 1;
		else if (p[i] >= 0xE0 && p[i] <= 0xEF)
			n = 2;
		else if (p[i] >= 0xF0 && p[i] <= 0xF4)
			n = 3;
		else
			return false;
		if (len - i <= n)
			return false;
		for (k = 1; k <= n; k++)
			if ((p[i + k] & 0xC0) != 0x80)
				return false;
		/* No overlong 3/4-byte forms, surrogates or code points > U+10FFFF. */
		if ((p[i] == 0xE0 && p[i + 1] < 0xA0) ||
		    (p[i] == 0xED && p[i + 1] > 0x9F) ||
		    (p[i] == 0xF0 && p[i + 1] < 0x90) ||
		    (p[i] == 0xF4 && p[i + 1] > 0x8F))
			return false;
		i += n + 1;
	}
	return true;
}

static struct json_object *hex_string(const uint8_t *p, uint32_t len)
{
	static const char digits[] = "0123456789abcdef";
	char *s = malloc(2 * (size_t)len + 1);
	struct json_object *o;

	if (!s)
		return NULL;
	for (uint32_t i = 0; i < len; i++) {
		s[2 * i] = digits[p[i] >> 4];
		s[2 * i + 1] = digits[p[i] & 15];
	}
	o = json_object_new_string_len(s, (int)(2 * len));
	free(s);
	return o;
}

void stdio_deliver(struct execd *ex, uint32_t pid, const char *stream,
		   const void *data, uint32_t len, uint32_t flags,
		   uint32_t channel, uint32_t src_pid)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "type", json_object_new_string("stdio"));
	json_object_object_add(o, "pid", json_object_new_int64(pid));
	json_object_object_add(o, "stream", json_object_new_string(stream));
	if (is_utf8(data, len))
		json_object_object_add(o, "text",
				       json_object_new_string_len(data, (int)len));
	else
		json_object_object_add(o, "data_hex", hex_string(data, len));
	json_object_object_add(o, "flags", json_object_new_int64(flags));
	json_object_object_add(o, "channel", json_object_new_int64(channel));
	json_object_object_add(o, "src_pid", json_object_new_int64(src_pid));
	ctl_broadcast(ex, false, pid, o);
	json_object_put(o);
}

/* --- engine events (reference section 1.8) ----------------------------- */

static struct json_object *reason_string(enum mbx_reason r)
{
	return json_object_new_string(mbx_reason_name(r));
}

static void add_u32(struct json_object *d, const char *key, uint32_t v)
{
	json_object_object_add(d, key, json_object_new_int64(v));
}

static void ev_overrun(struct execd *ex, const struct mbx_event *e)
{
	struct json_object *d = ev_new();

	add_u32(d, "descriptor", e->descriptor);
	add_u32(d, "dropped_seq", e->seq);
	add_u32(d, "dropped_length", e->length);
	add_u32(d, "dropped_flags", e->flags);
	add_u32(d, "channel", e->channel);
	json_object_object_add(d, "reason", reason_string(e->reason));
	add_u32(d, "queue_depth", e->queue_depth);
	ev_emit(ex, "mailbox_overrun", e->pid, d);
}

static void ev_backpressure(struct execd *ex, const struct mbx_event *e)
{
	struct json_object *d = ev_new();

	add_u32(d, "descriptor", e->descriptor);
	json_object_object_add(d, "policy", reason_string(e->reason));
	add_u32(d, "capacity", e->capacity);
	add_u32(d, "bytes_used", e->bytes_used);
	add_u32(d, "requested", e->requested);
	if (e->reason == MBX_REASON_TAP_RATE_LIMIT) {
		add_u32(d, "tap_pid", e->tap_pid);
		add_u32(d, "tap_handle", e->tap_handle);
		add_u32(d, "limit", e->limit);
	}
	ev_emit(ex, "mailbox_backpressure", e->pid, d);
}

static void ev_exhausted(struct execd *ex, const struct mbx_event *e)
{
	struct json_object *d = ev_new();

	json_object_object_add(d, "reason", reason_string(e->reason));
	if (e->reason == MBX_REASON_HANDLE_LIMIT) {
		add_u32(d, "handle_limit", e->limit);
		add_u32(d, "handles", e->handles);
	} else {
		add_u32(d, "namespace", e->ns);
		json_object_object_add(d, "name",
				       json_object_new_string(e->name ? e->name : ""));
		json_object_object_add(d, "owner", e->owner == MBX_NO_OWNER ? NULL :
				       json_object_new_int64(e->owner));
		add_u32(d, "max_descriptors", e->limit);
	}
	ev_emit(ex, "mailbox_exhausted", e->pid, d);
}

void ev_mbx_engine(struct execd *ex, const struct mbx_event *e)
{
	if (!ev_wanted(ex))
		return;
	switch (e->type) {
	case MBX_EV_OVERRUN:
		ev_overrun(ex, e);
		break;
	case MBX_EV_BACKPRESSURE:
		ev_backpressure(ex, e);
		break;
	case MBX_EV_EXHAUSTED:
		ev_exhausted(ex, e);
		break;
	default:
		break;	/* SVC results are reported by svc.c */
	}
}
