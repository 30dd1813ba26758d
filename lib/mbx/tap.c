// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DOC: Taps
 *
 * A tap is a handle that observes a descriptor without consuming it: every
 * message appended to the descriptor is also referenced from the tap's own
 * buffer (capacity = the descriptor's capacity).  A tap receive reads only
 * that buffer and never waits.  Taps never slow the sender or hold back
 * fan-out reclamation: when a tap is over its rate limit (messages per 1 s
 * window, from ops->now_ns) or its buffer is full, the tap alone loses
 * copies.  Each loss sets the tap's pending OVERRUN flag (reported on its
 * next receive) and is counted in the tap's `missed` counter and the
 * descriptor's overrun counter.
 */
#include "mbx_internal.h"

static __u64 mbx_now(struct mbx_engine *eng)
{
	return eng->ops->now_ns ? eng->ops->now_ns(eng->host) : 0;
}

static void mbx_tap_lost(struct mbx_engine *eng, struct mbx_handle *h)
{
	h->tap.pending_overrun = 1;
	h->tap.missed++;
	h->desc->overruns++;
	eng->overruns++;
}

/* True when the tap may take one more copy in the current window. */
static int mbx_tap_rate_ok(struct mbx_engine *eng, struct mbx_handle *h)
{
	__u32 limit = eng->cfg.tap_rate_limit;
	__u64 now;
	struct mbx_event ev;

	if (!limit)
		return 1;
	now = mbx_now(eng);
	if (now - h->tap.window_start >= MBX_NS_PER_SEC || now < h->tap.window_start) {
		h->tap.window_start = now;
		h->tap.window_count = 0;
	}
	if (h->tap.window_count < limit) {
		h->tap.window_count++;
		return 1;
	}
	mbx_tap_lost(eng, h);
	h->desc->backpressure++;
	eng->backpressure++;
	mbx_event_init(&ev, MBX_EV_BACKPRESSURE, 0, h->desc);
	ev.reason = MBX_REASON_TAP_RATE_LIMIT;
	ev.tap_pid = h->task->pid;
	ev.tap_handle = h->number;
	ev.limit = limit;
	mbx_emit(eng, &ev);
	return 0;
}

static void mbx_tap_overrun_event(struct mbx_engine *eng, struct mbx_handle *h,
				  const struct mbx_msg *m)
{
	struct mbx_event ev;

	mbx_tap_lost(eng, h);
	mbx_event_init(&ev, MBX_EV_TAP_OVERRUN, h, 0);
	ev.reason = MBX_REASON_TAP_FULL;
	ev.tap_pid = h->task->pid;
	ev.tap_handle = h->number;
	ev.seq = (__u32)m->seq;
	ev.length = m->len;
	ev.flags = m->flags;
	ev.channel = m->channel;
	ev.src_pid = m->src_pid;
	ev.queue_depth = h->tap.depth;
	mbx_emit(eng, &ev);
}

static struct mbx_msg *mbx_tap_take(struct mbx_engine *eng, struct mbx_handle *h)
{
	struct mbx_tapent *e;
	struct mbx_msg *m;

	if (mbx_list_empty(&h->tap.entries))
		return 0;
	e = mbx_list_entry(h->tap.entries.next, struct mbx_tapent, node);
	mbx_list_del(&e->node);
	m = e->msg;
	h->tap.bytes -= mbx_msg_cost(m);
	h->tap.depth--;
	eng->tap_depth--;
	mbx_free(eng, MBX_OBJ_TAPENT, e, sizeof(*e));
	return m;
}

/* The entry is the tap owner's memory, not the sender's. */
static struct mbx_tapent *mbx_tap_entry_alloc(struct mbx_engine *eng, struct mbx_handle *h)
{
	const struct mbx_ops *ops = eng->ops;
	void *cookie = ops->charge_begin ? ops->charge_begin(eng->host, h) : 0;
	struct mbx_tapent *e = mbx_zalloc(eng, MBX_OBJ_TAPENT, sizeof(*e));

	if (ops->charge_end)
		ops->charge_end(eng->host, cookie);
	return e;
}

static void mbx_tap_append(struct mbx_engine *eng, struct mbx_handle *h, struct mbx_msg *m)
{
	__u32 cost = mbx_msg_cost(m), cap = h->desc->capacity;
	struct mbx_tapent *e;

	if (cost > cap) {
		mbx_tap_overrun_event(eng, h, m);
		return;
	}
	while (h->tap.depth && h->tap.bytes + cost > cap) {
		struct mbx_msg *old = mbx_tap_take(eng, h);

		mbx_tap_overrun_event(eng, h, old);
		mbx_msg_put(eng, old);
	}
	e = mbx_tap_entry_alloc(eng, h);
	if (!e) {
		mbx_tap_overrun_event(eng, h, m);
		return;
	}
	mbx_msg_get(m);
	e->msg = m;
	mbx_list_add_tail(&e->node, &h->tap.entries);
	h->tap.bytes += cost;
	h->tap.depth++;
	h->tap.delivered++;
	eng->tap_depth++;
	if (eng->ops->tap_ready)
		eng->ops->tap_ready(eng->host, h);
}

/* The descriptor shrank: each tap buffer follows its capacity. */
void mbx_tap_enforce_capacity(struct mbx_engine *eng, struct mbx_desc *d)
{
	struct mbx_list *it;

	for (it = d->taps.next; it != &d->taps; it = it->next) {
		struct mbx_handle *h = mbx_list_entry(it, struct mbx_handle, tap.node);

		while (h->tap.bytes > d->capacity) {
			struct mbx_msg *old = mbx_tap_take(eng, h);

			mbx_tap_overrun_event(eng, h, old);
			mbx_msg_put(eng, old);
		}
	}
}

void mbx_tap_deliver(struct mbx_engine *eng, struct mbx_desc *d, struct mbx_msg *m)
{
	struct mbx_list *it;

	for (it = d->taps.next; it != &d->taps; it = it->next) {
		struct mbx_handle *h = mbx_list_entry(it, struct mbx_handle, tap.node);

		if (mbx_tap_rate_ok(eng, h))
			mbx_tap_append(eng, h, m);
	}
}

struct mbx_msg *mbx_tap_pop(struct mbx_engine *eng, struct mbx_handle *h, __u32 *flags)
{
	struct mbx_msg *m = mbx_tap_take(eng, h);

	if (!m)
		return 0;
	*flags = m->flags;
	if (h->tap.pending_overrun)
		*flags |= HSX_MBX_FLAG_OVERRUN;
	h->tap.pending_overrun = 0;
	return m;
}

void mbx_tap_purge(struct mbx_engine *eng, struct mbx_handle *h)
{
	struct mbx_msg *m;

	while ((m = mbx_tap_take(eng, h)))
		mbx_msg_put(eng, m);
}

void mbx_tap_detach(struct mbx_engine *eng, struct mbx_handle *h)
{
	if (!h->is_tap)
		return;
	mbx_tap_purge(eng, h);
	mbx_list_del(&h->tap.node);
	h->desc->ntaps--;
	eng->tap_count--;
	h->is_tap = 0;
	h->tap.pending_overrun = 0;
}

static void mbx_tap_attach(struct mbx_engine *eng, struct mbx_handle *h)
{
	mbx_wait_leave(eng, h);
	h->is_tap = 1;
	h->tap.window_start = mbx_now(eng);
	h->tap.window_count = 0;
	h->tap.pending_overrun = 0;
	mbx_list_add_tail(&h->tap.node, &h->desc->taps);
	h->desc->ntaps++;
	eng->tap_count++;
	/* A tap is no longer a fan-out reader: what it held back can go. */
	mbx_queue_reclaim(eng, h->desc);
}

__u32 mbx_tap(struct mbx_engine *eng, struct mbx_task *t, __u32 handle, int enable)
{
	struct mbx_handle *h = mbx_handle_find(eng, t, handle);
	__u32 st = HSX_MBX_STATUS_OK;

	if (!h)
		st = HSX_MBX_STATUS_INVALID_HANDLE;
	else if (h->desc->dead)
		st = HSX_MBX_STATUS_DESTROYED;
	else if (!(h->access & HSX_MBX_MODE_RDONLY))
		st = HSX_MBX_STATUS_PERMISSION_DENIED;
	else if (enable && !h->is_tap)
		mbx_tap_attach(eng, h);
	else if (!enable && h->is_tap) {
		mbx_tap_detach(eng, h);
		mbx_handle_reset_cursor(h);
	}
	mbx_emit_error(eng, t, HSX_MBX_FN_TAP, handle, st);
	return st;
}

void mbx_handle_tap_stats(const struct mbx_handle *h, struct mbx_tap_stats *out)
{
	out->delivered = h->tap.delivered;
	out->missed = h->tap.missed;
	out->depth = h->tap.depth;
	out->bytes = h->tap.bytes;
}
