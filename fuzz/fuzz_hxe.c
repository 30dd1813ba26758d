// SPDX-License-Identifier: MIT
/*
 * DOC: fuzz_hxe: the HXE loader on arbitrary files
 *
 * hsx_hxe_load() must reject every malformed image with an error (never
 * crash, never read outside the buffer: ASan checks every access).  An
 * accepted image is walked completely (code, rodata, every section's data,
 * every decoded mailbox and binding), then written back out with
 * hsx_hxe_write() and loaded again: what the loader accepts, the writer
 * must reproduce with the same header fields.  The input is also fed to
 * the `.mailbox` payload parser and the mode-string parser directly, so
 * their grammars are explored without first having to pass the CRC.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hxe/hxe.h"

static volatile uint8_t sink;

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_hxe: %s\n", what);
	abort();
}

static void touch(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sink ^= p[i];
}

static void walk(const struct hsx_hxe_image *img)
{
	size_t i, j;

	touch(img->code, img->hdr.code_len);
	touch(img->rodata, img->hdr.ro_len);
	for (i = 0; i < img->nsections; i++)
		touch(img->sections[i].data, img->sections[i].size);
	for (i = 0; i < img->nmailboxes; i++) {
		const struct hsx_hxe_mailbox *mb = &img->mailboxes[i];

		if (strnlen(mb->target, sizeof(mb->target)) == sizeof(mb->target))
			fail("mailbox target not NUL-terminated");
		for (j = 0; j < mb->nbindings; j++)
			sink ^= (uint8_t)mb->bindings[j].pid;
	}
	if (strnlen(img->hdr.app_name, sizeof(img->hdr.app_name)) ==
	    sizeof(img->hdr.app_name))
		fail("app_name not NUL-terminated");
}

static void round_trip(const struct hsx_hxe_image *img)
{
	struct hsx_hxe_meta_in meta[16];
	struct hsx_hxe_build b = { 0 };
	struct hsx_hxe_image *again = NULL;
	struct hsx_hxe_error err;
	uint8_t *out = NULL;
	size_t out_len, i;

	if (img->nsections > 16)
		return;
	for (i = 0; i < img->nsections; i++)
		meta[i] = (struct hsx_hxe_meta_in){ img->sections[i].type,
			img->sections[i].data, img->sections[i].size,
			img->sections[i].entry_count };
	b.version = img->hdr.version;
	b.flags = img->hdr.flags;
	b.entry = img->hdr.entry;
	b.req_caps = img->hdr.req_caps;
	b.app_name = img->hdr.app_name;
	b.code = img->code;
	b.code_len = img->hdr.code_len;
	b.rodata = img->rodata;
	b.ro_len = img->hdr.ro_len;
	b.meta = meta;
	b.nmeta = img->header_size == HSX_HXE_V1_HEADER_SIZE ? 0 : img->nsections;
	if (hsx_hxe_write(&b, &out, &out_len, &err) < 0)
		return; /* the writer may be stricter (e.g. v1 with sections) */
	if (hsx_hxe_load(out, out_len, &again, &err) < 0) {
		fprintf(stderr, "reload: %s\n", err.msg);
		fail("an image the writer produced does not load");
	}
	if (again->hdr.entry != img->hdr.entry ||
	    again->hdr.code_len != img->hdr.code_len ||
	    again->hdr.ro_len != img->hdr.ro_len ||
	    memcmp(again->code, img->code, img->hdr.code_len))
		fail("write/load round trip changed the image");
	hsx_hxe_free(again);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hsx_hxe_image *img = NULL;
	struct hsx_hxe_mailbox *mb = NULL;
	struct hsx_hxe_error err;
	size_t count = 0;
	uint32_t mask;
	char mode[64];

	if (hsx_hxe_load(data, size, &img, &err) == 0) {
		walk(img);
		round_trip(img);
		hsx_hxe_free(img);
	} else if (img) {
		fail("failed load left an image behind");
	} else if (!err.msg[0]) {
		fail("failed load without an error message");
	}
	/* As the loader does: the caller frees what a failed parse left. */
	hsx_hxe_parse_mailboxes(data, size, 0, &mb, &count, &err);
	hsx_hxe_free_mailboxes(mb, count);
	if (size < sizeof(mode)) {
		memcpy(mode, data, size);
		mode[size] = 0;
		hsx_hxe_parse_mode(mode, &mask, &err);
	}
	return 0;
}
