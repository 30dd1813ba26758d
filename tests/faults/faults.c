// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DOC: faults: the module survives killed peers, torn-down rings and
 * exhausted limits, and leaks nothing
 *
 * usage: faults            process faults (any module parameters)
 *        faults --limits   exhaustion; needs the module loaded with
 *                          max_descriptors=8 handles_per_pid=4
 *                          max_total_bytes=4096 (tests/faults/modfaults.sh)
 *        faults --workload one normal round trip (used after fail_slab)
 *        faults --counts   print "handles descriptors waiters bytes"
 *
 * After every fault the global counters (SNAPSHOT: handles, descriptors,
 * waiters, queued bytes) must be back at the baseline taken before it, and
 * a fresh send/receive round trip must work.
 */
#include <liburing.h>
#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>
#include "../soak/rel.h"

static struct hsxmbx_stats base;

static void baseline(void)
{
	rel_stats(&base);
}

/* settle: counters back at the baseline (release work may lag a little). */
static int settled(struct hsxmbx_stats *now)
{
	for (int i = 0; i < 50; i++) {
		rel_stats(now);
		if (now->handles_total == base.handles_total &&
		    now->active_descriptors == base.active_descriptors &&
		    now->waiter_count == base.waiter_count &&
		    now->bytes_used == base.bytes_used)
			return 1;
		usleep(20000);
	}
	return 0;
}

static void check_baseline(const char *after)
{
	struct hsxmbx_stats now;
	int ok = settled(&now);

	rel_ok(ok, "after %s: handles %u -> %u, descriptors %u -> %u, waiters %u -> %u, bytes %llu -> %llu",
	       after, base.handles_total, now.handles_total, base.active_descriptors,
	       now.active_descriptors, base.waiter_count, now.waiter_count,
	       (unsigned long long)base.bytes_used, (unsigned long long)now.bytes_used);
}

/* round_trip: a fresh mailbox carries one message; 0 on success. */
static int round_trip(const char *tag)
{
	char target[40], buf[32];
	struct hsxmbx_recv r;
	uint32_t h;
	int fd = rel_ctl(), ok;

	snprintf(target, sizeof(target), "app:rt%s%d", tag, (int)getpid());
	ok = fd >= 0 && rel_open(fd, 0, target, HSX_MBX_MODE_RDWR, &h) == 0 &&
	     rel_send(fd, 0, h, "ping", 4, NULL) == 0 &&
	     rel_recv(fd, h, buf, sizeof(buf), 1000, &r) == 0 && r.length == 4 &&
	     !memcmp(buf, "ping", 4);
	if (fd >= 0) {
		rel_close(fd, h);
		rel_unbind(fd, target, HSXMBX_UNBIND_FORCE);
		close(fd);
	}
	return ok ? 0 : -1;
}

static void next_workload(const char *after)
{
	rel_ok(round_trip("n") == 0, "after %s: the next workload runs normally", after);
}

/* Regression: a RECV ioctl must not keep the control file's task alive. */
static void recv_then_close(void)
{
	char buf[8];
	uint32_t h;
	int fd;

	baseline();
	fd = rel_ctl();
	rel_bind(fd, "app:fltrecv", 256, HSX_MBX_MODE_RDWR);
	rel_open(fd, 0, "app:fltrecv", HSX_MBX_MODE_RDWR, &h);
	rel_recv(fd, h, buf, sizeof(buf), HSX_MBX_TIMEOUT_POLL, NULL);
	rel_unbind(fd, "app:fltrecv", HSXMBX_UNBIND_FORCE);
	close(fd);
	check_baseline("one polling RECV ioctl and close of the control file");
}

/* A child that blocks in RECV (INFINITE) on target, or sends forever. */
static pid_t spawn(const char *target, int sender)
{
	pid_t pid = fork();
	char buf[512] = "x";
	uint32_t h;
	int fd;

	if (pid)
		return pid;
	fd = rel_ctl();
	if (fd < 0 || rel_open(fd, 0, target, sender ? HSX_MBX_MODE_WRONLY :
			       HSX_MBX_MODE_RDONLY, &h))
		_exit(1);
	for (;;) {
		if (sender) {
			struct hsxmbx_send s = { .flags = HSXMBX_SEND_BLOCK, .handle = h,
				.payload_ptr = (uintptr_t)buf, .payload_len = 100,
				.timeout = HSX_MBX_TIMEOUT_INFINITE };
			rel_ioctl(fd, HSXMBX_IOC_SEND, &s);
		} else {
			rel_recv(fd, h, buf, sizeof(buf), HSX_MBX_TIMEOUT_INFINITE, NULL);
		}
	}
}

static void kill_all(pid_t *pids, int n)
{
	for (int i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	for (int i = 0; i < n; i++)
		waitpid(pids[i], NULL, 0);
}

/* SIGKILL readers blocked in RECV and senders blocked in SEND_BLOCK. */
static void sigkill_mid_traffic(void)
{
	const char *q = "app:fltkill", *fb = "shared:fltblock";
	pid_t pids[12];
	int fd, n = 0;

	baseline();
	fd = rel_ctl();
	rel_bind(fd, q, 4096, HSX_MBX_MODE_RDWR);
	rel_bind(fd, fb, 512, HSX_MBX_MODE_RDWR | HSX_MBX_MODE_FANOUT_BLOCK);
	for (int i = 0; i < 4; i++)
		pids[n++] = spawn(q, 0);	/* readers of the queue */
	for (int i = 0; i < 4; i++)
		pids[n++] = spawn(q, 1);	/* senders feeding them */
	pids[n++] = spawn(fb, 0);		/* a FANOUT_BLOCK reader ... */
	kill(pids[n - 1], SIGSTOP);		/* ... that never reads */
	for (int i = 0; i < 3; i++)
		pids[n++] = spawn(fb, 1);	/* senders that end up blocked */
	usleep(1500000);
	kill(pids[8], SIGCONT);
	kill_all(pids, n);
	rel_unbind(fd, q, HSXMBX_UNBIND_FORCE);
	rel_unbind(fd, fb, HSXMBX_UNBIND_FORCE);
	close(fd);
	check_baseline("SIGKILL of 5 readers and 7 senders (3 blocked in SEND_BLOCK) mid-traffic");
	next_workload("SIGKILL mid-traffic");
}

/* io_uring READs on handle files in flight when the ring goes away. */
static int ring_child(const char *target)
{
	struct io_uring ring;
	static char bufs[8][256];
	uint32_t h;
	int fd = rel_ctl();

	if (fd < 0 || io_uring_queue_init(16, &ring, 0))
		return 1;
	for (int i = 0; i < 8; i++) {
		struct hsxmbx_handle_fd hf = { 0 };
		struct io_uring_sqe *sqe;

		if (rel_open(fd, 0, target, HSX_MBX_MODE_RDONLY, &h))
			return 1;
		hf.handle = h;
		if (rel_ioctl(fd, HSXMBX_IOC_HANDLE_FD, &hf) < 0)
			return 1;
		sqe = io_uring_get_sqe(&ring);
		io_uring_prep_read(sqe, hf.fd, bufs[i], sizeof(bufs[i]), 0);
	}
	io_uring_submit(&ring);
	usleep(300000);
	if (getenv("REL_RING_EXIT_FIRST"))
		io_uring_queue_exit(&ring);
	return 0; /* exit with the ring and every file still open */
}

static void ring_teardown(void)
{
	const char *t = "shared:fltring";
	int fd, status;
	pid_t pid;

	baseline();
	fd = rel_ctl();
	rel_bind(fd, t, 4096, HSX_MBX_MODE_RDWR | HSX_MBX_MODE_FANOUT_DROP);
	for (int round = 0; round < 2; round++) {
		if (round)
			setenv("REL_RING_EXIT_FIRST", "1", 1);
		pid = fork();
		if (!pid)
			_exit(ring_child(t));
		waitpid(pid, &status, 0);
		rel_ok(WIFEXITED(status) && !WEXITSTATUS(status),
		       "8 io_uring READs in flight on handle files, %s",
		       round ? "ring torn down first, then exit" : "process exits");
	}
	rel_unbind(fd, t, HSXMBX_UNBIND_FORCE);
	close(fd);
	check_baseline("ring teardown with receives in flight");
	next_workload("ring teardown");
}

/* --- exhaustion (module loaded with small limits) ------------------------ */

static void pool_exhaustion(void)
{
	char names[16][24];
	int fd = rel_ctl(), st = 0, made = 0;

	baseline();
	for (int i = 0; i < 16; i++) {
		snprintf(names[i], sizeof(names[i]), "app:pool%d", i);
		st = rel_bind(fd, names[i], 64, HSX_MBX_MODE_RDWR);
		if (st)
			break;
		made++;
	}
	rel_ok(st == HSX_MBX_STATUS_NO_DESCRIPTOR,
	       "descriptor pool: %d binds then NO_DESCRIPTOR (got %s)", made, rel_st(st));
	rel_unbind(fd, names[0], HSXMBX_UNBIND_FORCE);
	st = rel_bind(fd, "app:poolagain", 64, HSX_MBX_MODE_RDWR);
	rel_ok(st == 0, "descriptor pool: a bind succeeds once one is freed (%s)", rel_st(st));
	rel_unbind(fd, "app:poolagain", HSXMBX_UNBIND_FORCE);
	for (int i = 1; i < made; i++)
		rel_unbind(fd, names[i], HSXMBX_UNBIND_FORCE);
	close(fd);
	check_baseline("descriptor pool exhaustion");
}

static void handle_quota(void)
{
	uint32_t h[8], extra;
	int fd = rel_ctl(), other = rel_ctl(), st = 0, n = 0;

	baseline();
	rel_bind(fd, "app:quota", 64, HSX_MBX_MODE_RDWR);
	while (n < 8 && !(st = rel_open(fd, 0, "app:quota", HSX_MBX_MODE_RDWR, &h[n])))
		n++;
	rel_ok(st == HSX_MBX_STATUS_NO_DESCRIPTOR && n == 4,
	       "handle quota: %d opens then NO_DESCRIPTOR (got %s)", n, rel_st(st));
	st = rel_open(other, 0, "app:quota", HSX_MBX_MODE_RDWR, &extra);
	rel_ok(st == 0, "handle quota: another control file (tenant) still opens (%s)", rel_st(st));
	rel_close(fd, h[0]);
	st = rel_open(fd, 0, "app:quota", HSX_MBX_MODE_RDWR, &h[0]);
	rel_ok(st == 0, "handle quota: an open succeeds once one is closed (%s)", rel_st(st));
	rel_unbind(fd, "app:quota", HSXMBX_UNBIND_FORCE);
	close(fd);
	close(other);
	check_baseline("handle quota exhaustion");
}

static void byte_cap(void)
{
	char buf[1024] = { 0 };
	uint32_t ha, hb;
	int fd = rel_ctl(), st = 0, n = 0;

	baseline();
	rel_bind(fd, "app:capa", 4096, HSX_MBX_MODE_RDWR);
	rel_bind(fd, "app:capb", 4096, HSX_MBX_MODE_RDWR);
	rel_open(fd, 0, "app:capa", HSX_MBX_MODE_RDWR, &ha);
	rel_open(fd, 0, "app:capb", HSX_MBX_MODE_RDWR, &hb);
	/* 3 x 1032 bytes fit in app:capa, the 4th would pass 4096 globally. */
	while (n < 8 && !(st = rel_send(fd, 0, n < 3 ? ha : hb, buf, sizeof(buf), NULL)))
		n++;
	rel_ok(st == HSX_MBX_STATUS_WOULDBLOCK && n == 3,
	       "global byte cap: %d messages of 1 KiB then WOULDBLOCK on another mailbox (%s)",
	       n, rel_st(st));
	rel_recv(fd, ha, buf, sizeof(buf), HSX_MBX_TIMEOUT_POLL, NULL);
	st = rel_send(fd, 0, hb, buf, sizeof(buf), NULL);
	rel_ok(st == 0, "global byte cap: a send succeeds once a message is consumed (%s)",
	       rel_st(st));
	rel_unbind(fd, "app:capa", HSXMBX_UNBIND_FORCE);
	rel_unbind(fd, "app:capb", HSXMBX_UNBIND_FORCE);
	close(fd);
	check_baseline("global byte cap exhaustion");
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (access(REL_CONTROL, R_OK | W_OK))
		rel_skip_all("no " REL_CONTROL " (module not loaded)");
	if (!strcmp(mode, "--counts")) {
		baseline();
		printf("%u %u %u %llu\n", base.handles_total, base.active_descriptors,
		       base.waiter_count, (unsigned long long)base.bytes_used);
		return 0;
	}
	if (!strcmp(mode, "--workload")) {
		rel_ok(round_trip("w") == 0, "a send/receive round trip works");
		return rel_done();
	}
	if (!strcmp(mode, "--limits")) {
		pool_exhaustion();
		handle_quota();
		byte_cap();
		next_workload("the exhaustion tests");
		return rel_done();
	}
	recv_then_close();
	sigkill_mid_traffic();
	ring_teardown();
	return rel_done();
}
