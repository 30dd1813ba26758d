// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Manager-level behaviour: reference checklist section 7 "Manager" and
 * "stdio", profiles and exhaustion, plus the lifetime (2), access (3),
 * malformed-input (4) and no-silent-loss (6) deviations.
 */
#include "kselftest_harness.h"
#include "mbx_test.h"

TEST_F(mbx, bind_twice_same_descriptor)
{
	struct mbx_task *h0;
	__u32 a = 0, b = 0;

	ENGINE(NULL);
	h0 = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_bind(self->e, h0, "app:demo", 0, 0, &a));
	ASSERT_EQ(OK, t_bind(self->e, h0, "app:demo", 0, 0, &b));
	EXPECT_EQ(a, b);
	EXPECT_EQ(1, a);
	EXPECT_EQ(HSX_MBX_DEFAULT_RING_CAPACITY,
		  mbx_desc_capacity(mbx_desc_lookup_id(self->e, a)));
}

TEST_F(mbx, register_task_creates_four_descriptors)
{
	struct mbx_task *t, *h0;
	struct mbx_target tg;
	struct mbx_desc *d;
	const char *names[] = { "svc:stdio.in@7", "svc:stdio.out@7", "svc:stdio.err@7", "pid:7" };
	__u32 h = 0;
	int i;

	ENGINE(NULL);
	ASSERT_EQ(OK, mbx_task_register(self->e, 7, &t));
	EXPECT_EQ(t, mbx_task_lookup(self->e, 7));
	EXPECT_EQ(7, mbx_task_pid(t));
	h0 = mbx_task_create_host(self->e);
	for (i = 0; i < 4; i++) {
		__u32 id = 0;

		ASSERT_EQ(OK, mbx_target_parse(&tg, names[i], strlen(names[i]), 0));
		ASSERT_EQ(OK, t_bind(self->e, h0, names[i], 0, 0, &id));
		d = mbx_desc_lookup_id(self->e, id);
		EXPECT_EQ(i + 1, id) TH_LOG("%s", names[i]);
		EXPECT_EQ(7, mbx_desc_owner(d));
		EXPECT_STREQ(tg.name, mbx_desc_name(d));
		EXPECT_EQ(i < 3 ? HSX_MBX_STDIO_CAPACITY : HSX_MBX_DEFAULT_RING_CAPACITY,
			  mbx_desc_capacity(d));
	}
	/* Handles 1-3 are stdio, so the task's first own handle is 4. */
	for (i = 1; i <= 3; i++) {
		EXPECT_NE(NULL, mbx_handle_lookup(self->e, t, i));
	}
	EXPECT_EQ(t_desc(self->e, t, 2), mbx_desc_lookup_id(self->e, 2));
	ASSERT_EQ(OK, t_open(self->e, t, "app:x", 0, &h));
	EXPECT_EQ(HSX_MBX_FIRST_USER_HANDLE, h);
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_ARGUMENT, mbx_task_register(self->e, 7, NULL));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_ARGUMENT, mbx_task_register(self->e, 0, NULL));
}

TEST_F(mbx, handles_per_pid_start_at_one_and_are_monotonic)
{
	struct mbx_task *p1, *p2;
	__u32 h = 0, h2 = 0;

	ENGINE(NULL);
	p1 = mbx_task_create_host(self->e);
	p2 = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_open(self->e, p1, "app:demo", 0, &h));
	EXPECT_EQ(1, h);
	ASSERT_EQ(OK, t_open(self->e, p1, "app:demo", 0, &h));
	EXPECT_EQ(2, h);
	ASSERT_EQ(OK, t_open(self->e, p2, "app:demo", 0, &h2));
	EXPECT_EQ(1, h2);
	/* p2 cannot use p1's handle 2. */
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_HANDLE, t_send(self->e, p2, 2, "x"));
	ASSERT_EQ(OK, mbx_close(self->e, p1, 2));
	ASSERT_EQ(OK, t_open(self->e, p1, "app:demo", 0, &h));
	EXPECT_EQ(3, h);
}

TEST_F(mbx, round_trip_keeps_payload_flags_channel)
{
	struct mbx_task *a, *b;
	struct mbx_recv_result r;
	char buf[32];
	__u32 ha, hb;

	ENGINE(NULL);
	ASSERT_EQ(OK, mbx_task_register(self->e, 2, &a));
	ASSERT_EQ(OK, mbx_task_register(self->e, 3, &b));
	ASSERT_EQ(OK, t_open(self->e, a, "app:demo", 0, &ha));
	ASSERT_EQ(OK, t_open(self->e, b, "app:demo", 0, &hb));
	ASSERT_EQ(OK, t_sendn(self->e, a, ha, "hello", 5, HSX_MBX_FLAG_STDERR, 0x1234));
	ASSERT_EQ(OK, t_recv(self->e, b, hb, 0, &r, buf, sizeof(buf)));
	EXPECT_STREQ("hello", buf);
	EXPECT_EQ(5, r.length);
	EXPECT_EQ(HSX_MBX_FLAG_STDERR, r.flags);
	EXPECT_EQ(0x1234, r.channel);
	EXPECT_EQ(2, r.src_pid);
	EXPECT_EQ(0, r.seq);
	EXPECT_EQ(0, r.woken);
}

TEST_F(mbx, embedded_nuls_are_preserved)
{
	static const char data[7] = { 'a', 0, 'b', 0, 0, 'c', 0 };
	struct mbx_task *h0;
	struct mbx_recv_result r;
	__u32 h;

	ENGINE(NULL);
	h0 = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_open(self->e, h0, "svc:stdio.out@5", 0, &h));
	ASSERT_EQ(OK, t_sendn(self->e, h0, h, data, 7, 0, 0));
	ASSERT_EQ(OK, mbx_recv(self->e, h0, h, 0, &r));
	EXPECT_EQ(7, r.length);
	EXPECT_EQ(0, memcmp(data, mbx_msg_payload(r.msg), 7));
	mbx_msg_put(self->e, r.msg);
}

TEST_F(mbx, msg_too_large)
{
	struct mbx_config cfg;
	struct mbx_task *h0;
	char big[100];
	__u32 h, id;

	memset(&cfg, 0, sizeof(cfg));
	cfg.max_msg_bytes = 40;
	ENGINE(&cfg);
	memset(big, 'x', sizeof(big));
	h0 = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_bind(self->e, h0, "app:small", 16, 0, &id));
	ASSERT_EQ(OK, t_open(self->e, h0, "app:small", 0, &h));
	EXPECT_EQ(HSX_MBX_STATUS_MSG_TOO_LARGE, t_sendn(self->e, h0, h, big, 12, 0, 0));
	EXPECT_EQ(OK, t_sendn(self->e, h0, h, big, 8, 0, 0));
	ASSERT_EQ(OK, t_bind(self->e, h0, "app:big", 1000, 0, &id));
	ASSERT_EQ(OK, t_open(self->e, h0, "app:big", 0, &h));
	EXPECT_EQ(HSX_MBX_STATUS_MSG_TOO_LARGE, t_sendn(self->e, h0, h, big, 41, 0, 0));
	EXPECT_EQ(OK, t_sendn(self->e, h0, h, big, 40, 0, 0));
	/* Every rejection is an error event with the function id. */
	EXPECT_EQ(2, th_count(&self->th, MBX_EV_ERROR));
	EXPECT_EQ(HSX_MBX_FN_SEND, th_last(&self->th, MBX_EV_ERROR)->fn);
	EXPECT_EQ(HSX_MBX_STATUS_MSG_TOO_LARGE, th_last(&self->th, MBX_EV_ERROR)->status);
}

TEST_F(mbx, close_invalidates_handle)
{
	struct mbx_task *h0;
	struct mbx_recv_result r;
	__u32 h, h2;

	ENGINE(NULL);
	h0 = mbx_task_create_host(self->e);
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_HANDLE, mbx_close(self->e, h0, 99));
	EXPECT_EQ(HSX_MBX_FN_CLOSE, th_last(&self->th, MBX_EV_ERROR)->fn);
	ASSERT_EQ(OK, t_open(self->e, h0, "app:demo", 0, &h));
	ASSERT_EQ(OK, mbx_close(self->e, h0, h));
	EXPECT_EQ(1, self->th.closed);
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_HANDLE, t_send(self->e, h0, h, "x"));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_HANDLE, mbx_recv(self->e, h0, h, 0, &r));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_HANDLE, mbx_close(self->e, h0, h));
	ASSERT_EQ(OK, t_open(self->e, h0, "app:demo", 0, &h2));
	EXPECT_NE(h, h2);
}

TEST_F(mbx, recv_wait_records_waiter_poll_does_not)
{
	struct mbx_task *t;
	struct mbx_recv_result r;
	struct hsxmbx_desc_info info;
	__u32 h;

	ENGINE(NULL);
	ASSERT_EQ(OK, mbx_task_register(self->e, 4, &t));
	ASSERT_EQ(OK, t_open(self->e, t, "app:demo", 0, &h));
	EXPECT_EQ(HSX_MBX_STATUS_NO_DATA, mbx_recv(self->e, t, h, 0, &r));
	t_info(self->e, t, h, &info);
	EXPECT_EQ(0, info.waiters);
	EXPECT_EQ(0, th_count(&self->th, MBX_EV_WAIT));
	EXPECT_EQ(HSX_MBX_STATUS_NO_DATA,
		  mbx_recv(self->e, t, h, MBX_RECV_WAIT | MBX_RECV_TIMEOUT(0xFFFF), &r));
	t_info(self->e, t, h, &info);
	EXPECT_EQ(1, info.waiters);
	/* No duplicates. */
	EXPECT_EQ(HSX_MBX_STATUS_NO_DATA, mbx_recv(self->e, t, h, MBX_RECV_WAIT, &r));
	t_info(self->e, t, h, &info);
	EXPECT_EQ(1, info.waiters);
	EXPECT_EQ(1, th_count(&self->th, MBX_EV_WAIT));
	EXPECT_EQ(0xFFFF, th_last(&self->th, MBX_EV_WAIT)->timeout);
	EXPECT_EQ(4, th_last(&self->th, MBX_EV_WAIT)->pid);
	EXPECT_EQ(h, th_last(&self->th, MBX_EV_WAIT)->handle);
}

TEST_F(mbx, app_descriptor_shared_between_pids_and_host)
{
	struct mbx_task *a, *b, *h0;
	struct mbx_recv_result r;
	char buf[16];
	__u32 ha, hb, hh;

	ENGINE(NULL);
	ASSERT_EQ(OK, mbx_task_register(self->e, 1, &a));
	ASSERT_EQ(OK, mbx_task_register(self->e, 2, &b));
	h0 = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_open(self->e, a, "app:demo", 0, &ha));
	ASSERT_EQ(OK, t_open(self->e, b, "app:demo", 0, &hb));
	ASSERT_EQ(OK, t_open(self->e, h0, "app:demo", 0, &hh));
	EXPECT_EQ(t_desc(self->e, a, ha), t_desc(self->e, b, hb));
	EXPECT_EQ(HSX_MBX_NAMESPACE_APP, mbx_desc_ns(t_desc(self->e, a, ha)));
	EXPECT_EQ(MBX_NO_OWNER, mbx_desc_owner(t_desc(self->e, a, ha)));
	ASSERT_EQ(OK, t_send(self->e, a, ha, "one"));
	ASSERT_EQ(OK, t_send(self->e, a, ha, "two"));
	ASSERT_EQ(OK, t_recv(self->e, b, hb, 0, &r, buf, sizeof(buf)));
	EXPECT_STREQ("one", buf);
	ASSERT_EQ(OK, t_recv(self->e, h0, hh, 0, &r, buf, sizeof(buf)));
	EXPECT_STREQ("two", buf);
	EXPECT_EQ(1, r.src_pid);
}

TEST_F(mbx, host_stdio_out_differs_from_task_stdio_out)
{
	struct mbx_task *h0;
	__u32 h1, h2;

	ENGINE(NULL);
	h0 = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_open(self->e, h0, "svc:stdio.out", 0, &h1));
	ASSERT_EQ(OK, t_open(self->e, h0, "svc:stdio.out@10", 0, &h2));
	EXPECT_NE(t_desc(self->e, h0, h1), t_desc(self->e, h0, h2));
	EXPECT_EQ(0, mbx_desc_owner(t_desc(self->e, h0, h1)));
	EXPECT_EQ(10, mbx_desc_owner(t_desc(self->e, h0, h2)));
}

TEST_F(mbx, descriptor_pool_exhaustion)
{
	struct mbx_config cfg;
	struct mbx_task *t;
	struct hsxmbx_stats st;
	const struct mbx_event *ev;
	__u32 id;

	memset(&cfg, 0, sizeof(cfg));
	cfg.max_descriptors = 4;
	ENGINE(&cfg);
	ASSERT_EQ(OK, mbx_task_register(self->e, 1, &t));
	EXPECT_EQ(HSX_MBX_STATUS_NO_DESCRIPTOR, t_bind(self->e, t, "app:x", 0, 0, &id));
	ev = th_last(&self->th, MBX_EV_EXHAUSTED);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(MBX_REASON_DESCRIPTOR_POOL_FULL, ev->reason);
	EXPECT_EQ(HSX_MBX_NAMESPACE_APP, ev->ns);
	EXPECT_STREQ("x", ev->name);
	EXPECT_EQ(MBX_NO_OWNER, ev->owner);
	EXPECT_EQ(4, ev->limit);
	EXPECT_EQ(HSX_MBX_FN_BIND, th_last(&self->th, MBX_EV_ERROR)->fn);
	EXPECT_EQ(HSX_MBX_STATUS_NO_DESCRIPTOR, th_last(&self->th, MBX_EV_ERROR)->status);
	/* Existing descriptors and handles keep working. */
	EXPECT_EQ(OK, t_send(self->e, t, 2, "still"));
	EXPECT_EQ(OK, t_bind(self->e, t, "svc:stdio.out", 0, 0, &id));
	mbx_stats(self->e, &st);
	EXPECT_EQ(1, st.descriptor_pool_exhausted);
	EXPECT_EQ(0, st.free_descriptors);
	/* A second task cannot even register; it is rolled back. */
	EXPECT_EQ(HSX_MBX_STATUS_NO_DESCRIPTOR, mbx_task_register(self->e, 2, NULL));
	EXPECT_EQ(NULL, mbx_task_lookup(self->e, 2));
	mbx_stats(self->e, &st);
	EXPECT_EQ(1, st.tasks);
	EXPECT_EQ(4, st.active_descriptors);
}

/* The host (the module's per-user quota) may refuse a new descriptor. */
TEST_F(mbx, host_refuses_descriptor)
{
	struct mbx_task *h0;
	struct hsxmbx_stats st;
	const struct mbx_event *ev;
	__u32 id, h, before;

	ENGINE(NULL);
	h0 = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_bind(self->e, h0, "app:kept", 0, 0, &id));
	mbx_stats(self->e, &st);
	before = st.active_descriptors;
	self->th.refuse_create = HSX_MBX_STATUS_NO_DESCRIPTOR;
	EXPECT_EQ(HSX_MBX_STATUS_NO_DESCRIPTOR, t_bind(self->e, h0, "app:new", 0, 0, &id));
	ev = th_last(&self->th, MBX_EV_EXHAUSTED);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(MBX_REASON_HOST_QUOTA, ev->reason);
	EXPECT_STREQ("new", ev->name);
	EXPECT_STREQ("host_quota", mbx_reason_name(MBX_REASON_HOST_QUOTA));
	/* OPEN auto-creates: refused the same way. */
	EXPECT_EQ(HSX_MBX_STATUS_NO_DESCRIPTOR, t_open(self->e, h0, "app:new", 0, &h));
	/* Existing descriptors are not creations: still reachable. */
	EXPECT_EQ(OK, t_bind(self->e, h0, "app:kept", 0, 0, &id));
	EXPECT_EQ(OK, t_open(self->e, h0, "app:kept", 0, &h));
	/* Any other status passes through, without an exhausted event. */
	self->th.refuse_create = HSX_MBX_STATUS_INTERNAL_ERROR;
	EXPECT_EQ(HSX_MBX_STATUS_INTERNAL_ERROR, t_bind(self->e, h0, "app:new", 0, 0, &id));
	EXPECT_EQ(2, th_count(&self->th, MBX_EV_EXHAUSTED));
	mbx_stats(self->e, &st);
	EXPECT_EQ(before, st.active_descriptors);
	EXPECT_EQ(0, st.descriptor_pool_exhausted);
	EXPECT_EQ(0, self->th.destroyed);
	EXPECT_EQ(0, mbx_engine_check(self->e));
	self->th.refuse_create = 0;
	EXPECT_EQ(OK, t_bind(self->e, h0, "app:new", 0, 0, &id));
}

TEST_F(mbx, handle_quota)
{
	struct mbx_config cfg;
	struct mbx_task *t, *u;
	const struct mbx_event *ev;
	__u32 h, h5;

	memset(&cfg, 0, sizeof(cfg));
	cfg.handles_per_pid = 4;
	ENGINE(&cfg);
	ASSERT_EQ(OK, mbx_task_register(self->e, 1, &t));
	ASSERT_EQ(OK, mbx_task_register(self->e, 2, &u));
	ASSERT_EQ(OK, t_open(self->e, t, "app:x", 0, &h));
	EXPECT_EQ(4, h);
	EXPECT_EQ(HSX_MBX_STATUS_NO_DESCRIPTOR, t_open(self->e, t, "app:y", 0, &h5));
	ev = th_last(&self->th, MBX_EV_EXHAUSTED);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(MBX_REASON_HANDLE_LIMIT, ev->reason);
	EXPECT_EQ(1, ev->pid);
	EXPECT_EQ(4, ev->limit);
	EXPECT_EQ(4, ev->handles);
	/* The quota check runs after auto-creation, as in the reference. */
	EXPECT_EQ(1, th_count(&self->th, MBX_EV_DESC_CREATE) - 9);
	/* Other PIDs have their own quota. */
	EXPECT_EQ(OK, t_open(self->e, u, "app:y", 0, &h5));
	ASSERT_EQ(OK, mbx_close(self->e, t, h));
	EXPECT_EQ(OK, t_open(self->e, t, "app:y", 0, &h5));
	EXPECT_EQ(5, h5);  /* a refused open does not use up a number */
}

TEST_F(mbx, stdio_mode_update_existing)
{
	struct mbx_task *t, *h0;
	struct mbx_peek_result p;
	__u32 h, h2;

	ENGINE(NULL);
	ASSERT_EQ(OK, mbx_task_register(self->e, 5, &t));
	ASSERT_EQ(OK, mbx_set_stdio_mode(self->e, MBX_STDIO_OUT,
					 HSX_MBX_MODE_RDWR | HSX_MBX_MODE_FANOUT, 1));
	h0 = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_open(self->e, h0, "svc:stdio.out@5", 0, &h));
	ASSERT_EQ(OK, mbx_peek(self->e, h0, h, &p));
	EXPECT_EQ(HSX_MBX_MODE_RDWR | HSX_MBX_MODE_FANOUT, p.mode);
	ASSERT_EQ(OK, t_open(self->e, h0, "svc:stdio.in@5", 0, &h2));
	ASSERT_EQ(OK, mbx_peek(self->e, h0, h2, &p));
	EXPECT_EQ(HSX_MBX_MODE_RDWR, p.mode);
	EXPECT_EQ(HSX_MBX_MODE_RDWR | HSX_MBX_MODE_FANOUT, mbx_stdio_default_mode(self->e, 1));
	/* Future tasks get the new default. */
	ASSERT_EQ(OK, mbx_task_register(self->e, 6, &t));
	EXPECT_EQ(HSX_MBX_MODE_RDWR | HSX_MBX_MODE_FANOUT,
		  mbx_desc_mode(t_desc(self->e, t, 2)));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_ARGUMENT, mbx_set_stdio_mode(self->e, 0, 3, 0));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_ARGUMENT, mbx_set_stdio_mode(self->e, 8, 3, 0));
}

TEST_F(mbx, resource_stats)
{
	struct mbx_task *t;
	struct hsxmbx_stats st;
	__u32 h;

	ENGINE(NULL);
	mbx_stats(self->e, &st);
	EXPECT_EQ(256, st.max_descriptors);
	EXPECT_EQ(0, st.active_descriptors);
	EXPECT_EQ(256, st.free_descriptors);
	EXPECT_EQ(0, st.handles_total);
	EXPECT_EQ(0, st.handle_limit_per_pid);
	EXPECT_EQ(0, st.tap_count);
	EXPECT_EQ(0, st.tap_queue_depth);
	EXPECT_EQ(0, st.bytes_used);
	ASSERT_EQ(OK, mbx_task_register(self->e, 3, &t));
	ASSERT_EQ(OK, t_open(self->e, t, "app:demo", 0, &h));
	ASSERT_EQ(OK, t_send(self->e, t, h, "hello"));
	mbx_stats(self->e, &st);
	EXPECT_EQ(5, st.active_descriptors);
	EXPECT_EQ(4, st.handles_total);
	EXPECT_GE(st.bytes_used, 5);
	EXPECT_EQ(13, st.bytes_used);
	EXPECT_GE(st.queue_depth, 1);
	EXPECT_EQ(3 * HSX_MBX_STDIO_CAPACITY + 2 * 64, st.total_capacity);
	EXPECT_EQ(st.total_capacity - 13, st.bytes_available);
	EXPECT_EQ(1, st.sent);
	EXPECT_EQ(1, st.tasks);
	EXPECT_EQ(0, st.descriptor_pool_exhausted);
}

TEST_F(mbx, stress_8_pids_by_8_descriptors)
{
	struct mbx_task *t[8];
	struct hsxmbx_stats st;
	struct mbx_recv_result r;
	char name[32], buf[32], want[32];
	__u32 h[8][8], id;
	int p, d;

	ENGINE(NULL);
	for (p = 0; p < 8; p++)
		ASSERT_EQ(OK, mbx_task_register(self->e, p + 1, &t[p]));
	for (p = 0; p < 8; p++) {
		for (d = 0; d < 8; d++) {
			snprintf(name, sizeof(name), "app:s%d_%d", p, d);
			ASSERT_EQ(OK, t_bind(self->e, t[p], name, 64, 0, &id));
			ASSERT_EQ(OK, t_open(self->e, t[p], name, 0, &h[p][d]));
			snprintf(want, sizeof(want), "msg %d/%d", p, d);
			ASSERT_EQ(OK, t_send(self->e, t[p], h[p][d], want));
		}
	}
	for (p = 0; p < 8; p++) {
		for (d = 0; d < 8; d++) {
			snprintf(want, sizeof(want), "msg %d/%d", p, d);
			ASSERT_EQ(OK, t_recv(self->e, t[p], h[p][d], 0, &r, buf, sizeof(buf)));
			EXPECT_STREQ(want, buf);
		}
	}
	mbx_stats(self->e, &st);
	EXPECT_EQ(0, st.descriptor_pool_exhausted);
	EXPECT_EQ(0, st.exhausted);
	EXPECT_EQ(0, st.queue_depth);
	EXPECT_EQ(0, st.bytes_used);
}

TEST_F(mbx, zero_length_send)
{
	struct mbx_task *t, *h0;
	struct mbx_recv_result r;
	struct hsxmbx_desc_info info;
	__u32 h;

	ENGINE(NULL);
	ASSERT_EQ(OK, mbx_task_register(self->e, 5, &t));
	ASSERT_EQ(OK, t_sendn(self->e, t, HSX_MBX_HANDLE_STDOUT, "", 0, 0, 0));
	t_info(self->e, t, HSX_MBX_HANDLE_STDOUT, &info);
	EXPECT_EQ(0, info.queue_depth);
	EXPECT_EQ(0, info.sent);
	EXPECT_EQ(0, th_count(&self->th, MBX_EV_SEND));
	h0 = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_open(self->e, h0, "svc:stdio.out@5", 0, &h));
	EXPECT_EQ(HSX_MBX_STATUS_NO_DATA, mbx_recv(self->e, h0, h, 0, &r));
}

TEST_F(mbx, profiles)
{
	struct mbx_config cfg;
	const struct mbx_config *c;

	ASSERT_EQ(0, mbx_config_profile(&cfg, HSX_MBX_PROFILE_EMBEDDED));
	EXPECT_EQ(16, cfg.max_descriptors);
	EXPECT_EQ(8, cfg.handles_per_pid);
	EXPECT_EQ(20, cfg.tap_rate_limit);
	EXPECT_EQ(64, cfg.default_capacity);
	ASSERT_EQ(0, mbx_config_profile(&cfg, HSX_MBX_PROFILE_DESKTOP));
	EXPECT_EQ(256, cfg.max_descriptors);
	EXPECT_EQ(64, cfg.handles_per_pid);
	EXPECT_EQ(0, cfg.tap_rate_limit);
	EXPECT_EQ(-1, mbx_config_profile(&cfg, 7));
	ASSERT_EQ(0, mbx_config_profile(&cfg, HSX_MBX_PROFILE_EMBEDDED));
	ENGINE(&cfg);
	c = mbx_engine_config(self->e);
	EXPECT_EQ(16, c->max_descriptors);
	EXPECT_EQ(8, c->handles_per_pid);
	EXPECT_EQ(HSX_MBX_MAX_MSG_BYTES, c->max_msg_bytes);
	/* Embedded: 16 descriptors are 4 tasks. */
	EXPECT_EQ(OK, mbx_task_register(self->e, 1, NULL));
	EXPECT_EQ(OK, mbx_task_register(self->e, 2, NULL));
	EXPECT_EQ(OK, mbx_task_register(self->e, 3, NULL));
	EXPECT_EQ(OK, mbx_task_register(self->e, 4, NULL));
	EXPECT_EQ(HSX_MBX_STATUS_NO_DESCRIPTOR, mbx_task_register(self->e, 5, NULL));
}

TEST_F(mbx, config_defaults_fill_zero_fields)
{
	struct mbx_config cfg;
	const struct mbx_config *c;

	memset(&cfg, 0, sizeof(cfg));
	ENGINE(&cfg);
	c = mbx_engine_config(self->e);
	EXPECT_EQ(HSX_MBX_DEFAULT_RING_CAPACITY, c->default_capacity);
	EXPECT_EQ(HSX_MBX_MAX_MSG_BYTES, c->max_msg_bytes);
	EXPECT_EQ(HSX_MBX_STDIO_CAPACITY, c->stdio_capacity);
	EXPECT_EQ(HSX_MBX_MODE_RDWR, c->stdio_mode);
	EXPECT_EQ(NULL, mbx_engine_create(&cfg, NULL, NULL));
}

TEST_F(mbx, register_with_stdio_options)
{
	struct mbx_task *t;

	ENGINE(NULL);
	ASSERT_EQ(OK, mbx_task_register_with(self->e, 9, 128,
					     HSX_MBX_MODE_RDWR | HSX_MBX_MODE_FANOUT, &t));
	EXPECT_EQ(128, mbx_desc_capacity(t_desc(self->e, t, 1)));
	EXPECT_EQ(HSX_MBX_MODE_RDWR | HSX_MBX_MODE_FANOUT, mbx_desc_mode(t_desc(self->e, t, 3)));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_ARGUMENT,
		  mbx_task_register_with(self->e, 10, 0, 0x40, NULL));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_ARGUMENT,
		  mbx_task_register_with(self->e, 10, HSX_MBX_MAX_CAPACITY + 1, 0, NULL));
}

/* --- Deviation 3: access modes are enforced. --- */

TEST_F(mbx, access_modes_enforced)
{
	struct mbx_task *a, *b;
	struct mbx_recv_result r;
	__u32 id, hr, hw, hx;

	ENGINE(NULL);
	ASSERT_EQ(OK, mbx_task_register(self->e, 1, &a));
	ASSERT_EQ(OK, mbx_task_register(self->e, 2, &b));
	ASSERT_EQ(OK, t_open(self->e, a, "app:rw", HSX_MBX_MODE_RDONLY, &hr));
	ASSERT_EQ(OK, t_open(self->e, a, "app:rw", HSX_MBX_MODE_WRONLY, &hw));
	EXPECT_EQ(HSX_MBX_MODE_RDONLY, mbx_handle_access(mbx_handle_lookup(self->e, a, hr)));
	EXPECT_EQ(HSX_MBX_STATUS_PERMISSION_DENIED, t_send(self->e, a, hr, "no"));
	EXPECT_EQ(HSX_MBX_FN_SEND, th_last(&self->th, MBX_EV_ERROR)->fn);
	EXPECT_EQ(HSX_MBX_STATUS_PERMISSION_DENIED, mbx_recv(self->e, a, hw, 0, &r));
	EXPECT_EQ(HSX_MBX_FN_RECV, th_last(&self->th, MBX_EV_ERROR)->fn);
	EXPECT_EQ(OK, t_send(self->e, a, hw, "yes"));
	EXPECT_EQ(OK, t_recv(self->e, a, hr, 0, &r, NULL, 0));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_ARGUMENT,
		  t_open(self->e, a, "app:rw", 0x4, &hx));

	/* A read-only descriptor owned by task 1: others may only read. */
	ASSERT_EQ(OK, t_bind(self->e, a, "svc:ro", 0, HSX_MBX_MODE_RDONLY, &id));
	ASSERT_EQ(OK, t_open(self->e, b, "svc:ro@1", 0, &hx));
	EXPECT_EQ(HSX_MBX_MODE_RDONLY, mbx_handle_access(mbx_handle_lookup(self->e, b, hx)));
	EXPECT_EQ(HSX_MBX_STATUS_PERMISSION_DENIED, t_send(self->e, b, hx, "no"));
	EXPECT_EQ(HSX_MBX_STATUS_PERMISSION_DENIED,
		  t_open(self->e, b, "svc:ro@1", HSX_MBX_MODE_WRONLY, &hx));
	/* The owner always gets RDWR. */
	ASSERT_EQ(OK, t_open(self->e, a, "svc:ro", 0, &hx));
	EXPECT_EQ(OK, t_send(self->e, a, hx, "mine"));
	/* Write-only: others cannot receive or tap. */
	ASSERT_EQ(OK, t_bind(self->e, a, "svc:wo", 0, HSX_MBX_MODE_WRONLY, &id));
	ASSERT_EQ(OK, t_open(self->e, b, "svc:wo@1", 0, &hx));
	EXPECT_EQ(HSX_MBX_STATUS_PERMISSION_DENIED, mbx_recv(self->e, b, hx, 0, &r));
	EXPECT_EQ(HSX_MBX_STATUS_PERMISSION_DENIED, mbx_tap(self->e, b, hx, 1));
	EXPECT_EQ(OK, t_send(self->e, b, hx, "in"));
}

/* --- Deviation 4: malformed input is a status. --- */

TEST_F(mbx, malformed_input_statuses)
{
	struct hsxmbx_stats st;
	struct mbx_task *t;
	__u32 h, id;

	ENGINE(NULL);
	ASSERT_EQ(OK, mbx_task_register(self->e, 1, &t));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_ARGUMENT, t_open(self->e, t, "svc:x@abc", 0, &h));
	EXPECT_EQ(HSX_MBX_FN_OPEN, th_last(&self->th, MBX_EV_ERROR)->fn);
	EXPECT_EQ(1, th_last(&self->th, MBX_EV_ERROR)->pid);
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_ARGUMENT, t_open(self->e, t, "", 0, &h));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_ARGUMENT, t_bind(self->e, t, "pid:z", 0, 0, &id));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_ARGUMENT, t_bind(self->e, t, "app:x", 0, 0x40, &id));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_ARGUMENT,
		  t_bind(self->e, t, "app:x", HSX_MBX_MAX_CAPACITY + 1, 0, &id));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_HANDLE, mbx_tap(self->e, t, 77, 1));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_HANDLE, t_send(self->e, t, 77, "x"));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_ARGUMENT, mbx_send(self->e, t, 2, NULL, 0, 0, NULL));
	EXPECT_EQ(8, th_count(&self->th, MBX_EV_ERROR));
	mbx_stats(self->e, &st);
	EXPECT_EQ(8, st.errors);
	EXPECT_STREQ("DESTROYED", mbx_status_name(HSX_MBX_STATUS_DESTROYED));
	EXPECT_STREQ("UNKNOWN", mbx_status_name(0x1234));
	/* Reason strings are the reference's (section 1.8). */
	EXPECT_STREQ("single", mbx_reason_name(MBX_REASON_SINGLE));
	EXPECT_STREQ("fanout_drop", mbx_reason_name(MBX_REASON_FANOUT_DROP));
	EXPECT_STREQ("tap_rate_limit", mbx_reason_name(MBX_REASON_TAP_RATE_LIMIT));
	EXPECT_STREQ("descriptor_pool_full", mbx_reason_name(MBX_REASON_DESCRIPTOR_POOL_FULL));
	EXPECT_STREQ("handle_limit", mbx_reason_name(MBX_REASON_HANDLE_LIMIT));
	EXPECT_STREQ("unknown", mbx_reason_name(99));
}

/* --- Bind semantics (reference 1.4). --- */

TEST_F(mbx, bind_capacity_change_trims_from_head)
{
	struct mbx_task *h0;
	struct mbx_recv_result r;
	struct hsxmbx_desc_info info;
	char buf[16];
	__u32 id, id2, h, hr;

	ENGINE(NULL);
	h0 = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_bind(self->e, h0, "app:q", 64, 0, &id));
	ASSERT_EQ(OK, t_open(self->e, h0, "app:q", 0, &h));
	ASSERT_EQ(OK, t_open(self->e, h0, "app:q", 0, &hr));
	ASSERT_EQ(OK, t_send(self->e, h0, h, "aaaaaaaa"));
	ASSERT_EQ(OK, t_send(self->e, h0, h, "bbbbbbbb"));
	ASSERT_EQ(OK, t_send(self->e, h0, h, "cccccccc"));
	ASSERT_EQ(OK, t_bind(self->e, h0, "app:q", 32, 0, &id2));
	EXPECT_EQ(id, id2);
	t_info(self->e, h0, h, &info);
	EXPECT_EQ(32, info.capacity);
	EXPECT_EQ(2, info.queue_depth);
	EXPECT_EQ(1, info.dropped);
	EXPECT_EQ(1, th_count(&self->th, MBX_EV_OVERRUN));
	EXPECT_EQ(0, th_last(&self->th, MBX_EV_OVERRUN)->seq);
	/* The reader that missed a message sees OVERRUN once. */
	ASSERT_EQ(OK, t_recv(self->e, h0, hr, 0, &r, buf, sizeof(buf)));
	EXPECT_STREQ("bbbbbbbb", buf);
	EXPECT_EQ(HSX_MBX_FLAG_OVERRUN, r.flags);
	ASSERT_EQ(OK, t_recv(self->e, h0, hr, 0, &r, buf, sizeof(buf)));
	EXPECT_EQ(0, r.flags);
}

TEST_F(mbx, bind_mode_change_reinitialises_handles)
{
	struct hsxmbx_stats st;
	struct mbx_task *h0;
	struct mbx_recv_result r;
	char buf[16];
	__u32 id, h1, h2;

	ENGINE(NULL);
	h0 = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_bind(self->e, h0, "shared:m", 128, 0, &id));
	ASSERT_EQ(OK, t_open(self->e, h0, "shared:m", 0, &h1));
	ASSERT_EQ(OK, t_open(self->e, h0, "shared:m", 0, &h2));
	ASSERT_EQ(OK, t_send(self->e, h0, h1, "old"));
	ASSERT_EQ(OK, t_bind(self->e, h0, "shared:m", 0, HSX_MBX_MODE_FANOUT, &id));
	/* Fan-out readers start after what was queued. */
	EXPECT_EQ(HSX_MBX_STATUS_NO_DATA, mbx_recv(self->e, h0, h1, 0, &r));
	EXPECT_EQ(HSX_MBX_STATUS_NO_DATA, mbx_recv(self->e, h0, h2, 0, &r));
	ASSERT_EQ(OK, t_send(self->e, h0, h1, "new"));
	ASSERT_EQ(OK, t_recv(self->e, h0, h2, 0, &r, buf, sizeof(buf)));
	EXPECT_STREQ("new", buf);
	mbx_stats(self->e, &st);
	EXPECT_EQ(1, st.fanout_descriptors);
}

/* --- Deviation 2: real lifetimes. --- */

TEST_F(mbx, unreferenced_descriptor_dies_and_ids_are_not_reused)
{
	struct mbx_task *h0;
	__u32 h, h2, id;

	ENGINE(NULL);
	h0 = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_open(self->e, h0, "app:tmp", 0, &h));
	id = mbx_desc_id(t_desc(self->e, h0, h));
	ASSERT_EQ(OK, mbx_close(self->e, h0, h));
	EXPECT_EQ(1, self->th.destroyed);
	EXPECT_EQ(NULL, mbx_desc_lookup_id(self->e, id));
	ASSERT_EQ(OK, t_open(self->e, h0, "app:tmp", 0, &h2));
	EXPECT_EQ(id + 1, mbx_desc_id(t_desc(self->e, h0, h2)));
	EXPECT_EQ(1, th_count(&self->th, MBX_EV_DESC_DESTROY));
	EXPECT_EQ(2, th_count(&self->th, MBX_EV_DESC_CREATE));
}

TEST_F(mbx, queued_messages_keep_descriptor_alive)
{
	struct mbx_task *p, *h0;
	struct mbx_recv_result r;
	char buf[32];
	__u32 h;

	ENGINE(NULL);
	/* The producer sample: open, send, exit.  The host reads later. */
	ASSERT_EQ(OK, mbx_task_register(self->e, 2, &p));
	ASSERT_EQ(OK, t_open(self->e, p, "app:procon", 0, &h));
	ASSERT_EQ(OK, t_send(self->e, p, h, "ping from producer"));
	mbx_task_teardown(self->e, p);
	EXPECT_EQ(4, self->th.destroyed);
	h0 = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_open(self->e, h0, "app:procon", 0, &h));
	ASSERT_EQ(OK, t_recv(self->e, h0, h, 0, &r, buf, sizeof(buf)));
	EXPECT_STREQ("ping from producer", buf);
	ASSERT_EQ(OK, mbx_close(self->e, h0, h));
	EXPECT_EQ(5, self->th.destroyed);
}

TEST_F(mbx, bind_pin_and_unbind)
{
	struct mbx_task *h0, *h1;
	__u32 id, id2, h;

	ENGINE(NULL);
	h0 = mbx_task_create_host(self->e);
	h1 = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_bind(self->e, h0, "app:pinned", 0, 0, &id));
	ASSERT_EQ(OK, t_bind(self->e, h0, "app:pinned", 0, 0, &id));  /* one pin */
	ASSERT_EQ(OK, t_bind(self->e, h1, "app:pinned", 0, 0, &id2));
	EXPECT_EQ(id, id2);
	EXPECT_EQ(HSX_MBX_STATUS_NO_DESCRIPTOR, mbx_unbind(self->e, h0, "app:none", 8, 0));
	ASSERT_EQ(OK, mbx_unbind(self->e, h0, "app:pinned", 10, 0));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_ARGUMENT, mbx_unbind(self->e, h0, "app:pinned", 10, 0));
	EXPECT_NE(NULL, mbx_desc_lookup_id(self->e, id));
	ASSERT_EQ(OK, mbx_unbind(self->e, h1, "app:pinned", 10, 0));
	EXPECT_EQ(NULL, mbx_desc_lookup_id(self->e, id));
	/* Force destroys even with open handles. */
	ASSERT_EQ(OK, t_bind(self->e, h0, "app:f", 0, 0, &id));
	ASSERT_EQ(OK, t_open(self->e, h1, "app:f", 0, &h));
	ASSERT_EQ(OK, mbx_unbind(self->e, h0, "app:f", 5, 1));
	EXPECT_EQ(HSX_MBX_STATUS_DESTROYED, t_send(self->e, h1, h, "x"));
	ASSERT_EQ(OK, mbx_close(self->e, h1, h));
	/* A host's pins go with it. */
	ASSERT_EQ(OK, t_bind(self->e, h1, "app:g", 0, 0, &id));
	mbx_task_teardown(self->e, h1);
	EXPECT_EQ(NULL, mbx_desc_lookup_id(self->e, id));
}

TEST_F(mbx, task_owned_descriptors_die_with_task)
{
	struct mbx_task *t, *h0;
	struct mbx_recv_result r;
	struct mbx_peek_result p;
	struct mbx_handle *hw;
	struct mbx_desc *out;
	__u32 hout, happ, hpid, h, id;

	ENGINE(NULL);
	ASSERT_EQ(OK, mbx_task_register(self->e, 3, &t));
	ASSERT_EQ(OK, t_open(self->e, t, "app:mine@3", 0, &h));
	ASSERT_EQ(OK, t_bind(self->e, t, "app:global", 0, 0, &id));
	h0 = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_open(self->e, h0, "svc:stdio.out@3", 0, &hout));
	ASSERT_EQ(OK, t_open(self->e, h0, "app:mine@3", 0, &happ));
	ASSERT_EQ(OK, t_open(self->e, h0, "pid:3", 0, &hpid));
	ASSERT_EQ(OK, t_open(self->e, h0, "app:global", 0, &h));
	out = t_desc(self->e, h0, hout);
	mbx_desc_get(out);  /* e.g. an open device node */
	EXPECT_EQ(HSX_MBX_STATUS_NO_DATA,
		  mbx_recv(self->e, h0, hout, MBX_RECV_WAIT, &r));
	hw = mbx_handle_lookup(self->e, h0, hout);
	self->th.nwoken = 0;
	mbx_task_teardown(self->e, t);
	EXPECT_EQ(NULL, mbx_task_lookup(self->e, 3));
	/* stdio x3, pid:3 and app:mine@3 died; app:global lives on (h). */
	EXPECT_EQ(5, self->th.destroyed);
	EXPECT_EQ(1, self->th.nwoken);
	EXPECT_EQ(hw, self->th.woken[0]);
	EXPECT_EQ(1, mbx_desc_is_dead(out));
	EXPECT_EQ(HSX_MBX_STATUS_DESTROYED, mbx_recv(self->e, h0, hout, 0, &r));
	EXPECT_EQ(HSX_MBX_STATUS_DESTROYED, t_send(self->e, h0, happ, "x"));
	EXPECT_EQ(HSX_MBX_STATUS_DESTROYED, mbx_peek(self->e, h0, hpid, &p));
	EXPECT_EQ(HSX_MBX_STATUS_DESTROYED, mbx_tap(self->e, h0, hpid, 1));
	EXPECT_EQ(MBX_READY_HUP, mbx_handle_ready(self->e, hw));
	EXPECT_NE(NULL, mbx_desc_lookup_id(self->e, id));
	/* A new task 3 gets fresh descriptors with new ids. */
	ASSERT_EQ(OK, mbx_task_register(self->e, 3, &t));
	EXPECT_NE(out, t_desc(self->e, t, 2));
	EXPECT_GT(mbx_desc_id(t_desc(self->e, t, 2)), mbx_desc_id(out));
	ASSERT_EQ(OK, mbx_close(self->e, h0, hout));
	mbx_desc_put(self->e, out);  /* frees the dead descriptor */
}

TEST_F(mbx, teardown_closes_handles_and_cancels_waits)
{
	struct mbx_task *t, *h0;
	struct hsxmbx_stats st;
	struct mbx_recv_result r;
	__u32 h, hh;

	ENGINE(NULL);
	ASSERT_EQ(OK, mbx_task_register(self->e, 8, &t));
	h0 = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_open(self->e, h0, "app:w", 0, &hh));
	ASSERT_EQ(OK, t_open(self->e, t, "app:w", 0, &h));
	ASSERT_EQ(HSX_MBX_STATUS_NO_DATA, mbx_recv(self->e, t, h, MBX_RECV_WAIT, &r));
	mbx_stats(self->e, &st);
	EXPECT_EQ(1, st.waiter_count);
	mbx_task_teardown(self->e, t);
	mbx_stats(self->e, &st);
	EXPECT_EQ(0, st.waiter_count);
	EXPECT_EQ(1, st.handles_total);
	/* The next message is not handed to a dead waiter. */
	ASSERT_EQ(OK, t_send(self->e, h0, hh, "x"));
	mbx_stats(self->e, &st);
	EXPECT_EQ(1, st.queue_depth);
}

/* --- Global byte cap. --- */

TEST_F(mbx, global_byte_cap_backpressure)
{
	struct mbx_config cfg;
	struct mbx_task *h0;
	struct mbx_recv_result r;
	const struct mbx_event *ev;
	__u32 ha, hb;

	memset(&cfg, 0, sizeof(cfg));
	cfg.max_total_bytes = 40;
	ENGINE(&cfg);
	h0 = mbx_task_create_host(self->e);
	ASSERT_EQ(OK, t_open(self->e, h0, "app:a", 0, &ha));
	ASSERT_EQ(OK, t_open(self->e, h0, "app:b", 0, &hb));
	ASSERT_EQ(OK, t_sendn(self->e, h0, ha, "0123456789ab", 12, 0, 0));
	ASSERT_EQ(OK, t_sendn(self->e, h0, hb, "0123456789ab", 12, 0, 0));
	EXPECT_EQ(HSX_MBX_STATUS_WOULDBLOCK, t_sendn(self->e, h0, hb, "01", 2, 0, 0));
	ev = th_last(&self->th, MBX_EV_BACKPRESSURE);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(MBX_REASON_BYTE_CAP, ev->reason);
	EXPECT_EQ(10, ev->requested);
	EXPECT_EQ(0, th_count(&self->th, MBX_EV_ERROR));
	ASSERT_EQ(OK, t_recv(self->e, h0, ha, 0, &r, NULL, 0));
	EXPECT_EQ(OK, t_sendn(self->e, h0, hb, "01", 2, 0, 0));
}

/* --- Allocation failures are statuses, never crashes or leaks. --- */

TEST_F(mbx, allocation_failures)
{
	struct mbx_task *t;
	long n;

	ENGINE(NULL);
	for (n = 1; n < 20; n++) {
		self->th.fail_countdown = n;
		if (mbx_task_register(self->e, 50 + n, &t) == OK)
			mbx_task_teardown(self->e, t);
		ASSERT_EQ(0, mbx_engine_check(self->e));
	}
	self->th.fail_countdown = 0;
	EXPECT_EQ(0, self->th.live[MBX_OBJ_DESC]);
	EXPECT_EQ(0, self->th.live[MBX_OBJ_HANDLE]);
	EXPECT_EQ(0, self->th.live[MBX_OBJ_PIN]);
}

TEST_HARNESS_MAIN
