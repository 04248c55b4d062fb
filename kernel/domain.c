/* SPDX-License-Identifier: MIT */
/* Domain lifecycle: create from boot modules, run, exit or crash, free (see tally/domain.h). */
#include <tally/arch.h>
#include <tally/cmdline.h>
#include <tally/domain.h>
#include <tally/domain_counters.h>
#include <tally/domain_deadline.h>
#include <tally/domain_runtime.h>
#include <tally/domain_slot.h>
#include <tally/errno.h>
#include <tally/exit_status.h>
#include <tally/fmt.h>
#include <tally/domain_load.h>
#include <tally/instance_types.h>
#include <tally/domain_modules.h>
#include <tally/log.h>
#include <tally/mem.h>
#include <tally/metric_check.h>
#include <tally/percpu.h>
#include <tally/sched.h>
#include <tally/spinlock.h>
#include <tally/string.h>
#include <tally/vblk.h>
#include <tally/vnet.h>

#define MSEC_PER_SEC		1000

static struct domain **domains;	/* sized at boot (tally/domain_slot.h) */
static unsigned int capacity, count, alive;
/*
 * Freed domains waiting to be rebuilt (on_reboot=restart), pushed by the
 * CPU that released their last vCPU and taken whole by the first
 * scheduling pass to look: a stack, as only the whole of it is ever taken.
 */
static struct domain_slot *restart_queue;
bool domain_sched_hint;
static struct spinlock domain_lock = SPINLOCK_INIT;

unsigned long domain_table_lock(void)
{
	return spin_lock_irqsave(&domain_lock);
}

void domain_table_unlock(unsigned long flags)
{
	spin_unlock_irqrestore(&domain_lock, flags);
}

unsigned int domain_count(void)
{
	return count;
}

struct domain *domain_at(unsigned int i)
{
	return i < count ? domains[i] : NULL;
}

unsigned int domain_alive_count(void)
{
	return __atomic_load_n(&alive, __ATOMIC_ACQUIRE);
}

/* One block for the whole of the domain's RAM, 1 GiB-aligned when big enough. */
static int alloc_ram(struct domain *d, uint64_t mem_mib, const char *label)
{
	uint64_t bytes = ALIGN_UP(mem_mib * MIB, 2 * MIB);

	d->ram_bytes = bytes;
	if ((bytes < GIB || mem_alloc(bytes, GIB, 0, &d->ram) < 0) &&
	    mem_alloc(bytes, 2 * MIB, 0, &d->ram) < 0) {
		log_err("%s: needs %lu MiB but only %lu MiB are free; not created",
			label, bytes / MIB, mem_free_bytes() / MIB);
		return -ENOMEM;
	}
	/* Computed once: every hypercall with a pointer reads it. */
	d->mem = (struct guest_mem){ .base = arch_phys_to_virt(d->ram.raw, bytes), .size = bytes };
	return 0;
}

static void free_ram(struct domain *d)
{
	arch_zero_memory(d->ram, d->ram_bytes);
	mem_free(d->ram, d->ram_bytes);
}

/*
 * vCPU 0 starts at the kernel entry; the others wait for the guest's SIPI.
 * A restart keeps each vCPU on the CPU of its previous life's.
 */
static int create_vcpus(struct domain *d, const struct domain_config *cfg,
			const struct vcpu_boot_regs *regs, const char *label)
{
	for (unsigned int i = 0; i < cfg->vcpus; i++) {
		struct vcpu *v = domain_slot_vcpu(d, d->restarts, i);
		unsigned int pcpu = domain_slot_vcpu(d, d->restarts + 1, i)->pcpu;

		if (!d->restarting && sched_place(cfg->pcpu, &pcpu) < 0) {
			log_err("%s: pcpu=%u is not an online CPU; not created", label, cfg->pcpu);
			return -EINVAL;
		}
		memset(v, 0, __builtin_offsetof(struct vcpu, placed_next));	/* see struct vcpu */
		v->domain = d;
		v->id = i;
		v->pcpu = pcpu;
		v->state = i ? VCPU_WAIT_SIPI : VCPU_RUNNABLE;
		arch_vcpu_init(v, regs);
		d->vcpus[i] = v;
		sched_attach(v);
	}
	d->vcpu_count = cfg->vcpus;
	return 0;
}

/* Its NIC and disk go before its RAM: no frame or request reaches freed memory. */
static void free_devices_and_ram(struct domain *d)
{
	if (d->net)
		vnet_destroy(d);
	if (d->blk)
		vblk_destroy(d);
	free_ram(d);
}

static int create(struct domain *d, const struct domain_config *cfg, const char *label)
{
	struct vcpu_boot_regs regs;

	if (alloc_ram(d, cfg->mem_mib, label) < 0)
		return -ENOMEM;
	arch_zero_memory(d->ram, d->ram_bytes);
	/* Devices before the loader: its ACPI tables describe them.  Each said why. */
	if (vnet_create(d, cfg, label) < 0 || vblk_create(d, cfg, d->disk_image, label) < 0 ||
	    domain_load_image(d, cfg, label, &regs) < 0) {
		free_devices_and_ram(d);
		return -EINVAL;
	}
	if (arch_domain_create(d) < 0) {
		log_err("%s: no memory for its EPT; not created", label);
		free_devices_and_ram(d);
		return -ENOMEM;
	}
	if (create_vcpus(d, cfg, &regs, label) < 0) {
		arch_domain_destroy(d);
		free_devices_and_ram(d);
		return -EINVAL;
	}
	d->created_tsc = arch_read_tsc();
	d->hv_cycles_base = domain_hypervisor_cycles(d);	/* a life's bill is its own */
	/* Wall time from its creation, in TSC ticks (arch_tsc_khz() per millisecond). */
	if (!d->restarting)
		d->max_run_tsc = cfg->max_run_s ?
			arch_read_tsc() + cfg->max_run_s * MSEC_PER_SEC * arch_tsc_khz() : 0;
	log_info("domain: d%u %s created mem_mib=%lu vcpus=%u pcpu=%u entry=%#x ram=%#lx%s%s%s",
		 d->id, d->name, d->ram_bytes / MIB, d->vcpu_count, d->vcpus[0]->pcpu,
		 regs.eip, d->ram.raw, d->control ? " role=control" : "",
		 cfg->type ? " type=" : "", cfg->type ? cfg->type->name : "");
	if (!d->restarting)
		domain_log_overhead(d);
	return 0;
}

static bool control_exists(void)
{
	for (unsigned int i = 0; i < count; i++)
		if (domains[i] && domains[i]->control)
			return true;
	return false;
}

/* Fill slot @d from its module and configuration, and start its first vCPU. */
static int build(struct domain *d, const struct domain_config *cfg, const char *label)
{
	const struct boot_module *m = d->module, *rd = d->initrd, *disk = d->disk_image;
	unsigned int id = d->id, index = d->module_index, restarts = d->restarts + d->restarting;
	bool again = d->restarting;
	uint64_t due = again ? d->max_run_tsc : 0;	/* max_run_s counts from the first start */
	struct ratelimit console_limit = d->console_limit, log_limit = d->log_limit;
	struct vblk *blk = d->blk;	/* a restart keeps its disk's bytes (vblk_create()) */
	struct domain_final *final = d->final;	/* in its slot, for the run */
	unsigned long flags;

	if (again)	/* its old life's partial line may still be watched */
		vuart_unwatch(d);
	/* Dead until whole: nothing may end (or flush) a domain being built. */
	*d = (struct domain){ .id = id, .state = DOMAIN_DEAD, .control = cfg->control,
			      .agent = cfg->agent, .quiet = cfg->quiet,
			      .module = m, .initrd = rd, .disk_image = disk, .module_index = index,
			      .on_reboot = cfg->on_reboot, .restarting = again,
			      .max_run_tsc = due, .restarts = restarts, .final = final };
	if (again) {	/* a guest resetting in a loop keeps its console budget */
		d->console_limit = console_limit;
		d->log_limit = log_limit;
		d->blk = blk;
	}
	str_copy(d->name, cfg->name, sizeof(d->name));
	if ((!again && cfg->max_run_s && domain_deadline_reserve(label) < 0) ||
	    create(d, cfg, label) < 0)
		return -EINVAL;
	flags = spin_lock_irqsave(&domain_lock);
	if (!again) {	/* listed before it can run: its first hypercall finds itself */
		__atomic_store_n(&domains[id - 1], d, __ATOMIC_RELEASE);
		__atomic_store_n(&count, MAX(count, id), __ATOMIC_RELEASE);	/* after the entry */
		__atomic_fetch_add(&alive, 1, __ATOMIC_ACQ_REL);
	}
	d->state = DOMAIN_RUNNING;
	d->restarting = false;
	domain_deadline_arm(d);		/* a deadline passed meanwhile ends it at once */
	if (again)
		sched_start(d->vcpus[0]);	/* its CPU may be idle */
	else
		sched_enqueue(d->vcpus[0]);
	spin_unlock_irqrestore(&domain_lock, flags);
	return 0;
}

/* A domain from module @i, called @label in errors: 0, or <0 after one line saying why not. */
static int create_from(const struct boot_info *bi, unsigned int i, const char *label,
		       bool *claimed)
{
	struct domain_config cfg;
	struct domain_slot *s;
	char why[160];	/* an unknown type= lists the known ones */

	if (count == capacity) {	/* one per MiB of memory: memory ran out first */
		log_err("%s: the domain table is full (%u domains); not created", label, capacity);
		return -ENOSPC;
	}
	if (domain_config_parse(bi->modules[i].cmdline, count + 1, &cfg, why, sizeof(why))) {
		log_err("%s: %s; not created", label, why);
		return -EINVAL;
	}
	if (cfg.template)	/* checked, listed, kept for domain_create_from_template() */
		return domain_template_boot(bi, i, &cfg, label, claimed);
	if (cfg.control && control_exists()) {
		log_err("%s: role=control, but there is a control domain already; not created",
			label);
		return -EEXIST;
	}
	s = domain_slot_alloc(cfg.vcpus, label);
	if (!s)
		return -ENOMEM;
	s->d.id = count + 1;
	s->d.module = &bi->modules[i];
	s->d.module_index = i;
	return domain_start_new(bi, s, &cfg, cfg.name, claimed, label);
}

int domain_start_new(const struct boot_info *bi, struct domain_slot *s,
		     const struct domain_config *cfg, const char *owner, bool *claimed,
		     const char *label)
{
	struct domain *d = &s->d;

	if (domain_module_find(bi, DOMAIN_MODULE_INITRD, owner, label, claimed, &d->initrd) < 0 ||
	    domain_module_find(bi, DOMAIN_MODULE_DISK, owner, label, claimed, &d->disk_image) < 0 ||
	    build(d, cfg, label) < 0) {
		domain_slot_free(s);	/* never listed */
		return -EINVAL;
	}
	return 0;
}

int domain_table_free_entry(unsigned int *index)
{
	static unsigned int next;	/* after the entry given last; 0: none given yet */

	for (unsigned int n = 0, from = next ? next : count; n < capacity; n++) {
		unsigned int i = (from + n) % capacity;

		if (!__atomic_load_n(&domains[i], __ATOMIC_ACQUIRE)) {
			*index = i;
			next = i + 1;
			return 0;
		}
	}
	return -ENOSPC;
}

void domain_create_all(const struct boot_info *bi)
{
	bool *claimed = NULL;

	if (!bi->module_count)
		return;
	domain_runtime_boot(bi);
	capacity = domain_table_capacity(bi->module_count);
	domains = domain_table_alloc(capacity, bi->module_count, &claimed);
	if (!domains) {		/* no memory (said so) */
		exit_status_add(EMU_EXIT_MODULE_REFUSED);
		return;
	}
	for (unsigned int i = 0; i < bi->module_count; i++) {
		char label[DOMAIN_MODULE_LABEL_MAX];

		domain_module_label(&bi->modules[i], i, label, sizeof(label));
		if (domain_module_kind(&bi->modules[i]) == DOMAIN_MODULE_KERNEL &&
		    create_from(bi, i, label, claimed) < 0)
			exit_status_add(EMU_EXIT_MODULE_REFUSED);
	}
	for (unsigned int i = 0; i < bi->module_count; i++) {
		char label[DOMAIN_MODULE_LABEL_MAX];

		if (domain_module_kind(&bi->modules[i]) == DOMAIN_MODULE_KERNEL || claimed[i])
			continue;
		domain_module_label(&bi->modules[i], i, label, sizeof(label));
		domain_module_refuse(&bi->modules[i], label);
	}
}

/*
 * `on_reboot=restart`: build the domain again in its slot from the same
 * modules (reserved at boot: the allocator never hands them out, see
 * mem.c's boot_reserved()), with the same id and name.  Its vCPUs stay on
 * their CPUs.  It stays counted alive throughout, so that no CPU sees
 * "all domains ended" meanwhile.
 */
static void restart(struct domain *d)
{
	struct domain_config cfg;
	char label[DOMAIN_MODULE_LABEL_MAX], why[96];

	domain_module_label(d->module, d->module_index, label, sizeof(label));
	if (domain_config_parse(d->module->cmdline, d->id, &cfg, why, sizeof(why)) ||
	    build(d, &cfg, label) < 0) {
		log_warn("domain: d%u %s destroyed: could not restart from its modules", d->id,
			 d->name);
		exit_status_add(EMU_EXIT_DOMAIN_CRASHED);
		__atomic_fetch_sub(&alive, 1, __ATOMIC_ACQ_REL);
		return;
	}
	log_info("domain: d%u %s restarted (%u restarts)", d->id, d->name, d->restarts);
}

/* The last vCPU is released: nothing can run on the EPT or RAM any more. */
static void free_domain(struct domain *d)
{
	unsigned long flags;

	/*
	 * Its CPU use is final only now: a vCPU on another CPU runs on until
	 * that CPU's next scheduling point (an end by max_run_s or by the
	 * control domain comes from any CPU).  Its NIC leaves the switch first:
	 * no frame from another domain may change what the line reports.
	 */
	vnet_detach(d);
	__atomic_store_n(&d->ended_tsc, arch_read_tsc(), __ATOMIC_RELEASE);	/* the stream reads it */
	domain_log_usage(d);
	flags = spin_lock_irqsave(&domain_lock);

	/* Under the lock, so an audit never walks tables being freed. */
	arch_domain_destroy(d);
	free_devices_and_ram(d);
	spin_unlock_irqrestore(&domain_lock, flags);
	/*
	 * Not here: this may be the exit handler of the vCPU being rebuilt.
	 * The next scheduling pass (domain_sched_work()) restarts it.
	 */
	if (d->restarting) {
		struct domain_slot *s = domain_slot_of(d);

		s->restart_next = __atomic_load_n(&restart_queue, __ATOMIC_RELAXED);
		while (!__atomic_compare_exchange_n(&restart_queue, &s->restart_next, s, true,
						    __ATOMIC_RELEASE, __ATOMIC_RELAXED))
			;
		__atomic_store_n(&domain_sched_hint, true, __ATOMIC_RELEASE);
		return;
	}
	if (domain_slot_of(d)->runtime) {	/* its slot goes too (tally/domain_slot.h) */
		vuart_unwatch(d);
		__atomic_store_n(&domains[d->id - 1], NULL, __ATOMIC_SEQ_CST);
		domain_slot_retire(domain_slot_of(d));
	}
	__atomic_fetch_sub(&alive, 1, __ATOMIC_ACQ_REL);
}

void domain_release_vcpu(struct vcpu *v)
{
	struct domain *d = v->domain;

	if (v->released)
		return;
	v->released = true;
	/* VMCLEAR (and INVEPT) must run on the CPU where the vCPU ran (SDM 25.11.1). */
	arch_vcpu_destroy(v);
	if (domain_slot_of(d)->runtime)
		sched_detach(v);	/* on its own CPU, its run cycles final */
	if (__atomic_sub_fetch(&d->unreleased, 1, __ATOMIC_ACQ_REL) == 0)
		free_domain(d);
}

/* The control domain @by holds @d off the CPUs (@pause) or lets it run again. */
static int set_paused(struct domain *d, const struct domain *by, bool pause)
{
	unsigned long flags = spin_lock_irqsave(&domain_lock);
	bool was_paused = d->paused;

	if (d->state == DOMAIN_DEAD) {
		spin_unlock_irqrestore(&domain_lock, flags);
		return -ENOENT;
	}
	d->paused = pause;
	spin_unlock_irqrestore(&domain_lock, flags);
	if (was_paused == pause)
		return 0;
	for (unsigned int i = 0; i < d->vcpu_count; i++) {
		if (pause)
			sched_pause(d->vcpus[i]);
		else
			sched_unpause(d->vcpus[i]);
	}
	if (by)
		log_info("domain: d%u %s %s by the control domain d%u %s", d->id, d->name,
			 pause ? "paused" : "unpaused", by->id, by->name);
	else
		log_info("domain: d%u %s %s from tally's console", d->id, d->name,
			 pause ? "paused" : "unpaused");
	return 0;
}

/*
 * Tear @d down: its vCPUs stop; each is released by its own CPU (here at
 * once, elsewhere at that CPU's next scheduling point), and the last one
 * frees the EPT and the RAM (scrubbed).
 */
static void destroy(struct domain *d)
{
	char who[DOMAIN_NAME_MAX + 20];
	unsigned long flags = spin_lock_irqsave(&domain_lock);
	unsigned int self = this_cpu()->id;

	if (d->state == DOMAIN_DEAD) {
		spin_unlock_irqrestore(&domain_lock, flags);
		return;
	}
	d->state = DOMAIN_DEAD;
	d->unreleased = d->vcpu_count;
	domain_deadline_disarm(d);	/* a restart queues it again when rebuilt */
	spin_unlock_irqrestore(&domain_lock, flags);
	vuart_flush(d);
	fmt_snprintf(who, sizeof(who), "domain: d%u %s", d->id, d->name);
	domain_log_metrics(d, who);
	if (d->io_unhandled || d->console_dropped || d->log_limit.suppressed_total)
		log_info("domain: d%u %s unclaimed_port_accesses=%lu console_lines_dropped=%lu "
			 "log_lines_suppressed=%lu", d->id, d->name, d->io_unhandled,
			 d->console_dropped, d->log_limit.suppressed_total);
	for (unsigned int i = 0; i < d->vcpu_count; i++)
		sched_remove(d->vcpus[i]);
	for (unsigned int i = 0; i < d->vcpu_count; i++)
		if (d->vcpus[i]->pcpu == self)
			domain_release_vcpu(d->vcpus[i]);
	/* No one could unpause them any more: what the control domain held runs again. */
	if (d->control)
		for (unsigned int i = 0; i < count; i++)
			if (domains[i] && domains[i]->paused)
				set_paused(domains[i], d, false);
}

void domain_exit(struct domain *d, uint64_t value)
{
	vuart_flush(d);
	log_info("domain: d%u %s exited status=%lu value=%lu", d->id, d->name,
		 (value << 1) | 1, value);
	exit_status_add(exit_status_of_guest_exit(value));
	destroy(d);
}

void domain_power_off(struct domain *d)
{
	vuart_flush(d);
	/* The guest's own, orderly end: no exit-status bit, like a debug-exit value 0. */
	log_info("domain: d%u %s powered off", d->id, d->name);
	destroy(d);
}

void domain_reboot(struct domain *d, const char *cause)
{
	unsigned long flags = spin_lock_irqsave(&domain_lock);
	bool live = d->state != DOMAIN_DEAD;

	/* Under the lock, so that an end racing with the reset (max_run_s) cannot restart it. */
	if (live && d->on_reboot == DOMAIN_REBOOT_RESTART)
		d->restarting = true;	/* read when its last vCPU is released */
	spin_unlock_irqrestore(&domain_lock, flags);
	if (!live)
		return;		/* already ending, for another cause */
	vuart_flush(d);
	if (d->restarting)
		log_info("domain: d%u %s rebooted (%s); restarting from its modules", d->id,
			 d->name, cause);
	else
		log_info("domain: d%u %s rebooted (%s)", d->id, d->name, cause);
	destroy(d);
}

/*
 * `max_run_s=`: a guest that hangs still ends, so that a suite of guests
 * always finishes; its own exit-status bit tells a timeout from a crash.
 * Only the due are popped, one at a time under the lock, so each deadline
 * is taken once, whichever CPU sees it first.
 */
static void end_overdue(uint64_t now)
{
	for (;;) {
		unsigned long flags;
		struct domain *d;
		bool claim;

		if (now < domain_deadline_next())
			return;
		/* Under the lock, as domain_reboot() marks a restart: one of the two wins. */
		flags = spin_lock_irqsave(&domain_lock);
		d = domain_deadline_pop_due(now);
		if (!d) {
			spin_unlock_irqrestore(&domain_lock, flags);
			return;
		}
		/* Queued means running; a restart marked meanwhile queues it again when rebuilt. */
		claim = !d->restarting;
		if (claim)
			d->max_run_tsc = 0;
		spin_unlock_irqrestore(&domain_lock, flags);
		if (!claim)
			continue;
		vuart_flush(d);
		log_warn("domain: d%u %s ended: max_run_s time is up", d->id, d->name);
		exit_status_add(EMU_EXIT_TIMED_OUT);
		destroy(d);
	}
}

void domain_sched_work(uint64_t now)
{
	struct domain_slot *s;

	end_overdue(now);
	if (!__atomic_load_n(&restart_queue, __ATOMIC_RELAXED))
		return;
	/* Taken whole: each restart once, whichever CPU sees it first. */
	s = __atomic_exchange_n(&restart_queue, NULL, __ATOMIC_ACQUIRE);
	while (s) {
		struct domain_slot *next = s->restart_next;

		s->restart_next = NULL;
		restart(&s->d);
		s = next;
	}
}

uint64_t domain_next_deadline(void)
{
	return domain_deadline_next();
}

void domain_destroy_by(struct domain *d, const struct domain *by)
{
	/* Management, not a fault: no exit-status bit, unlike domain_crash(). */
	vuart_flush(d);
	if (by)
		log_warn("domain: d%u %s destroyed by the control domain d%u %s", d->id, d->name,
			 by->id, by->name);
	else
		log_warn("domain: d%u %s destroyed from tally's console", d->id, d->name);
	destroy(d);
}

const char *domain_state_name(const struct domain *d)
{
	if (d->state == DOMAIN_DEAD)
		return "dead";
	return d->paused ? "paused" : "running";
}

int domain_pause(struct domain *d, const struct domain *by)
{
	return set_paused(d, by, true);
}

int domain_unpause(struct domain *d, const struct domain *by)
{
	return set_paused(d, by, false);
}

void domain_crash(struct domain *d, const char *reason, uint64_t rip, uint64_t qual)
{
	vuart_flush(d);
	log_warn("domain: d%u %s destroyed: %s rip=%#lx qual=%#lx", d->id, d->name, reason,
		 rip, qual);
	exit_status_add(EMU_EXIT_DOMAIN_CRASHED);
	destroy(d);
}

void domain_console_line(struct domain *d, const char *line)
{
	log_guest_line(d, line);	/* rate-limited and counted per domain there */
}
