// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DOC: Handles
 *
 * A handle is a per-task number naming an open descriptor.  Numbers come
 * from a per-task counter starting at 1 (so a registered task's stdio is
 * 1-3 and its first own handle 4) and are not reused before the u32
 * counter wraps; closing frees quota, not the number.  After a wrap the
 * counter skips 0 and the numbers still open.  Handles live in one engine-wide hash keyed by
 * (task uid, number), so lookups stay O(1) with thousands of tasks.
 *
 * Access (deviation 3): a handle may do what it asked for (0 = RDWR)
 * intersected with what the descriptor grants.  The descriptor's owner
 * task always gets RDWR; everybody else gets mode & RDWR (0 = RDWR).
 *
 * Closing a handle leaves the wait list, drops a tap buffer, and puts a
 * single-reader message that was parked for it back at the queue head
 * (then hands it to the next waiter), so closing never loses data.
 */
#include "mbx_internal.h"

static __u32 mbx_handle_hash(const struct mbx_task *t, __u32 number)
{
	return mbx_hash_u32(t->uid, number);
}

struct mbx_handle *mbx_handle_find(struct mbx_engine *eng, struct mbx_task *t, __u32 number)
{
	struct mbx_hnode *n;

	if (!t)
		return 0;
	n = mbx_htab_bucket(&eng->handles, mbx_handle_hash(t, number));
	for (; n; n = n->next) {
		struct mbx_handle *h = mbx_container_of(n, struct mbx_handle, hnode);

		if (h->task == t && h->number == number)
			return h;
	}
	return 0;
}

struct mbx_handle *mbx_handle_lookup(struct mbx_engine *eng, struct mbx_task *t, __u32 handle)
{
	return mbx_handle_find(eng, t, handle);
}

/* Fresh cursor: fan-out readers skip what is already queued. */
void mbx_handle_reset_cursor(struct mbx_handle *h)
{
	h->last_seq = mbx_is_fanout(h->desc) ? (__s64)h->desc->next_seq - 1 : -1;
	h->pending_overrun = 0;
	h->is_sender = 0;
}

/* Fan-out readers: handles that may read, are no tap and did not just send. */
int mbx_handle_is_reader(const struct mbx_handle *h)
{
	return !h->is_tap && !h->is_sender && (h->access & HSX_MBX_MODE_RDONLY);
}

static __u32 mbx_allowed_access(const struct mbx_task *t, const struct mbx_desc *d)
{
	__u32 m = d->mode & HSX_MBX_MODE_RDWR;

	if (d->owner != MBX_NO_OWNER && t->pid == d->owner)
		return HSX_MBX_MODE_RDWR;
	return m ? m : HSX_MBX_MODE_RDWR;
}

static __u32 mbx_check_quota(struct mbx_engine *eng, struct mbx_task *t)
{
	__u32 limit = eng->cfg.handles_per_pid;
	struct mbx_event ev;

	if (!limit || t->nhandles < limit)
		return HSX_MBX_STATUS_OK;
	eng->exhausted++;
	mbx_event_init(&ev, MBX_EV_EXHAUSTED, 0, 0);
	ev.reason = MBX_REASON_HANDLE_LIMIT;
	ev.pid = t->pid;
	ev.limit = limit;
	ev.handles = t->nhandles;
	mbx_emit(eng, &ev);
	return HSX_MBX_STATUS_NO_DESCRIPTOR;
}

static void mbx_handle_link(struct mbx_engine *eng, struct mbx_handle *h)
{
	struct mbx_task *t = h->task;
	struct mbx_desc *d = h->desc;

	mbx_htab_add(eng, &eng->handles, &h->hnode, mbx_handle_hash(t, h->number));
	mbx_list_add_tail(&h->task_node, &t->handles);
	mbx_list_add_tail(&h->desc_node, &d->handles);
	t->nhandles++;
	d->nhandles++;
	eng->handles_total++;
	mbx_desc_ref(d);
}

/* Like descriptor ids: a wrapped counter skips 0 and live numbers. */
static __u32 mbx_handle_next_number(struct mbx_engine *eng, struct mbx_task *t)
{
	__u32 n;

	do
		n = t->next_handle++;
	while (!n || mbx_handle_find(eng, t, n));
	return n;
}

__u32 mbx_handle_create(struct mbx_engine *eng, struct mbx_task *t, struct mbx_desc *d,
			__u32 access, __u32 *number)
{
	struct mbx_handle *h;
	__u32 st;

	if (access & ~HSX_MBX_MODE_RDWR)
		return HSX_MBX_STATUS_INVALID_ARGUMENT;
	access = (access ? access : HSX_MBX_MODE_RDWR) & mbx_allowed_access(t, d);
	if (!access)
		return HSX_MBX_STATUS_PERMISSION_DENIED;
	st = mbx_check_quota(eng, t);
	if (st)
		return st;
	h = mbx_zalloc(eng, MBX_OBJ_HANDLE, sizeof(*h));
	if (!h)
		return HSX_MBX_STATUS_INTERNAL_ERROR;
	mbx_list_init(&h->wait_node);
	mbx_list_init(&h->tap.node);
	mbx_list_init(&h->tap.entries);
	h->task = t;
	h->desc = d;
	h->access = access;
	h->number = mbx_handle_next_number(eng, t);
	mbx_handle_reset_cursor(h);
	mbx_handle_link(eng, h);
	*number = h->number;
	return HSX_MBX_STATUS_OK;
}

/* Give a parked message back: single-reader data returns to the head. */
static int mbx_handle_unpark(struct mbx_engine *eng, struct mbx_handle *h)
{
	struct mbx_msg *m = h->parked.msg;
	struct mbx_desc *d = h->desc;

	if (!m)
		return 0;
	h->parked.msg = 0;
	if (d->dead || !h->parked.exclusive) {
		mbx_msg_put(eng, m);
		return 0;
	}
	d->received--;
	eng->received--;
	mbx_queue_requeue(eng, d, m);
	return 1;
}

void mbx_handle_destroy(struct mbx_engine *eng, struct mbx_handle *h)
{
	struct mbx_desc *d = h->desc;
	int requeued;

	mbx_wait_leave(eng, h);
	requeued = mbx_handle_unpark(eng, h);
	mbx_tap_detach(eng, h);
	mbx_htab_del(&eng->handles, &h->hnode);
	mbx_list_del(&h->task_node);
	mbx_list_del(&h->desc_node);
	h->task->nhandles--;
	d->nhandles--;
	eng->handles_total--;
	if (eng->ops->handle_closed)
		eng->ops->handle_closed(eng->host, h);
	mbx_free(eng, MBX_OBJ_HANDLE, h, sizeof(*h));
	if (!d->dead) {
		mbx_queue_reclaim(eng, d);
		if (requeued) {
			mbx_handoff(eng, d);
			mbx_desc_readable(eng, d);
		}
	}
	mbx_desc_unref(eng, d);
}

__u32 mbx_open(struct mbx_engine *eng, struct mbx_task *t, const char *target, __u32 len,
	       __u32 access, __u32 *handle)
{
	struct mbx_target tg;
	struct mbx_desc *d = 0;
	__u32 st;

	st = mbx_target_parse(&tg, target, len, t->pid);
	if (!st)
		st = mbx_desc_resolve(eng, &tg, &d);
	if (!st)
		st = mbx_handle_create(eng, t, d, access, handle);
	if (st && d)
		mbx_desc_maybe_release(eng, d);
	mbx_emit_error(eng, t, HSX_MBX_FN_OPEN, 0, st);
	return st;
}

__u32 mbx_open_desc(struct mbx_engine *eng, struct mbx_task *t, struct mbx_desc *d, __u32 access,
		    __u32 *handle)
{
	__u32 st = d->dead ? HSX_MBX_STATUS_DESTROYED :
			     mbx_handle_create(eng, t, d, access, handle);

	mbx_emit_error(eng, t, HSX_MBX_FN_OPEN, 0, st);
	return st;
}

__u32 mbx_close(struct mbx_engine *eng, struct mbx_task *t, __u32 handle)
{
	struct mbx_handle *h = mbx_handle_find(eng, t, handle);

	if (!h) {
		mbx_emit_error(eng, t, HSX_MBX_FN_CLOSE, handle, HSX_MBX_STATUS_INVALID_HANDLE);
		return HSX_MBX_STATUS_INVALID_HANDLE;
	}
	mbx_handle_destroy(eng, h);
	return HSX_MBX_STATUS_OK;
}

void *mbx_handle_host(const struct mbx_handle *h)
{
	return h->host_priv;
}

void mbx_handle_set_host(struct mbx_handle *h, void *host_priv)
{
	h->host_priv = host_priv;
}

__u32 mbx_handle_number(const struct mbx_handle *h)
{
	return h->number;
}

struct mbx_task *mbx_handle_task(const struct mbx_handle *h)
{
	return h->task;
}

struct mbx_desc *mbx_handle_desc(const struct mbx_handle *h)
{
	return h->desc;
}

int mbx_handle_is_tap(const struct mbx_handle *h)
{
	return h->is_tap;
}

__u32 mbx_handle_refusal(const struct mbx_handle *h)
{
	return h->refusal;
}

__u32 mbx_handle_access(const struct mbx_handle *h)
{
	return h->access;
}
