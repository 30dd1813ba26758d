// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Blocked writers (issue 15): a refused send can keep its message for the
 * retry (mbx_send_keep), tells the host why it was refused (room in its
 * descriptor, or under the global byte cap), and every change that may
 * make room calls ops.space, a BIND that raises the capacity or changes
 * the mode included (until d77ca24 that woke nobody).
 */
#include "kselftest_harness.h"
#include "mbx_test.h"

static struct mbx_msg *t_msg(struct mbx_engine *e, __u32 len)
{
	struct mbx_msg *m = mbx_msg_alloc(e, len);

	if (m)
		memset(mbx_msg_payload(m), 'k', len);
	return m;
}

TEST_F(mbx, send_keep_leaves_a_refused_message_with_the_caller)
{
	struct mbx_task *h0;
	struct mbx_recv_result r;
	struct mbx_msg *m;
	__u32 h, seq;

	ENGINE(NULL);
	h0 = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_bind(self->e, h0, "app:k", 64, 0, NULL));
	ASSERT_EQ(OK, t_open(self->e, h0, "app:k", 0, &h));
	ASSERT_EQ(OK, mbx_send_keep(self->e, h0, h, t_msg(self->e, 40), 0, 0, &seq));
	m = t_msg(self->e, 40);
	ASSERT_EQ(HSX_MBX_STATUS_WOULDBLOCK, mbx_send_keep(self->e, h0, h, m, 0, 0, &seq));
	EXPECT_EQ(MBX_REASON_SINGLE, mbx_handle_refusal(mbx_handle_lookup(self->e, h0, h)));
	EXPECT_EQ(2, self->th.live[MBX_OBJ_MSG]); /* queued + kept */
	ASSERT_EQ(OK, t_recv(self->e, h0, h, 0, &r, NULL, 0));
	ASSERT_EQ(OK, mbx_send_keep(self->e, h0, h, m, 0, 0, &seq));
	EXPECT_EQ(1, seq);
	ASSERT_EQ(OK, t_recv(self->e, h0, h, 0, &r, NULL, 0));
}

TEST_F(mbx, byte_cap_refusal_is_named_and_pops_report_space)
{
	struct mbx_config cfg = { .max_descriptors = 16, .max_total_bytes = 100 };
	struct mbx_task *h0;
	struct mbx_recv_result r;
	__u32 a, b;

	ENGINE(&cfg);
	h0 = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_bind(self->e, h0, "app:a", 256, 0, NULL));
	ASSERT_EQ(OK, t_bind(self->e, h0, "app:b", 256, 0, NULL));
	ASSERT_EQ(OK, t_open(self->e, h0, "app:a", 0, &a));
	ASSERT_EQ(OK, t_open(self->e, h0, "app:b", 0, &b));
	ASSERT_EQ(OK, mbx_send(self->e, h0, a, t_msg(self->e, 80), 0, 0, NULL));
	ASSERT_EQ(HSX_MBX_STATUS_WOULDBLOCK, mbx_send(self->e, h0, b, t_msg(self->e, 40), 0, 0, NULL));
	EXPECT_EQ(MBX_REASON_BYTE_CAP, mbx_handle_refusal(mbx_handle_lookup(self->e, h0, b)));
	self->th.space = 0;
	ASSERT_EQ(OK, t_recv(self->e, h0, a, 0, &r, NULL, 0));
	EXPECT_EQ(1, self->th.space);
	ASSERT_EQ(OK, mbx_send(self->e, h0, b, t_msg(self->e, 40), 0, 0, NULL));
	EXPECT_EQ(MBX_REASON_NONE, mbx_handle_refusal(mbx_handle_lookup(self->e, h0, b)));
	ASSERT_EQ(OK, t_recv(self->e, h0, b, 0, &r, NULL, 0));
}

TEST_F(mbx, bind_that_may_make_room_reports_space)
{
	struct mbx_task *h0;

	ENGINE(NULL);
	h0 = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_bind(self->e, h0, "app:s", 64, HSX_MBX_MODE_FANOUT_BLOCK, NULL));
	self->th.space = 0;
	ASSERT_EQ(OK, t_bind(self->e, h0, "app:s", 256, 0, NULL));
	EXPECT_EQ(1, self->th.space);
	ASSERT_EQ(OK, t_bind(self->e, h0, "app:s", 0, HSX_MBX_MODE_FANOUT_DROP, NULL));
	EXPECT_EQ(2, self->th.space);
}

TEST_HARNESS_MAIN
