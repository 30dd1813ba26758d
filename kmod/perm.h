/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HSXMBX_PERM_H
#define HSXMBX_PERM_H

#include <linux/types.h>

#include "mbx/mbx.h"

struct hsxmbx_dnode;

/* desc_created: record what the node's mode depends on. */
void hsxmbx_perm_created(struct hsxmbx_dnode *dn, struct mbx_desc *d);
umode_t hsxmbx_perm_node_mode(const struct hsxmbx_dnode *dn);

#endif /* HSXMBX_PERM_H */
