/* SPDX-License-Identifier: MIT */
/* The virtual local APIC wired to VMX: MSR and MMIO exits, IPIs and device interrupts, injection, timers.
 *
 * Locking: a vCPU's APIC is changed by its own CPU, and by other CPUs
 * accepting IPIs or device interrupts into it; every access takes the
 * vCPU's apic_lock, with interrupts off.  Waking the target goes through
 * the scheduler; a running target's CPU is kicked so that it injects. */
#include <arch/cpu.h>
#include <arch/msr_rules.h>
#include <arch/trap.h>
#include <arch/vcpu_apic.h>
#include <tally/vlapic.h>
#include <arch/vmcs.h>
#include <arch/vmexit.h>
#include <arch/vmx.h>
#include <arch/vmx_cpu.h>
#include <arch/vmx_insn.h>
#include <tally/arch.h>
#include <tally/domain.h>
#include <tally/errno.h>
#include <tally/log.h>
#include <tally/mem.h>
#include <tally/panic.h>
#include <tally/sched.h>
#include <tally/percpu.h>
#include <tally/spinlock.h>
#include <tally/string.h>
#include <tally/virq.h>
#include <tally/vmmio.h>
#include <tally/vplatform.h>

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

static bool is_apic_msr(uint32_t msr)
{
	return (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST) || msr == MSR_IA32_TSC_DEADLINE;
}

enum vcpu_apic_msr_result vcpu_apic_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	unsigned long flags;
	int err;

	if (!is_apic_msr(msr) && msr != MSR_IA32_APIC_BASE)
		return VCPU_APIC_NOT_MINE;
	flags = spin_lock_irqsave(&v->arch.apic_lock);
	if (msr == MSR_IA32_APIC_BASE) {
		*val = vlapic_base_read(&v->arch.vlapic);
		err = 0;
	} else {
		err = vlapic_msr_read(&v->arch.vlapic, msr, rdtsc(), val);
		/* The model keeps host TSC deadlines; the guest reads its own TSC's (exit_msr.c). */
		if (msr == MSR_IA32_TSC_DEADLINE)
			*val = msr_tsc_deadline_to_guest(*val, v->arch.tsc_offset);
	}
	spin_unlock_irqrestore(&v->arch.apic_lock, flags);
	return err ? VCPU_APIC_GP : VCPU_APIC_DONE;
}

/*
 * Put @vector into @t's IRR and wake it if it halted with interrupts on:
 * as with its own timer, a fixed interrupt does not end a HLT executed
 * with IF=0 (SDM Vol. 2A, HLT); it waits in the IRR.  A target running on
 * another CPU is kicked out of the guest so that its next entry injects.
 */
static void accept_and_wake(struct vcpu *t, uint8_t vector, bool level)
{
	unsigned long flags = spin_lock_irqsave(&t->arch.apic_lock);

	vlapic_accept_irq(&t->arch.vlapic, vector, level);
	t->arch.apic_hint = true;
	spin_unlock_irqrestore(&t->arch.apic_lock, flags);
	if (!sched_note_event(t) && t->arch.hlt_if)
		sched_wake(t);
}

/*
 * An NMI or INIT for @t: it ends a HLT whatever RFLAGS.IF (SDM Vol. 2A,
 * HLT); a target running on another CPU is kicked so that its next exit
 * (or entry) sees it.  A target that blocks meanwhile is looked at again
 * by its CPU (sched_note_event()): arch_vcpu_wakeup_due() says yes for either.
 */
static void wake_for_event(struct vcpu *t)
{
	if (!sched_note_event(t))
		sched_wake(t);
}

/* Latch an NMI in @t (one at most: a second merges) and make it notice. */
static void nmi_and_wake(struct vcpu *t)
{
	unsigned long flags = spin_lock_irqsave(&t->arch.apic_lock);
	bool latched = vlapic_nmi_accept(&t->arch.vlapic, t->state == VCPU_WAIT_SIPI);

	if (latched)
		t->arch.apic_hint = true;
	spin_unlock_irqrestore(&t->arch.apic_lock, flags);
	if (latched)
		wake_for_event(t);
}

/*
 * INIT: an AP goes to the wait-for-SIPI state, on its own CPU at its next
 * exit or entry (vcpu_apic_take_init()), which alone may touch its VMCS.
 * A vCPU already waiting stays waiting.  The BSP (vCPU 0) would not wait
 * for a SIPI but restart at the reset vector, in the firmware (SDM 9.1.1,
 * 9.4.1): a domain has no firmware there, so Tally ignores an INIT to it
 * and says so (rate-limited); no OS sends one (Linux keeps CPU 0 online).
 */
static void deliver_init(struct vcpu *t)
{
	unsigned long flags;

	if (t->id == 0) {
		log_guest_warn(t->domain, "d%u %s: INIT to running vCPU %u ignored",
			       t->domain->id, t->domain->name, t->id);
		return;
	}
	flags = spin_lock_irqsave(&t->arch.apic_lock);
	if (t->state == VCPU_WAIT_SIPI) {
		spin_unlock_irqrestore(&t->arch.apic_lock, flags);
		return;
	}
	t->arch.init_pending = true;
	spin_unlock_irqrestore(&t->arch.apic_lock, flags);
	wake_for_event(t);
}

/*
 * SIPI starts a waiting vCPU in real mode at @vector's page; one that has
 * an INIT pending keeps it for when the INIT is taken (Linux sends the
 * SIPI right after the INIT).  A second SIPI, as the SDM's sequence sends,
 * finds the vCPU started and is ignored.
 */
static void deliver_sipi(struct vcpu *t, uint8_t vector)
{
	unsigned long flags = spin_lock_irqsave(&t->arch.apic_lock);

	if (t->arch.init_pending) {
		t->arch.sipi_latched = true;
		t->arch.sipi_vector = vector;
	} else if (t->state == VCPU_WAIT_SIPI) {
		t->arch.sipi_vector = vector;
		t->arch.real_mode_start = true;
		sched_start(t);
	}
	spin_unlock_irqrestore(&t->arch.apic_lock, flags);
}

static void deliver_one(struct vcpu *t, const struct vlapic_action *act)
{
	switch (act->kind) {
	case VLAPIC_ACTION_IPI: accept_and_wake(t, act->vector, act->level); break;
	case VLAPIC_ACTION_NMI: nmi_and_wake(t); break;
	case VLAPIC_ACTION_INIT: deliver_init(t); break;
	case VLAPIC_ACTION_SIPI: deliver_sipi(t, act->vector); break;
	default: break;
	}
}

/*
 * An interrupt message from @src (NULL: the I/O APIC) to the vCPUs of @d
 * it addresses; lowest priority reaches only the lowest-numbered of them.
 * The match reads the targets' LDR/DFR unlocked: a guest that changes them
 * while messages fly races as it would on hardware.
 */
static void deliver(struct domain *d, struct vcpu *src, const struct vlapic_action *act)
{
	for (unsigned int i = 0; i < d->vcpu_count; i++) {
		struct vcpu *t = d->vcpus[i];

		if (t->state == VCPU_DEAD || !vlapic_match(&t->arch.vlapic, t == src, act))
			continue;
		deliver_one(t, act);
		if (act->lowest)
			return;
	}
}

/* What a register write asked for: IPIs, or an EOI broadcast to the domain's I/O APIC. */
static void act_on(struct vcpu *v, const struct vlapic_action *act)
{
	if (act->kind == VLAPIC_ACTION_EOI)
		domain_irq_eoi(v->domain, act->vector);
	else if (act->kind != VLAPIC_ACTION_NONE)
		deliver(v->domain, v, act);
}

void arch_virq_deliver(struct domain *d, const struct vioapic_msg *msg)
{
	struct vlapic_action act = {
		.kind = msg->mode == VIOAPIC_MODE_NMI ? VLAPIC_ACTION_NMI : VLAPIC_ACTION_IPI,
		.vector = msg->vector, .logical = msg->logical,
		.lowest = msg->mode == VIOAPIC_MODE_LOWEST, .level = msg->level,
		.dest = msg->dest == XAPIC_BROADCAST ? VLAPIC_DEST_ALL : msg->dest,
	};

	/* Fixed, lowest priority and NMI: SMI, INIT and ExtINT from a pin have no user here. */
	if (msg->mode != VIOAPIC_MODE_FIXED && msg->mode != VIOAPIC_MODE_LOWEST &&
	    msg->mode != VIOAPIC_MODE_NMI)
		return;
	deliver(d, NULL, &act);
}

/* WRMSR of IA32_APIC_BASE: the model's state machine; a relocation is refused with a line. */
static enum vcpu_apic_msr_result base_write(struct vcpu *v, uint64_t val)
{
	unsigned long flags = spin_lock_irqsave(&v->arch.apic_lock);
	int err = vlapic_base_write(&v->arch.vlapic, val);

	v->arch.apic_hint = true;
	spin_unlock_irqrestore(&v->arch.apic_lock, flags);
	if (err == -EPERM)
		log_guest_warn(v->domain, "d%u %s: vCPU %u moves its APIC to %#lx: not supported, #GP",
			       v->domain->id, v->domain->name, v->id, (unsigned long)(val & APIC_BASE_ADDR_MASK));
	sched_timers_changed();	/* a reset disarms the timer */
	return err ? VCPU_APIC_GP : VCPU_APIC_DONE;
}

enum vcpu_apic_msr_result vcpu_apic_msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	struct vlapic_action act = { .kind = VLAPIC_ACTION_NONE };
	unsigned long flags;
	uint64_t now;
	int err;

	if (msr == MSR_IA32_APIC_BASE)
		return base_write(v, val);
	if (!is_apic_msr(msr))
		return VCPU_APIC_NOT_MINE;
	flags = spin_lock_irqsave(&v->arch.apic_lock);
	/* Here rather than at vlapic_init(), which knows no TSC rate: it only matters to writes. */
	vlapic_set_min_period(&v->arch.vlapic,
			      arch_tsc_khz() * VCPU_APIC_TIMER_MIN_PERIOD_US / US_PER_MS);
	now = rdtsc();
	if (msr == MSR_IA32_TSC_DEADLINE)	/* a guest TSC value: to the host's, as the model keeps it */
		val = msr_tsc_deadline_to_host(val, now + v->arch.tsc_offset, now);
	err = vlapic_msr_write(&v->arch.vlapic, msr, val, now, &act);
	/* TPR, EOI, SELF_IPI or a timer change may make an interrupt deliverable. */
	v->arch.apic_hint = true;
	spin_unlock_irqrestore(&v->arch.apic_lock, flags);
	if (err)
		return VCPU_APIC_GP;
	sched_timers_changed();
	act_on(v, &act);
	return VCPU_APIC_DONE;
}

/* ------------------------------------------------ the xAPIC page (SDM 11.4.1) */

static int mmio_read(struct vcpu *v, uint64_t gpa, unsigned int size, uint64_t *val)
{
	unsigned long flags = spin_lock_irqsave(&v->arch.apic_lock);

	*val = vlapic_mmio_read(&v->arch.vlapic, (uint32_t)(gpa - VPLATFORM_LAPIC_BASE), size,
				rdtsc());
	spin_unlock_irqrestore(&v->arch.apic_lock, flags);
	return 0;
}

static int mmio_write(struct vcpu *v, uint64_t gpa, unsigned int size, uint64_t val)
{
	struct vlapic_action act;
	unsigned long flags = spin_lock_irqsave(&v->arch.apic_lock);

	vlapic_set_min_period(&v->arch.vlapic,
			      arch_tsc_khz() * VCPU_APIC_TIMER_MIN_PERIOD_US / US_PER_MS);
	vlapic_mmio_write(&v->arch.vlapic, (uint32_t)(gpa - VPLATFORM_LAPIC_BASE), size,
			  (uint32_t)val, rdtsc(), &act);
	v->arch.apic_hint = true;
	spin_unlock_irqrestore(&v->arch.apic_lock, flags);
	sched_timers_changed();
	act_on(v, &act);
	return 0;
}

/* Each vCPU reaches its own APIC at the one address, as on hardware. */
static const struct vmmio_ops lapic_ops = {
	.name = "lapic",
	.read = mmio_read,
	.write = mmio_write,
};

int arch_virq_register(void)
{
	return vmmio_register(VPLATFORM_LAPIC_BASE, VLAPIC_MMIO_SIZE, &lapic_ops);
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

static void set_nmi_window_exiting(struct vcpu *v, bool on)
{
	uint64_t proc;

	if (v->arch.nmi_window_exiting == on)
		return;
	proc = vmcs_read(VMCS_PROC_BASED_CONTROLS);
	vmcs_write(VMCS_PROC_BASED_CONTROLS, on ? proc | CPU_BASED_NMI_WINDOW_EXITING :
						  proc & ~CPU_BASED_NMI_WINDOW_EXITING);
	v->arch.nmi_window_exiting = on;
}

/*
 * A pending NMI (vector 2, type NMI) goes before any interrupt (SDM 6.9,
 * priorities); vcpu_nmi_step() says whether the guest can take it now.
 * True if one still waits.  Called with the APIC lock held.
 */
static bool nmi_before_entry(struct vcpu *v)
{
	enum vcpu_nmi_step step;

	if (!vlapic_nmi_pending(&v->arch.vlapic)) {	/* the common case: two flags, no VMREAD */
		v->arch.nmi_window_open = false;
		if (v->arch.nmi_window_exiting)
			set_nmi_window_exiting(v, false);
		return false;
	}
	step = vcpu_nmi_step(
		true, (uint32_t)vmcs_read(VMCS_GUEST_INTERRUPTIBILITY),
		vmcs_read(VMCS_ENTRY_INTERRUPTION_INFO) & INTR_INFO_VALID,
		vmx_config.virtual_nmis, v->arch.nmi_window_open,
		vmx_config.proc_nmi_window_exiting);

	v->arch.nmi_window_open = false;
	if (step == VCPU_NMI_INJECT) {
		vlapic_nmi_take(&v->arch.vlapic);
		vmcs_write(VMCS_ENTRY_INTERRUPTION_INFO, VEC_NMI | INTR_TYPE_NMI | INTR_INFO_VALID);
		v->arch.nmis_injected++;
	}
	if (vmx_config.proc_nmi_window_exiting)
		set_nmi_window_exiting(v, step == VCPU_NMI_WINDOW);
	return step == VCPU_NMI_WINDOW || step == VCPU_NMI_RETRY;
}

void vcpu_apic_before_entry(struct vcpu *v)
{
	unsigned long flags = spin_lock_irqsave(&v->arch.apic_lock);
	uint64_t event = vlapic_timer_event(&v->arch.vlapic, false);
	bool nmi_waits = nmi_before_entry(v);
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
	v->arch.apic_hint = vector >= 0 || nmi_waits;
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

void vmexit_nmi_window(struct vcpu *v, struct guest_regs *r __unused)
{
	set_nmi_window_exiting(v, false);
	v->arch.nmi_window_open = true;	/* this CPU would deliver an NMI here (SDM 26.7.6) */
	v->arch.apic_hint = true;
}

/* An NMI or INIT waits for @v: either ends a HLT whatever RFLAGS.IF.  APIC lock held. */
static bool event_ends_hlt(const struct vcpu *v)
{
	return vlapic_nmi_pending(&v->arch.vlapic) || v->arch.init_pending;
}

bool vcpu_apic_hlt_wakes_at_once(struct vcpu *v)
{
	unsigned long flags = spin_lock_irqsave(&v->arch.apic_lock);
	bool pending, event;

	vlapic_timer_update(&v->arch.vlapic, rdtsc());
	pending = vlapic_pending_vector(&v->arch.vlapic) >= 0;
	event = event_ends_hlt(v);
	spin_unlock_irqrestore(&v->arch.apic_lock, flags);
	return event || (pending && (vmcs_read(VMCS_GUEST_RFLAGS) & RFLAGS_IF));
}

bool arch_vcpu_wakeup_due(struct vcpu *v, uint64_t now)
{
	unsigned long flags;
	bool pending, event;

	/*
	 * Nothing new since the HLT, whose check found nothing deliverable:
	 * no timer due (only this CPU arms it) and no accepted interrupt
	 * (apic_hint; whoever sets it also wakes the vCPU).  Skip the lock.
	 */
	if (!v->arch.apic_hint && !v->arch.init_pending &&
	    (!v->arch.vlapic.deadline || now < v->arch.vlapic.deadline))
		return false;
	flags = spin_lock_irqsave(&v->arch.apic_lock);

	if (vlapic_timer_update(&v->arch.vlapic, now))
		sched_timers_changed();
	pending = vlapic_pending_vector(&v->arch.vlapic) >= 0;
	event = event_ends_hlt(v);
	if (pending || event)
		v->arch.apic_hint = true;
	spin_unlock_irqrestore(&v->arch.apic_lock, flags);
	return event || (pending && v->arch.hlt_if);
}

uint64_t arch_vcpu_timer_event(struct vcpu *v, bool halted)
{
	/* HLT with IF=0 ends only by NMI, SMI, INIT or reset (SDM Vol. 2A, HLT): never by a timer. */
	if (halted && !v->arch.hlt_if)
		return 0;
	return vlapic_timer_event(&v->arch.vlapic, halted);
}

/* ------------------------------------------------ INIT (SDM 9.1, 11.4.7.3) */

/*
 * The VMCS of @v (current on this CPU) is dropped: the SIPI's setup
 * (vmx_vcpu_setup() with real_mode_start) builds the INIT state afresh,
 * every guest field from table 10-1's values, with no field of the old
 * life left over.  Its VPID's translations go too, as INIT flushes the
 * TLBs (SDM table 10-1: "TLBs invalid").
 */
static void drop_vmcs(struct vcpu *v)
{
	if (!vmclear(v->arch.vmcs.raw))
		panic("vmx: VMCLEAR of d%u vCPU %u failed", v->domain->id, v->id);
	if (vmx_config.vpid)
		invvpid(INVVPID_SINGLE_CONTEXT, v->arch.vpid);
	mem_free(v->arch.vmcs, PAGE_SIZE);
	v->arch.vmcs_ready = false;
	v->arch.launched = false;
	v->arch.window_exiting = false;
	v->arch.nmi_window_exiting = false;
	v->arch.nmi_window_open = false;
}

/*
 * What INIT keeps (table 10-1's "unchanged" column, and Tally's choices):
 * the TSC and its offset, IA32_MISC_ENABLE, the x87/SSE/AVX state and
 * XCR0, the SYSCALL MSRs (which act only once the guest enables them
 * again), and the exit counters.  The general registers become 0; the
 * APIC keeps its ID and IA32_APIC_BASE (x2APIC mode stays, 11.12.5.1).
 */
bool vcpu_apic_take_init(struct vcpu *v, struct guest_regs *regs)
{
	unsigned long flags = spin_lock_irqsave(&v->arch.apic_lock);
	bool sipi = v->arch.sipi_latched;

	if (!v->arch.init_pending) {
		spin_unlock_irqrestore(&v->arch.apic_lock, flags);
		return false;
	}
	v->arch.init_pending = false;
	v->arch.sipi_latched = false;
	v->arch.inits++;
	vlapic_init_reset(&v->arch.vlapic);
	v->arch.apic_hint = false;
	drop_vmcs(v);
	memset(regs, 0, sizeof(*regs));
	sched_block(v);
	v->state = VCPU_WAIT_SIPI;
	if (sipi) {
		v->arch.real_mode_start = true;
		sched_start(v);
		sched_yield();	/* through the pick, which sets up its new VMCS */
	}
	spin_unlock_irqrestore(&v->arch.apic_lock, flags);
	sched_timers_changed();	/* its APIC timer is gone */
	return true;
}
