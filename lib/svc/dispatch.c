// SPDX-License-Identifier: MIT
/*
 * DOC: SVC modules: argument decoding and the dispatch table
 *
 * Each handler reads its arguments from the VM registers (mailbox ones
 * masked to 16 bits), checks every pointer against task memory and fills
 * st->call.  A bad argument is answered here (deviation 4: an error
 * status, or -EFAULT for the file SVCs) and never reaches the host;
 * anything else goes to ops.call, whose result svc_done() applies.
 */
#include <errno.h>
#include <string.h>

#include "svc/svc.h"
#include "svc/svc_internal.h"

#define FS_READ 1
#define FS_WRITE 2
#define FS_CLOSE 3
#define INFO_BYTES 20

static struct svc_task *svc_task_of(struct hsx_vm_task *vm)
{
	return hsx_vm_user(vm);
}

static uint32_t arg16(struct hsx_vm_task *vm, unsigned int r)
{
	return hsx_vm_reg(vm, r) & 0xFFFF;
}

static enum hsx_vm_svc_result svc_enosys(struct hsx_vm_task *vm)
{
	hsx_vm_set_reg(vm, 0, HSX_ERR_ENOSYS);
	return HSX_VM_SVC_DONE;
}

/* --- module 0x05: mailbox ---------------------------------------------- */

/*
 * The NUL-terminated target at @addr.  The reference cut longer targets to
 * 32 bytes, which let two long names share a mailbox; deviation 4 makes an
 * over-long name an error, so a target with no NUL in its first 33 bytes
 * is refused (INVALID_ARGUMENT) like an unreadable one.
 */
static bool read_target(struct svc_task *st, uint32_t addr)
{
	long n = hsx_vm_mem_strnlen(st->vm, addr, HSX_MBX_MAX_NAME_BYTES + 1);

	if (n < 0 || n > HSX_MBX_MAX_NAME_BYTES)
		return false;
	hsx_vm_mem_read(st->vm, addr, st->call.target, (size_t)n);
	st->call.target[n] = '\0';
	return true;
}

static bool mbx_args(struct svc_task *st, struct svc_call *c)
{
	struct hsx_vm_task *vm = st->vm;

	switch (c->fn) {
	case HSX_MBX_FN_OPEN:
		return read_target(st, arg16(vm, 1));
	case HSX_MBX_FN_BIND:
		c->flags = (uint16_t)arg16(vm, 2); /* capacity */
		c->channel = (uint16_t)arg16(vm, 3); /* mode */
		return read_target(st, arg16(vm, 1));
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
		       (!c->info_ptr || hsx_vm_mem_ptr(vm, c->info_ptr, INFO_BYTES));
	case HSX_MBX_FN_TAP:
		c->flags = (uint16_t)(arg16(vm, 2) & 1);
		return true;
	}
	return true;
}

static enum hsx_vm_svc_result svc_mailbox(struct hsx_vm_task *vm, unsigned int mod, unsigned int fn,
					  void *ctx)
{
	struct svc *svc = ctx;
	struct svc_task *st = svc_task_of(vm);
	struct svc_call *c = &st->call;

	memset(c, 0, sizeof(*c));
	c->kind = SVC_CALL_MBX;
	c->fn = (uint8_t)fn;
	c->handle = (uint16_t)arg16(vm, 1);
	if (fn > HSX_MBX_FN_CLOSE)
		c->status = HSX_MBX_STATUS_INTERNAL_ERROR;
	else if (!mbx_args(st, c))
		c->status = HSX_MBX_STATUS_INVALID_ARGUMENT; /* deviation 4 */
	else
		return svc->ops->call(svc, st);
	if (fn == HSX_MBX_FN_SEND || fn == HSX_MBX_FN_RECV)
		st->ctr.step++;
	svc_fail(svc, st);
	return HSX_VM_SVC_DONE;
}

/* --- modules 0x01 and 0x04: stdio ---------------------------------------- */

/* Fill a stdio call on @handle; false (R0 = -EFAULT) for a bad buffer. */
static bool stdio_call(struct svc_task *st, enum svc_call_kind kind, uint32_t handle, uint32_t ptr,
		       uint32_t len)
{
	struct svc_call *c = &st->call;

	memset(c, 0, sizeof(*c));
	c->kind = (uint8_t)kind;
	c->fn = kind == SVC_CALL_FS_READ ? HSX_MBX_FN_RECV : HSX_MBX_FN_SEND;
	c->handle = (uint16_t)handle;
	c->ptr = (uint16_t)ptr;
	c->len = (uint16_t)len;
	if (kind == SVC_CALL_FS_READ)
		c->timeout = HSX_MBX_TIMEOUT_INFINITE;
	else
		c->flags = handle == HSX_MBX_HANDLE_STDERR ? HSX_MBX_FLAG_STDERR :
							     HSX_MBX_FLAG_STDOUT;
	if (len > 0xFFFF || ptr > 0xFFFF || !hsx_vm_mem_ptr(st->vm, ptr, len)) {
		hsx_vm_set_reg(st->vm, 0, (uint32_t)-EFAULT);
		return false;
	}
	return true;
}

static enum hsx_vm_svc_result stdio_start(struct svc *svc, struct svc_task *st,
					  enum svc_call_kind kind, uint32_t handle, uint32_t ptr,
					  uint32_t len)
{
	if (!stdio_call(st, kind, handle, ptr, len))
		return HSX_VM_SVC_DONE;
	return svc->ops->call(svc, st);
}

static enum hsx_vm_svc_result svc_task_mod(struct hsx_vm_task *vm, unsigned int mod,
					   unsigned int fn, void *ctx)
{
	struct svc *svc = ctx;

	if (fn == 0) {
		if (svc->ops->exit)
			svc->ops->exit(svc, svc_task_of(vm));
		return HSX_VM_SVC_EXIT;
	}
	if (fn == 1)
		return stdio_start(svc, svc_task_of(vm), SVC_CALL_UART, HSX_MBX_HANDLE_STDOUT,
				   hsx_vm_reg(vm, 1), hsx_vm_reg(vm, 2));
	return svc_enosys(vm);
}

static enum hsx_vm_svc_result svc_fs(struct hsx_vm_task *vm, unsigned int mod, unsigned int fn,
				     void *ctx)
{
	struct svc_task *st = svc_task_of(vm);
	uint32_t fd = hsx_vm_reg(vm, 1);

	if (fn == FS_READ && fd == 0)
		return stdio_start(ctx, st, SVC_CALL_FS_READ, HSX_MBX_HANDLE_STDIN,
				   hsx_vm_reg(vm, 2), hsx_vm_reg(vm, 3));
	if (fn == FS_WRITE && (fd == 1 || fd == 2))
		return stdio_start(ctx, st, SVC_CALL_FS_WRITE,
				   fd == 1 ? HSX_MBX_HANDLE_STDOUT : HSX_MBX_HANDLE_STDERR,
				   hsx_vm_reg(vm, 2), hsx_vm_reg(vm, 3));
	if (fn == FS_CLOSE && fd <= 2) {
		hsx_vm_set_reg(vm, 0, 0);
		return HSX_VM_SVC_DONE;
	}
	/* No file system behind the SVC layer: a clear ENOSYS. */
	return svc_enosys(vm);
}

/* --- modules 0x00 and 0x06 ------------------------------------------------- */

static enum hsx_vm_svc_result svc_core(struct hsx_vm_task *vm, unsigned int mod, unsigned int fn,
				       void *ctx)
{
	if (fn != 0)
		return svc_enosys(vm);
	hsx_vm_set_reg(vm, 0, (uint32_t)hsx_vm_steps(vm));
	return HSX_VM_SVC_DONE;
}

static enum hsx_vm_svc_result svc_exec(struct hsx_vm_task *vm, unsigned int mod, unsigned int fn,
				       void *ctx)
{
	struct svc *svc = ctx;

	if (fn != 0)
		return svc_enosys(vm);
	return svc->ops->sleep(svc, svc_task_of(vm), hsx_vm_reg(vm, 0));
}

void svc_init(struct svc *svc, const struct svc_ops *ops, void *host)
{
	memset(svc, 0, sizeof(*svc));
	svc->ops = ops;
	svc->host = host;
	svc->table.handler[HSX_SVC_MOD_CORE] = svc_core;
	svc->table.handler[HSX_SVC_MOD_TASK] = svc_task_mod;
	svc->table.handler[HSX_SVC_MOD_FS] = svc_fs;
	svc->table.handler[HSX_SVC_MOD_MAILBOX] = svc_mailbox;
	svc->table.handler[HSX_SVC_MOD_EXEC] = svc_exec;
	for (int i = 0; i < 16; i++)
		svc->table.ctx[i] = svc;
}
