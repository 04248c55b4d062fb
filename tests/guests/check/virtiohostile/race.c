/* SPDX-License-Identifier: MIT */
/*
 * virtiohostile race=N: vCPU 1 rewrites a descriptor's address without
 * pause, between a good frame and the end of RAM, while vCPU 0 offers it N
 * times.  Tally copies each descriptor once before checking it, so each
 * offer is either refused (addr, the device then needs a reset) or sends
 * the good frame, never a mixture; the guest counts which, and Tally's
 * counters must agree.
 */
#include "hostile.h"

#define AP_APIC_ID		1u
#define AP_TRAMPOLINE_PAGE	0x8000u
#define AP_STACK_SIZE		8192
#define AP_START_US		100000u
#define RACE_DESC		7	/* clear of the good request's descriptors 0-2 */
#define RACE_QUEUE		8
#define WAIT_US			100000u

static uint8_t ap_stack[AP_STACK_SIZE] __attribute__((aligned(16)));
static volatile bool ap_online, race_stop;
static volatile uint32_t flips;

/* vCPU 1: flip the low half of the racing descriptor's address (one 32-bit store each). */
static void ap_main(uint32_t apic_id)
{
	/* addr is the descriptor's first field: the table is 16-byte aligned. */
	volatile uint32_t *low = (volatile uint32_t *)(void *)&vq.desc[RACE_DESC];
	uint32_t good = (uint32_t)good_buf, bad = ram_top;

	(void)apic_id;
	ap_online = true;
	while (!race_stop) {
		*low = good;
		*low = bad;
		flips++;
	}
	halt_forever();
}

/* One offer of the racing descriptor: true if it was sent, false if refused. */
static bool race_once(void)
{
	uint32_t head, len;

	hostile_start(RACE_QUEUE, true);
	vq.desc[RACE_DESC].addr = (uint32_t)good_buf;	/* never the 0 the reset left */
	vq.desc[RACE_DESC].len = sizeof(struct virtio_net_hdr) + HOSTILE_FRAME;
	vq.desc[RACE_DESC].flags = 0;
	hostile_offer(RACE_DESC);
	if (vio_status(&dev) & VIRTIO_STATUS_DEVICE_NEEDS_RESET) {
		caused.by_cause[C_ADDR]++;
		caused.needs_reset++;
		return false;
	}
	CHECK(vio_wait_used(&vq, &head, &len, WAIT_US) && head == RACE_DESC,
	      "race: an offer neither refused nor answered");
	return true;
}

void race_run(uint32_t n)
{
	uint32_t sent = 0, refused = 0;

	hostile_frame(good_buf);
	if (!smp_start_ap(AP_APIC_ID, AP_TRAMPOLINE_PAGE, ap_main, ap_stack + sizeof(ap_stack),
			  AP_START_US)) {
		guest_fail("race: cpu1 did not start (needs vcpus=2)");
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		if (race_once())
			sent++;
		else
			refused++;
	}
	race_stop = true;
	hostile_good_requests(sent);
	printk("virtiohostile: race offers=%u sent=%u refused=%u flips=%u\n", n, sent, refused,
	       flips);
}
