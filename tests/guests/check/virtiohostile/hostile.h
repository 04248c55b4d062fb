/* SPDX-License-Identifier: MIT */
/* virtiohostile: what its two files share (main.c drives, rings.c holds the malformed rings). */
#ifndef VIRTIOHOSTILE_H
#define VIRTIOHOSTILE_H

#include "guest.h"
#include "virtio.h"

/* Tally's causes (enum virtq_error's order and keys) and its other counters. */
enum cause { C_RING = 1, C_INDEX, C_LOOP, C_ADDR, C_LEN, C_INDIRECT, C_ORDER, C_SEGS, C_AVAIL,
	     C_COUNT };

struct caused {
	uint32_t by_cause[C_COUNT];
	uint32_t needs_reset, bad_register, resets;
};

extern struct caused caused;
extern uint32_t checks_passed;

/* A check that prints only when it fails: a line per check would flood the console. */
#define CHECK(ok, ...)							\
	do {								\
		if (ok)							\
			checks_passed++;				\
		else							\
			guest_fail(__VA_ARGS__);			\
	} while (0)
extern struct vio_dev dev;
extern struct vio_queue vq;		/* the queue under attack: the NIC's transmit queue, the disk's */
extern unsigned int work_queue;		/* its index */
extern uint32_t ram_top;		/* first byte past the domain's RAM */
extern uint8_t good_buf[4096];		/* a buffer inside RAM for descriptors to point at */

#define HOSTILE_FRAME	60		/* the good frame: a minimum Ethernet frame, no FCS */

/* Write a virtio_net_hdr and a broadcast frame from the NIC's MAC at @buf. */
void hostile_frame(uint8_t *buf);

/* Count @n more good requests (sent frames, read sectors). */
void hostile_good_requests(uint32_t n);

/* Race a descriptor's address against @n offers from another vCPU (race.c). */
void race_run(uint32_t n);

/* Reset, features (+ INDIRECT_DESC with @indirect), queue of @size ready, DRIVER_OK. */
void hostile_start(unsigned int size, bool indirect);

/* Offer chain @head on vq (raw ring write, published) and notify. */
void hostile_offer(uint16_t head);

/* Status shows DEVICE_NEEDS_RESET and a configuration interrupt is pending: counted as @c. */
void hostile_expect_fail(const char *what, enum cause c);

/* Reset, start again with a queue of 8, and check one good request goes through. */
void hostile_recover(const char *what);

/* The malformed descriptor chains, each answered by its cause (rings.c). */
void rings_run(void);

/* The malformed queue set-ups, refused when the queue is made ready (rings.c). */
void rings_setup_run(void);

#endif
