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
 * Issue 14: for every namespace x owner combination the device node is
 * never more permissive than the control device (node_cases: OPEN
 * through the control device, the node's st_mode, open() of the node),
 * and nobody cannot read a message queued for app:secret@77 through its
 * node; nobody may UNBIND (forced or not) and reconfigure only the
 * mailboxes its uid created, and may only pin (BIND without changes)
 * the executive's or another uid's; its SNAPSHOT lists only the
 * descriptors it could open, while the executive's lists all.
 */
#include <grp.h>
#include <sys/capability.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "../soak/rel.h"

#define TASK 77
#define PUB "app:secpub"

static int *shared_n; /* the child continues the parent's TAP numbering */

#define NOBODY 65534
#define TENANT 65533 /* a second unprivileged uid */
#define USERS "/sys/kernel/debug/hsxmbx/users"

static long nobody_base; /* nobody's descriptor charge before the run */

#define SECRET "app:secret@77"
#define SECRET_NODE "/dev/hsxmbx/app/secret@77"
#define TENANT_MBX "app:sectenant-keep"
#define OWN_MBX "app:secown"
#define NO_OWNER 0xFFFFFFFFu

/*
 * Every namespace x owner combination, as nobody names it to the
 * control device, its node, whether the control device lets nobody OPEN
 * it, and the node's mode (issue 14: app:x@N used to be 0666).
 */
struct node_case {
	const char *target;
	const char *node;
	int ctl_ok;
	mode_t mode;
};

static const struct node_case node_cases[] = {
	{ "app:secx", "/dev/hsxmbx/app/secx", 1, 0666 },
	{ "app:secx@0", "/dev/hsxmbx/app/secx@0", 1, 0666 },
	{ "app:secx@77", "/dev/hsxmbx/app/secx@77", 0, 0600 },
	{ "shared:secx", "/dev/hsxmbx/shared/secx", 1, 0666 },
	{ "svc:secx", "/dev/hsxmbx/svc/secx@0", 1, 0600 },
	{ "svc:secx@77", "/dev/hsxmbx/svc/secx@77", 0, 0600 },
	{ "pid:77", "/dev/hsxmbx/pid/77", 0, 0600 },
};

#define N_NODE_CASES (sizeof(node_cases) / sizeof(node_cases[0]))

/* Descriptors SNAPSHOT shows nobody (public) or hides (name NULL: any). */
struct snap_case {
	uint32_t ns;
	const char *name;
	uint32_t owner;
	int public;
};

static const struct snap_case snap_cases[] = {
	{ HSX_MBX_NAMESPACE_APP, "secpub", NO_OWNER, 1 },
	{ HSX_MBX_NAMESPACE_APP, "secx", 0, 1 },
	{ HSX_MBX_NAMESPACE_SHARED, "secx", NO_OWNER, 1 },
	{ HSX_MBX_NAMESPACE_SVC, "secx", 0, 1 },
	{ HSX_MBX_NAMESPACE_APP, "secret", TASK, 0 },
	{ HSX_MBX_NAMESPACE_APP, "secx", TASK, 0 },
	{ HSX_MBX_NAMESPACE_SVC, "secx", TASK, 0 },
	{ HSX_MBX_NAMESPACE_SVC, "stdio.out", TASK, 0 },
	{ HSX_MBX_NAMESPACE_PID, NULL, TASK, 0 },
};

#define N_SNAP_CASES (sizeof(snap_cases) / sizeof(snap_cases[0]))

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

static void node_case_check(int fd, const struct node_case *c)
{
	static const int flags[] = { O_RDONLY, O_WRONLY, O_RDWR };
	static const char *const names[] = { "O_RDONLY", "O_WRONLY", "O_RDWR" };
	struct stat sb;
	uint32_t h;
	int st, ok, nfd, err;

	st = rel_open(fd, 0, c->target, HSX_MBX_MODE_RDWR, &h);
	ok = st == 0;
	if (ok)
		rel_close(fd, h);
	rel_ok(ok == c->ctl_ok && (ok || st == -EPERM), "nobody: control OPEN %s: %s (want %s)",
	       c->target, rel_st(st), c->ctl_ok ? "allowed" : "EPERM");
	st = stat(c->node, &sb);
	rel_ok(st == 0 && (sb.st_mode & 07777) == c->mode, "%s: mode %04o (want %04o)", c->node,
	       st ? 0 : (unsigned int)(sb.st_mode & 07777), (unsigned int)c->mode);
	for (unsigned int m = 0; m < 3; m++) {
		nfd = open(c->node, flags[m] | O_NONBLOCK | O_CLOEXEC);
		err = nfd < 0 ? errno : 0;
		if (nfd >= 0)
			close(nfd);
		rel_ok((nfd >= 0) == (c->mode == 0666) && (nfd >= 0 || err == EACCES) &&
			       (nfd < 0 || ok),
		       "nobody: open(%s, %s): %s (control OPEN %s)", c->node, names[m],
		       err ? strerror(err) : "opened", ok ? "allowed" : "refused");
	}
}

/* Issue 14's reproduction: the executive's message to app:secret@77. */
static void secret_node(void)
{
	char buf[64];
	int nfd = open(SECRET_NODE, O_RDWR | O_NONBLOCK | O_CLOEXEC), err = errno;
	ssize_t n = nfd >= 0 ? read(nfd, buf, sizeof(buf)) : -1;

	if (nfd >= 0)
		close(nfd);
	rel_ok(nfd < 0 && err == EACCES, "nobody: open(%s, O_RDWR) is refused: %s (read %zd)",
	       SECRET_NODE, nfd < 0 ? strerror(err) : "it opened", n);
}

static void node_modes(int fd)
{
	for (unsigned int i = 0; i < N_NODE_CASES; i++)
		node_case_check(fd, &node_cases[i]);
	secret_node();
}

/*
 * UNBIND and BIND of someone else's mailbox: only a BIND that changes
 * nothing (it just pins) is allowed.  cap 4096 and mode RDWR are what
 * the executive and the tenant bound with.
 */
struct rebind_op {
	const char *what;
	int unbind; /* 1: UNBIND with flags; 0: BIND with cap/mode */
	uint64_t flags;
	uint32_t cap, mode;
	int want; /* for someone else's mailbox */
};

static const struct rebind_op rebind_ops[] = {
	{ "UNBIND", 1, 0, 0, 0, -EPERM },
	{ "forced UNBIND", 1, HSXMBX_UNBIND_FORCE, 0, 0, -EPERM },
	{ "BIND with a new capacity", 0, 0, 8192, 0, -EPERM },
	{ "BIND with a new mode", 0, 0, 0, HSX_MBX_MODE_RDWR | HSX_MBX_MODE_FANOUT, -EPERM },
	{ "BIND without changes (cap 0, mode 0)", 0, 0, 0, 0, 0 },
	{ "BIND with the same capacity and mode", 0, 0, 4096, HSX_MBX_MODE_RDWR, 0 },
};

#define N_REBIND_OPS (sizeof(rebind_ops) / sizeof(rebind_ops[0]))

static int rebind_do(int fd, const char *target, const struct rebind_op *op)
{
	if (op->unbind)
		return rel_unbind(fd, target, op->flags);
	return rel_bind(fd, target, op->cap, op->mode);
}

static void others_mailboxes(int fd)
{
	static const char *const targets[] = { PUB, TENANT_MBX };
	static const char *const whose[] = { "the executive's", "uid 65533's" };
	int st;

	for (unsigned int t = 0; t < 2; t++) {
		for (unsigned int i = 0; i < N_REBIND_OPS; i++) {
			st = rebind_do(fd, targets[t], &rebind_ops[i]);
			rel_ok(st == rebind_ops[i].want, "nobody: %s of %s %s: %s (want %s)",
			       rebind_ops[i].what, whose[t], targets[t], rel_st(st),
			       rebind_ops[i].want ? "EPERM" : "allowed");
		}
	}
}

/* Its own mailbox: every operation is allowed (also reconfiguring). */
static void own_mailbox(int fd)
{
	int st;

	st = rel_bind(fd, OWN_MBX, 4096, HSX_MBX_MODE_RDWR);
	rel_ok(st == 0, "nobody: binds its own %s (%s)", OWN_MBX, rel_st(st));
	for (unsigned int i = 0; i < N_REBIND_OPS; i++) {
		st = rebind_do(fd, OWN_MBX, &rebind_ops[i]);
		rel_ok(st == 0, "nobody: %s of its own %s: %s", rebind_ops[i].what, OWN_MBX,
		       rel_st(st));
		if (rebind_ops[i].unbind) /* bind it again for the next one */
			rel_bind(fd, OWN_MBX, 4096, HSX_MBX_MODE_RDWR);
	}
	st = rel_unbind(fd, OWN_MBX, HSXMBX_UNBIND_FORCE);
	rel_ok(st == 0, "nobody: removes its own %s (%s)", OWN_MBX, rel_st(st));
}

struct snap {
	struct hsxmbx_desc_info *d;
	uint32_t n;
};

static int snap_take(int fd, struct snap *s)
{
	struct hsxmbx_snapshot q = { .descs_cap = 4096 };
	int st;

	s->d = calloc(q.descs_cap, sizeof(*s->d));
	q.descs_ptr = (uintptr_t)s->d;
	st = s->d ? rel_ioctl(fd, HSXMBX_IOC_SNAPSHOT, &q) : -ENOMEM;
	s->n = st == 0 && q.descs_count <= q.descs_cap ? q.descs_count : 0;
	return st;
}

static int snap_has(const struct snap *s, const struct snap_case *c)
{
	for (uint32_t i = 0; i < s->n; i++)
		if (s->d[i].ns == c->ns && s->d[i].owner_pid == c->owner &&
		    (!c->name || !strcmp(s->d[i].name, c->name)))
			return 1;
	return 0;
}

static const char *snap_name(const struct snap_case *c)
{
	static const char *const ns[] = { "pid", "svc", "app", "shared" };
	static char buf[64];

	snprintf(buf, sizeof(buf), "%s:%s@%d", ns[c->ns & 3], c->name ?: "*", (int)c->owner);
	return buf;
}

/* nobody (!exec) sees only what it could open; the executive sees all. */
static void snapshot_view(int fd, int exec)
{
	const char *who = exec ? "executive" : "nobody";
	struct snap s;
	uint32_t hidden = 0;
	int st = snap_take(fd, &s);

	for (uint32_t i = 0; i < s.n; i++)
		hidden += s.d[i].owner_pid != NO_OWNER && s.d[i].owner_pid != 0;
	rel_ok(st == 0 && s.n > 0 && (exec || !hidden),
	       "%s: SNAPSHOT lists %u descriptors, %u task-owned (%s)", who, s.n, hidden,
	       rel_st(st));
	for (unsigned int i = 0; i < N_SNAP_CASES; i++) {
		int want = exec || snap_cases[i].public;

		rel_ok(snap_has(&s, &snap_cases[i]) == want, "%s: SNAPSHOT %s %s", who,
		       want ? "lists" : "does not list", snap_name(&snap_cases[i]));
	}
	free(s.d);
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

/* uid TENANT binds TENANT_MBX and leaves it bound (for others_mailboxes). */
static int tenant_bind(void)
{
	pid_t pid = fork();
	int status, fd, st = -1;

	if (!pid) {
		fd = drop_to(TENANT) ? -1 : rel_ctl();
		if (fd >= 0)
			st = rel_bind(fd, TENANT_MBX, 4096, HSX_MBX_MODE_RDWR);
		_exit(st == 0 ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
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

/* The executive binds node_cases' targets and queues a message for SECRET. */
static void setup_targets(int exec_fd, uint32_t *hs)
{
	int st;

	for (unsigned int i = 0; i < N_NODE_CASES; i++) {
		if (!strncmp(node_cases[i].target, "pid:", 4))
			continue; /* TASK_REGISTER made it */
		st = rel_bind(exec_fd, node_cases[i].target, 4096, HSX_MBX_MODE_RDWR);
		rel_ok(st == 0, "executive: binds %s (%s)", node_cases[i].target, rel_st(st));
	}
	st = rel_bind(exec_fd, SECRET, 4096, HSX_MBX_MODE_RDWR);
	if (!st)
		st = rel_open(exec_fd, 0, SECRET, HSX_MBX_MODE_RDWR, hs);
	if (!st)
		st = rel_send(exec_fd, 0, *hs, "secret", 6, NULL);
	rel_ok(st == 0, "executive: sends a private message to %s (%s)", SECRET, rel_st(st));
}

static void cleanup_targets(int exec_fd)
{
	for (unsigned int i = 0; i < N_NODE_CASES; i++)
		if (strncmp(node_cases[i].target, "pid:", 4))
			rel_unbind(exec_fd, node_cases[i].target, HSXMBX_UNBIND_FORCE);
	rel_unbind(exec_fd, SECRET, HSXMBX_UNBIND_FORCE);
	rel_unbind(exec_fd, TENANT_MBX, HSXMBX_UNBIND_FORCE);
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
	node_modes(fd);
	others_mailboxes(fd);
	own_mailbox(fd);
	snapshot_view(fd, 0);
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
	uint32_t h, h2, hs;
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
	setup_targets(exec_fd, &hs);
	rel_ok(tenant_bind() == 0, "uid %d: binds %s", TENANT, TENANT_MBX);
	snapshot_view(exec_fd, 1);
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
	st = rel_recv(exec_fd, hs, buf, sizeof(buf), 1000, &r);
	rel_ok(st == 0 && r.length == 6 && !memcmp(buf, "secret", 6),
	       "executive: the message to %s is still unread (%s)", SECRET, rel_st(st));
	pool_after(exec_fd, quota);
	cleanup_targets(exec_fd);
	rel_unbind(exec_fd, PUB, HSXMBX_UNBIND_FORCE);
	rel_ioctl(exec_fd, HSXMBX_IOC_TASK_UNREGISTER, &t);
	close(exec_fd);
	printf("1..%d\n", rel_n);
	return rel_failed;
}
