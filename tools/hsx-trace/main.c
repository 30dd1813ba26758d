// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DOC: hsx-trace: the hsxmbx tracepoints through a BPF ring buffer
 *
 * usage: hsx-trace [--json] [--summary] [--pid PID] [--target GLOB]
 *                  [--event NAME[,NAME]] [--duration SECONDS]
 *
 * Order of work: parse the options, check the module's tracepoints and
 * their layout (tpformat.c), load only the BPF programs the options need,
 * attach them, then poll the ring buffer until Ctrl-C, SIGTERM or the
 * duration ends, drain what is left and print the summary.  "tracing"
 * on stderr means the probes are attached (tests wait for it).
 */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>

#include "hsxtrace.h"
#include "hsx_trace.skel.h"

/* Events the --summary latencies are made of, whatever --event shows. */
#define PAIRING_EVENTS ((1u << HSX_TRACE_SEND) | (1u << HSX_TRACE_RECV) | \
			(1u << HSX_TRACE_WAIT) | (1u << HSX_TRACE_WAKE) | \
			(1u << HSX_TRACE_TIMEOUT) | (1u << HSX_TRACE_OVERRUN))

struct options {
	bool json, summary, quiet, verbose;
	uint32_t pid;
	bool use_hsx_pid;
	uint32_t hsx_pid;
	const char *target;
	uint32_t shown;     /* --event mask */
	double duration;    /* 0 = until interrupted */
};

struct tracer {
	struct options opt;
	struct hsx_trace_printer printer;
	struct hsx_trace_summary *summary;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: hsx-trace [OPTIONS]\n"
		"Stream the hsxmbx kernel module's mailbox events (tracepoints\n"
		"hsxmbx:*) through a BPF ring buffer, until Ctrl-C.\n"
		"  -j, --json             one JSON object per event line\n"
		"  -s, --summary          on exit, print counts per event and log2\n"
		"                         latency histograms (send->recv/wake,\n"
		"                         wait->wake, wait->timeout)\n"
		"  -q, --quiet            no event lines (use with --summary)\n"
		"  -p, --pid PID          only events caused by Linux process PID\n"
		"  -H, --hsx-pid PID      only events of HSX task PID (pid or src_pid)\n"
		"  -t, --target GLOB      only targets matching GLOB (fnmatch, e.g.\n"
		"                         'app:*', 'svc:stdio.out@*')\n"
		"  -e, --event LIST       only these events, comma-separated: send,\n"
		"                         recv, wait, wake, timeout, overrun,\n"
		"                         backpressure, exhausted, error, tap_overrun,\n"
		"                         truncated\n"
		"  -d, --duration SECS    stop after SECS seconds\n"
		"  -v, --verbose          libbpf diagnostics on stderr\n"
		"  -h, --help             this help\n"
		"Exit codes: 0 ok, 1 failure, 2 usage, 3 module not loaded,\n"
		"5 permission denied (needs root, or CAP_BPF+CAP_PERFMON).\n");
}

static bool parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

static int bad_value(const char *opt, const char *value)
{
	fprintf(stderr, "hsx-trace: bad value for %s: '%s'\n", opt, value);
	return HSX_TRACE_EXIT_USAGE;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "summary", no_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "pid", required_argument, NULL, 'p' },
		{ "hsx-pid", required_argument, NULL, 'H' },
		{ "target", required_argument, NULL, 't' },
		{ "event", required_argument, NULL, 'e' },
		{ "duration", required_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	char *end;
	int c;

	*o = (struct options){ .shown = HSX_TRACE_ALL_EVENTS };
	while ((c = getopt_long(argc, argv, "jsqp:H:t:e:d:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': o->json = true; break;
		case 's': o->summary = true; break;
		case 'q': o->quiet = true; break;
		case 'v': o->verbose = true; break;
		case 't': o->target = optarg; break;
		case 'p':
			if (!parse_u32(optarg, &o->pid) || !o->pid)
				return bad_value("--pid", optarg);
			break;
		case 'H':
			if (!parse_u32(optarg, &o->hsx_pid))
				return bad_value("--hsx-pid", optarg);
			o->use_hsx_pid = true;
			break;
		case 'e':
			if (!hsx_trace_parse_events(optarg, &o->shown))
				return bad_value("--event", optarg);
			break;
		case 'd':
			o->duration = strtod(optarg, &end);
			if (end == optarg || *end || !(o->duration > 0))
				return bad_value("--duration", optarg);
			break;
		case 'h':
			usage(stdout);
			exit(HSX_TRACE_EXIT_OK);
		default:
			usage(stderr);
			return HSX_TRACE_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "hsx-trace: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return HSX_TRACE_EXIT_USAGE;
	}
	return HSX_TRACE_EXIT_OK;
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct tracer *tr = ctx;
	struct hsx_trace_event e;

	if (size < sizeof(e))
		return 0;
	memcpy(&e, data, sizeof(e));
	e.comm[HSX_TRACE_COMM_LEN - 1] = '\0';
	e.name[HSX_TRACE_NAME_LEN - 1] = '\0';
	if (tr->opt.target && fnmatch(tr->opt.target, e.name, 0))
		return 0;
	if (tr->summary)
		hsx_trace_summary_pair(tr->summary, &e);
	if (!(tr->opt.shown & (1u << e.type)))
		return 0;
	if (tr->summary)
		hsx_trace_summary_count(tr->summary, &e);
	if (!tr->opt.quiet)
		hsx_trace_print_event(&tr->printer, &e);
	return 0;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return vfprintf(stderr, fmt, ap);
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

/* Which event type a program handles, from its name "hsx_trace_<event>". */
static int prog_type(const struct bpf_program *prog)
{
	const char *name = bpf_program__name(prog) + strlen("hsx_trace_");

	for (uint32_t t = 0; t < HSX_TRACE_NTYPES; t++)
		if (!strcmp(name, hsx_trace_type_name(t)))
			return (int)t;
	return -1;
}

static int load_error(int err)
{
	if (err == -EPERM || err == -EACCES) {
		fprintf(stderr, "hsx-trace: permission denied loading BPF programs: "
			"run as root (or with CAP_BPF and CAP_PERFMON)\n");
		return HSX_TRACE_EXIT_PERM;
	}
	fprintf(stderr, "hsx-trace: cannot load the BPF programs: %s\n", strerror(-err));
	return HSX_TRACE_EXIT_FAIL;
}

static int open_and_load(struct hsx_trace **skelp, const struct options *o,
			 uint32_t mask)
{
	struct hsx_trace *skel = hsx_trace__open();
	struct bpf_program *prog;
	int err;

	if (!skel)
		return load_error(-errno);
	skel->rodata->event_mask = mask;
	skel->rodata->filter_tgid = o->pid;
	skel->rodata->use_hsx_pid = o->use_hsx_pid;
	skel->rodata->filter_hsx_pid = o->hsx_pid;
	bpf_object__for_each_program(prog, skel->obj) {
		int t = prog_type(prog);

		bpf_program__set_autoload(prog, t >= 0 && (mask & (1u << t)));
	}
	err = hsx_trace__load(skel);
	if (err) {
		hsx_trace__destroy(skel);
		return load_error(err);
	}
	*skelp = skel;
	return HSX_TRACE_EXIT_OK;
}

static int attach(struct hsx_trace *skel, struct bpf_link **links, int *nlinks)
{
	struct bpf_program *prog;

	*nlinks = 0;
	bpf_object__for_each_program(prog, skel->obj) {
		struct bpf_link *link;

		if (!bpf_program__autoload(prog))
			continue;
		link = bpf_program__attach(prog);
		if (!link) {
			int err = -errno;

			fprintf(stderr, "hsx-trace: cannot attach %s: %s\n",
				bpf_program__section_name(prog), strerror(-err));
			return err == -ENOENT ? HSX_TRACE_EXIT_NO_MODULE :
			       err == -EPERM || err == -EACCES ? HSX_TRACE_EXIT_PERM :
			       HSX_TRACE_EXIT_FAIL;
		}
		links[(*nlinks)++] = link;
	}
	return HSX_TRACE_EXIT_OK;
}

static int poll_loop(struct tracer *tr, struct ring_buffer *rb)
{
	uint64_t deadline = tr->opt.duration > 0 ?
			    tr->printer.start_ns + (uint64_t)(tr->opt.duration * 1e9) : 0;
	int err = 0;

	while (!stop && (!deadline || monotonic_ns() < deadline)) {
		err = ring_buffer__poll(rb, 100);
		if (err == -EINTR)
			break;
		if (err < 0) {
			fprintf(stderr, "hsx-trace: ring buffer: %s\n", strerror(-err));
			return HSX_TRACE_EXIT_FAIL;
		}
		fflush(tr->printer.out);
	}
	ring_buffer__consume(rb);
	return HSX_TRACE_EXIT_OK;
}

static void finish(struct tracer *tr, struct hsx_trace *skel)
{
	uint64_t lost = skel->bss->lost;
	double seconds = (double)(monotonic_ns() - tr->printer.start_ns) / 1e9;

	if (tr->summary)
		hsx_trace_summary_print(tr->summary, tr->printer.out, tr->opt.json,
					seconds, lost);
	else if (lost)
		fprintf(stderr, "hsx-trace: %llu events lost (ring buffer full)\n",
			(unsigned long long)lost);
}

static int run(struct tracer *tr, struct hsx_trace *skel, uint32_t mask)
{
	struct bpf_link *links[HSX_TRACE_NTYPES] = { 0 };
	struct ring_buffer *rb = NULL;
	int nlinks = 0, ret;

	ret = attach(skel, links, &nlinks);
	if (!ret) {
		rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, tr, NULL);
		if (!rb) {
			fprintf(stderr, "hsx-trace: ring buffer: %s\n", strerror(errno));
			ret = HSX_TRACE_EXIT_FAIL;
		}
	}
	if (!ret) {
		if (!tr->opt.quiet)
			hsx_trace_print_header(&tr->printer);
		fprintf(stderr, "hsx-trace: tracing %d hsxmbx events, Ctrl-C to end\n",
			__builtin_popcount(mask));
		ret = poll_loop(tr, rb);
		finish(tr, skel);
	}
	ring_buffer__free(rb);
	while (nlinks)
		bpf_link__destroy(links[--nlinks]);
	return ret;
}

static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int main(int argc, char **argv)
{
	struct tracer tr = { .printer = { .out = stdout } };
	struct hsx_trace *skel = NULL;
	uint32_t mask;
	int ret;

	ret = parse_options(argc, argv, &tr.opt);
	if (ret)
		return ret;
	mask = tr.opt.shown | (tr.opt.summary ? PAIRING_EVENTS : 0);
	tr.printer.json = tr.opt.json;
	ret = hsx_trace_check_formats(mask);
	if (ret)
		return ret;
	libbpf_set_print(tr.opt.verbose ? libbpf_print : libbpf_quiet);
	ret = open_and_load(&skel, &tr.opt, mask);
	if (ret)
		return ret;
	if (tr.opt.summary && !(tr.summary = hsx_trace_summary_new())) {
		hsx_trace__destroy(skel);
		return HSX_TRACE_EXIT_FAIL;
	}
	catch_signals();
	tr.printer.start_ns = monotonic_ns();
	ret = run(&tr, skel, mask);
	hsx_trace_summary_free(tr.summary);
	hsx_trace__destroy(skel);
	return ret;
}
