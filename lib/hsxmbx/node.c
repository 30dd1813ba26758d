// SPDX-License-Identifier: MIT
/*
 * DOC: Device nodes
 *
 * Each live descriptor has a node under /dev/hsxmbx named after its
 * canonical target with the namespace as directory.  These helpers find
 * and open it and wrap the node ioctls, for programs that want the
 * cat/echo view (taps and senders) without a control handle.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hsxmbx/hsxmbx.h"

int hsxmbx_node_path(char *buf, size_t size, const char *target)
{
	struct hsxmbx_target t;
	char canon[64];
	const char *rest;

	if (hsxmbx_target_parse(&t, target, 0) < 0)
		return -EINVAL;
	hsxmbx_target_format(canon, sizeof(canon), t.ns, t.owner, t.name);
	rest = strchr(canon, ':') + 1;
	return snprintf(buf, size, "%s/%s/%s", HSXMBX_DEV_DIR, hsxmbx_ns_name(t.ns), rest);
}

int hsxmbx_open_node(const char *target, int flags)
{
	char path[128];
	int fd;

	if (hsxmbx_node_path(path, sizeof(path), target) < 0)
		return -EINVAL;
	fd = open(path, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Node ioctls return 0 or -1/errno (no HSX status). */
static int node_ioctl(int fd, unsigned long cmd, void *arg)
{
	int r = ioctl(fd, cmd, arg);

	return r < 0 ? -errno : hsxmbx_res_errno(r);
}

int hsxmbx_node_info(int node_fd, struct hsxmbx_desc_info *out)
{
	memset(out, 0, sizeof(*out));
	return node_ioctl(node_fd, HSXMBX_IOC_NODE_INFO, out);
}

int hsxmbx_node_peek(int node_fd, struct hsxmbx_peek *out)
{
	memset(out, 0, sizeof(*out));
	return node_ioctl(node_fd, HSXMBX_IOC_NODE_PEEK, out);
}

int hsxmbx_tap_stats(int fd, struct hsxmbx_tap_stats *out)
{
	memset(out, 0, sizeof(*out));
	return node_ioctl(fd, HSXMBX_IOC_NODE_TAP_STATS, out);
}
