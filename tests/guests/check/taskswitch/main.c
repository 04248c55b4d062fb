/* SPDX-License-Identifier: MIT */
/*
 * taskswitch: hardware task switches (SDM Vol. 3A, 7.3) by JMP, by CALL and
 * IRET, and through a task gate for #NP with its error code, each task's
 * registers exact; and the faults a bad switch raises in the caller: #TS
 * for a TSS limit below 67H, #GP for a CALL to a busy TSS, #NP for a TSS
 * that is not present, each with the selector as its error code.
 */
#include "guest.h"
#include "taskswitch.h"

const char guest_name[] = "taskswitch";

#define LIB_GDT_ENTRIES		5	/* null, code, data, user code, user data (desc.c) */
#define ACC_TSS_AVAIL		0x89u	/* P, DPL 0, 32-bit TSS available (SDM Vol. 3A, 7.2.2) */
#define ACC_TSS_BUSY		0x8Bu
#define ACC_DATA_ABSENT		0x12u	/* data read/write, P clear */
#define ACC_TASK_GATE		0x85u	/* P, DPL 0, task gate (7.2.5) */
#define ACC_INT_GATE		0x8Eu
#define TSS_LIMIT		0x67u
#define TSS_LIMIT_SHORT		0x60u
#define FLAT_LIMIT		0xFFFFFu
#define FLAGS_FLAT		0xCu	/* G, D/B */
#define EFLAGS_FIXED		0x2u
#define EFLAGS_NT		(1u << 14)
#define CR0_TS			(1u << 3)
#define STACK_BYTES		1024
#define GPR_JMP			0xB1000000u
#define GPR_CALL		0xB2000000u
#define GPR_EXC			0xB3000000u
#define GPR_MAIN		0xA0000000u
#define X86_ESP			4
#define X86_EAX			0
#define X86_SEG_DS		3	/* in the TSS's ES, CS, SS, DS, FS, GS */
#define VEC_TS			10
#define VEC_NP			11

struct tss32 main_tss __attribute__((aligned(128)));
static struct tss32 tss_jmp, tss_call, tss_exc, tss_late;
static uint8_t stacks[4][STACK_BYTES] __attribute__((aligned(16)));
static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(8)));
volatile uint8_t *main_access;

static uint64_t desc(uint32_t base, uint32_t limit, uint32_t access, uint32_t flags)
{
	return (limit & 0xFFFFull) | ((uint64_t)(base & 0xFFFFFF) << 16) |
	       ((uint64_t)access << 40) | ((uint64_t)((limit >> 16) & 0xF) << 48) |
	       ((uint64_t)flags << 52) | ((uint64_t)(base >> 24) << 56);
}

static uint32_t read_cr0(void)
{
	uint32_t v;

	asm volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static uint32_t read_eflags(void)
{
	uint32_t v;

	asm volatile("pushfl; popl %0" : "=r"(v));
	return v;
}

static uint8_t access_of(uint16_t sel)
{
	return (uint8_t)(gdt[sel / 8] >> 40);
}

/* A task at @body on its own stack, registers @gpr + n (x86 number n), flat segments. */
static void tss_init(struct tss32 *t, void (*body)(void), uint8_t *stack, uint32_t gpr)
{
	uint32_t cr3;

	asm volatile("mov %%cr3, %0" : "=r"(cr3));
	*t = (struct tss32){ .cr3 = cr3, .eip = (uint32_t)body, .eflags = EFLAGS_FIXED };
	for (int i = 0; i < 8; i++)
		t->gpr[i] = gpr + (uint32_t)i;
	t->gpr[X86_ESP] = (uint32_t)(stack + STACK_BYTES);
	for (int i = 0; i < 6; i++)
		t->seg[i] = i == 1 ? GDT_SEL_CODE : GDT_SEL_DATA;
}

/* Our GDT (the library's entries first), loaded, and TR = the main task's TSS. */
static void tables_init(void)
{
	struct desc_ptr old, now = { sizeof(gdt) - 1, (uint32_t)gdt };
	const uint64_t *lib;
	uint16_t tr = SEL_MAIN;

	sgdt(&old);
	lib = (const uint64_t *)old.base;
	for (int i = 0; i < LIB_GDT_ENTRIES; i++)
		gdt[i] = lib[i];
	gdt[SEL_MAIN / 8] = desc((uint32_t)&main_tss, TSS_LIMIT, ACC_TSS_AVAIL, 0);
	gdt[SEL_T_JMP / 8] = desc((uint32_t)&tss_jmp, TSS_LIMIT, ACC_TSS_AVAIL, 0);
	gdt[SEL_T_CALL / 8] = desc((uint32_t)&tss_call, TSS_LIMIT, ACC_TSS_AVAIL, 0);
	gdt[SEL_T_EXC / 8] = desc((uint32_t)&tss_exc, TSS_LIMIT, ACC_TSS_AVAIL, 0);
	gdt[SEL_SHORT / 8] = desc((uint32_t)&tss_jmp, TSS_LIMIT_SHORT, ACC_TSS_AVAIL, 0);
	gdt[SEL_ABSENT / 8] = desc((uint32_t)&tss_jmp, TSS_LIMIT, ACC_TSS_AVAIL & 0x7F, 0);
	gdt[SEL_T_LATE / 8] = desc((uint32_t)&tss_late, TSS_LIMIT, ACC_TSS_AVAIL, 0);
	gdt[SEL_DATA_ABSENT / 8] = desc(0, FLAT_LIMIT, ACC_DATA_ABSENT, FLAGS_FLAT);
	lgdt(&now);
	asm volatile("ltr %0" : : "r"(tr) : "memory");
	main_access = (volatile uint8_t *)&gdt[SEL_MAIN / 8] + 5;
	tss_init(&tss_jmp, task_jmp_body, stacks[0], GPR_JMP);
	tss_init(&tss_call, task_call_body, stacks[1], GPR_CALL);
	tss_init(&tss_exc, task_exc_body, stacks[2], GPR_EXC);
	tss_init(&tss_late, task_late_body, stacks[3], GPR_JMP);
	tss_late.seg[X86_SEG_DS] = SEL_DATA_ABSENT;
}

/* The registers a task body recorded: @gpr + n, ESP its stack top less @pushed. */
static bool regs_ok(const struct task_seen *s, uint32_t gpr, const uint8_t *stack, uint32_t pushed)
{
	for (int n = 0; n < 8; n++) {
		uint32_t want = n == X86_ESP ? (uint32_t)(stack + STACK_BYTES) - pushed : gpr + (uint32_t)n;

		if (s->regs[R_EAX - n] != want) {
			printk("%s: register %d is 0x%x, expected 0x%x\n", guest_name, n,
			       s->regs[R_EAX - n], want);
			return false;
		}
	}
	return true;
}

/* The main task's registers after it was switched back to: as it left them. */
static bool back_ok(void)
{
	for (int n = 0; n < 8; n++) {
		uint32_t want = n == X86_ESP ? esp_before : GPR_MAIN + (uint32_t)n;

		if (back_regs[R_EAX - n] != want) {
			printk("%s: main register %d is 0x%x, expected 0x%x\n", guest_name, n,
			       back_regs[R_EAX - n], want);
			return false;
		}
	}
	return true;
}

static void check_jmp(void)
{
	roundtrip_jmp();
	guest_check(seen_jmp.runs == 1 && regs_ok(&seen_jmp, GPR_JMP, stacks[0], 0),
		    "JMP task: entered %u time(s) with its TSS's registers", seen_jmp.runs);
	guest_check(seen_jmp.tr == SEL_T_JMP && !(seen_jmp.eflags & EFLAGS_NT) &&
		    seen_jmp.main_type == ACC_TSS_AVAIL,
		    "JMP task: TR 0x%x, EFLAGS 0x%x (NT clear), main TSS access 0x%x (available)",
		    seen_jmp.tr, seen_jmp.eflags, seen_jmp.main_type);
	guest_check(back_ok() && access_of(SEL_MAIN) == ACC_TSS_BUSY &&
		    access_of(SEL_T_JMP) == ACC_TSS_AVAIL && tss_jmp.prev_task_link == 0,
		    "JMP back: main registers exact, main access 0x%x, JMP task 0x%x, link 0x%x",
		    access_of(SEL_MAIN), access_of(SEL_T_JMP), tss_jmp.prev_task_link);
	guest_check(read_cr0() & CR0_TS, "CR0.TS set by the switch: CR0 0x%x", read_cr0());
	asm volatile("clts");
}

static void check_call(void)
{
	roundtrip_call();
	guest_check(seen_call.runs == 1 && regs_ok(&seen_call, GPR_CALL, stacks[1], 0),
		    "CALL task: entered %u time(s) with its TSS's registers", seen_call.runs);
	guest_check(seen_call.tr == SEL_T_CALL && (seen_call.eflags & EFLAGS_NT) &&
		    seen_call.main_type == ACC_TSS_BUSY && tss_call.prev_task_link == SEL_MAIN,
		    "CALL task: TR 0x%x, EFLAGS 0x%x (NT set), caller access 0x%x (busy), link 0x%x",
		    seen_call.tr, seen_call.eflags, seen_call.main_type, tss_call.prev_task_link);
	guest_check(back_ok() && !(read_eflags() & EFLAGS_NT) && access_of(SEL_T_CALL) == ACC_TSS_AVAIL &&
		    tss_call.gpr[X86_EAX] == 0xC0DE && !(tss_call.eflags & EFLAGS_NT),
		    "IRET back: main registers exact, callee access 0x%x, callee saved EAX 0x%x "
		    "EFLAGS 0x%x (NT clear)", access_of(SEL_T_CALL), tss_call.gpr[X86_EAX],
		    tss_call.eflags);
	asm volatile("clts");
}

static uint64_t *idt_entry(unsigned int vector)
{
	struct desc_ptr idtr;

	asm volatile("sidt %0" : "=m"(idtr));
	return (uint64_t *)idtr.base + vector;
}

static uint64_t int_gate(void (*fn)(void))
{
	uint32_t a = (uint32_t)fn;

	return (a & 0xFFFF) | ((uint64_t)GDT_SEL_CODE << 16) | ((uint64_t)ACC_INT_GATE << 40) |
	       ((uint64_t)(a >> 16) << 48);
}

static void check_task_gate(void)
{
	uint64_t *e = idt_entry(VEC_NP), saved = *e;

	*e = ((uint64_t)SEL_T_EXC << 16) | ((uint64_t)ACC_TASK_GATE << 40);
	raise_np();
	*e = saved;
	asm volatile("clts");
	guest_check(seen_exc.runs == 1 && regs_ok(&seen_exc, GPR_EXC, stacks[2], 4),
		    "#NP task gate: handler task entered %u time(s), ESP below the error code",
		    seen_exc.runs);
	guest_check(seen_exc.error_code == SEL_DATA_ABSENT && (seen_exc.eflags & EFLAGS_NT) &&
		    seen_exc.main_eip == (uint32_t)raise_np_fault && tss_exc.prev_task_link == SEL_MAIN,
		    "#NP task gate: error code 0x%x, NT %s, saved EIP at the fault %s, link 0x%x",
		    seen_exc.error_code, (seen_exc.eflags & EFLAGS_NT) ? "set" : "clear",
		    seen_exc.main_eip == (uint32_t)raise_np_fault ? "yes" : "no",
		    tss_exc.prev_task_link);
}

/* A switch that faults in the caller: @want vector with the selector @sel as its error code. */
static void check_refused(void (*attempt)(void), const char *what, uint32_t want, uint16_t sel)
{
	uint16_t tr;

	trap_vector = 0;
	trap_error = 0xFFFFFFFFu;
	attempt();
	asm volatile("str %0" : "=r"(tr));
	guest_check(trap_vector == want && trap_error == sel && tr == SEL_MAIN &&
		    access_of(SEL_MAIN) == ACC_TSS_BUSY,
		    "%s: vector %u error 0x%x (expected %u, 0x%x), TR 0x%x", what, trap_vector,
		    trap_error, want, sel, tr);
}

/*
 * A fault after the switch commits (SDM Vol. 3A, 7.3 step 12): the new task's
 * DS is not present, so #NP(DS) comes in the new task, whose handler (@np's
 * interrupt gate) resumes it; it then reloads DS and jumps back.
 */
static void check_late(uint64_t *np)
{
	uint16_t tr;

	*np = int_gate(my_trap_np);
	trap_vector = 0;
	trap_error = 0xFFFFFFFFu;
	trap_tr = 0;
	try_jmp_late();
	asm volatile("str %0" : "=r"(tr));
	guest_check(trap_vector == VEC_NP && trap_error == SEL_DATA_ABSENT && trap_tr == SEL_T_LATE &&
		    tr == SEL_MAIN && tss_late.seg[X86_SEG_DS] == GDT_SEL_DATA &&
		    access_of(SEL_T_LATE) == ACC_TSS_AVAIL,
		    "JMP to a task with a not-present DS: vector %u error 0x%x in TR 0x%x, back in 0x%x",
		    trap_vector, trap_error, trap_tr, tr);
	asm volatile("clts");
}

static void check_bad(void)
{
	uint64_t *ts = idt_entry(VEC_TS), *np = idt_entry(VEC_NP), *gp = idt_entry(X86_EXC_GP);
	uint64_t s_ts = *ts, s_np = *np, s_gp = *gp;

	*ts = int_gate(my_trap_ts);
	*np = int_gate(my_trap_np);
	*gp = int_gate(my_trap_gp);
	check_refused(try_call_short, "CALL to a TSS with limit 0x60", VEC_TS, SEL_SHORT);
	check_refused(try_call_main, "CALL to the busy TSS", X86_EXC_GP, SEL_MAIN);
	check_refused(try_jmp_absent, "JMP to a not-present TSS", VEC_NP, SEL_ABSENT);
	check_late(np);
	*ts = s_ts;
	*np = s_np;
	*gp = s_gp;
}

void guest_main(const struct mb_info *mbi)
{
	(void)mbi;
	tables_init();
	check_jmp();
	check_call();
	check_task_gate();
	check_bad();
}
