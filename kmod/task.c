// SPDX-License-Identifier: GPL-2.0
/*
 * DOC: Tasks
 *
 * Every engine task the module creates is wrapped in a hsxmbx_task so
 * files can outlive each other: a handle file keeps the control file's
 * PID-0 task alive after the control file is closed.  A host task is torn
 * down (every handle closed, every wait cancelled, its binds dropped) when
 * the last reference goes.  A VM task (pid != 0) is torn down when the
 * executive unregisters it or closes the file that registered it, even if
 * handle files still point at it: they see the handle closed (EOF, EPIPE,
 * EPOLLHUP) and only keep the wrapper.
 *
 * BIND and UNBIND from PID 0 act as one module-wide host task
 * (hsxmbx_host_binder), so a descriptor bound from the shell
 * ("hsx mbox bind app:x") stays until it is unbound ("hsx mbox rm"),
 * like a file in /dev/mqueue, instead of dying with the binding process.
 *
 * References are taken and dropped under the engine lock.
 */
#include <linux/slab.h>
#include <linux/xarray.h>

#include "engine.h"
#include "task.h"

static DEFINE_XARRAY(hsxmbx_vm_tasks); /* pid -> hsxmbx_task */
struct hsxmbx_ktask *hsxmbx_host_binder;

static struct hsxmbx_ktask *hsxmbx_task_alloc(struct mbx_task *t, u32 pid)
{
	struct hsxmbx_ktask *ht = kzalloc(sizeof(*ht), HSXMBX_GFP);

	if (!ht)
		return NULL;
	kref_init(&ht->ref);
	ht->t = t;
	ht->pid = pid;
	INIT_LIST_HEAD(&ht->link);
	return ht;
}

struct hsxmbx_ktask *hsxmbx_task_new_host(void)
{
	struct hsxmbx_ktask *ht;
	struct mbx_task *t;

	hsxmbx_assert_locked();
	t = mbx_task_create_host(hsxmbx_eng);
	if (!t)
		return NULL;
	ht = hsxmbx_task_alloc(t, 0);
	if (!ht)
		mbx_task_teardown(hsxmbx_eng, t);
	return ht;
}

struct hsxmbx_ktask *hsxmbx_task_register(const struct hsxmbx_task *rq, void *registrar,
					  u32 *status)
{
	struct hsxmbx_ktask *ht = hsxmbx_task_alloc(NULL, rq->pid);
	u32 pid = rq->pid;
	struct mbx_task *t = NULL;

	hsxmbx_assert_locked();
	if (!ht || xa_insert(&hsxmbx_vm_tasks, pid, ht, HSXMBX_GFP)) {
		kfree(ht);
		*status = ht ? HSX_MBX_STATUS_INVALID_ARGUMENT : HSX_MBX_STATUS_INTERNAL_ERROR;
		return NULL;
	}
	*status = mbx_task_register_with(hsxmbx_eng, pid, rq->stdio_capacity, rq->stdio_mode, &t);
	if (*status != HSX_MBX_STATUS_OK) {
		xa_erase(&hsxmbx_vm_tasks, pid);
		kfree(ht);
		return NULL;
	}
	ht->t = t;
	ht->registrar = registrar;
	return ht;
}

struct hsxmbx_ktask *hsxmbx_task_find(u32 pid)
{
	hsxmbx_assert_locked();
	return xa_load(&hsxmbx_vm_tasks, pid);
}

static void hsxmbx_task_teardown(struct hsxmbx_ktask *ht)
{
	if (ht->t)
		mbx_task_teardown(hsxmbx_eng, ht->t);
	ht->t = NULL;
}

/* Tear a VM task down now and drop the registration's reference. */
void hsxmbx_task_unregister(struct hsxmbx_ktask *ht)
{
	hsxmbx_assert_locked();
	xa_erase(&hsxmbx_vm_tasks, ht->pid);
	list_del_init(&ht->link);
	hsxmbx_task_teardown(ht);
	hsxmbx_task_put(ht);
}

void hsxmbx_task_get(struct hsxmbx_ktask *ht)
{
	hsxmbx_assert_locked();
	kref_get(&ht->ref);
}

static void hsxmbx_task_release(struct kref *ref)
{
	struct hsxmbx_ktask *ht = container_of(ref, struct hsxmbx_ktask, ref);

	hsxmbx_task_teardown(ht);
	kfree(ht);
}

void hsxmbx_task_put(struct hsxmbx_ktask *ht)
{
	hsxmbx_assert_locked();
	if (ht)
		kref_put(&ht->ref, hsxmbx_task_release);
}

int hsxmbx_task_init(void)
{
	hsxmbx_lock();
	hsxmbx_host_binder = hsxmbx_task_new_host();
	hsxmbx_unlock();
	return hsxmbx_host_binder ? 0 : -ENOMEM;
}

void hsxmbx_task_exit(void)
{
	hsxmbx_lock();
	hsxmbx_task_put(hsxmbx_host_binder);
	hsxmbx_host_binder = NULL;
	hsxmbx_unlock();
	WARN_ON(!xa_empty(&hsxmbx_vm_tasks));
}
