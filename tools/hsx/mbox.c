// SPDX-License-Identifier: MIT
/*
 * DOC: hsx mbox — mailboxes from the shell
 *
 * Every subcommand opens /dev/hsxmbx/control and talks to the kernel as
 * PID 0 through libhsxmbx; there is no daemon.  Each control file has its
 * own handle table, so handles die with the process.  Only BIND pins a
 * descriptor beyond that, until `hsx mbox rm`.
 *
 * OPEN auto-creates a missing target (reference behaviour), and a mailbox
 * created by a short-lived `hsx` would die with it, so every subcommand
 * except bind first looks the target up in a SNAPSHOT and reports "no such
 * mailbox" instead of creating one.
 */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "hsxmbx/hsxmbx.h"
#include "hsx.h"

#define MSG_BUF_BYTES (HSX_MBX_MAX_MSG_BYTES + 1)

struct mbox_sub {
	const char *name;
	int (*run)(int fd, int argc, char **argv);
	const char *help;
	const struct option *opts;
	const char *shortopts;
};

/* --- shared helpers ------------------------------------------------------- */

/* Canonical text of a user's target, as PID 0 would address it. */
static int canonical_target(const char *target, char *buf, size_t size)
{
	struct hsxmbx_target t;

	if (hsxmbx_target_parse(&t, target, 0) < 0)
		return -EINVAL;
	hsxmbx_target_format(buf, size, t.ns, t.owner, t.name);
	return 0;
}

static void desc_target(const struct hsxmbx_desc_info *d, char *buf, size_t size)
{
	hsxmbx_target_format(buf, size, d->ns, d->owner_pid, d->name);
}

/*
 * Find `target` among the live descriptors.  Returns 0 and fills *out, or
 * an exit code after printing why not.
 */
static int find_target(int fd, const char *target, struct hsxmbx_desc_info *out)
{
	char want[64], have[64];
	struct hsxmbx_desc_info *descs;
	int n, found = 0;

	if (canonical_target(target, want, sizeof(want)) < 0) {
		hsx_err("bad target '%s' (expected pid:N, svc:NAME[@PID], "
			"app:NAME[@PID] or shared:NAME)",
			target);
		return HSX_EXIT_TARGET;
	}
	n = hsxmbx_snapshot(fd, &descs, NULL);
	if (n < 0)
		return hsx_fail(n, "snapshot");
	for (int i = 0; i < n && !found; i++) {
		desc_target(&descs[i], have, sizeof(have));
		if (!strcmp(want, have)) {
			*out = descs[i];
			found = 1;
		}
	}
	free(descs);
	if (found)
		return 0;
	hsx_err("%s: no such mailbox (create it with 'hsx mbox bind %s')", want, target);
	return HSX_EXIT_TARGET;
}

/* find_target + OPEN with `access`; returns a handle or -exit_code. */
static int open_existing(int fd, const char *target, uint32_t access)
{
	struct hsxmbx_desc_info info;
	int r = find_target(fd, target, &info);

	if (r)
		return -r;
	r = hsxmbx_open(fd, target, access);
	if (r < 0)
		return -hsx_fail(r, "open %s", target);
	return r;
}

/* Parse a timeout in ms: "inf"/"-1" = INFINITE; returns 0 or -1. */
static int parse_timeout(const char *s, long long *ms)
{
	char *end;

	if (!strcasecmp(s, "inf") || !strcasecmp(s, "infinite") || !strcmp(s, "-1")) {
		*ms = -1;
		return 0;
	}
	errno = 0;
	*ms = strtoll(s, &end, 0);
	return (errno || *end || *ms < 0) ? -1 : 0;
}

static int usage_error(const struct mbox_sub *sub)
{
	fprintf(stderr, "%s", sub->help);
	return HSX_EXIT_USAGE;
}

/* Print payload; add a newline unless the payload ends with one. */
static void print_payload(const char *buf, uint32_t len)
{
	fwrite(buf, 1, len, stdout);
	if (!len || buf[len - 1] != '\n')
		fputc('\n', stdout);
}

static void print_header(const struct hsxmbx_msg_info *mi)
{
	printf("[seq=%u src=%u ch=%u flags=%#x len=%u%s] ", mi->seq, mi->src_pid, mi->channel,
	       mi->flags, mi->msg_len, (mi->flags & HSX_MBX_FLAG_TRUNCATED) ? " truncated" : "");
}

/* --- ls ------------------------------------------------------------------- */

static const struct option ls_opts[] = {
	{ "json", no_argument, NULL, 'j' },	   { "ns", required_argument, NULL, 'N' },
	{ "owner", required_argument, NULL, 'o' }, { "stats", no_argument, NULL, 's' },
	{ "help", no_argument, NULL, 'h' },	   { 0 }
};

struct ls_filter {
	int ns; /* -1 = any */
	int64_t owner; /* -1 = any */
};

static int ns_from_name(const char *s)
{
	for (uint32_t ns = 0; ns < 4; ns++)
		if (!strcasecmp(s, hsxmbx_ns_name(ns)))
			return (int)ns;
	return -1;
}

static int ls_match(const struct ls_filter *f, const struct hsxmbx_desc_info *d)
{
	if (f->ns >= 0 && (uint32_t)f->ns != d->ns)
		return 0;
	return f->owner < 0 || (uint32_t)f->owner == d->owner_pid;
}

static void ls_row(const struct hsxmbx_desc_info *d)
{
	char mode[96], target[64], owner[16];

	hsxmbx_mode_format(mode, sizeof(mode), d->mode);
	desc_target(d, target, sizeof(target));
	if (d->owner_pid == HSXMBX_NO_OWNER)
		snprintf(owner, sizeof(owner), "-");
	else
		snprintf(owner, sizeof(owner), "%u", d->owner_pid);
	printf("%4u %-9s %5s %5u %6u %6u %-24s %7u %4u %7u %8llu %7llu %s\n", d->descriptor_id,
	       hsxmbx_ns_name(d->ns), owner, d->queue_depth, d->bytes_used, d->capacity, mode,
	       d->readers, d->taps, d->waiters, (unsigned long long)d->sent,
	       (unsigned long long)d->dropped, target);
}

static void ls_stats_text(const struct hsxmbx_stats *s)
{
	printf("descriptors %u/%u (free %u), handles %u, tasks %u, "
	       "bytes %llu/%llu, depth %u, taps %u, waiters %u\n"
	       "sent %llu received %llu dropped %llu overruns %llu "
	       "backpressure %llu exhausted %llu errors %llu truncated %llu\n",
	       s->active_descriptors, s->max_descriptors, s->free_descriptors, s->handles_total,
	       s->tasks, (unsigned long long)s->bytes_used, (unsigned long long)s->total_capacity,
	       s->queue_depth, s->tap_count, s->waiter_count, (unsigned long long)s->sent,
	       (unsigned long long)s->received, (unsigned long long)s->dropped,
	       (unsigned long long)s->overruns, (unsigned long long)s->backpressure,
	       (unsigned long long)s->exhausted, (unsigned long long)s->errors,
	       (unsigned long long)s->truncated);
}

#define JSET(obj, key, val) json_object_object_add(obj, key, val)
#define JINT(v) json_object_new_int64((int64_t)(v))

static json_object *desc_json(const struct hsxmbx_desc_info *d)
{
	json_object *o = json_object_new_object();
	char mode[96], target[64];

	hsxmbx_mode_format(mode, sizeof(mode), d->mode);
	desc_target(d, target, sizeof(target));
	JSET(o, "descriptor_id", JINT(d->descriptor_id));
	JSET(o, "namespace", json_object_new_string(hsxmbx_ns_name(d->ns)));
	JSET(o, "name", json_object_new_string(d->name));
	JSET(o, "target", json_object_new_string(target));
	JSET(o, "owner_pid", d->owner_pid == HSXMBX_NO_OWNER ? NULL : JINT(d->owner_pid));
	JSET(o, "mode_mask", JINT(d->mode));
	JSET(o, "mode", json_object_new_string(mode));
	JSET(o, "capacity", JINT(d->capacity));
	JSET(o, "bytes_used", JINT(d->bytes_used));
	JSET(o, "queue_depth", JINT(d->queue_depth));
	JSET(o, "head_seq", JINT(d->head_seq));
	JSET(o, "next_seq", JINT(d->next_seq));
	JSET(o, "readers", JINT(d->readers));
	JSET(o, "taps", JINT(d->taps));
	JSET(o, "waiters", JINT(d->waiters));
	JSET(o, "handles", JINT(d->handles));
	JSET(o, "sent", JINT(d->sent));
	JSET(o, "received", JINT(d->received));
	JSET(o, "dropped", JINT(d->dropped));
	JSET(o, "overruns", JINT(d->overruns));
	JSET(o, "backpressure", JINT(d->backpressure));
	return o;
}

static json_object *stats_json(const struct hsxmbx_stats *s)
{
	json_object *o = json_object_new_object();

	JSET(o, "max_descriptors", JINT(s->max_descriptors));
	JSET(o, "active_descriptors", JINT(s->active_descriptors));
	JSET(o, "free_descriptors", JINT(s->free_descriptors));
	JSET(o, "handle_limit_per_pid", JINT(s->handle_limit_per_pid));
	JSET(o, "total_capacity", JINT(s->total_capacity));
	JSET(o, "bytes_used", JINT(s->bytes_used));
	JSET(o, "bytes_available", JINT(s->bytes_available));
	JSET(o, "queue_depth", JINT(s->queue_depth));
	JSET(o, "handles_total", JINT(s->handles_total));
	JSET(o, "tap_rate_limit", JINT(s->tap_rate_limit));
	JSET(o, "descriptor_pool_exhausted", JINT(s->descriptor_pool_exhausted));
	JSET(o, "tap_count", JINT(s->tap_count));
	JSET(o, "tap_queue_depth", JINT(s->tap_queue_depth));
	JSET(o, "waiter_count", JINT(s->waiter_count));
	JSET(o, "fanout_descriptors", JINT(s->fanout_descriptors));
	JSET(o, "tasks", JINT(s->tasks));
	JSET(o, "sent", JINT(s->sent));
	JSET(o, "received", JINT(s->received));
	JSET(o, "dropped", JINT(s->dropped));
	JSET(o, "overruns", JINT(s->overruns));
	JSET(o, "backpressure", JINT(s->backpressure));
	JSET(o, "exhausted", JINT(s->exhausted));
	JSET(o, "errors", JINT(s->errors));
	JSET(o, "truncated", JINT(s->truncated));
	return o;
}

static void ls_print_json(const struct hsxmbx_desc_info *descs, int n, const struct ls_filter *f,
			  const struct hsxmbx_stats *stats)
{
	json_object *root = json_object_new_object();
	json_object *arr = json_object_new_array();

	for (int i = 0; i < n; i++)
		if (ls_match(f, &descs[i]))
			json_object_array_add(arr, desc_json(&descs[i]));
	JSET(root, "descriptors", arr);
	JSET(root, "stats", stats_json(stats));
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
							  JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}

static void ls_print_table(const struct hsxmbx_desc_info *descs, int n, const struct ls_filter *f,
			   const struct hsxmbx_stats *stats, int with_stats)
{
	printf("%4s %-9s %5s %5s %6s %6s %-24s %7s %4s %7s %8s %7s %s\n", "ID", "NAMESPACE",
	       "OWNER", "DEPTH", "BYTES", "CAP", "MODE", "READERS", "TAPS", "WAITERS", "SENT",
	       "DROPPED", "NAME");
	for (int i = 0; i < n; i++)
		if (ls_match(f, &descs[i]))
			ls_row(&descs[i]);
	if (with_stats)
		ls_stats_text(stats);
}

static int ls_parse(int argc, char **argv, struct ls_filter *f, int *json, int *with_stats,
		    const struct mbox_sub *sub)
{
	uint32_t v;
	int c;

	while ((c = getopt_long(argc, argv, sub->shortopts, sub->opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			*json = 1;
			break;
		case 's':
			*with_stats = 1;
			break;
		case 'N':
			f->ns = ns_from_name(optarg);
			if (f->ns < 0) {
				hsx_err("unknown namespace '%s' (pid, svc, app, shared)", optarg);
				return HSX_EXIT_USAGE;
			}
			break;
		case 'o':
			if (hsx_parse_u32(optarg, &v) < 0) {
				hsx_err("bad owner pid '%s'", optarg);
				return HSX_EXIT_USAGE;
			}
			f->owner = v;
			break;
		case 'h':
			fputs(sub->help, stdout);
			return -1;
		default:
			return usage_error(sub);
		}
	}
	if (optind >= argc || !strcmp(argv[optind], "all"))
		return 0;
	f->ns = ns_from_name(argv[optind]);
	if (f->ns < 0) {
		hsx_err("unknown namespace '%s' (all, pid, svc, app, shared)", argv[optind]);
		return HSX_EXIT_USAGE;
	}
	return 0;
}

static int mbox_ls(int fd, int argc, char **argv);

/* --- bind / rm -------------------------------------------------------------- */

static const struct option bind_opts[] = { { "capacity", required_argument, NULL, 'c' },
					   { "mode", required_argument, NULL, 'm' },
					   { "help", no_argument, NULL, 'h' },
					   { 0 } };

static int bind_parse_mode(const char *s, uint32_t *mode)
{
	if (hsxmbx_mode_parse(s, mode) < 0) {
		hsx_err("bad mode '%s' (names: rdonly, wronly, rdwr, tap, fanout, "
			"fanout_drop, fanout_block, joined by '|' or ','; or a number)",
			s);
		return HSX_EXIT_USAGE;
	}
	/* A fan-out policy without the fan-out bit would be a plain queue. */
	if (*mode & (HSX_MBX_MODE_FANOUT_DROP | HSX_MBX_MODE_FANOUT_BLOCK))
		*mode |= HSX_MBX_MODE_FANOUT;
	return 0;
}

static int mbox_bind(int fd, int argc, char **argv);
static int mbox_rm(int fd, int argc, char **argv);

/* --- the subcommand table ---------------------------------------------------- */

static int mbox_send(int fd, int argc, char **argv);
static int mbox_recv(int fd, int argc, char **argv);
static int mbox_tap(int fd, int argc, char **argv);
static int mbox_peek(int fd, int argc, char **argv);

static const struct option send_opts[] = { { "channel", required_argument, NULL, 'C' },
					   { "flags", required_argument, NULL, 'f' },
					   { "help", no_argument, NULL, 'h' },
					   { 0 } };

static const struct option recv_opts[] = { { "timeout", required_argument, NULL, 't' },
					   { "count", required_argument, NULL, 'n' },
					   { "verbose", no_argument, NULL, 'v' },
					   { "help", no_argument, NULL, 'h' },
					   { 0 } };

static const struct option peek_opts[] = { { "json", no_argument, NULL, 'j' },
					   { "help", no_argument, NULL, 'h' },
					   { 0 } };

static const struct option rm_opts[] = { { "force", no_argument, NULL, 'f' },
					 { "help", no_argument, NULL, 'h' },
					 { 0 } };

static const struct mbox_sub subs[] = {
	{ "ls", mbox_ls,
	  "usage: hsx mbox ls [all|pid|svc|app|shared] [OPTIONS]\n"
	  "List every mailbox descriptor.\n"
	  "  -j, --json        print JSON {descriptors:[...], stats:{...}}\n"
	  "  -N, --ns NS       only namespace NS (pid, svc, app, shared)\n"
	  "  -o, --owner PID   only descriptors owned by PID\n"
	  "  -s, --stats       also print the global statistics\n"
	  "  -h, --help        show this help\n",
	  ls_opts, "jN:o:sh" },
	{ "bind", mbox_bind,
	  "usage: hsx mbox bind TARGET [-c CAPACITY] [-m MODE]\n"
	  "Create (or reconfigure) a mailbox and pin it until 'hsx mbox rm'.\n"
	  "Prints the descriptor id.\n"
	  "  -c, --capacity BYTES  capacity in bytes (each message costs len+8;\n"
	  "                        0 = default)\n"
	  "  -m, --mode MODE       mode mask: names joined by '|' or ','\n"
	  "                        (rdonly|ro, wronly|wo, rdwr|rw, tap, fanout,\n"
	  "                        fanout_drop|drop, fanout_block|block; the\n"
	  "                        fanout policies imply fanout) or a number\n"
	  "  -h, --help            show this help\n",
	  bind_opts, "c:m:h" },
	{ "send", mbox_send,
	  "usage: hsx mbox send TARGET [TEXT...|-]\n"
	  "Send TEXT as one message; with '-' or no TEXT, send each line of\n"
	  "stdin as one message (without its newline).\n"
	  "  -C, --channel N   channel number (0..65535)\n"
	  "  -f, --flags F     message flags: stdout, stderr, oob or a number\n"
	  "  -h, --help        show this help\n",
	  send_opts, "+C:f:h" },
	{ "recv", mbox_recv,
	  "usage: hsx mbox recv TARGET [-t TIMEOUT_MS] [-n COUNT]\n"
	  "Receive (consume) messages and print each payload on its own line.\n"
	  "  -t, --timeout MS  wait up to MS milliseconds per message (0 = do not\n"
	  "                    wait, the default; 'inf' or -1 = forever)\n"
	  "  -n, --count N     stop after N messages (default 1; 0 = until none\n"
	  "                    arrives within the timeout)\n"
	  "  -v, --verbose     prefix each message with seq, src, channel, flags\n"
	  "  -h, --help        show this help\n"
	  "Exits 6 if fewer than N messages arrived.\n",
	  recv_opts, "t:n:vh" },
	{ "tap", mbox_tap,
	  "usage: hsx mbox tap TARGET [-n COUNT] [-v]\n"
	  "Observe every message without consuming it, until Ctrl-C (exit 0).\n"
	  "Missed messages (the tap fell behind) are reported on stderr.\n"
	  "  -n, --count N     stop after N messages (default 0 = forever)\n"
	  "  -v, --verbose     prefix each message with seq, src, channel, flags\n"
	  "  -h, --help        show this help\n",
	  recv_opts, "n:vh" },
	{ "peek", mbox_peek,
	  "usage: hsx mbox peek TARGET [--json]\n"
	  "Show a mailbox's queue state without receiving anything.\n"
	  "  -j, --json        print JSON\n"
	  "  -h, --help        show this help\n",
	  peek_opts, "jh" },
	{ "rm", mbox_rm,
	  "usage: hsx mbox rm TARGET [--force]\n"
	  "Drop the host's bind pin; the mailbox is destroyed once nothing\n"
	  "binds or opens it and its queue is empty.\n"
	  "  -f, --force       destroy it now, even if handles remain open\n"
	  "  -h, --help        show this help\n",
	  rm_opts, "fh" },
};

#define N_SUBS (sizeof(subs) / sizeof(subs[0]))

static const struct mbox_sub *sub_find(const char *name)
{
	for (size_t i = 0; i < N_SUBS; i++)
		if (!strcmp(subs[i].name, name))
			return &subs[i];
	return NULL;
}

/* Parse just --help and the positional TARGET for simple subcommands. */
static const char *need_target(int argc, char **argv, const struct mbox_sub *sub, int *code)
{
	if (optind >= argc) {
		hsx_err("%s: missing TARGET", sub->name);
		*code = usage_error(sub);
		return NULL;
	}
	return argv[optind++];
}

/* --- ls / bind / rm bodies --------------------------------------------------- */

static int mbox_ls(int fd, int argc, char **argv)
{
	struct ls_filter f = { .ns = -1, .owner = -1 };
	struct hsxmbx_desc_info *descs;
	struct hsxmbx_stats stats;
	int json = 0, with_stats = 0, n;

	n = ls_parse(argc, argv, &f, &json, &with_stats, sub_find("ls"));
	if (n)
		return n < 0 ? HSX_EXIT_OK : n;
	n = hsxmbx_snapshot(fd, &descs, &stats);
	if (n < 0)
		return hsx_fail(n, "snapshot");
	if (json)
		ls_print_json(descs, n, &f, &stats);
	else
		ls_print_table(descs, n, &f, &stats, with_stats);
	free(descs);
	return HSX_EXIT_OK;
}

static int mbox_bind(int fd, int argc, char **argv)
{
	const struct mbox_sub *sub = sub_find("bind");
	uint32_t capacity = 0, mode = 0;
	const char *target;
	int c, r;

	while ((c = getopt_long(argc, argv, sub->shortopts, sub->opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (hsx_parse_u32(optarg, &capacity) < 0) {
				hsx_err("bad capacity '%s'", optarg);
				return HSX_EXIT_USAGE;
			}
			break;
		case 'm':
			if (bind_parse_mode(optarg, &mode))
				return HSX_EXIT_USAGE;
			break;
		case 'h':
			fputs(sub->help, stdout);
			return HSX_EXIT_OK;
		default:
			return usage_error(sub);
		}
	}
	target = need_target(argc, argv, sub, &r);
	if (!target)
		return r;
	r = hsxmbx_bind(fd, target, capacity, mode);
	if (r < 0)
		return hsx_fail(r, "bind %s", target);
	printf("%d\n", r);
	return HSX_EXIT_OK;
}

static int mbox_rm(int fd, int argc, char **argv)
{
	const struct mbox_sub *sub = sub_find("rm");
	struct hsxmbx_desc_info info;
	const char *target;
	uint64_t flags = 0;
	int c, r;

	while ((c = getopt_long(argc, argv, sub->shortopts, sub->opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			flags |= HSXMBX_UNBIND_FORCE;
			break;
		case 'h':
			fputs(sub->help, stdout);
			return HSX_EXIT_OK;
		default:
			return usage_error(sub);
		}
	}
	target = need_target(argc, argv, sub, &r);
	if (!target)
		return r;
	r = find_target(fd, target, &info);
	if (r)
		return r;
	r = hsxmbx_unbind(fd, target, flags);
	return r < 0 ? hsx_fail(r, "rm %s", target) : HSX_EXIT_OK;
}

/* --- send ----------------------------------------------------------------- */

struct send_opts {
	uint32_t channel;
	uint32_t flags;
};

static int parse_msg_flags(const char *s, uint32_t *out)
{
	if (!strcasecmp(s, "stdout"))
		*out = HSX_MBX_FLAG_STDOUT;
	else if (!strcasecmp(s, "stderr"))
		*out = HSX_MBX_FLAG_STDERR;
	else if (!strcasecmp(s, "oob"))
		*out = HSX_MBX_FLAG_OOB;
	else if (hsx_parse_u32(s, out) < 0 || *out > 0xFFFF)
		return -1;
	return 0;
}

static int send_one(int fd, int h, const char *buf, size_t len, const struct send_opts *o,
		    const char *target)
{
	int r = hsxmbx_send(fd, (uint32_t)h, buf, len, o->flags, o->channel);

	if (r == -EAGAIN) {
		hsx_err("%s: mailbox full (%zu-byte message refused)", target, len);
		return HSX_EXIT_FULL;
	}
	return r < 0 ? hsx_fail(r, "send %s", target) : HSX_EXIT_OK;
}

static int send_lines(int fd, int h, const struct send_opts *o, const char *target)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int code = HSX_EXIT_OK;

	while (code == HSX_EXIT_OK && (len = getline(&line, &cap, stdin)) >= 0) {
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		code = send_one(fd, h, line, (size_t)len, o, target);
	}
	free(line);
	return code;
}

/* Join argv[from..argc) with single spaces, like echo. */
static char *join_args(int argc, char **argv, int from)
{
	size_t len = 1;
	char *s;

	for (int i = from; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	for (int i = from; s && i < argc; i++) {
		if (i > from)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

static int send_parse(int argc, char **argv, struct send_opts *o, const struct mbox_sub *sub)
{
	int c;

	while ((c = getopt_long(argc, argv, sub->shortopts, sub->opts, NULL)) != -1) {
		switch (c) {
		case 'C':
			if (hsx_parse_u32(optarg, &o->channel) < 0 || o->channel > 0xFFFF) {
				hsx_err("bad channel '%s' (0..65535)", optarg);
				return HSX_EXIT_USAGE;
			}
			break;
		case 'f':
			if (parse_msg_flags(optarg, &o->flags) < 0) {
				hsx_err("bad flags '%s' (stdout, stderr, oob or 0..0xffff)",
					optarg);
				return HSX_EXIT_USAGE;
			}
			break;
		case 'h':
			fputs(sub->help, stdout);
			return -1;
		default:
			return usage_error(sub);
		}
	}
	return 0;
}

static int mbox_send(int fd, int argc, char **argv)
{
	const struct mbox_sub *sub = sub_find("send");
	struct send_opts o = { 0 };
	const char *target;
	char *text;
	int h, r;

	r = send_parse(argc, argv, &o, sub);
	if (r)
		return r < 0 ? HSX_EXIT_OK : r;
	target = need_target(argc, argv, sub, &r);
	if (!target)
		return r;
	/* Options may also follow TARGET; TEXT starts at the first non-option. */
	r = send_parse(argc, argv, &o, sub);
	if (r)
		return r < 0 ? HSX_EXIT_OK : r;
	h = open_existing(fd, target, HSX_MBX_MODE_WRONLY);
	if (h < 0)
		return -h;
	if (optind >= argc || (optind + 1 == argc && !strcmp(argv[optind], "-")))
		return send_lines(fd, h, &o, target);
	text = join_args(argc, argv, optind);
	if (!text)
		return hsx_fail(-ENOMEM, "send");
	r = send_one(fd, h, text, strlen(text), &o, target);
	free(text);
	return r;
}

/* --- recv / tap ----------------------------------------------------------- */

struct recv_opts {
	long long timeout_ms; /* -1 = infinite */
	long count; /* 0 = unlimited */
	int verbose;
};

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * One RECV honouring a timeout that may exceed the 16-bit wire limit:
 * wait in slices until the deadline.  `slice_cap` bounds each wait so a
 * caller can notice a flag set by a signal handler.
 */
static int recv_until(int fd, int h, char *buf, long long timeout_ms, uint32_t slice_cap,
		      struct hsxmbx_msg_info *mi)
{
	long long deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
	int r;

	for (;;) {
		long long left = timeout_ms < 0 ? slice_cap : deadline - now_ms();
		uint32_t slice;

		if (timeout_ms == 0)
			slice = HSX_MBX_TIMEOUT_POLL;
		else if (left <= 0)
			return -ETIMEDOUT;
		else
			slice = (uint32_t)(left < slice_cap ? left : slice_cap);
		r = hsxmbx_recv(fd, (uint32_t)h, buf, MSG_BUF_BYTES - 1, slice, mi);
		if (r != -ETIMEDOUT || timeout_ms == 0 || interrupted)
			return r;
	}
}

static void show_message(const char *buf, const struct hsxmbx_msg_info *mi, int verbose)
{
	if (verbose)
		print_header(mi);
	print_payload(buf, mi->length);
	fflush(stdout);
}

static int recv_parse(int argc, char **argv, struct recv_opts *o, const struct mbox_sub *sub)
{
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, sub->shortopts, sub->opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (parse_timeout(optarg, &o->timeout_ms) < 0) {
				hsx_err("bad timeout '%s' (milliseconds, or 'inf')", optarg);
				return HSX_EXIT_USAGE;
			}
			break;
		case 'n':
			errno = 0;
			o->count = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || o->count < 0) {
				hsx_err("bad count '%s'", optarg);
				return HSX_EXIT_USAGE;
			}
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'h':
			fputs(sub->help, stdout);
			return -1;
		default:
			return usage_error(sub);
		}
	}
	return 0;
}

static int mbox_recv(int fd, int argc, char **argv)
{
	const struct mbox_sub *sub = sub_find("recv");
	struct recv_opts o = { .timeout_ms = 0, .count = 1 };
	struct hsxmbx_msg_info mi;
	const char *target;
	char *buf;
	long got = 0;
	int h, r;

	r = recv_parse(argc, argv, &o, sub);
	if (r)
		return r < 0 ? HSX_EXIT_OK : r;
	target = need_target(argc, argv, sub, &r);
	if (!target)
		return r;
	h = open_existing(fd, target, HSX_MBX_MODE_RDONLY);
	if (h < 0)
		return -h;
	buf = malloc(MSG_BUF_BYTES);
	if (!buf)
		return hsx_fail(-ENOMEM, "recv");
	while (o.count == 0 || got < o.count) {
		r = recv_until(fd, h, buf, o.timeout_ms, HSX_MBX_TIMEOUT_INFINITE - 1, &mi);
		if (r < 0)
			break;
		show_message(buf, &mi, o.verbose);
		got++;
	}
	free(buf);
	if (r >= 0 || ((r == -ENODATA || r == -ETIMEDOUT) && o.count == 0))
		return HSX_EXIT_OK;
	if (r == -ENODATA || r == -ETIMEDOUT) {
		if (!got)
			hsx_err("%s: no message", target);
		return HSX_EXIT_NODATA;
	}
	return hsx_fail(r, "recv %s", target);
}

/* Report copies this tap missed: a sequence gap and/or the OVERRUN flag. */
static void tap_report_missed(const char *target, const struct hsxmbx_msg_info *mi,
			      int64_t *last_seq)
{
	int64_t gap = *last_seq >= 0 ? (int64_t)mi->seq - *last_seq - 1 : 0;

	if (gap > 0)
		hsx_err("%s: tap missed %lld message(s) (seq %lld..%u)", target, (long long)gap,
			(long long)*last_seq + 1, mi->seq - 1);
	else if (mi->flags & HSX_MBX_FLAG_OVERRUN)
		hsx_err("%s: tap overrun: messages were missed", target);
	*last_seq = mi->seq;
}

static int tap_loop(int fd, int h, const struct recv_opts *o, const char *target)
{
	struct hsxmbx_msg_info mi;
	int64_t last_seq = -1;
	char *buf = malloc(MSG_BUF_BYTES);
	long got = 0;
	int r = 0;

	if (!buf)
		return hsx_fail(-ENOMEM, "tap");
	/* Short slices bound the window in which a SIGINT can be missed. */
	while (!interrupted && (o->count == 0 || got < o->count)) {
		r = recv_until(fd, h, buf, -1, 250, &mi);
		if (r < 0)
			break;
		tap_report_missed(target, &mi, &last_seq);
		show_message(buf, &mi, o->verbose);
		got++;
	}
	free(buf);
	if (interrupted || r >= 0 || r == -EINTR)
		return HSX_EXIT_OK;
	if (r == -EPIPE) {
		hsx_err("%s: mailbox destroyed", target);
		return HSX_EXIT_DESTROYED;
	}
	return hsx_fail(r, "tap %s", target);
}

static int mbox_tap(int fd, int argc, char **argv)
{
	const struct mbox_sub *sub = sub_find("tap");
	struct recv_opts o = { .timeout_ms = -1, .count = 0 };
	struct sigaction sa = { .sa_handler = on_sigint };
	const char *target;
	int h, r;

	r = recv_parse(argc, argv, &o, sub);
	if (r)
		return r < 0 ? HSX_EXIT_OK : r;
	target = need_target(argc, argv, sub, &r);
	if (!target)
		return r;
	h = open_existing(fd, target, HSX_MBX_MODE_RDONLY);
	if (h < 0)
		return -h;
	r = hsxmbx_tap(fd, (uint32_t)h, true);
	if (r < 0)
		return hsx_fail(r, "tap %s", target);
	sigemptyset(&sa.sa_mask); /* no SA_RESTART: a blocked RECV returns EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	return tap_loop(fd, h, &o, target);
}

/* --- peek ----------------------------------------------------------------- */

static void peek_print(const struct hsxmbx_peek *p, const char *target, int json)
{
	char mode[96];

	hsxmbx_mode_format(mode, sizeof(mode), p->mode);
	if (json) {
		json_object *o = json_object_new_object();

		JSET(o, "target", json_object_new_string(target));
		JSET(o, "descriptor_id", JINT(p->descriptor_id));
		JSET(o, "depth", JINT(p->depth));
		JSET(o, "bytes_used", JINT(p->bytes_used));
		JSET(o, "capacity", JINT(p->capacity));
		JSET(o, "next_len", JINT(p->next_len));
		JSET(o, "head_seq", JINT(p->head_seq));
		JSET(o, "next_seq", JINT(p->next_seq));
		JSET(o, "mode_mask", JINT(p->mode));
		JSET(o, "mode", json_object_new_string(mode));
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
		json_object_put(o);
		return;
	}
	printf("target: %s\ndescriptor: %u\ndepth: %u\nbytes_used: %u\n"
	       "capacity: %u\nnext_len: %u\nhead_seq: %u\nnext_seq: %u\nmode: %s\n",
	       target, p->descriptor_id, p->depth, p->bytes_used, p->capacity, p->next_len,
	       p->head_seq, p->next_seq, mode);
}

static int mbox_peek(int fd, int argc, char **argv)
{
	const struct mbox_sub *sub = sub_find("peek");
	struct hsxmbx_desc_info info;
	struct hsxmbx_peek p;
	const char *target;
	char canon[64];
	int c, h, r, json = 0;

	while ((c = getopt_long(argc, argv, sub->shortopts, sub->opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(sub->help, stdout);
			return HSX_EXIT_OK;
		default:
			return usage_error(sub);
		}
	}
	target = need_target(argc, argv, sub, &r);
	if (!target)
		return r;
	r = find_target(fd, target, &info);
	if (r)
		return r;
	h = hsxmbx_open(fd, target, HSX_MBX_MODE_RDONLY);
	if (h < 0)
		return hsx_fail(h, "open %s", target);
	r = hsxmbx_peek(fd, (uint32_t)h, &p);
	if (r < 0)
		return hsx_fail(r, "peek %s", target);
	desc_target(&info, canon, sizeof(canon));
	peek_print(&p, canon, json);
	return HSX_EXIT_OK;
}

/* --- entry point ------------------------------------------------------------ */

static void mbox_usage(FILE *out)
{
	fputs("usage: hsx mbox SUBCOMMAND [OPTIONS] [ARGS]\n\n", out);
	for (size_t i = 0; i < N_SUBS; i++)
		fprintf(out, "%s\n", subs[i].help);
	fputs("TARGET is pid:N, svc:NAME[@PID], app:NAME[@PID] or shared:NAME.\n"
	      "Commands act as PID 0 (the host) straight on /dev/hsxmbx/control.\n"
	      "Exit codes: 0 ok, 1 failure, 2 usage, 3 module not loaded,\n"
	      "4 bad target or no such mailbox, 5 permission denied, 6 no data,\n"
	      "7 mailbox full, 8 message too large, 9 resources exhausted,\n"
	      "10 mailbox destroyed, 130 interrupted.\n",
	      out);
}

int hsx_mbox_main(int argc, char **argv)
{
	const struct mbox_sub *sub;
	int fd, code;

	if (argc < 2) {
		mbox_usage(stderr);
		return HSX_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		mbox_usage(stdout);
		return HSX_EXIT_OK;
	}
	sub = sub_find(argv[1]);
	if (!sub) {
		hsx_err("mbox: unknown subcommand '%s' (try 'hsx mbox --help')", argv[1]);
		return HSX_EXIT_USAGE;
	}
	/* --help must work without the module. */
	for (int i = 2; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(sub->help, stdout);
			return HSX_EXIT_OK;
		}
	fd = hsx_open_control();
	if (fd < 0)
		return -fd;
	optind = 1;
	code = sub->run(fd, argc - 1, argv + 1);
	close(fd);
	return code;
}
