/* SPDX-License-Identifier: MIT */
/*
 * DOC: lib/svc internals shared by its files (not part of the API)
 */
#ifndef HSX_SVC_INTERNAL_H
#define HSX_SVC_INTERNAL_H

#include "svc/svc.h"

/* R0 = st->call.status, plus the error event (not for WOULDBLOCK). */
void svc_fail(struct svc *svc, struct svc_task *st);

#endif /* HSX_SVC_INTERNAL_H */
