/* SPDX-License-Identifier: MIT */
/*
 * DOC: hsx task commands: the hsx-execd client
 *
 * The task commands (load, ps, kill, send, listen, stdio, events,
 * shutdown) talk to hsx-execd over its control socket with the JSON-lines
 * protocol of docs/executive.md.  The socket is --socket PATH, else
 * $HSX_EXECD_SOCKET, else /run/hsx/execd.sock.
 */
#ifndef HSX_TOOL_TASK_H
#define HSX_TOOL_TASK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>

#define HSX_EXECD_SOCKET_DEFAULT "/run/hsx/execd.sock"

/* Options every task command accepts. */
struct task_opts {
	const char *socket;
	bool json;
};

struct execd_conn {
	int fd;
	FILE *in;
};

/* Parse --socket/--json/--help plus @extra options (getopt_long style,
 * handled by @on_opt); returns optind or -exit_code. */
struct option;
int task_getopt(int argc, char **argv, struct task_opts *o, const char *usage,
		const struct option *extra, const char *extra_short,
		int (*on_opt)(int ch, const char *arg, void *ctx), void *ctx);

/* Connect (prints a clear error): 0 or -exit_code. */
int execd_connect(const struct task_opts *o, struct execd_conn *c);
void execd_close(struct execd_conn *c);
/* A new request {"version":1,"cmd":cmd}. */
struct json_object *execd_req(const char *cmd);
/* Send @req (consumed) and read the reply; NULL after printing an error. */
struct json_object *execd_call(struct execd_conn *c, struct json_object *req);
/* Next line from the daemon (streams); NULL at EOF or error. */
struct json_object *execd_read(struct execd_conn *c);
/* 0 if the reply is ok; otherwise print its error, return the exit code. */
int execd_check(struct json_object *reply, const char *what);
/* One-shot: connect, call, check; *out gets the reply (caller puts). */
int execd_simple(const struct task_opts *o, struct json_object *req,
		 const char *what, struct json_object **out);
void print_json(struct json_object *obj);

int64_t jint(struct json_object *o, const char *key, int64_t def);
const char *jstr(struct json_object *o, const char *key, const char *def);

#endif /* HSX_TOOL_TASK_H */
