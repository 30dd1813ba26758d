// SPDX-License-Identifier: MIT
/*
 * libhsxmbx against the real module (run in the rig): every convenience
 * call, the status-to-errno table as the kernel produces it, the raw
 * statuses through hsxmbx_cmd(), SNAPSHOT sizing, handle files, and the
 * hsxmbx_prep_*() helpers through a real io_uring with uring_cmd.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "hsxmbx/hsxmbx.h"

FIXTURE(mbx)
{
	int fd;
	char target[40];
};

FIXTURE_SETUP(mbx)
{
	self->fd = hsxmbx_open_control(0);
	ASSERT_LE(0, self->fd);
	snprintf(self->target, sizeof(self->target), "app:lib%d", getpid());
}

FIXTURE_TEARDOWN(mbx)
{
	if (self->fd < 0)
		return;
	hsxmbx_unbind(self->fd, self->target, HSXMBX_UNBIND_FORCE);
	close(self->fd);
}

/* Bind the fixture's target and open a handle on it. */
static int bind_open(struct __test_metadata *_metadata, int fd, const char *target,
		     uint32_t capacity, uint32_t mode, uint32_t access)
{
	int h;

	ASSERT_LT(0, hsxmbx_bind(fd, target, capacity, mode));
	h = hsxmbx_open(fd, target, access);
	ASSERT_LE(1, h);
	return h;
}

/* The snapshot entry whose canonical target is `target`, or -1. */
static int snapshot_find(const struct hsxmbx_desc_info *d, int n, const char *target)
{
	char buf[64];

	for (int i = 0; i < n; i++) {
		hsxmbx_target_format(buf, sizeof(buf), d[i].ns, d[i].owner_pid, d[i].name);
		if (!strcmp(buf, target))
			return i;
	}
	return -1;
}

TEST_F(mbx, features_report_the_abi)
{
	struct hsxmbx_features f;

	ASSERT_EQ(0, hsxmbx_features(self->fd, &f));
	EXPECT_EQ(HSXMBX_ABI_VERSION, f.abi_version);
	EXPECT_EQ(0, f.features & ~HSXMBX_F_ALL);
	EXPECT_EQ(HSX_MBX_MAX_MSG_BYTES, f.max_msg_bytes);
	EXPECT_LT(0, f.max_descriptors);
}

TEST_F(mbx, bind_twice_returns_the_same_descriptor)
{
	int id = hsxmbx_bind(self->fd, self->target, 64, 0);

	ASSERT_LT(0, id);
	EXPECT_EQ(id, hsxmbx_bind(self->fd, self->target, 0, 0));
}

TEST_F(mbx, send_recv_round_trip_keeps_payload_and_info)
{
	static const char msg[7] = { 'h', 'e', 'l', 0, 'l', 'o', '!' };
	struct hsxmbx_msg_info mi;
	char buf[64];
	uint32_t seq = 0xdead;
	int h = bind_open(_metadata, self->fd, self->target, 256, 0, 0);

	ASSERT_EQ(7, hsxmbx_send_seq(self->fd, h, msg, sizeof(msg), HSX_MBX_FLAG_STDOUT, 9, &seq));
	ASSERT_EQ(7, hsxmbx_recv(self->fd, h, buf, sizeof(buf), HSX_MBX_TIMEOUT_POLL, &mi));
	EXPECT_EQ(0, memcmp(buf, msg, sizeof(msg)));
	EXPECT_EQ(7, mi.length);
	EXPECT_EQ(7, mi.msg_len);
	EXPECT_EQ(HSX_MBX_FLAG_STDOUT, mi.flags);
	EXPECT_EQ(9, mi.channel);
	EXPECT_EQ(0, mi.src_pid);
	EXPECT_EQ(seq, mi.seq);
}

TEST_F(mbx, empty_poll_is_enodata_and_raw_no_data)
{
	struct hsxmbx_recv a;
	char buf[8];
	int h = bind_open(_metadata, self->fd, self->target, 0, 0, 0);

	EXPECT_EQ(-ENODATA, hsxmbx_recv(self->fd, h, buf, sizeof(buf), 0, NULL));
	hsxmbx_init_recv(&a, 0, h, buf, sizeof(buf), HSX_MBX_TIMEOUT_POLL);
	EXPECT_EQ(HSX_MBX_STATUS_NO_DATA, hsxmbx_cmd(self->fd, HSXMBX_IOC_RECV, &a));
}

TEST_F(mbx, finite_timeout_is_etimedout_and_raw_timeout)
{
	struct hsxmbx_recv a;
	char buf[8];
	int h = bind_open(_metadata, self->fd, self->target, 0, 0, 0);

	EXPECT_EQ(-ETIMEDOUT, hsxmbx_recv(self->fd, h, buf, sizeof(buf), 20, NULL));
	hsxmbx_init_recv(&a, 0, h, buf, sizeof(buf), 5);
	EXPECT_EQ(HSX_MBX_STATUS_TIMEOUT, hsxmbx_cmd(self->fd, HSXMBX_IOC_RECV, &a));
}

TEST_F(mbx, unknown_handle_is_ebadf_and_raw_invalid_handle)
{
	struct hsxmbx_close a = { .handle = 9999 };

	EXPECT_EQ(-EBADF, hsxmbx_close(self->fd, 9999));
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_HANDLE, hsxmbx_cmd(self->fd, HSXMBX_IOC_CLOSE, &a));
}

TEST_F(mbx, closed_handle_is_invalid_and_numbers_are_not_reused)
{
	char buf[8];
	int h = bind_open(_metadata, self->fd, self->target, 0, 0, 0);

	ASSERT_EQ(0, hsxmbx_close(self->fd, h));
	EXPECT_EQ(-EBADF, hsxmbx_send(self->fd, h, "x", 1, 0, 0));
	EXPECT_EQ(-EBADF, hsxmbx_recv(self->fd, h, buf, sizeof(buf), 0, NULL));
	EXPECT_LT(h, hsxmbx_open(self->fd, self->target, 0));
}

TEST_F(mbx, message_larger_than_capacity_is_emsgsize)
{
	int h = bind_open(_metadata, self->fd, self->target, 16, 0, 0);

	EXPECT_EQ(-EMSGSIZE, hsxmbx_send(self->fd, h, "twelve bytes", 12, 0, 0));
}

TEST_F(mbx, full_single_reader_is_eagain)
{
	int h = bind_open(_metadata, self->fd, self->target, 16, 0, 0);

	EXPECT_EQ(8, hsxmbx_send(self->fd, h, "8 bytes!", 8, 0, 0));
	EXPECT_EQ(-EAGAIN, hsxmbx_send(self->fd, h, "8 bytes!", 8, 0, 0));
}

TEST_F(mbx, access_modes_are_enforced_as_eacces)
{
	char buf[8];
	int ro = bind_open(_metadata, self->fd, self->target, 0, 0, HSX_MBX_MODE_RDONLY);
	int wo = hsxmbx_open(self->fd, self->target, HSX_MBX_MODE_WRONLY);

	ASSERT_LE(1, wo);
	EXPECT_EQ(-EACCES, hsxmbx_send(self->fd, ro, "x", 1, 0, 0));
	EXPECT_EQ(-EACCES, hsxmbx_recv(self->fd, wo, buf, sizeof(buf), 0, NULL));
}

TEST_F(mbx, malformed_targets_are_einval)
{
	EXPECT_EQ(-EINVAL, hsxmbx_bind(self->fd, "app:x@abc", 0, 0));
	EXPECT_EQ(-EINVAL, hsxmbx_open(self->fd, "pid:zz", 0));
	EXPECT_EQ(-EINVAL, hsxmbx_open(self->fd, "", 0));
}

TEST_F(mbx, transport_errors_come_back_as_negative_errno)
{
	struct hsxmbx_features f = { .flags = 1 };
	struct hsxmbx_bind b;

	EXPECT_EQ(-EINVAL, hsxmbx_cmd(self->fd, HSXMBX_IOC_GET_FEATURES, &f));
	hsxmbx_init_bind(&b, 0, "app:x", 0, 0);
	b.target_ptr = 8; /* unmapped */
	EXPECT_EQ(-EFAULT, hsxmbx_cmd(self->fd, HSXMBX_IOC_BIND, &b));
	EXPECT_EQ(-EFAULT, hsxmbx_cmd(self->fd, HSXMBX_IOC_BIND, (void *)8));
	EXPECT_EQ(-ENOTTY, hsxmbx_cmd(self->fd, _IO(HSXMBX_IOC_MAGIC, 0x7f), NULL));
}

TEST_F(mbx, snapshot_sizes_itself_and_reports_overflow)
{
	struct hsxmbx_desc_info *descs, two[2];
	struct hsxmbx_stats stats;
	struct hsxmbx_snapshot raw = { 0 };
	char names[3][48];
	int n;

	for (int i = 0; i < 3; i++) {
		snprintf(names[i], sizeof(names[i]), "%s.%d", self->target, i);
		ASSERT_LT(0, hsxmbx_bind(self->fd, names[i], 100 + i, 0));
	}
	n = hsxmbx_snapshot(self->fd, &descs, &stats);
	ASSERT_LE(3, n);
	EXPECT_EQ(n, stats.active_descriptors);
	for (int i = 0; i < 3; i++) {
		int at = snapshot_find(descs, n, names[i]);

		ASSERT_LE(0, at) TH_LOG("%s missing", names[i]);
		EXPECT_EQ(100 + i, descs[at].capacity);
		EXPECT_EQ(HSX_MBX_NAMESPACE_APP, descs[at].ns);
	}
	free(descs);

	/* Too small an array: the count still tells the truth, and the
	 * kernel writes no more than descs_cap entries. */
	memset(two, 0xa5, sizeof(two));
	raw.descs_ptr = (uintptr_t)two;
	raw.descs_cap = 1;
	ASSERT_EQ(0, hsxmbx_cmd(self->fd, HSXMBX_IOC_SNAPSHOT, &raw));
	EXPECT_EQ(n, raw.descs_count);
	EXPECT_EQ(0xa5a5a5a5u, two[1].descriptor_id);
	raw.descs_ptr = 0;
	raw.descs_cap = 0;
	ASSERT_EQ(0, hsxmbx_cmd(self->fd, HSXMBX_IOC_SNAPSHOT, &raw));
	EXPECT_EQ(n, raw.descs_count);
	for (int i = 0; i < 3; i++)
		hsxmbx_unbind(self->fd, names[i], HSXMBX_UNBIND_FORCE);
}

TEST_F(mbx, peek_reports_depth_bytes_and_next_length)
{
	struct hsxmbx_peek p;
	int h = bind_open(_metadata, self->fd, self->target, 128, 0, 0);
	int id = hsxmbx_bind(self->fd, self->target, 0, 0);

	ASSERT_EQ(5, hsxmbx_send(self->fd, h, "first", 5, 0, 0));
	ASSERT_EQ(3, hsxmbx_send(self->fd, h, "two", 3, 0, 0));
	ASSERT_EQ(0, hsxmbx_peek(self->fd, h, &p));
	EXPECT_EQ(2, p.depth);
	EXPECT_EQ(5 + 8 + 3 + 8, p.bytes_used);
	EXPECT_EQ(5, p.next_len);
	EXPECT_EQ(128, p.capacity);
	EXPECT_EQ(id, p.descriptor_id);
}

TEST_F(mbx, tap_gets_a_copy_and_the_owner_the_original)
{
	struct hsxmbx_msg_info mi;
	char buf[16];
	int h = bind_open(_metadata, self->fd, self->target, 0, 0, 0);
	int tap = hsxmbx_open(self->fd, self->target, HSX_MBX_MODE_RDONLY);

	ASSERT_LE(1, tap);
	ASSERT_EQ(0, hsxmbx_tap(self->fd, tap, true));
	ASSERT_EQ(4, hsxmbx_send(self->fd, h, "copy", 4, 0, 0));
	ASSERT_EQ(4, hsxmbx_recv(self->fd, tap, buf, sizeof(buf), 0, &mi));
	EXPECT_EQ(0, memcmp(buf, "copy", 4));
	EXPECT_EQ(0, mi.flags & HSX_MBX_FLAG_OVERRUN);
	ASSERT_EQ(4, hsxmbx_recv(self->fd, h, buf, sizeof(buf), 0, NULL));
	EXPECT_EQ(0, memcmp(buf, "copy", 4));
	EXPECT_EQ(-ENODATA, hsxmbx_recv(self->fd, tap, buf, sizeof(buf), 0, NULL));
}

TEST_F(mbx, truncated_receive_is_flagged)
{
	struct hsxmbx_msg_info mi;
	char buf[4];
	int h = bind_open(_metadata, self->fd, self->target, 0, 0, 0);

	ASSERT_EQ(10, hsxmbx_send(self->fd, h, "0123456789", 10, 0, 0));
	ASSERT_EQ(4, hsxmbx_recv(self->fd, h, buf, sizeof(buf), 0, &mi));
	EXPECT_EQ(10, mi.msg_len);
	EXPECT_NE(0, mi.flags & HSX_MBX_FLAG_TRUNCATED);
}

TEST_F(mbx, handle_files_frame_or_pass_raw_payloads)
{
	struct hsxmbx_frame fr;
	char buf[64];
	int h = bind_open(_metadata, self->fd, self->target, 0, 0, 0);
	int framed = hsxmbx_handle_fd(self->fd, h, HSXMBX_FD_CLOEXEC);
	int raw = hsxmbx_handle_fd(self->fd, h, HSXMBX_FD_RAW | HSXMBX_FD_NONBLOCK);

	ASSERT_LE(0, framed);
	ASSERT_LE(0, raw);
	ASSERT_EQ(3, hsxmbx_send(self->fd, h, "abc", 3, HSX_MBX_FLAG_OOB, 4));
	ASSERT_EQ(sizeof(fr) + 3, read(framed, buf, sizeof(buf)));
	memcpy(&fr, buf, sizeof(fr));
	EXPECT_EQ(3, fr.length);
	EXPECT_EQ(HSX_MBX_FLAG_OOB, fr.flags);
	EXPECT_EQ(4, fr.channel);
	EXPECT_EQ(0, memcmp(buf + sizeof(fr), "abc", 3));

	ASSERT_EQ(3, write(raw, "xyz", 3));
	ASSERT_EQ(3, read(raw, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "xyz", 3));
	EXPECT_EQ(-1, read(raw, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	close(framed);
	close(raw);
}

/* Submit what is queued and reap exactly `n` completions into res[]. */
static void reap(struct __test_metadata *_metadata, struct io_uring *ring, int n, int *res,
		 uint64_t *ud)
{
	struct __kernel_timespec ts = { .tv_sec = 5 };
	struct io_uring_cqe *cqe;

	ASSERT_LE(0, io_uring_submit(ring));
	for (int i = 0; i < n; i++) {
		ASSERT_EQ(0, io_uring_wait_cqe_timeout(ring, &cqe, &ts));
		res[i] = cqe->res;
		if (ud)
			ud[i] = cqe->user_data;
		io_uring_cqe_seen(ring, cqe);
	}
}

TEST_F(mbx, prep_helpers_drive_every_command_through_uring_cmd)
{
	struct io_uring ring;
	struct hsxmbx_features f = { 0 };
	struct hsxmbx_bind b;
	struct hsxmbx_open o;
	struct hsxmbx_send s;
	struct hsxmbx_recv r;
	struct hsxmbx_peek p = { 0 };
	struct hsxmbx_close c = { 0 };
	struct io_uring_sqe *sqe;
	char buf[16];
	int res[2];

	ASSERT_EQ(0, io_uring_queue_init(8, &ring, 0));
	hsxmbx_prep_features(io_uring_get_sqe(&ring), self->fd, &f);
	hsxmbx_init_bind(&b, 0, self->target, 64, 0);
	hsxmbx_prep_bind(io_uring_get_sqe(&ring), self->fd, &b);
	reap(_metadata, &ring, 2, res, NULL);
	EXPECT_EQ(HSX_MBX_STATUS_OK, res[0]);
	EXPECT_EQ(HSX_MBX_STATUS_OK, res[1]);
	EXPECT_EQ(HSXMBX_ABI_VERSION, f.abi_version);
	EXPECT_LT(0, b.descriptor_id);

	hsxmbx_init_open(&o, 0, self->target, 0);
	hsxmbx_prep_open(io_uring_get_sqe(&ring), self->fd, &o);
	reap(_metadata, &ring, 1, res, NULL);
	ASSERT_EQ(HSX_MBX_STATUS_OK, res[0]);
	EXPECT_EQ(b.descriptor_id, o.descriptor_id);

	/* Linked so the receive sees the send. */
	hsxmbx_init_send(&s, 0, o.handle, "ring", 4, 0, 2);
	sqe = io_uring_get_sqe(&ring);
	hsxmbx_prep_send(sqe, self->fd, &s);
	sqe->flags |= IOSQE_IO_LINK;
	hsxmbx_init_recv(&r, 0, o.handle, buf, sizeof(buf), HSX_MBX_TIMEOUT_POLL);
	hsxmbx_prep_recv(io_uring_get_sqe(&ring), self->fd, &r);
	reap(_metadata, &ring, 2, res, NULL);
	EXPECT_EQ(HSX_MBX_STATUS_OK, res[0]);
	EXPECT_EQ(HSX_MBX_STATUS_OK, res[1]);
	EXPECT_EQ(4, s.sent);
	EXPECT_EQ(4, r.length);
	EXPECT_EQ(2, r.channel);
	EXPECT_EQ(0, memcmp(buf, "ring", 4));

	/* uring_cmd never blocks: an INFINITE receive completes inline. */
	hsxmbx_init_recv(&r, 0, o.handle, buf, sizeof(buf), HSX_MBX_TIMEOUT_INFINITE);
	hsxmbx_prep_recv(io_uring_get_sqe(&ring), self->fd, &r);
	p.handle = o.handle;
	hsxmbx_prep_peek(io_uring_get_sqe(&ring), self->fd, &p);
	reap(_metadata, &ring, 2, res, NULL);
	EXPECT_EQ(HSX_MBX_STATUS_NO_DATA, res[0]);
	EXPECT_EQ(HSX_MBX_STATUS_OK, res[1]);
	EXPECT_EQ(0, p.depth);

	c.handle = o.handle;
	hsxmbx_prep_close(io_uring_get_sqe(&ring), self->fd, &c);
	reap(_metadata, &ring, 1, res, NULL);
	EXPECT_EQ(HSX_MBX_STATUS_OK, res[0]);
	hsxmbx_prep_close(io_uring_get_sqe(&ring), self->fd, &c);
	reap(_metadata, &ring, 1, res, NULL);
	EXPECT_EQ(HSX_MBX_STATUS_INVALID_HANDLE, res[0]);
	EXPECT_EQ(-EBADF, hsxmbx_res_errno(res[0]));
	io_uring_queue_exit(&ring);
}

TEST_F(mbx, prep_recv_fd_waits_for_a_message)
{
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	char buf[16] = { 0 };
	int h = bind_open(_metadata, self->fd, self->target, 0, 0, 0);
	int hfd = hsxmbx_handle_fd(self->fd, h, HSXMBX_FD_RAW);
	int res;

	ASSERT_LE(0, hfd);
	ASSERT_EQ(0, io_uring_queue_init(4, &ring, 0));
	hsxmbx_prep_recv_fd(io_uring_get_sqe(&ring), hfd, buf, sizeof(buf));
	ASSERT_EQ(1, io_uring_submit(&ring));
	usleep(50 * 1000);
	EXPECT_EQ(-EAGAIN, io_uring_peek_cqe(&ring, &cqe));
	ASSERT_EQ(4, hsxmbx_send(self->fd, h, "ping", 4, 0, 0));
	reap(_metadata, &ring, 1, &res, NULL);
	EXPECT_EQ(4, res);
	EXPECT_EQ(0, memcmp(buf, "ping", 4));
	io_uring_queue_exit(&ring);
	close(hfd);
}

TEST_F(mbx, prep_recv_fd_honours_a_linked_timeout)
{
	struct __kernel_timespec ts = { .tv_nsec = 50 * 1000 * 1000 };
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	char buf[16];
	int h = bind_open(_metadata, self->fd, self->target, 0, 0, 0);
	int hfd = hsxmbx_handle_fd(self->fd, h, HSXMBX_FD_RAW);
	uint64_t ud[2];
	int res[2];

	ASSERT_LE(0, hfd);
	ASSERT_EQ(0, io_uring_queue_init(4, &ring, 0));
	sqe = io_uring_get_sqe(&ring);
	hsxmbx_prep_recv_fd(sqe, hfd, buf, sizeof(buf));
	sqe->flags |= IOSQE_IO_LINK;
	sqe->user_data = 1;
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_link_timeout(sqe, &ts, 0);
	sqe->user_data = 2;
	reap(_metadata, &ring, 2, res, ud);
	for (int i = 0; i < 2; i++) {
		if (ud[i] == 1) {
			EXPECT_EQ(-ECANCELED, res[i]);
		} else {
			EXPECT_EQ(-ETIME, res[i]);
		}
	}
	io_uring_queue_exit(&ring);
	close(hfd);
}

TEST_F(mbx, task_registration_creates_and_destroys_the_task_mailboxes)
{
	static const char *const per_task[] = {
		"svc:stdio.in@4321",
		"svc:stdio.out@4321",
		"svc:stdio.err@4321",
		"pid:4321",
	};
	struct hsxmbx_desc_info *descs;
	int n;

	if (geteuid() != 0)
		SKIP(return, "needs CAP_SYS_ADMIN (the shell tests cover nobody)");
	ASSERT_EQ(0, hsxmbx_task_register(self->fd, 4321, 0, 0));
	n = hsxmbx_snapshot(self->fd, &descs, NULL);
	ASSERT_LE(4, n);
	for (int i = 0; i < 4; i++) {
		EXPECT_LE(0, snapshot_find(descs, n, per_task[i]))
		{
			TH_LOG("%s", per_task[i]);
		}
	}
	free(descs);
	ASSERT_EQ(0, hsxmbx_task_unregister(self->fd, 4321));
	n = hsxmbx_snapshot(self->fd, &descs, NULL);
	ASSERT_LE(0, n);
	for (int i = 0; i < 4; i++) {
		EXPECT_EQ(-1, snapshot_find(descs, n, per_task[i]))
		{
			TH_LOG("%s", per_task[i]);
		}
	}
	free(descs);
}

/* TEST_HARNESS_MAIN, plus a whole-program SKIP without the module. */
static void __attribute__((constructor)) __constructor_order_last(void)
{
	if (!__constructor_order)
		__constructor_order = _CONSTRUCTOR_ORDER_BACKWARD;
}

int main(int argc, char **argv)
{
	int fd = hsxmbx_open_control(0);

	if (fd < 0) {
		printf("1..0 # SKIP %s: %s (hsxmbx module not loaded?)\n", HSXMBX_CONTROL_PATH,
		       strerror(-fd));
		return KSFT_SKIP;
	}
	close(fd);
	return test_harness_run(argc, argv);
}
