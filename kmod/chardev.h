/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HSXMBX_CHARDEV_H
#define HSXMBX_CHARDEV_H

#include <linux/device.h>

int hsxmbx_chardev_init(void);
void hsxmbx_chardev_exit(void);
struct device *hsxmbx_chardev_create(u32 minor, void *drvdata, const char *name);

#endif /* HSXMBX_CHARDEV_H */
