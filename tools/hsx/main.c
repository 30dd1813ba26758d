// SPDX-License-Identifier: MIT
/*
 * DOC: hsx command dispatcher
 *
 * A table maps command names to functions so that areas can add commands
 * without touching each other's code.  The shared helpers (errors, exit
 * codes, opening the control device) live here too.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsxmbx/hsxmbx.h"
#include "hsx.h"

struct hsx_command {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *summary;
};

static const struct hsx_command commands[] = {
	{ "mbox", hsx_mbox_main, "mailboxes: ls, bind, send, recv, tap, peek, rm" },
	{ "load", hsx_load_main, "load .hxe apps into hsx-execd" },
	{ "ps", hsx_ps_main, "list hsx-execd tasks" },
	{ "kill", hsx_kill_main, "kill a task (or remove a finished one)" },
	{ "send", hsx_send_main, "send text to a task's stdin (or TARGET)" },
	{ "listen", hsx_listen_main, "stream task stdout/stderr (non-destructive)" },
	{ "stdio", hsx_stdio_main, "set stdio mailbox modes" },
	{ "events", hsx_events_main, "stream executive events" },
	{ "regs", hsx_regs_main, "show a live task's registers and memory" },
	{ "resume", hsx_resume_main, "continue a task paused at BRK" },
	{ "shutdown", hsx_shutdown_main, "stop hsx-execd" },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

void hsx_err(const char *fmt, ...)
{
	va_list ap;

	fputs("hsx: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

struct errno_exit {
	int err;
	int code;
};

static const struct errno_exit errno_exits[] = {
	{ ENOENT, HSX_EXIT_TARGET },   { ENXIO, HSX_EXIT_TARGET },
	{ EINVAL, HSX_EXIT_TARGET },   { EBADF, HSX_EXIT_TARGET },
	{ EACCES, HSX_EXIT_PERM },     { EPERM, HSX_EXIT_PERM },
	{ ENODATA, HSX_EXIT_NODATA },  { ETIMEDOUT, HSX_EXIT_NODATA },
	{ EAGAIN, HSX_EXIT_FULL },     { EMSGSIZE, HSX_EXIT_TOOBIG },
	{ ENOSPC, HSX_EXIT_NOSPACE },  { EPIPE, HSX_EXIT_DESTROYED },
	{ EINTR, HSX_EXIT_INTERRUPTED },
};

int hsx_exit_code(int err)
{
	if (err < 0)
		err = -err;
	for (size_t i = 0; i < sizeof(errno_exits) / sizeof(errno_exits[0]); i++)
		if (errno_exits[i].err == err)
			return errno_exits[i].code;
	return HSX_EXIT_FAILURE;
}

/* strerror, with the HSX status name where the errno came from one. */
static const char *describe(int err)
{
	static char buf[96];
	uint32_t st = hsxmbx_errno_status(err);

	if (st == HSX_MBX_STATUS_INTERNAL_ERROR && -err != EIO)
		return strerror(-err);
	snprintf(buf, sizeof(buf), "%s (%s)", strerror(-err), hsxmbx_strstatus(st));
	return buf;
}

int hsx_fail(int err, const char *fmt, ...)
{
	va_list ap;

	if (err > 0)
		err = -err;
	fputs("hsx: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", describe(err));
	return hsx_exit_code(err);
}

int hsx_open_control(void)
{
	const char *path = getenv("HSXMBX_CONTROL");
	int fd = hsxmbx_open_control(0);

	if (fd >= 0)
		return fd;
	if (!path || !*path)
		path = HSXMBX_CONTROL_PATH;
	if (fd == -ENOENT || fd == -ENODEV || fd == -ENXIO) {
		hsx_err("%s: no such device — is the hsxmbx module loaded? "
			"(insmod hsxmbx.ko)", path);
		return -HSX_EXIT_NODEV;
	}
	if (fd == -EACCES || fd == -EPERM) {
		hsx_err("%s: permission denied", path);
		return -HSX_EXIT_PERM;
	}
	hsx_err("%s: %s", path, strerror(-fd));
	return -HSX_EXIT_FAILURE;
}

int hsx_parse_u32(const char *s, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static void usage(FILE *out)
{
	fputs("usage: hsx COMMAND [ARGS...]\n"
	      "       hsx COMMAND --help\n\n"
	      "Commands:\n", out);
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fputs("\nOptions:\n"
	      "  -h, --help  show this help\n\n"
	      "Exit codes: 0 ok, 1 failure, 2 usage, 3 module not loaded,\n"
	      "4 bad target, 5 permission denied, 6 no data, 7 mailbox full,\n"
	      "8 message too large, 9 resources exhausted, 10 mailbox destroyed,\n"
	      "130 interrupted.\n"
	      "Environment: HSXMBX_CONTROL overrides " HSXMBX_CONTROL_PATH ".\n",
	      out);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return HSX_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return HSX_EXIT_OK;
	}
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].main(argc - 1, argv + 1);
	hsx_err("unknown command '%s' (try 'hsx --help')", argv[1]);
	return HSX_EXIT_USAGE;
}
