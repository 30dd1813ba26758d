/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * DOC: Engine internals
 *
 * Private object layouts and helpers shared by the lib/mbx files.  Nothing
 * here is part of the host API; hosts use the accessors in mbx.h.
 *
 * Lifetimes.  A descriptor holds one reference per open handle, per bind
 * pin and per host reference (mbx_desc_get).  A live descriptor whose
 * references drop to zero is destroyed once its queue is empty too
 * (queued messages keep it alive so nothing is lost silently); a destroyed
 * descriptor is freed when its last reference goes.  Messages are
 * reference counted; the queue, each parked slot, each tap entry and each
 * recv result hold one.
 *
 * Sequence numbers are kept as 64-bit internally so that "last seen" can
 * start at -1 and comparisons never wrap; the ABI reports the low 32 bits.
 */
#ifndef HSX_LIB_MBX_INTERNAL_H
#define HSX_LIB_MBX_INTERNAL_H

#include "mbx.h"

#define MBX_ARRAY_SIZE(arr) (sizeof(arr) / sizeof((arr)[0]))

#define mbx_container_of(ptr, type, member) \
	((type *)((char *)(ptr) - __builtin_offsetof(type, member)))

#define MBX_MSG_HDR_COST 8u
#define MBX_PIPE_BUF 4096u /* POSIX PIPE_BUF, for writability */
#define MBX_NS_PER_SEC 1000000000ull
#define MBX_FANOUT_BITS (HSX_MBX_MODE_FANOUT | HSX_MBX_MODE_FANOUT_DROP | HSX_MBX_MODE_FANOUT_BLOCK)
#define MBX_MODE_VALID 0x3Fu

/* --- Intrusive circular doubly linked list. --- */
struct mbx_list {
	struct mbx_list *next, *prev;
};

static inline void mbx_list_init(struct mbx_list *l)
{
	l->next = l;
	l->prev = l;
}

static inline int mbx_list_empty(const struct mbx_list *l)
{
	return l->next == l;
}

static inline void mbx_list_insert(struct mbx_list *n, struct mbx_list *prev, struct mbx_list *next)
{
	n->prev = prev;
	n->next = next;
	prev->next = n;
	next->prev = n;
}

static inline void mbx_list_add_tail(struct mbx_list *n, struct mbx_list *head)
{
	mbx_list_insert(n, head->prev, head);
}

static inline void mbx_list_add_head(struct mbx_list *n, struct mbx_list *head)
{
	mbx_list_insert(n, head, head->next);
}

static inline void mbx_list_del(struct mbx_list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	mbx_list_init(n);
}

/* Node is linked iff it does not point at itself (after mbx_list_init). */
static inline int mbx_list_linked(const struct mbx_list *n)
{
	return n->next != n;
}

#define mbx_list_entry(ptr, type, member) mbx_container_of(ptr, type, member)

/* --- Chained hash table; buckets come from ops->alloc(MBX_OBJ_TABLE). --- */
struct mbx_hnode {
	struct mbx_hnode *next;
	__u32 hash;
};

struct mbx_htab {
	struct mbx_hnode **buckets;
	__u32 nbuckets; /* power of two */
	__u32 count;
};

/* --- Objects. --- */
struct mbx_msg {
	struct mbx_list node; /* in a descriptor queue (at most one) */
	__u64 seq;
	__u32 refs;
	__u32 len;
	__u32 flags;
	__u32 channel;
	__u32 src_pid;
	__u32 pad;
	unsigned char payload[];
};

struct mbx_tapent {
	struct mbx_list node;
	struct mbx_msg *msg;
};

struct mbx_pin {
	struct mbx_list task_node;
	struct mbx_list desc_node;
	struct mbx_task *task;
	struct mbx_desc *desc;
};

/* A message handed to a waiter, waiting for the waiter's next mbx_recv. */
struct mbx_parked {
	struct mbx_msg *msg;
	__u32 flags;
	__u32 exclusive; /* popped from a single-reader queue */
};

struct mbx_tap_state {
	struct mbx_list node; /* in desc->taps */
	struct mbx_list entries; /* struct mbx_tapent, oldest first */
	__u32 bytes;
	__u32 depth;
	__u64 window_start;
	__u32 window_count;
	__u32 pending_overrun;
	__u64 delivered;
	__u64 missed;
};

struct mbx_handle {
	struct mbx_hnode hnode; /* eng->handles, key (task uid, number) */
	struct mbx_list task_node; /* task->handles */
	struct mbx_list desc_node; /* desc->handles */
	struct mbx_list wait_node; /* desc->waiters when waiting */
	struct mbx_task *task;
	struct mbx_desc *desc;
	void *host_priv;
	__u32 number;
	__u32 access; /* HSX_MBX_MODE_RDONLY/WRONLY bits */
	__s64 last_seq;
	__u8 waiting;
	__u8 is_sender;
	__u8 is_tap;
	__u8 pending_overrun;
	__u32 out_cost; /* cost of the last send attempted, 0 = none yet */
	__u32 refusal; /* enum mbx_reason of the last WOULDBLOCK */
	struct mbx_parked parked;
	struct mbx_tap_state tap;
};

struct mbx_desc {
	struct mbx_hnode key_node; /* eng->desc_by_key */
	struct mbx_hnode id_node; /* eng->desc_by_id */
	struct mbx_hnode owner_node; /* eng->desc_by_owner (owned only) */
	struct mbx_list all_node; /* eng->descs, id order, live and dead */
	struct mbx_list queue; /* struct mbx_msg, head first */
	struct mbx_list handles;
	struct mbx_list waiters;
	struct mbx_list taps;
	struct mbx_list pins;
	void *host_priv;
	__u64 next_seq;
	__u64 sent, received, dropped, overruns, backpressure;
	__u32 id, ns, owner, mode, capacity, bytes_used, depth;
	__u32 refs, nhandles, nwaiters, ntaps;
	__u8 dead;
	__u8 linked; /* in the lookup tables */
	__u8 owned; /* in desc_by_owner */
	char name[HSX_MBX_MAX_NAME_BYTES + 1];
};

struct mbx_task {
	struct mbx_hnode pid_node; /* eng->tasks_by_pid (registered only) */
	struct mbx_list all_node; /* eng->tasks */
	struct mbx_list handles;
	struct mbx_list pins;
	__u32 pid;
	__u32 uid; /* engine-unique, keys the handle table */
	__u32 next_handle;
	__u32 nhandles;
	__u8 registered;
	struct mbx_task_counters counters;
};

struct mbx_engine {
	struct mbx_config cfg;
	const struct mbx_ops *ops;
	void *host;
	struct mbx_htab tasks_by_pid;
	struct mbx_htab desc_by_key;
	struct mbx_htab desc_by_id;
	struct mbx_htab desc_by_owner;
	struct mbx_htab handles;
	struct mbx_list tasks;
	struct mbx_list descs;
	__u32 next_desc_id;
	__u32 next_task_uid;
	__u32 stdio_mode[3];
	__u32 active_descs;
	__u32 fanout_descs;
	__u32 ntasks;
	__u32 handles_total;
	__u32 tap_count;
	__u32 tap_depth;
	__u32 waiter_count;
	__u32 queue_depth;
	__u32 pool_exhausted;
	__u64 total_capacity;
	__u64 bytes_used;
	__u64 sent, received, dropped, overruns, backpressure;
	__u64 exhausted, errors, truncated;
};

/* util.c: allocation, events, hashing. */
void *mbx_zalloc(struct mbx_engine *eng, enum mbx_obj_kind kind, __u32 size);
void mbx_free(struct mbx_engine *eng, enum mbx_obj_kind kind, void *p, __u32 size);
void mbx_emit(struct mbx_engine *eng, struct mbx_event *ev);
void mbx_event_init(struct mbx_event *ev, enum mbx_event_type type, const struct mbx_handle *h,
		    const struct mbx_desc *d);
void mbx_emit_error(struct mbx_engine *eng, struct mbx_task *t, __u32 fn, __u32 handle,
		    __u32 status);
__u32 mbx_hash_u32(__u32 a, __u32 b);
__u32 mbx_hash_key(__u32 ns, const char *name, __u32 owner);
int mbx_htab_init(struct mbx_engine *eng, struct mbx_htab *tab, __u32 nbuckets);
void mbx_htab_fini(struct mbx_engine *eng, struct mbx_htab *tab);
void mbx_htab_add(struct mbx_engine *eng, struct mbx_htab *tab, struct mbx_hnode *n, __u32 hash);
void mbx_htab_del(struct mbx_htab *tab, struct mbx_hnode *n);
struct mbx_hnode *mbx_htab_bucket(const struct mbx_htab *tab, __u32 hash);
int mbx_is_fanout(const struct mbx_desc *d);

/* queue.c: messages and queues. */
__u32 mbx_msg_cost(const struct mbx_msg *m);
void mbx_msg_get(struct mbx_msg *m);
void mbx_queue_append(struct mbx_engine *eng, struct mbx_desc *d, struct mbx_msg *m);
void mbx_queue_requeue(struct mbx_engine *eng, struct mbx_desc *d, struct mbx_msg *m);
struct mbx_msg *mbx_queue_pop(struct mbx_engine *eng, struct mbx_desc *d);
struct mbx_msg *mbx_queue_head(const struct mbx_desc *d);
__u64 mbx_queue_head_seq(const struct mbx_desc *d);
void mbx_queue_purge(struct mbx_engine *eng, struct mbx_desc *d);
void mbx_queue_reclaim(struct mbx_engine *eng, struct mbx_desc *d);
void mbx_queue_drop_head(struct mbx_engine *eng, struct mbx_desc *d, enum mbx_reason why);
void mbx_queue_enforce_capacity(struct mbx_engine *eng, struct mbx_desc *d);
struct mbx_msg *mbx_queue_next_for(const struct mbx_desc *d, const struct mbx_handle *h);
__u32 mbx_queue_enqueue(struct mbx_engine *eng, struct mbx_handle *h, struct mbx_msg *m);

/* tap.c */
void mbx_tap_deliver(struct mbx_engine *eng, struct mbx_desc *d, struct mbx_msg *m);
void mbx_tap_enforce_capacity(struct mbx_engine *eng, struct mbx_desc *d);
struct mbx_msg *mbx_tap_pop(struct mbx_engine *eng, struct mbx_handle *h, __u32 *flags);
void mbx_tap_purge(struct mbx_engine *eng, struct mbx_handle *h);
void mbx_tap_detach(struct mbx_engine *eng, struct mbx_handle *h);

/* xfer.c: waits and handoff. */
void mbx_wait_leave(struct mbx_engine *eng, struct mbx_handle *h);
void mbx_handoff(struct mbx_engine *eng, struct mbx_desc *d);
struct mbx_msg *mbx_take(struct mbx_engine *eng, struct mbx_handle *h, __u32 *flags);

/* desc.c */
struct mbx_desc *mbx_desc_find(struct mbx_engine *eng, const struct mbx_target *tg);
__u32 mbx_desc_resolve(struct mbx_engine *eng, const struct mbx_target *tg, struct mbx_desc **out);
void mbx_desc_ref(struct mbx_desc *d);
void mbx_desc_unref(struct mbx_engine *eng, struct mbx_desc *d);
void mbx_desc_maybe_release(struct mbx_engine *eng, struct mbx_desc *d);
void mbx_desc_apply_mode(struct mbx_engine *eng, struct mbx_desc *d, __u32 mode);
void mbx_desc_space(struct mbx_engine *eng, struct mbx_desc *d);
void mbx_desc_readable(struct mbx_engine *eng, struct mbx_desc *d);
void mbx_desc_destroy_owned(struct mbx_engine *eng, __u32 pid);
void mbx_desc_free_all(struct mbx_engine *eng);
void mbx_pin_drop(struct mbx_engine *eng, struct mbx_pin *p);

/* handle.c */
__u32 mbx_handle_create(struct mbx_engine *eng, struct mbx_task *t, struct mbx_desc *d,
			__u32 access, __u32 *number);
void mbx_handle_destroy(struct mbx_engine *eng, struct mbx_handle *h);
void mbx_handle_reset_cursor(struct mbx_handle *h);
int mbx_handle_is_reader(const struct mbx_handle *h);
struct mbx_handle *mbx_handle_find(struct mbx_engine *eng, struct mbx_task *t, __u32 number);

#endif /* HSX_LIB_MBX_INTERNAL_H */
