// SPDX-License-Identifier: MIT
/*
 * DOC: hsx-execd client helpers and the one-shot task commands
 *
 *   hsx load APP.hxe...            load apps, print their PIDs
 *   hsx ps                         task table
 *   hsx kill PID...                kill (a dead task: remove it from ps)
 *   hsx send PID [TARGET] TEXT     send TEXT as PID 0 (default target:
 *                                  svc:stdio.in@PID)
 *   hsx stdio [PID|default] [STREAM] MODE
 *                                  stdio mailbox mode: off|fanout|drop|block
 *   hsx shutdown                   stop every task and the daemon
 *
 * Every command takes --socket PATH and --json (print the daemon's reply).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "hsxmbx/hsxmbx.h"
#include "hsx.h"
#include "task.h"

/* --- connection ----------------------------------------------------------- */

static const char *socket_path(const struct task_opts *o)
{
	const char *env = getenv("HSX_EXECD_SOCKET");

	if (o->socket)
		return o->socket;
	return env && *env ? env : HSX_EXECD_SOCKET_DEFAULT;
}

int execd_connect(const struct task_opts *o, struct execd_conn *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = socket_path(o);

	if (strlen(path) >= sizeof(sa.sun_path)) {
		hsx_err("socket path too long: %s", path);
		return -HSX_EXIT_USAGE;
	}
	strcpy(sa.sun_path, path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = errno;

		hsx_err("cannot connect to hsx-execd at %s: %s%s", path,
			strerror(err), err == ENOENT || err == ECONNREFUSED ?
			" (is hsx-execd running? see --socket)" : "");
		if (c->fd >= 0)
			close(c->fd);
		return -(err == EACCES ? HSX_EXIT_PERM : HSX_EXIT_FAILURE);
	}
	c->in = fdopen(dup(c->fd), "r");
	return c->in ? 0 : -HSX_EXIT_FAILURE;
}

void execd_close(struct execd_conn *c)
{
	if (c->in)
		fclose(c->in);
	close(c->fd);
}

struct json_object *execd_req(const char *cmd)
{
	struct json_object *r = json_object_new_object();

	json_object_object_add(r, "version", json_object_new_int(1));
	json_object_object_add(r, "cmd", json_object_new_string(cmd));
	return r;
}

struct json_object *execd_read(struct execd_conn *c)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, c->in);
	struct json_object *obj = NULL;

	if (n > 0)
		obj = json_tokener_parse(line);
	free(line);
	return obj;
}

struct json_object *execd_call(struct execd_conn *c, struct json_object *req)
{
	size_t len;
	const char *s = json_object_to_json_string_length(req,
		JSON_C_TO_STRING_PLAIN, &len);
	struct json_object *reply;
	bool ok = write(c->fd, s, len) == (ssize_t)len &&
		  write(c->fd, "\n", 1) == 1;

	json_object_put(req);
	if (!ok) {
		hsx_err("writing to hsx-execd: %s", strerror(errno));
		return NULL;
	}
	reply = execd_read(c);
	if (!reply)
		hsx_err("hsx-execd closed the connection without a reply");
	return reply;
}

int64_t jint(struct json_object *o, const char *key, int64_t def)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return def;
	return json_object_get_int64(v);
}

const char *jstr(struct json_object *o, const char *key, const char *def)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return def;
	return json_object_get_string(v);
}

int execd_check(struct json_object *reply, const char *what)
{
	int64_t st;

	if (!strcmp(jstr(reply, "status", ""), "ok"))
		return 0;
	hsx_err("%s: %s", what, jstr(reply, "error", "unknown error"));
	if (!strcmp(jstr(reply, "code", ""), "no_such_task"))
		return HSX_EXIT_TARGET;
	st = jint(reply, "mbx_status", -1);
	if (st > 0)
		return hsx_exit_code(hsxmbx_status_errno((uint32_t)st));
	return HSX_EXIT_FAILURE;
}

void print_json(struct json_object *obj)
{
	puts(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
}

int execd_simple(const struct task_opts *o, struct json_object *req,
		 const char *what, struct json_object **out)
{
	struct execd_conn c;
	struct json_object *reply;
	int ret = execd_connect(o, &c);

	if (ret < 0) {
		json_object_put(req);
		return -ret;
	}
	reply = execd_call(&c, req);
	execd_close(&c);
	if (!reply)
		return HSX_EXIT_FAILURE;
	ret = execd_check(reply, what);
	if (ret || !out)
		json_object_put(reply);
	else
		*out = reply;
	return ret;
}

/* --- options ---------------------------------------------------------------- */

int task_getopt(int argc, char **argv, struct task_opts *o, const char *usage,
		const struct option *extra, const char *extra_short,
		int (*on_opt)(int ch, const char *arg, void *ctx), void *ctx)
{
	struct option longopts[16] = {
		{ "socket", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
	};
	char shorts[32];
	int n = 3, ch;

	for (; extra && extra[n - 3].name && n < 15; n++)
		longopts[n] = extra[n - 3];
	snprintf(shorts, sizeof(shorts), "+S:jh%s", extra_short ? extra_short : "");
	optind = 1;
	while ((ch = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
		if (ch == 'S') {
			o->socket = optarg;
		} else if (ch == 'j') {
			o->json = true;
		} else if (ch == 'h') {
			printf("usage: %s\n  --socket PATH  hsx-execd socket "
			       "(default $HSX_EXECD_SOCKET or %s)\n"
			       "  --json         machine-readable output\n",
			       usage, HSX_EXECD_SOCKET_DEFAULT);
			return -HSX_EXIT_OK - 1000;
		} else if (ch == '?' || !on_opt || on_opt(ch, optarg, ctx) < 0) {
			fprintf(stderr, "usage: %s\n", usage);
			return -HSX_EXIT_USAGE;
		}
	}
	return optind;
}

/* getopt result to exit code: --help exits 0. */
static int opt_exit(int r)
{
	return r == -HSX_EXIT_OK - 1000 ? HSX_EXIT_OK : -r;
}

static int parse_pid(const char *s, uint32_t *pid)
{
	if (hsx_parse_u32(s, pid) < 0 || *pid == 0 || *pid > 0xFFFF) {
		hsx_err("bad PID '%s' (expected 1..65535)", s);
		return -1;
	}
	return 0;
}

/* --- load ------------------------------------------------------------------ */

static int load_opt(int ch, const char *arg, void *ctx)
{
	uint32_t *count = ctx;

	return ch == 'n' && hsx_parse_u32(arg, count) == 0 && *count >= 1 &&
	       *count <= 0xFFFF ? 0 : -1;
}

static void load_report(const struct task_opts *o, const char *app,
			struct json_object *reply, uint32_t count)
{
	if (o->json)
		print_json(reply);
	else if (count > 1)
		printf("loaded %s %u times as pids %lld..%lld (%s)\n", app, count,
		       (long long)jint(reply, "pid", 0),
		       (long long)jint(reply, "pid", 0) + count - 1,
		       jstr(reply, "app_name", "?"));
	else
		printf("loaded %s as pid %lld (%s)\n", app,
		       (long long)jint(reply, "pid", 0),
		       jstr(reply, "app_name", "?"));
}

int hsx_load_main(int argc, char **argv)
{
	static const struct option extra[] = {
		{ "count", required_argument, NULL, 'n' },
		{ 0 }
	};
	struct task_opts o = { 0 };
	uint32_t count = 1;
	int i = task_getopt(argc, argv, &o, "hsx load [--json] [--count N] APP.hxe...",
			    extra, "n:", load_opt, &count);
	int status = 0;

	if (i < 0)
		return opt_exit(i);
	if (i >= argc) {
		hsx_err("load: no app given (usage: hsx load APP.hxe...)");
		return HSX_EXIT_USAGE;
	}
	for (; i < argc; i++) {
		char path[PATH_MAX];
		struct json_object *req = execd_req("load"), *reply = NULL;
		int ret;

		/* The daemon resolves paths from its own directory. */
		json_object_object_add(req, "path", json_object_new_string(
					       realpath(argv[i], path) ? path : argv[i]));
		if (count > 1)
			json_object_object_add(req, "count", json_object_new_int64(count));
		ret = execd_simple(&o, req, argv[i], &reply);
		if (ret) {
			status = ret;
			continue;
		}
		load_report(&o, argv[i], reply, count);
		json_object_put(reply);
	}
	return status;
}

/* --- ps -------------------------------------------------------------------- */

static void ps_row(struct json_object *t)
{
	struct json_object *ctr = NULL, *ex = NULL;
	char exit_s[16] = "-";

	json_object_object_get_ex(t, "mailbox_counters", &ctr);
	if (json_object_object_get_ex(t, "exit_status", &ex) && ex)
		snprintf(exit_s, sizeof(exit_s), "%lld",
			 (long long)(int32_t)json_object_get_int64(ex));
	printf("%5lld  %-12s %12lld %6s %8lld %6lld %7lld  %s\n",
	       (long long)jint(t, "pid", 0), jstr(t, "state", "?"),
	       (long long)jint(t, "steps", 0), exit_s,
	       (long long)jint(ctr, "MAILBOX_STEP", 0),
	       (long long)jint(ctr, "MAILBOX_WAKE", 0),
	       (long long)jint(ctr, "MAILBOX_TIMEOUT", 0), jstr(t, "app", ""));
}

int hsx_ps_main(int argc, char **argv)
{
	struct task_opts o = { 0 };
	struct json_object *reply = NULL, *tasks;
	int i = task_getopt(argc, argv, &o, "hsx ps [--json]", NULL, NULL, NULL, NULL);
	int ret;

	if (i < 0)
		return opt_exit(i);
	ret = execd_simple(&o, execd_req("ps"), "ps", &reply);
	if (ret)
		return ret;
	if (o.json) {
		print_json(reply);
	} else if (json_object_object_get_ex(reply, "tasks", &tasks)) {
		printf("%5s  %-12s %12s %6s %8s %6s %7s  %s\n", "PID", "STATE",
		       "STEPS", "EXIT", "MBX_STEP", "WAKE", "TIMEOUT", "APP");
		for (size_t k = 0; k < json_object_array_length(tasks); k++)
			ps_row(json_object_array_get_idx(tasks, k));
	}
	json_object_put(reply);
	return 0;
}

/* --- kill ------------------------------------------------------------------ */

int hsx_kill_main(int argc, char **argv)
{
	struct task_opts o = { 0 };
	int i = task_getopt(argc, argv, &o, "hsx kill [--json] PID...", NULL, NULL,
			    NULL, NULL);
	int status = 0;

	if (i < 0)
		return opt_exit(i);
	if (i >= argc) {
		hsx_err("kill: no PID given");
		return HSX_EXIT_USAGE;
	}
	for (; i < argc; i++) {
		struct json_object *req, *reply = NULL;
		uint32_t pid;
		int ret;

		if (parse_pid(argv[i], &pid) < 0)
			return HSX_EXIT_USAGE;
		req = execd_req("kill");
		json_object_object_add(req, "pid", json_object_new_int64(pid));
		ret = execd_simple(&o, req, "kill", &reply);
		if (ret) {
			status = ret;
			continue;
		}
		if (o.json)
			print_json(reply);
		else
			printf("%s %u\n", jstr(reply, "action", "killed"), pid);
		json_object_put(reply);
	}
	return status;
}

/* --- send ------------------------------------------------------------------ */

struct send_opts {
	bool hex;
	bool newline;
	uint32_t channel, flags;
};

static int send_opt(int ch, const char *arg, void *ctx)
{
	struct send_opts *s = ctx;

	switch (ch) {
	case 'x': s->hex = true; return 0;
	case 'n': s->newline = true; return 0;
	case 'c': return hsx_parse_u32(arg, &s->channel) < 0 || s->channel > 0xFFFF ? -1 : 0;
	case 'f': return hsx_parse_u32(arg, &s->flags) < 0 || s->flags > 0xFFFF ? -1 : 0;
	}
	return -1;
}

int hsx_send_main(int argc, char **argv)
{
	static const struct option extra[] = {
		{ "hex", no_argument, NULL, 'x' },
		{ "newline", no_argument, NULL, 'n' },
		{ "channel", required_argument, NULL, 'c' },
		{ "flags", required_argument, NULL, 'f' },
		{ 0 }
	};
	struct task_opts o = { 0 };
	struct send_opts s = { 0 };
	struct json_object *req, *reply = NULL;
	const char *target = NULL, *text;
	char *buf = NULL;
	uint32_t pid;
	int i, ret;

	i = task_getopt(argc, argv, &o, "hsx send [--hex] [--newline] [--channel N] "
			"[--flags N] PID [TARGET] TEXT", extra, "xnc:f:", send_opt, &s);
	if (i < 0)
		return opt_exit(i);
	if (argc - i != 2 && argc - i != 3) {
		hsx_err("send: usage: hsx send PID [TARGET] TEXT");
		return HSX_EXIT_USAGE;
	}
	if (parse_pid(argv[i], &pid) < 0)
		return HSX_EXIT_USAGE;
	if (argc - i == 3)
		target = argv[i + 1];
	text = argv[argc - 1];
	if (s.newline && asprintf(&buf, "%s\n", text) > 0)
		text = buf;
	req = execd_req("send");
	json_object_object_add(req, "pid", json_object_new_int64(pid));
	if (target)
		json_object_object_add(req, "target", json_object_new_string(target));
	json_object_object_add(req, s.hex ? "data_hex" : "data",
			       json_object_new_string(text));
	json_object_object_add(req, "channel", json_object_new_int64(s.channel));
	json_object_object_add(req, "flags", json_object_new_int64(s.flags));
	free(buf);
	ret = execd_simple(&o, req, "send", &reply);
	if (ret)
		return ret;
	if (o.json)
		print_json(reply);
	json_object_put(reply);
	return 0;
}

/* --- stdio ----------------------------------------------------------------- */

int hsx_stdio_main(int argc, char **argv)
{
	struct task_opts o = { 0 };
	struct json_object *req, *reply = NULL;
	int i = task_getopt(argc, argv, &o,
			    "hsx stdio [PID|default] [in|out|err|both|all] "
			    "off|fanout|drop|block", NULL, NULL, NULL, NULL);
	int n, ret;
	uint32_t pid;

	if (i < 0)
		return opt_exit(i);
	n = argc - i;
	if (n < 1 || n > 3) {
		hsx_err("stdio: usage: hsx stdio [PID|default] [STREAM] MODE");
		return HSX_EXIT_USAGE;
	}
	req = execd_req("stdio");
	json_object_object_add(req, "mode", json_object_new_string(argv[argc - 1]));
	if (n == 3)
		json_object_object_add(req, "stream", json_object_new_string(argv[i + 1]));
	if (n == 1 || !strcmp(argv[i], "default")) {
		json_object_object_add(req, "pid", json_object_new_string("default"));
	} else if (parse_pid(argv[i], &pid) == 0) {
		json_object_object_add(req, "pid", json_object_new_int64(pid));
	} else {
		json_object_put(req);
		return HSX_EXIT_USAGE;
	}
	ret = execd_simple(&o, req, "stdio", &reply);
	if (ret)
		return ret;
	if (o.json)
		print_json(reply);
	else
		printf("stdio mode 0x%02llx\n", (long long)jint(reply, "mode", 0));
	json_object_put(reply);
	return 0;
}

/* --- shutdown ---------------------------------------------------------------- */

int hsx_shutdown_main(int argc, char **argv)
{
	struct task_opts o = { 0 };
	struct json_object *reply = NULL;
	int i = task_getopt(argc, argv, &o, "hsx shutdown [--json]", NULL, NULL,
			    NULL, NULL);
	int ret;

	if (i < 0)
		return opt_exit(i);
	ret = execd_simple(&o, execd_req("shutdown"), "shutdown", &reply);
	if (ret)
		return ret;
	if (o.json)
		print_json(reply);
	else
		puts("hsx-execd shutting down");
	json_object_put(reply);
	return 0;
}
