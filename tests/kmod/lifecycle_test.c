// SPDX-License-Identifier: GPL-2.0
/*
 * Descriptor and node lifecycle at scale: registering a VM task creates
 * four descriptors (and four device nodes), unregistering destroys them.
 * Prints the measured rates; HSXMBX_TASKS overrides the task count
 * (default: as many as the descriptor pool allows, at most 1000).
 */
#include <stdlib.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "kmod_util.h"

static unsigned int task_count(int fd)
{
	struct hsxmbx_stats st = {};
	struct hsxmbx_snapshot s = { .stats_ptr = (uintptr_t)&st };
	const char *env = getenv("HSXMBX_TASKS");
	unsigned int n = 1000, room;

	if (env)
		return atoi(env);
	xioctl(fd, HSXMBX_IOC_SNAPSHOT, &s);
	room = (st.max_descriptors - st.active_descriptors) / 4;
	if (st.max_descriptors && room - 2 < n)
		n = room - 2;
	return n;
}

TEST(task_churn)
{
	int fd = ctl_open();
	unsigned int n = task_count(fd), i;
	struct hsxmbx_stats st = {};
	struct hsxmbx_snapshot s = { .stats_ptr = (uintptr_t)&st };
	char path[64];
	struct stat sb;
	int64_t t0, t1, t2;

	ASSERT_LT(0, n);
	t0 = now_ns();
	for (i = 1; i <= n; i++)
		ASSERT_EQ(0, mbx_task(fd, HSXMBX_IOC_TASK_REGISTER, i));
	t1 = now_ns();
	ASSERT_EQ(0, xioctl(fd, HSXMBX_IOC_SNAPSHOT, &s));
	EXPECT_LE(4 * n, st.active_descriptors);
	snprintf(path, sizeof(path), "/dev/hsxmbx/svc/stdio.err@%u", n);
	EXPECT_EQ(0, stat(path, &sb));
	for (i = 1; i <= n; i++)
		ASSERT_EQ(0, mbx_task(fd, HSXMBX_IOC_TASK_UNREGISTER, i));
	t2 = now_ns();
	EXPECT_EQ(-1, stat(path, &sb));
	TH_LOG("%u tasks (%u descriptors+nodes): create %.0f desc/s, destroy %.0f desc/s",
	       n, 4 * n, 4e9 * n / (t1 - t0), 4e9 * n / (t2 - t1));
	close(fd);
}

/* An executive that dies (file released) takes its tasks with it. */
TEST(tasks_die_with_their_file)
{
	int fd = ctl_open(), ex = ctl_open();
	struct stat sb;

	ASSERT_EQ(0, mbx_task(ex, HSXMBX_IOC_TASK_REGISTER, 77));
	ASSERT_EQ(0, stat("/dev/hsxmbx/pid/77", &sb));
	close(ex);
	EXPECT_EQ(-1, stat("/dev/hsxmbx/pid/77", &sb));
	/* The pid is free again. */
	EXPECT_EQ(0, mbx_task(fd, HSXMBX_IOC_TASK_REGISTER, 77));
	EXPECT_EQ(0, mbx_task(fd, HSXMBX_IOC_TASK_UNREGISTER, 77));
	close(fd);
}

TEST_HARNESS_MAIN
