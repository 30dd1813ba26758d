// SPDX-License-Identifier: GPL-2.0
/*
 * Regression tests for the smaller defects of issue 14 (kernel module
 * hardening), each failing on d77ca24:
 *  - HANDLE_FD installed the fd before the result reached the caller;
 *  - a RECV or read() whose copy to user memory faulted lost the message;
 *  - a blocking write() (or SEND_BLOCK) to a full single-reader mailbox
 *    returned EAGAIN at once;
 *  - EPOLLOUT meant room for one byte, so big writers spun;
 *  - tap files made with HANDLE_FD never cleared TAP_STATS.overrun;
 *  - node and handle files accepted pread/pwrite;
 *  - UTF-8 names got no node on x86 (a signed-char test).
 */
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "kmod_util.h"

/* Two pages: the first writable, the second read-only. */
static char *half_writable(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || mprotect(p + pg, pg, PROT_READ))
		return NULL;
	return p;
}

static int lowest_free_fd(void)
{
	int fd = dup(0);

	close(fd);
	return fd;
}

static void node_path(char *buf, size_t size, const char *target)
{
	const char *colon = strchr(target, ':');

	snprintf(buf, size, "/dev/hsxmbx/%.*s/%s", (int)(colon - target), target, colon + 1);
}

FIXTURE(mbox) {
	int fd;
	uint32_t h;
	const char *target;
	char path[128];
};

FIXTURE_SETUP(mbox)
{
	self->target = uniq("app:hard");
	node_path(self->path, sizeof(self->path), self->target);
	self->fd = ctl_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, mbx_bind(self->fd, 0, self->target, 256, 0, NULL));
	ASSERT_EQ(0, mbx_open(self->fd, 0, self->target, 0, &self->h));
}

FIXTURE_TEARDOWN(mbox)
{
	mbx_unbind(self->fd, self->target, HSXMBX_UNBIND_FORCE);
	close(self->fd);
}

/* fd is the struct's last-but-one field: put_user(fd) works, the copy of
 * the whole struct does not.  No fd may appear in the caller's table. */
TEST_F(mbox, handle_fd_installs_nothing_when_its_result_cannot_be_copied)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *mem = half_writable();
	struct hsxmbx_handle_fd *arg;
	int before;

	ASSERT_NE(NULL, mem);
	arg = (void *)(mem + pg - offsetof(struct hsxmbx_handle_fd, reserved));
	arg->flags = HSXMBX_FD_CLOEXEC;
	arg->pid = 0;
	arg->handle = self->h;
	before = lowest_free_fd();
	EXPECT_EQ(-EFAULT, xioctl(self->fd, HSXMBX_IOC_HANDLE_FD, arg));
	EXPECT_EQ(before, lowest_free_fd());
	munmap(mem, 2 * pg);
}

/* A RECV into a read-only buffer faults; the message stays queued. */
TEST_F(mbox, recv_into_a_bad_buffer_keeps_the_message)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *mem = half_writable(), buf[16] = {};
	struct hsxmbx_recv r;

	ASSERT_NE(NULL, mem);
	ASSERT_EQ(0, mbx_sends(self->fd, self->h, "keep"));
	ASSERT_EQ(0, mbx_sends(self->fd, self->h, "next"));
	EXPECT_EQ(-EFAULT, mbx_recv(self->fd, 0, self->h, mem + pg, 16, 0, NULL));
	ASSERT_EQ(0, mbx_recv(self->fd, 0, self->h, buf, sizeof(buf), 0, &r));
	EXPECT_STREQ("keep", buf);
	EXPECT_EQ(0, r.seq);
	munmap(mem, 2 * pg);
}

/* The payload copy works but the result struct cannot be written back. */
TEST_F(mbox, recv_with_a_read_only_result_keeps_the_message)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *mem = half_writable(), buf[16] = {};
	struct hsxmbx_recv *r;

	ASSERT_NE(NULL, mem);
	ASSERT_EQ(0, mbx_sends(self->fd, self->h, "keep"));
	r = (void *)(mem + pg);
	ASSERT_EQ(0, mprotect(mem + pg, pg, PROT_READ | PROT_WRITE));
	*r = (struct hsxmbx_recv){ .handle = self->h, .buf_ptr = (uintptr_t)buf,
				   .buf_len = sizeof(buf) };
	ASSERT_EQ(0, mprotect(mem + pg, pg, PROT_READ));
	EXPECT_EQ(-EFAULT, xioctl(self->fd, HSXMBX_IOC_RECV, r));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(0, mbx_recv(self->fd, 0, self->h, buf, sizeof(buf), 0, NULL));
	EXPECT_STREQ("keep", buf);
	munmap(mem, 2 * pg);
}

/* read() on a node into a read-only buffer: EFAULT, and nothing lost. */
TEST_F(mbox, read_into_a_bad_buffer_keeps_the_message)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *mem = half_writable(), buf[16] = {};
	int rw = open(self->path, O_RDWR | O_NONBLOCK);

	ASSERT_NE(NULL, mem);
	ASSERT_LE(0, rw);
	ASSERT_EQ(0, mbx_sends(self->fd, self->h, "keep"));
	EXPECT_EQ(-1, read(rw, mem + pg, 16));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(4, read(rw, buf, sizeof(buf)));
	EXPECT_STREQ("keep", buf);
	close(rw);
	munmap(mem, 2 * pg);
}

/* A fan-out reader's copy is parked for it, not dropped. */
TEST(fanout_read_into_a_bad_buffer_keeps_the_copy)
{
	const char *t = uniq("app:hardfo");
	long pg = sysconf(_SC_PAGESIZE);
	char *mem = half_writable(), buf[16] = {};
	int fd = ctl_open();
	uint32_t rd, wr;
	struct hsxmbx_recv r;

	ASSERT_NE(NULL, mem);
	ASSERT_EQ(0, mbx_bind(fd, 0, t, 256, HSX_MBX_MODE_FANOUT_DROP, NULL));
	ASSERT_EQ(0, mbx_open(fd, 0, t, HSX_MBX_MODE_RDONLY, &rd));
	ASSERT_EQ(0, mbx_open(fd, 0, t, HSX_MBX_MODE_WRONLY, &wr));
	ASSERT_EQ(0, mbx_sends(fd, wr, "copy"));
	EXPECT_EQ(-EFAULT, mbx_recv(fd, 0, rd, mem + pg, 16, 0, NULL));
	ASSERT_EQ(0, mbx_recv(fd, 0, rd, buf, sizeof(buf), 0, &r));
	EXPECT_STREQ("copy", buf);
	mbx_unbind(fd, t, HSXMBX_UNBIND_FORCE);
	close(fd);
	munmap(mem, 2 * pg);
}

struct drain_arg {
	int fd;
	uint32_t h;
	int delay_ms;
};

static void *drain_later(void *p)
{
	struct drain_arg *a = p;
	char buf[256];

	usleep(a->delay_ms * 1000);
	mbx_recv(a->fd, 0, a->h, buf, sizeof(buf), 0, NULL);
	return NULL;
}

static int fill(int w, int len)
{
	char msg[256] = {};
	int n = 0;

	while (write(w, msg, len) == len)
		n++;
	return errno == EAGAIN ? n : -errno;
}

/* A blocking write() to a full single-reader mailbox waits for space. */
TEST_F(mbox, blocking_write_waits_for_space)
{
	int nb = open(self->path, O_WRONLY | O_NONBLOCK), w = open(self->path, O_WRONLY);
	struct drain_arg a = { self->fd, self->h, 300 };
	pthread_t th;
	int64_t t0;

	ASSERT_LE(0, nb);
	ASSERT_LE(0, w);
	ASSERT_LT(0, fill(nb, 40));
	ASSERT_EQ(0, pthread_create(&th, NULL, drain_later, &a));
	t0 = now_ns();
	EXPECT_EQ(40, write(w, (char[40]){ 0 }, 40)) TH_LOG("errno %d", errno);
	EXPECT_LE(200000000LL, now_ns() - t0);
	pthread_join(th, NULL);
	close(w);
	close(nb);
}

/* SEND_BLOCK waits on a full single-reader mailbox too, up to its timeout. */
TEST_F(mbox, send_block_times_out_on_a_full_single_reader)
{
	int nb = open(self->path, O_WRONLY | O_NONBLOCK);
	char msg[40] = {};
	struct hsxmbx_send s = {
		.flags = HSXMBX_SEND_BLOCK, .handle = self->h, .payload_ptr = (uintptr_t)msg,
		.payload_len = sizeof(msg), .timeout = 200,
	};
	int64_t t0;

	ASSERT_LE(0, nb);
	ASSERT_LT(0, fill(nb, 40));
	t0 = now_ns();
	EXPECT_EQ(HSX_MBX_STATUS_TIMEOUT, xioctl(self->fd, HSXMBX_IOC_SEND, &s));
	EXPECT_LE(150000000LL, now_ns() - t0);
	close(nb);
}

/* EPOLLOUT means room for the writer's last message, not for one byte. */
TEST_F(mbox, pollout_needs_room_for_the_last_message)
{
	int w = open(self->path, O_WRONLY | O_NONBLOCK);
	struct pollfd p = { .events = POLLOUT };
	char buf[128];

	ASSERT_LE(0, w);
	p.fd = w;
	EXPECT_EQ(2, fill(w, 100)); /* 2 x 108 of 256 bytes: 40 left */
	EXPECT_EQ(0, poll(&p, 1, 0));
	ASSERT_EQ(0, mbx_recv(self->fd, 0, self->h, buf, sizeof(buf), 0, NULL));
	EXPECT_EQ(1, poll(&p, 1, 0));
	EXPECT_TRUE(p.revents & POLLOUT);
	close(w);
}

/* TAP_STATS.overrun clears once the tap file has read, HANDLE_FD too. */
TEST_F(mbox, handle_fd_tap_clears_overrun_after_a_read)
{
	struct hsxmbx_tap_stats ts = {};
	uint32_t tap;
	char buf[64];
	int tfd, i;

	ASSERT_EQ(0, mbx_open(self->fd, 0, self->target, HSX_MBX_MODE_RDONLY, &tap));
	ASSERT_EQ(0, mbx_tap(self->fd, tap, 1));
	tfd = mbx_handle_fd(self->fd, 0, tap, HSXMBX_FD_NONBLOCK);
	ASSERT_LE(0, tfd);
	for (i = 0; i < 40; i++) {
		ASSERT_EQ(0, mbx_sends(self->fd, self->h, "0123456789"));
		ASSERT_EQ(0, mbx_recv(self->fd, 0, self->h, buf, sizeof(buf), 0, NULL));
	}
	ASSERT_EQ(0, xioctl(tfd, HSXMBX_IOC_NODE_TAP_STATS, &ts));
	EXPECT_LT(0, ts.missed);
	EXPECT_EQ(1, ts.overrun);
	EXPECT_LT(0, read(tfd, buf, sizeof(buf)));
	ASSERT_EQ(0, xioctl(tfd, HSXMBX_IOC_NODE_TAP_STATS, &ts));
	EXPECT_EQ(0, ts.overrun);
	close(tfd);
}

/* Messages have no offset: node and handle files are streams. */
TEST_F(mbox, node_and_handle_files_refuse_pread_and_pwrite)
{
	int nfd = open(self->path, O_RDWR | O_NONBLOCK);
	int hfd = mbx_handle_fd(self->fd, 0, self->h, HSXMBX_FD_NONBLOCK);
	int files[2] = { nfd, hfd };
	char buf[16];

	ASSERT_LE(0, nfd);
	ASSERT_LE(0, hfd);
	ASSERT_EQ(0, mbx_sends(self->fd, self->h, "stay"));
	for (int i = 0; i < 2; i++) {
		EXPECT_EQ(-1, pread(files[i], buf, sizeof(buf), 0));
		EXPECT_EQ(ESPIPE, errno);
		EXPECT_EQ(-1, pwrite(files[i], "x", 1, 0));
		EXPECT_EQ(ESPIPE, errno);
	}
	EXPECT_EQ(4, read(nfd, buf, sizeof(buf)));
	close(nfd);
	close(hfd);
}

/* Names are bytes: UTF-8 gets a node on every architecture; control
 * bytes and spaces do not (the descriptor still works). */
TEST(node_names_are_bytes)
{
	static const struct {
		const char *target;
		bool node;
	} cases[] = {
		{ "app:caf\xc3\xa9", true },
		{ "app:\xe2\x9c\x89mail", true },
		{ "app:bell\x07", false },
		{ "app:del\x7f", false },
	};
	int fd = ctl_open();
	char path[128];
	struct stat st;

	ASSERT_LE(0, fd);
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		ASSERT_EQ(0, mbx_bind(fd, 0, cases[i].target, 64, 0, NULL));
		node_path(path, sizeof(path), cases[i].target);
		EXPECT_EQ(cases[i].node, stat(path, &st) == 0) TH_LOG("case %u", i);
		mbx_unbind(fd, cases[i].target, HSXMBX_UNBIND_FORCE);
	}
	close(fd);
}

TEST_HARNESS_MAIN
