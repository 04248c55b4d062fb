/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the virtio-mmio register file under any sequence of guest accesses (drivers/vdev/virtio_mmio.c).
 *
 * Input: operations, each an op byte (bits 1:0 the kind, bits 7:2 the
 * register index or the fake device's next answer), an offset byte, a size
 * byte and a 32-bit value.  After each one: the interrupt line is high
 * exactly while InterruptStatus is not 0; DRIVER_OK never stands without
 * FEATURES_OK, nor FEATURES_OK without a subset of the offered features
 * that includes VERSION_1; every ready queue passes virtq_check(); the
 * device was notified only while live, of a ready queue it has; a result
 * is 0, -EINVAL or VMMIO_RETRY, the last only for a notification the
 * device answered VIRTIO_NOTIFY_MORE; the offered features never change;
 * error counters never go down.
 */
#include <stdarg.h>
#include <string.h>

#include <tally/domain.h>
#include <tally/errno.h>
#include <tally/virtio_mmio.h>
#include <tally/vmmio.h>

#include "harness.h"
#include "shim.h"

enum op {
	OP_WRITE,	/* a register store: index bits 7:2 * 4 */
	OP_READ,	/* a register load */
	OP_RAW,		/* any offset and size, load or store (value bit 0) */
	OP_DEVICE,	/* the device's next notify answer (bits 7:2), or a ring error */
	OP_COUNT
};

#define OP_KIND		0x03
#define ARG_SHIFT	2
#define MAX_OPS		128
#define GUEST_BYTES	0x8000
#define SLOT_BYTES	0x1000
#define DEV_FEATURES	((1ull << 5) | (1ull << 16))

static uint8_t guest[GUEST_BYTES];
static struct domain dom;
static struct spinlock lock;
static struct virtio_dev dev;
static bool line_level;
static int next_answer;
static unsigned int notified;

void domain_irq_set(struct domain *d, unsigned int gsi, bool asserted)
{
	FUZZ_CHECK(d == &dom && gsi == dev.gsi);
	line_level = asserted;
}

void log_guest(struct domain *d, enum log_level level, const char *fmt, ...)
{
	(void)d;
	(void)level;
	(void)fmt;
}

static int cfg_read(struct virtio_dev *d, unsigned int off, unsigned int size, uint64_t *val)
{
	(void)d;
	*val = 0;
	return off + size <= 8 ? 0 : -EINVAL;
}

static int cfg_write(struct virtio_dev *d, unsigned int off, unsigned int size, uint64_t val)
{
	(void)d;
	(void)val;
	return off + size <= 8 ? 0 : -EINVAL;
}

static int notify(struct virtio_dev *d, struct vcpu *v, unsigned int q)
{
	(void)v;
	FUZZ_CHECK(virtio_dev_live(d) && q < d->ops->queues && d->vq[q].ready);
	notified++;
	return next_answer;
}

static void reset(struct virtio_dev *d)
{
	(void)d;
}

static const struct virtio_dev_ops ops = {
	.name = "net", .device_id = VIRTIO_ID_NET, .queues = 2,
	.config_read = cfg_read, .config_write = cfg_write, .notify = notify, .reset = reset,
};

/* The fake device's answer from 6 bits: drained, more, or a ring error. */
static int answer_of(uint32_t b)
{
	if (b == 0)
		return 0;
	if (b == 1)
		return VIRTIO_NOTIFY_MORE;
	return -(int)(b % (VIRTQ_ERR_COUNT - 1) + 1);
}

static void check_state(const struct virtio_errors *before)
{
	uint64_t offered = DEV_FEATURES | (1ull << VIRTIO_F_VERSION_1) |
			   (1ull << VIRTIO_F_INDIRECT_DESC) | (1ull << VIRTIO_F_EVENT_IDX);

	FUZZ_CHECK(line_level == (dev.interrupt_status != 0));
	FUZZ_CHECK(dev.device_features == offered);
	FUZZ_CHECK(!(dev.status & VIRTIO_STATUS_DRIVER_OK) ||
		   (dev.status & VIRTIO_STATUS_FEATURES_OK));
	FUZZ_CHECK(!(dev.status & VIRTIO_STATUS_FEATURES_OK) ||
		   (!(dev.driver_features & ~offered) &&
		    (dev.driver_features & (1ull << VIRTIO_F_VERSION_1))));
	for (unsigned int q = 0; q < VIRTIO_MAX_QUEUES; q++)
		FUZZ_CHECK(!dev.vq[q].ready ||
			   (q < ops.queues && virtq_check(&dev.vq[q], &dom.mem) == VIRTQ_OK));
	for (unsigned int i = 0; i < VIRTQ_ERR_COUNT; i++)
		FUZZ_CHECK(dev.errors.by_cause[i] >= before->by_cause[i]);
	FUZZ_CHECK(dev.errors.bad_register >= before->bad_register &&
		   dev.errors.resets >= before->resets &&
		   dev.errors.needs_reset >= before->needs_reset);
}

/* One operation: its result must be one the transport may give. */
static void run_op(uint8_t op, uint8_t off, uint8_t size, uint32_t val)
{
	unsigned int reg = (unsigned int)(op >> ARG_SHIFT) * 4, n0 = notified;
	unsigned int raw_off = ((unsigned int)off << 4 | (val >> 28)) % SLOT_BYTES;
	unsigned int raw_size = 1u << (size & 3);
	uint64_t got;
	int r = 0;

	switch (op & OP_KIND) {
	case OP_WRITE:
		r = virtio_mmio_write(&dev, NULL, reg, 4, val);
		break;
	case OP_READ:
		r = virtio_mmio_read(&dev, NULL, reg, 4, &got);
		FUZZ_CHECK(r || got <= UINT32_MAX);
		break;
	case OP_RAW:
		r = val & 1 ? virtio_mmio_write(&dev, NULL, raw_off, raw_size, val)
			    : virtio_mmio_read(&dev, NULL, raw_off, raw_size, &got);
		break;
	default:
		next_answer = answer_of(op >> ARG_SHIFT);
		if (off & 1)
			virtio_dev_fail(&dev, (enum virtq_error)(off % (VIRTQ_ERR_COUNT - 1) + 1));
		break;
	}
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == VMMIO_RETRY);
	FUZZ_CHECK(r != VMMIO_RETRY || (notified == n0 + 1 && next_answer == VIRTIO_NOTIFY_MORE));
	FUZZ_CHECK(notified <= n0 + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };

	memset(&dom, 0, sizeof(dom));
	dom.id = 1;
	dom.mem = (struct guest_mem){ .base = guest, .size = GUEST_BYTES };
	line_level = false;
	next_answer = 0;
	notified = 0;
	FUZZ_CHECK(virtio_dev_attach(&dom, &dev, 0, &ops, DEV_FEATURES, &lock, NULL) == 0);
	for (unsigned int i = 0; i < MAX_OPS && in.size; i++) {
		struct virtio_errors before = dev.errors;
		uint8_t op = (uint8_t)fuzz_take(&in, 1), off = (uint8_t)fuzz_take(&in, 1);
		uint8_t sz = (uint8_t)fuzz_take(&in, 1);
		uint32_t val = (uint32_t)fuzz_take(&in, 4);

		run_op(op, off, sz, val);
		check_state(&before);
	}
	return 0;
}
