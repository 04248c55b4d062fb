/* SPDX-License-Identifier: MIT */
/* A domain's NIC: virtio-net (virtio 1.2 section 5.1) on a port of Tally's switch.
 *
 * Design: see tally/vnet.h.  This file is the glue: the one switch and its
 * lock, the clock, the NICs' memory, configuration space and lifecycle, and
 * the debug key.  The frame path itself (parse, switch, deliver, signal)
 * is vnet_frame.c, which the unit tests compile for the host.
 * Locking: vnet_lock guards the switch, every port's counters and every
 * NIC's registers and queues (virtio_dev.lock points at it), because a
 * transmit on one NIC writes into another NIC's receive queue. */
#include <tally/arch.h>
#include <tally/domain.h>
#include <tally/errno.h>
#include <tally/log.h>
#include <tally/mem.h>
#include <tally/string.h>
#include <tally/vnet.h>
#include <tally/vnet_frame.h>
#include <tally/vplatform.h>

#define NS_PER_MS	((uint64_t)1000000)

#define BYTE_BITS	8

/* Locally administered unicast (IEEE 802: bit 1 of the first octet set, bit 0 clear), "TA". */
static const uint8_t default_mac_prefix[] = { 0x02, 0x54, 0x41, 0x00 };

static struct spinlock vnet_lock = SPINLOCK_INIT;
static struct vswitch vnet_switch;
static bool vnet_switch_ready;

/* Tally's clock in nanoseconds, from the TSC as the scheduler's accounting reads it. */
static uint64_t now_ns(void)
{
	uint64_t tsc = arch_read_tsc(), khz = arch_tsc_khz();

	if (!khz)
		return 0;	/* not calibrated yet: a debug key typed early */
	/* Whole milliseconds, then the rest: tsc * NS_PER_MS would overflow after hours. */
	return tsc / khz * NS_PER_MS + tsc % khz * NS_PER_MS / khz;
}

void vnet_default_mac(unsigned int id, uint8_t mac[VSWITCH_MAC_LEN])
{
	memcpy(mac, default_mac_prefix, sizeof(default_mac_prefix));
	mac[4] = (uint8_t)(id >> BYTE_BITS);
	mac[5] = (uint8_t)id;
}

static int config_read(struct virtio_dev *dev, unsigned int off, unsigned int size,
		       uint64_t *val)
{
	const struct vnet *n = dev->priv;

	return vnet_frame_config_read(&n->config, off, size, val);
}

/*
 * 5.1.4: with VERSION_1 every field is driver-read-only (the MAC was
 * writable only in legacy devices, and CTRL_MAC_ADDR is not offered), so a
 * write inside the configuration changes nothing; past its end it is refused.
 */
static int config_write(struct virtio_dev *dev, unsigned int off, unsigned int size,
			uint64_t val)
{
	uint64_t old;

	(void)val;
	return config_read(dev, off, size, &old);
}

static int notify(struct virtio_dev *dev, struct vcpu *v, unsigned int q)
{
	(void)v;
	/* Receive buffers are taken when frames arrive: a receive notification needs nothing. */
	if (q != VIRTIO_NET_TX_QUEUE)
		return 0;
	return vnet_frame_transmit(&vnet_switch, dev->priv, now_ns());
}

/* Nothing is in flight between notifications: the scratch chains mean nothing after one. */
static void reset(struct virtio_dev *dev)
{
	(void)dev;
}

static const struct virtio_dev_ops vnet_ops = {
	.name = "net",
	.device_id = VIRTIO_ID_NET,
	.queues = VIRTIO_NET_TX_QUEUE + 1,	/* receiveq1, transmitq1: no multiqueue, no control queue */
	.config_read = config_read,
	.config_write = config_write,
	.notify = notify,
	.reset = reset,
};

/* The NIC's memory: zeroed, so its device reads as reset until attached. */
static struct vnet *vnet_alloc(void)
{
	hpa_t pa;
	struct vnet *n;

	if (mem_alloc(sizeof(*n), PAGE_SIZE, 0, &pa))
		return NULL;
	n = arch_phys_to_virt(pa.raw, sizeof(*n));
	if (!n) {
		mem_free(pa, sizeof(*n));
		return NULL;
	}
	memset(n, 0, sizeof(*n));
	n->block = pa;
	return n;
}

static void vnet_free(struct vnet *n)
{
	mem_free(n->block, sizeof(*n));
}

/* 5.1.4: the MAC, the link up (no carrier to lose on a switch inside Tally), the MTU. */
static void init_config(struct vnet *n, const uint8_t mac[VSWITCH_MAC_LEN])
{
	memcpy(n->config.mac, mac, VSWITCH_MAC_LEN);
	n->config.status = VIRTIO_NET_S_LINK_UP;
	n->config.max_virtqueue_pairs = 1;	/* meaningless without VIRTIO_NET_F_MQ */
	n->config.mtu = VSWITCH_MTU;
}

static const char *port_error(int err)
{
	switch (err) {
	case -EEXIST:
		return "its MAC is another domain's";
	case -ENOSPC:
		return "the switch has no free port";
	default:
		return "bad MAC or group";
	}
}

/* A port for @n on the switch (made on first use): its index, or a negative errno. */
static int add_port(struct vnet *n, const struct domain_config *cfg)
{
	struct vswitch_limits lim = {
		.tx_bytes_s = cfg->net_tx_bytes_s, .tx_packets_s = cfg->net_tx_packets_s,
		.rx_bytes_s = cfg->net_rx_bytes_s, .rx_packets_s = cfg->net_rx_packets_s,
	};
	unsigned long flags = spin_lock_irqsave(&vnet_lock);
	int port;

	if (!vnet_switch_ready) {
		vswitch_init(&vnet_switch, VSWITCH_AGEING_NS);
		vnet_switch_ready = true;
	}
	port = vswitch_port_add(&vnet_switch, n->config.mac, cfg->net_group, &lim, n, now_ns());
	if (port >= 0)
		n->port = (unsigned int)port;
	spin_unlock_irqrestore(&vnet_lock, flags);
	return port;
}

int vnet_create(struct domain *d, const struct domain_config *cfg, const char *label)
{
	uint64_t features = 1ull << VIRTIO_NET_F_MAC | 1ull << VIRTIO_NET_F_STATUS |
			    1ull << VIRTIO_NET_F_MTU;
	uint8_t mac[VSWITCH_MAC_LEN];
	struct vnet *n;
	int r;

	if (!cfg->net_group[0])
		return 0;
	if (cfg->mac_set)
		memcpy(mac, cfg->mac, sizeof(mac));
	else
		vnet_default_mac(d->id, mac);
	n = vnet_alloc();
	if (!n) {
		log_err("%s: no memory for its NIC; not created", label);
		return -ENOMEM;
	}
	init_config(n, mac);
	/* Attached before the port exists: a frame finds a device in reset, never a half-made one. */
	r = virtio_dev_attach(d, &n->dev, VPLATFORM_VIRTIO_NET_SLOT, &vnet_ops, features,
			      &vnet_lock, n);
	if (r) {
		log_err("%s: its NIC's slot is taken; not created", label);
		vnet_free(n);
		return r;
	}
	r = add_port(n, cfg);
	if (r < 0) {
		log_err("%s: NIC mac=%02x:%02x:%02x:%02x:%02x:%02x net=%s: %s; not created", label,
			mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], cfg->net_group,
			port_error(r));
		vnet_free(n);
		return r;
	}
	d->net = n;
	return 0;
}

static void snapshot_locked(const struct vnet *n, struct vnet_snapshot *out);

/* Under vnet_lock: keep @n's final counters and give its port back. */
static void detach_locked(struct vnet *n)
{
	if (n->detached)
		return;
	snapshot_locked(n, &n->final);
	vswitch_port_remove(&vnet_switch, n->port);
	n->detached = true;
}

void vnet_detach(struct domain *d)
{
	unsigned long flags;

	if (!d->net)
		return;
	flags = spin_lock_irqsave(&vnet_lock);
	detach_locked(d->net);
	spin_unlock_irqrestore(&vnet_lock, flags);
}

void vnet_destroy(struct domain *d)
{
	struct vnet *n = d->net;
	unsigned long flags;

	if (!n)
		return;
	flags = spin_lock_irqsave(&vnet_lock);
	detach_locked(n);
	d->net = NULL;
	spin_unlock_irqrestore(&vnet_lock, flags);
	vnet_free(n);
}

/* The port's counters; errors = the ring errors its device met (virtio_errors has each cause). */
static void snapshot_locked(const struct vnet *n, struct vnet_snapshot *out)
{
	const struct vswitch_port *p = &vnet_switch.ports[n->port];

	if (n->detached) {
		*out = n->final;
		return;
	}
	memcpy(out->mac, p->mac, sizeof(out->mac));
	memcpy(out->group, p->group, sizeof(out->group));
	out->c = p->c;
	out->errors = n->dev.errors;
	out->c.errors = 0;
	for (unsigned int e = VIRTQ_ERR_RING; e < VIRTQ_ERR_COUNT; e++)
		out->c.errors += n->dev.errors.by_cause[e];
}

int vnet_snapshot(const struct domain *d, struct vnet_snapshot *out)
{
	unsigned long flags = spin_lock_irqsave(&vnet_lock);
	int r = -ENOENT;

	if (d->net) {
		snapshot_locked(d->net, out);
		r = 0;
	}
	spin_unlock_irqrestore(&vnet_lock, flags);
	return r;
}

/* Three lines: who, what it sent and received, what it lost (the usage line's names). */
static void print_port(unsigned int i, const struct vswitch_port *p)
{
	const struct vnet *n = p->owner;
	const struct vswitch_counters *c = &p->c;
	const uint64_t *drop = c->drops;

	log_info("  port %u d%u %s mac=%02x:%02x:%02x:%02x:%02x:%02x group=%s", i,
		 n->dev.domain->id, n->dev.domain->name, p->mac[0], p->mac[1], p->mac[2],
		 p->mac[3], p->mac[4], p->mac[5], p->group);
	log_info("    tx_packets=%lu tx_bytes=%lu tx_broadcast=%lu tx_multicast=%lu rx_packets=%lu "
		 "rx_bytes=%lu rx_broadcast=%lu rx_multicast=%lu", c->tx_packets, c->tx_bytes,
		 c->tx_broadcast, c->tx_multicast, c->rx_packets, c->rx_bytes, c->rx_broadcast,
		 c->rx_multicast);
	log_info("    drop_spoofed=%lu drop_isolation=%lu drop_tx_limit=%lu drop_rx_limit=%lu "
		 "drop_no_buffer=%lu drop_oversize=%lu drop_malformed=%lu",
		 drop[VSWITCH_DROP_SPOOFED], drop[VSWITCH_DROP_ISOLATION],
		 drop[VSWITCH_DROP_TX_LIMIT], drop[VSWITCH_DROP_RX_LIMIT],
		 drop[VSWITCH_DROP_NO_BUFFER], drop[VSWITCH_DROP_OVERSIZE],
		 drop[VSWITCH_DROP_MALFORMED]);
}

static void print_fdb(const struct vswitch_fdb_entry *e, uint64_t now)
{
	log_info("  fdb %02x:%02x:%02x:%02x:%02x:%02x port %u group=%s age_ms=%lu", e->mac[0],
		 e->mac[1], e->mac[2], e->mac[3], e->mac[4], e->mac[5], e->port,
		 vnet_switch.ports[e->port].group, (now - e->seen_ns) / NS_PER_MS);
}

/* How many ports and learned entries are in use. */
static void count_used(unsigned int *ports, unsigned int *learned)
{
	*ports = *learned = 0;
	for (unsigned int i = 0; vnet_switch_ready && i < VSWITCH_MAX_PORTS; i++)
		*ports += vnet_switch.ports[i].used;
	for (unsigned int i = 0; vnet_switch_ready && i < VSWITCH_FDB_SIZE; i++)
		*learned += vnet_switch.fdb[i].used;
}

void vnet_print_switch(void)
{
	unsigned long flags = spin_lock_irqsave(&vnet_lock);
	uint64_t now = now_ns();
	unsigned int ports, learned;

	count_used(&ports, &learned);
	if (!ports) {
		log_info("switch: no ports (no domain has a NIC; net=GROUP gives one)");
		spin_unlock_irqrestore(&vnet_lock, flags);
		return;
	}
	log_info("switch: %u ports, %u learned addresses, fdb_full=%lu", ports, learned,
		 vnet_switch.fdb_full);
	for (unsigned int i = 0; i < VSWITCH_MAX_PORTS; i++)
		if (vnet_switch.ports[i].used)
			print_port(i, &vnet_switch.ports[i]);
	for (unsigned int i = 0; i < VSWITCH_FDB_SIZE; i++)
		if (vnet_switch.fdb[i].used)
			print_fdb(&vnet_switch.fdb[i], now);
	spin_unlock_irqrestore(&vnet_lock, flags);
}
