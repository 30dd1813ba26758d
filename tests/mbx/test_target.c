// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Target parsing (reference 1.2) and the malformed-input deviation (4):
 * every prefix, @owner suffixes, the svc: default, 32-character
 * truncation, embedded NULs, and errors returned as statuses.
 */
#include "kselftest_harness.h"
#include "mbx_test.h"

static __u32 parse(struct mbx_target *tg, const char *s, __u32 pid)
{
	return mbx_target_parse(tg, s, strlen(s), pid);
}

TEST(pid_prefix)
{
	struct mbx_target tg;

	ASSERT_EQ(OK, parse(&tg, "pid:7", 3));
	EXPECT_EQ(HSX_MBX_NAMESPACE_PID, tg.ns);
	EXPECT_STREQ("pid:7", tg.name);
	EXPECT_EQ(7, tg.owner);
	ASSERT_EQ(OK, parse(&tg, "pid:", 3));
	EXPECT_STREQ("pid:3", tg.name);
	EXPECT_EQ(3, tg.owner);
	ASSERT_EQ(OK, parse(&tg, "pid:007", 3));
	EXPECT_STREQ("pid:7", tg.name);
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_ARGUMENT, parse(&tg, "pid:x", 3));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_ARGUMENT, parse(&tg, "pid:-1", 3));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_ARGUMENT, parse(&tg, "pid:99999999999", 3));
}

TEST(svc_prefix_defaults_to_caller)
{
	struct mbx_target tg;

	ASSERT_EQ(OK, parse(&tg, "svc:stdio.out", 5));
	EXPECT_EQ(HSX_MBX_NAMESPACE_SVC, tg.ns);
	EXPECT_STREQ("stdio.out", tg.name);
	EXPECT_EQ(5, tg.owner);
	ASSERT_EQ(OK, parse(&tg, "svc:stdio.out@10", 0));
	EXPECT_EQ(10, tg.owner);
	ASSERT_EQ(OK, parse(&tg, "svc:x@", 4));
	EXPECT_EQ(4, tg.owner);
	EXPECT_STREQ("x", tg.name);
}

TEST(app_prefix_global_unless_owner)
{
	struct mbx_target tg;

	ASSERT_EQ(OK, parse(&tg, "app:demo", 2));
	EXPECT_EQ(HSX_MBX_NAMESPACE_APP, tg.ns);
	EXPECT_EQ(MBX_NO_OWNER, tg.owner);
	ASSERT_EQ(OK, parse(&tg, "app:demo@9", 2));
	EXPECT_EQ(9, tg.owner);
	EXPECT_STREQ("demo", tg.name);
}

TEST(shared_prefix_discards_owner)
{
	struct mbx_target tg;

	ASSERT_EQ(OK, parse(&tg, "shared:telemetry@5", 2));
	EXPECT_EQ(HSX_MBX_NAMESPACE_SHARED, tg.ns);
	EXPECT_EQ(MBX_NO_OWNER, tg.owner);
	EXPECT_STREQ("telemetry", tg.name);
	/* The reference parsed the suffix before discarding it. */
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_ARGUMENT, parse(&tg, "shared:t@abc", 2));
}

TEST(no_prefix_is_svc)
{
	struct mbx_target tg;

	ASSERT_EQ(OK, parse(&tg, "foo", 6));
	EXPECT_EQ(HSX_MBX_NAMESPACE_SVC, tg.ns);
	EXPECT_STREQ("foo", tg.name);
	EXPECT_EQ(6, tg.owner);
	ASSERT_EQ(OK, parse(&tg, "foo@2", 6));
	EXPECT_EQ(2, tg.owner);
	ASSERT_EQ(OK, parse(&tg, "pid", 6));
	EXPECT_EQ(HSX_MBX_NAMESPACE_SVC, tg.ns);
}

TEST(malformed_targets_are_statuses)
{
	struct mbx_target tg;

	EXPECT_EQ(HSX_MBX_STATUS_INVALID_ARGUMENT, parse(&tg, "", 1));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_ARGUMENT, mbx_target_parse(&tg, NULL, 4, 1));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_ARGUMENT, parse(&tg, "svc:x@abc", 1));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_ARGUMENT, parse(&tg, "app:x@1a", 1));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_ARGUMENT, parse(&tg, "svc:", 1));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_ARGUMENT, parse(&tg, "app:@3", 1));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_ARGUMENT, parse(&tg, "x@4294967295", 1));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_ARGUMENT, mbx_target_parse(&tg, "\0abc", 4, 1));
}

TEST(over_long_targets_are_rejected)
{
	struct mbx_target tg;
	const char *exact = "app:0123456789012345678901234567"; /* 32 chars */

	/* Deviation 4: the reference truncated to 32 characters, so two long
	 * names could silently share a descriptor; hsxmbx refuses them. */
	ASSERT_EQ(32, strlen(exact));
	ASSERT_EQ(OK, parse(&tg, exact, 1));
	EXPECT_EQ(28, strlen(tg.name));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_ARGUMENT,
		  parse(&tg, "app:0123456789012345678901234567890123456789", 1));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_ARGUMENT,
		  parse(&tg, "svc:0123456789012345678901234567@x", 1));
	/* The length bound applies before the first NUL only. */
	EXPECT_EQ(OK, mbx_target_parse(&tg, "app:short\0000000000000000000000000000000", 40, 1));
	EXPECT_STREQ("short", tg.name);
}

TEST(stops_at_nul_and_len)
{
	struct mbx_target tg;

	ASSERT_EQ(OK, mbx_target_parse(&tg, "app:ab\0cd", 9, 1));
	EXPECT_STREQ("ab", tg.name);
	ASSERT_EQ(OK, mbx_target_parse(&tg, "app:abcdef", 6, 1));
	EXPECT_STREQ("ab", tg.name);
}

FIXTURE(fmt) {
	struct th th;
	struct mbx_engine *e;
	struct mbx_task *t;
};

FIXTURE_SETUP(fmt)
{
	memset(&self->th, 0, sizeof(self->th));
	self->e = t_engine(&self->th, NULL);
	ASSERT_NE(NULL, self->e);
	self->t = mbx_task_create_host(self->e);
	ASSERT_NE(NULL, self->t);
}

FIXTURE_TEARDOWN(fmt)
{
	mbx_engine_destroy(self->e);
	EXPECT_EQ(0, th_live_total(&self->th));
}

static void fmt_of(struct mbx_engine *e, struct mbx_task *t, const char *target,
		   char *buf, __u32 size)
{
	__u32 id = 0;

	buf[0] = 0;
	if (t_bind(e, t, target, 0, 0, &id) == OK)
		mbx_target_format(mbx_desc_lookup_id(e, id), buf, size);
}

TEST_F(fmt, canonical_targets)
{
	char buf[64];

	fmt_of(self->e, self->t, "app:procon", buf, sizeof(buf));
	EXPECT_STREQ("app:procon", buf);
	fmt_of(self->e, self->t, "svc:stdio.out@3", buf, sizeof(buf));
	EXPECT_STREQ("svc:stdio.out@3", buf);
	fmt_of(self->e, self->t, "stdio.err", buf, sizeof(buf));
	EXPECT_STREQ("svc:stdio.err@0", buf);
	fmt_of(self->e, self->t, "pid:3", buf, sizeof(buf));
	EXPECT_STREQ("pid:3", buf);
	fmt_of(self->e, self->t, "shared:x@4", buf, sizeof(buf));
	EXPECT_STREQ("shared:x", buf);
	fmt_of(self->e, self->t, "app:x@12", buf, sizeof(buf));
	EXPECT_STREQ("app:x@12", buf);
	fmt_of(self->e, self->t, "app:procon", buf, 5);
	EXPECT_STREQ("app:", buf);
}

TEST_HARNESS_MAIN
