// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DOC: Send, receive, wait lists and handoff
 *
 * The engine never sleeps.  A receive that finds nothing may join the
 * descriptor's FIFO wait list (MBX_RECV_WAIT).  After every successful
 * send the engine hands messages to waiters in FIFO order: on a
 * single-reader descriptor each message goes to the head waiter (one
 * message wakes one waiter), on a fan-out descriptor every waiter with
 * unread data gets its next message.  The handed message is parked in the
 * handle, the waiter leaves the list, mailbox_wake is emitted and
 * ops->wake tells the host; the waiter's next mbx_recv returns the parked
 * message without counting another step or emitting mailbox_recv.  Taps
 * never wait.
 *
 * Per-task counters follow the reference: STEP for every send and receive
 * call (not for collecting a parked message), WAKE per handoff, TIMEOUT
 * per mbx_cancel_wait(timed_out) that found nothing.
 */
#include "mbx_internal.h"

void mbx_wait_leave(struct mbx_engine *eng, struct mbx_handle *h)
{
	if (!h->waiting)
		return;
	mbx_list_del(&h->wait_node);
	h->waiting = 0;
	h->desc->nwaiters--;
	eng->waiter_count--;
}

static void mbx_wait_join(struct mbx_engine *eng, struct mbx_handle *h, __u32 timeout)
{
	struct mbx_event ev;

	if (h->waiting)
		return;
	mbx_list_add_tail(&h->wait_node, &h->desc->waiters);
	h->waiting = 1;
	h->desc->nwaiters++;
	eng->waiter_count++;
	mbx_event_init(&ev, MBX_EV_WAIT, h, 0);
	ev.timeout = timeout;
	mbx_emit(eng, &ev);
}

/* A consuming receive for a reader (not a tap); returns a referenced msg. */
struct mbx_msg *mbx_take(struct mbx_engine *eng, struct mbx_handle *h, __u32 *flags)
{
	struct mbx_desc *d = h->desc;
	struct mbx_msg *m;

	if (mbx_is_fanout(d)) {
		mbx_queue_reclaim(eng, d);
		m = mbx_queue_next_for(d, h);
		if (!m)
			return 0;
		mbx_msg_get(m);
		h->last_seq = (__s64)m->seq;
		h->is_sender = 0;
	} else {
		m = mbx_queue_pop(eng, d);
		if (!m)
			return 0;
	}
	*flags = m->flags | (h->pending_overrun ? HSX_MBX_FLAG_OVERRUN : 0);
	h->pending_overrun = 0;
	d->received++;
	eng->received++;
	if (mbx_is_fanout(d))
		mbx_queue_reclaim(eng, d);
	return m;
}

static void mbx_msg_event(struct mbx_engine *eng, enum mbx_event_type type,
			  const struct mbx_handle *h, const struct mbx_msg *m, __u32 flags)
{
	struct mbx_event ev;

	mbx_event_init(&ev, type, h, 0);
	ev.length = m->len;
	ev.flags = flags;
	ev.channel = m->channel;
	ev.src_pid = m->src_pid;
	ev.seq = (__u32)m->seq;
	mbx_emit(eng, &ev);
}

static void mbx_park(struct mbx_engine *eng, struct mbx_handle *h, struct mbx_msg *m, __u32 flags)
{
	h->parked.msg = m;
	h->parked.flags = flags;
	h->parked.exclusive = !mbx_is_fanout(h->desc);
	mbx_wait_leave(eng, h);
	h->task->counters.wake++;
	mbx_msg_event(eng, MBX_EV_WAKE, h, m, flags);
	if (eng->ops->wake)
		eng->ops->wake(eng->host, h);
}

static void mbx_handoff_single(struct mbx_engine *eng, struct mbx_desc *d)
{
	while (!mbx_list_empty(&d->waiters) && d->depth) {
		struct mbx_handle *h =
			mbx_list_entry(d->waiters.next, struct mbx_handle, wait_node);
		__u32 flags;
		struct mbx_msg *m = mbx_take(eng, h, &flags);

		if (!m)
			break;
		mbx_park(eng, h, m, flags);
	}
}

static void mbx_handoff_fanout(struct mbx_engine *eng, struct mbx_desc *d)
{
	struct mbx_list *it, *next;

	for (it = d->waiters.next; it != &d->waiters; it = next) {
		struct mbx_handle *h = mbx_list_entry(it, struct mbx_handle, wait_node);
		__u32 flags;
		struct mbx_msg *m;

		next = it->next;
		m = mbx_take(eng, h, &flags);
		if (m)
			mbx_park(eng, h, m, flags);
	}
}

void mbx_handoff(struct mbx_engine *eng, struct mbx_desc *d)
{
	if (mbx_is_fanout(d))
		mbx_handoff_fanout(eng, d);
	else
		mbx_handoff_single(eng, d);
}

static __u32 mbx_send_check(struct mbx_engine *eng, struct mbx_handle *h, const struct mbx_msg *m)
{
	if (!h)
		return HSX_MBX_STATUS_INVALID_HANDLE;
	if (h->desc->dead)
		return HSX_MBX_STATUS_DESTROYED;
	if (!(h->access & HSX_MBX_MODE_WRONLY))
		return HSX_MBX_STATUS_PERMISSION_DENIED;
	if (!m)
		return HSX_MBX_STATUS_INVALID_ARGUMENT;
	return HSX_MBX_STATUS_OK;
}

static __u32 mbx_do_send(struct mbx_engine *eng, struct mbx_handle *h, struct mbx_msg *m,
			 __u32 flags, __u32 channel)
{
	struct mbx_desc *d = h->desc;
	__u32 st;

	if (m->len > eng->cfg.max_msg_bytes || mbx_msg_cost(m) > d->capacity)
		return HSX_MBX_STATUS_MSG_TOO_LARGE;
	m->flags = flags & 0xFFFF;
	m->channel = channel & 0xFFFF;
	m->src_pid = h->task->pid;
	st = mbx_queue_enqueue(eng, h, m);
	if (st)
		return st;
	d->sent++;
	eng->sent++;
	mbx_msg_event(eng, MBX_EV_SEND, h, m, m->flags);
	mbx_tap_deliver(eng, d, m);
	mbx_handoff(eng, d);
	mbx_desc_readable(eng, d);
	return HSX_MBX_STATUS_OK;
}

static __u32 mbx_send_common(struct mbx_engine *eng, struct mbx_task *t, __u32 handle,
			     struct mbx_msg *m, __u32 flags, __u32 channel, __u32 *seq, int keep)
{
	struct mbx_handle *h = mbx_handle_find(eng, t, handle);
	__u32 st = mbx_send_check(eng, h, m);

	t->counters.step++;
	if (!st) {
		h->is_sender = 1;
		h->out_cost = mbx_msg_cost(m);
		if (seq)
			*seq = (__u32)h->desc->next_seq;
		if (!m->len) {
			mbx_msg_put(eng, m);
			return HSX_MBX_STATUS_OK;
		}
		mbx_msg_get(m); /* keep it readable for *seq after handoff */
		st = mbx_do_send(eng, h, m, flags, channel);
		if (!st && seq)
			*seq = (__u32)m->seq;
		if (st)
			mbx_msg_put(eng, m); /* the reference the queue did not take */
	}
	if (!(keep && st == HSX_MBX_STATUS_WOULDBLOCK))
		mbx_msg_put(eng, m);
	mbx_emit_error(eng, t, HSX_MBX_FN_SEND, handle, st);
	return st;
}

__u32 mbx_send(struct mbx_engine *eng, struct mbx_task *t, __u32 handle, struct mbx_msg *m,
	       __u32 flags, __u32 channel, __u32 *seq)
{
	return mbx_send_common(eng, t, handle, m, flags, channel, seq, 0);
}

__u32 mbx_send_keep(struct mbx_engine *eng, struct mbx_task *t, __u32 handle, struct mbx_msg *m,
		    __u32 flags, __u32 channel, __u32 *seq)
{
	return mbx_send_common(eng, t, handle, m, flags, channel, seq, 1);
}

static void mbx_fill_result(struct mbx_recv_result *res, struct mbx_msg *m, __u32 flags, int woken,
			    int exclusive)
{
	res->exclusive = exclusive;
	res->msg = m;
	res->length = m->len;
	res->flags = flags;
	res->channel = m->channel;
	res->src_pid = m->src_pid;
	res->seq = (__u32)m->seq;
	res->woken = woken;
}

static int mbx_collect_parked(struct mbx_handle *h, struct mbx_recv_result *res)
{
	if (!h->parked.msg)
		return 0;
	mbx_fill_result(res, h->parked.msg, h->parked.flags, 1, h->parked.exclusive);
	h->parked.msg = 0;
	return 1;
}

static __u32 mbx_recv_now(struct mbx_engine *eng, struct mbx_handle *h, unsigned int recv_flags,
			  struct mbx_recv_result *res)
{
	struct mbx_msg *m;
	__u32 flags = 0;
	int exclusive;

	if (h->desc->dead && !(h->is_tap && !mbx_list_empty(&h->tap.entries)))
		return HSX_MBX_STATUS_DESTROYED;
	if (!(h->access & HSX_MBX_MODE_RDONLY))
		return HSX_MBX_STATUS_PERMISSION_DENIED;
	/* Decided now: a BIND may change the mode before the host is done. */
	exclusive = !h->is_tap && !mbx_is_fanout(h->desc);
	m = h->is_tap ? mbx_tap_pop(eng, h, &flags) : mbx_take(eng, h, &flags);
	if (m) {
		mbx_fill_result(res, m, flags, 0, exclusive);
		mbx_msg_event(eng, MBX_EV_RECV, h, m, flags);
		return HSX_MBX_STATUS_OK;
	}
	if ((recv_flags & MBX_RECV_WAIT) && !h->is_tap)
		mbx_wait_join(eng, h, recv_flags >> 16);
	return HSX_MBX_STATUS_NO_DATA;
}

__u32 mbx_recv(struct mbx_engine *eng, struct mbx_task *t, __u32 handle, unsigned int recv_flags,
	       struct mbx_recv_result *res)
{
	struct mbx_handle *h = mbx_handle_find(eng, t, handle);
	__u32 st;

	__builtin_memset(res, 0, sizeof(*res));
	if (h && mbx_collect_parked(h, res))
		return HSX_MBX_STATUS_OK;
	t->counters.step++;
	st = h ? mbx_recv_now(eng, h, recv_flags, res) : HSX_MBX_STATUS_INVALID_HANDLE;
	mbx_emit_error(eng, t, HSX_MBX_FN_RECV, handle, st);
	return st;
}

__u32 mbx_cancel_wait(struct mbx_engine *eng, struct mbx_task *t, __u32 handle, int timed_out,
		      struct mbx_recv_result *res)
{
	struct mbx_handle *h = mbx_handle_find(eng, t, handle);
	struct mbx_event ev;
	int was_waiting;

	__builtin_memset(res, 0, sizeof(*res));
	if (!h)
		return HSX_MBX_STATUS_INVALID_HANDLE;
	was_waiting = h->waiting;
	mbx_wait_leave(eng, h);
	if (mbx_collect_parked(h, res))
		return HSX_MBX_STATUS_OK;
	if (timed_out && was_waiting) {
		t->counters.timeout++;
		mbx_event_init(&ev, MBX_EV_TIMEOUT, h, 0);
		ev.status = HSX_MBX_STATUS_TIMEOUT;
		mbx_emit(eng, &ev);
	}
	return HSX_MBX_STATUS_NO_DATA;
}

static void mbx_requeue_taken(struct mbx_engine *eng, struct mbx_desc *d, struct mbx_msg *m)
{
	d->received--;
	eng->received--;
	mbx_queue_requeue(eng, d, m);
	mbx_handoff(eng, d);
	mbx_desc_readable(eng, d);
}

__u32 mbx_recv_return(struct mbx_engine *eng, struct mbx_task *t, __u32 handle,
		      struct mbx_recv_result *res)
{
	struct mbx_handle *h = mbx_handle_find(eng, t, handle);
	struct mbx_msg *m = res->msg;

	res->msg = 0;
	if (!m)
		return HSX_MBX_STATUS_OK;
	if (!h || h->desc->dead) {
		mbx_msg_put(eng, m);
		return h ? HSX_MBX_STATUS_OK : HSX_MBX_STATUS_INVALID_HANDLE;
	}
	/*
	 * res->exclusive, not the current mode: a fan-out message is still
	 * queued even if a BIND made the descriptor single-reader since.
	 */
	if (res->exclusive) {
		mbx_requeue_taken(eng, h->desc, m);
		return HSX_MBX_STATUS_OK;
	}
	if (h->parked.msg) { /* cannot happen: the receive just emptied it */
		mbx_msg_put(eng, m);
		return HSX_MBX_STATUS_OK;
	}
	h->parked.msg = m;
	h->parked.flags = res->flags;
	h->parked.exclusive = 0;
	return HSX_MBX_STATUS_OK;
}

void mbx_note_truncated(struct mbx_engine *eng, struct mbx_handle *h, __u32 dropped_bytes)
{
	struct mbx_event ev;

	eng->truncated++;
	mbx_event_init(&ev, MBX_EV_TRUNCATED, h, 0);
	ev.length = dropped_bytes;
	ev.flags = HSX_MBX_FLAG_TRUNCATED;
	mbx_emit(eng, &ev);
}

/* The message this handle would receive next, without taking it. */
static const struct mbx_msg *mbx_next_for_handle(const struct mbx_handle *h)
{
	const struct mbx_desc *d = h->desc;

	if (h->parked.msg)
		return h->parked.msg;
	if (h->is_tap)
		return mbx_list_empty(&h->tap.entries) ?
			       0 :
			       mbx_list_entry(h->tap.entries.next, struct mbx_tapent, node)->msg;
	if (mbx_is_fanout(d))
		return mbx_queue_next_for(d, h);
	return mbx_queue_head(d);
}

__u32 mbx_peek(struct mbx_engine *eng, struct mbx_task *t, __u32 handle,
	       struct mbx_peek_result *res)
{
	struct mbx_handle *h = mbx_handle_find(eng, t, handle);
	const struct mbx_msg *m;
	struct mbx_desc *d;
	__u32 st = !h		 ? HSX_MBX_STATUS_INVALID_HANDLE :
		   h->desc->dead ? HSX_MBX_STATUS_DESTROYED :
				   HSX_MBX_STATUS_OK;

	__builtin_memset(res, 0, sizeof(*res));
	mbx_emit_error(eng, t, HSX_MBX_FN_PEEK, handle, st);
	if (st)
		return st;
	d = h->desc;
	m = mbx_next_for_handle(h);
	res->depth = d->depth;
	res->bytes_used = d->bytes_used;
	res->capacity = d->capacity;
	res->head_seq = (__u32)mbx_queue_head_seq(d);
	res->next_len = m ? m->len : 0;
	res->next_seq = (__u32)(m ? m->seq : d->next_seq);
	res->mode = d->mode;
	res->descriptor_id = d->id;
	return HSX_MBX_STATUS_OK;
}

/*
 * Writable the way a pipe is: there is room for the handle's last
 * attempted message or, before its first send, for PIPE_BUF bytes (at
 * most what an empty queue holds).  Room for one byte would wake writers
 * of big messages only to refuse them again.
 */
static __u32 mbx_send_want(const struct mbx_handle *h)
{
	__u32 cap = h->desc->capacity, cost = MBX_PIPE_BUF + MBX_MSG_HDR_COST;

	if (h->out_cost)
		return h->out_cost;
	return cost < cap ? cost : cap;
}

static int mbx_send_ready(const struct mbx_engine *eng, const struct mbx_handle *h)
{
	const struct mbx_desc *d = h->desc;
	__u32 cost = mbx_send_want(h);

	if (eng->cfg.max_total_bytes && eng->bytes_used + cost > eng->cfg.max_total_bytes)
		return 0;
	if (mbx_is_fanout(d) && !(d->mode & HSX_MBX_MODE_FANOUT_BLOCK))
		return 1;
	return d->bytes_used + cost <= d->capacity;
}

unsigned int mbx_handle_ready(struct mbx_engine *eng, struct mbx_handle *h)
{
	unsigned int mask = 0;

	if (h->parked.msg || (h->is_tap && !mbx_list_empty(&h->tap.entries)))
		mask |= MBX_READY_IN;
	if (h->desc->dead)
		return mask | MBX_READY_HUP;
	if (!mask && (h->access & HSX_MBX_MODE_RDONLY) && mbx_next_for_handle(h))
		mask |= MBX_READY_IN;
	if ((h->access & HSX_MBX_MODE_WRONLY) && mbx_send_ready(eng, h))
		mask |= MBX_READY_OUT;
	return mask;
}
