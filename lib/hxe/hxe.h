/* SPDX-License-Identifier: MIT */
/*
 * DOC: HXE executable loader and writer, public API
 *
 * HXE v1 (32-byte header) and v2 (96-byte header plus metadata table),
 * exactly as hsx-reference.md section 4.  All header fields are big-endian.
 * The CRC is zlib's crc32 over file[0:0x1C] ++ file[header_size:].
 *
 * Loading validates everything and, on failure, fills a struct
 * hsx_hxe_error naming the field and the byte offset at fault, e.g.
 * "crc32 at 0x1c: stored 0x12345678, computed 0x9abcdef0".
 *
 * Metadata (v2): the table of 16-byte entries (type, offset, size,
 * entry_count) is exposed raw in sections[]; `.mailbox` (type 3) is also
 * decoded, from JSON (json-c) or the legacy 16-byte binary entries, into
 * mailboxes[].  `.value` (type 1, 20-byte entries) and `.cmd` (type 2,
 * 16-byte entries) are validated for size and exposed raw.
 *
 * Link with HXE_LDLIBS (-lz -ljson-c).
 */
#ifndef HSX_HXE_H
#define HSX_HXE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HSX_HXE_MAGIC 0x48535845u /* "HSXE" */
#define HSX_HXE_V1_HEADER_SIZE 32u
#define HSX_HXE_V2_HEADER_SIZE 96u
#define HSX_HXE_MAX_LEN 0x10000u      /* code_len, ro_len, bss_size */
#define HSX_HXE_APP_NAME_MAX 31u
#define HSX_HXE_META_ENTRY_SIZE 16u

#define HSX_HXE_FLAG_MANIFEST 0x0001u
#define HSX_HXE_FLAG_MULTI_INSTANCE 0x0002u /* the linker sets it */

#define HSX_HXE_SECT_VALUE 1u
#define HSX_HXE_SECT_CMD 2u
#define HSX_HXE_SECT_MAILBOX 3u
#define HSX_HXE_VALUE_ENTRY_SIZE 20u
#define HSX_HXE_CMD_ENTRY_SIZE 16u
#define HSX_HXE_MAILBOX_BIN_ENTRY_SIZE 16u

/* Error classes; hsx_hxe_error.msg has the precise text. */
enum hsx_hxe_errcode {
	HSX_HXE_OK = 0,
	HSX_HXE_E_TRUNCATED,   /* file shorter than a field/section needs */
	HSX_HXE_E_MAGIC,
	HSX_HXE_E_VERSION,     /* "unsupported_version:N" */
	HSX_HXE_E_CRC,
	HSX_HXE_E_ALIGN,       /* entry or code_len not 4-aligned */
	HSX_HXE_E_RANGE,       /* entry >= code_len, length > 64 KiB... */
	HSX_HXE_E_RESERVED,    /* v2 reserved bytes not zero */
	HSX_HXE_E_NAME,        /* app_name / target not ASCII or too long */
	HSX_HXE_E_META,        /* metadata table overlaps or out of file */
	HSX_HXE_E_JSON,        /* invalid JSON or wrong JSON shape */
	HSX_HXE_E_MODE,        /* unknown mode name */
	HSX_HXE_E_NOMEM,
	HSX_HXE_E_IO,          /* file read/write error (errno kept) */
	HSX_HXE_E_ARG,         /* invalid argument to the writer */
};

struct hsx_hxe_error {
	enum hsx_hxe_errcode code;
	const char *field;  /* static name of the field at fault, or NULL */
	uint32_t offset;    /* file offset of that field */
	char msg[256];      /* "field at 0xOFF: what is wrong" */
};

struct hsx_hxe_header {
	uint32_t magic;
	uint16_t version;
	uint16_t flags;
	uint32_t entry;
	uint32_t code_len;
	uint32_t ro_len;
	uint32_t bss_size;
	uint32_t req_caps;
	uint32_t crc32;
	char app_name[32];  /* v2; NUL-terminated, "" for v1 */
	uint32_t meta_offset;
	uint32_t meta_count;
};

/* One metadata table entry; data points into the image's file copy. */
struct hsx_hxe_section {
	uint32_t type;
	uint32_t offset;
	uint32_t size;
	uint32_t entry_count;
	const uint8_t *data;
};

struct hsx_hxe_binding {
	int64_t pid;
	int64_t flags;
};

/* A decoded `.mailbox` entry. */
struct hsx_hxe_mailbox {
	char target[64];      /* as written; the engine truncates to 32 */
	uint32_t capacity;    /* 0 = default */
	uint32_t mode_mask;   /* 0/absent is reported as RDWR (3) */
	int64_t owner_pid;    /* -1 = absent (bind as the loading pid) */
	uint64_t reserved;
	struct hsx_hxe_binding *bindings;
	size_t nbindings;
};

struct hsx_hxe_image {
	struct hsx_hxe_header hdr;
	size_t header_size;
	uint8_t *file;        /* owned copy of the whole file */
	size_t file_len;
	const uint8_t *code;  /* hdr.code_len bytes, big-endian words */
	const uint8_t *rodata; /* hdr.ro_len bytes */
	struct hsx_hxe_section *sections;
	size_t nsections;
	struct hsx_hxe_mailbox *mailboxes;
	size_t nmailboxes;
};

/* Load from memory (the buffer is copied) or from a file. 0 or -1 + err. */
int hsx_hxe_load(const void *buf, size_t len, struct hsx_hxe_image **out,
		 struct hsx_hxe_error *err);
int hsx_hxe_load_file(const char *path, struct hsx_hxe_image **out,
		      struct hsx_hxe_error *err);
void hsx_hxe_free(struct hsx_hxe_image *img);

/* CRC as the format defines it, over a complete file image. */
uint32_t hsx_hxe_crc(const uint8_t *file, size_t len, size_t header_size);

/*
 * Parse a mode string ("rdwr|fanout_drop|tap", "rw | tap", ...; names
 * joined by '|' or ',', case-insensitive).  Unknown name: -1 + err.
 */
int hsx_hxe_parse_mode(const char *s, uint32_t *mask,
		       struct hsx_hxe_error *err);

/*
 * Parse a `.mailbox` section payload (JSON object/array or legacy binary
 * entries).  @base is the payload's file offset, used in messages.
 */
int hsx_hxe_parse_mailboxes(const uint8_t *data, size_t len, uint32_t base,
			    struct hsx_hxe_mailbox **out, size_t *count,
			    struct hsx_hxe_error *err);
void hsx_hxe_free_mailboxes(struct hsx_hxe_mailbox *mb, size_t count);

/* --- writer ----------------------------------------------------------- */

struct hsx_hxe_meta_in {
	uint32_t type;
	const void *data;
	size_t size;
	uint32_t entry_count;
};

struct hsx_hxe_build {
	unsigned int version;   /* 1 or 2 (default 2 when 0) */
	uint16_t flags;
	uint32_t entry;
	uint32_t req_caps;
	const char *app_name;   /* v2, ASCII, <= 31 chars */
	const void *code;
	size_t code_len;
	const void *rodata;
	size_t ro_len;
	const struct hsx_hxe_meta_in *meta;
	size_t nmeta;
};

/*
 * Serialise @b into a malloc'd buffer (*out, *out_len); the layout is
 * header, code, rodata, metadata table, payloads, with the CRC filled in.
 */
int hsx_hxe_write(const struct hsx_hxe_build *b, uint8_t **out,
		  size_t *out_len, struct hsx_hxe_error *err);
int hsx_hxe_write_file(const char *path, const struct hsx_hxe_build *b,
		       struct hsx_hxe_error *err);

/*
 * Build the linker's `.mailbox` payload from a JSON array of entry objects
 * given as text: {"mailboxes":[...],"version":1}, compact, sorted keys.
 * Returns a malloc'd NUL-terminated string or NULL + err.
 */
char *hsx_hxe_mailbox_json(const char *entries_json_array,
			   struct hsx_hxe_error *err);

#ifdef __cplusplus
}
#endif

#endif /* HSX_HXE_H */
