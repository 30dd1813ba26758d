// SPDX-License-Identifier: GPL-2.0
/*
 * The control device's ioctl ABI: reference checklist (section 7) items
 * that the kernel implements, the section 10 deviations, and bad input.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "kmod_util.h"

FIXTURE(ctl) {
	int fd;
};

FIXTURE_SETUP(ctl)
{
	self->fd = ctl_open();
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(ctl)
{
	close(self->fd);
}

TEST_F(ctl, features)
{
	struct hsxmbx_features f = {};

	ASSERT_EQ(0, xioctl(self->fd, HSXMBX_IOC_GET_FEATURES, &f));
	EXPECT_EQ(HSXMBX_ABI_VERSION, f.abi_version);
	EXPECT_EQ(HSXMBX_F_ALL, f.features);
	EXPECT_EQ(HSX_MBX_MAX_MSG_BYTES, f.max_msg_bytes);
	EXPECT_EQ(HSX_MBX_DEFAULT_RING_CAPACITY, f.default_capacity);
	f.flags = 1;
	EXPECT_EQ(-EINVAL, xioctl(self->fd, HSXMBX_IOC_GET_FEATURES, &f));
}

TEST_F(ctl, bind_twice_same_descriptor)
{
	const char *t = uniq("app:b");
	uint32_t a, b;

	ASSERT_EQ(0, mbx_bind(self->fd, 0, t, 0, 0, &a));
	ASSERT_EQ(0, mbx_bind(self->fd, 0, t, 0, 0, &b));
	EXPECT_EQ(a, b);
	EXPECT_LT(0, a);
	EXPECT_EQ(0, mbx_unbind(self->fd, t, 0));
}

TEST_F(ctl, handles_private_per_open_file)
{
	int other = ctl_open();
	const char *t = uniq("app:h");
	uint32_t h1, h2, o1;

	ASSERT_LE(0, other);
	ASSERT_EQ(0, mbx_open(self->fd, 0, t, 0, &h1));
	ASSERT_EQ(0, mbx_open(self->fd, 0, t, 0, &h2));
	ASSERT_EQ(0, mbx_open(other, 0, t, 0, &o1));
	EXPECT_EQ(h1 + 1, h2);
	EXPECT_EQ(h1, o1);	/* same number, different table */
	EXPECT_EQ(0, mbx_close(other, 0, o1));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_HANDLE, mbx_close(other, 0, o1));
	EXPECT_EQ(0, mbx_close(self->fd, 0, h1));	/* still ours */
	close(other);
}

TEST_F(ctl, roundtrip_payload_flags_channel)
{
	const char msg[] = "he\0llo!";	/* embedded NUL, 7 bytes */
	struct hsxmbx_send s = {};
	struct hsxmbx_recv r;
	char buf[32] = {};
	uint32_t h;

	ASSERT_EQ(0, mbx_open(self->fd, 0, uniq("app:rt"), 0, &h));
	s.handle = h;
	s.payload_ptr = (uintptr_t)msg;
	s.payload_len = 7;
	s.msg_flags = HSX_MBX_FLAG_STDERR;
	s.channel = 42;
	ASSERT_EQ(0, xioctl(self->fd, HSXMBX_IOC_SEND, &s));
	EXPECT_EQ(7, s.sent);
	ASSERT_EQ(0, mbx_recv(self->fd, 0, h, buf, sizeof(buf), 0, &r));
	EXPECT_EQ(7, r.length);
	EXPECT_EQ(7, r.msg_len);
	EXPECT_EQ(0, memcmp(buf, msg, 7));
	EXPECT_EQ(HSX_MBX_FLAG_STDERR, r.msg_flags);
	EXPECT_EQ(42, r.channel);
	EXPECT_EQ(0, r.src_pid);
	EXPECT_EQ(s.seq, r.seq);
}

TEST_F(ctl, poll_empty_no_data_and_zero_length)
{
	struct hsxmbx_peek p;
	char buf[8];
	uint32_t h;

	ASSERT_EQ(0, mbx_open(self->fd, 0, uniq("app:z"), 0, &h));
	EXPECT_EQ(HSX_MBX_STATUS_NO_DATA, mbx_recv(self->fd, 0, h, buf, 8, 0, NULL));
	EXPECT_EQ(0, mbx_send(self->fd, 0, h, "", 0, 0));
	EXPECT_EQ(HSX_MBX_STATUS_NO_DATA, mbx_recv(self->fd, 0, h, buf, 8, 0, NULL));
	ASSERT_EQ(0, mbx_peek(self->fd, h, &p));
	EXPECT_EQ(0, p.depth);
}

TEST_F(ctl, capacity_and_too_large)
{
	const char *t = uniq("app:c");
	char twelve[12] = "123456789ab";
	uint32_t h;

	ASSERT_EQ(0, mbx_bind(self->fd, 0, t, 16, 0, NULL));
	ASSERT_EQ(0, mbx_open(self->fd, 0, t, 0, &h));
	EXPECT_EQ(HSX_MBX_STATUS_MSG_TOO_LARGE, mbx_send(self->fd, 0, h, twelve, 12, 0));
	EXPECT_EQ(0, mbx_send(self->fd, 0, h, twelve, 8, 0));
	EXPECT_EQ(HSX_MBX_STATUS_WOULDBLOCK, mbx_send(self->fd, 0, h, twelve, 8, 0));
	EXPECT_EQ(0, mbx_unbind(self->fd, t, HSXMBX_UNBIND_FORCE));
}

TEST_F(ctl, truncation_flagged)
{
	struct hsxmbx_recv r;
	char buf[4];
	uint32_t h;

	ASSERT_EQ(0, mbx_open(self->fd, 0, uniq("app:tr"), 0, &h));
	ASSERT_EQ(0, mbx_sends(self->fd, h, "abcdefgh"));
	ASSERT_EQ(0, mbx_recv(self->fd, 0, h, buf, 4, 0, &r));
	EXPECT_EQ(4, r.length);
	EXPECT_EQ(8, r.msg_len);
	EXPECT_TRUE(r.msg_flags & HSX_MBX_FLAG_TRUNCATED);
	EXPECT_EQ(0, memcmp(buf, "abcd", 4));
}

TEST_F(ctl, closed_handle_invalid_and_not_reused)
{
	uint32_t h, h2;
	char buf[8];

	ASSERT_EQ(0, mbx_open(self->fd, 0, uniq("app:cl"), 0, &h));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_HANDLE, mbx_close(self->fd, 0, 999));
	ASSERT_EQ(0, mbx_close(self->fd, 0, h));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_HANDLE, mbx_sends(self->fd, h, "x"));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_HANDLE, mbx_recv(self->fd, 0, h, buf, 8, 0, NULL));
	ASSERT_EQ(0, mbx_open(self->fd, 0, uniq("app:cl"), 0, &h2));
	EXPECT_NE(h, h2);
}

TEST_F(ctl, shared_between_openers)
{
	const char *t = uniq("app:demo");
	int other = ctl_open();
	struct hsxmbx_open o1 = {}, o2 = {};
	struct hsxmbx_recv r;
	char buf[16] = {};

	o1.target_ptr = o2.target_ptr = (uintptr_t)t;
	o1.target_len = o2.target_len = strlen(t);
	ASSERT_EQ(0, xioctl(self->fd, HSXMBX_IOC_OPEN, &o1));
	ASSERT_EQ(0, xioctl(other, HSXMBX_IOC_OPEN, &o2));
	EXPECT_EQ(o1.descriptor_id, o2.descriptor_id);
	ASSERT_EQ(0, mbx_sends(self->fd, o1.handle, "ping"));
	ASSERT_EQ(0, mbx_recv(other, 0, o2.handle, buf, 16, 0, &r));
	EXPECT_STREQ("ping", buf);
	close(other);
}

TEST_F(ctl, access_modes_enforced)
{
	const char *t = uniq("app:acc");
	uint32_t ro, wo;
	char buf[8];

	ASSERT_EQ(0, mbx_open(self->fd, 0, t, HSX_MBX_MODE_RDONLY, &ro));
	ASSERT_EQ(0, mbx_open(self->fd, 0, t, HSX_MBX_MODE_WRONLY, &wo));
	EXPECT_EQ(HSX_MBX_STATUS_PERMISSION_DENIED, mbx_sends(self->fd, ro, "x"));
	EXPECT_EQ(0, mbx_sends(self->fd, wo, "x"));
	EXPECT_EQ(HSX_MBX_STATUS_PERMISSION_DENIED,
		  mbx_recv(self->fd, 0, wo, buf, 8, 0, NULL));
	EXPECT_EQ(0, mbx_recv(self->fd, 0, ro, buf, 8, 0, NULL));
}

TEST_F(ctl, fanout_two_readers_reclaimed)
{
	const char *t = uniq("shared:f");
	int other = ctl_open();
	uint32_t a, b, s;
	struct hsxmbx_recv r;
	struct hsxmbx_peek p;
	char buf[16];

	ASSERT_EQ(0, mbx_bind(self->fd, 0, t, 0, HSX_MBX_MODE_FANOUT, NULL));
	ASSERT_EQ(0, mbx_open(self->fd, 0, t, HSX_MBX_MODE_RDONLY, &a));
	ASSERT_EQ(0, mbx_open(other, 0, t, HSX_MBX_MODE_RDONLY, &b));
	ASSERT_EQ(0, mbx_open(self->fd, 0, t, HSX_MBX_MODE_WRONLY, &s));
	ASSERT_EQ(0, mbx_sends(self->fd, s, "alpha"));
	ASSERT_EQ(0, mbx_recv(self->fd, 0, a, buf, 16, 0, &r));
	EXPECT_EQ(0, r.msg_flags & HSX_MBX_FLAG_OVERRUN);
	ASSERT_EQ(0, mbx_peek(self->fd, a, &p));
	EXPECT_EQ(1, p.depth);	/* reclaim waits for every reader */
	ASSERT_EQ(0, mbx_recv(other, 0, b, buf, 16, 0, &r));
	EXPECT_EQ(5, r.length);
	ASSERT_EQ(0, mbx_peek(self->fd, a, &p));
	EXPECT_EQ(0, p.depth);
	EXPECT_EQ(0, p.bytes_used);
	close(other);
	EXPECT_EQ(0, mbx_unbind(self->fd, t, HSXMBX_UNBIND_FORCE));
}

TEST_F(ctl, fanout_drop_and_block)
{
	const char *d = uniq("shared:d"), *bl = uniq("shared:bl");
	uint32_t rd, sd, rb, sb;
	struct hsxmbx_recv r;
	char buf[16] = {};

	ASSERT_EQ(0, mbx_bind(self->fd, 0, d, 16, HSX_MBX_MODE_FANOUT_DROP, NULL));
	ASSERT_EQ(0, mbx_open(self->fd, 0, d, HSX_MBX_MODE_RDONLY, &rd));
	ASSERT_EQ(0, mbx_open(self->fd, 0, d, HSX_MBX_MODE_WRONLY, &sd));
	ASSERT_EQ(0, mbx_sends(self->fd, sd, "first"));
	ASSERT_EQ(0, mbx_sends(self->fd, sd, "second"));
	ASSERT_EQ(0, mbx_recv(self->fd, 0, rd, buf, 16, 0, &r));
	EXPECT_STREQ("second", buf);
	EXPECT_TRUE(r.msg_flags & HSX_MBX_FLAG_OVERRUN);

	ASSERT_EQ(0, mbx_bind(self->fd, 0, bl, 16, HSX_MBX_MODE_FANOUT_BLOCK, NULL));
	ASSERT_EQ(0, mbx_open(self->fd, 0, bl, HSX_MBX_MODE_RDONLY, &rb));
	ASSERT_EQ(0, mbx_open(self->fd, 0, bl, HSX_MBX_MODE_WRONLY, &sb));
	ASSERT_EQ(0, mbx_sends(self->fd, sb, "first"));
	EXPECT_EQ(HSX_MBX_STATUS_WOULDBLOCK, mbx_sends(self->fd, sb, "second"));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(0, mbx_recv(self->fd, 0, rb, buf, 16, 0, &r));
	EXPECT_STREQ("first", buf);
	EXPECT_EQ(0, r.msg_flags & HSX_MBX_FLAG_OVERRUN);
	EXPECT_EQ(0, mbx_sends(self->fd, sb, "third"));
	mbx_unbind(self->fd, d, HSXMBX_UNBIND_FORCE);
	mbx_unbind(self->fd, bl, HSXMBX_UNBIND_FORCE);
}

TEST_F(ctl, tap_copy_owner_keeps_original)
{
	const char *t = uniq("app:tap");
	uint32_t own, tap;
	struct hsxmbx_recv r;
	char buf[16] = {};

	ASSERT_EQ(0, mbx_open(self->fd, 0, t, 0, &own));
	ASSERT_EQ(0, mbx_open(self->fd, 0, t, HSX_MBX_MODE_RDONLY, &tap));
	ASSERT_EQ(0, mbx_tap(self->fd, tap, 1));
	ASSERT_EQ(0, mbx_sends(self->fd, own, "copy"));
	ASSERT_EQ(0, mbx_recv(self->fd, 0, tap, buf, 16, 0, &r));
	EXPECT_STREQ("copy", buf);
	EXPECT_EQ(0, r.msg_flags & HSX_MBX_FLAG_OVERRUN);
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(0, mbx_recv(self->fd, 0, own, buf, 16, 0, &r));
	EXPECT_STREQ("copy", buf);
	EXPECT_EQ(-EINVAL, mbx_tap(self->fd, tap, 2));
}

TEST_F(ctl, finite_timeout_leaves_buffer)
{
	struct hsxmbx_recv r;
	char buf[8] = "XXXXXXX";
	uint32_t h;

	ASSERT_EQ(0, mbx_open(self->fd, 0, uniq("app:to"), 0, &h));
	EXPECT_EQ(HSX_MBX_STATUS_TIMEOUT, mbx_recv(self->fd, 0, h, buf, 8, 10, &r));
	EXPECT_EQ(0, r.length);
	EXPECT_EQ(0, r.src_pid);
	EXPECT_STREQ("XXXXXXX", buf);
}

TEST_F(ctl, nonblock_control_is_poll)
{
	int fd = open(CONTROL, O_RDWR | O_NONBLOCK);
	char buf[8];
	uint32_t h;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mbx_open(fd, 0, uniq("app:nb"), 0, &h));
	EXPECT_EQ(HSX_MBX_STATUS_NO_DATA,
		  mbx_recv(fd, 0, h, buf, 8, HSX_MBX_TIMEOUT_INFINITE, NULL));
	close(fd);
}

TEST_F(ctl, bad_input)
{
	struct hsxmbx_open o = {};
	char longt[HSXMBX_TARGET_MAX_BYTES + 8];
	uint32_t h;

	EXPECT_EQ(-ENOTTY, xioctl(self->fd, _IO(HSXMBX_IOC_MAGIC, 0x7f), NULL));
	/* The size is part of the command number. */
	EXPECT_EQ(-ENOTTY, xioctl(self->fd, _IOWR(HSXMBX_IOC_MAGIC, 0x30, uint64_t), &o));
	EXPECT_EQ(-EFAULT, xioctl(self->fd, HSXMBX_IOC_OPEN, (void *)8));
	o.target_ptr = 8;
	o.target_len = 5;
	EXPECT_EQ(-EFAULT, xioctl(self->fd, HSXMBX_IOC_OPEN, &o));
	o.target_ptr = (uintptr_t)"app:x";
	o.flags = 1;
	EXPECT_EQ(-EINVAL, xioctl(self->fd, HSXMBX_IOC_OPEN, &o));
	o.flags = 0;
	o.reserved = 1;
	EXPECT_EQ(-EINVAL, xioctl(self->fd, HSXMBX_IOC_OPEN, &o));
	memset(longt, 'a', sizeof(longt) - 1);
	longt[sizeof(longt) - 1] = 0;
	memcpy(longt, "app:", 4);
	EXPECT_EQ(-EINVAL, mbx_open(self->fd, 0, longt, 0, &h));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_ARGUMENT, mbx_open(self->fd, 0, "app:x@zz", 0, &h));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_ARGUMENT, mbx_open(self->fd, 0, "", 0, &h));
	ASSERT_EQ(0, mbx_open(self->fd, 0, uniq("app:bad"), 0, &h));
	EXPECT_EQ(-EFAULT, mbx_send(self->fd, 0, h, (void *)8, 4, 0));
	EXPECT_EQ(-EINVAL, mbx_send(self->fd, 0, h, "x", 1, 0x10000));
	EXPECT_EQ(HSX_MBX_STATUS_MSG_TOO_LARGE,
		  mbx_send(self->fd, 0, h, "x", HSX_MBX_MAX_MSG_BYTES + 1, 0));
	EXPECT_EQ(-EINVAL, mbx_recv(self->fd, 0, h, longt, 4, 0x10000, NULL));
	EXPECT_EQ(-EPERM, mbx_open(self->fd, 7, "app:x", 0, &h));
}

TEST_F(ctl, snapshot_reflects_traffic)
{
	struct hsxmbx_desc_info infos[256];
	struct hsxmbx_stats st = {};
	struct hsxmbx_snapshot s = {
		.descs_ptr = (uintptr_t)infos, .descs_cap = 256,
		.stats_ptr = (uintptr_t)&st,
	};
	const char *t = uniq("app:snap");
	uint32_t h, id, i, found = 0;

	ASSERT_EQ(0, mbx_bind(self->fd, 0, t, 0, 0, &id));
	ASSERT_EQ(0, mbx_open(self->fd, 0, t, 0, &h));
	ASSERT_EQ(0, mbx_sends(self->fd, h, "12345"));
	ASSERT_EQ(0, xioctl(self->fd, HSXMBX_IOC_SNAPSHOT, &s));
	EXPECT_LE(1, s.descs_count);
	EXPECT_LE(13, st.bytes_used);
	EXPECT_LE(1, st.queue_depth);
	for (i = 0; i < s.descs_count && i < 256; i++)
		if (infos[i].descriptor_id == id) {
			found = 1;
			EXPECT_EQ(1, infos[i].queue_depth);
			EXPECT_EQ(1, infos[i].sent);
			EXPECT_STREQ(t + 4, infos[i].name);
		}
	EXPECT_TRUE(found);
	s.descs_ptr = 8;
	EXPECT_EQ(-EFAULT, xioctl(self->fd, HSXMBX_IOC_SNAPSHOT, &s));
	mbx_unbind(self->fd, t, HSXMBX_UNBIND_FORCE);
}

/* Executive: register a task, act for it, and tear it down with the file. */
TEST(task_register_and_teardown)
{
	int ex = ctl_open(), fd = ctl_open();
	uint32_t h, id;
	struct hsxmbx_recv r;
	struct stat st;
	char buf[16] = {};

	ASSERT_LE(0, ex);
	ASSERT_EQ(0, mbx_task(ex, HSXMBX_IOC_TASK_REGISTER, 7));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_ARGUMENT, mbx_task(ex, HSXMBX_IOC_TASK_REGISTER, 7));
	EXPECT_EQ(-EINVAL, mbx_task(ex, HSXMBX_IOC_TASK_REGISTER, 0x10000));
	EXPECT_EQ(0, stat("/dev/hsxmbx/svc/stdio.out@7", &st));
	EXPECT_EQ(0, stat("/dev/hsxmbx/pid/7", &st));
	EXPECT_EQ(0600, st.st_mode & 0777);
	/* Task 7's first own handle is 4; its stdout is handle 2. */
	ASSERT_EQ(0, mbx_open(ex, 7, "app:x7", 0, &h));
	EXPECT_EQ(HSX_MBX_FIRST_USER_HANDLE, h);
	ASSERT_EQ(0, mbx_send(ex, 7, HSX_MBX_HANDLE_STDOUT, "out", 3, 0));
	/* The host's svc:stdio.out is not task 7's. */
	ASSERT_EQ(0, mbx_bind(ex, 0, "svc:stdio.out", 0, 0, &id));
	ASSERT_EQ(0, mbx_open(ex, 0, "svc:stdio.out@7", HSX_MBX_MODE_RDONLY, &h));
	ASSERT_EQ(0, mbx_recv(ex, 0, h, buf, 16, 0, &r));
	EXPECT_STREQ("out", buf);
	EXPECT_EQ(7, r.src_pid);
	close(ex);	/* tears task 7 down */
	EXPECT_EQ(-1, stat("/dev/hsxmbx/pid/7", &st));
	EXPECT_EQ(-1, stat("/dev/hsxmbx/svc/stdio.out@7", &st));
	mbx_unbind(fd, "svc:stdio.out", HSXMBX_UNBIND_FORCE);
	close(fd);
}

TEST_HARNESS_MAIN
