/* SPDX-License-Identifier: MIT */
/* Unit tests: VMX control words and CR fixed bits (arch/x86_64/vmx/vmx_controls.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arch/vmx.h>
#include <arch/vmx_controls.h>
#include <arch/vmx_cpu.h>
#include <tally/errno.h>

#include "shim.h"

/* Capability MSR values as a Skylake-class CPU reports them (SDM Vol. 3D, A.3-A.5). */
#define SKL_TRUE_PINBASED	0x0000007f00000016ull
#define SKL_TRUE_PROCBASED	0xfff9fffe04006172ull
#define SKL_PROCBASED2		0x00ffffff00000000ull	/* style: nothing forced */
#define SKL_TRUE_EXIT		0x01ffffff00036dfbull
#define SKL_TRUE_ENTRY		0x0003ffff000011fbull
#define SKL_CR0_FIXED0		0x0000000080000021ull	/* PE, NE, PG */
#define SKL_CR0_FIXED1		0x00000000ffffffffull
#define SKL_CR4_FIXED0		0x0000000000002000ull	/* VMXE */
#define SKL_CR4_FIXED1		0x00000000003767ffull

#define CR0_PE			(1ull << 0)
#define CR0_MP			(1ull << 1)
#define CR0_ET			(1ull << 4)
#define CR0_NE			(1ull << 5)
#define CR0_CD			(1ull << 30)
#define CR0_PG			(1ull << 31)
#define CR4_PAE			(1ull << 5)
#define CR4_VMXE		(1ull << 13)
#define CR4_LA57		(1ull << 12)
#define CR4_PKE			(1ull << 22)

#define CAP(allowed0, allowed1)	(((uint64_t)(allowed1) << 32) | (uint32_t)(allowed0))

struct compute_case {
	const char *what;
	uint64_t cap;
	uint32_t required, optional;
	int rc;
	uint32_t value;		/* when rc == 0 */
	uint32_t missing;	/* when rc == -ENODEV */
};

/* What Tally asks for from a Skylake, and contrived cases around it. */
static const struct compute_case compute_cases[] = {
	{ "nothing asked: only must-be-one bits", CAP(0x16, 0x7f), 0, 0, 0, 0x16, 0 },
	{ "pin: external-interrupt and NMI exiting, optional virtual NMIs",
	  SKL_TRUE_PINBASED, PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING,
	  PIN_VIRTUAL_NMIS, 0,
	  0x16 | PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING | PIN_VIRTUAL_NMIS, 0 },
	{ "proc: HLT, I/O bitmaps, MSR bitmaps, secondary",
	  SKL_TRUE_PROCBASED,
	  CPU_BASED_HLT_EXITING | CPU_BASED_USE_IO_BITMAPS | CPU_BASED_USE_MSR_BITMAPS |
	  CPU_BASED_SECONDARY_CONTROLS, 0, 0,
	  0x04006172u | CPU_BASED_HLT_EXITING | CPU_BASED_USE_IO_BITMAPS |
	  CPU_BASED_USE_MSR_BITMAPS | CPU_BASED_SECONDARY_CONTROLS, 0 },
	{ "proc: optional bit the CPU forbids is left out",
	  CAP(0x04006172, 0xfff9fffe & ~CPU_BASED_MONITOR_TRAP_FLAG),
	  CPU_BASED_HLT_EXITING, CPU_BASED_MONITOR_TRAP_FLAG | CPU_BASED_PAUSE_EXITING, 0,
	  0x04006172u | CPU_BASED_HLT_EXITING | CPU_BASED_PAUSE_EXITING, 0 },
	{ "proc2: EPT, VPID, unrestricted guest; optional RDTSCP and INVPCID",
	  SKL_PROCBASED2,
	  SECONDARY_ENABLE_EPT | SECONDARY_ENABLE_VPID | SECONDARY_UNRESTRICTED_GUEST,
	  SECONDARY_ENABLE_RDTSCP | SECONDARY_ENABLE_INVPCID, 0,
	  SECONDARY_ENABLE_EPT | SECONDARY_ENABLE_VPID | SECONDARY_UNRESTRICTED_GUEST |
	  SECONDARY_ENABLE_RDTSCP | SECONDARY_ENABLE_INVPCID, 0 },
	{ "proc2: no unrestricted guest on this CPU",
	  CAP(0, 0x00ffffff & ~SECONDARY_UNRESTRICTED_GUEST),
	  SECONDARY_ENABLE_EPT | SECONDARY_UNRESTRICTED_GUEST, 0,
	  -ENODEV, 0, SECONDARY_UNRESTRICTED_GUEST },
	{ "proc2: neither EPT nor VPID, and an optional bit absent too",
	  CAP(0, SECONDARY_ENABLE_RDTSCP),
	  SECONDARY_ENABLE_EPT | SECONDARY_ENABLE_VPID | SECONDARY_ENABLE_RDTSCP,
	  SECONDARY_ENABLE_INVPCID,
	  -ENODEV, 0, SECONDARY_ENABLE_EPT | SECONDARY_ENABLE_VPID },
	{ "proc2: no secondary controls at all", 0, SECONDARY_ENABLE_EPT, 0,
	  -ENODEV, 0, SECONDARY_ENABLE_EPT },
	{ "exit: 64-bit host, acknowledge interrupt, PAT/EFER",
	  SKL_TRUE_EXIT,
	  EXIT_HOST_ADDRESS_SPACE_SIZE | EXIT_LOAD_IA32_EFER | EXIT_SAVE_IA32_EFER,
	  EXIT_ACK_INTERRUPT_ON_EXIT | EXIT_SAVE_IA32_PAT | EXIT_LOAD_IA32_PAT, 0,
	  0x00036dfbu | EXIT_HOST_ADDRESS_SPACE_SIZE | EXIT_LOAD_IA32_EFER |
	  EXIT_SAVE_IA32_EFER | EXIT_ACK_INTERRUPT_ON_EXIT | EXIT_SAVE_IA32_PAT |
	  EXIT_LOAD_IA32_PAT, 0 },
	/* The TRUE MSRs let the debug controls be 0 (the plain ones force them): DR7 must be asked for. */
	{ "exit: save debug controls not forced by the TRUE MSR", SKL_TRUE_EXIT, 0, 0, 0,
	  0x00036dfbu, 0 },
	{ "exit: save debug controls asked for", SKL_TRUE_EXIT, EXIT_SAVE_DEBUG_CONTROLS, 0, 0,
	  0x00036dfbu | EXIT_SAVE_DEBUG_CONTROLS, 0 },
	{ "entry: load debug controls asked for", SKL_TRUE_ENTRY, ENTRY_LOAD_DEBUG_CONTROLS, 0, 0,
	  0x000011fbu | ENTRY_LOAD_DEBUG_CONTROLS, 0 },
	{ "entry: IA-32e guest, load EFER", SKL_TRUE_ENTRY,
	  ENTRY_IA32E_MODE_GUEST | ENTRY_LOAD_IA32_EFER, ENTRY_LOAD_IA32_PAT, 0,
	  0x000011fbu | ENTRY_IA32E_MODE_GUEST | ENTRY_LOAD_IA32_EFER | ENTRY_LOAD_IA32_PAT, 0 },
	{ "required and optional overlap: allowed",
	  CAP(0, PIN_NMI_EXITING | PIN_VIRTUAL_NMIS),
	  PIN_NMI_EXITING, PIN_NMI_EXITING | PIN_VIRTUAL_NMIS | PIN_PREEMPTION_TIMER, 0,
	  PIN_NMI_EXITING | PIN_VIRTUAL_NMIS, 0 },
	{ "required and optional overlap: required still missing",
	  CAP(0, PIN_VIRTUAL_NMIS), PIN_NMI_EXITING, PIN_NMI_EXITING | PIN_VIRTUAL_NMIS,
	  -ENODEV, 0, PIN_NMI_EXITING },
	{ "required bit also forced on by the CPU", CAP(PIN_NMI_EXITING, PIN_NMI_EXITING),
	  PIN_NMI_EXITING, 0, 0, PIN_NMI_EXITING, 0 },
	{ "bit 31 required and allowed", CAP(0, 0x80000000u),
	  CPU_BASED_SECONDARY_CONTROLS, 0, 0, CPU_BASED_SECONDARY_CONTROLS, 0 },
	{ "bit 31 required, not allowed", CAP(0, 0x7fffffffu),
	  CPU_BASED_SECONDARY_CONTROLS, 0, -ENODEV, 0, CPU_BASED_SECONDARY_CONTROLS },
	{ "everything allowed, all optional", CAP(0, 0xffffffffu), 0, 0xffffffffu,
	  0, 0xffffffffu, 0 },
	{ "everything required, nothing allowed", 0, 0xffffffffu, 0,
	  -ENODEV, 0, 0xffffffffu },
};

static void test_compute_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(compute_cases) / sizeof(compute_cases[0]); i++) {
		const struct compute_case *c = &compute_cases[i];
		uint32_t value = 0xdeadbeef, missing = 0xdeadbeef;
		int rc = vmx_control_compute(c->cap, c->required, c->optional, &value, &missing);

		if (rc != c->rc)
			fail_msg("%s: rc %d, want %d", c->what, rc, c->rc);
		if (rc == 0 && (value != c->value || missing != 0))
			fail_msg("%s: value %#x missing %#x, want %#x and 0",
				 c->what, value, missing, c->value);
		if (rc == -ENODEV && missing != c->missing)
			fail_msg("%s: missing %#x, want %#x", c->what, missing, c->missing);
	}
}

/*
 * The invariants, over many capability values: a success has every
 * must-be-one and required bit, no bit the CPU forbids, and exactly the
 * allowed optional bits; a failure names exactly the forbidden required bits.
 */
static void test_compute_invariants(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;

	(void)state;
	for (unsigned int i = 0; i < 20000; i++) {
		uint32_t allowed1, allowed0, required, optional, value = 0, missing = 0;
		int rc;

		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		allowed1 = (uint32_t)x | (uint32_t)(x >> 32);	/* dense */
		allowed0 = (uint32_t)(x >> 16) & (uint32_t)(x >> 40) & allowed1;
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		required = (uint32_t)x & (uint32_t)(x >> 32) & (uint32_t)(x >> 20);
		optional = (uint32_t)(x >> 8);
		rc = vmx_control_compute(CAP(allowed0, allowed1), required, optional,
					 &value, &missing);
		assert_int_equal(missing, required & ~allowed1);
		if (required & ~allowed1) {
			assert_int_equal(rc, -ENODEV);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_int_equal(value & allowed0, allowed0);
		assert_int_equal(value & required, required);
		assert_int_equal(value & ~allowed1, 0);
		assert_int_equal(value & optional, optional & allowed1);
		assert_int_equal(value & ~(allowed0 | required | optional), 0);
	}
}

struct cr_case {
	const char *what;
	uint64_t value, fixed0, fixed1, exempt, want;
};

static const struct cr_case cr_cases[] = {
	{ "CR0 from zero: PE, NE, PG forced on", 0, SKL_CR0_FIXED0, SKL_CR0_FIXED1, 0,
	  CR0_PE | CR0_NE | CR0_PG },
	{ "CR0 already valid stays", CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_PG,
	  SKL_CR0_FIXED0, SKL_CR0_FIXED1, 0, CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_PG },
	{ "CR0 upper half cleared by fixed1", 0xffffffff00000000ull | CR0_ET,
	  SKL_CR0_FIXED0, SKL_CR0_FIXED1, 0, CR0_PE | CR0_ET | CR0_NE | CR0_PG },
	{ "CR0 unrestricted: PE and PG exempt, kept clear", CR0_ET,
	  SKL_CR0_FIXED0, SKL_CR0_FIXED1, CR0_PE | CR0_PG, CR0_ET | CR0_NE },
	{ "CR0 unrestricted: PE exempt and set, PG exempt and clear", CR0_PE | CR0_CD,
	  SKL_CR0_FIXED0, SKL_CR0_FIXED1, CR0_PE | CR0_PG, CR0_PE | CR0_CD | CR0_NE },
	{ "CR0 exempt bit kept set though fixed1 clears it", CR0_PE | (1ull << 40),
	  0, SKL_CR0_FIXED1, 1ull << 40, CR0_PE | (1ull << 40) },
	{ "CR0 CD cleared where fixed1 says it must be 0", CR0_CD | CR0_NE,
	  0, SKL_CR0_FIXED1 & ~CR0_CD, 0, CR0_NE },
	{ "CR4 from zero: VMXE forced on", 0, SKL_CR4_FIXED0, SKL_CR4_FIXED1, 0, CR4_VMXE },
	{ "CR4 PAE kept, VMXE added", CR4_PAE, SKL_CR4_FIXED0, SKL_CR4_FIXED1, 0,
	  CR4_PAE | CR4_VMXE },
	{ "CR4 LA57 and PKE not supported: cleared", CR4_PAE | CR4_LA57 | CR4_PKE,
	  SKL_CR4_FIXED0, SKL_CR4_FIXED1 & ~(CR4_LA57 | CR4_PKE), 0, CR4_PAE | CR4_VMXE },
	{ "fixed0 and exempt overlap: exempt wins", 0, CR0_PE | CR0_NE, ~0ull, CR0_PE, CR0_NE },
	{ "nothing fixed: value unchanged", 0x123456789abcdef0ull, 0, ~0ull, 0,
	  0x123456789abcdef0ull },
};

static void test_cr_fixed_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cr_cases) / sizeof(cr_cases[0]); i++) {
		const struct cr_case *c = &cr_cases[i];
		uint64_t got = vmx_cr_fixed(c->value, c->fixed0, c->fixed1, c->exempt);

		if (got != c->want)
			fail_msg("%s: %#llx, want %#llx", c->what, (unsigned long long)got,
				 (unsigned long long)c->want);
	}
}

static void test_cr_fixed_invariants(void **state)
{
	uint64_t x = 0x0123456789abcdefull;

	(void)state;
	for (unsigned int i = 0; i < 20000; i++) {
		uint64_t value, fixed0, fixed1, exempt, got, free_bits;

		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		value = x;
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		fixed1 = x | (x << 7);
		fixed0 = fixed1 & (x >> 3) & (x >> 11);		/* fixed0 is within fixed1 */
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		exempt = x & (x >> 5) & (x >> 9);
		got = vmx_cr_fixed(value, fixed0, fixed1, exempt);
		assert_int_equal(got & exempt, value & exempt);
		assert_int_equal(got & fixed0 & ~exempt, fixed0 & ~exempt);
		assert_int_equal(got & ~fixed1 & ~exempt, 0);
		free_bits = fixed1 & ~fixed0 & ~exempt;
		assert_int_equal(got & free_bits, value & free_bits);
	}
}

struct name_case {
	enum vmx_control_word word;
	unsigned int bit;
	const char *name;
};

static unsigned int bit_of(uint32_t mask)
{
	return (unsigned int)__builtin_ctz(mask);
}

static void test_bit_names(void **state)
{
	const struct name_case cases[] = {
		{ VMX_CTL_PIN, bit_of(PIN_EXTERNAL_INTERRUPT_EXITING),
		  "external-interrupt exiting" },
		{ VMX_CTL_PIN, bit_of(PIN_NMI_EXITING), "NMI exiting" },
		{ VMX_CTL_PIN, bit_of(PIN_VIRTUAL_NMIS), "virtual NMIs" },
		{ VMX_CTL_PIN, bit_of(PIN_PREEMPTION_TIMER), "VMX-preemption timer" },
		{ VMX_CTL_PROC, bit_of(CPU_BASED_HLT_EXITING), "HLT exiting" },
		{ VMX_CTL_PROC, bit_of(CPU_BASED_USE_IO_BITMAPS), "use I/O bitmaps" },
		{ VMX_CTL_PROC, bit_of(CPU_BASED_USE_MSR_BITMAPS), "use MSR bitmaps" },
		{ VMX_CTL_PROC, bit_of(CPU_BASED_SECONDARY_CONTROLS),
		  "activate secondary controls" },
		{ VMX_CTL_PROC2, bit_of(SECONDARY_ENABLE_EPT), "enable EPT" },
		{ VMX_CTL_PROC2, bit_of(SECONDARY_ENABLE_VPID), "enable VPID" },
		{ VMX_CTL_PROC2, bit_of(SECONDARY_UNRESTRICTED_GUEST), "unrestricted guest" },
		{ VMX_CTL_EXIT, bit_of(EXIT_HOST_ADDRESS_SPACE_SIZE), "host address-space size" },
		{ VMX_CTL_EXIT, bit_of(EXIT_LOAD_IA32_EFER), "load IA32_EFER" },
		{ VMX_CTL_EXIT, bit_of(EXIT_ACK_INTERRUPT_ON_EXIT),
		  "acknowledge interrupt on exit" },
		{ VMX_CTL_ENTRY, bit_of(ENTRY_IA32E_MODE_GUEST), "IA-32e mode guest" },
		{ VMX_CTL_ENTRY, bit_of(ENTRY_LOAD_IA32_EFER), "load IA32_EFER" },
		/* Required for the guest's DR7 (arch/debugreg.h); optional MOV-DR exiting. */
		{ VMX_CTL_EXIT, bit_of(EXIT_SAVE_DEBUG_CONTROLS), "save debug controls" },
		{ VMX_CTL_ENTRY, bit_of(ENTRY_LOAD_DEBUG_CONTROLS), "load debug controls" },
		{ VMX_CTL_PROC, bit_of(CPU_BASED_MOV_DR_EXITING), "MOV-DR exiting" },
		/* The same bit number means different controls in different words. */
		{ VMX_CTL_PIN, 0, "external-interrupt exiting" },
		{ VMX_CTL_PROC2, 1, "enable EPT" },
		{ VMX_CTL_ENTRY, 9, "IA-32e mode guest" },
		{ VMX_CTL_EXIT, 9, "host address-space size" },
		/* Bits with no name in the table. */
		{ VMX_CTL_PIN, 1, "unnamed control" },
		{ VMX_CTL_PROC, 0, "unnamed control" },
		{ VMX_CTL_PROC, bit_of(CPU_BASED_INVLPG_EXITING), "unnamed control" },
		{ VMX_CTL_PROC2, 31, "unnamed control" },
		{ VMX_CTL_ENTRY, 0, "unnamed control" },
		{ VMX_CTL_EXIT, 0, "unnamed control" },
		/* Out of range. */
		{ VMX_CTL_PIN, 32, "?" },
		{ VMX_CTL_PROC, 0xffffffffu, "?" },
		{ VMX_CTL_COUNT, 0, "?" },
		{ (enum vmx_control_word)100, 7, "?" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = vmx_control_bit_name(cases[i].word, cases[i].bit);

		assert_non_null(got);
		if (strcmp(got, cases[i].name))
			fail_msg("word %d bit %u: \"%s\", want \"%s\"", (int)cases[i].word,
				 cases[i].bit, got, cases[i].name);
	}
}

static void test_every_bit_has_a_name(void **state)
{
	(void)state;
	for (int w = 0; w < VMX_CTL_COUNT; w++)
		for (unsigned int bit = 0; bit < 32; bit++) {
			const char *name = vmx_control_bit_name((enum vmx_control_word)w, bit);

			assert_non_null(name);
			assert_true(name[0] != '\0');
			assert_string_not_equal(name, "?");
		}
}

static void test_word_names(void **state)
{
	(void)state;
	assert_string_equal(vmx_control_word_name(VMX_CTL_PIN), "pin-based");
	assert_string_equal(vmx_control_word_name(VMX_CTL_PROC), "processor-based");
	assert_string_equal(vmx_control_word_name(VMX_CTL_PROC2), "secondary processor-based");
	assert_string_equal(vmx_control_word_name(VMX_CTL_EXIT), "VM-exit");
	assert_string_equal(vmx_control_word_name(VMX_CTL_ENTRY), "VM-entry");
	assert_string_equal(vmx_control_word_name(VMX_CTL_COUNT), "?");
	assert_string_equal(vmx_control_word_name((enum vmx_control_word)-1), "?");
}

/* A Skylake-class CPU's capabilities, as every CPU of one package reports them. */
#define SKL_BASIC		0x00da040000000004ull	/* revision 4, TRUE_CTLS, WB, 1 KiB */
#define SKL_MISC		0x00000000000401e5ull	/* preemption timer: 2^5 cycles */
#define SKL_EPT_VPID		0x00000f0106734141ull

static void skl_caps(struct vmx_caps *c)
{
	*c = (struct vmx_caps){
		.basic = SKL_BASIC,
		.ctl = { SKL_TRUE_PINBASED, SKL_TRUE_PROCBASED, SKL_PROCBASED2,
			 SKL_TRUE_EXIT, SKL_TRUE_ENTRY },
		.misc = SKL_MISC,
		.cr0_fixed0 = SKL_CR0_FIXED0, .cr0_fixed1 = SKL_CR0_FIXED1,
		.cr4_fixed0 = SKL_CR4_FIXED0, .cr4_fixed1 = SKL_CR4_FIXED1,
		.ept_vpid_cap = SKL_EPT_VPID,
	};
}

/* The settings a boot CPU with @c computes: each word its forced bits plus a few. */
static void boot_config(const struct vmx_caps *c, struct vmx_config *b)
{
	const uint32_t extra[VMX_CTL_COUNT] = {
		PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING | PIN_PREEMPTION_TIMER,
		CPU_BASED_HLT_EXITING, SECONDARY_ENABLE_EPT | SECONDARY_ENABLE_VPID,
		EXIT_HOST_ADDRESS_SPACE_SIZE, ENTRY_LOAD_IA32_EFER,
	};
	uint32_t *out[VMX_CTL_COUNT] = { &b->pin, &b->proc, &b->proc2, &b->exit, &b->entry };
	uint32_t missing;

	memset(b, 0, sizeof(*b));
	b->revision = (uint32_t)(c->basic & VMX_BASIC_REVISION_MASK);
	for (int w = 0; w < VMX_CTL_COUNT; w++)
		assert_int_equal(vmx_control_compute(c->ctl[w], extra[w], 0, out[w], &missing), 0);
	b->cr0_fixed0 = c->cr0_fixed0;
	b->cr0_fixed1 = c->cr0_fixed1;
	b->cr4_fixed0 = c->cr4_fixed0;
	b->cr4_fixed1 = c->cr4_fixed1;
	b->ept_vpid_cap = c->ept_vpid_cap;
	b->vpid = b->ept_1g = b->preemption_timer = b->proc_window_exiting = true;
	b->preemption_shift = VMX_MISC_PREEMPTION_SHIFT(c->misc);
}

static void assert_mismatch(const struct vmx_config *b, const struct vmx_caps *c,
			    const char *want)
{
	const char *got = vmx_caps_mismatch(b, c);

	if (!want) {
		if (got)
			fail_msg("want no mismatch, got \"%s\"", got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
}

static void test_caps_same_cpu(void **state)
{
	struct vmx_caps c;
	struct vmx_config b;

	(void)state;
	skl_caps(&c);
	boot_config(&c, &b);
	assert_true(b.pin & PIN_PREEMPTION_TIMER);
	assert_mismatch(&b, &c, NULL);
	/* Offering more is fine: Tally uses only what the boot CPU chose. */
	c.ctl[VMX_CTL_PROC2] |= 0xFFull << 32;
	c.ept_vpid_cap |= EPT_CAP_INVEPT_ALL;
	assert_mismatch(&b, &c, NULL);
}

static void test_caps_each_difference(void **state)
{
	static const struct {
		const char *want;
		int word;		/* control word to change, or -1 */
		uint64_t clear, set;	/* in that word's MSR, or else as below */
	} cases[] = {
		/* allowed-1 bit the boot CPU uses taken away */
		{ "pin-based controls", VMX_CTL_PIN, (uint64_t)PIN_PREEMPTION_TIMER << 32, 0 },
		{ "processor-based controls", VMX_CTL_PROC, (uint64_t)CPU_BASED_HLT_EXITING << 32, 0 },
		{ "secondary processor-based controls", VMX_CTL_PROC2,
		  (uint64_t)SECONDARY_ENABLE_VPID << 32, 0 },
		/* a bit the boot CPU leaves 0 forced to 1 */
		{ "VM-exit controls", VMX_CTL_EXIT, 0, 1ull << 31 | (1ull << 63) },
		{ "VM-entry controls", VMX_CTL_ENTRY, 0, 1ull << 30 | (1ull << 62) },
		/* interrupt-window exiting, used per entry, not offered */
		{ "processor-based controls", VMX_CTL_PROC,
		  (uint64_t)CPU_BASED_INTERRUPT_WINDOW_EXITING << 32, 0 },
	};

	(void)state;
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vmx_caps c;
		struct vmx_config b;

		skl_caps(&c);
		boot_config(&c, &b);
		c.ctl[cases[i].word] = (c.ctl[cases[i].word] & ~cases[i].clear) | cases[i].set;
		assert_mismatch(&b, &c, cases[i].want);
	}
}

static void test_caps_other_fields(void **state)
{
	struct vmx_caps c, good;
	struct vmx_config b;

	(void)state;
	skl_caps(&good);
	boot_config(&good, &b);
	c = good;
	c.basic += 1;					/* revision 5 */
	assert_mismatch(&b, &c, "VMCS revision");
	c = good;
	c.ept_vpid_cap &= ~EPT_CAP_1G_PAGES;		/* the boot CPU maps 1 GiB pages */
	assert_mismatch(&b, &c, "EPT/VPID capabilities");
	b.ept_1g = false;
	assert_mismatch(&b, &c, NULL);
	c = good;
	c.ept_vpid_cap &= ~VPID_CAP_INVVPID_SINGLE;
	assert_mismatch(&b, &c, "EPT/VPID capabilities");
	b.vpid = false;
	assert_mismatch(&b, &c, NULL);
	c = good;
	c.ept_vpid_cap &= ~EPT_CAP_WALK_4;
	assert_mismatch(&b, &c, "EPT/VPID capabilities");
	c = good;
	c.cr4_fixed1 &= ~CR4_PAE;
	assert_mismatch(&b, &c, "CR0/CR4 fixed bits");
	c = good;
	c.cr0_fixed0 |= CR0_CD;
	assert_mismatch(&b, &c, "CR0/CR4 fixed bits");
	c = good;
	c.misc = (c.misc & ~0x1Full) | 7;		/* timer at 2^7 cycles */
	assert_mismatch(&b, &c, "VMX-preemption timer rate");
	b.preemption_timer = false;
	assert_mismatch(&b, &c, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compute_table),
		cmocka_unit_test(test_compute_invariants),
		cmocka_unit_test(test_cr_fixed_table),
		cmocka_unit_test(test_cr_fixed_invariants),
		cmocka_unit_test(test_bit_names),
		cmocka_unit_test(test_every_bit_has_a_name),
		cmocka_unit_test(test_word_names),
		cmocka_unit_test(test_caps_same_cpu),
		cmocka_unit_test(test_caps_each_difference),
		cmocka_unit_test(test_caps_other_fields),
	};

	return cmocka_run_group_tests_name("vmx_controls", tests, NULL, NULL);
}
