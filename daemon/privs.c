// SPDX-License-Identifier: MIT
/*
 * DOC: Privileges
 *
 * The daemon needs privileges only to start: CAP_SYS_ADMIN when it opens
 * /dev/hsxmbx/control (the module checks it at open to allow task
 * registration and acting for task PIDs), CAP_SYS_RESOURCE to raise the
 * file limit (one handle file per blocked task), and write access to the
 * socket directory.  Once the device, the socket and the start-up apps are
 * open, privs_drop() empties the bounding and ambient sets, switches to
 * --user if given, and clears every capability set with libcap.  The
 * already-open control file keeps the rights it was opened with.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "execd.h"

int privs_raise_nofile(void)
{
	struct rlimit rl;
	unsigned long nr_open = 0;
	FILE *f = fopen("/proc/sys/fs/nr_open", "r");

	if (f) {
		if (fscanf(f, "%lu", &nr_open) != 1)
			nr_open = 0;
		fclose(f);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -1;
	if (nr_open > rl.rlim_max) {
		struct rlimit want = { nr_open, nr_open };

		if (setrlimit(RLIMIT_NOFILE, &want) == 0)
			return 0;
	}
	rl.rlim_cur = rl.rlim_max;
	return setrlimit(RLIMIT_NOFILE, &rl);
}

static int drop_bounding(void)
{
	for (cap_value_t cap = 0; CAP_IS_SUPPORTED(cap); cap++)
		if (cap_drop_bound(cap) < 0 && errno != EINVAL) {
			/* Without CAP_SETPCAP there is nothing to drop. */
			if (errno == EPERM)
				return 0;
			return -1;
		}
	return 0;
}

static int switch_user(const char *user)
{
	struct passwd *pw = getpwnam(user);

	if (!pw) {
		fprintf(stderr, "hsx-execd: unknown user '%s'\n", user);
		errno = ENOENT;
		return -1;
	}
	if (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 ||
	    setuid(pw->pw_uid) < 0)
		return -1;
	return 0;
}

int privs_drop(const char *user)
{
	cap_t caps;
	int ret;

	if (drop_bounding() < 0)
		return -1;
	if (CAP_AMBIENT_SUPPORTED() && cap_reset_ambient() < 0 && errno != EPERM)
		return -1;
	if (user && switch_user(user) < 0)
		return -1;
	caps = cap_get_proc();
	if (!caps)
		return -1;
	ret = cap_clear(caps);
	if (!ret)
		ret = cap_set_proc(caps);
	cap_free(caps);
	if (!ret)
		ret = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	return ret;
}
