// SPDX-License-Identifier: MIT
/*
 * DOC: hsx-dis, the HXE disassembler
 *
 *   hsx-dis [-o out.mvasm] APP.hxe
 *
 * Prints the header (as comments), the metadata sections (as the
 * .mailbox/.value/.cmd directives that produce them), the code with a
 * label at every jump/call target and at the entry point, and the rodata
 * as `.data` + `.byte` rows.  The listing is valid MVASM:
 *
 *   hsx-dis app.hxe > app.mvasm
 *   hsx-as --app-name "$(name)" -o again.hxe app.mvasm   # same bytes
 *
 * for any image hsx-as wrote (v2, flags 0x0002, req_caps 0).  The app name
 * is not a directive; the header comment gives the --app-name to use.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/vm.h"
#include "dis.h"

struct listing {
	const struct hsx_hxe_image *img;
	uint32_t nwords;
	struct dis_insn *insn;   /* one per code word */
	uint8_t *start;          /* 1 = an instruction starts at this word */
	uint8_t *labelled;       /* 1 = a label goes here */
	char name[32];
};

static uint32_t word_at(const struct hsx_hxe_image *img, uint32_t i)
{
	const uint8_t *p = img->code + 4 * i;

	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static const char *label_of(uint32_t addr, void *arg)
{
	struct listing *l = arg;

	if (addr % 4 || addr / 4 >= l->nwords || !l->labelled[addr / 4])
		return NULL;
	snprintf(l->name, sizeof(l->name), "L_%04x", addr);
	return l->name;
}

/* Linear sweep, then mark the targets that land on instruction starts. */
static int analyse(struct listing *l)
{
	uint32_t i, n = l->nwords;

	l->insn = calloc(n ? n : 1, sizeof(*l->insn));
	l->start = calloc(n ? n : 1, 1);
	l->labelled = calloc(n ? n : 1, 1);
	if (!l->insn || !l->start || !l->labelled)
		return -1;
	for (i = 0; i < n; i++) {
		dis_decode(4 * i, word_at(l->img, i),
			   i + 1 < n ? word_at(l->img, i + 1) : 0, i + 1 < n,
			   &l->insn[i]);
		l->start[i] = 1;
		if (l->insn[i].wide)
			i++;
	}
	for (i = 0; i < n; i++) {
		const struct dis_insn *in = &l->insn[i];

		if (l->start[i] && in->target_kind && in->target % 4 == 0 &&
		    in->target / 4 < n && l->start[in->target / 4])
			l->labelled[in->target / 4] = 1;
	}
	if (l->img->hdr.entry / 4 < n)
		l->labelled[l->img->hdr.entry / 4] = 1;
	return 0;
}

static void print_header(FILE *out, const char *path,
			 const struct hsx_hxe_image *img)
{
	const struct hsx_hxe_header *h = &img->hdr;

	fprintf(out, "; hsx-dis listing of %s\n", path);
	fprintf(out, "; HXE v%u, flags 0x%04x, entry 0x%x, code_len %u, "
		"ro_len %u, bss_size %u, req_caps 0x%x, crc32 0x%08x\n",
		h->version, h->flags, h->entry, h->code_len, h->ro_len,
		h->bss_size, h->req_caps, h->crc32);
	if (h->version >= 2)
		fprintf(out, "; app_name \"%s\" (reassemble with "
			"hsx-as --app-name '%s'), %u metadata section(s)\n",
			h->app_name, h->app_name, h->meta_count);
	if (h->version != 2 || h->flags != HSX_HXE_FLAG_MULTI_INSTANCE ||
	    h->req_caps || h->bss_size)
		fprintf(out, "; note: hsx-as writes v2, flags 0x0002, req_caps 0 "
			"and bss_size 0; the header will differ\n");
}

static void print_code(FILE *out, struct listing *l)
{
	uint32_t i, n = l->nwords;
	char text[128];

	fprintf(out, "\n.text\n.entry %s\n", label_of(l->img->hdr.entry, l));
	for (i = 0; i < n; i++) {
		const struct dis_insn *in = &l->insn[i];
		uint32_t next = in->wide ? word_at(l->img, i + 1) : 0;

		if (l->labelled[i])
			fprintf(out, "%s:\n", label_of(4 * i, l));
		dis_format(in, 4 * i, next, label_of, l, text, sizeof(text));
		if (in->wide)
			fprintf(out, "    %-32s ; %04x: %08x %08x\n", text, 4 * i,
				in->word, next);
		else
			fprintf(out, "    %-32s ; %04x: %08x\n", text, 4 * i,
				in->word);
		if (in->wide)
			i++;
	}
}

/* hsx-as takes at most 8 operands per statement. */
#define BYTES_PER_ROW 8

static void print_rodata(FILE *out, const struct hsx_hxe_image *img)
{
	uint32_t i, j, n = img->hdr.ro_len;

	if (!n)
		return;
	fprintf(out, "\n.data\n");
	for (i = 0; i < n; i += BYTES_PER_ROW) {
		uint32_t row = n - i < BYTES_PER_ROW ? n - i : BYTES_PER_ROW;
		char ascii[BYTES_PER_ROW + 1] = { 0 };

		fprintf(out, "    .byte ");
		for (j = 0; j < row; j++) {
			uint8_t c = img->rodata[i + j];

			fprintf(out, "%s0x%02x", j ? ", " : "", c);
			ascii[j] = c >= 0x20 && c < 0x7F ? (char)c : '.';
		}
		fprintf(out, "%*s ; 0x%04x %s\n", (int)(BYTES_PER_ROW - row) * 6, "",
			HSX_VM_RODATA_BASE + i, ascii);
	}
}

static int disassemble(const char *path, FILE *out)
{
	struct hsx_hxe_error err;
	struct hsx_hxe_image *img;
	struct listing l = { 0 };
	int ret = 1;

	if (hsx_hxe_load_file(path, &img, &err)) {
		fprintf(stderr, "hsx-dis: %s: %s\n", path, err.msg);
		return 1;
	}
	l.img = img;
	l.nwords = img->hdr.code_len / 4;
	if (!analyse(&l)) {
		print_header(out, path, img);
		dis_metadata(out, img);
		print_code(out, &l);
		print_rodata(out, img);
		ret = ferror(out) ? 1 : 0;
	}
	free(l.insn);
	free(l.start);
	free(l.labelled);
	hsx_hxe_free(img);
	return ret;
}

static void usage(FILE *fp)
{
	fputs("Usage: hsx-dis [-o OUTPUT] APP.hxe\n"
	      "Disassemble an HXE image into MVASM that hsx-as reassembles to\n"
	      "the same bytes.\n\n"
	      "  -o, --output FILE   write the listing to FILE (default stdout)\n"
	      "  -h, --help          show this help\n", fp);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *output = NULL;
	FILE *out = stdout;
	int c, ret;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		if (c == 'o') {
			output = optarg;
		} else if (c == 'h') {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	if (output && !(out = fopen(output, "w"))) {
		perror(output);
		return 1;
	}
	ret = disassemble(argv[optind], out);
	if (output && fclose(out))
		ret = 1;
	return ret;
}
