/* SPDX-License-Identifier: MIT */
/* Host benchmark: the NIC switch's forwarding path on whole frames, beside a plain memcpy of the same bytes in the same run.
 *
 * Built for the host from Tally's own drivers/vdev/vswitch.c and
 * drivers/vdev/virtq.c (kernel/hcall_args.c for the checked guest copies),
 * at -O2 as Tally is.  Two fake guest memories, a sender's and a
 * receiver's, each with a 256-entry split virtqueue: the sender's chains
 * hold a 12-byte virtio_net_hdr and a frame, the receiver's are 2 KiB
 * writable buffers.  Per frame, what Tally's transmit path does:
 * virtq_pop() of the sender's chain, the Ethernet header copied out
 * (virtq_read), vswitch_tx(), vswitch_rx_admit(), virtq_pop() of a
 * receive buffer, the virtio_net_hdr and Ethernet header written
 * (virtq_write), the rest copied straight across (virtq_copy), virtq_push()
 * of both chains and vswitch_rx_done().  The baseline is memcpy() of the
 * same frame bytes between the same buffers.  Rounds alternate; each
 * side's best round counts (the host is shared: the best is the least
 * disturbed).  The receiver's MAC is learned first: frames go to it alone.
 * Then, for the split, the switch's decisions alone (vswitch_tx,
 * vswitch_rx_admit, vswitch_rx_done) on as many frames.  Prints one `vswitch_bench:` line of figures; exits 1 only
 * when the path did not deliver every frame intact, never for a speed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tally/virtio.h>
#include <tally/virtq.h>
#include <tally/vswitch.h>

#define QSIZE		VIRTQ_MAX_SIZE
#define MEM_SIZE	(2 * MIB)
#define DESC_GPA	0x1000
#define AVAIL_GPA	0x2000
#define USED_GPA	0x3000
#define BUF_GPA		0x10000
#define BUF_STRIDE	2048		/* a receive buffer: 12 + 1514 fit */
#define NET_HDR		sizeof(struct virtio_net_hdr)
#define ROUNDS		5

static const uint8_t mac_tx[VSWITCH_MAC_LEN] = { 0x02, 0x54, 0x41, 0x00, 0x00, 0x01 };
static const uint8_t mac_rx[VSWITCH_MAC_LEN] = { 0x02, 0x54, 0x41, 0x00, 0x00, 0x02 };

/* One side: its memory and its queue. */
struct side {
	struct guest_mem mem;
	struct virtq q;
	uint16_t avail_idx;		/* the driver's */
};

static struct vswitch sw;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A side with QSIZE one-descriptor chains of @len bytes (@flags) at BUF_GPA + i * BUF_STRIDE. */
static void side_init(struct side *s, uint32_t len, uint16_t flags)
{
	s->mem = (struct guest_mem){ .base = aligned_alloc(PAGE_SIZE, MEM_SIZE), .size = MEM_SIZE };
	if (!s->mem.base) {
		perror("vswitch_bench");
		exit(1);
	}
	memset(s->mem.base, 0, MEM_SIZE);
	for (unsigned int i = 0; i < QSIZE; i++) {
		struct virtq_desc d = { .addr = BUF_GPA + (uint64_t)i * BUF_STRIDE, .len = len,
					.flags = flags };

		memcpy(s->mem.base + DESC_GPA + i * sizeof(d), &d, sizeof(d));
	}
	s->q = (struct virtq){ .size = QSIZE, .ready = true, .desc_gpa = DESC_GPA,
			       .avail_gpa = AVAIL_GPA, .used_gpa = USED_GPA };
	s->avail_idx = 0;
}

/* The driver makes all QSIZE chains available again (the device took them all). */
static void side_post_all(struct side *s)
{
	for (uint16_t i = 0; i < QSIZE; i++)
		memcpy(s->mem.base + AVAIL_GPA + VIRTQ_AVAIL_RING + 2 * ((s->avail_idx + i) % QSIZE),
		       &i, sizeof(i));
	s->avail_idx += QSIZE;
	memcpy(s->mem.base + AVAIL_GPA + VIRTQ_AVAIL_IDX, &s->avail_idx, sizeof(s->avail_idx));
}

/* Frame i of the sender: a zero virtio_net_hdr, then rx <- tx, IPv4, a pattern. */
static void fill_frames(struct side *tx, uint32_t frame)
{
	for (unsigned int i = 0; i < QSIZE; i++) {
		uint8_t *p = tx->mem.base + BUF_GPA + (uint64_t)i * BUF_STRIDE + NET_HDR;

		memcpy(p, mac_rx, VSWITCH_MAC_LEN);
		memcpy(p + VSWITCH_MAC_LEN, mac_tx, VSWITCH_MAC_LEN);
		p[12] = 0x08;
		p[13] = 0x00;
		for (uint32_t k = VSWITCH_ETH_HLEN; k < frame; k++)
			p[k] = (uint8_t)(i * 7 + k);
	}
}

/* Forward one frame from @tx to @rx as Tally's transmit path does; 0 or -1. */
static int forward_one(struct side *tx, struct side *rx, uint64_t now)
{
	static struct virtq_chain tc, rc;
	struct virtio_net_hdr hdr = { .gso_type = VIRTIO_NET_HDR_GSO_NONE, .num_buffers = 1 };
	uint8_t eth[VSWITCH_ETH_HLEN];
	struct vswitch_dests out;
	uint32_t len;

	if (virtq_pop(&tx->q, &tx->mem, &tc) != 1 ||
	    virtq_read(&tx->mem, &tc, NET_HDR, eth, sizeof(eth)))
		return -1;
	len = (uint32_t)(tc.read_bytes - NET_HDR);
	if (vswitch_tx(&sw, 0, eth, len, now, &out))
		return -1;
	for (unsigned int i = 0; i < out.count; i++) {
		if (!vswitch_rx_admit(&sw, out.port[i], len, now) ||
		    virtq_pop(&rx->q, &rx->mem, &rc) != 1 ||
		    virtq_write(&rx->mem, &rc, 0, &hdr, sizeof(hdr)) ||
		    virtq_write(&rx->mem, &rc, NET_HDR, eth, sizeof(eth)) ||
		    virtq_copy(&rx->mem, &rc, NET_HDR + sizeof(eth), &tx->mem, &tc,
			       NET_HDR + sizeof(eth), len - sizeof(eth)) ||
		    virtq_push(&rx->q, &rx->mem, rc.head, (uint32_t)NET_HDR + len))
			return -1;
		vswitch_rx_done(&sw, out.port[i], eth, len, true);
	}
	return virtq_push(&tx->q, &tx->mem, tc.head, 0);
}

/*
 * The receiver sends one broadcast first, so that its MAC is learned and
 * the frames go to it alone, as in a steady two-way exchange (an unknown
 * destination would be flooded).
 */
static int learn_receiver(void)
{
	uint8_t eth[VSWITCH_ETH_HLEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct vswitch_dests out;

	memcpy(eth + VSWITCH_MAC_LEN, mac_rx, VSWITCH_MAC_LEN);
	return vswitch_tx(&sw, 1, eth, 60, now_ns(), &out) || out.count != 1 ? -1 : 0;
}

/* Nanoseconds to forward @batches * QSIZE frames (posting the rings is not timed). */
static uint64_t time_forward(struct side *tx, struct side *rx, unsigned int batches)
{
	uint64_t spent = 0;

	for (unsigned int b = 0; b < batches; b++) {
		uint64_t start;

		side_post_all(tx);
		side_post_all(rx);
		start = now_ns();
		for (unsigned int i = 0; i < QSIZE; i++)
			if (forward_one(tx, rx, start)) {
				fprintf(stderr, "vswitch_bench: a frame was not forwarded\n");
				exit(1);
			}
		spent += now_ns() - start;
	}
	return spent;
}

/* Nanoseconds for the switch's decisions alone on as many frames (no ring, no copy). */
static uint64_t time_switch(unsigned int batches, uint32_t frame)
{
	uint8_t eth[VSWITCH_ETH_HLEN];
	struct vswitch_dests out;
	uint64_t start = now_ns(), n = (uint64_t)batches * QSIZE;

	memcpy(eth, mac_rx, VSWITCH_MAC_LEN);
	memcpy(eth + VSWITCH_MAC_LEN, mac_tx, VSWITCH_MAC_LEN);
	for (uint64_t i = 0; i < n; i++) {
		if (vswitch_tx(&sw, 0, eth, frame, start, &out) || out.count != 1 ||
		    !vswitch_rx_admit(&sw, out.port[0], frame, start))
			exit(1);
		vswitch_rx_done(&sw, out.port[0], eth, frame, true);
	}
	return now_ns() - start;
}

/* Nanoseconds to memcpy the same frames between the same buffers. */
static uint64_t time_memcpy(struct side *tx, struct side *rx, unsigned int batches, uint32_t frame)
{
	uint64_t spent = 0;

	for (unsigned int b = 0; b < batches; b++) {
		uint64_t start = now_ns();

		for (unsigned int i = 0; i < QSIZE; i++) {
			uint64_t off = BUF_GPA + (uint64_t)i * BUF_STRIDE + NET_HDR;

			memcpy(rx->mem.base + off, tx->mem.base + off, frame);
			__asm__ volatile("" : : : "memory");	/* each copy happens */
		}
		spent += now_ns() - start;
	}
	return spent;
}

/* Every receive buffer holds its frame, and the counters say exactly what was forwarded. */
static int verify(const struct side *tx, const struct side *rx, uint64_t frames, uint32_t frame)
{
	for (unsigned int i = 0; i < QSIZE; i++) {
		uint64_t off = BUF_GPA + (uint64_t)i * BUF_STRIDE + NET_HDR;

		if (memcmp(rx->mem.base + off, tx->mem.base + off, frame))
			return -1;
	}
	if (sw.ports[0].c.tx_packets != frames || sw.ports[1].c.rx_packets != frames ||
	    sw.ports[1].c.rx_bytes != frames * frame || sw.ports[0].c.tx_bytes != frames * frame)
		return -1;
	return 0;
}

/* Each side's best of ROUNDS: forwarding and memcpy alternating, then the switch alone. */
static void measure(struct side *tx, struct side *rx, unsigned int batches, uint32_t frame,
		    uint64_t best[3])
{
	best[0] = best[1] = best[2] = UINT64_MAX;
	for (unsigned int r = 0; r < ROUNDS; r++) {
		uint64_t copy = time_memcpy(tx, rx, batches, frame);
		uint64_t fwd = time_forward(tx, rx, batches);

		best[0] = MIN(best[0], fwd);
		best[1] = MIN(best[1], copy);
	}
	for (unsigned int r = 0; r < ROUNDS; r++) {
		uint64_t decide = time_switch(batches, frame);

		best[2] = MIN(best[2], decide);
	}
}

/* The one line bench.py reads: @frames a round took best[] ns (forward, memcpy, switch). */
static void print_figures(uint32_t frame, uint64_t frames, const uint64_t best[3])
{
	printf("vswitch_bench: frame_bytes=%u frames=%llu forward_ns=%llu memcpy_ns=%llu "
	       "forward_frames_per_s=%.0f forward_gb_per_s=%.3f memcpy_gb_per_s=%.3f "
	       "share_percent=%.1f forward_ns_per_frame=%.1f memcpy_ns_per_frame=%.1f "
	       "switch_ns_per_frame=%.1f\n", frame, (unsigned long long)frames,
	       (unsigned long long)best[0], (unsigned long long)best[1],
	       frames * 1e9 / best[0], frames * frame / (double)best[0],
	       frames * frame / (double)best[1], 100.0 * best[1] / best[0],
	       (double)best[0] / frames, (double)best[1] / frames, (double)best[2] / frames);
}

int main(int argc, char **argv)
{
	uint32_t frame = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 1500;
	unsigned int batches = argc > 2 ? (unsigned int)strtoul(argv[2], NULL, 0) : 2000;
	uint64_t best[3];
	struct side tx, rx;

	if (frame < VSWITCH_FRAME_MIN || frame > VSWITCH_FRAME_MAX || !batches) {
		fprintf(stderr, "usage: vswitch_bench [FRAME_BYTES (%u-%u)] [BATCHES of %u]\n",
			VSWITCH_FRAME_MIN, VSWITCH_FRAME_MAX, QSIZE);
		return 2;
	}
	side_init(&tx, (uint32_t)NET_HDR + frame, 0);
	side_init(&rx, BUF_STRIDE, VIRTQ_DESC_F_WRITE);
	fill_frames(&tx, frame);
	vswitch_init(&sw, VSWITCH_AGEING_NS);
	if (vswitch_port_add(&sw, mac_tx, "bench", NULL, NULL, now_ns()) != 0 ||
	    vswitch_port_add(&sw, mac_rx, "bench", NULL, NULL, now_ns()) != 1 || learn_receiver())
		return 1;
	measure(&tx, &rx, batches, frame, best);
	/* One more batch into cleared buffers, checked (memcpy left the same bytes there). */
	memset(rx.mem.base + BUF_GPA, 0, (uint64_t)QSIZE * BUF_STRIDE);
	time_forward(&tx, &rx, 1);
	if (verify(&tx, &rx, ((uint64_t)2 * ROUNDS * batches + 1) * QSIZE, frame)) {
		fprintf(stderr, "vswitch_bench: frames or counters wrong after forwarding\n");
		return 1;
	}
	print_figures(frame, (uint64_t)batches * QSIZE, best);
	return 0;
}
