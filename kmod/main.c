// SPDX-License-Identifier: GPL-2.0
/*
 * DOC: Module glue
 *
 * hsxmbx.ko moves the HSX mailbox service into the kernel.  This file only
 * wires the concerns together: the engine (engine.c), the node machinery
 * (node.c), the device region and control device (chardev.c) and the
 * human-readable view (debugfs.c).  Initialisation runs in dependency
 * order and unwinds in reverse through the goto ladder.
 *
 * Limits come from module parameters: a profile (reference section 1.3)
 * and per-field overrides.  -1 keeps the profile's value.  The desktop
 * profile's 256 descriptors hold only 64 VM tasks (4 descriptors each);
 * the executive's rig loads the module with max_descriptors=0 (unlimited)
 * or a figure sized for its task count.  descriptors_per_user caps what
 * each non-executive uid may create (quota.c).
 */
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "chardev.h"
#include "debugfs.h"
#include "engine.h"
#include "main.h"
#include "node.h"
#include "quota.h"
#include "task.h"

static char *profile = "desktop";
module_param(profile, charp, 0444);
MODULE_PARM_DESC(profile, "Resource profile: desktop (default) or embedded");

static int max_descriptors = -1;
module_param(max_descriptors, int, 0444);
MODULE_PARM_DESC(max_descriptors, "Descriptor pool limit (0 = unlimited, -1 = profile)");

static int handles_per_pid = -1;
module_param(handles_per_pid, int, 0444);
MODULE_PARM_DESC(handles_per_pid, "Open handles per PID (0 = unlimited, -1 = profile)");

static int default_capacity = -1;
module_param(default_capacity, int, 0444);
MODULE_PARM_DESC(default_capacity, "Default descriptor capacity in bytes (-1 = profile)");

static int tap_rate_limit = -1;
module_param(tap_rate_limit, int, 0444);
MODULE_PARM_DESC(tap_rate_limit, "Messages per second per tap (0 = unlimited, -1 = profile)");

static long max_total_bytes = -1;
module_param(max_total_bytes, long, 0444);
MODULE_PARM_DESC(max_total_bytes, "Global cap on queued bytes (0 = none, -1 = profile)");

static int descriptors_per_user = -1;
module_param(descriptors_per_user, int, 0444);
MODULE_PARM_DESC(
	descriptors_per_user,
	"Descriptors each non-executive uid may create (0 = unlimited, -1 = a quarter of the pool)");

static int max_msg_bytes = HSX_MBX_MAX_MSG_BYTES;
module_param(max_msg_bytes, int, 0444);
MODULE_PARM_DESC(max_msg_bytes, "Largest message payload accepted (<= 65536)");

static uint debug_id_start = 1;
module_param(debug_id_start, uint, 0444);
MODULE_PARM_DESC(debug_id_start,
		 "Tests only: first descriptor id and PID-0 handle number, to reach the u32 wrap");

u32 hsxmbx_profile;

u32 hsxmbx_max_msg_bytes(void)
{
	return max_msg_bytes;
}

static void hsxmbx_override(u32 *field, long value)
{
	if (value >= 0)
		*field = value;
}

static int hsxmbx_config(struct mbx_config *cfg)
{
	if (!strcmp(profile, "desktop"))
		hsxmbx_profile = HSX_MBX_PROFILE_DESKTOP;
	else if (!strcmp(profile, "embedded"))
		hsxmbx_profile = HSX_MBX_PROFILE_EMBEDDED;
	else
		return -EINVAL;
	if (max_msg_bytes <= 0 || max_msg_bytes > HSX_MBX_MAX_MSG_BYTES)
		return -EINVAL;
	if (mbx_config_profile(cfg, hsxmbx_profile))
		return -EINVAL;
	hsxmbx_override(&cfg->max_descriptors, max_descriptors);
	hsxmbx_override(&cfg->handles_per_pid, handles_per_pid);
	hsxmbx_override(&cfg->default_capacity, default_capacity);
	hsxmbx_override(&cfg->tap_rate_limit, tap_rate_limit);
	if (max_total_bytes >= 0)
		cfg->max_total_bytes = max_total_bytes;
	cfg->max_msg_bytes = max_msg_bytes;
	cfg->id_start = debug_id_start;
	hsxmbx_quota_init(descriptors_per_user, cfg->max_descriptors);
	return 0;
}

static int __init hsxmbx_init(void)
{
	struct mbx_config cfg = {};
	int ret;

	ret = hsxmbx_config(&cfg);
	if (ret)
		goto err_config;
	ret = hsxmbx_node_init();
	if (ret)
		goto err_node;
	ret = hsxmbx_engine_init(&cfg);
	if (ret)
		goto err_engine;
	ret = hsxmbx_task_init();
	if (ret)
		goto err_task;
	ret = hsxmbx_chardev_init();
	if (ret)
		goto err_chardev;
	hsxmbx_debugfs_init();
	pr_info("hsxmbx: loaded (ABI %d, profile %s, %u descriptors, %u per user)\n",
		HSXMBX_ABI_VERSION, profile, cfg.max_descriptors, hsxmbx_quota_limit());
	return 0;

err_chardev:
	hsxmbx_task_exit();
err_task:
	hsxmbx_engine_exit();
err_engine:
	hsxmbx_node_exit();
err_node:
	hsxmbx_quota_exit();
err_config:
	return ret;
}

static void __exit hsxmbx_exit(void)
{
	hsxmbx_debugfs_exit();
	hsxmbx_task_exit();
	hsxmbx_engine_exit();
	hsxmbx_chardev_exit();
	hsxmbx_node_exit();
	hsxmbx_quota_exit();
}

module_init(hsxmbx_init);
module_exit(hsxmbx_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("HSX mailboxes as character devices");
MODULE_AUTHOR("hsxmbx developers");
