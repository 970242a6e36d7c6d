/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* Internal, freestanding helpers shared by stamp_core.c and the rest of the library. */
#ifndef BTFC_STAMP_CORE_H
#define BTFC_STAMP_CORE_H

#include <stdint.h>

/* Bytes of kind-specific data after a type record with @info; -1 for unknown kinds. */
long btfc__kind_extra(uint32_t info);

#endif
