/* SPDX-License-Identifier: MIT */
/* A domain's RAM as exit handlers read it: bounded by its size, never the device window. */
#ifndef ARCH_GUEST_RAM_H
#define ARCH_GUEST_RAM_H

#include <tally/types.h>

struct domain;

/*
 * The host view of @len bytes of @d's RAM at guest-physical @gpa, or NULL
 * when any of them lies outside its RAM or in the device window
 * [VPLATFORM_DEVICE_BASE, 4 GiB), which is never RAM.
 */
void *guest_ram(const struct domain *d, uint64_t gpa, uint64_t len);

/*
 * guest_walk()'s memory callback, @ctx being the struct domain: a paging
 * entry of @size (4 or 8) bytes, read once (the guest's other vCPUs may
 * be writing it); -1 outside its RAM.
 */
int guest_ram_read_entry(void *ctx, uint64_t gpa, unsigned int size, uint64_t *val);

#endif
