// SPDX-License-Identifier: MIT
/*
 * DOC: Descriptor lifecycle and kernel memory
 *
 * Rates: `iters` objects go through four timed phases, each over all of
 * them before the next starts: create, open, close, destroy.
 *   hsx-ioctl: BIND (creates the descriptor and its device node), OPEN (a
 *              handle), CLOSE, UNBIND with FORCE (destroys it);
 *   mq:        mq_open(O_CREAT|O_EXCL), a second mq_open, mq_close of it,
 *              mq_close + mq_unlink of the first.
 * One line per phase rate (median and spread over `reps` passes).
 *
 * Memory (bench "kmem"): the sum of num_objs * objsize over every cache in
 * /proc/slabinfo (root only), read before and after `iters` objects exist
 * (each created and opened), gives the kernel memory per object; then one
 * object receives messages of `size` bytes up to about 1 MiB of payload,
 * which gives kernel memory per queued payload byte.  Caches are summed
 * rather than picked by name because SLUB merges small caches; the module's
 * own caches (names containing "hsx") are reported separately as well.
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

enum { PH_CREATE, PH_OPEN, PH_CLOSE, PH_DESTROY, PH_COUNT };
static const char *const phase_names[PH_COUNT] = {
	"create", "open", "close", "destroy",
};

struct lc {
	const struct bench_opts *o;
	bool hsx;
	int *ctl;            /* per object: its control file (handle quota) */
	int *first, *second; /* per object: handle/mq fd from create, open */
};

static void obj_name(const struct lc *l, unsigned i, char *buf, size_t len)
{
	if (l->hsx)
		snprintf(buf, len, "app:l%d.%u", getpid(), i);
	else
		snprintf(buf, len, "/hsxlc.%d.%u", getpid(), i);
}

static int hsx_phase(struct lc *l, int phase, unsigned i, const char *name)
{
	switch (phase) {
	case PH_CREATE:
		return hsxmbx_bind(l->ctl[i], name, 0, 0);
	case PH_OPEN:
		return l->second[i] = hsxmbx_open(l->ctl[i], name, 0);
	case PH_CLOSE:
		return hsxmbx_close(l->ctl[i], (uint32_t)l->second[i]);
	default:
		return hsxmbx_unbind(l->ctl[i], name, HSXMBX_UNBIND_FORCE);
	}
}

static int mq_phase(struct lc *l, int phase, unsigned i, const char *name)
{
	struct mq_attr attr = { .mq_maxmsg = l->o->depth,
				.mq_msgsize = l->o->size };
	int r = 0;

	switch (phase) {
	case PH_CREATE:
		r = l->first[i] = mq_open(name, O_RDWR | O_CREAT | O_EXCL,
					  0600, &attr);
		break;
	case PH_OPEN:
		r = l->second[i] = mq_open(name, O_RDWR);
		break;
	case PH_CLOSE:
		r = mq_close(l->second[i]);
		break;
	default:
		r = mq_close(l->first[i]);
		if (!r)
			r = mq_unlink(name);
	}
	return r < 0 ? -errno : r;
}

/* Run one phase over every object; returns elapsed ns. */
static uint64_t phase_run(struct lc *l, int phase)
{
	uint64_t t0 = bench_now_ns();
	char name[48];
	int r;

	for (unsigned i = 0; i < l->o->iters; i++) {
		obj_name(l, i, name, sizeof(name));
		r = l->hsx ? hsx_phase(l, phase, i, name)
			   : mq_phase(l, phase, i, name);
		if (r < 0)
			bench_die(phase_names[phase], r);
	}
	return bench_now_ns() - t0;
}

static void report_rates(const struct bench_opts *o, double rates[][64])
{
	struct bench_rate st;
	struct jline j;

	for (int p = 0; p < PH_COUNT; p++) {
		bench_summarise_rate(rates[p], o->reps, &st);
		jl_begin(&j, "lifecycle", o);
		jl_str(&j, "op", phase_names[p]);
		jl_u64(&j, "n", o->iters);
		jl_dbl(&j, "ops_per_s", st.p50);
		jl_dbl(&j, "ops_per_s_min", st.min);
		jl_dbl(&j, "ops_per_s_max", st.max);
		jl_end(&j);
	}
}

static void measure_rates(struct lc *l)
{
	static double rates[PH_COUNT][64];

	for (unsigned rep = 0; rep < l->o->reps; rep++)
		for (int p = 0; p < PH_COUNT; p++)
			rates[p][rep] = l->o->iters * 1e9 / phase_run(l, p);
	report_rates(l->o, rates);
}

/* Bytes held by all slab caches, and by the module's own ("hsx*"). */
static int slab_bytes(uint64_t *total, uint64_t *own)
{
	FILE *f = fopen("/proc/slabinfo", "r");
	char line[512], name[128];
	unsigned long active, num, objsize;

	*total = *own = 0;
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%127s %lu %lu %lu", name, &active, &num,
			   &objsize) != 4)
			continue;
		*total += (uint64_t)num * objsize;
		if (strstr(name, "hsx"))
			*own += (uint64_t)num * objsize;
	}
	fclose(f);
	return 0;
}

static void kmem_line(const struct bench_opts *o, const char *what,
		      double per, double own_per)
{
	struct jline j;

	jl_begin(&j, "kmem", o);
	jl_str(&j, "what", what);
	jl_dbl(&j, "bytes", per);
	jl_dbl(&j, "own_bytes", own_per);
	jl_end(&j);
}

/* Let RCU-deferred frees of earlier phases land before a baseline. */
static void settle(void)
{
	usleep(300 * 1000);
}

static void kmem_objects(struct lc *l)
{
	uint64_t t0, o0, t1, o1;

	settle();
	if (slab_bytes(&t0, &o0) < 0)
		return; /* not root, or no slabinfo: no memory figures */
	phase_run(l, PH_CREATE);
	phase_run(l, PH_OPEN);
	settle();
	slab_bytes(&t1, &o1);
	kmem_line(l->o, "per_object", ((double)t1 - t0) / l->o->iters,
		  ((double)o1 - o0) / l->o->iters);
	phase_run(l, PH_CLOSE);
	phase_run(l, PH_DESTROY);
}

/* Fill one queue with ~1 MiB of payload; kernel bytes per payload byte. */
static void kmem_queue(struct lc *l)
{
	struct bench_opts big = *l->o;
	struct chan c;
	uint64_t t0, o0, t1, o1;
	char *buf = calloc(1, l->o->size);
	unsigned n = (1u << 20) / l->o->size;
	int r;

	big.depth = n;
	chan_raise_limits(big.size, n);
	r = chan_open(&c, l->hsx ? "hsx-ioctl" : "mq", big.size, n);
	if (r) {
		/* e.g. RLIMIT_MSGQUEUE that cannot be raised in a container */
		fprintf(stderr, "lifecycle: no per-byte figure: %s\n",
			strerror(-r));
		return;
	}
	settle();
	if (slab_bytes(&t0, &o0) < 0)
		return;
	for (unsigned i = 0; i < n && !r; i++)
		r = chan_send(&c, buf);
	if (r)
		bench_die("kmem send", r);
	settle();
	slab_bytes(&t1, &o1);
	kmem_line(l->o, "per_queued_byte", ((double)t1 - t0) / ((double)n * big.size),
		  ((double)o1 - o0) / ((double)n * big.size));
	chan_close(&c);
	free(buf);
}

/* Named queues outlive a process that dies half-way: unlink them all. */
static struct lc *cleanup_lc;

static void unlink_all(void)
{
	char name[48];

	if (!cleanup_lc || cleanup_lc->hsx)
		return;
	for (unsigned i = 0; i < cleanup_lc->o->iters; i++) {
		obj_name(cleanup_lc, i, name, sizeof(name));
		mq_unlink(name);
	}
}

/*
 * Leave room in the descriptor pool (256 on the desktop profile), and give
 * every handles_per_pid - 1 objects their own control file: each control
 * file is one PID-0 identity with its own handle quota.
 */
static void open_controls(struct lc *l, struct bench_opts *o)
{
	struct hsxmbx_features f;
	struct hsxmbx_stats st;
	unsigned room, per;
	int ctl = hsxmbx_open_control(0);

	if (ctl < 0)
		bench_die("open control", ctl);
	if (hsxmbx_features(ctl, &f) < 0 || hsxmbx_snapshot(ctl, NULL, &st) < 0)
		bench_die("features", EPROTO);
	room = f.max_descriptors > st.active_descriptors + 8 ?
	       f.max_descriptors - st.active_descriptors - 8 : 1;
	if (o->iters > room) {
		fprintf(stderr, "lifecycle: %u objects (pool room)\n", room);
		o->iters = room;
	}
	per = f.handles_per_pid > 1 ? f.handles_per_pid - 1 : 1024;
	for (unsigned i = 0; i < o->iters; i++) {
		if (i && i % per == 0 && (ctl = hsxmbx_open_control(0)) < 0)
			bench_die("open control", ctl);
		l->ctl[i] = ctl;
	}
}

int main(int argc, char **argv)
{
	struct bench_opts o = { .peer = "hsx-ioctl", .size = 64, .iters = 200,
				.warmup = 0, .reps = 3, .batch = 1, .depth = 8 };
	struct lc l = { .o = &o };

	bench_parse(argc, argv, &o, "[--peer hsx-ioctl|mq] [--iters N] "
		    "[--reps N] [--size B] [--round R]");
	if (o.reps > 64)
		bench_die("reps <= 64", EINVAL);
	l.hsx = chan_is_hsx(o.peer);
	cleanup_lc = &l;
	atexit(unlink_all);
	chan_raise_limits(o.size, o.depth);
	l.first = calloc(o.iters, sizeof(int));
	l.second = calloc(o.iters, sizeof(int));
	l.ctl = calloc(o.iters, sizeof(int));
	if (l.hsx)
		open_controls(&l, &o);
	measure_rates(&l);
	kmem_objects(&l);
	kmem_queue(&l);
	cleanup_lc = NULL; /* l lives on this stack frame only */
	return 0;
}
