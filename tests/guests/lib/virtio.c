/* SPDX-License-Identifier: MIT */
/* Test-guest virtio-mmio driver: transport, split rings, interrupt line (virtio 1.2 2, 3.1, 4.2). */
#include "virtio.h"
#include "mem.h"
#include "tsc.h"
#include "x86.h"

#define IOAPIC_BASE		0xFEC00000u	/* VPLATFORM_IOAPIC_BASE */
#define IOAPIC_IOWIN		0x10
#define IOAPIC_REDIR(pin)	(0x10 + 2 * (pin))
#define IOAPIC_RTE_LEVEL	(1u << 15)	/* trigger mode (82093AA 3.2.4) */
#define IOAPIC_RTE_MASKED	(1u << 16)
#define IOAPIC_DEST_SHIFT	24		/* physical APIC ID in the high word */

/* The compiler must not move ring accesses across this; x86 keeps stores in order (TSO). */
static inline void barrier(void)
{
	asm volatile("" : : : "memory");
}

uint32_t vio_reg_read(const struct vio_dev *d, uint32_t off)
{
	return *(volatile uint32_t *)(uintptr_t)(d->base + off);
}

void vio_reg_write(const struct vio_dev *d, uint32_t off, uint32_t val)
{
	*(volatile uint32_t *)(uintptr_t)(d->base + off) = val;
}

int vio_probe(struct vio_dev *d, unsigned int slot, uint32_t device_id)
{
	memset(d, 0, sizeof(*d));
	d->slot = slot;
	d->base = (uint32_t)(VPLATFORM_VIRTIO_BASE + slot * VPLATFORM_VIRTIO_SLOT_SIZE);
	if (vio_reg_read(d, VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MMIO_MAGIC ||
	    vio_reg_read(d, VIRTIO_MMIO_VERSION) != VIRTIO_MMIO_VERSION_MODERN)
		return VIO_ENODEV;
	d->device_id = vio_reg_read(d, VIRTIO_MMIO_DEVICE_ID);
	if (d->device_id == 0 || (device_id && d->device_id != device_id))
		return VIO_ENODEV;
	return 0;
}

uint32_t vio_status(const struct vio_dev *d)
{
	return vio_reg_read(d, VIRTIO_MMIO_STATUS);
}

void vio_reset(const struct vio_dev *d)
{
	vio_reg_write(d, VIRTIO_MMIO_STATUS, 0);
	for (unsigned int i = 0; i < 1000 && vio_status(d) != 0; i++)
		cpu_relax();
}

/* The 64 feature bits, two 32-bit halves through the select register (4.2.2). */
static uint64_t read_features(const struct vio_dev *d)
{
	uint64_t f;

	vio_reg_write(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	f = (uint64_t)vio_reg_read(d, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	vio_reg_write(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	return f | vio_reg_read(d, VIRTIO_MMIO_DEVICE_FEATURES);
}

static void write_features(const struct vio_dev *d, uint64_t f)
{
	vio_reg_write(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vio_reg_write(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
	vio_reg_write(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vio_reg_write(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
}

/* 3.1.1 Driver Requirements: Device Initialization, steps 1-6. */
int vio_init(struct vio_dev *d, uint64_t wanted)
{
	uint32_t st = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;

	vio_reset(d);
	vio_reg_write(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	vio_reg_write(d, VIRTIO_MMIO_STATUS, st);
	d->offered = read_features(d);
	if (!(d->offered & (1ull << VIRTIO_F_VERSION_1))) {
		vio_reg_write(d, VIRTIO_MMIO_STATUS, st | VIRTIO_STATUS_FAILED);
		return VIO_EFEATURES;
	}
	d->features = d->offered & (wanted | (1ull << VIRTIO_F_VERSION_1));
	write_features(d, d->features);
	vio_reg_write(d, VIRTIO_MMIO_STATUS, st | VIRTIO_STATUS_FEATURES_OK);
	if (!(vio_status(d) & VIRTIO_STATUS_FEATURES_OK)) {
		vio_reg_write(d, VIRTIO_MMIO_STATUS, st | VIRTIO_STATUS_FAILED);
		return VIO_EFEATURES;
	}
	return 0;
}

void vio_driver_ok(const struct vio_dev *d)
{
	vio_reg_write(d, VIRTIO_MMIO_STATUS, vio_status(d) | VIRTIO_STATUS_DRIVER_OK);
}

bool vio_has(const struct vio_dev *d, unsigned int bit)
{
	return (d->features >> bit) & 1;
}

static void write_addr(const struct vio_dev *d, uint32_t low_off, const volatile void *p)
{
	vio_reg_write(d, low_off, (uint32_t)(uintptr_t)p);
	vio_reg_write(d, low_off + 4, 0);	/* the _HIGH register follows the _LOW one */
}

/* 4.2.3.2 Virtqueue Configuration. */
int vio_queue_setup(struct vio_dev *d, struct vio_queue *q, unsigned int index, unsigned int size)
{
	uint32_t max;

	if (size == 0 || size > VIO_QUEUE_MAX || (size & (size - 1)))
		return VIO_EINVAL;
	vio_reg_write(d, VIRTIO_MMIO_QUEUE_SEL, index);
	max = vio_reg_read(d, VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (max == 0 || vio_reg_read(d, VIRTIO_MMIO_QUEUE_READY))
		return VIO_EQUEUE;
	while (size > max)
		size >>= 1;
	memset(q, 0, sizeof(*q));
	q->dev = d;
	q->index = index;
	q->size = (uint16_t)size;
	q->num_free = q->size;
	for (unsigned int i = 0; i < size; i++)
		q->desc[i].next = (uint16_t)(i + 1);
	vio_reg_write(d, VIRTIO_MMIO_QUEUE_NUM, size);
	write_addr(d, VIRTIO_MMIO_QUEUE_DESC_LOW, q->desc);
	write_addr(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, q->avail);
	write_addr(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, q->used);
	vio_reg_write(d, VIRTIO_MMIO_QUEUE_READY, 1);
	return (int)size;
}

static void fill_desc(struct virtq_desc *desc, const struct vio_buf *b, bool more, uint16_t next)
{
	desc->addr = (uint32_t)(uintptr_t)b->addr;
	desc->len = b->len;
	desc->flags = (uint16_t)((b->write ? VIRTQ_DESC_F_WRITE : 0) | (more ? VIRTQ_DESC_F_NEXT : 0));
	desc->next = more ? next : 0;
}

/* Take @n descriptors off the free list, chained in order; the head. */
static uint16_t take_descs(struct vio_queue *q, const struct vio_buf *bufs, unsigned int n)
{
	uint16_t head = q->free_head, i = head;

	for (unsigned int k = 0; k < n; k++) {
		uint16_t next = q->desc[i].next;

		fill_desc(&q->desc[i], &bufs[k], k + 1 < n, next);
		if (k + 1 < n)
			i = next;
		else
			q->free_head = next;
	}
	q->num_free = (uint16_t)(q->num_free - n);
	q->chain_len[head] = (uint16_t)n;
	return head;
}

int vio_add(struct vio_queue *q, const struct vio_buf *bufs, unsigned int n, bool indirect)
{
	uint16_t head;

	if (n == 0 || (indirect && n > VIO_INDIRECT_MAX))
		return VIO_EINVAL;
	if (q->num_free < (indirect ? 1 : n))
		return VIO_ENOSPC;
	if (indirect) {
		struct vio_buf table = { 0, n * (uint32_t)sizeof(struct virtq_desc), false };

		head = q->free_head;
		for (unsigned int k = 0; k < n; k++)
			fill_desc(&q->indirect[head][k], &bufs[k], k + 1 < n, (uint16_t)(k + 1));
		table.addr = q->indirect[head];
		take_descs(q, &table, 1);
		q->desc[head].flags = VIRTQ_DESC_F_INDIRECT;
	} else {
		head = take_descs(q, bufs, n);
	}
	q->avail[2 + (q->avail_idx & (q->size - 1))] = head;
	q->avail_idx++;
	vio_publish(q);
	return head;
}

void vio_publish(struct vio_queue *q)
{
	barrier();	/* ring entries before the index (2.7.13) */
	q->avail[VIRTQ_AVAIL_IDX / 2] = q->avail_idx;
	barrier();
}

void vio_notify(const struct vio_queue *q)
{
	vio_reg_write(q->dev, VIRTIO_MMIO_QUEUE_NOTIFY, q->index);
}

uint16_t vio_used_idx(const struct vio_queue *q)
{
	return ((const volatile uint16_t *)q->used)[VIRTQ_USED_IDX / 2];
}

bool vio_poll_used(struct vio_queue *q, uint32_t *head, uint32_t *len)
{
	uint32_t slot, id, n, last;

	if (vio_used_idx(q) == q->last_used)
		return false;
	barrier();	/* the entry after the index that published it */
	slot = q->last_used & (q->size - 1u);
	id = q->used[1 + 2 * slot];
	*len = q->used[2 + 2 * slot];
	*head = id;
	q->last_used++;
	if (id >= q->size || q->chain_len[id] == 0)
		return true;	/* not ours: leak rather than corrupt the free list */
	n = q->chain_len[id];
	last = id;	/* put the chain back at the front of the free list */
	for (uint32_t k = 1; k < n; k++)
		last = q->desc[last].next;
	q->desc[last].next = q->free_head;
	q->free_head = (uint16_t)id;
	q->num_free = (uint16_t)(q->num_free + n);
	q->chain_len[id] = 0;
	return true;
}

bool vio_wait_used(struct vio_queue *q, uint32_t *head, uint32_t *len, uint32_t us)
{
	uint64_t end = rdtsc() + tsc_from_us(us);

	do {
		if (vio_poll_used(q, head, len))
			return true;
		cpu_relax();
	} while (rdtsc() < end);
	return false;
}

uint32_t vio_irq_ack(const struct vio_dev *d)
{
	uint32_t isr = vio_reg_read(d, VIRTIO_MMIO_INTERRUPT_STATUS);

	if (isr)
		vio_reg_write(d, VIRTIO_MMIO_INTERRUPT_ACK, isr);
	return isr;
}

static void ioapic_write(uint32_t reg, uint32_t val)
{
	*(volatile uint32_t *)(uintptr_t)IOAPIC_BASE = reg;
	*(volatile uint32_t *)(uintptr_t)(IOAPIC_BASE + IOAPIC_IOWIN) = val;
}

void vio_irq_route(const struct vio_dev *d, uint8_t vector)
{
	uint32_t pin = VPLATFORM_VIRTIO_GSI + d->slot;

	ioapic_write(IOAPIC_REDIR(pin) + 1, 0u << IOAPIC_DEST_SHIFT);
	ioapic_write(IOAPIC_REDIR(pin), IOAPIC_RTE_LEVEL | vector);	/* active high, fixed, physical */
}

void vio_irq_mask(const struct vio_dev *d)
{
	ioapic_write(IOAPIC_REDIR(VPLATFORM_VIRTIO_GSI + d->slot), IOAPIC_RTE_MASKED | IOAPIC_RTE_LEVEL);
}
