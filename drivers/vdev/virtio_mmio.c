/* SPDX-License-Identifier: MIT */
/* The virtio-mmio register file (virtio 1.2 section 4.2.2), pure logic (see tally/virtio_mmio.h).
 *
 * Choices where the specification leaves room:
 * - Registers take 32-bit accesses only (4.2.2.2: "The driver MUST only
 *   use 32 bit wide and aligned reads and writes to access the control
 *   registers"); another size, an unknown offset, a write to a read-only
 *   register or a read of a write-only one is counted in bad_register and
 *   refused, which ends the domain as any unclaimed MMIO does.  The
 *   configuration space (0x100 on) takes any size, as its owner decides.
 * - Writes the spec forbids but that are harmless to ignore (queue setup
 *   while the queue is ready, features after FEATURES_OK, status bits out
 *   of the 3.1.1 order or cleared without a reset) are counted in
 *   bad_register and dropped: the driver sees the register unchanged.
 * - A notification of a queue that does not exist or is not ready is a
 *   ring error "index", counted but not fatal to the device.
 * - QueueReset (VIRTIO_F_RING_RESET is not offered) resets the selected
 *   queue at once and reads 0: no reset is ever in progress.
 */
#include <tally/domain.h>
#include <tally/errno.h>
#include <tally/log.h>
#include <tally/vacpi.h>
#include <tally/vblk.h>
#include <tally/virq.h>
#include <tally/virtio_mmio.h>
#include <tally/vmmio.h>
#include <tally/vnet.h>
#include <tally/vplatform.h>

#define REG_BYTES	4	/* 4.2.2.2: 32-bit registers */
#define HALF_SHIFT	32
#define LOW_HALF	0xFFFFFFFFull
#define NO_SHM		0xFFFFFFFFu	/* 4.2.2: SHMLen/SHMBase of an absent region: -1 */
#define FEATURE_WORDS	2		/* 64 feature bits, 32 per selector value */

static uint64_t feature_bit(unsigned int bit)
{
	return 1ull << bit;
}

struct virtio_dev *virtio_mmio_slot_dev(struct domain *d, unsigned int slot)
{
	struct virtio_dev *dev = NULL;

	if (slot == VPLATFORM_VIRTIO_NET_SLOT && d->net)
		dev = &d->net->dev;
	else if (slot == VPLATFORM_VIRTIO_BLK_SLOT && d->blk)
		dev = &d->blk->dev;
	return dev && dev->ops ? dev : NULL;
}

/* Linux's virtio_mmio driver binds this ACPI ID (drivers/virtio/virtio_mmio.c's ACPI match table). */
#define ACPI_HID	"LNRO0005"
static const char *const acpi_names[VPLATFORM_VIRTIO_SLOTS] = { "VRT0", "VRT1" };

unsigned int virtio_mmio_acpi_devices(struct domain *d, struct vacpi_device *out,
				      unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int slot = 0; slot < VPLATFORM_VIRTIO_SLOTS && n < max; slot++) {
		const struct virtio_dev *dev = virtio_mmio_slot_dev(d, slot);

		if (!dev)
			continue;
		out[n++] = (struct vacpi_device){
			.name = acpi_names[slot], .hid = ACPI_HID, .uid = slot,
			.mmio = { { VPLATFORM_VIRTIO_BASE + slot * VPLATFORM_VIRTIO_SLOT_SIZE,
				    VPLATFORM_VIRTIO_SLOT_SIZE } },
			.mmio_count = 1, .has_irq = true, .gsi = dev->gsi, .level = true,
		};
	}
	return n;
}

int virtio_dev_attach(struct domain *d, struct virtio_dev *dev, unsigned int slot,
		      const struct virtio_dev_ops *ops, uint64_t features,
		      struct spinlock *lock, void *priv)
{
	struct virtio_dev *held;

	if (slot >= VPLATFORM_VIRTIO_SLOTS || !ops || !lock || ops->queues > VIRTIO_MAX_QUEUES)
		return -EINVAL;
	held = virtio_mmio_slot_dev(d, slot);
	if (held && held != dev)
		return -EINVAL;
	*dev = (struct virtio_dev){
		.ops = ops, .domain = d, .lock = lock, .slot = slot,
		.gsi = VPLATFORM_VIRTIO_GSI + slot,
		.device_features = features | feature_bit(VIRTIO_F_VERSION_1) |
				   feature_bit(VIRTIO_F_INDIRECT_DESC) |
				   feature_bit(VIRTIO_F_EVENT_IDX),
		.priv = priv,
	};
	return 0;
}

bool virtio_dev_live(const struct virtio_dev *dev)
{
	return (dev->status & VIRTIO_STATUS_DRIVER_OK) &&
	       !(dev->status & (VIRTIO_STATUS_DEVICE_NEEDS_RESET | VIRTIO_STATUS_FAILED));
}

/* The level line follows InterruptStatus (4.2.2: the interrupt is asserted while it is not 0). */
static void update_line(struct virtio_dev *dev)
{
	domain_irq_set(dev->domain, dev->gsi, dev->interrupt_status != 0);
}

void virtio_dev_interrupt(struct virtio_dev *dev, uint32_t bits)
{
	dev->interrupt_status |= bits;
	update_line(dev);
}

void virtio_dev_used(struct virtio_dev *dev, unsigned int q)
{
	if (q < VIRTIO_MAX_QUEUES && virtq_should_notify(&dev->vq[q], &dev->domain->mem))
		virtio_dev_interrupt(dev, VIRTIO_MMIO_INT_VRING);
}

void virtio_dev_fail(struct virtio_dev *dev, enum virtq_error err)
{
	if (err > VIRTQ_OK && err < VIRTQ_ERR_COUNT)
		dev->errors.by_cause[err]++;
	if (dev->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET)
		return;
	dev->status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	dev->errors.needs_reset++;
	/* 2.1.2: a device entering DEVICE_NEEDS_RESET sends a configuration change notification. */
	virtio_dev_interrupt(dev, VIRTIO_MMIO_INT_CONFIG);
	log_guest(dev->domain, LOG_WARN,
		  "vdev: d%u %s virtio-%s: ring error %s on queue %u; device needs reset",
		  dev->domain->id, dev->domain->name, dev->ops->name, virtq_error_name(err),
		  dev->work_queue);
}

/* A refused access: counted, and the caller ends the domain. */
static int bad_access(struct virtio_dev *dev)
{
	dev->errors.bad_register++;
	return -EINVAL;
}

/* A dropped write: counted, the register stays as it was. */
static int bad_write(struct virtio_dev *dev)
{
	dev->errors.bad_register++;
	return 0;
}

/* The selected queue, if it exists. */
static struct virtq *selected(struct virtio_dev *dev)
{
	return dev->queue_sel < dev->ops->queues ? &dev->vq[dev->queue_sel] : NULL;
}

static uint32_t half(uint64_t v, uint32_t sel)
{
	return sel == 0 ? (uint32_t)v : sel == 1 ? (uint32_t)(v >> HALF_SHIFT) : 0;
}

static int read_reg(struct virtio_dev *dev, unsigned int off, uint64_t *val)
{
	struct virtq *q = selected(dev);

	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:	*val = VIRTIO_MMIO_MAGIC; break;
	case VIRTIO_MMIO_VERSION:	*val = VIRTIO_MMIO_VERSION_MODERN; break;
	case VIRTIO_MMIO_DEVICE_ID:	*val = dev->ops->device_id; break;
	case VIRTIO_MMIO_VENDOR_ID:	*val = VIRTIO_MMIO_VENDOR; break;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		*val = half(dev->device_features, dev->device_features_sel);
		break;
	case VIRTIO_MMIO_QUEUE_NUM_MAX:	*val = q ? VIRTQ_MAX_SIZE : 0; break;
	case VIRTIO_MMIO_QUEUE_READY:	*val = q && q->ready; break;
	case VIRTIO_MMIO_INTERRUPT_STATUS: *val = dev->interrupt_status; break;
	case VIRTIO_MMIO_STATUS:	*val = dev->status; break;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:	*val = NO_SHM; break;
	case VIRTIO_MMIO_QUEUE_RESET:	*val = 0; break;
	case VIRTIO_MMIO_CONFIG_GENERATION: *val = dev->config_generation; break;
	default:
		return bad_access(dev);
	}
	return 0;
}

int virtio_mmio_read(struct virtio_dev *dev, struct vcpu *v, unsigned int off,
		     unsigned int size, uint64_t *val)
{
	(void)v;
	*val = 0;
	if (off >= VIRTIO_MMIO_CONFIG) {
		if (!dev->ops->config_read ||
		    dev->ops->config_read(dev, off - VIRTIO_MMIO_CONFIG, size, val))
			return bad_access(dev);
		return 0;
	}
	if (size != REG_BYTES || off % REG_BYTES)
		return bad_access(dev);
	return read_reg(dev, off, val);
}

/* Status 0 (4.2.3.1 / 2.4): back to the state after attach; the line goes down. */
static void reset(struct virtio_dev *dev)
{
	if (dev->ops->reset)
		dev->ops->reset(dev);
	for (unsigned int i = 0; i < VIRTIO_MAX_QUEUES; i++)
		virtq_reset(&dev->vq[i]);
	dev->driver_features = 0;
	dev->device_features_sel = dev->driver_features_sel = dev->queue_sel = 0;
	dev->status = 0;
	dev->interrupt_status = 0;
	dev->work_queue = 0;
	dev->errors.resets++;
	update_line(dev);
}

/* Give the queues the ring features the driver accepted. */
static void apply_ring_features(struct virtio_dev *dev)
{
	for (unsigned int i = 0; i < VIRTIO_MAX_QUEUES; i++) {
		dev->vq[i].event_idx = dev->driver_features & feature_bit(VIRTIO_F_EVENT_IDX);
		dev->vq[i].indirect = dev->driver_features & feature_bit(VIRTIO_F_INDIRECT_DESC);
	}
}

/*
 * FEATURES_OK only for a subset of what was offered that includes
 * VERSION_1 (3.1.1 step 5-6: the device refuses by not keeping the bit;
 * 6.1: a modern device may refuse a driver without VERSION_1).
 */
static bool features_acceptable(const struct virtio_dev *dev)
{
	return !(dev->driver_features & ~dev->device_features) &&
	       (dev->driver_features & feature_bit(VIRTIO_F_VERSION_1));
}

/* Each status bit the driver sets needs the one before it (3.1.1 steps 2-8). */
static const struct {
	uint32_t bit, needs;
} status_order[] = {
	{ VIRTIO_STATUS_DRIVER, VIRTIO_STATUS_ACKNOWLEDGE },
	{ VIRTIO_STATUS_FEATURES_OK, VIRTIO_STATUS_DRIVER },
	{ VIRTIO_STATUS_DRIVER_OK, VIRTIO_STATUS_FEATURES_OK },
};

static int write_status(struct virtio_dev *dev, uint32_t val)
{
	uint32_t old = dev->status & ~VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	uint32_t want = val & ~VIRTIO_STATUS_DEVICE_NEEDS_RESET, added = want & ~old;
	bool refused = false;

	if (!val) {
		reset(dev);
		return 0;
	}
	if (old & ~want)
		return bad_write(dev);	/* 2.1.2: only a reset clears bits */
	for (unsigned int i = 0; i < ARRAY_SIZE(status_order); i++)
		if ((added & status_order[i].bit) && !(want & status_order[i].needs)) {
			want &= ~status_order[i].bit;
			refused = true;
		}
	if ((added & VIRTIO_STATUS_FEATURES_OK) && !features_acceptable(dev))
		want &= ~(VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	else if (added & VIRTIO_STATUS_FEATURES_OK)
		apply_ring_features(dev);
	dev->status = want | (dev->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	return refused ? bad_write(dev) : 0;
}

static int write_driver_features(struct virtio_dev *dev, uint32_t val)
{
	uint32_t sel = dev->driver_features_sel;
	uint64_t mask;

	/* 3.1.1 step 4: features are written after DRIVER, before FEATURES_OK. */
	if (!(dev->status & VIRTIO_STATUS_DRIVER) || (dev->status & VIRTIO_STATUS_FEATURES_OK) ||
	    sel >= FEATURE_WORDS)
		return val || sel < FEATURE_WORDS ? bad_write(dev) : 0;
	mask = sel ? ~LOW_HALF : LOW_HALF;
	dev->driver_features = (dev->driver_features & ~mask) |
			       ((uint64_t)val << (sel ? HALF_SHIFT : 0));
	return 0;
}

/* QueueReady: a queue the driver enables is checked first (2.7 sizes and alignment). */
static int write_queue_ready(struct virtio_dev *dev, struct virtq *q, uint32_t val)
{
	enum virtq_error err;

	if (!val) {
		q->ready = false;
		return 0;
	}
	if (q->ready)
		return 0;
	if (!(dev->status & VIRTIO_STATUS_FEATURES_OK))
		return bad_write(dev);	/* 3.1.1 step 7: queues after FEATURES_OK */
	apply_ring_features(dev);
	dev->work_queue = dev->queue_sel;
	err = virtq_check(q, &dev->domain->mem);
	if (err != VIRTQ_OK) {
		virtio_dev_fail(dev, err);
		return 0;
	}
	q->ready = true;
	return 0;
}

/* One half of a queue's area address: @addr; only while the queue is not ready (4.2.3.2). */
static int write_queue_addr(struct virtio_dev *dev, struct virtq *q, uint64_t *addr,
			    bool high, uint32_t val)
{
	if (!q || q->ready)
		return bad_write(dev);
	if (high)
		*addr = (*addr & LOW_HALF) | ((uint64_t)val << HALF_SHIFT);
	else
		*addr = (*addr & ~LOW_HALF) | val;
	return 0;
}

/* QueueNotify: the device's bounded work; VMMIO_RETRY while chains remain. */
static int notify(struct virtio_dev *dev, struct vcpu *v, uint32_t qn)
{
	int r;

	if (!virtio_dev_live(dev))
		return 0;	/* 2.1.2 / 3.1.1: nothing is consumed before DRIVER_OK or while failed */
	if (qn >= dev->ops->queues || !dev->vq[qn].ready) {
		dev->errors.by_cause[VIRTQ_ERR_INDEX]++;
		return 0;
	}
	dev->work_queue = qn;
	r = dev->ops->notify(dev, v, qn);
	if (r < 0)
		virtio_dev_fail(dev, (enum virtq_error)-r);
	return r == VIRTIO_NOTIFY_MORE ? VMMIO_RETRY : 0;
}

static int write_queue_reg(struct virtio_dev *dev, unsigned int off, uint32_t val)
{
	struct virtq *q = selected(dev);

	if (!q)
		return bad_write(dev);
	switch (off) {
	case VIRTIO_MMIO_QUEUE_NUM:
		if (q->ready)
			return bad_write(dev);
		q->size = val > UINT16_MAX ? UINT16_MAX : (uint16_t)val;
		return 0;
	case VIRTIO_MMIO_QUEUE_READY:	return write_queue_ready(dev, q, val);
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		return write_queue_addr(dev, q, &q->desc_gpa, off == VIRTIO_MMIO_QUEUE_DESC_HIGH, val);
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
		return write_queue_addr(dev, q, &q->avail_gpa, off == VIRTIO_MMIO_QUEUE_DRIVER_HIGH,
					val);
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		return write_queue_addr(dev, q, &q->used_gpa, off == VIRTIO_MMIO_QUEUE_DEVICE_HIGH, val);
	default:	/* VIRTIO_MMIO_QUEUE_RESET */
		if (val != 1)
			return bad_write(dev);
		virtq_reset(q);
		return 0;
	}
}

static int write_reg(struct virtio_dev *dev, struct vcpu *v, unsigned int off, uint32_t val)
{
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:	dev->device_features_sel = val; return 0;
	case VIRTIO_MMIO_DRIVER_FEATURES:	return write_driver_features(dev, val);
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:	dev->driver_features_sel = val; return 0;
	case VIRTIO_MMIO_QUEUE_SEL:		dev->queue_sel = val; return 0;
	case VIRTIO_MMIO_QUEUE_NOTIFY:		return notify(dev, v, val);
	case VIRTIO_MMIO_INTERRUPT_ACK:
		dev->interrupt_status &= ~val;
		update_line(dev);
		return 0;
	case VIRTIO_MMIO_STATUS:		return write_status(dev, val);
	case VIRTIO_MMIO_SHM_SEL:		return 0;	/* no regions: reads say so */
	case VIRTIO_MMIO_QUEUE_NUM:
	case VIRTIO_MMIO_QUEUE_READY:
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
	case VIRTIO_MMIO_QUEUE_RESET:
		return write_queue_reg(dev, off, val);
	default:
		return bad_access(dev);
	}
}

int virtio_mmio_write(struct virtio_dev *dev, struct vcpu *v, unsigned int off,
		      unsigned int size, uint64_t val)
{
	if (off >= VIRTIO_MMIO_CONFIG) {
		if (!dev->ops->config_write ||
		    dev->ops->config_write(dev, off - VIRTIO_MMIO_CONFIG, size, val))
			return bad_access(dev);
		return 0;
	}
	if (size != REG_BYTES || off % REG_BYTES)
		return bad_access(dev);
	return write_reg(dev, v, off, (uint32_t)val);
}
