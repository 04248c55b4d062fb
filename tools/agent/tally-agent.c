/* SPDX-License-Identifier: MIT */
/* tally-agent: publishes what only a Linux guest knows (memory, filesystem use) to Tally.
 *
 * Runs as root in the guest's user space, with no kernel module: VMCALL in
 * VMX non-root operation exits to Tally at any privilege level, and Tally
 * lets CPL 3 make ABI_VERSION and PUBLISH_METRIC in a domain started with
 * the `agent` option (docs/AGENT.md).  The metric name goes by its
 * guest-physical address, which root reads from /proc/self/pagemap.
 *
 *   tally-agent [-i SECONDS] [-1]
 *     -i N   publish every N seconds (default 10)
 *     -1     publish once and exit (the tests)
 *
 * Metrics, all in bytes: mem_total_bytes, mem_available_bytes and
 * mem_used_bytes (total - available) from /proc/meminfo; for each mounted
 * filesystem on a block device, disk_used_bytes:DEV and disk_size_bytes:DEV
 * (statfs(); DEV the device's name, /dev/vda -> vda).  One line per metric
 * published goes to stdout.  Exit status 2 when not under Tally. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <unistd.h>

/* From include/public/tally.h (this program is built against glibc, not Tally's headers). */
#define HC_ABI_VERSION		0
#define HC_PUBLISH_METRIC	5
#define ABI_MAJOR		1
#define UNIT_BYTES		1
#define METRIC_NAME_MAX		32
#define METRICS_MAX		16
#define ENOSPC_TALLY		28

#define PAGEMAP_PRESENT		(1ull << 63)
#define PAGEMAP_PFN_MASK	((1ull << 55) - 1)

/* The name passed to Tally: one buffer, aligned so that it never crosses a page. */
static char name_buf[METRIC_NAME_MAX] __attribute__((aligned(64)));
static sigjmp_buf no_vmcall;
static int pagemap_fd = -1;

/* Tally's hypercall: number in RAX, arguments in RDI, RSI, RDX; result in RAX. */
static int64_t tally_hcall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	uint64_t rax = nr;

	asm volatile("vmcall" : "+a"(rax) : "D"(a0), "S"(a1), "d"(a2) : "memory");
	return (int64_t)rax;
}

static void on_fault(int sig)
{
	siglongjmp(no_vmcall, sig);
}

/* Tally's ABI version ((major << 16) | minor), or exit 2 with why it is not there. */
static int64_t check_tally(void)
{
	int64_t r;
	int sig;

	/* Bare metal raises #UD (SIGILL); some hypervisors inject #GP (SIGSEGV) for CPL 3. */
	signal(SIGILL, on_fault);
	signal(SIGSEGV, on_fault);
	sig = sigsetjmp(no_vmcall, 1);
	if (sig) {
		fprintf(stderr, "tally-agent: VMCALL raised %s: not under Tally\n",
			sig == SIGILL ? "#UD (SIGILL)" : "a fault (SIGSEGV)");
		exit(2);
	}
	r = tally_hcall(HC_ABI_VERSION, 0, 0, 0);
	signal(SIGILL, SIG_DFL);
	signal(SIGSEGV, SIG_DFL);
	if (r == -13) {
		fprintf(stderr, "tally-agent: ABI_VERSION refused (-EACCES): under Tally, but the "
			"domain was started without the `agent` option\n");
		exit(2);
	}
	if (r < 0 || (r >> 16) != ABI_MAJOR) {
		fprintf(stderr, "tally-agent: ABI_VERSION answered %lld: not Tally's ABI %d.x "
			"(another hypervisor?)\n", (long long)r, ABI_MAJOR);
		exit(2);
	}
	return r;
}

/* The guest-physical address of @p (mlocked, so it stays put), or 0. */
static uint64_t guest_physical(const void *p)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t va = (uint64_t)(uintptr_t)p, entry;

	if (pread(pagemap_fd, &entry, sizeof(entry), (off_t)(va / page * sizeof(entry))) !=
	    (ssize_t)sizeof(entry) || !(entry & PAGEMAP_PRESENT) || !(entry & PAGEMAP_PFN_MASK))
		return 0;
	return (entry & PAGEMAP_PFN_MASK) * (uint64_t)page + va % (uint64_t)page;
}

/* Publish @name = @value bytes; prints the line the tests read.  Tally's result. */
static int64_t publish(const char *name, uint64_t value)
{
	uint64_t gpa;
	int64_t r;

	snprintf(name_buf, sizeof(name_buf), "%s", name);
	gpa = guest_physical(name_buf);
	if (!gpa) {
		fprintf(stderr, "tally-agent: no physical address in /proc/self/pagemap (not root?)\n");
		exit(1);
	}
	r = tally_hcall(HC_PUBLISH_METRIC, gpa, value, UNIT_BYTES);
	if (r)
		printf("tally-agent: %s=%llu refused: %lld\n", name_buf, (unsigned long long)value,
		       (long long)r);
	else
		printf("tally-agent: published %s=%llu\n", name_buf, (unsigned long long)value);
	return r;
}

/* MemTotal and MemAvailable in bytes from one read of /proc/meminfo; 0 or -1. */
static int read_meminfo(uint64_t *total, uint64_t *avail)
{
	char line[128];
	unsigned long long kb;
	FILE *f = fopen("/proc/meminfo", "r");
	int found = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "MemTotal: %llu kB", &kb) == 1) {
			*total = kb * 1024;
			found |= 1;
		} else if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) {
			*avail = kb * 1024;
			found |= 2;
		}
	}
	fclose(f);
	return found == 3 ? 0 : -1;
}

/* A block device's metric suffix: its name under /dev, with only name characters. */
static void device_id(const char *dev, char *out, size_t len)
{
	const char *base = strrchr(dev, '/') ? strrchr(dev, '/') + 1 : dev;
	size_t n = 0;

	for (; *base && n + 1 < len; base++)
		out[n++] = (strchr("_.-", *base) || (*base >= '0' && *base <= '9') ||
			    (*base >= 'a' && *base <= 'z') || (*base >= 'A' && *base <= 'Z')) ?
			   *base : '_';
	out[n] = '\0';
}

/* Every mounted filesystem on a block device: its use and size; stops when Tally is full. */
static void publish_disks(void)
{
	char dev[256], dir[256], type[64], id[METRIC_NAME_MAX], name[2 * METRIC_NAME_MAX];
	FILE *f = fopen("/proc/mounts", "r");
	struct statfs s;

	if (!f)
		return;
	while (fscanf(f, "%255s %255s %63s %*[^\n]", dev, dir, type) == 3) {
		/* proc, sysfs, tmpfs, devtmpfs and the initramfs have no device behind them. */
		if (strncmp(dev, "/dev/", 5) || statfs(dir, &s))
			continue;
		device_id(dev, id, sizeof(id) - 16);
		snprintf(name, sizeof(name), "disk_used_bytes:%s", id);
		if (publish(name, (uint64_t)(s.f_blocks - s.f_bfree) * s.f_frsize) == -ENOSPC_TALLY)
			break;
		snprintf(name, sizeof(name), "disk_size_bytes:%s", id);
		if (publish(name, (uint64_t)s.f_blocks * s.f_frsize) == -ENOSPC_TALLY)
			break;
	}
	fclose(f);
}

static void publish_all(void)
{
	uint64_t total = 0, avail = 0;

	if (!read_meminfo(&total, &avail)) {
		publish("mem_total_bytes", total);
		publish("mem_available_bytes", avail);
		publish("mem_used_bytes", total - avail);
	}
	publish_disks();
	fflush(stdout);
}

int main(int argc, char **argv)
{
	unsigned int interval = 10;
	int once = 0, opt;
	int64_t abi;

	while ((opt = getopt(argc, argv, "i:1")) != -1) {
		if (opt == 'i' && atoi(optarg) > 0)
			interval = (unsigned int)atoi(optarg);
		else if (opt == '1')
			once = 1;
		else {
			fprintf(stderr, "usage: tally-agent [-i SECONDS] [-1]\n");
			return 1;
		}
	}
	abi = check_tally();
	pagemap_fd = open("/proc/self/pagemap", O_RDONLY);
	if (pagemap_fd < 0 || mlock(name_buf, sizeof(name_buf))) {
		fprintf(stderr, "tally-agent: /proc/self/pagemap or mlock: %s\n", strerror(errno));
		return 1;
	}
	printf("tally-agent: Tally ABI %lld.%lld, every %u s%s\n", (long long)(abi >> 16),
	       (long long)(abi & 0xFFFF), interval, once ? " (once)" : "");
	do {
		publish_all();
		if (!once)
			sleep(interval);
	} while (!once);
	return 0;
}
