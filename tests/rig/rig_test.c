// SPDX-License-Identifier: GPL-2.0
/*
 * DOC: rig self-test
 *
 * Runs inside tools/vm/run (as part of `make check-vm`) and proves that the
 * rig did what every other in-VM test relies on: it booted the kernel that
 * tools/vm/kver names, loaded hsxmbx.ko, let devtmpfs create the control
 * device, and gave the guest a private writable overlay on the host root
 * with tracefs mounted.  Run from the top of the checkout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <linux/magic.h>

#include "kselftest_harness.h"

/* module_listed: true if /proc/modules has a line for module NAME. */
static int module_listed(const char *name)
{
	char line[512];
	size_t len = strlen(name);
	int found = 0;
	FILE *f = fopen("/proc/modules", "r");

	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, name, len) && line[len] == ' ';
	fclose(f);
	return found;
}

/* read_command_line: the first output line of CMD, newline stripped. */
static int read_command_line(const char *cmd, char *buf, size_t size)
{
	FILE *p = popen(cmd, "r");
	int ok;

	if (!p)
		return -1;
	ok = fgets(buf, (int)size, p) != NULL;
	if (pclose(p) != 0 || !ok)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

TEST(module_is_loaded)
{
	ASSERT_EQ(1, module_listed("hsxmbx"))
		TH_LOG("hsxmbx is not in /proc/modules");
}

TEST(control_device_is_char_device)
{
	struct stat st;

	ASSERT_EQ(0, stat("/dev/hsxmbx/control", &st))
		TH_LOG("no /dev/hsxmbx/control: %m");
	ASSERT_TRUE(S_ISCHR(st.st_mode));
}

/*
 * The rig says which kernel it booted (HSXMBX_RIG_KREL): the stock one by
 * default (tools/vm/kver picks it), the debug kernel with --kernel debug.
 */
TEST(kernel_release_matches_rig)
{
	const char *booted = getenv("HSXMBX_RIG_KREL");
	struct utsname u;
	char kver[256];

	ASSERT_EQ(0, uname(&u));
	ASSERT_EQ(0, read_command_line("tools/vm/kver", kver, sizeof(kver)))
		TH_LOG("cannot run tools/vm/kver (cwd must be the checkout)");
	ASSERT_NE(NULL, booted) TH_LOG("the rig exports HSXMBX_RIG_KREL");
	ASSERT_STREQ(booted, u.release);
	if (!strstr(u.release, "-amd64"))
		return;	/* not Debian's stock kernel: kver does not apply */
	ASSERT_STREQ(kver, u.release);
}

TEST(root_is_private_overlay)
{
	struct statfs fs;

	ASSERT_EQ(0, statfs("/", &fs));
	ASSERT_EQ(OVERLAYFS_SUPER_MAGIC, (unsigned long)fs.f_type);
}

TEST(tracefs_is_mounted)
{
	struct statfs fs;

	ASSERT_EQ(0, statfs("/sys/kernel/tracing", &fs));
	ASSERT_EQ(TRACEFS_MAGIC, (unsigned long)fs.f_type);
}

TEST_HARNESS_MAIN
