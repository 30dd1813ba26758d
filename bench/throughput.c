// SPDX-License-Identifier: MIT
/*
 * DOC: One-way throughput
 *
 * The parent sends `iters` messages of `size` bytes as fast as the channel
 * takes them, `batch` at a time (one submission per batch for the io_uring
 * transports, a loop of single calls for the others); the child receives
 * them, `batch` at a time too, and acknowledges the whole run over a pipe.
 * A sample is the time from the first send to that acknowledgement, so it
 * covers delivery, not just queueing.  One untimed run of `warmup`
 * messages comes first; `reps` timed runs give the median and spread.
 * The sender's CPU time per message is reported as well.
 *
 * With --taps T (hsxmbx only) the run is reported as bench "taps": T taps
 * are attached to the descriptor through its device node and left idle,
 * so every message is also queued for them (and dropped from their
 * buffers once full).  The owner's throughput must not depend on T.
 */
#include "bench.h"
#include "chan.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define NO_TAPS 0xffffffffu

struct tp_run {
	struct chan ch;
	int ack[2];
	char *buf;
	const struct bench_opts *o;
};

static unsigned chunk(const struct bench_opts *o, unsigned done, unsigned n)
{
	return n - done < o->batch ? n - done : o->batch;
}

static void consume(struct tp_run *t, unsigned n)
{
	unsigned done = 0, k;
	int r;

	while (done < n) {
		k = chunk(t->o, done, n);
		r = chan_recv_many(&t->ch, t->buf, k);
		if (r)
			bench_die("recv", r);
		done += k;
	}
	if (write(t->ack[1], &done, sizeof(done)) != sizeof(done))
		bench_die("ack write", errno);
}

static void consumer(struct tp_run *t)
{
	consume(t, t->o->warmup);
	for (unsigned rep = 0; rep < t->o->reps; rep++)
		consume(t, t->o->iters);
	exit(0);
}

/* Send n messages and wait for the ack; returns elapsed ns. */
static uint64_t produce(struct tp_run *t, unsigned n, uint64_t *cpu_ns)
{
	uint64_t t0 = bench_now_ns(), c0 = bench_cpu_ns();
	unsigned done = 0, k, got;
	int r;

	while (done < n) {
		k = chunk(t->o, done, n);
		r = chan_send_many(&t->ch, t->buf, k);
		if (r)
			bench_die("send", r);
		done += k;
	}
	*cpu_ns = bench_cpu_ns() - c0;
	if (read(t->ack[0], &got, sizeof(got)) != sizeof(got) || got != n)
		bench_die("ack read", EPROTO);
	return bench_now_ns() - t0;
}

/* The tap files stay open (and idle) until the process exits. */
static void attach_taps(struct chan *c, const struct bench_opts *o)
{
	if (o->taps == NO_TAPS || !o->taps)
		return;
	if (!chan_is_hsx(o->peer))
		bench_die("--taps needs an hsx peer", EINVAL);
	for (unsigned i = 0; i < o->taps; i++) {
		int fd = chan_hsx_tap(c);

		if (fd < 0)
			bench_die("tap", fd);
	}
}

static void report(const struct bench_opts *o, double *rates, double *cpu)
{
	struct bench_rate rate, c;
	struct jline j;

	bench_summarise_rate(rates, o->reps, &rate);
	bench_summarise_rate(cpu, o->reps, &c);
	jl_begin(&j, o->taps == NO_TAPS ? "throughput" : "taps", o);
	jl_u64(&j, "batch", o->batch);
	if (o->taps != NO_TAPS)
		jl_u64(&j, "taps", o->taps);
	jl_u64(&j, "n", o->iters);
	jl_u64(&j, "reps", o->reps);
	jl_dbl(&j, "msgs_per_s", rate.p50);
	jl_dbl(&j, "msgs_per_s_min", rate.min);
	jl_dbl(&j, "msgs_per_s_max", rate.max);
	jl_dbl(&j, "bytes_per_s", rate.p50 * o->size);
	jl_dbl(&j, "send_cpu_ns", c.p50);
	jl_end(&j);
}

int main(int argc, char **argv)
{
	struct bench_opts o = { .peer = "pipe", .size = 64, .iters = 20000,
				.warmup = 2000, .reps = 5, .batch = 1,
				.depth = 64, .taps = NO_TAPS };
	struct tp_run t = { .o = &o };
	double *rates, *cpu;
	uint64_t cpu_ns;
	int r, pid;

	bench_parse(argc, argv, &o, "[--peer P] [--size B] [--iters N] "
		    "[--warmup N] [--reps N] [--batch B] [--round R] [--depth D] "
		    "[--taps T]");
	chan_raise_limits(o.size, o.depth);
	r = chan_open(&t.ch, o.peer, o.size, o.depth);
	if (r)
		bench_die(o.peer, r);
	attach_taps(&t.ch, &o);
	if (pipe(t.ack) < 0)
		bench_die("pipe", errno);
	t.buf = calloc(o.batch, o.size);
	bench_fill(t.buf, (size_t)o.batch * o.size, o.round);
	rates = calloc(o.reps, sizeof(*rates));
	cpu = calloc(o.reps, sizeof(*cpu));
	pid = fork();
	if (pid < 0)
		bench_die("fork", errno);
	if (pid == 0)
		consumer(&t);
	produce(&t, o.warmup, &cpu_ns);
	for (unsigned rep = 0; rep < o.reps; rep++) {
		rates[rep] = o.iters * 1e9 / (double)produce(&t, o.iters, &cpu_ns);
		cpu[rep] = (double)cpu_ns / o.iters;
	}
	bench_reap(pid);
	chan_close(&t.ch);
	report(&o, rates, cpu);
	return 0;
}
