// SPDX-License-Identifier: GPL-2.0
/*
 * DOC: Module glue
 *
 * hsxmbx.ko moves the HSX mailbox service into the kernel.  This file only
 * wires the concerns together: the engine (engine.c), the device region
 * and control device (chardev.c), the human-readable view (debugfs.c).
 * Initialisation runs in dependency order and unwinds in reverse through
 * the goto ladder, so a failure at any step leaves nothing behind.
 */
#include <linux/module.h>

#include "chardev.h"
#include "main.h"

static int __init hsxmbx_init(void)
{
	int ret;

	ret = hsxmbx_chardev_init();
	if (ret)
		goto err_chardev;
	pr_info("hsxmbx: loaded (ABI %d)\n", HSXMBX_ABI_VERSION);
	return 0;

err_chardev:
	return ret;
}

static void __exit hsxmbx_exit(void)
{
	hsxmbx_chardev_exit();
	pr_info("hsxmbx: unloaded\n");
}

module_init(hsxmbx_init);
module_exit(hsxmbx_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("HSX mailboxes as character devices");
MODULE_AUTHOR("hsxmbx developers");
