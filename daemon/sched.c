// SPDX-License-Identifier: MIT
/*
 * DOC: Tasks and the scheduler
 *
 * Tasks live in a table indexed by PID.  PIDs are handed out upward from 1
 * (skipping live ones after a wrap), so PID order is load order, which is
 * the reference's round-robin order.  Runnable tasks are bits in a 64 Ki
 * bitmap: a pass visits them in PID order at the cost of one word per 64
 * PIDs, and waking a task sets one bit, so 10,000 blocked tasks cost
 * nothing until a message arrives for one of them.
 *
 * States (reference 5.1): ready, running, waiting_mbx, sleeping, paused,
 * returned, terminated, killed.  BRK pauses a task until `resume`.  A task whose mailbox SVC is in flight
 * stays "running" and is not runnable until the completion arrives.
 * READY <-> RUNNING flips happen every quantum and emit no event; every
 * other transition emits task_state{prev_state, new_state, reason}.
 *
 * A dead task (returned, terminated, killed) has its VM freed and every
 * kernel handle and wait torn down at once; its table entry stays for
 * `ps` until it is killed (reaped) explicitly.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "execd.h"
#include "hxe/hxe.h"
#include "vm/vm.h"

static const char *const state_names[] = {
	[TS_READY] = "ready",
	[TS_RUNNING] = "running",
	[TS_WAIT_MBX] = "waiting_mbx",
	[TS_SLEEPING] = "sleeping",
	[TS_PAUSED] = "paused",
	[TS_RETURNED] = "returned",
	[TS_TERMINATED] = "terminated",
	[TS_KILLED] = "killed",
};

const char *task_state_name(enum task_state s)
{
	return state_names[s];
}

struct task *task_get(struct execd *ex, uint32_t pid)
{
	if (pid == 0 || pid > EXECD_MAX_PID)
		return NULL;
	return ex->tasks[pid];
}

static void runnable_set(struct execd *ex, uint32_t pid, bool on)
{
	uint64_t bit = 1ULL << (pid % 64);
	uint64_t *w = &ex->runnable[pid / 64];

	if (on && !(*w & bit)) {
		*w |= bit;
		ex->nrunnable++;
	} else if (!on && (*w & bit)) {
		*w &= ~bit;
		ex->nrunnable--;
	}
}

void task_set_state(struct execd *ex, struct task *t, enum task_state s,
		    const char *reason)
{
	enum task_state prev = t->state;

	if (prev == s)
		return;
	t->state = s;
	if (s != TS_READY && s != TS_RUNNING)
		runnable_set(ex, t->pid, false);
	if (reason)
		ev_task_state(ex, t, prev, reason);
}

void task_make_runnable(struct execd *ex, struct task *t, const char *reason)
{
	if (t->dead)
		return;
	task_set_state(ex, t, TS_READY, reason);
	runnable_set(ex, t->pid, true);
}

/* --- loading -------------------------------------------------------- */

static uint32_t pid_alloc(struct execd *ex)
{
	for (uint32_t i = 0; i < EXECD_MAX_PID; i++) {
		uint32_t pid = ex->next_pid;

		ex->next_pid = pid == EXECD_MAX_PID ? 1 : pid + 1;
		if (!ex->tasks[pid])
			return pid;
	}
	return 0;
}

static struct hsx_vm_task *vm_create(struct execd *ex,
				     struct hsx_hxe_image *hxe, uint32_t pid,
				     struct task *t)
{
	struct hsx_vm_task_config cfg = { .svc = &ex->svc.table,
					  .user = &t->svc };
	struct hsx_vm_image *img;
	struct hsx_vm_task *vm;

	img = hsx_vm_image_new(hxe->code, hxe->hdr.code_len, hxe->rodata,
			       hxe->hdr.ro_len, hxe->hdr.entry);
	if (!img)
		return NULL;
	/* Reference stack slots k = 0, 1, ... cycle through the 12 that fit
	 * above rodata; every task has private memory anyway. */
	hsx_vm_exec_stack((pid - 1) % 12, &cfg.sp, &cfg.stack_limit);
	vm = hsx_vm_task_new(img, &cfg);
	hsx_vm_image_put(img);
	return vm;
}

/* Bind the image's .mailbox declarations (reference 4.3) for task t. */
static int bind_declared(struct execd *ex, struct task *t,
			 struct hsx_hxe_image *hxe, struct json_object *out,
			 char *err, size_t errlen)
{
	for (size_t i = 0; i < hxe->nmailboxes; i++) {
		struct hsx_hxe_mailbox *m = &hxe->mailboxes[i];
		uint32_t id = 0, st;
		struct json_object *e;

		st = ex->be->task_bind(ex, t, m->target, m->capacity,
				       m->mode_mask, &id);
		if (out) {
			e = json_object_new_object();
			json_object_object_add(e, "target",
					       json_object_new_string(m->target));
			json_object_object_add(e, "status", json_object_new_int(st));
			json_object_object_add(e, "descriptor",
					       json_object_new_int64(id));
			json_object_array_add(out, e);
		}
		if (st != HSX_MBX_STATUS_OK) {
			snprintf(err, errlen, "mailbox %s: bind failed (status %u)",
				 m->target, st);
			return -1;
		}
	}
	return 0;
}

static struct task *task_alloc(struct execd *ex, struct hsx_hxe_image *hxe,
			       char *err, size_t errlen)
{
	struct task *t = calloc(1, sizeof(*t));
	uint32_t pid = pid_alloc(ex);

	if (!t || !pid) {
		snprintf(err, errlen, "%s", t ? "no free PID" : "out of memory");
		free(t);
		return NULL;
	}
	t->pid = pid;
	t->state = TS_READY;
	snprintf(t->app, sizeof(t->app), "%s", hxe->hdr.app_name);
	t->vm = vm_create(ex, hxe, pid, t);
	t->svc.vm = t->vm;
	if (!t->vm) {
		snprintf(err, errlen, "cannot create VM task: %s", strerror(errno));
		free(t);
		return NULL;
	}
	return t;
}

static void task_free(struct task *t)
{
	if (t->vm)
		hsx_vm_task_free(t->vm);
	free(t);
}

struct task *task_load(struct execd *ex, const char *path, char *err,
		       size_t errlen, struct json_object *mbx_out)
{
	struct hsx_hxe_error herr = { 0 };
	struct hsx_hxe_image *hxe;
	struct task *t;

	if (hsx_hxe_load_file(path, &hxe, &herr) < 0) {
		snprintf(err, errlen, "%s: %s", path, herr.msg);
		return NULL;
	}
	t = task_alloc(ex, hxe, err, errlen);
	if (!t)
		goto out;
	if (!t->app[0]) {
		const char *base = strrchr(path, '/');

		snprintf(t->app, sizeof(t->app), "%s", base ? base + 1 : path);
	}
	if (ex->be->task_add(ex, t) < 0) {
		snprintf(err, errlen, "cannot register task %u with the %s backend",
			 t->pid, ex->be->name);
		task_free(t);
		t = NULL;
		goto out;
	}
	ex->tasks[t->pid] = t;
	ex->ntasks++;
	if (bind_declared(ex, t, hxe, mbx_out, err, errlen) < 0) {
		task_kill(ex, t);
		task_kill(ex, t);	/* and reap: the load failed */
		t = NULL;
		goto out;
	}
	runnable_set(ex, t->pid, true);
	ev_task_state(ex, t, TS_READY, "loaded");
out:
	hsx_hxe_free(hxe);
	return t;
}

/* --- teardown ------------------------------------------------------- */

static void task_end(struct execd *ex, struct task *t, enum task_state s,
		     const char *reason)
{
	if (t->dead)
		return;
	task_set_state(ex, t, s, reason);
	runnable_set(ex, t->pid, false);
	t->dead = true;
	ex->be->task_remove(ex, t);
	if (t->timer_armed) {
		struct io_uring_sqe *sqe = ring_sqe(ex);

		io_uring_prep_timeout_remove(sqe, (uintptr_t)&t->timer_op, 0);
	}
	t->steps_final = hsx_vm_steps(t->vm);
	hsx_vm_task_free(t->vm);
	t->vm = NULL;
	t->svc.vm = NULL;
}

/* The last reference: the backend's per-task state (kept alive for
 * completions) goes with the task. */
static void task_destroy(struct task *t)
{
	free(t->be);
	free(t);
}

static void task_reap(struct execd *ex, struct task *t)
{
	ex->tasks[t->pid] = NULL;
	ex->ntasks--;
	if (t->inflight == 0)
		task_destroy(t);
	else
		t->pid = 0;	/* freed by task_put_op() */
}

void task_put_op(struct execd *ex, struct task *t)
{
	if (--t->inflight == 0 && t->dead && t->pid == 0)
		task_destroy(t);
}

/* Kill a live task; killing a dead one removes it from the table. */
void task_kill(struct execd *ex, struct task *t)
{
	if (t->dead)
		task_reap(ex, t);
	else
		task_end(ex, t, TS_KILLED, "killed");
}

void sched_shutdown(struct execd *ex)
{
	for (uint32_t pid = 1; pid <= EXECD_MAX_PID; pid++) {
		struct task *t = ex->tasks[pid];

		if (!t)
			continue;
		task_kill(ex, t);
		if (ex->tasks[pid])
			task_kill(ex, t);
	}
}

/* --- running -------------------------------------------------------- */

static void vm_error(struct execd *ex, struct task *t, const char *error)
{
	struct json_object *d;

	if (ev_wanted(ex)) {
		d = ev_new();
		json_object_object_add(d, "error", json_object_new_string(error));
		json_object_object_add(d, "pc",
				       json_object_new_int64(hsx_vm_fault_pc(t->vm)));
		json_object_object_add(d, "code",
				       json_object_new_int64(hsx_vm_reg(t->vm, 0)));
		ev_emit(ex, "vm_error", t->pid, d);
	}
	t->exit_status = hsx_vm_reg(t->vm, 0);
	t->has_exit = true;
	task_end(ex, t, TS_TERMINATED, error);
}

static void run_one(struct execd *ex, struct task *t)
{
	enum hsx_vm_stop stop;
	uint64_t before = hsx_vm_steps(t->vm);

	t->state = TS_RUNNING;
	stop = hsx_vm_run(t->vm, ex->quantum);
	ex->total_steps += hsx_vm_steps(t->vm) - before;
	switch (stop) {
	case HSX_VM_STOP_BUDGET:
	case HSX_VM_STOP_YIELD:
		if (t->state == TS_RUNNING)
			t->state = TS_READY;
		break;
	case HSX_VM_STOP_BRK:
		/* The reference's debugger pause: off the run queue until a
		 * client resumes it (debug.c). */
		t->brk_code = hsx_vm_brk_code(t->vm);
		task_set_state(ex, t, TS_PAUSED, "brk");
		break;
	case HSX_VM_STOP_BLOCKED:
		/* The SVC handler set the state; an in-flight call keeps
		 * RUNNING but the task is not runnable until it completes. */
		runnable_set(ex, t->pid, false);
		break;
	case HSX_VM_STOP_RETURNED:
	case HSX_VM_STOP_EXITED:
		t->exit_status = hsx_vm_exit_status(t->vm);
		t->has_exit = true;
		task_end(ex, t, stop == HSX_VM_STOP_RETURNED ? TS_RETURNED :
			 TS_TERMINATED, stop == HSX_VM_STOP_RETURNED ? "returned" :
			 "exit");
		break;
	case HSX_VM_STOP_FAULT:
		vm_error(ex, t, hsx_vm_fault_name(hsx_vm_fault(t->vm)));
		break;
	case HSX_VM_STOP_ILLEGAL:
		vm_error(ex, t, "illegal_opcode");
		break;
	}
}

/* One pass: every runnable task, once, for one quantum, in PID order. */
void sched_pass(struct execd *ex)
{
	for (size_t w = 0; w < sizeof(ex->runnable) / 8; w++) {
		uint64_t bits = ex->runnable[w];

		while (bits) {
			uint32_t pid = (uint32_t)(w * 64) + __builtin_ctzll(bits);

			bits &= bits - 1;
			run_one(ex, ex->tasks[pid]);
		}
	}
}
