// SPDX-License-Identifier: GPL-2.0
/*
 * DOC: Human-readable view
 *
 * debugfs, not sysfs: the view is a table (one line per descriptor), which
 * sysfs's one-value-per-file rule does not fit, and it is for humans, not
 * a stable ABI (programs use HSXMBX_IOC_SNAPSHOT).
 *
 *   /sys/kernel/debug/hsxmbx/descriptors  one line per live descriptor
 *   /sys/kernel/debug/hsxmbx/stats        global statistics, key value
 *   /sys/kernel/debug/hsxmbx/users        per-user quota: limit, refusals,
 *                                          "uid descriptors" per charged uid
 *   /sys/kernel/debug/hsxmbx/memory       live engine objects per kind:
 *                                          "kind objects bytes", then "total"
 *
 * All but "memory" (atomic counters) are generated under the engine lock
 * with seq_file.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "debugfs.h"
#include "engine.h"
#include "quota.h"

static struct dentry *hsxmbx_debugfs_dir;

static int hsxmbx_debugfs_desc(struct mbx_desc *d, void *arg)
{
	struct seq_file *m = arg;
	struct hsxmbx_desc_info i;
	char target[HSX_MBX_MAX_NAME_BYTES + 24];

	mbx_desc_info(d, &i);
	mbx_target_format(d, target, sizeof(target));
	seq_printf(m, "%5u %-32s %5d 0x%02x %8u %8u %6u %4u %4u %4u %10llu %10llu %10llu\n",
		   i.descriptor_id, target, i.owner_pid == MBX_NO_OWNER ? -1 : (int)i.owner_pid,
		   i.mode, i.capacity, i.bytes_used, i.queue_depth, i.readers, i.taps, i.waiters,
		   i.sent, i.dropped, i.overruns);
	return 0;
}

static int hsxmbx_descriptors_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "%5s %-32s %5s %4s %8s %8s %6s %4s %4s %4s %10s %10s %10s\n", "id", "target",
		   "owner", "mode", "capacity", "used", "depth", "rdrs", "taps", "wait", "sent",
		   "dropped", "overrun");
	hsxmbx_lock();
	mbx_visit_descs(hsxmbx_eng, hsxmbx_debugfs_desc, m);
	hsxmbx_unlock();
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hsxmbx_descriptors);

static int hsxmbx_stats_show(struct seq_file *m, void *unused)
{
	struct hsxmbx_stats s;

	hsxmbx_lock();
	mbx_stats(hsxmbx_eng, &s);
	hsxmbx_unlock();
	seq_printf(m,
		   "max_descriptors %u\nactive_descriptors %u\n"
		   "free_descriptors %u\nhandle_limit_per_pid %u\n"
		   "total_capacity %llu\nbytes_used %llu\nbytes_available %llu\n"
		   "queue_depth %u\nhandles_total %u\ntap_rate_limit %u\n"
		   "descriptor_pool_exhausted %u\ntap_count %u\n"
		   "tap_queue_depth %u\nwaiter_count %u\nfanout_descriptors %u\n"
		   "tasks %u\n",
		   s.max_descriptors, s.active_descriptors, s.free_descriptors,
		   s.handle_limit_per_pid, s.total_capacity, s.bytes_used, s.bytes_available,
		   s.queue_depth, s.handles_total, s.tap_rate_limit, s.descriptor_pool_exhausted,
		   s.tap_count, s.tap_queue_depth, s.waiter_count, s.fanout_descriptors, s.tasks);
	seq_printf(m,
		   "sent %llu\nreceived %llu\ndropped %llu\noverruns %llu\n"
		   "backpressure %llu\nexhausted %llu\nerrors %llu\n"
		   "truncated %llu\n",
		   s.sent, s.received, s.dropped, s.overruns, s.backpressure, s.exhausted, s.errors,
		   s.truncated);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hsxmbx_stats);

static int hsxmbx_memory_file_show(struct seq_file *m, void *unused)
{
	hsxmbx_memory_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hsxmbx_memory_file);

static int hsxmbx_users_show(struct seq_file *m, void *unused)
{
	hsxmbx_quota_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hsxmbx_users);

void hsxmbx_debugfs_init(void)
{
	hsxmbx_debugfs_dir = debugfs_create_dir("hsxmbx", NULL);
	debugfs_create_file("descriptors", 0444, hsxmbx_debugfs_dir, NULL,
			    &hsxmbx_descriptors_fops);
	debugfs_create_file("stats", 0444, hsxmbx_debugfs_dir, NULL, &hsxmbx_stats_fops);
	debugfs_create_file("users", 0444, hsxmbx_debugfs_dir, NULL, &hsxmbx_users_fops);
	debugfs_create_file("memory", 0444, hsxmbx_debugfs_dir, NULL, &hsxmbx_memory_file_fops);
}

void hsxmbx_debugfs_exit(void)
{
	debugfs_remove_recursive(hsxmbx_debugfs_dir);
}
