// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Engine halves of issue 14's fixes: a message the host could not copy
 * out is given back (mbx_recv_return), writability asks for room for the
 * writer's real message size, and tap entries are allocated inside the
 * charge hooks so the host bills the tap's owner.
 */
#include "kselftest_harness.h"
#include "mbx_test.h"

TEST_F(mbx, returned_single_reader_message_is_received_again)
{
	struct mbx_task *h0;
	struct mbx_recv_result r;
	struct hsxmbx_desc_info info;
	char buf[16];
	__u32 h, seq;

	ENGINE(NULL);
	h0 = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_open(self->e, h0, "app:q", 0, &h));
	ASSERT_EQ(OK, t_send(self->e, h0, h, "first"));
	ASSERT_EQ(OK, t_send(self->e, h0, h, "second"));
	ASSERT_EQ(OK, mbx_recv(self->e, h0, h, 0, &r));
	seq = r.seq;
	ASSERT_EQ(OK, mbx_recv_return(self->e, h0, h, &r));
	EXPECT_EQ(NULL, r.msg);
	t_info(self->e, h0, h, &info);
	EXPECT_EQ(2, info.queue_depth);
	EXPECT_EQ(0, info.received);
	ASSERT_EQ(OK, mbx_recv(self->e, h0, h, 0, &r));
	EXPECT_EQ(seq, r.seq);
	t_take(self->e, &r, buf, sizeof(buf));
	EXPECT_STREQ("first", buf);
	ASSERT_EQ(OK, t_recv(self->e, h0, h, 0, &r, buf, sizeof(buf)));
	EXPECT_STREQ("second", buf);
}

TEST_F(mbx, returned_message_goes_to_the_first_waiter)
{
	struct mbx_task *a, *b;
	struct mbx_recv_result r, rb;
	char buf[16];
	__u32 ha, hb;

	ENGINE(NULL);
	a = mbx_task_create_host(self->e);
	b = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_open(self->e, a, "app:q", 0, &ha));
	ASSERT_EQ(OK, t_open(self->e, b, "app:q", 0, &hb));
	ASSERT_EQ(OK, t_send(self->e, a, ha, "m"));
	ASSERT_EQ(OK, mbx_recv(self->e, a, ha, 0, &r));
	ASSERT_EQ(HSX_MBX_STATUS_NO_DATA, mbx_recv(self->e, b, hb, MBX_RECV_WAIT, &rb));
	th_clear(&self->th);
	/* a's copy-out failed: the message must reach the waiting b. */
	ASSERT_EQ(OK, mbx_recv_return(self->e, a, ha, &r));
	ASSERT_EQ(1, self->th.nwoken);
	ASSERT_EQ(OK, t_recv(self->e, b, hb, 0, &r, buf, sizeof(buf)));
	EXPECT_STREQ("m", buf);
}

TEST_F(mbx, returned_fanout_copy_is_parked_for_its_reader)
{
	struct mbx_task *h0, *rd;
	struct mbx_recv_result r;
	char buf[16];
	__u32 w, h, seq;

	ENGINE(NULL);
	h0 = mbx_task_create_host(self->e);
	rd = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_bind(self->e, h0, "app:f", 256, HSX_MBX_MODE_FANOUT_DROP, NULL));
	ASSERT_EQ(OK, t_open(self->e, rd, "app:f", HSX_MBX_MODE_RDONLY, &h));
	ASSERT_EQ(OK, t_open(self->e, h0, "app:f", HSX_MBX_MODE_WRONLY, &w));
	ASSERT_EQ(OK, t_send(self->e, h0, w, "one"));
	ASSERT_EQ(OK, mbx_recv(self->e, rd, h, 0, &r));
	seq = r.seq;
	ASSERT_EQ(OK, mbx_recv_return(self->e, rd, h, &r));
	EXPECT_TRUE(mbx_handle_ready(self->e, mbx_handle_lookup(self->e, rd, h)) &
		    MBX_READY_IN);
	ASSERT_EQ(OK, mbx_recv(self->e, rd, h, 0, &r));
	EXPECT_EQ(seq, r.seq);
	t_take(self->e, &r, buf, sizeof(buf));
	EXPECT_STREQ("one", buf);
}

/*
 * A BIND may change the mode between the receive and the give-back: a
 * fan-out message is still queued, so it must not be queued again (that
 * corrupted the queue, and the next purge never ended: found by abi_fuzz).
 */
TEST_F(mbx, returned_fanout_copy_survives_a_mode_change)
{
	struct hsxmbx_desc_info info;
	struct mbx_task *h0, *rd;
	struct mbx_recv_result r;
	__u32 w, h;

	ENGINE(NULL);
	h0 = mbx_task_create_host(self->e);
	rd = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_bind(self->e, h0, "app:m", 256, HSX_MBX_MODE_FANOUT_DROP, NULL));
	ASSERT_EQ(OK, t_open(self->e, rd, "app:m", HSX_MBX_MODE_RDONLY, &h));
	ASSERT_EQ(OK, t_open(self->e, rd, "app:m", HSX_MBX_MODE_RDONLY, &w));
	ASSERT_EQ(OK, t_open(self->e, h0, "app:m", HSX_MBX_MODE_WRONLY, &w));
	ASSERT_EQ(OK, t_send(self->e, h0, w, "one"));
	ASSERT_EQ(OK, mbx_recv(self->e, rd, h, 0, &r));
	EXPECT_EQ(0, r.exclusive);
	ASSERT_EQ(OK, t_bind(self->e, h0, "app:m", 0, HSX_MBX_MODE_RDWR, NULL));
	ASSERT_EQ(OK, mbx_recv_return(self->e, rd, h, &r));
	EXPECT_EQ(0, mbx_engine_check(self->e));
	t_info(self->e, h0, w, &info);
	EXPECT_EQ(1, info.queue_depth);
	ASSERT_EQ(OK, mbx_unbind(self->e, h0, "app:m", 5, 1));
}

/* Room for one byte is not room for the writer's 40-byte message. */
TEST_F(mbx, writable_means_room_for_the_last_attempted_size)
{
	struct mbx_task *h0;
	struct mbx_recv_result r;
	char big[40] = { 0 };
	__u32 h;
	struct mbx_handle *hd;

	ENGINE(NULL);
	h0 = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_bind(self->e, h0, "app:w", 64, 0, NULL));
	ASSERT_EQ(OK, t_open(self->e, h0, "app:w", 0, &h));
	hd = mbx_handle_lookup(self->e, h0, h);
	/* Before any send: PIPE_BUF capped at what the empty queue holds. */
	EXPECT_TRUE(mbx_handle_ready(self->e, hd) & MBX_READY_OUT);
	ASSERT_EQ(OK, t_sendn(self->e, h0, h, big, sizeof(big), 0, 0));
	EXPECT_FALSE(mbx_handle_ready(self->e, hd) & MBX_READY_OUT);
	ASSERT_EQ(HSX_MBX_STATUS_WOULDBLOCK, t_sendn(self->e, h0, h, big, sizeof(big), 0, 0));
	EXPECT_FALSE(mbx_handle_ready(self->e, hd) & MBX_READY_OUT);
	/* 16 bytes left fit a 4-byte message: small ones become the measure. */
	ASSERT_EQ(OK, t_sendn(self->e, h0, h, big, 4, 0, 0));
	EXPECT_FALSE(mbx_handle_ready(self->e, hd) & MBX_READY_OUT);
	ASSERT_EQ(OK, t_recv(self->e, h0, h, 0, &r, NULL, 0));
	EXPECT_TRUE(mbx_handle_ready(self->e, hd) & MBX_READY_OUT);
	ASSERT_EQ(OK, t_recv(self->e, h0, h, 0, &r, NULL, 0));
}

TEST_F(mbx, tap_entries_are_allocated_for_the_tap)
{
	struct mbx_task *snd, *obs;
	__u32 w, t1, t2;

	ENGINE(NULL);
	snd = mbx_task_create_host(self->e);
	obs = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_open(self->e, snd, "app:t", 0, &w));
	ASSERT_EQ(OK, t_open(self->e, obs, "app:t", HSX_MBX_MODE_RDONLY, &t1));
	ASSERT_EQ(OK, t_open(self->e, obs, "app:t", HSX_MBX_MODE_RDONLY, &t2));
	ASSERT_EQ(OK, mbx_tap(self->e, obs, t1, 1));
	ASSERT_EQ(OK, mbx_tap(self->e, obs, t2, 1));
	self->th.charges = 0;
	ASSERT_EQ(OK, t_send(self->e, snd, w, "x"));
	/* One entry per tap, each inside its tap's charge bracket. */
	EXPECT_EQ(2, self->th.charges);
	EXPECT_EQ(2, self->th.live[MBX_OBJ_TAPENT]);
	EXPECT_EQ(NULL, self->th.charged_to);
}

TEST_HARNESS_MAIN
