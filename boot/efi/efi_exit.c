/* SPDX-License-Identifier: MIT */
/* The UEFI loader's ExitBootServices() retry rule (UEFI 2.10 section 7.4), host-testable. */

/*
 * Between GetMemoryMap() and ExitBootServices() the firmware may still
 * change the map (a timer event allocating pool): ExitBootServices() then
 * refuses the stale key with EFI_INVALID_PARAMETER.  UEFI 2.10 7.4 lets the
 * loader call GetMemoryMap() again and retry, and allows no other boot
 * service after the first try, so the snapshot step must not allocate.
 */

#include "efi_exit.h"

/* Snapshot and exit until the key is current, at most @attempts times (efi_exit.h). */
int efi_exit_retry(const struct efi_exit_ops *ops, void *ctx, unsigned int attempts)
{
	int err = -EBUSY;

	for (unsigned int attempt = 0; attempt < attempts && err == -EBUSY; attempt++) {
		uint64_t key;

		err = ops->snapshot(ctx, attempt, &key);
		if (err)
			return err;
		err = ops->exit(ctx, key);
	}
	return err;
}
