/* SPDX-License-Identifier: MIT */
/*
 * net: a NIC on Tally's switch (virtio-net over virtio-mmio, slot 0)
 * exchanging a known stream of frames with one peer, every payload byte
 * checked, and reporting exactly what it sent and received, so the
 * scenario can hold Tally's per-port counters to it.
 *
 * Options: peer=MAC (required), frames=N unicast data frames to send,
 * bcast=N and mcast=N broadcast / multicast data frames sent first,
 * expect=N data frames to receive from the peer, min= max= frame sizes
 * (60..1514), spoof=N frames with a forged source MAC, xsend=MAC and
 * xframes=N unicasts to another group's port, irq (wait for receive
 * interrupts on GSI 16 instead of polling), blast (send without flow
 * control, then END after settle_us=N: for a rate-limited port), sink
 * (receive until the peer's END), indirect (send through indirect
 * descriptor tables), bench=N (after the handshake, time N data frames
 * to a peer whose buffers wait; print Tally's instructions per frame:
 * the TSC ticks minus this guest's own cpu_cycles), benchrx=N (the
 * peer: halt sleep_us=N while they come, then take and check them).
 *
 * Protocol: HELLO frames (resent every 10 ms) until both sides heard each
 * other, so both have buffers posted; then DATA with a window of WINDOW
 * frames not yet acknowledged, the receiver ACKing every ACK_EVERY and the
 * last.  Every frame sent and received is counted, handshake included.
 */
#include "guest.h"
#include "net.h"

const char guest_name[] = "net";

#define WINDOW			16
#define ACK_EVERY		8
#define HELLO_US		10000
#define RUN_US			20000000u
#define BENCH_SETTLE_US		50000	/* under the receiver's sleep_us */	/* the whole exchange: 20 s of guest time */
#define MCAST_MAC		{ 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 }
#define BCAST_MAC		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }

struct counts {
	uint32_t packets, bytes, broadcast, multicast;
};

static struct vio_net nic;
static uint8_t frame[VIO_NET_MAX_FRAME];
static uint8_t rxframe[VIO_NET_MAX_FRAME];

static struct {
	uint8_t peer[ETH_ALEN], xdst[ETH_ALEN];
	uint32_t frames, bcast, mcast, expect, min, max, spoof, xframes, settle_us;
	bool blast, sink, indirect;
	uint32_t bench, benchrx, sleep_us;
} opt;

static struct {
	struct counts tx, rx;
	uint32_t spoofed, isolated, foreign, bad, data_rx, data_tx, peer_acked;
	uint32_t data_bytes_rx;
	uint32_t next_seq;		/* the data seq expected next */
	bool heard, peer_heard, sent_heard, end_seen;
	uint32_t acks_seen;
	uint64_t deadline;
} st;

static void count(struct counts *c, const uint8_t *buf, uint32_t len)
{
	c->packets++;
	c->bytes += len;
	if (buf[0] == 0xff && buf[1] == 0xff && buf[2] == 0xff && buf[3] == 0xff &&
	    buf[4] == 0xff && buf[5] == 0xff)
		c->broadcast++;
	else if (buf[0] & 1)
		c->multicast++;
}

/* Send @kind to @dst from our own MAC; counted as sent. */
static void send_kind(const uint8_t *dst, uint8_t kind, uint8_t flag, uint32_t seq, uint32_t len)
{
	struct net_frame f = { .kind = kind, .flag = flag, .seq = seq };
	int r;

	memcpy(f.dst, dst, ETH_ALEN);
	memcpy(f.src, nic.mac, ETH_ALEN);
	net_build(frame, len, &f);
	r = vio_net_send(&nic, frame, len);
	if (r < 0) {
		guest_fail("send of kind %u seq %u failed: %d", kind, seq, r);
		return;
	}
	count(&st.tx, frame, len);
}

static void on_data(const uint8_t *buf, uint32_t len, const struct net_frame *f)
{
	bool ok = net_payload_ok(buf, len, f) && len == net_data_len(f->seq, opt.min, opt.max);

	/* In order, none lost, unless the peer blasts through a rate limit. */
	if (!ok || f->seq < st.next_seq || (!opt.sink && f->seq != st.next_seq)) {
		if (st.bad++ == 0)
			guest_fail("data seq %u (expected %u) len %u: bad", f->seq, st.next_seq, len);
	}
	st.next_seq = f->seq + 1;
	st.data_rx++;
	st.data_bytes_rx += len;
	if (!opt.sink && (st.data_rx % ACK_EVERY == 0 || st.data_rx == opt.expect))
		send_kind(opt.peer, NET_ACK, 0, st.data_rx, NET_FRAME_MIN);
}

static void on_frame(const uint8_t *buf, uint32_t len)
{
	struct net_frame f;

	count(&st.rx, buf, len);
	if (!net_parse(buf, len, &f) || memcmp(f.src, opt.peer, ETH_ALEN) != 0) {
		if (st.foreign++ == 0)
			guest_fail("a frame of %u bytes not from the peer arrived", len);
		return;
	}
	if (f.kind == NET_HELLO) {
		st.heard = true;
		st.peer_heard |= f.flag != 0;
	} else if (f.kind == NET_DATA) {
		on_data(buf, len, &f);
	} else if (f.kind == NET_ACK) {
		st.acks_seen++;
		if (f.seq > st.peer_acked)
			st.peer_acked = f.seq;
	} else if (f.kind == NET_END) {
		st.end_seen = true;
		send_kind(opt.peer, NET_ACK, 0, st.data_rx, NET_FRAME_MIN);
	}
}

/* Handle every frame waiting; how many. */
static uint32_t drain(void)
{
	uint32_t len, n = 0;

	while (vio_net_recv(&nic, rxframe, &len)) {
		on_frame(rxframe, len);
		n++;
	}
	return n;
}

static bool timed_out(const char *phase)
{
	if (rdtsc() < st.deadline)
		return false;
	guest_fail("%s: timed out", phase);
	return true;
}

/* HELLO until both sides heard each other (see the top): both have buffers posted. */
static void handshake(void)
{
	uint64_t next = 0;

	/* Data, an ACK or END from the peer: it is past its handshake, whatever we missed. */
	while (!(st.heard && st.peer_heard && st.sent_heard) &&
	       !(st.data_rx || st.acks_seen || st.end_seen) && !timed_out("handshake")) {
		if (rdtsc() >= next || (st.heard && !st.sent_heard)) {
			send_kind(opt.peer, NET_HELLO, st.heard, 0, NET_FRAME_MIN);
			st.sent_heard |= st.heard;
			next = rdtsc() + tsc_from_us(HELLO_US);
		}
		net_wait_rx(&nic, HELLO_US);
		drain();
	}
}

/* Data frame @seq: broadcasts first, then multicasts, then unicasts to the peer. */
static void send_data(uint32_t seq)
{
	static const uint8_t bcast[ETH_ALEN] = BCAST_MAC, mcast[ETH_ALEN] = MCAST_MAC;
	const uint8_t *dst = seq < opt.bcast ? bcast :
			     seq < opt.bcast + opt.mcast ? mcast : opt.peer;

	send_kind(dst, NET_DATA, 0, seq, net_data_len(seq, opt.min, opt.max));
	st.data_tx++;
}

/* Frames the switch must drop at our port: forged source, another group's destination. */
static void send_doomed(void)
{
	struct net_frame f = { .kind = NET_DATA, .seq = 0 };

	memcpy(f.dst, opt.peer, ETH_ALEN);
	memcpy(f.src, nic.mac, ETH_ALEN);
	f.src[ETH_ALEN - 1] ^= 0x5a;		/* someone else's address */
	for (uint32_t i = 0; i < opt.spoof; i++) {
		net_build(frame, NET_FRAME_MIN + i, &f);
		st.spoofed += vio_net_send(&nic, frame, NET_FRAME_MIN + i) == 0;
	}
	memcpy(f.dst, opt.xdst, ETH_ALEN);
	memcpy(f.src, nic.mac, ETH_ALEN);
	for (uint32_t i = 0; i < opt.xframes; i++) {
		net_build(frame, NET_FRAME_MIN + i, &f);
		st.isolated += vio_net_send(&nic, frame, NET_FRAME_MIN + i) == 0;
	}
}

/* Both directions at once, each side keeping at most WINDOW frames unacknowledged. */
static void exchange(void)
{
	uint32_t total = opt.frames + opt.bcast + opt.mcast;

	while ((st.data_tx < total || st.data_rx < opt.expect || st.peer_acked < total) &&
	       !timed_out("exchange")) {
		if (st.data_tx < total && st.data_tx - st.peer_acked < WINDOW)
			send_data(st.data_tx);
		else
			net_wait_rx(&nic, HELLO_US);
		drain();
	}
	guest_check(st.data_rx == opt.expect && st.peer_acked == total,
		    "data frames received %u (expected %u), acknowledged by the peer %u of %u",
		    st.data_rx, opt.expect, st.peer_acked, total);
}

/*
 * As fast as the ring goes, then, once the tx bucket has refilled
 * (settle_us), one END, which the sink answers with an ACK of what it got.
 */
static void blast(void)
{
	uint32_t total = opt.frames + opt.bcast + opt.mcast, bytes0 = st.tx.bytes;
	uint64_t t0 = rdtsc(), ticks;

	while (st.data_tx < total)
		send_data(st.data_tx);
	ticks = rdtsc() - t0;
	printk("net: blast frames=%u bytes=%u ticks=%llu tsc_khz=%u\n", total,
	       st.tx.bytes - bytes0, (unsigned long long)ticks, tsc_khz());
	tsc_delay_us(opt.settle_us);
	send_kind(opt.peer, NET_END, 0, total, NET_FRAME_MIN);
	while (st.acks_seen == 0 && !timed_out("END"))
		net_wait_rx(&nic, HELLO_US), drain();
	guest_check(st.acks_seen == 1, "the sink acknowledged END: it got %u data frames of %u",
		    st.peer_acked, total);
}

static void sink(void)
{
	while (!st.end_seen && !timed_out("sink")) {
		net_wait_rx(&nic, HELLO_US);
		drain();
	}
	printk("net: sink data=%u data_bytes=%u\n", st.data_rx, st.data_bytes_rx);
}

/*
 * One CPU, the peer halted: the TSC ticks of the loop are this guest's
 * cpu_cycles plus Tally's work for the frames (the QueueNotify exit, the
 * switch, the copy into the peer's buffer, the used rings) and its timer
 * exits; the difference per frame is Tally's cost of forwarding one.
 */
static void bench(void)
{
	static struct tally_counters before, after;
	uint32_t len = net_data_len(0, opt.min, opt.max), per, tally;
	uint64_t start, end;

	net_sleep_us(BENCH_SETTLE_US);	/* the peer finishes its handshake and halts */
	tally_domain_counters(&before);
	start = rdtsc();
	for (uint32_t i = 0; i < opt.bench; i++)
		send_data(i);
	vio_net_tx_reap(&nic);
	end = rdtsc();
	tally_domain_counters(&after);
	per = (uint32_t)div_u64_u32(end - start, opt.bench, NULL);
	tally = (uint32_t)div_u64_u32(end - start - (after.cpu_cycles - before.cpu_cycles),
				      opt.bench, NULL);
	printk("net: bench frames=%u len=%u ticks_per_frame=%u tally_per_frame=%u\n", opt.bench,
	       len, per, tally);
}

static void bench_receive(void)
{
	net_sleep_us(opt.sleep_us);
	drain();
	guest_check(st.data_rx == opt.benchrx, "bench: %u data frames received (expected %u)",
		    st.data_rx, opt.benchrx);
}

static void report(void)
{
	const uint8_t *m = nic.mac;

	drain();
	printk("net: mac=%02x:%02x:%02x:%02x:%02x:%02x tx packets=%u bytes=%u broadcast=%u "
	       "multicast=%u spoofed=%u isolated=%u\n", m[0], m[1], m[2], m[3], m[4], m[5],
	       st.tx.packets, st.tx.bytes, st.tx.broadcast, st.tx.multicast, st.spoofed,
	       st.isolated);
	printk("net: rx packets=%u bytes=%u broadcast=%u multicast=%u data=%u foreign=%u bad=%u\n",
	       st.rx.packets, st.rx.bytes, st.rx.broadcast, st.rx.multicast, st.data_rx,
	       st.foreign, st.bad);
	guest_check(st.foreign == 0 && st.bad == 0,
		    "no frame from elsewhere (%u), every payload byte as sent (%u bad)",
		    st.foreign, st.bad);
}

static bool options(const struct mb_info *mbi)
{
	char mac[24];

	if (!cmdline_str(mbi, "peer", mac, sizeof(mac)) || !net_parse_mac(mac, opt.peer)) {
		guest_error("peer=MAC is required");
		return false;
	}
	if (cmdline_str(mbi, "xsend", mac, sizeof(mac)) && !net_parse_mac(mac, opt.xdst)) {
		guest_error("xsend=%s is not a MAC", mac);
		return false;
	}
	opt.frames = cmdline_u32(mbi, "frames", 0);
	opt.bcast = cmdline_u32(mbi, "bcast", 0);
	opt.mcast = cmdline_u32(mbi, "mcast", 0);
	opt.expect = cmdline_u32(mbi, "expect", opt.frames + opt.bcast + opt.mcast);
	opt.min = cmdline_u32(mbi, "min", NET_FRAME_MIN);
	opt.max = cmdline_u32(mbi, "max", VIO_NET_MAX_FRAME);
	opt.spoof = cmdline_u32(mbi, "spoof", 0);
	opt.xframes = cmdline_u32(mbi, "xframes", 0);
	opt.settle_us = cmdline_u32(mbi, "settle_us", 20000);
	opt.blast = cmdline_flag(mbi, "blast");
	opt.sink = cmdline_flag(mbi, "sink");
	opt.indirect = cmdline_flag(mbi, "indirect");
	opt.bench = cmdline_u32(mbi, "bench", 0);
	opt.benchrx = cmdline_u32(mbi, "benchrx", 0);
	opt.sleep_us = cmdline_u32(mbi, "sleep_us", 300000);
	if (opt.min < NET_FRAME_MIN || opt.max > VIO_NET_MAX_FRAME || opt.min > opt.max) {
		guest_error("sizes %u..%u outside %u..%u", opt.min, opt.max, NET_FRAME_MIN,
			    VIO_NET_MAX_FRAME);
		return false;
	}
	return true;
}

static bool open_nic(void)
{
	int r = vio_net_open(&nic, VPLATFORM_VIRTIO_NET_SLOT,
			     opt.indirect ? 1ull << VIRTIO_F_INDIRECT_DESC : 0);
	unsigned int posted;

	if (!guest_check(r == 0, "virtio-net in slot %u opened (%d), features 0x%llx",
			 VPLATFORM_VIRTIO_NET_SLOT, r, (unsigned long long)nic.dev.features))
		return false;
	guest_check(nic.link_status & VIRTIO_NET_S_LINK_UP, "link up (status 0x%x)",
		    nic.link_status);
	if (opt.indirect)
		nic.tx_indirect = guest_check(vio_has(&nic.dev, VIRTIO_F_INDIRECT_DESC),
					      "VIRTIO_F_INDIRECT_DESC accepted: frames sent "
					      "through indirect tables");
	posted = vio_net_post_rx(&nic);
	return guest_check(posted == nic.rx.size, "%u receive buffers posted (queue of %u)",
			   posted, nic.rx.size);
}

static void check_irqs(void)
{
	uint32_t isr = vio_irq_ack(&nic.dev);

	guest_check(net_irq_count() > 0 && (net_irq_bits() & VIRTIO_MMIO_INT_VRING),
		    "receive by interrupt: %u interrupts, status bits 0x%x, 0x%x left",
		    net_irq_count(), net_irq_bits(), isr);
}

void guest_main(const struct mb_info *mbi)
{
	bool irq = cmdline_flag(mbi, "irq");

	if (!options(mbi) || !tsc_khz() || !open_nic())
		return;
	if (irq)
		net_irq_init(&nic);
	st.deadline = rdtsc() + tsc_from_us(RUN_US);
	handshake();
	send_doomed();
	if (opt.bench)
		bench();
	else if (opt.benchrx)
		bench_receive();
	else if (opt.blast)
		blast();
	else if (opt.sink)
		sink();
	else
		exchange();
	report();
	if (irq)
		check_irqs();
}
