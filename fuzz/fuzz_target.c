// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DOC: fuzz_target: mbx_target_parse() on arbitrary bytes
 *
 * The first 2 bytes are the caller's pid, the rest the target string (not
 * NUL-terminated, as the kernel hands it over from userspace).  Checks:
 * the status is OK or INVALID_ARGUMENT; on OK the namespace is one of the
 * four, the name is NUL-terminated inside its array and no longer than
 * HSX_MBX_MAX_NAME_BYTES, and parsing the canonical form of the result
 * again (with pid 0, so nothing is implied by the caller) gives the same
 * (ns, owner, name): the parser is deterministic and canonical forms are
 * fixed points.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mbx/mbx.h"

static const char *const prefix[] = { "pid:", "svc:", "app:", "shared:" };

static void fail(const char *what, const uint8_t *s, size_t n)
{
	fprintf(stderr, "fuzz_target: %s: '%.*s'\n", what, (int)n, (const char *)s);
	abort();
}

static int canonical(const struct mbx_target *t, char *buf, size_t size)
{
	/* pid:N descriptors are looked up by their full name "pid:N". */
	if (t->ns == HSX_MBX_NAMESPACE_PID)
		return snprintf(buf, size, "%s", t->name);
	if (t->owner == MBX_NO_OWNER)
		return snprintf(buf, size, "%s%s", prefix[t->ns], t->name);
	return snprintf(buf, size, "%s%s@%u", prefix[t->ns], t->name, t->owner);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mbx_target t, again;
	char buf[128];
	__u32 st, pid;
	size_t len;
	int n;

	if (size < 2)
		return 0;
	pid = data[0] | data[1] << 8;
	memset(&t, 0x5A, sizeof(t));
	st = mbx_target_parse(&t, (const char *)data + 2, size - 2, pid);
	if (st == HSX_MBX_STATUS_INVALID_ARGUMENT)
		return 0;
	if (st != HSX_MBX_STATUS_OK)
		fail("unexpected status", data + 2, size - 2);
	if (t.ns > HSX_MBX_NAMESPACE_SHARED)
		fail("namespace out of range", data + 2, size - 2);
	len = strnlen(t.name, sizeof(t.name));
	if (len == sizeof(t.name) || len > HSX_MBX_MAX_NAME_BYTES)
		fail("name not terminated or too long", data + 2, size - 2);
	n = canonical(&t, buf, sizeof(buf));
	/* The 32-byte limit covers the whole target, prefix included: a
	 * long bare name has a canonical form too long to parse. */
	if (n <= 0 || n > HSX_MBX_MAX_NAME_BYTES)
		return 0;
	st = mbx_target_parse(&again, buf, n, 0);
	if (st != HSX_MBX_STATUS_OK || again.ns != t.ns || again.owner != t.owner ||
	    strcmp(again.name, t.name))
		fail("canonical form does not parse back to the same target",
		     (const uint8_t *)buf, n);
	return 0;
}
