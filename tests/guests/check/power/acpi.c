/* SPDX-License-Identifier: MIT */
/* power: find the RSDP in the BIOS area, follow the XSDT to the FADT, MADT and DSDT, check their checksums. */
#include "guest.h"
#include "acpi.h"

#define BIOS_AREA_START		0xE0000u	/* ACPI 6.5, 5.2.5.1 */
#define BIOS_AREA_END		0x100000u
#define RSDP_STEP		16
#define RSDP_V1_LEN		20
#define RSDP_V2_LEN		36
#define RSDP_REVISION		15	/* offsets in the RSDP (5.2.5.3) */
#define RSDP_XSDT		24
#define HDR_LEN			36	/* the description header (5.2.6) */
#define HDR_LENGTH		4
#define FADT_FLAGS		112	/* offsets in the FADT (table 5.9) */
#define FADT_RESET_REG		116
#define FADT_RESET_VALUE	128
#define FADT_X_DSDT		140
#define FADT_SLEEP_CONTROL	244
#define FADT_SLEEP_STATUS	256
#define FADT_HW_REDUCED		(1u << 20)
#define GAS_SPACE_IO		1
#define GAS_ADDRESS		4
#define MADT_ENTRIES		44
#define MADT_LAPIC		0
#define MADT_LAPIC_ENABLED	1u
#define AML_PACKAGE_OP		0x12
#define AML_BYTE_PREFIX		0x0A
#define AML_ONE_OP		0x01
#define PKG_LEN_MORE_MASK	0xC0

static uint32_t rd32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool sums_to_zero(const uint8_t *p, uint32_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s == 0;
}

static const uint8_t *find_rsdp(void)
{
	for (uint32_t a = BIOS_AREA_START; a < BIOS_AREA_END; a += RSDP_STEP) {
		const uint8_t *p = (const uint8_t *)a;

		if (!memcmp(p, "RSD PTR ", 8) && sums_to_zero(p, RSDP_V1_LEN))
			return p;
	}
	return 0;
}

/* The table at @addr if it has signature @sig and a good checksum, else NULL. */
static const uint8_t *table(uint64_t addr, const char *sig)
{
	const uint8_t *t = (const uint8_t *)(uint32_t)addr;

	if (addr >> 32 || memcmp(t, sig, 4) || rd32(t + HDR_LENGTH) < HDR_LEN ||
	    !sums_to_zero(t, rd32(t + HDR_LENGTH)))
		return 0;
	return t;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static bool io_reg(const uint8_t *fadt, unsigned int off, uint16_t *port)
{
	*port = (uint16_t)rd64(fadt + off + GAS_ADDRESS);
	return fadt[off] == GAS_SPACE_IO && *port;
}

static unsigned int madt_lapics(const uint8_t *madt)
{
	uint32_t len = rd32(madt + HDR_LENGTH), off = MADT_ENTRIES;
	unsigned int n = 0;

	while (off + 2 <= len && madt[off + 1] >= 2) {
		if (madt[off] == MADT_LAPIC && (madt[off + 4] & MADT_LAPIC_ENABLED))
			n++;
		off += madt[off + 1];
	}
	return n;
}

/* \_S5's first element: Name(\_S5, Package(n) { SLP_TYPa, ... }); -1 if absent. */
static int s5_type(const uint8_t *dsdt)
{
	uint32_t len = rd32(dsdt + HDR_LENGTH);

	for (uint32_t i = HDR_LEN; i + 9 < len; i++) {
		const uint8_t *p = dsdt + i;

		if (memcmp(p, "_S5_", 4) || p[4] != AML_PACKAGE_OP || (p[5] & PKG_LEN_MORE_MASK))
			continue;
		if (p[7] == AML_BYTE_PREFIX)	/* p[6]: NumElements */
			return p[8];
		return p[7] <= AML_ONE_OP ? p[7] : -1;
	}
	return -1;
}

static bool read_fadt(const uint8_t *fadt, struct acpi_found *out)
{
	const uint8_t *dsdt = table(rd64(fadt + FADT_X_DSDT), "DSDT");
	int typ = dsdt ? s5_type(dsdt) : -1;

	guest_check(rd32(fadt + FADT_FLAGS) & FADT_HW_REDUCED, "FADT says hardware-reduced ACPI");
	if (!io_reg(fadt, FADT_SLEEP_CONTROL, &out->sleep_control) ||
	    !io_reg(fadt, FADT_SLEEP_STATUS, &out->sleep_status) ||
	    !io_reg(fadt, FADT_RESET_REG, &out->reset_port)) {
		guest_fail("FADT sleep or reset register is not an I/O port");
		return false;
	}
	out->reset_value = fadt[FADT_RESET_VALUE];
	if (!guest_check(typ >= 0, "DSDT (checksum ok) has \\_S5 with SLP_TYP %d", typ))
		return false;
	out->slp_typ_s5 = (uint8_t)typ;
	return true;
}

bool acpi_read(struct acpi_found *out)
{
	const uint8_t *rsdp = find_rsdp(), *xsdt, *fadt = 0, *madt = 0;

	if (!guest_check(rsdp && rsdp[RSDP_REVISION] >= 2 && sums_to_zero(rsdp, RSDP_V2_LEN),
			 "RSDP revision 2 at %p, both checksums good", rsdp))
		return false;
	out->rsdp = (uint32_t)rsdp;
	xsdt = table(rd64(rsdp + RSDP_XSDT), "XSDT");
	if (!guest_check(xsdt != 0, "XSDT checksum good"))
		return false;
	for (uint32_t off = HDR_LEN; off + 8 <= rd32(xsdt + HDR_LENGTH); off += 8) {
		fadt = fadt ? fadt : table(rd64(xsdt + off), "FACP");
		madt = madt ? madt : table(rd64(xsdt + off), "APIC");
	}
	if (!guest_check(fadt && madt, "XSDT lists a good FADT and MADT"))
		return false;
	out->lapics = madt_lapics(madt);
	return read_fadt(fadt, out);
}
