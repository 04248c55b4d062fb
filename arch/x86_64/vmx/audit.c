/* SPDX-License-Identifier: MIT */
/* The audit's x86 part: what each EPT maps, and the VMX structures Tally owns. */
#include <arch/ept.h>
#include <arch/vmx_cpu.h>
#include <tally/arch.h>
#include <tally/audit.h>
#include <tally/domain.h>
#include <tally/percpu.h>

struct ept_walk {
	struct audit *a;
	const struct domain *d;
};

static uint64_t leaf_size(enum pt_level level)
{
	return 1ull << (PAGE_SHIFT + 9 * (level - 1));
}

/* A leaf is the domain's if its host range lies inside the domain's block. */
static void add_leaf(uint64_t gpa __unused, uint64_t entry, enum pt_level level, void *ctx)
{
	struct ept_walk *w = ctx;
	uint64_t hpa = entry & PT_ADDR_MASK, size = leaf_size(level);

	if (hpa < w->d->ram.raw || hpa + size > w->d->ram.raw + w->d->ram_bytes)
		w->a->foreign++;
	audit_add(w->a, hpa, size, w->d->id);
}

static void add_table(uint64_t pa, void *ctx)
{
	audit_add(((struct ept_walk *)ctx)->a, pa, PAGE_SIZE, AUDIT_OWNER_TALLY);
}

void arch_audit_collect(struct audit *a)
{
	struct pgtable_fmt fmt = ept_format(true);

	audit_add(a, vmx_config.msr_bitmap.raw, PAGE_SIZE, AUDIT_OWNER_TALLY);
	for (unsigned int i = 0; i < percpu_count; i++)
		audit_add(a, percpu_area[i].arch.vmxon_region, PAGE_SIZE, AUDIT_OWNER_TALLY);
	for (unsigned int i = 0; i < domain_count(); i++) {
		struct domain *d = domain_at(i);
		struct ept_walk w = { a, d };

		if (!d || d->state == DOMAIN_DEAD || !d->arch.ept_root.raw)
			continue;	/* an empty entry: a run-time domain ended */
		pgtable_walk(&fmt, &ept_mem, d->arch.ept_root.raw, add_leaf, add_table, &w);
		for (unsigned int v = 0; v < d->vcpu_count; v++)
			if (d->vcpus[v]->arch.vmcs_ready)
				audit_add(a, d->vcpus[v]->arch.vmcs.raw, PAGE_SIZE, AUDIT_OWNER_TALLY);
	}
}
