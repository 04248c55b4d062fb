/* SPDX-License-Identifier: MIT */
/* AML encoder for the per-domain DSDT (see tally/aml.h); pure, host-tested. */
#include <tally/aml.h>
#include <tally/errno.h>
#include <tally/string.h>

/* Opcodes and prefixes (ACPI 6.5, 20.2). */
#define AML_ZERO_OP		0x00
#define AML_ONE_OP		0x01
#define AML_NAME_OP		0x08
#define AML_BYTE_PREFIX		0x0A
#define AML_WORD_PREFIX		0x0B
#define AML_DWORD_PREFIX	0x0C
#define AML_STRING_PREFIX	0x0D
#define AML_QWORD_PREFIX	0x0E
#define AML_SCOPE_OP		0x10
#define AML_BUFFER_OP		0x11
#define AML_PACKAGE_OP		0x12
#define AML_DUAL_NAME_PREFIX	0x2E
#define AML_MULTI_NAME_PREFIX	0x2F
#define AML_ROOT_CHAR		'\\'
#define AML_EXT_OP_PREFIX	0x5B
#define AML_DEVICE_OP		0x82	/* after AML_EXT_OP_PREFIX */
#define AML_NAMESEG_LEN		4
#define AML_MAX_SEGS		8
#define AML_INT_MAX_LEN		9	/* prefix and a QWord */

/* PkgLength (ACPI 6.5, 20.2.4): 1 byte up to 63, else a count in bits 7:6 and 4+8n bits. */
#define PKG_ONE_BYTE_MAX	0x3F
#define PKG_LOW_BITS		4
#define PKG_LOW_MASK		0xF
#define PKG_COUNT_SHIFT		6
#define PKG_MAX_BYTES		4
#define PKG_MAX			(1u << 28)

/* Resource descriptors (ACPI 6.5, 6.4.2 small and 6.4.3 large items). */
#define RES_IRQ_NOFLAGS		0x22	/* small item 0x04, length 2 */
#define RES_IO			0x47	/* small item 0x08, length 7 */
#define RES_IO_DECODE16		0x01
#define RES_END_TAG		0x79	/* small item 0x0F, length 1 */
#define RES_MEM32_FIXED		0x86
#define RES_MEM32_FIXED_LEN	9
#define RES_MEM_READ_WRITE	0x01
#define RES_EXT_IRQ		0x89
#define RES_EXT_IRQ_LEN		6	/* flags, table length, one interrupt */
#define RES_EXT_IRQ_CONSUMER	(1u << 0)
#define RES_EXT_IRQ_EDGE	(1u << 1)	/* clear: level; polarity bit 2 clear: high */
#define ISA_IRQS		16

/* EISA ID compression (ACPI 6.5, 19.6.35): three letters of 5 bits, four hex digits. */
#define EISAID_LEN		7
#define EISAID_LETTER_BITS	5
#define EISAID_LETTER_MASK	0x1F

static void fail(struct aml_buf *b, int error)
{
	if (!b->error)
		b->error = error;
}

static void put(struct aml_buf *b, const void *src, size_t n)
{
	if (b->error)
		return;
	if (n > b->cap - b->len) {
		fail(b, -ENOSPC);
		return;
	}
	memcpy(b->p + b->len, src, n);
	b->len += n;
}

static void put_byte(struct aml_buf *b, uint8_t v)
{
	put(b, &v, 1);
}

static void put_le(struct aml_buf *b, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		put_byte(b, (uint8_t)(v >> (8 * i)));
}

void aml_init(struct aml_buf *b, uint8_t *p, size_t cap)
{
	memset(b, 0, sizeof(*b));
	b->p = p;
	b->cap = cap;
}

int aml_finish(struct aml_buf *b, size_t *len)
{
	if (!b->error && b->depth)
		fail(b, -EINVAL);
	*len = b->error ? 0 : b->len;
	return b->error;
}

static bool lead_char(char c)
{
	return (c >= 'A' && c <= 'Z') || c == '_';
}

static bool name_char(char c)
{
	return lead_char(c) || (c >= '0' && c <= '9');
}

bool aml_nameseg_valid(const char *seg)
{
	size_t n = seg ? strlen(seg) : 0;

	if (!n || n > AML_NAMESEG_LEN || !lead_char(seg[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!name_char(seg[i]))
			return false;
	return true;
}

/* Split "\\A.B" into padded NameSegs; the count, or 0 for a bad name. */
static unsigned int split_name(const char *name, char segs[AML_MAX_SEGS][AML_NAMESEG_LEN])
{
	unsigned int count = 0;
	char seg[AML_NAMESEG_LEN + 1];
	size_t n;

	while (*name) {
		for (n = 0; name[n] && name[n] != '.'; n++)
			if (n == AML_NAMESEG_LEN)
				return 0;
		if (count == AML_MAX_SEGS)
			return 0;
		memcpy(seg, name, n);
		seg[n] = '\0';
		if (!aml_nameseg_valid(seg))
			return 0;
		memset(segs[count], '_', AML_NAMESEG_LEN);	/* padding (20.2.2) */
		memcpy(segs[count++], seg, n);
		name += n;
		if (*name == '.' && !*++name)
			return 0;
	}
	return count;
}

/* A NameString (ACPI 6.5, 20.2.2): optional root, then one, two or more NameSegs. */
static void put_name(struct aml_buf *b, const char *name)
{
	char segs[AML_MAX_SEGS][AML_NAMESEG_LEN];
	unsigned int count;

	if (!name) {
		fail(b, -EINVAL);
		return;
	}
	if (*name == AML_ROOT_CHAR)
		put_byte(b, *name++);
	count = split_name(name, segs);
	if (!count) {
		fail(b, -EINVAL);
		return;
	}
	if (count == 2)
		put_byte(b, AML_DUAL_NAME_PREFIX);
	else if (count > 2) {
		put_byte(b, AML_MULTI_NAME_PREFIX);
		put_byte(b, (uint8_t)count);
	}
	put(b, segs, count * AML_NAMESEG_LEN);
}

void aml_name(struct aml_buf *b, const char *name)
{
	put_byte(b, AML_NAME_OP);
	put_name(b, name);
}

/* The shortest encoding of @v as a data object, into @out; its length. */
static unsigned int encode_integer(uint64_t v, uint8_t out[AML_INT_MAX_LEN])
{
	unsigned int bytes;

	if (v == 0 || v == 1) {
		out[0] = v ? AML_ONE_OP : AML_ZERO_OP;
		return 1;
	}
	if (v <= UINT8_MAX) {
		out[0] = AML_BYTE_PREFIX;
		bytes = 1;
	} else if (v <= UINT16_MAX) {
		out[0] = AML_WORD_PREFIX;
		bytes = 2;
	} else if (v <= UINT32_MAX) {
		out[0] = AML_DWORD_PREFIX;
		bytes = 4;
	} else {
		out[0] = AML_QWORD_PREFIX;
		bytes = 8;
	}
	for (unsigned int i = 0; i < bytes; i++)
		out[1 + i] = (uint8_t)(v >> (8 * i));
	return 1 + bytes;
}

void aml_integer(struct aml_buf *b, uint64_t value)
{
	uint8_t enc[AML_INT_MAX_LEN];

	put(b, enc, encode_integer(value, enc));
}

void aml_string(struct aml_buf *b, const char *s)
{
	/* AsciiCharList: 0x01-0x7F (20.2.3); Tally writes only printable ones. */
	for (const char *c = s; c && *c; c++)
		if (*c < ' ' || *c > '~')
			fail(b, -EINVAL);
	if (!s)
		fail(b, -EINVAL);
	put_byte(b, AML_STRING_PREFIX);
	if (s)
		put(b, s, strlen(s) + 1);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void aml_eisaid(struct aml_buf *b, const char *id)
{
	uint32_t letters = 0;
	uint8_t out[4];

	if (!id || strlen(id) != EISAID_LEN) {
		fail(b, -EINVAL);
		return;
	}
	for (int i = 0; i < 3; i++) {
		if (id[i] < 'A' || id[i] > 'Z') {
			fail(b, -EINVAL);
			return;
		}
		letters = letters << EISAID_LETTER_BITS | ((id[i] - '@') & EISAID_LETTER_MASK);
	}
	/* Stored big-endian, byte by byte: letters, then the digits in order. */
	out[0] = (uint8_t)(letters >> 8);
	out[1] = (uint8_t)letters;
	for (int i = 0; i < 2; i++) {
		int hi = hex_digit(id[3 + 2 * i]), lo = hex_digit(id[4 + 2 * i]);

		if (hi < 0 || lo < 0) {
			fail(b, -EINVAL);
			return;
		}
		out[2 + i] = (uint8_t)(hi << 4 | lo);
	}
	put_byte(b, AML_DWORD_PREFIX);
	put(b, out, sizeof(out));
}

/* Open an object whose PkgLength goes at the current position. */
static void open_object(struct aml_buf *b, bool buffer)
{
	if (b->error)
		return;
	if (b->depth == AML_MAX_DEPTH) {
		fail(b, -EINVAL);
		return;
	}
	b->open[b->depth].start = b->len;
	b->open[b->depth].buffer = buffer;
	b->depth++;
}

void aml_scope_begin(struct aml_buf *b, const char *name)
{
	put_byte(b, AML_SCOPE_OP);
	open_object(b, false);
	put_name(b, name);
}

void aml_device_begin(struct aml_buf *b, const char *name)
{
	put_byte(b, AML_EXT_OP_PREFIX);
	put_byte(b, AML_DEVICE_OP);
	open_object(b, false);
	put_name(b, name);
}

void aml_package_begin(struct aml_buf *b, uint8_t count)
{
	put_byte(b, AML_PACKAGE_OP);
	open_object(b, false);
	put_byte(b, count);
}

void aml_buffer_begin(struct aml_buf *b)
{
	put_byte(b, AML_BUFFER_OP);
	open_object(b, true);
}

/* Encode PkgLength for @content bytes after it into @out; its length, 0 if too long. */
static unsigned int encode_pkglength(size_t content, uint8_t out[PKG_MAX_BYTES])
{
	unsigned int extra;
	size_t total;

	if (content + 1 <= PKG_ONE_BYTE_MAX) {
		out[0] = (uint8_t)(content + 1);
		return 1;
	}
	for (extra = 1; extra < PKG_MAX_BYTES; extra++) {
		total = content + 1 + extra;
		if (total < ((size_t)1 << (PKG_LOW_BITS + 8 * extra)))
			break;
	}
	total = content + 1 + extra;
	if (extra == PKG_MAX_BYTES || total >= PKG_MAX)
		return 0;
	out[0] = (uint8_t)(extra << PKG_COUNT_SHIFT | (total & PKG_LOW_MASK));
	for (unsigned int i = 0; i < extra; i++)
		out[1 + i] = (uint8_t)(total >> (PKG_LOW_BITS + 8 * i));
	return 1 + extra;
}

void aml_end(struct aml_buf *b)
{
	uint8_t prefix[PKG_MAX_BYTES + AML_INT_MAX_LEN], size_enc[AML_INT_MAX_LEN];
	unsigned int size_len = 0, pkg_len;
	size_t start, body;

	if (b->error)
		return;
	if (!b->depth) {
		fail(b, -EINVAL);
		return;
	}
	b->depth--;
	start = b->open[b->depth].start;
	body = b->len - start;
	if (b->open[b->depth].buffer)	/* BufferSize: the bytes that follow */
		size_len = encode_integer(body, size_enc);
	pkg_len = encode_pkglength(size_len + body, prefix);
	if (!pkg_len) {
		fail(b, -ENOSPC);
		return;
	}
	memcpy(prefix + pkg_len, size_enc, size_len);
	if (pkg_len + size_len > b->cap - b->len) {
		fail(b, -ENOSPC);
		return;
	}
	memmove(b->p + start + pkg_len + size_len, b->p + start, body);
	memcpy(b->p + start, prefix, pkg_len + size_len);
	b->len += pkg_len + size_len;
}

void aml_res_io16(struct aml_buf *b, uint16_t port, uint8_t len)
{
	put_byte(b, RES_IO);
	put_byte(b, RES_IO_DECODE16);
	put_le(b, port, 2);	/* minimum base */
	put_le(b, port, 2);	/* maximum base: a fixed range */
	put_byte(b, 1);		/* alignment */
	put_byte(b, len);
}

void aml_res_irq_noflags(struct aml_buf *b, unsigned int irq)
{
	if (irq >= ISA_IRQS) {
		fail(b, -EINVAL);
		return;
	}
	put_byte(b, RES_IRQ_NOFLAGS);
	put_le(b, 1u << irq, 2);
}

void aml_res_mem32_fixed(struct aml_buf *b, uint32_t base, uint32_t size)
{
	put_byte(b, RES_MEM32_FIXED);
	put_le(b, RES_MEM32_FIXED_LEN, 2);
	put_byte(b, RES_MEM_READ_WRITE);
	put_le(b, base, 4);
	put_le(b, size, 4);
}

void aml_res_interrupt(struct aml_buf *b, uint32_t gsi, bool level)
{
	put_byte(b, RES_EXT_IRQ);
	put_le(b, RES_EXT_IRQ_LEN, 2);
	put_byte(b, RES_EXT_IRQ_CONSUMER | (level ? 0 : RES_EXT_IRQ_EDGE));
	put_byte(b, 1);		/* interrupt table length */
	put_le(b, gsi, 4);
}

void aml_res_end(struct aml_buf *b)
{
	put_byte(b, RES_END_TAG);
	put_byte(b, 0);		/* checksum 0: "treat as valid" (6.4.2.9) */
}
