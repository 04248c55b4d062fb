/* SPDX-License-Identifier: MIT */
/* The port I/O exit: IN and OUT reach the domain's port bus (tally/vio.h). */
#include <arch/vmcs.h>
#include <arch/vmexit.h>
#include <tally/domain.h>
#include <tally/vio.h>

/* I/O-instruction exit qualification (table 28-5). */
union io_qual {
	uint64_t raw;
	struct {
		uint64_t size_minus_1 : 3;
		uint64_t in : 1;
		uint64_t string : 1;
		uint64_t rep : 1;
		uint64_t immediate : 1;
		uint64_t reserved0 : 9;
		uint64_t port : 16;
		uint64_t reserved1 : 32;
	};
};
_Static_assert(sizeof(union io_qual) == 8, "I/O exit qualification is 64 bits");

void vmexit_io(struct vcpu *v, struct guest_regs *r)
{
	union io_qual q = { .raw = vmcs_read(VMCS_EXIT_QUALIFICATION) };
	unsigned int size = q.size_minus_1 + 1;
	uint64_t *rax = &r->gpr[GUEST_RAX];

	if (q.string) {
		vmexit_crash(v, "string port I/O (INS/OUTS) is not emulated");
		return;
	}
	if (q.in) {
		uint32_t val = vio_port_in(v, (uint16_t)q.port, size);

		/* IN AL/AX keeps the rest of RAX; IN EAX zero-extends (SDM 3.4.1.1). */
		if (size == 4)
			*rax = val;
		else
			*rax = (*rax & ~((1ull << (8 * size)) - 1)) | val;
	} else {
		vio_port_out(v, (uint16_t)q.port, size, (uint32_t)*rax);
	}
	if (v->state == VCPU_RUNNABLE)
		vmexit_skip_instruction();
}
