// SPDX-License-Identifier: MIT
/*
 * DOC: hsx-as command line
 *
 *   hsx-as [-o out.hxe] [--app-name NAME] [-I DIR]... FILE.mvasm...
 *
 * Assembles every input as its own unit, links them and writes an HXE v2
 * image (flags: allow multiple instances, as the reference linker sets).
 * Errors go to stderr as "file:line:col: error: ..."; the exit status is
 * 1 when anything failed, and no output file is left behind.
 */
#include <getopt.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hxe/hxe.h"
#include "as.h"

void as_error(struct as_ctx *as, const struct as_loc *loc, const char *fmt, ...)
{
	va_list ap;

	if (loc && loc->line)
		fprintf(stderr, "%s:%d:%d: error: ", loc->file, loc->line,
			loc->col ? loc->col : 1);
	else
		fprintf(stderr, "%s: error: ", loc && loc->file ? loc->file
							 : "hsx-as");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	as->errors++;
}

const char *as_intern(struct as_ctx *as, const char *s)
{
	size_t i;
	char **v;

	for (i = 0; i < as->ninterned; i++)
		if (!strcmp(as->interned[i], s))
			return as->interned[i];
	v = realloc(as->interned, (as->ninterned + 1) * sizeof(*v));
	if (!v)
		return s;
	as->interned = v;
	v[as->ninterned] = strdup(s);
	return v[as->ninterned++];
}

static void usage(FILE *fp)
{
	fputs("Usage: hsx-as [OPTION]... FILE.mvasm...\n"
	      "Assemble and link MVASM sources into an HXE v2 executable.\n\n"
	      "  -o, --output FILE     write FILE (default: first input with .hxe)\n"
	      "  -n, --app-name NAME   app name in the header (default: output\n"
	      "                        file name without extension, <= 31 chars)\n"
	      "  -I, --include DIR     search DIR for .include files\n"
	      "  -h, --help            show this help\n", fp);
}

static char *default_name(const char *path, const char *ext)
{
	char *copy = strdup(path), *base = basename(copy), *dot;
	char *out;

	dot = strrchr(base, '.');
	if (dot && dot != base)
		*dot = 0;
	if (asprintf(&out, "%s%s", base, ext) < 0)
		out = NULL;
	free(copy);
	return out;
}

/* Metadata sections in type order: .value (1), .cmd (2), .mailbox (3). */
static size_t collect_meta(const struct as_output *o,
			   struct hsx_hxe_meta_in meta[3])
{
	size_t n = 0;

	if (o->value_count)
		meta[n++] = (struct hsx_hxe_meta_in){
			.type = HSX_HXE_SECT_VALUE, .data = o->value_sect.data,
			.size = o->value_sect.len, .entry_count = o->value_count,
		};
	if (o->cmd_count)
		meta[n++] = (struct hsx_hxe_meta_in){
			.type = HSX_HXE_SECT_CMD, .data = o->cmd_sect.data,
			.size = o->cmd_sect.len, .entry_count = o->cmd_count,
		};
	if (o->mailbox_json)
		meta[n++] = (struct hsx_hxe_meta_in){
			.type = HSX_HXE_SECT_MAILBOX, .data = o->mailbox_json,
			.size = strlen(o->mailbox_json),
			.entry_count = o->mailbox_count,
		};
	return n;
}

static int write_output(struct as_ctx *as, const struct as_output *o,
			const char *path, const char *app_name)
{
	struct hsx_hxe_meta_in meta[3];
	struct hsx_hxe_build b = {
		.version = 2, .flags = HSX_HXE_FLAG_MULTI_INSTANCE,
		.entry = o->entry, .app_name = app_name, .code = o->code,
		.code_len = o->code_len, .rodata = o->rodata,
		.ro_len = o->ro_len, .meta = meta,
	};
	struct hsx_hxe_error err;
	struct as_loc l = { path, 0, 0 };

	b.nmeta = collect_meta(o, meta);
	if (hsx_hxe_write_file(path, &b, &err)) {
		as_error(as, &l, "%s", err.msg);
		unlink(path);
		return -1;
	}
	return 0;
}

static int assemble(struct as_ctx *as, char **inputs, int n,
		    const char *output, const char *app_name)
{
	struct as_unit *units = calloc(n, sizeof(*units));
	struct as_output out = { 0 };
	int i, ret = 1;

	for (i = 0; i < n; i++)
		as_parse_file(as, &units[i], inputs[i]);
	if (!as->errors && !as_link(as, units, n, &out)) {
		ret = write_output(as, &out, output, app_name) ? 1 : 0;
	}
	free(out.code);
	free(out.rodata);
	free(out.mailbox_json);
	free(out.value_sect.data);
	free(out.cmd_sect.data);
	for (i = 0; i < n; i++)
		as_unit_free(&units[i]);
	free(units);
	return as->errors ? 1 : ret;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "app-name", required_argument, NULL, 'n' },
		{ "include", required_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct as_ctx as = { 0 };
	char *output = NULL, *app_name = NULL, *name = NULL, *out_default = NULL;
	int c, ret;
	size_t i;

	while ((c = getopt_long(argc, argv, "o:n:I:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'n':
			app_name = optarg;
			break;
		case 'I':
			as.incdirs = realloc(as.incdirs, (as.nincdirs + 1) *
					     sizeof(*as.incdirs));
			as.incdirs[as.nincdirs++] = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	if (!output)
		output = out_default = default_name(argv[optind], ".hxe");
	if (!app_name) {
		app_name = name = default_name(output, "");
		if (strlen(name) > HSX_HXE_APP_NAME_MAX)
			name[HSX_HXE_APP_NAME_MAX] = 0;
	}
	ret = assemble(&as, argv + optind, argc - optind, output, app_name);
	for (i = 0; i < as.ninterned; i++)
		free(as.interned[i]);
	free(as.interned);
	free(as.incdirs);
	free(name);
	free(out_default);
	return ret;
}
