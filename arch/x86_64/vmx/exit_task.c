/* SPDX-License-Identifier: MIT */
/*
 * The task-switch exit: a 32-bit guest's hardware task switch, emulated.
 *
 * Every task switch exits unconditionally (SDM Vol. 3C, 26.4.2) before the
 * CPU checks anything, so Tally carries it out: arch/task_switch.h does
 * the SDM's steps (Vol. 3A, 7.3) over the guest's memory; this file moves
 * the vCPU state between the VMCS and that code, gives it the guest's
 * memory by linear address through the guest's own page tables (only
 * inside the domain's RAM), and delivers the fault it reports.  A 16-bit
 * TSS or a virtual-8086 task is not emulated: the domain ends with a line
 * naming it, as for any instruction Tally does not emulate.
 */
#include <arch/cpu.h>
#include <arch/guest_ram.h>
#include <arch/guest_walk.h>
#include <arch/sdm_checks.h>
#include <arch/task_switch.h>
#include <arch/vmcs.h>
#include <arch/vmexit.h>
#include <arch/vmx_cpu.h>
#include <arch/vmx_insn.h>
#include <tally/domain.h>
#include <tally/fmt.h>

/* Task-switch exit qualification (SDM Vol. 3C, table 28-2 in 28.2.1). */
union task_switch_qual {
	uint64_t raw;
	struct {
		uint64_t selector : 16;		/* of the new TSS */
		uint64_t reserved0 : 14;
		uint64_t source : 2;		/* enum ts_source */
		uint64_t reserved1 : 32;
	};
};
_Static_assert(sizeof(union task_switch_qual) == 8, "task-switch qualification is 64 bits");

/* Event types that come from an instruction (SDM Vol. 3C, 25.9.2): INT n, INT1, INT3/INTO. */
#define INTR_TYPE_SOFT_INT		(4u << 8)
#define INTR_TYPE_PRIV_SOFT_EXC		(5u << 8)
#define INTR_TYPE_SOFT_EXC		(6u << 8)
/* Blocking by NMI in the interruptibility state (SDM Vol. 3C, 25.4.2, table 25-3). */
#define INTERRUPTIBILITY_NMI		(1u << 3)
#define LA32_SPACE			0x100000000ull
#define REASON_MAX			128

static const char *source_name(unsigned int source)
{
	static const char *const names[] = {
		[TS_SRC_CALL] = "CALL", [TS_SRC_IRET] = "IRET",
		[TS_SRC_JMP] = "JMP", [TS_SRC_GATE] = "an IDT task gate",
	};

	return names[source & 3];
}

/* The memory accessor's context: the vCPU, and the state whose CR3 translates. */
struct ts_ctx {
	struct vcpu *v;
	const struct ts_cpu *cpu;
};

/* Copy between @buf and linear @la, page by page through the task's paging state. */
static int copy_linear(struct ts_ctx *c, uint32_t la, uint8_t *buf, uint32_t len, bool write)
{
	struct sdm_mode m = { 0 };
	struct guest_walk_result res;
	struct guest_paging p = {
		.cr0 = c->cpu->cr0, .cr3 = c->cpu->cr3, .cr4 = vmcs_read(VMCS_GUEST_CR4),
		.efer = vmcs_read(VMCS_GUEST_IA32_EFER), .pdpte = c->cpu->pdpte,
	};

	vmexit_guest_features(c->v, &m);
	p.maxphyaddr = m.maxphyaddr;
	for (uint32_t done = 0; done < len;) {
		uint64_t at = (la + done) % LA32_SPACE, chunk;
		uint8_t *ram;

		if (guest_walk(&p, at, guest_ram_read_entry, c->v->domain, &res) != GUEST_WALK_OK)
			return -1;
		chunk = MIN(len - done, res.page_size - (at & (res.page_size - 1)));
		ram = guest_ram(c->v->domain, res.gpa, chunk);
		if (!ram)
			return -1;
		for (uint64_t i = 0; i < chunk; i++) {
			if (write)
				ram[i] = buf[done + i];
			else
				buf[done + i] = ram[i];
		}
		done += (uint32_t)chunk;
	}
	return 0;
}

static int mem_read(void *ctx, uint32_t la, void *buf, uint32_t len)
{
	return copy_linear(ctx, la, buf, len, false);
}

static int mem_write(void *ctx, uint32_t la, const void *buf, uint32_t len)
{
	return copy_linear(ctx, la, (uint8_t *)(uintptr_t)buf, len, true);
}

static int mem_read_pdptes(void *ctx, uint32_t pdpt, uint64_t pdpte[4])
{
	struct ts_ctx *c = ctx;

	for (int i = 0; i < 4; i++)
		if (guest_ram_read_entry(c->v->domain, pdpt + 8u * (uint32_t)i, 8, &pdpte[i]))
			return -1;
	return 0;
}

/* The vCPU's state from the VMCS; @eip is the one to save in the old TSS. */
static void state_read(struct ts_cpu *s, const struct guest_regs *r, uint32_t eip)
{
	*s = (struct ts_cpu){
		.eip = eip, .eflags = (uint32_t)vmcs_read(VMCS_GUEST_RFLAGS),
		.cr0 = (uint32_t)vmcs_read(VMCS_GUEST_CR0), .cr3 = (uint32_t)vmcs_read(VMCS_GUEST_CR3),
		.pae = vmcs_read(VMCS_GUEST_CR4) & CR4_PAE,
		.gdt_base = (uint32_t)vmcs_read(VMCS_GUEST_GDTR_BASE),
		.gdt_limit = (uint32_t)vmcs_read(VMCS_GUEST_GDTR_LIMIT),
	};
	for (int i = 0; i < 8; i++)
		s->gpr[i] = (uint32_t)r->gpr[i];
	s->gpr[GUEST_RSP_UNUSED] = (uint32_t)vmcs_read(VMCS_GUEST_RSP);
	for (int i = 0; i < PDPTE_COUNT; i++)
		s->pdpte[i] = vmcs_read((enum vmcs_field)(VMCS_GUEST_PDPTE0 + 2 * i));
	for (int i = 0; i < TS_SEG_COUNT; i++) {
		s->seg[i] = (struct ts_seg){
			.sel = (uint16_t)vmcs_read((enum vmcs_field)(VMCS_GUEST_ES_SELECTOR + 2 * i)),
			.base = (uint32_t)vmcs_read((enum vmcs_field)(VMCS_GUEST_ES_BASE + 2 * i)),
			.limit = (uint32_t)vmcs_read((enum vmcs_field)(VMCS_GUEST_ES_LIMIT + 2 * i)),
			.ar = (uint32_t)vmcs_read((enum vmcs_field)(VMCS_GUEST_ES_ACCESS_RIGHTS + 2 * i)),
		};
	}
}

/* Write the new task's state back; a new CR3 drops the VPID's guest-linear translations. */
static void state_write(struct vcpu *v, const struct ts_cpu *s, struct guest_regs *r)
{
	bool new_cr3 = s->cr3 != (uint32_t)vmcs_read(VMCS_GUEST_CR3);

	for (int i = 0; i < 8; i++)
		if (i != GUEST_RSP_UNUSED)
			r->gpr[i] = s->gpr[i];
	vmcs_write(VMCS_GUEST_RSP, s->gpr[GUEST_RSP_UNUSED]);
	vmcs_write(VMCS_GUEST_RIP, s->eip);
	vmcs_write(VMCS_GUEST_RFLAGS, s->eflags);
	vmcs_write(VMCS_GUEST_CR0, s->cr0);
	/* CR0.TS is the guest's to read (SDM 7.3 step 11): the shadow, if Tally owns it. */
	if (vmcs_read(VMCS_CR0_GUEST_HOST_MASK) & CR0_TS_BIT)
		vmcs_write(VMCS_CR0_READ_SHADOW, vmcs_read(VMCS_CR0_READ_SHADOW) | CR0_TS_BIT);
	vmcs_write(VMCS_GUEST_CR3, s->cr3);
	for (int i = 0; i < PDPTE_COUNT; i++)
		vmcs_write((enum vmcs_field)(VMCS_GUEST_PDPTE0 + 2 * i), s->pdpte[i]);
	for (int i = 0; i < TS_SEG_COUNT; i++) {
		vmcs_write((enum vmcs_field)(VMCS_GUEST_ES_SELECTOR + 2 * i), s->seg[i].sel);
		vmcs_write((enum vmcs_field)(VMCS_GUEST_ES_BASE + 2 * i), s->seg[i].base);
		vmcs_write((enum vmcs_field)(VMCS_GUEST_ES_LIMIT + 2 * i), s->seg[i].limit);
		vmcs_write((enum vmcs_field)(VMCS_GUEST_ES_ACCESS_RIGHTS + 2 * i), s->seg[i].ar);
	}
	if (new_cr3 && vmx_config.vpid)
		invvpid(INVVPID_SINGLE_CONTEXT, v->arch.vpid);
}

/* The request, and the EIP to save: past the instruction unless an event interrupted it. */
static uint32_t request(union task_switch_qual q, struct ts_request *req)
{
	uint32_t info = (uint32_t)vmcs_read(VMCS_IDT_VECTORING_INFO);
	uint32_t type = INTR_INFO_TYPE(info);
	uint64_t rip = vmcs_read(VMCS_GUEST_RIP);
	bool by_insn = type == INTR_TYPE_SOFT_INT || type == INTR_TYPE_PRIV_SOFT_EXC ||
		       type == INTR_TYPE_SOFT_EXC;

	*req = (struct ts_request){ .source = (enum ts_source)q.source, .selector = (uint16_t)q.selector };
	if (req->source == TS_SRC_GATE && (info & INTR_INFO_VALID)) {
		req->external = !by_insn;
		req->has_error = info & INTR_INFO_DELIVER_ERROR;
		req->error_code = (uint32_t)vmcs_read(VMCS_IDT_VECTORING_ERROR_CODE);
		if (!by_insn)
			return (uint32_t)rip;
	}
	/* CALL, JMP, IRET and INT n report their length (SDM Vol. 3C, 28.2.5). */
	return (uint32_t)(rip + vmcs_read(VMCS_EXIT_INSTRUCTION_LENGTH));
}

/* The interruptibility after the switch: no STI/MOV-SS shadow; NMI blocking by the event. */
static void update_blocking(const struct ts_request *req)
{
	uint32_t info = (uint32_t)vmcs_read(VMCS_IDT_VECTORING_INFO);
	uint64_t intr = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY) & ~(uint64_t)INTERRUPTIBILITY_STI_MOVSS;

	/* An NMI handler task runs with NMIs blocked; its IRET unblocks them (SDM 6.7.1). */
	if (req->source == TS_SRC_GATE && (info & INTR_INFO_VALID) &&
	    INTR_INFO_TYPE(info) == INTR_TYPE_NMI)
		intr |= INTERRUPTIBILITY_NMI;
	else if (req->source == TS_SRC_IRET)
		intr &= ~(uint64_t)INTERRUPTIBILITY_NMI;
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, intr);
}

void vmexit_task_switch(struct vcpu *v, struct guest_regs *r)
{
	union task_switch_qual q = { .raw = vmcs_read(VMCS_EXIT_QUALIFICATION) };
	struct ts_request req;
	struct ts_cpu cpu;
	struct ts_ctx ctx = { .v = v, .cpu = &cpu };
	struct ts_mem mem = { mem_read, mem_write, mem_read_pdptes, &ctx };
	struct ts_fault f;
	char why[REASON_MAX];

	/* IA-32e mode has no task switch: the CPU raises #GP itself, before any exit (SDM 7.7). */
	if (vmcs_read(VMCS_GUEST_IA32_EFER) & EFER_LMA) {
		vmexit_crash(v, "task-switch exit in IA-32e mode, which has no task switch");
		return;
	}
	state_read(&cpu, r, request(q, &req));
	switch (task_switch(&cpu, &req, &mem, &f)) {
	case TS_UNSUPPORTED:
		fmt_snprintf(why, sizeof(why), "hardware task switch by %s to TSS selector %#x: "
			     "a 16-bit TSS or virtual-8086 task is not emulated",
			     source_name((unsigned int)q.source), (unsigned int)q.selector);
		vmexit_crash(v, why);
		return;
	case TS_FAULT:
		/* Before the commit point the CALL/JMP/IRET restarts: RIP stays on it. */
		if (f.committed) {
			state_write(v, &cpu, r);
			update_blocking(&req);
		}
		vmexit_inject_exception(f.vector, true, f.error_code);
		return;
	case TS_DONE:
		state_write(v, &cpu, r);
		update_blocking(&req);
		return;
	}
}
