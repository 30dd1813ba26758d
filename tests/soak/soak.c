// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DOC: soak: N senders x M receivers x taps x fan-out, mixed sizes
 *
 * usage: soak [SECONDS] (default $HSXMBX_SOAK_SECONDS, $SOAK_SECONDS or
 * 20), in the rig.
 * SIGUSR1 ends the traffic early; the checks still run (modfaults.sh uses
 * it to keep traffic going for exactly as long as its rmmod attempt).
 * Setup failures (an allocation failure injected by fail_slab, say) are
 * reported and the mailboxes are still unbound: PID-0 binds outlive the
 * process, so an abort would leave them behind.
 *
 * Two mailboxes per run: a single-reader queue (app:soakq<pid>) drained
 * by M competing receivers, and a FANOUT_DROP mailbox (app:soakf<pid>)
 * read by F readers that are deliberately slower than the senders, so
 * drops happen.  Each has a tap (its device node opened O_RDONLY).  N
 * senders each write both for SECONDS with payload sizes from 12 bytes to
 * 4 KiB; every payload carries (sender, counter, length) and a pattern
 * derived from them, so corruption, loss and duplication are visible.
 *
 * What must hold, checked exactly:
 *  - queue: every message a sender got OK for was received exactly once,
 *    intact, and nothing else was received;
 *  - fan-out: per reader and per sender the counters arrive strictly
 *    increasing (no duplicate, FIFO); delivered + lost == sent for each
 *    reader, and every loss was announced with HSX_MBX_FLAG_OVERRUN;
 *  - taps: every copy is accounted for: read + missed + still queued ==
 *    messages sent to the mailbox (NODE_TAP_STATS; `delivered` counts
 *    copies put in the tap buffer, including ones later evicted as
 *    `missed` when the reader fell behind, so delivered == sent too);
 *  - afterwards the global handle count and descriptor count are back to
 *    where they were before the run.
 */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include "rel.h"

#define NSEND 4
#define NRECV 3
#define NFAN 3
#define MAXCNT (1u << 20)
#define HDR 12

struct hdr {
	uint16_t sender, pad;
	uint32_t counter, len;
};

static double deadline;
static atomic_int senders_done, ready, setup_failed, stop_now;
static char qname[32], fname[32];
static uint8_t *seen[NSEND];		/* queue: receptions per (sender, counter) */
static uint32_t sent_q[NSEND], sent_f[NSEND];
static atomic_ulong bad_payload, bad_unexpected, backpressure;

struct fan_reader {
	uint64_t delivered, lost, overrun_flags, disorder;
	int64_t last[NSEND];
};
static struct fan_reader fan[NFAN];

struct tap {
	const char *name;
	uint64_t reads;
	struct hsxmbx_tap_stats st;
	int err;
};
static struct tap taps[2];

static uint8_t pattern(uint32_t sender, uint32_t counter, uint32_t i)
{
	return (uint8_t)(sender * 131 + counter * 31 + i * 7);
}

static uint32_t pick_len(unsigned int *seed)
{
	uint32_t r = rand_r(seed);

	switch (r % 4) {
	case 0: return HDR + r % 16;
	case 1: return HDR + r % 256;
	case 2: return HDR + r % 1024;
	default: return HDR + r % 4084;
	}
}

static void fill(uint8_t *buf, uint32_t sender, uint32_t counter, uint32_t len)
{
	struct hdr h = { .sender = sender, .counter = counter, .len = len };

	memcpy(buf, &h, sizeof(h));
	for (uint32_t i = HDR; i < len; i++)
		buf[i] = pattern(sender, counter, i);
}

/* check_payload: 0 if intact, with the header in *h. */
static int check_payload(const uint8_t *buf, uint32_t len, struct hdr *h)
{
	if (len < HDR)
		return -1;
	memcpy(h, buf, sizeof(*h));
	if (h->sender >= NSEND || h->len != len || h->counter >= MAXCNT)
		return -1;
	for (uint32_t i = HDR; i < len; i++)
		if (buf[i] != pattern(h->sender, h->counter, i))
			return -1;
	return 0;
}

static void wait_ready(int n)
{
	atomic_fetch_add(&ready, 1);
	while (atomic_load(&ready) < n)
		usleep(1000);
}

/* A thread that could not set up still counts as ready, then leaves. */
static void *setup_failure(int fd)
{
	atomic_fetch_add(&setup_failed, 1);
	wait_ready(NSEND + NRECV + NFAN + 2);
	if (fd >= 0)
		close(fd);
	return NULL;
}

static int traffic_on(void)
{
	return !atomic_load(&stop_now) && !atomic_load(&setup_failed) && rel_now() < deadline;
}

/* SIGUSR1 is blocked in every thread; this one takes it. */
static void *stopper(void *arg)
{
	sigset_t *set = arg;
	int sig;

	if (!sigwait(set, &sig))
		atomic_store(&stop_now, 1);
	return NULL;
}

static void *sender(void *arg)
{
	uint32_t id = (uintptr_t)arg, hq, hf, cq = 0, cf = 0, len;
	unsigned int seed = id * 7919 + 1;
	uint8_t buf[4096];
	int fd = rel_ctl(), st;

	if (fd < 0 || rel_open(fd, 0, qname, HSX_MBX_MODE_WRONLY, &hq) ||
	    rel_open(fd, 0, fname, HSX_MBX_MODE_WRONLY, &hf)) {
		atomic_fetch_add(&senders_done, 1);
		return setup_failure(fd);
	}
	wait_ready(NSEND + NRECV + NFAN + 2);
	while (traffic_on() && cq < MAXCNT - 1 && cf < MAXCNT - 1) {
		len = pick_len(&seed);
		fill(buf, id, cq, len);
		st = rel_send(fd, 0, hq, buf, len, NULL);
		if (st == HSX_MBX_STATUS_OK)
			cq++;
		else if (st == HSX_MBX_STATUS_WOULDBLOCK)
			atomic_fetch_add(&backpressure, 1), usleep(500);
		else
			atomic_fetch_add(&bad_unexpected, 1);
		fill(buf, id, cf, len);
		if (rel_send(fd, 0, hf, buf, len, NULL) == HSX_MBX_STATUS_OK)
			cf++;
		else
			atomic_fetch_add(&bad_unexpected, 1);
	}
	sent_q[id] = cq;
	sent_f[id] = cf;
	atomic_fetch_add(&senders_done, 1);
	close(fd);
	return NULL;
}

/* drain: receive until the senders are done and a receive times out. */
static void drain(int fd, uint32_t h, void (*got)(void *, const uint8_t *,
		  const struct hsxmbx_recv *), void *ctx, int slow)
{
	struct hsxmbx_recv r;
	uint8_t buf[4096];
	int st;

	for (;;) {
		st = rel_recv(fd, h, buf, sizeof(buf), 100, &r);
		if (st == HSX_MBX_STATUS_OK) {
			got(ctx, buf, &r);
			if (slow)
				usleep(200);
		} else if (st == HSX_MBX_STATUS_TIMEOUT || st == HSX_MBX_STATUS_NO_DATA) {
			if (atomic_load(&senders_done) == NSEND)
				return;
		} else {
			atomic_fetch_add(&bad_unexpected, 1);
			return;
		}
	}
}

static void got_queue(void *ctx, const uint8_t *buf, const struct hsxmbx_recv *r)
{
	struct hdr h;

	if (check_payload(buf, r->length, &h) || r->length != r->msg_len) {
		atomic_fetch_add(&bad_payload, 1);
		return;
	}
	__atomic_fetch_add(&seen[h.sender][h.counter], 1, __ATOMIC_RELAXED);
}

static void got_fan(void *ctx, const uint8_t *buf, const struct hsxmbx_recv *r)
{
	struct fan_reader *f = ctx;
	struct hdr h;

	if (check_payload(buf, r->length, &h)) {
		atomic_fetch_add(&bad_payload, 1);
		return;
	}
	if (r->msg_flags & HSX_MBX_FLAG_OVERRUN)
		f->overrun_flags++;
	if ((int64_t)h.counter <= f->last[h.sender])
		f->disorder++;
	else
		f->lost += h.counter - f->last[h.sender] - 1;
	f->last[h.sender] = h.counter;
	f->delivered++;
}

static void *receiver(void *arg)
{
	uint32_t h;
	int fd = rel_ctl();

	if (fd < 0 || rel_open(fd, 0, qname, HSX_MBX_MODE_RDWR, &h))
		return setup_failure(fd);
	wait_ready(NSEND + NRECV + NFAN + 2);
	drain(fd, h, got_queue, NULL, 0);
	close(fd);
	return NULL;
}

static void *fan_reader(void *arg)
{
	struct fan_reader *f = arg;
	uint32_t h;
	int fd = rel_ctl();

	for (int i = 0; i < NSEND; i++)
		f->last[i] = -1;
	if (fd < 0 || rel_open(fd, 0, fname, HSX_MBX_MODE_RDONLY, &h))
		return setup_failure(fd);
	wait_ready(NSEND + NRECV + NFAN + 2);
	drain(fd, h, got_fan, f, 1);
	close(fd);
	return NULL;
}

static void *tap_reader(void *arg)
{
	struct tap *t = arg;
	char node[96], buf[8192];
	struct pollfd p;
	int idle = 0;

	snprintf(node, sizeof(node), "/dev/hsxmbx/app/%s", t->name + 4);
	p.fd = open(node, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	p.events = POLLIN;
	t->err = p.fd < 0 ? errno : 0;
	wait_ready(NSEND + NRECV + NFAN + 2);
	if (p.fd < 0)
		return NULL;
	while (idle < 3) {
		if (read(p.fd, buf, sizeof(buf)) > 0) {
			t->reads++;
			idle = 0;
			continue;
		}
		if (atomic_load(&senders_done) == NSEND)
			idle++;
		poll(&p, 1, 100);
	}
	if (rel_ioctl(p.fd, HSXMBX_IOC_NODE_TAP_STATS, &t->st) < 0)
		t->err = errno;
	close(p.fd);
	return NULL;
}

static void check_queue(void)
{
	uint64_t total = 0, missing = 0, dup = 0, extra = 0;

	for (int s = 0; s < NSEND; s++) {
		total += sent_q[s];
		for (uint32_t c = 0; c < MAXCNT; c++) {
			if (c < sent_q[s] && seen[s][c] == 0)
				missing++;
			else if (c < sent_q[s] && seen[s][c] > 1)
				dup++;
			else if (c >= sent_q[s] && seen[s][c])
				extra++;
		}
	}
	rel_ok(total > 0, "queue: %llu messages sent by %d senders (%lu WOULDBLOCK retries)",
	       (unsigned long long)total, NSEND, atomic_load(&backpressure));
	rel_ok(!missing && !dup && !extra,
	       "queue: each received exactly once by %d receivers (missing %llu, duplicated %llu, unsent %llu)",
	       NRECV, (unsigned long long)missing, (unsigned long long)dup,
	       (unsigned long long)extra);
}

static void check_fanout(void)
{
	uint64_t total = 0;

	for (int s = 0; s < NSEND; s++)
		total += sent_f[s];
	for (int i = 0; i < NFAN; i++) {
		struct fan_reader *f = &fan[i];
		uint64_t tail = 0;

		for (int s = 0; s < NSEND; s++)
			tail += sent_f[s] - 1 - f->last[s];
		rel_ok(!f->disorder && f->delivered + f->lost + tail == total &&
		       (f->lost + tail == 0 || f->overrun_flags > 0),
		       "fan-out reader %d: delivered %llu + lost %llu == sent %llu, %llu out of order, %llu OVERRUN flags",
		       i, (unsigned long long)f->delivered,
		       (unsigned long long)(f->lost + tail), (unsigned long long)total,
		       (unsigned long long)f->disorder, (unsigned long long)f->overrun_flags);
	}
}

static void check_taps(void)
{
	uint64_t sent[2] = { 0, 0 };

	for (int s = 0; s < NSEND; s++)
		sent[0] += sent_q[s], sent[1] += sent_f[s];
	for (int i = 0; i < 2; i++) {
		struct tap *t = &taps[i];

		rel_ok(!t->err && t->reads + t->st.missed + t->st.depth == sent[i] &&
		       t->st.delivered == sent[i],
		       "tap on %s: read %llu + missed %llu + queued %u == sent %llu (delivered %llu)%s%s",
		       t->name, (unsigned long long)t->reads,
		       (unsigned long long)t->st.missed, t->st.depth,
		       (unsigned long long)sent[i], (unsigned long long)t->st.delivered,
		       t->err ? ", error " : "", t->err ? strerror(t->err) : "");
	}
}

int main(int argc, char **argv)
{
	/* HSXMBX_SOAK_SECONDS: the rig passes HSXMBX_* variables into the guest. */
	const char *env = getenv("HSXMBX_SOAK_SECONDS") ?: getenv("SOAK_SECONDS");
	double secs = argc > 1 ? atof(argv[1]) : env ? atof(env) : 20;
	struct hsxmbx_stats before, after;
	pthread_t th[NSEND + NRECV + NFAN + 2], stop_thread;
	sigset_t usr1;
	int fd, n = 0;

	if (access(REL_CONTROL, R_OK | W_OK))
		rel_skip_all("no " REL_CONTROL " (module not loaded)");
	snprintf(qname, sizeof(qname), "app:soakq%d", (int)getpid());
	snprintf(fname, sizeof(fname), "app:soakf%d", (int)getpid());
	for (int s = 0; s < NSEND; s++)
		seen[s] = calloc(MAXCNT, 1);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &usr1, NULL);
	pthread_create(&stop_thread, NULL, stopper, &usr1);
	rel_stats(&before);
	fd = rel_ctl();
	rel_ok(fd >= 0 && rel_bind(fd, qname, 32768, HSX_MBX_MODE_RDWR) == 0 &&
	       rel_bind(fd, fname, 8192, HSX_MBX_MODE_RDWR | HSX_MBX_MODE_FANOUT_DROP) == 0,
	       "bind %s (single reader) and %s (FANOUT_DROP)", qname, fname);
	taps[0].name = qname;
	taps[1].name = fname;
	deadline = rel_now() + 3600;
	for (int i = 0; i < NSEND; i++)
		pthread_create(&th[n++], NULL, sender, (void *)(uintptr_t)i);
	for (int i = 0; i < NRECV; i++)
		pthread_create(&th[n++], NULL, receiver, NULL);
	for (int i = 0; i < NFAN; i++)
		pthread_create(&th[n++], NULL, fan_reader, &fan[i]);
	for (int i = 0; i < 2; i++)
		pthread_create(&th[n++], NULL, tap_reader, &taps[i]);
	while (atomic_load(&ready) < n)
		usleep(1000);
	deadline = rel_now() + secs;
	/* Unbuffered, so that a script can wait for traffic (modfaults.sh). */
	fprintf(stderr, "# traffic running\n");
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	pthread_cancel(stop_thread);
	pthread_join(stop_thread, NULL);
	rel_ok(!atomic_load(&setup_failed), "every thread set up (%d could not open)",
	       atomic_load(&setup_failed));
	rel_ok(!atomic_load(&bad_payload) && !atomic_load(&bad_unexpected),
	       "%.0f s of traffic: no corrupted payload (%lu), no unexpected status (%lu)",
	       secs, atomic_load(&bad_payload), atomic_load(&bad_unexpected));
	check_queue();
	check_fanout();
	check_taps();
	rel_unbind(fd, qname, HSXMBX_UNBIND_FORCE);
	rel_unbind(fd, fname, HSXMBX_UNBIND_FORCE);
	close(fd);
	rel_stats(&after);
	rel_ok(after.handles_total == before.handles_total &&
	       after.active_descriptors == before.active_descriptors &&
	       after.bytes_used == before.bytes_used,
	       "after the run: handles %u -> %u, descriptors %u -> %u, bytes %llu -> %llu",
	       before.handles_total, after.handles_total, before.active_descriptors,
	       after.active_descriptors, (unsigned long long)before.bytes_used,
	       (unsigned long long)after.bytes_used);
	return rel_done();
}
