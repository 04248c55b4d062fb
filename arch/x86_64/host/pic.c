/* SPDX-License-Identifier: MIT */
/* The legacy 8259 PICs: moved off the exception vectors and masked.
 *
 * The BIOS leaves the master PIC on vectors 8-15, where IRQ0 from the PIT
 * would look like a double fault.  Tally takes interrupts through the local
 * APIC only, so the PICs are remapped above the exceptions (in case one
 * raises a spurious IRQ 7 or 15 anyway) and every line is masked. */
#include <arch/io.h>
#include <arch/pic.h>

#define PIC1_CMD	0x20
#define PIC1_DATA	0x21
#define PIC2_CMD	0xA0
#define PIC2_DATA	0xA1

#define ICW1_INIT_ICW4	0x11	/* edge triggered, cascade, ICW4 follows */
#define ICW3_SLAVE_ON_IRQ2	0x04
#define ICW3_SLAVE_ID	0x02
#define ICW4_8086	0x01
#define MASK_ALL	0xFF

void pic_disable(void)
{
	outb(PIC1_CMD, ICW1_INIT_ICW4);
	outb(PIC2_CMD, ICW1_INIT_ICW4);
	outb(PIC1_DATA, PIC_VECTOR_BASE);
	outb(PIC2_DATA, PIC_VECTOR_BASE + 8);
	outb(PIC1_DATA, ICW3_SLAVE_ON_IRQ2);
	outb(PIC2_DATA, ICW3_SLAVE_ID);
	outb(PIC1_DATA, ICW4_8086);
	outb(PIC2_DATA, ICW4_8086);
	outb(PIC1_DATA, MASK_ALL);
	outb(PIC2_DATA, MASK_ALL);
}
