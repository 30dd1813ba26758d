/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HSXMBX_PERM_H
#define HSXMBX_PERM_H

#include <linux/types.h>

#include "mbx/mbx.h"

struct hsxmbx_ctl;
struct hsxmbx_dnode;

/* desc_created: record the owner and the creator (under the engine lock). */
void hsxmbx_perm_created(struct hsxmbx_dnode *dn, struct mbx_desc *d);
umode_t hsxmbx_perm_node_mode(const struct hsxmbx_dnode *dn);

/* Under the engine lock: 0 or -EPERM. */
int hsxmbx_perm_bind(const struct hsxmbx_ctl *ctl, const char *target, u32 len, u32 capacity,
		     u32 mode);
int hsxmbx_perm_unbind(const struct hsxmbx_ctl *ctl, const char *target, u32 len);
bool hsxmbx_perm_visible(const struct hsxmbx_ctl *ctl, const struct mbx_desc *d);

#endif /* HSXMBX_PERM_H */
