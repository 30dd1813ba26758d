// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DOC: Target strings
 *
 * Parses "pid:N", "svc:base[@P]", "app:base[@P]", "shared:base[@P]" and
 * bare names (treated as svc:) exactly like the reference's _parse_target:
 * the input stops at its first NUL; svc: defaults the owner to the caller,
 * app: to "no owner", shared: parses and discards any @ suffix.  Where the
 * reference crashed (non-numeric @ or pid: suffix), accepted nonsense (an
 * empty base name) or silently truncated a target longer than 32
 * characters (so two long names could collide on one descriptor), the
 * engine returns INVALID_ARGUMENT (deviation 4).
 */
#include "mbx_internal.h"

struct mbx_prefix {
	const char *text;
	__u32 len;
	__u32 ns;
};

static const struct mbx_prefix mbx_prefixes[] = {
	{ HSX_MBX_PREFIX_PID, 4, HSX_MBX_NAMESPACE_PID },
	{ HSX_MBX_PREFIX_SVC, 4, HSX_MBX_NAMESPACE_SVC },
	{ HSX_MBX_PREFIX_APP, 4, HSX_MBX_NAMESPACE_APP },
	{ HSX_MBX_PREFIX_SHARED, 7, HSX_MBX_NAMESPACE_SHARED },
};

/* Decimal digits only; an owner must fit below MBX_NO_OWNER. */
static int mbx_parse_pid(const char *s, __u32 len, __u32 *out)
{
	__u64 v = 0;
	__u32 i;

	if (!len)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (__u32)(s[i] - '0');
		if (v >= MBX_NO_OWNER)
			return -1;
	}
	*out = (__u32)v;
	return 0;
}

static __u32 mbx_format_u32(char *buf, __u32 v)
{
	char tmp[10];
	__u32 n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

/* Split "base[@owner]": an empty owner keeps the default. */
static __u32 mbx_split_owner(struct mbx_target *out, const char *s, __u32 len, __u32 def_owner)
{
	__u32 at = 0;

	while (at < len && s[at] != '@')
		at++;
	if (at == 0)
		return HSX_MBX_STATUS_INVALID_ARGUMENT;
	__builtin_memcpy(out->name, s, at);
	out->name[at] = '\0';
	out->owner = def_owner;
	if (at + 1 < len && mbx_parse_pid(s + at + 1, len - at - 1, &out->owner))
		return HSX_MBX_STATUS_INVALID_ARGUMENT;
	return HSX_MBX_STATUS_OK;
}

static __u32 mbx_parse_pid_target(struct mbx_target *out, const char *s, __u32 len, __u32 pid)
{
	__u32 n;

	out->owner = pid;
	if (len && mbx_parse_pid(s, len, &out->owner))
		return HSX_MBX_STATUS_INVALID_ARGUMENT;
	__builtin_memcpy(out->name, HSX_MBX_PREFIX_PID, 4);
	n = 4 + mbx_format_u32(out->name + 4, out->owner);
	out->name[n] = '\0';
	return HSX_MBX_STATUS_OK;
}

static __u32 mbx_parse_rest(struct mbx_target *out, const char *s, __u32 len, __u32 pid)
{
	__u32 st;

	switch (out->ns) {
	case HSX_MBX_NAMESPACE_PID:
		return mbx_parse_pid_target(out, s, len, pid);
	case HSX_MBX_NAMESPACE_APP:
		return mbx_split_owner(out, s, len, MBX_NO_OWNER);
	case HSX_MBX_NAMESPACE_SHARED:
		st = mbx_split_owner(out, s, len, MBX_NO_OWNER);
		out->owner = MBX_NO_OWNER;
		return st;
	default:
		return mbx_split_owner(out, s, len, pid);
	}
}

__u32 mbx_target_parse(struct mbx_target *out, const char *target, __u32 len, __u32 pid)
{
	__u32 n = 0, i;

	__builtin_memset(out, 0, sizeof(*out));
	out->owner = MBX_NO_OWNER;
	if (!target)
		return HSX_MBX_STATUS_INVALID_ARGUMENT;
	while (n < len && n <= HSX_MBX_MAX_NAME_BYTES && target[n])
		n++;
	if (!n || n > HSX_MBX_MAX_NAME_BYTES)
		return HSX_MBX_STATUS_INVALID_ARGUMENT;
	out->ns = HSX_MBX_NAMESPACE_SVC;
	for (i = 0; i < MBX_ARRAY_SIZE(mbx_prefixes); i++) {
		const struct mbx_prefix *p = &mbx_prefixes[i];

		if (n >= p->len && !__builtin_memcmp(target, p->text, p->len)) {
			out->ns = p->ns;
			return mbx_parse_rest(out, target + p->len, n - p->len, pid);
		}
	}
	return mbx_parse_rest(out, target, n, pid);
}

static __u32 mbx_append(char *buf, __u32 size, __u32 pos, const char *s, __u32 n)
{
	__u32 room = pos < size ? size - 1 - pos : 0;

	if (n > room)
		n = room;
	__builtin_memcpy(buf + pos, s, n);
	return pos + n;
}

static __u32 mbx_strlen(const char *s)
{
	__u32 n = 0;

	while (s[n])
		n++;
	return n;
}

__u32 mbx_target_format(const struct mbx_desc *d, char *buf, __u32 size)
{
	static const char *const prefix[] = { "", "svc:", "app:", "shared:" };
	char num[11];
	__u32 pos = 0;
	int with_owner = d->ns == HSX_MBX_NAMESPACE_SVC ||
			 (d->ns == HSX_MBX_NAMESPACE_APP && d->owner != MBX_NO_OWNER);

	if (!size)
		return 0;
	if (d->ns < 4)
		pos = mbx_append(buf, size, pos, prefix[d->ns], mbx_strlen(prefix[d->ns]));
	pos = mbx_append(buf, size, pos, d->name, mbx_strlen(d->name));
	if (with_owner) {
		num[0] = '@';
		pos = mbx_append(buf, size, pos, num, 1 + mbx_format_u32(num + 1, d->owner));
	}
	buf[pos] = '\0';
	return pos;
}
