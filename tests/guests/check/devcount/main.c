/* SPDX-License-Identifier: MIT */
/* devcount: does a known amount of disk and network I/O, then reads its own
 * counters (and, as the control domain, a peer's) through NET_COUNTERS and
 * DISK_COUNTERS and checks each against what was done, to the byte.
 *
 * Arguments: frames=N size=S (broadcast frames sent; the group has no other
 * port, so none is delivered), writes=W reads=R (4 KiB requests from
 * sector 0), nodisk (the domain has none: DISK_COUNTERS must say -ENOENT),
 * peer=ID peer_frames=N (control only: wait for domain ID to have sent N
 * frames of `size` bytes and check its NIC, live or, once it has ended, as
 * it ended; it has no disk). */
#include "guest.h"
#include "virtio.h"

const char guest_name[] = "devcount";

#define REQ_SECTORS	8
#define REQ_BYTES	(REQ_SECTORS * VIRTIO_BLK_SECTOR_SIZE)
#define ETHERTYPE_LOCAL	0x88B5		/* IEEE 802 local experimental */
#define NO_DOMAIN	999
#define PEER_POLLS	20000		/* yields while waiting for the peer */

static struct vio_net net;
static struct vio_blk blk;
static uint8_t sector_buf[REQ_BYTES] __attribute__((aligned(16)));
static uint8_t frame[VIO_NET_MAX_FRAME];
static struct tally_net_counters nc __attribute__((aligned(8)));
static struct tally_disk_counters dc __attribute__((aligned(8)));
static struct tally_counters tc __attribute__((aligned(8)));
static struct tally_domain_info info __attribute__((aligned(8)));

/* A broadcast frame of @len bytes from @src. */
static void build_frame(const uint8_t src[6], uint32_t len)
{
	memset(frame, 0xFF, 6);
	memcpy(frame + 6, src, 6);
	frame[12] = ETHERTYPE_LOCAL >> 8;
	frame[13] = ETHERTYPE_LOCAL & 0xFF;
	for (uint32_t i = 14; i < len; i++)
		frame[i] = (uint8_t)i;
}

/* @frames frames of @size bytes from its own MAC, one from a spoofed one; all reaped. */
static void do_net(uint32_t frames, uint32_t size)
{
	static const uint8_t spoof[6] = { 0x02, 0, 0, 0, 0, 0x99 };
	uint32_t sent = 0;

	if (!guest_check(vio_net_open(&net, 0, 0) == 0, "virtio-net opened"))
		return;
	build_frame(net.mac, size);
	for (uint32_t i = 0; i < frames; i++)
		sent += vio_net_send(&net, frame, size) == 0;
	build_frame(spoof, size);
	sent += vio_net_send(&net, frame, size) == 0;
	for (unsigned int i = 0; i < 1000 && vio_net_tx_reap(&net); i++)
		tally_yield();
	guest_check(sent == frames + 1 && net.tx_pending == 0,
		    "sent %u frames of %u bytes and 1 spoofed, all returned", frames, size);
}

/* @writes then @reads 4 KiB requests, a flush, a get-id and a read past the end. */
static void do_disk(uint32_t writes, uint32_t reads)
{
	uint32_t ok = 0;
	int st;

	if (!guest_check(vio_blk_open(&blk, 1, 0) == 0, "virtio-blk opened"))
		return;
	for (uint32_t i = 0; i < writes; i++) {
		memset(sector_buf, (int)(0x40 + i), sizeof(sector_buf));
		ok += vio_blk_write(&blk, (uint64_t)i * REQ_SECTORS, REQ_SECTORS, sector_buf) ==
		      VIRTIO_BLK_S_OK;
	}
	for (uint32_t i = 0; i < reads; i++)
		ok += vio_blk_read(&blk, (uint64_t)i * REQ_SECTORS, REQ_SECTORS, sector_buf) ==
		      VIRTIO_BLK_S_OK;
	ok += vio_blk_flush(&blk) == VIRTIO_BLK_S_OK;
	ok += vio_blk_get_id(&blk, sector_buf) == VIRTIO_BLK_S_OK;
	guest_check(ok == writes + reads + 2, "%u writes, %u reads, a flush, a get-id: all OK",
		    writes, reads);
	st = vio_blk_read(&blk, blk.capacity, 1, sector_buf);
	guest_check(st == VIRTIO_BLK_S_IOERR, "a read past the end (sector %u): status %d (IOERR)",
		    (uint32_t)blk.capacity, st);
}

/* The NIC's counters, as the `domain: dN NAME net` line names them. */
static void print_net(const char *who, const struct tally_net_counters *c)
{
	printk("%s: %s net tx_packets=%u tx_bytes=%u tx_broadcast=%u rx_packets=%u rx_bytes=%u "
	       "drop_spoofed=%u errors=%u\n", guest_name, who, (uint32_t)c->tx_packets,
	       (uint32_t)c->tx_bytes, (uint32_t)c->tx_broadcast, (uint32_t)c->rx_packets,
	       (uint32_t)c->rx_bytes, (uint32_t)c->drops[TALLY_NET_DROP_SPOOFED],
	       (uint32_t)c->errors);
}

static bool net_exact(const struct tally_net_counters *c, uint32_t id, uint32_t frames,
		      uint32_t size)
{
	return c->size == sizeof(*c) && c->version == TALLY_NET_COUNTERS_VERSION &&
	       c->domain_id == id && c->tx_packets == frames && c->tx_bytes == frames * size &&
	       c->tx_broadcast == frames && c->tx_multicast == 0 && c->rx_packets == 0 &&
	       c->rx_bytes == 0 && c->drops[TALLY_NET_DROP_SPOOFED] == 1 &&
	       c->drops[TALLY_NET_DROP_ISOLATION] == 0 && c->errors == 0 &&
	       c->needs_reset == 0 && c->resets >= 1;
}

static void check_own_net(uint32_t frames, uint32_t size)
{
	int32_t r = tally_net_counters(info.domain_id, &nc);

	print_net("own", &nc);
	guest_check(r == (int32_t)sizeof(nc) && net_exact(&nc, info.domain_id, frames, size) &&
		    !memcmp(nc.mac, net.mac, 6),
		    "NET_COUNTERS of itself: %d bytes, %u frames, %u bytes, 1 spoofed, MAC %02x..%02x",
		    r, (uint32_t)nc.tx_packets, (uint32_t)nc.tx_bytes, nc.mac[0], nc.mac[5]);
}

static void check_own_disk(uint32_t writes, uint32_t reads)
{
	int32_t r = tally_disk_counters(info.domain_id, &dc);

	printk("%s: own disk bytes=%u read_requests=%u read_bytes=%u write_requests=%u "
	       "write_bytes=%u flush_requests=%u other_requests=%u ioerr=%u\n", guest_name,
	       (uint32_t)dc.disk_bytes, (uint32_t)dc.read_requests, (uint32_t)dc.read_bytes,
	       (uint32_t)dc.write_requests, (uint32_t)dc.write_bytes,
	       (uint32_t)dc.flush_requests, (uint32_t)dc.other_requests, (uint32_t)dc.ioerr);
	guest_check(r == (int32_t)sizeof(dc) && dc.domain_id == info.domain_id &&
		    dc.disk_bytes == blk.capacity * VIRTIO_BLK_SECTOR_SIZE && dc.flags == 0 &&
		    dc.read_requests == reads && dc.read_bytes == reads * REQ_BYTES &&
		    dc.write_requests == writes && dc.write_bytes == writes * REQ_BYTES &&
		    dc.flush_requests == 1 && dc.other_requests == 1 && dc.ioerr == 1 &&
		    dc.unsupported == 0 && dc.needs_reset == 0,
		    "DISK_COUNTERS of itself: %d bytes, exact", r);
	guest_check(info.disk_bytes == dc.disk_bytes, "DOMAIN_INFO disk_bytes=%u",
		    (uint32_t)info.disk_bytes);
}

/* struct tally_counters carries the same figures. */
static void check_domain_counters(uint32_t frames, uint32_t size, uint32_t writes,
				  uint32_t reads)
{
	int32_t r = tally_domain_counters(&tc);

	guest_check(r > 0 && tc.net_tx_packets == frames && tc.net_tx_bytes == frames * size &&
		    tc.net_rx_packets == 0 && tc.net_rx_bytes == 0 &&
		    tc.disk_read_requests == reads && tc.disk_read_bytes == reads * REQ_BYTES &&
		    tc.disk_write_requests == writes && tc.disk_write_bytes == writes * REQ_BYTES,
		    "DOMAIN_COUNTERS net tx %u/%u rx %u, disk reads %u/%u writes %u/%u",
		    (uint32_t)tc.net_tx_packets, (uint32_t)tc.net_tx_bytes,
		    (uint32_t)tc.net_rx_packets, (uint32_t)tc.disk_read_requests,
		    (uint32_t)tc.disk_read_bytes, (uint32_t)tc.disk_write_requests,
		    (uint32_t)tc.disk_write_bytes);
}

/* As the control domain: the peer's NIC once it has sent its frames; its missing disk. */
static void check_peer(uint32_t peer, uint32_t frames, uint32_t size)
{
	int32_t r = 0;

	for (unsigned int i = 0; i < PEER_POLLS; i++) {
		r = tally_net_counters(peer, &nc);
		if (r < 0 || nc.tx_packets >= frames)
			break;
		tally_yield();
	}
	print_net("peer", &nc);
	guest_check(r == (int32_t)sizeof(nc) && net_exact(&nc, peer, frames, size),
		    "NET_COUNTERS of d%u as control: %d bytes, %u frames, %u bytes", peer, r,
		    (uint32_t)nc.tx_packets, (uint32_t)nc.tx_bytes);
	r = tally_disk_counters(peer, &dc);
	guest_check(r == -TALLY_ENOENT, "DISK_COUNTERS of d%u (no disk): %d (-ENOENT)", peer, r);
	r = tally_net_counters(NO_DOMAIN, &nc);
	guest_check(r == -TALLY_ENOENT, "NET_COUNTERS of d%u (none): %d (-ENOENT)", NO_DOMAIN, r);
}

/* An ordinary domain: another's counters are refused; bad buffers fail and write nothing. */
static void check_refusals(bool has_disk)
{
	uint32_t other = info.domain_id == 1 ? 2 : 1;
	int32_t r;

	if (!(info.flags & TALLY_DOMAIN_CONTROL)) {
		r = tally_net_counters(other, &nc);
		guest_check(r == -TALLY_EPERM, "NET_COUNTERS of d%u: %d (-EPERM)", other, r);
		r = tally_disk_counters(other, &dc);
		guest_check(r == -TALLY_EPERM, "DISK_COUNTERS of d%u: %d (-EPERM)", other, r);
	}
	if (!has_disk) {
		r = tally_disk_counters(info.domain_id, &dc);
		guest_check(r == -TALLY_ENOENT, "DISK_COUNTERS of itself (no disk): %d (-ENOENT)",
			    r);
	}
	r = tally_hcall(TALLY_HC_NET_COUNTERS, info.domain_id, (uint32_t)&nc,
			sizeof(nc) - 1);
	guest_check(r == -TALLY_EINVAL, "NET_COUNTERS with a short length: %d (-EINVAL)", r);
	r = tally_hcall(TALLY_HC_NET_COUNTERS, info.domain_id, (uint32_t)&nc + 4, sizeof(nc));
	guest_check(r == -TALLY_EINVAL, "NET_COUNTERS misaligned: %d (-EINVAL)", r);
	r = tally_hcall(TALLY_HC_NET_COUNTERS, info.domain_id, 0xFFFFFFF8u, sizeof(nc));
	guest_check(r == -TALLY_EFAULT, "NET_COUNTERS beyond RAM: %d (-EFAULT)", r);
}

void guest_main(const struct mb_info *mbi)
{
	uint32_t frames = cmdline_u32(mbi, "frames", 3), size = cmdline_u32(mbi, "size", 64);
	uint32_t writes = cmdline_u32(mbi, "writes", 2), reads = cmdline_u32(mbi, "reads", 3);
	uint32_t peer = cmdline_u32(mbi, "peer", 0);
	bool has_disk = !cmdline_flag(mbi, "nodisk");

	int32_t r = tally_domain_info(&info);

	guest_check(r == (int32_t)sizeof(info), "DOMAIN_INFO d%u: %d", info.domain_id, r);
	if (has_disk)
		do_disk(writes, reads);
	do_net(frames, size);
	check_own_net(frames, size);
	if (has_disk) {
		check_own_disk(writes, reads);
		check_domain_counters(frames, size, writes, reads);
	}
	check_refusals(has_disk);
	if (peer)
		check_peer(peer, cmdline_u32(mbi, "peer_frames", 0), size);
}
