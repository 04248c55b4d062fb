/* SPDX-License-Identifier: MIT */
/*
 * A small AML encoder (ACPI 6.5, chapter 20): the named objects, scopes,
 * devices, packages and resource templates a DSDT for Tally's virtual
 * platform needs, written into a caller's buffer.  Pure: no allocation.
 *
 * Errors are sticky: after a full buffer, a bad name or unbalanced
 * nesting, every call does nothing and aml_finish() reports the first.
 */
#ifndef TALLY_AML_H
#define TALLY_AML_H

#include <tally/types.h>

#define AML_MAX_DEPTH	8	/* nested scopes, devices, packages, buffers */

struct aml_buf {
	uint8_t *p;
	size_t cap;
	size_t len;
	int error;		/* 0, -ENOSPC or -EINVAL */
	unsigned int depth;
	struct {
		size_t start;	/* where the object's PkgLength goes */
		bool buffer;	/* a Buffer: its size follows the PkgLength */
	} open[AML_MAX_DEPTH];
};

/* Start encoding into @p[0, @cap). */
void aml_init(struct aml_buf *b, uint8_t *p, size_t cap);

/* Bytes written so far, or the first error (-ENOSPC, -EINVAL): open objects are an error. */
int aml_finish(struct aml_buf *b, size_t *len);

/* True if @seg is an ACPI NameSeg: 1-4 of [A-Z_] then [A-Z0-9_] (ACPI 6.5, 20.2.2). */
bool aml_nameseg_valid(const char *seg);

/* Name(@name, ...): NameOp and a name ("\\_S5", "_HID"); the object follows. */
void aml_name(struct aml_buf *b, const char *name);

/* An integer data object in its shortest encoding (Zero, One, Byte... QWord). */
void aml_integer(struct aml_buf *b, uint64_t value);

/* A String object; -EINVAL for a character outside printable ASCII. */
void aml_string(struct aml_buf *b, const char *s);

/* EisaId("PNP0501"): the 32-bit compressed ID (ACPI 6.5, 19.6.35); -EINVAL if malformed. */
void aml_eisaid(struct aml_buf *b, const char *id);

/* Scope(@name) { ... aml_end() }. */
void aml_scope_begin(struct aml_buf *b, const char *name);

/* Device(@name) { ... aml_end() }. */
void aml_device_begin(struct aml_buf *b, const char *name);

/* Package(@count) { ... @count data objects ... aml_end() }. */
void aml_package_begin(struct aml_buf *b, uint8_t count);

/* Buffer() { ... bytes, e.g. resource descriptors ... aml_end() }. */
void aml_buffer_begin(struct aml_buf *b);

/* Close the innermost open scope, device, package or buffer. */
void aml_end(struct aml_buf *b);

/* Resource descriptors (ACPI 6.5, 6.4), inside aml_buffer_begin(). */
/* IO(Decode16, @port, @port, 1, @len): a fixed range of ports. */
void aml_res_io16(struct aml_buf *b, uint16_t port, uint8_t len);
/* IRQNoFlags() {@irq}: an ISA IRQ, edge-triggered and active high. */
void aml_res_irq_noflags(struct aml_buf *b, unsigned int irq);
/* Memory32Fixed(ReadWrite, @base, @size). */
void aml_res_mem32_fixed(struct aml_buf *b, uint32_t base, uint32_t size);
/* Interrupt(ResourceConsumer, Level|Edge, ActiveHigh, Exclusive) {@gsi}. */
void aml_res_interrupt(struct aml_buf *b, uint32_t gsi, bool level);
/* The End Tag closing a resource template. */
void aml_res_end(struct aml_buf *b);

#endif
