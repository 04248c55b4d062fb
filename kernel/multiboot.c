/* SPDX-License-Identifier: MIT */
/* Multiboot v1 and v2 parsers: copy what Tally keeps into struct boot_info. */
#include <tally/acpi.h>
#include <tally/errno.h>
#include <tally/log.h>
#include <tally/multiboot.h>
#include <tally/string.h>

#define MB2_TAG_ALIGN		8	/* Multiboot2 Specification 1.0, 3.6.1 */
#define LOW_MEMORY_BASE		0ull

_Static_assert(ACPI_RSDP_V2_LEN == BOOT_RSDP_MAX, "boot_info keeps a whole ACPI 2.0 RSDP");

/* What one parse carries besides its output. */
struct mb_parse {
	struct boot_info *out;
	const char *proto;	/* log prefix */
	phys_read_fn read;	/* multiboot v1 only */
	void *ctx;
	bool mmap_full;		/* entries were dropped for want of room */
	bool modules_full;
};

/* Count and log one malformed item. */
#define mb_bad(st, fmt, ...) do {					\
	(st)->out->errors++;						\
	log_warn("%s: " fmt, (st)->proto, ##__VA_ARGS__);		\
} while (0)

/* Append a memory map entry as given: sorting and merging are the memory code's job. */
static void mb_add_mmap(struct mb_parse *st, uint64_t base, uint64_t len, uint32_t type)
{
	struct boot_info *out = st->out;

	if (out->mmap_count == BOOT_MAX_MMAP) {
		st->mmap_full = true;
		return;
	}
	out->mmap[out->mmap_count++] = (struct mem_range){ base, len, type };
}

/* Append module [start, end); returns it for its command line, or NULL if not kept. */
static struct boot_module *mb_add_module(struct mb_parse *st, uint64_t start,
					 uint64_t end)
{
	struct boot_info *out = st->out;
	struct boot_module *mod;

	if (end < start) {
		mb_bad(st, "module 0x%llx-0x%llx ends before it starts, skipped",
		       (unsigned long long)start, (unsigned long long)end);
		return NULL;
	}
	if (out->module_count == BOOT_MAX_MODULES) {
		st->modules_full = true;
		return NULL;
	}
	mod = &out->modules[out->module_count++];
	mod->start = hpa(start);
	mod->size = end - start;
	return mod;
}

/* Usable RAM from the legacy lower/upper memory sizes (KiB), when there is no map. */
static void mb_synth_mmap(struct mb_parse *st, uint32_t lower_kib, uint32_t upper_kib)
{
	mb_add_mmap(st, LOW_MEMORY_BASE, lower_kib * KIB, MEM_USABLE);
	mb_add_mmap(st, MB1_HIGH_MEMORY_BASE, upper_kib * KIB, MEM_USABLE);
}

/* Log what did not fit (once each) and give the parsers' result. */
static int mb_finish(struct mb_parse *st)
{
	if (st->mmap_full)
		log_warn("%s: more than %u memory map entries, the rest dropped",
			 st->proto, BOOT_MAX_MMAP);
	if (st->modules_full)
		log_warn("%s: more than %u modules, the rest dropped",
			 st->proto, BOOT_MAX_MODULES);
	return st->out->errors ? -EINVAL : 0;
}

/*
 * Copy a string of which at most @avail bytes lie inside its tag into the
 * @size-byte @dst.  A missing NUL is malformed; a long string is only cut.
 */
static void mb2_string(struct mb_parse *st, const char *src, size_t avail,
		       char *dst, size_t size, const char *what)
{
	size_t n = strnlen(src, avail);

	if (n == avail)
		mb_bad(st, "%s not NUL-terminated inside its tag", what);
	else if (n >= size)
		log_warn("%s: %s cut to %u bytes", st->proto, what,
			 (unsigned int)(size - 1));
	n = MIN(n, size - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void mb2_module(struct mb_parse *st, const struct mb2_tag_module *t)
{
	struct boot_module *mod;

	if (t->tag.size < sizeof(*t)) {
		mb_bad(st, "module tag of %u bytes too short", t->tag.size);
		return;
	}
	mod = mb_add_module(st, t->mod_start, t->mod_end);
	if (mod)
		mb2_string(st, t->cmdline, t->tag.size - sizeof(*t), mod->cmdline,
			   sizeof(mod->cmdline), "module command line");
}

/* Entries are entry_size apart, which may grow past today's 24 bytes (3.6.8). */
static void mb2_mmap(struct mb_parse *st, const struct mb2_tag_mmap *t)
{
	const uint8_t *entries = (const uint8_t *)(t + 1);
	uint32_t count, i;

	if (t->tag.size < sizeof(*t) ||
	    t->entry_size < sizeof(struct mb2_mmap_entry)) {
		mb_bad(st, "memory map tag (size %u, entry size %u) rejected",
		       t->tag.size, t->tag.size < sizeof(*t) ? 0 : t->entry_size);
		return;
	}
	count = (t->tag.size - sizeof(*t)) / t->entry_size;
	for (i = 0; i < count; i++) {
		const struct mb2_mmap_entry *e =
			(const void *)(entries + (size_t)i * t->entry_size);

		mb_add_mmap(st, e->addr, e->len, e->type);
	}
}

/* Keep the loader's RSDP copy; an ACPI 2.0 one wins over a 1.0 one in any order. */
static void mb2_acpi(struct mb_parse *st, const struct mb2_tag_acpi *t, bool is_new)
{
	size_t need = is_new ? ACPI_RSDP_V2_LEN : ACPI_RSDP_V1_LEN;

	if (t->tag.size - sizeof(*t) < need) {
		mb_bad(st, "ACPI tag of %u bytes too short", t->tag.size);
		return;
	}
	if (!is_new && st->out->rsdp_len == ACPI_RSDP_V2_LEN)
		return;
	memcpy(st->out->rsdp, t->rsdp, need);
	st->out->rsdp_len = need;
}

/* Take one tag, whose size is known to be >= 8 and inside the information. */
static void mb2_tag(struct mb_parse *st, const struct mb2_tag *tag)
{
	const struct mb2_tag_string *s = (const void *)tag;
	size_t str_avail = tag->size - sizeof(*tag);

	switch (tag->type) {
	case MB2_TAG_CMDLINE:
		mb2_string(st, s->string, str_avail, st->out->cmdline,
			   sizeof(st->out->cmdline), "command line");
		break;
	case MB2_TAG_LOADER_NAME:
		mb2_string(st, s->string, str_avail, st->out->loader,
			   sizeof(st->out->loader), "boot loader name");
		break;
	case MB2_TAG_MODULE:
		mb2_module(st, (const void *)tag);
		break;
	case MB2_TAG_MMAP:
		mb2_mmap(st, (const void *)tag);
		break;
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		mb2_acpi(st, (const void *)tag, tag->type == MB2_TAG_ACPI_NEW);
		break;
	default:
		break;	/* framebuffer, ELF sections, ...: not Tally's business */
	}
}

/*
 * Walk the tags up to the END tag.  A tag with an impossible size ends the
 * walk: whatever follows it cannot be located.
 */
static void mb2_walk(struct mb_parse *st, const uint8_t *base, uint32_t total)
{
	uint64_t off = sizeof(struct mb2_info_header);

	while (off + sizeof(struct mb2_tag) <= total) {
		const struct mb2_tag *tag = (const void *)(base + off);

		if (tag->size < sizeof(*tag) || tag->size > total - off) {
			mb_bad(st, "tag type %u at offset %u has bad size %u, rest ignored",
			       tag->type, (unsigned int)off, tag->size);
			return;
		}
		if (tag->type == MB2_TAG_END)
			return;
		mb2_tag(st, tag);
		off += ALIGN_UP(tag->size, MB2_TAG_ALIGN);
	}
	mb_bad(st, "no end tag within %u bytes", total);
}

/* Parse multiboot2 information (avail readable bytes) into out: 0 or -EINVAL. */
int mb2_parse(const void *mbi, size_t avail, struct boot_info *out)
{
	struct mb_parse st = { .out = out, .proto = "multiboot2" };
	const struct mb2_info_header *hdr = mbi;

	memset(out, 0, sizeof(*out));
	out->protocol = BOOT_MULTIBOOT2;
	if (!mbi || avail < sizeof(*hdr)) {
		mb_bad(&st, "information of %u bytes too short", (unsigned int)avail);
		return -EINVAL;
	}
	out->info_start = hpa((uintptr_t)mbi);
	if (hdr->total_size < sizeof(*hdr) || hdr->total_size > avail ||
	    hdr->total_size > MB2_INFO_MAX_SIZE) {
		mb_bad(&st, "total size %u invalid (%llu bytes readable)",
		       hdr->total_size, (unsigned long long)avail);
		return -EINVAL;
	}
	out->info_size = hdr->total_size;
	mb2_walk(&st, mbi, hdr->total_size);
	return mb_finish(&st);
}

/*
 * Copy the string at @pa into the @size-byte @dst, reading at most @size
 * bytes.  The read callback refuses any range that runs into unmapped memory
 * even if the string ends before it, so a refused chunk is halved and tried
 * again; chunks never grow back, which bounds the calls by size + log2(size).
 */
static void mb1_string(struct mb_parse *st, uint64_t pa, char *dst, size_t size,
		       const char *what)
{
	size_t done = 0, chunk = size;

	while (done < size) {
		size_t want = MIN(chunk, size - done), n;
		const char *p = st->read(pa + done, want, st->ctx);

		if (!p && want > 1) {
			chunk = want / 2;
			continue;
		}
		if (!p) {
			dst[done] = '\0';
			mb_bad(st, "%s at 0x%llx unreadable after %u bytes", what,
			       (unsigned long long)pa, (unsigned int)done);
			return;
		}
		n = strnlen(p, want);
		memcpy(dst + done, p, MIN(n, size - 1 - done));
		if (n < want) {
			dst[done + n] = '\0';
			return;
		}
		done += n;
	}
	dst[size - 1] = '\0';
	log_warn("%s: %s cut to %u bytes", st->proto, what, (unsigned int)(size - 1));
}

/* A v1 string pointer of 0 means none: physical 0 is the real-mode IVT. */
static void mb1_opt_string(struct mb_parse *st, uint32_t pa, char *dst, size_t size,
			   const char *what)
{
	dst[0] = '\0';
	if (pa)
		mb1_string(st, pa, dst, size, what);
}

/* Only the first BOOT_MAX_MODULES entries are looked at, so a huge count stays cheap. */
static void mb1_modules(struct mb_parse *st, const struct mb1_info *info)
{
	uint32_t n = MIN(info->mods_count, (uint32_t)BOOT_MAX_MODULES), i;

	if (info->mods_count > n)
		st->modules_full = true;
	for (i = 0; i < n; i++) {
		uint64_t pa = info->mods_addr + (uint64_t)i * sizeof(struct mb1_module);
		const struct mb1_module *p = st->read(pa, sizeof(*p), st->ctx);
		struct mb1_module m;
		struct boot_module *mod;

		if (!p) {
			mb_bad(st, "module %u at 0x%llx unreadable", i,
			       (unsigned long long)pa);
			continue;
		}
		m = *p;		/* the next read may unmap *p */
		mod = mb_add_module(st, m.mod_start, m.mod_end);
		if (mod)
			mb1_opt_string(st, m.cmdline, mod->cmdline,
				       sizeof(mod->cmdline), "module command line");
	}
}

/* Entries are variable-sized: @size counts the bytes after itself (spec 3.3). */
static void mb1_mmap(struct mb_parse *st, const struct mb1_info *info)
{
	uint64_t off = 0;

	while (off + sizeof(struct mb1_mmap_entry) <= info->mmap_length) {
		uint64_t pa = info->mmap_addr + off;
		const struct mb1_mmap_entry *e = st->read(pa, sizeof(*e), st->ctx);

		if (!e) {
			mb_bad(st, "memory map entry at 0x%llx unreadable",
			       (unsigned long long)pa);
			return;
		}
		if (e->size < MB1_MMAP_ENTRY_BODY ||
		    e->size > info->mmap_length - off - sizeof(e->size)) {
			mb_bad(st, "memory map entry at 0x%llx has bad size %u, rest ignored",
			       (unsigned long long)pa, e->size);
			return;
		}
		mb_add_mmap(st, e->addr, e->len, e->type);
		if (st->mmap_full)
			return;
		off += sizeof(e->size) + e->size;
	}
}

/* Parse multiboot v1 information at info_pa through read into out: 0 or -EINVAL. */
int mb1_parse(uint64_t info_pa, phys_read_fn read, void *ctx, struct boot_info *out)
{
	struct mb_parse st = { .out = out, .proto = "multiboot", .read = read, .ctx = ctx };
	const struct mb1_info *p;
	struct mb1_info info;

	memset(out, 0, sizeof(*out));
	out->protocol = BOOT_MULTIBOOT1;
	out->info_start = hpa(info_pa);
	out->info_size = sizeof(info);
	p = read ? read(info_pa, sizeof(info), ctx) : NULL;
	if (!p) {
		mb_bad(&st, "information at 0x%llx unreadable", (unsigned long long)info_pa);
		return -EINVAL;
	}
	info = *p;
	if (info.flags & MB1_INFO_CMDLINE)
		mb1_opt_string(&st, info.cmdline, out->cmdline, sizeof(out->cmdline),
			       "command line");
	if (info.flags & MB1_INFO_LOADER_NAME)
		mb1_opt_string(&st, info.boot_loader_name, out->loader,
			       sizeof(out->loader), "boot loader name");
	if (info.flags & MB1_INFO_MODS)
		mb1_modules(&st, &info);
	if (info.flags & MB1_INFO_MEM_MAP)
		mb1_mmap(&st, &info);
	if (!out->mmap_count && (info.flags & MB1_INFO_MEMORY))
		mb_synth_mmap(&st, info.mem_lower, info.mem_upper);
	return mb_finish(&st);
}
