// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DOC: Tasks
 *
 * A registered task (pid != 0) is unique per pid and gets the reference's
 * per-task mailboxes: svc:stdio.in/out/err and pid:<pid>, each pinned by
 * the task, then handles 1-3 on the stdio streams.  Host actors (pid 0)
 * are anonymous: each has a private handle table and owns nothing.
 *
 * Teardown (deviation 2) closes every handle (which cancels waits and
 * requeues parked data), drops the task's pins and destroys every
 * descriptor the task owns, then frees the task.
 */
#include "mbx_internal.h"

static const char *const mbx_stdio_targets[3] = {
	HSX_MBX_STDIO_IN,
	HSX_MBX_STDIO_OUT,
	HSX_MBX_STDIO_ERR,
};

static __u32 mbx_strlen32(const char *s)
{
	__u32 n = 0;

	while (s[n])
		n++;
	return n;
}

static struct mbx_task *mbx_task_new(struct mbx_engine *eng, __u32 pid)
{
	struct mbx_task *t = mbx_zalloc(eng, MBX_OBJ_TASK, sizeof(*t));

	if (!t)
		return 0;
	mbx_list_init(&t->handles);
	mbx_list_init(&t->pins);
	t->pid = pid;
	t->uid = eng->next_task_uid++;
	/* VM tasks' stdio must be handles 1-3 (reference register_task). */
	t->next_handle = pid || !eng->cfg.id_start ? 1 : eng->cfg.id_start;
	mbx_list_add_tail(&t->all_node, &eng->tasks);
	eng->ntasks++;
	return t;
}

struct mbx_task *mbx_task_create_host(struct mbx_engine *eng)
{
	return mbx_task_new(eng, 0);
}

struct mbx_task *mbx_task_lookup(struct mbx_engine *eng, __u32 pid)
{
	struct mbx_hnode *n = mbx_htab_bucket(&eng->tasks_by_pid, mbx_hash_u32(pid, 1));

	for (; n; n = n->next) {
		struct mbx_task *t = mbx_container_of(n, struct mbx_task, pid_node);

		if (t->pid == pid)
			return t;
	}
	return 0;
}

/* The reference's register_task: four pinned descriptors, then 1-3. */
static __u32 mbx_task_populate(struct mbx_engine *eng, struct mbx_task *t, __u32 capacity,
			       __u32 mode)
{
	char pidname[16] = "pid:";
	__u32 i, st, n, h, v = t->pid, digits = 0;

	for (i = 0; i < 3; i++) {
		const char *tg = mbx_stdio_targets[i];
		__u32 m = mode ? mode : eng->stdio_mode[i];

		st = mbx_bind(eng, t, tg, mbx_strlen32(tg), capacity, m, 0);
		if (st)
			return st;
	}
	do {
		digits++;
		v /= 10;
	} while (v);
	for (n = 4 + digits, v = t->pid; n > 4; v /= 10)
		pidname[--n] = (char)('0' + v % 10);
	st = mbx_bind(eng, t, pidname, 4 + digits, 0, HSX_MBX_MODE_RDWR, 0);
	for (i = 0; i < 3 && !st; i++)
		st = mbx_open(eng, t, mbx_stdio_targets[i], mbx_strlen32(mbx_stdio_targets[i]), 0,
			      &h);
	return st;
}

__u32 mbx_task_register_with(struct mbx_engine *eng, __u32 pid, __u32 stdio_capacity,
			     __u32 stdio_mode, struct mbx_task **out)
{
	struct mbx_task *t;
	__u32 st;

	if (out)
		*out = 0;
	if (!pid || pid == MBX_NO_OWNER || stdio_capacity > HSX_MBX_MAX_CAPACITY ||
	    (stdio_mode & ~MBX_MODE_VALID))
		return HSX_MBX_STATUS_INVALID_ARGUMENT;
	if (mbx_task_lookup(eng, pid))
		return HSX_MBX_STATUS_INVALID_ARGUMENT;
	t = mbx_task_new(eng, pid);
	if (!t)
		return HSX_MBX_STATUS_INTERNAL_ERROR;
	t->registered = 1;
	mbx_htab_add(eng, &eng->tasks_by_pid, &t->pid_node, mbx_hash_u32(pid, 1));
	st = mbx_task_populate(eng, t, stdio_capacity ? stdio_capacity : eng->cfg.stdio_capacity,
			       stdio_mode);
	if (st) {
		mbx_task_teardown(eng, t);
		return st;
	}
	if (out)
		*out = t;
	return HSX_MBX_STATUS_OK;
}

__u32 mbx_task_register(struct mbx_engine *eng, __u32 pid, struct mbx_task **out)
{
	return mbx_task_register_with(eng, pid, 0, 0, out);
}

void mbx_task_teardown(struct mbx_engine *eng, struct mbx_task *t)
{
	while (!mbx_list_empty(&t->handles))
		mbx_handle_destroy(eng,
				   mbx_list_entry(t->handles.next, struct mbx_handle, task_node));
	while (!mbx_list_empty(&t->pins))
		mbx_pin_drop(eng, mbx_list_entry(t->pins.next, struct mbx_pin, task_node));
	if (t->registered) {
		mbx_htab_del(&eng->tasks_by_pid, &t->pid_node);
		mbx_desc_destroy_owned(eng, t->pid);
	}
	mbx_list_del(&t->all_node);
	eng->ntasks--;
	mbx_free(eng, MBX_OBJ_TASK, t, sizeof(*t));
}

__u32 mbx_task_pid(const struct mbx_task *t)
{
	return t->pid;
}

void mbx_task_counters(const struct mbx_task *t, struct mbx_task_counters *out)
{
	*out = t->counters;
}
