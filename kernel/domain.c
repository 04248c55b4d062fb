/* SPDX-License-Identifier: MIT */
/* Domain lifecycle: create from boot modules, run, exit or crash, free (see tally/domain.h). */
#include <tally/arch.h>
#include <tally/cmdline.h>
#include <tally/domain.h>
#include <tally/errno.h>
#include <tally/exit_status.h>
#include <tally/fmt.h>
#include <tally/guest_loader.h>
#include <tally/log.h>
#include <tally/mem.h>
#include <tally/percpu.h>
#include <tally/sched.h>
#include <tally/spinlock.h>
#include <tally/string.h>

/* "module N (name)": how every refusal names its module. */
#define MODULE_LABEL_MAX	(DOMAIN_NAME_MAX + 24)

static struct domain domains[DOMAIN_MAX];
static struct vcpu vcpu_pool[DOMAIN_MAX][DOMAIN_MAX_VCPUS];
static unsigned int count;
static unsigned int alive;
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
	return i < count ? &domains[i] : NULL;
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

static int load_image(struct domain *d, const struct boot_module *m, const char *label,
		      struct guest_load_result *res)
{
	const uint8_t *image = arch_phys_to_virt(m->start.raw, m->size);
	struct guest_load_req req = {
		.ram = arch_phys_to_virt(d->ram.raw, d->ram_bytes),
		.mem_bytes = d->ram_bytes,
		.image = image,
		.image_size = m->size,
		.cmdline = m->cmdline,
		.name = label,		/* the loader's refusal names the module as ours do */
	};

	if (!image || !req.ram) {
		log_err("%s: image or RAM not mapped; not created", label);
		return -EFAULT;
	}
	return guest_load_multiboot(&req, res);
}

/* vCPU 0 starts at the kernel entry; the others wait for the guest's SIPI. */
static int create_vcpus(struct domain *d, const struct domain_config *cfg,
			const struct guest_load_result *res, const char *label)
{
	for (unsigned int i = 0; i < cfg->vcpus; i++) {
		struct vcpu *v = &vcpu_pool[d->id - 1][i];
		unsigned int pcpu;

		if (sched_place(cfg->pcpu, &pcpu) < 0) {
			log_err("%s: pcpu=%u is not an online CPU; not created", label, cfg->pcpu);
			return -EINVAL;
		}
		*v = (struct vcpu){ .domain = d, .id = i, .pcpu = pcpu,
				    .state = i ? VCPU_WAIT_SIPI : VCPU_RUNNABLE };
		arch_vcpu_init(v, &res->regs);
		d->vcpus[i] = v;
		sched_attach(v);
	}
	d->vcpu_count = cfg->vcpus;
	return 0;
}

static int create(struct domain *d, const struct boot_module *m, const struct domain_config *cfg,
		  const char *label)
{
	struct guest_load_result res;

	if (alloc_ram(d, cfg->mem_mib, label) < 0)
		return -ENOMEM;
	arch_zero_memory(d->ram, d->ram_bytes);
	if (load_image(d, m, label, &res) < 0) {	/* the loader said why */
		free_ram(d);
		return -EINVAL;
	}
	if (arch_domain_create(d) < 0) {
		log_err("%s: no memory for its EPT; not created", label);
		free_ram(d);
		return -ENOMEM;
	}
	if (create_vcpus(d, cfg, &res, label) < 0) {
		arch_domain_destroy(d);
		free_ram(d);
		return -EINVAL;
	}
	log_info("domain: d%u %s created mem_mib=%lu vcpus=%u pcpu=%u entry=%#x ram=%#lx%s",
		 d->id, d->name, d->ram_bytes / MIB, d->vcpu_count, d->vcpus[0]->pcpu,
		 res.entry, d->ram.raw, d->control ? " role=control" : "");
	return 0;
}

static bool control_exists(void)
{
	for (unsigned int i = 0; i < count; i++)
		if (domains[i].control)
			return true;
	return false;
}

/*
 * "module N (name)", or "module N" without a name= that fits: its place on
 * the loader's list (a refused module never gets a domain id) and the name
 * its author gave it, even one Tally then refuses.
 */
static void module_label(const struct boot_module *m, unsigned int index, char *buf, size_t len)
{
	char name[DOMAIN_NAME_MAX];

	if (cmdline_find(m->cmdline, "name", name, sizeof(name)) == 1 && name[0])
		fmt_snprintf(buf, len, "module %u (%s)", index, name);
	else
		fmt_snprintf(buf, len, "module %u", index);
}

/* A domain from @m, called @label in errors: 0, or <0 after one line saying why not. */
static int create_from(const struct boot_module *m, const char *label)
{
	struct domain *d = &domains[count];
	struct domain_config cfg;
	char why[96];

	if (count == DOMAIN_MAX) {
		log_err("%s: Tally runs %u domains at most; not created", label, DOMAIN_MAX);
		return -ENOSPC;
	}
	if (domain_config_parse(m->cmdline, count + 1, &cfg, why, sizeof(why))) {
		log_err("%s: %s; not created", label, why);
		return -EINVAL;
	}
	if (cfg.control && control_exists()) {
		log_err("%s: role=control, but there is a control domain already; not created",
			label);
		return -EEXIST;
	}
	*d = (struct domain){ .id = count + 1, .state = DOMAIN_RUNNING, .control = cfg.control };
	str_copy(d->name, cfg.name, sizeof(d->name));
	if (create(d, m, &cfg, label) < 0)
		return -EINVAL;
	count++;
	alive++;
	sched_enqueue(d->vcpus[0]);
	return 0;
}

void domain_create_all(const struct boot_info *bi)
{
	for (unsigned int i = 0; i < bi->module_count; i++) {
		char label[MODULE_LABEL_MAX];

		module_label(&bi->modules[i], i, label, sizeof(label));
		if (create_from(&bi->modules[i], label) < 0)
			exit_status_add(EMU_EXIT_MODULE_REFUSED);
	}
}

/* One line of the domain's CPU use, summed over its vCPUs, when it ends. */
static void log_cpu_usage(const struct domain *d)
{
	struct sched_stats sum = { 0 };
	uint64_t exits = 0, khz = arch_tsc_khz();

	for (unsigned int i = 0; i < d->vcpu_count; i++) {
		const struct sched_stats *st = &d->vcpus[i]->se.stats;

		sum.run_cycles += st->run_cycles;
		sum.slices += st->slices;
		sum.preemptions += st->preemptions;
		sum.halts += st->halts;
		sum.wakeups += st->wakeups;
		sum.donated_cycles += st->donated_cycles;
		sum.received_cycles += st->received_cycles;
		exits += arch_vcpu_exit_count(d->vcpus[i]);
	}
	log_info("domain: d%u %s cpu_us=%lu cpu_cycles=%lu slices=%lu preemptions=%lu halts=%lu "
		 "wakeups=%lu exits=%lu donated_us=%lu received_us=%lu", d->id, d->name,
		 sum.run_cycles * 1000 / khz, sum.run_cycles, sum.slices, sum.preemptions,
		 sum.halts, sum.wakeups, exits, sum.donated_cycles * 1000 / khz,
		 sum.received_cycles * 1000 / khz);
}

/* The last vCPU is released: nothing can run on the EPT or RAM any more. */
static void free_domain(struct domain *d)
{
	unsigned long flags = spin_lock_irqsave(&domain_lock);

	/* Under the lock, so an audit never walks tables being freed. */
	arch_domain_destroy(d);
	free_ram(d);
	spin_unlock_irqrestore(&domain_lock, flags);
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
	log_cpu_usage(d);
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
			if (domains[i].paused)
				set_paused(&domains[i], d, false);
}

void domain_exit(struct domain *d, uint64_t value)
{
	vuart_flush(d);
	log_info("domain: d%u %s exited status=%lu value=%lu", d->id, d->name,
		 (value << 1) | 1, value);
	exit_status_add(exit_status_of_guest_exit(value));
	destroy(d);
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
