/* SPDX-License-Identifier: MIT */
/* net guest: building, parsing and checking the test frames; waiting by interrupt. */
#include "guest.h"
#include "net.h"
#include "xapic.h"

#define NET_VECTOR		0x50
#define WATCHDOG_VECTOR		0x51
#define WATCHDOG_MS		10
#define OFF_KIND		ETH_HLEN
#define OFF_FLAG		(ETH_HLEN + 1)
#define OFF_SEQ			(ETH_HLEN + 2)

static inline uint8_t pattern(const struct net_frame *f, uint32_t i)
{
	return (uint8_t)(f->seq * 31u + i + f->src[ETH_ALEN - 1] * 7u);
}

void net_build(uint8_t *buf, uint32_t len, const struct net_frame *f)
{
	memcpy(buf, f->dst, ETH_ALEN);
	memcpy(buf + ETH_ALEN, f->src, ETH_ALEN);
	buf[12] = ETH_TYPE_TEST >> 8;	/* network byte order */
	buf[13] = ETH_TYPE_TEST & 0xff;
	buf[OFF_KIND] = f->kind;
	buf[OFF_FLAG] = f->flag;
	memcpy(buf + OFF_SEQ, &f->seq, sizeof(f->seq));
	for (uint32_t i = NET_HDR_BYTES; i < len; i++)
		buf[i] = pattern(f, i);
}

bool net_parse(const uint8_t *buf, uint32_t len, struct net_frame *f)
{
	if (len < NET_HDR_BYTES)
		return false;
	memcpy(f->dst, buf, ETH_ALEN);
	memcpy(f->src, buf + ETH_ALEN, ETH_ALEN);
	f->type = (uint16_t)(buf[12] << 8 | buf[13]);
	f->kind = buf[OFF_KIND];
	f->flag = buf[OFF_FLAG];
	memcpy(&f->seq, buf + OFF_SEQ, sizeof(f->seq));
	return f->type == ETH_TYPE_TEST;
}

bool net_payload_ok(const uint8_t *buf, uint32_t len, const struct net_frame *f)
{
	for (uint32_t i = NET_HDR_BYTES; i < len; i++)
		if (buf[i] != pattern(f, i))
			return false;
	return true;
}

/* A stride coprime with most ranges walks the sizes without a visible period. */
uint32_t net_data_len(uint32_t seq, uint32_t min, uint32_t max)
{
	uint32_t span = max - min + 1;

	return min + ((seq % span) * 677u) % span;	/* span <= 1455: no overflow */
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool net_parse_mac(const char *s, uint8_t mac[ETH_ALEN])
{
	for (int i = 0; i < ETH_ALEN; i++) {
		int hi = hexval(s[3 * i]), lo = hi < 0 ? -1 : hexval(s[3 * i + 1]);
		char sep = s[3 * i + 2];

		if (hi < 0 || lo < 0 || sep != (i == ETH_ALEN - 1 ? '\0' : ':'))
			return false;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

static struct vio_net *irq_nic;
static volatile uint32_t irqs, irq_bits;
static uint32_t watchdog_ticks;

/* Level-triggered: acknowledge at the device first, so the line is low before the EOI. */
static void nic_irq(uint32_t vector)
{
	(void)vector;
	irq_bits |= vio_irq_ack(&irq_nic->dev);
	irqs++;
	xapic_eoi();
}

static void watchdog_irq(uint32_t vector)
{
	(void)vector;
	xapic_eoi();
}

void net_irq_init(struct vio_net *n)
{
	uint32_t tsc_k, apic_k;

	irq_nic = n;
	if (!tsc_tally_timing(&tsc_k, &apic_k))
		apic_k = tsc_khz();
	watchdog_ticks = apic_k * WATCHDOG_MS;
	irq_register(NET_VECTOR, nic_irq);
	irq_register(WATCHDOG_VECTOR, watchdog_irq);
	xapic_sw_enable();
	vio_irq_route(&n->dev, NET_VECTOR);
}

uint32_t net_irq_count(void)
{
	return irqs;
}

uint32_t net_irq_bits(void)
{
	return irq_bits;
}

void net_sleep_us(uint32_t us)
{
	uint32_t tsc_k, apic_k;
	uint64_t end;

	if (!watchdog_ticks) {
		if (!tsc_tally_timing(&tsc_k, &apic_k))
			apic_k = tsc_khz();
		watchdog_ticks = apic_k * WATCHDOG_MS;
		irq_register(WATCHDOG_VECTOR, watchdog_irq);
		xapic_sw_enable();
	}
	end = rdtsc() + tsc_from_us(us);
	irq_disable();
	while (rdtsc() < end) {
		xapic_timer_oneshot(WATCHDOG_VECTOR, watchdog_ticks);
		sti_hlt();
		irq_disable();
	}
	xapic_timer_oneshot(WATCHDOG_VECTOR, 0);
}

/* HLT until the NIC's interrupt (or the watchdog) once the ring is seen empty with IF=0. */
void net_wait_rx(struct vio_net *n, uint32_t us)
{
	uint64_t end = rdtsc() + tsc_from_us(us);

	if (!irq_nic) {
		while (vio_used_idx(&n->rx) == n->rx.last_used && rdtsc() < end)
			cpu_relax();
		return;
	}
	irq_disable();
	while (vio_used_idx(&n->rx) == n->rx.last_used && rdtsc() < end) {
		xapic_timer_oneshot(WATCHDOG_VECTOR, watchdog_ticks);
		sti_hlt();
		irq_disable();
	}
	xapic_timer_oneshot(WATCHDOG_VECTOR, 0);
	irq_enable();
}
