// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DOC: abi_fuzz: random ioctl/uring_cmd/read/write/poll against the module
 *
 * usage: abi_fuzz [SECONDS] (default $ABI_FUZZ_SECONDS or 15); the seed is
 * $ABI_FUZZ_SEED or the time, printed first so a run can be repeated.
 *
 * Keeps a pool of open files (control files, handle files from
 * HANDLE_FD, device nodes, one io_uring) and issues random operations on
 * random members: ioctls with valid, mangled and random command numbers;
 * argument structs whose 8-byte slots are filled with small integers,
 * plausible targets, valid buffers, NULL, unmapped, kernel, misaligned
 * and page-straddling pointers with random lengths; reads and writes of
 * random sizes; poll; IORING_OP_URING_CMD with random commands and
 * argument pointers; IORING_OP_READ on handle files left in flight.  A
 * 20 ms interval timer interrupts anything that blocks.  As root it also
 * registers random tasks, so task, node and teardown paths are covered.
 *
 * The kernel must not splat (the rig's runner fails the test on any
 * KASAN/UBSAN/lockdep/WARN/BUG line in dmesg), every call must return,
 * and afterwards the module must still carry a message and hold no more
 * handles or descriptors than before the run.
 */
#include <liburing.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/time.h>
#include "../soak/rel.h"

#define NFDS 24
#define PAGE 4096

enum kind { K_NONE, K_CTL, K_HANDLE, K_NODE };

static struct { int fd; enum kind kind; } pool[NFDS];
static uint8_t *good, *bad_page, *straddle;
static struct io_uring ring;
static unsigned long long nops[8], inflight;
static unsigned long errs[140];
static unsigned int seed;

static const char *const names[] = {
	"app:fz0", "app:fz1", "shared:fz2", "svc:fz3", "pid:1", "pid:2",
	"svc:stdio.out@1", "svc:stdio.in@2", "app:", "bad@x", "app:fz0@3",
	"shared:abcdefghijklmnopqrstuvwxyz0123", "",
};

static const unsigned long cmds[] = {
	HSXMBX_IOC_GET_FEATURES, HSXMBX_IOC_SNAPSHOT, HSXMBX_IOC_BIND,
	HSXMBX_IOC_UNBIND, HSXMBX_IOC_SEND, HSXMBX_IOC_RECV, HSXMBX_IOC_PEEK,
	HSXMBX_IOC_OPEN, HSXMBX_IOC_CLOSE, HSXMBX_IOC_TAP, HSXMBX_IOC_HANDLE_FD,
	HSXMBX_IOC_TASK_REGISTER, HSXMBX_IOC_TASK_UNREGISTER,
	HSXMBX_IOC_NODE_PEEK, HSXMBX_IOC_NODE_INFO, HSXMBX_IOC_NODE_TAP_STATS,
};
#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static uint32_t rnd(void)
{
	return rand_r(&seed);
}

static uint64_t small(void)
{
	static const uint64_t v[] = { 0, 0, 0, 1, 2, 3, 4, 5, 7, 8, 16, 64, 0xFFFF,
				      0x10000, 0xFFFFFFFF, 0x8000000000000000ull };

	return v[rnd() % 16];
}

/* A pointer for an 8-byte slot: mostly good, often hostile. */
static uint64_t pointer(void)
{
	const char *n;

	switch (rnd() % 10) {
	case 0: return 0;
	case 1: return (uintptr_t)bad_page + rnd() % PAGE;
	case 2: return 0xffff888000000000ull + (rnd() & ~7u);
	case 3: return (uintptr_t)straddle - rnd() % 64;
	case 4: return (uintptr_t)good + 1 + rnd() % 7;
	case 5: case 6:
		n = names[rnd() % (sizeof(names) / sizeof(names[0]))];
		memcpy(good + 60000, n, strlen(n) + 1);
		return (uintptr_t)good + 60000;
	default: return (uintptr_t)good + (rnd() % 16) * 256;
	}
}

/* fill_arg: a random argument struct in good[0..255]; returns its address. */
static void *fill_arg(void)
{
	uint64_t *w = (uint64_t *)good;

	for (int i = 0; i < 32; i++) {
		switch (rnd() % 4) {
		case 0: w[i] = small() | small() << 32; break;
		case 1: w[i] = pointer(); break;
		case 2: w[i] = small(); break;
		default: w[i] = (uint64_t)rnd() << 32 | rnd(); break;
		}
	}
	if (rnd() % 4)
		w[0] = 0; /* flags: mostly valid, to get past the first check */
	if (rnd() % 2) /* a length next to a pointer: small */
		((uint32_t *)good)[6] = rnd() % 64;
	switch (rnd() % 8) {
	case 0: return NULL;
	case 1: return bad_page;
	case 2: return straddle - rnd() % 96;
	default: return good;
	}
}

static int pick(enum kind want)
{
	int start = rnd() % NFDS;

	for (int i = 0; i < NFDS; i++) {
		int j = (start + i) % NFDS;

		if (pool[j].kind != K_NONE && (want == K_NONE || pool[j].kind == want))
			return j;
	}
	return -1;
}

static void add(int fd, enum kind kind)
{
	int slot = rnd() % NFDS;

	if (fd < 0)
		return;
	if (pool[slot].kind != K_NONE)
		close(pool[slot].fd);
	pool[slot].fd = fd;
	pool[slot].kind = kind;
}

static void note(long r)
{
	if (r < 0 && errno > 0 && errno < 140)
		errs[errno]++;
}

static void op_ioctl(void)
{
	int i = pick(K_NONE);
	unsigned long cmd = cmds[rnd() % NCMDS];
	long r;

	if (i < 0)
		return;
	if (rnd() % 8 == 0) /* right number, wrong size or direction */
		cmd = (cmd & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT | _IOC_DIRMASK << _IOC_DIRSHIFT)) |
		      (unsigned long)(rnd() % 256) << _IOC_SIZESHIFT |
		      (unsigned long)(rnd() % 4) << _IOC_DIRSHIFT;
	else if (rnd() % 16 == 0)
		cmd = rnd();
	r = ioctl(pool[i].fd, cmd, fill_arg());
	note(r);
	/* A HANDLE_FD that worked gave us a new file: keep it. */
	if (r >= 0 && cmd == HSXMBX_IOC_HANDLE_FD) {
		struct hsxmbx_handle_fd *hf = (void *)good;

		if (hf->fd > 2 && fcntl(hf->fd, F_SETFL, O_NONBLOCK) == 0)
			add(hf->fd, K_HANDLE);
	}
	nops[0]++;
}

/* Make a real handle file on a plausible target, to feed the other ops. */
static void op_handle(void)
{
	struct hsxmbx_handle_fd hf = { .flags = HSXMBX_FD_NONBLOCK | (rnd() % 2) };
	int i = pick(K_CTL);
	uint32_t h;

	if (i < 0)
		return;
	rel_bind(pool[i].fd, names[rnd() % 3], 64 + rnd() % 4096,
		 rnd() % 2 ? HSX_MBX_MODE_RDWR : HSX_MBX_MODE_RDWR | HSX_MBX_MODE_FANOUT_DROP);
	if (rel_open(pool[i].fd, 0, names[rnd() % 3], rnd() % 4, &h))
		return;
	hf.handle = h;
	if (rel_ioctl(pool[i].fd, HSXMBX_IOC_HANDLE_FD, &hf) == 0)
		add(hf.fd, K_HANDLE);
	nops[1]++;
}

static void op_rw(void)
{
	int i = pick(K_NONE);
	size_t len = rnd() % 4 ? rnd() % 300 : rnd() % 70000;
	void *buf = rnd() % 5 ? (void *)good : rnd() % 2 ? (void *)bad_page : NULL;

	if (i < 0)
		return;
	if (len > 60000 && buf == good)
		len = 60000;
	note(rnd() % 2 ? read(pool[i].fd, buf, len) : write(pool[i].fd, buf, len));
	nops[2]++;
}

static void op_poll(void)
{
	struct pollfd p[NFDS];
	int n = 0;

	for (int i = 0; i < NFDS; i++)
		if (pool[i].kind != K_NONE)
			p[n++] = (struct pollfd){ pool[i].fd, POLLIN | POLLOUT | POLLPRI, 0 };
	note(poll(p, n, rnd() % 3));
	nops[3]++;
}

static void op_uring(void)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
	struct io_uring_cqe *cqe;
	int i = pick(rnd() % 2 ? K_HANDLE : K_NONE);

	if (!sqe || i < 0)
		goto reap;
	if (pool[i].kind == K_HANDLE && rnd() % 2) {
		io_uring_prep_read(sqe, pool[i].fd, good + 8192, rnd() % 512, 0);
	} else {
		struct hsxmbx_uring_cmd *uc;

		io_uring_prep_rw(IORING_OP_URING_CMD, sqe, pool[i].fd, NULL, 0, 0);
		sqe->cmd_op = rnd() % 8 ? cmds[rnd() % NCMDS] : rnd();
		uc = (void *)((char *)sqe + offsetof(struct io_uring_sqe, cmd));
		uc->arg_ptr = (uintptr_t)fill_arg();
		uc->reserved = rnd() % 8 ? 0 : rnd();
	}
	if (io_uring_submit(&ring) == 1)
		inflight++;
	nops[4]++;
reap:
	while (io_uring_peek_cqe(&ring, &cqe) == 0) {
		io_uring_cqe_seen(&ring, cqe);
		inflight--;
	}
}

static void op_files(void)
{
	char node[80];
	struct hsxmbx_task t = { .pid = 1 + rnd() % 8 };
	int i;

	switch (rnd() % 5) {
	case 0:
		add(rel_ctl(), K_CTL);
		break;
	case 1:
		snprintf(node, sizeof(node), "/dev/hsxmbx/%s", rnd() % 2 ? "app/fz0" :
			 rnd() % 2 ? "shared/fz2" : "pid/1");
		add(open(node, (rnd() % 3) | O_NONBLOCK | O_CLOEXEC), K_NODE);
		break;
	case 2:
		if ((i = pick(K_NONE)) >= 0) {
			close(pool[i].fd);
			pool[i].kind = K_NONE;
		}
		break;
	case 3:
		if ((i = pick(K_CTL)) >= 0)
			note(ioctl(pool[i].fd, rnd() % 2 ? HSXMBX_IOC_TASK_REGISTER :
				   HSXMBX_IOC_TASK_UNREGISTER, &t));
		break;
	default:
		if ((i = pick(K_NONE)) >= 0)
			note((long)(intptr_t)mmap(NULL, PAGE, PROT_READ, MAP_SHARED,
						  pool[i].fd, 0) == -1 ? -1 : 0);
		break;
	}
	nops[5]++;
}

static void on_alarm(int sig)
{
	nops[6]++;
}

static void setup(void)
{
	struct sigaction sa = { .sa_handler = on_alarm }; /* no SA_RESTART */
	struct itimerval it = { { 0, 20000 }, { 0, 20000 } };
	uint8_t *m;

	good = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bad_page = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	m = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mprotect(m + PAGE, PAGE, PROT_NONE);
	straddle = m + PAGE;
	for (int i = 0; i < 65536; i++)
		good[i] = rnd();
	io_uring_queue_init(64, &ring, 0);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	for (int i = 0; i < 4; i++)
		add(rel_ctl(), K_CTL);
}

static void teardown(void)
{
	struct itimerval off = { 0 };

	setitimer(ITIMER_REAL, &off, NULL);
	io_uring_queue_exit(&ring);
	for (int i = 0; i < NFDS; i++)
		if (pool[i].kind != K_NONE)
			close(pool[i].fd);
	/*
	 * Random HANDLE_FD commands (ioctl and uring_cmd) install handle files
	 * the pool never hears of; they are this process's, not the kernel's,
	 * so close them all before counting what the kernel still holds.
	 */
	close_range(3, ~0U, 0);
}

/*
 * PID-0 BINDs pin a descriptor until UNBIND (so `hsx mbox bind` outlives
 * the tool), and the fuzzer binds random targets; remove every descriptor
 * whose id is above the highest that existed before the run.
 */
static void unbind_new_descriptors(int fd, uint32_t first_new_id)
{
	static const char *const prefix[] = { "pid:", "svc:", "app:", "shared:" };
	struct hsxmbx_desc_info info[512];
	struct hsxmbx_snapshot snap = { .descs_ptr = (uintptr_t)info, .descs_cap = 512 };
	char target[96];
	uint32_t i, n;

	if (rel_ioctl(fd, HSXMBX_IOC_SNAPSHOT, &snap) < 0)
		return;
	n = snap.descs_count < 512 ? snap.descs_count : 512;
	for (i = 0; i < n; i++) {
		if (info[i].descriptor_id < first_new_id || info[i].ns > 3)
			continue;
		if (info[i].ns == HSX_MBX_NAMESPACE_PID || info[i].owner_pid == 0xFFFFFFFFu)
			snprintf(target, sizeof(target), "%s%s", prefix[info[i].ns],
				 info[i].name);
		else
			snprintf(target, sizeof(target), "%s%s@%u", prefix[info[i].ns],
				 info[i].name, info[i].owner_pid);
		rel_unbind(fd, target, HSXMBX_UNBIND_FORCE);
	}
}

/* The next descriptor id the module will hand out (ids are monotonic). */
static uint32_t next_descriptor_id(void)
{
	static const char probe[] = "app:fzprobe";
	struct hsxmbx_bind b = { .target_ptr = (uintptr_t)probe, .target_len = sizeof(probe) - 1 };
	int fd = rel_ctl();
	uint32_t id = 0;

	if (fd < 0)
		return 0;
	if (rel_ioctl(fd, HSXMBX_IOC_BIND, &b) == HSX_MBX_STATUS_OK)
		id = b.descriptor_id;
	rel_unbind(fd, probe, HSXMBX_UNBIND_FORCE);
	close(fd);
	return id + 1;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : getenv("ABI_FUZZ_SECONDS") ?
		      atof(getenv("ABI_FUZZ_SECONDS")) : 15;
	struct hsxmbx_stats before, after;
	uint32_t first_new_id;
	unsigned long long total = 0;
	double end;
	int fd;

	if (access(REL_CONTROL, R_OK | W_OK))
		rel_skip_all("no " REL_CONTROL " (module not loaded)");
	seed = getenv("ABI_FUZZ_SEED") ? atoi(getenv("ABI_FUZZ_SEED")) : time(NULL);
	printf("# seed %u (ABI_FUZZ_SEED=%u repeats this run)\n", seed, seed);
	rel_stats(&before);
	first_new_id = next_descriptor_id();
	setup();
	end = rel_now() + secs;
	while (rel_now() < end) {
		switch (rnd() % 16) {
		case 0: op_files(); break;
		case 1: op_handle(); break;
		case 2: case 3: op_rw(); break;
		case 4: op_poll(); break;
		case 5: case 6: op_uring(); break;
		default: op_ioctl(); break;
		}
	}
	teardown();
	for (int i = 0; i < 6; i++)
		total += nops[i];
	rel_ok(total > 0, "%llu calls in %.0f s: %llu ioctl, %llu handle files, %llu read/write, "
	       "%llu poll, %llu io_uring, %llu open/close/register/mmap; %llu timer interrupts",
	       total, secs, nops[0], nops[1], nops[2], nops[3], nops[4], nops[5], nops[6]);
	printf("# errno histogram:");
	for (int e = 1; e < 140; e++)
		if (errs[e])
			printf(" %s=%lu", strerror(e), errs[e]);
	printf("\n");
	fd = rel_ctl();
	/* Queued messages keep a descriptor alive (nothing is lost), so
	 * every name the fuzzer may have filled is removed explicitly. */
	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		rel_unbind(fd, names[i], HSXMBX_UNBIND_FORCE);
	unbind_new_descriptors(fd, first_new_id);
	close(fd);
	fd = rel_ctl();
	{
		uint32_t h;
		char buf[8];
		int ok = rel_open(fd, 0, "app:fzafter", HSX_MBX_MODE_RDWR, &h) == 0 &&
			 rel_send(fd, 0, h, "ok", 2, NULL) == 0 &&
			 rel_recv(fd, h, buf, sizeof(buf), 1000, NULL) == 0;

		rel_ok(ok, "the module still carries a message afterwards");
		rel_unbind(fd, "app:fzafter", HSXMBX_UNBIND_FORCE);
	}
	close(fd);
	/* io_uring rings (and the files registered with them) are torn down
	 * by a kernel worker after close; give that up to 20 s under TCG. */
	for (int tries = 0; tries < 100; tries++) {
		usleep(200000);
		rel_stats(&after);
		if (after.handles_total <= before.handles_total &&
		    after.active_descriptors <= before.active_descriptors &&
		    after.tasks <= before.tasks)
			break;
	}
	rel_ok(after.handles_total <= before.handles_total &&
	       after.active_descriptors <= before.active_descriptors && after.tasks <= before.tasks,
	       "nothing left behind: handles %u -> %u, descriptors %u -> %u, tasks %u -> %u",
	       before.handles_total, after.handles_total, before.active_descriptors,
	       after.active_descriptors, before.tasks, after.tasks);
	return rel_done();
}
