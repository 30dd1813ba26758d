// SPDX-License-Identifier: MIT
/*
 * DOC: SVC results
 *
 * Reading and writing the result registers and the 20-byte info struct
 * happens only here, so every host (the daemon's kernel and embedded
 * backends, hsx-run) produces identical register state.  Mailbox results
 * are masked to 16 bits (reference 1.6); the file SVCs return bytes or a
 * negative errno.  The per-task counters count here too.
 */
#include "hsxmbx/hsxmbx.h"
#include "svc/svc.h"
#include "svc/svc_internal.h"

static void svc_event(struct svc *svc, struct svc_task *st, enum svc_event ev)
{
	if (svc->ops->event)
		svc->ops->event(svc, st, ev);
}

/* The 20-byte little-endian hsx_mailbox_recv_info (reference 1.6). */
static void write_info(struct svc_task *st, uint32_t status, uint32_t len, uint32_t flags,
		       uint32_t channel, uint32_t src)
{
	uint32_t v[5] = { status, len, flags, channel, src };
	uint8_t buf[20];

	if (!st->call.info_ptr)
		return;
	for (int i = 0; i < 20; i++)
		buf[i] = (uint8_t)(v[i / 4] >> (8 * (i % 4)));
	hsx_vm_mem_write(st->vm, st->call.info_ptr, buf, sizeof(buf));
}

static void set_r0_r4(struct svc_task *st, uint32_t r0, uint32_t r1, uint32_t r2, uint32_t r3,
		      uint32_t r4)
{
	hsx_vm_set_reg(st->vm, 0, r0 & 0xFFFF);
	hsx_vm_set_reg(st->vm, 1, r1 & 0xFFFF);
	hsx_vm_set_reg(st->vm, 2, r2 & 0xFFFF);
	hsx_vm_set_reg(st->vm, 3, r3 & 0xFFFF);
	hsx_vm_set_reg(st->vm, 4, r4 & 0xFFFF);
}

/* A received message (or a timeout): R0-R4 and the info struct. */
static void recv_result(struct svc_task *st)
{
	struct svc_call *c = &st->call;

	set_r0_r4(st, c->status, c->r1, c->r2, c->r3, c->r4);
	write_info(st, c->status, c->r1, c->r2, c->r3, c->r4);
}

uint32_t svc_fs_result(uint32_t status, uint32_t bytes)
{
	if (status == HSX_MBX_STATUS_OK)
		return bytes;
	return (uint32_t)hsxmbx_status_errno(status);
}

static void mbx_ok(struct svc *svc, struct svc_task *st)
{
	struct svc_call *c = &st->call;

	hsx_vm_set_reg(st->vm, 0, HSX_MBX_STATUS_OK);
	switch (c->fn) {
	case HSX_MBX_FN_OPEN:
	case HSX_MBX_FN_BIND:
		hsx_vm_set_reg(st->vm, 1, c->r1 & 0xFFFF);
		break;
	case HSX_MBX_FN_SEND:
		hsx_vm_set_reg(st->vm, 1, c->r1 & 0xFFFF);
		svc_event(svc, st, SVC_EV_SEND);
		break;
	case HSX_MBX_FN_RECV:
		recv_result(st);
		svc_event(svc, st, SVC_EV_RECV);
		break;
	case HSX_MBX_FN_PEEK:
		hsx_vm_set_reg(st->vm, 1, c->r1 & 0xFFFF);
		hsx_vm_set_reg(st->vm, 2, c->r2 & 0xFFFF);
		hsx_vm_set_reg(st->vm, 3, c->r3 & 0xFFFF);
		break;
	}
}

/* A failed call: R0 = status (R1 untouched), and an error event. */
/* WOULDBLOCK is flow control, not an error: no event for it. */
void svc_fail(struct svc *svc, struct svc_task *st)
{
	hsx_vm_set_reg(st->vm, 0, st->call.status & 0xFFFF);
	if (st->call.status != HSX_MBX_STATUS_WOULDBLOCK)
		svc_event(svc, st, SVC_EV_ERROR);
}

static bool mbx_done(struct svc *svc, struct svc_task *st)
{
	struct svc_call *c = &st->call;

	if (c->fn == HSX_MBX_FN_SEND || c->fn == HSX_MBX_FN_RECV)
		st->ctr.step++;
	if (c->status == HSX_MBX_STATUS_OK) {
		mbx_ok(svc, st);
	} else if (c->fn == HSX_MBX_FN_RECV && c->status == HSX_MBX_STATUS_NO_DATA) {
		if (c->timeout != HSX_MBX_TIMEOUT_POLL) {
			svc->ops->park(svc, st);
			return false;
		}
		hsx_vm_set_reg(st->vm, 0, HSX_MBX_STATUS_NO_DATA);
		hsx_vm_set_reg(st->vm, 1, 0);
		write_info(st, HSX_MBX_STATUS_NO_DATA, 0, 0, 0, 0);
	} else {
		svc_fail(svc, st);
	}
	return true;
}

bool svc_done(struct svc *svc, struct svc_task *st)
{
	struct svc_call *c = &st->call;

	switch (c->kind) {
	case SVC_CALL_MBX:
		return mbx_done(svc, st);
	case SVC_CALL_FS_READ:
		if (c->status == HSX_MBX_STATUS_NO_DATA) {
			svc->ops->park(svc, st);
			return false;
		}
		hsx_vm_set_reg(st->vm, 0, svc_fs_result(c->status, c->r1));
		break;
	case SVC_CALL_UART:
	case SVC_CALL_FS_WRITE:
		hsx_vm_set_reg(st->vm, 0, svc_fs_result(c->status, c->len));
		break;
	}
	return true;
}

void svc_woken(struct svc *svc, struct svc_task *st)
{
	struct svc_call *c = &st->call;

	if (c->kind == SVC_CALL_FS_READ) {
		hsx_vm_set_reg(st->vm, 0, svc_fs_result(c->status, c->r1));
		return;
	}
	st->ctr.wake++;
	if (c->status != HSX_MBX_STATUS_OK) {
		/* The descriptor died under the waiter (deviation 2). */
		hsx_vm_set_reg(st->vm, 0, c->status & 0xFFFF);
		svc_event(svc, st, SVC_EV_ERROR);
		return;
	}
	recv_result(st);
	svc_event(svc, st, SVC_EV_WAKE);
}

void svc_timed_out(struct svc *svc, struct svc_task *st)
{
	struct svc_call *c = &st->call;

	c->status = HSX_MBX_STATUS_TIMEOUT;
	c->r1 = c->r2 = c->r3 = c->r4 = 0;
	if (c->kind == SVC_CALL_FS_READ) {
		hsx_vm_set_reg(st->vm, 0, svc_fs_result(c->status, 0));
		return;
	}
	st->ctr.timeout++;
	recv_result(st);
	svc_event(svc, st, SVC_EV_TIMEOUT);
}
