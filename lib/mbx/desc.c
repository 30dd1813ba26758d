// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DOC: Descriptors
 *
 * A descriptor is keyed by (namespace, name, owner) and numbered from 1
 * upward, never reusing an id.  BIND creates it or reconfigures it: a new
 * capacity trims the queue from the head, a non-zero mode re-initialises
 * every handle's cursor (reference section 1.4).  BIND also leaves a pin,
 * one per (task, descriptor), that keeps the descriptor alive until the
 * task unbinds it or goes away.
 *
 * Lifetime (deviation 2): handles, pins and host references count.  When
 * the count drops to zero and no message is queued the descriptor is
 * destroyed; descriptors owned by a registered task (pid:N, svc:x@N,
 * app:x@N) are destroyed with the task.  Destroying unlinks the descriptor
 * from every lookup (a later bind creates a new one with a new id), drops
 * its queue, pins and tap buffers, wakes its waiters and tells the host;
 * the memory goes when the last handle or host reference does.
 */
#include "mbx_internal.h"

static __u32 mbx_owner_hash(__u32 owner)
{
	return mbx_hash_u32(owner, 0x6f776e72u);
}

static int mbx_name_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

struct mbx_desc *mbx_desc_find(struct mbx_engine *eng, const struct mbx_target *tg)
{
	__u32 hash = mbx_hash_key(tg->ns, tg->name, tg->owner);
	struct mbx_hnode *n = mbx_htab_bucket(&eng->desc_by_key, hash);

	for (; n; n = n->next) {
		struct mbx_desc *d = mbx_container_of(n, struct mbx_desc, key_node);

		if (d->ns == tg->ns && d->owner == tg->owner && mbx_name_eq(d->name, tg->name))
			return d;
	}
	return 0;
}

struct mbx_desc *mbx_desc_lookup(struct mbx_engine *eng, const struct mbx_target *tg)
{
	return mbx_desc_find(eng, tg);
}

struct mbx_desc *mbx_desc_lookup_id(struct mbx_engine *eng, __u32 id)
{
	struct mbx_hnode *n = mbx_htab_bucket(&eng->desc_by_id, mbx_hash_u32(id, 0));

	for (; n; n = n->next) {
		struct mbx_desc *d = mbx_container_of(n, struct mbx_desc, id_node);

		if (d->id == id)
			return d;
	}
	return 0;
}

static void mbx_desc_set_fanout_count(struct mbx_engine *eng, struct mbx_desc *d, __u32 new_mode)
{
	int was = mbx_is_fanout(d), will = (new_mode & MBX_FANOUT_BITS) != 0;

	if (was && !will)
		eng->fanout_descs--;
	else if (!was && will)
		eng->fanout_descs++;
	d->mode = new_mode;
}

static void mbx_desc_link(struct mbx_engine *eng, struct mbx_desc *d)
{
	mbx_htab_add(eng, &eng->desc_by_key, &d->key_node, mbx_hash_key(d->ns, d->name, d->owner));
	mbx_htab_add(eng, &eng->desc_by_id, &d->id_node, mbx_hash_u32(d->id, 0));
	if (d->owner != MBX_NO_OWNER && d->owner != 0) {
		mbx_htab_add(eng, &eng->desc_by_owner, &d->owner_node, mbx_owner_hash(d->owner));
		d->owned = 1;
	}
	mbx_list_add_tail(&d->all_node, &eng->descs);
	d->linked = 1;
	eng->active_descs++;
	eng->total_capacity += d->capacity;
}

static void mbx_desc_unlink(struct mbx_engine *eng, struct mbx_desc *d)
{
	mbx_htab_del(&eng->desc_by_key, &d->key_node);
	mbx_htab_del(&eng->desc_by_id, &d->id_node);
	if (d->owned)
		mbx_htab_del(&eng->desc_by_owner, &d->owner_node);
	d->owned = 0;
	d->linked = 0;
	eng->active_descs--;
	eng->total_capacity -= d->capacity;
	mbx_desc_set_fanout_count(eng, d, d->mode & ~MBX_FANOUT_BITS);
}

static void mbx_desc_event(struct mbx_engine *eng, struct mbx_desc *d, enum mbx_event_type type)
{
	struct mbx_event ev;

	mbx_event_init(&ev, type, 0, d);
	ev.flags = d->mode;
	mbx_emit(eng, &ev);
}

static __u32 mbx_create_refused(struct mbx_engine *eng, const struct mbx_target *tg,
				enum mbx_reason why, __u32 limit)
{
	struct mbx_event ev;

	eng->exhausted++;
	if (why == MBX_REASON_DESCRIPTOR_POOL_FULL)
		eng->pool_exhausted++;
	mbx_event_init(&ev, MBX_EV_EXHAUSTED, 0, 0);
	ev.reason = why;
	ev.ns = tg->ns;
	ev.name = tg->name;
	ev.owner = tg->owner;
	ev.limit = limit;
	mbx_emit(eng, &ev);
	return HSX_MBX_STATUS_NO_DESCRIPTOR;
}

/* The host may refuse a descriptor (quota, or no memory for its state). */
static __u32 mbx_host_admit(struct mbx_engine *eng, const struct mbx_target *tg, struct mbx_desc *d)
{
	__u32 st = eng->ops->desc_created ? eng->ops->desc_created(eng->host, d) : 0;

	if (st == HSX_MBX_STATUS_NO_DESCRIPTOR)
		mbx_create_refused(eng, tg, MBX_REASON_HOST_QUOTA, 0);
	return st;
}

static __u32 mbx_desc_create(struct mbx_engine *eng, const struct mbx_target *tg, __u32 capacity,
			     __u32 mode, struct mbx_desc **out)
{
	struct mbx_desc *d;
	__u32 st;

	if (eng->cfg.max_descriptors && eng->active_descs >= eng->cfg.max_descriptors)
		return mbx_create_refused(eng, tg, MBX_REASON_DESCRIPTOR_POOL_FULL,
					  eng->cfg.max_descriptors);
	d = mbx_zalloc(eng, MBX_OBJ_DESC, sizeof(*d));
	if (!d)
		return HSX_MBX_STATUS_INTERNAL_ERROR;
	mbx_list_init(&d->queue);
	mbx_list_init(&d->handles);
	mbx_list_init(&d->waiters);
	mbx_list_init(&d->taps);
	mbx_list_init(&d->pins);
	d->id = eng->next_desc_id++;
	d->ns = tg->ns;
	d->owner = tg->owner;
	__builtin_memcpy(d->name, tg->name, sizeof(d->name));
	d->capacity = capacity ? capacity : eng->cfg.default_capacity;
	mbx_desc_set_fanout_count(eng, d, mode);
	st = mbx_host_admit(eng, tg, d);
	if (st) {
		mbx_desc_set_fanout_count(eng, d, 0);
		mbx_free(eng, MBX_OBJ_DESC, d, sizeof(*d));
		return st;
	}
	mbx_desc_link(eng, d);
	mbx_desc_event(eng, d, MBX_EV_DESC_CREATE);
	*out = d;
	return HSX_MBX_STATUS_OK;
}

__u32 mbx_desc_resolve(struct mbx_engine *eng, const struct mbx_target *tg, struct mbx_desc **out)
{
	*out = mbx_desc_find(eng, tg);
	if (*out)
		return HSX_MBX_STATUS_OK;
	return mbx_desc_create(eng, tg, 0, 0, out);
}

static void mbx_desc_free(struct mbx_engine *eng, struct mbx_desc *d)
{
	mbx_list_del(&d->all_node);
	mbx_free(eng, MBX_OBJ_DESC, d, sizeof(*d));
}

void mbx_desc_ref(struct mbx_desc *d)
{
	d->refs++;
}

void mbx_desc_unref(struct mbx_engine *eng, struct mbx_desc *d)
{
	if (--d->refs)
		return;
	if (d->dead)
		mbx_desc_free(eng, d);
	else
		mbx_desc_maybe_release(eng, d);
}

void mbx_desc_get(struct mbx_desc *d)
{
	mbx_desc_ref(d);
}

void mbx_desc_put(struct mbx_engine *eng, struct mbx_desc *d)
{
	mbx_desc_unref(eng, d);
}

/* Unreferenced and empty: nothing can reach it or lose data with it. */
void mbx_desc_maybe_release(struct mbx_engine *eng, struct mbx_desc *d)
{
	if (!d->dead && !d->refs && !d->depth)
		mbx_desc_destroy(eng, d);
}

void mbx_pin_drop(struct mbx_engine *eng, struct mbx_pin *p)
{
	struct mbx_desc *d = p->desc;

	mbx_list_del(&p->task_node);
	mbx_list_del(&p->desc_node);
	mbx_free(eng, MBX_OBJ_PIN, p, sizeof(*p));
	mbx_desc_unref(eng, d);
}

/*
 * Taps keep the copies they already hold (no new ones can arrive on a dead
 * descriptor): `cat` on a task's stdout still prints the task's last words
 * after the task is torn down, then sees end of file.  The copies go when
 * the tap handle closes.  Waiters are woken to find DESTROYED.
 */
static void mbx_desc_release_handles(struct mbx_engine *eng, struct mbx_desc *d)
{
	struct mbx_list *it;

	for (it = d->handles.next; it != &d->handles; it = it->next) {
		struct mbx_handle *h = mbx_list_entry(it, struct mbx_handle, desc_node);

		if (h->is_tap && eng->ops->tap_ready)
			eng->ops->tap_ready(eng->host, h);
	}
	while (!mbx_list_empty(&d->waiters)) {
		struct mbx_handle *h =
			mbx_list_entry(d->waiters.next, struct mbx_handle, wait_node);

		mbx_wait_leave(eng, h);
		if (eng->ops->wake)
			eng->ops->wake(eng->host, h);
	}
}

void mbx_desc_destroy(struct mbx_engine *eng, struct mbx_desc *d)
{
	if (d->dead)
		return;
	mbx_desc_ref(d); /* dropping pins must not free it under us */
	d->dead = 1;
	mbx_desc_unlink(eng, d);
	while (!mbx_list_empty(&d->pins))
		mbx_pin_drop(eng, mbx_list_entry(d->pins.next, struct mbx_pin, desc_node));
	mbx_queue_purge(eng, d);
	mbx_desc_release_handles(eng, d);
	mbx_desc_event(eng, d, MBX_EV_DESC_DESTROY);
	if (eng->ops->desc_destroyed)
		eng->ops->desc_destroyed(eng->host, d);
	mbx_desc_unref(eng, d);
}

/* Destroy every descriptor owned by pid (task teardown). */
void mbx_desc_destroy_owned(struct mbx_engine *eng, __u32 pid)
{
	struct mbx_hnode *n;

restart:
	n = mbx_htab_bucket(&eng->desc_by_owner, mbx_owner_hash(pid));
	for (; n; n = n->next) {
		struct mbx_desc *d = mbx_container_of(n, struct mbx_desc, owner_node);

		if (d->owner == pid) {
			mbx_desc_destroy(eng, d);
			goto restart;
		}
	}
}

/* Engine teardown: every task is gone, only host references may remain. */
void mbx_desc_free_all(struct mbx_engine *eng)
{
	while (!mbx_list_empty(&eng->descs)) {
		struct mbx_desc *d = mbx_list_entry(eng->descs.next, struct mbx_desc, all_node);

		d->refs++;
		mbx_desc_destroy(eng, d);
		mbx_desc_free(eng, d);
	}
}

void mbx_desc_apply_mode(struct mbx_engine *eng, struct mbx_desc *d, __u32 mode)
{
	struct mbx_list *it;

	mbx_desc_set_fanout_count(eng, d, mode);
	for (it = d->handles.next; it != &d->handles; it = it->next)
		mbx_handle_reset_cursor(mbx_list_entry(it, struct mbx_handle, desc_node));
	mbx_queue_reclaim(eng, d);
	mbx_queue_enforce_capacity(eng, d);
}

static void mbx_desc_set_capacity(struct mbx_engine *eng, struct mbx_desc *d, __u32 capacity)
{
	eng->total_capacity -= d->capacity;
	d->capacity = capacity;
	eng->total_capacity += capacity;
	mbx_queue_enforce_capacity(eng, d);
	mbx_tap_enforce_capacity(eng, d);
}

static __u32 mbx_pin(struct mbx_engine *eng, struct mbx_task *t, struct mbx_desc *d)
{
	struct mbx_list *it;
	struct mbx_pin *p;

	for (it = d->pins.next; it != &d->pins; it = it->next)
		if (mbx_list_entry(it, struct mbx_pin, desc_node)->task == t)
			return HSX_MBX_STATUS_OK;
	p = mbx_zalloc(eng, MBX_OBJ_PIN, sizeof(*p));
	if (!p)
		return HSX_MBX_STATUS_INTERNAL_ERROR;
	p->task = t;
	p->desc = d;
	mbx_list_add_tail(&p->task_node, &t->pins);
	mbx_list_add_tail(&p->desc_node, &d->pins);
	mbx_desc_ref(d);
	return HSX_MBX_STATUS_OK;
}

static __u32 mbx_bind_target(struct mbx_engine *eng, struct mbx_task *t,
			     const struct mbx_target *tg, __u32 capacity, __u32 mode, __u32 *id)
{
	struct mbx_desc *d = mbx_desc_find(eng, tg);
	__u32 st;

	if (!d) {
		st = mbx_desc_create(eng, tg, capacity, mode, &d);
		if (st)
			return st;
	} else {
		if (capacity && capacity != d->capacity)
			mbx_desc_set_capacity(eng, d, capacity);
		if (mode)
			mbx_desc_apply_mode(eng, d, mode);
	}
	st = mbx_pin(eng, t, d);
	if (st) {
		mbx_desc_maybe_release(eng, d);
		return st;
	}
	if (id)
		*id = d->id;
	return HSX_MBX_STATUS_OK;
}

__u32 mbx_bind(struct mbx_engine *eng, struct mbx_task *t, const char *target, __u32 len,
	       __u32 capacity, __u32 mode, __u32 *descriptor_id)
{
	struct mbx_target tg;
	__u32 st;

	st = mbx_target_parse(&tg, target, len, t->pid);
	if (!st && (capacity > HSX_MBX_MAX_CAPACITY || (mode & ~MBX_MODE_VALID)))
		st = HSX_MBX_STATUS_INVALID_ARGUMENT;
	if (!st)
		st = mbx_bind_target(eng, t, &tg, capacity, mode, descriptor_id);
	mbx_emit_error(eng, t, HSX_MBX_FN_BIND, 0, st);
	return st;
}

static struct mbx_pin *mbx_pin_find(struct mbx_desc *d, struct mbx_task *t)
{
	struct mbx_list *it;

	for (it = d->pins.next; it != &d->pins; it = it->next) {
		struct mbx_pin *p = mbx_list_entry(it, struct mbx_pin, desc_node);

		if (p->task == t)
			return p;
	}
	return 0;
}

__u32 mbx_unbind(struct mbx_engine *eng, struct mbx_task *t, const char *target, __u32 len,
		 int force)
{
	struct mbx_target tg;
	struct mbx_desc *d;
	struct mbx_pin *p;
	__u32 st = mbx_target_parse(&tg, target, len, t->pid);

	if (st)
		return st;
	d = mbx_desc_find(eng, &tg);
	if (!d)
		return HSX_MBX_STATUS_NO_DESCRIPTOR;
	p = mbx_pin_find(d, t);
	if (!p && !force)
		return HSX_MBX_STATUS_INVALID_ARGUMENT;
	mbx_desc_ref(d);
	if (p)
		mbx_pin_drop(eng, p);
	if (force)
		mbx_desc_destroy(eng, d);
	mbx_desc_unref(eng, d);
	return HSX_MBX_STATUS_OK;
}

static const char *const mbx_stdio_names[3] = { "stdio.in", "stdio.out", "stdio.err" };

__u32 mbx_stdio_default_mode(const struct mbx_engine *eng, __u32 stream)
{
	return stream < 3 ? eng->stdio_mode[stream] : 0;
}

static int mbx_stdio_stream(const struct mbx_desc *d, __u32 mask)
{
	__u32 i;

	if (d->dead || d->ns != HSX_MBX_NAMESPACE_SVC)
		return 0;
	for (i = 0; i < 3; i++)
		if ((mask & (1u << i)) && mbx_name_eq(d->name, mbx_stdio_names[i]))
			return 1;
	return 0;
}

__u32 mbx_set_stdio_mode(struct mbx_engine *eng, __u32 stream_mask, __u32 mode, int update_existing)
{
	struct mbx_list *it;
	__u32 i;

	if (!stream_mask || (stream_mask & ~MBX_STDIO_ALL) || (mode & ~MBX_MODE_VALID))
		return HSX_MBX_STATUS_INVALID_ARGUMENT;
	for (i = 0; i < 3; i++)
		if (stream_mask & (1u << i))
			eng->stdio_mode[i] = mode ? mode : HSX_MBX_MODE_RDWR;
	if (!update_existing)
		return HSX_MBX_STATUS_OK;
	for (it = eng->descs.next; it != &eng->descs; it = it->next) {
		struct mbx_desc *d = mbx_list_entry(it, struct mbx_desc, all_node);

		if (mbx_stdio_stream(d, stream_mask))
			mbx_desc_apply_mode(eng, d, mode ? mode : HSX_MBX_MODE_RDWR);
	}
	return HSX_MBX_STATUS_OK;
}

void *mbx_desc_host(const struct mbx_desc *d)
{
	return d->host_priv;
}

void mbx_desc_set_host(struct mbx_desc *d, void *host_priv)
{
	d->host_priv = host_priv;
}

__u32 mbx_desc_id(const struct mbx_desc *d)
{
	return d->id;
}

__u32 mbx_desc_ns(const struct mbx_desc *d)
{
	return d->ns;
}

const char *mbx_desc_name(const struct mbx_desc *d)
{
	return d->name;
}

__u32 mbx_desc_owner(const struct mbx_desc *d)
{
	return d->owner;
}

int mbx_desc_is_dead(const struct mbx_desc *d)
{
	return d->dead;
}

__u32 mbx_desc_mode(const struct mbx_desc *d)
{
	return d->mode;
}

__u32 mbx_desc_capacity(const struct mbx_desc *d)
{
	return d->capacity;
}
