// SPDX-License-Identifier: MIT
/*
 * DOC: SVC calls on the in-process engine (lib/mbx)
 *
 * The executor for hosts that run the mailbox engine themselves: the
 * daemon's embedded backend and hsx-run.  It fills st->call's results
 * (R1-R4 values) the way the kernel backend does from its ioctl results.
 * A RECV that may wait joins the engine's FIFO wait list in the same call
 * (MBX_RECV_WAIT), so no send can slip between the check and the wait;
 * the host later collects the parked message with mbx_recv() or
 * mbx_cancel_wait() and hands it to svc_engine_take().
 */
#include <string.h>

#include "svc/svc.h"

void svc_engine_take(struct mbx_engine *eng, struct mbx_task *mt, struct svc_task *st,
		     struct mbx_recv_result *res)
{
	struct svc_call *c = &st->call;
	uint32_t n = res->length < c->len ? res->length : c->len;

	hsx_vm_mem_write(st->vm, c->ptr, mbx_msg_payload(res->msg), n);
	c->r1 = n;
	c->r2 = res->flags;
	if (n < res->length) {
		c->r2 |= HSX_MBX_FLAG_TRUNCATED;
		mbx_note_truncated(eng, mbx_handle_lookup(eng, mt, c->handle), res->length - n);
	}
	c->r3 = res->channel;
	c->r4 = res->src_pid;
	mbx_msg_put(eng, res->msg);
}

static uint32_t engine_send(struct mbx_engine *eng, struct mbx_task *mt, struct svc_task *st)
{
	struct svc_call *c = &st->call;
	struct mbx_msg *m = mbx_msg_alloc(eng, c->len);
	uint32_t seq, ret;

	if (!m)
		return c->len > mbx_engine_config(eng)->max_msg_bytes ?
			       HSX_MBX_STATUS_MSG_TOO_LARGE :
			       HSX_MBX_STATUS_INTERNAL_ERROR;
	hsx_vm_mem_read(st->vm, c->ptr, mbx_msg_payload(m), c->len);
	ret = mbx_send(eng, mt, c->handle, m, c->flags, c->channel, &seq);
	if (ret == HSX_MBX_STATUS_OK)
		c->r1 = c->len;
	return ret;
}

static uint32_t engine_recv(struct mbx_engine *eng, struct mbx_task *mt, struct svc_task *st)
{
	struct svc_call *c = &st->call;
	struct mbx_recv_result res = { 0 };
	unsigned int fl = 0;
	uint32_t status;

	if (c->timeout != HSX_MBX_TIMEOUT_POLL)
		fl = MBX_RECV_WAIT | MBX_RECV_TIMEOUT(c->timeout);
	status = mbx_recv(eng, mt, c->handle, fl, &res);
	if (status == HSX_MBX_STATUS_OK)
		svc_engine_take(eng, mt, st, &res);
	return status;
}

static uint32_t engine_peek(struct mbx_engine *eng, struct mbx_task *mt, struct svc_call *c)
{
	struct mbx_peek_result p = { 0 };
	uint32_t status = mbx_peek(eng, mt, c->handle, &p);

	c->r1 = p.depth;
	c->r2 = p.bytes_used;
	c->r3 = p.next_len;
	return status;
}

uint32_t svc_engine_exec(struct mbx_engine *eng, struct mbx_task *mt, struct svc_task *st)
{
	struct svc_call *c = &st->call;
	uint32_t len = (uint32_t)strlen(c->target);

	switch (c->fn) {
	case HSX_MBX_FN_OPEN:
		return mbx_open(eng, mt, c->target, len, HSX_MBX_MODE_RDWR, &c->r1);
	case HSX_MBX_FN_BIND:
		return mbx_bind(eng, mt, c->target, len, c->flags, c->channel, &c->r1);
	case HSX_MBX_FN_SEND:
		return engine_send(eng, mt, st);
	case HSX_MBX_FN_RECV:
		return engine_recv(eng, mt, st);
	case HSX_MBX_FN_PEEK:
		return engine_peek(eng, mt, c);
	case HSX_MBX_FN_TAP:
		return mbx_tap(eng, mt, c->handle, c->flags & 1);
	case HSX_MBX_FN_CLOSE:
		return mbx_close(eng, mt, c->handle);
	}
	return HSX_MBX_STATUS_INTERNAL_ERROR;
}
