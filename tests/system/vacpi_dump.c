/* SPDX-License-Identifier: MIT */
/*
 * Host tool for tests/system/test_vacpi_iasl.py: build a domain's ACPI
 * tables with drivers/vdev/vacpi.c and write each one, found by following
 * the RSDP as an OS does, to DIR/<signature>.dat for `iasl -d`.
 *
 * Usage: vacpi_dump DIR VCPUS [DEVICES]   (DEVICES virtio-mmio entries, 0-8,
 * or "domain": a domain with a NIC and a disk, its list from
 * virtio_mmio_acpi_devices() as kernel/domain_load.c builds it)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tally/acpi_tables.h>
#include <tally/domain.h>
#include <tally/log.h>
#include <tally/vacpi.h>
#include <tally/vblk.h>
#include <tally/virtio_mmio.h>
#include <tally/vnet.h>
#include <tally/vplatform.h>

#define RAM_BYTES	(2 * MIB)
#define VIRTIO_BASE	0xFEB00000ull	/* test values only: where the next issue may put them */
#define VIRTIO_SIZE	0x200
#define VIRTIO_GSI0	16
#define MAX_TEST_DEVICES 8

static uint8_t *ram;

/* The transport's links to the rest of Tally: never reached here. */
void domain_irq_set(struct domain *d, unsigned int gsi, bool asserted)
{
	(void)d;
	(void)gsi;
	(void)asserted;
	abort();
}

void log_guest(struct domain *d, enum log_level level, const char *fmt, ...)
{
	(void)d;
	(void)level;
	(void)fmt;
	abort();
}

/* A domain with both devices attached, as vnet_create() and vblk_create() leave it. */
static unsigned int domain_devices(struct vacpi_device *devs, unsigned int max)
{
	static const struct virtio_dev_ops net_ops = { .name = "net", .device_id = VIRTIO_ID_NET,
						       .queues = 2 };
	static const struct virtio_dev_ops blk_ops = { .name = "blk", .device_id = VIRTIO_ID_BLOCK,
						       .queues = 1 };
	static struct domain d;
	static struct vnet net;
	static struct vblk blk;
	static struct spinlock lock;

	d.net = &net;
	d.blk = &blk;
	if (virtio_dev_attach(&d, &net.dev, VPLATFORM_VIRTIO_NET_SLOT, &net_ops, 0, &lock, NULL) ||
	    virtio_dev_attach(&d, &blk.dev, VPLATFORM_VIRTIO_BLK_SLOT, &blk_ops, 0, &lock, NULL))
		abort();
	return virtio_mmio_acpi_devices(&d, devs, max);
}

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

/* @n entries VRnn at the test layout. */
static void test_devices(struct vacpi_device *devs, unsigned int n)
{
	static char names[MAX_TEST_DEVICES][5];

	for (unsigned int i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "VR%02u", i % 100);
		devs[i] = (struct vacpi_device){
			.name = names[i], .hid = "LNRO0005", .uid = i, .mmio_count = 1,
			.mmio = { { VIRTIO_BASE + i * VIRTIO_SIZE, VIRTIO_SIZE } },
			.has_irq = true, .gsi = VIRTIO_GSI0 + i, .level = true,
		};
	}
}

int main(int argc, char **argv)
{
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
	if (argc > 3 && !strcmp(argv[3], "domain"))
		cfg.device_count = domain_devices(devs, MAX_TEST_DEVICES);
	else
		test_devices(devs, cfg.device_count);
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
