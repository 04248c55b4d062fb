/* SPDX-License-Identifier: MIT */
/* Checked copies between Tally and a guest's memory for hypercalls (pure logic).
 *
 * Design: a guest's memory is reached only through a translate callback that
 * maps one guest-physical address to a host pointer and the bytes mapped
 * contiguously from there, never past the end of its page.  Every copy walks
 * the range page by page, first checking that every page is mapped and only
 * then copying, so a failed copy has touched nothing.  Tally maps guest RAM
 * at GPA 0 in one block (hcall_flat_translate()); a non-contiguous
 * mapping (an EPT walk) plugs in as another callback.
 *
 * Locking: none; the caller keeps the mapping alive during the copy. */
#ifndef TALLY_HCALL_ARGS_H
#define TALLY_HCALL_ARGS_H

#include <tally/types.h>

/* Largest single copy to or from a guest (bytes); longer ones get -E2BIG. */
#define HCALL_COPY_MAX	(64 * KIB)

struct guest_mem;

/*
 * Host pointer for guest-physical @gpa, with *@avail set to the bytes mapped
 * contiguously from there (at least 1, at most to the end of @gpa's page);
 * NULL when @gpa is not the caller's memory.
 */
typedef void *(*hcall_translate_fn)(const struct guest_mem *m, uint64_t gpa,
				    uint64_t *avail);

struct guest_mem {
	uint8_t *base;			/* host address of GPA 0 (flat mapping) */
	uint64_t size;			/* bytes of guest RAM from GPA 0 */
	hcall_translate_fn translate;	/* NULL: hcall_flat_translate */
	void *opaque;			/* for other translate callbacks */
};

/* Translate through the flat mapping [0, m->size) -> m->base. */
void *hcall_flat_translate(const struct guest_mem *m, uint64_t gpa, uint64_t *avail);

/*
 * Copy @len bytes at guest @gpa into @dst.  @align (a power of two, 0 or 1
 * for none) is the alignment @gpa must have.  @len 0 copies nothing and
 * succeeds.  Returns 0, -E2BIG (@len > HCALL_COPY_MAX), -EINVAL (misaligned)
 * or -EFAULT (any byte outside the guest's memory, or the range wraps).
 */
int hcall_copy_from_guest(const struct guest_mem *m, void *dst, uint64_t gpa,
			  uint64_t len, uint64_t align);

/* Copy @len bytes from @src to guest @gpa; checks and results as hcall_copy_from_guest(). */
int hcall_copy_to_guest(const struct guest_mem *m, uint64_t gpa, const void *src,
			uint64_t len, uint64_t align);

/* Check that guest [@gpa, @gpa + @len) could be copied (same results, nothing copied). */
int hcall_check_guest_range(const struct guest_mem *m, uint64_t gpa, uint64_t len,
			    uint64_t align);

/*
 * Check an array of @count entries of @size bytes at guest @gpa that the
 * caller copies one entry at a time: the whole array may exceed
 * HCALL_COPY_MAX, one entry may not (-E2BIG).  Otherwise the results of
 * hcall_check_guest_range() for [@gpa, @gpa + @count * @size), -EFAULT
 * if that product passes 2^64.  Nothing is copied.
 */
int hcall_check_guest_array(const struct guest_mem *m, uint64_t gpa, uint64_t count,
			    uint64_t size, uint64_t align);

/*
 * Copy the NUL-terminated string at guest @gpa into @dst of @max bytes
 * (@max >= 1), reading no byte past its NUL.  Returns its length (NUL not
 * counted), -E2BIG (no NUL in the first @max bytes) or -EFAULT (a byte
 * before the NUL is outside the guest's memory).  On error @dst holds "".
 */
int hcall_copy_string_from_guest(const struct guest_mem *m, char *dst, uint64_t gpa,
				 uint64_t max);

#endif
