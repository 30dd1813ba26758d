// SPDX-License-Identifier: GPL-2.0
/*
 * DOC: Per-descriptor device nodes
 *
 * Every live descriptor gets a char device in the module's region, named
 * after its canonical target with ':' turned into a directory:
 * app:procon -> /dev/hsxmbx/app/procon, svc:stdio.out@3 ->
 * /dev/hsxmbx/svc/stdio.out@3, pid:3 -> /dev/hsxmbx/pid/3.  Minors come
 * from an xarray (minor -> struct hsxmbx_dnode), allocated cyclically so
 * a minor is not reused while its old device might still be going away.
 *
 * The engine announces descriptors through desc_created/desc_destroyed
 * hooks, which run under the engine lock.  Registering a device is slow
 * (sysfs, uevent, devtmpfs round trip) and must not stall every other
 * mailbox operation, so the hooks only queue the work; hsxmbx_unlock()
 * runs it after dropping the engine lock.  The queue is handed over under
 * hsxmbx_node_mutex, taken before the engine lock is released, so node
 * work runs in exactly the order the engine produced it (a removal never
 * overtakes the creation of the same node).  Lock order: engine lock,
 * then node mutex; nothing under the node mutex takes the engine lock.
 *
 * Names that devtmpfs cannot hold safely (containing '/' or '!', "." or
 * "..", control characters) get no node; the descriptor works normally
 * through the control device.
 */
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "chardev.h"
#include "engine.h"
#include "handle.h"
#include "node.h"
#include "perm.h"

static DEFINE_XARRAY_ALLOC(hsxmbx_minors);
static u32 hsxmbx_minor_next;
static LIST_HEAD(hsxmbx_node_pending); /* under the engine lock */
static DEFINE_MUTEX(hsxmbx_node_mutex);

static void hsxmbx_dnode_release(struct kref *ref)
{
	kfree(container_of(ref, struct hsxmbx_dnode, ref));
}

void hsxmbx_dnode_put(struct hsxmbx_dnode *dn)
{
	if (dn)
		kref_put(&dn->ref, hsxmbx_dnode_release);
}

/* Under the engine lock: a counted reference to d's dnode, or NULL. */
struct hsxmbx_dnode *hsxmbx_dnode_get(struct mbx_desc *d)
{
	struct hsxmbx_dnode *dn = d ? mbx_desc_host(d) : NULL;

	hsxmbx_assert_locked();
	if (dn)
		kref_get(&dn->ref);
	return dn;
}

static bool hsxmbx_node_name_ok(const char *s)
{
	if (!*s || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == '!' || *s < 0x21 || *s == 0x7f)
			return false;
	return true;
}

/* "app:procon" -> "hsxmbx!app!procon"; false if no node can exist. */
static bool hsxmbx_node_name(struct hsxmbx_dnode *dn, struct mbx_desc *d)
{
	char target[HSX_MBX_MAX_NAME_BYTES + 24];
	char *colon;

	mbx_target_format(d, target, sizeof(target));
	colon = strchr(target, ':');
	if (!colon || !hsxmbx_node_name_ok(colon + 1))
		return false;
	*colon = '\0';
	snprintf(dn->devname, sizeof(dn->devname), "hsxmbx!%s!%s", target, colon + 1);
	return true;
}

static void hsxmbx_node_queue(struct hsxmbx_dnode *dn, bool remove)
{
	struct hsxmbx_node_op *op = &dn->ops[remove];

	op->dn = dn;
	op->remove = remove;
	list_add_tail(&op->link, &hsxmbx_node_pending);
}

/*
 * Refusing here (no memory, or the creator's quota is used up) refuses
 * the descriptor itself: every descriptor has its dnode.
 */
u32 hsxmbx_node_created(void *host, struct mbx_desc *d)
{
	struct hsxmbx_dnode *dn = kzalloc(sizeof(*dn), GFP_KERNEL);
	u32 st;
	int ret;

	if (!dn)
		return HSX_MBX_STATUS_INTERNAL_ERROR;
	st = hsxmbx_quota_charge(&dn->quota);
	if (st) {
		kfree(dn);
		return st;
	}
	kref_init(&dn->ref);
	init_waitqueue_head(&dn->wq);
	dn->desc = d;
	hsxmbx_perm_created(dn, d);
	mbx_desc_set_host(d, dn);
	if (!hsxmbx_node_name(dn, d))
		return HSX_MBX_STATUS_OK;
	ret = xa_alloc_cyclic(&hsxmbx_minors, &dn->minor, dn, XA_LIMIT(1, MINORMASK),
			      &hsxmbx_minor_next, GFP_KERNEL);
	if (ret < 0) {
		dn->minor = 0;
		return HSX_MBX_STATUS_OK;
	}
	hsxmbx_node_queue(dn, false);
	return HSX_MBX_STATUS_OK;
}

void hsxmbx_node_destroyed(void *host, struct mbx_desc *d)
{
	struct hsxmbx_dnode *dn = mbx_desc_host(d);

	if (!dn)
		return;
	mbx_desc_set_host(d, NULL);
	hsxmbx_quota_uncharge(&dn->quota);
	WRITE_ONCE(dn->dead, true);
	dn->desc = NULL;
	dn->space_seq++;
	wake_up_interruptible_poll(&dn->wq, EPOLLHUP | EPOLLIN | EPOLLOUT);
	if (dn->minor)
		xa_erase(&hsxmbx_minors, dn->minor);
	/* The removal inherits the engine's reference. */
	hsxmbx_node_queue(dn, true);
}

void hsxmbx_node_space(void *host, struct mbx_desc *d)
{
	struct hsxmbx_dnode *dn = mbx_desc_host(d);

	if (!dn)
		return;
	dn->space_seq++;
	wake_up_interruptible_poll(&dn->wq, EPOLLOUT | EPOLLWRNORM);
}

static void hsxmbx_node_run(struct hsxmbx_node_op *op)
{
	struct hsxmbx_dnode *dn = op->dn;
	struct device *dev;

	if (op->remove) {
		if (dn->dev)
			device_unregister(dn->dev);
		dn->dev = NULL;
		hsxmbx_dnode_put(dn);
		return;
	}
	dev = hsxmbx_chardev_create(dn->minor, dn, dn->devname);
	if (IS_ERR(dev))
		pr_warn_ratelimited("hsxmbx: no node %s: %ld\n", dn->devname, PTR_ERR(dev));
	else
		dn->dev = dev;
}

/* Release the engine lock; then run the node work queued under it. */
void hsxmbx_node_unlock_and_flush(struct mutex *engine_lock)
{
	struct hsxmbx_node_op *op, *tmp;
	LIST_HEAD(work);

	if (list_empty(&hsxmbx_node_pending)) {
		mutex_unlock(engine_lock);
		return;
	}
	list_splice_init(&hsxmbx_node_pending, &work);
	mutex_lock(&hsxmbx_node_mutex);
	mutex_unlock(engine_lock);
	list_for_each_entry_safe(op, tmp, &work, link) {
		list_del(&op->link);
		hsxmbx_node_run(op);
	}
	mutex_unlock(&hsxmbx_node_mutex);
}

umode_t hsxmbx_node_mode(struct device *dev)
{
	struct hsxmbx_dnode *dn = dev_get_drvdata(dev);

	/* Never more permissive than the control device (kmod/perm.c). */
	return dn ? hsxmbx_perm_node_mode(dn) : 0600;
}

int hsxmbx_node_open(struct inode *inode, struct file *file)
{
	struct hsxmbx_dnode *dn;
	int ret;

	hsxmbx_lock();
	dn = xa_load(&hsxmbx_minors, iminor(inode));
	if (dn && !dn->dead)
		ret = hsxmbx_hfile_open_node(file, dn->desc);
	else
		ret = -ENXIO;
	hsxmbx_unlock();
	return ret;
}

int hsxmbx_node_init(void)
{
	hsxmbx_minor_next = 1;
	return 0;
}

void hsxmbx_node_exit(void)
{
	WARN_ON(!xa_empty(&hsxmbx_minors));
	xa_destroy(&hsxmbx_minors);
}
