// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Descriptor ids and handle numbers are u32 counters.  After a wrap they
 * skip 0 and every value still live, so one id never names two live
 * objects (issue 14, "counters and ids").  White-box: the tests move the
 * counters onto live values through the engine's private structs, which
 * would otherwise take 2^32 creations.
 */
#include "kselftest_harness.h"
#include "mbx_test.h"
#include "mbx/mbx_internal.h"

TEST_F(mbx, descriptor_ids_wrap_past_zero)
{
	struct mbx_config cfg = { .id_start = 0xFFFFFFFEu };
	struct mbx_task *h0;
	__u32 id[3];

	ENGINE(&cfg);
	h0 = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_bind(self->e, h0, "app:a", 0, 0, &id[0]));
	ASSERT_EQ(OK, t_bind(self->e, h0, "app:b", 0, 0, &id[1]));
	ASSERT_EQ(OK, t_bind(self->e, h0, "app:c", 0, 0, &id[2]));
	EXPECT_EQ(0xFFFFFFFEu, id[0]);
	EXPECT_EQ(0xFFFFFFFFu, id[1]);
	EXPECT_EQ(1, id[2]);
}

TEST_F(mbx, descriptor_ids_skip_live_ones)
{
	struct mbx_task *h0;
	__u32 a, b, c;

	ENGINE(NULL);
	h0 = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_bind(self->e, h0, "app:a", 0, 0, &a));
	ASSERT_EQ(OK, t_bind(self->e, h0, "app:b", 0, 0, &b));
	self->e->next_desc_id = a; /* as if the counter had come round */
	ASSERT_EQ(OK, t_bind(self->e, h0, "app:c", 0, 0, &c));
	EXPECT_NE(a, c);
	EXPECT_NE(b, c);
	EXPECT_EQ(b + 1, c);
	EXPECT_STREQ("a", mbx_desc_name(mbx_desc_lookup_id(self->e, a)));
}

TEST_F(mbx, host_handle_numbers_wrap_and_skip_live_ones)
{
	struct mbx_config cfg = { .id_start = 0xFFFFFFFFu };
	struct mbx_task *h0, *vm;
	__u32 h[3], v;

	ENGINE(&cfg);
	h0 = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_open(self->e, h0, "app:x", 0, &h[0]));
	ASSERT_EQ(OK, t_open(self->e, h0, "app:x", 0, &h[1]));
	EXPECT_EQ(0xFFFFFFFFu, h[0]);
	EXPECT_EQ(1, h[1]);
	h0->next_handle = 0xFFFFFFFFu; /* both live values come round */
	ASSERT_EQ(OK, t_open(self->e, h0, "app:x", 0, &h[2]));
	EXPECT_EQ(2, h[2]);
	/* VM tasks keep stdio at 1-3 whatever id_start says. */
	ASSERT_EQ(OK, mbx_task_register(self->e, 5, &vm));
	ASSERT_EQ(OK, t_open(self->e, vm, "app:x", 0, &v));
	EXPECT_EQ(HSX_MBX_FIRST_USER_HANDLE, v);
}

TEST_HARNESS_MAIN
