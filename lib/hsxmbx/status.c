// SPDX-License-Identifier: MIT
/*
 * DOC: Status names and the status/errno table
 *
 * One table drives hsxmbx_strstatus(), hsxmbx_status_errno() and its
 * inverse, so the three can never disagree.  The table is documented in
 * hsxmbx.h; keep both in sync.
 */
#include <errno.h>

#include "hsxmbx/hsxmbx.h"

struct status_entry {
	uint32_t status;
	int err;
	const char *name;
};

static const struct status_entry status_table[] = {
	{ HSX_MBX_STATUS_OK, 0, "OK" },
	{ HSX_MBX_STATUS_WOULDBLOCK, EAGAIN, "WOULDBLOCK" },
	{ HSX_MBX_STATUS_INVALID_HANDLE, EBADF, "INVALID_HANDLE" },
	{ HSX_MBX_STATUS_NO_DATA, ENODATA, "NO_DATA" },
	{ HSX_MBX_STATUS_MSG_TOO_LARGE, EMSGSIZE, "MSG_TOO_LARGE" },
	{ HSX_MBX_STATUS_NO_DESCRIPTOR, ENOSPC, "NO_DESCRIPTOR" },
	{ HSX_MBX_STATUS_TIMEOUT, ETIMEDOUT, "TIMEOUT" },
	{ HSX_MBX_STATUS_PERMISSION_DENIED, EACCES, "PERMISSION_DENIED" },
	{ HSX_MBX_STATUS_INVALID_ARGUMENT, EINVAL, "INVALID_ARGUMENT" },
	{ HSX_MBX_STATUS_DESTROYED, EPIPE, "DESTROYED" },
	{ HSX_MBX_STATUS_INTERNAL_ERROR, EIO, "INTERNAL_ERROR" },
};

#define N_STATUS (sizeof(status_table) / sizeof(status_table[0]))

static const struct status_entry *status_find(uint32_t status)
{
	for (size_t i = 0; i < N_STATUS; i++)
		if (status_table[i].status == status)
			return &status_table[i];
	return NULL;
}

const char *hsxmbx_strstatus(uint32_t status)
{
	const struct status_entry *e = status_find(status);

	return e ? e->name : "UNKNOWN_STATUS";
}

int hsxmbx_status_errno(uint32_t status)
{
	const struct status_entry *e = status_find(status);

	return e ? -e->err : -EPROTO;
}

uint32_t hsxmbx_errno_status(int err)
{
	if (err < 0)
		err = -err;
	for (size_t i = 0; i < N_STATUS; i++)
		if (status_table[i].err == err)
			return status_table[i].status;
	return HSX_MBX_STATUS_INTERNAL_ERROR;
}
