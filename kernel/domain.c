/* SPDX-License-Identifier: MIT */
/* Domain lifecycle: create from boot modules, run, exit or crash, free (see tally/domain.h). */
#include <tally/arch.h>
#include <tally/cmdline.h>
#include <tally/domain.h>
#include <tally/domain_slot.h>
#include <tally/errno.h>
#include <tally/exit_status.h>
#include <tally/fmt.h>
#include <tally/domain_load.h>
#include <tally/domain_modules.h>
#include <tally/log.h>
#include <tally/mem.h>
#include <tally/percpu.h>
#include <tally/sched.h>
#include <tally/spinlock.h>
#include <tally/string.h>
#include <tally/vblk.h>
#include <tally/vnet.h>

#define MSEC_PER_SEC		1000

static struct domain **domains;	/* sized at boot (tally/domain_slot.h) */
static unsigned int capacity;
static unsigned int count;
static unsigned int alive;
static bool restart_any;		/* some slot has restart_pending */
/*
 * Some domain has a max_run_s= deadline: the scheduler asks for the next
 * one at every entry and scans for ended ones at every switch, so without
 * any (most runs) both are one load.  Never cleared: a run that uses the
 * option pays the scan.
 */
static bool max_run_used;
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
		*v = (struct vcpu){ .domain = d, .id = i, .pcpu = pcpu,
				    .state = i ? VCPU_WAIT_SIPI : VCPU_RUNNABLE };
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
	/* Wall time from its creation, in TSC ticks (arch_tsc_khz() per millisecond). */
	if (!d->restarting)
		d->max_run_tsc = cfg->max_run_s ?
			arch_read_tsc() + cfg->max_run_s * MSEC_PER_SEC * arch_tsc_khz() : 0;
	if (d->max_run_tsc) {
		__atomic_store_n(&max_run_used, true, __ATOMIC_RELEASE);
		__atomic_store_n(&domain_sched_hint, true, __ATOMIC_RELEASE);
	}
	log_info("domain: d%u %s created mem_mib=%lu vcpus=%u pcpu=%u entry=%#x ram=%#lx%s",
		 d->id, d->name, d->ram_bytes / MIB, d->vcpu_count, d->vcpus[0]->pcpu,
		 regs.eip, d->ram.raw, d->control ? " role=control" : "");
	if (!d->restarting)
		domain_log_overhead(d);
	return 0;
}

static bool control_exists(void)
{
	for (unsigned int i = 0; i < count; i++)
		if (domains[i]->control)
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

	/* Dead until whole: nothing may end (or flush) a domain being built. */
	*d = (struct domain){ .id = id, .state = DOMAIN_DEAD, .control = cfg->control,
			      .module = m, .initrd = rd, .disk_image = disk, .module_index = index,
			      .on_reboot = cfg->on_reboot, .restarting = again,
			      .max_run_tsc = due, .restarts = restarts, .final = final };
	if (again) {	/* a guest resetting in a loop keeps its console budget */
		d->console_limit = console_limit;
		d->log_limit = log_limit;
		d->blk = blk;
	}
	str_copy(d->name, cfg->name, sizeof(d->name));
	if (create(d, cfg, label) < 0)
		return -EINVAL;
	flags = spin_lock_irqsave(&domain_lock);
	d->state = DOMAIN_RUNNING;
	d->restarting = false;
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
	struct domain *d;
	char why[96];

	if (count == capacity || count == DOMAIN_MAX) {
		log_err("%s: Tally runs %u domains at most; not created", label,
			MIN(capacity, (unsigned int)DOMAIN_MAX));
		return -ENOSPC;
	}
	if (domain_config_parse(bi->modules[i].cmdline, count + 1, &cfg, why, sizeof(why))) {
		log_err("%s: %s; not created", label, why);
		return -EINVAL;
	}
	if (cfg.control && control_exists()) {
		log_err("%s: role=control, but there is a control domain already; not created",
			label);
		return -EEXIST;
	}
	s = domain_slot_alloc(cfg.vcpus, label);
	if (!s)
		return -ENOMEM;
	d = &s->d;
	d->id = count + 1;
	d->module = &bi->modules[i];
	d->module_index = i;
	if (domain_module_find(bi, DOMAIN_MODULE_INITRD, cfg.name, label, claimed, &d->initrd) < 0 ||
	    domain_module_find(bi, DOMAIN_MODULE_DISK, cfg.name, label, claimed, &d->disk_image) < 0 ||
	    build(d, &cfg, label) < 0) {
		domain_slot_free(s);
		return -EINVAL;
	}
	domains[count] = d;
	__atomic_store_n(&count, count + 1, __ATOMIC_RELEASE);	/* after the entry */
	alive++;
	return 0;
}

void domain_create_all(const struct boot_info *bi)
{
	bool *claimed = NULL;

	domains = domain_table_alloc(bi->module_count, &claimed);
	if (!domains) {		/* no modules, or no memory (said so) */
		if (bi->module_count)
			exit_status_add(EMU_EXIT_MODULE_REFUSED);
		return;
	}
	capacity = bi->module_count;
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
		__atomic_store_n(&domain_slot_of(d)->restart_pending, true, __ATOMIC_RELEASE);
		__atomic_store_n(&restart_any, true, __ATOMIC_RELEASE);
		__atomic_store_n(&domain_sched_hint, true, __ATOMIC_RELEASE);
	} else {
		__atomic_fetch_sub(&alive, 1, __ATOMIC_ACQ_REL);
	}
}

void domain_release_vcpu(struct vcpu *v)
{
	struct domain *d = v->domain;

	if (v->released)
		return;
	v->released = true;
	/* VMCLEAR (and INVEPT) must run on the CPU where the vCPU ran (SDM 25.11.1). */
	arch_vcpu_destroy(v);
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
	log_info("domain: d%u %s %s by the control domain d%u %s", d->id, d->name,
		 pause ? "paused" : "unpaused", by->id, by->name);
	return 0;
}

/*
 * Tear @d down: its vCPUs stop; each is released by its own CPU (here at
 * once, elsewhere at that CPU's next scheduling point), and the last one
 * frees the EPT and the RAM (scrubbed).
 */
static void destroy(struct domain *d)
{
	unsigned long flags = spin_lock_irqsave(&domain_lock);
	unsigned int self = this_cpu()->id;

	if (d->state == DOMAIN_DEAD) {
		spin_unlock_irqrestore(&domain_lock, flags);
		return;
	}
	d->state = DOMAIN_DEAD;
	d->unreleased = d->vcpu_count;
	spin_unlock_irqrestore(&domain_lock, flags);
	vuart_flush(d);
	for (unsigned int i = 0; i < DOMAIN_MAX_METRICS; i++)
		if (d->metrics[i].used)
			log_info("domain: d%u %s guest-reported metric %s=%ld unit=%u", d->id,
				 d->name, d->metrics[i].name, d->metrics[i].value, d->metrics[i].unit);
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
			if (domains[i]->paused)
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
 * The deadline is taken once, whichever CPU sees it first.
 */
static void end_overdue(uint64_t now)
{
	if (!__atomic_load_n(&max_run_used, __ATOMIC_ACQUIRE))
		return;
	for (unsigned int i = 0; i < count; i++) {
		struct domain *d = domains[i];
		uint64_t due = __atomic_load_n(&d->max_run_tsc, __ATOMIC_RELAXED);
		unsigned long flags;
		bool claim;

		if (!due || now < due)
			continue;
		/* Under the lock, as domain_reboot() marks a restart: one of the two wins. */
		flags = spin_lock_irqsave(&domain_lock);
		claim = d->max_run_tsc && d->state != DOMAIN_DEAD && !d->restarting;
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
	end_overdue(now);
	if (!__atomic_load_n(&restart_any, __ATOMIC_RELAXED) ||
	    !__atomic_exchange_n(&restart_any, false, __ATOMIC_ACQUIRE))
		return;
	/* Each flag is taken once, whichever CPU sees it first. */
	for (unsigned int i = 0; i < count; i++)
		if (__atomic_exchange_n(&domain_slot_of(domains[i])->restart_pending, false,
					__ATOMIC_ACQUIRE))
			restart(domains[i]);
}

uint64_t domain_next_deadline(void)
{
	uint64_t next = UINT64_MAX;

	if (!__atomic_load_n(&max_run_used, __ATOMIC_ACQUIRE))
		return next;
	for (unsigned int i = 0; i < count; i++) {
		uint64_t due = __atomic_load_n(&domains[i]->max_run_tsc, __ATOMIC_RELAXED);

		if (due && domains[i]->state != DOMAIN_DEAD && due < next)
			next = due;
	}
	return next;
}

void domain_destroy_by(struct domain *d, const struct domain *by)
{
	/* Management, not a fault: no exit-status bit, unlike domain_crash(). */
	vuart_flush(d);
	log_warn("domain: d%u %s destroyed by the control domain d%u %s", d->id, d->name,
		 by->id, by->name);
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
