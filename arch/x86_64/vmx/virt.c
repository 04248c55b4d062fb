/* SPDX-License-Identifier: MIT */
/* The arch_* virtualization hooks generic code calls: VMX, EPT and VMCS lifetimes. */
#include <arch/ept.h>
#include <arch/vmx_cpu.h>
#include <arch/vmx_insn.h>
#include <tally/arch.h>
#include <tally/domain.h>
#include <tally/errno.h>
#include <arch/vmcs.h>
#include <tally/fmt.h>
#include <tally/log.h>
#include <tally/mem.h>
#include <public/tally.h>
#include <tally/percpu.h>
#include <tally/string.h>
#include <tally/virq.h>

/* VPID 0 is the host's; guests get 1 and up, one per vCPU. */
static uint16_t next_vpid = 1;
/* CPUs in VMX operation: outside it VMREAD is #UD (SDM Vol. 3C, VMREAD reference). */
static bool vmx_on[MAX_CPUS];

static int enable_here(void)
{
	if (vmx_cpu_enable() < 0)
		return -ENODEV;
	vmx_on[this_cpu()->id] = true;
	return 0;
}

int arch_virt_init(void)
{
	if (vmx_detect() < 0 || xstate_init() < 0)
		return -ENODEV;
	return enable_here();
}

int arch_virt_cpu_init(void)
{
	if (vmx_cpu_check() < 0)
		return -ENODEV;
	return enable_here();
}

int arch_domain_create(struct domain *d)
{
	virq_domain_init(d);	/* its I/O APIC, before any vCPU runs */
	return ept_build(&d->arch, d->ram, d->ram_bytes, vmx_config.ept_1g);
}

void arch_domain_destroy(struct domain *d)
{
	ept_destroy(&d->arch);
}

/*
 * Every vCPU gets one VMCS page at its first entry (vmx_vcpu_setup()); the
 * MSR bitmap is one for all (vmx.c) and I/O exits unconditionally, so a
 * domain has no bitmap of its own.  XSAVE and APIC state sit in struct vcpu.
 */
void arch_domain_overhead(const struct domain *d, struct arch_domain_overhead *out)
{
	out->vmcs = d->vcpu_count * PAGE_SIZE;
	out->ept = d->arch.ept_tables * PAGE_SIZE;
	out->bitmaps = 0;
}

void arch_vcpu_init(struct vcpu *v, const struct vcpu_boot_regs *boot)
{
	v->arch.boot = *boot;
	if (vmx_config.vpid)
		v->arch.vpid = __atomic_fetch_add(&next_vpid, 1, __ATOMIC_RELAXED);
	xstate_vcpu_init(&v->arch.xstate);
	vlapic_init(&v->arch.vlapic, v->id);
	v->arch.apic_lock = (struct spinlock)SPINLOCK_INIT;
}

/* The counters a guest reads have one slot per basic exit reason Tally counts. */
_Static_assert(EXIT_REASON_MAX == TALLY_EXIT_REASONS, "public and VMX exit-reason counts differ");

void arch_vcpu_copy_exits(const struct vcpu *v, uint64_t *counts, unsigned int n)
{
	unsigned int have = MIN(n, (unsigned int)EXIT_REASON_MAX);

	/* One copy: a counter snapshot takes it while the vCPU's CPU may update them. */
	memcpy(counts, v->arch.exits, have * sizeof(*counts));
	memset(counts + have, 0, (n - have) * sizeof(*counts));
}

uint64_t arch_vcpu_io_accesses(const struct vcpu *v)
{
	return v->arch.exits[EXIT_REASON_IO_INSTRUCTION];
}

uint64_t arch_vcpu_exit_count(const struct vcpu *v)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < EXIT_REASON_MAX; i++)
		n += v->arch.exits[i];
	return n;
}

void arch_log_current_vmcs(void)
{
	uint64_t rip;

	if (!vmx_on[this_cpu()->id]) {
		log_info("vmcs: VMX is off on this CPU; nothing to show");
		return;
	}
	/* Only the current VMCS can be read; between exits it is the last vCPU's. */
	if (!vmcs_read_checked(VMCS_GUEST_RIP, &rip)) {
		log_info("vmcs: none current on this CPU");
		return;
	}
	vmcs_dump(LOG_INFO);
}

void arch_vcpu_log_exits(const struct vcpu *v)
{
	char line[200];
	int n = 0;

	for (unsigned int i = 0; i < EXIT_REASON_MAX && n < (int)sizeof(line) - 24; i++)
		if (v->arch.exits[i])
			n += fmt_snprintf(line + n, sizeof(line) - n, " %u:%lu", i, v->arch.exits[i]);
	line[n] = '\0';
	log_info("    exits by reason (SDM App. C number:count):%s", n ? line : " none");
}

void arch_vcpu_destroy(struct vcpu *v)
{
	if (!v->arch.vmcs_ready)
		return;
	vmclear(v->arch.vmcs.raw);
	/* This CPU may cache translations of the domain's EPT and this VPID: drop them. */
	invept(INVEPT_SINGLE_CONTEXT, v->domain->arch.eptp);
	if (vmx_config.vpid)
		invvpid(INVVPID_SINGLE_CONTEXT, v->arch.vpid);
	mem_free(v->arch.vmcs, PAGE_SIZE);
	v->arch.vmcs_ready = false;
}
