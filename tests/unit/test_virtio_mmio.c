/* SPDX-License-Identifier: MIT */
/* Unit tests: the virtio-mmio register file (drivers/vdev/virtio_mmio.c) over a fake device. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <tally/domain.h>
#include <tally/errno.h>
#include <tally/vacpi.h>
#include <tally/vblk.h>
#include <tally/virtio_mmio.h>
#include <tally/vmmio.h>
#include <tally/vnet.h>
#include <tally/vplatform.h>

#include "shim.h"

#define GUEST_BYTES	0x10000
#define DESC_GPA	0x1000
#define AVAIL_GPA	0x2000
#define USED_GPA	0x3000
#define QSIZE		8
#define DEV_FEATURE	5		/* the fake device's own feature bit */
#define CONFIG_BYTES	8

static uint8_t guest[GUEST_BYTES];
static struct domain dom;
static struct spinlock lock;
static struct virtio_dev dev;

/* The fake device's record of what the transport asked of it. */
static struct {
	unsigned int notifies, resets, last_queue;
	int notify_result;
	uint8_t config[CONFIG_BYTES];
} fake;

/* The I/O APIC line as the transport drove it. */
static struct {
	unsigned int gsi, calls;
	bool level;
} line;

static char last_log[256];
static unsigned int log_lines;

void domain_irq_set(struct domain *d, unsigned int gsi, bool asserted)
{
	assert_ptr_equal(d, &dom);
	line.gsi = gsi;
	line.level = asserted;
	line.calls++;
}

void log_guest(struct domain *d, enum log_level level, const char *fmt, ...)
{
	va_list ap;

	(void)d;
	(void)level;
	va_start(ap, fmt);
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
	va_end(ap);
	log_lines++;
}

static int fake_config_read(struct virtio_dev *d, unsigned int off, unsigned int size,
			    uint64_t *val)
{
	(void)d;
	if (off + size > CONFIG_BYTES)
		return -EINVAL;
	*val = 0;
	memcpy(val, &fake.config[off], size);
	return 0;
}

static int fake_config_write(struct virtio_dev *d, unsigned int off, unsigned int size,
			     uint64_t val)
{
	(void)d;
	if (off + size > CONFIG_BYTES)
		return -EINVAL;
	memcpy(&fake.config[off], &val, size);
	return 0;
}

static int fake_notify(struct virtio_dev *d, struct vcpu *v, unsigned int q)
{
	(void)d;
	(void)v;
	fake.notifies++;
	fake.last_queue = q;
	return fake.notify_result;
}

static void fake_reset(struct virtio_dev *d)
{
	(void)d;
	fake.resets++;
}

static const struct virtio_dev_ops fake_ops = {
	.name = "net", .device_id = VIRTIO_ID_NET, .queues = 2,
	.config_read = fake_config_read, .config_write = fake_config_write,
	.notify = fake_notify, .reset = fake_reset,
};

static int setup(void **state __unused)
{
	memset(guest, 0, sizeof(guest));
	memset(&dom, 0, sizeof(dom));
	dom.id = 3;
	strcpy(dom.name, "vm");
	dom.mem = (struct guest_mem){ .base = guest, .size = GUEST_BYTES };
	memset(&fake, 0, sizeof(fake));
	memset(&line, 0, sizeof(line));
	log_lines = 0;
	last_log[0] = '\0';
	assert_int_equal(virtio_dev_attach(&dom, &dev, VPLATFORM_VIRTIO_NET_SLOT, &fake_ops,
					   1ull << DEV_FEATURE, &lock, &fake), 0);
	return 0;
}

static uint32_t rd(unsigned int off)
{
	uint64_t val = ~0ull;

	assert_int_equal(virtio_mmio_read(&dev, NULL, off, 4, &val), 0);
	return (uint32_t)val;
}

static int wr(unsigned int off, uint32_t val)
{
	return virtio_mmio_write(&dev, NULL, off, 4, val);
}

/* 3.1.1 steps 1-6 accepting @features; returns the status read back. */
static uint32_t negotiate(uint64_t features)
{
	assert_int_equal(wr(VIRTIO_MMIO_STATUS, 0), 0);
	assert_int_equal(wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE), 0);
	assert_int_equal(wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER), 0);
	for (uint32_t sel = 0; sel < 2; sel++) {
		assert_int_equal(wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, sel), 0);
		assert_int_equal(wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> (32 * sel))), 0);
	}
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
	   VIRTIO_STATUS_FEATURES_OK);
	return rd(VIRTIO_MMIO_STATUS);
}

static void setup_queue(uint32_t q, uint32_t size, uint64_t desc)
{
	assert_int_equal(wr(VIRTIO_MMIO_QUEUE_SEL, q), 0);
	assert_int_equal(wr(VIRTIO_MMIO_QUEUE_NUM, size), 0);
	assert_int_equal(wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc), 0);
	assert_int_equal(wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32)), 0);
	assert_int_equal(wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, AVAIL_GPA + 0x100 * q), 0);
	assert_int_equal(wr(VIRTIO_MMIO_QUEUE_DRIVER_HIGH, 0), 0);
	assert_int_equal(wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, USED_GPA + 0x100 * q), 0);
	assert_int_equal(wr(VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 0), 0);
	assert_int_equal(wr(VIRTIO_MMIO_QUEUE_READY, 1), 0);
}

#define F(bit)		(1ull << (bit))
#define GOOD_FEATURES	(F(VIRTIO_F_VERSION_1) | F(VIRTIO_F_EVENT_IDX) | F(DEV_FEATURE))
#define S_FEATURES	(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK)

/* A device brought up as Linux does: both queues, DRIVER_OK. */
static void bring_up(void)
{
	assert_int_equal(negotiate(GOOD_FEATURES), S_FEATURES);
	setup_queue(0, QSIZE, DESC_GPA);
	setup_queue(1, QSIZE, DESC_GPA + 0x800);
	assert_int_equal(wr(VIRTIO_MMIO_STATUS, S_FEATURES | VIRTIO_STATUS_DRIVER_OK), 0);
	assert_true(virtio_dev_live(&dev));
}

static void test_identity(void **state __unused)
{
	assert_int_equal(rd(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	assert_int_equal(rd(VIRTIO_MMIO_VERSION), 2);
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_NET);
	assert_int_equal(rd(VIRTIO_MMIO_VENDOR_ID), VIRTIO_MMIO_VENDOR);
	assert_int_equal(dev.gsi, VPLATFORM_VIRTIO_GSI + VPLATFORM_VIRTIO_NET_SLOT);
	/* The device's bit plus the transport's: INDIRECT_DESC (28), EVENT_IDX (29), VERSION_1 (32). */
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_FEATURES), (1u << DEV_FEATURE) | (3u << 28));
	assert_int_equal(wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1), 0);
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_FEATURES), 1);
	assert_int_equal(wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2), 0);
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_FEATURES), 0);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), VIRTQ_MAX_SIZE);
	assert_int_equal(wr(VIRTIO_MMIO_QUEUE_SEL, 2), 0);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 0);	/* 4.2.2: no such queue */
	assert_int_equal(rd(VIRTIO_MMIO_SHM_LEN_LOW), 0xFFFFFFFFu);
	assert_int_equal(rd(VIRTIO_MMIO_CONFIG_GENERATION), 0);
	assert_int_equal(dev.errors.bad_register, 0);
}

static void test_attach_refusals(void **state __unused)
{
	static struct virtio_dev other;
	static struct vnet net;
	static struct vblk blk;

	assert_int_equal(virtio_dev_attach(&dom, &other, VPLATFORM_VIRTIO_SLOTS, &fake_ops, 0,
					   &lock, NULL), -EINVAL);
	assert_int_equal(virtio_dev_attach(&dom, &other, 0, NULL, 0, &lock, NULL), -EINVAL);
	/* The slot lookup: the NIC's device in slot 0, the disk's in slot 1, nothing beyond. */
	assert_null(virtio_mmio_slot_dev(&dom, VPLATFORM_VIRTIO_NET_SLOT));
	dom.net = &net;
	assert_null(virtio_mmio_slot_dev(&dom, VPLATFORM_VIRTIO_NET_SLOT));	/* not attached */
	assert_int_equal(virtio_dev_attach(&dom, &net.dev, VPLATFORM_VIRTIO_NET_SLOT, &fake_ops, 0,
					   &lock, NULL), 0);
	assert_ptr_equal(virtio_mmio_slot_dev(&dom, VPLATFORM_VIRTIO_NET_SLOT), &net.dev);
	assert_int_equal(virtio_dev_attach(&dom, &other, VPLATFORM_VIRTIO_NET_SLOT, &fake_ops, 0,
					   &lock, NULL), -EINVAL);	/* taken */
	dom.blk = &blk;
	assert_int_equal(virtio_dev_attach(&dom, &blk.dev, VPLATFORM_VIRTIO_BLK_SLOT, &fake_ops, 0,
					   &blk.lock, NULL), 0);
	assert_ptr_equal(virtio_mmio_slot_dev(&dom, VPLATFORM_VIRTIO_BLK_SLOT), &blk.dev);
	assert_int_equal(blk.dev.gsi, VPLATFORM_VIRTIO_GSI + VPLATFORM_VIRTIO_BLK_SLOT);
	assert_null(virtio_mmio_slot_dev(&dom, VPLATFORM_VIRTIO_SLOTS));
}

/* The DSDT entries: one per device the domain has, in slot order, as Linux's virtio_mmio binds them. */
static void test_acpi_devices(void **state __unused)
{
	static struct vblk blk;
	static struct vnet net;
	struct vacpi_device devs[VPLATFORM_VIRTIO_SLOTS];

	assert_int_equal(virtio_mmio_acpi_devices(&dom, devs, 2), 0);
	dom.blk = &blk;
	assert_int_equal(virtio_dev_attach(&dom, &blk.dev, VPLATFORM_VIRTIO_BLK_SLOT, &fake_ops, 0,
					   &blk.lock, NULL), 0);
	assert_int_equal(virtio_mmio_acpi_devices(&dom, devs, 2), 1);
	assert_string_equal(devs[0].name, "VRT1");
	assert_string_equal(devs[0].hid, "LNRO0005");
	assert_int_equal(devs[0].uid, 1);
	assert_int_equal(devs[0].mmio_count, 1);
	assert_int_equal(devs[0].mmio[0].base, 0xFED01000);
	assert_int_equal(devs[0].mmio[0].size, 0x1000);
	assert_true(devs[0].has_irq && devs[0].level);
	assert_int_equal(devs[0].gsi, 17);
	memset(&blk, 0, sizeof(blk));		/* detached */
	assert_int_equal(virtio_mmio_acpi_devices(&dom, devs, 2), 0);
	dom.net = &net;
	assert_int_equal(virtio_dev_attach(&dom, &net.dev, VPLATFORM_VIRTIO_NET_SLOT, &fake_ops, 0,
					   &lock, NULL), 0);
	assert_int_equal(virtio_dev_attach(&dom, &blk.dev, VPLATFORM_VIRTIO_BLK_SLOT, &fake_ops, 0,
					   &blk.lock, NULL), 0);
	assert_int_equal(virtio_mmio_acpi_devices(&dom, devs, 2), 2);
	assert_string_equal(devs[0].name, "VRT0");
	assert_int_equal(devs[0].mmio[0].base, 0xFED00000);
	assert_int_equal(devs[0].gsi, 16);
	assert_string_equal(devs[1].name, "VRT1");
	assert_int_equal(virtio_mmio_acpi_devices(&dom, devs, 1), 1);	/* room for one */
}

static void test_init_sequence(void **state __unused)
{
	bring_up();
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), S_FEATURES | VIRTIO_STATUS_DRIVER_OK);
	assert_int_equal(dev.driver_features, GOOD_FEATURES);
	assert_true(dev.vq[0].ready && dev.vq[1].ready);
	assert_true(dev.vq[0].event_idx);
	assert_false(dev.vq[0].indirect);	/* not accepted */
	assert_int_equal(dev.vq[1].desc_gpa, DESC_GPA + 0x800);
	assert_int_equal(dev.vq[1].avail_gpa, AVAIL_GPA + 0x100);
	assert_int_equal(dev.vq[1].used_gpa, USED_GPA + 0x100);
	assert_int_equal(wr(VIRTIO_MMIO_QUEUE_SEL, 0), 0);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 1);
	assert_int_equal(dev.errors.bad_register, 0);
	assert_int_equal(dev.errors.resets, 1);	/* negotiate() starts with one */
}

static void test_features_refused(void **state __unused)
{
	/* A bit the device did not offer: FEATURES_OK does not stay set (3.1.1 step 6). */
	assert_int_equal(negotiate(GOOD_FEATURES | F(7)),
			 VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	/* A legacy driver (no VERSION_1) is refused too. */
	assert_int_equal(negotiate(F(DEV_FEATURE)), VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	/* DRIVER_OK without FEATURES_OK is dropped and counted. */
	assert_int_equal(wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			    VIRTIO_STATUS_DRIVER_OK), 0);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	assert_int_equal(dev.errors.bad_register, 1);
	assert_false(virtio_dev_live(&dev));
	/* A queue cannot be enabled before FEATURES_OK. */
	assert_int_equal(wr(VIRTIO_MMIO_QUEUE_READY, 1), 0);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	assert_int_equal(dev.errors.bad_register, 2);
	/* Features are fixed once FEATURES_OK is set; clearing bits needs a reset. */
	assert_int_equal(negotiate(GOOD_FEATURES), S_FEATURES);
	assert_int_equal(wr(VIRTIO_MMIO_DRIVER_FEATURES, 0), 0);
	assert_int_equal(dev.driver_features, GOOD_FEATURES);
	assert_int_equal(wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE), 0);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), S_FEATURES);
	assert_int_equal(dev.errors.bad_register, 4);
}

static void test_queue_setup_bad(void **state __unused)
{
	assert_int_equal(negotiate(GOOD_FEATURES), S_FEATURES);
	/* A size that is not a power of two: the device needs a reset (ring error "index"). */
	setup_queue(0, 3, DESC_GPA);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	assert_true(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	assert_int_equal(dev.errors.by_cause[VIRTQ_ERR_INDEX], 1);
	assert_int_equal(dev.errors.needs_reset, 1);
	assert_string_equal(last_log,
			    "vdev: d3 vm virtio-net: ring error index on queue 0; device needs reset");
	/* A size over QueueNumMax, after a reset. */
	assert_int_equal(negotiate(GOOD_FEATURES), S_FEATURES);
	setup_queue(1, 2 * VIRTQ_MAX_SIZE, DESC_GPA);
	assert_int_equal(dev.errors.by_cause[VIRTQ_ERR_INDEX], 2);
	assert_string_equal(last_log,
			    "vdev: d3 vm virtio-net: ring error index on queue 1; device needs reset");
	/* A descriptor table outside the domain, and one misaligned. */
	assert_int_equal(negotiate(GOOD_FEATURES), S_FEATURES);
	setup_queue(0, QSIZE, 1ull << 32);
	assert_int_equal(dev.errors.by_cause[VIRTQ_ERR_RING], 1);
	assert_int_equal(negotiate(GOOD_FEATURES), S_FEATURES);
	setup_queue(0, QSIZE, DESC_GPA + 8);
	assert_int_equal(dev.errors.by_cause[VIRTQ_ERR_RING], 2);
	assert_int_equal(dev.errors.needs_reset, 4);
	assert_int_equal(log_lines, 4);
}

static void test_queue_setup_while_ready(void **state __unused)
{
	/* A good queue: setup writes while it is ready are dropped and counted. */
	assert_int_equal(negotiate(GOOD_FEATURES), S_FEATURES);
	setup_queue(0, QSIZE, DESC_GPA);
	assert_int_equal(wr(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x5000), 0);
	assert_int_equal(wr(VIRTIO_MMIO_QUEUE_NUM, 16), 0);
	assert_int_equal(dev.vq[0].desc_gpa, DESC_GPA);
	assert_int_equal(dev.vq[0].size, QSIZE);
	assert_int_equal(dev.errors.bad_register, 2);
	/* A queue that does not exist: dropped and counted. */
	assert_int_equal(wr(VIRTIO_MMIO_QUEUE_SEL, 5), 0);
	assert_int_equal(wr(VIRTIO_MMIO_QUEUE_NUM, 16), 0);
	assert_int_equal(dev.errors.bad_register, 3);
	/* QueueReset of a ready queue forgets it. */
	assert_int_equal(wr(VIRTIO_MMIO_QUEUE_SEL, 0), 0);
	assert_int_equal(wr(VIRTIO_MMIO_QUEUE_RESET, 1), 0);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	assert_int_equal(dev.vq[0].desc_gpa, 0);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_RESET), 0);
}

static void test_notify(void **state __unused)
{
	/* Before DRIVER_OK: nothing is dispatched or counted. */
	assert_int_equal(wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0), 0);
	assert_int_equal(fake.notifies, 0);
	bring_up();
	assert_int_equal(wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1), 0);
	assert_int_equal(fake.notifies, 1);
	assert_int_equal(fake.last_queue, 1);
	fake.notify_result = VIRTIO_NOTIFY_MORE;
	assert_int_equal(wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0), VMMIO_RETRY);
	assert_int_equal(fake.notifies, 2);
	/* A queue that does not exist: ring error "index", counted, device still live. */
	assert_int_equal(wr(VIRTIO_MMIO_QUEUE_NOTIFY, 2), 0);
	assert_int_equal(wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0xFFFFFFFF), 0);
	assert_int_equal(fake.notifies, 2);
	assert_int_equal(dev.errors.by_cause[VIRTQ_ERR_INDEX], 2);
	assert_true(virtio_dev_live(&dev));
	/* One that exists but is not ready. */
	assert_int_equal(wr(VIRTIO_MMIO_QUEUE_SEL, 1), 0);
	assert_int_equal(wr(VIRTIO_MMIO_QUEUE_READY, 0), 0);
	assert_int_equal(wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1), 0);
	assert_int_equal(fake.notifies, 2);
	assert_int_equal(dev.errors.by_cause[VIRTQ_ERR_INDEX], 3);
	assert_int_equal(dev.errors.needs_reset, 0);
}

static void test_ring_error_needs_reset(void **state __unused)
{
	bring_up();
	fake.notify_result = -VIRTQ_ERR_LOOP;
	assert_int_equal(wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1), 0);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS),
			 S_FEATURES | VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	assert_false(virtio_dev_live(&dev));
	assert_int_equal(dev.errors.by_cause[VIRTQ_ERR_LOOP], 1);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	assert_true(line.level);
	assert_int_equal(line.gsi, VPLATFORM_VIRTIO_GSI);
	assert_string_equal(last_log,
			    "vdev: d3 vm virtio-net: ring error loop on queue 1; device needs reset");
	/* The device is idle until the reset: no more notifications, no second line. */
	assert_int_equal(wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1), 0);
	assert_int_equal(fake.notifies, 1);
	virtio_dev_fail(&dev, VIRTQ_ERR_ADDR);
	assert_int_equal(dev.errors.by_cause[VIRTQ_ERR_ADDR], 1);
	assert_int_equal(dev.errors.needs_reset, 1);
	assert_int_equal(log_lines, 1);
	/* The driver writing status back with the bit set does not clear it. */
	assert_int_equal(wr(VIRTIO_MMIO_STATUS, S_FEATURES | VIRTIO_STATUS_DRIVER_OK), 0);
	assert_true(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	/* The reset ends it, and the device works again. */
	bring_up();
	fake.notify_result = 0;
	assert_int_equal(wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0), 0);
	assert_int_equal(fake.notifies, 2);
	assert_false(line.level);
}

static void test_reset_clears(void **state __unused)
{
	bring_up();
	virtio_dev_interrupt(&dev, VIRTIO_MMIO_INT_VRING);
	assert_true(line.level);
	assert_int_equal(wr(VIRTIO_MMIO_QUEUE_SEL, 1), 0);
	assert_int_equal(wr(VIRTIO_MMIO_STATUS, 0), 0);
	assert_int_equal(fake.resets, 2);	/* bring_up()'s and this one */
	assert_int_equal(dev.errors.resets, 2);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_false(line.level);
	assert_int_equal(dev.driver_features, 0);
	assert_int_equal(dev.queue_sel, 0);
	for (unsigned int q = 0; q < 2; q++) {
		assert_false(dev.vq[q].ready);
		assert_int_equal(dev.vq[q].size, 0);
		assert_int_equal(dev.vq[q].desc_gpa, 0);
		assert_int_equal(dev.vq[q].used_gpa, 0);
	}
	/* Offered features survive a reset. */
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_FEATURES), (1u << DEV_FEATURE) | (3u << 28));
}

static void test_interrupt_ack(void **state __unused)
{
	bring_up();
	virtio_dev_interrupt(&dev, VIRTIO_MMIO_INT_VRING);
	virtio_dev_interrupt(&dev, VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 3);
	assert_true(line.level);
	assert_int_equal(wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING), 0);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	assert_true(line.level);	/* still a reason: the level line stays up */
	assert_int_equal(wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG), 0);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_false(line.level);
}

static void test_used_notification(void **state __unused)
{
	uint16_t no_interrupt = VIRTQ_AVAIL_F_NO_INTERRUPT;

	/* Without the event index: an interrupt unless the driver asked for none (2.7.10). */
	assert_int_equal(negotiate(F(VIRTIO_F_VERSION_1)), S_FEATURES);
	setup_queue(0, QSIZE, DESC_GPA);
	assert_int_equal(wr(VIRTIO_MMIO_STATUS, S_FEATURES | VIRTIO_STATUS_DRIVER_OK), 0);
	memcpy(&guest[AVAIL_GPA + VIRTQ_AVAIL_FLAGS], &no_interrupt, sizeof(no_interrupt));
	assert_int_equal(virtq_push(&dev.vq[0], &dom.mem, 0, 0), 0);
	virtio_dev_used(&dev, 0);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_false(line.level);
	memset(&guest[AVAIL_GPA + VIRTQ_AVAIL_FLAGS], 0, sizeof(no_interrupt));
	assert_int_equal(virtq_push(&dev.vq[0], &dom.mem, 1, 0), 0);
	virtio_dev_used(&dev, 0);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	assert_true(line.level);
}

static void test_access_sizes(void **state __unused)
{
	uint64_t val = 0;

	/* Registers: 32-bit accesses only (4.2.2.2); the rest is refused and counted. */
	assert_int_equal(virtio_mmio_read(&dev, NULL, VIRTIO_MMIO_STATUS, 2, &val), -EINVAL);
	assert_int_equal(virtio_mmio_write(&dev, NULL, VIRTIO_MMIO_STATUS, 1, 1), -EINVAL);
	assert_int_equal(virtio_mmio_read(&dev, NULL, VIRTIO_MMIO_MAGIC_VALUE, 8, &val), -EINVAL);
	assert_int_equal(virtio_mmio_read(&dev, NULL, VIRTIO_MMIO_VERSION + 2, 4, &val), -EINVAL);
	/* Unknown offsets, write-only registers read, read-only ones written. */
	assert_int_equal(virtio_mmio_read(&dev, NULL, 0xe0, 4, &val), -EINVAL);
	assert_int_equal(virtio_mmio_read(&dev, NULL, VIRTIO_MMIO_QUEUE_NOTIFY, 4, &val), -EINVAL);
	assert_int_equal(wr(VIRTIO_MMIO_MAGIC_VALUE, 0), -EINVAL);
	assert_int_equal(wr(VIRTIO_MMIO_INTERRUPT_STATUS, 0), -EINVAL);
	assert_int_equal(dev.errors.bad_register, 8);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0);	/* nothing changed */
	/* The configuration space takes any size, up to its end. */
	memcpy(fake.config, "\x02\x54\x41\x00\x00\x03\x01\x00", CONFIG_BYTES);
	assert_int_equal(virtio_mmio_read(&dev, NULL, VIRTIO_MMIO_CONFIG + 5, 1, &val), 0);
	assert_int_equal(val, 3);
	assert_int_equal(virtio_mmio_read(&dev, NULL, VIRTIO_MMIO_CONFIG + 6, 2, &val), 0);
	assert_int_equal(val, 1);
	assert_int_equal(virtio_mmio_read(&dev, NULL, VIRTIO_MMIO_CONFIG, 8, &val), 0);
	assert_int_equal(val, 0x0001030000415402ull);
	assert_int_equal(virtio_mmio_write(&dev, NULL, VIRTIO_MMIO_CONFIG + 1, 1, 0x99), 0);
	assert_int_equal(fake.config[1], 0x99);
	assert_int_equal(virtio_mmio_read(&dev, NULL, VIRTIO_MMIO_CONFIG + 6, 4, &val), -EINVAL);
	assert_int_equal(dev.errors.bad_register, 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_identity, setup),
		cmocka_unit_test_setup(test_attach_refusals, setup),
		cmocka_unit_test_setup(test_acpi_devices, setup),
		cmocka_unit_test_setup(test_init_sequence, setup),
		cmocka_unit_test_setup(test_features_refused, setup),
		cmocka_unit_test_setup(test_queue_setup_bad, setup),
		cmocka_unit_test_setup(test_queue_setup_while_ready, setup),
		cmocka_unit_test_setup(test_notify, setup),
		cmocka_unit_test_setup(test_ring_error_needs_reset, setup),
		cmocka_unit_test_setup(test_reset_clears, setup),
		cmocka_unit_test_setup(test_interrupt_ack, setup),
		cmocka_unit_test_setup(test_used_notification, setup),
		cmocka_unit_test_setup(test_access_sizes, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
