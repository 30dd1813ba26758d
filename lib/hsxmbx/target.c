// SPDX-License-Identifier: MIT
/*
 * DOC: Targets and modes on the client side
 *
 * Tools need to name descriptors the way users type them: they parse a
 * target with the reference rules (section 1.2) to find it in a SNAPSHOT
 * without OPEN (which would auto-create it), and print each descriptor back
 * as its canonical target.  Mode masks are parsed from the names the HXE
 * `.mailbox` metadata uses ("rdwr|fanout_drop|tap").
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "hsxmbx/hsxmbx.h"

static const char *const ns_names[] = { "pid", "svc", "app", "shared" };

const char *hsxmbx_ns_name(uint32_t ns)
{
	return ns < 4 ? ns_names[ns] : "?";
}

/* Strict decimal u32 parse of [s, s+len); returns 0 or -EINVAL. */
static int parse_pid(const char *s, size_t len, uint32_t *out)
{
	unsigned long v = 0;

	if (len == 0 || len > 10)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > UINT32_MAX - 1)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* Split "base[@P]" into name and optional owner. */
static int parse_base(struct hsxmbx_target *t, const char *s, uint32_t *owner, bool *has_owner)
{
	const char *at = strchr(s, '@');
	size_t len = at ? (size_t)(at - s) : strlen(s);

	*has_owner = false;
	if (len == 0)
		return -EINVAL;
	memcpy(t->name, s, len);
	t->name[len] = '\0';
	/* Like the engine: "name@" keeps the namespace's default owner. */
	if (!at || !at[1])
		return 0;
	*has_owner = true;
	return parse_pid(at + 1, strlen(at + 1), owner);
}

static int parse_pid_ns(struct hsxmbx_target *t, const char *suffix, uint32_t pid)
{
	uint32_t n = pid;

	if (*suffix && parse_pid(suffix, strlen(suffix), &n) < 0)
		return -EINVAL;
	t->ns = HSX_MBX_NAMESPACE_PID;
	t->owner = n;
	snprintf(t->name, sizeof(t->name), "pid:%u", n);
	return 0;
}

struct ns_prefix {
	const char *prefix;
	uint32_t ns;
};

static const struct ns_prefix prefixes[] = {
	{ HSX_MBX_PREFIX_SVC, HSX_MBX_NAMESPACE_SVC },
	{ HSX_MBX_PREFIX_APP, HSX_MBX_NAMESPACE_APP },
	{ HSX_MBX_PREFIX_SHARED, HSX_MBX_NAMESPACE_SHARED },
};

/* svc: defaults to the caller; app: to no owner; shared: never has one. */
static uint32_t default_owner(uint32_t ns, uint32_t pid)
{
	return ns == HSX_MBX_NAMESPACE_SVC ? pid : HSXMBX_NO_OWNER;
}

int hsxmbx_target_parse(struct hsxmbx_target *out, const char *target, uint32_t pid)
{
	char buf[HSX_MBX_MAX_NAME_BYTES + 1];
	const char *rest;
	uint32_t ns = HSX_MBX_NAMESPACE_SVC, owner = 0;
	bool has_owner;

	memset(out, 0, sizeof(*out));
	if (!target || !*target)
		return -EINVAL;
	/* The reference truncates to the first 32 characters. */
	snprintf(buf, sizeof(buf), "%s", target);
	if (!strncmp(buf, HSX_MBX_PREFIX_PID, 4))
		return parse_pid_ns(out, buf + 4, pid);
	rest = buf;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i].prefix);

		if (!strncmp(buf, prefixes[i].prefix, n)) {
			ns = prefixes[i].ns;
			rest = buf + n;
			break;
		}
	}
	if (parse_base(out, rest, &owner, &has_owner) < 0)
		return -EINVAL;
	out->ns = ns;
	out->owner = has_owner && ns != HSX_MBX_NAMESPACE_SHARED ? owner : default_owner(ns, pid);
	return 0;
}

int hsxmbx_target_format(char *buf, size_t size, uint32_t ns, uint32_t owner, const char *name)
{
	switch (ns) {
	case HSX_MBX_NAMESPACE_PID:
		if (!strncmp(name, HSX_MBX_PREFIX_PID, 4))
			return snprintf(buf, size, "%s", name);
		return snprintf(buf, size, "pid:%s", name);
	case HSX_MBX_NAMESPACE_SVC:
		if (owner == HSXMBX_NO_OWNER)
			return snprintf(buf, size, "svc:%s", name);
		return snprintf(buf, size, "svc:%s@%u", name, owner);
	case HSX_MBX_NAMESPACE_APP:
		if (owner == HSXMBX_NO_OWNER)
			return snprintf(buf, size, "app:%s", name);
		return snprintf(buf, size, "app:%s@%u", name, owner);
	case HSX_MBX_NAMESPACE_SHARED:
		return snprintf(buf, size, "shared:%s", name);
	default:
		return snprintf(buf, size, "ns%u:%s", ns, name);
	}
}

struct mode_name {
	const char *name;
	uint32_t bits;
};

static const struct mode_name mode_names[] = {
	{ "rdonly", HSX_MBX_MODE_RDONLY },
	{ "readonly", HSX_MBX_MODE_RDONLY },
	{ "ro", HSX_MBX_MODE_RDONLY },
	{ "wronly", HSX_MBX_MODE_WRONLY },
	{ "writeonly", HSX_MBX_MODE_WRONLY },
	{ "wo", HSX_MBX_MODE_WRONLY },
	{ "rdwr", HSX_MBX_MODE_RDWR },
	{ "readwrite", HSX_MBX_MODE_RDWR },
	{ "rw", HSX_MBX_MODE_RDWR },
	{ "tap", HSX_MBX_MODE_TAP },
	{ "fanout", HSX_MBX_MODE_FANOUT },
	{ "fanout_drop", HSX_MBX_MODE_FANOUT_DROP },
	{ "drop", HSX_MBX_MODE_FANOUT_DROP },
	{ "fanout_block", HSX_MBX_MODE_FANOUT_BLOCK },
	{ "block", HSX_MBX_MODE_FANOUT_BLOCK },
};

#define N_MODE_NAMES (sizeof(mode_names) / sizeof(mode_names[0]))

/* One token (no separators): a name or a number. */
static int mode_token(const char *tok, size_t len, uint32_t *bits)
{
	char word[16], *end;
	unsigned long v;

	if (len == 0 || len >= sizeof(word))
		return -EINVAL;
	memcpy(word, tok, len);
	word[len] = '\0';
	for (size_t i = 0; i < N_MODE_NAMES; i++) {
		if (!strcasecmp(word, mode_names[i].name)) {
			*bits = mode_names[i].bits;
			return 0;
		}
	}
	if (!isdigit((unsigned char)word[0]))
		return -EINVAL;
	errno = 0;
	v = strtoul(word, &end, 0);
	if (errno || *end || v > UINT32_MAX)
		return -EINVAL;
	*bits = (uint32_t)v;
	return 0;
}

int hsxmbx_mode_parse(const char *text, uint32_t *mode)
{
	const char *p = text;
	uint32_t acc = 0, bits;

	if (!text || !*text)
		return -EINVAL;
	while (*p) {
		size_t len;

		while (isspace((unsigned char)*p))
			p++;
		len = strcspn(p, "|,+ \t");
		if (mode_token(p, len, &bits) < 0)
			return -EINVAL;
		acc |= bits;
		p += len;
		while (isspace((unsigned char)*p))
			p++;
		if (*p && !strchr("|,+", *p))
			return -EINVAL;
		if (*p && !*++p)
			return -EINVAL; /* trailing separator */
	}
	*mode = acc;
	return 0;
}

static const struct mode_name mode_bits[] = {
	{ "RDWR", HSX_MBX_MODE_RDWR },
	{ "RDONLY", HSX_MBX_MODE_RDONLY },
	{ "WRONLY", HSX_MBX_MODE_WRONLY },
	{ "TAP", HSX_MBX_MODE_TAP },
	{ "FANOUT", HSX_MBX_MODE_FANOUT },
	{ "FANOUT_DROP", HSX_MBX_MODE_FANOUT_DROP },
	{ "FANOUT_BLOCK", HSX_MBX_MODE_FANOUT_BLOCK },
};

/* snprintf at offset *n of buf, keeping the snprintf() total in *n. */
static void append(char *buf, size_t size, int *n, const char *sep, const char *word, uint32_t hex)
{
	size_t off = (size_t)*n;
	char *at = off < size ? buf + off : NULL;
	size_t room = off < size ? size - off : 0;

	if (word)
		*n += snprintf(at, room, "%s%s", sep, word);
	else
		*n += snprintf(at, room, "%s%#x", sep, hex);
}

int hsxmbx_mode_format(char *buf, size_t size, uint32_t mode)
{
	uint32_t left = mode;
	int n = 0;

	if (size)
		buf[0] = '\0';
	for (size_t i = 0; i < sizeof(mode_bits) / sizeof(mode_bits[0]); i++) {
		uint32_t b = mode_bits[i].bits;

		if ((left & b) != b)
			continue;
		left &= ~b;
		append(buf, size, &n, n ? "|" : "", mode_bits[i].name, 0);
	}
	if (left || !mode)
		append(buf, size, &n, n ? "|" : "", NULL, left);
	return n;
}
