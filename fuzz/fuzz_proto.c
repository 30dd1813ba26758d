// SPDX-License-Identifier: MIT
/*
 * DOC: fuzz_proto: the executive's control protocol, in process
 *
 * The protocol parser (daemon/proto.c, proto_handle_line()) needs a whole
 * daemon around it: a struct execd, a client of daemon/ctl.c and the
 * io_uring that carries replies.  So each input gets a fresh hsx-execd,
 * built from the daemon's own objects (everything but main.c) with the
 * embedded backend (lib/mbx in process, no module needed): the harness
 * sets it up as main() does, connects to its control socket, writes the
 * input as request lines, runs the scheduler/io_uring loop until the
 * daemon has answered and the connection is drained, then shuts the
 * daemon down and frees everything.  ASan/UBSan/LeakSanitizer watch the
 * daemon; the harness checks that every reply line is a JSON object.
 *
 * Requests that name files ("load") reach only a private directory
 * holding copies of the example apps (the .hxe files of fuzz/corpus/hxe, so "load"
 * can succeed): the harness rewrites absolute paths to relative ones, so
 * the fuzzer cannot make the daemon read devices.  The process works in
 * that directory: give libFuzzer absolute corpus paths (fuzz/check does).
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "execd.h"

static char sock_path[108], dir[64];

/* Copies of the example apps into the private directory. */
static void stage_apps(void)
{
	static const char *const apps[] = { "pub", "sub", "swarm", "waiter", "timeout" };
	char src[128], dst[160], buf[65536];

	for (unsigned int i = 0; i < sizeof(apps) / sizeof(apps[0]); i++) {
		FILE *in, *out;
		size_t n;

		snprintf(src, sizeof(src), "fuzz/corpus/hxe/%s.hxe", apps[i]);
		snprintf(dst, sizeof(dst), "%s/%s.hxe", dir, apps[i]);
		in = fopen(src, "rb");
		out = in ? fopen(dst, "wb") : NULL;
		if (out) {
			n = fread(buf, 1, sizeof(buf), in);
			fwrite(buf, 1, n, out);
			fclose(out);
		}
		if (in)
			fclose(in);
	}
}

static int connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		abort();
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

static void check_replies(const char *buf, size_t len)
{
	const char *line = buf, *nl;

	while ((nl = memchr(line, '\n', len - (line - buf)))) {
		/* Exactly this line: the buffer is reused across runs, so
		 * what follows the last reply is stale output of earlier ones. */
		struct json_tokener *tok = json_tokener_new();
		struct json_object *o = json_tokener_parse_ex(tok, line, nl - line);

		json_tokener_free(tok);
		if (!o || !json_object_is_type(o, json_type_object)) {
			fprintf(stderr, "fuzz_proto: reply is not a JSON object: %.*s\n",
				(int)(nl - line), line);
			abort();
		}
		json_object_put(o);
		line = nl + 1;
	}
}

/* sanitize: paths stay inside the private directory: a '/' that starts a
 * string becomes '.', and ".." becomes "._". */
static char *sanitize(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 2);

	memcpy(in, data, size);
	for (size_t i = 0; i < size; i++) {
		if (in[i] == '/' && (i == 0 || in[i - 1] == '"'))
			in[i] = '.';
		if (in[i] == '.' && i > 0 && in[i - 1] == '.')
			in[i] = '_';
	}
	in[size] = '\n';
	in[size + 1] = 0;
	return in;
}

static void run(struct execd *ex, int cfd, const char *in, size_t len)
{
	static char out[1 << 20];
	size_t off = 0, got = 0;
	struct __kernel_timespec ts = { .tv_nsec = 2000000 };
	struct io_uring_cqe *cqe;
	int idle = 0;

	while (idle < 4 && !ex->quit) {
		ssize_t n;

		if (off < len) {
			n = write(cfd, in + off, len - off);
			if (n > 0)
				off += n;
			if (off == len)
				shutdown(cfd, SHUT_WR);
		}
		sched_pass(ex);
		ex->be->flush(ex);
		io_uring_submit_and_wait_timeout(&ex->ring, &cqe, 1, &ts, NULL);
		ring_reap(ex);
		n = read(cfd, out + got, sizeof(out) - 1 - got);
		if (n > 0)
			got += n, idle = 0;
		else if (off == len)
			idle++;
		if (got == sizeof(out) - 1)
			got = 0; /* streaming output: keep reading, check what fits */
	}
	check_replies(out, got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct execd ex = { .quantum = 200, .next_pid = 1, .listen_fd = -1,
			    .signal_fd = -1, .be = &backend_embedded };
	char *in;
	int cfd;

	if (size > 8192)
		return 0;
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/fuzz_proto.%d", (int)getpid());
		mkdir(dir, 0700);
		stage_apps();
		if (chdir(dir))
			abort();
		snprintf(sock_path, sizeof(sock_path), "%s/ctl.sock", dir);
	}
	ex.tasks = calloc(EXECD_MAX_PID + 1, sizeof(*ex.tasks));
	if (!ex.tasks || ring_init(&ex, 256) < 0)
		abort();
	svc_setup(&ex);
	if (ex.be->open(&ex) < 0 || ctl_listen(&ex, sock_path) < 0)
		abort();
	ctl_start(&ex);
	cfd = connect_to(sock_path);
	in = sanitize(data, size);
	run(&ex, cfd, in, size + 1);
	close(cfd);
	free(in);
	sched_shutdown(&ex);
	for (int i = 0; i < 3; i++) {
		struct __kernel_timespec ts = { .tv_nsec = 1000000 };
		struct io_uring_cqe *cqe;

		io_uring_submit_and_wait_timeout(&ex.ring, &cqe, 1, &ts, NULL);
		ring_reap(&ex);
	}
	ctl_close_all(&ex);
	for (int i = 0; i < 3; i++) {
		struct __kernel_timespec ts = { .tv_nsec = 1000000 };
		struct io_uring_cqe *cqe;

		io_uring_submit_and_wait_timeout(&ex.ring, &cqe, 1, &ts, NULL);
		ring_reap(&ex);
	}
	if (ex.listen_fd >= 0)
		close(ex.listen_fd);
	unlink(sock_path);
	ex.be->close(&ex);
	io_uring_queue_exit(&ex.ring);
	free(ex.tasks);
	return 0;
}
