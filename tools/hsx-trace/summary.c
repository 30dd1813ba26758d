// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DOC: --summary: counts and latency histograms
 *
 * Counts are per event type, after every filter.  Latencies pair events
 * by what identifies them in the engine:
 *  - send -> recv/wake: (descriptor, seq).  A message reaches a reader
 *    either by an immediate recv or, when the reader was waiting, by a
 *    wake (the engine hands it over; the later collection emits nothing).
 *    On a fan-out descriptor only the first reader counts.  An overrun
 *    forgets the dropped message.
 *  - wait -> wake and wait -> timeout: (descriptor, HSX pid, handle).
 * Pending sends and waits live in small direct-mapped tables: a slot
 * collision forgets the older entry (counted as "evicted"), which can only
 * shorten a histogram, never invent a sample.  Histograms are log2 of
 * nanoseconds, like bpftrace's hist().
 */
#include <inttypes.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "hsxtrace.h"

#define PENDING_SLOTS (1u << 16)

struct pending {
	uint32_t key[3];
	uint32_t used;
	uint64_t ts_ns;
};

struct pending_table {
	struct pending slot[PENDING_SLOTS];
	uint64_t evicted;
};

enum hist_kind { HIST_SEND_RECV, HIST_WAIT_WAKE, HIST_WAIT_TIMEOUT, HIST_N };

static const char *const hist_names[HIST_N] = {
	[HIST_SEND_RECV] = "send_recv",
	[HIST_WAIT_WAKE] = "wait_wake",
	[HIST_WAIT_TIMEOUT] = "wait_timeout",
};

static const char *const hist_titles[HIST_N] = {
	[HIST_SEND_RECV] = "send -> recv/wake",
	[HIST_WAIT_WAKE] = "wait -> wake",
	[HIST_WAIT_TIMEOUT] = "wait -> timeout",
};

struct hsx_trace_summary {
	uint64_t counts[HSX_TRACE_NTYPES];
	struct hsx_trace_hist hist[HIST_N];
	struct pending_table sends, waits;
};

struct hsx_trace_summary *hsx_trace_summary_new(void)
{
	return calloc(1, sizeof(struct hsx_trace_summary));
}

void hsx_trace_summary_free(struct hsx_trace_summary *s)
{
	free(s);
}

static struct pending *pending_slot(struct pending_table *t, uint32_t a,
				    uint32_t b, uint32_t c)
{
	uint32_t h = a * 0x9E3779B1u ^ b * 0x85EBCA77u ^ c * 0xC2B2AE3Du;

	return &t->slot[(h ^ h >> 16) & (PENDING_SLOTS - 1)];
}

static void pending_put(struct pending_table *t, uint32_t a, uint32_t b,
			uint32_t c, uint64_t ts)
{
	struct pending *p = pending_slot(t, a, b, c);

	if (p->used)
		t->evicted++;
	*p = (struct pending){ { a, b, c }, 1, ts };
}

/* Removes the entry; returns its timestamp or 0 if there was none. */
static uint64_t pending_take(struct pending_table *t, uint32_t a, uint32_t b,
			     uint32_t c)
{
	struct pending *p = pending_slot(t, a, b, c);

	if (!p->used || p->key[0] != a || p->key[1] != b || p->key[2] != c)
		return 0;
	p->used = 0;
	return p->ts_ns;
}

static void hist_add(struct hsx_trace_hist *h, uint64_t ns)
{
	int slot = ns ? 63 - __builtin_clzll(ns) : 0;

	h->slots[slot]++;
	if (!h->count || ns < h->min_ns)
		h->min_ns = ns;
	if (ns > h->max_ns)
		h->max_ns = ns;
	h->sum_ns += ns;
	h->count++;
}

static void hist_add_since(struct hsx_trace_hist *h, uint64_t start,
			   uint64_t now)
{
	if (start && now >= start)
		hist_add(h, now - start);
}

void hsx_trace_summary_pair(struct hsx_trace_summary *s,
			    const struct hsx_trace_event *e)
{
	const struct hsx_trace_fields *f = &e->f;
	uint64_t t0;

	switch (e->type) {
	case HSX_TRACE_SEND:
		pending_put(&s->sends, f->descriptor, f->seq, 0, e->ts_ns);
		break;
	case HSX_TRACE_WAKE:
		t0 = pending_take(&s->waits, f->descriptor, f->pid, f->handle);
		hist_add_since(&s->hist[HIST_WAIT_WAKE], t0, e->ts_ns);
		/* a wake is also the delivery of a message */
		__attribute__((fallthrough));
	case HSX_TRACE_RECV:
		t0 = pending_take(&s->sends, f->descriptor, f->seq, 0);
		hist_add_since(&s->hist[HIST_SEND_RECV], t0, e->ts_ns);
		break;
	case HSX_TRACE_OVERRUN:
		pending_take(&s->sends, f->descriptor, f->seq, 0);
		break;
	case HSX_TRACE_WAIT:
		pending_put(&s->waits, f->descriptor, f->pid, f->handle, e->ts_ns);
		break;
	case HSX_TRACE_TIMEOUT:
		t0 = pending_take(&s->waits, f->descriptor, f->pid, f->handle);
		hist_add_since(&s->hist[HIST_WAIT_TIMEOUT], t0, e->ts_ns);
		break;
	default:
		break;
	}
}

void hsx_trace_summary_count(struct hsx_trace_summary *s,
			     const struct hsx_trace_event *e)
{
	if (e->type < HSX_TRACE_NTYPES)
		s->counts[e->type]++;
}

/* "512", "4K", "2M": the bound of a log2 bucket, as bpftrace prints it. */
static void bound(char *buf, size_t size, uint64_t v)
{
	static const char units[] = "KMGTPE";
	int u = -1;

	while (v >= 1024 && !(v % 1024) && u < 5) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, size, "%" PRIu64, v);
	else
		snprintf(buf, size, "%" PRIu64 "%c", v, units[u]);
}

static void hist_print(const struct hsx_trace_hist *h, const char *title, FILE *out)
{
	uint64_t peak = 0;
	int lo = HSX_TRACE_HIST_SLOTS, hi = -1;

	fprintf(out, "\n%s latency (ns): %" PRIu64 " samples", title, h->count);
	if (!h->count) {
		fputc('\n', out);
		return;
	}
	fprintf(out, ", min %" PRIu64 ", avg %" PRIu64 ", max %" PRIu64 "\n",
		h->min_ns, h->sum_ns / h->count, h->max_ns);
	for (int k = 0; k < HSX_TRACE_HIST_SLOTS; k++) {
		if (!h->slots[k])
			continue;
		lo = k < lo ? k : lo;
		hi = k;
		peak = h->slots[k] > peak ? h->slots[k] : peak;
	}
	for (int k = lo; k <= hi; k++) {
		char a[24], b[24];
		int bar = (int)(h->slots[k] * 40 / peak);

		bound(a, sizeof(a), 1ull << k);
		bound(b, sizeof(b), k < 63 ? 1ull << (k + 1) : UINT64_MAX);
		fprintf(out, "[%s, %s)%*s %8" PRIu64 " |%-40.*s|\n", a, b,
			(int)(14 - strlen(a) - strlen(b)), "", h->slots[k], bar,
			"@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@");
	}
}

static void print_human(const struct hsx_trace_summary *s, FILE *out,
			double seconds, uint64_t lost)
{
	uint64_t total = 0;

	for (int t = 0; t < HSX_TRACE_NTYPES; t++)
		total += s->counts[t];
	fprintf(out, "\nSummary: %" PRIu64 " events in %.3f s, %" PRIu64
		" lost (ring buffer full)\n%-14s %10s\n", total, seconds, lost,
		"EVENT", "COUNT");
	for (int t = 0; t < HSX_TRACE_NTYPES; t++)
		fprintf(out, "%-14s %10" PRIu64 "\n", hsx_trace_type_name(t), s->counts[t]);
	for (int k = 0; k < HIST_N; k++)
		hist_print(&s->hist[k], hist_titles[k], out);
}

static struct json_object *hist_json(const struct hsx_trace_hist *h)
{
	struct json_object *o = json_object_new_object();
	struct json_object *buckets = json_object_new_array();

	json_object_object_add(o, "count", json_object_new_int64((int64_t)h->count));
	json_object_object_add(o, "min", json_object_new_int64((int64_t)h->min_ns));
	json_object_object_add(o, "max", json_object_new_int64((int64_t)h->max_ns));
	json_object_object_add(o, "mean", json_object_new_int64(
		h->count ? (int64_t)(h->sum_ns / h->count) : 0));
	for (int k = 0; k < HSX_TRACE_HIST_SLOTS; k++) {
		struct json_object *b;

		if (!h->slots[k])
			continue;
		b = json_object_new_object();
		json_object_object_add(b, "low", json_object_new_int64((int64_t)(1ull << k)));
		json_object_object_add(b, "count", json_object_new_int64((int64_t)h->slots[k]));
		json_object_array_add(buckets, b);
	}
	json_object_object_add(o, "buckets", buckets);
	return o;
}

static void print_json(const struct hsx_trace_summary *s, FILE *out,
		       double seconds, uint64_t lost)
{
	struct json_object *root = json_object_new_object();
	struct json_object *sum = json_object_new_object();
	struct json_object *counts = json_object_new_object();
	struct json_object *lat = json_object_new_object();

	for (int t = 0; t < HSX_TRACE_NTYPES; t++)
		json_object_object_add(counts, hsx_trace_type_name(t),
				       json_object_new_int64((int64_t)s->counts[t]));
	for (int k = 0; k < HIST_N; k++)
		json_object_object_add(lat, hist_names[k], hist_json(&s->hist[k]));
	json_object_object_add(sum, "seconds", json_object_new_double(seconds));
	json_object_object_add(sum, "lost", json_object_new_int64((int64_t)lost));
	json_object_object_add(sum, "unpaired_evicted", json_object_new_int64(
		(int64_t)(s->sends.evicted + s->waits.evicted)));
	json_object_object_add(sum, "events", counts);
	json_object_object_add(sum, "latency_ns", lat);
	json_object_object_add(root, "summary", sum);
	fprintf(out, "%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN));
	json_object_put(root);
}

void hsx_trace_summary_print(const struct hsx_trace_summary *s, FILE *out,
			     bool json, double seconds, uint64_t lost)
{
	if (json)
		print_json(s, out, seconds, lost);
	else
		print_human(s, out, seconds, lost);
	fflush(out);
}
