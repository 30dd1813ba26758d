// SPDX-License-Identifier: MIT
/*
 * DOC: Debug commands: registers, memory, BRK pauses
 *
 * BRK pauses the task (state "paused", reference 5.1: RUNNING -> PAUSED
 * "via the debugger"): it stops being scheduled, with its PC past the
 * BRK, until a client resumes it.  Nothing else is held: its mailboxes,
 * taps and other tasks carry on.
 *
 *   regs    pid, [addr, len]   pc, sp, psw, regs[16], call_depth, steps,
 *                              brk_code (when paused), and len bytes of
 *                              memory from addr as data_hex (len <= 4096)
 *   resume  pid                a paused task becomes ready again
 */
#include <stdio.h>
#include <stdlib.h>

#include "execd.h"
#include "vm/vm.h"

#define REGS_MEM_MAX 4096

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

static struct json_object *hex_of(const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char *s = malloc(2 * n + 1);
	struct json_object *o;

	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		s[2 * i] = digits[p[i] >> 4];
		s[2 * i + 1] = digits[p[i] & 15];
	}
	o = json_object_new_string_len(s, (int)(2 * n));
	free(s);
	return o;
}

/* The optional memory range: 0 none, 1 added, -1 error reply in *err. */
static int add_mem(struct task *t, struct json_object *req,
		   struct json_object *r, struct json_object **err)
{
	uint8_t buf[REGS_MEM_MAX];
	struct json_object *m;
	int64_t addr = 0, len = 0;
	int a = get_u32(req, "addr", 0xFFFF, &addr);
	int l = get_u32(req, "len", REGS_MEM_MAX, &len);

	if (!a && !l)
		return 0;
	if (a < 0 || l <= 0 || !len || hsx_vm_mem_read(t->vm, (uint32_t)addr,
						       buf, (size_t)len)) {
		*err = proto_error("'addr' and 'len' must name 1..%d bytes "
				   "inside 0..0xFFFF", REGS_MEM_MAX);
		return -1;
	}
	m = json_object_new_object();
	json_object_object_add(m, "addr", json_object_new_int64(addr));
	json_object_object_add(m, "len", json_object_new_int64(len));
	json_object_object_add(m, "data_hex", hex_of(buf, (size_t)len));
	json_object_object_add(r, "mem", m);
	return 1;
}

struct json_object *cmd_regs(struct execd *ex, struct client *c,
			     struct json_object *req)
{
	struct json_object *r, *regs, *err;
	struct task *t;

	(void)c;
	err = find_task(ex, req, &t);
	if (err)
		return err;
	if (!t->vm)
		return proto_error("task %u has ended (%s): its registers are "
				   "gone", t->pid, task_state_name(t->state));
	r = proto_reply("ok");
	json_object_object_add(r, "pid", json_object_new_int64(t->pid));
	json_object_object_add(r, "state",
			       json_object_new_string(task_state_name(t->state)));
	json_object_object_add(r, "pc", json_object_new_int64(hsx_vm_pc(t->vm)));
	json_object_object_add(r, "sp", json_object_new_int64(hsx_vm_sp(t->vm)));
	json_object_object_add(r, "psw", json_object_new_int64(hsx_vm_psw(t->vm)));
	json_object_object_add(r, "call_depth",
			       json_object_new_int64(hsx_vm_call_depth(t->vm)));
	json_object_object_add(r, "steps",
			       json_object_new_int64((int64_t)hsx_vm_steps(t->vm)));
	if (t->state == TS_PAUSED)
		json_object_object_add(r, "brk_code",
				       json_object_new_int64(t->brk_code));
	regs = json_object_new_array();
	for (unsigned int i = 0; i < 16; i++)
		json_object_array_add(regs, json_object_new_int64(hsx_vm_reg(t->vm, i)));
	json_object_object_add(r, "regs", regs);
	if (add_mem(t, req, r, &err) < 0) {
		json_object_put(r);
		return err;
	}
	return r;
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
