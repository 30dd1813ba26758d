/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HSXMBX_TASK_H
#define HSXMBX_TASK_H

#include <linux/kref.h>
#include <linux/list.h>

#include "mbx/mbx.h"

/**
 * struct hsxmbx_ktask - a reference-counted engine task
 * @ref: the control file (host tasks) or the registration (VM tasks), plus
 *	one per handle file on one of its handles
 * @t: the engine task; NULL once torn down.  Only under the engine lock.
 * @pid: HSX PID (0 for host tasks)
 * @registrar: the executive file that registered a VM task (its list
 *	@link), so the task dies with that file
 */
struct hsxmbx_ktask {
	struct kref ref;
	struct mbx_task *t;
	u32 pid;
	void *registrar;
	struct list_head link;
};

extern struct hsxmbx_ktask *hsxmbx_host_binder;

int hsxmbx_task_init(void);
void hsxmbx_task_exit(void);
struct hsxmbx_ktask *hsxmbx_task_new_host(void);
struct hsxmbx_ktask *hsxmbx_task_register(const struct hsxmbx_task *rq, void *registrar,
					  u32 *status);
struct hsxmbx_ktask *hsxmbx_task_find(u32 pid);
void hsxmbx_task_unregister(struct hsxmbx_ktask *ht);
void hsxmbx_task_get(struct hsxmbx_ktask *ht);
void hsxmbx_task_put(struct hsxmbx_ktask *ht);

#endif /* HSXMBX_TASK_H */
