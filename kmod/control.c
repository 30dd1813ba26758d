// SPDX-License-Identifier: GPL-2.0
/*
 * DOC: The control device
 *
 * /dev/hsxmbx/control (mode 0666) is the command device.  Every open file
 * is a private PID-0 actor: it gets its own engine task, hence its own
 * handle table, torn down when the file is released.  Whether the file may
 * register VM tasks and act for them (the executive) is decided once, at
 * open, from the opener's credentials (file->f_cred, CAP_SYS_ADMIN), so
 * the executive can drop its capabilities afterwards.  The VM tasks a file
 * registered are unregistered when it is released, which is how a
 * SIGKILLed executive cleans up after itself.
 *
 * Commands arrive as ioctl() or as IORING_OP_URING_CMD (sqe->cmd_op = the
 * ioctl number, sqe->cmd = struct hsxmbx_uring_cmd); both run the same
 * handlers (cmd.c).  uring_cmd commands complete inline and never sleep:
 * on 6.1 a queued uring_cmd cannot be cancelled, so a blocking receive
 * through io_uring is an IORING_OP_READ on a handle file instead.
 * O_NONBLOCK on the control file gives every RECV POLL semantics.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/io_uring.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "cmd.h"
#include "control.h"
#include "engine.h"
#include "task.h"

static int hsxmbx_control_release(struct inode *inode, struct file *file)
{
	struct hsxmbx_ctl *ctl = file->private_data;
	struct hsxmbx_ktask *ht, *tmp;

	hsxmbx_lock();
	list_for_each_entry_safe(ht, tmp, &ctl->tasks, link)
		hsxmbx_task_unregister(ht);
	hsxmbx_task_put(ctl->host);
	hsxmbx_unlock();
	kfree(ctl);
	return 0;
}

static long hsxmbx_control_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	unsigned int how = 0;

	if (file->f_flags & O_NONBLOCK)
		how |= HSXMBX_HOW_NONBLOCK;
	return hsxmbx_cmd(file->private_data, cmd, (void __user *)arg, how);
}

static int hsxmbx_control_uring_cmd(struct io_uring_cmd *ioucmd, unsigned int issue_flags)
{
	const struct hsxmbx_uring_cmd *uc = ioucmd->cmd;

	if (READ_ONCE(uc->reserved))
		return -EINVAL;
	return hsxmbx_cmd(ioucmd->file->private_data, ioucmd->cmd_op,
			  u64_to_user_ptr(READ_ONCE(uc->arg_ptr)), HSXMBX_HOW_NONBLOCK);
}

static const struct file_operations hsxmbx_control_fops = {
	.owner = THIS_MODULE,
	.release = hsxmbx_control_release,
	.unlocked_ioctl = hsxmbx_control_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.uring_cmd = hsxmbx_control_uring_cmd,
	.llseek = noop_llseek,
};

int hsxmbx_control_open(struct inode *inode, struct file *file)
{
	struct hsxmbx_ctl *ctl = kzalloc(sizeof(*ctl), HSXMBX_GFP);

	if (!ctl)
		return -ENOMEM;
	INIT_LIST_HEAD(&ctl->tasks);
	ctl->exec = file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN);
	ctl->uid = file->f_cred->euid;
	hsxmbx_lock();
	ctl->host = hsxmbx_task_new_host();
	hsxmbx_unlock();
	if (!ctl->host) {
		kfree(ctl);
		return -ENOMEM;
	}
	file->private_data = ctl;
	/* replace_fops() drops the reference the old fops held. */
	__module_get(THIS_MODULE);
	replace_fops(file, &hsxmbx_control_fops);
	return 0;
}
