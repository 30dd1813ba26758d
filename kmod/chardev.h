/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HSXMBX_CHARDEV_H
#define HSXMBX_CHARDEV_H

#include <linux/device.h>

int hsxmbx_chardev_init(void);
void hsxmbx_chardev_exit(void);

#endif /* HSXMBX_CHARDEV_H */
