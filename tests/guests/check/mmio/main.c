/* SPDX-License-Identifier: MIT */
/*
 * mmio: loads, stores and read-modify-writes on Tally's MMIO test device
 * (Tally's `mmio_test` option: 256 bytes of scratch memory and an access
 * count at 0xFEF00000) in every width and addressing form 32-bit code has,
 * first with paging off, then through 32-bit paging with the device at a
 * second linear address and an instruction that crosses a page boundary
 * between two pages that are not adjacent in physical memory.
 *
 * mode=undecodable runs an instruction Tally does not emulate (MOVNTI) on
 * the device, mode=refused a load the device refuses, mode=idt puts the
 * IDT on the device and raises #BP, whose delivery reads it, mode=ptwalk
 * puts a page table on the device and loads through it: each ends the
 * domain, so none reaches a verdict.
 */
#include "guest.h"
#include "mmio.h"

const char guest_name[] = "mmio";

static uint32_t count(void)
{
	uint32_t n;

	asm volatile("movl " DEV_COUNT_STR ", %0" : "=a"(n) : : "memory");	/* A1 moffs32 */
	return n;
}

/* Every store form, then loads of what they wrote. */
static void stores_and_loads(void)
{
	uint32_t dev = DEV_BASE, a, c, d, s, n0 = count();

	asm volatile("movb $0x11, (%0)" : : "b"(dev) : "memory");		/* C6 /0 ib */
	asm volatile("movb %%ah, 1(%0)" : : "b"(dev), "a"(0x2200) : "memory");	/* 88, AH */
	asm volatile("movw %%cx, 2(%0)" : : "b"(dev), "c"(0x4433) : "memory");	/* 66 89 disp8 */
	asm volatile("movl %%edx, (%0,%1,4)" : : "b"(dev), "S"(1), "d"(0x88776655)
		     : "memory");						/* 89 SIB */
	asm volatile("movl $0xccbbaa99, " DEV_STR "+8" : : : "memory");	/* C7 /0 disp32 */
	asm volatile("movl %%eax, " DEV_STR "+12" : : "a"(0x100ffedd) : "memory");	/* A3 */
	asm volatile("movw $0xbeef, 0x10(%0)" : : "D"(dev) : "memory");	/* 66 C7 iw */
	guest_check(count() - n0 == 7, "7 stores counted by the device: %u", count() - n0);

	asm volatile("movl (%1), %0" : "=a"(a) : "b"(dev) : "memory");
	guest_check(a == 0x44332211, "movl (%%ebx): 0x%x (expected 0x44332211)", a);
	asm volatile("movl 4(%1), %0" : "=c"(c) : "b"(dev) : "memory");
	guest_check(c == 0x88776655, "movl 4(%%ebx): 0x%x (expected 0x88776655)", c);
	asm volatile("movl " DEV_STR "+12, %0" : "=a"(a) : : "memory");		/* A1 */
	guest_check(a == 0x100ffedd, "movl moffs: 0x%x (expected 0x100ffedd)", a);
	a = 0xffffff00;
	asm volatile("movb " DEV_STR "+8, %%al" : "+a"(a) : : "memory");		/* A0 */
	guest_check(a == 0xffffff99, "movb moffs,%%al keeps the rest: 0x%x", a);
	d = 0x12345678;
	asm volatile("movb 1(%1), %%dh" : "+d"(d) : "b"(dev) : "memory");	/* 8A, DH */
	guest_check(d == 0x12342278, "movb 1(%%ebx),%%dh: edx=0x%x (expected 0x12342278)", d);
	s = 0xaaaa0000;
	asm volatile("movw 2(%1), %%si" : "+S"(s) : "b"(dev) : "memory");	/* 66 8B */
	guest_check(s == 0xaaaa4433, "movw 2(%%ebx),%%si: esi=0x%x (expected 0xaaaa4433)", s);
	asm volatile("movzbl (%1), %0" : "=r"(a) : "b"(dev) : "memory");
	guest_check(a == 0x11, "movzbl: 0x%x", a);
	asm volatile("movsbl 7(%1), %0" : "=r"(a) : "b"(dev) : "memory");
	guest_check(a == 0xffffff88, "movsbl: 0x%x (expected 0xffffff88)", a);
	asm volatile("movzwl 6(%1), %0" : "=r"(a) : "b"(dev) : "memory");
	guest_check(a == 0x8877, "movzwl: 0x%x", a);
	asm volatile("movswl 0x10(%1), %0" : "=r"(a) : "b"(dev) : "memory");
	guest_check(a == 0xffffbeef, "movswl: 0x%x (expected 0xffffbeef)", a);
	asm volatile("movl 0x8(%1,%2,2), %0" : "=r"(a) : "b"(dev), "c"(2) : "memory");
	guest_check(a == 0x100ffedd, "movl 8(%%ebx,%%ecx,2): 0x%x", a);
	guest_check(count() - n0 == 18, "18 accesses counted: %u", count() - n0);
}

static uint32_t flags_after(uint32_t dev, uint32_t value)
{
	uint32_t f;

	/* CMP sets the flags from memory - 5; nothing is written. */
	asm volatile("movl %2, 0x20(%1)\n\tcmpl $5, 0x20(%1)\n\tpushfl\n\tpopl %0"
		     : "=r"(f) : "b"(dev), "r"(value) : "memory", "cc");
	return f;
}

/* The read-modify-write forms and the flags they leave. */
static void read_modify_write(void)
{
	uint32_t dev = DEV_BASE, v, a, f, n0 = count();

	asm volatile("movl $0x0f, 0x20(%0)\n\torl $0x100, 0x20(%0)" : : "b"(dev) : "memory", "cc");
	asm volatile("andb $0xf0, 0x20(%0)" : : "b"(dev) : "memory", "cc");
	asm volatile("movl 0x20(%1), %0" : "=r"(v) : "b"(dev) : "memory");
	guest_check(v == 0x100, "orl then andb: 0x%x (expected 0x100)", v);
	asm volatile("addl %2, 0x20(%1)\n\tpushfl\n\tpopl %0" : "=r"(f) : "b"(dev), "r"(0xffffff00)
		     : "memory", "cc");
	guest_check((f & (X86_FLAGS_CF | X86_FLAGS_ZF)) == (X86_FLAGS_CF | X86_FLAGS_ZF),
		    "addl to 0x100 of 0xffffff00: CF and ZF set (eflags=0x%x)", f);
	a = 5;
	asm volatile("subl 0x20(%1), %0" : "+r"(a) : "b"(dev) : "memory", "cc");
	guest_check(a == 5, "subl 0(mem) from 5: %u", a);
	f = flags_after(dev, 3);
	guest_check((f & (X86_FLAGS_CF | X86_FLAGS_SF | X86_FLAGS_ZF)) == (X86_FLAGS_CF | X86_FLAGS_SF),
		    "cmpl $5 with 3: CF, SF set, ZF clear (eflags=0x%x)", f);
	f = flags_after(dev, 5);
	guest_check((f & (X86_FLAGS_CF | X86_FLAGS_ZF)) == X86_FLAGS_ZF,
		    "cmpl $5 with 5: ZF (eflags=0x%x)", f);
	asm volatile("movl $0xdead, 0x24(%0)" : : "b"(dev) : "memory");
	a = 0xbeef;
	asm volatile("xchgl %0, 0x24(%1)" : "+a"(a) : "b"(dev) : "memory");
	asm volatile("lock xorl $0xff, 0x24(%0)" : : "b"(dev) : "memory", "cc");
	asm volatile("movl 0x24(%1), %0" : "=r"(v) : "b"(dev) : "memory");
	guest_check(a == 0xdead && v == 0xbe10, "xchgl, lock xorl: eax=0x%x mem=0x%x "
		    "(expected 0xdead, 0xbe10)", a, v);
	asm volatile("testb $0x10, 0x24(%1)\n\tpushfl\n\tpopl %0" : "=r"(f) : "b"(dev) : "memory", "cc");
	guest_check(!(f & X86_FLAGS_ZF), "testb $0x10 of 0x10: ZF clear (eflags=0x%x)", f);
	/* movl+or+and 5, movl 1, add 2, sub 1, (movl+cmp)*2 4, movl+xchg+xor+movl 6, test 1. */
	guest_check(count() - n0 == 20, "20 accesses counted: %u", count() - n0);
}

/*
 * The retry register (VMMIO_TEST_RETRY): a plain store Tally's device
 * asks for again is executed again (RIP stays), a read-modify-write is
 * retired at once.  Neither is a scratch access.
 */
static void retried_store(void)
{
	uint32_t dev = DEV_BASE, runs, after = 0, n0 = count();

	asm volatile("movl $5, 0x108(%1)\n\tincl %0" : "+c"(after) : "b"(dev) : "memory", "cc");
	asm volatile("movl 0x108(%1), %0" : "=a"(runs) : "b"(dev) : "memory");
	guest_check(runs == 5 && after == 1, "movl to the retry register ran 5 times, then "
		    "retired: %u (the next instruction ran %u times)", runs, after);
	asm volatile("orl $2, 0x108(%0)" : : "b"(dev) : "memory", "cc");
	asm volatile("movl 0x108(%1), %0" : "=a"(runs) : "b"(dev) : "memory");
	guest_check(runs == 1, "orl to the retry register retired at once: %u", runs);
	guest_check(count() == n0, "retry register accesses not counted: %u", count() - n0);
}

#define PDE_P_RW	0x003u
#define PDE_PS		0x080u	/* a 4 MiB page (CR4.PSE) */
#define CR4_PSE		0x010u
#define CR0_PG		0x80000000u
#define PT_ON_DEV_VA	0x80000000u	/* its page table is the device's page */

static uint32_t pd[1024] __attribute__((aligned(4096)));

/* 32-bit paging: the first 8 MiB in 4 MiB pages, PT_ON_DEV_VA's table on the device. */
static void paging_through_device(void)
{
	uint32_t r;

	pd[0] = 0x000000 | PDE_PS | PDE_P_RW;
	pd[1] = 0x400000 | PDE_PS | PDE_P_RW;
	pd[PT_ON_DEV_VA >> 22] = DEV_BASE | PDE_P_RW;
	asm volatile("movl %0, %%cr3" : : "r"(pd) : "memory");
	asm volatile("movl %%cr4, %0\n\torl %1, %0\n\tmovl %0, %%cr4" : "=&r"(r) : "i"(CR4_PSE));
	asm volatile("movl %%cr0, %0\n\torl %1, %0\n\tmovl %0, %%cr0\n\tjmp 1f\n1:"
		     : "=&r"(r) : "i"(CR0_PG) : "memory");
}

static void hostile(const char *mode)
{
	uint32_t dev = DEV_BASE, a = 0;

	printk("mmio: %s access now\n", mode);
	if (!strcmp(mode, "undecodable")) {
		asm volatile("movnti %1, (%0)" : : "b"(dev), "a"(1) : "memory");	/* 0F C3 03 */
	} else if (!strcmp(mode, "ptwalk")) {
		paging_through_device();
		asm volatile("movl (%1), %0" : "=a"(a) : "b"(PT_ON_DEV_VA) : "memory");
	} else if (!strcmp(mode, "idt")) {
		struct desc_ptr idtr = { PAGE_SIZE - 1, DEV_BASE };

		lidt(&idtr);
		asm volatile("int3");
	} else {
		asm volatile("movl 0x200(%1), %0" : "=a"(a) : "b"(dev) : "memory");
	}
	guest_fail("still running after the %s access (eax=0x%x)", mode, a);
}

void guest_main(const struct mb_info *mbi)
{
	char mode[16];

	if (cmdline_str(mbi, "mode", mode, sizeof(mode)) && strcmp(mode, "normal")) {
		hostile(mode);
		return;
	}
	stores_and_loads();
	read_modify_write();
	retried_store();
	mmio_paged(mbi);
	mmio_long();
}
