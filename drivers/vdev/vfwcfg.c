/* SPDX-License-Identifier: MIT */
/* QEMU's fw_cfg port interface (QEMU docs/specs/fw_cfg.rst) for kernels that probe it.
 *
 * Design: a read-only item table computed from the domain: the signature,
 * the ID (the traditional port interface, no DMA: its ports at +4 stay
 * unclaimed), the vCPU count and an empty file directory.  Any other key
 * reads 0, as QEMU answers an unknown one; data writes are ignored, as
 * QEMU has done since 2.4.  The selector is 16 bits wide; a byte write
 * selects the key with that low byte.  The data port is one byte: a wider
 * read returns successive bytes of the item, lowest first.
 * Locking: f->lock around every access; any vCPU of the domain, any CPU. */
#include <tally/domain.h>
#include <tally/vfwcfg.h>
#include <tally/vio.h>
#include <tally/vplatform.h>

#define SIGNATURE	"QEMU"
#define SIGNATURE_LEN	4
#define ID_LEN		4
#define NB_CPUS_LEN	2
#define FILE_DIR_LEN	4	/* the count alone: no entries follow */
#define BYTE_BITS	8

static uint8_t le_byte(uint32_t v, uint32_t offset, uint32_t len)
{
	return offset < len ? (uint8_t)(v >> (BYTE_BITS * offset)) : 0;
}

uint8_t vfwcfg_item_byte(uint16_t key, uint32_t offset, unsigned int vcpus)
{
	switch (key) {
	case FW_CFG_SIGNATURE:
		return offset < SIGNATURE_LEN ? (uint8_t)SIGNATURE[offset] : 0;
	case FW_CFG_ID:
		return le_byte(FW_CFG_ID_TRADITIONAL, offset, ID_LEN);
	case FW_CFG_NB_CPUS:
		return le_byte(vcpus, offset, NB_CPUS_LEN);
	case FW_CFG_FILE_DIR:
		return 0;	/* a big-endian count of 0, then nothing */
	default:
		return 0;
	}
}

void vfwcfg_select(struct vfwcfg *f, uint16_t key)
{
	f->key = key;
	f->offset = 0;
}

uint8_t vfwcfg_read(struct vfwcfg *f, unsigned int vcpus)
{
	uint8_t b = vfwcfg_item_byte(f->key, f->offset, vcpus);

	/* Past the end every read is 0; the offset stops counting there. */
	if (f->offset < UINT32_MAX)
		f->offset++;
	return b;
}

static uint32_t fwcfg_port_read(struct vcpu *v, uint16_t port, unsigned int size)
{
	struct vfwcfg *f = &v->domain->fwcfg;
	unsigned long flags;
	uint32_t val = 0;

	if (port == VPLATFORM_FWCFG_PORT)
		return ~0u;	/* the selector is write-only */
	flags = spin_lock_irqsave(&f->lock);
	for (unsigned int i = 0; i < size; i++)
		val |= (uint32_t)vfwcfg_read(f, v->domain->vcpu_count) << (BYTE_BITS * i);
	spin_unlock_irqrestore(&f->lock, flags);
	return val;
}

static void fwcfg_port_write(struct vcpu *v, uint16_t port, unsigned int size __unused,
			     uint32_t value)
{
	struct vfwcfg *f = &v->domain->fwcfg;
	unsigned long flags;

	if (port != VPLATFORM_FWCFG_PORT)
		return;
	flags = spin_lock_irqsave(&f->lock);
	vfwcfg_select(f, (uint16_t)value);
	spin_unlock_irqrestore(&f->lock, flags);
}

static const struct vio_port_ops fwcfg_ops = {
	.name = "fw_cfg",
	.read = fwcfg_port_read,
	.write = fwcfg_port_write,
};

int vfwcfg_register(void)
{
	return vio_register_ports(VPLATFORM_FWCFG_PORT, FW_CFG_PORT_COUNT, &fwcfg_ops);
}
