/* SPDX-License-Identifier: MIT */
/* sdm: instructions whose answer the SDM fixes, each checked against what Tally answers. */
#include "guest.h"
#include "sdm.h"
#include "x2apic.h"

const char guest_name[] = "sdm";

#define VEC_LOW			0x45	/* priority class 4 */
#define VEC_HIGH		0x65	/* priority class 6 */
#define TPR_BY_MSR		0x30	/* class 3, written through the x2APIC MSR */
#define CR8_RAISED		5	/* TPR class 5: holds back class 4, not class 6 */
#define CR8_BY_RSP		2
#define TPR_CLASS_SHIFT		4	/* CR8[3:0] = TPR[7:4] (SDM Vol. 3A, 11.8.6.1) */
#define MSR_X2APIC_SELF_IPI	0x83F
#define MSR_IA32_TSC_ADJUST	0x3B
#define CPUID_LEAF_STRUCTURED	7
#define CPUID_7_EBX_TSC_ADJUST	(1u << 1)
#define CPUID_LEAF_PMU		0xA
#define CPUID_PMU_VERSION	0xFFu	/* leaf 0xA EAX[7:0]: 0, no architectural counters */
#define CPUID_EXT_FEATURES	0x80000001u
#define CPUID_EXT_EDX_SYSCALL	(1u << 11)
#define CPUID_EXT_EDX_NX	(1u << 20)
#define CPUID_EXT_EDX_LM	(1u << 29)
#define EFER_RESERVED_BIT1	0x2
#define RDPMC_FIXED_COUNTER0	0x40000000u	/* ECX[30]: fixed-function counters */
#define EXIT_REASON_WBINVD	54	/* SDM Vol. 3D, Appendix C */
#define WBINVDS			10

static volatile uint32_t taken_low, taken_high;
static struct tally_counters counters[2] __attribute__((aligned(8)));
uint32_t sdm_rsp_saved;		/* ESP across the MOV CR0, ESP check (by name from asm) */

static void on_low(uint32_t vector)
{
	(void)vector;
	taken_low++;
	x2apic_eoi();
}

static void on_high(uint32_t vector)
{
	(void)vector;
	taken_high++;
	x2apic_eoi();
}

/* Let a pending interrupt in: it comes after the instruction that follows STI. */
static void interrupt_window(void)
{
	asm volatile("sti; nop; nop; nop; cli" : : : "memory");
}

/* WRMSR to IA32_EFER as SDM Vol. 3A 2.2.1 and 5.1.2 (4.1.2 in older editions) allow it. */
static void check_efer(void)
{
	struct cpuid_regs ext;
	uint64_t before = rdmsr(MSR_EFER), after, want;
	int v;

	pae_paging_on();
	v = wrmsr_safe(MSR_EFER, before | EFER_LME);
	after = rdmsr(MSR_EFER);
	pae_paging_off();
	guest_check(v == X86_EXC_GP && after == before,
		    "WRMSR EFER.LME=1 with CR0.PG=1 raises #GP (vector %d), EFER stays 0x%x (0x%x)",
		    v, (uint32_t)before, (uint32_t)after);
	v = wrmsr_safe(MSR_EFER, before | EFER_RESERVED_BIT1);
	guest_check(v == X86_EXC_GP, "WRMSR EFER with reserved bit 1 raises #GP (vector %d)", v);
	v = wrmsr_safe(MSR_EFER, before | EFER_LMA);
	after = rdmsr(MSR_EFER);
	guest_check(v == TRAP_NO_FAULT && after == before,
		    "WRMSR EFER.LMA=1 is ignored (vector %d, reads 0x%x)", v, (uint32_t)after);
	cpuid(CPUID_EXT_FEATURES, 0, &ext);
	want = ((ext.edx & (CPUID_EXT_EDX_LM | CPUID_EXT_EDX_SYSCALL)) ? EFER_SCE : 0) |
	       ((ext.edx & CPUID_EXT_EDX_NX) ? EFER_NXE : 0);
	v = wrmsr_safe(MSR_EFER, before | want);
	after = rdmsr(MSR_EFER);
	wrmsr(MSR_EFER, before);
	guest_check(v == TRAP_NO_FAULT && after == (before | want),
		    "WRMSR EFER.SCE/NXE as CPUID.80000001H:EDX allows (0x%x): accepted, reads 0x%x",
		    (uint32_t)want, (uint32_t)after);
}

/*
 * MOV to CR0 that exits (it flips CR0.NE) and enables paging: Tally must
 * raise #GP where the CPU would (SDM Vol. 2B, MOV to control register).
 */
static void check_lme_without_pae(void)
{
	uint64_t efer = rdmsr(MSR_EFER);
	uint32_t cr0 = read_cr0();
	int v;

	wrmsr(MSR_EFER, efer | EFER_LME);
	v = write_cr0_safe((cr0 | CR0_PG) ^ CR0_NE);
	wrmsr(MSR_EFER, efer);
	guest_check(v == X86_EXC_GP && read_cr0() == cr0,
		    "MOV CR0.PG=1 with EFER.LME=1 and CR4.PAE=0 raises #GP (vector %d)", v);
}

/* PAE paging through the same exit: PDPTEs with reserved bits set are #GP, good ones load. */
static void check_pdptes(void)
{
	uint32_t cr0 = read_cr0(), cr4 = read_cr4(), on;
	int v;

	pae_load_pdpt(true);
	v = write_cr0_safe((cr0 | CR0_PG) ^ CR0_NE);
	write_cr4(cr4);
	guest_check(v == X86_EXC_GP && read_cr0() == cr0,
		    "MOV CR0.PG=1 with a reserved bit set in PDPTE 0 raises #GP (vector %d)", v);
	pae_load_pdpt(false);
	v = write_cr0_safe((cr0 | CR0_PG) ^ CR0_NE);
	on = read_cr0();
	pae_paging_off();
	write_cr0(cr0);
	guest_check(v == TRAP_NO_FAULT && on == ((cr0 | CR0_PG) ^ CR0_NE),
		    "MOV CR0.PG=1 with valid PDPTEs enables PAE paging (vector %d, CR0 0x%x)", v, on);
}

/* A control-register move through (E/R)SP: the register lives in the VMCS, not the saved block. */
static void check_cr_via_rsp(void)
{
	struct lm_trip t = { .cr8 = CR8_RAISED, .cr8_rsp = CR8_BY_RSP, .use_rsp = 1 };
	uint32_t cr0 = read_cr0(), want = cr0 ^ CR0_NE, got;

	irq_disable();
	asm volatile("mov %%esp, sdm_rsp_saved\n\t"
		     "mov %0, %%esp\n\t"
		     "mov %%esp, %%cr0\n\t"
		     "mov sdm_rsp_saved, %%esp"
		     : : "r"(want) : "memory");
	got = read_cr0();
	write_cr0(cr0);
	guest_check(got == want, "MOV CR0, ESP (a write that exits): CR0 reads 0x%x, expected 0x%x",
		    got, want);
	lm_trip_run(&t);
	x2apic_set_tpr(0);
	guest_check(t.cr8_rsp_read == CR8_BY_RSP && t.tpr_rsp_read == CR8_BY_RSP << TPR_CLASS_SHIFT,
		    "MOV CR8, RSP then MOV RSP, CR8 in 64-bit mode: reads %u, TPR 0x%x",
		    (uint32_t)t.cr8_rsp_read, (uint32_t)t.tpr_rsp_read);
}

/* Outside 64-bit mode MOV to CR0 takes 32 bits: RDI[63:32] from 64-bit mode must not count. */
static void check_operand_width(void)
{
	struct lm_trip t = { 0 };
	uint32_t cr0 = read_cr0();

	irq_disable();
	lm_trip_run(&t);
	guest_check(t.last_cr0_vector == TRAP_NO_FAULT && t.last_cr0 == cr0 && read_cr0() == cr0,
		    "MOV CR0, EDI after 64-bit mode left RDI[63:32] set: vector %d, CR0 0x%x (was 0x%x)",
		    t.last_cr0_vector, t.last_cr0, cr0);
}

/* CR8 is the TPR's priority class (SDM Vol. 3A, 11.8.6.1; 10.8.6.1 in older editions). */
static void check_cr8(void)
{
	struct lm_trip t = { .cr8 = CR8_RAISED };
	uint32_t tpr, low_held, high_taken;

	x2apic_sw_enable();
	irq_register(VEC_LOW, on_low);
	irq_register(VEC_HIGH, on_high);
	irq_disable();
	x2apic_set_tpr(TPR_BY_MSR);
	lm_trip_run(&t);
	tpr = (uint32_t)rdmsr(MSR_X2APIC_TPR);
	guest_check(t.cr8_first == TPR_BY_MSR >> TPR_CLASS_SHIFT,
		    "MOV from CR8 after the x2APIC TPR was set to 0x%x: %u", TPR_BY_MSR,
		    (uint32_t)t.cr8_first);
	guest_check(t.cr8_read == CR8_RAISED && t.tpr_read == CR8_RAISED << TPR_CLASS_SHIFT &&
		    tpr == CR8_RAISED << TPR_CLASS_SHIFT,
		    "MOV to CR8 %u: CR8 reads %u, x2APIC TPR 0x%x in 64-bit mode, 0x%x back in 32-bit",
		    CR8_RAISED, (uint32_t)t.cr8_read, (uint32_t)t.tpr_read, tpr);
	wrmsr(MSR_X2APIC_SELF_IPI, VEC_LOW);
	interrupt_window();
	low_held = taken_low;
	wrmsr(MSR_X2APIC_SELF_IPI, VEC_HIGH);
	interrupt_window();
	high_taken = taken_high;
	x2apic_set_tpr(0);
	interrupt_window();
	guest_check(low_held == 0 && high_taken == 1 && taken_low == 1,
		    "CR8=%u holds back vector 0x%x (taken %u) but not 0x%x (taken %u); TPR 0 lets it in "
		    "(taken %u)", CR8_RAISED, VEC_LOW, low_held, VEC_HIGH, high_taken, taken_low);
}

static int rdpmc_safe(uint32_t counter)
{
	uint32_t lo, hi;

	trap_expect();
	asm volatile("1: rdpmc\n2:\n" EXTABLE_ENTRY(1b, 2b) : "=a"(lo), "=d"(hi) : "c"(counter));
	(void)lo;
	(void)hi;
	return trap_caught();
}

/* No counters (CPUID leaf 0xA): every ECX is invalid, #GP(0) (SDM Vol. 2B, RDPMC). */
static void check_rdpmc(void)
{
	struct cpuid_regs pmu;
	int gp = rdpmc_safe(0), fixed = rdpmc_safe(RDPMC_FIXED_COUNTER0);

	cpuid(CPUID_LEAF_PMU, 0, &pmu);
	guest_check((pmu.eax & CPUID_PMU_VERSION) == 0 && gp == X86_EXC_GP && fixed == X86_EXC_GP,
		    "RDPMC without counters (CPUID.0AH:EAX 0x%x): counter 0 vector %d, fixed counter 0 "
		    "vector %d (#GP is 13)", pmu.eax, gp, fixed);
}

/* The MSR exists iff CPUID.(EAX=07H,ECX=0):EBX[1] says so (SDM Vol. 4, table 2-2). */
static void check_tsc_adjust(void)
{
	struct cpuid_regs r;
	uint64_t val = 0;
	int rd, wr;
	bool shown;

	cpuid(CPUID_LEAF_STRUCTURED, 0, &r);
	shown = r.ebx & CPUID_7_EBX_TSC_ADJUST;
	rd = rdmsr_safe(MSR_IA32_TSC_ADJUST, &val);
	wr = wrmsr_safe(MSR_IA32_TSC_ADJUST, 0);
	guest_check(shown ? rd == TRAP_NO_FAULT && wr == TRAP_NO_FAULT :
			    rd == X86_EXC_GP && wr == X86_EXC_GP,
		    "CPUID shows IA32_TSC_ADJUST: %u; RDMSR 0x3b vector %d, WRMSR vector %d", shown, rd,
		    wr);
}

/* IA32_FMASK's bits 63:32 are reserved: WRMSR with one set is #GP (SDM Vol. 4, table 2-2). */
static void check_sfmask(void)
{
	uint64_t val = 0;
	int bad = wrmsr_safe(MSR_SFMASK, 1ull << 32 | 0x200);
	int good = wrmsr_safe(MSR_SFMASK, 0x200);
	int rd = rdmsr_safe(MSR_SFMASK, &val);

	guest_check(bad == X86_EXC_GP && good == TRAP_NO_FAULT && rd == TRAP_NO_FAULT &&
		    val == 0x200, "WRMSR IA32_FMASK bit 32: vector %d (#GP is 13); 0x200: vector %d, "
		    "reads 0x%x", bad, good, (uint32_t)val);
}

/* WBINVD exits, does nothing and is counted for this domain. */
static void check_wbinvd(void)
{
	uint32_t n;

	tally_domain_counters(&counters[0]);
	for (int i = 0; i < WBINVDS; i++)
		asm volatile("wbinvd" : : : "memory");
	tally_domain_counters(&counters[1]);
	n = (uint32_t)(counters[1].exits_by_reason[EXIT_REASON_WBINVD] -
		       counters[0].exits_by_reason[EXIT_REASON_WBINVD]);
	guest_check(n == WBINVDS, "%u WBINVDs: %u WBINVD exits counted for this domain", WBINVDS, n);
}

static const struct {
	const char *name;
	void (*run)(void);
} checks[] = {
	{ "efer", check_efer }, { "lme_pae", check_lme_without_pae }, { "pdpte", check_pdptes },
	{ "rsp", check_cr_via_rsp },
	{ "width", check_operand_width }, { "cr8", check_cr8 }, { "rdpmc", check_rdpmc },
	{ "tsc_adjust", check_tsc_adjust }, { "wbinvd", check_wbinvd }, { "sfmask", check_sfmask },
};

/* Runs every check, or only `check=NAME`. */
void guest_main(const struct mb_info *mbi)
{
	char only[16] = "";
	bool ran = false;

	if (!tsc_under_tally()) {
		guest_skip("only under Tally (hypercalls, and the CPU's answers checked are Tally's)");
		return;
	}
	cmdline_str(mbi, "check", only, sizeof(only));
	x2apic_enable();	/* the checks use the x2APIC MSRs; the APIC starts in xAPIC mode */
	paging_init();
	for (unsigned int i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		if (only[0] && strcmp(only, checks[i].name))
			continue;
		checks[i].run();
		ran = true;
	}
	if (!ran)
		guest_error("no check named '%s'", only);
}
