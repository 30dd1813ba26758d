/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HSXMBX_QUOTA_H
#define HSXMBX_QUOTA_H

#include <linux/seq_file.h>
#include <linux/types.h>
#include <linux/uidgid.h>

struct hsxmbx_ctl;

/**
 * struct hsxmbx_quota_charge - who pays for one descriptor
 * @charged: the descriptor counts against @uid's quota
 * @uid: the opener of the control file that created it
 */
struct hsxmbx_quota_charge {
	bool charged;
	kuid_t uid;
};

void hsxmbx_quota_init(int per_user, u32 max_descriptors);
void hsxmbx_quota_exit(void);

/* Under the engine lock, around engine calls that may create descriptors. */
void hsxmbx_quota_set_payer(const struct hsxmbx_ctl *ctl);
void hsxmbx_quota_clear_payer(void);
bool hsxmbx_quota_payer_uid(kuid_t *uid);

/* desc_created/desc_destroyed: an HSX status (NO_DESCRIPTOR over quota). */
u32 hsxmbx_quota_charge(struct hsxmbx_quota_charge *c);
void hsxmbx_quota_uncharge(struct hsxmbx_quota_charge *c);

u32 hsxmbx_quota_limit(void);
void hsxmbx_quota_show(struct seq_file *m);

#endif /* HSXMBX_QUOTA_H */
