// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DOC: security: what an unprivileged local user can and cannot do
 *
 * Runs as root in the rig.  The parent plays the executive: it opens the
 * control device with CAP_SYS_ADMIN, registers VM task 77 (which creates
 * svc:stdio.{in,out,err}@77 and pid:77) and binds a public app: mailbox.
 * A child then clears every capability with libcap, switches to nobody
 * (setgid/setuid 65534, no supplementary groups) and tries, through its
 * own control file and the device nodes:
 *  - to register a task, unregister task 77, or act for pid 77 in OPEN,
 *    SEND and RECV (impersonation): EPERM;
 *  - to bind, open or force-unbind a task-owned target (svc:x@77,
 *    pid:77): EPERM; to open the 0600 nodes of those: EACCES;
 *  - to forge its identity: a message it sends arrives with src_pid 0
 *    (the kernel stamps it; the struct has no src_pid input);
 *  - to exhaust another tenant's handle quota: its own quota ends at the
 *    documented handles_per_pid, and the executive's file still opens.
 * What the user *may* do is checked too, so the denials are not an
 * artefact of a broken setup: open the control device, use the public
 * app: mailbox.  The descriptor pool is shared, so each non-executive
 * uid may create at most descriptors_per_user descriptors (kmod/quota.c):
 * nobody's binds and auto-creating opens stop there with NO_DESCRIPTOR,
 * the executive's TASK_REGISTER still works with nobody at its limit,
 * another uid still has its own quota, and the charges are dropped when
 * the executive force-unbinds nobody's descriptors (counted from nobody's
 * charge before the run, so leftovers of earlier tests do not matter).
 */
#include <grp.h>
#include <sys/capability.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "../soak/rel.h"

#define TASK 77
#define PUB "app:secpub"

static int *shared_n; /* the child continues the parent's TAP numbering */

#define NOBODY 65534
#define TENANT 65533 /* a second unprivileged uid */
#define USERS "/sys/kernel/debug/hsxmbx/users"

static long nobody_base; /* nobody's descriptor charge before the run */

static int drop_to(uid_t uid)
{
	cap_t none = cap_init();

	if (setgroups(0, NULL) || setgid(uid) || setuid(uid))
		return -1;
	if (!none || cap_set_proc(none))
		return -1;
	cap_free(none);
	return 0;
}

static int caps_empty(void)
{
	cap_t now = cap_get_proc(), none = cap_init();
	int same = now && none && !cap_compare(now, none);

	cap_free(now);
	cap_free(none);
	return same;
}

static void impersonation(int fd)
{
	struct hsxmbx_task t = { .pid = 1234 };
	struct hsxmbx_recv r = { .pid = TASK, .handle = 1 };
	uint32_t h;
	int st;

	rel_ok(rel_ioctl(fd, HSXMBX_IOC_TASK_REGISTER, &t) == -EPERM,
	       "nobody: TASK_REGISTER is refused with EPERM");
	t.pid = TASK;
	rel_ok(rel_ioctl(fd, HSXMBX_IOC_TASK_UNREGISTER, &t) == -EPERM,
	       "nobody: TASK_UNREGISTER of the executive's task is refused with EPERM");
	st = rel_open(fd, TASK, PUB, HSX_MBX_MODE_RDWR, &h);
	rel_ok(st == -EPERM, "nobody: OPEN acting for pid %d is refused (%s)", TASK, rel_st(st));
	st = rel_send(fd, TASK, HSX_MBX_HANDLE_STDOUT, "x", 1, NULL);
	rel_ok(st == -EPERM, "nobody: SEND acting for pid %d on its stdout is refused (%s)",
	       TASK, rel_st(st));
	st = rel_ioctl(fd, HSXMBX_IOC_RECV, &r);
	rel_ok(st == -EPERM, "nobody: RECV acting for pid %d on its stdin is refused (%s)",
	       TASK, rel_st(st));
}

static void task_targets(int fd)
{
	static const char *const targets[] = {
		"svc:stdio.out@77", "svc:stdio.in@77", "pid:77", "svc:mine@77",
	};
	static const char *const nodes[] = {
		"/dev/hsxmbx/svc/stdio.out@77", "/dev/hsxmbx/svc/stdio.in@77",
		"/dev/hsxmbx/pid/77",
	};
	uint32_t h;
	int st, nfd;

	for (unsigned int i = 0; i < 4; i++) {
		st = rel_open(fd, 0, targets[i], HSX_MBX_MODE_RDWR, &h);
		rel_ok(st == -EPERM, "nobody: OPEN %s is refused (%s)", targets[i], rel_st(st));
		st = rel_bind(fd, targets[i], 64, HSX_MBX_MODE_RDWR | HSX_MBX_MODE_TAP);
		rel_ok(st == -EPERM, "nobody: BIND %s is refused (%s)", targets[i], rel_st(st));
		st = rel_unbind(fd, targets[i], HSXMBX_UNBIND_FORCE);
		rel_ok(st == -EPERM, "nobody: forced UNBIND %s is refused (%s)", targets[i],
		       rel_st(st));
	}
	for (unsigned int i = 0; i < 3; i++) {
		for (int m = 0; m < 3; m++) {
			int flags[] = { O_RDONLY, O_WRONLY, O_RDWR };

			nfd = open(nodes[i], flags[m] | O_NONBLOCK);
			st = nfd < 0 ? errno : 0;
			if (nfd >= 0)
				close(nfd);
			rel_ok(st == EACCES, "nobody: open(%s, %s) is refused: %s", nodes[i],
			       m == 0 ? "O_RDONLY (tap)" : m == 1 ? "O_WRONLY" : "O_RDWR",
			       st ? strerror(st) : "it opened");
		}
	}
}

static void public_use(int fd)
{
	uint32_t h;
	int st;

	st = rel_open(fd, 0, PUB, HSX_MBX_MODE_WRONLY, &h);
	rel_ok(st == 0, "nobody: may open the public %s (%s)", PUB, rel_st(st));
	st = rel_send(fd, 0, h, "from-nobody", 11, NULL);
	rel_ok(st == 0, "nobody: may send to it (%s)", rel_st(st));
}

/* Own handle quota: stops at handles_per_pid (public_use() holds one). */
static int own_quota(int fd, uint32_t limit)
{
	uint32_t h;
	int n = 1, st = 0;

	while ((uint32_t)n < limit + 4 && !(st = rel_open(fd, 0, PUB, HSX_MBX_MODE_RDWR, &h)))
		n++;
	rel_ok(limit && (uint32_t)n == limit && st == HSX_MBX_STATUS_NO_DESCRIPTOR,
	       "nobody: its handle quota ends at handles_per_pid=%u (%d open, then %s)",
	       limit, n, rel_st(st));
	return n;
}

/*
 * The quota line of USERS: "descriptors_per_user N"; with uid, that
 * uid's charged count instead (0 when it has no line).  -1: unreadable.
 */
static long users_value(long uid)
{
	FILE *f = fopen(USERS, "r");
	char line[128];
	long a, b, v = uid < 0 ? -1 : 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (uid < 0 && sscanf(line, "descriptors_per_user %ld", &a) == 1)
			v = a;
		else if (uid >= 0 && sscanf(line, "%ld %ld", &a, &b) == 2 && a == uid)
			v = b;
	}
	fclose(f);
	return v;
}

/* Pool: bind app: descriptors until refused (at most 1024) and leave them
 * bound (PID-0 binds outlive the file), so the parent can see the effect. */
static void pool_share(int fd, long quota)
{
	char name[32];
	uint32_t h;
	int n = 0, st = 0;

	while (n < 1024) {
		snprintf(name, sizeof(name), "app:secpool%d", n);
		if ((st = rel_bind(fd, name, 64, HSX_MBX_MODE_RDWR)))
			break;
		n++;
	}
	rel_ok(quota > 0 && n == quota - nobody_base && st == HSX_MBX_STATUS_NO_DESCRIPTOR,
	       "nobody: binding stops at descriptors_per_user=%ld (%d bound, %ld held before, then %s)",
	       quota, n, nobody_base, rel_st(st));
	st = rel_open(fd, 0, "app:secpool-open", HSX_MBX_MODE_RDWR, &h);
	rel_ok(st == HSX_MBX_STATUS_NO_DESCRIPTOR,
	       "nobody: an OPEN that would create a descriptor is refused too (%s)", rel_st(st));
	st = rel_bind(fd, "app:secpool0", 64, HSX_MBX_MODE_RDWR);
	rel_ok(st == 0, "nobody: binding one it already has is not a creation (%s)", rel_st(st));
	shared_n[1] = n;
}

/* Another uid, while nobody sits at its quota: its own quota is intact. */
static void other_tenant(void)
{
	pid_t pid = fork();
	int status, fd, st = -1;

	if (!pid) {
		fd = drop_to(TENANT) ? -1 : rel_ctl();
		if (fd >= 0)
			st = rel_bind(fd, "app:sectenant", 64, HSX_MBX_MODE_RDWR);
		if (!st)
			rel_unbind(fd, "app:sectenant", HSXMBX_UNBIND_FORCE);
		_exit(st == 0 ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	rel_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "uid %d: binds while nobody is at its quota (per-user, not global)", TENANT);
}

/* The parent's view of nobody's full quota, then clean-up and recovery. */
static void pool_after(int exec_fd, long quota)
{
	struct hsxmbx_task t = { .pid = TASK + 1 };
	char name[32];
	int n = shared_n[1], st;

	rel_ok(users_value(NOBODY) == nobody_base + n,
	       "debugfs users: nobody is charged %ld (bound %d, %ld before)", users_value(NOBODY), n,
	       nobody_base);
	other_tenant();
	st = rel_ioctl(exec_fd, HSXMBX_IOC_TASK_REGISTER, &t);
	rel_ok(st == 0, "executive: TASK_REGISTER works with nobody at its quota (%s)",
	       rel_st(st));
	if (st == 0)
		rel_ioctl(exec_fd, HSXMBX_IOC_TASK_UNREGISTER, &t);
	while (n--) {
		snprintf(name, sizeof(name), "app:secpool%d", n);
		rel_unbind(exec_fd, name, HSXMBX_UNBIND_FORCE);
	}
	rel_ok(users_value(NOBODY) == nobody_base,
	       "nobody's charges are dropped when its descriptors are unbound (%ld left, %ld before)",
	       users_value(NOBODY), nobody_base);
}

static int child(int exec_fd, long quota)
{
	struct hsxmbx_features f = { 0 };
	int fd;

	close(exec_fd);
	if (drop_to(NOBODY)) {
		rel_ok(0, "drop to nobody without capabilities: %s", strerror(errno));
		*shared_n = rel_n;
		return 1;
	}
	rel_ok(getuid() == 65534 && geteuid() == 65534 && caps_empty(),
	       "child runs as nobody (uid %d) with no capabilities", (int)geteuid());
	fd = rel_ctl();
	rel_ok(fd >= 0, "nobody: may open %s (%s)", REL_CONTROL, fd < 0 ? strerror(errno) : "ok");
	if (fd < 0)
		return 1;
	rel_ioctl(fd, HSXMBX_IOC_GET_FEATURES, &f);
	impersonation(fd);
	task_targets(fd);
	public_use(fd);
	own_quota(fd, f.handles_per_pid);
	pool_share(fd, quota);
	close(fd);
	fflush(stdout);
	*shared_n = rel_n;
	return rel_failed;
}

int main(void)
{
	struct hsxmbx_task t = { .pid = TASK };
	struct hsxmbx_recv r;
	int exec_fd, status, st;
	long quota;
	uint32_t h, h2;
	char buf[64];
	pid_t pid;

	if (access(REL_CONTROL, R_OK | W_OK))
		rel_skip_all("no " REL_CONTROL " (module not loaded)");
	if (geteuid())
		rel_skip_all("needs root (to play the executive and become nobody)");
	quota = users_value(-1);
	rel_ok(quota > 0, "the module has a per-user descriptor quota (%s: %ld)", USERS, quota);
	nobody_base = users_value(NOBODY);
	exec_fd = rel_ctl();
	st = rel_ioctl(exec_fd, HSXMBX_IOC_TASK_REGISTER, &t);
	rel_ok(st == 0, "executive: registers task %d (%s)", TASK, rel_st(st));
	rel_ok(rel_bind(exec_fd, PUB, 4096, HSX_MBX_MODE_RDWR) == 0, "executive: binds %s", PUB);
	rel_open(exec_fd, 0, PUB, HSX_MBX_MODE_RDONLY, &h);
	fflush(stdout);
	shared_n = mmap(NULL, 2 * sizeof(int), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	*shared_n = rel_n;
	pid = fork();
	if (!pid)
		_exit(child(exec_fd, quota));
	waitpid(pid, &status, 0);
	rel_n = *shared_n;
	rel_ok(WIFEXITED(status), "the unprivileged child finished");
	rel_failed |= !WIFEXITED(status) || WEXITSTATUS(status);
	st = rel_recv(exec_fd, h, buf, sizeof(buf), 1000, &r);
	rel_ok(st == 0 && r.src_pid == 0 && r.length == 11 && !memcmp(buf, "from-nobody", 11),
	       "nobody's message arrives stamped src_pid 0 (%s, src_pid %u)", rel_st(st), r.src_pid);
	st = rel_open(exec_fd, TASK, PUB, HSX_MBX_MODE_RDWR, &h2);
	rel_ok(st == 0, "executive: still opens for task %d after nobody used its quota (%s)",
	       TASK, rel_st(st));
	st = rel_send(exec_fd, TASK, HSX_MBX_HANDLE_STDOUT, "ok", 2, NULL);
	rel_ok(st == 0, "executive: task %d's stdout is intact (%s)", TASK, rel_st(st));
	pool_after(exec_fd, quota);
	rel_unbind(exec_fd, PUB, HSXMBX_UNBIND_FORCE);
	rel_ioctl(exec_fd, HSXMBX_IOC_TASK_UNREGISTER, &t);
	close(exec_fd);
	printf("1..%d\n", rel_n);
	return rel_failed;
}
