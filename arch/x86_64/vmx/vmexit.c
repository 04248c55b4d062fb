/* SPDX-License-Identifier: MIT */
/* VM-exit dispatch, vCPU switching and the first entry on each CPU.
 *
 * Every exit lands in vmx_exit_stub (vmx_stub.asm) on this CPU's stack with
 * the guest registers saved at its top; vmx_exit_handler() runs the
 * handler for the exit reason, then either resumes the same vCPU or loads
 * the next one's registers into that same area. */
#include <arch/cpu.h>
#include <arch/debugreg.h>
#include <arch/trap.h>
#include <arch/vmcs.h>
#include <arch/vmexit.h>
#include <arch/vmx_cpu.h>
#include <arch/vmx_insn.h>
#include <arch/vcpu_apic.h>
#include <tally/arch.h>
#include <tally/console.h>
#include <tally/domain.h>
#include <tally/fmt.h>
#include <tally/log.h>
#include <tally/panic.h>
#include <tally/percpu.h>
#include <tally/sched.h>
#include <tally/sched_account.h>

/* Instructions that exist only for a VMX host: the guest was told there is no VMX. */
static void vmexit_vmx_instruction(struct vcpu *v __unused, struct guest_regs *r __unused)
{
	vmexit_inject_ud();
}

/* MONITOR, MWAIT, GETSEC: features CPUID hides. */
static void vmexit_hidden_feature(struct vcpu *v __unused, struct guest_regs *r __unused)
{
	vmexit_inject_ud();
}

/* XSETBV: XCR0 is the guest's own, within what Tally switches (#GP otherwise). */
static void vmexit_xsetbv(struct vcpu *v, struct guest_regs *r)
{
	uint64_t value = (r->gpr[GUEST_RDX] << 32) | (uint32_t)r->gpr[GUEST_RAX];

	if ((uint32_t)r->gpr[GUEST_RCX] != 0 || xstate_set_xcr0(&v->arch.xstate, value) < 0) {
		vmexit_inject_gp();
		return;
	}
	vmexit_skip_instruction();
}

/* INVD would throw away dirty cache lines of memory that is not the guest's: a no-op. */
static void vmexit_invd(struct vcpu *v __unused, struct guest_regs *r __unused)
{
	vmexit_skip_instruction();
}

static void vmexit_external_interrupt(struct vcpu *v __unused, struct guest_regs *r __unused)
{
	/* "Acknowledge interrupt on exit" already took the vector from the APIC. */
	trap_external_interrupt(INTR_INFO_VECTOR(vmcs_read(VMCS_EXIT_INTERRUPTION_INFO)));
}

/* This CPU's next event is due (VMX-preemption timer): a slice ends or a vCPU timer fires. */
static void vmexit_preemption_timer(struct vcpu *v __unused, struct guest_regs *r __unused)
{
	sched_tick();	/* as the LAPIC timer's interrupt does without the preemption timer */
}

static void vmexit_exception_nmi(struct vcpu *v, struct guest_regs *r __unused)
{
	uint32_t info = (uint32_t)vmcs_read(VMCS_EXIT_INTERRUPTION_INFO);

	if (INTR_INFO_TYPE(info) == INTR_TYPE_NMI) {
		if (panic_in_progress())
			arch_halt_forever();
		log_warn("vmx: NMI while running a guest; ignored");
		return;
	}
	vmexit_crash(v, "unexpected exception exit");	/* the exception bitmap is 0 */
}

/*
 * No generic re-injection of the IDT-vectoring information: of the exits
 * that can interrupt an event's delivery (SDM Vol. 3C, "Information for VM
 * Exits That Occur During Event Delivery"), Tally enables only EPT
 * violations (all RAM is mapped, so only device memory: exit_mmio.c ends
 * the domain) and task switches (exit_task.c completes the delivery
 * through the task gate); the exception bitmap is 0 and there is no APIC-
 * access page.  A new exit of that kind must handle the event it cut short.
 */
static const vmexit_handler_fn handlers[EXIT_REASON_MAX] = {
	[EXIT_REASON_EXCEPTION_NMI] = vmexit_exception_nmi,
	[EXIT_REASON_EXTERNAL_INTERRUPT] = vmexit_external_interrupt,
	[EXIT_REASON_TRIPLE_FAULT] = vmexit_triple_fault,
	[EXIT_REASON_CPUID] = vmexit_cpuid,
	[EXIT_REASON_GETSEC] = vmexit_hidden_feature,
	[EXIT_REASON_HLT] = vmexit_hlt,
	[EXIT_REASON_INVD] = vmexit_invd,
	[EXIT_REASON_RDPMC] = vmexit_rdpmc,
	[EXIT_REASON_VMCALL] = vmexit_vmcall,
	[EXIT_REASON_VMCLEAR] = vmexit_vmx_instruction,
	[EXIT_REASON_VMLAUNCH] = vmexit_vmx_instruction,
	[EXIT_REASON_VMPTRLD] = vmexit_vmx_instruction,
	[EXIT_REASON_VMPTRST] = vmexit_vmx_instruction,
	[EXIT_REASON_VMREAD] = vmexit_vmx_instruction,
	[EXIT_REASON_VMRESUME] = vmexit_vmx_instruction,
	[EXIT_REASON_VMWRITE] = vmexit_vmx_instruction,
	[EXIT_REASON_VMXOFF] = vmexit_vmx_instruction,
	[EXIT_REASON_VMXON] = vmexit_vmx_instruction,
	[EXIT_REASON_INVEPT] = vmexit_vmx_instruction,
	[EXIT_REASON_INVVPID] = vmexit_vmx_instruction,
	[EXIT_REASON_CR_ACCESS] = vmexit_cr_access,
	[EXIT_REASON_DR_ACCESS] = vmexit_dr_access,
	[EXIT_REASON_IO_INSTRUCTION] = vmexit_io,
	[EXIT_REASON_RDMSR] = vmexit_rdmsr,
	[EXIT_REASON_WRMSR] = vmexit_wrmsr,
	[EXIT_REASON_INVALID_GUEST_STATE] = vmexit_invalid_state,
	[EXIT_REASON_MSR_LOADING] = vmexit_invalid_state,
	[EXIT_REASON_MWAIT] = vmexit_hidden_feature,
	[EXIT_REASON_MONITOR] = vmexit_hidden_feature,
	[EXIT_REASON_MACHINE_CHECK] = vmexit_invalid_state,
	[EXIT_REASON_EPT_VIOLATION] = vmexit_ept_violation,
	[EXIT_REASON_PREEMPTION_TIMER] = vmexit_preemption_timer,
	[EXIT_REASON_INTERRUPT_WINDOW] = vmexit_interrupt_window,
	[EXIT_REASON_NMI_WINDOW] = vmexit_nmi_window,
	[EXIT_REASON_XSETBV] = vmexit_xsetbv,
	[EXIT_REASON_WBINVD] = vmexit_wbinvd,
	[EXIT_REASON_TASK_SWITCH] = vmexit_task_switch,
};

void vmexit_crash(struct vcpu *v, const char *reason)
{
	uint64_t rip = 0, qual = 0;

	vmcs_read_checked(VMCS_GUEST_RIP, &rip);
	vmcs_read_checked(VMCS_EXIT_QUALIFICATION, &qual);
	domain_crash(v->domain, reason, rip, qual);
}

/* Put @next on this CPU: its VMCS current, its registers in @regs; returns the launch flag. */
static uint64_t load_vcpu(struct vcpu *next, struct guest_regs *regs)
{
	for (;;) {
		if (next->arch.vmcs_ready) {
			if (!vmptrld(next->arch.vmcs.raw))
				panic("vmx: VMPTRLD of d%u vCPU %u failed",
				      next->domain->id, next->id);
			break;
		}
		if (vmx_vcpu_setup(next) == 0) {
			/* A first VMCS setup is not a switch's cost: leave it out of the figures. */
			this_cpu()->sched.path_kind = SCHED_PATH_NONE;
			break;	/* set up and current */
		}
		domain_crash(next->domain, "cannot set up its VMCS", next->arch.boot.eip, 0);
		next = sched_pick_next();
	}
	*regs = next->arch.regs;
	xstate_restore(&next->arch.xstate);
	debugreg_load(&next->arch.dregs);
	vmexit_load_guest_msrs(next);
	if (next->arch.launched)
		return 0;
	next->arch.launched = true;
	return 1;
}

/* After an exit: resume the current vCPU (0), or switch and say whether to launch. */
static uint64_t resume_or_switch(struct sched_percpu *s, struct guest_regs *regs)
{
	struct vcpu *cur = s->current;
	struct vcpu *next;

	if (!sched_should_switch_fast(s))
		return 0;
	if (cur->state != VCPU_DEAD) {
		cur->arch.regs = *regs;
		xstate_save(&cur->arch.xstate);
		debugreg_save(&cur->arch.dregs);
		vmexit_save_guest_msrs(cur);
	} else {
		xstate_drop(&cur->arch.xstate);
	}
	next = sched_pick_next();
	/* The same vCPU rebuilt by a restart (on_reboot=restart) has no VMCS yet: load it. */
	if (next == cur && cur->arch.vmcs_ready) {
		/* Its registers never left the CPU; only the save made XCR0 Tally's. */
		xstate_resume(&cur->arch.xstate);
		return 0;
	}
	return load_vcpu(next, regs);
}

/*
 * Arm this CPU's timer for its next event (sched_next_event()): the
 * VMX-preemption timer, or the LAPIC timer's one shot without it.  True if
 * the event is already due: the entry then runs no guest instruction (a
 * zero preemption timer exits before the first one, after any event
 * injection, SDM 26.6.4), so its time and its exit are Tally's, not the
 * vCPU's.  Never with the LAPIC timer, whose one tick may let a few
 * instructions by.
 */
static bool arm_next_event(void)
{
	uint64_t next = sched_next_event();

	if (vmx_config.preemption_timer)
		return vmx_arm_timer(next);
	arch_timer_oneshot_at(next);
	return false;
}

/*
 * Last step before every VM entry, with the vCPU's VMCS current: pending
 * interrupts, the timer for this CPU's next event, and the accounting.
 * @s is this CPU's scheduler state.  Inline: on every exit, a call and a
 * second frame cost more than the few checks it makes on the common path.
 */
static inline __attribute__((always_inline)) void prepare_entry(struct sched_percpu *s)
{
	struct vcpu *v = s->current;

	/* The common exit brings nothing new for the APIC: a flag and a compare. */
	if (v->arch.apic_hint || (v->arch.vlapic.deadline &&
				  s->path_start >= v->arch.vlapic.deadline))
		vcpu_apic_before_entry(v);
	/* Both timers keep counting across exits; rearm only if the event moved. */
	s->entry_empty = sched_take_timers_changed(s) && arm_next_event();
	sched_guest_enter(s);
}

/*
 * Is this exit @s's running vCPU's own, to count as its exit?  Not after
 * an entry that ran nothing, nor a timer's for another vCPU's event (a
 * halted one's wake-up): those are Tally's.  Without the preemption timer
 * the timer's exit is an external interrupt's, whatever the vector: Tally's
 * timer and kicks alike are the running vCPU's only at its own event.
 */
static inline bool exit_is_own(const struct sched_percpu *s, uint32_t basic)
{
	if (s->entry_empty)
		return false;
	if (basic != EXIT_REASON_PREEMPTION_TIMER &&
	    (basic != EXIT_REASON_EXTERNAL_INTERRUPT || vmx_config.preemption_timer))
		return true;
	return s->path_start >= s->own_event;
}

/* An exit reason with no handler: the guest is crashed, not the host.  Cold, out of line. */
static __attribute__((noinline, cold)) void vmexit_unexpected(struct vcpu *v, uint32_t basic)
{
	char why[64];

	fmt_snprintf(why, sizeof(why), "unexpected VM exit %u (%s)", basic,
		     vmx_exit_reason_name(basic));
	vmexit_crash(v, why);
}

uint64_t vmx_exit_handler(struct guest_regs *regs);

uint64_t vmx_exit_handler(struct guest_regs *regs)
{
	struct sched_percpu *s = &this_cpu()->sched;
	struct vcpu *v = s->current;
	uint32_t basic = EXIT_REASON_BASIC((uint32_t)vmcs_read(VMCS_EXIT_REASON));
	uint64_t launch;

	sched_guest_exit(s);
	if (basic < EXIT_REASON_MAX && exit_is_own(s, basic))
		v->arch.exits[basic]++;
	sched_exit_counted(s, v);
	if (basic < EXIT_REASON_MAX && handlers[basic])
		handlers[basic](v, regs);
	else
		vmexit_unexpected(v, basic);
	console_kick();		/* Bochs holds the UART's interrupt while a guest runs with IF=0 */
	launch = resume_or_switch(s, regs);
	/* An INIT (this vCPU's, or the next one's): to wait-for-SIPI before it runs again (vcpu_apic.c). */
	while (s->current->arch.init_pending && vcpu_apic_take_init(s->current, regs))
		launch = resume_or_switch(s, regs);
	prepare_entry(s);
	return launch;
}

/* VMLAUNCH or VMRESUME itself failed (VMfail): the vCPU's VMCS is unusable. */
__noreturn void vmx_entry_failed(struct guest_regs *regs);

__noreturn void vmx_entry_failed(struct guest_regs *regs)
{
	struct sched_percpu *s = &this_cpu()->sched;
	struct vcpu *v = s->current;
	uint64_t err = 0, launch;
	char why[96];

	sched_guest_exit(s);	/* no VM exit happened: back to Tally's time */
	sched_exit_counted(s, v);
	if (!vmcs_read_checked(VMCS_VM_INSTRUCTION_ERROR, &err))
		panic("vmx: VM entry failed with no current VMCS");
	fmt_snprintf(why, sizeof(why), "VM entry failed: %s",
		     vmx_instruction_error_name((uint32_t)err));
	log_err("d%u %s: %s (VM-instruction error %lu); VMCS:", v->domain->id, v->domain->name,
		why, err);
	vmcs_dump_guest_state();
	vmexit_crash(v, why);
	xstate_drop(&v->arch.xstate);
	launch = load_vcpu(sched_pick_next(), regs);
	prepare_entry(s);
	vmx_enter(regs, launch);
}

static __noreturn void first_entry(struct guest_regs *regs)
{
	uint64_t launch = load_vcpu(this_cpu()->sched.current, regs);

	prepare_entry(&this_cpu()->sched);
	vmx_enter(regs, launch);
}

void arch_vcpu_run_first(struct vcpu *v)
{
	struct guest_regs *regs = (struct guest_regs *)(uintptr_t)
		(this_cpu()->stack_top - sizeof(struct guest_regs));

	BUG_ON(v != this_cpu()->sched.current);
	vmx_call_on_exit_stack(regs, first_entry);
}
