/* SPDX-License-Identifier: MIT */
/* Register dumps and frame-pointer backtraces with symbol names, for fatal reports. */
#include <arch/cpu.h>
#include <arch/desc.h>
#include <arch/trap.h>
#include <tally/arch.h>
#include <tally/log.h>
#include <tally/percpu.h>
#include <tally/symbols.h>

#define BACKTRACE_MAX	24

static void print_location(const char *what, uint64_t addr)
{
	uint64_t off;
	const char *name = symbols_lookup(addr, &off);

	if (name)
		log_err("  %s 0x%016lx %s+%#lx", what, addr, name, off);
	else
		log_err("  %s 0x%016lx ?", what, addr);
}

/* A frame pointer is trusted only inside this CPU's stacks and aligned. */
static bool frame_pointer_ok(uint64_t rbp)
{
	const struct percpu *cpu = this_cpu();
	uint64_t ist_lo = (uint64_t)(uintptr_t)cpu->arch.ist_stacks;
	uint64_t ist_hi = ist_lo + sizeof(cpu->arch.ist_stacks);

	if (!IS_ALIGNED(rbp, 8))
		return false;
	if (rbp >= cpu->stack_base && rbp + 16 <= cpu->stack_top)
		return true;
	return rbp >= ist_lo && rbp + 16 <= ist_hi;
}

void trap_backtrace(uint64_t rip, uint64_t rbp)
{
	log_err("backtrace:");
	print_location("at", rip);
	for (int i = 0; i < BACKTRACE_MAX && rbp && frame_pointer_ok(rbp); i++) {
		const uint64_t *frame = (const uint64_t *)(uintptr_t)rbp;

		if (!frame[1])
			break;
		print_location("by", frame[1]);
		if (frame[0] <= rbp)	/* frames grow upwards; stop on a loop */
			break;
		rbp = frame[0];
	}
}

void trap_dump_frame(const struct trap_frame *f)
{
	log_err("  rip=0x%016lx cs=%#lx rflags=%#lx error=%#lx",
		f->rip, f->cs, f->rflags, f->error_code);
	log_err("  rsp=0x%016lx ss=%#lx cr2=0x%016lx cr3=%#lx",
		f->rsp, f->ss, read_cr2(), read_cr3());
	log_err("  rax=0x%016lx rbx=0x%016lx rcx=0x%016lx", f->rax, f->rbx, f->rcx);
	log_err("  rdx=0x%016lx rsi=0x%016lx rdi=0x%016lx", f->rdx, f->rsi, f->rdi);
	log_err("  rbp=0x%016lx r8 =0x%016lx r9 =0x%016lx", f->rbp, f->r8, f->r9);
	log_err("  r10=0x%016lx r11=0x%016lx r12=0x%016lx", f->r10, f->r11, f->r12);
	log_err("  r13=0x%016lx r14=0x%016lx r15=0x%016lx", f->r13, f->r14, f->r15);
	log_err("  cr0=%#lx cr4=%#lx", read_cr0(), read_cr4());
	trap_backtrace(f->rip, f->rbp);
}

/* Capture the caller's registers into a frame, so panic() prints like a fault. */
void arch_dump_current(void)
{
	struct trap_frame f = { 0 };

	__asm__ volatile("mov %%rax, %0\n\tmov %%rbx, %1\n\tmov %%rcx, %2\n\t"
			 "mov %%rdx, %3\n\tmov %%rsi, %4\n\tmov %%rdi, %5"
			 : "=m"(f.rax), "=m"(f.rbx), "=m"(f.rcx),
			   "=m"(f.rdx), "=m"(f.rsi), "=m"(f.rdi));
	__asm__ volatile("mov %%r8, %0\n\tmov %%r9, %1\n\tmov %%r10, %2\n\t"
			 "mov %%r11, %3\n\tmov %%r12, %4\n\tmov %%r13, %5\n\t"
			 "mov %%r14, %6\n\tmov %%r15, %7\n\tmov %%rsp, %8"
			 : "=m"(f.r8), "=m"(f.r9), "=m"(f.r10), "=m"(f.r11),
			   "=m"(f.r12), "=m"(f.r13), "=m"(f.r14), "=m"(f.r15),
			   "=m"(f.rsp));
	f.rbp = *(const uint64_t *)(uintptr_t)read_rbp();	/* the caller's frame */
	f.rip = (uint64_t)(uintptr_t)__builtin_return_address(0);
	f.rflags = read_rflags();
	f.cs = SEL_CODE64;
	trap_dump_frame(&f);
}
