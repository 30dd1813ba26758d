// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Waiting and handoff: reference checklist "Wake priority", the engine
 * side of "SVC runtime" (blocking receive, two blocked fan-out readers,
 * timeouts, event payloads, per-task counters) and the no-loss rules for
 * cancelled waits and closed handles.
 */
#include "kselftest_harness.h"
#include "mbx_test.h"

#define FO (HSX_MBX_MODE_RDWR | HSX_MBX_MODE_FANOUT)
#define WAIT_INF (MBX_RECV_WAIT | MBX_RECV_TIMEOUT(HSX_MBX_TIMEOUT_INFINITE))

TEST_F(mbx, blocking_recv_woken_by_send)
{
	struct mbx_task *prod, *cons;
	struct mbx_recv_result r;
	struct mbx_task_counters c;
	const struct mbx_event *ev;
	char buf[32];
	__u32 hp, hc, id;

	ENGINE(NULL);
	ASSERT_EQ(OK, mbx_task_register(self->e, 1, &cons));
	ASSERT_EQ(OK, mbx_task_register(self->e, 2, &prod));
	ASSERT_EQ(OK, t_open(self->e, cons, "app:demo", 0, &hc));
	ASSERT_EQ(OK, t_open(self->e, prod, "app:demo", 0, &hp));
	EXPECT_EQ(4, hc);
	EXPECT_EQ(4, hp);
	id = mbx_desc_id(t_desc(self->e, cons, hc));
	th_clear(&self->th);
	ASSERT_EQ(HSX_MBX_STATUS_NO_DATA, mbx_recv(self->e, cons, hc, WAIT_INF, &r));
	ASSERT_EQ(OK, t_send(self->e, prod, hp, "hello"));
	/* Events: wait -> send -> wake, and no recv event on the wake path. */
	ASSERT_EQ(3, self->th.nev);
	EXPECT_EQ(MBX_EV_WAIT, self->th.ev[0].type);
	EXPECT_EQ(MBX_EV_SEND, self->th.ev[1].type);
	EXPECT_EQ(MBX_EV_WAKE, self->th.ev[2].type);
	ev = &self->th.ev[0];
	EXPECT_EQ(1, ev->pid);
	EXPECT_EQ(id, ev->descriptor);
	EXPECT_EQ(hc, ev->handle);
	EXPECT_EQ(0xFFFF, ev->timeout);
	ev = &self->th.ev[1];
	EXPECT_EQ(2, ev->pid);
	EXPECT_EQ(id, ev->descriptor);
	EXPECT_EQ(hp, ev->handle);
	EXPECT_EQ(5, ev->length);
	EXPECT_EQ(0, ev->flags);
	EXPECT_EQ(0, ev->channel);
	EXPECT_EQ(2, ev->src_pid);
	EXPECT_STREQ("demo", ev->name);
	ev = &self->th.ev[2];
	EXPECT_EQ(1, ev->pid);
	EXPECT_EQ(id, ev->descriptor);
	EXPECT_EQ(hc, ev->handle);
	EXPECT_EQ(OK, ev->status);
	EXPECT_EQ(5, ev->length);
	EXPECT_EQ(2, ev->src_pid);
	ASSERT_EQ(1, self->th.nwoken);
	EXPECT_EQ(mbx_handle_lookup(self->e, cons, hc), self->th.woken[0]);
	/* The parked message: R0=0, R1=5, R2=0, R3=0, R4=2. */
	ASSERT_EQ(OK, t_recv(self->e, cons, hc, 0, &r, buf, sizeof(buf)));
	EXPECT_STREQ("hello", buf);
	EXPECT_EQ(5, r.length);
	EXPECT_EQ(0, r.flags);
	EXPECT_EQ(0, r.channel);
	EXPECT_EQ(2, r.src_pid);
	EXPECT_EQ(1, r.woken);
	EXPECT_EQ(0, th_count(&self->th, MBX_EV_RECV));
	/* Counters: blocked recv then wake -> STEP=1, WAKE=1; SEND -> STEP=1. */
	mbx_task_counters(cons, &c);
	EXPECT_EQ(1, c.step);
	EXPECT_EQ(1, c.wake);
	EXPECT_EQ(0, c.timeout);
	mbx_task_counters(prod, &c);
	EXPECT_EQ(1, c.step);
	EXPECT_EQ(0, c.wake);
}

TEST_F(mbx, immediate_recv_emits_recv_event)
{
	struct mbx_task *t;
	struct mbx_recv_result r;
	const struct mbx_event *ev;
	__u32 h;

	ENGINE(NULL);
	ASSERT_EQ(OK, mbx_task_register(self->e, 3, &t));
	ASSERT_EQ(OK, t_open(self->e, t, "app:x", 0, &h));
	ASSERT_EQ(OK, t_sendn(self->e, t, h, "abc", 3, HSX_MBX_FLAG_STDOUT, 7));
	ASSERT_EQ(OK, t_recv(self->e, t, h, 0, &r, NULL, 0));
	ev = th_last(&self->th, MBX_EV_RECV);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(3, ev->pid);
	EXPECT_EQ(h, ev->handle);
	EXPECT_EQ(mbx_desc_id(t_desc(self->e, t, h)), ev->descriptor);
	EXPECT_EQ(3, ev->length);
	EXPECT_EQ(HSX_MBX_FLAG_STDOUT, ev->flags);
	EXPECT_EQ(7, ev->channel);
	EXPECT_EQ(3, ev->src_pid);
	EXPECT_EQ(0, r.woken);
}

TEST_F(mbx, timeout_cancels_wait)
{
	struct mbx_task *t, *s;
	struct mbx_recv_result r;
	struct mbx_task_counters c;
	struct hsxmbx_stats st;
	const struct mbx_event *ev;
	__u32 h, hs;

	ENGINE(NULL);
	ASSERT_EQ(OK, mbx_task_register(self->e, 3, &t));
	ASSERT_EQ(OK, t_open(self->e, t, "app:x", 0, &h));
	ASSERT_EQ(HSX_MBX_STATUS_NO_DATA,
		  mbx_recv(self->e, t, h, MBX_RECV_WAIT | MBX_RECV_TIMEOUT(10), &r));
	EXPECT_EQ(10, th_last(&self->th, MBX_EV_WAIT)->timeout);
	EXPECT_EQ(HSX_MBX_STATUS_NO_DATA, mbx_cancel_wait(self->e, t, h, 1, &r));
	EXPECT_EQ(NULL, r.msg);
	ev = th_last(&self->th, MBX_EV_TIMEOUT);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(HSX_MBX_STATUS_TIMEOUT, ev->status);
	EXPECT_EQ(3, ev->pid);
	EXPECT_EQ(h, ev->handle);
	EXPECT_EQ(0, ev->length);
	EXPECT_EQ(0, ev->src_pid);
	mbx_task_counters(t, &c);
	EXPECT_EQ(1, c.step);
	EXPECT_EQ(1, c.timeout);
	EXPECT_EQ(0, c.wake);
	mbx_stats(self->e, &st);
	EXPECT_EQ(0, st.waiter_count);
	/* A cancelled waiter gets nothing handed any more. */
	ASSERT_EQ(OK, mbx_task_register(self->e, 4, &s));
	ASSERT_EQ(OK, t_open(self->e, s, "app:x", 0, &hs));
	ASSERT_EQ(OK, t_send(self->e, s, hs, "late"));
	EXPECT_EQ(0, self->th.nwoken);
	/* Cancelling when not waiting is not a timeout. */
	EXPECT_EQ(HSX_MBX_STATUS_NO_DATA, mbx_cancel_wait(self->e, t, h, 1, &r));
	EXPECT_EQ(1, th_count(&self->th, MBX_EV_TIMEOUT));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_HANDLE, mbx_cancel_wait(self->e, t, 99, 1, &r));
}

TEST_F(mbx, cancel_wait_returns_parked_message)
{
	struct mbx_task *t;
	struct mbx_recv_result r;
	struct mbx_task_counters c;
	char buf[16];
	__u32 h, hs;

	ENGINE(NULL);
	ASSERT_EQ(OK, mbx_task_register(self->e, 3, &t));
	ASSERT_EQ(OK, t_open(self->e, t, "app:x", 0, &h));
	ASSERT_EQ(OK, t_open(self->e, t, "app:x", 0, &hs));
	ASSERT_EQ(HSX_MBX_STATUS_NO_DATA, mbx_recv(self->e, t, h, WAIT_INF, &r));
	ASSERT_EQ(OK, t_send(self->e, t, hs, "raced"));
	/* The timer fired after the handoff: the message is not lost. */
	ASSERT_EQ(OK, t_cancel(self->e, t, h, 1, &r, buf, sizeof(buf)));
	EXPECT_STREQ("raced", buf);
	EXPECT_EQ(1, r.woken);
	mbx_task_counters(t, &c);
	EXPECT_EQ(0, c.timeout);
	EXPECT_EQ(1, c.wake);
	EXPECT_EQ(0, th_count(&self->th, MBX_EV_TIMEOUT));
}

TEST_F(mbx, single_reader_wakes_one_per_message_fifo)
{
	struct mbx_task *w, *rd[3];
	struct mbx_recv_result r;
	char buf[16], want[16];
	__u32 hw, hr[3];
	int k;

	ENGINE(NULL);
	ASSERT_EQ(OK, mbx_task_register(self->e, 9, &w));
	ASSERT_EQ(OK, t_open(self->e, w, "app:q", 0, &hw));
	for (k = 0; k < 3; k++) {
		ASSERT_EQ(OK, mbx_task_register(self->e, k + 1, &rd[k]));
		ASSERT_EQ(OK, t_open(self->e, rd[k], "app:q", 0, &hr[k]));
		ASSERT_EQ(HSX_MBX_STATUS_NO_DATA, mbx_recv(self->e, rd[k], hr[k], WAIT_INF, &r));
	}
	for (k = 0; k < 3; k++) {
		snprintf(want, sizeof(want), "msg%d", k);
		ASSERT_EQ(OK, t_send(self->e, w, hw, want));
		ASSERT_EQ(k + 1, self->th.nwoken);
		EXPECT_EQ(mbx_handle_lookup(self->e, rd[k], hr[k]), self->th.woken[k]);
		ASSERT_EQ(OK, t_recv(self->e, rd[k], hr[k], 0, &r, buf, sizeof(buf)));
		EXPECT_STREQ(want, buf);
		EXPECT_EQ(1, r.woken);
	}
}

TEST_F(mbx, fanout_one_message_wakes_all_waiters)
{
	struct mbx_task *w, *rd[4];
	struct mbx_recv_result r;
	struct hsxmbx_stats st;
	static const __u32 pids[4] = { 5, 3, 7, 2 };
	__u32 hw, hr[4], id;
	int k;

	ENGINE(NULL);
	ASSERT_EQ(OK, mbx_task_register(self->e, 9, &w));
	ASSERT_EQ(OK, t_bind(self->e, w, "shared:fan", 256, FO, &id));
	ASSERT_EQ(OK, t_open(self->e, w, "shared:fan", 0, &hw));
	for (k = 0; k < 4; k++) {
		ASSERT_EQ(OK, mbx_task_register(self->e, pids[k], &rd[k]));
		ASSERT_EQ(OK, t_open(self->e, rd[k], "shared:fan", 0, &hr[k]));
		ASSERT_EQ(HSX_MBX_STATUS_NO_DATA, mbx_recv(self->e, rd[k], hr[k], WAIT_INF, &r));
	}
	th_clear(&self->th);
	ASSERT_EQ(OK, t_send(self->e, w, hw, "fan!"));
	ASSERT_EQ(4, self->th.nwoken);
	for (k = 0; k < 4; k++) {
		EXPECT_EQ(mbx_handle_lookup(self->e, rd[k], hr[k]), self->th.woken[k]);
		EXPECT_EQ(pids[k], self->th.ev[1 + k].pid);
		ASSERT_EQ(OK, t_recv(self->e, rd[k], hr[k], 0, &r, NULL, 0));
		EXPECT_EQ(4, r.length);
		EXPECT_EQ(1, r.woken);
	}
	mbx_stats(self->e, &st);
	EXPECT_EQ(0, st.waiter_count);
	EXPECT_EQ(0, st.queue_depth);
}

TEST_F(mbx, shared_fanout_drop_two_blocked_readers)
{
	struct mbx_task *w, *a, *b;
	struct mbx_recv_result r;
	char buf[16];
	__u32 hw, ha, hb, id;

	ENGINE(NULL);
	ASSERT_EQ(OK, mbx_task_register(self->e, 1, &a));
	ASSERT_EQ(OK, mbx_task_register(self->e, 2, &b));
	ASSERT_EQ(OK, mbx_task_register(self->e, 3, &w));
	ASSERT_EQ(OK, t_bind(self->e, w, "shared:bus", 0,
			     HSX_MBX_MODE_FANOUT | HSX_MBX_MODE_FANOUT_DROP, &id));
	ASSERT_EQ(OK, t_open(self->e, a, "shared:bus", 0, &ha));
	ASSERT_EQ(OK, t_open(self->e, b, "shared:bus", 0, &hb));
	ASSERT_EQ(OK, t_open(self->e, w, "shared:bus", 0, &hw));
	ASSERT_EQ(HSX_MBX_STATUS_NO_DATA, mbx_recv(self->e, a, ha, WAIT_INF, &r));
	ASSERT_EQ(HSX_MBX_STATUS_NO_DATA, mbx_recv(self->e, b, hb, WAIT_INF, &r));
	ASSERT_EQ(OK, t_send(self->e, w, hw, "payload"));
	EXPECT_EQ(2, self->th.nwoken);
	ASSERT_EQ(OK, t_recv(self->e, a, ha, 0, &r, buf, sizeof(buf)));
	EXPECT_STREQ("payload", buf);
	EXPECT_EQ(7, r.length);
	EXPECT_EQ(0, r.flags);
	EXPECT_EQ(0, r.channel);
	EXPECT_EQ(3, r.src_pid);
	ASSERT_EQ(OK, t_recv(self->e, b, hb, 0, &r, buf, sizeof(buf)));
	EXPECT_STREQ("payload", buf);
	EXPECT_EQ(7, r.length);
	EXPECT_EQ(3, r.src_pid);
}

TEST_F(mbx, single_and_fanout_do_not_interfere)
{
	struct mbx_task *w, *a, *b;
	struct mbx_recv_result r;
	__u32 hs, hf, ha, hb, id;

	ENGINE(NULL);
	w = mbx_task_create_host(self->e);
	a = mbx_task_create_host(self->e);
	b = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_bind(self->e, w, "shared:f", 64, FO, &id));
	ASSERT_EQ(OK, t_open(self->e, w, "app:s", 0, &hs));
	ASSERT_EQ(OK, t_open(self->e, w, "shared:f", 0, &hf));
	ASSERT_EQ(OK, t_open(self->e, a, "app:s", 0, &ha));
	ASSERT_EQ(OK, t_open(self->e, b, "shared:f", 0, &hb));
	ASSERT_EQ(HSX_MBX_STATUS_NO_DATA, mbx_recv(self->e, a, ha, WAIT_INF, &r));
	ASSERT_EQ(HSX_MBX_STATUS_NO_DATA, mbx_recv(self->e, b, hb, WAIT_INF, &r));
	ASSERT_EQ(OK, t_send(self->e, w, hf, "f"));
	ASSERT_EQ(1, self->th.nwoken);
	EXPECT_EQ(mbx_handle_lookup(self->e, b, hb), self->th.woken[0]);
	ASSERT_EQ(OK, t_send(self->e, w, hs, "s"));
	ASSERT_EQ(2, self->th.nwoken);
	EXPECT_EQ(mbx_handle_lookup(self->e, a, ha), self->th.woken[1]);
	ASSERT_EQ(OK, t_recv(self->e, a, ha, 0, &r, NULL, 0));
	ASSERT_EQ(OK, t_recv(self->e, b, hb, 0, &r, NULL, 0));
}

TEST_F(mbx, tap_never_waits_readers_woken_normally)
{
	struct mbx_task *w, *a;
	struct mbx_recv_result r;
	struct hsxmbx_desc_info info;
	char buf[16];
	__u32 hw, ha, ht;

	ENGINE(NULL);
	w = mbx_task_create_host(self->e);
	a = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_open(self->e, w, "app:t", 0, &hw));
	ASSERT_EQ(OK, t_open(self->e, w, "app:t", HSX_MBX_MODE_RDONLY, &ht));
	ASSERT_EQ(OK, t_open(self->e, a, "app:t", 0, &ha));
	ASSERT_EQ(HSX_MBX_STATUS_NO_DATA, mbx_recv(self->e, w, ht, WAIT_INF, &r));
	/* Enabling the tap takes it off the wait list. */
	ASSERT_EQ(OK, mbx_tap(self->e, w, ht, 1));
	ASSERT_EQ(HSX_MBX_STATUS_NO_DATA, mbx_recv(self->e, w, ht, WAIT_INF, &r));
	ASSERT_EQ(HSX_MBX_STATUS_NO_DATA, mbx_recv(self->e, a, ha, WAIT_INF, &r));
	t_info(self->e, w, hw, &info);
	EXPECT_EQ(1, info.waiters);
	EXPECT_EQ(0, mbx_handle_ready(self->e, mbx_handle_lookup(self->e, w, ht)) &
		     MBX_READY_IN);
	t_info(self->e, w, hw, &info);
	EXPECT_EQ(1, info.waiters);
	ASSERT_EQ(OK, t_send(self->e, w, hw, "copy"));
	ASSERT_EQ(1, self->th.nwoken);
	EXPECT_EQ(mbx_handle_lookup(self->e, a, ha), self->th.woken[0]);
	EXPECT_EQ(1, self->th.tap_ready);
	ASSERT_EQ(OK, t_recv(self->e, a, ha, 0, &r, buf, sizeof(buf)));
	EXPECT_STREQ("copy", buf);
	ASSERT_EQ(OK, t_recv(self->e, w, ht, 0, &r, buf, sizeof(buf)));
	EXPECT_STREQ("copy", buf);
	EXPECT_EQ(0, r.woken);
}

TEST_F(mbx, fanout_no_starvation_over_rounds)
{
	struct mbx_task *w, *rd[5];
	struct mbx_recv_result r;
	char buf[16], want[16];
	__u32 hw, hr[5], id;
	int k, round;

	ENGINE(NULL);
	w = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_bind(self->e, w, "shared:rr", 128, FO, &id));
	ASSERT_EQ(OK, t_open(self->e, w, "shared:rr", 0, &hw));
	for (k = 0; k < 5; k++) {
		ASSERT_EQ(OK, mbx_task_register(self->e, 20 + k, &rd[k]));
		ASSERT_EQ(OK, t_open(self->e, rd[k], "shared:rr", 0, &hr[k]));
	}
	for (round = 0; round < 3; round++) {
		self->th.nwoken = 0;
		for (k = 0; k < 5; k++)
			ASSERT_EQ(HSX_MBX_STATUS_NO_DATA,
				  mbx_recv(self->e, rd[k], hr[k], WAIT_INF, &r));
		snprintf(want, sizeof(want), "round%d", round);
		ASSERT_EQ(OK, t_send(self->e, w, hw, want));
		ASSERT_EQ(5, self->th.nwoken);
		for (k = 0; k < 5; k++) {
			ASSERT_EQ(OK, t_recv(self->e, rd[k], hr[k], 0, &r, buf, sizeof(buf)));
			EXPECT_STREQ(want, buf);
		}
	}
}

TEST_F(mbx, close_requeues_parked_message_at_head)
{
	struct mbx_task *w, *a, *b;
	struct mbx_recv_result r;
	struct hsxmbx_desc_info info;
	char buf[16];
	__u32 hw, ha, hb;

	ENGINE(NULL);
	w = mbx_task_create_host(self->e);
	a = mbx_task_create_host(self->e);
	b = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_open(self->e, w, "app:q", 0, &hw));
	ASSERT_EQ(OK, t_open(self->e, a, "app:q", 0, &ha));
	ASSERT_EQ(OK, t_open(self->e, b, "app:q", 0, &hb));
	ASSERT_EQ(HSX_MBX_STATUS_NO_DATA, mbx_recv(self->e, a, ha, WAIT_INF, &r));
	ASSERT_EQ(OK, t_send(self->e, w, hw, "first"));
	ASSERT_EQ(OK, t_send(self->e, w, hw, "second"));
	t_info(self->e, w, hw, &info);
	EXPECT_EQ(1, info.queue_depth);  /* "first" is parked in a */
	/* a goes away before collecting it: "first" goes back to the head. */
	ASSERT_EQ(OK, mbx_close(self->e, a, ha));
	t_info(self->e, w, hw, &info);
	EXPECT_EQ(2, info.queue_depth);
	EXPECT_EQ(0, info.received);
	ASSERT_EQ(OK, t_recv(self->e, b, hb, 0, &r, buf, sizeof(buf)));
	EXPECT_STREQ("first", buf);
	ASSERT_EQ(OK, t_recv(self->e, b, hb, 0, &r, buf, sizeof(buf)));
	EXPECT_STREQ("second", buf);
	/* With another waiter queued, the requeued message is handed on. */
	ASSERT_EQ(OK, t_open(self->e, a, "app:q", 0, &ha));
	ASSERT_EQ(HSX_MBX_STATUS_NO_DATA, mbx_recv(self->e, a, ha, WAIT_INF, &r));
	ASSERT_EQ(HSX_MBX_STATUS_NO_DATA, mbx_recv(self->e, b, hb, WAIT_INF, &r));
	ASSERT_EQ(OK, t_send(self->e, w, hw, "third"));
	ASSERT_EQ(OK, mbx_close(self->e, a, ha));
	ASSERT_EQ(OK, t_recv(self->e, b, hb, 0, &r, buf, sizeof(buf)));
	EXPECT_STREQ("third", buf);
	EXPECT_EQ(1, r.woken);
}

/*
 * Polling has no side effects (issue 15): it joins no wait list, so the
 * next message stays in the queue for whoever reads first, and pollers
 * hear of it through ops.readable.  Until d77ca24 a poll registered the
 * handle and the message was parked in it.
 */
TEST_F(mbx, poll_has_no_side_effects)
{
	struct hsxmbx_desc_info info;
	struct mbx_task *w, *a;
	struct mbx_recv_result r;
	struct mbx_handle *hd;
	char buf[16];
	__u32 hw, hr, ha;

	ENGINE(NULL);
	w = mbx_task_create_host(self->e);
	a = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_open(self->e, w, "app:p", 0, &hw));
	ASSERT_EQ(OK, t_open(self->e, w, "app:p", HSX_MBX_MODE_RDONLY, &hr));
	ASSERT_EQ(OK, t_open(self->e, a, "app:p", HSX_MBX_MODE_RDONLY, &ha));
	hd = mbx_handle_lookup(self->e, w, hr);
	EXPECT_EQ(0, mbx_handle_ready(self->e, hd));
	EXPECT_EQ(0, th_count(&self->th, MBX_EV_WAIT));
	t_info(self->e, w, hw, &info);
	EXPECT_EQ(0, info.waiters);
	ASSERT_EQ(OK, t_send(self->e, w, hw, "ping"));
	EXPECT_EQ(0, self->th.nwoken);
	EXPECT_EQ(1, self->th.readable);
	EXPECT_EQ(MBX_READY_IN, mbx_handle_ready(self->e, hd));
	/* The poller did not claim it: another reader may take it. */
	ASSERT_EQ(OK, t_recv(self->e, a, ha, 0, &r, buf, sizeof(buf)));
	EXPECT_STREQ("ping", buf);
	EXPECT_EQ(0, mbx_handle_ready(self->e, hd));
	/* A blocked receiver is served by the hand-off, not the pollers. */
	ASSERT_EQ(HSX_MBX_STATUS_NO_DATA, mbx_recv(self->e, a, ha, WAIT_INF, &r));
	ASSERT_EQ(OK, t_send(self->e, w, hw, "pong"));
	EXPECT_EQ(1, self->th.nwoken);
	EXPECT_EQ(1, self->th.readable);
	ASSERT_EQ(OK, t_recv(self->e, a, ha, 0, &r, buf, sizeof(buf)));
	EXPECT_STREQ("pong", buf);
}

TEST_F(mbx, destroy_wakes_waiters)
{
	struct mbx_task *h0;
	struct mbx_recv_result r;
	struct mbx_desc *d;
	__u32 h, id;

	ENGINE(NULL);
	h0 = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_bind(self->e, h0, "app:gone", 0, 0, &id));
	ASSERT_EQ(OK, t_open(self->e, h0, "app:gone", 0, &h));
	ASSERT_EQ(HSX_MBX_STATUS_NO_DATA, mbx_recv(self->e, h0, h, WAIT_INF, &r));
	d = mbx_desc_lookup_id(self->e, id);
	mbx_desc_destroy(self->e, d);
	EXPECT_EQ(1, self->th.nwoken);
	EXPECT_EQ(1, self->th.destroyed);
	EXPECT_EQ(HSX_MBX_STATUS_DESTROYED, mbx_recv(self->e, h0, h, 0, &r));
	EXPECT_EQ(NULL, mbx_desc_lookup_id(self->e, id));
	/* A new bind creates a fresh descriptor. */
	ASSERT_EQ(OK, t_bind(self->e, h0, "app:gone", 0, 0, &id));
	EXPECT_EQ(2, id);
}

TEST_F(mbx, truncation_is_counted)
{
	struct mbx_task *h0;
	struct hsxmbx_stats st;
	const struct mbx_event *ev;
	__u32 h;

	ENGINE(NULL);
	h0 = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_open(self->e, h0, "app:tr", 0, &h));
	mbx_note_truncated(self->e, mbx_handle_lookup(self->e, h0, h), 12);
	mbx_stats(self->e, &st);
	EXPECT_EQ(1, st.truncated);
	ev = th_last(&self->th, MBX_EV_TRUNCATED);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(12, ev->length);
	EXPECT_EQ(h, ev->handle);
	EXPECT_EQ(HSX_MBX_FLAG_TRUNCATED, ev->flags);
}

TEST_HARNESS_MAIN
