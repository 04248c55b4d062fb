/* SPDX-License-Identifier: MIT */
/* memprobe: touches the first page past its RAM, which the hypervisor must not let it survive. */
#include "guest.h"

/* Paging is off: nothing at or above 4 GiB is addressable. */
#define ADDR_LIMIT		0x100000000ull
#define PROBE_VALUE		0xDEADBEEFu

const char guest_name[] = "memprobe";

static void probe_write(volatile uint32_t *p)
{
	printk("memprobe: writing 0x%08x\n", (uint32_t)(uintptr_t)p);
	*p = PROBE_VALUE;
	printk("memprobe: write survived\n");
}

static void probe_read(volatile uint32_t *p)
{
	uint32_t v;

	printk("memprobe: reading 0x%08x\n", (uint32_t)(uintptr_t)p);
	v = *p;
	printk("memprobe: read survived, value 0x%08x\n", v);
}

/*
 * Read (or with the "write" flag, write first) the page at 1 MiB +
 * mem_upper KiB.  Under Tally the domain dies there; surviving is a FAIL.
 */
void guest_main(const struct mb_info *mbi)
{
	uint64_t ram_end = mb_ram_end(mbi);
	volatile uint32_t *p;

	if (!(mbi->flags & MB_INFO_MEMORY) || ram_end >= ADDR_LIMIT) {
		guest_skip("RAM end 0x%llx is unknown or not addressable",
			   (unsigned long long)ram_end);
		return;
	}
	p = (volatile uint32_t *)(uintptr_t)ram_end;
	if (cmdline_flag(mbi, "write")) {
		probe_write(p);
		probe_read(p);
	} else {
		probe_read(p);
		probe_write(p);
	}
	guest_fail("NOT stopped: access beyond RAM at 0x%08x was allowed",
		   (uint32_t)(uintptr_t)p);
}
