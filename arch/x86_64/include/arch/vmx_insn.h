/* SPDX-License-Identifier: MIT */
/* One inline wrapper per VMX instruction; each returns false on VMfail (CF or ZF set).
 * The "=@cca" flag output hands CF=ZF=0 to the caller's branch directly (no SETA). */
#ifndef ARCH_VMX_INSN_H
#define ARCH_VMX_INSN_H

#include <tally/types.h>

static inline bool vmxon(uint64_t pa)
{
	bool ok;

	__asm__ volatile("vmxon %1" : "=@cca"(ok) : "m"(pa) : "cc", "memory");
	return ok;
}

static inline bool vmclear(uint64_t pa)
{
	bool ok;

	__asm__ volatile("vmclear %1" : "=@cca"(ok) : "m"(pa) : "cc", "memory");
	return ok;
}

static inline bool vmptrld(uint64_t pa)
{
	bool ok;

	__asm__ volatile("vmptrld %1" : "=@cca"(ok) : "m"(pa) : "cc", "memory");
	return ok;
}

static inline bool vmread(uint64_t field, uint64_t *value)
{
	bool ok;

	__asm__ volatile("vmread %2, %1" : "=@cca"(ok), "=rm"(*value) : "r"(field) : "cc");
	return ok;
}

static inline bool vmwrite(uint64_t field, uint64_t value)
{
	bool ok;

	__asm__ volatile("vmwrite %2, %1" : "=@cca"(ok) : "r"(field), "rm"(value) : "cc");
	return ok;
}

/* INVEPT and INVVPID types (SDM Vol. 3C, 30.3). */
#define INVEPT_SINGLE_CONTEXT	1
#define INVEPT_ALL_CONTEXTS	2
#define INVVPID_SINGLE_CONTEXT	1
#define INVVPID_ALL_CONTEXTS	2

static inline bool invept(uint64_t type, uint64_t eptp)
{
	struct { uint64_t eptp, reserved; } desc = { eptp, 0 };
	bool ok;

	__asm__ volatile("invept %1, %2" : "=@cca"(ok) : "m"(desc), "r"(type) : "cc", "memory");
	return ok;
}

static inline bool invvpid(uint64_t type, uint16_t vpid)
{
	struct { uint64_t vpid, address; } desc = { vpid, 0 };
	bool ok;

	__asm__ volatile("invvpid %1, %2" : "=@cca"(ok) : "m"(desc), "r"(type) : "cc", "memory");
	return ok;
}

#endif
