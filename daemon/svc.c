// SPDX-License-Identifier: MIT
/*
 * DOC: SVC modules
 *
 * The VM hands every SVC to svc_table, indexed by module (reference
 * section 3.3):
 *
 *   0x00 core     fn 0 GET_STEPS: R0 = instructions retired
 *   0x01 task     fn 0 EXIT (status R0); fn 1 UART_WRITE(R1 ptr, R2 len),
 *                 which goes to the task's stdout mailbox; R0 = len
 *   0x04 fs       read(R1 fd, R2 buf, R3 len) on fd 0 receives from stdin
 *                 (blocking); write(R1 fd, R2 buf, R3 len) on fd 1/2 sends
 *                 to stdout/stderr like a SEND (deviation 7); close of fd
 *                 0-2 is a no-op; everything else returns HSX_ERR_ENOSYS
 *   0x05 mailbox  reference section 1.6, arguments masked to 16 bits
 *   0x06 exec     fn 0 SLEEP_MS(R0 ms) through an io_uring timeout
 *
 * Modules without a handler get R0 = HSX_ERR_ENOSYS from the VM.
 *
 * A mailbox operation never completes inside the handler: the handler
 * validates the arguments, fills task.call, hands it to the backend and
 * returns HSX_VM_SVC_BLOCK.  The backend completes it (svc_mbx_done) after
 * the pass; a RECV that must wait is then parked (WAIT_MBX) and later
 * woken (svc_mbx_woken) or timed out (svc_mbx_timed_out).  Reading and
 * writing the registers and the 20-byte info struct happens only here, so
 * both backends produce identical register state.
 */
#include <errno.h>
#include <string.h>

#include "execd.h"
#include "hsxmbx/hsxmbx.h"
#include "vm/vm.h"

struct hsx_vm_svc_table svc_table;

#define FS_OPEN 0
#define FS_READ 1
#define FS_WRITE 2
#define FS_CLOSE 3

static struct execd *svc_ex(void *ctx)
{
	return ctx;
}

static struct task *svc_task(struct hsx_vm_task *vm)
{
	return hsx_vm_user(vm);
}

static uint32_t arg16(struct hsx_vm_task *vm, unsigned int r)
{
	return hsx_vm_reg(vm, r) & 0xFFFF;
}

/* --- events ------------------------------------------------------------ */

static struct json_object *ev_mbx_base(struct execd *ex, struct task *t)
{
	struct json_object *d = ev_new();
	uint32_t desc = ex->be->desc_of(ex, t, t->call.handle);

	json_object_object_add(d, "descriptor", json_object_new_int64(desc));
	json_object_object_add(d, "handle", json_object_new_int(t->call.handle));
	return d;
}

static void ev_mbx_result(struct execd *ex, struct task *t, const char *type)
{
	struct json_object *d;

	if (!ev_wanted(ex))
		return;
	d = ev_mbx_base(ex, t);
	if (strcmp(type, "mailbox_send") && strcmp(type, "mailbox_recv"))
		json_object_object_add(d, "status",
				       json_object_new_int(t->call.status));
	json_object_object_add(d, "length", json_object_new_int64(t->call.r1));
	json_object_object_add(d, "flags", json_object_new_int64(t->call.r2));
	json_object_object_add(d, "channel", json_object_new_int64(t->call.r3));
	json_object_object_add(d, "src_pid", json_object_new_int64(t->call.r4));
	ev_emit(ex, type, t->pid, d);
}

static void ev_mbx_send(struct execd *ex, struct task *t)
{
	struct json_object *d;

	if (!ev_wanted(ex))
		return;
	d = ev_mbx_base(ex, t);
	json_object_object_add(d, "length", json_object_new_int(t->call.len));
	json_object_object_add(d, "flags", json_object_new_int(t->call.flags));
	json_object_object_add(d, "channel", json_object_new_int(t->call.channel));
	json_object_object_add(d, "src_pid", json_object_new_int64(t->pid));
	ev_emit(ex, "mailbox_send", t->pid, d);
}

static void ev_mbx_wait(struct execd *ex, struct task *t)
{
	struct json_object *d;

	if (!ev_wanted(ex))
		return;
	d = ev_mbx_base(ex, t);
	json_object_object_add(d, "timeout", json_object_new_int(t->call.timeout));
	/* Deadlines are relative io_uring timers, reported in ms (or null). */
	json_object_object_add(d, "deadline",
			       t->call.timeout == HSX_MBX_TIMEOUT_INFINITE ? NULL :
			       json_object_new_int(t->call.timeout));
	ev_emit(ex, "mailbox_wait", t->pid, d);
}

static void ev_mbx_error(struct execd *ex, struct task *t)
{
	struct json_object *d;

	if (!ev_wanted(ex))
		return;
	d = ev_new();
	json_object_object_add(d, "fn", json_object_new_int(t->call.fn));
	json_object_object_add(d, "error",
			       json_object_new_string(hsxmbx_strstatus(t->call.status)));
	json_object_object_add(d, "status", json_object_new_int(t->call.status));
	ev_emit(ex, "mailbox_error", t->pid, d);
}

/* --- result application --------------------------------------------- */

/* The 20-byte little-endian hsx_mailbox_recv_info (reference 1.6). */
static void write_info(struct task *t, uint32_t st, uint32_t len, uint32_t fl,
		       uint32_t ch, uint32_t src)
{
	uint32_t v[5] = { st, len, fl, ch, src };
	uint8_t buf[20];

	if (!t->call.info_ptr)
		return;
	for (int i = 0; i < 5; i++)
		for (int b = 0; b < 4; b++)
			buf[i * 4 + b] = (uint8_t)(v[i] >> (8 * b));
	hsx_vm_mem_write(t->vm, t->call.info_ptr, buf, sizeof(buf));
}

static void set_r0_r4(struct task *t, uint32_t r0, uint32_t r1, uint32_t r2,
		      uint32_t r3, uint32_t r4)
{
	hsx_vm_set_reg(t->vm, 0, r0 & 0xFFFF);
	hsx_vm_set_reg(t->vm, 1, r1 & 0xFFFF);
	hsx_vm_set_reg(t->vm, 2, r2 & 0xFFFF);
	hsx_vm_set_reg(t->vm, 3, r3 & 0xFFFF);
	hsx_vm_set_reg(t->vm, 4, r4 & 0xFFFF);
}

static void resume(struct execd *ex, struct task *t, const char *reason)
{
	hsx_vm_resume(t->vm);
	task_make_runnable(ex, t, reason);
}

static void mbx_ok(struct execd *ex, struct task *t)
{
	struct mbx_call *c = &t->call;

	hsx_vm_set_reg(t->vm, 0, HSX_MBX_STATUS_OK);
	switch (c->fn) {
	case HSX_MBX_FN_OPEN:
	case HSX_MBX_FN_BIND:
		hsx_vm_set_reg(t->vm, 1, c->r1 & 0xFFFF);
		break;
	case HSX_MBX_FN_SEND:
		hsx_vm_set_reg(t->vm, 1, c->r1 & 0xFFFF);
		ev_mbx_send(ex, t);
		break;
	case HSX_MBX_FN_RECV:
		set_r0_r4(t, 0, c->r1, c->r2, c->r3, c->r4);
		write_info(t, 0, c->r1, c->r2, c->r3, c->r4);
		ev_mbx_result(ex, t, "mailbox_recv");
		break;
	case HSX_MBX_FN_PEEK:
		hsx_vm_set_reg(t->vm, 1, c->r1 & 0xFFFF);
		hsx_vm_set_reg(t->vm, 2, c->r2 & 0xFFFF);
		hsx_vm_set_reg(t->vm, 3, c->r3 & 0xFFFF);
		break;
	}
}

static void mbx_recv_wait(struct execd *ex, struct task *t)
{
	task_set_state(ex, t, TS_WAIT_MBX, "mailbox_wait");
	ev_mbx_wait(ex, t);
	ex->be->wait(ex, t);
}

static void mbx_done(struct execd *ex, struct task *t)
{
	struct mbx_call *c = &t->call;

	if (c->fn == HSX_MBX_FN_SEND || c->fn == HSX_MBX_FN_RECV)
		t->ctr.step++;
	if (c->status == HSX_MBX_STATUS_OK) {
		mbx_ok(ex, t);
	} else if (c->fn == HSX_MBX_FN_RECV &&
		   c->status == HSX_MBX_STATUS_NO_DATA) {
		if (c->timeout != HSX_MBX_TIMEOUT_POLL) {
			mbx_recv_wait(ex, t);
			return;
		}
		hsx_vm_set_reg(t->vm, 0, HSX_MBX_STATUS_NO_DATA);
		hsx_vm_set_reg(t->vm, 1, 0);
		write_info(t, HSX_MBX_STATUS_NO_DATA, 0, 0, 0, 0);
	} else {
		/* WOULDBLOCK leaves R1 untouched, like every error. */
		hsx_vm_set_reg(t->vm, 0, c->status & 0xFFFF);
		if (c->status != HSX_MBX_STATUS_WOULDBLOCK)
			ev_mbx_error(ex, t);
	}
	resume(ex, t, NULL);
}

/* A status as the POSIX-style result of the file SVCs. */
static uint32_t fs_result(uint32_t status, uint32_t bytes)
{
	if (status == HSX_MBX_STATUS_OK)
		return bytes;
	return (uint32_t)hsxmbx_status_errno(status);
}

void svc_mbx_done(struct execd *ex, struct task *t)
{
	struct mbx_call *c = &t->call;

	if (t->dead)
		return;
	switch (c->kind) {
	case CALL_MBX:
		mbx_done(ex, t);
		return;
	case CALL_FS_READ:
		if (c->status == HSX_MBX_STATUS_NO_DATA) {
			task_set_state(ex, t, TS_WAIT_MBX, "mailbox_wait");
			ex->be->wait(ex, t);
			return;
		}
		hsx_vm_set_reg(t->vm, 0, fs_result(c->status, c->r1));
		break;
	case CALL_UART:
	case CALL_FS_WRITE:
		hsx_vm_set_reg(t->vm, 0, fs_result(c->status, c->len));
		break;
	}
	resume(ex, t, NULL);
}

void svc_mbx_woken(struct execd *ex, struct task *t)
{
	struct mbx_call *c = &t->call;

	if (t->dead)
		return;
	if (c->kind == CALL_FS_READ) {
		hsx_vm_set_reg(t->vm, 0, fs_result(c->status, c->r1));
		resume(ex, t, "mailbox_wake");
		return;
	}
	t->ctr.wake++;
	if (c->status != HSX_MBX_STATUS_OK) {
		/* The descriptor died under the waiter (deviation 2). */
		hsx_vm_set_reg(t->vm, 0, c->status & 0xFFFF);
		ev_mbx_error(ex, t);
		resume(ex, t, "mailbox_wake");
		return;
	}
	set_r0_r4(t, 0, c->r1, c->r2, c->r3, c->r4);
	write_info(t, 0, c->r1, c->r2, c->r3, c->r4);
	ev_mbx_result(ex, t, "mailbox_wake");
	resume(ex, t, "mailbox_wake");
}

void svc_mbx_timed_out(struct execd *ex, struct task *t)
{
	struct mbx_call *c = &t->call;

	if (t->dead)
		return;
	t->ctr.timeout++;
	c->status = HSX_MBX_STATUS_TIMEOUT;
	c->r1 = c->r2 = c->r3 = c->r4 = 0;
	set_r0_r4(t, HSX_MBX_STATUS_TIMEOUT, 0, 0, 0, 0);
	write_info(t, HSX_MBX_STATUS_TIMEOUT, 0, 0, 0, 0);
	ev_mbx_result(ex, t, "mailbox_timeout");
	resume(ex, t, "timeout");
}

/* --- module 0x05: mailbox ------------------------------------------- */

/* Read the NUL-terminated target at @addr, truncated to 32 bytes. */
static bool read_target(struct task *t, uint32_t addr)
{
	long n = hsx_vm_mem_strnlen(t->vm, addr, HSX_MBX_MAX_NAME_BYTES);

	if (n < 0)
		return false;
	hsx_vm_mem_read(t->vm, addr, t->call.target, (size_t)n);
	t->call.target[n] = '\0';
	return true;
}

static bool mbx_args(struct task *t, struct mbx_call *c)
{
	struct hsx_vm_task *vm = t->vm;

	switch (c->fn) {
	case HSX_MBX_FN_OPEN:
		return read_target(t, arg16(vm, 1));
	case HSX_MBX_FN_BIND:
		c->flags = (uint16_t)arg16(vm, 2);	/* capacity */
		c->channel = (uint16_t)arg16(vm, 3);	/* mode */
		return read_target(t, arg16(vm, 1));
	case HSX_MBX_FN_SEND:
		c->ptr = (uint16_t)arg16(vm, 2);
		c->len = (uint16_t)arg16(vm, 3);
		c->flags = (uint16_t)arg16(vm, 4);
		c->channel = (uint16_t)arg16(vm, 5);
		return hsx_vm_mem_ptr(vm, c->ptr, c->len) != NULL;
	case HSX_MBX_FN_RECV:
		c->ptr = (uint16_t)arg16(vm, 2);
		c->len = (uint16_t)arg16(vm, 3);
		c->timeout = (uint16_t)arg16(vm, 4);
		c->info_ptr = (uint16_t)arg16(vm, 5);
		return hsx_vm_mem_ptr(vm, c->ptr, c->len) &&
		       (!c->info_ptr || hsx_vm_mem_ptr(vm, c->info_ptr, 20));
	case HSX_MBX_FN_TAP:
		c->flags = (uint16_t)(arg16(vm, 2) & 1);
		return true;
	}
	return true;
}

static enum hsx_vm_svc_result start_call(struct execd *ex, struct task *t)
{
	ex->be->call(ex, t);
	return HSX_VM_SVC_BLOCK;
}

static enum hsx_vm_svc_result svc_mailbox(struct hsx_vm_task *vm,
					  unsigned int mod, unsigned int fn,
					  void *ctx)
{
	struct execd *ex = svc_ex(ctx);
	struct task *t = svc_task(vm);
	struct mbx_call *c = &t->call;

	memset(c, 0, sizeof(*c));
	c->kind = CALL_MBX;
	c->fn = (uint8_t)fn;
	c->handle = (uint16_t)arg16(vm, 1);
	if (fn > HSX_MBX_FN_CLOSE) {
		c->status = HSX_MBX_STATUS_INTERNAL_ERROR;
	} else if (!mbx_args(t, c)) {
		/* Deviation 4: a bad pointer is an error status. */
		c->status = HSX_MBX_STATUS_INVALID_ARGUMENT;
	} else {
		return start_call(ex, t);
	}
	if (fn == HSX_MBX_FN_SEND || fn == HSX_MBX_FN_RECV)
		t->ctr.step++;
	hsx_vm_set_reg(vm, 0, c->status);
	ev_mbx_error(ex, t);
	return HSX_VM_SVC_DONE;
}

/* --- modules 0x00, 0x01, 0x04, 0x06 ---------------------------------- */

static enum hsx_vm_svc_result svc_core(struct hsx_vm_task *vm,
				       unsigned int mod, unsigned int fn,
				       void *ctx)
{
	hsx_vm_set_reg(vm, 0, fn == 0 ? (uint32_t)hsx_vm_steps(vm) :
			      HSX_ERR_ENOSYS);
	return HSX_VM_SVC_DONE;
}

/* Send @len bytes at @ptr to stdio handle @handle as a mailbox SEND. */
static enum hsx_vm_svc_result stdio_write(struct execd *ex, struct task *t,
					  enum call_kind kind, uint32_t handle,
					  uint32_t ptr, uint32_t len)
{
	struct mbx_call *c = &t->call;

	memset(c, 0, sizeof(*c));
	c->kind = (uint8_t)kind;
	c->fn = HSX_MBX_FN_SEND;
	c->handle = (uint16_t)handle;
	c->ptr = (uint16_t)ptr;
	c->len = (uint16_t)len;
	c->flags = handle == HSX_MBX_HANDLE_STDERR ? HSX_MBX_FLAG_STDERR :
						     HSX_MBX_FLAG_STDOUT;
	if (len > 0xFFFF || ptr > 0xFFFF || !hsx_vm_mem_ptr(t->vm, ptr, len)) {
		hsx_vm_set_reg(t->vm, 0, (uint32_t)-EFAULT);
		return HSX_VM_SVC_DONE;
	}
	return start_call(ex, t);
}

static enum hsx_vm_svc_result svc_task_mod(struct hsx_vm_task *vm,
					   unsigned int mod, unsigned int fn,
					   void *ctx)
{
	if (fn == 0)
		return HSX_VM_SVC_EXIT;
	if (fn == 1)
		return stdio_write(svc_ex(ctx), svc_task(vm), CALL_UART,
				   HSX_MBX_HANDLE_STDOUT, hsx_vm_reg(vm, 1),
				   hsx_vm_reg(vm, 2));
	hsx_vm_set_reg(vm, 0, HSX_ERR_ENOSYS);
	return HSX_VM_SVC_DONE;
}

static enum hsx_vm_svc_result fs_read(struct execd *ex, struct task *t)
{
	struct hsx_vm_task *vm = t->vm;
	struct mbx_call *c = &t->call;
	uint32_t ptr = hsx_vm_reg(vm, 2), len = hsx_vm_reg(vm, 3);

	memset(c, 0, sizeof(*c));
	c->kind = CALL_FS_READ;
	c->fn = HSX_MBX_FN_RECV;
	c->handle = HSX_MBX_HANDLE_STDIN;
	c->ptr = (uint16_t)ptr;
	c->len = (uint16_t)len;
	c->timeout = HSX_MBX_TIMEOUT_INFINITE;
	if (len > 0xFFFF || ptr > 0xFFFF || !hsx_vm_mem_ptr(vm, ptr, len)) {
		hsx_vm_set_reg(vm, 0, (uint32_t)-EFAULT);
		return HSX_VM_SVC_DONE;
	}
	return start_call(ex, t);
}

static enum hsx_vm_svc_result svc_fs(struct hsx_vm_task *vm, unsigned int mod,
				     unsigned int fn, void *ctx)
{
	struct execd *ex = svc_ex(ctx);
	struct task *t = svc_task(vm);
	uint32_t fd = hsx_vm_reg(vm, 1);

	if (fn == FS_READ && fd == 0)
		return fs_read(ex, t);
	if (fn == FS_WRITE && (fd == 1 || fd == 2))
		return stdio_write(ex, t, CALL_FS_WRITE,
				   fd == 1 ? HSX_MBX_HANDLE_STDOUT :
					     HSX_MBX_HANDLE_STDERR,
				   hsx_vm_reg(vm, 2), hsx_vm_reg(vm, 3));
	if (fn == FS_CLOSE && fd <= 2) {
		hsx_vm_set_reg(vm, 0, 0);
		return HSX_VM_SVC_DONE;
	}
	/* No file system behind the executive: a clear ENOSYS. */
	hsx_vm_set_reg(vm, 0, HSX_ERR_ENOSYS);
	return HSX_VM_SVC_DONE;
}

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

void svc_sleep_start(struct execd *ex, struct task *t, uint32_t ms)
{
	struct io_uring_sqe *sqe = ring_sqe(ex);

	t->ts.tv_sec = ms / 1000;
	t->ts.tv_nsec = (long long)(ms % 1000) * 1000000;
	t->timer_op.done = sleep_done;
	t->timer_armed = true;
	t->inflight++;
	io_uring_prep_timeout(sqe, &t->ts, 0, 0);
	io_uring_sqe_set_data(sqe, &t->timer_op);
}

static enum hsx_vm_svc_result svc_exec(struct hsx_vm_task *vm,
				       unsigned int mod, unsigned int fn,
				       void *ctx)
{
	struct execd *ex = svc_ex(ctx);
	struct task *t = svc_task(vm);

	if (fn != 0) {
		hsx_vm_set_reg(vm, 0, HSX_ERR_ENOSYS);
		return HSX_VM_SVC_DONE;
	}
	task_set_state(ex, t, TS_SLEEPING, "sleep");
	svc_sleep_start(ex, t, hsx_vm_reg(vm, 0));
	return HSX_VM_SVC_BLOCK;
}

void svc_init(struct execd *ex)
{
	memset(&svc_table, 0, sizeof(svc_table));
	svc_table.handler[HSX_SVC_MOD_CORE] = svc_core;
	svc_table.handler[HSX_SVC_MOD_TASK] = svc_task_mod;
	svc_table.handler[HSX_SVC_MOD_FS] = svc_fs;
	svc_table.handler[HSX_SVC_MOD_MAILBOX] = svc_mailbox;
	svc_table.handler[HSX_SVC_MOD_EXEC] = svc_exec;
	for (int i = 0; i < 16; i++)
		svc_table.ctx[i] = ex;
}
