/* SPDX-License-Identifier: MIT */
/* Physical memory: the frame allocator, built from the boot memory map.
 *
 * Locking: mem_lock serialises every allocator call. */
#include <tally/arch.h>
#include <tally/errno.h>
#include <tally/frame.h>
#include <tally/log.h>
#include <tally/mem.h>
#include <tally/memmap.h>
#include <tally/panic.h>
#include <tally/spinlock.h>
#include <tally/string.h>

/* Real-mode IVT, BDA, EBDA, the AP trampoline page and the BIOS live below 1 MiB. */
#define LOW_MEMORY_END	(1 * MIB)
#define MAX_RESERVED	(BOOT_MAX_MODULES + 4)

extern const char _image_start[], _image_end[];

static struct frame_alloc frames;
static struct spinlock mem_lock = SPINLOCK_INIT;

static const char *mem_type_name(uint32_t type)
{
	switch (type) {
	case MEM_USABLE: return "usable";
	case MEM_ACPI_RECLAIMABLE: return "acpi";
	case MEM_ACPI_NVS: return "acpi-nvs";
	case MEM_BAD: return "bad";
	default: return "reserved";
	}
}

/* What must never be handed out, besides what the map itself says. */
static unsigned int boot_reserved(const struct boot_info *bi, struct mem_range *r)
{
	unsigned int n = 0;

	r[n++] = (struct mem_range){ 0, LOW_MEMORY_END, MEM_RESERVED };
	r[n++] = (struct mem_range){ (uint64_t)(uintptr_t)_image_start,
				     (uint64_t)(_image_end - _image_start), MEM_RESERVED };
	r[n++] = (struct mem_range){ bi->info_start.raw, bi->info_size, MEM_RESERVED };
	for (unsigned int i = 0; i < bi->module_count; i++)
		r[n++] = (struct mem_range){ bi->modules[i].start.raw, bi->modules[i].size,
					     MEM_RESERVED };
	return n;
}

/* Print the cleaned map and return the top of usable RAM; *@ram gets RAM bytes. */
static uint64_t scan_map(const struct mem_range *map, unsigned int n, uint64_t *ram)
{
	uint64_t top = 0;

	*ram = 0;
	for (unsigned int i = 0; i < n; i++) {
		log_info("mem: [0x%012lx-0x%012lx] %s", map[i].base,
			 map[i].base + map[i].len - 1, mem_type_name(map[i].type));
		if (map[i].type == MEM_USABLE)
			top = map[i].base + map[i].len;
		if (map[i].type == MEM_USABLE || map[i].type == MEM_ACPI_RECLAIMABLE ||
		    map[i].type == MEM_ACPI_NVS)
			*ram += map[i].len;
	}
	return top;
}

/* Cleaned memory map and the ranges kept out of the allocator, for mem_map_all(). */
static struct mem_range map[2 * BOOT_MAX_MMAP];
static unsigned int map_count;
static struct mem_range reserved[MAX_RESERVED];
static unsigned int reserved_count;
static uint64_t ram_bytes, ram_top;

bool mem_overlaps_ram(uint64_t base, uint64_t len)
{
	return memmap_overlaps_usable(map, map_count, base, len);
}

/* Free the usable RAM inside [lo, hi), then take the reserved ranges back out. */
static void add_usable(uint64_t lo, uint64_t hi)
{
	for (unsigned int i = 0; i < map_count; i++) {
		uint64_t b = MAX(map[i].base, lo), e = MIN(map[i].base + map[i].len, hi);

		if (map[i].type == MEM_USABLE && b < e)
			frame_add_free(&frames, b, e - b);
	}
	for (unsigned int i = 0; i < reserved_count; i++)
		frame_reserve(&frames, reserved[i].base, reserved[i].len);
}

void mem_init(const struct boot_info *bi)
{
	uint64_t limit, bitmap_pa, bitmap_bytes;
	int n = memmap_sanitize(bi->mmap, bi->mmap_count, map, ARRAY_SIZE(map));

	if (n <= 0)
		panic("mem: the boot loader gave no usable memory map");
	map_count = (unsigned int)n;
	reserved_count = boot_reserved(bi, reserved);
	ram_top = scan_map(map, map_count, &ram_bytes);
	limit = MIN(ram_top, arch_mapped_limit());

	/* The bitmap covers all RAM, though only the boot-mapped part is free yet. */
	bitmap_bytes = frame_bitmap_bytes(ram_top);
	if (memmap_find_free(map, map_count, reserved, reserved_count, bitmap_bytes,
			     PAGE_SIZE, limit, &bitmap_pa) < 0)
		panic("mem: no room for the frame bitmap (%lu bytes)", bitmap_bytes);
	reserved[reserved_count++] = (struct mem_range){ bitmap_pa, bitmap_bytes, MEM_RESERVED };
	frame_init(&frames, arch_phys_to_virt(bitmap_pa, bitmap_bytes), ram_top);
	add_usable(0, limit);
}

void mem_map_all(void)
{
	uint64_t boot_limit = arch_mapped_limit();

	arch_paging_init(ram_top);
	if (ram_top > boot_limit)
		add_usable(boot_limit, ram_top);
	log_info("mem: ram_kib=%lu usable_kib=%lu free_kib=%lu", ram_bytes / KIB,
		 frames.usable_frames * (PAGE_SIZE / KIB), frames.free_frames * (PAGE_SIZE / KIB));
}

int mem_alloc(uint64_t bytes, uint64_t align, uint64_t limit, hpa_t *pa)
{
	unsigned long flags;
	uint64_t raw;
	int err;

	if (!bytes)
		return -EINVAL;
	flags = spin_lock_irqsave(&mem_lock);
	err = frame_alloc_range(&frames, ALIGN_UP(bytes, PAGE_SIZE) >> PAGE_SHIFT,
				MAX(align, PAGE_SIZE), limit ? limit : UINT64_MAX, &raw);
	spin_unlock_irqrestore(&mem_lock, flags);
	if (!err)
		*pa = hpa(raw);
	return err;
}

hpa_t mem_alloc_page_zeroed(void)
{
	hpa_t pa;

	if (mem_alloc(PAGE_SIZE, PAGE_SIZE, 0, &pa) < 0)
		panic("mem: out of memory for a page");
	memset(arch_phys_to_virt(pa.raw, PAGE_SIZE), 0, PAGE_SIZE);
	return pa;
}

int mem_free(hpa_t pa, uint64_t bytes)
{
	unsigned long flags = spin_lock_irqsave(&mem_lock);
	int err = frame_free_range(&frames, pa.raw, ALIGN_UP(bytes, PAGE_SIZE) >> PAGE_SHIFT);

	spin_unlock_irqrestore(&mem_lock, flags);
	if (err)
		log_err("mem: bad free of %#lx+%#lx refused", pa.raw, bytes);
	return err;
}

void mem_reserve(uint64_t base, uint64_t len)
{
	unsigned long flags = spin_lock_irqsave(&mem_lock);

	frame_reserve(&frames, base, len);
	spin_unlock_irqrestore(&mem_lock, flags);
}

uint64_t mem_free_bytes(void)
{
	return frames.free_frames * PAGE_SIZE;
}

uint64_t mem_usable_bytes(void)
{
	return frames.usable_frames * PAGE_SIZE;
}

void mem_log_map(void)
{
	log_info("mem: map (cleaned), free_kib=%lu:", mem_free_bytes() / KIB);
	for (unsigned int i = 0; i < map_count; i++)
		log_info("mem: [0x%012lx-0x%012lx] %s", map[i].base,
			 map[i].base + map[i].len - 1, mem_type_name(map[i].type));
}

const void *mem_phys_read(uint64_t pa, uint64_t len, void *ctx __unused)
{
	return arch_phys_to_virt(pa, len);
}
