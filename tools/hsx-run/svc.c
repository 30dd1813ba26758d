// SPDX-License-Identifier: MIT
/*
 * DOC: SVC modules of hsx-run (reference sections 1.6, 1.7, 3.3)
 *
 *   0x00 core     fn 0 GET_STEPS: R0 = instructions retired
 *   0x01 task     fn 0 EXIT (status R0); fn 1 UART_WRITE(R1 ptr, R2 len)
 *                 sends to the task's stdout; R0 = len
 *   0x04 fs       read(R1=0, R2 buf, R3 len) receives from stdin, blocking
 *                 (deviation 7); write(R1=1/2, R2 buf, R3 len) is a SEND on
 *                 stdout/stderr with FLAG_STDOUT/STDERR that wakes waiters
 *                 and feeds taps (deviation 7); close(0..2) = 0; everything
 *                 else ENOSYS.  Results: bytes, or a negative errno.
 *   0x05 mailbox  reference 1.6: R1..R5 masked to 16 bits, R0 = status
 *   0x06 exec     fn 0 SLEEP_MS(R0 ms): a real timer; R0 = 0
 *
 * The same register contract as daemon/svc.c (see run.h for why this is
 * a separate copy).  A RECV that must wait suspends the VM task
 * (HSX_VM_SVC_BLOCK); host.c completes it on a wake or the timer.
 */
#include <errno.h>
#include <string.h>

#include "hsxmbx/hsxmbx.h"
#include "run.h"

#define FS_READ 1
#define FS_WRITE 2
#define FS_CLOSE 3
#define TARGET_MAX (HSX_MBX_MAX_NAME_BYTES + 16)

static struct rt_task *task_of(struct hsx_vm_task *vm)
{
	return hsx_vm_user(vm);
}

static uint32_t arg16(struct hsx_vm_task *vm, unsigned int r)
{
	return hsx_vm_reg(vm, r) & 0xFFFF;
}

static void set_r0_r4(struct hsx_vm_task *vm, uint32_t r0, uint32_t r1,
		      uint32_t r2, uint32_t r3, uint32_t r4)
{
	hsx_vm_set_reg(vm, 0, r0 & 0xFFFF);
	hsx_vm_set_reg(vm, 1, r1 & 0xFFFF);
	hsx_vm_set_reg(vm, 2, r2 & 0xFFFF);
	hsx_vm_set_reg(vm, 3, r3 & 0xFFFF);
	hsx_vm_set_reg(vm, 4, r4 & 0xFFFF);
}

/* The 20-byte little-endian hsx_mailbox_recv_info at @ptr (0 = none). */
static void write_info(struct hsx_vm_task *vm, uint32_t ptr, uint32_t st,
		       uint32_t len, uint32_t flags, uint32_t ch, uint32_t src)
{
	uint32_t v[5] = { st, len, flags, ch, src };
	uint8_t b[20];
	int i;

	if (!ptr)
		return;
	for (i = 0; i < 20; i++)
		b[i] = (uint8_t)(v[i / 4] >> (8 * (i % 4)));
	hsx_vm_mem_write(vm, ptr, b, sizeof(b));
}

/* --- receive completion (also used by wakes and timers) --------------- */

static uint32_t fs_result(uint32_t status, uint32_t bytes)
{
	return status == HSX_MBX_STATUS_OK ? bytes :
					     (uint32_t)hsxmbx_status_errno(status);
}

/* Copy a message into the waiter's buffer; returns the bytes copied. */
static uint32_t take(struct rt_run *run, struct rt_task *t,
		     struct mbx_recv_result *res, uint32_t *flags)
{
	uint32_t n = res->length < t->wait.max ? res->length : t->wait.max;

	hsx_vm_mem_write(t->vm, t->wait.buf, mbx_msg_payload(res->msg), n);
	*flags = res->flags;
	if (n < res->length) {
		*flags |= HSX_MBX_FLAG_TRUNCATED;
		mbx_note_truncated(run->eng, mbx_handle_lookup(run->eng, t->mt,
							       t->wait.handle),
				   res->length - n);
	}
	mbx_msg_put(run->eng, res->msg);
	return n;
}

void rt_complete_recv(struct rt_run *run, struct rt_task *t, uint32_t status,
		      struct mbx_recv_result *res)
{
	struct hsx_vm_task *vm = t->vm;
	uint32_t n = 0, flags = 0;

	if (status == HSX_MBX_STATUS_OK)
		n = take(run, t, res, &flags);
	if (t->wait.fs_read) {
		hsx_vm_set_reg(vm, 0, fs_result(status, n));
	} else if (status == HSX_MBX_STATUS_OK) {
		set_r0_r4(vm, 0, n, flags, res->channel, res->src_pid);
		write_info(vm, t->wait.info, 0, n, flags, res->channel,
			   res->src_pid);
	} else if (status == HSX_MBX_STATUS_NO_DATA) {
		hsx_vm_set_reg(vm, 0, status);
		hsx_vm_set_reg(vm, 1, 0);
		write_info(vm, t->wait.info, status, 0, 0, 0, 0);
	} else {
		hsx_vm_set_reg(vm, 0, status);
	}
	rt_trace(run, "pid %u recv h%u -> status %u len %u", t->pid,
		 t->wait.handle, status, n);
}

void rt_timeout(struct rt_run *run, struct rt_task *t)
{
	struct mbx_recv_result res;
	uint32_t st;

	st = mbx_cancel_wait(run->eng, t->mt, t->wait.handle, 1, &res);
	if (st == HSX_MBX_STATUS_OK) { /* a message raced the timer */
		rt_complete_recv(run, t, st, &res);
		return;
	}
	rt_trace(run, "pid %u recv h%u timed out after %u ms", t->pid,
		 t->wait.handle, t->wait.timeout);
	if (t->wait.fs_read) {
		hsx_vm_set_reg(t->vm, 0, fs_result(HSX_MBX_STATUS_TIMEOUT, 0));
		return;
	}
	set_r0_r4(t->vm, HSX_MBX_STATUS_TIMEOUT, 0, 0, 0, 0);
	write_info(t->vm, t->wait.info, HSX_MBX_STATUS_TIMEOUT, 0, 0, 0, 0);
}

/* RECV now; block (WAIT + timer) when empty and the timeout allows it. */
static enum hsx_vm_svc_result recv_or_block(struct rt_run *run,
					    struct rt_task *t)
{
	struct mbx_recv_result res;
	unsigned int fl = 0;
	uint32_t st;

	if (t->wait.timeout)
		fl = MBX_RECV_WAIT | MBX_RECV_TIMEOUT(t->wait.timeout);
	st = mbx_recv(run->eng, t->mt, t->wait.handle, fl, &res);
	if (st != HSX_MBX_STATUS_NO_DATA || !t->wait.timeout) {
		rt_complete_recv(run, t, st, &res);
		return HSX_VM_SVC_DONE;
	}
	t->state = RT_WAIT;
	t->deadline_ns = 0;
	if (t->wait.timeout != HSX_MBX_TIMEOUT_INFINITE)
		t->deadline_ns = rt_now_ns() + (uint64_t)t->wait.timeout * 1000000;
	rt_trace(run, "pid %u blocks on h%u (timeout %u)", t->pid,
		 t->wait.handle, t->wait.timeout);
	return HSX_VM_SVC_BLOCK;
}

/* --- module 0x05 ------------------------------------------------------------ */

static uint32_t read_target(struct hsx_vm_task *vm, uint32_t ptr, char *buf)
{
	long n = hsx_vm_mem_strnlen(vm, ptr, TARGET_MAX);

	if (n < 0 || n >= TARGET_MAX)
		return HSX_MBX_STATUS_INVALID_ARGUMENT;
	hsx_vm_mem_read(vm, ptr, buf, (size_t)n);
	buf[n] = 0;
	return HSX_MBX_STATUS_OK;
}

static uint32_t do_send(struct rt_run *run, struct rt_task *t, uint32_t h,
			uint32_t ptr, uint32_t len, uint32_t flags,
			uint32_t channel)
{
	const void *src = hsx_vm_mem_ptr(t->vm, ptr, len);
	struct mbx_msg *m;
	uint32_t seq, st;

	if (!src && len)
		return HSX_MBX_STATUS_INVALID_ARGUMENT;
	m = mbx_msg_alloc(run->eng, len);
	if (!m)
		return HSX_MBX_STATUS_INTERNAL_ERROR;
	if (len)
		memcpy(mbx_msg_payload(m), src, len);
	st = mbx_send(run->eng, t->mt, h, m, flags, channel, &seq);
	rt_trace(run, "pid %u send h%u len %u flags 0x%x ch %u -> %u", t->pid,
		 h, len, flags, channel, st);
	return st;
}

static uint32_t mbx_target_call(struct rt_run *run, struct rt_task *t,
				unsigned int fn)
{
	struct hsx_vm_task *vm = t->vm;
	char target[TARGET_MAX];
	uint32_t st, out = 0;

	st = read_target(vm, arg16(vm, 1), target);
	if (st == HSX_MBX_STATUS_OK && fn == HSX_MBX_FN_OPEN)
		st = mbx_open(run->eng, t->mt, target, strlen(target),
			      HSX_MBX_MODE_RDWR, &out);
	else if (st == HSX_MBX_STATUS_OK)
		st = mbx_bind(run->eng, t->mt, target, strlen(target),
			      arg16(vm, 2), arg16(vm, 3), &out);
	rt_trace(run, "pid %u %s \"%s\" -> status %u, %u", t->pid,
		 fn == HSX_MBX_FN_OPEN ? "open" : "bind",
		 st == HSX_MBX_STATUS_INVALID_ARGUMENT ? "?" : target, st, out);
	if (st == HSX_MBX_STATUS_OK)
		hsx_vm_set_reg(vm, 1, out);
	return st;
}

static uint32_t do_peek(struct rt_run *run, struct rt_task *t)
{
	struct mbx_peek_result p;
	uint32_t st = mbx_peek(run->eng, t->mt, arg16(t->vm, 1), &p);

	if (st == HSX_MBX_STATUS_OK) {
		hsx_vm_set_reg(t->vm, 1, p.depth);
		hsx_vm_set_reg(t->vm, 2, p.bytes_used);
		hsx_vm_set_reg(t->vm, 3, p.next_len);
	}
	return st;
}

static uint32_t mbx_simple(struct rt_run *run, struct rt_task *t,
			   unsigned int fn)
{
	struct hsx_vm_task *vm = t->vm;
	uint32_t st;

	switch (fn) {
	case HSX_MBX_FN_OPEN:
	case HSX_MBX_FN_BIND:
		return mbx_target_call(run, t, fn);
	case HSX_MBX_FN_SEND:
		st = do_send(run, t, arg16(vm, 1), arg16(vm, 2), arg16(vm, 3),
			     arg16(vm, 4), arg16(vm, 5));
		if (st == HSX_MBX_STATUS_OK)
			hsx_vm_set_reg(vm, 1, arg16(vm, 3));
		return st;
	case HSX_MBX_FN_PEEK:
		return do_peek(run, t);
	case HSX_MBX_FN_TAP:
		return mbx_tap(run->eng, t->mt, arg16(vm, 1), arg16(vm, 2) & 1);
	case HSX_MBX_FN_CLOSE:
		return mbx_close(run->eng, t->mt, arg16(vm, 1));
	}
	return HSX_MBX_STATUS_INTERNAL_ERROR; /* unknown fn: R0 = 0xFF */
}

static enum hsx_vm_svc_result svc_mailbox(struct hsx_vm_task *vm,
					  unsigned int mod, unsigned int fn,
					  void *ctx)
{
	struct rt_run *run = ctx;
	struct rt_task *t = task_of(vm);
	enum hsx_vm_svc_result r = HSX_VM_SVC_DONE;

	if (fn == HSX_MBX_FN_RECV) {
		t->wait = (struct rt_wait){
			.handle = arg16(vm, 1), .buf = arg16(vm, 2),
			.max = arg16(vm, 3), .timeout = arg16(vm, 4),
			.info = arg16(vm, 5),
		};
		r = recv_or_block(run, t);
	} else {
		hsx_vm_set_reg(vm, 0, mbx_simple(run, t, fn) & 0xFFFF);
	}
	rt_settle(run);
	return r;
}

/* --- modules 0x00, 0x01, 0x04, 0x06 ------------------------------------ */

static enum hsx_vm_svc_result svc_core(struct hsx_vm_task *vm,
				       unsigned int mod, unsigned int fn,
				       void *ctx)
{
	hsx_vm_set_reg(vm, 0, fn == 0 ? (uint32_t)hsx_vm_steps(vm) :
			      HSX_VM_ERR_ENOSYS);
	return HSX_VM_SVC_DONE;
}

/* write(fd 1/2) and UART_WRITE: a SEND on the stdio handle. */
static uint32_t stdio_write(struct rt_run *run, struct rt_task *t,
			    uint32_t fd, uint32_t ptr, uint32_t len)
{
	uint32_t st;

	if (ptr > 0xFFFF || len > 0xFFFF || !hsx_vm_mem_ptr(t->vm, ptr, len))
		return (uint32_t)-EFAULT;
	st = do_send(run, t, fd == 2 ? HSX_MBX_HANDLE_STDERR :
				       HSX_MBX_HANDLE_STDOUT,
		     ptr, len, fd == 2 ? HSX_MBX_FLAG_STDERR :
					 HSX_MBX_FLAG_STDOUT, 0);
	rt_settle(run);
	return fs_result(st, len);
}

static enum hsx_vm_svc_result svc_task(struct hsx_vm_task *vm,
				       unsigned int mod, unsigned int fn,
				       void *ctx)
{
	if (fn == 0) {
		rt_trace(ctx, "pid %u exit %d", task_of(vm)->pid,
			 (int)hsx_vm_reg(vm, 0));
		return HSX_VM_SVC_EXIT;
	}
	if (fn == 1)
		hsx_vm_set_reg(vm, 0, stdio_write(ctx, task_of(vm), 1,
						  hsx_vm_reg(vm, 1),
						  hsx_vm_reg(vm, 2)));
	else
		hsx_vm_set_reg(vm, 0, HSX_VM_ERR_ENOSYS);
	return HSX_VM_SVC_DONE;
}

static enum hsx_vm_svc_result svc_fs(struct hsx_vm_task *vm, unsigned int mod,
				     unsigned int fn, void *ctx)
{
	struct rt_task *t = task_of(vm);
	uint32_t fd = hsx_vm_reg(vm, 1), ptr = hsx_vm_reg(vm, 2);
	uint32_t len = hsx_vm_reg(vm, 3);
	enum hsx_vm_svc_result r;

	if (fn == FS_READ && fd == 0) {
		if (ptr > 0xFFFF || len > 0xFFFF ||
		    !hsx_vm_mem_ptr(vm, ptr, len)) {
			hsx_vm_set_reg(vm, 0, (uint32_t)-EFAULT);
			return HSX_VM_SVC_DONE;
		}
		t->wait = (struct rt_wait){
			.fs_read = true, .handle = HSX_MBX_HANDLE_STDIN,
			.buf = ptr, .max = len,
			.timeout = HSX_MBX_TIMEOUT_INFINITE,
		};
		r = recv_or_block(ctx, t);
		rt_settle(ctx);
		return r;
	}
	if (fn == FS_WRITE && (fd == 1 || fd == 2))
		hsx_vm_set_reg(vm, 0, stdio_write(ctx, t, fd, ptr, len));
	else if (fn == FS_CLOSE && fd <= 2)
		hsx_vm_set_reg(vm, 0, 0);
	else
		hsx_vm_set_reg(vm, 0, HSX_VM_ERR_ENOSYS);
	return HSX_VM_SVC_DONE;
}

static enum hsx_vm_svc_result svc_exec(struct hsx_vm_task *vm,
				       unsigned int mod, unsigned int fn,
				       void *ctx)
{
	struct rt_task *t = task_of(vm);
	uint32_t ms = hsx_vm_reg(vm, 0);

	if (fn != 0) {
		hsx_vm_set_reg(vm, 0, HSX_VM_ERR_ENOSYS);
		return HSX_VM_SVC_DONE;
	}
	rt_trace(ctx, "pid %u sleeps %u ms", t->pid, ms);
	hsx_vm_set_reg(vm, 0, 0);
	t->state = RT_SLEEP;
	t->deadline_ns = rt_now_ns() + (uint64_t)ms * 1000000;
	return HSX_VM_SVC_BLOCK;
}

void rt_svc_init(struct rt_run *run)
{
	int i;

	memset(&run->svc, 0, sizeof(run->svc));
	run->svc.handler[HSX_SVC_MOD_CORE] = svc_core;
	run->svc.handler[HSX_SVC_MOD_TASK] = svc_task;
	run->svc.handler[HSX_SVC_MOD_FS] = svc_fs;
	run->svc.handler[HSX_SVC_MOD_MAILBOX] = svc_mailbox;
	run->svc.handler[HSX_SVC_MOD_EXEC] = svc_exec;
	for (i = 0; i < 16; i++)
		run->svc.ctx[i] = run;
}
