// SPDX-License-Identifier: MIT
/*
 * DOC: The kernel backend
 *
 * Mailboxes live in the hsxmbx module.  The daemon opens
 * /dev/hsxmbx/control while it still has CAP_SYS_ADMIN, which lets it
 * register tasks (TASK_REGISTER creates svc:stdio.in/out/err@PID and
 * pid:PID and handles 1-3) and act for them through the `pid` field.
 *
 * Immediate operations are IORING_OP_URING_CMD SQEs on the control file,
 * queued during a pass and submitted in one batch.  Their argument structs
 * live in the task (one call in flight per task) and point straight into
 * the task's VM memory, so payloads are never copied in userspace.  RECV
 * always goes in as a poll (uring_cmd never blocks).
 *
 * A RECV that must wait becomes an IORING_OP_READ on a non-blocking framed
 * handle file (HSXMBX_IOC_HANDLE_FD, cached per task handle), linked to an
 * IORING_OP_LINK_TIMEOUT when the timeout is finite.  The read waits in
 * the module's FIFO wait list and completes with one frame + payload.
 * When the read is cancelled by the timeout, a poll RECV follows: it
 * returns a message that raced in (a wake) or NO_DATA (a timeout).
 *
 * Teardown is TASK_UNREGISTER: the module closes every handle of the task,
 * cancels its waits and destroys its descriptors; the daemon cancels its
 * own read and closes the cached files.  Requests still in flight keep the
 * task (and the read buffer) alive until they complete.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "execd.h"
#include "hsxmbx/hsxmbx.h"
#include "vm/vm.h"

struct kern {
	int fd;
	struct hsxmbx_features feat;
};

struct kfd {
	uint32_t handle;
	int fd;
};

enum kphase { KP_CALL, KP_RECHECK };

struct ktask {
	union {
		struct hsxmbx_open open;
		struct hsxmbx_bind bind;
		struct hsxmbx_send send;
		struct hsxmbx_recv recv;
		struct hsxmbx_peek peek;
		struct hsxmbx_tap tap;
		struct hsxmbx_close close;
	} arg;
	uint8_t phase;		/* enum kphase */
	bool reading;
	struct ev_op cmd_op, read_op, link_op;
	struct __kernel_timespec ts;
	uint8_t *rbuf;		/* frame + payload of the blocking read */
	struct kfd *fds;	/* handle file cache */
	uint32_t nfds;
	struct ktap *taps[2];
};

/* A listener's tap on a task's stdout/stderr: a PID-0 handle of ours. */
struct ktap {
	struct ev_op op;
	uint32_t pid, handle;
	int fd;
	bool stopped;
	const char *stream;
	/* Stdio messages fit their 4 KiB mailbox; a bigger one (after a
	 * capacity change) arrives truncated and flagged. */
	uint8_t buf[sizeof(struct hsxmbx_frame) + HSX_MBX_STDIO_CAPACITY];
};

static struct kern *kern(struct execd *ex)
{
	return ex->be_priv;
}

static struct ktask *kt(struct task *t)
{
	return t->be;
}

static uint32_t res_status(int res)
{
	return res >= 0 ? (uint32_t)res : hsxmbx_errno_status(res);
}

/* --- immediate calls --------------------------------------------------- */

static void fill_results(struct task *t)
{
	struct svc_call *c = &t->svc.call;
	struct ktask *k = kt(t);

	switch (c->fn) {
	case HSX_MBX_FN_OPEN:
		c->r1 = k->arg.open.handle;
		c->descriptor = k->arg.open.descriptor_id;
		break;
	case HSX_MBX_FN_BIND:
		c->r1 = k->arg.bind.descriptor_id;
		break;
	case HSX_MBX_FN_SEND:
		c->r1 = k->arg.send.sent;
		break;
	case HSX_MBX_FN_RECV:
		c->r1 = k->arg.recv.length;
		c->r2 = k->arg.recv.msg_flags;
		c->r3 = k->arg.recv.channel;
		c->r4 = k->arg.recv.src_pid;
		break;
	case HSX_MBX_FN_PEEK:
		c->r1 = k->arg.peek.depth;
		c->r2 = k->arg.peek.bytes_used;
		c->r3 = k->arg.peek.next_len;
		break;
	}
}

static void cmd_done(struct execd *ex, struct ev_op *op,
		     const struct io_uring_cqe *cqe)
{
	struct ktask *k = container_of(op, struct ktask, cmd_op);
	struct task *t = *(struct task **)(k + 1);

	if (!t->dead) {
		t->svc.call.status = res_status(cqe->res);
		if (t->svc.call.status == HSX_MBX_STATUS_OK)
			fill_results(t);
		if (k->phase == KP_CALL)
			svc_mbx_done(ex, t);
		else if (t->svc.call.status == HSX_MBX_STATUS_NO_DATA)
			svc_mbx_timed_out(ex, t);
		else
			svc_mbx_woken(ex, t);
	}
	task_put_op(ex, t);
}

static void prep_args(struct task *t)
{
	struct svc_call *c = &t->svc.call;
	struct ktask *k = kt(t);
	void *mem = c->len ? hsx_vm_mem_ptr(t->vm, c->ptr, c->len) : NULL;

	memset(&k->arg, 0, sizeof(k->arg));
	switch (c->fn) {
	case HSX_MBX_FN_OPEN:
		hsxmbx_init_open(&k->arg.open, t->pid, c->target, 0);
		break;
	case HSX_MBX_FN_BIND:
		hsxmbx_init_bind(&k->arg.bind, t->pid, c->target, c->flags,
				 c->channel);
		break;
	case HSX_MBX_FN_SEND:
		hsxmbx_init_send(&k->arg.send, t->pid, c->handle, mem, c->len,
				 c->flags, c->channel);
		break;
	case HSX_MBX_FN_RECV:
		hsxmbx_init_recv(&k->arg.recv, t->pid, c->handle, mem, c->len,
				 HSX_MBX_TIMEOUT_POLL);
		break;
	case HSX_MBX_FN_PEEK:
	case HSX_MBX_FN_TAP:
	case HSX_MBX_FN_CLOSE:
		/* The three share the {flags, pid, handle} prefix. */
		k->arg.peek.pid = t->pid;
		k->arg.peek.handle = c->handle;
		if (c->fn == HSX_MBX_FN_TAP)
			k->arg.tap.enable = c->flags & 1;
		break;
	}
}

static const uint32_t fn_cmd[] = {
	[HSX_MBX_FN_OPEN] = HSXMBX_IOC_OPEN,
	[HSX_MBX_FN_BIND] = HSXMBX_IOC_BIND,
	[HSX_MBX_FN_SEND] = HSXMBX_IOC_SEND,
	[HSX_MBX_FN_RECV] = HSXMBX_IOC_RECV,
	[HSX_MBX_FN_PEEK] = HSXMBX_IOC_PEEK,
	[HSX_MBX_FN_TAP] = HSXMBX_IOC_TAP,
	[HSX_MBX_FN_CLOSE] = HSXMBX_IOC_CLOSE,
};

static void submit_cmd(struct execd *ex, struct task *t, enum kphase phase)
{
	struct io_uring_sqe *sqe = ring_sqe(ex);
	struct ktask *k = kt(t);

	k->phase = phase;
	hsxmbx_prep_cmd(sqe, kern(ex)->fd, fn_cmd[t->svc.call.fn], &k->arg);
	io_uring_sqe_set_data(sqe, &k->cmd_op);
	t->inflight++;
}

static void k_call(struct execd *ex, struct task *t)
{
	prep_args(t);
	submit_cmd(ex, t, KP_CALL);
}

static void k_flush(struct execd *ex)
{
	/* Nothing to do: the SQEs are queued and the loop submits them. */
}

/* --- blocking receive ------------------------------------------------- */

static int handle_fd(struct execd *ex, struct task *t, uint32_t handle)
{
	struct ktask *k = kt(t);
	struct hsxmbx_handle_fd a = { .flags = HSXMBX_FD_NONBLOCK | HSXMBX_FD_CLOEXEC,
				      .pid = t->pid, .handle = handle };
	struct kfd *p;
	int ret;

	for (uint32_t i = 0; i < k->nfds; i++)
		if (k->fds[i].handle == handle)
			return k->fds[i].fd;
	ret = hsxmbx_cmd(kern(ex)->fd, HSXMBX_IOC_HANDLE_FD, &a);
	if (ret != 0)
		return ret < 0 ? ret : -EBADF;
	p = realloc(k->fds, (k->nfds + 1) * sizeof(*p));
	if (!p) {
		close(a.fd);
		return -ENOMEM;
	}
	k->fds = p;
	k->fds[k->nfds].handle = handle;
	k->fds[k->nfds++].fd = a.fd;
	return a.fd;
}

static void read_result(struct task *t, int res)
{
	struct svc_call *c = &t->svc.call;
	struct hsxmbx_frame f;
	uint32_t n;

	if (res == 0) {
		c->status = HSX_MBX_STATUS_DESTROYED;
		return;
	}
	if (res < (int)sizeof(f)) {
		c->status = res < 0 ? hsxmbx_errno_status(res) :
				      HSX_MBX_STATUS_INTERNAL_ERROR;
		return;
	}
	memcpy(&f, kt(t)->rbuf, sizeof(f));
	n = (uint32_t)res - sizeof(f);
	hsx_vm_mem_write(t->vm, c->ptr, kt(t)->rbuf + sizeof(f), n);
	c->status = HSX_MBX_STATUS_OK;
	c->r1 = n;
	c->r2 = f.flags;
	c->r3 = f.channel;
	c->r4 = f.src_pid;
}

static void read_done(struct execd *ex, struct ev_op *op,
		      const struct io_uring_cqe *cqe)
{
	struct ktask *k = container_of(op, struct ktask, read_op);
	struct task *t = *(struct task **)(k + 1);

	k->reading = false;
	if (!t->dead) {
		if (cqe->res == -ECANCELED || cqe->res == -EINTR) {
			/* Timed out: a poll RECV leaves the wait list and
			 * returns a message that raced in. */
			prep_args(t);
			submit_cmd(ex, t, KP_RECHECK);
		} else {
			read_result(t, cqe->res);
			svc_mbx_woken(ex, t);
		}
	}
	free(k->rbuf);
	k->rbuf = NULL;
	task_put_op(ex, t);
}

static void link_done(struct execd *ex, struct ev_op *op,
		      const struct io_uring_cqe *cqe)
{
	struct ktask *k = container_of(op, struct ktask, link_op);

	task_put_op(ex, *(struct task **)(k + 1));
}

static void k_wait(struct execd *ex, struct task *t)
{
	struct ktask *k = kt(t);
	struct io_uring_sqe *sqe;
	int fd = handle_fd(ex, t, t->svc.call.handle);
	uint32_t ms = t->svc.call.timeout;

	k->rbuf = fd >= 0 ? malloc(sizeof(struct hsxmbx_frame) + t->svc.call.len) : NULL;
	if (!k->rbuf) {
		t->svc.call.status = fd < 0 ? res_status(fd) : HSX_MBX_STATUS_INTERNAL_ERROR;
		svc_mbx_woken(ex, t);
		return;
	}
	sqe = ring_sqe(ex);
	hsxmbx_prep_recv_fd(sqe, fd, k->rbuf,
			    sizeof(struct hsxmbx_frame) + t->svc.call.len);
	io_uring_sqe_set_data(sqe, &k->read_op);
	k->reading = true;
	t->inflight++;
	if (ms == HSX_MBX_TIMEOUT_INFINITE)
		return;
	sqe->flags |= IOSQE_IO_LINK;
	k->ts.tv_sec = ms / 1000;
	k->ts.tv_nsec = (long long)(ms % 1000) * 1000000;
	sqe = ring_sqe(ex);
	io_uring_prep_link_timeout(sqe, &k->ts, 0);
	io_uring_sqe_set_data(sqe, &k->link_op);
	t->inflight++;
}

/* --- taps ----------------------------------------------------------------- */

static void tap_arm(struct execd *ex, struct ktap *tp)
{
	struct io_uring_sqe *sqe = ring_sqe(ex);

	hsxmbx_prep_recv_fd(sqe, tp->fd, tp->buf, sizeof(tp->buf));
	io_uring_sqe_set_data(sqe, &tp->op);
}

static void tap_release(struct execd *ex, struct ktap *tp)
{
	struct hsxmbx_close a = { .handle = tp->handle };

	close(tp->fd);
	hsxmbx_cmd(kern(ex)->fd, HSXMBX_IOC_CLOSE, &a);
	free(tp);
}

static void tap_done(struct execd *ex, struct ev_op *op,
		     const struct io_uring_cqe *cqe)
{
	struct ktap *tp = container_of(op, struct ktap, op);
	struct hsxmbx_frame f;

	if (cqe->res >= (int)sizeof(f)) {
		memcpy(&f, tp->buf, sizeof(f));
		stdio_deliver(ex, tp->pid, tp->stream, tp->buf + sizeof(f),
			      (uint32_t)cqe->res - sizeof(f), f.flags, f.channel,
			      f.src_pid);
	}
	if (tp->stopped || cqe->res <= 0)
		tap_release(ex, tp);
	else
		tap_arm(ex, tp);
}

static struct ktap *tap_open(struct execd *ex, uint32_t pid, const char *stream)
{
	char target[40];
	struct ktap *tp = calloc(1, sizeof(*tp));
	int h, fd;

	if (!tp)
		return NULL;
	snprintf(target, sizeof(target), "svc:stdio.%s@%u", stream, pid);
	h = hsxmbx_open(kern(ex)->fd, target, HSX_MBX_MODE_RDONLY);
	if (h < 0 || hsxmbx_tap(kern(ex)->fd, (uint32_t)h, true) < 0 ||
	    (fd = hsxmbx_handle_fd(kern(ex)->fd, (uint32_t)h,
				   HSXMBX_FD_NONBLOCK | HSXMBX_FD_CLOEXEC)) < 0) {
		if (h >= 0)
			hsxmbx_close(kern(ex)->fd, (uint32_t)h);
		free(tp);
		return NULL;
	}
	tp->op.done = tap_done;
	tp->pid = pid;
	tp->handle = (uint32_t)h;
	tp->fd = fd;
	tp->stream = stream;
	tap_arm(ex, tp);
	return tp;
}

static void k_tap_stop(struct execd *ex, struct task *t)
{
	for (int i = 0; kt(t) && i < 2; i++) {
		struct ktap *tp = kt(t)->taps[i];
		struct io_uring_sqe *sqe;

		if (!tp)
			continue;
		tp->stopped = true;
		sqe = ring_sqe(ex);
		io_uring_prep_cancel(sqe, &tp->op, 0);
		kt(t)->taps[i] = NULL;
	}
}

static int k_tap_start(struct execd *ex, struct task *t)
{
	kt(t)->taps[0] = tap_open(ex, t->pid, "out");
	kt(t)->taps[1] = tap_open(ex, t->pid, "err");
	if (!kt(t)->taps[0] || !kt(t)->taps[1]) {
		k_tap_stop(ex, t);
		return -1;
	}
	return 0;
}

/* --- tasks ---------------------------------------------------------------- */

/* The ktask is followed by a back pointer to its task (see kt_alloc). */
static struct ktask *kt_alloc(struct task *t)
{
	struct ktask *k = calloc(1, sizeof(*k) + sizeof(struct task *));

	if (!k)
		return NULL;
	*(struct task **)(k + 1) = t;
	k->cmd_op.done = cmd_done;
	k->read_op.done = read_done;
	k->link_op.done = link_done;
	return k;
}

static int k_task_add(struct execd *ex, struct task *t)
{
	struct ktask *k = kt_alloc(t);
	int ret;

	if (!k)
		return -1;
	ret = hsxmbx_task_register(kern(ex)->fd, t->pid, HSX_MBX_STDIO_CAPACITY,
				   ex->stdio_mode);
	if (ret < 0) {
		fprintf(stderr, "hsx-execd: TASK_REGISTER %u: %s\n", t->pid,
			strerror(-ret));
		free(k);
		return -1;
	}
	t->be = k;
	return 0;
}

static void k_task_remove(struct execd *ex, struct task *t)
{
	struct ktask *k = kt(t);
	struct io_uring_sqe *sqe;

	if (k->reading) {
		sqe = ring_sqe(ex);
		io_uring_prep_cancel(sqe, &k->read_op, 0);
	}
	k_tap_stop(ex, t);
	hsxmbx_task_unregister(kern(ex)->fd, t->pid);
	for (uint32_t i = 0; i < k->nfds; i++)
		close(k->fds[i].fd);
	free(k->fds);
	k->fds = NULL;
	k->nfds = 0;
	/* k itself stays until the task is freed: completions use it. */
}

static uint32_t k_task_bind(struct execd *ex, struct task *t,
			    const char *target, uint32_t cap, uint32_t mode,
			    uint32_t *id)
{
	struct hsxmbx_bind a;
	int ret;

	hsxmbx_init_bind(&a, t->pid, target, cap, mode);
	ret = hsxmbx_cmd(kern(ex)->fd, HSXMBX_IOC_BIND, &a);
	*id = a.descriptor_id;
	return res_status(ret);
}

static uint32_t k_desc_of(struct execd *ex, struct task *t, uint32_t handle)
{
	struct hsxmbx_peek a = { .pid = t->pid, .handle = handle };

	if (t->svc.call.descriptor && t->svc.call.fn == HSX_MBX_FN_OPEN)
		return t->svc.call.descriptor;
	return hsxmbx_cmd(kern(ex)->fd, HSXMBX_IOC_PEEK, &a) == 0 ? a.descriptor_id : 0;
}

static uint32_t k_stdio_mode(struct execd *ex, struct task *t,
			     const char *stream, uint32_t mode)
{
	char target[32];
	uint32_t id;

	snprintf(target, sizeof(target), "svc:stdio.%s", stream);
	return k_task_bind(ex, t, target, 0, mode, &id);
}

/* --- host services ------------------------------------------------------ */

static uint32_t k_host_send(struct execd *ex, const char *target,
			    const void *data, uint32_t len, uint32_t flags,
			    uint32_t channel)
{
	struct hsxmbx_open o;
	struct hsxmbx_send s;
	int ret;

	hsxmbx_init_open(&o, 0, target, HSX_MBX_MODE_WRONLY);
	ret = hsxmbx_cmd(kern(ex)->fd, HSXMBX_IOC_OPEN, &o);
	if (ret != 0)
		return res_status(ret);
	hsxmbx_init_send(&s, 0, o.handle, data, len, flags, channel);
	ret = hsxmbx_cmd(kern(ex)->fd, HSXMBX_IOC_SEND, &s);
	hsxmbx_close(kern(ex)->fd, o.handle);
	return res_status(ret);
}

static int k_snapshot(struct execd *ex, struct hsxmbx_desc_info **descs,
		      struct hsxmbx_stats *stats)
{
	return hsxmbx_snapshot(kern(ex)->fd, descs, stats);
}

/* --- lifetime ----------------------------------------------------------- */

static int k_open(struct execd *ex)
{
	struct kern *k = calloc(1, sizeof(*k));
	int ret;

	if (!k)
		return -1;
	k->fd = hsxmbx_open_control(0);
	if (k->fd < 0) {
		fprintf(stderr, "hsx-execd: %s: %s\n", HSXMBX_CONTROL_PATH,
			strerror(-k->fd));
		free(k);
		return -1;
	}
	ret = hsxmbx_features(k->fd, &k->feat);
	if (ret < 0 || !(k->feat.features & HSXMBX_F_TASKS) ||
	    !(k->feat.features & HSXMBX_F_URING_CMD) ||
	    !(k->feat.features & HSXMBX_F_HANDLE_FD)) {
		fprintf(stderr, "hsx-execd: the hsxmbx module lacks task, "
			"uring_cmd or handle-file support\n");
		close(k->fd);
		free(k);
		return -1;
	}
	ex->be_priv = k;
	fprintf(stderr, "hsx-execd: backend kernel: %s (ABI %u, %u descriptors max)\n",
		HSXMBX_CONTROL_PATH, k->feat.abi_version, k->feat.max_descriptors);
	return 0;
}

static void k_close(struct execd *ex)
{
	close(kern(ex)->fd);
	free(kern(ex));
}

const struct backend_ops backend_kernel = {
	.name = "kernel",
	.open = k_open,
	.close = k_close,
	.task_add = k_task_add,
	.task_remove = k_task_remove,
	.task_bind = k_task_bind,
	.call = k_call,
	.wait = k_wait,
	.flush = k_flush,
	.desc_of = k_desc_of,
	.host_send = k_host_send,
	.stdio_mode = k_stdio_mode,
	.snapshot = k_snapshot,
	.tap_start = k_tap_start,
	.tap_stop = k_tap_stop,
};
