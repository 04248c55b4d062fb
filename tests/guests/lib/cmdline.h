/* SPDX-License-Identifier: MIT */
/* Test-guest command-line options: space-separated "key=value" and bare-flag tokens. */
#ifndef GUEST_CMDLINE_H
#define GUEST_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mb.h"

/*
 * The number in "@key=N" (decimal, or hex with 0x), else @def: also when
 * the value is malformed or above UINT32_MAX, which is reported on COM1.
 */
uint32_t cmdline_u32(const struct mb_info *mbi, const char *key, uint32_t def);

/* Whether the bare token @name appears ("write", not "write=1"). */
bool cmdline_flag(const struct mb_info *mbi, const char *name);

/*
 * Copy the value of "@key=value" into the @size-byte @buf (truncated, always
 * NUL-terminated); false, leaving @buf alone, if @key is absent.
 */
bool cmdline_str(const struct mb_info *mbi, const char *key, char *buf, size_t size);

#endif
