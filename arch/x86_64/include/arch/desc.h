/* SPDX-License-Identifier: MIT */
/* Segment descriptors, the 64-bit TSS and IDT gates (SDM Vol. 3A, 3.4.5, 7.7, 6.14.1). */
#ifndef ARCH_DESC_H
#define ARCH_DESC_H

#include <tally/types.h>

/* Selectors; the boot GDT (boot/entry.asm) uses the same first three. */
#define SEL_CODE64	0x08
#define SEL_DATA	0x10
#define SEL_CODE32	0x18
#define SEL_TSS		0x20	/* 16 bytes: two GDT slots */
#define GDT_ENTRIES	6

/* Interrupt stack table slots (1-based in the gate). */
#define IST_DOUBLE_FAULT	1
#define IST_NMI			2
#define IST_MACHINE_CHECK	3
#define IST_COUNT		3
#define IST_STACK_SIZE		4096

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iopb_offset;
} __packed;
_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS is 104 bytes");

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __packed;
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gate is 16 bytes");

#define IDT_GATE_INTERRUPT	0x8E	/* present, DPL 0, 64-bit interrupt gate */

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __packed;

#endif
