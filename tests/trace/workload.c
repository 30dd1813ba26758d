// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DOC: trace-workload: a known mix of mailbox events for the tracing tests
 *
 * usage: trace-workload PREFIX SENDS RECVS OVERRUNS TIMEOUTS WAKES BACKPRESSURE
 *
 * Works on five fresh mailboxes PREFIX.q/.w/.t/.f/.b (PREFIX like
 * "app:trc123", unique per run so that other activity can be filtered
 * out with --target 'PREFIX.*'):
 *   .q  SENDS messages, then RECVS immediate receives;
 *   .w  WAKES blocking receives, each woken by a send once the receiver
 *       is on the wait list (checked with SNAPSHOT);
 *   .t  TIMEOUTS blocking receives with a 20 ms timeout;
 *   .f  FANOUT_DROP, 64 bytes: 4 messages fill it, OVERRUNS more drop
 *       the oldest, and one receive must carry HSX_MBX_FLAG_OVERRUN;
 *   .b  single reader, 16 bytes: 1 message fills it, BACKPRESSURE more
 *       are refused with WOULDBLOCK.
 * Every step checks its result.  On success it prints, as one JSON line,
 * the events the tracepoints must have seen and the latency pairs a
 * tracer can make (send->recv/wake, wait->wake, wait->timeout).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hsxmbx/hsxmbx.h"

#define TIMEOUT_MS 20
#define MSG "8 bytes!"
#define MSG_LEN 8  /* costs 16 bytes in a mailbox */

struct counts {
	unsigned int sends, recvs, overruns, timeouts, wakes, backpressure;
};

static char prefix[40];

static void die(const char *what, int err)
{
	fprintf(stderr, "trace-workload: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static const char *target(char *buf, const char *suffix)
{
	snprintf(buf, 64, "%s.%s", prefix, suffix);
	return buf;
}

static int control(void)
{
	int fd = hsxmbx_open_control(0);

	if (fd < 0)
		die("open /dev/hsxmbx/control", fd);
	return fd;
}

static int open_target(int fd, const char *suffix, uint32_t cap, uint32_t mode,
		       uint32_t access)
{
	char t[64];
	int r;

	if (cap && (r = hsxmbx_bind(fd, target(t, suffix), cap, mode)) < 0)
		die(t, r);
	r = hsxmbx_open(fd, target(t, suffix), access);
	if (r < 0)
		die(t, r);
	return r;
}

static void send_one(int fd, int h, const char *what)
{
	int r = hsxmbx_send(fd, h, MSG, MSG_LEN, 0, 0);

	if (r != MSG_LEN)
		die(what, r < 0 ? r : -EIO);
}

static void queue_stage(int fd, unsigned int sends, unsigned int recvs)
{
	int h = open_target(fd, "q", 4096, 0, HSX_MBX_MODE_RDWR);
	char buf[64];

	for (unsigned int i = 0; i < sends; i++)
		send_one(fd, h, "send on .q");
	for (unsigned int i = 0; i < recvs; i++)
		if (hsxmbx_recv(fd, h, buf, sizeof(buf), HSX_MBX_TIMEOUT_POLL, NULL) != MSG_LEN)
			die("recv on .q", -EIO);
}

struct waiter {
	unsigned int count;
	int err;
};

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;
	int fd = control();
	int h = open_target(fd, "w", 0, 0, HSX_MBX_MODE_RDONLY);
	char buf[64];

	for (unsigned int i = 0; i < w->count && !w->err; i++) {
		int r = hsxmbx_recv(fd, h, buf, sizeof(buf), 10000, NULL);

		if (r != MSG_LEN)
			w->err = r < 0 ? r : -EIO;
	}
	close(fd);
	return NULL;
}

/* Waiters currently queued on descriptor id. */
static unsigned int waiters_on(int fd, uint32_t id)
{
	struct hsxmbx_desc_info *descs = NULL;
	unsigned int waiters = 0;
	int n = hsxmbx_snapshot(fd, &descs, NULL);

	if (n < 0)
		die("snapshot", n);
	for (int i = 0; i < n; i++)
		if (descs[i].descriptor_id == id)
			waiters = descs[i].waiters;
	free(descs);
	return waiters;
}

static void wake_stage(int fd, unsigned int wakes)
{
	struct waiter w = { .count = wakes };
	pthread_t thread;
	uint32_t id;
	char t[64];
	int h, r = hsxmbx_bind(fd, target(t, "w"), 4096, 0);

	h = r < 0 ? r : hsxmbx_open_id(fd, t, HSX_MBX_MODE_WRONLY, &id);
	if (h < 0)
		die(t, h);
	pthread_create(&thread, NULL, waiter_main, &w);
	for (unsigned int i = 0; i < wakes; i++) {
		for (int tries = 0; !waiters_on(fd, id); tries++) {
			if (tries > 10000 || w.err)
				die("waiting for the receiver on .w", w.err ?: -ETIMEDOUT);
			usleep(1000);
		}
		send_one(fd, h, "send on .w");
	}
	pthread_join(thread, NULL);
	if (w.err)
		die("blocking recv on .w", w.err);
}

static void timeout_stage(int fd, unsigned int timeouts)
{
	int h = open_target(fd, "t", 4096, 0, HSX_MBX_MODE_RDWR);
	char buf[64];

	for (unsigned int i = 0; i < timeouts; i++) {
		int r = hsxmbx_recv(fd, h, buf, sizeof(buf), TIMEOUT_MS, NULL);

		if (r != -ETIMEDOUT)
			die("recv with a timeout on .t did not time out", r < 0 ? r : -EIO);
	}
}

static void overrun_stage(int fd, unsigned int overruns)
{
	int tx = open_target(fd, "f", 64, HSX_MBX_MODE_FANOUT_DROP, HSX_MBX_MODE_WRONLY);
	int rx = open_target(fd, "f", 0, 0, HSX_MBX_MODE_RDONLY);
	struct hsxmbx_msg_info info;
	char buf[64];

	for (unsigned int i = 0; i < 4 + overruns; i++)
		send_one(fd, tx, "send on .f");
	if (hsxmbx_recv(fd, rx, buf, sizeof(buf), HSX_MBX_TIMEOUT_POLL, &info) != MSG_LEN)
		die("recv on .f", -EIO);
	if (overruns && !(info.flags & HSX_MBX_FLAG_OVERRUN))
		die("no OVERRUN flag after drops on .f", -EPROTO);
}

static void backpressure_stage(int fd, unsigned int refused)
{
	int h = open_target(fd, "b", 16, 0, HSX_MBX_MODE_RDWR);

	send_one(fd, h, "send on .b");
	for (unsigned int i = 0; i < refused; i++) {
		int r = hsxmbx_send(fd, h, MSG, MSG_LEN, 0, 0);

		if (r != -EAGAIN)
			die("send on a full .b was not refused", r < 0 ? r : -EIO);
	}
}

/* Drop the bind pins so the mailboxes go away with our handles. */
static void cleanup(int fd)
{
	static const char *const suffixes[] = { "q", "w", "t", "f", "b" };
	char t[64];

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		hsxmbx_unbind(fd, target(t, suffixes[i]), HSXMBX_UNBIND_FORCE);
}

static void print_expected(const struct counts *c)
{
	printf("{\"prefix\":\"%s\",\"events\":{\"send\":%u,\"recv\":%u,\"wait\":%u,"
	       "\"wake\":%u,\"timeout\":%u,\"overrun\":%u,\"backpressure\":%u},"
	       "\"pairs\":{\"send_recv\":%u,\"wait_wake\":%u,\"wait_timeout\":%u},"
	       "\"timeout_ms\":%u}\n", prefix,
	       c->sends + c->wakes + 4 + c->overruns + 1, c->recvs + 1,
	       c->wakes + c->timeouts, c->wakes, c->timeouts, c->overruns,
	       c->backpressure, c->recvs + c->wakes + 1, c->wakes, c->timeouts,
	       TIMEOUT_MS);
}

static unsigned int arg(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*end || end == s || v > 1000) {
		fprintf(stderr, "trace-workload: bad count '%s' (0..1000)\n", s);
		exit(2);
	}
	return (unsigned int)v;
}

int main(int argc, char **argv)
{
	struct counts c;
	int fd;

	if (argc != 8) {
		fprintf(stderr, "usage: trace-workload PREFIX SENDS RECVS OVERRUNS "
			"TIMEOUTS WAKES BACKPRESSURE\n");
		return 2;
	}
	snprintf(prefix, sizeof(prefix), "%s", argv[1]);
	c = (struct counts){ arg(argv[2]), arg(argv[3]), arg(argv[4]),
			     arg(argv[5]), arg(argv[6]), arg(argv[7]) };
	if (c.recvs > c.sends || c.sends * 16 > 4096) {
		fprintf(stderr, "trace-workload: need RECVS <= SENDS <= 256\n");
		return 2;
	}
	fd = control();
	queue_stage(fd, c.sends, c.recvs);
	wake_stage(fd, c.wakes);
	timeout_stage(fd, c.timeouts);
	overrun_stage(fd, c.overruns);
	backpressure_stage(fd, c.backpressure);
	cleanup(fd);
	close(fd);
	print_expected(&c);
	return 0;
}
