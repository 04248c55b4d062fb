/* SPDX-License-Identifier: MIT */
/* Test-guest user mode: IRET to CPL 3 (SDM Vol. 3 6.12.1: a return to a less privileged level). */
#include <stdint.h>
#include "user.h"
#include "x86.h"

#define EFLAGS_FIXED1		0x00000002u	/* bit 1 always set */
#define EFLAGS_IOPL3		0x00003000u	/* port I/O allowed at CPL 3 */

void user_mode_run(void (*fn)(void))
{
	/* IRET pops EIP, CS, EFLAGS and, going outwards, ESP and SS. */
	asm volatile("mov %[ds], %%ds\n\t"
		     "mov %[ds], %%es\n\t"
		     "mov %[ds], %%fs\n\t"
		     "mov %[ds], %%gs\n\t"
		     "mov %%esp, %%eax\n\t"
		     "push %[ds]\n\t"
		     "push %%eax\n\t"
		     "push %[flags]\n\t"
		     "push %[cs]\n\t"
		     "push %[fn]\n\t"
		     "iret"
		     : : [ds] "r"((uint32_t)GDT_SEL_USER_DATA), [cs] "i"(GDT_SEL_USER_CODE),
		       [flags] "i"(EFLAGS_FIXED1 | EFLAGS_IOPL3), [fn] "r"(fn)
		     : "eax", "memory");
	__builtin_unreachable();
}
