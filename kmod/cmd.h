/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HSXMBX_CMD_H
#define HSXMBX_CMD_H

#include <linux/types.h>

struct hsxmbx_ctl;

/* Never sleep: blocking commands behave as with HSX_MBX_TIMEOUT_POLL. */
#define HSXMBX_HOW_NONBLOCK (1u << 0)

long hsxmbx_cmd(struct hsxmbx_ctl *ctl, unsigned int cmd, void __user *uarg, unsigned int how);

#endif /* HSXMBX_CMD_H */
