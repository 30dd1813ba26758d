/* SPDX-License-Identifier: MIT */
/*
 * DOC: Benchmark helpers
 *
 * Every program under bench/ measures one thing and prints one JSON object
 * per line on stdout, so that bench/run can collect results from any number
 * of programs, rounds and boots without parsing prose.  Figures are never
 * judged here: under QEMU TCG absolute times mean nothing, so bench/run
 * only ever reports ratios of runs taken in the same boot.
 *
 * Timing uses CLOCK_MONOTONIC (shared by all processes, so a consumer can
 * stamp the end of a run the producer started).  Each program warms up
 * first, then takes a number of samples and summarises them with the
 * median and the spread (min, p99, max), never the mean alone.
 */
#ifndef HSX_BENCH_H
#define HSX_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Options every program accepts (each uses the ones that apply). */
struct bench_opts {
	const char *peer;   /* transport, see chan.h */
	unsigned size;      /* payload bytes */
	unsigned iters;     /* measured operations per sample */
	unsigned warmup;    /* operations before measuring */
	unsigned reps;      /* samples for throughput-style figures */
	unsigned round;     /* round number, echoed into the output */
	unsigned batch;     /* io_uring batch size */
	unsigned readers;   /* fan-out readers */
	unsigned taps;      /* taps attached */
	unsigned depth;     /* queue depth in messages for every transport */
};

/* Parse argv into *o (defaults already set by the caller); exits on error. */
void bench_parse(int argc, char **argv, struct bench_opts *o,
		 const char *usage);

/* Monotonic time and this thread's CPU time, in nanoseconds. */
uint64_t bench_now_ns(void);
uint64_t bench_cpu_ns(void);

/* Summary of a sample set (sorted in place by bench_summarise). */
struct bench_stats {
	uint64_t min, p50, p99, max;
	size_t n;
};
void bench_summarise(uint64_t *v, size_t n, struct bench_stats *out);
/* Same over doubles (rates), p01 instead of p99 is not needed: min/max. */
struct bench_rate {
	double min, p50, max;
};
void bench_summarise_rate(double *v, size_t n, struct bench_rate *out);

/*
 * One JSON line.  jl_begin() starts the object with the common fields
 * (bench, peer, size, round); the jl_* helpers append; jl_end() prints.
 */
struct jline {
	char buf[1024];
	size_t len;
};
void jl_begin(struct jline *j, const char *bench, const struct bench_opts *o);
void jl_str(struct jline *j, const char *key, const char *val);
void jl_u64(struct jline *j, const char *key, uint64_t val);
void jl_dbl(struct jline *j, const char *key, double val);
void jl_end(struct jline *j);

/* Print a message and exit(1); for setup failures (not measurements). */
void bench_die(const char *what, int err) __attribute__((noreturn));
/* Fill a buffer with a recognisable pattern. */
void bench_fill(void *buf, size_t len, unsigned seed);
/* Wait for a child and die unless it exited 0. */
void bench_reap(int pid);

#endif /* HSX_BENCH_H */
