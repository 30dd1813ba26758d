/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * DOC: rel.h: raw-ABI helpers and TAP output for the reliability tests
 *
 * The soak, fault, security and ABI-fuzz programs talk to the module
 * through the uapi ioctls directly (no libhsxmbx), so that what they test
 * is exactly the kernel ABI.  Every wrapper returns the HSX status (>= 0)
 * or -errno.  TAP: rel_ok() numbers the checks, rel_done() prints the plan
 * and returns the exit status.
 */
#ifndef HSX_TESTS_REL_H
#define HSX_TESTS_REL_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include "uapi/hsxmbx.h"

#define REL_CONTROL "/dev/hsxmbx/control"

static int rel_n, rel_failed;

static inline void rel_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++rel_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	rel_failed |= !cond;
}

static inline int rel_done(void)
{
	printf("1..%d\n", rel_n);
	return rel_failed;
}

static inline void rel_skip_all(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	exit(0);
}

static inline double rel_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline int rel_ioctl(int fd, unsigned long cmd, void *arg)
{
	int r = ioctl(fd, cmd, arg);

	return r < 0 ? -errno : r;
}

static inline int rel_ctl(void)
{
	return open(REL_CONTROL, O_RDWR | O_CLOEXEC);
}

static inline int rel_bind(int fd, const char *target, uint32_t cap, uint32_t mode)
{
	struct hsxmbx_bind b = { .capacity = cap, .mode = mode,
		.target_ptr = (uintptr_t)target, .target_len = strlen(target) };

	return rel_ioctl(fd, HSXMBX_IOC_BIND, &b);
}

static inline int rel_unbind(int fd, const char *target, uint64_t flags)
{
	struct hsxmbx_unbind u = { .flags = flags, .target_ptr = (uintptr_t)target,
		.target_len = strlen(target) };

	return rel_ioctl(fd, HSXMBX_IOC_UNBIND, &u);
}

static inline int rel_open(int fd, uint32_t pid, const char *target,
			   uint32_t access, uint32_t *handle)
{
	struct hsxmbx_open o = { .pid = pid, .access = access,
		.target_ptr = (uintptr_t)target, .target_len = strlen(target) };
	int r = rel_ioctl(fd, HSXMBX_IOC_OPEN, &o);

	*handle = o.handle;
	return r;
}

static inline int rel_close(int fd, uint32_t handle)
{
	struct hsxmbx_close c = { .handle = handle };

	return rel_ioctl(fd, HSXMBX_IOC_CLOSE, &c);
}

static inline int rel_send(int fd, uint32_t pid, uint32_t handle,
			   const void *buf, uint32_t len, uint32_t *seq)
{
	struct hsxmbx_send s = { .pid = pid, .handle = handle,
		.payload_ptr = (uintptr_t)buf, .payload_len = len };
	int r = rel_ioctl(fd, HSXMBX_IOC_SEND, &s);

	if (seq)
		*seq = s.seq;
	return r;
}

static inline int rel_recv(int fd, uint32_t handle, void *buf, uint32_t len,
			   uint32_t timeout, struct hsxmbx_recv *out)
{
	struct hsxmbx_recv r = { .handle = handle, .buf_ptr = (uintptr_t)buf,
		.buf_len = len, .timeout = timeout };
	int st = rel_ioctl(fd, HSXMBX_IOC_RECV, &r);

	if (out)
		*out = r;
	return st;
}

/* Global statistics (SNAPSHOT without the descriptor array). */
static inline int rel_stats(struct hsxmbx_stats *st)
{
	struct hsxmbx_snapshot s = { .stats_ptr = (uintptr_t)st };
	int fd = rel_ctl(), r;

	if (fd < 0)
		return -errno;
	r = rel_ioctl(fd, HSXMBX_IOC_SNAPSHOT, &s);
	close(fd);
	return r < 0 ? r : (int)s.descs_count;
}

/* The descriptor info of one target's device node, or -errno. */
static inline int rel_node_info(const char *node, struct hsxmbx_desc_info *info)
{
	int fd = open(node, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	memset(info, 0, sizeof(*info));
	r = rel_ioctl(fd, HSXMBX_IOC_NODE_INFO, info);
	close(fd);
	return r;
}

static inline const char *rel_st(int st)
{
	static char buf[32];

	if (st < 0)
		snprintf(buf, sizeof(buf), "-%s", strerror(-st));
	else
		snprintf(buf, sizeof(buf), "status %d", st);
	return buf;
}

#endif /* HSX_TESTS_REL_H */
