/* SPDX-License-Identifier: MIT */
/* Basic types and helpers shared by all of Tally (freestanding or host). */
#ifndef TALLY_TYPES_H
#define TALLY_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Address spaces are distinct types so that passing a host-physical address
 * where a guest-physical or host-virtual one is expected does not compile.
 */
typedef struct { uint64_t raw; } hpa_t;	/* host-physical */
typedef struct { uint64_t raw; } gpa_t;	/* guest-physical */

static inline hpa_t hpa(uint64_t raw) { return (hpa_t){ raw }; }
static inline gpa_t gpa(uint64_t raw) { return (gpa_t){ raw }; }

#define PAGE_SHIFT	12
#define PAGE_SIZE	((uint64_t)1 << PAGE_SHIFT)
#define KIB		((uint64_t)1024)
#define MIB		(1024 * KIB)
#define GIB		(1024 * MIB)

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define ALIGN_DOWN(x, a)	((x) & ~((uint64_t)(a) - 1))
#define ALIGN_UP(x, a)		ALIGN_DOWN((x) + (uint64_t)(a) - 1, (a))
#define IS_ALIGNED(x, a)	(((x) & ((uint64_t)(a) - 1)) == 0)
#define MIN(a, b)		((a) < (b) ? (a) : (b))
#define MAX(a, b)		((a) > (b) ? (a) : (b))

#define __packed	__attribute__((packed))
#define __noreturn	__attribute__((noreturn))
#define __printf(f, a)	__attribute__((format(printf, f, a)))
#define __unused	__attribute__((unused))

/*
 * Reads physical memory for the parsers of firmware and boot-loader data:
 * returns a pointer to @len readable bytes at physical address @pa, or NULL
 * when that range is not mapped (or wraps).  @ctx is the caller's.
 */
typedef const void *(*phys_read_fn)(uint64_t pa, uint64_t len, void *ctx);

#endif
