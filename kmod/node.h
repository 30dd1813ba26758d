/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HSXMBX_NODE_H
#define HSXMBX_NODE_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "mbx/mbx.h"
#include "quota.h"

struct hsxmbx_dnode;

/* One device (un)registration, run by the ordered node workqueue. */
struct hsxmbx_node_op {
	struct work_struct work;
	struct hsxmbx_dnode *dn;
	bool remove;
	u64 ticket;
};

/**
 * struct hsxmbx_dnode - the module's side of one descriptor
 * @ref: the engine's (until the removal ran), one per handle file/sleeper
 * @desc: the engine descriptor; valid under the engine lock while !@dead
 * @minor: the node's minor (0: no node, e.g. a name devtmpfs cannot hold)
 * @ns: the descriptor's namespace (HSX_MBX_NAMESPACE_*)
 * @owner: the descriptor's owner pid, MBX_NO_OWNER if none
 * @creator: the euid of the control file that created it (if !@creator_exec)
 * @creator_exec: created by the executive or by TASK_REGISTER
 * @dev: the registered device, touched only by the node workqueue
 * @wq: blocked senders and the descriptor's pollers (EPOLLIN, EPOLLOUT,
 *	EPOLLHUP) sleep here
 * @space_seq: bumped when space is freed or the descriptor dies
 * @dead: the descriptor was destroyed
 * @quota: the per-user quota charge for it, if any
 */
struct hsxmbx_dnode {
	struct kref ref;
	struct mbx_desc *desc;
	u32 minor;
	u32 ns;
	u32 owner;
	kuid_t creator;
	bool creator_exec;
	struct device *dev;
	wait_queue_head_t wq;
	unsigned long space_seq;
	bool dead;
	struct hsxmbx_quota_charge quota;
	struct hsxmbx_node_op ops[2];
	char devname[64];
};

/**
 * struct hsxmbx_bytes_wait - senders refused by the global byte cap
 * @wq: they sleep here
 * @seq: bumped (under the engine lock) whenever queued bytes are freed
 * @ref: for hsxmbx_wake_later(); never released
 */
struct hsxmbx_bytes_wait {
	wait_queue_head_t wq;
	unsigned long seq;
	struct kref ref;
};

extern struct hsxmbx_bytes_wait hsxmbx_bytes;

int hsxmbx_node_init(void);
void hsxmbx_node_exit(void);
void hsxmbx_node_unlock_and_flush(struct mutex *engine_lock);

struct hsxmbx_dnode *hsxmbx_dnode_get(struct mbx_desc *d);
void hsxmbx_dnode_put(struct hsxmbx_dnode *dn);

int hsxmbx_node_open(struct inode *inode, struct file *file);
umode_t hsxmbx_node_mode(struct device *dev);

/* mbx_ops hooks. */
void hsxmbx_node_space(void *host, struct mbx_desc *d);
void hsxmbx_node_readable(void *host, struct mbx_desc *d);
u32 hsxmbx_node_created(void *host, struct mbx_desc *d);
void hsxmbx_node_destroyed(void *host, struct mbx_desc *d);

#endif /* HSXMBX_NODE_H */
