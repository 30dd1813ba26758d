/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HSXMBX_DEBUGFS_H
#define HSXMBX_DEBUGFS_H

void hsxmbx_debugfs_init(void);
void hsxmbx_debugfs_exit(void);

#endif /* HSXMBX_DEBUGFS_H */
