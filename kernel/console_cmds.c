/* SPDX-License-Identifier: MIT */
/*
 * The console's line mode: the prompt's echo and the commands' actions
 * (tally/console_cmds.h); the parser decides (kernel/console_cmd.c).
 * Boot CPU only, from the debug keys' poll: no lock of its own.  Every
 * answer is whole lines of Tally's; a refused line changes nothing.
 */
#include <tally/console.h>
#include <tally/console_cmd.h>
#include <tally/console_cmds.h>
#include <tally/console_seq.h>
#include <tally/debugkeys.h>
#include <tally/domain.h>
#include <tally/domain_counters.h>
#include <tally/domain_runtime.h>
#include <tally/errno.h>
#include <tally/fmt.h>
#include <tally/log.h>
#include <tally/mem.h>
#include <tally/percpu.h>
#include <tally/string.h>
#include <tally/top.h>

static struct console_cmd_line line;

/* The echo is a line left open, as a guest's prompt is: other lines end it, it goes on tagged "+". */
static bool echo_may_start(void *ctx __unused)
{
	return true;
}

static void echo(const char *text, size_t len, bool cont, bool end)
{
	char tag[16];
	const struct console_piece p = { .owner = (uintptr_t)&line, .tag = tag, .text = text,
					 .len = len, .cont = cont, .end = end };

	fmt_snprintf(tag, sizeof(tag), "[c%u] tally>", this_cpu()->id);
	console_write_guest(&p, echo_may_start, NULL);
}

/* The live domain @cmd names (by id or name), else NULL after one line saying why. */
static struct domain *find(const struct console_cmd *cmd)
{
	const char *cmd_name = console_cmd_table[cmd->op].name;
	struct domain *dead = NULL;

	for (unsigned int i = 0; i < domain_count(); i++) {
		struct domain *d = domain_at(i);

		if (!d || (cmd->target_id ? d->id != cmd->target_id : strcmp(d->name, cmd->target)))
			continue;
		if (d->state != DOMAIN_DEAD)
			return d;
		dead = d;
	}
	if (dead)
		log_info("cmd: %s: d%u %s has ended", cmd_name, dead->id, dead->name);
	else
		log_info("cmd: %s: no domain %s", cmd_name, cmd->target);
	return NULL;
}

static void cmd_help(void)
{
	for (unsigned int i = 0; i < CONSOLE_CMD_COUNT; i++) {
		const struct console_cmd_spec *s = &console_cmd_table[i];
		char use[48];

		fmt_snprintf(use, sizeof(use), "%s %s", s->name, s->usage);
		log_info("help: %-36s %s", use, s->help);
	}
	log_info("help: Enter runs the line, Backspace edits, Ctrl-C or Esc abandons");
}

static void cmd_list(void)
{
	unsigned int ended = 0, live = 0;

	log_info("list: %-16s %5s %6s %5s %-8s %9s", "Name", "ID", "Mem", "VCPUs", "State",
		 "Time(s)");
	for (unsigned int i = 0; i < domain_count(); i++) {
		const struct domain *d = domain_at(i);
		struct tally_counters c = { 0 };

		if (!d || d->state == DOMAIN_DEAD) {
			ended += d != NULL;
			continue;
		}
		live++;
		domain_counters(d, &c);
		log_info("list: %-16s %5u %6lu %5u %-8s %5lu.%03lu", d->name, d->id,
			 d->ram_bytes / MIB, d->vcpu_count, domain_state_name(d),
			 c.cpu_ns / 1000000000, c.cpu_ns / 1000000 % 1000);
	}
	log_info("list: %u live, %u ended", live, ended);
}

/* Its guest-reported metrics, each with Tally's verdict, as its end will list them. */
static void info_metrics(const struct domain *d)
{
	for (unsigned int i = 0; i < DOMAIN_MAX_METRICS; i++)
		if (d->metrics[i].used) {
			domain_log_metrics(d, "info:");
			return;
		}
	log_info("info: metrics none reported");
}

static void cmd_info(const struct domain *d)
{
	struct tally_counters c = { 0 };

	domain_counters(d, &c);
	log_info("info: d%u %s state=%s control=%s vcpus=%u mem_mib=%lu restarts=%u",
		 d->id, d->name, domain_state_name(d), d->control ? "yes" : "no", d->vcpu_count,
		 d->ram_bytes / MIB, d->restarts);
	log_info("info: counters cpu_ns=%lu slices=%lu halts=%lu wakeups=%lu exits=%lu "
		 "io_port_accesses=%lu unclaimed_io=%lu", c.cpu_ns, c.slices, c.halts, c.wakeups,
		 c.exits_total, c.io_port_accesses, d->io_unhandled);
	log_info("info: devices uart console_dropped=%lu nic=%s disk=%s net_rx_bytes=%lu "
		 "net_tx_bytes=%lu disk_read_bytes=%lu disk_write_bytes=%lu", d->console_dropped,
		 d->net ? "yes" : "no", d->blk ? "yes" : "no", c.net_rx_bytes, c.net_tx_bytes,
		 c.disk_read_bytes, c.disk_write_bytes);
	info_metrics(d);
}

/* The copy's `domain: dN NAME created` line, or the line saying why not, is the answer. */
static void cmd_create(const struct console_cmd *cmd)
{
	unsigned int id;

	domain_create_from_template(cmd->target, cmd->name, cmd->opts, NULL, &id);
}

/* A command that acts on one live domain. */
static void on_domain(const struct console_cmd *cmd)
{
	struct domain *d = find(cmd);

	if (!d)
		return;
	switch (cmd->op) {
	case CONSOLE_CMD_INFO:
		cmd_info(d);
		break;
	case CONSOLE_CMD_PAUSE:
		if (d->paused)
			log_info("cmd: pause: d%u %s is paused already", d->id, d->name);
		else
			domain_pause(d, NULL);
		break;
	case CONSOLE_CMD_UNPAUSE:
		if (!d->paused)
			log_info("cmd: unpause: d%u %s is not paused", d->id, d->name);
		else
			domain_unpause(d, NULL);
		break;
	case CONSOLE_CMD_CONSOLE:
		debugkeys_focus(d->id);
		break;
	case CONSOLE_CMD_DESTROY:
		domain_destroy_named(d->name, NULL);	/* its line says what became of it */
		break;
	default:
		break;
	}
}

static void run(const struct console_cmd *cmd)
{
	switch (cmd->op) {
	case CONSOLE_CMD_HELP:
		cmd_help();
		break;
	case CONSOLE_CMD_LIST:
		cmd_list();
		break;
	case CONSOLE_CMD_TOP:
		top_print();
		break;
	case CONSOLE_CMD_CREATE:
		cmd_create(cmd);
		break;
	default:
		on_domain(cmd);
		break;
	}
}

void console_cmds_open(void)
{
	console_cmd_line_open(&line);
	echo("", 0, false, false);
}

bool console_cmds_active(void)
{
	return line.open;
}

void console_cmds_key(uint8_t c)
{
	static struct console_cmd cmd;	/* the boot CPU's alone: off its small stack */
	char err[CONSOLE_CMD_ERR_MAX];
	int parsed;

	switch (console_cmd_line_feed(&line, c)) {
	case CONSOLE_CMD_KEY_ECHO:
		echo((const char *)&c, 1, true, false);
		break;
	case CONSOLE_CMD_KEY_ERASE:
		echo("\b \b", 3, true, false);
		break;
	case CONSOLE_CMD_KEY_ABANDON:
		echo("", 0, true, true);
		log_info("cmd: line abandoned");
		break;
	case CONSOLE_CMD_KEY_RUN:
		echo("", 0, true, true);
		parsed = console_cmd_parse_line(&line, &cmd, err, sizeof(err));
		if (parsed < 0)
			log_info("cmd: %s", err);
		else if (!parsed)
			run(&cmd);
		break;
	default:
		break;
	}
}
