/* SPDX-License-Identifier: MIT */
/* ACPI firmware tables: find and check the RSDP, walk the RSDT/XSDT, read the MADT. */
#include <tally/acpi.h>
#include <tally/errno.h>
#include <tally/log.h>
#include <tally/string.h>

#define RSDP_SIGNATURE		"RSD PTR "
#define RSDP_REVISION_2		2	/* ACPI 2.0: adds length, XSDT, extended checksum */
#define RSDP_SCAN_STEP		16	/* ACPI 6.5, 5.2.5.1 */
#define BDA_EBDA_SEGMENT	0x40Eull	/* BIOS data area word: EBDA segment */
#define REAL_MODE_SEG_SHIFT	4
#define EBDA_SCAN_LEN		KIB
#define BIOS_ROM_START		0xE0000ull
#define BIOS_ROM_END		0x100000ull
#define ACPI_SIG_LEN		4
#define ACPI_SIG_RSDT		"RSDT"
#define ACPI_SIG_XSDT		"XSDT"
#define ACPI_SIG_MADT		"APIC"
#define ACPI_TABLE_MAX_LEN	MIB	/* far beyond any real root table or MADT */
#define XAPIC_ID_INVALID	0xFFu	/* a LAPIC entry naming no processor */
#define X2APIC_ID_INVALID	0xFFFFFFFFu

/* State of one acpi_parse() call. */
struct acpi_walk {
	phys_read_fn read;
	void *ctx;
	struct acpi_info *out;
	bool ioapics_full;	/* already logged that some were dropped */
	bool overrides_full;
	bool tables_full;
};

/* Byte sum; an ACPI structure is valid when its sum is 0 (ACPI 6.5, 5.2.5.3). */
static uint8_t acpi_sum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return sum;
}

/* Check an RSDP of len bytes: signature, checksums, length.  0 or -EINVAL. */
int acpi_rsdp_check(const void *rsdp, size_t len)
{
	struct acpi_rsdp r;

	if (!rsdp || len < ACPI_RSDP_V1_LEN)
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	memcpy(&r, rsdp, MIN(len, sizeof(r)));
	if (memcmp(r.signature, RSDP_SIGNATURE, sizeof(r.signature)) ||
	    acpi_sum(rsdp, ACPI_RSDP_V1_LEN))
		return -EINVAL;
	if (r.revision < RSDP_REVISION_2)
		return 0;
	if (len < ACPI_RSDP_V2_LEN || r.length < ACPI_RSDP_V2_LEN || r.length > len ||
	    acpi_sum(rsdp, r.length))
		return -EINVAL;
	return 0;
}

/* Look for an RSDP in [start, start + len) on 16-byte boundaries. */
static int scan_area(phys_read_fn read, void *ctx, uint64_t start, uint64_t len,
		     uint64_t *pa)
{
	const uint8_t *area = read(start, len, ctx);
	uint64_t off;

	if (!area) {
		log_warn("acpi: cannot read 0x%llx-0x%llx to look for the RSDP",
			 (unsigned long long)start, (unsigned long long)(start + len));
		return -ENOENT;
	}
	for (off = 0; off + ACPI_RSDP_V1_LEN <= len; off += RSDP_SCAN_STEP) {
		if (!acpi_rsdp_check(area + off, MIN(len - off, ACPI_RSDP_V2_LEN))) {
			*pa = start + off;
			return 0;
		}
	}
	return -ENOENT;
}

/* Scan the EBDA's first KiB, then the BIOS ROM area; 0 with *pa, or -ENOENT. */
int acpi_find_rsdp(phys_read_fn read, void *ctx, uint64_t *pa)
{
	const void *bda = read(BDA_EBDA_SEGMENT, sizeof(uint16_t), ctx);
	uint16_t segment = 0;

	if (bda)
		memcpy(&segment, bda, sizeof(segment));
	if (segment &&
	    !scan_area(read, ctx, (uint64_t)segment << REAL_MODE_SEG_SHIFT,
		       EBDA_SCAN_LEN, pa))
		return 0;
	if (!scan_area(read, ctx, BIOS_ROM_START, BIOS_ROM_END - BIOS_ROM_START, pa))
		return 0;
	log_warn("acpi: no RSDP in the EBDA or the BIOS area");
	return -ENOENT;
}

/* True if the table at @pa is readable and carries signature @sig. */
static bool table_has_signature(struct acpi_walk *w, uint64_t pa, const char *sig)
{
	const struct acpi_sdt_header *h = w->read(pa, sizeof(*h), w->ctx);

	return h && !memcmp(h->signature, sig, ACPI_SIG_LEN);
}

/*
 * Read the table at @pa: its header first, then, once its length is known
 * to be sane, all of it.  Returns it (valid until the next read) after
 * checking signature, length and checksum, or NULL after logging why not.
 */
static const struct acpi_sdt_header *load_table(struct acpi_walk *w, uint64_t pa,
						 const char *sig, uint32_t min_len)
{
	const struct acpi_sdt_header *h = w->read(pa, sizeof(*h), w->ctx);
	uint32_t len;

	if (!h || memcmp(h->signature, sig, ACPI_SIG_LEN)) {
		log_err("acpi: no %s at 0x%llx", sig, (unsigned long long)pa);
		return NULL;
	}
	len = h->length;
	if (len < min_len || len > ACPI_TABLE_MAX_LEN) {
		log_err("acpi: %s at 0x%llx has bad length %u", sig,
			(unsigned long long)pa, len);
		return NULL;
	}
	h = w->read(pa, len, w->ctx);
	if (!h || h->length != len || acpi_sum(h, len)) {
		log_err("acpi: %s at 0x%llx unreadable or bad checksum", sig,
			(unsigned long long)pa);
		return NULL;
	}
	return h;
}

/* Remember a table's range so that the frame allocator leaves it alone. */
static void record_table(struct acpi_walk *w, uint64_t pa, uint64_t len)
{
	struct acpi_info *out = w->out;

	if (out->table_count == ACPI_MAX_TABLES) {
		if (!w->tables_full)
			log_warn("acpi: more than %u tables to keep", ACPI_MAX_TABLES);
		w->tables_full = true;
		return;
	}
	out->tables[out->table_count++] = (struct acpi_table_range){ pa, len };
}

/*
 * Add a processor the firmware lets us start: enabled, or online-capable
 * (ACPI 6.5, table 5.23).  The first entry for an APIC ID wins.
 */
static void add_cpu(struct acpi_walk *w, uint32_t apic_id, uint32_t uid, uint32_t flags)
{
	struct acpi_info *out = w->out;
	unsigned int i;

	if (!(flags & (ACPI_MADT_ENABLED | ACPI_MADT_ONLINE_CAPABLE)))
		return;
	for (i = 0; i < out->cpu_count; i++) {
		if (out->cpus[i].apic_id == apic_id) {
			log_warn("acpi: MADT lists APIC ID %u twice, UID %u ignored",
				 apic_id, uid);
			return;
		}
	}
	if (out->cpu_count == ACPI_MAX_CPUS) {
		if (!out->cpus_ignored)
			log_warn("acpi: more than %u CPUs, the rest ignored",
				 ACPI_MAX_CPUS);
		out->cpus_ignored++;
		return;
	}
	out->cpus[out->cpu_count++] = (struct acpi_cpu){ apic_id, uid };
}

static void madt_lapic(struct acpi_walk *w, const struct acpi_madt_entry *e)
{
	const struct acpi_madt_lapic *l = (const void *)e;

	/* Firmware for x2APIC machines pads with ID 0xFF entries; Linux skips them too. */
	if (l->apic_id != XAPIC_ID_INVALID)
		add_cpu(w, l->apic_id, l->acpi_uid, l->flags);
}

static void madt_x2apic(struct acpi_walk *w, const struct acpi_madt_entry *e)
{
	const struct acpi_madt_x2apic *x = (const void *)e;

	if (x->x2apic_id != X2APIC_ID_INVALID)
		add_cpu(w, x->x2apic_id, x->acpi_uid, x->flags);
}

static void madt_ioapic(struct acpi_walk *w, const struct acpi_madt_entry *e)
{
	const struct acpi_madt_ioapic *io = (const void *)e;
	struct acpi_info *out = w->out;

	if (out->ioapic_count == ACPI_MAX_IOAPICS) {
		if (!w->ioapics_full)
			log_warn("acpi: more than %u I/O APICs, the rest ignored",
				 ACPI_MAX_IOAPICS);
		w->ioapics_full = true;
		return;
	}
	out->ioapics[out->ioapic_count++] =
		(struct acpi_ioapic){ io->id, io->address, io->gsi_base };
}

static void madt_override(struct acpi_walk *w, const struct acpi_madt_entry *e)
{
	const struct acpi_madt_override *o = (const void *)e;
	struct acpi_info *out = w->out;

	if (out->override_count == ACPI_MAX_OVERRIDES) {
		if (!w->overrides_full)
			log_warn("acpi: more than %u interrupt overrides, the rest ignored",
				 ACPI_MAX_OVERRIDES);
		w->overrides_full = true;
		return;
	}
	out->overrides[out->override_count++] =
		(struct acpi_override){ o->source, o->gsi, o->flags };
}

static void madt_lapic_addr(struct acpi_walk *w, const struct acpi_madt_entry *e)
{
	w->out->lapic_address = ((const struct acpi_madt_lapic_addr *)e)->address;
}

/* MADT entries Tally reads, with the smallest length each may have. */
static const struct {
	uint8_t type;
	uint8_t min_len;
	void (*parse)(struct acpi_walk *w, const struct acpi_madt_entry *e);
} madt_parsers[] = {
	{ ACPI_MADT_LAPIC, sizeof(struct acpi_madt_lapic), madt_lapic },
	{ ACPI_MADT_IOAPIC, sizeof(struct acpi_madt_ioapic), madt_ioapic },
	{ ACPI_MADT_INT_OVERRIDE, sizeof(struct acpi_madt_override), madt_override },
	{ ACPI_MADT_LAPIC_ADDR_OVERRIDE, sizeof(struct acpi_madt_lapic_addr),
	  madt_lapic_addr },
	{ ACPI_MADT_X2APIC, sizeof(struct acpi_madt_x2apic), madt_x2apic },
};

/* Parse one entry already known to lie inside the MADT; false if it is too short. */
static bool madt_entry(struct acpi_walk *w, const struct acpi_madt_entry *e)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(madt_parsers); i++) {
		if (madt_parsers[i].type != e->type)
			continue;
		if (e->length < madt_parsers[i].min_len)
			return false;
		madt_parsers[i].parse(w, e);
		return true;
	}
	return true;	/* a type Tally does not use */
}

/* Walk the MADT's entries; after a bad length the next entry cannot be found. */
static void parse_madt(struct acpi_walk *w, const struct acpi_madt *madt)
{
	const uint8_t *base = (const uint8_t *)madt;
	uint32_t len = madt->header.length, off = sizeof(*madt);

	w->out->lapic_address = madt->lapic_address;
	while (len - off >= sizeof(struct acpi_madt_entry)) {
		const struct acpi_madt_entry *e = (const void *)(base + off);

		if (e->length < sizeof(*e) || e->length > len - off ||
		    !madt_entry(w, e)) {
			log_warn("acpi: MADT entry type %u at offset %u has bad length %u, "
				 "rest ignored", e->type, off, e->length);
			return;
		}
		off += e->length;
	}
}

/* Read root table entry @i (32 or 64 bits wide) into *@pa. */
static bool root_entry(struct acpi_walk *w, uint64_t root_pa, uint64_t i,
		       size_t width, uint64_t *pa)
{
	uint64_t at = root_pa + sizeof(struct acpi_sdt_header) + i * width;
	const void *p = w->read(at, width, w->ctx);

	*pa = 0;
	if (!p)
		return false;
	memcpy(pa, p, width);	/* little-endian; XSDT entries are only 4-aligned */
	return true;
}

/*
 * Keep every table the root lists (FADT, DSDT, MADT...) from the allocator,
 * by the length in its header: even a table Tally does not use belongs to
 * the firmware.
 */
static void record_listed_tables(struct acpi_walk *w, uint64_t root_pa, uint32_t root_len,
				 size_t width)
{
	uint64_t count = (root_len - sizeof(struct acpi_sdt_header)) / width, pa;

	for (uint64_t i = 0; i < count; i++) {
		const struct acpi_sdt_header *h;

		if (!root_entry(w, root_pa, i, width, &pa) || !pa)
			continue;
		h = w->read(pa, sizeof(*h), w->ctx);
		if (h && h->length >= sizeof(*h) && h->length <= ACPI_TABLE_MAX_LEN)
			record_table(w, pa, h->length);
	}
}

/* Find the first valid MADT the root table lists and parse it: 0 or -ENOENT. */
static int find_madt(struct acpi_walk *w, uint64_t root_pa, uint32_t root_len,
		     size_t width)
{
	uint64_t count = (root_len - sizeof(struct acpi_sdt_header)) / width, i, pa;
	const struct acpi_sdt_header *h;
	bool bad = false;

	for (i = 0; i < count; i++) {
		if (!root_entry(w, root_pa, i, width, &pa) || !pa ||
		    !table_has_signature(w, pa, ACPI_SIG_MADT))
			continue;
		h = load_table(w, pa, ACPI_SIG_MADT, sizeof(struct acpi_madt));
		if (!h) {
			bad = true;
			continue;
		}
		parse_madt(w, (const struct acpi_madt *)h);
		return 0;
	}
	log_err("acpi: no %sMADT", bad ? "valid " : "");
	return -ENOENT;
}

/* Parse RSDP -> XSDT/RSDT -> MADT into out: 0, -EINVAL (RSDP/root) or -ENOENT. */
int acpi_parse(const void *rsdp, size_t len, phys_read_fn read, void *ctx,
	       struct acpi_info *out)
{
	struct acpi_walk w = { .read = read, .ctx = ctx, .out = out };
	const struct acpi_sdt_header *root;
	struct acpi_rsdp r;
	uint64_t root_pa;
	uint32_t root_len;
	size_t width;

	memset(out, 0, sizeof(*out));
	if (!read || acpi_rsdp_check(rsdp, len)) {
		log_err("acpi: invalid RSDP");
		return -EINVAL;
	}
	/* Fields past the first 20 bytes exist only from revision 2 on. */
	memset(&r, 0, sizeof(r));
	memcpy(&r, rsdp, MIN(len, sizeof(r)));
	out->revision = r.revision;
	out->xsdt = r.revision >= RSDP_REVISION_2 && r.xsdt_address;
	root_pa = out->xsdt ? r.xsdt_address : r.rsdt_address;
	root = load_table(&w, root_pa, out->xsdt ? ACPI_SIG_XSDT : ACPI_SIG_RSDT,
			  sizeof(*root));
	if (!root)
		return -EINVAL;
	root_len = root->length;
	record_table(&w, root_pa, root_len);
	width = out->xsdt ? sizeof(uint64_t) : sizeof(uint32_t);
	record_listed_tables(&w, root_pa, root_len, width);
	return find_madt(&w, root_pa, root_len, width);
}
