/* SPDX-License-Identifier: MIT */
/* taskswitch: the tasks' bodies and the switching instructions, in assembly (registers exact). */
#include "taskswitch.h"
#include "x86.h"

#define STR_(x)		#x
#define STR(x)		STR_(x)

struct task_seen seen_jmp, seen_call, seen_exc;
uint32_t back_regs[R_COUNT];
uint32_t esp_before;
volatile uint32_t trap_vector, trap_error, trap_resume, trap_tr;

/*
 * Each body records what it was entered with (PUSHA into its record), then
 * leaves: JMP back to the main task, or IRET (NT set: back by the link).
 * Entered again, a task resumes after its JMP/IRET, so each loops to its start.
 */
#define RECORD(rec)							\
	"pushal\n\t"							\
	"mov %esp, %esi\n\t"						\
	"mov $" #rec ", %edi\n\t"					\
	"mov $8, %ecx\n\t"						\
	"cld; rep movsl\n\t"						\
	"popal\n\t"							\
	"pushfl; popl " #rec "+32\n\t"					\
	"str %ax; movzwl %ax, %eax; mov %eax, " #rec "+36\n\t"		\
	"mov main_access, %eax; movzbl (%eax), %eax; mov %eax, " #rec "+40\n\t" \
	"incl " #rec "+48\n\t"						\
	"mov main_tss+0x20, %eax; mov %eax, " #rec "+52\n\t"

/* The main task's side: known registers in, everything recorded after the switch back. */
#define ROUNDTRIP(name, insn)						\
	".globl " #name "\n" #name ":\n\t"				\
	"push %ebp; push %ebx; push %esi; push %edi\n\t"		\
	"mov %esp, esp_before\n\t"					\
	"mov $0xA0000000, %eax; mov $0xA0000001, %ecx\n\t"		\
	"mov $0xA0000002, %edx; mov $0xA0000003, %ebx\n\t"		\
	"mov $0xA0000005, %ebp; mov $0xA0000006, %esi\n\t"		\
	"mov $0xA0000007, %edi\n\t"					\
	insn "\n\t"							\
	"mov %eax, back_regs+28; mov %ecx, back_regs+24\n\t"		\
	"mov %edx, back_regs+20; mov %ebx, back_regs+16\n\t"		\
	"mov %esp, back_regs+12; mov %ebp, back_regs+8\n\t"		\
	"mov %esi, back_regs+4; mov %edi, back_regs+0\n\t"		\
	"pop %edi; pop %esi; pop %ebx; pop %ebp\n\t"			\
	"ret\n"

/* A switch that must fault before it commits: trap_resume says where to go on. */
#define ATTEMPT(name, insn)						\
	".globl " #name "\n" #name ":\n\t"				\
	"movl $1f, trap_resume\n\t"					\
	insn "\n"							\
	"1: ret\n"

/*
 * Interrupt-gate handlers for the faults: record (through SS, the one data
 * segment sure to be usable, even in a task whose DS failed to load), then
 * resume at trap_resume.
 */
#define MY_TRAP(name, vec)						\
	".globl " #name "\n" #name ":\n\t"				\
	"movl $" #vec ", %ss:trap_vector\n\t"				\
	"popl %ss:trap_error\n\t"					\
	"push %eax\n\t"							\
	"str %ax; movzwl %ax, %eax; mov %eax, %ss:trap_tr\n\t"		\
	"mov %ss:trap_resume, %eax; mov %eax, 4(%esp); pop %eax\n\t"	\
	"iret\n"

asm(".text\n"
    ".globl task_jmp_body\ntask_jmp_body:\n\t"
    RECORD(seen_jmp)
    "ljmp $" STR(SEL_MAIN) ", $0\n\t"
    "jmp task_jmp_body\n"

    ".globl task_call_body\ntask_call_body:\n\t"
    RECORD(seen_call)
    "mov $0xC0DE, %eax\n\t"		/* the callee's registers stay in its TSS */
    "iret\n\t"
    "jmp task_call_body\n"

    ".globl task_exc_body\ntask_exc_body:\n\t"
    RECORD(seen_exc)
    "popl seen_exc+44\n\t"		/* the error code the switch pushed */
    "movl $raise_np_resume, main_tss+0x20\n\t"	/* main resumes past the fault */
    "iret\n\t"
    "jmp task_exc_body\n"

    /* Entered with a DS that faults (#NP) after the switch: the handler resumes here. */
    ".globl task_late_body\ntask_late_body:\n\t"
    "mov $" STR(GDT_SEL_DATA) ", %eax; mov %ax, %ds\n\t"
    "ljmp $" STR(SEL_MAIN) ", $0\n\t"
    "jmp task_late_body\n"

    ROUNDTRIP(roundtrip_jmp, "ljmp $" STR(SEL_T_JMP) ", $0")
    ROUNDTRIP(roundtrip_call, "lcall $" STR(SEL_T_CALL) ", $0")

    ".globl raise_np\nraise_np:\n\t"
    "push %eax\n\t"
    "mov $" STR(SEL_DATA_ABSENT) ", %eax\n"
    ".globl raise_np_fault\nraise_np_fault:\n\t"
    "mov %ax, %fs\n"
    ".globl raise_np_resume\nraise_np_resume:\n\t"
    "mov $0x10, %eax; mov %ax, %fs\n\t"
    "pop %eax\n\t"
    "ret\n"

    ATTEMPT(try_call_short, "lcall $" STR(SEL_SHORT) ", $0")
    ATTEMPT(try_call_main, "lcall $" STR(SEL_MAIN) ", $0")
    /* The late fault comes in the new task: its handler resumes that task's body. */
    ".globl try_jmp_late\ntry_jmp_late:\n\t"
    "movl $task_late_body, trap_resume\n\t"
    "ljmp $" STR(SEL_T_LATE) ", $0\n\t"
    "ret\n"
    ATTEMPT(try_jmp_absent, "ljmp $" STR(SEL_ABSENT) ", $0")
    MY_TRAP(my_trap_ts, 10)
    MY_TRAP(my_trap_np, 11)
    MY_TRAP(my_trap_gp, 13));
