/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the ACPI tables (drivers/host/acpi.c) and the ISA IRQ routes taken from them (arch/x86_64/host/ioapic_route.c).
 *
 * Input: a mode byte (MODE_*), the EBDA segment the BIOS data area holds
 * (16 bits), a hole that reads as unmapped (offset into the tables and
 * length, 16 bits each), then the tables, at physical BLOB_PA in the BIOS
 * area the RSDP scan looks at.  The rest of the first MiB reads as zeros.
 */
#include <stdlib.h>
#include <string.h>

#include <arch/ioapic.h>
#include <tally/acpi.h>
#include <tally/errno.h>

#include "harness.h"
#include "shim.h"

#define MODE_FIX_SUMS	0x01	/* repair the checksums, so that mutations reach the MADT */
#define MODE_SCAN	0x02	/* find the RSDP in memory, not in the loader's copy */
#define MODE_RSDP_V1	0x04	/* the loader's copy is the 20-byte ACPI 1.0 RSDP */

#define BDA_EBDA_WORD	0x40Eull	/* where the BIOS data area keeps the EBDA segment */
#define BLOB_PA		0xE0000ull	/* the BIOS area acpi_find_rsdp() scans */
#define LOW_MEMORY_END	MIB
#define RSDP_V1_LEN	offsetof(struct acpi_rsdp, length)
#define RSDP_REVISION_2	2
#define SDT_CHECKSUM	offsetof(struct acpi_sdt_header, checksum)
#define RSDP_CHECKSUM	offsetof(struct acpi_rsdp, checksum)
#define RSDP_XCHECKSUM	offsetof(struct acpi_rsdp, extended_checksum)
#define FIX_MAX_ENTRIES	64	/* root entries whose tables get repaired */
#define TEST_VECTOR	0x40
#define LIMITS		4	/* ACPI_MAX_TABLES, _CPUS, _IOAPICS, _OVERRIDES */

static struct acpi_info info;	/* 4 KiB: kept off the stack */

/* The tables as the fuzzer gave them, made writable for the checksum repair. */
struct blob {
	uint8_t *bytes;
	size_t len;
};

/* Where physical [@pa, @pa + @len) lies in the blob, or NULL if not wholly inside it. */
static uint8_t *blob_at(const struct blob *b, uint64_t pa, uint64_t len)
{
	uint64_t off = pa - BLOB_PA;

	if (pa < BLOB_PA || off > b->len || len > b->len - off)
		return NULL;
	return b->bytes + off;
}

/* Set the byte at @at so that the @len bytes at @p sum to 0 (ACPI 6.5, 5.2.5.3). */
static void fix_sum(uint8_t *p, size_t len, size_t at)
{
	uint8_t sum = 0;

	p[at] = 0;
	for (size_t i = 0; i < len; i++)
		sum += p[i];
	p[at] = (uint8_t)-sum;
}

/* Repair the table at @pa if its header and whole length lie in the blob; returns its length or 0. */
static uint32_t fix_table(const struct blob *b, uint64_t pa)
{
	struct acpi_sdt_header h;
	uint8_t *t = blob_at(b, pa, sizeof(h));

	if (!t)
		return 0;
	memcpy(&h, t, sizeof(h));
	if (h.length < sizeof(h) || !blob_at(b, pa, h.length))
		return 0;
	fix_sum(t, h.length, SDT_CHECKSUM);
	return h.length;
}

/* Repair the tables the root lists, the root, then the RSDP at the blob's start. */
static void fix_checksums(const struct blob *b)
{
	struct acpi_rsdp r = { 0 };
	bool xsdt;
	uint64_t root, entry = 0;
	uint32_t width, n;

	memcpy(&r, b->bytes, MIN(b->len, sizeof(r)));
	xsdt = r.revision >= RSDP_REVISION_2 && r.xsdt_address;
	root = xsdt ? r.xsdt_address : r.rsdt_address;
	width = xsdt ? sizeof(uint64_t) : sizeof(uint32_t);
	n = fix_table(b, root);
	n = n ? (n - sizeof(struct acpi_sdt_header)) / width : 0;
	for (uint32_t i = 0; i < MIN(n, FIX_MAX_ENTRIES); i++) {
		memcpy(&entry, blob_at(b, root, sizeof(struct acpi_sdt_header)) +
		       sizeof(struct acpi_sdt_header) + i * width, width);
		fix_table(b, entry);
	}
	fix_table(b, root);
	if (b->len >= RSDP_V1_LEN)
		fix_sum(b->bytes, RSDP_V1_LEN, RSDP_CHECKSUM);
	if (r.revision >= RSDP_REVISION_2 && b->len >= sizeof(r) && r.length >= sizeof(r) &&
	    r.length <= b->len)
		fix_sum(b->bytes, r.length, RSDP_XCHECKSUM);
}

/*
 * The RSDP as Tally's boot code takes it: the loader's copy of 20 or 36
 * bytes (an exactly sized heap copy), or found by the scan and then read
 * for as many bytes as its revision says.  NULL when the scan finds none.
 */
static uint8_t *get_rsdp(struct fuzz_phys *phys, const struct blob *b, unsigned int mode,
			 size_t *len)
{
	const struct acpi_rsdp *r;
	uint64_t pa;
	uint8_t *copy;

	if (mode & MODE_SCAN) {
		if (acpi_find_rsdp(fuzz_phys_read, phys, &pa) < 0) {
			fuzz_phys_release(phys);
			return NULL;
		}
		r = fuzz_phys_read(pa, RSDP_V1_LEN, phys);
		FUZZ_CHECK(r && pa % 16 == 0);
		*len = r->revision >= RSDP_REVISION_2 ? sizeof(*r) : RSDP_V1_LEN;
		r = fuzz_phys_read(pa, *len, phys);
		FUZZ_CHECK(r);
	} else {
		r = (const void *)b->bytes;
		*len = MIN(b->len, mode & MODE_RSDP_V1 ? RSDP_V1_LEN : sizeof(*r));
	}
	copy = malloc(*len ? *len : 1);
	FUZZ_CHECK(copy);
	memcpy(copy, r, *len);
	fuzz_phys_release(phys);
	return copy;
}

/* What acpi_parse() promises about its result. */
static void check_info(int ret)
{
	FUZZ_CHECK(ret == 0 || ret == -EINVAL || ret == -ENOENT);
	FUZZ_CHECK(ret == 0 || shim_log_count(LOG_ERR) > 0);
	FUZZ_CHECK(info.cpu_count <= ACPI_MAX_CPUS && info.ioapic_count <= ACPI_MAX_IOAPICS);
	FUZZ_CHECK(info.override_count <= ACPI_MAX_OVERRIDES);
	FUZZ_CHECK(info.table_count <= ACPI_MAX_TABLES);
	FUZZ_CHECK(!info.cpus_ignored || info.cpu_count == ACPI_MAX_CPUS);
	FUZZ_CHECK(!info.xsdt || info.revision >= RSDP_REVISION_2);
	/* Each of the four limits (tables, CPUs, I/O APICs, overrides) is reported once. */
	FUZZ_CHECK(shim_log_count_matching("more than") <= LIMITS);
	if (ret != 0)
		FUZZ_CHECK(!info.cpu_count && !info.ioapic_count && !info.override_count);
	if (ret != -EINVAL)
		FUZZ_CHECK(info.table_count > 0);	/* the root table, at least */
	for (unsigned int i = 0; i < info.table_count; i++)
		FUZZ_CHECK(info.tables[i].len >= sizeof(struct acpi_sdt_header) &&
			   info.tables[i].len <= MIB);
	for (unsigned int i = 0; i < info.cpu_count; i++) {
		FUZZ_CHECK(info.cpus[i].apic_id != UINT32_MAX);
		for (unsigned int j = 0; j < i; j++)
			FUZZ_CHECK(info.cpus[j].apic_id != info.cpus[i].apic_id);
	}
}

/* ISA IRQ @irq through the overrides: identity unless one names it, the first one winning. */
static void check_route(unsigned int irq)
{
	const struct acpi_override *o = NULL;
	struct ioapic_isa_route route;
	int ret = ioapic_isa_route(&info, irq, &route);

	for (unsigned int i = 0; i < info.override_count && !o; i++)
		if (info.overrides[i].source == irq)
			o = &info.overrides[i];
	if (irq >= ISA_IRQS) {
		FUZZ_CHECK(ret == -EINVAL);
		return;
	}
	FUZZ_CHECK(ret == 0 || ret == -EINVAL || ret == -EBUSY);
	FUZZ_CHECK(ret != -EBUSY || !o);
	if (ret < 0)
		return;
	FUZZ_CHECK(route.gsi == (o ? o->gsi : irq));
	FUZZ_CHECK(o || (!route.active_low && !route.level));
	for (unsigned int i = 0; i < info.cpu_count; i++) {
		uint32_t id = info.cpus[i].apic_id;
		uint64_t rte = 0, want = TEST_VECTOR | ((uint64_t)id << IOAPIC_RTE_DEST_SHIFT) |
			(route.active_low ? IOAPIC_RTE_ACTIVE_LOW : 0) |
			(route.level ? IOAPIC_RTE_LEVEL : 0);

		ret = ioapic_rte(&route, TEST_VECTOR, id, &rte);
		FUZZ_CHECK(ret == (id > IOAPIC_RTE_DEST_MAX ? -ERANGE : 0));
		FUZZ_CHECK(ret || rte == want);	/* fixed, physical, unmasked */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	unsigned int mode = fuzz_take(&in, 1);
	uint16_t ebda = fuzz_take(&in, 2);
	uint64_t hole = BLOB_PA + fuzz_take(&in, 2), hole_len = fuzz_take(&in, 2);
	struct blob b = { malloc(in.size ? in.size : 1), in.size };
	struct fuzz_phys phys = {
		.region = { { BDA_EBDA_WORD, (const uint8_t *)&ebda, sizeof(ebda) },
			    { BLOB_PA, b.bytes, b.len } },
		.limit = MAX(LOW_MEMORY_END, BLOB_PA + b.len),
		.hole_start = hole, .hole_end = hole + hole_len,
	};
	uint8_t *rsdp;
	size_t len = 0;
	int ret;

	FUZZ_CHECK(b.bytes);
	memcpy(b.bytes, in.data, in.size);
	if (mode & MODE_FIX_SUMS)
		fix_checksums(&b);
	shim_log_reset();
	rsdp = get_rsdp(&phys, &b, mode, &len);
	if (rsdp) {
		ret = acpi_parse(rsdp, len, fuzz_phys_read, &phys, &info);
		fuzz_phys_release(&phys);
		check_info(ret);
		for (unsigned int irq = 0; ret == 0 && irq <= ISA_IRQS; irq++)
			check_route(irq);
	}
	free(rsdp);
	free(b.bytes);
	return 0;
}
