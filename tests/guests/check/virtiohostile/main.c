/* SPDX-License-Identifier: MIT */
/*
 * virtiohostile: a driver that breaks every rule of the split virtqueue and
 * the virtio-mmio registers (virtio 1.2 sections 2.7, 4.2) on its own NIC
 * (dev=net, slot 0: the transmit queue) or disk (dev=blk, slot 1).  After
 * each malformed ring it checks that the device went to
 * DEVICE_NEEDS_RESET with a configuration interrupt and ignores further
 * notifications, resets it, and checks one good request goes through.  It
 * counts what it caused the way Tally counts it and prints the count
 * (`virtiohostile: caused ring=N ...`) for the scenario to compare with
 * Tally's `virtio-net` / `virtio-blk` usage line, cause by cause.
 *
 * race=N instead races a descriptor's address from a second vCPU against N
 * offers of it (race.c; dev=net, vcpus=2).
 *
 * refuse=KIND instead makes one access the transport refuses, which ends
 * the domain: ro (a write to MagicValue), size (a 16-bit Status write),
 * offset (a read of an unknown offset), wo (a read of QueueNotify),
 * config (a read past the configuration space).
 */
#include "hostile.h"

const char guest_name[] = "virtiohostile";

#define ETH_TYPE_LOCAL	0xb588		/* 0x88B5 (IEEE 802 local experimental), big-endian */
#define UNKNOWN_REG	0x0d0		/* no register there (4.2.2) */
#define WAIT_US		100000u

struct caused caused;
uint32_t checks_passed;
struct vio_dev dev;
struct vio_queue vq;
unsigned int work_queue;
uint32_t ram_top;
uint8_t good_buf[4096] __attribute__((aligned(4096)));
static bool is_net;
static uint32_t good_requests;
static uint8_t mac[6];

void hostile_start(unsigned int size, bool indirect)
{
	uint64_t want = indirect ? 1ull << VIRTIO_F_INDIRECT_DESC : 0;

	CHECK(vio_init(&dev, want) == 0, "init");
	caused.resets++;
	CHECK(vio_has(&dev, VIRTIO_F_INDIRECT_DESC) == indirect, "INDIRECT_DESC as asked");
	CHECK(vio_queue_setup(&dev, &vq, work_queue, size) == (int)size,
		    "queue of %u entries", size);
	vio_driver_ok(&dev);
}

void hostile_offer(uint16_t head)
{
	vq.avail[VIRTQ_AVAIL_RING / 2 + (vq.avail_idx & (vq.size - 1u))] = head;
	vq.avail_idx++;
	vio_publish(&vq);
	vio_notify(&vq);
}

void hostile_expect_fail(const char *what, enum cause c)
{
	uint32_t st = vio_status(&dev), isr = vio_reg_read(&dev, VIRTIO_MMIO_INTERRUPT_STATUS);

	CHECK(st & VIRTIO_STATUS_DEVICE_NEEDS_RESET, "%s: DEVICE_NEEDS_RESET (status %#x)",
		    what, st);
	CHECK(isr & VIRTIO_MMIO_INT_CONFIG, "%s: configuration interrupt (%#x)", what, isr);
	caused.by_cause[c]++;
	caused.needs_reset++;
}

void hostile_frame(uint8_t *buf)
{
	uint8_t *eth = buf + sizeof(struct virtio_net_hdr);

	memset(buf, 0, sizeof(struct virtio_net_hdr) + HOSTILE_FRAME);
	memset(eth, 0xff, 6);
	memcpy(eth + 6, mac, 6);
	*(uint16_t *)(eth + 12) = ETH_TYPE_LOCAL;
}

void hostile_good_requests(uint32_t n)
{
	good_requests += n;
}

/* One request that must succeed: a broadcast frame sent, or sector 0 read. */
static void good_request(const char *what)
{
	uint32_t head, len, base = (uint32_t)good_buf;
	bool done;

	memset(good_buf, 0, 1024 + 1);
	if (is_net) {
		hostile_frame(good_buf);
		vq.desc[0] = (struct virtq_desc){ base, sizeof(struct virtio_net_hdr) + HOSTILE_FRAME,
						  0, 0 };
	} else {
		good_buf[1024] = 0xee;		/* the status byte, until the device writes it */
		vq.desc[0] = (struct virtq_desc){ base, sizeof(struct virtio_blk_req_hdr),
						  VIRTQ_DESC_F_NEXT, 1 };
		vq.desc[1] = (struct virtq_desc){ base + 512, VIRTIO_BLK_SECTOR_SIZE,
						  VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2 };
		vq.desc[2] = (struct virtq_desc){ base + 1024, 1, VIRTQ_DESC_F_WRITE, 0 };
	}
	hostile_offer(0);
	done = vio_wait_used(&vq, &head, &len, WAIT_US);
	CHECK(done && head == 0, "%s: then a good request is answered", what);
	if (!is_net)
		CHECK(good_buf[1024] == VIRTIO_BLK_S_OK && len == VIRTIO_BLK_SECTOR_SIZE + 1,
			    "%s: then sector 0 reads (status %u, %u bytes)", what, good_buf[1024], len);
	CHECK(!(vio_status(&dev) & VIRTIO_STATUS_DEVICE_NEEDS_RESET), "%s: device fine", what);
	good_requests += done;
}

void hostile_recover(const char *what)
{
	hostile_start(8, true);
	good_request(what);
}

/* A failed device does nothing until reset: a good chain stays where it is. */
static void failed_device_is_idle(void)
{
	hostile_start(8, true);
	vq.desc[0] = (struct virtq_desc){ 0, 0, 0, 0 };	/* zero length */
	hostile_offer(0);
	hostile_expect_fail("zero length, then a good chain", C_LEN);
	vq.desc[1] = (struct virtq_desc){ (uint32_t)good_buf, 16, 0, 0 };
	hostile_offer(1);
	CHECK(vio_used_idx(&vq) == 0, "a device in DEVICE_NEEDS_RESET takes no chain");
	hostile_recover("needs reset, idle");
}

/* Notifications of queues that are not there or not ready: counted as "index", not fatal. */
static void bad_notifications(void)
{
	hostile_start(8, true);
	vio_reg_write(&dev, VIRTIO_MMIO_QUEUE_NOTIFY, 2);	/* past the NIC's last; the disk has 1 */
	vio_reg_write(&dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0xffff);
	caused.by_cause[C_INDEX] += 2;
	if (is_net) {
		vio_reg_write(&dev, VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_NET_RX_QUEUE);	/* never set up */
		caused.by_cause[C_INDEX]++;
	}
	vio_reg_write(&dev, VIRTIO_MMIO_QUEUE_SEL, work_queue);
	vio_reg_write(&dev, VIRTIO_MMIO_QUEUE_READY, 0);
	vio_notify(&vq);					/* set up, but not ready */
	caused.by_cause[C_INDEX]++;
	CHECK(!(vio_status(&dev) & VIRTIO_STATUS_DEVICE_NEEDS_RESET),
		    "notifying absent or unready queues leaves the device working");
	hostile_recover("bad notifications");
}

/* Before DRIVER_OK nothing is consumed (3.1.1), and nothing counted. */
static void notify_before_driver_ok(void)
{
	uint32_t head, len;

	CHECK(vio_init(&dev, 0) == 0, "init");
	caused.resets++;
	vio_queue_setup(&dev, &vq, work_queue, 8);
	vq.desc[0] = (struct virtq_desc){ 0, 0, 0, 0 };	/* would be a LEN error */
	hostile_offer(0);
	CHECK(vio_used_idx(&vq) == 0 && !(vio_status(&dev) & VIRTIO_STATUS_DEVICE_NEEDS_RESET),
		    "a notification before DRIVER_OK is ignored");
	CHECK(!vio_wait_used(&vq, &head, &len, 1000), "nothing used before DRIVER_OK");
	hostile_recover("before DRIVER_OK");
}

/* Writes the transport drops (counted in bad_register): the device is unchanged. */
static void dropped_writes(void)
{
	uint32_t st;

	hostile_start(8, true);
	st = vio_status(&dev);
	vio_reg_write(&dev, VIRTIO_MMIO_QUEUE_SEL, work_queue);
	vio_reg_write(&dev, VIRTIO_MMIO_QUEUE_NUM, 4);			/* while ready */
	vio_reg_write(&dev, VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1000);	/* while ready */
	vio_reg_write(&dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vio_reg_write(&dev, VIRTIO_MMIO_DRIVER_FEATURES, 1);		/* after FEATURES_OK */
	vio_reg_write(&dev, VIRTIO_MMIO_STATUS, st & ~VIRTIO_STATUS_DRIVER_OK);	/* clears a bit */
	caused.bad_register += 4;
	CHECK(vio_status(&dev) == st, "Status unchanged by dropped writes (%#x, was %#x)",
		    vio_status(&dev), st);
	good_request("dropped writes");
	/* Status bits out of order (3.1.1): DRIVER_OK without FEATURES_OK. */
	vio_reset(&dev);
	caused.resets++;
	vio_reg_write(&dev, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	vio_reg_write(&dev, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER_OK);
	caused.bad_register++;
	CHECK(vio_status(&dev) == VIRTIO_STATUS_ACKNOWLEDGE, "DRIVER_OK out of order refused");
	hostile_recover("status out of order");
}

/* One access the transport refuses: the domain ends on it. */
static void refuse(const char *kind)
{
	volatile uint8_t *regs = (volatile uint8_t *)dev.base;
	uint32_t v = 0;

	printk("virtiohostile: refused next: %s\n", kind);
	if (!strcmp(kind, "ro"))
		vio_reg_write(&dev, VIRTIO_MMIO_MAGIC_VALUE, 0);
	else if (!strcmp(kind, "size"))
		*(volatile uint16_t *)(regs + VIRTIO_MMIO_STATUS) = 0;
	else if (!strcmp(kind, "offset"))
		v = vio_reg_read(&dev, UNKNOWN_REG);
	else if (!strcmp(kind, "wo"))
		v = vio_reg_read(&dev, VIRTIO_MMIO_QUEUE_NOTIFY);
	else if (!strcmp(kind, "config"))
		v = vio_reg_read(&dev, VIRTIO_MMIO_CONFIG + 0x100);
	guest_fail("refuse=%s: the access went through (%#x)", kind, v);
}

static void report(void);

static void read_mac(void)
{
	uint32_t lo = vio_reg_read(&dev, VIRTIO_MMIO_CONFIG);
	uint32_t hi = vio_reg_read(&dev, VIRTIO_MMIO_CONFIG + 4);

	memcpy(mac, &lo, 4);
	memcpy(mac + 4, &hi, 2);
}

void guest_main(const struct mb_info *mbi)
{
	char devname[8] = "net", kind[16];
	unsigned int slot;

	ram_top = (1024 + mb_mem_upper(mbi)) * 1024;
	cmdline_str(mbi, "dev", devname, sizeof(devname));
	is_net = !strcmp(devname, "net");
	slot = is_net ? VPLATFORM_VIRTIO_NET_SLOT : VPLATFORM_VIRTIO_BLK_SLOT;
	work_queue = is_net ? VIRTIO_NET_TX_QUEUE : 0;
	if (vio_probe(&dev, slot, is_net ? VIRTIO_ID_NET : VIRTIO_ID_BLOCK)) {
		guest_fail("no virtio-%s in slot %u", devname, slot);
		return;
	}
	if (cmdline_str(mbi, "refuse", kind, sizeof(kind))) {
		refuse(kind);
		return;
	}
	if (is_net)
		read_mac();
	if (cmdline_u32(mbi, "race", 0)) {
		race_run(cmdline_u32(mbi, "race", 0));
		report();
		return;
	}
	notify_before_driver_ok();
	failed_device_is_idle();
	rings_run();
	rings_setup_run();
	bad_notifications();
	dropped_writes();
	report();
}

/* What it caused, for the scenario to hold Tally's counters to. */
static void report(void)
{
	printk("virtiohostile: caused ring=%u index=%u loop=%u addr=%u len=%u indirect=%u "
	       "order=%u segs=%u avail=%u needs_reset=%u bad_register=%u resets=%u\n",
	       caused.by_cause[C_RING], caused.by_cause[C_INDEX], caused.by_cause[C_LOOP],
	       caused.by_cause[C_ADDR], caused.by_cause[C_LEN], caused.by_cause[C_INDIRECT],
	       caused.by_cause[C_ORDER], caused.by_cause[C_SEGS], caused.by_cause[C_AVAIL],
	       caused.needs_reset, caused.bad_register, caused.resets);
	printk("virtiohostile: good requests=%u\n", good_requests);
	guest_check(checks_passed > 0, "%u checks held", checks_passed);
}
