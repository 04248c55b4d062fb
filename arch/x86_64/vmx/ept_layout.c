/* SPDX-License-Identifier: MIT */
/*
 * Which of a domain's RAM the EPT maps (see arch/ept.h): the device window
 * below 4 GiB is never RAM, whatever the domain's size, so that every
 * access there reaches the device models.  The RAM behind the window is
 * left unused: a domain of more than 4 GiB - 20 MiB keeps its RAM above
 * 4 GiB at its own address, as a PC's memory hole does.  Pure, host-tested.
 */
#include <arch/ept.h>
#include <tally/vplatform.h>

unsigned int ept_ram_ranges(uint64_t bytes, struct ept_ram_range out[2])
{
	unsigned int n = 0;
	uint64_t low = MIN(bytes, VPLATFORM_DEVICE_BASE);

	if (low)
		out[n++] = (struct ept_ram_range){ 0, low };
	if (bytes > VPLATFORM_DEVICE_END)
		out[n++] = (struct ept_ram_range){ VPLATFORM_DEVICE_END, bytes - VPLATFORM_DEVICE_END };
	return n;
}
