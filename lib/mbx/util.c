// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DOC: Engine utilities
 *
 * Allocation through the host's allocator, event emission, and the small
 * chained hash table used for every lookup (pid -> task, key -> descriptor,
 * id -> descriptor, owner -> descriptors, (task, number) -> handle).  The
 * tables double when their load passes one entry per bucket; a failed
 * growth only lengthens the chains, it never fails the caller.
 */
#include "mbx_internal.h"

__u32 mbx_obj_size(enum mbx_obj_kind kind)
{
	switch (kind) {
	case MBX_OBJ_ENGINE:
		return sizeof(struct mbx_engine);
	case MBX_OBJ_TASK:
		return sizeof(struct mbx_task);
	case MBX_OBJ_DESC:
		return sizeof(struct mbx_desc);
	case MBX_OBJ_HANDLE:
		return sizeof(struct mbx_handle);
	case MBX_OBJ_MSG:
		return sizeof(struct mbx_msg);
	case MBX_OBJ_TAPENT:
		return sizeof(struct mbx_tapent);
	case MBX_OBJ_PIN:
		return sizeof(struct mbx_pin);
	default:
		return 0;
	}
}

void *mbx_zalloc(struct mbx_engine *eng, enum mbx_obj_kind kind, __u32 size)
{
	void *p = eng->ops->alloc(eng->host, kind, size);

	if (p)
		__builtin_memset(p, 0, size);
	return p;
}

void mbx_free(struct mbx_engine *eng, enum mbx_obj_kind kind, void *p, __u32 size)
{
	if (p)
		eng->ops->free(eng->host, kind, p, size);
}

void mbx_emit(struct mbx_engine *eng, struct mbx_event *ev)
{
	if (eng->ops->event)
		eng->ops->event(eng->host, ev);
}

void mbx_event_init(struct mbx_event *ev, enum mbx_event_type type, const struct mbx_handle *h,
		    const struct mbx_desc *d)
{
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->owner = MBX_NO_OWNER;
	if (h) {
		ev->pid = h->task->pid;
		ev->handle = h->number;
		d = h->desc;
	}
	if (d) {
		ev->descriptor = d->id;
		ev->ns = d->ns;
		ev->name = d->name;
		ev->owner = d->owner;
		ev->capacity = d->capacity;
		ev->bytes_used = d->bytes_used;
	}
}

void mbx_emit_error(struct mbx_engine *eng, struct mbx_task *t, __u32 fn, __u32 handle,
		    __u32 status)
{
	struct mbx_event ev;

	if (status == HSX_MBX_STATUS_OK || status == HSX_MBX_STATUS_WOULDBLOCK ||
	    status == HSX_MBX_STATUS_NO_DATA || status == HSX_MBX_STATUS_TIMEOUT)
		return;
	eng->errors++;
	mbx_event_init(&ev, MBX_EV_ERROR, 0, 0);
	ev.pid = t ? t->pid : 0;
	ev.fn = fn;
	ev.handle = handle;
	ev.status = status;
	mbx_emit(eng, &ev);
}

__u32 mbx_hash_u32(__u32 a, __u32 b)
{
	__u64 x = ((__u64)a << 32) | b;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return (__u32)x;
}

__u32 mbx_hash_key(__u32 ns, const char *name, __u32 owner)
{
	__u32 h = 2166136261u;

	while (*name) {
		h ^= (unsigned char)*name++;
		h *= 16777619u;
	}
	return mbx_hash_u32(h ^ ns, owner);
}

int mbx_htab_init(struct mbx_engine *eng, struct mbx_htab *tab, __u32 nbuckets)
{
	tab->buckets = mbx_zalloc(eng, MBX_OBJ_TABLE, nbuckets * sizeof(*tab->buckets));
	tab->nbuckets = tab->buckets ? nbuckets : 0;
	tab->count = 0;
	return tab->buckets ? 0 : -1;
}

void mbx_htab_fini(struct mbx_engine *eng, struct mbx_htab *tab)
{
	mbx_free(eng, MBX_OBJ_TABLE, tab->buckets, tab->nbuckets * sizeof(*tab->buckets));
	tab->buckets = 0;
	tab->nbuckets = 0;
}

static void mbx_htab_grow(struct mbx_engine *eng, struct mbx_htab *tab)
{
	__u32 n = tab->nbuckets * 2, i;
	struct mbx_hnode **nb, *node, *next;

	if (n > (1u << 26))
		return;
	nb = mbx_zalloc(eng, MBX_OBJ_TABLE, n * sizeof(*nb));
	if (!nb)
		return;
	for (i = 0; i < tab->nbuckets; i++) {
		for (node = tab->buckets[i]; node; node = next) {
			next = node->next;
			node->next = nb[node->hash & (n - 1)];
			nb[node->hash & (n - 1)] = node;
		}
	}
	mbx_htab_fini(eng, tab);
	tab->buckets = nb;
	tab->nbuckets = n;
}

void mbx_htab_add(struct mbx_engine *eng, struct mbx_htab *tab, struct mbx_hnode *n, __u32 hash)
{
	struct mbx_hnode **b;

	if (tab->count >= tab->nbuckets)
		mbx_htab_grow(eng, tab);
	b = &tab->buckets[hash & (tab->nbuckets - 1)];
	n->hash = hash;
	n->next = *b;
	*b = n;
	tab->count++;
}

void mbx_htab_del(struct mbx_htab *tab, struct mbx_hnode *n)
{
	struct mbx_hnode **pp = &tab->buckets[n->hash & (tab->nbuckets - 1)];

	while (*pp && *pp != n)
		pp = &(*pp)->next;
	if (!*pp)
		return;
	*pp = n->next;
	n->next = 0;
	tab->count--;
}

struct mbx_hnode *mbx_htab_bucket(const struct mbx_htab *tab, __u32 hash)
{
	return tab->buckets[hash & (tab->nbuckets - 1)];
}

int mbx_is_fanout(const struct mbx_desc *d)
{
	return (d->mode & MBX_FANOUT_BITS) != 0;
}

/*
 * The reference's policy/reason strings (section 1.8): one table for the
 * executive's events and hsx-trace alike.
 */
const char *mbx_reason_name(__u32 reason)
{
	static const char *const names[] = {
		[MBX_REASON_NONE] = "none",
		[MBX_REASON_SINGLE] = "single",
		[MBX_REASON_FANOUT_BLOCK] = "fanout_block",
		[MBX_REASON_FANOUT_DROP] = "fanout_drop",
		[MBX_REASON_TAP_RATE_LIMIT] = "tap_rate_limit",
		[MBX_REASON_TAP_FULL] = "tap_full",
		[MBX_REASON_DESCRIPTOR_POOL_FULL] = "descriptor_pool_full",
		[MBX_REASON_HANDLE_LIMIT] = "handle_limit",
		[MBX_REASON_BYTE_CAP] = "byte_cap",
		[MBX_REASON_HOST_QUOTA] = "host_quota",
	};

	return reason < MBX_ARRAY_SIZE(names) && names[reason] ? names[reason] : "unknown";
}

const char *mbx_status_name(__u32 status)
{
	switch (status) {
	case HSX_MBX_STATUS_OK:
		return "OK";
	case HSX_MBX_STATUS_WOULDBLOCK:
		return "WOULDBLOCK";
	case HSX_MBX_STATUS_INVALID_HANDLE:
		return "INVALID_HANDLE";
	case HSX_MBX_STATUS_NO_DATA:
		return "NO_DATA";
	case HSX_MBX_STATUS_MSG_TOO_LARGE:
		return "MSG_TOO_LARGE";
	case HSX_MBX_STATUS_NO_DESCRIPTOR:
		return "NO_DESCRIPTOR";
	case HSX_MBX_STATUS_TIMEOUT:
		return "TIMEOUT";
	case HSX_MBX_STATUS_PERMISSION_DENIED:
		return "PERMISSION_DENIED";
	case HSX_MBX_STATUS_INVALID_ARGUMENT:
		return "INVALID_ARGUMENT";
	case HSX_MBX_STATUS_DESTROYED:
		return "DESTROYED";
	case HSX_MBX_STATUS_INTERNAL_ERROR:
		return "INTERNAL_ERROR";
	default:
		return "UNKNOWN";
	}
}
