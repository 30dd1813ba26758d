// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DOC: Checking the hand-declared record against tracefs
 *
 * The module has no BTF, so nothing but the format files says where a
 * field lives.  Before loading the BPF programs every field of struct
 * hsx_trace_tp is looked up in events/hsxmbx/<event>/format and its
 * offset and size compared.  The same walk tells apart "module not
 * loaded", "tracefs not reachable (rights)" and "layout changed".
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hsxtrace.h"

static const char *const tracefs_roots[] = {
	"/sys/kernel/tracing",
	"/sys/kernel/debug/tracing",
};

struct tp_field {
	const char *name;
	size_t offset;
	size_t size;
};

#define TP_FIELD(fld) { #fld, offsetof(struct hsx_trace_tp, f.fld), \
		      sizeof(((struct hsx_trace_tp *)0)->f.fld) }

static const struct tp_field tp_fields[] = {
	{ "common_type", offsetof(struct hsx_trace_tp, common_type), 2 },
	{ "common_pid", offsetof(struct hsx_trace_tp, common_pid), 4 },
	TP_FIELD(pid), TP_FIELD(descriptor), TP_FIELD(handle), TP_FIELD(ns),
	TP_FIELD(owner), TP_FIELD(length), TP_FIELD(flags), TP_FIELD(channel),
	TP_FIELD(src_pid), TP_FIELD(status), TP_FIELD(seq), TP_FIELD(timeout),
	TP_FIELD(capacity), TP_FIELD(bytes_used), TP_FIELD(requested),
	TP_FIELD(queue_depth), TP_FIELD(tap_pid), TP_FIELD(tap_handle),
	TP_FIELD(limit), TP_FIELD(handles), TP_FIELD(fn), TP_FIELD(reason),
	{ "name", offsetof(struct hsx_trace_tp, name_loc), 4 },
};

/* The name of a "field:u32 pid;" or "field:char name[40];" declaration. */
static int field_name(const char *decl, char *name, size_t size)
{
	const char *end = strchr(decl, ';');
	const char *start;
	size_t len;

	if (!end)
		return -1;
	while (end > decl && end[-1] == ']')
		end = memrchr(decl, '[', (size_t)(end - decl)) ?: decl;
	start = end;
	while (start > decl && start[-1] != ' ' && start[-1] != '\t')
		start--;
	len = (size_t)(end - start);
	if (!len || len >= size)
		return -1;
	memcpy(name, start, len);
	name[len] = '\0';
	return 0;
}

static const struct tp_field *lookup_field(const char *name)
{
	for (size_t i = 0; i < sizeof(tp_fields) / sizeof(tp_fields[0]); i++)
		if (!strcmp(tp_fields[i].name, name))
			return &tp_fields[i];
	return NULL;
}

/* Returns the number of our fields the file matched, or -1 on a mismatch. */
static int match_format(FILE *f, const char *path)
{
	char line[512], name[64];
	unsigned int off, size;
	int matched = 0;

	while (fgets(line, sizeof(line), f)) {
		char *decl = strstr(line, "field:");
		char *o = strstr(line, "offset:");
		const struct tp_field *want;

		if (!decl || !o || sscanf(o, "offset:%u;\tsize:%u;", &off, &size) != 2)
			continue;
		if (field_name(decl, name, sizeof(name)) || !(want = lookup_field(name)))
			continue;
		if (want->offset != off || want->size != size ||
		    (!strcmp(name, "name") && !strstr(decl, "__data_loc"))) {
			fprintf(stderr, "hsx-trace: %s: field %s at offset %u size %u, "
				"hsx-trace expects %zu/%zu (rebuild hsx-trace against "
				"kmod/trace.h)\n", path, name, off, size,
				want->offset, want->size);
			return -1;
		}
		matched++;
	}
	return matched;
}

static int check_one(const char *root, const char *event)
{
	char path[256];
	FILE *f;
	int matched;

	snprintf(path, sizeof(path), "%s/events/hsxmbx/%s/format", root, event);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	matched = match_format(f, path);
	fclose(f);
	if (matched < 0)
		return -EPROTO;
	if ((size_t)matched != sizeof(tp_fields) / sizeof(tp_fields[0])) {
		fprintf(stderr, "hsx-trace: %s: %d of %zu expected fields found\n",
			path, matched, sizeof(tp_fields) / sizeof(tp_fields[0]));
		return -EPROTO;
	}
	return 0;
}

/* The first tracefs mount that has an events directory we can search. */
static int find_tracefs(const char **root)
{
	char path[256];
	int err = -ENOENT;

	for (size_t i = 0; i < sizeof(tracefs_roots) / sizeof(tracefs_roots[0]); i++) {
		snprintf(path, sizeof(path), "%s/events", tracefs_roots[i]);
		if (!access(path, X_OK)) {
			*root = tracefs_roots[i];
			return 0;
		}
		if (errno == EACCES || errno == EPERM)
			err = -EACCES;
	}
	return err;
}

static int no_module(void)
{
	fprintf(stderr, "hsx-trace: the hsxmbx module is not loaded "
		"(no /sys/module/hsxmbx, no hsxmbx tracepoints): "
		"load it with 'modprobe hsxmbx' or 'insmod hsxmbx.ko'\n");
	return HSX_TRACE_EXIT_NO_MODULE;
}

int hsx_trace_check_formats(uint32_t mask)
{
	const char *root = NULL;
	int err;

	if (access("/sys/module/hsxmbx", F_OK))
		return no_module();
	err = find_tracefs(&root);
	if (err == -EACCES) {
		fprintf(stderr, "hsx-trace: permission denied reading tracefs: "
			"run as root (or with CAP_BPF, CAP_PERFMON and access to "
			"/sys/kernel/tracing)\n");
		return HSX_TRACE_EXIT_PERM;
	}
	if (err) {
		fprintf(stderr, "hsx-trace: tracefs is not mounted "
			"(mount -t tracefs tracefs /sys/kernel/tracing)\n");
		return HSX_TRACE_EXIT_FAIL;
	}
	for (uint32_t t = 0; t < HSX_TRACE_NTYPES; t++) {
		if (!(mask & (1u << t)))
			continue;
		err = check_one(root, hsx_trace_type_name(t));
		if (err == -ENOENT)
			return no_module();
		if (err == -EACCES || err == -EPERM) {
			fprintf(stderr, "hsx-trace: permission denied reading "
				"%s/events/hsxmbx: run as root\n", root);
			return HSX_TRACE_EXIT_PERM;
		}
		if (err)
			return HSX_TRACE_EXIT_FAIL;
	}
	return HSX_TRACE_EXIT_OK;
}
