/* SPDX-License-Identifier: MIT */
/* DOC: The transport table behind struct chan (private to bench/chan*.c). */
#ifndef HSX_BENCH_CHAN_IMPL_H
#define HSX_BENCH_CHAN_IMPL_H

#include "chan.h"

struct chan_ops {
	const char *name;
	int (*open)(struct chan *c);
	void (*close)(struct chan *c);
	int (*send)(struct chan *c, const void *buf);
	int (*recv)(struct chan *c, void *buf);
	/* Optional; chan.c falls back to loops of send/recv. */
	int (*send_many)(struct chan *c, const void *buf, unsigned n);
	int (*recv_many)(struct chan *c, void *buf, unsigned n);
	int (*call)(struct chan *tx, struct chan *rx, void *buf);
	int (*echo)(struct chan *rx, struct chan *tx, void *buf);
};

extern const struct chan_ops chan_hsx_rw_ops, chan_hsx_poll_ops,
	chan_hsx_uring_ops, chan_hsx_ioctl_ops, chan_hsx_ucmd_ops;

#endif /* HSX_BENCH_CHAN_IMPL_H */
