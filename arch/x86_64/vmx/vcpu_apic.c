/* SPDX-License-Identifier: MIT */
/* The virtual x2APIC wired to VMX: MSR exits, IPIs between a domain's vCPUs, injection, timers.
 *
 * Locking: a vCPU's APIC is changed by its own CPU, and by other CPUs
 * accepting IPIs into it; every access takes the vCPU's apic_lock, with
 * interrupts off.  Waking the target goes through the scheduler. */
#include <arch/cpu.h>
#include <arch/vcpu_apic.h>
#include <arch/vlapic.h>
#include <arch/vmcs.h>
#include <arch/vmexit.h>
#include <arch/vmx.h>
#include <arch/vmx_cpu.h>
#include <tally/arch.h>
#include <tally/domain.h>
#include <tally/log.h>
#include <tally/sched.h>
#include <tally/spinlock.h>

#define US_PER_MS		1000

/*
 * The shortest one-shot or periodic APIC timer count a guest gets, as KVM
 * limits periodic timers (to 200 us by default).  A count of 1 would ask
 * for an expiry every TSC cycle; the fastest tick an ordinary kernel asks
 * for is 1 ms (HZ=1000), so 100 us leaves it ten times the room while a
 * guest can raise at most 10,000 timer interrupts a second per vCPU, each
 * served in its own time.  TSC-deadline mode is not limited: every arming
 * is a WRMSR exit the guest pays for.
 */
#define VCPU_APIC_TIMER_MIN_PERIOD_US 100

/* IA32_APIC_BASE as guests see it: x2APIC mode from the start; BSP for vCPU 0. */
static uint64_t apic_base(const struct vcpu *v)
{
	return APIC_BASE_DEFAULT | APIC_BASE_ENABLE | APIC_BASE_EXTD | (v->id ? 0 : APIC_BASE_BSP);
}

static bool is_apic_msr(uint32_t msr)
{
	return (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST) || msr == MSR_IA32_TSC_DEADLINE;
}

enum vcpu_apic_msr_result vcpu_apic_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	unsigned long flags;
	int err;

	if (msr == MSR_IA32_APIC_BASE) {
		*val = apic_base(v);
		return VCPU_APIC_DONE;
	}
	if (!is_apic_msr(msr))
		return VCPU_APIC_NOT_MINE;
	flags = spin_lock_irqsave(&v->arch.apic_lock);
	err = vlapic_msr_read(&v->arch.vlapic, msr, rdtsc(), val);
	spin_unlock_irqrestore(&v->arch.apic_lock, flags);
	return err ? VCPU_APIC_GP : VCPU_APIC_DONE;
}

/*
 * Put @vector into @t's IRR and wake it if it halted with interrupts on:
 * as with its own timer, a fixed interrupt does not end a HLT executed
 * with IF=0 (SDM Vol. 2A, HLT); it waits in the IRR.
 */
static void accept_and_wake(struct vcpu *t, uint8_t vector)
{
	unsigned long flags = spin_lock_irqsave(&t->arch.apic_lock);

	vlapic_accept(&t->arch.vlapic, vector);
	t->arch.apic_hint = true;
	spin_unlock_irqrestore(&t->arch.apic_lock, flags);
	if (t->arch.hlt_if)
		sched_wake(t);
}

/* INIT leaves a waiting vCPU waiting; SIPI starts it in real mode at @vector's page. */
static void deliver_startup(struct vcpu *t, const struct vlapic_action *act)
{
	if (act->kind == VLAPIC_ACTION_INIT) {
		if (t->state != VCPU_WAIT_SIPI)
			log_guest_warn(t->domain, "d%u %s: INIT to running vCPU %u ignored",
				       t->domain->id, t->domain->name, t->id);
		return;
	}
	if (t->state != VCPU_WAIT_SIPI)
		return;		/* a second SIPI, as the SDM's sequence sends, is ignored */
	t->arch.sipi_vector = act->vector;
	t->arch.real_mode_start = true;
	sched_start(t);
}

static void deliver_one(struct vcpu *src __unused, struct vcpu *t, const struct vlapic_action *act)
{
	switch (act->kind) {
	case VLAPIC_ACTION_IPI: accept_and_wake(t, act->vector); break;
	case VLAPIC_ACTION_INIT:
	case VLAPIC_ACTION_SIPI: deliver_startup(t, act); break;
	default: break;		/* NMIs between vCPUs are not modelled */
	}
}

/* An IPI @src sent: to one vCPU of the same domain, or to several by shorthand. */
static void deliver(struct vcpu *src, const struct vlapic_action *act)
{
	struct domain *d = src->domain;

	for (unsigned int i = 0; i < d->vcpu_count; i++) {
		struct vcpu *t = d->vcpus[i];
		bool hit = act->dest == VLAPIC_DEST_ALL ||
			   (act->dest == VLAPIC_DEST_ALL_BUT_SELF && t != src) ||
			   (act->dest == VLAPIC_DEST_SELF && t == src) || act->dest == t->id;

		if (hit && t->state != VCPU_DEAD)
			deliver_one(src, t, act);
	}
}

enum vcpu_apic_msr_result vcpu_apic_msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	struct vlapic_action act = { .kind = VLAPIC_ACTION_NONE };
	unsigned long flags;
	int err;

	if (msr == MSR_IA32_APIC_BASE)	/* the mode cannot change */
		return val == apic_base(v) ? VCPU_APIC_DONE : VCPU_APIC_GP;
	if (!is_apic_msr(msr))
		return VCPU_APIC_NOT_MINE;
	flags = spin_lock_irqsave(&v->arch.apic_lock);
	/* Here rather than at vlapic_init(), which knows no TSC rate: it only matters to writes. */
	vlapic_set_min_period(&v->arch.vlapic,
			      arch_tsc_khz() * VCPU_APIC_TIMER_MIN_PERIOD_US / US_PER_MS);
	err = vlapic_msr_write(&v->arch.vlapic, msr, val, rdtsc(), &act);
	/* TPR, EOI, SELF_IPI or a timer change may make an interrupt deliverable. */
	v->arch.apic_hint = true;
	spin_unlock_irqrestore(&v->arch.apic_lock, flags);
	if (err)
		return VCPU_APIC_GP;
	sched_timers_changed();
	if (act.kind != VLAPIC_ACTION_NONE)
		deliver(v, &act);
	return VCPU_APIC_DONE;
}

static void set_window_exiting(struct vcpu *v, bool on)
{
	uint64_t proc;

	if (v->arch.window_exiting == on)
		return;
	proc = vmcs_read(VMCS_PROC_BASED_CONTROLS);
	vmcs_write(VMCS_PROC_BASED_CONTROLS, on ? proc | CPU_BASED_INTERRUPT_WINDOW_EXITING :
						  proc & ~CPU_BASED_INTERRUPT_WINDOW_EXITING);
	v->arch.window_exiting = on;
}

static bool guest_interruptible(void)
{
	return (vmcs_read(VMCS_GUEST_RFLAGS) & RFLAGS_IF) &&
	       !(vmcs_read(VMCS_GUEST_INTERRUPTIBILITY) & INTERRUPTIBILITY_STI_MOVSS) &&
	       !(vmcs_read(VMCS_ENTRY_INTERRUPTION_INFO) & INTR_INFO_VALID);
}

void vcpu_apic_before_entry(struct vcpu *v)
{
	unsigned long flags = spin_lock_irqsave(&v->arch.apic_lock);
	uint64_t event = vlapic_timer_event(&v->arch.vlapic, false);
	int vector;

	vlapic_timer_update(&v->arch.vlapic, rdtsc());
	vector = vlapic_pending_vector(&v->arch.vlapic);
	if (vector >= 0 && guest_interruptible()) {
		vlapic_ack(&v->arch.vlapic, (uint8_t)vector);
		vmcs_write(VMCS_ENTRY_INTERRUPTION_INFO,
			   (uint32_t)vector | INTR_TYPE_EXTERNAL | INTR_INFO_VALID);
		vector = vlapic_pending_vector(&v->arch.vlapic);
	}
	/* Still one waiting (IF=0, or a shadow): look again at every entry until it is taken. */
	v->arch.apic_hint = vector >= 0;
	/* A firing, or the guest taking the timer's vector, moves the expiry that matters. */
	if (vlapic_timer_event(&v->arch.vlapic, false) != event)
		sched_timers_changed();
	spin_unlock_irqrestore(&v->arch.apic_lock, flags);
	if (vmx_config.proc_window_exiting)
		set_window_exiting(v, vector >= 0);
}

void vmexit_interrupt_window(struct vcpu *v, struct guest_regs *r __unused)
{
	set_window_exiting(v, false);
	v->arch.apic_hint = true;	/* the next entry injects */
}

bool vcpu_apic_hlt_wakes_at_once(struct vcpu *v)
{
	unsigned long flags = spin_lock_irqsave(&v->arch.apic_lock);
	bool pending;

	vlapic_timer_update(&v->arch.vlapic, rdtsc());
	pending = vlapic_pending_vector(&v->arch.vlapic) >= 0;
	spin_unlock_irqrestore(&v->arch.apic_lock, flags);
	return pending && (vmcs_read(VMCS_GUEST_RFLAGS) & RFLAGS_IF);
}

bool arch_vcpu_wakeup_due(struct vcpu *v, uint64_t now)
{
	unsigned long flags;
	bool pending;

	/*
	 * Nothing new since the HLT, whose check found nothing deliverable:
	 * no timer due (only this CPU arms it) and no accepted interrupt
	 * (apic_hint; whoever sets it also wakes the vCPU).  Skip the lock.
	 */
	if (!v->arch.apic_hint &&
	    (!v->arch.vlapic.deadline || now < v->arch.vlapic.deadline))
		return false;
	flags = spin_lock_irqsave(&v->arch.apic_lock);

	if (vlapic_timer_update(&v->arch.vlapic, now))
		sched_timers_changed();
	pending = vlapic_pending_vector(&v->arch.vlapic) >= 0;
	if (pending)
		v->arch.apic_hint = true;
	spin_unlock_irqrestore(&v->arch.apic_lock, flags);
	return pending && v->arch.hlt_if;
}

uint64_t arch_vcpu_timer_event(struct vcpu *v, bool halted)
{
	/* HLT with IF=0 ends only by NMI, SMI, INIT or reset (SDM Vol. 2A, HLT): never by a timer. */
	if (halted && !v->arch.hlt_if)
		return 0;
	return vlapic_timer_event(&v->arch.vlapic, halted);
}
