// SPDX-License-Identifier: MIT
/*
 * DOC: Protocol fuzz cases for hsx-execd
 *
 * usage: proto_fuzz SOCKET [FIRST_TAP_NUMBER]
 *
 * Sends malformed requests (garbage, truncated and oversized JSON, wrong
 * types, deep nesting, NUL bytes, a line cut off by EOF) to a running
 * hsx-execd and checks that each gets an error reply and that the daemon
 * still answers a ping afterwards.  Prints TAP.
 */
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static const char *sock_path;
static int tapno;

static int conn(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct timeval tv = { .tv_sec = 10 };

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("connect");
		exit(1);
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Read one reply line into buf; returns its length or -1. */
static int read_line(int fd, char *buf, size_t cap)
{
	size_t n = 0;

	while (n + 1 < cap) {
		ssize_t r = read(fd, buf + n, 1);

		if (r <= 0)
			return -1;
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = '\0';
	return (int)n;
}

static bool reply_status(const char *line, const char *want)
{
	struct json_object *o = json_tokener_parse(line), *st;
	bool ok = o && json_object_object_get_ex(o, "status", &st) &&
		  !strcmp(json_object_get_string(st), want);

	json_object_put(o);
	return ok;
}

static void report(bool ok, const char *name, const char *detail)
{
	printf("%sok %d - fuzz: %s%s%s\n", ok ? "" : "not ", ++tapno, name,
	       ok ? "" : " # got: ", ok ? "" : detail);
}

/* Send raw bytes (+ newline) and expect an error reply. */
static void expect_error(const char *name, const char *req, size_t len)
{
	char buf[4096];
	int fd = conn();
	bool sent = write(fd, req, len) == (ssize_t)len && write(fd, "\n", 1) == 1;

	report(sent && read_line(fd, buf, sizeof(buf)) >= 0 &&
	       reply_status(buf, "error"), name, sent ? buf : "write failed");
	close(fd);
}

static void fuzz_oversized(void)
{
	size_t len = 200000;
	char *big = malloc(len);

	memset(big, 'A', len);
	memcpy(big, "{\"version\":1,\"cmd\":\"ping\",\"x\":\"", 31);
	expect_error("oversized request (200 kB)", big, len);
	free(big);
}

static void fuzz_nesting(void)
{
	char deep[2100];
	size_t n = 0;

	for (int i = 0; i < 1000; i++)
		deep[n++] = '[';
	for (int i = 0; i < 1000; i++)
		deep[n++] = ']';
	expect_error("1000-deep nesting", deep, n);
}

static void fuzz_eof_midline(void)
{
	int fd = conn();

	/* A connection that dies mid-request must not hurt the daemon. */
	if (write(fd, "{\"version\":1,\"cm", 16) != 16)
		perror("write");
	close(fd);
}

int main(int argc, char **argv)
{
	static const char *const cases[][2] = {
		{ "garbage", "hello, daemon" },
		{ "truncated JSON", "{\"version\":1,\"cmd\":" },
		{ "trailing garbage", "{\"version\":1,\"cmd\":\"ping\"} x" },
		{ "not an object", "[1,2,3]" },
		{ "bare number", "42" },
		{ "null", "null" },
		{ "cmd wrong type", "{\"version\":1,\"cmd\":5}" },
		{ "cmd missing", "{\"version\":1}" },
		{ "version wrong type", "{\"version\":\"1\",\"cmd\":\"ping\"}" },
		{ "version 2", "{\"version\":2,\"cmd\":\"ping\"}" },
		{ "unknown cmd", "{\"version\":1,\"cmd\":\"format_disk\"}" },
		{ "pid wrong type", "{\"version\":1,\"cmd\":\"kill\",\"pid\":\"1\"}" },
		{ "pid huge", "{\"version\":1,\"cmd\":\"kill\",\"pid\":1e30}" },
		{ "pid negative", "{\"version\":1,\"cmd\":\"kill\",\"pid\":-1}" },
		{ "path wrong type", "{\"version\":1,\"cmd\":\"load\",\"path\":7}" },
		{ "load missing file", "{\"version\":1,\"cmd\":\"load\",\"path\":\"/nonexistent.hxe\"}" },
		{ "load not an hxe", "{\"version\":1,\"cmd\":\"load\",\"path\":\"/etc/passwd\"}" },
		{ "send data wrong type", "{\"version\":1,\"cmd\":\"send\",\"pid\":1,\"data\":[1]}" },
		{ "send bad hex", "{\"version\":1,\"cmd\":\"send\",\"pid\":1,\"data_hex\":\"zz\"}" },
		{ "stdio bad mode", "{\"version\":1,\"cmd\":\"stdio\",\"pid\":\"default\",\"mode\":\"loud\"}" },
		{ "listen pid wrong type", "{\"version\":1,\"cmd\":\"listen\",\"pid\":{}}" },
		{ "invalid UTF-8 and controls", "{\"version\":1,\"cmd\":\"\xff\xfe\x01\"}" },
	};
	char buf[4096];
	int fd;

	if (argc < 2) {
		fprintf(stderr, "usage: proto_fuzz SOCKET [FIRST_TAP_NUMBER]\n");
		return 2;
	}
	sock_path = argv[1];
	tapno = argc > 2 ? atoi(argv[2]) : 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_error(cases[i][0], cases[i][1], strlen(cases[i][1]));
	expect_error("embedded NUL", "{\"version\":1,\0\"cmd\":\"ping\"}", 27);
	fuzz_oversized();
	fuzz_nesting();
	fuzz_eof_midline();
	fd = conn();
	report(write(fd, "{\"version\":1,\"cmd\":\"ping\"}\n", 27) == 27 &&
	       read_line(fd, buf, sizeof(buf)) >= 0 && reply_status(buf, "ok"),
	       "daemon still answers after every case", buf);
	close(fd);
	return 0;
}
