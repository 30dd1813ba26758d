// SPDX-License-Identifier: MIT
/*
 * DOC: The peer transports (POSIX mq, pipe, SOCK_SEQPACKET, eventfd ring)
 *
 * Each peer is configured the way a careful user would: queues deep enough
 * for `depth` messages, no per-message allocation in user space, blocking
 * calls rather than spinning (the machine has two shared cores, and a
 * spinning peer would measure the scheduler, not the transport).
 */
#include "chan_impl.h"
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

const char *const chan_peers[] = {
	"mq", "pipe", "seqpacket", "evring", "hsx-rw", "hsx-poll",
	"hsx-uring", "hsx-ioctl", "hsx-ucmd", NULL,
};

bool chan_is_hsx(const char *peer)
{
	return !strncmp(peer, "hsx", 3);
}

int chan_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int chan_read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void raise_sysctl(const char *path, unsigned long want)
{
	unsigned long have = 0;
	FILE *f = fopen(path, "r+");

	if (!f)
		return;
	if (fscanf(f, "%lu", &have) == 1 && have < want) {
		rewind(f);
		fprintf(f, "%lu\n", want);
	}
	fclose(f);
}

void chan_raise_limits(size_t size, unsigned depth)
{
	struct rlimit inf = { RLIM_INFINITY, RLIM_INFINITY }, cur;

	raise_sysctl("/proc/sys/fs/mqueue/msg_max", depth);
	raise_sysctl("/proc/sys/fs/mqueue/msgsize_max", size);
	raise_sysctl("/proc/sys/fs/mqueue/queues_max", 1024);
	raise_sysctl("/proc/sys/fs/pipe-max-size", depth * size);
	/* Without CAP_SYS_RESOURCE (a container) at least use the hard limit. */
	if (setrlimit(RLIMIT_MSGQUEUE, &inf) < 0 &&
	    !getrlimit(RLIMIT_MSGQUEUE, &cur)) {
		cur.rlim_cur = cur.rlim_max;
		setrlimit(RLIMIT_MSGQUEUE, &cur);
	}
}

/* --- POSIX mq: one queue, unlinked at once so nothing is left behind. --- */

static int mq_chan_open(struct chan *c)
{
	struct mq_attr attr = { .mq_maxmsg = c->depth, .mq_msgsize = c->size };
	static unsigned seq;
	char name[64];
	mqd_t q;

	snprintf(name, sizeof(name), "/hsxbench.%d.%u", getpid(), seq++);
	q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
	if (q == (mqd_t)-1)
		return -errno;
	mq_unlink(name);
	c->tx_fd = c->rx_fd = q;
	return 0;
}

static void fd_chan_close(struct chan *c)
{
	if (c->tx_fd >= 0)
		close(c->tx_fd);
	if (c->rx_fd >= 0 && c->rx_fd != c->tx_fd)
		close(c->rx_fd);
}

static int mq_chan_send(struct chan *c, const void *buf)
{
	while (mq_send(c->tx_fd, buf, c->size, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

static int mq_chan_recv(struct chan *c, void *buf)
{
	ssize_t n;

	while ((n = mq_receive(c->rx_fd, buf, c->size, NULL)) < 0)
		if (errno != EINTR)
			return -errno;
	return (size_t)n == c->size ? 0 : -EPROTO;
}

/* --- pipe: a byte stream; fixed-size messages keep their boundaries. --- */

static int pipe_chan_open(struct chan *c)
{
	int fds[2];
	long want = (long)(c->depth * c->size);

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	if (want > 4096)
		fcntl(fds[1], F_SETPIPE_SZ, want);
	c->rx_fd = fds[0];
	c->tx_fd = fds[1];
	return 0;
}

static int fd_chan_send(struct chan *c, const void *buf)
{
	return chan_write_all(c->tx_fd, buf, c->size);
}

static int fd_chan_recv(struct chan *c, void *buf)
{
	return chan_read_all(c->rx_fd, buf, c->size);
}

/* --- AF_UNIX SOCK_SEQPACKET: the send buffer bounds the queue. --- */

static int seqpacket_chan_open(struct chan *c)
{
	int fds[2];
	/* An skb costs roughly 1 KiB of truesize beyond the payload. */
	int sndbuf = (int)(c->depth * (c->size + 1024));

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
		return -errno;
	if (setsockopt(fds[1], SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf,
		       sizeof(sndbuf)) < 0)
		setsockopt(fds[1], SOL_SOCKET, SO_SNDBUF, &sndbuf,
			   sizeof(sndbuf));
	c->rx_fd = fds[0];
	c->tx_fd = fds[1];
	return 0;
}

static int seqpacket_chan_recv(struct chan *c, void *buf)
{
	ssize_t n;

	while ((n = recv(c->rx_fd, buf, c->size, 0)) < 0)
		if (errno != EINTR)
			return -errno;
	return (size_t)n == c->size ? 0 : -EPROTO;
}

/*
 * --- evring: a single-producer single-consumer ring in shared memory. ---
 *
 * A side that finds the ring full (producer) or empty (consumer) sets its
 * "waiting" flag, re-checks, and sleeps in read() on its eventfd; the other
 * side writes that eventfd only when it sees the flag.  Both the flag store
 * and the index store are sequentially consistent, so one of the two sides
 * always sees the other (no lost wake-up); a spurious wake-up is harmless
 * because every wait re-checks in a loop.
 */
struct evring {
	_Alignas(64) _Atomic uint64_t head; /* next slot the producer fills */
	_Alignas(64) _Atomic uint64_t tail; /* next slot the consumer reads */
	_Alignas(64) _Atomic int cons_waiting;
	_Alignas(64) _Atomic int prod_waiting;
	_Alignas(64) unsigned char slots[];
};

static size_t evring_bytes(const struct chan *c)
{
	return sizeof(struct evring) + (size_t)c->depth * c->size;
}

static int evring_open(struct chan *c)
{
	c->ring = mmap(NULL, evring_bytes(c), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (c->ring == MAP_FAILED)
		return -errno;
	c->data_efd = eventfd(0, EFD_CLOEXEC);
	c->space_efd = eventfd(0, EFD_CLOEXEC);
	if (c->data_efd < 0 || c->space_efd < 0)
		return -errno;
	return 0;
}

static void evring_close(struct chan *c)
{
	munmap(c->ring, evring_bytes(c));
	close(c->data_efd);
	close(c->space_efd);
}

static bool evring_full(struct chan *c)
{
	return atomic_load(&c->ring->head) - atomic_load(&c->ring->tail) >=
	       c->depth;
}

static bool evring_empty(struct chan *c)
{
	return atomic_load(&c->ring->head) == atomic_load(&c->ring->tail);
}

static void evring_sleep(struct chan *c, _Atomic int *waiting, int efd,
			 bool (*blocked)(struct chan *))
{
	uint64_t v;

	atomic_store(waiting, 1);
	if (blocked(c) && read(efd, &v, sizeof(v)) < 0 && errno != EINTR)
		bench_die("evring eventfd read", errno);
	atomic_store(waiting, 0);
}

static void evring_wake(_Atomic int *waiting, int efd)
{
	uint64_t one = 1;

	if (atomic_load(waiting) && atomic_exchange(waiting, 0) &&
	    write(efd, &one, sizeof(one)) < 0)
		bench_die("evring eventfd write", errno);
}

static int evring_send(struct chan *c, const void *buf)
{
	struct evring *r = c->ring;
	uint64_t head;

	while (evring_full(c))
		evring_sleep(c, &r->prod_waiting, c->space_efd, evring_full);
	head = atomic_load_explicit(&r->head, memory_order_relaxed);
	memcpy(r->slots + (head % c->depth) * c->size, buf, c->size);
	atomic_store(&r->head, head + 1);
	evring_wake(&r->cons_waiting, c->data_efd);
	return 0;
}

static int evring_recv(struct chan *c, void *buf)
{
	struct evring *r = c->ring;
	uint64_t tail;

	while (evring_empty(c))
		evring_sleep(c, &r->cons_waiting, c->data_efd, evring_empty);
	tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	memcpy(buf, r->slots + (tail % c->depth) * c->size, c->size);
	atomic_store(&r->tail, tail + 1);
	evring_wake(&r->prod_waiting, c->space_efd);
	return 0;
}

static const struct chan_ops peer_ops[] = {
	{ .name = "mq", .open = mq_chan_open, .close = fd_chan_close,
	  .send = mq_chan_send, .recv = mq_chan_recv },
	{ .name = "pipe", .open = pipe_chan_open, .close = fd_chan_close,
	  .send = fd_chan_send, .recv = fd_chan_recv },
	{ .name = "seqpacket", .open = seqpacket_chan_open,
	  .close = fd_chan_close, .send = fd_chan_send,
	  .recv = seqpacket_chan_recv },
	{ .name = "evring", .open = evring_open, .close = evring_close,
	  .send = evring_send, .recv = evring_recv },
};

static const struct chan_ops *find_ops(const char *peer)
{
	static const struct chan_ops *const hsx[] = {
		&chan_hsx_rw_ops, &chan_hsx_poll_ops, &chan_hsx_uring_ops,
		&chan_hsx_ioctl_ops, &chan_hsx_ucmd_ops,
	};

	for (size_t i = 0; i < sizeof(peer_ops) / sizeof(peer_ops[0]); i++)
		if (!strcmp(peer, peer_ops[i].name))
			return &peer_ops[i];
	for (size_t i = 0; i < sizeof(hsx) / sizeof(hsx[0]); i++)
		if (!strcmp(peer, hsx[i]->name))
			return hsx[i];
	return NULL;
}

int chan_open(struct chan *c, const char *peer, size_t size, unsigned depth)
{
	memset(c, 0, sizeof(*c));
	c->tx_fd = c->rx_fd = c->ctl = c->data_efd = c->space_efd = -1;
	c->size = size;
	c->depth = depth;
	c->ops = find_ops(peer);
	if (!c->ops)
		return -ENOENT;
	return c->ops->open(c);
}

void chan_close(struct chan *c)
{
	if (c->ops)
		c->ops->close(c);
	c->ops = NULL;
}

int chan_send(struct chan *c, const void *buf)
{
	return c->ops->send(c, buf);
}

int chan_recv(struct chan *c, void *buf)
{
	return c->ops->recv(c, buf);
}

int chan_send_many(struct chan *c, const void *buf, unsigned n)
{
	const char *p = buf;
	int r = 0;

	if (c->ops->send_many)
		return c->ops->send_many(c, buf, n);
	for (unsigned i = 0; i < n && !r; i++)
		r = c->ops->send(c, p + i * c->size);
	return r;
}

int chan_recv_many(struct chan *c, void *buf, unsigned n)
{
	char *p = buf;
	int r = 0;

	if (c->ops->recv_many)
		return c->ops->recv_many(c, buf, n);
	for (unsigned i = 0; i < n && !r; i++)
		r = c->ops->recv(c, p + i * c->size);
	return r;
}

int chan_call(struct chan *tx, struct chan *rx, void *buf)
{
	int r;

	if (tx->ops->call)
		return tx->ops->call(tx, rx, buf);
	r = chan_send(tx, buf);
	return r ? r : chan_recv(rx, buf);
}

int chan_echo(struct chan *rx, struct chan *tx, void *buf)
{
	int r;

	if (rx->ops->echo)
		return rx->ops->echo(rx, tx, buf);
	r = chan_recv(rx, buf);
	return r ? r : chan_send(tx, buf);
}
