/* SPDX-License-Identifier: MIT */
/* The legacy 8259 interrupt controllers, which Tally keeps masked. */
#ifndef ARCH_PIC_H
#define ARCH_PIC_H

/* Vectors the PICs are moved to: 0x20-0x2F, above the exceptions. */
#define PIC_VECTOR_BASE		0x20
#define PIC_SPURIOUS_MASTER	(PIC_VECTOR_BASE + 7)
#define PIC_SPURIOUS_SLAVE	(PIC_VECTOR_BASE + 15)

/* Remap both PICs above the exception vectors and mask every line. */
void pic_disable(void);

#endif
