// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Fan-out, taps and delivery: reference checklist "Fan-out and taps",
 * PEEK, and deviation 5 (taps never hold reclamation back and only lose
 * their own copies, counted and flagged).
 */
#include "kselftest_harness.h"
#include "mbx_test.h"

#define FO (HSX_MBX_MODE_RDWR | HSX_MBX_MODE_FANOUT)

TEST_F(mbx, fanout_two_readers_then_reclaimed)
{
	struct mbx_task *w, *a, *b;
	struct mbx_recv_result r;
	struct hsxmbx_desc_info info;
	char buf[16];
	__u32 id, hw, ha, hb;

	ENGINE(NULL);
	w = mbx_task_create_host(self->e);
	a = mbx_task_create_host(self->e);
	b = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_bind(self->e, w, "shared:fo", 64, FO, &id));
	ASSERT_EQ(OK, t_open(self->e, w, "shared:fo", 0, &hw));
	ASSERT_EQ(OK, t_open(self->e, a, "shared:fo", 0, &ha));
	ASSERT_EQ(OK, t_open(self->e, b, "shared:fo", 0, &hb));
	ASSERT_EQ(OK, t_send(self->e, w, hw, "alpha"));
	ASSERT_EQ(OK, t_recv(self->e, a, ha, 0, &r, buf, sizeof(buf)));
	EXPECT_STREQ("alpha", buf);
	EXPECT_EQ(0, r.flags);
	t_info(self->e, w, hw, &info);
	EXPECT_EQ(1, info.queue_depth);  /* b has not read it yet */
	EXPECT_EQ(2, info.readers);
	ASSERT_EQ(OK, t_recv(self->e, b, hb, 0, &r, buf, sizeof(buf)));
	EXPECT_STREQ("alpha", buf);
	EXPECT_EQ(0, r.flags);
	t_info(self->e, w, hw, &info);
	EXPECT_EQ(0, info.queue_depth);
	EXPECT_EQ(0, info.bytes_used);
	EXPECT_EQ(2, info.received);
	EXPECT_EQ(1, info.sent);
	/* Each reader sees it only once. */
	EXPECT_EQ(HSX_MBX_STATUS_NO_DATA, mbx_recv(self->e, a, ha, 0, &r));
}

TEST_F(mbx, fanout_drop_overrun)
{
	struct mbx_task *w, *a;
	struct mbx_recv_result r;
	const struct mbx_event *ev;
	char buf[16];
	__u32 id, hw, ha;

	ENGINE(NULL);
	w = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, mbx_task_register(self->e, 4, &a));
	ASSERT_EQ(OK, t_bind(self->e, w, "shared:d", 16, FO | HSX_MBX_MODE_FANOUT_DROP, &id));
	ASSERT_EQ(OK, t_open(self->e, w, "shared:d", 0, &hw));
	ASSERT_EQ(OK, t_open(self->e, a, "shared:d", 0, &ha));
	ASSERT_EQ(OK, t_sendn(self->e, w, hw, "first", 5, HSX_MBX_FLAG_OOB, 9));
	ASSERT_EQ(OK, t_send(self->e, w, hw, "second"));
	ev = th_last(&self->th, MBX_EV_OVERRUN);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(id, ev->descriptor);
	EXPECT_EQ(MBX_REASON_FANOUT_DROP, ev->reason);
	EXPECT_EQ(0, ev->pid);       /* the dropped message's src_pid */
	EXPECT_EQ(0, ev->seq);       /* dropped_seq */
	EXPECT_EQ(5, ev->length);    /* dropped_length */
	EXPECT_EQ(HSX_MBX_FLAG_OOB, ev->flags);
	EXPECT_EQ(9, ev->channel);
	EXPECT_EQ(0, ev->queue_depth);
	ASSERT_EQ(OK, t_recv(self->e, a, ha, 0, &r, buf, sizeof(buf)));
	EXPECT_STREQ("second", buf);
	EXPECT_EQ(HSX_MBX_FLAG_OVERRUN, r.flags);
	EXPECT_EQ(1, r.seq);
}

TEST_F(mbx, plain_fanout_behaves_as_drop)
{
	struct mbx_task *w;
	struct mbx_recv_result r;
	char buf[16];
	__u32 id, hw, ha;

	ENGINE(NULL);
	w = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_bind(self->e, w, "shared:p", 16, FO, &id));
	ASSERT_EQ(OK, t_open(self->e, w, "shared:p", 0, &hw));
	ASSERT_EQ(OK, t_open(self->e, w, "shared:p", 0, &ha));
	ASSERT_EQ(OK, t_send(self->e, w, hw, "first"));
	ASSERT_EQ(OK, t_send(self->e, w, hw, "second"));
	ASSERT_EQ(OK, t_recv(self->e, w, ha, 0, &r, buf, sizeof(buf)));
	EXPECT_STREQ("second", buf);
	EXPECT_EQ(HSX_MBX_FLAG_OVERRUN, r.flags);
}

TEST_F(mbx, fanout_block_refuses)
{
	struct mbx_task *w;
	struct mbx_recv_result r;
	const struct mbx_event *ev;
	char buf[16];
	__u32 id, hw, ha;

	ENGINE(NULL);
	w = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_bind(self->e, w, "shared:b", 16, FO | HSX_MBX_MODE_FANOUT_BLOCK, &id));
	ASSERT_EQ(OK, t_open(self->e, w, "shared:b", 0, &hw));
	ASSERT_EQ(OK, t_open(self->e, w, "shared:b", 0, &ha));
	ASSERT_EQ(OK, t_send(self->e, w, hw, "first"));
	/* 13 of 16 bytes used: a sender would be refused. */
	EXPECT_EQ(0, mbx_handle_ready(self->e, mbx_handle_lookup(self->e, w, hw)) &
		     MBX_READY_OUT);
	EXPECT_EQ(HSX_MBX_STATUS_WOULDBLOCK, t_send(self->e, w, hw, "second"));
	ev = th_last(&self->th, MBX_EV_BACKPRESSURE);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(MBX_REASON_FANOUT_BLOCK, ev->reason);
	EXPECT_EQ(id, ev->descriptor);
	EXPECT_EQ(16, ev->capacity);
	EXPECT_EQ(13, ev->bytes_used);
	EXPECT_EQ(14, ev->requested);
	ASSERT_EQ(OK, t_recv(self->e, w, ha, 0, &r, buf, sizeof(buf)));
	EXPECT_STREQ("first", buf);
	EXPECT_EQ(0, r.flags);
	EXPECT_LT(0, self->th.space);
	EXPECT_EQ(OK, t_send(self->e, w, hw, "third"));
}

TEST_F(mbx, single_reader_full_backpressure)
{
	struct mbx_task *a, *b;
	struct mbx_recv_result r;
	char buf[16];
	__u32 id, ha, hb;

	ENGINE(NULL);
	ASSERT_EQ(OK, mbx_task_register(self->e, 1, &a));
	ASSERT_EQ(OK, mbx_task_register(self->e, 2, &b));
	ASSERT_EQ(OK, t_bind(self->e, a, "app:s", 16, HSX_MBX_MODE_RDWR, &id));
	ASSERT_EQ(HSX_MBX_NAMESPACE_APP, mbx_desc_ns(mbx_desc_lookup_id(self->e, id)));
	ASSERT_EQ(OK, t_open(self->e, a, "app:s", 0, &ha));
	ASSERT_EQ(OK, t_open(self->e, b, "app:s", 0, &hb));
	ASSERT_EQ(OK, t_sendn(self->e, a, ha, "12345678", 8, 0, 0));
	EXPECT_EQ(HSX_MBX_STATUS_WOULDBLOCK, t_sendn(self->e, a, ha, "12345678", 8, 0, 0));
	EXPECT_EQ(MBX_REASON_SINGLE, th_last(&self->th, MBX_EV_BACKPRESSURE)->reason);
	ASSERT_EQ(OK, t_recv(self->e, b, hb, 0, &r, buf, sizeof(buf)));
	EXPECT_STREQ("12345678", buf);
}

TEST_F(mbx, reclaim_waits_for_all_readers)
{
	struct mbx_task *w;
	struct mbx_recv_result r;
	struct mbx_peek_result p;
	__u32 id, hw, h1, h2;

	ENGINE(NULL);
	w = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_bind(self->e, w, "shared:r", 64, FO, &id));
	ASSERT_EQ(OK, t_open(self->e, w, "shared:r", 0, &hw));
	ASSERT_EQ(OK, t_open(self->e, w, "shared:r", 0, &h1));
	ASSERT_EQ(OK, t_open(self->e, w, "shared:r", 0, &h2));
	ASSERT_EQ(OK, t_send(self->e, w, hw, "m"));
	ASSERT_EQ(OK, t_recv(self->e, w, h1, 0, &r, NULL, 0));
	ASSERT_EQ(OK, mbx_peek(self->e, w, hw, &p));
	EXPECT_EQ(1, p.depth);
	ASSERT_EQ(OK, mbx_peek(self->e, w, h1, &p));
	EXPECT_EQ(0, p.next_len);      /* fan-out aware */
	EXPECT_EQ(1, p.next_seq);
	ASSERT_EQ(OK, mbx_peek(self->e, w, h2, &p));
	EXPECT_EQ(1, p.next_len);
	EXPECT_EQ(0, p.next_seq);
	EXPECT_EQ(0, p.head_seq);
	EXPECT_EQ(64, p.capacity);
	EXPECT_EQ(FO, p.mode);
	EXPECT_EQ(id, p.descriptor_id);
	ASSERT_EQ(OK, t_recv(self->e, w, h2, 0, &r, NULL, 0));
	ASSERT_EQ(OK, mbx_peek(self->e, w, hw, &p));
	EXPECT_EQ(0, p.depth);
	EXPECT_EQ(0, p.bytes_used);
	EXPECT_EQ(1, p.head_seq);
}

TEST_F(mbx, closing_a_slow_reader_releases_the_queue)
{
	struct mbx_task *w;
	struct mbx_peek_result p;
	__u32 id, hw, h1;

	ENGINE(NULL);
	w = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_bind(self->e, w, "shared:c", 64, FO, &id));
	ASSERT_EQ(OK, t_open(self->e, w, "shared:c", 0, &hw));
	ASSERT_EQ(OK, t_open(self->e, w, "shared:c", 0, &h1));
	ASSERT_EQ(OK, t_send(self->e, w, hw, "m"));
	ASSERT_EQ(OK, mbx_peek(self->e, w, hw, &p));
	EXPECT_EQ(1, p.depth);
	ASSERT_EQ(OK, mbx_close(self->e, w, h1));
	/* No reader left: nothing is reclaimed (reference), data stays. */
	ASSERT_EQ(OK, mbx_peek(self->e, w, hw, &p));
	EXPECT_EQ(1, p.depth);
}

TEST_F(mbx, multi_pid_fanout_in_order)
{
	struct mbx_task *w, *c[3];
	struct mbx_recv_result r;
	struct hsxmbx_stats st;
	char buf[16], want[16];
	__u32 id, hw, hc[3];
	int i, k;

	ENGINE(NULL);
	ASSERT_EQ(OK, mbx_task_register(self->e, 1, &w));
	for (k = 0; k < 3; k++) {
		ASSERT_EQ(OK, mbx_task_register(self->e, 10 + k, &c[k]));
		ASSERT_EQ(OK, t_bind(self->e, c[k], "shared:bus", 4096, FO, &id));
		ASSERT_EQ(OK, t_open(self->e, c[k], "shared:bus", 0, &hc[k]));
	}
	ASSERT_EQ(OK, t_open(self->e, w, "shared:bus", 0, &hw));
	for (i = 0; i < 32; i++) {
		snprintf(want, sizeof(want), "pkt%02d", i);
		ASSERT_EQ(OK, t_send(self->e, w, hw, want));
	}
	for (k = 0; k < 3; k++) {
		for (i = 0; i < 32; i++) {
			snprintf(want, sizeof(want), "pkt%02d", i);
			ASSERT_EQ(OK, t_recv(self->e, c[k], hc[k], 0, &r, buf, sizeof(buf)));
			EXPECT_STREQ(want, buf);
			EXPECT_EQ(i, r.seq);
			EXPECT_EQ(0, r.flags);
		}
	}
	mbx_stats(self->e, &st);
	EXPECT_EQ(0, st.queue_depth);
	EXPECT_GE(st.fanout_descriptors, 1);
}

TEST_F(mbx, tap_gets_copy_owner_keeps_original)
{
	struct mbx_task *t, *h0;
	struct mbx_recv_result r;
	struct mbx_tap_stats ts;
	struct hsxmbx_stats st;
	char buf[16];
	__u32 ht;

	ENGINE(NULL);
	ASSERT_EQ(OK, mbx_task_register(self->e, 5, &t));
	h0 = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_open(self->e, h0, "svc:stdio.out@5", 0, &ht));
	ASSERT_EQ(OK, mbx_tap(self->e, h0, ht, 1));
	ASSERT_EQ(OK, mbx_tap(self->e, h0, ht, 1));  /* idempotent */
	EXPECT_TRUE(mbx_handle_is_tap(mbx_handle_lookup(self->e, h0, ht)));
	ASSERT_EQ(OK, t_send(self->e, t, HSX_MBX_HANDLE_STDOUT, "hello"));
	EXPECT_EQ(1, self->th.tap_ready);
	mbx_stats(self->e, &st);
	EXPECT_EQ(1, st.tap_count);
	EXPECT_EQ(1, st.tap_queue_depth);
	ASSERT_EQ(OK, t_recv(self->e, h0, ht, 0, &r, buf, sizeof(buf)));
	EXPECT_STREQ("hello", buf);
	EXPECT_EQ(0, r.flags);
	EXPECT_EQ(5, r.src_pid);
	/* The tap never consumed: the owner still reads the original. */
	ASSERT_EQ(OK, t_recv(self->e, t, HSX_MBX_HANDLE_STDOUT, 0, &r, buf, sizeof(buf)));
	EXPECT_STREQ("hello", buf);
	EXPECT_EQ(HSX_MBX_STATUS_NO_DATA, mbx_recv(self->e, h0, ht, MBX_RECV_WAIT, &r));
	mbx_handle_tap_stats(mbx_handle_lookup(self->e, h0, ht), &ts);
	EXPECT_EQ(1, ts.delivered);
	EXPECT_EQ(0, ts.missed);
	EXPECT_EQ(0, ts.depth);
	/* Disabling drops the tap; the handle is a plain reader again. */
	ASSERT_EQ(OK, mbx_tap(self->e, h0, ht, 0));
	mbx_stats(self->e, &st);
	EXPECT_EQ(0, st.tap_count);
	EXPECT_EQ(0, st.waiter_count);  /* a tap never waited */
}

TEST_F(mbx, tap_drains_its_copies_after_the_owner_is_torn_down)
{
	struct mbx_task *t, *h0;
	struct mbx_recv_result r;
	unsigned int ready;
	char buf[16];
	__u32 ht;

	/* `cat svc:stdio.out@5` must still print what task 5 wrote last. */
	ENGINE(NULL);
	ASSERT_EQ(OK, mbx_task_register(self->e, 5, &t));
	h0 = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_open(self->e, h0, "svc:stdio.out@5", HSX_MBX_MODE_RDONLY, &ht));
	ASSERT_EQ(OK, mbx_tap(self->e, h0, ht, 1));
	ASSERT_EQ(OK, t_send(self->e, t, HSX_MBX_HANDLE_STDOUT, "last"));
	ASSERT_EQ(OK, t_send(self->e, t, HSX_MBX_HANDLE_STDOUT, "words"));
	mbx_task_teardown(self->e, t);
	ready = mbx_handle_ready(self->e, mbx_handle_lookup(self->e, h0, ht));
	EXPECT_TRUE(ready & MBX_READY_IN);
	EXPECT_TRUE(ready & MBX_READY_HUP);
	ASSERT_EQ(OK, t_recv(self->e, h0, ht, MBX_RECV_WAIT, &r, buf, sizeof(buf)));
	EXPECT_STREQ("last", buf);
	ASSERT_EQ(OK, t_recv(self->e, h0, ht, MBX_RECV_WAIT, &r, buf, sizeof(buf)));
	EXPECT_STREQ("words", buf);
	/* Then end of file, and no new copies can arrive. */
	EXPECT_EQ(HSX_MBX_STATUS_DESTROYED, mbx_recv(self->e, h0, ht, MBX_RECV_WAIT, &r));
	EXPECT_EQ(0, mbx_handle_ready(self->e, mbx_handle_lookup(self->e, h0, ht)) &
			     MBX_READY_IN);
	EXPECT_EQ(0, mbx_engine_check(self->e));
	ASSERT_EQ(OK, mbx_close(self->e, h0, ht));
	EXPECT_EQ(0, mbx_engine_check(self->e));
}

TEST_F(mbx, tap_rate_limit_window)
{
	struct mbx_config cfg;
	struct mbx_task *h0;
	struct mbx_recv_result r;
	struct mbx_tap_stats ts;
	struct hsxmbx_desc_info info;
	const struct mbx_event *ev;
	char buf[16];
	__u32 hs, ht;

	memset(&cfg, 0, sizeof(cfg));
	cfg.tap_rate_limit = 2;
	ENGINE(&cfg);
	self->th.now = 5000000000ull;
	h0 = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_open(self->e, h0, "app:rl", 0, &hs));
	ASSERT_EQ(OK, t_open(self->e, h0, "app:rl", HSX_MBX_MODE_RDONLY, &ht));
	ASSERT_EQ(OK, mbx_tap(self->e, h0, ht, 1));
	ASSERT_EQ(OK, t_send(self->e, h0, hs, "a"));
	ASSERT_EQ(OK, t_send(self->e, h0, hs, "b"));
	ASSERT_EQ(OK, t_send(self->e, h0, hs, "c"));
	ev = th_last(&self->th, MBX_EV_BACKPRESSURE);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(MBX_REASON_TAP_RATE_LIMIT, ev->reason);
	EXPECT_EQ(0, ev->tap_pid);
	EXPECT_EQ(ht, ev->tap_handle);
	EXPECT_EQ(2, ev->limit);
	/* The tap got 2: the first flagged OVERRUN (pending), the second not. */
	ASSERT_EQ(OK, t_recv(self->e, h0, ht, 0, &r, buf, sizeof(buf)));
	EXPECT_STREQ("a", buf);
	EXPECT_EQ(HSX_MBX_FLAG_OVERRUN, r.flags);
	ASSERT_EQ(OK, t_recv(self->e, h0, ht, 0, &r, buf, sizeof(buf)));
	EXPECT_STREQ("b", buf);
	EXPECT_EQ(0, r.flags);
	EXPECT_EQ(HSX_MBX_STATUS_NO_DATA, mbx_recv(self->e, h0, ht, 0, &r));
	/* Still inside the window: refused. */
	self->th.now += 999999999ull;
	ASSERT_EQ(OK, t_send(self->e, h0, hs, "d"));
	EXPECT_EQ(HSX_MBX_STATUS_NO_DATA, mbx_recv(self->e, h0, ht, 0, &r));
	/* After the 1 s window delivery resumes. */
	self->th.now += 1;
	ASSERT_EQ(OK, t_send(self->e, h0, hs, "e"));
	ASSERT_EQ(OK, t_recv(self->e, h0, ht, 0, &r, buf, sizeof(buf)));
	EXPECT_STREQ("e", buf);
	EXPECT_EQ(HSX_MBX_FLAG_OVERRUN, r.flags);
	mbx_handle_tap_stats(mbx_handle_lookup(self->e, h0, ht), &ts);
	EXPECT_EQ(3, ts.delivered);
	EXPECT_EQ(2, ts.missed);
	t_info(self->e, h0, hs, &info);
	EXPECT_EQ(2, info.overruns);
	EXPECT_EQ(2, info.backpressure);
	/* The sender was never slowed: all five are in the main queue. */
	EXPECT_EQ(5, info.queue_depth);
}

TEST_F(mbx, slow_tap_loses_only_its_own_copies)
{
	struct mbx_task *h0;
	struct mbx_recv_result r;
	struct mbx_tap_stats ts;
	const struct mbx_event *ev;
	char buf[16];
	__u32 id, hs, hr, ht;
	int i;

	ENGINE(NULL);
	h0 = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_bind(self->e, h0, "app:t", 32, 0, &id));
	ASSERT_EQ(OK, t_open(self->e, h0, "app:t", 0, &hs));
	ASSERT_EQ(OK, t_open(self->e, h0, "app:t", 0, &hr));
	ASSERT_EQ(OK, t_open(self->e, h0, "app:t", 0, &ht));
	ASSERT_EQ(OK, mbx_tap(self->e, h0, ht, 1));
	for (i = 0; i < 6; i++) {
		snprintf(buf, sizeof(buf), "m%d", i);
		ASSERT_EQ(OK, t_send(self->e, h0, hs, buf));
		ASSERT_EQ(OK, t_recv(self->e, h0, hr, 0, &r, NULL, 0));
	}
	/* The tap buffer (32 bytes = 3 x 10) kept the newest three. */
	ev = th_last(&self->th, MBX_EV_TAP_OVERRUN);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(MBX_REASON_TAP_FULL, ev->reason);
	EXPECT_EQ(ht, ev->tap_handle);
	EXPECT_EQ(2, ev->seq);
	EXPECT_EQ(3, th_count(&self->th, MBX_EV_TAP_OVERRUN));
	ASSERT_EQ(OK, t_recv(self->e, h0, ht, 0, &r, buf, sizeof(buf)));
	EXPECT_STREQ("m3", buf);
	EXPECT_EQ(HSX_MBX_FLAG_OVERRUN, r.flags);
	mbx_handle_tap_stats(mbx_handle_lookup(self->e, h0, ht), &ts);
	EXPECT_EQ(6, ts.delivered);
	EXPECT_EQ(3, ts.missed);
	EXPECT_EQ(2, ts.depth);
	EXPECT_EQ(20, ts.bytes);
}

TEST_F(mbx, taps_do_not_hold_fanout_reclamation)
{
	struct mbx_task *w;
	struct mbx_recv_result r;
	struct mbx_peek_result p;
	struct hsxmbx_desc_info info;
	char buf[16];
	__u32 id, hw, hr, ht;

	ENGINE(NULL);
	w = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_bind(self->e, w, "shared:t", 64, FO, &id));
	ASSERT_EQ(OK, t_open(self->e, w, "shared:t", 0, &hw));
	ASSERT_EQ(OK, t_open(self->e, w, "shared:t", 0, &hr));
	ASSERT_EQ(OK, t_open(self->e, w, "shared:t", HSX_MBX_MODE_RDONLY, &ht));
	ASSERT_EQ(OK, t_send(self->e, w, hw, "x"));
	/* Becoming a tap releases what the handle held as a reader. */
	ASSERT_EQ(OK, mbx_tap(self->e, w, ht, 1));
	ASSERT_EQ(OK, t_send(self->e, w, hw, "y"));
	ASSERT_EQ(OK, t_recv(self->e, w, hr, 0, &r, buf, sizeof(buf)));
	EXPECT_STREQ("x", buf);
	ASSERT_EQ(OK, t_recv(self->e, w, hr, 0, &r, buf, sizeof(buf)));
	EXPECT_STREQ("y", buf);
	t_info(self->e, w, hw, &info);
	EXPECT_EQ(0, info.queue_depth);
	EXPECT_EQ(1, info.readers);
	EXPECT_EQ(1, info.taps);
	/* The tap still holds its copy. */
	ASSERT_EQ(OK, mbx_peek(self->e, w, ht, &p));
	EXPECT_EQ(1, p.next_len);
	ASSERT_EQ(OK, t_recv(self->e, w, ht, 0, &r, buf, sizeof(buf)));
	EXPECT_STREQ("y", buf);
}

TEST_F(mbx, sender_only_handles_do_not_hold_reclamation)
{
	struct mbx_task *w;
	struct mbx_recv_result r;
	struct hsxmbx_desc_info info;
	__u32 id, hw, hr;

	ENGINE(NULL);
	w = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_bind(self->e, w, "shared:s", 64, FO, &id));
	ASSERT_EQ(OK, t_open(self->e, w, "shared:s", 0, &hw));
	ASSERT_EQ(OK, t_open(self->e, w, "shared:s", 0, &hr));
	ASSERT_EQ(OK, t_send(self->e, w, hw, "x"));
	ASSERT_EQ(OK, t_recv(self->e, w, hr, 0, &r, NULL, 0));
	t_info(self->e, w, hw, &info);
	EXPECT_EQ(0, info.queue_depth);
}

TEST_F(mbx, handle_ready_mask)
{
	struct mbx_task *w;
	struct mbx_handle *hd;
	__u32 id, h;

	ENGINE(NULL);
	w = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_bind(self->e, w, "app:rd", 18, 0, &id));
	ASSERT_EQ(OK, t_open(self->e, w, "app:rd", 0, &h));
	hd = mbx_handle_lookup(self->e, w, h);
	EXPECT_EQ(MBX_READY_OUT, mbx_handle_ready(self->e, hd));
	ASSERT_EQ(OK, t_send(self->e, w, h, "0123456789"));
	EXPECT_EQ(MBX_READY_IN, mbx_handle_ready(self->e, hd));
	EXPECT_EQ(mbx_handle_desc(hd), mbx_desc_lookup_id(self->e, id));
	EXPECT_EQ(w, mbx_handle_task(hd));
	EXPECT_EQ(h, mbx_handle_number(hd));
	mbx_handle_set_host(hd, &id);
	EXPECT_EQ(&id, mbx_handle_host(hd));
	mbx_desc_set_host(mbx_handle_desc(hd), &h);
	EXPECT_EQ(&h, mbx_desc_host(mbx_handle_desc(hd)));
}

TEST_HARNESS_MAIN
