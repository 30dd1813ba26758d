/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * DOC: Test host for the mailbox engine
 *
 * A struct th is the "host" the engine runs in during tests: a malloc
 * allocator that counts live objects and bytes per object kind (each test
 * asserts both are zero once the engine is destroyed), a fake monotonic
 * clock for tap rate windows, and recorders for every hook (events with a
 * copy of the descriptor name, wakes, tap_ready, space, lifecycle).
 * Include it after kselftest_harness.h.
 */
#ifndef HSX_TESTS_MBX_TEST_H
#define HSX_TESTS_MBX_TEST_H

#include <stdlib.h>
#include <string.h>
#include "mbx/mbx.h"

#define TH_KINDS (MBX_OBJ_PIN + 1)
#define TH_MAX_EVENTS 512
#define TH_MAX_WAKES 256

struct th {
	long live[TH_KINDS];
	long long live_bytes[TH_KINDS];
	long fail_countdown;          /* > 0: the Nth alloc from now fails */
	__u64 now;
	int nev, ev_total[MBX_EV_DESC_DESTROY + 1];
	struct mbx_event ev[TH_MAX_EVENTS];
	char evname[TH_MAX_EVENTS][HSX_MBX_MAX_NAME_BYTES + 1];
	int nwoken;
	struct mbx_handle *woken[TH_MAX_WAKES];
	int tap_ready, space, readable, created, destroyed, closed;
	__u32 refuse_create; /* desc_created returns this when non-zero */
	struct mbx_handle *charged_to; /* inside charge_begin/end, else NULL */
	int charges; /* allocations made while charged_to was set */
};

static inline void *th_alloc(void *host, enum mbx_obj_kind kind, __u32 size)
{
	struct th *th = host;
	void *p;

	if (th->fail_countdown > 0 && --th->fail_countdown == 0)
		return NULL;
	p = malloc(size);
	if (p) {
		th->charges += th->charged_to != NULL;
		th->live[kind]++;
		th->live_bytes[kind] += size;
		memset(p, 0xA5, size); /* the engine must not rely on zeroed memory */
	}
	return p;
}

static inline void th_free(void *host, enum mbx_obj_kind kind, void *p, __u32 size)
{
	struct th *th = host;

	th->live[kind]--;
	th->live_bytes[kind] -= size;
	free(p);
}

static inline __u64 th_now(void *host)
{
	return ((struct th *)host)->now;
}

static inline void th_event(void *host, const struct mbx_event *ev)
{
	struct th *th = host;

	th->ev_total[ev->type]++;
	if (th->nev >= TH_MAX_EVENTS)
		return;
	th->ev[th->nev] = *ev;
	th->evname[th->nev][0] = 0;
	if (ev->name)
		strncpy(th->evname[th->nev], ev->name, HSX_MBX_MAX_NAME_BYTES);
	th->ev[th->nev].name = th->evname[th->nev];
	th->nev++;
}

static inline void th_wake(void *host, struct mbx_handle *h)
{
	struct th *th = host;

	if (th->nwoken < TH_MAX_WAKES)
		th->woken[th->nwoken] = h;
	th->nwoken++;
}

static inline void th_tap_ready(void *host, struct mbx_handle *h)
{
	((struct th *)host)->tap_ready++;
}

static inline void th_space(void *host, struct mbx_desc *d)
{
	((struct th *)host)->space++;
}

static inline void th_readable(void *host, struct mbx_desc *d)
{
	((struct th *)host)->readable++;
}

static inline __u32 th_created(void *host, struct mbx_desc *d)
{
	struct th *th = host;

	if (th->refuse_create)
		return th->refuse_create;
	th->created++;
	return HSX_MBX_STATUS_OK;
}

static inline void th_destroyed(void *host, struct mbx_desc *d)
{
	((struct th *)host)->destroyed++;
}

static inline void th_closed(void *host, struct mbx_handle *h)
{
	((struct th *)host)->closed++;
}

static inline void *th_charge_begin(void *host, struct mbx_handle *h)
{
	struct th *th = host;
	struct mbx_handle *prev = th->charged_to;

	th->charged_to = h;
	return prev;
}

static inline void th_charge_end(void *host, void *cookie)
{
	((struct th *)host)->charged_to = cookie;
}

static const struct mbx_ops th_ops = {
	.alloc = th_alloc,
	.free = th_free,
	.now_ns = th_now,
	.event = th_event,
	.wake = th_wake,
	.tap_ready = th_tap_ready,
	.space = th_space,
	.readable = th_readable,
	.desc_created = th_created,
	.desc_destroyed = th_destroyed,
	.handle_closed = th_closed,
	.charge_begin = th_charge_begin,
	.charge_end = th_charge_end,
};

static inline long th_live_total(const struct th *th)
{
	long n = 0;
	int k;

	for (k = 0; k < TH_KINDS; k++)
		n += th->live[k];
	return n;
}

/* The most recent recorded event of a type, or NULL. */
static inline const struct mbx_event *th_last(const struct th *th,
					      enum mbx_event_type type)
{
	int i;

	for (i = th->nev - 1; i >= 0; i--)
		if (th->ev[i].type == type)
			return &th->ev[i];
	return NULL;
}

static inline int th_count(const struct th *th, enum mbx_event_type type)
{
	return th->ev_total[type];
}

static inline void th_clear(struct th *th)
{
	th->nev = 0;
	memset(th->ev_total, 0, sizeof(th->ev_total));
	th->nwoken = 0;
}

/* --- Engine shortcuts: strings in, statuses out. --- */

static inline __u32 t_open(struct mbx_engine *e, struct mbx_task *t,
			   const char *target, __u32 access, __u32 *h)
{
	return mbx_open(e, t, target, strlen(target), access, h);
}

static inline __u32 t_bind(struct mbx_engine *e, struct mbx_task *t,
			   const char *target, __u32 cap, __u32 mode, __u32 *id)
{
	return mbx_bind(e, t, target, strlen(target), cap, mode, id);
}

static inline __u32 t_sendn(struct mbx_engine *e, struct mbx_task *t, __u32 h,
			    const void *data, __u32 len, __u32 flags, __u32 ch)
{
	struct mbx_msg *m = mbx_msg_alloc(e, len);
	__u32 seq;

	if (!m)
		return 0xDEAD;
	memcpy(mbx_msg_payload(m), data, len);
	return mbx_send(e, t, h, m, flags, ch, &seq);
}

static inline __u32 t_send(struct mbx_engine *e, struct mbx_task *t, __u32 h,
			   const char *s)
{
	return t_sendn(e, t, h, s, strlen(s), 0, 0);
}

/* Copy a result's payload into buf (NUL-terminated) and drop the message. */
static inline void t_take(struct mbx_engine *e, struct mbx_recv_result *r,
			  char *buf, size_t size)
{
	size_t n = r->length < size - 1 ? r->length : size - 1;

	memcpy(buf, mbx_msg_payload(r->msg), n);
	buf[n] = 0;
	mbx_msg_put(e, r->msg);
	r->msg = NULL;
}

static inline __u32 t_recv(struct mbx_engine *e, struct mbx_task *t, __u32 h,
			   unsigned int flags, struct mbx_recv_result *r,
			   char *buf, size_t size)
{
	__u32 st = mbx_recv(e, t, h, flags, r);

	if (buf)
		buf[0] = 0;
	if (st == HSX_MBX_STATUS_OK && buf)
		t_take(e, r, buf, size);
	else if (st == HSX_MBX_STATUS_OK)
		mbx_msg_put(e, r->msg);
	return st;
}

static inline __u32 t_cancel(struct mbx_engine *e, struct mbx_task *t, __u32 h,
			     int timed_out, struct mbx_recv_result *r,
			     char *buf, size_t size)
{
	__u32 st = mbx_cancel_wait(e, t, h, timed_out, r);

	if (buf)
		buf[0] = 0;
	if (st == HSX_MBX_STATUS_OK)
		t_take(e, r, buf, size);
	return st;
}

static inline struct mbx_desc *t_desc(struct mbx_engine *e, struct mbx_task *t,
				      __u32 h)
{
	struct mbx_handle *hd = mbx_handle_lookup(e, t, h);

	return hd ? mbx_handle_desc(hd) : NULL;
}

static inline void t_info(struct mbx_engine *e, struct mbx_task *t, __u32 h,
			  struct hsxmbx_desc_info *info)
{
	mbx_desc_info(t_desc(e, t, h), info);
}

/*
 * Common fixture: one engine per test, created by t_engine() with a config
 * (NULL = a bare manager: 256 descriptors, no handle limit).  Teardown
 * destroys the engine and checks that every object was given back.
 */
FIXTURE(mbx) {
	struct th th;
	struct mbx_engine *e;
};

FIXTURE_SETUP(mbx)
{
	memset(&self->th, 0, sizeof(self->th));
	self->e = NULL;
}

FIXTURE_TEARDOWN(mbx)
{
	int k;

	if (self->e)
		EXPECT_EQ(0, mbx_engine_check(self->e));
	mbx_engine_destroy(self->e);
	for (k = 0; k < TH_KINDS; k++) {
		EXPECT_EQ(0, self->th.live[k]) TH_LOG("kind %d leaked", k);
		EXPECT_EQ(0, self->th.live_bytes[k]) TH_LOG("kind %d bytes", k);
	}
}

static inline struct mbx_engine *t_engine(struct th *th, const struct mbx_config *cfg)
{
	struct mbx_config def;

	if (!cfg) {
		memset(&def, 0, sizeof(def));
		def.max_descriptors = 256;
		cfg = &def;
	}
	return mbx_engine_create(cfg, &th_ops, th);
}

#define ENGINE(cfg) do { \
	self->e = t_engine(&self->th, cfg); \
	ASSERT_NE(NULL, self->e); \
} while (0)

#define OK HSX_MBX_STATUS_OK

#endif /* HSX_TESTS_MBX_TEST_H */
