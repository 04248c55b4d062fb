/* SPDX-License-Identifier: MIT */
/* The NIC's and disk's counters in the public layout (pure logic): what
 * TALLY_HC_NET_COUNTERS and TALLY_HC_DISK_COUNTERS return, from the
 * devices' snapshots (tally/vnet.h, tally/vblk.h).
 *
 * Locking: none; the snapshots are already one moment each. */
#ifndef TALLY_HCALL_DEVICES_H
#define TALLY_HCALL_DEVICES_H

#include <public/tally.h>

struct vnet_snapshot;
struct vblk_snapshot;

/* Copy NIC snapshot @s into @out (zeroed by the caller): every counter, MAC and group. */
void hcall_devices_net(const struct vnet_snapshot *s, struct tally_net_counters *out);

/* Copy disk snapshot @s into @out (zeroed by the caller): size, read-only flag, counters. */
void hcall_devices_disk(const struct vblk_snapshot *s, struct tally_disk_counters *out);

#endif
