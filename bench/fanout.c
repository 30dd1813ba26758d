// SPDX-License-Identifier: MIT
/*
 * DOC: Fan-out to R readers
 *
 * hsx-rw: one FANOUT|FANOUT_BLOCK descriptor; the sender write()s each
 * message once to a blocking raw handle file and every reader (its own
 * process, its own control file and RDONLY handle) reads it.  The sender
 * blocks while the slowest reader keeps the queue full.
 *
 * mq: the POSIX answer, one queue per reader; the sender mq_send()s each
 * message R times.
 *
 * A sample is `iters` messages: the sender's CPU time per message (what
 * publishing costs the publisher) and the total deliveries per second
 * (R * iters over the time until the last reader acknowledged).
 */
#include "bench.h"
#include "chan.h"
#include "hsxmbx/hsxmbx.h"

#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_READERS 64

struct fan {
	const struct bench_opts *o;
	bool hsx;
	int ctl;                  /* sender's control file (hsx) */
	int tx_fd;                /* hsx sender handle file */
	int rx_fd[MAX_READERS];   /* hsx reader handle file or mq per reader */
	int ack[2];
	char target[48];
	char *buf;
};

static void hsx_setup(struct fan *f)
{
	const struct bench_opts *o = f->o;
	uint32_t mode = HSX_MBX_MODE_FANOUT | HSX_MBX_MODE_FANOUT_BLOCK;
	int r, ctl;

	f->ctl = hsxmbx_open_control(0);
	if (f->ctl < 0)
		bench_die("open control", f->ctl);
	snprintf(f->target, sizeof(f->target), "shared:f%d", getpid());
	r = hsxmbx_bind(f->ctl, f->target, o->depth * (o->size + 8), mode);
	if (r < 0)
		bench_die("bind fanout", r);
	r = hsxmbx_open(f->ctl, f->target, HSX_MBX_MODE_WRONLY);
	f->tx_fd = r < 0 ? r : hsxmbx_handle_fd(f->ctl, r, HSXMBX_FD_RAW);
	if (f->tx_fd < 0)
		bench_die("sender handle", f->tx_fd);
	for (unsigned i = 0; i < o->readers; i++) {
		ctl = hsxmbx_open_control(0);
		r = ctl < 0 ? ctl : hsxmbx_open(ctl, f->target, HSX_MBX_MODE_RDONLY);
		f->rx_fd[i] = r < 0 ? r : hsxmbx_handle_fd(ctl, r, HSXMBX_FD_RAW);
		if (f->rx_fd[i] < 0)
			bench_die("reader handle", f->rx_fd[i]);
		/* ctl stays open: it is the reader's PID-0 identity. */
	}
}

static void mq_setup(struct fan *f)
{
	struct mq_attr attr = { .mq_maxmsg = f->o->depth,
				.mq_msgsize = f->o->size };
	char name[64];

	for (unsigned i = 0; i < f->o->readers; i++) {
		snprintf(name, sizeof(name), "/hsxfan.%d.%u", getpid(), i);
		f->rx_fd[i] = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
		if (f->rx_fd[i] < 0)
			bench_die("mq_open", errno);
		mq_unlink(name);
	}
}

static int recv_one(struct fan *f, unsigned i)
{
	ssize_t n;

	do {
		n = f->hsx ? read(f->rx_fd[i], f->buf, f->o->size)
			   : mq_receive(f->rx_fd[i], f->buf, f->o->size, NULL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == f->o->size ? 0 : -EPROTO;
}

static void reader(struct fan *f, unsigned i)
{
	unsigned total = f->o->warmup + f->o->reps * f->o->iters, done = 0;
	int r;

	while (done < total) {
		r = recv_one(f, i);
		if (r)
			bench_die("fanout receive", r);
		done++;
		if (done >= f->o->warmup && (done - f->o->warmup) % f->o->iters == 0 &&
		    write(f->ack[1], &i, sizeof(i)) != sizeof(i))
			bench_die("ack", errno);
	}
	exit(0);
}

static int send_one(struct fan *f)
{
	if (f->hsx)
		return chan_write_all(f->tx_fd, f->buf, f->o->size);
	for (unsigned i = 0; i < f->o->readers; i++)
		while (mq_send(f->rx_fd[i], f->buf, f->o->size, 0) < 0)
			if (errno != EINTR)
				return -errno;
	return 0;
}

static void wait_acks(struct fan *f)
{
	unsigned who;

	for (unsigned i = 0; i < f->o->readers; i++)
		if (read(f->ack[0], &who, sizeof(who)) != sizeof(who))
			bench_die("ack read", EPROTO);
}

/* One sample: elapsed ns to the last ack; *cpu = sender CPU ns. */
static uint64_t publish(struct fan *f, unsigned n, uint64_t *cpu)
{
	uint64_t t0 = bench_now_ns(), c0 = bench_cpu_ns();
	int r;

	for (unsigned i = 0; i < n; i++) {
		r = send_one(f);
		if (r)
			bench_die("fanout send", r);
	}
	*cpu = bench_cpu_ns() - c0;
	if (n)
		wait_acks(f);
	return bench_now_ns() - t0;
}

static void report(const struct bench_opts *o, double *rates, double *cpu)
{
	struct bench_rate rate, c;
	struct jline j;

	bench_summarise_rate(rates, o->reps, &rate);
	bench_summarise_rate(cpu, o->reps, &c);
	jl_begin(&j, "fanout", o);
	jl_u64(&j, "readers", o->readers);
	jl_u64(&j, "n", o->iters);
	jl_dbl(&j, "delivered_per_s", rate.p50);
	jl_dbl(&j, "delivered_per_s_min", rate.min);
	jl_dbl(&j, "delivered_per_s_max", rate.max);
	jl_dbl(&j, "send_cpu_ns", c.p50);
	jl_dbl(&j, "send_cpu_ns_min", c.min);
	jl_dbl(&j, "send_cpu_ns_max", c.max);
	jl_end(&j);
}

static void run(struct fan *f, double *rates, double *cpu)
{
	const struct bench_opts *o = f->o;
	uint64_t c;

	publish(f, o->warmup, &c);
	for (unsigned rep = 0; rep < o->reps; rep++) {
		rates[rep] = (double)o->readers * o->iters * 1e9 /
			     (double)publish(f, o->iters, &c);
		cpu[rep] = (double)c / o->iters;
	}
}

int main(int argc, char **argv)
{
	struct bench_opts o = { .peer = "hsx-rw", .size = 64, .iters = 2000,
				.warmup = 200, .reps = 3, .batch = 1,
				.readers = 4, .depth = 64 };
	struct fan f = { .o = &o };
	int pids[MAX_READERS];
	double rates[64], cpu[64];

	bench_parse(argc, argv, &o, "[--peer hsx-rw|mq] [--readers R] "
		    "[--size B] [--iters N] [--warmup N] [--reps N] [--round R]");
	if (!o.readers || o.readers > MAX_READERS || o.reps > 64)
		bench_die("readers must be 1..64, reps <= 64", EINVAL);
	f.hsx = chan_is_hsx(o.peer);
	if (!f.hsx && strcmp(o.peer, "mq"))
		bench_die("peer must be hsx-rw or mq", EINVAL);
	chan_raise_limits(o.size, o.depth);
	f.buf = calloc(1, o.size);
	if (pipe(f.ack) < 0)
		bench_die("pipe", errno);
	if (f.hsx)
		hsx_setup(&f);
	else
		mq_setup(&f);
	for (unsigned i = 0; i < o.readers; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			bench_die("fork", errno);
		if (pids[i] == 0)
			reader(&f, i);
	}
	run(&f, rates, cpu);
	for (unsigned i = 0; i < o.readers; i++)
		bench_reap(pids[i]);
	if (f.hsx)
		hsxmbx_unbind(f.ctl, f.target, HSXMBX_UNBIND_FORCE);
	report(&o, rates, cpu);
	return 0;
}
