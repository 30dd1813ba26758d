// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DOC: Messages and descriptor queues
 *
 * A descriptor queue is a FIFO of reference-counted messages; each costs
 * len + 8 bytes against the descriptor's capacity and against the engine's
 * optional global byte cap.  Single-reader descriptors pop the head for
 * each receive (competing consumers).  Fan-out descriptors keep messages
 * until every reader's cursor (last_seq) has passed them; tap handles and
 * handles that only send are not readers, so they never hold reclamation
 * back (deviation 5).  A full FANOUT_BLOCK or single-reader queue refuses
 * the send; plain FANOUT and FANOUT_DROP drop the oldest messages, mark
 * the readers that missed them and emit mailbox_overrun.
 */
#include "mbx_internal.h"

struct mbx_msg *mbx_msg_alloc(struct mbx_engine *eng, __u32 len)
{
	struct mbx_msg *m;

	if (len > HSX_MBX_MAX_CAPACITY)
		return 0;
	m = eng->ops->alloc(eng->host, MBX_OBJ_MSG, sizeof(*m) + len);
	if (!m)
		return 0;
	__builtin_memset(m, 0, sizeof(*m));
	mbx_list_init(&m->node);
	m->refs = 1;
	m->len = len;
	return m;
}

void *mbx_msg_payload(struct mbx_msg *m)
{
	return m->payload;
}

__u32 mbx_msg_len(const struct mbx_msg *m)
{
	return m->len;
}

void mbx_msg_get(struct mbx_msg *m)
{
	m->refs++;
}

void mbx_msg_put(struct mbx_engine *eng, struct mbx_msg *m)
{
	if (!m || --m->refs)
		return;
	eng->ops->free(eng->host, MBX_OBJ_MSG, m, sizeof(*m) + m->len);
}

__u32 mbx_msg_cost(const struct mbx_msg *m)
{
	return m->len + MBX_MSG_HDR_COST;
}

static void mbx_queue_account(struct mbx_engine *eng, struct mbx_desc *d, const struct mbx_msg *m,
			      int sign)
{
	__u32 cost = mbx_msg_cost(m);

	if (sign > 0) {
		d->bytes_used += cost;
		d->depth++;
		eng->bytes_used += cost;
		eng->queue_depth++;
	} else {
		d->bytes_used -= cost;
		d->depth--;
		eng->bytes_used -= cost;
		eng->queue_depth--;
	}
}

void mbx_queue_append(struct mbx_engine *eng, struct mbx_desc *d, struct mbx_msg *m)
{
	mbx_list_add_tail(&m->node, &d->queue);
	mbx_queue_account(eng, d, m, 1);
}

/* Put a popped message back in sequence order (normally at the head). */
void mbx_queue_requeue(struct mbx_engine *eng, struct mbx_desc *d, struct mbx_msg *m)
{
	struct mbx_list *it = d->queue.next;

	while (it != &d->queue && mbx_list_entry(it, struct mbx_msg, node)->seq < m->seq)
		it = it->next;
	mbx_list_insert(&m->node, it->prev, it);
	mbx_queue_account(eng, d, m, 1);
}

struct mbx_msg *mbx_queue_head(const struct mbx_desc *d)
{
	if (mbx_list_empty(&d->queue))
		return 0;
	return mbx_list_entry(d->queue.next, struct mbx_msg, node);
}

__u64 mbx_queue_head_seq(const struct mbx_desc *d)
{
	struct mbx_msg *m = mbx_queue_head(d);

	return m ? m->seq : d->next_seq;
}

/* Returns the head with the queue's reference, and tells the host. */
struct mbx_msg *mbx_queue_pop(struct mbx_engine *eng, struct mbx_desc *d)
{
	struct mbx_msg *m = mbx_queue_head(d);

	if (!m)
		return 0;
	mbx_list_del(&m->node);
	mbx_queue_account(eng, d, m, -1);
	if (eng->ops->space)
		eng->ops->space(eng->host, d);
	return m;
}

void mbx_queue_purge(struct mbx_engine *eng, struct mbx_desc *d)
{
	struct mbx_msg *m;

	while ((m = mbx_queue_pop(eng, d))) {
		d->dropped++;
		eng->dropped++;
		mbx_msg_put(eng, m);
	}
}

/* Every reader that had not seen `seq` gets OVERRUN on its next receive. */
static void mbx_queue_mark_overrun(struct mbx_desc *d, __u64 seq)
{
	struct mbx_list *it;

	for (it = d->handles.next; it != &d->handles; it = it->next) {
		struct mbx_handle *h = mbx_list_entry(it, struct mbx_handle, desc_node);

		if (mbx_handle_is_reader(h) && h->last_seq < (__s64)seq)
			h->pending_overrun = 1;
	}
}

void mbx_queue_drop_head(struct mbx_engine *eng, struct mbx_desc *d, enum mbx_reason why)
{
	struct mbx_msg *m = mbx_queue_pop(eng, d);
	struct mbx_event ev;

	if (!m)
		return;
	mbx_queue_mark_overrun(d, m->seq);
	d->dropped++;
	eng->dropped++;
	mbx_event_init(&ev, MBX_EV_OVERRUN, 0, d);
	ev.reason = why;
	ev.pid = m->src_pid;
	ev.src_pid = m->src_pid;
	ev.seq = (__u32)m->seq;
	ev.length = m->len;
	ev.flags = m->flags;
	ev.channel = m->channel;
	ev.queue_depth = d->depth;
	mbx_emit(eng, &ev);
	mbx_msg_put(eng, m);
}

/* Bind shrank the capacity (or changed the mode): trim from the head. */
void mbx_queue_enforce_capacity(struct mbx_engine *eng, struct mbx_desc *d)
{
	enum mbx_reason why = mbx_is_fanout(d) ? MBX_REASON_FANOUT_DROP : MBX_REASON_SINGLE;

	while (d->bytes_used > d->capacity && d->depth)
		mbx_queue_drop_head(eng, d, why);
}

/* Lowest cursor among readers; 0 if the descriptor has no reader. */
static int mbx_queue_min_cursor(const struct mbx_desc *d, __s64 *min)
{
	const struct mbx_list *it;
	int found = 0;

	for (it = d->handles.next; it != &d->handles; it = it->next) {
		const struct mbx_handle *h = mbx_list_entry(it, struct mbx_handle, desc_node);

		if (!mbx_handle_is_reader(h))
			continue;
		if (!found || h->last_seq < *min)
			*min = h->last_seq;
		found = 1;
	}
	return found;
}

void mbx_queue_reclaim(struct mbx_engine *eng, struct mbx_desc *d)
{
	struct mbx_msg *m;
	__s64 min = 0;

	if (!mbx_is_fanout(d) || !d->depth || !mbx_queue_min_cursor(d, &min))
		return;
	while ((m = mbx_queue_head(d)) && (__s64)m->seq <= min)
		mbx_msg_put(eng, mbx_queue_pop(eng, d));
}

struct mbx_msg *mbx_queue_next_for(const struct mbx_desc *d, const struct mbx_handle *h)
{
	const struct mbx_list *it;

	for (it = d->queue.next; it != &d->queue; it = it->next) {
		struct mbx_msg *m = mbx_list_entry(it, struct mbx_msg, node);

		if ((__s64)m->seq > h->last_seq)
			return m;
	}
	return 0;
}

static void mbx_backpressure(struct mbx_engine *eng, struct mbx_handle *h, enum mbx_reason why,
			     __u32 cost)
{
	struct mbx_event ev;

	h->desc->backpressure++;
	eng->backpressure++;
	mbx_event_init(&ev, MBX_EV_BACKPRESSURE, h, 0);
	ev.reason = why;
	ev.requested = cost;
	mbx_emit(eng, &ev);
}

static int mbx_queue_fits(const struct mbx_desc *d, __u32 cost)
{
	return cost <= d->capacity - (d->bytes_used < d->capacity ? d->bytes_used : d->capacity);
}

static int mbx_over_byte_cap(const struct mbx_engine *eng, __u32 cost)
{
	return eng->cfg.max_total_bytes && eng->bytes_used + cost > eng->cfg.max_total_bytes;
}

/*
 * Make room for `cost` bytes according to the descriptor's policy.
 * Returns 0 when the message may be appended, else the refusal reason.
 */
static enum mbx_reason mbx_queue_make_room(struct mbx_engine *eng, struct mbx_desc *d, __u32 cost)
{
	if (!mbx_is_fanout(d))
		return mbx_queue_fits(d, cost) ? MBX_REASON_NONE : MBX_REASON_SINGLE;
	mbx_queue_reclaim(eng, d);
	if (d->mode & HSX_MBX_MODE_FANOUT_BLOCK)
		return mbx_queue_fits(d, cost) ? MBX_REASON_NONE : MBX_REASON_FANOUT_BLOCK;
	while (!mbx_queue_fits(d, cost) && d->depth)
		mbx_queue_drop_head(eng, d, MBX_REASON_FANOUT_DROP);
	return mbx_queue_fits(d, cost) ? MBX_REASON_NONE : MBX_REASON_FANOUT_DROP;
}

/* Append m (ownership taken on success) or return WOULDBLOCK. */
__u32 mbx_queue_enqueue(struct mbx_engine *eng, struct mbx_handle *h, struct mbx_msg *m)
{
	struct mbx_desc *d = h->desc;
	__u32 cost = mbx_msg_cost(m);
	enum mbx_reason why;

	why = mbx_over_byte_cap(eng, cost) ? MBX_REASON_BYTE_CAP :
					     mbx_queue_make_room(eng, d, cost);
	h->refusal = why;
	if (why != MBX_REASON_NONE) {
		mbx_backpressure(eng, h, why, cost);
		return HSX_MBX_STATUS_WOULDBLOCK;
	}
	m->seq = d->next_seq++;
	mbx_queue_append(eng, d, m);
	return HSX_MBX_STATUS_OK;
}
