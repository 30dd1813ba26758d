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
 * Objects come from kmem_caches, one per object kind, created lazily at
 * the first allocation of a kind because the engine's struct sizes are
 * private to lib/mbx.  Messages up to HSXMBX_SMALL_MSG bytes of payload
 * come from a cache too; larger ones from kvmalloc.  Message memory is
 * charged to the sender's memory cgroup (GFP_KERNEL_ACCOUNT): the sender
 * allocates it in its own context before the send.
 */
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "engine.h"
#include "handle.h"
#include "node.h"
#include "trace.h"
#include "wait.h"

#define HSXMBX_SMALL_MSG 256
#define HSXMBX_NR_KINDS (MBX_OBJ_PIN + 1)

struct mbx_engine *hsxmbx_eng;
static DEFINE_MUTEX(hsxmbx_mutex);

struct hsxmbx_cache {
	struct kmem_cache *cache;
	const char *name;
	bool variable; /* sizes vary: only small ones use the cache */
	gfp_t gfp;
};

static struct hsxmbx_cache hsxmbx_caches[HSXMBX_NR_KINDS] = {
	[MBX_OBJ_ENGINE] = { .name = NULL, .gfp = GFP_KERNEL },
	[MBX_OBJ_TASK] = { .name = "hsxmbx_task", .gfp = GFP_KERNEL },
	[MBX_OBJ_DESC] = { .name = "hsxmbx_desc", .gfp = GFP_KERNEL },
	[MBX_OBJ_HANDLE] = { .name = "hsxmbx_handle", .gfp = GFP_KERNEL },
	[MBX_OBJ_MSG] = { .name = "hsxmbx_msg", .variable = true, .gfp = GFP_KERNEL_ACCOUNT },
	[MBX_OBJ_TAPENT] = { .name = "hsxmbx_tapent", .gfp = GFP_KERNEL },
	[MBX_OBJ_TABLE] = { .name = NULL, .gfp = GFP_KERNEL },
	[MBX_OBJ_PIN] = { .name = "hsxmbx_pin", .gfp = GFP_KERNEL },
};

void hsxmbx_lock(void)
{
	mutex_lock(&hsxmbx_mutex);
}

void hsxmbx_unlock(void)
{
	hsxmbx_node_unlock_and_flush(&hsxmbx_mutex);
}

void hsxmbx_assert_locked(void)
{
	lockdep_assert_held(&hsxmbx_mutex);
}

/* Cache object size for a kind, fixed by its first allocation. */
static struct kmem_cache *hsxmbx_cache_for(struct hsxmbx_cache *c, u32 size)
{
	u32 obj = c->variable ? HSXMBX_SMALL_MSG + 64 : size;

	if (!c->name)
		return NULL;
	if (!c->cache)
		c->cache = kmem_cache_create(c->name, obj, 0, SLAB_HWCACHE_ALIGN, NULL);
	if (c->cache && size <= kmem_cache_size(c->cache))
		return c->cache;
	return NULL;
}

static void *hsxmbx_alloc(void *host, enum mbx_obj_kind kind, u32 size)
{
	struct hsxmbx_cache *c = &hsxmbx_caches[kind];
	struct kmem_cache *cache = hsxmbx_cache_for(c, size);

	if (cache)
		return kmem_cache_alloc(cache, c->gfp);
	return kvmalloc(size, c->gfp);
}

static void hsxmbx_free(void *host, enum mbx_obj_kind kind, void *ptr, u32 size)
{
	struct hsxmbx_cache *c = &hsxmbx_caches[kind];

	if (!ptr)
		return;
	if (c->cache && size <= kmem_cache_size(c->cache))
		kmem_cache_free(c->cache, ptr);
	else
		kvfree(ptr);
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
	.desc_created = hsxmbx_node_created,
	.desc_destroyed = hsxmbx_node_destroyed,
	.handle_closed = hsxmbx_wait_closed,
};

/*
 * Messages are allocated without the engine lock: mbx_msg_alloc() only
 * calls ops.alloc, and the message cache exists from engine creation on,
 * so nothing shared is touched.  The allocation happens in the sender's
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

int hsxmbx_engine_init(const struct mbx_config *cfg)
{
	struct hsxmbx_cache *msgs = &hsxmbx_caches[MBX_OBJ_MSG];

	/* Payloads are copied to and from user memory: whitelist them. */
	msgs->cache = kmem_cache_create_usercopy(msgs->name, HSXMBX_SMALL_MSG + 64, 0,
						 SLAB_HWCACHE_ALIGN, 0, HSXMBX_SMALL_MSG + 64,
						 NULL);
	if (!msgs->cache)
		return -ENOMEM;
	hsxmbx_lock();
	hsxmbx_eng = mbx_engine_create(cfg, &hsxmbx_ops, NULL);
	hsxmbx_unlock();
	if (!hsxmbx_eng) {
		kmem_cache_destroy(msgs->cache);
		msgs->cache = NULL;
		return -ENOMEM;
	}
	return 0;
}

void hsxmbx_engine_exit(void)
{
	int i;

	hsxmbx_lock();
	mbx_engine_destroy(hsxmbx_eng);
	hsxmbx_eng = NULL;
	hsxmbx_unlock();
	for (i = 0; i < HSXMBX_NR_KINDS; i++) {
		kmem_cache_destroy(hsxmbx_caches[i].cache);
		hsxmbx_caches[i].cache = NULL;
	}
}
