/* SPDX-License-Identifier: MIT */
/* taskswitch: the GDT selectors, the tasks' bodies (tasks.c) and what they record. */
#ifndef TASKSWITCH_H
#define TASKSWITCH_H

#include <stdint.h>

/* Our GDT: the library's five flat entries, then the TSS and test descriptors. */
#define SEL_MAIN		0x28	/* the task guest_main() runs in */
#define SEL_T_JMP		0x30	/* entered by JMP, leaves by JMP */
#define SEL_T_CALL		0x38	/* entered by CALL, leaves by IRET */
#define SEL_T_EXC		0x40	/* the #NP handler, through a task gate */
#define SEL_SHORT		0x48	/* TSS with limit 60H < 67H: #TS */
#define SEL_ABSENT		0x50	/* TSS not present: #NP */
#define SEL_DATA_ABSENT		0x58	/* data segment not present: loading it raises #NP */
#define SEL_T_LATE		0x60	/* its TSS names SEL_DATA_ABSENT for DS: #NP in the task */
#define GDT_ENTRIES		13

/* Registers as PUSHA orders them in memory: EDI first. */
enum { R_EDI, R_ESI, R_EBP, R_ESP, R_EBX, R_EDX, R_ECX, R_EAX, R_COUNT };

/* What a task body saw on entry: its registers, EFLAGS and TR. */
struct task_seen {
	uint32_t regs[R_COUNT];
	uint32_t eflags;
	uint32_t tr;
	uint32_t main_type;	/* the access byte of the main TSS's descriptor, while the task ran */
	uint32_t error_code;	/* the exception handler task: the word on top of its stack */
	uint32_t runs;
	uint32_t main_eip;	/* the EIP saved in the main task's TSS, as the task began */
};

extern struct task_seen seen_jmp, seen_call, seen_exc;
/* The main task's registers right after it was switched back to, and its ESP before. */
extern uint32_t back_regs[R_COUNT];
extern uint32_t esp_before;
/* The main task's access byte (GDT entry SEL_MAIN), for the bodies to read. */
extern volatile uint8_t *main_access;
/* The 32-bit TSS (SDM Vol. 3A, 7.2.1). */
struct tss32 {
	uint16_t prev_task_link, reserved0;
	uint32_t esp0, ss0, esp1, ss1, esp2, ss2;
	uint32_t cr3, eip, eflags;
	uint32_t gpr[8];		/* EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI */
	uint32_t seg[6];		/* ES, CS, SS, DS, FS, GS */
	uint32_t ldt;
	uint16_t trap, io_map_base;
};
_Static_assert(sizeof(struct tss32) == 0x68, "a 32-bit TSS is 104 bytes");
_Static_assert(__builtin_offsetof(struct tss32, eip) == 0x20, "EIP at 20H (tasks.c uses it)");
extern struct tss32 main_tss;

/* Bodies: the EIP of each task's TSS. */
void task_jmp_body(void);
void task_call_body(void);
void task_exc_body(void);

/* Load EAX..EDI with 0xA0000000 + n, switch by JMP/CALL, record back_regs on return. */
void roundtrip_jmp(void);
void roundtrip_call(void);
/* Load FS with SEL_DATA_ABSENT (#NP through the task gate); the handler resumes past it. */
void raise_np(void);
extern const char raise_np_fault[], raise_np_resume[];

/* Switch attempts that fault in the calling task; my_trap records the vector and error. */
void try_call_short(void);
void try_call_main(void);
void try_jmp_absent(void);
void try_jmp_late(void);
void task_late_body(void);
extern volatile uint32_t trap_vector, trap_error, trap_resume, trap_tr;
void my_trap_ts(void);
void my_trap_np(void);
void my_trap_gp(void);

#endif
