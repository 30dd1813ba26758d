/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HSXMBX_MAIN_H
#define HSXMBX_MAIN_H

#include <linux/types.h>

#include "uapi/hsxmbx.h"

/* Module parameters in effect (main.c). */
extern u32 hsxmbx_profile;
u32 hsxmbx_max_msg_bytes(void);

#endif /* HSXMBX_MAIN_H */
