/* SPDX-License-Identifier: MIT */
/* agent: publishes what only the guest knows, its own memory use, as the CloudWatch agent does. */
#include "guest.h"

const char guest_name[] = "agent";

#define DEFAULT_ROUNDS		5u
#define DEFAULT_ALLOC_KIB	512u
#define DEFAULT_INTERVAL_MS	100u
#define TIMER_VECTOR		0x40
#define KIB_PER_PAGE		(PAGE_SIZE / 1024u)
#define US_PER_MS		1000u
#define PERCENT			100u
/* Written over every byte of a page it takes, so the memory is really in use. */
#define PAGE_FILL		0xA5

/* The image's bounds (guest.ld): in use from the start, as a kernel is. */
extern char _image_start[], _image_end[];

/* What the agent reports: what an OS would read from its allocator. */
struct mem_use {
	uint32_t used;		/* bytes: the image and the pages handed out */
	uint32_t total;		/* bytes of RAM this guest can address */
	uint32_t percent;	/* used * 100 / total, rounded down */
};

static struct tally_abi_info abi __attribute__((aligned(8)));

/* The pages the agent holds, chained through their first word. */
static void **held;
static uint32_t held_pages;

/* Take (writing every byte) or give back pages until @pages are held; false if RAM runs out. */
static bool hold(uint32_t pages)
{
	while (held_pages > pages) {
		void **next = *held;

		page_free(held);
		held = next;
		held_pages--;
	}
	while (held_pages < pages) {
		void **page = page_alloc();

		if (!page)
			return false;
		memset(page, PAGE_FILL, PAGE_SIZE);
		*page = held;
		held = page;
		held_pages++;
	}
	return true;
}

static void mem_use_read(struct mem_use *m)
{
	uint32_t image = (uint32_t)((uintptr_t)_image_end - (uintptr_t)_image_start);

	m->used = image + page_pool_used() * PAGE_SIZE;
	m->total = page_pool_end();
	m->percent = (uint32_t)div_u64_u32((uint64_t)m->used * PERCENT, m->total, NULL);
}

/* Publish @m under the CloudWatch agent's names, then print it for round @round. */
static void publish(uint32_t round, const struct mem_use *m)
{
	int32_t used = tally_publish_metric("mem_used_bytes", m->used, TALLY_UNIT_BYTES);
	int32_t total = tally_publish_metric("mem_total_bytes", m->total, TALLY_UNIT_BYTES);
	int32_t percent = tally_publish_metric("mem_used_percent", m->percent,
					       TALLY_UNIT_PERCENT);

	guest_check(!used && !total && !percent,
		    "round=%u: PUBLISH_METRIC of mem_used_bytes, mem_total_bytes and "
		    "mem_used_percent returned %d, %d, %d (0: published)", round, used, total,
		    percent);
	printk("agent: round=%u mem_used_bytes=%u mem_total_bytes=%u mem_used_percent=%u\n",
	       round, m->used, m->total, m->percent);
}

/* Round r holds (r + 1) * @alloc_kib KiB (whole pages), publishes, sleeps @interval_ms. */
static void run_rounds(uint32_t rounds, uint32_t alloc_kib, uint32_t interval_ms)
{
	uint32_t step = (alloc_kib + KIB_PER_PAGE - 1) / KIB_PER_PAGE;
	uint32_t us = interval_ms > UINT32_MAX / US_PER_MS ? UINT32_MAX : interval_ms * US_PER_MS;
	struct mem_use m;

	for (uint32_t r = 0; r < rounds; r++) {
		uint64_t want = (uint64_t)(r + 1) * step;

		if (!hold(want > UINT32_MAX ? UINT32_MAX : (uint32_t)want)) {
			guest_fail("round=%u: RAM ran out holding %u of %llu pages", r, held_pages,
				   (unsigned long long)want);
			return;
		}
		mem_use_read(&m);
		publish(r, &m);
		if (us)
			sleep_us(us);
	}
}

/*
 * A bad name and a bad unit are each refused.  The bad unit goes under a
 * real metric's name, so a publish wrongly taken would show in its value.
 */
static void check_bad_publishes(void)
{
	int32_t r = tally_publish_metric("mem used", 1, TALLY_UNIT_BYTES);

	guest_check(r == -TALLY_EINVAL, "PUBLISH_METRIC named 'mem used': %d (-EINVAL)", r);
	r = tally_publish_metric("mem_used_bytes", 1, TALLY_UNIT_COUNT_OF_UNITS);
	guest_check(r == -TALLY_EINVAL, "PUBLISH_METRIC in unit %u: %d (-EINVAL)",
		    TALLY_UNIT_COUNT_OF_UNITS, r);
}

/* rounds=N alloc_kib=N interval_ms=N: hold more memory each round and publish its use. */
void guest_main(const struct mb_info *mbi)
{
	/* Everything from the multiboot information first: the first page taken may hold it. */
	uint32_t rounds = cmdline_u32(mbi, "rounds", DEFAULT_ROUNDS);
	uint32_t alloc_kib = cmdline_u32(mbi, "alloc_kib", DEFAULT_ALLOC_KIB);
	uint32_t interval_ms = cmdline_u32(mbi, "interval_ms", DEFAULT_INTERVAL_MS);
	uint32_t taken;
	int32_t r;

	page_pool_init(mbi);
	if (!tsc_under_tally()) {
		guest_skip("not under Tally: no hypercalls");
		return;
	}
	if (!sleep_init(TIMER_VECTOR))
		return;
	r = tally_abi_version(&abi);
	if (!guest_check(r >= 0 && (abi.features & TALLY_FEATURE_METRICS),
			 "ABI_VERSION: Tally's ABI %u.%u, features 0x%x with TALLY_FEATURE_METRICS "
			 "(guest-reported metrics)", (uint32_t)r >> 16, (uint32_t)r & 0xFFFF,
			 (uint32_t)abi.features))
		return;
	run_rounds(rounds, alloc_kib, interval_ms);
	/* No publish after this: the last values published are the last round's. */
	taken = held_pages;
	hold(0);
	guest_check(page_pool_used() == 0, "freed the %u pages it held (%u still in use)", taken,
		    page_pool_used());
	check_bad_publishes();
}
