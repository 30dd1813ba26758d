// SPDX-License-Identifier: GPL-2.0
/*
 * The control device: it exists, opens, pins the module while open and
 * rejects what it does not know.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "uapi/hsxmbx.h"

#define CONTROL "/dev/hsxmbx/control"

static int read_refcnt(void)
{
	FILE *f = fopen("/sys/module/hsxmbx/refcnt", "r");
	int n = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

TEST(control_is_char_device)
{
	struct stat st;

	ASSERT_EQ(0, stat(CONTROL, &st));
	ASSERT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0666, st.st_mode & 07777);
}

TEST(open_pins_module)
{
	int before = read_refcnt();
	int fd = open(CONTROL, O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd);
	EXPECT_LT(before, read_refcnt());
	close(fd);
	EXPECT_EQ(before, read_refcnt());
}

TEST(unknown_ioctl_is_enotty)
{
	int fd = open(CONTROL, O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, _IO(HSXMBX_IOC_MAGIC, 0xEE), 0));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(fd, _IO('x', 1), 0));
	EXPECT_EQ(ENOTTY, errno);
	close(fd);
}

TEST_HARNESS_MAIN
