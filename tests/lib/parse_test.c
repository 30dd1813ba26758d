// SPDX-License-Identifier: MIT
/*
 * Host tests of libhsxmbx's pure helpers: the status/errno table, target
 * parsing and formatting (reference section 1.2), mode names (the HXE
 * `.mailbox` spellings) and the io_uring SQE layout of hsxmbx_prep_*().
 */
#include <errno.h>

#include "kselftest_harness.h"
#include "hsxmbx/hsxmbx.h"

TEST(status_table_is_one_to_one)
{
	static const struct {
		uint32_t st;
		int err;
		const char *name;
	} t[] = {
		{ HSX_MBX_STATUS_OK, 0, "OK" },
		{ HSX_MBX_STATUS_WOULDBLOCK, -EAGAIN, "WOULDBLOCK" },
		{ HSX_MBX_STATUS_INVALID_HANDLE, -EBADF, "INVALID_HANDLE" },
		{ HSX_MBX_STATUS_NO_DATA, -ENODATA, "NO_DATA" },
		{ HSX_MBX_STATUS_MSG_TOO_LARGE, -EMSGSIZE, "MSG_TOO_LARGE" },
		{ HSX_MBX_STATUS_NO_DESCRIPTOR, -ENOSPC, "NO_DESCRIPTOR" },
		{ HSX_MBX_STATUS_TIMEOUT, -ETIMEDOUT, "TIMEOUT" },
		{ HSX_MBX_STATUS_PERMISSION_DENIED, -EACCES, "PERMISSION_DENIED" },
		{ HSX_MBX_STATUS_INVALID_ARGUMENT, -EINVAL, "INVALID_ARGUMENT" },
		{ HSX_MBX_STATUS_DESTROYED, -EPIPE, "DESTROYED" },
		{ HSX_MBX_STATUS_INTERNAL_ERROR, -EIO, "INTERNAL_ERROR" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		EXPECT_EQ(t[i].err, hsxmbx_status_errno(t[i].st));
		EXPECT_EQ(t[i].st, hsxmbx_errno_status(t[i].err));
		EXPECT_STREQ(t[i].name, hsxmbx_strstatus(t[i].st));
	}
	EXPECT_EQ(-EPROTO, hsxmbx_status_errno(0x77));
	EXPECT_STREQ("UNKNOWN_STATUS", hsxmbx_strstatus(0x77));
	EXPECT_EQ(-ETIMEDOUT, hsxmbx_res_errno(HSX_MBX_STATUS_TIMEOUT));
	EXPECT_EQ(-EFAULT, hsxmbx_res_errno(-EFAULT));
}

static void expect_target(struct __test_metadata *_metadata, const char *text, uint32_t pid,
			  uint32_t ns, uint32_t owner, const char *name, const char *canonical)
{
	struct hsxmbx_target t;
	char buf[64];

	ASSERT_EQ(0, hsxmbx_target_parse(&t, text, pid)) TH_LOG("%s", text);
	EXPECT_EQ(ns, t.ns) TH_LOG("%s", text);
	EXPECT_EQ(owner, t.owner) TH_LOG("%s", text);
	EXPECT_STREQ(name, t.name);
	hsxmbx_target_format(buf, sizeof(buf), t.ns, t.owner, t.name);
	EXPECT_STREQ(canonical, buf);
}

TEST(targets_follow_the_reference_rules)
{
	expect_target(_metadata, "pid:7", 0, HSX_MBX_NAMESPACE_PID, 7, "pid:7", "pid:7");
	expect_target(_metadata, "pid:", 5, HSX_MBX_NAMESPACE_PID, 5, "pid:5", "pid:5");
	expect_target(_metadata, "svc:stdio.out", 0, HSX_MBX_NAMESPACE_SVC, 0, "stdio.out",
		      "svc:stdio.out@0");
	expect_target(_metadata, "svc:stdio.out@10", 0, HSX_MBX_NAMESPACE_SVC, 10, "stdio.out",
		      "svc:stdio.out@10");
	expect_target(_metadata, "stdio.in@3", 0, HSX_MBX_NAMESPACE_SVC, 3, "stdio.in",
		      "svc:stdio.in@3");
	expect_target(_metadata, "app:procon", 4, HSX_MBX_NAMESPACE_APP, HSXMBX_NO_OWNER, "procon",
		      "app:procon");
	expect_target(_metadata, "app:procon@4", 0, HSX_MBX_NAMESPACE_APP, 4, "procon",
		      "app:procon@4");
	expect_target(_metadata, "shared:telemetry@9", 0, HSX_MBX_NAMESPACE_SHARED, HSXMBX_NO_OWNER,
		      "telemetry", "shared:telemetry");
	expect_target(_metadata, "app:x@", 0, HSX_MBX_NAMESPACE_APP, HSXMBX_NO_OWNER, "x", "app:x");
}

TEST(targets_truncate_at_32_characters)
{
	struct hsxmbx_target t;

	/* "app:" + 28 name characters survive; the rest is cut. */
	ASSERT_EQ(0, hsxmbx_target_parse(&t, "app:abcdefghijklmnopqrstuvwxyz0123456789", 0));
	EXPECT_STREQ("abcdefghijklmnopqrstuvwxyz01", t.name);
}

TEST(bad_targets_are_rejected)
{
	static const char *const bad[] = { "",	     "app:",	    "app:x@abc",      "pid:x",
					   "svc:@3", "shared:t@-1", "pid:99999999999" };
	struct hsxmbx_target t;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, hsxmbx_target_parse(&t, bad[i], 0))
		{
			TH_LOG("'%s'", bad[i]);
		}
	}
	EXPECT_EQ(-EINVAL, hsxmbx_target_parse(&t, NULL, 0));
}

TEST(mode_names_parse_like_the_mailbox_metadata)
{
	uint32_t m;

	ASSERT_EQ(0, hsxmbx_mode_parse("rdwr|fanout_drop|tap", &m));
	EXPECT_EQ(HSX_MBX_MODE_RDWR | HSX_MBX_MODE_FANOUT_DROP | HSX_MBX_MODE_TAP, m);
	ASSERT_EQ(0, hsxmbx_mode_parse("rw | tap", &m));
	EXPECT_EQ(HSX_MBX_MODE_RDWR | HSX_MBX_MODE_TAP, m);
	ASSERT_EQ(0, hsxmbx_mode_parse("RDONLY,FANOUT,FANOUT_BLOCK", &m));
	EXPECT_EQ(0x29u, m);
	ASSERT_EQ(0, hsxmbx_mode_parse("WriteOnly", &m));
	EXPECT_EQ(HSX_MBX_MODE_WRONLY, m);
	ASSERT_EQ(0, hsxmbx_mode_parse("0x1b", &m));
	EXPECT_EQ(0x1bu, m);
	ASSERT_EQ(0, hsxmbx_mode_parse("3|tap", &m));
	EXPECT_EQ(7u, m);
	EXPECT_EQ(-EINVAL, hsxmbx_mode_parse("rdwr|bogus", &m));
	EXPECT_EQ(-EINVAL, hsxmbx_mode_parse("rdwr|", &m));
	EXPECT_EQ(-EINVAL, hsxmbx_mode_parse("rdwr tap", &m));
	EXPECT_EQ(-EINVAL, hsxmbx_mode_parse("", &m));
}

TEST(mode_format_names_every_bit)
{
	char buf[96];

	hsxmbx_mode_format(buf, sizeof(buf), 0x1b);
	EXPECT_STREQ("RDWR|FANOUT|FANOUT_DROP", buf);
	hsxmbx_mode_format(buf, sizeof(buf), HSX_MBX_MODE_RDONLY | HSX_MBX_MODE_TAP);
	EXPECT_STREQ("RDONLY|TAP", buf);
	hsxmbx_mode_format(buf, sizeof(buf), 0);
	EXPECT_STREQ("0", buf);
	hsxmbx_mode_format(buf, sizeof(buf), 0x103);
	EXPECT_STREQ("RDWR|0x100", buf);
	/* Truncation still reports the full length, like snprintf. */
	EXPECT_EQ((int)strlen("RDWR|FANOUT|FANOUT_DROP"), hsxmbx_mode_format(buf, 5, 0x1b));
	EXPECT_STREQ("RDWR", buf);
}

TEST(prep_fills_a_uring_cmd_sqe)
{
	struct io_uring_sqe sqe;
	struct hsxmbx_send arg;
	struct hsxmbx_uring_cmd pdu;

	memset(&sqe, 0xff, sizeof(sqe));
	hsxmbx_prep_send(&sqe, 5, &arg);
	EXPECT_EQ(IORING_OP_URING_CMD, sqe.opcode);
	EXPECT_EQ(5, sqe.fd);
	EXPECT_EQ(HSXMBX_IOC_SEND, sqe.cmd_op);
	EXPECT_EQ(0u, sqe.__pad1);
	EXPECT_EQ(0u, sqe.flags);
	EXPECT_EQ(0u, sqe.uring_cmd_flags);
	memcpy(&pdu, sqe.cmd, sizeof(pdu));
	EXPECT_EQ((uintptr_t)&arg, pdu.arg_ptr);
	EXPECT_EQ(0u, pdu.reserved);
	/* The payload fits a normal 64-byte SQE: no SQE128 needed. */
	EXPECT_LE(offsetof(struct io_uring_sqe, cmd) + sizeof(pdu), sizeof(sqe));
}

TEST_HARNESS_MAIN
