/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the hypercall dispatcher (kernel/hcall.c) and its guest copies (kernel/hcall_args.c), against a fake guest memory.
 *
 * Input: the memory layout (MODE_*, the unmapped pages, how the flat
 * memory is cut short, how the paged one splits its pages), the fake
 * hypervisor's domains, CPUs and the domain that is ending as the calls
 * run, bytes to place in guest memory, then up to MAX_CALLS calls
 * (number, caller, privilege level, five arguments).
 * Each call must give a result the ABI (include/public/tally.h) allows it,
 * write guest memory only inside the output it names (a failed call
 * writes nothing), and call a hook only when the caller may.
 */
#include <stdlib.h>
#include <string.h>

#include <tally/errno.h>
#include <tally/hcall.h>

#include "harness.h"
#include "shim.h"

#define MODE_PAGED	0x01	/* each guest page its own allocation, some unmapped */
#define MODE_METRICS_FULL 0x02	/* publish_metric answers -ENOSPC */
#define MODE_ENDING_LISTED 0x04	/* the ending domain is still listed, its info already gone */

#define NPAGES		64	/* room for TALLY_VCPU_LIST_MAX vCPU entries */
#define MEM_BYTES	(NPAGES * PAGE_SIZE)
#define MAX_DOMS	8
#define MAX_VCPUS	300	/* beyond TALLY_VCPU_LIST_MAX, as a domain may claim */
#define MAX_CPUS	300
#define MAX_CALLS	4
#define MAX_CONTENT	256
#define FILL		0xA5
#define CONTROL		0	/* domain 0 is the control domain */
#define CPL_MASK	3
#define NO_ARG		(-1)

#define ERR(e)		(1ull << (e))
#define ERRS_POINTER	(ERR(EFAULT) | ERR(EINVAL))

/* A call's output and errors, from its comment in public/tally.h. */
struct call_desc {
	int8_t out;		/* argument holding the output's guest address, or NO_ARG */
	int8_t cap;		/* argument holding the entry count, or NO_ARG: one struct */
	uint32_t size;		/* bytes of the struct, or of one entry */
	int8_t limited;		/* argument whose excess over @limit is -E2BIG, or NO_ARG */
	uint32_t limit;
	uint64_t errors;	/* ERR() of each error it may return, besides the dispatcher's */
};

static const struct call_desc calls[TALLY_HC_COUNT] = {
	[TALLY_HC_ABI_VERSION] = { 0, NO_ARG, sizeof(struct tally_abi_info), NO_ARG, 0,
				   ERRS_POINTER },
	[TALLY_HC_DOMAIN_INFO] = { 0, NO_ARG, sizeof(struct tally_domain_info), NO_ARG, 0,
				   ERRS_POINTER },
	[TALLY_HC_DOMAIN_COUNTERS] = { 0, NO_ARG, sizeof(struct tally_counters), NO_ARG, 0,
				       ERRS_POINTER },
	[TALLY_HC_DOMAIN_LIST] = { 0, 1, sizeof(struct tally_domain_info), 1,
				   TALLY_DOMAIN_LIST_MAX, ERRS_POINTER | ERR(E2BIG) },
	[TALLY_HC_DOMAIN_COUNTERS_OF] = { 1, NO_ARG, sizeof(struct tally_counters), NO_ARG, 0,
					  ERRS_POINTER | ERR(ENOENT) },
	[TALLY_HC_PUBLISH_METRIC] = { NO_ARG, NO_ARG, 0, NO_ARG, 0,
				      ERRS_POINTER | ERR(E2BIG) | ERR(ENOSPC) },
	[TALLY_HC_CONSOLE_WRITE] = { NO_ARG, NO_ARG, 0, 1, TALLY_CONSOLE_WRITE_MAX,
				     ERR(EFAULT) | ERR(E2BIG) },
	[TALLY_HC_YIELD] = { NO_ARG, NO_ARG, 0, NO_ARG, 0, 0 },
	[TALLY_HC_DOMAIN_PAUSE] = { NO_ARG, NO_ARG, 0, NO_ARG, 0, ERR(ENOENT) | ERR(EINVAL) },
	[TALLY_HC_DOMAIN_UNPAUSE] = { NO_ARG, NO_ARG, 0, NO_ARG, 0, ERR(ENOENT) | ERR(EINVAL) },
	[TALLY_HC_DOMAIN_DESTROY] = { NO_ARG, NO_ARG, 0, NO_ARG, 0, ERR(ENOENT) | ERR(EINVAL) },
	[TALLY_HC_VCPU_COUNTERS] = { 1, 2, sizeof(struct tally_vcpu_counters), 2,
				     TALLY_VCPU_LIST_MAX,
				     ERRS_POINTER | ERR(E2BIG) | ERR(ENOENT) | ERR(EPERM) },
	[TALLY_HC_CPU_COUNTERS] = { 0, 1, sizeof(struct tally_cpu_counters), 1,
				    TALLY_CPU_LIST_MAX, ERRS_POINTER | ERR(E2BIG) },
	[TALLY_HC_NET_COUNTERS] = { 1, NO_ARG, sizeof(struct tally_net_counters), NO_ARG, 0,
				    ERRS_POINTER | ERR(ENOENT) },
	[TALLY_HC_DISK_COUNTERS] = { 1, NO_ARG, sizeof(struct tally_disk_counters), NO_ARG, 0,
				     ERRS_POINTER | ERR(ENOENT) },
	[TALLY_HC_DOMAIN_LIST_FROM] = { 1, 2, sizeof(struct tally_domain_info), 2,
					TALLY_DOMAIN_LIST_MAX, ERRS_POINTER | ERR(E2BIG) },
	[TALLY_HC_DOMAIN_CREATE] = { NO_ARG, NO_ARG, 0, NO_ARG, 0,
				     ERRS_POINTER | ERR(ENOENT) | ERR(EEXIST) | ERR(ENOMEM) },
};
_Static_assert(TALLY_HC_COUNT == TALLY_HC_DOMAIN_CREATE + 1, "a call without a row here");

/* Guest memory: page i at page[i] (NULL: unmapped), @bytes[i] of it valid. */
static struct {
	uint8_t *flat;			/* MEM_BYTES, for the flat layout */
	uint8_t *own[NPAGES];		/* a PAGE_SIZE allocation each, for the paged one */
	uint8_t *page[NPAGES];
	uint32_t bytes[NPAGES];
	uint8_t snapshot[MEM_BYTES];	/* the memory before the current call */
	uint32_t split;			/* the paged layout maps at most this many bytes at once */
	struct guest_mem mem;
} g;

/* The fake hypervisor, and what the current call is allowed to make it do. */
static struct {
	uint32_t ndoms, vcpus[MAX_DOMS], ncpus;
	uint32_t ending;		/* listed, but its counters (or info) are gone; >= ndoms: none */
	bool gone[MAX_DOMS], paused[MAX_DOMS], metrics_full, ending_listed;
	unsigned int acted;		/* hooks called that print or change state */
	unsigned int console_sum;	/* of the bytes printed */
	const struct hcall_ctx *ctx;	/* the current call */
} hv;

static bool exists(uint32_t id)
{
	return id < hv.ndoms && !hv.gone[id];
}

static int fake_domain_info(void *h, uint32_t id, struct tally_domain_info *out)
{
	(void)h;
	if (!exists(id) || (id == hv.ending && hv.ending_listed))
		return -ENOENT;
	out->vcpus = hv.vcpus[id];
	out->flags = (id == CONTROL ? TALLY_DOMAIN_CONTROL : 0) |
		     (hv.paused[id] ? TALLY_DOMAIN_PAUSED : 0);
	memset(out->name, 'n', sizeof(out->name));	/* unterminated: the caller must cut it */
	return 0;
}

static int fake_domain_counters(void *h, uint32_t id, struct tally_counters *out)
{
	(void)h;
	out->exits_total = id;
	return exists(id) && id != hv.ending ? 0 : -ENOENT;
}

/* Device counters: only the caller's own, or any for the control domain; even ids have a NIC, odd a disk. */
static int fake_net_counters(void *h, uint32_t id, struct tally_net_counters *out)
{
	(void)h;
	FUZZ_CHECK(hv.ctx->is_control || id == hv.ctx->domain_id);
	out->tx_packets = id;
	return exists(id) && id != hv.ending && id % 2 == 0 ? 0 : -ENOENT;
}

static int fake_disk_counters(void *h, uint32_t id, struct tally_disk_counters *out)
{
	(void)h;
	FUZZ_CHECK(hv.ctx->is_control || id == hv.ctx->domain_id);
	out->read_requests = id;
	return exists(id) && id != hv.ending && id % 2 == 1 ? 0 : -ENOENT;
}

static int fake_vcpu_counters(void *h, uint32_t id, uint32_t vcpu,
			      struct tally_vcpu_counters *out)
{
	(void)h;
	FUZZ_CHECK(hv.ctx->is_control || id == hv.ctx->domain_id);
	FUZZ_CHECK(vcpu < TALLY_VCPU_LIST_MAX && (!exists(id) || vcpu < hv.vcpus[id]));
	out->cpu_cycles = vcpu;
	return exists(id) && id != hv.ending ? 0 : -ENOENT;
}

static uint32_t fake_cpu_count(void *h)
{
	(void)h;
	return hv.ncpus;
}

static void fake_cpu_counters(void *h, uint32_t cpu, struct tally_cpu_counters *out)
{
	(void)h;
	FUZZ_CHECK(hv.ctx->is_control && cpu < hv.ncpus && cpu < TALLY_CPU_LIST_MAX);
	out->guest_cycles = cpu;
}

static uint32_t fake_domain_list(void *h, uint32_t first, uint32_t *ids, uint32_t max)
{
	uint32_t n = 0;

	(void)h;
	FUZZ_CHECK(hv.ctx->is_control && max <= TALLY_DOMAIN_LIST_MAX);
	for (uint32_t id = first; id < hv.ndoms; id++)
		if (exists(id) && n++ < max)
			ids[n - 1] = id;
	return n;
}

/* A metric name as the ABI allows it, or a console write of what the guest passed. */
static bool metric_name_ok(const char *name)
{
	size_t len = strnlen(name, TALLY_METRIC_NAME_MAX);

	return len >= 1 && len < TALLY_METRIC_NAME_MAX &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:-") == len;
}

static int fake_publish_metric(void *h, uint32_t id, const char *name, int64_t value,
			       uint32_t unit)
{
	(void)h;
	(void)value;
	hv.acted++;
	FUZZ_CHECK(id == hv.ctx->domain_id && metric_name_ok(name));
	FUZZ_CHECK(unit < TALLY_UNIT_COUNT_OF_UNITS);
	return hv.metrics_full ? -ENOSPC : 0;
}

static void fake_console_write(void *h, uint32_t id, const char *buf, uint32_t len)
{
	(void)h;
	hv.acted++;
	FUZZ_CHECK(id == hv.ctx->domain_id && len >= 1 && len <= TALLY_CONSOLE_WRITE_MAX);
	for (uint32_t i = 0; i < len; i++)
		hv.console_sum += (uint8_t)buf[i];	/* every byte is there to read */
}

static void fake_yield(void *h)
{
	(void)h;
	hv.acted++;
}

/* Pause, unpause and destroy: only the control domain, on another domain that exists. */
static void check_target(uint32_t id)
{
	hv.acted++;
	FUZZ_CHECK(hv.ctx->is_control && id != hv.ctx->domain_id && exists(id));
}

static int fake_pause(void *h, uint32_t id)
{
	(void)h;
	check_target(id);
	hv.paused[id] = true;
	return 0;
}

static int fake_unpause(void *h, uint32_t id)
{
	(void)h;
	check_target(id);
	hv.paused[id] = false;
	return 0;
}

static int fake_destroy(void *h, uint32_t id)
{
	(void)h;
	check_target(id);
	hv.gone[id] = true;
	return 0;
}

/*
 * Only the control domain, with every string cut within its field; the
 * template's first byte picks the answer, so each error is reached.
 */
static int fake_create(void *h, const struct tally_domain_create *req, uint32_t *id)
{
	static const int answers[] = { 0, -ENOENT, -EEXIST, -EINVAL, -ENOMEM };

	(void)h;
	hv.acted++;
	FUZZ_CHECK(hv.ctx->is_control);
	FUZZ_CHECK(strnlen(req->template_name, sizeof(req->template_name)) <
		   sizeof(req->template_name));
	FUZZ_CHECK(strnlen(req->name, sizeof(req->name)) < sizeof(req->name));
	FUZZ_CHECK(strnlen(req->options, sizeof(req->options)) < sizeof(req->options));
	*id = hv.ndoms;
	return answers[(uint8_t)req->template_name[0] % 5];
}

static const struct hcall_ops ops = {
	.domain_info = fake_domain_info,
	.domain_counters = fake_domain_counters,
	.vcpu_counters = fake_vcpu_counters,
	.cpu_count = fake_cpu_count,
	.cpu_counters = fake_cpu_counters,
	.domain_list = fake_domain_list,
	.publish_metric = fake_publish_metric,
	.console_write = fake_console_write,
	.yield = fake_yield,
	.domain_pause = fake_pause,
	.domain_unpause = fake_unpause,
	.domain_destroy = fake_destroy,
	.net_counters = fake_net_counters,
	.disk_counters = fake_disk_counters,
	.domain_create = fake_create,
};

/* The paged layout's translation, as an EPT walk would give it: page by page, maybe less. */
static void *paged_translate(const struct guest_mem *m, uint64_t gpa, uint64_t *avail)
{
	uint64_t pg = gpa / PAGE_SIZE, off = gpa % PAGE_SIZE;

	(void)m;
	if (gpa >= MEM_BYTES || !g.page[pg])
		return NULL;
	*avail = MIN(PAGE_SIZE - off, g.split);
	return g.page[pg] + off;
}

/*
 * Lay out and fill guest memory.  The flat layout is cut @cut bytes short
 * of MEM_BYTES and ends where its allocation ends, so ASan sees a copy
 * that runs past it; the paged one gives each page its own allocation.
 */
static void mem_setup(unsigned int mode, uint64_t unmapped, uint32_t cut, uint32_t split)
{
	uint64_t size = MEM_BYTES - cut % PAGE_SIZE;

	if (!g.flat) {
		g.flat = malloc(MEM_BYTES);
		for (unsigned int i = 0; i < NPAGES; i++)
			g.own[i] = malloc(PAGE_SIZE);
	}
	g.split = split ? split : PAGE_SIZE;
	g.mem = (struct guest_mem){ .base = g.flat + (MEM_BYTES - size), .size = size,
				    .translate = (mode & MODE_PAGED) ? paged_translate : NULL };
	for (unsigned int i = 0; i < NPAGES; i++) {
		bool paged = mode & MODE_PAGED;

		g.page[i] = paged ? ((unmapped >> i) & 1 ? NULL : g.own[i])
				  : g.mem.base + i * PAGE_SIZE;
		g.bytes[i] = paged ? PAGE_SIZE : (uint32_t)MIN(PAGE_SIZE, size - i * PAGE_SIZE);
		if (g.page[i])
			memset(g.page[i], FILL, g.bytes[i]);
	}
}

/* Copy @len bytes of the input to guest @gpa, where mapped. */
static void mem_place(uint64_t gpa, const uint8_t *bytes, size_t len)
{
	for (size_t i = 0; i < len && gpa + i < MEM_BYTES; i++) {
		uint64_t pg = (gpa + i) / PAGE_SIZE, off = (gpa + i) % PAGE_SIZE;

		if (g.page[pg] && off < g.bytes[pg])
			g.page[pg][off] = bytes[i];
	}
}

static void mem_snapshot(void)
{
	for (unsigned int i = 0; i < NPAGES; i++)
		if (g.page[i])
			memcpy(g.snapshot + i * PAGE_SIZE, g.page[i], g.bytes[i]);
}

/* The guest memory a call wrote, which must lie in [@lo, @hi); false if any lies elsewhere. */
static bool writes_within(uint64_t lo, uint64_t hi)
{
	for (unsigned int i = 0; i < NPAGES; i++) {
		const uint8_t *was = g.snapshot + i * PAGE_SIZE;

		if (!g.page[i] || !memcmp(g.page[i], was, g.bytes[i]))
			continue;
		for (uint64_t off = 0; off < g.bytes[i]; off++) {
			uint64_t gpa = i * PAGE_SIZE + off;

			if (g.page[i][off] != was[off] && (gpa < lo || gpa >= hi))
				return false;
		}
	}
	return true;
}

/* Where a successful call @nr with @args may have written, as [*lo, *hi). */
static void output_range(uint64_t nr, const uint64_t *args, int64_t ret, uint64_t *lo,
			 uint64_t *hi)
{
	const struct call_desc *d = &calls[nr];
	uint64_t entries = d->cap == NO_ARG ? 1 : MIN((uint64_t)ret, args[d->cap]);

	*lo = *hi = 0;
	if (d->out == NO_ARG || !entries || (nr == TALLY_HC_ABI_VERSION && !args[0]))
		return;	/* ABI_VERSION's pointer may be 0: no structure wanted */
	*lo = args[d->out];
	*hi = *lo + entries * d->size;
	FUZZ_CHECK(*hi > *lo && *hi <= MEM_BYTES);
}

/* The result the ABI allows for call @nr with @args from @ctx, and the memory it wrote. */
static void check_result(const struct hcall_ctx *ctx, uint64_t nr, const uint64_t *args,
			 int64_t ret, unsigned int acted)
{
	const struct call_desc *d = nr < TALLY_HC_COUNT ? &calls[nr] : NULL;
	uint64_t lo, hi;

	if (!d) {
		FUZZ_CHECK(ret == -ENOSYS && !acted && writes_within(0, 0));
		return;
	}
	/* Below CPL 0 only an `agent` domain's ABI_VERSION and PUBLISH_METRIC get through. */
	FUZZ_CHECK(ctx->cpl == 0 || ret == -EACCES ||
		   (ctx->user_metrics &&
		    (nr == TALLY_HC_ABI_VERSION || nr == TALLY_HC_PUBLISH_METRIC)));
	if (ret < 0) {
		FUZZ_CHECK(ret == -EACCES || ret == -EPERM || (-ret < 64 && (d->errors & ERR(-ret))));
		FUZZ_CHECK(ret != -E2BIG || d->limited == NO_ARG || args[d->limited] > d->limit);
		FUZZ_CHECK(writes_within(0, 0));	/* a failed call writes no guest byte */
		if (ret == -EACCES || ret == -EPERM)
			FUZZ_CHECK(!acted);
		return;
	}
	output_range(nr, args, ret, &lo, &hi);
	FUZZ_CHECK(writes_within(lo, hi));
	if (d->out != NO_ARG && d->cap == NO_ARG && nr != TALLY_HC_ABI_VERSION)
		FUZZ_CHECK(ret == d->size);	/* bytes written */
}

/* One call from the input, made and checked; a domain that has ended, or is ending, makes none. */
static void one_call(struct fuzz_input *in)
{
	uint64_t nr = fuzz_take(in, 1), args[HCALL_NR_ARGS];
	uint32_t caller = fuzz_take(in, 1) % hv.ndoms;
	struct hcall_ctx ctx = {
		.domain_id = caller, .is_control = caller == CONTROL,
		.cpl = fuzz_take(in, 1) & CPL_MASK, .mem = &g.mem, .ops = &ops, .hv = &hv,
	};

	ctx.user_metrics = fuzz_take(in, 1) & 1;
	unsigned int acted = hv.acted;
	int64_t ret;

	for (unsigned int i = 0; i < HCALL_NR_ARGS; i++)
		args[i] = fuzz_take(in, sizeof(args[i]));
	if (!exists(caller) || caller == hv.ending)
		return;
	hv.ctx = &ctx;
	mem_snapshot();
	ret = hcall_dispatch(&ctx, nr, args);
	check_result(&ctx, nr, args, ret, hv.acted - acted);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	unsigned int mode = fuzz_take(&in, 1);
	uint64_t unmapped = fuzz_take(&in, sizeof(uint64_t));
	uint32_t cut = fuzz_take(&in, 2), split = fuzz_take(&in, 2);
	uint64_t at;
	const uint8_t *content;
	size_t len;

	mem_setup(mode, unmapped, cut, split);
	memset(&hv, 0, sizeof(hv));
	hv.metrics_full = mode & MODE_METRICS_FULL;
	hv.ndoms = 1 + fuzz_take(&in, 1) % MAX_DOMS;
	hv.ncpus = fuzz_take(&in, 2) % (MAX_CPUS + 1);
	for (unsigned int i = 0; i < hv.ndoms; i++)
		hv.vcpus[i] = fuzz_take(&in, 2) % (MAX_VCPUS + 1);
	hv.ending = fuzz_take(&in, 1) % (MAX_DOMS + 1);
	hv.ending_listed = mode & MODE_ENDING_LISTED;
	at = fuzz_take(&in, 4) % MEM_BYTES;
	content = fuzz_bytes(&in, fuzz_take(&in, 1) % (MAX_CONTENT + 1), &len);
	mem_place(at, content, len);
	shim_log_reset();
	for (unsigned int i = 0; i < MAX_CALLS && in.size; i++)
		one_call(&in);
	return 0;
}
