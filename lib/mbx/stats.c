// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DOC: Introspection and self-checks
 *
 * Resource statistics and per-descriptor information in the uapi formats
 * (struct hsxmbx_stats, struct hsxmbx_desc_info), so the module's
 * SNAPSHOT, the daemon's event stream and the tests share one shape.
 * Everything is read from counters maintained on the hot paths; only the
 * per-descriptor reader count walks the descriptor's handles.
 *
 * mbx_engine_check() recomputes every counter from the object graph and
 * reports the first mismatch; tests call it after random operations.
 */
#include "mbx_internal.h"

void mbx_stats(const struct mbx_engine *eng, struct hsxmbx_stats *out)
{
	__u32 max = eng->cfg.max_descriptors;

	__builtin_memset(out, 0, sizeof(*out));
	out->max_descriptors = max;
	out->active_descriptors = eng->active_descs;
	out->free_descriptors = max ? max - eng->active_descs : 0xFFFFFFFFu;
	out->handle_limit_per_pid = eng->cfg.handles_per_pid;
	out->total_capacity = eng->total_capacity;
	out->bytes_used = eng->bytes_used;
	out->bytes_available =
		eng->total_capacity > eng->bytes_used ? eng->total_capacity - eng->bytes_used : 0;
	out->queue_depth = eng->queue_depth;
	out->handles_total = eng->handles_total;
	out->tap_rate_limit = eng->cfg.tap_rate_limit;
	out->descriptor_pool_exhausted = eng->pool_exhausted;
	out->tap_count = eng->tap_count;
	out->tap_queue_depth = eng->tap_depth;
	out->waiter_count = eng->waiter_count;
	out->fanout_descriptors = eng->fanout_descs;
	out->tasks = eng->ntasks;
	out->sent = eng->sent;
	out->received = eng->received;
	out->dropped = eng->dropped;
	out->overruns = eng->overruns;
	out->backpressure = eng->backpressure;
	out->exhausted = eng->exhausted;
	out->errors = eng->errors;
	out->truncated = eng->truncated;
}

static __u32 mbx_desc_readers(const struct mbx_desc *d)
{
	const struct mbx_list *it;
	__u32 n = 0;

	for (it = d->handles.next; it != &d->handles; it = it->next)
		n += mbx_handle_is_reader(mbx_list_entry(it, struct mbx_handle, desc_node));
	return n;
}

void mbx_desc_info(const struct mbx_desc *d, struct hsxmbx_desc_info *out)
{
	__builtin_memset(out, 0, sizeof(*out));
	out->descriptor_id = d->id;
	out->ns = d->ns;
	out->owner_pid = d->owner;
	out->mode = d->mode;
	out->capacity = d->capacity;
	out->bytes_used = d->bytes_used;
	out->queue_depth = d->depth;
	out->head_seq = (__u32)mbx_queue_head_seq(d);
	out->next_seq = (__u32)d->next_seq;
	out->readers = mbx_desc_readers(d);
	out->taps = d->ntaps;
	out->waiters = d->nwaiters;
	out->handles = d->nhandles;
	out->sent = d->sent;
	out->received = d->received;
	out->dropped = d->dropped;
	out->overruns = d->overruns;
	out->backpressure = d->backpressure;
	__builtin_memcpy(out->name, d->name, sizeof(d->name));
}

int mbx_visit_descs(struct mbx_engine *eng, mbx_desc_visit_fn fn, void *arg)
{
	struct mbx_list *it, *next;
	int rc;

	for (it = eng->descs.next; it != &eng->descs; it = next) {
		struct mbx_desc *d = mbx_list_entry(it, struct mbx_desc, all_node);

		next = it->next;
		if (d->dead)
			continue;
		rc = fn(d, arg);
		if (rc)
			return rc;
	}
	return 0;
}

/* --- Self-check. --- */

struct mbx_check_sum {
	__u64 bytes, capacity;
	__u32 depth, handles, taps, tap_depth, waiters, active, fanout;
};

static int mbx_check_queue(const struct mbx_desc *d, struct mbx_check_sum *s)
{
	const struct mbx_list *it;
	__u32 bytes = 0, depth = 0;
	__s64 prev = -1;

	for (it = d->queue.next; it != &d->queue; it = it->next) {
		const struct mbx_msg *m = mbx_list_entry(it, struct mbx_msg, node);

		if ((__s64)m->seq <= prev || m->seq >= d->next_seq || !m->refs)
			return -1;
		prev = (__s64)m->seq;
		bytes += mbx_msg_cost(m);
		depth++;
	}
	if (bytes != d->bytes_used || depth != d->depth)
		return -2;
	s->bytes += bytes;
	s->depth += depth;
	return 0;
}

static int mbx_check_tap(const struct mbx_handle *h, struct mbx_check_sum *s)
{
	const struct mbx_list *it;
	__u32 bytes = 0, depth = 0;

	for (it = h->tap.entries.next; it != &h->tap.entries; it = it->next) {
		bytes += mbx_msg_cost(mbx_list_entry(it, struct mbx_tapent, node)->msg);
		depth++;
	}
	if (bytes != h->tap.bytes || depth != h->tap.depth || bytes > h->desc->capacity)
		return -3;
	s->taps++;
	s->tap_depth += depth;
	return 0;
}

static int mbx_check_handles(const struct mbx_desc *d, struct mbx_check_sum *s)
{
	const struct mbx_list *it;
	__u32 n = 0, taps = 0, waiters = 0, pins = 0;

	for (it = d->handles.next; it != &d->handles; it = it->next) {
		const struct mbx_handle *h = mbx_list_entry(it, struct mbx_handle, desc_node);

		if (h->desc != d || (h->is_tap && mbx_check_tap(h, s)))
			return -4;
		if (h->waiting && (h->is_tap || h->parked.msg))
			return -5;
		taps += h->is_tap;
		n++;
	}
	for (it = d->waiters.next; it != &d->waiters; it = it->next)
		waiters++;
	for (it = d->pins.next; it != &d->pins; it = it->next)
		pins++;
	if (n != d->nhandles || taps != d->ntaps || waiters != d->nwaiters)
		return -6;
	if (!d->dead && d->refs < n + pins)
		return -7;
	s->handles += n;
	s->waiters += waiters;
	return 0;
}

static int mbx_check_desc(const struct mbx_engine *eng, const struct mbx_desc *d,
			  struct mbx_check_sum *s)
{
	int rc = mbx_check_queue(d, s);

	if (rc)
		return rc;
	rc = mbx_check_handles(d, s);
	if (rc)
		return rc;
	if (d->dead)
		return d->depth || d->linked ? -8 : 0;
	if (mbx_desc_lookup_id((struct mbx_engine *)eng, d->id) != d)
		return -9;
	s->active++;
	s->capacity += d->capacity;
	s->fanout += mbx_is_fanout(d);
	return 0;
}

int mbx_engine_check(const struct mbx_engine *eng)
{
	struct mbx_check_sum s;
	const struct mbx_list *it;
	int rc;

	__builtin_memset(&s, 0, sizeof(s));
	for (it = eng->descs.next; it != &eng->descs; it = it->next) {
		rc = mbx_check_desc(eng, mbx_list_entry(it, struct mbx_desc, all_node), &s);
		if (rc)
			return rc;
	}
	if (s.bytes != eng->bytes_used || s.depth != eng->queue_depth)
		return -10;
	if (s.handles != eng->handles_total || s.taps != eng->tap_count ||
	    s.tap_depth != eng->tap_depth || s.waiters != eng->waiter_count)
		return -11;
	if (s.active != eng->active_descs || s.capacity != eng->total_capacity ||
	    s.fanout != eng->fanout_descs)
		return -12;
	return 0;
}
