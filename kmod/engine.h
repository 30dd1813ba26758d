/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HSXMBX_ENGINE_H
#define HSXMBX_ENGINE_H

#include <linux/gfp.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>

#include "mbx/mbx.h"

/*
 * Every allocation a user can cause: charged to a memory cgroup, and
 * failing (ENOMEM to the caller) rather than invoking the OOM killer when
 * that cgroup is at memory.max.
 */
#define HSXMBX_GFP (GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL)

/* The one engine of the module, serialised by hsxmbx_lock(). */
extern struct mbx_engine *hsxmbx_eng;

int hsxmbx_engine_init(const struct mbx_config *cfg);
void hsxmbx_engine_exit(void);

void hsxmbx_lock(void);
/* Drop the engine lock, then run the node work queued under it. */
void hsxmbx_unlock(void);
void hsxmbx_assert_locked(void);

/* Allocate a message for `len` payload bytes in the caller's memcg. */
struct mbx_msg *hsxmbx_msg_alloc(u32 len);
void hsxmbx_msg_put(struct mbx_msg *m);

/* debugfs "memory": "<kind> <objects> <bytes>" lines, then "total". */
void hsxmbx_memory_show(struct seq_file *m);

/* Errno for an engine status where a file operation needs one. */
int hsxmbx_status_errno(u32 status);

#endif /* HSXMBX_ENGINE_H */
