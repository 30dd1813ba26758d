// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DOC: fuzz_mbx_ops: the lib/mbx engine under random operation sequences
 *
 * The input is a small program: a header byte string picks the engine
 * limits (tiny pools, quotas and byte caps, so the exhaustion paths run
 * often) and an allocation-failure countdown; every following 4-byte
 * record is one engine call (register/teardown tasks, bind, unbind, open,
 * close, tap, send, recv with and without waiting, cancel, peek, poll,
 * destroy, clock ticks, stdio modes) with operands taken from the record.
 *
 * After every call the fuzzer checks what must always hold:
 *  - mbx_engine_check() == 0 (every counter matches the object graph);
 *  - a status is one the ABI defines;
 *  - a message received on a single-reader, non-tap handle was never
 *    received before (no duplication): each payload carries a unique
 *    send number;
 *  - a received message's src_pid is the pid of the task that sent it;
 *  - after tearing every task down and destroying the engine, the
 *    allocator holds nothing (no leaked object of any kind).
 * Any violation aborts, which libFuzzer reports as a crash with the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mbx/mbx.h"

#define NTASKS 6
#define NHANDLES 12
#define MAX_SENDS 4096
#define KINDS (MBX_OBJ_PIN + 1)

struct fz {
	long live[KINDS];
	long fail_countdown;
	__u64 now;
	struct mbx_task *task[NTASKS];
	__u32 pid[NTASKS];
	unsigned char seen[MAX_SENDS];
	unsigned char single[MAX_SENDS];
	__u32 sender_pid[MAX_SENDS];
	__u32 nsent;
};

static void fail(const char *what, long a, long b)
{
	fprintf(stderr, "fuzz_mbx_ops: invariant broken: %s (%ld, %ld)\n", what, a, b);
	abort();
}

static void *fz_alloc(void *host, enum mbx_obj_kind kind, __u32 size)
{
	struct fz *fz = host;
	void *p;

	if (fz->fail_countdown > 0 && --fz->fail_countdown == 0)
		return NULL;
	p = malloc(size ? size : 1);
	if (p) {
		fz->live[kind]++;
		memset(p, 0x5A, size); /* the engine must not rely on zeroed memory */
	}
	return p;
}

static void fz_free(void *host, enum mbx_obj_kind kind, void *p, __u32 size)
{
	((struct fz *)host)->live[kind]--;
	free(p);
}

static __u64 fz_now(void *host)
{
	return ((struct fz *)host)->now;
}

static const struct mbx_ops fz_ops = {
	.alloc = fz_alloc, .free = fz_free, .now_ns = fz_now,
};

/* Targets drawn from a small set so operations collide on descriptors. */
static const char *const targets[] = {
	"app:a", "app:b", "shared:s", "svc:x", "pid:1", "pid:2",
	"svc:stdio.out@1", "svc:stdio.in@2", "app:a@1", "shared:t@3",
	"app:", "pid:99999", "bad", "svc:stdio.err",
	"app:abcdefghijklmnopqrstuvwxyz0123456789", "",
};
#define NTARGETS (sizeof(targets) / sizeof(targets[0]))

static const __u32 modes[] = {
	0, HSX_MBX_MODE_RDWR, HSX_MBX_MODE_RDONLY, HSX_MBX_MODE_WRONLY,
	HSX_MBX_MODE_RDWR | HSX_MBX_MODE_TAP,
	HSX_MBX_MODE_RDWR | HSX_MBX_MODE_FANOUT,
	HSX_MBX_MODE_RDWR | HSX_MBX_MODE_FANOUT_DROP | HSX_MBX_MODE_TAP,
	HSX_MBX_MODE_RDWR | HSX_MBX_MODE_FANOUT_BLOCK,
	0xFF, 0x40,
};

static int status_valid(__u32 st)
{
	return st <= HSX_MBX_STATUS_DESTROYED || st == HSX_MBX_STATUS_INTERNAL_ERROR;
}

static void check(struct mbx_engine *eng, __u32 st)
{
	int rc = mbx_engine_check(eng);

	if (rc)
		fail("mbx_engine_check", rc, 0);
	if (!status_valid(st))
		fail("unknown status", st, 0);
}

static int is_fanout(__u32 mode)
{
	return !!(mode & (HSX_MBX_MODE_FANOUT | HSX_MBX_MODE_FANOUT_DROP |
			  HSX_MBX_MODE_FANOUT_BLOCK));
}

static void slot_drop(struct fz *fz, unsigned int i)
{
	fz->task[i] = NULL;
	fz->pid[i] = 0;
}

static __u32 op_task(struct fz *fz, struct mbx_engine *eng, const uint8_t *r)
{
	unsigned int i = r[1] % NTASKS;
	__u32 st = HSX_MBX_STATUS_OK;

	if (fz->task[i]) {
		mbx_task_teardown(eng, fz->task[i]);
		slot_drop(fz, i);
		return st;
	}
	if (r[2] & 1) {
		fz->task[i] = mbx_task_create_host(eng);
	} else {
		st = mbx_task_register_with(eng, r[2] >> 1 & 7, r[3] * 16u,
					    modes[r[3] % 10], &fz->task[i]);
		if (st != HSX_MBX_STATUS_OK)
			fz->task[i] = NULL;
	}
	fz->pid[i] = fz->task[i] ? mbx_task_pid(fz->task[i]) : 0;
	return st;
}

static __u32 op_send(struct fz *fz, struct mbx_engine *eng, struct mbx_task *t,
		     const uint8_t *r)
{
	__u32 len = (r[2] % 8) ? r[3] * (r[2] % 8) : 0, seq, st, n;
	struct mbx_handle *h = mbx_handle_lookup(eng, t, r[1] % NHANDLES);
	struct mbx_msg *m = mbx_msg_alloc(eng, len < 4 && len ? 4 : len);

	if (!m)
		return HSX_MBX_STATUS_OK;
	n = fz->nsent < MAX_SENDS ? fz->nsent++ : MAX_SENDS - 1;
	if (mbx_msg_len(m) >= 4)
		memcpy(mbx_msg_payload(m), &n, 4);
	fz->sender_pid[n] = mbx_task_pid(t);
	fz->single[n] = h && !is_fanout(mbx_desc_mode(mbx_handle_desc(h)));
	st = mbx_send(eng, t, r[1] % NHANDLES, m, r[2] >> 3, r[3], &seq);
	return st;
}

static void note_recv(struct fz *fz, struct mbx_engine *eng, struct mbx_task *t,
		      __u32 handle, struct mbx_recv_result *res)
{
	struct mbx_handle *h = mbx_handle_lookup(eng, t, handle);
	__u32 n;

	if (!res->msg)
		return;
	if (res->length != mbx_msg_len(res->msg))
		fail("recv length != message length", res->length, mbx_msg_len(res->msg));
	if (res->length >= 4) {
		memcpy(&n, mbx_msg_payload(res->msg), 4);
		if (n >= MAX_SENDS)
			fail("payload corrupted", n, 0);
		if (n < MAX_SENDS - 1 && res->src_pid != fz->sender_pid[n])
			fail("src_pid not the sender's pid", res->src_pid, fz->sender_pid[n]);
		if (n < MAX_SENDS - 1 && fz->single[n] && h && !mbx_handle_is_tap(h) &&
		    !is_fanout(mbx_desc_mode(mbx_handle_desc(h)))) {
			if (fz->seen[n])
				fail("single-reader message delivered twice", n, handle);
			fz->seen[n] = 1;
		}
	}
	mbx_msg_put(eng, res->msg);
}

static __u32 op_recv(struct fz *fz, struct mbx_engine *eng, struct mbx_task *t,
		     const uint8_t *r, int cancel)
{
	struct mbx_recv_result res = { 0 };
	__u32 handle = r[1] % NHANDLES, st;

	if (cancel)
		st = mbx_cancel_wait(eng, t, handle, r[2] & 1, &res);
	else
		st = mbx_recv(eng, t, handle, (r[2] & 1) ? MBX_RECV_WAIT |
			      MBX_RECV_TIMEOUT(r[3]) : 0, &res);
	if (st == HSX_MBX_STATUS_OK) {
		struct mbx_handle *h = mbx_handle_lookup(eng, t, handle);

		if (h && (r[2] & 2) && res.msg && res.length > r[3])
			mbx_note_truncated(eng, h, res.length - r[3]);
		note_recv(fz, eng, t, handle, &res);
	} else if (res.msg) {
		fail("message returned with a failing status", st, 0);
	}
	return st;
}

static __u32 op_desc(struct fz *fz, struct mbx_engine *eng, const uint8_t *r)
{
	struct mbx_desc *d = mbx_desc_lookup_id(eng, r[1] % 20);
	struct hsxmbx_desc_info info;
	char buf[64];

	if (!d)
		return HSX_MBX_STATUS_OK;
	mbx_desc_info(d, &info);
	if (mbx_target_format(d, buf, r[2] % sizeof(buf)) >= sizeof(buf))
		fail("target_format overflow", 0, 0);
	if (r[2] & 0x80) {
		mbx_desc_get(d);
		if (r[3] & 1)
			mbx_desc_destroy(eng, d);
		mbx_desc_put(eng, d);
	}
	return HSX_MBX_STATUS_OK;
}

static __u32 op_handle_misc(struct fz *fz, struct mbx_engine *eng,
			    struct mbx_task *t, const uint8_t *r)
{
	struct mbx_handle *h = mbx_handle_lookup(eng, t, r[1] % NHANDLES);
	struct mbx_peek_result pk;
	struct mbx_tap_stats ts;

	switch (r[2] % 4) {
	case 0:
		return mbx_peek(eng, t, r[1] % NHANDLES, &pk);
	case 1:
		return mbx_tap(eng, t, r[1] % NHANDLES, r[3] & 1);
	case 2:
		if (h)
			mbx_handle_ready(eng, h);
		return HSX_MBX_STATUS_OK;
	default:
		if (h)
			mbx_handle_tap_stats(h, &ts);
		return HSX_MBX_STATUS_OK;
	}
}

static __u32 step(struct fz *fz, struct mbx_engine *eng, const uint8_t *r)
{
	struct mbx_task *t = fz->task[(r[0] >> 4) % NTASKS];
	const char *tg = targets[r[1] % NTARGETS];
	__u32 id, handle, op = r[0] & 0x0F;

	if (op == 0)
		return op_task(fz, eng, r);
	if (op == 1)
		return op_desc(fz, eng, r);
	if (op == 2) {
		fz->now += (__u64)r[1] * 10000000ull;
		return mbx_set_stdio_mode(eng, r[2] & 7, modes[r[3] % 10], r[3] & 0x80);
	}
	if (!t)
		return HSX_MBX_STATUS_OK;
	switch (op) {
	case 3: case 4:
		return mbx_bind(eng, t, tg, strlen(tg) - (r[3] & 0x80 ? 1 : 0),
				r[2] * 8u, modes[r[3] % 10], &id);
	case 5:
		return mbx_unbind(eng, t, tg, strlen(tg), r[2] & 1);
	case 6: case 7:
		return mbx_open(eng, t, tg, strlen(tg), r[2] % 5, &handle);
	case 8:
		return mbx_close(eng, t, r[2] % NHANDLES);
	case 9: case 10: case 11:
		return op_send(fz, eng, t, r);
	case 12: case 13:
		return op_recv(fz, eng, t, r, 0);
	case 14:
		return op_recv(fz, eng, t, r, 1);
	default:
		return op_handle_misc(fz, eng, t, r);
	}
}

static void config_from(struct mbx_config *cfg, const uint8_t *h)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_descriptors = h[0] % 24;
	cfg->handles_per_pid = h[1] % 10;
	cfg->default_capacity = (h[2] % 8) * 32;
	cfg->tap_rate_limit = h[3] % 4;
	cfg->max_total_bytes = (h[4] % 4) * 512;
	cfg->max_msg_bytes = h[5] & 1 ? 200 : 0;
	cfg->stdio_capacity = (h[5] >> 1) * 8;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz fz;
	struct mbx_engine *eng;
	struct mbx_config cfg;
	size_t i;

	if (size < 8)
		return 0;
	memset(&fz, 0, sizeof(fz));
	config_from(&cfg, data);
	fz.fail_countdown = data[6] < 16 ? data[6] * 7 + data[7] : 0;
	eng = mbx_engine_create(&cfg, &fz_ops, &fz);
	if (!eng)
		return 0;
	for (i = 8; i + 4 <= size; i += 4)
		check(eng, step(&fz, eng, data + i));
	for (i = 0; i < NTASKS; i++)
		if (fz.task[i])
			mbx_task_teardown(eng, fz.task[i]);
	check(eng, HSX_MBX_STATUS_OK);
	mbx_engine_destroy(eng);
	for (i = 0; i < KINDS; i++)
		if (fz.live[i])
			fail("objects leaked after engine destroy (kind, count)",
			     (long)i, fz.live[i]);
	return 0;
}
