/* SPDX-License-Identifier: MIT */
/* A domain's RAM as exit handlers read it (see arch/guest_ram.h). */
#include <arch/guest_ram.h>
#include <tally/arch.h>
#include <tally/domain.h>
#include <tally/vplatform.h>

void *guest_ram(const struct domain *d, uint64_t gpa, uint64_t len)
{
	if (gpa >= d->ram_bytes || len > d->ram_bytes - gpa)
		return NULL;
	if (gpa < VPLATFORM_DEVICE_END && gpa + len > VPLATFORM_DEVICE_BASE)
		return NULL;
	return arch_phys_to_virt(d->ram.raw + gpa, len);
}

int guest_ram_read_entry(void *ctx, uint64_t gpa, unsigned int size, uint64_t *val)
{
	const void *p = guest_ram(ctx, gpa, size);

	if (!p)
		return -1;
	*val = size == 8 ? __atomic_load_n((const uint64_t *)p, __ATOMIC_RELAXED)
			 : __atomic_load_n((const uint32_t *)p, __ATOMIC_RELAXED);
	return 0;
}
