// SPDX-License-Identifier: GPL-2.0
/*
 * poll is free of side effects (issue 15).  Until d77ca24 ->poll put the
 * handle on the descriptor's FIFO hand-off list, and only handles that
 * received a parked message were ever woken, which lost wake-ups, let a
 * poller steal messages from a blocked reader and stranded io_uring
 * READs.  Writers blocked on a full mailbox were not woken by a BIND that
 * made room.  Each test here failed on d77ca24.
 */
#include <liburing.h>
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>

#include "kselftest_harness.h"
#include "kmod_util.h"

FIXTURE(pl) {
	int fd;
	uint32_t h;
	const char *target;
	char path[128];
};

FIXTURE_SETUP(pl)
{
	self->target = uniq("app:poll");
	snprintf(self->path, sizeof(self->path), "/dev/hsxmbx/app/%s", self->target + 4);
	self->fd = ctl_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, mbx_bind(self->fd, 0, self->target, 4096, 0, NULL));
	ASSERT_EQ(0, mbx_open(self->fd, 0, self->target, HSX_MBX_MODE_WRONLY, &self->h));
}

FIXTURE_TEARDOWN(pl)
{
	mbx_unbind(self->fd, self->target, HSXMBX_UNBIND_FORCE);
	close(self->fd);
}

/* Edge-triggered epoll sees the message that follows a full drain. */
TEST_F(pl, epollet_sees_a_message_after_a_drain)
{
	int rd = open(self->path, O_RDWR | O_NONBLOCK), ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	char buf[64];

	ASSERT_LE(0, rd);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, rd, &ev));
	ASSERT_EQ(0, mbx_sends(self->fd, self->h, "one"));
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, 1000));
	while (read(rd, buf, sizeof(buf)) > 0)
		;
	ASSERT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, mbx_sends(self->fd, self->h, "two"));
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, 1000));
	EXPECT_EQ(3, read(rd, buf, sizeof(buf)));
	close(ep);
	close(rd);
}

/* A multishot IORING_OP_POLL_ADD completes once per message. */
TEST_F(pl, uring_multishot_poll_sees_every_message)
{
	int rd = open(self->path, O_RDWR | O_NONBLOCK), got = 0;
	struct __kernel_timespec ts = { .tv_sec = 1 };
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	char buf[64];

	ASSERT_LE(0, rd);
	ASSERT_EQ(0, io_uring_queue_init(8, &ring, 0));
	io_uring_prep_poll_multishot(io_uring_get_sqe(&ring), rd, POLLIN);
	ASSERT_EQ(1, io_uring_submit(&ring));
	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(0, mbx_sends(self->fd, self->h, "m"));
		if (io_uring_wait_cqe_timeout(&ring, &cqe, &ts))
			break;
		got += cqe->res > 0 && (cqe->res & POLLIN);
		io_uring_cqe_seen(&ring, cqe);
		ASSERT_EQ(1, read(rd, buf, sizeof(buf)));
	}
	EXPECT_EQ(3, got);
	io_uring_queue_exit(&ring);
	close(rd);
}

struct blocked_recv {
	const char *target;
	int status;
	char buf[64];
};

/* RECV with a 2 s timeout on its own control file and handle. */
static void *recv_blocked(void *p)
{
	struct blocked_recv *b = p;
	int fd = ctl_open();
	uint32_t h;

	b->status = mbx_open(fd, 0, b->target, HSX_MBX_MODE_RDONLY, &h);
	if (!b->status)
		b->status = mbx_recv(fd, 0, h, b->buf, sizeof(b->buf), 2000, NULL);
	close(fd);
	return NULL;
}

/*
 * A zero-timeout poll() on another file must not take the message that a
 * blocked RECV waits for, whatever it polls for.
 */
static void poll_then_send(struct __test_metadata *_metadata, FIXTURE_DATA(pl) *self,
			   short events, int ready)
{
	int other = open(self->path, O_RDWR | O_NONBLOCK);
	struct pollfd p = { .fd = other, .events = events };
	struct blocked_recv b = { .target = self->target };
	pthread_t th;

	ASSERT_LE(0, other);
	ASSERT_EQ(ready, poll(&p, 1, 0));
	ASSERT_EQ(0, pthread_create(&th, NULL, recv_blocked, &b));
	usleep(300 * 1000); /* let the receiver block first */
	ASSERT_EQ(0, mbx_sends(self->fd, self->h, "mine"));
	pthread_join(th, NULL);
	EXPECT_EQ(0, b.status);
	EXPECT_STREQ("mine", b.buf);
	close(other);
}

TEST_F(pl, pollin_does_not_steal_from_a_blocked_reader)
{
	poll_then_send(_metadata, self, POLLIN, 0);
}

TEST_F(pl, pollout_does_not_steal_from_a_blocked_reader)
{
	poll_then_send(_metadata, self, POLLOUT, 1);
}

/* A POLL RECV on the handle must not strand a READ armed on its file. */
TEST_F(pl, poll_recv_does_not_strand_an_armed_read)
{
	struct __kernel_timespec ts = { .tv_sec = 2 };
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	uint32_t rh;
	char buf[64];
	int hf;

	ASSERT_EQ(0, mbx_open(self->fd, 0, self->target, HSX_MBX_MODE_RDONLY, &rh));
	hf = mbx_handle_fd(self->fd, 0, rh, HSXMBX_FD_RAW);
	ASSERT_LE(0, hf);
	ASSERT_EQ(0, io_uring_queue_init(4, &ring, 0));
	io_uring_prep_read(io_uring_get_sqe(&ring), hf, buf, sizeof(buf), 0);
	ASSERT_EQ(1, io_uring_submit(&ring));
	usleep(100 * 1000); /* the READ is armed on the file's poll */
	EXPECT_EQ(HSX_MBX_STATUS_NO_DATA,
		  mbx_recv(self->fd, 0, rh, buf, sizeof(buf), HSX_MBX_TIMEOUT_POLL, NULL));
	ASSERT_EQ(0, mbx_sends(self->fd, self->h, "late"));
	ASSERT_EQ(0, io_uring_wait_cqe_timeout(&ring, &cqe, &ts));
	EXPECT_EQ(4, cqe->res);
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
	close(hf);
}

struct blocked_send {
	int fd;
	uint32_t h;
	int status;
};

static void *send_blocked(void *p)
{
	struct blocked_send *b = p;
	char msg[56] = {};
	struct hsxmbx_send s = {
		.flags = HSXMBX_SEND_BLOCK, .handle = b->h, .payload_ptr = (uintptr_t)msg,
		.payload_len = sizeof(msg), .timeout = 2000,
	};

	b->status = xioctl(b->fd, HSXMBX_IOC_SEND, &s);
	return NULL;
}

/* A BIND that raises the capacity wakes a blocked FANOUT_BLOCK writer. */
TEST(bind_that_makes_room_wakes_a_blocked_writer)
{
	const char *t = uniq("app:pollbind");
	int fd = ctl_open();
	struct blocked_send b = { .fd = fd };
	uint32_t rd;
	pthread_t th;
	int64_t t0;

	ASSERT_EQ(0, mbx_bind(fd, 0, t, 64, HSX_MBX_MODE_FANOUT_BLOCK, NULL));
	ASSERT_EQ(0, mbx_open(fd, 0, t, HSX_MBX_MODE_RDONLY, &rd));
	ASSERT_EQ(0, mbx_open(fd, 0, t, HSX_MBX_MODE_WRONLY, &b.h));
	ASSERT_EQ(0, mbx_send(fd, 0, b.h, (char[56]){ 0 }, 56, 0));
	t0 = now_ns();
	ASSERT_EQ(0, pthread_create(&th, NULL, send_blocked, &b));
	usleep(300 * 1000);
	ASSERT_EQ(0, mbx_bind(fd, 0, t, 256, 0, NULL));
	pthread_join(th, NULL);
	EXPECT_EQ(0, b.status);
	EXPECT_GT(1500000000LL, now_ns() - t0);
	mbx_unbind(fd, t, HSXMBX_UNBIND_FORCE);
	close(fd);
}

TEST_HARNESS_MAIN
