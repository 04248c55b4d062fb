/* SPDX-License-Identifier: MIT */
/* What the libFuzzer harnesses share: reading an input field by field, invariant checks, fake physical memory. */
#ifndef TALLY_FUZZ_HARNESS_H
#define TALLY_FUZZ_HARNESS_H

#include <tally/types.h>

/* libFuzzer's entry point, which every harness defines. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The fuzzer's input, consumed from the front. */
struct fuzz_input {
	const uint8_t *data;
	size_t size;
};

/* Take the next @n (<= 8) bytes as a little-endian number; missing bytes at the end read as 0. */
uint64_t fuzz_take(struct fuzz_input *in, size_t n);

/* Take up to @max bytes: a pointer to them, with *@len set to how many there were. */
const uint8_t *fuzz_bytes(struct fuzz_input *in, size_t max, size_t *len);

/* Report a broken invariant and abort(), so that libFuzzer keeps the input as a crash. */
void fuzz_fail(const char *file, int line, const char *cond) __noreturn;

/* An invariant of the code under test: beyond "no crash", what its contract promises. */
#define FUZZ_CHECK(cond) ((cond) ? (void)0 : fuzz_fail(__FILE__, __LINE__, #cond))

/* A piece of fake physical memory: @len bytes at physical address @base. */
struct fuzz_region {
	uint64_t base;
	const uint8_t *bytes;
	size_t len;
};

#define FUZZ_PHYS_REGIONS	2

/*
 * Physical memory for the parsers that take a phys_read_fn: [0, @limit)
 * reads as zeros overlaid with the regions, except the hole [@hole_start,
 * @hole_end); everything else is unmapped.  Each read returns a fresh heap
 * copy of exactly the bytes asked for and frees the previous one, so a
 * parser that reads past what it asked for, or keeps a pointer across
 * reads (the contract: valid until the next read), trips ASan.
 */
struct fuzz_phys {
	struct fuzz_region region[FUZZ_PHYS_REGIONS];
	uint64_t limit;
	uint64_t hole_start, hole_end;
	void *last;		/* the previous read's copy */
	uint64_t reads;		/* calls so far */
};

/* A phys_read_fn over the struct fuzz_phys @ctx. */
const void *fuzz_phys_read(uint64_t pa, uint64_t len, void *ctx);

/* Free the last read's copy; @p may be read from again afterwards. */
void fuzz_phys_release(struct fuzz_phys *p);

#endif
