/* SPDX-License-Identifier: MIT */
/* Guest memory-mapped I/O: device models register the guest-physical ranges they emulate. */
#ifndef TALLY_VMMIO_H
#define TALLY_VMMIO_H

#include <tally/types.h>

struct vcpu;

/*
 * A device's handlers, called on the CPU of the vCPU @v whose load or store
 * reached @gpa (an EPT violation in the device window).  @size is 1, 2, 4
 * or 8 and the access lies wholly inside the registered range.  Return 0,
 * or a negative errno to refuse the access: the domain is then ended with
 * a line naming the instruction bytes and the address.
 */
struct vmmio_ops {
	const char *name;
	/* Load of @size bytes at @gpa by @v: store the value (zero-extended) in *@val. */
	int (*read)(struct vcpu *v, uint64_t gpa, unsigned int size, uint64_t *val);
	/*
	 * Store of the low @size bytes of @val at @gpa by @v.  May also return
	 * VMMIO_RETRY: the store took effect but the device has more work for
	 * it, so a plain MOV store is not retired (RIP stays, the guest
	 * executes it again: the rest is done on the guest's time).
	 */
	int (*write)(struct vcpu *v, uint64_t gpa, unsigned int size, uint64_t val);
};

#define VMMIO_RETRY		1

#define VMMIO_MAX_REGIONS	16

/*
 * Claim guest-physical [@base, @base + @size) for @ops in every domain, at
 * boot before any guest runs; 0, -EINVAL (empty, wrapping or no ops),
 * -ENOSPC (table full) or -EEXIST (overlaps a region already claimed).
 */
int vmmio_register(uint64_t base, uint64_t size, const struct vmmio_ops *ops);

/* The region holding @gpa: its ops, and its base and size through @base/@size; NULL if none. */
const struct vmmio_ops *vmmio_find(uint64_t gpa, uint64_t *base, uint64_t *size);

/*
 * vCPU @v's access of @size bytes at @gpa: to the claiming device.  0, the
 * handler's refusal, -ENOENT (no region), -ERANGE (the access crosses the
 * region's end) or -ENODEV (the device has no handler for that direction).
 */
int vmmio_read(struct vcpu *v, uint64_t gpa, unsigned int size, uint64_t *val);
int vmmio_write(struct vcpu *v, uint64_t gpa, unsigned int size, uint64_t val);

/* Forget every registration (unit tests). */
void vmmio_reset(void);

/*
 * The MMIO test device, for Tally's own tests (the `mmio_test` option): a
 * page at VPLATFORM_MMIO_TEST_BASE holding, per domain, 256 bytes of
 * scratch memory (any access of 1, 2, 4 or 8 bytes reads back what was
 * written, little-endian), a read-only count of those accesses and a
 * retry register: a 4-byte store of N there asks for VMMIO_RETRY until
 * the store has run N times (0 counts as 1), and a 4-byte load reads how
 * many times the last such store ran.  Any other access is refused, so
 * that the refusal path can be tested.
 */
#define VMMIO_TEST_SIZE		0x1000
#define VMMIO_TEST_SCRATCH_SIZE	0x100	/* [0, 0x100): scratch memory */
#define VMMIO_TEST_COUNT	0x100	/* 4 or 8 bytes: the domain's scratch accesses so far */
#define VMMIO_TEST_RETRY	0x108	/* 4 bytes: the retry register */

/* Claim the test device's page; 0 or vmmio_register()'s error. */
int vmmio_test_register(void);

#endif
