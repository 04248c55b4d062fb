/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the per-domain ACPI tables (drivers/vdev/vacpi.c, aml.c) from any configuration.
 *
 * Input: the vCPU count (2 bytes), the device count (1 byte), then per
 * device: its name and _HID (a length byte and up to 9 bytes each), _UID,
 * the number of MMIO ranges and each one's base and size, an interrupt
 * flag, pin and trigger.  A model of the rules in tally/vacpi.h says
 * whether the configuration is valid: vacpi_build() must agree (0 or
 * -EINVAL, never -ENOSPC: the limits keep the tables inside the window);
 * it never writes outside the window (the RAM ends with it, under ASan,
 * and the bytes below it are checked), a refused configuration writes
 * nothing at all, and an accepted one has every checksum right and is read
 * back by Tally's own parser with every vCPU and the I/O APIC.
 */
#include <stdlib.h>
#include <string.h>

#include <tally/acpi.h>
#include <tally/errno.h>
#include <tally/vacpi.h>
#include <tally/vplatform.h>

#include "harness.h"
#include "shim.h"

#define RAM_BYTES	(VPLATFORM_ACPI_BASE + VPLATFORM_ACPI_SIZE)
#define CANARY		0x5A
#define STR_MAX		9	/* one past the longest valid name or _HID */
#define MAX_DEVICES	(VACPI_MAX_DEVICES + 2)
#define MAX_MMIO	(VACPI_DEVICE_MAX_MMIO + 2)
#define MAX_VCPUS_TRIED	300

static char strings[MAX_DEVICES][2][STR_MAX + 1];
static struct vacpi_device devs[MAX_DEVICES];

/* A string from the input, or NULL when its length byte says so (0xFF). */
static const char *take_string(struct fuzz_input *in, char *buf)
{
	size_t want = (size_t)fuzz_take(in, 1), len;
	const uint8_t *p;

	if (want == 0xFF)
		return NULL;
	p = fuzz_bytes(in, want % (STR_MAX + 1), &len);
	memcpy(buf, p, len);
	buf[len] = '\0';
	return buf;
}

static void take_device(struct fuzz_input *in, unsigned int i)
{
	struct vacpi_device *d = &devs[i];

	d->name = take_string(in, strings[i][0]);
	d->hid = take_string(in, strings[i][1]);
	d->uid = (uint32_t)fuzz_take(in, 4);
	d->mmio_count = (unsigned int)fuzz_take(in, 1) % (MAX_MMIO + 1);
	for (unsigned int m = 0; m < VACPI_DEVICE_MAX_MMIO; m++) {
		d->mmio[m].base = m < d->mmio_count ? fuzz_take(in, 5) : 0;	/* 40 bits: around 4 GiB */
		d->mmio[m].size = m < d->mmio_count ? fuzz_take(in, 5) : 0;
	}
	d->has_irq = fuzz_take(in, 1) & 1;
	d->gsi = (unsigned int)fuzz_take(in, 1);
	d->level = fuzz_take(in, 1) & 1;
}

static bool in_set(char c, bool lead)
{
	return (c >= 'A' && c <= 'Z') || c == '_' || (!lead && c >= '0' && c <= '9');
}

static bool model_name_ok(const char *n)
{
	size_t len = n ? strlen(n) : 0;

	if (!len || len > 4 || !strcmp(n, "COM1"))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!in_set(n[i], i == 0))
			return false;
	return true;
}

static bool model_hid_ok(const char *h)
{
	size_t len = h ? strlen(h) : 0;

	if (!len || len > VACPI_HID_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((h[i] >= 'A' && h[i] <= 'Z') || (h[i] >= '0' && h[i] <= '9')))
			return false;
	return true;
}

static bool model_device_ok(const struct vacpi_device *d)
{
	if (!model_name_ok(d->name) || !model_hid_ok(d->hid) ||
	    d->mmio_count > VACPI_DEVICE_MAX_MMIO || (d->has_irq && d->gsi >= VPLATFORM_IOAPIC_PINS))
		return false;
	for (unsigned int m = 0; m < d->mmio_count; m++)
		if (!d->mmio[m].size || d->mmio[m].base + d->mmio[m].size > 0x100000000ull)
			return false;
	return true;
}

static bool model_valid(const struct vacpi_config *cfg)
{
	if (!cfg->vcpu_count || cfg->vcpu_count > VACPI_MAX_VCPUS ||
	    cfg->device_count > VACPI_MAX_DEVICES)
		return false;
	for (unsigned int i = 0; i < cfg->device_count; i++) {
		if (!model_device_ok(&devs[i]))
			return false;
		for (unsigned int j = 0; j < i; j++)
			if (!strcmp(devs[i].name, devs[j].name))
				return false;
	}
	return true;
}

/* True if [@p, @p + @len) all hold CANARY: memcmp() against a page of it, for speed. */
static bool untouched(const uint8_t *p, size_t len)
{
	static uint8_t page[4096];

	if (!page[0])
		memset(page, CANARY, sizeof(page));
	for (size_t n; len; p += n, len -= n) {
		n = MIN(len, sizeof(page));
		if (memcmp(p, page, n))
			return false;
	}
	return true;
}

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

static const void *ram_read(uint64_t pa, uint64_t len, void *ctx)
{
	return pa + len < pa || pa + len > RAM_BYTES ? NULL : (const uint8_t *)ctx + pa;
}

/* Every table the RSDP leads to sums to 0, and Tally's parser reads the MADT back. */
static void check_tables(uint8_t *ram, const struct vacpi_config *cfg, uint64_t rsdp)
{
	struct acpi_info info;
	const struct acpi_fadt *fadt;
	uint64_t fadt_pa;

	FUZZ_CHECK(rsdp == VPLATFORM_ACPI_BASE);
	FUZZ_CHECK(acpi_rsdp_check(ram + rsdp, ACPI_RSDP_V2_LEN) == 0);
	FUZZ_CHECK(acpi_parse(ram + rsdp, ACPI_RSDP_V2_LEN, ram_read, ram, &info) == 0);
	FUZZ_CHECK(info.cpu_count == MIN(cfg->vcpu_count, ACPI_MAX_CPUS));
	FUZZ_CHECK(info.cpus_ignored == cfg->vcpu_count - info.cpu_count);
	for (unsigned int i = 0; i < info.cpu_count; i++)
		FUZZ_CHECK(info.cpus[i].apic_id == i);
	FUZZ_CHECK(info.ioapic_count == 1 && info.ioapics[0].address == VPLATFORM_IOAPIC_BASE);
	FUZZ_CHECK(info.table_count == 3);
	fadt_pa = info.tables[1].pa;
	fadt = (const void *)(ram + fadt_pa);
	FUZZ_CHECK(!memcmp(fadt->header.signature, "FACP", 4));
	FUZZ_CHECK(fadt->x_dsdt >= VPLATFORM_ACPI_BASE && fadt->x_dsdt + 36 <= RAM_BYTES);
	{
		const struct acpi_sdt_header *dsdt = (const void *)(ram + fadt->x_dsdt);

		FUZZ_CHECK(!memcmp(dsdt->signature, "DSDT", 4));
		FUZZ_CHECK(fadt->x_dsdt + dsdt->length <= RAM_BYTES);
		FUZZ_CHECK(sum((const uint8_t *)dsdt, dsdt->length) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct vacpi_config cfg = { .devices = devs };
	uint8_t *ram = malloc(RAM_BYTES);
	uint64_t rsdp = 0;
	bool valid;
	int err;

	memset(devs, 0, sizeof(devs));
	cfg.vcpu_count = (unsigned int)(fuzz_take(&in, 2) % (MAX_VCPUS_TRIED + 1));
	cfg.device_count = (unsigned int)fuzz_take(&in, 1) % (MAX_DEVICES + 1);
	for (unsigned int i = 0; i < cfg.device_count; i++)
		take_device(&in, i);
	valid = model_valid(&cfg);
	memset(ram, CANARY, RAM_BYTES);
	err = vacpi_build(ram, RAM_BYTES, &cfg, &rsdp);
	FUZZ_CHECK(err == (valid ? 0 : -EINVAL));
	FUZZ_CHECK(untouched(ram, VPLATFORM_ACPI_BASE));
	if (err)
		FUZZ_CHECK(untouched(ram + VPLATFORM_ACPI_BASE, VPLATFORM_ACPI_SIZE));
	else
		check_tables(ram, &cfg, rsdp);
	free(ram);
	shim_log_reset();
	return 0;
}
