/* SPDX-License-Identifier: MIT */
/* Debug keys on the serial console: `h` lists them (see tally/debugkeys.h).
 *
 * Every key answers in every state Tally can be in: without VMX, with VMX
 * but no domain, while domains run and after they all ended.  A key with
 * nothing to show says why rather than reading what was never set up.
 * Console input focus: Ctrl-A three times sends what is typed to the next
 * domain's UART instead (tally/console_focus.h); a domain that ends loses
 * the focus back to the keys. */
#include <tally/audit.h>
#include <tally/console.h>
#include <tally/console_cmd.h>
#include <tally/console_cmds.h>
#include <tally/console_focus.h>
#include <tally/debugkeys.h>
#include <tally/domain.h>
#include <tally/exit_status.h>
#include <tally/fmt.h>
#include <tally/log.h>
#include <tally/mem.h>
#include <tally/percpu.h>
#include <tally/arch.h>
#include <tally/sched.h>
#include <tally/top.h>
#include <tally/vnet.h>

/* Keys handled per poll: a paste cannot keep the CPU in here for long. */
#define KEYS_PER_POLL	4

struct debugkey {
	char key;
	const char *help;
	void (*fn)(void);
};

static void key_help(void);

/*
 * Why there is no domain to show, or NULL if there is one.  Domains exist
 * only after sched_init(), so a key that has one may read the scheduler.
 */
static const char *why_no_domains(void)
{
	if (domain_count())
		return NULL;
	if (exit_status() & EMU_EXIT_NO_GUESTS)
		return "guests cannot run on this CPU; see the vmx: line at boot";
	return "no module became a domain";
}

static void key_audit(void)
{
	audit_run();
}

static void key_domains(void)
{
	const char *why = why_no_domains();

	if (why) {
		log_info("domains: none (%s)", why);
		return;
	}
	log_info("domains: %u created, %u alive", domain_count(), domain_alive_count());
	for (unsigned int i = 0; i < domain_count(); i++) {
		const struct domain *d = domain_at(i);

		if (!d)		/* a run-time domain ended: its entry is empty */
			continue;
		log_info("  d%u %-16s %-7s mem_mib=%lu vcpus=%u ram=%#lx unclaimed_io=%lu",
			 d->id, d->name, domain_state_name(d), d->ram_bytes / MIB, d->vcpu_count,
			 d->ram.raw, d->io_unhandled);
	}
}

/* Who ran on whose given-up slices: every non-zero ledger entry. */
static void key_ledger(void)
{
	uint64_t khz = arch_tsc_khz(), c;
	unsigned int from, to;

	for (unsigned int i = 0; i < SCHED_LEDGER_SLOTS; i++)
		if (sched_ledger_pair(i, &from, &to, &c) && c)
			log_info("  ledger: d%u.%u gave d%u.%u %lu us", from / DOMAIN_MAX_VCPUS + 1,
				 from % DOMAIN_MAX_VCPUS, to / DOMAIN_MAX_VCPUS + 1,
				 to % DOMAIN_MAX_VCPUS, c * 1000 / khz);
	if ((c = sched_ledger_dropped()))
		log_info("  ledger: %lu us given to pairs beyond its %u slots", c * 1000 / khz,
			 SCHED_LEDGER_SLOTS);
}

/* Exact CPU use: per CPU, then per vCPU with its donation ledger entries. */
static void key_cpu(void)
{
	uint64_t khz = arch_tsc_khz();
	const char *why = why_no_domains();

	if (why) {
		log_info("cpu: nothing to account (%s)", why);
		return;
	}
	sched_log_cpu_accounting("cpu");	/* "sched:" is the final line's */
	for (unsigned int i = 0; i < domain_count(); i++) {
		const struct domain *d = domain_at(i);

		for (unsigned int n = 0; d && n < d->vcpu_count; n++) {
			const struct sched_stats *st = &d->vcpus[n]->se.stats;

			log_info("  d%u.%u %-12s cpu_us=%lu slices=%lu preemptions=%lu halts=%lu "
				 "cut_by_halt=%lu wakeups=%lu donated_us=%lu received_us=%lu",
				 d->id, n, d->name, st->run_cycles * 1000 / khz, st->slices,
				 st->preemptions, st->halts, st->slices_cut_by_halt, st->wakeups,
				 st->donated_cycles * 1000 / khz, st->received_cycles * 1000 / khz);
			arch_vcpu_log_exits(d->vcpus[n]);
		}
	}
	key_ledger();
}

/* Each CPU's run queue: the vCPU running and the ones waiting, in order. */
static void key_runqueues(void)
{
	const char *why = why_no_domains();

	if (why) {
		log_info("runq: nothing scheduled (%s)", why);
		return;
	}
	for (unsigned int c = 0; c < percpu_count; c++) {
		const struct sched_percpu *s = &percpu_area[c].sched;

		log_info("runq cpu%u: current %s", c, s->current ? s->current->domain->name : "(idle)");
		for (const struct sched_entity *se = s->rq.head; se; se = se->next)
			log_info("runq cpu%u:   waiting d%u.%u", c, se->id / DOMAIN_MAX_VCPUS + 1,
				 se->id % DOMAIN_MAX_VCPUS);
	}
}

/* Whether VMX is on here, and which VMCS is current, only the arch hook knows. */
static void key_vmcs(void)
{
	struct vcpu *v = this_cpu()->sched.current;

	if (v)
		log_info("vmcs: d%u %s vCPU %u (current on cpu%u):", v->domain->id, v->domain->name,
			 v->id, this_cpu()->id);
	arch_log_current_vmcs();
}

/* The first key lists the others: the console's hint and the unknown-key answer name it. */
static const struct debugkey keys[] = {
	{ 'h', "list the debug keys", key_help },
	{ 'a', "audit memory ownership (no page in two domains or in a domain and Tally)", key_audit },
	{ 'd', "list the domains", key_domains },
	{ 'c', "CPU accounting: per CPU and per vCPU, exact", key_cpu },
	{ 't', "table of domains, like xentop (CPU share since the last table)", top_print },
	{ 'r', "run queues of every CPU", key_runqueues },
	{ 'v', "VMCS of the vCPU current on the boot CPU, field by field", key_vmcs },
	{ 'm', "memory map and free memory", mem_log_map },
	{ 'n', "the NIC switch: ports, MACs, groups, learned table, counters", vnet_print_switch },
};

static void key_help(void)
{
	log_info("debug keys:");
	for (unsigned int i = 0; i < ARRAY_SIZE(keys); i++)
		log_info("  %c  %s", keys[i].key, keys[i].help);
	log_info("  Ctrl-A x%u  console input to the next domain's UART, after the last back here",
		 CONSOLE_FOCUS_SWITCH_COUNT);
	log_info("  %c  command line: `tally> ` prompt, Enter runs (`help` lists the commands)",
		 CONSOLE_CMD_OPEN_KEY);
}

void debugkeys_announce(void)
{
	static bool announced;

	if (!announced)
		log_info("console: type %c for the debug keys", keys[0].key);
	announced = true;
}

static void debugkey(int c)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(keys) && keys[i].key != c; i++)
		;
	if (i < ARRAY_SIZE(keys)) {
		/* As Xen does: in a paste of keys, each answer starts with its key. */
		log_info("key '%c': %s", keys[i].key, keys[i].help);
		keys[i].fn();
	} else if (c > ' ' && c < 0x7F)
		log_info("debug key '%c' unknown; '%c' lists them", c, keys[0].key);
}

/* Where typed bytes go; the boot CPU's alone (debugkeys_poll). */
static struct console_focus focus;

/*
 * The domain with id @id, dead or alive, or NULL: the table's entry id - 1
 * (ids are given 1, 2, ... as entries are added), no walk, for the focus
 * is checked at every tick.
 */
static struct domain *domain_of_id(unsigned int id)
{
	struct domain *d;

	if (!id || id > domain_count())
		return NULL;
	d = domain_at(id - 1);	/* NULL: a run-time domain ended */
	return d && d->id == id ? d : NULL;
}

/* The live domain with id @id, or NULL. */
static struct domain *live_domain(unsigned int id)
{
	struct domain *d = domain_of_id(id);

	return d && d->state != DOMAIN_DEAD ? d : NULL;
}

static void say_focus(const char *why)
{
	struct domain *d = live_domain(focus.target);

	if (d)
		log_info("console: input to d%u %s (Ctrl-A x%u to switch)", d->id, d->name,
			 CONSOLE_FOCUS_SWITCH_COUNT);
	else
		log_info("console: %sinput to tally debug keys (Ctrl-A x%u to switch)", why,
			 CONSOLE_FOCUS_SWITCH_COUNT);
}

/*
 * Three Ctrl-As: the next live domain by id, or Tally after the last.  Ids
 * ascend with the table, so the first live one past the focus is the next:
 * no list of every domain.
 */
static void switch_focus(void)
{
	unsigned int live = 0, n = 0;

	for (unsigned int i = 0; i < domain_count() && !n; i++) {
		const struct domain *d = domain_at(i);

		if (d && d->state != DOMAIN_DEAD &&
		    console_focus_next(focus.target, &d->id, 1) == d->id) {
			live = d->id;
			n = 1;
		}
	}
	focus.target = console_focus_next(focus.target, &live, n);
	say_focus("");
}

/* A typed byte for the focus: a debug key, or into the domain's receive FIFO. */
static void deliver(uint8_t c)
{
	struct domain *d;

	if (focus.target == CONSOLE_FOCUS_TALLY) {
		if (console_cmds_active())
			console_cmds_key(c);
		else if (c == CONSOLE_CMD_OPEN_KEY)
			console_cmds_open();
		else
			debugkey(c);
		return;
	}
	d = live_domain(focus.target);
	if (d)
		vuart_receive(d, c);	/* a full FIFO loses it and counts it, as the part would */
}

void debugkeys_focus(unsigned int id)
{
	focus.target = live_domain(id) ? id : CONSOLE_FOCUS_TALLY;
	focus.held = 0;
	say_focus("");
}

/* The focused domain ended: the keys get the console back, said once. */
static void check_focus_alive(void)
{
	char why[DOMAIN_NAME_MAX + 24];
	const struct domain *d;

	/* At every tick: the common case (the focus on Tally) looks at no domain. */
	if (focus.target == CONSOLE_FOCUS_TALLY || live_domain(focus.target))
		return;
	d = domain_of_id(focus.target);
	fmt_snprintf(why, sizeof(why), "d%u %s ended; ", focus.target, d ? d->name : "?");
	focus.target = CONSOLE_FOCUS_TALLY;
	say_focus(why);
}

/* TSC of the next look for quiet lines; the boot CPU's alone. */
static uint64_t quiet_next;

/*
 * Print the partial lines (a shell prompt) of guests that stopped writing.
 * A look every half quiet time, not at every tick: a prompt shows at most
 * 1.5 quiet times after its last byte.  The look costs the domains with a
 * partial line, whatever the number of domains.
 */
static void flush_quiet_lines(void)
{
	uint64_t now = arch_read_tsc();

	if (now < quiet_next)
		return;
	quiet_next = now + arch_tsc_khz() * VUART_QUIET_MS / 2;
	vuart_flush_quiet_all(now);
}

void debugkeys_poll(void)
{
	check_focus_alive();
	for (int n = 0; n < KEYS_PER_POLL; n++) {
		uint8_t out[CONSOLE_FOCUS_OUT_MAX];
		int c = console_getc();
		bool switch_now;
		unsigned int k;

		if (c < 0)
			break;
		k = console_focus_feed(&focus, (uint8_t)c, out, &switch_now);
		for (unsigned int i = 0; i < k; i++)
			deliver(out[i]);
		if (switch_now)
			switch_focus();
	}
	flush_quiet_lines();
}
