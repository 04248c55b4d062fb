/* SPDX-License-Identifier: MIT */
/* Building and tearing down a domain's EPT with the shared page-table builder. */
#include <arch/ept.h>
#include <arch/vmx_insn.h>
#include <tally/arch.h>
#include <tally/errno.h>
#include <tally/log.h>
#include <tally/mem.h>
#include <tally/string.h>

static uint64_t ept_alloc_table(void *ctx __unused)
{
	hpa_t pa;

	if (mem_alloc(PAGE_SIZE, PAGE_SIZE, 0, &pa) < 0)
		return 0;
	memset(arch_phys_to_virt(pa.raw, PAGE_SIZE), 0, PAGE_SIZE);
	return pa.raw;
}

static uint64_t *ept_table_ptr(uint64_t pa, void *ctx __unused)
{
	return arch_phys_to_virt(pa, PAGE_SIZE);
}

const struct pgtable_mem ept_mem = { ept_alloc_table, ept_table_ptr, NULL };

struct pgtable_fmt ept_format(bool gb_pages)
{
	return (struct pgtable_fmt){
		.present_mask = EPT_RWX,
		.table_flags = EPT_RWX,
		.max_leaf = gb_pages ? PT_LEVEL_1G : PT_LEVEL_2M,
	};
}

static void free_table(uint64_t pa, void *ctx __unused)
{
	mem_free(hpa(pa), PAGE_SIZE);
}

static void count_table(uint64_t pa __unused, void *ctx)
{
	(*(uint64_t *)ctx)++;
}

/* Map the RAM ranges ept_ram_ranges() gives (the device window stays out). */
static int map_ram(const struct pgtable_fmt *fmt, uint64_t root, hpa_t ram, uint64_t bytes)
{
	struct ept_ram_range r[2];
	unsigned int n = ept_ram_ranges(bytes, r);
	int err = 0;

	for (unsigned int i = 0; i < n && !err; i++)
		err = pgtable_map(fmt, &ept_mem, root, r[i].gpa, ram.raw + r[i].gpa, r[i].len,
				  EPT_RWX | EPT_MEMTYPE_WB);
	return err;
}

int ept_build(struct arch_domain *ad, hpa_t ram, uint64_t bytes, bool gb_pages)
{
	struct pgtable_fmt fmt = ept_format(gb_pages);
	uint64_t root = ept_alloc_table(NULL);
	int err;

	if (!root)
		return -ENOMEM;
	err = map_ram(&fmt, root, ram, bytes);
	if (err) {
		pgtable_walk(&fmt, &ept_mem, root, NULL, free_table, NULL);
		return err;
	}
	ad->ept_root = hpa(root);
	ad->eptp = root | EPTP_WALK_LENGTH_4 | EPTP_MEMTYPE_WB;
	ad->ept_tables = 0;
	pgtable_walk(&fmt, &ept_mem, root, NULL, count_table, &ad->ept_tables);
	return 0;
}

void ept_destroy(struct arch_domain *ad)
{
	struct pgtable_fmt fmt = ept_format(true);

	if (!ad->ept_root.raw)
		return;
	/* No CPU may keep translations through tables about to be reused. */
	invept(INVEPT_SINGLE_CONTEXT, ad->eptp);
	pgtable_walk(&fmt, &ept_mem, ad->ept_root.raw, NULL, free_table, NULL);
	ad->ept_root = hpa(0);
	ad->eptp = 0;
}
