// SPDX-License-Identifier: MIT
/*
 * DOC: Commands on the control device
 *
 * Each convenience function fills one uapi struct for PID 0, issues the
 * ioctl through hsxmbx_cmd() and folds the HSX status into an errno.  They
 * are deliberately thin: anything that needs the raw status or another PID
 * uses hsxmbx_cmd() with the struct directly.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hsxmbx/hsxmbx.h"

int hsxmbx_open_control(int flags)
{
	const char *path = getenv("HSXMBX_CONTROL");
	int fd;

	if (!path || !*path)
		path = HSXMBX_CONTROL_PATH;
	fd = open(path, O_RDWR | O_CLOEXEC | flags);
	return fd < 0 ? -errno : fd;
}

int hsxmbx_cmd(int fd, unsigned long cmd, void *arg)
{
	int r = ioctl(fd, cmd, arg);

	return r < 0 ? -errno : r;
}

/* Issue cmd and map its status; 0 or -errno. */
static int cmd_errno(int fd, unsigned long cmd, void *arg)
{
	return hsxmbx_res_errno(hsxmbx_cmd(fd, cmd, arg));
}

int hsxmbx_features(int fd, struct hsxmbx_features *out)
{
	memset(out, 0, sizeof(*out));
	return cmd_errno(fd, HSXMBX_IOC_GET_FEATURES, out);
}

int hsxmbx_bind(int fd, const char *target, uint32_t capacity, uint32_t mode)
{
	struct hsxmbx_bind a;
	int r;

	hsxmbx_init_bind(&a, 0, target, capacity, mode);
	r = cmd_errno(fd, HSXMBX_IOC_BIND, &a);
	return r < 0 ? r : (int)a.descriptor_id;
}

int hsxmbx_unbind(int fd, const char *target, uint64_t flags)
{
	struct hsxmbx_unbind a;

	hsxmbx_init_unbind(&a, 0, target, flags);
	return cmd_errno(fd, HSXMBX_IOC_UNBIND, &a);
}

int hsxmbx_open_id(int fd, const char *target, uint32_t access, uint32_t *descriptor_id)
{
	struct hsxmbx_open a;
	int r;

	hsxmbx_init_open(&a, 0, target, access);
	r = cmd_errno(fd, HSXMBX_IOC_OPEN, &a);
	if (r < 0)
		return r;
	if (descriptor_id)
		*descriptor_id = a.descriptor_id;
	return (int)a.handle;
}

int hsxmbx_open(int fd, const char *target, uint32_t access)
{
	return hsxmbx_open_id(fd, target, access, NULL);
}

int hsxmbx_close(int fd, uint32_t handle)
{
	struct hsxmbx_close a = { .handle = handle };

	return cmd_errno(fd, HSXMBX_IOC_CLOSE, &a);
}

int hsxmbx_send_seq(int fd, uint32_t handle, const void *buf, size_t len, uint32_t msg_flags,
		    uint32_t channel, uint32_t *seq)
{
	struct hsxmbx_send a;
	int r;

	if (len > HSX_MBX_MAX_MSG_BYTES)
		return -EMSGSIZE;
	hsxmbx_init_send(&a, 0, handle, buf, (uint32_t)len, msg_flags, channel);
	r = cmd_errno(fd, HSXMBX_IOC_SEND, &a);
	if (r < 0)
		return r;
	if (seq)
		*seq = a.seq;
	return (int)a.sent;
}

int hsxmbx_send(int fd, uint32_t handle, const void *buf, size_t len, uint32_t msg_flags,
		uint32_t channel)
{
	return hsxmbx_send_seq(fd, handle, buf, len, msg_flags, channel, NULL);
}

int hsxmbx_recv(int fd, uint32_t handle, void *buf, size_t len, uint32_t timeout,
		struct hsxmbx_msg_info *info)
{
	struct hsxmbx_recv a;
	int r;

	if (len > UINT32_MAX)
		len = UINT32_MAX;
	hsxmbx_init_recv(&a, 0, handle, buf, (uint32_t)len, timeout);
	r = cmd_errno(fd, HSXMBX_IOC_RECV, &a);
	if (r < 0)
		return r;
	if (info) {
		info->length = a.length;
		info->msg_len = a.msg_len;
		info->flags = a.msg_flags;
		info->channel = a.channel;
		info->src_pid = a.src_pid;
		info->seq = a.seq;
	}
	return (int)a.length;
}

int hsxmbx_peek(int fd, uint32_t handle, struct hsxmbx_peek *out)
{
	memset(out, 0, sizeof(*out));
	out->handle = handle;
	return cmd_errno(fd, HSXMBX_IOC_PEEK, out);
}

int hsxmbx_tap(int fd, uint32_t handle, bool enable)
{
	struct hsxmbx_tap a = { .handle = handle, .enable = enable ? 1 : 0 };

	return cmd_errno(fd, HSXMBX_IOC_TAP, &a);
}

int hsxmbx_handle_fd(int fd, uint32_t handle, uint64_t flags)
{
	struct hsxmbx_handle_fd a = { .flags = flags, .handle = handle };
	int r;

	r = cmd_errno(fd, HSXMBX_IOC_HANDLE_FD, &a);
	return r < 0 ? r : a.fd;
}

int hsxmbx_task_register(int fd, uint32_t pid, uint32_t stdio_capacity, uint32_t stdio_mode)
{
	struct hsxmbx_task a = {
		.pid = pid,
		.stdio_capacity = stdio_capacity,
		.stdio_mode = stdio_mode,
	};

	return cmd_errno(fd, HSXMBX_IOC_TASK_REGISTER, &a);
}

int hsxmbx_task_unregister(int fd, uint32_t pid)
{
	struct hsxmbx_task a = { .pid = pid };

	return cmd_errno(fd, HSXMBX_IOC_TASK_UNREGISTER, &a);
}

/* One SNAPSHOT call into a caller-sized array; returns descs_count. */
static int snapshot_once(int fd, struct hsxmbx_desc_info *descs, uint32_t cap,
			 struct hsxmbx_stats *stats)
{
	struct hsxmbx_snapshot a = {
		.descs_ptr = (uintptr_t)descs,
		.descs_cap = cap,
		.stats_ptr = (uintptr_t)stats,
	};
	int r = cmd_errno(fd, HSXMBX_IOC_SNAPSHOT, &a);

	return r < 0 ? r : (int)a.descs_count;
}

/*
 * Ask for the count first, then grow the array until everything fits:
 * descriptors may be created between the calls, so loop rather than trust
 * the first count.
 */
int hsxmbx_snapshot(int fd, struct hsxmbx_desc_info **descs, struct hsxmbx_stats *stats)
{
	struct hsxmbx_desc_info *arr = NULL, *grown;
	uint32_t cap = 0;
	int n;

	if (descs)
		*descs = NULL;
	for (;;) {
		n = snapshot_once(fd, arr, cap, stats);
		if (n < 0 || !descs || (uint32_t)n <= cap)
			break;
		cap = (uint32_t)n + 16;
		grown = realloc(arr, cap * sizeof(*arr));
		if (!grown) {
			n = -ENOMEM;
			break;
		}
		arr = grown;
	}
	if (n < 0 || !descs)
		free(arr);
	else
		*descs = arr;
	return n;
}
