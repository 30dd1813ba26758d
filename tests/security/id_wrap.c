// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DOC: id_wrap: descriptor ids and handle numbers across the u32 wrap
 *
 * Run by tests/security/id_wrap.sh on a module freshly loaded with
 * debug_id_start=START (usage: id_wrap START), nothing else using it.
 * Descriptor ids and the handle numbers of PID-0 tasks (each control
 * file) are u32 counters that start at START; on wrap they skip 0 and
 * skip ids still live.  Checks, with START = 0xfffffffc:
 *  - 8 BINDs return descriptor ids START..0xffffffff, then small non-zero
 *    ids, all distinct, never 0;
 *  - 8 OPENs on one fresh control file return handle numbers the same way;
 *  - the descriptors and handles on both sides of the wrap work: a message
 *    sent on the first handle is received on the last one; a descriptor
 *    with a wrapped id sends and receives, and its node reports that id;
 *  - everything is closed and unbound at the end.
 */
#include "../soak/rel.h"

#define N 8
#define SMALL 64 /* "small": the counter went past 0xffffffff and restarted */

static int bind_id(int fd, const char *target, uint32_t *id)
{
	struct hsxmbx_bind b = { .capacity = 4096, .target_ptr = (uintptr_t)target,
		.target_len = strlen(target) };
	int r = rel_ioctl(fd, HSXMBX_IOC_BIND, &b);

	*id = b.descriptor_id;
	return r;
}

/* ids[0..n) start at start, wrap past 0xffffffff to small non-zero ids,
 * and are all distinct. */
static int wrapped_ok(const uint32_t *ids, int n, uint32_t start, char *why, size_t len)
{
	int i, j;

	for (i = 0; i < n; i++) {
		uint32_t want = start + i;

		if (ids[i] == 0) {
			snprintf(why, len, "id %d is 0", i);
			return 0;
		}
		for (j = 0; j < i; j++) {
			if (ids[j] == ids[i]) {
				snprintf(why, len, "ids %d and %d are both %u", j, i, ids[i]);
				return 0;
			}
		}
		if (want >= start && ids[i] != want) { /* before the wrap */
			snprintf(why, len, "id %d is 0x%x, want 0x%x", i, ids[i], want);
			return 0;
		}
		if (want < start && ids[i] > SMALL) { /* after it */
			snprintf(why, len, "id %d is 0x%x, want a small non-zero id", i, ids[i]);
			return 0;
		}
	}
	snprintf(why, len, "ok");
	return 1;
}

static void list(const char *what, const uint32_t *ids, int n)
{
	int i;

	printf("# %s:", what);
	for (i = 0; i < n; i++)
		printf(" 0x%x", ids[i]);
	printf("\n");
}

static int roundtrip(int fd, uint32_t hs, uint32_t hr, const char *msg)
{
	struct hsxmbx_recv rv;
	char buf[64] = { 0 };
	int r = rel_send(fd, 0, hs, msg, strlen(msg), NULL);

	if (r != 0) {
		printf("# send on handle 0x%x: %s\n", hs, rel_st(r));
		return 0;
	}
	r = rel_recv(fd, hr, buf, sizeof(buf) - 1, HSX_MBX_TIMEOUT_POLL, &rv);
	if (r != 0 || strcmp(buf, msg)) {
		printf("# recv on handle 0x%x: %s, got '%s'\n", hr, rel_st(r), buf);
		return 0;
	}
	return 1;
}

int main(int argc, char **argv)
{
	uint32_t start, ids[N] = { 0 }, hs[N] = { 0 }, wh = 0;
	char targets[N][32], why[128], node[64];
	struct hsxmbx_desc_info info;
	int fd, fd2, i, r, bad = 0;

	if (argc != 2)
		rel_skip_all("usage: id_wrap START");
	start = strtoul(argv[1], NULL, 0);
	fd = rel_ctl();
	fd2 = rel_ctl();
	if (fd < 0 || fd2 < 0)
		rel_skip_all("cannot open " REL_CONTROL);

	for (i = 0; i < N; i++) {
		snprintf(targets[i], sizeof(targets[i]), "app:idwrap%d", i);
		r = bind_id(fd, targets[i], &ids[i]);
		if (r != 0) {
			printf("# bind %s: %s\n", targets[i], rel_st(r));
			bad = 1;
		}
	}
	list("descriptor ids", ids, N);
	rel_ok(!bad, "%d binds succeeded", N);
	rel_ok(wrapped_ok(ids, N, start, why, sizeof(why)),
	       "descriptor ids start at 0x%x, wrap to small non-zero ids, distinct (%s)", start,
	       why);

	bad = 0;
	for (i = 0; i < N; i++) {
		r = rel_open(fd2, 0, targets[0], HSX_MBX_MODE_RDWR, &hs[i]);
		if (r != 0) {
			printf("# open %s: %s\n", targets[0], rel_st(r));
			bad = 1;
		}
	}
	list("handle numbers", hs, N);
	rel_ok(!bad, "%d opens on one control file succeeded", N);
	rel_ok(wrapped_ok(hs, N, start, why, sizeof(why)),
	       "handle numbers start at 0x%x, wrap to small non-zero numbers, distinct (%s)",
	       start, why);

	rel_ok(roundtrip(fd2, hs[0], hs[N - 1], "across the wrap"),
	       "a message sent on handle 0x%x is received on handle 0x%x", hs[0], hs[N - 1]);
	r = rel_open(fd2, 0, targets[N - 1], HSX_MBX_MODE_RDWR, &wh);
	rel_ok(r == 0 && wh && roundtrip(fd2, wh, wh, "wrapped descriptor"),
	       "descriptor 0x%x (%s) sends and receives (handle 0x%x, %s)", ids[N - 1],
	       targets[N - 1], wh, rel_st(r));
	snprintf(node, sizeof(node), "/dev/hsxmbx/app/idwrap%d", N - 1);
	r = rel_node_info(node, &info);
	rel_ok(r == 0 && info.descriptor_id == ids[N - 1],
	       "%s reports descriptor id 0x%x (%s, got 0x%x)", node, ids[N - 1], rel_st(r),
	       info.descriptor_id);

	bad = 0;
	for (i = 0; i < N; i++)
		bad |= hs[i] && rel_close(fd2, hs[i]) != 0;
	bad |= wh && rel_close(fd2, wh) != 0;
	for (i = 0; i < N; i++)
		bad |= rel_unbind(fd, targets[i], HSXMBX_UNBIND_FORCE) != 0;
	rel_ok(!bad, "every handle closes and every descriptor unbinds");
	close(fd);
	close(fd2);
	return rel_done();
}
