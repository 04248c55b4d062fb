/* SPDX-License-Identifier: MIT */
/* triple: triple-faults on purpose (empty IDT, then int3); it never prints a verdict. */
#include "guest.h"

const char guest_name[] = "triple";

/*
 * With an IDT limit of 0 no vector can be delivered: int3 raises #GP, #GP
 * cannot be delivered either and becomes #DF, and #DF failing is a triple
 * fault (SDM Vol. 3 6.15, interrupt 8): a shutdown, which a hypervisor sees
 * as a VM exit and QEMU -no-reboot as the end of the run.
 */
void guest_main(const struct mb_info *mbi)
{
	static const struct desc_ptr empty_idt = { 0, 0 };

	(void)mbi;
	printk("triple: causing a triple fault now\n");
	lidt(&empty_idt);
	asm volatile("int3");
	asm volatile("ud2");
	/* Not reached on a correct CPU; say so, but give no verdict. */
	printk("triple: still running after the triple fault\n");
	outb(TALLY_PORT_DEBUG_EXIT, VERDICT_ERROR);
	halt_forever();
}
