// SPDX-License-Identifier: GPL-2.0
/*
 * DOC: Device region, class and control device
 *
 * hsxmbx owns one char device region (one major, every minor) served by a
 * single cdev.  Minor 0 is /dev/hsxmbx/control (control.c); the other
 * minors are the per-descriptor nodes (node.c), looked up by minor at
 * open time.  One cdev for the whole region keeps node creation cheap: a
 * node is one device_create(), no cdev_add().  Device names use '!' for
 * '/', so devtmpfs builds the /dev/hsxmbx/ tree; the class devnode hook
 * only chooses the permissions.
 */
#include <linux/cdev.h>
#include <linux/fs.h>
#include <linux/module.h>

#include "chardev.h"
#include "control.h"
#include "node.h"

#define HSXMBX_MINORS (MINORMASK + 1)

static dev_t hsxmbx_devt;
static struct cdev hsxmbx_cdev;
static struct class *hsxmbx_class;
static struct device *hsxmbx_control_dev;

static int hsxmbx_chardev_open(struct inode *inode, struct file *file)
{
	if (iminor(inode) == 0)
		return hsxmbx_control_open(inode, file);
	return hsxmbx_node_open(inode, file);
}

static const struct file_operations hsxmbx_chardev_fops = {
	.owner = THIS_MODULE,
	.open = hsxmbx_chardev_open,
	.llseek = noop_llseek,
};

static char *hsxmbx_devnode(struct device *dev, umode_t *mode)
{
	if (mode)
		*mode = dev->devt == hsxmbx_devt ? 0666 : hsxmbx_node_mode(dev);
	return NULL;
}

struct device *hsxmbx_chardev_create(u32 minor, void *drvdata, const char *name)
{
	return device_create(hsxmbx_class, NULL, MKDEV(MAJOR(hsxmbx_devt), minor), drvdata, "%s",
			     name);
}

int hsxmbx_chardev_init(void)
{
	int ret;

	ret = alloc_chrdev_region(&hsxmbx_devt, 0, HSXMBX_MINORS, "hsxmbx");
	if (ret)
		goto err_region;
	cdev_init(&hsxmbx_cdev, &hsxmbx_chardev_fops);
	hsxmbx_cdev.owner = THIS_MODULE;
	ret = cdev_add(&hsxmbx_cdev, hsxmbx_devt, HSXMBX_MINORS);
	if (ret)
		goto err_cdev;
	hsxmbx_class = class_create(THIS_MODULE, "hsxmbx");
	ret = PTR_ERR_OR_ZERO(hsxmbx_class);
	if (ret)
		goto err_class;
	hsxmbx_class->devnode = hsxmbx_devnode;
	hsxmbx_control_dev = hsxmbx_chardev_create(0, NULL, "hsxmbx!control");
	ret = PTR_ERR_OR_ZERO(hsxmbx_control_dev);
	if (ret)
		goto err_control;
	return 0;

err_control:
	class_destroy(hsxmbx_class);
err_class:
	cdev_del(&hsxmbx_cdev);
err_cdev:
	unregister_chrdev_region(hsxmbx_devt, HSXMBX_MINORS);
err_region:
	return ret;
}

void hsxmbx_chardev_exit(void)
{
	device_unregister(hsxmbx_control_dev);
	class_destroy(hsxmbx_class);
	cdev_del(&hsxmbx_cdev);
	unregister_chrdev_region(hsxmbx_devt, HSXMBX_MINORS);
}
