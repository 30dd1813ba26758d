/* SPDX-License-Identifier: MIT */
/*
 * DOC: Channels: one message transport behind one interface
 *
 * A struct chan is a one-way message queue between two processes, created
 * in the parent before fork() so that both sides inherit it.  The same
 * benchmark loop then runs over every transport:
 *
 *   mq         POSIX message queue, mq_maxmsg = depth, mq_msgsize = size
 *   pipe       pipe2() sized to depth messages with F_SETPIPE_SZ
 *   seqpacket  AF_UNIX SOCK_SEQPACKET socketpair, SO_SNDBUF for depth
 *   evring     shared-memory SPSC ring of depth slots, eventfd wake-ups
 *              only when the other side sleeps (the usual best practice)
 *   hsx-rw     hsxmbx raw handle files, blocking read()/write()
 *   hsx-poll   hsxmbx raw handle files, O_NONBLOCK + poll() before I/O
 *   hsx-uring  hsxmbx raw handle files through io_uring READ/WRITE
 *   hsx-ioctl  hsxmbx SEND/RECV ioctls on the control file (INFINITE wait)
 *   hsx-ucmd   hsxmbx SEND as io_uring uring_cmd on the control file,
 *              receive as io_uring READ on the handle file (the executive's
 *              kernel backend)
 *
 * Every transport gets the same queue depth (in messages) so that none
 * wins by buffering more.  The hsxmbx descriptor's byte capacity is
 * depth * (size + 8), the engine's per-message cost.
 */
#ifndef HSX_BENCH_CHAN_H
#define HSX_BENCH_CHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct chan_ops;
struct evring;

struct chan {
	const struct chan_ops *ops;
	size_t size;
	unsigned depth;
	int tx_fd, rx_fd;        /* pipe/socket/mq/hsx handle files */
	int ctl;                 /* hsxmbx control file */
	uint32_t tx_handle, rx_handle;
	char target[48];         /* hsxmbx target */
	struct evring *ring;     /* evring shared memory */
	int data_efd, space_efd; /* evring wake-ups */
};

/* Known transport names, NULL-terminated. */
extern const char *const chan_peers[];
bool chan_is_hsx(const char *peer);

/* Create a channel of `peer` kind; returns 0 or -errno. */
int chan_open(struct chan *c, const char *peer, size_t size, unsigned depth);
void chan_close(struct chan *c);

/* One message each way; both block until done.  Return 0 or -errno. */
int chan_send(struct chan *c, const void *buf);
int chan_recv(struct chan *c, void *buf);
/*
 * n messages from/into n consecutive size-byte slots of buf.  Transports
 * that can batch (hsx-uring, hsx-ucmd) submit them with one system call;
 * the others loop.  Return 0 or -errno.
 */
int chan_send_many(struct chan *c, const void *buf, unsigned n);
int chan_recv_many(struct chan *c, void *buf, unsigned n);
/* Ping-pong halves: send on tx then receive on rx, or the reverse.  The
 * io_uring transports link the two into one submission. */
int chan_call(struct chan *tx, struct chan *rx, void *buf);
int chan_echo(struct chan *rx, struct chan *tx, void *buf);

/*
 * Attach a tap to an hsxmbx channel's descriptor: its device node opened
 * O_RDONLY (never consumes, never slows the owner, per the ABI).  Returns
 * the tap's file descriptor or -errno.
 */
int chan_hsx_tap(struct chan *c);

/* Full-length read/write helpers: 0 or -errno (-EPIPE on EOF). */
int chan_write_all(int fd, const void *buf, size_t len);
int chan_read_all(int fd, void *buf, size_t len);

/* Raise the mq and pipe limits (as root) so that `depth` fits. */
void chan_raise_limits(size_t size, unsigned depth);

#endif /* HSX_BENCH_CHAN_H */
