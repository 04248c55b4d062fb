/* SPDX-License-Identifier: MIT */
/* platform: the small PC around the CPU: CMOS clock, fw_cfg, TSC writes, machine-check and MISC_ENABLE MSRs. */
#include "guest.h"

const char guest_name[] = "platform";

#define RTC_INDEX		0x70
#define RTC_DATA		0x71
#define RTC_NMI_MASK		0x80
#define RTC_SECONDS		0x00
#define RTC_DAY			0x07
#define RTC_MONTH		0x08
#define RTC_YEAR		0x09
#define RTC_REG_B		0x0B
#define RTC_REG_D		0x0D
#define RTC_CENTURY		0x32
#define RTC_B_BINARY		0x04
#define RTC_B_24H		0x02
#define RTC_D_VRT		0x80
#define FWCFG_SELECTOR		0x510
#define FWCFG_DATA		0x511
#define FW_CFG_SIGNATURE	0x0000
#define FW_CFG_ID		0x0001
#define FW_CFG_NB_CPUS		0x0005
#define FW_CFG_FILE_DIR		0x0019
#define UNCLAIMED_PORT		0x514	/* fw_cfg's DMA address: no DMA here */
#define MSR_IA32_TSC_ADJUST	0x3B
#define MSR_IA32_MCG_CAP	0x179
#define MSR_IA32_MCG_STATUS	0x17A
#define MSR_IA32_MC0_STATUS	0x401
#define MSR_IA32_MISC_ENABLE	0x1A0
#define MISC_ENABLE_FAST_STRINGS 0x1ull
#define MISC_ENABLE_RESERVED_BIT1 0x2ull
#define CPUID_7_EBX_TSC_ADJUST	(1u << 1)
#define TSC_WRITTEN		0x100000000000ull	/* 2^44: far from the host's TSC */
#define TSC_SLACK		10000000ull	/* cycles: a few exits' worth under Bochs */

static uint8_t rtc(uint8_t reg)
{
	outb(RTC_INDEX, reg | RTC_NMI_MASK);	/* the NMI-mask bit must not change the register */
	return inb(RTC_DATA);
}

static unsigned int bcd(uint8_t b)
{
	return (b >> 4) * 10 + (b & 0xF);
}

static void check_rtc(uint32_t want_year)
{
	uint8_t b = rtc(RTC_REG_B), d = rtc(RTC_REG_D);
	unsigned int year = bcd(rtc(RTC_CENTURY)) * 100 + bcd(rtc(RTC_YEAR));
	unsigned int month = bcd(rtc(RTC_MONTH)), day = bcd(rtc(RTC_DAY));

	guest_check(!(b & RTC_B_BINARY) && (b & RTC_B_24H) && d == RTC_D_VRT,
		    "RTC register B 0x%02x (BCD, 24 h), D 0x%02x (valid time)", b, d);
	guest_check(year == want_year && month >= 1 && month <= 12 && day >= 1 && day <= 31,
		    "RTC date %04u-%02u-%02u (year expected %u)", year, month, day, want_year);
	/* Binary mode: the same seconds without BCD (read twice to stay within one second). */
	outb(RTC_INDEX, RTC_REG_B);
	outb(RTC_DATA, b | RTC_B_BINARY);
	uint8_t sec_bin = rtc(RTC_SECONDS);
	unsigned int year_bin = rtc(RTC_YEAR);
	outb(RTC_INDEX, RTC_REG_B);
	outb(RTC_DATA, b);
	guest_check(sec_bin < 60 && year_bin == want_year % 100,
		    "RTC binary mode: seconds %u, year %u", sec_bin, year_bin);
}

static uint8_t fwcfg_byte(void)
{
	return inb(FWCFG_DATA);
}

static void fwcfg_select(uint16_t key)
{
	asm volatile("outw %0, %1" : : "a"(key), "Nd"((uint16_t)FWCFG_SELECTOR));
}

static void check_fwcfg(uint32_t want_cpus)
{
	char sig[5] = { 0 };
	uint32_t id = 0, cpus, dir = 0;

	fwcfg_select(FW_CFG_SIGNATURE);
	for (int i = 0; i < 4; i++)
		sig[i] = (char)fwcfg_byte();
	fwcfg_select(FW_CFG_ID);
	for (int i = 0; i < 4; i++)
		id |= (uint32_t)fwcfg_byte() << (8 * i);
	fwcfg_select(FW_CFG_NB_CPUS);
	cpus = fwcfg_byte();
	cpus |= (uint32_t)fwcfg_byte() << 8;
	fwcfg_select(FW_CFG_FILE_DIR);
	for (int i = 0; i < 4; i++)
		dir = dir << 8 | fwcfg_byte();
	guest_check(!strcmp(sig, "QEMU") && id == 1 && cpus == want_cpus && dir == 0,
		    "fw_cfg signature '%s', ID %u, %u CPUs (expected %u), %u files", sig, id, cpus,
		    want_cpus, dir);
	guest_check(inb(UNCLAIMED_PORT) == 0xFF, "unclaimed port 0x%x reads 0xff", UNCLAIMED_PORT);
}

static void check_tsc(void)
{
	struct cpuid_regs r;
	uint64_t before, adjust = 0, after;
	int wr, ra, wa;

	cpuid(7, 0, &r);
	before = rdtsc();
	wr = wrmsr_safe(MSR_IA32_TSC, TSC_WRITTEN);
	after = rdtsc();
	ra = rdmsr_safe(MSR_IA32_TSC_ADJUST, &adjust);
	guest_check(wr == TRAP_NO_FAULT && ra == TRAP_NO_FAULT && (r.ebx & CPUID_7_EBX_TSC_ADJUST) &&
		    after >= TSC_WRITTEN && after - TSC_WRITTEN < TSC_SLACK,
		    "WRMSR IA32_TSC 0x%llx: RDTSC reads 0x%llx after (was 0x%llx); vectors %d, %d",
		    TSC_WRITTEN, after, before, wr, ra);
	/* SDM 17.17.3: the write added (new TSC - old TSC) to TSC_ADJUST. */
	guest_check(adjust - (TSC_WRITTEN - before) + TSC_SLACK < 2 * TSC_SLACK,
		    "IA32_TSC_ADJUST moved with the write: 0x%llx", adjust);
	before = rdtsc();
	wa = wrmsr_safe(MSR_IA32_TSC_ADJUST, adjust + TSC_WRITTEN);
	after = rdtsc();
	guest_check(wa == TRAP_NO_FAULT && after - before >= TSC_WRITTEN &&
		    after - before < TSC_WRITTEN + TSC_SLACK,
		    "WRMSR IA32_TSC_ADJUST += 0x%llx moves RDTSC by 0x%llx", TSC_WRITTEN,
		    after - before);
}

static void check_machine_check_and_misc(void)
{
	uint64_t cap = 1, status = 1, misc = 0, mc0 = 0, misc_after = 0;
	int vc = rdmsr_safe(MSR_IA32_MCG_CAP, &cap), vs = rdmsr_safe(MSR_IA32_MCG_STATUS, &status);
	int vb = rdmsr_safe(MSR_IA32_MC0_STATUS, &mc0), vw = wrmsr_safe(MSR_IA32_MCG_STATUS, 1);
	int vm = rdmsr_safe(MSR_IA32_MISC_ENABLE, &misc);
	int vr = wrmsr_safe(MSR_IA32_MISC_ENABLE, misc | MISC_ENABLE_RESERVED_BIT1);
	int vk = wrmsr_safe(MSR_IA32_MISC_ENABLE, misc & ~MISC_ENABLE_FAST_STRINGS);

	rdmsr_safe(MSR_IA32_MISC_ENABLE, &misc_after);
	guest_check(vc == TRAP_NO_FAULT && cap == 0 && vs == TRAP_NO_FAULT && status == 0 &&
		    vb == X86_EXC_GP && vw == X86_EXC_GP,
		    "MCG_CAP 0x%llx, MCG_STATUS 0x%llx, MC0_STATUS vector %d, MCG_STATUS=1 vector %d",
		    cap, status, vb, vw);
	guest_check(vm == TRAP_NO_FAULT && misc == 0x1801 && vr == X86_EXC_GP && vk == TRAP_NO_FAULT &&
		    misc_after == 0x1800,
		    "MISC_ENABLE 0x%llx, reserved bit 1 vector %d, fast strings off: 0x%llx", misc, vr,
		    misc_after);
}

void guest_main(const struct mb_info *mbi)
{
	check_rtc(cmdline_u32(mbi, "year", 2000));
	check_fwcfg(cmdline_u32(mbi, "cpus", 1));
	check_tsc();
	check_machine_check_and_misc();
}
