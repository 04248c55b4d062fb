/* SPDX-License-Identifier: MIT */
/*
 * Host tool for tests/system/test_vacpi_iasl.py: build a domain's ACPI
 * tables with drivers/vdev/vacpi.c and write each one, found by following
 * the RSDP as an OS does, to DIR/<signature>.dat for `iasl -d`.
 *
 * Usage: vacpi_dump DIR VCPUS [DEVICES]   (DEVICES virtio-mmio entries, 0-8)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tally/acpi_tables.h>
#include <tally/vacpi.h>
#include <tally/vplatform.h>

#define RAM_BYTES	(2 * MIB)
#define VIRTIO_BASE	0xFEB00000ull	/* test values only: where the next issue may put them */
#define VIRTIO_SIZE	0x200
#define VIRTIO_GSI0	16
#define MAX_TEST_DEVICES 8

static uint8_t *ram;

static int write_file(const char *dir, const char *name, const void *p, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.dat", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, len, f) != len || fclose(f)) {
		perror(path);
		return 1;
	}
	return 0;
}

static int dump_table(const char *dir, uint64_t gpa)
{
	const struct acpi_sdt_header *h = (const void *)(ram + gpa);
	char sig[5] = { 0 };

	memcpy(sig, h->signature, 4);
	for (char *c = sig; *c; c++)
		*c = (char)(*c | 0x20);	/* iasl's own file names are lower case */
	return write_file(dir, sig, h, h->length);
}

int main(int argc, char **argv)
{
	static char names[MAX_TEST_DEVICES][5];
	struct vacpi_device devs[MAX_TEST_DEVICES] = { 0 };
	struct vacpi_config cfg = { 0 };
	const struct acpi_rsdp *r;
	const struct acpi_fadt *fadt;
	uint64_t rsdp, entries[2];
	int err = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: %s DIR VCPUS [DEVICES]\n", argv[0]);
		return 2;
	}
	cfg.vcpu_count = (unsigned int)strtoul(argv[2], NULL, 0);
	cfg.device_count = argc > 3 ? (unsigned int)strtoul(argv[3], NULL, 0) : 0;
	if (cfg.device_count > MAX_TEST_DEVICES)
		return 2;
	for (unsigned int i = 0; i < cfg.device_count; i++) {
		snprintf(names[i], sizeof(names[i]), "VR%02u", i % 100);
		devs[i] = (struct vacpi_device){
			.name = names[i], .hid = "LNRO0005", .uid = i, .mmio_count = 1,
			.mmio = { { VIRTIO_BASE + i * VIRTIO_SIZE, VIRTIO_SIZE } },
			.has_irq = true, .gsi = VIRTIO_GSI0 + i, .level = true,
		};
	}
	cfg.devices = devs;
	ram = calloc(1, RAM_BYTES);
	if (!ram || vacpi_build(ram, RAM_BYTES, &cfg, &rsdp)) {
		fprintf(stderr, "vacpi_build failed\n");
		return 1;
	}
	r = (const void *)(ram + rsdp);
	err |= write_file(argv[1], "rsdp", r, r->length);
	err |= dump_table(argv[1], r->xsdt_address);
	memcpy(entries, ram + r->xsdt_address + sizeof(struct acpi_sdt_header), sizeof(entries));
	err |= dump_table(argv[1], entries[0]);
	err |= dump_table(argv[1], entries[1]);
	fadt = (const void *)(ram + entries[0]);
	err |= dump_table(argv[1], fadt->x_dsdt);
	return err;
}
