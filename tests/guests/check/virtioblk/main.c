/* SPDX-License-Identifier: MIT */
/* virtioblk: writes, flushes and reads back its virtio disk, checks the errors, counts its requests. */
#include "guest.h"
#include "virtio.h"

/*
 * Options: seed=N (the pattern's), chunk=N (sectors per request, at most
 * CHUNK_MAX), sectors=N (the capacity expected), image=N (the disk starts
 * with an N-byte `disk_of=` module of the runner's blob bytes, then zeros),
 * ro (a `disk_ro` disk: writes must fail and change nothing), bench=N
 * (only time N 4 KiB reads and writes), restart (with on_reboot=restart: the
 * disk outlives a reset).
 */
#define CHUNK_MAX	32u		/* sectors: 16 KiB, within size_max */
#define SECTOR		VIRTIO_BLK_SECTOR_SIZE
#define WORDS		(SECTOR / sizeof(uint32_t))
#define UNKNOWN_TYPE	99u		/* no VIRTIO_BLK_T_* has it */
#define POISON		0xa5u		/* fills buffers a refused read must not touch */
#define BENCH_BYTES	4096u		/* the request size `make bench` times */
#define BATCH_CHAINS	16u		/* = VIO_BLK_QUEUE: one indirect descriptor each */
#define BATCH_BYTES	(32u * 1024u)	/* 16 * 32 KiB = twice Tally's 256 KiB budget */
#define BATCH_EXITS	2u		/* the notifying store runs twice */
#define EXIT_EPT_VIOLATION 48u		/* SDM Vol. 3D Appendix C: basic exit reason */
#define LIFE_MARK	0x4546494cu	/* "LIFE": sector 0's first word after the first life */
#define KBC_COMMAND	0x64		/* 8042 command port */
#define KBC_CMD_PULSE_RESET 0xfeu	/* pulse the CPU's reset line */

const char guest_name[] = "virtioblk";

static struct vio_blk blk;
static uint32_t buf[CHUNK_MAX * WORDS];

/* What this guest asked, counted the way Tally must count it. */
static struct {
	uint64_t read_requests, read_bytes, write_requests, write_bytes;
	uint64_t flush_requests, other_requests, ioerr, unsupported;
} issued;

/* One request, counted by its answer. */
static int request(uint32_t type, uint64_t sector, void *data, uint32_t len)
{
	int st = vio_blk_request(&blk, type, sector, data, len, 0);

	if (st == VIRTIO_BLK_S_OK && type == VIRTIO_BLK_T_IN) {
		issued.read_requests++;
		issued.read_bytes += len;
	} else if (st == VIRTIO_BLK_S_OK && type == VIRTIO_BLK_T_OUT) {
		issued.write_requests++;
		issued.write_bytes += len;
	} else if (st == VIRTIO_BLK_S_OK && type == VIRTIO_BLK_T_FLUSH) {
		issued.flush_requests++;
	} else if (st == VIRTIO_BLK_S_OK) {
		issued.other_requests++;
	} else if (st == VIRTIO_BLK_S_IOERR) {
		issued.ioerr++;
	} else if (st == VIRTIO_BLK_S_UNSUPP) {
		issued.unsupported++;
	}
	return st;
}

/* The counts, in the usage line's words: the scenario compares them with Tally's. */
static void report_issued(void)
{
	printk("virtioblk: issued read_requests=%llu read_bytes=%llu write_requests=%llu "
	       "write_bytes=%llu flush_requests=%llu other_requests=%llu ioerr=%llu "
	       "unsupported=%llu\n", issued.read_requests, issued.read_bytes,
	       issued.write_requests, issued.write_bytes, issued.flush_requests,
	       issued.other_requests, issued.ioerr, issued.unsupported);
}

/* Word @w of sector @s under @seed: differs by sector, word and seed. */
static uint32_t pattern(uint32_t seed, uint64_t s, uint32_t w)
{
	uint32_t x = seed * 0x9e3779b1u ^ (uint32_t)s * 0x85ebca77u ^ (uint32_t)(s >> 32) ^
		     w * 0xc2b2ae3du;

	x ^= x >> 15;
	x *= 0x2c1b3c6du;
	return x ^ x >> 12;
}

/* The byte at @off of a blob module (tests/system/run.py's blob_bytes()). */
static uint8_t blob_byte(uint32_t off)
{
	return (uint8_t)(off * 131 + 7);
}

static void fill(uint32_t seed, uint64_t first, uint32_t count)
{
	for (uint32_t s = 0; s < count; s++)
		for (uint32_t w = 0; w < WORDS; w++)
			buf[s * WORDS + w] = pattern(seed, first + s, w);
}

/* Sectors of [@first, + @count) in buf that are not the pattern. */
static uint32_t bad_sectors(uint32_t seed, uint64_t first, uint32_t count)
{
	uint32_t bad = 0;

	for (uint32_t s = 0; s < count; s++)
		for (uint32_t w = 0; w < WORDS; w++)
			if (buf[s * WORDS + w] != pattern(seed, first + s, w)) {
				bad++;
				break;
			}
	return bad;
}

/* Bytes of [@first, + @count) in buf that differ from an @image-byte blob then zeros. */
static uint32_t bad_image_bytes(uint32_t image, uint64_t first, uint32_t count)
{
	const uint8_t *b = (const uint8_t *)buf;
	uint32_t bad = 0;

	for (uint32_t i = 0; i < count * SECTOR; i++) {
		uint32_t off = (uint32_t)first * SECTOR + i;

		bad += b[i] != (off < image ? blob_byte(off) : 0);
	}
	return bad;
}

static uint32_t chunk_at(uint64_t s, uint32_t chunk)
{
	return blk.capacity - s < chunk ? (uint32_t)(blk.capacity - s) : chunk;
}

/* Read the whole disk and count what is not the image (then zeros): the disk as created. */
static uint32_t check_image(uint32_t image, uint32_t chunk)
{
	uint32_t bad = 0, n;

	for (uint64_t s = 0; s < blk.capacity; s += n) {
		n = chunk_at(s, chunk);
		if (request(VIRTIO_BLK_T_IN, s, buf, n * SECTOR) != VIRTIO_BLK_S_OK)
			return ~0u;
		bad += bad_image_bytes(image, s, n);
	}
	return bad;
}

/* Write the pattern everywhere, flush, read it all back: sectors that differ (~0u: a failure). */
static uint32_t write_and_verify(uint32_t seed, uint32_t chunk)
{
	uint32_t bad = 0, n;

	for (uint64_t s = 0; s < blk.capacity; s += n) {
		n = chunk_at(s, chunk);
		fill(seed, s, n);
		if (request(VIRTIO_BLK_T_OUT, s, buf, n * SECTOR) != VIRTIO_BLK_S_OK)
			return ~0u;
	}
	if (!guest_check(request(VIRTIO_BLK_T_FLUSH, 0, 0, 0) == VIRTIO_BLK_S_OK, "flush: OK"))
		return ~0u;
	for (uint64_t s = 0; s < blk.capacity; s += n) {
		n = chunk_at(s, chunk);
		memset(buf, 0, n * SECTOR);
		if (request(VIRTIO_BLK_T_IN, s, buf, n * SECTOR) != VIRTIO_BLK_S_OK)
			return ~0u;
		bad += bad_sectors(seed, s, n);
	}
	return bad;
}

/*
 * BATCH_CHAINS reads of BATCH_BYTES, through indirect tables, made available
 * at once and notified once: more than VBLK_BYTE_BUDGET (256 KiB), so Tally
 * serves 256 KiB and leaves the QueueNotify store unretired; the guest
 * executes it again and the rest is served.  So every chain is used when the
 * store retires, after exactly BATCH_EXITS MMIO exits (EPT violations).
 */
static void batch(uint32_t seed)
{
	static uint8_t data[BATCH_CHAINS][BATCH_BYTES];
	static struct virtio_blk_req_hdr hdr[BATCH_CHAINS];
	static uint8_t status[BATCH_CHAINS];
	static struct tally_counters before, after;
	uint32_t sectors = BATCH_BYTES / SECTOR, used = 0, bad = 0, head, len;
	uint16_t idx;

	for (uint32_t i = 0; i < BATCH_CHAINS; i++) {
		struct vio_buf chain[] = { { &hdr[i], sizeof(hdr[i]), false },
					   { data[i], BATCH_BYTES, true }, { &status[i], 1, true } };

		hdr[i] = (struct virtio_blk_req_hdr){ .type = VIRTIO_BLK_T_IN, .sector = i * sectors };
		status[i] = POISON;
		if (vio_add(&blk.q, chain, 3, true) < 0) {
			guest_error("batch: chain %u did not fit", i);
			return;
		}
	}
	tally_domain_counters(&before);
	vio_notify(&blk.q);
	tally_domain_counters(&after);
	idx = vio_used_idx(&blk.q);
	while (vio_poll_used(&blk.q, &head, &len))
		used++;
	for (uint32_t i = 0; i < BATCH_CHAINS; i++) {
		bad += status[i] != VIRTIO_BLK_S_OK;
		issued.read_requests += status[i] == VIRTIO_BLK_S_OK;
		issued.read_bytes += status[i] == VIRTIO_BLK_S_OK ? BATCH_BYTES : 0;
		for (uint32_t s = 0; s < sectors; s++)
			for (uint32_t w = 0; w < WORDS; w++)
				bad += ((uint32_t *)data[i])[s * WORDS + w] !=
				       pattern(seed, i * sectors + s, w);
	}
	guest_check(used == BATCH_CHAINS && bad == 0, "batch: %u of %u chains used, %u bad words",
		    used, BATCH_CHAINS, bad);
	guest_check((uint16_t)(idx - blk.q.last_used + used) == BATCH_CHAINS,
		    "batch: all used when the notifying store retired");
	guest_check(after.exits_by_reason[EXIT_EPT_VIOLATION] -
		    before.exits_by_reason[EXIT_EPT_VIOLATION] == BATCH_EXITS,
		    "batch: the notify exited %u times", (uint32_t)(after.exits_by_reason[
		    EXIT_EPT_VIOLATION] - before.exits_by_reason[EXIT_EPT_VIOLATION]));
}

/* Reads at and across the end fail with IOERR and leave the buffer as it was. */
static void past_the_end(void)
{
	const uint8_t *b = (const uint8_t *)buf;
	uint32_t touched = 0;
	int at, across, far;

	memset(buf, POISON, 2 * SECTOR);
	at = request(VIRTIO_BLK_T_IN, blk.capacity, buf, SECTOR);
	across = request(VIRTIO_BLK_T_IN, blk.capacity - 1, buf, 2 * SECTOR);
	far = request(VIRTIO_BLK_T_OUT, ~0ull / SECTOR, buf, SECTOR);
	for (uint32_t i = 0; i < 2 * SECTOR; i++)
		touched += b[i] != POISON;
	guest_check(at == VIRTIO_BLK_S_IOERR, "read at the end: status %d", at);
	guest_check(across == VIRTIO_BLK_S_IOERR, "read across the end: status %d", across);
	guest_check(far == VIRTIO_BLK_S_IOERR, "write at sector 2^64/512-1: status %d", far);
	guest_check(touched == 0, "refused reads wrote %u bytes", touched);
}

static void get_id(void)
{
	char id[VIRTIO_BLK_ID_BYTES + 1];
	int st;

	memset(id, 0, sizeof(id));
	st = request(VIRTIO_BLK_T_GET_ID, 0, id, VIRTIO_BLK_ID_BYTES);
	guest_check(st == VIRTIO_BLK_S_OK && !memcmp(id, "tally-d", 7), "id: %s (status %d)", id,
		    st);
	st = request(UNKNOWN_TYPE, 0, 0, 0);
	guest_check(st == VIRTIO_BLK_S_UNSUPP, "type %u: status %d", UNKNOWN_TYPE, st);
}

/* A read-only disk: a write fails with IOERR (virtio 1.2 5.2.6.2) and sector 0 stays. */
static void read_only(uint32_t image, uint32_t chunk)
{
	int st;

	guest_check(vio_has(&blk.dev, VIRTIO_BLK_F_RO), "VIRTIO_BLK_F_RO offered");
	fill(1, 0, 1);
	st = request(VIRTIO_BLK_T_OUT, 0, buf, SECTOR);
	guest_check(st == VIRTIO_BLK_S_IOERR, "write to the read-only disk: status %d", st);
	guest_check(check_image(image, chunk) == 0, "read-only disk unchanged");
}

/* Ticks per request of @type on 4 KiB, and those not spent in the guest (Tally's), over @count. */
static void time_requests(uint32_t type, uint32_t count, uint32_t *ticks, uint32_t *tally)
{
	static struct tally_counters before, after;
	uint32_t sectors = BENCH_BYTES / SECTOR;
	uint32_t span = (uint32_t)blk.capacity - sectors;	/* a bench disk is small */
	uint64_t start, end;

	fill(1, 0, sectors);
	tally_domain_counters(&before);
	start = rdtsc();
	for (uint32_t i = 0; i < count; i++)
		request(type, i * sectors % span, buf, BENCH_BYTES);
	end = rdtsc();
	tally_domain_counters(&after);
	*ticks = (uint32_t)div_u64_u32(end - start, count, NULL);
	*tally = (uint32_t)div_u64_u32(end - start - (after.cpu_cycles - before.cpu_cycles),
				       count, NULL);
}

/*
 * bench=N: N 4 KiB reads, then N 4 KiB writes, timed.  Under one-CPU Bochs
 * with sync=none a tick is an instruction; the guest's own share (its
 * driver and loop) is its cpu_cycles, the rest is Tally's.
 */
static void bench(uint32_t count)
{
	uint32_t rd, rd_tally, wr, wr_tally;

	time_requests(VIRTIO_BLK_T_IN, count, &rd, &rd_tally);
	time_requests(VIRTIO_BLK_T_OUT, count, &wr, &wr_tally);
	printk("virtioblk: bench count=%u read4k_ticks=%u read4k_tally=%u write4k_ticks=%u "
	       "write4k_tally=%u\n", count, rd, rd_tally, wr, wr_tally);
	guest_check(issued.read_requests == count && issued.write_requests == count,
		    "every timed request succeeded");
}

/*
 * restart (with on_reboot=restart): the first life writes the pattern and a
 * mark into sector 0, then resets the machine; the next life finds the mark
 * and checks that every sector kept its bytes across the restart.
 */
static void restart_life(uint32_t seed, uint32_t chunk)
{
	uint32_t bad = 0, n;

	if (request(VIRTIO_BLK_T_IN, 0, buf, SECTOR) != VIRTIO_BLK_S_OK) {
		guest_error("restart: sector 0 unreadable");
		return;
	}
	if (buf[0] != LIFE_MARK) {
		guest_check(write_and_verify(seed, chunk) == 0, "restart: first life wrote the pattern");
		fill(seed, 0, 1);
		buf[0] = LIFE_MARK;
		request(VIRTIO_BLK_T_OUT, 0, buf, SECTOR);
		report_issued();
		printk("virtioblk: resetting: the disk must outlive this life\n");
		outb(KBC_COMMAND, KBC_CMD_PULSE_RESET);
		guest_error("restart: still running after the reset");
		return;
	}
	for (uint64_t s = 0; s < blk.capacity; s += n) {
		n = chunk_at(s, chunk);
		if (request(VIRTIO_BLK_T_IN, s, buf, n * SECTOR) != VIRTIO_BLK_S_OK) {
			guest_error("restart: read at sector %u failed", (uint32_t)s);
			return;
		}
		if (!s)
			buf[0] = pattern(seed, 0, 0);
		bad += bad_sectors(seed, s, n);
	}
	guest_check(bad == 0, "restart: the disk kept its bytes: %u sectors differ", bad);
}

void guest_main(const struct mb_info *mbi)
{
	uint32_t seed = cmdline_u32(mbi, "seed", 1);
	uint32_t chunk = cmdline_u32(mbi, "chunk", 16);
	uint32_t sectors = cmdline_u32(mbi, "sectors", 0);
	uint32_t image = cmdline_u32(mbi, "image", 0);
	uint32_t bad;
	int rc;

	if (chunk < 1 || chunk > CHUNK_MAX) {
		guest_error("chunk=%u is not 1..%u", chunk, CHUNK_MAX);
		return;
	}
	rc = vio_blk_open(&blk, VPLATFORM_VIRTIO_BLK_SLOT, 1ull << VIRTIO_F_INDIRECT_DESC);
	if (!guest_check(rc == 0, "disk opened (%d): capacity=%llu sectors", rc,
			 (unsigned long long)blk.capacity))
		return;
	if (sectors)
		guest_check(blk.capacity == sectors, "capacity %u sectors expected", sectors);
	if (cmdline_flag(mbi, "restart")) {
		restart_life(seed, chunk);
		report_issued();
		return;
	}
	if (cmdline_u32(mbi, "bench", 0)) {
		bench(cmdline_u32(mbi, "bench", 0));
		return;
	}
	if (cmdline_flag(mbi, "ro")) {
		read_only(image, chunk);
	} else {
		bad = check_image(image, chunk);
		guest_check(bad == 0, "disk as created: %u bytes differ", bad);
		bad = write_and_verify(seed, chunk);
		guest_check(bad == 0, "pattern seed=%u in %u-sector requests: %u sectors differ",
			    seed, chunk, bad);
		if (blk.capacity >= BATCH_CHAINS * BATCH_BYTES / SECTOR)
			batch(seed);
	}
	past_the_end();
	if (!cmdline_flag(mbi, "ro")) {
		memset(buf, 0, SECTOR);
		request(VIRTIO_BLK_T_IN, blk.capacity - 1, buf, SECTOR);
		guest_check(bad_sectors(seed, blk.capacity - 1, 1) == 0, "last sector intact");
	}
	get_id();
	report_issued();
}
