/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HSXMBX_CONTROL_H
#define HSXMBX_CONTROL_H

#include <linux/fs.h>
#include <linux/list.h>
#include <linux/uidgid.h>

/**
 * struct hsxmbx_ctl - one open file of /dev/hsxmbx/control
 * @host: its private PID-0 task (handle table)
 * @exec: opened with CAP_SYS_ADMIN: may register tasks and act for them
 * @uid: the opener's effective uid, charged for descriptors it creates
 * @tasks: VM tasks registered through this file, torn down with it
 */
struct hsxmbx_ctl {
	struct hsxmbx_ktask *host;
	bool exec;
	kuid_t uid;
	struct list_head tasks;
};

int hsxmbx_control_open(struct inode *inode, struct file *file);

#endif /* HSXMBX_CONTROL_H */
