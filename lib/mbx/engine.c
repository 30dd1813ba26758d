// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DOC: Engine lifetime and profiles
 *
 * An engine owns every task, descriptor, handle and table it created.
 * The configuration is copied and its zero fields replaced by defaults,
 * so mbx_engine_config() always reports the values in effect.  The two
 * reference profiles (section 1.3) are available through
 * mbx_config_profile().
 */
#include "mbx_internal.h"

#define MBX_INITIAL_BUCKETS 64u

int mbx_config_profile(struct mbx_config *cfg, __u32 profile)
{
	__builtin_memset(cfg, 0, sizeof(*cfg));
	cfg->default_capacity = HSX_MBX_DEFAULT_RING_CAPACITY;
	cfg->max_msg_bytes = HSX_MBX_MAX_MSG_BYTES;
	cfg->stdio_capacity = HSX_MBX_STDIO_CAPACITY;
	cfg->stdio_mode = HSX_MBX_MODE_RDWR;
	switch (profile) {
	case HSX_MBX_PROFILE_DESKTOP:
		cfg->max_descriptors = HSX_MBX_DESKTOP_MAX_DESCRIPTORS;
		cfg->handles_per_pid = HSX_MBX_DESKTOP_HANDLES_PER_PID;
		cfg->tap_rate_limit = HSX_MBX_DESKTOP_TAP_RATE_LIMIT;
		return 0;
	case HSX_MBX_PROFILE_EMBEDDED:
		cfg->max_descriptors = HSX_MBX_EMBEDDED_MAX_DESCRIPTORS;
		cfg->handles_per_pid = HSX_MBX_EMBEDDED_HANDLES_PER_PID;
		cfg->tap_rate_limit = HSX_MBX_EMBEDDED_TAP_RATE_LIMIT;
		return 0;
	default:
		return -1;
	}
}

static void mbx_config_fill(struct mbx_config *cfg)
{
	if (!cfg->default_capacity)
		cfg->default_capacity = HSX_MBX_DEFAULT_RING_CAPACITY;
	if (!cfg->max_msg_bytes)
		cfg->max_msg_bytes = HSX_MBX_MAX_MSG_BYTES;
	if (!cfg->stdio_capacity)
		cfg->stdio_capacity = HSX_MBX_STDIO_CAPACITY;
	if (!cfg->stdio_mode)
		cfg->stdio_mode = HSX_MBX_MODE_RDWR;
}

static int mbx_engine_tables(struct mbx_engine *eng)
{
	if (mbx_htab_init(eng, &eng->tasks_by_pid, MBX_INITIAL_BUCKETS) ||
	    mbx_htab_init(eng, &eng->desc_by_key, MBX_INITIAL_BUCKETS) ||
	    mbx_htab_init(eng, &eng->desc_by_id, MBX_INITIAL_BUCKETS) ||
	    mbx_htab_init(eng, &eng->desc_by_owner, MBX_INITIAL_BUCKETS) ||
	    mbx_htab_init(eng, &eng->handles, MBX_INITIAL_BUCKETS))
		return -1;
	return 0;
}

static void mbx_engine_free_tables(struct mbx_engine *eng)
{
	mbx_htab_fini(eng, &eng->tasks_by_pid);
	mbx_htab_fini(eng, &eng->desc_by_key);
	mbx_htab_fini(eng, &eng->desc_by_id);
	mbx_htab_fini(eng, &eng->desc_by_owner);
	mbx_htab_fini(eng, &eng->handles);
}

struct mbx_engine *mbx_engine_create(const struct mbx_config *cfg, const struct mbx_ops *ops,
				     void *host)
{
	struct mbx_engine *eng;

	if (!ops || !ops->alloc || !ops->free)
		return 0;
	eng = ops->alloc(host, MBX_OBJ_ENGINE, sizeof(*eng));
	if (!eng)
		return 0;
	__builtin_memset(eng, 0, sizeof(*eng));
	eng->ops = ops;
	eng->host = host;
	if (cfg)
		eng->cfg = *cfg;
	mbx_config_fill(&eng->cfg);
	eng->stdio_mode[0] = eng->cfg.stdio_mode;
	eng->stdio_mode[1] = eng->cfg.stdio_mode;
	eng->stdio_mode[2] = eng->cfg.stdio_mode;
	eng->next_desc_id = eng->cfg.id_start ? eng->cfg.id_start : 1;
	eng->next_task_uid = 1;
	mbx_list_init(&eng->tasks);
	mbx_list_init(&eng->descs);
	if (mbx_engine_tables(eng)) {
		mbx_engine_free_tables(eng);
		ops->free(host, MBX_OBJ_ENGINE, eng, sizeof(*eng));
		return 0;
	}
	return eng;
}

void mbx_engine_destroy(struct mbx_engine *eng)
{
	if (!eng)
		return;
	while (!mbx_list_empty(&eng->tasks))
		mbx_task_teardown(eng, mbx_list_entry(eng->tasks.next, struct mbx_task, all_node));
	mbx_desc_free_all(eng);
	mbx_engine_free_tables(eng);
	eng->ops->free(eng->host, MBX_OBJ_ENGINE, eng, sizeof(*eng));
}

const struct mbx_config *mbx_engine_config(const struct mbx_engine *eng)
{
	return &eng->cfg;
}
