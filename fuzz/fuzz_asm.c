// SPDX-License-Identifier: MIT
/*
 * DOC: fuzz_asm: the MVASM assembler and linker on arbitrary source
 *
 * Each input is written to a private temporary file (the assembler reads
 * sources by path, so .include handling is exercised as well) and
 * assembled and linked as one unit.  Errors are expected; crashes, leaks,
 * out-of-bounds accesses and undefined behaviour are not.  A successful
 * link must give a code size that is a whole number of words, an entry
 * inside the code, and a mailbox payload that is NUL-terminated JSON.
 * as_error() and as_intern() are the host's (tools/hsx-as/main.c holds
 * main()), so this harness provides quiet equivalents.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "as.h"

static char path[64];

void as_error(struct as_ctx *as, const struct as_loc *loc, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap); /* formats must be sound */
	va_end(ap);
	as->errors++;
}

const char *as_intern(struct as_ctx *as, const char *s)
{
	char **v;

	for (size_t i = 0; i < as->ninterned; i++)
		if (!strcmp(as->interned[i], s))
			return as->interned[i];
	v = realloc(as->interned, (as->ninterned + 1) * sizeof(*v));
	if (!v)
		abort();
	as->interned = v;
	v[as->ninterned] = strdup(s);
	return v[as->ninterned++];
}

static void check_output(const struct as_output *o)
{
	if (o->code_len % 4 || (o->code_len && o->entry >= o->code_len) ||
	    (o->mailbox_json && strnlen(o->mailbox_json, 1 << 20) == 1 << 20)) {
		fprintf(stderr, "fuzz_asm: bad link output (code_len %zu entry %u)\n",
			o->code_len, o->entry);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct as_ctx as = { 0 };
	struct as_unit unit = { 0 };
	struct as_output out = { 0 };
	FILE *fp;

	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/fuzz_asm.%d.mvasm", (int)getpid());
	fp = fopen(path, "w");
	if (!fp)
		abort();
	fwrite(data, 1, size, fp);
	fclose(fp);
	as_parse_file(&as, &unit, path);
	/* as_link() clears *out first and may fill it before failing. */
	if (!as.errors) {
		if (!as_link(&as, &unit, 1, &out))
			check_output(&out);
		free(out.code);
		free(out.rodata);
		free(out.mailbox_json);
	}
	as_unit_free(&unit);
	for (size_t i = 0; i < as.ninterned; i++)
		free(as.interned[i]);
	free(as.interned);
	return 0;
}
