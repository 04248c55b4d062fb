/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the NIC's frame path between three guests (drivers/vdev/vnet_frame.c).
 *
 * Input: a mode byte (MODE_*), the queues' size (1 << (byte % 8): 1 to 128
 * entries, so that more than VNET_TX_BUDGET chains can wait), then the
 * guest memory of three NICs, NIC_RAM bytes each: the receive queue's
 * descriptor table, driver and device areas at RX_*, the transmit queue's
 * at TX_*, buffers and indirect tables anywhere.  NIC 0
 * sends; all three are ports of one switch.  Each guest's RAM is a heap
 * block of exactly its size, so a byte read or written outside it trips
 * ASan.  Invariants: every transmit call returns 0, VIRTIO_NOTIFY_MORE or
 * a ring error and takes at most VNET_TX_BUDGET chains; every chain taken
 * from the sender is accounted for once, as a frame the switch took or a
 * drop at the sender's port; a receiver's used entries are its delivered
 * frames plus buffers returned unused, within its no-buffer drops; byte
 * counts lie between the smallest and largest frame; only a receiver is
 * ever failed, and a failed one takes nothing more.
 */
#include <stdlib.h>
#include <string.h>

#include <tally/domain.h>
#include <tally/vnet.h>
#include <tally/vnet_frame.h>

#include "harness.h"
#include "shim.h"

#define MODE_EVENT_IDX	0x01	/* VIRTIO_F_EVENT_IDX on every queue */
#define MODE_INDIRECT	0x02	/* VIRTIO_F_INDIRECT_DESC on every queue */
#define MODE_DEAD_RX	0x04	/* NIC 1's driver is not ready */
#define MODE_OTHER_GRP	0x08	/* NIC 2 is in another group */
#define MODE_RX_LIMIT	0x10	/* NIC 1 takes one packet per second */
#define MODE_TX_LIMIT	0x20	/* NIC 0 sends one packet per second */

#define NICS		3
#define NIC_RAM		(4 * PAGE_SIZE)
#define RX_DESC		0x0000	/* 128 descriptors */
#define RX_AVAIL	0x0800
#define RX_USED		0x0A00
#define TX_DESC		0x1000
#define TX_AVAIL	0x1800
#define TX_USED		0x1A00
#define MAX_CALLS	8

static struct domain dom[NICS];
static struct vnet nic[NICS];
static struct vswitch sw;
static unsigned int fails[NICS];

static unsigned int which(const struct virtio_dev *dev)
{
	return (unsigned int)((const struct vnet *)dev - nic);	/* dev is its first member */
}

bool virtio_dev_live(const struct virtio_dev *dev)
{
	return (dev->status & VIRTIO_STATUS_DRIVER_OK) &&
	       !(dev->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
}

void virtio_dev_used(struct virtio_dev *dev, unsigned int q)
{
	FUZZ_CHECK(q < VIRTIO_MAX_QUEUES && virtio_dev_live(dev));
}

void virtio_dev_fail(struct virtio_dev *dev, enum virtq_error err)
{
	FUZZ_CHECK(err > VIRTQ_OK && err < VIRTQ_ERR_COUNT);
	FUZZ_CHECK(virtio_dev_live(dev));	/* a failed device is never asked again */
	fails[which(dev)]++;
	dev->status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
}

static struct virtq queue(unsigned int mode, uint16_t size, uint64_t desc, uint64_t avail,
			  uint64_t used)
{
	return (struct virtq){ .size = size, .ready = true, .desc_gpa = desc, .avail_gpa = avail,
			       .used_gpa = used, .event_idx = mode & MODE_EVENT_IDX,
			       .indirect = mode & MODE_INDIRECT };
}

static void nic_setup(unsigned int i, unsigned int mode, uint16_t size, uint8_t *ram)
{
	const uint8_t mac[VSWITCH_MAC_LEN] = { 0x02, 0x54, 0x41, 0x00, 0x00, (uint8_t)(i + 1) };
	struct vswitch_limits lim = { 0 };
	struct virtio_dev *dev = &nic[i].dev;

	if (i == 0 && (mode & MODE_TX_LIMIT))
		lim.tx_packets_s = 1;
	if (i == 1 && (mode & MODE_RX_LIMIT))
		lim.rx_packets_s = 1;
	dom[i].id = i + 1;
	dom[i].mem = (struct guest_mem){ .base = ram, .size = NIC_RAM };
	nic[i] = (struct vnet){ 0 };
	dev->domain = &dom[i];
	dev->priv = &nic[i];
	dev->status = VIRTIO_STATUS_DRIVER_OK;
	if (i == 1 && (mode & MODE_DEAD_RX))
		dev->status = 0;
	dev->vq[VIRTIO_NET_RX_QUEUE] = queue(mode, size, RX_DESC, RX_AVAIL, RX_USED);
	dev->vq[VIRTIO_NET_TX_QUEUE] = queue(mode, size, TX_DESC, TX_AVAIL, TX_USED);
	FUZZ_CHECK(vswitch_port_add(&sw, mac, i == 2 && (mode & MODE_OTHER_GRP) ? "h" : "g", &lim,
				    &nic[i], 0) == (int)i);
	nic[i].port = i;
}

/* Every chain the sender gave back is a frame the switch took or a drop at its port. */
static void check_sender(void)
{
	const struct vswitch_counters *c = &sw.ports[0].c;
	uint64_t dropped = c->drops[VSWITCH_DROP_SPOOFED] + c->drops[VSWITCH_DROP_ISOLATION] +
			   c->drops[VSWITCH_DROP_TX_LIMIT] + c->drops[VSWITCH_DROP_OVERSIZE] +
			   c->drops[VSWITCH_DROP_MALFORMED];

	FUZZ_CHECK(nic[0].dev.vq[VIRTIO_NET_TX_QUEUE].used_idx == c->tx_packets + dropped);
	FUZZ_CHECK(c->rx_packets == 0 && c->drops[VSWITCH_DROP_NO_BUFFER] == 0);
	FUZZ_CHECK(c->tx_bytes >= c->tx_packets * VSWITCH_FRAME_MIN &&
		   c->tx_bytes <= c->tx_packets * VSWITCH_FRAME_MAX);
	FUZZ_CHECK(fails[0] == 0);
}

/* A receiver's used entries: its frames plus buffers returned unused (no-buffer drops). */
static void check_receiver(unsigned int i, uint16_t used_before_fail)
{
	const struct vswitch_counters *c = &sw.ports[i].c;
	uint16_t used = nic[i].dev.vq[VIRTIO_NET_RX_QUEUE].used_idx;

	FUZZ_CHECK(used >= c->rx_packets &&
		   used <= c->rx_packets + c->drops[VSWITCH_DROP_NO_BUFFER]);
	FUZZ_CHECK(c->rx_bytes >= c->rx_packets * VSWITCH_FRAME_MIN &&
		   c->rx_bytes <= c->rx_packets * VSWITCH_FRAME_MAX);
	FUZZ_CHECK(c->rx_packets <= sw.ports[0].c.tx_packets);
	FUZZ_CHECK(fails[i] <= 1);
	if (fails[i])
		FUZZ_CHECK(used == used_before_fail);
	if (i == 1 && !virtio_dev_live(&nic[i].dev) && !fails[i])
		FUZZ_CHECK(used == 0 && c->rx_packets == 0);
}

static void run(void)
{
	uint16_t at_fail[NICS] = { 0 };
	bool failed[NICS] = { false };

	for (unsigned int call = 0; call < MAX_CALLS; call++) {
		uint16_t before = nic[0].dev.vq[VIRTIO_NET_TX_QUEUE].used_idx;
		int r = vnet_frame_transmit(&sw, &nic[0], (uint64_t)call * 1000);

		FUZZ_CHECK(r == 0 || r == VIRTIO_NOTIFY_MORE ||
			   (r < 0 && r > -(int)VIRTQ_ERR_COUNT));
		FUZZ_CHECK((uint16_t)(nic[0].dev.vq[VIRTIO_NET_TX_QUEUE].used_idx - before) <=
			   VNET_TX_BUDGET);
		check_sender();
		for (unsigned int i = 1; i < NICS; i++) {
			if (fails[i] && !failed[i])
				at_fail[i] = nic[i].dev.vq[VIRTIO_NET_RX_QUEUE].used_idx;
			failed[i] = fails[i];
			check_receiver(i, at_fail[i]);
		}
		if (r != VIRTIO_NOTIFY_MORE)
			break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	unsigned int mode = (unsigned int)fuzz_take(&in, 1);
	uint16_t qsize = (uint16_t)(1u << (fuzz_take(&in, 1) % 8));
	uint8_t *ram[NICS];

	shim_log_reset();
	memset(fails, 0, sizeof(fails));
	vswitch_init(&sw, VSWITCH_AGEING_NS);
	for (unsigned int i = 0; i < NICS; i++) {
		size_t len;
		const uint8_t *bytes = fuzz_bytes(&in, NIC_RAM, &len);

		ram[i] = calloc(1, NIC_RAM);
		FUZZ_CHECK(ram[i]);
		memcpy(ram[i], bytes, len);
		nic_setup(i, mode, qsize, ram[i]);
	}
	run();
	for (unsigned int i = 0; i < NICS; i++)
		free(ram[i]);
	return 0;
}
