// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Scale and robustness: 10,000 registered tasks (40,000 descriptors)
 * created, used and torn down with every object given back, and long
 * randomized operation sequences after which mbx_engine_check() must find
 * every counter equal to what the object graph says (bytes_used equals
 * the sum of queued costs, depths, handles, taps, waiters, capacities).
 */
#include "kselftest_harness.h"
#include "mbx_test.h"

#define NTASKS 10000

TEST_F(mbx, ten_thousand_tasks_no_leak)
{
	struct mbx_config cfg;
	struct mbx_task **t;
	struct mbx_recv_result r;
	struct hsxmbx_stats st;
	char buf[32], want[32], name[40];
	__u32 h, i;

	memset(&cfg, 0, sizeof(cfg));
	cfg.handles_per_pid = 64;
	ENGINE(&cfg);
	t = calloc(NTASKS, sizeof(*t));
	ASSERT_NE(NULL, t);
	for (i = 0; i < NTASKS; i++)
		ASSERT_EQ(OK, mbx_task_register(self->e, i + 1, &t[i]));
	mbx_stats(self->e, &st);
	EXPECT_EQ(4 * NTASKS, st.active_descriptors);
	EXPECT_EQ(3 * NTASKS, st.handles_total);
	EXPECT_EQ(NTASKS, st.tasks);
	for (i = 0; i < NTASKS; i++) {
		snprintf(want, sizeof(want), "out of %u", i + 1);
		ASSERT_EQ(OK, t_send(self->e, t[i], HSX_MBX_HANDLE_STDOUT, want));
		snprintf(name, sizeof(name), "pid:%u", (i + 1) % NTASKS + 1);
		ASSERT_EQ(OK, t_open(self->e, t[i], name, 0, &h));
		EXPECT_EQ(4, h);
		ASSERT_EQ(OK, t_send(self->e, t[i], h, want));
	}
	EXPECT_EQ(0, mbx_engine_check(self->e));
	for (i = 0; i < NTASKS; i++) {
		snprintf(want, sizeof(want), "out of %u", i + 1);
		ASSERT_EQ(OK, t_recv(self->e, t[i], HSX_MBX_HANDLE_STDOUT, 0, &r, buf, sizeof(buf)));
		ASSERT_STREQ(want, buf);
	}
	for (i = 0; i < NTASKS; i += 2)
		mbx_task_teardown(self->e, t[i]);
	EXPECT_EQ(0, mbx_engine_check(self->e));
	for (i = 1; i < NTASKS; i += 2)
		mbx_task_teardown(self->e, t[i]);
	mbx_stats(self->e, &st);
	EXPECT_EQ(0, st.active_descriptors);
	EXPECT_EQ(0, st.handles_total);
	EXPECT_EQ(0, st.tasks);
	EXPECT_EQ(0, st.bytes_used);
	EXPECT_EQ(0, self->th.live[MBX_OBJ_TASK]);
	EXPECT_EQ(0, self->th.live[MBX_OBJ_DESC]);
	EXPECT_EQ(0, self->th.live[MBX_OBJ_HANDLE]);
	EXPECT_EQ(0, self->th.live[MBX_OBJ_PIN]);
	EXPECT_EQ(0, self->th.live[MBX_OBJ_MSG]);
	EXPECT_EQ(4 * NTASKS, self->th.destroyed);
	free(t);
}

/* --- Randomized sequences. --- */

#define RT 6   /* actors */
#define RH 8   /* handle slots per actor */

struct rnd {
	struct mbx_engine *e;
	struct th *th;
	struct mbx_task *t[RT];
	__u32 h[RT][RH];   /* 0 = empty slot */
	__u64 seed;
};

static __u32 rnd_next(struct rnd *s)
{
	s->seed = s->seed * 6364136223846793005ull + 1442695040888963407ull;
	return (__u32)(s->seed >> 33);
}

static const char *const rnd_targets[] = {
	"app:a", "app:b", "shared:f", "shared:g", "svc:stdio.out@1", "pid:2",
	"svc:x@3", "app:c@1",
};

static const __u32 rnd_modes[] = {
	0, HSX_MBX_MODE_RDWR, HSX_MBX_MODE_FANOUT,
	HSX_MBX_MODE_FANOUT | HSX_MBX_MODE_FANOUT_DROP,
	HSX_MBX_MODE_FANOUT | HSX_MBX_MODE_FANOUT_BLOCK, HSX_MBX_MODE_RDONLY,
};

static void rnd_actor(struct rnd *s, int a)
{
	memset(s->h[a], 0, sizeof(s->h[a]));
	if (a < 3) {
		if (mbx_task_register(s->e, a + 1, &s->t[a]) != OK)
			s->t[a] = mbx_task_create_host(s->e);
	} else {
		s->t[a] = mbx_task_create_host(s->e);
	}
}

static void rnd_open(struct rnd *s, int a, int slot)
{
	const char *tg = rnd_targets[rnd_next(s) % 8];
	__u32 h;

	if (s->h[a][slot])
		return;
	if (t_open(s->e, s->t[a], tg, rnd_next(s) % 4, &h) == OK)
		s->h[a][slot] = h;
}

static void rnd_send(struct rnd *s, int a, int slot)
{
	char data[64];
	__u32 len = rnd_next(s) % 40;

	memset(data, 'a' + (int)(len % 26), sizeof(data));
	if (s->h[a][slot])
		t_sendn(s->e, s->t[a], s->h[a][slot], data, len, 0, 0);
}

static void rnd_recv(struct rnd *s, int a, int slot)
{
	struct mbx_recv_result r;

	if (!s->h[a][slot])
		return;
	if (mbx_recv(s->e, s->t[a], s->h[a][slot],
		     rnd_next(s) % 2 ? MBX_RECV_WAIT : 0, &r) == OK)
		mbx_msg_put(s->e, r.msg);
}

static void rnd_cancel(struct rnd *s, int a, int slot)
{
	struct mbx_recv_result r;

	if (s->h[a][slot] &&
	    mbx_cancel_wait(s->e, s->t[a], s->h[a][slot], 1, &r) == OK)
		mbx_msg_put(s->e, r.msg);
}

static void rnd_close(struct rnd *s, int a, int slot)
{
	if (s->h[a][slot])
		mbx_close(s->e, s->t[a], s->h[a][slot]);
	s->h[a][slot] = 0;
}

static void rnd_bind(struct rnd *s, int a)
{
	__u32 id, cap = (rnd_next(s) % 4) * 24;

	t_bind(s->e, s->t[a], rnd_targets[rnd_next(s) % 8], cap,
	       rnd_modes[rnd_next(s) % 6], &id);
}

static void rnd_step(struct rnd *s)
{
	int a = rnd_next(s) % RT, slot = rnd_next(s) % RH;
	__u32 op = rnd_next(s) % 100;

	if (op < 15)
		rnd_open(s, a, slot);
	else if (op < 45)
		rnd_send(s, a, slot);
	else if (op < 70)
		rnd_recv(s, a, slot);
	else if (op < 76)
		rnd_cancel(s, a, slot);
	else if (op < 84)
		rnd_close(s, a, slot);
	else if (op < 90 && s->h[a][slot])
		mbx_tap(s->e, s->t[a], s->h[a][slot], rnd_next(s) % 2);
	else if (op < 96)
		rnd_bind(s, a);
	else if (op < 98) {
		mbx_task_teardown(s->e, s->t[a]);
		rnd_actor(s, a);
	} else {
		struct mbx_desc *d = mbx_desc_lookup_id(s->e, 1 + rnd_next(s) % 40);

		if (d)
			mbx_desc_destroy(s->e, d);
	}
}

static void rnd_run(struct __test_metadata *_metadata, struct mbx_engine *e,
		    struct th *th, __u64 seed, int steps)
{
	struct rnd s;
	struct hsxmbx_stats st;
	int i, a, slot;

	memset(&s, 0, sizeof(s));
	s.e = e;
	s.th = th;
	s.seed = seed;
	for (a = 0; a < RT; a++)
		rnd_actor(&s, a);
	for (i = 0; i < steps; i++) {
		th->now += 50000000ull;
		rnd_step(&s);
		ASSERT_EQ(0, mbx_engine_check(e)) TH_LOG("seed %llu step %d",
							 (unsigned long long)seed, i);
	}
	/* Collect every parked message, then tear everything down. */
	for (a = 0; a < RT; a++)
		for (slot = 0; slot < RH; slot++)
			rnd_cancel(&s, a, slot);
	for (a = 0; a < RT; a++)
		mbx_task_teardown(e, s.t[a]);
	ASSERT_EQ(0, mbx_engine_check(e));
	mbx_stats(e, &st);
	EXPECT_EQ(0, st.handles_total);
	EXPECT_EQ(0, st.waiter_count);
	EXPECT_EQ(0, st.tap_queue_depth);
	EXPECT_EQ(0, st.tasks);
	/* Only descriptors that still hold data survive their users. */
	EXPECT_EQ(st.active_descriptors ? 1 : 0, st.queue_depth ? 1 : 0);
}

TEST_F(mbx, random_operations_keep_invariants)
{
	struct hsxmbx_stats st;
	struct mbx_config cfg;
	__u64 seed;

	memset(&cfg, 0, sizeof(cfg));
	cfg.max_descriptors = 24;
	cfg.handles_per_pid = 10;
	cfg.tap_rate_limit = 5;
	cfg.max_total_bytes = 600;
	ENGINE(&cfg);
	for (seed = 1; seed <= 40; seed++)
		rnd_run(_metadata, self->e, &self->th, seed, 2000);
	/* The sequences reached every interesting path. */
	mbx_stats(self->e, &st);
	TH_LOG("sent %llu received %llu dropped %llu overruns %llu bp %llu exh %llu",
	       (unsigned long long)st.sent, (unsigned long long)st.received,
	       (unsigned long long)st.dropped, (unsigned long long)st.overruns,
	       (unsigned long long)st.backpressure, (unsigned long long)st.exhausted);
	EXPECT_LT(1000, st.sent);
	EXPECT_LT(1000, st.received);
	EXPECT_LT(0, st.dropped);
	EXPECT_LT(0, st.overruns);
	EXPECT_LT(0, st.backpressure);
	EXPECT_LT(0, st.exhausted);
	EXPECT_LT(0, th_count(&self->th, MBX_EV_WAKE));
	EXPECT_LT(0, th_count(&self->th, MBX_EV_TIMEOUT));
	EXPECT_LT(0, th_count(&self->th, MBX_EV_DESC_DESTROY));
}

TEST_F(mbx, random_operations_unlimited)
{
	__u64 seed;

	ENGINE(NULL);
	for (seed = 100; seed <= 120; seed++)
		rnd_run(_metadata, self->e, &self->th, seed, 3000);
}

TEST_F(mbx, random_operations_with_allocation_failures)
{
	__u64 seed;

	ENGINE(NULL);
	for (seed = 200; seed <= 230; seed++) {
		self->th.fail_countdown = 50 + seed;
		rnd_run(_metadata, self->e, &self->th, seed, 1500);
	}
	self->th.fail_countdown = 0;
}

TEST_HARNESS_MAIN
