/* SPDX-License-Identifier: MIT */
/*
 * DOC: The hsx tool
 *
 * `hsx COMMAND [ARGS...]` dispatches to one function per command through the
 * table in main.c.  Each command lives in its own file (mbox.c, task*.c,
 * ...), parses its own options with getopt_long and returns an exit code
 * from the table below.  To add a command: write `int hsx_NAME_main(int
 * argc, char **argv)` (argv[0] is the command name), declare it here and
 * add one line to the table in main.c.
 *
 * DOC: Exit codes (shared by every command)
 *
 *   0  success
 *   1  any other failure
 *   2  usage error (unknown option, missing argument)
 *   3  /dev/hsxmbx/control missing: the hsxmbx module is not loaded
 *   4  bad target: malformed, or no such mailbox
 *   5  permission denied (node modes, access mode, capabilities)
 *   6  no data: nothing to receive within the timeout
 *   7  mailbox full (WOULDBLOCK)
 *   8  message too large for the mailbox
 *   9  resource exhausted: descriptor pool or handle quota
 *  10  mailbox destroyed while in use
 * 130  interrupted by SIGINT where that is not the normal way to stop
 */
#ifndef HSX_TOOL_H
#define HSX_TOOL_H

#include <stdint.h>

enum hsx_exit {
	HSX_EXIT_OK = 0,
	HSX_EXIT_FAILURE = 1,
	HSX_EXIT_USAGE = 2,
	HSX_EXIT_NODEV = 3,
	HSX_EXIT_TARGET = 4,
	HSX_EXIT_PERM = 5,
	HSX_EXIT_NODATA = 6,
	HSX_EXIT_FULL = 7,
	HSX_EXIT_TOOBIG = 8,
	HSX_EXIT_NOSPACE = 9,
	HSX_EXIT_DESTROYED = 10,
	HSX_EXIT_INTERRUPTED = 130,
};

/* Print "hsx: " + message to stderr. */
void hsx_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The exit code for a negative errno from libhsxmbx. */
int hsx_exit_code(int err);
/* Report `what: strerror` and return the exit code for err. */
int hsx_fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Open the control device, explaining a missing module.  Returns an fd, or
 * -exit_code after printing the error. */
int hsx_open_control(void);
/* Parse an unsigned number (decimal, 0x, 0); returns 0 or -1. */
int hsx_parse_u32(const char *s, uint32_t *out);

/* Commands. */
int hsx_mbox_main(int argc, char **argv);
/* Task commands (task*.c): clients of hsx-execd. */
int hsx_load_main(int argc, char **argv);
int hsx_ps_main(int argc, char **argv);
int hsx_kill_main(int argc, char **argv);
int hsx_send_main(int argc, char **argv);
int hsx_listen_main(int argc, char **argv);
int hsx_stdio_main(int argc, char **argv);
int hsx_events_main(int argc, char **argv);
int hsx_shutdown_main(int argc, char **argv);
int hsx_regs_main(int argc, char **argv);
int hsx_resume_main(int argc, char **argv);

#endif /* HSX_TOOL_H */
