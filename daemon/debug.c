// SPDX-License-Identifier: MIT
/*
 * DOC: Debug commands: BRK pauses
 *
 * BRK pauses the task (state "paused", reference 5.1: RUNNING -> PAUSED
 * "via the debugger"): it stops being scheduled, with its PC past the
 * BRK, until a client resumes it.  Nothing else is held: its mailboxes,
 * taps and other tasks carry on.
 *
 *   resume  pid                a paused task becomes ready again
 */
#include <stdio.h>

#include "execd.h"
#include "vm/vm.h"

static int get_u32(struct json_object *req, const char *key, int64_t max,
		   int64_t *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(req, key, &v) || !v)
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return -1;
	*out = json_object_get_int64(v);
	return *out >= 0 && *out <= max ? 1 : -1;
}

static struct json_object *find_task(struct execd *ex, struct json_object *req,
				     struct task **t)
{
	int64_t pid;

	if (get_u32(req, "pid", EXECD_MAX_PID, &pid) <= 0 || !pid)
		return proto_error("'pid' must be an integer 1..%d", EXECD_MAX_PID);
	*t = task_get(ex, (uint32_t)pid);
	if (!*t)
		return proto_error("no task with pid %lld", (long long)pid);
	return NULL;
}

struct json_object *cmd_resume(struct execd *ex, struct client *c,
			       struct json_object *req)
{
	struct json_object *r, *err;
	struct task *t;

	(void)c;
	err = find_task(ex, req, &t);
	if (err)
		return err;
	if (t->state != TS_PAUSED)
		return proto_error("task %u is not paused (state %s)", t->pid,
				   task_state_name(t->state));
	task_make_runnable(ex, t, "resumed");
	r = proto_reply("ok");
	json_object_object_add(r, "pid", json_object_new_int64(t->pid));
	json_object_object_add(r, "state",
			       json_object_new_string(task_state_name(t->state)));
	return r;
}
