// SPDX-License-Identifier: MIT
/* DOC: Shared timing, statistics, option and JSON helpers (see bench.h). */
#include "bench.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

static const struct option bench_longopts[] = {
	{ "peer", required_argument, NULL, 'p' },
	{ "size", required_argument, NULL, 's' },
	{ "iters", required_argument, NULL, 'n' },
	{ "warmup", required_argument, NULL, 'w' },
	{ "reps", required_argument, NULL, 'r' },
	{ "round", required_argument, NULL, 'R' },
	{ "batch", required_argument, NULL, 'b' },
	{ "readers", required_argument, NULL, 'k' },
	{ "taps", required_argument, NULL, 't' },
	{ "depth", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static unsigned parse_uint(const char *name, const char *text)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(text, &end, 0);
	if (errno || *end || end == text || v > 0xffffffffUL) {
		fprintf(stderr, "bench: bad --%s '%s'\n", name, text);
		exit(2);
	}
	return (unsigned)v;
}

static unsigned *opt_field(struct bench_opts *o, int c)
{
	switch (c) {
	case 's': return &o->size;
	case 'n': return &o->iters;
	case 'w': return &o->warmup;
	case 'r': return &o->reps;
	case 'R': return &o->round;
	case 'b': return &o->batch;
	case 'k': return &o->readers;
	case 't': return &o->taps;
	case 'd': return &o->depth;
	}
	return NULL;
}

void bench_parse(int argc, char **argv, struct bench_opts *o,
		 const char *usage)
{
	int c, idx;

	while ((c = getopt_long(argc, argv, "p:s:n:w:r:R:b:k:t:d:h",
				bench_longopts, &idx)) != -1) {
		if (c == 'p') {
			o->peer = optarg;
		} else if (opt_field(o, c)) {
			*opt_field(o, c) = parse_uint(bench_longopts[idx].name,
						      optarg);
		} else {
			fprintf(stderr, "usage: %s %s\n", argv[0], usage);
			exit(c == 'h' ? 0 : 2);
		}
	}
	if (!o->iters || !o->reps || !o->depth || !o->batch) {
		fprintf(stderr, "bench: iters, reps, depth, batch must be > 0\n");
		exit(2);
	}
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t bench_now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

uint64_t bench_cpu_ns(void)
{
	return clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array. */
static size_t rank(size_t n, unsigned pct)
{
	size_t r = (n * pct + 99) / 100;

	return r ? r - 1 : 0;
}

void bench_summarise(uint64_t *v, size_t n, struct bench_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!n)
		return;
	qsort(v, n, sizeof(*v), cmp_u64);
	out->n = n;
	out->min = v[0];
	out->p50 = v[rank(n, 50)];
	out->p99 = v[rank(n, 99)];
	out->max = v[n - 1];
}

void bench_summarise_rate(double *v, size_t n, struct bench_rate *out)
{
	memset(out, 0, sizeof(*out));
	if (!n)
		return;
	qsort(v, n, sizeof(*v), cmp_dbl);
	out->min = v[0];
	out->p50 = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	out->max = v[n - 1];
}

static void jl_printf(struct jline *j, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(j->buf + j->len, sizeof(j->buf) - j->len, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(j->buf) - j->len)
		j->len += (size_t)n;
}

void jl_begin(struct jline *j, const char *bench, const struct bench_opts *o)
{
	j->len = 0;
	jl_printf(j, "{\"bench\":\"%s\"", bench);
	jl_str(j, "peer", o->peer);
	jl_u64(j, "size", o->size);
	jl_u64(j, "round", o->round);
}

/* Keys and values are program constants: only '"' and '\\' need escaping. */
void jl_str(struct jline *j, const char *key, const char *val)
{
	jl_printf(j, ",\"%s\":\"", key);
	for (; *val; val++)
		jl_printf(j, (*val == '"' || *val == '\\') ? "\\%c" : "%c", *val);
	jl_printf(j, "\"");
}

void jl_u64(struct jline *j, const char *key, uint64_t val)
{
	jl_printf(j, ",\"%s\":%llu", key, (unsigned long long)val);
}

void jl_dbl(struct jline *j, const char *key, double val)
{
	jl_printf(j, ",\"%s\":%.6g", key, val);
}

void jl_end(struct jline *j)
{
	printf("%s}\n", j->buf);
	fflush(stdout);
}

void bench_die(const char *what, int err)
{
	fprintf(stderr, "bench: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

void bench_fill(void *buf, size_t len, unsigned seed)
{
	unsigned char *p = buf;

	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(seed + i * 31);
}

void bench_reap(int pid)
{
	int status;

	if (waitpid(pid, &status, 0) < 0)
		bench_die("waitpid", errno);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "bench: child %d failed (status 0x%x)\n", pid,
			status);
		exit(1);
	}
}
