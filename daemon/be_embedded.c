// SPDX-License-Identifier: MIT
/*
 * DOC: The embedded backend
 *
 * For machines without the hsxmbx module: lib/mbx runs in the daemon.
 * Mailbox calls queue during a pass and execute in order at flush time,
 * the point where the kernel backend submits its uring_cmds, so both
 * backends interleave tasks identically.
 *
 * The engine never sleeps.  A RECV that finds no data joins the engine's
 * FIFO wait list (MBX_RECV_WAIT); a finite timeout is an IORING_OP_TIMEOUT
 * on the daemon's ring.  When a send hands a message to a waiter the
 * engine calls ops.wake(handle); the daemon notes the handle and, once the
 * engine call has returned, fetches the parked message with mbx_recv() and
 * resumes exactly that task; no task list is walked.  A timeout calls
 * mbx_cancel_wait(), which returns a message that raced in (then it is a
 * wake, not a timeout).
 *
 * Listeners tap svc:stdio.out/err@PID through a host (PID 0) actor;
 * ops.tap_ready() queues the tap handle and the daemon drains it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "execd.h"
#include "mbx/mbx.h"
#include "vm/vm.h"

/* A handle the engine reported (wake or tap), processed after the call. */
struct emb_note {
	uint32_t pid;		/* owning task, 0 for the host actor */
	uint32_t handle;
};

struct emb {
	struct mbx_engine *eng;
	struct mbx_task *host;
	struct task **queue;	/* calls to execute at flush */
	size_t qlen, qcap;
	struct emb_note *notes;	/* wakes and tap-ready handles */
	size_t nlen, ncap;
	bool draining;
};

struct emb_timer {
	struct ev_op op;
	struct task *t;
	struct __kernel_timespec ts;
	bool cancelled;
};

struct emb_task {
	struct mbx_task *mt;
	struct emb_timer *timer;
	bool waiting;
	uint32_t tap[2];	/* host tap handles on stdout/stderr, 0 = none */
};

static struct emb *emb(struct execd *ex)
{
	return ex->be_priv;
}

static struct emb_task *et(struct task *t)
{
	return t->be;
}

/* --- engine host callbacks ------------------------------------------- */

static void *emb_alloc(void *host, enum mbx_obj_kind kind, __u32 size)
{
	return calloc(1, size);
}

static void emb_free(void *host, enum mbx_obj_kind kind, void *p, __u32 size)
{
	free(p);
}

static __u64 emb_now(void *host)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

static void note_push(struct execd *ex, struct mbx_handle *h)
{
	struct emb *e = emb(ex);

	if (e->nlen == e->ncap) {
		size_t cap = e->ncap ? e->ncap * 2 : 64;
		struct emb_note *n = realloc(e->notes, cap * sizeof(*n));

		if (!n)
			abort();	/* cannot lose a wake */
		e->notes = n;
		e->ncap = cap;
	}
	e->notes[e->nlen].pid = mbx_task_pid(mbx_handle_task(h));
	e->notes[e->nlen].handle = mbx_handle_number(h);
	e->nlen++;
}

static void emb_wake(void *host, struct mbx_handle *h)
{
	note_push(host, h);
}

static void emb_tap_ready(void *host, struct mbx_handle *h)
{
	note_push(host, h);
}

/* Overrun, backpressure and exhaustion go to the event stream as they are. */
static void emb_event(void *host, const struct mbx_event *ev)
{
	ev_mbx_engine(host, ev);
}

static const struct mbx_ops emb_ops = {
	.alloc = emb_alloc,
	.free = emb_free,
	.now_ns = emb_now,
	.event = emb_event,
	.wake = emb_wake,
	.tap_ready = emb_tap_ready,
};

/* --- results ----------------------------------------------------------- */

/* Copy a received message into the task's buffer and fill R1-R4. */
static void take_message(struct execd *ex, struct task *t,
			 struct mbx_recv_result *res)
{
	svc_engine_take(emb(ex)->eng, et(t)->mt, &t->svc, res);
}

static void timer_cancel(struct execd *ex, struct task *t)
{
	struct emb_timer *tm = et(t)->timer;
	struct io_uring_sqe *sqe;

	if (!tm)
		return;
	tm->cancelled = true;
	et(t)->timer = NULL;
	sqe = ring_sqe(ex);
	io_uring_prep_timeout_remove(sqe, (uintptr_t)&tm->op, 0);
}

static void wake_task(struct execd *ex, struct task *t, uint32_t handle)
{
	struct mbx_recv_result res = { 0 };
	struct svc_call *c = &t->svc.call;

	if (t->dead || !et(t)->waiting || c->handle != handle)
		return;
	c->status = mbx_recv(emb(ex)->eng, et(t)->mt, handle, 0, &res);
	if (c->status == HSX_MBX_STATUS_NO_DATA)
		return;		/* nothing parked: stay waiting */
	et(t)->waiting = false;
	timer_cancel(ex, t);
	if (c->status == HSX_MBX_STATUS_OK)
		take_message(ex, t, &res);
	svc_mbx_woken(ex, t);
}

static const char *tap_stream(struct mbx_handle *h)
{
	const char *name = mbx_desc_name(mbx_handle_desc(h));

	return strcmp(name, "stdio.err") ? "out" : "err";
}

static void tap_drain(struct execd *ex, uint32_t handle)
{
	struct emb *e = emb(ex);
	struct mbx_handle *h = mbx_handle_lookup(e->eng, e->host, handle);
	struct mbx_recv_result res;

	while (h && !mbx_desc_is_dead(mbx_handle_desc(h))) {
		memset(&res, 0, sizeof(res));
		if (mbx_recv(e->eng, e->host, handle, 0, &res) != HSX_MBX_STATUS_OK)
			break;
		stdio_deliver(ex, mbx_desc_owner(mbx_handle_desc(h)), tap_stream(h),
			      mbx_msg_payload(res.msg), res.length, res.flags,
			      res.channel, res.src_pid);
		mbx_msg_put(e->eng, res.msg);
	}
}

/* Act on the wakes and tap deliveries the last engine calls reported. */
static void notes_process(struct execd *ex)
{
	struct emb *e = emb(ex);

	if (e->draining)
		return;
	e->draining = true;
	for (size_t i = 0; i < e->nlen; i++) {
		struct emb_note n = e->notes[i];
		struct task *t;

		if (n.pid == 0) {
			tap_drain(ex, n.handle);
			continue;
		}
		t = task_get(ex, n.pid);
		if (t)
			wake_task(ex, t, n.handle);
	}
	e->nlen = 0;
	e->draining = false;
}

/* --- calls -------------------------------------------------------------- */

static void emb_call(struct execd *ex, struct task *t)
{
	struct emb *e = emb(ex);

	if (e->qlen == e->qcap) {
		size_t cap = e->qcap ? e->qcap * 2 : 256;
		struct task **q = realloc(e->queue, cap * sizeof(*q));

		if (!q)
			abort();
		e->queue = q;
		e->qcap = cap;
	}
	e->queue[e->qlen++] = t;
	t->inflight++;
}

static void emb_flush(struct execd *ex)
{
	struct emb *e = emb(ex);

	/* Calls may queue more calls (none today), so index, don't iterate. */
	for (size_t i = 0; i < e->qlen; i++) {
		struct task *t = e->queue[i];

		if (!t->dead) {
			t->svc.call.status = svc_engine_exec(emb(ex)->eng,
							     et(t)->mt, &t->svc);
			svc_mbx_done(ex, t);
			notes_process(ex);
		}
		task_put_op(ex, t);
	}
	e->qlen = 0;
	notes_process(ex);
}

/* --- waits -------------------------------------------------------------- */

static void timer_done(struct execd *ex, struct ev_op *op,
		       const struct io_uring_cqe *cqe)
{
	struct emb_timer *tm = container_of(op, struct emb_timer, op);
	struct task *t = tm->t;
	struct mbx_recv_result res = { 0 };

	if (!tm->cancelled && !t->dead && et(t)->waiting) {
		et(t)->timer = NULL;
		et(t)->waiting = false;
		t->svc.call.status = mbx_cancel_wait(emb(ex)->eng, et(t)->mt,
						 t->svc.call.handle, 1, &res);
		if (t->svc.call.status == HSX_MBX_STATUS_OK) {
			take_message(ex, t, &res);
			svc_mbx_woken(ex, t);
		} else {
			svc_mbx_timed_out(ex, t);
		}
	}
	free(tm);
	task_put_op(ex, t);
}

static void emb_wait(struct execd *ex, struct task *t)
{
	struct emb_timer *tm;
	struct io_uring_sqe *sqe;
	uint32_t ms = t->svc.call.timeout;

	et(t)->waiting = true;
	if (ms == HSX_MBX_TIMEOUT_INFINITE)
		return;
	tm = calloc(1, sizeof(*tm));
	if (!tm)
		abort();
	tm->op.done = timer_done;
	tm->t = t;
	tm->ts.tv_sec = ms / 1000;
	tm->ts.tv_nsec = (long long)(ms % 1000) * 1000000;
	et(t)->timer = tm;
	t->inflight++;
	sqe = ring_sqe(ex);
	io_uring_prep_timeout(sqe, &tm->ts, 0, 0);
	io_uring_sqe_set_data(sqe, &tm->op);
}

/* --- tasks ---------------------------------------------------------------- */

static uint32_t emb_stdio_mode(struct execd *ex, struct task *t,
			       const char *stream, uint32_t mode)
{
	char target[32];
	uint32_t id;

	snprintf(target, sizeof(target), "svc:stdio.%s", stream);
	return mbx_bind(emb(ex)->eng, et(t)->mt, target, (uint32_t)strlen(target),
			0, mode, &id);
}

static int emb_task_add(struct execd *ex, struct task *t)
{
	struct emb_task *p = calloc(1, sizeof(*p));

	if (!p)
		return -1;
	if (mbx_task_register(emb(ex)->eng, t->pid, &p->mt) != HSX_MBX_STATUS_OK) {
		free(p);
		return -1;
	}
	t->be = p;
	if (ex->stdio_mode && ex->stdio_mode != HSX_MBX_MODE_RDWR)
		for (int i = 0; i < 3; i++)
			emb_stdio_mode(ex, t, (const char *[]){ "in", "out", "err" }[i],
				       ex->stdio_mode);
	return 0;
}

static void emb_tap_stop(struct execd *ex, struct task *t);

static void emb_task_remove(struct execd *ex, struct task *t)
{
	struct emb_task *p = et(t);

	if (!p)
		return;
	timer_cancel(ex, t);
	/* Deliver what the taps hold before the descriptors die. */
	for (int i = 0; i < 2; i++)
		if (p->tap[i])
			tap_drain(ex, p->tap[i]);
	emb_tap_stop(ex, t);
	mbx_task_teardown(emb(ex)->eng, p->mt);
	notes_process(ex);
	free(p);
	t->be = NULL;
}

static uint32_t emb_task_bind(struct execd *ex, struct task *t,
			      const char *target, uint32_t cap, uint32_t mode,
			      uint32_t *id)
{
	return mbx_bind(emb(ex)->eng, et(t)->mt, target, (uint32_t)strlen(target),
			cap, mode, id);
}

static uint32_t emb_desc_of(struct execd *ex, struct task *t, uint32_t handle)
{
	struct mbx_handle *h;

	if (!et(t))
		return 0;
	h = mbx_handle_lookup(emb(ex)->eng, et(t)->mt, handle);
	return h ? mbx_desc_id(mbx_handle_desc(h)) : 0;
}

/* --- host services ---------------------------------------------------- */

static uint32_t emb_host_send(struct execd *ex, const char *target,
			      const void *data, uint32_t len, uint32_t flags,
			      uint32_t channel)
{
	struct emb *e = emb(ex);
	struct mbx_msg *m;
	uint32_t h, seq, st;

	st = mbx_open(e->eng, e->host, target, (uint32_t)strlen(target),
		      HSX_MBX_MODE_WRONLY, &h);
	if (st != HSX_MBX_STATUS_OK)
		return st;
	m = mbx_msg_alloc(e->eng, len);
	if (m) {
		memcpy(mbx_msg_payload(m), data, len);
		st = mbx_send(e->eng, e->host, h, m, flags, channel, &seq);
	} else {
		st = HSX_MBX_STATUS_MSG_TOO_LARGE;
	}
	mbx_close(e->eng, e->host, h);
	notes_process(ex);
	return st;
}

struct snap_ctx {
	struct hsxmbx_desc_info *descs;
	size_t n, cap;
};

static int snap_one(struct mbx_desc *d, void *arg)
{
	struct snap_ctx *s = arg;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct hsxmbx_desc_info *p = realloc(s->descs, cap * sizeof(*p));

		if (!p)
			return -1;
		s->descs = p;
		s->cap = cap;
	}
	mbx_desc_info(d, &s->descs[s->n++]);
	return 0;
}

static int emb_snapshot(struct execd *ex, struct hsxmbx_desc_info **descs,
			struct hsxmbx_stats *stats)
{
	struct snap_ctx s = { 0 };

	if (mbx_visit_descs(emb(ex)->eng, snap_one, &s)) {
		free(s.descs);
		return -ENOMEM;
	}
	mbx_stats(emb(ex)->eng, stats);
	*descs = s.descs;
	return (int)s.n;
}

static int emb_tap_start(struct execd *ex, struct task *t)
{
	static const char *const names[2] = { "svc:stdio.out@%u", "svc:stdio.err@%u" };
	struct emb *e = emb(ex);
	char target[40];

	for (int i = 0; i < 2; i++) {
		snprintf(target, sizeof(target), names[i], t->pid);
		if (mbx_open(e->eng, e->host, target, (uint32_t)strlen(target),
			     HSX_MBX_MODE_RDONLY, &et(t)->tap[i]) != HSX_MBX_STATUS_OK ||
		    mbx_tap(e->eng, e->host, et(t)->tap[i], 1) != HSX_MBX_STATUS_OK) {
			emb_tap_stop(ex, t);
			return -1;
		}
	}
	return 0;
}

static void emb_tap_stop(struct execd *ex, struct task *t)
{
	for (int i = 0; et(t) && i < 2; i++) {
		if (et(t)->tap[i])
			mbx_close(emb(ex)->eng, emb(ex)->host, et(t)->tap[i]);
		et(t)->tap[i] = 0;
	}
}

/* --- lifetime ----------------------------------------------------------- */

static int emb_open(struct execd *ex)
{
	struct emb *e = calloc(1, sizeof(*e));
	struct mbx_config cfg;

	if (!e)
		return -1;
	mbx_config_profile(&cfg, HSX_MBX_PROFILE_DESKTOP);
	/* An executive hosts thousands of tasks (4 descriptors each). */
	cfg.max_descriptors = 0;
	e->eng = mbx_engine_create(&cfg, &emb_ops, ex);
	e->host = e->eng ? mbx_task_create_host(e->eng) : NULL;
	if (!e->host) {
		fprintf(stderr, "hsx-execd: cannot create the mailbox engine\n");
		free(e);
		return -1;
	}
	ex->be_priv = e;
	fprintf(stderr, "hsx-execd: backend embedded: lib/mbx runs in-process "
		"(no kernel module; mailboxes are private to this daemon)\n");
	return 0;
}

static void emb_close(struct execd *ex)
{
	struct emb *e = emb(ex);

	mbx_task_teardown(e->eng, e->host);
	mbx_engine_destroy(e->eng);
	free(e->queue);
	free(e->notes);
	free(e);
}

const struct backend_ops backend_embedded = {
	.name = "embedded",
	.open = emb_open,
	.close = emb_close,
	.task_add = emb_task_add,
	.task_remove = emb_task_remove,
	.task_bind = emb_task_bind,
	.call = emb_call,
	.wait = emb_wait,
	.flush = emb_flush,
	.desc_of = emb_desc_of,
	.host_send = emb_host_send,
	.stdio_mode = emb_stdio_mode,
	.snapshot = emb_snapshot,
	.tap_start = emb_tap_start,
	.tap_stop = emb_tap_stop,
};
