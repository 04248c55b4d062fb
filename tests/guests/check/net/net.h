/* SPDX-License-Identifier: MIT */
/* net guest: the frames it exchanges with its peer, and how it waits for them. */
#ifndef NET_NET_H
#define NET_NET_H

#include <stdbool.h>
#include <stdint.h>
#include "virtio.h"

#define ETH_ALEN		6
#define ETH_HLEN		14
#define ETH_TYPE_TEST		0x88B5	/* IEEE 802 local experimental EtherType 1 */
#define NET_HDR_BYTES		(ETH_HLEN + 6)	/* Ethernet header, kind, flag, seq */
#define NET_FRAME_MIN		60	/* the shortest Ethernet frame without FCS */

/* What a frame is for (the byte after the EtherType). */
enum net_kind {
	NET_HELLO = 1,		/* handshake: flag = "I have heard you" */
	NET_DATA = 2,		/* payload checked byte by byte; seq counts from 0 */
	NET_ACK = 3,		/* seq = data frames received from the peer so far */
	NET_END = 4,		/* the sender is done (blast mode): answer with an ACK */
};

/* A decoded frame. */
struct net_frame {
	uint8_t dst[ETH_ALEN], src[ETH_ALEN];
	uint16_t type;
	uint8_t kind, flag;
	uint32_t seq;
};

/* Build a frame of @len bytes (>= NET_FRAME_MIN) into @buf; payload from (src, seq). */
void net_build(uint8_t *buf, uint32_t len, const struct net_frame *f);

/* Decode @buf of @len bytes into @f; false if it is not one of ours. */
bool net_parse(const uint8_t *buf, uint32_t len, struct net_frame *f);

/* Does the payload of @buf (@len bytes, decoded as @f) hold the pattern net_build() wrote? */
bool net_payload_ok(const uint8_t *buf, uint32_t len, const struct net_frame *f);

/* The size of data frame @seq between @min and @max, spread over the range. */
uint32_t net_data_len(uint32_t seq, uint32_t min, uint32_t max);

/* Parse "aa:bb:cc:dd:ee:ff" into @mac; false if malformed. */
bool net_parse_mac(const char *s, uint8_t mac[ETH_ALEN]);

/* Set up waiting by interrupt on @n's line (GSI 16 + slot) with a watchdog timer. */
void net_irq_init(struct vio_net *n);

/* Wait for a used rx entry on @n, by interrupt (after net_irq_init) or polling, up to @us. */
void net_wait_rx(struct vio_net *n, uint32_t us);

/* Halt @us microseconds (APIC timer wake-ups every 10 ms, the NIC's line left masked). */
void net_sleep_us(uint32_t us);

/* Interrupts the NIC raised, and the InterruptStatus bits they acknowledged (OR). */
uint32_t net_irq_count(void);
uint32_t net_irq_bits(void);

#endif
