/* SPDX-License-Identifier: MIT */
/* The UEFI loader's ExitBootServices() retry rule, apart from the firmware (boot/efi/efi_exit.c). */
#ifndef TALLY_EFI_EXIT_H
#define TALLY_EFI_EXIT_H

#include <tally/errno.h>
#include <tally/types.h>

/* How many times the loader takes the map and tries ExitBootServices() before giving up. */
#define EFI_EXIT_ATTEMPTS	8

/* The two firmware steps of leaving boot services, supplied by the caller. */
struct efi_exit_ops {
	/* GetMemoryMap() and everything built from it (attempt counts from 0):
	 * 0 with the map's key in *@key, or a negative error. */
	int (*snapshot)(void *ctx, unsigned int attempt, uint64_t *key);
	/* ExitBootServices(@key): 0, -EBUSY when the map changed since the
	 * snapshot (the key is stale), or another negative error. */
	int (*exit)(void *ctx, uint64_t key);
};

/*
 * Take the map and exit boot services, again while the firmware reports a
 * stale key (UEFI 2.10 7.4), at most @attempts times.  Returns 0 once
 * exited; a snapshot's error at once; -EBUSY when every key was stale.
 */
int efi_exit_retry(const struct efi_exit_ops *ops, void *ctx, unsigned int attempts);

#endif
