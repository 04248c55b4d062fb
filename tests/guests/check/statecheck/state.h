/* SPDX-License-Identifier: MIT */
/* statecheck's parts: each sets (writer) or leaves (reader) a group of state, and checks it. */
#ifndef STATECHECK_STATE_H
#define STATECHECK_STATE_H

#include <stdbool.h>
#include <stdint.h>

enum state_role { ROLE_WRITER, ROLE_READER };

/* This guest's role (kind=writer|reader on its command line; Tally keeps role= for itself). */
extern enum state_role state_role;

static inline bool state_writer(void)
{
	return state_role == ROLE_WRITER;
}

/*
 * @item holds @got where this guest expects @want (round @round; ~0u
 * before the first): false after reporting it (the first few only).
 */
bool state_expect(const char *item, uint32_t round, uint64_t got, uint64_t want);

/* x87, SSE, AVX, AVX-512 registers, XCR0 and PKRU (ext.c): set up, then check every round. */
void ext_setup(void);
void ext_check(uint32_t round);
/* Control, debug and segment registers, descriptor tables (regs.c). */
void regs_setup(void);
void regs_check(uint32_t round);
/* General registers and RFLAGS held through @loops of a spin (regs.c): the round's work. */
void regs_spin(uint32_t round, uint32_t loops);
/* MSRs and the x2APIC's registers (msrs.c). */
void msrs_setup(void);
void msrs_check(uint32_t round);

/* Items checked every round, counted by the parts as they set up. */
extern uint32_t state_items;

#endif
