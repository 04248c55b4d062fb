/* SPDX-License-Identifier: MIT */
/* Unit tests for drivers/host/acpi.c: RSDP checks and scan, root table choice, MADT parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include <tally/acpi.h>
#include <tally/errno.h>
#include <tally/string.h>

#include "shim.h"

#define PHYS_SIZE	(2 * MIB)
#define RSDP_V1_LEN	20
#define BDA_EBDA_WORD	0x40E
#define EBDA_PA		0x9FC00
#define RSDT_PA		0x100000
#define XSDT_PA		0x101000
#define MADT_PA		0x102000
#define MADT2_PA	0x103000
#define FACP_PA		0x104000
#define LAPIC_DEFAULT	0xFEE00000u
#define IOAPIC_DEFAULT	0xFEC00000u

/* Fake physical memory: reads past its end or into the hole give NULL. */
struct fake_phys {
	uint8_t *mem;
	uint64_t hole_start, hole_end;
};

static struct fake_phys phys;
static struct acpi_info info;

static const void *fake_read(uint64_t pa, uint64_t len, void *ctx)
{
	struct fake_phys *f = ctx;

	if (pa + len < pa || pa + len > PHYS_SIZE)
		return NULL;
	if (pa < f->hole_end && pa + len > f->hole_start)
		return NULL;
	return f->mem + pa;
}

static unsigned int logged_problems(void)
{
	return shim_log_count(LOG_WARN) + shim_log_count(LOG_ERR);
}

static uint8_t sum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (len--)
		s += *b++;
	return s;
}

static void make_rsdp(struct acpi_rsdp *r, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->signature, "RSD PTR ", sizeof(r->signature));
	memcpy(r->oem_id, "TALLY ", sizeof(r->oem_id));
	r->revision = rev;
	r->rsdt_address = rsdt;
	r->length = sizeof(*r);
	r->xsdt_address = xsdt;
	r->checksum = -sum(r, RSDP_V1_LEN);
	r->extended_checksum = -sum(r, sizeof(*r));
}

static struct acpi_sdt_header *table_at(uint64_t pa)
{
	return (struct acpi_sdt_header *)(phys.mem + pa);
}

static void fix_checksum(uint64_t pa)
{
	struct acpi_sdt_header *h = table_at(pa);

	h->checksum = 0;
	h->checksum = -sum(h, h->length);
}

static void put_table(uint64_t pa, const char *sig, const void *body, uint32_t len)
{
	struct acpi_sdt_header *h = table_at(pa);

	memset(h, 0, sizeof(*h));
	memcpy(h->signature, sig, sizeof(h->signature));
	h->length = sizeof(*h) + len;
	h->revision = 1;
	memcpy(h->oem_id, "TALLY ", sizeof(h->oem_id));
	memcpy(h + 1, body, len);
	fix_checksum(pa);
}

static void put_rsdt(uint64_t pa, const uint32_t *entries, unsigned int n)
{
	put_table(pa, "RSDT", entries, n * sizeof(*entries));
}

static void put_xsdt(uint64_t pa, const uint64_t *entries, unsigned int n)
{
	put_table(pa, "XSDT", entries, n * sizeof(*entries));
}

/* ---------------------------------------------------------------- MADT builder */

static struct {
	uint8_t body[8192];
	uint32_t len;
} madt;

static void madt_begin(uint32_t lapic_address)
{
	memset(&madt, 0, sizeof(madt));
	memcpy(madt.body, &lapic_address, sizeof(lapic_address));
	madt.len = sizeof(struct acpi_madt) - sizeof(struct acpi_sdt_header);
}

static void *madt_add(uint8_t type, uint8_t len, size_t room)
{
	struct acpi_madt_entry *e = (void *)(madt.body + madt.len);

	assert_true(madt.len + MAX(len, room) <= sizeof(madt.body));
	e->type = type;
	e->length = len;
	madt.len += len;
	return e;
}

static void madt_lapic(uint8_t uid, uint8_t id, uint32_t flags)
{
	struct acpi_madt_lapic *l = madt_add(ACPI_MADT_LAPIC, sizeof(*l), sizeof(*l));

	l->acpi_uid = uid;
	l->apic_id = id;
	l->flags = flags;
}

static void madt_x2apic(uint32_t uid, uint32_t id, uint32_t flags)
{
	struct acpi_madt_x2apic *x = madt_add(ACPI_MADT_X2APIC, sizeof(*x), sizeof(*x));

	x->acpi_uid = uid;
	x->x2apic_id = id;
	x->flags = flags;
}

static void madt_ioapic(uint8_t id, uint32_t address, uint32_t gsi_base)
{
	struct acpi_madt_ioapic *io = madt_add(ACPI_MADT_IOAPIC, sizeof(*io), sizeof(*io));

	io->id = id;
	io->address = address;
	io->gsi_base = gsi_base;
}

static void madt_override(uint8_t source, uint32_t gsi, uint16_t flags)
{
	struct acpi_madt_override *o = madt_add(ACPI_MADT_INT_OVERRIDE, sizeof(*o),
						 sizeof(*o));

	o->source = source;
	o->gsi = gsi;
	o->flags = flags;
}

static void madt_lapic_addr(uint64_t address)
{
	struct acpi_madt_lapic_addr *a = madt_add(ACPI_MADT_LAPIC_ADDR_OVERRIDE,
						  sizeof(*a), sizeof(*a));

	a->address = address;
}

static void madt_put(uint64_t pa)
{
	put_table(pa, "APIC", madt.body, madt.len);
}

/* The standard machine: RSDT and XSDT both list a FACP and the MADT. */
static void standard_tables(void)
{
	static const uint32_t rsdt[] = { FACP_PA, MADT_PA };
	static const uint64_t xsdt[] = { FACP_PA, MADT_PA };
	static const uint8_t facp_body[64];

	put_table(FACP_PA, "FACP", facp_body, sizeof(facp_body));
	put_rsdt(RSDT_PA, rsdt, ARRAY_SIZE(rsdt));
	put_xsdt(XSDT_PA, xsdt, ARRAY_SIZE(xsdt));
	madt_begin(LAPIC_DEFAULT);
	madt_lapic(0, 0, ACPI_MADT_ENABLED);
	madt_lapic(1, 2, ACPI_MADT_ENABLED);
	madt_lapic(2, 4, 0);				/* disabled */
	madt_lapic(3, 6, ACPI_MADT_ONLINE_CAPABLE);	/* hot-pluggable */
	madt_lapic(4, 0xFF, ACPI_MADT_ENABLED);		/* no processor */
	madt_ioapic(8, IOAPIC_DEFAULT, 0);
	madt_override(0, 2, 0);
	madt_override(9, 9, 0xD);
	madt_put(MADT_PA);
}

static int setup(void **state)
{
	(void)state;
	shim_log_reset();
	phys.mem = calloc(1, PHYS_SIZE);	/* exact size: ASan sees overreads */
	phys.hole_start = phys.hole_end = 0;
	standard_tables();
	shim_log_reset();
	return phys.mem ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(phys.mem);
	return 0;
}

static int parse_rsdp(uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	struct acpi_rsdp r;

	make_rsdp(&r, rev, rsdt, xsdt);
	return acpi_parse(&r, rev >= 2 ? sizeof(r) : RSDP_V1_LEN, fake_read, &phys, &info);
}

/* ---------------------------------------------------------------- RSDP checks */

static void test_rsdp_check_good(void **state)
{
	struct acpi_rsdp r;

	(void)state;
	make_rsdp(&r, 0, RSDT_PA, 0);
	assert_int_equal(acpi_rsdp_check(&r, RSDP_V1_LEN), 0);
	assert_int_equal(acpi_rsdp_check(&r, sizeof(r)), 0);
	make_rsdp(&r, 2, RSDT_PA, XSDT_PA);
	assert_int_equal(acpi_rsdp_check(&r, sizeof(r)), 0);
}

enum rsdp_damage {
	DAMAGE_SIGNATURE,
	DAMAGE_CHECKSUM,
	DAMAGE_EXT_CHECKSUM,
	DAMAGE_LENGTH_SHORT,
	DAMAGE_LENGTH_LONG,
};

struct rsdp_case {
	uint8_t revision;
	enum rsdp_damage damage;
	size_t len;
};

static const struct rsdp_case bad_rsdps[] = {
	{ 0, DAMAGE_SIGNATURE, RSDP_V1_LEN },
	{ 0, DAMAGE_CHECKSUM, RSDP_V1_LEN },
	{ 2, DAMAGE_SIGNATURE, sizeof(struct acpi_rsdp) },
	{ 2, DAMAGE_CHECKSUM, sizeof(struct acpi_rsdp) },
	{ 2, DAMAGE_EXT_CHECKSUM, sizeof(struct acpi_rsdp) },
	{ 2, DAMAGE_LENGTH_SHORT, sizeof(struct acpi_rsdp) },
	{ 2, DAMAGE_LENGTH_LONG, sizeof(struct acpi_rsdp) },
};

static void test_rsdp_check_bad(void **state)
{
	struct acpi_rsdp r;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad_rsdps); i++) {
		const struct rsdp_case *c = &bad_rsdps[i];

		make_rsdp(&r, c->revision, RSDT_PA, XSDT_PA);
		switch (c->damage) {
		case DAMAGE_SIGNATURE:
			r.signature[7] = '_';	/* both checksums stay right */
			r.checksum -= '_' - ' ';
			break;
		case DAMAGE_CHECKSUM:
			r.checksum++;
			r.extended_checksum--;
			break;
		case DAMAGE_EXT_CHECKSUM:
			r.extended_checksum++;
			break;
		case DAMAGE_LENGTH_SHORT:
			r.length = 24;
			r.extended_checksum += 12;
			break;
		case DAMAGE_LENGTH_LONG:
			r.length = 40;	/* more than the caller holds */
			r.extended_checksum -= 4;
			break;
		}
		assert_int_equal(acpi_rsdp_check(&r, c->len), -EINVAL);
		assert_int_equal(acpi_parse(&r, c->len, fake_read, &phys, &info), -EINVAL);
		assert_true(logged_problems() > 0);
	}
}

static void test_rsdp_check_short_buffers(void **state)
{
	struct acpi_rsdp r;

	(void)state;
	make_rsdp(&r, 2, RSDT_PA, XSDT_PA);
	/* A v2 RSDP with only its v1 part available is not valid. */
	assert_int_equal(acpi_rsdp_check(&r, RSDP_V1_LEN), -EINVAL);
	assert_int_equal(acpi_rsdp_check(&r, sizeof(r) - 1), -EINVAL);
	make_rsdp(&r, 0, RSDT_PA, 0);
	assert_int_equal(acpi_rsdp_check(&r, RSDP_V1_LEN - 1), -EINVAL);
	assert_int_equal(acpi_rsdp_check(NULL, sizeof(r)), -EINVAL);
}

/* ---------------------------------------------------------------- RSDP scan */

static void put_rsdp_at(uint64_t pa, uint8_t rev)
{
	struct acpi_rsdp r;

	make_rsdp(&r, rev, RSDT_PA, XSDT_PA);
	memcpy(phys.mem + pa, &r, sizeof(r));
}

static void set_ebda(uint64_t pa)
{
	uint16_t segment = pa >> 4;

	memcpy(phys.mem + BDA_EBDA_WORD, &segment, sizeof(segment));
}

static void test_find_rsdp_ebda(void **state)
{
	uint64_t pa = 0;

	(void)state;
	set_ebda(EBDA_PA);
	put_rsdp_at(EBDA_PA + 0x40, 2);
	put_rsdp_at(0xF0000, 0);	/* the EBDA is searched first */
	assert_int_equal(acpi_find_rsdp(fake_read, &phys, &pa), 0);
	assert_int_equal(pa, EBDA_PA + 0x40);
}

static void test_find_rsdp_bios_area(void **state)
{
	uint64_t pa = 0;

	(void)state;
	set_ebda(EBDA_PA);
	put_rsdp_at(EBDA_PA + KIB, 0);		/* past the first KiB: not looked at */
	put_rsdp_at(0xF5A30, 2);
	assert_int_equal(acpi_find_rsdp(fake_read, &phys, &pa), 0);
	assert_int_equal(pa, 0xF5A30);

	/* The very last slot of the area. */
	memset(phys.mem + 0xF5A30, 0, sizeof(struct acpi_rsdp));
	put_rsdp_at(0xFFFE0, 0);
	assert_int_equal(acpi_find_rsdp(fake_read, &phys, &pa), 0);
	assert_int_equal(pa, 0xFFFE0);
}

static void test_find_rsdp_skips_bad(void **state)
{
	uint64_t pa = 0;

	(void)state;
	set_ebda(EBDA_PA);
	put_rsdp_at(EBDA_PA, 2);
	phys.mem[EBDA_PA + 30]++;		/* extended checksum broken */
	put_rsdp_at(0xE0008, 0);		/* not on a 16-byte boundary */
	put_rsdp_at(0xE1000, 0);
	assert_int_equal(acpi_find_rsdp(fake_read, &phys, &pa), 0);
	assert_int_equal(pa, 0xE1000);
}

static void test_find_rsdp_none(void **state)
{
	uint64_t pa = 0x1234;

	(void)state;
	set_ebda(EBDA_PA);
	put_rsdp_at(0xE0008, 0);
	assert_int_equal(acpi_find_rsdp(fake_read, &phys, &pa), -ENOENT);
	assert_int_equal(pa, 0x1234);
	assert_true(logged_problems() > 0);
}

static void test_find_rsdp_unmapped_bda(void **state)
{
	uint64_t pa = 0;

	(void)state;
	set_ebda(EBDA_PA);
	put_rsdp_at(EBDA_PA, 0);
	put_rsdp_at(0xE0010, 0);
	phys.hole_start = 0;
	phys.hole_end = PAGE_SIZE;	/* the BDA is not readable */
	assert_int_equal(acpi_find_rsdp(fake_read, &phys, &pa), 0);
	assert_int_equal(pa, 0xE0010);

	/* An unreadable EBDA is skipped the same way. */
	phys.hole_start = EBDA_PA;
	phys.hole_end = EBDA_PA + 1;
	assert_int_equal(acpi_find_rsdp(fake_read, &phys, &pa), 0);
	assert_int_equal(pa, 0xE0010);
}

/* ---------------------------------------------------------------- acpi_parse */

static void test_parse_rsdt(void **state)
{
	(void)state;
	assert_int_equal(parse_rsdp(0, RSDT_PA, 0), 0);
	assert_int_equal(logged_problems(), 0);
	assert_int_equal(info.revision, 0);
	assert_false(info.xsdt);
	assert_int_equal(info.lapic_address, LAPIC_DEFAULT);
	assert_int_equal(info.cpu_count, 3);
	assert_int_equal(info.cpus[0].apic_id, 0);
	assert_int_equal(info.cpus[1].apic_id, 2);
	assert_int_equal(info.cpus[1].acpi_uid, 1);
	assert_int_equal(info.cpus[2].apic_id, 6);	/* online-capable counts */
	assert_int_equal(info.cpus_ignored, 0);
	assert_int_equal(info.ioapic_count, 1);
	assert_int_equal(info.ioapics[0].id, 8);
	assert_int_equal(info.ioapics[0].address, IOAPIC_DEFAULT);
	assert_int_equal(info.ioapics[0].gsi_base, 0);
	assert_int_equal(info.override_count, 2);
	assert_int_equal(info.overrides[0].source, 0);
	assert_int_equal(info.overrides[0].gsi, 2);
	assert_int_equal(info.overrides[1].source, 9);
	assert_int_equal(info.overrides[1].flags, 0xD);
	/* The root and every table it lists are kept from the allocator. */
	assert_int_equal(info.table_count, 3);
	assert_int_equal(info.tables[0].pa, RSDT_PA);
	assert_int_equal(info.tables[0].len, table_at(RSDT_PA)->length);
	assert_int_equal(info.tables[1].pa, FACP_PA);
	assert_int_equal(info.tables[1].len, table_at(FACP_PA)->length);
	assert_int_equal(info.tables[2].pa, MADT_PA);
	assert_int_equal(info.tables[2].len, table_at(MADT_PA)->length);
}

/* The XSDT is used when the revision and address allow, else the RSDT. */
static void test_parse_root_choice(void **state)
{
	static const uint64_t xsdt[] = { MADT2_PA };
	struct acpi_rsdp r;

	(void)state;
	/* Make the XSDT's MADT tell itself apart. */
	madt_begin(LAPIC_DEFAULT);
	madt_lapic(0, 42, ACPI_MADT_ENABLED);
	madt_put(MADT2_PA);
	put_xsdt(XSDT_PA, xsdt, 1);

	assert_int_equal(parse_rsdp(2, RSDT_PA, XSDT_PA), 0);
	assert_true(info.xsdt);
	assert_int_equal(info.revision, 2);
	assert_int_equal(info.cpu_count, 1);
	assert_int_equal(info.cpus[0].apic_id, 42);
	assert_int_equal(info.tables[0].pa, XSDT_PA);
	assert_int_equal(info.tables[1].pa, MADT2_PA);

	assert_int_equal(parse_rsdp(2, RSDT_PA, 0), 0);
	assert_false(info.xsdt);
	assert_int_equal(info.cpu_count, 3);

	/* Revision 0 ignores whatever lies where the XSDT address would be. */
	make_rsdp(&r, 0, RSDT_PA, XSDT_PA);
	assert_int_equal(acpi_parse(&r, sizeof(r), fake_read, &phys, &info), 0);
	assert_false(info.xsdt);
	assert_int_equal(info.tables[0].pa, RSDT_PA);
}

static void test_parse_xsdt_above_4g(void **state)
{
	static const uint64_t xsdt[] = { 0x100000000ull + MADT_PA, MADT_PA };

	(void)state;
	put_xsdt(XSDT_PA, xsdt, ARRAY_SIZE(xsdt));	/* first entry unmapped */
	assert_int_equal(parse_rsdp(2, RSDT_PA, XSDT_PA), 0);
	assert_int_equal(info.cpu_count, 3);
	/* An unmapped XSDT is an error; no falling back on the RSDT. */
	assert_int_equal(parse_rsdp(2, RSDT_PA, 0x100000000ull), -EINVAL);
	assert_int_equal(info.table_count, 0);
	assert_true(logged_problems() > 0);
}

enum root_damage { ROOT_CHECKSUM, ROOT_SIGNATURE, ROOT_LEN_SHORT, ROOT_LEN_HUGE, ROOT_LEN_PAST_MEMORY };

static void test_parse_bad_root(void **state)
{
	(void)state;
	for (int d = ROOT_CHECKSUM; d <= ROOT_LEN_PAST_MEMORY; d++) {
		struct acpi_sdt_header *h = table_at(RSDT_PA);

		standard_tables();
		shim_log_reset();
		if (d == ROOT_CHECKSUM)
			h->checksum++;
		if (d == ROOT_SIGNATURE)
			h->signature[0] = 'X';
		if (d == ROOT_LEN_SHORT)
			h->length = sizeof(*h) - 1;
		if (d == ROOT_LEN_HUGE)
			h->length = 0x80000000u;
		if (d == ROOT_LEN_PAST_MEMORY) {
			h = table_at(PHYS_SIZE - 40);
			*h = *table_at(RSDT_PA);
		}
		assert_int_equal(parse_rsdp(0, d == ROOT_LEN_PAST_MEMORY ?
					     PHYS_SIZE - 40 : RSDT_PA, 0), -EINVAL);
		assert_int_equal(info.cpu_count, 0);
		assert_true(logged_problems() > 0);
	}
	assert_int_equal(parse_rsdp(0, 0, 0), -EINVAL);
}

static void test_parse_madt_missing(void **state)
{
	static const uint32_t rsdt[] = { FACP_PA, 0, PHYS_SIZE + 0x1000 };

	(void)state;
	put_rsdt(RSDT_PA, rsdt, ARRAY_SIZE(rsdt));
	assert_int_equal(parse_rsdp(0, RSDT_PA, 0), -ENOENT);
	assert_int_equal(info.cpu_count, 0);
	/* RSDT and FACP; the null and unreadable entries are skipped. */
	assert_int_equal(info.table_count, 2);
	assert_int_equal(info.tables[1].pa, FACP_PA);
	assert_true(logged_problems() > 0);

	put_rsdt(RSDT_PA, rsdt, 0);	/* an empty root table */
	assert_int_equal(parse_rsdp(0, RSDT_PA, 0), -ENOENT);
}

static void test_parse_madt_bad_checksum(void **state)
{
	static const uint32_t rsdt[] = { MADT_PA, FACP_PA, MADT2_PA };

	(void)state;
	table_at(MADT_PA)->checksum++;
	assert_int_equal(parse_rsdp(0, RSDT_PA, 0), -ENOENT);
	assert_int_equal(info.cpu_count, 0);
	assert_true(logged_problems() > 0);

	/* A second, valid MADT is used instead. */
	shim_log_reset();
	madt_begin(LAPIC_DEFAULT);
	madt_lapic(7, 7, ACPI_MADT_ENABLED);
	madt_put(MADT2_PA);
	put_rsdt(RSDT_PA, rsdt, ARRAY_SIZE(rsdt));
	assert_int_equal(parse_rsdp(0, RSDT_PA, 0), 0);
	assert_int_equal(info.cpu_count, 1);
	assert_int_equal(info.cpus[0].apic_id, 7);
	assert_int_equal(info.table_count, 4);	/* RSDT, both MADTs, FACP */
	assert_int_equal(info.tables[3].pa, MADT2_PA);
	assert_true(logged_problems() > 0);
}

static void test_parse_madt_too_short(void **state)
{
	struct acpi_sdt_header *h = table_at(MADT_PA);

	(void)state;
	h->length = sizeof(struct acpi_madt) - 1;	/* no room for the flags */
	fix_checksum(MADT_PA);
	assert_int_equal(parse_rsdp(0, RSDT_PA, 0), -ENOENT);
	assert_true(logged_problems() > 0);
}

/* A broken entry ends the walk; what came before it stays. */
static void test_parse_madt_bad_entry_lengths(void **state)
{
	static const struct {
		uint8_t type, len;
	} bad[] = {
		{ ACPI_MADT_LAPIC, 0 },
		{ ACPI_MADT_LAPIC, 1 },
		{ ACPI_MADT_LAPIC, sizeof(struct acpi_madt_lapic) - 2 },
		{ ACPI_MADT_X2APIC, sizeof(struct acpi_madt_x2apic) - 1 },
		{ ACPI_MADT_IOAPIC, sizeof(struct acpi_madt_ioapic) - 1 },
		{ ACPI_MADT_INT_OVERRIDE, sizeof(struct acpi_madt_override) - 1 },
		{ ACPI_MADT_LAPIC_ADDR_OVERRIDE, sizeof(struct acpi_madt_lapic_addr) - 1 },
		{ 0x7F, 0 },	/* unknown types need a length too */
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		shim_log_reset();
		madt_begin(LAPIC_DEFAULT);
		madt_lapic(0, 1, ACPI_MADT_ENABLED);
		madt_add(bad[i].type, bad[i].len, 16);
		madt.len += bad[i].len < 2 ? 2 : 0;	/* keep the header inside */
		madt_lapic(1, 3, ACPI_MADT_ENABLED);	/* never reached */
		madt_put(MADT_PA);
		assert_int_equal(parse_rsdp(0, RSDT_PA, 0), 0);
		assert_int_equal(info.cpu_count, 1);
		assert_int_equal(info.cpus[0].apic_id, 1);
		assert_int_equal(info.lapic_address, LAPIC_DEFAULT);
		assert_true(logged_problems() > 0);
	}
}

/* An entry whose header is the last byte of the table, and an entry running past it. */
static void test_parse_madt_entry_past_end(void **state)
{
	(void)state;
	madt_begin(LAPIC_DEFAULT);
	madt_lapic(0, 1, ACPI_MADT_ENABLED);
	madt_lapic(1, 3, ACPI_MADT_ENABLED);
	madt.len -= 1;		/* the second LAPIC is cut short by the table length */
	madt_put(MADT_PA);
	assert_int_equal(parse_rsdp(0, RSDT_PA, 0), 0);
	assert_int_equal(info.cpu_count, 1);
	assert_true(logged_problems() > 0);

	/* An unknown entry claiming more than is left. */
	shim_log_reset();
	madt_begin(LAPIC_DEFAULT);
	madt_lapic(0, 1, ACPI_MADT_ENABLED);
	madt_add(0x7F, 200, 200);
	madt.len -= 200 - sizeof(struct acpi_madt_entry);
	madt_put(MADT_PA);
	assert_int_equal(parse_rsdp(0, RSDT_PA, 0), 0);
	assert_int_equal(info.cpu_count, 1);
	assert_true(shim_log_contains("bad length 200"));

	/* One stray byte after the last entry is too small to be one: ignored. */
	shim_log_reset();
	madt_begin(LAPIC_DEFAULT);
	madt_lapic(0, 1, ACPI_MADT_ENABLED);
	madt.len += 1;
	madt_put(MADT_PA);
	assert_int_equal(parse_rsdp(0, RSDT_PA, 0), 0);
	assert_int_equal(info.cpu_count, 1);
}

static void test_parse_duplicate_apic_ids(void **state)
{
	(void)state;
	madt_begin(LAPIC_DEFAULT);
	madt_lapic(0, 0, ACPI_MADT_ENABLED);
	madt_lapic(1, 1, ACPI_MADT_ENABLED);
	madt_lapic(2, 1, ACPI_MADT_ENABLED);	/* duplicate: first wins */
	madt_x2apic(3, 0, ACPI_MADT_ENABLED);	/* same ID again, other kind */
	madt_lapic(4, 1, 0);			/* disabled: not even a duplicate */
	madt_put(MADT_PA);
	assert_int_equal(parse_rsdp(0, RSDT_PA, 0), 0);
	assert_int_equal(info.cpu_count, 2);
	assert_int_equal(info.cpus[1].apic_id, 1);
	assert_int_equal(info.cpus[1].acpi_uid, 1);
	assert_int_equal(shim_log_count(LOG_WARN), 2);
}

static void test_parse_x2apic(void **state)
{
	(void)state;
	madt_begin(LAPIC_DEFAULT);
	madt_lapic(0, 0, ACPI_MADT_ENABLED);
	madt_x2apic(1, 0x100, ACPI_MADT_ENABLED);
	madt_x2apic(2, 0x101, 0);			/* disabled */
	madt_x2apic(3, 0x102, ACPI_MADT_ONLINE_CAPABLE);
	madt_x2apic(4, 0xFFFFFFFF, ACPI_MADT_ENABLED);	/* no processor */
	madt_lapic_addr(0xFED0000000ull);
	madt_put(MADT_PA);
	assert_int_equal(parse_rsdp(0, RSDT_PA, 0), 0);
	assert_int_equal(info.cpu_count, 3);
	assert_int_equal(info.cpus[1].apic_id, 0x100);
	assert_int_equal(info.cpus[1].acpi_uid, 1);
	assert_int_equal(info.cpus[2].apic_id, 0x102);
	assert_int_equal(info.cpus[2].acpi_uid, 3);
	assert_int_equal(info.lapic_address, 0xFED0000000ull);
	assert_int_equal(logged_problems(), 0);
}

static void test_parse_too_many(void **state)
{
	unsigned int i;

	(void)state;
	madt_begin(LAPIC_DEFAULT);
	for (i = 0; i < ACPI_MAX_CPUS + 6; i++)
		madt_x2apic(i, i * 2, ACPI_MADT_ENABLED);
	madt_x2apic(i, 1000, 0);	/* disabled ones are not "ignored" */
	for (i = 0; i < ACPI_MAX_IOAPICS + 2; i++)
		madt_ioapic(i, IOAPIC_DEFAULT + i * PAGE_SIZE, i * 24);
	for (i = 0; i < ACPI_MAX_OVERRIDES + 2; i++)
		madt_override(i, i, 0);
	madt_put(MADT_PA);
	assert_int_equal(parse_rsdp(0, RSDT_PA, 0), 0);
	assert_int_equal(info.cpu_count, ACPI_MAX_CPUS);
	assert_int_equal(info.cpus_ignored, 6);
	assert_int_equal(info.cpus[ACPI_MAX_CPUS - 1].apic_id, (ACPI_MAX_CPUS - 1) * 2);
	assert_int_equal(info.ioapic_count, ACPI_MAX_IOAPICS);
	assert_int_equal(info.ioapics[ACPI_MAX_IOAPICS - 1].gsi_base,
			 (ACPI_MAX_IOAPICS - 1) * 24);
	assert_int_equal(info.override_count, ACPI_MAX_OVERRIDES);
	assert_int_equal(shim_log_count(LOG_WARN), 3);	/* once per kind */
}

/* A root listing more tables than are kept says so once, not once per table (found by fuzz_acpi). */
static void test_parse_too_many_tables(void **state)
{
	uint64_t xsdt[ACPI_MAX_TABLES + 8];
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(xsdt) - 1; i++)
		xsdt[i] = FACP_PA;
	xsdt[i] = MADT_PA;	/* past the limit: still parsed, only not kept */
	put_xsdt(XSDT_PA, xsdt, ARRAY_SIZE(xsdt));
	assert_int_equal(parse_rsdp(2, RSDT_PA, XSDT_PA), 0);
	assert_int_equal(info.table_count, ACPI_MAX_TABLES);
	assert_int_equal(info.tables[0].pa, XSDT_PA);
	assert_int_equal(info.tables[ACPI_MAX_TABLES - 1].pa, FACP_PA);
	assert_int_equal(info.cpu_count, 3);
	assert_int_equal(shim_log_count_matching("more than 32 tables"), 1);
	assert_int_equal(shim_log_count(LOG_WARN), 1);
}

static void test_parse_madt_unmapped_tail(void **state)
{
	(void)state;
	/* The header reads, the whole table does not. */
	phys.hole_start = MADT_PA + sizeof(struct acpi_madt) + 4;
	phys.hole_end = phys.hole_start + 1;
	assert_int_equal(parse_rsdp(0, RSDT_PA, 0), -ENOENT);
	assert_true(logged_problems() > 0);
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_rsdp_check_good),
		T(test_rsdp_check_bad),
		T(test_rsdp_check_short_buffers),
		T(test_find_rsdp_ebda),
		T(test_find_rsdp_bios_area),
		T(test_find_rsdp_skips_bad),
		T(test_find_rsdp_none),
		T(test_find_rsdp_unmapped_bda),
		T(test_parse_rsdt),
		T(test_parse_root_choice),
		T(test_parse_xsdt_above_4g),
		T(test_parse_bad_root),
		T(test_parse_madt_missing),
		T(test_parse_madt_bad_checksum),
		T(test_parse_madt_too_short),
		T(test_parse_madt_bad_entry_lengths),
		T(test_parse_madt_entry_past_end),
		T(test_parse_duplicate_apic_ids),
		T(test_parse_x2apic),
		T(test_parse_too_many),
		T(test_parse_too_many_tables),
		T(test_parse_madt_unmapped_tail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
