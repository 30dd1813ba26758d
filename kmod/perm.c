// SPDX-License-Identifier: GPL-2.0
/*
 * DOC: Permissions
 *
 * Who may do what to a descriptor.  An opener's rights are fixed when it
 * opens the control device: with CAP_SYS_ADMIN it is the executive
 * (ctl->exec) and may do everything; otherwise it is an ordinary user,
 * known by its euid (ctl->uid).
 *
 * Task-owned descriptors (pid:N, svc:x@N, app:x@N with N != 0) belong to
 * the executive: the control device refuses them to anyone else
 * (hsxmbx_cmd_target), SNAPSHOT does not list them to anyone else, and
 * their device nodes are 0600.  The public ones (no owner, or owner 0:
 * app:x, app:x@0, shared:x, PID 0's svc:x) may be used by any opener of
 * the control device; their app: and shared: nodes are 0666 (svc: and
 * pid: nodes are always 0600).  A node is never more permissive than the
 * control device is for the same target.
 *
 * Each descriptor records its creator when the desc_created hook runs:
 * the euid of the control file whose BIND or auto-creating OPEN created
 * it (the quota payer), or the executive (its own commands and
 * TASK_REGISTER name no payer).  Every PID-0 BIND pins through the one
 * host binder task, so an UNBIND cannot tell whose pin it drops: a user
 * may UNBIND, forced or not, only a descriptor its uid created.  A
 * user's BIND of a descriptor it did not create may only pin it: a
 * capacity or mode other than 0 or the current one is refused.
 */
#include <linux/errno.h>
#include <linux/uidgid.h>

#include "control.h"
#include "engine.h"
#include "node.h"
#include "perm.h"
#include "quota.h"

/* Any PID-0 opener of the control device may use the target. */
static bool hsxmbx_perm_public(u32 owner)
{
	return owner == MBX_NO_OWNER || owner == 0;
}

void hsxmbx_perm_created(struct hsxmbx_dnode *dn, struct mbx_desc *d)
{
	dn->ns = mbx_desc_ns(d);
	dn->owner = mbx_desc_owner(d);
	dn->creator_exec = !hsxmbx_quota_payer_uid(&dn->creator);
}

umode_t hsxmbx_perm_node_mode(const struct hsxmbx_dnode *dn)
{
	if ((dn->ns == HSX_MBX_NAMESPACE_APP || dn->ns == HSX_MBX_NAMESPACE_SHARED) &&
	    hsxmbx_perm_public(dn->owner))
		return 0666;
	return 0600;
}

static bool hsxmbx_perm_created_by(const struct hsxmbx_ctl *ctl, const struct mbx_desc *d)
{
	const struct hsxmbx_dnode *dn = mbx_desc_host(d);

	return dn && !dn->creator_exec && uid_eq(dn->creator, ctl->uid);
}

/* A non-executive's (PID 0) target: its live descriptor, or NULL. */
static struct mbx_desc *hsxmbx_perm_find(const char *target, u32 len)
{
	struct mbx_target tg;

	hsxmbx_assert_locked();
	if (mbx_target_parse(&tg, target, len, 0))
		return NULL;
	return mbx_desc_lookup(hsxmbx_eng, &tg);
}

int hsxmbx_perm_bind(const struct hsxmbx_ctl *ctl, const char *target, u32 len, u32 capacity,
		     u32 mode)
{
	struct mbx_desc *d;

	if (ctl->exec)
		return 0;
	d = hsxmbx_perm_find(target, len);
	if (!d || hsxmbx_perm_created_by(ctl, d))
		return 0;
	if (capacity && capacity != mbx_desc_capacity(d))
		return -EPERM;
	if (mode && mode != mbx_desc_mode(d))
		return -EPERM;
	return 0;
}

int hsxmbx_perm_unbind(const struct hsxmbx_ctl *ctl, const char *target, u32 len)
{
	struct mbx_desc *d;

	if (ctl->exec)
		return 0;
	d = hsxmbx_perm_find(target, len);
	if (!d || hsxmbx_perm_created_by(ctl, d))
		return 0;
	return -EPERM;
}

bool hsxmbx_perm_visible(const struct hsxmbx_ctl *ctl, const struct mbx_desc *d)
{
	return ctl->exec || hsxmbx_perm_public(mbx_desc_owner(d));
}
