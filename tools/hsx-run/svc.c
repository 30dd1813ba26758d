// SPDX-License-Identifier: MIT
/*
 * DOC: hsx-run's side of the SVC layer (lib/svc)
 *
 * lib/svc decodes every SVC and applies every result, the same code the
 * daemon runs.  hsx-run supplies the host part (struct svc_ops):
 *
 * - a mailbox call runs on the in-process engine at once
 *   (svc_engine_exec) and completes inside the SVC; then the wakes and
 *   output it caused are settled;
 * - a RECV (or read of fd 0) that must wait joined the engine's wait list
 *   in that call: the task blocks (RT_WAIT) with a deadline for a finite
 *   timeout; host.c's wake handling (rt_wake) or the loop's timer
 *   (rt_timeout) completes it;
 * - SLEEP_MS blocks the task (RT_SLEEP) until its deadline; R0 = 0;
 * - --trace prints each call on stderr.
 */
#include <stddef.h>

#include "run.h"

static struct rt_run *run_of(struct svc *svc)
{
	return svc->host;
}

static struct rt_task *task_of(struct svc_task *st)
{
	return (struct rt_task *)((char *)st - offsetof(struct rt_task, svc));
}

/* --- trace --------------------------------------------------------------- */

static void trace_recv(struct rt_run *run, struct rt_task *t)
{
	struct svc_call *c = &t->svc.call;

	rt_trace(run, "pid %u recv h%u -> status %u len %u", t->pid,
		 c->handle, c->status,
		 c->status == HSX_MBX_STATUS_OK ? c->r1 : 0);
}

static void trace_call(struct rt_run *run, struct rt_task *t)
{
	struct svc_call *c = &t->svc.call;

	switch (c->fn) {
	case HSX_MBX_FN_OPEN:
	case HSX_MBX_FN_BIND:
		rt_trace(run, "pid %u %s \"%s\" -> status %u, %u", t->pid,
			 c->fn == HSX_MBX_FN_OPEN ? "open" : "bind",
			 c->target, c->status, c->r1);
		break;
	case HSX_MBX_FN_SEND:
		rt_trace(run, "pid %u send h%u len %u flags 0x%x ch %u -> %u",
			 t->pid, c->handle, c->len, c->flags, c->channel,
			 c->status);
		break;
	case HSX_MBX_FN_RECV:
		/* A receive that blocks is traced by run_park(). */
		if (c->status != HSX_MBX_STATUS_NO_DATA || !c->timeout)
			trace_recv(run, t);
		break;
	}
}

/* --- calls, waits, timers ---------------------------------------------- */

static enum hsx_vm_svc_result run_call(struct svc *svc, struct svc_task *st)
{
	struct rt_run *run = run_of(svc);
	struct rt_task *t = task_of(st);
	bool runs_on;

	st->call.status = svc_engine_exec(run->eng, t->mt, st);
	trace_call(run, t);
	runs_on = svc_done(svc, st);
	rt_settle(run);
	return runs_on ? HSX_VM_SVC_DONE : HSX_VM_SVC_BLOCK;
}

static void run_park(struct svc *svc, struct svc_task *st)
{
	struct rt_task *t = task_of(st);
	uint32_t timeout = st->call.timeout;

	t->state = RT_WAIT;
	t->deadline_ns = 0;
	if (timeout != HSX_MBX_TIMEOUT_INFINITE)
		t->deadline_ns = rt_now_ns() + (uint64_t)timeout * 1000000;
	rt_trace(run_of(svc), "pid %u blocks on h%u (timeout %u)", t->pid,
		 st->call.handle, timeout);
}

/* A parked receive's message arrived, or its mailbox died. */
void rt_wake(struct rt_run *run, struct rt_task *t)
{
	struct svc_call *c = &t->svc.call;
	struct mbx_recv_result res;

	c->status = mbx_recv(run->eng, t->mt, c->handle, 0, &res);
	if (c->status == HSX_MBX_STATUS_NO_DATA)
		return;		/* nothing parked: stay waiting */
	if (c->status == HSX_MBX_STATUS_OK)
		svc_engine_take(run->eng, t->mt, &t->svc, &res);
	trace_recv(run, t);
	svc_woken(&run->svc, &t->svc);
	t->state = RT_READY;
	t->deadline_ns = 0;
	hsx_vm_resume(t->vm);
}

/* The deadline of a parked receive passed; the loop resumes the task. */
void rt_timeout(struct rt_run *run, struct rt_task *t)
{
	struct svc_call *c = &t->svc.call;
	struct mbx_recv_result res;

	c->status = mbx_cancel_wait(run->eng, t->mt, c->handle, 1, &res);
	if (c->status == HSX_MBX_STATUS_OK) { /* a message raced the timer */
		svc_engine_take(run->eng, t->mt, &t->svc, &res);
		trace_recv(run, t);
		svc_woken(&run->svc, &t->svc);
		return;
	}
	rt_trace(run, "pid %u recv h%u timed out after %u ms", t->pid,
		 c->handle, c->timeout);
	svc_timed_out(&run->svc, &t->svc);
}

static enum hsx_vm_svc_result run_sleep(struct svc *svc, struct svc_task *st,
					uint32_t ms)
{
	struct rt_task *t = task_of(st);

	rt_trace(run_of(svc), "pid %u sleeps %u ms", t->pid, ms);
	hsx_vm_set_reg(st->vm, 0, 0);
	t->state = RT_SLEEP;
	t->deadline_ns = rt_now_ns() + (uint64_t)ms * 1000000;
	return HSX_VM_SVC_BLOCK;
}

static void run_exit(struct svc *svc, struct svc_task *st)
{
	rt_trace(run_of(svc), "pid %u exit %d", task_of(st)->pid,
		 (int)hsx_vm_reg(st->vm, 0));
}

static const struct svc_ops run_svc_ops = {
	.call = run_call,
	.park = run_park,
	.sleep = run_sleep,
	.exit = run_exit,
};

void rt_svc_init(struct rt_run *run)
{
	svc_init(&run->svc, &run_svc_ops, run);
}
