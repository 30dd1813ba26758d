// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DOC: memcg_load: the workloads of tests/security/memcg.sh
 *
 * One process per role, so the shell can put each in the memory cgroup
 * it wants (it writes its own pid to cgroup.procs, then execs this):
 *
 *   memcg_load bind TARGET CAP          bind TARGET (single reader) with CAP bytes
 *   memcg_load unbind TARGET            force-unbind TARGET
 *   memcg_load taps TARGET N            open TARGET's node O_RDONLY N times (N
 *                                       taps), print "ready N", hold them until
 *                                       killed
 *   memcg_load send TARGET COUNT LEN    send COUNT messages of LEN bytes through
 *                                       an OPEN handle (HSXMBX_IOC_SEND), print
 *                                       "sent N err ERRNO", hold until killed
 *   memcg_load fill TARGET CAP LEN      bind TARGET with CAP bytes and send LEN-
 *                                       byte messages until the first error;
 *                                       then one write() on the node; move to
 *                                       the root cgroup, print "sent N
 *                                       ioctl_errno E write_errno W" and exit 0
 *                                       (a kill shows as a signal)
 *   memcg_load pingpong TARGET COUNT    bind, send and receive COUNT messages
 *                                       (content checked), unbind; exit 0 if all
 *                                       worked
 *   memcg_load features                 the module's limits, one "key value" a line
 *
 * Errors are printed as plain errno numbers.  Output is written with
 * write(2) from static buffers: after a failed charge the cgroup is at its
 * limit and stdio's lazily allocated buffers must not be what fails.
 */
#include <signal.h>
#include <sys/mman.h>
#include "../soak/rel.h"

static char line[256];

static void say(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0 && write(1, line, n) < 0)
		exit(3);
}

static void hold(void)
{
	for (;;)
		pause();
}

static int ctl_or_die(void)
{
	int fd = rel_ctl();

	if (fd < 0) {
		say("error control %d\n", errno);
		exit(2);
	}
	return fd;
}

/* "app:x" -> "/dev/hsxmbx/app/x" */
static void node_of(const char *target, char *out, size_t len)
{
	const char *colon = strchr(target, ':');

	snprintf(out, len, "/dev/hsxmbx/%.*s/%s", (int)(colon - target), target, colon + 1);
}

static int open_handle(int fd, const char *target, uint32_t access, uint32_t *h)
{
	int r = rel_open(fd, 0, target, access, h);

	if (r != 0) {
		say("error open %s %s\n", target, rel_st(r));
		exit(2);
	}
	return 0;
}

static int do_bind(const char *target, uint32_t cap)
{
	int fd = ctl_or_die(), r = rel_bind(fd, target, cap, 0);

	if (r != 0) {
		say("error bind %s %s\n", target, rel_st(r));
		return 2;
	}
	close(fd);
	return 0;
}

static int do_taps(const char *target, int n)
{
	char node[128];
	int i;

	node_of(target, node, sizeof(node));
	for (i = 0; i < n; i++) {
		if (open(node, O_RDONLY) < 0) {
			say("error tap %d %s %d\n", i, node, errno);
			return 2;
		}
	}
	say("ready %d\n", n);
	hold();
	return 0;
}

static int do_send(const char *target, long count, uint32_t len)
{
	static char buf[HSX_MBX_MAX_MSG_BYTES];
	int fd = ctl_or_die(), r = 0;
	uint32_t h;
	long i;

	memset(buf, 'x', sizeof(buf));
	open_handle(fd, target, HSX_MBX_MODE_WRONLY, &h);
	for (i = 0; i < count; i++) {
		r = rel_send(fd, 0, h, buf, len, NULL);
		if (r != 0)
			break;
	}
	say("sent %ld err %d\n", i, r < 0 ? -r : r ? 1000 + r : 0);
	hold();
	return 0;
}

/* Fault in (and lock) the stack this process will use. */
static void prefault_stack(void)
{
	volatile char stack[64 * 1024];
	size_t i;

	for (i = 0; i < sizeof(stack); i += 512)
		stack[i] = 0;
}

/*
 * The cgroup is at memory.max once a send fails, and then any new page of
 * this process (a first touch of a buffer, a stack page, the tmpfs page
 * of the output file) would be charged there too and rightly invoke the
 * OOM killer: that is not what is tested.  So everything is faulted in
 * and locked first, and before reporting the process moves itself to
 * the root cgroup (charges stay where they were made) through a file
 * opened in advance.
 */
static int do_fill(const char *target, uint32_t cap, uint32_t len)
{
	static char buf[HSX_MBX_MAX_MSG_BYTES];
	char node[128], pid[24];
	int fd = ctl_or_die(), nfd, r = 0, werr = 0, n;
	int esc = open("/sys/fs/cgroup/cgroup.procs", O_WRONLY | O_CLOEXEC);
	uint32_t h;
	long i;

	memset(buf, 'f', sizeof(buf));
	memset(line, 0, sizeof(line));
	prefault_stack();
	if (esc < 0 || mlockall(MCL_CURRENT | MCL_FUTURE)) {
		say("error setup %d\n", errno);
		return 2;
	}
	if (do_bind(target, cap))
		return 2;
	open_handle(fd, target, HSX_MBX_MODE_WRONLY, &h);
	node_of(target, node, sizeof(node));
	nfd = open(node, O_WRONLY);
	if (nfd < 0) {
		say("error node %s %d\n", node, errno);
		return 2;
	}
	for (i = 0; i < 10000000; i++) {
		r = rel_send(fd, 0, h, buf, len, NULL);
		if (r != 0)
			break;
	}
	if (write(nfd, buf, len) < 0)
		werr = errno;
	n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (write(esc, pid, n) != n) {
		say("error escape %d\n", errno);
		return 2;
	}
	say("sent %ld ioctl_errno %d write_errno %d\n", i,
	    r < 0 ? -r : r ? 1000 + r : 0, werr);
	return 0;
}

static int do_pingpong(const char *target, long count)
{
	char out[64], in[64];
	struct hsxmbx_recv rv;
	int fd = ctl_or_die(), r;
	uint32_t h;
	long i;

	if (do_bind(target, 4096))
		return 2;
	open_handle(fd, target, HSX_MBX_MODE_RDWR, &h);
	for (i = 0; i < count; i++) {
		int n = snprintf(out, sizeof(out), "ping %ld", i);

		r = rel_send(fd, 0, h, out, n, NULL);
		if (r != 0) {
			say("error send %ld %s\n", i, rel_st(r));
			return 1;
		}
		memset(in, 0, sizeof(in));
		r = rel_recv(fd, h, in, sizeof(in) - 1, HSX_MBX_TIMEOUT_POLL, &rv);
		if (r != 0 || rv.length != (uint32_t)n || memcmp(in, out, n)) {
			say("error recv %ld %s len %u\n", i, rel_st(r), rv.length);
			return 1;
		}
	}
	rel_close(fd, h);
	r = rel_unbind(fd, target, 0);
	if (r != 0) {
		say("error unbind %s\n", rel_st(r));
		return 1;
	}
	say("pingpong %ld\n", count);
	return 0;
}

static int do_features(void)
{
	struct hsxmbx_features f = { 0 };
	int fd = ctl_or_die(), r = rel_ioctl(fd, HSXMBX_IOC_GET_FEATURES, &f);

	if (r != 0) {
		say("error features %s\n", rel_st(r));
		return 2;
	}
	say("max_descriptors %u\nhandles_per_pid %u\ntap_rate_limit %u\n"
	    "max_total_bytes %llu\nmax_msg_bytes %u\n", f.max_descriptors,
	    f.handles_per_pid, f.tap_rate_limit, (unsigned long long)f.max_total_bytes,
	    f.max_msg_bytes);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (!strcmp(cmd, "features"))
		return do_features();
	if (argc < 3)
		goto usage;
	if (!strcmp(cmd, "bind") && argc == 4)
		return do_bind(argv[2], strtoul(argv[3], NULL, 0));
	if (!strcmp(cmd, "unbind")) {
		int fd = ctl_or_die(), r = rel_unbind(fd, argv[2], HSXMBX_UNBIND_FORCE);

		if (r != 0)
			say("error unbind %s %s\n", argv[2], rel_st(r));
		return r != 0;
	}
	if (!strcmp(cmd, "taps") && argc == 4)
		return do_taps(argv[2], atoi(argv[3]));
	if (!strcmp(cmd, "send") && argc == 5)
		return do_send(argv[2], atol(argv[3]), strtoul(argv[4], NULL, 0));
	if (!strcmp(cmd, "fill") && argc == 5)
		return do_fill(argv[2], strtoul(argv[3], NULL, 0), strtoul(argv[4], NULL, 0));
	if (!strcmp(cmd, "pingpong") && argc == 4)
		return do_pingpong(argv[2], atol(argv[3]));
usage:
	fprintf(stderr, "usage: memcg_load bind|unbind|taps|send|fill|pingpong|features ...\n");
	return 2;
}
