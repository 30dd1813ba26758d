// SPDX-License-Identifier: GPL-2.0
/*
 * DOC: Permissions
 *
 * Who may do what to a descriptor.  An opener's rights are fixed when it
 * opens the control device: with CAP_SYS_ADMIN it is the executive
 * (ctl->exec) and may do everything; otherwise it is an ordinary user.
 *
 * Task-owned descriptors (pid:N, svc:x@N, app:x@N with N != 0) belong to
 * the executive: the control device refuses them to anyone else
 * (hsxmbx_cmd_target) and their device nodes are 0600.  The public ones
 * (no owner, or owner 0: app:x, app:x@0, shared:x, PID 0's svc:x) may be
 * used by any opener of the control device; their app: and shared: nodes
 * are 0666 (svc: and pid: nodes are always 0600).  A node is never more
 * permissive than the control device is for the same target.
 */
#include "node.h"
#include "perm.h"

/* Any PID-0 opener of the control device may use the target. */
static bool hsxmbx_perm_public(u32 owner)
{
	return owner == MBX_NO_OWNER || owner == 0;
}

void hsxmbx_perm_created(struct hsxmbx_dnode *dn, struct mbx_desc *d)
{
	dn->ns = mbx_desc_ns(d);
	dn->owner = mbx_desc_owner(d);
}

umode_t hsxmbx_perm_node_mode(const struct hsxmbx_dnode *dn)
{
	if ((dn->ns == HSX_MBX_NAMESPACE_APP || dn->ns == HSX_MBX_NAMESPACE_SHARED) &&
	    hsxmbx_perm_public(dn->owner))
		return 0666;
	return 0600;
}
