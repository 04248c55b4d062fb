/* SPDX-License-Identifier: MIT */
/*
 * Per-domain ACPI tables (see tally/vacpi.h): a hardware-reduced ACPI 6.x
 * platform, as QEMU's microvm offers Linux: RSDP -> XSDT -> FADT (-> DSDT)
 * and MADT.  Pure: writes only into the guest RAM window it is given.
 */
#include <tally/acpi_tables.h>
#include <tally/aml.h>
#include <tally/errno.h>
#include <tally/string.h>
#include <tally/uart16550.h>
#include <tally/vacpi.h>
#include <tally/vplatform.h>

#define TABLE_ALIGN		16	/* the RSDP's scan step (ACPI 6.5, 5.2.5.1); enough for all */
#define RSDP_REVISION		2	/* ACPI 2.0+: XSDT and extended checksum */
#define XSDT_REVISION		1
#define FADT_REVISION		6	/* ACPI 6.x (5.2.9) */
#define FADT_MINOR_VERSION	4	/* ACPI 6.4 */
#define MADT_REVISION		5	/* ACPI 6.4 (5.2.12) */
#define DSDT_REVISION		2	/* 64-bit AML integers (5.2.11.1) */
#define OEM_ID			"TALLY "
#define OEM_TABLE_ID		"TALLYVM "
#define OEM_REVISION		1
#define CREATOR_ID		"TLLY"
#define CREATOR_REVISION	1
#define XSDT_ENTRIES		2	/* FADT, MADT */
#define MADT_BUS_ISA		0	/* an override's bus: ISA (5.2.12.5) */
#define LAPIC_LINT1		1	/* where a PC wires NMI */
#define APIC_ID_NONE		0xFF
#define GAS_BITS_BYTE		8
#define COM1_UID		1
#define MAX_32BIT		0x100000000ull

/* Where each table went in the window (offsets from VPLATFORM_ACPI_BASE). */
struct layout {
	uint8_t *win;
	uint64_t used;
	uint64_t xsdt, fadt, madt, dsdt;
};

static uint8_t checksum_of(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return (uint8_t)-sum;
}

/* Reserve @len bytes at the next aligned offset: the offset, or -ENOSPC. */
static int64_t reserve(struct layout *l, uint64_t len)
{
	uint64_t at = ALIGN_UP(l->used, TABLE_ALIGN);

	if (at > VPLATFORM_ACPI_SIZE || len > VPLATFORM_ACPI_SIZE - at)
		return -ENOSPC;
	l->used = at + len;
	return (int64_t)at;
}

static uint64_t gpa_of(uint64_t off)
{
	return VPLATFORM_ACPI_BASE + off;
}

static void fill_header(struct acpi_sdt_header *h, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(h->signature, sig, sizeof(h->signature));
	h->length = len;
	h->revision = rev;
	memcpy(h->oem_id, OEM_ID, sizeof(h->oem_id));
	memcpy(h->oem_table_id, OEM_TABLE_ID, sizeof(h->oem_table_id));
	h->oem_revision = OEM_REVISION;
	memcpy(&h->creator_id, CREATOR_ID, sizeof(h->creator_id));
	h->creator_revision = CREATOR_REVISION;
	h->checksum = 0;
	h->checksum = checksum_of(h, len);
}

static bool hid_valid(const char *hid)
{
	size_t n = hid ? strlen(hid) : 0;

	if (!n || n > VACPI_HID_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((hid[i] >= 'A' && hid[i] <= 'Z') || (hid[i] >= '0' && hid[i] <= '9')))
			return false;
	return true;
}

static bool device_valid(const struct vacpi_device *dev)
{
	if (!aml_nameseg_valid(dev->name) || !strcmp(dev->name, "COM1") ||
	    !hid_valid(dev->hid) || dev->mmio_count > VACPI_DEVICE_MAX_MMIO ||
	    (dev->has_irq && dev->gsi >= VPLATFORM_IOAPIC_PINS))
		return false;
	for (unsigned int i = 0; i < dev->mmio_count; i++) {
		const struct vacpi_mmio *m = &dev->mmio[i];

		/* Memory32Fixed: the whole range below 4 GiB. */
		if (!m->size || m->base >= MAX_32BIT || m->size > MAX_32BIT - m->base)
			return false;
	}
	return true;
}

static bool config_valid(const struct vacpi_config *cfg)
{
	if (!cfg->vcpu_count || cfg->vcpu_count > VACPI_MAX_VCPUS ||
	    cfg->device_count > VACPI_MAX_DEVICES || (cfg->device_count && !cfg->devices))
		return false;
	for (unsigned int i = 0; i < cfg->device_count; i++) {
		if (!device_valid(&cfg->devices[i]))
			return false;
		for (unsigned int j = 0; j < i; j++)	/* names are unique in \_SB */
			if (!strcmp(cfg->devices[i].name, cfg->devices[j].name))
				return false;
	}
	return true;
}

/* \_SB.COM1: the 16550 at VPLATFORM_UART_PORT on ISA IRQ 4, as Linux's 8250 PNP driver finds it. */
static void aml_com1(struct aml_buf *b)
{
	aml_device_begin(b, "COM1");
	aml_name(b, "_HID");
	aml_eisaid(b, "PNP0501");	/* 16550A-compatible COM port */
	aml_name(b, "_UID");
	aml_integer(b, COM1_UID);
	aml_name(b, "_CRS");
	aml_buffer_begin(b);
	aml_res_io16(b, VPLATFORM_UART_PORT, UART16550_REGS);
	aml_res_irq_noflags(b, VPLATFORM_UART_GSI);
	aml_res_end(b);
	aml_end(b);
	aml_end(b);
}

static void aml_device(struct aml_buf *b, const struct vacpi_device *dev)
{
	aml_device_begin(b, dev->name);
	aml_name(b, "_HID");
	aml_string(b, dev->hid);
	aml_name(b, "_UID");
	aml_integer(b, dev->uid);
	aml_name(b, "_CRS");
	aml_buffer_begin(b);
	for (unsigned int i = 0; i < dev->mmio_count; i++)
		aml_res_mem32_fixed(b, (uint32_t)dev->mmio[i].base, (uint32_t)dev->mmio[i].size);
	if (dev->has_irq)
		aml_res_interrupt(b, dev->gsi, dev->level);
	aml_res_end(b);
	aml_end(b);
	aml_end(b);
}

/* The DSDT's AML: \_S5 (4.8.3.7: SLP_TYP for the sleep control register), \_SB's devices. */
static int build_dsdt_aml(uint8_t *p, size_t cap, const struct vacpi_config *cfg, size_t *len)
{
	struct aml_buf b;

	aml_init(&b, p, cap);
	aml_name(&b, "\\_S5");
	aml_package_begin(&b, 4);	/* SLP_TYPa, SLP_TYPb, reserved, reserved (7.4.2) */
	aml_integer(&b, VPLATFORM_SLP_TYP_S5);
	aml_integer(&b, VPLATFORM_SLP_TYP_S5);
	aml_integer(&b, 0);
	aml_integer(&b, 0);
	aml_end(&b);
	aml_scope_begin(&b, "\\_SB");
	aml_com1(&b);
	for (unsigned int i = 0; i < cfg->device_count; i++)
		aml_device(&b, &cfg->devices[i]);
	aml_end(&b);
	return aml_finish(&b, len);
}

static int build_dsdt(struct layout *l, const struct vacpi_config *cfg)
{
	uint64_t at = ALIGN_UP(l->used, TABLE_ALIGN), room;
	struct acpi_sdt_header *h = (void *)(l->win + at);
	size_t aml_len;
	int err;

	if (at + sizeof(*h) > VPLATFORM_ACPI_SIZE)
		return -ENOSPC;
	room = VPLATFORM_ACPI_SIZE - at - sizeof(*h);
	err = build_dsdt_aml((uint8_t *)(h + 1), room, cfg, &aml_len);
	if (err)
		return err;
	l->dsdt = at;
	l->used = at + sizeof(*h) + aml_len;
	fill_header(h, "DSDT", (uint32_t)(sizeof(*h) + aml_len), DSDT_REVISION);
	return 0;
}

static void *madt_put(uint8_t **p, uint8_t type, uint8_t len)
{
	struct acpi_madt_entry *e = (void *)*p;

	e->type = type;
	e->length = len;
	*p += len;
	return e;
}

static void madt_override(uint8_t **p, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	struct acpi_madt_override *o = madt_put(p, ACPI_MADT_INT_OVERRIDE, sizeof(*o));

	o->bus = MADT_BUS_ISA;
	o->source = irq;
	o->gsi = gsi;
	o->flags = flags;
}

/* MADT (5.2.12): a local APIC per vCPU, the I/O APIC, ISA overrides, the NMI line. */
static int build_madt(struct layout *l, unsigned int vcpus)
{
	uint64_t len = sizeof(struct acpi_madt) + vcpus * sizeof(struct acpi_madt_lapic) +
		       sizeof(struct acpi_madt_ioapic) + 2 * sizeof(struct acpi_madt_override) +
		       sizeof(struct acpi_madt_lapic_nmi);
	int64_t at = reserve(l, len);
	struct acpi_madt *madt;
	struct acpi_madt_ioapic *io;
	struct acpi_madt_lapic_nmi *nmi;
	uint8_t *p;

	if (at < 0)
		return (int)at;
	l->madt = (uint64_t)at;
	madt = (void *)(l->win + at);
	madt->lapic_address = (uint32_t)VPLATFORM_LAPIC_BASE;
	madt->flags = 0;	/* no PCAT_COMPAT: there is no 8259 to mask */
	p = (uint8_t *)(madt + 1);
	for (unsigned int i = 0; i < vcpus; i++) {
		struct acpi_madt_lapic *lapic = madt_put(&p, ACPI_MADT_LAPIC, sizeof(*lapic));

		lapic->acpi_uid = (uint8_t)i;
		lapic->apic_id = (uint8_t)i;
		lapic->flags = ACPI_MADT_ENABLED;
	}
	io = madt_put(&p, ACPI_MADT_IOAPIC, sizeof(*io));
	io->id = VPLATFORM_IOAPIC_ID;
	io->address = (uint32_t)VPLATFORM_IOAPIC_BASE;
	io->gsi_base = 0;
	/* ISA IRQs are identity-mapped, edge and active high, but for these two. */
	madt_override(&p, VPLATFORM_TIMER_IRQ, VPLATFORM_TIMER_GSI, 0);
	madt_override(&p, VPLATFORM_SCI_GSI, VPLATFORM_SCI_GSI,
		      ACPI_INTI_ACTIVE_HIGH | ACPI_INTI_LEVEL);
	nmi = madt_put(&p, ACPI_MADT_LAPIC_NMI, sizeof(*nmi));
	nmi->acpi_uid = ACPI_MADT_ALL_PROCESSORS;
	nmi->flags = ACPI_INTI_ACTIVE_HIGH | ACPI_INTI_EDGE;
	nmi->lint = LAPIC_LINT1;
	fill_header(&madt->header, "APIC", (uint32_t)len, MADT_REVISION);
	return 0;
}

static struct acpi_gas io_byte_reg(uint16_t port)
{
	return (struct acpi_gas){ .space_id = ACPI_GAS_SPACE_IO, .bit_width = GAS_BITS_BYTE,
				  .access_size = ACPI_GAS_ACCESS_BYTE, .address = port };
}

/*
 * FADT (5.2.9): hardware-reduced (4.1), so no PM1/GPE blocks; sleep through
 * the sleep control/status registers, reset through the reset register.
 * No VGA and no MSI; the CMOS RTC at VPLATFORM_RTC_PORT is present; the
 * 8042 is not announced (only its reset command is modelled).
 */
static void fill_fadt(struct layout *l, struct acpi_fadt *f)
{
	f->x_dsdt = gpa_of(l->dsdt);	/* DSDT left 0: X_DSDT is set (table 5.9) */
	f->sci_int = VPLATFORM_SCI_GSI;
	f->iapc_boot_arch = ACPI_FADT_BOOT_NO_VGA | ACPI_FADT_BOOT_NO_MSI;
	f->flags = ACPI_FADT_WBINVD | ACPI_FADT_RESET_REG_SUP | ACPI_FADT_HW_REDUCED_ACPI;
	f->reset_reg = io_byte_reg(VPLATFORM_RESET_PORT);
	f->reset_value = VPLATFORM_RESET_VALUE;
	f->minor_version = FADT_MINOR_VERSION;
	f->sleep_control_reg = io_byte_reg(VPLATFORM_PM_PORT);
	f->sleep_status_reg = io_byte_reg(VPLATFORM_PM_PORT + 1);
	fill_header(&f->header, "FACP", sizeof(*f), FADT_REVISION);
}

static void fill_xsdt(struct layout *l)
{
	struct acpi_sdt_header *h = (void *)(l->win + l->xsdt);
	uint64_t entries[XSDT_ENTRIES] = { gpa_of(l->fadt), gpa_of(l->madt) };

	memcpy(h + 1, entries, sizeof(entries));	/* only 4-byte aligned (5.2.8) */
	fill_header(h, "XSDT", sizeof(*h) + sizeof(entries), XSDT_REVISION);
}

static void fill_rsdp(struct layout *l)
{
	struct acpi_rsdp *r = (void *)l->win;

	memcpy(r->signature, "RSD PTR ", sizeof(r->signature));
	memcpy(r->oem_id, OEM_ID, sizeof(r->oem_id));
	r->revision = RSDP_REVISION;
	r->rsdt_address = 0;	/* no RSDT: an ACPI 2.0+ OS uses the XSDT */
	r->length = sizeof(*r);
	r->xsdt_address = gpa_of(l->xsdt);
	r->checksum = checksum_of(r, ACPI_RSDP_V1_LEN);
	r->extended_checksum = checksum_of(r, sizeof(*r));
}

/* Write @cfg's tables into the ACPI window of @ram: 0, -EINVAL or -ENOSPC (window cleared). */
int vacpi_build(uint8_t *ram, uint64_t ram_bytes, const struct vacpi_config *cfg,
		uint64_t *rsdp_gpa)
{
	struct layout l = { 0 };
	int64_t at;
	int err;

	if (!ram || !cfg || !rsdp_gpa || ram_bytes < VPLATFORM_ACPI_BASE + VPLATFORM_ACPI_SIZE ||
	    !config_valid(cfg))
		return -EINVAL;
	l.win = ram + VPLATFORM_ACPI_BASE;
	memset(l.win, 0, VPLATFORM_ACPI_SIZE);
	l.used = sizeof(struct acpi_rsdp);
	at = reserve(&l, sizeof(struct acpi_sdt_header) + XSDT_ENTRIES * sizeof(uint64_t));
	l.xsdt = (uint64_t)at;
	at = reserve(&l, sizeof(struct acpi_fadt));
	l.fadt = (uint64_t)at;
	err = build_madt(&l, cfg->vcpu_count);
	if (!err)
		err = build_dsdt(&l, cfg);
	if (err) {
		memset(l.win, 0, VPLATFORM_ACPI_SIZE);	/* no half-built tables */
		return err;
	}
	fill_fadt(&l, (struct acpi_fadt *)(l.win + l.fadt));
	fill_xsdt(&l);
	fill_rsdp(&l);
	*rsdp_gpa = VPLATFORM_ACPI_BASE;
	return 0;
}
