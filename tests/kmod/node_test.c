// SPDX-License-Identifier: GPL-2.0
/*
 * Per-descriptor device nodes (names, modes, open modes, taps under a
 * flooding sender) and permissions of unprivileged openers.  The file
 * leaves the module as it found it: leaves_nothing_behind checks that
 * none of its descriptors survive it.
 */
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "kmod_util.h"

FIXTURE(node) {
	int fd;
	uint32_t h;
	char target[64];
	char path[96];
};

FIXTURE_SETUP(node)
{
	snprintf(self->target, sizeof(self->target), "%s", uniq("app:n"));
	snprintf(self->path, sizeof(self->path), "/dev/hsxmbx/app/%s",
		 self->target + 4);
	self->fd = ctl_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, mbx_bind(self->fd, 0, self->target, 4096, 0, NULL));
	ASSERT_EQ(0, mbx_open(self->fd, 0, self->target, 0, &self->h));
}

FIXTURE_TEARDOWN(node)
{
	mbx_unbind(self->fd, self->target, HSXMBX_UNBIND_FORCE);
	close(self->fd);
}

TEST_F(node, exists_with_mode_and_goes_away)
{
	struct stat st;

	ASSERT_EQ(0, stat(self->path, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0666, st.st_mode & 0777);
	ASSERT_EQ(0, mbx_unbind(self->fd, self->target, HSXMBX_UNBIND_FORCE));
	EXPECT_EQ(-1, stat(self->path, &st));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F(node, wronly_sends_one_message_per_write)
{
	int w = open(self->path, O_WRONLY);
	struct hsxmbx_recv r;
	char buf[16] = {};

	ASSERT_LE(0, w);
	ASSERT_EQ(6, write(w, "hello\n", 6));
	ASSERT_EQ(3, write(w, "two", 3));
	close(w);
	ASSERT_EQ(0, mbx_recv(self->fd, 0, self->h, buf, 16, 0, &r));
	EXPECT_STREQ("hello\n", buf);
	ASSERT_EQ(0, mbx_recv(self->fd, 0, self->h, buf, 16, 0, &r));
	EXPECT_EQ(3, r.length);
}

TEST_F(node, rdwr_consumes)
{
	int rw = open(self->path, O_RDWR);
	char buf[16] = {};

	ASSERT_LE(0, rw);
	ASSERT_EQ(0, mbx_sends(self->fd, self->h, "eat"));
	ASSERT_EQ(3, read(rw, buf, sizeof(buf)));
	EXPECT_STREQ("eat", buf);
	EXPECT_EQ(HSX_MBX_STATUS_NO_DATA,
		  mbx_recv(self->fd, 0, self->h, buf, 16, 0, NULL));
	close(rw);
}

TEST_F(node, rdonly_is_a_tap)
{
	int tap = open(self->path, O_RDONLY);
	struct hsxmbx_desc_info info = {};
	struct hsxmbx_tap_stats ts = {};
	char buf[16] = {};

	ASSERT_LE(0, tap);
	ASSERT_EQ(0, mbx_sends(self->fd, self->h, "seen"));
	ASSERT_EQ(4, read(tap, buf, sizeof(buf)));
	EXPECT_STREQ("seen", buf);
	/* Nothing was consumed. */
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(0, mbx_recv(self->fd, 0, self->h, buf, 16, 0, NULL));
	EXPECT_STREQ("seen", buf);
	ASSERT_EQ(0, xioctl(tap, HSXMBX_IOC_NODE_INFO, &info));
	EXPECT_EQ(1, info.taps);
	EXPECT_STREQ(self->target + 4, info.name);
	ASSERT_EQ(0, xioctl(tap, HSXMBX_IOC_NODE_TAP_STATS, &ts));
	EXPECT_EQ(1, ts.delivered);
	EXPECT_EQ(0, ts.missed);
	EXPECT_EQ(-1, write(tap, "x", 1));
	EXPECT_EQ(EBADF, errno);
	close(tap);
}

/*
 * A tap never slows the owner: with a sender flooding a 256-byte
 * mailbox that the owner drains, a tap that never reads loses copies
 * (counted, flagged), and the owner gets every message.
 */
TEST(tap_under_flood)
{
	const char *t = uniq("app:fl");
	char path[96], buf[64];
	int fd = ctl_open(), tap, i, got = 0;
	struct hsxmbx_tap_stats ts = {};
	uint32_t h;

	ASSERT_EQ(0, mbx_bind(fd, 0, t, 256, 0, NULL));
	ASSERT_EQ(0, mbx_open(fd, 0, t, 0, &h));
	snprintf(path, sizeof(path), "/dev/hsxmbx/app/%s", t + 4);
	tap = open(path, O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, tap);
	for (i = 0; i < 1000; i++) {
		snprintf(buf, sizeof(buf), "msg%04d", i);
		ASSERT_EQ(0, mbx_sends(fd, h, buf));
		ASSERT_EQ(0, mbx_recv(fd, 0, h, buf, sizeof(buf), 0, NULL));
		got++;
	}
	EXPECT_EQ(1000, got);
	ASSERT_EQ(0, xioctl(tap, HSXMBX_IOC_NODE_TAP_STATS, &ts));
	EXPECT_LT(0, ts.missed);
	EXPECT_EQ(1, ts.overrun);
	EXPECT_EQ(1000, ts.delivered);
	EXPECT_GE(256, ts.bytes);	/* each copy costs len + 8 */
	/* The tap holds the newest copies, in order. */
	for (i = 0; read(tap, buf, sizeof(buf)) > 0; i++)
		;
	EXPECT_EQ(ts.depth, i);
	EXPECT_EQ(0, memcmp(buf, "msg0999", 7));
	ASSERT_EQ(0, xioctl(tap, HSXMBX_IOC_NODE_TAP_STATS, &ts));
	EXPECT_EQ(0, ts.overrun);
	close(tap);
	mbx_unbind(fd, t, HSXMBX_UNBIND_FORCE);
	close(fd);
}

/* Drop every capability and become nobody (in a forked child). */
static void become_nobody(void)
{
	struct passwd *pw = getpwnam("nobody");
	cap_t none = cap_init();

	if (!pw || setgroups(0, NULL) || setgid(pw->pw_gid) ||
	    setuid(pw->pw_uid) || cap_set_proc(none))
		_exit(99);
	cap_free(none);
}

static int run_as_nobody(void (*fn)(int), int arg)
{
	pid_t p = fork();
	int st;

	if (!p) {
		become_nobody();
		fn(arg);
		_exit(0);
	}
	waitpid(p, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

#define CHECK(c, code) do { if (!(c)) _exit(code); } while (0)

static void unprivileged_body(int unused)
{
	int fd = ctl_open();
	uint32_t h;
	int n;

	CHECK(fd >= 0, 1);
	CHECK(mbx_task(fd, HSXMBX_IOC_TASK_REGISTER, 42) == -EPERM, 2);
	CHECK(mbx_open(fd, 9, "app:x", 0, &h) == -EPERM, 3);
	CHECK(mbx_open(fd, 0, "svc:stdio.out@9", 0, &h) == -EPERM, 4);
	CHECK(mbx_open(fd, 0, "pid:9", 0, &h) == -EPERM, 5);
	/* Its own PID-0 svc: mailboxes are fine, and so is app:. */
	CHECK(mbx_open(fd, 0, "svc:mine", 0, &h) == 0, 6);
	CHECK(mbx_open(fd, 0, "app:nobodys", 0, &h) == 0, 7);
	/* Node modes: pid/svc nodes are root's, app nodes are public. */
	n = open("/dev/hsxmbx/pid/9", O_RDONLY);
	CHECK(n < 0 && errno == EACCES, 8);
	n = open("/dev/hsxmbx/svc/stdio.out@9", O_RDONLY);
	CHECK(n < 0 && errno == EACCES, 9);
	n = open("/dev/hsxmbx/app/nobodys", O_WRONLY);
	CHECK(n >= 0 && write(n, "hi", 2) == 2, 10);
}

TEST(unprivileged_opener)
{
	int ex = ctl_open();

	ASSERT_EQ(0, mbx_task(ex, HSXMBX_IOC_TASK_REGISTER, 9));
	EXPECT_EQ(0, run_as_nobody(unprivileged_body, 0));
	/* Leave the module as we found it: app:nobodys holds a message. */
	mbx_unbind(ex, "app:nobodys", HSXMBX_UNBIND_FORCE);
	mbx_unbind(ex, "svc:mine", HSXMBX_UNBIND_FORCE);
	close(ex);
}

/* Rights come from the opener: a root-opened file keeps them after
 * capabilities are dropped. */
static void dropped_after_open_body(int fd)
{
	uint32_t h;

	CHECK(mbx_task(fd, HSXMBX_IOC_TASK_REGISTER, 43) == 0, 1);
	CHECK(mbx_open(fd, 43, "app:x", 0, &h) == 0, 2);
	CHECK(mbx_task(fd, HSXMBX_IOC_TASK_UNREGISTER, 43) == 0, 3);
}

TEST(executive_may_drop_caps)
{
	int ex = ctl_open();

	EXPECT_EQ(0, run_as_nobody(dropped_after_open_body, ex));
	close(ex);
}

/* One of this file's names: fixed ones, or uniq()'s "<prefix><pid>_<n>". */
static int node_test_name(const char *name)
{
	static const char *const fixed[] = { "nobodys", "mine", "x" };
	static const char *const prefixes[] = { "n", "fl" };
	unsigned int i, pid, n;
	char rest[8];
	size_t len;

	for (i = 0; i < 3; i++)
		if (!strcmp(name, fixed[i]))
			return 1;
	for (i = 0; i < 2; i++) {
		len = strlen(prefixes[i]);
		if (!strncmp(name, prefixes[i], len) &&
		    sscanf(name + len, "%u_%u%1s", &pid, &n, rest) == 2)
			return 1;
	}
	return 0;
}

/*
 * Runs last (the harness runs TEST()s first, then each fixture's tests in
 * the order the fixtures are declared): no descriptor this file created
 * is left behind, so later tests start from a clean module.
 */
FIXTURE(last) {
	int unused;
};

FIXTURE_SETUP(last)
{
}

FIXTURE_TEARDOWN(last)
{
}

TEST_F(last, leaves_nothing_behind)
{
	struct hsxmbx_desc_info *d = calloc(4096, sizeof(*d));
	struct hsxmbx_snapshot s = { .descs_cap = 4096, .descs_ptr = (uintptr_t)d };
	int fd = ctl_open();
	uint32_t i;

	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, xioctl(fd, HSXMBX_IOC_SNAPSHOT, &s));
	ASSERT_GE(4096, s.descs_count);
	for (i = 0; i < s.descs_count; i++) {
		if (d[i].ns != HSX_MBX_NAMESPACE_APP && d[i].ns != HSX_MBX_NAMESPACE_SVC)
			continue;
		EXPECT_FALSE(node_test_name(d[i].name))
			TH_LOG("left behind: ns %u name %s owner %u depth %u", d[i].ns, d[i].name,
			       d[i].owner_pid, d[i].queue_depth);
	}
	free(d);
	close(fd);
}

TEST_HARNESS_MAIN
