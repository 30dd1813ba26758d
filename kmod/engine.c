// SPDX-License-Identifier: GPL-2.0
/*
 * DOC: The engine wrapper
 *
 * lib/mbx is lock-free and allocation-free by design: the host serialises
 * it and hands it an allocator.  The module runs exactly one engine,
 * serialised by one mutex (hsxmbx_mutex).  Every engine call, every
 * hook and every walk of engine objects happens under it.  The mutex is
 * held only for engine bookkeeping: user copies, sleeping and device
 * (un)registration happen outside it (see chardev.c, cmd.c, node.c).
 *
 * Objects come from kmem_caches, one per object kind, all created at
 * module init (a cache created lazily could fail once, send that object
 * to kvmalloc, and later free it with kmem_cache_free).  Messages up to
 * HSXMBX_SMALL_MSG bytes of payload come from a cache too, larger ones
 * from kvmalloc; both sides of the choice depend only on the size, so an
 * object is always freed by the allocator that made it.
 *
 * Memory a user causes is charged to a memory cgroup: every cache is
 * SLAB_ACCOUNT and every allocation HSXMBX_GFP.  An object is charged to
 * whoever's call allocates it (a message to its sender, a descriptor to
 * its binder), except tap entries, which belong to the tap: the engine
 * brackets them with charge_begin/charge_end and we switch to the memcg
 * recorded when the tap was enabled (wait.c).  Live objects and bytes
 * per kind are counted for debugfs "memory".
 */
#include <linux/ktime.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "engine.h"
#include "handle.h"
#include "node.h"
#include "trace.h"
#include "wait.h"

#define HSXMBX_SMALL_MSG 256
#define HSXMBX_NR_KINDS (MBX_OBJ_PIN + 1)
/* charge_begin found no memcg to switch to: nothing to restore. */
#define HSXMBX_NO_CHARGE ERR_PTR(-ENOENT)

struct mbx_engine *hsxmbx_eng;
static DEFINE_MUTEX(hsxmbx_mutex);

/**
 * struct hsxmbx_cache - the allocator of one engine object kind
 * @cache: objects up to @size bytes (NULL: every object is kvmalloc'ed)
 * @kind: the kind's name in debugfs "memory"
 * @name: the cache's name, NULL for kinds without a cache
 * @size: the cache's object size, fixed at init
 * @objects: live objects of this kind, for debugfs "memory"
 * @bytes: their allocated size (cache object size, or kvmalloc size)
 */
struct hsxmbx_cache {
	struct kmem_cache *cache;
	const char *kind;
	const char *name;
	u32 size;
	atomic_long_t objects;
	atomic_long_t bytes;
};

static struct hsxmbx_cache hsxmbx_caches[HSXMBX_NR_KINDS] = {
	[MBX_OBJ_ENGINE] = { .kind = "engine", .name = NULL },
	[MBX_OBJ_TASK] = { .kind = "task", .name = "hsxmbx_task" },
	[MBX_OBJ_DESC] = { .kind = "desc", .name = "hsxmbx_desc" },
	[MBX_OBJ_HANDLE] = { .kind = "handle", .name = "hsxmbx_handle" },
	[MBX_OBJ_MSG] = { .kind = "msg", .name = "hsxmbx_msg" },
	[MBX_OBJ_TAPENT] = { .kind = "tapent", .name = "hsxmbx_tapent" },
	[MBX_OBJ_TABLE] = { .kind = "table", .name = NULL },
	[MBX_OBJ_PIN] = { .kind = "pin", .name = "hsxmbx_pin" },
};

void hsxmbx_lock(void)
{
	mutex_lock(&hsxmbx_mutex);
}

/* Drop the lock, then run the node work and the wake-ups queued under it. */
void hsxmbx_unlock(void)
{
	struct hsxmbx_wake batch[HSXMBX_WAKE_BATCH];
	unsigned int n = hsxmbx_wake_take(batch);

	hsxmbx_node_unlock_and_flush(&hsxmbx_mutex);
	hsxmbx_wake_run(batch, n);
}

void hsxmbx_assert_locked(void)
{
	lockdep_assert_held(&hsxmbx_mutex);
}

static bool hsxmbx_cached(const struct hsxmbx_cache *c, u32 size)
{
	return c->cache && size <= c->size;
}

static void hsxmbx_count(struct hsxmbx_cache *c, const void *ptr, u32 size, int sign)
{
	long bytes = hsxmbx_cached(c, size) ? c->size :
		     is_vmalloc_addr(ptr)   ? PAGE_ALIGN(size) :
					      ksize(ptr);

	atomic_long_add(sign, &c->objects);
	atomic_long_add(sign * bytes, &c->bytes);
}

static void *hsxmbx_alloc(void *host, enum mbx_obj_kind kind, u32 size)
{
	struct hsxmbx_cache *c = &hsxmbx_caches[kind];
	void *ptr;

	if (hsxmbx_cached(c, size))
		ptr = kmem_cache_alloc(c->cache, HSXMBX_GFP);
	else
		ptr = kvmalloc(size, HSXMBX_GFP);
	if (ptr)
		hsxmbx_count(c, ptr, size, 1);
	return ptr;
}

static void hsxmbx_free(void *host, enum mbx_obj_kind kind, void *ptr, u32 size)
{
	struct hsxmbx_cache *c = &hsxmbx_caches[kind];

	if (!ptr)
		return;
	hsxmbx_count(c, ptr, size, -1);
	if (hsxmbx_cached(c, size))
		kmem_cache_free(c->cache, ptr);
	else
		kvfree(ptr);
}

/* A tap's entries go to the memcg that enabled the tap (wait.c). */
static void *hsxmbx_charge_begin(void *host, struct mbx_handle *h)
{
	struct mem_cgroup *memcg = hsxmbx_hwait_memcg(h);

	return memcg ? set_active_memcg(memcg) : HSXMBX_NO_CHARGE;
}

static void hsxmbx_charge_end(void *host, void *cookie)
{
	if (cookie != HSXMBX_NO_CHARGE)
		set_active_memcg(cookie);
}

void hsxmbx_memory_show(struct seq_file *m)
{
	long objects = 0, bytes = 0;
	int i;

	for (i = 0; i < HSXMBX_NR_KINDS; i++) {
		struct hsxmbx_cache *c = &hsxmbx_caches[i];

		seq_printf(m, "%s %ld %ld\n", c->kind, atomic_long_read(&c->objects),
			   atomic_long_read(&c->bytes));
		objects += atomic_long_read(&c->objects);
		bytes += atomic_long_read(&c->bytes);
	}
	seq_printf(m, "total %ld %ld\n", objects, bytes);
}

static u64 hsxmbx_now_ns(void *host)
{
	return ktime_get_ns();
}

static const struct mbx_ops hsxmbx_ops = {
	.alloc = hsxmbx_alloc,
	.free = hsxmbx_free,
	.now_ns = hsxmbx_now_ns,
	.event = hsxmbx_trace_event,
	.wake = hsxmbx_wait_wake,
	.tap_ready = hsxmbx_wait_wake,
	.space = hsxmbx_node_space,
	.readable = hsxmbx_node_readable,
	.desc_created = hsxmbx_node_created,
	.desc_destroyed = hsxmbx_node_destroyed,
	.handle_closed = hsxmbx_wait_closed,
	.charge_begin = hsxmbx_charge_begin,
	.charge_end = hsxmbx_charge_end,
};

/*
 * Messages are allocated without the engine lock: mbx_msg_alloc() only
 * calls ops.alloc, and the message cache exists from module init on, so
 * nothing shared is touched.  The allocation happens in the sender's
 * context and is charged to its memcg.
 */
struct mbx_msg *hsxmbx_msg_alloc(u32 len)
{
	return mbx_msg_alloc(hsxmbx_eng, len);
}

void hsxmbx_msg_put(struct mbx_msg *m)
{
	hsxmbx_lock();
	mbx_msg_put(hsxmbx_eng, m);
	hsxmbx_unlock();
}

int hsxmbx_status_errno(u32 status)
{
	switch (status) {
	case HSX_MBX_STATUS_OK:
		return 0;
	case HSX_MBX_STATUS_WOULDBLOCK:
	case HSX_MBX_STATUS_NO_DATA:
		return -EAGAIN;
	case HSX_MBX_STATUS_MSG_TOO_LARGE:
		return -EMSGSIZE;
	case HSX_MBX_STATUS_NO_DESCRIPTOR:
		return -ENOSPC;
	case HSX_MBX_STATUS_PERMISSION_DENIED:
		return -EPERM;
	case HSX_MBX_STATUS_INVALID_ARGUMENT:
		return -EINVAL;
	case HSX_MBX_STATUS_INVALID_HANDLE:
	case HSX_MBX_STATUS_DESTROYED:
		return -EPIPE;
	case HSX_MBX_STATUS_TIMEOUT:
		return -ETIMEDOUT;
	default:
		return -EIO;
	}
}

static void hsxmbx_caches_destroy(void)
{
	int i;

	for (i = 0; i < HSXMBX_NR_KINDS; i++) {
		kmem_cache_destroy(hsxmbx_caches[i].cache);
		hsxmbx_caches[i].cache = NULL;
	}
}

/* Payloads are copied to and from user memory: whitelist them. */
static struct kmem_cache *hsxmbx_cache_create(struct hsxmbx_cache *c, bool user)
{
	slab_flags_t flags = SLAB_HWCACHE_ALIGN | SLAB_ACCOUNT;

	if (user)
		return kmem_cache_create_usercopy(c->name, c->size, 0, flags, 0, c->size, NULL);
	return kmem_cache_create(c->name, c->size, 0, flags, NULL);
}

static int hsxmbx_caches_create(void)
{
	int i;

	for (i = 0; i < HSXMBX_NR_KINDS; i++) {
		struct hsxmbx_cache *c = &hsxmbx_caches[i];

		if (!c->name)
			continue;
		c->size = mbx_obj_size(i) + (i == MBX_OBJ_MSG ? HSXMBX_SMALL_MSG : 0);
		c->cache = hsxmbx_cache_create(c, i == MBX_OBJ_MSG);
		if (!c->cache)
			goto err_cache;
	}
	return 0;

err_cache:
	hsxmbx_caches_destroy();
	return -ENOMEM;
}

int hsxmbx_engine_init(const struct mbx_config *cfg)
{
	int ret;

	ret = hsxmbx_caches_create();
	if (ret)
		goto err_caches;
	hsxmbx_lock();
	hsxmbx_eng = mbx_engine_create(cfg, &hsxmbx_ops, NULL);
	hsxmbx_unlock();
	if (!hsxmbx_eng) {
		ret = -ENOMEM;
		goto err_engine;
	}
	return 0;

err_engine:
	hsxmbx_caches_destroy();
err_caches:
	return ret;
}

void hsxmbx_engine_exit(void)
{
	hsxmbx_lock();
	mbx_engine_destroy(hsxmbx_eng);
	hsxmbx_eng = NULL;
	hsxmbx_unlock();
	hsxmbx_caches_destroy();
}
