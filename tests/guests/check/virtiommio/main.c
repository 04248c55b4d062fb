/* SPDX-License-Identifier: MIT */
/* virtiommio: Tally's virtio-mmio transport register by register: identity, features, status order, queue checks, resets. */
#include "guest.h"
#include "virtio.h"

/*
 * Run with a NIC (`net=`, `mac=02:00:00:00:00:42`) and a disk (`disk=1`).
 * mode=narrow: a 16-bit load of the NIC's Status (spec 4.2.2.2: registers
 * are 32-bit); mode=noslot: a load from the disk's slot, which the domain
 * lacks.  Both must end the domain.
 *
 * What the normal run leaves in the NIC's virtio-net usage line, counted by
 * hand (the scenario checks these): index=2 (a queue of size 3, a notify of
 * queue 7), needs_reset=1 (the bad queue), bad_register=1 (DRIVER_OK before
 * FEATURES_OK), resets=6 (every Status write of 0 below: three in
 * try_features(), one after the bad queue, vio_init()'s and the last).
 */
#define MAC_LAST	0x42u
#define BAD_QUEUE_SIZE	3u		/* not a power of two (2.7) */
#define NO_QUEUE	7u		/* the NIC has queues 0 and 1 */
#define S_AD		(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER)

const char guest_name[] = "virtiommio";

static struct vio_dev net, blk;
static struct vio_queue q;

static uint32_t rd(const struct vio_dev *d, uint32_t off)
{
	return vio_reg_read(d, off);
}

static void wr(const struct vio_dev *d, uint32_t off, uint32_t val)
{
	vio_reg_write(d, off, val);
}

/* Reset, ACKNOWLEDGE, DRIVER, features @f, FEATURES_OK: the status read back. */
static uint32_t try_features(uint64_t f)
{
	wr(&net, VIRTIO_MMIO_STATUS, 0);
	wr(&net, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(&net, VIRTIO_MMIO_STATUS, S_AD);
	wr(&net, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(&net, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
	wr(&net, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(&net, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
	wr(&net, VIRTIO_MMIO_STATUS, S_AD | VIRTIO_STATUS_FEATURES_OK);
	return rd(&net, VIRTIO_MMIO_STATUS);
}

static void identity(void)
{
	int r = vio_probe(&net, VPLATFORM_VIRTIO_NET_SLOT, VIRTIO_ID_NET);
	uint32_t lo, hi, vendor = rd(&net, VIRTIO_MMIO_VENDOR_ID);

	guest_check(r == 0 && vendor == 0x594C4154u,
		    "slot 0: magic, version 2, virtio-net, vendor 0x%x", vendor);
	r = vio_probe(&blk, VPLATFORM_VIRTIO_BLK_SLOT, VIRTIO_ID_BLOCK);
	guest_check(r == 0, "slot 1: virtio-blk (device id %u)", rd(&blk, VIRTIO_MMIO_DEVICE_ID));
	wr(&net, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	lo = rd(&net, VIRTIO_MMIO_DEVICE_FEATURES);
	wr(&net, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	hi = rd(&net, VIRTIO_MMIO_DEVICE_FEATURES);
	guest_check((hi & 1) && (lo >> VIRTIO_F_INDIRECT_DESC & 1) && (lo >> VIRTIO_F_EVENT_IDX & 1) &&
		    (lo >> VIRTIO_NET_F_MAC & 1), "offered: VERSION_1, INDIRECT_DESC, EVENT_IDX, "
		    "MAC (0x%x 0x%x)", hi, lo);
	wr(&net, VIRTIO_MMIO_QUEUE_SEL, 2);
	guest_check(rd(&net, VIRTIO_MMIO_QUEUE_NUM_MAX) == 0, "the NIC's queue 2: QueueNumMax 0");
	wr(&net, VIRTIO_MMIO_QUEUE_SEL, 0);
	guest_check(rd(&net, VIRTIO_MMIO_QUEUE_NUM_MAX) == 256, "the NIC's queue 0: QueueNumMax %u",
		    rd(&net, VIRTIO_MMIO_QUEUE_NUM_MAX));
	/* Configuration space: any width (4.2.2.2 asks 32-bit only of the registers). */
	guest_check(*(volatile uint8_t *)(uintptr_t)(net.base + VIRTIO_MMIO_CONFIG + 5) == MAC_LAST &&
		    *(volatile uint16_t *)(uintptr_t)(net.base + VIRTIO_MMIO_CONFIG) == 0x0002 &&
		    rd(&net, VIRTIO_MMIO_CONFIG) == 0x00000002u,
		    "mac read in 8, 16 and 32 bits: ...:%02x", MAC_LAST);
}

static void negotiation(void)
{
	uint64_t good = 1ull << VIRTIO_F_VERSION_1, unoffered = 0;
	uint32_t offered;

	wr(&net, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	offered = rd(&net, VIRTIO_MMIO_DEVICE_FEATURES);
	while (unoffered < 32 && (offered >> unoffered & 1))
		unoffered++;
	guest_check(try_features(good | 1ull << unoffered) == S_AD,
		    "un-offered feature bit %u: FEATURES_OK refused", (unsigned int)unoffered);
	guest_check(try_features(1ull << VIRTIO_NET_F_MAC) == S_AD,
		    "no VERSION_1: FEATURES_OK refused");
	wr(&net, VIRTIO_MMIO_STATUS, S_AD | VIRTIO_STATUS_DRIVER_OK);
	guest_check(rd(&net, VIRTIO_MMIO_STATUS) == S_AD, "DRIVER_OK before FEATURES_OK: dropped");
	guest_check(try_features(good) == (S_AD | VIRTIO_STATUS_FEATURES_OK),
		    "VERSION_1 alone: FEATURES_OK kept");
}

static void bad_queue_and_reset(void)
{
	uint32_t st;

	/* A size that is not a power of two: DEVICE_NEEDS_RESET and a configuration interrupt. */
	wr(&net, VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(&net, VIRTIO_MMIO_QUEUE_NUM, BAD_QUEUE_SIZE);
	wr(&net, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)(uintptr_t)q.desc);
	wr(&net, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)(uintptr_t)q.avail);
	wr(&net, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)(uintptr_t)q.used);
	wr(&net, VIRTIO_MMIO_QUEUE_READY, 1);
	st = rd(&net, VIRTIO_MMIO_STATUS);
	guest_check(rd(&net, VIRTIO_MMIO_QUEUE_READY) == 0 &&
		    (st & VIRTIO_STATUS_DEVICE_NEEDS_RESET) &&
		    rd(&net, VIRTIO_MMIO_INTERRUPT_STATUS) == VIRTIO_MMIO_INT_CONFIG,
		    "queue size 3: not ready, status 0x%x, interrupt status %u", st,
		    rd(&net, VIRTIO_MMIO_INTERRUPT_STATUS));
	wr(&net, VIRTIO_MMIO_STATUS, 0);
	guest_check(rd(&net, VIRTIO_MMIO_STATUS) == 0 && rd(&net, VIRTIO_MMIO_INTERRUPT_STATUS) == 0,
		    "reset: status 0, interrupt status 0");
}

static void notify_missing_queue(void)
{
	int r = vio_init(&net, 0);		/* a reset of its own */

	if (r == 0)
		r = vio_queue_setup(&net, &q, VIRTIO_NET_RX_QUEUE, 8);	/* its size */
	vio_driver_ok(&net);
	wr(&net, VIRTIO_MMIO_QUEUE_NOTIFY, NO_QUEUE);
	guest_check(r == 8 && rd(&net, VIRTIO_MMIO_STATUS) == (S_AD | VIRTIO_STATUS_FEATURES_OK |
							       VIRTIO_STATUS_DRIVER_OK),
		    "notify of queue 7: ignored, device still live (setup %d)", r);
	wr(&net, VIRTIO_MMIO_STATUS, 0);
}

static void hostile(const char *mode)
{
	uint32_t v = 0;

	printk("virtiommio: %s access now\n", mode);
	if (!strcmp(mode, "narrow"))
		v = *(volatile uint16_t *)(uintptr_t)(VPLATFORM_VIRTIO_BASE + VIRTIO_MMIO_STATUS);
	else
		v = *(volatile uint32_t *)(uintptr_t)(VPLATFORM_VIRTIO_BASE +
						      VPLATFORM_VIRTIO_SLOT_SIZE);
	guest_fail("still running after the %s access (0x%x)", mode, v);
}

void guest_main(const struct mb_info *mbi)
{
	char mode[16];

	if (cmdline_str(mbi, "mode", mode, sizeof(mode))) {
		hostile(mode);
		return;
	}
	identity();
	negotiation();
	bad_queue_and_reset();
	notify_missing_queue();
}
