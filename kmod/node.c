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
 * mailbox operation, so the hooks only queue it, under the engine lock,
 * on an ordered workqueue: it runs in exactly the order the engine
 * produced it (a removal never overtakes the creation of the same node),
 * in a worker that holds no lock of ours.  The caller whose command
 * produced node work (BIND, OPEN, UNBIND, TASK_REGISTER, ...) waits for
 * it after dropping the engine lock, so its node exists (or is gone) when
 * the command returns, as before; everybody else's traffic goes on
 * meanwhile.  (Until d77ca24 the work ran in the caller under a node
 * mutex taken before the engine lock was dropped, so a device_register
 * batch held up every mailbox.)  Each op carries a ticket; the worker
 * publishes the last ticket it finished.
 *
 * Names that devtmpfs cannot hold safely (containing '/' or '!', "." or
 * "..", control bytes, space or DEL) get no node; UTF-8 names do get one;
 * the descriptor works normally through the control device.
 */
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "chardev.h"
#include "engine.h"
#include "handle.h"
#include "node.h"
#include "wait.h"
#include "perm.h"

static DEFINE_XARRAY_ALLOC(hsxmbx_minors);
static u32 hsxmbx_minor_next;
static struct workqueue_struct *hsxmbx_node_wq;
static u64 hsxmbx_node_tickets; /* under the engine lock: ops queued */
static u64 hsxmbx_node_section; /* under the engine lock: this section's last */
static atomic64_t hsxmbx_node_done = ATOMIC64_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(hsxmbx_node_done_wq);

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

/*
 * Bytes, not chars: plain char is unsigned on arm64 and, from 6.2, on
 * every architecture, so "*s < 0x21" meant different things.  Bytes
 * from 0x80 up (UTF-8 names) are fine in devtmpfs; control bytes, space,
 * DEL, '/' and '!' (devtmpfs' directory separator) are not.
 */
static bool hsxmbx_node_byte_ok(u8 c)
{
	return c > 0x20 && c != 0x7f && c != '/' && c != '!';
}

static bool hsxmbx_node_name_ok(const char *s)
{
	if (!*s || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (!hsxmbx_node_byte_ok((u8)*s))
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

static void hsxmbx_node_work(struct work_struct *work);

/* Under the engine lock: node work for dn, in the engine's order. */
static void hsxmbx_node_queue(struct hsxmbx_dnode *dn, bool remove)
{
	struct hsxmbx_node_op *op = &dn->ops[remove];

	op->dn = dn;
	op->remove = remove;
	op->ticket = ++hsxmbx_node_tickets;
	hsxmbx_node_section = op->ticket;
	INIT_WORK(&op->work, hsxmbx_node_work);
	queue_work(hsxmbx_node_wq, &op->work);
}

/*
 * Refusing here (no memory, or the creator's quota is used up) refuses
 * the descriptor itself: every descriptor has its dnode.
 */
u32 hsxmbx_node_created(void *host, struct mbx_desc *d)
{
	struct hsxmbx_dnode *dn = kzalloc(sizeof(*dn), HSXMBX_GFP);
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
			      &hsxmbx_minor_next, HSXMBX_GFP);
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
	WRITE_ONCE(dn->space_seq, dn->space_seq + 1);
	hsxmbx_wake_later(&dn->wq, EPOLLHUP | EPOLLIN | EPOLLOUT, &dn->ref, hsxmbx_dnode_release);
	if (dn->minor)
		xa_erase(&hsxmbx_minors, dn->minor);
	/* The removal inherits the engine's reference. */
	hsxmbx_node_queue(dn, true);
}

/*
 * Senders refused by the global byte cap wait for room anywhere: every
 * pop of every descriptor bumps bytes_seq and wakes them (only when
 * somebody sleeps there).  The kref only satisfies hsxmbx_wake_later();
 * the object is static.
 */
static void hsxmbx_bytes_release(struct kref *ref)
{
}

struct hsxmbx_bytes_wait hsxmbx_bytes = {
	.wq = __WAIT_QUEUE_HEAD_INITIALIZER(hsxmbx_bytes.wq),
	.ref = KREF_INIT(1),
};

/* New data on d that no blocked receiver took: wake its pollers. */
void hsxmbx_node_readable(void *host, struct mbx_desc *d)
{
	struct hsxmbx_dnode *dn = mbx_desc_host(d);

	if (dn)
		hsxmbx_wake_later(&dn->wq, EPOLLIN | EPOLLRDNORM, &dn->ref, hsxmbx_dnode_release);
}

void hsxmbx_node_space(void *host, struct mbx_desc *d)
{
	struct hsxmbx_dnode *dn = mbx_desc_host(d);

	if (!dn)
		return;
	/* Sleepers read space_seq without the lock (hsxmbx_wait_done). */
	WRITE_ONCE(dn->space_seq, dn->space_seq + 1);
	hsxmbx_wake_later(&dn->wq, EPOLLOUT | EPOLLWRNORM, &dn->ref, hsxmbx_dnode_release);
	if (wq_has_sleeper(&hsxmbx_bytes.wq)) {
		WRITE_ONCE(hsxmbx_bytes.seq, hsxmbx_bytes.seq + 1);
		hsxmbx_wake_later(&hsxmbx_bytes.wq, EPOLLOUT, &hsxmbx_bytes.ref,
				  hsxmbx_bytes_release);
	}
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

static void hsxmbx_node_work(struct work_struct *work)
{
	struct hsxmbx_node_op *op = container_of(work, struct hsxmbx_node_op, work);
	u64 ticket = op->ticket; /* a removal may free op with its dnode */

	hsxmbx_node_run(op);
	atomic64_set(&hsxmbx_node_done, ticket);
	wake_up_all(&hsxmbx_node_done_wq);
}

/*
 * Release the engine lock; then wait for the node work this critical
 * section queued (nothing if it queued none, as on the message path).
 */
void hsxmbx_node_unlock_and_flush(struct mutex *engine_lock)
{
	u64 ticket = hsxmbx_node_section;

	hsxmbx_node_section = 0;
	mutex_unlock(engine_lock);
	if (ticket)
		wait_event(hsxmbx_node_done_wq, atomic64_read(&hsxmbx_node_done) >= ticket);
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
	hsxmbx_node_wq = alloc_ordered_workqueue("hsxmbx_nodes", 0);
	return hsxmbx_node_wq ? 0 : -ENOMEM;
}

void hsxmbx_node_exit(void)
{
	destroy_workqueue(hsxmbx_node_wq); /* runs what is still queued */
	WARN_ON(!xa_empty(&hsxmbx_minors));
	xa_destroy(&hsxmbx_minors);
}
