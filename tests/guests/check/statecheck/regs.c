/* SPDX-License-Identifier: MIT */
/* statecheck: control, debug and general registers, RFLAGS, segments, descriptor tables. */
#include "guest.h"
#include "state.h"

/* Control-register bits (SDM Vol. 3A, 2.5) the writer sets on top of ext.c's. */
#define CR0_WP			(1u << 16)
#define CR0_AM			(1u << 18)
#define CR4_TSD			(1u << 2)
#define CR4_DE			(1u << 3)
#define CR4_PCE			(1u << 8)
#define EFLAGS_DF		(1u << 10)
#define EFLAGS_AC		(1u << 18)

/* Debug registers (SDM Vol. 3B, 18.2): reset values, and the writer's patterns. */
#define DR6_RESET		0xFFFF0FF0u
#define DR7_RESET		0x00000400u
#define DR6_B3			(1u << 3)
#define WRITER_DR6		(DR6_RESET | 0x6u | (1u << 14))	/* B1, B2, BS */
/*
 * L0-L2 (instruction breakpoints at DR0-DR2, addresses never executed),
 * L3+G3 with R/W3 = 01 (data writes) and LEN3 = 11 (4 bytes) at DR3 (the
 * probe), LE and GE.
 */
#define WRITER_DR7		0xD00007D5u
#define WRITER_CR2		0xC2C2C2C2u
#define WRITER_CR3		0x5A5A5000u
static const uint32_t writer_dr_addr[3] = { 0xD0D0D0D0u, 0xD1D1D1D1u, 0xD2D2D2D0u };

/* The writer's own descriptor tables: the library's GDT entries, plus an LDT and a TSS. */
#define GDT_LIB_ENTRIES		5
#define GDT_SEL_LDT		0x28
#define GDT_SEL_TSS		0x30
#define GDT_WRITER_ENTRIES	7
#define TSS32_SIZE		104
#define DESC_TYPE_LDT		0x2
#define DESC_TYPE_TSS32		0x9
#define DESC_PRESENT		0x80
#define IDT_BYTES		(256 * 8)

static uint64_t writer_gdt[GDT_WRITER_ENTRIES] __attribute__((aligned(8)));
static uint64_t writer_ldt[2] __attribute__((aligned(8)));
static uint8_t writer_tss[TSS32_SIZE] __attribute__((aligned(8)));
static uint8_t writer_idt[IDT_BYTES] __attribute__((aligned(8)));

/* A data-write breakpoint (DR3) watches this; the writer stores to it every round. */
static volatile uint32_t bp_probe __attribute__((aligned(4)));
static bool bp_fires;		/* it fired at setup, so it must fire every round */

/* What this guest expects in each register, recorded at setup. */
static struct {
	uint32_t cr0, cr2, cr3, cr4, dr[4], dr6, dr7;
	uint16_t sel[6], ldtr, tr;	/* CS SS DS ES FS GS */
	struct desc_ptr gdtr, idtr;
} own;

#define DEFINE_REG(name, insn_read, insn_write)				\
static inline uint32_t read_##name(void)				\
{									\
	uint32_t v;							\
	asm volatile("mov %%" #insn_read ", %0" : "=r"(v));		\
	return v;							\
}									\
static inline void write_##name(uint32_t v)				\
{									\
	asm volatile("mov %0, %%" #insn_write : : "r"(v) : "memory");	\
}
DEFINE_REG(cr0, cr0, cr0)
DEFINE_REG(cr2, cr2, cr2)
DEFINE_REG(cr3, cr3, cr3)
DEFINE_REG(cr4, cr4, cr4)
DEFINE_REG(dr0, db0, db0)
DEFINE_REG(dr1, db1, db1)
DEFINE_REG(dr2, db2, db2)
DEFINE_REG(dr3, db3, db3)
DEFINE_REG(dr6, db6, db6)
DEFINE_REG(dr7, db7, db7)
#undef DEFINE_REG

static void read_selectors(uint16_t sel[6])
{
	asm volatile("mov %%cs, %0" : "=rm"(sel[0]));
	asm volatile("mov %%ss, %0" : "=rm"(sel[1]));
	asm volatile("mov %%ds, %0" : "=rm"(sel[2]));
	asm volatile("mov %%es, %0" : "=rm"(sel[3]));
	asm volatile("mov %%fs, %0" : "=rm"(sel[4]));
	asm volatile("mov %%gs, %0" : "=rm"(sel[5]));
}

static uint16_t read_ldtr(void)
{
	uint16_t v;

	asm volatile("sldt %0" : "=rm"(v));
	return v;
}

static uint16_t read_tr(void)
{
	uint16_t v;

	asm volatile("str %0" : "=rm"(v));
	return v;
}

static void read_idtr(struct desc_ptr *p)
{
	asm volatile("sidt %0" : "=m"(*p));
}

static uint64_t system_desc(uint32_t base, uint32_t limit, uint8_t type)
{
	return (uint64_t)(limit & 0xFFFF) | ((uint64_t)(base & 0xFFFFFF) << 16) |
	       ((uint64_t)(DESC_PRESENT | type) << 40) | ((uint64_t)((limit >> 16) & 0xF) << 48) |
	       ((uint64_t)(base >> 24) << 56);
}

/* The writer's GDT (with an LDT and a TSS), IDT copy, LDTR, TR and data segment selectors. */
static void writer_tables(void)
{
	struct desc_ptr lib;
	struct desc_ptr gdtr = { sizeof(writer_gdt) - 1, (uint32_t)(uintptr_t)writer_gdt };
	struct desc_ptr idtr = { sizeof(writer_idt) - 1, (uint32_t)(uintptr_t)writer_idt };

	sgdt(&lib);
	memcpy(writer_gdt, (const void *)(uintptr_t)lib.base, GDT_LIB_ENTRIES * 8);
	writer_gdt[GDT_SEL_LDT / 8] = system_desc((uint32_t)(uintptr_t)writer_ldt,
						  sizeof(writer_ldt) - 1, DESC_TYPE_LDT);
	writer_gdt[GDT_SEL_TSS / 8] = system_desc((uint32_t)(uintptr_t)writer_tss,
						  sizeof(writer_tss) - 1, DESC_TYPE_TSS32);
	read_idtr(&lib);
	memcpy(writer_idt, (const void *)(uintptr_t)lib.base, sizeof(writer_idt));
	lgdt(&gdtr);
	lidt(&idtr);
	asm volatile("lldt %w0" : : "r"(GDT_SEL_LDT));
	asm volatile("ltr %w0" : : "r"(GDT_SEL_TSS));
	asm volatile("mov %0, %%ds\n\tmov %0, %%es\n\tmov %0, %%fs\n\tmov %0, %%gs"
		     : : "r"((uint32_t)GDT_SEL_USER_DATA) : "memory");
}

/* Store to the probe: the #DB of DR3's breakpoint (a trap) resumes right after the store. */
static int probe_write(void)
{
	trap_expect();
	asm volatile("movl $1, %0\n1:\n\t" EXTABLE_ENTRY(1b, 1b) : "=m"(bp_probe) : : "memory");
	return trap_caught();
}

/* DR0-DR3, DR6, DR7, and at once (no exit in between) whether the breakpoint fires. */
static void writer_debug_regs(void)
{
	write_dr0(writer_dr_addr[0]);
	write_dr1(writer_dr_addr[1]);
	write_dr2(writer_dr_addr[2]);
	write_dr3((uint32_t)(uintptr_t)&bp_probe);
	write_dr6(WRITER_DR6);
	write_dr7(WRITER_DR7);
	bp_fires = probe_write() == 1;
	write_dr6(WRITER_DR6);
}

static void writer_setup(void)
{
	write_cr0(read_cr0() | CR0_WP | CR0_AM);
	write_cr4(read_cr4() | CR4_TSD | CR4_DE | CR4_PCE);
	write_cr3(WRITER_CR3);
	write_cr2(WRITER_CR2);
	writer_tables();
	writer_debug_regs();
	printk("statecheck: DR3 data breakpoint %s at setup\n",
	       bp_fires ? "fires" : "does not fire (not checked later)");
}

static void record_own(void)
{
	own.cr0 = read_cr0();
	own.cr4 = read_cr4();
	own.cr2 = state_writer() ? WRITER_CR2 : 0;
	own.cr3 = state_writer() ? WRITER_CR3 : 0;
	for (int i = 0; i < 3; i++)
		own.dr[i] = state_writer() ? writer_dr_addr[i] : 0;
	own.dr[3] = state_writer() ? (uint32_t)(uintptr_t)&bp_probe : 0;
	own.dr6 = state_writer() ? WRITER_DR6 : DR6_RESET;
	own.dr7 = state_writer() ? WRITER_DR7 : DR7_RESET;
	read_selectors(own.sel);
	own.ldtr = state_writer() ? GDT_SEL_LDT : 0;
	own.tr = state_writer() ? GDT_SEL_TSS : 0;
	sgdt(&own.gdtr);
	read_idtr(&own.idtr);
}

void regs_setup(void)
{
	if (state_writer())
		writer_setup();
	record_own();
	/* What the writer meant to set must have taken. */
	if (state_writer()) {
		state_expect("data segment selectors", ~0u, own.sel[2], GDT_SEL_USER_DATA);
		state_expect("GDTR.base", ~0u, own.gdtr.base, (uint32_t)(uintptr_t)writer_gdt);
		state_expect("IDTR.base", ~0u, own.idtr.base, (uint32_t)(uintptr_t)writer_idt);
	} else {
		state_expect("data segment selectors", ~0u, own.sel[2], GDT_SEL_DATA);
	}
	/* CR0 CR2 CR3 CR4, DR0-DR3 DR6 DR7, six selectors, GDTR, IDTR (base, limit), LDTR, TR */
	state_items += 22 + (bp_fires ? 2 : 0);
}

static void check_debug_regs(uint32_t round)
{
	state_expect("DR0", round, read_dr0(), own.dr[0]);
	state_expect("DR1", round, read_dr1(), own.dr[1]);
	state_expect("DR2", round, read_dr2(), own.dr[2]);
	state_expect("DR3", round, read_dr3(), own.dr[3]);
	state_expect("DR6", round, read_dr6(), own.dr6);
	state_expect("DR7", round, read_dr7(), own.dr7);
	if (!bp_fires)
		return;
	state_expect("#DB of the DR3 data breakpoint (vector)", round, (uint32_t)probe_write(), 1);
	state_expect("DR6.B3 after the breakpoint", round, read_dr6() & DR6_B3, DR6_B3);
	write_dr6(own.dr6);
}

static void check_tables(uint32_t round)
{
	static const char *const names[6] = { "CS", "SS", "DS", "ES", "FS", "GS" };
	struct desc_ptr gdtr, idtr;
	uint16_t sel[6];

	read_selectors(sel);
	for (int i = 0; i < 6; i++)
		state_expect(names[i], round, sel[i], own.sel[i]);
	sgdt(&gdtr);
	read_idtr(&idtr);
	state_expect("GDTR.base", round, gdtr.base, own.gdtr.base);
	state_expect("GDTR.limit", round, gdtr.limit, own.gdtr.limit);
	state_expect("IDTR.base", round, idtr.base, own.idtr.base);
	state_expect("IDTR.limit", round, idtr.limit, own.idtr.limit);
	state_expect("LDTR", round, read_ldtr(), own.ldtr);
	state_expect("TR", round, read_tr(), own.tr);
}

void regs_check(uint32_t round)
{
	state_expect("CR0", round, read_cr0(), own.cr0);
	state_expect("CR2", round, read_cr2(), own.cr2);
	state_expect("CR3", round, read_cr3(), own.cr3);
	state_expect("CR4", round, read_cr4(), own.cr4);
	check_debug_regs(round);
	check_tables(round);
}

/* Registers held through the spin, and where the spin leaves them (offsets used by the asm). */
struct spin_ctx {
	uint32_t ebx, edx, esi, edi, ebp;	/* 0, 4, 8, 12, 16 */
	uint32_t flags;				/* 20: ORed into EFLAGS for the spin */
	uint32_t loops;				/* 24 */
	uint32_t got[5];			/* 28 ... 44 */
	uint32_t got_flags;			/* 48 */
};

static void spin_asm(struct spin_ctx *c)
{
	asm volatile("push %%ebp\n\t"
		     "push %%eax\n\t"
		     "pushf\n\t"
		     "pushf\n\t"
		     "pop %%edx\n\t"
		     "or 20(%%eax), %%edx\n\t"
		     "push %%edx\n\t"
		     "popf\n\t"
		     "mov 24(%%eax), %%ecx\n\t"
		     "mov 0(%%eax), %%ebx\n\t"
		     "mov 4(%%eax), %%edx\n\t"
		     "mov 8(%%eax), %%esi\n\t"
		     "mov 12(%%eax), %%edi\n\t"
		     "mov 16(%%eax), %%ebp\n\t"
		     "1: dec %%ecx\n\t"
		     "jnz 1b\n\t"
		     "pushf\n\t"
		     "pop %%eax\n\t"
		     "mov 4(%%esp), %%ecx\n\t"
		     "mov %%ebx, 28(%%ecx)\n\t"
		     "mov %%edx, 32(%%ecx)\n\t"
		     "mov %%esi, 36(%%ecx)\n\t"
		     "mov %%edi, 40(%%ecx)\n\t"
		     "mov %%ebp, 44(%%ecx)\n\t"
		     "mov %%eax, 48(%%ecx)\n\t"
		     "popf\n\t"
		     "pop %%eax\n\t"
		     "pop %%ebp"
		     : : "a"(c) : "ebx", "ecx", "edx", "esi", "edi", "memory", "cc");
}

void regs_spin(uint32_t round, uint32_t loops)
{
	static const char *const names[5] = { "EBX", "EDX", "ESI", "EDI", "EBP" };
	struct spin_ctx c = { .loops = loops ? loops : 1 };
	uint32_t base = state_writer() ? 0x5B5B5B5Bu : 0xA1B2C3D4u;
	uint32_t *in = &c.ebx;

	for (int i = 0; i < 5; i++)
		in[i] = base ^ ((uint32_t)i * 0x11111111u);
	c.flags = state_writer() ? EFLAGS_DF | EFLAGS_AC : 0;
	spin_asm(&c);
	for (int i = 0; i < 5; i++)
		state_expect(names[i], round, c.got[i], in[i]);
	state_expect("RFLAGS.DF/AC", round, c.got_flags & (EFLAGS_DF | EFLAGS_AC), c.flags);
	if (round == 0)
		state_items += 6;
}
