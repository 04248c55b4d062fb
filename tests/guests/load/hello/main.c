/* SPDX-License-Identifier: MIT */
/* hello: greets by the name= option and shows what the loader passed. */
#include "guest.h"

#define NAME_MAX_LEN	64
#define DEFAULT_NAME	"guest"

const char guest_name[] = "hello";

static void print_mmap(const struct mb_info *mbi)
{
	const struct mb_mmap_entry *e = NULL;

	while ((e = mb_mmap_next(mbi, e)))
		printk("hello: mmap base=0x%llx len=0x%llx type=%u\n",
		       (unsigned long long)e->addr, (unsigned long long)e->len, e->type);
}

/*
 * `verdict=skip|fail|error` ends with that verdict instead of PASS, so
 * tests can check how each exit code is reported.
 */
static void requested_verdict(const struct mb_info *mbi)
{
	char v[8] = "";

	if (!cmdline_str(mbi, "verdict", v, sizeof(v)))
		return;
	if (!strcmp(v, "skip"))
		guest_skip("verdict=skip requested");
	else if (!strcmp(v, "fail"))
		guest_fail("verdict=fail requested");
	else if (!strcmp(v, "error"))
		guest_error("verdict=error requested");
}

/* Greet, then print the multiboot information; PASS unless verdict= says otherwise. */
void guest_main(const struct mb_info *mbi)
{
	char name[NAME_MAX_LEN] = DEFAULT_NAME;

	cmdline_str(mbi, "name", name, sizeof(name));
	printk("hello from %s\n", name);
	printk("hello: mem_lower=%u KiB mem_upper=%u KiB\n",
	       mb_mem_lower(mbi), mb_mem_upper(mbi));
	printk("hello: cmdline \"%s\"\n", mb_cmdline(mbi));
	print_mmap(mbi);
	requested_verdict(mbi);
}
