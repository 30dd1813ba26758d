// SPDX-License-Identifier: MIT
/*
 * DOC: The hsxmbx transports
 *
 * A channel is one plain (single-reader) descriptor "app:b<pid>.<n>" bound
 * with capacity depth * (size + 8), a WRONLY handle for the sender and a
 * RDONLY handle for the receiver, both on one control file that the two
 * processes share after fork() (one PID-0 identity, as one application
 * would have).  Handle files are opened in raw mode: one write() is one
 * message and a read() returns exactly one payload, like the peers.
 *
 * The io_uring transports keep one ring per process, created on first use
 * (a ring must not be shared across fork()).
 */
#include "chan_impl.h"
#include "bench.h"
#include "hsxmbx/hsxmbx.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define RING_ENTRIES 256
#define MAX_BATCH 64

static int hsx_open_fds(struct chan *c, uint64_t fd_flags)
{
	static unsigned seq;
	int r;

	c->ctl = hsxmbx_open_control(0);
	if (c->ctl < 0)
		return c->ctl;
	snprintf(c->target, sizeof(c->target), "app:b%d.%u", getpid(), seq++);
	r = hsxmbx_bind(c->ctl, c->target, c->depth * (c->size + 8), 0);
	if (r < 0)
		return r;
	r = hsxmbx_open(c->ctl, c->target, HSX_MBX_MODE_WRONLY);
	if (r < 0)
		return r;
	c->tx_handle = (uint32_t)r;
	r = hsxmbx_open(c->ctl, c->target, HSX_MBX_MODE_RDONLY);
	if (r < 0)
		return r;
	c->rx_handle = (uint32_t)r;
	fd_flags |= HSXMBX_FD_RAW | HSXMBX_FD_CLOEXEC;
	c->tx_fd = hsxmbx_handle_fd(c->ctl, c->tx_handle, fd_flags);
	if (c->tx_fd < 0)
		return c->tx_fd;
	c->rx_fd = hsxmbx_handle_fd(c->ctl, c->rx_handle, fd_flags);
	return c->rx_fd < 0 ? c->rx_fd : 0;
}

static int hsx_open_blocking(struct chan *c)
{
	return hsx_open_fds(c, 0);
}

static int hsx_open_nonblock(struct chan *c)
{
	return hsx_open_fds(c, HSXMBX_FD_NONBLOCK);
}

static void hsx_close(struct chan *c)
{
	if (c->tx_fd >= 0)
		close(c->tx_fd);
	if (c->rx_fd >= 0)
		close(c->rx_fd);
	if (c->ctl >= 0) {
		hsxmbx_unbind(c->ctl, c->target, HSXMBX_UNBIND_FORCE);
		close(c->ctl);
	}
}

/* A raw handle file returns exactly one whole message per call. */
static int check_len(ssize_t n, size_t want)
{
	if (n < 0)
		return -errno;
	if (n == 0)
		return -EPIPE;
	return (size_t)n == want ? 0 : -EPROTO;
}

int chan_hsx_tap(struct chan *c)
{
	char path[96];
	const char *name = strchr(c->target, ':') + 1;
	int fd;

	snprintf(path, sizeof(path), HSXMBX_DEV_DIR "/app/%s", name);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* --- hsx-rw: blocking read()/write() on handle files. --- */

static int wait_fd(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	while (poll(&p, 1, -1) < 0)
		if (errno != EINTR)
			return -errno;
	return p.revents & (POLLERR | POLLHUP | POLLNVAL) ? -EPIPE : 0;
}

/*
 * A blocking write() on a full single-reader descriptor answers EAGAIN
 * (only FANOUT_BLOCK senders sleep in the module), so wait for POLLOUT
 * and retry, as any careful user has to.
 */
static int hsx_rw_send(struct chan *c, const void *buf)
{
	for (;;) {
		ssize_t n = write(c->tx_fd, buf, c->size);
		int r;

		if (n >= 0 || (errno != EAGAIN && errno != EINTR))
			return check_len(n, c->size);
		r = errno == EAGAIN ? wait_fd(c->tx_fd, POLLOUT) : 0;
		if (r)
			return r;
	}
}

static int hsx_rw_recv(struct chan *c, void *buf)
{
	ssize_t n;

	while ((n = read(c->rx_fd, buf, c->size)) < 0 && errno == EINTR)
		;
	return check_len(n, c->size);
}

/* --- hsx-poll: non-blocking files driven by poll(), as an event loop. --- */

static int hsx_poll_send(struct chan *c, const void *buf)
{
	for (;;) {
		ssize_t n = write(c->tx_fd, buf, c->size);
		int r;

		if (n >= 0 || (errno != EAGAIN && errno != EINTR))
			return check_len(n, c->size);
		r = wait_fd(c->tx_fd, POLLOUT);
		if (r)
			return r;
	}
}

static int hsx_poll_recv(struct chan *c, void *buf)
{
	for (;;) {
		int r = wait_fd(c->rx_fd, POLLIN);
		ssize_t n;

		if (r)
			return r;
		n = read(c->rx_fd, buf, c->size);
		if (n >= 0 || (errno != EAGAIN && errno != EINTR))
			return check_len(n, c->size);
	}
}

/* --- io_uring plumbing shared by hsx-uring and hsx-ucmd. --- */

static struct io_uring ring;
static pid_t ring_pid;

static struct io_uring *ring_get(void)
{
	int r;

	if (ring_pid == getpid())
		return &ring;
	r = io_uring_queue_init(RING_ENTRIES, &ring, 0);
	if (r < 0)
		bench_die("io_uring_queue_init", r);
	ring_pid = getpid();
	return &ring;
}

static struct io_uring_sqe *sqe_next(unsigned idx, bool link)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring_get());

	if (!sqe)
		bench_die("io_uring_get_sqe", EBUSY);
	io_uring_sqe_set_data64(sqe, idx);
	if (link)
		sqe->flags |= IOSQE_IO_LINK;
	return sqe;
}

/* Submit what was prepared, reap exactly n completions into res[]. */
static int ring_run(unsigned n, int *res)
{
	struct io_uring_cqe *cqe;
	int r = io_uring_submit_and_wait(&ring, n);

	if (r < 0)
		return r;
	for (unsigned i = 0; i < n; i++) {
		r = io_uring_wait_cqe(&ring, &cqe);
		if (r < 0)
			return r;
		if (cqe->user_data < n)
			res[cqe->user_data] = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
	}
	return 0;
}

/* --- hsx-uring: IORING_OP_READ/WRITE on the handle files. --- */

static int uring_rw(struct chan *c, void *buf, unsigned n, bool tx)
{
	int res[MAX_BATCH], r;

	if (n > MAX_BATCH)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		char *slot = (char *)buf + i * c->size;

		if (tx)
			hsxmbx_prep_send_fd(sqe_next(i, false), c->tx_fd, slot,
					    c->size);
		else
			hsxmbx_prep_recv_fd(sqe_next(i, false), c->rx_fd, slot,
					    c->size);
	}
	r = ring_run(n, res);
	for (unsigned i = 0; i < n && !r; i++)
		r = res[i] < 0 ? res[i] : check_len(res[i], c->size);
	return r;
}

static int hsx_uring_send(struct chan *c, const void *buf)
{
	return uring_rw(c, (void *)buf, 1, true);
}

static int hsx_uring_recv(struct chan *c, void *buf)
{
	return uring_rw(c, buf, 1, false);
}

static int hsx_uring_send_many(struct chan *c, const void *buf, unsigned n)
{
	return uring_rw(c, (void *)buf, n, true);
}

static int hsx_uring_recv_many(struct chan *c, void *buf, unsigned n)
{
	return uring_rw(c, buf, n, false);
}

/* A linked pair: the second starts when the first completed in full. */
static int uring_pair(struct chan *first, bool first_tx, struct chan *second,
		      void *buf)
{
	int res[2] = { 0, 0 }, r;
	size_t len = first->size;

	if (first_tx) {
		hsxmbx_prep_send_fd(sqe_next(0, true), first->tx_fd, buf, len);
		hsxmbx_prep_recv_fd(sqe_next(1, false), second->rx_fd, buf, len);
	} else {
		hsxmbx_prep_recv_fd(sqe_next(0, true), first->rx_fd, buf, len);
		hsxmbx_prep_send_fd(sqe_next(1, false), second->tx_fd, buf, len);
	}
	r = ring_run(2, res);
	if (!r)
		r = res[0] < 0 ? res[0] : check_len(res[0], len);
	if (!r)
		r = res[1] < 0 ? res[1] : check_len(res[1], len);
	return r;
}

static int hsx_uring_call(struct chan *tx, struct chan *rx, void *buf)
{
	return uring_pair(tx, true, rx, buf);
}

static int hsx_uring_echo(struct chan *rx, struct chan *tx, void *buf)
{
	return uring_pair(rx, false, tx, buf);
}

/* --- hsx-ioctl: SEND/RECV commands on the control file. --- */

static int hsx_ioctl_send(struct chan *c, const void *buf)
{
	for (;;) {
		int r = hsxmbx_send(c->ctl, c->tx_handle, buf, c->size, 0, 0);

		if (r != -EAGAIN)
			return r < 0 ? r : check_len(r, c->size);
		/* A full single-reader queue: wait for room like a poller. */
		r = wait_fd(c->tx_fd, POLLOUT);
		if (r)
			return r;
	}
}

static int hsx_ioctl_recv(struct chan *c, void *buf)
{
	int r = hsxmbx_recv(c->ctl, c->rx_handle, buf, c->size,
			    HSX_MBX_TIMEOUT_INFINITE, NULL);

	return r < 0 ? r : check_len(r, c->size);
}

/*
 * --- hsx-ucmd: SEND as IORING_OP_URING_CMD, receive as READ. ---
 *
 * This is the executive's kernel backend: every command is a uring_cmd on
 * the control file (never blocks; a full queue answers WOULDBLOCK, and the
 * send waits for POLLOUT and is retried), and a blocking receive is an
 * IORING_OP_READ on the handle file.  A round trip is one linked
 * submission: SEND -> READ(reply), or READ -> SEND(the same buffer).
 */
static struct hsxmbx_send send_args[MAX_BATCH];

static void prep_ucmd_send(struct chan *c, unsigned i, const void *buf,
			   bool link)
{
	hsxmbx_init_send(&send_args[i], 0, c->tx_handle, buf, c->size, 0, 0);
	hsxmbx_prep_send(sqe_next(i, link), c->ctl, &send_args[i]);
}

static int ucmd_send_result(struct chan *c, const void *buf, int res)
{
	if (res == HSX_MBX_STATUS_OK)
		return 0;
	if (res != HSX_MBX_STATUS_WOULDBLOCK)
		return res < 0 ? res : hsxmbx_status_errno((uint32_t)res);
	return hsx_ioctl_send(c, buf); /* full: wait for room, then send */
}

static int hsx_ucmd_send_many(struct chan *c, const void *buf, unsigned n)
{
	int res[MAX_BATCH], r;

	if (n > MAX_BATCH)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++)
		prep_ucmd_send(c, i, (const char *)buf + i * c->size, false);
	r = ring_run(n, res);
	for (unsigned i = 0; i < n && !r; i++)
		r = ucmd_send_result(c, (const char *)buf + i * c->size, res[i]);
	return r;
}

static int hsx_ucmd_send(struct chan *c, const void *buf)
{
	return hsx_ucmd_send_many(c, buf, 1);
}

static int hsx_ucmd_call(struct chan *tx, struct chan *rx, void *buf)
{
	int res[2] = { 0, 0 }, r;

	prep_ucmd_send(tx, 0, buf, true);
	hsxmbx_prep_recv_fd(sqe_next(1, false), rx->rx_fd, buf, rx->size);
	/* One message in flight: the queue cannot be full, SEND must be OK
	 * (a status is not a failure for the link, the READ went out). */
	r = ring_run(2, res);
	if (!r && res[0] != HSX_MBX_STATUS_OK)
		r = res[0] < 0 ? res[0] : hsxmbx_status_errno((uint32_t)res[0]);
	if (!r)
		r = res[1] < 0 ? res[1] : check_len(res[1], rx->size);
	return r;
}

static int hsx_ucmd_echo(struct chan *rx, struct chan *tx, void *buf)
{
	int res[2] = { 0, 0 }, r;

	hsxmbx_prep_recv_fd(sqe_next(0, true), rx->rx_fd, buf, rx->size);
	prep_ucmd_send(tx, 1, buf, false);
	r = ring_run(2, res);
	if (!r)
		r = res[0] < 0 ? res[0] : check_len(res[0], rx->size);
	return r ? r : ucmd_send_result(tx, buf, res[1]);
}

const struct chan_ops chan_hsx_rw_ops = {
	.name = "hsx-rw", .open = hsx_open_blocking, .close = hsx_close,
	.send = hsx_rw_send, .recv = hsx_rw_recv,
};

const struct chan_ops chan_hsx_poll_ops = {
	.name = "hsx-poll", .open = hsx_open_nonblock, .close = hsx_close,
	.send = hsx_poll_send, .recv = hsx_poll_recv,
};

const struct chan_ops chan_hsx_uring_ops = {
	.name = "hsx-uring", .open = hsx_open_blocking, .close = hsx_close,
	.send = hsx_uring_send, .recv = hsx_uring_recv,
	.send_many = hsx_uring_send_many, .recv_many = hsx_uring_recv_many,
	.call = hsx_uring_call, .echo = hsx_uring_echo,
};

const struct chan_ops chan_hsx_ioctl_ops = {
	.name = "hsx-ioctl", .open = hsx_open_nonblock, .close = hsx_close,
	.send = hsx_ioctl_send, .recv = hsx_ioctl_recv,
};

const struct chan_ops chan_hsx_ucmd_ops = {
	.name = "hsx-ucmd", .open = hsx_open_blocking, .close = hsx_close,
	.send = hsx_ucmd_send, .recv = hsx_uring_recv,
	.send_many = hsx_ucmd_send_many, .recv_many = hsx_uring_recv_many,
	.call = hsx_ucmd_call, .echo = hsx_ucmd_echo,
};
