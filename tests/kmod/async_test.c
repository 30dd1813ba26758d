// SPDX-License-Identifier: GPL-2.0
/*
 * Blocking, waking and readiness: poll/epoll/select on handle files,
 * io_uring reads (linked timeout, ring teardown), uring_cmd, signals,
 * FIFO wake order, fan-out accounting, taps under flood, timeouts,
 * blocking FANOUT_BLOCK senders and descriptor destruction.
 */
#include <liburing.h>
#include <stddef.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "kmod_util.h"

static void noop(int sig)
{
}

FIXTURE(mb) {
	int fd;
	uint32_t h;
	const char *t;
};

FIXTURE_SETUP(mb)
{
	self->fd = ctl_open();
	ASSERT_LE(0, self->fd);
	self->t = uniq("app:a");
	ASSERT_EQ(0, mbx_bind(self->fd, 0, self->t, 4096, 0, NULL));
	ASSERT_EQ(0, mbx_open(self->fd, 0, self->t, 0, &self->h));
}

FIXTURE_TEARDOWN(mb)
{
	mbx_unbind(self->fd, self->t, HSXMBX_UNBIND_FORCE);
	close(self->fd);
}

/* Send `s` on a fresh control file after `ms` milliseconds, in a child. */
static pid_t send_later(const char *target, const char *s, int ms)
{
	pid_t pid = fork();
	uint32_t h;
	int fd;

	if (pid)
		return pid;
	fd = ctl_open();
	usleep(ms * 1000);
	if (mbx_open(fd, 0, target, HSX_MBX_MODE_WRONLY, &h) ||
	    mbx_sends(fd, h, s))
		_exit(1);
	_exit(0);
}

static int reap(pid_t pid)
{
	int st;

	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

TEST_F(mb, blocking_recv_woken)
{
	pid_t p = send_later(self->t, "wake", 50);
	struct hsxmbx_recv r;
	char buf[16] = {};

	ASSERT_EQ(0, mbx_recv(self->fd, 0, self->h, buf, 16,
			      HSX_MBX_TIMEOUT_INFINITE, &r));
	EXPECT_STREQ("wake", buf);
	EXPECT_EQ(0, reap(p));
}

TEST_F(mb, timeout_lateness_bounded)
{
	int64_t late[7], t0;
	char buf[8];
	int i, j;

	for (i = 0; i < 7; i++) {
		t0 = now_ns();
		ASSERT_EQ(HSX_MBX_STATUS_TIMEOUT,
			  mbx_recv(self->fd, 0, self->h, buf, 8, 50, NULL));
		late[i] = now_ns() - t0 - 50000000LL;
		EXPECT_LE(0, late[i]);
	}
	for (i = 0; i < 7; i++)	/* sort for the median */
		for (j = i + 1; j < 7; j++)
			if (late[j] < late[i]) {
				int64_t x = late[i]; late[i] = late[j]; late[j] = x;
			}
	TH_LOG("50 ms timeout lateness: median %lld us, max %lld us",
	       (long long)late[3] / 1000, (long long)late[6] / 1000);
	EXPECT_LE(late[3], 20000000LL);
}

TEST_F(mb, signal_interrupts_recv)
{
	struct sigaction sa = { .sa_handler = noop };
	pid_t me = getpid(), p;
	char buf[8];

	sigaction(SIGUSR1, &sa, NULL);
	p = fork();
	if (!p) {
		usleep(100000);
		kill(me, SIGUSR1);
		_exit(0);
	}
	EXPECT_EQ(-EINTR, mbx_recv(self->fd, 0, self->h, buf, 8, 5000, NULL));
	reap(p);
	/* Not left on the wait list: a later message is not lost to it. */
	ASSERT_EQ(0, mbx_sends(self->fd, self->h, "after"));
	EXPECT_EQ(0, mbx_recv(self->fd, 0, self->h, buf, 8, 0, NULL));
}

TEST_F(mb, sigkill_blocked_reader)
{
	pid_t p = fork();
	char buf[8];
	int st;

	if (!p) {
		mbx_recv(self->fd, 0, self->h, buf, 8, HSX_MBX_TIMEOUT_INFINITE, NULL);
		_exit(3);
	}
	usleep(200000);
	kill(p, SIGKILL);
	waitpid(p, &st, 0);
	EXPECT_TRUE(WIFSIGNALED(st));
	ASSERT_EQ(0, mbx_sends(self->fd, self->h, "x"));
	EXPECT_EQ(0, mbx_recv(self->fd, 0, self->h, buf, 8, 0, NULL));
}

/* Waiters on descriptor `id`, from SNAPSHOT. */
static unsigned int waiters_of(int fd, uint32_t id)
{
	static struct hsxmbx_desc_info all[512];
	struct hsxmbx_snapshot s = {
		.descs_ptr = (uintptr_t)all, .descs_cap = 512,
	};
	unsigned int k;

	if (xioctl(fd, HSXMBX_IOC_SNAPSHOT, &s))
		return 0;
	for (k = 0; k < s.descs_count && k < 512; k++)
		if (all[k].descriptor_id == id)
			return all[k].waiters;
	return 0;
}

static uint32_t desc_id(int fd, uint32_t h)
{
	struct hsxmbx_peek p;

	mbx_peek(fd, h, &p);
	return p.descriptor_id;
}

static void wait_for_waiters(int fd, uint32_t id, unsigned int n)
{
	int i;

	for (i = 0; i < 500 && waiters_of(fd, id) < n; i++)
		usleep(10000);
}

/* A child that blocks on `target` and writes what it got to `out`. */
static pid_t blocked_reader(const char *target, uint32_t access, int out)
{
	pid_t pid = fork();
	char buf[64] = {};
	struct hsxmbx_recv r;
	uint32_t h;
	int fd;

	if (pid)
		return pid;
	fd = ctl_open();
	mbx_open(fd, 0, target, access, &h);
	if (mbx_recv(fd, 0, h, buf, 64, HSX_MBX_TIMEOUT_INFINITE, &r))
		_exit(1);
	if (write(out, buf, r.length) != (ssize_t)r.length)
		_exit(2);
	_exit(0);
}

/* Eight readers block in order; eight messages wake them in that order. */
TEST_F(mb, fifo_wake_order)
{
	uint32_t id = desc_id(self->fd, self->h);
	int pipes[8][2], i;
	pid_t kids[8];
	char got;

	for (i = 0; i < 8; i++) {
		ASSERT_EQ(0, pipe(pipes[i]));
		kids[i] = blocked_reader(self->t, HSX_MBX_MODE_RDONLY, pipes[i][1]);
		wait_for_waiters(self->fd, id, i + 1);
		ASSERT_EQ(i + 1, waiters_of(self->fd, id));
	}
	for (i = 0; i < 8; i++) {
		char m[2] = { (char)('0' + i), 0 };

		ASSERT_EQ(0, mbx_sends(self->fd, self->h, m));
		ASSERT_EQ(1, read(pipes[i][0], &got, 1));
		EXPECT_EQ('0' + i, got);
	}
	for (i = 0; i < 8; i++)
		EXPECT_EQ(0, reap(kids[i]));
}

/* Fan-out: one message wakes every blocked reader. */
TEST(fanout_wakes_all)
{
	const char *t = uniq("shared:w");
	int fd = ctl_open(), p[2], i;
	pid_t kids[5];
	uint32_t h, id;
	char buf[8];

	ASSERT_EQ(0, mbx_bind(fd, 0, t, 256, HSX_MBX_MODE_FANOUT_DROP, &id));
	ASSERT_EQ(0, mbx_open(fd, 0, t, HSX_MBX_MODE_WRONLY, &h));
	ASSERT_EQ(0, pipe(p));
	for (i = 0; i < 5; i++)
		kids[i] = blocked_reader(t, HSX_MBX_MODE_RDONLY, p[1]);
	wait_for_waiters(fd, id, 5);
	ASSERT_EQ(0, mbx_sends(fd, h, "seven77"));
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(7, read(p[0], buf, 7));
		EXPECT_EQ(0, memcmp(buf, "seven77", 7));
		EXPECT_EQ(0, reap(kids[i]));
	}
	mbx_unbind(fd, t, HSXMBX_UNBIND_FORCE);
	close(fd);
}

/*
 * 32 fan-out readers, room for 4 messages, 10 messages sent: every
 * reader then reads the last 4, the first of them flagged OVERRUN; the
 * descriptor counts exactly 6 drops.
 */
TEST(fanout_32_readers_overrun_accounting)
{
	const char *t = uniq("shared:f32");
	int fd[32], i, j, s = ctl_open();
	uint32_t h[32], sh, id;
	static struct hsxmbx_desc_info all[512];
	struct hsxmbx_snapshot snap = { .descs_ptr = (uintptr_t)all, .descs_cap = 512 };
	struct hsxmbx_recv r;
	char buf[16];

	ASSERT_EQ(0, mbx_bind(s, 0, t, 4 * (8 + 4), HSX_MBX_MODE_FANOUT_DROP, &id));
	ASSERT_EQ(0, mbx_open(s, 0, t, HSX_MBX_MODE_WRONLY, &sh));
	for (i = 0; i < 32; i++) {
		fd[i] = ctl_open();
		ASSERT_EQ(0, mbx_open(fd[i], 0, t, HSX_MBX_MODE_RDONLY, &h[i]));
	}
	for (i = 0; i < 10; i++) {
		snprintf(buf, sizeof(buf), "m%03d", i);
		ASSERT_EQ(0, mbx_send(s, 0, sh, buf, 4, 0));
	}
	for (i = 0; i < 32; i++) {
		for (j = 6; j < 10; j++) {
			memset(buf, 0, sizeof(buf));
			ASSERT_EQ(0, mbx_recv(fd[i], 0, h[i], buf, 16, 0, &r));
			EXPECT_EQ(j == 6, !!(r.msg_flags & HSX_MBX_FLAG_OVERRUN));
			EXPECT_EQ(j, atoi(buf + 1));
		}
		EXPECT_EQ(HSX_MBX_STATUS_NO_DATA, mbx_recv(fd[i], 0, h[i], buf, 16, 0, &r));
	}
	ASSERT_EQ(0, xioctl(s, HSXMBX_IOC_SNAPSHOT, &snap));
	for (i = 0; i < (int)snap.descs_count && i < 512; i++)
		if (all[i].descriptor_id == id) {
			EXPECT_EQ(6, all[i].dropped);
			EXPECT_EQ(10, all[i].sent);
			EXPECT_EQ(0, all[i].queue_depth);
		}
	for (i = 0; i < 32; i++)
		close(fd[i]);
	mbx_unbind(s, t, HSXMBX_UNBIND_FORCE);
	close(s);
}

TEST_F(mb, poll_epoll_select_readiness)
{
	int hfd = mbx_handle_fd(self->fd, 0, self->h, HSXMBX_FD_NONBLOCK);
	struct pollfd pfd = { .events = POLLIN | POLLOUT };
	struct epoll_event ev = { .events = EPOLLIN }, out;
	struct timeval tv = { 0, 0 };
	int ep = epoll_create1(0);
	char buf[64];
	fd_set rd;
	pid_t p;

	ASSERT_LE(0, hfd);
	pfd.fd = hfd;
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLOUT, pfd.revents);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, hfd, &ev));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	EXPECT_EQ(-1, read(hfd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, mbx_sends(self->fd, self->h, "ready"));
	EXPECT_EQ(1, epoll_wait(ep, &out, 1, 1000));
	FD_ZERO(&rd);
	FD_SET(hfd, &rd);
	EXPECT_EQ(1, select(hfd + 1, &rd, NULL, NULL, &tv));
	pfd.events = POLLIN;
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	/* Framed read: header + payload. */
	ASSERT_EQ(sizeof(struct hsxmbx_frame) + 5, read(hfd, buf, sizeof(buf)));
	EXPECT_EQ(5, ((struct hsxmbx_frame *)buf)->length);
	EXPECT_EQ(0, memcmp(buf + sizeof(struct hsxmbx_frame), "ready", 5));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	/* poll() blocks until a message arrives from elsewhere. */
	p = send_later(self->t, "later", 100);
	pfd.revents = 0;
	EXPECT_EQ(1, poll(&pfd, 1, 5000));
	EXPECT_TRUE(pfd.revents & POLLIN);
	EXPECT_EQ(0, reap(p));
	close(ep);
	close(hfd);
}

TEST_F(mb, handle_file_raw_write_and_truncate)
{
	int hfd = mbx_handle_fd(self->fd, 0, self->h, HSXMBX_FD_RAW);
	struct hsxmbx_recv r;
	char buf[16] = {};

	ASSERT_LE(0, hfd);
	ASSERT_EQ(6, write(hfd, "abcdef", 6));
	ASSERT_EQ(0, mbx_recv(self->fd, 0, self->h, buf, 16, 0, &r));
	EXPECT_STREQ("abcdef", buf);
	ASSERT_EQ(0, mbx_sends(self->fd, self->h, "0123456789"));
	ASSERT_EQ(4, read(hfd, buf, 4));
	EXPECT_EQ(0, memcmp(buf, "0123", 4));
	/* The rest was discarded: the queue is empty now. */
	ASSERT_EQ(HSX_MBX_STATUS_NO_DATA, mbx_recv(self->fd, 0, self->h, buf, 16, 0, &r));
	close(hfd);
}

/* The handle file outlives the control file that made it. */
TEST(handle_file_outlives_control)
{
	const char *t = uniq("app:out");
	int fd = ctl_open(), keep = ctl_open(), hfd;
	uint32_t h;
	char buf[32];

	ASSERT_EQ(0, mbx_bind(keep, 0, t, 0, 0, NULL));
	ASSERT_EQ(0, mbx_open(fd, 0, t, 0, &h));
	hfd = mbx_handle_fd(fd, 0, h, HSXMBX_FD_RAW);
	ASSERT_LE(0, hfd);
	close(fd);
	ASSERT_EQ(4, write(hfd, "live", 4));
	ASSERT_EQ(4, read(hfd, buf, sizeof(buf)));
	close(hfd);
	mbx_unbind(keep, t, HSXMBX_UNBIND_FORCE);
	close(keep);
}

/* Destroying a descriptor ends every wait: RECV, read(), poll(). */
TEST(destroy_wakes_everyone)
{
	const char *t = uniq("app:des");
	int fd = ctl_open(), hfd;
	struct pollfd pfd = { .events = POLLIN };
	uint32_t h, id;
	pid_t kid;
	char buf[64];

	ASSERT_EQ(0, mbx_bind(fd, 0, t, 0, 0, &id));
	ASSERT_EQ(0, mbx_open(fd, 0, t, 0, &h));
	hfd = mbx_handle_fd(fd, 0, h, 0);
	ASSERT_LE(0, hfd);
	kid = fork();
	if (!kid) {
		int c = ctl_open();
		uint32_t hh;
		struct hsxmbx_recv r;
		int st;

		mbx_open(c, 0, t, 0, &hh);
		st = mbx_recv(c, 0, hh, buf, 8, HSX_MBX_TIMEOUT_INFINITE, &r);
		_exit(st == HSX_MBX_STATUS_DESTROYED ? 0 : 10 + st);
	}
	wait_for_waiters(fd, id, 1);
	ASSERT_EQ(0, mbx_unbind(fd, t, HSXMBX_UNBIND_FORCE));
	EXPECT_EQ(0, reap(kid));
	pfd.fd = hfd;
	EXPECT_EQ(1, poll(&pfd, 1, 1000));
	EXPECT_TRUE(pfd.revents & POLLHUP);
	EXPECT_EQ(0, read(hfd, buf, sizeof(buf)));
	EXPECT_EQ(-1, write(hfd, "x", 1));
	EXPECT_EQ(EPIPE, errno);
	close(hfd);
	close(fd);
}

/* io_uring READ on a handle file, cancelled by a linked timeout. */
TEST_F(mb, uring_read_link_timeout)
{
	int hfd = mbx_handle_fd(self->fd, 0, self->h, HSXMBX_FD_RAW | HSXMBX_FD_NONBLOCK);
	struct __kernel_timespec ts = { .tv_nsec = 100000000 };
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	struct hsxmbx_recv r;
	char buf[32] = {};
	int i, res[2] = {};
	pid_t p;

	ASSERT_LE(0, hfd);
	ASSERT_EQ(0, io_uring_queue_init(8, &ring, 0));
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_read(sqe, hfd, buf, sizeof(buf), 0);
	sqe->flags |= IOSQE_IO_LINK;
	sqe->user_data = 1;
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_link_timeout(sqe, &ts, 0);
	sqe->user_data = 2;
	ASSERT_EQ(2, io_uring_submit(&ring));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, io_uring_wait_cqe(&ring, &cqe));
		res[cqe->user_data - 1] = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
	}
	EXPECT_EQ(-ECANCELED, res[0]);
	EXPECT_EQ(-ETIME, res[1]);
	/* The poll left the handle on the wait list: a message sent now is
	 * parked for it, and a POLL RECV collects it and leaves the list. */
	ASSERT_EQ(0, mbx_sends(self->fd, self->h, "parked"));
	ASSERT_EQ(0, mbx_recv(self->fd, 0, self->h, buf, 32, 0, &r));
	EXPECT_EQ(6, r.length);
	/* A READ completes when data comes. */
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_read(sqe, hfd, buf, sizeof(buf), 0);
	ASSERT_EQ(1, io_uring_submit(&ring));
	p = send_later(self->t, "viauring", 50);
	ASSERT_EQ(0, io_uring_wait_cqe(&ring, &cqe));
	EXPECT_EQ(8, cqe->res);
	io_uring_cqe_seen(&ring, cqe);
	EXPECT_EQ(0, reap(p));
	io_uring_queue_exit(&ring);
	close(hfd);
}

static void uring_read_forever(int hfd, int teardown)
{
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	char buf[16];

	io_uring_queue_init(4, &ring, 0);
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_read(sqe, hfd, buf, sizeof(buf), 0);
	io_uring_submit(&ring);
	if (teardown) {
		usleep(100000);
		io_uring_queue_exit(&ring);
		_exit(0);
	}
	io_uring_wait_cqe(&ring, &cqe);
	_exit(1);
}

/* Tearing the ring down, or killing its owner, while a READ is blocked. */
TEST_F(mb, uring_teardown_while_blocked)
{
	int hfd = mbx_handle_fd(self->fd, 0, self->h, HSXMBX_FD_RAW);
	pid_t kid;
	int64_t t0;

	ASSERT_LE(0, hfd);
	kid = fork();
	if (!kid)
		uring_read_forever(hfd, 1);
	t0 = now_ns();
	EXPECT_EQ(0, reap(kid));
	EXPECT_GT(10000000000LL, now_ns() - t0);
	kid = fork();
	if (!kid)
		uring_read_forever(hfd, 0);
	usleep(200000);
	kill(kid, SIGKILL);
	t0 = now_ns();
	EXPECT_EQ(128 + SIGKILL, reap(kid));
	EXPECT_GT(10000000000LL, now_ns() - t0);
	close(hfd);
}

/* uring_cmd: the ioctl commands complete inline; RECV never blocks. */
TEST_F(mb, uring_cmd_inline)
{
	struct hsxmbx_features f = {};
	struct hsxmbx_send s = {};
	struct hsxmbx_recv r = {};
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	char buf[16] = {};
	int i;

	ASSERT_EQ(0, io_uring_queue_init(8, &ring, 0));
	s.handle = r.handle = self->h;
	s.payload_ptr = (uintptr_t)"uring";
	s.payload_len = 5;
	r.buf_ptr = (uintptr_t)buf;
	r.buf_len = sizeof(buf);
	r.timeout = HSX_MBX_TIMEOUT_INFINITE;
	struct { unsigned int op; void *arg; int want; } cmds[] = {
		{ HSXMBX_IOC_GET_FEATURES, &f, 0 },
		{ HSXMBX_IOC_RECV, &r, HSX_MBX_STATUS_NO_DATA },
		{ HSXMBX_IOC_SEND, &s, 0 },
		{ HSXMBX_IOC_RECV, &r, 0 },
		{ _IO(HSXMBX_IOC_MAGIC, 0x7f), &f, -ENOTTY },
	};

	for (i = 0; i < 5; i++) {
		struct hsxmbx_uring_cmd *uc;

		sqe = io_uring_get_sqe(&ring);
		io_uring_prep_rw(IORING_OP_URING_CMD, sqe, self->fd, NULL, 0, 0);
		sqe->cmd_op = cmds[i].op;
		uc = (void *)((char *)sqe + offsetof(struct io_uring_sqe, cmd));
		uc->arg_ptr = (uintptr_t)cmds[i].arg;
		uc->reserved = 0;
		sqe->user_data = i;
		ASSERT_EQ(1, io_uring_submit(&ring));
		ASSERT_EQ(0, io_uring_wait_cqe(&ring, &cqe));
		EXPECT_EQ(cmds[i].want, cqe->res);
		io_uring_cqe_seen(&ring, cqe);
	}
	EXPECT_EQ(HSXMBX_ABI_VERSION, f.abi_version);
	EXPECT_STREQ("uring", buf);
	io_uring_queue_exit(&ring);
}

/* A FANOUT_BLOCK sender with HSXMBX_SEND_BLOCK waits for space. */
TEST(blocking_send_fanout_block)
{
	const char *t = uniq("shared:bs");
	int fd = ctl_open(), rfd = ctl_open();
	struct hsxmbx_send s = {};
	uint32_t sh, rh;
	char buf[16];
	int64_t t0;
	pid_t kid;

	ASSERT_EQ(0, mbx_bind(fd, 0, t, 16, HSX_MBX_MODE_FANOUT_BLOCK, NULL));
	ASSERT_EQ(0, mbx_open(fd, 0, t, HSX_MBX_MODE_WRONLY, &sh));
	ASSERT_EQ(0, mbx_open(rfd, 0, t, HSX_MBX_MODE_RDONLY, &rh));
	ASSERT_EQ(0, mbx_sends(fd, sh, "first"));
	s.flags = HSXMBX_SEND_BLOCK;
	s.handle = sh;
	s.payload_ptr = (uintptr_t)"second";
	s.payload_len = 6;
	s.timeout = 50;
	t0 = now_ns();
	EXPECT_EQ(HSX_MBX_STATUS_TIMEOUT, xioctl(fd, HSXMBX_IOC_SEND, &s));
	EXPECT_LE(50000000LL, now_ns() - t0);
	kid = fork();
	if (!kid) {
		usleep(100000);
		_exit(mbx_recv(rfd, 0, rh, buf, 16, 0, NULL));
	}
	s.timeout = HSX_MBX_TIMEOUT_INFINITE;
	EXPECT_EQ(0, xioctl(fd, HSXMBX_IOC_SEND, &s));
	EXPECT_EQ(0, reap(kid));
	s.flags = 2;
	EXPECT_EQ(-EINVAL, xioctl(fd, HSXMBX_IOC_SEND, &s));
	mbx_unbind(fd, t, HSXMBX_UNBIND_FORCE);
	close(rfd);
	close(fd);
}

TEST_HARNESS_MAIN
