// SPDX-License-Identifier: MIT
/*
 * DOC: Stress: N senders x M receivers on one single-reader mailbox
 *
 * Every sender and receiver is a process with its own control fd (its own
 * PID-0 identity).  Senders send (sender id, seq, length, pattern) messages
 * as fast as the mailbox accepts them, retrying on WOULDBLOCK; receivers
 * consume with blocking RECVs.  Each receiver records what it got in its
 * own bitmap per sender (shared memory); afterwards the parent merges the
 * bitmaps and asserts that every sent message arrived exactly once, that
 * each receiver saw each sender's messages in increasing order (FIFO) and
 * that no payload was corrupted.
 *
 * Environment: STRESS_SECONDS (default 30), STRESS_SENDERS and
 * STRESS_RECEIVERS (default 8 each), STRESS_CAPACITY (default 4096).
 * Prints TAP.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hsxmbx/hsxmbx.h"

#define MAX_PROCS 32
#define MAX_SEQ (1u << 20) /* per sender; senders stop there */
#define BITMAP_WORDS (MAX_SEQ / 64)
#define MAX_PAYLOAD 64

struct stress_msg {
	uint32_t sender;
	uint32_t seq;
	uint32_t len; /* total payload length */
	uint32_t check; /* sender ^ seq ^ len ^ magic */
	uint8_t pattern[MAX_PAYLOAD - 16];
};

#define CHECK_MAGIC 0x5eed1e55u

struct sender_stats {
	uint64_t sent;
	uint64_t wouldblock;
	uint64_t errors;
	int last_err;
};

struct receiver_stats {
	uint64_t received;
	uint64_t dup_local; /* same (sender, seq) twice at this receiver */
	uint64_t disorder; /* a sender's seq went backwards */
	uint64_t corrupt;
	uint64_t errors;
	int last_err;
};

struct shared {
	volatile int senders_done;
	struct sender_stats snd[MAX_PROCS];
	struct receiver_stats rcv[MAX_PROCS];
	/* bitmap[receiver][sender][word] follows */
	uint64_t bits[];
};

static struct shared *sh;
static int n_senders = 8, n_receivers = 8;
static char target[48];

static int env_int(const char *name, int def, int min, int max)
{
	const char *v = getenv(name);
	int n = v ? atoi(v) : def;

	return n < min ? min : n > max ? max : n;
}

static uint64_t *bitmap(int receiver, uint32_t sender)
{
	return sh->bits + ((size_t)receiver * n_senders + sender) * BITMAP_WORDS;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint8_t pattern_byte(uint32_t sender, uint32_t seq, uint32_t i)
{
	return (uint8_t)(sender * 31 + seq * 7 + i);
}

static uint32_t fill_msg(struct stress_msg *m, uint32_t sender, uint32_t seq)
{
	uint32_t len = 16 + (seq * 13 + sender) % (MAX_PAYLOAD - 16 + 1);

	m->sender = sender;
	m->seq = seq;
	m->len = len;
	m->check = sender ^ seq ^ len ^ CHECK_MAGIC;
	for (uint32_t i = 0; i + 16 < len; i++)
		m->pattern[i] = pattern_byte(sender, seq, i);
	return len;
}

static int msg_ok(const struct stress_msg *m, uint32_t got)
{
	if (got < 16 || m->len != got || m->sender >= (uint32_t)n_senders || m->seq >= MAX_SEQ ||
	    m->check != (m->sender ^ m->seq ^ m->len ^ CHECK_MAGIC))
		return 0;
	for (uint32_t i = 0; i + 16 < got; i++)
		if (m->pattern[i] != pattern_byte(m->sender, m->seq, i))
			return 0;
	return 1;
}

static int open_target(uint32_t access, int *fd)
{
	*fd = hsxmbx_open_control(0);
	if (*fd < 0)
		return *fd;
	return hsxmbx_open(*fd, target, access);
}

static void run_sender(uint32_t id, double deadline)
{
	struct sender_stats *st = &sh->snd[id];
	struct stress_msg m;
	uint32_t seq = 0;
	int fd, h = open_target(HSX_MBX_MODE_WRONLY, &fd);

	if (h < 0) {
		st->errors++;
		st->last_err = h;
		_exit(1);
	}
	while (seq < MAX_SEQ && now_s() < deadline) {
		uint32_t len = fill_msg(&m, id, seq);
		int r = hsxmbx_send(fd, h, &m, len, 0, id);

		if (r == (int)len) {
			seq++;
			st->sent = seq;
		} else if (r == -EAGAIN) {
			st->wouldblock++;
			sched_yield();
		} else {
			st->errors++;
			st->last_err = r;
			break;
		}
	}
	_exit(0);
}

static void record(int rid, struct receiver_stats *st, const struct stress_msg *m,
		   uint32_t *last_seq)
{
	uint64_t *bm = bitmap(rid, m->sender);
	uint64_t bit = 1ull << (m->seq % 64);

	if (bm[m->seq / 64] & bit)
		st->dup_local++;
	bm[m->seq / 64] |= bit;
	if (last_seq[m->sender] != UINT32_MAX && m->seq <= last_seq[m->sender])
		st->disorder++;
	last_seq[m->sender] = m->seq;
	st->received++;
}

static void run_receiver(int rid)
{
	struct receiver_stats *st = &sh->rcv[rid];
	uint32_t last_seq[MAX_PROCS];
	struct stress_msg m;
	int fd, h = open_target(HSX_MBX_MODE_RDONLY, &fd);
	int idle = 0;

	memset(last_seq, 0xff, sizeof(last_seq));
	if (h < 0) {
		st->errors++;
		st->last_err = h;
		_exit(1);
	}
	/* Drain until the senders are done and the queue stays empty. */
	while (!sh->senders_done || idle < 3) {
		int r = hsxmbx_recv(fd, h, &m, sizeof(m), 100, NULL);

		if (r == -ETIMEDOUT || r == -ENODATA) {
			idle = sh->senders_done ? idle + 1 : 0;
			continue;
		}
		idle = 0;
		if (r < 0) {
			st->errors++;
			st->last_err = r;
			break;
		}
		if (!msg_ok(&m, (uint32_t)r)) {
			st->corrupt++;
			continue;
		}
		record(rid, st, &m, last_seq);
	}
	_exit(0);
}

static pid_t spawn(void (*fn)(int, double), int id, double deadline)
{
	pid_t pid = fork();

	if (pid == 0)
		fn(id, deadline);
	return pid;
}

static void sender_main(int id, double deadline)
{
	run_sender((uint32_t)id, deadline);
}

static void receiver_main(int id, double deadline)
{
	(void)deadline;
	run_receiver(id);
}

static int wait_all(pid_t *pids, int n)
{
	int bad = 0, status;

	for (int i = 0; i < n; i++) {
		if (pids[i] < 0 || waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			bad++;
	}
	return bad;
}

struct merge_result {
	uint64_t sent, received, lost, dup, beyond, disorder, corrupt, errors;
};

/* Merge every receiver's bitmap for one sender. */
static void merge_sender(uint32_t s, struct merge_result *mr)
{
	uint64_t sent = sh->snd[s].sent;

	for (uint64_t w = 0; w < BITMAP_WORDS; w++) {
		uint64_t seen = 0, twice = 0;

		for (int r = 0; r < n_receivers; r++) {
			uint64_t b = bitmap(r, s)[w];

			twice |= seen & b;
			seen |= b;
		}
		mr->dup += (uint64_t)__builtin_popcountll(twice);
		for (int bit = 0; bit < 64; bit++) {
			uint64_t seq = w * 64 + (uint64_t)bit;
			int got = (seen >> bit) & 1;

			if (seq < sent && !got)
				mr->lost++;
			else if (seq >= sent && got)
				mr->beyond++;
		}
	}
}

static void merge(struct merge_result *mr)
{
	memset(mr, 0, sizeof(*mr));
	for (int s = 0; s < n_senders; s++) {
		mr->sent += sh->snd[s].sent;
		mr->errors += sh->snd[s].errors;
		merge_sender((uint32_t)s, mr);
	}
	for (int r = 0; r < n_receivers; r++) {
		mr->received += sh->rcv[r].received;
		mr->dup += sh->rcv[r].dup_local;
		mr->disorder += sh->rcv[r].disorder;
		mr->corrupt += sh->rcv[r].corrupt;
		mr->errors += sh->rcv[r].errors;
	}
}

static int tap_n;

static void tap(int ok, const char *fmt, unsigned long long v)
{
	printf("%sok %d - ", ok ? "" : "not ", ++tap_n);
	printf(fmt, v);
	putchar('\n');
}

static void report_errors(void)
{
	for (int s = 0; s < n_senders; s++)
		if (sh->snd[s].errors)
			printf("# sender %d: %s\n", s, strerror(-sh->snd[s].last_err));
	for (int r = 0; r < n_receivers; r++)
		if (sh->rcv[r].errors)
			printf("# receiver %d: %s\n", r, strerror(-sh->rcv[r].last_err));
}

static int report(const struct merge_result *mr, int bad_children, double secs)
{
	uint64_t wb = 0;

	for (int s = 0; s < n_senders; s++)
		wb += sh->snd[s].wouldblock;
	printf("# %d senders x %d receivers, %.1f s: sent %llu (%.0f msg/s), "
	       "wouldblock retries %llu\n",
	       n_senders, n_receivers, secs, (unsigned long long)mr->sent, (double)mr->sent / secs,
	       (unsigned long long)wb);
	report_errors();
	tap(mr->sent > 0 && mr->errors == 0 && !bad_children,
	    "every process ran without errors (%llu sent)", mr->sent);
	tap(mr->received == mr->sent, "received as many as sent (%llu)", mr->received);
	tap(mr->lost == 0, "zero lost messages (%llu lost)", mr->lost);
	tap(mr->dup == 0 && mr->beyond == 0, "zero duplicated messages (%llu)",
	    mr->dup + mr->beyond);
	tap(mr->disorder == 0,
	    "each sender's messages in FIFO order at every receiver (%llu out of order)",
	    mr->disorder);
	tap(mr->corrupt == 0, "payloads intact (%llu corrupt)", mr->corrupt);
	return mr->errors || mr->lost || mr->dup || mr->beyond || mr->disorder || mr->corrupt ||
	       mr->received != mr->sent || bad_children;
}

static int setup(int *ctl)
{
	uint32_t cap = (uint32_t)env_int("STRESS_CAPACITY", 4096, 64, HSX_MBX_MAX_CAPACITY);
	size_t bits = (size_t)n_receivers * n_senders * BITMAP_WORDS * sizeof(uint64_t);
	int id;

	sh = mmap(NULL, sizeof(*sh) + bits, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
		  0);
	if (sh == MAP_FAILED) {
		printf("1..0 # SKIP mmap: %s\n", strerror(errno));
		return -1;
	}
	*ctl = hsxmbx_open_control(0);
	if (*ctl < 0) {
		printf("1..0 # SKIP %s: %s\n", HSXMBX_CONTROL_PATH, strerror(-*ctl));
		return -1;
	}
	snprintf(target, sizeof(target), "app:stress%d", getpid());
	id = hsxmbx_bind(*ctl, target, cap, HSX_MBX_MODE_RDWR);
	if (id < 0) {
		printf("1..1\nnot ok 1 - bind %s: %s\n", target, strerror(-id));
		return -1;
	}
	printf("# %s: descriptor %d, capacity %u\n", target, id, cap);
	return 0;
}

int main(void)
{
	pid_t senders[MAX_PROCS], receivers[MAX_PROCS];
	struct merge_result mr;
	double secs, start;
	int ctl = -1, bad, failed;

	setvbuf(stdout, NULL, _IOLBF, 0);
	n_senders = env_int("STRESS_SENDERS", 8, 1, MAX_PROCS);
	n_receivers = env_int("STRESS_RECEIVERS", 8, 1, MAX_PROCS);
	secs = env_int("STRESS_SECONDS", 30, 1, 3600);
	if (setup(&ctl) < 0)
		return ctl < 0 ? 4 : 1;
	printf("1..6\n");
	start = now_s();
	for (int i = 0; i < n_receivers; i++)
		receivers[i] = spawn(receiver_main, i, 0);
	for (int i = 0; i < n_senders; i++)
		senders[i] = spawn(sender_main, i, start + secs);
	bad = wait_all(senders, n_senders);
	sh->senders_done = 1;
	bad += wait_all(receivers, n_receivers);
	merge(&mr);
	failed = report(&mr, bad, now_s() - start);
	hsxmbx_unbind(ctl, target, HSXMBX_UNBIND_FORCE);
	close(ctl);
	return failed;
}
