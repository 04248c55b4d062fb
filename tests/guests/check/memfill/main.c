/* SPDX-License-Identifier: MIT */
/* memfill: stamps every RAM page above the image, spins, then checks none changed. */
#include "guest.h"

#define WORDS_PER_PAGE		(PAGE_SIZE / sizeof(uint32_t))
/* XORed into each page's address so that zero-filled or identity-valued pages never pass. */
#define PAGE_MARK_XOR		0x5A17C0DEu
/* Long enough for a scheduler to switch away and back a few times. */
#define DEFAULT_SPIN		10000000u
/* Report only the first few bad pages: console bytes cost emulated time. */
#define MAX_BAD_REPORTS		4
/* Paging is off: only the first 4 GiB are addressable. */
#define ADDR_LIMIT		0x100000000ull

const char guest_name[] = "memfill";

/* First page past this image (guest.ld). */
extern char _image_end[];

static uint32_t page_mark(uint32_t page)
{
	return page ^ PAGE_MARK_XOR;
}

static void fill_page(uint32_t page)
{
	volatile uint32_t *w = (volatile uint32_t *)(uintptr_t)page;
	uint32_t mark = page_mark(page);
	unsigned int i;

	for (i = 0; i < WORDS_PER_PAGE; i++)
		w[i] = mark;
}

/* Index of the first word of @page that lost its mark, or -1 if all hold it. */
static int check_page(uint32_t page, uint32_t *found)
{
	const volatile uint32_t *w = (const volatile uint32_t *)(uintptr_t)page;
	uint32_t mark = page_mark(page);
	unsigned int i;
	uint32_t v;

	for (i = 0; i < WORDS_PER_PAGE; i++) {
		v = w[i];	/* once: the report must show what was compared */
		if (v != mark) {
			*found = v;
			return (int)i;
		}
	}
	return -1;
}

/* Check pages [@start, @end); returns how many are damaged. */
static uint32_t verify(uint32_t start, uint32_t end)
{
	uint32_t page, found, bad = 0;
	int word;

	for (page = start; page < end; page += PAGE_SIZE) {
		word = check_page(page, &found);
		if (word < 0)
			continue;
		if (bad++ < MAX_BAD_REPORTS)
			printk("memfill: page 0x%08x word %d is 0x%08x, expected 0x%08x\n",
			       page, word, found, page_mark(page));
	}
	return bad;
}

/*
 * Burn CPU time for @n iterations.  No PAUSE: it is slow under TCG and may
 * exit to the hypervisor (PAUSE-loop exiting), and this should be plain work.
 */
static void spin(uint32_t n)
{
	while (n--)
		asm volatile("" : "+r"(n));
}

/* Fill from the image end to the top of RAM, wait spin=N iterations, verify. */
void guest_main(const struct mb_info *mbi)
{
	/* Read everything from the multiboot info first: the fill overwrites it. */
	uint32_t spins = cmdline_u32(mbi, "spin", DEFAULT_SPIN);
	uint64_t ram_end = mb_ram_end(mbi);
	uint32_t start = (uint32_t)(uintptr_t)_image_end;
	uint32_t end, page, bad;

	if (ram_end > ADDR_LIMIT)
		ram_end = ADDR_LIMIT - PAGE_SIZE;
	end = (uint32_t)ram_end & ~(PAGE_SIZE - 1);
	if (end <= start) {
		guest_skip("no RAM above the image (RAM ends at 0x%08x)", end);
		return;
	}
	printk("memfill: filling 0x%08x-0x%08x (%u pages)\n",
	       start, end, (end - start) / PAGE_SIZE);
	for (page = start; page < end; page += PAGE_SIZE)
		fill_page(page);
	printk("memfill: filled, spinning %u\n", spins);
	spin(spins);
	bad = verify(start, end);
	if (bad)
		guest_fail("%u of %u pages damaged", bad, (end - start) / PAGE_SIZE);
	else
		printk("memfill: all %u pages intact\n", (end - start) / PAGE_SIZE);
}
