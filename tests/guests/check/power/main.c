/* SPDX-License-Identifier: MIT */
/*
 * power: reads its ACPI tables as an OS does (RSDP in the BIOS area, XSDT,
 * FADT, MADT, DSDT), then ends its domain through what they name, chosen
 * by `how=`:
 *   s5   S5 through the FADT's sleep control register, with the DSDT's \_S5
 *        type (after an S3 request, which Tally ignores, and WAK_STS),
 *   cf9  the FADT's reset register and value (after SYS_RST alone, no reset),
 *   kbc  the keyboard controller's pulse-reset command 0xFE.
 * `cpus=N`: the local APICs the MADT must list (default 1).  Tally ends
 * the domain as powered off or rebooted, so a correct run prints no
 * verdict; still running after the request is a FAIL.
 */
#include "guest.h"
#include "acpi.h"

const char guest_name[] = "power";

#define SLP_TYP_S3		3	/* not offered: ignored */
#define SLP_TYP_SHIFT		2	/* ACPI 6.5, 4.8.3.7 */
#define SLP_EN			0x20
#define WAK_STS			0x80	/* ACPI 6.5, 4.8.3.8 */
#define RST_CNT_SYS_RST		0x02	/* the reset control register's hard-reset select */
#define KBC_STATUS		0x64
#define KBC_STATUS_IBF		0x02
#define KBC_CMD_RESET		0xFE

static void power_off(const struct acpi_found *a)
{
	guest_check(!(inb(a->sleep_status) & WAK_STS), "sleep status reads WAK_STS clear");
	outb(a->sleep_status, WAK_STS);	/* write-1-to-clear, as Linux does first */
	outb(a->sleep_control, SLP_TYP_S3 << SLP_TYP_SHIFT | SLP_EN);
	printk("power: ok: still running after an S3 request\n");
	outb(a->sleep_control, (uint8_t)(a->slp_typ_s5 << SLP_TYP_SHIFT | SLP_EN));
}

static void reset_register(const struct acpi_found *a)
{
	outb(a->reset_port, RST_CNT_SYS_RST);
	printk("power: ok: still running after SYS_RST alone\n");
	outb(a->reset_port, a->reset_value);
}

static void reset_kbc(void)
{
	guest_check(!(inb(KBC_STATUS) & KBC_STATUS_IBF), "keyboard controller input buffer empty");
	outb(KBC_STATUS, KBC_CMD_RESET);
}

void guest_main(const struct mb_info *mbi)
{
	uint32_t cpus = cmdline_u32(mbi, "cpus", 1);
	struct acpi_found a;
	char how[8] = "";

	cmdline_str(mbi, "how", how, sizeof(how));
	if (!acpi_read(&a))
		guest_exit();
	guest_check(a.lapics == cpus, "MADT lists %u enabled local APICs (expected %u)",
		    a.lapics, cpus);
	printk("power: sleep control 0x%x status 0x%x, \\_S5 type %u, reset 0x%x value 0x%x\n",
	       a.sleep_control, a.sleep_status, a.slp_typ_s5, a.reset_port, a.reset_value);
	if (!strcmp(how, "s5"))
		power_off(&a);
	else if (!strcmp(how, "cf9"))
		reset_register(&a);
	else if (!strcmp(how, "kbc"))
		reset_kbc();
	else
		guest_error("how= must be s5, cf9 or kbc");
	guest_fail("still running after the request (how=%s)", how);
}
