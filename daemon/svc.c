// SPDX-License-Identifier: MIT
/*
 * DOC: the daemon's side of the SVC layer
 *
 * lib/svc decodes every SVC and applies every result (reference sections
 * 1.6 and 3.3, the same code hsx-run uses); this file is what is the
 * daemon's own in it (struct svc_ops):
 *
 * - A mailbox operation never completes inside the handler: ops.call
 *   hands the decoded call to the backend and returns HSX_VM_SVC_BLOCK.
 *   The backend completes it (svc_mbx_done) after the pass; a RECV that
 *   must wait is then parked (WAIT_MBX, ops.park) and later woken
 *   (svc_mbx_woken) or timed out (svc_mbx_timed_out).  Each completion
 *   makes the task runnable again.
 * - SLEEP_MS is an io_uring timeout on the daemon's ring.
 * - Mailbox events become JSON events for the subscribers.
 */
#include <string.h>

#include "execd.h"
#include "hsxmbx/hsxmbx.h"
#include "vm/vm.h"

static struct execd *svc_ex(struct svc *svc)
{
	return svc->host;
}

static struct task *svc_owner(struct svc_task *st)
{
	return container_of(st, struct task, svc);
}

/* --- events ------------------------------------------------------------ */

static struct json_object *ev_mbx_base(struct execd *ex, struct task *t)
{
	struct json_object *d = ev_new();
	uint32_t desc = ex->be->desc_of(ex, t, t->svc.call.handle);

	json_object_object_add(d, "descriptor", json_object_new_int64(desc));
	json_object_object_add(d, "handle", json_object_new_int(t->svc.call.handle));
	return d;
}

/* The message fields of a mailbox event. */
static void ev_msg_fields(struct json_object *d, uint32_t len, uint32_t flags,
			  uint32_t channel, uint32_t src_pid)
{
	json_object_object_add(d, "length", json_object_new_int64(len));
	json_object_object_add(d, "flags", json_object_new_int64(flags));
	json_object_object_add(d, "channel", json_object_new_int64(channel));
	json_object_object_add(d, "src_pid", json_object_new_int64(src_pid));
}

static void ev_mbx_result(struct execd *ex, struct task *t, const char *type)
{
	struct svc_call *c = &t->svc.call;
	struct json_object *d;

	if (!ev_wanted(ex))
		return;
	d = ev_mbx_base(ex, t);
	if (strcmp(type, "mailbox_send") && strcmp(type, "mailbox_recv"))
		json_object_object_add(d, "status", json_object_new_int(c->status));
	ev_msg_fields(d, c->r1, c->r2, c->r3, c->r4);
	ev_emit(ex, type, t->pid, d);
}

static void ev_mbx_send(struct execd *ex, struct task *t)
{
	struct svc_call *c = &t->svc.call;
	struct json_object *d;

	if (!ev_wanted(ex))
		return;
	d = ev_mbx_base(ex, t);
	ev_msg_fields(d, c->len, c->flags, c->channel, t->pid);
	ev_emit(ex, "mailbox_send", t->pid, d);
}

static void ev_mbx_wait(struct execd *ex, struct task *t)
{
	struct json_object *d;

	if (!ev_wanted(ex))
		return;
	d = ev_mbx_base(ex, t);
	json_object_object_add(d, "timeout", json_object_new_int(t->svc.call.timeout));
	/* Deadlines are relative io_uring timers, reported in ms (or null). */
	json_object_object_add(d, "deadline",
			       t->svc.call.timeout == HSX_MBX_TIMEOUT_INFINITE ? NULL :
			       json_object_new_int(t->svc.call.timeout));
	ev_emit(ex, "mailbox_wait", t->pid, d);
}

static void ev_mbx_error(struct execd *ex, struct task *t)
{
	struct json_object *d;

	if (!ev_wanted(ex))
		return;
	d = ev_new();
	json_object_object_add(d, "fn", json_object_new_int(t->svc.call.fn));
	json_object_object_add(d, "error",
			       json_object_new_string(hsxmbx_strstatus(t->svc.call.status)));
	json_object_object_add(d, "status", json_object_new_int(t->svc.call.status));
	ev_emit(ex, "mailbox_error", t->pid, d);
}

static void ev_hook(struct svc *svc, struct svc_task *st, enum svc_event ev)
{
	struct execd *ex = svc_ex(svc);
	struct task *t = svc_owner(st);

	switch (ev) {
	case SVC_EV_SEND:
		ev_mbx_send(ex, t);
		break;
	case SVC_EV_RECV:
		ev_mbx_result(ex, t, "mailbox_recv");
		break;
	case SVC_EV_WAKE:
		ev_mbx_result(ex, t, "mailbox_wake");
		break;
	case SVC_EV_TIMEOUT:
		ev_mbx_result(ex, t, "mailbox_timeout");
		break;
	case SVC_EV_ERROR:
		ev_mbx_error(ex, t);
		break;
	}
}

/* --- calls and completions ---------------------------------------------- */

static void resume(struct execd *ex, struct task *t, const char *reason)
{
	hsx_vm_resume(t->vm);
	task_make_runnable(ex, t, reason);
}

static enum hsx_vm_svc_result call_start(struct svc *svc, struct svc_task *st)
{
	struct execd *ex = svc_ex(svc);

	ex->be->call(ex, svc_owner(st));
	return HSX_VM_SVC_BLOCK;
}

/* A RECV (or read of stdin) found no data: wait in the backend. */
static void call_park(struct svc *svc, struct svc_task *st)
{
	struct execd *ex = svc_ex(svc);
	struct task *t = svc_owner(st);

	task_set_state(ex, t, TS_WAIT_MBX, "mailbox_wait");
	if (st->call.kind == SVC_CALL_MBX)
		ev_mbx_wait(ex, t);
	ex->be->wait(ex, t);
}

void svc_mbx_done(struct execd *ex, struct task *t)
{
	if (!t->dead && svc_done(&ex->svc, &t->svc))
		resume(ex, t, NULL);
}

void svc_mbx_woken(struct execd *ex, struct task *t)
{
	if (t->dead)
		return;
	svc_woken(&ex->svc, &t->svc);
	resume(ex, t, "mailbox_wake");
}

void svc_mbx_timed_out(struct execd *ex, struct task *t)
{
	if (t->dead)
		return;
	svc_timed_out(&ex->svc, &t->svc);
	resume(ex, t, "timeout");
}

/* --- SLEEP_MS ------------------------------------------------------------ */

static void sleep_done(struct execd *ex, struct ev_op *op,
		       const struct io_uring_cqe *cqe)
{
	struct task *t = container_of(op, struct task, timer_op);

	t->timer_armed = false;
	if (!t->dead) {
		hsx_vm_set_reg(t->vm, 0, 0);
		resume(ex, t, "sleep_done");
	}
	task_put_op(ex, t);
}

static enum hsx_vm_svc_result sleep_start(struct svc *svc,
					  struct svc_task *st, uint32_t ms)
{
	struct execd *ex = svc_ex(svc);
	struct task *t = svc_owner(st);
	struct io_uring_sqe *sqe;

	task_set_state(ex, t, TS_SLEEPING, "sleep");
	sqe = ring_sqe(ex);
	t->ts.tv_sec = ms / 1000;
	t->ts.tv_nsec = (long long)(ms % 1000) * 1000000;
	t->timer_op.done = sleep_done;
	t->timer_armed = true;
	t->inflight++;
	io_uring_prep_timeout(sqe, &t->ts, 0, 0);
	io_uring_sqe_set_data(sqe, &t->timer_op);
	return HSX_VM_SVC_BLOCK;
}

static const struct svc_ops execd_svc_ops = {
	.call = call_start,
	.park = call_park,
	.sleep = sleep_start,
	.event = ev_hook,
};

void svc_setup(struct execd *ex)
{
	svc_init(&ex->svc, &execd_svc_ops, ex);
}
