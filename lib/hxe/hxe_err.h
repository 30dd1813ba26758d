/* SPDX-License-Identifier: MIT */
/*
 * DOC: error reporting shared by the HXE loader, metadata parser and writer
 */
#ifndef HSX_HXE_ERR_H
#define HSX_HXE_ERR_H

#include "hxe/hxe.h"

/* Fill @err ("FIELD at 0xOFF: message") and return -1. */
int hxe_fail(struct hsx_hxe_error *err, enum hsx_hxe_errcode code,
	     const char *field, uint32_t offset, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Parse and validate the v2 metadata table of a loaded image. */
int hxe_parse_meta(struct hsx_hxe_image *img, struct hsx_hxe_error *err);

static inline uint32_t hxe_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline uint16_t hxe_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void hxe_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static inline void hxe_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

#endif /* HSX_HXE_ERR_H */
