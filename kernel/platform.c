/* SPDX-License-Identifier: MIT */
/* Platform discovery at boot: read the ACPI tables and keep them from the allocator. */
#include <tally/acpi.h>
#include <tally/arch.h>
#include <tally/boot_info.h>
#include <tally/log.h>
#include <tally/mem.h>
#include <tally/options.h>
#include <tally/platform.h>

/* The boot loader's RSDP copy if it gave one, else the BIOS areas. */
static int locate_rsdp(const struct boot_info *bi, const void **rsdp, size_t *len)
{
	uint64_t pa;
	const struct acpi_rsdp *r;

	if (bi->rsdp_len) {
		*rsdp = bi->rsdp;
		*len = bi->rsdp_len;
		return 0;
	}
	if (acpi_find_rsdp(mem_phys_read, NULL, &pa) < 0)
		return -1;
	r = arch_phys_to_virt(pa, sizeof(*r));
	*rsdp = r;
	*len = r->revision >= 2 ? sizeof(*r) : 20;
	return 0;
}

bool platform_discover(const struct boot_info *bi, struct acpi_info *acpi)
{
	const void *rsdp;
	size_t len;
	int err;

	if (options.acpi_off) {
		log_warn("acpi: disabled on the command line; running on the boot CPU alone");
		return false;
	}
	if (locate_rsdp(bi, &rsdp, &len) < 0) {
		log_warn("acpi: no RSDP found; running on the boot CPU alone");
		return false;
	}
	err = acpi_parse(rsdp, len, mem_phys_read, NULL, acpi);
	for (unsigned int i = 0; i < acpi->table_count; i++)
		mem_reserve(acpi->tables[i].pa, acpi->tables[i].len);
	if (err < 0) {
		log_warn("acpi: tables unusable (error %d); running on the boot CPU alone", err);
		return false;
	}
	log_info("acpi: rev=%u root=%s cpus=%u ioapics=%u", acpi->revision,
		 acpi->xsdt ? "xsdt" : "rsdt", acpi->cpu_count, acpi->ioapic_count);
	for (unsigned int i = 0; i < acpi->ioapic_count; i++)
		log_info("acpi: ioapic id=%u at %#lx gsi_base=%u", acpi->ioapics[i].id,
			 acpi->ioapics[i].address, acpi->ioapics[i].gsi_base);
	return true;
}
