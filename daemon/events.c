// SPDX-License-Identifier: MIT
/*
 * DOC: The event stream and stdio listeners
 *
 * Events follow the reference executive protocol: each is
 * {"seq", "ts", "type", "pid", "data"} with a daemon-wide sequence number
 * and a monotonic timestamp in seconds.  They are built only while some
 * client subscribes (`events`), so an idle executive with 10,000 tasks
 * spends nothing on them.  Types: task_state, mailbox_send, mailbox_recv,
 * mailbox_wait, mailbox_wake, mailbox_timeout, mailbox_error, vm_error.
 *
 * Stdio chunks observed by the backend's taps on svc:stdio.out/err@PID go
 * to the clients listening to that PID as
 * {"type":"stdio","pid","stream","text"|"data_hex","flags","channel"}.
 */
#include <stdlib.h>
#include <time.h>

#include "execd.h"

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

static bool is_text(const uint8_t *p, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		if (p[i] == 0 || (p[i] < 0x20 && p[i] != '\n' && p[i] != '\r' &&
				  p[i] != '\t'))
			return false;
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
	if (is_text(data, len))
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
