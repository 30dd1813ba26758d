// SPDX-License-Identifier: MIT
/*
 * DOC: hsx resume: tasks paused at BRK
 *
 *   hsx resume PID...
 *       A task paused at BRK (state "paused" in hsx ps) runs on.
 */

#include "hsx.h"
#include "task.h"

static int pid_arg(const char *s, uint32_t *pid)
{
	if (hsx_parse_u32(s, pid) < 0 || !*pid || *pid > 0xFFFF) {
		hsx_err("bad PID '%s' (expected 1..65535)", s);
		return -1;
	}
	return 0;
}

int hsx_resume_main(int argc, char **argv)
{
	struct task_opts o = { 0 };
	int i = task_getopt(argc, argv, &o, "hsx resume [--json] PID...", NULL,
			    NULL, NULL, NULL);
	int status = 0;

	if (i < 0)
		return i == -1000 ? 0 : -i;
	if (i >= argc) {
		hsx_err("resume: no PID given");
		return HSX_EXIT_USAGE;
	}
	for (; i < argc; i++) {
		struct json_object *req, *reply = NULL;
		uint32_t pid;
		int ret;

		if (pid_arg(argv[i], &pid) < 0)
			return HSX_EXIT_USAGE;
		req = execd_req("resume");
		json_object_object_add(req, "pid", json_object_new_int64(pid));
		ret = execd_simple(&o, req, "resume", &reply);
		if (ret) {
			status = ret;
			continue;
		}
		if (o.json)
			print_json(reply);
		else
			printf("resumed %u\n", pid);
		json_object_put(reply);
	}
	return status;
}
