// SPDX-License-Identifier: MIT
/*
 * DOC: Ping-pong round trip
 *
 * The parent sends `size` bytes on channel a2b; the child echoes them back
 * on b2a.  Each round trip is timed on its own (CLOCK_MONOTONIC), after
 * `warmup` untimed ones, and the distribution is reported as min, p50, p99
 * and max over `iters` samples.  The wake-up of a sleeping peer dominates
 * every transport, which is exactly what a request/reply user pays.
 */
#include "bench.h"
#include "chan.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static void echo_loop(struct chan *a2b, struct chan *b2a, size_t size,
		      unsigned count)
{
	char *buf = malloc(size);
	int r;

	for (unsigned i = 0; i < count; i++) {
		r = chan_echo(a2b, b2a, buf);
		if (r)
			bench_die("echo", r);
	}
	exit(0);
}

static void measure(struct chan *a2b, struct chan *b2a,
		    const struct bench_opts *o, uint64_t *samples)
{
	char *buf = malloc(o->size);
	uint64_t t0;
	int r;

	bench_fill(buf, o->size, o->round);
	for (unsigned i = 0; i < o->warmup + o->iters; i++) {
		t0 = bench_now_ns();
		r = chan_call(a2b, b2a, buf);
		if (r)
			bench_die("call", r);
		if (i >= o->warmup)
			samples[i - o->warmup] = bench_now_ns() - t0;
	}
	free(buf);
}

static void report(const struct bench_opts *o, uint64_t *samples)
{
	struct bench_stats st;
	struct jline j;

	bench_summarise(samples, o->iters, &st);
	jl_begin(&j, "pingpong", o);
	jl_u64(&j, "n", st.n);
	jl_u64(&j, "min_ns", st.min);
	jl_u64(&j, "p50_ns", st.p50);
	jl_u64(&j, "p99_ns", st.p99);
	jl_u64(&j, "max_ns", st.max);
	jl_end(&j);
}

int main(int argc, char **argv)
{
	struct bench_opts o = { .peer = "pipe", .size = 64, .iters = 10000,
				.warmup = 1000, .reps = 1, .batch = 1,
				.depth = 64 };
	struct chan a2b, b2a;
	uint64_t *samples;
	int r, pid;

	bench_parse(argc, argv, &o, "[--peer P] [--size B] [--iters N] "
		    "[--warmup N] [--round R] [--depth D]");
	chan_raise_limits(o.size, o.depth);
	r = chan_open(&a2b, o.peer, o.size, o.depth);
	if (!r)
		r = chan_open(&b2a, o.peer, o.size, o.depth);
	if (r)
		bench_die(o.peer, r);
	samples = calloc(o.iters, sizeof(*samples));
	pid = fork();
	if (pid < 0)
		bench_die("fork", errno);
	if (pid == 0)
		echo_loop(&a2b, &b2a, o.size, o.warmup + o.iters);
	measure(&a2b, &b2a, &o, samples);
	bench_reap(pid);
	chan_close(&a2b);
	chan_close(&b2a);
	report(&o, samples);
	return 0;
}
