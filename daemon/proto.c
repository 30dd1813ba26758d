// SPDX-License-Identifier: MIT
/*
 * DOC: The control protocol
 *
 * JSON lines modelled on the reference executive protocol: a request is
 * {"version":1,"cmd":NAME,...}; the reply is {"version":1,"status":"ok",...}
 * or {"version":1,"status":"error","error":TEXT}.  Every field is checked
 * for presence and type, so garbage, truncated JSON, wrong types and
 * unknown commands all get an error reply.
 *
 *   ping                              backend, version, task count
 *   load      path                    pid, app_name, mailbox_creation[]
 *   ps                                tasks[] (pid, state, app, steps, ...)
 *   kill      pid                     kills a live task, reaps a dead one
 *   send      pid, [target], data|data_hex, [flags], [channel]
 *                                     as PID 0; target defaults to
 *                                     svc:stdio.in@pid
 *   listen    [pid]                   then stream stdio lines (taps)
 *   events                            then stream events
 *   stdio     pid|"default", [stream], mode
 *   mailbox_snapshot                  descriptors[], stats{}
 *   regs      pid, [addr, len]        registers and memory (debug.c)
 *   resume    pid                     continue a task paused at BRK
 *   shutdown                          stops every task and exits
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "execd.h"
#include "hsxmbx/hsxmbx.h"
#include "vm/vm.h"

struct json_object *proto_reply(const char *status)
{
	struct json_object *r = json_object_new_object();

	json_object_object_add(r, "version", json_object_new_int(1));
	json_object_object_add(r, "status", json_object_new_string(status));
	return r;
}

struct json_object *proto_error(const char *fmt, ...)
{
	struct json_object *r = proto_reply("error");
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_object_object_add(r, "error", json_object_new_string(buf));
	return r;
}

/* --- argument helpers -------------------------------------------------- */

/* An integer field: 1 found, 0 absent, -1 wrong type or out of range. */
static int get_int(struct json_object *req, const char *key, int64_t min,
		   int64_t max, int64_t *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(req, key, &v) || !v)
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return -1;
	*out = json_object_get_int64(v);
	return *out >= min && *out <= max ? 1 : -1;
}

static int get_str(struct json_object *req, const char *key, const char **out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(req, key, &v) || !v)
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return -1;
	*out = json_object_get_string(v);
	return 1;
}

static struct json_object *need_task(struct execd *ex, struct json_object *req,
				     struct task **t)
{
	int64_t pid;
	int r = get_int(req, "pid", 1, EXECD_MAX_PID, &pid);

	if (r <= 0)
		return proto_error("'pid' must be an integer 1..%d", EXECD_MAX_PID);
	*t = task_get(ex, (uint32_t)pid);
	if (!*t) {
		struct json_object *e = proto_error("no task with pid %lld",
						    (long long)pid);

		json_object_object_add(e, "code", json_object_new_string("no_such_task"));
		return e;
	}
	return NULL;
}

struct json_object *task_json(const struct task *t)
{
	struct json_object *o = json_object_new_object();
	struct json_object *ctr = json_object_new_object();

	json_object_object_add(o, "pid", json_object_new_int64(t->pid));
	json_object_object_add(o, "state",
			       json_object_new_string(task_state_name(t->state)));
	json_object_object_add(o, "app", json_object_new_string(t->app));
	json_object_object_add(o, "steps",
			       json_object_new_int64(t->vm ? (int64_t)hsx_vm_steps(t->vm) :
						     (int64_t)t->steps_final));
	json_object_object_add(o, "exit_status", t->has_exit ?
			       json_object_new_int64(t->exit_status) : NULL);
	json_object_object_add(ctr, "MAILBOX_STEP", json_object_new_int64((int64_t)t->svc.ctr.step));
	json_object_object_add(ctr, "MAILBOX_WAKE", json_object_new_int64((int64_t)t->svc.ctr.wake));
	json_object_object_add(ctr, "MAILBOX_TIMEOUT",
			       json_object_new_int64((int64_t)t->svc.ctr.timeout));
	json_object_object_add(o, "mailbox_counters", ctr);
	return o;
}

/* --- commands ------------------------------------------------------- */

static struct json_object *cmd_ping(struct execd *ex, struct client *c,
				    struct json_object *req)
{
	struct json_object *r = proto_reply("ok");

	json_object_object_add(r, "backend", json_object_new_string(ex->be->name));
	json_object_object_add(r, "daemon_version", json_object_new_string(EXECD_VERSION));
	json_object_object_add(r, "tasks", json_object_new_int64(ex->ntasks));
	json_object_object_add(r, "quantum", json_object_new_int64(ex->quantum));
	return r;
}

/* load path [count]: count instances (scale tests), one reply. */
static struct json_object *cmd_load(struct execd *ex, struct client *c,
				    struct json_object *req)
{
	struct json_object *mbx = json_object_new_array(), *pids, *r;
	struct task *t = NULL, *first = NULL;
	int64_t count = 1;
	const char *path;
	char err[512];

	if (get_str(req, "path", &path) <= 0 ||
	    get_int(req, "count", 1, EXECD_MAX_PID, &count) < 0) {
		json_object_put(mbx);
		return proto_error("'path' must be a string, 'count' 1..%d",
				   EXECD_MAX_PID);
	}
	pids = json_object_new_array();
	for (int64_t i = 0; i < count; i++) {
		t = task_load(ex, path, err, sizeof(err), i ? NULL : mbx);
		if (!t)
			break;
		first = first ? first : t;
		json_object_array_add(pids, json_object_new_int64(t->pid));
		ctl_refresh_taps(ex, t);
	}
	if (!t) {
		r = proto_error("load failed after %zu of %lld: %s",
				json_object_array_length(pids), (long long)count, err);
		json_object_object_add(r, "pids", pids);
		json_object_put(mbx);
		return r;
	}
	r = proto_reply("ok");
	json_object_object_add(r, "pid", json_object_new_int64(first->pid));
	json_object_object_add(r, "app_name", json_object_new_string(first->app));
	json_object_object_add(r, "mailbox_creation", mbx);
	if (count > 1)
		json_object_object_add(r, "pids", pids);
	else
		json_object_put(pids);
	return r;
}

static struct json_object *cmd_ps(struct execd *ex, struct client *c,
				  struct json_object *req)
{
	struct json_object *r = proto_reply("ok");
	struct json_object *tasks = json_object_new_array();

	for (uint32_t pid = 1; pid <= EXECD_MAX_PID; pid++)
		if (ex->tasks[pid])
			json_object_array_add(tasks, task_json(ex->tasks[pid]));
	json_object_object_add(r, "tasks", tasks);
	json_object_object_add(r, "backend", json_object_new_string(ex->be->name));
	return r;
}

static struct json_object *cmd_kill(struct execd *ex, struct client *c,
				    struct json_object *req)
{
	struct json_object *err, *r;
	struct task *t;
	bool was_dead;

	err = need_task(ex, req, &t);
	if (err)
		return err;
	was_dead = t->dead;
	r = proto_reply("ok");
	json_object_object_add(r, "pid", json_object_new_int64(t->pid));
	json_object_object_add(r, "action",
			       json_object_new_string(was_dead ? "reaped" : "killed"));
	task_kill(ex, t);
	return r;
}

static int unhex(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch |= 0x20;
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* Payload from "data" (UTF-8) or "data_hex"; malloc'd into *out. */
static struct json_object *payload(struct json_object *req, uint8_t **out,
				   uint32_t *len)
{
	const char *s;
	size_t n;

	if (get_str(req, "data", &s) > 0) {
		n = strlen(s);
		*out = (uint8_t *)strdup(s);
	} else if (get_str(req, "data_hex", &s) > 0 && strlen(s) % 2 == 0) {
		n = strlen(s) / 2;
		*out = malloc(n + 1);
		for (size_t i = 0; *out && i < n; i++) {
			int hi = unhex(s[2 * i]), lo = unhex(s[2 * i + 1]);

			if (hi < 0 || lo < 0) {
				free(*out);
				return proto_error("'data_hex' is not hexadecimal");
			}
			(*out)[i] = (uint8_t)(hi << 4 | lo);
		}
	} else {
		return proto_error("'data' (string) or 'data_hex' (even-length hex) required");
	}
	if (!*out)
		return proto_error("out of memory");
	if (n > HSX_MBX_MAX_MSG_BYTES) {
		free(*out);
		return proto_error("payload too large (%zu > %d bytes)", n,
				   HSX_MBX_MAX_MSG_BYTES);
	}
	*len = (uint32_t)n;
	return NULL;
}

static struct json_object *cmd_send(struct execd *ex, struct client *c,
				    struct json_object *req)
{
	int64_t flags = 0, channel = 0;
	const char *target = NULL;
	char deftarget[48];
	struct json_object *err, *r;
	uint8_t *data = NULL;
	uint32_t len = 0, st;
	struct task *t;

	err = need_task(ex, req, &t);
	if (err)
		return err;
	if (get_str(req, "target", &target) < 0 ||
	    get_int(req, "flags", 0, 0xFFFF, &flags) < 0 ||
	    get_int(req, "channel", 0, 0xFFFF, &channel) < 0)
		return proto_error("'target' must be a string, 'flags'/'channel' 0..65535");
	if (!target) {
		snprintf(deftarget, sizeof(deftarget), "svc:stdio.in@%u", t->pid);
		target = deftarget;
	}
	err = payload(req, &data, &len);
	if (err)
		return err;
	st = ex->be->host_send(ex, target, data, len, (uint32_t)flags,
			       (uint32_t)channel);
	free(data);
	if (st != HSX_MBX_STATUS_OK)
		r = proto_error("send to %s: %s", target, hsxmbx_strstatus(st));
	else
		r = proto_reply("ok");
	json_object_object_add(r, "target", json_object_new_string(target));
	json_object_object_add(r, "mbx_status", json_object_new_int64(st));
	json_object_object_add(r, "length", json_object_new_int64(len));
	return r;
}

static struct json_object *cmd_listen(struct execd *ex, struct client *c,
				      struct json_object *req)
{
	int64_t pid = 0;
	struct json_object *r;

	if (get_int(req, "pid", 0, EXECD_MAX_PID, &pid) < 0)
		return proto_error("'pid' must be an integer 0..%d", EXECD_MAX_PID);
	if (pid && !task_get(ex, (uint32_t)pid))
		return proto_error("no task with pid %lld", (long long)pid);
	r = proto_reply("ok");
	json_object_object_add(r, "streaming", json_object_new_string("stdio"));
	json_object_object_add(r, "pid", json_object_new_int64(pid));
	/* The reply goes out before the first stream line. */
	client_send_json(ex, c, r);
	json_object_put(r);
	client_set_listen(ex, c, pid);
	return NULL;
}

static struct json_object *cmd_events(struct execd *ex, struct client *c,
				      struct json_object *req)
{
	struct json_object *r = proto_reply("ok");

	json_object_object_add(r, "streaming", json_object_new_string("events"));
	client_send_json(ex, c, r);
	json_object_put(r);
	client_set_events(ex, c);
	return NULL;
}

static int stdio_mode_parse(const char *s, uint32_t *mode)
{
	if (!strcmp(s, "off"))
		*mode = HSX_MBX_MODE_RDWR;
	else if (!strcmp(s, "fanout") || !strcmp(s, "drop"))
		*mode = HSX_MBX_MODE_RDWR | HSX_MBX_MODE_FANOUT |
			HSX_MBX_MODE_FANOUT_DROP;
	else if (!strcmp(s, "block"))
		*mode = HSX_MBX_MODE_RDWR | HSX_MBX_MODE_FANOUT |
			HSX_MBX_MODE_FANOUT_BLOCK;
	else
		return -1;
	return 0;
}

static const char *const stream_sets[][4] = {
	{ "in", "in", NULL }, { "out", "out", NULL }, { "err", "err", NULL },
	{ "both", "out", "err", NULL }, { "all", "in", "out", "err" },
};

static struct json_object *stdio_apply(struct execd *ex, struct task *t,
				       const char *const *streams, uint32_t mode)
{
	for (int i = 0; i < 3 && streams[i]; i++) {
		uint32_t st = ex->be->stdio_mode(ex, t, streams[i], mode);

		if (st != HSX_MBX_STATUS_OK)
			return proto_error("pid %u stdio.%s: %s", t->pid,
					   streams[i], hsxmbx_strstatus(st));
	}
	return NULL;
}

static struct json_object *cmd_stdio(struct execd *ex, struct client *c,
				     struct json_object *req)
{
	const char *stream = "out", *mode_s, *pid_s = NULL;
	const char *const *set = NULL;
	struct json_object *err = NULL, *r;
	struct task *t = NULL;
	uint32_t mode;

	if (get_str(req, "mode", &mode_s) <= 0 || stdio_mode_parse(mode_s, &mode))
		return proto_error("'mode' must be off, fanout, drop or block");
	if (get_str(req, "stream", &stream) < 0)
		return proto_error("'stream' must be a string");
	for (size_t i = 0; i < sizeof(stream_sets) / sizeof(stream_sets[0]); i++)
		if (!strcmp(stream, stream_sets[i][0]))
			set = &stream_sets[i][1];
	if (!set)
		return proto_error("'stream' must be in, out, err, both or all");
	if (get_str(req, "pid", &pid_s) > 0 && !strcmp(pid_s, "default")) {
		ex->stdio_mode = mode;
		for (uint32_t p = 1; !err && p <= EXECD_MAX_PID; p++)
			if (ex->tasks[p] && !ex->tasks[p]->dead)
				err = stdio_apply(ex, ex->tasks[p], set, mode);
	} else {
		err = need_task(ex, req, &t);
		if (!err)
			err = t->dead ? proto_error("task %u is not running", t->pid) :
					stdio_apply(ex, t, set, mode);
	}
	if (err)
		return err;
	r = proto_reply("ok");
	json_object_object_add(r, "mode", json_object_new_int64(mode));
	return r;
}

static struct json_object *desc_json(const struct hsxmbx_desc_info *d)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "descriptor_id", json_object_new_int64(d->descriptor_id));
	json_object_object_add(o, "namespace", json_object_new_int64(d->ns));
	json_object_object_add(o, "name", json_object_new_string(d->name));
	json_object_object_add(o, "owner_pid", d->owner_pid == 0xFFFFFFFFu ? NULL :
			       json_object_new_int64(d->owner_pid));
	json_object_object_add(o, "capacity", json_object_new_int64(d->capacity));
	json_object_object_add(o, "bytes_used", json_object_new_int64(d->bytes_used));
	json_object_object_add(o, "queue_depth", json_object_new_int64(d->queue_depth));
	json_object_object_add(o, "head_seq", json_object_new_int64(d->head_seq));
	json_object_object_add(o, "next_seq", json_object_new_int64(d->next_seq));
	json_object_object_add(o, "mode_mask", json_object_new_int64(d->mode));
	json_object_object_add(o, "waiters", json_object_new_int64(d->waiters));
	json_object_object_add(o, "taps", json_object_new_int64(d->taps));
	json_object_object_add(o, "sent", json_object_new_int64((int64_t)d->sent));
	return o;
}

static struct json_object *cmd_snapshot(struct execd *ex, struct client *c,
					struct json_object *req)
{
	struct hsxmbx_desc_info *descs = NULL;
	struct hsxmbx_stats st = { 0 };
	struct json_object *r, *arr, *so;
	int n = ex->be->snapshot(ex, &descs, &st);

	if (n < 0)
		return proto_error("snapshot failed: %s", strerror(-n));
	r = proto_reply("ok");
	arr = json_object_new_array();
	for (int i = 0; i < n; i++)
		json_object_array_add(arr, desc_json(&descs[i]));
	free(descs);
	so = json_object_new_object();
	json_object_object_add(so, "max_descriptors", json_object_new_int64(st.max_descriptors));
	json_object_object_add(so, "active_descriptors",
			       json_object_new_int64(st.active_descriptors));
	json_object_object_add(so, "handles_total", json_object_new_int64(st.handles_total));
	json_object_object_add(so, "waiter_count", json_object_new_int64(st.waiter_count));
	json_object_object_add(so, "queue_depth", json_object_new_int64(st.queue_depth));
	json_object_object_add(so, "tasks", json_object_new_int64(st.tasks));
	json_object_object_add(r, "descriptors", arr);
	json_object_object_add(r, "stats", so);
	return r;
}

static struct json_object *cmd_shutdown(struct execd *ex, struct client *c,
					struct json_object *req)
{
	ex->quit = true;
	return proto_reply("ok");
}

static const struct {
	const char *name;
	struct json_object *(*fn)(struct execd *ex, struct client *c,
				  struct json_object *req);
} commands[] = {
	{ "ping", cmd_ping },	{ "load", cmd_load },
	{ "ps", cmd_ps },	{ "kill", cmd_kill },
	{ "send", cmd_send },	{ "listen", cmd_listen },
	{ "events", cmd_events }, { "stdio", cmd_stdio },
	{ "mailbox_snapshot", cmd_snapshot },
	{ "regs", cmd_regs },	{ "resume", cmd_resume },
	{ "shutdown", cmd_shutdown },
};

static struct json_object *dispatch(struct execd *ex, struct client *c,
				    struct json_object *req)
{
	const char *cmd;
	int64_t version;

	if (!json_object_is_type(req, json_type_object))
		return proto_error("request must be a JSON object");
	if (get_int(req, "version", 1, 1, &version) < 0)
		return proto_error("unsupported 'version' (expected 1)");
	if (get_str(req, "cmd", &cmd) <= 0)
		return proto_error("'cmd' must be a string");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(cmd, commands[i].name))
			return commands[i].fn(ex, c, req);
	return proto_error("unknown command '%.64s'", cmd);
}

static bool only_space(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

void proto_handle_line(struct execd *ex, struct client *c, const char *line,
		       size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *req, *reply;

	if (!tok)
		return;
	req = json_tokener_parse_ex(tok, line, (int)len);
	if (!req || json_tokener_get_error(tok) != json_tokener_success ||
	    !only_space(line + json_tokener_get_parse_end(tok),
			len - json_tokener_get_parse_end(tok))) {
		enum json_tokener_error e = json_tokener_get_error(tok);

		reply = proto_error("malformed JSON: %s",
				    e == json_tokener_success ? "trailing data" :
				    e == json_tokener_continue ? "truncated" :
				    json_tokener_error_desc(e));
	} else {
		reply = dispatch(ex, c, req);
	}
	if (reply) {
		client_send_json(ex, c, reply);
		json_object_put(reply);
	}
	json_object_put(req);
	json_tokener_free(tok);
}
