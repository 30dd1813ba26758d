/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HSXMBX_MAIN_H
#define HSXMBX_MAIN_H

#include "uapi/hsxmbx.h"

#endif /* HSXMBX_MAIN_H */
