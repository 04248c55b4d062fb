/* SPDX-License-Identifier: MIT */
/*
 * The EPT-violation exit: an access to a registered device region
 * (tally/vmmio.h) is emulated: the instruction is fetched through the
 * guest's page tables, decoded and carried out against the device; any
 * other guest-physical address, or an instruction that cannot be emulated,
 * ends the domain with one line.  EPT violations report no instruction
 * length (SDM Vol. 3C, 28.2.5), so RIP advances by the decoded length.
 *
 * A device with more work for a store (VMMIO_RETRY: a virtqueue
 * notification with chains left) has the store executed again: RIP stays,
 * so the rest is done on the guest's time, one bounded exit at a time.
 * Only a plain MOV store is repeated, because it has no other effect (no
 * register or flag changes, no load) and executing it again is what the
 * guest would see anyway; a read-modify-write or XCHG would repeat its
 * load and register update, so it is retired and the device finishes at
 * the driver's next notification.
 */
#include <arch/cpu.h>
#include <arch/ept.h>
#include <arch/guest_ram.h>
#include <arch/guest_walk.h>
#include <arch/insn_emulate.h>
#include <arch/sdm_checks.h>
#include <arch/vmcs.h>
#include <arch/vmexit.h>
#include <tally/domain.h>
#include <tally/fmt.h>
#include <tally/vmmio.h>

#define AR_CS_D			(1u << 14)	/* default operation size 32 (table 25-2) */
/*
 * IDT-vectoring information valid: the exit came during event delivery
 * (SDM Vol. 3C, "Information for VM Exits That Occur During Event Delivery").
 */
#define VECTORING_VALID		(1u << 31)
#define LA32_MASK		0xFFFFFFFFull
#define REASON_MAX		192

/* The code segment's mode: 64-bit with EFER.LMA and CS.L, else CS.D's (SDM Vol. 3A, 5.2.1). */
static enum insn_mode code_mode(uint64_t efer, uint32_t cs_ar)
{
	if ((efer & EFER_LMA) && (cs_ar & AR_CS_L))
		return INSN_MODE_64;
	return (cs_ar & AR_CS_D) ? INSN_MODE_32 : INSN_MODE_16;
}

/* The paging state the CPU translates with (the real CR0/CR4, not the read shadows). */
static void guest_paging_now(const struct vcpu *v, struct guest_paging *p, uint64_t *pdpte)
{
	struct sdm_mode m = { 0 };

	vmexit_guest_features(v, &m);
	for (int i = 0; i < PDPTE_COUNT; i++)
		pdpte[i] = vmcs_read((enum vmcs_field)(VMCS_GUEST_PDPTE0 + 2 * i));
	*p = (struct guest_paging){
		.cr0 = vmcs_read(VMCS_GUEST_CR0), .cr3 = vmcs_read(VMCS_GUEST_CR3),
		.cr4 = vmcs_read(VMCS_GUEST_CR4), .efer = vmcs_read(VMCS_GUEST_IA32_EFER),
		.maxphyaddr = m.maxphyaddr, .pdpte = pdpte,
	};
}

/*
 * Up to 15 bytes at linear @la into @buf, page by page (an instruction may
 * cross a page boundary); *@n is how many were read.  Stops at the first
 * page that does not translate to RAM, returning why.
 */
static enum guest_walk_status fetch(struct vcpu *v, uint64_t la, bool wrap32, uint8_t *buf,
				    size_t *n)
{
	struct guest_paging p;
	struct guest_walk_result res;
	uint64_t pdpte[PDPTE_COUNT];
	const uint8_t *src;

	guest_paging_now(v, &p, pdpte);
	for (*n = 0; *n < INSN_MAX_LENGTH;) {
		uint64_t at = wrap32 ? (la + *n) & LA32_MASK : la + *n, chunk;

		if (guest_walk(&p, at, guest_ram_read_entry, v->domain, &res) != GUEST_WALK_OK)
			return res.status;
		chunk = MIN(INSN_MAX_LENGTH - *n, res.page_size - (at & (res.page_size - 1)));
		src = guest_ram(v->domain, res.gpa, chunk);
		if (!src)
			return GUEST_WALK_BAD_TABLE;
		for (uint64_t i = 0; i < chunk; i++)
			buf[*n + i] = src[i];
		*n += chunk;
	}
	return GUEST_WALK_OK;
}

/* End @v's domain for an access at @gpa it cannot have: @why, then the bytes fetched. */
static void refuse(struct vcpu *v, uint64_t gpa, const char *why, const uint8_t *bytes, size_t n)
{
	char line[REASON_MAX];
	size_t at;

	at = fmt_snprintf(line, sizeof(line), "MMIO at gpa=%#lx: %s; instruction bytes:", gpa, why);
	for (size_t i = 0; i < n && at < sizeof(line); i++)
		at += fmt_snprintf(line + at, sizeof(line) - at, " %02x", bytes[i]);
	if (!n && at < sizeof(line))
		fmt_snprintf(line + at, sizeof(line) - at, " (none)");
	vmexit_crash(v, line);
}

struct mmio_access {
	struct vcpu *v;
	uint64_t gpa;
	bool plain_store;		/* a MOV to memory: may be executed again */
	bool retry;			/* the device asked for that (VMMIO_RETRY) */
};

static int mmio_read(void *ctx, unsigned int size, uint64_t *val)
{
	struct mmio_access *a = ctx;

	return vmmio_read(a->v, a->gpa, size, val);
}

static int mmio_write(void *ctx, unsigned int size, uint64_t val)
{
	struct mmio_access *a = ctx;
	int err = vmmio_write(a->v, a->gpa, size, val);

	if (err != VMMIO_RETRY)
		return err;
	a->retry = a->plain_store;
	return 0;
}

/* Whether @in stores: a load reported as a write means the code changed since the exit. */
static bool writes_memory(const struct insn *in)
{
	return in->mem_is_dst && in->op != INSN_OP_CMP && in->op != INSN_OP_TEST;
}

/* The outcome of an emulated access. */
enum mmio_outcome {
	MMIO_ENDED,			/* refused: the domain was ended */
	MMIO_RETIRE,			/* done: step past the instruction */
	MMIO_AGAIN,			/* the device wants the store again: RIP stays */
};

/* Carry out @in at @gpa on @v's registers. */
static enum mmio_outcome execute(struct vcpu *v, struct guest_regs *r, const struct insn *in,
				 uint64_t gpa, const uint8_t *bytes)
{
	struct mmio_access a = { v, gpa, in->op == INSN_OP_MOV && in->mem_is_dst, false };
	struct insn_mem mem = { mmio_read, mmio_write, &a };
	uint64_t gpr[INSN_GPR_COUNT], rflags = vmcs_read(VMCS_GUEST_RFLAGS);
	char why[64];
	int err;

	for (int i = 0; i < INSN_GPR_COUNT; i++)
		gpr[i] = r->gpr[i];
	gpr[GUEST_RSP_UNUSED] = vmcs_read(VMCS_GUEST_RSP);
	err = insn_emulate(in, gpr, &rflags, &mem);
	if (err) {
		fmt_snprintf(why, sizeof(why), "%s of %u bytes refused (%d)",
			     insn_op_name(in->op), in->size, err);
		refuse(v, gpa, why, bytes, in->length);
		return MMIO_ENDED;
	}
	if (v->state == VCPU_DEAD)
		return MMIO_ENDED;
	for (int i = 0; i < INSN_GPR_COUNT; i++)
		if (i != GUEST_RSP_UNUSED)
			r->gpr[i] = gpr[i];
	vmcs_write(VMCS_GUEST_RSP, gpr[GUEST_RSP_UNUSED]);
	vmcs_write(VMCS_GUEST_RFLAGS, rflags);
	return a.retry ? MMIO_AGAIN : MMIO_RETIRE;
}

/*
 * Step past the @len-byte instruction (0: stay on it, to be executed
 * again), ending an STI/MOV-SS shadow as the CPU would.  A repeated store
 * ends it too: the shadow covered one instruction, which ran, and keeping
 * it would hold interrupts off for as long as the guest's flood lasts.
 */
static void advance_rip(enum insn_mode mode, unsigned int len)
{
	uint64_t rip = vmcs_read(VMCS_GUEST_RIP) + len;
	uint64_t intr = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);

	if (len)
		vmcs_write(VMCS_GUEST_RIP, mode == INSN_MODE_64 ? rip : rip & LA32_MASK);
	if (intr & INTERRUPTIBILITY_STI_MOVSS)
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, intr & ~(uint64_t)INTERRUPTIBILITY_STI_MOVSS);
}

/* Fetch, decode and run the instruction that touched device memory at @gpa. */
static void emulate(struct vcpu *v, struct guest_regs *r, uint64_t gpa, uint64_t qual)
{
	uint32_t cs_ar = (uint32_t)vmcs_read(VMCS_GUEST_CS_ACCESS_RIGHTS);
	enum insn_mode mode = code_mode(vmcs_read(VMCS_GUEST_IA32_EFER), cs_ar);
	uint64_t la = vmcs_read(VMCS_GUEST_RIP);
	uint8_t bytes[INSN_MAX_LENGTH];
	enum guest_walk_status ws;
	enum insn_status s;
	struct insn in;
	size_t n;
	char why[64];

	if (mode != INSN_MODE_64)
		la = (la + vmcs_read(VMCS_GUEST_CS_BASE)) & LA32_MASK;
	ws = fetch(v, la, mode != INSN_MODE_64, bytes, &n);
	s = insn_decode(bytes, n, mode, &in);
	if (s == INSN_TRUNCATED && ws != GUEST_WALK_OK) {
		fmt_snprintf(why, sizeof(why), "instruction fetch at %#lx: %s", la,
			     guest_walk_status_name(ws));
		refuse(v, gpa, why, bytes, n);
		return;
	}
	if (s != INSN_OK || ((qual & EPT_QUAL_WRITE) && !writes_memory(&in))) {
		fmt_snprintf(why, sizeof(why), "instruction %s",
			     s != INSN_OK ? insn_status_name(s) : "does not write memory");
		refuse(v, gpa, why, bytes, s == INSN_OK ? in.length : n);
		return;
	}
	switch (execute(v, r, &in, gpa, bytes)) {
	case MMIO_RETIRE:
		advance_rip(mode, in.length);
		break;
	case MMIO_AGAIN:
		advance_rip(mode, 0);
		break;
	case MMIO_ENDED:
		break;
	}
}

void vmexit_ept_violation(struct vcpu *v, struct guest_regs *r)
{
	uint64_t gpa = vmcs_read(VMCS_GUEST_PHYSICAL_ADDRESS);
	uint64_t qual = vmcs_read(VMCS_EXIT_QUALIFICATION);
	char why[96];

	if (!(qual & EPT_QUAL_FETCH) && vmmio_find(gpa, NULL, NULL)) {
		/* An event delivered through device memory (IDT or stack there): no instruction did it. */
		if (vmcs_read(VMCS_IDT_VECTORING_INFO) & VECTORING_VALID)
			refuse(v, gpa, "event delivery touched device memory", NULL, 0);
		/* The CPU's own page walk read an entry there: not the instruction's operand. */
		else if ((qual & EPT_QUAL_GLA_VALID) && !(qual & EPT_QUAL_GLA_TRANSLATION))
			refuse(v, gpa, "a page walk touched device memory", NULL, 0);
		else
			emulate(v, r, gpa, qual);
		return;
	}
	fmt_snprintf(why, sizeof(why), "EPT violation: %s at gpa=%#lx (%s RAM of %lu MiB)",
		     qual & EPT_QUAL_FETCH ? "fetch" : qual & EPT_QUAL_WRITE ? "write" : "read",
		     gpa, gpa >= v->domain->ram_bytes ? "outside its" : "inside its",
		     v->domain->ram_bytes / MIB);
	vmexit_crash(v, why);
}
