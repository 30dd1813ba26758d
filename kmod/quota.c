// SPDX-License-Identifier: GPL-2.0
/*
 * DOC: Per-user descriptor quota
 *
 * The descriptor pool (max_descriptors) is shared by every opener of the
 * control device.  Without a per-user limit any user allowed to open it
 * could bind app: mailboxes until the pool is full, and the executive's
 * TASK_REGISTER (four descriptors per task) would fail: a denial of
 * service against every VM task.  So a descriptor created through a
 * control file without executive rights is charged to the uid that
 * opened that file (the file's credentials, like the executive check:
 * rights travel with the file), and each uid may hold at most
 * descriptors_per_user of them.  The executive's creations are never
 * charged.  A charge is dropped when its descriptor is destroyed,
 * whoever destroys it (a forced UNBIND by the executive included).
 *
 * The command that may create a descriptor (BIND, OPEN) names the payer
 * around the engine call, under the engine lock; the engine's
 * desc_created hook charges it or refuses the descriptor, which the
 * engine reports as NO_DESCRIPTOR and an exhausted{host_quota} event.
 * Counts live in an xarray keyed by uid, as value entries: no per-user
 * allocation to free.  The same hook also asks who the payer is, to
 * record each descriptor's creator for the permission checks
 * (kmod/perm.c): with no payer named (TASK_REGISTER, the executive's
 * own commands) the creator is the executive.
 */
#include <linux/cred.h>
#include <linux/xarray.h>

#include "control.h"
#include "engine.h"
#include "quota.h"

static DEFINE_XARRAY(hsxmbx_quota_users);
static u32 hsxmbx_quota_max; /* 0: no limit */
static u64 hsxmbx_quota_refused;
static bool hsxmbx_quota_payer_set;
static kuid_t hsxmbx_quota_payer;

/* per_user: -1 = a quarter of the pool (none if the pool is unlimited). */
void hsxmbx_quota_init(int per_user, u32 max_descriptors)
{
	if (per_user >= 0)
		hsxmbx_quota_max = per_user;
	else
		hsxmbx_quota_max = max_descriptors ? max(max_descriptors / 4, 1U) : 0;
}

void hsxmbx_quota_exit(void)
{
	xa_destroy(&hsxmbx_quota_users);
}

u32 hsxmbx_quota_limit(void)
{
	return hsxmbx_quota_max;
}

void hsxmbx_quota_set_payer(const struct hsxmbx_ctl *ctl)
{
	hsxmbx_assert_locked();
	hsxmbx_quota_payer_set = !ctl->exec;
	hsxmbx_quota_payer = ctl->uid;
}

void hsxmbx_quota_clear_payer(void)
{
	hsxmbx_quota_payer_set = false;
}

/* Under the engine lock: true and the uid if a non-executive file creates. */
bool hsxmbx_quota_payer_uid(kuid_t *uid)
{
	hsxmbx_assert_locked();
	if (!hsxmbx_quota_payer_set)
		return false;
	*uid = hsxmbx_quota_payer;
	return true;
}

static unsigned long hsxmbx_quota_key(kuid_t uid)
{
	return from_kuid(&init_user_ns, uid);
}

u32 hsxmbx_quota_charge(struct hsxmbx_quota_charge *c)
{
	unsigned long key, held;

	c->charged = false;
	if (!hsxmbx_quota_payer_set || !hsxmbx_quota_max)
		return HSX_MBX_STATUS_OK;
	key = hsxmbx_quota_key(hsxmbx_quota_payer);
	held = xa_to_value(xa_load(&hsxmbx_quota_users, key) ?: xa_mk_value(0));
	if (held >= hsxmbx_quota_max) {
		hsxmbx_quota_refused++;
		return HSX_MBX_STATUS_NO_DESCRIPTOR;
	}
	if (xa_err(xa_store(&hsxmbx_quota_users, key, xa_mk_value(held + 1), HSXMBX_GFP)))
		return HSX_MBX_STATUS_INTERNAL_ERROR;
	c->charged = true;
	c->uid = hsxmbx_quota_payer;
	return HSX_MBX_STATUS_OK;
}

void hsxmbx_quota_uncharge(struct hsxmbx_quota_charge *c)
{
	unsigned long key, held;

	if (!c->charged)
		return;
	c->charged = false;
	key = hsxmbx_quota_key(c->uid);
	held = xa_to_value(xa_load(&hsxmbx_quota_users, key) ?: xa_mk_value(0));
	if (WARN_ON_ONCE(!held))
		return;
	if (held == 1)
		xa_erase(&hsxmbx_quota_users, key);
	else /* replaces an existing entry: no allocation, cannot fail */
		xa_store(&hsxmbx_quota_users, key, xa_mk_value(held - 1), GFP_KERNEL);
}

/* debugfs "users": the limit, refusals, then "uid descriptors" lines. */
void hsxmbx_quota_show(struct seq_file *m)
{
	unsigned long key;
	void *entry;

	hsxmbx_lock();
	seq_printf(m, "descriptors_per_user %u\nrefused %llu\n", hsxmbx_quota_max,
		   hsxmbx_quota_refused);
	xa_for_each(&hsxmbx_quota_users, key, entry)
		seq_printf(m, "%lu %lu\n", key, xa_to_value(entry));
	hsxmbx_unlock();
}
