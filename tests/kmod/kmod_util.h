/* SPDX-License-Identifier: GPL-2.0 */
/* Thin wrappers over the hsxmbx ioctl ABI for the in-rig kselftests. */
#ifndef HSXMBX_KMOD_UTIL_H
#define HSXMBX_KMOD_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "uapi/hsxmbx.h"

#define CONTROL "/dev/hsxmbx/control"

static inline int ctl_open(void)
{
	return open(CONTROL, O_RDWR | O_CLOEXEC);
}

/* Each helper returns the ioctl result: HSX status >= 0, or -errno. */
static inline int xioctl(int fd, unsigned long cmd, void *arg)
{
	int r = ioctl(fd, cmd, arg);

	return r < 0 ? -errno : r;
}

static inline int mbx_bind(int fd, uint32_t pid, const char *target,
			   uint32_t cap, uint32_t mode, uint32_t *id)
{
	struct hsxmbx_bind b = {
		.pid = pid, .capacity = cap, .mode = mode,
		.target_ptr = (uintptr_t)target, .target_len = strlen(target),
	};
	int r = xioctl(fd, HSXMBX_IOC_BIND, &b);

	if (id)
		*id = b.descriptor_id;
	return r;
}

static inline int mbx_unbind(int fd, const char *target, uint64_t flags)
{
	struct hsxmbx_unbind u = {
		.flags = flags, .target_ptr = (uintptr_t)target,
		.target_len = strlen(target),
	};

	return xioctl(fd, HSXMBX_IOC_UNBIND, &u);
}

static inline int mbx_open(int fd, uint32_t pid, const char *target,
			   uint32_t access, uint32_t *handle)
{
	struct hsxmbx_open o = {
		.pid = pid, .access = access,
		.target_ptr = (uintptr_t)target, .target_len = strlen(target),
	};
	int r = xioctl(fd, HSXMBX_IOC_OPEN, &o);

	if (handle)
		*handle = o.handle;
	return r;
}

static inline int mbx_close(int fd, uint32_t pid, uint32_t handle)
{
	struct hsxmbx_close c = { .pid = pid, .handle = handle };

	return xioctl(fd, HSXMBX_IOC_CLOSE, &c);
}

static inline int mbx_send(int fd, uint32_t pid, uint32_t handle,
			   const void *buf, uint32_t len, uint32_t flags)
{
	struct hsxmbx_send s = {
		.pid = pid, .handle = handle, .payload_ptr = (uintptr_t)buf,
		.payload_len = len, .msg_flags = flags,
	};

	return xioctl(fd, HSXMBX_IOC_SEND, &s);
}

static inline int mbx_sends(int fd, uint32_t handle, const char *s)
{
	return mbx_send(fd, 0, handle, s, strlen(s), 0);
}

static inline int mbx_recv(int fd, uint32_t pid, uint32_t handle, void *buf,
			   uint32_t len, uint32_t timeout,
			   struct hsxmbx_recv *out)
{
	struct hsxmbx_recv r = {
		.pid = pid, .handle = handle, .buf_ptr = (uintptr_t)buf,
		.buf_len = len, .timeout = timeout,
	};
	int ret = xioctl(fd, HSXMBX_IOC_RECV, &r);

	if (out)
		*out = r;
	return ret;
}

static inline int mbx_peek(int fd, uint32_t handle, struct hsxmbx_peek *p)
{
	memset(p, 0, sizeof(*p));
	p->handle = handle;
	return xioctl(fd, HSXMBX_IOC_PEEK, p);
}

static inline int mbx_tap(int fd, uint32_t handle, int enable)
{
	struct hsxmbx_tap t = { .handle = handle, .enable = enable };

	return xioctl(fd, HSXMBX_IOC_TAP, &t);
}

static inline int mbx_handle_fd(int fd, uint32_t pid, uint32_t handle,
				uint64_t flags)
{
	struct hsxmbx_handle_fd h = {
		.flags = flags | HSXMBX_FD_CLOEXEC, .pid = pid, .handle = handle,
	};
	int r = xioctl(fd, HSXMBX_IOC_HANDLE_FD, &h);

	return r < 0 ? r : r > 0 ? -1000 - r : h.fd;
}

static inline int mbx_task(int fd, unsigned long cmd, uint32_t pid)
{
	struct hsxmbx_task t = { .pid = pid };

	return xioctl(fd, cmd, &t);
}

static inline int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* A unique target per test so tests never see each other's mailboxes. */
static inline const char *uniq(const char *prefix)
{
	static char buf[8][64];
	static int n;
	char *b = buf[n++ & 7];

	snprintf(b, 64, "%s%d_%d", prefix, getpid(), n);
	return b;
}

#endif /* HSXMBX_KMOD_UTIL_H */
