/* SPDX-License-Identifier: MIT */
/* cpuid: checks Tally's platform: CPUID view, MSR allow-list, unclaimed ports, VMCALL. */
#include "guest.h"
#include "shadow.h"

const char guest_name[] = "cpuid";

#define UNCLAIMED_PORT		0x3000	/* no PC device lives here */
#define UNKNOWN_HYPERCALL	0x7A11u

static void check_features(void)
{
	struct cpuid_regs r;

	cpuid(CPUID_LEAF_FEATURES, 0, &r);
	guest_check(r.ecx & CPUID_1_ECX_HYPERVISOR,
		    "CPUID.1:ECX[31] hypervisor bit set (ecx=0x%08x)", r.ecx);
	guest_check(!(r.ecx & CPUID_1_ECX_VMX),
		    "CPUID.1:ECX[5] VMX hidden (ecx=0x%08x)", r.ecx);
}

/* True when CPUID says Tally runs us (VMCALL would be #UD anywhere else). */
static bool under_tally(void)
{
	struct cpuid_regs r;

	cpuid(TALLY_CPUID_BASE, 0, &r);
	return r.ebx == TALLY_CPUID_SIGNATURE_EBX && r.ecx == TALLY_CPUID_SIGNATURE_ECX &&
	       r.edx == TALLY_CPUID_SIGNATURE_EDX;
}

static void check_signature(void)
{
	struct cpuid_regs r;

	cpuid(TALLY_CPUID_BASE, 0, &r);
	guest_check(r.ebx == TALLY_CPUID_SIGNATURE_EBX &&
		    r.ecx == TALLY_CPUID_SIGNATURE_ECX &&
		    r.edx == TALLY_CPUID_SIGNATURE_EDX,
		    "CPUID.0x40000000 signature TallyTally (ebx=0x%08x ecx=0x%08x edx=0x%08x)",
		    r.ebx, r.ecx, r.edx);
	guest_check(r.eax >= TALLY_CPUID_BASE,
		    "CPUID.0x40000000 max leaf >= 0x40000000 (eax=0x%08x)", r.eax);
}

/* Reading @msr must succeed. */
static void check_rdmsr_ok(uint32_t msr, const char *what)
{
	uint64_t v;
	int vector = rdmsr_safe(msr, &v);

	guest_check(vector == TRAP_NO_FAULT, "rdmsr 0x%x (%s) allowed (vector %d, value 0x%llx)",
		    msr, what, vector, (unsigned long long)v);
}

/* Reading @msr must raise #GP. */
static void check_rdmsr_gp(uint32_t msr, const char *what)
{
	uint64_t v;
	int vector = rdmsr_safe(msr, &v);

	guest_check(vector == X86_EXC_GP, "rdmsr 0x%x (%s) raises #GP (vector %d, value 0x%llx)",
		    msr, what, vector, (unsigned long long)v);
}

/* Writing @msr must raise #GP. */
static void check_wrmsr_gp(uint32_t msr, uint64_t v, const char *what)
{
	int vector = wrmsr_safe(msr, v);

	guest_check(vector == X86_EXC_GP, "wrmsr 0x%x (%s) raises #GP (vector %d)",
		    msr, what, vector);
}

/*
 * Ports no device claims read as all ones of the access size; writes
 * vanish.  Tally counts these three accesses for the domain.
 */
static void check_unclaimed_ports(void)
{
	uint8_t b = inb(UNCLAIMED_PORT);
	uint32_t l = inl(UNCLAIMED_PORT + 4);

	outb(UNCLAIMED_PORT, 0x5A);
	guest_check(b == 0xFF && l == 0xFFFFFFFFu,
		    "unclaimed port 0x%x reads 0xff (got 0x%02x), 0x%x reads 0xffffffff (got 0x%08x)",
		    UNCLAIMED_PORT, b, UNCLAIMED_PORT + 4, l);
}

/* An unknown hypercall number gets -ENOSYS (-38) in EAX. */
static void check_unknown_vmcall(void)
{
	uint32_t eax = UNKNOWN_HYPERCALL;

	if (!under_tally()) {
		guest_skip("not under Tally: VMCALL not tried");
		return;
	}
	asm volatile("vmcall" : "+a"(eax) : : "memory");
	guest_check(eax == (uint32_t)-38, "VMCALL 0x%x returns -ENOSYS (eax=0x%08x)",
		    UNKNOWN_HYPERCALL, eax);
}

/* Every check prints one line; any mismatch makes the verdict FAIL. */
void guest_main(const struct mb_info *mbi)
{
	(void)mbi;
	check_features();
	check_signature();
	check_rdmsr_ok(MSR_IA32_TSC, "IA32_TSC");
	check_rdmsr_ok(MSR_IA32_PAT, "IA32_PAT");
	check_rdmsr_gp(MSR_IA32_FEATURE_CONTROL, "IA32_FEATURE_CONTROL");
	check_rdmsr_gp(MSR_IA32_VMX_BASIC, "IA32_VMX_BASIC");
	/* Value 0 would unlock nothing even if the write went through. */
	check_wrmsr_gp(MSR_IA32_FEATURE_CONTROL, 0, "IA32_FEATURE_CONTROL");
	check_unclaimed_ports();
	check_unknown_vmcall();
	check_sti_shadow();
}
