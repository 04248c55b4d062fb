/* SPDX-License-Identifier: MIT */
/* Running the memory-ownership audit over every live domain and Tally itself. */
#include <tally/arch.h>
#include <tally/audit.h>
#include <tally/domain.h>
#include <tally/log.h>
#include <tally/percpu.h>
#include <tally/spinlock.h>
#include <tally/vblk.h>

extern const char _image_start[], _image_end[];

/* Big, and used by one audit at a time. */
static struct audit the_audit;
static struct spinlock audit_lock = SPINLOCK_INIT;

static void collect_tally(struct audit *a)
{
	audit_add(a, (uint64_t)(uintptr_t)_image_start,
		  (uint64_t)(_image_end - _image_start), AUDIT_OWNER_TALLY);
	for (unsigned int i = 0; i < percpu_count; i++)
		audit_add(a, percpu_area[i].stack_base,
			  percpu_area[i].stack_top - percpu_area[i].stack_base, AUDIT_OWNER_TALLY);
}

/* Disk space is no EPT's: each live domain's disk is its own (drivers/vdev/vblk.c). */
static void collect_disks(struct audit *a)
{
	for (unsigned int i = 0; i < domain_count(); i++) {
		struct domain *d = domain_at(i);	/* NULL: a run-time domain's, ended */

		if (d && d->state != DOMAIN_DEAD)
			vblk_audit(d, a);
	}
}

static unsigned int live_domains(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < domain_count(); i++)
		n += domain_at(i) && domain_at(i)->state != DOMAIN_DEAD;
	return n;
}

static const char *owner_name(unsigned int owner)
{
	const struct domain *d = owner == AUDIT_OWNER_TALLY ? NULL : domain_at(owner - 1);

	return owner == AUDIT_OWNER_TALLY ? "Tally" : d ? d->name : "(ended)";
}

bool audit_run(void)
{
	unsigned long flags = spin_lock_irqsave(&audit_lock);
	unsigned long table = domain_table_lock();
	struct audit *a = &the_audit;
	unsigned int x, y;
	bool ok = false;

	a->count = 0;
	a->overflow = false;
	a->foreign = 0;
	collect_tally(a);
	arch_audit_collect(a);
	collect_disks(a);
	if (a->overflow) {
		log_err("audit: more than %u ranges; cannot conclude", AUDIT_MAX_RANGES);
	} else if (audit_find_conflict(a, &x, &y)) {
		log_err("audit: FAILED: host %#lx-%#lx of %s overlaps %#lx-%#lx of %s",
			a->ranges[x].start, a->ranges[x].end - 1, owner_name(a->ranges[x].owner),
			a->ranges[y].start, a->ranges[y].end - 1, owner_name(a->ranges[y].owner));
	} else if (a->foreign) {
		log_err("audit: FAILED: %u mapping(s) outside their domain's own block", a->foreign);
	} else {
		ok = true;
	}
	log_info("audit: domains=%u ranges=%u result=%s", live_domains(), a->count,
		 ok ? "ok" : "FAILED");
	domain_table_unlock(table);
	spin_unlock_irqrestore(&audit_lock, flags);
	return ok;
}
