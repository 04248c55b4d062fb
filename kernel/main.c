/* SPDX-License-Identifier: MIT */
/* Boot CPU's path from the multiboot entry to a running hypervisor. */
#include <tally/acpi.h>
#include <tally/arch.h>
#include <tally/console.h>
#include <tally/debugkeys.h>
#include <tally/exit_status.h>
#include <tally/log.h>
#include <tally/mem.h>
#include <tally/metrics_stream.h>
#include <tally/multiboot.h>
#include <tally/options.h>
#include <tally/panic.h>
#include <tally/percpu.h>
#include <tally/platform.h>
#include <tally/uart.h>
#include <tally/audit.h>
#include <tally/boot.h>
#include <tally/domain.h>
#include <tally/sched.h>
#include <tally/rtc.h>
#include <tally/vdebug_exit.h>
#include <tally/vfwcfg.h>
#include <tally/vpci.h>
#include <tally/virq.h>
#include <tally/virtio_mmio.h>
#include <tally/vpm.h>
#include <tally/vrtc.h>
#include <tally/vmmio.h>
#include <tally/vuart.h>

#define TALLY_VERSION	"0.1.0"

extern const char boot_stack_top[];

/* A self-contained copy of the boot information (see tally/boot_info.h). */
static struct boot_info boot_info;
static struct acpi_info acpi_info;

static void parse_boot_info(uint32_t magic, uint64_t info_pa)
{
	int err;

	if (magic == MB2_BOOTLOADER_MAGIC) {
		const struct mb2_info_header *h = arch_phys_to_virt(info_pa, sizeof(*h));

		if (!h)
			panic("boot: multiboot2 information at %#lx is not mapped", info_pa);
		err = mb2_parse(h, MIN(h->total_size, MB2_INFO_MAX_SIZE), &boot_info);
		boot_info.info_start = hpa(info_pa);
	} else if (magic == MB1_BOOTLOADER_MAGIC) {
		err = mb1_parse(info_pa, mem_phys_read, NULL, &boot_info);
	} else {
		panic("boot: unknown boot loader magic %#x (not multiboot v1 or v2)", magic);
	}
	if (err < 0)
		log_warn("boot: malformed boot information; %u item(s) skipped",
			 boot_info.errors);
}

static void print_boot_info(void)
{
	log_info("boot: protocol=multiboot%u loader=\"%s\" cmdline=\"%s\"",
		 boot_info.protocol == BOOT_MULTIBOOT2 ? 2 : 1,
		 boot_info.loader[0] ? boot_info.loader : "unknown", boot_info.cmdline);
	for (unsigned int i = 0; i < boot_info.module_count; i++)
		log_info("boot: module %u at %#lx size=%lu cmdline=\"%s\"", i,
			 boot_info.modules[i].start.raw, boot_info.modules[i].size,
			 boot_info.modules[i].cmdline);
}

static void bsp_init(void)
{
	struct percpu *bsp = &percpu_area[0];

	bsp->id = 0;
	bsp->stack_top = (uint64_t)(uintptr_t)boot_stack_top;
	bsp->stack_base = bsp->stack_top - CPU_STACK_SIZE;
	bsp->online = true;
	arch_cpu_init(bsp);
}

static void start_cpus(bool have_acpi)
{
	unsigned int online = 1, expected = 1;

	if (have_acpi) {
		expected = acpi_info.cpu_count;
		online = arch_smp_boot(&acpi_info);
	}
	log_info("smp: online=%u expected=%u", online, expected);
}

/* Volatile, so the compiler cannot turn the NULL read into a trap of its own. */
static volatile uintptr_t crash_null_address;

/* `crash_test=`: fail on purpose, so tests see the fatal report work. */
static void run_crash_test(void)
{
	switch (options.crash_test) {
	case CRASH_NULL:
		log_info("tally: crash test: reading through a NULL pointer");
		(void)*(volatile const uint64_t *)crash_null_address;
		break;
	case CRASH_UD:
		log_info("tally: crash test: undefined instruction");
		__builtin_trap();
	case CRASH_PANIC:
		panic("crash test requested on the command line");
	case CRASH_NONE:
	case CRASH_GUEST_STATE:		/* these happen at domain d1's first entry */
	case CRASH_VM_CONTROL:
		break;
	}
}

/* Set by the boot CPU once domains exist: the others may start scheduling. */
static volatile bool cpus_released;

/*
 * Start the virtual machines: VMX on this CPU, a domain per module, then
 * scheduling on every CPU.  Returns only when guests cannot run here.
 */
static void start_domains(void)
{
	if (arch_virt_init() < 0) {	/* it said why */
		exit_status_add(EMU_EXIT_NO_GUESTS);
		return;
	}
	rtc_host_init();	/* the guests' clocks start from it */
	if (vuart_register() < 0 || vdebug_exit_register() < 0 || vrtc_register() < 0 ||
	    vfwcfg_register() < 0 || virq_register() < 0 || vpm_register() < 0 ||
	    vpci_register() < 0 || virtio_mmio_register() < 0)
		panic("vio: cannot register the guest devices");
	if (options.mmio_test && vmmio_test_register() < 0)
		panic("vmmio: cannot register the MMIO test device");
	log_info("mem: free_kib=%lu before domains", mem_free_bytes() / KIB);
	sched_init();
	domain_create_all(&boot_info);
	if (options.audit)
		audit_run();
	metrics_stream_init();
	if (!domain_count()) {
		log_info("tally: no domains to run");
		return;
	}
	__atomic_store_n(&cpus_released, true, __ATOMIC_RELEASE);
	debugkeys_announce();
	sched_run();
}

void secondary_main(void)
{
	while (!__atomic_load_n(&cpus_released, __ATOMIC_ACQUIRE))
		arch_cpu_relax();
	if (arch_virt_cpu_init() < 0) {
		log_err("vmx: this CPU cannot run guests; it stays idle");
		arch_halt_forever();
	}
	sched_run();
}

/* C entry on the boot CPU, from boot/entry.asm, with the loader's EAX and EBX. */
__noreturn void boot_main(uint32_t magic, uint32_t info);

__noreturn void boot_main(uint32_t magic, uint32_t info)
{
	bool have_acpi;

	arch_init();
	bsp_init();
	console_init_early();
	log_info("Tally " TALLY_VERSION " x86-64 microhypervisor");

	parse_boot_info(magic, info);
	options_parse(boot_info.cmdline);
	if (options.console_port != UART_COM1)
		console_set_port(options.console_port);
	log_set_level(options.loglevel);
	print_boot_info();

	mem_init(&boot_info);
	have_acpi = platform_discover(&boot_info, &acpi_info);
	mem_map_all();
	arch_platform_init(have_acpi ? &acpi_info : NULL);
	console_start_irq();	/* from here on no CPU waits for the console's UART */
	if (arch_timer_init() < 0)
		panic("timer: calibration failed; Tally cannot keep time");
	start_cpus(have_acpi);
	log_info("tally: boot complete");
	run_crash_test();
	start_domains();

	if (options.exit_when_done)
		exit_status_leave();
	/* Nothing to run; the tick still serves the debug keys. */
	debugkeys_announce();
	arch_timer_set_periodic(options.sched_slice_ms);
	for (;;)
		arch_wait_for_interrupt();
}
